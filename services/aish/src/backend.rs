//! Where a request's network answer comes from: aishd when its socket
//! answers (one cache, one set of breakers and rate limits for every session
//! on the machine), else the LLM chain in this process, built from the
//! `[llm]` table of `aish.toml`. Both end at the offline translator.
//!
//! Architecture invariant: what comes back is only a proposal. The session
//! runs its own danger analysis and confirmation on it, whatever the source;
//! the verdict aishd sends along is never used in place of that.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aish_llm::config::LlmConfig;
use aish_llm::{Context, Llm, Source};
use serde_json::{Value, json};

/// aishd's socket when the config names none.
pub const DEFAULT_SOCKET: &str = "/run/ainux/aishd/aishd.sock";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    Aishd,
    InProcess,
}

/// aishd's job for a command about to be decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket {
    pub job: u64,
    /// A remembered approval of this user covers the command (aishd's check;
    /// the session's gate still decides, and never lets it cover `critical`).
    pub remembered: bool,
}

impl Ticket {
    fn from_job(job: &Value) -> Option<Ticket> {
        Some(Ticket {
            job: job["job"].as_u64()?,
            remembered: job["state"] == "approved",
        })
    }
}

/// A proposal with its origin.
#[derive(Debug, Clone)]
pub struct Remote {
    pub command: String,
    pub explanation: String,
    pub source: Source,
    pub via: Via,
    /// aishd's job for it (only `Via::Aishd`).
    pub ticket: Option<Ticket>,
    /// Things the user should know (a provider that could not be set up).
    pub notes: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// aishd or the chain refused the request (e.g. too long); the message says why.
    #[error("{0}")]
    Refused(String),
}

pub struct Backend {
    socket: PathBuf,
    cfg: LlmConfig,
    /// Built on first use; `Err` keeps the reason it could not be.
    llm: Option<Result<Arc<Llm>, String>>,
}

impl Backend {
    /// `socket` empty means [`DEFAULT_SOCKET`].
    pub fn new(socket: &str, cfg: LlmConfig) -> Backend {
        Backend {
            socket: PathBuf::from(if socket.is_empty() {
                DEFAULT_SOCKET
            } else {
                socket
            }),
            cfg,
            llm: None,
        }
    }

    pub fn socket(&self) -> &Path {
        &self.socket
    }

    /// Asks aishd, or the in-process chain when aishd is not there.
    /// `offline` gives the offline translator's answer.
    pub fn ask(
        &mut self,
        rt: &tokio::runtime::Runtime,
        request: &str,
        ctx: &Context,
        offline: impl FnOnce(&str, &Context) -> (String, String),
    ) -> Result<Remote, BackendError> {
        match self.ask_aishd(request, ctx) {
            Ok(Some(r)) => return Ok(r),
            Ok(None) => {}
            Err(e) => return Err(e),
        }
        let mut notes = Vec::new();
        if self.cfg.providers.is_empty() {
            let (command, explanation) = offline(request, ctx);
            return Ok(Remote {
                command,
                explanation,
                source: Source::Offline,
                via: Via::InProcess,
                ticket: None,
                notes,
            });
        }
        let cfg = self.cfg.clone();
        let llm = self.llm.get_or_insert_with(|| {
            Llm::new(cfg, Arc::new(aish_llm::clock::SystemClock::default()))
                .map(Arc::new)
                .map_err(|e| ainux_common::error_chain(&e))
        });
        let a = match llm {
            Ok(llm) => {
                let llm = llm.clone();
                rt.block_on(llm.answer(request, ctx, offline))
                    .map_err(|e| BackendError::Refused(e.to_string()))?
            }
            Err(why) => {
                notes.push(format!(
                    "network providers not used: {why}; answering offline"
                ));
                let (command, explanation) = offline(request, ctx);
                aish_llm::Answer {
                    command,
                    explanation,
                    source: Source::Offline,
                }
            }
        };
        Ok(Remote {
            command: a.command,
            explanation: a.explanation,
            source: a.source,
            via: Via::InProcess,
            ticket: None,
            notes,
        })
    }

