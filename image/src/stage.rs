//! The staging tree: the cached base plus the project's binaries, units, overlay and the
//! settings of `[Content]`, laid out as the btrfs subvolumes of the final file system.
//!
//! Layout of a staging directory `S` (what `mkfs.btrfs --rootdir S --subvol …` expects):
//! `S/@` the root (the default subvolume), `S/@home`, `S/@var_log`, `S/@snapshots`.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};
use std::process::Command;

use mkosi_config::{Config, RootPassword};

use crate::run::{self, Progress};

/// The subvolumes of the root file system: (name, mount point in the image).
/// `@` is the default subvolume and mounted as `/` without any `subvol=` option.
/// Where the running system mounts the EFI system partition.
pub const ESP_MOUNTPOINT: &str = "/efi";

pub const SUBVOLUMES: &[(&str, &str)] = &[
    ("@home", "/home"),
    ("@var_log", "/var/log"),
    ("@snapshots", "/.snapshots"),
];

#[derive(Debug, thiserror::Error)]
pub enum StageError {
    #[error("{what} {path}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Run(#[from] run::RunError),
    #[error(
        "the time zone {0:?} is not known.\n  why: /usr/share/zoneinfo/{0} is missing in the image\n  \
         what to do: use a name like Europe/Paris or UTC, and keep tzdata in Packages="
    )]
    UnknownTimezone(String),
    #[error(
        "the locale {0:?} can't be generated.\n  why: it is not listed in the image's /usr/share/i18n/SUPPORTED \
         (or the locales package is missing)\n  what to do: use a supported locale such as en_US.UTF-8 or C.UTF-8, \
         and add locales to Packages="
    )]
    UnknownLocale(String),
    #[error(
        "the project binary {0} was not built (run `cargo build --release` or drop --skip-cargo)"
    )]
    MissingBinary(PathBuf),
    #[error("RemoveFiles= pattern {0:?} leaves the image root (it contains `..`)")]
    UnsafePattern(String),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StageError {
    let path = path.to_path_buf();
    move |source| StageError::Io { what, path, source }
}

/// What the project contributes to the image.
#[derive(Debug, Clone)]
pub struct ProjectFiles {
    pub binaries: Vec<PathBuf>,
    pub units_dir: PathBuf,
    pub overlay_dir: PathBuf,
}

