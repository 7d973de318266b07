//! The kmonitord service: collect every interval, score every series online, retrain on a
//! worker thread, serve `/metrics`.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::alert::{Alerter, Policy, Severity};
use crate::collect::{Kind, ProcReader, Sample};
use crate::detect::{Detector, DetectorConfig, Model, TrainingSet, train};
use crate::prom;

/// Default config file.
pub const DEFAULT_CONFIG: &str = "/etc/ainux/kmonitord.toml";

/// Errors of the service.
#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot read config {path}")]
    ReadConfig {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("bad config {path}")]
    ParseConfig {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("bad environment override {key}")]
    Env {
        key: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("invalid config")]
    Invalid(#[from] crate::detect::DetectError),
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
    /// Address of the `/metrics` endpoint.
    pub listen: String,
    /// Root of the proc filesystem.
    pub proc_root: PathBuf,
    /// Score at or above which an alert is critical (warning at `detector.alert_threshold`).
    pub critical_threshold: f64,
    /// Intervals during which a series does not alert again at the same severity.
    pub cooldown_intervals: u64,
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
        let (path, named) = match path {
            Some(p) => (p.to_owned(), true),
            None => (PathBuf::from(DEFAULT_CONFIG), false),
        };
        let mut table = match std::fs::read_to_string(&path) {
            Ok(text) => text
                .parse::<toml::Table>()
                .map_err(|e| DaemonError::ParseConfig {
                    path: path.clone(),
                    source: Box::new(e),
                })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => toml::Table::new(),
            Err(source) => return Err(DaemonError::ReadConfig { path, source }),
        };
        for (k, v) in env {
            let Some(rest) = k.strip_prefix("AINUX_KMONITORD__") else {
                continue;
            };
            let keys: Vec<String> = rest.split("__").map(str::to_lowercase).collect();
            let value: toml::Value = format!("v = {v}")
                .parse::<toml::Table>()
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or(toml::Value::String(v));
            let mut t = &mut table;
            for key in &keys[..keys.len() - 1] {
                t = t
                    .entry(key.clone())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                    .as_table_mut()
                    .ok_or_else(|| DaemonError::Env {
                        key: k.clone(),
                        source: Box::new(<toml::de::Error as serde::de::Error>::custom(
                            "not a table",
                        )),
                    })?;
            }
            t.insert(keys[keys.len() - 1].clone(), value);
        }
        let cfg: Config =
            table
                .try_into()
                .map_err(|e: toml::de::Error| DaemonError::ParseConfig {
                    path,
                    source: Box::new(e),
                })?;
        cfg.detector.validate()?;
        if !(0.05..=3600.0).contains(&cfg.interval_secs) {
            return Err(DaemonError::Interval);
        }
        Ok(cfg)
    }
}

#[derive(Default)]
struct Shared {
    exposition: String,
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
    threads: Vec<JoinHandle<()>>,
}

impl Handle {
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

/// Starts collection, the training worker and the HTTP endpoint.
pub fn start(cfg: Config) -> Result<Handle, DaemonError> {
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
    let shared = Arc::new(Mutex::new(Shared::default()));
    let (train_tx, train_rx) = mpsc::channel::<(String, TrainingSet)>();
    let (done_tx, done_rx) = mpsc::channel::<Trained>();

    let worker = std::thread::spawn(move || {
        for (series, set) in train_rx {
            let model = train(&set);
            if done_tx.send((series, model, set.refit_kmeans)).is_err() {
                break;
            }
        }
    });

    let collector = {
        let stop = stop.clone();
        let shared = shared.clone();
        std::thread::spawn(move || collect_loop(cfg, stop, shared, train_tx, done_rx))
    };

    let server = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(conn) = conn {
                    let body = shared
                        .lock()
                        .map(|s| s.exposition.clone())
                        .unwrap_or_default();
                    if let Err(e) = serve(conn, &body) {
                        tracing::debug!(cause = %e, "metrics request failed");
                    }
                }
            }
        })
    };
    Ok(Handle {
        addr,
        stop,
        threads: vec![collector, server, worker],
    })
}

fn serve(conn: TcpStream, body: &str) -> std::io::Result<()> {
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
    let path = request.split_whitespace().nth(1).unwrap_or("");
    if request.starts_with("GET ") && path == "/metrics" {
        write!(
            conn,
            "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{}",
            prom::CONTENT_TYPE,
            body.len(),
            body
        )
    } else {
        write!(
            conn,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    }
}

fn collect_loop(
    cfg: Config,
    stop: Arc<AtomicBool>,
    shared: Arc<Mutex<Shared>>,
    train_tx: mpsc::Sender<(String, TrainingSet)>,
    done_rx: mpsc::Receiver<Trained>,
) {
    let reader = ProcReader::new(&cfg.proc_root);
    let interval = Duration::from_secs_f64(cfg.interval_secs);
    let mut series: HashMap<String, Series> = HashMap::new();
    let policy = Policy {
        warning: cfg.detector.alert_threshold,
        critical: cfg.critical_threshold.max(cfg.detector.alert_threshold),
        cooldown: cfg.cooldown_intervals,
    };
    let mut alerter = Alerter::default();
    let mut alerts: HashMap<Severity, u64> = HashMap::new();
    let mut tick: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let started = Instant::now();
        tick += 1;
        while let Ok((key, model, refit)) = done_rx.try_recv() {
            if let Some(s) = series.get_mut(&key) {
                s.detector.install(model, refit);
            }
        }
        let samples = match reader.collect() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(cause = %e, "collection failed");
                Vec::new()
            }
        };
        let now = Instant::now();
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
            if let Some(v) = value {
                let scored = entry.detector.observe(v);
                entry.score = scored.score;
                if let Some(alert) = alerter.feed(&policy, &key, scored.score, tick) {
                    *alerts.entry(alert.severity).or_default() += 1;
                    tracing::warn!(
                        series = %alert.series,
                        severity = alert.severity.as_str(),
                        score = alert.score,
                        measure = crate::detect::COMPONENT_NAMES[scored.dominant],
                        "anomaly"
                    );
                }
                if entry.detector.training_due() {
                    let set = entry.detector.snapshot();
                    let _ = train_tx.send((key, set));
                }
            }
        }
        // Series whose source disappeared are dropped after three intervals.
        series.retain(|_, s| tick - s.last_seen < 3);
        let mut out = samples;
        let mut keys: Vec<(&String, &Series)> = series.iter().collect();
        keys.sort_by(|a, b| a.0.cmp(b.0));
        out.extend(prom::anomaly_scores(
            keys.iter().map(|(k, s)| (k.as_str(), s.score)),
        ));
        alerter.expire(&policy, tick);
        for sev in [Severity::Warning, Severity::Critical] {
            out.push(Sample {
                name: "ainux_alerts_total".into(),
                labels: vec![("kind".into(), format!("anomaly_{}", sev.as_str()))],
                value: alerts.get(&sev).copied().unwrap_or(0) as f64,
                kind: Kind::Counter,
                help: "Alerts raised, by kind.",
            });
        }
        let text = prom::render(&out);
        if let Ok(mut s) = shared.lock() {
            s.exposition = text;
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
            ..Config::default()
        };
        let handle = start(cfg).unwrap();
        let mut body = String::new();
        for _ in 0..100 {
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
