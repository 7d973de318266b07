//! The writer: one SQLite write connection behind a mutex. A small append commits inline in its
//! connection task when the connection is free (no thread hand-off on the ack path); otherwise
//! it is queued to the writer thread, which commits whatever is queued in one transaction (group
//! commit), answers each request only after the commit, and prunes in small steps between
//! batches, letting go of the connection between steps. The full-text index is written by its
//! own thread into its own database file (`crate::index`), never on this connection.

use crate::store::{NewEvent, Store, StoreError};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, oneshot};
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
}

/// Retention settings the writer applies.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    pub max_age_ms: Option<i64>,
    pub max_bytes: Option<u64>,
}

const PRUNE_CHUNK: usize = 500;
/// Appends of at most this many events may commit inline in their connection task.
pub const INLINE_MAX_EVENTS: usize = 64;

/// The write connection, shared by the writer thread and inline commits.
///
/// Background work (retention) yields to appends: an append that finds the connection busy with
/// it interrupts it (`sqlite3_interrupt`; the step's transaction rolls back and is redone later)
/// and takes the connection. The full-text index is not written here at all: it has a database
/// file and a thread of its own (`crate::index`).
pub struct WriteStore {
    store: Mutex<Store>,
    interrupt: rusqlite::InterruptHandle,
    /// True while the writer thread holds the connection for background work.
    background: Mutex<bool>,
    /// Appends waiting for the connection after interrupting background work.
    waiting: AtomicUsize,
    /// Writes are failing (a full disk): logged once when it starts and once when it ends.
    failing: AtomicBool,
    /// When the last append was committed (µs since `epoch`).
    last_append_us: AtomicU64,
    epoch: Instant,
}

