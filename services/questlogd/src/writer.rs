//! The writer: one SQLite write connection behind a mutex. A small append commits inline in its
//! connection task when the connection is free (no thread hand-off on the ack path); otherwise
//! it is queued to the writer thread, which commits whatever is queued in one transaction (group
//! commit), answers each request only after the commit, and indexes and prunes in small steps
//! between batches, letting go of the connection between steps.

use crate::store::{NewEvent, Store, StoreError};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
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
    /// A second went by (index what is waiting).
    Tick,
}

/// Retention settings the writer applies.
#[derive(Debug, Clone, Copy)]
pub struct RetentionPolicy {
    pub max_age_ms: Option<i64>,
    pub max_bytes: Option<u64>,
}

const PRUNE_CHUNK: usize = 500;
/// Index when idle once this many rows wait; always once this many wait.
const INDEX_WHEN_IDLE: i64 = 512;
const INDEX_ALWAYS: i64 = 20_000;
/// Rows indexed per background step (about a millisecond of work); under load the steps are
/// bigger and not interruptible, so the index keeps up.
const INDEX_STEP_IDLE: usize = 256;
const INDEX_STEP_BUSY: usize = 5000;
/// Pages of full-text segment merging per background step (adapted: halved when an append
/// interrupted the step, doubled when it finished), and after each busy indexing step.
const MERGE_PAGES_MIN: i64 = 8;
const MERGE_PAGES_MAX: i64 = 64;
/// A merge step is one FTS5 call that `sqlite3_interrupt` can't stop midway, so merging waits
/// for this long without appends; deferred longer than `MERGE_OVERDUE`, a smallest step runs.
const MERGE_QUIET: Duration = Duration::from_millis(50);
const MERGE_OVERDUE: Duration = Duration::from_secs(5);
/// After merging, free pages beyond this many are given back, this many per step (when quiet).
const VACUUM_ABOVE: i64 = 1024;
const VACUUM_STEP: i64 = 256;
const MERGE_PAGES_BUSY: i64 = 600;
/// Appends of at most this many events may commit inline in their connection task.
pub const INLINE_MAX_EVENTS: usize = 64;

/// The write connection, shared by the writer thread and inline commits.
///
/// Background work (indexing, merging, pruning) yields to appends: an append that finds the
/// connection busy with it interrupts it (`sqlite3_interrupt`; the step's transaction rolls back
/// and is redone later) and takes the connection. Indexing can't starve: past `INDEX_ALWAYS`
/// waiting rows it runs after group commits, uninterruptibly.
pub struct WriteStore {
    store: Mutex<Store>,
    interrupt: rusqlite::InterruptHandle,
    /// True while the writer thread holds the connection for background work.
    background: Mutex<bool>,
    /// Appends waiting for the connection after interrupting background work.
    waiting: AtomicUsize,
    /// Rows not yet in the full-text index, as of the last write.
    backlog: AtomicI64,
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
            backlog: AtomicI64::new(store.fts_backlog()),
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

    fn note(&self, s: &Store) {
        self.backlog.store(s.fts_backlog(), Ordering::Relaxed);
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
        self.note(&store);
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
        self.note(&s);
        r
    }
}

