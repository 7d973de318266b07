//! Execution. The only way to run a command is [`run`] (or [`Jobs::spawn`]), and both take an
//! [`Approved`], which only [`Gate`] can make: the gate runs the danger check and the
//! confirmation state machine ([`crate::confirm`]). So `!cmd`, translated candidates and any
//! later source of commands all pass the same check; there is no other constructor.
//!
//! Commands run under `shell -c` in their own process group (so Ctrl-C reaches aish, which
//! kills the group instead of dying), with a timeout and a cancellation signal; output is
//! streamed to the terminal and the last `excerpt_bytes` are kept.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::Notify;

use crate::confirm::{Confirm, Effect, How, Policy, Question};
use crate::danger::{self, Level, Verdict};

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    #[error("cannot start `{shell}`: {source}")]
    Spawn {
        shell: String,
        #[source]
        source: std::io::Error,
    },
    #[error("waiting for the command: {0}")]
    Wait(#[source] std::io::Error),
    #[error("too many background jobs (the limit is {0})")]
    TooManyJobs(usize),
}

/// A command that passed the danger check and the confirmation flow. Only [`Gate`] makes one.
#[derive(Debug, Clone)]
pub struct Approved {
    command: String,
    verdict: Verdict,
    /// `run` (no question needed), `confirmed` or `remembered` (a remembered approval).
    decision: &'static str,
    /// The user asked for the approval to be remembered.
    remember: bool,
}

impl Approved {
    pub fn command(&self) -> &str {
        &self.command
    }
    pub fn verdict(&self) -> &Verdict {
        &self.verdict
    }
    pub fn decision(&self) -> &'static str {
        self.decision
    }
    /// The user answered `always`: the approval should be remembered.
    pub fn remember(&self) -> bool {
        self.remember
    }
}

/// What the gate says about a proposed command.
#[derive(Debug, Clone)]
pub enum Proposal {
    Run(Approved),
    Ask {
        command: String,
        verdict: Verdict,
        question: Question,
    },
    Refused {
        command: String,
        verdict: Verdict,
        reason: String,
    },
}

/// The danger check plus the confirmation state machine.
#[derive(Debug)]
pub struct Gate {
    confirm: Confirm,
    pending: Option<Verdict>,
}

impl Gate {
    pub fn new(policy: Policy) -> Gate {
        Gate {
            confirm: Confirm::new(policy),
            pending: None,
        }
    }

    /// Check `command` and decide whether it runs, needs an answer, or is refused.
    pub fn propose(&mut self, command: &str) -> Proposal {
        self.propose_with(command, crate::confirm::Memory::default())
    }

    /// [`Gate::propose`] with what is known of remembered approvals for the command.
    pub fn propose_with(&mut self, command: &str, memory: crate::confirm::Memory) -> Proposal {
        let verdict = danger::check(command);
        let effect = self.confirm.propose_with(command, &verdict, memory);
        self.resolve(effect, verdict)
    }

    /// The user's answer to the pending question (anything but the exact approval refuses).
    pub fn answer(&mut self, input: &str) -> Option<Proposal> {
        let verdict = self.pending.take()?;
        let effect = self.confirm.answer(input)?;
        Some(self.resolve(effect, verdict))
    }

    /// Ctrl-C or EOF at the question.
    pub fn cancel(&mut self) -> Option<Proposal> {
        let verdict = self.pending.take()?;
        let effect = self.confirm.cancel()?;
        Some(self.resolve(effect, verdict))
    }

    fn resolve(&mut self, effect: Effect, verdict: Verdict) -> Proposal {
        match effect {
            Effect::Run { command, how } => {
                self.pending = None;
                Proposal::Run(Approved {
                    command,
                    verdict,
                    decision: match how {
                        How::Unasked => "run",
                        How::Confirmed | How::ConfirmedRemember => "confirmed",
                        How::Remembered => "remembered",
                    },
                    remember: how == How::ConfirmedRemember,
                })
            }
            Effect::Ask {
                command, question, ..
            } => {
                self.pending = Some(verdict.clone());
                Proposal::Ask {
                    command,
                    verdict,
                    question,
                }
            }
            Effect::Refuse { command, reason } => {
                self.pending = None;
                Proposal::Refused {
                    command,
                    verdict,
                    reason,
                }
            }
        }
    }
}

