//! Retry policy: exponential backoff with full jitter, only for retryable
//! failures, honouring `Retry-After`, within a total deadline. Pure: the
//! caller passes the elapsed time and a jitter sample in `[0, 1)`.

use std::time::Duration;

/// Why one attempt failed, as far as retrying cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Timeout,
    Connect,
    /// HTTP 429, with the server's `Retry-After` if it sent one.
    RateLimited {
        retry_after: Option<Duration>,
    },
    /// HTTP 5xx.
    Server {
        status: u16,
    },
    /// HTTP 4xx other than 429 (bad key, bad request): retrying won't help.
    Client {
        status: u16,
    },
    /// A body that is not the provider's wire format.
    BadBody,
}

impl FailureKind {
    pub fn retryable(self) -> bool {
        matches!(
            self,
            FailureKind::Timeout
                | FailureKind::Connect
                | FailureKind::RateLimited { .. }
                | FailureKind::Server { .. }
        )
    }

    /// Short label for metrics (`provider_errors{kind=...}`).
    pub fn label(self) -> &'static str {
        match self {
            FailureKind::Timeout => "timeout",
            FailureKind::Connect => "connect",
            FailureKind::RateLimited { .. } => "rate_limited",
            FailureKind::Server { .. } => "server",
            FailureKind::Client { .. } => "client",
            FailureKind::BadBody => "bad_body",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Total time budget for all attempts of one provider.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            deadline: Duration::from_secs(20),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    RetryAfter(Duration),
    GiveUp(GiveUpReason),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GiveUpReason {
    NotRetryable,
    AttemptsExhausted,
    /// Waiting would pass the deadline.
    Deadline,
}

impl RetryPolicy {
    /// The backoff ceiling before attempt `attempt + 1` (attempt counts from 1).
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        self.base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay)
    }

    /// Decides what to do after `attempt` (1-based) failed with `kind`,
    /// `elapsed` into the budget; `jitter` is uniform in `[0, 1)`.
    pub fn decide(
        &self,
        attempt: u32,
        kind: FailureKind,
        elapsed: Duration,
        jitter: f64,
    ) -> Decision {
        if !kind.retryable() {
            return Decision::GiveUp(GiveUpReason::NotRetryable);
        }
        if attempt >= self.max_attempts {
            return Decision::GiveUp(GiveUpReason::AttemptsExhausted);
        }
        let jitter = jitter.clamp(0.0, 1.0);
        let backoff = self.ceiling(attempt).mul_f64(jitter);
        let wait = match kind {
            // The server said when: wait at least that long.
            FailureKind::RateLimited {
                retry_after: Some(ra),
            } => ra.max(backoff),
            _ => backoff,
        };
        if elapsed.saturating_add(wait) >= self.deadline {
            return Decision::GiveUp(GiveUpReason::Deadline);
        }
        Decision::RetryAfter(wait)
    }
}

/// Parses a `Retry-After` header value: delta-seconds (the HTTP-date form
/// is not used by LLM APIs and is treated as absent).
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(n) = v.parse::<u64>() {
        return Some(Duration::from_secs(n.min(3600)));
    }
    v.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f >= 0.0)
        .map(|f| Duration::from_secs_f64(f.min(3600.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
            deadline: Duration::from_secs(2),
        }
    }
    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn ceiling_doubles_and_caps() {
        let p = p();
        assert_eq!(p.ceiling(1), ms(100));
        assert_eq!(p.ceiling(2), ms(200));
        assert_eq!(p.ceiling(3), ms(400));
        assert_eq!(p.ceiling(4), ms(500));
        assert_eq!(p.ceiling(40), ms(500));
    }

    #[test]
    fn full_jitter_spans_zero_to_ceiling() {
        let p = p();
        assert_eq!(
            p.decide(2, FailureKind::Timeout, ms(0), 0.0),
            Decision::RetryAfter(ms(0))
        );
        assert_eq!(
            p.decide(2, FailureKind::Timeout, ms(0), 0.5),
            Decision::RetryAfter(ms(100))
        );
        assert_eq!(
            p.decide(3, FailureKind::Connect, ms(0), 0.999),
            Decision::RetryAfter(ms(400).mul_f64(0.999))
        );
    }

    #[test]
    fn only_retryable_failures_are_retried() {
        let p = p();
        for k in [
            FailureKind::Timeout,
            FailureKind::Connect,
            FailureKind::Server { status: 503 },
            FailureKind::RateLimited { retry_after: None },
        ] {
            assert!(
                matches!(p.decide(1, k, ms(0), 0.1), Decision::RetryAfter(_)),
                "{k:?}"
            );
        }
        for k in [FailureKind::Client { status: 401 }, FailureKind::BadBody] {
            assert_eq!(
                p.decide(1, k, ms(0), 0.1),
                Decision::GiveUp(GiveUpReason::NotRetryable)
            );
        }
    }

    #[test]
    fn attempts_are_bounded() {
        let p = p();
        assert!(matches!(
            p.decide(3, FailureKind::Timeout, ms(0), 0.1),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            p.decide(4, FailureKind::Timeout, ms(0), 0.1),
            Decision::GiveUp(GiveUpReason::AttemptsExhausted)
        );
    }

    #[test]
    fn retry_after_is_honoured_over_a_shorter_backoff() {
        let p = p();
        let k = FailureKind::RateLimited {
            retry_after: Some(ms(700)),
        };
        assert_eq!(p.decide(1, k, ms(0), 0.9), Decision::RetryAfter(ms(700)));
    }

    #[test]
    fn deadline_stops_retries_including_long_retry_after() {
        let p = p();
        let k = FailureKind::RateLimited {
            retry_after: Some(Duration::from_secs(5)),
        };
        assert_eq!(
            p.decide(1, k, ms(0), 0.0),
            Decision::GiveUp(GiveUpReason::Deadline)
        );
        assert_eq!(
            p.decide(1, FailureKind::Timeout, ms(1950), 0.9),
            Decision::GiveUp(GiveUpReason::Deadline)
        );
        assert!(matches!(
            p.decide(1, FailureKind::Timeout, ms(1800), 0.9),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn retry_after_parsing() {
        assert_eq!(parse_retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(" 0.5 "), Some(ms(500)));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("999999"), Some(Duration::from_secs(3600)));
    }
}
