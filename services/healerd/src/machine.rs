//! The healing decisions: a pure state machine.
//!
//! [`Machine::handle`] takes an [`Event`] and the current [`Instant`] and
//! returns [`Effect`]s as data; it performs no IO and reads no clock, so
//! every path is tested with a fake clock. The driver (`crate::driver`)
//! turns D-Bus signals and timers into events and carries out the effects.
//!
//! Per unit the machine keeps a [`Phase`]:
//!
//! ```text
//!   Healthy --failure--> Backoff --timer--> Restarting --job done, active--> Cooldown --timer--> Healthy
//!      |                    |  (or Queued when too many restarts are in flight)   |
//!      |                    +-- restarts in window used up / flapping --> escalation chain --> GaveUp
//!      +--inactive, Result=success (a stop nobody asked us for)--> AdminStopped (never restarted)
//!      +--SubState=auto-restart (systemd's Restart=)--> SystemdRestarting (counted, not restarted)
//! ```
//!
//! Architecture invariant: nothing in this module blocks, allocates without
//! bound, or looks at the wall clock; state per unit and pending work are
//! capped by [`Limits`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::Duration;
use std::time::Instant;

use serde::Serialize;

use crate::policy::{Policy, PolicySet, StartLimitAction, Step};

/// What happened.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// `ActiveState`/`SubState`/`Result` (and `NRestarts` when known) of a unit.
    UnitState {
        unit: String,
        active: String,
        sub: String,
        result: String,
        n_restarts: Option<u32>,
    },
    /// Static facts about a unit, read once and on reconnect.
    UnitInfo {
        unit: String,
        /// `Requires=`/`BindsTo=` of the unit.
        requires: Vec<String>,
        /// Units that require this one.
        required_by: Vec<String>,
        /// systemd's `StartLimitBurst=` (0 = no limit).
        start_limit_burst: u32,
        start_limit_interval: Duration,
    },
    /// A job finished. `ours` when healerd queued it.
    JobRemoved {
        unit: String,
        ours: bool,
        result: String,
    },
    /// One health-check run.
    Health {
        unit: String,
        check: String,
        ok: bool,
        threshold: u32,
    },
    /// The driver knows an administrator stopped the unit.
    ManualStop {
        unit: String,
    },
    /// `healer pause UNIT` / `healer resume UNIT`.
    Pause {
        unit: String,
    },
    Resume {
        unit: String,
    },
    /// A timer asked for by [`Effect::StartTimer`] fired.
    Timer {
        unit: String,
        kind: TimerKind,
        token: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TimerKind {
    /// Time to restart after backoff.
    Backoff,
    /// A restart job took too long.
    JobDeadline,
    /// Stable long enough after a restart.
    Cooldown,
}

/// What the driver must do.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "effect", rename_all = "kebab-case")]
pub enum Effect {
    StartTimer {
        unit: String,
        kind: TimerKind,
        token: u64,
        after: Duration,
    },
    RestartUnit {
        unit: String,
    },
    ResetFailed {
        unit: String,
    },
    /// Restart these units one after the other, in this order, before `unit`.
    RestartDeps {
        unit: String,
        deps: Vec<String>,
    },
    StopDependents {
        unit: String,
        dependents: Vec<String>,
    },
    /// Start units that were left stopped while `unit` was down.
    StartUnits {
        unit: String,
        units: Vec<String>,
    },
    /// Raise an alert (logged at error level). The machine always emits the
    /// matching audit record beside it, so the driver must not record the
    /// alert a second time.
    Alert {
        unit: String,
        message: String,
    },
    /// Read the unit's state again and feed it back (as `UnitState`).
    RefreshState {
        unit: String,
    },
    Reboot {
        reason: String,
    },
    Audit(Audit),
}

/// One line of the audit trail (sent to questlogd by the driver).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Audit {
    pub unit: String,
    pub action: String,
    pub reason: String,
    pub state_before: String,
    pub state_after: String,
    pub n_restarts: Option<u32>,
    pub attempt: u32,
}

/// Where a unit stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Phase {
    Healthy,
    Backoff,
    Queued,
    Restarting,
    Cooldown,
    SystemdRestarting,
    AdminStopped,
    /// Stopped because something it requires went down, or by our
    /// stop-dependents step; started again when that is back.
    HeldForDependency,
    GaveUp,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Healthy => "healthy",
            Phase::Backoff => "backoff",
            Phase::Queued => "queued",
            Phase::Restarting => "restarting",
            Phase::Cooldown => "cooldown",
            Phase::SystemdRestarting => "systemd-restarting",
            Phase::AdminStopped => "admin-stopped",
            Phase::HeldForDependency => "held-for-dependency",
            Phase::GaveUp => "gave-up",
        }
    }
}

/// Caps on state and work.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Units tracked at once; beyond it the least recently seen idle unit is forgotten.
    pub max_units: usize,
    /// Restart jobs in flight at once; more wait in a queue holding each unit once.
    pub max_concurrent_restarts: usize,
    /// A clean stop this soon after a requirement failed is propagation, not an administrator.
    pub propagation_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_units: 2048,
            max_concurrent_restarts: 8,
            propagation_grace: Duration::from_secs(5),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
struct Status {
    active: String,
    sub: String,
    result: String,
    n_restarts: Option<u32>,
}

impl Status {
    fn describe(&self) -> String {
        if self.active.is_empty() {
            return "unknown".into();
        }
        format!("{}/{} ({})", self.active, self.sub, self.result)
    }
}