#[derive(Debug, Clone)]
pub struct ExecOptions {
    pub shell: String,
    pub cwd: PathBuf,
    pub timeout: Option<Duration>,
    pub excerpt_bytes: usize,
    /// Copy output to our stdout/stderr as it comes (foreground); otherwise only keep it.
    pub stream: bool,
    /// Extra environment for the command.
    pub env: Vec<(String, String)>,
    /// Give the command the terminal: stdin is aish's terminal and the command's process group
    /// is the terminal's foreground group while it runs, so it can read answers (`apt`'s
    /// "continue?", `read`, a password prompt) and Ctrl-C reaches it directly. Only for the
    /// foreground command, and only when stdin is a terminal; otherwise stdin is /dev/null.
    pub terminal: bool,
}

/// Programs that draw on the whole terminal: they get the terminal for output too (their output
/// is not captured, so the record has no excerpt).
const FULL_SCREEN: &[&str] = &[
    "top",
    "htop",
    "btop",
    "atop",
    "iotop",
    "vi",
    "vim",
    "nvim",
    "view",
    "nano",
    "emacs",
    "less",
    "more",
    "most",
    "man",
    "watch",
    "tmux",
    "screen",
    "mc",
    "ssh",
    "telnet",
    "ftp",
    "sftp",
    "mysql",
    "psql",
    "sqlite3",
    "python",
    "python3",
    "ipython",
    "node",
    "irb",
    "bash",
    "zsh",
    "sh",
    "fish",
    "nmtui",
    "alsamixer",
    "journalctl",
    "systemctl",
    "crontab",
    "visudo",
    "vipw",
    "passwd",
];

/// Whether `command` starts a full-screen or conversational program (see [`FULL_SCREEN`]).
/// `bash`, `python` and friends count only without arguments (an interactive session);
/// `journalctl`/`systemctl` only with a pager-less flag absent (they page on a terminal).
pub fn is_full_screen(command: &str) -> bool {
    let mut words = command
        .split_whitespace()
        .skip_while(|w| w.contains('=') && !w.starts_with('-'))
        .skip_while(|w| matches!(*w, "sudo" | "command" | "exec" | "nohup"));
    let Some(first) = words.next() else {
        return false;
    };
    let name = first.rsplit('/').next().unwrap_or(first);
    if !FULL_SCREEN.contains(&name) {
        return false;
    }
    let rest: Vec<&str> = words.collect();
    if rest
        .iter()
        .any(|w| matches!(*w, "|" | ">" | ">>" | "&&" | "||" | ";"))
    {
        return false;
    }
    match name {
        "python" | "python3" | "ipython" | "node" | "irb" | "bash" | "zsh" | "sh" | "fish"
        | "mysql" | "psql" | "sqlite3" => rest.iter().all(|w| w.starts_with('-')),
        "journalctl" | "systemctl" => !rest.iter().any(|w| *w == "--no-pager" || *w == "-f"),
        "ssh" => rest.iter().filter(|w| !w.starts_with('-')).count() <= 1,
        _ => true,
    }
}

/// The terminal on stdin, if any.
fn stdin_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal()
}

