//! The kmonitord service: collect every interval, score every series online, retrain on a
//! worker thread, serve `/metrics`.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::alert::{Alerter, Policy};
use crate::collect::{Kind, ProcReader, Sample};
use crate::detect::{Detector, DetectorConfig, Model, TrainingSet, train};
use crate::rules::{Rule, RuleAlert, RuleEngine, default_rules};
use crate::system::{ProcTracker, RealStatFs, StatFs, Top};
use crate::trend::{FillTrend, TrendConfig};
use crate::{prom, suggest};

/// Default config file.
pub const DEFAULT_CONFIG: &str = "/etc/ainux/kmonitord.toml";

/// Errors of the service.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Config(#[from] ainux_common::config::ConfigError),
    #[error("invalid detector config")]
    Invalid(#[from] crate::detect::DetectError),
    #[error("invalid threshold rule")]
    Rule(#[from] crate::rules::RuleError),
    #[error("`interval_secs` must be between 0.05 and 3600")]
    Interval,
    #[error("cannot listen on {addr}")]
    Listen {
        addr: String,
        #[source]
        source: std::io::Error,
    },
}

/// Service settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Collection interval in seconds.
    pub interval_secs: f64,
    /// Address of the HTTP endpoint (`/metrics`, `/status`, `/alerts`, `/top`).
    pub listen: String,
    /// Root of the proc filesystem.
    pub proc_root: PathBuf,
    /// Score at or above which an alert is critical (warning at `detector.alert_threshold`).
    pub critical_threshold: f64,
    /// Intervals during which a series does not alert again at the same severity.
    pub cooldown_intervals: u64,
    /// Processes in the top lists.
    pub top_processes: usize,
    /// Alerts kept for `kmonitor alerts`.
    pub alert_history: usize,
    /// Send alerts to questlogd.
    pub questlog: bool,
    /// questlogd's socket (default `$QUESTLOG_SOCKET` or /run/ainux/questlog.sock).
    pub questlog_socket: Option<PathBuf>,
    /// Where alerts wait while questlogd is down (default: the user's spool, see
    /// `questlog_client::client::default_spool_path`).
    pub questlog_spool: Option<PathBuf>,
    /// Read file systems (`node_filesystem_*`).
    pub filesystems: bool,
    /// Entries visited at most when sizing directories of a filling file system.
    pub du_budget: usize,
    /// Threshold rules (replace the defaults when given).
    pub rules: Vec<Rule>,
    /// Time-until-full regression.
    pub trend: TrendConfig,
    /// Detector settings, shared by every series.
    pub detector: DetectorConfig,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            interval_secs: 5.0,
            listen: "127.0.0.1:9464".into(),
            proc_root: PathBuf::from("/proc"),
            critical_threshold: 0.6,
            cooldown_intervals: 60,
            top_processes: 5,
            alert_history: 200,
            questlog: true,
            questlog_socket: None,
            questlog_spool: None,
            filesystems: true,
            du_budget: 200_000,
            rules: default_rules(),
            trend: TrendConfig::default(),
            detector: DetectorConfig::default(),
        }
    }
}

impl Config {
    /// Defaults, then the file (a missing default file means defaults, a missing named file is
    /// an error), then `AINUX_KMONITORD__<KEY>` (`__` separates nested keys).
    pub fn load(
        path: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, DaemonError> {
        let env: Vec<(String, String)> = env.into_iter().collect();
        let source = match path {
            Some(p) => ainux_common::config::Source::Named(p.to_owned()),
            None => ainux_common::config::Source::Default,
        };
        let cfg: Config =
            ainux_common::config::load_from("kmonitord", &source, Path::new(DEFAULT_CONFIG), &env)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Checks values serde cannot.
    pub fn validate(&self) -> Result<(), DaemonError> {
        self.detector.validate()?;
        if !(0.05..=3600.0).contains(&self.interval_secs) {
            return Err(DaemonError::Interval);
        }
        for r in &self.rules {
            r.validate()?;
        }
        Ok(())
    }
}

/// One alert as `kmonitor alerts` and questlog see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertRecord {
    pub id: u64,
    pub ts_ms: i64,
    /// `anomaly` or `rule`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    pub series: String,
    pub severity: String,
    pub value: f64,
    pub title: String,
    pub suggestion: String,
    #[serde(default)]
    pub details: serde_json::Value,
}

/// The present state for `kmonitor status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    pub interval_secs: f64,
    pub ticks: u64,
    pub series: usize,
    pub last_collect_ms: f64,
    pub alerts_total: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_busy_ratio: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_available_ratio: Option<f64>,
    pub load1: Option<f64>,
    pub filesystems: Vec<FsStatus>,
    /// Series with the highest anomaly scores now.
    pub top_scores: Vec<(String, f64)>,
}

