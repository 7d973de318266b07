//! The metadata kept beside each snapshot (`<ID>/info.json`), so it lives in the snapshots
//! subvolume and survives a rollback of the root.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

/// Which subvolume a snapshot is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigName {
    Root,
    Home,
}

impl ConfigName {
    pub fn as_str(self) -> &'static str {
        match self {
            ConfigName::Root => "root",
            ConfigName::Home => "home",
        }
    }
}

impl std::str::FromStr for ConfigName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "root" => Ok(ConfigName::Root),
            "home" => Ok(ConfigName::Home),
            _ => Err(format!("unknown snapshot config `{s}` (root or home)")),
        }
    }
}

impl std::fmt::Display for ConfigName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Single,
    Pre,
    Post,
}

impl std::str::FromStr for Kind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "single" => Ok(Kind::Single),
            "pre" => Ok(Kind::Pre),
            "post" => Ok(Kind::Post),
            _ => Err(format!("unknown snapshot type `{s}` (single, pre or post)")),
        }
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Single => "single",
            Kind::Pre => "pre",
            Kind::Post => "post",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Importance {
    #[default]
    Normal,
    Important,
}

/// `info.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Info {
    pub id: u64,
    pub config: ConfigName,
    /// Creation time, unix seconds.
    pub time: i64,
    #[serde(rename = "type")]
    pub kind: Kind,
    pub description: String,
    #[serde(default)]
    pub importance: Importance,
    /// `timer`, `healer`, `aish`, `rollback` or the name of the user who asked.
    pub creator: String,
    /// The user behind the request when the creator is a tool (from peer credentials).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// For a post snapshot: its pre snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_id: Option<u64>,
    /// False only for the writable roots made by `ainux rollback`.
    #[serde(default = "yes")]
    pub read_only: bool,
    /// For a writable root made by `ainux rollback N`: N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_of: Option<u64>,
    /// For a writable root made by `ainux rollback`: the backup of the root it replaced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<u64>,
    /// For the backup taken by `ainux rollback N`: N.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_before: Option<u64>,
    /// For a post snapshot: whether anything changed since its pre (known once computed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
}

fn yes() -> bool {
    true
}

impl Info {
    pub fn important(&self) -> bool {
        self.importance == Importance::Important
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("cannot write {path}")]
    Write {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}")]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not valid snapshot metadata")]
    Parse {
        path: std::path::PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

impl MetaError {
    pub fn io(&self) -> Option<&std::io::Error> {
        match self {
            MetaError::Write { source, .. } | MetaError::Read { source, .. } => Some(source),
            MetaError::Parse { .. } => None,
        }
    }
}

/// Writes `info` to `path` through a temporary file, fsync and rename (and an fsync of the
/// directory): a crash or a full filesystem leaves either the old file or the new one.
pub fn write(path: &Path, info: &Info) -> Result<(), MetaError> {
    let werr = |source| MetaError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(".info.json.tmp");
    let mut text = serde_json::to_vec_pretty(info).expect("Info serialises");
    text.push(b'\n');
    let res = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&text)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res.map_err(werr)
}

pub fn read(path: &Path) -> Result<Info, MetaError> {
    let text = std::fs::read(path).map_err(|source| MetaError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&text).map_err(|source| MetaError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> Info {
        Info {
            id: 3,
            config: ConfigName::Root,
            time: 1_700_000_000,
            kind: Kind::Post,
            description: "apt upgrade".into(),
            importance: Importance::Important,
            creator: "aish".into(),
            user: Some("alice".into()),
            pre_id: Some(2),
            read_only: true,
            rollback_of: None,
            backup_id: None,
            backup_before: None,
            changed: None,
        }
    }

    #[test]
    fn round_trip_and_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("info.json");
        write(&p, &info()).unwrap();
        assert_eq!(read(&p).unwrap(), info());
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        assert_eq!(v["type"], "post");
        assert_eq!(v["importance"], "important");
        assert_eq!(v["pre_id"], 2);
        assert_eq!(v["config"], "root");
        assert!(!dir.path().join(".info.json.tmp").exists());
    }

    #[test]
    fn garbage_is_a_parse_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("info.json");
        std::fs::write(&p, "{not json").unwrap();
        let e = read(&p).unwrap_err();
        assert!(e.to_string().contains("info.json"));
    }
}
