//! The real daemon on a temp socket and a temp database.

use questlog_client::protocol::{ErrorCode, Event, EventKind, MAX_FRAME, Query, Request, Response};
use questlog_client::{Client, ClientError, Spool, SpoolingClient};
use questlogd::config::Config;
use questlogd::journal::{JournalEntry, JournalSource};
use questlogd::store::{Store, Viewer};
use questlogd::{JournalOpener, RunOptions};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Daemon {
    shutdown: tokio::sync::watch::Sender<bool>,
    thread: Option<std::thread::JoinHandle<Result<(), questlogd::DaemonError>>>,
    socket: PathBuf,
}

impl Daemon {
    fn start(cfg: Config, journal: Option<JournalOpener>) -> Daemon {
        let socket = cfg.socket.clone();
        let listener = questlogd::bind(&socket).expect("bind");
        let (tx, rx) = tokio::sync::watch::channel(false);
        let (rtx, rrx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(questlogd::run(
                cfg,
                listener,
                RunOptions {
                    journal,
                    on_ready: Box::new(move || {
                        let _ = rtx.send(());
                    }),
                },
                rx,
            ))
        });
        rrx.recv_timeout(Duration::from_secs(20))
            .expect("daemon ready");
        Daemon {
            shutdown: tx,
            thread: Some(thread),
            socket,
        }
    }

    fn stop(mut self) {
        let _ = self.shutdown.send(true);
        self.thread
            .take()
            .unwrap()
            .join()
            .expect("daemon thread")
            .expect("daemon result");
    }

    fn client(&self) -> Client {
        Client::connect(&self.socket).unwrap()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn config(dir: &Path) -> Config {
    let mut c = Config {
        socket: dir.join("ql.sock"),
        database: dir.join("db/questlog.db"),
        ..Default::default()
    };
    c.journal.enabled = false;
    c
}

fn command(id: &str, text: &str) -> Event {
    Event {
        id: Some(id.into()),
        ts_ms: questlog_client::protocol::now_ms(),
        source: "bash".into(),
        kind: EventKind::Command {
            command: text.into(),
            cwd: "/home/u/src".into(),
            exit: Some(0),
            duration_ms: Some(1),
            session: "sess".into(),
            tty: None,
            shell: "bash".into(),
        },
    }
}

fn root() -> Viewer {
    Viewer {
        uid: 0,
        privileged: true,
    }
}

fn count(db: &Path) -> (u64, u64) {
    let s = Store::open_reader(db).unwrap();
    let (rows, _) = s
        .query(
            &Query {
                limit: Some(1_000_000),
                ..Default::default()
            },
            root(),
            1_000_000,
        )
        .unwrap();
    let mut texts: Vec<_> = rows.iter().map(|r| r.text.clone()).collect();
    texts.sort();
    texts.dedup();
    (rows.len() as u64, texts.len() as u64)
}

fn my_uid() -> u32 {
    // SAFETY: getuid cannot fail.
    unsafe { libc::getuid() }
}

#[test]
fn user_comes_from_peer_credentials_and_secrets_are_redacted() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let daemon = Daemon::start(cfg, None);
    let mut c = daemon.client();
    let ack = c
        .append(&[command(
            "a-1",
            "curl -H 'Authorization: Bearer SEKRIT' https://x",
        )])
        .unwrap();
    assert_eq!(ack.accepted, 1);
    let (rows, _) = c
        .query(Query {
            text: Some("authorization".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].uid, my_uid());
    assert!(rows[0].redacted);
    assert!(!rows[0].text.contains("SEKRIT"), "{}", rows[0].text);
    match c.request(&Request::Ping).unwrap() {
        Response::Pong { uid, .. } => assert_eq!(uid, my_uid()),
        other => panic!("{other:?}"),
    }
    daemon.stop();
}

#[test]
fn duplicates_by_id_are_stored_once() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let db = cfg.database.clone();
    let daemon = Daemon::start(cfg, None);
    let mut c = daemon.client();
    let evs = vec![command("x-1", "one"), command("x-2", "two")];
    assert_eq!(c.append(&evs).unwrap().accepted, 2);
    let again = c.append(&evs).unwrap();
    assert_eq!((again.accepted, again.duplicates), (0, 2));
    daemon.stop();
    assert_eq!(count(&db), (2, 2));
}

