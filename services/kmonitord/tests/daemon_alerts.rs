//! The daemon on a fake /proc tree and a fake file system: a CPU rule alert that names the
//! process and its unit reaches `/alerts` and a questlogd stand-in on a real Unix socket; a
//! steadily filling file system raises the trend alert; an unmounted one is dropped.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use kmonitord::daemon::{self, Config};
use kmonitord::system::{FsStat, StatFs};
use questlog_client::{AppendAck, EventKind, Request, Response};

fn get(addr: std::net::SocketAddr, path: &str) -> String {
    let mut c = TcpStream::connect(addr).unwrap();
    write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut r = String::new();
    c.read_to_string(&mut r).unwrap();
    r.split_once("\r\n\r\n").unwrap().1.to_owned()
}

/// Writes like procfs reads: whole or not at all. The daemon reads these files while the test
/// rewrites them, and a plain `fs::write` lets it see a truncated, empty file in between.
fn write_atomic(path: &Path, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn write_stat(root: &Path, busy: u64, idle: u64) {
    write_atomic(
        &root.join("stat"),
        format!("cpu  {busy} 0 0 {idle} 0 0 0 0\ncpu0 {busy} 0 0 {idle} 0 0 0 0\n"),
    )
    .unwrap();
}

fn write_proc(root: &Path, pid: u32, comm: &str, ticks: u64, unit: &str) {
    let d = root.join(pid.to_string());
    std::fs::create_dir_all(&d).unwrap();
    write_atomic(
        &d.join("stat"),
        format!("{pid} ({comm}) R 1 1 1 0 -1 0 0 0 0 0 {ticks} 0 0 0 20 0 1 0 5 0 0\n"),
    )
    .unwrap();
    write_atomic(&d.join("statm"), "100 50 0 0 0 0 0\n").unwrap();
    write_atomic(&d.join("cgroup"), format!("0::/system.slice/{unit}\n")).unwrap();
}

/// A file system whose available space the test controls; `None` = unmounted.
struct FakeFs(Arc<Mutex<Option<f64>>>);
impl StatFs for FakeFs {
    fn statfs(&self, path: &Path) -> std::io::Result<FsStat> {
        match *self.0.lock().unwrap() {
            Some(avail) if path == Path::new("/data") => Ok(FsStat {
                size: 1e9,
                free: avail,
                avail,
                files: 100.0,
                files_free: 50.0,
            }),
            _ => Err(std::io::Error::from(std::io::ErrorKind::NotFound)),
        }
    }
}

fn fake_questlogd(path: PathBuf) -> mpsc::Receiver<questlog_client::Event> {
    let listener = UnixListener::bind(&path).unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { return };
            let tx = tx.clone();
            std::thread::spawn(move || {
                while let Ok(Some(frame)) = ainux_common::frame::read_frame(&mut conn, 1 << 20) {
                    let req: Request = serde_json::from_slice(&frame).unwrap();
                    let Request::Append { events } = req else {
                        panic!("unexpected request")
                    };
                    let n = events.len();
                    for e in events {
                        let _ = tx.send(e);
                    }
                    let resp = Response::Appended(AppendAck {
                        accepted: n,
                        ..AppendAck::default()
                    });
                    let body = serde_json::to_vec(&resp).unwrap();
                    ainux_common::frame::write_frame(&mut conn, &body, 1 << 20).unwrap();
                }
            });
        }
    });
    rx
}

