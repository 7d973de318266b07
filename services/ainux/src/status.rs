//! `ainux status`: the state of every ainux unit (from systemd) and a health probe of each
//! service that has one (its socket accepts; kmonitord's HTTP endpoint answers 200).

use serde::Serialize;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

/// The units `ainux status` reports.
pub const UNITS: &[&str] = &[
    "questlogd.service",
    "questlogd.socket",
    "kmonitord.service",
    "healerd.service",
    "aishd.service",
    "ainux-snapshot.socket",
    "ainux-snapshot.timer",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitState {
    pub unit: String,
    pub load_state: String,
    pub active_state: String,
    pub sub_state: String,
}

/// systemd behind a seam.
pub trait UnitQuery {
    fn show(&self, units: &[&str]) -> Result<Vec<UnitState>, String>;
}

/// `systemctl show`.
pub struct Systemctl;

impl UnitQuery for Systemctl {
    fn show(&self, units: &[&str]) -> Result<Vec<UnitState>, String> {
        let out = std::process::Command::new("systemctl")
            .arg("show")
            .arg("--property=Id,LoadState,ActiveState,SubState")
            .args(units)
            .output()
            .map_err(|e| format!("cannot run systemctl: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "systemctl show failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(parse_show(&String::from_utf8_lossy(&out.stdout), units))
    }
}

/// Parses `systemctl show` output: one block of `Key=Value` lines per unit, blank-line separated,
/// in the order asked.
pub fn parse_show(text: &str, units: &[&str]) -> Vec<UnitState> {
    let mut out = Vec::new();
    for (i, block) in text
        .split("\n\n")
        .filter(|b| !b.trim().is_empty())
        .enumerate()
    {
        let get = |k: &str| {
            block
                .lines()
                .find_map(|l| l.strip_prefix(k).and_then(|r| r.strip_prefix('=')))
                .unwrap_or("")
                .to_string()
        };
        let id = get("Id");
        out.push(UnitState {
            unit: if id.is_empty() {
                units.get(i).map(|u| u.to_string()).unwrap_or_default()
            } else {
                id
            },
            load_state: get("LoadState"),
            active_state: get("ActiveState"),
            sub_state: get("SubState"),
        });
    }
    out
}

#[derive(Debug, Clone)]
pub enum Probe {
    Unix(PathBuf),
    Http { addr: String, path: String },
}

/// The health probe of each service that has one. (The snapshot socket has none: every
/// connection starts an `ainux-snapshot@` instance; its unit state says enough.)
pub fn default_probes() -> Vec<(String, Probe)> {
    vec![
        (
            "questlogd.service".into(),
            Probe::Unix("/run/ainux/questlog.sock".into()),
        ),
        (
            "healerd.service".into(),
            Probe::Unix("/run/ainux/healerd.sock".into()),
        ),
        (
            "aishd.service".into(),
            Probe::Unix("/run/ainux/aishd/aishd.sock".into()),
        ),
        (
            "kmonitord.service".into(),
            Probe::Http {
                addr: "127.0.0.1:9464".into(),
                path: "/metrics".into(),
            },
        ),
    ]
}

/// Runs a probe: Ok(what answered) or Err(why not).
pub fn probe(p: &Probe) -> Result<String, String> {
    let t = Duration::from_secs(2);
    match p {
        Probe::Unix(path) => std::os::unix::net::UnixStream::connect(path)
            .map(|_| format!("{} accepts", path.display()))
            .map_err(|e| format!("{}: {e}", path.display())),
        Probe::Http { addr, path } => {
            let sa: std::net::SocketAddr = addr.parse().map_err(|e| format!("{addr}: {e}"))?;
            let mut s =
                std::net::TcpStream::connect_timeout(&sa, t).map_err(|e| format!("{addr}: {e}"))?;
            let _ = s.set_read_timeout(Some(t));
            let req = format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n");
            s.write_all(req.as_bytes())
                .map_err(|e| format!("{addr}: {e}"))?;
            // The status line, however the server's writes split it.
            let mut head = Vec::new();
            let mut buf = [0u8; 64];
            while !head.contains(&b'\n') && head.len() < 256 {
                let n = s.read(&mut buf).map_err(|e| format!("{addr}: {e}"))?;
                if n == 0 {
                    break;
                }
                head.extend_from_slice(&buf[..n]);
            }
            let line = String::from_utf8_lossy(&head);
            let status = line.split_whitespace().nth(1).unwrap_or("").to_string();
            if status == "200" {
                Ok(format!("http://{addr}{path} 200"))
            } else {
                Err(format!("http://{addr}{path} answered {status:?}"))
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Service {
    #[serde(flatten)]
    pub state: UnitState,
    /// None: no probe for this unit.
    pub probe_ok: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probe: Option<String>,
    pub healthy: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub healthy: bool,
    pub units: Vec<Service>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

pub fn collect(q: &dyn UnitQuery, probes: &[(String, Probe)]) -> Report {
    collect_with(q, probes, probe)
}

/// [`collect`] with the prober given (tests).
pub fn collect_with(
    q: &dyn UnitQuery,
    probes: &[(String, Probe)],
    run: impl Fn(&Probe) -> Result<String, String>,
) -> Report {
    let states = match q.show(UNITS) {
        Ok(s) => s,
        Err(e) => {
            return Report {
                healthy: false,
                units: Vec::new(),
                error: Some(e),
            };
        }
    };
    let units: Vec<Service> = states
        .into_iter()
        .map(|state| {
            let result = probes
                .iter()
                .find(|(u, _)| *u == state.unit)
                .map(|(_, p)| run(p));
            let active = state.active_state == "active";
            let (probe_ok, probe) = match result {
                Some(Ok(s)) => (Some(true), Some(s)),
                Some(Err(s)) => (Some(false), Some(s)),
                None => (None, None),
            };
            Service {
                healthy: active && probe_ok != Some(false),
                probe_ok,
                probe,
                state,
            }
        })
        .collect();
    Report {
        healthy: !units.is_empty() && units.iter().all(|u| u.healthy),
        units,
        error: None,
    }
}

pub fn render(r: &Report) -> String {
    let mut s = String::new();
    if let Some(e) = &r.error {
        s.push_str(&format!("cannot ask systemd: {e}\n"));
    }
    for u in &r.units {
        s.push_str(&format!(
            "{} {:<24} {:<10} {:<10} {}\n",
            if u.healthy { "●" } else { "✗" },
            u.state.unit,
            u.state.active_state,
            u.state.sub_state,
            u.probe.as_deref().unwrap_or("")
        ));
    }
    s.push_str(if r.healthy {
        "all ainux services are healthy\n"
    } else {
        "some ainux services are NOT healthy\n"
    });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake(String);
    impl UnitQuery for Fake {
        fn show(&self, units: &[&str]) -> Result<Vec<UnitState>, String> {
            Ok(parse_show(&self.0, units))
        }
    }

    fn show_text(failed: &str) -> String {
        UNITS
            .iter()
            .map(|u| {
                let (a, s) = if *u == failed {
                    ("failed", "failed")
                } else {
                    ("active", "running")
                };
                format!("Id={u}\nLoadState=loaded\nActiveState={a}\nSubState={s}\n")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn parses_systemctl_show_blocks() {
        let v = parse_show(&show_text("healerd.service"), UNITS);
        assert_eq!(v.len(), UNITS.len());
        assert_eq!(v[3].unit, "healerd.service");
        assert_eq!(v[3].active_state, "failed");
        assert_eq!(v[0].sub_state, "running");
    }

    #[test]
    fn a_failed_unit_or_probe_makes_it_unhealthy() {
        let ok = collect_with(&Fake(show_text("")), &[], |_| Ok("x".into()));
        assert!(ok.healthy, "{ok:?}");
        let bad = collect_with(&Fake(show_text("aishd.service")), &[], |_| Ok("x".into()));
        assert!(!bad.healthy);
        assert!(render(&bad).contains("✗ aishd.service"));
        let probes = vec![(
            "healerd.service".to_string(),
            Probe::Unix("/nonexistent/x.sock".into()),
        )];
        let r = collect(&Fake(show_text("")), &probes);
        let h = r
            .units
            .iter()
            .find(|u| u.state.unit == "healerd.service")
            .unwrap();
        assert_eq!(h.probe_ok, Some(false));
        assert!(!r.healthy);
    }

    #[test]
    fn real_probes_against_loopback_servers() {
        let dir = tempfile::tempdir().unwrap();
        let sock = dir.path().join("s.sock");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        assert!(probe(&Probe::Unix(sock)).is_ok());
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = tcp.local_addr().unwrap().to_string();
        let t = std::thread::spawn(move || {
            for code in ["200 OK", "503 Service Unavailable"] {
                let (mut s, _) = tcp.accept().unwrap();
                let mut req = Vec::new();
                let mut buf = [0u8; 256];
                while !req.ends_with(b"\r\n\r\n") {
                    let n = s.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    req.extend_from_slice(&buf[..n]);
                }
                assert!(req.starts_with(b"GET /metrics HTTP/1.0\r\n"));
                // Written in pieces, as a real server may.
                for part in ["HTTP/1.0 ", code, "\r\n\r\n"] {
                    s.write_all(part.as_bytes()).unwrap();
                    s.flush().unwrap();
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
        });
        let p = Probe::Http {
            addr,
            path: "/metrics".into(),
        };
        assert!(probe(&p).is_ok());
        let e = probe(&p).unwrap_err();
        assert!(e.contains("503"), "{e}");
        t.join().unwrap();
    }
}
