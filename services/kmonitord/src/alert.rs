//! Alert deduplication: a pure state machine fed anomaly scores and a sample clock, returning
//! the alerts to raise as data (the daemon performs them).

use std::collections::HashMap;

/// Alert severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Warning,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        }
    }
}

/// An alert to raise.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub series: String,
    pub severity: Severity,
    pub score: f64,
}

/// Thresholds and cooldown (in ticks of the collection loop).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub warning: f64,
    pub critical: f64,
    pub cooldown: u64,
}

/// Per-series memory of the last alert.
#[derive(Debug, Default)]
pub struct Alerter {
    last: HashMap<String, (u64, Severity)>,
}

impl Alerter {
    /// Feeds one score at `tick`; returns the alert to raise, if any. Within the cooldown a
    /// series only alerts again when its severity rises.
    pub fn feed(&mut self, policy: &Policy, series: &str, score: f64, tick: u64) -> Option<Alert> {
        let severity = if score >= policy.critical {
            Severity::Critical
        } else if score >= policy.warning {
            Severity::Warning
        } else {
            return None;
        };
        if let Some(&(at, sev)) = self.last.get(series)
            && tick.saturating_sub(at) < policy.cooldown
            && severity <= sev
        {
            return None;
        }
        self.last.insert(series.to_owned(), (tick, severity));
        Some(Alert {
            series: series.to_owned(),
            severity,
            score,
        })
    }

    /// Forgets series not alerting for longer than the cooldown (bounded memory).
    pub fn expire(&mut self, policy: &Policy, tick: u64) {
        self.last
            .retain(|_, (at, _)| tick.saturating_sub(*at) < policy.cooldown);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const P: Policy = Policy {
        warning: 0.3,
        critical: 0.6,
        cooldown: 10,
    };

    #[test]
    fn dedup_cooldown_and_escalation() {
        let mut a = Alerter::default();
        assert_eq!(a.feed(&P, "s", 0.1, 0), None);
        let first = a.feed(&P, "s", 0.4, 1).unwrap();
        assert_eq!(first.severity, Severity::Warning);
        assert_eq!(a.feed(&P, "s", 0.5, 2), None, "deduplicated");
        assert!(a.feed(&P, "other", 0.5, 2).is_some(), "per series");
        let up = a.feed(&P, "s", 0.9, 3).unwrap();
        assert_eq!(up.severity, Severity::Critical, "escalation passes");
        assert_eq!(a.feed(&P, "s", 0.9, 12), None);
        assert!(a.feed(&P, "s", 0.35, 13).is_some(), "after the cooldown");
        a.expire(&P, 100);
        assert!(a.last.is_empty());
    }
}
