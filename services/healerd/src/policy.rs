//! Healing policies: which units healerd looks after and how.
//!
//! A policy file holds `[[policy]]` tables; each names units by exact name or
//! by a glob (`*`, `?`, `[a-z]`, `[!x]`, as systemd's own unit patterns):
//!
//! ```toml
//! [[policy]]
//! units = ["web-*.service", "db.service"]
//! group = "web"                        # related units, for cross-unit flapping
//! cooldown_secs = 60                   # stable this long after a restart = recovered
//! on_start_limit_hit = "escalate"      # escalate | reset-and-restart | alert | ignore
//!
//! [policy.restart]
//! initial_delay_ms = 200
//! factor = 2.0
//! max_delay_ms = 30000
//! jitter = 0.2                         # +/- fraction of the delay
//! max_restarts = 5                     # ... within window_secs, then escalate
//! window_secs = 300
//!
//! [policy.flapping]
//! threshold = 4                        # failures within window_secs = flapping
//! window_secs = 120
//! group_threshold = 6                  # failures across related units
//!
//! [policy.escalation]
//! steps = ["reset-failed-restart", "restart-dependencies", "stop-dependents", "alert"]
//! allow_reboot = false                 # "reboot" in steps needs this
//!
//! [[policy.health]]
//! kind = "http"                        # command | tcp | http | process
//! url = "http://127.0.0.1:8080/health"
//! expect_status = 200
//! interval_ms = 5000
//! timeout_ms = 1000
//! failure_threshold = 3
//! ```
//!
//! Loading errors name the file, the line and the key (from the TOML spans).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// A policy could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read policy file {}", path.display())]
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
}

impl PolicyError {
    /// Line of the offending key, when the error is about the content.
    pub fn line(&self) -> Option<usize> {
        match self {
            PolicyError::Invalid { line, .. } => Some(*line),
            PolicyError::Read { .. } => None,
        }
    }
    /// Dotted key path of the offending key, when the error is about the content.
    pub fn key(&self) -> Option<&str> {
        match self {
            PolicyError::Invalid { key, .. } => Some(key),
            PolicyError::Read { .. } => None,
        }
    }
}

/// Backoff and restart budget.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestartPolicy {
    pub initial_delay_ms: u64,
    pub factor: f64,
    pub max_delay_ms: u64,
    /// Fraction (0..=1) of the delay added or removed at random.
    pub jitter: f64,
    pub max_restarts: u32,
    pub window_secs: u64,
    /// How long a restart job may take before it counts as failed.
    pub job_timeout_secs: u64,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        Self {
            initial_delay_ms: 100,
            factor: 2.0,
            max_delay_ms: 30_000,
            jitter: 0.1,
            max_restarts: 5,
            window_secs: 300,
            job_timeout_secs: 90,
        }
    }
}

/// Flapping detection.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FlappingPolicy {
    /// Failures of this unit (whoever restarted it) within `window_secs`.
    pub threshold: u32,
    pub window_secs: u64,
    /// Failures across related units (same `group`, or sharing a requirement).
    pub group_threshold: u32,
}

impl Default for FlappingPolicy {
    fn default() -> Self {
        Self {
            threshold: 6,
            window_secs: 120,
            group_threshold: 8,
        }
    }
}

/// One step of the escalation chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// `ResetFailed` then restart.
    ResetFailedRestart,
    /// Restart what the unit requires (deepest first), then the unit.
    RestartDependencies,
    /// Stop what depends on the unit, then restart the unit; dependents are
    /// started again once it has recovered.
    StopDependents,
    /// Raise an alert; goes straight on to the next step.
    Alert,
    /// Reboot the machine (needs `allow_reboot = true`).
    Reboot,
}

