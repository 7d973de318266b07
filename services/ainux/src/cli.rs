//! Command-line parsing and output of `ainux` (main.rs only calls [`main`]).

use crate::config::Config;
use crate::lock::{self, Lock, LockError};
use crate::meta::{ConfigName, Info, Kind};
use crate::store::{Create, Store, StoreError};
use crate::{BootLoader, NoBootLoader, error_text};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::ffi::OsString;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "ainux",
    version,
    about = "One command for the whole ainux machine: snapshots and rollback, service status, \
             image information, and the other ainux tools",
    after_help = "Examples:\n  \
        ainux status                         every ainux service and its health\n  \
        ainux snapshot create -d 'before tuning'\n  \
        ainux snapshot list --json\n  \
        ainux snapshot diff 3                what changed since snapshot 3\n  \
        ainux rollback 3                     boot snapshot 3's state at the next boot\n  \
        ainux log search nginx               = questlog search nginx\n  \
        ainux ask 'free disk space'          = aish 'free disk space'\n\n\
        Exit codes: 0 ok, 1 error, 2 usage, 3 refused, 4 no such snapshot, 5 busy (--no-wait),\n\
        6 filesystem full, 7 not btrfs, 127 tool not installed."
)]
pub struct Cli {
    /// Print JSON instead of text (errors too).
    #[arg(long, global = true)]
    pub json: bool,
    /// Config file (default /etc/ainux/snapshot.toml; env AINUX_SNAPSHOT__<KEY> overrides).
    #[arg(long, global = true, value_name = "FILE")]
    pub config_file: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Every ainux service, socket and timer: unit state and health probe.
    Status,
    /// Image id and version, build digest, kernel, btrfs subvolumes and the default one.
    Info,
    /// Create, list, delete, compare and clean up btrfs snapshots.
    #[command(subcommand)]
    Snapshot(SnapshotCmd),
    /// Make a writable copy of root snapshot ID the default subvolume (after a read-only backup
    /// of the running root); it takes effect at the next boot.
    Rollback {
        id: u64,
        /// Fail at once if another snapshot operation runs, instead of waiting.
        #[arg(long)]
        no_wait: bool,
    },
    /// Boot counting, the fallback entry and automatic rollback (systemd-boot on the ESP).
    #[command(subcommand)]
    Boot(BootCmd),
    /// The activity log: runs `questlog ARGS…`.
    #[command(disable_help_flag = true)]
    Log(Passthrough),
    /// The shell assistant: runs `aish ARGS…`.
    #[command(disable_help_flag = true)]
    Ask(Passthrough),
    /// The self-healing daemon's CLI: runs `healer ARGS…`.
    #[command(disable_help_flag = true)]
    Heal(Passthrough),
    /// Metrics and anomalies: runs `kmonitor ARGS…`.
    #[command(disable_help_flag = true)]
    Monitor(Passthrough),
}

#[derive(Debug, Args)]
pub struct Passthrough {
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<OsString>,
}

