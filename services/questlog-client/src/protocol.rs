//! The wire protocol: one JSON object per frame (see `ainux_common::frame`).
//!
//! A client sends a [`Request`] and gets one [`Response`]. The user of every event is taken by
//! the daemon from the socket's peer credentials; nothing in an event names its user.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Largest frame either side sends or accepts.
pub const MAX_FRAME: usize = 1 << 20;
/// Most events in one append request.
pub const MAX_EVENTS_PER_REQUEST: usize = 1000;

/// Extra structured fields of a service event.
pub type Fields = BTreeMap<String, serde_json::Value>;

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// A command typed in an interactive shell.
    Command {
        command: String,
        cwd: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        exit: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duration_ms: Option<u64>,
        /// Shell session id.
        #[serde(default)]
        session: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        tty: Option<String>,
        /// `bash` or `zsh`.
        #[serde(default)]
        shell: String,
    },
    /// An alert raised by a service (e.g. kmonitord).
    Alert {
        severity: String,
        title: String,
        #[serde(default)]
        detail: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: Fields,
    },
    /// An action the healer took.
    HealAction {
        unit: String,
        action: String,
        outcome: String,
        #[serde(default)]
        reason: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: Fields,
    },
    /// A decision of the shell assistant.
    AssistantDecision {
        request: String,
        decision: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        command: Option<String>,
        #[serde(default)]
        reason: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: Fields,
    },
    /// A filesystem snapshot taken or removed.
    Snapshot {
        action: String,
        name: String,
        #[serde(default)]
        reason: String,
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        fields: Fields,
    },
    /// A unit state change read from the journal (recorded by the daemon itself).
    Unit {
        unit: String,
        /// `started`, `stopped`, `failed`, `restarted`.
        state: String,
        #[serde(default)]
        message: String,
    },
    /// A kernel warning read from the journal (recorded by the daemon itself).
    Kernel { priority: u8, message: String },
    /// Something questlogd itself noted (e.g. a corrupt database moved aside).
    Internal { message: String },
}

impl EventKind {
    /// The type name stored and filtered on.
    pub fn type_name(&self) -> &'static str {
        match self {
            EventKind::Command { .. } => "command",
            EventKind::Alert { .. } => "alert",
            EventKind::HealAction { .. } => "heal_action",
            EventKind::AssistantDecision { .. } => "assistant_decision",
            EventKind::Snapshot { .. } => "snapshot",
            EventKind::Unit { .. } => "unit",
            EventKind::Kernel { .. } => "kernel",
            EventKind::Internal { .. } => "internal",
        }
    }
}

/// All type names, for validation of filters.
pub const TYPE_NAMES: &[&str] = &[
    "command",
    "alert",
    "heal_action",
    "assistant_decision",
    "snapshot",
    "unit",
    "kernel",
    "internal",
];

/// One event as a client sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// A client-chosen unique id; an event sent twice with the same id (per user) is stored once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// When it happened (start time), milliseconds since the Unix epoch.
    pub ts_ms: i64,
    /// Who sent it: a service name, `bash`, `zsh`, `journal`.
    #[serde(default)]
    pub source: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

fn process_nonce() -> u64 {
    use std::sync::OnceLock;
    static NONCE: OnceLock<u64> = OnceLock::new();
    *NONCE.get_or_init(|| {
        let mut b = [0u8; 8];
        // SAFETY: b is a valid writable buffer of 8 bytes.
        let n = unsafe { libc::getrandom(b.as_mut_ptr().cast(), b.len(), 0) };
        if n == 8 {
            u64::from_le_bytes(b)
        } else {
            let t = now_ms() as u64;
            t ^ (u64::from(std::process::id()) << 32)
        }
    })
}

