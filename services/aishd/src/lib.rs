//! aishd: one process holds the LLM layer's cache, breakers and rate limits
//! for every aish session on the machine. Protocol: one JSON object per line
//! on a Unix socket, one reply line per request.
//!
//! - `{"op":"submit","request":"...","context":{...}}` → job id, candidate,
//!   source, verdict (aish's danger analysis, always run), approval needed
//! - `{"op":"status","job":N}`
//! - `{"op":"approve","job":N,"remember":true}` / `{"op":"deny","job":N}`
//! - `{"op":"stats"}` (JSON), `{"op":"metrics"}` (Prometheus text), `{"op":"health"}`
//!
//! The user is the socket peer's uid, never what the client claims.

use aish_llm::{Context, Llm, Source};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tracing::{info, warn};

/// Longest request line accepted.
pub const MAX_LINE: usize = 64 * 1024;

#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Submit {
        request: String,
        #[serde(default)]
        context: Context,
    },
    Status {
        job: u64,
    },
    Approve {
        job: u64,
        #[serde(default)]
        remember: bool,
    },
    Deny {
        job: u64,
    },
    Stats,
    Metrics,
    Health,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Safe enough, or approved before: the client may run it.
    Ready,
    AwaitingApproval,
    Approved,
    Denied,
}

#[derive(Debug, Clone, Serialize)]
pub struct Job {
    pub job: u64,
    #[serde(skip)]
    pub uid: u32,
    pub command: String,
    pub explanation: String,
    pub source: Source,
    pub verdict: aish::danger::Verdict,
    pub approval_needed: bool,
    pub state: JobState,
}

/// The daemon's state.
pub struct Daemon {
    /// Swapped whole on a config reload (SIGHUP); the last good one stays.
    llm: std::sync::RwLock<Arc<Llm>>,
    translator: aish::translate::Translator,
    jobs: Mutex<HashMap<u64, Job>>,
    next: AtomicU64,
    /// (uid, command) pairs approved with "remember" (kept in memory).
    remembered: Mutex<HashSet<(u32, String)>>,
}

impl Daemon {
    pub fn new(llm: Arc<Llm>) -> Daemon {
        Daemon {
            llm: std::sync::RwLock::new(llm),
            translator: aish::translate::Translator::new(),
            jobs: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            remembered: Mutex::new(HashSet::new()),
        }
    }

    /// The LLM layer in use now.
    pub fn llm(&self) -> Arc<Llm> {
        self.llm.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Installs a new LLM layer (after a successful config reload). Cache,
    /// breaker and rate-limit state start afresh with it.
    pub fn replace_llm(&self, llm: Arc<Llm>) {
        *self.llm.write().unwrap_or_else(|e| e.into_inner()) = llm;
        info!(event = "config_reloaded");
    }

    fn offline(&self, req: &str, ctx: &Context) -> (String, String) {
        let actx = aish::translate::Context {
            package_manager: (!ctx.package_manager.is_empty()).then(|| ctx.package_manager.clone()),
            ..Default::default()
        };
        match self.translator.translate(req, &actx).into_iter().next() {
            Some(c) => (c.command, c.description),
            None => (String::new(), "no offline translation".into()),
        }
    }

    /// Handles one request from user `uid`; the reply is one JSON value.
    pub async fn handle(&self, uid: u32, req: Request) -> Value {
        match req {
            Request::Submit {
                request,
                mut context,
            } => {
                context.user = uid.to_string();
                let llm = self.llm();
                let a = match llm
                    .answer(&request, &context, |r, c| self.offline(r, c))
                    .await
                {
                    Ok(a) => a,
                    Err(e) => return json!({"ok": false, "error": e.to_string()}),
                };
                let verdict = aish::danger::check(&a.command);
                let remembered = self
                    .remembered
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .contains(&(uid, a.command.clone()));
                let approval_needed =
                    verdict.level >= aish::danger::Level::Destructive && !remembered;
                let id = self.next.fetch_add(1, Ordering::Relaxed);
                let job = Job {
                    job: id,
                    uid,
                    command: a.command,
                    explanation: a.explanation,
                    source: a.source,
                    verdict,
                    approval_needed,
                    state: if approval_needed {
                        JobState::AwaitingApproval
                    } else {
                        JobState::Ready
                    },
                };
                info!(event = "job_submitted", job = id, uid, approval_needed);
                let v = json!({"ok": true, "job": job});
                self.jobs
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(id, job);
                v
            }
            Request::Status { job } => match self.job(uid, job) {
                Some(j) => json!({"ok": true, "job": j}),
                None => json!({"ok": false, "error": format!("no job {job}")}),
            },
            Request::Approve { job, remember } => self.decide(uid, job, true, remember),
            Request::Deny { job } => self.decide(uid, job, false, false),
            Request::Stats => json!({"ok": true, "stats": self.llm().stats()}),
            Request::Metrics => json!({"ok": true, "metrics": self.llm().stats().to_prometheus()}),
            Request::Health => json!({"ok": true, "live": true, "ready": true}),
        }
    }

    /// Jobs are visible to the user who submitted them only.
    fn job(&self, uid: u32, id: u64) -> Option<Job> {
        let jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        jobs.get(&id).filter(|j| j.uid == uid).cloned()
    }

    fn decide(&self, uid: u32, id: u64, approve: bool, remember: bool) -> Value {
        let mut jobs = self.jobs.lock().unwrap_or_else(|e| e.into_inner());
        let Some(j) = jobs.get_mut(&id).filter(|j| j.uid == uid) else {
            return json!({"ok": false, "error": format!("no job {id}")});
        };
        if j.state != JobState::AwaitingApproval {
            return json!({"ok": false, "error": format!("job {id} is not awaiting approval")});
        }
        j.state = if approve {
            JobState::Approved
        } else {
            JobState::Denied
        };
        if approve && remember {
            self.remembered
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert((uid, j.command.clone()));
        }
        info!(event = "job_decided", job = id, uid, approve, remember);
        json!({"ok": true, "job": j.clone()})
    }
}

/// Serves connections until `shutdown` resolves.
pub async fn serve(
    listener: UnixListener,
    daemon: Arc<Daemon>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok((sock, _)) => {
                    let d = daemon.clone();
                    tokio::spawn(async move { connection(sock, d).await });
                }
                Err(e) => warn!(cause = %e, "accept failed"),
            },
        }
    }
}

async fn connection(sock: UnixStream, d: Arc<Daemon>) {
    let Ok(cred) = sock.peer_cred() else {
        return;
    };
    let uid = cred.uid();
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    loop {
        line.clear();
        match (&mut r)
            .take(MAX_LINE as u64 + 1)
            .read_line(&mut line)
            .await
        {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = if line.len() > MAX_LINE {
            // The rest of the over-long line is dropped with the connection.
            let v = json!({"ok": false, "error": format!("request longer than {MAX_LINE} bytes")});
            let _ = w.write_all(format!("{v}\n").as_bytes()).await;
            return;
        } else {
            match serde_json::from_str::<Request>(line.trim()) {
                Ok(req) => d.handle(uid, req).await,
                Err(e) => json!({"ok": false, "error": format!("bad request: {e}")}),
            }
        };
        let mut out = reply.to_string();
        out.push('\n');
        if w.write_all(out.as_bytes()).await.is_err() {
            return;
        }
    }
}
