//! Token-bucket rate limiting (rpm and burst), per provider and per user.

use std::collections::HashMap;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketConfig {
    pub enabled: bool,
    pub rpm: u32,
    pub burst: u32,
}

impl Default for BucketConfig {
    fn default() -> Self {
        BucketConfig {
            enabled: true,
            rpm: 60,
            burst: 10,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: Duration,
}

impl TokenBucket {
    /// A full bucket of `burst` tokens refilled at `rpm` per minute.
    pub fn new(rpm: u32, burst: u32, now: Duration) -> TokenBucket {
        let capacity = f64::from(burst.max(1));
        TokenBucket {
            capacity,
            per_sec: f64::from(rpm) / 60.0,
            tokens: capacity,
            last: now,
        }
    }

    fn refill(&mut self, now: Duration) {
        if now > self.last {
            let dt = (now - self.last).as_secs_f64();
            self.tokens = (self.tokens + dt * self.per_sec).min(self.capacity);
            self.last = now;
        }
    }

    /// Takes a token, or says how long until one is there.
    pub fn try_take(&mut self, now: Duration) -> Result<(), Duration> {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else if self.per_sec <= 0.0 {
            Err(Duration::MAX)
        } else {
            Err(Duration::from_secs_f64((1.0 - self.tokens) / self.per_sec))
        }
    }

    pub fn available(&mut self, now: Duration) -> f64 {
        self.refill(now);
        self.tokens
    }
}

/// Buckets keyed by name (provider names and user names live in separate
/// limiters). Idle full buckets are dropped when the map grows past `max_keys`.
#[derive(Debug, Clone)]
pub struct RateLimiter {
    cfg: BucketConfig,
    buckets: HashMap<String, TokenBucket>,
    max_keys: usize,
}

impl RateLimiter {
    pub fn new(cfg: BucketConfig) -> RateLimiter {
        RateLimiter {
            cfg,
            buckets: HashMap::new(),
            max_keys: 4096,
        }
    }

    pub fn check(&mut self, key: &str, now: Duration) -> Result<(), Duration> {
        if !self.cfg.enabled {
            return Ok(());
        }
        if self.buckets.len() >= self.max_keys && !self.buckets.contains_key(key) {
            let cap = f64::from(self.cfg.burst.max(1));
            self.buckets.retain(|_, b| b.available(now) < cap);
        }
        let cfg = self.cfg;
        self.buckets
            .entry(key.to_string())
            .or_insert_with(|| TokenBucket::new(cfg.rpm, cfg.burst, now))
            .try_take(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn burst_then_refill_at_rpm() {
        let mut b = TokenBucket::new(60, 3, ms(0));
        assert!(b.try_take(ms(0)).is_ok());
        assert!(b.try_take(ms(0)).is_ok());
        assert!(b.try_take(ms(0)).is_ok());
        let wait = b.try_take(ms(0)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(b.try_take(ms(500)).is_err());
        assert!(b.try_take(ms(1000)).is_ok());
        assert!(b.try_take(ms(1000)).is_err());
    }

    #[test]
    fn refill_never_exceeds_burst() {
        let mut b = TokenBucket::new(600, 2, ms(0));
        assert!((b.available(Duration::from_secs(3600)) - 2.0).abs() < 1e-9);
    }

    #[test]
    fn keys_are_independent() {
        let mut l = RateLimiter::new(BucketConfig {
            enabled: true,
            rpm: 1,
            burst: 1,
        });
        assert!(l.check("alice", ms(0)).is_ok());
        assert!(l.check("alice", ms(0)).is_err());
        assert!(l.check("bob", ms(0)).is_ok());
        assert!(l.check("alice", Duration::from_secs(60)).is_ok());
    }

    #[test]
    fn disabled_limiter_admits_everything() {
        let mut l = RateLimiter::new(BucketConfig {
            enabled: false,
            rpm: 1,
            burst: 1,
        });
        for _ in 0..100 {
            assert!(l.check("x", ms(0)).is_ok());
        }
    }

    #[test]
    fn zero_rpm_never_refills() {
        let mut b = TokenBucket::new(0, 1, ms(0));
        assert!(b.try_take(ms(0)).is_ok());
        assert_eq!(b.try_take(Duration::from_secs(1000)), Err(Duration::MAX));
    }
}
