//! Whole-OS tests: boot the built image under QEMU (UEFI) and check the OS.
//!
//! Built only with `--features vm-tests` (scripts/test sets it); a plain `cargo test` never
//! needs QEMU. Run some: `cargo test -p qemu-tests --features vm-tests --test vm -- NAME…`.
//! Each area registers its tests in its own module; tests that can share the booted machine
//! use `ctx.shared()`, so the image boots once for all of them.
#![cfg(feature = "vm-tests")]

use std::process::ExitCode;
use std::time::Duration;

use qemu_tests::runner::Runner;

mod aish;
mod aishd;
mod healer;
mod kmonitor;
mod questlog;
mod snapshot;
mod spine;

pub const MIN: Duration = Duration::from_secs(60);

fn main() -> ExitCode {
    let mut r = Runner::new();
    // Tests on the shared machine first; tests that reboot or crash their own machine last.
    spine::register(&mut r);
    healer::register(&mut r);
    kmonitor::register(&mut r);
    questlog::register(&mut r);
    snapshot::register(&mut r);
    aish::register(&mut r);
    aishd::register(&mut r);
    r.run_main()
}
