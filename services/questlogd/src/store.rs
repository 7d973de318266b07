//! The SQLite store: schema and migrations, batched inserts, queries, stats, retention.
//!
//! One [`Store`] per connection; the daemon has one writer and opens read-only stores for
//! queries (WAL lets them run beside the writer).

use questlog_client::protocol::{Query, Record, Stats};
use rusqlite::{Connection, OpenFlags, OptionalExtension, params, params_from_iter};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite error")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database {path} is corrupt: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("cannot move corrupt database {path} aside")]
    MoveAside {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot set permissions on {path}")]
    Permissions {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid query: {0}")]
    BadQuery(String),
}

impl StoreError {
    /// Disk full or I/O trouble: the caller should refuse with "unavailable" and let clients spool.
    pub fn is_storage_full(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::DiskFull)
    }

    /// The statement was interrupted (background work giving way to an append).
    pub fn is_interrupted(&self) -> bool {
        matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::OperationInterrupted)
    }

    pub fn is_corrupt(&self) -> bool {
        matches!(self, StoreError::Corrupt { .. })
            || matches!(self, StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
    }
}

/// Embedded migrations; `PRAGMA user_version` counts those applied.
const MIGRATIONS: &[&str] = &[
    // 1: events, full-text index, aggregates, metadata
    r#"
    CREATE TABLE events (
        id       INTEGER PRIMARY KEY,
        ts       INTEGER NOT NULL,
        uid      INTEGER NOT NULL,
        type     TEXT NOT NULL,
        source   TEXT NOT NULL,
        text     TEXT NOT NULL,
        cwd      TEXT,
        exit     INTEGER,
        duration INTEGER,
        unit     TEXT,
        session  TEXT,
        tty      TEXT,
        flags    INTEGER NOT NULL DEFAULT 0,
        data     TEXT,
        dedupe   INTEGER
    );
    CREATE INDEX events_ts ON events(ts);
    CREATE UNIQUE INDEX events_dedupe ON events(dedupe) WHERE dedupe IS NOT NULL;
    CREATE VIRTUAL TABLE events_fts USING fts5(
        text, content='events', content_rowid='id', tokenize='trigram'
    );
    CREATE TRIGGER events_ai AFTER INSERT ON events BEGIN
        INSERT INTO events_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER events_ad AFTER DELETE ON events BEGIN
        INSERT INTO events_fts(events_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TABLE agg (
        day    INTEGER NOT NULL,
        uid    INTEGER NOT NULL,
        type   TEXT NOT NULL,
        key    TEXT NOT NULL,
        n      INTEGER NOT NULL,
        failed INTEGER NOT NULL,
        PRIMARY KEY (day, uid, type, key)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
    "#,
    // 2: the full-text index is built behind the commits, in batches (see `index_step`);
    // rows past `fts_upto` are searched directly.
    r#"
    DROP TRIGGER events_ai;
    DROP TRIGGER events_ad;
    INSERT OR REPLACE INTO meta (key, value)
        SELECT 'fts_upto', CAST(coalesce(max(id), 0) AS TEXT) FROM events;
    "#,
    // 3: FTS5 merges its segments in small steps the writer runs when idle (`merge_step`),
    // instead of in lumps of tens of milliseconds inside an indexing commit.
    r#"
    INSERT INTO events_fts(events_fts, rank) VALUES ('automerge', 0);
    INSERT INTO events_fts(events_fts, rank) VALUES ('crisismerge', 32);
    "#,
    // 4: the full-text index moves to a database file of its own, written by its own thread
    // (see `crate::index`), so that appends never wait for indexing or merging. Retention notes
    // the ids it deletes in `fts_gone` for the index to forget. `db_id` ties an index file to
    // this database.
    r#"
    DROP TABLE events_fts;
    DELETE FROM meta WHERE key = 'fts_upto';
    CREATE TABLE fts_gone (seq INTEGER PRIMARY KEY, id INTEGER NOT NULL);
    INSERT OR IGNORE INTO meta (key, value) VALUES ('db_id', lower(hex(randomblob(16))));
    "#,
];

pub const FLAG_TRUNCATED: i64 = 1;
pub const FLAG_REDACTED: i64 = 2;

/// Types an unprivileged reader sees from system users (uid < 1000) besides their own events.
pub const SHARED_TYPES: &[&str] = &["unit", "heal_action", "alert", "snapshot", "internal"];
const SYSTEM_UID_MAX: u32 = 999;

/// An event ready to store (already redacted and cut).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewEvent {
    pub ts_ms: i64,
    pub uid: u32,
    pub type_name: String,
    pub source: String,
    pub text: String,
    pub cwd: Option<String>,
    pub exit: Option<i32>,
    pub duration_ms: Option<i64>,
    pub unit: Option<String>,
    pub session: Option<String>,
    pub tty: Option<String>,
    pub flags: i64,
    pub data: Option<String>,
    pub dedupe: Option<i64>,
    /// Aggregate key: program for commands, unit for unit events.
    pub agg_key: String,
    pub failed: bool,
}

/// Who is reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub uid: u32,
    /// root or a member of `adm`: reads everything.
    pub privileged: bool,
}

/// FNV-1a of (uid, client id): the de-duplication key.
pub fn dedupe_key(uid: u32, id: &str) -> i64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in uid.to_le_bytes().iter().chain(id.as_bytes()) {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h as i64
}

pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The largest id when opened (writer only).
    max_id: i64,
    /// The full-text index database is attached as `fts` (done once it exists).
    fts: std::cell::Cell<bool>,
}

/// Outcome of a batch insert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inserted {
    pub stored: usize,
    pub duplicates: usize,
}

