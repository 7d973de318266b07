//! The package-install step (mmdebstrap) and the tools tree.

use std::path::Path;
use std::process::Command;

use serde::Serialize;

use crate::mirror::Source;
use crate::run::{self, Progress};

/// Bump when the recipe below changes in a way that changes its result.
pub const ROOTFS_RECIPE: u32 = 3;
pub const TOOLS_RECIPE: u32 = 1;
/// The Debian release the tools tree comes from (btrfs-progs ≥ 6.7 for `mkfs.btrfs --subvol`).
pub const TOOLS_RELEASE: &str = "trixie";
pub const TOOLS_PACKAGES: &[&str] = &["btrfs-progs"];

#[derive(Debug, thiserror::Error)]
pub enum RootfsError {
    #[error(
        "the package {name:?} does not exist in {suites}.\n  why: apt could not find it in the archive\n  \
         what to do: fix the name under [Content] Packages= in mkosi.conf (`apt-cache search` helps)"
    )]
    NoSuchPackage { name: String, suites: String },
    #[error("installing the packages (mmdebstrap)")]
    Mmdebstrap(#[source] run::RunError),
    #[error(
        "no kernel was installed.\n  why: the image is bootable but no /boot/vmlinuz-* came from the package set\n  \
         what to do: add a kernel package (e.g. linux-image-amd64) to Packages= in mkosi.conf, or set Bootable=no"
    )]
    NoKernel,
    #[error(
        "no initrd was generated for kernel {0}.\n  why: the package set lacks an initrd generator\n  \
         what to do: add initramfs-tools (or dracut) to Packages="
    )]
    NoInitrd(String),
}

/// Everything that determines the package-install step.
#[derive(Debug, Serialize)]
pub struct RootfsInputs<'a> {
    pub recipe: u32,
    pub mmdebstrap_version: String,
    pub distribution: &'a str,
    pub release: &'a str,
    pub architecture: &'a str,
    /// `deb` lines with the sha256 of each suite's InRelease.
    pub sources: Vec<(String, String)>,
    /// Sorted, deduplicated.
    pub packages: Vec<String>,
    pub with_recommends: bool,
    pub with_docs: bool,
    pub source_date_epoch: Option<u64>,
}

