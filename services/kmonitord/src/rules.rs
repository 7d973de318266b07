//! Threshold rules from config: a pure state machine fed the values of one collection and the
//! tick, returning the rule alerts to raise (deduplicated, with a cooldown).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Rule errors.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RuleError {
    #[error("rule {0:?}: exactly one of `above` and `below` is needed")]
    Bound(String),
    #[error("rule {0:?}: severity must be \"warning\" or \"critical\"")]
    Severity(String),
    #[error("rule {0:?}: `name` and `metric` must not be empty")]
    Empty(String),
    #[error("rule {0:?}: `for_intervals` must be at least 1")]
    For(String),
}

/// One rule: `metric` is a metric name (every label set) or a full series key; counters are
/// compared as rates per second.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub name: String,
    pub metric: String,
    #[serde(default)]
    pub above: Option<f64>,
    #[serde(default)]
    pub below: Option<f64>,
    /// Consecutive intervals the condition must hold.
    #[serde(default = "one")]
    pub for_intervals: u32,
    #[serde(default = "warning")]
    pub severity: String,
}

fn one() -> u32 {
    1
}
fn warning() -> String {
    "warning".into()
}

impl Rule {
    fn new(name: &str, metric: &str, above: Option<f64>, below: Option<f64>, n: u32) -> Self {
        Self {
            name: name.into(),
            metric: metric.into(),
            above,
            below,
            for_intervals: n,
            severity: warning(),
        }
    }

    pub fn validate(&self) -> Result<(), RuleError> {
        if self.name.is_empty() || self.metric.is_empty() {
            return Err(RuleError::Empty(self.name.clone()));
        }
        if self.above.is_some() == self.below.is_some() {
            return Err(RuleError::Bound(self.name.clone()));
        }
        if !matches!(self.severity.as_str(), "warning" | "critical") {
            return Err(RuleError::Severity(self.name.clone()));
        }
        if self.for_intervals == 0 {
            return Err(RuleError::For(self.name.clone()));
        }
        Ok(())
    }

    /// Whether the rule applies to a series (`name` is the metric name, `key` the full key).
    pub fn matches(&self, name: &str, key: &str) -> bool {
        self.metric == name || self.metric == key
    }

    fn breached(&self, v: f64) -> bool {
        v.is_finite() && self.above.is_some_and(|a| v > a) || self.below.is_some_and(|b| v < b)
    }
}

/// The default rules.
pub fn default_rules() -> Vec<Rule> {
    vec![
        Rule::new("cpu_busy", "ainux_cpu_busy_ratio", Some(0.9), None, 2),
        Rule::new(
            "memory_low",
            "ainux_memory_available_ratio",
            None,
            Some(0.1),
            2,
        ),
        Rule::new(
            "filesystem_full",
            "ainux_filesystem_used_ratio",
            Some(0.95),
            None,
            1,
        ),
        Rule::new(
            "filesystem_filling",
            "ainux_filesystem_fill_seconds",
            None,
            Some(3600.0),
            1,
        ),
        Rule::new(
            "network_receive_errors",
            "node_network_receive_errs_total",
            Some(0.0),
            None,
            1,
        ),
        Rule::new(
            "network_transmit_errors",
            "node_network_transmit_errs_total",
            Some(0.0),
            None,
            1,
        ),
    ]
}

/// A rule alert to raise.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleAlert {
    pub rule: String,
    pub series: String,
    pub value: f64,
    pub severity: String,
    pub bound: f64,
    pub above: bool,
}

#[derive(Debug, Default)]
struct State {
    streak: u32,
    fired_at: Option<u64>,
    seen: u64,
}

/// Per (rule, series) streaks and the last firing.
#[derive(Debug, Default)]
pub struct RuleEngine {
    state: HashMap<(usize, String), State>,
}

impl RuleEngine {
    /// Feeds one value of series `key` (metric `name`) at `tick`. A rule fires when its
    /// condition has held `for_intervals` times in a row, then again only after `cooldown`
    /// ticks of still holding; clearing the condition rearms it.
    pub fn feed(
        &mut self,
        rules: &[Rule],
        name: &str,
        key: &str,
        value: f64,
        tick: u64,
        cooldown: u64,
    ) -> Vec<RuleAlert> {
        let mut out = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if !r.matches(name, key) {
                continue;
            }
            let st = self.state.entry((i, key.to_owned())).or_default();
            st.seen = tick;
            if !r.breached(value) {
                st.streak = 0;
                st.fired_at = None;
                continue;
            }
            st.streak = st.streak.saturating_add(1);
            if st.streak < r.for_intervals {
                continue;
            }
            if st
                .fired_at
                .is_some_and(|at| tick.saturating_sub(at) < cooldown)
            {
                continue;
            }
            st.fired_at = Some(tick);
            let (bound, above) = match (r.above, r.below) {
                (Some(a), _) => (a, true),
                (_, Some(b)) => (b, false),
                _ => (0.0, true),
            };
            out.push(RuleAlert {
                rule: r.name.clone(),
                series: key.to_owned(),
                value,
                severity: r.severity.clone(),
                bound,
                above,
            });
        }
        out
    }

    /// Forgets series not fed since `tick - keep` (their source disappeared).
    pub fn expire(&mut self, tick: u64, keep: u64) {
        self.state.retain(|_, s| tick.saturating_sub(s.seen) < keep);
    }

    pub fn len(&self) -> usize {
        self.state.len()
    }

    pub fn is_empty(&self) -> bool {
        self.state.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_rules_are_named() {
        for r in default_rules() {
            r.validate().unwrap();
        }
        let mut r = Rule::new("x", "m", Some(1.0), Some(2.0), 1);
        assert_eq!(r.validate(), Err(RuleError::Bound("x".into())));
        r.below = None;
        r.severity = "loud".into();
        assert_eq!(r.validate(), Err(RuleError::Severity("x".into())));
        r.severity = "critical".into();
        r.for_intervals = 0;
        assert!(r.validate().is_err());
    }

    #[test]
    fn streak_cooldown_rearm_and_expiry() {
        let rules = vec![Rule::new("hot", "temp", Some(50.0), None, 2)];
        let mut e = RuleEngine::default();
        let k = r#"temp{zone="a"}"#;
        assert!(
            e.feed(&rules, "temp", k, 60.0, 1, 10).is_empty(),
            "one interval"
        );
        let a = e.feed(&rules, "temp", k, 61.0, 2, 10);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].rule, "hot");
        assert_eq!(a[0].series, k);
        assert!(
            e.feed(&rules, "temp", k, 62.0, 3, 10).is_empty(),
            "deduplicated"
        );
        assert_eq!(
            e.feed(&rules, "temp", k, 62.0, 12, 10).len(),
            1,
            "after cooldown"
        );
        assert!(e.feed(&rules, "temp", k, 10.0, 13, 10).is_empty());
        assert!(e.feed(&rules, "temp", k, 60.0, 14, 10).is_empty());
        assert_eq!(e.feed(&rules, "temp", k, 60.0, 15, 10).len(), 1, "rearmed");
        assert!(e.feed(&rules, "other", "other", 99.0, 15, 10).is_empty());
        assert!(e.feed(&rules, "temp", k, f64::NAN, 16, 10).is_empty());
        let below = vec![Rule::new("low", "m", None, Some(1.0), 1)];
        assert_eq!(e.feed(&below, "m", "m", 0.5, 1, 10).len(), 1);
        e.expire(100, 3);
        assert!(e.is_empty());
    }
}
