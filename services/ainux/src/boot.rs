//! Boot assessment and the kernel on the ESP.
//!
//! The ESP (mounted at `/efi`) holds systemd-boot and two kinds of type #1 entries:
//!
//! - the **main entry** `<id>-<kver>[+LEFT[-DONE]].conf` (`sort-key <id>`), which boots the
//!   default subvolume (the command line names no subvolume);
//! - the **fallback entry** `<id>-fallback.conf` (`sort-key <id>-fallback`), present once a root
//!   snapshot exists, which boots the newest root snapshot read-only with
//!   `ainux.autorollback=<ID>` on the command line.
//!
//! The `+LEFT` suffix arms systemd-boot's boot counting: every boot of the entry moves one try
//! from LEFT to DONE before the kernel starts. A boot that reaches `multi-user.target` runs
//! `ainux boot mark-good`, which gives the entry fresh tries. A root that never gets there (no
//! init, a kernel panic with `panic=N`, a hang past the boot timeout) uses up its tries; systemd-boot
//! then sorts the entry behind every good one, so the fallback entry boots, and its
//! `ainux boot auto-rollback` makes a read-write copy of that snapshot the default subvolume,
//! re-arms the main entry and reboots.
//!
//! Kernels live in `/<id>/<kver>/{linux,initrd}` on the ESP, copied from the `boot/` of the root
//! that uses them: every entry boots the kernel whose modules are in the root it boots.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum BootError {
    #[error(
        "{0} is not an ESP with systemd-boot entries (no loader/entries/)\n  what to do: mount the EFI system partition there (see /etc/fstab), or pass --esp"
    )]
    NoEsp(PathBuf),
    #[error("no boot entry for {id} in {dir} (expected {id}-VERSION[+N].conf)")]
    NoMainEntry { id: String, dir: PathBuf },
    #[error(
        "{0} has no kernel: no usr/lib/modules/VERSION with boot/vmlinuz-VERSION and boot/initrd.img-VERSION"
    )]
    NoKernel(PathBuf),
    #[error("{0} has no root= on its kernel command line (etc/kernel/cmdline or the boot entry)")]
    NoCmdline(PathBuf),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BootError {
    let path = path.to_path_buf();
    move |source| BootError::Io { what, path, source }
}

/// The kernel command line word that marks a fallback boot and names the snapshot to restore.
pub const AUTOROLLBACK_ARG: &str = "ainux.autorollback";

/// A boot entry's file name, split into its stem and systemd-boot's boot counter:
/// `ainux-6.1.0-27-amd64+2-1.conf` is stem `ainux-6.1.0-27-amd64`, 2 tries left, 1 done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryName {
    pub stem: String,
    pub left: Option<u32>,
    pub done: Option<u32>,
}

impl EntryName {
    pub fn parse(file: &str) -> Option<EntryName> {
        let base = file.strip_suffix(".conf")?;
        let plain = || EntryName {
            stem: base.to_string(),
            left: None,
            done: None,
        };
        let Some((stem, counter)) = base.rsplit_once('+') else {
            return Some(plain());
        };
        let (left, done) = match counter.split_once('-') {
            Some((l, d)) => (l, Some(d)),
            None => (counter, None),
        };
        let Ok(left) = left.parse::<u32>() else {
            return Some(plain());
        };
        let done = match done.map(str::parse::<u32>) {
            None => None,
            Some(Ok(d)) => Some(d),
            Some(Err(_)) => return Some(plain()),
        };
        Some(EntryName {
            stem: stem.to_string(),
            left: Some(left),
            done,
        })
    }

    pub fn with_tries(stem: &str, tries: u32) -> EntryName {
        EntryName {
            stem: stem.to_string(),
            left: (tries > 0).then_some(tries),
            done: None,
        }
    }

    pub fn file(&self) -> String {
        match (self.left, self.done) {
            (Some(l), Some(d)) => format!("{}+{l}-{d}.conf", self.stem),
            (Some(l), None) => format!("{}+{l}.conf", self.stem),
            _ => format!("{}.conf", self.stem),
        }
    }

    /// systemd-boot has given up on an entry whose tries are used up.
    pub fn is_bad(&self) -> bool {
        self.left == Some(0)
    }
}

/// What the ESP says about booting, for `ainux boot status` and `ainux info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootState {
    pub main_entry: String,
    pub kernel: Option<String>,
    pub tries_left: Option<u32>,
    pub tries_done: Option<u32>,
    pub bad: bool,
    pub fallback_snapshot: Option<u64>,
    pub kernels_on_esp: Vec<String>,
}

/// A kernel found in a root: its version and the files to copy onto the ESP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootKernel {
    pub version: String,
    pub linux: PathBuf,
    pub initrd: PathBuf,
}

/// The kernel a root boots: the newest version in `usr/lib/modules/` that also has
/// `boot/vmlinuz-V` and `boot/initrd.img-V`.
pub fn kernel_of(root: &Path) -> Result<RootKernel, BootError> {
    let modules = root.join("usr/lib/modules");
    let mut found: Vec<RootKernel> = Vec::new();
    if let Ok(rd) = fs::read_dir(&modules) {
        for e in rd.flatten() {
            let v = e.file_name().to_string_lossy().into_owned();
            let linux = root.join(format!("boot/vmlinuz-{v}"));
            let initrd = root.join(format!("boot/initrd.img-{v}"));
            if e.path().is_dir() && linux.is_file() && initrd.is_file() {
                found.push(RootKernel {
                    version: v,
                    linux,
                    initrd,
                });
            }
        }
    }
    found.sort_by(|a, b| version_cmp(&a.version, &b.version));
    found
        .pop()
        .ok_or_else(|| BootError::NoKernel(root.to_path_buf()))
}