#[test]
fn cpu_and_fill_alerts_reach_alerts_endpoint_and_questlog() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proc");
    std::fs::create_dir_all(root.join("self")).unwrap();
    write_atomic(&root.join("self/mounts"), "/dev/vdb /data ext4 rw 0 0\n").unwrap();
    write_atomic(&root.join("loadavg"), "0.1 0.1 0.1 1/50 9\n").unwrap();
    write_stat(&root, 0, 0);
    write_proc(&root, 42, "burner", 0, "burn.service");
    write_proc(&root, 7, "idler", 0, "idle.service");
    let sock = dir.path().join("questlog.sock");
    let events = fake_questlogd(sock.clone());
    let avail = Arc::new(Mutex::new(Some(9e8)));

    let cfg = Config {
        interval_secs: 0.1,
        listen: "127.0.0.1:0".into(),
        proc_root: root.clone(),
        questlog_socket: Some(sock),
        // Not the user's spool: whatever waits there (from other tests or the user's session)
        // would be replayed to the stand-in ahead of the alerts.
        questlog_spool: Some(dir.path().join("spool.jsonl")),
        ..Config::default()
    };
    let handle = daemon::start_with(cfg, Box::new(FakeFs(avail.clone()))).unwrap();

    // Idle first, then busy: the burner takes the CPU while the free space shrinks steadily.
    let started = Instant::now();
    let (mut busy, mut idle, mut ticks) = (0u64, 0u64, 0u64);
    let mut got_cpu = None;
    let mut got_fill = None;
    while started.elapsed() < Duration::from_secs(30) && (got_cpu.is_none() || got_fill.is_none()) {
        let phase_busy = started.elapsed() > Duration::from_millis(500);
        if phase_busy {
            busy += 10;
            ticks += 10;
        } else {
            idle += 10;
        }
        // The process first: a round that sees the busy CPU also sees who burns it.
        write_proc(&root, 42, "burner", ticks, "burn.service");
        write_stat(&root, busy, idle);
        if let Some(a) = avail.lock().unwrap().as_mut() {
            *a -= 1e6;
        }
        std::thread::sleep(Duration::from_millis(100));
        let alerts: serde_json::Value = serde_json::from_str(&get(handle.addr, "/alerts")).unwrap();
        for a in alerts.as_array().unwrap() {
            match a["rule"].as_str() {
                Some("cpu_busy") => got_cpu = Some(a.clone()),
                Some("filesystem_filling") => got_fill = Some(a.clone()),
                _ => {}
            }
        }
    }
    let cpu = got_cpu.expect("cpu_busy alert");
    let s = cpu["suggestion"].as_str().unwrap();
    assert!(s.contains("burner (pid 42, unit burn.service)"), "{s}");
    assert_eq!(cpu["severity"], "warning");
    let fill = got_fill.expect("filesystem_filling alert");
    assert!(fill["title"].as_str().unwrap().contains("/data"), "{fill}");
    assert!(fill["value"].as_f64().unwrap() < 3600.0);

    // Both went to questlogd as typed alert events.
    let mut titles = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while titles.len() < 2 && Instant::now() < deadline {
        if let Ok(e) = events.recv_timeout(Duration::from_millis(200)) {
            assert_eq!(e.source, "kmonitord");
            let EventKind::Alert { title, fields, .. } = e.kind else {
                panic!("not an alert")
            };
            assert!(fields.contains_key("suggestion"));
            titles.push(title);
        }
    }
    assert!(titles.iter().any(|t| t.contains("high CPU")), "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("/data")), "{titles:?}");

    // Status, top and metrics carry the present state.
    let status: serde_json::Value = serde_json::from_str(&get(handle.addr, "/status")).unwrap();
    assert_eq!(status["filesystems"][0]["mountpoint"], "/data");
    let top: serde_json::Value = serde_json::from_str(&get(handle.addr, "/top")).unwrap();
    assert_eq!(top["by_cpu"][0]["comm"], "burner");
    let metrics = get(handle.addr, "/metrics");
    assert!(metrics.contains(
        r#"node_filesystem_avail_bytes{device="/dev/vdb",fstype="ext4",mountpoint="/data"}"#
    ));
    assert!(metrics.contains(r#"ainux_alerts_total{kind="rule_cpu_busy"} "#));

    // Unmounted: its series are dropped cleanly from /metrics and the status.
    *avail.lock().unwrap() = None;
    std::fs::remove_dir_all(root.join("42")).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let m = get(handle.addr, "/metrics");
        if !m.contains("node_filesystem_avail_bytes") && !m.contains("mountpoint=\"/data\"") {
            break;
        }
        assert!(Instant::now() < deadline, "file system series not dropped");
        std::thread::sleep(Duration::from_millis(100));
    }
    let top: serde_json::Value = serde_json::from_str(&get(handle.addr, "/top")).unwrap();
    assert!(
        top["by_cpu"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["pid"] != 42)
    );
    handle.shutdown();
}

#[test]
fn broken_config_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("kmonitord.toml");
    std::fs::write(&p, "interval_secs = 5.0\nlisten = 9464\n").unwrap();
    let e = Config::load(Some(&p), vec![]).unwrap_err().to_string();
    assert!(
        e.contains("kmonitord.toml:2") && e.contains("listen"),
        "{e}"
    );
    std::fs::write(
        &p,
        "[[rules]]\nname = \"x\"\nmetric = \"m\"\nabove = 1.0\nbelow = 0.0\n",
    )
    .unwrap();
    let e = Config::load(Some(&p), vec![]).unwrap_err();
    let chain = format!("{e}: {}", std::error::Error::source(&e).unwrap());
    assert!(chain.contains("rule \"x\""), "{chain}");
    std::fs::write(&p, "interval_secs = 0.0\n").unwrap();
    assert!(
        Config::load(Some(&p), vec![])
            .unwrap_err()
            .to_string()
            .contains("interval_secs")
    );
    // Rules from config replace the defaults.
    std::fs::write(
        &p,
        "[[rules]]\nname = \"hot\"\nmetric = \"node_load1\"\nabove = 4.0\nfor_intervals = 3\nseverity = \"critical\"\n",
    )
    .unwrap();
    let c = Config::load(Some(&p), vec![]).unwrap();
    assert_eq!(c.rules.len(), 1);
    assert_eq!(c.rules[0].severity, "critical");
}

