//! The interactive shell (REPL) and the one-shot `--run`: requests become candidates, the chosen
//! one is shown with its verdict and explanation, goes through the [`Gate`] and then
//! [`exec::run`]; every executed or refused command is recorded.
//!
//! Flags handled here (the rest goes to [`crate::cli`]): `--yes` (approves moderate and, in
//! normal mode, destructive commands; never critical), `--config FILE`, `--run`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use rustyline::error::ReadlineError;

use crate::backend::{Remote, Ticket};
use crate::cli::{EX_USAGE, sanitize};
use crate::config::Config;
use crate::confirm::{Memory, Policy, Question};
use crate::exec::{self, Approved, Cancel, Ending, ExecOptions, Gate, Jobs, Outcome, Proposal};
use crate::explain;
use crate::record::{Entry, Recorder};
use crate::translate::{Candidate, Context, Translator};

/// Exit code of `--run` when the command was refused.
pub const EX_REFUSED: i32 = 77;

const HELP: &str = "aish — type a request in plain words, or:
  !COMMAND        run a command directly (still checked; append & for the background)
  cd [DIR]        change directory
  jobs            list background jobs;  fg [N]  wait for one (Ctrl-C cancels it)
  history         show the history;  stats  this session's counts;  health  status
  clear           clear the screen;  help  this text;  exit  leave (also Ctrl-D)
Ctrl-C cancels the running command, not the shell.
";

/// Where questions go and answers come from.
pub trait Ui {
    fn say(&mut self, text: &str);
    /// `None`: cancelled (Ctrl-C) or end of input.
    fn ask(&mut self, prompt: &str) -> Option<String>;
}

/// Questions on stderr, answers from stdin (one-shot mode).
pub struct StdioUi;

impl Ui for StdioUi {
    fn say(&mut self, text: &str) {
        eprintln!("{text}");
    }
    fn ask(&mut self, prompt: &str) -> Option<String> {
        eprint!("{prompt}");
        let _ = std::io::stderr().flush();
        let mut s = String::new();
        match std::io::stdin().lock().read_line(&mut s) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(s.trim_end_matches(['\n', '\r']).to_string()),
        }
    }
}

struct EditorUi<'a>(&'a mut rustyline::DefaultEditor);

impl Ui for EditorUi<'_> {
    fn say(&mut self, text: &str) {
        println!("{text}");
    }
    fn ask(&mut self, prompt: &str) -> Option<String> {
        self.0.readline(prompt).ok()
    }
}

#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct Stats {
    pub requests: u64,
    pub proposed: u64,
    pub ran: u64,
    pub refused: u64,
    pub failed: u64,
    pub cancelled: u64,
    pub timed_out: u64,
}

pub struct Session {
    pub cfg: Config,
    policy: Policy,
    rt: tokio::runtime::Runtime,
    jobs: Jobs,
    rec: Recorder,
    pub stats: Stats,
    tr: Translator,
    ctx: Context,
    backend: crate::backend::Backend,
    /// aishd's job for each background job, told when it ends.
    bg_tickets: std::collections::HashMap<usize, u64>,
}

fn cwd_string() -> String {
    std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_default()
}

