//! `kmonitor eval`: runs the detector online over NAB-style CSV files, writes NAB results
//! files and scores them with [`crate::nab`].
//!
//! Machine-metric files (`--group machine`): every file of `realAWSCloudwatch` (EC2/RDS/ELB
//! CloudWatch metrics) and, of `realKnownCause`, `cpu_utilization_asg_misconfiguration`,
//! `ec2_request_latency_system_failure` and `machine_temperature_system_failure`. Excluded from
//! that group: `ambient_temperature_system_failure` (an office thermometer), `nyc_taxi`
//! (passenger counts) and `rogue_agent_key_hold` / `rogue_agent_key_updown` (keystroke timings
//! of a person at a keyboard, not a metric a machine reports about itself).

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::detect::{DetectError, Detector, DetectorConfig};
use crate::nab::{self, CostMatrix, FileSweep, NabError, ProfileResult};

/// Files of the machine-metric group, as globs over paths relative to the data directory.
pub const MACHINE_GLOBS: [&str; 4] = [
    "realAWSCloudwatch/*.csv",
    "realKnownCause/cpu_utilization_asg_misconfiguration.csv",
    "realKnownCause/ec2_request_latency_system_failure.csv",
    "realKnownCause/machine_temperature_system_failure.csv",
];

/// Group whose files must raise no alert at all.
pub const NO_ANOMALY_GROUP: &str = "artificialNoAnomaly";

/// Errors of the evaluation.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: line {line}: {reason}")]
    BadRow {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{path}: the header must be `timestamp,value`")]
    BadHeader { path: PathBuf },
    #[error("no CSV file under {0} matches the selection")]
    NoFiles(PathBuf),
    #[error("labels or profiles")]
    Nab(#[from] NabError),
    #[error("detector")]
    Detect(#[from] DetectError),
}

/// One parsed input row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: usize,
    pub timestamp: String,
    pub epoch: i64,
    pub value: f64,
    pub value_text: String,
}

/// A rejected input row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadRow {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// Parses a NAB data file. Bad rows are returned (or, with `strict`, fail the whole file).
pub fn parse_series(
    path: &Path,
    text: &str,
    strict: bool,
) -> Result<(Vec<Row>, Vec<BadRow>), EvalError> {
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l.trim()).unwrap_or("");
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.len() < 2 || cols[0] != "timestamp" || cols[1] != "value" {
        return Err(EvalError::BadHeader {
            path: path.to_owned(),
        });
    }
    let mut rows = Vec::new();
    let mut bad = Vec::new();
    let mut last_epoch = i64::MIN;
    for (i, line) in lines {
        let line_no = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let result = (|| {
            let fields: Vec<&str> = line.split(',').map(str::trim).collect();
            if fields.len() != cols.len() {
                return Err(format!(
                    "expected {} fields, found {}",
                    cols.len(),
                    fields.len()
                ));
            }
            let epoch = nab::parse_timestamp(fields[0])
                .ok_or_else(|| format!("bad timestamp `{}`", fields[0]))?;
            if epoch < last_epoch {
                return Err(format!("timestamp `{}` goes backwards", fields[0]));
            }
            let value: f64 = fields[1]
                .parse()
                .map_err(|_| format!("bad value `{}`", fields[1]))?;
            if !value.is_finite() {
                return Err(format!("value `{}` is not finite", fields[1]));
            }
            Ok(Row {
                line: line_no,
                timestamp: fields[0].to_owned(),
                epoch,
                value,
                value_text: fields[1].to_owned(),
            })
        })();
        match result {
            Ok(row) => {
                last_epoch = row.epoch;
                rows.push(row);
            }
            Err(reason) if strict => {
                return Err(EvalError::BadRow {
                    path: path.to_owned(),
                    line: line_no,
                    reason,
                });
            }
            Err(reason) => bad.push(BadRow {
                file: path.display().to_string(),
                line: line_no,
                reason,
            }),
        }
    }
    Ok((rows, bad))
}

/// Shell-style wildcard match (`*` any run, `?` one character).
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Which files to evaluate.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Globs over the relative path (`group/file.csv`); a glob without `/` matches the file name.
    pub globs: Vec<String>,
    /// Named groups: `machine`, or a directory name such as `realAWSCloudwatch`.
    pub groups: Vec<String>,
}

