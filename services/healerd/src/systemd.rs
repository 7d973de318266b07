//! The seam between healerd and systemd.
//!
//! [`Systemd`] is what the driver needs from the service manager. The real
//! implementation speaks D-Bus (`crate::dbus`); [`fake::FakeSystemd`] is an
//! in-memory manager for tests of the driver.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;

#[derive(Debug, thiserror::Error)]
pub enum SdError {
    #[error("not connected to systemd")]
    Disconnected,
    #[error("systemd call {method} for {unit} failed: {message}")]
    Call {
        method: &'static str,
        unit: String,
        message: String,
    },
    #[error("D-Bus connection failed")]
    Connect(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// The state of one unit as systemd reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitState {
    pub unit: String,
    pub active: String,
    pub sub: String,
    /// `Result` of a service (`success`, `exit-code`, `start-limit-hit`...).
    pub result: String,
    pub n_restarts: Option<u32>,
}

/// Static facts of a unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitDeps {
    pub requires: Vec<String>,
    pub required_by: Vec<String>,
    pub start_limit_burst: u32,
    pub start_limit_interval: Duration,
}

/// What the subscription delivers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// A unit's state changed (from `PropertiesChanged`).
    State(UnitState),
    /// `JobRemoved(id, job, unit, result)`.
    JobRemoved {
        job: String,
        unit: String,
        result: String,
    },
}

/// What healerd needs from the service manager.
pub trait Systemd: Send + Sync + 'static {
    /// Connect and subscribe; signals arrive on the receiver until the
    /// connection is lost (then the receiver closes).
    fn subscribe(
        &self,
        capacity: usize,
    ) -> impl Future<Output = Result<mpsc::Receiver<Signal>, SdError>> + Send;
    /// Current state of every loaded unit (after connecting or reconnecting).
    fn list_units(&self) -> impl Future<Output = Result<Vec<UnitState>, SdError>> + Send;
    fn unit_state(&self, unit: &str) -> impl Future<Output = Result<UnitState, SdError>> + Send;
    fn unit_deps(&self, unit: &str) -> impl Future<Output = Result<UnitDeps, SdError>> + Send;
    /// Queue a restart job (mode `replace`); returns the job's object path.
    fn restart_unit(&self, unit: &str) -> impl Future<Output = Result<String, SdError>> + Send;
    fn start_unit(&self, unit: &str) -> impl Future<Output = Result<String, SdError>> + Send;
    fn stop_unit(&self, unit: &str) -> impl Future<Output = Result<String, SdError>> + Send;
    fn reset_failed(&self, unit: &str) -> impl Future<Output = Result<(), SdError>> + Send;
    fn reboot(&self) -> impl Future<Output = Result<(), SdError>> + Send;
}

/// An in-memory systemd for driver tests: units change state when jobs run,
/// and every call is recorded.
pub mod fake {
    use super::*;
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Call {
        Restart(String),
        Start(String),
        Stop(String),
        ResetFailed(String),
        Reboot,
    }

    #[derive(Default)]
    struct Inner {
        units: BTreeMap<String, UnitState>,
        deps: BTreeMap<String, UnitDeps>,
        calls: Vec<Call>,
        subscribers: Vec<mpsc::Sender<Signal>>,
        next_job: u64,
        /// Units whose next start fails.
        fail_next_start: BTreeMap<String, u32>,
        down: bool,
        subscriptions: u32,
    }

    /// Cloneable handle; clones share the same manager.
    #[derive(Clone, Default)]
    pub struct FakeSystemd {
        inner: Arc<Mutex<Inner>>,
    }

    impl FakeSystemd {
        pub fn new() -> Self {
            Self::default()
        }
        fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
            self.inner.lock().unwrap_or_else(|e| e.into_inner())
        }
        pub fn add_unit(&self, unit: &str, active: &str, deps: UnitDeps) {
            let mut g = self.lock();
            g.units.insert(
                unit.into(),
                UnitState {
                    unit: unit.into(),
                    active: active.into(),
                    sub: if active == "active" {
                        "running"
                    } else {
                        "dead"
                    }
                    .into(),
                    result: "success".into(),
                    n_restarts: Some(0),
                },
            );
            g.deps.insert(unit.into(), deps);
        }
        pub fn calls(&self) -> Vec<Call> {
            self.lock().calls.clone()
        }
        pub fn state(&self, unit: &str) -> Option<UnitState> {
            self.lock().units.get(unit).cloned()
        }
        pub fn subscriptions(&self) -> u32 {
            self.lock().subscriptions
        }
        pub fn fail_next_starts(&self, unit: &str, n: u32) {
            self.lock().fail_next_start.insert(unit.into(), n);
        }
        /// Set a unit's state and broadcast the change.
        pub fn set_state(&self, unit: &str, active: &str, sub: &str, result: &str) {
            let mut g = self.lock();
            let st = UnitState {
                unit: unit.into(),
                active: active.into(),
                sub: sub.into(),
                result: result.into(),
                n_restarts: g.units.get(unit).and_then(|u| u.n_restarts),
            };
            g.units.insert(unit.into(), st.clone());
            broadcast(&mut g, Signal::State(st));
        }
        /// Drop the bus: subscribers see their receiver close; calls fail.
        pub fn disconnect(&self) {
            let mut g = self.lock();
            g.down = true;
            g.subscribers.clear();
        }
        pub fn reconnect(&self) {
            self.lock().down = false;
        }

