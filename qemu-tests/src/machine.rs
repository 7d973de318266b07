//! A QEMU machine booted from the built image, driven through the guest agent.

use std::collections::HashMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ainux_agent::{Message, PORT_NAME, Request, encode_line, unb64};

use crate::accel::Accel;

pub const OVMF_CODE: &str = "/usr/share/OVMF/OVMF_CODE_4M.fd";
pub const OVMF_VARS: &str = "/usr/share/OVMF/OVMF_VARS_4M.fd";

/// Console lines that fail every test (kernel and systemd trouble).
pub const CONSOLE_FAILURES: &[&str] = &[
    "Kernel panic",
    "Oops:",
    "BUG:",
    "invoked oom-killer",
    "segfault at",
    "Found ordering cycle",
    "Breaking ordering cycle",
];

#[derive(Debug, thiserror::Error)]
pub enum VmError {
    #[error(
        "the image {0} does not exist.\n  what to do: build it first (scripts/build, or `ainux-image`), or set AINUX_IMAGE"
    )]
    NoImage(PathBuf),
    #[error(
        "the UEFI firmware {0} is missing.\n  what to do: apt-get install ovmf (scripts/setup does this)"
    )]
    NoFirmware(PathBuf),
    #[error(
        "QEMU could not start ({program}): {source}\n  what to do: apt-get install --no-install-recommends qemu-system-x86 (scripts/setup does this)"
    )]
    Spawn {
        program: String,
        #[source]
        source: std::io::Error,
    },
    #[error("QEMU exited ({status}) while {awaiting}; its last words:\n{stderr}")]
    QemuExited {
        status: String,
        awaiting: String,
        stderr: String,
    },
    #[error("timed out after {secs:.0} s waiting for {awaiting}")]
    Timeout { secs: f64, awaiting: String },
    #[error(
        "command failed in the guest (exit {exit:?}): {cmd}\n--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}"
    )]
    CommandFailed {
        cmd: String,
        exit: Option<i32>,
        stdout: String,
        stderr: String,
    },
    #[error("command unexpectedly succeeded in the guest: {cmd}\n--- stdout ---\n{stdout}")]
    UnexpectedSuccess { cmd: String, stdout: String },
    #[error("the agent could not carry out the request: {0}")]
    Agent(String),
    #[error("unit {unit} entered state {state} while waiting for it to become active\n{status}")]
    UnitFailed {
        unit: String,
        state: String,
        status: String,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("health check failed: {0}")]
    Health(String),
}

fn ioe(what: impl Into<String>) -> impl FnOnce(std::io::Error) -> VmError {
    let what = what.into();
    move |source| VmError::Io { what, source }
}

/// The result of a command run in the guest.
#[derive(Debug, Clone)]
pub struct ExecResult {
    pub exit: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
}

impl ExecResult {
    pub fn success(&self) -> bool {
        self.exit == Some(0)
    }
}

/// Builds a [`Machine`].
#[derive(Debug, Clone)]
pub struct MachineBuilder {
    image: PathBuf,
    name: String,
    memory_mib: u64,
    cpus: u32,
    accel: Option<Accel>,
    boot_timeout: Duration,
    command_timeout: Duration,
    network: bool,
    extra_args: Vec<String>,
    qemu: PathBuf,
    ovmf_code: PathBuf,
    ovmf_vars: PathBuf,
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

impl MachineBuilder {
    pub fn new(image: &Path) -> MachineBuilder {
        MachineBuilder {
            image: image.to_path_buf(),
            name: "machine".into(),
            memory_mib: 2048,
            cpus: 2,
            accel: None,
            boot_timeout: Duration::from_secs(300),
            command_timeout: Duration::from_secs(120),
            network: true,
            extra_args: Vec::new(),
            qemu: env_path("AINUX_QEMU", "qemu-system-x86_64"),
            ovmf_code: env_path("AINUX_OVMF_CODE", OVMF_CODE),
            ovmf_vars: env_path("AINUX_OVMF_VARS", OVMF_VARS),
        }
    }
    /// The QEMU binary (default `$AINUX_QEMU`, else `qemu-system-x86_64`).
    pub fn qemu_binary(mut self, p: &Path) -> Self {
        self.qemu = p.to_path_buf();
        self
    }
    /// The OVMF code and variables templates (default `$AINUX_OVMF_CODE`/`$AINUX_OVMF_VARS`,
    /// else Debian's `ovmf` package's 4M files).
    pub fn ovmf(mut self, code: &Path, vars: &Path) -> Self {
        self.ovmf_code = code.to_path_buf();
        self.ovmf_vars = vars.to_path_buf();
        self
    }
    pub fn name(mut self, n: &str) -> Self {
        self.name = n.to_string();
        self
    }
    pub fn memory_mib(mut self, m: u64) -> Self {
        self.memory_mib = m;
        self
    }
    pub fn cpus(mut self, c: u32) -> Self {
        self.cpus = c;
        self
    }
    pub fn accel(mut self, a: Accel) -> Self {
        self.accel = Some(a);
        self
    }
    /// How long to wait for the agent (and for `booted` in [`Machine::wait_for_boot`]).
    pub fn boot_timeout(mut self, t: Duration) -> Self {
        self.boot_timeout = t;
        self
    }
    /// Default timeout of `succeed`/`fail`/`execute`.
    pub fn command_timeout(mut self, t: Duration) -> Self {
        self.command_timeout = t;
        self
    }
    pub fn network(mut self, on: bool) -> Self {
        self.network = on;
        self
    }
    pub fn qemu_arg(mut self, a: &str) -> Self {
        self.extra_args.push(a.to_string());
        self
    }

