//! The test-control agent's wire protocol, shared by the guest agent (`ainux-agent`) and the host
//! harness (`qemu-tests`).
//!
//! One JSON object per line in each direction over the virtio-serial port
//! `/dev/virtio-ports/org.ainux.agent`. The host sends [`Request`]s; the guest sends [`Message`]s:
//! replies carrying the request's id, and unsolicited events (`ready` when the agent starts,
//! `booted` when `multi-user.target` has been reached).
//!
//! Architecture invariant: the agent only ever runs when the hypervisor attached the port, so a
//! machine booted on hardware or in a cloud never runs it (see `units/ainux-agent.service`).

use base64::Engine as _;
use serde::{Deserialize, Serialize};

/// Name of the virtio-serial port, as QEMU's `virtserialport,name=` and udev's symlink use it.
pub const PORT_NAME: &str = "org.ainux.agent";
/// Abstract Unix datagram socket through which `ainux-agent notify` reaches the serving agent.
pub const NOTIFY_SOCKET: &str = "ainux-agent-notify";

/// A request from the host.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Run `cmd` with `/bin/sh -c` as root; stdin is empty.
    Exec {
        id: u64,
        cmd: String,
        timeout_ms: u64,
    },
    /// Read a whole file.
    ReadFile { id: u64, path: String },
    /// Write a whole file (created with `mode`), fsynced before the reply.
    WriteFile {
        id: u64,
        path: String,
        data: String,
        mode: u32,
    },
    /// Answered at once: proves the agent is alive.
    Ping { id: u64 },
}

impl Request {
    pub fn id(&self) -> u64 {
        match self {
            Request::Exec { id, .. }
            | Request::ReadFile { id, .. }
            | Request::WriteFile { id, .. }
            | Request::Ping { id } => *id,
        }
    }
}

/// A message from the guest.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Message {
    /// The agent started (once per boot).
    Ready { boot_id: String, uptime_ms: u64 },
    /// A named boot milestone, sent by `ainux-agent notify NAME` (e.g. `booted` after
    /// `multi-user.target`).
    Event {
        name: String,
        boot_id: String,
        uptime_ms: u64,
    },
    /// The answer to request `id`. `stdout`/`stderr`/`data` are base64.
    Reply {
        id: u64,
        /// Exit status; `None` if killed by a signal or never started.
        exit: Option<i32>,
        #[serde(default)]
        signal: Option<i32>,
        #[serde(default)]
        timed_out: bool,
        #[serde(default)]
        stdout: String,
        #[serde(default)]
        stderr: String,
        /// Set when the request itself could not be carried out.
        #[serde(default)]
        error: Option<String>,
    },
}

pub fn b64(data: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub fn unb64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::general_purpose::STANDARD.decode(text)
}

/// Encodes one message as a line (with the trailing newline).
pub fn encode_line<T: Serialize>(value: &T) -> Vec<u8> {
    let mut line = serde_json::to_vec(value).expect("protocol types always serialize");
    line.push(b'\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_round_trip() {
        let r = Request::Exec {
            id: 7,
            cmd: "echo hi".into(),
            timeout_ms: 1000,
        };
        let line = encode_line(&r);
        assert_eq!(*line.last().unwrap(), b'\n');
        let back: Request = serde_json::from_slice(&line).unwrap();
        assert_eq!(back, r);
        assert_eq!(back.id(), 7);
        let text = String::from_utf8(line).unwrap();
        assert!(text.contains("\"op\":\"exec\""), "{text}");
    }

    #[test]
    fn reply_defaults_and_base64() {
        let m: Message = serde_json::from_str(r#"{"kind":"reply","id":3,"exit":0}"#).unwrap();
        match m {
            Message::Reply {
                id,
                exit,
                stdout,
                timed_out,
                ..
            } => {
                assert_eq!(
                    (id, exit, stdout.as_str(), timed_out),
                    (3, Some(0), "", false)
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(unb64(&b64(b"\x00\xffhello")).unwrap(), b"\x00\xffhello");
    }
}
