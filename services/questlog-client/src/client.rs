//! Talking to questlogd: a plain [`Client`] and a [`SpoolingClient`] that never loses an event
//! because the daemon is down.

use crate::protocol::{
    AppendAck, ErrorCode, Event, MAX_EVENTS_PER_REQUEST, MAX_FRAME, Query, Record, Request,
    Response, Stats,
};
use crate::spool::{DEFAULT_MAX_BYTES, Spool, SpoolError};
use ainux_common::frame::{self, FrameError};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where the daemon listens unless `$QUESTLOG_SOCKET` says otherwise.
pub const DEFAULT_SOCKET: &str = "/run/ainux/questlog.sock";

pub fn default_socket_path() -> PathBuf {
    std::env::var_os("QUESTLOG_SOCKET")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_SOCKET))
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect to questlogd at {path}")]
    Connect {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("talking to questlogd failed")]
    Frame(#[from] FrameError),
    #[error("questlogd closed the connection")]
    Closed,
    #[error("invalid message from questlogd")]
    Decode(#[from] serde_json::Error),
    #[error("questlogd refused the request ({code:?}): {message}")]
    Refused {
        code: ErrorCode,
        message: String,
        retry_after_ms: Option<u64>,
    },
    #[error("unexpected response from questlogd")]
    Unexpected,
    #[error("spooling failed")]
    Spool(#[from] SpoolError),
}

impl ClientError {
    /// Whether the events may be kept and sent again later.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Refused { code, .. } => {
                matches!(code, ErrorCode::RateLimited | ErrorCode::Unavailable)
            }
            ClientError::Decode(_) | ClientError::Unexpected | ClientError::Spool(_) => false,
            _ => true,
        }
    }
}

/// One connection to the daemon.
#[derive(Debug)]
pub struct Client {
    stream: UnixStream,
}

impl Client {
    pub fn connect(path: &Path) -> Result<Client, ClientError> {
        let stream = UnixStream::connect(path).map_err(|source| ClientError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
        let t = Some(Duration::from_secs(30));
        let _ = stream.set_read_timeout(t);
        let _ = stream.set_write_timeout(t);
        Ok(Client { stream })
    }

    /// Sends a request and reads its response.
    pub fn request(&mut self, req: &Request) -> Result<Response, ClientError> {
        let body = serde_json::to_vec(req)?;
        frame::write_frame(&mut self.stream, &body, MAX_FRAME)?;
        let reply = frame::read_frame(&mut self.stream, MAX_FRAME)?.ok_or(ClientError::Closed)?;
        let resp: Response = serde_json::from_slice(&reply)?;
        if let Response::Error {
            code,
            message,
            retry_after_ms,
        } = resp
        {
            return Err(ClientError::Refused {
                code,
                message,
                retry_after_ms,
            });
        }
        Ok(resp)
    }

    /// Appends events (at most [`MAX_EVENTS_PER_REQUEST`] per request; larger slices are split).
    /// Returns once the daemon has made them durable.
    pub fn append(&mut self, events: &[Event]) -> Result<AppendAck, ClientError> {
        let mut total = AppendAck::default();
        for chunk in events.chunks(MAX_EVENTS_PER_REQUEST) {
            match self.request(&Request::Append {
                events: chunk.to_vec(),
            })? {
                Response::Appended(a) => {
                    total.accepted += a.accepted;
                    total.duplicates += a.duplicates;
                    total.truncated += a.truncated;
                }
                _ => return Err(ClientError::Unexpected),
            }
        }
        Ok(total)
    }

    pub fn query(&mut self, query: Query) -> Result<(Vec<Record>, bool), ClientError> {
        match self.request(&Request::Query { query })? {
            Response::Rows { rows, more } => Ok((rows, more)),
            _ => Err(ClientError::Unexpected),
        }
    }

    pub fn stats(&mut self, query: Query) -> Result<Stats, ClientError> {
        match self.request(&Request::Stats { query })? {
            Response::Stats(s) => Ok(s),
            _ => Err(ClientError::Unexpected),
        }
    }
}

/// What happened to events handed to [`SpoolingClient::send`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Durable in the daemon's database.
    Stored(AppendAck),
    /// Kept in the local spool; they go out with a later send.
    Spooled,
}

/// A client that spools events it cannot deliver and replays them before the next send.
#[derive(Debug)]
pub struct SpoolingClient {
    socket: PathBuf,
    spool: Spool,
    conn: Option<Client>,
}

/// The current user's spool file: `$QUESTLOG_SPOOL`, else `$STATE_DIRECTORY/questlog-spool.jsonl`
/// (services), else `$XDG_STATE_HOME/questlog/spool.jsonl`, else
/// `~/.local/state/questlog/spool.jsonl`, else `/tmp/questlog-spool-<uid>.jsonl`.
pub fn default_spool_path() -> PathBuf {
    let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(p) = env("QUESTLOG_SPOOL") {
        return PathBuf::from(p);
    }
    if let Some(d) = env("STATE_DIRECTORY") {
        let first = d
            .to_string_lossy()
            .split(':')
            .next()
            .unwrap_or("")
            .to_string();
        return PathBuf::from(first).join("questlog-spool.jsonl");
    }
    if let Some(d) = env("XDG_STATE_HOME") {
        return PathBuf::from(d).join("questlog/spool.jsonl");
    }
    if let Some(h) = env("HOME") {
        return PathBuf::from(h).join(".local/state/questlog/spool.jsonl");
    }
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    PathBuf::from(format!("/tmp/questlog-spool-{uid}.jsonl"))
}

impl SpoolingClient {
    pub fn new(socket: PathBuf, spool: Spool) -> Self {
        SpoolingClient {
            socket,
            spool,
            conn: None,
        }
    }

    /// The default socket and the current user's spool. `_service` names the caller in logs.
    pub fn for_current_user(_service: &str) -> Self {
        Self::new(
            default_socket_path(),
            Spool::new(default_spool_path(), DEFAULT_MAX_BYTES),
        )
    }

    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    fn conn(&mut self) -> Result<&mut Client, ClientError> {
        if self.conn.is_none() {
            self.conn = Some(Client::connect(&self.socket)?);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// Replays the spool; returns how many events were sent.
    pub fn replay(&mut self) -> Result<usize, ClientError> {
        if self.spool.is_empty() {
            return Ok(0);
        }
        let spool = self.spool.clone();
        let r = spool.drain(MAX_EVENTS_PER_REQUEST, |batch| {
            self.conn()?.append(&batch).map(|_| ())
        })?;
        match r {
            Ok((n, _bad)) => Ok(n),
            Err(e) => {
                self.conn = None;
                Err(e)
            }
        }
    }

    /// Delivers events, or spools them when the daemon can't take them now. An error means
    /// they were neither stored nor spooled (spool full, or the daemon refused them as invalid).
    pub fn send(&mut self, events: Vec<Event>) -> Result<Delivery, ClientError> {
        if events.is_empty() {
            return Ok(Delivery::Stored(AppendAck::default()));
        }
        let attempt = (|| {
            self.replay()?;
            self.conn()?.append(&events)
        })();
        match attempt {
            Ok(ack) => Ok(Delivery::Stored(ack)),
            Err(e) if e.is_retryable() => {
                self.conn = None;
                self.spool.push(&events)?;
                Ok(Delivery::Spooled)
            }
            Err(e) => Err(e),
        }
    }
}
