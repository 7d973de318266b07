//! Running external programs: interruption, progress and logs.
//!
//! Every child runs in its own process group, so that an interrupt of the builder (SIGINT,
//! SIGTERM, SIGHUP) is handled here: the child group is killed, the step fails with
//! [`RunError::Interrupted`] and the callers' guards clean up. Mounting only ever happens inside
//! a private mount namespace made by `unshare`, so mounts vanish with the process that made them.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static SIGNAL: AtomicI32 = AtomicI32::new(0);

extern "C" fn on_signal(sig: libc::c_int) {
    SIGNAL.store(sig, Ordering::SeqCst);
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Installs handlers for SIGINT, SIGTERM and SIGHUP that mark the build as interrupted.
pub fn install_signal_handlers() {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: the handler only stores to atomics, which is async-signal-safe.
        unsafe {
            libc::signal(sig, on_signal as *const () as libc::sighandler_t);
        }
    }
}

pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The signal that interrupted the build, if any.
pub fn interrupt_signal() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("could not start {program}")]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{what} failed ({status}); its last output:\n{tail}")]
    Failed {
        what: String,
        status: String,
        tail: String,
        /// The whole standard error, for callers that diagnose it.
        stderr: String,
    },
    #[error("interrupted while running {what}")]
    Interrupted { what: String },
}

/// What the caller wants to see of a child's progress.
#[derive(Clone, Copy, Debug)]
pub enum Progress {
    /// Print nothing but the heartbeat.
    Quiet,
    /// Print lines for which the filter returns a summary.
    Lines(fn(&str) -> Option<String>),
}

/// The captured output of a child that succeeded.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
}

fn describe(status: std::process::ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit code {c}"),
        (None, Some(s)) => format!("killed by signal {s}"),
        _ => "unknown status".into(),
    }
}

/// Runs `cmd` to completion, logging its output to `log` (appended) and printing progress
/// (`what`, every `heartbeat` when no line was printed, and the lines `progress` selects).
pub fn run(
    cmd: &mut Command,
    what: &str,
    log: Option<&Path>,
    progress: Progress,
) -> Result<Output, RunError> {
    if interrupted() {
        return Err(RunError::Interrupted { what: what.into() });
    }
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    let mut child = cmd.spawn().map_err(|source| RunError::Spawn {
        program: program.clone(),
        source,
    })?;
    let pid = child.id() as libc::pid_t;
    let mut logf = log.and_then(|p| {
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(p)
            .ok()
    });
    if let Some(f) = logf.as_mut() {
        let _ = writeln!(f, "\n### {what}\n### {:?}", cmd);
    }

    enum Line {
        Out(String),
        Err(String),
    }
    let (tx, rx) = mpsc::channel::<Line>();
    let out = child.stdout.take().expect("piped");
    let err = child.stderr.take().expect("piped");
    let tx2 = tx.clone();
    let t_out = std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(Line::Out(line));
        }
    });
    let t_err = std::thread::spawn(move || {
        for line in BufReader::new(err).lines().map_while(Result::ok) {
            let _ = tx2.send(Line::Err(line));
        }
    });

    let start = Instant::now();
    let mut last_print = Instant::now();
    let heartbeat = Duration::from_secs(15);
    let mut stdout = String::new();
    let mut stderr = String::new();
    let status = loop {
        match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(line) => {
                let (l, buf) = match line {
                    Line::Out(l) => (l, &mut stdout),
                    Line::Err(l) => (l, &mut stderr),
                };
                if let Some(f) = logf.as_mut() {
                    let _ = writeln!(f, "{l}");
                }
                if let Progress::Lines(filter) = progress
                    && let Some(s) = filter(&l)
                {
                    eprintln!("    {s}");
                    last_print = Instant::now();
                }
                buf.push_str(&l);
                buf.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                // Both pipes closed: the child is gone or closing.
                match child.wait() {
                    Ok(s) => break s,
                    Err(e) => {
                        return Err(RunError::Spawn { program, source: e });
                    }
                }
            }
        }
        if interrupted() {
            // SAFETY: kill(2) on our child's own process group.
            unsafe {
                libc::kill(-pid, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(5);
            loop {
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                if Instant::now() > deadline {
                    // SAFETY: as above.
                    unsafe {
                        libc::kill(-pid, libc::SIGKILL);
                    }
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            return Err(RunError::Interrupted { what: what.into() });
        }
        if last_print.elapsed() >= heartbeat {
            eprintln!(
                "    … {what}: still running ({} s)",
                start.elapsed().as_secs()
            );
            last_print = Instant::now();
        }
    };
    let _ = t_out.join();
    let _ = t_err.join();
    if status.success() {
        Ok(Output { stdout, stderr })
    } else {
        // The last lines of stderr, or of stdout when the program said nothing on stderr.
        let source = if stderr.trim().is_empty() {
            &stdout
        } else {
            &stderr
        };
        let lines: Vec<&str> = source.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..]
            .iter()
            .map(|l| format!("    {l}"))
            .collect::<Vec<_>>()
            .join("\n");
        Err(RunError::Failed {
            what: what.into(),
            status: describe(status),
            tail,
            stderr,
        })
    }
}

/// Runs `script` with `sh -c` inside a fresh private mount namespace (`unshare --mount`), so
/// that any mount it makes disappears when it exits, whatever happens to the builder.
pub fn in_mount_namespace(script: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-euc",
        script,
        "sh",
    ]);
    cmd.args(args);
    cmd
}

/// A command run with `chroot ROOT` inside its own mount namespace, with `/proc`, `/sys` and
/// `/dev` of the host available in the chroot for the duration.
pub fn in_chroot(root: &Path, command: &str) -> Command {
    const SCRIPT: &str = r#"
R="$1"; shift
mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"
mount --rbind /dev "$R/dev"
mount -t tmpfs tmpfs "$R/run"
mount -t tmpfs tmpfs "$R/tmp"
exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 SYSTEMD_OFFLINE=1 /bin/sh -euc "$1"
"#;
    let root = root.to_string_lossy().into_owned();
    in_mount_namespace(SCRIPT, &[&root, command])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_output_and_reports_failure_tail() {
        let out = run(
            Command::new("sh").args(["-c", "echo out; echo err >&2"]),
            "echo",
            None,
            Progress::Quiet,
        )
        .unwrap();
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.stderr, "err\n");

        let err = run(
            Command::new("sh").args([
                "-c",
                "echo 'E: Unable to locate package nope' >&2; exit 100",
            ]),
            "apt",
            None,
            Progress::Quiet,
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("exit code 100"), "{text}");
        assert!(text.contains("Unable to locate package nope"), "{text}");
    }

    #[test]
    fn missing_program_is_a_spawn_error() {
        let err = run(
            &mut Command::new("/nonexistent/tool"),
            "tool",
            None,
            Progress::Quiet,
        )
        .unwrap_err();
        assert!(matches!(err, RunError::Spawn { .. }));
    }
}
