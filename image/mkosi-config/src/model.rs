//! The typed, effective configuration.
//!
//! Every field holds the effective value: defaults are filled in from the start and kept
//! up to date while files are read (e.g. `Release` follows `Distribution` until it is set
//! explicitly), so `[Match]` conditions and callers always see what the build will use.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The distribution to build (`[Distribution] Distribution=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Distribution {
    #[default]
    Debian,
    Ubuntu,
}

impl Distribution {
    /// Accepted spellings, in the order shown in error messages.
    pub const NAMES: &'static [&'static str] = &["debian", "ubuntu"];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Debian => "debian",
            Self::Ubuntu => "ubuntu",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "debian" => Some(Self::Debian),
            "ubuntu" => Some(Self::Ubuntu),
            _ => None,
        }
    }

    /// The release used when `Release=` is not set.
    pub fn default_release(self) -> &'static str {
        match self {
            Self::Debian => "bookworm",
            Self::Ubuntu => "noble",
        }
    }
}

/// Target CPU architecture (`[Distribution] Architecture=`), in mkosi's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Architecture {
    #[serde(rename = "x86-64")]
    X86_64,
    #[serde(rename = "arm64")]
    Arm64,
}

impl Default for Architecture {
    fn default() -> Self {
        Self::host()
    }
}

impl Architecture {
    /// Canonical names, in the order shown in error messages (aliases are also accepted).
    pub const NAMES: &'static [&'static str] = &["x86-64", "arm64"];

    /// The architecture of the machine running this code (x86-64 for unknown hosts).
    pub fn host() -> Self {
        match std::env::consts::ARCH {
            "aarch64" => Self::Arm64,
            _ => Self::X86_64,
        }
    }

    /// Accepts `x86-64`, `x86_64`, `amd64`, `arm64`, `aarch64`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "x86-64" | "x86_64" | "amd64" => Some(Self::X86_64),
            "arm64" | "aarch64" => Some(Self::Arm64),
            _ => None,
        }
    }

    /// mkosi's name: `x86-64` or `arm64`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::X86_64 => "x86-64",
            Self::Arm64 => "arm64",
        }
    }

    /// Debian's architecture name (`amd64`, `arm64`), for mmdebstrap `--architectures`.
    pub fn debian_arch(self) -> &'static str {
        match self {
            Self::X86_64 => "amd64",
            Self::Arm64 => "arm64",
        }
    }

    /// The kernel/QEMU name (`x86_64`, `aarch64`), e.g. for `qemu-system-<this>`.
    pub fn kernel_arch(self) -> &'static str {
        match self {
            Self::X86_64 => "x86_64",
            Self::Arm64 => "aarch64",
        }
    }

    /// The UEFI removable-media boot file name suffix (`x64`, `aa64`).
    pub fn efi_suffix(self) -> &'static str {
        match self {
            Self::X86_64 => "x64",
            Self::Arm64 => "aa64",
        }
    }
}

/// Output format (`[Output] Format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    #[default]
    Disk,
    Directory,
    Tar,
    Qcow2,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["disk", "directory", "tar", "qcow2"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "disk" => Some(Self::Disk),
            "directory" => Some(Self::Directory),
            "tar" => Some(Self::Tar),
            "qcow2" => Some(Self::Qcow2),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disk => "disk",
            Self::Directory => "directory",
            Self::Tar => "tar",
            Self::Qcow2 => "qcow2",
        }
    }

    /// Whether this format is a bootable disk image (raw or qcow2).
    pub fn is_disk_image(self) -> bool {
        matches!(self, Self::Disk | Self::Qcow2)
    }
}

/// A tri-state feature switch (`yes`/`no`/`auto`), as used by `Bootable=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Feature {
    #[serde(rename = "yes")]
    Enabled,
    #[serde(rename = "no")]
    Disabled,
    #[default]
    #[serde(rename = "auto")]
    Auto,
}

