//! The build pipeline: config → mirror → cargo → packages (cached) → tools → stage → ESP →
//! btrfs → disk → outputs. Each step is timed; outputs are written under a temporary work
//! directory beside the output directory and renamed into place only when complete.

use std::fs;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use mkosi_config::{Config, Feature, Format};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cache::{Cache, Key};
use crate::disk::{self, EspFile, Ids, Mkfs};
use crate::mirror::{self, Archive};
use crate::rootfs::{self, RootfsInputs};
use crate::run::{self, Progress};
use crate::stage::{self, ProjectFiles};

/// Boots in a row that may fail to reach multi-user.target before systemd-boot moves the
/// image's entry behind the fallback entry (systemd-boot boot counting).
pub const BOOT_TRIES: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Config(#[from] mkosi_config::ConfigError),
    #[error("{0}")]
    Mirror(#[from] mirror::MirrorError),
    #[error("{0}")]
    Rootfs(#[from] rootfs::RootfsError),
    #[error("{0}")]
    Stage(#[from] stage::StageError),
    #[error("{0}")]
    Disk(#[from] disk::DiskError),
    #[error("{0}")]
    Cache(#[from] crate::cache::CacheError),
    #[error("{0}")]
    Run(#[from] run::RunError),
    #[error("{what} {path}")]
    Io {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the image builder must run as root.\n  why: it installs packages into a chroot and makes device-free \
         file systems that need root's file ownership\n  what to do: run it with sudo, or as root"
    )]
    NotRoot,
    #[error(
        "missing tools: {missing}.\n  why: the builder runs them\n  what to do: apt-get install --no-install-recommends {packages} \
         (scripts/setup does this)"
    )]
    MissingTools { missing: String, packages: String },
    #[error(
        "the package set has no kernel.\n  why: the image is bootable (Bootable={bootable}) but no linux-image-* package \
         is in Packages=\n  what to do: add linux-image-amd64 (or linux-image-arm64) to Packages= in mkosi.conf, or set Bootable=no"
    )]
    NoKernelPackage { bootable: &'static str },
    #[error(
        "not enough free space in {path}: {free_mib} MiB free, about {need_mib} MiB needed.\n  \
         what to do: free some space there, or choose another --output-dir / --cache-dir"
    )]
    NoSpace {
        path: PathBuf,
        free_mib: u64,
        need_mib: u64,
    },
    #[error("another build holds the lock {0}; wait for it to finish")]
    Locked(PathBuf),
    #[error(
        "the image root has no systemd-boot ({0}).\n  what to do: add systemd-boot-efi to Packages= in mkosi.conf"
    )]
    NoBootloader(PathBuf),
    #[error("cargo metadata printed something unexpected")]
    Metadata(#[source] serde_json::Error),
}

impl BuildError {
    /// Process exit code: 2 bad config/usage, 3 host prerequisites, 4 network/mirror, 5 package
    /// set, 75 temporary (locked), 130 interrupted, 1 anything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            BuildError::Config(_) => 2,
            BuildError::NotRoot | BuildError::MissingTools { .. } | BuildError::NoSpace { .. } => 3,
            BuildError::Mirror(_) => 4,
            BuildError::Rootfs(rootfs::RootfsError::NoSuchPackage { .. })
            | BuildError::NoKernelPackage { .. }
            | BuildError::NoBootloader(_)
            | BuildError::Rootfs(rootfs::RootfsError::NoKernel) => 5,
            BuildError::Locked(_) => 75,
            _ if run::interrupted() => 130,
            _ => 1,
        }
    }
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> BuildError {
    let path = path.to_path_buf();
    move |source| BuildError::Io { what, path, source }
}

