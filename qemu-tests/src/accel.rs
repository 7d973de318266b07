//! Choosing the accelerator: KVM only when a short probe boot proves it works here, else TCG.
//!
//! Some hosts expose `/dev/kvm` but hang a guest right after the kernel decompresses. The probe
//! boots the real image with KVM and waits for the guest agent's `ready` event (which needs the
//! kernel, the initrd and systemd to have run); no event within the probe time means TCG. The
//! verdict is remembered per host boot in the temp directory.

use std::path::Path;
use std::time::Duration;

use crate::machine::MachineBuilder;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accel {
    Kvm,
    Tcg,
}

impl Accel {
    pub fn as_str(self) -> &'static str {
        match self {
            Accel::Kvm => "kvm",
            Accel::Tcg => "tcg",
        }
    }

    /// QEMU arguments for this accelerator.
    pub fn qemu_args(self) -> Vec<String> {
        match self {
            Accel::Kvm => vec!["-accel".into(), "kvm".into(), "-cpu".into(), "host".into()],
            Accel::Tcg => vec![
                "-accel".into(),
                "tcg,thread=multi,tb-size=512".into(),
                "-cpu".into(),
                "max".into(),
            ],
        }
    }
}

fn cache_file() -> std::path::PathBuf {
    let boot = std::fs::read_to_string("/proc/sys/kernel/random/boot_id")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    std::env::temp_dir().join(format!("ainux-accel-{boot}"))
}

/// `$AINUX_ACCEL` (kvm|tcg) if set; else a remembered verdict; else a probe boot of `image`.
pub fn probe_accel(image: &Path) -> Accel {
    match std::env::var("AINUX_ACCEL").as_deref() {
        Ok("kvm") => return Accel::Kvm,
        Ok("tcg") => return Accel::Tcg,
        _ => {}
    }
    let kvm_usable = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/kvm")
        .is_ok();
    if !kvm_usable {
        return Accel::Tcg;
    }
    let cache = cache_file();
    if let Ok(v) = std::fs::read_to_string(&cache) {
        match v.trim() {
            "kvm" => return Accel::Kvm,
            "tcg" => return Accel::Tcg,
            _ => {}
        }
    }
    eprintln!("qemu-tests: probing KVM with a short boot (at most 30 s)…");
    let verdict = match MachineBuilder::new(image)
        .name("kvm-probe")
        .accel(Accel::Kvm)
        .boot_timeout(Duration::from_secs(30))
        .start()
    {
        Ok(mut m) => {
            m.kill();
            Accel::Kvm
        }
        Err(e) => {
            eprintln!("qemu-tests: KVM probe failed ({e}); using TCG");
            Accel::Tcg
        }
    };
    let _ = std::fs::write(&cache, verdict.as_str());
    eprintln!("qemu-tests: accelerator {}", verdict.as_str());
    verdict
}
