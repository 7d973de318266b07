//! A minimal HTTP/1.1 endpoint on TCP for Prometheus and probes:
//! `GET /metrics` (text exposition format), `GET /livez` (the event loop
//! answers), `GET /readyz` (accepting requests), `GET /startupz` (config
//! loaded and providers probed). Anything else is 404; one request per
//! connection.

use crate::Daemon;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing::warn;

/// Longest request head read.
const MAX_HEAD: usize = 8192;

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    daemon: Arc<Daemon>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok((sock, _)) => {
                    let d = daemon.clone();
                    tokio::spawn(async move { one(sock, d).await });
                }
                Err(e) => warn!(cause = %e, "metrics accept failed"),
            },
        }
    }
}

/// `(status, content type, body)` for a path.
pub fn route(d: &Daemon, path: &str) -> (u16, &'static str, String) {
    let probe = |ok: bool, what: &str| {
        if ok {
            (200, "text/plain", format!("{what}: ok\n"))
        } else {
            (503, "text/plain", format!("{what}: not yet\n"))
        }
    };
    match path {
        "/metrics" => (
            200,
            "text/plain; version=0.0.4; charset=utf-8",
            d.prometheus(),
        ),
        "/livez" => probe(true, "live"),
        "/readyz" => probe(d.ready(), "ready"),
        "/startupz" => probe(d.started(), "started"),
        _ => (404, "text/plain", "not found\n".into()),
    }
}

async fn one(mut sock: TcpStream, d: Arc<Daemon>) {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 1024];
    let head = loop {
        let n = match tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut tmp))
            .await
        {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => n,
        };
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break String::from_utf8_lossy(&buf[..i]).into_owned();
        }
        if buf.len() > MAX_HEAD {
            return;
        }
    };
    let mut parts = head.lines().next().unwrap_or("").split(' ');
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let path = target.split('?').next().unwrap_or("");
    let (status, ctype, body) = if method == "GET" || method == "HEAD" {
        route(&d, path)
    } else {
        (405, "text/plain", "only GET\n".into())
    };
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Service Unavailable",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    if method != "HEAD" {
        out.push_str(&body);
    }
    let _ = sock.write_all(out.as_bytes()).await;
    let _ = sock.shutdown().await;
}
