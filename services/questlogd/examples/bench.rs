//! The questlog benchmark (run by `scripts/bench-questlog`): a real questlogd on a temp socket
//! and database, driven through its socket. Prints progress on stderr and one JSON line last.
//!
//! bench --bin-dir DIR --hook FILE --zsh-hook FILE [--seconds 30] [--events 1000000] [--work DIR]
//!
//! With `--work DIR`, a search database left there by an earlier run with exactly `--events`
//! events is used again instead of being filled anew (for trying search changes quickly).

use questlog_client::Client;
use questlog_client::protocol::{Event, EventKind, Query};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

struct Args {
    bin_dir: PathBuf,
    hook: PathBuf,
    zsh_hook: PathBuf,
    seconds: u64,
    events: u64,
    work: Option<PathBuf>,
}

fn args() -> Args {
    let mut a = Args {
        bin_dir: PathBuf::from("target/release"),
        hook: PathBuf::from("rootfs-overlay/etc/bash.bashrc.d/questlog.bash"),
        zsh_hook: PathBuf::from("rootfs-overlay/etc/zsh/questlog.zsh"),
        seconds: 30,
        events: 1_000_000,
        work: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_default();
        match k.as_str() {
            "--bin-dir" => a.bin_dir = v.into(),
            "--hook" => a.hook = v.into(),
            "--zsh-hook" => a.zsh_hook = v.into(),
            "--seconds" => a.seconds = v.parse().expect("--seconds N"),
            "--events" => a.events = v.parse().expect("--events N"),
            "--work" => a.work = Some(v.into()),
            other => panic!("unknown argument {other}"),
        }
    }
    a
}

/// A small deterministic generator (xorshift) for realistic-looking commands.
struct Gen(u64);
impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

const PROGS: &[&str] = &[
    "git",
    "ls",
    "cd",
    "cargo",
    "vim",
    "grep",
    "docker",
    "kubectl",
    "ssh",
    "make",
    "python3",
    "systemctl",
    "journalctl",
    "curl",
    "cat",
    "rm",
    "cp",
    "mv",
    "find",
    "tar",
    "apt",
    "less",
    "htop",
    "npm",
    "rsync",
    "sed",
    "awk",
    "du",
    "df",
    "ip",
];
const ARGS: &[&str] = &[
    "status",
    "commit -m",
    "push origin",
    "build --release",
    "test",
    "-la",
    "-rn",
    "logs -f",
    "get pods",
    "restart",
    "--follow",
    "install",
    "-czf",
    "-avz",
    "clean",
    "diff",
    "checkout",
    "run --rm",
    "exec -it",
    "apply -f",
    "-h",
    "--since",
    "show",
    "rebase -i",
    "pull",
];
const WORDS: &[&str] = &[
    "src",
    "main",
    "config",
    "nginx",
    "postgres",
    "backup",
    "release",
    "deploy",
    "feature",
    "parser",
    "kernel",
    "network",
    "cache",
    "index",
    "report",
    "invoice",
    "frontend",
    "api",
    "worker",
    "scheduler",
    "metrics",
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
];

fn command(g: &mut Gen) -> String {
    let n = g.next() % 100_000;
    format!(
        "{} {} {}/{}_{}.{}",
        g.pick(PROGS),
        g.pick(ARGS),
        g.pick(WORDS),
        g.pick(WORDS),
        n,
        g.pick(&["rs", "txt", "log", "yaml", "conf", "py"])
    )
}

fn event(g: &mut Gen, client: usize, seq: u64) -> Event {
    Event {
        id: Some(format!("b{client}-{seq}")),
        ts_ms: questlog_client::protocol::now_ms(),
        source: "bash".into(),
        kind: EventKind::Command {
            command: command(g),
            cwd: format!("/home/user/{}", g.pick(WORDS)),
            exit: Some(if g.next().is_multiple_of(10) { 1 } else { 0 }),
            duration_ms: Some(g.next() % 5000),
            session: format!("sess{client}"),
            tty: Some("/dev/pts/1".into()),
            shell: "bash".into(),
        },
    }
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    if v.is_empty() {
        return f64::NAN;
    }
    let i = ((p / 100.0) * (v.len() - 1) as f64).round() as usize;
    v[i]
}

struct Daemon {
    child: Child,
    socket: PathBuf,
}

