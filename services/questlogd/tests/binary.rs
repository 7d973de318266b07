//! The real binaries: readiness and graceful stop under a fake systemd, and access control
//! between users (when the tests run as root, a second user is simulated with `nobody`).

use questlog_client::Client;
use questlog_client::protocol::{Event, EventKind, Query};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixDatagram;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn wait_for_datagram(sock: &UnixDatagram, want: &str, timeout: Duration) -> String {
    sock.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 512];
    loop {
        if let Ok(n) = sock.recv(&mut buf) {
            let s = String::from_utf8_lossy(&buf[..n]).into_owned();
            if s.lines().any(|l| l == want) {
                return s;
            }
        }
        assert!(Instant::now() < deadline, "no {want} from questlogd");
    }
}

fn daemon_cmd(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_questlogd"));
    c.env("AINUX_QUESTLOGD__SOCKET", dir.join("ql.sock"))
        .env("AINUX_QUESTLOGD__DATABASE", dir.join("state/questlog.db"))
        .env("AINUX_QUESTLOGD__JOURNAL__ENABLED", "false")
        .env_remove("LISTEN_FDS")
        .env_remove("LISTEN_PID")
        .stdin(Stdio::null());
    c
}

fn cmd_event(i: usize) -> Event {
    Event {
        id: Some(format!("bin-{i}")),
        ts_ms: questlog_client::protocol::now_ms(),
        source: "bash".into(),
        kind: EventKind::Command {
            command: format!("make target{i}"),
            cwd: "/src".into(),
            exit: Some((i % 3) as i32),
            duration_ms: Some(2),
            session: "s".into(),
            tty: None,
            shell: "bash".into(),
        },
    }
}

#[test]
fn notifies_ready_and_flushes_everything_on_sigterm() {
    let d = tempfile::tempdir().unwrap();
    let notify_path = d.path().join("notify");
    let notify = UnixDatagram::bind(&notify_path).unwrap();
    let mut child = daemon_cmd(d.path())
        .env("NOTIFY_SOCKET", &notify_path)
        .spawn()
        .unwrap();
    wait_for_datagram(&notify, "READY=1", Duration::from_secs(30));
    let mut c = Client::connect(&d.path().join("ql.sock")).unwrap();
    let evs: Vec<_> = (0..2500).map(cmd_event).collect();
    assert_eq!(c.append(&evs).unwrap().accepted, 2500);
    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    wait_for_datagram(&notify, "STOPPING=1", Duration::from_secs(10));
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!d.path().join("ql.sock").exists(), "socket removed at exit");
    let db = d.path().join("state/questlog.db");
    let mode = std::fs::metadata(&db).unwrap().permissions().mode();
    assert_eq!(mode & 0o077, 0, "database not private: {mode:o}");
    let s = questlogd::store::Store::open_reader(&db).unwrap();
    assert_eq!(s.count().unwrap(), 2500);
}

#[test]
fn a_missing_named_config_file_is_an_error() {
    let d = tempfile::tempdir().unwrap();
    let out = daemon_cmd(d.path())
        .arg("--config")
        .arg(d.path().join("nope.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.toml"));
}

#[test]
fn an_unprivileged_user_reads_only_their_own_commands() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root to act as a second user");
        return;
    }
    const NOBODY: u32 = 65534;
    let d = tempfile::tempdir().unwrap();
    std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let socket = d.path().join("ql.sock");
    let mut child = daemon_cmd(d.path()).stderr(Stdio::null()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while Client::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "daemon did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // root's command
    let mut root = Client::connect(&socket).unwrap();
    let mut e = cmd_event(1);
    e.kind = EventKind::Command {
        command: "cat /root/secret-plans".into(),
        cwd: "/root".into(),
        exit: Some(0),
        duration_ms: None,
        session: "r".into(),
        tty: None,
        shell: "bash".into(),
    };
    root.append(&[e]).unwrap();
    let questlog = |args: &[&str], uid: u32, stdin: &[u8]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_questlog"));
        c.args(args)
            .env("QUESTLOG_SOCKET", &socket)
            .env("QUESTLOG_SPOOL", "/nonexistent/spool")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if uid != 0 {
            c.uid(uid).gid(uid);
        }
        let mut p = c.spawn().unwrap();
        p.stdin.take().unwrap().write_all(stdin).unwrap();
        p.wait_with_output().unwrap()
    };
    // nobody's command, through the shell agent, claiming to be root in every way it can.
    let rec =
        b"\x1e0\x1f1700000000.000000\x1f1700000000.500000\x1f/tmp\n  1  whoami --as root\n\x1d\n";
    let out = questlog(
        &["session-agent", "--shell", "bash", "--session", "n1"],
        NOBODY,
        rec,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = questlog(&["--json", "recent", "-n", "50"], NOBODY, b"");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<questlog_client::Record> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].uid, NOBODY);
    assert_eq!(rows[0].text, "whoami --as root");
    assert_eq!(rows[0].duration_ms, Some(500));
    let out = questlog(&["search", "secret-plans"], NOBODY, b"");
    assert_eq!(
        out.status.code(),
        Some(1),
        "nobody must not find root's command"
    );
    // root reads everything, each with its real user.
    let (rows, _) = root.query(Query::default()).unwrap();
    let mut uids: Vec<u32> = rows.iter().map(|r| r.uid).collect();
    uids.sort();
    assert_eq!(uids, vec![0, NOBODY]);
    // The human output is aligned and fits 80 columns.
    let out = questlog(&["recent", "-l"], 0, b"");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("whoami --as root") && text.contains("nobody"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
    // SAFETY: signalling our child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
}
