//! Counters, gauges and latency histograms; JSON and Prometheus text.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Latencies kept per provider for the quantiles.
const WINDOW: usize = 4096;

/// Upper bounds (seconds) of the latency histogram's buckets.
pub const BUCKETS: [f64; 12] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// A cumulative Prometheus histogram of call latencies.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Histogram {
    /// Calls at or under `BUCKETS[i]` (not cumulative here).
    pub buckets: [u64; BUCKETS.len()],
    pub count: u64,
    pub sum_seconds: f64,
}

impl Histogram {
    pub fn observe(&mut self, secs: f64) {
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            self.buckets[i] += 1;
        }
        self.count += 1;
        self.sum_seconds += secs;
    }
}

#[derive(Debug, Default)]
pub struct Stats {
    pub translations: AtomicU64,
    pub cache_hits: AtomicU64,
    pub cache_misses: AtomicU64,
    pub retry_attempts: AtomicU64,
    pub fallbacks_used: AtomicU64,
    pub reasks: AtomicU64,
    pub rate_limited: AtomicU64,
    pub breaker_rejections: AtomicU64,
    /// (provider, kind) -> count.
    errors: Mutex<BTreeMap<(String, String), u64>>,
    latency: Mutex<BTreeMap<String, VecDeque<f64>>>,
    histograms: Mutex<BTreeMap<String, Histogram>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quantiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProviderStats {
    pub breaker: crate::breaker::StateName,
    pub latency: Option<Quantiles>,
    #[serde(skip)]
    pub histogram: Histogram,
    pub errors: BTreeMap<String, u64>,
}

/// A point-in-time view, serialisable as the `stats` JSON. Holds no keys.
#[derive(Debug, Clone, Serialize)]
pub struct Snapshot {
    pub translations: u64,
    pub cache_hits: u64,
    pub cache_misses: u64,
    pub retry_attempts: u64,
    pub fallbacks_used: u64,
    pub reasks: u64,
    pub rate_limited: u64,
    pub breaker_rejections: u64,
    pub cache_size: usize,
    pub providers: BTreeMap<String, ProviderStats>,
}

pub fn quantiles(samples: &[f64]) -> Option<Quantiles> {
    if samples.is_empty() {
        return None;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    // Nearest rank.
    let q = |p: f64| v[((p * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
    Some(Quantiles {
        count: v.len(),
        p50_ms: q(0.50),
        p95_ms: q(0.95),
        p99_ms: q(0.99),
    })
}

impl Stats {
    pub fn inc(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    pub fn error(&self, provider: &str, kind: &str) {
        let mut m = self.errors.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry((provider.to_string(), kind.to_string()))
            .or_default() += 1;
    }

    pub fn latency(&self, provider: &str, d: Duration) {
        let mut m = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let q = m.entry(provider.to_string()).or_default();
        if q.len() == WINDOW {
            q.pop_front();
        }
        q.push_back(d.as_secs_f64() * 1000.0);
        drop(m);
        let mut h = self.histograms.lock().unwrap_or_else(|e| e.into_inner());
        h.entry(provider.to_string())
            .or_default()
            .observe(d.as_secs_f64());
    }

    pub fn snapshot(
        &self,
        cache_size: usize,
        breakers: BTreeMap<String, crate::breaker::StateName>,
    ) -> Snapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let errors = self
            .errors
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let lat = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let hist = self
            .histograms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let providers = breakers
            .into_iter()
            .map(|(name, breaker)| {
                let latency = lat
                    .get(&name)
                    .and_then(|q| quantiles(&q.iter().copied().collect::<Vec<_>>()));
                let errors = errors
                    .iter()
                    .filter(|((p, _), _)| *p == name)
                    .map(|((_, k), n)| (k.clone(), *n))
                    .collect();
                let histogram = hist.get(&name).cloned().unwrap_or_default();
                (
                    name,
                    ProviderStats {
                        breaker,
                        latency,
                        histogram,
                        errors,
                    },
                )
            })
            .collect();
        Snapshot {
            translations: get(&self.translations),
            cache_hits: get(&self.cache_hits),
            cache_misses: get(&self.cache_misses),
            retry_attempts: get(&self.retry_attempts),
            fallbacks_used: get(&self.fallbacks_used),
            reasks: get(&self.reasks),
            rate_limited: get(&self.rate_limited),
            breaker_rejections: get(&self.breaker_rejections),
            cache_size,
            providers,
        }
    }
}

impl Snapshot {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".into())
    }

    /// Prometheus text exposition format.
    pub fn to_prometheus(&self) -> String {
        let mut o = String::new();
        for (name, help, v) in [
            (
                "aish_translations_total",
                "Requests answered.",
                self.translations,
            ),
            (
                "aish_cache_hits_total",
                "Answers served from the cache.",
                self.cache_hits,
            ),
            (
                "aish_cache_misses_total",
                "Cache look-ups that missed.",
                self.cache_misses,
            ),
            (
                "aish_retry_attempts_total",
                "Provider calls retried.",
                self.retry_attempts,
            ),
            (
                "aish_fallbacks_used_total",
                "Answers from the offline translator.",
                self.fallbacks_used,
            ),
            (
                "aish_reasks_total",
                "Providers asked again after a broken answer.",
                self.reasks,
            ),
            (
                "aish_rate_limited_total",
                "Calls skipped by a rate limit.",
                self.rate_limited,
            ),
            (
                "aish_breaker_rejections_total",
                "Calls skipped by an open breaker.",
                self.breaker_rejections,
            ),
        ] {
            let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}");
        }
        let _ = writeln!(
            o,
            "# HELP aish_cache_size Entries in the cache.\n# TYPE aish_cache_size gauge\naish_cache_size {}",
            self.cache_size
        );
        let _ = writeln!(
            o,
            "# HELP aish_provider_errors_total Provider errors by kind.\n# TYPE aish_provider_errors_total counter"
        );
        for (p, s) in &self.providers {
            for (k, n) in &s.errors {
                let _ = writeln!(
                    o,
                    "aish_provider_errors_total{{provider=\"{p}\",kind=\"{k}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            o,
            "# HELP aish_breaker_state Breaker state (0 closed, 1 open, 2 half-open).\n# TYPE aish_breaker_state gauge"
        );
        for (p, s) in &self.providers {
            let _ = writeln!(
                o,
                "aish_breaker_state{{provider=\"{p}\"}} {}",
                s.breaker.gauge()
            );
        }
        let _ = writeln!(
            o,
            "# HELP aish_provider_latency_ms Provider call latency.\n# TYPE aish_provider_latency_ms summary"
        );
        for (p, s) in &self.providers {
            if let Some(q) = &s.latency {
                for (qq, v) in [("0.5", q.p50_ms), ("0.95", q.p95_ms), ("0.99", q.p99_ms)] {
                    let _ = writeln!(
                        o,
                        "aish_provider_latency_ms{{provider=\"{p}\",quantile=\"{qq}\"}} {v}"
                    );
                }
                let _ = writeln!(
                    o,
                    "aish_provider_latency_ms_count{{provider=\"{p}\"}} {}",
                    q.count
                );
            }
        }
        let _ = writeln!(
            o,
            "# HELP aish_provider_latency_seconds Provider call latency.\n# TYPE aish_provider_latency_seconds histogram"
        );
        for (p, s) in &self.providers {
            let h = &s.histogram;
            let mut cum = 0;
            for (b, n) in BUCKETS.iter().zip(h.buckets) {
                cum += n;
                let _ = writeln!(
                    o,
                    "aish_provider_latency_seconds_bucket{{provider=\"{p}\",le=\"{b}\"}} {cum}"
                );
            }
            let _ = writeln!(
                o,
                "aish_provider_latency_seconds_bucket{{provider=\"{p}\",le=\"+Inf\"}} {}\naish_provider_latency_seconds_sum{{provider=\"{p}\"}} {}\naish_provider_latency_seconds_count{{provider=\"{p}\"}} {}",
                h.count, h.sum_seconds, h.count
            );
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_quantiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        let q = quantiles(&v).unwrap();
        assert_eq!((q.p50_ms, q.p95_ms, q.p99_ms), (50.0, 95.0, 99.0));
        assert_eq!(quantiles(&[7.0]).unwrap().p99_ms, 7.0);
        assert!(quantiles(&[]).is_none());
    }

    #[test]
    fn prometheus_and_json_render() {
        let s = Stats::default();
        Stats::inc(&s.cache_hits);
        s.error("openai", "timeout");
        s.latency("openai", Duration::from_millis(12));
        let snap = s.snapshot(
            3,
            [("openai".to_string(), crate::breaker::StateName::Open)].into(),
        );
        let p = snap.to_prometheus();
        assert!(p.contains("aish_cache_hits_total 1"), "{p}");
        assert!(
            p.contains("aish_provider_errors_total{provider=\"openai\",kind=\"timeout\"} 1"),
            "{p}"
        );
        assert!(
            p.contains("aish_breaker_state{provider=\"openai\"} 1"),
            "{p}"
        );
        assert!(p.contains("quantile=\"0.99\"} 12"), "{p}");
        assert!(
            p.contains("aish_provider_latency_seconds_bucket{provider=\"openai\",le=\"0.01\"} 0"),
            "{p}"
        );
        assert!(
            p.contains("aish_provider_latency_seconds_bucket{provider=\"openai\",le=\"0.025\"} 1"),
            "{p}"
        );
        assert!(
            p.contains("aish_provider_latency_seconds_bucket{provider=\"openai\",le=\"+Inf\"} 1"),
            "{p}"
        );
        assert!(
            p.contains("aish_provider_latency_seconds_count{provider=\"openai\"} 1"),
            "{p}"
        );
        let j: serde_json::Value = serde_json::from_str(&snap.to_json()).unwrap();
        assert_eq!(j["providers"]["openai"]["breaker"], "open");
        assert_eq!(j["cache_size"], 3);
    }
}