/// A fresh unique event id (random per process, then a sequence number).
pub fn new_event_id() -> String {
    format!(
        "{:016x}-{}",
        process_nonce(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    )
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

impl Event {
    /// An event happening now, with a fresh id, source = program name.
    pub fn new(kind: EventKind) -> Self {
        let source = std::env::args()
            .next()
            .and_then(|a| {
                std::path::Path::new(&a)
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        Event {
            id: Some(new_event_id()),
            ts_ms: now_ms(),
            source,
            kind,
        }
    }

    /// Sets the source.
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = source.into();
        self
    }
}

/// Filters of a query; all given ones must hold.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Query {
    /// Substring to search for (case-insensitive).
    pub text: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub uid: Option<u32>,
    pub unit: Option<String>,
    pub exit: Option<i32>,
    /// Exact working directory, or a prefix when it ends with `/`.
    pub cwd: Option<String>,
    pub types: Vec<String>,
    pub source: Option<String>,
    /// Most rows returned (the daemon caps it).
    pub limit: Option<usize>,
    /// Oldest first instead of newest first.
    pub ascending: bool,
    /// Return rows with ids greater than this (for paging exports).
    pub after_id: Option<i64>,
}

/// A stored event as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub id: i64,
    pub ts_ms: i64,
    pub uid: u32,
    #[serde(rename = "type")]
    pub type_name: String,
    pub source: String,
    /// The command or message text (redacted).
    pub text: String,
    pub cwd: Option<String>,
    pub exit: Option<i32>,
    pub duration_ms: Option<i64>,
    pub unit: Option<String>,
    pub session: Option<String>,
    pub tty: Option<String>,
    pub truncated: bool,
    pub redacted: bool,
    /// Remaining structured fields.
    pub data: serde_json::Value,
}

/// Aggregates.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    pub total: u64,
    pub by_type: Vec<(String, u64)>,
    /// (program, runs, failures)
    pub top_commands: Vec<(String, u64, u64)>,
    /// (YYYY-MM-DD, events, failed commands)
    pub per_day: Vec<(String, u64, u64)>,
    /// (unit, events, failures)
    pub busiest_units: Vec<(String, u64, u64)>,
    /// commands with a non-zero exit / commands with a known exit
    pub command_failure_rate: f64,
}

/// A request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    Append { events: Vec<Event> },
    Query { query: Query },
    Stats { query: Query },
    Ping,
}

/// The answer to an append, sent once every event is durable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppendAck {
    pub accepted: usize,
    /// Events already stored under the same id (not stored again).
    pub duplicates: usize,
    /// Events whose text was cut to the size limit.
    pub truncated: usize,
}

/// Why a request failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request was not valid; sending it again won't help.
    BadRequest,
    /// This client sends too fast; retry after `retry_after_ms`.
    RateLimited,
    /// The daemon can't store right now (disk full, shutting down); spool and retry.
    Unavailable,
    /// Not allowed for this user.
    Forbidden,
}

/// A response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Response {
    Appended(AppendAck),
    Rows {
        rows: Vec<Record>,
        /// True when the daemon capped the result.
        more: bool,
    },
    Stats(Stats),
    Pong {
        uid: u32,
        version: String,
    },
    Error {
        code: ErrorCode,
        message: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after_ms: Option<u64>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_json_is_flat_and_round_trips() {
        let e = Event {
            id: Some("a-1".into()),
            ts_ms: 5,
            source: "bash".into(),
            kind: EventKind::Command {
                command: "ls -l".into(),
                cwd: "/tmp".into(),
                exit: Some(0),
                duration_ms: Some(3),
                session: "s".into(),
                tty: None,
                shell: "bash".into(),
            },
        };
        let j = serde_json::to_value(&e).unwrap();
        assert_eq!(j["type"], "command");
        assert_eq!(j["command"], "ls -l");
        let back: Event = serde_json::from_value(j).unwrap();
        assert_eq!(back, e);
    }

    #[test]
    fn ids_are_unique() {
        let a = new_event_id();
        let b = new_event_id();
        assert_ne!(a, b);
    }

    #[test]
    fn type_names_cover_all_kinds() {
        let k = EventKind::Internal {
            message: String::new(),
        };
        assert!(TYPE_NAMES.contains(&k.type_name()));
    }
}