#[test]
fn bad_input_gets_clear_errors_and_the_daemon_lives_on() {
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(d.path());
    cfg.max_text_bytes = 100;
    let daemon = Daemon::start(cfg, None);
    let read_resp = |s: &mut UnixStream| -> Response {
        let body = ainux_common::frame::read_frame(s, MAX_FRAME)
            .unwrap()
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    };
    // Malformed JSON: an error reply, and the connection stays usable.
    let mut s = UnixStream::connect(&daemon.socket).unwrap();
    ainux_common::frame::write_frame(&mut s, b"{not json", MAX_FRAME).unwrap();
    assert!(matches!(
        read_resp(&mut s),
        Response::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    // Invalid UTF-8 inside a JSON string.
    ainux_common::frame::write_frame(
        &mut s,
        b"{\"op\":\"append\",\"events\":[{\"ts_ms\":1,\"type\":\"internal\",\"message\":\"\xff\xfe\"}]}",
        MAX_FRAME,
    )
    .unwrap();
    assert!(matches!(
        read_resp(&mut s),
        Response::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    ainux_common::frame::write_frame(&mut s, br#"{"op":"ping"}"#, MAX_FRAME).unwrap();
    assert!(matches!(read_resp(&mut s), Response::Pong { .. }));
    // An oversized frame header: refused, connection closed.
    let mut s2 = UnixStream::connect(&daemon.socket).unwrap();
    s2.write_all(&(64u32 << 20).to_be_bytes()).unwrap();
    assert!(matches!(
        read_resp(&mut s2),
        Response::Error {
            code: ErrorCode::BadRequest,
            ..
        }
    ));
    let mut rest = Vec::new();
    assert_eq!(s2.read_to_end(&mut rest).unwrap(), 0);
    // A truncated frame: the connection just ends.
    let mut s3 = UnixStream::connect(&daemon.socket).unwrap();
    s3.write_all(&100u32.to_be_bytes()).unwrap();
    s3.write_all(b"{\"op\":").unwrap();
    drop(s3);
    // An oversized command is cut and flagged.
    let mut c = daemon.client();
    let long = format!("echo {}", "y".repeat(1000));
    let ack = c.append(&[command("big-1", &long)]).unwrap();
    assert_eq!((ack.accepted, ack.truncated), (1, 1));
    let (rows, _) = c.query(Query::default()).unwrap();
    assert!(rows[0].truncated && rows[0].text.len() <= 100);
    // Too many events in one request.
    let many: Vec<_> = (0..1001).map(|i| command(&format!("m{i}"), "x")).collect();
    let r = c.request(&Request::Append { events: many });
    assert!(matches!(
        r,
        Err(ClientError::Refused {
            code: ErrorCode::BadRequest,
            ..
        })
    ));
    // Unknown type filter.
    let r = c.query(Query {
        types: vec!["bogus".into()],
        ..Default::default()
    });
    assert!(matches!(
        r,
        Err(ClientError::Refused {
            code: ErrorCode::BadRequest,
            ..
        })
    ));
    // Still serving.
    assert!(matches!(s.write_all(&[]), Ok(())));
    assert!(matches!(
        daemon.client().request(&Request::Ping),
        Ok(Response::Pong { .. })
    ));
    daemon.stop();
}

#[test]
fn a_flooding_client_is_limited_and_others_are_not() {
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(d.path());
    cfg.client_rate = 500.0;
    cfg.client_burst = 1000.0;
    let daemon = Daemon::start(cfg, None);
    let mut flood = daemon.client();
    let mut limited = 0;
    for b in 0..5 {
        let evs: Vec<_> = (0..1000)
            .map(|i| command(&format!("f{b}-{i}"), "flood"))
            .collect();
        match flood.append(&evs) {
            Ok(_) => {}
            Err(ClientError::Refused {
                code: ErrorCode::RateLimited,
                retry_after_ms: Some(ms),
                ..
            }) => {
                assert!(ms > 0);
                limited += 1;
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert!(limited >= 3, "limited {limited} times");
    let mut other = daemon.client();
    let ack = other.append(&[command("o-1", "calm")]).unwrap();
    assert_eq!(ack.accepted, 1);
    daemon.stop();
}

#[test]
fn spooled_events_are_replayed_when_the_daemon_is_back() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let db = cfg.database.clone();
    let spool = Spool::new(d.path().join("spool/spool.jsonl"), 1 << 20);
    let mut c = SpoolingClient::new(cfg.socket.clone(), spool.clone());
    for i in 0..5 {
        let r = c
            .send(vec![command(&format!("s-{i}"), &format!("offline {i}"))])
            .unwrap();
        assert_eq!(r, questlog_client::client::Delivery::Spooled);
    }
    assert_eq!(spool.len(), 5);
    let daemon = Daemon::start(cfg, None);
    let r = c.send(vec![command("s-online", "online")]).unwrap();
    assert!(matches!(r, questlog_client::client::Delivery::Stored(_)));
    assert!(spool.is_empty());
    daemon.stop();
    assert_eq!(count(&db), (6, 6));
}

#[test]
fn restart_mid_stream_loses_and_duplicates_nothing() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let db = cfg.database.clone();
    let socket = cfg.socket.clone();
    let daemon = Daemon::start(cfg.clone(), None);
    const N: usize = 6000;
    const B: usize = 50;
    let progress = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let prog = progress.clone();
    let sender = std::thread::spawn(move || {
        let mut conn: Option<Client> = None;
        let mut i = 0;
        let mut retries = 0;
        while i < N {
            let batch: Vec<_> = (i..i + B)
                .map(|k| command(&format!("r-{k}"), &format!("event number {k}")))
                .collect();
            let res = match conn.as_mut() {
                Some(c) => c.append(&batch),
                None => Client::connect(&socket).and_then(|mut c| {
                    let r = c.append(&batch);
                    conn = Some(c);
                    r
                }),
            };
            match res {
                Ok(_) => {
                    i += B;
                    prog.store(i, std::sync::atomic::Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(_) => {
                    // Not acknowledged: resend the same batch (ids make it idempotent).
                    conn = None;
                    retries += 1;
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        }
        retries
    });
    while progress.load(std::sync::atomic::Ordering::SeqCst) < N / 3 {
        std::thread::sleep(Duration::from_millis(5));
    }
    daemon.stop();
    std::thread::sleep(Duration::from_millis(200));
    let daemon = Daemon::start(cfg, None);
    let retries = sender.join().unwrap();
    daemon.stop();
    assert!(retries > 0, "the restart happened mid-stream");
    assert_eq!(count(&db), (N as u64, N as u64));
}

#[test]
fn retention_prunes_old_events_in_the_background() {
    let d = tempfile::tempdir().unwrap();
    let mut cfg = config(d.path());
    cfg.retention.max_age_days = 2;
    cfg.retention.interval_secs = 1;
    let db = cfg.database.clone();
    let daemon = Daemon::start(cfg, None);
    let mut c = daemon.client();
    let now = questlog_client::protocol::now_ms();
    let mut evs = Vec::new();
    for i in 0..10 {
        let mut e = command(&format!("old-{i}"), &format!("old {i}"));
        e.ts_ms = now - 10 * 86_400_000;
        evs.push(e);
        evs.push(command(&format!("new-{i}"), &format!("new {i}")));
    }
    c.append(&evs).unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let (rows, _) = c
            .query(Query {
                limit: Some(100),
                ..Default::default()
            })
            .unwrap();
        if rows.len() == 10 {
            assert!(rows.iter().all(|r| r.text.starts_with("new")));
            break;
        }
        assert!(Instant::now() < deadline, "not pruned: {} rows", rows.len());
        std::thread::sleep(Duration::from_millis(200));
    }
    let s = c.stats(Query::default()).unwrap();
    assert_eq!(s.total, 10);
    // Searches agree, whether the rows come from the full-text index or not yet.
    let search = |c: &mut Client, t: &str| {
        c.query(Query {
            text: Some(t.into()),
            limit: Some(100),
            ..Default::default()
        })
        .unwrap()
        .0
        .len()
    };
    assert_eq!(search(&mut c, "old"), 0);
    assert_eq!(search(&mut c, "new"), 10);
    assert_eq!(search(&mut c, "ew 7"), 1);
    daemon.stop();
    assert_eq!(count(&db).0, 10);
}

#[test]
fn a_corrupt_database_is_moved_aside_and_noted() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    std::fs::create_dir_all(cfg.database.parent().unwrap()).unwrap();
    std::fs::write(
        &cfg.database,
        b"this is not a database, just garbage bytes".repeat(200),
    )
    .unwrap();
    let daemon = Daemon::start(cfg.clone(), None);
    let mut c = daemon.client();
    let (rows, _) = c
        .query(Query {
            types: vec!["internal".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert!(rows[0].text.contains("corrupt"), "{}", rows[0].text);
    daemon.stop();
    let aside: Vec<_> = std::fs::read_dir(cfg.database.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".corrupt-"))
        .collect();
    assert_eq!(aside.len(), 1);
}

/// A journal that replays a shared list of entries after a cursor, then waits for more.
struct FakeJournal {
    entries: Arc<Mutex<Vec<JournalEntry>>>,
    pos: usize,
    closed: Arc<std::sync::atomic::AtomicBool>,
}

impl JournalSource for FakeJournal {
    fn next_entry(&mut self) -> std::io::Result<Option<JournalEntry>> {
        loop {
            if self.closed.load(std::sync::atomic::Ordering::SeqCst) {
                return Ok(None);
            }
            if let Some(e) = self.entries.lock().unwrap().get(self.pos).cloned() {
                self.pos += 1;
                return Ok(Some(e));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

fn jentry(i: usize, relevant: bool) -> JournalEntry {
    let mut fields = std::collections::HashMap::new();
    if relevant {
        fields.insert(
            "MESSAGE_ID".into(),
            "d9b373ed55a64feb8242e02dbe79a49c".into(),
        );
        fields.insert("UNIT".into(), format!("unit{i}.service"));
        fields.insert(
            "MESSAGE".into(),
            format!("unit{i}.service: Failed with result 'exit-code'."),
        );
    } else {
        fields.insert("MESSAGE".into(), "something else".into());
    }
    fields.insert(
        "__REALTIME_TIMESTAMP".into(),
        format!("{}", 1_700_000_000_000_000u64 + i as u64),
    );
    JournalEntry {
        cursor: format!("cursor-{i}"),
        fields,
    }
}

fn fake_opener(
    entries: Arc<Mutex<Vec<JournalEntry>>>,
    closed: Arc<std::sync::atomic::AtomicBool>,
    seen: Arc<Mutex<Vec<Option<String>>>>,
) -> JournalOpener {
    Box::new(move |cursor| {
        seen.lock().unwrap().push(cursor.map(String::from));
        let list = entries.lock().unwrap();
        let pos = match cursor {
            Some(c) => list
                .iter()
                .position(|e| e.cursor == c)
                .map(|p| p + 1)
                .unwrap_or(0),
            None => 0,
        };
        Ok(Box::new(FakeJournal {
            entries: entries.clone(),
            pos,
            closed: closed.clone(),
        }) as Box<dyn JournalSource>)
    })
}

#[test]
fn journal_events_survive_restarts_exactly_once() {
    let d = tempfile::tempdir().unwrap();
    let cfg = config(d.path());
    let db = cfg.database.clone();
    let entries = Arc::new(Mutex::new(
        (0..6).map(|i| jentry(i, i % 2 == 0)).collect::<Vec<_>>(),
    ));
    let closed = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let units = |c: &mut Client| {
        c.query(Query {
            types: vec!["unit".into()],
            limit: Some(100),
            ..Default::default()
        })
        .unwrap()
        .0
    };
    let wait_for = |daemon: &Daemon, n: usize| {
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut c = daemon.client();
        while units(&mut c).len() < n {
            assert!(Instant::now() < deadline, "journal events not stored");
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    let daemon = Daemon::start(
        cfg.clone(),
        Some(fake_opener(entries.clone(), closed.clone(), seen.clone())),
    );
    wait_for(&daemon, 3);
    daemon.stop();
    // New entries arrive while the daemon is down.
    {
        let mut e = entries.lock().unwrap();
        for i in 6..10 {
            e.push(jentry(i, true));
        }
    }
    let daemon = Daemon::start(
        cfg,
        Some(fake_opener(entries.clone(), closed.clone(), seen.clone())),
    );
    wait_for(&daemon, 7);
    std::thread::sleep(Duration::from_millis(200));
    let rows = units(&mut daemon.client());
    daemon.stop();
    closed.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(rows.len(), 7, "{rows:?}");
    let mut names: Vec<_> = rows.iter().map(|r| r.unit.clone().unwrap()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 7);
    assert!(
        rows.iter()
            .all(|r| r.uid == 0 && r.text.starts_with("failed"))
    );
    // The second run resumed after the last stored event, not from the start.
    let seen = seen.lock().unwrap();
    assert_eq!(seen[0], None);
    assert_eq!(seen[1].as_deref(), Some("cursor-4"));
    assert_eq!(count(&db).0, 7);
}

/// Mounts a tmpfs of `size` at `dir`, visible only to this thread and the threads it starts
/// (a private mount namespace), or changes the size of the one there.
fn tmpfs(dir: &Path, size: &str, remount: bool) {
    use std::ffi::CString;
    let c = |s: &str| CString::new(s).unwrap();
    let target = c(dir.to_str().unwrap());
    let data = c(&format!("size={size},mode=0700"));
    let (fstype, src) = (c("tmpfs"), c("questlog-test"));
    let flags = if remount { libc::MS_REMOUNT } else { 0 };
    // SAFETY: plain syscalls on C strings that outlive them.
    let rc = unsafe {
        libc::mount(
            src.as_ptr(),
            target.as_ptr(),
            fstype.as_ptr(),
            flags,
            data.as_ptr().cast(),
        )
    };
    assert_eq!(rc, 0, "mount tmpfs: {}", std::io::Error::last_os_error());
}

#[test]
fn a_full_disk_means_back_pressure_and_spooling_and_nothing_accepted_is_lost() {
    // SAFETY: geteuid cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: a private tmpfs needs root");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let db_dir = d.path().join("db");
    std::fs::create_dir_all(&db_dir).unwrap();
    // SAFETY: unsharing this thread's mount namespace (threads started from here share it), and
    // keeping our mounts out of the parent namespace.
    unsafe {
        assert_eq!(libc::unshare(libc::CLONE_NEWNS), 0, "unshare");
        let root = std::ffi::CString::new("/").unwrap();
        assert_eq!(
            libc::mount(
                std::ptr::null(),
                root.as_ptr(),
                std::ptr::null(),
                libc::MS_REC | libc::MS_PRIVATE,
                std::ptr::null(),
            ),
            0
        );
    }
    tmpfs(&db_dir, "600k", false);
    let cfg = config(d.path());
    let db = cfg.database.clone();
    assert!(db.starts_with(&db_dir));
    let daemon = Daemon::start(cfg, None);
    let spool = Spool::new(d.path().join("spool/spool.jsonl"), 8 << 20);
    let mut c = SpoolingClient::new(daemon.socket.clone(), spool.clone());
    let mut sent = 0usize;
    let mut spooled = 0usize;
    let text = |i: usize| format!("make target-{i} {}", "x".repeat(1500 + i % 7));
    // Fill the file system; keep going a while after it is full.
    while spooled < 40 {
        assert!(sent < 5000, "the disk never filled up");
        match c.send(vec![command(&format!("f-{sent}"), &text(sent))]) {
            Ok(questlog_client::client::Delivery::Stored(ack)) => assert_eq!(ack.accepted, 1),
            Ok(questlog_client::client::Delivery::Spooled) => spooled += 1,
            Err(e) => panic!("event {sent} neither stored nor spooled: {e}"),
        }
        sent += 1;
    }
    assert!(spool.len() >= 40, "refused events wait in the spool");
    // The daemon lives on and says why.
    let mut probe = daemon.client();
    match probe.append(&[command("probe", "probe while full")]) {
        Err(ClientError::Refused { code, message, .. }) => {
            assert_eq!(code, ErrorCode::Unavailable);
            assert!(message.contains("full"), "{message}");
        }
        other => panic!("expected a refusal while full, got {other:?}"),
    }
    assert!(matches!(
        probe.request(&Request::Ping),
        Ok(Response::Pong { .. })
    ));
    // Space comes back: the spool drains with the next send.
    tmpfs(&db_dir, "64m", true);
    let r = c
        .send(vec![command(&format!("f-{sent}"), &text(sent))])
        .unwrap();
    assert!(matches!(r, questlog_client::client::Delivery::Stored(_)));
    sent += 1;
    assert!(spool.is_empty());
    daemon.stop();
    assert_eq!(count(&db), (sent as u64, sent as u64));
    let s = Store::open_reader(&db).unwrap();
    let (rows, _) = s
        .query(
            &Query {
                text: Some("target-3 ".into()),
                ..Default::default()
            },
            root(),
            10,
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "the full-text index caught up");
    drop(s);
    // SAFETY: unmounting our own tmpfs before the temp dir goes.
    let target = std::ffi::CString::new(db_dir.to_str().unwrap()).unwrap();
    unsafe { libc::umount2(target.as_ptr(), libc::MNT_DETACH) };
}
