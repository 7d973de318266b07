//! The async driver: systemd signals, timers, health checks and control
//! requests in; the machine's effects carried out.
//!
//! Detection is event-driven: the driver waits on the subscription, the
//! earliest timer, health results and control requests; there is no polling
//! loop for failures. When the bus goes away it reconnects with backoff and
//! re-reads every unit's state.

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::{debug, error, info, warn};

use crate::config::Config;
use crate::health;
use crate::machine::{Audit, Effect, Event, Limits, Machine, TimerKind};
use crate::policy::PolicySet;
use crate::systemd::{Signal, Systemd, UnitState};

/// A request from the control socket.
#[derive(Debug)]
pub enum Control {
    Status(oneshot::Sender<serde_json::Value>),
    History {
        unit: Option<String>,
        limit: usize,
        reply: oneshot::Sender<Vec<AuditEntry>>,
    },
    Pause {
        unit: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    Resume {
        unit: String,
        reply: oneshot::Sender<Result<(), String>>,
    },
    /// Reload policies (SIGHUP); keeps the last good set on error.
    Reload(oneshot::Sender<Result<usize, String>>),
}

/// An audit record with its wall-clock time.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct AuditEntry {
    /// Seconds since the Unix epoch.
    pub ts: f64,
    pub source: String,
    pub unit: String,
    pub action: String,
    pub reason: String,
    pub state_before: String,
    pub state_after: String,
    pub n_restarts: Option<u32>,
    pub attempt: u32,
    /// On `restart` records: milliseconds from the failure signal (the first
    /// D-Bus state change showing the failure) to the restart call, backoff
    /// included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_failure_ms: Option<f64>,
}

impl AuditEntry {
    fn new(a: Audit) -> Self {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        Self {
            ts,
            source: "healerd".into(),
            unit: a.unit,
            action: a.action,
            reason: a.reason,
            state_before: a.state_before,
            state_after: a.state_after,
            n_restarts: a.n_restarts,
            attempt: a.attempt,
            since_failure_ms: None,
        }
    }
}

/// Where audit records go besides memory: a JSON-lines journal in the state
/// directory and questlogd (best effort, bounded, never blocking the loop).
struct AuditSinks {
    journal: Option<PathBuf>,
    journal_max: u64,
    questlog: mpsc::Sender<AuditEntry>,
    dropped: u64,
}

impl AuditSinks {
    fn write(&mut self, e: &AuditEntry) {
        let Ok(line) = serde_json::to_string(e) else {
            return;
        };
        if let Some(path) = &self.journal {
            if std::fs::metadata(path).is_ok_and(|m| m.len() > self.journal_max) {
                let _ = std::fs::rename(path, path.with_extension("jsonl.1"));
            }
            let res = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(err) = res {
                warn!(cause = %err, path = %path.display(), "cannot write audit journal");
                self.journal = None;
            }
        }
        if self.questlog.try_send(e.clone()).is_err() {
            self.dropped += 1;
        }
    }
}

impl AuditEntry {
    /// The record as a questlogd `heal_action` event.
    pub fn to_event(&self) -> questlog_client::Event {
        use questlog_client::{Event, EventKind};
        let mut fields = std::collections::BTreeMap::new();
        fields.insert("state_before".into(), self.state_before.clone().into());
        fields.insert("state_after".into(), self.state_after.clone().into());
        fields.insert("attempt".into(), self.attempt.into());
        if let Some(n) = self.n_restarts {
            fields.insert("n_restarts".into(), n.into());
        }
        if let Some(ms) = self.since_failure_ms {
            fields.insert("since_failure_ms".into(), ms.into());
        }
        let mut ev = Event::new(EventKind::HealAction {
            unit: self.unit.clone(),
            action: self.action.clone(),
            outcome: self.state_after.clone(),
            reason: self.reason.clone(),
            fields,
        })
        .with_source(self.source.clone());
        ev.ts_ms = (self.ts * 1000.0) as i64;
        ev
    }
}

