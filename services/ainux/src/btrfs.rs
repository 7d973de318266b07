//! The btrfs operations ainux uses, on libbtrfsutil (and its `-sys` crate for the default
//! subvolume, which the safe crate of the version that builds against Debian's header lacks).

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// `BTRFS_SUPER_MAGIC` from `linux/magic.h`.
const BTRFS_SUPER_MAGIC: i64 = 0x9123_683E;

#[derive(Debug, thiserror::Error)]
#[error("{op} {path}: {message}")]
pub struct BtrfsError {
    pub op: &'static str,
    pub path: PathBuf,
    pub message: String,
    #[source]
    pub source: std::io::Error,
}

impl BtrfsError {
    fn new(op: &'static str, path: &Path, e: libbtrfsutil::Error) -> Self {
        BtrfsError {
            op,
            path: path.to_path_buf(),
            message: e.to_string(),
            source: e.os_error(),
        }
    }
    fn raw(op: &'static str, path: &Path, code: u32) -> Self {
        let source = std::io::Error::last_os_error();
        // SAFETY: btrfs_util_strerror returns a static string or NULL.
        let p = unsafe { libbtrfsutil_sys::btrfs_util_strerror(code) };
        let message = if p.is_null() {
            format!("libbtrfsutil error {code}")
        } else {
            // SAFETY: a non-NULL result is a NUL-terminated static string.
            unsafe { std::ffi::CStr::from_ptr(p) }
                .to_string_lossy()
                .into_owned()
        };
        BtrfsError {
            op,
            path: path.to_path_buf(),
            message,
            source,
        }
    }
    /// The filesystem is full.
    pub fn is_enospc(&self) -> bool {
        self.source.raw_os_error() == Some(libc::ENOSPC)
    }
}

fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).unwrap_or_else(|_| CString::new("\u{1}").unwrap())
}

/// Whether `path` is on btrfs (false when it does not exist either).
pub fn is_btrfs(path: &Path) -> bool {
    let c = cpath(path);
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a writable statfs.
    let r = unsafe { libc::statfs(c.as_ptr(), &mut st) };
    r == 0 && st.f_type as i64 == BTRFS_SUPER_MAGIC
}

/// Used fraction (0..1) of the filesystem holding `path`, as `df` counts it.
pub fn used_fraction(path: &Path) -> std::io::Result<f64> {
    let c = cpath(path);
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid C string and `st` a writable statvfs.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let total = st.f_blocks as f64;
    if total == 0.0 {
        return Ok(0.0);
    }
    let used = total - st.f_bfree as f64;
    let avail = st.f_bavail as f64;
    Ok(used / (used + avail).max(1.0))
}

pub fn snapshot(src: &Path, dst: &Path, read_only: bool) -> Result<(), BtrfsError> {
    libbtrfsutil::CreateSnapshotOptions::new()
        .readonly(read_only)
        .create(src, dst)
        .map_err(|e| BtrfsError::new("snapshot", dst, e))
}

pub fn delete(path: &Path) -> Result<(), BtrfsError> {
    libbtrfsutil::delete_subvolume(path).map_err(|e| BtrfsError::new("delete subvolume", path, e))
}

pub fn is_subvolume(path: &Path) -> bool {
    libbtrfsutil::is_subvolume(path).unwrap_or(false)
}

/// The id of the subvolume holding `path`.
pub fn subvolume_id(path: &Path) -> Result<u64, BtrfsError> {
    libbtrfsutil::subvolume_id(path).map_err(|e| BtrfsError::new("subvolume id of", path, e))
}

pub fn read_only(path: &Path) -> Result<bool, BtrfsError> {
    libbtrfsutil::subvolume_read_only(path)
        .map_err(|e| BtrfsError::new("read-only flag of", path, e))
}

/// The default subvolume id of the filesystem holding `path` (needs CAP_SYS_ADMIN).
pub fn default_id(path: &Path) -> Result<u64, BtrfsError> {
    let c = cpath(path);
    let mut id = 0u64;
    // SAFETY: `c` is a valid C string, `id` a writable u64.
    let r = unsafe { libbtrfsutil_sys::btrfs_util_get_default_subvolume(c.as_ptr(), &mut id) };
    if r == libbtrfsutil_sys::btrfs_util_error::BTRFS_UTIL_OK {
        Ok(id)
    } else {
        Err(BtrfsError::raw("default subvolume of", path, r))
    }
}

/// Makes the subvolume at `path` the default of its filesystem.
pub fn set_default(path: &Path) -> Result<(), BtrfsError> {
    let c = cpath(path);
    // SAFETY: `c` is a valid C string; id 0 means "the subvolume at path".
    let r = unsafe { libbtrfsutil_sys::btrfs_util_set_default_subvolume(c.as_ptr(), 0) };
    if r == libbtrfsutil_sys::btrfs_util_error::BTRFS_UTIL_OK {
        Ok(())
    } else {
        Err(BtrfsError::raw("set default subvolume", path, r))
    }
}

/// One subvolume of a filesystem.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Subvolume {
    pub id: u64,
    pub path: String,
    pub read_only: bool,
}

/// Every subvolume of the filesystem holding `path` (paths relative to the top level).
pub fn subvolumes(path: &Path) -> Result<Vec<Subvolume>, BtrfsError> {
    let it = libbtrfsutil::IterateSubvolume::new(path)
        .top(libbtrfsutil::FS_TREE_OBJECTID)
        .iter_with_info()
        .map_err(|e| BtrfsError::new("list subvolumes of", path, e))?;
    let mut out = Vec::new();
    for item in it {
        let (p, info) = item.map_err(|e| BtrfsError::new("list subvolumes of", path, e))?;
        out.push(Subvolume {
            id: info.id(),
            path: p.display().to_string(),
            // BTRFS_ROOT_SUBVOL_RDONLY
            read_only: info.flags() & 1 != 0,
        });
    }
    out.sort_by_key(|s| s.id);
    Ok(out)
}

/// Waits (at most `limit`) until btrfs has cleaned up every deleted subvolume of the filesystem
/// holding `path`, so that their space shows as free; then commits the transaction.
pub fn wait_cleaned(path: &Path, limit: std::time::Duration) -> Result<(), BtrfsError> {
    let c = cpath(path);
    let deadline = std::time::Instant::now() + limit;
    loop {
        let mut ids: *mut u64 = std::ptr::null_mut();
        let mut n: usize = 0;
        // SAFETY: `c` is a valid C string; ids/n are written by the call.
        let r = unsafe {
            libbtrfsutil_sys::btrfs_util_deleted_subvolumes(c.as_ptr(), &mut ids, &mut n)
        };
        if !ids.is_null() {
            // SAFETY: the array was allocated by libbtrfsutil with malloc.
            unsafe { libc::free(ids.cast()) };
        }
        if r != libbtrfsutil_sys::btrfs_util_error::BTRFS_UTIL_OK {
            return Err(BtrfsError::raw("deleted subvolumes of", path, r));
        }
        if n == 0 || std::time::Instant::now() >= deadline {
            break;
        }
        // A commit wakes the cleaner thread.
        let _ = libbtrfsutil::sync(path);
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    libbtrfsutil::sync(path).map_err(|e| BtrfsError::new("sync", path, e))
}
