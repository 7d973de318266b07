//! The snapshots of one machine: layout, creation, listing, deletion, rollback, cleanup.
//!
//! Layout (snapper's): `<snapshots_dir>/<ID>/snapshot` (the subvolume) and
//! `<snapshots_dir>/<ID>/info.json` for the `root` config; `<snapshots_dir>/home/<ID>/…` for
//! `home`. Ids are per config: one more than the largest present. Every mutating operation takes
//! a [`Lock`] (see `lock.rs`), which the caller holds for the whole command.

use crate::BootLoader;
use crate::btrfs::{self, BtrfsError};
use crate::config::Config;
use crate::diff::{self, Change, DiffError};
use crate::lock::Lock;
use crate::meta::{self, ConfigName, Importance, Info, Kind, MetaError};
use crate::retention::{self, Reason};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{path} is not on btrfs: snapshots need a btrfs filesystem")]
    NotBtrfs { path: PathBuf },
    #[error("{path} is not a btrfs subvolume (only whole subvolumes are snapshotted)")]
    NotSubvolume { path: PathBuf },
    #[error("no {config} snapshot {id} (see `ainux snapshot list --config {config}`)")]
    NoSuchSnapshot { config: ConfigName, id: u64 },
    #[error(
        "the filesystem is full: {op} failed and nothing was changed; free space \
         (e.g. `ainux snapshot cleanup` or `ainux snapshot delete ID`) and try again"
    )]
    NoSpace { op: String },
    #[error("refusing to delete {config} snapshot {id}: {reason}")]
    Refused {
        config: ConfigName,
        id: u64,
        reason: String,
    },
    #[error("{0}")]
    BadRequest(String),
    #[error(transparent)]
    Btrfs(#[from] BtrfsError),
    #[error(transparent)]
    Meta(#[from] MetaError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error("cannot {op} {path}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn is_enospc(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(libc::ENOSPC)
}

/// A snapshot as listed.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    #[serde(flatten)]
    pub info: Info,
    /// The snapshot's subvolume.
    pub path: PathBuf,
    /// Its btrfs subvolume id (None when the subvolume is missing).
    pub subvolume_id: Option<u64>,
    /// It is the default subvolume (what boots next).
    pub default: bool,
    /// It is the subvolume mounted as the config's live tree (the running root).
    pub active: bool,
}

/// What to create.
#[derive(Debug, Clone)]
pub struct Create {
    pub config: ConfigName,
    pub kind: Kind,
    pub pre_id: Option<u64>,
    pub description: String,
    pub important: bool,
    pub creator: String,
    pub user: Option<String>,
}

