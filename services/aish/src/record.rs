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
