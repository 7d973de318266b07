//! The aishd binary itself: config file, JSON logs with named events, the
//! socket, the metrics endpoint, and remembered approvals across a restart.

mod common;

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// An OpenAI-compatible server on 127.0.0.1:0 that proposes `cmd`.
fn provider(cmd: &'static str) -> String {
    common::provider(cmd).0
}

struct Daemon {
    child: Child,
    logs: mpsc::Receiver<Value>,
    seen: Vec<Value>,
}

impl Daemon {
    fn spawn(dir: &std::path::Path, config: &std::path::Path) -> Daemon {
        let mut child = Command::new(env!("CARGO_BIN_EXE_aishd"))
            .args(["--config".as_ref(), config.as_os_str()])
            .env("RUNTIME_DIRECTORY", dir.join("run"))
            .env("STATE_DIRECTORY", dir.join("state"))
            .env("AINUX_AISHD__METRICS_LISTEN", "127.0.0.1:0")
            .env("AINUX_LOG_JSON", "1")
            .env("RUST_LOG", "info")
            .env_remove("NOTIFY_SOCKET")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let err = child.stderr.take().unwrap();
        let (tx, logs) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines().map_while(Result::ok) {
                let v = serde_json::from_str(&line)
                    .unwrap_or_else(|_| panic!("not a JSON log line: {line}"));
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        Daemon {
            child,
            logs,
            seen: vec![],
        }
    }

    /// Waits for a log event named `name`.
    fn wait(&mut self, name: &str) -> Value {
        if let Some(v) = self.seen.iter().find(|v| v["event"] == name) {
            return v.clone();
        }
        loop {
            let v = self
                .logs
                .recv_timeout(Duration::from_secs(20))
                .unwrap_or_else(|_| panic!("no {name} event; saw {:?}", self.seen));
            self.seen.push(v.clone());
            if v["event"] == name {
                return v;
            }
        }
    }

    fn stop(mut self) {
        unsafe { libc_kill(self.child.id() as i32, 15) };
        let st = self.child.wait().unwrap();
        assert!(st.success(), "{st}");
    }
}

unsafe extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

fn call(c: &mut BufReader<UnixStream>, v: Value) -> Value {
    c.get_mut().write_all(format!("{v}\n").as_bytes()).unwrap();
    let mut s = String::new();
    c.read_line(&mut s).unwrap();
    serde_json::from_str(&s).unwrap()
}

fn http_get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nhost: x\r\n\r\n").unwrap();
    let mut out = String::new();
    std::io::Read::read_to_string(&mut s, &mut out).unwrap();
    out
}

#[test]
fn logs_metrics_and_remembered_approvals_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let good = provider("rm -r /srv/old-build");
    let refused = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/v1", l.local_addr().unwrap())
    };
    // systemd creates the runtime directory; STATE_DIRECTORY is created by aishd if missing.
    std::fs::create_dir(dir.path().join("run")).unwrap();
    let config = dir.path().join("aish.toml");
    std::fs::write(
        &config,
        format!(
            "[llm]\nmodel = \"m\"\n[llm.circuit_breaker]\nthreshold = 1\n[llm.retry]\nmax_attempts = 1\n\
             [[llm.providers]]\nname = \"down\"\nkind = \"openai\"\nbase_url = \"{refused}\"\n\
             [[llm.providers]]\nname = \"up\"\nkind = \"openai\"\nbase_url = \"{good}\"\n"
        ),
    )
    .unwrap();
    let mut d = Daemon::spawn(dir.path(), &config);
    let addr = d.wait("metrics_listening")["address"]
        .as_str()
        .unwrap()
        .to_string();
    let probed = d.wait("provider_probed");
    assert_eq!(probed["provider"], "down");
    d.wait("started");
    assert!(http_get(&addr, "/startupz").starts_with("HTTP/1.1 200"));
    let sock = dir.path().join("run/aishd.sock");
    let mut c = BufReader::new(UnixStream::connect(&sock).unwrap());
    let r = call(
        &mut c,
        json!({"op": "submit", "request": "remove the old build"}),
    );
    assert_eq!(r["job"]["source"]["name"], "up", "{r}");
    let failed = d.wait("provider_failed");
    assert_eq!(failed["provider"], "down");
    assert_eq!(d.wait("circuit_opened")["provider"], "down");
    assert_eq!(d.wait("command_translated")["provider"], "up");
    let id = r["job"]["job"].as_u64().unwrap();
    let a = call(
        &mut c,
        json!({"op": "approve", "job": id, "remember": true}),
    );
    assert_eq!(a["remembered"], "rm -r /srv/old-build", "{a}");
    let m = http_get(&addr, "/metrics");
    assert!(m.contains("aish_breaker_state{provider=\"down\"} 1"), "{m}");
    assert!(m.contains("aishd_remembered 1"), "{m}");
    // No key, no secret in the logs: there is none configured, but the
    // provider URL's host is fine to log; the request text is not logged.
    assert!(
        d.seen
            .iter()
            .all(|v| !v.to_string().contains("remove the old build"))
    );
    drop(c);
    d.stop();

    let mut d = Daemon::spawn(dir.path(), &config);
    d.wait("started");
    let mut c = BufReader::new(UnixStream::connect(&sock).unwrap());
    let r = call(
        &mut c,
        json!({"op": "submit", "request": "remove the old build"}),
    );
    assert_eq!(r["job"]["state"], "approved", "{r}");
    assert_eq!(r["job"]["approval_needed"], false);
    d.stop();
}

