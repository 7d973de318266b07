//! The snapshot service: one accepted connection of `/run/ainux/snapshot.sock` per
//! `ainux snapshot serve-conn` (units/ainux-snapshot@.service, `Accept=yes`). Protocol in the
//! `ainux-snapshot-client` crate. Who asks is learnt from the peer credentials: root, the users
//! of `[access] users` and the members of `[access] group` may; the creator recorded is the tool
//! named in the request when it is `aish` or `healer`, the caller's user name otherwise.

use crate::BootLoader;
use crate::config::Access;
use crate::lock;
use crate::meta::{ConfigName, Kind};
use crate::store::{Create, Store};
use ainux_snapshot_client::{Request, Response};
use std::ffi::{CStr, CString};
use std::io::{BufRead, BufReader, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::net::UnixStream;

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("no socket passed by systemd (run by ainux-snapshot@.service)")]
    NoSocket,
    #[error("snapshot service connection failed")]
    Io(#[from] std::io::Error),
}

/// The caller, from `SO_PEERCRED`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Peer {
    pub pid: i32,
    pub uid: u32,
    pub gid: u32,
}

pub fn peer(s: &UnixStream) -> std::io::Result<Peer> {
    let mut cred = libc::ucred {
        pid: 0,
        uid: 0,
        gid: 0,
    };
    let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
    // SAFETY: the fd is open for the call; `cred` and `len` are valid for writes.
    let r = unsafe {
        libc::getsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_PEERCRED,
            (&mut cred as *mut libc::ucred).cast(),
            &mut len,
        )
    };
    if r != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(Peer {
        pid: cred.pid,
        uid: cred.uid,
        gid: cred.gid,
    })
}

/// The name of user `uid`.
pub fn user_name(uid: u32) -> Option<String> {
    let mut buf = vec![0u8; 4096];
    let mut pw: libc::passwd = unsafe { std::mem::zeroed() };
    let mut out: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: all pointers are valid for the call; buf outlives the use of pw's strings.
    let r = unsafe { libc::getpwuid_r(uid, &mut pw, buf.as_mut_ptr().cast(), buf.len(), &mut out) };
    if r != 0 || out.is_null() {
        return None;
    }
    // SAFETY: getpwuid_r succeeded, pw_name is a NUL-terminated string inside buf.
    Some(
        unsafe { CStr::from_ptr(pw.pw_name) }
            .to_string_lossy()
            .into_owned(),
    )
}

/// The groups (names) of user `name` whose primary group is `gid`.
pub fn group_names(name: &str, gid: u32) -> Vec<String> {
    let Ok(cname) = CString::new(name) else {
        return Vec::new();
    };
    let mut n: libc::c_int = 64;
    let mut groups = vec![0 as libc::gid_t; n as usize];
    // SAFETY: the buffer holds n entries; getgrouplist updates n.
    if unsafe { libc::getgrouplist(cname.as_ptr(), gid, groups.as_mut_ptr(), &mut n) } < 0 {
        groups.resize(n.max(0) as usize, 0);
        // SAFETY: as above, with the size it asked for.
        if unsafe { libc::getgrouplist(cname.as_ptr(), gid, groups.as_mut_ptr(), &mut n) } < 0 {
            return Vec::new();
        }
    }
    groups.truncate(n.max(0) as usize);
    groups
        .into_iter()
        .filter_map(|g| {
            let mut buf = vec![0u8; 4096];
            let mut gr: libc::group = unsafe { std::mem::zeroed() };
            let mut out: *mut libc::group = std::ptr::null_mut();
            // SAFETY: all pointers are valid for the call.
            let r = unsafe {
                libc::getgrgid_r(g, &mut gr, buf.as_mut_ptr().cast(), buf.len(), &mut out)
            };
            if r != 0 || out.is_null() {
                return None;
            }
            // SAFETY: getgrgid_r succeeded.
            Some(
                unsafe { CStr::from_ptr(gr.gr_name) }
                    .to_string_lossy()
                    .into_owned(),
            )
        })
        .collect()
}

/// How long a request waits for another snapshot operation.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(8);

/// Who the caller is, as the service records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub uid: u32,
    pub name: String,
    pub groups: Vec<String>,
}

impl Caller {
    pub fn of(p: Peer) -> Caller {
        let name = user_name(p.uid).unwrap_or_else(|| p.uid.to_string());
        let groups = group_names(&name, p.gid);
        Caller {
            uid: p.uid,
            name,
            groups,
        }
    }
}

/// Whether `caller` may ask for snapshots.
pub fn authorize(caller: &Caller, access: &Access) -> Result<(), String> {
    if caller.uid == 0
        || access.users.iter().any(|u| u == &caller.name)
        || caller.groups.iter().any(|g| g == &access.group)
    {
        Ok(())
    } else {
        Err(format!(
            "user {} may not take snapshots (root, {} and members of group {} may)",
            caller.name,
            if access.users.is_empty() {
                "no other user".to_string()
            } else {
                access.users.join(", ")
            },
            access.group
        ))
    }
}