impl Session {
    pub fn new(cfg: Config, assume_yes: bool, no_man: bool) -> std::io::Result<Session> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let ctx = Context::detect();
        let mut tr = Translator::new();
        if !no_man {
            tr.load_manual_index(&ctx);
        }
        Ok(Session {
            backend: crate::backend::Backend::new(&cfg.aishd_socket, cfg.llm.clone()),
            policy: cfg.policy(assume_yes),
            jobs: Jobs::new(cfg.max_jobs),
            rec: Recorder::new(&cfg.questlog_socket),
            cfg,
            rt,
            stats: Stats::default(),
            tr,
            ctx,
            bg_tickets: Default::default(),
        })
    }

    fn opts(&self) -> ExecOptions {
        ExecOptions {
            shell: self.cfg.shell.clone(),
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            timeout: (self.cfg.timeout_secs > 0)
                .then(|| Duration::from_secs(self.cfg.timeout_secs)),
            excerpt_bytes: self.cfg.excerpt_bytes,
            stream: true,
            env: vec![],
            terminal: true,
        }
    }

    fn refuse(
        &mut self,
        request: Option<&str>,
        command: &str,
        level: Option<crate::danger::Level>,
        reason: &str,
    ) {
        self.stats.refused += 1;
        self.rec.record(&Entry {
            request: request.map(str::to_string),
            command: command.to_string(),
            level,
            decision: "refused".into(),
            reason: reason.to_string(),
            outcome: None,
            cwd: cwd_string(),
        });
    }

    /// The gate and the questions; `Some` when the command may run.
    pub fn decide(
        &mut self,
        request: Option<&str>,
        command: &str,
        ui: &mut dyn Ui,
    ) -> Option<Approved> {
        self.decide_with(request, command, Memory::default(), ui)
    }

    /// [`Session::decide`] with what aishd knows of remembered approvals.
    fn decide_with(
        &mut self,
        request: Option<&str>,
        command: &str,
        memory: Memory,
        ui: &mut dyn Ui,
    ) -> Option<Approved> {
        self.stats.proposed += 1;
        let mut gate = Gate::new(self.policy.clone());
        let mut p = gate.propose_with(command, memory);
        loop {
            match p {
                Proposal::Run(a) => return Some(a),
                Proposal::Refused {
                    command,
                    verdict,
                    reason,
                } => {
                    ui.say(&format!("refused: {reason}"));
                    self.refuse(request, &command, Some(verdict.level), &reason);
                    return None;
                }
                Proposal::Ask {
                    command,
                    verdict,
                    question,
                } => {
                    let prompt = match &question {
                        Question::YesNo => {
                            format!("{} command: {command}\nRun it? [y/N] ", verdict.level)
                        }
                        Question::Explicit {
                            explanation,
                            remember: false,
                        } => format!(
                            "DESTRUCTIVE command: {command}\n{explanation}\nType `yes` to run it (anything else aborts): "
                        ),
                        Question::Explicit {
                            explanation,
                            remember: true,
                        } => format!(
                            "DESTRUCTIVE command: {command}\n{explanation}\nType `yes` to run it, `always` to run it and remember the approval (anything else aborts): "
                        ),
                        Question::Phrase {
                            phrase,
                            explanation,
                        } => format!(
                            "CRITICAL command: {command}\n{explanation}\n--yes does not apply. Type exactly `{phrase}` to run it (anything else aborts): "
                        ),
                    };
                    p = match ui.ask(&prompt) {
                        Some(a) => gate.answer(&a),
                        None => gate.cancel(),
                    }?;
                }
            }
        }
    }

    /// Run an approved command in the foreground (Ctrl-C cancels it) and record it.
    pub fn execute(
        &mut self,
        request: Option<&str>,
        a: Approved,
        ui: &mut dyn Ui,
    ) -> Option<Outcome> {
        let decision = a.decision().to_string();
        let level = a.verdict().level;
        let command = a.command().to_string();
        let opts = self.opts();
        let cancel = Cancel::new();
        let c = cancel.clone();
        let res = self.rt.block_on(async move {
            let watcher = tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    c.cancel();
                }
            });
            let r = exec::run(a, &opts, cancel).await;
            watcher.abort();
            r
        });
        self.finish(request, &command, level, &decision, res, ui)
    }

    fn finish(
        &mut self,
        request: Option<&str>,
        command: &str,
        level: crate::danger::Level,
        decision: &str,
        res: Result<Outcome, exec::ExecError>,
        ui: &mut dyn Ui,
    ) -> Option<Outcome> {
        match res {
            Ok(o) => {
                self.stats.ran += 1;
                match o.ending {
                    Ending::Cancelled => {
                        self.stats.cancelled += 1;
                        ui.say("cancelled");
                    }
                    Ending::TimedOut => {
                        self.stats.timed_out += 1;
                        ui.say(&format!("timed out after {} s", self.cfg.timeout_secs));
                    }
                    _ if o.exit_code != 0 => {
                        self.stats.failed += 1;
                        ui.say(&format!("exit {}", o.exit_code));
                    }
                    _ => {}
                }
                self.rec.record(&Entry {
                    request: request.map(str::to_string),
                    command: command.to_string(),
                    level: Some(level),
                    decision: decision.to_string(),
                    reason: String::new(),
                    outcome: Some(o.clone()),
                    cwd: cwd_string(),
                });
                Some(o)
            }
            Err(e) => {
                ui.say(&format!("aish: {e}"));
                self.stats.failed += 1;
                self.rec.record(&Entry {
                    request: request.map(str::to_string),
                    command: command.to_string(),
                    level: Some(level),
                    decision: decision.to_string(),
                    reason: e.to_string(),
                    outcome: None,
                    cwd: cwd_string(),
                });
                None
            }
        }
    }

    /// The candidates for a request: a network answer first (from aishd, or
    /// from the in-process chain when aishd is not running), then the offline
    /// translator's. The network one comes with its origin; it is only a
    /// proposal and goes through the same check and gate as any command.
    pub fn candidates(
        &mut self,
        req: &str,
        ui: &mut dyn Ui,
    ) -> (
        Vec<crate::translate::Candidate>,
        Option<crate::backend::Remote>,
    ) {
        let local = self.tr.translate(req, &self.ctx);
        let first = local
            .first()
            .map(|c| (c.command.clone(), c.description.clone()))
            .unwrap_or_default();
        let lctx = crate::backend::context(&self.ctx);
        let remote = match self.backend.ask(&self.rt, req, &lctx, move |_, _| first) {
            Ok(r) => r,
            Err(e) => {
                ui.say(&format!("aish: {e}"));
                return (local, None);
            }
        };
        for n in &remote.notes {
            ui.say(&format!("aish: {n}"));
        }
        let Some(first) = network_candidate(&remote, &local) else {
            return (local, Some(remote));
        };
        let mut out = vec![first.clone()];
        out.extend(local.into_iter().filter(|c| c.command != first.command));
        (out, Some(remote))
    }

    /// aishd's job for a command about to be decided: its own job when the
    /// command is aishd's proposal, else a new one (`typed`: by the user).
    /// `None` when aishd is not there.
    fn ticket(&self, cmd: &str, remote: Option<&Remote>, typed: bool) -> Option<Ticket> {
        match remote {
            Some(r) if r.ticket.is_some() && sanitize(&r.command) == cmd => r.ticket,
            _ => self.backend.propose(cmd, typed),
        }
    }

    /// The gate, with aishd's remembered approvals when it runs; aishd is
    /// told the decision, and asked to remember it when the user said `always`.
    fn decide_ticketed(
        &mut self,
        request: Option<&str>,
        cmd: &str,
        ticket: Option<Ticket>,
        ui: &mut dyn Ui,
    ) -> Option<Approved> {
        let memory = Memory {
            covered: ticket.is_some_and(|t| t.remembered),
            offer: ticket.is_some(),
        };
        let a = self.decide_with(request, cmd, memory, ui);
        let Some(t) = ticket else {
            return a;
        };
        match &a {
            None => {
                self.backend.tell(t.job, "deny", serde_json::json!({}));
            }
            Some(a) if a.decision() == "remembered" => {
                ui.say("aish: approved by your remembered approval (kept by aishd)");
            }
            Some(a) => {
                let extra = serde_json::json!({"remember": a.remember()});
                let reply = self.backend.tell(t.job, "approve", extra);
                if a.remember() {
                    match reply {
                        Some(v) if v["remembered"].is_string() => ui.say(&format!(
                            "aish: remembered: `{}` runs without this question from now on",
                            v["remembered"].as_str().unwrap_or_default()
                        )),
                        Some(v) => ui.say(&format!(
                            "aish: not remembered: {}",
                            v["remember_refused"]
                                .as_str()
                                .or(v["error"].as_str())
                                .unwrap_or("aishd did not keep it")
                        )),
                        None => ui.say("aish: not remembered: aishd did not answer"),
                    }
                }
            }
        }
        a
    }

    /// Decides, runs in the foreground and reports to aishd: the path of
    /// every command the session runs (a chosen candidate, `--run`, `!cmd`).
    /// `typed`: the user typed the command (`!cmd`) rather than chose it.
    pub fn decide_and_run(
        &mut self,
        req: Option<&str>,
        cmd: &str,
        remote: Option<&Remote>,
        typed: bool,
        ui: &mut dyn Ui,
    ) -> Option<(String, Option<Outcome>)> {
        let ticket = self.ticket(cmd, remote, typed);
        let a = self.decide_ticketed(req, cmd, ticket, ui)?;
        let decision = a.decision().to_string();
        let report = |s: &Self, extra: serde_json::Value| {
            if let Some(t) = ticket {
                s.backend.tell(t.job, "report", extra);
            }
        };
        report(self, serde_json::json!({"event": "running"}));
        let o = self.execute(req, a, ui);
        report(
            self,
            serde_json::json!({"event": "finished", "exit_code": o.as_ref().map(|o| o.exit_code)}),
        );
        Some((decision, o))
    }

    /// Show candidates for a request; the chosen one is explained, checked and run.
    /// The command's exit code when one ran; `None` when none was chosen or it was refused.
    fn request(&mut self, req: &str, ui: &mut dyn Ui) -> Option<i32> {
        self.stats.requests += 1;
        let (cands, remote) = self.candidates(req, ui);
        if cands.is_empty() {
            ui.say("no candidate for this request (use !COMMAND to run a command)");
            return None;
        }
        let shown: Vec<String> = cands.iter().take(5).map(|c| sanitize(&c.command)).collect();
        for (i, c) in shown.iter().enumerate() {
            let v = crate::danger::check(c);
            ui.say(&format!(
                "  {}) {:<50} [{}] {}",
                i + 1,
                c,
                v.level,
                cands[i].description
            ));
        }
        let pick = ui.ask(&format!("Which one? [1-{}, Enter aborts] ", shown.len()));
        let idx = pick
            .as_deref()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .filter(|i| (1..=shown.len()).contains(i));
        let Some(i) = idx else {
            ui.say("aborted");
            self.refuse(Some(req), &shown[0], None, "no candidate chosen");
            return None;
        };
        let cmd = shown[i - 1].clone();
        ui.say(&explain::explain(&cmd, &self.tr).render());
        let (_, o) = self.decide_and_run(Some(req), &cmd, remote.as_ref(), false, ui)?;
        Some(o.map_or(1, |o| o.exit_code))
    }

    fn reap(&mut self, ui: &mut dyn Ui) {
        for job in self.jobs.reap() {
            let (id, cmd) = (job.id, job.command.clone());
            let res = self.rt.block_on(job.wait());
            if let Ok(o) = &res {
                ui.say(&format!("[{id}] done (exit {})  {cmd}", o.exit_code));
            }
            let level = crate::danger::check(&cmd).level;
            if let Some(t) = self.bg_tickets.remove(&id) {
                let code = res.as_ref().ok().map(|o| o.exit_code);
                self.backend.tell(
                    t,
                    "report",
                    serde_json::json!({"event": "finished", "exit_code": code}),
                );
            }
            self.finish(None, &cmd, level, "background", res, ui);
        }
    }

    fn builtin(&mut self, line: &str, ed: &mut rustyline::DefaultEditor) -> Option<bool> {
        let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let rest = rest.trim();
        match name {
            "exit" | "quit" => return Some(false),
            "help" | "?" => print!("{HELP}"),
            "clear" => {
                print!("\x1b[H\x1b[2J");
                let _ = std::io::stdout().flush();
            }
            "history" => {
                for (i, h) in ed.history().iter().enumerate() {
                    println!("{:5}  {h}", i + 1);
                }
            }
            "stats" => {
                let s = &self.stats;
                println!(
                    "requests {}  proposed {}  ran {}  refused {}  failed {}  cancelled {}  timed out {}",
                    s.requests, s.proposed, s.ran, s.refused, s.failed, s.cancelled, s.timed_out
                );
                println!(
                    "activity log: sent {}  spooled {}  lost {}",
                    self.rec.sent, self.rec.spooled, self.rec.failed
                );
                let (via, v) = self.backend.stats();
                println!(
                    "llm ({}): {v}",
                    match via {
                        crate::backend::Via::Aishd => "aishd",
                        crate::backend::Via::InProcess => "in process",
                    }
                );
            }
            "health" => {
                let sock = if self.cfg.questlog_socket.is_empty() {
                    questlog_client::default_socket_path()
                } else {
                    PathBuf::from(&self.cfg.questlog_socket)
                };
                match questlog_client::Client::connect(&sock) {
                    Ok(_) => println!("questlogd: reachable at {}", sock.display()),
                    Err(e) => println!(
                        "questlogd: unreachable at {} ({e}); {} event(s) spooled",
                        sock.display(),
                        self.rec.spool_len()
                    ),
                }
                match self.backend.health() {
                    Some(h) => println!("aishd: {h}"),
                    None => println!(
                        "aishd: not running at {}; {} network provider(s) used in process",
                        self.backend.socket().display(),
                        self.cfg.llm.providers.len()
                    ),
                }
                println!(
                    "mode {:?}  timeout {} s  jobs {}/{}  history {}",
                    self.policy.mode,
                    self.cfg.timeout_secs,
                    self.jobs.len(),
                    self.cfg.max_jobs,
                    self.cfg
                        .history_path()
                        .map(|p| p.display().to_string())
                        .unwrap_or_else(|| "(none)".into())
                );
            }
            "cd" => {
                let target = if rest.is_empty() {
                    std::env::var("HOME").unwrap_or_else(|_| "/".into())
                } else if let Some(r) = rest.strip_prefix("~/") {
                    format!("{}/{r}", std::env::var("HOME").unwrap_or_default())
                } else {
                    rest.to_string()
                };
                if let Err(e) = std::env::set_current_dir(&target) {
                    println!("cd: {target}: {e}");
                }
            }
            "jobs" => {
                for (id, cmd, running) in self.jobs.list() {
                    println!("[{id}] {}  {cmd}", if running { "running" } else { "done" });
                }
            }
            _ => return None,
        }
        Some(true)
    }

    fn prompt() -> String {
        let user = std::env::var("USER").unwrap_or_else(|_| "?".into());
        let mut buf = [0u8; 256];
        // SAFETY: gethostname writes at most len bytes into our buffer.
        let host = if unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0 {
            let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
            String::from_utf8_lossy(&buf[..end]).into_owned()
        } else {
            "localhost".into()
        };
        let mut cwd = cwd_string();
        if let Ok(h) = std::env::var("HOME")
            && !h.is_empty()
            && (cwd == h || cwd.starts_with(&format!("{h}/")))
        {
            cwd = format!("~{}", &cwd[h.len()..]);
        }
        format!("{user}@{host}:{cwd}$ ")
    }

    /// The interactive loop.
    pub fn repl(&mut self) -> i32 {
        // Take SIGINT for good: from now on Ctrl-C cancels commands, never kills the shell.
        // (One-shot mode takes it only while a command runs, so Ctrl-C at a question quits.)
        if let Err(e) = self.rt.block_on(async {
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).map(|_| ())
        }) {
            eprintln!("aish: cannot handle Ctrl-C: {e}");
            return 1;
        }
        let rcfg = rustyline::Config::builder()
            .max_history_size(self.cfg.history_size)
            .map(|b| b.auto_add_history(false).build());
        let mut ed = match rcfg.and_then(rustyline::DefaultEditor::with_config) {
            Ok(e) => e,
            Err(e) => {
                eprintln!("aish: cannot start the line editor: {e}");
                return 1;
            }
        };
        let hist = self.cfg.history_path();
        if let Some(h) = &hist {
            let _ = ed.load_history(h);
        }
        loop {
            self.reap(&mut EditorUi(&mut ed));
            let line = match ed.readline(&Self::prompt()) {
                Ok(l) => l,
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => break,
                Err(e) => {
                    eprintln!("aish: {e}");
                    break;
                }
            };
            let line = sanitize(line.trim());
            if line.is_empty() {
                continue;
            }
            if line.len() > crate::cli::MAX_INPUT {
                println!("input too long (limit {} bytes)", crate::cli::MAX_INPUT);
                continue;
            }
            let _ = ed.add_history_entry(line.as_str());
            if let Some(h) = &hist {
                if let Some(d) = h.parent() {
                    let _ = std::fs::create_dir_all(d);
                }
                let _ = ed.save_history(h);
            }
            if line == "fg" || line.starts_with("fg ") {
                self.fg(line[2..].trim(), &mut ed);
                continue;
            }
            match self.builtin(&line, &mut ed) {
                Some(false) => break,
                Some(true) => continue,
                None => {}
            }
            if let Some(cmd) = line.strip_prefix('!') {
                let cmd = cmd.trim();
                let (cmd, bg) = match cmd.strip_suffix('&') {
                    Some(c) if !c.ends_with('&') => (c.trim(), true),
                    _ => (cmd, false),
                };
                if cmd.is_empty() {
                    continue;
                }
                let mut ui = EditorUi(&mut ed);
                if !bg {
                    self.decide_and_run(None, cmd, None, true, &mut ui);
                    continue;
                }
                let ticket = self.ticket(cmd, None, true);
                if let Some(a) = self.decide_ticketed(None, cmd, ticket, &mut ui) {
                    let opts = self.opts();
                    match self.jobs.spawn(self.rt.handle(), a, &opts) {
                        Ok(id) => {
                            println!("[{id}] {cmd}");
                            if let Some(t) = ticket {
                                self.backend.tell(
                                    t.job,
                                    "report",
                                    serde_json::json!({"event": "running"}),
                                );
                                self.bg_tickets.insert(id, t.job);
                            }
                        }
                        Err(e) => {
                            println!("aish: {e}");
                            self.refuse(None, cmd, None, &e.to_string());
                        }
                    }
                }
                continue;
            }
            let _ = self.request(&line, &mut EditorUi(&mut ed));
        }
        if let Some(h) = &hist {
            let _ = ed.save_history(h);
        }
        0
    }

    fn fg(&mut self, arg: &str, ed: &mut rustyline::DefaultEditor) {
        let Some(job) = self.jobs.take(arg.trim_start_matches('%').parse().ok()) else {
            println!("fg: no such job");
            return;
        };
        let cmd = job.command.clone();
        println!("{cmd}");
        let res = self.rt.block_on(async move {
            let c = job.canceller();
            let watcher = tokio::spawn(async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    c.cancel();
                }
            });
            let r = job.wait().await;
            watcher.abort();
            r
        });
        if let Ok(o) = &res {
            print!("{}", o.excerpt);
            if o.truncated {
                println!(
                    "(output truncated to its last {} bytes)",
                    self.cfg.excerpt_bytes
                );
            }
        }
        let level = crate::danger::check(&cmd).level;
        self.finish(None, &cmd, level, "background", res, &mut EditorUi(ed));
    }
}

