//! The disk: a GPT with an EFI system partition (systemd-boot, type #1 entries) and a btrfs root
//! whose subvolumes come from the staging tree. Made from regular files only: no loop device,
//! no mount on the host.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::run::{self, Progress};
use crate::stage::SUBVOLUMES;

pub const MIB: u64 = 1024 * 1024;
pub const ESP_SIZE: u64 = 256 * MIB;
/// GPT partition type of the EFI system partition.
pub const ESP_TYPE: &str = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B";
/// Discoverable Partitions Specification: root partition (x86-64).
pub const ROOT_TYPE_X86_64: &str = "4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709";
pub const ROOT_TYPE_ARM64: &str = "B921B045-1DF0-41C3-AF44-4C6F280D3FAE";

#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("{what} {path}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Run(#[from] run::RunError),
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DiskError {
    let path = path.to_path_buf();
    move |source| DiskError::Io { what, path, source }
}

/// Identifiers derived from the image id, so the same image id gives the same disk
/// (reproducible builds) and different ones differ.
#[derive(Debug, Clone)]
pub struct Ids {
    pub disk: String,
    pub esp_part: String,
    pub root_part: String,
    pub fs_uuid: String,
    /// FAT volume id, 8 hex digits.
    pub esp_volid: String,
}

fn uuid_from(seed: &str, what: &str) -> String {
    let mut h = Sha256::new();
    h.update(seed.as_bytes());
    h.update(b"/");
    h.update(what.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let x = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &x[0..8],
        &x[8..12],
        &x[12..16],
        &x[16..20],
        &x[20..32]
    )
}

impl Ids {
    pub fn for_image(image_id: &str) -> Ids {
        let fs = uuid_from(image_id, "root-fs");
        Ids {
            disk: uuid_from(image_id, "disk").to_uppercase(),
            esp_part: uuid_from(image_id, "esp-partition").to_uppercase(),
            root_part: uuid_from(image_id, "root-partition").to_uppercase(),
            esp_volid: uuid_from(image_id, "esp-fs")[..8].to_string(),
            fs_uuid: fs,
        }
    }
}

/// Size in bytes of the files below `dir` (allocated blocks), for sizing the root.
pub fn tree_size(dir: &Path) -> u64 {
    Command::new("du")
        .args(["-s", "-B1", "-x"])
        .arg(dir)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .split_whitespace()
                .next()?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Root file system size: the content with room to work in, at least 2 GiB, in whole MiB.
pub fn root_size(content: u64, requested: Option<u64>) -> u64 {
    let auto = (content + content / 2 + 1024 * MIB).max(2048 * MIB);
    let s = requested.unwrap_or(auto).max(content + 256 * MIB);
    s.div_ceil(MIB) * MIB
}

/// How to run `mkfs.btrfs` with `--subvol` support: on the host, or in a tools tree.
#[derive(Debug, Clone)]
pub enum Mkfs {
    Host,
    ToolsTree(PathBuf),
}

/// Whether the host's mkfs.btrfs is new enough (`--subvol` with the `default:` flag: 6.13+).
pub fn host_mkfs_btrfs_ok() -> bool {
    let Ok(out) = Command::new("mkfs.btrfs").arg("--version").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let Some(v) = text.split_whitespace().find_map(|w| w.strip_prefix('v')) else {
        return false;
    };
    let mut parts = v.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor) = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    (major, minor) >= (6, 13)
}

