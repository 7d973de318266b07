//! The socket side: peer credentials, per-client rate limits, requests and replies.

use crate::access;
use crate::config::Config;
use crate::ingest::{Limits, to_row};
use crate::redact::Redactor;
use crate::store::{Store, StoreError, Viewer};
use crate::writer::{WriteFailure, WriteJob, WriteStore, WriterMsg};
use ainux_common::frame::{self, FrameError};
use questlog_client::protocol::{AppendAck, ErrorCode, MAX_EVENTS_PER_REQUEST, Request, Response};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot, watch};
use tracing::{debug, info, warn};

/// Most connections one user may hold.
const MAX_CONNECTIONS_PER_UID: usize = 64;

/// State shared by all connections.
pub struct Shared {
    pub cfg: Config,
    pub redactor: Redactor,
    pub writer: mpsc::Sender<WriterMsg>,
    pub store: Arc<WriteStore>,
    pub db_path: PathBuf,
    pub reader_group: String,
    readers: Mutex<Vec<Store>>,
    connections: AtomicUsize,
    per_uid: Mutex<HashMap<u32, usize>>,
}

impl Shared {
    pub fn new(
        cfg: Config,
        redactor: Redactor,
        writer: mpsc::Sender<WriterMsg>,
        store: Arc<WriteStore>,
        db_path: PathBuf,
    ) -> Self {
        Shared {
            cfg,
            redactor,
            writer,
            store,
            db_path,
            reader_group: "adm".into(),
            readers: Mutex::new(Vec::new()),
            connections: AtomicUsize::new(0),
            per_uid: Mutex::new(HashMap::new()),
        }
    }

    fn with_reader<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let r = self.readers.lock().ok().and_then(|mut v| v.pop());
        let r = match r {
            Some(r) => r,
            None => Store::open_reader(&self.db_path)?,
        };
        let out = f(&r);
        if let Ok(mut v) = self.readers.lock()
            && v.len() < 4
        {
            v.push(r);
        }
        out
    }
}

/// A token bucket: `rate` events per second, up to `burst`.
#[derive(Debug, Clone)]
pub struct Bucket {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl Bucket {
    pub fn new(rate: f64, burst: f64, now: Instant) -> Self {
        Bucket {
            rate,
            burst,
            tokens: burst,
            last: now,
        }
    }

    /// Takes `n` tokens, or says how long to wait (ms) before they would be there.
    pub fn take(&mut self, n: f64, now: Instant) -> Result<(), u64> {
        let dt = now.saturating_duration_since(self.last).as_secs_f64();
        self.last = now;
        self.tokens = (self.tokens + dt * self.rate).min(self.burst);
        if self.tokens >= n {
            self.tokens -= n;
            Ok(())
        } else {
            let missing = n - self.tokens;
            Err(((missing / self.rate) * 1000.0).ceil().max(1.0) as u64)
        }
    }
}

fn error(code: ErrorCode, message: impl Into<String>) -> Response {
    Response::Error {
        code,
        message: message.into(),
        retry_after_ms: None,
    }
}

/// Accepts connections until `shutdown` turns true; returns once every connection is done.
pub async fn serve(
    listener: UnixListener,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut tasks = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            r = listener.accept() => match r {
                Ok((stream, _)) => {
                    let shared = shared.clone();
                    let sd = shutdown.clone();
                    tasks.spawn(async move { connection(stream, shared, sd).await });
                }
                Err(e) => {
                    warn!(cause = %e, "accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = shutdown.changed() => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
        }
    }
    drop(listener);
    // Let connections finish the request they are in; they stop reading new ones.
    let deadline = tokio::time::sleep(std::time::Duration::from_secs(10));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            r = tasks.join_next() => if r.is_none() { break },
            _ = &mut deadline => {
                warn!(connections = tasks.len(), "connections still open at shutdown; closing them");
                tasks.abort_all();
                break;
            }
        }
    }
}

struct ConnGuard<'a> {
    shared: &'a Shared,
    uid: u32,
}