#[derive(Debug, Clone)]
struct Unit {
    phase: Phase,
    status: Status,
    paused: bool,
    /// Our restarts, newest last, only those within the restart window.
    restarts: VecDeque<Instant>,
    /// Our starts within systemd's start-limit interval.
    starts: VecDeque<Instant>,
    /// Failures (whoever restarts), for flapping.
    failures: VecDeque<Instant>,
    attempt: u32,
    step: usize,
    escalating: bool,
    flapping: bool,
    token: u64,
    job_done: bool,
    failed_during_restart: bool,
    /// Queued restart should ResetFailed first (escalation).
    pending_reset: bool,
    /// We restarted it as a requirement of another unit: its stop is ours.
    expect_restart: bool,
    health_failures: BTreeMap<String, u32>,
    requires: Vec<String>,
    required_by: Vec<String>,
    start_limit: (u32, Duration),
    stopped_dependents: Vec<String>,
    last_seen: Instant,
    last_failure: Option<Instant>,
    last_reason: String,
    /// First seen stopped and not seen running since (loaded by a
    /// `daemon-reload`, or never started): its first start is not news.
    never_ran: bool,
}

impl Unit {
    fn new(now: Instant) -> Self {
        Self {
            phase: Phase::Healthy,
            status: Status::default(),
            paused: false,
            restarts: VecDeque::new(),
            starts: VecDeque::new(),
            failures: VecDeque::new(),
            attempt: 0,
            step: 0,
            escalating: false,
            flapping: false,
            token: 0,
            job_done: false,
            failed_during_restart: false,
            pending_reset: false,
            expect_restart: false,
            health_failures: BTreeMap::new(),
            requires: Vec::new(),
            required_by: Vec::new(),
            start_limit: (0, Duration::ZERO),
            stopped_dependents: Vec::new(),
            last_seen: now,
            last_failure: None,
            last_reason: String::new(),
            never_ran: false,
        }
    }
    fn idle(&self) -> bool {
        matches!(
            self.phase,
            Phase::Healthy | Phase::AdminStopped | Phase::GaveUp
        ) && self.stopped_dependents.is_empty()
    }
}

/// A read-only view of one unit, for `healer status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitView {
    pub unit: String,
    pub phase: Phase,
    pub state: String,
    pub paused: bool,
    pub attempt: u32,
    pub restarts_in_window: usize,
    pub escalation_step: usize,
    pub flapping: bool,
    pub n_restarts: Option<u32>,
    pub last_reason: String,
}

/// Counters for `healer status`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counters {
    pub restarts: u64,
    pub escalations: u64,
    pub evicted_units: u64,
    pub dropped_events: u64,
}

/// SplitMix64: small, seedable, good enough for jitter.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1].
    fn symmetric(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    }
}

/// Backoff delay for `attempt` (0-based) without jitter.
pub fn base_delay(p: &crate::policy::RestartPolicy, attempt: u32) -> Duration {
    let ms = p.initial_delay_ms as f64 * p.factor.powi(attempt.min(64) as i32);
    let ms = ms.min(p.max_delay_ms as f64);
    Duration::from_millis(ms as u64)
}

/// The state machine.
#[derive(Debug, Clone)]
pub struct Machine {
    policies: PolicySet,
    limits: Limits,
    units: BTreeMap<String, Unit>,
    queue: VecDeque<String>,
    in_flight: usize,
    /// Failures per relation key (policy group or shared requirement).
    related: BTreeMap<String, VecDeque<(Instant, String)>>,
    related_alerted: BTreeMap<String, Instant>,
    rng: Rng,
    counters: Counters,
}

const MAX_RELATION_KEYS: usize = 4096;

impl Machine {
    pub fn new(policies: PolicySet, limits: Limits, seed: u64) -> Self {
        Self {
            policies,
            limits,
            units: BTreeMap::new(),
            queue: VecDeque::new(),
            in_flight: 0,
            related: BTreeMap::new(),
            related_alerted: BTreeMap::new(),
            rng: Rng(seed),
            counters: Counters::default(),
        }
    }

    /// Swap in new policies (SIGHUP); unit state is kept.
    pub fn set_policies(&mut self, policies: PolicySet) {
        self.policies = policies;
    }

