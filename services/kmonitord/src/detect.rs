//! Online anomaly detection for one metric series.
//!
//! The detector is an ensemble of four raw anomaly measures, each computed against a model
//! learnt from a bounded rolling window of the series:
//!
//! * `level`  – robust z-score of the value against the window's median / MAD;
//! * `diff`   – robust z-score of the first difference (spikes in smooth series);
//! * `shift`  – robust z-score of a short moving mean (level shifts hidden in noise);
//! * `kmeans` – distance of the lagged feature vector (recent values and differences) to the
//!   nearest of `k` centroids fitted with `linfa-clustering`'s k-means (unusual shapes);
//! * `burst`  – mean of the clipped `level` z-scores over a longer span (a change in the
//!   density of spikes, a sustained excursion);
//! * `record` – how far the value leaves the window's observed range, relative to that range
//!   (a new maximum or minimum).
//!
//! Raw measures are not comparable between series, so each one is calibrated against the
//! history of its own values with a peaks-over-threshold tail model (a generalised Pareto
//! distribution fitted by the method of moments, as in SPOT). That turns every measure into a
//! tail probability `p_i`; the ensemble probability is `min_i p_i * n` (Bonferroni) and the
//! score is `-log10(p) / full_scale` clamped to `[0, 1]`. A score that does not exceed the
//! recent maximum is damped, so one incident produces one leading peak instead of a plateau.
//!
//! One more test joins the ensemble when the window looks like white Gaussian noise (lag-1
//! autocorrelation near 0, 99th percentile and maximum of the deviations within a Gaussian's):
//! the mean of the last two samples against the window's median, with the Gaussian tail. The
//! peaks-over-threshold fit with a non-negative shape is deliberately conservative, and on
//! white noise that conservatism cost a sample or two of latency on a step whose first samples
//! fell low in the noise; real metrics (autocorrelated, seasonal, heavy-tailed) fail the check
//! and are scored as before.
//!
//! Everything is counted in samples, never in seconds: the detector does not depend on the
//! sampling rate and is immune to clock jumps. Memory per series is bounded by
//! `window * (1 + components) + suppress` floats plus the model.
//!
//! Retraining is split from scoring so the daemon can run it on a worker thread:
//! [`Detector::observe`] scores with the installed [`Model`]; when
//! [`Detector::training_due`] says so, [`Detector::snapshot`] copies the window into a
//! [`TrainingSet`], [`train`] (pure, `Send`) builds a new model anywhere, and
//! [`Detector::install`] swaps it in. [`Detector::update`] does all of it inline.

use std::collections::VecDeque;
use std::sync::Arc;

use linfa::prelude::*;
use linfa_clustering::KMeans;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// Number of raw measures in the ensemble.
pub const COMPONENTS: usize = 6;
/// Names of the raw measures, in order.
pub const COMPONENT_NAMES: [&str; COMPONENTS] =
    ["level", "diff", "shift", "kmeans", "burst", "record"];

/// Errors of the detector module.
#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error("invalid detector setting `{key}`: {reason}")]
    Config { key: &'static str, reason: String },
}

/// Detector settings; every length is a number of samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DetectorConfig {
    /// Rolling window the model learns from.
    pub window: usize,
    /// History of raw measures the tail models are fitted on (can exceed `window`).
    pub tail_window: usize,
    /// Most recent raw measures left out of the tail fits, so that an ongoing incident is not
    /// learnt as normal at once.
    pub guard: usize,
    /// Samples seen before the first model is trained; scores are 0 until then.
    pub warmup: usize,
    /// Retrain the robust statistics and tail models every this many samples.
    pub retrain_every: usize,
    /// Refit the k-means centroids every this many samples.
    pub kmeans_every: usize,
    /// Number of k-means clusters.
    pub kmeans_k: usize,
    /// Lag depth of the k-means feature vectors.
    pub lags: usize,
    /// Length of the short moving mean used by the `shift` measure.
    pub smooth: usize,
    /// Add the white-noise step test (mean of the last two samples, Gaussian tail) when the
    /// window looks like white Gaussian noise.
    pub white_step: bool,
    /// Largest lag-1 autocorrelation of the window for which it counts as white noise.
    pub white_max_autocorr: f64,
    /// Span of the `burst` measure.
    pub burst: usize,
    /// Samples seen before any non-zero score (the model's learning period).
    pub learn: usize,
    /// Quantile above which the tail model is fitted.
    pub tail_quantile: f64,
    /// Upper bound of the fitted generalised Pareto shape (heavier tails are capped).
    pub max_shape: f64,
    /// Weight in `[0, 1]` of the second-strongest measure: 0 trusts the strongest alone,
    /// 0.5 takes the geometric mean of the two strongest (both must agree).
    pub agreement: f64,
    /// Measures left out of the ensemble (names from [`COMPONENT_NAMES`]).
    pub disabled: Vec<String>,
    /// Weight of the empirical floor of tail probabilities (0 trusts the fitted tail alone).
    pub empirical: f64,
    /// Multiplier of the per-measure minimum tail scale.
    pub min_scale: f64,
    /// `-log10(p)` that maps to a score of 1. With the default alert threshold of 0.3 an
    /// alert needs `p <= 10^-4.2`: with the white-noise step test, 14 lets every 6-sigma step
    /// of `kmonitor latency` alert within two samples while NAB's `artificialNoAnomaly` stays
    /// silent.
    pub full_scale: f64,
    /// Samples over which a repeated peak is damped.
    pub suppress: usize,
    /// A score passes undamped only if `score * damp_ratio` exceeds the recent maximum.
    pub damp_ratio: f64,
    /// ... and exceeds it by at least this much (when a recent maximum exists).
    pub damp_margin: f64,
    /// Factor applied to scores that do not pass.
    pub damp: f64,
    /// Report only what a peak adds over the recent maximum (`undamped - weight * max`).
    pub novelty: bool,
    /// Share of the recent maximum subtracted in novelty mode.
    pub novelty_weight: f64,
    /// Score at or above which the daemon raises an alert.
    pub alert_threshold: f64,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        Self {
            window: 512,
            tail_window: 512,
            guard: 24,
            warmup: 48,
            retrain_every: 8,
            kmeans_every: 128,
            kmeans_k: 4,
            lags: 4,
            smooth: 4,
            white_step: true,
            white_max_autocorr: 0.1,
            burst: 16,
            learn: 160,
            tail_quantile: 0.9,
            max_shape: 0.3,
            agreement: 0.0,
            disabled: Vec::new(),
            empirical: 1.0,
            min_scale: 0.3,
            full_scale: 14.0,
            suppress: 300,
            damp: 0.1,
            damp_ratio: 1.0,
            damp_margin: 0.05,
            novelty: false,
            novelty_weight: 1.0,
            alert_threshold: 0.3,
        }
    }
}