impl Drop for ConnGuard<'_> {
    fn drop(&mut self) {
        self.shared.connections.fetch_sub(1, Ordering::Relaxed);
        if let Ok(mut m) = self.shared.per_uid.lock()
            && let Some(n) = m.get_mut(&self.uid)
        {
            *n -= 1;
            if *n == 0 {
                m.remove(&self.uid);
            }
        }
    }
}

async fn connection(
    mut stream: UnixStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
) {
    let cred = match stream.peer_cred() {
        Ok(c) => c,
        Err(e) => {
            warn!(cause = %e, "no peer credentials; closing connection");
            return;
        }
    };
    let (uid, gid) = (cred.uid(), cred.gid());
    let max_frame = shared.cfg.max_frame_bytes;
    // Admission: global and per-user connection limits.
    let total = shared.connections.fetch_add(1, Ordering::Relaxed) + 1;
    let per_uid = {
        let mut m = shared.per_uid.lock().expect("per_uid lock");
        let n = m.entry(uid).or_default();
        *n += 1;
        *n
    };
    let _guard = ConnGuard {
        shared: &shared,
        uid,
    };
    if total > shared.cfg.max_connections || per_uid > MAX_CONNECTIONS_PER_UID {
        warn!(uid, total, per_uid, "too many connections; refusing");
        let resp = Response::Error {
            code: ErrorCode::RateLimited,
            message: "too many connections".into(),
            retry_after_ms: Some(1000),
        };
        let _ = write(&mut stream, &resp, max_frame).await;
        return;
    }
    debug!(uid, pid = ?cred.pid(), "client connected");
    let mut bucket = Bucket::new(
        shared.cfg.client_rate,
        shared.cfg.client_burst,
        Instant::now(),
    );
    let mut privileged: Option<bool> = None;
    loop {
        let frame = tokio::select! {
            f = frame::read_frame_async(&mut stream, max_frame) => f,
            _ = shutdown.changed() => break,
        };
        let body = match frame {
            Ok(Some(b)) => b,
            Ok(None) => break,
            Err(FrameError::TooLarge { len, max }) => {
                warn!(uid, len, max, "oversized frame; closing connection");
                let _ = write(
                    &mut stream,
                    &error(
                        ErrorCode::BadRequest,
                        format!("frame of {len} bytes exceeds {max}"),
                    ),
                    max_frame,
                )
                .await;
                break;
            }
            Err(e) => {
                warn!(uid, cause = %e, "bad frame; closing connection");
                break;
            }
        };
        let resp = match serde_json::from_slice::<Request>(&body) {
            Ok(req) => handle(req, uid, gid, &shared, &mut bucket, &mut privileged).await,
            Err(e) => {
                warn!(uid, cause = %e, "malformed request");
                error(ErrorCode::BadRequest, format!("malformed request: {e}"))
            }
        };
        if write(&mut stream, &resp, max_frame).await.is_err() {
            break;
        }
    }
}

async fn write(stream: &mut UnixStream, resp: &Response, max: usize) -> Result<(), FrameError> {
    let body = serde_json::to_vec(resp).map_err(|e| FrameError::Io(std::io::Error::other(e)))?;
    if body.len() > max {
        let e = error(
            ErrorCode::BadRequest,
            "result too large; ask for fewer rows",
        );
        let body = serde_json::to_vec(&e).map_err(|e| FrameError::Io(std::io::Error::other(e)))?;
        return frame::write_frame_async(stream, &body, max).await;
    }
    frame::write_frame_async(stream, &body, max).await
}

