//! A small test runner for whole-OS tests (used with `harness = false`).
//!
//! Tests run one after another on the main thread (QEMU is tied to the thread that started it);
//! a watchdog enforces each test's time limit by killing its machines, and the failure then
//! names what was being awaited. Tests that can share a booted machine use [`Ctx::shared`], so
//! the image boots once for all of them; tests that reboot or crash a machine take their own
//! with [`Ctx::machine`]. After every test the automatic checks run on every machine it used;
//! on failure the console log and journal are kept and their folder printed. The last line is
//! `N passed, N failed`.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::accel::{Accel, probe_accel};
use crate::machine::{Machine, MachineBuilder};

pub type TestFn = fn(&mut Ctx) -> anyhow::Result<()>;

/// What the watchdog needs of a machine: its QEMU pid, what it awaits, its cancel flag.
type Watched = (Arc<AtomicU32>, Arc<Mutex<String>>, Arc<AtomicBool>);

struct Test {
    name: &'static str,
    f: TestFn,
    timeout: Duration,
}

/// What a test gets: the shared machine and its own machines.
pub struct Ctx {
    image: std::path::PathBuf,
    accel: Accel,
    shared: Option<Machine>,
    shared_used: bool,
    own: Vec<Machine>,
    watch: Arc<Mutex<Vec<Watched>>>,
    pub test_name: String,
}

impl Ctx {
    pub fn image(&self) -> &std::path::Path {
        &self.image
    }

    pub fn accel(&self) -> Accel {
        self.accel
    }

    fn register(&self, m: &Machine) {
        self.watch.lock().unwrap_or_else(|e| e.into_inner()).push((
            m.pid_handle(),
            m.awaiting_handle(),
            m.cancel_handle(),
        ));
    }

    /// A builder for this run's image and accelerator.
    pub fn builder(&self, name: &str) -> MachineBuilder {
        MachineBuilder::new(&self.image)
            .name(name)
            .accel(self.accel)
    }

    /// The machine shared by the tests that don't change its boot state, booted on first use
    /// and ready (multi-user.target reached).
    pub fn shared(&mut self) -> anyhow::Result<&mut Machine> {
        if self.shared.is_none() {
            let mut m = self.builder("shared").start()?;
            self.register(&m);
            m.wait_for_boot()?;
            self.shared = Some(m);
        } else if let Some(m) = &self.shared {
            self.register(m);
        }
        self.shared_used = true;
        Ok(self.shared.as_mut().expect("just set"))
    }

    /// A machine of this test's own, booted (multi-user.target reached).
    pub fn machine(&mut self, name: &str) -> anyhow::Result<&mut Machine> {
        let b = self.builder(name);
        self.machine_from(b)
    }

    /// A machine of this test's own from a custom builder, booted.
    pub fn machine_from(&mut self, b: MachineBuilder) -> anyhow::Result<&mut Machine> {
        let mut m = b.start()?;
        self.register(&m);
        m.wait_for_boot()?;
        self.own.push(m);
        Ok(self.own.last_mut().expect("just pushed"))
    }
}

/// Registers and runs tests.
#[derive(Default)]
pub struct Runner {
    tests: Vec<Test>,
}

impl Runner {
    pub fn new() -> Runner {
        Runner::default()
    }

    pub fn test(&mut self, name: &'static str, timeout: Duration, f: TestFn) -> &mut Self {
        self.tests.push(Test { name, f, timeout });
        self
    }

