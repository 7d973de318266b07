//! Exhaustive tests of the decision machine with a fake clock.

use super::*;
use std::path::Path;

const BASE: &str = r#"
[[policy]]
units = ["app*.service", "db.service", "storage.service", "cache.service", "web*.service"]
cooldown_secs = 30
[policy.restart]
initial_delay_ms = 100
factor = 2.0
max_delay_ms = 1000
jitter = 0.0
max_restarts = 3
window_secs = 60
job_timeout_secs = 10
[policy.flapping]
threshold = 50
window_secs = 60
group_threshold = 50
"#;

fn policies(text: &str) -> PolicySet {
    PolicySet::parse(Path::new("test.toml"), text).expect("valid policy")
}

/// A fake clock plus a timer wheel: fires the timers the machine asked for.
struct Harness {
    m: Machine,
    now: Instant,
    timers: Vec<(String, TimerKind, u64, Instant)>,
    log: Vec<Effect>,
}

impl Harness {
    fn new(text: &str) -> Self {
        Self::with_limits(text, Limits::default(), 7)
    }
    fn with_limits(text: &str, limits: Limits, seed: u64) -> Self {
        Self {
            m: Machine::new(policies(text), limits, seed),
            now: Instant::now(),
            timers: Vec::new(),
            log: Vec::new(),
        }
    }
    fn feed(&mut self, ev: Event) -> Vec<Effect> {
        let out = self.m.handle(self.now, ev);
        for e in &out {
            if let Effect::StartTimer {
                unit,
                kind,
                token,
                after,
            } = e
            {
                self.timers
                    .push((unit.clone(), *kind, *token, self.now + *after));
            }
        }
        self.log.extend(out.iter().cloned());
        out
    }
    fn state(&mut self, unit: &str, active: &str, sub: &str, result: &str) -> Vec<Effect> {
        self.feed(Event::UnitState {
            unit: unit.into(),
            active: active.into(),
            sub: sub.into(),
            result: result.into(),
            n_restarts: None,
        })
    }
    fn fail(&mut self, unit: &str) -> Vec<Effect> {
        self.state(unit, "failed", "failed", "exit-code")
    }
    fn active(&mut self, unit: &str) -> Vec<Effect> {
        self.state(unit, "active", "running", "success")
    }
    fn job(&mut self, unit: &str, result: &str) -> Vec<Effect> {
        self.feed(Event::JobRemoved {
            unit: unit.into(),
            ours: true,
            result: result.into(),
        })
    }
    fn info(&mut self, unit: &str, requires: &[&str], required_by: &[&str]) {
        self.feed(Event::UnitInfo {
            unit: unit.into(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            required_by: required_by.iter().map(|s| s.to_string()).collect(),
            start_limit_burst: 0,
            start_limit_interval: Duration::from_secs(10),
        });
    }
    /// Move the clock forward, firing due timers in time order.
    fn advance(&mut self, d: Duration) -> Vec<Effect> {
        let end = self.now + d;
        let mut out = Vec::new();
        loop {
            self.timers.sort_by_key(|t| t.3);
            match self.timers.first() {
                Some(t) if t.3 <= end => {
                    let (unit, kind, token, at) = self.timers.remove(0);
                    self.now = self.now.max(at);
                    out.extend(self.feed(Event::Timer { unit, kind, token }));
                }
                _ => break,
            }
        }
        self.now = end;
        out
    }
    /// Unit fails, the backoff elapses, our restart job finishes, the unit is active.
    fn crash_and_heal(&mut self, unit: &str) -> Duration {
        self.fail(unit);
        let delay = backoff_of(&self.log, unit).expect("a backoff was scheduled");
        let out = self.advance(delay);
        assert!(restarts(&out, unit) == 1, "restart after backoff: {out:?}");
        self.job(unit, "done");
        self.active(unit);
        delay
    }
}

fn restarts(out: &[Effect], unit: &str) -> usize {
    out.iter()
        .filter(|e| matches!(e, Effect::RestartUnit { unit: u } if u == unit))
        .count()
}

fn backoff_of(out: &[Effect], unit: &str) -> Option<Duration> {
    out.iter().rev().find_map(|e| match e {
        Effect::StartTimer {
            unit: u,
            kind: TimerKind::Backoff,
            after,
            ..
        } if u == unit => Some(*after),
        _ => None,
    })
}

fn audits<'a>(out: &'a [Effect], action: &str) -> Vec<&'a Audit> {
    out.iter()
        .filter_map(|e| match e {
            Effect::Audit(a) if a.action == action => Some(a),
            _ => None,
        })
        .collect()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn crash_is_restarted_after_initial_delay() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    let out = h.fail("app.service");
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(100)));
    assert_eq!(
        restarts(&out, "app.service"),
        0,
        "no restart before backoff"
    );
    assert_eq!(h.m.phase("app.service"), Some(Phase::Backoff));
    assert!(h.advance(ms(99)).is_empty(), "nothing before the delay");
    let out = h.advance(ms(1));
    assert_eq!(restarts(&out, "app.service"), 1);
    assert_eq!(h.m.phase("app.service"), Some(Phase::Restarting));
    let out = h.job("app.service", "done");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Restarting), "{out:?}");
    h.active("app.service");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Cooldown));
    h.advance(Duration::from_secs(30));
    assert_eq!(h.m.phase("app.service"), Some(Phase::Healthy));
    assert_eq!(audits(&h.log, "recovered").len(), 1);
}