/// One file system in the status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FsStatus {
    pub mountpoint: String,
    pub device: String,
    pub fstype: String,
    pub size_bytes: f64,
    pub avail_bytes: f64,
    pub used_ratio: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fill_seconds: Option<f64>,
}

#[derive(Default)]
struct Shared {
    exposition: String,
    status: Status,
    top: Top,
    alerts: VecDeque<AlertRecord>,
}

struct Series {
    detector: Detector,
    last_counter: Option<(f64, Instant)>,
    last_seen: u64,
    score: f64,
}

/// A running service.
pub struct Handle {
    pub addr: SocketAddr,
    stop: Arc<AtomicBool>,
    heartbeat: Arc<Mutex<Instant>>,
    threads: Vec<JoinHandle<()>>,
}

impl Handle {
    /// Whether the collection loop completed a round within `max_age`.
    pub fn alive(&self, max_age: Duration) -> bool {
        self.heartbeat
            .lock()
            .map(|t| t.elapsed() <= max_age)
            .unwrap_or(false)
    }

    /// Stops the threads and waits for them.
    pub fn shutdown(self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(self.addr);
        for t in self.threads {
            let _ = t.join();
        }
    }
}

type Trained = (String, Model, bool);

/// An alert decided by the collection loop, to be explained and delivered off it.
struct Pending {
    kind: &'static str,
    rule: Option<String>,
    series: String,
    severity: String,
    value: f64,
    title: String,
    top: Top,
}

/// Starts collection, the training worker, the alert worker and the HTTP endpoint.
pub fn start(cfg: Config) -> Result<Handle, DaemonError> {
    start_with(cfg, Box::new(RealStatFs))
}

/// [`start`] with a `statvfs` seam (tests).
pub fn start_with(cfg: Config, statfs: Box<dyn StatFs>) -> Result<Handle, DaemonError> {
    cfg.validate()?;
    let listener = TcpListener::bind(&cfg.listen).map_err(|source| DaemonError::Listen {
        addr: cfg.listen.clone(),
        source,
    })?;
    let addr = listener
        .local_addr()
        .map_err(|source| DaemonError::Listen {
            addr: cfg.listen.clone(),
            source,
        })?;
    let stop = Arc::new(AtomicBool::new(false));
    let heartbeat = Arc::new(Mutex::new(Instant::now()));
    let shared = Arc::new(Mutex::new(Shared::default()));
    let (train_tx, train_rx) = mpsc::channel::<(String, TrainingSet)>();
    let (done_tx, done_rx) = mpsc::channel::<Trained>();
    let (alert_tx, alert_rx) = mpsc::channel::<Pending>();

    let worker = std::thread::spawn(move || {
        for (series, set) in train_rx {
            let model = train(&set);
            if done_tx.send((series, model, set.refit_kmeans)).is_err() {
                break;
            }
        }
    });

    let alerts = {
        let shared = shared.clone();
        let cfg = cfg.clone();
        std::thread::spawn(move || alert_worker(&cfg, alert_rx, &shared))
    };

    let collector = {
        let stop = stop.clone();
        let shared = shared.clone();
        let heartbeat = heartbeat.clone();
        std::thread::spawn(move || {
            collect_loop(
                cfg, statfs, stop, shared, heartbeat, train_tx, done_rx, alert_tx,
            )
        })
    };

    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn
                    && let Err(e) = serve(conn, &shared)
                {
                    tracing::debug!(cause = %e, "HTTP request failed");
                }
            }
        })
    };
    Ok(Handle {
        addr,
        stop,
        heartbeat,
        threads: vec![collector, server, worker, alerts],
    })
}