impl Selection {
    pub fn matches(&self, rel: &str) -> bool {
        if self.globs.is_empty() && self.groups.is_empty() {
            return true;
        }
        let name = rel.rsplit('/').next().unwrap_or(rel);
        let glob_hit = self.globs.iter().any(|g| {
            if g.contains('/') {
                glob_match(g, rel)
            } else {
                glob_match(g, name)
            }
        });
        let group_hit = self.groups.iter().any(|g| {
            if g == "machine" {
                MACHINE_GLOBS.iter().any(|m| glob_match(m, rel))
            } else {
                rel.split('/').next() == Some(g.as_str())
            }
        });
        glob_hit || group_hit
    }
}

/// Lists the CSV files under `data` (relative paths with `/`), sorted.
pub fn list_csv(data: &Path) -> Result<Vec<String>, EvalError> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<(), EvalError> {
        let rd = fs::read_dir(dir).map_err(|source| EvalError::Read {
            path: dir.to_owned(),
            source,
        })?;
        for entry in rd {
            let entry = entry.map_err(|source| EvalError::Read {
                path: dir.to_owned(),
                source,
            })?;
            let p = entry.path();
            if p.is_dir() {
                walk(root, &p, out)?;
            } else if p.extension().is_some_and(|e| e == "csv")
                && let Ok(rel) = p.strip_prefix(root)
            {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(rel.join("/"));
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(data, data, &mut out)?;
    out.sort();
    Ok(out)
}

/// Options of one evaluation run.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    pub data: PathBuf,
    pub out: Option<PathBuf>,
    pub labels: PathBuf,
    pub profiles: PathBuf,
    pub selection: Selection,
    pub strict: bool,
    pub detector_name: String,
    pub detector: DetectorConfig,
}

/// Per-file outcome.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub file: String,
    pub rows: usize,
    pub windows: usize,
    pub max_score: f64,
    pub alerts: usize,
}

/// Alerts on the files that contain no anomaly.
#[derive(Debug, Clone, Serialize, Default)]
pub struct QuietReport {
    pub files: usize,
    pub max_score: f64,
    pub alerts: usize,
    pub alert_threshold: f64,
    /// Rows at or above the standard profile's optimised threshold.
    pub above_standard_threshold: usize,
}

/// Result of [`run`].
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub files: Vec<FileReport>,
    pub bad_rows: Vec<BadRow>,
    pub profiles: BTreeMap<String, ProfileResult>,
    pub no_anomaly: Option<QuietReport>,
}

/// Scores one series online: each score only sees rows up to its own.
pub fn score_series(values: &[f64], cfg: &DetectorConfig) -> Result<Vec<f64>, DetectError> {
    let mut d = Detector::new(cfg.clone())?;
    Ok(values.iter().map(|&v| d.update(v).score).collect())
}

fn write_results(path: &Path, rows: &[Row], scores: &[f64]) -> Result<(), EvalError> {
    let werr = |source| EvalError::Write {
        path: path.to_owned(),
        source,
    };
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(werr)?;
    }
    let mut buf = String::with_capacity(rows.len() * 40);
    buf.push_str("timestamp,value,anomaly_score\n");
    for (r, s) in rows.iter().zip(scores) {
        buf.push_str(&format!("{},{},{}\n", r.timestamp, r.value_text, s));
    }
    fs::File::create(path)
        .and_then(|mut f| f.write_all(buf.as_bytes()))
        .map_err(werr)
}

