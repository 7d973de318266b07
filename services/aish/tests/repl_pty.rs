//! The REPL driven through a real pseudo-terminal. Dangerous commands are never really run:
//! `PATH` starts with a directory whose `rm` only writes a marker file, so the danger check sees
//! `rm -rf /` (critical) while running it would only leave the marker.

use std::path::{Path, PathBuf};
use std::process::Command;

use rexpect::reader::Options;
use rexpect::session::{PtySession, spawn_with_options};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let marker = dir.path().join("rm-ran");
        let rm = bin.join("rm");
        std::fs::write(
            &rm,
            format!("#!/bin/sh\necho \"$@\" > '{}'\n", marker.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rm, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(
            dir.path().join("aish.toml"),
            "mode = \"normal\"\ntimeout_secs = 60\nhistory_size = 50\n",
        )
        .unwrap();
        std::fs::create_dir(dir.path().join("home")).unwrap();
        Env { dir }
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn marker(&self) -> PathBuf {
        self.path("rm-ran")
    }

    /// `aish --config … ARGS` in this environment, on a pseudo-terminal.
    fn pty(&self, args: &[&str]) -> PtySession {
        let mut c = Command::new(env!("CARGO_BIN_EXE_aish"));
        c.arg("--config")
            .arg(self.path("aish.toml"))
            .args(args)
            .current_dir(self.dir.path())
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.path("bin").display()),
            )
            .env("HOME", self.path("home"))
            .env("XDG_STATE_HOME", self.path("state"))
            .env("XDG_CACHE_HOME", self.path("cache"))
            .env("QUESTLOG_SOCKET", self.path("no-daemon.sock"))
            .env("QUESTLOG_SPOOL", self.path("spool.jsonl"))
            .env("USER", "tester")
            .env("TERM", "xterm");
        spawn_with_options(
            c,
            Options::new()
                .timeout_ms(Some(20_000))
                .strip_ansi_escape_codes(true),
        )
        .unwrap()
    }

    /// The REPL, once its first prompt is shown.
    fn spawn(&self, extra: &[&str]) -> PtySession {
        let mut s = self.pty(extra);
        s.exp_string("tester@").unwrap();
        s.exp_string("$ ").unwrap();
        s
    }

    fn spool(&self) -> String {
        std::fs::read_to_string(self.path("spool.jsonl")).unwrap_or_default()
    }
}

/// The line editor asks the terminal for the cursor position at each prompt and waits up to
/// 100 ms for the answer (a pty gives none): type only after that.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(250));
}

fn send(s: &mut PtySession, line: &str) -> Result<usize, rexpect::error::Error> {
    settle();
    s.send_line(line)
}

fn ctrl(s: &mut PtySession, c: char) -> Result<(), rexpect::error::Error> {
    settle();
    s.send_control(c)
}

fn wait_prompt(s: &mut PtySession) {
    s.exp_string("$ ").unwrap();
}

fn critical_needs_the_phrase(extra: &[&str]) {
    let env = Env::new();
    let mut s = env.spawn(extra);
    // `yes` and `y` are not the phrase.
    for answer in ["yes", "y", ""] {
        send(&mut s, "!rm -rf /").unwrap();
        s.exp_string("CRITICAL").unwrap();
        s.exp_string("Type exactly `").unwrap();
        send(&mut s, answer).unwrap();
        s.exp_string("refused").unwrap();
        wait_prompt(&mut s);
        assert!(
            !env.marker().exists(),
            "critical command ran after answer {answer:?} with {extra:?}"
        );
    }
    // Ctrl-C at the question aborts too.
    send(&mut s, "!rm -rf /").unwrap();
    s.exp_string("Type exactly `").unwrap();
    ctrl(&mut s, 'c').unwrap();
    s.exp_string("refused").unwrap();
    wait_prompt(&mut s);
    assert!(!env.marker().exists());
    // The exact phrase runs it (through the fake `rm`).
    send(&mut s, "!rm -rf /").unwrap();
    s.exp_string("Type exactly `rm -rf /`").unwrap();
    send(&mut s, "rm -rf /").unwrap();
    wait_prompt(&mut s);
    let mut waited = 0;
    while !env.marker().exists() && waited < 50 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    assert_eq!(
        std::fs::read_to_string(env.marker()).unwrap().trim(),
        "-rf /"
    );
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    // Every refusal and the run went to the activity log spool (no daemon is running).
    let spool = env.spool();
    assert_eq!(
        spool.matches("\"decision\":\"refused\"").count(),
        4,
        "{spool}"
    );
    assert_eq!(
        spool.matches("\"decision\":\"confirmed\"").count(),
        1,
        "{spool}"
    );
    assert!(spool.contains("\"level\":\"critical\""), "{spool}");
}

#[test]
fn critical_command_is_not_run_without_the_typed_phrase() {
    critical_needs_the_phrase(&[]);
}

#[test]
fn yes_flag_does_not_approve_critical() {
    critical_needs_the_phrase(&["--yes"]);
}

