//! Filesystems and processes: `/proc/<root>/self/mounts` + `statvfs`, and the process table
//! (`/proc/<pid>/stat`, `statm`, `cgroup`) with each process's systemd unit. Every reader takes
//! its root; `statvfs` sits behind [`StatFs`] so tests use a fake.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::collect::{Kind, Sample, USER_HZ};

/// File system types that are not storage (node_exporter's default exclusions and then some).
const PSEUDO_FS: &[&str] = &[
    "autofs",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "debugfs",
    "devpts",
    "devtmpfs",
    "efivarfs",
    "fusectl",
    "hugetlbfs",
    "mqueue",
    "nsfs",
    "proc",
    "pstore",
    "ramfs",
    "rpc_pipefs",
    "securityfs",
    "squashfs",
    "sysfs",
    "tracefs",
    "iso9660",
];

/// One mounted file system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mount {
    pub device: String,
    pub mountpoint: String,
    pub fstype: String,
}

/// Usage of a file system.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FsStat {
    pub size: f64,
    pub free: f64,
    pub avail: f64,
    pub files: f64,
    pub files_free: f64,
}

/// `statvfs(3)`, behind a seam.
pub trait StatFs: Send {
    fn statfs(&self, path: &Path) -> std::io::Result<FsStat>;
}

/// The real `statvfs`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RealStatFs;

impl StatFs for RealStatFs {
    fn statfs(&self, path: &Path) -> std::io::Result<FsStat> {
        use std::os::unix::ffi::OsStrExt;
        let c = std::ffi::CString::new(path.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        // SAFETY: zeroed statvfs is a valid out-parameter; `c` is a valid C string.
        let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are valid for the duration of the call.
        if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let frsize = if st.f_frsize > 0 {
            st.f_frsize as f64
        } else {
            st.f_bsize as f64
        };
        Ok(FsStat {
            size: st.f_blocks as f64 * frsize,
            free: st.f_bfree as f64 * frsize,
            avail: st.f_bavail as f64 * frsize,
            files: st.f_files as f64,
            files_free: st.f_ffree as f64,
        })
    }
}

/// Undoes the octal escapes of `/proc/mounts` (`\040` for a space).
fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The storage mounts in `<proc_root>/self/mounts` (or `<proc_root>/mounts`), one per
/// mountpoint (the last mount on a mountpoint wins, as it hides the others).
pub fn read_mounts(proc_root: &Path) -> Vec<Mount> {
    let text = fs::read_to_string(proc_root.join("self/mounts"))
        .or_else(|_| fs::read_to_string(proc_root.join("mounts")))
        .unwrap_or_default();
    let mut by_point: Vec<Mount> = Vec::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() < 3 || PSEUDO_FS.contains(&f[2]) {
            continue;
        }
        let m = Mount {
            device: unescape(f[0]),
            mountpoint: unescape(f[1]),
            fstype: f[2].to_owned(),
        };
        by_point.retain(|o| o.mountpoint != m.mountpoint);
        by_point.push(m);
    }
    by_point
}

/// `node_filesystem_*` samples of every mount that `statfs` answers for (an unmounted or
/// unreadable one yields nothing), plus the usage of each for the daemon.
pub fn filesystems(mounts: &[Mount], statfs: &dyn StatFs) -> Vec<(Mount, FsStat, Vec<Sample>)> {
    let mut out = Vec::new();
    for m in mounts {
        let Ok(st) = statfs.statfs(Path::new(&m.mountpoint)) else {
            continue;
        };
        if st.size <= 0.0 {
            continue;
        }
        let labels = |s: Sample| {
            s.with_label("device", &m.device)
                .with_label("fstype", &m.fstype)
                .with_label("mountpoint", &m.mountpoint)
        };
        let g = |name: &str, help: &'static str, v: f64| {
            labels(Sample {
                name: name.to_owned(),
                labels: Vec::new(),
                value: v,
                kind: Kind::Gauge,
                help,
            })
        };
        let samples = vec![
            g(
                "node_filesystem_size_bytes",
                "Filesystem size in bytes.",
                st.size,
            ),
            g(
                "node_filesystem_free_bytes",
                "Filesystem free space in bytes.",
                st.free,
            ),
            g(
                "node_filesystem_avail_bytes",
                "Filesystem space available to non-root users in bytes.",
                st.avail,
            ),
            g(
                "node_filesystem_files",
                "Filesystem total file nodes.",
                st.files,
            ),
            g(
                "node_filesystem_files_free",
                "Filesystem total free file nodes.",
                st.files_free,
            ),
        ];
        out.push((m.clone(), st, samples));
    }
    out
}

/// One process as read from `/proc/<pid>`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProcInfo {
    pub pid: u32,
    pub comm: String,
    /// utime + stime in clock ticks.
    pub cpu_ticks: u64,
    pub rss_bytes: u64,
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 { p as u64 } else { 4096 }
}

