//! Readers of `/proc` metrics. Every reader takes the proc root as a parameter so tests run on
//! a fake tree; a file that is absent (no PSI on this kernel, an interface that vanished) yields
//! no samples rather than an error.

use std::fs;
use std::path::{Path, PathBuf};

/// Kernel clock ticks per second for `/proc/stat` (USER_HZ, 100 on every Linux ABI).
pub const USER_HZ: f64 = 100.0;

/// Errors of the collectors.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: malformed line {line}")]
    Malformed { path: PathBuf, line: usize },
}

/// Prometheus metric type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
}

/// One sample with node_exporter's name and labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub kind: Kind,
    pub help: &'static str,
}

impl Sample {
    fn new(name: impl Into<String>, kind: Kind, help: &'static str, value: f64) -> Self {
        Self {
            name: name.into(),
            labels: Vec::new(),
            value,
            kind,
            help,
        }
    }

    fn label(mut self, k: &str, v: impl Into<String>) -> Self {
        self.labels.push((k.to_owned(), v.into()));
        self
    }

    /// Adds a label.
    pub fn with_label(self, k: &str, v: impl Into<String>) -> Self {
        self.label(k, v)
    }

    /// A gauge without labels.
    pub fn gauge(name: impl Into<String>, help: &'static str, value: f64) -> Self {
        Self::new(name, Kind::Gauge, help, value)
    }

    /// The value of a label.
    pub fn label_value(&self, k: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(kk, _)| kk == k)
            .map(|(_, v)| v.as_str())
    }

    /// A stable series key such as `node_cpu_seconds_total{cpu="0",mode="user"}`.
    pub fn key(&self) -> String {
        if self.labels.is_empty() {
            return self.name.clone();
        }
        let l: Vec<String> = self
            .labels
            .iter()
            .map(|(k, v)| format!("{k}=\"{v}\""))
            .collect();
        format!("{}{{{}}}", self.name, l.join(","))
    }
}

/// Reads metrics below a proc root (normally `/proc`).
#[derive(Debug, Clone)]
pub struct ProcReader {
    root: PathBuf,
}

