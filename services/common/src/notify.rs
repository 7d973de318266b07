//! `sd_notify` without libsystemd: one datagram to `$NOTIFY_SOCKET` (path or abstract `@name`).

use std::io;
use std::os::unix::net::UnixDatagram;

/// A state line for systemd.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State<'a> {
    Ready,
    Reloading,
    Stopping,
    Watchdog,
    Status(&'a str),
}

impl State<'_> {
    fn line(&self) -> String {
        match self {
            State::Ready => "READY=1".into(),
            State::Reloading => "RELOADING=1".into(),
            State::Stopping => "STOPPING=1".into(),
            State::Watchdog => "WATCHDOG=1".into(),
            State::Status(s) => format!("STATUS={}", s.replace('\n', " ")),
        }
    }
}

/// Sends `states` to `$NOTIFY_SOCKET`. Returns `Ok(false)` when no socket is set (not under
/// systemd), `Ok(true)` when sent.
pub fn notify(states: &[State<'_>]) -> io::Result<bool> {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return Ok(false);
    };
    let path = path.to_string_lossy().into_owned();
    let msg = states
        .iter()
        .map(State::line)
        .collect::<Vec<_>>()
        .join("\n");
    send_to(&path, msg.as_bytes())?;
    Ok(true)
}

/// Sends one datagram to a notify socket address (`/path` or `@abstract`).
pub fn send_to(addr: &str, msg: &[u8]) -> io::Result<()> {
    let sock = UnixDatagram::unbound()?;
    if let Some(name) = addr.strip_prefix('@') {
        use std::os::linux::net::SocketAddrExt;
        let a = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())?;
        sock.send_to_addr(msg, &a)?;
    } else if addr.starts_with('/') {
        sock.send_to(msg, addr)?;
    } else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("NOTIFY_SOCKET {addr:?} is neither a path nor an abstract name"),
        ));
    }
    Ok(())
}

/// The watchdog interval systemd asked for (`$WATCHDOG_USEC`, if meant for this process).
pub fn watchdog_interval() -> Option<std::time::Duration> {
    let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID")
        && pid.parse::<u32>().ok() != Some(std::process::id())
    {
        return None;
    }
    (usec > 0).then(|| std::time::Duration::from_micros(usec))
}

/// File descriptors passed by socket activation (`$LISTEN_FDS` starting at 3), if they are
/// meant for this process. The variables are removed so children don't inherit them.
pub fn listen_fds() -> Vec<std::os::fd::RawFd> {
    let pid_ok = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        == Some(std::process::id());
    let n: i32 = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    // SAFETY: removing variables at start-up, before other threads read the environment.
    unsafe {
        std::env::remove_var("LISTEN_PID");
        std::env::remove_var("LISTEN_FDS");
        std::env::remove_var("LISTEN_FDNAMES");
    }
    if !pid_ok || n <= 0 {
        return Vec::new();
    }
    (3..3 + n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_to_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("notify");
        let rx = UnixDatagram::bind(&p).unwrap();
        send_to(p.to_str().unwrap(), b"READY=1").unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
    }

    #[test]
    fn sends_to_abstract_socket() {
        use std::os::linux::net::SocketAddrExt;
        let name = format!("ainux-test-notify-{}", std::process::id());
        let a = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let rx = UnixDatagram::bind_addr(&a).unwrap();
        send_to(&format!("@{name}"), b"STOPPING=1").unwrap();
        let mut buf = [0u8; 64];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"STOPPING=1");
    }

    #[test]
    fn rejects_relative_address() {
        assert!(send_to("relative", b"x").is_err());
    }

    #[test]
    fn status_lines_are_single_line() {
        assert_eq!(State::Status("a\nb").line(), "STATUS=a b");
        assert_eq!(State::Watchdog.line(), "WATCHDOG=1");
    }
}
