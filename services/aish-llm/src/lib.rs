//! aish's network LLM layer.
//!
//! [`Llm::answer`] takes a request and its context and returns an [`Answer`]:
//! from the cache, from the first provider of the configured chain that gives
//! a usable answer, or from the caller's offline fallback. Decisions (breaker,
//! retries, rate limits, cache expiry) are pure state machines in their own
//! modules, fed by an injected [`clock::Clock`].
//!
//! Architecture invariant: the model's opinion of risk is never asked for nor
//! used; the caller runs its danger analysis on every answer, whatever its
//! source.

pub mod breaker;
pub mod cache;
pub mod clock;
pub mod config;
pub mod contract;
pub mod keys;
pub mod provider;
pub mod ratelimit;
pub mod redact;
pub mod retry;
pub mod router;
pub mod sanitize;
pub mod stats;

use breaker::{Admission, Breaker, BreakerConfig, Transition};
use cache::LruCache;
use clock::Clock;
use config::{LlmConfig, ProviderConfig};
use keys::ApiKey;
use provider::{CallError, Message, Role};
use ratelimit::{BucketConfig, RateLimiter};
use retry::{Decision, RetryPolicy};
use serde::{Deserialize, Serialize};
use stats::{Snapshot, Stats};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::{info, warn};

/// What the caller knows about the situation; the first three fields change
/// the answer and are part of the cache key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Context {
    pub distribution: String,
    pub package_manager: String,
    /// e.g. "git", "home", "system", "other".
    pub cwd_kind: String,
    /// The user on whose behalf the request is made (rate limit key).
    pub user: String,
    /// Extra context lines (file names, command output): sent quoted, as data.
    pub extra: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Source {
    Provider {
        name: String,
        model: String,
    },
    Cache {
        name: String,
        model: String,
    },
    Offline,
    /// Typed by the user (`!cmd`), not translated.
    User,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Provider { name, model } => write!(f, "{name} ({model})"),
            Source::Cache { name, model } => write!(f, "cache of {name} ({model})"),
            Source::Offline => f.write_str("offline translator"),
            Source::User => f.write_str("the user"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answer {
    pub command: String,
    pub explanation: String,
    pub source: Source,
}

/// The result of a startup probe of one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Probe {
    pub provider: String,
    pub reachable: bool,
    pub ms: f64,
    /// Why it is not reachable (no key material).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error("request is {len} characters long; the limit is {max}")]
    TooLarge { len: usize, max: usize },
    #[error("provider {name:?}")]
    Key {
        name: String,
        #[source]
        source: keys::KeyError,
    },
    #[error("cannot build the HTTP client")]
    Client(#[source] reqwest::Error),
}

struct Provider {
    cfg: ProviderConfig,
    key: Option<ApiKey>,
    model: String,
    advanced_model: String,
}

struct State {
    breakers: BTreeMap<String, Breaker>,
    provider_limits: RateLimiter,
    user_limits: RateLimiter,
    cache: LruCache<Answer>,
}

type Jitter = dyn Fn() -> f64 + Send + Sync;

/// The provider chain with its shared state. Cheap to share behind an `Arc`.
pub struct Llm {
    cfg: LlmConfig,
    providers: Vec<Provider>,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
    stats: Stats,
    redactor: redact::Redactor,
    retry: RetryPolicy,
    jitter: Box<Jitter>,
}

impl std::fmt::Debug for Llm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Llm")
            .field(
                "providers",
                &self
                    .providers
                    .iter()
                    .map(|p| &p.cfg.name)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

fn secs(f: f64) -> Duration {
    Duration::from_secs_f64(f)
}

impl Llm {
    /// Builds the chain, resolving keys from files, `CREDENTIALS_DIRECTORY`
    /// and the environment.
    pub fn new(cfg: LlmConfig, clock: Arc<dyn Clock>) -> Result<Llm, LlmError> {
        let creds = std::env::var_os("CREDENTIALS_DIRECTORY").map(std::path::PathBuf::from);
        let env = |v: &str| std::env::var(v).ok();
        let mut keys = Vec::new();
        for p in &cfg.providers {
            let k = keys::resolve(p, creds.as_deref(), &env).map_err(|source| LlmError::Key {
                name: p.name.clone(),
                source,
            })?;
            keys.push(k);
        }
        Llm::with_keys(cfg, keys, clock)
    }

    /// Builds the chain with the keys given (one per provider, in order).
    pub fn with_keys(
        cfg: LlmConfig,
        keys: Vec<Option<ApiKey>>,
        clock: Arc<dyn Clock>,
    ) -> Result<Llm, LlmError> {
        // reqwest is built without a bundled crypto provider; ring is ours.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(secs(cfg.connect_timeout))
            .read_timeout(secs(cfg.timeout))
            .pool_max_idle_per_host(8)
            .user_agent("ainux-aish")
            .build()
            .map_err(LlmError::Client)?;
        let providers: Vec<Provider> = cfg
            .providers
            .iter()
            .zip(keys.into_iter().chain(std::iter::repeat(None)))
            .filter(|(p, _)| {
                let ok = !cfg.local_only || provider::is_loopback(&p.base_url);
                if !ok {
                    info!(event = "provider_skipped", provider = %p.name, reason = "local_only");
                }
                ok
            })
            .map(|(p, key)| {
                let model = p.model.clone().unwrap_or_else(|| cfg.model.clone());
                Provider {
                    advanced_model: p.advanced_model.clone().unwrap_or_else(|| model.clone()),
                    model,
                    key,
                    cfg: p.clone(),
                }
            })
            .collect();
        let bcfg = BreakerConfig {
            enabled: cfg.circuit_breaker.enabled,
            failure_threshold: cfg.circuit_breaker.threshold,
            recovery_timeout: secs(cfg.circuit_breaker.recovery_timeout),
            half_open_probes: cfg.circuit_breaker.half_open_probes,
        };
        let rl = &cfg.rate_limit;
        let state = State {
            breakers: providers
                .iter()
                .map(|p| (p.cfg.name.clone(), Breaker::new(bcfg)))
                .collect(),
            provider_limits: RateLimiter::new(BucketConfig {
                enabled: rl.enabled,
                rpm: rl.rpm,
                burst: rl.burst,
            }),
            user_limits: RateLimiter::new(BucketConfig {
                enabled: rl.enabled,
                rpm: rl.user_rpm,
                burst: rl.user_burst,
            }),
            cache: LruCache::new(
                if cfg.cache.enabled { cfg.cache.size } else { 0 },
                Duration::from_secs(cfg.cache.ttl),
            ),
        };
        let user = cfg.redact_user.then(|| {
            (
                std::env::var("USER").unwrap_or_default(),
                std::env::var("HOME").unwrap_or_default(),
            )
        });
        let retry = RetryPolicy {
            max_attempts: cfg.retry.max_attempts,
            base_delay: secs(cfg.retry.base_delay),
            max_delay: secs(cfg.retry.max_delay),
            deadline: secs(cfg.retry.deadline),
        };
        Ok(Llm {
            providers,
            client,
            clock,
            state: Mutex::new(state),
            stats: Stats::default(),
            redactor: redact::Redactor::new(user),
            retry,
            jitter: Box::new(rand::random::<f64>),
            cfg,
        })
    }

    /// Replaces the jitter source (tests: a constant).
    pub fn set_jitter(&mut self, f: impl Fn() -> f64 + Send + Sync + 'static) {
        self.jitter = Box::new(f);
    }

    /// Replaces the user name and home directory redacted when
    /// `redact_user` is set.
    pub fn set_user_redaction(&mut self, name: &str, home: &str) {
        self.redactor = redact::Redactor::new(Some((name.into(), home.into())));
    }

    pub fn stats(&self) -> Snapshot {
        let now = self.clock.now();
        let st = self.lock();
        let breakers = st
            .breakers
            .iter()
            .map(|(n, b)| (n.clone(), b.state_name(now)))
            .collect();
        self.stats.snapshot(st.cache.len(), breakers)
    }

    /// Probes every provider with a TCP connection to its host and port,
    /// within the connect timeout (no request is sent: no tokens spent).
    pub async fn probe(&self) -> Vec<Probe> {
        let timeout = secs(self.cfg.connect_timeout);
        let mut out = Vec::new();
        for p in &self.providers {
            let t0 = std::time::Instant::now();
            let target = reqwest::Url::parse(&p.cfg.base_url)
                .ok()
                .and_then(|u| Some((u.host_str()?.to_string(), u.port_or_known_default()?)));
            let error = match target {
                None => Some("base_url has no host".to_string()),
                Some((host, port)) => {
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    match tokio::time::timeout(
                        timeout,
                        tokio::net::TcpStream::connect((host, port)),
                    )
                    .await
                    {
                        Ok(Ok(_)) => None,
                        Ok(Err(e)) => Some(e.to_string()),
                        Err(_) => Some("connect timed out".to_string()),
                    }
                }
            };
            let reachable = error.is_none();
            if reachable {
                info!(event = "provider_probed", provider = %p.cfg.name, reachable);
            } else {
                warn!(event = "provider_probed", provider = %p.cfg.name, reachable, cause = error.as_deref().unwrap_or(""));
            }
            out.push(Probe {
                provider: p.cfg.name.clone(),
                reachable,
                ms: t0.elapsed().as_secs_f64() * 1000.0,
                error,
            });
        }
        out
    }

    /// The configuration this chain was built from.
    pub fn config(&self) -> &LlmConfig {
        &self.cfg
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The user message: context as quoted data, then the request; redacted.
    pub fn prompt(&self, request: &str, ctx: &Context) -> String {
        let mut s = String::from("<context>\n");
        for (k, v) in [
            ("distribution", &ctx.distribution),
            ("package_manager", &ctx.package_manager),
            ("cwd_kind", &ctx.cwd_kind),
        ] {
            if !v.is_empty() {
                s.push_str(&format!("{k}: {}\n", serde_json::Value::from(v.as_str())));
            }
        }
        for line in &ctx.extra {
            // JSON-quoted: planted instructions stay data.
            s.push_str(&format!(
                "data: {}\n",
                serde_json::Value::from(line.as_str())
            ));
        }
        s.push_str("</context>\nRequest: ");
        s.push_str(request);
        self.redactor.redact(&s)
    }

    /// Answers `request`, ending at `fallback` (the offline translator, which
    /// returns `(command, explanation)`).
    pub async fn answer(
        &self,
        request: &str,
        ctx: &Context,
        fallback: impl FnOnce(&str, &Context) -> (String, String),
    ) -> Result<Answer, LlmError> {
        let len = request.chars().count();
        if len > self.cfg.max_request_chars {
            return Err(LlmError::TooLarge {
                len,
                max: self.cfg.max_request_chars,
            });
        }
        Stats::inc(&self.stats.translations);
        let key = cache::key(request, ctx);
        if self.cfg.cache.enabled {
            let hit = self.lock().cache.get(&key, self.clock.now());
            if let Some(mut a) = hit {
                Stats::inc(&self.stats.cache_hits);
                if let Source::Provider { name, model } = a.source {
                    a.source = Source::Cache { name, model };
                }
                return Ok(a);
            }
            Stats::inc(&self.stats.cache_misses);
        }
        let user_ok = self.providers.is_empty() || {
            let user = if ctx.user.is_empty() { "-" } else { &ctx.user };
            let ok = self
                .lock()
                .user_limits
                .check(user, self.clock.now())
                .is_ok();
            if !ok {
                Stats::inc(&self.stats.rate_limited);
                warn!(event = "user_rate_limited", user = %user);
            }
            ok
        };
        if user_ok {
            let tier = router::tier(request, self.cfg.complexity_threshold);
            let prompt = self.prompt(request, ctx);
            for p in &self.providers {
                if let Some(a) = self.try_provider(p, tier, &prompt).await {
                    info!(event = "command_translated", provider = %p.cfg.name, source = %a.source);
                    self.lock().cache.insert(key, a.clone(), self.clock.now());
                    return Ok(a);
                }
            }
        }
        Stats::inc(&self.stats.fallbacks_used);
        let (command, explanation) = fallback(request, ctx);
        info!(event = "command_translated", source = "offline");
        Ok(Answer {
            command,
            explanation,
            source: Source::Offline,
        })
    }

    fn log_transition(&self, name: &str, t: Option<Transition>) {
        match t {
            Some(Transition::Opened) => warn!(event = "circuit_opened", provider = %name),
            Some(Transition::HalfOpened) => info!(event = "circuit_half_opened", provider = %name),
            Some(Transition::Closed) => info!(event = "circuit_closed", provider = %name),
            None => {}
        }
    }

    /// One provider: breaker, rate limit, call with retries, contract with
    /// one re-ask. `None`: fall through to the next.
    async fn try_provider(&self, p: &Provider, tier: router::Tier, prompt: &str) -> Option<Answer> {
        let name = p.cfg.name.as_str();
        {
            let now = self.clock.now();
            let mut st = self.lock();
            if let Err(wait) = st.provider_limits.check(name, now) {
                Stats::inc(&self.stats.rate_limited);
                info!(event = "provider_rate_limited", provider = %name, wait_ms = wait.as_millis() as u64);
                return None;
            }
            let (adm, t) = st.breakers.get_mut(name)?.admit(now);
            drop(st);
            self.log_transition(name, t);
            if let Admission::Rejected { .. } = adm {
                Stats::inc(&self.stats.breaker_rejections);
                return None;
            }
        }
        let model = match tier {
            router::Tier::Simple => &p.model,
            router::Tier::Complex => &p.advanced_model,
        };
        let mut msgs = vec![Message {
            role: Role::User,
            text: prompt.to_string(),
        }];
        let outcome = async {
            for round in 0..2 {
                let text = self.call_with_retries(p, model, &msgs).await?;
                match contract::parse(&text) {
                    Ok(parsed) => return Ok(Some(parsed)),
                    Err(e) => {
                        self.stats.error(name, "contract");
                        warn!(event = "provider_failed", provider = %name, kind = "contract", cause = %e);
                        if round == 0 {
                            Stats::inc(&self.stats.reasks);
                            msgs.push(Message { role: Role::Assistant, text: sanitize::strip_controls(&text) });
                            msgs.push(Message { role: Role::User, text: contract::REASK_PROMPT.into() });
                        }
                    }
                }
            }
            Ok::<_, CallError>(None)
        }
        .await;
        let now = self.clock.now();
        let t = {
            let mut st = self.lock();
            let b = st.breakers.get_mut(name)?;
            // A provider that answers, even badly, is up; transport and
            // server failures count against it.
            match &outcome {
                Ok(_) => b.on_success(now),
                Err(_) => b.on_failure(now),
            }
        };
        self.log_transition(name, t);
        match outcome {
            Ok(Some(parsed)) => Some(Answer {
                command: parsed.command,
                explanation: parsed.explanation,
                source: Source::Provider {
                    name: name.to_string(),
                    model: model.clone(),
                },
            }),
            _ => None,
        }
    }

    async fn call_with_retries(
        &self,
        p: &Provider,
        model: &str,
        msgs: &[Message],
    ) -> Result<String, CallError> {
        let start = self.clock.now();
        let timeout = secs(self.cfg.timeout);
        let mut attempt = 1;
        loop {
            let elapsed = self.clock.now().saturating_sub(start);
            let budget = self.retry.deadline.saturating_sub(elapsed).min(timeout);
            let t0 = std::time::Instant::now();
            let r = provider::call(
                &self.client,
                &p.cfg.kind,
                &p.cfg.base_url,
                model,
                p.key.as_ref(),
                contract::SYSTEM_PROMPT,
                msgs,
                budget.max(Duration::from_millis(1)),
            )
            .await;
            self.stats.latency(&p.cfg.name, t0.elapsed());
            let err = match r {
                Ok(t) => return Ok(t),
                Err(e) => e,
            };
            self.stats.error(&p.cfg.name, err.kind.label());
            warn!(event = "provider_failed", provider = %p.cfg.name, kind = err.kind.label(), attempt, cause = %err.detail);
            let elapsed = self.clock.now().saturating_sub(start);
            match self
                .retry
                .decide(attempt, err.kind, elapsed, (self.jitter)())
            {
                Decision::RetryAfter(d) => {
                    Stats::inc(&self.stats.retry_attempts);
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Decision::GiveUp(_) => return Err(err),
            }
        }
    }
}
