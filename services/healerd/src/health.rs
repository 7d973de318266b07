//! Health checks for units that are active but maybe not healthy.
//!
//! Each check runs under its own timeout; the result (healthy or not, with a
//! short detail) becomes a `machine::Event::Health`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::policy::{HealthCheck, HealthKind};

/// Outcome of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub ok: bool,
    pub detail: String,
}

impl Outcome {
    fn ok(detail: impl Into<String>) -> Self {
        Self {
            ok: true,
            detail: detail.into(),
        }
    }
    fn bad(detail: impl Into<String>) -> Self {
        Self {
            ok: false,
            detail: detail.into(),
        }
    }
}

/// `http://host:port/path` -> (host:port, path). Only plain HTTP on purpose:
/// checks target local services.
pub fn parse_http_url(url: &str) -> Option<(String, String)> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let authority = if authority
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        authority.to_string()
    } else if authority.contains(':') && !authority.ends_with(']') {
        return None;
    } else {
        format!("{authority}:80")
    };
    Some((authority, path.to_string()))
}

/// Run a check with its timeout. `proc_root` is normally `/proc`.
pub async fn run(check: &HealthCheck, proc_root: &Path) -> Outcome {
    let fut = run_inner(check, proc_root.to_path_buf());
    match tokio::time::timeout(check.timeout(), fut).await {
        Ok(o) => o,
        Err(_) => Outcome::bad(format!("timed out after {} ms", check.timeout_ms)),
    }
}

async fn run_inner(check: &HealthCheck, proc_root: PathBuf) -> Outcome {
    match check.kind {
        HealthKind::Command => command(&check.command).await,
        HealthKind::Tcp => tcp(check.address.as_deref().unwrap_or_default()).await,
        HealthKind::Http => {
            http(
                check.url.as_deref().unwrap_or_default(),
                check.expect_status,
            )
            .await
        }
        HealthKind::Process => {
            let name = check.process.clone().unwrap_or_default();
            match tokio::task::spawn_blocking(move || process_present(&proc_root, &name)).await {
                Ok(true) => Outcome::ok("process present"),
                Ok(false) => Outcome::bad("process not found"),
                Err(e) => Outcome::bad(format!("scan failed: {e}")),
            }
        }
    }
}

async fn command(argv: &[String]) -> Outcome {
    let Some((prog, args)) = argv.split_first() else {
        return Outcome::bad("empty command");
    };
    let child = tokio::process::Command::new(prog)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .status();
    match child.await {
        Ok(s) if s.success() => Outcome::ok("exit 0"),
        Ok(s) => Outcome::bad(format!("{s}")),
        Err(e) => Outcome::bad(format!("cannot run {prog}: {e}")),
    }
}

async fn tcp(addr: &str) -> Outcome {
    match TcpStream::connect(addr).await {
        Ok(_) => Outcome::ok("connected"),
        Err(e) => Outcome::bad(format!("connect {addr}: {e}")),
    }
}

async fn http(url: &str, expect: u16) -> Outcome {
    let Some((authority, path)) = parse_http_url(url) else {
        return Outcome::bad(format!("bad url {url}"));
    };
    let mut s = match TcpStream::connect(&authority).await {
        Ok(s) => s,
        Err(e) => return Outcome::bad(format!("connect {authority}: {e}")),
    };
    let req = format!(
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nUser-Agent: healerd\r\nConnection: close\r\n\r\n"
    );
    if let Err(e) = s.write_all(req.as_bytes()).await {
        return Outcome::bad(format!("send: {e}"));
    }
    // The status line is all we need; read at most 4 KiB.
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 512];
    while !buf.contains(&b'\n') && buf.len() < 4096 {
        match s.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => return Outcome::bad(format!("read: {e}")),
        }
    }
    let line = String::from_utf8_lossy(&buf);
    let line = line.lines().next().unwrap_or_default();
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok());
    match status {
        Some(c) if c == expect => Outcome::ok(format!("HTTP {c}")),
        Some(c) => Outcome::bad(format!("HTTP {c}, expected {expect}")),
        None => Outcome::bad(format!("not an HTTP response: {line:?}")),
    }
}

/// Is there a process whose `comm` or argv[0] basename is `name`?
pub fn process_present(proc_root: &Path, name: &str) -> bool {
    let Ok(dir) = std::fs::read_dir(proc_root) else {
        return false;
    };
    for e in dir.flatten() {
        let file_name = e.file_name();
        let Some(pid) = file_name.to_str() else {
            continue;
        };
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let p = e.path();
        if let Ok(comm) = std::fs::read_to_string(p.join("comm"))
            && comm.trim_end() == name
        {
            return true;
        }
        if let Ok(cmd) = std::fs::read(p.join("cmdline")) {
            let argv0 = cmd.split(|b| *b == 0).next().unwrap_or_default();
            let argv0 = String::from_utf8_lossy(argv0);
            if Path::new(argv0.as_ref())
                .file_name()
                .is_some_and(|b| b == name)
            {
                return true;
            }
        }
    }
    false
}