impl Feature {
    /// Accepts `auto` or any boolean spelling.
    pub fn parse(s: &str) -> Result<Self, String> {
        if s.eq_ignore_ascii_case("auto") {
            return Ok(Self::Auto);
        }
        match crate::values::parse_bool(s) {
            Ok(true) => Ok(Self::Enabled),
            Ok(false) => Ok(Self::Disabled),
            Err(_) => Err("expected yes, no or auto (or another boolean spelling)".to_string()),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "yes",
            Self::Disabled => "no",
            Self::Auto => "auto",
        }
    }
}

/// The root password as written in the configuration. `Debug` does not show a plain
/// password.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RootPassword {
    /// A clear-text password, to be hashed by the builder.
    Plain(String),
    /// An already hashed password (`hashed:$y$…` in the file; stored without the prefix).
    Hashed(String),
}

impl std::fmt::Debug for RootPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Plain(_) => f.write_str("Plain(<redacted>)"),
            Self::Hashed(h) => f.debug_tuple("Hashed").field(h).finish(),
        }
    }
}

/// One `ExtraTrees=` entry: `SOURCE[:TARGET]`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExtraTree {
    /// Absolute path of the directory (or archive) on the build host.
    #[serde(serialize_with = "ser::path")]
    pub source: PathBuf,
    /// Absolute destination inside the image; `None` means the image root.
    #[serde(serialize_with = "ser::opt_path")]
    pub target: Option<PathBuf>,
}

/// `[Distribution]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DistributionConfig {
    pub distribution: Distribution,
    /// Effective release: explicit, or the distribution's default (bookworm / noble).
    pub release: String,
    pub architecture: Architecture,
    /// Explicit mirror; `None` means "take it from the host's apt configuration".
    pub mirror: Option<String>,
    /// Extra archive components beyond `main` (e.g. contrib, non-free-firmware).
    pub repositories: Vec<String>,
}

impl Default for DistributionConfig {
    fn default() -> Self {
        Self {
            distribution: Distribution::Debian,
            release: Distribution::Debian.default_release().to_string(),
            architecture: Architecture::host(),
            mirror: None,
            repositories: Vec::new(),
        }
    }
}

impl DistributionConfig {
    /// Archive components to enable: `main` followed by `Repositories=` (duplicates removed).
    pub fn components(&self) -> Vec<String> {
        let mut out = vec!["main".to_string()];
        for r in &self.repositories {
            if !out.contains(r) {
                out.push(r.clone());
            }
        }
        out
    }
}

/// `[Output]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutputConfig {
    pub format: Format,
    /// Output file name without directory: explicit, else `ImageId`, else `image`.
    pub output: String,
    /// Absolute when produced by [`crate::load`]; default `<config dir>/mkosi.output`.
    #[serde(serialize_with = "ser::path")]
    pub output_directory: PathBuf,
    pub image_id: Option<String>,
    pub image_version: Option<String>,
}

impl Default for OutputConfig {
    fn default() -> Self {
        Self {
            format: Format::Disk,
            output: DEFAULT_OUTPUT.to_string(),
            output_directory: PathBuf::from(DEFAULT_OUTPUT_DIRECTORY),
            image_id: None,
            image_version: None,
        }
    }
}

/// `[Content]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ContentConfig {
    pub packages: Vec<String>,
    pub bootable: Feature,
    pub kernel_command_line: Vec<String>,
    pub hostname: Option<String>,
    pub root_password: Option<RootPassword>,
    pub autologin: bool,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub extra_trees: Vec<ExtraTree>,
    #[serde(serialize_with = "ser::paths")]
    pub postinstallation_scripts: Vec<PathBuf>,
    #[serde(serialize_with = "ser::paths")]
    pub finalize_scripts: Vec<PathBuf>,
    /// Glob patterns, relative to the image root.
    pub remove_files: Vec<String>,
    pub source_date_epoch: Option<u64>,
    pub with_recommends: bool,
    pub with_docs: bool,
}

/// `[Build]`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct BuildConfig {
    pub incremental: bool,
    #[serde(serialize_with = "ser::opt_path")]
    pub cache_directory: Option<PathBuf>,
}

