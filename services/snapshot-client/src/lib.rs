//! Client of the ainux snapshot service (`/run/ainux/snapshot.sock`, socket-activated
//! `ainux snapshot serve-conn`): pre/post snapshot pairs around risky work, without shelling
//! out and without btrfs dependencies.
//!
//! Protocol: one JSON request line, one JSON response line, then the server closes.
//! `{"op":"pre","config":"root","description":"…","creator":"aish"}` →
//! `{"ok":true,"id":12}`; `{"op":"post","config":"root","pre_id":12,"description":"…"}` →
//! `{"ok":true,"id":13}`; failures `{"ok":false,"error":"…"}`. The server decides who the caller
//! is from the socket's peer credentials; `creator` only names the tool (`aish`, `healer`).
//!
//! Callers must treat every error as "no snapshot this time" and carry on.

use serde::{Deserialize, Serialize};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub const DEFAULT_SOCKET: &str = "/run/ainux/snapshot.sock";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Request {
    Pre {
        config: String,
        description: String,
        creator: String,
    },
    Post {
        config: String,
        pre_id: u64,
        description: String,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A pre snapshot taken; hand it to [`Client::post`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pre {
    pub config: String,
    pub id: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the snapshot service at {path}")]
    Connect {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("snapshot service connection failed")]
    Io(#[source] std::io::Error),
    #[error("the snapshot service sent a malformed reply")]
    Reply(#[source] serde_json::Error),
    #[error("the snapshot service refused: {0}")]
    Refused(String),
}

#[derive(Debug, Clone)]
pub struct Client {
    path: PathBuf,
    timeout: Duration,
}

impl Default for Client {
    fn default() -> Self {
        Client::new(DEFAULT_SOCKET)
    }
}

impl Client {
    pub fn new(path: impl AsRef<Path>) -> Client {
        Client {
            path: path.as_ref().to_path_buf(),
            timeout: Duration::from_secs(20),
        }
    }

    /// How long to wait for the reply (a snapshot waits for the lock of other operations).
    pub fn with_timeout(mut self, timeout: Duration) -> Client {
        self.timeout = timeout;
        self
    }

    pub fn call(&self, req: &Request) -> Result<u64, ClientError> {
        let mut s = UnixStream::connect(&self.path).map_err(|source| ClientError::Connect {
            path: self.path.clone(),
            source,
        })?;
        s.set_read_timeout(Some(self.timeout))
            .map_err(ClientError::Io)?;
        s.set_write_timeout(Some(self.timeout))
            .map_err(ClientError::Io)?;
        let mut line = serde_json::to_vec(req).expect("Request serialises");
        line.push(b'\n');
        s.write_all(&line).map_err(ClientError::Io)?;
        let mut reply = String::new();
        BufReader::new(&s)
            .read_line(&mut reply)
            .map_err(ClientError::Io)?;
        let r: Response = serde_json::from_str(&reply).map_err(ClientError::Reply)?;
        match (r.ok, r.id) {
            (true, Some(id)) => Ok(id),
            _ => Err(ClientError::Refused(
                r.error.unwrap_or_else(|| "no reason given".into()),
            )),
        }
    }

    /// Takes a pre snapshot of `config` (`root` or `home`).
    pub fn pre(&self, config: &str, description: &str, creator: &str) -> Result<Pre, ClientError> {
        let id = self.call(&Request::Pre {
            config: config.into(),
            description: description.into(),
            creator: creator.into(),
        })?;
        Ok(Pre {
            config: config.into(),
            id,
        })
    }

    /// Takes the post snapshot matching `pre`; returns its id.
    pub fn post(&self, pre: &Pre, description: &str) -> Result<u64, ClientError> {
        self.call(&Request::Post {
            config: pre.config.clone(),
            pre_id: pre.id,
            description: description.into(),
        })
    }
}

/// [`Client::pre`] on the default socket.
pub fn pre(config: &str, description: &str, creator: &str) -> Result<Pre, ClientError> {
    Client::default().pre(config, description, creator)
}

/// [`Client::post`] on the default socket.
pub fn post(pre: &Pre, description: &str) -> Result<u64, ClientError> {
    Client::default().post(pre, description)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::net::UnixListener;

    #[test]
    fn request_wire_format() {
        let r = Request::Post {
            config: "root".into(),
            pre_id: 4,
            description: "x".into(),
        };
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["op"], "post");
        assert_eq!(v["pre_id"], 4);
    }

    #[test]
    fn talks_to_a_server_and_reports_refusals_and_absence() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.sock");
        let l = UnixListener::bind(&path).unwrap();
        let t = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for (i, reply) in [
                r#"{"ok":true,"id":7}"#,
                r#"{"ok":false,"error":"busy"}"#,
                "garbage",
            ]
            .into_iter()
            .enumerate()
            {
                let (s, _) = l.accept().unwrap();
                let mut line = String::new();
                BufReader::new(&s).read_line(&mut line).unwrap();
                seen.push(serde_json::from_str::<Request>(&line).unwrap());
                let mut s = s;
                writeln!(s, "{reply}").unwrap();
                let _ = i;
            }
            seen
        });
        let c = Client::new(&path);
        let p = c.pre("root", "rm -rf /opt/x", "aish").unwrap();
        assert_eq!(
            p,
            Pre {
                config: "root".into(),
                id: 7
            }
        );
        match c.post(&p, "after") {
            Err(ClientError::Refused(e)) => assert_eq!(e, "busy"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(c.post(&p, "after"), Err(ClientError::Reply(_))));
        let seen = t.join().unwrap();
        assert_eq!(
            seen[1],
            Request::Post {
                config: "root".into(),
                pre_id: 7,
                description: "after".into()
            }
        );
        let gone = Client::new(dir.path().join("none.sock"));
        assert!(matches!(
            gone.pre("root", "x", "aish"),
            Err(ClientError::Connect { .. })
        ));
    }

    #[test]
    fn a_silent_server_times_out() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.sock");
        let _l = UnixListener::bind(&path).unwrap();
        let c = Client::new(&path).with_timeout(Duration::from_millis(200));
        let t0 = std::time::Instant::now();
        assert!(matches!(
            c.pre("root", "x", "aish"),
            Err(ClientError::Io(_))
        ));
        assert!(t0.elapsed() < Duration::from_secs(5));
    }
}
