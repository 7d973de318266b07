//! The full-text index, in a database file of its own (`questlog-index.db` beside
//! `questlog.db`), built by its own thread on its own connection.
//!
//! Appends never wait for it: SQLite allows one writer per database file, and indexing, segment
//! merging and giving pages back all write this file, not the events'. The index reads the
//! events through an attached read connection (a WAL snapshot, which never blocks the event
//! writer). Rows not indexed yet are searched directly (see [`crate::store::Store::query`]).
//!
//! The index is derived data: a missing, corrupt or foreign one (made for another events
//! database, found by the events database's `db_id`) is deleted and built again.
//!
//! Retention deletes events in the events database and notes their ids in `fts_gone` in the
//! same transaction; the indexer takes them out of the index (FTS5 `contentless_delete`) and
//! records how far it got (`gone_upto`), after which the writer drops those notes.

use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tracing::{debug, info, warn};

/// The schema of the index database.
const SCHEMA: &str = r#"
    CREATE TABLE IF NOT EXISTS fts_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    CREATE VIRTUAL TABLE IF NOT EXISTS events_fts USING fts5(
        text, content='', contentless_delete=1, tokenize='trigram'
    );
"#;

/// Index once this many rows wait; any waiting row within `INDEX_EVERY`.
const INDEX_WHEN: i64 = 512;
const INDEX_EVERY: Duration = Duration::from_secs(1);
/// Rows per indexing transaction at most (a segment each).
const INDEX_STEP: usize = 20_000;
/// Ids taken out of the index per transaction.
const GONE_STEP: usize = 2_000;
/// Pages per merge step while compacting, and free pages given back per step.
const MERGE_PAGES: i64 = 256;
const VACUUM_ABOVE: i64 = 1024;
const VACUUM_STEP: i64 = 1024;
/// How often the thread looks for work when there is none.
const POLL: Duration = Duration::from_millis(100);

/// Where the index of the events database `db` lives.
pub fn path_for(db: &Path) -> PathBuf {
    let stem = db
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "questlog".into());
    db.with_file_name(format!("{stem}-index.db"))
}

fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

/// The index's write connection (one, owned by the index thread).
pub struct Index {
    conn: Connection,
    path: PathBuf,
    /// Events with ids up to this are indexed.
    upto: i64,
    /// `fts_gone` entries up to this sequence number are applied.
    gone_upto: i64,
}

impl Index {
    /// Opens (creating, or rebuilding when unusable) the index of the events database `db`,
    /// which must exist and be migrated.
    pub fn open(db: &Path) -> Result<Index, StoreError> {
        let path = path_for(db);
        match Self::try_open(db, &path) {
            Ok(Some(i)) => Ok(i),
            Ok(None) => {
                info!(index = %path.display(), "full-text index belongs to another database; building it again");
                remove_files(&path);
                Ok(Self::try_open(db, &path)?.expect("a new index matches"))
            }
            Err(e) if e.is_corrupt() => {
                warn!(index = %path.display(), cause = %e, "full-text index unusable; building it again");
                remove_files(&path);
                Ok(Self::try_open(db, &path)?.expect("a new index matches"))
            }
            Err(e) => Err(e),
        }
    }