    pub fn policies(&self) -> &PolicySet {
        &self.policies
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn tracked_units(&self) -> usize {
        self.units.len()
    }

    pub fn queue_len(&self) -> usize {
        self.queue.len()
    }

    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    pub fn phase(&self, unit: &str) -> Option<Phase> {
        self.units.get(unit).map(|u| u.phase)
    }

    pub fn view(&self, now: Instant) -> Vec<UnitView> {
        self.units
            .iter()
            .map(|(name, u)| {
                let window = self.policies.for_unit(name).map_or(Duration::ZERO, |p| {
                    Duration::from_secs(p.restart.window_secs)
                });
                UnitView {
                    unit: name.clone(),
                    phase: u.phase,
                    state: u.status.describe(),
                    paused: u.paused,
                    attempt: u.attempt,
                    restarts_in_window: u
                        .restarts
                        .iter()
                        .filter(|t| now.saturating_duration_since(**t) < window)
                        .count(),
                    escalation_step: u.step,
                    flapping: u.flapping,
                    n_restarts: u.status.n_restarts,
                    last_reason: u.last_reason.clone(),
                }
            })
            .collect()
    }

    /// Feed one event; get the effects to perform, in order.
    pub fn handle(&mut self, now: Instant, event: Event) -> Vec<Effect> {
        let mut out = Vec::new();
        let name = event_unit(&event).to_string();
        let Some(policy) = self.policies.for_unit(&name).cloned() else {
            // Not ours: forget anything we knew (policy removed on reload).
            if let Some(u) = self.units.remove(&name) {
                if u.phase == Phase::Restarting {
                    self.in_flight = self.in_flight.saturating_sub(1);
                }
                self.queue.retain(|q| q != &name);
            }
            return out;
        };
        if !self.units.contains_key(&name) && !self.make_room(now) {
            self.counters.dropped_events += 1;
            return out;
        }
        let unit = self
            .units
            .entry(name.clone())
            .or_insert_with(|| Unit::new(now));
        unit.last_seen = now;
        match event {
            Event::UnitState {
                active,
                sub,
                result,
                n_restarts,
                ..
            } => {
                let new = Status {
                    active,
                    sub,
                    result,
                    n_restarts: n_restarts.or(unit.status.n_restarts),
                };
                self.on_state(now, &name, &policy, new, &mut out);
            }
            Event::UnitInfo {
                requires,
                required_by,
                start_limit_burst,
                start_limit_interval,
                ..
            } => {
                unit.requires = requires.into_iter().take(64).collect();
                unit.required_by = required_by.into_iter().take(64).collect();
                unit.start_limit = (start_limit_burst, start_limit_interval);
            }
            Event::JobRemoved { ours, result, .. } => {
                if ours {
                    self.on_job(now, &name, &policy, &result, &mut out);
                }
            }
            Event::Health {
                check,
                ok,
                threshold,
                ..
            } => self.on_health(now, &name, &policy, check, ok, threshold, &mut out),
            Event::ManualStop { .. } => self.on_stop(now, &name, &policy, true, &mut out),
            Event::Pause { .. } => {
                let before = describe(unit);
                unit.paused = true;
                unit.token += 1;
                if unit.phase == Phase::Queued {
                    unit.phase = Phase::Healthy;
                    self.queue.retain(|q| q != &name);
                } else if unit.phase == Phase::Backoff {
                    unit.phase = Phase::Healthy;
                }
                let unit = &self.units[&name];
                out.push(audit(
                    &name,
                    unit,
                    "pause",
                    "paused by administrator",
                    before,
                ));
            }
            Event::Resume { .. } => {
                let before = describe(unit);
                unit.paused = false;
                let failed = is_failure(&unit.status);
                out.push(audit(
                    &name,
                    unit,
                    "resume",
                    "resumed by administrator",
                    before,
                ));
                if failed && !matches!(unit.phase, Phase::Restarting | Phase::AdminStopped) {
                    unit.phase = Phase::Healthy;
                    self.on_failure(now, &name, &policy, "failed while paused", &mut out);
                }
            }
            Event::Timer { kind, token, .. } => {
                if token == unit.token && !unit.paused {
                    self.on_timer(now, &name, &policy, kind, &mut out);
                }
            }
        }
        self.pump_queue(now, &mut out);
        out
    }

    /// Forget the least recently seen idle unit when the table is full.
    fn make_room(&mut self, _now: Instant) -> bool {
        if self.units.len() < self.limits.max_units {
            return true;
        }
        let victim = self
            .units
            .iter()
            .filter(|(_, u)| u.idle())
            .min_by_key(|(_, u)| u.last_seen)
            .map(|(n, _)| n.clone());
        match victim {
            Some(v) => {
                self.units.remove(&v);
                self.counters.evicted_units += 1;
                true
            }
            None => false,
        }
    }

    fn on_state(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        new: Status,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        let old = std::mem::replace(&mut unit.status, new.clone());
        let was_failure = is_failure(&old);
        let job_finished = unit.phase == Phase::Restarting && unit.job_done;
        let same = old.active == new.active && old.sub == new.sub && old.result == new.result;
        if same && !job_finished {
            return; // a repeat (re-read after reconnect, coalesced signals)
        }
        if old.active.is_empty()
            && new.active == "inactive"
            && !is_failure(&new)
            && unit.phase == Phase::Healthy
        {
            // First sight of a unit that is simply not running: leave it be.
            unit.phase = Phase::AdminStopped;
            unit.never_ran = true;
            return;
        }
        if new.sub == "auto-restart" {
            // systemd's own Restart= is at work: count it, don't race it.
            if old.sub != "auto-restart" {
                if unit.phase == Phase::Queued {
                    self.queue.retain(|q| q != name);
                }
                if unit.phase != Phase::Restarting {
                    unit.phase = Phase::SystemdRestarting;
                    unit.token += 1;
                }
                let reason = format!("systemd auto-restart after {}", new.result);
                unit.last_reason = reason.clone();
                let flapping = self.note_failure(now, name, policy, out);
                if flapping && !self.units[name].paused {
                    self.escalate(now, name, policy, "flapping under systemd Restart=", out);
                }
            }
            return;
        }
        if new.active == "failed" && new.result == "start-limit-hit" {
            if old.result != "start-limit-hit" || old.active != "failed" {
                self.on_start_limit(now, name, policy, out);
            }
            return;
        }
        if new.active == "failed" && new.result == "success" {
            // Transitional: systemd resets `Result` when a new activation of a failed
            // unit begins, before `ActiveState` moves on. Wait for the next state.
            return;
        }
        if is_failure(&new) {
            if was_failure && old.active == new.active && !job_finished {
                return; // same failure reported again
            }
            let reason = format!("unit {} ({})", new.active, new.result);
            self.on_failure(now, name, policy, &reason, out);
            return;
        }
        match new.active.as_str() {
            "active" | "reloading" => {
                if old.active == "active" || old.active == "reloading" {
                    return;
                }
                self.on_active(now, name, policy, out);
            }
            "inactive" => self.on_stop(now, name, policy, false, out),
            _ => {} // activating, deactivating: wait for the outcome
        }
    }

    fn on_active(&mut self, now: Instant, name: &str, policy: &Policy, out: &mut Vec<Effect>) {
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.expect_restart = false;
        let before = describe(unit);
        if std::mem::take(&mut unit.never_ran) && unit.phase == Phase::AdminStopped {
            // Its first start (e.g. a unit installed, `daemon-reload`ed and
            // started): nothing to report, just watch it from now on.
            unit.phase = Phase::Healthy;
            return;
        }
        match unit.phase {
            Phase::Restarting => {
                self.in_flight = self.in_flight.saturating_sub(1);
                self.enter_cooldown(now, name, policy, "restart succeeded", before, out);
            }
            Phase::Backoff | Phase::Queued | Phase::SystemdRestarting => {
                // Someone (systemd, an administrator) brought it back first.
                if unit.phase == Phase::Queued {
                    self.queue.retain(|q| q != name);
                }
                self.enter_cooldown(now, name, policy, "back without us", before, out);
            }
            Phase::GaveUp | Phase::AdminStopped | Phase::HeldForDependency => {
                unit.phase = Phase::Healthy;
                unit.token += 1;
                unit.escalating = false;
                unit.step = 0;
                unit.attempt = 0;
                let unit = &self.units[name];
                out.push(audit(
                    name,
                    unit,
                    "observed-start",
                    "started from outside",
                    before,
                ));
                self.start_held_dependents(name, out);
            }
            Phase::Healthy | Phase::Cooldown => {
                // A dependent we started again: its own held dependents follow.
                self.start_held_dependents(name, out);
            }
        }
    }

    /// Whether one of `name`'s requirements, transitively, failed, is being restarted by
    /// us, or failed within `grace`.
    fn requirement_down(&self, name: &str, now: Instant, grace: Duration) -> bool {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut todo: Vec<&str> = vec![name];
        while let Some(n) = todo.pop() {
            let Some(u) = self.units.get(n) else { continue };
            for r in &u.requires {
                if seen.len() >= 256 || !seen.insert(r.as_str()) {
                    continue;
                }
                if let Some(ru) = self.units.get(r) {
                    if is_failure(&ru.status)
                        || ru.phase == Phase::Restarting
                        || ru.phase == Phase::Backoff
                        || ru
                            .last_failure
                            .is_some_and(|t| now.saturating_duration_since(t) <= grace)
                    {
                        return true;
                    }
                    todo.push(r.as_str());
                }
            }
        }
        false
    }

    fn enter_cooldown(
        &mut self,
        _now: Instant,
        name: &str,
        policy: &Policy,
        reason: &str,
        before: String,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.phase = Phase::Cooldown;
        unit.token += 1;
        unit.job_done = false;
        unit.failed_during_restart = false;
        unit.health_failures.clear();
        out.push(Effect::StartTimer {
            unit: name.to_string(),
            kind: TimerKind::Cooldown,
            token: unit.token,
            after: policy.cooldown(),
        });
        let unit = &self.units[name];
        out.push(audit(name, unit, "active", reason, before));
        self.start_held_dependents(name, out);
    }

    /// Start dependents left stopped while `name` was down: the ones we
    /// stopped, and those held because it failed.
    fn start_held_dependents(&mut self, name: &str, out: &mut Vec<Effect>) {
        let mut to_start: Vec<String> = std::mem::take(
            &mut self
                .units
                .get_mut(name)
                .expect("unit exists")
                .stopped_dependents,
        );
        let dependents = self.units[name].required_by.clone();
        for d in dependents {
            if let Some(du) = self.units.get(&d)
                && du.phase == Phase::HeldForDependency
                && !du.paused
                && !to_start.contains(&d)
            {
                to_start.push(d);
            }
        }
        // Only start a dependent once all of its own requirements are up.
        to_start.retain(|d| {
            let reqs = self
                .units
                .get(d)
                .map(|u| u.requires.clone())
                .unwrap_or_default();
            reqs.iter().all(|r| {
                r == name
                    || self.units.get(r).is_none_or(|ru| {
                        ru.status.active == "active" || ru.status.active.is_empty()
                    })
            })
        });
        if !to_start.is_empty() {
            for d in &to_start {
                if let Some(du) = self.units.get_mut(d)
                    && du.phase == Phase::HeldForDependency
                {
                    du.phase = Phase::Healthy;
                }
            }
            out.push(Effect::StartUnits {
                unit: name.to_string(),
                units: to_start,
            });
        }
    }

    fn on_stop(
        &mut self,
        now: Instant,
        name: &str,
        _policy: &Policy,
        explicit: bool,
        out: &mut Vec<Effect>,
    ) {
        let grace = self.limits.propagation_grace;
        let held = self
            .units
            .values()
            .any(|u| u.stopped_dependents.iter().any(|d| d == name));
        let unit = &self.units[name];
        if (unit.phase == Phase::Restarting || unit.expect_restart) && !explicit {
            return; // part of our own restart
        }
        // A requirement down, directly or further along the chain (A <- B <- C: when A
        // fails, systemd may report C's stop before B's).
        let propagated = !explicit && self.requirement_down(name, now, grace);
        let before = describe(unit);
        let unit = self.units.get_mut(name).expect("unit exists");
        if unit.phase == Phase::Restarting {
            self.in_flight = self.in_flight.saturating_sub(1);
        }
        if unit.phase == Phase::Queued {
            self.queue.retain(|q| q != name);
        }
        unit.token += 1; // cancels any pending restart
        unit.job_done = false;
        unit.failed_during_restart = false;
        let (phase, action, reason) = if held || propagated {
            (
                Phase::HeldForDependency,
                "held",
                "stopped because a requirement went down",
            )
        } else {
            (
                Phase::AdminStopped,
                "admin-stop",
                "stopped on purpose; not a failure, will not restart",
            )
        };
        unit.phase = phase;
        unit.escalating = false;
        unit.step = 0;
        unit.attempt = 0;
        unit.last_reason = reason.to_string();
        let unit = &self.units[name];
        out.push(audit(name, unit, action, reason, before));
    }

    /// Record a failure for flapping; returns true when this unit now flaps.
    fn note_failure(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        out: &mut Vec<Effect>,
    ) -> bool {
        let window = Duration::from_secs(policy.flapping.window_secs);
        let threshold = policy.flapping.threshold as usize;
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.last_failure = Some(now);
        unit.failures.push_back(now);
        while unit
            .failures
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
            || unit.failures.len() > threshold
        {
            unit.failures.pop_front();
        }
        let mut flapping = unit.failures.len() >= threshold;
        if flapping && !unit.flapping {
            unit.flapping = true;
            let before = describe(unit);
            let unit = &self.units[name];
            out.push(audit(
                name,
                unit,
                "flapping",
                &format!("{threshold} failures within {}s", window.as_secs()),
                before,
            ));
        }
        // Related units: same policy group, or a shared requirement.
        let mut keys: Vec<String> = Vec::new();
        if let Some(g) = &policy.group {
            keys.push(format!("group:{g}"));
        }
        let unit = &self.units[name];
        for r in unit.requires.iter().chain(policy.requires.iter()) {
            keys.push(format!("requires:{r}"));
        }
        let gthreshold = policy.flapping.group_threshold.max(2) as usize;
        // One alert per episode: every relation that trips now goes into a
        // single alert, and a relation alerted within the window stays quiet.
        let mut tripped: Vec<(String, BTreeSet<String>)> = Vec::new();
        for key in keys {
            if !self.related.contains_key(&key) && self.related.len() >= MAX_RELATION_KEYS {
                continue;
            }
            let ring = self.related.entry(key.clone()).or_default();
            ring.push_back((now, name.to_string()));
            while ring
                .front()
                .is_some_and(|(t, _)| now.saturating_duration_since(*t) >= window)
                || ring.len() > gthreshold
            {
                ring.pop_front();
            }
            let members: BTreeSet<String> = ring.iter().map(|(_, u)| u.clone()).collect();
            if ring.len() >= gthreshold && members.len() >= 2 {
                flapping = true;
                let recent = self
                    .related_alerted
                    .get(&key)
                    .is_some_and(|t| now.saturating_duration_since(*t) < window);
                if !recent {
                    tripped.push((key, members));
                }
            }
        }
        if !tripped.is_empty() {
            if self.related_alerted.len() + tripped.len() > MAX_RELATION_KEYS {
                self.related_alerted.clear();
            }
            let mut all: BTreeSet<String> = BTreeSet::new();
            let mut parts = Vec::new();
            for (key, members) in &tripped {
                self.related_alerted.insert(key.clone(), now);
                all.extend(members.iter().cloned());
                let suspect = key
                    .strip_prefix("requires:")
                    .map(|d| format!("; common requirement {d}"))
                    .unwrap_or_default();
                let list: Vec<&str> = members.iter().map(String::as_str).collect();
                parts.push(format!("({key}): {}{suspect}", list.join(", ")));
            }
            let message = format!("related units flapping {}", parts.join("; "));
            out.push(Effect::Alert {
                unit: name.to_string(),
                message: message.clone(),
            });
            for m in &all {
                if let Some(u) = self.units.get_mut(m) {
                    u.flapping = true;
                }
            }
            let unit = &self.units[name];
            out.push(audit(
                name,
                unit,
                "group-flapping",
                &message,
                describe(unit),
            ));
        }
        flapping
    }

    fn on_failure(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        reason: &str,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.last_reason = reason.to_string();
        match unit.phase {
            Phase::Restarting => {
                // A failure while our restart is in flight: no second restart;
                // the job result decides the next step.
                unit.failed_during_restart = true;
                if unit.job_done {
                    unit.job_done = false;
                    self.in_flight = self.in_flight.saturating_sub(1);
                    unit.phase = Phase::Healthy;
                    self.note_failure(now, name, policy, out);
                    self.next_attempt(now, name, policy, reason, out);
                }
                return;
            }
            Phase::Backoff | Phase::Queued => return, // already on it
            Phase::GaveUp => {
                self.note_failure(now, name, policy, out);
                return;
            }
            _ => {}
        }
        let paused = unit.paused;
        self.note_failure(now, name, policy, out);
        if paused {
            let unit = &self.units[name];
            out.push(audit(
                name,
                unit,
                "skip",
                &format!("{reason}; paused"),
                describe(unit),
            ));
            return;
        }
        self.next_attempt(now, name, policy, reason, out);
    }

    /// Backoff, or escalation when the window is used up or the unit flaps.
    fn next_attempt(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        reason: &str,
        out: &mut Vec<Effect>,
    ) {
        let window = Duration::from_secs(policy.restart.window_secs);
        let unit = self.units.get_mut(name).expect("unit exists");
        while unit
            .restarts
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= window)
        {
            unit.restarts.pop_front();
        }
        if unit.escalating {
            self.escalate(now, name, policy, reason, out);
            return;
        }
        if unit.flapping {
            self.escalate(now, name, policy, &format!("{reason}; flapping"), out);
            return;
        }
        if unit.restarts.len() >= policy.restart.max_restarts as usize {
            let why = format!(
                "{reason}; {} restarts within {}s",
                unit.restarts.len(),
                window.as_secs()
            );
            self.escalate(now, name, policy, &why, out);
            return;
        }
        let before = describe(unit);
        let base = base_delay(&policy.restart, unit.attempt);
        if base.is_zero() {
            // No backoff for this attempt: restart now, without a timer round
            // through the driver's loop (the detection fast path).
            unit.attempt = unit.attempt.saturating_add(1);
            self.restart_or_queue(now, name, policy, false, reason, out);
            return;
        }
        let jitter = policy.restart.jitter * self.rng.symmetric();
        let delay = Duration::from_secs_f64((base.as_secs_f64() * (1.0 + jitter)).max(0.0));
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.attempt = unit.attempt.saturating_add(1);
        unit.phase = Phase::Backoff;
        unit.token += 1;
        out.push(Effect::StartTimer {
            unit: name.to_string(),
            kind: TimerKind::Backoff,
            token: unit.token,
            after: delay,
        });
        let unit = &self.units[name];
        out.push(audit(
            name,
            unit,
            "schedule-restart",
            &format!("{reason}; restart in {} ms", delay.as_millis()),
            before,
        ));
    }