#[test]
fn backoff_grows_exponentially_and_is_capped() {
    let text = BASE
        .replace("max_restarts = 3", "max_restarts = 10")
        .replace("window_secs = 60\njob", "window_secs = 3600\njob");
    let mut h = Harness::new(&text);
    h.active("app.service");
    let mut delays = Vec::new();
    for _ in 0..7 {
        h.fail("app.service");
        let d = backoff_of(&h.log, "app.service").unwrap();
        delays.push(d.as_millis());
        h.advance(d);
        h.job("app.service", "failed");
        // the failed job already scheduled the next attempt; drain it into the log
        let d2 = backoff_of(&h.log, "app.service").unwrap();
        h.advance(d2);
        h.job("app.service", "done");
        h.active("app.service");
    }
    // each crash uses two attempts (the crash and the failed job): 100, 400, 1000 cap...
    assert_eq!(delays[0], 100);
    assert_eq!(delays[1], 400);
    assert!(delays.iter().all(|d| *d <= 1000), "{delays:?}");
    assert_eq!(*delays.last().unwrap(), 1000);
}

#[test]
fn backoff_sequence_without_recovery() {
    let text = BASE.replace("max_restarts = 3", "max_restarts = 10");
    let mut h = Harness::new(&text);
    h.active("app.service");
    h.fail("app.service");
    let mut seen = vec![backoff_of(&h.log, "app.service").unwrap().as_millis()];
    for _ in 0..5 {
        let d = backoff_of(&h.log, "app.service").unwrap();
        h.advance(d);
        h.job("app.service", "failed");
        seen.push(backoff_of(&h.log, "app.service").unwrap().as_millis());
    }
    assert_eq!(seen, vec![100, 200, 400, 800, 1000, 1000]);
}

#[test]
fn jitter_is_bounded_and_seeded() {
    let text = BASE.replace("jitter = 0.0", "jitter = 0.5");
    let run = |seed| {
        let mut h = Harness::with_limits(&text, Limits::default(), seed);
        let mut v = Vec::new();
        for i in 0..20 {
            let unit = format!("app{i}.service");
            h.active(&unit);
            h.fail(&unit);
            v.push(backoff_of(&h.log, &unit).unwrap().as_millis());
        }
        v
    };
    let a = run(1);
    assert_eq!(a, run(1), "same seed, same jitter");
    assert_ne!(a, run(2), "another seed, other jitter");
    assert!(a.iter().all(|d| (50..=150).contains(d)), "{a:?}");
    let distinct: BTreeSet<_> = a.iter().collect();
    assert!(distinct.len() > 5, "jitter spreads: {a:?}");
}

#[test]
fn restarts_in_window_then_escalation_chain_then_give_up() {
    let mut h = Harness::new(BASE);
    h.info("app.service", &["db.service"], &["web.service"]);
    h.info("db.service", &["storage.service"], &["app.service"]);
    h.info("web.service", &["app.service"], &[]);
    for u in [
        "app.service",
        "db.service",
        "web.service",
        "storage.service",
    ] {
        h.active(u);
    }
    for _ in 0..3 {
        h.crash_and_heal("app.service");
    }
    assert_eq!(h.m.counters().escalations, 0);
    // 4th failure inside the window: step 1 = reset-failed + restart, at once.
    let out = h.fail("app.service");
    assert!(backoff_of(&out, "app.service").is_none(), "{out:?}");
    assert!(out.contains(&Effect::ResetFailed {
        unit: "app.service".into()
    }));
    assert_eq!(restarts(&out, "app.service"), 1);
    // it fails again right away: step 2 = restart dependencies in order, then the unit
    h.job("app.service", "done");
    let out = h.fail("app.service");
    let deps = out.iter().find_map(|e| match e {
        Effect::RestartDeps { deps, .. } => Some(deps.clone()),
        _ => None,
    });
    assert_eq!(
        deps,
        Some(vec![
            "storage.service".to_string(),
            "db.service".to_string()
        ])
    );
    let pos_deps = out
        .iter()
        .position(|e| matches!(e, Effect::RestartDeps { .. }))
        .unwrap();
    let pos_restart = out
        .iter()
        .position(|e| matches!(e, Effect::RestartUnit { .. }))
        .unwrap();
    assert!(pos_deps < pos_restart, "dependencies before the unit");
    // the requirements go down and up again as part of that restart: not an admin stop
    h.state("db.service", "inactive", "dead", "success");
    assert_eq!(h.m.phase("db.service"), Some(Phase::Healthy));
    h.active("db.service");
    assert!(audits(&h.log, "admin-stop").is_empty());
    // step 3 = stop dependents then restart
    let out = h.job("app.service", "failed");
    assert!(
        out.contains(&Effect::StopDependents {
            unit: "app.service".into(),
            dependents: vec!["web.service".into()]
        }),
        "{out:?}"
    );
    assert_eq!(h.m.phase("web.service"), Some(Phase::HeldForDependency));
    // the stopped dependent's own stop is not an admin stop
    h.state("web.service", "inactive", "dead", "success");
    assert_eq!(h.m.phase("web.service"), Some(Phase::HeldForDependency));
    // step 4 = alert, then nothing left: give up
    let out = h.job("app.service", "timeout");
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Alert { message, .. } if message.contains("alert"))),
        "{out:?}"
    );
    assert_eq!(h.m.phase("app.service"), Some(Phase::GaveUp));
    assert_eq!(audits(&out, "gave-up").len(), 1);
    // after giving up, further failures cause no restarts
    h.active("app.service");
    h.advance(Duration::from_secs(61));
    let out = h.fail("app.service");
    // (it was started from outside, which resets the chain: a fresh backoff)
    assert!(backoff_of(&out, "app.service").is_some());
}

#[test]
fn gave_up_unit_stays_down_until_started_from_outside() {
    let text = BASE.replace(
        "[policy.flapping]",
        "[policy.escalation]\nsteps = [\"alert\"]\n[policy.flapping]",
    );
    let mut h = Harness::new(&text);
    h.active("app.service");
    for _ in 0..3 {
        h.crash_and_heal("app.service");
    }
    let out = h.fail("app.service");
    assert_eq!(h.m.phase("app.service"), Some(Phase::GaveUp), "{out:?}");
    let n = restarts(&h.log, "app.service");
    h.state("app.service", "inactive", "dead", "exit-code");
    h.fail("app.service");
    h.advance(Duration::from_secs(3600));
    assert_eq!(
        restarts(&h.log, "app.service"),
        n,
        "no restart after giving up"
    );
}

