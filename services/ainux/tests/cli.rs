//! The `ainux` binary end to end on a scratch btrfs (needs root; skipped otherwise).

use serde_json::Value;
use std::process::{Command, Output};

mod common;
use common::{Fs, fs};

fn config_file(fs: &Fs) -> std::path::PathBuf {
    let p = fs._dir.path().join("snapshot.toml");
    std::fs::write(
        &p,
        format!(
            "snapshots_dir = {:?}\nroot = {:?}\nhome = {:?}\nlock_file = {:?}\n[retention]\nspace_limit = 1.0\n",
            fs.cfg.snapshots_dir, fs.cfg.root, fs.cfg.home, fs.cfg.lock_file
        ),
    )
    .unwrap();
    p
}

fn ainux(fs: &Fs, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ainux"))
        .arg("--config-file")
        .arg(config_file(fs))
        .args(args)
        .env_remove("RUST_LOG")
        .output()
        .unwrap()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}: {}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

#[test]
fn create_list_rollback_delete_with_json_and_exit_codes() {
    let Some(fs) = fs("300M") else { return };
    let o = ainux(
        &fs,
        &[
            "snapshot",
            "create",
            "-d",
            "clean install",
            "--important",
            "--json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v = json(&o);
    assert_eq!(v["snapshot"]["id"], 1);
    assert_eq!(v["snapshot"]["importance"], "important");
    assert_eq!(v["snapshot"]["creator"], "root");

    let o = ainux(
        &fs,
        &[
            "snapshot",
            "create",
            "-d",
            "timer",
            "--creator",
            "timer",
            "--cleanup",
        ],
    );
    assert!(o.status.success());
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "2");

    let o = ainux(&fs, &["snapshot", "create", "-c", "home", "-d", "home"]);
    assert!(o.status.success());

    let v = json(&ainux(&fs, &["snapshot", "list", "--json"]));
    let ids: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(v[1]["creator"], "timer");
    let text = String::from_utf8_lossy(&ainux(&fs, &["snapshot", "list"]).stdout).to_string();
    assert!(
        text.contains("clean install") && text.contains("| !"),
        "{text}"
    );

    std::fs::write(fs.mnt.join("@/etc/marker"), "broken\n").unwrap();
    let v = json(&ainux(&fs, &["snapshot", "diff", "1", "--json"]));
    assert_eq!(v[0]["path"], "/etc/marker");
    assert_eq!(v[0]["status"], "modified");

    // Missing id: exit 4, JSON error.
    let o = ainux(&fs, &["rollback", "99", "--json"]);
    assert_eq!(o.status.code(), Some(4));
    let v = json(&o);
    assert_eq!(v["ok"], false);
    assert_eq!(v["kind"], "not-found");

    let o = ainux(&fs, &["rollback", "1"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("Reboot"), "{text}");
    let v = json(&ainux(&fs, &["snapshot", "list", "--json"]));
    let def: Vec<u64> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["default"] == true)
        .map(|e| e["id"].as_u64().unwrap())
        .collect();
    assert_eq!(def, vec![4]);

    // Deleting the default: refused, exit 3, message on stderr.
    let o = ainux(&fs, &["snapshot", "delete", "4"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&o.stderr).contains("default subvolume"));
    let o = ainux(&fs, &["snapshot", "delete", "2", "--json"]);
    assert!(o.status.success());
    assert_eq!(json(&o)["deleted"][0], 2);
}

#[test]
fn a_second_command_waits_or_fails_with_no_wait() {
    let Some(fs) = fs("300M") else { return };
    let held = ainux::lock::acquire(&fs.cfg.lock_file, "test holder", false, |_| {}).unwrap();
    let o = ainux(&fs, &["snapshot", "create", "-d", "x", "--no-wait"]);
    assert_eq!(o.status.code(), Some(5));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("another snapshot operation is running") && err.contains("test holder"),
        "{err}"
    );
    // Without --no-wait it says it waits, and finishes once the lock is released.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ainux"))
        .arg("--config-file")
        .arg(config_file(&fs))
        .args(["snapshot", "create", "-d", "waited"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Release the lock only once it says so (however long a loaded machine takes to start it).
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let reader = std::thread::spawn(move || {
        use std::io::BufRead;
        let mut all = String::new();
        for line in std::io::BufReader::new(stderr).lines() {
            let line = line.unwrap();
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(l) if l.contains("waiting for another snapshot operation") => break,
            Ok(_) => {}
            Err(e) => panic!("no waiting message: {e}"),
        }
    }
    drop(held);
    let o = child.wait_with_output().unwrap();
    let err = reader.join().unwrap();
    assert!(o.status.success(), "{err}");
    assert!(err.contains("test holder"), "{err}");
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "1");
}

#[test]
fn dispatch_runs_the_tool_and_propagates_its_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let tool = dir.path().join("questlog");
    std::fs::write(&tool, "#!/bin/sh\necho \"questlog $*\"\nexit 3\n").unwrap();
    std::fs::set_permissions(&tool, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_ainux"))
        .args(["log", "search", "--since", "1h", "nginx"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "questlog search --since 1h nginx"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_ainux"))
        .args(["log", "--json", "--help"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).trim(),
        "questlog --json --help"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_ainux"))
        .args(["ask", "x"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(127));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`aish` is not installed"));
}
