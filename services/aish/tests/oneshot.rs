//! `aish --run` goes through the same gate as the REPL (no pty: answers come from stdin).

use std::process::{Command, Stdio};

fn aish(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aish"))
        .arg("--config")
        .arg(dir.join("aish.toml"))
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("QUESTLOG_SOCKET", dir.join("no-daemon.sock"))
        .env("QUESTLOG_SPOOL", dir.join("spool.jsonl"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn run_asks_in_paranoid_mode_and_no_answer_refuses_even_with_yes() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("aish.toml"), "mode = \"paranoid\"\n").unwrap();
    for extra in [&[][..], &["--yes"][..]] {
        let mut args = vec!["--no-man", "--json", "--run"];
        args.extend_from_slice(extra);
        args.push("show disk usage");
        let (code, out, err) = aish(d.path(), &args);
        assert_eq!(code, 77, "{out}\n{err}");
        assert!(err.contains("Run it? [y/N]"), "{err}");
        let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(v["decision"], "refused");
        assert_eq!(v["request"], "show disk usage");
    }
    let spool = std::fs::read_to_string(d.path().join("spool.jsonl")).unwrap();
    assert_eq!(spool.lines().count(), 2, "{spool}");
}

#[test]
fn run_executes_and_reports_exit_code_and_duration() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("aish.toml"), "mode = \"normal\"\n").unwrap();
    let (code, out, err) = aish(
        d.path(),
        &["--no-man", "--json", "--run", "show disk usage"],
    );
    let last = out.lines().last().unwrap_or("");
    let v: serde_json::Value =
        serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {out}\n{err}"));
    if v["decision"] == "refused" {
        // the translator proposed something that needs a question: stdin gave no answer
        assert_eq!(code, 77);
        return;
    }
    assert_eq!(code, v["outcome"]["exit_code"].as_i64().unwrap() as i32);
    assert!(v["outcome"]["duration_ms"].is_u64());
    assert_eq!(v["outcome"]["ending"], "exited");
}

#[test]
fn config_errors_name_the_file_and_key() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("aish.toml"),
        "mode = \"normal\"\ntimeout_secs = -1\n",
    )
    .unwrap();
    let (code, _, err) = aish(d.path(), &["--run", "list files"]);
    assert_eq!(code, 78);
    assert!(
        err.contains("aish.toml:2") && err.contains("timeout_secs"),
        "{err}"
    );
}
