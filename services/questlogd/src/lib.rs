//! questlogd: the ainux activity log. Shell commands, service events and journal events go in
//! over a Unix socket; `questlog` reads them back.
//!
//! Architecture: connection tasks (tokio) turn requests into rows (user from peer credentials,
//! redaction, limits) and queue them to one writer thread, which commits whatever is queued in
//! one transaction and only then answers (group commit). Queries run on read-only connections
//! beside it (WAL). The journal follower is a thread feeding the same writer, its cursor stored
//! in the same transaction as its events.

pub mod access;
pub mod agent;
pub mod cli;
pub mod config;
pub mod index;
pub mod ingest;
pub mod journal;
pub mod redact;
pub mod server;
pub mod store;
pub mod writer;

use crate::config::Config;
use crate::ingest::{Limits, to_row};
use crate::journal::{CURSOR_KEY, JournalSource};
use crate::redact::Redactor;
use crate::server::Shared;
use crate::store::{Store, StoreError};
use crate::writer::{RetentionPolicy, WriteJob, WriteStore, WriterMsg};
use questlog_client::protocol::{Event, EventKind};
use std::io;
use std::os::unix::net::UnixListener as StdListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, error, info, warn};

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error("cannot open the database")]
    Store(#[from] StoreError),
    #[error("bad redaction pattern")]
    Pattern(#[from] redact::PatternError),
    #[error("cannot listen on {path}")]
    Listen {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("the writer thread failed")]
    Writer,
}

/// A WAL file bigger than this is truncated once fully checkpointed and appends paused this long.
const WAL_TRUNCATE_ABOVE: u64 = 64 << 20;
const WAL_TRUNCATE_QUIET: Duration = Duration::from_secs(1);

/// Opens a journal source starting after a cursor.
pub type JournalOpener = Box<dyn FnMut(Option<&str>) -> io::Result<Box<dyn JournalSource>> + Send>;

/// The listening socket: socket-activated (fd 3) or bound to `cfg.socket`. Returns the
/// listener and the path to remove at exit (None when systemd owns it).
pub fn listener(cfg: &Config) -> Result<(StdListener, Option<PathBuf>), DaemonError> {
    use std::os::fd::FromRawFd;
    if let Some(fd) = ainux_common::notify::listen_fds().first() {
        // SAFETY: systemd passed this descriptor to us; we take ownership of it once.
        let l = unsafe { StdListener::from_raw_fd(*fd) };
        return Ok((l, None));
    }
    bind(&cfg.socket).map(|l| (l, Some(cfg.socket.clone())))
}

/// Binds a socket path (mode 0666: every user logs; peer credentials decide who they are).
pub fn bind(path: &Path) -> Result<StdListener, DaemonError> {
    use std::os::unix::fs::PermissionsExt;
    let err = |source| DaemonError::Listen {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(err)?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(err(io::Error::new(
                io::ErrorKind::AddrInUse,
                "another questlogd is listening",
            )));
        }
        std::fs::remove_file(path).map_err(err)?;
    }
    let l = StdListener::bind(path).map_err(err)?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o666)).map_err(err)?;
    Ok(l)
}

/// Hooks to run the daemon in tests and under systemd.
pub struct RunOptions {
    pub journal: Option<JournalOpener>,
    /// Called once the daemon accepts and stores events.
    pub on_ready: Box<dyn FnOnce() + Send>,
}