fn read_optional(path: &Path) -> Result<Option<String>, CollectError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(CollectError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

const CPU_MODES: [&str; 8] = [
    "user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal",
];

impl ProcReader {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// All samples of every reader.
    pub fn collect(&self) -> Result<Vec<Sample>, CollectError> {
        let mut out = Vec::new();
        out.extend(self.cpu()?);
        out.extend(self.loadavg()?);
        out.extend(self.meminfo()?);
        out.extend(self.net_dev()?);
        out.extend(self.pressure()?);
        out.extend(self.diskstats()?);
        Ok(out)
    }

    /// `/proc/stat`: per-CPU seconds by mode, context switches, forks, running/blocked.
    pub fn cpu(&self) -> Result<Vec<Sample>, CollectError> {
        let path = self.root.join("stat");
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let mut f = line.split_whitespace();
            let Some(head) = f.next() else { continue };
            let malformed = || CollectError::Malformed {
                path: path.clone(),
                line: i + 1,
            };
            if let Some(cpu) = head.strip_prefix("cpu")
                && !cpu.is_empty()
            {
                for (mode, v) in CPU_MODES.iter().zip(f) {
                    let ticks: f64 = v.parse().map_err(|_| malformed())?;
                    out.push(
                        Sample::new(
                            "node_cpu_seconds_total",
                            Kind::Counter,
                            "Seconds the CPUs spent in each mode.",
                            ticks / USER_HZ,
                        )
                        .label("cpu", cpu)
                        .label("mode", *mode),
                    );
                }
                continue;
            }
            let (name, kind, help) = match head {
                "ctxt" => (
                    "node_context_switches_total",
                    Kind::Counter,
                    "Total number of context switches.",
                ),
                "processes" => ("node_forks_total", Kind::Counter, "Total number of forks."),
                "procs_running" => (
                    "node_procs_running",
                    Kind::Gauge,
                    "Number of processes in runnable state.",
                ),
                "procs_blocked" => (
                    "node_procs_blocked",
                    Kind::Gauge,
                    "Number of processes blocked waiting for I/O to complete.",
                ),
                _ => continue,
            };
            let v: f64 = f
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(malformed)?;
            out.push(Sample::new(name, kind, help, v));
        }
        Ok(out)
    }

    /// `/proc/loadavg`.
    pub fn loadavg(&self) -> Result<Vec<Sample>, CollectError> {
        let path = self.root.join("loadavg");
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        let f: Vec<f64> = text
            .split_whitespace()
            .take(3)
            .map(str::parse)
            .collect::<Result<_, _>>()
            .map_err(|_| CollectError::Malformed {
                path: path.clone(),
                line: 1,
            })?;
        if f.len() != 3 {
            return Err(CollectError::Malformed { path, line: 1 });
        }
        Ok(vec![
            Sample::new("node_load1", Kind::Gauge, "1m load average.", f[0]),
            Sample::new("node_load5", Kind::Gauge, "5m load average.", f[1]),
            Sample::new("node_load15", Kind::Gauge, "15m load average.", f[2]),
        ])
    }

    /// `/proc/meminfo` as `node_memory_<Field>_bytes`.
    pub fn meminfo(&self) -> Result<Vec<Sample>, CollectError> {
        let path = self.root.join("meminfo");
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let Some((key, rest)) = line.split_once(':') else {
                continue;
            };
            let mut f = rest.split_whitespace();
            let v: f64 = f
                .next()
                .and_then(|v| v.parse().ok())
                .ok_or(CollectError::Malformed {
                    path: path.clone(),
                    line: i + 1,
                })?;
            let (name, v) = match f.next() {
                Some("kB") => (format!("node_memory_{}_bytes", sanitize(key)), v * 1024.0),
                _ => (format!("node_memory_{}", sanitize(key)), v),
            };
            out.push(Sample::new(
                name,
                Kind::Gauge,
                "Memory information field from /proc/meminfo.",
                v,
            ));
        }
        Ok(out)
    }

    /// `/proc/net/dev`: bytes, packets, errors and drops per interface and direction.
    pub fn net_dev(&self) -> Result<Vec<Sample>, CollectError> {
        let path = self.root.join("net/dev");
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate().skip(2) {
            let Some((dev, rest)) = line.split_once(':') else {
                continue;
            };
            let dev = dev.trim();
            let f: Vec<f64> = rest
                .split_whitespace()
                .map(str::parse)
                .collect::<Result<_, _>>()
                .map_err(|_| CollectError::Malformed {
                    path: path.clone(),
                    line: i + 1,
                })?;
            if f.len() < 16 {
                return Err(CollectError::Malformed {
                    path: path.clone(),
                    line: i + 1,
                });
            }
            for (dir, base) in [("receive", 0), ("transmit", 8)] {
                for (field, off) in [("bytes", 0), ("packets", 1), ("errs", 2), ("drop", 3)] {
                    out.push(
                        Sample::new(
                            format!("node_network_{dir}_{field}_total"),
                            Kind::Counter,
                            "Network device statistic from /proc/net/dev.",
                            f[base + off],
                        )
                        .label("device", dev),
                    );
                }
            }
        }
        Ok(out)
    }

    /// `/proc/pressure/{cpu,memory,io}` totals, where the kernel has PSI.
    pub fn pressure(&self) -> Result<Vec<Sample>, CollectError> {
        let mut out = Vec::new();
        for res in ["cpu", "memory", "io"] {
            let path = self.root.join("pressure").join(res);
            let Some(text) = read_optional(&path)? else {
                continue;
            };
            for line in text.lines() {
                let mut f = line.split_whitespace();
                let which = f.next();
                let total = f
                    .find_map(|kv| kv.strip_prefix("total="))
                    .and_then(|v| v.parse::<f64>().ok());
                let Some(total) = total else { continue };
                let name = match (res, which) {
                    ("cpu", Some("some")) => "node_pressure_cpu_waiting_seconds_total",
                    ("memory", Some("some")) => "node_pressure_memory_waiting_seconds_total",
                    ("memory", Some("full")) => "node_pressure_memory_stalled_seconds_total",
                    ("io", Some("some")) => "node_pressure_io_waiting_seconds_total",
                    ("io", Some("full")) => "node_pressure_io_stalled_seconds_total",
                    _ => continue,
                };
                out.push(Sample::new(
                    name,
                    Kind::Counter,
                    "Pressure stall time from /proc/pressure.",
                    total / 1e6,
                ));
            }
        }
        Ok(out)
    }
}

impl ProcReader {
    /// `/proc/diskstats`: bytes and operations completed per block device (partitions and
    /// loop/ram devices are skipped, as node_exporter's default filter does).
    pub fn diskstats(&self) -> Result<Vec<Sample>, CollectError> {
        let path = self.root.join("diskstats");
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 14 {
                return Err(CollectError::Malformed {
                    path: path.clone(),
                    line: i + 1,
                });
            }
            let dev = f[2];
            let is_partition = (dev.starts_with("sd") || dev.starts_with("vd"))
                && dev.ends_with(|c: char| c.is_ascii_digit())
                || dev.contains('p') && dev.starts_with("nvme");
            if dev.starts_with("loop") || dev.starts_with("ram") || is_partition {
                continue;
            }
            let num = |k: usize| -> Result<f64, CollectError> {
                f[k].parse().map_err(|_| CollectError::Malformed {
                    path: path.clone(),
                    line: i + 1,
                })
            };
            for (name, v) in [
                ("node_disk_reads_completed_total", num(3)?),
                ("node_disk_read_bytes_total", num(5)? * 512.0),
                ("node_disk_writes_completed_total", num(7)?),
                ("node_disk_written_bytes_total", num(9)? * 512.0),
                ("node_disk_io_time_seconds_total", num(12)? / 1000.0),
            ] {
                out.push(
                    Sample::new(
                        name,
                        Kind::Counter,
                        "Disk statistic from /proc/diskstats.",
                        v,
                    )
                    .label("device", dev),
                );
            }
        }
        Ok(out)
    }
}