/// `/proc/net/dev` with counters `n` times a base rate, and the receive errors given per
/// interface.
fn write_netdev_with_errs(root: &Path, ifaces: &[(&str, u64)], n: u64) {
    let mut text = String::from(
        "Inter-|   Receive                                                |  Transmit\n \
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n",
    );
    for (i, errs) in ifaces {
        text.push_str(&format!(
            "{i}: {} {} {errs} 0 0 0 0 0 {} {} 0 0 0 0 0 0\n",
            n * 1000,
            n * 10,
            n * 500,
            n * 5
        ));
    }
    write_atomic(&root.join("net/dev"), text).unwrap();
}

fn write_netdev(root: &Path, ifaces: &[&str], n: u64) {
    let v: Vec<(&str, u64)> = ifaces.iter().map(|i| (*i, 0)).collect();
    write_netdev_with_errs(root, &v, n);
}

/// An interface that goes away mid-run loses its series (values and anomaly scores); NaN and
/// infinite readings are exposed as they are and never reach a detector; the daemon lives on.
#[test]
fn vanished_interface_is_dropped_and_non_finite_values_are_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proc");
    std::fs::create_dir_all(root.join("net")).unwrap();
    write_atomic(&root.join("loadavg"), "0.5 0.4 0.3 1/50 9\n").unwrap();
    write_stat(&root, 0, 0);
    write_netdev(&root, &["eth0", "usb0"], 0);
    let cfg = Config {
        interval_secs: 0.05,
        listen: "127.0.0.1:0".into(),
        proc_root: root.clone(),
        filesystems: false,
        // Not to the default spool, shared with other tests (and the user's session).
        questlog: false,
        ..Config::default()
    };
    let handle = daemon::start(cfg).unwrap();
    let wait_for = |what: &str, cond: &dyn Fn(&str) -> bool| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let m = get(handle.addr, "/metrics");
            if cond(&m) {
                return m;
            }
            assert!(Instant::now() < deadline, "{what}: {m}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    let mut n = 1;
    let usb_score =
        r#"ainux_anomaly_score{series="node_network_receive_bytes_total{device=\"usb0\"}"}"#;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        write_netdev(&root, &["eth0", "usb0"], n);
        n += 1;
        let m = get(handle.addr, "/metrics");
        if m.contains(usb_score) {
            break;
        }
        assert!(Instant::now() < deadline, "usb0 never scored: {m}");
        std::thread::sleep(Duration::from_millis(50));
    }
    // usb0 is unplugged.
    write_netdev(&root, &["eth0"], n);
    let m = wait_for("usb0 dropped", &|m| {
        !m.contains("device=\"usb0\"") && !m.contains("usb0")
    });
    assert!(
        m.contains(r#"node_network_receive_bytes_total{device="eth0"}"#),
        "{m}"
    );
    // Non-finite readings.
    write_atomic(&root.join("loadavg"), "nan inf -inf 1/50 9\n").unwrap();
    let m = wait_for("NaN exposed", &|m| m.contains("node_load1 NaN"));
    let scrape = prometheus_parse::Scrape::parse(m.lines().map(|l| Ok(l.to_owned()))).unwrap();
    for s in scrape
        .samples
        .iter()
        .filter(|s| s.metric == "ainux_anomaly_score")
    {
        let prometheus_parse::Value::Gauge(v) = s.value else {
            panic!("{s:?}")
        };
        assert!((0.0..=1.0).contains(&v), "{s:?}");
    }
    write_atomic(&root.join("loadavg"), "0.7 0.4 0.3 1/50 9\n").unwrap();
    wait_for("finite again", &|m| m.contains("node_load1 0.7"));
    assert!(handle.alive(Duration::from_secs(5)));
    handle.shutdown();
}

/// A process with `pages` resident pages.
fn write_proc_rss(root: &Path, pid: u32, comm: &str, pages: u64, unit: &str) {
    write_proc(root, pid, comm, 0, unit);
    write_atomic(
        &root.join(pid.to_string()).join("statm"),
        format!("{} {pages} 0 0 0 0 0\n", pages * 2),
    )
    .unwrap();
}

