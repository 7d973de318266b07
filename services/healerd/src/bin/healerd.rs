//! healerd: watches systemd units and heals them by policy.

use std::path::PathBuf;
use std::process::ExitCode;

use ainux_common::notify::State;
use clap::Parser;
use healerd::config::Config;
use healerd::dbus::DbusSystemd;
use healerd::driver::{Control, Driver};
use healerd::policy::PolicySet;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{error, info, warn};

#[derive(Parser)]
#[command(version, about = "ainux self-healing daemon")]
struct Args {
    /// Config file (default /etc/ainux/healerd.toml when it exists).
    #[arg(long, env = "HEALERD_CONFIG")]
    config: Option<PathBuf>,
    /// Policy file or directory (overrides policy_path).
    #[arg(long)]
    policies: Option<PathBuf>,
    /// Control socket path (overrides socket).
    #[arg(long)]
    socket: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut cfg = match Config::load(args.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("healerd: {}", chain(&e));
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    if let Some(p) = args.policies {
        cfg.policy_path = p;
    }
    if let Some(s) = args.socket {
        cfg.socket = s;
    }
    ainux_common::logging::init("info", cfg.log_json);
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("healerd: cannot start the runtime: {e}");
            return ExitCode::from(71);
        }
    };
    match rt.block_on(run(cfg)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!("{}", chain(e.as_ref()));
            ExitCode::from(1)
        }
    }
}

async fn run(cfg: Config) -> anyhow::Result<()> {
    let (policies, policy_error) = match PolicySet::load(&cfg.policy_path) {
        Ok(p) => {
            info!(policies = p.len(), path = %cfg.policy_path.display(), "policies loaded");
            (p, None)
        }
        Err(e) => {
            // Keep running (healing nothing) so a fixed file and SIGHUP recover.
            error!(cause = %chain(&e), "cannot load policies; running without any");
            (PolicySet::default(), Some(e.to_string()))
        }
    };
    // The handlers first: a client may send SIGHUP (systemctl reload) or SIGTERM as soon as the
    // socket answers or READY=1 is sent, and until then they would kill the process.
    use tokio::signal::unix::{SignalKind, signal};
    let mut hup = signal(SignalKind::hangup())?;
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let listener = healerd::ipc::bind(&cfg.socket)?;
    let (control_tx, control_rx) = mpsc::channel::<Control>(64);
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let driver = Driver::new(DbusSystemd::new(), cfg.clone(), policies)
        .with_policy_error(policy_error)
        .on_ready(|| {
            notify(State::Ready);
            info!("healerd ready");
        });
    let ipc = tokio::spawn(healerd::ipc::serve(
        listener,
        control_tx.clone(),
        shutdown_rx.clone(),
    ));
    let drv = tokio::spawn(driver.run(control_rx, shutdown_rx.clone()));
    tokio::spawn(watchdog(control_tx.clone()));

    loop {
        tokio::select! {
            _ = hup.recv() => {
                notify(State::Reloading);
                let (tx, rx) = oneshot::channel();
                if control_tx.send(Control::Reload(tx)).await.is_ok() {
                    match rx.await {
                        Ok(Ok(n)) => info!(policies = n, "reload done"),
                        Ok(Err(e)) => warn!(cause = %e, "reload rejected; last good policies kept"),
                        Err(_) => {}
                    }
                }
                notify(State::Ready);
            }
            _ = term.recv() => break,
            _ = int.recv() => break,
        }
    }
    notify(State::Stopping);
    let _ = shutdown_tx.send(true);
    let _ = drv.await;
    let _ = ipc.await;
    let _ = std::fs::remove_file(&cfg.socket);
    Ok(())
}

/// Ping systemd's watchdog only while the driver loop answers.
async fn watchdog(control: mpsc::Sender<Control>) {
    let Some(usec) = std::env::var("WATCHDOG_USEC")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    let period = std::time::Duration::from_micros(usec / 2);
    loop {
        tokio::time::sleep(period).await;
        let (tx, rx) = oneshot::channel();
        if control.send(Control::Status(tx)).await.is_err() {
            return;
        }
        if rx.await.is_ok() {
            notify(State::Watchdog);
        }
    }
}

/// sd_notify(3), through the shared implementation; a failure is logged, never fatal.
fn notify(state: State<'_>) {
    if let Err(e) = ainux_common::notify::notify(&[state]) {
        warn!(cause = %e, "sd_notify failed");
    }
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    std::iter::successors(Some(e), |e| e.source())
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join(": ")
}
