//! What an alert tells the operator to do: from the series that alerted and the present state
//! (top processes, the file system's largest directories and what can be cleaned).

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::system::{Top, TopEntry};

/// The family of a series, which decides the suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Family {
    Cpu,
    Memory,
    Filesystem { mountpoint: String },
    Network { device: String },
    Disk { device: String },
    Other,
}

/// The value of `label` in a series key like `name{a="x",b="y"}`.
pub fn key_label(key: &str, label: &str) -> Option<String> {
    let inner = key.split_once('{')?.1.strip_suffix('}')?;
    let pat = format!("{label}=\"");
    let start = inner
        .match_indices(&pat)
        .find(|(i, _)| *i == 0 || inner.as_bytes()[i - 1] == b',')?
        .0
        + pat.len();
    let rest = &inner[start..];
    let mut out = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '"' => return Some(out),
            c => out.push(c),
        }
    }
    None
}

/// Classifies a series key.
pub fn family(key: &str) -> Family {
    let name = key.split('{').next().unwrap_or(key);
    let label = |l: &str| key_label(key, l).unwrap_or_default();
    if name.starts_with("node_filesystem") || name.starts_with("ainux_filesystem") {
        Family::Filesystem {
            mountpoint: label("mountpoint"),
        }
    } else if name.starts_with("node_network") {
        Family::Network {
            device: label("device"),
        }
    } else if name.starts_with("node_disk") || name.starts_with("node_pressure_io") {
        Family::Disk {
            device: label("device"),
        }
    } else if name.starts_with("node_memory")
        || name.starts_with("ainux_memory")
        || name.starts_with("node_pressure_memory")
    {
        Family::Memory
    } else if name.starts_with("node_cpu")
        || name.starts_with("ainux_cpu")
        || name.starts_with("node_load")
        || name.starts_with("node_pressure_cpu")
        || name.starts_with("node_procs")
        || name.starts_with("node_context_switches")
        || name.starts_with("node_forks")
    {
        Family::Cpu
    } else {
        Family::Other
    }
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / 1048576.0)
}

fn who(e: &TopEntry) -> String {
    match &e.unit {
        Some(u) => format!("{} (pid {}, unit {u})", e.comm, e.pid),
        None => format!("{} (pid {})", e.comm, e.pid),
    }
}

/// A directory or cleanable item with its size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SizedPath {
    pub path: String,
    pub bytes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub how: Option<String>,
}

/// What a full file system holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FsReport {
    pub largest: Vec<SizedPath>,
    pub cleanable: Vec<SizedPath>,
}

/// Things commonly safe to clean, relative to `/`, with how.
const CLEANABLE: &[(&str, &str)] = &[
    ("var/log/journal", "journalctl --vacuum-size=100M"),
    ("var/cache/apt/archives", "apt-get clean"),
    (
        "var/lib/apt/lists",
        "apt-get update re-creates them (rm -rf /var/lib/apt/lists/*)",
    ),
    ("var/tmp", "remove old files (systemd-tmpfiles --clean)"),
    ("var/crash", "remove old crash dumps"),
    (
        ".snapshots",
        "delete old snapshots (btrfs subvolume delete /.snapshots/<old>)",
    ),
    (
        "snapshots",
        "delete old snapshots (btrfs subvolume delete /snapshots/<old>)",
    ),
];