impl Step {
    pub fn name(self) -> &'static str {
        match self {
            Step::ResetFailedRestart => "reset-failed-restart",
            Step::RestartDependencies => "restart-dependencies",
            Step::StopDependents => "stop-dependents",
            Step::Alert => "alert",
            Step::Reboot => "reboot",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct EscalationPolicy {
    pub steps: Vec<Step>,
    pub allow_reboot: bool,
}

impl Default for EscalationPolicy {
    fn default() -> Self {
        Self {
            steps: vec![
                Step::ResetFailedRestart,
                Step::RestartDependencies,
                Step::StopDependents,
                Step::Alert,
            ],
            allow_reboot: false,
        }
    }
}

/// What to do when systemd reports `start-limit-hit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartLimitAction {
    /// Enter the escalation chain at its first step.
    #[default]
    Escalate,
    /// `ResetFailed` and restart after the usual backoff.
    ResetAndRestart,
    /// Alert only; leave the unit failed.
    Alert,
    /// Do nothing (audited).
    Ignore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HealthKind {
    Command,
    Tcp,
    Http,
    Process,
}

/// A health check for a unit that is active but maybe not healthy.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub kind: HealthKind,
    /// Name in logs and audit; defaults to the kind.
    #[serde(default)]
    pub name: Option<String>,
    /// `command`: argv, run without a shell; exit 0 = healthy.
    #[serde(default)]
    pub command: Vec<String>,
    /// `tcp`: host:port to connect to.
    #[serde(default)]
    pub address: Option<String>,
    /// `http`: `http://host:port/path`.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default = "default_status")]
    pub expect_status: u16,
    /// `process`: a process whose comm (or argv[0] basename) is this name.
    #[serde(default)]
    pub process: Option<String>,
    #[serde(default = "default_interval")]
    pub interval_ms: u64,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    #[serde(default = "default_threshold")]
    pub failure_threshold: u32,
}

fn default_status() -> u16 {
    200
}
fn default_interval() -> u64 {
    10_000
}
fn default_timeout() -> u64 {
    2_000
}
fn default_threshold() -> u32 {
    3
}

impl HealthCheck {
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| {
            match self.kind {
                HealthKind::Command => "command",
                HealthKind::Tcp => "tcp",
                HealthKind::Http => "http",
                HealthKind::Process => "process",
            }
            .to_string()
        })
    }
    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms)
    }
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// One `[[policy]]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Unit names or globs.
    pub units: Vec<String>,
    pub group: Option<String>,
    /// Extra requirements, in start order, on top of what systemd reports.
    pub requires: Vec<String>,
    pub cooldown_secs: u64,
    pub on_start_limit_hit: StartLimitAction,
    /// Before a restart of ours would reach systemd's `StartLimitBurst`,
    /// reset the counter with `ResetFailed` (audited) instead of tripping it.
    pub reset_start_limit: bool,
    pub restart: RestartPolicy,
    pub flapping: FlappingPolicy,
    pub escalation: EscalationPolicy,
    pub health: Vec<HealthCheck>,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            units: Vec::new(),
            group: None,
            requires: Vec::new(),
            cooldown_secs: 30,
            on_start_limit_hit: StartLimitAction::default(),
            reset_start_limit: true,
            restart: RestartPolicy::default(),
            flapping: FlappingPolicy::default(),
            escalation: EscalationPolicy::default(),
            health: Vec::new(),
        }
    }
}

