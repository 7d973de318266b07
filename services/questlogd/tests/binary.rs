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
    // The index thread creates its file soon after start.
    let index = d.path().join("state/questlog-index.db");
    let t0 = std::time::Instant::now();
    while !index.exists() {
        assert!(t0.elapsed() < Duration::from_secs(10), "no index file");
        std::thread::sleep(Duration::from_millis(20));
    }
    let evs: Vec<_> = (0..2500).map(cmd_event).collect();
    assert_eq!(c.append(&evs).unwrap().accepted, 2500);
    // SAFETY: signalling the child we spawned.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    wait_for_datagram(&notify, "STOPPING=1", Duration::from_secs(10));
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!d.path().join("ql.sock").exists(), "socket removed at exit");
    let db = d.path().join("state/questlog.db");
    for f in [db.clone(), index] {
        let mode = std::fs::metadata(&f).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "{} not private: {mode:o}", f.display());
    }
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

/// A daemon child that is stopped (SIGTERM, then waited for) however the test ends.
struct Running(std::process::Child);

impl Running {
    fn start(dir: &Path) -> Running {
        let child = daemon_cmd(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let r = Running(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while Client::connect(&dir.join("ql.sock")).is_err() {
            assert!(Instant::now() < deadline, "daemon did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        r
    }

    /// Stops the daemon; true if it exited cleanly.
    fn stop(&mut self) -> bool {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.0.id() as i32, libc::SIGTERM) };
        self.0.wait().is_ok_and(|s| s.success())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            self.stop();
        }
    }
}

/// Runs `questlog` against `socket` with an 80-column terminal; returns (exit code, stdout,
/// stderr).
fn questlog_cli(socket: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_questlog"))
        .args(args)
        .env("QUESTLOG_SOCKET", socket)
        .env("COLUMNS", "80")
        .env("TZ", "UTC")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_takes_the_filters_and_json_and_fits_80_columns() {
    let d = tempfile::tempdir().unwrap();
    let socket = d.path().join("ql.sock");
    let mut daemon = Running::start(d.path());
    // 40 commands, one an hour from T0: even ones in /srv/app/sub from zsh, odd ones in /tmp
    // from bash; every fourth failed with exit 2. Then a unit failure and a heal action.
    const T0: i64 = 1_750_000_000_000;
    const HOUR: i64 = 3_600_000;
    let mut evs = Vec::new();
    for i in 0..40i64 {
        let zsh = i % 2 == 0;
        evs.push(Event {
            id: Some(format!("cli-{i}")),
            ts_ms: T0 + i * HOUR,
            source: if zsh { "zsh" } else { "bash" }.into(),
            kind: EventKind::Command {
                command: format!("make target{i} {}", "VERBOSE=1 ".repeat(i as usize % 12)),
                cwd: if zsh { "/srv/app/sub" } else { "/tmp" }.into(),
                exit: Some(if i % 4 == 1 { 2 } else { 0 }),
                duration_ms: Some(5),
                session: "s".into(),
                tty: None,
                shell: if zsh { "zsh" } else { "bash" }.into(),
            },
        });
    }
    evs.push(Event {
        id: Some("cli-unit".into()),
        ts_ms: T0 + 50 * HOUR,
        source: "journal".into(),
        kind: EventKind::Unit {
            unit: "nginx.service".into(),
            state: "failed".into(),
            message: "Main process exited, code=exited, status=1/FAILURE".into(),
        },
    });
    evs.push(Event {
        id: Some("cli-heal".into()),
        ts_ms: T0 + 51 * HOUR,
        source: "healerd".into(),
        kind: EventKind::HealAction {
            unit: "nginx.service".into(),
            action: "restart".into(),
            outcome: "ok".into(),
            reason: "failed".into(),
            fields: Default::default(),
        },
    });
    Client::connect(&socket).unwrap().append(&evs).unwrap();

    let rows = |args: &[&str]| -> Vec<questlog_client::Record> {
        let (code, out, err) = questlog_cli(&socket, args);
        assert!(code == 0 || code == 1, "{args:?}: {err}");
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{args:?}: {e}: {out}"))
    };
    let at = |h: i64| format!("@{}", (T0 + h * HOUR) / 1000);
    // recent
    let r = rows(&["--json", "recent", "-n", "100", "--exit", "2"]);
    assert_eq!(r.len(), 10);
    assert!(r.iter().all(|x| x.exit == Some(2)));
    let r = rows(&["recent", "--json", "-n", "100", "--cwd", "/srv/app/"]);
    assert_eq!(r.len(), 20, "a trailing / includes subdirectories");
    assert!(rows(&["recent", "--json", "--cwd", "/srv/app"]).is_empty());
    let r = rows(&["recent", "--json", "-n", "100", "--source", "bash"]);
    assert_eq!(r.len(), 20);
    let since = at(10);
    let until = at(20);
    let r = rows(&[
        "recent", "--json", "-n", "100", "--since", &since, "--until", &until,
    ]);
    assert_eq!(r.len(), 10);
    let r = rows(&["recent", "--json", "--unit", "nginx.service"]);
    assert_eq!(r.len(), 2);
    let r = rows(&["recent", "--json", "--type", "heal_action,unit"]);
    let mut types: Vec<_> = r.iter().map(|x| x.type_name.as_str()).collect();
    types.sort();
    assert_eq!(types, vec!["heal_action", "unit"]);
    let r = rows(&["recent", "--json", "-n", "100", "--user", "root"]);
    assert_eq!(r.len(), 42);
    // search
    let r = rows(&[
        "--json", "search", "target1", "--source", "bash", "--exit", "0",
    ]);
    let mut texts: Vec<_> = r
        .iter()
        .map(|x| x.text.split(' ').nth(1).unwrap())
        .collect();
    texts.sort();
    assert_eq!(texts, vec!["target11", "target15", "target19"]);
    let r = rows(&[
        "search",
        "--json",
        "target",
        "--cwd",
        "/srv/app/",
        "--since",
        &since,
    ]);
    assert_eq!(r.len(), 15);
    let (code, _, _) = questlog_cli(&socket, &["search", "no-such-thing"]);
    assert_eq!(code, 1, "no match: exit status 1");
    // stats
    let stats = |args: &[&str]| -> questlog_client::protocol::Stats {
        let (code, out, err) = questlog_cli(&socket, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    let s = stats(&["--json", "stats"]);
    assert_eq!(s.total, 42);
    assert_eq!(s.command_failure_rate, 0.25);
    let s = stats(&["stats", "--json", "--exit", "2", "--source", "bash"]);
    assert_eq!((s.total, s.command_failure_rate), (10, 1.0));
    let s = stats(&["stats", "--json", "--cwd", "/srv/app/"]);
    assert_eq!((s.total, s.command_failure_rate), (20, 0.0));
    let s = stats(&["stats", "--json", "--unit", "nginx.service"]);
    assert_eq!(s.total, 2);
    assert_eq!(s.busiest_units, vec![("nginx.service".to_string(), 1, 1)]);
    let s = stats(&["stats", "--json", "--since", &since, "--until", &until]);
    assert_eq!(s.total, 10);
    let s = stats(&["stats", "--json", "--type", "command", "--user", "0"]);
    assert_eq!(s.top_commands, vec![("make".to_string(), 40, 10)]);
    // export
    let (code, csv, err) = questlog_cli(
        &socket,
        &["export", "--format", "csv", "--exit", "2", "--cwd", "/tmp"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(csv.lines().count(), 1 + 10, "{csv}");
    let r = rows(&[
        "export", "--format", "json", "--since", &since, "--source", "zsh",
    ]);
    assert_eq!(r.len(), 15);
    assert!(
        r.windows(2).all(|w| w[0].ts_ms < w[1].ts_ms),
        "oldest first"
    );
    let (code, out, _) = questlog_cli(&socket, &["--json", "ping"]);
    assert_eq!(code, 0);
    assert!(out.contains("\"pong\"") || out.contains("uid"), "{out}");
    // Human output: aligned, within 80 columns.
    for args in [
        &["recent", "-n", "100"][..],
        &["recent", "-l", "--type", "unit,heal_action"],
        &["search", "VERBOSE", "-l"],
        &["stats"],
        &["stats", "--cwd", "/tmp"],
    ] {
        let (code, out, err) = questlog_cli(&socket, args);
        assert_eq!(code, 0, "{args:?}: {err}");
        assert!(out.lines().count() > 2, "{args:?}: {out}");
        for l in out.lines() {
            assert!(l.chars().count() <= 80, "{args:?}: {l:?}");
        }
    }
    let (_, out, _) = questlog_cli(&socket, &["recent", "-n", "3"]);
    let lines: Vec<&str> = out.lines().collect();
    let col = lines[0].find("COMMAND").unwrap();
    assert!(lines[1..].iter().all(|l| l[..col].ends_with(' ')), "{out}");
    // Bad filters are clear errors.
    let (code, _, err) = questlog_cli(&socket, &["recent", "--type", "bogus"]);
    assert_eq!(code, 1);
    assert!(err.contains("bogus"), "{err}");
    let (code, _, err) = questlog_cli(&socket, &["stats", "--since", "soon"]);
    assert_ne!(code, 0);
    assert!(err.contains("soon"), "{err}");
    assert!(daemon.stop());
}

#[test]
fn the_zsh_hook_records_command_cwd_exit_and_duration() {
    let zsh = ["/usr/bin/zsh", "/bin/zsh"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("zsh is missing: run scripts/setup (it installs zsh) or apt-get install zsh");
    assert!(
        Path::new("/usr/bin/script").exists(),
        "script(1) is missing: apt-get install util-linux"
    );
    let d = tempfile::tempdir().unwrap();
    let socket = d.path().join("ql.sock");
    let mut daemon = Running::start(d.path());
    let hook =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rootfs-overlay/etc/zsh/questlog.zsh");
    let hook = hook.canonicalize().unwrap();
    let work = d.path().join("work dir");
    std::fs::create_dir_all(&work).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_questlog")).parent().unwrap();
    // A real interactive zsh on a pseudo-terminal (script(1)), typing line by line. Midway the
    // session's agent is killed: the hook starts a new one and nothing is missed.
    // (Records written into the pipe before an agent dies and not yet read are lost with it, a
    // race the hook cannot see; this tests the restart. So the agent is killed only once it
    // has delivered the records before, and the command waits until it is gone.)
    const KILL: &str = "kill $(pgrep -P $$ -f session-agent); while pgrep -P $$ -f session-agent >/dev/null; do sleep 0.1; done";
    let typed = format!(
        "source '{}'\ncd '{}'\nfalse\nsleep 0.3\nsh -c 'exit 3'\necho \"hi there\"\n{KILL}\necho after\nexit\n",
        hook.display(),
        work.display()
    );
    let mut sh = Command::new("script")
        .args(["-qec", &format!("{zsh} -f -i"), "/dev/null"])
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("TERM", "dumb")
        .env("QUESTLOG_SOCKET", &socket)
        .env("QUESTLOG_SPOOL", d.path().join("spool.jsonl"))
        .env("HOME", d.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = sh.stdin.take().unwrap();
    let mut c = Client::connect(&socket).unwrap();
    let mut zsh_rows = || {
        c.query(Query {
            source: Some("zsh".into()),
            ascending: true,
            ..Default::default()
        })
        .unwrap()
        .0
    };
    // Type like a person: a line at a time, each once the previous one had time to run.
    for line in typed.lines() {
        if line == KILL {
            // The five commands before have reached questlogd (through the agent about to go).
            let deadline = Instant::now() + Duration::from_secs(60);
            while zsh_rows().len() < 5 {
                assert!(Instant::now() < deadline, "{:#?}", zsh_rows());
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        std::thread::sleep(Duration::from_millis(400));
    }
    drop(stdin);
    let _ = sh.wait();
    let deadline = Instant::now() + Duration::from_secs(60);
    let rows = loop {
        let rows = zsh_rows();
        if rows.len() >= 7 || Instant::now() > deadline {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let got: Vec<(&str, Option<i32>, Option<&str>)> = rows
        .iter()
        .map(|r| (r.text.as_str(), r.exit, r.cwd.as_deref()))
        .collect();
    let w = work.to_str().unwrap();
    let cd = format!("cd '{w}'");
    assert_eq!(
        got,
        vec![
            (cd.as_str(), Some(0), Some(w)),
            ("false", Some(1), Some(w)),
            ("sleep 0.3", Some(0), Some(w)),
            ("sh -c 'exit 3'", Some(3), Some(w)),
            ("echo \"hi there\"", Some(0), Some(w)),
            (KILL, Some(0), Some(w)),
            ("echo after", Some(0), Some(w)),
        ],
        "{rows:#?}"
    );
    // The cwd is where the command left the shell (the hook reads $PWD at the next prompt), so
    // `cd` is recorded in the directory it went to, as with bash.
    let sleep = &rows[2];
    let took = sleep.duration_ms.unwrap();
    assert!((300..3000).contains(&took), "sleep 0.3 took {took} ms");
    assert!(rows[1].duration_ms.unwrap() < 300);
    // SAFETY: getuid cannot fail.
    let me = unsafe { libc::getuid() };
    assert!(rows.iter().all(|r| r.uid == me && r.type_name == "command"));
    let session = rows[0].session.clone().unwrap();
    assert!(
        rows.iter()
            .all(|r| r.session.as_deref() == Some(session.as_str()))
    );
    assert!(
        rows[0]
            .tty
            .as_deref()
            .is_some_and(|t| t.starts_with("/dev/pts/")),
        "{:?}",
        rows[0].tty
    );
    assert!(daemon.stop());
}