    /// None when the index was made for another events database.
    fn try_open(db: &Path, path: &Path) -> Result<Option<Index>, StoreError> {
        let corrupt = |e: rusqlite::Error| StoreError::Corrupt {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let fresh = !path.exists();
        let conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(corrupt)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Corrupt {
                path: path.to_path_buf(),
                detail: format!("journal_mode is {mode}"),
            });
        }
        if fresh {
            conn.execute_batch("PRAGMA auto_vacuum=INCREMENTAL;")?;
        }
        conn.execute_batch(
            "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;
             PRAGMA journal_size_limit=67108864;",
        )?;
        if !fresh {
            let res: String = conn
                .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
                .map_err(corrupt)?;
            if res != "ok" {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    detail: res,
                });
            }
        }
        conn.execute_batch(SCHEMA).map_err(corrupt)?;
        conn.execute("ATTACH DATABASE ?1 AS ev", [db.to_string_lossy()])?;
        crate::store::set_private(path)?;
        let db_id: String = conn
            .query_row("SELECT value FROM ev.meta WHERE key = 'db_id'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default();
        let meta = |k: &str| -> Result<Option<String>, StoreError> {
            Ok(conn
                .query_row("SELECT value FROM fts_meta WHERE key = ?1", [k], |r| {
                    r.get(0)
                })
                .optional()?)
        };
        let num = |k: &str| -> Result<i64, StoreError> {
            Ok(meta(k)?.and_then(|v| v.parse().ok()).unwrap_or(0))
        };
        match meta("db_id")? {
            None => {
                conn.execute(
                    "INSERT OR REPLACE INTO fts_meta (key, value) VALUES ('db_id', ?1)",
                    [&db_id],
                )?;
            }
            Some(id) if id != db_id => return Ok(None),
            Some(_) => {}
        }
        let (upto, gone_upto) = (num("upto")?, num("gone_upto")?);
        let max_id: i64 =
            conn.query_row("SELECT coalesce(max(id), 0) FROM ev.events", [], |r| {
                r.get(0)
            })?;
        if upto > max_id + 1_000_000 {
            // Not ours after all (events restored from an older copy): ids would be reused.
            return Ok(None);
        }
        Ok(Some(Index {
            conn,
            path: path.to_path_buf(),
            upto,
            gone_upto,
        }))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Events stored but not indexed yet.
    pub fn backlog(&self) -> Result<i64, StoreError> {
        let max: i64 =
            self.conn
                .query_row("SELECT coalesce(max(id), 0) FROM ev.events", [], |r| {
                    r.get(0)
                })?;
        Ok((max - self.upto).max(0))
    }

    /// Indexes up to `max_rows` events in one transaction. Returns how many.
    pub fn step(&mut self, max_rows: usize) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let upto = self.upto;
        let (n, last): (i64, Option<i64>) = tx.query_row(
            "SELECT count(*), max(id) FROM
             (SELECT id FROM ev.events WHERE id > ?1 ORDER BY id LIMIT ?2)",
            params![upto, max_rows as i64],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let Some(last) = last else {
            return Ok(0);
        };
        tx.execute(
            "INSERT INTO events_fts(rowid, text)
             SELECT id, text FROM ev.events WHERE id > ?1 AND id <= ?2",
            params![upto, last],
        )?;
        set_meta(&tx, "upto", last)?;
        tx.commit()?;
        self.upto = last;
        Ok(n as usize)
    }

    /// Takes up to `max` pruned events out of the index. Returns how many notes it applied.
    pub fn forget_gone(&mut self, max: usize) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let gone: Vec<(i64, i64)> = {
            let mut q = tx.prepare_cached(
                "SELECT seq, id FROM ev.fts_gone WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            q.query_map(params![self.gone_upto, max as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?
        };
        let Some(&(last, _)) = gone.last() else {
            return Ok(0);
        };
        {
            let mut del = tx.prepare_cached("DELETE FROM events_fts WHERE rowid = ?1")?;
            for (_, id) in &gone {
                // Only what was indexed is there; a row pruned before indexing never will be.
                if *id <= self.upto {
                    del.execute([id])?;
                }
            }
        }
        set_meta(&tx, "gone_upto", last)?;
        tx.commit()?;
        self.gone_upto = last;
        Ok(gone.len())
    }

    /// Merges segments, writing about `pages` pages; any level with two or more segments is
    /// merged. Returns whether there was work.
    pub fn merge_step(&mut self, pages: i64) -> Result<bool, StoreError> {
        let before = self.structure()?;
        self.conn.execute(
            "INSERT INTO events_fts(events_fts, rank) VALUES ('merge', ?1)",
            [-pages.abs()],
        )?;
        Ok(self.structure()? != before)
    }

    fn structure(&self) -> Result<Vec<u8>, StoreError> {
        structure(&self.conn, "main")
    }

    /// Segments in the index (each search looks through every one).
    pub fn segments(&self) -> Result<u64, StoreError> {
        segments(&self.structure()?, &self.path)
    }

    pub fn free_pages(&self) -> Result<i64, StoreError> {
        crate::store::free_pages(&self.conn, "main")
    }

    /// Gives up to `pages` free pages back to the file system; returns the free pages left.
    pub fn vacuum_step(&mut self, pages: i64) -> Result<i64, StoreError> {
        self.conn
            .execute_batch(&format!("PRAGMA incremental_vacuum({pages});"))?;
        self.free_pages()
    }

    /// Rows in the index.
    pub fn rows(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM events_fts", [], |r| r.get(0))?)
    }

    /// FTS5's own consistency check of the index.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO events_fts(events_fts, rank) VALUES ('integrity-check', 0)",
            [],
        )?;
        Ok(())
    }
}