    /// Creates the machine's directory (overlay, firmware variables) and boots it, returning
    /// once the guest agent reported `ready`.
    pub fn start(self) -> Result<Machine, VmError> {
        if !self.image.is_file() {
            return Err(VmError::NoImage(self.image.clone()));
        }
        for f in [&self.ovmf_code, &self.ovmf_vars] {
            if !f.is_file() {
                return Err(VmError::NoFirmware(f.clone()));
            }
        }
        let accel = self
            .accel
            .unwrap_or_else(|| crate::accel::probe_accel(&self.image));
        let base = std::env::temp_dir();
        let dir = base.join(format!(
            "ainux-vm-{}-{}-{}",
            self.name,
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        fs::create_dir_all(&dir).map_err(ioe(format!("creating {}", dir.display())))?;
        let overlay = dir.join("overlay.qcow2");
        let fmt = if self.image.extension().and_then(|e| e.to_str()) == Some("qcow2") {
            "qcow2"
        } else {
            "raw"
        };
        let image = fs::canonicalize(&self.image).map_err(ioe("resolving the image path"))?;
        let out = Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", fmt, "-b"])
            .arg(&image)
            .arg(&overlay)
            .output()
            .map_err(|source| VmError::Spawn {
                program: "qemu-img".into(),
                source,
            })?;
        if !out.status.success() {
            return Err(VmError::Agent(format!(
                "qemu-img create failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )));
        }
        let vars = dir.join("OVMF_VARS.fd");
        fs::copy(&self.ovmf_vars, &vars).map_err(ioe("copying the OVMF variables"))?;
        let mut m = Machine {
            cfg: self,
            accel,
            dir,
            overlay,
            vars,
            qemu: None,
            conn: None,
            pending: Arc::new(Mutex::new(HashMap::new())),
            events: None,
            next_id: 1,
            boot_id: String::new(),
            started_at: Instant::now(),
            booted_after: None,
            expected_restarts: Vec::new(),
            expected_console: Vec::new(),
            awaiting: Arc::new(Mutex::new(String::new())),
            stopped: false,
            pid: Arc::new(AtomicU32::new(0)),
            cancel: Arc::new(AtomicBool::new(false)),
        };
        m.launch()?;
        Ok(m)
    }
}

static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

type Pending = Arc<Mutex<HashMap<u64, Sender<Message>>>>;

/// A running (or crashed) QEMU guest.
pub struct Machine {
    cfg: MachineBuilder,
    accel: Accel,
    dir: PathBuf,
    overlay: PathBuf,
    vars: PathBuf,
    qemu: Option<Child>,
    conn: Option<UnixStream>,
    pending: Pending,
    events: Option<Receiver<Message>>,
    next_id: u64,
    boot_id: String,
    started_at: Instant,
    booted_after: Option<Duration>,
    expected_restarts: Vec<String>,
    expected_console: Vec<String>,
    awaiting: Arc<Mutex<String>>,
    stopped: bool,
    pid: Arc<AtomicU32>,
    cancel: Arc<AtomicBool>,
}

impl Machine {
    pub fn accel(&self) -> Accel {
        self.accel
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn console_path(&self) -> PathBuf {
        self.dir.join("console.log")
    }
    /// The guest's current boot id (from the agent's `ready` event).
    pub fn boot_id(&self) -> &str {
        &self.boot_id
    }
    /// Time from QEMU's start to the guest's `booted` notification, once seen.
    pub fn boot_time(&self) -> Option<Duration> {
        self.booted_after
    }
    /// QEMU's current pid (0 when not running), for watchdogs.
    pub fn pid_handle(&self) -> Arc<AtomicU32> {
        Arc::clone(&self.pid)
    }
    /// Set to make every wait of this machine give up at once (a test's time limit);
    /// cleared by the runner before it collects artifacts.
    pub fn cancel_handle(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.cancel)
    }
    fn cancelled(&self, what: &str, timeout: Duration) -> Result<(), VmError> {
        if self.cancel.load(Ordering::SeqCst) {
            return Err(VmError::Timeout {
                secs: timeout.as_secs_f64(),
                awaiting: format!("{what} (the test's time limit was reached)"),
            });
        }
        Ok(())
    }
    /// What the machine is waiting for right now (for per-test timeout messages).
    pub fn awaiting_handle(&self) -> Arc<Mutex<String>> {
        Arc::clone(&self.awaiting)
    }

    fn set_awaiting(&self, what: &str) {
        *self.awaiting.lock().unwrap_or_else(|e| e.into_inner()) = what.to_string();
    }

    fn launch(&mut self) -> Result<(), VmError> {
        let sock = self.dir.join("agent.sock");
        let _ = fs::remove_file(&sock);
        let console = self.console_path();
        let mut args: Vec<String> = vec![
            "-machine".into(),
            "q35,smm=off".into(),
            "-smp".into(),
            self.cfg.cpus.to_string(),
            "-m".into(),
            format!("{}M", self.cfg.memory_mib),
            "-display".into(),
            "none".into(),
            "-monitor".into(),
            "none".into(),
            "-nodefaults".into(),
            "-no-user-config".into(),
            "-drive".into(),
            format!(
                "if=pflash,format=raw,unit=0,readonly=on,file={}",
                self.cfg.ovmf_code.display()
            ),
            "-drive".into(),
            format!("if=pflash,format=raw,unit=1,file={}", self.vars.display()),
            "-drive".into(),
            format!(
                "if=none,id=disk0,format=qcow2,file={},discard=unmap",
                self.overlay.display()
            ),
            "-device".into(),
            "virtio-blk-pci,drive=disk0,bootindex=0".into(),
            "-chardev".into(),
            format!("file,id=console,path={},append=on", console.display()),
            "-serial".into(),
            "chardev:console".into(),
            "-device".into(),
            "virtio-serial-pci".into(),
            "-chardev".into(),
            format!("socket,id=agent,path={},server=on,wait=off", sock.display()),
            "-device".into(),
            format!("virtserialport,chardev=agent,name={PORT_NAME}"),
            "-device".into(),
            "virtio-rng-pci".into(),
        ];
        args.extend(self.accel.qemu_args());
        if self.cfg.network {
            args.extend([
                "-nic".into(),
                "user,model=virtio-net-pci,restrict=on".into(),
            ]);
        } else {
            args.extend(["-nic".into(), "none".into()]);
        }
        args.extend(self.cfg.extra_args.iter().cloned());
        let stderr =
            fs::File::create(self.dir.join("qemu.stderr")).map_err(ioe("creating qemu.stderr"))?;
        let mut cmd = Command::new(&self.cfg.qemu);
        cmd.args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(stderr);
        // QEMU dies with the test process, whatever happens to it.
        // SAFETY: prctl in the child before exec is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        fs::write(self.dir.join("qemu.cmdline"), format!("{args:?}\n")).ok();
        self.started_at = Instant::now();
        self.booted_after = None;
        let child = cmd.spawn().map_err(|source| VmError::Spawn {
            program: self.cfg.qemu.display().to_string(),
            source,
        })?;
        self.pid.store(child.id(), Ordering::SeqCst);
        self.qemu = Some(child);
        self.stopped = false;

        // Connect to the agent socket QEMU creates.
        self.set_awaiting("QEMU to create the agent socket");
        let deadline = Instant::now() + Duration::from_secs(30);
        let stream = loop {
            self.check_alive("QEMU to create the agent socket")?;
            match UnixStream::connect(&sock) {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(e) => return Err(ioe("connecting to the agent socket")(e)),
            }
        };
        let reader = stream
            .try_clone()
            .map_err(ioe("cloning the agent socket"))?;
        let (etx, erx) = mpsc::channel();
        let pending = Arc::clone(&self.pending);
        std::thread::spawn(move || read_loop(reader, pending, etx));
        self.conn = Some(stream);
        self.events = Some(erx);
        let boot_timeout = self.cfg.boot_timeout;
        match self.wait_event(
            |m| matches!(m, Message::Ready { .. }),
            boot_timeout,
            "the guest agent's ready event (kernel, initrd and systemd up)",
        )? {
            Message::Ready { boot_id, .. } => self.boot_id = boot_id,
            _ => unreachable!("filtered"),
        }
        Ok(())
    }

    fn check_alive(&mut self, awaiting: &str) -> Result<(), VmError> {
        if let Some(c) = self.qemu.as_mut()
            && let Ok(Some(status)) = c.try_wait()
        {
            let stderr = fs::read_to_string(self.dir.join("qemu.stderr")).unwrap_or_default();
            return Err(VmError::QemuExited {
                status: status.to_string(),
                awaiting: awaiting.to_string(),
                stderr: stderr.lines().rev().take(10).collect::<Vec<_>>().join("\n"),
            });
        }
        Ok(())
    }

    /// Waits for an unsolicited guest event matching `pred`.
    fn wait_event(
        &mut self,
        pred: impl Fn(&Message) -> bool,
        timeout: Duration,
        what: &str,
    ) -> Result<Message, VmError> {
        self.set_awaiting(what);
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if now >= deadline {
                return Err(VmError::Timeout {
                    secs: timeout.as_secs_f64(),
                    awaiting: what.to_string(),
                });
            }
            self.cancelled(what, timeout)?;
            let slice = (deadline - now).min(Duration::from_millis(250));
            let got = self.events.as_ref().expect("connected").recv_timeout(slice);
            match got {
                Ok(m) if pred(&m) => return Ok(m),
                Ok(_) => {}
                Err(RecvTimeoutError::Timeout) => self.check_alive(what)?,
                Err(RecvTimeoutError::Disconnected) => {
                    self.check_alive(what)?;
                    return Err(VmError::Agent(format!(
                        "the agent connection closed while waiting for {what}"
                    )));
                }
            }
        }
    }

    /// Waits for the guest's `booted` notification (multi-user.target reached) of this boot.
    pub fn wait_for_boot(&mut self) -> Result<Duration, VmError> {
        if let Some(d) = self.booted_after {
            return Ok(d);
        }
        let boot = self.boot_id.clone();
        let timeout = self.cfg.boot_timeout;
        self.wait_event(
            |m| matches!(m, Message::Event { name, boot_id, .. } if name == "booted" && *boot_id == boot),
            timeout,
            "multi-user.target (the guest's booted notification)",
        )?;
        let d = self.started_at.elapsed();
        self.booted_after = Some(d);
        Ok(d)
    }

    fn request(&mut self, req: Request, timeout: Duration, what: &str) -> Result<Message, VmError> {
        let id = req.id();
        let (tx, rx) = mpsc::channel();
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        self.set_awaiting(what);
        let line = encode_line(&req);
        self.conn
            .as_mut()
            .ok_or_else(|| VmError::Agent("the machine is not running".into()))?
            .write_all(&line)
            .map_err(ioe("writing to the agent"))?;
        let deadline = Instant::now() + timeout;
        loop {
            let now = Instant::now();
            if now >= deadline {
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
                return Err(VmError::Timeout {
                    secs: timeout.as_secs_f64(),
                    awaiting: what.to_string(),
                });
            }
            self.cancelled(what, timeout)?;
            match rx.recv_timeout((deadline - now).min(Duration::from_millis(250))) {
                Ok(m) => return Ok(m),
                Err(RecvTimeoutError::Timeout) => self.check_alive(what)?,
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(VmError::Agent(format!("connection lost while {what}")));
                }
            }
        }
    }

    fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Runs `cmd` (with `/bin/sh -c`) as root in the guest.
    pub fn execute(&mut self, cmd: &str, timeout: Duration) -> Result<ExecResult, VmError> {
        let id = self.id();
        // The guest kills the command a little before the host gives up on the reply.
        let guest_ms = timeout.as_millis().saturating_sub(500).max(100) as u64;
        let reply = self.request(
            Request::Exec {
                id,
                cmd: cmd.to_string(),
                timeout_ms: guest_ms,
            },
            timeout + Duration::from_secs(5),
            &format!("`{cmd}` in the guest"),
        )?;
        match reply {
            Message::Reply {
                exit,
                signal,
                timed_out,
                stdout,
                stderr,
                error,
                ..
            } => {
                if let Some(e) = error {
                    return Err(VmError::Agent(e));
                }
                let dec =
                    |s: &str| String::from_utf8_lossy(&unb64(s).unwrap_or_default()).into_owned();
                Ok(ExecResult {
                    exit,
                    signal,
                    timed_out,
                    stdout: dec(&stdout),
                    stderr: dec(&stderr),
                })
            }
            other => Err(VmError::Agent(format!("unexpected reply {other:?}"))),
        }
    }

    /// Runs `cmd`; returns its stdout, or fails with its output when it exits non-zero.
    pub fn succeed(&mut self, cmd: &str) -> Result<String, VmError> {
        let t = self.cfg.command_timeout;
        self.succeed_within(cmd, t)
    }

    pub fn succeed_within(&mut self, cmd: &str, timeout: Duration) -> Result<String, VmError> {
        let r = self.execute(cmd, timeout)?;
        if r.timed_out {
            return Err(VmError::Timeout {
                secs: timeout.as_secs_f64(),
                awaiting: format!("`{cmd}` to finish in the guest"),
            });
        }
        if r.success() {
            Ok(r.stdout)
        } else {
            Err(VmError::CommandFailed {
                cmd: cmd.to_string(),
                exit: r.exit,
                stdout: r.stdout,
                stderr: r.stderr,
            })
        }
    }

    /// Runs `cmd` and expects it to fail; returns its stderr.
    pub fn fail(&mut self, cmd: &str) -> Result<String, VmError> {
        let t = self.cfg.command_timeout;
        let r = self.execute(cmd, t)?;
        if r.success() {
            Err(VmError::UnexpectedSuccess {
                cmd: cmd.to_string(),
                stdout: r.stdout,
            })
        } else {
            Ok(r.stderr)
        }
    }

    /// Retries `cmd` until it succeeds (the retry loop runs inside the guest, ~5 tries a
    /// second), or fails after `timeout` with the last output.
    pub fn wait_until_succeeds(&mut self, cmd: &str, timeout: Duration) -> Result<String, VmError> {
        let secs = timeout.as_secs_f64();
        let script = format!(
            "end=$(( $(date +%s) + {} )); while :; do out=$( {{ {cmd} ; }} 2>&1 ) && {{ printf '%s' \"$out\"; exit 0; }}; \
             [ $(date +%s) -ge $end ] && {{ printf '%s' \"$out\" >&2; exit 1; }}; sleep 0.2; done",
            secs.ceil() as u64
        );
        let r = self.execute(&script, timeout + Duration::from_secs(5))?;
        if r.success() {
            Ok(r.stdout)
        } else {
            Err(VmError::Timeout {
                secs,
                awaiting: format!("`{cmd}` to succeed; last output:\n{}", r.stderr),
            })
        }
    }

    /// Waits until `unit` is active; fails at once if it enters `failed`.
    pub fn wait_for_unit(&mut self, unit: &str, timeout: Duration) -> Result<(), VmError> {
        let secs = timeout.as_secs_f64().ceil() as u64;
        let script = format!(
            "end=$(( $(date +%s) + {secs} )); while :; do s=$(systemctl show -P ActiveState -- '{unit}'); \
             case $s in active) exit 0;; failed) echo \"$s\"; exit 3;; esac; \
             [ $(date +%s) -ge $end ] && {{ echo \"$s\"; exit 4; }}; sleep 0.2; done"
        );
        let r = self.execute(&script, timeout + Duration::from_secs(5))?;
        match r.exit {
            Some(0) => Ok(()),
            Some(3) => {
                let status = self
                    .execute(
                        &format!("systemctl status --no-pager -l -- '{unit}'; journalctl -b -u '{unit}' --no-pager | tail -30"),
                        Duration::from_secs(30),
                    )
                    .map(|r| r.stdout)
                    .unwrap_or_default();
                Err(VmError::UnitFailed {
                    unit: unit.to_string(),
                    state: r.stdout.trim().to_string(),
                    status,
                })
            }
            _ => Err(VmError::Timeout {
                secs: timeout.as_secs_f64(),
                awaiting: format!("unit {unit} to become active (state: {})", r.stdout.trim()),
            }),
        }
    }

    /// Waits until something listens on TCP `port` in the guest.
    pub fn wait_for_open_port(&mut self, port: u16, timeout: Duration) -> Result<(), VmError> {
        self.wait_until_succeeds(&format!("ss -Htln 'sport = :{port}' | grep -q ."), timeout)
            .map(|_| ())
    }

    /// Waits until `path` exists in the guest.
    pub fn wait_for_file(&mut self, path: &str, timeout: Duration) -> Result<(), VmError> {
        self.wait_until_succeeds(&format!("test -e '{path}'"), timeout)
            .map(|_| ())
    }

    /// Reads a whole file from the guest.
    pub fn read_file(&mut self, path: &str) -> Result<Vec<u8>, VmError> {
        let id = self.id();
        let t = self.cfg.command_timeout;
        match self.request(
            Request::ReadFile {
                id,
                path: path.to_string(),
            },
            t,
            &format!("reading {path} from the guest"),
        )? {
            Message::Reply { error: Some(e), .. } => Err(VmError::Agent(e)),
            Message::Reply { stdout, .. } => {
                unb64(&stdout).map_err(|e| VmError::Agent(format!("bad base64: {e}")))
            }
            other => Err(VmError::Agent(format!("unexpected reply {other:?}"))),
        }
    }

    /// Copies a guest file to `host_path`.
    pub fn copy_from_guest(&mut self, guest_path: &str, host_path: &Path) -> Result<(), VmError> {
        let data = self.read_file(guest_path)?;
        fs::write(host_path, data).map_err(ioe(format!("writing {}", host_path.display())))
    }

    /// Writes a file in the guest (fsynced before the reply).
    pub fn write_file(&mut self, guest_path: &str, data: &[u8], mode: u32) -> Result<(), VmError> {
        let id = self.id();
        let t = self.cfg.command_timeout;
        match self.request(
            Request::WriteFile {
                id,
                path: guest_path.to_string(),
                data: ainux_agent::b64(data),
                mode,
            },
            t,
            &format!("writing {guest_path} in the guest"),
        )? {
            Message::Reply { error: Some(e), .. } => Err(VmError::Agent(e)),
            _ => Ok(()),
        }
    }

    /// Asks the guest to reboot (without waiting for an answer: the agent goes down with it).
    /// Returns the boot id it had.
    fn start_reboot(&mut self) -> Result<String, VmError> {
        let old = self.boot_id.clone();
        let id = self.id();
        let line = encode_line(&Request::Exec {
            id,
            cmd: "systemctl reboot".into(),
            timeout_ms: 10_000,
        });
        self.conn
            .as_mut()
            .ok_or_else(|| VmError::Agent("the machine is not running".into()))?
            .write_all(&line)
            .map_err(ioe("writing to the agent"))?;
        self.started_at = Instant::now();
        self.booted_after = None;
        Ok(old)
    }

    /// Reboots the guest and waits until the new boot's agent is ready and multi-user.target
    /// is reached.
    pub fn reboot(&mut self) -> Result<Duration, VmError> {
        let old = self.start_reboot()?;
        let t = self.cfg.boot_timeout;
        match self.wait_event(
            |m| matches!(m, Message::Ready { boot_id, .. } if *boot_id != old),
            t,
            "the guest agent's ready event after reboot",
        )? {
            Message::Ready { boot_id, .. } => self.boot_id = boot_id,
            _ => unreachable!("filtered"),
        }
        self.wait_for_boot()
    }

    /// Reboots and waits, up to `timeout`, for the first later boot that reaches
    /// multi-user.target, however many boots happen on the way (boots that fail and reboot,
    /// systemd-boot's boot counting, an automatic rollback that reboots).
    pub fn reboot_through(&mut self, timeout: Duration) -> Result<Duration, VmError> {
        let old = self.start_reboot()?;
        self.wait_for_new_boot(&old, timeout)
    }

    /// Waits, up to `timeout`, for a boot other than `old` to reach multi-user.target, and
    /// adopts it as the current boot.
    pub fn wait_for_new_boot(&mut self, old: &str, timeout: Duration) -> Result<Duration, VmError> {
        let old = old.to_string();
        match self.wait_event(
            |m| matches!(m, Message::Event { name, boot_id, .. } if name == "booted" && *boot_id != old),
            timeout,
            "a new boot's booted notification (multi-user.target)",
        )? {
            Message::Event { boot_id, .. } => self.boot_id = boot_id,
            _ => unreachable!("filtered"),
        }
        let d = self.started_at.elapsed();
        self.booted_after = Some(d);
        Ok(d)
    }

    /// Hard power-off (like pulling the plug): QEMU is killed, no flush by the guest.
    pub fn crash(&mut self) {
        self.kill();
    }

    /// Boots again from the same disk after [`Machine::crash`] or [`Machine::shutdown`].
    pub fn boot_again(&mut self) -> Result<Duration, VmError> {
        self.kill();
        self.launch()?;
        self.wait_for_boot()
    }

    /// Clean power-off from inside the guest; waits for QEMU to exit.
    pub fn shutdown(&mut self) -> Result<(), VmError> {
        let id = self.id();
        let line = encode_line(&Request::Exec {
            id,
            cmd: "systemctl poweroff".into(),
            timeout_ms: 10_000,
        });
        if let Some(c) = self.conn.as_mut() {
            let _ = c.write_all(&line);
        }
        self.set_awaiting("QEMU to exit after poweroff");
        let deadline = Instant::now() + Duration::from_secs(120);
        while let Some(c) = self.qemu.as_mut() {
            match c.try_wait() {
                Ok(Some(_)) => {
                    self.qemu = None;
                    self.pid.store(0, Ordering::SeqCst);
                    break;
                }
                _ if Instant::now() > deadline => {
                    self.kill();
                    return Err(VmError::Timeout {
                        secs: 120.0,
                        awaiting: "QEMU to exit after poweroff".into(),
                    });
                }
                _ => std::thread::sleep(Duration::from_millis(100)),
            }
        }
        self.conn = None;
        self.stopped = true;
        Ok(())
    }

    /// Kills QEMU at once.
    pub fn kill(&mut self) {
        self.pid.store(0, Ordering::SeqCst);
        if let Some(mut c) = self.qemu.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(c) = self.conn.take() {
            let _ = c.shutdown(std::net::Shutdown::Both);
        }
        self.stopped = true;
    }

    /// Tells the end-of-test checks that `unit` may have restarted more than once.
    pub fn expect_restarts(&mut self, unit: &str) {
        self.expected_restarts.push(unit.to_string());
    }

    /// Tells the end-of-test checks that console lines containing `text` are expected (e.g. the
    /// kernel panic of a root a test made unbootable on purpose).
    pub fn expect_console(&mut self, text: &str) {
        self.expected_console.push(text.to_string());
    }

    /// The console output so far.
    pub fn console(&self) -> String {
        fs::read(self.console_path())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The checks every test ends with: no failed units, no unit restarted twice unless
    /// expected, nothing alarming on the console.
    pub fn check_health(&mut self) -> Result<(), VmError> {
        let mut problems = Vec::new();
        for line in self.console().lines() {
            if self
                .expected_console
                .iter()
                .any(|e| line.contains(e.as_str()))
            {
                continue;
            }
            if let Some(p) = CONSOLE_FAILURES.iter().find(|p| line.contains(*p)) {
                problems.push(format!("console shows {p:?}: {}", line.trim()));
            }
        }
        if !self.stopped {
            let failed =
                self.succeed("systemctl list-units --failed --plain --no-legend --no-pager")?;
            if !failed.trim().is_empty() {
                problems.push(format!("failed units:\n{failed}"));
            }
            let restarts = self.succeed(
                "systemctl show --type=service --all -p Id -p NRestarts --no-pager | paste -d' ' - - - | \
                 awk '{split($1,a,\"=\"); split($2,b,\"=\"); if (b[2]+0 >= 2) print a[2], b[2]}'",
            )?;
            for line in restarts.lines() {
                let unit = line.split_whitespace().next().unwrap_or_default();
                if !self.expected_restarts.iter().any(|u| u == unit) {
                    problems.push(format!("unit restarted too often (NRestarts): {line}"));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(VmError::Health(problems.join("\n")))
        }
    }

    /// Keeps the console log, the journal export and QEMU's stderr under
    /// `artifacts_root()/<test>`; returns the folder.
    pub fn keep_artifacts(&mut self, test: &str) -> PathBuf {
        let dir = crate::artifacts_root().join(sanitize(test));
        let _ = fs::create_dir_all(&dir);
        let _ = fs::copy(self.console_path(), dir.join("console.log"));
        let _ = fs::copy(self.dir.join("qemu.stderr"), dir.join("qemu.stderr"));
        let _ = fs::copy(self.dir.join("qemu.cmdline"), dir.join("qemu.cmdline"));
        if !self.stopped {
            let path = "/run/ainux-journal.export";
            if self
                .execute(
                    &format!("journalctl -b -o export --no-pager > {path}"),
                    Duration::from_secs(60),
                )
                .is_ok()
            {
                let _ = self.copy_from_guest(path, &dir.join("journal.export"));
            }
            if let Ok(r) = self.execute("journalctl -b --no-pager", Duration::from_secs(60)) {
                let _ = fs::write(dir.join("journal.txt"), r.stdout);
            }
        }
        dir
    }
}

impl Drop for Machine {
    fn drop(&mut self) {
        self.kill();
        let _ = fs::remove_dir_all(&self.dir);
    }
}

fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn read_loop(stream: UnixStream, pending: Pending, events: Sender<Message>) {
    let mut r = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match r.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        // A reboot can cut a line short; anything that is not a message is skipped.
        let Ok(msg) = serde_json::from_slice::<Message>(&line) else {
            continue;
        };
        match &msg {
            Message::Reply { id, .. } => {
                let tx = pending.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
                if let Some(tx) = tx {
                    let _ = tx.send(msg);
                }
            }
            _ => {
                if events.send(msg).is_err() {
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_image_and_names_are_clear() {
        let e = MachineBuilder::new(Path::new("/nonexistent/ainux.raw"))
            .accel(Accel::Tcg)
            .start()
            .err()
            .expect("no image");
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert_eq!(sanitize("vm::boot test"), "vm__boot_test");
    }

    fn fake_image(t: &Path) -> PathBuf {
        let img = t.join("disk.raw");
        fs::File::create(&img).unwrap().set_len(1 << 20).unwrap();
        img
    }

    #[test]
    fn missing_firmware_says_what_to_install() {
        let t = tempfile::tempdir().unwrap();
        let e = MachineBuilder::new(&fake_image(t.path()))
            .accel(Accel::Tcg)
            .ovmf(
                &t.path().join("OVMF_CODE.fd"),
                &t.path().join("OVMF_VARS.fd"),
            )
            .start()
            .err()
            .expect("no firmware");
        assert!(matches!(e, VmError::NoFirmware(_)), "{e}");
        assert!(e.to_string().contains("apt-get install ovmf"), "{e}");
    }

    #[test]
    fn qemu_that_cannot_start_is_reported() {
        let t = tempfile::tempdir().unwrap();
        let code = t.path().join("code.fd");
        let vars = t.path().join("vars.fd");
        fs::write(&code, b"x").unwrap();
        fs::write(&vars, b"x").unwrap();
        if Command::new("qemu-img").arg("--version").output().is_err() {
            eprintln!("skipped: qemu-img is not installed");
            return;
        }
        let e = MachineBuilder::new(&fake_image(t.path()))
            .accel(Accel::Tcg)
            .ovmf(&code, &vars)
            .qemu_binary(&t.path().join("no-such-qemu"))
            .start()
            .err()
            .expect("no qemu");
        assert!(matches!(e, VmError::Spawn { .. }), "{e}");
        assert!(e.to_string().contains("qemu-system-x86"), "{e}");

        // A QEMU that starts and dies at once: the error carries its last words.
        let fake = t.path().join("dying-qemu");
        fs::write(
            &fake,
            "#!/bin/sh\necho 'qemu: could not open the disk' >&2\nexit 1\n",
        )
        .unwrap();
        fs::set_permissions(&fake, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        let e = MachineBuilder::new(&fake_image(t.path()))
            .accel(Accel::Tcg)
            .ovmf(&code, &vars)
            .qemu_binary(&fake)
            .start()
            .err()
            .expect("qemu dies");
        let text = e.to_string();
        assert!(text.contains("could not open the disk"), "{text}");
    }

    #[test]
    fn reader_routes_replies_and_events() {
        let (a, b) = UnixStream::pair().unwrap();
        let pending: Pending = Arc::new(Mutex::new(HashMap::new()));
        let (rtx, rrx) = mpsc::channel();
        pending.lock().unwrap().insert(5, rtx);
        let (etx, erx) = mpsc::channel();
        let p2 = Arc::clone(&pending);
        let t = std::thread::spawn(move || read_loop(b, p2, etx));
        let mut a2 = a.try_clone().unwrap();
        a2.write_all(b"garbage from a previous boot\n").unwrap();
        a2.write_all(&encode_line(&Message::Ready {
            boot_id: "b1".into(),
            uptime_ms: 1,
        }))
        .unwrap();
        a2.write_all(br#"{"kind":"reply","id":5,"exit":0,"stdout":"aGk="}"#)
            .unwrap();
        a2.write_all(b"\n").unwrap();
        drop(a2);
        drop(a);
        assert!(matches!(erx.recv().unwrap(), Message::Ready { .. }));
        assert!(matches!(rrx.recv().unwrap(), Message::Reply { id: 5, .. }));
        t.join().unwrap();
        assert!(pending.lock().unwrap().is_empty());
    }
}