struct Flags {
    yes: bool,
    run: bool,
    json: bool,
    no_man: bool,
    config: Option<PathBuf>,
    rest: Vec<String>,
}

fn split_flags(args: &[String]) -> Result<Flags, String> {
    let mut f = Flags {
        yes: false,
        run: false,
        json: false,
        no_man: false,
        config: None,
        rest: vec![],
    };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--yes" | "-y" => f.yes = true,
            "--run" => f.run = true,
            "--config" => {
                i += 1;
                f.config = Some(PathBuf::from(args.get(i).ok_or("--config needs a file")?));
            }
            "--" => {
                f.rest.extend(args[i..].iter().cloned());
                break;
            }
            a => {
                if a == "--json" {
                    f.json = true;
                }
                if a == "--no-man" {
                    f.no_man = true;
                }
                f.rest.push(a.to_string());
            }
        }
        i += 1;
    }
    Ok(f)
}

/// The candidate a network answer makes (ranked first: the configured provider
/// answered); `None` for the offline translator's own answer.
fn network_candidate(remote: &Remote, local: &[Candidate]) -> Option<Candidate> {
    let command = sanitize(&remote.command);
    if remote.source == aish_llm::Source::Offline || command.trim().is_empty() {
        return None;
    }
    let via = match remote.via {
        crate::backend::Via::Aishd => "via aishd",
        crate::backend::Via::InProcess => "in process",
    };
    Some(Candidate {
        command,
        confidence: 1.0,
        score: local.iter().map(|c| c.score).fold(1.0, f64::max) + 1.0,
        source: remote.source.to_string(),
        description: format!(
            "{} (from {}, {via})",
            sanitize(&remote.explanation).replace('\n', " "),
            remote.source
        ),
    })
}

