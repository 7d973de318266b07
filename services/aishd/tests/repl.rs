//! aish's sessions (the library behind the REPL and `aish --run`) use aishd
//! when its socket answers, and the in-process chain when it does not. Either
//! way the proposal goes through aish's own danger check and gate.

mod common;

use aish_llm::config::LlmConfig;
use common::{Scripted, call, llm_config, provider, session, start_aishd};
use serde_json::json;
use std::sync::atomic::Ordering;

#[test]
fn sessions_use_aishd_when_it_runs_and_work_in_process_when_not() {
    let dir = tempfile::tempdir().unwrap();
    // SAFETY: set before this test binary starts any thread of its own.
    unsafe { std::env::set_var("QUESTLOG_SPOOL", dir.path().join("spool.jsonl")) };
    let (daemon_url, daemon_hits) = provider("uptime");
    let (local_url, local_hits) = provider("uptime");
    let sock = dir.path().join("aishd.sock");
    start_aishd(&sock, llm_config("shared", &daemon_url));
    let own = llm_config("own", &local_url);

    // Through aishd: its provider answers, the job is told how it went.
    let mut s = session(dir.path(), &sock, own.clone(), false);
    assert_eq!(s.run_once("how long has the machine been up", false), 0);
    assert_eq!(daemon_hits.load(Ordering::SeqCst), 1);
    assert_eq!(local_hits.load(Ordering::SeqCst), 0);
    let st = call(&sock, json!({"op": "status", "job": 1}));
    assert_eq!(st["job"]["command"], "uptime", "{st}");
    assert_eq!(st["job"]["state"], "finished", "{st}");

    // A second session shares aishd's cache: the provider is not asked again.
    let mut s2 = session(dir.path(), &sock, own.clone(), false);
    assert_eq!(s2.run_once("how long has the machine been up", false), 0);
    assert_eq!(daemon_hits.load(Ordering::SeqCst), 1);
    let st = call(&sock, json!({"op": "status", "job": 2}));
    assert_eq!(st["job"]["source"]["kind"], "cache", "{st}");
    let (via, v) =
        aish::backend::Backend::new(&sock.display().to_string(), LlmConfig::default()).stats();
    assert_eq!(via, aish::backend::Via::Aishd);
    assert_eq!(v["stats"]["cache_hits"], 1, "{v}");

    // No aishd: the chain runs in this process.
    let absent = dir.path().join("absent.sock");
    let mut s3 = session(dir.path(), &absent, own, false);
    let mut ui = Scripted::new(&[]);
    let (cands, remote) = s3.candidates("how long has the machine been up", &mut ui);
    let remote = remote.unwrap();
    assert_eq!(remote.via, aish::backend::Via::InProcess);
    assert_eq!(cands[0].command, "uptime");
    assert!(cands[0].description.contains("own (m)"), "{:?}", cands[0]);
    assert_eq!(local_hits.load(Ordering::SeqCst), 1);
    assert_eq!(daemon_hits.load(Ordering::SeqCst), 1);

    // (In the same test: QUESTLOG_SPOOL is set once, before other threads.)
    a_provider_command_still_goes_through_the_danger_check_and_gate();
}

fn a_provider_command_still_goes_through_the_danger_check_and_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = provider("rm -rf /");
    let sock = dir.path().join("aishd.sock");
    start_aishd(&sock, llm_config("shared", &url));
    for socket in [sock.clone(), dir.path().join("absent.sock")] {
        // --yes never covers a critical command; a plain "yes" is not the phrase.
        let mut s = session(dir.path(), &socket, llm_config("own", &url), true);
        let mut ui = Scripted::new(&["yes"]);
        let (cands, _) = s.candidates("free some space", &mut ui);
        assert_eq!(cands[0].command, "rm -rf /");
        assert!(
            s.decide(Some("free some space"), &cands[0].command, &mut ui)
                .is_none()
        );
        assert!(
            ui.asked[0].starts_with("CRITICAL command: rm -rf /"),
            "{:?}",
            ui.asked
        );
        assert_eq!(s.stats.refused, 1);
    }
}
