//! The driver against an in-memory systemd, in real time with short delays.

use super::*;
use crate::systemd::UnitDeps;
use crate::systemd::fake::{Call, FakeSystemd};
use std::path::Path;

const POLICY: &str = r#"
[[policy]]
units = ["app*.service", "db.service", "web.service"]
cooldown_secs = 60
[policy.restart]
initial_delay_ms = 5
factor = 2.0
max_delay_ms = 40
jitter = 0.1
max_restarts = 3
window_secs = 60
"#;

/// How long a condition may take on a loaded machine.
const WAIT: Duration = Duration::from_secs(30);

struct Env {
    fake: FakeSystemd,
    ctl: mpsc::Sender<Control>,
    shutdown: watch::Sender<bool>,
    dir: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

fn config(dir: &Path) -> Config {
    Config {
        policy_path: dir.join("policies.toml"),
        socket: dir.join("healerd.sock"),
        state_dir: dir.join("state"),
        questlog_socket: dir.join("questlogd.sock"),
        seed: Some(42),
        reconnect_initial_ms: 10,
        reconnect_max_ms: 50,
        max_concurrent_restarts: 4,
        ..Config::default()
    }
}

async fn start(policy: &str, fake: FakeSystemd) -> Env {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("policies.toml"), policy).unwrap();
    let cfg = config(dir.path());
    let set = PolicySet::load(&cfg.policy_path).unwrap();
    let (ctl, ctl_rx) = mpsc::channel(16);
    let (shutdown, sd_rx) = watch::channel(false);
    let driver = Driver::new(fake.clone(), cfg, set);
    let task = tokio::spawn(driver.run(ctl_rx, sd_rx));
    let env = Env {
        fake,
        ctl,
        shutdown,
        dir,
        task,
    };
    // ready once the driver has subscribed and read the units back
    env.wait(|e| e.fake.subscriptions() >= 1).await;
    env.status().await;
    env
}

impl Env {
    async fn status(&self) -> serde_json::Value {
        let (tx, rx) = oneshot::channel();
        self.ctl.send(Control::Status(tx)).await.unwrap();
        rx.await.unwrap()
    }
    async fn history(&self, unit: Option<&str>) -> Vec<AuditEntry> {
        let (tx, rx) = oneshot::channel();
        self.ctl
            .send(Control::History {
                unit: unit.map(str::to_string),
                limit: 1000,
                reply: tx,
            })
            .await
            .unwrap();
        rx.await.unwrap()
    }
    /// Waits for `cond`, as long as a loaded machine may need (the delays are short, the
    /// deadline is not).
    async fn wait(&self, cond: impl Fn(&Env) -> bool) {
        let deadline = std::time::Instant::now() + WAIT;
        while !cond(self) {
            assert!(
                std::time::Instant::now() < deadline,
                "condition not reached; calls: {:?}",
                self.fake.calls()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    /// Waits until the driver says `unit` is in `phase`.
    async fn wait_phase(&self, unit: &str, phase: &str) {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let now = self.phase(unit).await;
            if now == phase {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{unit} is {now}, not {phase}; calls: {:?}",
                self.fake.calls()
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    fn restarts(&self, unit: &str) -> usize {
        self.fake
            .calls()
            .iter()
            .filter(|c| **c == Call::Restart(unit.into()))
            .count()
    }
    async fn phase(&self, unit: &str) -> String {
        let s = self.status().await;
        s["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit"] == unit)
            .map(|u| u["phase"].as_str().unwrap().to_string())
            .unwrap_or_default()
    }
    async fn stop(self) {
        self.shutdown.send(true).unwrap();
        tokio::time::timeout(WAIT, self.task)
            .await
            .expect("driver stops on shutdown")
            .unwrap();
    }
}

fn unit_fake(units: &[&str]) -> FakeSystemd {
    let f = FakeSystemd::new();
    for u in units {
        f.add_unit(u, "active", UnitDeps::default());
    }
    f
}

#[tokio::test]
async fn crash_is_detected_from_the_signal_and_restarted() {
    let env = start(POLICY, unit_fake(&["app.service", "ssh.service"])).await;
    assert_eq!(env.restarts("app.service"), 0);
    // patterns matching no loaded unit are warnings, not errors
    let warnings = env.status().await["policy_warnings"].clone();
    let warnings: Vec<String> = serde_json::from_value(warnings).unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("\"db.service\" matches no unit")),
        "{warnings:?}"
    );
    assert!(!warnings.iter().any(|w| w.contains("app*")), "{warnings:?}");
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("app.service") == 1).await;
    env.wait(|e| e.fake.state("app.service").unwrap().active == "active")
        .await;
    // the driver saw the restart through (job done + active)
    env.wait_phase("app.service", "cooldown").await;
    let h = env.history(Some("app.service")).await;
    let actions: Vec<&str> = h.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        vec!["schedule-restart", "restart", "active"],
        "{h:?}"
    );
    assert!(h[1].state_before.contains("failed/failed (exit-code)"));
    assert_eq!(h[1].n_restarts, Some(0));
    let s = env.status().await;
    assert!(
        s["detect_to_restart_p99_ms"].as_f64().unwrap() < 1000.0,
        "{s}"
    );
    // a unit without a policy is left to systemd
    env.fake
        .set_state("ssh.service", "failed", "failed", "exit-code");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(env.restarts("ssh.service"), 0);
    // the audit journal was written as JSON lines
    let journal = std::fs::read_to_string(env.dir.path().join("state/audit.jsonl")).unwrap();
    let first: AuditEntry = serde_json::from_str(journal.lines().next().unwrap()).unwrap();
    assert_eq!(first.unit, "app.service");
    env.stop().await;
}