/// What the command line adds to or overrides in mkosi.conf.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The directory holding mkosi.conf.
    pub config_dir: PathBuf,
    /// The Cargo workspace whose binaries, units/ and rootfs-overlay/ go into the image.
    pub workspace: PathBuf,
    pub mirror: Option<String>,
    pub format: Option<Format>,
    pub output_dir: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    /// Use the release binaries already in target/release.
    pub skip_cargo: bool,
    /// Root file system size in bytes (default: the content plus room, at least 2 GiB).
    pub root_size: Option<u64>,
    /// Build without the project's services (the `bare` reference image of the benchmarks);
    /// the test agent is still installed so the harness can drive it.
    pub bare: bool,
    /// Cargo target directory (default: `<workspace>/target`).
    pub target_dir: Option<PathBuf>,
}

#[derive(Debug, Serialize)]
pub struct OutputFile {
    pub path: PathBuf,
    pub bytes: u64,
    pub allocated_bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Serialize)]
pub struct Step {
    pub name: &'static str,
    pub seconds: f64,
    pub note: String,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub image_id: String,
    pub image_version: Option<String>,
    pub format: &'static str,
    pub outputs: Vec<OutputFile>,
    pub steps: Vec<Step>,
    pub total_seconds: f64,
    pub packages_cache: &'static str,
    pub packages_key: String,
    pub build_digest: String,
    pub kernel: Option<String>,
    pub warnings: Vec<String>,
}

struct Timer {
    steps: Vec<Step>,
    start: Instant,
}

impl Timer {
    fn step<T, E>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<(T, String), E>,
    ) -> Result<T, E> {
        eprintln!("==> {name}");
        let t = Instant::now();
        let (v, note) = f()?;
        let seconds = t.elapsed().as_secs_f64();
        if note.is_empty() {
            eprintln!("    done in {seconds:.1} s");
        } else {
            eprintln!("    {note} ({seconds:.1} s)");
        }
        self.steps.push(Step {
            name,
            seconds,
            note,
        });
        Ok(v)
    }
}

/// Removes the work directory on every exit path.
struct WorkDir(PathBuf);

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Host programs the builder runs, with the Debian package that provides each.
const TOOLS: &[(&str, &str)] = &[
    ("mmdebstrap", "mmdebstrap"),
    ("unshare", "util-linux"),
    ("sfdisk", "fdisk"),
    ("mkfs.vfat", "dosfstools"),
    ("mcopy", "mtools"),
    ("curl", "curl"),
    ("qemu-img", "qemu-utils"),
    ("zstd", "zstd"),
];

fn which(prog: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(prog).is_file()))
        .unwrap_or(false)
}

fn preflight(config: &Config) -> Result<(), BuildError> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Err(BuildError::NotRoot);
    }
    let missing: Vec<&(&str, &str)> = TOOLS.iter().filter(|(p, _)| !which(p)).collect();
    if !missing.is_empty() {
        let mut pkgs: Vec<&str> = missing.iter().map(|(_, p)| *p).collect();
        pkgs.dedup();
        return Err(BuildError::MissingTools {
            missing: missing
                .iter()
                .map(|(p, _)| *p)
                .collect::<Vec<_>>()
                .join(", "),
            packages: pkgs.join(" "),
        });
    }
    if config.content.bootable != Feature::Disabled
        && config.output.format.is_disk_image()
        && !config
            .content
            .packages
            .iter()
            .any(|p| p.starts_with("linux-image-"))
    {
        return Err(BuildError::NoKernelPackage {
            bootable: config.content.bootable.as_str(),
        });
    }
    Ok(())
}

fn free_bytes(path: &Path) -> Option<u64> {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).ok()?;
    // SAFETY: statvfs writes into the zeroed struct we pass.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    (unsafe { libc::statvfs(c.as_ptr(), &mut s) } == 0).then(|| s.f_bavail * s.f_frsize)
}

fn check_space(path: &Path, need: u64) -> Result<(), BuildError> {
    if let Some(free) = free_bytes(path)
        && free < need
    {
        return Err(BuildError::NoSpace {
            path: path.to_path_buf(),
            free_mib: free / disk::MIB,
            need_mib: need / disk::MIB,
        });
    }
    Ok(())
}

