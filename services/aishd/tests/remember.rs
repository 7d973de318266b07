//! Approvals remembered at aishd, as the REPL and `aish --run` use them: the
//! destructive question offers `always`, aishd keeps the approval per user and
//! command pattern, and the same command then runs without the question, in
//! any session of that user; never a critical command, never without aishd.
//! Also `aish REQUEST`'s candidate list, which puts aishd's answer first.

mod common;

use aish_llm::config::LlmConfig;
use common::{Scripted, call, llm_config, provider, session, start_aishd};
use serde_json::json;
use std::fs;

#[test]
fn remembered_approvals_and_the_one_shot_list_go_through_aishd() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: set before this test binary starts any thread of its own.
    unsafe { std::env::set_var("QUESTLOG_SPOOL", dir.path().join("spool.jsonl")) };
    let sock = dir.path().join("aishd.sock");
    let (url, hits) = provider("uptime -p");
    start_aishd(&sock, llm_config("shared", &url));
    let victim = dir.path().join("victim");
    let cmd = format!("rm -r {}", victim.display());

    // First time: asked, with `always` offered; `always` runs it and remembers.
    fs::create_dir(&victim).unwrap();
    let mut s = session(dir.path(), &sock, LlmConfig::default(), false);
    let mut ui = Scripted::new(&["always"]);
    let (decision, o) = s
        .decide_and_run(None, &cmd, None, true, &mut ui)
        .expect("approved with `always`");
    assert_eq!(decision, "confirmed");
    assert_eq!(o.map(|o| o.exit_code), Some(0));
    assert!(!victim.exists());
    assert_eq!(ui.asked.len(), 1, "{:?}", ui.asked);
    assert!(ui.asked[0].contains("`always`"), "{:?}", ui.asked);
    assert!(
        ui.said
            .iter()
            .any(|l| l.contains(&format!("remembered: `{cmd}`"))),
        "{:?}",
        ui.said
    );

    // Next time, and in another session of the same user: no question.
    for fresh in [false, true] {
        if fresh {
            s = session(dir.path(), &sock, LlmConfig::default(), false);
        }
        fs::create_dir(&victim).unwrap();
        let mut ui = Scripted::new(&[]);
        let (decision, _) = s
            .decide_and_run(None, &cmd, None, true, &mut ui)
            .expect("covered by the remembered approval");
        assert_eq!(decision, "remembered");
        assert!(ui.asked.is_empty(), "{:?}", ui.asked);
        assert!(!victim.exists());
    }

    // aishd keeps one remembered approval, and was told how each job went: the three runs
    // (jobs 1 to 3, this test's only jobs so far) are finished.
    let st = call(&sock, json!({"op": "stats"}));
    assert_eq!(st["daemon"]["remembered"], 1, "{st}");
    for job in 1..=3 {
        let j = call(&sock, json!({"op": "status", "job": job}));
        assert_eq!(j["job"]["command"], cmd.as_str(), "{j}");
        assert_eq!(j["job"]["state"], "finished", "{j}");
    }

    // Another command is asked as ever, and the default answer aborts.
    let other = dir.path().join("other");
    fs::create_dir(&other).unwrap();
    let mut ui = Scripted::new(&[]);
    let other_cmd = format!("rm -r {}", other.display());
    assert!(
        s.decide_and_run(None, &other_cmd, None, true, &mut ui)
            .is_none()
    );
    assert_eq!(ui.asked.len(), 1);
    assert!(other.exists());

    // A critical command: `always` is not the phrase, and nothing is remembered.
    let mut ui = Scripted::new(&["always"]);
    assert!(s.decide(Some("wipe"), "rm -rf /", &mut ui).is_none());
    assert!(
        ui.asked[0].starts_with("CRITICAL command"),
        "{:?}",
        ui.asked
    );
    let j = call(&sock, json!({"op": "propose", "command": "rm -rf /"}));
    assert_eq!(j["job"]["state"], "awaiting_approval", "{j}");

    // Without aishd, `always` is not offered and does not approve.
    fs::create_dir(&victim).unwrap();
    let mut alone = session(
        dir.path(),
        &dir.path().join("absent.sock"),
        LlmConfig::default(),
        false,
    );
    let mut ui = Scripted::new(&["always"]);
    assert!(
        alone
            .decide_and_run(None, &cmd, None, true, &mut ui)
            .is_none()
    );
    assert!(!ui.asked[0].contains("always"), "{:?}", ui.asked);
    assert!(victim.exists());

    // `aish REQUEST`: aishd's (provider's) answer first, then the offline ones;
    // `--offline` lists the offline translator's only.
    let conf = dir.path().join("aish.toml");
    fs::write(
        &conf,
        format!("aishd_socket = {:?}\n", sock.display().to_string()),
    )
    .unwrap();
    let list = |extra: &[&str]| {
        let mut argv: Vec<String> = vec!["aish".into(), "--json".into()];
        argv.extend(extra.iter().map(|s| s.to_string()));
        argv.push("how long has the machine been up".into());
        let mut ask = aish::session::one_shot_asker(Some(conf.clone()));
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = aish::cli::main_with(&argv, &mut out, &mut err, Some(&mut ask));
        assert_eq!(code, 0, "{}", String::from_utf8_lossy(&err));
        let v: serde_json::Value =
            serde_json::from_str(String::from_utf8_lossy(&out).lines().last().unwrap()).unwrap();
        v["candidates"].as_array().unwrap().clone()
    };
    let before = hits.load(std::sync::atomic::Ordering::SeqCst);
    let c = list(&[]);
    assert_eq!(c[0]["command"], "uptime -p", "{c:?}");
    assert!(c[0]["source"].as_str().unwrap().contains("shared"), "{c:?}");
    assert!(c.len() > 1, "the offline candidates follow: {c:?}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), before + 1);
    let c = list(&["--offline"]);
    assert!(
        c.iter()
            .all(|x| !x["source"].as_str().unwrap().contains("shared")),
        "{c:?}"
    );
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), before + 1);
}