#[test]
fn restarts_outside_the_window_do_not_escalate() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    for _ in 0..10 {
        h.crash_and_heal("app.service");
        h.advance(Duration::from_secs(61));
    }
    assert_eq!(h.m.counters().escalations, 0);
    assert_eq!(restarts(&h.log, "app.service"), 10);
}

#[test]
fn cooldown_resets_backoff_but_failure_during_cooldown_does_not() {
    let mut h = Harness::new(&BASE.replace("max_restarts = 3", "max_restarts = 10"));
    h.active("app.service");
    assert_eq!(h.crash_and_heal("app.service"), ms(100));
    h.advance(Duration::from_secs(5)); // inside the 30 s cooldown
    assert_eq!(h.crash_and_heal("app.service"), ms(200));
    h.advance(Duration::from_secs(31)); // stable: recovered
    assert_eq!(h.m.phase("app.service"), Some(Phase::Healthy));
    assert_eq!(h.crash_and_heal("app.service"), ms(100));
}

#[test]
fn administrator_stop_is_not_a_failure() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    let out = h.state("app.service", "inactive", "dead", "success");
    assert_eq!(h.m.phase("app.service"), Some(Phase::AdminStopped));
    assert_eq!(audits(&out, "admin-stop").len(), 1);
    h.advance(Duration::from_secs(3600));
    assert_eq!(restarts(&h.log, "app.service"), 0);
    // started again by the admin, then crashes: healed normally
    h.active("app.service");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Healthy));
    h.crash_and_heal("app.service");
}

#[test]
fn administrator_stop_during_backoff_cancels_the_restart() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    // the admin stops the failed unit (failed -> inactive, Result=success)
    h.state("app.service", "inactive", "dead", "success");
    assert_eq!(h.m.phase("app.service"), Some(Phase::AdminStopped));
    let out = h.advance(Duration::from_secs(10));
    assert_eq!(
        restarts(&out, "app.service"),
        0,
        "stale timer ignored: {out:?}"
    );
}

#[test]
fn administrator_stop_during_our_restart() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    assert_eq!(h.m.in_flight(), 1);
    // our restart job is replaced by the admin's stop
    h.state("app.service", "inactive", "dead", "success");
    assert_eq!(
        h.m.phase("app.service"),
        Some(Phase::Restarting),
        "own transition"
    );
    let out = h.job("app.service", "canceled");
    assert_eq!(
        h.m.phase("app.service"),
        Some(Phase::AdminStopped),
        "{out:?}"
    );
    assert_eq!(h.m.in_flight(), 0);
    h.advance(Duration::from_secs(600));
    assert_eq!(restarts(&h.log, "app.service"), 1);
    // explicit ManualStop from the driver works the same in any phase
    h.active("app.service");
    h.fail("app.service");
    h.feed(Event::ManualStop {
        unit: "app.service".into(),
    });
    h.advance(Duration::from_secs(600));
    assert_eq!(restarts(&h.log, "app.service"), 1);
}

#[test]
fn failure_during_our_restart_issues_no_second_restart() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    // failure reports while our job runs: no new restart, no new backoff
    h.state("app.service", "activating", "start", "exit-code");
    let out = h.fail("app.service");
    assert_eq!(restarts(&out, "app.service"), 0);
    assert!(backoff_of(&out, "app.service").is_none());
    let out = h.fail("app.service");
    assert!(out.is_empty(), "repeated failure is idempotent: {out:?}");
    // the job then reports failed: exactly one next attempt, with a longer delay
    let out = h.job("app.service", "failed");
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(200)));
    assert_eq!(restarts(&h.log, "app.service"), 1);
    assert_eq!(h.m.in_flight(), 0);
}

#[test]
fn job_done_then_failure_counts_as_failed_attempt() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    h.state("app.service", "activating", "start", "success");
    h.job("app.service", "done");
    let out = h.fail("app.service");
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(200)), "{out:?}");
    assert_eq!(h.m.in_flight(), 0);
}

#[test]
fn restart_job_timeout_counts_as_failure() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    // no job result at all: the deadline fires
    let out = h.advance(Duration::from_secs(10));
    assert!(
        audits(&out, "schedule-restart")
            .iter()
            .any(|a| a.reason.contains("still running")),
        "{out:?}"
    );
    assert_eq!(h.m.in_flight(), 0);
    // a late "done" for the abandoned job changes nothing
    assert!(h.job("app.service", "done").is_empty());
}

#[test]
fn systemd_restart_is_counted_not_raced_and_flapping_escalates() {
    let text = BASE.replace(
        "threshold = 50\nwindow_secs = 60",
        "threshold = 4\nwindow_secs = 60",
    );
    let mut h = Harness::new(&text);
    h.active("app.service");
    for i in 0..3 {
        let out = h.state("app.service", "activating", "auto-restart", "exit-code");
        assert_eq!(restarts(&out, "app.service"), 0, "systemd restarts, not us");
        assert!(backoff_of(&out, "app.service").is_none());
        assert_eq!(
            h.m.phase("app.service"),
            Some(Phase::SystemdRestarting),
            "{i}"
        );
        h.active("app.service");
        assert_eq!(h.m.phase("app.service"), Some(Phase::Cooldown));
    }
    // 4th failure within the window: flapping -> escalation
    let out = h.state("app.service", "activating", "auto-restart", "exit-code");
    assert_eq!(audits(&out, "flapping").len(), 1, "{out:?}");
    assert!(out.contains(&Effect::ResetFailed {
        unit: "app.service".into()
    }));
    assert_eq!(h.m.counters().escalations, 1);
}

