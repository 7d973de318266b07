//! A bounded per-user spool: one JSON event per line in a 0600 file, locked with `flock` so that
//! several processes of one user (shell sessions, services) can share it.

use crate::protocol::Event;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Seek, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Default spool bound: 8 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 8 << 20;

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("spool {path} is full ({max} bytes); event dropped")]
    Full { path: PathBuf, max: u64 },
    #[error("spool {path} i/o failed")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The spool file of one user.
#[derive(Debug, Clone)]
pub struct Spool {
    path: PathBuf,
    max_bytes: u64,
}

struct Locked(File);

impl Locked {
    fn open(path: &Path) -> io::Result<Locked> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let f = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .mode(0o600)
            .open(path)?;
        // SAFETY: f is an open file descriptor for the duration of the call.
        if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(Locked(f))
    }
}

impl Drop for Locked {
    fn drop(&mut self) {
        // SAFETY: the descriptor is still open here.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

impl Spool {
    pub fn new(path: impl Into<PathBuf>, max_bytes: u64) -> Self {
        Spool {
            path: path.into(),
            max_bytes,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(&self) -> impl Fn(io::Error) -> SpoolError + '_ {
        |source| SpoolError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Appends events; refuses (keeping what is already spooled) once the bound is reached.
    pub fn push(&self, events: &[Event]) -> Result<(), SpoolError> {
        let lock = Locked::open(&self.path).map_err(self.io())?;
        let mut size = lock.0.metadata().map_err(self.io())?.len();
        let mut buf = Vec::new();
        let mut full = false;
        for e in events {
            let mut line = serde_json::to_vec(e).map_err(|e| self.io()(io::Error::other(e)))?;
            line.push(b'\n');
            if size + line.len() as u64 > self.max_bytes {
                full = true;
                break;
            }
            size += line.len() as u64;
            buf.extend_from_slice(&line);
        }
        (&lock.0).write_all(&buf).map_err(self.io())?;
        if full {
            return Err(SpoolError::Full {
                path: self.path.clone(),
                max: self.max_bytes,
            });
        }
        Ok(())
    }

    /// Number of spooled events (0 when there is no spool).
    pub fn len(&self) -> usize {
        match File::open(&self.path) {
            Ok(f) => BufReader::new(f).lines().count(),
            Err(_) => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        std::fs::metadata(&self.path)
            .map(|m| m.len() == 0)
            .unwrap_or(true)
    }

    /// Hands all spooled events to `send` in chunks of `chunk`; the spool is emptied only when
    /// every chunk was sent. Unreadable lines are skipped (and counted in the result).
    pub fn drain<E>(
        &self,
        chunk: usize,
        mut send: impl FnMut(Vec<Event>) -> Result<(), E>,
    ) -> Result<Result<(usize, usize), E>, SpoolError> {
        if self.is_empty() {
            return Ok(Ok((0, 0)));
        }
        let lock = Locked::open(&self.path).map_err(self.io())?;
        let mut f = &lock.0;
        f.rewind().map_err(self.io())?;
        let mut sent = 0;
        let mut bad = 0;
        let mut batch = Vec::new();
        for line in BufReader::new(f).split(b'\n') {
            let line = line.map_err(self.io())?;
            if line.is_empty() {
                continue;
            }
            match serde_json::from_slice::<Event>(&line) {
                Ok(e) => batch.push(e),
                Err(_) => bad += 1,
            }
            if batch.len() >= chunk {
                let n = batch.len();
                if let Err(e) = send(std::mem::take(&mut batch)) {
                    return Ok(Err(e));
                }
                sent += n;
            }
        }
        if !batch.is_empty() {
            let n = batch.len();
            if let Err(e) = send(batch) {
                return Ok(Err(e));
            }
            sent += n;
        }
        lock.0.set_len(0).map_err(self.io())?;
        Ok(Ok((sent, bad)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::EventKind;

    fn ev(i: usize) -> Event {
        Event::new(EventKind::Internal {
            message: format!("m{i}"),
        })
    }

    #[test]
    fn push_drain_and_bound() {
        let d = tempfile::tempdir().unwrap();
        let s = Spool::new(d.path().join("sub/spool.jsonl"), 400);
        s.push(&[ev(1), ev(2)]).unwrap();
        assert_eq!(s.len(), 2);
        let mode = std::fs::metadata(s.path()).unwrap().permissions();
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(mode.mode() & 0o777, 0o600);
        let mut many = Vec::new();
        for i in 0..20 {
            many.push(ev(i));
        }
        assert!(matches!(s.push(&many), Err(SpoolError::Full { .. })));
        let kept = s.len();
        assert!(kept > 2 && kept < 22);
        // A failing send keeps everything.
        let r = s.drain(3, |_| Err::<(), _>("down")).unwrap();
        assert!(r.is_err());
        assert_eq!(s.len(), kept);
        let mut got = Vec::new();
        let (n, bad) = s
            .drain(3, |b| {
                got.extend(b);
                Ok::<(), ()>(())
            })
            .unwrap()
            .unwrap();
        assert_eq!((n, bad), (kept, 0));
        assert_eq!(got.len(), kept);
        assert!(s.is_empty());
    }
}