        fn job(
            &self,
            unit: &str,
            call: Call,
            outcome: Option<(&str, &str)>,
        ) -> Result<String, SdError> {
            let mut g = self.lock();
            if g.down {
                return Err(SdError::Disconnected);
            }
            g.calls.push(call.clone());
            g.next_job += 1;
            let job = format!("/org/freedesktop/systemd1/job/{}", g.next_job);
            let failing = match g.fail_next_start.get_mut(unit) {
                Some(n) if *n > 0 && !matches!(call, Call::Stop(_)) => {
                    *n -= 1;
                    true
                }
                _ => false,
            };
            let (active, sub, result, job_result) = if failing {
                ("failed", "failed", "exit-code", "failed")
            } else {
                match outcome {
                    Some((a, s)) => (a, s, "success", "done"),
                    None => ("inactive", "dead", "success", "done"),
                }
            };
            let prev = g.units.get(unit).cloned();
            let n_restarts = prev.as_ref().and_then(|p| p.n_restarts);
            let st = UnitState {
                unit: unit.into(),
                active: active.into(),
                sub: sub.into(),
                result: result.into(),
                n_restarts,
            };
            g.units.insert(unit.into(), st.clone());
            if matches!(call, Call::Restart(_) | Call::Start(_)) {
                broadcast(
                    &mut g,
                    Signal::State(UnitState {
                        active: "activating".into(),
                        sub: "start".into(),
                        ..st.clone()
                    }),
                );
            }
            broadcast(&mut g, Signal::State(st));
            broadcast(
                &mut g,
                Signal::JobRemoved {
                    job: job.clone(),
                    unit: unit.into(),
                    result: job_result.into(),
                },
            );
            Ok(job)
        }
    }

    fn broadcast(g: &mut Inner, s: Signal) {
        // A full subscriber loses the signal (like a bounded D-Bus queue);
        // a closed one is dropped.
        g.subscribers.retain(|tx| match tx.try_send(s.clone()) {
            Ok(()) | Err(mpsc::error::TrySendError::Full(_)) => true,
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
    }

    impl Systemd for FakeSystemd {
        async fn subscribe(&self, capacity: usize) -> Result<mpsc::Receiver<Signal>, SdError> {
            let mut g = self.lock();
            if g.down {
                return Err(SdError::Disconnected);
            }
            let (tx, rx) = mpsc::channel(capacity);
            g.subscribers.push(tx);
            g.subscriptions += 1;
            Ok(rx)
        }
        async fn list_units(&self) -> Result<Vec<UnitState>, SdError> {
            let g = self.lock();
            if g.down {
                return Err(SdError::Disconnected);
            }
            Ok(g.units.values().cloned().collect())
        }
        async fn unit_state(&self, unit: &str) -> Result<UnitState, SdError> {
            self.lock().units.get(unit).cloned().ok_or(SdError::Call {
                method: "GetUnit",
                unit: unit.into(),
                message: "no such unit".into(),
            })
        }
        async fn unit_deps(&self, unit: &str) -> Result<UnitDeps, SdError> {
            Ok(self.lock().deps.get(unit).cloned().unwrap_or_default())
        }
        async fn restart_unit(&self, unit: &str) -> Result<String, SdError> {
            self.job(
                unit,
                Call::Restart(unit.into()),
                Some(("active", "running")),
            )
        }
        async fn start_unit(&self, unit: &str) -> Result<String, SdError> {
            self.job(unit, Call::Start(unit.into()), Some(("active", "running")))
        }
        async fn stop_unit(&self, unit: &str) -> Result<String, SdError> {
            self.job(unit, Call::Stop(unit.into()), None)
        }
        async fn reset_failed(&self, unit: &str) -> Result<(), SdError> {
            let mut g = self.lock();
            if g.down {
                return Err(SdError::Disconnected);
            }
            g.calls.push(Call::ResetFailed(unit.into()));
            Ok(())
        }
        async fn reboot(&self) -> Result<(), SdError> {
            self.lock().calls.push(Call::Reboot);
            Ok(())
        }
    }
}