pub(crate) fn set_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).map_err(
                |source| StoreError::Permissions {
                    path: p.clone(),
                    source,
                },
            )?;
        }
    }
    Ok(())
}

impl Store {
    /// Opens (creating and migrating) the database for writing. `synchronous` is `normal` or
    /// `full`.
    pub fn open_writer(path: &Path, synchronous: &str, check: bool) -> Result<Store, StoreError> {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let conn = Connection::open(path)?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            max_id: 0,
            fts: false.into(),
        };
        store.init_writer(synchronous, check)?;
        store.max_id =
            store
                .conn
                .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))?;
        set_private(path)?;
        Ok(store)
    }

    fn init_writer(&self, synchronous: &str, check: bool) -> Result<(), StoreError> {
        let c = &self.conn;
        c.busy_timeout(std::time::Duration::from_secs(5))?;
        let corrupt = |detail: String| StoreError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        // A file that isn't a database fails here.
        let mode: String = c
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(|e| corrupt(e.to_string()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(corrupt(format!("journal_mode is {mode}")));
        }
        let sync = if synchronous.eq_ignore_ascii_case("full") {
            "FULL"
        } else {
            "NORMAL"
        };
        c.execute_batch(&format!(
            "PRAGMA synchronous={sync}; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000;"
        ))?;
        if check {
            let res: String = c
                .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
                .map_err(|e| corrupt(e.to_string()))?;
            if res != "ok" {
                return Err(corrupt(res));
            }
        }
        self.migrate()?;
        Ok(())
    }

    fn migrate(&self) -> Result<(), StoreError> {
        let c = &self.conn;
        let v: usize = c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))? as usize;
        if v == 0 {
            // Must precede the first table: lets retention give space back.
            c.execute_batch("PRAGMA auto_vacuum=INCREMENTAL;")?;
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(v) {
            let tx = c.unchecked_transaction()?;
            tx.execute_batch(m)?;
            tx.execute_batch(&format!("PRAGMA user_version={}", i + 1))?;
            tx.commit()?;
        }
        Ok(())
    }

    /// Opens the writer; a corrupt database is renamed to `<name>.corrupt-<unix time>` (with its
    /// WAL) and a fresh one started. Returns the store and where the corrupt one went.
    pub fn open_or_recover(
        path: &Path,
        synchronous: &str,
        check: bool,
    ) -> Result<(Store, Option<PathBuf>), StoreError> {
        match Store::open_writer(path, synchronous, check) {
            Ok(s) => Ok((s, None)),
            Err(e) if e.is_corrupt() => {
                let stamp = questlog_client::protocol::now_ms() / 1000;
                let mut aside = path.as_os_str().to_owned();
                aside.push(format!(".corrupt-{stamp}"));
                let aside = PathBuf::from(aside);
                for suffix in ["", "-wal", "-shm"] {
                    let mut from = path.as_os_str().to_owned();
                    from.push(suffix);
                    let mut to = aside.as_os_str().to_owned();
                    to.push(suffix);
                    match std::fs::rename(&from, &to) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(source) => {
                            return Err(StoreError::MoveAside {
                                path: path.to_path_buf(),
                                source,
                            });
                        }
                    }
                }
                let s = Store::open_writer(path, synchronous, check)?;
                Ok((s, Some(aside)))
            }
            Err(e) => Err(e),
        }
    }

    /// Opens a read-only connection to an existing database.
    pub fn open_reader(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Readers share the OS page cache through a map instead of copying pages each.
        conn.execute_batch(
            "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-16000; PRAGMA mmap_size=1073741824;",
        )?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            max_id: 0,
            fts: false.into(),
        })
    }

    /// Attaches the full-text index database as `fts` once it exists; false while it doesn't
    /// (searches then read the events directly).
    fn attach_fts(&self) -> Result<bool, StoreError> {
        if self.fts.get() {
            return Ok(true);
        }
        let path = crate::index::path_for(&self.path);
        if !path.exists() {
            return Ok(false);
        }
        self.conn
            .execute("ATTACH DATABASE ?1 AS fts", [path.to_string_lossy()])?;
        self.fts.set(true);
        Ok(true)
    }

    /// A handle that interrupts this connection's running statement from another thread.
    pub fn interrupt_handle(&self) -> rusqlite::InterruptHandle {
        self.conn.get_interrupt_handle()
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Inserts events in one transaction (a group commit), setting `cursor` (the journal's)
    /// in the same transaction. Returns per-event whether it was stored (false = duplicate).
    pub fn insert_batch(
        &mut self,
        events: &[NewEvent],
        cursors: &[(&str, &str)],
    ) -> Result<Vec<bool>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut max_id = self.max_id;
        let mut stored = Vec::with_capacity(events.len());
        let mut agg: HashMap<(i64, u32, &str, &str), (i64, i64)> = HashMap::new();
        {
            let mut ins = tx.prepare_cached(
                "INSERT OR IGNORE INTO events
                 (ts, uid, type, source, text, cwd, exit, duration, unit, session, tty, flags, data, dedupe)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            )?;
            for e in events {
                let n = ins.execute(params![
                    e.ts_ms,
                    e.uid,
                    e.type_name,
                    e.source,
                    e.text,
                    e.cwd,
                    e.exit,
                    e.duration_ms,
                    e.unit,
                    e.session,
                    e.tty,
                    e.flags,
                    e.data,
                    e.dedupe
                ])?;
                stored.push(n == 1);
                if n == 1 {
                    max_id = max_id.max(tx.last_insert_rowid());
                    let day = e.ts_ms.div_euclid(86_400_000);
                    let a = agg
                        .entry((day, e.uid, e.type_name.as_str(), e.agg_key.as_str()))
                        .or_default();
                    a.0 += 1;
                    a.1 += i64::from(e.failed);
                }
            }
            let mut up = tx.prepare_cached(
                "INSERT INTO agg (day, uid, type, key, n, failed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (day, uid, type, key) DO UPDATE SET n = n + excluded.n,
                 failed = failed + excluded.failed",
            )?;
            for ((day, uid, ty, key), (n, f)) in agg {
                up.execute(params![day, uid, ty, key, n, f])?;
            }
            let mut cur =
                tx.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
            for (k, v) in cursors {
                cur.execute(params![k, v])?;
            }
        }
        tx.commit()?;
        self.max_id = max_id;
        Ok(stored)
    }

    /// Stops SQLite from checkpointing inside commits (a separate checkpointer does it).
    pub fn disable_autocheckpoint(&self) -> Result<(), StoreError> {
        self.conn.execute_batch("PRAGMA wal_autocheckpoint=0;")?;
        Ok(())
    }

    /// Opens a connection for checkpointing only.
    pub fn open_checkpointer(path: &Path) -> Result<Store, StoreError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_millis(100))?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
            max_id: 0,
            fts: false.into(),
        })
    }

    /// Free pages in the database file (left by deletions).
    pub fn free_pages(&self) -> Result<i64, StoreError> {
        free_pages(&self.conn, "main")
    }

    /// Checkpoints everything and truncates the WAL file to nothing. Waits (up to the busy
    /// timeout) for the writer: only for quiet moments.
    pub fn checkpoint_truncate(&self) -> Result<bool, StoreError> {
        let busy: i64 = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))?;
        Ok(busy == 0)
    }

    /// A passive checkpoint (never blocks the writer). Returns frames left in the WAL.
    pub fn checkpoint_passive(&self) -> Result<i64, StoreError> {
        let (log, done): (i64, i64) =
            self.conn
                .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                    Ok((r.get(1)?, r.get(2)?))
                })?;
        Ok((log - done).max(0))
    }

    /// Segments in the full-text index (0 while there is none): each search looks through
    /// every one of them.
    pub fn fts_segments(&self) -> Result<u64, StoreError> {
        if !self.attach_fts()? {
            return Ok(0);
        }
        crate::index::segments(&crate::index::structure(&self.conn, "fts")?, &self.path)
    }

    /// Free pages in the full-text index file (left by merges).
    pub fn fts_free_pages(&self) -> Result<i64, StoreError> {
        if !self.attach_fts()? {
            return Ok(0);
        }
        free_pages(&self.conn, "fts")
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    /// Deletes up to `limit` of the oldest events matching `cond` (an SQL condition on
    /// `ts`), keeping the aggregates in step. Returns how many were deleted.
    fn prune_where(&mut self, cond: &str, arg: i64, limit: usize) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut ids = Vec::new();
        let mut agg: HashMap<(i64, u32, String, String), (i64, i64)> = HashMap::new();
        {
            let mut q = tx.prepare(&format!(
                "SELECT id, ts, uid, type, text, unit, exit FROM events WHERE {cond}
                 ORDER BY ts LIMIT {limit}"
            ))?;
            let mut rows = q.query([arg])?;
            while let Some(r) = rows.next()? {
                let id: i64 = r.get(0)?;
                let ts: i64 = r.get(1)?;
                let uid: u32 = r.get(2)?;
                let ty: String = r.get(3)?;
                let text: String = r.get(4)?;
                let unit: Option<String> = r.get(5)?;
                let exit: Option<i32> = r.get(6)?;
                let (key, failed) = agg_key(&ty, &text, unit.as_deref(), exit);
                let a = agg
                    .entry((ts.div_euclid(86_400_000), uid, ty, key))
                    .or_default();
                a.0 += 1;
                a.1 += i64::from(failed);
                ids.push(id);
            }
        }
        {
            let mut del = tx.prepare_cached("DELETE FROM events WHERE id = ?1")?;
            let mut gone = tx.prepare_cached("INSERT INTO fts_gone (id) VALUES (?1)")?;
            for id in &ids {
                gone.execute([id])?;
                del.execute([id])?;
            }
            let mut up = tx.prepare_cached(
                "UPDATE agg SET n = n - ?5, failed = failed - ?6
                 WHERE day = ?1 AND uid = ?2 AND type = ?3 AND key = ?4",
            )?;
            for ((day, uid, ty, key), (n, f)) in &agg {
                up.execute(params![day, uid, ty, key, n, f])?;
            }
            tx.execute("DELETE FROM agg WHERE n <= 0", [])?;
        }
        tx.commit()?;
        Ok(ids.len())
    }

    /// Bytes the database's live pages take ((page_count - freelist) * page_size), plus the
    /// full-text index file's size.
    pub fn used_bytes(&self) -> Result<u64, StoreError> {
        let pc: i64 = self.conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
        let fl: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))?;
        let ps: i64 = self.conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        let index = crate::index::path_for(&self.path);
        let index_bytes = std::fs::metadata(&index).map_or(0, |m| m.len());
        Ok(((pc - fl).max(0) * ps) as u64 + index_bytes)
    }

    /// Drops the notes of pruned ids the index has already forgotten.
    fn trim_fts_gone(&self) -> Result<(), StoreError> {
        if self.attach_fts()? {
            self.conn.execute(
                "DELETE FROM fts_gone WHERE seq <= coalesce(
                    (SELECT CAST(value AS INTEGER) FROM fts.fts_meta WHERE key = 'gone_upto'), 0)",
                [],
            )?;
        }
        Ok(())
    }

    /// One step of retention: prunes up to `chunk` events older than `max_age_ms` before
    /// `now_ms`, then (if still over `max_bytes`) up to `chunk` of the oldest. Returns the number
    /// deleted; call again while it returns `chunk` or more.
    pub fn prune_step(
        &mut self,
        now_ms: i64,
        max_age_ms: Option<i64>,
        max_bytes: Option<u64>,
        chunk: usize,
    ) -> Result<usize, StoreError> {
        let mut n = 0;
        if let Some(age) = max_age_ms {
            n += self.prune_where("ts < ?1", now_ms - age, chunk)?;
        }
        if n < chunk
            && let Some(max) = max_bytes
            && self.used_bytes()? > max
        {
            n += self.prune_where("?1 = ?1", 0, chunk)?;
        }
        self.trim_fts_gone()?;
        if n > 0 {
            // Give freed pages back to the file system.
            self.conn
                .execute_batch("PRAGMA incremental_vacuum(2000);")?;
        }
        Ok(n)
    }

    /// Checkpoints the WAL into the database (at shutdown).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.conn
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")?;
        Ok(())
    }

    fn filters(
        q: &Query,
        viewer: Viewer,
        sql: &mut String,
        args: &mut Vec<rusqlite::types::Value>,
    ) -> Result<(), StoreError> {
        use rusqlite::types::Value as V;
        if !viewer.privileged {
            let shared = SHARED_TYPES
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(",");
            args.push(V::Integer(i64::from(viewer.uid)));
            sql.push_str(&format!(
                " AND (e.uid = ?{} OR (e.uid <= {SYSTEM_UID_MAX} AND e.type IN ({shared})))",
                args.len()
            ));
        }
        let mut push = |cond: &str, v: V, sql: &mut String| {
            args.push(v);
            sql.push_str(&cond.replace("?#", &format!("?{}", args.len())));
        };
        if let Some(s) = q.since_ms {
            push(" AND e.ts >= ?#", V::Integer(s), sql);
        }
        if let Some(u) = q.until_ms {
            push(" AND e.ts < ?#", V::Integer(u), sql);
        }
        if let Some(uid) = q.uid {
            push(" AND e.uid = ?#", V::Integer(i64::from(uid)), sql);
        }
        if let Some(unit) = &q.unit {
            push(" AND e.unit = ?#", V::Text(unit.clone()), sql);
        }
        if let Some(x) = q.exit {
            push(" AND e.exit = ?#", V::Integer(i64::from(x)), sql);
        }
        if let Some(cwd) = &q.cwd {
            if cwd.ends_with('/') && cwd.len() > 1 {
                let base = cwd.trim_end_matches('/').to_string();
                push(" AND (e.cwd = ?#", V::Text(base.clone()), sql);
                push(
                    " OR substr(e.cwd, 1, ?#) = ",
                    V::Integer(base.len() as i64 + 1),
                    sql,
                );
                push("?#)", V::Text(format!("{base}/")), sql);
            } else {
                push(" AND e.cwd = ?#", V::Text(cwd.clone()), sql);
            }
        }
        if let Some(src) = &q.source {
            push(" AND e.source = ?#", V::Text(src.clone()), sql);
        }
        if !q.types.is_empty() {
            for t in &q.types {
                if !questlog_client::protocol::TYPE_NAMES.contains(&t.as_str()) {
                    return Err(StoreError::BadQuery(format!("unknown event type {t:?}")));
                }
            }
            let list = q
                .types
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(",");
            sql.push_str(&format!(" AND e.type IN ({list})"));
        }
        if let Some(after) = q.after_id {
            push(" AND e.id > ?#", V::Integer(after), sql);
        }
        Ok(())
    }

    /// Runs a query for `viewer`; returns at most `cap` rows and whether more matched.
    pub fn query(
        &self,
        q: &Query,
        viewer: Viewer,
        cap: usize,
    ) -> Result<(Vec<Record>, bool), StoreError> {
        use rusqlite::types::Value as V;
        let limit = q.limit.unwrap_or(50).clamp(1, cap.max(1));
        let want = limit + 1;
        let dir = if q.ascending { "ASC" } else { "DESC" };
        let like = |t: &str| {
            let esc = t
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            V::Text(format!("%{esc}%"))
        };
        // Attached before the transaction (ATTACH can't run inside one).
        let fts = self.attach_fts()?;
        // One read transaction: the index boundary and the index come from the same snapshot;
        // the events' snapshot starts after it, so every indexed row is there unless pruned.
        let tx = self.conn.unchecked_transaction()?;
        let mut out = match q.text.as_deref().filter(|t| !t.is_empty()) {
            Some(t) if t.chars().count() >= 3 => {
                let upto: i64 = if fts {
                    tx.query_row(
                        "SELECT value FROM fts.fts_meta WHERE key = 'upto'",
                        [],
                        |r| r.get::<_, String>(0),
                    )
                    .optional()?
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
                } else {
                    0
                };
                // Indexed rows through FTS5 (trigram: substring match), the rest directly.
                let (expr, verify) = fts_expression(t);
                let mut fts_args = vec![V::Text(expr), V::Integer(upto)];
                let mut fts_sql = format!(
                    "SELECT {COLS} FROM fts.events_fts f JOIN events e ON e.id = f.rowid \
                     WHERE f.events_fts MATCH ?1 AND f.rowid <= ?2"
                );
                if verify {
                    fts_args.push(like(t));
                    fts_sql.push_str(" AND e.text LIKE ?3 ESCAPE '\\'");
                }
                Self::filters(q, viewer, &mut fts_sql, &mut fts_args)?;
                fts_sql.push_str(&format!(" ORDER BY f.rowid {dir} LIMIT {want}"));
                let mut tail_args = vec![like(t), V::Integer(upto)];
                let mut tail_sql = format!(
                    "SELECT {COLS} FROM events e WHERE e.text LIKE ?1 ESCAPE '\\' AND e.id > ?2"
                );
                Self::filters(q, viewer, &mut tail_sql, &mut tail_args)?;
                tail_sql.push_str(&format!(" ORDER BY e.id {dir} LIMIT {want}"));
                let (first, second) = if q.ascending {
                    ((fts_sql, fts_args), (tail_sql, tail_args))
                } else {
                    ((tail_sql, tail_args), (fts_sql, fts_args))
                };
                let run = |sql: &str, args: &[rusqlite::types::Value]| {
                    if !fts && sql.contains("fts.events_fts") {
                        return Ok(Vec::new());
                    }
                    rows_of(&tx, sql, args)
                };
                let mut rows = run(&first.0, &first.1)?;
                if rows.len() < want {
                    rows.extend(run(&second.0, &second.1)?);
                }
                rows
            }
            Some(t) => {
                let mut args = vec![like(t)];
                let mut sql =
                    format!("SELECT {COLS} FROM events e WHERE e.text LIKE ?1 ESCAPE '\\'");
                Self::filters(q, viewer, &mut sql, &mut args)?;
                sql.push_str(&format!(" ORDER BY e.id {dir} LIMIT {want}"));
                rows_of(&tx, &sql, &args)?
            }
            None => {
                let mut args = Vec::new();
                let mut sql = format!("SELECT {COLS} FROM events e WHERE 1");
                Self::filters(q, viewer, &mut sql, &mut args)?;
                sql.push_str(&format!(" ORDER BY e.id {dir} LIMIT {want}"));
                rows_of(&tx, &sql, &args)?
            }
        };
        drop(tx);
        let more = out.len() > limit;
        out.truncate(limit);
        Ok((out, more))
    }

    /// Statistics for the events `q` selects. From the per-day aggregates when the filters
    /// allow it (user, type, and since/until on whole UTC days): fast on any size. Otherwise
    /// (unit, exit, cwd, source, or times within a day) from the events themselves.
    pub fn stats(&self, q: &Query, viewer: Viewer) -> Result<Stats, StoreError> {
        if q.text.is_some() {
            return Err(StoreError::BadQuery(
                "stats take filters, not search text".into(),
            ));
        }
        let whole_day = |t: Option<i64>| t.is_none_or(|t| t.rem_euclid(86_400_000) == 0);
        if q.unit.is_some()
            || q.exit.is_some()
            || q.cwd.is_some()
            || q.source.is_some()
            || !whole_day(q.since_ms)
            || !whole_day(q.until_ms)
        {
            return self.stats_from_events(q, viewer);
        }
        self.stats_from_aggregates(q, viewer)
    }

    fn stats_from_events(&self, q: &Query, viewer: Viewer) -> Result<Stats, StoreError> {
        let mut cond = String::from("1");
        let mut args = Vec::new();
        let q = Query {
            after_id: None,
            ..q.clone()
        };
        Self::filters(&q, viewer, &mut cond, &mut args)?;
        let c = &self.conn;
        let p = || params_from_iter(args.iter());
        let mut st = Stats::default();
        let mut s = c.prepare(&format!(
            "SELECT e.type, count(*) FROM events e WHERE {cond} GROUP BY e.type ORDER BY 2 DESC, 1"
        ))?;
        st.by_type = s
            .query_map(p(), |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<Result<_, _>>()?;
        st.total = st.by_type.iter().map(|(_, n)| n).sum();
        let triple = |sql: String| -> Result<Vec<(String, u64, u64)>, StoreError> {
            let mut s = c.prepare(&sql)?;
            let v = s
                .query_map(p(), |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?.unwrap_or_default(),
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, i64>(2)? as u64,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            Ok(v)
        };
        st.busiest_units = triple(format!(
            "SELECT e.unit, count(*), sum(substr(e.text, 1, 6) = 'failed') FROM events e
             WHERE {cond} AND e.type = 'unit' GROUP BY e.unit ORDER BY 2 DESC, 1 LIMIT 10"
        ))?;
        st.per_day = triple(format!(
            "SELECT date(e.ts / 1000, 'unixepoch'), count(*),
                    sum(e.type = 'command' AND e.exit IS NOT NULL AND e.exit != 0)
             FROM events e WHERE {cond} GROUP BY 1 ORDER BY 1 DESC LIMIT 31"
        ))?;
        // Programs are cut out of the command lines here, as the aggregates do when storing.
        let mut programs: HashMap<String, (u64, u64)> = HashMap::new();
        let mut s = c.prepare(&format!(
            "SELECT e.text, e.exit FROM events e WHERE {cond} AND e.type = 'command'"
        ))?;
        let mut rows = s.query(p())?;
        let (mut runs, mut failed) = (0u64, 0u64);
        while let Some(r) = rows.next()? {
            let text: String = r.get(0)?;
            let exit: Option<i32> = r.get(1)?;
            let bad = u64::from(exit.is_some_and(|x| x != 0));
            let e = programs.entry(program_of(&text)).or_default();
            e.0 += 1;
            e.1 += bad;
            runs += 1;
            failed += bad;
        }
        let mut top: Vec<_> = programs.into_iter().map(|(k, (n, f))| (k, n, f)).collect();
        top.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        top.truncate(10);
        st.top_commands = top;
        st.command_failure_rate = if runs > 0 {
            failed as f64 / runs as f64
        } else {
            0.0
        };
        Ok(st)
    }

    fn stats_from_aggregates(&self, q: &Query, viewer: Viewer) -> Result<Stats, StoreError> {
        use rusqlite::types::Value as V;
        let mut cond = String::from("1");
        let mut args: Vec<V> = Vec::new();
        if !viewer.privileged {
            let shared = SHARED_TYPES
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(",");
            args.push(V::Integer(i64::from(viewer.uid)));
            cond.push_str(&format!(
                " AND (uid = ?{} OR (uid <= {SYSTEM_UID_MAX} AND type IN ({shared})))",
                args.len()
            ));
        }
        if let Some(s) = q.since_ms {
            args.push(V::Integer(s.div_euclid(86_400_000)));
            cond.push_str(&format!(" AND day >= ?{}", args.len()));
        }
        if let Some(u) = q.until_ms {
            args.push(V::Integer((u - 1).div_euclid(86_400_000)));
            cond.push_str(&format!(" AND day <= ?{}", args.len()));
        }
        if let Some(uid) = q.uid {
            args.push(V::Integer(i64::from(uid)));
            cond.push_str(&format!(" AND uid = ?{}", args.len()));
        }
        if !q.types.is_empty() {
            for t in &q.types {
                if !questlog_client::protocol::TYPE_NAMES.contains(&t.as_str()) {
                    return Err(StoreError::BadQuery(format!("unknown event type {t:?}")));
                }
            }
            let list = q
                .types
                .iter()
                .map(|t| format!("'{t}'"))
                .collect::<Vec<_>>()
                .join(",");
            cond.push_str(&format!(" AND type IN ({list})"));
        }
        let c = &self.conn;
        let p = || params_from_iter(args.iter());
        let mut st = Stats::default();
        let mut s = c.prepare(&format!(
            "SELECT type, sum(n) FROM agg WHERE {cond} GROUP BY type ORDER BY 2 DESC, 1"
        ))?;
        st.by_type = s
            .query_map(p(), |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<Result<_, _>>()?;
        st.total = st.by_type.iter().map(|(_, n)| n).sum();
        let triple = |sql: String| -> Result<Vec<(String, u64, u64)>, StoreError> {
            let mut s = c.prepare(&sql)?;
            let v = s
                .query_map(p(), |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, i64>(2)? as u64,
                    ))
                })?
                .collect::<Result<_, _>>()?;
            Ok(v)
        };
        st.top_commands = triple(format!(
            "SELECT key, sum(n), sum(failed) FROM agg WHERE {cond} AND type = 'command'
             GROUP BY key ORDER BY 2 DESC, 1 LIMIT 10"
        ))?;
        st.busiest_units = triple(format!(
            "SELECT key, sum(n), sum(failed) FROM agg WHERE {cond} AND type = 'unit'
             GROUP BY key ORDER BY 2 DESC, 1 LIMIT 10"
        ))?;
        st.per_day = triple(format!(
            "SELECT date(day * 86400, 'unixepoch'), sum(n),
                    sum(CASE WHEN type = 'command' THEN failed ELSE 0 END)
             FROM agg WHERE {cond} GROUP BY day ORDER BY day DESC LIMIT 31"
        ))?;
        let (runs, failed): (i64, i64) = c.query_row(
            &format!(
                "SELECT coalesce(sum(n), 0), coalesce(sum(failed), 0) FROM agg
                 WHERE {cond} AND type = 'command'"
            ),
            p(),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        st.command_failure_rate = if runs > 0 {
            failed as f64 / runs as f64
        } else {
            0.0
        };
        Ok(st)
    }

    pub fn count(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM events", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

/// Free pages in the database `schema` of a connection.
pub(crate) fn free_pages(conn: &Connection, schema: &str) -> Result<i64, StoreError> {
    Ok(conn.query_row(&format!("PRAGMA {schema}.freelist_count"), [], |r| r.get(0))?)
}

/// A command event as the tests store them: `cargo build --package crate<i> --release`.
#[cfg(test)]
pub(crate) fn test_row(i: usize) -> NewEvent {
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

/// The FTS5 expression for a substring search of `t` (3 characters or more), and whether the
/// rows it finds must be checked with LIKE.
///
/// A phrase of every overlapping trigram makes FTS5 walk and compare positions for all of them;
/// for ASCII text the non-overlapping trigrams that cover `t`, AND-ed, find the same rows and a
/// few more, which LIKE (ASCII case-insensitive, like the trigram tokenizer there) then drops.
/// Other text keeps the phrase, since LIKE does not fold non-ASCII case.
pub fn fts_expression(t: &str) -> (String, bool) {
    let quote = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let chars: Vec<char> = t.chars().collect();
    if !t.is_ascii() || chars.len() <= 3 {
        return (quote(t), false);
    }
    let mut starts: Vec<usize> = (0..=chars.len() - 3).step_by(3).collect();
    if !chars.len().is_multiple_of(3) {
        starts.push(chars.len() - 3);
    }
    let terms: Vec<String> = starts
        .iter()
        .map(|&i| quote(&chars[i..i + 3].iter().collect::<String>()))
        .collect();
    (terms.join(" AND "), true)
}

const COLS: &str = "e.id, e.ts, e.uid, e.type, e.source, e.text, e.cwd, e.exit, e.duration, \
                    e.unit, e.session, e.tty, e.flags, e.data";

fn rows_of(
    conn: &Connection,
    sql: &str,
    args: &[rusqlite::types::Value],
) -> Result<Vec<Record>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let flags: i64 = r.get(12)?;
        let data: Option<String> = r.get(13)?;
        out.push(Record {
            id: r.get(0)?,
            ts_ms: r.get(1)?,
            uid: r.get(2)?,
            type_name: r.get(3)?,
            source: r.get(4)?,
            text: r.get(5)?,
            cwd: r.get(6)?,
            exit: r.get(7)?,
            duration_ms: r.get(8)?,
            unit: r.get(9)?,
            session: r.get(10)?,
            tty: r.get(11)?,
            truncated: flags & FLAG_TRUNCATED != 0,
            redacted: flags & FLAG_REDACTED != 0,
            data: data
                .and_then(|d| serde_json::from_str(&d).ok())
                .unwrap_or(serde_json::Value::Null),
        });
    }
    Ok(out)
}

/// The aggregate key and failure flag of an event.
pub fn agg_key(
    type_name: &str,
    text: &str,
    unit: Option<&str>,
    exit: Option<i32>,
) -> (String, bool) {
    match type_name {
        "command" => (program_of(text), exit.is_some_and(|x| x != 0)),
        "unit" => (unit.unwrap_or("").to_string(), text.starts_with("failed")),
        "heal_action" => (unit.unwrap_or("").to_string(), false),
        _ => (String::new(), false),
    }
}

/// The program a command line runs: the first word that is not an environment assignment,
/// skipping `sudo`/`env`/`time`/`nohup`/`exec`.
pub fn program_of(cmd: &str) -> String {
    for w in cmd.split_whitespace() {
        if w.contains('=') && !w.starts_with('=') {
            continue;
        }
        if matches!(
            w,
            "sudo" | "env" | "time" | "nohup" | "exec" | "command" | "builtin"
        ) {
            continue;
        }
        let w = w.rsplit('/').next().unwrap_or(w);
        return w.chars().take(64).collect();
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(uid: u32, ty: &str, text: &str, ts: i64) -> NewEvent {
        let (agg_key, failed) = agg_key(ty, text, None, Some(1));
        NewEvent {
            ts_ms: ts,
            uid,
            type_name: ty.into(),
            source: "test".into(),
            text: text.into(),
            cwd: Some("/home/a/src".into()),
            exit: Some(1),
            agg_key,
            failed,
            ..Default::default()
        }
    }

    const ROOT: Viewer = Viewer {
        uid: 0,
        privileged: true,
    };

    #[test]
    fn insert_search_dedupe_and_access() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        let mut a = ev(1000, "command", "git commit -m 'Fix Parser'", 1_000);
        a.dedupe = Some(dedupe_key(1000, "x-1"));
        let b = ev(1001, "command", "cargo build --release", 2_000);
        let c = ev(0, "unit", "failed", 3_000);
        assert_eq!(
            s.insert_batch(&[a.clone(), b, c], &[("journal_cursor", "c1")])
                .unwrap(),
            vec![true, true, true]
        );
        assert_eq!(s.insert_batch(&[a], &[]).unwrap(), vec![false]);
        assert_eq!(s.meta("journal_cursor").unwrap().as_deref(), Some("c1"));
        let q = |t: &str| Query {
            text: Some(t.into()),
            ..Default::default()
        };
        let (rows, _) = s.query(&q("parse"), ROOT, 100).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].uid, 1000);
        let (rows, _) = s.query(&q("it"), ROOT, 100).unwrap();
        assert_eq!(rows.len(), 1, "short substring via LIKE");
        let user = Viewer {
            uid: 1001,
            privileged: false,
        };
        let (rows, _) = s.query(&Query::default(), user, 100).unwrap();
        let types: Vec<_> = rows.iter().map(|r| (r.uid, r.type_name.as_str())).collect();
        assert_eq!(types, vec![(0, "unit"), (1001, "command")]);
        let st = s.stats(&Query::default(), ROOT).unwrap();
        assert_eq!(st.total, 3);
        assert_eq!(st.top_commands.len(), 2);
        let mode = std::fs::metadata(&p).unwrap();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.permissions().mode() & 0o077, 0);
    }

    #[test]
    fn prune_by_age_keeps_aggregates_consistent() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        let mut ix = crate::index::Index::open(&p).unwrap();
        let evs: Vec<_> = (0..100)
            .map(|i| ev(1, "command", &format!("ls {i}"), i * 86_400_000))
            .collect();
        s.insert_batch(&evs, &[]).unwrap();
        let search = |s: &Store, t: &str| {
            s.query(
                &Query {
                    text: Some(t.into()),
                    limit: Some(100),
                    ..Default::default()
                },
                ROOT,
                100,
            )
            .unwrap()
            .0
            .len()
        };
        // Unindexed rows are found directly, indexed ones through FTS5, the same either way.
        assert_eq!(search(&s, "ls 5"), 11);
        assert_eq!(ix.backlog().unwrap(), 100);
        assert_eq!(ix.step(60).unwrap(), 60);
        assert_eq!(ix.backlog().unwrap(), 40);
        assert_eq!(search(&s, "ls 5"), 11);
        assert_eq!(search(&s, "LS 9"), 11, "case-insensitive");
        let now = 100 * 86_400_000;
        let mut n = 0;
        loop {
            let k = s.prune_step(now, Some(50 * 86_400_000), None, 7).unwrap();
            n += k;
            if k < 7 {
                break;
            }
        }
        assert_eq!(n, 50);
        assert_eq!(s.count().unwrap(), 50);
        assert_eq!(s.stats(&Query::default(), ROOT).unwrap().total, 50);
        // ls 5 was pruned; ls 50..59 remain
        assert_eq!(search(&s, "ls 5"), 10);
        assert_eq!(search(&s, "ls 3"), 0);
        // The index forgets the pruned rows it held (ids 1..=50 of the 60 indexed), and the
        // notes it applied are dropped at the next pruning step.
        assert_eq!(ix.rows().unwrap(), 60);
        while ix.forget_gone(7).unwrap() > 0 {}
        assert_eq!(ix.rows().unwrap(), 10);
        while ix.step(7).unwrap() > 0 {}
        assert_eq!(ix.rows().unwrap(), 50);
        assert_eq!(search(&s, "ls 5"), 10);
        assert_eq!(search(&s, "ls 3"), 0);
        ix.integrity_check().unwrap();
        let notes = |s: &Store| -> i64 {
            s.conn
                .query_row("SELECT count(*) FROM fts_gone", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(notes(&s), 50);
        assert_eq!(
            s.prune_step(now, Some(50 * 86_400_000), None, 7).unwrap(),
            0
        );
        assert_eq!(notes(&s), 0);
    }

    #[test]
    fn substring_search_finds_exactly_the_substrings() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        let mut s = Store::open_writer(&p, "normal", true).unwrap();
        let mut ix = crate::index::Index::open(&p).unwrap();
        let texts = [
            "deploy feature_12345.rs",
            "deploy feature 12345",
            "DEPLOY FEATURE_12345",
            "feature_1234 and 5",
            "say \"quoted\" words",
            "Grüße aus KÖLN",
            "100% done_now",
        ];
        let evs: Vec<_> = texts
            .iter()
            .enumerate()
            .map(|(i, t)| ev(1, "command", t, i as i64))
            .collect();
        s.insert_batch(&evs, &[]).unwrap();
        while ix.step(100).unwrap() > 0 {}
        let found = |t: &str| {
            let (rows, _) = s
                .query(
                    &Query {
                        text: Some(t.into()),
                        ascending: true,
                        ..Default::default()
                    },
                    ROOT,
                    100,
                )
                .unwrap();
            rows.into_iter().map(|r| r.text).collect::<Vec<_>>()
        };
        assert_eq!(
            found("feature_12345"),
            vec!["deploy feature_12345.rs", "DEPLOY FEATURE_12345"]
        );
        assert_eq!(found("ure 1234"), vec!["deploy feature 12345"]);
        assert_eq!(found("\"quoted\""), vec!["say \"quoted\" words"]);
        assert_eq!(found("köln"), vec!["Grüße aus KÖLN"]);
        assert_eq!(found("0% d"), vec!["100% done_now"]);
        assert_eq!(found("e_n"), vec!["100% done_now"]);
        assert!(found("feature_123456").is_empty());
        assert_eq!(fts_expression("abcdefg").0, r#""abc" AND "def" AND "efg""#);
    }

    #[test]
    fn stats_from_events_agree_with_the_aggregates_and_take_every_filter() {
        let d = tempfile::tempdir().unwrap();
        let mut s = Store::open_writer(&d.path().join("q.db"), "normal", true).unwrap();
        let day = 86_400_000;
        let mut evs = Vec::new();
        for i in 0..60i64 {
            let prog = ["git", "ls", "cargo"][i as usize % 3];
            let mut e = ev(1000 + (i % 2) as u32, "command", &format!("{prog} x{i}"), 0);
            e.ts_ms = 20_000 * day + (i % 4) * day + i * 1000;
            e.exit = Some(if i % 5 == 0 { 2 } else { 0 });
            (e.agg_key, e.failed) = agg_key("command", &e.text, None, e.exit);
            e.cwd = Some(if i % 2 == 0 { "/srv/a" } else { "/srv/b/c" }.into());
            e.source = if i % 3 == 0 { "zsh" } else { "bash" }.into();
            evs.push(e);
        }
        for (i, (unit, what)) in [
            ("a.service", "failed"),
            ("a.service", "started"),
            ("b.service", "failed"),
        ]
        .iter()
        .enumerate()
        {
            let mut e = ev(0, "unit", what, 20_001 * day + i as i64);
            e.unit = Some(unit.to_string());
            e.exit = None;
            (e.agg_key, e.failed) = agg_key("unit", what, e.unit.as_deref(), None);
            evs.push(e);
        }
        s.insert_batch(&evs, &[]).unwrap();
        let agg = s.stats(&Query::default(), ROOT).unwrap();
        // A `since` inside a day goes to the events; everything is after it.
        let direct = s
            .stats(
                &Query {
                    since_ms: Some(1),
                    ..Default::default()
                },
                ROOT,
            )
            .unwrap();
        assert_eq!(agg, direct);
        assert_eq!(agg.total, 63);
        assert_eq!(agg.busiest_units[0], ("a.service".to_string(), 2, 1));
        assert_eq!(agg.per_day.len(), 4);
        let with = |f: &dyn Fn(&mut Query)| {
            let mut q = Query::default();
            f(&mut q);
            s.stats(&q, ROOT).unwrap()
        };
        let failed = with(&|q| q.exit = Some(2));
        assert_eq!(failed.total, 12);
        assert_eq!(failed.command_failure_rate, 1.0);
        assert_eq!(with(&|q| q.cwd = Some("/srv/b/".into())).total, 30);
        assert_eq!(with(&|q| q.cwd = Some("/srv/b".into())).total, 0);
        assert_eq!(with(&|q| q.source = Some("zsh".into())).total, 20);
        let unit = with(&|q| q.unit = Some("b.service".into()));
        assert_eq!(unit.busiest_units, vec![("b.service".to_string(), 1, 1)]);
        assert!(unit.top_commands.is_empty());
        let user = with(&|q| {
            q.uid = Some(1001);
            q.source = Some("bash".into());
        });
        assert_eq!(user.total, 20);
        assert!(
            s.stats(
                &Query {
                    text: Some("git".into()),
                    ..Default::default()
                },
                ROOT
            )
            .is_err()
        );
    }

    #[test]
    fn corrupt_database_is_moved_aside() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("q.db");
        std::fs::write(&p, vec![0x42u8; 8192]).unwrap();
        let (s, aside) = Store::open_or_recover(&p, "normal", true).unwrap();
        let aside = aside.expect("moved aside");
        assert!(aside.exists());
        assert_eq!(std::fs::read(&aside).unwrap(), vec![0x42u8; 8192]);
        assert_eq!(s.count().unwrap(), 0);
    }

    #[test]
    fn program_names() {
        assert_eq!(program_of("sudo FOO=1 /usr/bin/apt install x"), "apt");
        assert_eq!(program_of("  ls"), "ls");
        assert_eq!(program_of(""), "");
    }
}