#[derive(Debug, Args)]
pub struct Which {
    /// Which subvolume: root (/) or home (/home).
    #[arg(long, short = 'c', default_value = "root")]
    pub config: ConfigName,
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCmd {
    /// Take a read-only snapshot.
    Create {
        #[command(flatten)]
        which: Which,
        #[arg(long, short = 'd', default_value = "")]
        description: String,
        /// single, pre or post (post needs --pre-id).
        #[arg(long = "type", short = 't', default_value = "single")]
        kind: Kind,
        #[arg(long)]
        pre_id: Option<u64>,
        /// Important snapshots have their own retention limit.
        #[arg(long)]
        important: bool,
        /// Who asked (default: your user name); `timer` makes it a timeline snapshot.
        #[arg(long)]
        creator: Option<String>,
        /// Run the clean-up (retention) afterwards, under the same lock.
        #[arg(long)]
        cleanup: bool,
        #[arg(long)]
        no_wait: bool,
    },
    /// List snapshots (oldest first).
    List {
        #[command(flatten)]
        which: Which,
    },
    /// Delete snapshots.
    Delete {
        #[command(flatten)]
        which: Which,
        #[arg(required = true)]
        ids: Vec<u64>,
        /// Also delete the backup that is the way back from the current rollback.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        no_wait: bool,
    },
    /// Changed files from snapshot ID to snapshot ID2, or to the live system.
    Diff {
        #[command(flatten)]
        which: Which,
        id: u64,
        id2: Option<u64>,
    },
    /// Apply retention: number and timeline limits, empty pre/post pairs, space limit.
    Cleanup {
        /// root, home, or both when omitted.
        #[arg(long, short = 'c')]
        config: Option<ConfigName>,
        #[arg(long)]
        no_wait: bool,
    },
    /// Serve one connection of the snapshot socket (run by ainux-snapshot@.service).
    #[command(hide = true)]
    ServeConn,
}

#[derive(Debug, Subcommand)]
pub enum BootCmd {
    /// The boot entries: kernel, boot-counting tries, the fallback snapshot.
    Status,
    /// This boot reached multi-user.target: fresh tries for the entry, the fallback entry
    /// follows the newest good snapshot, spooled boot events go to questlogd
    /// (run by ainux-boot-good.service).
    MarkGood,
    /// In a fallback boot: roll back to the snapshot named by ainux.autorollback=ID, keeping the
    /// root that failed read-only (run by ainux-autorollback.service, which then reboots).
    AutoRollback,
}

/// Errors of the `ainux` command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Config(#[from] ainux_common::config::ConfigError),
    #[error(transparent)]
    Info(#[from] crate::info::InfoError),
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
    #[error(
        "`{tool}` is not installed (ainux {sub} runs it); install the package that provides it"
    )]
    ToolMissing { tool: String, sub: &'static str },
    #[error("cannot run {tool}")]
    Exec {
        tool: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Boot(#[from] crate::boot::BootError),
    #[error(transparent)]
    AutoRollback(#[from] crate::boot::AutoRollbackError),
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    /// The exit code (see `ainux --help`).
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Store(StoreError::Refused { .. }) => 3,
            CliError::Store(StoreError::NoSuchSnapshot { .. }) => 4,
            CliError::Lock(LockError::Busy { .. }) => 5,
            CliError::Store(StoreError::NoSpace { .. }) => 6,
            CliError::Store(StoreError::NotBtrfs { .. }) => 7,
            CliError::Store(StoreError::BadRequest(_)) => 2,
            CliError::ToolMissing { .. } => 127,
            _ => 1,
        }
    }
    fn kind(&self) -> &'static str {
        match self.exit_code() {
            2 => "bad-request",
            3 => "refused",
            4 => "not-found",
            5 => "busy",
            6 => "no-space",
            7 => "not-btrfs",
            127 => "not-installed",
            _ => "error",
        }
    }
}

/// The boot loader hook: the one place that decides which [`BootLoader`] the CLI uses: the
/// ESP's entries when the ESP is mounted (its automount mounts it on this first look), else
/// nothing to update.
pub fn boot_loader(cfg: &Config) -> Box<dyn BootLoader> {
    match cfg.boot.open_esp() {
        Ok(esp) => Box::new(crate::boot::EspLoader {
            esp,
            cfg: cfg.boot.clone(),
        }),
        Err(e) => {
            tracing::debug!(cause = %e, "no boot entries to update");
            Box::new(NoBootLoader)
        }
    }
}

/// Parses the command line, runs it, prints, and exits.
pub fn main() -> ! {
    // `ainux log ARGS…` hands every argument, `--json` and `--help` included, to the tool.
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Some((tool, sub)) = args.get(1).and_then(|a| passthrough(a)) {
        let e = match dispatch(tool, sub, args[2..].to_vec()) {
            Err(e) => e,
            Ok(_) => unreachable!("exec returned"),
        };
        eprintln!("ainux: {}", ainux_common::error_chain(&e));
        std::process::exit(e.exit_code());
    }
    let cli = Cli::parse();
    let json = cli.json;
    if !matches!(cli.command, Command::Snapshot(SnapshotCmd::ServeConn)) {
        // Like other command-line tools: `ainux snapshot list | head` ends quietly.
        // SAFETY: setting a signal disposition to the default has no preconditions.
        unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    }
    match run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            if json {
                println!(
                    "{}",
                    json!({"ok": false, "error": error_text(&e), "kind": e.kind()})
                );
            } else {
                eprintln!("ainux: {}", ainux_common::error_chain(&e));
            }
            std::process::exit(e.exit_code())
        }
    }
}

fn load_config(file: &Option<PathBuf>) -> Result<Config, CliError> {
    let source = match file {
        Some(p) => ainux_common::config::Source::Named(p.clone()),
        None => ainux_common::config::Source::Default,
    };
    Ok(ainux_common::config::load("snapshot", &source)?)
}

fn take_lock(cfg: &Config, what: &str, no_wait: bool) -> Result<Lock, CliError> {
    Ok(lock::acquire(&cfg.lock_file, what, !no_wait, |holder| {
        eprintln!("ainux: waiting for another snapshot operation to finish ({holder})…");
    })?)
}

