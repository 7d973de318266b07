//! questlogd's configuration (`/etc/ainux/questlogd.toml`, env `AINUX_QUESTLOGD__<KEY>`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Socket to bind when not socket-activated.
    pub socket: PathBuf,
    /// Database file; relative paths are under `$STATE_DIRECTORY` (default `/var/lib/questlog`).
    pub database: PathBuf,
    /// Log as JSON lines.
    pub log_json: bool,
    /// Longest stored command/message text in bytes; longer ones are cut and flagged.
    pub max_text_bytes: usize,
    /// Largest request frame in bytes.
    pub max_frame_bytes: usize,
    /// Most events committed in one transaction.
    pub max_batch: usize,
    /// Events a client may send per second (token bucket rate), and its burst.
    pub client_rate: f64,
    pub client_burst: f64,
    /// Most simultaneous client connections.
    pub max_connections: usize,
    /// Most rows a query returns.
    pub max_query_rows: usize,
    /// `PRAGMA synchronous`: `normal` (durable once in the WAL; the default) or `full` (fsync per
    /// group commit).
    pub synchronous: String,
    /// Run `PRAGMA quick_check` at start-up and move a corrupt database aside.
    pub startup_check: bool,
    pub retention: Retention,
    pub redaction: Redaction,
    pub journal: Journal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// Events older than this are pruned (0 = keep forever).
    pub max_age_days: u64,
    /// The database is kept under this size, oldest events pruned first (0 = no limit).
    pub max_db_mb: u64,
    /// How often the pruner runs.
    pub interval_secs: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Redaction {
    /// Apply the built-in patterns (passwords in arguments and URLs, Authorization headers, AWS
    /// keys, GitHub/GitLab tokens, private key blocks).
    pub defaults: bool,
    /// Extra patterns.
    pub patterns: Vec<Pattern>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// A regular expression (Rust `regex` syntax).
    pub regex: String,
    /// The replacement; `$1` etc. refer to groups. Default `***`.
    #[serde(default = "default_replace")]
    pub replace: String,
}

fn default_replace() -> String {
    "***".into()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Journal {
    /// Follow the systemd journal.
    pub enabled: bool,
    /// The journalctl binary.
    pub journalctl: PathBuf,
    /// Kernel messages at this priority or more urgent are recorded (4 = warning).
    pub kernel_max_priority: u8,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            socket: PathBuf::from(questlog_client::client::DEFAULT_SOCKET),
            database: PathBuf::from("questlog.db"),
            log_json: false,
            max_text_bytes: 16 * 1024,
            max_frame_bytes: questlog_client::protocol::MAX_FRAME,
            max_batch: 4096,
            client_rate: 20_000.0,
            client_burst: 40_000.0,
            max_connections: 256,
            max_query_rows: 10_000,
            synchronous: "normal".into(),
            startup_check: true,
            retention: Retention::default(),
            redaction: Redaction::default(),
            journal: Journal::default(),
        }
    }
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            max_age_days: 365,
            max_db_mb: 1024,
            interval_secs: 600,
        }
    }
}

impl Default for Redaction {
    fn default() -> Self {
        Redaction {
            defaults: true,
            patterns: Vec::new(),
        }
    }
}

impl Default for Journal {
    fn default() -> Self {
        Journal {
            enabled: true,
            journalctl: PathBuf::from("journalctl"),
            kernel_max_priority: 4,
        }
    }
}

impl Config {
    /// The database path, resolved against the state directory.
    pub fn database_path(&self) -> PathBuf {
        if self.database.is_absolute() {
            self.database.clone()
        } else {
            ainux_common::dirs::state_dir("/var/lib/questlog").join(&self.database)
        }
    }
}
