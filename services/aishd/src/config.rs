//! aishd's own settings: defaults, then `/etc/ainux/aishd.toml`, then
//! `AINUX_AISHD__<KEY>`. The LLM chain itself is the `[llm]` table of
//! `aish.toml`, shared with in-process aish sessions.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DaemonConfig {
    /// `host:port` of the HTTP endpoint for `/metrics`, `/livez`, `/readyz`
    /// and `/startupz`; empty turns it off.
    pub metrics_listen: String,
    /// Jobs kept for `status` and late subscribers; the oldest go first.
    pub max_jobs: usize,
}

impl Default for DaemonConfig {
    fn default() -> Self {
        DaemonConfig {
            metrics_listen: "127.0.0.1:9479".into(),
            max_jobs: 4096,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Load(#[from] ainux_common::config::ConfigError),
    #[error("aishd: {0}")]
    Invalid(String),
}

impl DaemonConfig {
    pub fn load(source: &ainux_common::config::Source) -> Result<DaemonConfig, ConfigError> {
        let c: DaemonConfig = ainux_common::config::load("aishd", source)?;
        c.validate()?;
        Ok(c)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        if !self.metrics_listen.is_empty()
            && self.metrics_listen.parse::<std::net::SocketAddr>().is_err()
        {
            return Err(ConfigError::Invalid(format!(
                "metrics_listen = {:?}: not an address:port",
                self.metrics_listen
            )));
        }
        if !(1..=1_000_000).contains(&self.max_jobs) {
            return Err(ConfigError::Invalid(
                "max_jobs must be between 1 and 1000000".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ainux_common::config::{Source, load_from};

    #[test]
    fn file_env_and_bad_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("aishd.toml");
        std::fs::write(&p, "max_jobs = 10\n").unwrap();
        let env = vec![(
            "AINUX_AISHD__METRICS_LISTEN".to_string(),
            "127.0.0.1:1".to_string(),
        )];
        let c: DaemonConfig = load_from("aishd", &Source::Named(p.clone()), &p, &env).unwrap();
        assert_eq!((c.max_jobs, c.metrics_listen.as_str()), (10, "127.0.0.1:1"));
        std::fs::write(&p, "max_jobs = 10\nmetrics = 1\n").unwrap();
        let e = load_from::<DaemonConfig>("aishd", &Source::Named(p.clone()), &p, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("aishd.toml:2") && e.contains("metrics"), "{e}");
        let bad = DaemonConfig {
            metrics_listen: "everywhere".into(),
            ..DaemonConfig::default()
        };
        assert!(
            bad.validate()
                .unwrap_err()
                .to_string()
                .contains("metrics_listen")
        );
    }
}