fn alert_worker(cfg: &Config, rx: mpsc::Receiver<Pending>, shared: &Mutex<Shared>) {
    let mut questlog = cfg.questlog.then(|| {
        let socket = cfg
            .questlog_socket
            .clone()
            .unwrap_or_else(questlog_client::default_socket_path);
        questlog_client::SpoolingClient::new(
            socket,
            questlog_client::Spool::new(
                cfg.questlog_spool
                    .clone()
                    .unwrap_or_else(questlog_client::client::default_spool_path),
                4 << 20,
            ),
        )
    });
    for (n, p) in rx.into_iter().enumerate() {
        let id = n as u64 + 1;
        let budget = cfg.du_budget;
        let (suggestion, details) = suggest::suggest(&p.series, &p.top, |m| {
            suggest::fs_report(Path::new(m), budget)
        });
        let rec = AlertRecord {
            id,
            ts_ms: questlog_client::protocol::now_ms(),
            kind: p.kind.into(),
            rule: p.rule,
            series: p.series,
            severity: p.severity,
            value: p.value,
            title: p.title,
            suggestion,
            details,
        };
        tracing::warn!(
            series = %rec.series,
            severity = %rec.severity,
            value = rec.value,
            suggestion = %rec.suggestion,
            "{}",
            rec.title
        );
        if let Some(ql) = questlog.as_mut() {
            let mut fields = questlog_client::protocol::Fields::new();
            fields.insert("series".into(), rec.series.clone().into());
            fields.insert("kind".into(), rec.kind.clone().into());
            fields.insert("value".into(), serde_json::json!(rec.value));
            if let Some(r) = &rec.rule {
                fields.insert("rule".into(), r.clone().into());
            }
            fields.insert("suggestion".into(), rec.suggestion.clone().into());
            if !rec.details.is_null() {
                fields.insert("details".into(), rec.details.clone());
            }
            let ev = questlog_client::Event::new(questlog_client::EventKind::Alert {
                severity: rec.severity.clone(),
                title: rec.title.clone(),
                detail: rec.suggestion.clone(),
                fields,
            })
            .with_source("kmonitord");
            if let Err(e) = ql.send(vec![ev]) {
                tracing::warn!(cause = %e, "cannot deliver the alert to questlogd");
            }
        }
        if let Ok(mut s) = shared.lock() {
            s.alerts.push_back(rec);
            while s.alerts.len() > cfg.alert_history.max(1) {
                s.alerts.pop_front();
            }
        }
    }
}

