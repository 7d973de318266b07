//! `kmonitord`: the metrics and anomaly daemon.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use kmonitord::daemon::{self, Config};

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
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match run(Args::parse()) {
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
    let handle = daemon::start(cfg)?;
    tracing::info!(addr = %handle.addr, "serving /metrics");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the signal runtime")?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            _ = term.recv() => {}
            r = tokio::signal::ctrl_c() => r?,
        }
        Ok::<(), std::io::Error>(())
    })
    .context("waiting for a signal")?;
    tracing::info!("stopping");
    handle.shutdown();
    Ok(())
}
