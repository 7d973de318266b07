//! Changed files between two trees (two snapshots, or a snapshot and the live subvolume):
//! a walk comparing inode metadata. Snapshots of one subvolume keep inode numbers and times, so
//! an unchanged file compares equal; any write changes its ctime. The kernel's file times are
//! coarse (a few milliseconds), so a same-size rewrite in the same tick as the snapshot leaves
//! the metadata equal: files whose change time is not older than the first tree's creation (less
//! a second) are also compared by content. Nested subvolumes and mount points (another
//! `st_dev`) are not descended into on either side.

use serde::Serialize;
use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Added,
    Deleted,
    Modified,
}

impl Status {
    /// Snapper's one-letter status.
    pub fn letter(self) -> char {
        match self {
            Status::Added => '+',
            Status::Deleted => '-',
            Status::Modified => 'c',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub path: String,
    pub status: Status,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}")]
pub struct DiffError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

struct Walk {
    dev_a: u64,
    dev_b: u64,
    out: Vec<Change>,
    first_only: bool,
    /// Unix seconds: equal-looking files changed since then are compared by content.
    recent: Option<i64>,
}

/// The changes that turn tree `a` into tree `b`, sorted by path. With `first_only`, stops at the
/// first change (for "is anything different?"). `a_created`: when tree `a` was made (unix
/// seconds), if known: files whose metadata is equal but changed from a second before then on
/// are compared by content.
pub fn diff(
    a: &Path,
    b: &Path,
    first_only: bool,
    a_created: Option<i64>,
) -> Result<Vec<Change>, DiffError> {
    let meta = |p: &Path| {
        std::fs::symlink_metadata(p).map_err(|source| DiffError {
            path: p.to_path_buf(),
            source,
        })
    };
    let mut w = Walk {
        dev_a: meta(a)?.dev(),
        dev_b: meta(b)?.dev(),
        out: Vec::new(),
        first_only,
        recent: a_created.map(|t| t - 1),
    };
    w.dir(Some(a), Some(b), "")?;
    w.out.sort_by(|x, y| x.path.cmp(&y.path));
    Ok(w.out)
}

fn names(dir: &Path) -> Result<BTreeSet<OsString>, DiffError> {
    let err = |source| DiffError {
        path: dir.to_path_buf(),
        source,
    };
    let mut set = BTreeSet::new();
    for e in std::fs::read_dir(dir).map_err(err)? {
        set.insert(e.map_err(err)?.file_name());
    }
    Ok(set)
}

fn same(a: &Metadata, b: &Metadata) -> bool {
    let common =
        a.ino() == b.ino() && a.mode() == b.mode() && a.uid() == b.uid() && a.gid() == b.gid();
    if a.is_dir() {
        // A directory's times change with its entries, which are reported themselves.
        common
    } else {
        common
            && a.size() == b.size()
            && a.mtime() == b.mtime()
            && a.mtime_nsec() == b.mtime_nsec()
            && a.ctime() == b.ctime()
            && a.ctime_nsec() == b.ctime_nsec()
    }
}

/// Whether two files of equal metadata hold the same bytes (symlinks: the same target);
/// unreadable counts as different.
fn same_content(m: &Metadata, a: Option<&Path>, b: Option<&Path>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return false;
    };
    if m.file_type().is_symlink() {
        return std::fs::read_link(a)
            .ok()
            .zip(std::fs::read_link(b).ok())
            .is_some_and(|(x, y)| x == y);
    }
    if !m.is_file() {
        return true;
    }
    let open = |p: &Path| std::fs::File::open(p).map(std::io::BufReader::new);
    let (Ok(mut x), Ok(mut y)) = (open(a), open(b)) else {
        return false;
    };
    use std::io::BufRead;
    loop {
        let (bx, by) = match (x.fill_buf(), y.fill_buf()) {
            (Ok(bx), Ok(by)) => (bx.to_vec(), by.to_vec()),
            _ => return false,
        };
        if bx.is_empty() || by.is_empty() {
            return bx.is_empty() && by.is_empty();
        }
        let n = bx.len().min(by.len());
        if bx[..n] != by[..n] {
            return false;
        }
        x.consume(n);
        y.consume(n);
    }
}

impl Walk {
    fn done(&self) -> bool {
        self.first_only && !self.out.is_empty()
    }