/// Runs a parsed command; returns the exit code.
pub fn run(cli: Cli) -> Result<i32, CliError> {
    let json = cli.json;
    match cli.command {
        // Reached only as `ainux --json log …` (otherwise `main` dispatched before parsing).
        Command::Log(p) => dispatch("questlog", "log", with_json(json, p.args)),
        Command::Ask(p) => dispatch("aish", "ask", with_json(json, p.args)),
        Command::Heal(p) => dispatch("healer", "heal", with_json(json, p.args)),
        Command::Monitor(p) => dispatch("kmonitor", "monitor", with_json(json, p.args)),
        Command::Status => {
            let report =
                crate::status::collect(&crate::status::Systemctl, &crate::status::default_probes());
            if json {
                println!("{}", serde_json::to_string(&report).expect("serialises"));
            } else {
                print!("{}", crate::status::render(&report));
            }
            Ok(if report.healthy { 0 } else { 1 })
        }
        Command::Info => {
            let cfg = load_config(&cli.config_file)?;
            let info = crate::info::collect(std::path::Path::new("/"), &cfg)?;
            if json {
                println!("{}", serde_json::to_string(&info).expect("serialises"));
            } else {
                print!("{}", crate::info::render(&info));
            }
            Ok(0)
        }
        Command::Rollback { id, no_wait } => {
            let cfg = load_config(&cli.config_file)?;
            let lock = take_lock(&cfg, &format!("rollback {id}"), no_wait)?;
            let loader = boot_loader(&cfg);
            let store = Store::new(cfg);
            let r = store.rollback(&lock, id, loader.as_ref())?;
            let mut fields = questlog_client::protocol::Fields::new();
            fields.insert("backup".into(), r.backup.into());
            fields.insert("new_default".into(), r.new_default.into());
            crate::record::send(&[crate::record::event(
                "rollback",
                ConfigName::Root,
                id,
                &format!(
                    "ainux rollback {id}: reboot to use snapshot {}",
                    r.new_default
                ),
                fields,
            )]);
            if json {
                println!("{}", json!({"ok": true, "rollback": r}));
            } else {
                println!("Rolled back the root to snapshot {id}:");
                println!(
                    "  snapshot {} is a read-only backup of the root that is running now;",
                    r.backup
                );
                println!(
                    "  snapshot {} ({}) is a writable copy of snapshot {id} and the new default subvolume.",
                    r.new_default,
                    r.new_default_path.display()
                );
                println!(
                    "Reboot to boot into it. Until then nothing changes for the running system."
                );
                println!(
                    "To undo before or after the reboot: ainux rollback {}",
                    r.backup
                );
            }
            if let Some(e) = &r.boot_loader_error {
                eprintln!("ainux: warning: the boot loader was not updated: {e}");
                return Ok(1);
            }
            Ok(0)
        }
        Command::Snapshot(cmd) => snapshot(cmd, json, &cli.config_file),
        Command::Boot(cmd) => boot(cmd, json, &cli.config_file),
    }
}

fn boot(cmd: BootCmd, json: bool, file: &Option<PathBuf>) -> Result<i32, CliError> {
    let cfg = load_config(file)?;
    match cmd {
        BootCmd::Status => {
            let s = crate::boot::status(&cfg.boot)?;
            if json {
                println!("{}", serde_json::to_string(&s).expect("serialises"));
                return Ok(0);
            }
            let tries = match (s.tries_left, s.tries_done) {
                (None, _) => "boot counting off".to_string(),
                (Some(l), d) => format!("{l} tries left, {} done", d.unwrap_or(0)),
            };
            println!("ESP            {}", s.esp.display());
            println!(
                "main entry     {} ({tries}{})",
                s.main_entry,
                if s.main_entry_bad {
                    "; given up: the fallback boots next"
                } else {
                    ""
                }
            );
            println!("kernel         {}", s.kernel.as_deref().unwrap_or("?"));
            println!(
                "auto rollback  {}",
                if s.auto_rollback {
                    format!("on, after {} failed boots", s.tries)
                } else {
                    "off".into()
                }
            );
            println!(
                "fallback       {}",
                s.fallback_snapshot
                    .map_or("none (no good root snapshot)".into(), |i| format!(
                        "snapshot {i}"
                    ))
            );
            println!("kernels on ESP {}", s.kernels_on_esp.join(", "));
            if let Some(id) = s.fallback_boot {
                println!("this boot      a fallback boot of snapshot {id}");
            }
            if s.pending_events > 0 {
                println!("pending events {} (for questlogd)", s.pending_events);
            }
            Ok(0)
        }
        BootCmd::MarkGood => {
            if let Some(id) = crate::boot::this_boot_fallback() {
                let msg = format!("a fallback boot of snapshot {id} is not marked good");
                if json {
                    println!("{}", json!({"ok": true, "skipped": msg}));
                } else {
                    println!("{msg}");
                }
                return Ok(0);
            }
            let store = Store::new(cfg.clone());
            let r = crate::boot::mark_good(&cfg.boot, &store)?;
            if json {
                println!("{}", json!({"ok": true, "mark_good": r}));
            } else {
                match &r.rearmed {
                    Some((a, b)) => println!("boot entry {a} -> {b}"),
                    None => println!("boot entry unchanged"),
                }
                if let Some(id) = r.fallback_snapshot {
                    println!("fallback: snapshot {id}");
                }
                if r.events_delivered > 0 {
                    println!(
                        "{} boot event(s) delivered to questlogd",
                        r.events_delivered
                    );
                }
            }
            Ok(0)
        }
        BootCmd::AutoRollback => {
            let r = crate::boot::auto_rollback(&cfg)?;
            if json {
                println!("{}", json!({"ok": true, "auto_rollback": r}));
            } else {
                println!(
                    "automatic rollback: {} failed to boot; snapshot {} (writable copy of {}) is the default now, the failed root is kept read-only as snapshot {}; rebooting",
                    r.failed_entry, r.rollback.new_default, r.target, r.rollback.backup
                );
            }
            Ok(0)
        }
    }
}