/// Runs the evaluation.
pub fn run(opts: &EvalOptions) -> Result<EvalReport, EvalError> {
    opts.detector.validate()?;
    let read = |p: &Path| {
        fs::read_to_string(p).map_err(|source| EvalError::Read {
            path: p.to_owned(),
            source,
        })
    };
    let windows = nab::parse_windows(&read(&opts.labels)?)?;
    let profiles: Vec<(String, CostMatrix)> = nab::parse_profiles(&read(&opts.profiles)?)?;
    let files: Vec<String> = list_csv(&opts.data)?
        .into_iter()
        .filter(|f| opts.selection.matches(f))
        .collect();
    if files.is_empty() {
        return Err(EvalError::NoFiles(opts.data.clone()));
    }
    let mut reports = Vec::new();
    let mut bad_rows = Vec::new();
    let mut sweeps = Vec::new();
    let mut quiet_scores: Vec<Vec<f64>> = Vec::new();
    let mut quiet = QuietReport {
        alert_threshold: opts.detector.alert_threshold,
        ..QuietReport::default()
    };
    let mut next_id = 0;
    for rel in &files {
        let path = opts.data.join(rel);
        let (rows, bad) = parse_series(&path, &read(&path)?, opts.strict)?;
        for b in &bad {
            tracing::warn!(file = %rel, line = b.line, reason = %b.reason, "skipped bad row");
        }
        bad_rows.extend(bad);
        let values: Vec<f64> = rows.iter().map(|r| r.value).collect();
        let scores = score_series(&values, &opts.detector)?;
        if let Some(out) = &opts.out {
            let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
            let target = out
                .join(&opts.detector_name)
                .join(dir)
                .join(format!("{}_{}", opts.detector_name, name));
            write_results(&target, &rows, &scores)?;
        }
        let epochs: Vec<i64> = rows.iter().map(|r| r.epoch).collect();
        let labelled = windows.get(rel.as_str());
        if labelled.is_none() {
            tracing::warn!(file = %rel, "no label entry; scored as a file without anomalies");
        }
        let idx = nab::index_windows(&epochs, labelled.map(Vec::as_slice).unwrap_or(&[]));
        let sweep = nab::sweep_file(&scores, &idx, next_id);
        next_id += idx.len();
        let alerts = scores
            .iter()
            .filter(|&&s| s >= opts.detector.alert_threshold)
            .count();
        let max_score = scores.iter().copied().fold(0.0, f64::max);
        if rel.split('/').next() == Some(NO_ANOMALY_GROUP) {
            quiet.files += 1;
            quiet.alerts += alerts;
            quiet.max_score = quiet.max_score.max(max_score);
            quiet_scores.push(scores.clone());
        }
        reports.push(FileReport {
            file: rel.clone(),
            rows: rows.len(),
            windows: idx.len(),
            max_score,
            alerts,
        });
        sweeps.push(sweep);
    }
    // The quiet check always runs when the data has the no-anomaly group, even if the
    // selection left it out of the scored files (it is then not part of the NAB scores).
    if quiet.files == 0 {
        let extra = list_csv(&opts.data)?
            .into_iter()
            .filter(|f| f.split('/').next() == Some(NO_ANOMALY_GROUP));
        for rel in extra {
            let path = opts.data.join(&rel);
            let (rows, _) = parse_series(&path, &read(&path)?, false)?;
            let values: Vec<f64> = rows.iter().map(|r| r.value).collect();
            let scores = score_series(&values, &opts.detector)?;
            quiet.files += 1;
            quiet.alerts += scores
                .iter()
                .filter(|&&s| s >= opts.detector.alert_threshold)
                .count();
            quiet.max_score = scores.iter().copied().fold(quiet.max_score, f64::max);
            quiet_scores.push(scores);
        }
    }
    let mut results = BTreeMap::new();
    for (name, cost) in &profiles {
        results.insert(name.clone(), nab::score_profile(&sweeps, cost));
    }
    if let Some(std) = results.get("standard") {
        quiet.above_standard_threshold = quiet_scores
            .iter()
            .flatten()
            .filter(|&&s| s >= std.threshold)
            .count();
    }
    Ok(EvalReport {
        files: reports,
        bad_rows,
        profiles: results,
        no_anomaly: (quiet.files > 0).then_some(quiet),
    })
}