#[tokio::test]
async fn administrator_stop_stays_stopped() {
    let env = start(POLICY, unit_fake(&["app.service"])).await;
    env.fake
        .set_state("app.service", "inactive", "dead", "success");
    env.wait_phase("app.service", "admin-stopped").await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(env.restarts("app.service"), 0);
    assert_eq!(env.phase("app.service").await, "admin-stopped");
    env.stop().await;
}

#[tokio::test]
async fn failing_restarts_escalate_and_give_up() {
    let policy =
        format!("{POLICY}[policy.escalation]\nsteps = [\"reset-failed-restart\", \"alert\"]\n");
    let env = start(&policy, unit_fake(&["app.service"])).await;
    env.fake.fail_next_starts("app.service", 100);
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    env.wait(|e| {
        e.fake
            .calls()
            .contains(&Call::ResetFailed("app.service".into()))
    })
    .await;
    env.wait_phase("app.service", "gave-up").await;
    // 3 restarts in the window, then one escalated restart, then no more
    let n = env.restarts("app.service");
    assert_eq!(n, 4, "{:?}", env.fake.calls());
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(env.restarts("app.service"), 4);
    let h = env.history(Some("app.service")).await;
    // the reset goes out right before the escalated restart (sent together)
    let calls = env.fake.calls();
    let reset = calls
        .iter()
        .position(|c| *c == Call::ResetFailed("app.service".into()))
        .unwrap();
    assert_eq!(
        calls[reset + 1],
        Call::Restart("app.service".into()),
        "{calls:?}"
    );
    // one record per alert: the alert step once, giving up once
    let alerts = h.iter().filter(|e| e.action == "alert").count();
    assert_eq!(alerts, 1, "{h:?}");
    assert_eq!(
        h.iter().filter(|e| e.action == "gave-up").count(),
        1,
        "{h:?}"
    );
    env.stop().await;
}

#[tokio::test]
async fn dependencies_restart_in_order_before_the_unit() {
    let policy = format!("{POLICY}[policy.escalation]\nsteps = [\"restart-dependencies\"]\n");
    let fake = FakeSystemd::new();
    fake.add_unit(
        "app.service",
        "active",
        UnitDeps {
            requires: vec!["db.service".into()],
            ..UnitDeps::default()
        },
    );
    fake.add_unit(
        "db.service",
        "active",
        UnitDeps {
            required_by: vec!["app.service".into()],
            ..UnitDeps::default()
        },
    );
    let env = start(&policy, fake).await;
    env.fake.fail_next_starts("app.service", 3);
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("db.service") == 1).await;
    env.wait(|e| e.restarts("app.service") == 4).await;
    let calls = env.fake.calls();
    let db = calls
        .iter()
        .position(|c| *c == Call::Restart("db.service".into()))
        .unwrap();
    let last_app = calls
        .iter()
        .rposition(|c| *c == Call::Restart("app.service".into()))
        .unwrap();
    assert!(db < last_app, "{calls:?}");
    env.stop().await;
}