/// The activity-log event of a new snapshot.
pub fn created_event(info: &Info) -> questlog_client::Event {
    let mut fields = questlog_client::protocol::Fields::new();
    fields.insert("type".into(), info.kind.as_str().into());
    fields.insert("creator".into(), info.creator.clone().into());
    if let Some(p) = info.pre_id {
        fields.insert("pre_id".into(), p.into());
    }
    crate::record::event("created", info.config, info.id, &info.description, fields)
}

fn removed_events(r: &crate::store::CleanupReport) -> Vec<questlog_client::Event> {
    r.removed
        .iter()
        .map(|x| {
            let reason = format!("retention: {}", x.reason);
            crate::record::event("removed", x.config, x.id, &reason, Default::default())
        })
        .collect()
}

fn user_name() -> String {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    crate::serve::user_name(uid).unwrap_or_else(|| uid.to_string())
}

fn row(i: &Info, flags: &str) -> String {
    format!(
        "{:>5} | {:<6} | {:>5} | {:<19} | {:<8} | {:<4} | {}",
        i.id,
        i.kind.as_str(),
        i.pre_id.map(|p| p.to_string()).unwrap_or_default(),
        crate::time::format(i.time),
        i.creator,
        flags,
        i.description
    )
}

fn snapshot(cmd: SnapshotCmd, json: bool, file: &Option<PathBuf>) -> Result<i32, CliError> {
    let cfg = load_config(file)?;
    let loader = boot_loader(&cfg);
    match cmd {
        SnapshotCmd::ServeConn => {
            // A client that went away is its own problem, not a failure of this instance.
            match crate::serve::serve_systemd_conn(&Store::new(cfg), loader.as_ref()) {
                Err(crate::serve::ServeError::Io(e)) => {
                    tracing::warn!(cause = %e, "snapshot service connection failed");
                    Ok(0)
                }
                r => r.map(|()| 0).map_err(Into::into),
            }
        }
        SnapshotCmd::Create {
            which,
            description,
            kind,
            pre_id,
            important,
            creator,
            cleanup,
            no_wait,
        } => {
            let lock = take_lock(&cfg, "create", no_wait)?;
            let store = Store::new(cfg);
            let req = Create {
                config: which.config,
                kind,
                pre_id,
                description,
                important,
                creator: creator.unwrap_or_else(user_name),
                user: None,
            };
            let info = store.create(&lock, &req, loader.as_ref())?;
            let cleaned = if cleanup {
                Some(store.cleanup(&lock, which.config, crate::time::now(), loader.as_ref())?)
            } else {
                None
            };
            let mut events = vec![created_event(&info)];
            events.extend(cleaned.iter().flat_map(removed_events));
            crate::record::send(&events);
            if json {
                println!(
                    "{}",
                    json!({"ok": true, "snapshot": info, "cleanup": cleaned})
                );
            } else {
                println!("{}", info.id);
                if let Some(c) = &cleaned {
                    for r in &c.removed {
                        eprintln!("removed {} snapshot {} ({})", r.config, r.id, r.reason);
                    }
                }
            }
            Ok(0)
        }
        SnapshotCmd::List { which } => {
            let store = Store::new(cfg);
            let list = store.list(which.config)?;
            if json {
                println!("{}", serde_json::to_string(&list).expect("serialises"));
            } else {
                println!(
                    "   id | type   |   pre | date (UTC)          | creator  | flag | description"
                );
                for e in &list {
                    let mut flags = String::new();
                    if e.default {
                        flags.push('+');
                    }
                    if e.active {
                        flags.push('*');
                    }
                    if e.info.important() {
                        flags.push('!');
                    }
                    if !e.info.read_only {
                        flags.push('w');
                    }
                    println!("{}", row(&e.info, &flags));
                }
                println!("flags: + default (boots next), * running, ! important, w writable");
            }
            Ok(0)
        }
        SnapshotCmd::Delete {
            which,
            ids,
            force,
            no_wait,
        } => {
            let lock = take_lock(&cfg, "delete", no_wait)?;
            let store = Store::new(cfg);
            for id in &ids {
                store.delete(&lock, which.config, *id, force, loader.as_ref())?;
                crate::record::send(&[crate::record::event(
                    "deleted",
                    which.config,
                    *id,
                    "ainux snapshot delete",
                    Default::default(),
                )]);
                if !json {
                    println!("deleted {} snapshot {id}", which.config);
                }
            }
            if json {
                println!(
                    "{}",
                    json!({"ok": true, "deleted": ids, "config": which.config})
                );
            }
            Ok(0)
        }
        SnapshotCmd::Diff { which, id, id2 } => {
            let store = Store::new(cfg);
            let changes = store.diff(which.config, id, id2)?;
            if json {
                println!("{}", serde_json::to_string(&changes).expect("serialises"));
            } else {
                for c in &changes {
                    println!("{} {}", c.status.letter(), c.path);
                }
            }
            Ok(0)
        }
        SnapshotCmd::Cleanup { config, no_wait } => {
            let lock = take_lock(&cfg, "cleanup", no_wait)?;
            let store = Store::new(cfg);
            let configs = match config {
                Some(c) => vec![c],
                None => vec![ConfigName::Root, ConfigName::Home],
            };
            let mut reports = Vec::new();
            for c in configs {
                let r = store.cleanup(&lock, c, crate::time::now(), loader.as_ref())?;
                crate::record::send(&removed_events(&r));
                if !json {
                    for x in &r.removed {
                        println!("removed {} snapshot {} ({})", x.config, x.id, x.reason);
                    }
                    for e in &r.errors {
                        eprintln!("ainux: {e}");
                    }
                }
                reports.push(r);
            }
            if json {
                println!("{}", json!({"ok": true, "cleanup": reports}));
            }
            Ok(if reports.iter().all(|r| r.errors.is_empty()) {
                0
            } else {
                1
            })
        }
    }
}

