//! aishd: one process holds the LLM layer's cache, breakers and rate limits
//! for every aish session on the machine. Protocol: one JSON object per line
//! on a Unix socket, one reply line per request.
//!
//! - `{"op":"submit","request":"...","context":{...}}` → job id, candidate,
//!   source, verdict (aish's danger analysis, always run), approval needed
//! - `{"op":"propose","command":"...","source":{"kind":"user"}}`: a job for a
//!   command the client already has (typed by the user, or an offline
//!   candidate it chose), with the same verdict and remembered-approval check
//! - `{"op":"status","job":N}`
//! - `{"op":"approve","job":N,"remember":true,"pattern":"apt-get remove *"}`
//!   / `{"op":"deny","job":N}`; "remember" is kept per user and command
//!   pattern in the state directory and never covers a `critical` command
//! - `{"op":"report","job":N,"event":"running"|"output"|"finished",
//!   "data":"...","exit_code":0}`: the client that runs the command says how
//!   it goes (aishd never runs commands)
//! - `{"op":"subscribe","job":N}`: a reply line, then one line per job event
//!   (past ones first) until the job is finished or denied; without `job`,
//!   every event of the caller's jobs, without end
//! - `{"op":"stats"}` (JSON), `{"op":"metrics"}` (Prometheus text),
//!   `{"op":"health"}` (liveness, readiness, startup and the provider probes)
//!
//! The user is the socket peer's uid, never what the client claims.

pub mod config;
pub mod http;
pub mod remember;

use aish::danger::Level;
use aish_llm::{Context, Llm, Probe, Source};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::broadcast;
use tracing::{info, warn};

/// Longest request line accepted.
pub const MAX_LINE: usize = 64 * 1024;
/// Events kept per job for late subscribers.
const MAX_EVENTS_PER_JOB: usize = 256;
/// Characters of output kept per `output` event.
const MAX_OUTPUT: usize = 4096;
/// Requests being answered above which the daemon is not ready.
const MAX_IN_FLIGHT: u64 = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Running,
    Output,
    Finished,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Submit {
        request: String,
        #[serde(default)]
        context: Context,
    },
    Propose {
        command: String,
        /// Where the command came from (default: typed by the user).
        #[serde(default)]
        source: Option<Source>,
    },
    Status {
        job: u64,
    },
    Approve {
        job: u64,
        #[serde(default)]
        remember: bool,
        #[serde(default)]
        pattern: Option<String>,
    },
    Deny {
        job: u64,
    },
    Report {
        job: u64,
        event: ReportKind,
        #[serde(default)]
        data: Option<String>,
        #[serde(default)]
        exit_code: Option<i32>,
    },
    Subscribe {
        #[serde(default)]
        job: Option<u64>,
    },
    Stats,
    Metrics,
    Health,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Below `destructive`: the client may run it (after its own gate).
    Ready,
    AwaitingApproval,
    /// Approved now, or covered by a remembered approval.
    Approved,
    Denied,
    Running,
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApprovedBy {
    User,
    Remembered,
}

/// What happens to a job, in order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Translated {
        command: String,
        source: Source,
    },
    Checked {
        level: Level,
    },
    AwaitingApproval,
    Approved {
        by: ApprovedBy,
        #[serde(skip_serializing_if = "Option::is_none")]
        remembered_pattern: Option<String>,
    },
    Denied,
    Running,
    Output {
        data: String,
    },
    Finished {
        exit_code: Option<i32>,
    },
}