/// Records how far the index got (`upto`, `gone_upto`), in the caller's transaction.
fn set_meta(conn: &Connection, key: &str, value: i64) -> Result<(), StoreError> {
    conn.execute(
        "INSERT OR REPLACE INTO fts_meta (key, value) VALUES (?1, ?2)",
        params![key, value.to_string()],
    )?;
    Ok(())
}

/// FTS5's structure record of the index in schema `schema` (empty when there is none).
pub(crate) fn structure(conn: &Connection, schema: &str) -> Result<Vec<u8>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT block FROM {schema}.events_fts_data WHERE id = 10"),
            [],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}

/// The number of segments in a structure record (its header: a 4-byte cookie, then in the
/// second version of the format (`contentless_delete` tables) a 4-byte marker `ff 00 00 01`,
/// then the number of levels and of segments as varints).
pub(crate) fn segments(b: &[u8], path: &Path) -> Result<u64, StoreError> {
    if b.is_empty() {
        return Ok(0);
    }
    let mut i = if b.get(4..8) == Some(&[0xff, 0, 0, 1][..]) {
        8
    } else {
        4
    };
    let mut varint = || {
        let mut v: u64 = 0;
        for k in 0..9 {
            let byte = *b.get(i)?;
            i += 1;
            if k == 8 {
                return Some((v << 8) | u64::from(byte));
            }
            v = (v << 7) | u64::from(byte & 0x7f);
            if byte & 0x80 == 0 {
                return Some(v);
            }
        }
        Some(v)
    };
    let _levels = varint();
    varint().ok_or_else(|| StoreError::Corrupt {
        path: path.to_path_buf(),
        detail: "short full-text structure record".into(),
    })
}