#[test]
fn flapping_across_restarts_by_us() {
    let text = BASE
        .replace(
            "threshold = 50\nwindow_secs = 60",
            "threshold = 3\nwindow_secs = 120",
        )
        .replace("max_restarts = 3", "max_restarts = 100");
    let mut h = Harness::new(&text);
    h.active("app.service");
    h.crash_and_heal("app.service");
    h.advance(Duration::from_secs(31)); // even after recovering
    h.crash_and_heal("app.service");
    h.advance(Duration::from_secs(31));
    let out = h.fail("app.service");
    assert_eq!(audits(&out, "flapping").len(), 1, "{out:?}");
    assert!(
        backoff_of(&out, "app.service").is_none(),
        "escalated, no plain backoff"
    );
    // slow failures are not flapping
    let mut h = Harness::new(&text);
    h.active("app.service");
    for _ in 0..5 {
        h.crash_and_heal("app.service");
        h.advance(Duration::from_secs(61));
    }
    assert!(audits(&h.log, "flapping").is_empty());
}

#[test]
fn flapping_across_related_units() {
    let text = r#"
[[policy]]
units = ["web*.service"]
group = "web"
[policy.restart]
jitter = 0.0
max_restarts = 100
[policy.flapping]
threshold = 50
window_secs = 60
group_threshold = 4
"#;
    let mut h = Harness::new(text);
    for u in ["web1.service", "web2.service"] {
        h.active(u);
    }
    h.crash_and_heal("web1.service");
    h.crash_and_heal("web2.service");
    h.crash_and_heal("web1.service");
    assert!(h.log.iter().all(|e| !matches!(e, Effect::Alert { .. })));
    let out = h.fail("web2.service");
    let alert = out.iter().find_map(|e| match e {
        Effect::Alert { message, .. } => Some(message.clone()),
        _ => None,
    });
    let alert = alert.expect("group alert");
    assert!(
        alert.contains("web1.service")
            && alert.contains("web2.service")
            && alert.contains("group:web"),
        "{alert}"
    );
    assert!(
        backoff_of(&out, "web2.service").is_none(),
        "escalates: {out:?}"
    );
    // web1 is marked flapping too: its next failure escalates at once
    let out = h.fail("web1.service");
    assert!(backoff_of(&out, "web1.service").is_none(), "{out:?}");
    // the alert is not repeated for every failure within the window
    let alerts = h
        .log
        .iter()
        .filter(|e| matches!(e, Effect::Alert { message, .. } if message.contains("related")))
        .count();
    assert_eq!(alerts, 1);
}

#[test]
fn related_by_shared_requirement_names_the_suspect() {
    let text = BASE.replace("group_threshold = 50", "group_threshold = 3");
    let mut h = Harness::new(&text);
    h.info("app1.service", &["db.service"], &[]);
    h.info("app2.service", &["db.service"], &[]);
    h.active("app1.service");
    h.active("app2.service");
    h.crash_and_heal("app1.service");
    h.crash_and_heal("app2.service");
    let out = h.fail("app1.service");
    assert!(
        out.iter().any(|e| matches!(e, Effect::Alert { message, .. } if message.contains("common requirement db.service"))),
        "{out:?}"
    );
}

#[test]
fn start_limit_hit_policies() {
    // escalate (default)
    let mut h = Harness::new(BASE);
    h.active("app.service");
    let out = h.state("app.service", "failed", "failed", "start-limit-hit");
    assert!(out.contains(&Effect::ResetFailed {
        unit: "app.service".into()
    }));
    assert_eq!(restarts(&out, "app.service"), 1);
    // alert
    let mut h = Harness::new(&BASE.replace(
        "cooldown_secs = 30",
        "cooldown_secs = 30\non_start_limit_hit = \"alert\"",
    ));
    h.active("app.service");
    let out = h.state("app.service", "failed", "failed", "start-limit-hit");
    assert!(out.iter().any(|e| matches!(e, Effect::Alert { .. })));
    assert_eq!(restarts(&out, "app.service"), 0);
    assert_eq!(h.m.phase("app.service"), Some(Phase::GaveUp));
    h.advance(Duration::from_secs(600));
    assert_eq!(restarts(&h.log, "app.service"), 0);
    // reset-and-restart: reset now, restart after backoff
    let mut h = Harness::new(&BASE.replace(
        "cooldown_secs = 30",
        "cooldown_secs = 30\non_start_limit_hit = \"reset-and-restart\"",
    ));
    h.active("app.service");
    let out = h.state("app.service", "failed", "failed", "start-limit-hit");
    assert!(out.contains(&Effect::ResetFailed {
        unit: "app.service".into()
    }));
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(100)));
    // ignore
    let mut h = Harness::new(&BASE.replace(
        "cooldown_secs = 30",
        "cooldown_secs = 30\non_start_limit_hit = \"ignore\"",
    ));
    h.active("app.service");
    let out = h.state("app.service", "failed", "failed", "start-limit-hit");
    assert_eq!(audits(&out, "ignore").len(), 1);
    assert!(
        !out.iter()
            .any(|e| matches!(e, Effect::RestartUnit { .. } | Effect::ResetFailed { .. }))
    );
}

#[test]
fn never_silently_trips_the_start_limit() {
    let text = BASE.replace("max_restarts = 3", "max_restarts = 10");
    let mut h = Harness::new(&text);
    h.feed(Event::UnitInfo {
        unit: "app.service".into(),
        requires: vec![],
        required_by: vec![],
        start_limit_burst: 3,
        start_limit_interval: Duration::from_secs(10),
    });
    h.active("app.service");
    let mut resets = Vec::new();
    for i in 0..4 {
        h.fail("app.service");
        let d = backoff_of(&h.log, "app.service").unwrap();
        let out = h.advance(d);
        if out.contains(&Effect::ResetFailed {
            unit: "app.service".into(),
        }) {
            resets.push(i);
            let pos_reset = out
                .iter()
                .position(|e| matches!(e, Effect::ResetFailed { .. }));
            let pos_restart = out
                .iter()
                .position(|e| matches!(e, Effect::RestartUnit { .. }));
            assert!(pos_reset < pos_restart);
        }
        h.job("app.service", "done");
        h.active("app.service");
    }
    // burst 3: the 3rd start within 10 s is preceded by a reset (audited)
    assert_eq!(resets, vec![2], "{resets:?}");
    assert_eq!(audits(&h.log, "reset-start-limit").len(), 1);
}