/// Deliver audit records to questlogd with its client, on a thread of its own
/// (the client blocks). While questlogd is away they wait in a bounded spool
/// file in the state directory and go out, in order, with the next delivery.
fn questlog_forwarder(
    socket: PathBuf,
    spool: PathBuf,
    mut rx: mpsc::Receiver<AuditEntry>,
) -> std::io::Result<std::thread::JoinHandle<()>> {
    use questlog_client::{SpoolingClient, spool::DEFAULT_MAX_BYTES, spool::Spool};
    std::thread::Builder::new()
        .name("questlog".into())
        .spawn(move || {
            let mut client = SpoolingClient::new(socket, Spool::new(spool, DEFAULT_MAX_BYTES));
            let mut warned = false;
            while let Some(first) = rx.blocking_recv() {
                let mut batch = vec![first.to_event()];
                while batch.len() < 64 {
                    match rx.try_recv() {
                        Ok(e) => batch.push(e.to_event()),
                        Err(_) => break,
                    }
                }
                match client.send(batch) {
                    Ok(questlog_client::client::Delivery::Stored(_)) => warned = false,
                    Ok(questlog_client::client::Delivery::Spooled) => {
                        if !warned {
                            warn!("questlogd unavailable; audit records spooled");
                            warned = true;
                        }
                    }
                    Err(e) => warn!(cause = %e, "audit records not delivered to questlogd"),
                }
            }
        })
}

/// Detection latencies (failure signal -> restart call), bounded ring.
#[derive(Default)]
struct Latencies {
    pending: HashMap<String, Instant>,
    samples: VecDeque<f64>,
}

impl Latencies {
    fn percentile(&self, p: f64) -> Option<f64> {
        if self.samples.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = self.samples.iter().copied().collect();
        v.sort_by(f64::total_cmp);
        let idx = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
        Some(v[idx.min(v.len() - 1)])
    }
}

pub struct Driver<S: Systemd> {
    sd: Arc<S>,
    cfg: Config,
    machine: Machine,
    timers: HashMap<(String, TimerKind), (Instant, u64)>,
    our_jobs: HashMap<String, String>,
    our_jobs_order: VecDeque<String>,
    known_info: HashSet<String>,
    history: VecDeque<AuditEntry>,
    sinks: AuditSinks,
    health_tasks: JoinSet<()>,
    health_spawned: HashSet<String>,
    health_tx: mpsc::Sender<Event>,
    health_rx: mpsc::Receiver<Event>,
    remedy_tasks: JoinSet<()>,
    remedy_tx: mpsc::Sender<AuditEntry>,
    remedy_rx: mpsc::Receiver<AuditEntry>,
    connected: bool,
    reconnects: u64,
    latencies: Latencies,
    /// Detection latencies of restart calls not yet audited, by unit.
    last_latency: HashMap<String, f64>,
    reloads: u64,
    policy_error: Option<String>,
    policy_warnings: Vec<String>,
    on_ready: Option<Box<dyn FnOnce() + Send>>,
}

const MAX_OUR_JOBS: usize = 4096;