#[tokio::test]
async fn reconnects_and_rereads_state_after_dbus_loss() {
    let env = start(POLICY, unit_fake(&["app.service"])).await;
    env.fake.disconnect();
    // the unit fails while nobody listens
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    let deadline = std::time::Instant::now() + WAIT;
    while env.status().await["connected"] != false {
        assert!(std::time::Instant::now() < deadline, "the loss went unseen");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    env.fake.reconnect();
    env.wait(|e| e.fake.subscriptions() >= 2).await;
    // read back on reconnect: the failure is healed without any signal
    env.wait(|e| e.restarts("app.service") == 1).await;
    let s = env.status().await;
    assert_eq!(s["connected"], true);
    assert!(s["reconnects"].as_u64().unwrap() >= 1);
    env.stop().await;
}

#[tokio::test]
async fn reload_keeps_last_good_policies() {
    let env = start(POLICY, unit_fake(&["app.service", "other.service"])).await;
    let reload = |env: &Env| {
        let ctl = env.ctl.clone();
        async move {
            let (tx, rx) = oneshot::channel();
            ctl.send(Control::Reload(tx)).await.unwrap();
            rx.await.unwrap()
        }
    };
    let path = env.dir.path().join("policies.toml");
    std::fs::write(
        &path,
        "[[policy]]\nunits = [\"app.service\"]\n[policy.restart]\nfactor = \"x\"\n",
    )
    .unwrap();
    let err = reload(&env).await.unwrap_err();
    assert!(
        err.contains("policies.toml:4") && err.contains("factor"),
        "{err}"
    );
    let s = env.status().await;
    assert!(s["policy_error"].as_str().unwrap().contains("factor"));
    // the old policy still heals
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("app.service") == 1).await;
    // a good file replaces it
    std::fs::write(
        &path,
        "[[policy]]\nunits = [\"other.service\"]\n[policy.restart]\ninitial_delay_ms = 1\n",
    )
    .unwrap();
    assert_eq!(reload(&env).await, Ok(1));
    assert!(env.status().await["policy_error"].is_null());
    env.fake
        .set_state("other.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("other.service") == 1).await;
    env.stop().await;
}

#[tokio::test]
async fn pause_and_resume_through_control() {
    let env = start(POLICY, unit_fake(&["app.service"])).await;
    let (tx, rx) = oneshot::channel();
    env.ctl
        .send(Control::Pause {
            unit: "app.service".into(),
            reply: tx,
        })
        .await
        .unwrap();
    assert_eq!(rx.await.unwrap(), Ok(()));
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    // Resumed once the driver has seen the failure (and skipped it): a failure it sees only
    // after the resume would prove nothing about the pause.
    let deadline = std::time::Instant::now() + WAIT;
    while !env
        .history(Some("app.service"))
        .await
        .iter()
        .any(|e| e.action == "skip")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the failure went unseen"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(env.restarts("app.service"), 0);
    let (tx, rx) = oneshot::channel();
    env.ctl
        .send(Control::Resume {
            unit: "app.service".into(),
            reply: tx,
        })
        .await
        .unwrap();
    assert_eq!(rx.await.unwrap(), Ok(()));
    env.wait(|e| e.restarts("app.service") == 1).await;
    let (tx, rx) = oneshot::channel();
    env.ctl
        .send(Control::Pause {
            unit: "nope.service".into(),
            reply: tx,
        })
        .await
        .unwrap();
    assert!(rx.await.unwrap().is_err());
    env.stop().await;
}

#[tokio::test]
async fn flood_of_failures_is_healed_with_bounded_concurrency() {
    let names: Vec<String> = (0..300).map(|i| format!("app{i}.service")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let env = start(POLICY, unit_fake(&refs)).await;
    for n in &names {
        env.fake.set_state(n, "failed", "failed", "exit-code");
    }
    env.wait(|e| names.iter().all(|n| e.restarts(n) >= 1)).await;
    let s = env.status().await;
    assert!(s["restarts_in_flight"].as_u64().unwrap() <= 4, "{s}");
    assert_eq!(s["tracked_units"], 300);
    env.wait(|e| {
        names
            .iter()
            .all(|n| e.fake.state(n).is_some_and(|s| s.active == "active"))
    })
    .await;
    env.stop().await;
}

/// A questlogd stand-in speaking its real protocol (framed JSON over a Unix socket) that
/// records the events appended.
fn questlog_server(path: &Path) -> std::sync::Arc<std::sync::Mutex<Vec<questlog_client::Event>>> {
    use questlog_client::protocol::MAX_FRAME;
    use questlog_client::{AppendAck, Request, Response};
    let got = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let listener = std::os::unix::net::UnixListener::bind(path).unwrap();
    let sink = got.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            while let Ok(Some(frame)) = ainux_common::frame::read_frame(&mut conn, MAX_FRAME) {
                let req: Request = serde_json::from_slice(&frame).unwrap();
                let Request::Append { events } = req else {
                    panic!("unexpected request {req:?}")
                };
                let n = events.len();
                sink.lock().unwrap().extend(events);
                let resp = serde_json::to_vec(&Response::Appended(AppendAck {
                    accepted: n,
                    ..AppendAck::default()
                }))
                .unwrap();
                ainux_common::frame::write_frame(&mut conn, &resp, MAX_FRAME).unwrap();
            }
        }
    });
    got
}

