//! The control socket: one JSON request per line, one JSON reply per line.
//!
//! ```text
//! {"cmd":"status"}
//! {"cmd":"history","unit":"web.service","limit":50}
//! {"cmd":"pause","unit":"web.service"}
//! {"cmd":"resume","unit":"web.service"}
//! -> {"ok":true,"data":...} | {"ok":false,"error":"..."}
//! ```
//!
//! Anyone who can open the socket may read; `pause` and `resume` need the
//! peer (from `SO_PEERCRED`, never from the request) to be root or the
//! daemon's own user. A malformed request gets an error reply and the
//! connection stays open.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{Semaphore, mpsc, oneshot, watch};
use tracing::{debug, warn};

use crate::driver::Control;

const MAX_LINE: usize = 64 * 1024;
const MAX_CLIENTS: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum IpcError {
    #[error("cannot bind control socket {}", path.display())]
    Bind {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot connect to {}", path.display())]
    Connect {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("control socket i/o")]
    Io(#[from] std::io::Error),
    #[error("bad reply from healerd: {0}")]
    BadReply(String),
    #[error("healerd: {0}")]
    Remote(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "cmd", rename_all = "kebab-case")]
pub enum Request {
    Status,
    History {
        #[serde(default)]
        unit: Option<String>,
        #[serde(default = "default_limit")]
        limit: usize,
    },
    Pause {
        unit: String,
    },
    Resume {
        unit: String,
    },
}

fn default_limit() -> usize {
    100
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reply {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Reply {
    fn ok(data: serde_json::Value) -> Self {
        Self {
            ok: true,
            data: Some(data),
            error: None,
        }
    }
    fn err(e: impl Into<String>) -> Self {
        Self {
            ok: false,
            data: None,
            error: Some(e.into()),
        }
    }
}

/// Bind the socket (replacing a stale one) with mode 0660.
pub fn bind(path: &Path) -> Result<UnixListener, IpcError> {
    let bind_err = |source| IpcError::Bind {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(bind_err)?;
    }
    if path.exists() {
        // A live daemon would answer; a dead one left its socket behind.
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(bind_err(std::io::Error::new(
                std::io::ErrorKind::AddrInUse,
                "another healerd is listening",
            )));
        }
        std::fs::remove_file(path).map_err(bind_err)?;
    }
    let l = UnixListener::bind(path).map_err(bind_err)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660)).map_err(bind_err)?;
    Ok(l)
}

/// Serve until shutdown.
pub async fn serve(
    listener: UnixListener,
    control: mpsc::Sender<Control>,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CLIENTS));
    // Our own uid, from /proc/self's owner (no unsafe call needed).
    let my_uid = own_uid();
    loop {
        tokio::select! {
            _ = shutdown.changed() => return,
            acc = listener.accept() => {
                let (stream, _) = match acc {
                    Ok(s) => s,
                    Err(e) => {
                        warn!(cause = %e, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let Ok(permit) = slots.clone().try_acquire_owned() else {
                    // Too many clients: refuse this one rather than queue.
                    let mut s = stream;
                    let _ = s.write_all(b"{\"ok\":false,\"error\":\"busy\"}\n").await;
                    continue;
                };
                let control = control.clone();
                tokio::spawn(async move {
                    let _permit = permit;
                    if let Err(e) = client(stream, control, my_uid).await {
                        debug!(cause = %e, "control client ended");
                    }
                });
            }
        }
    }
}

fn own_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").map_or(0, |m| m.uid())
}

async fn client(
    stream: UnixStream,
    control: mpsc::Sender<Control>,
    my_uid: u32,
) -> std::io::Result<()> {
    let peer_uid = stream.peer_cred().map(|c| c.uid()).ok();
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r.take(u64::MAX));
    let mut line = Vec::new();
    loop {
        line.clear();
        let n = (&mut r)
            .take(MAX_LINE as u64 + 1)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(());
        }
        let reply = if line.len() > MAX_LINE && !line.ends_with(b"\n") {
            // Skip the rest of the oversized line.
            let mut sink = Vec::new();
            loop {
                sink.clear();
                let m = (&mut r)
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut sink)
                    .await?;
                if m == 0 || sink.ends_with(b"\n") {
                    break;
                }
            }
            Reply::err("request too long")
        } else {
            match serde_json::from_slice::<Request>(&line) {
                Ok(req) => handle(req, &control, peer_uid, my_uid).await,
                Err(e) => Reply::err(format!("bad request: {e}")),
            }
        };
        let mut out = serde_json::to_vec(&reply).unwrap_or_else(|_| b"{\"ok\":false}".to_vec());
        out.push(b'\n');
        w.write_all(&out).await?;
    }
}

