//! The `kmonitord` binary under a stand-in service manager: readiness, then a graceful stop.

use std::os::unix::net::UnixDatagram;
use std::process::Command;
use std::time::{Duration, Instant};

fn wait_for_datagram(sock: &UnixDatagram, want: &str, timeout: Duration) {
    sock.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 512];
    loop {
        if let Ok(n) = sock.recv(&mut buf)
            && String::from_utf8_lossy(&buf[..n])
                .lines()
                .any(|l| l == want)
        {
            return;
        }
        assert!(Instant::now() < deadline, "no {want} from kmonitord");
    }
}

/// systemd may send SIGTERM the moment it reads READY=1 (`systemctl start` then `stop` at
/// once). Every such stop must be the daemon's own graceful one: STOPPING=1 and exit status 0,
/// never death by the signal's default action.
#[test]
fn a_stop_right_after_ready_is_graceful() {
    let d = tempfile::tempdir().unwrap();
    let config = d.path().join("kmonitord.toml");
    std::fs::write(
        &config,
        "interval_secs = 0.5\nlisten = \"127.0.0.1:0\"\nquestlog = false\n",
    )
    .unwrap();
    for round in 0..10 {
        let notify_path = d.path().join(format!("notify{round}"));
        let notify = UnixDatagram::bind(&notify_path).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_kmonitord"))
            .arg("--config")
            .arg(&config)
            .env("NOTIFY_SOCKET", &notify_path)
            .env_remove("WATCHDOG_USEC")
            .spawn()
            .unwrap();
        wait_for_datagram(&notify, "READY=1", Duration::from_secs(30));
        // SAFETY: signalling the child we spawned and have not yet waited for.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        wait_for_datagram(&notify, "STOPPING=1", Duration::from_secs(10));
        let status = child.wait().unwrap();
        assert!(status.success(), "round {round}: {status:?}");
    }
}