#[test]
fn dependency_order_is_deepest_first_and_cycle_safe() {
    let text = BASE.replace(
        "[policy.flapping]",
        "[policy.escalation]\nsteps = [\"restart-dependencies\"]\n[policy.flapping]",
    );
    let mut h = Harness::new(&text);
    h.info("app.service", &["db.service", "cache.service"], &[]);
    h.info("db.service", &["storage.service"], &["app.service"]);
    h.info("cache.service", &["storage.service"], &["app.service"]);
    h.info("storage.service", &["db.service"], &[]); // a cycle must not hang
    h.active("app.service");
    for _ in 0..3 {
        h.crash_and_heal("app.service");
    }
    let out = h.fail("app.service");
    let deps = out
        .iter()
        .find_map(|e| match e {
            Effect::RestartDeps { deps, .. } => Some(deps.clone()),
            _ => None,
        })
        .expect("deps restarted");
    assert_eq!(deps, vec!["storage.service", "db.service", "cache.service"]);
}

#[test]
fn dependents_are_started_again_when_their_requirement_is_back() {
    let mut h = Harness::new(BASE);
    h.info("db.service", &[], &["app.service"]);
    h.info("app.service", &["db.service"], &[]);
    h.active("db.service");
    h.active("app.service");
    h.fail("db.service");
    // app stopped by propagation shortly after: held, not an admin stop
    let out = h.state("app.service", "inactive", "dead", "success");
    assert_eq!(
        h.m.phase("app.service"),
        Some(Phase::HeldForDependency),
        "{out:?}"
    );
    h.advance(ms(100));
    h.job("db.service", "done");
    let out = h.active("db.service");
    assert!(
        out.contains(&Effect::StartUnits {
            unit: "db.service".into(),
            units: vec!["app.service".into()]
        }),
        "{out:?}"
    );
    // an admin-stopped dependent is left alone
    h.active("app.service");
    h.advance(Duration::from_secs(60));
    h.state("app.service", "inactive", "dead", "success");
    assert_eq!(h.m.phase("app.service"), Some(Phase::AdminStopped));
    h.crash_and_heal("db.service");
    assert!(
        !h.log[h.log.len() - 3..]
            .iter()
            .any(|e| matches!(e, Effect::StartUnits { .. }))
    );
}

#[test]
fn chain_stopped_out_of_order_is_held_and_started_again_in_order() {
    // web <- app <- db (BindsTo): when db dies, systemd may report web's stop before app's.
    let mut h = Harness::new(BASE);
    h.info("db.service", &[], &["app.service"]);
    h.info("app.service", &["db.service"], &["web.service"]);
    h.info("web.service", &["app.service"], &[]);
    for u in ["db.service", "app.service", "web.service"] {
        h.active(u);
    }
    h.fail("db.service");
    h.state("web.service", "inactive", "dead", "success");
    h.state("app.service", "inactive", "dead", "success");
    for u in ["app.service", "web.service"] {
        assert_eq!(h.m.phase(u), Some(Phase::HeldForDependency), "{u}");
    }
    h.advance(ms(100));
    h.job("db.service", "done");
    let out = h.active("db.service");
    assert!(
        out.contains(&Effect::StartUnits {
            unit: "db.service".into(),
            units: vec!["app.service".into()]
        }),
        "only app first (web needs app): {out:?}"
    );
    let out = h.active("app.service");
    assert!(
        out.contains(&Effect::StartUnits {
            unit: "app.service".into(),
            units: vec!["web.service".into()]
        }),
        "then web: {out:?}"
    );
    assert_eq!(restarts(&h.log, "app.service"), 0);
    assert_eq!(restarts(&h.log, "web.service"), 0);
}

#[test]
fn failed_with_result_success_is_transitional_not_a_failure() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.crash_and_heal("app.service");
    let before = h.log.len();
    // systemd resets Result when the next activation begins; a stale merge can show this.
    let out = h.state("app.service", "failed", "failed", "success");
    assert!(out.is_empty(), "{out:?}");
    h.active("app.service");
    assert_eq!(restarts(&h.log[before..], "app.service"), 0);
    assert!(audits(&h.log[before..], "schedule-restart").is_empty());
}

#[test]
fn health_checks_restart_an_active_unit_after_threshold() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    let check = |h: &mut Harness, ok| {
        h.feed(Event::Health {
            unit: "app.service".into(),
            check: "http".into(),
            ok,
            threshold: 3,
        })
    };
    check(&mut h, false);
    check(&mut h, false);
    check(&mut h, true); // resets the count
    check(&mut h, false);
    check(&mut h, false);
    assert!(backoff_of(&h.log, "app.service").is_none());
    let out = check(&mut h, false);
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(100)), "{out:?}");
    let out = h.advance(ms(100));
    assert_eq!(restarts(&out, "app.service"), 1);
    // health results while restarting are ignored
    assert!(check(&mut h, false).is_empty());
    // the restart goes through deactivating -> activating -> active
    h.state("app.service", "deactivating", "stop-sigterm", "success");
    h.state("app.service", "activating", "start", "success");
    h.job("app.service", "done");
    h.active("app.service");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Cooldown));
}

