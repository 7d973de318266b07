//! Layered configuration: the struct's `serde` defaults, then `/etc/ainux/<svc>.toml`, then
//! environment overrides `AINUX_<SVC>__<KEY>` (nested keys joined by `__`, e.g.
//! `AINUX_QUESTLOGD__RETENTION__MAX_AGE_DAYS=30`).
//!
//! A missing default file means defaults; a missing file the user named is an error. Errors
//! name the file, line and key.

use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("environment variable {var}: {message}")]
    Env { var: String, message: String },
}

/// Where the config comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// `/etc/ainux/<svc>.toml`, which may be missing.
    Default,
    /// A file the user named, which must exist.
    Named(PathBuf),
}

/// The default file of a service.
pub fn default_path(svc: &str) -> PathBuf {
    PathBuf::from(format!("/etc/ainux/{svc}.toml"))
}

/// Loads the config of service `svc` from `source` and the process environment.
pub fn load<T: DeserializeOwned>(svc: &str, source: &Source) -> Result<T, ConfigError> {
    let env: Vec<(String, String)> = std::env::vars().collect();
    load_from(svc, source, &default_path(svc), &env)
}

/// [`load`] with the default path and environment given (for tests).
pub fn load_from<T: DeserializeOwned>(
    svc: &str,
    source: &Source,
    default_file: &Path,
    env: &[(String, String)],
) -> Result<T, ConfigError> {
    let (path, must_exist) = match source {
        Source::Default => (default_file.to_path_buf(), false),
        Source::Named(p) => (p.clone(), true),
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => String::new(),
        Err(source) => return Err(ConfigError::Read { path, source }),
    };
    // First the file alone, so that a type error points at its line and key.
    let parse_err = |e: toml::de::Error| {
        let line = e
            .span()
            .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
            .unwrap_or(0);
        let message = match key_at_line(&text, line) {
            Some(k) if !e.message().contains(&k) => format!("key `{k}`: {}", e.message()),
            _ => e.message().to_string(),
        };
        ConfigError::Parse {
            path: path.clone(),
            line,
            message,
        }
    };
    let mut table: toml::Table = toml::from_str(&text).map_err(parse_err)?;
    let _: T = toml::from_str(&text).map_err(parse_err)?;

    let prefix = format!("AINUX_{}__", svc.to_ascii_uppercase().replace('-', "_"));
    let mut overridden = Vec::new();
    for (k, v) in env {
        let Some(rest) = k.strip_prefix(&prefix) else {
            continue;
        };
        let keys: Vec<String> = rest.split("__").map(|s| s.to_ascii_lowercase()).collect();
        if keys.iter().any(String::is_empty) {
            return Err(ConfigError::Env {
                var: k.clone(),
                message: "empty key segment".into(),
            });
        }
        set_path(&mut table, &keys, parse_env_value(v)).map_err(|message| ConfigError::Env {
            var: k.clone(),
            message,
        })?;
        overridden.push(k.clone());
    }
    T::deserialize(toml::Value::Table(table)).map_err(|e| {
        let message = e.message().to_string();
        match overridden.as_slice() {
            [] => ConfigError::Parse {
                path: path.clone(),
                line: 0,
                message,
            },
            vars => ConfigError::Env {
                var: vars.join(","),
                message,
            },
        }
    })
}

/// The dotted key assigned on line `line` (1-based), with its `[table]` prefix.
fn key_at_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let l = lines.get(line.checked_sub(1)?)?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    if key.is_empty() || key.starts_with('#') {
        return None;
    }
    let table = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| l.starts_with('['))
        .map(|l| l.trim_matches(['[', ']']).trim().to_string());
    Some(match table {
        Some(t) if !t.is_empty() => format!("{t}.{key}"),
        _ => key.to_string(),
    })
}

/// An override is TOML if it parses as a TOML value (numbers, booleans, arrays), else a string.
fn parse_env_value(v: &str) -> toml::Value {
    let doc = format!("v = {v}");
    match toml::from_str::<toml::Table>(&doc) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or_else(|| toml::Value::String(v.into())),
        Err(_) => toml::Value::String(v.to_string()),
    }
}

fn set_path(table: &mut toml::Table, keys: &[String], value: toml::Value) -> Result<(), String> {
    let (last, parents) = keys.split_last().ok_or("no key")?;
    let mut cur = table;
    for k in parents {
        let entry = cur
            .entry(k.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        cur = entry
            .as_table_mut()
            .ok_or_else(|| format!("key {k} is not a table"))?;
    }
    cur.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Inner {
        days: u32,
    }
    impl Default for Inner {
        fn default() -> Self {
            Inner { days: 7 }
        }
    }
    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(default, deny_unknown_fields)]
    struct Cfg {
        name: String,
        limit: u64,
        inner: Inner,
    }
    impl Default for Cfg {
        fn default() -> Self {
            Cfg {
                name: "x".into(),
                limit: 10,
                inner: Inner::default(),
            }
        }
    }

    #[test]
    fn missing_default_file_means_defaults() {
        let d = tempfile::tempdir().unwrap();
        let c: Cfg = load_from("svc", &Source::Default, &d.path().join("none.toml"), &[]).unwrap();
        assert_eq!(c, Cfg::default());
    }

    #[test]
    fn missing_named_file_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("none.toml");
        let e = load_from::<Cfg>("svc", &Source::Named(p.clone()), &p, &[]).unwrap_err();
        assert!(matches!(e, ConfigError::Read { .. }), "{e}");
        assert!(e.to_string().contains("none.toml"));
    }

    #[test]
    fn file_then_env_layers() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("svc.toml");
        std::fs::write(&p, "name = \"file\"\nlimit = 3\n").unwrap();
        let env = vec![
            ("AINUX_SVC__LIMIT".to_string(), "42".to_string()),
            ("AINUX_SVC__INNER__DAYS".to_string(), "30".to_string()),
            ("AINUX_OTHER__LIMIT".to_string(), "1".to_string()),
        ];
        let c: Cfg = load_from("svc", &Source::Default, &p, &env).unwrap();
        assert_eq!(c.name, "file");
        assert_eq!(c.limit, 42);
        assert_eq!(c.inner.days, 30);
    }

    #[test]
    fn bad_value_names_file_line_and_key() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("svc.toml");
        std::fs::write(&p, "name = \"ok\"\n\nlimit = \"many\"\n").unwrap();
        let e = load_from::<Cfg>("svc", &Source::Default, &p, &[]).unwrap_err();
        let s = e.to_string();
        assert!(s.contains("svc.toml:3:"), "{s}");
        assert!(s.contains("`limit`"), "{s}");
    }

    #[test]
    fn unknown_key_is_named() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("svc.toml");
        std::fs::write(&p, "[inner]\ndayz = 3\n").unwrap();
        let s = load_from::<Cfg>("svc", &Source::Default, &p, &[])
            .unwrap_err()
            .to_string();
        assert!(s.contains("svc.toml:2:") && s.contains("dayz"), "{s}");
    }

    #[test]
    fn bad_env_value_names_variable() {
        let d = tempfile::tempdir().unwrap();
        let env = vec![("AINUX_SVC__LIMIT".to_string(), "lots".to_string())];
        let e = load_from::<Cfg>("svc", &Source::Default, &d.path().join("n"), &env).unwrap_err();
        assert!(e.to_string().contains("AINUX_SVC__LIMIT"), "{e}");
    }
}
