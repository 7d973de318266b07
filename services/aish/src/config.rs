//! The shell's configuration: serde defaults, then `/etc/ainux/aish.toml` (or the file given
//! with `--config`), then environment overrides `AINUX_AISH__<KEY>` (layered by
//! `ainux_common::config`; errors name the file, line and key).

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::confirm::{Mode, Policy};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Load(#[from] ainux_common::config::ConfigError),
    #[error("{path}: key `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        key: &'static str,
        message: String,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// `safe`, `normal` or `paranoid`.
    pub mode: Mode,
    /// Command prefixes that run unasked when at most moderate.
    pub allow: Vec<String>,
    /// Command prefixes that are always refused.
    pub deny: Vec<String>,
    /// Lines kept in the persistent history.
    pub history_size: usize,
    /// History file; empty means `$XDG_STATE_HOME/aish/history` (or `~/.local/state/...`).
    pub history_file: String,
    /// A foreground command is killed after this many seconds (0: no limit).
    pub timeout_secs: u64,
    /// Bytes of output kept per command for the activity log.
    pub excerpt_bytes: usize,
    /// Background jobs that may exist at once.
    pub max_jobs: usize,
    /// questlogd socket; empty means the client's default (`$QUESTLOG_SOCKET` or the system one).
    pub questlog_socket: String,
    /// Shell that runs commands (`-c`).
    pub shell: String,
    /// aishd's socket; empty means `/run/ainux/aishd/aishd.sock`. When it does not
    /// answer, the `[llm]` chain runs in this process.
    pub aishd_socket: String,
    /// The network LLM chain (see the aish-llm crate); no providers: offline only.
    pub llm: aish_llm::config::LlmConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            mode: Mode::Normal,
            allow: vec![],
            deny: vec![],
            history_size: 1000,
            history_file: String::new(),
            timeout_secs: 600,
            excerpt_bytes: 4096,
            max_jobs: 8,
            questlog_socket: String::new(),
            shell: "/bin/bash".into(),
            aishd_socket: String::new(),
            llm: aish_llm::config::LlmConfig::default(),
        }
    }
}

impl Config {
    /// Load from `file` (or the default path) and the process environment.
    pub fn load(file: Option<PathBuf>) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(file, &ainux_common::config::default_path("aish"), &env)
    }

    /// [`Config::load`] with the default path and environment given (for tests).
    pub fn load_from(
        file: Option<PathBuf>,
        default_file: &std::path::Path,
        env: &[(String, String)],
    ) -> Result<Config, ConfigError> {
        use ainux_common::config::{Source, load_from};
        let source = match &file {
            Some(p) => Source::Named(p.clone()),
            None => Source::Default,
        };
        let c: Config = load_from("aish", &source, default_file, env)?;
        let path = file.unwrap_or_else(|| default_file.to_path_buf());
        let invalid = |key, message: &str| ConfigError::Invalid {
            path: path.clone(),
            key,
            message: message.into(),
        };
        if c.history_size == 0 || c.history_size > 1_000_000 {
            return Err(invalid("history_size", "must be between 1 and 1000000"));
        }
        if c.excerpt_bytes == 0 || c.excerpt_bytes > 1 << 20 {
            return Err(invalid("excerpt_bytes", "must be between 1 and 1048576"));
        }
        if c.max_jobs == 0 || c.max_jobs > 1024 {
            return Err(invalid("max_jobs", "must be between 1 and 1024"));
        }
        if c.shell.trim().is_empty() {
            return Err(invalid("shell", "must not be empty"));
        }
        if let Err(e) = c.llm.validate() {
            return Err(invalid("llm", &e.to_string()));
        }
        Ok(c)
    }

    pub fn policy(&self, assume_yes: bool) -> Policy {
        Policy {
            mode: self.mode,
            allow: self.allow.clone(),
            deny: self.deny.clone(),
            assume_yes,
        }
    }

    pub fn history_path(&self) -> Option<PathBuf> {
        if !self.history_file.is_empty() {
            return Some(PathBuf::from(&self.history_file));
        }
        let env = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
        if let Some(d) = env("XDG_STATE_HOME") {
            return Some(PathBuf::from(d).join("aish/history"));
        }
        env("HOME").map(|h| PathBuf::from(h).join(".local/state/aish/history"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("aish.toml");
        std::fs::write(&p, text).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::load_from(None, &p, &env)
    }

    #[test]
    fn defaults_when_the_file_is_missing() {
        let c =
            Config::load_from(None, std::path::Path::new("/nonexistent/aish.toml"), &[]).unwrap();
        assert_eq!(c, Config::default());
    }

    #[test]
    fn file_then_env() {
        let c = load(
            "mode = \"paranoid\"\ndeny = [\"docker\"]\ntimeout_secs = 5\n",
            &[
                ("AINUX_AISH__TIMEOUT_SECS", "9"),
                ("AINUX_AISH__MODE", "safe"),
            ],
        )
        .unwrap();
        assert_eq!(c.mode, Mode::Safe);
        assert_eq!(c.timeout_secs, 9);
        assert_eq!(c.deny, vec!["docker".to_string()]);
        assert!(c.policy(false).deny.contains(&"docker".to_string()));
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let e = load("history_size = 10\nmode = \"reckless\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("aish.toml:2"), "{e}");
        assert!(e.contains("mode"), "{e}");
        let e = load("timeout_secs = \"soon\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains(":1") && e.contains("timeout_secs"), "{e}");
        let e = load("colour = 3\n", &[]).unwrap_err().to_string();
        assert!(e.contains("colour"), "{e}");
        let e = load("history_size = 0\n", &[]).unwrap_err().to_string();
        assert!(e.contains("aish.toml") && e.contains("history_size"), "{e}");
        let e = load("", &[("AINUX_AISH__MODE", "wild")])
            .unwrap_err()
            .to_string();
        assert!(e.contains("AINUX_AISH__MODE"), "{e}");
    }

    #[test]
    fn the_llm_table_is_read_and_checked() {
        let c = load(
            "mode = \"normal\"\n[llm]\nmodel = \"small\"\n[[llm.providers]]\nname = \"local\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:8080/v1\"\n",
            &[("AINUX_AISH__AISHD_SOCKET", "/tmp/a.sock")],
        )
        .unwrap();
        assert_eq!(c.llm.model, "small");
        assert_eq!(c.llm.providers[0].name, "local");
        assert_eq!(c.aishd_socket, "/tmp/a.sock");
        let e = load("[llm]\ntimeout = 0.0\n", &[]).unwrap_err().to_string();
        assert!(
            e.contains("aish.toml") && e.contains("llm") && e.contains("timeout"),
            "{e}"
        );
        let e = load("[llm]\nmodle = \"x\"\n", &[]).unwrap_err().to_string();
        assert!(e.contains("aish.toml:2") && e.contains("modle"), "{e}");
    }

    #[test]
    fn a_named_file_must_exist() {
        let e = Config::load_from(
            Some(PathBuf::from("/nonexistent/x.toml")),
            std::path::Path::new("/nonexistent/aish.toml"),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("/nonexistent/x.toml"), "{e}");
    }
}
