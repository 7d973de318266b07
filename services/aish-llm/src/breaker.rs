//! Circuit breaker: a pure state machine fed outcomes and the time.
//!
//! Closed counts consecutive failures; at `failure_threshold` it opens. Open
//! rejects every call until `recovery_timeout` has passed, then half-opens.
//! Half-open lets at most `half_open_probes` calls through; that many
//! successes close it, any failure opens it again.

use serde::Serialize;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    pub enabled: bool,
    pub failure_threshold: u32,
    pub recovery_timeout: Duration,
    pub half_open_probes: u32,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            enabled: true,
            failure_threshold: 5,
            recovery_timeout: Duration::from_secs(30),
            half_open_probes: 1,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Closed {
        failures: u32,
    },
    Open {
        since: Duration,
    },
    /// `since`: when the last probe was admitted. A probe whose outcome never
    /// comes (its caller went away) frees its slot after `recovery_timeout`.
    HalfOpen {
        in_flight: u32,
        successes: u32,
        since: Duration,
    },
}

/// Name of a state, as shown in stats (gauge values 0, 1, 2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateName {
    Closed,
    Open,
    HalfOpen,
}

impl StateName {
    pub fn gauge(self) -> u8 {
        match self {
            StateName::Closed => 0,
            StateName::Open => 1,
            StateName::HalfOpen => 2,
        }
    }
}

/// A state change, returned as data so the caller can log it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Opened,
    HalfOpened,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    /// Go ahead; `probe` says it is a half-open probe.
    Allowed { probe: bool },
    /// Rejected; the breaker may admit again after `retry_in`.
    Rejected { retry_in: Duration },
}

#[derive(Debug, Clone)]
pub struct Breaker {
    cfg: BreakerConfig,
    state: State,
}

impl Breaker {
    pub fn new(cfg: BreakerConfig) -> Breaker {
        Breaker {
            cfg,
            state: State::Closed { failures: 0 },
        }
    }

    pub fn state(&self) -> State {
        self.state
    }

    pub fn state_name(&self, now: Duration) -> StateName {
        match self.state {
            State::Closed { .. } => StateName::Closed,
            State::Open { since } if now >= since + self.cfg.recovery_timeout => {
                StateName::HalfOpen
            }
            State::Open { .. } => StateName::Open,
            State::HalfOpen { .. } => StateName::HalfOpen,
        }
    }

    /// Asks to make a call at `now`.
    pub fn admit(&mut self, now: Duration) -> (Admission, Option<Transition>) {
        if !self.cfg.enabled {
            return (Admission::Allowed { probe: false }, None);
        }
        match self.state {
            State::Closed { .. } => (Admission::Allowed { probe: false }, None),
            State::Open { since } => {
                let ready = since + self.cfg.recovery_timeout;
                if now >= ready {
                    self.state = State::HalfOpen {
                        in_flight: 1,
                        successes: 0,
                        since: now,
                    };
                    (
                        Admission::Allowed { probe: true },
                        Some(Transition::HalfOpened),
                    )
                } else {
                    (
                        Admission::Rejected {
                            retry_in: ready - now,
                        },
                        None,
                    )
                }
            }
            State::HalfOpen {
                in_flight,
                successes,
                since,
            } => {
                // Probes whose outcome never came (a caller that went away)
                // must not wedge the breaker: their slots free up in time.
                let in_flight = if now >= since + self.cfg.recovery_timeout {
                    0
                } else {
                    in_flight
                };
                if in_flight + successes < self.cfg.half_open_probes.max(1) {
                    self.state = State::HalfOpen {
                        in_flight: in_flight + 1,
                        successes,
                        since: now,
                    };
                    (Admission::Allowed { probe: true }, None)
                } else {
                    (
                        Admission::Rejected {
                            retry_in: Duration::ZERO,
                        },
                        None,
                    )
                }
            }
        }
    }

    pub fn on_success(&mut self, _now: Duration) -> Option<Transition> {
        if !self.cfg.enabled {
            return None;
        }
        match self.state {
            State::Closed { .. } => {
                self.state = State::Closed { failures: 0 };
                None
            }
            State::HalfOpen {
                in_flight,
                successes,
                since,
            } => {
                let successes = successes + 1;
                if successes >= self.cfg.half_open_probes.max(1) {
                    self.state = State::Closed { failures: 0 };
                    Some(Transition::Closed)
                } else {
                    self.state = State::HalfOpen {
                        in_flight: in_flight.saturating_sub(1),
                        successes,
                        since,
                    };
                    None
                }
            }
            // A late success from before the breaker opened changes nothing.
            State::Open { .. } => None,
        }
    }

