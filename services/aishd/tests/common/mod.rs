//! What the session tests share: a loopback provider, aishd in a thread, a
//! session pointed at it, and a scripted user.
#![allow(dead_code)]

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
pub fn provider(cmd: &'static str) -> (String, Arc<AtomicUsize>) {
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

pub fn llm_config(name: &str, url: &str) -> LlmConfig {
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
pub fn start_aishd(sock: &Path, cfg: LlmConfig) {
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

pub fn call(sock: &Path, v: Value) -> Value {
    let mut c = BufReader::new(UnixStream::connect(sock).unwrap());
    c.get_mut().write_all(format!("{v}\n").as_bytes()).unwrap();
    let mut s = String::new();
    c.read_line(&mut s).unwrap();
    serde_json::from_str(&s).unwrap()
}

pub fn session(dir: &Path, socket: &Path, llm: LlmConfig, yes: bool) -> Session {
    let cfg = aish::config::Config {
        aishd_socket: socket.display().to_string(),
        questlog_socket: dir.join("no-questlogd.sock").display().to_string(),
        llm,
        ..aish::config::Config::default()
    };
    Session::new(cfg, yes, true).unwrap()
}

/// Answers from a script; keeps the questions and what was said.
#[derive(Default)]
pub struct Scripted {
    pub answers: Vec<&'static str>,
    pub asked: Vec<String>,
    pub said: Vec<String>,
}

impl Scripted {
    pub fn new(answers: &[&'static str]) -> Scripted {
        Scripted {
            answers: answers.to_vec(),
            ..Scripted::default()
        }
    }
}

impl Ui for Scripted {
    fn say(&mut self, text: &str) {
        self.said.push(text.to_string());
    }
    fn ask(&mut self, prompt: &str) -> Option<String> {
        self.asked.push(prompt.to_string());
        (!self.answers.is_empty()).then(|| self.answers.remove(0).to_string())
    }
}