impl DetectorConfig {
    /// Checks the settings for consistency.
    pub fn validate(&self) -> Result<(), DetectError> {
        let bad = |key, reason: &str| {
            Err(DetectError::Config {
                key,
                reason: reason.to_owned(),
            })
        };
        if self.window < 32 {
            return bad("window", "must be at least 32 samples");
        }
        if self.warmup < 8 || self.warmup > self.window {
            return bad("warmup", "must be between 8 and `window`");
        }
        if self.retrain_every == 0 || self.kmeans_every == 0 {
            return bad("retrain_every", "retrain periods must be positive");
        }
        if self.kmeans_k < 1 || self.kmeans_k > 16 {
            return bad("kmeans_k", "must be between 1 and 16");
        }
        if self.lags < 1 || self.lags > 16 || self.smooth < 1 || self.smooth > 64 {
            return bad("lags", "lags must be in 1..=16 and smooth in 1..=64");
        }
        if self.guard * 2 > self.tail_window {
            return bad("guard", "must be at most half of `tail_window`");
        }
        if self.tail_window < 32 || self.tail_window > 65_536 {
            return bad("tail_window", "must be between 32 and 65536");
        }
        if let Some(d) = self
            .disabled
            .iter()
            .find(|d| !COMPONENT_NAMES.contains(&d.as_str()))
        {
            return bad("disabled", &format!("unknown measure `{d}`"));
        }
        if self.disabled.len() >= COMPONENTS {
            return bad("disabled", "at least one measure must stay enabled");
        }
        if !(0.0..=1.0).contains(&self.agreement) {
            return bad("agreement", "must be in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.damp_ratio) {
            return bad("damp_ratio", "must be in [0, 1]");
        }
        if self.burst < 2 || self.burst > self.window {
            return bad("burst", "must be between 2 and `window`");
        }
        if self.learn < self.warmup {
            return bad("learn", "must be at least `warmup`");
        }
        if !(0.5..1.0).contains(&self.tail_quantile) {
            return bad("tail_quantile", "must be in [0.5, 1)");
        }
        if !(self.full_scale > 0.0 && self.full_scale.is_finite()) {
            return bad("full_scale", "must be a positive number");
        }
        if !(0.0..=1.0).contains(&self.damp) {
            return bad("damp", "must be in [0, 1]");
        }
        if !(0.0..=1.0).contains(&self.alert_threshold) {
            return bad("alert_threshold", "must be in [0, 1]");
        }
        Ok(())
    }
}

/// Robust location and scale of a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Robust {
    pub median: f64,
    pub scale: f64,
}

impl Robust {
    /// Median and a robust scale: 1.4826·MAD, falling back to the mean absolute deviation
    /// when more than half of the sample is one value, and to a tiny relative epsilon on a flat
    /// series.
    pub fn fit(sample: &[f64]) -> Option<Self> {
        if sample.is_empty() {
            return None;
        }
        let mut buf = sample.to_vec();
        let median = median_in_place(&mut buf);
        for v in buf.iter_mut() {
            *v = (*v - median).abs();
        }
        let mean_abs = buf.iter().sum::<f64>() / buf.len() as f64;
        let mad = median_in_place(&mut buf);
        let eps = 1e-9 * median.abs().max(1.0);
        let scale = (1.4826 * mad).max(1.2533 * mean_abs).max(eps);
        Some(Self { median, scale })
    }