/// Reads one process; `None` when it vanished or is unreadable.
pub fn read_process(proc_root: &Path, pid: u32) -> Option<ProcInfo> {
    let dir = proc_root.join(pid.to_string());
    let stat = fs::read_to_string(dir.join("stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_owned();
    let rest: Vec<&str> = stat.get(close + 1..)?.split_whitespace().collect();
    // rest[0] is the state (field 3); utime is field 14, stime field 15.
    let utime: u64 = rest.get(11)?.parse().ok()?;
    let stime: u64 = rest.get(12)?.parse().ok()?;
    let rss_pages: u64 = fs::read_to_string(dir.join("statm"))
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or(0);
    Some(ProcInfo {
        pid,
        comm,
        cpu_ticks: utime + stime,
        rss_bytes: rss_pages * page_size(),
    })
}

/// Every process under the root.
pub fn read_processes(proc_root: &Path) -> Vec<ProcInfo> {
    let Ok(dir) = fs::read_dir(proc_root) else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| read_process(proc_root, pid))
        .collect()
}

/// The systemd unit of a cgroup path: its deepest `.service` or `.scope` component (a slice
/// when there is none).
pub fn unit_from_cgroup(cgroup_file: &str) -> Option<String> {
    // cgroup v2: "0::/system.slice/foo.service"; v1: pick the name=systemd hierarchy.
    let path = cgroup_file
        .lines()
        .find_map(|l| l.strip_prefix("0::"))
        .or_else(|| {
            cgroup_file
                .lines()
                .find_map(|l| l.split_once(":name=systemd:").map(|(_, p)| p))
        })?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts
        .iter()
        .rev()
        .find(|p| p.ends_with(".service") || p.ends_with(".scope"))
        .or_else(|| parts.iter().rev().find(|p| p.ends_with(".slice")))
        .map(|p| (*p).to_owned())
}

/// The unit of a process, from `/proc/<pid>/cgroup`.
pub fn unit_of(proc_root: &Path, pid: u32) -> Option<String> {
    let text = fs::read_to_string(proc_root.join(pid.to_string()).join("cgroup")).ok()?;
    unit_from_cgroup(&text)
}

/// A process in a top list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopEntry {
    pub pid: u32,
    pub comm: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Percent of one core over the last interval.
    pub cpu_pct: f64,
    pub rss_bytes: u64,
}

/// The top processes by CPU and by memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Top {
    pub processes: usize,
    pub by_cpu: Vec<TopEntry>,
    pub by_memory: Vec<TopEntry>,
}

/// Tracks CPU ticks between collections to rank processes by CPU use.
#[derive(Debug)]
pub struct ProcTracker {
    root: PathBuf,
    last: HashMap<u32, u64>,
    units: HashMap<u32, Option<String>>,
    n: usize,
}

impl ProcTracker {
    pub fn new(root: impl Into<PathBuf>, n: usize) -> Self {
        Self {
            root: root.into(),
            last: HashMap::new(),
            units: HashMap::new(),
            n,
        }
    }

    /// Reads the process table; `dt` is the time since the previous call in seconds.
    pub fn update(&mut self, dt: f64) -> Top {
        let procs = read_processes(&self.root);
        self.update_with(procs, dt)
    }

    /// [`update`](Self::update) on a given process table.
    pub fn update_with(&mut self, procs: Vec<ProcInfo>, dt: f64) -> Top {
        let mut entries: Vec<TopEntry> = procs
            .iter()
            .map(|p| {
                let cpu_pct = match self.last.get(&p.pid) {
                    Some(&prev) if dt > 0.0 && p.cpu_ticks >= prev => {
                        (p.cpu_ticks - prev) as f64 / USER_HZ / dt * 100.0
                    }
                    _ => 0.0,
                };
                TopEntry {
                    pid: p.pid,
                    comm: p.comm.clone(),
                    unit: None,
                    cpu_pct,
                    rss_bytes: p.rss_bytes,
                }
            })
            .collect();
        self.last = procs.iter().map(|p| (p.pid, p.cpu_ticks)).collect();
        self.units.retain(|pid, _| self.last.contains_key(pid));
        let mut by_cpu = entries.clone();
        by_cpu.sort_by(|a, b| b.cpu_pct.total_cmp(&a.cpu_pct).then(a.pid.cmp(&b.pid)));
        by_cpu.truncate(self.n);
        entries.sort_by(|a, b| b.rss_bytes.cmp(&a.rss_bytes).then(a.pid.cmp(&b.pid)));
        entries.truncate(self.n);
        let root = self.root.clone();
        for e in by_cpu.iter_mut().chain(entries.iter_mut()) {
            e.unit = self
                .units
                .entry(e.pid)
                .or_insert_with(|| unit_of(&root, e.pid))
                .clone();
        }
        Top {
            processes: procs.len(),
            by_cpu,
            by_memory: entries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct FakeStat(HashMap<String, FsStat>);
    impl StatFs for FakeStat {
        fn statfs(&self, path: &Path) -> std::io::Result<FsStat> {
            self.0
                .get(path.to_str().unwrap())
                .copied()
                .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))
        }
    }

