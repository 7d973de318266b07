//! `/etc/ainux/snapshot.toml` (service name `snapshot`, env `AINUX_SNAPSHOT__<KEY>`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The snapshots subvolume (`@snapshots`). Root snapshots are `<dir>/<ID>/`, /home's
    /// `<dir>/home/<ID>/`.
    pub snapshots_dir: PathBuf,
    /// The subvolume snapshotted by the `root` config (the running root).
    pub root: PathBuf,
    /// The subvolume snapshotted by the `home` config.
    pub home: PathBuf,
    /// The lock file that serialises snapshot operations.
    pub lock_file: PathBuf,
    pub retention: Retention,
    pub access: Access,
    /// Boot counting, the fallback entry and automatic rollback (see docs/snapshots.md).
    pub boot: crate::boot::BootConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            snapshots_dir: "/.snapshots".into(),
            root: "/".into(),
            home: "/home".into(),
            lock_file: "/run/ainux/snapshot.lock".into(),
            retention: Retention::default(),
            access: Access::default(),
            boot: crate::boot::BootConfig::default(),
        }
    }
}

/// Snapper's default limits.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Retention {
    /// Snapshots kept by the number algorithm (everything not taken by the timer).
    pub number_limit: usize,
    /// Important snapshots kept by the number algorithm on top of `number_limit`.
    pub number_limit_important: usize,
    /// Snapshots younger than this are never removed by the number algorithm.
    pub number_min_age_s: i64,
    /// Timeline (timer) snapshots: the first of each of the last N hours, days, months, years.
    pub timeline_hourly: usize,
    pub timeline_daily: usize,
    pub timeline_monthly: usize,
    pub timeline_yearly: usize,
    pub timeline_min_age_s: i64,
    /// Remove pre/post pairs between which nothing changed.
    pub empty_pre_post: bool,
    pub empty_pre_post_min_age_s: i64,
    /// When the filesystem holding the snapshots is fuller than this fraction (all data, as
    /// `df` counts it: without btrfs quotas the snapshots' own share is not known), snapshots
    /// are removed, normal ones oldest first, then important ones, until it is not or nothing
    /// removable is left. 1.0 turns it off.
    pub space_limit: f64,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            number_limit: 50,
            number_limit_important: 10,
            number_min_age_s: 1800,
            timeline_hourly: 10,
            timeline_daily: 10,
            timeline_monthly: 10,
            timeline_yearly: 0,
            timeline_min_age_s: 1800,
            empty_pre_post: true,
            empty_pre_post_min_age_s: 1800,
            space_limit: 0.9,
        }
    }
}

/// Who may ask the snapshot service (`ainux snapshot serve-conn`) for pre/post snapshots.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Access {
    /// Members of this group may ask (root always may).
    pub group: String,
    /// These users may ask, whatever their groups (healerd runs as root; aishd is a dynamic
    /// user named after its unit).
    pub users: Vec<String>,
}

impl Default for Access {
    fn default() -> Self {
        Access {
            group: "ainux-snapshot".into(),
            users: vec!["aishd".into(), "healerd".into()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ainux_common::config::{Source, load_from};

    #[test]
    fn defaults_file_and_env_layer() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("snapshot.toml");
        std::fs::write(&f, "[retention]\nnumber_limit = 7\ntimeline_yearly = 2\n").unwrap();
        let env = vec![(
            "AINUX_SNAPSHOT__RETENTION__SPACE_LIMIT".to_string(),
            "0.25".to_string(),
        )];
        let c: Config = load_from("snapshot", &Source::Default, &f, &env).unwrap();
        assert_eq!(c.retention.number_limit, 7);
        assert_eq!(c.retention.timeline_yearly, 2);
        assert_eq!(c.retention.space_limit, 0.25);
        assert_eq!(c.retention.timeline_hourly, 10);
        assert_eq!(c.snapshots_dir, PathBuf::from("/.snapshots"));
    }

    #[test]
    fn bad_key_names_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("snapshot.toml");
        std::fs::write(&f, "\n[retention]\nnumber_limit = \"many\"\n").unwrap();
        let e = load_from::<Config>("snapshot", &Source::Default, &f, &[]).unwrap_err();
        let s = e.to_string();
        assert!(s.contains(":3:"), "{s}");
    }
}