    fn z(&self, x: f64) -> f64 {
        ((x - self.median) / self.scale).abs()
    }
}

fn median_in_place(buf: &mut [f64]) -> f64 {
    let n = buf.len();
    let mid = n / 2;
    let (_, m, _) = buf.select_nth_unstable_by(mid, f64::total_cmp);
    let upper = *m;
    if n % 2 == 1 {
        upper
    } else {
        let lower = buf[..mid].iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (lower + upper) / 2.0
    }
}

/// Peaks-over-threshold tail model of a raw measure.
#[derive(Debug, Clone, PartialEq)]
pub struct Tail {
    /// Threshold above which the tail is modelled.
    pub threshold: f64,
    /// Observed share of the sample above `threshold`.
    pub exceed: f64,
    /// Generalised Pareto shape (clamped to `[0, max_shape]`).
    pub shape: f64,
    /// Generalised Pareto scale.
    pub scale: f64,
    /// Observed excesses over `threshold`, sorted ascending (at most `1 - q` of the sample).
    excesses: Vec<f64>,
    /// Size of the sample the model was fitted on.
    n: usize,
    /// Weight of the empirical floor: a value is never rarer than
    /// `weight * share of the sample at or above it`.
    empirical: f64,
}

impl Tail {
    /// Fits the tail above the `q` quantile of `sample` (at least 16 values).
    pub fn fit(sample: &[f64], q: f64, max_shape: f64, min_scale: f64) -> Option<Self> {
        let n = sample.len();
        if n < 16 {
            return None;
        }
        let mut buf = sample.to_vec();
        let k = (((n - 1) as f64) * q).round() as usize;
        let (_, t, _) = buf.select_nth_unstable_by(k, f64::total_cmp);
        let threshold = *t;
        let mut excesses: Vec<f64> = sample
            .iter()
            .filter(|&&v| v > threshold)
            .map(|&v| v - threshold)
            .collect();
        excesses.sort_by(f64::total_cmp);
        let floor = min_scale.max(1e-6 * threshold.abs().max(1e-3));
        if excesses.is_empty() {
            return Some(Self {
                threshold,
                exceed: 1.0 / (n as f64 + 1.0),
                shape: 0.0,
                scale: floor,
                excesses,
                n,
                empirical: 0.0,
            });
        }
        let m = excesses.iter().sum::<f64>() / excesses.len() as f64;
        let var = excesses.iter().map(|e| (e - m).powi(2)).sum::<f64>() / excesses.len() as f64;
        let (shape, scale) = if var > 0.0 && m > 0.0 {
            let r = m * m / var;
            let xi = (0.5 * (1.0 - r)).clamp(0.0, max_shape);
            (xi, (m * (1.0 - xi)).max(floor))
        } else {
            (0.0, m.max(floor))
        };
        Some(Self {
            threshold,
            exceed: excesses.len() as f64 / n as f64,
            shape,
            scale,
            excesses,
            n,
            empirical: 0.0,
        })
    }

    /// Probability of a value at least `x` under the model (1 below the threshold).
    pub fn p_value(&self, x: f64) -> f64 {
        if x.is_nan() || x <= self.threshold {
            return 1.0;
        }
        let y = (x - self.threshold) / self.scale;
        let tail = if self.shape < 1e-9 {
            (-y).exp()
        } else {
            (1.0 + self.shape * y).powf(-1.0 / self.shape)
        };
        let e = x - self.threshold;
        let at_or_above = self.excesses.len() - self.excesses.partition_point(|&v| v < e);
        let floor = self.empirical * at_or_above as f64 / self.n.max(1) as f64;
        (self.exceed * tail)
            .max(floor)
            .clamp(f64::MIN_POSITIVE, 1.0)
    }
}

/// k-means centroids with the normalisation their features were built with.
#[derive(Debug, Clone, PartialEq)]
pub struct KmModel {
    level: Robust,
    diff: Robust,
    centroids: Vec<Vec<f64>>,
}

impl KmModel {
    fn distance(&self, feat: &[f64]) -> f64 {
        self.centroids
            .iter()
            .map(|c| {
                c.iter()
                    .zip(feat)
                    .map(|(a, b)| (a - b).powi(2))
                    .sum::<f64>()
            })
            .fold(f64::INFINITY, f64::min)
            .sqrt()
    }
}

/// A trained model; cheap to clone behind an [`Arc`].
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Sample count at which the training snapshot was taken.
    pub trained_at: u64,
    pub level: Robust,
    /// Observed range of the training window.
    pub range: (f64, f64),
    pub diff: Robust,
    pub kmeans: Option<KmModel>,
    pub tails: [Option<Tail>; COMPONENTS],
    /// Median and Gaussian scale of the window when it looks like white Gaussian noise (see
    /// [`white_noise`]); enables the two-sample step test.
    pub white: Option<(f64, f64)>,
}