fn run_to_exit(dir: &std::path::Path, config: &std::path::Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aishd"))
        .args(["--config".as_ref(), config.as_os_str()])
        .env("RUNTIME_DIRECTORY", dir.join("run"))
        .env("STATE_DIRECTORY", dir.join("state"))
        .env("AINUX_AISHD__METRICS_LISTEN", "")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Bad input: an unsupported config value names the file, line and key; a
/// key file others can read is refused with the reason and without the key.
#[test]
fn bad_config_and_loose_key_files_are_refused_with_the_reason() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("run")).unwrap();
    let config = dir.path().join("aish.toml");
    std::fs::write(
        &config,
        "[llm]\nmodel = \"m\"\n[llm.cache]\nsize = 10\nttl = \"an hour\"\n",
    )
    .unwrap();
    let (code, err) = run_to_exit(dir.path(), &config);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("aish.toml:5") && err.contains("ttl"), "{err}");

    let key = dir.path().join("openai.key");
    std::fs::write(&key, "sk-do-not-print-me\n").unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(
        &config,
        format!(
            "[llm]\n[[llm.providers]]\nname = \"openai\"\nkind = \"openai\"\nbase_url = \"http://127.0.0.1:9/v1\"\napi_key_file = \"{}\"\n",
            key.display()
        ),
    )
    .unwrap();
    let (code, err) = run_to_exit(dir.path(), &config);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("openai.key") && err.contains("mode 644") && err.contains("chmod 600"),
        "{err}"
    );
    assert!(!err.contains("sk-do-not-print-me"), "{err}");
}

/// SIGHUP with a broken file keeps the last good configuration.
#[test]
fn a_bad_reload_keeps_the_last_good_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("run")).unwrap();
    let good = provider("uptime");
    let config = dir.path().join("aish.toml");
    let text = format!(
        "[llm]\n[[llm.providers]]\nname = \"up\"\nkind = \"openai\"\nbase_url = \"{good}\"\n"
    );
    std::fs::write(&config, &text).unwrap();
    let mut d = Daemon::spawn(dir.path(), &config);
    d.wait("started");
    std::fs::write(&config, format!("{text}colour = 3\n")).unwrap();
    unsafe { libc_kill(d.child.id() as i32, 1) };
    let failed = d.wait("config_reload_failed");
    assert!(
        failed["cause"].as_str().unwrap().contains("colour"),
        "{failed}"
    );
    let mut c = BufReader::new(UnixStream::connect(dir.path().join("run/aishd.sock")).unwrap());
    let r = call(&mut c, json!({"op": "submit", "request": "uptime please"}));
    assert_eq!(r["job"]["source"]["name"], "up", "{r}");
    d.stop();
}