impl WriteStore {
    pub fn new(store: Store) -> Self {
        WriteStore {
            interrupt: store.interrupt_handle(),
            store: Mutex::new(store),
            background: Mutex::new(false),
            waiting: AtomicUsize::new(0),
            failing: AtomicBool::new(false),
            last_append_us: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn appended(&self) {
        let us = self.epoch.elapsed().as_micros() as u64;
        self.last_append_us.store(us, Ordering::Relaxed);
    }

    /// How long since the last append was committed.
    pub fn quiet_for(&self) -> Duration {
        let last = Duration::from_micros(self.last_append_us.load(Ordering::Relaxed));
        self.epoch.elapsed().saturating_sub(last)
    }

    /// Notes how a commit went: one error line when writes start failing, one info line when
    /// they work again, debug lines in between (a full disk fails every request).
    fn outcome(&self, r: &Result<Vec<bool>, StoreError>, events: usize) {
        match r {
            Ok(_) => {
                if self.failing.swap(false, Ordering::Relaxed) {
                    info!("writes work again");
                }
            }
            Err(e) => {
                if self.failing.swap(true, Ordering::Relaxed) {
                    debug!(cause = %e, events, "write failed; clients will spool");
                } else {
                    error!(cause = %e, events, "write failed; clients will spool");
                }
            }
        }
    }

    /// Waits for the connection. A panic elsewhere while it was held does not make it unusable:
    /// every use is a whole transaction, rolled back when it did not finish.
    pub fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn try_lock(&self) -> Option<MutexGuard<'_, Store>> {
        match self.store.try_lock() {
            Ok(g) => Some(g),
            Err(TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        }
    }

    fn flag(&self) -> MutexGuard<'_, bool> {
        self.background
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `rows` now if the connection is free or only busy with background work (the
    /// ack path without a thread hand-off); gives the rows back when a group commit has it.
    pub fn try_commit(
        &self,
        rows: Vec<NewEvent>,
    ) -> Result<Result<Vec<bool>, WriteFailure>, Vec<NewEvent>> {
        if rows.len() > INLINE_MAX_EVENTS {
            return Err(rows);
        }
        let mut store = match self.try_lock() {
            Some(g) => g,
            None => {
                let bg = self.flag();
                if !*bg {
                    return Err(rows);
                }
                self.waiting.fetch_add(1, Ordering::SeqCst);
                self.interrupt.interrupt();
                drop(bg);
                let g = self.lock();
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                g
            }
        };
        let t = Instant::now();
        let r = store.insert_batch(&rows, &[]);
        self.appended();
        drop(store);
        self.outcome(&r, rows.len());
        Ok(match r {
            Ok(stored) => {
                slow("inline commit", t, rows.len());
                Ok(stored)
            }
            Err(e) => Err(classify(&e)),
        })
    }

    /// Runs one step of background work unless an append waits for the connection.
    fn background<T>(&self, f: impl FnOnce(&mut Store) -> T) -> Option<T> {
        if self.waiting.load(Ordering::SeqCst) > 0 {
            return None;
        }
        let mut s = self.lock();
        *self.flag() = true;
        let r = (self.waiting.load(Ordering::SeqCst) == 0).then(|| f(&mut s));
        *self.flag() = false;
        r
    }
}

/// Runs until every sender is dropped, then checkpoints.
pub fn run(
    store: &WriteStore,
    mut rx: mpsc::Receiver<WriterMsg>,
    max_batch: usize,
    retention: RetentionPolicy,
) {
    let mut pruning = false;
    let mut pruned_total = 0usize;
    loop {
        let first = if pruning {
            match rx.try_recv() {
                Ok(m) => m,
                Err(mpsc::error::TryRecvError::Empty) => {
                    let ran = store
                        .background(|s| prune_step(s, retention, &mut pruning, &mut pruned_total));
                    if ran.is_none() {
                        // An append is about to take the connection.
                        std::thread::sleep(Duration::from_micros(50));
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
        };
        push(first, &mut jobs, &mut n_rows);
        while n_rows < max_batch {
            match rx.try_recv() {
                Ok(m) => push(m, &mut jobs, &mut n_rows),
                Err(_) => break,
            }
        }
        if !jobs.is_empty() {
            let mut s = store.lock();
            commit(store, &mut s, jobs);
        }
    }
    let s = store.lock();
    if let Err(e) = s.checkpoint() {
        warn!(cause = %e, "final checkpoint failed");
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
        Err(e) if e.is_interrupted() => {}
        Err(e) => {
            warn!(cause = %e, "retention pass failed");
            *pruning = false;
        }
    }
}

fn commit(ws: &WriteStore, store: &mut Store, jobs: Vec<WriteJob>) {
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
    let r = store.insert_batch(&rows, &cursor_refs);
    ws.outcome(&r, rows.len());
    ws.appended();
    match r {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Viewer;
    use questlog_client::protocol::Query;
    use std::sync::Arc;

    use crate::store::test_row as row;

    fn viewer() -> Viewer {
        Viewer {
            uid: 0,
            privileged: true,
        }
    }

    fn q(t: &str) -> Query {
        Query {
            text: Some(t.into()),
            limit: Some(10),
            ..Default::default()
        }
    }

    #[test]
    fn appends_commit_while_the_index_database_is_locked() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        let rows: Vec<_> = (0..1000).map(row).collect();
        s.insert_batch(&rows, &[]).unwrap();
        let mut index = crate::index::Index::open(&p).unwrap();
        assert_eq!(index.step(100_000).unwrap(), 1000);
        // Another connection holds the index's write lock, as a long merge would.
        let blocker = rusqlite::Connection::open(crate::index::path_for(&p)).unwrap();
        blocker
            .execute_batch(
                "BEGIN IMMEDIATE; INSERT INTO fts_meta (key, value) VALUES ('busy', '1');",
            )
            .unwrap();
        let ws = WriteStore::new(s);
        let t = Instant::now();
        for i in 0..50 {
            let mut e = row(10_000 + i);
            e.text = format!("fresh event {i}");
            assert_eq!(ws.try_commit(vec![e]).expect("inline"), Ok(vec![true]));
        }
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "appends waited for the index: {:?}",
            t.elapsed()
        );
        // Searches see indexed rows through the index and the newest directly.
        let s = ws.lock();
        let (found, _) = s.query(&q("crate999 "), viewer(), 10).unwrap();
        assert_eq!(found.len(), 1);
        let all = |t: &str| Query {
            limit: Some(100),
            ..q(t)
        };
        let (found, _) = s.query(&all("fresh event 4"), viewer(), 100).unwrap();
        assert_eq!(found.len(), 11, "4 and 40..49");
        drop(s);
        blocker.execute_batch("ROLLBACK").unwrap();
        assert_eq!(index.step(100_000).unwrap(), 50);
        let s = ws.lock();
        let (found, _) = s.query(&all("fresh event 4"), viewer(), 100).unwrap();
        assert_eq!(found.len(), 11);
        assert_eq!(s.count().unwrap(), 1050);
    }

    #[test]
    fn an_append_interrupts_background_pruning_and_nothing_is_lost() {
        // On a loaded machine the 40,000-row step can, rarely, finish before the append is
        // even sent: try a few times; the step must give way in one of them.
        let mut attempt = 0;
        let (_d, ws) = loop {
            attempt += 1;
            let d = tempfile::tempdir().unwrap();
            let p = d.path().join("q.db");
            let mut s = Store::open_writer(&p, "normal", true).unwrap();
            let rows: Vec<_> = (0..40_000).map(row).collect();
            s.insert_batch(&rows, &[]).unwrap();
            let ws = Arc::new(WriteStore::new(s));
            // One long, interruptible pruning step (everything is past its age) on another
            // thread.
            let bg = {
                let ws = ws.clone();
                std::thread::spawn(move || {
                    ws.background(|s| s.prune_step(1_000_000_000, Some(1), None, 40_000))
                })
            };
            let t0 = Instant::now();
            while !*ws.flag() {
                assert!(
                    t0.elapsed() < Duration::from_secs(10),
                    "background never started"
                );
                std::thread::yield_now();
            }
            let mut new = row(99_999);
            new.ts_ms = 2_000_000_000;
            new.text = "needle in the haystack".into();
            let stored = ws.try_commit(vec![new]).expect("committed inline");
            assert_eq!(stored, Ok(vec![true]));
            let r = bg.join().unwrap().expect("the step ran");
            if matches!(&r, Err(e) if e.is_interrupted()) {
                break (d, ws);
            }
            assert!(r.is_ok(), "the pruning step failed: {r:?}");
            assert!(
                attempt < 5,
                "the pruning step never gave way in {attempt} attempts"
            );
        };
        // The interrupted step was rolled back whole: nothing pruned, the append kept.
        let s = ws.lock();
        assert_eq!(s.count().unwrap(), 40_001);
        let (found, _) = s.query(&q("haystack"), viewer(), 10).unwrap();
        assert_eq!(found.len(), 1);
    }
}
