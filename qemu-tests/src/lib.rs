//! The whole-OS test harness: boots the built ainux image under QEMU with OVMF (UEFI) from a
//! fresh qcow2 overlay and drives it through the guest agent on a virtio-serial port.
//!
//! Modelled on the NixOS test driver (`wait_for_unit`, `succeed`, `fail`,
//! `wait_until_succeeds`) and Cloud Hypervisor's `test_infra` (a guest per test, artifacts kept
//! on failure). Readiness always comes from an event the guest sends (the agent's `ready`, the
//! `booted` milestone after `multi-user.target`), never from a fixed sleep.

pub mod accel;
pub mod machine;
pub mod runner;

pub use accel::{Accel, probe_accel};
pub use machine::{ExecResult, Machine, MachineBuilder, VmError};
pub use runner::{Runner, TestFn};

use std::path::{Path, PathBuf};

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("qemu-tests lives in the workspace")
        .to_path_buf()
}

/// The image the tests boot: `$AINUX_IMAGE`, else `mkosi.output/ainux.raw` (or `.qcow2`).
pub fn default_image() -> PathBuf {
    if let Some(p) = std::env::var_os("AINUX_IMAGE") {
        return PathBuf::from(p);
    }
    let out = workspace_root().join("mkosi.output");
    let raw = out.join("ainux.raw");
    if raw.exists() {
        raw
    } else {
        out.join("ainux.qcow2")
    }
}

/// Where failed tests keep their console log and journal: `$AINUX_TEST_ARTIFACTS`, else
/// `target/qemu-tests`.
pub fn artifacts_root() -> PathBuf {
    std::env::var_os("AINUX_TEST_ARTIFACTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target/qemu-tests"))
}

/// A benchmark's machine: the default image (an error naming it when it is missing), the
/// accelerator a probe boot picks, booted to multi-user.target with progress printed.
pub fn boot_for_bench(
    name: &str,
    configure: impl FnOnce(MachineBuilder) -> MachineBuilder,
) -> Result<(Machine, Accel), VmError> {
    let image = default_image();
    if !image.exists() {
        return Err(VmError::NoImage(image));
    }
    let accel = probe_accel(&image);
    println!("booting {} ({})", image.display(), accel.as_str());
    let mut m = configure(MachineBuilder::new(&image).name(name).accel(accel)).start()?;
    let boot = m.wait_for_boot()?;
    println!("booted in {:.1} s", boot.as_secs_f64());
    Ok((m, accel))
}