fn serve(conn: TcpStream, shared: &Mutex<Shared>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    let mut conn = conn;
    let target = request.split_whitespace().nth(1).unwrap_or("");
    let path = target.split('?').next().unwrap_or("");
    let body = if request.starts_with("GET ") {
        let s = shared.lock().ok();
        s.and_then(|s| match path {
            "/metrics" => Some((prom::CONTENT_TYPE, s.exposition.clone())),
            "/status" => serde_json::to_string(&s.status)
                .ok()
                .map(|b| ("application/json", b)),
            "/top" => serde_json::to_string(&s.top)
                .ok()
                .map(|b| ("application/json", b)),
            "/alerts" => serde_json::to_string(&s.alerts)
                .ok()
                .map(|b| ("application/json", b)),
            _ => None,
        })
    } else {
        None
    };
    match body {
        Some((ctype, body)) => write!(
            conn,
            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len(),
        ),
        None => write!(
            conn,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
    }
}

/// Per-tick derived values: CPU busy ratio from the CPU counters' deltas.
#[derive(Default)]
struct CpuTotals {
    last: Option<(f64, f64)>,
}

impl CpuTotals {
    fn update(&mut self, samples: &[Sample]) -> Option<f64> {
        let (mut total, mut idle) = (0.0, 0.0);
        let mut any = false;
        for s in samples
            .iter()
            .filter(|s| s.name == "node_cpu_seconds_total")
        {
            any = true;
            total += s.value;
            if matches!(s.label_value("mode"), Some("idle" | "iowait")) {
                idle += s.value;
            }
        }
        if !any {
            self.last = None;
            return None;
        }
        let prev = self.last.replace((total, idle));
        let (pt, pi) = prev?;
        let dt = total - pt;
        (dt > 0.0 && idle >= pi).then(|| (1.0 - (idle - pi) / dt).clamp(0.0, 1.0))
    }
}

fn describe(rule: &RuleAlert) -> String {
    let series = &rule.series;
    let v = rule.value;
    match rule.rule.as_str() {
        "cpu_busy" => format!("high CPU: {:.0}% busy", v * 100.0),
        "memory_low" => format!("memory pressure: {:.0}% available", v * 100.0),
        "filesystem_full" => format!(
            "filesystem {} {:.0}% full",
            suggest::key_label(series, "mountpoint").unwrap_or_default(),
            v * 100.0
        ),
        "filesystem_filling" => format!(
            "filesystem {} full in {:.0} s at the present rate",
            suggest::key_label(series, "mountpoint").unwrap_or_default(),
            v
        ),
        _ => format!(
            "{}: {series} = {v} ({} {})",
            rule.rule,
            if rule.above { "above" } else { "below" },
            rule.bound
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn collect_loop(
    cfg: Config,
    statfs: Box<dyn StatFs>,
    stop: Arc<AtomicBool>,
    shared: Arc<Mutex<Shared>>,
    heartbeat: Arc<Mutex<Instant>>,
    train_tx: mpsc::Sender<(String, TrainingSet)>,
    done_rx: mpsc::Receiver<Trained>,
    alert_tx: mpsc::Sender<Pending>,
) {
    let reader = ProcReader::new(&cfg.proc_root);
    let mut procs = ProcTracker::new(&cfg.proc_root, cfg.top_processes);
    let interval = Duration::from_secs_f64(cfg.interval_secs);
    let mut series: HashMap<String, Series> = HashMap::new();
    let mut trends: HashMap<String, FillTrend> = HashMap::new();
    let mut rules = RuleEngine::default();
    let mut cpu = CpuTotals::default();
    let policy = Policy {
        warning: cfg.detector.alert_threshold,
        critical: cfg.critical_threshold.max(cfg.detector.alert_threshold),
        cooldown: cfg.cooldown_intervals,
    };
    let mut alerter = Alerter::default();
    let mut alerts: BTreeMap<String, u64> = BTreeMap::new();
    let mut tick: u64 = 0;
    let epoch = Instant::now();
    let mut last_round: Option<Instant> = None;
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        tick += 1;
        while let Ok((key, model, refit)) = done_rx.try_recv() {
            if let Some(s) = series.get_mut(&key) {
                s.detector.install(model, refit);
            }
        }
        let mut samples = match reader.collect() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(cause = %e, "collection failed");
                Vec::new()
            }
        };
        let now = Instant::now();
        let t = now.duration_since(epoch).as_secs_f64();
        let dt = last_round.map_or(0.0, |l| now.duration_since(l).as_secs_f64());
        last_round = Some(now);

        // Derived series, checked by rules, not scored.
        let mut derived: Vec<Sample> = Vec::new();
        let busy = cpu.update(&samples);
        if let Some(b) = busy {
            derived.push(Sample::gauge(
                "ainux_cpu_busy_ratio",
                "Share of CPU time not idle over the last interval.",
                b,
            ));
        }
        let mem = |n: &str| samples.iter().find(|s| s.name == n).map(|s| s.value);
        let mem_ratio = match (
            mem("node_memory_MemAvailable_bytes"),
            mem("node_memory_MemTotal_bytes"),
        ) {
            (Some(a), Some(t)) if t > 0.0 => Some(a / t),
            _ => None,
        };
        if let Some(r) = mem_ratio {
            derived.push(Sample::gauge(
                "ainux_memory_available_ratio",
                "MemAvailable / MemTotal.",
                r,
            ));
        }
        let mut fs_status = Vec::new();
        if cfg.filesystems {
            let mounts = crate::system::read_mounts(&cfg.proc_root);
            let mut present = Vec::new();
            for (m, st, fs_samples) in crate::system::filesystems(&mounts, statfs.as_ref()) {
                present.push(m.mountpoint.clone());
                let label = |s: Sample| {
                    s.with_label("device", &m.device)
                        .with_label("fstype", &m.fstype)
                        .with_label("mountpoint", &m.mountpoint)
                };
                let used = 1.0 - st.avail / st.size;
                derived.push(label(Sample::gauge(
                    "ainux_filesystem_used_ratio",
                    "Share of the file system not available to users.",
                    used,
                )));
                let fill = trends
                    .entry(m.mountpoint.clone())
                    .or_default()
                    .push(&cfg.trend, t, st.avail, st.size);
                if let Some(f) = fill {
                    derived.push(label(Sample::gauge(
                        "ainux_filesystem_fill_seconds",
                        "Forecast seconds until the file system is full (only while it fills steadily).",
                        f,
                    )));
                }
                fs_status.push(FsStatus {
                    mountpoint: m.mountpoint.clone(),
                    device: m.device.clone(),
                    fstype: m.fstype.clone(),
                    size_bytes: st.size,
                    avail_bytes: st.avail,
                    used_ratio: used,
                    fill_seconds: fill,
                });
                samples.extend(fs_samples);
            }
            // Unmounted file systems: their trend goes with them.
            trends.retain(|k, _| present.contains(k));
        }
        let top = procs.update(dt);
        derived.push(Sample::gauge(
            "ainux_processes",
            "Number of processes.",
            top.processes as f64,
        ));

        let mut raised: Vec<Pending> = Vec::new();
        for s in &samples {
            let key = s.key();
            let entry = match series.entry(key.clone()) {
                std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                std::collections::hash_map::Entry::Vacant(v) => {
                    match Detector::new(cfg.detector.clone()) {
                        Ok(detector) => v.insert(Series {
                            detector,
                            last_counter: None,
                            last_seen: tick,
                            score: 0.0,
                        }),
                        Err(_) => continue,
                    }
                }
            };
            entry.last_seen = tick;
            // Counters are scored as rates; a reset (value going down) restarts the rate.
            let value = match s.kind {
                Kind::Gauge => Some(s.value),
                Kind::Counter => {
                    let prev = entry.last_counter.replace((s.value, now));
                    prev.and_then(|(v, t)| {
                        let dt = now.duration_since(t).as_secs_f64();
                        (s.value >= v && dt > 0.0).then(|| (s.value - v) / dt)
                    })
                }
            };
            let Some(v) = value.filter(|v| v.is_finite()) else {
                continue;
            };
            for r in rules.feed(&cfg.rules, &s.name, &key, v, tick, cfg.cooldown_intervals) {
                raised.push(rule_pending(r, &top));
            }
            let scored = entry.detector.observe(v);
            entry.score = scored.score;
            if let Some(alert) = alerter.feed(&policy, &key, scored.score, tick) {
                raised.push(Pending {
                    kind: "anomaly",
                    rule: None,
                    title: format!(
                        "anomaly on {} (score {:.2}, {})",
                        alert.series,
                        alert.score,
                        crate::detect::COMPONENT_NAMES[scored.dominant]
                    ),
                    series: alert.series,
                    severity: alert.severity.as_str().into(),
                    value: v,
                    top: top.clone(),
                });
            }
            if entry.detector.training_due() {
                let set = entry.detector.snapshot();
                let _ = train_tx.send((key, set));
            }
        }
        for s in &derived {
            let key = s.key();
            for r in rules.feed(
                &cfg.rules,
                &s.name,
                &key,
                s.value,
                tick,
                cfg.cooldown_intervals,
            ) {
                raised.push(rule_pending(r, &top));
            }
        }
        for p in raised {
            let kind = match &p.rule {
                Some(r) => format!("rule_{r}"),
                None => format!("anomaly_{}", p.severity),
            };
            *alerts.entry(kind).or_default() += 1;
            let _ = alert_tx.send(p);
        }
        // Series whose source disappeared are dropped after three intervals.
        series.retain(|_, s| tick - s.last_seen < 3);
        rules.expire(tick, 3);
        alerter.expire(&policy, tick);

        let mut out = samples;
        out.extend(derived);
        let mut keys: Vec<(&String, &Series)> = series.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(prom::anomaly_scores(
            keys.iter().map(|(k, s)| (k.as_str(), s.score)),
        ));
        for kind in ["anomaly_warning", "anomaly_critical"] {
            alerts.entry(kind.into()).or_default();
        }
        for (kind, n) in &alerts {
            out.push(Sample {
                name: "ainux_alerts_total".into(),
                labels: vec![("kind".into(), kind.clone())],
                value: *n as f64,
                kind: Kind::Counter,
                help: "Alerts raised, by kind.",
            });
        }
        let mut scores: Vec<(String, f64)> = keys
            .iter()
            .filter(|(_, s)| s.score > 0.0)
            .map(|(k, s)| ((*k).clone(), s.score))
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1));
        scores.truncate(5);
        let status = Status {
            interval_secs: cfg.interval_secs,
            ticks: tick,
            series: series.len(),
            last_collect_ms: started.elapsed().as_secs_f64() * 1000.0,
            alerts_total: alerts.values().sum(),
            cpu_busy_ratio: busy,
            memory_available_ratio: mem_ratio,
            load1: out.iter().find(|s| s.name == "node_load1").map(|s| s.value),
            filesystems: fs_status,
            top_scores: scores,
        };
        let text = prom::render(&out);
        if let Ok(mut s) = shared.lock() {
            s.exposition = text;
            s.status = status;
            s.top = top;
        }
        if let Ok(mut h) = heartbeat.lock() {
            *h = Instant::now();
        }
        let elapsed = started.elapsed();
        let mut left = interval.saturating_sub(elapsed);
        while !left.is_zero() && !stop.load(Ordering::SeqCst) {
            let step = left.min(Duration::from_millis(50));
            std::thread::sleep(step);
            left = left.saturating_sub(step);
        }
    }
}