/// Makes the btrfs root file system image `out` of `size` bytes from `stage`.
pub fn make_btrfs(
    mkfs: &Mkfs,
    stage: &Path,
    out: &Path,
    size: u64,
    ids: &Ids,
    log: &Path,
) -> Result<(), DiskError> {
    let f = File::create(out).map_err(io("creating", out))?;
    f.set_len(size).map_err(io("sizing", out))?;
    drop(f);
    let mut args: Vec<String> = vec![
        "-f".into(),
        "-q".into(),
        "-U".into(),
        ids.fs_uuid.clone(),
        "-L".into(),
        "ainux-root".into(),
        "--rootdir".into(),
    ];
    let subvols = |args: &mut Vec<String>| {
        args.push("--subvol".into());
        args.push("default:@".into());
        for (sv, _) in SUBVOLUMES {
            args.push("--subvol".into());
            args.push(format!("rw:{sv}"));
        }
    };
    match mkfs {
        Mkfs::Host => {
            args.push(stage.to_string_lossy().into_owned());
            subvols(&mut args);
            args.push(out.to_string_lossy().into_owned());
            run::run(
                Command::new("mkfs.btrfs").args(&args),
                "mkfs.btrfs",
                Some(log),
                Progress::Quiet,
            )?;
        }
        Mkfs::ToolsTree(tools) => {
            // Bind the staging tree and the output's directory into the tools tree, inside a
            // private mount namespace that disappears with the command.
            const SCRIPT: &str = r#"
T="$1"; S="$2"; O="$3"; shift 3
mkdir -p "$T/ainux-stage" "$T/ainux-out"
mount --bind "$S" "$T/ainux-stage"
mount --bind "$O" "$T/ainux-out"
mount -t proc proc "$T/proc"
mount --rbind /dev "$T/dev"
exec chroot "$T" mkfs.btrfs "$@"
"#;
            args.push("/ainux-stage".into());
            subvols(&mut args);
            let name = out
                .file_name()
                .expect("file")
                .to_string_lossy()
                .into_owned();
            args.push(format!("/ainux-out/{name}"));
            let t = tools.to_string_lossy().into_owned();
            let s = stage.to_string_lossy().into_owned();
            let o = out.parent().expect("dir").to_string_lossy().into_owned();
            let mut all: Vec<&str> = vec![&t, &s, &o];
            all.extend(args.iter().map(String::as_str));
            run::run(
                &mut run::in_mount_namespace(SCRIPT, &all),
                "mkfs.btrfs (tools tree)",
                Some(log),
                Progress::Quiet,
            )?;
        }
    }
    Ok(())
}

/// One file to put on the ESP: (path on the ESP, source).
pub enum EspFile {
    Copy(PathBuf),
    Text(String),
}

/// Makes a FAT32 ESP image with the given files (mtools: no mount).
pub fn make_esp(
    out: &Path,
    ids: &Ids,
    files: &[(String, EspFile)],
    work: &Path,
    log: &Path,
) -> Result<(), DiskError> {
    let f = File::create(out).map_err(io("creating", out))?;
    f.set_len(ESP_SIZE).map_err(io("sizing", out))?;
    drop(f);
    run::run(
        Command::new("mkfs.vfat")
            .args(["-F", "32", "-n", "ESP", "-i", &ids.esp_volid])
            .arg(out),
        "mkfs.vfat",
        Some(log),
        Progress::Quiet,
    )?;
    let mut dirs: Vec<String> = Vec::new();
    for (dest, _) in files {
        let mut acc = String::new();
        let parts: Vec<&str> = dest.trim_start_matches('/').split('/').collect();
        for p in &parts[..parts.len() - 1] {
            acc.push('/');
            acc.push_str(p);
            if !dirs.contains(&acc) {
                dirs.push(acc.clone());
            }
        }
    }
    let img = out.to_string_lossy().into_owned();
    if !dirs.is_empty() {
        let mut cmd = Command::new("mmd");
        cmd.env("MTOOLS_SKIP_CHECK", "1").args(["-i", &img]);
        for d in &dirs {
            cmd.arg(format!("::{d}"));
        }
        run::run(&mut cmd, "mmd", Some(log), Progress::Quiet)?;
    }
    for (i, (dest, src)) in files.iter().enumerate() {
        let path = match src {
            EspFile::Copy(p) => p.clone(),
            EspFile::Text(t) => {
                let p = work.join(format!("esp-text-{i}"));
                fs::write(&p, t).map_err(io("writing", &p))?;
                p
            }
        };
        run::run(
            Command::new("mcopy")
                .env("MTOOLS_SKIP_CHECK", "1")
                // -m keeps the modification time: `ainux` recognises an unchanged kernel on
                // the ESP by size and time and never reads it again.
                .args(["-o", "-m", "-i", &img])
                .arg(&path)
                .arg(format!("::{dest}")),
            &format!("copying {dest} to the ESP"),
            Some(log),
            Progress::Quiet,
        )?;
    }
    Ok(())
}

