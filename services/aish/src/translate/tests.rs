use super::*;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/u"),
        files: vec!["photos".into(), "notes.txt".into(), "site.tar.gz".into()],
        package_manager: Some("apt".into()),
        init: "systemd".into(),
        path_cmds: HashSet::new(),
    }
}