impl Create {
    pub fn single(config: ConfigName, description: &str, creator: &str) -> Create {
        Create {
            config,
            kind: Kind::Single,
            pre_id: None,
            description: description.to_string(),
            important: false,
            creator: creator.to_string(),
            user: None,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RollbackReport {
    /// The snapshot rolled back to.
    pub target: u64,
    /// Read-only backup of the root that was running.
    pub backup: u64,
    /// The writable copy of `target`, now the default subvolume.
    pub new_default: u64,
    pub new_default_path: PathBuf,
    pub new_default_subvolume_id: u64,
    pub reboot_required: bool,
    /// The boot loader could not be updated (the default subvolume is set nevertheless).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub boot_loader_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Removed {
    pub config: ConfigName,
    pub id: u64,
    pub reason: &'static str,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct CleanupReport {
    pub removed: Vec<Removed>,
    /// Used fraction of the filesystem after the clean-up.
    pub used_fraction: Option<f64>,
    /// Failures that did not stop the clean-up.
    pub errors: Vec<String>,
}

pub struct Store {
    cfg: Config,
}

impl Store {
    pub fn new(cfg: Config) -> Store {
        Store { cfg }
    }

    pub fn config(&self) -> &Config {
        &self.cfg
    }

    /// Where `config`'s snapshots live.
    pub fn dir(&self, config: ConfigName) -> PathBuf {
        match config {
            ConfigName::Root => self.cfg.snapshots_dir.clone(),
            ConfigName::Home => self.cfg.snapshots_dir.join("home"),
        }
    }

    /// The live subvolume `config` snapshots.
    pub fn source(&self, config: ConfigName) -> &Path {
        match config {
            ConfigName::Root => &self.cfg.root,
            ConfigName::Home => &self.cfg.home,
        }
    }

    pub fn snapshot_path(&self, config: ConfigName, id: u64) -> PathBuf {
        self.dir(config).join(id.to_string()).join("snapshot")
    }

    fn check_btrfs(&self, config: ConfigName) -> Result<(), StoreError> {
        for p in [self.source(config), &self.cfg.snapshots_dir] {
            if !btrfs::is_btrfs(p) {
                return Err(StoreError::NotBtrfs {
                    path: p.to_path_buf(),
                });
            }
        }
        Ok(())
    }

    /// The ids present for `config`, ascending.
    pub fn ids(&self, config: ConfigName) -> Result<Vec<u64>, StoreError> {
        let dir = self.dir(config);
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && config == ConfigName::Home => {
                return Ok(Vec::new());
            }
            Err(source) => {
                return Err(StoreError::Io {
                    op: "read",
                    path: dir,
                    source,
                });
            }
        };
        let mut ids: Vec<u64> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        ids.sort_unstable();
        Ok(ids)
    }

    pub fn info(&self, config: ConfigName, id: u64) -> Result<Info, StoreError> {
        let p = self.dir(config).join(id.to_string()).join("info.json");
        match meta::read(&p) {
            Ok(i) => Ok(i),
            Err(MetaError::Read { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Err(StoreError::NoSuchSnapshot { config, id })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Every snapshot of `config`, oldest first. A snapshot directory without readable
    /// metadata is listed with a placeholder description rather than hidden.
    pub fn list(&self, config: ConfigName) -> Result<Vec<Entry>, StoreError> {
        self.check_btrfs(config)?;
        let default = btrfs::default_id(&self.cfg.snapshots_dir).ok();
        let active = btrfs::subvolume_id(self.source(config)).ok();
        let mut out = Vec::new();
        for id in self.ids(config)? {
            let path = self.snapshot_path(config, id);
            let info = match self.info(config, id) {
                Ok(i) => i,
                Err(e) => Info {
                    id,
                    config,
                    time: std::fs::symlink_metadata(&path)
                        .map(|m| std::os::unix::fs::MetadataExt::mtime(&m))
                        .unwrap_or(0),
                    kind: Kind::Single,
                    description: format!("(metadata unreadable: {e})"),
                    importance: Importance::Normal,
                    creator: "unknown".into(),
                    user: None,
                    pre_id: None,
                    read_only: true,
                    rollback_of: None,
                    backup_id: None,
                    backup_before: None,
                    changed: None,
                },
            };
            let subvolume_id = if btrfs::is_subvolume(&path) {
                btrfs::subvolume_id(&path).ok()
            } else {
                None
            };
            out.push(Entry {
                info,
                default: config == ConfigName::Root
                    && subvolume_id.is_some()
                    && subvolume_id == default,
                active: subvolume_id.is_some() && subvolume_id == active,
                subvolume_id,
                path,
            });
        }
        Ok(out)
    }

    /// Why `entry` must not be deleted, if it must not.
    fn protection(&self, entry: &Entry, all: &[Entry]) -> Option<String> {
        if entry.active {
            return Some("it is the running root (mounted now)".into());
        }
        if entry.default {
            return Some(
                "it is the default subvolume, the root the machine boots next; roll back to \
                 another snapshot first"
                    .into(),
            );
        }
        if let Some(d) = all
            .iter()
            .find(|e| e.default && e.info.backup_id == Some(entry.info.id))
        {
            return Some(format!(
                "it is the backup of the root that ran before the rollback to {}; it is the way back \
                 (use --force to delete it anyway)",
                d.info
                    .rollback_of
                    .map(|n| n.to_string())
                    .unwrap_or_else(|| "?".into())
            ));
        }
        if let Some(d) = all
            .iter()
            .find(|e| e.default && e.info.rollback_of == Some(entry.info.id))
        {
            return Some(format!(
                "it is the source of the default subvolume (snapshot {} was copied from it by \
                 `ainux rollback {}`), the state to fall back to if that root fails \
                 (use --force to delete it anyway)",
                d.info.id, entry.info.id
            ));
        }
        None
    }

    fn next_id(&self, config: ConfigName) -> Result<u64, StoreError> {
        Ok(self.ids(config)?.last().copied().unwrap_or(0) + 1)
    }

    /// Snapshots `src` as a new entry of `config` with metadata `info` (whose id is set here).
    fn make(
        &self,
        config: ConfigName,
        src: &Path,
        read_only: bool,
        mut info: Info,
    ) -> Result<Info, StoreError> {
        let dir = self.dir(config);
        if config == ConfigName::Home && !dir.exists() {
            std::fs::create_dir(&dir).map_err(|source| StoreError::Io {
                op: "create",
                path: dir.clone(),
                source,
            })?;
        }
        let id = self.next_id(config)?;
        info.id = id;
        info.config = config;
        info.read_only = read_only;
        let sdir = dir.join(id.to_string());
        let op = format!("creating {config} snapshot {id}");
        if let Err(source) = std::fs::create_dir(&sdir) {
            if is_enospc(&source) {
                return Err(StoreError::NoSpace { op });
            }
            return Err(StoreError::Io {
                op: "create",
                path: sdir,
                source,
            });
        }
        let snap = sdir.join("snapshot");
        if let Err(e) = btrfs::snapshot(src, &snap, read_only) {
            let _ = std::fs::remove_dir(&sdir);
            return Err(if e.is_enospc() {
                StoreError::NoSpace { op }
            } else {
                e.into()
            });
        }
        if let Err(e) = meta::write(&sdir.join("info.json"), &info) {
            // No metadata, no snapshot: undo so that nothing half-made is left.
            let _ = btrfs::delete(&snap);
            let _ = std::fs::remove_dir(&sdir);
            return Err(match e.io() {
                Some(io) if is_enospc(io) => StoreError::NoSpace { op },
                _ => e.into(),
            });
        }
        tracing::info!(config = %config, id, kind = info.kind.as_str(), creator = %info.creator, "snapshot created");
        Ok(info)
    }

    /// Takes a read-only snapshot.
    pub fn create(
        &self,
        _lock: &Lock,
        req: &Create,
        loader: &dyn BootLoader,
    ) -> Result<Info, StoreError> {
        self.check_btrfs(req.config)?;
        let src = self.source(req.config);
        if !btrfs::is_subvolume(src) {
            return Err(StoreError::NotSubvolume {
                path: src.to_path_buf(),
            });
        }
        let pre_id = match (req.kind, req.pre_id) {
            (Kind::Post, None) => {
                return Err(StoreError::BadRequest(
                    "a post snapshot needs --pre-id".into(),
                ));
            }
            (Kind::Post, Some(p)) => {
                let pre = self.info(req.config, p)?;
                if pre.kind != Kind::Pre {
                    return Err(StoreError::BadRequest(format!(
                        "{} snapshot {p} is a {} snapshot, not a pre snapshot",
                        req.config,
                        pre.kind.as_str()
                    )));
                }
                Some(p)
            }
            (_, Some(_)) => {
                return Err(StoreError::BadRequest(
                    "--pre-id is only for --type post".into(),
                ));
            }
            (_, None) => None,
        };
        let info = Info {
            id: 0,
            config: req.config,
            time: crate::time::now(),
            kind: req.kind,
            description: req.description.clone(),
            importance: if req.important {
                Importance::Important
            } else {
                Importance::Normal
            },
            creator: req.creator.clone(),
            user: req.user.clone(),
            pre_id,
            read_only: true,
            rollback_of: None,
            backup_id: None,
            backup_before: None,
            changed: None,
        };
        let info = self.make(req.config, self.source(req.config), true, info)?;
        if req.config == ConfigName::Root {
            self.tell_loader(loader);
        }
        Ok(info)
    }

    /// The newest good root snapshot: read-only and not a rollback backup (which holds the
    /// state that was rolled away from).
    pub fn newest_good_root(&self) -> Result<Option<(u64, PathBuf)>, StoreError> {
        for id in self.ids(ConfigName::Root)?.into_iter().rev() {
            if let Ok(i) = self.info(ConfigName::Root, id)
                && i.read_only
                && i.backup_before.is_none()
            {
                return Ok(Some((id, self.snapshot_path(ConfigName::Root, id))));
            }
        }
        Ok(None)
    }

    fn tell_loader(&self, loader: &dyn BootLoader) {
        match self.newest_good_root() {
            Ok(newest) => {
                if let Err(e) =
                    loader.root_snapshots_changed(newest.as_ref().map(|(i, p)| (*i, p.as_path())))
                {
                    tracing::warn!(cause = %e, "boot loader not updated after a snapshot change");
                }
            }
            Err(e) => tracing::warn!(cause = %e, "cannot find the newest root snapshot"),
        }
    }

    /// Deletes one snapshot. Refuses the running root, the default subvolume and (without
    /// `force`) the backup that is the way back from the current rollback.
    pub fn delete(
        &self,
        _lock: &Lock,
        config: ConfigName,
        id: u64,
        force: bool,
        loader: &dyn BootLoader,
    ) -> Result<(), StoreError> {
        let all = self.list(config)?;
        let entry = all
            .iter()
            .find(|e| e.info.id == id)
            .ok_or(StoreError::NoSuchSnapshot { config, id })?;
        if let Some(reason) = self.protection(entry, &all) {
            let backup_only = !entry.active && !entry.default;
            if !(force && backup_only) {
                return Err(StoreError::Refused { config, id, reason });
            }
        }
        self.remove(config, id)?;
        if config == ConfigName::Root {
            self.tell_loader(loader);
        }
        Ok(())
    }

    /// Removes the subvolume first, then the metadata: metadata is never lost while its
    /// snapshot exists.
    fn remove(&self, config: ConfigName, id: u64) -> Result<(), StoreError> {
        let sdir = self.dir(config).join(id.to_string());
        let snap = sdir.join("snapshot");
        if btrfs::is_subvolume(&snap) {
            btrfs::delete(&snap)?;
        }
        let info = sdir.join("info.json");
        match std::fs::remove_file(&info) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::Io {
                    op: "remove",
                    path: info,
                    source,
                });
            }
        }
        std::fs::remove_dir_all(&sdir).map_err(|source| StoreError::Io {
            op: "remove",
            path: sdir,
            source,
        })?;
        tracing::info!(config = %config, id, "snapshot deleted");
        Ok(())
    }

    /// Snapper's rollback: a read-only backup of the running root, a writable copy of snapshot
    /// `id` made the default subvolume. Takes effect at the next boot.
    pub fn rollback(
        &self,
        _lock: &Lock,
        id: u64,
        loader: &dyn BootLoader,
    ) -> Result<RollbackReport, StoreError> {
        let config = ConfigName::Root;
        self.check_btrfs(config)?;
        let target = self.info(config, id)?;
        let target_path = self.snapshot_path(config, id);
        if !btrfs::is_subvolume(&target_path) {
            return Err(StoreError::NotSubvolume { path: target_path });
        }
        let now = crate::time::now();
        let backup = self.make(
            config,
            self.source(config),
            true,
            Info {
                id: 0,
                config,
                time: now,
                kind: Kind::Single,
                description: format!("rollback backup before {id}"),
                importance: Importance::Important,
                creator: "rollback".into(),
                user: None,
                pre_id: None,
                read_only: true,
                rollback_of: None,
                backup_id: None,
                backup_before: Some(id),
                changed: None,
            },
        )?;
        let new = self.make(
            config,
            &target_path,
            false,
            Info {
                id: 0,
                config,
                time: now,
                kind: Kind::Single,
                description: format!("writable copy of {id} ({})", target.description),
                importance: Importance::Important,
                creator: "rollback".into(),
                user: None,
                pre_id: None,
                read_only: false,
                rollback_of: Some(id),
                backup_id: Some(backup.id),
                backup_before: None,
                changed: None,
            },
        )?;
        let new_path = self.snapshot_path(config, new.id);
        btrfs::set_default(&new_path)?;
        let new_default_subvolume_id = btrfs::subvolume_id(&new_path)?;
        tracing::info!(
            target = id,
            backup = backup.id,
            new_default = new.id,
            "rolled back; reboot to use it"
        );
        let boot_loader_error = loader.rolled_back(&new_path).err();
        Ok(RollbackReport {
            target: id,
            backup: backup.id,
            new_default: new.id,
            new_default_path: new_path,
            new_default_subvolume_id,
            reboot_required: true,
            boot_loader_error,
        })
    }

    /// The changes from snapshot `a` to snapshot `b`, or to the live tree.
    pub fn diff(
        &self,
        config: ConfigName,
        a: u64,
        b: Option<u64>,
    ) -> Result<Vec<Change>, StoreError> {
        self.check_btrfs(config)?;
        let path = |id| {
            let info = self.info(config, id)?;
            Ok::<_, StoreError>((self.snapshot_path(config, id), info.time))
        };
        let (pa, a_created) = path(a)?;
        let pb = match b {
            Some(b) => path(b)?.0,
            None => self.source(config).to_path_buf(),
        };
        Ok(diff::diff(&pa, &pb, false, Some(a_created))?)
    }

    /// Whether anything changed between pre snapshot `pre` and post `post`. Both are read-only,
    /// so the answer is computed once and kept in the post's metadata (`changed`).
    fn pair_changed(&self, config: ConfigName, pre: u64, post: &Entry) -> bool {
        if let Some(c) = post.info.changed {
            return c;
        }
        let pre_created = self.info(config, pre).ok().map(|i| i.time);
        let Ok(d) = diff::diff(
            &self.snapshot_path(config, pre),
            &post.path,
            true,
            pre_created,
        ) else {
            return true;
        };
        let changed = !d.is_empty();
        let info = Info {
            changed: Some(changed),
            ..post.info.clone()
        };
        let file = self
            .dir(config)
            .join(post.info.id.to_string())
            .join("info.json");
        if let Err(e) = meta::write(&file, &info) {
            tracing::debug!(cause = %e, "pair result not cached");
        }
        changed
    }

    /// Runs the retention plan for `config` at time `now`, then the space limit.
    pub fn cleanup(
        &self,
        _lock: &Lock,
        config: ConfigName,
        now: i64,
        loader: &dyn BootLoader,
    ) -> Result<CleanupReport, StoreError> {
        let all = self.list(config)?;
        let mut report = CleanupReport::default();
        let r = &self.cfg.retention;
        let snaps: Vec<retention::Snap> = all
            .iter()
            .map(|e| {
                let empty_pair = r.empty_pre_post
                    && e.info.kind == Kind::Post
                    && now - e.info.time >= r.empty_pre_post_min_age_s
                    && e.info.pre_id.is_some_and(|p| {
                        all.iter()
                            .any(|x| x.info.id == p && x.info.kind == Kind::Pre)
                            && !self.pair_changed(config, p, e)
                    });
                retention::Snap {
                    id: e.info.id,
                    time: e.info.time,
                    kind: e.info.kind,
                    pre_id: e.info.pre_id,
                    important: e.info.important(),
                    timeline: e.info.creator == "timer",
                    protected: self.protection(e, &all).is_some(),
                    empty_pair,
                }
            })
            .collect();
        let plan = retention::select(&snaps, now, r);
        let mut removed_any = false;
        for (id, reason) in &plan.delete {
            match self.remove(config, *id) {
                Ok(()) => {
                    removed_any = true;
                    report.removed.push(Removed {
                        config,
                        id: *id,
                        reason: reason.as_str(),
                    });
                }
                Err(e) => report
                    .errors
                    .push(format!("{config} snapshot {id}: {}", crate::error_text(&e))),
            }
        }
        if r.space_limit < 1.0 {
            let mut queue = plan.space.iter();
            loop {
                // Deleted subvolumes are freed by a kernel thread: wait for it before measuring.
                let _ = btrfs::wait_cleaned(
                    &self.cfg.snapshots_dir,
                    std::time::Duration::from_secs(30),
                );
                match btrfs::used_fraction(&self.cfg.snapshots_dir) {
                    Ok(f) if f > r.space_limit => {}
                    _ => break,
                }
                let Some(id) = queue.next() else { break };
                match self.remove(config, *id) {
                    Ok(()) => {
                        removed_any = true;
                        report.removed.push(Removed {
                            config,
                            id: *id,
                            reason: Reason::space_str(),
                        });
                    }
                    Err(e) => report
                        .errors
                        .push(format!("{config} snapshot {id}: {}", crate::error_text(&e))),
                }
            }
        }
        report.used_fraction = btrfs::used_fraction(&self.cfg.snapshots_dir).ok();
        if removed_any && config == ConfigName::Root {
            self.tell_loader(loader);
        }
        Ok(report)
    }
}

impl Reason {
    fn space_str() -> &'static str {
        "space"
    }
}
