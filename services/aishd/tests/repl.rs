//! aish's sessions (the library behind the REPL and `aish --run`) use aishd
//! when its socket answers, and the in-process chain when it does not. Either
//! way the proposal goes through aish's own danger check and gate.

use aish::session::{Session, Ui};
use aish_llm::config::{LlmConfig, ProviderConfig, ProviderKind};
use aish_llm::{Llm, clock::SystemClock};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// An OpenAI-compatible server on 127.0.0.1:0 proposing `cmd`; counts calls.
fn provider(cmd: &'static str) -> (String, Arc<AtomicUsize>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            let h = h.clone();
            std::thread::spawn(move || {
                let mut r = BufReader::new(s);
                loop {
                    let mut len = 0usize;
                    loop {
                        let mut line = String::new();
                        if r.read_line(&mut line).unwrap_or(0) == 0 {
                            return;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap();
                        }
                        if line == "\r\n" {
                            break;
                        }
                    }
                    let mut body = vec![0; len];
                    r.read_exact(&mut body).unwrap();
                    h.fetch_add(1, Ordering::SeqCst);
                    let text = json!({"command": cmd, "explanation": "proposed"}).to_string();
                    let b = json!({"choices":[{"message":{"role":"assistant","content":text}}]})
                        .to_string();
                    let resp = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{b}",
                        b.len()
                    );
                    if r.get_mut().write_all(resp.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, hits)
}

fn llm_config(name: &str, url: &str) -> LlmConfig {
    LlmConfig {
        providers: vec![ProviderConfig {
            name: name.into(),
            kind: ProviderKind::Openai,
            base_url: url.into(),
            model: Some("m".into()),
            advanced_model: None,
            api_key_file: None,
            credential: None,
            api_key_env: None,
        }],
        ..LlmConfig::default()
    }
}

/// aishd on `sock`, in a thread with its own runtime.
fn start_aishd(sock: &Path, cfg: LlmConfig) {
    let sock = sock.to_path_buf();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async move {
            let llm = Llm::with_keys(cfg, vec![None], Arc::new(SystemClock::default())).unwrap();
            let d = Arc::new(aishd::Daemon::new(Arc::new(llm)));
            d.start_up().await;
            let l = tokio::net::UnixListener::bind(&sock).unwrap();
            tx.send(()).unwrap();
            aishd::serve(l, d, std::future::pending()).await;
        });
    });
    rx.recv().unwrap();
}

fn call(sock: &Path, v: Value) -> Value {
    let mut c = BufReader::new(UnixStream::connect(sock).unwrap());
    c.get_mut().write_all(format!("{v}\n").as_bytes()).unwrap();
    let mut s = String::new();
    c.read_line(&mut s).unwrap();
    serde_json::from_str(&s).unwrap()
}

fn session(dir: &Path, socket: &Path, llm: LlmConfig, yes: bool) -> Session {
    let cfg = aish::config::Config {
        aishd_socket: socket.display().to_string(),
        questlog_socket: dir.join("no-questlogd.sock").display().to_string(),
        llm,
        ..aish::config::Config::default()
    };
    Session::new(cfg, yes, true).unwrap()
}

/// Answers from a script; keeps the questions.
struct Scripted {
    answers: Vec<&'static str>,
    asked: Vec<String>,
}

impl Ui for Scripted {
    fn say(&mut self, _: &str) {}
    fn ask(&mut self, prompt: &str) -> Option<String> {
        self.asked.push(prompt.to_string());
        (!self.answers.is_empty()).then(|| self.answers.remove(0).to_string())
    }
}

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
    let mut ui = Scripted {
        answers: vec![],
        asked: vec![],
    };
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
        let mut ui = Scripted {
            answers: vec!["yes"],
            asked: vec![],
        };
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
