//! An implementation of the Numenta Anomaly Benchmark's scoring.
//!
//! It follows NAB's `sweeper.py` / `optimizer.py` / `runner.normalize`:
//!
//! * every labelled window gets a name; rows of the first `min(floor(0.15 n), 0.15 * 5000)` rows
//!   of a file are "probationary" and ignored;
//! * each row gets a sweep score: inside a window `scaledSigmoid(-(right - i + 1) / width)`
//!   scaled by `tpWeight / scaledSigmoid(-1)`; outside, `-1` before the first window and
//!   `scaledSigmoid(|prevRight - i| / (prevWidth - 1))` after one, times `fpWeight`;
//! * at a threshold, a window scores its best detected row (or `-fnWeight` when missed) and
//!   every detected row outside windows adds its (negative) sweep score;
//! * the threshold is optimised per profile over the whole corpus by sweeping all distinct
//!   scores in descending order; the final score is normalised so that the null detector
//!   (never detects) gets 0 and the perfect detector (every window at its left edge) 100.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Errors of the NAB scorer.
#[derive(Debug, thiserror::Error)]
pub enum NabError {
    #[error("cannot parse {what}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("bad timestamp `{0}` in the labels")]
    Timestamp(String),
    #[error("profile `{0}` is missing from the profiles")]
    MissingProfile(String),
}

/// The three profiles NAB reports, in its order.
pub const PROFILES: [&str; 3] = ["standard", "reward_low_FP_rate", "reward_low_FN_rate"];

/// NAB's default probationary share.
pub const PROBATION_PERCENT: f64 = 0.15;

/// A NAB cost matrix.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
pub struct CostMatrix {
    #[serde(rename = "tpWeight")]
    pub tp: f64,
    #[serde(rename = "fpWeight")]
    pub fp: f64,
    #[serde(rename = "fnWeight")]
    pub fn_: f64,
    #[serde(rename = "tnWeight", default)]
    pub tn: f64,
}

#[derive(Deserialize)]
struct ProfileEntry {
    #[serde(rename = "CostMatrix")]
    cost_matrix: CostMatrix,
}

/// Parses NAB's `profiles.json`.
pub fn parse_profiles(text: &str) -> Result<Vec<(String, CostMatrix)>, NabError> {
    let map: HashMap<String, ProfileEntry> =
        serde_json::from_str(text).map_err(|source| NabError::Json {
            what: "profiles",
            source,
        })?;
    PROFILES
        .iter()
        .map(|&name| {
            map.get(name)
                .map(|e| (name.to_owned(), e.cost_matrix))
                .ok_or_else(|| NabError::MissingProfile(name.to_owned()))
        })
        .collect()
}

/// Label windows per data file (relative path such as `realKnownCause/nyc_taxi.csv`), as
/// seconds since the Unix epoch.
pub type Windows = HashMap<String, Vec<(i64, i64)>>;

/// Parses NAB's `combined_windows.json`.
pub fn parse_windows(text: &str) -> Result<Windows, NabError> {
    let raw: HashMap<String, Vec<(String, String)>> =
        serde_json::from_str(text).map_err(|source| NabError::Json {
            what: "label windows",
            source,
        })?;
    raw.into_iter()
        .map(|(file, ws)| {
            let ws = ws
                .into_iter()
                .map(|(a, b)| {
                    let a = parse_timestamp(&a).ok_or(NabError::Timestamp(a))?;
                    let b = parse_timestamp(&b).ok_or(NabError::Timestamp(b))?;
                    Ok((a, b))
                })
                .collect::<Result<Vec<_>, NabError>>()?;
            Ok((file, ws))
        })
        .collect()
}

/// Parses `YYYY-MM-DD HH:MM:SS[.ffffff]` (or with a `T`) into seconds since the epoch (UTC).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let s = s.trim();
    let (date, time) = s.split_once([' ', 'T'])?;
    let mut d = date.splitn(3, '-');
    let y: i64 = d.next()?.parse().ok()?;
    let mo: i64 = d.next()?.parse().ok()?;
    let da: i64 = d.next()?.parse().ok()?;
    let time = time.trim_end_matches('Z');
    let time = time.split('.').next()?;
    let mut t = time.splitn(3, ':');
    let h: i64 = t.next()?.parse().ok()?;
    let mi: i64 = t.next()?.parse().ok()?;
    let se: i64 = t.next().unwrap_or("0").parse().ok()?;
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + da - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se)
}