/// `aish REQUEST`'s network answer: aishd's, or the configured providers' in
/// this process (the config is read only when a request needs it).
pub fn one_shot_asker(
    config: Option<PathBuf>,
) -> impl FnMut(&str, &[Candidate]) -> (Option<Candidate>, Vec<String>) {
    move |req, local| {
        let cfg = match Config::load(config.clone()) {
            Ok(c) => c,
            Err(e) => return (None, vec![format!("config: {e}; answering offline")]),
        };
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => return (None, vec![format!("no runtime for the providers: {e}")]),
        };
        let mut backend = crate::backend::Backend::new(&cfg.aishd_socket, cfg.llm.clone());
        let ctx = Context::detect();
        let first = local
            .first()
            .map(|c| (c.command.clone(), c.description.clone()))
            .unwrap_or_default();
        let lctx = crate::backend::context(&ctx);
        match backend.ask(&rt, req, &lctx, move |_, _| first) {
            Ok(r) => (network_candidate(&r, local), r.notes),
            Err(e) => (None, vec![e.to_string()]),
        }
    }
}

/// The program: the REPL without arguments, `--run REQUEST`, or the [`crate::cli`] commands.
pub fn main(argv: &[String]) -> i32 {
    let args = &argv[1.min(argv.len())..];
    let f = match split_flags(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("aish: {e}");
            return EX_USAGE;
        }
    };
    // Without arguments: the shell when stdin is a terminal, else the usage error.
    let interactive =
        f.rest.iter().all(|a| a == "--no-man") && std::io::stdin().is_terminal() && !f.run;
    // `aish REQUEST` at a terminal: the candidates, then the one chosen runs (Enter aborts).
    // Scripts (no terminal, or --json) get the list.
    let choose = !interactive
        && !f.run
        && std::io::stdin().is_terminal()
        && std::io::stdout().is_terminal()
        && crate::cli::is_plain_request(&f.rest);
    if !interactive && !f.run && !choose {
        let mut a = vec![argv.first().cloned().unwrap_or_else(|| "aish".into())];
        a.extend(f.rest);
        let mut ask = one_shot_asker(f.config.clone());
        return crate::cli::main_with(
            &a,
            &mut std::io::stdout(),
            &mut std::io::stderr(),
            Some(&mut ask),
        );
    }
    let cfg = match Config::load(f.config.clone()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("aish: config: {e}");
            return 78;
        }
    };
    let mut s = match Session::new(cfg, f.yes, f.no_man) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("aish: {e}");
            return 1;
        }
    };
    if interactive {
        return s.repl();
    }
    let what = if choose { "a request" } else { "--run" };
    let words: Vec<String> = f
        .rest
        .iter()
        .filter(|a| !a.starts_with("--"))
        .cloned()
        .collect();
    let req = sanitize(&words.join(" "));
    if req.trim().is_empty() || req.len() > crate::cli::MAX_INPUT {
        eprintln!("aish: {what} needs 1 to {} bytes", crate::cli::MAX_INPUT);
        return EX_USAGE;
    }
    if choose {
        return s.request(&req, &mut StdioUi).unwrap_or(EX_REFUSED);
    }
    s.run_once(&req, f.json)
}