/// Scores only, for callers that hold sweeps already.
pub fn score_sweeps(sweeps: &[FileSweep], cost: &CostMatrix) -> ProfileResult {
    nab::score_profile(sweeps, cost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "real*/ec2_*.csv",
            "realAWSCloudwatch/ec2_cpu.csv"
        ));
        assert!(glob_match("*", "x"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(!glob_match("realTweets/*", "realAWSCloudwatch/x.csv"));
    }

    #[test]
    fn machine_group_selection() {
        let s = Selection {
            groups: vec!["machine".into()],
            ..Selection::default()
        };
        assert!(s.matches("realAWSCloudwatch/grok_asg_anomaly.csv"));
        assert!(s.matches("realKnownCause/machine_temperature_system_failure.csv"));
        assert!(!s.matches("realKnownCause/nyc_taxi.csv"));
        assert!(!s.matches("realKnownCause/rogue_agent_key_hold.csv"));
        let g = Selection {
            globs: vec!["art_*".into()],
            ..Selection::default()
        };
        assert!(g.matches("artificialNoAnomaly/art_flatline.csv"));
        assert!(!g.matches("realTweets/Twitter_volume_FB.csv"));
    }

    #[test]
    fn bad_rows_are_reported_with_line_numbers() {
        let text = "timestamp,value\n2014-01-01 00:00:00,1\n2014-01-01 00:05:00,abc\n\
                    2014-01-01 00:10:00\n2014-01-01 00:15:00,nan\nnot a date,3\n\
                    2014-01-01 00:20:00,4\n2014-01-01 00:20:00,5\n2014-01-01 00:19:00,6\n";
        let (rows, bad) = parse_series(Path::new("x.csv"), text, false).unwrap();
        assert_eq!(rows.len(), 3, "a repeated timestamp is kept");
        let lines: Vec<usize> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, vec![3, 4, 5, 6, 9]);
        let err = parse_series(Path::new("x.csv"), text, true).unwrap_err();
        assert!(matches!(err, EvalError::BadRow { line: 3, .. }), "{err}");
        assert!(matches!(
            parse_series(Path::new("x.csv"), "time,v\n", false),
            Err(EvalError::BadHeader { .. })
        ));
    }

    #[test]
    fn injected_steps_all_alert_within_two_samples() {
        let r = step_latency(&DetectorConfig::default(), 100, 600, 6.0, 200).unwrap();
        assert_eq!(r.missed, 0);
        assert_eq!(r.false_alerts, 0, "{r:?}");
        assert!(r.max.is_some_and(|m| m <= 2), "{r:?}");
        assert!(r.median.is_some_and(|m| m <= r.p95.unwrap()));
        assert!(r.max >= r.p95);
    }

    #[test]
    fn scores_are_online() {
        // Changing a future value must not change earlier scores.
        let mut a: Vec<f64> = (0..400).map(|i| (i % 17) as f64).collect();
        let sa = score_series(&a, &DetectorConfig::default()).unwrap();
        a[350] = 1e6;
        let sb = score_series(&a, &DetectorConfig::default()).unwrap();
        assert_eq!(sa[..350], sb[..350]);
        assert!(sb[350] > sa[350]);
    }
}

/// The outcome of [`step_latency`] over several synthetic series.
#[derive(Debug, Clone, serde::Serialize)]
pub struct LatencyReport {
    pub series: usize,
    /// Samples observed from the step to the alert, counting the alerting one (1 = the first
    /// sample after the change alerted), per detected series.
    pub latencies: Vec<usize>,
    pub median: Option<usize>,
    /// 95th percentile (nearest rank) of the latencies.
    pub p95: Option<usize>,
    pub max: Option<usize>,
    /// Series whose step never alerted within `horizon` samples.
    pub missed: usize,
    /// Alerts before the step (false positives on the noise).
    pub false_alerts: usize,
}

fn mix(i: u64) -> f64 {
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
    x ^= x >> 31;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 29;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Runs the detector (inline retraining, the daemon's code path) over `n` synthetic series of
/// Gaussian-like noise (level and scale vary per series) with a step of `step_sigma` standard
/// deviations injected after `warm` samples, and counts samples from the step to the alert.
pub fn step_latency(
    cfg: &DetectorConfig,
    n: usize,
    warm: usize,
    step_sigma: f64,
    horizon: usize,
) -> Result<LatencyReport, DetectError> {
    let mut latencies = Vec::new();
    let (mut missed, mut false_alerts) = (0, 0);
    for s in 0..n as u64 {
        let mut d = Detector::new(cfg.clone())?;
        let level = 10.0 + 90.0 * mix(s * 7919 + 1);
        let scale = 0.5 + 5.0 * mix(s * 7919 + 2);
        let mut found = None;
        for i in 0..warm + horizon {
            let k = s * 1_000_003 + i as u64 * 4;
            // Sum of 4 uniforms: roughly normal, sd 1/sqrt(3) * ... normalised to 1.
            let z = ((0..4).map(|j| mix(k + j)).sum::<f64>() - 2.0) / (4.0f64 / 12.0).sqrt();
            let step = if i >= warm { step_sigma } else { 0.0 };
            let x = level + scale * (z + step);
            let score = d.update(x).score;
            if score >= cfg.alert_threshold {
                if i < warm {
                    false_alerts += 1;
                } else {
                    found = Some(i - warm + 1);
                    break;
                }
            }
        }
        match found {
            Some(l) => latencies.push(l),
            None => missed += 1,
        }
    }
    let mut sorted = latencies.clone();
    sorted.sort_unstable();
    Ok(LatencyReport {
        series: n,
        median: sorted.get(sorted.len() / 2).copied(),
        p95: (!sorted.is_empty())
            .then(|| sorted[(sorted.len() * 95).div_ceil(100).clamp(1, sorted.len()) - 1]),
        max: sorted.last().copied(),
        latencies,
        missed,
        false_alerts,
    })
}