impl Policy {
    pub fn cooldown(&self) -> Duration {
        Duration::from_secs(self.cooldown_secs)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct RawFile {
    policy: Vec<Policy>,
    disk: Vec<crate::remedy::DiskRule>,
}

/// Where a policy came from, for messages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

/// All loaded policies, in load order.
#[derive(Debug, Clone, Default)]
pub struct PolicySet {
    entries: Vec<(Policy, Origin)>,
    disks: Vec<crate::remedy::DiskRule>,
}

impl PolicySet {
    /// Parse one file's text.
    pub fn parse(path: &Path, text: &str) -> Result<Self, PolicyError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(path, text, span, e.message())
        })?;
        let doc = toml::de::DeTable::parse(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            invalid(path, text, span, e.message())
        })?;
        let root = toml::de::DeValue::Table(doc.into_inner());
        let mut entries = Vec::new();
        for (i, p) in raw.policy.into_iter().enumerate() {
            let here = |keys: &[&str]| -> Range<usize> { span_of(&root, i, keys) };
            let fail = |keys: &[&str], msg: &str| {
                let mut key = format!("policy[{i}]");
                for k in keys {
                    key.push('.');
                    key.push_str(k);
                }
                PolicyError::Invalid {
                    path: path.to_path_buf(),
                    line: line_of(text, here(keys).start),
                    key,
                    message: msg.to_string(),
                }
            };
            if p.units.is_empty() {
                return Err(fail(
                    &["units"],
                    "a policy needs at least one unit name or glob",
                ));
            }
            for u in &p.units {
                if let Err(m) = check_glob(u) {
                    return Err(fail(&["units"], &format!("pattern {u:?}: {m}")));
                }
            }
            let r = &p.restart;
            if !(r.factor.is_finite() && r.factor >= 1.0) {
                return Err(fail(&["restart", "factor"], "must be a number >= 1.0"));
            }
            if !(r.jitter.is_finite() && (0.0..=1.0).contains(&r.jitter)) {
                return Err(fail(&["restart", "jitter"], "must be between 0.0 and 1.0"));
            }
            if r.max_delay_ms < r.initial_delay_ms {
                return Err(fail(
                    &["restart", "max_delay_ms"],
                    "must be >= initial_delay_ms",
                ));
            }
            if r.max_restarts == 0 {
                return Err(fail(&["restart", "max_restarts"], "must be at least 1"));
            }
            if r.window_secs == 0 {
                return Err(fail(&["restart", "window_secs"], "must be at least 1"));
            }
            if p.flapping.threshold < 2 {
                return Err(fail(&["flapping", "threshold"], "must be at least 2"));
            }
            if p.escalation.steps.contains(&Step::Reboot) && !p.escalation.allow_reboot {
                return Err(fail(
                    &["escalation", "steps"],
                    "step \"reboot\" needs escalation.allow_reboot = true",
                ));
            }
            for (h_i, h) in p.health.iter().enumerate() {
                let hf = |key: &str, msg: &str| {
                    let idx = h_i.to_string();
                    let keys = ["health", idx.as_str(), key];
                    fail(&keys, msg)
                };
                match h.kind {
                    HealthKind::Command if h.command.is_empty() => {
                        return Err(hf(
                            "command",
                            "kind = \"command\" needs command = [argv...]",
                        ));
                    }
                    HealthKind::Tcp if h.address.is_none() => {
                        return Err(hf(
                            "address",
                            "kind = \"tcp\" needs address = \"host:port\"",
                        ));
                    }
                    HealthKind::Http => match &h.url {
                        None => return Err(hf("url", "kind = \"http\" needs url")),
                        Some(u) if crate::health::parse_http_url(u).is_none() => {
                            return Err(hf("url", "expected http://host:port/path"));
                        }
                        _ => {}
                    },
                    HealthKind::Process if h.process.is_none() => {
                        return Err(hf("process", "kind = \"process\" needs process = \"name\""));
                    }
                    _ => {}
                }
                if h.interval_ms == 0 {
                    return Err(hf("interval_ms", "must be at least 1"));
                }
                if h.timeout_ms == 0 {
                    return Err(hf("timeout_ms", "must be at least 1"));
                }
                if h.failure_threshold == 0 {
                    return Err(hf("failure_threshold", "must be at least 1"));
                }
            }
            let origin = Origin {
                file: path.to_path_buf(),
                line: line_of(text, span_of(&root, i, &[]).start),
            };
            entries.push((p, origin));
        }
        for (i, d) in raw.disk.iter().enumerate() {
            let fail = |key: &str, msg: String| {
                let span = root
                    .get("disk")
                    .and_then(|a| a.get_ref().get(i))
                    .map(|t| t.get_ref().get(key).map_or(t.span(), |v| v.span()))
                    .unwrap_or(0..0);
                PolicyError::Invalid {
                    path: path.to_path_buf(),
                    line: line_of(text, span.start),
                    key: format!("disk[{i}].{key}"),
                    message: msg,
                }
            };
            if !(d.max_used_pct > 0.0 && d.max_used_pct <= 100.0) {
                return Err(fail("max_used_pct", "must be in (0, 100]".into()));
            }
            if d.interval_secs == 0 {
                return Err(fail("interval_secs", "must be at least 1".into()));
            }
            if let Some(a) = d
                .actions
                .iter()
                .find(|a| !crate::remedy::BUILTINS.contains(&a.as_str()))
            {
                return Err(fail(
                    "actions",
                    format!(
                        "unknown clean-up {a:?} (known: {})",
                        crate::remedy::BUILTINS.join(", ")
                    ),
                ));
            }
            if d.commands.iter().any(|c| c.is_empty()) {
                return Err(fail(
                    "commands",
                    "a command needs at least a program".into(),
                ));
            }
        }
        Ok(Self {
            entries,
            disks: raw.disk,
        })
    }

    /// Filesystem clean-up rules.
    pub fn disks(&self) -> &[crate::remedy::DiskRule] {
        &self.disks
    }

    /// Load one file, or every `*.toml` in a directory (sorted by name).
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let read_err = |source| PolicyError::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(read_err)?;
        let files: Vec<PathBuf> = if meta.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(read_err)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            v.sort();
            v
        } else {
            vec![path.to_path_buf()]
        };
        let mut set = PolicySet::default();
        for f in files {
            let text = std::fs::read_to_string(&f).map_err(|source| PolicyError::Read {
                path: f.clone(),
                source,
            })?;
            let one = Self::parse(&f, &text)?;
            set.entries.extend(one.entries);
            set.disks.extend(one.disks);
        }
        Ok(set)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = &Policy> {
        self.entries.iter().map(|(p, _)| p)
    }

    /// The policy for a unit: an exact name wins over globs; among globs the
    /// first in load order wins.
    pub fn for_unit(&self, unit: &str) -> Option<&Policy> {
        self.entries
            .iter()
            .find(|(p, _)| p.units.iter().any(|u| u == unit))
            .or_else(|| {
                self.entries
                    .iter()
                    .find(|(p, _)| p.units.iter().any(|u| glob_match(u, unit)))
            })
            .map(|(p, _)| p)
    }

    /// Warnings for patterns that match none of `known` units (checked
    /// against systemd's unit list once it is known).
    pub fn unmatched(&self, known: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        for (p, o) in &self.entries {
            for pat in &p.units {
                if !known.iter().any(|k| glob_match(pat, k)) {
                    out.push(format!(
                        "{}:{}: pattern {pat:?} matches no unit",
                        o.file.display(),
                        o.line
                    ));
                }
            }
        }
        out
    }
}

