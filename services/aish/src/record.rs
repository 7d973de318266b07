//! Recording to questlogd through `questlog-client` (which spools when the daemon is down):
//! every executed or refused command with its request, verdict, decision, exit code, duration
//! and output excerpt.

use std::path::PathBuf;

use questlog_client::{Event, EventKind, Spool, SpoolingClient};
use serde_json::json;

use crate::danger::Level;
use crate::exec::Outcome;

/// One decision of the shell.
#[derive(Debug, Clone, Default)]
pub struct Entry {
    /// The natural-language request (None for `!cmd`).
    pub request: Option<String>,
    pub command: String,
    pub level: Option<Level>,
    /// `run`, `confirmed`, `refused`, `background`.
    pub decision: String,
    pub reason: String,
    pub outcome: Option<Outcome>,
    pub cwd: String,
}

pub struct Recorder {
    client: SpoolingClient,
    pub sent: u64,
    pub spooled: u64,
    pub failed: u64,
}

impl Recorder {
    /// `socket` empty means the client's default; the spool is the client's per-user default.
    pub fn new(socket: &str) -> Recorder {
        let client = if socket.is_empty() {
            SpoolingClient::for_current_user("aish")
        } else {
            SpoolingClient::new(
                PathBuf::from(socket),
                Spool::new(
                    questlog_client::client::default_spool_path(),
                    8 * 1024 * 1024,
                ),
            )
        };
        Self::with_client(client)
    }

    pub fn with_client(client: SpoolingClient) -> Recorder {
        Recorder {
            client,
            sent: 0,
            spooled: 0,
            failed: 0,
        }
    }

    pub fn event(e: &Entry) -> Event {
        let mut fields = questlog_client::protocol::Fields::new();
        if let Some(l) = e.level {
            fields.insert("level".into(), json!(l.as_str()));
        }
        fields.insert("cwd".into(), json!(e.cwd));
        if let Some(o) = &e.outcome {
            fields.insert("exit".into(), json!(o.exit_code));
            fields.insert("ending".into(), json!(o.ending));
            fields.insert("duration_ms".into(), json!(o.duration_ms));
            fields.insert("output_excerpt".into(), json!(o.excerpt));
            fields.insert("output_bytes".into(), json!(o.output_bytes));
        }
        Event::new(EventKind::AssistantDecision {
            request: e.request.clone().unwrap_or_default(),
            decision: e.decision.clone(),
            command: Some(e.command.clone()),
            reason: e.reason.clone(),
            fields,
        })
        .with_source("aish")
    }

    pub fn record(&mut self, e: &Entry) {
        match self.client.send(vec![Self::event(e)]) {
            Ok(questlog_client::client::Delivery::Stored(_)) => self.sent += 1,
            Ok(questlog_client::client::Delivery::Spooled) => self.spooled += 1,
            Err(_) => self.failed += 1,
        }
    }

    /// Events waiting in the local spool.
    pub fn spool_len(&self) -> usize {
        self.client.spool().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exec::Ending;
    use ainux_common::frame::{DEFAULT_MAX_FRAME, read_frame, write_frame};
    use questlog_client::{AppendAck, Request, Response};

    fn entry() -> Entry {
        Entry {
            request: Some("free space".into()),
            command: "df -h".into(),
            level: Some(Level::Safe),
            decision: "run".into(),
            reason: String::new(),
            outcome: Some(Outcome {
                command: "df -h".into(),
                level: Level::Safe,
                ending: Ending::Exited,
                exit_code: 0,
                duration_ms: 12,
                excerpt: "Filesystem Size\n".into(),
                output_bytes: 16,
                truncated: false,
            }),
            cwd: "/root".into(),
        }
    }

    #[test]
    fn delivered_over_the_socket_when_the_daemon_is_up_and_spooled_when_down() {
        let d = tempfile::tempdir().unwrap();
        let sock = d.path().join("q.sock");
        let spool = Spool::new(d.path().join("spool.jsonl"), 1 << 20);
        let mut rec = Recorder::with_client(SpoolingClient::new(sock.clone(), spool));
        // Down: spooled.
        rec.record(&entry());
        assert_eq!((rec.sent, rec.spooled, rec.spool_len()), (0, 1, 1));
        // Up: a listener speaking the questlogd protocol receives the spooled event and the new one.
        let listener = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let server = std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut got = Vec::new();
            while got.len() < 2 {
                let Some(frame) = read_frame(&mut conn, DEFAULT_MAX_FRAME).unwrap() else {
                    break;
                };
                let Request::Append { events } = serde_json::from_slice(&frame).unwrap() else {
                    panic!("expected an append");
                };
                let ack = Response::Appended(AppendAck {
                    accepted: events.len(),
                    ..AppendAck::default()
                });
                got.extend(events);
                write_frame(
                    &mut conn,
                    &serde_json::to_vec(&ack).unwrap(),
                    DEFAULT_MAX_FRAME,
                )
                .unwrap();
            }
            got
        });
        rec.record(&entry());
        let got = server.join().unwrap();
        assert_eq!((rec.sent, rec.spool_len()), (1, 0));
        assert_eq!(got.len(), 2);
        let v = serde_json::to_value(&got[1]).unwrap();
        assert_eq!(v["type"], "assistant_decision");
        assert_eq!(v["source"], "aish");
        assert_eq!(v["request"], "free space");
        assert_eq!(v["command"], "df -h");
        assert_eq!(v["decision"], "run");
        assert_eq!(v["fields"]["exit"], 0);
        assert_eq!(v["fields"]["duration_ms"], 12);
        assert_eq!(v["fields"]["level"], "safe");
        assert_eq!(v["fields"]["output_excerpt"], "Filesystem Size\n");
    }
}
