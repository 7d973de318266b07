//! systemd's `STATE_DIRECTORY`, `RUNTIME_DIRECTORY` and `CREDENTIALS_DIRECTORY`.
//!
//! systemd sets these to a colon-separated list when a unit names several directories; the first
//! one is the service's own.

use std::path::PathBuf;

fn first_of(var: &str) -> Option<PathBuf> {
    let v = std::env::var_os(var)?;
    let s = v.to_string_lossy();
    let first = s.split(':').next().unwrap_or("");
    if first.is_empty() {
        None
    } else {
        Some(PathBuf::from(first))
    }
}

/// `$STATE_DIRECTORY` (first entry), else `fallback`.
pub fn state_dir(fallback: &str) -> PathBuf {
    first_of("STATE_DIRECTORY").unwrap_or_else(|| PathBuf::from(fallback))
}

/// `$RUNTIME_DIRECTORY` (first entry), else `fallback`.
pub fn runtime_dir(fallback: &str) -> PathBuf {
    first_of("RUNTIME_DIRECTORY").unwrap_or_else(|| PathBuf::from(fallback))
}

/// `$CREDENTIALS_DIRECTORY`, if systemd passed credentials.
pub fn credentials_dir() -> Option<PathBuf> {
    first_of("CREDENTIALS_DIRECTORY")
}

/// Reads credential `name` from `$CREDENTIALS_DIRECTORY`, trimmed of a trailing newline.
pub fn credential(name: &str) -> Option<String> {
    if name.contains('/') {
        return None;
    }
    let dir = credentials_dir()?;
    let text = std::fs::read_to_string(dir.join(name)).ok()?;
    Some(text.trim_end_matches(['\n', '\r']).to_string())
}
