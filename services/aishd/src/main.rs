use ainux_common::config::Source;
use aish_llm::config::LlmConfig;
use anyhow::Context as _;
use std::sync::Arc;

#[tokio::main]
async fn main() {
    if let Err(e) = run().await {
        eprintln!("aishd: {e}");
        for cause in e.chain().skip(1) {
            eprintln!("  caused by: {cause}");
        }
        std::process::exit(1);
    }
}

async fn run() -> anyhow::Result<()> {
    let source = match std::env::args().nth(1).as_deref() {
        Some("--config") => Source::Named(
            std::env::args()
                .nth(2)
                .context("--config needs a path")?
                .into(),
        ),
        Some(other) => anyhow::bail!("unknown argument {other:?} (usage: aishd [--config FILE])"),
        None => Source::Default,
    };
    let cfg = LlmConfig::load(&source)?;
    // RUST_LOG wins over the config's log_level; JSON logs with AINUX_LOG_JSON=1.
    ainux_common::logging::init(
        &cfg.log_level,
        std::env::var("AINUX_LOG_JSON").is_ok_and(|v| v == "1"),
    );
    let dcfg = aishd::config::DaemonConfig::load(&Source::Default)?;
    // Handlers first: a SIGHUP or SIGTERM must never find the default action.
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let llm = aish_llm::Llm::new(cfg, Arc::new(aish_llm::clock::SystemClock::default()))?;
    let state = ainux_common::dirs::state_dir("/var/lib/ainux/aishd");
    std::fs::create_dir_all(&state)
        .with_context(|| format!("cannot create {}", state.display()))?;
    let store = aishd::remember::Store::open(&state.join("remembered.jsonl"))?;
    let dir = ainux_common::dirs::runtime_dir("/run/ainux/aishd");
    let path = dir.join("aishd.sock");
    let _ = std::fs::remove_file(&path);
    let listener = tokio::net::UnixListener::bind(&path)
        .with_context(|| format!("cannot bind {}", path.display()))?;
    // Every user may connect; the peer's uid tells them apart.
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .with_context(|| format!("cannot chmod {}", path.display()))?;
    tracing::info!(event = "listening", socket = %path.display());
    let daemon = Arc::new(aishd::Daemon::with_store(
        Arc::new(llm),
        store,
        dcfg.max_jobs,
    ));
    if !dcfg.metrics_listen.is_empty() {
        let l = tokio::net::TcpListener::bind(&dcfg.metrics_listen)
            .await
            .with_context(|| format!("cannot bind {}", dcfg.metrics_listen))?;
        tracing::info!(event = "metrics_listening", address = %l.local_addr()?);
        tokio::spawn(aishd::http::serve(
            l,
            daemon.clone(),
            std::future::pending(),
        ));
    }
    // Requests are served while the providers are probed; READY=1 after.
    let d = daemon.clone();
    tokio::spawn(async move {
        d.start_up().await;
        let _ = ainux_common::notify::notify(&[ainux_common::notify::State::Ready]);
    });
    // SIGHUP: reload the config; a bad one is logged and the last good one kept.
    let d = daemon.clone();
    tokio::spawn(async move {
        while hup.recv().await.is_some() {
            let fresh = LlmConfig::load(&source)
                .map_err(anyhow::Error::from)
                .and_then(|c| {
                    Ok(aish_llm::Llm::new(
                        c,
                        Arc::new(aish_llm::clock::SystemClock::default()),
                    )?)
                });
            match fresh {
                Ok(llm) => d.replace_llm(Arc::new(llm)),
                Err(e) => tracing::error!(
                    event = "config_reload_failed",
                    cause = %format!("{e:#}"),
                    "keeping the last good config"
                ),
            }
        }
    });
    aishd::serve(listener, daemon, async move {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    })
    .await;
    let _ = std::fs::remove_file(&path);
    Ok(())
}
