//! `kmonitord`: the metrics and anomaly daemon.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use ainux_common::notify::{State, notify, watchdog_interval};

use anyhow::Context;
use clap::Parser;
use kmonitord::daemon::{self, Config};
use tokio::signal::unix::{SignalKind, signal};

#[derive(Parser)]
#[command(
    name = "kmonitord",
    version,
    about = "ainux metrics and anomaly daemon"
)]
struct Args {
    /// Config file (default /etc/ainux/kmonitord.toml, optional).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Log one JSON object per line.
    #[arg(long)]
    log_json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    ainux_common::logging::init("info", args.log_json);
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("kmonitord: {}", chain.join(": "));
            ExitCode::from(1)
        }
    }
}

fn run(args: Args) -> anyhow::Result<()> {
    let cfg = Config::load(args.config.as_deref(), std::env::vars())?;
    let interval = Duration::from_secs_f64(cfg.interval_secs);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal runtime")?;
    // The handlers are installed before READY=1: a stop sent as soon as systemd sees the
    // service started is a graceful one, never the default action of the signal.
    let (mut term, mut interrupt) = {
        let _in_runtime = rt.enter();
        (
            signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
        )
    };
    let handle = daemon::start(cfg)?;
    tracing::info!(addr = %handle.addr, "serving /metrics");
    if let Err(e) = notify(&[State::Ready, State::Status("collecting")]) {
        tracing::warn!(cause = %e, "sd_notify failed");
    }
    let watchdog = watchdog_interval();
    // The collector must have finished a round within this age for the watchdog to be fed.
    let max_age = interval * 3 + Duration::from_secs(30);
    rt.block_on(async {
        let mut tick = tokio::time::interval(watchdog.map_or(Duration::from_secs(3600), |w| w / 2));
        loop {
            tokio::select! {
                _ = term.recv() => break,
                _ = interrupt.recv() => break,
                _ = tick.tick() => {
                    if watchdog.is_some() {
                        if handle.alive(max_age) {
                            let _ = notify(&[State::Watchdog]);
                        } else {
                            tracing::error!("collection loop stalled; not feeding the watchdog");
                        }
                    }
                }
            }
        }
    });
    tracing::info!("stopping");
    let _ = notify(&[State::Stopping]);
    handle.shutdown();
    Ok(())
}