#[test]
fn pause_and_resume() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.feed(Event::Pause {
        unit: "app.service".into(),
    });
    h.advance(Duration::from_secs(60));
    assert_eq!(restarts(&h.log, "app.service"), 0, "paused: no restart");
    let out = h.feed(Event::Resume {
        unit: "app.service".into(),
    });
    assert!(
        backoff_of(&out, "app.service").is_some(),
        "still failed: heal on resume"
    );
    h.advance(Duration::from_secs(1));
    assert_eq!(restarts(&h.log, "app.service"), 1);
}

#[test]
fn audit_records_reason_states_and_nrestarts() {
    let mut h = Harness::new(BASE);
    h.feed(Event::UnitState {
        unit: "app.service".into(),
        active: "active".into(),
        sub: "running".into(),
        result: "success".into(),
        n_restarts: Some(4),
    });
    h.fail("app.service");
    let out = h.advance(ms(100));
    let a = audits(&out, "restart")[0];
    assert_eq!(a.unit, "app.service");
    assert_eq!(a.state_before, "backoff; failed/failed (exit-code)");
    assert_eq!(a.state_after, "restarting; failed/failed (exit-code)");
    assert_eq!(a.n_restarts, Some(4), "NRestarts kept from the last report");
    assert!(
        a.reason.starts_with("unit failed (exit-code)") && a.reason.ends_with("; backoff elapsed"),
        "the restart names its cause: {}",
        a.reason
    );
    let s = audits(&h.log, "schedule-restart")[0];
    assert!(s.reason.contains("unit failed (exit-code)"), "{}", s.reason);
}

#[test]
fn units_without_policy_are_ignored_and_reload_drops_them() {
    let mut h = Harness::new(BASE);
    assert!(h.fail("ssh.service").is_empty());
    assert_eq!(h.m.tracked_units(), 0);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    assert_eq!(h.m.in_flight(), 1);
    h.m.set_policies(policies("[[policy]]\nunits = [\"other.service\"]\n"));
    h.job("app.service", "done");
    assert_eq!(h.m.tracked_units(), 0);
    assert_eq!(
        h.m.in_flight(),
        0,
        "in-flight count follows forgotten units"
    );
}

#[test]
fn flood_of_failures_is_bounded() {
    let limits = Limits {
        max_units: 500,
        max_concurrent_restarts: 4,
        propagation_grace: Duration::from_secs(5),
    };
    let mut h = Harness::with_limits(BASE, limits, 3);
    for i in 0..2000 {
        h.fail(&format!("app{i}.service"));
        assert!(h.m.tracked_units() <= 500);
    }
    assert_eq!(h.m.tracked_units(), 500);
    assert_eq!(h.m.counters().dropped_events, 1500, "no idle unit to evict");
    // all backoffs elapse at once: only 4 restarts in flight, the rest queued once each
    let out = h.advance(ms(100));
    let n = out
        .iter()
        .filter(|e| matches!(e, Effect::RestartUnit { .. }))
        .count();
    assert_eq!(n, 4);
    assert_eq!(h.m.in_flight(), 4);
    assert_eq!(h.m.queue_len(), 496);
    // repeated failure reports for queued units do not grow the queue
    for i in 0..500 {
        h.fail(&format!("app{i}.service"));
    }
    assert_eq!(h.m.queue_len(), 496);
    // each finished job lets exactly one more through, until all are healed
    let mut healed = 0;
    let mut rounds = 0;
    while healed < 500 {
        rounds += 1;
        assert!(rounds < 10_000);
        let busy: Vec<String> =
            h.m.view(h.now)
                .into_iter()
                .filter(|v| v.phase == Phase::Restarting)
                .map(|v| v.unit)
                .collect();
        assert!(busy.len() <= 4);
        for u in busy {
            h.job(&u, "done");
            h.active(&u);
            healed += 1;
        }
        assert!(h.m.in_flight() <= 4);
    }
    assert_eq!(h.m.queue_len(), 0);
    assert_eq!(
        restarts(&h.log, "app0.service") + restarts(&h.log, "app499.service"),
        2
    );
    // once idle again, new units evict the least recently seen
    h.advance(Duration::from_secs(31));
    h.fail("app9999.service");
    assert_eq!(h.m.tracked_units(), 500);
    assert_eq!(h.m.counters().evicted_units, 1);
}

/// Random event sequences over a few units: invariants always hold.
#[test]
fn random_sequences_keep_invariants() {
    let text = BASE.replace("jitter = 0.0", "jitter = 0.3").replace(
        "threshold = 50\nwindow_secs = 60",
        "threshold = 5\nwindow_secs = 60",
    );
    let units = ["app1.service", "app2.service", "db.service", "web1.service"];
    let mut rng = Rng(0xfeed);
    for case in 0..200u64 {
        let limits = Limits {
            max_units: 3,
            max_concurrent_restarts: 2,
            propagation_grace: Duration::from_secs(5),
        };
        let mut h = Harness::with_limits(&text, limits, case);
        h.info("app1.service", &["db.service"], &["web1.service"]);
        h.info("web1.service", &["app1.service"], &[]);
        let mut admin_stopped: BTreeSet<String> = BTreeSet::new();
        for _ in 0..120 {
            let u = units[(rng.next_u64() % units.len() as u64) as usize].to_string();
            let out = match rng.next_u64() % 10 {
                0 | 1 => h.fail(&u),
                2 => h.active(&u),
                3 => {
                    let out = h.state(&u, "inactive", "dead", "success");
                    if h.m.phase(&u) == Some(Phase::AdminStopped) {
                        admin_stopped.insert(u.clone());
                    }
                    out
                }
                4 => h.job(
                    &u,
                    ["done", "failed", "timeout", "canceled"][(rng.next_u64() % 4) as usize],
                ),
                5 => h.state(&u, "activating", "auto-restart", "exit-code"),
                6 => h.feed(Event::Health {
                    unit: u.clone(),
                    check: "c".into(),
                    ok: rng.next_u64().is_multiple_of(2),
                    threshold: 2,
                }),
                7 => h.state(&u, "failed", "failed", "start-limit-hit"),
                _ => h.advance(Duration::from_millis(rng.next_u64() % 20_000)),
            };
            if matches!(h.m.phase(&u), Some(p) if p != Phase::AdminStopped) {
                admin_stopped.remove(&u);
            }
            for e in &out {
                if let Effect::RestartUnit { unit } = e {
                    assert!(
                        !admin_stopped.contains(unit),
                        "case {case}: restarted admin-stopped {unit}"
                    );
                }
            }
            assert!(h.m.in_flight() <= 2, "case {case}");
            assert!(h.m.tracked_units() <= 3, "case {case}");
            assert!(h.m.queue_len() <= h.m.tracked_units(), "case {case}");
            let restarting =
                h.m.view(h.now)
                    .iter()
                    .filter(|v| v.phase == Phase::Restarting)
                    .count();
            assert_eq!(
                restarting,
                h.m.in_flight(),
                "case {case}: in-flight bookkeeping"
            );
            let queued =
                h.m.view(h.now)
                    .iter()
                    .filter(|v| v.phase == Phase::Queued)
                    .count();
            assert_eq!(queued, h.m.queue_len(), "case {case}: queue bookkeeping");
            assert!(h.timers.len() < 10_000);
            h.timers.retain(|t| t.3 + Duration::from_secs(1) >= h.now);
        }
    }
}