/// The systemd unit files shipped in `units/` (their file names).
pub fn unit_names(units_dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(units_dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| {
                    [
                        ".service", ".socket", ".timer", ".path", ".target", ".mount",
                    ]
                    .iter()
                    .any(|s| n.ends_with(s))
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Unit names the preset files in `units/` mention explicitly (enable or disable lines without
/// globs), so `systemctl preset` applies to them too.
pub fn preset_named_units(units_dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for f in fs::read_dir(units_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        if !f.file_name().to_string_lossy().ends_with(".preset") {
            continue;
        }
        for line in fs::read_to_string(f.path()).unwrap_or_default().lines() {
            let mut w = line.split_whitespace();
            if let (Some("enable" | "disable"), Some(unit)) = (w.next(), w.next())
                && !unit.contains(['*', '?', '['])
            {
                out.push(unit.to_string());
            }
        }
    }
    out
}

fn copy_tree(src: &Path, dst: &Path, log: &Path) -> Result<(), StageError> {
    fs::create_dir_all(dst).map_err(io("creating", dst))?;
    run::run(
        Command::new("cp")
            .arg("-a")
            .arg("--reflink=auto")
            .arg("--no-preserve=ownership")
            .arg(format!("{}/.", src.display()))
            .arg(dst),
        &format!("copying {}", src.display()),
        Some(log),
        Progress::Quiet,
    )?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<(), StageError> {
    if let Some(p) = path.parent() {
        fs::create_dir_all(p).map_err(io("creating", p))?;
    }
    fs::write(path, text).map_err(io("writing", path))
}

/// Copies the cached base into `stage/@`.
pub fn copy_base(base: &Path, stage: &Path, log: &Path) -> Result<PathBuf, StageError> {
    let root = stage.join("@");
    fs::create_dir_all(stage).map_err(io("creating", stage))?;
    run::run(
        Command::new("cp")
            .args(["-a", "--reflink=auto"])
            .arg(base)
            .arg(&root),
        "copying the cached base",
        Some(log),
        Progress::Quiet,
    )?;
    // The cache marker is not part of the image.
    let _ = fs::remove_file(root.join(".ainux-cache-complete.json"));
    Ok(root)
}

/// Installs the project's binaries, units, presets and overlay into `root`.
pub fn install_project(root: &Path, files: &ProjectFiles, log: &Path) -> Result<(), StageError> {
    let bindir = root.join("usr/bin");
    for b in &files.binaries {
        if !b.is_file() {
            return Err(StageError::MissingBinary(b.clone()));
        }
        let dst = bindir.join(b.file_name().expect("binary has a name"));
        fs::copy(b, &dst).map_err(io("installing", &dst))?;
        fs::set_permissions(&dst, fs::Permissions::from_mode(0o755)).map_err(io("chmod", &dst))?;
    }
    let unitdir = root.join("usr/lib/systemd/system");
    for name in unit_names(&files.units_dir) {
        let src = files.units_dir.join(&name);
        let dst = unitdir.join(&name);
        fs::copy(&src, &dst).map_err(io("installing", &dst))?;
        fs::set_permissions(&dst, fs::Permissions::from_mode(0o644)).map_err(io("chmod", &dst))?;
    }
    // Presets and the other systemd drop-in directories of units/.
    for e in fs::read_dir(&files.units_dir)
        .map_err(io("reading", &files.units_dir))?
        .filter_map(Result::ok)
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let dest = if name.ends_with(".preset") {
            Some(root.join("usr/lib/systemd/system-preset").join(&name))
        } else {
            None
        };
        if let Some(d) = dest {
            write(
                &d,
                &fs::read_to_string(&path).map_err(io("reading", &path))?,
            )?;
            continue;
        }
        if path.is_dir() {
            let target = match name.as_str() {
                "udev" => Some(root.join("usr/lib/udev/rules.d")),
                "sysusers.d" => Some(root.join("usr/lib/sysusers.d")),
                "tmpfiles.d" => Some(root.join("usr/lib/tmpfiles.d")),
                "system-preset" => Some(root.join("usr/lib/systemd/system-preset")),
                "repart.d" => Some(root.join("usr/lib/repart.d")),
                n if n.ends_with(".d") => Some(unitdir.join(n)),
                _ => None,
            };
            if let Some(t) = target {
                copy_tree(&path, &t, log)?;
            }
        }
    }
    if files.overlay_dir.is_dir() {
        copy_tree(&files.overlay_dir, root, log)?;
    }
    Ok(())
}

/// Applies `[Content]` settings that are plain files.
pub fn configure(
    root: &Path,
    config: &Config,
    cmdline: &str,
    fs_uuid: &str,
    esp_partuuid: &str,
) -> Result<(), StageError> {
    let c = &config.content;
    if let Some(h) = &c.hostname {
        write(&root.join("etc/hostname"), &format!("{h}\n"))?;
        let hosts = format!(
            "127.0.0.1\tlocalhost\n127.0.1.1\t{h}\n::1\t\tlocalhost ip6-localhost ip6-loopback\nff02::1\t\tip6-allnodes\nff02::2\t\tip6-allrouters\n"
        );
        write(&root.join("etc/hosts"), &hosts)?;
    }
    if let Some(l) = &c.locale {
        write(&root.join("etc/locale.conf"), &format!("LANG={l}\n"))?;
        write(&root.join("etc/default/locale"), &format!("LANG={l}\n"))?;
    }
    if let Some(tz) = &c.timezone {
        let zone = root.join("usr/share/zoneinfo").join(tz);
        if tz.contains("..") || !zone.is_file() {
            return Err(StageError::UnknownTimezone(tz.clone()));
        }
        let lt = root.join("etc/localtime");
        let _ = fs::remove_file(&lt);
        symlink(format!("../usr/share/zoneinfo/{tz}"), &lt).map_err(io("linking", &lt))?;
        write(&root.join("etc/timezone"), &format!("{tz}\n"))?;
    }
    if c.autologin {
        let dropin = "[Service]\nExecStart=\nExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear --keep-baud --autologin root %I 115200,38400,9600 $TERM\n";
        write(
            &root.join("etc/systemd/system/serial-getty@.service.d/ainux-autologin.conf"),
            dropin,
        )?;
        let dropin = "[Service]\nExecStart=\nExecStart=-/sbin/agetty -o '-p -f -- \\\\u' --noclear --autologin root %I $TERM\n";
        write(
            &root.join("etc/systemd/system/getty@.service.d/ainux-autologin.conf"),
            dropin,
        )?;
    }
    // The file system table: / is the default subvolume, so it carries no subvol= option.
    let mut fstab = format!(
        "# ainux: btrfs subvolumes (see docs/image.md). / is the default subvolume.\n\
         UUID={fs_uuid}\t/\tbtrfs\tdefaults,noatime\t0 0\n"
    );
    for (sv, mp) in SUBVOLUMES {
        fstab.push_str(&format!(
            "UUID={fs_uuid}\t{mp}\tbtrfs\tsubvol=/{sv},noatime\t0 0\n"
        ));
    }
    // The ESP at /efi: `ainux` keeps the kernel there matching the root that boots and rewrites
    // the boot entries on rollback (docs/snapshots.md). Automounted on first use (boot never
    // waits for it) and unmounted 10 s after the last: a crash rarely finds the FAT mounted.
    fstab.push_str(&format!(
        "PARTUUID={}\t{ESP_MOUNTPOINT}\tvfat\tumask=0077,noauto,nofail,x-systemd.automount,x-systemd.idle-timeout=10s,x-systemd.device-timeout=90s\t0 0\n",
        esp_partuuid.to_lowercase()
    ));
    write(&root.join("etc/fstab"), &fstab)?;
    let efi = root.join(ESP_MOUNTPOINT.trim_start_matches('/'));
    fs::create_dir_all(&efi).map_err(io("creating", &efi))?;
    write(&root.join("etc/kernel/cmdline"), &format!("{cmdline}\n"))?;
    // First boot makes the machine id; an empty file means "not yet initialised".
    write(&root.join("etc/machine-id"), "")?;
    let _ = fs::remove_file(root.join("var/lib/dbus/machine-id"));
    for mp in SUBVOLUMES.iter().map(|(_, m)| m) {
        let d = root.join(mp.trim_start_matches('/'));
        fs::create_dir_all(&d).map_err(io("creating", &d))?;
    }
    Ok(())
}

/// Appends the image's identity to os-release.
pub fn os_release(
    root: &Path,
    image_id: &str,
    image_version: Option<&str>,
) -> Result<(), StageError> {
    let p = root.join("usr/lib/os-release");
    let text = fs::read_to_string(&p).map_err(io("reading", &p))?;
    let mut lines: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with("IMAGE_ID=") && !l.starts_with("IMAGE_VERSION="))
        .map(str::to_string)
        .collect();
    lines.push(format!("IMAGE_ID={image_id}"));
    if let Some(v) = image_version {
        lines.push(format!("IMAGE_VERSION={v}"));
    }
    write(&p, &(lines.join("\n") + "\n"))
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

/// Settings that need the image's own tools, run inside a chroot of it.
pub fn configure_in_chroot(
    root: &Path,
    config: &Config,
    units: &[String],
    log: &Path,
) -> Result<(), StageError> {
    let c = &config.content;
    let mut script = String::from("systemd-sysusers\nsystemctl set-default multi-user.target\n");
    if let Some(l) = &c.locale
        && l != "C.UTF-8"
        && l != "C"
        && l != "POSIX"
    {
        let supported =
            fs::read_to_string(root.join("usr/share/i18n/SUPPORTED")).unwrap_or_default();
        let line = supported
            .lines()
            .find(|s| s.split_whitespace().next() == Some(l.as_str()))
            .ok_or_else(|| StageError::UnknownLocale(l.clone()))?;
        write(&root.join("etc/locale.gen"), &format!("{line}\n"))?;
        script.push_str("locale-gen\n");
    }
    match &c.root_password {
        Some(RootPassword::Plain(p)) => {
            script.push_str(&format!(
                "echo {} | chpasswd\n",
                shell_quote(&format!("root:{p}"))
            ));
        }
        Some(RootPassword::Hashed(h)) => {
            script.push_str(&format!(
                "echo {} | chpasswd -e\n",
                shell_quote(&format!("root:{h}"))
            ));
        }
        None => {}
    }
    if !units.is_empty() {
        let list: Vec<String> = units.iter().map(|u| shell_quote(u)).collect();
        // Units the image doesn't have (e.g. networkd in a minimal set) are skipped.
        script.push_str(&format!(
            "for u in {}; do if systemctl cat \"$u\" >/dev/null 2>&1; then systemctl preset \"$u\"; fi; done\n",
            list.join(" ")
        ));
    }
    run::run(
        &mut run::in_chroot(root, &script),
        "configuring the image (users, locale, presets)",
        Some(log),
        Progress::Quiet,
    )?;
    Ok(())
}

/// Runs mkosi-style scripts on the host with `$BUILDROOT` pointing at the image root.
pub fn run_scripts(
    scripts: &[PathBuf],
    root: &Path,
    env: &[(&str, String)],
    kind: &str,
    log: &Path,
) -> Result<(), StageError> {
    for s in scripts {
        let mut cmd = Command::new(s);
        cmd.env("BUILDROOT", root);
        for (k, v) in env {
            cmd.env(k, v);
        }
        if let Some(dir) = s.parent() {
            cmd.current_dir(dir);
        }
        run::run(
            &mut cmd,
            &format!("{kind} script {}", s.display()),
            Some(log),
            Progress::Lines(|l| Some(l.to_string())),
        )?;
    }
    Ok(())
}

/// `RemoveFiles=`: glob patterns relative to the image root.
pub fn remove_files(root: &Path, patterns: &[String], log: &Path) -> Result<(), StageError> {
    if patterns.is_empty() {
        return Ok(());
    }
    if let Some(p) = patterns.iter().find(|p| p.split('/').any(|c| c == "..")) {
        return Err(StageError::UnsafePattern(p.clone()));
    }
    // The shell expands the globs inside the root; nothing outside it can match.
    let mut script = String::from(
        "cd \"$1\"\nshift\nfor p in \"$@\"; do\n  for f in ./$p; do [ -e \"$f\" ] || [ -L \"$f\" ] && rm -rf -- \"$f\"; done\ndone\n",
    );
    script.push_str(":\n");
    let mut cmd = Command::new("sh");
    cmd.arg("-c").arg(&script).arg("sh").arg(root);
    for p in patterns {
        cmd.arg(p.trim_start_matches('/'));
    }
    run::run(&mut cmd, "RemoveFiles=", Some(log), Progress::Quiet)?;
    Ok(())
}

/// Moves `/home` and `/var/log` contents into their subvolume directories next to `@`.
pub fn split_subvolumes(stage: &Path) -> Result<(), StageError> {
    let root = stage.join("@");
    for (sv, mp) in SUBVOLUMES {
        let dst = stage.join(sv);
        fs::create_dir_all(&dst).map_err(io("creating", &dst))?;
        let src = root.join(mp.trim_start_matches('/'));
        if let Ok(rd) = fs::read_dir(&src) {
            for e in rd.filter_map(Result::ok) {
                let to = dst.join(e.file_name());
                fs::rename(e.path(), &to).map_err(io("moving", &to))?;
            }
        }
        fs::create_dir_all(&src).map_err(io("creating", &src))?;
    }
    let snap = stage.join("@snapshots");
    fs::set_permissions(&snap, fs::Permissions::from_mode(0o750)).map_err(io("chmod", &snap))?;
    Ok(())
}

/// Clamps every modification time to `SOURCE_DATE_EPOCH` (reproducible builds).
pub fn clamp_mtimes(stage: &Path, epoch: u64, log: &Path) -> Result<(), StageError> {
    run::run(
        Command::new("find")
            .arg(stage)
            .args([
                "-newermt",
                &format!("@{epoch}"),
                "-exec",
                "touch",
                "--no-dereference",
                "--date",
            ])
            .arg(format!("@{epoch}"))
            .args(["{}", "+"]),
        "clamping modification times",
        Some(log),
        Progress::Quiet,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_and_preset_discovery() {
        let t = tempfile::tempdir().unwrap();
        let u = t.path();
        fs::write(u.join("questlogd.service"), "").unwrap();
        fs::write(u.join("snap.timer"), "").unwrap();
        fs::write(u.join("README.md"), "").unwrap();
        fs::write(
            u.join("90-ainux.preset"),
            "# c\nenable questlogd.service\ndisable systemd-networkd-wait-online.service\nenable foo-*.service\n",
        )
        .unwrap();
        assert_eq!(unit_names(u), ["questlogd.service", "snap.timer"]);
        assert_eq!(
            preset_named_units(u),
            ["questlogd.service", "systemd-networkd-wait-online.service"]
        );
    }

    #[test]
    fn configure_writes_fstab_without_root_subvol_and_settings() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        fs::create_dir_all(root.join("usr/share/zoneinfo/Europe")).unwrap();
        fs::write(root.join("usr/share/zoneinfo/Europe/Paris"), "TZif").unwrap();
        let mut c = Config::default();
        c.content.hostname = Some("ainux".into());
        c.content.timezone = Some("Europe/Paris".into());
        c.content.locale = Some("en_US.UTF-8".into());
        c.content.autologin = true;
        configure(root, &c, "root=UUID=x rw", "x", "ABCD-EF").unwrap();
        let fstab = fs::read_to_string(root.join("etc/fstab")).unwrap();
        assert!(fstab.contains("PARTUUID=abcd-ef\t/efi\tvfat\t"), "{fstab}");
        assert!(root.join("efi").is_dir());
        let rootline = fstab.lines().find(|l| l.contains("\t/\t")).unwrap();
        assert!(!rootline.contains("subvol"), "{rootline}");
        assert!(fstab.contains("subvol=/@home"));
        assert!(fstab.contains("subvol=/@var_log"));
        assert!(fstab.contains("subvol=/@snapshots"));
        assert_eq!(
            fs::read_to_string(root.join("etc/hostname")).unwrap(),
            "ainux\n"
        );
        assert_eq!(
            fs::read_link(root.join("etc/localtime")).unwrap(),
            Path::new("../usr/share/zoneinfo/Europe/Paris")
        );
        assert!(
            root.join("etc/systemd/system/getty@.service.d/ainux-autologin.conf")
                .exists()
        );
        assert_eq!(fs::read_to_string(root.join("etc/machine-id")).unwrap(), "");

        c.content.timezone = Some("Mars/Olympus".into());
        assert!(matches!(
            configure(root, &c, "", "x", "y"),
            Err(StageError::UnknownTimezone(_))
        ));
    }

    #[test]
    fn subvolume_split_moves_contents() {
        let t = tempfile::tempdir().unwrap();
        let s = t.path();
        fs::create_dir_all(s.join("@/var/log/apt")).unwrap();
        fs::write(s.join("@/var/log/dpkg.log"), "x").unwrap();
        fs::create_dir_all(s.join("@/home/ann")).unwrap();
        split_subvolumes(s).unwrap();
        assert!(s.join("@var_log/dpkg.log").is_file());
        assert!(s.join("@var_log/apt").is_dir());
        assert!(s.join("@home/ann").is_dir());
        assert!(
            s.join("@/var/log").is_dir()
                && fs::read_dir(s.join("@/var/log")).unwrap().next().is_none()
        );
        assert!(s.join("@snapshots").is_dir());
        assert!(s.join("@/.snapshots").is_dir() && s.join("@/home").is_dir());
    }

    #[test]
    fn remove_files_stays_inside_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        fs::create_dir_all(root.join("usr/share/doc/a")).unwrap();
        fs::write(root.join("usr/share/doc/a/README"), "x").unwrap();
        fs::write(t.path().join("outside"), "x").unwrap();
        let log = t.path().join("log");
        assert!(matches!(
            remove_files(&root, &["../outside".into()], &log),
            Err(StageError::UnsafePattern(_))
        ));
        assert!(t.path().join("outside").exists());
        remove_files(&root, &["/usr/share/doc/*".into()], &log).unwrap();
        assert!(!root.join("usr/share/doc/a").exists());
        assert!(root.join("usr/share/doc").exists());
    }
}