    pub fn on_failure(&mut self, now: Duration) -> Option<Transition> {
        if !self.cfg.enabled {
            return None;
        }
        match self.state {
            State::Closed { failures } => {
                let failures = failures + 1;
                if failures >= self.cfg.failure_threshold.max(1) {
                    self.state = State::Open { since: now };
                    Some(Transition::Opened)
                } else {
                    self.state = State::Closed { failures };
                    None
                }
            }
            State::HalfOpen { .. } => {
                self.state = State::Open { since: now };
                Some(Transition::Opened)
            }
            State::Open { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(threshold: u32, probes: u32) -> BreakerConfig {
        BreakerConfig {
            enabled: true,
            failure_threshold: threshold,
            recovery_timeout: Duration::from_secs(10),
            half_open_probes: probes,
        }
    }
    const fn s(n: u64) -> Duration {
        Duration::from_secs(n)
    }

    #[test]
    fn opens_after_threshold_consecutive_failures() {
        let mut b = Breaker::new(cfg(3, 1));
        assert_eq!(b.on_failure(s(0)), None);
        assert_eq!(b.on_failure(s(0)), None);
        assert_eq!(b.on_failure(s(1)), Some(Transition::Opened));
        assert_eq!(b.state_name(s(1)), StateName::Open);
        assert_eq!(b.admit(s(5)).0, Admission::Rejected { retry_in: s(6) });
    }

    #[test]
    fn success_resets_the_failure_count() {
        let mut b = Breaker::new(cfg(3, 1));
        b.on_failure(s(0));
        b.on_failure(s(0));
        b.on_success(s(0));
        assert_eq!(b.on_failure(s(0)), None);
        assert_eq!(b.on_failure(s(0)), None);
        assert_eq!(b.state(), State::Closed { failures: 2 });
    }

    #[test]
    fn half_opens_after_recovery_timeout_and_closes_on_probe_success() {
        let mut b = Breaker::new(cfg(1, 1));
        b.on_failure(s(0));
        assert!(matches!(b.admit(s(9)).0, Admission::Rejected { .. }));
        assert_eq!(b.state_name(s(10)), StateName::HalfOpen);
        let (a, t) = b.admit(s(10));
        assert_eq!(a, Admission::Allowed { probe: true });
        assert_eq!(t, Some(Transition::HalfOpened));
        // Only one probe at a time.
        assert!(matches!(b.admit(s(10)).0, Admission::Rejected { .. }));
        assert_eq!(b.on_success(s(11)), Some(Transition::Closed));
        assert_eq!(b.admit(s(11)).0, Admission::Allowed { probe: false });
    }

    #[test]
    fn probe_failure_reopens_with_a_fresh_timeout() {
        let mut b = Breaker::new(cfg(1, 1));
        b.on_failure(s(0));
        b.admit(s(10));
        assert_eq!(b.on_failure(s(12)), Some(Transition::Opened));
        assert_eq!(b.admit(s(21)).0, Admission::Rejected { retry_in: s(1) });
        assert_eq!(b.admit(s(22)).0, Admission::Allowed { probe: true });
    }

    #[test]
    fn several_probes_must_all_succeed() {
        let mut b = Breaker::new(cfg(1, 3));
        b.on_failure(s(0));
        for _ in 0..3 {
            assert_eq!(b.admit(s(10)).0, Admission::Allowed { probe: true });
        }
        assert!(matches!(b.admit(s(10)).0, Admission::Rejected { .. }));
        assert_eq!(b.on_success(s(10)), None);
        assert_eq!(b.on_success(s(10)), None);
        assert_eq!(b.on_success(s(10)), Some(Transition::Closed));
    }

    #[test]
    fn one_failed_probe_of_several_reopens() {
        let mut b = Breaker::new(cfg(1, 2));
        b.on_failure(s(0));
        b.admit(s(10));
        b.admit(s(10));
        b.on_success(s(10));
        assert_eq!(b.on_failure(s(10)), Some(Transition::Opened));
        assert_eq!(b.state_name(s(10)), StateName::Open);
    }

    #[test]
    fn a_lost_probe_frees_its_slot_after_the_recovery_timeout() {
        let mut b = Breaker::new(cfg(1, 1));
        b.on_failure(s(0));
        assert_eq!(b.admit(s(10)).0, Admission::Allowed { probe: true });
        // The probe's caller went away: no outcome is ever reported.
        assert!(matches!(b.admit(s(19)).0, Admission::Rejected { .. }));
        assert_eq!(b.admit(s(20)).0, Admission::Allowed { probe: true });
        assert_eq!(b.on_success(s(21)), Some(Transition::Closed));
    }

    #[test]
    fn disabled_breaker_always_admits() {
        let mut b = Breaker::new(BreakerConfig {
            enabled: false,
            ..cfg(1, 1)
        });
        for _ in 0..10 {
            assert_eq!(b.on_failure(s(0)), None);
        }
        assert_eq!(b.admit(s(0)).0, Admission::Allowed { probe: false });
    }

    #[test]
    fn failures_while_open_do_not_extend_the_timeout() {
        let mut b = Breaker::new(cfg(1, 1));
        b.on_failure(s(0));
        assert_eq!(b.on_failure(s(5)), None);
        assert_eq!(b.admit(s(10)).0, Admission::Allowed { probe: true });
    }
}
