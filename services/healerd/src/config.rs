//! Daemon configuration: defaults -> `/etc/ainux/healerd.toml` ->
//! environment (`AINUX_HEALERD__<KEY>`), honouring systemd's
//! `RUNTIME_DIRECTORY` and `STATE_DIRECTORY`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub const DEFAULT_FILE: &str = "/etc/ainux/healerd.toml";
const ENV_PREFIX: &str = "AINUX_HEALERD__";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}:{line}: key `{key}`: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        key: String,
        message: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// A policy file, or a directory of `*.toml` policy files.
    pub policy_path: PathBuf,
    /// Control socket for `healer`.
    pub socket: PathBuf,
    /// Where the audit journal (JSON lines) is kept.
    pub state_dir: PathBuf,
    /// questlogd's socket; audit records go there as `heal_action` events
    /// (questlog-client), spooled in `state_dir` while questlogd is away.
    pub questlog_socket: PathBuf,
    /// Audit records kept in memory for `healer history`.
    pub history_size: usize,
    /// Largest audit journal file before it is rotated (one old copy kept).
    pub journal_max_bytes: u64,
    pub max_units: usize,
    pub max_concurrent_restarts: usize,
    /// Capacity of the queue of systemd signals (bounded; see `Limits`).
    pub signal_queue: usize,
    pub reconnect_initial_ms: u64,
    pub reconnect_max_ms: u64,
    pub proc_root: PathBuf,
    /// Seed for backoff jitter; random when absent.
    pub seed: Option<u64>,
    /// Log as JSON lines.
    pub log_json: bool,
}

impl Default for Config {
    fn default() -> Self {
        let runtime = std::env::var_os("RUNTIME_DIRECTORY")
            .map(|d| PathBuf::from(d.to_string_lossy().split(':').next().unwrap_or("")))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("/run/ainux"));
        let state = std::env::var_os("STATE_DIRECTORY")
            .map(|d| PathBuf::from(d.to_string_lossy().split(':').next().unwrap_or("")))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| PathBuf::from("/var/lib/healerd"));
        Self {
            policy_path: PathBuf::from("/etc/ainux/healer.d"),
            socket: runtime.join("healerd.sock"),
            state_dir: state,
            questlog_socket: PathBuf::from(questlog_client::client::DEFAULT_SOCKET),
            history_size: 1000,
            journal_max_bytes: 8 << 20,
            max_units: 2048,
            max_concurrent_restarts: 8,
            signal_queue: 4096,
            reconnect_initial_ms: 100,
            reconnect_max_ms: 10_000,
            proc_root: PathBuf::from("/proc"),
            seed: None,
            log_json: false,
        }
    }
}

impl Config {
    /// Load with layering. `path = None` reads the default file if present;
    /// a path the user named must exist.
    pub fn load(path: Option<&Path>) -> Result<Self, ConfigError> {
        let vars: Vec<(String, String)> = std::env::vars()
            .filter(|(k, _)| k.starts_with(ENV_PREFIX))
            .collect();
        Self::load_with_env(path, &vars)
    }

    pub fn load_with_env(
        path: Option<&Path>,
        env: &[(String, String)],
    ) -> Result<Self, ConfigError> {
        let (file, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_FILE), false),
        };
        let text = match std::fs::read_to_string(&file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => String::new(),
            Err(source) => return Err(ConfigError::Read { path: file, source }),
        };
        // Validate the file alone first so errors point into it.
        let mut table: toml::Table =
            toml::from_str(&text).map_err(|e| invalid(&file, &text, &e))?;
        let _: Config = toml::from_str(&text).map_err(|e| invalid(&file, &text, &e))?;
        for (var, val) in env {
            let key = var[ENV_PREFIX.len()..].to_ascii_lowercase();
            let value = toml::from_str::<toml::Table>(&format!("v = {val}"))
                .ok()
                .and_then(|mut t| t.remove("v"))
                .unwrap_or_else(|| toml::Value::String(val.clone()));
            table.insert(key, value);
        }
        let merged = toml::to_string(&table).map_err(|e| ConfigError::Env {
            var: ENV_PREFIX.to_string(),
            message: e.to_string(),
        })?;
        toml::from_str(&merged).map_err(|e: toml::de::Error| ConfigError::Env {
            var: env
                .iter()
                .map(|(k, _)| k.as_str())
                .collect::<Vec<_>>()
                .join(","),
            message: e.message().to_string(),
        })
    }
}

fn invalid(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let start = e.span().map_or(0, |s| s.start);
    let line = crate::policy::line_of(text, start);
    let key = text
        .lines()
        .nth(line - 1)
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().to_string())
        .unwrap_or_default();
    ConfigError::Invalid {
        path: path.to_path_buf(),
        line,
        key,
        message: e.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layering_file_then_env() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("healerd.toml");
        std::fs::write(&f, "max_units = 10\nsocket = \"/tmp/x.sock\"\n").unwrap();
        let env = vec![
            ("AINUX_HEALERD__MAX_UNITS".to_string(), "20".to_string()),
            (
                "AINUX_HEALERD__POLICY_PATH".to_string(),
                "/tmp/p".to_string(),
            ),
        ];
        let c = Config::load_with_env(Some(&f), &env).unwrap();
        assert_eq!(c.max_units, 20);
        assert_eq!(c.socket, PathBuf::from("/tmp/x.sock"));
        assert_eq!(c.policy_path, PathBuf::from("/tmp/p"));
        assert_eq!(c.history_size, Config::default().history_size);
    }

    #[test]
    fn errors_name_file_line_key() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("healerd.toml");
        std::fs::write(&f, "history_size = 5\nmax_units = \"many\"\n").unwrap();
        let e = Config::load_with_env(Some(&f), &[])
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("healerd.toml:2") && e.contains("max_units"),
            "{e}"
        );
        let missing = dir.path().join("nope.toml");
        assert!(matches!(
            Config::load_with_env(Some(&missing), &[]),
            Err(ConfigError::Read { .. })
        ));
        let bad_env = vec![("AINUX_HEALERD__MAX_UNITS".to_string(), "\"x\"".to_string())];
        let e = Config::load_with_env(None, &bad_env)
            .unwrap_err()
            .to_string();
        assert!(e.contains("AINUX_HEALERD__MAX_UNITS"), "{e}");
    }
}