fn lock(dir: &Path) -> Result<fs::File, BuildError> {
    let p = dir.join(".ainux-build.lock");
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&p)
        .map_err(io("opening", &p))?;
    // SAFETY: flock on a descriptor we own.
    if unsafe { libc::flock(f.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
        return Err(BuildError::Locked(p));
    }
    Ok(f)
}

#[derive(serde::Deserialize)]
struct Metadata {
    packages: Vec<MetaPackage>,
    target_directory: PathBuf,
}

#[derive(serde::Deserialize)]
struct MetaPackage {
    name: String,
    targets: Vec<MetaTarget>,
    #[serde(default)]
    metadata: Option<serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct MetaTarget {
    name: String,
    kind: Vec<String>,
}

/// The workspace packages and binaries that go into the image: every binary of every member,
/// except packages marked `[package.metadata.ainux] image = false`. With `bare`, only the
/// test agent.
fn image_binaries(
    workspace: &Path,
    bare: bool,
) -> Result<(Vec<String>, Vec<String>, PathBuf), BuildError> {
    let out = run::run(
        Command::new("cargo")
            .args([
                "metadata",
                "--no-deps",
                "--format-version",
                "1",
                "--offline",
            ])
            .current_dir(workspace),
        "cargo metadata",
        None,
        Progress::Quiet,
    )?;
    let m: Metadata = serde_json::from_str(&out.stdout).map_err(BuildError::Metadata)?;
    let mut packages = Vec::new();
    let mut bins = Vec::new();
    for p in m.packages {
        let excluded = p
            .metadata
            .as_ref()
            .and_then(|v| v.pointer("/ainux/image"))
            .and_then(|v| v.as_bool())
            == Some(false);
        if excluded || (bare && p.name != "ainux-agent") {
            continue;
        }
        let pb: Vec<String> = p
            .targets
            .iter()
            .filter(|t| t.kind.iter().any(|k| k == "bin"))
            .map(|t| t.name.clone())
            .collect();
        if !pb.is_empty() {
            packages.push(p.name);
            bins.extend(pb);
        }
    }
    bins.sort();
    Ok((packages, bins, m.target_directory))
}

fn cargo_progress(line: &str) -> Option<String> {
    let l = line.trim_start();
    (l.starts_with("Compiling ") && l.contains("/work")
        || l.starts_with("Finished")
        || l.starts_with("error"))
    .then(|| l.to_string())
}

fn hash_tree(h: &mut Sha256, dir: &Path) {
    let mut entries: Vec<PathBuf> = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                entries.push(p);
            }
        }
    }
    entries.sort();
    for p in entries {
        h.update(
            p.strip_prefix(dir)
                .unwrap_or(&p)
                .to_string_lossy()
                .as_bytes(),
        );
        if let Ok(data) = fs::read(&p) {
            h.update(Sha256::digest(&data));
        }
    }
}

/// Makes (or finds in the cache) the tools tree: a Debian trixie with btrfs-progs ≥ 6.7.
fn tools_tree(
    cache: &Cache,
    tkey: &Key,
    tools_mirror: &str,
    log: &Path,
) -> Result<(Mkfs, String), BuildError> {
    if let Some(hit) = cache.get(tkey) {
        return Ok((Mkfs::ToolsTree(hit), format!("cache hit {}", tkey.short())));
    }
    let tmp = cache.staging(tkey)?;
    let src = mirror::Source {
        uri: tools_mirror.to_string(),
        suite: rootfs::TOOLS_RELEASE.into(),
        components: vec!["main".into()],
    };
    let mut cmd = Command::new("unshare");
    cmd.args([
        "--mount",
        "--propagation",
        "private",
        "--",
        "mmdebstrap",
        "--mode=root",
        "--variant=essential",
    ])
    .arg(format!("--include={}", rootfs::TOOLS_PACKAGES.join(",")))
    .arg(rootfs::TOOLS_RELEASE)
    .arg(&tmp)
    .arg(src.deb_line());
    if let Err(e) = run::run(
        &mut cmd,
        "mmdebstrap (tools tree)",
        Some(log),
        Progress::Quiet,
    ) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e.into());
    }
    let dest = cache.commit(tkey, &tmp)?;
    cache.prune("tools", &dest);
    Ok((
        Mkfs::ToolsTree(dest),
        format!(
            "made {} with {}",
            rootfs::TOOLS_RELEASE,
            rootfs::TOOLS_PACKAGES.join(" ")
        ),
    ))
}