impl<S: Systemd> Driver<S> {
    pub fn new(sd: S, cfg: Config, policies: PolicySet) -> Self {
        let limits = Limits {
            max_units: cfg.max_units,
            max_concurrent_restarts: cfg.max_concurrent_restarts,
            ..Limits::default()
        };
        let seed = cfg.seed.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
                ^ u64::from(std::process::id())
        });
        let (qtx, qrx) = mpsc::channel(1024);
        if let Err(e) = questlog_forwarder(
            cfg.questlog_socket.clone(),
            cfg.state_dir.join("questlog-spool.jsonl"),
            qrx,
        ) {
            warn!(cause = %e, "cannot start the questlog thread; audit stays local");
        }
        let journal = std::fs::create_dir_all(&cfg.state_dir)
            .ok()
            .map(|_| cfg.state_dir.join("audit.jsonl"));
        let (health_tx, health_rx) = mpsc::channel(256);
        let (remedy_tx, remedy_rx) = mpsc::channel(64);
        Self {
            sd: Arc::new(sd),
            machine: Machine::new(policies, limits, seed),
            timers: HashMap::new(),
            our_jobs: HashMap::new(),
            our_jobs_order: VecDeque::new(),
            known_info: HashSet::new(),
            history: VecDeque::new(),
            sinks: AuditSinks {
                journal,
                journal_max: cfg.journal_max_bytes,
                questlog: qtx,
                dropped: 0,
            },
            health_tasks: JoinSet::new(),
            health_spawned: HashSet::new(),
            health_tx,
            health_rx,
            remedy_tasks: JoinSet::new(),
            remedy_tx,
            remedy_rx,
            connected: false,
            reconnects: 0,
            latencies: Latencies::default(),
            last_latency: HashMap::new(),
            reloads: 0,
            policy_error: None,
            policy_warnings: Vec::new(),
            on_ready: None,
            cfg,
        }
    }

    /// Note a policy error from startup (shown by `healer status`).
    pub fn with_policy_error(mut self, e: Option<String>) -> Self {
        self.policy_error = e;
        self
    }

    /// Called once, after the first subscription and state read-back.
    pub fn on_ready(mut self, f: impl FnOnce() + Send + 'static) -> Self {
        self.on_ready = Some(Box::new(f));
        self
    }

    /// Run until `shutdown` becomes true.
    pub async fn run(
        mut self,
        mut control: mpsc::Receiver<Control>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        self.spawn_remedies();
        let initial = Duration::from_millis(self.cfg.reconnect_initial_ms.max(1));
        let max = Duration::from_millis(self.cfg.reconnect_max_ms.max(1));
        let mut backoff = initial;
        loop {
            if *shutdown.borrow() {
                return;
            }
            let rx = match self.sd.subscribe(self.cfg.signal_queue.max(16)).await {
                Ok(rx) => rx,
                Err(e) => {
                    let cause = std::iter::successors(
                        Some(&e as &(dyn std::error::Error + 'static)),
                        |e| e.source(),
                    )
                    .map(|e| e.to_string())
                    .collect::<Vec<_>>()
                    .join(": ");
                    warn!(cause = %cause, retry_ms = backoff.as_millis() as u64, "cannot subscribe to systemd");
                    let wake = Instant::now() + backoff;
                    backoff = (backoff * 2).min(max);
                    // Still answer control requests while disconnected.
                    loop {
                        tokio::select! {
                            _ = tokio::time::sleep_until(wake) => break,
                            _ = shutdown.changed() => return,
                            Some(c) = control.recv() => self.on_control(c).await,
                        }
                    }
                    continue;
                }
            };
            backoff = initial;
            self.connected = true;
            if let Err(e) = self.resync().await {
                warn!(cause = %e, "cannot read unit states after connecting");
            }
            if let Some(f) = self.on_ready.take() {
                f();
            }
            let lost = self.event_loop(rx, &mut control, &mut shutdown).await;
            self.connected = false;
            if !lost {
                return;
            }
            self.reconnects += 1;
            warn!("lost the systemd connection; reconnecting");
        }
    }

    /// Re-read every unit's state after (re)connecting.
    async fn resync(&mut self) -> Result<(), crate::systemd::SdError> {
        let units = self.sd.list_units().await?;
        let names: Vec<String> = units.iter().map(|u| u.unit.clone()).collect();
        self.policy_warnings = self.machine.policies().unmatched(&names);
        self.policy_warnings.truncate(100);
        for w in &self.policy_warnings {
            warn!(warning = %w, "policy matches no loaded unit");
        }
        self.known_info.clear();
        for st in units {
            if self.machine.policies().for_unit(&st.unit).is_some() {
                self.on_state(st).await;
            }
        }
        Ok(())
    }

    /// Returns true when the connection was lost, false on shutdown.
    async fn event_loop(
        &mut self,
        mut rx: mpsc::Receiver<Signal>,
        control: &mut mpsc::Receiver<Control>,
        shutdown: &mut watch::Receiver<bool>,
    ) -> bool {
        loop {
            let next = self.timers.values().map(|(at, _)| *at).min();
            let sleep = async {
                match next {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                _ = shutdown.changed() => return false,
                sig = rx.recv() => match sig {
                    None => return true,
                    Some(Signal::State(st)) => {
                        if self.machine.policies().for_unit(&st.unit).is_some() {
                            self.on_state(st).await;
                        }
                    }
                    Some(Signal::JobRemoved { job, unit, result }) => {
                        let ours = self.our_jobs.remove(&job).is_some();
                        if ours || self.machine.policies().for_unit(&unit).is_some() {
                            self.feed(Event::JobRemoved { unit, ours, result }).await;
                        }
                    }
                },
                _ = sleep => self.fire_timers().await,
                Some(ev) = self.health_rx.recv() => self.feed(ev).await,
                Some(a) = self.remedy_rx.recv() => self.record(a),
                Some(c) = control.recv() => self.on_control(c).await,
            }
        }
    }

    async fn on_state(&mut self, st: UnitState) {
        // The detection time is the signal's arrival, before any call below.
        if st.active == "failed" || st.sub == "auto-restart" || st.result != "success" {
            self.latencies
                .pending
                .entry(st.unit.clone())
                .or_insert_with(Instant::now);
        } else if st.active == "active" {
            self.latencies.pending.remove(&st.unit);
        }
        if self.latencies.pending.len() > self.cfg.max_units {
            self.latencies.pending.clear();
        }
        if !self.known_info.contains(&st.unit) {
            match self.sd.unit_deps(&st.unit).await {
                Ok(d) => {
                    if self.known_info.len() < self.cfg.max_units * 2 {
                        self.known_info.insert(st.unit.clone());
                    }
                    self.feed(Event::UnitInfo {
                        unit: st.unit.clone(),
                        requires: d.requires,
                        required_by: d.required_by,
                        start_limit_burst: d.start_limit_burst,
                        start_limit_interval: d.start_limit_interval,
                    })
                    .await;
                }
                Err(e) => debug!(cause = %e, unit = %st.unit, "cannot read unit dependencies"),
            }
            self.spawn_health(&st.unit);
        }
        self.feed(Event::UnitState {
            unit: st.unit,
            active: st.active,
            sub: st.sub,
            result: st.result,
            n_restarts: st.n_restarts,
        })
        .await;
    }

    /// One task per filesystem rule: check usage every interval (a usage
    /// probe, not failure detection), clean up above the threshold.
    fn spawn_remedies(&mut self) {
        self.remedy_tasks.abort_all();
        for rule in self.machine.policies().disks().to_vec() {
            let tx = self.remedy_tx.clone();
            self.remedy_tasks.spawn(async move {
                let mut last: Option<Instant> = None;
                loop {
                    tokio::time::sleep(Duration::from_secs(rule.interval_secs.max(1))).await;
                    if last.is_some_and(|t| t.elapsed() < Duration::from_secs(rule.cooldown_secs)) {
                        continue;
                    }
                    let Ok((used, total)) = crate::remedy::usage(&rule.path) else {
                        continue;
                    };
                    let before = crate::remedy::used_pct(used, total);
                    if before <= rule.max_used_pct {
                        continue;
                    }
                    last = Some(Instant::now());
                    warn!(path = %rule.path.display(), used_pct = before, "filesystem above threshold; cleaning up");
                    let reports = match crate::remedy::clean(&rule, crate::remedy::usage).await {
                        Ok(r) => r,
                        Err(e) => {
                            warn!(cause = %e, "clean-up failed");
                            continue;
                        }
                    };
                    let freed: i64 = reports.iter().map(|r| r.freed_bytes).sum();
                    let after = reports.last().map_or(before, |r| r.used_pct_after);
                    let detail: Vec<String> = reports
                        .iter()
                        .map(|r| match &r.error {
                            None => format!("{} ok, freed {} bytes", r.name, r.freed_bytes),
                            Some(e) => format!("{} failed ({e}), freed {} bytes", r.name, r.freed_bytes),
                        })
                        .collect();
                    let entry = AuditEntry::new(Audit {
                        unit: rule.path.display().to_string(),
                        action: "disk-cleanup".into(),
                        reason: format!("{before:.1}% used > {}%; freed {freed} bytes: {}", rule.max_used_pct, detail.join("; ")),
                        state_before: format!("{before:.1}% used"),
                        state_after: format!("{after:.1}% used"),
                        n_restarts: None,
                        attempt: reports.len() as u32,
                    });
                    if tx.send(entry).await.is_err() {
                        return;
                    }
                }
            });
        }
    }

    fn spawn_health(&mut self, unit: &str) {
        if self.health_spawned.contains(unit) || self.health_spawned.len() >= self.cfg.max_units {
            return;
        }
        let Some(policy) = self.machine.policies().for_unit(unit) else {
            return;
        };
        if policy.health.is_empty() {
            return;
        }
        self.health_spawned.insert(unit.to_string());
        for check in policy.health.clone() {
            let tx = self.health_tx.clone();
            let unit = unit.to_string();
            let proc_root = self.cfg.proc_root.clone();
            self.health_tasks.spawn(async move {
                let mut tick = tokio::time::interval(check.interval());
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                tick.tick().await; // the first tick is immediate: skip it
                loop {
                    tick.tick().await;
                    let out = health::run(&check, &proc_root).await;
                    if !out.ok {
                        debug!(unit = %unit, check = %check.label(), detail = %out.detail, "health check failed");
                    }
                    let ev = Event::Health {
                        unit: unit.clone(),
                        check: check.label(),
                        ok: out.ok,
                        threshold: check.failure_threshold,
                    };
                    // Full queue: drop this sample; the next one comes soon.
                    if let Err(mpsc::error::TrySendError::Closed(_)) = tx.try_send(ev) {
                        return;
                    }
                }
            });
        }
    }

    async fn fire_timers(&mut self) {
        let now = Instant::now();
        let due: Vec<(String, TimerKind, u64)> = self
            .timers
            .iter()
            .filter(|(_, (at, _))| *at <= now)
            .map(|((u, k), (_, t))| (u.clone(), *k, *t))
            .collect();
        for (unit, kind, token) in due {
            self.timers.remove(&(unit.clone(), kind));
            self.feed(Event::Timer { unit, kind, token }).await;
        }
    }

    /// Feed an event and carry out the effects, including events the
    /// effects themselves produce (a failed restart call).
    async fn feed(&mut self, ev: Event) {
        let mut pending = VecDeque::from([ev]);
        let mut guard = 0;
        while let Some(ev) = pending.pop_front() {
            guard += 1;
            if guard > 1000 {
                error!("effect feedback did not settle; dropping the rest");
                return;
            }
            let effects = self.machine.handle(Instant::now().into_std(), ev);
            // Audit records (file and questlog writes) wait until the calls
            // to systemd of the same step are out: the restart goes first.
            let (audits, actions): (Vec<Effect>, Vec<Effect>) = effects
                .into_iter()
                .partition(|e| matches!(e, Effect::Audit(_)));
            let mut effects = actions.into_iter().chain(audits).peekable();
            while let Some(e) = effects.next() {
                // A reset-failed right before the restart of the same unit (start limit
                // near): both calls go out at once, in order on the one bus connection,
                // so the restart does not wait for the reset's reply.
                if let Effect::ResetFailed { unit } = &e
                    && matches!(effects.peek(), Some(Effect::RestartUnit { unit: u }) if u == unit)
                {
                    let unit = unit.clone();
                    effects.next();
                    self.restart(&unit, true, &mut pending).await;
                    continue;
                }
                self.perform(e, &mut pending).await;
            }
        }
    }

    async fn perform(&mut self, e: Effect, pending: &mut VecDeque<Event>) {
        match e {
            Effect::StartTimer {
                unit,
                kind,
                token,
                after,
            } => {
                self.timers
                    .insert((unit, kind), (Instant::now() + after, token));
            }
            Effect::RestartUnit { unit } => self.restart(&unit, false, pending).await,
            Effect::ResetFailed { unit } => {
                if let Err(err) = self.sd.reset_failed(&unit).await {
                    warn!(cause = %err, unit = %unit, "reset-failed failed");
                }
            }
            Effect::RestartDeps { unit, deps } => {
                // Queued in order; systemd's own After= ordering between the
                // queued jobs makes the requirements start before the unit.
                for d in deps {
                    info!(unit = %unit, dependency = %d, "restarting dependency");
                    if let Err(err) = self.sd.restart_unit(&d).await {
                        warn!(cause = %err, unit = %d, "dependency restart failed");
                    }
                }
            }
            Effect::StopDependents { unit, dependents } => {
                for d in dependents {
                    info!(unit = %unit, dependent = %d, "stopping dependent");
                    if let Err(err) = self.sd.stop_unit(&d).await {
                        warn!(cause = %err, unit = %d, "stop failed");
                    }
                }
            }
            Effect::StartUnits { unit, units } => {
                for d in units {
                    info!(unit = %unit, dependent = %d, "starting dependent again");
                    if let Err(err) = self.sd.start_unit(&d).await {
                        warn!(cause = %err, unit = %d, "start failed");
                    }
                }
            }
            Effect::Alert { unit, message } => {
                // Audited by the machine's own record next to this effect.
                error!(unit = %unit, alert = %message, "healer alert");
            }
            Effect::RefreshState { unit } => match self.sd.unit_state(&unit).await {
                Ok(st) => pending.push_back(Event::UnitState {
                    unit: st.unit,
                    active: st.active,
                    sub: st.sub,
                    result: st.result,
                    n_restarts: st.n_restarts,
                }),
                Err(err) => debug!(cause = %err, unit = %unit, "cannot re-read unit state"),
            },
            Effect::Reboot { reason } => {
                error!(reason = %reason, "rebooting the machine");
                if let Err(err) = self.sd.reboot().await {
                    error!(cause = %err, "reboot failed");
                }
            }
            Effect::Audit(a) => {
                info!(unit = %a.unit, action = %a.action, reason = %a.reason,
                      before = %a.state_before, after = %a.state_after,
                      n_restarts = ?a.n_restarts, "audit");
                let mut entry = AuditEntry::new(a);
                if entry.action == "restart" {
                    entry.since_failure_ms = self.last_latency.remove(&entry.unit);
                }
                self.record(entry);
            }
        }
    }

    /// The restart call (with a reset-failed sent just before it when asked), its
    /// detection latency and job bookkeeping.
    async fn restart(&mut self, unit: &str, reset_first: bool, pending: &mut VecDeque<Event>) {
        if let Some(t) = self.latencies.pending.remove(unit) {
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            if self.last_latency.len() >= self.cfg.max_units {
                self.last_latency.clear();
            }
            self.last_latency.insert(unit.to_string(), ms);
            self.latencies.samples.push_back(ms);
            if self.latencies.samples.len() > 1024 {
                self.latencies.samples.pop_front();
            }
        }
        let res = if reset_first {
            let (reset, restart) =
                tokio::join!(self.sd.reset_failed(unit), self.sd.restart_unit(unit));
            if let Err(err) = reset {
                warn!(cause = %err, unit = %unit, "reset-failed failed");
            }
            restart
        } else {
            self.sd.restart_unit(unit).await
        };
        match res {
            Ok(job) => {
                info!(unit = %unit, job = %job, "restart queued");
                self.our_jobs.insert(job.clone(), unit.to_string());
                self.our_jobs_order.push_back(job);
                while self.our_jobs_order.len() > MAX_OUR_JOBS {
                    if let Some(old) = self.our_jobs_order.pop_front() {
                        self.our_jobs.remove(&old);
                    }
                }
            }
            Err(err) => {
                error!(cause = %err, unit = %unit, "restart failed");
                pending.push_back(Event::JobRemoved {
                    unit: unit.to_string(),
                    ours: true,
                    result: "failed".into(),
                });
            }
        }
    }

    fn record(&mut self, e: AuditEntry) {
        self.sinks.write(&e);
        self.history.push_back(e);
        while self.history.len() > self.cfg.history_size.max(1) {
            self.history.pop_front();
        }
    }

    async fn on_control(&mut self, c: Control) {
        match c {
            Control::Status(reply) => {
                let now = Instant::now().into_std();
                let counters = self.machine.counters();
                let v = serde_json::json!({
                    "connected": self.connected,
                    "reconnects": self.reconnects,
                    "reloads": self.reloads,
                    "policies": self.machine.policies().len(),
                    "policy_error": self.policy_error,
                    "policy_warnings": self.policy_warnings,
                    "tracked_units": self.machine.tracked_units(),
                    "restarts_in_flight": self.machine.in_flight(),
                    "queued_restarts": self.machine.queue_len(),
                    "counters": counters,
                    "audit_dropped": self.sinks.dropped,
                    "detect_to_restart_p50_ms": self.latencies.percentile(50.0),
                    "detect_to_restart_p99_ms": self.latencies.percentile(99.0),
                    "units": self.machine.view(now),
                });
                let _ = reply.send(v);
            }
            Control::History { unit, limit, reply } => {
                let mut v: Vec<AuditEntry> = self
                    .history
                    .iter()
                    .rev()
                    .filter(|e| unit.as_ref().is_none_or(|u| &e.unit == u))
                    .take(limit)
                    .cloned()
                    .collect();
                v.reverse();
                let _ = reply.send(v);
            }
            Control::Pause { unit, reply } => {
                let r = if self.machine.policies().for_unit(&unit).is_some() {
                    self.feed(Event::Pause { unit }).await;
                    Ok(())
                } else {
                    Err(format!("no policy covers {unit}"))
                };
                let _ = reply.send(r);
            }
            Control::Resume { unit, reply } => {
                let r = if self.machine.policies().for_unit(&unit).is_some() {
                    self.feed(Event::Resume { unit }).await;
                    Ok(())
                } else {
                    Err(format!("no policy covers {unit}"))
                };
                let _ = reply.send(r);
            }
            Control::Reload(reply) => {
                let r = match PolicySet::load(&self.cfg.policy_path) {
                    Ok(set) => {
                        let n = set.len();
                        info!(policies = n, "policies reloaded");
                        self.machine.set_policies(set);
                        self.policy_error = None;
                        self.reloads += 1;
                        self.spawn_remedies();
                        // Health checks follow the new policies.
                        self.health_tasks.abort_all();
                        self.health_spawned.clear();
                        let units: Vec<String> = self
                            .machine
                            .view(Instant::now().into_std())
                            .into_iter()
                            .map(|v| v.unit)
                            .collect();
                        for u in units {
                            self.spawn_health(&u);
                        }
                        Ok(n)
                    }
                    Err(e) => {
                        error!(cause = %e, "policy reload failed; keeping the last good policies");
                        self.policy_error = Some(e.to_string());
                        Err(e.to_string())
                    }
                };
                let _ = reply.send(r);
            }
        }
    }
}

#[cfg(test)]
mod tests;