impl Event {
    /// No event follows this one.
    pub fn is_terminal(&self) -> bool {
        matches!(self, Event::Denied | Event::Finished { .. })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct JobEvent {
    pub job: u64,
    #[serde(skip)]
    pub uid: u32,
    pub seq: u32,
    #[serde(flatten)]
    pub event: Event,
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
    #[serde(skip)]
    events: Vec<Arc<JobEvent>>,
    #[serde(skip)]
    seq: u32,
}

#[derive(Debug, Default)]
struct Counters {
    submitted: AtomicU64,
    approved: AtomicU64,
    denied: AtomicU64,
    finished: AtomicU64,
    in_flight: AtomicU64,
    connections: AtomicU64,
    subscribers: AtomicU64,
}

type EventRx = broadcast::Receiver<Arc<JobEvent>>;

/// The daemon's state.
pub struct Daemon {
    /// Swapped whole on a config reload (SIGHUP); the last good one stays.
    llm: std::sync::RwLock<Arc<Llm>>,
    translator: aish::translate::Translator,
    jobs: Mutex<BTreeMap<u64, Job>>,
    max_jobs: usize,
    next: AtomicU64,
    remembered: Mutex<remember::Store>,
    events: broadcast::Sender<Arc<JobEvent>>,
    started: AtomicBool,
    probes: Mutex<Vec<Probe>>,
    counters: Counters,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Decrements a gauge when dropped.
struct Gauge<'a>(&'a AtomicU64);

impl<'a> Gauge<'a> {
    fn up(a: &'a AtomicU64) -> Gauge<'a> {
        a.fetch_add(1, Ordering::Relaxed);
        Gauge(a)
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

fn err(msg: impl std::fmt::Display) -> Value {
    json!({"ok": false, "error": msg.to_string()})
}

impl Daemon {
    /// A daemon whose remembered approvals live in memory only.
    pub fn new(llm: Arc<Llm>) -> Daemon {
        Daemon::with_store(llm, remember::Store::in_memory(), 4096)
    }

    /// A daemon with a (persistent) store of remembered approvals, keeping
    /// at most `max_jobs` jobs (the oldest go first).
    pub fn with_store(llm: Arc<Llm>, store: remember::Store, max_jobs: usize) -> Daemon {
        Daemon {
            llm: std::sync::RwLock::new(llm),
            translator: aish::translate::Translator::new(),
            jobs: Mutex::new(BTreeMap::new()),
            max_jobs: max_jobs.max(1),
            next: AtomicU64::new(1),
            remembered: Mutex::new(store),
            events: broadcast::channel(4096).0,
            started: AtomicBool::new(false),
            probes: Mutex::new(Vec::new()),
            counters: Counters::default(),
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

    /// Probes the providers and marks the start-up complete (the config was
    /// loaded when the LLM layer was built).
    pub async fn start_up(&self) {
        let probes = self.llm().probe().await;
        *lock(&self.probes) = probes;
        self.started.store(true, Ordering::Release);
        info!(event = "started");
    }

    pub fn started(&self) -> bool {
        self.started.load(Ordering::Acquire)
    }

    /// Started and not swamped.
    pub fn ready(&self) -> bool {
        self.started() && self.counters.in_flight.load(Ordering::Relaxed) < MAX_IN_FLIGHT
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

    /// Appends an event to a job and sends it to subscribers (under the jobs
    /// lock, so a subscriber's replay and live events never overlap).
    fn emit(&self, job: &mut Job, event: Event) {
        job.seq += 1;
        let ev = Arc::new(JobEvent {
            job: job.job,
            uid: job.uid,
            seq: job.seq,
            event,
        });
        if job.events.len() < MAX_EVENTS_PER_JOB || ev.event.is_terminal() {
            job.events.push(ev.clone());
        }
        let _ = self.events.send(ev);
    }

    /// Handles one request from user `uid`; the reply is one JSON value.
    /// (`subscribe` is answered by [`serve`]'s connections; here it only
    /// checks the job.)
    pub async fn handle(&self, uid: u32, req: Request) -> Value {
        match req {
            Request::Submit { request, context } => self.submit(uid, &request, context).await,
            Request::Propose { command, source } => {
                let source = match source {
                    // Only the chain's own answers are provider or cache answers.
                    Some(Source::Offline) => Source::Offline,
                    _ => Source::User,
                };
                self.open_job(
                    uid,
                    aish_llm::Answer {
                        command,
                        explanation: String::new(),
                        source,
                    },
                )
            }
            Request::Status { job } => match self.job(uid, job) {
                Some(j) => json!({"ok": true, "job": j}),
                None => err(format!("no job {job}")),
            },
            Request::Approve {
                job,
                remember,
                pattern,
            } => self.decide(uid, job, true, remember.then_some(pattern)),
            Request::Deny { job } => self.decide(uid, job, false, None),
            Request::Report {
                job,
                event,
                data,
                exit_code,
            } => self.report(uid, job, event, data, exit_code),
            Request::Subscribe { job } => match job {
                Some(id) if self.job(uid, id).is_none() => err(format!("no job {id}")),
                _ => json!({"ok": true, "subscribed": job}),
            },
            Request::Stats => {
                json!({"ok": true, "stats": self.llm().stats(), "daemon": self.daemon_stats()})
            }
            Request::Metrics => json!({"ok": true, "metrics": self.prometheus()}),
            Request::Health => json!({
                "ok": true,
                "live": true,
                "ready": self.ready(),
                "started": self.started(),
                "probes": *lock(&self.probes),
            }),
        }
    }

    async fn submit(&self, uid: u32, request: &str, mut context: Context) -> Value {
        let _busy = Gauge::up(&self.counters.in_flight);
        context.user = uid.to_string();
        let llm = self.llm();
        let a = match llm
            .answer(request, &context, |r, c| self.offline(r, c))
            .await
        {
            Ok(a) => a,
            Err(e) => {
                warn!(event = "request_refused", uid, cause = %e);
                return err(e);
            }
        };
        self.counters.submitted.fetch_add(1, Ordering::Relaxed);
        self.open_job(uid, a)
    }

    /// A job for an answer: its verdict, and whether a remembered approval
    /// covers it.
    fn open_job(&self, uid: u32, a: aish_llm::Answer) -> Value {
        if a.command.trim().is_empty() {
            return err("an empty command");
        }
        let verdict = aish::danger::check(&a.command);
        let level = verdict.level;
        // A remembered approval covers destructive commands, never critical ones.
        let remembered = level >= Level::Destructive
            && level < Level::Critical
            && lock(&self.remembered).covers(uid, &a.command);
        let approval_needed = level >= Level::Destructive && !remembered;
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let mut job = Job {
            job: id,
            uid,
            command: a.command.clone(),
            explanation: a.explanation,
            source: a.source.clone(),
            verdict,
            approval_needed,
            state: if approval_needed {
                JobState::AwaitingApproval
            } else if remembered {
                JobState::Approved
            } else {
                JobState::Ready
            },
            events: Vec::new(),
            seq: 0,
        };
        let mut jobs = lock(&self.jobs);
        self.emit(
            &mut job,
            Event::Translated {
                command: a.command,
                source: a.source,
            },
        );
        self.emit(&mut job, Event::Checked { level });
        if approval_needed {
            self.emit(&mut job, Event::AwaitingApproval);
        } else if remembered {
            self.emit(
                &mut job,
                Event::Approved {
                    by: ApprovedBy::Remembered,
                    remembered_pattern: None,
                },
            );
        }
        let v = json!({"ok": true, "job": job});
        jobs.insert(id, job);
        while jobs.len() > self.max_jobs {
            jobs.pop_first();
        }
        drop(jobs);
        tracing::debug!(event = "job_submitted", job = id, uid, approval_needed);
        v
    }

    /// Jobs are visible to the user who submitted them only.
    fn job(&self, uid: u32, id: u64) -> Option<Job> {
        lock(&self.jobs).get(&id).filter(|j| j.uid == uid).cloned()
    }

    /// `remember`: `Some(pattern)` to remember the approval.
    fn decide(&self, uid: u32, id: u64, approve: bool, remember: Option<Option<String>>) -> Value {
        let mut jobs = lock(&self.jobs);
        let Some(j) = jobs.get_mut(&id).filter(|j| j.uid == uid) else {
            return err(format!("no job {id}"));
        };
        if j.state != JobState::AwaitingApproval {
            return err(format!("job {id} is not awaiting approval"));
        }
        let mut note = None;
        let mut stored = None;
        if approve {
            if let Some(pattern) = remember {
                if j.verdict.level >= Level::Critical {
                    note = Some("a critical command is never remembered".to_string());
                } else {
                    match lock(&self.remembered).remember(uid, &j.command, pattern.as_deref()) {
                        Ok(p) => stored = Some(p),
                        Err(e) => {
                            warn!(event = "remember_failed", uid, cause = %ainux_common::error_chain(&e));
                            note = Some(e.to_string());
                        }
                    }
                }
            }
            j.state = JobState::Approved;
            self.counters.approved.fetch_add(1, Ordering::Relaxed);
            self.emit(
                j,
                Event::Approved {
                    by: ApprovedBy::User,
                    remembered_pattern: stored.clone(),
                },
            );
        } else {
            j.state = JobState::Denied;
            self.counters.denied.fetch_add(1, Ordering::Relaxed);
            self.emit(j, Event::Denied);
        }
        info!(
            event = "job_decided",
            job = id,
            uid,
            approve,
            remembered = stored.is_some()
        );
        let mut v = json!({"ok": true, "job": j.clone(), "remembered": stored});
        if let Some(n) = note {
            v["remember_refused"] = n.into();
        }
        v
    }

    fn report(
        &self,
        uid: u32,
        id: u64,
        kind: ReportKind,
        data: Option<String>,
        exit_code: Option<i32>,
    ) -> Value {
        let mut jobs = lock(&self.jobs);
        let Some(j) = jobs.get_mut(&id).filter(|j| j.uid == uid) else {
            return err(format!("no job {id}"));
        };
        let (allowed, next, event) = match kind {
            ReportKind::Running => (
                matches!(j.state, JobState::Ready | JobState::Approved),
                JobState::Running,
                Event::Running,
            ),
            ReportKind::Output => {
                let data: String = data.unwrap_or_default().chars().take(MAX_OUTPUT).collect();
                (
                    j.state == JobState::Running,
                    JobState::Running,
                    Event::Output { data },
                )
            }
            ReportKind::Finished => (
                j.state == JobState::Running,
                JobState::Finished,
                Event::Finished { exit_code },
            ),
        };
        if !allowed {
            return err(format!(
                "job {id} is {}: cannot report {kind:?}",
                serde_json::to_value(j.state).unwrap_or_default()
            ));
        }
        j.state = next;
        if next == JobState::Finished {
            self.counters.finished.fetch_add(1, Ordering::Relaxed);
            info!(event = "job_finished", job = id, uid, exit_code);
        }
        self.emit(j, event);
        json!({"ok": true, "state": j.state})
    }

    /// The events so far of `job` (or of all the user's jobs) and a receiver
    /// for the ones to come, taken together.
    fn subscribe(&self, uid: u32, job: Option<u64>) -> Option<(Vec<Arc<JobEvent>>, EventRx)> {
        let jobs = lock(&self.jobs);
        let past = match job {
            Some(id) => jobs.get(&id).filter(|j| j.uid == uid)?.events.clone(),
            None => Vec::new(),
        };
        Some((past, self.events.subscribe()))
    }

    fn daemon_stats(&self) -> Value {
        let c = &self.counters;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        json!({
            "jobs": lock(&self.jobs).len(),
            "remembered": lock(&self.remembered).len(),
            "queue": g(&c.in_flight),
            "connections": g(&c.connections),
            "subscribers": g(&c.subscribers),
            "submitted": g(&c.submitted),
            "approved": g(&c.approved),
            "denied": g(&c.denied),
            "finished": g(&c.finished),
        })
    }

    /// Prometheus text: the LLM layer's metrics and the daemon's own.
    pub fn prometheus(&self) -> String {
        let mut o = self.llm().stats().to_prometheus();
        let s = self.daemon_stats();
        for (key, kind, help) in [
            ("submitted", "counter", "Requests submitted."),
            ("approved", "counter", "Jobs approved by their user."),
            ("denied", "counter", "Jobs denied by their user."),
            ("finished", "counter", "Jobs reported finished."),
            ("jobs", "gauge", "Jobs kept (history size)."),
            ("queue", "gauge", "Requests being answered."),
            ("connections", "gauge", "Open client connections."),
            ("subscribers", "gauge", "Open event streams."),
            ("remembered", "gauge", "Remembered approvals."),
        ] {
            let name = if kind == "counter" {
                format!("aishd_{key}_total")
            } else {
                format!("aishd_{key}")
            };
            let _ = writeln!(
                o,
                "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}",
                s[key]
            );
        }
        let _ = writeln!(
            o,
            "# HELP aishd_up Whether start-up is complete.\n# TYPE aishd_up gauge\naishd_up {}",
            u8::from(self.started())
        );
        o
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

async fn send(w: &mut tokio::net::unix::OwnedWriteHalf, v: &impl Serialize) -> bool {
    let mut out = serde_json::to_string(v).unwrap_or_else(|_| "{}".into());
    out.push('\n');
    w.write_all(out.as_bytes()).await.is_ok()
}

async fn connection(sock: UnixStream, d: Arc<Daemon>) {
    let Ok(cred) = sock.peer_cred() else {
        return;
    };
    let _conn = Gauge::up(&d.counters.connections);
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
        if line.len() > MAX_LINE {
            // The rest of the over-long line is dropped with the connection.
            let _ = send(
                &mut w,
                &err(format!("request longer than {MAX_LINE} bytes")),
            )
            .await;
            return;
        }
        let req = match serde_json::from_str::<Request>(line.trim()) {
            Ok(req) => req,
            Err(e) => {
                if !send(&mut w, &err(format!("bad request: {e}"))).await {
                    return;
                }
                continue;
            }
        };
        if let Request::Subscribe { job } = req {
            if !stream(&d, uid, job, &mut w).await {
                return;
            }
            continue;
        }
        let reply = d.handle(uid, req).await;
        if !send(&mut w, &reply).await {
            return;
        }
    }
}

/// Streams a job's events (or all of the user's); `false` when the client
/// went away.
async fn stream(
    d: &Daemon,
    uid: u32,
    job: Option<u64>,
    w: &mut tokio::net::unix::OwnedWriteHalf,
) -> bool {
    let Some((past, mut rx)) = d.subscribe(uid, job) else {
        return send(w, &err(format!("no job {}", job.unwrap_or(0)))).await;
    };
    let _sub = Gauge::up(&d.counters.subscribers);
    if !send(w, &json!({"ok": true, "subscribed": job})).await {
        return false;
    }
    for ev in past {
        if !send(w, &*ev).await {
            return false;
        }
        if ev.event.is_terminal() {
            return true;
        }
    }
    loop {
        match rx.recv().await {
            Ok(ev) => {
                if ev.uid != uid || job.is_some_and(|j| j != ev.job) {
                    continue;
                }
                if !send(w, &*ev).await {
                    return false;
                }
                if job.is_some() && ev.event.is_terminal() {
                    return true;
                }
            }
            Err(broadcast::error::RecvError::Lagged(n)) => {
                if !send(w, &err(format!("{n} events were lost (slow reader)"))).await {
                    return false;
                }
            }
            Err(broadcast::error::RecvError::Closed) => return true,
        }
    }
}