/// Runs the daemon until `shutdown` turns true; flushes everything accepted before returning.
pub async fn run(
    cfg: Config,
    listener: StdListener,
    mut opts: RunOptions,
    mut shutdown: watch::Receiver<bool>,
) -> Result<(), DaemonError> {
    let redactor = Redactor::new(&cfg.redaction)?;
    let db_path = cfg.database_path();
    let (sync, check) = (cfg.synchronous.clone(), cfg.startup_check);
    let p = db_path.clone();
    let (store, aside) =
        tokio::task::spawn_blocking(move || Store::open_or_recover(&p, &sync, check))
            .await
            .map_err(|_| DaemonError::Writer)??;
    let journal_cursor = store.meta(CURSOR_KEY)?;
    let count = store.count().unwrap_or(0);
    info!(database = %db_path.display(), events = count, "database open");

    // Checkpoints run beside the writer, so that no commit waits for one.
    store.disable_autocheckpoint()?;
    let store = Arc::new(WriteStore::new(store));
    let ckpt_stop = Arc::new(AtomicBool::new(false));
    let checkpointer = {
        let stop = ckpt_stop.clone();
        let ck = Store::open_checkpointer(&db_path)?;
        let ws = store.clone();
        let mut wal = db_path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || {
                // One line when checkpoints start failing (a full disk: every 200 ms) and one
                // when they work again.
                let mut failing = false;
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(200));
                    let r = ck.checkpoint_passive();
                    // All of the WAL is in the database and nothing was appended for a while:
                    // give a big WAL file's space back (the only checkpoint that waits for the
                    // writer, hence only when quiet).
                    if let Ok(0) = r
                        && ws.quiet_for() >= WAL_TRUNCATE_QUIET
                        && std::fs::metadata(&wal).is_ok_and(|m| m.len() > WAL_TRUNCATE_ABOVE)
                        && let Err(e) = ck.checkpoint_truncate()
                    {
                        debug!(cause = %e, "truncating checkpoint failed");
                    }
                    match r {
                        Err(e) if !failing => {
                            warn!(cause = %e, "checkpoint failed; the WAL grows until it works");
                            failing = true;
                        }
                        Ok(_) if failing => {
                            info!("checkpoints work again");
                            failing = false;
                        }
                        _ => {}
                    }
                }
            })
            .map_err(|_| DaemonError::Writer)?
    };

    // The full-text index: its own file, connection and (low-priority) thread.
    // Opened before any search can run, so that no reader attaches an index about to be
    // replaced (one made for another database).
    let p = db_path.clone();
    let index = tokio::task::spawn_blocking(move || crate::index::Index::open(&p))
        .await
        .map_err(|_| DaemonError::Writer)?;
    let index_stop = Arc::new(AtomicBool::new(false));
    let indexer = {
        let stop = index_stop.clone();
        let p = db_path.clone();
        std::thread::Builder::new()
            .name("index".into())
            .spawn(move || crate::index::open_and_run(&p, index, stop))
            .map_err(|_| DaemonError::Writer)?
    };

    let (wtx, wrx) = mpsc::channel::<WriterMsg>(256);
    let retention = RetentionPolicy {
        max_age_ms: (cfg.retention.max_age_days > 0)
            .then(|| cfg.retention.max_age_days as i64 * 86_400_000),
        max_bytes: (cfg.retention.max_db_mb > 0).then_some(cfg.retention.max_db_mb << 20),
    };
    let max_batch = cfg.max_batch;
    let wstore = store.clone();
    let writer = std::thread::Builder::new()
        .name("writer".into())
        .spawn(move || writer::run(&wstore, wrx, max_batch, retention))
        .map_err(|_| DaemonError::Writer)?;

    if let Some(aside) = &aside {
        error!(moved_to = %aside.display(), "database was corrupt; moved aside and started a fresh one");
        let ev = Event {
            id: None,
            ts_ms: questlog_client::protocol::now_ms(),
            source: "questlogd".into(),
            kind: EventKind::Internal {
                message: format!(
                    "database was corrupt; moved aside to {} and started a fresh one",
                    aside.display()
                ),
            },
        };
        let row = to_row(
            ev,
            0,
            &redactor,
            Limits {
                max_text: cfg.max_text_bytes,
            },
        );
        let _ = server::append(&wtx, vec![row], None).await;
    }

    listener
        .set_nonblocking(true)
        .map_err(|source| DaemonError::Listen {
            path: cfg.socket.clone(),
            source,
        })?;
    let listener =
        tokio::net::UnixListener::from_std(listener).map_err(|source| DaemonError::Listen {
            path: cfg.socket.clone(),
            source,
        })?;

    // Retention ticker.
    let prune_tx = wtx.clone();
    let interval = Duration::from_secs(cfg.retention.interval_secs.max(1));
    let ticker = tokio::spawn(async move {
        let first = tokio::time::Instant::now() + Duration::from_secs(5).min(interval);
        let mut every = tokio::time::interval_at(first, interval);
        loop {
            every.tick().await;
            if prune_tx.send(WriterMsg::Prune).await.is_err() {
                break;
            }
        }
    });

    // Journal follower.
    let stop = Arc::new(AtomicBool::new(false));
    if let Some(opener) = opts.journal.take() {
        let weak = wtx.downgrade();
        let stop = stop.clone();
        let redactor = redactor.clone();
        let limits = Limits {
            max_text: cfg.max_text_bytes,
        };
        let kmax = cfg.journal.kernel_max_priority;
        std::thread::Builder::new()
            .name("journal".into())
            .spawn(move || follow(opener, weak, redactor, limits, kmax, journal_cursor, stop))
            .map_err(|_| DaemonError::Writer)?;
    }

    let shared = Arc::new(Shared::new(cfg, redactor, wtx, store.clone(), db_path));
    let sd = shutdown.clone();
    let server = tokio::spawn(server::serve(listener, shared.clone(), sd));
    (opts.on_ready)();

    let _ = shutdown.wait_for(|v| *v).await;
    info!("shutting down: finishing requests in flight");
    stop.store(true, Ordering::SeqCst);
    let _ = server.await;
    ticker.abort();
    let _ = ticker.await;
    drop(shared);
    ckpt_stop.store(true, Ordering::SeqCst);
    let _ = tokio::task::spawn_blocking(move || checkpointer.join()).await;
    index_stop.store(true, Ordering::SeqCst);
    let _ = tokio::task::spawn_blocking(move || indexer.join()).await;
    tokio::task::spawn_blocking(move || writer.join())
        .await
        .map_err(|_| DaemonError::Writer)?
        .map_err(|_| DaemonError::Writer)?;
    info!(
        events = store.lock().count().unwrap_or(0),
        "all events flushed; stopped"
    );
    Ok(())
}

