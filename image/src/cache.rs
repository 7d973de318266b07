//! A content-addressed cache of build steps.
//!
//! An entry's name is the sha256 of a canonical JSON document of *everything* that determines the
//! step's result (see [`Key`]); an entry is only ever used when a marker written after the step
//! completed is present, and it is made under a temporary name and renamed into place. A changed
//! input gives a different name, so a stale entry can't be found, and half-made ones never count.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

const MARKER: &str = ".ainux-cache-complete.json";
/// Entries of one kind kept after a successful build (the newest ones).
const KEEP_PER_KIND: usize = 2;

#[derive(Debug, thiserror::Error)]
pub enum CacheError {
    #[error("cache directory {path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> CacheError + '_ {
    move |source| CacheError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The inputs of a cached step and their digest.
#[derive(Debug, Clone)]
pub struct Key {
    pub kind: &'static str,
    pub canonical: String,
    pub digest: String,
}

impl Key {
    pub fn new<T: Serialize>(kind: &'static str, inputs: &T) -> Key {
        let canonical = serde_json::to_string(inputs).expect("cache inputs serialize");
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        h.update([0]);
        h.update(canonical.as_bytes());
        let digest = hex::encode(h.finalize());
        Key {
            kind,
            canonical,
            digest,
        }
    }

    pub fn short(&self) -> &str {
        &self.digest[..16]
    }
}

pub struct Cache {
    root: PathBuf,
}

impl Cache {
    pub fn open(root: &Path) -> Result<Cache, CacheError> {
        fs::create_dir_all(root).map_err(io(root))?;
        let cache = Cache {
            root: root.to_path_buf(),
        };
        cache.remove_abandoned();
        Ok(cache)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn entry(&self, key: &Key) -> PathBuf {
        self.root.join(format!("{}-{}", key.kind, key.digest))
    }

    /// The completed entry for `key`, if there is one.
    pub fn get(&self, key: &Key) -> Option<PathBuf> {
        let dir = self.entry(key);
        let marker = fs::read_to_string(dir.join(MARKER)).ok()?;
        // The marker repeats the inputs: a digest collision or a hand-edited entry is refused.
        let v: serde_json::Value = serde_json::from_str(&marker).ok()?;
        (v.get("inputs").and_then(|i| i.as_str()) == Some(key.canonical.as_str())).then_some(dir)
    }

    /// A fresh temporary directory to build the entry for `key` in; pass it to [`Cache::commit`].
    pub fn staging(&self, key: &Key) -> Result<PathBuf, CacheError> {
        let tmp = self.root.join(format!(
            ".tmp-{}-{}-{}",
            key.kind,
            key.short(),
            std::process::id()
        ));
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(io(&tmp))?;
        }
        Ok(tmp)
    }

    /// Marks `tmp` complete and moves it into place.
    pub fn commit(&self, key: &Key, tmp: &Path) -> Result<PathBuf, CacheError> {
        let marker = serde_json::json!({
            "kind": key.kind,
            "digest": key.digest,
            "inputs": key.canonical,
        });
        let mpath = tmp.join(MARKER);
        fs::write(&mpath, serde_json::to_vec_pretty(&marker).expect("json")).map_err(io(&mpath))?;
        let dest = self.entry(key);
        if dest.exists() {
            fs::remove_dir_all(&dest).map_err(io(&dest))?;
        }
        fs::rename(tmp, &dest).map_err(io(&dest))?;
        Ok(dest)
    }

    /// Removes all but the newest entries of `kind`, keeping `keep` (the one just used).
    pub fn prune(&self, kind: &str, keep: &Path) {
        let Ok(rd) = fs::read_dir(&self.root) else {
            return;
        };
        let mut entries: Vec<(std::time::SystemTime, PathBuf)> = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{kind}-")))
                    && p != keep
            })
            .filter_map(|p| Some((fs::metadata(p.join(MARKER)).ok()?.modified().ok()?, p)))
            .collect();
        entries.sort();
        let excess = entries.len().saturating_sub(KEEP_PER_KIND - 1);
        for (_, p) in entries.into_iter().take(excess) {
            let _ = fs::remove_dir_all(p);
        }
    }

    /// Touches the marker of a used entry so pruning keeps recently used entries.
    pub fn touch(&self, entry: &Path) {
        let m = entry.join(MARKER);
        if let Ok(data) = fs::read(&m) {
            let _ = fs::write(&m, data);
        }
    }

    /// Removes temporary directories left by builders that no longer run.
    fn remove_abandoned(&self) {
        let Ok(rd) = fs::read_dir(&self.root) else {
            return;
        };
        for e in rd.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if let Some(rest) = name.strip_prefix(".tmp-")
                && let Some(pid) = rest.rsplit('-').next().and_then(|p| p.parse::<i32>().ok())
                && !pid_alive(pid)
            {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
}

pub fn pid_alive(pid: i32) -> bool {
    // SAFETY: kill with signal 0 only checks for existence.
    pid > 0 && unsafe { libc::kill(pid, 0) } == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Inputs<'a> {
        packages: &'a [&'a str],
        release_digest: &'a str,
    }

    #[test]
    fn any_changed_input_changes_the_key() {
        let a = Key::new(
            "rootfs",
            &Inputs {
                packages: &["systemd"],
                release_digest: "aa",
            },
        );
        let b = Key::new(
            "rootfs",
            &Inputs {
                packages: &["systemd"],
                release_digest: "ab",
            },
        );
        let c = Key::new(
            "rootfs",
            &Inputs {
                packages: &["systemd", "vim"],
                release_digest: "aa",
            },
        );
        assert_ne!(a.digest, b.digest);
        assert_ne!(a.digest, c.digest);
        assert_eq!(a.digest.len(), 64);
    }

    #[test]
    fn only_committed_entries_are_found() {
        let t = tempfile::tempdir().unwrap();
        let cache = Cache::open(t.path()).unwrap();
        let key = Key::new("rootfs", &"x");
        assert!(cache.get(&key).is_none());
        let tmp = cache.staging(&key).unwrap();
        fs::create_dir_all(tmp.join("etc")).unwrap();
        // Not committed yet: not found.
        assert!(cache.get(&key).is_none());
        let dest = cache.commit(&key, &tmp).unwrap();
        assert_eq!(cache.get(&key).as_deref(), Some(dest.as_path()));
        assert!(dest.join("etc").is_dir());
        // A hand-made directory with the right name but no marker is ignored.
        let other = Key::new("rootfs", &"y");
        fs::create_dir_all(t.path().join(format!("rootfs-{}", other.digest))).unwrap();
        assert!(cache.get(&other).is_none());
    }

    #[test]
    fn abandoned_temporaries_are_removed_and_pruning_keeps_newest() {
        let t = tempfile::tempdir().unwrap();
        // A pid that can't exist (above pid_max).
        let stale = t.path().join(".tmp-rootfs-0123456789abcdef-99999999");
        fs::create_dir_all(&stale).unwrap();
        let cache = Cache::open(t.path()).unwrap();
        assert!(!stale.exists());

        let mut made = Vec::new();
        for i in 0..4 {
            let k = Key::new("rootfs", &i);
            let tmp = cache.staging(&k).unwrap();
            fs::create_dir_all(&tmp).unwrap();
            made.push(cache.commit(&k, &tmp).unwrap());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        cache.prune("rootfs", &made[3]);
        let left: Vec<bool> = made.iter().map(|p| p.exists()).collect();
        assert_eq!(left, [false, false, true, true]);
    }
}