/// Makes process group `pgrp` the foreground group of the terminal on stdin. SIGTTOU is
/// ignored around the call: a caller in a background group would otherwise be stopped.
fn set_foreground(pgrp: libc::pid_t) {
    // SAFETY: signal(2) and tcsetpgrp(3) on fd 0; no memory is shared.
    unsafe {
        let old = libc::signal(libc::SIGTTOU, libc::SIG_IGN);
        libc::tcsetpgrp(0, pgrp);
        libc::signal(libc::SIGTTOU, old);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    Exited,
    Signaled,
    TimedOut,
    Cancelled,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub command: String,
    pub level: Level,
    pub ending: Ending,
    /// The exit code; 128+signal when killed (as shells report it).
    pub exit_code: i32,
    pub duration_ms: u64,
    /// The last bytes of output (stdout and stderr interleaved), lossily decoded.
    pub excerpt: String,
    pub output_bytes: u64,
    pub truncated: bool,
}

/// The last `cap` bytes of a stream.
#[derive(Debug)]
struct Tail {
    cap: usize,
    buf: Vec<u8>,
    total: u64,
}

impl Tail {
    fn push(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        self.buf.extend_from_slice(data);
        if self.buf.len() > 2 * self.cap {
            let cut = self.buf.len() - self.cap;
            self.buf.drain(..cut);
        }
    }
    fn finish(&self) -> (String, bool) {
        let start = self.buf.len().saturating_sub(self.cap);
        (
            String::from_utf8_lossy(&self.buf[start..]).into_owned(),
            self.total > self.cap as u64,
        )
    }
}

async fn pump<R: AsyncRead + Unpin>(mut r: R, tail: Arc<Mutex<Tail>>, to: Option<bool>) {
    let mut buf = vec![0u8; 8192];
    loop {
        let n = match r.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Ok(mut t) = tail.lock() {
            t.push(&buf[..n]);
        }
        // Terminal writes are small and quick: plain blocking writes.
        use std::io::Write;
        match to {
            Some(true) => {
                let mut o = std::io::stdout().lock();
                let _ = o.write_all(&buf[..n]);
                let _ = o.flush();
            }
            Some(false) => {
                let mut o = std::io::stderr().lock();
                let _ = o.write_all(&buf[..n]);
                let _ = o.flush();
            }
            None => {}
        }
    }
}

fn signal_group(pid: Option<u32>, sig: i32) {
    if let Some(pid) = pid.and_then(|p| i32::try_from(p).ok()) {
        // SAFETY: kill(2) on our own child's process group; no memory is involved.
        unsafe {
            libc::kill(-pid, sig);
        }
    }
}

/// A cancellation signal: [`Cancel::cancel`] stops the command it was given to.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<Notify>);

impl Cancel {
    pub fn new() -> Cancel {
        Cancel::default()
    }
    pub fn cancel(&self) {
        self.0.notify_one();
    }
}

/// Run an approved command to its end, its timeout or its cancellation.
pub async fn run(cmd: Approved, opts: &ExecOptions, cancel: Cancel) -> Result<Outcome, ExecError> {
    let snapshots = crate::snapshot::client();
    let pre = crate::snapshot::before(&snapshots, cmd.verdict.level, &cmd.command).await;
    let start = Instant::now();
    let terminal = opts.terminal && stdin_terminal();
    let full_screen = terminal && is_full_screen(&cmd.command);
    let mut c = tokio::process::Command::new(&opts.shell);
    c.arg("-c")
        .arg(&cmd.command)
        .current_dir(&opts.cwd)
        .process_group(0)
        .kill_on_drop(true);
    if terminal {
        c.stdin(std::process::Stdio::inherit());
        // SAFETY: only async-signal-safe calls (getpid, signal, tcsetpgrp) between fork and
        // exec. The child takes the terminal itself too, so it never reads before it owns it.
        unsafe {
            c.pre_exec(|| {
                set_foreground(libc::getpid());
                Ok(())
            });
        }
    } else {
        c.stdin(std::process::Stdio::null());
    }
    if full_screen {
        c.stdout(std::process::Stdio::inherit())
            .stderr(std::process::Stdio::inherit());
    } else {
        c.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
    }
    for (k, v) in &opts.env {
        c.env(k, v);
    }
    let mut child = c.spawn().map_err(|source| ExecError::Spawn {
        shell: opts.shell.clone(),
        source,
    })?;
    let pid = child.id();
    if let (true, Some(p)) = (terminal, pid) {
        set_foreground(p as libc::pid_t);
    }
    // The terminal comes back to aish however the command ends.
    struct TakeBack(bool);
    impl Drop for TakeBack {
        fn drop(&mut self) {
            if self.0 {
                // SAFETY: getpgrp(2) cannot fail.
                set_foreground(unsafe { libc::getpgrp() });
            }
        }
    }
    let _take_back = TakeBack(terminal);
    let tail = Arc::new(Mutex::new(Tail {
        cap: opts.excerpt_bytes.max(1),
        buf: Vec::new(),
        total: 0,
    }));
    let mut pumps = Vec::new();
    if let Some(o) = child.stdout.take() {
        pumps.push(tokio::spawn(pump(
            o,
            tail.clone(),
            opts.stream.then_some(true),
        )));
    }
    if let Some(e) = child.stderr.take() {
        pumps.push(tokio::spawn(pump(
            e,
            tail.clone(),
            opts.stream.then_some(false),
        )));
    }
    let timeout = async {
        match opts.timeout {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    let mut ending = None;
    let status = tokio::select! {
        s = child.wait() => Some(s.map_err(ExecError::Wait)?),
        _ = timeout => { ending = Some(Ending::TimedOut); None }
        _ = cancel.0.notified() => { ending = Some(Ending::Cancelled); None }
    };
    let status = match status {
        Some(s) => s,
        None => {
            signal_group(pid, libc::SIGTERM);
            match tokio::time::timeout(Duration::from_secs(2), child.wait()).await {
                Ok(s) => s.map_err(ExecError::Wait)?,
                Err(_) => {
                    signal_group(pid, libc::SIGKILL);
                    child.wait().await.map_err(ExecError::Wait)?
                }
            }
        }
    };
    // Whatever is left in the group (background grandchildren holding the pipes) is not ours
    // to wait for: give the readers a moment, then move on.
    for p in pumps {
        let _ = tokio::time::timeout(Duration::from_secs(1), p).await;
    }
    use std::os::unix::process::ExitStatusExt;
    let (exit_code, natural) = match (status.code(), status.signal()) {
        // With the terminal, Ctrl-C goes straight to the command's group: that is a cancel.
        (None, Some(libc::SIGINT)) if terminal => (128 + libc::SIGINT, Ending::Cancelled),
        (Some(c), _) => (c, Ending::Exited),
        (None, Some(s)) => (128 + s, Ending::Signaled),
        (None, None) => (-1, Ending::Signaled),
    };
    crate::snapshot::after(&snapshots, pre, &cmd.command, exit_code).await;
    let (excerpt, truncated, output_bytes) = if full_screen {
        (String::new(), false, 0)
    } else {
        let t = tail
            .lock()
            .map_err(|_| ExecError::Wait(std::io::Error::other("output buffer poisoned")))?;
        let (e, tr) = t.finish();
        (e, tr, t.total)
    };
    Ok(Outcome {
        level: cmd.verdict.level,
        command: cmd.command,
        ending: ending.unwrap_or(natural),
        exit_code,
        duration_ms: start.elapsed().as_millis() as u64,
        excerpt,
        output_bytes,
        truncated,
    })
}

/// A background job.
#[derive(Debug)]
pub struct Job {
    pub id: usize,
    pub command: String,
    cancel: Cancel,
    handle: tokio::task::JoinHandle<Result<Outcome, ExecError>>,
}

impl Job {
    pub fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }
    pub fn cancel(&self) {
        self.cancel.cancel();
    }
    pub fn canceller(&self) -> Cancel {
        self.cancel.clone()
    }
    /// Wait for the job's end.
    pub async fn wait(self) -> Result<Outcome, ExecError> {
        match self.handle.await {
            Ok(r) => r,
            Err(e) => Err(ExecError::Wait(std::io::Error::other(e.to_string()))),
        }
    }
}

/// Background jobs, at most `max` at a time (finished ones count until reaped).
#[derive(Debug)]
pub struct Jobs {
    max: usize,
    next: usize,
    jobs: BTreeMap<usize, Job>,
}

impl Jobs {
    pub fn new(max: usize) -> Jobs {
        Jobs {
            max: max.max(1),
            next: 1,
            jobs: BTreeMap::new(),
        }
    }

    /// Start an approved command in the background (output is kept, not shown).
    pub fn spawn(
        &mut self,
        rt: &tokio::runtime::Handle,
        cmd: Approved,
        opts: &ExecOptions,
    ) -> Result<usize, ExecError> {
        if self.jobs.len() >= self.max {
            return Err(ExecError::TooManyJobs(self.max));
        }
        let id = self.next;
        self.next += 1;
        let cancel = Cancel::new();
        let opts = ExecOptions {
            stream: false,
            terminal: false,
            ..opts.clone()
        };
        let command = cmd.command.clone();
        let c = cancel.clone();
        let handle = rt.spawn(async move { run(cmd, &opts, c).await });
        self.jobs.insert(
            id,
            Job {
                id,
                command,
                cancel,
                handle,
            },
        );
        Ok(id)
    }

    /// `(id, command, running)` of every job.
    pub fn list(&self) -> Vec<(usize, String, bool)> {
        self.jobs
            .values()
            .map(|j| (j.id, j.command.clone(), !j.is_finished()))
            .collect()
    }

    /// Take a job out (for `fg`): the given id, or the newest.
    pub fn take(&mut self, id: Option<usize>) -> Option<Job> {
        let id = match id {
            Some(i) => i,
            None => *self.jobs.keys().next_back()?,
        };
        self.jobs.remove(&id)
    }

    /// Take out the finished jobs.
    pub fn reap(&mut self) -> Vec<Job> {
        let done: Vec<usize> = self
            .jobs
            .values()
            .filter(|j| j.is_finished())
            .map(|j| j.id)
            .collect();
        done.into_iter()
            .filter_map(|i| self.jobs.remove(&i))
            .collect()
    }

    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(dir: &std::path::Path) -> ExecOptions {
        ExecOptions {
            shell: "/bin/sh".into(),
            cwd: dir.to_path_buf(),
            timeout: None,
            excerpt_bytes: 64,
            stream: false,
            env: vec![],
            terminal: false,
        }
    }

    fn approve(cmd: &str) -> Approved {
        let mut g = Gate::new(Policy {
            assume_yes: true,
            ..Policy::default()
        });
        match g.propose(cmd) {
            Proposal::Run(a) => a,
            Proposal::Ask { .. } => match g.answer("yes") {
                Some(Proposal::Run(a)) => a,
                p => panic!("{cmd}: {p:?}"),
            },
            p => panic!("{cmd}: {p:?}"),
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn the_gate_refuses_critical_without_the_phrase_even_with_yes() {
        let mut g = Gate::new(Policy {
            assume_yes: true,
            ..Policy::default()
        });
        let Proposal::Ask {
            question: Question::Phrase { phrase, .. },
            ..
        } = g.propose("rm -rf /")
        else {
            panic!("critical must ask for the phrase");
        };
        assert!(matches!(g.answer("yes"), Some(Proposal::Refused { .. })));
        assert!(matches!(g.propose("rm -rf /"), Proposal::Ask { .. }));
        assert!(matches!(g.answer(&phrase), Some(Proposal::Run(_))));
        assert!(matches!(g.propose("rm -rf /"), Proposal::Ask { .. }));
        assert!(matches!(g.cancel(), Some(Proposal::Refused { .. })));
    }

    #[test]
    fn exit_code_duration_and_bounded_excerpt() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt();
        let o = rt
            .block_on(run(
                approve("i=0; while [ $i -lt 200 ]; do echo line$i; i=$((i+1)); done; exit 3"),
                &opts(d.path()),
                Cancel::new(),
            ))
            .unwrap();
        assert_eq!(o.ending, Ending::Exited);
        assert_eq!(o.exit_code, 3);
        assert!(o.excerpt.len() <= 64, "{}", o.excerpt.len());
        assert!(o.truncated);
        assert!(o.excerpt.ends_with("line199\n"), "{:?}", o.excerpt);
        assert!(o.output_bytes > 1000);
        let o = rt
            .block_on(run(approve("pwd"), &opts(d.path()), Cancel::new()))
            .unwrap();
        assert_eq!(o.exit_code, 0);
        assert!(!o.truncated);
        let canon = d.path().canonicalize().unwrap();
        assert_eq!(o.excerpt.trim(), canon.to_str().unwrap());
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let d = tempfile::tempdir().unwrap();
        let mut op = opts(d.path());
        op.timeout = Some(Duration::from_millis(300));
        let t = Instant::now();
        let o = rt()
            .block_on(run(
                approve("sleep 30 & sleep 30; echo never"),
                &op,
                Cancel::new(),
            ))
            .unwrap();
        assert_eq!(o.ending, Ending::TimedOut);
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
        assert!(!o.excerpt.contains("never"));
        assert_eq!(o.exit_code, 128 + libc::SIGTERM);
    }

    #[test]
    fn cancel_stops_a_running_command() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt();
        let cancel = Cancel::new();
        let c2 = cancel.clone();
        // Cancelled once the command is under way (its marker file is there), however long a
        // loaded machine takes to start it.
        let marker = d.path().join("started");
        let cancelled_at = std::sync::Arc::new(std::sync::Mutex::new(None));
        let at = cancelled_at.clone();
        rt.spawn(async move {
            let deadline = Instant::now() + Duration::from_secs(60);
            while !marker.exists() && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            *at.lock().unwrap() = Some(Instant::now());
            c2.cancel();
        });
        let o = rt
            .block_on(run(
                approve("echo started; touch started; sleep 30"),
                &opts(d.path()),
                cancel,
            ))
            .unwrap();
        assert_eq!(o.ending, Ending::Cancelled);
        assert!(o.excerpt.contains("started"));
        let t = cancelled_at.lock().unwrap().expect("cancelled");
        assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    }

    #[test]
    fn background_jobs_are_bounded_and_can_be_waited_for() {
        let d = tempfile::tempdir().unwrap();
        let rt = rt();
        let mut jobs = Jobs::new(2);
        let a = jobs
            .spawn(rt.handle(), approve("echo one"), &opts(d.path()))
            .unwrap();
        let b = jobs
            .spawn(rt.handle(), approve("sleep 30"), &opts(d.path()))
            .unwrap();
        assert!(matches!(
            jobs.spawn(rt.handle(), approve("echo three"), &opts(d.path())),
            Err(ExecError::TooManyJobs(2))
        ));
        let one = jobs.take(Some(a)).unwrap();
        let o = rt.block_on(one.wait()).unwrap();
        assert_eq!(o.excerpt, "one\n");
        let sleeper = jobs.take(Some(b)).unwrap();
        assert!(!sleeper.is_finished());
        sleeper.cancel();
        let o = rt.block_on(sleeper.wait()).unwrap();
        assert_eq!(o.ending, Ending::Cancelled);
        assert!(jobs.is_empty());
    }

    #[test]
    fn full_screen_programs_are_recognised_by_their_first_word() {
        for c in [
            "top",
            "sudo vim /etc/hosts",
            "/usr/bin/less file",
            "LANG=C man ls",
            "python3",
            "journalctl -u ssh",
            "ssh host",
        ] {
            assert!(is_full_screen(c), "{c}");
        }
        for c in [
            "ls -l",
            "python3 script.py",
            "bash -c 'echo hi'",
            "journalctl --no-pager -n 5",
            "top -bn1 | head",
            "ssh host uptime",
            "",
        ] {
            assert!(!is_full_screen(c), "{c}");
        }
    }
}