    fn on_timer(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        kind: TimerKind,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        match (kind, unit.phase) {
            (TimerKind::Backoff, Phase::Backoff) => {
                let why = if unit.last_reason.is_empty() {
                    "backoff elapsed".to_string()
                } else {
                    format!("{}; backoff elapsed", unit.last_reason)
                };
                self.restart_or_queue(now, name, policy, false, &why, out);
            }
            (TimerKind::JobDeadline, Phase::Restarting) => {
                self.in_flight = self.in_flight.saturating_sub(1);
                unit.phase = Phase::Healthy;
                unit.job_done = false;
                let reason = format!(
                    "restart job still running after {}s",
                    policy.restart.job_timeout_secs
                );
                unit.last_reason = reason.clone();
                self.note_failure(now, name, policy, out);
                self.next_attempt(now, name, policy, &reason, out);
            }
            (TimerKind::Cooldown, Phase::Cooldown) => {
                let before = describe(unit);
                unit.phase = Phase::Healthy;
                unit.attempt = 0;
                unit.step = 0;
                unit.escalating = false;
                unit.flapping = false;
                unit.last_reason = "recovered".into();
                let unit = &self.units[name];
                out.push(audit(
                    name,
                    unit,
                    "recovered",
                    &format!("stable for {}s", policy.cooldown_secs),
                    before,
                ));
            }
            _ => {}
        }
    }

