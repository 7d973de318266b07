//! `ainux info`: image id and version (/etc/os-release), build digest (/usr/lib/ainux/build.json),
//! kernel (uname), btrfs subvolumes and the default one.

use crate::btrfs;
use crate::config::Config;
use serde::Serialize;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum InfoError {
    #[error("cannot read {path}")]
    Read {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Info {
    pub image_id: Option<String>,
    pub image_version: Option<String>,
    pub pretty_name: Option<String>,
    pub build_digest: Option<String>,
    pub built_at: Option<String>,
    pub kernel: String,
    pub root_fs_btrfs: bool,
    pub default_subvolume: Option<u64>,
    pub root_subvolume: Option<u64>,
    pub subvolumes: Vec<btrfs::Subvolume>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// `KEY=value` lines of an os-release file (quotes removed).
pub fn os_release(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let v = l.strip_prefix(key)?.strip_prefix('=')?;
        Some(v.trim().trim_matches('"').trim_matches('\'').to_string())
    })
}

fn kernel() -> String {
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    // SAFETY: `u` is a writable utsname.
    if unsafe { libc::uname(&mut u) } != 0 {
        return String::new();
    }
    let f = |a: &[libc::c_char]| {
        // SAFETY: uname fills NUL-terminated strings.
        unsafe { std::ffi::CStr::from_ptr(a.as_ptr()) }
            .to_string_lossy()
            .into_owned()
    };
    format!("{} {} {}", f(&u.sysname), f(&u.release), f(&u.machine))
}

/// Collects the info, with `root` the filesystem root (`/`; a directory in tests).
pub fn collect(root: &Path, cfg: &Config) -> Result<Info, InfoError> {
    let mut info = Info {
        kernel: kernel(),
        ..Info::default()
    };
    let osr = ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .map(|p| root.join(p))
        .find(|p| p.exists());
    if let Some(p) = osr {
        let text = std::fs::read_to_string(&p).map_err(|source| InfoError::Read {
            path: p.clone(),
            source,
        })?;
        info.image_id = os_release(&text, "IMAGE_ID");
        info.image_version = os_release(&text, "IMAGE_VERSION");
        info.pretty_name = os_release(&text, "PRETTY_NAME");
    }
    let ij = root.join("usr/lib/ainux/build.json");
    match std::fs::read(&ij) {
        Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
            Ok(v) => {
                let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
                info.build_digest = s("build_digest");
                info.built_at = s("built_at");
                info.image_id = info.image_id.or_else(|| s("image_id"));
                info.image_version = info.image_version.or_else(|| s("image_version"));
            }
            Err(e) => info.warnings.push(format!("{}: {e}", ij.display())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            info.warnings.push(format!("{} is missing", ij.display()))
        }
        Err(source) => return Err(InfoError::Read { path: ij, source }),
    }
    info.root_fs_btrfs = btrfs::is_btrfs(&cfg.root);
    if info.root_fs_btrfs {
        info.root_subvolume = btrfs::subvolume_id(&cfg.root).ok();
        match btrfs::default_id(&cfg.root) {
            Ok(id) => info.default_subvolume = Some(id),
            Err(e) => info.warnings.push(crate::error_text(&e)),
        }
        match btrfs::subvolumes(&cfg.root) {
            Ok(v) => info.subvolumes = v,
            Err(e) => info.warnings.push(crate::error_text(&e)),
        }
    }
    Ok(info)
}

pub fn render(i: &Info) -> String {
    let o = |v: &Option<String>| v.clone().unwrap_or_else(|| "unknown".into());
    let mut s = format!(
        "image:        {} {}\nbuild digest: {}\nbuilt at:     {}\nkernel:       {}\n",
        o(&i.image_id),
        o(&i.image_version),
        o(&i.build_digest),
        o(&i.built_at),
        i.kernel
    );
    if !i.root_fs_btrfs {
        s.push_str("root:         not on btrfs (no snapshots)\n");
    }
    if !i.subvolumes.is_empty() {
        s.push_str("subvolumes:\n");
        for v in &i.subvolumes {
            let mut flags = Vec::new();
            if Some(v.id) == i.default_subvolume {
                flags.push("default");
            }
            if Some(v.id) == i.root_subvolume {
                flags.push("running root");
            }
            if v.read_only {
                flags.push("ro");
            }
            s.push_str(&format!(
                "  {:>5} {} {}\n",
                v.id,
                v.path,
                if flags.is_empty() {
                    String::new()
                } else {
                    format!("({})", flags.join(", "))
                }
            ));
        }
    }
    for w in &i.warnings {
        s.push_str(&format!("warning: {w}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_os_release_and_image_json_from_a_root() {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("etc")).unwrap();
        std::fs::create_dir_all(d.path().join("usr/lib/ainux")).unwrap();
        std::fs::write(
            d.path().join("etc/os-release"),
            "PRETTY_NAME=\"ainux 0.3\"\nIMAGE_ID=ainux\nIMAGE_VERSION=\"0.3.1\"\n",
        )
        .unwrap();
        std::fs::write(
            d.path().join("usr/lib/ainux/build.json"),
            r#"{"image_id":"ainux","image_version":"0.3.1","build_digest":"sha256:abc","built_at":"2026-11-21T07:00:00Z"}"#,
        )
        .unwrap();
        let cfg = Config {
            root: d.path().to_path_buf(),
            ..Config::default()
        };
        let i = collect(d.path(), &cfg).unwrap();
        assert_eq!(i.image_id.as_deref(), Some("ainux"));
        assert_eq!(i.image_version.as_deref(), Some("0.3.1"));
        assert_eq!(i.build_digest.as_deref(), Some("sha256:abc"));
        assert!(!i.kernel.is_empty());
        assert!(render(&i).contains("sha256:abc"));
    }

    #[test]
    fn a_missing_image_json_is_a_warning() {
        let d = tempfile::tempdir().unwrap();
        let cfg = Config {
            root: d.path().to_path_buf(),
            ..Config::default()
        };
        let i = collect(d.path(), &cfg).unwrap();
        assert!(i.warnings.iter().any(|w| w.contains("build.json")));
        assert_eq!(i.image_id, None);
    }
}