#[test]
fn coalesced_failure_after_job_done_is_asked_for_again() {
    let mut h = Harness::new(BASE);
    h.active("app.service");
    h.fail("app.service");
    h.advance(ms(100));
    // job "done" but the only state we hold is the old failure
    let out = h.job("app.service", "done");
    assert!(
        out.contains(&Effect::RefreshState {
            unit: "app.service".into()
        }),
        "{out:?}"
    );
    // the re-read says failed again (same words as before): a failed attempt
    let out = h.fail("app.service");
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(200)), "{out:?}");
    assert_eq!(h.m.in_flight(), 0);
}

#[test]
fn repeated_reports_and_first_sight_are_quiet() {
    let mut h = Harness::new(BASE);
    // after a (re)connect every unit's state is read back
    assert!(
        h.state("db.service", "inactive", "dead", "success")
            .is_empty()
    );
    assert_eq!(h.m.phase("db.service"), Some(Phase::AdminStopped));
    assert!(h.active("app.service").is_empty());
    assert!(h.active("app.service").is_empty());
    h.fail("app.service");
    let n = h.log.len();
    assert!(h.fail("app.service").is_empty(), "same failure re-read");
    assert_eq!(h.log.len(), n);
    // a unit found failed at first sight is healed
    let out = h.fail("cache.service");
    assert_eq!(backoff_of(&out, "cache.service"), Some(ms(100)));
}

#[test]
fn reboot_step_when_allowed() {
    let text = BASE.replace(
        "[policy.flapping]",
        "[policy.escalation]\nsteps = [\"alert\", \"reboot\"]\nallow_reboot = true\n[policy.flapping]",
    );
    let mut h = Harness::new(&text);
    h.active("app.service");
    for _ in 0..3 {
        h.crash_and_heal("app.service");
    }
    let out = h.fail("app.service");
    let alert = out.iter().position(|e| matches!(e, Effect::Alert { .. }));
    let reboot = out.iter().position(|e| matches!(e, Effect::Reboot { .. }));
    assert!(
        alert.is_some() && reboot.is_some() && alert < reboot,
        "{out:?}"
    );
    assert_eq!(h.m.phase("app.service"), Some(Phase::GaveUp));
}

#[test]
fn escalated_restart_waits_its_turn_and_keeps_its_reset() {
    let limits = Limits {
        max_units: 100,
        max_concurrent_restarts: 1,
        propagation_grace: Duration::from_secs(5),
    };
    let mut h = Harness::with_limits(BASE, limits, 1);
    h.active("app.service");
    for _ in 0..3 {
        h.crash_and_heal("app.service");
    }
    // another unit's restart holds the only slot
    h.active("db.service");
    h.fail("db.service");
    h.advance(ms(100));
    assert_eq!(h.m.in_flight(), 1);
    // app escalates (reset-failed + restart) but must queue
    let out = h.fail("app.service");
    assert_eq!(restarts(&out, "app.service"), 0, "{out:?}");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Queued));
    // db's restart finishes: app goes, with its ResetFailed first
    h.job("db.service", "done");
    let out = h.active("db.service");
    let reset = out.iter().position(|e| {
        *e == Effect::ResetFailed {
            unit: "app.service".into(),
        }
    });
    let restart = out.iter().position(|e| {
        *e == Effect::RestartUnit {
            unit: "app.service".into(),
        }
    });
    assert!(reset.is_some() && reset < restart, "{out:?}");
}

#[test]
fn busy_units_are_never_evicted() {
    let limits = Limits {
        max_units: 2,
        max_concurrent_restarts: 8,
        propagation_grace: Duration::from_secs(5),
    };
    let mut h = Harness::with_limits(BASE, limits, 1);
    h.active("app1.service");
    h.fail("app1.service"); // in backoff: busy
    h.active("app2.service"); // healthy: evictable
    h.fail("app3.service");
    assert_eq!(h.m.phase("app1.service"), Some(Phase::Backoff));
    assert_eq!(h.m.phase("app2.service"), None, "idle unit evicted");
    assert_eq!(h.m.phase("app3.service"), Some(Phase::Backoff));
    // both busy now: a fourth unit's event is dropped and counted
    assert!(h.fail("app4.service").is_empty());
    assert_eq!(h.m.counters().dropped_events, 1);
    let out = h.advance(ms(100));
    assert_eq!(restarts(&out, "app1.service"), 1);
}