/// Everything [`train`] needs, copied out of a detector.
#[derive(Debug, Clone)]
pub struct TrainingSet {
    pub taken_at: u64,
    pub values: Vec<f64>,
    pub raw: [Vec<f64>; COMPONENTS],
    /// Whether the k-means centroids should be refitted (else `previous_kmeans` is kept).
    pub refit_kmeans: bool,
    pub previous_kmeans: Option<KmModel>,
    pub config: DetectorConfig,
}

/// Index of the `shift` measure (also reported for the white-noise step test).
const SHIFT: usize = 2;

/// Median and Gaussian scale of `values` when they look like white Gaussian noise: lag-1
/// autocorrelation at most `max_autocorr` and absolute deviations from the median shaped like
/// `|N(0, sigma)|` ([`gaussian_scale`]). `None` otherwise (trends, seasons, heavy tails, steps).
pub fn white_noise(values: &[f64], max_autocorr: f64) -> Option<(f64, f64)> {
    if values.len() < 128 || lag1_autocorrelation(values) > max_autocorr {
        return None;
    }
    let mut buf = values.to_vec();
    let median = median_in_place(&mut buf);
    let dev: Vec<f64> = values.iter().map(|v| (v - median).abs()).collect();
    gaussian_scale(&dev).map(|sigma| (median, sigma))
}

/// Scale `sigma` of a sample of absolute deviations when it looks like `|N(0, sigma)|`: the
/// median gives `sigma`, and the 99th percentile and the maximum must not exceed a Gaussian's
/// (with a margin for the sampling error). `None` for short, degenerate or heavy-tailed samples.
pub fn gaussian_scale(sample: &[f64]) -> Option<f64> {
    let n = sample.len();
    if n < 128 || sample.iter().any(|v| !v.is_finite() || *v < 0.0) {
        return None;
    }
    let mut buf = sample.to_vec();
    buf.sort_by(f64::total_cmp);
    // Median of |N(0, 1)| is 0.6745, its 99th percentile 2.576.
    let sigma = buf[n / 2] / 0.6745;
    if !(sigma > 0.0 && sigma.is_finite()) {
        return None;
    }
    let q99 = buf[(n - 1) * 99 / 100];
    // The expected maximum of n values of |N(0, 1)| is below sqrt(2 ln 2n); allow a quarter.
    let max_ok = (2.0 * (2.0 * n as f64).ln()).sqrt() + 0.25;
    // The scale is inflated by 3 %, about the sampling error of a median-based scale on a few
    // hundred values, so that an underestimate does not turn noise into alerts.
    (q99 <= 2.576 * 1.15 * sigma && buf[n - 1] <= max_ok * sigma).then_some(sigma * 1.03)
}

/// Lag-1 autocorrelation of a sample (0 for a short or constant one).
pub fn lag1_autocorrelation(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 3 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
    if !(var > 0.0 && var.is_finite()) {
        return 0.0;
    }
    let cov: f64 = values
        .windows(2)
        .map(|w| (w[0] - mean) * (w[1] - mean))
        .sum();
    cov / var
}

/// Two-sided Gaussian tail probability of a z-score: `P(|N(0, 1)| >= z)`.
pub fn gaussian_p(z: f64) -> f64 {
    if z.is_nan() {
        return 1.0;
    }
    erfc(z.abs() / std::f64::consts::SQRT_2).clamp(f64::MIN_POSITIVE, 1.0)
}

/// Complementary error function (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

const FEATURE_CLIP: f64 = 20.0;
const BURST_CLIP: f64 = 10.0;
/// Smallest tail scale per measure, in the measure's own unit (robust z for `level`, `diff`,
/// `shift`, `burst`; feature-space distance for `kmeans`; share of the range for `record`),
/// multiplied by [`DetectorConfig::min_scale`]: an excess smaller than that is never extreme.
/// The k-means distance (in `2 * lags` dimensions) spreads wider than a z-score, and its tail
/// fitted on a few dozen excesses was the main source of alerts on pure noise at 1.0 (1 in 300
/// series of `kmonitor latency`); 1.75 removes them and leaves NAB's machine scores unchanged.
const MIN_TAIL_SCALE: [f64; COMPONENTS] = [1.0, 1.0, 1.0, 1.75, 0.5, 0.2];

fn features(values: &[f64], lags: usize, level: &Robust, diff: &Robust) -> Option<Vec<f64>> {
    let n = values.len();
    if n < lags + 1 {
        return None;
    }
    let tail = &values[n - lags - 1..];
    let mut f = Vec::with_capacity(2 * lags);
    for &v in &tail[1..] {
        f.push(((v - level.median) / level.scale).clamp(-FEATURE_CLIP, FEATURE_CLIP));
    }
    for w in tail.windows(2) {
        f.push(((w[1] - w[0] - diff.median) / diff.scale).clamp(-FEATURE_CLIP, FEATURE_CLIP));
    }
    Some(f)
}

