//! questlog: search and summarise the ainux activity log.

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use questlog_client::protocol::{Query, now_ms};
use questlog_client::{Client, SpoolingClient};
use questlogd::cli;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Search and summarise what happened on this machine.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// questlogd's socket.
    #[arg(
        long,
        env = "QUESTLOG_SOCKET",
        default_value = "/run/ainux/questlog.sock",
        global = true
    )]
    socket: PathBuf,
    /// Machine-readable JSON output.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(ClapArgs, Clone, Default)]
struct Filters {
    /// Only events at or after this time (2024-05-01, '2024-05-01 13:00', 10m, 2h, 3d, today).
    #[arg(long)]
    since: Option<String>,
    /// Only events before this time.
    #[arg(long)]
    until: Option<String>,
    /// Only this user's events (name or uid).
    #[arg(long)]
    user: Option<String>,
    /// Only events of this unit.
    #[arg(long)]
    unit: Option<String>,
    /// Only commands with this exit code.
    #[arg(long)]
    exit: Option<i32>,
    /// Only commands run in this directory ('.' = here; a trailing '/' includes subdirectories).
    #[arg(long)]
    cwd: Option<String>,
    /// Only these types (command, alert, heal_action, assistant_decision, snapshot, unit,
    /// kernel, internal); repeat or separate with commas.
    #[arg(long = "type", value_delimiter = ',')]
    types: Vec<String>,
    /// Only events from this source (bash, zsh, journal, a service name).
    #[arg(long)]
    source: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Json,
    Csv,
}

#[derive(Subcommand)]
enum Cmd {
    /// The latest events, newest first.
    Recent {
        #[command(flatten)]
        f: Filters,
        /// How many.
        #[arg(long, short = 'n', default_value_t = 20)]
        limit: usize,
        /// Show cwd, duration, tty and fields under each event.
        #[arg(long, short)]
        long: bool,
    },
    /// Events whose text contains TEXT (case-insensitive substring).
    Search {
        text: String,
        #[command(flatten)]
        f: Filters,
        #[arg(long, short = 'n', default_value_t = 50)]
        limit: usize,
        #[arg(long, short)]
        long: bool,
    },
    /// Top commands, failure rates, per-day counts, busiest units.
    Stats {
        #[command(flatten)]
        f: Filters,
    },
    /// Every matching event, oldest first.
    Export {
        #[arg(long, value_enum, default_value = "json")]
        format: Format,
        #[command(flatten)]
        f: Filters,
    },
    /// Check that questlogd answers, and who it thinks you are.
    Ping,
    /// Internal: the per-shell-session agent started by the shell hooks.
    #[command(hide = true)]
    SessionAgent {
        #[arg(long, default_value = "bash")]
        shell: String,
        #[arg(long)]
        session: Option<String>,
        #[arg(long)]
        tty: Option<String>,
    },
}

fn query(f: &Filters) -> Result<Query> {
    let now = now_ms();
    let mut q = Query {
        since_ms: f
            .since
            .as_deref()
            .map(|s| cli::parse_time(s, now))
            .transpose()?,
        until_ms: f
            .until
            .as_deref()
            .map(|s| cli::parse_time(s, now))
            .transpose()?,
        unit: f.unit.clone(),
        exit: f.exit,
        source: f.source.clone(),
        types: f
            .types
            .iter()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        ..Default::default()
    };
    if let Some(u) = &f.user {
        q.uid = Some(questlogd::access::uid_of(u).with_context(|| format!("no such user {u:?}"))?);
    }
    if let Some(c) = &f.cwd {
        q.cwd = Some(if c == "." {
            std::env::current_dir()?.to_string_lossy().into_owned()
        } else {
            c.clone()
        });
    }
    Ok(q)
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(code) => code,
        Err(e) => {
            let mut msg = format!("questlog: {e}");
            for c in e.chain().skip(1) {
                msg.push_str(&format!("\n  caused by: {c}"));
            }
            eprintln!("{msg}");
            ExitCode::from(1)
        }
    }
}

