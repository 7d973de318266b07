//! The real binary: exit codes, JSON output, evaluation files and bad input.

use std::process::Command;

fn aish(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aish"))
        .args(args)
        .env(
            "XDG_CACHE_HOME",
            std::env::temp_dir().join("aish-test-cache"),
        )
        .output()
        .expect("run aish");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_exit_code_is_the_level() {
    assert_eq!(aish(&["check", "ls -la"]).0, 0);
    assert_eq!(aish(&["check", "mkdir -p build"]).0, 1);
    assert_eq!(aish(&["check", "rm notes.txt"]).0, 2);
    assert_eq!(aish(&["check", "rm -rf /"]).0, 3);
    assert_eq!(aish(&["check", "echo 'oops"]).0, 2);
}

#[test]
fn check_json_carries_reasons() {
    let (code, out, _) = aish(&["check", "--json", "bash -c 'rm -rf ~'"]);
    assert_eq!(code, 3);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(v["level"], "critical");
    let r = &v["reasons"][0];
    assert!(r["rule"].as_str().unwrap().starts_with("delete."));
    assert!(r["part"].as_str().unwrap().contains("rm -rf ~"));
}

#[test]
fn usage_errors_exit_64() {
    assert_eq!(aish(&[]).0, 64);
    assert_eq!(aish(&["check"]).0, 64);
    assert_eq!(aish(&["check", "   "]).0, 64);
    assert_eq!(aish(&["--bogus"]).0, 64);
    assert_eq!(aish(&["eval"]).0, 64);
    let huge = "a".repeat(10_000);
    let (code, _, err) = aish(&["check", &huge]);
    assert_eq!(code, 64);
    assert!(err.contains("limit"));
}

#[test]
fn help_anywhere_prints_the_usage_and_exits_0() {
    for args in [
        &["--help"][..],
        &["eval", "translate", "--help"],
        &["check", "--help"],
        &["eval", "danger", "DIR", "--help"],
    ] {
        let (code, out, err) = aish(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(
            out.contains("aish eval translate FILE.tsv"),
            "{args:?}: {out}"
        );
        assert!(err.is_empty(), "{args:?}: {err}");
    }
    // After `--` it is the text of a command.
    let (code, out, _) = aish(&["check", "--", "ls --help"]);
    assert_eq!((code, out.lines().next()), (0, Some("safe")));
}

#[test]
fn eval_danger_reads_the_two_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dangerous.tsv"),
        "command\tat_least\nrm -rf /\tcritical\nls\tdestructive\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("benign.tsv"),
        "command\tat_most\nls -la\tsafe\n",
    )
    .unwrap();
    let (code, out, _) = aish(&["eval", "danger", dir.path().to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let last: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(last["dangerous_recall"], 0.5);
    assert_eq!(last["benign_kept_share"], 1.0);
    assert_eq!(last["misses"][0]["command"], "ls");
    // a missing file is reported, not a panic
    assert_eq!(
        aish(&["eval", "danger", "/nonexistent-dir", "--json"]).0,
        66
    );
}

#[test]
fn eval_translate_scores_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("t.tsv");
    std::fs::write(&f, "request\tcommand\ncount the lines in notes.txt\twc -l notes.txt\nshow free disk space\tdf -h\n").unwrap();
    let (code, out, _) = aish(&[
        "eval",
        "translate",
        f.to_str().unwrap(),
        "--json",
        "--no-man",
    ]);
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(v["all"]["rows"], 2);
    assert_eq!(v["all"]["nlc2cmd_top1_unweighted"], 1.0, "{v}");
    assert_eq!(v["all"]["nlc2cmd_top5_unweighted"], 1.0, "{v}");
    // weighted by the candidates' confidences: positive, at most the unweighted score
    let top1 = v["all"]["nlc2cmd_top1"].as_f64().unwrap();
    assert!(top1 > 0.0 && top1 <= 1.0, "{v}");
    assert_eq!(v["tune"]["all"]["rows"], 1, "{v}");
    assert_eq!(v["holdout"]["all"]["rows"], 1, "{v}");
    assert_eq!(v["all"]["first_utility_accuracy"], 1.0, "{v}");
}

/// The project's own everyday requests (`eval/everyday.tsv`): the first candidate names the
/// right utility for most of them. The manual pages are left out so the figure does not
/// depend on which ones this machine has.
#[test]
fn everyday_requests_get_the_right_tool_first() {
    let f = concat!(env!("CARGO_MANIFEST_DIR"), "/eval/everyday.tsv");
    let (code, out, err) = aish(&["eval", "translate", f, "--json", "--no-man"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert!(v["all"]["rows"].as_u64().unwrap() >= 500, "{v}");
    let fu = v["all"]["first_utility_accuracy"].as_f64().unwrap();
    assert!(
        fu >= 0.85,
        "first-utility accuracy {fu} on the everyday requests"
    );
}

#[test]
fn translate_prints_candidates_with_verdicts() {
    let (code, out, _) = aish(&["--json", "--no-man", "find large files taking up space"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let c = v["candidates"].as_array().unwrap();
    assert!(!c.is_empty());
    assert!(c[0]["command"].as_str().unwrap().starts_with("find"));
    assert_eq!(c[0]["level"], "safe");
}

#[test]
fn control_characters_are_stripped() {
    let (code, out, _) = aish(&["--json", "--no-man", "\u{1b}[31mupdate my system\u{7}"]);
    assert_eq!(code, 0);
    assert!(!out.contains('\u{1b}'));
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["request"], "update my system");
}

#[test]
fn explain_names_parts_and_verdict() {
    let (code, out, _) = aish(&["--explain", "--json", "--no-man", "tar -xzf a.tgz | wc -l"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(v["parts"][0]["utility"], "tar");
    assert_eq!(v["parts"][1]["utility"], "wc");
    assert_eq!(v["verdict"]["level"], "moderate");
}

#[test]
fn translates_without_any_manual_database() {
    // no `apropos`/`man` in PATH, an empty cache: the built-in knowledge still answers
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aish"))
        .args(["--json", "show free disk space"])
        .env("PATH", empty.path())
        .env("HOME", empty.path())
        .env("XDG_CACHE_HOME", empty.path().join("cache"))
        .output()
        .expect("run aish");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = v["candidates"].as_array().unwrap();
    assert!(c[0]["command"].as_str().unwrap().starts_with("df"), "{v}");
    let conf = c[0]["confidence"].as_f64().unwrap();
    assert!(conf > 0.0 && conf < 1.0, "{v}");
}