/// `[Runtime]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuntimeConfig {
    /// Guest memory in bytes (default 2 GiB).
    pub ram: u64,
    /// Guest CPUs, at least 1 (default 2).
    pub cpus: u32,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        Self {
            ram: DEFAULT_RAM,
            cpus: DEFAULT_CPUS,
        }
    }
}

pub const DEFAULT_OUTPUT: &str = "image";
pub const DEFAULT_OUTPUT_DIRECTORY: &str = "mkosi.output";
pub const DEFAULT_RAM: u64 = 2 << 30;
pub const DEFAULT_CPUS: u32 = 2;

/// Bookkeeping for defaults that depend on other settings; not part of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct DefaultsState {
    pub release_set: bool,
    pub output_set: bool,
    /// What `OutputDirectory=` (empty) resets to.
    pub output_directory_default: Option<PathBuf>,
}

/// The whole effective configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    pub distribution: DistributionConfig,
    pub output: OutputConfig,
    pub content: ContentConfig,
    pub build: BuildConfig,
    pub runtime: RuntimeConfig,
    #[serde(skip)]
    pub(crate) defaults: DefaultsState,
}

impl Config {
    /// Defaults for a configuration rooted at `dir`: `OutputDirectory` becomes
    /// `<dir>/mkosi.output` (made absolute).
    pub fn with_base_dir(dir: &Path) -> Self {
        let out = crate::values::absolute(&dir.join(DEFAULT_OUTPUT_DIRECTORY));
        let mut c = Self::default();
        c.output.output_directory = out.clone();
        c.defaults.output_directory_default = Some(out);
        c
    }

    /// A stable JSON rendering of every effective setting (fixed field order, lists in
    /// configuration order, paths as strings). Equal configurations give equal strings, so
    /// this is suitable as input to a cache digest.
    pub fn to_canonical_json(&self) -> String {
        // Serialisation cannot fail: no maps with non-string keys, paths are rendered lossily.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Sets the distribution; the release follows unless it was set explicitly.
    pub fn set_distribution(&mut self, d: Distribution) {
        self.distribution.distribution = d;
        if !self.defaults.release_set {
            self.distribution.release = d.default_release().to_string();
        }
    }

    /// Sets (`Some`) or resets (`None`) the release.
    pub fn set_release(&mut self, r: Option<String>) {
        match r {
            Some(r) => {
                self.distribution.release = r;
                self.defaults.release_set = true;
            }
            None => {
                self.distribution.release =
                    self.distribution.distribution.default_release().to_string();
                self.defaults.release_set = false;
            }
        }
    }

    /// Sets or resets the image id; the output name follows unless set explicitly.
    pub fn set_image_id(&mut self, id: Option<String>) {
        self.output.image_id = id;
        if !self.defaults.output_set {
            self.output.output = self.default_output_name();
        }
    }

    /// Sets or resets the output file name.
    pub fn set_output(&mut self, name: Option<String>) {
        match name {
            Some(n) => {
                self.output.output = n;
                self.defaults.output_set = true;
            }
            None => {
                self.defaults.output_set = false;
                self.output.output = self.default_output_name();
            }
        }
    }

    /// Resets `OutputDirectory` to its default.
    pub(crate) fn reset_output_directory(&mut self) {
        self.output.output_directory = self
            .defaults
            .output_directory_default
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_OUTPUT_DIRECTORY));
    }

    fn default_output_name(&self) -> String {
        self.output
            .image_id
            .clone()
            .unwrap_or_else(|| DEFAULT_OUTPUT.to_string())
    }
}

/// Path serialisers that never fail (non-UTF-8 bytes are replaced).
mod ser {
    use std::path::{Path, PathBuf};

    use serde::Serializer;

    pub fn path<S: Serializer>(p: &Path, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&p.to_string_lossy())
    }

    pub fn opt_path<S: Serializer>(p: &Option<PathBuf>, s: S) -> Result<S::Ok, S::Error> {
        match p {
            Some(p) => s.serialize_some(&p.to_string_lossy()),
            None => s.serialize_none(),
        }
    }

    pub fn paths<S: Serializer>(ps: &[PathBuf], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(ps.iter().map(|p| p.to_string_lossy()))
    }
}