    /// Restart now, or queue (each unit at most once) when too many
    /// restarts are in flight.
    fn restart_or_queue(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        reset_first: bool,
        reason: &str,
        out: &mut Vec<Effect>,
    ) {
        if self.in_flight < self.limits.max_concurrent_restarts {
            self.restart(now, name, policy, reset_first, reason, out);
            return;
        }
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.pending_reset |= reset_first;
        if unit.phase != Phase::Queued {
            unit.phase = Phase::Queued;
            self.queue.push_back(name.to_string());
        }
    }

    /// Issue a restart (optionally with ResetFailed first).
    fn restart(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        reset_first: bool,
        reason: &str,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        let before = describe(unit);
        let (burst, interval) = unit.start_limit;
        while unit
            .starts
            .front()
            .is_some_and(|t| now.saturating_duration_since(*t) >= interval)
        {
            unit.starts.pop_front();
        }
        let mut reset = reset_first || std::mem::take(&mut unit.pending_reset);
        // Our start plus systemd's own would reach StartLimitBurst: reset the
        // counter on purpose (audited) instead of tripping it silently.
        let near_limit = burst > 0 && unit.starts.len() + 1 >= burst as usize;
        if near_limit && policy.reset_start_limit {
            reset = true;
            unit.starts.clear();
            out.push(audit(
                name,
                unit,
                "reset-start-limit",
                &format!("next start would reach StartLimitBurst={burst}"),
                before.clone(),
            ));
        }
        if reset {
            out.push(Effect::ResetFailed {
                unit: name.to_string(),
            });
        }
        let unit = self.units.get_mut(name).expect("unit exists");
        unit.starts.push_back(now);
        while unit.starts.len() > 64 {
            unit.starts.pop_front();
        }
        unit.restarts.push_back(now);
        while unit.restarts.len() > policy.restart.max_restarts as usize + 1 {
            unit.restarts.pop_front();
        }
        unit.phase = Phase::Restarting;
        unit.token += 1;
        unit.job_done = false;
        unit.failed_during_restart = false;
        self.in_flight += 1;
        self.counters.restarts += 1;
        out.push(Effect::RestartUnit {
            unit: name.to_string(),
        });
        out.push(Effect::StartTimer {
            unit: name.to_string(),
            kind: TimerKind::JobDeadline,
            token: unit.token,
            after: Duration::from_secs(policy.restart.job_timeout_secs),
        });
        let unit = &self.units[name];
        out.push(audit(name, unit, "restart", reason, before));
    }

