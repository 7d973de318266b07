//! The single writer: batches whatever is queued into one transaction (group commit), answers
//! each request only after the commit, and prunes in the background between batches.

use crate::store::{NewEvent, Store, StoreError};
use tokio::sync::{mpsc, oneshot};
use std::time::Instant;
use tracing::{debug, error, info, warn};

/// Why a write failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteFailure {
    /// Disk full: clients should spool.
    Full,
    /// Any other storage failure.
    Failed(String),
}

pub struct WriteJob {
    pub rows: Vec<NewEvent>,
    /// (meta key, value) set in the same transaction, e.g. the journal cursor.
    pub cursor: Option<(String, String)>,
    pub reply: oneshot::Sender<Result<Vec<bool>, WriteFailure>>,
}

pub enum WriterMsg {
    Write(WriteJob),
    /// Start a pruning pass.
    Prune,
    /// A second went by (index what is waiting).
    Tick,
}

/// Retention settings the writer applies.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    pub max_age_ms: Option<i64>,
    pub max_bytes: Option<u64>,
}

const PRUNE_CHUNK: usize = 2000;
/// Index when idle once this many rows wait; always once this many wait.
const INDEX_WHEN_IDLE: i64 = 512;
const INDEX_ALWAYS: i64 = 20_000;
const INDEX_STEP: usize = 5000;

/// Runs until every sender is dropped, then indexes what is left, checkpoints and returns
/// the store.
pub fn run(
    mut store: Store,
    mut rx: mpsc::Receiver<WriterMsg>,
    max_batch: usize,
    retention: RetentionPolicy,
) -> Store {
    let mut pruning = false;
    let mut pruned_total = 0usize;
    loop {
        let backlog = store.fts_backlog();
        let idle_work = pruning || backlog >= INDEX_WHEN_IDLE;
        let first = if idle_work {
            match rx.try_recv() {
                Ok(m) => m,
                Err(mpsc::error::TryRecvError::Empty) => {
                    if backlog >= INDEX_WHEN_IDLE {
                        index(&mut store, INDEX_STEP);
                    } else {
                        prune_step(&mut store, retention, &mut pruning, &mut pruned_total);
                    }
                    continue;
                }
                Err(mpsc::error::TryRecvError::Disconnected) => break,
            }
        } else {
            match rx.blocking_recv() {
                Some(m) => m,
                None => break,
            }
        };
        let mut jobs = Vec::new();
        let mut n_rows = 0;
        let mut tick = false;
        let mut push = |m: WriterMsg, jobs: &mut Vec<WriteJob>, n_rows: &mut usize| match m {
            WriterMsg::Write(j) => {
                *n_rows += j.rows.len();
                jobs.push(j);
            }
            WriterMsg::Prune => {
                if !pruning {
                    pruned_total = 0;
                }
                pruning = true;
            }
            WriterMsg::Tick => tick = true,
        };
        push(first, &mut jobs, &mut n_rows);
        while n_rows < max_batch {
            match rx.try_recv() {
                Ok(m) => push(m, &mut jobs, &mut n_rows),
                Err(_) => break,
            }
        }
        if !jobs.is_empty() {
            commit(&mut store, jobs);
        }
        // Searches read unindexed rows directly; keep that tail short even under load, and
        // index everything at least once a second.
        if store.fts_backlog() >= INDEX_ALWAYS || (tick && store.fts_backlog() > 0) {
            index(&mut store, INDEX_STEP);
        }
    }
    while store.fts_backlog() > 0 {
        if index(&mut store, INDEX_STEP) == 0 {
            break;
        }
    }
    if let Err(e) = store.checkpoint() {
        warn!(cause = %e, "final checkpoint failed");
    }
    store
}

fn index(store: &mut Store, step: usize) -> usize {
    let t = Instant::now();
    match store.index_step(step) {
        Ok(n) => {
            slow("index", t, n);
            n
        }
        Err(e) => {
            warn!(cause = %e, "full-text indexing failed");
            0
        }
    }
}

fn prune_step(
    store: &mut Store,
    retention: RetentionPolicy,
    pruning: &mut bool,
    pruned_total: &mut usize,
) {
    let now = questlog_client::protocol::now_ms();
    match store.prune_step(now, retention.max_age_ms, retention.max_bytes, PRUNE_CHUNK) {
        Ok(n) => {
            *pruned_total += n;
            if n < PRUNE_CHUNK {
                *pruning = false;
                if *pruned_total > 0 {
                    info!(events = *pruned_total, "retention pruned old events");
                }
            }
        }
        Err(e) => {
            warn!(cause = %e, "retention pass failed");
            *pruning = false;
        }
    }
}

fn commit(store: &mut Store, jobs: Vec<WriteJob>) {
    let mut rows = Vec::new();
    let mut cursors: Vec<(String, String)> = Vec::new();
    let mut replies = Vec::with_capacity(jobs.len());
    for j in jobs {
        replies.push((j.rows.len(), j.reply));
        rows.extend(j.rows);
        if let Some(c) = j.cursor {
            cursors.retain(|(k, _)| k != &c.0);
            cursors.push(c);
        }
    }
    let cursor_refs: Vec<(&str, &str)> = cursors
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let t = Instant::now();
    match store.insert_batch(&rows, &cursor_refs) {
        Ok(stored) => {
            slow("commit", t, rows.len());
            let mut it = stored.into_iter();
            for (n, reply) in replies {
                let mine: Vec<bool> = it.by_ref().take(n).collect();
                let _ = reply.send(Ok(mine));
            }
        }
        Err(e) => {
            let f = classify(&e);
            error!(cause = %e, events = rows.len(), "write failed; clients will spool");
            for (_, reply) in replies {
                let _ = reply.send(Err(f.clone()));
            }
        }
    }
}

fn classify(e: &StoreError) -> WriteFailure {
    if e.is_storage_full() {
        WriteFailure::Full
    } else {
        WriteFailure::Failed(e.to_string())
    }
}

/// Logs (at debug level) a writer step that held the write lock for more than a millisecond.
fn slow(op: &str, t: Instant, rows: usize) {
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if ms > 1.0 {
        debug!(op, ms, rows, "slow writer step");
    }
}
