//! A scratch btrfs with the image's layout, loop-mounted in a temporary directory.

#![allow(dead_code)]

use ainux::config::Config;
use std::path::PathBuf;
use std::process::Command;

pub struct Fs {
    pub _dir: tempfile::TempDir,
    pub mnt: PathBuf,
    pub cfg: Config,
}

impl Drop for Fs {
    fn drop(&mut self) {
        let ok = Command::new("umount")
            .arg(&self.mnt)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            let _ = Command::new("umount").arg("-l").arg(&self.mnt).status();
        }
    }
}

pub fn is_root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

pub fn fs(size: &str) -> Option<Fs> {
    if !is_root() {
        eprintln!("SKIPPED: the btrfs tests need root (loop mount of a scratch filesystem)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("fs.img");
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let f = std::fs::File::create(&img).unwrap();
    f.set_len(parse_size(size)).unwrap();
    drop(f);
    let st = Command::new("mkfs.btrfs")
        .args(["-q", "-f"])
        .arg(&img)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "mkfs.btrfs: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    let st = Command::new("mount")
        .args(["-o", "loop"])
        .arg(&img)
        .arg(&mnt)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "mount: {}",
        String::from_utf8_lossy(&st.stderr)
    );
    for sv in ["@", "@home", "@snapshots"] {
        libbtrfsutil::create_subvolume(mnt.join(sv)).unwrap();
    }
    ainux::btrfs::set_default(&mnt.join("@")).unwrap();
    std::fs::create_dir_all(mnt.join("@/etc")).unwrap();
    std::fs::write(mnt.join("@/etc/marker"), "v1\n").unwrap();
    std::fs::write(mnt.join("@home/notes"), "hello\n").unwrap();
    let mut cfg = Config {
        snapshots_dir: mnt.join("@snapshots"),
        root: mnt.join("@"),
        home: mnt.join("@home"),
        lock_file: dir.path().join("snapshot.lock"),
        ..Config::default()
    };
    cfg.retention.space_limit = 1.0;
    Some(Fs {
        _dir: dir,
        mnt,
        cfg,
    })
}

fn parse_size(s: &str) -> u64 {
    let n: u64 = s.trim_end_matches('M').parse().unwrap();
    n << 20
}
