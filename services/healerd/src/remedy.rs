//! Resource remediation: a filesystem above its threshold runs the
//! configured clean-ups, in order, until it is back under, and reports what
//! each freed.
//!
//! ```toml
//! [[disk]]
//! path = "/"
//! max_used_pct = 90.0
//! interval_secs = 60
//! cooldown_secs = 600
//! actions = ["journal-vacuum", "apt-clean"]          # built-ins, in order
//! commands = [["/usr/bin/ainux-snapshot", "prune"]] # then these
//! ```

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiskRule {
    pub path: PathBuf,
    pub max_used_pct: f64,
    pub interval_secs: u64,
    /// After a clean-up, wait this long before cleaning the same filesystem again.
    pub cooldown_secs: u64,
    /// Built-in clean-ups: `journal-vacuum`, `apt-clean`.
    pub actions: Vec<String>,
    /// Further clean-up commands (argv, no shell).
    pub commands: Vec<Vec<String>>,
    pub timeout_secs: u64,
    /// Size `journal-vacuum` shrinks the journal to.
    pub journal_keep: String,
}

impl Default for DiskRule {
    fn default() -> Self {
        Self {
            path: PathBuf::from("/"),
            max_used_pct: 90.0,
            interval_secs: 60,
            cooldown_secs: 600,
            actions: vec!["journal-vacuum".into(), "apt-clean".into()],
            commands: Vec::new(),
            timeout_secs: 120,
            journal_keep: "100M".into(),
        }
    }
}

pub const BUILTINS: &[&str] = &["journal-vacuum", "apt-clean"];

impl DiskRule {
    /// The clean-ups in order, as (name, argv).
    pub fn steps(&self) -> Vec<(String, Vec<String>)> {
        let mut v = Vec::new();
        for a in &self.actions {
            let argv: Vec<String> = match a.as_str() {
                "journal-vacuum" => vec![
                    "journalctl".into(),
                    format!("--vacuum-size={}", self.journal_keep),
                ],
                "apt-clean" => vec!["apt-get".into(), "clean".into()],
                _ => continue,
            };
            v.push((a.clone(), argv));
        }
        for c in &self.commands {
            if let Some(first) = c.first() {
                v.push((first.clone(), c.clone()));
            }
        }
        v
    }
}

/// Used and total bytes of the filesystem holding `path`.
// statvfs field widths differ between targets; the casts are no-ops on 64-bit.
#[allow(clippy::unnecessary_cast)]
pub fn usage(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let mut st = std::mem::MaybeUninit::<libc::statvfs>::zeroed();
    // SAFETY: `c` is a valid NUL-terminated path and `st` points to writable
    // memory of the right type; statvfs only writes into it.
    let rc = unsafe { libc::statvfs(c.as_ptr(), st.as_mut_ptr()) };
    if rc != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: statvfs returned 0, so it filled the struct.
    let st = unsafe { st.assume_init() };
    let frsize = st.f_frsize as u64;
    let total = st.f_blocks as u64 * frsize;
    let free = st.f_bfree as u64 * frsize;
    Ok((total.saturating_sub(free), total))
}

pub fn used_pct(used: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        used as f64 * 100.0 / total as f64
    }
}

/// What one clean-up did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    pub name: String,
    pub ok: bool,
    pub freed_bytes: i64,
    pub used_pct_after: f64,
    /// Why a failed clean-up failed: its exit status and the last line it wrote to stderr.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Run the clean-ups until the filesystem is under its threshold. `usage_of`