/// Builds the image described by `opts.config_dir/mkosi.conf`.
pub fn build(opts: &Options) -> Result<Summary, BuildError> {
    let mut timer = Timer {
        steps: Vec::new(),
        start: Instant::now(),
    };
    let workspace = opts.workspace.clone();

    let loaded = timer.step("read mkosi.conf", || {
        let l = mkosi_config::load(&opts.config_dir)?;
        let n = l.files.len();
        Ok::<_, BuildError>((l, format!("{n} file(s)")))
    })?;
    let warnings: Vec<String> = loaded.warnings.iter().map(|w| w.to_string()).collect();
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut config = loaded.config;
    if let Some(f) = opts.format {
        config.output.format = f;
    }
    if let Some(d) = &opts.output_dir {
        config.output.output_directory = d.clone();
    }
    preflight(&config)?;

    let out_dir = config.output.output_directory.clone();
    fs::create_dir_all(&out_dir).map_err(io("creating", &out_dir))?;
    let _lock = lock(&out_dir)?;
    // Work directories of builders that were killed.
    for e in fs::read_dir(&out_dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
    {
        let n = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = n.strip_prefix(".ainux-build-").and_then(|p| p.parse().ok())
            && !crate::cache::pid_alive(pid)
        {
            let _ = fs::remove_dir_all(e.path());
        }
    }
    let cache_root = opts
        .cache_dir
        .clone()
        .or(config.build.cache_directory.clone())
        .unwrap_or_else(|| workspace.join("mkosi.cache"));
    let cache = Cache::open(&cache_root)?;

    let work = WorkDir(out_dir.join(format!(".ainux-build-{}", std::process::id())));
    fs::create_dir_all(&work.0).map_err(io("creating", &work.0))?;
    let log = out_dir.join(".ainux-build.log");
    let _ = fs::write(&log, "");

    let d = &config.distribution;
    let archive: Archive = timer.step("mirror", || {
        let a = mirror::resolve(
            opts.mirror.as_deref(),
            d.mirror.as_deref(),
            d.distribution,
            &d.release,
            &d.components(),
            Path::new("/"),
        )?;
        let m = a.mirror.clone();
        Ok::<_, BuildError>((a, format!("using {m}")))
    })?;
    let suite_digests: Vec<(String, String)> = timer.step("archive state", || {
        let mut v = Vec::new();
        for s in &archive.sources {
            v.push((s.deb_line(), mirror::release_digest(&s.uri, &s.suite)?));
        }
        let n = v.len();
        Ok::<_, BuildError>((v, format!("{n} suite(s) pinned by their InRelease digests")))
    })?;
    // After the mirror checks (quick, and the likelier mistake), before any long work. A disk
    // image holds the root twice while it is made; a directory or tar only once.
    let out_need = if config.output.format.is_disk_image() {
        4096
    } else {
        1024
    };
    check_space(&out_dir, out_need * disk::MIB)?;
    check_space(&cache_root, 1536 * disk::MIB)?;

    // The project's binaries.
    let (packages, bins, default_target) = image_binaries(&workspace, opts.bare)?;
    let target_dir = opts.target_dir.clone().unwrap_or(default_target);
    if !opts.skip_cargo {
        timer.step("cargo build --release", || {
            let mut cmd = Command::new("cargo");
            cmd.args(["build", "--release", "--locked"])
                .current_dir(&workspace);
            cmd.env("CARGO_TARGET_DIR", &target_dir);
            for p in &packages {
                cmd.args(["-p", p]);
            }
            cmd.arg("--bins");
            run::run(
                &mut cmd,
                "cargo build",
                Some(&log),
                Progress::Lines(cargo_progress),
            )?;
            Ok::<_, BuildError>(((), format!("{} binaries", bins.len())))
        })?;
    }
    let binaries: Vec<PathBuf> = bins
        .iter()
        .map(|b| target_dir.join("release").join(b))
        .collect();

    // The tools tree (only when the host's mkfs.btrfs is too old for --subvol) is made in
    // parallel with the package-install step.
    let tools_plan = if config.output.format.is_disk_image() && !disk::host_mkfs_btrfs_ok() {
        let tools_mirror =
            mirror::debian_mirror_for_tools(&archive, d.distribution, Path::new("/"))?;
        let tools_digest = mirror::release_digest(&tools_mirror, rootfs::TOOLS_RELEASE)?;
        let tkey = Key::new(
            "tools",
            &(
                rootfs::TOOLS_RECIPE,
                &tools_mirror,
                rootfs::TOOLS_RELEASE,
                &tools_digest,
                rootfs::TOOLS_PACKAGES,
                rootfs::mmdebstrap_version(),
            ),
        );
        Some((tools_mirror, tkey))
    } else {
        None
    };
    let tools_thread = tools_plan.map(|(m, k)| {
        let cache_root = cache.root().to_path_buf();
        let log = log.clone();
        std::thread::spawn(move || {
            let t = Instant::now();
            let r = Cache::open(&cache_root)
                .map_err(BuildError::from)
                .and_then(|c| tools_tree(&c, &k, &m, &log));
            (r, t.elapsed().as_secs_f64())
        })
    });

    // The package-install step, cached.
    let mut pkgs = config.content.packages.clone();
    pkgs.sort();
    pkgs.dedup();
    let inputs = RootfsInputs {
        recipe: rootfs::ROOTFS_RECIPE,
        mmdebstrap_version: rootfs::mmdebstrap_version(),
        distribution: d.distribution.as_str(),
        release: &d.release,
        architecture: d.architecture.debian_arch(),
        sources: suite_digests.clone(),
        packages: pkgs.clone(),
        with_recommends: config.content.with_recommends,
        with_docs: config.content.with_docs,
        source_date_epoch: config.content.source_date_epoch,
    };
    let key = Key::new("rootfs", &inputs);
    let mut cache_state = "hit";
    let incremental = config.build.incremental;
    let base = timer.step("packages", || {
        if incremental && let Some(hit) = cache.get(&key) {
            cache.touch(&hit);
            return Ok::<_, BuildError>((hit, format!("cache hit {}", key.short())));
        }
        cache_state = if incremental {
            "miss"
        } else {
            "off (Incremental=no)"
        };
        // Without Incremental=, the base is made in the work directory and thrown away.
        let tmp = if incremental {
            cache.staging(&key)?
        } else {
            work.0.join("base")
        };
        let res = rootfs::mmdebstrap(
            &tmp,
            &d.release,
            d.architecture.debian_arch(),
            &archive.sources,
            &pkgs,
            config.content.with_recommends,
            config.content.with_docs,
            config.content.source_date_epoch,
            &log,
        );
        if let Err(e) = res {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e.into());
        }
        if config.content.bootable != Feature::Disabled
            && let Err(e) = rootfs::find_kernel(&tmp)
        {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e.into());
        }
        let dest = cache.commit(&key, &tmp)?;
        cache.prune("rootfs", &dest);
        Ok((
            dest,
            format!(
                "installed {} packages, cached as {}",
                pkgs.len(),
                key.short()
            ),
        ))
    })?;

    let mkfs = match tools_thread {
        Some(h) => {
            let (r, secs) = h.join().expect("tools tree thread");
            let (m, note) = r?;
            eprintln!("==> tools tree (in parallel)\n    {note} ({secs:.1} s)");
            timer.steps.push(Step {
                name: "tools tree (parallel)",
                seconds: secs,
                note,
            });
            m
        }
        None => Mkfs::Host,
    };

    // Stage.
    let image_id = config
        .output
        .image_id
        .clone()
        .unwrap_or_else(|| config.output.output.clone());
    let ids = Ids::for_image(&image_id);
    let mut cmdline = vec![format!("root=UUID={}", ids.fs_uuid), "rw".to_string()];
    cmdline.extend(config.content.kernel_command_line.iter().cloned());
    let cmdline = cmdline.join(" ");
    let stage_dir = work.0.join("stage");
    let units_dir = workspace.join("units");
    let files = ProjectFiles {
        binaries,
        units_dir: units_dir.clone(),
        overlay_dir: workspace.join("rootfs-overlay"),
    };
    let mut build_digest = Sha256::new();
    build_digest.update(key.digest.as_bytes());
    for b in &files.binaries {
        if let Ok(data) = fs::read(b) {
            build_digest.update(Sha256::digest(&data));
        }
    }
    hash_tree(&mut build_digest, &files.units_dir);
    hash_tree(&mut build_digest, &files.overlay_dir);
    build_digest.update(config.to_canonical_json().as_bytes());
    let build_digest = hex::encode(build_digest.finalize());

    let kernel = timer.step("stage", || {
        let root = stage::copy_base(&base, &stage_dir, &log)?;
        if opts.bare {
            // The reference image: only the test agent's units and the preset.
            let bare_units = work.0.join("bare-units");
            fs::create_dir_all(bare_units.join("udev")).map_err(io("creating", &bare_units))?;
            for f in [
                "ainux-agent.service",
                "ainux-agent-booted.service",
                "udev/70-ainux-agent.rules",
            ] {
                let _ = fs::copy(units_dir.join(f), bare_units.join(f));
            }
            fs::write(
                bare_units.join("90-ainux.preset"),
                "enable ainux-agent-booted.service\n",
            )
            .map_err(io("writing", &bare_units))?;
            stage::install_project(
                &root,
                &ProjectFiles {
                    binaries: files.binaries.clone(),
                    units_dir: bare_units.clone(),
                    overlay_dir: work.0.join("no-overlay"),
                },
                &log,
            )?;
        } else {
            stage::install_project(&root, &files, &log)?;
        }
        for t in &config.content.extra_trees {
            let dst = match &t.target {
                Some(p) => root.join(p.strip_prefix("/").unwrap_or(p)),
                None => root.clone(),
            };
            run::run(
                Command::new("cp")
                    .args(["-a", "--no-preserve=ownership"])
                    .arg(format!("{}/.", t.source.display()))
                    .arg(&dst),
                "ExtraTrees=",
                Some(&log),
                Progress::Quiet,
            )?;
        }
        stage::configure(&root, &config, &cmdline, &ids.fs_uuid, &ids.esp_part)?;
        stage::os_release(&root, &image_id, config.output.image_version.as_deref())?;
        let info = serde_json::json!({
            "image_id": image_id,
            "image_version": config.output.image_version,
            "build_digest": build_digest,
            "packages_key": key.digest,
            "distribution": d.distribution.as_str(),
            "release": d.release,
            "bare": opts.bare,
        });
        let ip = root.join("usr/lib/ainux/build.json");
        fs::create_dir_all(ip.parent().expect("dir")).map_err(io("creating", &ip))?;
        fs::write(&ip, serde_json::to_vec_pretty(&info).expect("json"))
            .map_err(io("writing", &ip))?;
        let unit_src = if opts.bare {
            work.0.join("bare-units")
        } else {
            units_dir.clone()
        };
        let mut units = stage::unit_names(&unit_src);
        units.extend(stage::preset_named_units(&unit_src));
        units.sort();
        units.dedup();
        stage::configure_in_chroot(&root, &config, &units, &log)?;
        let env: Vec<(&str, String)> = vec![
            ("SRCDIR", workspace.to_string_lossy().into_owned()),
            ("OUTPUTDIR", out_dir.to_string_lossy().into_owned()),
            ("DISTRIBUTION", d.distribution.as_str().into()),
            ("RELEASE", d.release.clone()),
            ("ARCHITECTURE", d.architecture.as_str().into()),
            ("IMAGE_ID", image_id.clone()),
            (
                "IMAGE_VERSION",
                config.output.image_version.clone().unwrap_or_default(),
            ),
        ];
        stage::run_scripts(
            &config.content.postinstallation_scripts,
            &root,
            &env,
            "post-installation",
            &log,
        )?;
        stage::run_scripts(
            &config.content.finalize_scripts,
            &root,
            &env,
            "finalize",
            &log,
        )?;
        stage::remove_files(&root, &config.content.remove_files, &log)?;
        let kernel = if config.content.bootable != Feature::Disabled
            && config.output.format.is_disk_image()
        {
            Some(rootfs::find_kernel(&root)?)
        } else {
            None
        };
        if config.output.format.is_disk_image() {
            stage::split_subvolumes(&stage_dir)?;
        }
        if let Some(epoch) = config.content.source_date_epoch {
            stage::clamp_mtimes(&stage_dir, epoch, &log)?;
        }
        let size = disk::tree_size(&stage_dir);
        Ok::<_, BuildError>((kernel, format!("{} MiB of files", size / disk::MIB)))
    })?;

    let name = config.output.output.clone();
    let mut finals: Vec<(PathBuf, PathBuf)> = Vec::new(); // (temporary, final)
    match config.output.format {
        Format::Directory => {
            let tmp = stage_dir.join("@");
            finals.push((tmp, out_dir.join(&name)));
        }
        Format::Tar => {
            let tmp = work.0.join(format!("{name}.tar"));
            timer.step("tar", || {
                run::run(
                    Command::new("tar")
                        .args(["--numeric-owner", "--xattrs", "--acls", "--sort=name", "-C"])
                        .arg(stage_dir.join("@"))
                        .arg("-cf")
                        .arg(&tmp)
                        .arg("."),
                    "tar",
                    Some(&log),
                    Progress::Quiet,
                )?;
                Ok::<_, BuildError>(((), String::new()))
            })?;
            finals.push((tmp, out_dir.join(format!("{name}.tar"))));
        }
        Format::Disk | Format::Qcow2 => {
            let esp = work.0.join("esp.img");
            let rootimg = work.0.join("root.img");
            let raw = work.0.join(format!("{name}.raw"));
            let root = stage_dir.join("@");
            timer.step("esp", || {
                let sdboot = root.join("usr/lib/systemd/boot/efi/systemd-bootx64.efi");
                if !sdboot.is_file() {
                    return Err(BuildError::NoBootloader(sdboot));
                }
                let (kver, vmlinuz, initrd) = kernel.clone().ok_or(rootfs::RootfsError::NoKernel)?;
                // sort-key puts this entry before `ainux boot`'s fallback entry (sort-key
                // {image_id}-fallback); the +N suffix arms systemd-boot's boot counting, which
                // moves the entry behind the fallback once N boots in a row never reached
                // multi-user.target (docs/snapshots.md).
                let entry = format!(
                    "title {}\nsort-key {image_id}\nversion {kver}\nlinux /{image_id}/{kver}/linux\ninitrd /{image_id}/{kver}/initrd\noptions {cmdline}\n",
                    config.output.image_version.as_ref().map(|v| format!("{image_id} {v}")).unwrap_or(image_id.clone()),
                );
                let files = vec![
                    ("/EFI/BOOT/BOOTX64.EFI".to_string(), EspFile::Copy(sdboot.clone())),
                    ("/EFI/systemd/systemd-bootx64.efi".to_string(), EspFile::Copy(sdboot)),
                    ("/loader/loader.conf".to_string(), EspFile::Text(format!("timeout 0\ndefault {image_id}-*\neditor no\nconsole-mode keep\n"))),
                    (format!("/loader/entries/{image_id}-{kver}+{BOOT_TRIES}.conf"), EspFile::Text(entry)),
                    (format!("/{image_id}/{kver}/linux"), EspFile::Copy(vmlinuz)),
                    (format!("/{image_id}/{kver}/initrd"), EspFile::Copy(initrd)),
                ];
                disk::make_esp(&esp, &ids, &files, &work.0, &log)?;
                Ok::<_, BuildError>(((), format!("systemd-boot, kernel {kver}")))
            })?;
            timer.step("btrfs root", || {
                let content = disk::tree_size(&stage_dir);
                let size = disk::root_size(content, opts.root_size);
                check_space(&work.0, size / 2)?;
                disk::make_btrfs(&mkfs, &stage_dir, &rootimg, size, &ids, &log)?;
                Ok::<_, BuildError>((
                    (),
                    format!(
                        "{} MiB, subvolumes @ (default), @home, @var_log, @snapshots",
                        size / disk::MIB
                    ),
                ))
            })?;
            timer.step("disk", || {
                let root_type = match d.architecture {
                    mkosi_config::Architecture::Arm64 => disk::ROOT_TYPE_ARM64,
                    _ => disk::ROOT_TYPE_X86_64,
                };
                let total = disk::assemble_gpt(&raw, &esp, &rootimg, &ids, root_type, &log)?;
                let _ = fs::remove_file(&esp);
                let _ = fs::remove_file(&rootimg);
                Ok::<_, BuildError>(((), format!("GPT, {} MiB", total / disk::MIB)))
            })?;
            if config.output.format == Format::Qcow2 {
                let q = work.0.join(format!("{name}.qcow2"));
                timer.step("qcow2", || {
                    disk::to_qcow2(&raw, &q, &log)?;
                    Ok::<_, BuildError>(((), String::new()))
                })?;
                finals.push((q, out_dir.join(format!("{name}.qcow2"))));
            } else {
                finals.push((raw, out_dir.join(format!("{name}.raw"))));
            }
        }
    }

    let outputs = timer.step("outputs", || {
        let mut outputs = Vec::new();
        for (tmp, dest) in &finals {
            let (bytes, allocated, sha) = if tmp.is_file() {
                let m = fs::metadata(tmp).map_err(io("reading", tmp))?;
                use std::os::unix::fs::MetadataExt;
                (
                    m.len(),
                    m.blocks() * 512,
                    disk::sha256_file(tmp).map_err(io("hashing", tmp))?,
                )
            } else {
                (disk::tree_size(tmp), disk::tree_size(tmp), String::new())
            };
            if dest.is_dir() {
                fs::remove_dir_all(dest).map_err(io("replacing", dest))?;
            }
            fs::rename(tmp, dest).map_err(io("moving into place", dest))?;
            outputs.push(OutputFile {
                path: dest.clone(),
                bytes,
                allocated_bytes: allocated,
                sha256: sha,
            });
        }
        Ok::<_, BuildError>((outputs, String::new()))
    })?;

    let summary = Summary {
        image_id: image_id.clone(),
        image_version: config.output.image_version.clone(),
        format: config.output.format.as_str(),
        outputs,
        total_seconds: timer.start.elapsed().as_secs_f64(),
        steps: timer.steps,
        packages_cache: cache_state,
        packages_key: key.digest.clone(),
        build_digest,
        kernel: kernel.map(|k| k.0),
        warnings,
    };
    let manifest = out_dir.join(format!("{name}.manifest.json"));
    let tmp = work.0.join("manifest.json");
    fs::write(&tmp, serde_json::to_vec_pretty(&summary).expect("json"))
        .map_err(io("writing", &tmp))?;
    fs::rename(&tmp, &manifest).map_err(io("moving into place", &manifest))?;
    Ok(summary)
}