async fn handle(
    req: Request,
    uid: u32,
    gid: u32,
    shared: &Arc<Shared>,
    bucket: &mut Bucket,
    privileged: &mut Option<bool>,
) -> Response {
    match req {
        Request::Ping => Response::Pong {
            uid,
            version: env!("CARGO_PKG_VERSION").into(),
        },
        Request::Append { events } => {
            if events.len() > MAX_EVENTS_PER_REQUEST {
                return error(
                    ErrorCode::BadRequest,
                    format!("at most {MAX_EVENTS_PER_REQUEST} events per request"),
                );
            }
            if uid != 0
                && let Some(e) = events
                    .iter()
                    .find(|e| matches!(e.kind.type_name(), "unit" | "kernel" | "internal"))
            {
                return error(
                    ErrorCode::Forbidden,
                    format!(
                        "{} events are recorded by questlogd itself",
                        e.kind.type_name()
                    ),
                );
            }
            if let Err(wait) = bucket.take(events.len() as f64, Instant::now()) {
                debug!(uid, "client over its rate");
                return Response::Error {
                    code: ErrorCode::RateLimited,
                    message: "too many events; slow down".into(),
                    retry_after_ms: Some(wait),
                };
            }
            let limits = Limits {
                max_text: shared.cfg.max_text_bytes,
            };
            let rows: Vec<_> = events
                .into_iter()
                .map(|e| to_row(e, uid, &shared.redactor, limits))
                .collect();
            let truncated = rows
                .iter()
                .filter(|r| r.flags & crate::store::FLAG_TRUNCATED != 0)
                .count();
            // Commit inline when the write connection is free; else queue for a group commit.
            let result = match shared.store.try_commit(rows) {
                Ok(r) => r,
                Err(rows) => append(&shared.writer, rows, None).await,
            };
            match result {
                Ok(stored) => {
                    let accepted = stored.iter().filter(|s| **s).count();
                    Response::Appended(AppendAck {
                        accepted,
                        duplicates: stored.len() - accepted,
                        truncated,
                    })
                }
                Err(WriteFailure::Full) => error(ErrorCode::Unavailable, "storage is full"),
                Err(WriteFailure::Failed(m)) => error(ErrorCode::Unavailable, m),
            }
        }
        Request::Query { query } => {
            let viewer = viewer(uid, gid, shared, privileged);
            let sh = shared.clone();
            let cap = shared.cfg.max_query_rows;
            let r = tokio::task::spawn_blocking(move || {
                sh.with_reader(|s| s.query(&query, viewer, cap))
            })
            .await;
            match r {
                Ok(Ok((rows, more))) => Response::Rows { rows, more },
                Ok(Err(StoreError::BadQuery(m))) => error(ErrorCode::BadRequest, m),
                Ok(Err(e)) => error(ErrorCode::Unavailable, e.to_string()),
                Err(e) => error(ErrorCode::Unavailable, e.to_string()),
            }
        }
        Request::Stats { query } => {
            let viewer = viewer(uid, gid, shared, privileged);
            let sh = shared.clone();
            let r =
                tokio::task::spawn_blocking(move || sh.with_reader(|s| s.stats(&query, viewer)))
                    .await;
            match r {
                Ok(Ok(s)) => Response::Stats(s),
                Ok(Err(StoreError::BadQuery(m))) => error(ErrorCode::BadRequest, m),
                Ok(Err(e)) => error(ErrorCode::Unavailable, e.to_string()),
                Err(e) => error(ErrorCode::Unavailable, e.to_string()),
            }
        }
    }
}

fn viewer(uid: u32, gid: u32, shared: &Shared, cache: &mut Option<bool>) -> Viewer {
    let privileged =
        *cache.get_or_insert_with(|| access::is_privileged(uid, gid, &shared.reader_group));
    Viewer { uid, privileged }
}

/// Queues rows for the writer and waits for the commit.
pub async fn append(
    writer: &mpsc::Sender<WriterMsg>,
    rows: Vec<crate::store::NewEvent>,
    cursor: Option<(String, String)>,
) -> Result<Vec<bool>, WriteFailure> {
    let (tx, rx) = oneshot::channel();
    writer
        .send(WriterMsg::Write(WriteJob {
            rows,
            cursor,
            reply: tx,
        }))
        .await
        .map_err(|_| WriteFailure::Failed("shutting down".into()))?;
    rx.await
        .map_err(|_| WriteFailure::Failed("writer stopped".into()))?
}

pub fn log_listening(path: &std::path::Path, activated: bool) {
    info!(socket = %path.display(), activated, "listening");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn bucket_limits_and_refills() {
        let t0 = Instant::now();
        let mut b = Bucket::new(100.0, 200.0, t0);
        assert!(b.take(150.0, t0).is_ok());
        let wait = b.take(100.0, t0).unwrap_err();
        assert_eq!(wait, 500);
        assert!(b.take(100.0, t0 + Duration::from_millis(500)).is_ok());
    }
}