fn fit_kmeans(
    values: &[f64],
    cfg: &DetectorConfig,
    level: Robust,
    diff: Robust,
) -> Option<KmModel> {
    let lags = cfg.lags;
    if values.len() < lags + 1 + cfg.kmeans_k * 4 {
        return None;
    }
    let count = values.len() - lags;
    let stride = count.div_ceil(256).max(1);
    let mut flat = Vec::new();
    let mut rows = 0;
    let mut end = values.len();
    while end > lags {
        if let Some(f) = features(&values[..end], lags, &level, &diff) {
            flat.extend(f);
            rows += 1;
        }
        end = end.saturating_sub(stride);
    }
    let data = Array2::from_shape_vec((rows, 2 * lags), flat).ok()?;
    let dataset = DatasetBase::from(data);
    let km = KMeans::params(cfg.kmeans_k.min(rows))
        .n_runs(2)
        .max_n_iterations(40)
        .tolerance(1e-3)
        .fit(&dataset)
        .ok()?;
    let centroids = km
        .centroids()
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect();
    Some(KmModel {
        level,
        diff,
        centroids,
    })
}

/// Builds a model from a snapshot. Pure and `Send`: run it wherever is convenient.
pub fn train(set: &TrainingSet) -> Model {
    let values = &set.values;
    let level = Robust::fit(values).unwrap_or(Robust {
        median: 0.0,
        scale: 1.0,
    });
    let diffs: Vec<f64> = values.windows(2).map(|w| w[1] - w[0]).collect();
    let diff = Robust::fit(&diffs).unwrap_or(Robust {
        median: 0.0,
        scale: 1.0,
    });
    let kmeans = if set.refit_kmeans {
        fit_kmeans(values, &set.config, level, diff).or_else(|| set.previous_kmeans.clone())
    } else {
        set.previous_kmeans.clone()
    };
    let tails = std::array::from_fn(|i| {
        Tail::fit(
            &set.raw[i],
            set.config.tail_quantile,
            set.config.max_shape,
            MIN_TAIL_SCALE[i] * set.config.min_scale,
        )
        .map(|mut t| {
            t.empirical = set.config.empirical;
            t
        })
    });
    Model {
        trained_at: set.taken_at,
        range: values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            }),
        level,
        diff,
        kmeans,
        tails,
        white: if set.config.white_step {
            // The most recent `guard` values are left out, as for the tail fits: an ongoing
            // step must not switch off the test that confirms it.
            let keep = values.len().saturating_sub(set.config.guard);
            white_noise(&values[..keep], set.config.white_max_autocorr)
        } else {
            None
        },
    }
}

/// Per-sample detail of a score, for explanations and tests.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Scored {
    /// Final score in `[0, 1]`.
    pub score: f64,
    /// Score before the damping of repeated peaks.
    pub undamped: f64,
    /// Index into [`COMPONENT_NAMES`] of the measure with the smallest tail probability.
    pub dominant: usize,
}

/// Online detector state for one series.
#[derive(Debug, Clone)]
pub struct Detector {
    cfg: DetectorConfig,
    enabled: usize,
    values: VecDeque<f64>,
    raw: [VecDeque<f64>; COMPONENTS],
    recent: VecDeque<f64>,
    model: Option<Arc<Model>>,
    seen: u64,
    last_train: Option<u64>,
    last_kmeans: Option<u64>,
    pending: bool,
}

impl Detector {
    pub fn new(cfg: DetectorConfig) -> Result<Self, DetectError> {
        cfg.validate()?;
        Ok(Self {
            enabled: COMPONENT_NAMES
                .iter()
                .filter(|n| !cfg.disabled.iter().any(|d| d == *n))
                .count(),
            values: VecDeque::with_capacity(cfg.window),
            raw: std::array::from_fn(|_| VecDeque::with_capacity(cfg.tail_window)),
            recent: VecDeque::with_capacity(cfg.suppress + 1),
            cfg,
            model: None,
            seen: 0,
            last_train: None,
            last_kmeans: None,
            pending: false,
        })
    }

    pub fn config(&self) -> &DetectorConfig {
        &self.cfg
    }

    /// Number of finite samples observed.
    pub fn seen(&self) -> u64 {
        self.seen
    }

    /// The installed model, if any.
    pub fn model(&self) -> Option<&Arc<Model>> {
        self.model.as_ref()
    }