/// Lowers the calling thread's CPU priority (nice 10): indexing is background work and must not
/// take the CPU from the threads that acknowledge appends.
fn lower_priority() {
    // SAFETY: plain system calls on the calling thread.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// The index thread: takes the index `first` opened, or opens it (trying again every ten
/// seconds while it can't, e.g. on a full disk; searches read the events directly meanwhile),
/// then [`run`]s it.
pub fn open_and_run(db: &Path, first: Result<Index, StoreError>, stop: Arc<AtomicBool>) {
    let mut warned = false;
    let mut next = Some(first);
    let index = loop {
        match next.take().unwrap_or_else(|| Index::open(db)) {
            Ok(i) => break i,
            Err(e) => {
                if !warned {
                    warn!(cause = %e, "cannot open the full-text index; searches read the events directly until it opens");
                    warned = true;
                }
                for _ in 0..100 {
                    if stop.load(Ordering::SeqCst) {
                        return;
                    }
                    std::thread::sleep(POLL);
                }
            }
        }
    };
    if warned {
        info!("full-text index open");
    }
    run(index, stop);
}

/// The index thread: indexes new events (once `INDEX_WHEN` wait, or any within a second),
/// applies retention's deletions, and when there is nothing else compacts the index to one
/// segment and gives the freed pages back. Returns when `stop` turns true.
pub fn run(mut index: Index, stop: Arc<AtomicBool>) {
    lower_priority();
    let mut merging = true;
    let mut vacuuming = false;
    let mut last_index = Instant::now();
    let mut failing = false;
    while !stop.load(Ordering::SeqCst) {
        let r = (|| -> Result<bool, StoreError> {
            let backlog = index.backlog()?;
            if backlog >= INDEX_WHEN || (backlog > 0 && last_index.elapsed() >= INDEX_EVERY) {
                let t = Instant::now();
                let n = index.step(INDEX_STEP)?;
                debug!(rows = n, ms = t.elapsed().as_secs_f64() * 1000.0, "indexed");
                last_index = Instant::now();
                merging = true;
                return Ok(true);
            }
            if index.forget_gone(GONE_STEP)? > 0 {
                merging = true;
                return Ok(true);
            }
            if merging {
                if !index.merge_step(MERGE_PAGES)? {
                    merging = false;
                    vacuuming = index.free_pages()? > VACUUM_ABOVE;
                    debug!(
                        segments = index.segments().unwrap_or(0),
                        "full-text index merged"
                    );
                }
                return Ok(true);
            }
            if vacuuming {
                vacuuming = index.vacuum_step(VACUUM_STEP)? > 0;
                return Ok(true);
            }
            Ok(false)
        })();
        match r {
            Ok(true) => {
                if failing {
                    info!("full-text indexing works again");
                    failing = false;
                }
            }
            Ok(false) => std::thread::sleep(POLL),
            Err(e) => {
                if !failing {
                    warn!(cause = %e, "full-text indexing failed; searches read the events directly until it works");
                    failing = true;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewEvent, Store, test_row};

    fn rows(from: usize, to: usize) -> Vec<NewEvent> {
        (from..to).map(test_row).collect()
    }

    #[test]
    fn the_index_thread_indexes_and_compacts_to_one_segment() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        // Six indexing transactions: six segments.
        let mut ix = Index::open(&p).unwrap();
        for k in 0..6 {
            s.insert_batch(&rows(k * 2000, (k + 1) * 2000), &[])
                .unwrap();
            ix.step(2000).unwrap();
        }
        assert_eq!(
            ix.segments().unwrap(),
            3,
            "automerge: 4 level-0 segments became 1"
        );
        s.insert_batch(&rows(12_000, 12_100), &[]).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let t = {
            let stop = stop.clone();
            std::thread::spawn(move || run(ix, stop))
        };
        let reader = Store::open_reader(&p).unwrap();
        let t0 = Instant::now();
        loop {
            let ix = Index::open(&p).unwrap();
            if ix.backlog().unwrap() == 0 && reader.fts_segments().unwrap() == 1 {
                ix.integrity_check().unwrap();
                assert_eq!(ix.rows().unwrap(), 12_100);
                break;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "backlog {}, {} segments",
                ix.backlog().unwrap(),
                reader.fts_segments().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        stop.store(true, Ordering::SeqCst);
        t.join().unwrap();
    }

    #[test]
    fn an_index_of_another_database_or_a_corrupt_one_is_built_again() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        s.insert_batch(&rows(0, 100), &[]).unwrap();
        let mut ix = Index::open(&p).unwrap();
        assert_eq!(ix.step(1000).unwrap(), 100);
        drop((s, ix));
        // A new events database in the same place (e.g. a corrupt one moved aside).
        for f in ["q.db", "q.db-wal", "q.db-shm"] {
            let _ = std::fs::remove_file(d.path().join(f));
        }
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        s.insert_batch(&rows(500, 510), &[]).unwrap();
        let mut ix = Index::open(&p).unwrap();
        assert_eq!(ix.rows().unwrap(), 0, "the old index was dropped");
        assert_eq!(ix.backlog().unwrap(), 10);
        assert_eq!(ix.step(1000).unwrap(), 10);
        drop(ix);
        // A file that is not a database at all.
        let path = path_for(&p);
        for suffix in ["-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let mut ix = Index::open(&p).unwrap();
        assert_eq!(ix.backlog().unwrap(), 10);
        assert_eq!(ix.step(1000).unwrap(), 10);
        let (found, _) = s
            .query(
                &questlog_client::protocol::Query {
                    text: Some("crate505 ".into()),
                    ..Default::default()
                },
                crate::store::Viewer {
                    uid: 0,
                    privileged: true,
                },
                10,
            )
            .unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn index_path_sits_beside_the_database() {
        assert_eq!(
            path_for(Path::new("/var/lib/questlog/questlog.db")),
            Path::new("/var/lib/questlog/questlog-index.db")
        );
    }
}
