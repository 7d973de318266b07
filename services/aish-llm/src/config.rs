//! The `[llm]` section of `/etc/ainux/aish.toml`, with environment overrides
//! `AINUX_AISH__LLM__<KEY>` (e.g. `AINUX_AISH__LLM__CACHE__TTL=600`), loaded by
//! `ainux_common::config`. Names follow the original design: `model`,
//! `timeout`, `cache.{enabled,size,ttl}`, `circuit_breaker.{enabled,threshold,
//! recovery_timeout}`, `rate_limit.{enabled,rpm,burst}`, `max_history`,
//! `log_level`. Durations are in seconds.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// OpenAI-compatible chat completions: OpenAI, Ollama, llama.cpp, vLLM.
    Openai,
    Gemini,
    Anthropic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderConfig {
    pub name: String,
    pub kind: ProviderKind,
    /// e.g. `http://127.0.0.1:11434/v1` for Ollama's OpenAI-compatible API.
    pub base_url: String,
    /// The cheap model; falls back to `[llm] model`.
    #[serde(default)]
    pub model: Option<String>,
    /// The model for complex requests; falls back to `model`.
    #[serde(default)]
    pub advanced_model: Option<String>,
    /// A file holding the API key (mode 0600 or stricter).
    #[serde(default)]
    pub api_key_file: Option<PathBuf>,
    /// Name of a systemd credential in `$CREDENTIALS_DIRECTORY`
    /// (default: `aish-<name>.key`).
    #[serde(default)]
    pub credential: Option<String>,
    /// Last resort: an environment variable holding the key.
    #[serde(default)]
    pub api_key_env: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheConfig {
    pub enabled: bool,
    pub size: usize,
    pub ttl: u64,
}

impl Default for CacheConfig {
    fn default() -> Self {
        CacheConfig {
            enabled: true,
            size: 1000,
            ttl: 3600,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BreakerSection {
    pub enabled: bool,
    pub threshold: u32,
    pub recovery_timeout: f64,
    pub half_open_probes: u32,
}

impl Default for BreakerSection {
    fn default() -> Self {
        BreakerSection {
            enabled: true,
            threshold: 5,
            recovery_timeout: 60.0,
            half_open_probes: 1,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimitSection {
    pub enabled: bool,
    /// Per provider.
    pub rpm: u32,
    pub burst: u32,
    /// Per user.
    pub user_rpm: u32,
    pub user_burst: u32,
}

impl Default for RateLimitSection {
    fn default() -> Self {
        RateLimitSection {
            enabled: true,
            rpm: 60,
            burst: 10,
            user_rpm: 30,
            user_burst: 10,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetrySection {
    pub max_attempts: u32,
    pub base_delay: f64,
    pub max_delay: f64,
    /// Total budget per provider, all attempts included.
    pub deadline: f64,
}

impl Default for RetrySection {
    fn default() -> Self {
        RetrySection {
            max_attempts: 3,
            base_delay: 0.2,
            max_delay: 5.0,
            deadline: 20.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// Default model for providers that name none.
    pub model: String,
    /// Read timeout of one HTTP request, seconds.
    pub timeout: f64,
    pub connect_timeout: f64,
    pub cache: CacheConfig,
    pub circuit_breaker: BreakerSection,
    pub rate_limit: RateLimitSection,
    pub retry: RetrySection,
    pub max_history: usize,
    pub log_level: String,
    /// Only loopback providers are used.
    pub local_only: bool,
    /// Also replace the user name and home directory before sending.
    pub redact_user: bool,
    /// Requests longer than this are refused with a clear message.
    pub max_request_chars: usize,
    /// Router threshold (see `router`).
    pub complexity_threshold: u32,
    /// The fallback chain, in order; the offline translator comes last.
    pub providers: Vec<ProviderConfig>,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            model: "gpt-4o-mini".into(),
            timeout: 30.0,
            connect_timeout: 5.0,
            cache: CacheConfig::default(),
            circuit_breaker: BreakerSection::default(),
            rate_limit: RateLimitSection::default(),
            retry: RetrySection::default(),
            max_history: 100,
            log_level: "info".into(),
            local_only: false,
            redact_user: false,
            max_request_chars: 4000,
            complexity_threshold: 4,
            providers: Vec::new(),
        }
    }
}

/// `aish.toml` as this crate sees it: only `[llm]`, other tables belong to aish.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AishFile {
    #[serde(default)]
    pub llm: LlmConfig,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Load(#[from] ainux_common::config::ConfigError),
    #[error("llm: {0}")]
    Invalid(String),
}

impl LlmConfig {
    /// Loads `[llm]` from `source` and the environment, then validates it.
    pub fn load(source: &ainux_common::config::Source) -> Result<LlmConfig, ConfigError> {
        let f: AishFile = ainux_common::config::load("aish", source)?;
        f.llm.validate()?;
        Ok(f.llm)
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid(m));
        for (name, v) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
            (
                "circuit_breaker.recovery_timeout",
                self.circuit_breaker.recovery_timeout,
            ),
            ("retry.base_delay", self.retry.base_delay),
            ("retry.max_delay", self.retry.max_delay),
            ("retry.deadline", self.retry.deadline),
        ] {
            if !(v.is_finite() && v > 0.0 && v < 86_400.0) {
                return bad(format!("{name} = {v}: must be between 0 and 86400 seconds"));
            }
        }
        if self.retry.max_attempts == 0 {
            return bad("retry.max_attempts must be at least 1".into());
        }
        if self.circuit_breaker.threshold == 0 {
            return bad("circuit_breaker.threshold must be at least 1".into());
        }
        let mut names = std::collections::HashSet::new();
        for p in &self.providers {
            if !names.insert(p.name.as_str()) {
                return bad(format!("provider name {:?} is used twice", p.name));
            }
            if !(p.base_url.starts_with("http://") || p.base_url.starts_with("https://")) {
                return bad(format!(
                    "provider {:?}: base_url must start with http:// or https://",
                    p.name
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ainux_common::config::{Source, load_from};

    fn load(text: &str, env: &[(&str, &str)]) -> Result<LlmConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("aish.toml");
        std::fs::write(&p, text).unwrap();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let f: AishFile = load_from("aish", &Source::Named(p.clone()), &p, &env)?;
        f.llm.validate()?;
        Ok(f.llm)
    }

    #[test]
    fn defaults_file_and_env_layer() {
        let c = load(
            "[repl]\nhistory = 3\n[llm]\nmodel = \"small\"\n[llm.cache]\nsize = 5\n\n[[llm.providers]]\nname = \"ollama\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:11434/v1\"\n",
            &[("AINUX_AISH__LLM__CACHE__TTL", "60"), ("AINUX_AISH__LLM__RATE_LIMIT__RPM", "7")],
        )
        .unwrap();
        assert_eq!(c.model, "small");
        assert_eq!(c.cache.size, 5);
        assert_eq!(c.cache.ttl, 60);
        assert_eq!(c.rate_limit.rpm, 7);
        assert!(c.circuit_breaker.enabled);
        assert_eq!(c.providers[0].kind, ProviderKind::Openai);
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let e = load("[llm]\nmodel = \"x\"\ncache_size = 3\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("aish.toml:3"), "{e}");
        assert!(e.contains("cache_size"), "{e}");
    }

    #[test]
    fn bad_values_are_refused() {
        let e = load("[llm]\ntimeout = -1.0\n", &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("timeout"), "{e}");
        let e = load(
            "[llm]\n[[llm.providers]]\nname=\"a\"\nkind=\"cohere\"\nbase_url=\"http://x\"\n",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("aish.toml:4"), "{e}");
    }
}
