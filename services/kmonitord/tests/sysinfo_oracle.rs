//! Our /proc and /sys readers on the live system, checked against `sysinfo` on the same machine.
//!
//! The readers take their root as a parameter so the unit tests run them on fake trees; this
//! test runs them on the real `/proc` and compares what they read with what the `sysinfo` crate
//! reads through its own, independent code (it is a test oracle only: see ARCHITECTURE.md).
//! Values that move between the two reads (available memory, load, RSS) get a tolerance.

use std::collections::BTreeSet;
use std::path::Path;

use kmonitord::collect::{ProcReader, Sample};
use kmonitord::system::{self, ProcTracker, RealStatFs, StatFs};
use sysinfo::{
    CpuRefreshKind, Disks, MemoryRefreshKind, Networks, Pid, ProcessRefreshKind, ProcessesToUpdate,
    RefreshKind, System, ThreadKind,
};

const PROC: &str = "/proc";

fn value(samples: &[Sample], name: &str) -> f64 {
    samples
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("{name} not read"))
        .value
}

fn close(ours: f64, theirs: f64, rel: f64, abs: f64) -> bool {
    (ours - theirs).abs() <= abs.max(rel * theirs.abs())
}

fn sysinfo_memory() -> System {
    System::new_with_specifics(
        RefreshKind::nothing()
            .with_memory(MemoryRefreshKind::everything())
            .with_cpu(CpuRefreshKind::nothing()),
    )
}

#[test]
fn cpu_count_matches() {
    let samples = ProcReader::new(PROC).cpu().unwrap();
    let cpus: BTreeSet<&str> = samples
        .iter()
        .filter(|s| s.name == "node_cpu_seconds_total")
        .filter_map(|s| s.label_value("cpu"))
        .collect();
    let sys = sysinfo_memory();
    assert!(!cpus.is_empty());
    assert_eq!(cpus.len(), sys.cpus().len(), "our cpus {cpus:?}");
    for mode in ["user", "system", "idle"] {
        assert!(
            samples
                .iter()
                .any(|s| s.label_value("mode") == Some(mode) && s.value > 0.0),
            "no time in mode {mode}"
        );
    }
}

#[test]
fn memory_and_swap_match() {
    let ours = ProcReader::new(PROC).meminfo().unwrap();
    let sys = sysinfo_memory();
    let total = value(&ours, "node_memory_MemTotal_bytes");
    assert_eq!(total as u64, sys.total_memory(), "MemTotal");
    // Available memory moves between the two reads: 2 % or 64 MiB.
    let avail = value(&ours, "node_memory_MemAvailable_bytes");
    assert!(
        close(avail, sys.available_memory() as f64, 0.02, 64.0 * 1048576.0),
        "MemAvailable ours {avail} sysinfo {}",
        sys.available_memory()
    );
    assert!(avail > 0.0 && avail <= total);
    let swap = value(&ours, "node_memory_SwapTotal_bytes");
    assert_eq!(swap as u64, sys.total_swap(), "SwapTotal");
}

#[test]
fn load_averages_match() {
    let ours = ProcReader::new(PROC).loadavg().unwrap();
    let theirs = System::load_average();
    for (name, t) in [
        ("node_load1", theirs.one),
        ("node_load5", theirs.five),
        ("node_load15", theirs.fifteen),
    ] {
        let o = value(&ours, name);
        // The kernel updates the averages every 5 s; a tick between the two reads moves them.
        assert!(close(o, t, 0.2, 0.3), "{name}: ours {o}, sysinfo {t}");
    }
}

#[test]
fn own_process_rss_and_presence_in_the_top_table() {
    // Some memory of our own, touched, so that the RSS is well above the noise of the reads.
    let ballast = vec![1u8; 32 << 20];
    let pid = std::process::id();
    let ours = system::read_process(Path::new(PROC), pid).expect("our own process");
    let mut sys = System::new();
    sys.refresh_processes_specifics(
        ProcessesToUpdate::Some(&[Pid::from_u32(pid)]),
        true,
        ProcessRefreshKind::nothing().with_memory(),
    );
    let theirs = sys.process(Pid::from_u32(pid)).expect("sysinfo sees us");
    assert!(
        close(
            ours.rss_bytes as f64,
            theirs.memory() as f64,
            0.1,
            4.0 * 1048576.0
        ),
        "RSS ours {} sysinfo {}",
        ours.rss_bytes,
        theirs.memory()
    );
    assert!(ours.rss_bytes >= 32 << 20, "the ballast is resident");
    assert_eq!(theirs.name().to_str(), Some(ours.comm.as_str()), "comm");

    // The top table (every process: n larger than the process count) lists us with the same
    // RSS, and counts about as many processes as sysinfo (they come and go between the reads).
    let mut tracker = ProcTracker::new(PROC, 1 << 20);
    let top = tracker.update(1.0);
    let me = top
        .by_memory
        .iter()
        .find(|e| e.pid == pid)
        .expect("our process in the top table");
    assert!(close(
        me.rss_bytes as f64,
        theirs.memory() as f64,
        0.1,
        4.0 * 1048576.0
    ));
    let mut all = System::new();
    all.refresh_processes_specifics(ProcessesToUpdate::All, true, ProcessRefreshKind::nothing());
    // Kernel threads are processes under /proc too; threads of a process (not refreshed
    // here) are not.
    let processes = all
        .processes()
        .values()
        .filter(|p| p.thread_kind() != Some(ThreadKind::Userland))
        .count();
    assert!(
        close(top.processes as f64, processes as f64, 0.1, 5.0),
        "processes: ours {} sysinfo {processes}",
        top.processes
    );
    // Ranked by RSS, largest first.
    assert!(
        top.by_memory
            .windows(2)
            .all(|w| w[0].rss_bytes >= w[1].rss_bytes)
    );
    drop(ballast);
}

#[test]
fn root_filesystem_size_matches() {
    let mounts = system::read_mounts(Path::new(PROC));
    // In a container / is an overlay, which kmonitord (like node_exporter) does not expose.
    let Some(root) = mounts.iter().find(|m| m.mountpoint == "/") else {
        eprintln!("skipped: / is not a storage file system here");
        return;
    };
    let ours = RealStatFs.statfs(Path::new("/")).unwrap();
    let samples = system::filesystems(std::slice::from_ref(root), &RealStatFs);
    assert_eq!(samples.len(), 1, "/ exposed");
    let disks = Disks::new_with_refreshed_list();
    let theirs = disks
        .list()
        .iter()
        .find(|d| d.mount_point() == Path::new("/"))
        .expect("sysinfo lists /");
    assert_eq!(ours.size as u64, theirs.total_space(), "size of /");
    assert_eq!(
        theirs.file_system().to_str(),
        Some(root.fstype.as_str()),
        "fstype of /"
    );
    // Free space moves with every write on the machine: 1 % of the size.
    assert!(close(
        ours.avail,
        theirs.available_space() as f64,
        0.0,
        0.01 * ours.size
    ));
}

#[test]
fn network_interfaces_match() {
    let ours: BTreeSet<String> = ProcReader::new(PROC)
        .net_dev()
        .unwrap()
        .iter()
        .filter_map(|s| s.label_value("device").map(str::to_owned))
        .collect();
    let theirs: BTreeSet<String> = Networks::new_with_refreshed_list()
        .list()
        .keys()
        .cloned()
        .collect();
    assert!(ours.contains("lo"), "{ours:?}");
    assert_eq!(ours, theirs);
}