    fn push(&mut self, path: String, status: Status) {
        self.out.push(Change { path, status });
    }

    /// Compares directories `a` and `b` (either may be absent: everything below the other is
    /// added or deleted). `rel` is the path below the roots, "" or "/x/y".
    fn dir(&mut self, a: Option<&Path>, b: Option<&Path>, rel: &str) -> Result<(), DiffError> {
        let na = a.map(names).transpose()?.unwrap_or_default();
        let nb = b.map(names).transpose()?.unwrap_or_default();
        for name in na.union(&nb) {
            if self.done() {
                return Ok(());
            }
            let child_rel = format!("{rel}/{}", name.to_string_lossy());
            let pa = a.filter(|_| na.contains(name)).map(|d| d.join(name));
            let pb = b.filter(|_| nb.contains(name)).map(|d| d.join(name));
            // Entries that vanish while walking the live tree count as absent.
            let ma = pa
                .as_deref()
                .and_then(|p| std::fs::symlink_metadata(p).ok());
            let mb = pb
                .as_deref()
                .and_then(|p| std::fs::symlink_metadata(p).ok());
            let boundary_a = ma.as_ref().is_some_and(|m| m.dev() != self.dev_a);
            let boundary_b = mb.as_ref().is_some_and(|m| m.dev() != self.dev_b);
            if boundary_a || boundary_b {
                continue;
            }
            match (&ma, &mb) {
                (None, None) => {}
                (Some(m), None) => {
                    self.push(child_rel.clone(), Status::Deleted);
                    if m.is_dir() {
                        self.dir(pa.as_deref(), None, &child_rel)?;
                    }
                }
                (None, Some(m)) => {
                    self.push(child_rel.clone(), Status::Added);
                    if m.is_dir() {
                        self.dir(None, pb.as_deref(), &child_rel)?;
                    }
                }
                (Some(x), Some(y)) => {
                    if x.file_type() != y.file_type() {
                        self.push(child_rel.clone(), Status::Modified);
                        let da = pa.as_deref().filter(|_| x.is_dir());
                        let db = pb.as_deref().filter(|_| y.is_dir());
                        if da.is_some() || db.is_some() {
                            self.dir(da, db, &child_rel)?;
                        }
                    } else {
                        let changed = !same(x, y)
                            || (self.recent.is_some_and(|t| y.ctime() >= t)
                                && !same_content(x, pa.as_deref(), pb.as_deref()));
                        if changed {
                            self.push(child_rel.clone(), Status::Modified);
                        }
                        if x.is_dir() {
                            self.dir(pa.as_deref(), pb.as_deref(), &child_rel)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_deleted_modified_on_plain_trees() {
        let t = tempfile::tempdir().unwrap();
        let (a, b) = (t.path().join("a"), t.path().join("b"));
        std::fs::create_dir_all(a.join("etc/old")).unwrap();
        std::fs::write(a.join("etc/old/x"), "1").unwrap();
        std::fs::write(a.join("etc/f"), "1").unwrap();
        std::fs::create_dir_all(b.join("etc/new")).unwrap();
        std::fs::write(b.join("etc/new/y"), "2").unwrap();
        std::fs::write(b.join("etc/f"), "22").unwrap();
        let d = diff(&a, &b, false, None).unwrap();
        let s: Vec<String> = d
            .iter()
            .map(|c| format!("{} {}", c.status.letter(), c.path))
            .collect();
        // Different inodes in two unrelated trees: /etc differs too; f is modified.
        assert!(s.contains(&"c /etc/f".to_string()), "{s:?}");
        assert!(s.contains(&"- /etc/old".to_string()), "{s:?}");
        assert!(s.contains(&"- /etc/old/x".to_string()), "{s:?}");
        assert!(s.contains(&"+ /etc/new".to_string()), "{s:?}");
        assert!(s.contains(&"+ /etc/new/y".to_string()), "{s:?}");
        assert_eq!(diff(&a, &b, true, None).unwrap().len(), 1);
        assert!(diff(&a, &a, false, None).unwrap().is_empty());
    }
}
