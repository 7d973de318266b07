//! `ainux-agent`: the guest half of the QEMU test harness.
//!
//! `ainux-agent serve` holds the virtio-serial port and runs the host's requests;
//! `ainux-agent notify NAME` forwards a boot milestone to the serving agent.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use ainux_agent::{Message, NOTIFY_SOCKET, PORT_NAME, Request, b64, encode_line, unb64};
use std::os::linux::net::SocketAddrExt;

type Port = Arc<Mutex<File>>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => serve(args.get(1).cloned()),
        Some("notify") if args.len() == 2 => notify(&args[1]),
        Some("-h" | "--help") | None => {
            println!(
                "usage: ainux-agent serve [PORT_PATH]\n       ainux-agent notify NAME\n\n\
                 Serves the ainux QEMU test harness over the virtio-serial port\n\
                 /dev/virtio-ports/{PORT_NAME}. Started by udev only when that port exists."
            );
            return ExitCode::SUCCESS;
        }
        Some(other) => Err(format!("unknown command {other:?} (try --help)")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ainux-agent: {e}");
            ExitCode::FAILURE
        }
    }
}

fn boot_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

fn uptime_ms() -> u64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|s| (s * 1000.0) as u64)
        .unwrap_or(0)
}

fn send(port: &Port, msg: &Message) {
    let line = encode_line(msg);
    let mut f = port.lock().unwrap_or_else(|e| e.into_inner());
    // The host may be momentarily disconnected; a lost line is retried by the host's timeout.
    let _ = f.write_all(&line).and_then(|()| f.flush());
}

fn notify(name: &str) -> Result<(), String> {
    let sock = UnixDatagram::unbound().map_err(|e| format!("socket: {e}"))?;
    let addr = SocketAddr::from_abstract_name(NOTIFY_SOCKET.as_bytes())
        .map_err(|e| format!("address: {e}"))?;
    // The serving agent may still be starting: retry for a while.
    let mut last = None;
    for _ in 0..100 {
        match sock.send_to_addr(name.as_bytes(), &addr) {
            Ok(_) => return Ok(()),
            Err(e) => last = Some(e),
        }
        thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "is `ainux-agent serve` running? sending {name:?} failed: {}",
        last.map(|e| e.to_string()).unwrap_or_default()
    ))
}

fn serve(path: Option<String>) -> Result<(), String> {
    let path = path.unwrap_or_else(|| format!("/dev/virtio-ports/{PORT_NAME}"));
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open(&path)
            .map_err(|e| format!("opening {path}: {e}"))
    };
    let writer: Port = Arc::new(Mutex::new(open()?));

    // Milestones from `ainux-agent notify`.
    let addr = SocketAddr::from_abstract_name(NOTIFY_SOCKET.as_bytes())
        .map_err(|e| format!("address: {e}"))?;
    let notify_sock =
        UnixDatagram::bind_addr(&addr).map_err(|e| format!("binding notify socket: {e}"))?;
    {
        let port = Arc::clone(&writer);
        thread::spawn(move || {
            let mut buf = [0u8; 256];
            while let Ok(n) = notify_sock.recv(&mut buf) {
                let name = String::from_utf8_lossy(&buf[..n]).trim().to_string();
                send(
                    &port,
                    &Message::Event {
                        name,
                        boot_id: boot_id(),
                        uptime_ms: uptime_ms(),
                    },
                );
            }
        });
    }

    send(
        &writer,
        &Message::Ready {
            boot_id: boot_id(),
            uptime_ms: uptime_ms(),
        },
    );

    // A virtio-serial port can be opened only once: read through a duplicate of the same
    // descriptor. While the host side is disconnected reads return end-of-file; wait and retry.
    let reader = writer
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .try_clone()
        .map_err(|e| format!("duplicating the port descriptor: {e}"))?;
    sd_notify_ready();
    let mut lines = BufReader::new(reader);
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line) {
            Ok(0) => {
                thread::sleep(Duration::from_millis(200));
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                eprintln!("ainux-agent: reading port: {e}");
                thread::sleep(Duration::from_millis(200));
                continue;
            }
        }
        let req: Request = match serde_json::from_slice(&line) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("ainux-agent: ignoring malformed request: {e}");
                continue;
            }
        };
        let port = Arc::clone(&writer);
        thread::spawn(move || {
            let reply = handle(req);
            send(&port, &reply);
        });
    }
}