/// Runs until every sender is dropped, then indexes what is left and checkpoints.
pub fn run(
    store: &WriteStore,
    mut rx: mpsc::Receiver<WriterMsg>,
    max_batch: usize,
    retention: RetentionPolicy,
) {
    let mut pruning = false;
    let mut pruned_total = 0usize;
    // Full-text segments may want merging (after indexing; at start, to be sure).
    let mut merging = true;
    let mut merge_pages = MERGE_PAGES_MIN;
    let mut last_merge = Instant::now();
    let mut vacuuming = false;
    loop {
        let backlog = store.backlog.load(Ordering::Relaxed);
        let idle_work = pruning || merging || vacuuming || backlog >= INDEX_WHEN_IDLE;
        let first = if idle_work {
            match rx.try_recv() {
                Ok(m) => m,
                Err(mpsc::error::TryRecvError::Empty) => {
                    let quiet = store.quiet_for() >= MERGE_QUIET;
                    let overdue = last_merge.elapsed() >= MERGE_OVERDUE;
                    let merge_now = merging && (quiet || overdue);
                    let vacuum_now = vacuuming && !merging && quiet;
                    if backlog < INDEX_WHEN_IDLE && !merge_now && !vacuum_now && !pruning {
                        // Only merging or vacuuming left, and appends are coming: wait for a
                        // pause.
                        std::thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    if merge_now && !quiet {
                        merge_pages = MERGE_PAGES_MIN;
                    }
                    let ran = store.background(|s| {
                        if backlog >= INDEX_WHEN_IDLE {
                            index(s, INDEX_STEP_IDLE);
                            merging = true;
                        } else if merge_now {
                            last_merge = Instant::now();
                            // Compact: any level with two or more segments.
                            match merge(s, -merge_pages) {
                                Merge::Done => {
                                    merging = false;
                                    vacuuming = s.free_pages().is_ok_and(|n| n > VACUUM_ABOVE);
                                }
                                Merge::More => {
                                    merge_pages = (merge_pages * 2).min(MERGE_PAGES_MAX);
                                }
                                Merge::Interrupted => {
                                    merge_pages = (merge_pages / 2).max(MERGE_PAGES_MIN);
                                }
                            }
                        } else if vacuum_now {
                            match s.vacuum_step(VACUUM_STEP) {
                                Ok(left) => vacuuming = left > VACUUM_STEP,
                                Err(e) if e.is_interrupted() => {}
                                Err(e) => {
                                    warn!(cause = %e, "giving free pages back failed");
                                    vacuuming = false;
                                }
                            }
                        } else {
                            prune_step(s, retention, &mut pruning, &mut pruned_total);
                        }
                    });
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
            let mut s = store.lock();
            commit(store, &mut s, jobs);
            // Searches read unindexed rows directly; keep that tail short even under load.
            if s.fts_backlog() >= INDEX_ALWAYS {
                index(&mut s, INDEX_STEP_BUSY);
                merge(&mut s, MERGE_PAGES_BUSY);
                merging = true;
            }
            store.note(&s);
        }
        // Index everything at least once a second.
        if tick && store.backlog.load(Ordering::Relaxed) > 0 {
            store.background(|s| index(s, INDEX_STEP_IDLE));
            merging = true;
        }
    }
    let mut s = store.lock();
    while s.fts_backlog() > 0 {
        if index(&mut s, INDEX_STEP_BUSY) == 0 {
            break;
        }
    }
    store.note(&s);
    if let Err(e) = s.checkpoint() {
        warn!(cause = %e, "final checkpoint failed");
    }
}

fn index(store: &mut Store, step: usize) -> usize {
    let t = Instant::now();
    match store.index_step(step) {
        Ok(n) => {
            slow("index", t, n);
            n
        }
        Err(e) if e.is_interrupted() => 0,
        Err(e) => {
            warn!(cause = %e, "full-text indexing failed");
            0
        }
    }
}

enum Merge {
    More,
    Done,
    Interrupted,
}

/// One step of full-text segment merging.
fn merge(store: &mut Store, pages: i64) -> Merge {
    let t = Instant::now();
    match store.merge_step(pages) {
        Ok(true) => {
            slow("merge", t, pages.unsigned_abs() as usize);
            Merge::More
        }
        Ok(false) => {
            if let Ok(n) = store.fts_segments() {
                debug!(segments = n, "full-text index merged");
            }
            Merge::Done
        }
        Err(e) if e.is_interrupted() => Merge::Interrupted,
        Err(e) => {
            warn!(cause = %e, "full-text merge failed");
            Merge::Done
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
    use crate::store::{Viewer, agg_key};
    use questlog_client::protocol::Query;
    use std::sync::Arc;

    fn row(i: usize) -> NewEvent {
        let text = format!("cargo build --package crate{i} --release");
        let (agg_key, failed) = agg_key("command", &text, None, Some(0));
        NewEvent {
            ts_ms: 1_000 + i as i64,
            uid: 1000,
            type_name: "command".into(),
            source: "test".into(),
            text,
            agg_key,
            failed,
            ..Default::default()
        }
    }

    #[test]
    fn the_writer_compacts_the_full_text_index_while_idle() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        // Six indexing commits: six segments (FTS5's automerge is off).
        for k in 0..6 {
            let rows: Vec<_> = (k * 2000..(k + 1) * 2000).map(row).collect();
            s.insert_batch(&rows, &[]).unwrap();
            s.index_step(2000).unwrap();
        }
        assert_eq!(s.fts_segments().unwrap(), 6);
        let ws = Arc::new(WriteStore::new(s));
        let (tx, rx) = mpsc::channel(8);
        let w = {
            let ws = ws.clone();
            std::thread::spawn(move || {
                run(
                    &ws,
                    rx,
                    100,
                    RetentionPolicy {
                        max_age_ms: None,
                        max_bytes: None,
                    },
                )
            })
        };
        let reader = Store::open_reader(&p).unwrap();
        let t0 = Instant::now();
        while reader.fts_segments().unwrap() > 1 {
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "still {} segments",
                reader.fts_segments().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(tx);
        w.join().unwrap();
        let s = ws.lock();
        s.fts_integrity_check().unwrap();
        assert_eq!(s.fts_segments().unwrap(), 1);
    }

    #[test]
    fn an_append_interrupts_background_indexing_and_nothing_is_lost() {
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
            assert_eq!(ws.backlog.load(Ordering::Relaxed), 40_000);
            // One long, interruptible indexing step on another thread.
            let bg = {
                let ws = ws.clone();
                std::thread::spawn(move || ws.background(|s| s.index_step(40_000)))
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
            new.text = "needle in the haystack".into();
            let stored = ws.try_commit(vec![new]).expect("committed inline");
            assert_eq!(stored, Ok(vec![true]));
            let r = bg.join().unwrap().expect("the step ran");
            if matches!(&r, Err(e) if e.is_interrupted()) {
                break (d, ws);
            }
            assert!(r.is_ok(), "the indexing step failed: {r:?}");
            assert!(
                attempt < 5,
                "the indexing step never gave way in {attempt} attempts"
            );
        };
        // The interrupted step was rolled back whole; indexing later catches up.
        let mut s = ws.lock();
        assert_eq!(s.fts_backlog(), 40_001);
        while s.index_step(INDEX_STEP_BUSY).unwrap() > 0 {}
        while s.merge_step(-MERGE_PAGES_BUSY).unwrap() {}
        assert_eq!(s.fts_segments().unwrap(), 1, "compacted to one segment");
        s.fts_integrity_check().unwrap();
        let viewer = Viewer {
            uid: 0,
            privileged: true,
        };
        let q = |t: &str| Query {
            text: Some(t.into()),
            limit: Some(10),
            ..Default::default()
        };
        let (found, _) = s.query(&q("haystack"), viewer, 10).unwrap();
        assert_eq!(found.len(), 1);
        let (found, more) = s.query(&q("crate3999 --"), viewer, 10).unwrap();
        assert_eq!((found.len(), more), (1, false));
        assert_eq!(s.count().unwrap(), 40_001);
    }
}