    #[test]
    fn mounts_filter_pseudo_fs_and_unescape() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("self")).unwrap();
        std::fs::write(
            dir.path().join("self/mounts"),
            "proc /proc proc rw 0 0\n/dev/vda2 / btrfs rw 0 0\ntmpfs /run tmpfs rw 0 0\n\
             /dev/vdb /mnt/my\\040disk ext4 rw 0 0\n/dev/vda2 /home btrfs rw 0 0\n\
             /dev/vdc /home xfs rw 0 0\n",
        )
        .unwrap();
        let m = read_mounts(dir.path());
        let points: Vec<&str> = m.iter().map(|m| m.mountpoint.as_str()).collect();
        assert_eq!(points, ["/", "/run", "/mnt/my disk", "/home"]);
        assert_eq!(m[3].fstype, "xfs", "the last mount on a point wins");

        let st = FsStat {
            size: 100.0,
            free: 40.0,
            avail: 30.0,
            files: 10.0,
            files_free: 5.0,
        };
        let fake = FakeStat(
            [("/".to_owned(), st), ("/mnt/my disk".to_owned(), st)]
                .into_iter()
                .collect(),
        );
        let fs = filesystems(&m, &fake);
        assert_eq!(fs.len(), 2, "unanswered mounts (unmounted) are dropped");
        let avail = fs[1]
            .2
            .iter()
            .find(|s| s.name == "node_filesystem_avail_bytes")
            .unwrap();
        assert_eq!(
            avail.key(),
            r#"node_filesystem_avail_bytes{device="/dev/vdb",fstype="ext4",mountpoint="/mnt/my disk"}"#
        );
        assert_eq!(avail.value, 30.0);
    }

    #[test]
    fn real_statfs_answers_for_root() {
        let st = RealStatFs.statfs(Path::new("/")).unwrap();
        assert!(st.size > 0.0 && st.avail <= st.size);
        assert!(RealStatFs.statfs(Path::new("/nonexistent/x")).is_err());
    }

    #[test]
    fn units_from_cgroup_files() {
        assert_eq!(
            unit_from_cgroup("0::/system.slice/nginx.service\n").as_deref(),
            Some("nginx.service")
        );
        assert_eq!(
            unit_from_cgroup("0::/user.slice/user-0.slice/session-3.scope\n").as_deref(),
            Some("session-3.scope")
        );
        assert_eq!(
            unit_from_cgroup("0::/system.slice/foo.service/payload\n").as_deref(),
            Some("foo.service")
        );
        assert_eq!(
            unit_from_cgroup("12:cpu:/x\n1:name=systemd:/system.slice/sshd.service\n").as_deref(),
            Some("sshd.service")
        );
        assert_eq!(unit_from_cgroup("0::/\n"), None);
    }

    fn write_proc(root: &Path, pid: u32, comm: &str, ticks: u64, rss_pages: u64, cg: &str) {
        let d = root.join(pid.to_string());
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("stat"),
            format!("{pid} ({comm}) R 1 1 1 0 -1 0 0 0 0 0 {ticks} 0 0 0 20 0 1 0 5 0 0\n"),
        )
        .unwrap();
        std::fs::write(d.join("statm"), format!("1000 {rss_pages} 0 0 0 0 0\n")).unwrap();
        std::fs::write(d.join("cgroup"), format!("0::{cg}\n")).unwrap();
    }

    #[test]
    fn top_processes_by_cpu_and_memory_with_units() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        write_proc(r, 10, "burn er", 100, 10, "/system.slice/burn.service");
        write_proc(r, 11, "fat", 100, 100_000, "/system.slice/fat.service");
        std::fs::create_dir_all(r.join("self")).unwrap();
        let mut t = ProcTracker::new(r, 5);
        let first = t.update(1.0);
        assert_eq!(first.processes, 2);
        assert!(first.by_cpu.iter().all(|e| e.cpu_pct == 0.0));
        write_proc(r, 10, "burn er", 300, 10, "/system.slice/burn.service");
        write_proc(r, 11, "fat", 110, 100_000, "/system.slice/fat.service");
        let top = t.update(2.0);
        assert_eq!(top.by_cpu[0].comm, "burn er");
        assert_eq!(top.by_cpu[0].unit.as_deref(), Some("burn.service"));
        assert!((top.by_cpu[0].cpu_pct - 100.0).abs() < 1e-9);
        assert!((top.by_cpu[1].cpu_pct - 5.0).abs() < 1e-9);
        assert_eq!(top.by_memory[0].comm, "fat");
        assert_eq!(top.by_memory[0].rss_bytes, 100_000 * page_size());
        // A process that exits is gone from the next list.
        std::fs::remove_dir_all(r.join("10")).unwrap();
        let top = t.update(1.0);
        assert_eq!(top.processes, 1);
        assert!(top.by_cpu.iter().all(|e| e.pid != 10));
    }
}