pub fn mmdebstrap_version() -> String {
    Command::new("mmdebstrap")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// mmdebstrap's phase lines, condensed for the progress display.
fn mmdebstrap_progress(line: &str) -> Option<String> {
    let l = line.strip_prefix("I: ")?;
    let keep = [
        "automatically chosen",
        "running apt-get update",
        "downloading packages",
        "extracting archives",
        "installing essential packages",
        "installing remaining packages",
        "running --customize-hook",
        "cleaning package lists",
        "success in",
    ];
    keep.iter()
        .any(|k| l.contains(k))
        .then(|| l.trim_end_matches("...").to_string())
}

/// Runs mmdebstrap for the image's base: `variant` packages plus `packages`.
#[allow(clippy::too_many_arguments)]
pub fn mmdebstrap(
    dest: &Path,
    release: &str,
    arch: &str,
    sources: &[Source],
    packages: &[String],
    with_recommends: bool,
    with_docs: bool,
    source_date_epoch: Option<u64>,
    log: &Path,
) -> Result<(), RootfsError> {
    let mut args: Vec<String> = vec![
        "--mode=root".into(),
        "--variant=minbase".into(),
        format!("--architectures={arch}"),
        "--format=directory".into(),
        "--aptopt=Acquire::Languages \"none\"".into(),
        format!(
            "--aptopt=APT::Install-Recommends \"{}\"",
            if with_recommends { "true" } else { "false" }
        ),
        // initramfs-tools reads this when the kernel's trigger builds the initrd.
        "--essential-hook=mkdir -p \"$1/etc/initramfs-tools/conf.d\" && echo COMPRESS=zstd > \"$1/etc/initramfs-tools/conf.d/ainux.conf\"".into(),
    ];
    if !with_docs {
        for p in [
            "path-exclude=/usr/share/doc/*",
            "path-include=/usr/share/doc/*/copyright",
            "path-exclude=/usr/share/man/*",
            "path-exclude=/usr/share/info/*",
            "path-exclude=/usr/share/lintian/*",
        ] {
            args.push(format!("--dpkgopt={p}"));
        }
    }
    if !packages.is_empty() {
        args.push(format!("--include={}", packages.join(",")));
    }
    args.push(release.to_string());
    args.push(dest.to_string_lossy().into_owned());
    for s in sources {
        args.push(s.deb_line());
    }
    let mut cmd = Command::new("mmdebstrap");
    cmd.args(&args);
    if let Some(epoch) = source_date_epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch.to_string());
    }
    // mmdebstrap mounts /proc etc. in the target itself; a private namespace guarantees that
    // nothing stays mounted if it is killed.
    let mut wrapped = Command::new("unshare");
    wrapped
        .args(["--mount", "--propagation", "private", "--"])
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            wrapped.env(k, v);
        }
    }
    match run::run(
        &mut wrapped,
        "mmdebstrap",
        Some(log),
        Progress::Lines(mmdebstrap_progress),
    ) {
        Ok(_) => Ok(()),
        Err(run::RunError::Failed { stderr, .. }) if let Some(name) = missing_package(&stderr) => {
            Err(RootfsError::NoSuchPackage {
                name,
                suites: sources
                    .iter()
                    .map(|s| s.suite.clone())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
        }
        Err(e) => Err(RootfsError::Mmdebstrap(e)),
    }
}

/// The package apt said it can't find, from its error output.
pub fn missing_package(stderr: &str) -> Option<String> {
    stderr.lines().find_map(|l| {
        let i = l.find("Unable to locate package ")?;
        Some(
            l[i + "Unable to locate package ".len()..]
                .trim()
                .to_string(),
        )
    })
}

/// The kernel version installed in `root`, with the paths of its image and initrd.
pub fn find_kernel(
    root: &Path,
) -> Result<(String, std::path::PathBuf, std::path::PathBuf), RootfsError> {
    let boot = root.join("boot");
    let mut versions: Vec<String> = std::fs::read_dir(&boot)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| {
                    e.file_name()
                        .to_str()?
                        .strip_prefix("vmlinuz-")
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    versions.sort();
    let v = versions.pop().ok_or(RootfsError::NoKernel)?;
    let initrd = ["initrd.img-", "initramfs-"]
        .iter()
        .map(|p| boot.join(format!("{p}{v}")))
        .find(|p| p.exists())
        .ok_or_else(|| RootfsError::NoInitrd(v.clone()))?;
    Ok((v.clone(), boot.join(format!("vmlinuz-{v}")), initrd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apt_missing_package_is_recognised() {
        let err = "W: something\nE: Unable to locate package ainux-does-not-exist\nE: more";
        assert_eq!(
            missing_package(err).as_deref(),
            Some("ainux-does-not-exist")
        );
        assert_eq!(missing_package("E: other failure"), None);
    }

    #[test]
    fn progress_keeps_phase_lines_only() {
        assert_eq!(
            mmdebstrap_progress("I: downloading packages with apt...").as_deref(),
            Some("downloading packages with apt")
        );
        assert_eq!(mmdebstrap_progress("Get:1 http://x y"), None);
    }

    #[test]
    fn kernel_and_initrd_are_found_or_explained() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("boot")).unwrap();
        assert!(matches!(find_kernel(t.path()), Err(RootfsError::NoKernel)));
        std::fs::write(t.path().join("boot/vmlinuz-6.1.0-9-amd64"), b"k").unwrap();
        assert!(matches!(
            find_kernel(t.path()),
            Err(RootfsError::NoInitrd(_))
        ));
        std::fs::write(t.path().join("boot/initrd.img-6.1.0-9-amd64"), b"i").unwrap();
        let (v, k, i) = find_kernel(t.path()).unwrap();
        assert_eq!(v, "6.1.0-9-amd64");
        assert!(k.ends_with("vmlinuz-6.1.0-9-amd64") && i.ends_with("initrd.img-6.1.0-9-amd64"));
    }
}