#[test]
fn zero_initial_delay_restarts_in_the_same_step() {
    let text = BASE
        .replace("initial_delay_ms = 100", "initial_delay_ms = 0")
        .replace("max_delay_ms = 1000", "max_delay_ms = 0");
    let mut h = Harness::new(&text);
    h.active("app.service");
    let out = h.fail("app.service");
    // The restart is among the effects of the failure itself: no timer round.
    assert_eq!(restarts(&out, "app.service"), 1, "{out:?}");
    assert_eq!(backoff_of(&out, "app.service"), None, "{out:?}");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Restarting));
    assert!(audits(&out, "schedule-restart").is_empty());
    assert_eq!(audits(&out, "restart").len(), 1);
    h.job("app.service", "done");
    h.active("app.service");
    // The budget still counts: 3 restarts in the window, then escalation.
    h.fail("app.service");
    h.job("app.service", "done");
    h.active("app.service");
    h.fail("app.service");
    h.job("app.service", "done");
    h.active("app.service");
    let out = h.fail("app.service");
    assert!(
        audits(&out, "restart")
            .iter()
            .any(|a| a.reason.contains("escalation step")),
        "{out:?}"
    );
    // A non-zero initial delay still schedules a backoff with its jitter.
    let mut h = Harness::new(&BASE.replace("jitter = 0.0", "jitter = 0.5"));
    h.active("app.service");
    let out = h.fail("app.service");
    let d = backoff_of(&out, "app.service").expect("backoff");
    assert!(d >= ms(50) && d <= ms(150), "{d:?}");
    assert_eq!(restarts(&out, "app.service"), 0);
}

/// One flapping episode that runs the escalation chain to the end: the alert
/// is one effect and one audit record, and giving up is one more.
#[test]
fn flapping_episode_alerts_once() {
    let text = BASE
        .replace("threshold = 50\n", "threshold = 3\n")
        .replace("max_restarts = 3", "max_restarts = 100")
        .replace(
            "[policy.flapping]",
            "[policy.escalation]\nsteps = [\"reset-failed-restart\", \"alert\"]\n[policy.flapping]",
        );
    let mut h = Harness::new(&text);
    h.active("app.service");
    for _ in 0..8 {
        let out = h.fail("app.service");
        if let Some(d) = backoff_of(&out, "app.service") {
            h.advance(d);
        }
        if h.m.phase("app.service") == Some(Phase::Restarting) {
            h.job("app.service", "done");
            h.active("app.service");
        }
        h.advance(ms(500));
    }
    assert_eq!(h.m.phase("app.service"), Some(Phase::GaveUp));
    let alerts = h
        .log
        .iter()
        .filter(|e| matches!(e, Effect::Alert { .. }))
        .count();
    // the alert step and the give-up
    assert_eq!(alerts, 2, "{:?}", h.log);
    assert_eq!(audits(&h.log, "flapping").len(), 1);
    assert_eq!(audits(&h.log, "alert").len(), 1);
    assert_eq!(audits(&h.log, "gave-up").len(), 1);
}

/// Units related twice over (same group and same requirement) that flap
/// together give one alert naming both relations, not one per relation.
#[test]
fn related_flapping_over_two_relations_is_one_alert() {
    let text = BASE
        .replace("group_threshold = 50", "group_threshold = 3")
        .replace(
            "cooldown_secs = 30",
            "cooldown_secs = 30\ngroup = \"front\"",
        );
    let mut h = Harness::new(&text);
    h.info("app1.service", &["db.service"], &[]);
    h.info("app2.service", &["db.service"], &[]);
    h.active("app1.service");
    h.active("app2.service");
    h.crash_and_heal("app1.service");
    h.crash_and_heal("app2.service");
    let out = h.fail("app1.service");
    let alerts: Vec<&String> = out
        .iter()
        .filter_map(|e| match e {
            Effect::Alert { message, .. } => Some(message),
            _ => None,
        })
        .collect();
    assert_eq!(alerts.len(), 1, "{out:?}");
    assert!(
        alerts[0].contains("group:front") && alerts[0].contains("requires:db.service"),
        "{}",
        alerts[0]
    );
    assert_eq!(audits(&out, "group-flapping").len(), 1);
    // the next failures within the window stay quiet
    h.fail("app2.service");
    h.advance(Duration::from_secs(5));
    h.fail("app1.service");
    assert_eq!(audits(&h.log, "group-flapping").len(), 1);
}

/// A unit installed and loaded by `daemon-reload` is first seen stopped, then
/// started: not an administrator stop, and its start is not news. Once it has
/// run, a stop is an administrator's again.
#[test]
fn unit_first_seen_after_daemon_reload_is_not_an_admin_stop() {
    let mut h = Harness::new(BASE);
    h.state("app.service", "inactive", "dead", "success");
    h.state("app.service", "activating", "start", "success");
    h.active("app.service");
    assert_eq!(h.m.phase("app.service"), Some(Phase::Healthy));
    assert!(
        h.log.iter().all(|e| !matches!(e, Effect::Audit(_))),
        "{:?}",
        h.log
    );
    // it is watched: a crash is healed
    let out = h.fail("app.service");
    assert_eq!(backoff_of(&out, "app.service"), Some(ms(100)));
    h.advance(ms(100));
    h.job("app.service", "done");
    h.active("app.service");
    // and a stop after it ran is an administrator's
    h.advance(Duration::from_secs(31));
    let out = h.state("app.service", "inactive", "dead", "success");
    assert_eq!(audits(&out, "admin-stop").len(), 1, "{out:?}");
    // a unit stopped at first sight and started later by someone stays quiet too
    h.state("app2.service", "inactive", "dead", "success");
    h.advance(Duration::from_secs(600));
    let out = h.active("app2.service");
    assert!(
        out.iter().all(|e| !matches!(e, Effect::Audit(_))),
        "{out:?}"
    );
}