/// Converts time windows to inclusive row-index windows of a file.
pub fn index_windows(timestamps: &[i64], windows: &[(i64, i64)]) -> Vec<(usize, usize)> {
    windows
        .iter()
        .filter_map(|&(a, b)| {
            let left = timestamps.iter().position(|&t| t >= a)?;
            let right = timestamps.iter().rposition(|&t| t <= b)?;
            (left <= right).then_some((left, right))
        })
        .collect()
}

/// NAB's probationary length for a file of `rows` rows.
pub fn probationary_length(rows: usize) -> usize {
    let a = (PROBATION_PERCENT * rows as f64).floor();
    let b = PROBATION_PERCENT * 5000.0;
    a.min(b) as usize
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// NAB's `scaledSigmoid`.
pub fn scaled_sigmoid(relative_position: f64) -> f64 {
    if relative_position > 3.0 {
        -1.0
    } else {
        2.0 * sigmoid(-5.0 * relative_position) - 1.0
    }
}

/// One scorable row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub score: f64,
    /// Unweighted sweep value: positive inside a window, negative outside.
    pub sweep: f64,
    /// Corpus-wide window id when the row lies in a window.
    pub window: Option<usize>,
}

/// Scored rows of one file plus its scorable window ids.
#[derive(Debug, Clone, Default)]
pub struct FileSweep {
    pub points: Vec<Point>,
    pub windows: Vec<usize>,
}

/// Computes the sweep values of one file's rows (probationary rows dropped). `first_id` is the
/// corpus-wide id given to the file's first window.
pub fn sweep_file(scores: &[f64], windows: &[(usize, usize)], first_id: usize) -> FileSweep {
    let n = scores.len();
    let probation = probationary_length(n);
    let max_tp = scaled_sigmoid(-1.0);
    let mut out = FileSweep::default();
    let mut win_iter = windows.iter().enumerate().peekable();
    let mut current: Option<(usize, usize, f64)> = None; // (id, right, width)
    let mut previous: Option<(usize, f64)> = None; // (right, width)
    for (i, &score) in scores.iter().enumerate() {
        if current.is_none()
            && let Some(&(k, &(left, right))) = win_iter.peek()
            && left == i
        {
            current = Some((first_id + k, right, (right - i + 1) as f64));
            win_iter.next();
        }
        let (sweep, window) = match current {
            Some((id, right, width)) => {
                let pos = -((right - i + 1) as f64) / width;
                (scaled_sigmoid(pos) / max_tp, Some(id))
            }
            None => match previous {
                None => (-1.0, None),
                Some((right, width)) => {
                    let pos = (i - right) as f64 / (width - 1.0).max(1.0);
                    (scaled_sigmoid(pos), None)
                }
            },
        };
        if i >= probation {
            out.points.push(Point {
                score,
                sweep,
                window,
            });
            if let Some(w) = window
                && out.windows.last() != Some(&w)
            {
                out.windows.push(w);
            }
        }
        if let Some((_, right, width)) = current
            && i == right
        {
            previous = Some((right, width));
            current = None;
        }
    }
    out
}

/// Score and confusion counts at one threshold.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdScore {
    pub threshold: f64,
    pub score: f64,
    pub tp: usize,
    pub fp: usize,
}

fn weighted(p: &Point, cost: &CostMatrix) -> f64 {
    if p.window.is_some() {
        p.sweep * cost.tp
    } else {
        p.sweep * cost.fp
    }
}

/// Raw score of a set of files at a fixed threshold (rows with `score >= threshold` detect).
pub fn score_at(files: &[FileSweep], cost: &CostMatrix, threshold: f64) -> ThresholdScore {
    let mut best: HashMap<usize, f64> = HashMap::new();
    let mut fp_sum = 0.0;
    let (mut tp, mut fp) = (0, 0);
    let mut windows = 0;
    for f in files {
        windows += f.windows.len();
        for p in &f.points {
            if p.score < threshold {
                continue;
            }
            let w = weighted(p, cost);
            match p.window {
                Some(id) => {
                    tp += 1;
                    let e = best.entry(id).or_insert(f64::NEG_INFINITY);
                    *e = e.max(w);
                }
                None => {
                    fp += 1;
                    fp_sum += w;
                }
            }
        }
    }
    let missed = windows - best.len();
    let score = fp_sum + best.values().sum::<f64>() - cost.fn_ * missed as f64;
    ThresholdScore {
        threshold,
        score,
        tp,
        fp,
    }
}