    fn on_job(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        result: &str,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        if unit.phase != Phase::Restarting {
            return;
        }
        match result {
            "done" => {
                if unit.failed_during_restart {
                    self.in_flight = self.in_flight.saturating_sub(1);
                    unit.phase = Phase::Healthy;
                    let reason = "unit failed again right after restart".to_string();
                    unit.last_reason = reason.clone();
                    self.note_failure(now, name, policy, out);
                    self.next_attempt(now, name, policy, &reason, out);
                } else if unit.status.active == "active" {
                    self.in_flight = self.in_flight.saturating_sub(1);
                    let before = describe(unit);
                    self.enter_cooldown(now, name, policy, "restart job done", before, out);
                } else {
                    // The state we hold predates the job: wait for the next
                    // report, and ask for a fresh one in case it was coalesced.
                    unit.job_done = true;
                    out.push(Effect::RefreshState {
                        unit: name.to_string(),
                    });
                }
            }
            "canceled" => {
                // Replaced by someone else's job (an administrator's stop or
                // start): leave the unit to them and watch the state.
                self.in_flight = self.in_flight.saturating_sub(1);
                let before = describe(unit);
                unit.phase = if unit.status.active == "inactive" {
                    Phase::AdminStopped
                } else {
                    Phase::Healthy
                };
                unit.token += 1;
                let unit = &self.units[name];
                out.push(audit(
                    name,
                    unit,
                    "restart-canceled",
                    "our restart job was replaced by another job",
                    before,
                ));
            }
            other => {
                self.in_flight = self.in_flight.saturating_sub(1);
                unit.phase = Phase::Healthy;
                let reason = format!("restart job {other}");
                unit.last_reason = reason.clone();
                self.note_failure(now, name, policy, out);
                self.next_attempt(now, name, policy, &reason, out);
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn on_health(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        check: String,
        ok: bool,
        threshold: u32,
        out: &mut Vec<Effect>,
    ) {
        let unit = self.units.get_mut(name).expect("unit exists");
        if !matches!(unit.phase, Phase::Healthy | Phase::Cooldown) || unit.status.active != "active"
        {
            return; // only active units are health-checked
        }
        if ok {
            unit.health_failures.remove(&check);
            return;
        }
        if unit.health_failures.len() >= 32 && !unit.health_failures.contains_key(&check) {
            return;
        }
        let n = unit.health_failures.entry(check.clone()).or_insert(0);
        *n += 1;
        if *n >= threshold.max(1) {
            let count = *n;
            unit.health_failures.clear();
            let reason = format!("health check {check} failed {count} times");
            self.on_failure(now, name, policy, &reason, out);
        }
    }

    fn on_start_limit(&mut self, now: Instant, name: &str, policy: &Policy, out: &mut Vec<Effect>) {
        let unit = self.units.get_mut(name).expect("unit exists");
        if unit.phase == Phase::Restarting {
            self.in_flight = self.in_flight.saturating_sub(1);
            unit.phase = Phase::Healthy;
        }
        if unit.phase == Phase::Queued {
            self.queue.retain(|q| q != name);
            unit.phase = Phase::Healthy;
        }
        unit.token += 1;
        unit.last_reason = "start-limit-hit".into();
        let before = describe(unit);
        let paused = unit.paused;
        self.note_failure(now, name, policy, out);
        if paused {
            return;
        }
        match policy.on_start_limit_hit {
            StartLimitAction::Escalate => {
                self.escalate(now, name, policy, "systemd start-limit-hit", out);
            }
            StartLimitAction::ResetAndRestart => {
                out.push(Effect::ResetFailed {
                    unit: name.to_string(),
                });
                let unit = self.units.get_mut(name).expect("unit exists");
                unit.starts.clear();
                unit.phase = Phase::Healthy;
                self.next_attempt(now, name, policy, "systemd start-limit-hit; reset", out);
            }
            StartLimitAction::Alert => {
                out.push(Effect::Alert {
                    unit: name.to_string(),
                    message: "start-limit-hit; left failed by policy".into(),
                });
                let unit = self.units.get_mut(name).expect("unit exists");
                unit.phase = Phase::GaveUp;
                let unit = &self.units[name];
                out.push(audit(
                    name,
                    unit,
                    "gave-up",
                    "start-limit-hit (policy: alert)",
                    before,
                ));
            }
            StartLimitAction::Ignore => {
                let unit = self.units.get_mut(name).expect("unit exists");
                unit.phase = Phase::GaveUp;
                let unit = &self.units[name];
                out.push(audit(
                    name,
                    unit,
                    "ignore",
                    "start-limit-hit (policy: ignore)",
                    before,
                ));
            }
        }
    }

    /// Take the next escalation step(s).
    fn escalate(
        &mut self,
        now: Instant,
        name: &str,
        policy: &Policy,
        reason: &str,
        out: &mut Vec<Effect>,
    ) {
        self.counters.escalations += 1;
        loop {
            let unit = self.units.get_mut(name).expect("unit exists");
            if unit.phase == Phase::Queued {
                self.queue.retain(|q| q != name);
                unit.phase = Phase::Healthy;
            }
            if unit.phase == Phase::Restarting {
                // systemd Restart= flapping while our job is in flight: let the job decide.
                unit.escalating = true;
                return;
            }
            unit.escalating = true;
            unit.token += 1;
            let before = describe(unit);
            let Some(step) = policy.escalation.steps.get(unit.step).copied() else {
                unit.phase = Phase::GaveUp;
                let msg = format!("giving up on {name}: {reason}");
                out.push(Effect::Alert {
                    unit: name.to_string(),
                    message: msg,
                });
                let unit = &self.units[name];
                out.push(audit(name, unit, "gave-up", reason, before));
                return;
            };
            unit.step += 1;
            let why = format!("{reason}; escalation step {} ({})", unit.step, step.name());
            match step {
                Step::ResetFailedRestart => {
                    self.restart_or_queue(now, name, policy, true, &why, out);
                    return;
                }
                Step::RestartDependencies => {
                    let deps = self.ordered_requirements(name, policy);
                    if deps.is_empty() {
                        continue;
                    }
                    for d in &deps {
                        if let Some(du) = self.units.get_mut(d) {
                            du.expect_restart = true;
                        }
                    }
                    out.push(Effect::RestartDeps {
                        unit: name.to_string(),
                        deps,
                    });
                    self.restart_or_queue(now, name, policy, true, &why, out);
                    return;
                }
                Step::StopDependents => {
                    let required_by = unit.required_by.clone();
                    let dependents: Vec<String> = required_by
                        .iter()
                        .filter(|d| {
                            self.units
                                .get(*d)
                                .is_none_or(|du| du.phase != Phase::AdminStopped && !du.paused)
                        })
                        .cloned()
                        .collect();
                    if dependents.is_empty() {
                        continue;
                    }
                    for d in &dependents {
                        if let Some(du) = self.units.get_mut(d) {
                            if du.phase == Phase::Queued {
                                self.queue.retain(|q| q != d);
                            }
                            if du.phase == Phase::Restarting {
                                self.in_flight = self.in_flight.saturating_sub(1);
                            }
                            du.phase = Phase::HeldForDependency;
                            du.token += 1;
                        }
                    }
                    let unit = self.units.get_mut(name).expect("unit exists");
                    unit.stopped_dependents = dependents.clone();
                    out.push(Effect::StopDependents {
                        unit: name.to_string(),
                        dependents,
                    });
                    self.restart_or_queue(now, name, policy, true, &why, out);
                    return;
                }
                Step::Alert => {
                    out.push(Effect::Alert {
                        unit: name.to_string(),
                        message: why.clone(),
                    });
                    let unit = &self.units[name];
                    out.push(audit(name, unit, "alert", &why, before));
                }
                Step::Reboot => {
                    unit.phase = Phase::GaveUp;
                    out.push(Effect::Reboot {
                        reason: why.clone(),
                    });
                    let unit = &self.units[name];
                    out.push(audit(name, unit, "reboot", &why, before));
                    return;
                }
            }
        }
    }

    /// Transitive requirements, deepest first (the order to start them in).
    fn ordered_requirements(&self, name: &str, policy: &Policy) -> Vec<String> {
        let mut order = Vec::new();
        let mut seen = BTreeSet::new();
        seen.insert(name.to_string());
        let direct: Vec<String> = self
            .units
            .get(name)
            .map(|u| u.requires.clone())
            .unwrap_or_default()
            .into_iter()
            .chain(policy.requires.iter().cloned())
            .collect();
        for d in direct {
            self.visit(&d, &mut seen, &mut order, 0);
        }
        order
    }

    fn visit(
        &self,
        name: &str,
        seen: &mut BTreeSet<String>,
        order: &mut Vec<String>,
        depth: usize,
    ) {
        if depth > 32 || !seen.insert(name.to_string()) || order.len() >= 64 {
            return;
        }
        let mut reqs = self
            .units
            .get(name)
            .map(|u| u.requires.clone())
            .unwrap_or_default();
        if let Some(p) = self.policies.for_unit(name) {
            reqs.extend(p.requires.iter().cloned());
        }
        for r in reqs {
            self.visit(&r, seen, order, depth + 1);
        }
        order.push(name.to_string());
    }

    /// Start queued restarts while there is room.
    fn pump_queue(&mut self, now: Instant, out: &mut Vec<Effect>) {
        while self.in_flight < self.limits.max_concurrent_restarts {
            let Some(next) = self.queue.pop_front() else {
                return;
            };
            let Some(policy) = self.policies.for_unit(&next).cloned() else {
                continue;
            };
            if self
                .units
                .get(&next)
                .is_some_and(|u| u.phase == Phase::Queued)
            {
                self.restart(
                    now,
                    &next,
                    &policy,
                    false,
                    "backoff elapsed (was queued)",
                    out,
                );
            }
        }
    }
}

fn event_unit(e: &Event) -> &str {
    match e {
        Event::UnitState { unit, .. }
        | Event::UnitInfo { unit, .. }
        | Event::JobRemoved { unit, .. }
        | Event::Health { unit, .. }
        | Event::ManualStop { unit }
        | Event::Pause { unit }
        | Event::Resume { unit }
        | Event::Timer { unit, .. } => unit,
    }
}

fn is_failure(s: &Status) -> bool {
    s.active == "failed"
        || (s.active == "inactive" && !s.result.is_empty() && s.result != "success")
}

fn describe(u: &Unit) -> String {
    format!("{}; {}", u.phase.name(), u.status.describe())
}

fn audit(name: &str, u: &Unit, action: &str, reason: &str, before: String) -> Effect {
    Effect::Audit(Audit {
        unit: name.to_string(),
        action: action.to_string(),
        reason: reason.to_string(),
        state_before: before,
        state_after: describe(u),
        n_restarts: u.status.n_restarts,
        attempt: u.attempt,
    })
}

#[cfg(test)]
mod tests;