/// Writes the GPT disk `out` holding `esp` and `root`.
pub fn assemble_gpt(
    out: &Path,
    esp: &Path,
    root: &Path,
    ids: &Ids,
    root_type: &str,
    log: &Path,
) -> Result<u64, DiskError> {
    let esp_len = fs::metadata(esp).map_err(io("reading", esp))?.len();
    let root_len = fs::metadata(root).map_err(io("reading", root))?.len();
    let start = MIB;
    let total = start + esp_len + root_len + MIB;
    let f = File::create(out).map_err(io("creating", out))?;
    f.set_len(total).map_err(io("sizing", out))?;
    drop(f);
    let script = format!(
        "label: gpt\nlabel-id: {}\nfirst-lba: 2048\n\
         start=2048, size={}, type={ESP_TYPE}, name=\"esp\", uuid={}\n\
         start={}, size={}, type={root_type}, name=\"root\", uuid={}\n",
        ids.disk,
        esp_len / 512,
        ids.esp_part,
        (start + esp_len) / 512,
        root_len / 512,
        ids.root_part,
    );
    let sf = out.with_extension("sfdisk");
    fs::write(&sf, &script).map_err(io("writing", &sf))?;
    run::run(
        &mut run::in_mount_namespace(
            "sfdisk --no-reread --no-tell-kernel -q \"$1\" < \"$2\"",
            &[&out.to_string_lossy(), &sf.to_string_lossy()],
        ),
        "sfdisk",
        Some(log),
        Progress::Quiet,
    )?;
    let _ = fs::remove_file(&sf);
    copy_sparse(esp, out, start)?;
    copy_sparse(root, out, start + esp_len)?;
    let f = OpenOptions::new()
        .write(true)
        .open(out)
        .map_err(io("opening", out))?;
    f.sync_all().map_err(io("syncing", out))?;
    Ok(total)
}

/// Copies `src` into `dst` at `offset`, copying only the data regions of a sparse `src`
/// (`SEEK_DATA`/`SEEK_HOLE`) and, within them, skipping blocks of zeros: the result stays sparse.
pub fn copy_sparse(src: &Path, dst: &Path, offset: u64) -> Result<(), DiskError> {
    use std::os::unix::io::AsRawFd;
    let mut r = File::open(src).map_err(io("opening", src))?;
    let len = r.metadata().map_err(io("reading", src))?.len();
    let mut w = OpenOptions::new()
        .write(true)
        .open(dst)
        .map_err(io("opening", dst))?;
    let fd = r.as_raw_fd();
    let mut buf = vec![0u8; 4 * MIB as usize];
    let mut pos: u64 = 0;
    while pos < len {
        // SAFETY: lseek on a descriptor we own.
        let data = unsafe { libc::lseek(fd, pos as libc::off_t, libc::SEEK_DATA) };
        if data < 0 {
            break; // ENXIO: only a hole remains
        }
        // SAFETY: as above.
        let hole = unsafe { libc::lseek(fd, data, libc::SEEK_HOLE) };
        let (start, end) = (data as u64, if hole < 0 { len } else { hole as u64 });
        r.seek(SeekFrom::Start(start)).map_err(io("seeking", src))?;
        let mut at = start;
        while at < end {
            let want = ((end - at) as usize).min(buf.len());
            let n = read_full(&mut r, &mut buf[..want]).map_err(io("reading", src))?;
            if n == 0 {
                break;
            }
            for chunk in buf[..n].chunks(64 * 1024) {
                if chunk.iter().any(|&b| b != 0) {
                    w.seek(SeekFrom::Start(offset + at))
                        .map_err(io("seeking", dst))?;
                    w.write_all(chunk).map_err(io("writing", dst))?;
                }
                at += chunk.len() as u64;
            }
        }
        pos = end;
    }
    Ok(())
}

