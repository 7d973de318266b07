//! The daemon on a temp socket with a loopback provider.

use aish_llm::config::{LlmConfig, ProviderConfig, ProviderKind};
use aish_llm::{Llm, clock::SystemClock};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, UnixListener, UnixStream};

/// An OpenAI-compatible server that always proposes `cmd`.
async fn provider(cmd: &'static str) -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let h = h.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut tmp = [0u8; 4096];
                loop {
                    let n = match s.read(&mut tmp).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf.extend_from_slice(&tmp[..n]);
                    let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        continue;
                    };
                    let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                    let len: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap());
                    if buf.len() < i + 4 + len {
                        continue;
                    }
                    buf.drain(..i + 4 + len);
                    h.fetch_add(1, Ordering::SeqCst);
                    let text = json!({"command": cmd, "explanation": "proposed"}).to_string();
                    let body = json!({"choices":[{"message":{"role":"assistant","content":text}}]})
                        .to_string();
                    let r = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if s.write_all(r.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (url, hits)
}

async fn start(cmd: &'static str) -> (tempfile::TempDir, std::path::PathBuf, Arc<AtomicUsize>) {
    let (url, hits) = provider(cmd).await;
    let cfg = LlmConfig {
        providers: vec![ProviderConfig {
            name: "local".into(),
            kind: ProviderKind::Openai,
            base_url: url,
            model: Some("m".into()),
            advanced_model: None,
            api_key_file: None,
            credential: None,
            api_key_env: None,
        }],
        ..LlmConfig::default()
    };
    let llm = Llm::with_keys(cfg, vec![None], Arc::new(SystemClock::default())).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("aishd.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let d = Arc::new(aishd::Daemon::new(Arc::new(llm)));
    tokio::spawn(aishd::serve(listener, d, std::future::pending()));
    (dir, path, hits)
}

struct Client {
    r: BufReader<tokio::net::unix::OwnedReadHalf>,
    w: tokio::net::unix::OwnedWriteHalf,
}

impl Client {
    async fn connect(p: &std::path::Path) -> Client {
        let (r, w) = UnixStream::connect(p).await.unwrap().into_split();
        Client {
            r: BufReader::new(r),
            w,
        }
    }
    async fn call(&mut self, line: &str) -> Value {
        self.w
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        let mut s = String::new();
        self.r.read_line(&mut s).await.unwrap();
        serde_json::from_str(&s).unwrap()
    }
}

#[tokio::test]
async fn dangerous_candidate_needs_approval_and_remember_is_kept() {
    let (_d, path, hits) = start("rm -rf /").await;
    let mut c = Client::connect(&path).await;
    let r = c
        .call(
            r#"{"op":"submit","request":"clean up everything","context":{"user":"root-claimed"}}"#,
        )
        .await;
    assert_eq!(r["ok"], true, "{r}");
    let job = &r["job"];
    assert_eq!(job["command"], "rm -rf /");
    assert_eq!(job["source"]["kind"], "provider");
    assert_eq!(job["verdict"]["level"], "critical");
    assert_eq!(job["approval_needed"], true);
    assert_eq!(job["state"], "awaiting_approval");
    let id = job["job"].as_u64().unwrap();
    // Bad input gets an error reply; the connection lives on.
    let e = c.call("{not json").await;
    assert_eq!(e["ok"], false);
    assert!(e["error"].as_str().unwrap().contains("bad request"));
    let s = c.call(&format!(r#"{{"op":"status","job":{id}}}"#)).await;
    assert_eq!(s["job"]["state"], "awaiting_approval");
    let a = c
        .call(&format!(r#"{{"op":"approve","job":{id},"remember":true}}"#))
        .await;
    assert_eq!(a["job"]["state"], "approved");
    let again = c.call(&format!(r#"{{"op":"approve","job":{id}}}"#)).await;
    assert_eq!(again["ok"], false);
    // Remembered for this user and command; answered from the cache.
    let r2 = c
        .call(r#"{"op":"submit","request":"Clean up everything"}"#)
        .await;
    assert_eq!(r2["job"]["approval_needed"], false, "{r2}");
    assert_eq!(r2["job"]["state"], "ready");
    assert_eq!(r2["job"]["source"]["kind"], "cache");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    let st = c.call(r#"{"op":"stats"}"#).await;
    assert_eq!(st["stats"]["cache_hits"], 1);
    let m = c.call(r#"{"op":"metrics"}"#).await;
    assert!(
        m["metrics"]
            .as_str()
            .unwrap()
            .contains("aish_translations_total 2")
    );
}

#[tokio::test]
async fn safe_candidate_is_ready_and_deny_works_on_pending_jobs_only() {
    let (_d, path, _) = start("ls -la").await;
    let mut c = Client::connect(&path).await;
    let r = c.call(r#"{"op":"submit","request":"list files"}"#).await;
    assert_eq!(r["job"]["verdict"]["level"], "safe");
    assert_eq!(r["job"]["state"], "ready");
    let id = r["job"]["job"].as_u64().unwrap();
    let d = c.call(&format!(r#"{{"op":"deny","job":{id}}}"#)).await;
    assert_eq!(d["ok"], false);
    let h = c.call(r#"{"op":"health"}"#).await;
    assert_eq!(h["ready"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_clients_share_one_cache() {
    let (_d, path, hits) = start("df -h").await;
    let mut first = Client::connect(&path).await;
    first
        .call(r#"{"op":"submit","request":"disk space"}"#)
        .await;
    let mut tasks = Vec::new();
    for _ in 0..32 {
        let path = path.clone();
        tasks.push(tokio::spawn(async move {
            let mut c = Client::connect(&path).await;
            for _ in 0..20 {
                let r = c.call(r#"{"op":"submit","request":"disk space"}"#).await;
                assert_eq!(r["job"]["source"]["kind"], "cache");
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn replacing_the_llm_layer_takes_effect_for_new_requests() {
    let (url, hits) = provider("uptime").await;
    let cfg = LlmConfig {
        providers: vec![ProviderConfig {
            name: "new".into(),
            kind: ProviderKind::Openai,
            base_url: url,
            model: Some("m".into()),
            advanced_model: None,
            api_key_file: None,
            credential: None,
            api_key_env: None,
        }],
        ..LlmConfig::default()
    };
    let d = aishd::Daemon::new(Arc::new(
        Llm::with_keys(
            LlmConfig::default(),
            vec![],
            Arc::new(SystemClock::default()),
        )
        .unwrap(),
    ));
    let r = d
        .handle(
            1000,
            serde_json::from_str(r#"{"op":"submit","request":"how long up"}"#).unwrap(),
        )
        .await;
    assert_eq!(r["job"]["source"]["kind"], "offline");
    d.replace_llm(Arc::new(
        Llm::with_keys(cfg, vec![None], Arc::new(SystemClock::default())).unwrap(),
    ));
    let r = d
        .handle(
            1000,
            serde_json::from_str(r#"{"op":"submit","request":"how long up"}"#).unwrap(),
        )
        .await;
    assert_eq!(r["job"]["command"], "uptime");
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Jobs are per user: another uid cannot see or approve them.
    let id = r["job"]["job"].as_u64().unwrap();
    let other = d
        .handle(
            1001,
            serde_json::from_str(&format!(r#"{{"op":"status","job":{id}}}"#)).unwrap(),
        )
        .await;
    assert_eq!(other["ok"], false);
}