/// NAB's threshold optimisation: the best raw score over all distinct score values.
pub fn optimize_threshold(files: &[FileSweep], cost: &CostMatrix) -> ThresholdScore {
    let mut all: Vec<&Point> = files.iter().flat_map(|f| f.points.iter()).collect();
    all.sort_by(|a, b| b.score.total_cmp(&a.score));
    let windows: usize = files.iter().map(|f| f.windows.len()).sum();
    let mut parts: HashMap<usize, f64> = HashMap::new();
    let mut fp_sum = 0.0;
    let (mut tp, mut fp) = (0, 0);
    let base = -cost.fn_ * windows as f64;
    let current = |parts: &HashMap<usize, f64>, fp_sum: f64| {
        let hit: f64 = parts.values().sum();
        base + cost.fn_ * parts.len() as f64 + hit + fp_sum
    };
    // Nothing detected: every window missed.
    let mut best = ThresholdScore {
        threshold: 1.1,
        score: base,
        tp: 0,
        fp: 0,
    };
    let mut i = 0;
    while i < all.len() {
        let threshold = all[i].score;
        while i < all.len() && all[i].score == threshold {
            let p = all[i];
            let w = weighted(p, cost);
            match p.window {
                Some(id) => {
                    tp += 1;
                    let e = parts.entry(id).or_insert(f64::NEG_INFINITY);
                    *e = e.max(w);
                }
                None => {
                    fp += 1;
                    fp_sum += w;
                }
            }
            i += 1;
        }
        let score = current(&parts, fp_sum);
        if score > best.score {
            best = ThresholdScore {
                threshold,
                score,
                tp,
                fp,
            };
        }
    }
    best
}

/// Final result for one profile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ProfileResult {
    pub threshold: f64,
    pub raw: f64,
    pub null: f64,
    pub perfect: f64,
    pub normalized: f64,
    pub tp: usize,
    pub fp: usize,
}