async fn handle(
    req: Request,
    control: &mpsc::Sender<Control>,
    peer: Option<u32>,
    me: u32,
) -> Reply {
    let privileged = matches!(peer, Some(0)) || peer == Some(me);
    let gone = || Reply::err("healerd is shutting down");
    match req {
        Request::Status => {
            let (tx, rx) = oneshot::channel();
            if control.send(Control::Status(tx)).await.is_err() {
                return gone();
            }
            match rx.await {
                Ok(v) => Reply::ok(v),
                Err(_) => gone(),
            }
        }
        Request::History { unit, limit } => {
            let (tx, rx) = oneshot::channel();
            let limit = limit.min(10_000);
            if control
                .send(Control::History {
                    unit,
                    limit,
                    reply: tx,
                })
                .await
                .is_err()
            {
                return gone();
            }
            match rx.await {
                Ok(v) => Reply::ok(serde_json::to_value(v).unwrap_or_default()),
                Err(_) => gone(),
            }
        }
        Request::Pause { unit } | Request::Resume { unit } if !privileged => Reply::err(format!(
            "permission denied: only root may pause or resume {unit}"
        )),
        Request::Pause { unit } => pause_resume(control, unit, true).await,
        Request::Resume { unit } => pause_resume(control, unit, false).await,
    }
}

async fn pause_resume(control: &mpsc::Sender<Control>, unit: String, pause: bool) -> Reply {
    let (tx, rx) = oneshot::channel();
    let msg = if pause {
        Control::Pause {
            unit: unit.clone(),
            reply: tx,
        }
    } else {
        Control::Resume {
            unit: unit.clone(),
            reply: tx,
        }
    };
    if control.send(msg).await.is_err() {
        return Reply::err("healerd is shutting down");
    }
    match rx.await {
        Ok(Ok(())) => Reply::ok(serde_json::json!({ "unit": unit, "paused": pause })),
        Ok(Err(e)) => Reply::err(e),
        Err(_) => Reply::err("healerd is shutting down"),
    }
}

/// Client side: send one request, read one reply.
pub async fn request(path: &Path, req: &Request) -> Result<serde_json::Value, IpcError> {
    let s = UnixStream::connect(path)
        .await
        .map_err(|source| IpcError::Connect {
            path: path.to_path_buf(),
            source,
        })?;
    let (r, mut w) = s.into_split();
    let mut line = serde_json::to_vec(req).map_err(|e| IpcError::BadReply(e.to_string()))?;
    line.push(b'\n');
    w.write_all(&line).await?;
    let mut r = BufReader::new(r);
    let mut buf = String::new();
    r.read_line(&mut buf).await?;
    let reply: Reply = serde_json::from_str(&buf).map_err(|e| IpcError::BadReply(e.to_string()))?;
    if reply.ok {
        Ok(reply.data.unwrap_or(serde_json::Value::Null))
    } else {
        Err(IpcError::Remote(reply.error.unwrap_or_default()))
    }
}

/// Human-readable rendering of a reply, for `healer` without `--json`.
pub fn render(req: &Request, data: &serde_json::Value) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let str_of = |v: &serde_json::Value, k: &str| -> String {
        match v.get(k) {
            Some(serde_json::Value::String(x)) => x.clone(),
            Some(serde_json::Value::Null) | None => "-".into(),
            Some(x) => x.to_string(),
        }
    };
    match req {
        Request::Status => {
            let _ = writeln!(
                s,
                "connected: {}  policies: {}  units: {}  restarts in flight: {}  queued: {}",
                str_of(data, "connected"),
                str_of(data, "policies"),
                str_of(data, "tracked_units"),
                str_of(data, "restarts_in_flight"),
                str_of(data, "queued_restarts"),
            );
            if let Some(e) = data.get("policy_error").and_then(|e| e.as_str()) {
                let _ = writeln!(s, "policy error: {e}");
            }
            let _ = writeln!(
                s,
                "{:<32} {:<20} {:<28} {:>7} {:>8}",
                "UNIT", "PHASE", "STATE", "ATTEMPT", "NRESTART"
            );
            for u in data
                .get("units")
                .and_then(|u| u.as_array())
                .into_iter()
                .flatten()
            {
                let phase = str_of(u, "phase");
                let phase = if u.get("paused").and_then(|p| p.as_bool()) == Some(true) {
                    format!("{phase} (paused)")
                } else {
                    phase
                };
                let _ = writeln!(
                    s,
                    "{:<32} {:<20} {:<28} {:>7} {:>8}",
                    str_of(u, "unit"),
                    phase,
                    str_of(u, "state"),
                    str_of(u, "attempt"),
                    str_of(u, "n_restarts"),
                );
            }
        }
        Request::History { .. } => {
            for e in data.as_array().into_iter().flatten() {
                let _ = writeln!(
                    s,
                    "{:.3} {} {}: {} [{} -> {}]",
                    e.get("ts").and_then(|t| t.as_f64()).unwrap_or(0.0),
                    str_of(e, "unit"),
                    str_of(e, "action"),
                    str_of(e, "reason"),
                    str_of(e, "state_before"),
                    str_of(e, "state_after"),
                );
            }
        }
        Request::Pause { unit } => {
            let _ = writeln!(s, "{unit}: paused");
        }
        Request::Resume { unit } => {
            let _ = writeln!(s, "{unit}: resumed");
        }
    }
    s
}