fn start(bin: &Path, dir: &Path) -> Daemon {
    let socket = dir.join("ql.sock");
    let child = Command::new(bin.join("questlogd"))
        .env("AINUX_QUESTLOGD__SOCKET", &socket)
        .env("AINUX_QUESTLOGD__DATABASE", dir.join("questlog.db"))
        .env("AINUX_QUESTLOGD__JOURNAL__ENABLED", "false")
        .env("AINUX_QUESTLOGD__CLIENT_RATE", "1000000000.0")
        .env("AINUX_QUESTLOGD__CLIENT_BURST", "1000000000.0")
        .env("AINUX_QUESTLOGD__RETENTION__MAX_DB_MB", "0")
        .env(
            "RUST_LOG",
            std::env::var("QUESTLOG_BENCH_LOG").unwrap_or_else(|_| "warn".into()),
        )
        .stdin(Stdio::null())
        .spawn()
        .expect("start questlogd");
    let deadline = Instant::now() + Duration::from_secs(60);
    while Client::connect(&socket).is_err() {
        assert!(Instant::now() < deadline, "questlogd did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    Daemon { child, socket }
}

fn stop(mut d: Daemon) {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(d.child.id() as i32, libc::SIGTERM) };
    let _ = d.child.wait();
}

/// Sends batches from `clients` threads until `until` says stop; returns events acknowledged.
fn load(
    socket: &Path,
    clients: usize,
    batch: usize,
    seq0: u64,
    until: impl Fn(u64, Instant) -> bool + Sync,
) -> u64 {
    let total = AtomicU64::new(0);
    let t0 = Instant::now();
    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        for c in 0..clients {
            let (total, stop, until) = (&total, &stop, &until);
            s.spawn(move || {
                let mut g = Gen(0x9e3779b97f4a7c15 ^ ((c as u64 + 1) * 7919) ^ seq0);
                let mut cl = Client::connect(socket).expect("connect");
                let mut seq = seq0;
                while !stop.load(Ordering::Relaxed) {
                    let evs: Vec<_> = (0..batch)
                        .map(|_| {
                            seq += 1;
                            event(&mut g, c, seq)
                        })
                        .collect();
                    let ack = cl.append(&evs).expect("append");
                    let n = total.fetch_add(ack.accepted as u64, Ordering::Relaxed)
                        + ack.accepted as u64;
                    if until(n, t0) {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    total.load(Ordering::Relaxed)
}

fn main() {
    let a = args();
    let tmp;
    let dir = match &a.work {
        Some(w) => {
            std::fs::create_dir_all(w).unwrap();
            w.clone()
        }
        None => {
            tmp = std::env::temp_dir().join(format!("questlog-bench-{}", std::process::id()));
            std::fs::create_dir_all(&tmp).unwrap();
            tmp.clone()
        }
    };
    let ingest_dir = dir.join("ingest");
    let search_dir = dir.join("search");
    let reuse = a.work.is_some()
        && questlogd::store::Store::open_reader(&search_dir.join("questlog.db"))
            .and_then(|s| s.count())
            .is_ok_and(|n| n == a.events);
    for d in [&ingest_dir, &search_dir] {
        if reuse && d == &search_dir {
            continue;
        }
        let _ = std::fs::remove_dir_all(d);
        std::fs::create_dir_all(d).unwrap();
    }
    let d = start(&a.bin_dir, &ingest_dir);

    // 1. Sustained ingest through the socket, acknowledged only once durable in the WAL.
    eprintln!("ingest: {} s, 4 clients, batches of 100", a.seconds);
    let secs = a.seconds;
    let t0 = Instant::now();
    let n = load(&d.socket, 4, 100, 0, |_, t0| {
        t0.elapsed() >= Duration::from_secs(secs)
    });
    let ingest_eps = n as f64 / t0.elapsed().as_secs_f64();
    eprintln!("ingest: {n} events, {ingest_eps:.0} events/s");

    // 2. Ack latency of single events from one client, sent one after another.
    let mut cl = Client::connect(&d.socket).unwrap();
    let mut g = Gen(42);
    // Side by side, alternating: a ping round trip through the same socket and runtime,
    // which stores nothing: what the machine's scheduling alone costs.
    let mut lat = Vec::new();
    let mut ping = Vec::new();
    for i in 0..3000u64 {
        let e = event(&mut g, 99, i);
        let t = Instant::now();
        cl.append(&[e]).unwrap();
        lat.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        cl.request(&questlog_client::Request::Ping).unwrap();
        ping.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let ack_p50 = pct(&mut lat, 50.0);
    let ack_p99 = pct(&mut lat, 99.0);
    let ping_p99 = pct(&mut ping, 99.0);
    eprintln!(
        "ack: p50 {ack_p50:.3} ms, p99 {ack_p99:.3} ms (ping p50 {:.3} ms, p99 {ping_p99:.3} ms)",
        pct(&mut ping, 50.0)
    );

    stop(d);
    let _ = std::fs::remove_dir_all(&ingest_dir);
    if a.events == 0 {
        // --events 0: the ingest and ack figures only.
        println!(
            "{}",
            serde_json::json!({
                "bench": "questlog",
                "ingest_eps": ingest_eps.round(),
                "ack_p50_ms": (ack_p50 * 1000.0).round() / 1000.0,
                "ack_p99_ms": (ack_p99 * 1000.0).round() / 1000.0,
                "ping_p99_ms": (ping_p99 * 1000.0).round() / 1000.0,
            })
        );
        return;
    }

    // 3. A database of the target size (its own, so the figures don't depend on the ingest).
    let dir = search_dir;
    if reuse {
        eprintln!(
            "using the database of {} events in {}",
            a.events,
            dir.display()
        );
    } else {
        let d = start(&a.bin_dir, &dir);
        eprintln!("filling a database with {} events", a.events);
        let need = a.events;
        load(&d.socket, 4, 1000, 1 << 40, |k, _| k + 4000 > need);
        stop(d);
    }
    let d = start(&a.bin_dir, &dir);
    let mut cl = Client::connect(&d.socket).unwrap();
    let reader = questlogd::store::Store::open_reader(&dir.join("questlog.db")).unwrap();
    let count = reader.count().unwrap();
    // The daemon compacts its full-text index while idle; measure the state a database of this
    // size is in on a machine that has had a moment to itself: one segment (at most 3 minutes).
    // Then it gives the space the merges freed back: free pages, and WAL files grown by them.
    let t = Instant::now();
    let wal_small = |f: &str| std::fs::metadata(dir.join(f)).map_or(0, |m| m.len()) <= 64 << 20;
    let settled = || {
        reader.fts_segments().unwrap() <= 1
            && reader.free_pages().unwrap() <= 2048
            && reader.fts_free_pages().unwrap() <= 2048
            && wal_small("questlog.db-wal")
            && wal_small("questlog-index.db-wal")
    };
    while !settled() && t.elapsed() < Duration::from_secs(180) {
        std::thread::sleep(Duration::from_millis(250));
    }
    let segs = reader.fts_segments().unwrap();
    drop(reader);
    eprintln!(
        "full-text index: {segs} segments after {:.1} s of idle compaction and vacuum",
        t.elapsed().as_secs_f64()
    );
    let bytes: u64 = [
        "questlog.db",
        "questlog.db-wal",
        "questlog.db-shm",
        "questlog-index.db",
        "questlog-index.db-wal",
        "questlog-index.db-shm",
    ]
    .iter()
    .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
    .map(|m| m.len())
    .sum();
    let bytes_per_event = bytes as f64 / count as f64;
    eprintln!("database: {count} events, {bytes} bytes, {bytes_per_event:.0} bytes/event");

    // 4. Substring search (FTS5 trigram), newest 50 matches, through the socket.
    let mut g = Gen(7);
    let mut st = Vec::new();
    let mut by_kind: [Vec<f64>; 4] = Default::default();
    for _ in 0..10 {
        let _ = cl.query(Query {
            text: Some("warm".into()),
            limit: Some(50),
            ..Default::default()
        });
    }
    for i in 0..200 {
        let w = g.pick(WORDS);
        let text = match i % 4 {
            0 => w.to_string(),
            1 => format!("{}_{}", g.pick(WORDS), g.next() % 100_000),
            2 => w[..3.min(w.len())].to_string(),
            _ => format!("{} {}", g.pick(PROGS), g.pick(ARGS)),
        };
        let t = Instant::now();
        let (_rows, _) = cl
            .query(Query {
                text: Some(text),
                limit: Some(50),
                ..Default::default()
            })
            .unwrap();
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        st.push(ms);
        by_kind[i % 4].push(ms);
    }
    for (k, v) in ["word", "word_number", "3 letters", "program args"]
        .iter()
        .zip(by_kind.iter_mut())
    {
        eprintln!(
            "search {k}: p50 {:.2} ms, max {:.2} ms",
            pct(v, 50.0),
            pct(v, 100.0)
        );
    }
    let search_p95 = pct(&mut st, 95.0);
    eprintln!(
        "search: p50 {:.2} ms, p95 {search_p95:.2} ms",
        pct(&mut st, 50.0)
    );

    // 5. Stats over everything.
    let mut ss = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let s = cl.stats(Query::default()).unwrap();
        ss.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(s.total, count);
    }
    let stats_ms = pct(&mut ss, 50.0);
    eprintln!("stats: {stats_ms:.2} ms");

    stop(d);
    // 6. The hook's cost per prompt, against a daemon of its own (the 1M database stays as it
    // is, so that a later run with `--work` can use it again).
    let hook_dir = dir.with_file_name("hook");
    let _ = std::fs::remove_dir_all(&hook_dir);
    std::fs::create_dir_all(&hook_dir).unwrap();
    let d = start(&a.bin_dir, &hook_dir);
    let hook_bash = hook_bench(&a, Shell::Bash, &d.socket, &hook_dir);
    let hook_zsh = hook_bench(&a, Shell::Zsh, &d.socket, &hook_dir);
    let hook_p99 = hook_bash.max(hook_zsh);
    eprintln!("hook: p99 per prompt: bash {hook_bash:.3} ms, zsh {hook_zsh:.3} ms");
    stop(d);
    let _ = std::fs::remove_dir_all(&hook_dir);
    if a.work.is_none() {
        let _ = std::fs::remove_dir_all(dir.parent().unwrap_or(&dir));
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "questlog",
            "events": count,
            "ingest_seconds": a.seconds,
            "ingest_eps": ingest_eps.round(),
            "ack_p50_ms": (ack_p50 * 1000.0).round() / 1000.0,
            "ack_p99_ms": (ack_p99 * 1000.0).round() / 1000.0,
            "ping_p99_ms": (ping_p99 * 1000.0).round() / 1000.0,
            "search_p95_ms": (search_p95 * 100.0).round() / 100.0,
            "stats_ms": (stats_ms * 100.0).round() / 100.0,
            "bytes_per_event": bytes_per_event.round(),
            "hook_p99_ms": (hook_p99 * 1000.0).round() / 1000.0,
            "hook_bash_p99_ms": (hook_bash * 1000.0).round() / 1000.0,
            "hook_zsh_p99_ms": (hook_zsh * 1000.0).round() / 1000.0,
        })
    );
}

#[derive(Clone, Copy)]
enum Shell {
    Bash,
    Zsh,
}

/// The hook's cost per prompt in an interactive shell, with the real agent reading the pipe.
/// Each round runs a command and then the prompt hook, timing the hook with EPOCHREALTIME (no
/// forks inside the timed part). Returns the 99th percentile in ms.
fn hook_bench(a: &Args, shell: Shell, socket: &Path, dir: &Path) -> f64 {
    let bindir = std::fs::canonicalize(&a.bin_dir).unwrap();
    let path = format!(
        "{}:{}",
        bindir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let bash = r#"
__ql_times=()
for ((i = 0; i < 3000; i++)); do
    history -s "echo bench $i"
    __ql_start=${EPOCHREALTIME/[.,]/}
    true
    t0=${EPOCHREALTIME/[.,]/}
    __ql_prompt
    t1=${EPOCHREALTIME/[.,]/}
    __ql_times+=($((t1 - t0)))
done
printf '%s\n' "${__ql_times[@]}" > "$QL_BENCH_OUT"
exit
"#;
    // zsh: preexec before the command, precmd at the prompt (the hook's two functions); each
    // round a new history entry, as typing does (the agent skips a repeated history number).
    let zsh = r#"
source "$QL_HOOK"
typeset -a __ql_times
for ((i = 0; i < 3000; i++)); do
    print -s "echo bench $i"
    __ql_preexec "echo bench $i"
    true
    t0=$EPOCHREALTIME
    __ql_precmd
    t1=$EPOCHREALTIME
    __ql_times+=( $(( (t1 - t0) * 1000000.0 )) )
done
print -l -- $__ql_times > $QL_BENCH_OUT
exit
"#;
    let out = dir.join("hook-times");
    let _ = std::fs::remove_file(&out);
    let mut cmd = match shell {
        Shell::Bash => {
            let mut c = Command::new("bash");
            c.args(["--noprofile", "--rcfile"]).arg(&a.hook).arg("-i");
            c
        }
        Shell::Zsh => {
            let mut c = Command::new("zsh");
            c.args(["-f", "-i"]).env("QL_HOOK", &a.zsh_hook);
            c
        }
    };
    let mut p = cmd
        .env("PATH", path)
        .env("QUESTLOG_SOCKET", socket)
        .env("QUESTLOG_SPOOL", dir.join("spool.jsonl"))
        .env("HISTFILE", dir.join("histfile"))
        .env("QL_BENCH_OUT", &out)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the shell");
    use std::io::Write;
    let script = match shell {
        Shell::Bash => bash,
        Shell::Zsh => zsh,
    };
    p.stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let _ = p.wait();
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let mut v: Vec<f64> = text
        .lines()
        .filter_map(|l| l.trim().parse::<f64>().ok())
        .map(|us| us / 1000.0)
        .collect();
    assert!(v.len() >= 1000, "hook timing failed ({} samples)", v.len());
    pct(&mut v, 99.0)
}
