//! The control socket for real: a Unix socket in a temp dir, the driver on a
//! fake systemd, the `healer` binary as the client; and the `healerd` binary
//! as a process (no system bus here: it keeps retrying D-Bus and still
//! answers, and SIGHUP keeps the last good policies).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use healerd::config::Config;
use healerd::driver::Driver;
use healerd::ipc::{self, Request};
use healerd::policy::PolicySet;
use healerd::systemd::UnitDeps;
use healerd::systemd::fake::{Call, FakeSystemd};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, watch};

const POLICY: &str =
    "[[policy]]\nunits = [\"app.service\"]\n[policy.restart]\ninitial_delay_ms = 1\njitter = 0.0\n";

async fn serve(dir: &Path, fake: FakeSystemd) -> watch::Sender<bool> {
    std::fs::write(dir.join("p.toml"), POLICY).unwrap();
    let cfg = Config {
        policy_path: dir.join("p.toml"),
        socket: dir.join("healerd.sock"),
        state_dir: dir.join("state"),
        questlog_socket: dir.join("ql.sock"),
        seed: Some(1),
        ..Config::default()
    };
    let set = PolicySet::load(&cfg.policy_path).unwrap();
    let listener = ipc::bind(&cfg.socket).unwrap();
    let (ctl, ctl_rx) = mpsc::channel(16);
    let (tx, rx) = watch::channel(false);
    tokio::spawn(Driver::new(fake, cfg, set).run(ctl_rx, rx.clone()));
    tokio::spawn(ipc::serve(listener, ctl, rx));
    tx
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_history_pause_over_the_socket_and_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("healerd.sock");
    let fake = FakeSystemd::new();
    fake.add_unit("app.service", "active", UnitDeps::default());
    let _stop = serve(dir.path(), fake.clone()).await;

    let status = ipc::request(&sock, &Request::Status).await.unwrap();
    assert_eq!(status["policies"], 1);

    // the CLI, as a process, with --json
    let healer = env!("CARGO_BIN_EXE_healer");
    let run = |args: &[&str]| {
        let sock = sock.clone();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        async move {
            tokio::task::spawn_blocking(move || {
                Command::new(healer)
                    .arg("--socket")
                    .arg(&sock)
                    .args(&args)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let out = run(&["pause", "app.service", "--json"]).await;
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["paused"], true);

    fake.set_state("app.service", "failed", "failed", "exit-code");
    // Resume only once the driver has seen the failure while paused (the "skip" in the
    // history): on a loaded machine it may take a while, and a failure seen after the resume
    // is healed without a skip.
    let history = || async {
        let out = run(&["history", "--json"]).await;
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !history().await.iter().any(|a| a == "skip") {
        assert!(Instant::now() < deadline, "the paused failure was not seen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(!fake.calls().contains(&Call::Restart("app.service".into())));

    let out = run(&["resume", "app.service"]).await;
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "app.service: resumed\n"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    while !fake.calls().contains(&Call::Restart("app.service".into())) {
        assert!(Instant::now() < deadline, "no restart after the resume");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let actions = history().await;
    assert_eq!(&actions[..3], &["pause", "skip", "resume"], "{actions:?}");
    assert!(actions.iter().any(|a| a == "restart"), "{actions:?}");

    let out = run(&["status"]).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("app.service") && text.contains("policies: 1"),
        "{text}"
    );

    let out = run(&["pause", "ghost.service", "--json"]).await;
    assert!(!out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["error"].as_str().unwrap().contains("no policy"), "{v}");
}

#[tokio::test]
async fn malformed_requests_get_errors_and_the_connection_lives() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("healerd.sock");
    let _stop = serve(dir.path(), FakeSystemd::new()).await;
    let s = UnixStream::connect(&sock).await.unwrap();
    let (r, mut w) = s.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();

    w.write_all(b"not json\n").await.unwrap();
    r.read_line(&mut line).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["error"].as_str().unwrap().contains("bad request"));

    line.clear();
    w.write_all(b"{\"cmd\":\"reboot\"}\n").await.unwrap();
    r.read_line(&mut line).await.unwrap();
    assert!(line.contains("\"ok\":false"), "{line}");

    line.clear();
    let mut big = vec![b'x'; 200_000];
    big.push(b'\n');
    w.write_all(&big).await.unwrap();
    r.read_line(&mut line).await.unwrap();
    assert!(line.contains("too long"), "{line}");

    line.clear();
    w.write_all(b"{\"cmd\":\"status\"}\n").await.unwrap();
    r.read_line(&mut line).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["ok"], true, "{line}");
}

#[tokio::test]
async fn bind_replaces_a_stale_socket_but_not_a_live_one() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("x.sock");
    {
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
    } // dropped: the file stays, nobody listens
    // A child another test forks in this instant holds a copy of the listening socket until it
    // execs: wait until nobody answers, so the socket really is stale.
    for _ in 0..200 {
        if std::os::unix::net::UnixStream::connect(&sock).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let live = ipc::bind(&sock).expect("stale socket replaced");
    let err = ipc::bind(&sock).unwrap_err();
    assert!(err.to_string().contains("x.sock"), "{err}");
    drop(live);
}

fn wait_for_socket(p: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::os::unix::net::UnixStream::connect(p).is_err() {
        assert!(
            Instant::now() < deadline,
            "healerd did not open {}",
            p.display()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn healer_json(sock: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_healer"))
        .arg("--socket")
        .arg(sock)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"))
}

#[test]
fn daemon_process_reload_keeps_last_good_policies_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let pol = dir.path().join("p.toml");
    std::fs::write(&pol, POLICY).unwrap();
    let cfg = dir.path().join("healerd.toml");
    std::fs::write(
        &cfg,
        format!(
            "state_dir = {:?}\nquestlog_socket = {:?}\nreconnect_max_ms = 200\n",
            dir.path().join("state"),
            dir.path().join("ql.sock")
        ),
    )
    .unwrap();
    let sock = dir.path().join("healerd.sock");
    let mut child = Command::new(env!("CARGO_BIN_EXE_healerd"))
        .arg("--config")
        .arg(&cfg)
        .arg("--policies")
        .arg(&pol)
        .arg("--socket")
        .arg(&sock)
        // no system bus on the build host: point D-Bus at nothing
        .env(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path={}", dir.path().join("nobus").display()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_socket(&sock);
    let s = healer_json(&sock, &["status"]);
    assert_eq!(s["policies"], 1);
    assert_eq!(s["connected"], false);

    std::fs::write(
        &pol,
        "[[policy]]\nunits = [\"a.service\", \"b.service\"]\njunk = 1\n",
    )
    .unwrap();
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut s = healer_json(&sock, &["status"]);
    while s["policy_error"].is_null() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        s = healer_json(&sock, &["status"]);
    }
    let err = s["policy_error"].as_str().expect("reload error reported");
    assert!(err.contains("p.toml:3") && err.contains("junk"), "{err}");
    assert_eq!(s["policies"], 1, "last good policies kept");

    std::fs::write(
        &pol,
        "[[policy]]\nunits = [\"a.service\"]\n[[policy]]\nunits = [\"b.service\"]\n",
    )
    .unwrap();
    assert!(
        Command::new("kill")
            .args(["-HUP", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    s = healer_json(&sock, &["status"]);
    while s["policies"] != 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
        s = healer_json(&sock, &["status"]);
    }
    assert_eq!(s["policies"], 2);
    assert!(s["policy_error"].is_null());

    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!sock.exists(), "socket removed on exit");
}