/// Tells systemd (Type=notify) that the port is open and the notify socket bound.
fn sd_notify_ready() {
    let Some(path) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    let Ok(sock) = UnixDatagram::unbound() else {
        return;
    };
    let bytes = path.as_encoded_bytes();
    let addr = match bytes.strip_prefix(b"@") {
        Some(name) => SocketAddr::from_abstract_name(name),
        None => SocketAddr::from_pathname(std::path::Path::new(&path)),
    };
    if let Ok(addr) = addr {
        let _ = sock.send_to_addr(b"READY=1", &addr);
    }
}

fn reply_error(id: u64, error: String) -> Message {
    Message::Reply {
        id,
        exit: None,
        signal: None,
        timed_out: false,
        stdout: String::new(),
        stderr: String::new(),
        error: Some(error),
    }
}

fn ok_reply(id: u64, stdout: &[u8]) -> Message {
    Message::Reply {
        id,
        exit: Some(0),
        signal: None,
        timed_out: false,
        stdout: b64(stdout),
        stderr: String::new(),
        error: None,
    }
}

fn handle(req: Request) -> Message {
    match req {
        Request::Ping { id } => ok_reply(id, b"pong"),
        Request::ReadFile { id, path } => match std::fs::read(&path) {
            Ok(data) => ok_reply(id, &data),
            Err(e) => reply_error(id, format!("reading {path}: {e}")),
        },
        Request::WriteFile {
            id,
            path,
            data,
            mode,
        } => {
            let bytes = match unb64(&data) {
                Ok(b) => b,
                Err(e) => return reply_error(id, format!("bad base64: {e}")),
            };
            let res = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(mode)
                .open(&path)
                .and_then(|mut f| {
                    f.write_all(&bytes)?;
                    f.sync_all()
                });
            match res {
                Ok(()) => ok_reply(id, b""),
                Err(e) => reply_error(id, format!("writing {path}: {e}")),
            }
        }
        Request::Exec {
            id,
            cmd,
            timeout_ms,
        } => exec(id, &cmd, Duration::from_millis(timeout_ms.max(1))),
    }
}

fn exec(id: u64, cmd: &str, timeout: Duration) -> Message {
    let mut command = Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env(
            "PATH",
            "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        )
        .env("HOME", "/root")
        .env("SYSTEMD_PAGER", "")
        .env("SYSTEMD_COLORS", "0")
        .current_dir("/");
    // Its own process group, so a timeout kills everything the command started.
    command.process_group(0);
    let mut child = match command.spawn() {
        Ok(c) => c,
        Err(e) => return reply_error(id, format!("spawning /bin/sh: {e}")),
    };
    let pid = child.id() as libc::pid_t;
    let mut out = child.stdout.take().expect("piped");
    let mut err = child.stderr.take().expect("piped");
    let (out_tx, out_rx) = mpsc::channel();
    let (err_tx, err_rx) = mpsc::channel();
    thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        let _ = out_tx.send(v);
    });
    thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        let _ = err_tx.send(v);
    });
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(child.wait());
    });
    let (status, timed_out) = match rx.recv_timeout(timeout) {
        Ok(s) => (s, false),
        Err(_) => {
            // SAFETY: kill(2) on our own child's process group.
            unsafe { libc::kill(-pid, libc::SIGKILL) };
            (
                rx.recv()
                    .unwrap_or_else(|_| Err(std::io::Error::other("lost"))),
                true,
            )
        }
    };
    // A daemon the command left running may hold the pipes open: take what is there.
    let grace = Duration::from_millis(500);
    let stdout = out_rx.recv_timeout(grace).unwrap_or_default();
    let stderr = err_rx.recv_timeout(grace).unwrap_or_default();
    match status {
        Ok(st) => Message::Reply {
            id,
            exit: st.code(),
            signal: st.signal(),
            timed_out,
            stdout: b64(&stdout),
            stderr: b64(&stderr),
            error: None,
        },
        Err(e) => reply_error(id, format!("waiting for command: {e}")),
    }
}
