//! The builder's bad-input paths, through the real binary: each ends with a clear error
//! paragraph and a non-zero exit, and leaves nothing mounted or half-written.
//!
//! The configuration errors need nothing; the others run the real preflight, so they need root
//! and the build tools (as in CI) and say so when skipped.

use std::path::Path;
use std::process::{Command, Output};

fn builder() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ainux-image"))
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn can_build() -> bool {
    let ok = is_root() && have("mmdebstrap") && have("unshare") && have("mkfs.vfat");
    if !ok {
        eprintln!("skipped: needs root and the build tools (scripts/setup)");
    }
    ok
}

const GOOD: &str = "[Distribution]\nDistribution=debian\nRelease=bookworm\n\n[Output]\nFormat=disk\nImageId=t\n\n[Content]\nPackages=systemd linux-image-amd64\n";

/// A project directory on the build disk (CARGO_TARGET_TMPDIR), not in /tmp: the builder checks
/// free space where its output goes, and /tmp may be a small tmpfs.
fn project(conf: &str) -> tempfile::TempDir {
    let t = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    std::fs::write(t.path().join("mkosi.conf"), conf).unwrap();
    std::fs::create_dir_all(t.path().join("units")).unwrap();
    t
}

/// Nothing of the build is left: no work directory, no temporary cache entry, no mount.
fn assert_clean(out: &Path, cache: &Path) {
    for dir in [out, cache] {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.filter_map(Result::ok) {
                let n = e.file_name().to_string_lossy().into_owned();
                assert!(
                    !n.starts_with(".ainux-build-") && !n.starts_with(".tmp-"),
                    "left behind: {}",
                    e.path().display()
                );
            }
        }
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    for p in [out, cache] {
        assert!(
            !mounts.contains(p.to_str().unwrap()),
            "something is still mounted under {}",
            p.display()
        );
    }
}

#[test]
fn bad_value_names_file_line_key_and_allowed_values() {
    let t = project("[Output]\nFormat=iso\n");
    let o = builder().arg("-C").arg(t.path()).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("mkosi.conf:2"), "{s}");
    assert!(s.contains("Format"), "{s}");
    assert!(s.contains("disk, directory, tar, qcow2"), "{s}");
}

#[test]
fn unknown_key_is_a_warning_with_file_and_line() {
    let t = project(&format!("{GOOD}Frobnicate=yes\n"));
    let o = builder()
        .arg("-C")
        .arg(t.path())
        .arg("inspect")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("warning:") && s.contains("mkosi.conf:11"), "{s}");
}

#[test]
fn bad_format_flag_is_refused() {
    let t = project(GOOD);
    let o = builder()
        .arg("-C")
        .arg(t.path())
        .args(["--format", "iso"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn kernel_missing_from_the_package_set() {
    if !can_build() {
        return;
    }
    let t = project("[Output]\nImageId=t\n[Content]\nBootable=yes\nPackages=systemd\n");
    let out = t.path().join("out");
    let cache = t.path().join("cache");
    let o = builder()
        .arg("-C")
        .arg(t.path())
        .arg("-O")
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .arg("--skip-cargo")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(5), "{}", text(&o));
    let s = text(&o);
    assert!(
        s.contains("no kernel") && s.contains("linux-image-amd64"),
        "{s}"
    );
    assert!(s.contains("what to do"), "{s}");
    assert_clean(&out, &cache);
}

#[test]
fn unreachable_mirror() {
    if !can_build() {
        return;
    }
    let t = project(GOOD);
    let out = t.path().join("out");
    let cache = t.path().join("cache");
    // Nothing listens on loopback port 9: refused at once.
    let o = builder()
        .arg("-C")
        .arg(t.path())
        .args([
            "--mirror",
            "http://127.0.0.1:9/debian",
            "--skip-cargo",
            "-O",
        ])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(4), "{}", text(&o));
    let s = text(&o);
    assert!(
        s.contains("could not be reached") && s.contains("127.0.0.1:9"),
        "{s}"
    );
    assert_clean(&out, &cache);
}

#[test]
fn full_output_disk_is_refused_before_writing() {
    if !can_build() {
        return;
    }
    let t = project(GOOD);
    let cache = t.path().join("cache");
    let small = t.path().join("small");
    std::fs::create_dir_all(&small).unwrap();
    // A 64 MiB tmpfs in a private mount namespace, gone when the command exits.
    let script = format!(
        "mount -t tmpfs -o size=64m tmpfs '{s}' && exec '{b}' -C '{c}' -O '{s}/out' --cache-dir '{k}' --skip-cargo",
        s = small.display(),
        b = env!("CARGO_BIN_EXE_ainux-image"),
        c = t.path().display(),
        k = cache.display()
    );
    let o = Command::new("unshare")
        .args([
            "--mount",
            "--propagation",
            "private",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("not enough free space"), "{s}");
    assert_clean(&small, &cache);
}

#[test]
fn package_that_does_not_exist() {
    if !can_build() {
        return;
    }
    let t = project(
        "[Output]\nImageId=t\n[Content]\nBootable=no\nPackages=ainux-no-such-package-xyz\n",
    );
    let out = t.path().join("out");
    let cache = t.path().join("cache");
    let o = builder()
        .arg("-C")
        .arg(t.path())
        .args(["--format", "directory", "--skip-cargo", "-O"])
        .arg(&out)
        .arg("--cache-dir")
        .arg(&cache)
        .output()
        .unwrap();
    let s = text(&o);
    if s.contains("could not be reached") {
        eprintln!("skipped: the mirror is unreachable here");
        return;
    }
    assert_eq!(o.status.code(), Some(5), "{s}");
    assert!(
        s.contains("ainux-no-such-package-xyz") && s.contains("does not exist"),
        "{s}"
    );
    assert_clean(&out, &cache);
}