/// Sizes of the directories up to `depth` levels below `root` staying on its file system,
/// visiting at most `budget` entries. Returns (directory, bytes) for every directory seen.
pub fn dir_sizes(root: &Path, depth: usize, budget: usize) -> Vec<(PathBuf, u64)> {
    let Ok(meta) = std::fs::symlink_metadata(root) else {
        return Vec::new();
    };
    let dev = meta.dev();
    let mut sizes: HashMap<PathBuf, u64> = HashMap::new();
    let mut left = budget;
    // (dir, level, the ancestor at `depth` or less it counts toward)
    let mut stack: Vec<(PathBuf, usize)> = vec![(root.to_owned(), 0)];
    while let Some((dir, level)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.flatten() {
            if left == 0 {
                break;
            }
            left -= 1;
            let Ok(m) = e.metadata() else { continue };
            if m.dev() != dev {
                continue;
            }
            let p = e.path();
            if m.is_dir() {
                stack.push((p, level + 1));
            } else {
                let bytes = m.blocks() * 512;
                // Count toward every ancestor up to `depth` levels below the root.
                let mut anc = p.parent();
                while let Some(a) = anc {
                    let rel_depth = a.strip_prefix(root).map(|r| r.components().count());
                    match rel_depth {
                        Ok(d) if d <= depth => {
                            *sizes.entry(a.to_owned()).or_default() += bytes;
                        }
                        Ok(_) => {}
                        Err(_) => break,
                    }
                    if a == root {
                        break;
                    }
                    anc = a.parent();
                }
            }
        }
    }
    let mut v: Vec<(PathBuf, u64)> = sizes.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

/// The largest directories under a mountpoint (not the mountpoint itself) and the cleanable
/// paths on it.
pub fn fs_report(mountpoint: &Path, budget: usize) -> FsReport {
    let sizes = dir_sizes(mountpoint, 2, budget);
    let largest = sizes
        .iter()
        .filter(|(p, _)| p != mountpoint)
        .take(5)
        .map(|(p, b)| SizedPath {
            path: p.display().to_string(),
            bytes: *b,
            how: None,
        })
        .collect();
    let dev = std::fs::metadata(mountpoint).map(|m| m.dev()).ok();
    let mut cleanable = Vec::new();
    for (rel, how) in CLEANABLE {
        let p = Path::new("/").join(rel);
        let Ok(m) = std::fs::metadata(&p) else {
            continue;
        };
        if Some(m.dev()) != dev || !p.starts_with(mountpoint) {
            continue;
        }
        let bytes = dir_sizes(&p, 0, budget)
            .into_iter()
            .find(|(d, _)| d == &p)
            .map_or(0, |(_, b)| b);
        if bytes > 0 {
            cleanable.push(SizedPath {
                path: p.display().to_string(),
                bytes,
                how: Some((*how).to_owned()),
            });
        }
    }
    FsReport { largest, cleanable }
}

/// The suggestion text of an alert on `key`, with the details as JSON.
pub fn suggest(
    key: &str,
    top: &Top,
    fs: impl FnOnce(&str) -> FsReport,
) -> (String, serde_json::Value) {
    match family(key) {
        Family::Cpu => {
            let busy: Vec<&TopEntry> = top.by_cpu.iter().take(3).collect();
            let text = match busy.first() {
                Some(e) => format!(
                    "top CPU: {}; check it with `systemctl status {}` and stop or limit it (CPUQuota=)",
                    busy.iter()
                        .map(|e| format!("{} {:.0}% of a core", who(e), e.cpu_pct))
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.unit.as_deref().unwrap_or(&e.pid.to_string())
                ),
                None => "no process stands out; look at `kmonitor top`".into(),
            };
            (text, serde_json::json!({ "top_cpu": busy }))
        }
        Family::Memory => {
            let fat: Vec<&TopEntry> = top.by_memory.iter().take(3).collect();
            let text = match fat.first() {
                Some(e) => format!(
                    "most memory: {}; restart or limit the largest (MemoryMax= on {})",
                    fat.iter()
                        .map(|e| format!("{} {}", who(e), mib(e.rss_bytes)))
                        .collect::<Vec<_>>()
                        .join(", "),
                    e.unit.as_deref().unwrap_or(&e.comm)
                ),
                None => "no process stands out; look at `kmonitor top`".into(),
            };
            (text, serde_json::json!({ "top_memory": fat }))
        }
        Family::Filesystem { mountpoint } => {
            let r = fs(&mountpoint);
            let mut text = format!("{mountpoint} is filling");
            if !r.largest.is_empty() {
                text.push_str("; largest: ");
                text.push_str(
                    &r.largest
                        .iter()
                        .map(|s| format!("{} {}", s.path, mib(s.bytes)))
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            if !r.cleanable.is_empty() {
                text.push_str("; can be cleaned: ");
                text.push_str(
                    &r.cleanable
                        .iter()
                        .map(|s| {
                            format!(
                                "{} {} ({})",
                                s.path,
                                mib(s.bytes),
                                s.how.as_deref().unwrap_or("")
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                );
            }
            (
                text,
                serde_json::json!({ "mountpoint": mountpoint, "largest": r.largest, "cleanable": r.cleanable }),
            )
        }
        Family::Network { device } => (
            format!(
                "interface {device} reports errors; check `ip -s link show {device}`, the cable or link partner, and the driver in `journalctl -k`"
            ),
            serde_json::json!({ "interface": device }),
        ),
        Family::Disk { device } => {
            let busy: Vec<&TopEntry> = top.by_cpu.iter().take(3).collect();
            (
                format!(
                    "I/O on {}; busiest processes: {}",
                    if device.is_empty() {
                        "the disks"
                    } else {
                        &device
                    },
                    busy.iter().map(|e| who(e)).collect::<Vec<_>>().join(", ")
                ),
                serde_json::json!({ "device": device, "top_cpu": busy }),
            )
        }
        Family::Other => (
            "unusual value; see `kmonitor status` and `kmonitor top`".into(),
            serde_json::Value::Null,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(pid: u32, comm: &str, unit: &str, cpu: f64, rss: u64) -> TopEntry {
        TopEntry {
            pid,
            comm: comm.into(),
            unit: Some(unit.into()),
            cpu_pct: cpu,
            rss_bytes: rss,
        }
    }

    #[test]
    fn labels_and_families() {
        let k = r#"node_filesystem_avail_bytes{device="/dev/vda",fstype="ext4",mountpoint="/my \"x\""}"#;
        assert_eq!(key_label(k, "mountpoint").as_deref(), Some("/my \"x\""));
        assert_eq!(key_label(k, "device").as_deref(), Some("/dev/vda"));
        assert_eq!(key_label(k, "type"), None);
        assert_eq!(
            family(k),
            Family::Filesystem {
                mountpoint: "/my \"x\"".into()
            }
        );
        assert_eq!(
            family(r#"node_network_receive_errs_total{device="eth0"}"#),
            Family::Network {
                device: "eth0".into()
            }
        );
        assert_eq!(family("ainux_cpu_busy_ratio"), Family::Cpu);
        assert_eq!(family("node_memory_MemAvailable_bytes"), Family::Memory);
        assert_eq!(family("something_else"), Family::Other);
    }

    #[test]
    fn cpu_and_memory_suggestions_name_process_and_unit() {
        let top = Top {
            processes: 2,
            by_cpu: vec![entry(7, "burner", "burn.service", 99.0, 10)],
            by_memory: vec![entry(8, "fat", "fat.service", 0.0, 512 << 20)],
        };
        let (t, d) = suggest("ainux_cpu_busy_ratio", &top, |_| unreachable!());
        assert!(
            t.contains("burner (pid 7, unit burn.service) 99% of a core"),
            "{t}"
        );
        assert_eq!(d["top_cpu"][0]["unit"], "burn.service");
        let (t, _) = suggest("node_memory_MemAvailable_bytes", &top, |_| unreachable!());
        assert!(t.contains("fat (pid 8, unit fat.service) 512.0 MiB"), "{t}");
        let (t, _) = suggest(
            r#"node_network_transmit_errs_total{device="enp1s0"}"#,
            &top,
            |_| unreachable!(),
        );
        assert!(t.contains("ip -s link show enp1s0"), "{t}");
    }

    #[test]
    fn filesystem_report_finds_largest_directories() {
        let dir = tempfile::tempdir().unwrap();
        let r = dir.path();
        std::fs::create_dir_all(r.join("big/inner")).unwrap();
        std::fs::create_dir_all(r.join("small")).unwrap();
        std::fs::write(r.join("big/inner/blob"), vec![1u8; 1 << 20]).unwrap();
        std::fs::write(r.join("small/f"), vec![1u8; 8192]).unwrap();
        let rep = fs_report(r, 10_000);
        assert_eq!(rep.largest[0].path, r.join("big").display().to_string());
        assert!(rep.largest[0].bytes >= 1 << 20);
        assert!(rep.largest.iter().any(|s| s.path.ends_with("big/inner")));
        let small = rep
            .largest
            .iter()
            .find(|s| s.path.ends_with("small"))
            .unwrap();
        assert!(small.bytes < 1 << 20);
        let (t, d) = suggest(
            &format!(
                "ainux_filesystem_fill_seconds{{device=\"x\",fstype=\"ext4\",mountpoint=\"{}\"}}",
                r.display()
            ),
            &Top::default(),
            |m| fs_report(Path::new(m), 10_000),
        );
        assert!(t.contains("largest: ") && t.contains("big"), "{t}");
        assert_eq!(d["largest"][0]["path"], r.join("big").display().to_string());
    }
}