/// Low memory: the alert's suggestion names the processes with the most RSS, largest first;
/// receive errors on one interface: the alert names that interface and not the healthy one.
#[test]
fn memory_alert_names_largest_processes_and_network_alert_names_interface() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("proc");
    std::fs::create_dir_all(root.join("net")).unwrap();
    write_atomic(&root.join("loadavg"), "0.1 0.1 0.1 1/50 9\n").unwrap();
    write_stat(&root, 0, 0);
    let page = {
        // SAFETY: sysconf has no preconditions.
        let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        p as u64
    };
    // 600 MiB, 300 MiB, 200 MiB, and a small one that must not be named first.
    let mib = |m: u64| (m << 20) / page;
    write_proc_rss(&root, 11, "hog", mib(600), "hog.service");
    write_proc_rss(&root, 12, "cache", mib(300), "cache.service");
    write_proc_rss(&root, 13, "web", mib(200), "web.service");
    write_proc_rss(&root, 14, "tiny", mib(2), "tiny.service");
    let meminfo = |avail_kb: u64| {
        write_atomic(&
            root.join("meminfo"),
            format!(
                "MemTotal:       4000000 kB\nMemFree:         {avail_kb} kB\nMemAvailable:    {avail_kb} kB\nSwapTotal:             0 kB\n"
            ),
        )
        .unwrap();
    };
    meminfo(3_000_000);
    write_netdev_with_errs(&root, &[("eth0", 0), ("eth1", 0)], 0);
    let cfg = Config {
        interval_secs: 0.1,
        listen: "127.0.0.1:0".into(),
        proc_root: root.clone(),
        filesystems: false,
        // Not to the default spool, shared with other tests (and the user's session).
        questlog: false,
        ..Config::default()
    };
    let handle = daemon::start(cfg).unwrap();

    let started = Instant::now();
    let (mut n, mut errs) = (0u64, 0u64);
    let mut got_mem = None;
    let mut got_net = None;
    while started.elapsed() < Duration::from_secs(30) && (got_mem.is_none() || got_net.is_none()) {
        n += 1;
        if started.elapsed() > Duration::from_millis(500) {
            // 2 % of the memory available, and eth1 counting receive errors.
            meminfo(80_000);
            errs += 3;
        }
        write_netdev_with_errs(&root, &[("eth0", 0), ("eth1", errs)], n);
        std::thread::sleep(Duration::from_millis(100));
        let alerts: serde_json::Value = serde_json::from_str(&get(handle.addr, "/alerts")).unwrap();
        for a in alerts.as_array().unwrap() {
            match a["rule"].as_str() {
                Some("memory_low") => got_mem = Some(a.clone()),
                Some("network_receive_errors") => got_net = Some(a.clone()),
                _ => {}
            }
        }
    }
    let mem = got_mem.expect("memory_low alert");
    let s = mem["suggestion"].as_str().unwrap();
    let hog = s.find("hog (pid 11, unit hog.service) 600.0 MiB");
    let cache = s.find("cache (pid 12, unit cache.service) 300.0 MiB");
    let web = s.find("web (pid 13, unit web.service) 200.0 MiB");
    assert!(
        hog.is_some() && cache.is_some() && web.is_some(),
        "the three largest: {s}"
    );
    assert!(hog < cache && cache < web, "largest first: {s}");
    assert!(!s.contains("tiny"), "{s}");
    assert!(s.contains("MemoryMax= on hog.service"), "{s}");
    let pids: Vec<u64> = mem["details"]["top_memory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["pid"].as_u64().unwrap())
        .collect();
    assert_eq!(pids, vec![11, 12, 13]);

    let net = got_net.expect("network_receive_errors alert");
    assert!(net["series"].as_str().unwrap().contains("eth1"), "{net}");
    let s = net["suggestion"].as_str().unwrap();
    assert!(
        s.contains("interface eth1") && s.contains("ip -s link show eth1"),
        "{s}"
    );
    assert!(!s.contains("eth0"), "{s}");
    assert_eq!(net["details"]["interface"], "eth1");
    // The healthy interface raised nothing.
    let alerts: serde_json::Value = serde_json::from_str(&get(handle.addr, "/alerts")).unwrap();
    assert!(
        alerts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["rule"].as_str().is_some_and(|r| r.starts_with("network")))
            .all(|a| a["series"].as_str().unwrap().contains("eth1")),
        "{alerts}"
    );
    handle.shutdown();
}