fn invalid(path: &Path, text: &str, span: Range<usize>, message: &str) -> PolicyError {
    PolicyError::Invalid {
        path: path.to_path_buf(),
        line: line_of(text, span.start),
        key: key_at(text, span.start),
        message: message.trim().to_string(),
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Best-effort dotted key at a byte offset: the enclosing table header plus
/// the key on that line.
fn key_at(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let mut table = String::new();
    for l in text[..line_start].lines().rev() {
        let t = l.trim();
        if t.starts_with('[') {
            table = t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
            break;
        }
    }
    let t = line.trim();
    if t.starts_with('[') {
        return t.trim_matches(|c| c == '[' || c == ']').trim().to_string();
    }
    let key = match t.split_once('=') {
        Some((k, _)) => k.trim().trim_matches('"').to_string(),
        None => String::new(),
    };
    match (table.is_empty(), key.is_empty()) {
        (true, _) => key,
        (false, true) => table,
        (false, false) => format!("{table}.{key}"),
    }
}

/// Span of `policy[i].keys...`, falling back to the deepest existing part.
fn span_of(root: &toml::de::DeValue<'_>, i: usize, keys: &[&str]) -> Range<usize> {
    let Some(policies) = root.get("policy") else {
        return 0..0;
    };
    let Some(mut cur) = policies.get_ref().get(i) else {
        return policies.span();
    };
    for k in keys {
        let next = match k.parse::<usize>() {
            Ok(n) => cur.get_ref().get(n),
            Err(_) => cur.get_ref().get(*k),
        };
        match next {
            Some(n) => cur = n,
            None => break,
        }
    }
    cur.span()
}

fn check_glob(p: &str) -> Result<(), &'static str> {
    if p.is_empty() {
        return Err("empty pattern");
    }
    let mut open = false;
    for c in p.chars() {
        match c {
            '[' if !open => open = true,
            ']' if open => open = false,
            '/' | ' ' => return Err("unit names contain no '/' or spaces"),
            _ => {}
        }
    }
    if open {
        return Err("unclosed '['");
    }
    Ok(())
}

/// fnmatch-style matching: `*`, `?`, `[abc]`, `[a-z]`, `[!a]`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Iterative matcher with single-star backtracking (linear-ish, no recursion).
    let (mut pi, mut ni) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() {
            match p[pi] {
                '*' => {
                    star = Some((pi, ni));
                    pi += 1;
                    continue;
                }
                '?' => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                '[' => {
                    if let Some((ok, next)) = class_match(&p, pi, n[ni])
                        && ok
                    {
                        pi = next;
                        ni += 1;
                        continue;
                    }
                }
                c if c == n[ni] => {
                    pi += 1;
                    ni += 1;
                    continue;
                }
                _ => {}
            }
        }
        match star {
            Some((sp, sn)) => {
                pi = sp + 1;
                ni = sn + 1;
                star = Some((sp, sn + 1));
            }
            None => return false,
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// Match a `[...]` class starting at `p[start] == '['`; returns (matched, index after `]`).
fn class_match(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!') | Some('^'));
    if negate {
        i += 1;
    }
    let mut matched = false;
    let mut first = true;
    while i < p.len() {
        if p[i] == ']' && !first {
            return Some((matched != negate, i + 1));
        }
        first = false;
        if i + 2 < p.len() && p[i + 1] == '-' && p[i + 2] != ']' {
            if p[i] <= c && c <= p[i + 2] {
                matched = true;
            }
            i += 3;
        } else {
            if p[i] == c {
                matched = true;
            }
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PolicySet, PolicyError> {
        PolicySet::parse(Path::new("/etc/ainux/healer/test.toml"), text)
    }

    #[test]
    fn globs() {
        assert!(glob_match("web-*.service", "web-1.service"));
        assert!(glob_match("web-*.service", "web-.service"));
        assert!(!glob_match("web-*.service", "web-1.socket"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "ac"));
        assert!(glob_match("db[0-9].service", "db7.service"));
        assert!(!glob_match("db[!0-9].service", "db7.service"));
        assert!(glob_match("db[!0-9].service", "dbx.service"));
        assert!(glob_match("*a*b*c", "xxaxxbxxc"));
        assert!(!glob_match("*a*b*c", "xxaxxcxxb"));
        assert!(glob_match("exact.service", "exact.service"));
    }

    #[test]
    fn defaults_and_lookup() {
        let set = parse(
            r#"
[[policy]]
units = ["web-*.service"]
[policy.restart]
factor = 3.0

[[policy]]
units = ["web-admin.service"]
cooldown_secs = 5
"#,
        )
        .unwrap();
        assert_eq!(set.len(), 2);
        let p = set.for_unit("web-admin.service").unwrap();
        assert_eq!(p.cooldown_secs, 5, "exact name wins over an earlier glob");
        let g = set.for_unit("web-1.service").unwrap();
        assert_eq!(g.restart.factor, 3.0);
        assert_eq!(
            g.restart.max_restarts,
            RestartPolicy::default().max_restarts
        );
        assert!(set.for_unit("ssh.service").is_none());
    }

    #[test]
    fn type_error_names_line_and_key() {
        let err =
            parse("[[policy]]\nunits = [\"a.service\"]\n\n[policy.restart]\nfactor = \"fast\"\n")
                .unwrap_err();
        assert_eq!(err.line(), Some(5), "{err}");
        assert_eq!(err.key(), Some("policy.restart.factor"), "{err}");
        let s = err.to_string();
        assert!(s.contains("test.toml:5"), "{s}");
    }

    #[test]
    fn unknown_key_names_line_and_key() {
        let err = parse("[[policy]]\nunits = [\"a.service\"]\nrestart_delay = 5\n").unwrap_err();
        assert_eq!(err.line(), Some(3), "{err}");
        assert_eq!(err.key(), Some("policy.restart_delay"), "{err}");
    }

    #[test]
    fn semantic_errors_name_line_and_key() {
        let err = parse(
            "[[policy]]\nunits = [\"a.service\"]\n[policy.restart]\ninitial_delay_ms = 10\nfactor = 0.5\n",
        )
        .unwrap_err();
        assert_eq!(err.line(), Some(5), "{err}");
        assert_eq!(err.key(), Some("policy[0].restart.factor"));

        let err = parse(
            "[[policy]]\nunits = [\"a.service\"]\n\n[[policy]]\nunits = [\"b.service\"]\n[[policy.health]]\nkind = \"http\"\nurl = \"ftp://x\"\n",
        )
        .unwrap_err();
        assert_eq!(err.line(), Some(8), "{err}");
        assert_eq!(err.key(), Some("policy[1].health.0.url"));

        let err = parse("[[policy]]\nunits = [\"a.service\"]\n[policy.escalation]\nsteps = [\"alert\", \"reboot\"]\n")
            .unwrap_err();
        assert_eq!(err.line(), Some(4), "{err}");

        let err = parse("[[policy]]\nunits = [\"bad[.service\"]\n").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");

        let err =
            parse("[[policy]]\nunits = [\"a.service\"]\n[policy.escalation]\nsteps = [\"pray\"]\n")
                .unwrap_err();
        assert_eq!(err.line(), Some(4), "{err}");
        assert_eq!(err.key(), Some("policy.escalation.steps"), "{err}");
    }

    #[test]
    fn disk_rules() {
        let set = parse("[[disk]]\npath = \"/var\"\nmax_used_pct = 80.0\n").unwrap();
        assert_eq!(set.disks().len(), 1);
        assert_eq!(set.disks()[0].max_used_pct, 80.0);
        let err = parse("[[disk]]\npath = \"/\"\nactions = [\"rm-rf\"]\n").unwrap_err();
        assert_eq!(err.line(), Some(3), "{err}");
        assert_eq!(err.key(), Some("disk[0].actions"));
        let err = parse("[[disk]]\nmax_used_pct = 120.0\n").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
    }

    #[test]
    fn unmatched_patterns_are_reported() {
        let set = parse("[[policy]]\nunits = [\"web-*.service\", \"ghost.service\"]\n").unwrap();
        let known = vec!["web-1.service".to_string(), "ssh.service".to_string()];
        let w = set.unmatched(&known);
        assert_eq!(w.len(), 1);
        assert!(
            w[0].contains("ghost.service") && w[0].contains("test.toml:1"),
            "{w:?}"
        );
    }

    #[test]
    fn shipped_example_parses() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies.toml");
        let set = PolicySet::load(&p).unwrap();
        assert_eq!(set.len(), 2);
        let web = set.for_unit("web-shop.service").unwrap();
        assert_eq!(web.health.len(), 2);
        assert_eq!(web.health[0].label(), "http");
        assert_eq!(
            set.for_unit("questlogd.service").unwrap().group.as_deref(),
            Some("ainux")
        );
    }

    #[test]
    fn load_directory_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("20-b.toml"),
            "[[policy]]\nunits = [\"*.service\"]\ncooldown_secs = 2\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("10-a.toml"),
            "[[policy]]\nunits = [\"x*.service\"]\ncooldown_secs = 1\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("README"), "not toml").unwrap();
        let set = PolicySet::load(dir.path()).unwrap();
        assert_eq!(set.len(), 2);
        assert_eq!(set.for_unit("xy.service").unwrap().cooldown_secs, 1);
        assert_eq!(set.for_unit("zz.service").unwrap().cooldown_secs, 2);
        std::fs::write(dir.path().join("30-c.toml"), "[[policy]]\nunits = 3\n").unwrap();
        let err = PolicySet::load(dir.path()).unwrap_err();
        assert!(err.to_string().contains("30-c.toml:2"), "{err}");
    }
}