fn follow(
    mut open: JournalOpener,
    writer: mpsc::WeakSender<WriterMsg>,
    redactor: Redactor,
    limits: Limits,
    kernel_max_priority: u8,
    mut cursor: Option<String>,
    stop: Arc<AtomicBool>,
) {
    let nap = |stop: &AtomicBool, secs: u64| {
        for _ in 0..secs * 10 {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    while !stop.load(Ordering::SeqCst) {
        let mut src = match open(cursor.as_deref()) {
            Ok(s) => s,
            Err(e) => {
                warn!(cause = %e, "cannot read the journal; retrying in 30 s");
                nap(&stop, 30);
                continue;
            }
        };
        info!(after_cursor = cursor.is_some(), "following the journal");
        loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            let entry = match src.next_entry() {
                Ok(Some(e)) => e,
                Ok(None) => break,
                Err(e) => {
                    warn!(cause = %e, "reading the journal failed");
                    break;
                }
            };
            if let Some((uid, ev)) = journal::to_event(&entry, kernel_max_priority) {
                let row = to_row(ev, uid, &redactor, limits);
                // Retry until stored: the cursor only moves with the event.
                loop {
                    let Some(tx) = writer.upgrade() else { return };
                    let (rtx, rrx) = oneshot::channel();
                    let job = WriteJob {
                        rows: vec![row.clone()],
                        cursor: Some((CURSOR_KEY.into(), entry.cursor.clone())),
                        reply: rtx,
                    };
                    if tx.blocking_send(WriterMsg::Write(job)).is_err() {
                        return;
                    }
                    drop(tx);
                    match rrx.blocking_recv() {
                        Ok(Ok(_)) => break,
                        Ok(Err(e)) => {
                            warn!(cause = ?e, "storing a journal event failed; retrying");
                            nap(&stop, 1);
                            if stop.load(Ordering::SeqCst) {
                                return;
                            }
                        }
                        Err(_) => return,
                    }
                }
            }
            cursor = Some(entry.cursor);
        }
        if !stop.load(Ordering::SeqCst) {
            warn!("journal source ended; restarting in 5 s");
            nap(&stop, 5);
        }
    }
}

/// The production journal opener (journalctl child).
pub fn journalctl_opener(
    bin: PathBuf,
    stop_pid: Arc<std::sync::atomic::AtomicU32>,
) -> JournalOpener {
    Box::new(move |cursor| {
        let j = journal::Journalctl::spawn(&bin, cursor)?;
        stop_pid.store(j.pid(), Ordering::SeqCst);
        Ok(Box::new(j) as Box<dyn JournalSource>)
    })
}