/// The tool behind a passthrough subcommand.
pub fn passthrough(sub: &std::ffi::OsStr) -> Option<(&'static str, &'static str)> {
    match sub.to_str()? {
        "log" => Some(("questlog", "log")),
        "ask" => Some(("aish", "ask")),
        "heal" => Some(("healer", "heal")),
        "monitor" => Some(("kmonitor", "monitor")),
        _ => None,
    }
}

fn with_json(json: bool, mut args: Vec<OsString>) -> Vec<OsString> {
    if json {
        args.insert(0, "--json".into());
    }
    args
}

/// Replaces this process with `tool args…` (the exit code is the tool's).
fn dispatch(tool: &str, sub: &'static str, args: Vec<OsString>) -> Result<i32, CliError> {
    use std::os::unix::process::CommandExt;
    let e = std::process::Command::new(tool).args(args).exec();
    if e.kind() == std::io::ErrorKind::NotFound {
        return Err(CliError::ToolMissing {
            tool: tool.to_string(),
            sub,
        });
    }
    Err(CliError::Exec {
        tool: tool.to_string(),
        source: e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn passthrough_keeps_every_argument() {
        assert_eq!(passthrough("heal".as_ref()), Some(("healer", "heal")));
        assert_eq!(passthrough("snapshot".as_ref()), None);
        let c = Cli::try_parse_from(["ainux", "heal", "status", "-v"]).unwrap();
        match c.command {
            Command::Heal(p) => assert_eq!(p.args, vec!["status", "-v"]),
            other => panic!("{other:?}"),
        }
        let c = Cli::try_parse_from([
            "ainux", "snapshot", "create", "-t", "post", "--pre-id", "4", "--json",
        ])
        .unwrap();
        assert!(c.json);
        assert!(Cli::try_parse_from(["ainux", "snapshot", "create", "-t", "sideways"]).is_err());
        assert!(Cli::try_parse_from(["ainux", "snapshot", "list", "-c", "var"]).is_err());
    }
}