/// Default interval jitter-free schedule helper: the check's interval.
pub fn interval(check: &HealthCheck) -> Duration {
    check.interval()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    fn check(kind: HealthKind) -> HealthCheck {
        HealthCheck {
            kind,
            name: None,
            command: vec![],
            address: None,
            url: None,
            expect_status: 200,
            process: None,
            interval_ms: 1000,
            timeout_ms: 500,
            failure_threshold: 1,
        }
    }

    #[test]
    fn urls() {
        assert_eq!(
            parse_http_url("http://127.0.0.1:8080/health"),
            Some(("127.0.0.1:8080".into(), "/health".into()))
        );
        assert_eq!(
            parse_http_url("http://localhost"),
            Some(("localhost:80".into(), "/".into()))
        );
        assert_eq!(parse_http_url("https://x/"), None);
        assert_eq!(parse_http_url("http:///x"), None);
    }

    async fn serve_once(status: &'static str, delay: Duration) -> String {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = l.accept().await {
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                tokio::time::sleep(delay).await;
                let _ = s
                    .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes())
                    .await;
            }
        });
        addr
    }

    #[tokio::test]
    async fn http_checks_status_and_timeout() {
        let good = serve_once("200 OK", Duration::ZERO).await;
        let bad = serve_once("503 Service Unavailable", Duration::ZERO).await;
        let slow = serve_once("200 OK", Duration::from_secs(5)).await;
        let mut c = check(HealthKind::Http);
        c.url = Some(format!("http://{good}/health"));
        assert!(run(&c, Path::new("/proc")).await.ok);
        c.url = Some(format!("http://{bad}/health"));
        let o = run(&c, Path::new("/proc")).await;
        assert!(!o.ok && o.detail.contains("503"), "{o:?}");
        c.expect_status = 503;
        assert!(run(&c, Path::new("/proc")).await.ok);
        c.expect_status = 200;
        c.url = Some(format!("http://{slow}/"));
        let o = run(&c, Path::new("/proc")).await;
        assert!(!o.ok && o.detail.contains("timed out"), "{o:?}");
    }

    #[tokio::test]
    async fn tcp_check() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap().to_string();
        let mut c = check(HealthKind::Tcp);
        c.address = Some(addr.clone());
        assert!(run(&c, Path::new("/proc")).await.ok);
        drop(l);
        let o = run(&c, Path::new("/proc")).await;
        assert!(!o.ok, "{o:?}");
    }

    #[tokio::test]
    async fn command_check() {
        let mut c = check(HealthKind::Command);
        c.command = vec!["sh".into(), "-c".into(), "exit 0".into()];
        assert!(run(&c, Path::new("/proc")).await.ok);
        c.command = vec!["sh".into(), "-c".into(), "exit 3".into()];
        assert!(!run(&c, Path::new("/proc")).await.ok);
        c.command = vec!["sleep".into(), "5".into()];
        let o = run(&c, Path::new("/proc")).await;
        assert!(!o.ok && o.detail.contains("timed out"));
        c.command = vec!["/nonexistent/healthz".into()];
        assert!(!run(&c, Path::new("/proc")).await.ok);
    }

    #[tokio::test]
    async fn process_check_on_fake_and_real_proc() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("42")).unwrap();
        std::fs::write(root.path().join("42/comm"), "nginx\n").unwrap();
        std::fs::create_dir(root.path().join("43")).unwrap();
        std::fs::write(root.path().join("43/comm"), "kworker\n").unwrap();
        std::fs::write(
            root.path().join("43/cmdline"),
            b"/usr/bin/postgres\0-D\0x\0",
        )
        .unwrap();
        std::fs::create_dir(root.path().join("self")).unwrap();
        let mut c = check(HealthKind::Process);
        c.process = Some("nginx".into());
        assert!(run(&c, root.path()).await.ok);
        c.process = Some("postgres".into());
        assert!(run(&c, root.path()).await.ok);
        c.process = Some("redis".into());
        assert!(!run(&c, root.path()).await.ok);
        // the real /proc has this test binary
        let me = std::fs::read_to_string("/proc/self/comm").unwrap();
        c.process = Some(me.trim().to_string());
        assert!(run(&c, Path::new("/proc")).await.ok);
    }
}