/// Optimises the threshold and normalises against the null and perfect detectors.
pub fn score_profile(files: &[FileSweep], cost: &CostMatrix) -> ProfileResult {
    let best = optimize_threshold(files, cost);
    let windows: usize = files.iter().map(|f| f.windows.len()).sum();
    let null = -cost.fn_ * windows as f64;
    let perfect = cost.tp * windows as f64;
    let normalized = if perfect > null {
        100.0 * (best.score - null) / (perfect - null)
    } else {
        0.0
    };
    ProfileResult {
        threshold: best.threshold,
        raw: best.score,
        null,
        perfect,
        normalized,
        tp: best.tp,
        fp: best.fp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STANDARD: CostMatrix = CostMatrix {
        tp: 1.0,
        fp: 0.11,
        fn_: 1.0,
        tn: 1.0,
    };

    fn file(n: usize, windows: &[(usize, usize)], f: impl Fn(usize) -> f64) -> Vec<f64> {
        let _ = windows;
        (0..n).map(f).collect()
    }

    #[test]
    fn timestamps_parse_like_nab() {
        assert_eq!(parse_timestamp("1970-01-01 00:00:00"), Some(0));
        assert_eq!(
            parse_timestamp("2014-04-15 07:24:00.000000"),
            parse_timestamp("2014-04-15 07:24:00")
        );
        assert_eq!(parse_timestamp("2000-03-01 00:00:01"), Some(951_868_801));
        assert_eq!(parse_timestamp("2014-13-01 00:00:00"), None);
        assert_eq!(parse_timestamp("garbage"), None);
    }

    #[test]
    fn probation_matches_nab() {
        assert_eq!(probationary_length(4032), 604);
        assert_eq!(probationary_length(15902), 750);
    }

    #[test]
    fn perfect_detector_scores_100_and_null_0() {
        let wins = [(1000, 1199), (3000, 3199)];
        let perfect = file(
            4000,
            &wins,
            |i| if i == 1000 || i == 3000 { 1.0 } else { 0.0 },
        );
        let null = vec![0.5; 4000];
        let low_fp = CostMatrix {
            fp: 0.22,
            ..STANDARD
        };
        let low_fn = CostMatrix {
            fn_: 2.0,
            ..STANDARD
        };
        for cost in [STANDARD, low_fp, low_fn] {
            let p = score_profile(&[sweep_file(&perfect, &wins, 0)], &cost);
            assert!((p.normalized - 100.0).abs() < 1e-9, "{p:?}");
            let z = score_profile(&[sweep_file(&null, &wins, 0)], &cost);
            assert!(z.normalized.abs() < 1e-9, "{z:?}");
        }
    }

    #[test]
    fn late_detection_earns_less_and_false_positives_cost() {
        let wins = [(1000, 1199)];
        let early = file(2000, &wins, |i| if i == 1010 { 1.0 } else { 0.0 });
        let late = file(2000, &wins, |i| if i == 1190 { 1.0 } else { 0.0 });
        let s_early = score_profile(&[sweep_file(&early, &wins, 0)], &STANDARD);
        let s_late = score_profile(&[sweep_file(&late, &wins, 0)], &STANDARD);
        assert!(s_early.normalized > s_late.normalized);
        assert!(s_late.normalized > 50.0, "any detection beats a miss");
        // A false positive far from any window costs fpWeight.
        let mut fp = early.clone();
        fp[700] = 1.0;
        let s_fp = score_profile(&[sweep_file(&fp, &wins, 0)], &STANDARD);
        assert!(
            (s_early.raw - s_fp.raw - 0.11).abs() < 1e-9,
            "{s_early:?} {s_fp:?}"
        );
        // Detections inside the probationary period are ignored.
        let mut prob = early.clone();
        prob[10] = 1.0;
        let s_prob = score_profile(&[sweep_file(&prob, &wins, 0)], &STANDARD);
        assert_eq!(s_prob.raw, s_early.raw);
    }

    #[test]
    fn sweep_values_follow_the_scaled_sigmoid() {
        let wins = [(1000, 1099)];
        let s = sweep_file(&vec![0.0; 2000], &wins, 7);
        let probation = probationary_length(2000);
        let at = |i: usize| s.points[i - probation];
        assert!((at(1000).sweep - 1.0).abs() < 1e-12);
        assert_eq!(at(1000).window, Some(7));
        let mid = scaled_sigmoid(-50.0 / 100.0) / scaled_sigmoid(-1.0);
        assert!((at(1050).sweep - mid).abs() < 1e-12);
        assert_eq!(at(999).sweep, -1.0);
        assert!(at(1100).sweep < 0.0 && at(1100).sweep > -0.1);
        assert_eq!(at(1999).sweep, -1.0);
        assert_eq!(s.windows, vec![7]);
    }

    #[test]
    fn threshold_sweep_agrees_with_fixed_threshold_scoring() {
        let wins = [(900, 1000), (1500, 1600)];
        let scores: Vec<f64> = (0..2000)
            .map(|i| ((i * 7919) % 1000) as f64 / 1000.0)
            .collect();
        let files = [sweep_file(&scores, &wins, 0)];
        let best = optimize_threshold(&files, &STANDARD);
        let direct = score_at(&files, &STANDARD, best.threshold);
        assert!((best.score - direct.score).abs() < 1e-9);
        for t in [0.5, 0.9, 0.99, 0.999] {
            assert!(score_at(&files, &STANDARD, t).score <= best.score + 1e-9);
        }
    }

    #[test]
    fn profiles_and_windows_parse() {
        let p = parse_profiles(
            r#"{"standard":{"CostMatrix":{"tpWeight":1.0,"fnWeight":1.0,"fpWeight":0.11,"tnWeight":1.0}},
                "reward_low_FP_rate":{"CostMatrix":{"tpWeight":1.0,"fnWeight":1.0,"fpWeight":0.22,"tnWeight":1.0}},
                "reward_low_FN_rate":{"CostMatrix":{"tpWeight":1.0,"fnWeight":2.0,"fpWeight":0.11,"tnWeight":1.0}}}"#,
        )
        .unwrap();
        assert_eq!(p[2].1.fn_, 2.0);
        assert!(parse_profiles("{}").is_err());
        let w = parse_windows(
            r#"{"a/b.csv": [["2014-04-15 07:24:00.000000", "2014-04-16 11:54:00.000000"]], "c.csv": []}"#,
        )
        .unwrap();
        let ts: Vec<i64> = (0..1000)
            .map(|i| parse_timestamp("2014-04-15 00:00:00").unwrap() + i * 300)
            .collect();
        let idx = index_windows(&ts, &w["a/b.csv"]);
        assert_eq!(idx, vec![(89, 430)]);
    }
}
