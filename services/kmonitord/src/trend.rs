//! Time until a file system fills, by least-squares regression of its available bytes over
//! the last samples (pure; the daemon feeds it `(seconds, avail)` points).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

/// Trend settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrendConfig {
    /// Samples in the regression window.
    pub window: usize,
    /// Samples needed before a forecast.
    pub min_samples: usize,
    /// Least fit (R²) for a forecast: a steady fill, not noise.
    pub min_r2: f64,
    /// Least drop over the window, as a fraction of the size (ignores tiny writes).
    pub min_drop_fraction: f64,
}

impl Default for TrendConfig {
    fn default() -> Self {
        Self {
            window: 24,
            min_samples: 5,
            min_r2: 0.7,
            min_drop_fraction: 0.005,
        }
    }
}

/// The recent history of one file system.
#[derive(Debug, Clone, Default)]
pub struct FillTrend {
    points: VecDeque<(f64, f64)>,
}

impl FillTrend {
    /// Adds a point (time in seconds, available bytes); returns the forecast seconds until the
    /// available space reaches zero when it falls steadily, else `None`.
    pub fn push(&mut self, cfg: &TrendConfig, t: f64, avail: f64, size: f64) -> Option<f64> {
        if !t.is_finite() || !avail.is_finite() {
            return None;
        }
        // A clock that went backwards restarts the history.
        if self.points.back().is_some_and(|&(lt, _)| t <= lt) {
            self.points.clear();
        }
        self.points.push_back((t, avail));
        while self.points.len() > cfg.window.max(2) {
            self.points.pop_front();
        }
        self.forecast(cfg, size)
    }

    /// The current forecast.
    pub fn forecast(&self, cfg: &TrendConfig, size: f64) -> Option<f64> {
        let n = self.points.len();
        if n < cfg.min_samples.max(2) {
            return None;
        }
        let nf = n as f64;
        let mt = self.points.iter().map(|p| p.0).sum::<f64>() / nf;
        let mv = self.points.iter().map(|p| p.1).sum::<f64>() / nf;
        let (mut stt, mut stv, mut svv) = (0.0, 0.0, 0.0);
        for &(t, v) in &self.points {
            stt += (t - mt) * (t - mt);
            stv += (t - mt) * (v - mv);
            svv += (v - mv) * (v - mv);
        }
        if stt <= 0.0 || svv <= 0.0 {
            return None;
        }
        let slope = stv / stt;
        if slope >= 0.0 {
            return None;
        }
        let r2 = stv * stv / (stt * svv);
        let first = self.points.front()?.1;
        let last = self.points.back()?;
        if r2 < cfg.min_r2 || first - last.1 < cfg.min_drop_fraction * size {
            return None;
        }
        // From the fitted line at the last time.
        let fitted = mv + slope * (last.0 - mt);
        Some((fitted.max(0.0) / -slope).max(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_fill_is_forecast() {
        let cfg = TrendConfig::default();
        let mut f = FillTrend::default();
        let mut last = None;
        for i in 0..10 {
            // 1000 bytes free, losing 10 per second, sampled every 5 s, with some jitter.
            let jitter = if i % 2 == 0 { 3.0 } else { -3.0 };
            last = f.push(
                &cfg,
                f64::from(i) * 5.0,
                1000.0 - 50.0 * f64::from(i) + jitter,
                2000.0,
            );
        }
        let secs = last.expect("forecast");
        // At t=45 about 550 left at 10/s: about 55 s.
        assert!((secs - 55.0).abs() < 5.0, "{secs}");
    }

    #[test]
    fn flat_growing_noisy_or_tiny_changes_are_not_forecast() {
        let cfg = TrendConfig::default();
        let cases: [&dyn Fn(i32) -> f64; 4] = [
            &|_| 1000.0,
            &|i| 1000.0 + f64::from(i),
            &|i| 1000.0 + if i % 2 == 0 { 40.0 } else { -40.0 } - f64::from(i),
            &|i| 1e9 - f64::from(i),
        ];
        for (k, c) in cases.iter().enumerate() {
            let mut f = FillTrend::default();
            let mut out = None;
            for i in 0..20 {
                out = f.push(&cfg, f64::from(i), c(i), 2e9);
            }
            assert_eq!(out, None, "case {k}");
        }
        // Too few points.
        let mut f = FillTrend::default();
        assert_eq!(f.push(&cfg, 0.0, 100.0, 100.0), None);
        assert_eq!(f.push(&cfg, 1.0, 50.0, 100.0), None);
    }

    #[test]
    fn clock_jump_back_and_nan_restart_or_skip() {
        let cfg = TrendConfig::default();
        let mut f = FillTrend::default();
        for i in 0..6 {
            f.push(
                &cfg,
                100.0 + f64::from(i),
                1000.0 - 100.0 * f64::from(i),
                1000.0,
            );
        }
        assert!(f.forecast(&cfg, 1000.0).is_some());
        assert_eq!(f.push(&cfg, f64::NAN, 1.0, 1000.0), None);
        assert_eq!(f.push(&cfg, 5.0, 400.0, 1000.0), None, "history restarted");
        assert_eq!(f.points.len(), 1);
    }
}