fn heal_actions(events: &[questlog_client::Event], unit: &str) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            questlog_client::EventKind::HealAction {
                unit: u, action, ..
            } if u == unit => Some(action.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn audit_goes_to_questlogd_and_is_spooled_while_it_is_away() {
    let env = start(POLICY, unit_fake(&["app.service", "db.service"])).await;
    let sock = env.dir.path().join("questlogd.sock");
    // questlogd is not there yet: the records wait in the spool in the state directory.
    env.fake
        .set_state("app.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("app.service") == 1).await;
    let spool = env.dir.path().join("state/questlog-spool.jsonl");
    let deadline = std::time::Instant::now() + WAIT;
    while !std::fs::metadata(&spool).is_ok_and(|m| m.len() > 0)
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(
        std::fs::read_to_string(&spool)
            .unwrap()
            .contains("app.service"),
        "spooled"
    );
    // questlogd comes up: the next record delivers the spooled ones first, in order.
    let got = questlog_server(&sock);
    env.fake
        .set_state("db.service", "failed", "failed", "exit-code");
    env.wait(|e| e.restarts("db.service") == 1).await;
    let mut ok = false;
    let deadline = std::time::Instant::now() + WAIT;
    while std::time::Instant::now() < deadline {
        let ev = got.lock().unwrap().clone();
        let app = heal_actions(&ev, "app.service");
        if app.starts_with(&["schedule-restart".into(), "restart".into()])
            && heal_actions(&ev, "db.service").contains(&"restart".to_string())
        {
            ok = true;
            let restart = ev
                .iter()
                .find(|e| {
                    matches!(&e.kind, questlog_client::EventKind::HealAction { unit, action, .. }
                        if unit == "db.service" && action == "restart")
                })
                .unwrap();
            assert_eq!(restart.source, "healerd");
            let questlog_client::EventKind::HealAction { reason, fields, .. } = &restart.kind
            else {
                unreachable!()
            };
            assert!(reason.contains("unit failed (exit-code)"), "{reason}");
            assert!(fields["state_before"].as_str().unwrap().contains("failed"));
            assert!(fields["since_failure_ms"].as_f64().unwrap() >= 0.0);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(ok, "questlogd got {:?}", got.lock().unwrap());
    env.stop().await;
}