/// Compares versions the way people read them: runs of digits as numbers.
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn parts(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(pb.iter()) {
        let o = match (x.0, y.0) {
            (true, true) => {
                let (xs, ys) = (x.1.trim_start_matches('0'), y.1.trim_start_matches('0'));
                xs.len().cmp(&ys.len()).then_with(|| xs.cmp(ys))
            }
            _ => x.1.cmp(y.1),
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// The snapshot id named by `ainux.autorollback=ID` on a kernel command line.
pub fn autorollback_target(cmdline: &str) -> Option<u64> {
    cmdline.split_whitespace().find_map(|w| {
        w.strip_prefix(AUTOROLLBACK_ARG)
            .and_then(|r| r.strip_prefix('='))
            .and_then(|id| id.parse().ok())
    })
}

/// The fallback entry's command line: the root's own, booting `subvol` read-only.
pub fn fallback_cmdline(base: &str, id: u64, subvol: &str) -> String {
    let mut words: Vec<String> = base
        .split_whitespace()
        .filter(|w| {
            !(*w == "rw"
                || *w == "ro"
                || w.starts_with("rootflags=")
                || w.starts_with(&format!("{AUTOROLLBACK_ARG}=")))
        })
        .map(str::to_string)
        .collect();
    let pos = words
        .iter()
        .position(|w| w.starts_with("root="))
        .map_or(0, |p| p + 1);
    words.insert(pos, "ro".into());
    words.insert(
        pos + 1,
        format!("rootflags=subvol=/{}", subvol.trim_start_matches('/')),
    );
    words.push(format!("{AUTOROLLBACK_ARG}={id}"));
    words.join(" ")
}

/// The EFI system partition as ainux lays it out.
#[derive(Debug, Clone)]
pub struct Esp {
    dir: PathBuf,
    image_id: String,
}

struct EntryFile {
    name: EntryName,
    fields: Vec<(String, String)>,
}

impl EntryFile {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_fields(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((k, v)) => (k.to_string(), v.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Writes `path` through a temporary file and a rename, so a crash leaves the old or the new file.
fn write_atomic(path: &Path, data: &[u8]) -> Result<(), BootError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy()
    ));
    {
        let mut f = fs::File::create(&tmp).map_err(io("writing", &tmp))?;
        f.write_all(data).map_err(io("writing", &tmp))?;
        f.sync_all().map_err(io("syncing", &tmp))?;
    }
    rename_durably(&tmp, path)
}

/// Renames `from` to `to` so that a crash right after leaves one of the two whole. On FAT the new
/// directory entry gets the file's first cluster and size only when the file's inode is written
/// back, so the file itself is synced after the rename (a synced directory alone can leave a
/// 0-byte entry), then the directory.
fn rename_durably(from: &Path, to: &Path) -> Result<(), BootError> {
    fs::rename(from, to).map_err(io("renaming into place", to))?;
    fs::File::open(to)
        .and_then(|f| f.sync_all())
        .map_err(io("syncing", to))?;
    if let Some(d) = to.parent()
        && let Ok(d) = fs::File::open(d)
    {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Whether `dst` is already a copy of `src`: the same size and modification time (within the
/// 2 s that FAT keeps), as rsync decides with `--modify-window`. [`Esp::install_kernel`] gives
/// its copies the source's time, so an unchanged kernel is never read again: taking a snapshot
/// stays fast however big the initrd is.
fn same_file(src: &Path, dst: &Path) -> bool {
    let (Ok(a), Ok(b)) = (fs::metadata(src), fs::metadata(dst)) else {
        return false;
    };
    let (Ok(ma), Ok(mb)) = (a.modified(), b.modified()) else {
        return false;
    };
    let gap = ma.duration_since(mb).or_else(|_| mb.duration_since(ma));
    a.len() == b.len() && gap.is_ok_and(|d| d <= std::time::Duration::from_secs(2))
}

impl Esp {
    pub fn open(dir: &Path, image_id: &str) -> Result<Esp, BootError> {
        if !dir.join("loader/entries").is_dir() {
            return Err(BootError::NoEsp(dir.to_path_buf()));
        }
        Ok(Esp {
            dir: dir.to_path_buf(),
            image_id: image_id.to_string(),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn entries_dir(&self) -> PathBuf {
        self.dir.join("loader/entries")
    }

    fn fallback_stem(&self) -> String {
        format!("{}-fallback", self.image_id)
    }

    fn entries(&self) -> Result<Vec<EntryFile>, BootError> {
        let dir = self.entries_dir();
        let mut out = Vec::new();
        for e in fs::read_dir(&dir).map_err(io("reading", &dir))?.flatten() {
            let file = e.file_name().to_string_lossy().into_owned();
            let Some(name) = EntryName::parse(&file) else {
                continue;
            };
            if !name.stem.starts_with(&format!("{}-", self.image_id)) {
                continue;
            }
            let text = fs::read_to_string(e.path()).map_err(io("reading", &e.path()))?;
            out.push(EntryFile {
                name,
                fields: parse_fields(&text),
            });
        }
        out.sort_by(|a, b| version_cmp(&a.name.stem, &b.name.stem));
        Ok(out)
    }

    fn main(&self) -> Result<EntryFile, BootError> {
        let fallback = self.fallback_stem();
        self.entries()?
            .into_iter()
            .rfind(|e| e.name.stem != fallback)
            .ok_or_else(|| BootError::NoMainEntry {
                id: self.image_id.clone(),
                dir: self.entries_dir(),
            })
    }

    fn fallback(&self) -> Result<Option<EntryFile>, BootError> {
        let fallback = self.fallback_stem();
        Ok(self
            .entries()?
            .into_iter()
            .find(|e| e.name.stem == fallback))
    }

    pub fn state(&self) -> Result<BootState, BootError> {
        let main = self.main()?;
        let fallback = self.fallback()?;
        Ok(BootState {
            main_entry: main.name.file(),
            kernel: main.get("version").map(str::to_string),
            tries_left: main.name.left,
            tries_done: main.name.done,
            bad: main.name.is_bad(),
            fallback_snapshot: fallback
                .as_ref()
                .and_then(|f| f.get("options").and_then(autorollback_target)),
            kernels_on_esp: self.kernels_on_esp(),
        })
    }

    fn kernels_on_esp(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.join(&self.image_id))
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by(|a, b| version_cmp(a, b));
        v
    }

    /// Puts `k` on the ESP as `/<id>/<version>/{linux,initrd}` unless the same files are there.
    fn install_kernel(&self, k: &RootKernel) -> Result<(), BootError> {
        let dir = self.dir.join(&self.image_id).join(&k.version);
        fs::create_dir_all(&dir).map_err(io("creating", &dir))?;
        for (src, name) in [(&k.linux, "linux"), (&k.initrd, "initrd")] {
            let dst = dir.join(name);
            if same_file(src, &dst) {
                continue;
            }
            let data = fs::read(src).map_err(io("reading", src))?;
            write_atomic(&dst, &data)?;
            let mtime = fs::metadata(src)
                .and_then(|m| m.modified())
                .map_err(io("reading the time of", src))?;
            fs::File::options()
                .write(true)
                .open(&dst)
                .and_then(|f| f.set_modified(mtime))
                .map_err(io("setting the time of", &dst))?;
        }
        Ok(())
    }

    fn write_entry(
        &self,
        name: &EntryName,
        title: &str,
        sort_key: &str,
        kver: &str,
        options: &str,
    ) -> Result<(), BootError> {
        let id = &self.image_id;
        let text = format!(
            "title {title}\nsort-key {sort_key}\nversion {kver}\nlinux /{id}/{kver}/linux\ninitrd /{id}/{kver}/initrd\noptions {options}\n"
        );
        write_atomic(&self.entries_dir().join(name.file()), text.as_bytes())
    }

    /// Makes the main entry boot the kernel of `root` (the root that will be the default
    /// subvolume), with `root`'s own command line and `tries` boots to prove itself (0 turns boot
    /// counting off). Returns the kernel version.
    pub fn point_main_at(&self, root: &Path, tries: u32) -> Result<String, BootError> {
        let k = kernel_of(root)?;
        let old = self.main()?;
        let options = match fs::read_to_string(root.join("etc/kernel/cmdline")) {
            Ok(s) if s.contains("root=") => s.split_whitespace().collect::<Vec<_>>().join(" "),
            _ => old
                .get("options")
                .filter(|o| o.contains("root="))
                .map(str::to_string)
                .ok_or_else(|| BootError::NoCmdline(root.to_path_buf()))?,
        };
        self.install_kernel(&k)?;
        let title = old.get("title").unwrap_or(&self.image_id).to_string();
        let name = EntryName::with_tries(&format!("{}-{}", self.image_id, k.version), tries);
        self.write_entry(&name, &title, &self.image_id, &k.version, &options)?;
        if old.name != name {
            let p = self.entries_dir().join(old.name.file());
            fs::remove_file(&p).map_err(io("removing", &p))?;
        }
        self.gc_kernels()?;
        Ok(k.version)
    }

    /// Makes the fallback entry boot snapshot `id` (subvolume `subvol` from the top of the file
    /// system, its files at `snapshot_root`) read-only, with its own kernel.
    pub fn set_fallback(
        &self,
        id: u64,
        subvol: &str,
        snapshot_root: &Path,
    ) -> Result<String, BootError> {
        let k = kernel_of(snapshot_root)?;
        let base = match fs::read_to_string(snapshot_root.join("etc/kernel/cmdline")) {
            Ok(s) if s.contains("root=") => s,
            _ => self
                .main()?
                .get("options")
                .filter(|o| o.contains("root="))
                .map(str::to_string)
                .ok_or_else(|| BootError::NoCmdline(snapshot_root.to_path_buf()))?,
        };
        self.install_kernel(&k)?;
        let name = EntryName::with_tries(&self.fallback_stem(), 0);
        self.write_entry(
            &name,
            &format!("{}: roll back to snapshot {id}", self.image_id),
            &self.fallback_stem(),
            &k.version,
            &fallback_cmdline(&base, id, subvol),
        )?;
        self.gc_kernels()?;
        Ok(k.version)
    }

    /// Removes the fallback entry (no root snapshot left). Returns whether there was one.
    pub fn clear_fallback(&self) -> Result<bool, BootError> {
        let Some(f) = self.fallback()? else {
            return Ok(false);
        };
        let p = self.entries_dir().join(f.name.file());
        fs::remove_file(&p).map_err(io("removing", &p))?;
        self.gc_kernels()?;
        Ok(true)
    }

    /// After a boot that reached multi-user.target: the main entry gets `tries` fresh tries (0
    /// turns boot counting off). Returns (old, new) file names when it changed.
    pub fn mark_good(&self, tries: u32) -> Result<Option<(String, String)>, BootError> {
        let main = self.main()?;
        let name = EntryName::with_tries(&main.name.stem, tries);
        if name == main.name {
            return Ok(None);
        }
        let dir = self.entries_dir();
        let (from, to) = (dir.join(main.name.file()), dir.join(name.file()));
        rename_durably(&from, &to)?;
        Ok(Some((main.name.file(), name.file())))
    }

    /// Removes kernels no entry boots. Returns the versions removed.
    pub fn gc_kernels(&self) -> Result<Vec<String>, BootError> {
        let used: Vec<String> = self
            .entries()?
            .iter()
            .filter_map(|e| e.get("version").map(str::to_string))
            .collect();
        let mut removed = Vec::new();
        for v in self.kernels_on_esp() {
            if !used.contains(&v) {
                let d = self.dir.join(&self.image_id).join(&v);
                fs::remove_dir_all(&d).map_err(io("removing", &d))?;
                removed.push(v);
            }
        }
        Ok(removed)
    }
}

// ---------------------------------------------------------------------------------------------
// The running system: configuration, the BootLoader hook, `ainux boot …`.

/// `[boot]` in /etc/ainux/snapshot.toml.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct BootConfig {
    /// Where the EFI system partition is mounted.
    pub esp: PathBuf,
    /// Roll back to the newest good root snapshot when a root fails to reach
    /// multi-user.target `tries` boots in a row. Off: no boot counting, no fallback entry.
    pub auto_rollback: bool,
    /// Boots a new root gets to reach multi-user.target (1–9).
    pub tries: u32,
    /// The boot entries' prefix (default: IMAGE_ID of /etc/os-release, else "ainux").
    pub image_id: Option<String>,
    /// Events of a fallback boot wait here for questlogd (in /var/log, never rolled back).
    pub spool: PathBuf,
}

impl Default for BootConfig {
    fn default() -> Self {
        BootConfig {
            esp: "/efi".into(),
            auto_rollback: true,
            tries: 3,
            image_id: None,
            spool: "/var/log/ainux/boot-events.jsonl".into(),
        }
    }
}

impl BootConfig {
    /// The tries a (re)armed entry gets: 0 (no counting) when auto rollback is off.
    pub fn armed_tries(&self) -> u32 {
        if self.auto_rollback {
            self.tries.clamp(1, 9)
        } else {
            0
        }
    }

    pub fn image_id(&self) -> String {
        self.image_id.clone().unwrap_or_else(|| {
            std::fs::read_to_string("/etc/os-release")
                .ok()
                .and_then(|t| crate::info::os_release(&t, "IMAGE_ID"))
                .unwrap_or_else(|| "ainux".into())
        })
    }

    /// The ESP, when it is mounted with boot entries on it.
    pub fn open_esp(&self) -> Result<Esp, BootError> {
        Esp::open(&self.esp, &self.image_id())
    }
}

/// The subvolume path (from the top of the file system) of `path`, from the mount table:
/// `/.snapshots/4/snapshot` with `/.snapshots` mounted from `/@snapshots` is
/// `@snapshots/4/snapshot`.
pub fn subvolume_path_of(path: &Path, mountinfo: &str) -> Option<String> {
    let path = path.to_string_lossy();
    let mut best: Option<(usize, String)> = None;
    for line in mountinfo.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        if f.len() < 5 {
            continue;
        }
        let (root, mp) = (unescape_mount(f[3]), unescape_mount(f[4]));
        let rest = if mp == "/" {
            Some(path.trim_start_matches('/').to_string())
        } else {
            path.strip_prefix(mp.as_str())
                .filter(|r| r.is_empty() || r.starts_with('/'))
                .map(|r| r.trim_start_matches('/').to_string())
        };
        let Some(rest) = rest else { continue };
        if best.as_ref().is_none_or(|(l, _)| mp.len() >= *l) {
            let joined = [root.trim_matches('/'), rest.as_str()]
                .iter()
                .filter(|s| !s.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join("/");
            best = Some((mp.len(), joined));
        }
    }
    best.map(|(_, p)| p)
}

fn unescape_mount(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 4], 8)
        {
            out.push(v);
            i += 4;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The device and mount point of the file system mounted at `mp`, from the mount table.
fn mount_source(mp: &str, mountinfo: &str) -> Option<String> {
    mountinfo.lines().find_map(|line| {
        let (pre, post) = line.split_once(" - ")?;
        let f: Vec<&str> = pre.split(' ').collect();
        (f.len() >= 5 && unescape_mount(f[4]) == mp)
            .then(|| post.split(' ').nth(1).map(unescape_mount))
            .flatten()
    })
}

/// [`crate::BootLoader`] for systemd-boot on the ESP.
pub struct EspLoader {
    pub esp: Esp,
    pub cfg: BootConfig,
}

impl crate::BootLoader for EspLoader {
    fn rolled_back(&self, new_root: &Path) -> Result<(), String> {
        self.esp
            .point_main_at(new_root, self.cfg.armed_tries())
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn root_snapshots_changed(&self, newest: Option<(u64, &Path)>) -> Result<(), String> {
        let r = match newest {
            Some((id, path)) if self.cfg.auto_rollback => {
                let mi = fs::read_to_string("/proc/self/mountinfo").map_err(|e| e.to_string())?;
                let sub = subvolume_path_of(path, &mi)
                    .ok_or_else(|| format!("{} is on no mounted file system", path.display()))?;
                self.esp.set_fallback(id, &sub, path).map(|_| ())
            }
            _ => self.esp.clear_fallback().map(|_| ()),
        };
        r.map_err(|e| e.to_string())
    }
}

/// `ainux boot status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StatusReport {
    pub esp: PathBuf,
    pub auto_rollback: bool,
    pub tries: u32,
    pub main_entry: String,
    pub kernel: Option<String>,
    pub tries_left: Option<u32>,
    pub tries_done: Option<u32>,
    /// systemd-boot has given up on the main entry (the fallback boots next).
    pub main_entry_bad: bool,
    pub fallback_snapshot: Option<u64>,
    pub kernels_on_esp: Vec<String>,
    /// This boot is a fallback boot (`ainux.autorollback=ID` on the command line).
    pub fallback_boot: Option<u64>,
    pub pending_events: usize,
}

pub fn status(cfg: &BootConfig) -> Result<StatusReport, BootError> {
    let esp = cfg.open_esp()?;
    let s = esp.state()?;
    Ok(StatusReport {
        esp: cfg.esp.clone(),
        auto_rollback: cfg.auto_rollback,
        tries: cfg.armed_tries(),
        main_entry: s.main_entry,
        kernel: s.kernel,
        tries_left: s.tries_left,
        tries_done: s.tries_done,
        main_entry_bad: s.bad,
        fallback_snapshot: s.fallback_snapshot,
        kernels_on_esp: s.kernels_on_esp,
        fallback_boot: this_boot_fallback(),
        pending_events: questlog_client::Spool::new(&cfg.spool, SPOOL_BYTES).len(),
    })
}

const SPOOL_BYTES: u64 = 1024 * 1024;

/// The snapshot this boot falls back to, when it is a fallback boot.
pub fn this_boot_fallback() -> Option<u64> {
    fs::read_to_string("/proc/cmdline")
        .ok()
        .and_then(|c| autorollback_target(&c))
}

/// `ainux boot mark-good`, run by ainux-boot-good.service once multi-user.target is reached.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MarkGoodReport {
    /// (old, new) entry file names when the counter changed.
    pub rearmed: Option<(String, String)>,
    pub fallback_snapshot: Option<u64>,
    /// Events of an earlier fallback boot delivered to questlogd now.
    pub events_delivered: usize,
}

pub fn mark_good(
    cfg: &BootConfig,
    store: &crate::store::Store,
) -> Result<MarkGoodReport, BootError> {
    let esp = cfg.open_esp()?;
    let rearmed = esp.mark_good(cfg.armed_tries())?;
    // The fallback follows the newest good root snapshot (it may have changed while the ESP
    // was not mounted, or auto rollback may have been switched on or off).
    let loader = EspLoader {
        esp: esp.clone(),
        cfg: cfg.clone(),
    };
    let newest = store.newest_good_root().ok().flatten();
    if let Err(e) = crate::BootLoader::root_snapshots_changed(
        &loader,
        newest.as_ref().map(|(i, p)| (*i, p.as_path())),
    ) {
        tracing::warn!(cause = %e, "fallback entry not updated");
    }
    let mut events_delivered = 0;
    let spool = questlog_client::Spool::new(&cfg.spool, SPOOL_BYTES);
    if !spool.is_empty() {
        let mut ql =
            questlog_client::SpoolingClient::new(questlog_client::default_socket_path(), spool);
        match ql.replay() {
            Ok(n) => events_delivered = n,
            Err(e) => {
                tracing::warn!(cause = %e, "boot events stay spooled until questlogd answers")
            }
        }
    }
    Ok(MarkGoodReport {
        rearmed,
        fallback_snapshot: esp.state()?.fallback_snapshot,
        events_delivered,
    })
}

/// What `ainux boot auto-rollback` did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AutoRollbackReport {
    pub target: u64,
    /// The entry systemd-boot gave up on.
    pub failed_entry: String,
    pub rollback: crate::store::RollbackReport,
}

#[derive(Debug, thiserror::Error)]
pub enum AutoRollbackError {
    #[error("this is not a fallback boot (no {AUTOROLLBACK_ARG}=ID on the kernel command line)")]
    NotFallbackBoot,
    #[error(transparent)]
    Boot(#[from] BootError),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Lock(#[from] crate::lock::LockError),
    #[error("{0}")]
    Mount(String),
}

/// `ainux boot auto-rollback`, run by ainux-autorollback.service in a fallback boot: the
/// default subvolume (the root that failed to boot) is kept as a read-only backup, a writable
/// copy of the snapshot named on the command line becomes the default, the main entry boots
/// its kernel with fresh tries, and the event waits in the spool for questlogd.
pub fn auto_rollback(cfg: &crate::config::Config) -> Result<AutoRollbackReport, AutoRollbackError> {
    let target = this_boot_fallback().ok_or(AutoRollbackError::NotFallbackBoot)?;
    let esp = cfg.boot.open_esp()?;
    let failed_entry = esp.state()?.main_entry;
    // The running root is the read-only snapshot; the root that failed is the default
    // subvolume: mount it to back it up.
    let mi = fs::read_to_string("/proc/self/mountinfo")
        .map_err(|e| AutoRollbackError::Mount(format!("reading the mount table: {e}")))?;
    let dev = mount_source("/", &mi)
        .ok_or_else(|| AutoRollbackError::Mount("no file system is mounted on /".into()))?;
    let default_id = crate::btrfs::default_id(Path::new("/"))
        .map_err(|e| AutoRollbackError::Mount(e.to_string()))?;
    let mnt = PathBuf::from("/run/ainux/failed-root");
    fs::create_dir_all(&mnt)
        .map_err(|e| AutoRollbackError::Mount(format!("creating {}: {e}", mnt.display())))?;
    let ok = std::process::Command::new("mount")
        .args(["-t", "btrfs", "-o", &format!("subvolid={default_id}")])
        .arg(&dev)
        .arg(&mnt)
        .status()
        .map_err(|e| AutoRollbackError::Mount(format!("running mount: {e}")))?
        .success();
    if !ok {
        return Err(AutoRollbackError::Mount(format!(
            "mounting subvolume {default_id} of {dev} on {} failed",
            mnt.display()
        )));
    }
    let result = (|| {
        let mut c = cfg.clone();
        c.root = mnt.clone();
        let lock = crate::lock::acquire(&c.lock_file, "automatic rollback", true, |_| {})?;
        let store = crate::store::Store::new(c);
        let loader = EspLoader {
            esp: esp.clone(),
            cfg: cfg.boot.clone(),
        };
        let r = store.rollback(&lock, target, &loader)?;
        Ok::<_, AutoRollbackError>(r)
    })();
    let _ = std::process::Command::new("umount").arg(&mnt).status();
    let rollback = result?;
    if let Some(e) = &rollback.boot_loader_error {
        return Err(AutoRollbackError::Mount(format!(
            "rolled back, but the boot entry was not updated: {e}"
        )));
    }
    let report = AutoRollbackReport {
        target,
        failed_entry,
        rollback,
    };
    let mut fields = questlog_client::protocol::Fields::new();
    fields.insert("target".into(), serde_json::json!(report.target));
    fields.insert("backup".into(), serde_json::json!(report.rollback.backup));
    fields.insert(
        "new_default".into(),
        serde_json::json!(report.rollback.new_default),
    );
    fields.insert(
        "failed_entry".into(),
        serde_json::json!(report.failed_entry),
    );
    let ev = questlog_client::Event::new(questlog_client::EventKind::Snapshot {
        action: "auto_rollback".into(),
        name: report.target.to_string(),
        reason: format!(
            "the root did not reach multi-user.target in {} boots in a row; rolled back to snapshot {} (the failed root is kept read-only as snapshot {})",
            cfg.boot.armed_tries(),
            report.target,
            report.rollback.backup
        ),
        fields,
    })
    .with_source("ainux");
    if let Some(d) = cfg.boot.spool.parent() {
        let _ = fs::create_dir_all(d);
    }
    if let Err(e) = questlog_client::Spool::new(&cfg.boot.spool, SPOOL_BYTES).push(&[ev]) {
        tracing::warn!(cause = %e, "the rollback event could not be spooled for questlogd");
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CMDLINE: &str = "root=UUID=abc rw console=ttyS0,115200 quiet panic=10";

    fn root_with_kernel(dir: &Path, kver: &str, tag: &str) {
        fs::create_dir_all(dir.join(format!("usr/lib/modules/{kver}/kernel"))).unwrap();
        fs::create_dir_all(dir.join("boot")).unwrap();
        fs::create_dir_all(dir.join("etc/kernel")).unwrap();
        fs::write(
            dir.join(format!("boot/vmlinuz-{kver}")),
            format!("kernel {kver} {tag}"),
        )
        .unwrap();
        fs::write(
            dir.join(format!("boot/initrd.img-{kver}")),
            format!("initrd {kver} {tag}"),
        )
        .unwrap();
        fs::write(dir.join("etc/kernel/cmdline"), format!("{CMDLINE}\n")).unwrap();
    }

    /// An ESP as the image builder makes it.
    fn built_esp(dir: &Path, kver: &str) -> Esp {
        fs::create_dir_all(dir.join("loader/entries")).unwrap();
        fs::create_dir_all(dir.join(format!("ainux/{kver}"))).unwrap();
        fs::write(dir.join(format!("ainux/{kver}/linux")), "k").unwrap();
        fs::write(dir.join(format!("ainux/{kver}/initrd")), "i").unwrap();
        fs::write(
            dir.join(format!("loader/entries/ainux-{kver}+3.conf")),
            format!("title ainux 0.1.0\nsort-key ainux\nversion {kver}\nlinux /ainux/{kver}/linux\ninitrd /ainux/{kver}/initrd\noptions {CMDLINE}\n"),
        )
        .unwrap();
        Esp::open(dir, "ainux").unwrap()
    }

    fn entry_files(esp: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(esp.join("loader/entries"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn entry_names_round_trip_with_and_without_counters() {
        for (file, stem, left, done) in [
            (
                "ainux-6.1.0-27-amd64+3.conf",
                "ainux-6.1.0-27-amd64",
                Some(3),
                None,
            ),
            (
                "ainux-6.1.0-27-amd64+2-1.conf",
                "ainux-6.1.0-27-amd64",
                Some(2),
                Some(1),
            ),
            (
                "ainux-6.1.0-27-amd64+0-3.conf",
                "ainux-6.1.0-27-amd64",
                Some(0),
                Some(3),
            ),
            ("ainux-fallback.conf", "ainux-fallback", None, None),
            ("odd+x.conf", "odd+x", None, None),
            ("odd+1-y.conf", "odd+1-y", None, None),
        ] {
            let n = EntryName::parse(file).unwrap();
            assert_eq!(
                (n.stem.as_str(), n.left, n.done),
                (stem, left, done),
                "{file}"
            );
            assert_eq!(n.file(), file);
        }
        assert!(EntryName::parse("ainux+0-3.conf").unwrap().is_bad());
        assert!(!EntryName::parse("ainux+1-2.conf").unwrap().is_bad());
        assert!(EntryName::parse("loader.conf.tmp").is_none());
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        assert_eq!(version_cmp("6.1.0-9-amd64", "6.1.0-27-amd64"), Less);
        assert_eq!(version_cmp("6.10.0-1-amd64", "6.9.0-1-amd64"), Greater);
        assert_eq!(version_cmp("6.1.0-27-amd64", "6.1.0-27-amd64"), Equal);
    }

    #[test]
    fn the_newest_complete_kernel_of_a_root_is_chosen() {
        let t = tempfile::tempdir().unwrap();
        root_with_kernel(t.path(), "6.1.0-9-amd64", "a");
        root_with_kernel(t.path(), "6.1.0-27-amd64", "b");
        // Modules without a kernel image (a half-removed package) don't count.
        fs::create_dir_all(t.path().join("usr/lib/modules/6.1.0-99-amd64")).unwrap();
        assert_eq!(kernel_of(t.path()).unwrap().version, "6.1.0-27-amd64");
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            kernel_of(empty.path()),
            Err(BootError::NoKernel(_))
        ));
    }

    #[test]
    fn fallback_cmdline_boots_the_snapshot_read_only_and_names_it() {
        let c = fallback_cmdline(CMDLINE, 7, "@snapshots/7/snapshot");
        assert_eq!(
            c,
            "root=UUID=abc ro rootflags=subvol=/@snapshots/7/snapshot console=ttyS0,115200 quiet panic=10 ainux.autorollback=7"
        );
        assert_eq!(autorollback_target(&c), Some(7));
        // Re-deriving from a fallback line replaces, never stacks.
        let again = fallback_cmdline(&c, 9, "/@snapshots/9/snapshot");
        assert_eq!(again.matches("rootflags=").count(), 1);
        assert_eq!(autorollback_target(&again), Some(9));
        assert_eq!(autorollback_target(CMDLINE), None);
        assert_eq!(autorollback_target("ainux.autorollback=x"), None);
    }

    #[test]
    fn open_refuses_a_directory_without_entries() {
        let t = tempfile::tempdir().unwrap();
        let e = Esp::open(t.path(), "ainux").unwrap_err();
        assert!(e.to_string().contains("not an ESP"), "{e}");
    }

    #[test]
    fn mark_good_rearms_a_counting_entry_and_is_idempotent() {
        let t = tempfile::tempdir().unwrap();
        let esp = built_esp(t.path(), "6.1.0-27-amd64");
        // systemd-boot counted one boot.
        fs::rename(
            t.path().join("loader/entries/ainux-6.1.0-27-amd64+3.conf"),
            t.path()
                .join("loader/entries/ainux-6.1.0-27-amd64+2-1.conf"),
        )
        .unwrap();
        let s = esp.state().unwrap();
        assert_eq!(
            (s.tries_left, s.tries_done, s.bad),
            (Some(2), Some(1), false)
        );
        let changed = esp.mark_good(3).unwrap();
        assert_eq!(
            changed,
            Some((
                "ainux-6.1.0-27-amd64+2-1.conf".into(),
                "ainux-6.1.0-27-amd64+3.conf".into()
            ))
        );
        assert_eq!(esp.mark_good(3).unwrap(), None);
        assert_eq!(entry_files(t.path()), vec!["ainux-6.1.0-27-amd64+3.conf"]);
        // tries 0: boot counting off.
        esp.mark_good(0).unwrap();
        assert_eq!(entry_files(t.path()), vec!["ainux-6.1.0-27-amd64.conf"]);
    }

    #[test]
    fn a_used_up_entry_is_reported_bad() {
        let t = tempfile::tempdir().unwrap();
        let esp = built_esp(t.path(), "6.1.0-27-amd64");
        fs::rename(
            t.path().join("loader/entries/ainux-6.1.0-27-amd64+3.conf"),
            t.path()
                .join("loader/entries/ainux-6.1.0-27-amd64+0-3.conf"),
        )
        .unwrap();
        assert!(esp.state().unwrap().bad);
    }

    #[test]
    fn fallback_entry_boots_the_snapshot_with_its_own_kernel() {
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        let snap = t.path().join("snap");
        root_with_kernel(&snap, "6.1.0-26-amd64", "old");
        assert_eq!(
            esp.set_fallback(4, "@snapshots/4/snapshot", &snap).unwrap(),
            "6.1.0-26-amd64"
        );
        let text = fs::read_to_string(esp_dir.join("loader/entries/ainux-fallback.conf")).unwrap();
        assert!(text.contains("sort-key ainux-fallback\n"), "{text}");
        assert!(
            text.contains("linux /ainux/6.1.0-26-amd64/linux\n"),
            "{text}"
        );
        assert!(
            text.contains("rootflags=subvol=/@snapshots/4/snapshot"),
            "{text}"
        );
        assert_eq!(
            fs::read_to_string(esp_dir.join("ainux/6.1.0-26-amd64/initrd")).unwrap(),
            "initrd 6.1.0-26-amd64 old"
        );
        assert_eq!(esp.state().unwrap().fallback_snapshot, Some(4));
        // The main entry's kernel stays.
        assert!(esp_dir.join("ainux/6.1.0-27-amd64/linux").is_file());
        // A newer snapshot replaces the fallback; its kernel is the main one's, so the old
        // kernel goes.
        let snap2 = t.path().join("snap2");
        root_with_kernel(&snap2, "6.1.0-27-amd64", "new");
        esp.set_fallback(5, "@snapshots/5/snapshot", &snap2)
            .unwrap();
        assert_eq!(esp.state().unwrap().fallback_snapshot, Some(5));
        assert_eq!(esp.state().unwrap().kernels_on_esp, vec!["6.1.0-27-amd64"]);
        assert!(esp.clear_fallback().unwrap());
        assert!(!esp.clear_fallback().unwrap());
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64+3.conf"]);
    }

    #[test]
    fn rollback_to_a_root_with_another_kernel_moves_the_main_entry_to_it() {
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        fs::rename(
            esp_dir.join("loader/entries/ainux-6.1.0-27-amd64+3.conf"),
            esp_dir.join("loader/entries/ainux-6.1.0-27-amd64+0-3.conf"),
        )
        .unwrap();
        let target = t.path().join("target");
        root_with_kernel(&target, "6.1.0-26-amd64", "old");
        assert_eq!(esp.point_main_at(&target, 3).unwrap(), "6.1.0-26-amd64");
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-26-amd64+3.conf"]);
        let s = esp.state().unwrap();
        assert_eq!(s.kernel.as_deref(), Some("6.1.0-26-amd64"));
        assert!(!s.bad);
        // The kernel the entry no longer boots is gone; the new one is the root's.
        assert_eq!(s.kernels_on_esp, vec!["6.1.0-26-amd64"]);
        assert_eq!(
            fs::read_to_string(esp_dir.join("ainux/6.1.0-26-amd64/linux")).unwrap(),
            "kernel 6.1.0-26-amd64 old"
        );
        let text =
            fs::read_to_string(esp_dir.join("loader/entries/ainux-6.1.0-26-amd64+3.conf")).unwrap();
        assert!(
            text.starts_with("title ainux 0.1.0\nsort-key ainux\n"),
            "{text}"
        );
        assert!(text.contains(&format!("options {CMDLINE}\n")), "{text}");
    }

    #[test]
    fn same_kernel_rollback_rearms_without_copying() {
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        let target = t.path().join("target");
        root_with_kernel(&target, "6.1.0-27-amd64", "same");
        esp.point_main_at(&target, 3).unwrap();
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64+3.conf"]);
        // The ESP copy now matches the root that boots.
        assert_eq!(
            fs::read_to_string(esp_dir.join("ainux/6.1.0-27-amd64/linux")).unwrap(),
            "kernel 6.1.0-27-amd64 same"
        );
    }

    #[test]
    fn an_unchanged_kernel_is_not_copied_again_but_a_rebuilt_initrd_is() {
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        let snap = t.path().join("snap");
        root_with_kernel(&snap, "6.1.0-27-amd64", "s");
        esp.set_fallback(1, "@snapshots/1/snapshot", &snap).unwrap();
        let initrd = esp_dir.join("ainux/6.1.0-27-amd64/initrd");
        // Mark the copy: if it were copied again, the mark would go.
        let mtime = fs::metadata(&initrd).unwrap().modified().unwrap();
        fs::write(&initrd, "initrd 6.1.0-27-amd64 X").unwrap();
        fs::File::options()
            .write(true)
            .open(&initrd)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        esp.set_fallback(2, "@snapshots/2/snapshot", &snap).unwrap();
        assert_eq!(
            fs::read_to_string(&initrd).unwrap(),
            "initrd 6.1.0-27-amd64 X"
        );
        // update-initramfs rewrote the root's initrd: the ESP gets the new one.
        std::thread::sleep(std::time::Duration::from_millis(10));
        fs::write(
            snap.join("boot/initrd.img-6.1.0-27-amd64"),
            "initrd 6.1.0-27-amd64 rebuilt",
        )
        .unwrap();
        esp.set_fallback(3, "@snapshots/3/snapshot", &snap).unwrap();
        assert_eq!(
            fs::read_to_string(&initrd).unwrap(),
            "initrd 6.1.0-27-amd64 rebuilt"
        );
    }

    #[test]
    fn a_root_without_a_kernel_is_refused_and_the_esp_is_untouched() {
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        let target = t.path().join("empty");
        fs::create_dir_all(&target).unwrap();
        assert!(matches!(
            esp.point_main_at(&target, 3),
            Err(BootError::NoKernel(_))
        ));
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64+3.conf"]);
    }

    const MOUNTINFO: &str = "\
22 1 0:26 /@snapshots/1/snapshot / ro,noatime shared:1 - btrfs /dev/vda2 rw,subvolid=260,subvol=/@snapshots/1/snapshot
30 22 0:26 /@snapshots /.snapshots rw,noatime shared:2 - btrfs /dev/vda2 rw,subvolid=259,subvol=/@snapshots
31 22 0:26 /@home /home rw,noatime shared:3 - btrfs /dev/vda2 rw,subvolid=257,subvol=/@home
32 22 0:26 /@var_log /var/log rw,noatime shared:4 - btrfs /dev/vda2 rw
33 31 0:27 / /home/a\\040b rw shared:5 - tmpfs tmpfs rw
";

    #[test]
    fn subvolume_paths_come_from_the_mount_table() {
        assert_eq!(
            subvolume_path_of(Path::new("/.snapshots/4/snapshot"), MOUNTINFO).as_deref(),
            Some("@snapshots/4/snapshot")
        );
        assert_eq!(
            subvolume_path_of(Path::new("/.snapshotsX/4"), MOUNTINFO).as_deref(),
            Some("@snapshots/1/snapshot/.snapshotsX/4")
        );
        assert_eq!(
            subvolume_path_of(Path::new("/home/a b/x"), MOUNTINFO).as_deref(),
            Some("x")
        );
        assert_eq!(mount_source("/", MOUNTINFO).as_deref(), Some("/dev/vda2"));
        assert_eq!(mount_source("/nope", MOUNTINFO), None);
    }

    #[test]
    fn auto_rollback_off_disarms_counting() {
        let mut c = BootConfig::default();
        assert_eq!(c.armed_tries(), 3);
        c.tries = 40;
        assert_eq!(c.armed_tries(), 9);
        c.auto_rollback = false;
        assert_eq!(c.armed_tries(), 0);
    }

    #[test]
    fn esp_loader_follows_the_newest_snapshot_and_rollbacks() {
        use crate::BootLoader;
        let t = tempfile::tempdir().unwrap();
        let esp_dir = t.path().join("esp");
        let esp = built_esp(&esp_dir, "6.1.0-27-amd64");
        let loader = EspLoader {
            esp,
            cfg: BootConfig::default(),
        };
        let target = t.path().join("target");
        root_with_kernel(&target, "6.1.0-27-amd64", "t");
        loader.rolled_back(&target).unwrap();
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64+3.conf"]);
        // No snapshot left: no fallback entry.
        loader.root_snapshots_changed(None).unwrap();
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64+3.conf"]);
        // Auto rollback off: rollbacks disarm counting, and no fallback is written.
        let off = EspLoader {
            esp: Esp::open(&esp_dir, "ainux").unwrap(),
            cfg: BootConfig {
                auto_rollback: false,
                ..BootConfig::default()
            },
        };
        off.rolled_back(&target).unwrap();
        off.root_snapshots_changed(Some((3, &target))).unwrap();
        assert_eq!(entry_files(&esp_dir), vec!["ainux-6.1.0-27-amd64.conf"]);
    }
}