/// The creator recorded for a request naming `tool`.
pub fn creator(caller: &Caller, tool: &str) -> String {
    match tool {
        "aish" | "healer" => tool.to_string(),
        _ => caller.name.clone(),
    }
}

/// Handles one request from `caller` (the lock is taken here, waiting for other operations).
pub fn handle(store: &Store, caller: &Caller, req: Request, loader: &dyn BootLoader) -> Response {
    let fail = |e: String| Response {
        ok: false,
        id: None,
        error: Some(e),
    };
    if let Err(e) = authorize(caller, &store.config().access) {
        tracing::warn!(uid = caller.uid, user = %caller.name, "snapshot request refused");
        return fail(e);
    }
    let (config, create) = match req {
        Request::Pre {
            config,
            description,
            creator: tool,
        } => (
            config,
            Create {
                config: ConfigName::Root,
                kind: Kind::Pre,
                pre_id: None,
                description,
                important: false,
                creator: creator(caller, &tool),
                user: Some(caller.name.clone()),
            },
        ),
        Request::Post {
            config,
            pre_id,
            description,
        } => {
            let c = match config.parse::<ConfigName>() {
                Ok(c) => c,
                Err(e) => return fail(e),
            };
            let pre_creator = store
                .info(c, pre_id)
                .map(|i| i.creator)
                .unwrap_or_else(|_| caller.name.clone());
            (
                config,
                Create {
                    config: c,
                    kind: Kind::Post,
                    pre_id: Some(pre_id),
                    description,
                    important: false,
                    creator: pre_creator,
                    user: Some(caller.name.clone()),
                },
            )
        }
    };
    let config = match config.parse::<ConfigName>() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let create = Create { config, ..create };
    // Clients wait 10 s (aish) or 30 s (healerd): answer "busy" before that rather than
    // snapshotting for a client that has gone.
    let lock = match lock::acquire_within(
        &store.config().lock_file,
        &format!("serve {}", caller.name),
        LOCK_WAIT,
    ) {
        Ok(l) => l,
        Err(e) => return fail(crate::error_text(&e)),
    };
    match store.create(&lock, &create, loader) {
        Ok(info) => {
            crate::record::send(&[crate::cli::created_event(&info)]);
            Response {
                ok: true,
                id: Some(info.id),
                error: None,
            }
        }
        Err(e) => fail(crate::error_text(&e)),
    }
}

/// Serves one connection: one request line, one reply line. A malformed request gets an error
/// reply.
pub fn serve_conn(
    store: &Store,
    stream: UnixStream,
    loader: &dyn BootLoader,
) -> Result<(), ServeError> {
    let caller = Caller::of(peer(&stream)?);
    stream.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    let mut line = String::new();
    BufReader::new(&stream).read_line(&mut line)?;
    let reply = match serde_json::from_str::<Request>(&line) {
        Ok(req) => handle(store, &caller, req, loader),
        Err(e) => Response {
            ok: false,
            id: None,
            error: Some(format!("malformed request: {e}")),
        },
    };
    let mut out = serde_json::to_vec(&reply).expect("Response serialises");
    out.push(b'\n');
    let mut s = &stream;
    s.write_all(&out)?;
    Ok(())
}

/// [`serve_conn`] on the connection systemd passed (fd 3, `Accept=yes`).
pub fn serve_systemd_conn(store: &Store, loader: &dyn BootLoader) -> Result<(), ServeError> {
    let fd = *ainux_common::notify::listen_fds()
        .first()
        .ok_or(ServeError::NoSocket)?;
    // SAFETY: systemd passed us this connected socket and nothing else owns it.
    let stream = unsafe { UnixStream::from_raw_fd(fd) };
    serve_conn(store, stream, loader)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(uid: u32, name: &str, groups: &[&str]) -> Caller {
        Caller {
            uid,
            name: name.into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
        }
    }

    #[test]
    fn who_may_ask() {
        let a = Access::default();
        assert!(authorize(&caller(0, "root", &[]), &a).is_ok());
        assert!(authorize(&caller(61000, "aishd", &[]), &a).is_ok());
        assert!(authorize(&caller(1000, "alice", &["users", "ainux-snapshot"]), &a).is_ok());
        let e = authorize(&caller(1001, "bob", &["users"]), &a).unwrap_err();
        assert!(e.contains("bob") && e.contains("ainux-snapshot"), "{e}");
    }

    #[test]
    fn creator_is_the_tool_or_the_user() {
        let c = caller(1000, "alice", &[]);
        assert_eq!(creator(&c, "aish"), "aish");
        assert_eq!(creator(&c, "healer"), "healer");
        assert_eq!(creator(&c, "timer"), "alice");
        assert_eq!(creator(&c, ""), "alice");
    }

    #[test]
    fn peer_credentials_of_a_socketpair_are_ours() {
        let (a, _b) = UnixStream::pair().unwrap();
        let p = peer(&a).unwrap();
        // SAFETY: getuid cannot fail.
        assert_eq!(p.uid, unsafe { libc::getuid() });
        assert_eq!(p.pid as u32, std::process::id());
    }
}