fn sanitize(key: &str) -> String {
    key.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_proc() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        let p = d.path();
        fs::write(
            p.join("stat"),
            "cpu  300 0 100 1000 5 0 1 0 0 0\ncpu0 200 0 60 500 3 0 1 0 0 0\ncpu1 100 0 40 500 2 0 0 0 0 0\n\
             intr 1 2 3\nctxt 12345\nbtime 1\nprocesses 678\nprocs_running 3\nprocs_blocked 1\n",
        )
        .unwrap();
        fs::write(p.join("loadavg"), "0.52 0.41 0.30 2/345 6789\n").unwrap();
        fs::write(
            p.join("meminfo"),
            "MemTotal:        2048000 kB\nMemAvailable:    1024000 kB\nHugePages_Total:       0\nSwapFree:  10 kB\n",
        )
        .unwrap();
        fs::create_dir_all(p.join("net")).unwrap();
        fs::write(
            p.join("net/dev"),
            "Inter-|   Receive                                                |  Transmit\n \
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n  \
             lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n  \
             eth0: 5000 50 2 1 0 0 0 0 7000 70 3 0 0 0 0 0\n",
        )
        .unwrap();
        fs::write(
            p.join("diskstats"),
            "   8       0 sda 100 0 2048 50 200 0 4096 80 0 1500 130 0 0 0 0\n\
             \x20  8       1 sda1 90 0 2000 40 190 0 4000 70 0 1400 120 0 0 0 0\n\
             \x20  7       0 loop0 1 0 2 0 0 0 0 0 0 0 0 0 0 0 0\n",
        )
        .unwrap();
        fs::create_dir_all(p.join("pressure")).unwrap();
        fs::write(
            p.join("pressure/memory"),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=2500000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n",
        )
        .unwrap();
        d
    }

    fn find<'a>(s: &'a [Sample], key: &str) -> &'a Sample {
        s.iter()
            .find(|x| x.key() == key)
            .unwrap_or_else(|| panic!("{key} missing"))
    }

    #[test]
    fn reads_a_fake_proc_tree_with_node_exporter_names() {
        let d = fake_proc();
        let s = ProcReader::new(d.path()).collect().unwrap();
        assert_eq!(
            find(&s, r#"node_cpu_seconds_total{cpu="0",mode="user"}"#).value,
            2.0
        );
        assert_eq!(
            find(&s, r#"node_cpu_seconds_total{cpu="1",mode="system"}"#).value,
            0.4
        );
        assert!(
            !s.iter()
                .any(|x| x.name == "node_cpu_seconds_total" && x.labels[0].1.is_empty())
        );
        assert_eq!(find(&s, "node_context_switches_total").value, 12345.0);
        assert_eq!(find(&s, "node_procs_running").value, 3.0);
        assert_eq!(find(&s, "node_load1").value, 0.52);
        assert_eq!(
            find(&s, "node_memory_MemAvailable_bytes").value,
            1024000.0 * 1024.0
        );
        assert_eq!(find(&s, "node_memory_HugePages_Total").value, 0.0);
        assert_eq!(
            find(&s, r#"node_network_receive_errs_total{device="eth0"}"#).value,
            2.0
        );
        assert_eq!(
            find(&s, r#"node_network_transmit_bytes_total{device="eth0"}"#).value,
            7000.0
        );
        assert_eq!(
            find(&s, "node_pressure_memory_stalled_seconds_total").value,
            1.0
        );
        assert_eq!(
            find(&s, r#"node_disk_written_bytes_total{device="sda"}"#).value,
            4096.0 * 512.0
        );
        assert_eq!(
            find(&s, r#"node_disk_io_time_seconds_total{device="sda"}"#).value,
            1.5
        );
        assert!(
            !s.iter()
                .any(|x| x.labels.iter().any(|(_, v)| v == "sda1" || v == "loop0"))
        );
    }

    #[test]
    fn missing_sources_are_dropped_and_garbage_is_an_error() {
        let d = fake_proc();
        fs::remove_file(d.path().join("net/dev")).unwrap();
        let s = ProcReader::new(d.path()).collect().unwrap();
        assert!(!s.iter().any(|x| x.name.starts_with("node_network")));
        assert!(!s.iter().any(|x| x.name.starts_with("node_pressure_cpu")));
        fs::write(d.path().join("loadavg"), "zero point five\n").unwrap();
        let err = ProcReader::new(d.path()).loadavg().unwrap_err();
        assert!(matches!(err, CollectError::Malformed { line: 1, .. }));
        let empty = tempfile::tempdir().unwrap();
        assert!(ProcReader::new(empty.path()).collect().unwrap().is_empty());
    }
}
