//! The D-Bus implementation for real, against a private `dbus-daemon` and a
//! small stand-in for systemd's manager (owns `org.freedesktop.systemd1`,
//! answers the calls healerd makes, emits `PropertiesChanged`/`JobRemoved`).
//! Skipped (with a message) when `dbus-daemon` is not installed; the real
//! systemd is exercised in the VM tests.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use healerd::config::Config;
use healerd::dbus::DbusSystemd;
use healerd::driver::{Control, Driver};
use healerd::policy::PolicySet;
use healerd::systemd::{Signal, Systemd};
use tokio::sync::{mpsc, oneshot, watch};
use zbus::message::Type as MsgType;
use zbus::{Connection, MessageStream, OwnedObjectPath, Variant};

const PATH: &str = "/org/freedesktop/systemd1";
const UNIT_PATH: &str = "/org/freedesktop/systemd1/unit/app_2eservice";

struct Bus {
    child: Child,
    _stdout: std::io::BufReader<std::process::ChildStdout>,
    address: String,
    _dir: tempfile::TempDir,
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_bus() -> Option<Bus> {
    if Command::new("dbus-daemon")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("dbus-daemon not installed: skipping the D-Bus test");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("bus");
    let address = format!("unix:path={}", sock.display());
    // Ready when it prints its address: it listens by then. (The socket file appears when it
    // binds, a moment before it listens: a client connecting then is refused.)
    let mut child = Command::new("dbus-daemon")
        .args(["--session", "--nofork", "--nopidfile", "--print-address"])
        .arg(format!("--address={address}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    if std::io::BufRead::read_line(&mut out, &mut line).unwrap_or(0) == 0 {
        let _ = child.kill();
        let _ = child.wait();
        panic!("dbus-daemon did not start");
    }
    Some(Bus {
        child,
        _stdout: out,
        address,
        _dir: dir,
    })
}

/// What the stand-in manager saw and holds.
#[derive(Default)]
struct Mock {
    calls: Vec<(String, Instant)>,
    active: String,
    sub: String,
    result: String,
    jobs: u32,
    /// Restart jobs whose state change and `JobRemoved` have been sent.
    settled: u32,
}

async fn mock_manager(address: &str, state: Arc<Mutex<Mock>>) -> Connection {
    let c = zbus::connection::Builder::address(address)
        .build()
        .await
        .unwrap();
    c.request_name("org.freedesktop.systemd1").await.unwrap();
    let conn = c.clone();
    let mut stream = MessageStream::from(&c);
    tokio::spawn(async move {
        while let Some(Ok(msg)) = stream.next().await {
            if msg.message_type() != MsgType::MethodCall {
                continue;
            }
            let h = msg.header();
            let member = h.member().map(|m| m.to_string()).unwrap_or_default();
            state
                .lock()
                .unwrap()
                .calls
                .push((member.clone(), Instant::now()));
            match member.as_str() {
                "Subscribe" | "ResetFailedUnit" => conn.reply(&h, &()).await.unwrap(),
                "ListUnits" => {
                    let (a, s) = {
                        let m = state.lock().unwrap();
                        (m.active.clone(), m.sub.clone())
                    };
                    let row = (
                        "app.service",
                        "test app",
                        "loaded",
                        a,
                        s,
                        "",
                        OwnedObjectPath::try_from(UNIT_PATH).unwrap(),
                        0u32,
                        "",
                        OwnedObjectPath::try_from("/").unwrap(),
                    );
                    conn.reply(&h, &(vec![row],)).await.unwrap();
                }
                "GetUnit" => {
                    let p = OwnedObjectPath::try_from(UNIT_PATH).unwrap();
                    conn.reply(&h, &(p,)).await.unwrap();
                }
                "Get" => {
                    let (_iface, prop): (String, String) = msg.body().deserialize().unwrap();
                    let (a, s, r) = {
                        let m = state.lock().unwrap();
                        (m.active.clone(), m.sub.clone(), m.result.clone())
                    };
                    let v = match prop.as_str() {
                        "ActiveState" => Variant::from(a),
                        "SubState" => Variant::from(s),
                        "Result" => Variant::from(r),
                        "NRestarts" => Variant::from(7u32),
                        _ => Variant::from(""),
                    };
                    conn.reply(&h, &(v,)).await.unwrap();
                }
                "GetAll" => {
                    let mut map: HashMap<&str, Variant> = HashMap::new();
                    map.insert(
                        "Requires",
                        Variant::from(vec!["db.service", "sysinit.target"]),
                    );
                    map.insert("RequiredBy", Variant::from(vec!["web.service"]));
                    map.insert("BindsTo", Variant::from(Vec::<&str>::new()));
                    map.insert("BoundBy", Variant::from(Vec::<&str>::new()));
                    map.insert("StartLimitBurst", Variant::from(5u32));
                    map.insert("StartLimitIntervalUSec", Variant::from(10_000_000u64));
                    conn.reply(&h, &(map,)).await.unwrap();
                }
                "RestartUnit" => {
                    let (unit, mode): (String, String) = msg.body().deserialize().unwrap();
                    assert_eq!(mode, "replace");
                    let id = {
                        let mut m = state.lock().unwrap();
                        m.jobs += 1;
                        m.active = "active".into();
                        m.sub = "running".into();
                        m.result = "success".into();
                        m.jobs
                    };
                    let job = OwnedObjectPath::try_from(format!("{PATH}/job/{id}")).unwrap();
                    conn.reply(&h, &(job.clone(),)).await.unwrap();
                    emit_state(&conn, "active", "running").await;
                    conn.emit_signal(
                        None::<&str>,
                        PATH,
                        "org.freedesktop.systemd1.Manager",
                        "JobRemoved",
                        &(id, job, unit, "done"),
                    )
                    .await
                    .unwrap();
                    state.lock().unwrap().settled += 1;
                }
                _ => {
                    conn.reply_dbus_error(&h, zbus::fdo::Error::UnknownMethod(member))
                        .await
                        .unwrap();
                }
            }
        }
    });
    c
}

async fn emit_state(c: &Connection, active: &str, sub: &str) {
    let mut changed: HashMap<&str, Variant> = HashMap::new();
    changed.insert("ActiveState", Variant::from(active));
    changed.insert("SubState", Variant::from(sub));
    c.emit_signal(
        None::<&str>,
        UNIT_PATH,
        "org.freedesktop.DBus.Properties",
        "PropertiesChanged",
        &(
            "org.freedesktop.systemd1.Unit",
            changed,
            Vec::<String>::new(),
        ),
    )
    .await
    .unwrap();
}

async fn fail_unit(c: &Connection, state: &Arc<Mutex<Mock>>) -> Instant {
    {
        let mut m = state.lock().unwrap();
        m.active = "failed".into();
        m.sub = "failed".into();
        m.result = "exit-code".into();
    }
    let t = Instant::now();
    emit_state(c, "failed", "failed").await;
    t
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscription_calls_and_signals_over_a_real_bus() {
    let Some(bus) = start_bus() else { return };
    let state = Arc::new(Mutex::new(Mock {
        active: "active".into(),
        sub: "running".into(),
        result: "success".into(),
        ..Mock::default()
    }));
    let mgr = mock_manager(&bus.address, state.clone()).await;
    let sd = DbusSystemd::with_address(bus.address.clone());
    let mut rx = sd.subscribe(64).await.unwrap();
    assert!(
        state
            .lock()
            .unwrap()
            .calls
            .iter()
            .any(|c| c.0 == "Subscribe")
    );

    let units = sd.list_units().await.unwrap();
    assert_eq!(units.len(), 1);
    assert_eq!(
        (units[0].unit.as_str(), units[0].active.as_str()),
        ("app.service", "active")
    );

    let deps = sd.unit_deps("app.service").await.unwrap();
    assert_eq!(deps.requires, vec!["db.service"], "targets are dropped");
    assert_eq!(deps.required_by, vec!["web.service"]);
    assert_eq!(deps.start_limit_burst, 5);
    assert_eq!(deps.start_limit_interval, Duration::from_secs(10));

    fail_unit(&mgr, &state).await;
    let sig = tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap();
    match sig {
        Signal::State(st) => {
            assert_eq!(st.unit, "app.service");
            assert_eq!((st.active.as_str(), st.sub.as_str()), ("failed", "failed"));
            assert_eq!(
                st.result, "exit-code",
                "Result read from the Service interface"
            );
            assert_eq!(st.n_restarts, Some(7));
        }
        other => panic!("{other:?}"),
    }

    let job = sd.restart_unit("app.service").await.unwrap();
    assert_eq!(job, "/org/freedesktop/systemd1/job/1");
    let mut saw_job = false;
    for _ in 0..3 {
        match tokio::time::timeout(Duration::from_secs(5), rx.recv()).await {
            Ok(Some(Signal::JobRemoved {
                job: j,
                unit,
                result,
            })) => {
                assert_eq!(
                    (j.as_str(), unit.as_str(), result.as_str()),
                    (job.as_str(), "app.service", "done")
                );
                saw_job = true;
                break;
            }
            Ok(Some(Signal::State(st))) => assert_eq!(st.active, "active"),
            other => panic!("{other:?}"),
        }
    }
    assert!(saw_job);
    sd.reset_failed("app.service").await.unwrap();

    // The bus goes away: the subscription ends (the driver then reconnects).
    drop(bus);
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        while rx.recv().await.is_some() {}
    })
    .await;
    assert!(end.is_ok(), "subscription closes when the bus dies");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn driver_heals_over_a_real_bus_and_reports_latency() {
    let Some(bus) = start_bus() else { return };
    let state = Arc::new(Mutex::new(Mock {
        active: "active".into(),
        sub: "running".into(),
        result: "success".into(),
        ..Mock::default()
    }));
    let mgr = mock_manager(&bus.address, state.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let pol = dir.path().join("p.toml");
    std::fs::write(
        &pol,
        "[[policy]]\nunits = [\"app.service\"]\ncooldown_secs = 0\n[policy.restart]\ninitial_delay_ms = 0\njitter = 0.0\nmax_restarts = 100\n[policy.flapping]\nthreshold = 1000\n",
    )
    .unwrap();
    let cfg = Config {
        policy_path: pol.clone(),
        socket: dir.path().join("s.sock"),
        state_dir: dir.path().join("state"),
        questlog_socket: dir.path().join("ql.sock"),
        seed: Some(3),
        ..Config::default()
    };
    let (ctl, ctl_rx) = mpsc::channel(8);
    let (stop, stop_rx) = watch::channel(false);
    let (ready_tx, ready_rx) = oneshot::channel();
    let driver = Driver::new(
        DbusSystemd::with_address(bus.address.clone()),
        cfg,
        PolicySet::load(&pol).unwrap(),
    )
    .on_ready(move || {
        let _ = ready_tx.send(());
    });
    let task = tokio::spawn(driver.run(ctl_rx, stop_rx));
    tokio::time::timeout(Duration::from_secs(5), ready_rx)
        .await
        .unwrap()
        .unwrap();

    let mut latencies = Vec::new();
    for round in 0..20 {
        let before = state.lock().unwrap().jobs;
        let t = fail_unit(&mgr, &state).await;
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let restarted_at = {
                let m = state.lock().unwrap();
                (m.jobs > before).then(|| {
                    m.calls
                        .iter()
                        .rev()
                        .find(|c| c.0 == "RestartUnit")
                        .unwrap()
                        .1
                })
            };
            if let Some(at) = restarted_at {
                latencies.push(at.duration_since(t).as_secs_f64() * 1000.0);
                break;
            }
            assert!(Instant::now() < deadline, "round {round}: no restart");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        // Let the restart settle before the next failure: the stand-in has sent the unit's
        // new state and the end of the job, and the driver is through its cooldown (0 s). A
        // failure sent before that (a fixed pause is too short on a loaded machine) can
        // reach the driver ahead of the restart's own signals.
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let settled = {
                let m = state.lock().unwrap();
                m.settled == m.jobs
            };
            let (tx, rx) = oneshot::channel();
            ctl.send(Control::Status(tx)).await.unwrap();
            let s = rx.await.unwrap();
            let healthy = s["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["unit"] == "app.service" && u["phase"] == "healthy");
            if settled && healthy {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "round {round}: the restart did not settle: {s}"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    latencies.sort_by(f64::total_cmp);
    let p50 = latencies[latencies.len() / 2];
    let p99 = latencies[latencies.len() - 1];
    eprintln!(
        "failure signal -> RestartUnit over D-Bus: p50 {p50:.2} ms, max {p99:.2} ms (n = 20)"
    );
    assert!(p99 < 1000.0, "{latencies:?}");

    let (tx, rx) = oneshot::channel();
    ctl.send(Control::Status(tx)).await.unwrap();
    let s = rx.await.unwrap();
    assert_eq!(s["connected"], true);
    assert_eq!(s["counters"]["restarts"], 20);
    stop.send(true).unwrap();
    task.await.unwrap();
}