    /// Scores `x` with the installed model, then adds it to the window. Non-finite values are
    /// ignored and score 0.
    pub fn observe(&mut self, x: f64) -> Scored {
        if !x.is_finite() {
            return Scored::default();
        }
        let mut out = Scored::default();
        if let Some(model) = self.model.clone() {
            let raw = self.raw_measures(&model, x);
            let mut best = 1.0f64;
            let mut second = 1.0f64;
            let mut ready = true;
            for (i, r) in raw.iter().enumerate() {
                if let Some(r) = r {
                    push_bounded(&mut self.raw[i], *r, self.cfg.tail_window);
                    if self.cfg.disabled.iter().any(|d| d == COMPONENT_NAMES[i]) {
                        continue;
                    }
                    match &model.tails[i] {
                        Some(t) => {
                            let p = t.p_value(*r);
                            if p < best {
                                second = best;
                                best = p;
                                out.dominant = i;
                            } else if p < second {
                                second = p;
                            }
                        }
                        None => ready = false,
                    }
                }
            }
            let mut tests = self.enabled;
            if let (Some((median, sigma)), Some(&prev)) = (model.white, self.values.back()) {
                // Mean of the last two samples against white noise: sd sigma / sqrt(2).
                tests += 1;
                let z = ((x + prev) / 2.0 - median).abs() / (sigma / std::f64::consts::SQRT_2);
                let p = gaussian_p(z);
                if p < best {
                    second = best;
                    best = p;
                    out.dominant = SHIFT;
                } else if p < second {
                    second = p;
                }
            }
            if ready && self.seen >= self.cfg.learn as u64 {
                let w = self.cfg.agreement;
                let p = (best.powf(1.0 - w) * second.powf(w) * tests as f64).min(1.0);
                out.undamped = if p >= 1.0 {
                    0.0
                } else {
                    (-p.log10() / self.cfg.full_scale).clamp(0.0, 1.0)
                };
                let recent_max = self.recent.iter().copied().fold(0.0, f64::max);
                out.score =
                    if out.undamped * self.cfg.damp_ratio > recent_max + self.cfg.damp_margin {
                        if self.cfg.novelty {
                            out.undamped - recent_max * self.cfg.novelty_weight
                        } else {
                            out.undamped
                        }
                    } else {
                        out.undamped * self.cfg.damp
                    };
            }
        }
        push_bounded(&mut self.recent, out.undamped, self.cfg.suppress.max(1));
        push_bounded(&mut self.values, x, self.cfg.window);
        self.seen += 1;
        out
    }

    fn raw_measures(&self, model: &Model, x: f64) -> [Option<f64>; COMPONENTS] {
        let prev = self.values.back().copied();
        let level = Some(model.level.z(x));
        let diff = prev.map(|p| model.diff.z(x - p));
        let m = self.cfg.smooth.min(self.values.len() + 1);
        let sum: f64 = self.values.iter().rev().take(m - 1).sum::<f64>() + x;
        let shift = Some(model.level.z(sum / m as f64));
        let km = model.kmeans.as_ref().and_then(|km| {
            let lags = self.cfg.lags;
            if self.values.len() < lags {
                return None;
            }
            let mut tail: Vec<f64> = self.values.iter().rev().take(lags).copied().collect();
            tail.reverse();
            tail.push(x);
            features(&tail, lags, &km.level, &km.diff).map(|f| km.distance(&f))
        });
        let b = self.cfg.burst.min(self.raw[0].len() + 1);
        let clip = |z: f64| z.min(BURST_CLIP);
        let burst_sum: f64 = self.raw[0]
            .iter()
            .rev()
            .take(b - 1)
            .map(|&z| clip(z))
            .sum::<f64>()
            + clip(model.level.z(x));
        let burst = Some(burst_sum / b as f64);
        let (lo, hi) = model.range;
        let span = (hi - lo).max(model.level.scale);
        let record = Some(((x - hi).max(lo - x).max(0.0)) / span);
        [level, diff, shift, km, burst, record]
    }

    /// Whether a new model should be trained now.
    pub fn training_due(&self) -> bool {
        if self.pending || (self.seen as usize) < self.cfg.warmup {
            return false;
        }
        match self.last_train {
            None => true,
            Some(t) => self.seen - t >= self.cfg.retrain_every as u64,
        }
    }

    /// Copies what [`train`] needs and marks a training as pending.
    pub fn snapshot(&mut self) -> TrainingSet {
        self.pending = true;
        let refit_kmeans = match self.last_kmeans {
            None => true,
            Some(t) => self.seen - t >= self.cfg.kmeans_every as u64,
        };
        TrainingSet {
            taken_at: self.seen,
            values: self.values.iter().copied().collect(),
            raw: std::array::from_fn(|i| {
                let keep = self.raw[i].len().saturating_sub(self.cfg.guard);
                self.raw[i].iter().take(keep).copied().collect()
            }),
            refit_kmeans,
            previous_kmeans: self.model.as_ref().and_then(|m| m.kmeans.clone()),
            config: self.cfg.clone(),
        }
    }

    /// Installs a model built from a snapshot of this detector.
    pub fn install(&mut self, model: Model, refit_kmeans: bool) {
        self.pending = false;
        if self
            .model
            .as_ref()
            .is_some_and(|m| m.trained_at > model.trained_at)
        {
            return;
        }
        self.last_train = Some(model.trained_at);
        if refit_kmeans && model.kmeans.is_some() {
            self.last_kmeans = Some(model.trained_at);
        }
        self.model = Some(Arc::new(model));
    }

