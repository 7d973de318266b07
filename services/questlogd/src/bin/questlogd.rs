//! questlogd: parse arguments, load config, set up tracing, run.

use ainux_common::{config, logging, notify};
use clap::Parser;
use questlogd::config::Config;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

/// The ainux activity log daemon.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Config file (default /etc/ainux/questlogd.toml, which may be missing).
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Print the effective configuration and exit.
    #[arg(long)]
    print_config: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let source = match args.config {
        Some(p) => config::Source::Named(p),
        None => config::Source::Default,
    };
    let cfg: Config = match config::load("questlogd", &source) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("questlogd: {}", ainux_common::error_chain(&e));
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    if args.print_config {
        println!("{}", toml_string(&cfg));
        return ExitCode::SUCCESS;
    }
    logging::init("info", cfg.log_json);
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("questlogd: cannot start runtime: {e}");
            return ExitCode::from(71);
        }
    };
    match rt.block_on(run(cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{}", ainux_common::error_chain(e.as_ref()));
            ExitCode::FAILURE
        }
    }
}

fn toml_string(cfg: &Config) -> String {
    serde_json::to_string_pretty(cfg).unwrap_or_default()
}

async fn run(cfg: Config) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (listener, cleanup) = questlogd::listener(&cfg)?;
    let (tx, rx) = tokio::sync::watch::channel(false);
    let journal_pid = Arc::new(AtomicU32::new(0));
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let jp = journal_pid.clone();
    tokio::spawn(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
        let _ = notify::notify(&[notify::State::Stopping]);
        let pid = jp.load(Ordering::SeqCst);
        if pid != 0 {
            // SAFETY: signalling our own child journalctl.
            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
        }
        let _ = tx.send(true);
    });
    if let Some(every) = notify::watchdog_interval() {
        tokio::spawn(async move {
            let mut t = tokio::time::interval(every / 2);
            loop {
                t.tick().await;
                let _ = notify::notify(&[notify::State::Watchdog]);
            }
        });
    }
    let journal = cfg
        .journal
        .enabled
        .then(|| questlogd::journalctl_opener(cfg.journal.journalctl.clone(), journal_pid.clone()));
    let opts = questlogd::RunOptions {
        journal,
        on_ready: Box::new(|| {
            tracing::info!("ready");
            let _ = notify::notify(&[
                notify::State::Ready,
                notify::State::Status("accepting events"),
            ]);
        }),
    };
    let r = questlogd::run(cfg, listener, opts, rx).await;
    if let Some(p) = cleanup {
        let _ = std::fs::remove_file(p);
    }
    r.map_err(Into::into)
}