fn run(args: Args) -> Result<ExitCode> {
    let connect = || Client::connect(&args.socket).context("is questlogd running?");
    let out = std::io::stdout();
    let mut out = std::io::BufWriter::new(out.lock());
    let width = cli::terminal_width();
    match args.cmd {
        Cmd::Recent { f, limit, long } => {
            let mut q = query(&f)?;
            q.limit = Some(limit);
            let (mut rows, _) = connect()?.query(q)?;
            if args.json {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                rows.reverse(); // oldest at the top, newest just above the prompt
                write!(out, "{}", cli::render_rows(&rows, width, long))?;
            }
        }
        Cmd::Search {
            text,
            f,
            limit,
            long,
        } => {
            let mut q = query(&f)?;
            q.limit = Some(limit);
            q.text = Some(text);
            let (rows, more) = connect()?.query(q)?;
            if args.json {
                serde_json::to_writer_pretty(&mut out, &rows)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", cli::render_rows(&rows, width, long))?;
                if more {
                    writeln!(out, "(more matches; use -n or filters)")?;
                }
            }
            if rows.is_empty() {
                out.flush()?;
                return Ok(ExitCode::from(1));
            }
        }
        Cmd::Stats { f } => {
            let s = connect()?.stats(query(&f)?)?;
            if args.json {
                serde_json::to_writer_pretty(&mut out, &s)?;
                writeln!(out)?;
            } else {
                write!(out, "{}", cli::render_stats(&s, width))?;
            }
        }
        Cmd::Export { format, f } => {
            let mut q = query(&f)?;
            q.ascending = true;
            q.limit = Some(5000);
            let mut c = connect()?;
            let mut first = true;
            match format {
                Format::Json => write!(out, "[")?,
                Format::Csv => writeln!(out, "{}", cli::CSV_HEADER)?,
            }
            loop {
                let (rows, more) = c.query(q.clone())?;
                for r in &rows {
                    match format {
                        Format::Json => {
                            writeln!(out, "{}", if first { "" } else { "," })?;
                            serde_json::to_writer(&mut out, r)?;
                        }
                        Format::Csv => writeln!(out, "{}", cli::csv_row(r))?,
                    }
                    first = false;
                }
                match rows.last() {
                    Some(last) if more => q.after_id = Some(last.id),
                    _ => break,
                }
            }
            if let Format::Json = format {
                writeln!(out, "\n]")?;
            }
        }
        Cmd::Ping => {
            let r = connect()?.request(&questlog_client::Request::Ping)?;
            if args.json {
                serde_json::to_writer(&mut out, &r)?;
                writeln!(out)?;
            } else if let questlog_client::Response::Pong { uid, version } = r {
                writeln!(out, "questlogd {version} answers; you are uid {uid}")?;
            }
        }
        Cmd::SessionAgent {
            shell,
            session,
            tty,
        } => {
            drop(out);
            return session_agent(args.socket, shell, session, tty);
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn session_agent(
    socket: PathBuf,
    shell: String,
    session: Option<String>,
    tty: Option<String>,
) -> Result<ExitCode> {
    use questlogd::agent::{RecordReader, Session};
    // The terminal's signals are for the shell; this process ends when the shell closes the pipe.
    for sig in [
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGHUP,
        libc::SIGTSTP,
        libc::SIGTTIN,
        libc::SIGTTOU,
    ] {
        // SAFETY: setting a signal to be ignored.
        unsafe { libc::signal(sig, libc::SIG_IGN) };
    }
    let session = session.unwrap_or_else(questlog_client::protocol::new_event_id);
    let mut sess = Session::new(
        session,
        shell,
        tty.filter(|t| !t.is_empty() && t != "not a tty"),
    );
    let mut client = SpoolingClient::new(
        socket,
        questlog_client::Spool::new(
            questlog_client::client::default_spool_path(),
            questlog_client::spool::DEFAULT_MAX_BYTES,
        ),
    );
    let stdin = std::io::stdin();
    let mut reader = RecordReader::new(stdin.lock());
    if client.replay().is_err() {
        // Daemon down: the spool waits for the next command.
    }
    while let Some(rec) = reader
        .next_record()
        .context("reading the shell's records")?
    {
        if let Some(ev) = sess.to_event(rec)
            && let Err(e) = client.send(vec![ev])
        {
            eprintln!("questlog: command not recorded: {e}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
