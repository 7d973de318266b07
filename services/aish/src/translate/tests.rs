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

fn top(req: &str) -> Vec<String> {
    Translator::new()
        .translate(req, &ctx())
        .into_iter()
        .map(|c| c.command)
        .collect()
}

#[test]
fn update_system_in_five_languages() {
    for req in [
        "update my system",
        "actualiza mi sistema",
        "mets à jour le système",
        "تحديث النظام",
        "更新我的系统",
    ] {
        let c = top(req);
        assert_eq!(c[0], "sudo apt update && sudo apt upgrade -y", "{req}");
    }
}

#[test]
fn package_manager_from_context() {
    let mut cx = ctx();
    cx.package_manager = Some("pacman".into());
    let c = Translator::new().translate("update my system", &cx);
    assert_eq!(c[0].command, "sudo pacman -Syu");
}

#[test]
fn slots_fill_find() {
    let c = top("find pdf files larger than 10MB modified in the last 3 days");
    assert!(
        c.iter()
            .any(|x| x == "find . -type f -name '*.pdf' -size +10M -mtime -3"),
        "{c:?}"
    );
}

#[test]
fn compress_uses_cwd_folder() {
    let c = top("compress photos into a zip file");
    assert_eq!(c[0], "zip -r photos.zip photos", "{c:?}");
}

#[test]
fn extract_picks_tool_by_extension() {
    let c = top("extract site.tar.gz");
    assert_eq!(c[0], "tar -xzf site.tar.gz", "{c:?}");
}

#[test]
fn named_tool_wins() {
    let c = top("show the commit history of the git repository");
    assert!(c[0].starts_with("git"), "{c:?}");
    let c = top("list all pods in the kubernetes cluster");
    assert!(c[0].starts_with("kubectl"), "{c:?}");
}

#[test]
fn crafted_file_names_are_quoted() {
    let mut cx = ctx();
    cx.files.push("$(rm -rf ~)".into());
    let c = Translator::new().translate("delete the file $(rm -rf ~)", &cx);
    assert!(c.iter().all(|x| !x.command.contains(" $(rm")), "{c:?}");
}

#[test]
fn whatis_lines_extend_the_vocabulary() {
    let mut t = Translator::new();
    let mut cx = ctx();
    cx.path_cmds.insert("frobnicate".into());
    t.add_whatis(
        "frobnicate (1)       - rotate the quux widgets of a spool\n",
        &cx,
    );
    let c = t.translate("rotate quux widgets", &cx);
    assert!(c[0].command.starts_with("frobnicate"), "{c:?}");
}

#[test]
fn candidates_are_bounded_and_ordered() {
    let c = Translator::new().translate("find large files taking up space", &ctx());
    assert!(!c.is_empty() && c.len() <= 5);
    assert!(c.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    assert!(Translator::new().translate("   ", &ctx()).is_empty());
}

#[test]
fn intents_do_not_steal_each_other() {
    assert!(top("find large files taking up space")[0].contains("-size +100M"));
    assert!(top("find all zip files")[0].starts_with("find . "));
    assert_eq!(top("count lines in notes.txt")[0], "wc -l notes.txt");
    assert!(top("restart nginx")[0].ends_with("systemctl restart nginx"));
}