impl Session {
    /// `aish --run REQUEST`: the best candidate, shown, checked and run through the same gate.
    pub fn run_once(&mut self, req: &str, json: bool) -> i32 {
        self.stats.requests += 1;
        let mut ui = StdioUi;
        let (cands, remote) = self.candidates(req, &mut ui);
        let Some(best) = cands.into_iter().next() else {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"request": req, "decision": "no_candidate"})
                );
            } else {
                eprintln!("no candidate for this request");
            }
            return 1;
        };
        let cmd = sanitize(&best.command);
        let v = crate::danger::check(&cmd);
        ui.say(&format!("{cmd}   [{}] {}", v.level, best.description));
        ui.say(explain::explain(&cmd, &self.tr).render().trim_end());
        let Some((decision, o)) =
            self.decide_and_run(Some(req), &cmd, remote.as_ref(), false, &mut ui)
        else {
            if json {
                println!(
                    "{}",
                    serde_json::json!({"request": req, "command": cmd, "level": v.level, "decision": "refused", "source": best.source})
                );
            }
            return EX_REFUSED;
        };
        if json {
            println!(
                "{}",
                serde_json::json!({"request": req, "command": cmd, "level": v.level, "decision": decision, "source": best.source, "outcome": o})
            );
        }
        o.map(|o| o.exit_code).unwrap_or(1)
    }
}