/// is the usage probe (statvfs in production).
pub async fn clean(
    rule: &DiskRule,
    usage_of: impl Fn(&Path) -> std::io::Result<(u64, u64)>,
) -> std::io::Result<Vec<StepReport>> {
    let mut reports = Vec::new();
    let (mut used, total) = usage_of(&rule.path)?;
    for (name, argv) in rule.steps() {
        if used_pct(used, total) <= rule.max_used_pct {
            break;
        }
        let snapshots = crate::snapshot::client();
        let pre = match crate::snapshot::wants_pair(&name) {
            true => crate::snapshot::before(&snapshots, &name).await,
            false => None,
        };
        let error = run(&argv, Duration::from_secs(rule.timeout_secs.max(1)))
            .await
            .err();
        let ok = error.is_none();
        crate::snapshot::after(&snapshots, pre, &name, ok).await;
        let (after, _) = usage_of(&rule.path)?;
        reports.push(StepReport {
            name,
            ok,
            freed_bytes: used as i64 - after as i64,
            used_pct_after: used_pct(after, total),
            error,
        });
        used = after;
    }
    Ok(reports)
}

/// Runs one clean-up; on failure, says why (exit status, last line of stderr).
async fn run(argv: &[String], timeout: Duration) -> Result<(), String> {
    let Some((prog, args)) = argv.split_first() else {
        return Err("empty command".into());
    };
    let child = tokio::process::Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .output();
    match tokio::time::timeout(timeout, child).await {
        Ok(Ok(o)) if o.status.success() => Ok(()),
        Ok(Ok(o)) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let last = err
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            let last: String = last.chars().take(300).collect();
            Err(format!("{}: {last}", o.status))
        }
        Ok(Err(e)) => Err(format!("cannot run {prog}: {e}")),
        Err(_) => Err(format!("timed out after {}s", timeout.as_secs())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    #[test]
    fn real_statvfs() {
        let (used, total) = usage(Path::new("/")).unwrap();
        assert!(total > 0 && used <= total);
        assert!(usage(Path::new("/nonexistent/x")).is_err());
    }

    #[tokio::test]
    async fn cleans_in_order_until_under_threshold_and_reports_freed() {
        let dir = tempfile::tempdir().unwrap();
        // A fake filesystem: "used" is the size of the files in a directory,
        // out of 1000 bytes; clean-ups are real commands deleting files.
        let fs = dir.path().join("fs");
        std::fs::create_dir(&fs).unwrap();
        std::fs::write(fs.join("a"), vec![0u8; 300]).unwrap();
        std::fs::write(fs.join("b"), vec![0u8; 400]).unwrap();
        std::fs::write(fs.join("c"), vec![0u8; 250]).unwrap();
        let calls = AtomicU64::new(0);
        let probe = |p: &Path| -> std::io::Result<(u64, u64)> {
            calls.fetch_add(1, Ordering::Relaxed);
            let used: u64 = std::fs::read_dir(p)?
                .flatten()
                .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
                .sum();
            Ok((used, 1000))
        };
        let rule = DiskRule {
            path: fs.clone(),
            max_used_pct: 50.0,
            actions: vec!["unknown-builtin".into()],
            commands: vec![
                vec!["rm".into(), fs.join("a").display().to_string()],
                vec!["false".into()],
                vec!["rm".into(), fs.join("b").display().to_string()],
                vec!["rm".into(), fs.join("c").display().to_string()],
            ],
            ..DiskRule::default()
        };
        let r = clean(&rule, probe).await.unwrap();
        // 95% -> rm a (65%) -> false (65%) -> rm b (25%): stop, c is kept
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!((r[0].ok, r[0].freed_bytes), (true, 300));
        assert_eq!((r[1].ok, r[1].freed_bytes), (false, 0));
        assert!(
            r[1].error
                .as_deref()
                .is_some_and(|e| e.contains("exit status: 1")),
            "{:?}",
            r[1].error
        );
        assert_eq!(r[0].error, None);
        assert_eq!((r[2].ok, r[2].freed_bytes), (true, 400));
        assert!((r[2].used_pct_after - 25.0).abs() < 1e-9);
        assert!(fs.join("c").exists());
        // under the threshold: nothing runs
        assert!(clean(&rule, probe).await.unwrap().is_empty());
    }

    #[test]
    fn builtins_expand() {
        let r = DiskRule::default();
        let s = r.steps();
        assert_eq!(s[0].1, vec!["journalctl", "--vacuum-size=100M"]);
        assert_eq!(s[1].1, vec!["apt-get", "clean"]);
    }
}