    /// Runs the tests whose names contain any of the non-flag arguments (all without one).
    /// Returns the process exit code.
    pub fn run_main(&self) -> std::process::ExitCode {
        let args: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-'))
            .collect();
        if std::env::args().any(|a| a == "--list") {
            for t in &self.tests {
                println!("{}: test", t.name);
            }
            return std::process::ExitCode::SUCCESS;
        }
        let selected: Vec<&Test> = self
            .tests
            .iter()
            .filter(|t| args.is_empty() || args.iter().any(|a| t.name.contains(a.as_str())))
            .collect();
        let image = crate::default_image();
        println!("running {} VM tests on {}", selected.len(), image.display());
        let accel = if image.is_file() {
            probe_accel(&image)
        } else {
            Accel::Tcg
        };
        println!("accelerator: {}", accel.as_str());
        let mut ctx = Ctx {
            image,
            accel,
            shared: None,
            shared_used: false,
            own: Vec::new(),
            watch: Arc::new(Mutex::new(Vec::new())),
            test_name: String::new(),
        };
        let (mut passed, mut failed) = (0, 0);
        let mut failures = Vec::new();
        for t in selected {
            ctx.test_name = t.name.to_string();
            ctx.shared_used = false;
            ctx.watch.lock().unwrap_or_else(|e| e.into_inner()).clear();
            let start = Instant::now();
            let done = Arc::new(AtomicBool::new(false));
            let timed_out = Arc::new(Mutex::new(None::<String>));
            let watchdog = {
                let done = Arc::clone(&done);
                let watch = Arc::clone(&ctx.watch);
                let timed_out = Arc::clone(&timed_out);
                let limit = t.timeout;
                std::thread::spawn(move || {
                    while !done.load(Ordering::SeqCst) {
                        if start.elapsed() >= limit {
                            let w = watch.lock().unwrap_or_else(|e| e.into_inner()).clone();
                            let awaiting: Vec<String> = w
                                .iter()
                                .map(|(_, a, _)| {
                                    a.lock().unwrap_or_else(|e| e.into_inner()).clone()
                                })
                                .filter(|a| !a.is_empty())
                                .collect();
                            *timed_out.lock().unwrap_or_else(|e| e.into_inner()) =
                                Some(awaiting.join("; "));
                            // First ask every wait to give up (so the journal can still be
                            // collected); kill the machines if the test doesn't return.
                            for (_, _, c) in &w {
                                c.store(true, Ordering::SeqCst);
                            }
                            let grace = Instant::now();
                            while !done.load(Ordering::SeqCst) {
                                if grace.elapsed() > Duration::from_secs(60) {
                                    for (pid, _, _) in &w {
                                        let p = pid.load(Ordering::SeqCst);
                                        if p > 0 {
                                            // SAFETY: killing our own QEMU child.
                                            unsafe { libc::kill(p as i32, libc::SIGKILL) };
                                        }
                                    }
                                    return;
                                }
                                std::thread::sleep(Duration::from_millis(200));
                            }
                            return;
                        }
                        std::thread::sleep(Duration::from_millis(200));
                    }
                })
            };
            let mut result = (t.f)(&mut ctx);
            done.store(true, Ordering::SeqCst);
            let _ = watchdog.join();
            for (_, _, c) in ctx.watch.lock().unwrap_or_else(|e| e.into_inner()).iter() {
                c.store(false, Ordering::SeqCst);
            }
            let limit_hit = timed_out.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(what) = limit_hit.clone() {
                result = Err(anyhow::anyhow!(
                    "test timed out after {:.0} s while waiting for: {}",
                    t.timeout.as_secs_f64(),
                    if what.is_empty() {
                        "(nothing recorded)".to_string()
                    } else {
                        what
                    }
                ));
            }
            // The automatic checks on every machine the test used.
            if result.is_ok() {
                let mut machines: Vec<&mut Machine> = ctx.own.iter_mut().collect();
                if ctx.shared_used
                    && let Some(s) = ctx.shared.as_mut()
                {
                    machines.push(s);
                }
                for m in machines {
                    if let Err(e) = m.check_health() {
                        result = Err(anyhow::anyhow!("end-of-test checks: {e}"));
                        break;
                    }
                }
            }
            let secs = start.elapsed().as_secs_f64();
            match result {
                Ok(()) => {
                    passed += 1;
                    println!("test {} ... ok ({secs:.1} s)", t.name);
                }
                Err(e) => {
                    failed += 1;
                    let mut kept = Vec::new();
                    for m in ctx.own.iter_mut() {
                        kept.push(m.keep_artifacts(&format!(
                            "{}-{}",
                            t.name,
                            m.dir().file_name().unwrap_or_default().to_string_lossy()
                        )));
                    }
                    if ctx.shared_used
                        && let Some(s) = ctx.shared.as_mut()
                    {
                        kept.push(s.keep_artifacts(&format!("{}-shared", t.name)));
                    }
                    println!("test {} ... FAILED ({secs:.1} s)", t.name);
                    let mut text = format!("{e:#}");
                    for k in &kept {
                        text.push_str(&format!(
                            "\n  console log and journal kept in {}",
                            k.display()
                        ));
                    }
                    println!("{text}");
                    failures.push((t.name, text));
                }
            }
            ctx.own.clear();
            // A machine whose test hit its time limit is in an unknown state: boot afresh.
            if limit_hit.is_some() && ctx.shared_used {
                ctx.shared = None;
            }
        }
        if let Some(mut s) = ctx.shared.take() {
            let _ = s.shutdown();
        }
        if !failures.is_empty() {
            println!("\nfailures:");
            for (n, text) in &failures {
                println!("---- {n} ----\n{text}\n");
            }
        }
        println!("{passed} passed, {failed} failed");
        if failed == 0 {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }
}