fn rule_pending(r: RuleAlert, top: &Top) -> Pending {
    Pending {
        kind: "rule",
        title: describe(&r),
        rule: Some(r.rule),
        series: r.series,
        severity: r.severity,
        value: r.value,
        top: top.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn config_layers_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k.toml");
        std::fs::write(&p, "interval_secs = 2.0\n[detector]\nwindow = 256\n").unwrap();
        let env = vec![
            (
                "AINUX_KMONITORD__LISTEN".to_owned(),
                "127.0.0.1:1".to_owned(),
            ),
            (
                "AINUX_KMONITORD__DETECTOR__ALERT_THRESHOLD".to_owned(),
                "0.7".to_owned(),
            ),
            ("OTHER".to_owned(), "x".to_owned()),
        ];
        let c = Config::load(Some(&p), env).unwrap();
        assert_eq!(c.interval_secs, 2.0);
        assert_eq!(c.detector.window, 256);
        assert_eq!(c.listen, "127.0.0.1:1");
        assert_eq!(c.detector.alert_threshold, 0.7);

        std::fs::write(&p, "interval_secs = \"fast\"\n").unwrap();
        let e = Config::load(Some(&p), vec![]).unwrap_err();
        assert!(e.to_string().contains("k.toml"), "{e}");
        std::fs::write(&p, "bogus = 1\n").unwrap();
        assert!(Config::load(Some(&p), vec![]).is_err());
        assert!(Config::load(Some(&dir.path().join("missing.toml")), vec![]).is_err());
        std::fs::write(&p, "[detector]\nwindow = 3\n").unwrap();
        assert!(matches!(
            Config::load(Some(&p), vec![]),
            Err(DaemonError::Invalid(_))
        ));
    }

    #[test]
    fn shipped_example_config_loads() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("kmonitord.toml.example");
        let c = Config::load(Some(&p), vec![]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:9464");
        assert_eq!(c.detector.learn, 160);
    }

    #[test]
    fn serves_metrics_from_a_fake_proc_tree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("loadavg"), "1.50 1.00 0.50 1/100 42\n").unwrap();
        std::fs::write(
            dir.path().join("stat"),
            "cpu  1 2 3 4 5 6 7 8\ncpu0 1 2 3 4 5 6 7 8\nctxt 10\n",
        )
        .unwrap();
        let cfg = Config {
            interval_secs: 0.05,
            listen: "127.0.0.1:0".into(),
            proc_root: dir.path().to_owned(),
            detector: DetectorConfig::default(),
            // Not to the machine's questlogd or the user's spool.
            questlog: false,
            ..Config::default()
        };
        let handle = start(cfg).unwrap();
        let mut body = String::new();
        // The detector scores after its warm-up (48 rounds of 50 ms when the machine is idle).
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while std::time::Instant::now() < deadline {
            let mut conn = TcpStream::connect(handle.addr).unwrap();
            write!(conn, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut resp = String::new();
            conn.read_to_string(&mut resp).unwrap();
            assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
            body = resp.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
            if body.contains("ainux_anomaly_score") {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let scrape =
            prometheus_parse::Scrape::parse(body.lines().map(|l| Ok(l.to_owned()))).unwrap();
        let load = scrape
            .samples
            .iter()
            .find(|s| s.metric == "node_load1")
            .expect("node_load1");
        assert!(matches!(load.value, prometheus_parse::Value::Gauge(v) if v == 1.5));
        assert!(
            scrape
                .samples
                .iter()
                .any(|s| s.metric == "ainux_anomaly_score"
                    && s.labels.get("series") == Some("node_load1"))
        );
        assert!(
            scrape
                .samples
                .iter()
                .any(|s| s.metric == "ainux_alerts_total")
        );

        let mut conn = TcpStream::connect(handle.addr).unwrap();
        write!(conn, "GET /other HTTP/1.1\r\n\r\n").unwrap();
        let mut resp = String::new();
        conn.read_to_string(&mut resp).unwrap();
        assert!(resp.starts_with("HTTP/1.1 404"));
        handle.shutdown();
    }
}