#[test]
fn ctrl_c_cancels_the_running_command_and_the_shell_survives() {
    let env = Env::new();
    let mut s = env.spawn(&[]);
    // (The marker is computed by the command: the echo of the typed line does not match it, so
    // Ctrl-C is sent only once the command runs.)
    send(&mut s, "!echo begin-$((6*7)); sleep 30; echo finished").unwrap();
    s.exp_string("begin-42").unwrap();
    let t = std::time::Instant::now();
    ctrl(&mut s, 'c').unwrap();
    s.exp_string("cancelled").unwrap();
    assert!(t.elapsed() < std::time::Duration::from_secs(10));
    wait_prompt(&mut s);
    send(&mut s, "!echo still-$((40+2))").unwrap();
    s.exp_string("still-42").unwrap();
    wait_prompt(&mut s);
    // Ctrl-C at an empty prompt does not end the shell either.
    ctrl(&mut s, 'c').unwrap();
    send(&mut s, "stats").unwrap();
    s.exp_string("cancelled 1").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    let spool = env.spool();
    assert!(spool.contains("\"ending\":\"cancelled\""), "{spool}");
    assert!(spool.contains("still-42"), "{spool}");
}

#[test]
fn cd_history_and_background_jobs() {
    let env = Env::new();
    std::fs::create_dir(env.path("sub")).unwrap();
    let mut s = env.spawn(&[]);
    send(&mut s, "cd sub").unwrap();
    s.exp_string("/sub$ ").unwrap();
    send(&mut s, "!pwd").unwrap();
    s.exp_string("/sub").unwrap();
    wait_prompt(&mut s);
    // (a finished job is reported at the next prompt and leaves the table: keep it running)
    send(&mut s, "!sleep 4; echo bg-out &").unwrap();
    s.exp_string("[1] sleep 4; echo bg-out").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "jobs").unwrap();
    s.exp_string("[1] running").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "fg 1").unwrap();
    s.exp_string("bg-out").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "health").unwrap();
    s.exp_string("questlogd: unreachable").unwrap();
    s.exp_string("2 event(s) spooled").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    let hist = std::fs::read_to_string(env.path("state/aish/history")).unwrap();
    assert!(hist.contains("!sleep 4; echo bg-out &"), "{hist}");
    assert!(hist.contains("cd sub"), "{hist}");
    // A new session sees the history.
    let mut s = env.spawn(&[]);
    send(&mut s, "history").unwrap();
    s.exp_string("cd sub").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    let _ = Path::new("/");
}

#[test]
fn a_request_lists_candidates_and_the_default_is_abort() {
    let env = Env::new();
    let mut s = env.spawn(&["--no-man"]);
    send(&mut s, "show disk usage").unwrap();
    s.exp_string("1) ").unwrap();
    s.exp_string("Which one?").unwrap();
    send(&mut s, "").unwrap();
    s.exp_string("aborted").unwrap();
    wait_prompt(&mut s);
    // Choosing one shows its explanation and verdict before anything runs.
    send(&mut s, "show disk usage").unwrap();
    s.exp_string("Which one?").unwrap();
    send(&mut s, "1").unwrap();
    s.exp_string("verdict: ").unwrap();
    send(&mut s, "").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    let spool = env.spool();
    assert!(
        spool.contains("\"request\":\"show disk usage\",\"decision\":\"refused\""),
        "{spool}"
    );
    assert_eq!(
        spool.matches("\"request\":\"show disk usage\"").count(),
        2,
        "{spool}"
    );
}

#[test]
fn the_foreground_command_reads_the_terminal() {
    let env = Env::new();
    let mut s = env.spawn(&[]);
    // `read` gets a line typed on the terminal (the command owns it while it runs) …
    send(
        &mut s,
        "!echo reading-$((6*7)); read answer; echo \"got-$answer-$(tty >/dev/null && echo tty)\"",
    )
    .unwrap();
    // Typed once the command runs: typed ahead, the line editor could take it.
    s.exp_string("reading-42").unwrap();
    send(&mut s, "forty-two").unwrap();
    s.exp_string("got-forty-two-tty").unwrap();
    wait_prompt(&mut s);
    // … and the terminal is aish's again afterwards: the line editor still works.
    send(&mut s, "!echo back-$((6*7))").unwrap();
    s.exp_string("back-42").unwrap();
    wait_prompt(&mut s);
    // Ctrl-C reaches a command that reads the terminal, and it counts as cancelled.
    send(&mut s, "!echo waiting-$((6*7)); read never").unwrap();
    s.exp_string("waiting-42").unwrap();
    ctrl(&mut s, 'c').unwrap();
    s.exp_string("cancelled").unwrap();
    wait_prompt(&mut s);
    send(&mut s, "exit").unwrap();
    s.exp_eof().unwrap();
    let spool = env.spool();
    assert!(spool.contains("got-forty-two-tty"), "{spool}");
}

/// `aish REQUEST` at a terminal lists the candidates, asks which one to run (Enter aborts) and
/// runs the chosen one through the same gate; the run is recorded.
#[test]
fn one_shot_request_at_a_terminal_runs_the_chosen_candidate() {
    let env = Env::new();
    let mut s = env.pty(&["show", "disk", "usage"]);
    s.exp_string("1) df").unwrap();
    s.exp_string("Which one? [1-").unwrap();
    send(&mut s, "1").unwrap();
    s.exp_string("Filesystem").unwrap();
    s.exp_eof().unwrap();
    let spool = env.spool();
    assert!(spool.contains("\"command\":\"df"), "{spool}");
    assert!(spool.contains("\"decision\":\"run\""), "{spool}");

    // Enter aborts: nothing runs, the refusal is recorded, exit code 77.
    let mut s = env.pty(&["delete", "everything", "in", "/"]);
    s.exp_string("Which one? [1-").unwrap();
    send(&mut s, "").unwrap();
    s.exp_string("aborted").unwrap();
    s.exp_eof().unwrap();
    assert!(!env.marker().exists());
    assert!(
        env.spool().contains("no candidate chosen"),
        "{}",
        env.spool()
    );
}