    /// Scores `x` and retrains inline when due (the offline evaluation path).
    pub fn update(&mut self, x: f64) -> Scored {
        let s = self.observe(x);
        if self.training_due() {
            let set = self.snapshot();
            let model = train(&set);
            self.install(model, set.refit_kmeans);
        }
        s
    }
}

fn push_bounded(q: &mut VecDeque<f64>, v: f64, cap: usize) {
    if q.len() == cap {
        q.pop_front();
    }
    q.push_back(v);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic pseudo-random noise in [-1, 1].
    fn noise(i: u64) -> f64 {
        let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        x ^= x >> 31;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x ^= x >> 29;
        (x >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }

    fn alert() -> f64 {
        DetectorConfig::default().alert_threshold
    }

    fn run(series: &[f64]) -> Vec<f64> {
        let mut d = Detector::new(DetectorConfig::default()).unwrap();
        series.iter().map(|&x| d.update(x).score).collect()
    }

    fn max_in(s: &[f64], r: std::ops::Range<usize>) -> f64 {
        s[r].iter().copied().fold(0.0, f64::max)
    }

    #[test]
    fn flat_noise_stays_quiet() {
        let series: Vec<f64> = (0..3000).map(|i| 50.0 + 3.0 * noise(i)).collect();
        let s = run(&series);
        assert!(
            max_in(&s, 600..3000) < alert(),
            "max {}",
            max_in(&s, 600..3000)
        );
    }

    #[test]
    fn spike_is_detected_at_once() {
        let mut series: Vec<f64> = (0..2000).map(|i| 50.0 + 3.0 * noise(i)).collect();
        series[1500] = 90.0;
        let s = run(&series);
        assert!(s[1500] > alert(), "spike score {}", s[1500]);
        assert!(max_in(&s, 600..1500) < s[1500] * 0.8);
    }

    #[test]
    fn step_is_detected_within_two_samples() {
        let series: Vec<f64> = (0..2000)
            .map(|i| if i < 1500 { 10.0 } else { 16.0 } + noise(i))
            .collect();
        let s = run(&series);
        assert!(max_in(&s, 1500..1502) > alert(), "{:?}", &s[1498..1506]);
    }

    /// Roughly Gaussian noise (sum of four uniforms, unit variance) for series `s`.
    fn gauss(s: u64, i: u64) -> f64 {
        let k = s.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ (i << 2);
        ((0..4).map(|j| noise(k + j)).sum::<f64>()) / (4.0f64 / 3.0).sqrt()
    }

    /// Samples from sample `at` to the first alert (1 = `at` itself), and alerts before `at`.
    fn latency(series: &[f64], at: usize) -> (Option<usize>, usize) {
        let mut d = Detector::new(DetectorConfig::default()).unwrap();
        let mut early = 0;
        for (i, &x) in series.iter().enumerate() {
            if d.update(x).score >= alert() {
                if i < at {
                    early += 1;
                } else {
                    return (Some(i - at + 1), early);
                }
            }
        }
        (None, early)
    }

    #[test]
    fn every_six_sigma_step_alerts_within_two_samples() {
        let mut worst = 0;
        for s in 0..60u64 {
            let level = 5.0 + 17.0 * s as f64;
            let sd = 0.2 + 0.37 * (s % 11) as f64;
            let up = if s % 2 == 0 { 6.0 } else { -6.0 };
            let series: Vec<f64> = (0..700)
                .map(|i| level + sd * (gauss(s, i) + if i >= 600 { up } else { 0.0 }))
                .collect();
            let (lat, early) = latency(&series, 600);
            assert_eq!(early, 0, "series {s}: alert on the noise before the step");
            let lat = lat.unwrap_or_else(|| panic!("series {s}: step never alerted"));
            worst = worst.max(lat);
        }
        assert!(worst <= 2, "worst latency {worst} samples");
    }

    #[test]
    fn every_spike_alerts_on_its_own_sample() {
        for s in 0..40u64 {
            let sd = 0.5 + 0.2 * (s % 7) as f64;
            let mut series: Vec<f64> = (0..900).map(|i| 40.0 + sd * gauss(s, i)).collect();
            series[800] += 8.0 * sd * if s % 3 == 0 { -1.0 } else { 1.0 };
            assert_eq!(latency(&series, 800), (Some(1), 0), "series {s}");
        }
    }

    #[test]
    fn flat_noise_never_alerts_on_many_series() {
        for s in 100..120u64 {
            let sd = 0.1 + 0.9 * (s % 5) as f64;
            let series: Vec<f64> = (0..2500).map(|i| 70.0 + sd * gauss(s, i)).collect();
            assert_eq!(latency(&series, series.len()), (None, 0), "series {s}");
        }
    }

    #[test]
    fn gaussian_calibration_only_for_gaussian_like_history() {
        let light: Vec<f64> = (0..500).map(|i| gauss(3, i).abs()).collect();
        let sigma = gaussian_scale(&light).expect("Gaussian noise passes");
        assert!((0.85..1.2).contains(&sigma), "{sigma}");
        let mut heavy = light.clone();
        for v in heavy.iter_mut().step_by(50) {
            *v = 9.0;
        }
        assert_eq!(
            gaussian_scale(&heavy),
            None,
            "spiky history keeps the tail fit"
        );
        assert_eq!(gaussian_scale(&[0.0; 300]), None, "flat history");
        assert_eq!(gaussian_scale(&light[..100]), None, "too short");
        assert!((gaussian_p(1.96) - 0.05).abs() < 1e-3);
        assert!((gaussian_p(-3.0) - 0.0027).abs() < 1e-4);
        assert!(gaussian_p(6.0) < 1e-8);

        // White noise passes; a random walk, a season and a trend do not.
        let white: Vec<f64> = (0..500).map(|i| 50.0 + 2.0 * gauss(4, i)).collect();
        let (median, sigma) = white_noise(&white, 0.1).expect("white noise");
        assert!(
            (median - 50.0).abs() < 0.5 && (1.7..2.4).contains(&sigma),
            "{median} {sigma}"
        );
        let walk: Vec<f64> = white
            .iter()
            .scan(0.0, |acc, v| {
                *acc += v - 50.0;
                Some(*acc)
            })
            .collect();
        assert_eq!(white_noise(&walk, 0.1), None);
        let season: Vec<f64> = (0..500)
            .map(|i| (i as f64 / 10.0).sin() + 0.1 * gauss(5, i))
            .collect();
        assert_eq!(white_noise(&season, 0.1), None);
        let trend: Vec<f64> = white
            .iter()
            .enumerate()
            .map(|(i, v)| v + i as f64 * 0.05)
            .collect();
        assert_eq!(white_noise(&trend, 0.1), None);
        assert!(lag1_autocorrelation(&white).abs() < 0.1);
    }

    #[test]
    fn drift_out_of_range_is_detected() {
        let series: Vec<f64> = (0..2400)
            .map(|i| {
                let drift = if i > 1800 {
                    (i - 1800) as f64 * 0.05
                } else {
                    0.0
                };
                20.0 + noise(i) + drift
            })
            .collect();
        let s = run(&series);
        assert!(max_in(&s, 1800..2000) > alert(), "{:?}", &s[1800..2000]);
        assert!(max_in(&s, 600..1800) < alert());
    }

    #[test]
    fn seasonal_pattern_is_learnt_and_a_break_is_seen() {
        let period = 96.0;
        let mut series: Vec<f64> = (0..3000)
            .map(|i| 100.0 + 30.0 * (i as f64 * std::f64::consts::TAU / period).sin() + noise(i))
            .collect();
        for v in &mut series[2500..2530] {
            *v = 100.0;
        }
        let s = run(&series);
        assert!(max_in(&s, 700..2500) < alert(), "{}", max_in(&s, 700..2500));
        assert!(max_in(&s, 2500..2530) > max_in(&s, 700..2500));
    }

    #[test]
    fn memory_is_bounded_and_non_finite_ignored() {
        let cfg = DetectorConfig::default();
        let mut d = Detector::new(cfg.clone()).unwrap();
        for i in 0..5000 {
            d.update(noise(i));
        }
        assert_eq!(d.update(f64::NAN).score, 0.0);
        assert_eq!(d.update(f64::INFINITY).score, 0.0);
        assert_eq!(d.values.len(), cfg.window);
        assert!(d.raw.iter().all(|r| r.len() <= cfg.tail_window));
        assert!(d.recent.len() <= cfg.suppress);
        assert_eq!(d.seen(), 5000);
    }

    #[test]
    fn training_can_run_off_the_scoring_path() {
        let mut d = Detector::new(DetectorConfig::default()).unwrap();
        for i in 0..200 {
            d.observe(noise(i));
        }
        assert!(d.training_due());
        let set = d.snapshot();
        assert!(!d.training_due(), "pending training blocks a second one");
        let handle = std::thread::spawn(move || {
            let m = train(&set);
            (m, set.refit_kmeans)
        });
        // Collection goes on while the worker trains.
        for i in 200..210 {
            d.observe(noise(i));
        }
        let (model, refit) = handle.join().unwrap();
        assert!(model.kmeans.is_some());
        d.install(model, refit);
        assert_eq!(d.model().unwrap().trained_at, 200);
    }

    #[test]
    fn bad_config_is_rejected() {
        let cfg = DetectorConfig {
            window: 4,
            ..DetectorConfig::default()
        };
        assert!(matches!(
            Detector::new(cfg),
            Err(DetectError::Config { key: "window", .. })
        ));
    }

    #[test]
    fn tail_model_orders_p_values() {
        let sample: Vec<f64> = (0..1000).map(|i| noise(i).abs() * 3.0).collect();
        let t = Tail::fit(&sample, 0.9, 0.5, 0.0).unwrap();
        assert_eq!(t.p_value(0.1), 1.0);
        assert!(t.p_value(3.5) < t.p_value(2.9));
        assert!(t.p_value(10.0) < 1e-3);
    }
}