fn read_full(r: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Converts a raw disk to qcow2.
pub fn to_qcow2(raw: &Path, out: &Path, log: &Path) -> Result<(), DiskError> {
    run::run(
        Command::new("qemu-img")
            .args(["convert", "-f", "raw", "-O", "qcow2", "-c"])
            .arg(raw)
            .arg(out),
        "qemu-img convert",
        Some(log),
        Progress::Quiet,
    )?;
    Ok(())
}

/// sha256 of a file, as hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 4 * MIB as usize];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_distinct() {
        let a = Ids::for_image("ainux");
        let b = Ids::for_image("ainux");
        let c = Ids::for_image("other");
        assert_eq!(a.fs_uuid, b.fs_uuid);
        assert_ne!(a.fs_uuid, c.fs_uuid);
        assert_ne!(a.esp_part, a.root_part);
        assert_eq!(a.fs_uuid.len(), 36);
        assert_eq!(&a.fs_uuid[14..15], "4");
        assert_eq!(a.esp_volid.len(), 8);
    }

    #[test]
    fn root_size_has_room_and_minimum() {
        assert_eq!(root_size(100 * MIB, None), 2048 * MIB);
        let s = root_size(3000 * MIB, None);
        assert!(s >= 4500 * MIB && s.is_multiple_of(MIB));
        assert_eq!(root_size(100 * MIB, Some(1 << 30)), 1 << 30);
        // Never smaller than the content.
        assert!(root_size(3000 * MIB, Some(MIB)) > 3000 * MIB);
    }

    #[test]
    fn sparse_copy_places_data_and_keeps_holes() {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        let dst = t.path().join("dst");
        let mut data = vec![0u8; 3 * 1024 * 1024];
        data[5] = 7;
        data[2 * 1024 * 1024 + 9] = 9;
        fs::write(&src, &data).unwrap();
        let f = File::create(&dst).unwrap();
        f.set_len(8 * MIB).unwrap();
        drop(f);
        copy_sparse(&src, &dst, MIB).unwrap();
        let out = fs::read(&dst).unwrap();
        assert_eq!(out[MIB as usize + 5], 7);
        assert_eq!(out[MIB as usize + 2 * 1024 * 1024 + 9], 9);
        assert_eq!(out.iter().filter(|&&b| b != 0).count(), 2);

        // A really sparse source: data after a hole lands at the right place.
        let sparse = t.path().join("sparse");
        let mut f = File::create(&sparse).unwrap();
        f.set_len(6 * MIB).unwrap();
        f.seek(SeekFrom::Start(5 * MIB + 3)).unwrap();
        f.write_all(b"xyz").unwrap();
        drop(f);
        let dst2 = t.path().join("dst2");
        File::create(&dst2).unwrap().set_len(8 * MIB).unwrap();
        copy_sparse(&sparse, &dst2, MIB).unwrap();
        let out = fs::read(&dst2).unwrap();
        assert_eq!(&out[(6 * MIB + 3) as usize..(6 * MIB + 6) as usize], b"xyz");
        assert_eq!(out.iter().filter(|&&b| b != 0).count(), 3);
    }

    #[test]
    fn qcow2_conversion_keeps_the_content() {
        if Command::new("qemu-img").arg("--version").output().is_err() {
            eprintln!("skipped: qemu-img is not installed");
            return;
        }
        let t = tempfile::tempdir().unwrap();
        let raw = t.path().join("d.raw");
        let mut f = File::create(&raw).unwrap();
        f.set_len(8 * MIB).unwrap();
        f.seek(SeekFrom::Start(3 * MIB)).unwrap();
        f.write_all(b"ainux").unwrap();
        drop(f);
        let q = t.path().join("d.qcow2");
        to_qcow2(&raw, &q, &t.path().join("log")).unwrap();
        let info = Command::new("qemu-img")
            .args(["info", "--output=json"])
            .arg(&q)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
        assert_eq!(v["format"], "qcow2");
        assert_eq!(v["virtual-size"], 8 * MIB);
        // Back to raw: the same bytes.
        let back = t.path().join("back.raw");
        let st = Command::new("qemu-img")
            .args(["convert", "-O", "raw"])
            .arg(&q)
            .arg(&back)
            .status()
            .unwrap();
        assert!(st.success());
        assert_eq!(fs::read(&back).unwrap(), fs::read(&raw).unwrap());
    }

    #[test]
    fn gpt_layout_is_written() {
        let t = tempfile::tempdir().unwrap();
        let esp = t.path().join("esp");
        let root = t.path().join("root");
        File::create(&esp).unwrap().set_len(4 * MIB).unwrap();
        File::create(&root).unwrap().set_len(8 * MIB).unwrap();
        let disk = t.path().join("disk.raw");
        let ids = Ids::for_image("test");
        let log = t.path().join("log");
        let total = assemble_gpt(&disk, &esp, &root, &ids, ROOT_TYPE_X86_64, &log).unwrap();
        assert_eq!(total, 14 * MIB);
        let out = Command::new("sfdisk")
            .arg("--json")
            .arg(&disk)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let parts = v["partitiontable"]["partitions"].as_array().unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0]["type"], ESP_TYPE);
        assert_eq!(parts[1]["type"], ROOT_TYPE_X86_64);
        assert_eq!(parts[1]["uuid"], ids.root_part.as_str());
        assert_eq!(parts[0]["start"], 2048);
    }
}