    /// `Ok(None)`: aishd is not there (no socket, refused, or it broke off).
    fn ask_aishd(&self, request: &str, ctx: &Context) -> Result<Option<Remote>, BackendError> {
        // The whole chain may take a provider deadline per provider.
        let wait = Duration::from_secs_f64(
            (self.cfg.retry.deadline * (self.cfg.providers.len() as f64 + 1.0)).clamp(5.0, 300.0),
        );
        let Some(v) = self.call(
            &json!({"op": "submit", "request": request, "context": ctx}),
            wait,
        ) else {
            return Ok(None);
        };
        if v["ok"] != true {
            let msg = v["error"].as_str().unwrap_or("aishd refused the request");
            return Err(BackendError::Refused(msg.to_string()));
        }
        let job = &v["job"];
        let Ok(source) = serde_json::from_value::<Source>(job["source"].clone()) else {
            return Ok(None);
        };
        Ok(Some(Remote {
            command: job["command"].as_str().unwrap_or("").to_string(),
            explanation: job["explanation"].as_str().unwrap_or("").to_string(),
            source,
            via: Via::Aishd,
            ticket: Ticket::from_job(job),
            notes: vec![],
        }))
    }

    /// One request, one reply line; `None` when aishd cannot be reached.
    pub fn call(&self, req: &Value, wait: Duration) -> Option<Value> {
        let s = UnixStream::connect(&self.socket).ok()?;
        s.set_read_timeout(Some(wait)).ok()?;
        s.set_write_timeout(Some(Duration::from_secs(5))).ok()?;
        let mut r = BufReader::new(s);
        r.get_mut().write_all(format!("{req}\n").as_bytes()).ok()?;
        let mut line = String::new();
        r.read_line(&mut line).ok()?;
        serde_json::from_str(&line).ok()
    }

    /// The LLM layer's counters, gauges and latencies as JSON: aishd's when
    /// it answers, else this process's chain (nothing before its first use).
    pub fn stats(&self) -> (Via, Value) {
        if let Some(v) = self.call(&json!({"op": "stats"}), Duration::from_secs(2)) {
            return (Via::Aishd, v);
        }
        let v = match &self.llm {
            Some(Ok(llm)) => json!({"stats": llm.stats()}),
            Some(Err(why)) => json!({"error": why}),
            None => json!({"stats": null}),
        };
        (Via::InProcess, v)
    }

    /// aishd's health reply, `None` when it does not answer.
    pub fn health(&self) -> Option<Value> {
        self.call(&json!({"op": "health"}), Duration::from_secs(2))
    }

    /// A job at aishd for a command the session already has: `typed` by the
    /// user, else an offline candidate. `None` when aishd is not there.
    pub fn propose(&self, command: &str, typed: bool) -> Option<Ticket> {
        let kind = if typed { "user" } else { "offline" };
        let v = self.call(
            &json!({"op": "propose", "command": command, "source": {"kind": kind}}),
            Duration::from_secs(2),
        )?;
        Ticket::from_job(&v["job"])
    }

    /// Tells aishd how job `job` went (approve/deny, running, finished);
    /// best effort: the command's fate does not depend on it. The reply, if any.
    pub fn tell(&self, job: u64, op: &str, extra: Value) -> Option<Value> {
        let mut req = json!({"op": op, "job": job});
        if let (Some(m), Value::Object(e)) = (req.as_object_mut(), extra) {
            m.extend(e);
        }
        self.call(&req, Duration::from_secs(2))
    }
}

/// The part of the situation that changes the answer, and a few file names
/// as quoted data.
pub fn context(ctx: &crate::translate::Context) -> Context {
    let cwd = &ctx.cwd;
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let cwd_kind = if cwd.ancestors().any(|d| d.join(".git").exists()) {
        "git"
    } else if home.as_deref().is_some_and(|h| cwd.starts_with(h)) {
        "home"
    } else if ["/etc", "/usr", "/var", "/boot", "/opt"]
        .iter()
        .any(|p| cwd.starts_with(p))
    {
        "system"
    } else {
        "other"
    };
    let distribution = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("ID="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_default();
    let files: Vec<String> = ctx.files.iter().take(20).cloned().collect();
    Context {
        distribution,
        package_manager: ctx.package_manager.clone().unwrap_or_default(),
        cwd_kind: cwd_kind.into(),
        user: String::new(),
        extra: if files.is_empty() {
            vec![]
        } else {
            vec![format!(
                "files in the current directory: {}",
                files.join(", ")
            )]
        },
    }
}
