//! The `ainux` umbrella command: btrfs snapshots of the root and /home (snapper's layout and
//! semantics), retention, rollback, the snapshot service behind `ainux-snapshot-client`,
//! `ainux status`, `ainux info`, and dispatch to the other tools. See docs/snapshots.md.

pub mod boot;
pub mod btrfs;
pub mod cli;
pub mod config;
pub mod diff;
pub mod info;
pub mod lock;
pub mod meta;
pub mod record;
pub mod retention;
pub mod serve;
pub mod status;
pub mod store;
pub mod time;

/// Boot handling after snapshot changes (implemented by `boot.rs` for systemd-boot on the ESP).
pub trait BootLoader {
    /// After `rollback` made `new_default` (mounted or reachable at `new_root`, a path to the subvolume's root dir) the default.
    fn rolled_back(&self, new_root: &std::path::Path) -> Result<(), String>;
    /// The newest good root snapshot changed (created, deleted): `snap` = (id, path of its `snapshot` dir), None if none left.
    fn root_snapshots_changed(&self, newest: Option<(u64, &std::path::Path)>)
    -> Result<(), String>;
}

/// For tests and machines without an ESP mounted at /efi: nothing to update.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoBootLoader;

impl BootLoader for NoBootLoader {
    fn rolled_back(&self, _new_root: &std::path::Path) -> Result<(), String> {
        Ok(())
    }
    fn root_snapshots_changed(
        &self,
        _newest: Option<(u64, &std::path::Path)>,
    ) -> Result<(), String> {
        Ok(())
    }
}

/// An error and its sources on one line.
pub fn error_text(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        let s = e.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = e.source();
    }
    out
}
