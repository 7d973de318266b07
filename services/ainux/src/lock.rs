//! The lock that serialises snapshot operations: `flock` on a file (by default
//! `/run/ainux/snapshot.lock`) holding the holder's pid and command, so a second command can say
//! who it waits for.

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another snapshot operation is running ({holder}); try again when it is done")]
    Busy { holder: String },
    #[error("cannot open the snapshot lock {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot take the snapshot lock {path}")]
    Flock {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Held until dropped.
#[derive(Debug)]
pub struct Lock {
    file: File,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        // SAFETY: the fd is owned by `self.file`, open for the whole call.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
}

fn flock(file: &File, flags: libc::c_int) -> std::io::Result<bool> {
    loop {
        // SAFETY: the fd is owned by `file`, open for the whole call.
        let r = unsafe { libc::flock(file.as_raw_fd(), flags) };
        if r == 0 {
            return Ok(true);
        }
        let e = std::io::Error::last_os_error();
        match e.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            _ => return Err(e),
        }
    }
}

/// Takes the lock at `path`. When another process holds it: with `wait`, calls `waiting` with
/// the holder's description once and blocks; without, fails with [`LockError::Busy`].
pub fn acquire(
    path: &Path,
    what: &str,
    wait: bool,
    waiting: impl FnOnce(&str),
) -> Result<Lock, LockError> {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map_err(|source| LockError::Open {
            path: path.to_path_buf(),
            source,
        })?;
    let ferr = |source| LockError::Flock {
        path: path.to_path_buf(),
        source,
    };
    if !flock(&file, libc::LOCK_EX | libc::LOCK_NB).map_err(ferr)? {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        let holder = match holder.trim() {
            "" => "holder unknown".to_string(),
            h => h.to_string(),
        };
        if !wait {
            return Err(LockError::Busy { holder });
        }
        waiting(&holder);
        flock(&file, libc::LOCK_EX).map_err(ferr)?;
    }
    let _ = file.set_len(0);
    let _ = file.rewind();
    let _ = write!(file, "pid {} {}", std::process::id(), what);
    let _ = file.flush();
    Ok(Lock { file })
}

/// Takes the lock at `path`, waiting at most `limit` for another holder; then
/// [`LockError::Busy`]. (The snapshot service answers its clients before their timeout
/// instead of snapshotting for a client that has gone.)
pub fn acquire_within(
    path: &Path,
    what: &str,
    limit: std::time::Duration,
) -> Result<Lock, LockError> {
    let deadline = std::time::Instant::now() + limit;
    loop {
        match acquire(path, what, false, |_| {}) {
            Err(LockError::Busy { holder }) if std::time::Instant::now() >= deadline => {
                return Err(LockError::Busy { holder });
            }
            Err(LockError::Busy { .. }) => std::thread::sleep(std::time::Duration::from_millis(50)),
            r => return r,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_wait_gives_up_then_succeeds_once_free() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("snapshot.lock");
        let l = acquire(&p, "cleanup", false, |_| {}).unwrap();
        let t0 = std::time::Instant::now();
        let e = acquire_within(&p, "serve", std::time::Duration::from_millis(300)).unwrap_err();
        assert!(t0.elapsed() >= std::time::Duration::from_millis(300));
        assert!(e.to_string().contains("cleanup"), "{e}");
        let p2 = p.clone();
        let t = std::thread::spawn(move || {
            acquire_within(&p2, "serve", std::time::Duration::from_secs(5)).map(drop)
        });
        std::thread::sleep(std::time::Duration::from_millis(200));
        drop(l);
        t.join().unwrap().unwrap();
    }

    #[test]
    fn second_taker_is_refused_then_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/snapshot.lock");
        let l = acquire(&p, "create", false, |_| {}).unwrap();
        // flock locks belong to the open file description: a second open conflicts even in
        // the same process, as another process would.
        match acquire(&p, "delete", false, |_| {}) {
            Err(LockError::Busy { holder }) => {
                assert!(
                    holder.contains(&format!("pid {}", std::process::id())),
                    "{holder}"
                );
                assert!(holder.contains("create"), "{holder}");
            }
            other => panic!("expected Busy, got {other:?}"),
        }
        drop(l);
        acquire(&p, "delete", false, |_| {}).unwrap();
    }

    #[test]
    fn a_waiter_is_told_and_gets_the_lock_when_released() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("snapshot.lock");
        let l = acquire(&p, "create", false, |_| {}).unwrap();
        let p2 = p.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let t = std::thread::spawn(move || {
            let _l = acquire(&p2, "list", true, |h| tx.send(h.to_string()).unwrap()).unwrap();
        });
        let told = rx.recv_timeout(std::time::Duration::from_secs(5)).unwrap();
        assert!(told.contains("create"));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!t.is_finished());
        drop(l);
        t.join().unwrap();
    }
}
