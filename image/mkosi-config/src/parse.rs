//! Parsing one configuration file's text into a [`Config`].

use std::path::{Path, PathBuf};

use crate::error::{BadValue, ConfigError, Warning};
use crate::model::{Architecture, Config, Distribution, ExtraTree, Feature, Format, RootPassword};
use crate::values;

/// The sections this reader understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Distribution,
    Output,
    Content,
    Build,
    Runtime,
    Match,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Self::Distribution,
        Self::Output,
        Self::Content,
        Self::Build,
        Self::Runtime,
        Self::Match,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Distribution => "Distribution",
            Self::Output => "Output",
            Self::Content => "Content",
            Self::Build => "Build",
            Self::Runtime => "Runtime",
            Self::Match => "Match",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|sec| sec.name() == s)
    }

    /// The keys accepted in this section.
    pub fn keys(self) -> &'static [&'static str] {
        match self {
            Self::Distribution => &[
                "Distribution",
                "Release",
                "Architecture",
                "Mirror",
                "Repositories",
            ],
            Self::Output => &[
                "Format",
                "Output",
                "OutputDirectory",
                "ImageId",
                "ImageVersion",
            ],
            Self::Content => &[
                "Packages",
                "Bootable",
                "KernelCommandLine",
                "Hostname",
                "RootPassword",
                "Autologin",
                "Locale",
                "Timezone",
                "ExtraTrees",
                "PostInstallationScripts",
                "FinalizeScripts",
                "RemoveFiles",
                "SourceDateEpoch",
                "WithRecommends",
                "WithDocs",
            ],
            Self::Build => &["Incremental", "CacheDirectory"],
            Self::Runtime => &["RAM", "CPUs"],
            Self::Match => &[
                "Distribution",
                "Release",
                "Architecture",
                "ImageId",
                "Format",
                "Bootable",
            ],
        }
    }
}

/// What happened to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOutcome {
    /// All settings of the file were applied.
    Applied,
    /// The `[Match]` section starting at `line` was not satisfied; the settings after it
    /// were ignored.
    SkippedByMatch { line: usize },
}

/// Parses the text of one configuration file named `name` (used in messages) into `into`.
///
/// Relative paths in values are resolved against `base_dir` (made absolute first).
/// Warnings (unknown sections and keys) are appended to `warnings`.
pub fn parse_str(
    name: &str,
    text: &str,
    base_dir: &Path,
    into: &mut Config,
    warnings: &mut Vec<Warning>,
) -> Result<FileOutcome, ConfigError> {
    parse_file_text(Path::new(name), text, base_dir, into, warnings)
}

pub(crate) fn parse_file_text(
    file: &Path,
    text: &str,
    base_dir: &Path,
    cfg: &mut Config,
    warnings: &mut Vec<Warning>,
) -> Result<FileOutcome, ConfigError> {
    let mut parser = FileParser {
        file,
        base_dir: values::absolute(base_dir),
        cfg,
        warnings,
        section: None,
        pending: None,
        conditions: Vec::new(),
    };
    parser.run(text)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    Known(Section, usize),
    Unknown,
}

struct Pending {
    line: usize,
    section: Current,
    key: String,
    /// Value with continuation lines joined by `\n`, each trimmed.
    value: String,
}

/// One `[Match]` key: values OR'ed, `!`-values must all fail.
struct Condition {
    key: String,
    values: Vec<(bool, MatchValue)>,
    /// False for keys this reader does not know: such a condition never holds.
    supported: bool,
}

enum MatchValue {
    Distribution(Distribution),
    Release(String),
    Architecture(Architecture),
    ImageId(String),
    Format(Format),
    Bootable(Feature),
}

impl MatchValue {
    fn holds(&self, cfg: &Config) -> bool {
        match self {
            Self::Distribution(d) => cfg.distribution.distribution == *d,
            Self::Release(r) => cfg.distribution.release == *r,
            Self::Architecture(a) => cfg.distribution.architecture == *a,
            Self::ImageId(pattern) => cfg
                .output
                .image_id
                .as_deref()
                .is_some_and(|id| values::glob_match(pattern, id)),
            Self::Format(f) => cfg.output.format == *f,
            Self::Bootable(b) => cfg.content.bootable == *b,
        }
    }
}

impl Condition {
    fn holds(&self, cfg: &Config) -> bool {
        if !self.supported {
            return false;
        }
        let mut any_positive = false;
        let mut positive_hit = false;
        for (negated, v) in &self.values {
            let hit = v.holds(cfg);
            if *negated {
                if hit {
                    return false;
                }
            } else {
                any_positive = true;
                positive_hit |= hit;
            }
        }
        !any_positive || positive_hit
    }
}

struct FileParser<'a> {
    file: &'a Path,
    base_dir: PathBuf,
    cfg: &'a mut Config,
    warnings: &'a mut Vec<Warning>,
    section: Option<Current>,
    pending: Option<Pending>,
    conditions: Vec<Condition>,
}

/// The leading whitespace common to all non-blank lines (like mkosi's `textwrap.dedent`),
/// so a file indented as a whole still parses.
fn common_indent(text: &str) -> &str {
    let mut common: Option<&str> = None;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let ws = &line[..line.len() - line.trim_start().len()];
        common = Some(match common {
            None => ws,
            Some(c) => {
                let n = c
                    .char_indices()
                    .zip(ws.chars())
                    .take_while(|((_, a), b)| a == b)
                    .last()
                    .map_or(0, |((i, a), _)| i + a.len_utf8());
                &c[..n]
            }
        });
    }
    common.unwrap_or("")
}

impl FileParser<'_> {
    fn run(&mut self, text: &str) -> Result<FileOutcome, ConfigError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let indent = common_indent(text);
        for (idx, raw) in text.lines().enumerate() {
            let lineno = idx + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            let line = raw.strip_prefix(indent).unwrap_or(raw);
            if line.starts_with(char::is_whitespace) {
                self.continuation(lineno, trimmed)?;
                continue;
            }
            self.flush()?;
            if line.starts_with('[') {
                if let Some(outcome) = self.end_section()? {
                    return Ok(outcome);
                }
                self.header(lineno, line.trim_end())?;
            } else if let Some((key, value)) = line.split_once('=') {
                let Some(section) = self.section else {
                    return Err(self.syntax(
                        lineno,
                        format!(
                            "setting `{}=` appears before any [Section] header",
                            key.trim()
                        ),
                    ));
                };
                let key = key.trim();
                if key.is_empty() {
                    return Err(self.syntax(lineno, "missing key name before '='".to_string()));
                }
                self.pending = Some(Pending {
                    line: lineno,
                    section,
                    key: key.to_string(),
                    value: value.trim().to_string(),
                });
            } else {
                return Err(self.syntax(
                    lineno,
                    format!(
                        "expected `Key=Value`, a [Section] header or a comment, found `{}`",
                        trimmed
                    ),
                ));
            }
        }
        self.flush()?;
        Ok(self.end_section()?.unwrap_or(FileOutcome::Applied))
    }

    fn syntax(&self, line: usize, message: String) -> ConfigError {
        ConfigError::Syntax {
            file: self.file.to_path_buf(),
            line,
            message,
        }
    }

    fn warn(&mut self, line: usize, message: String) {
        self.warnings.push(Warning {
            file: self.file.to_path_buf(),
            line,
            message,
        });
    }

    fn continuation(&mut self, lineno: usize, text: &str) -> Result<(), ConfigError> {
        if self.section.is_none() {
            return Err(self.syntax(
                lineno,
                "indented line appears before any [Section] header".to_string(),
            ));
        }
        match &mut self.pending {
            Some(p) => {
                if !p.value.is_empty() {
                    p.value.push('\n');
                }
                p.value.push_str(text);
                Ok(())
            }
            None => Err(self.syntax(
                lineno,
                "indented continuation line without a preceding `Key=` line".to_string(),
            )),
        }
    }

    fn header(&mut self, lineno: usize, line: &str) -> Result<(), ConfigError> {
        let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
            return Err(self.syntax(
                lineno,
                format!("malformed section header `{line}`, expected `[Name]`"),
            ));
        };
        let name = name.trim();
        if name.is_empty() {
            return Err(self.syntax(lineno, "empty section name `[]`".to_string()));
        }
        match Section::parse(name) {
            Some(s) => self.section = Some(Current::Known(s, lineno)),
            None => {
                let mut msg = format!("unknown section [{name}], its settings are ignored");
                if let Some(s) = Section::ALL
                    .iter()
                    .find(|s| s.name().eq_ignore_ascii_case(name))
                {
                    msg.push_str(&format!(" (did you mean [{}]?)", s.name()));
                }
                self.warn(lineno, msg);
                self.section = Some(Current::Unknown);
            }
        }
        Ok(())
    }

    /// Called when a section ends (new header or end of file). Evaluates a finished
    /// `[Match]` section; `Some(outcome)` means: stop reading this file.
    fn end_section(&mut self) -> Result<Option<FileOutcome>, ConfigError> {
        if let Some(Current::Known(Section::Match, header_line)) = self.section {
            let conditions = std::mem::take(&mut self.conditions);
            if !conditions.iter().all(|c| c.holds(self.cfg)) {
                return Ok(Some(FileOutcome::SkippedByMatch { line: header_line }));
            }
        }
        Ok(None)
    }

    fn flush(&mut self) -> Result<(), ConfigError> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        match p.section {
            Current::Unknown => Ok(()),
            Current::Known(Section::Match, _) => self.add_condition(p),
            Current::Known(section, _) => self.apply(section, p),
        }
    }

    fn invalid(&self, section: Section, p: &Pending, reason: String) -> ConfigError {
        ConfigError::InvalidValue(Box::new(BadValue {
            file: self.file.to_path_buf(),
            line: p.line,
            section: section.name().to_string(),
            key: p.key.clone(),
            value: p.value.clone(),
            reason,
        }))
    }

    fn unknown_key(&mut self, section: Section, p: &Pending) {
        let mut msg = if section == Section::Match {
            format!(
                "unknown [Match] condition {}={}; it is treated as not satisfied, so the rest of this file is ignored",
                p.key, p.value
            )
        } else {
            format!("unknown key {}.{}, ignored", section.name(), p.key)
        };
        if let Some(k) = section
            .keys()
            .iter()
            .find(|k| k.eq_ignore_ascii_case(&p.key))
        {
            msg.push_str(&format!(" (did you mean {k}?)"));
        } else if let Some(other) = Section::ALL
            .iter()
            .find(|s| **s != section && **s != Section::Match && s.keys().contains(&p.key.as_str()))
        {
            msg.push_str(&format!(" ({} belongs in [{}])", p.key, other.name()));
        }
        self.warn(p.line, msg);
    }

    fn apply(&mut self, section: Section, p: Pending) -> Result<(), ConfigError> {
        match apply_setting(self.cfg, section, &p.key, &p.value, &self.base_dir) {
            Ok(true) => Ok(()),
            Ok(false) => {
                self.unknown_key(section, &p);
                Ok(())
            }
            Err(reason) => Err(self.invalid(section, &p, reason)),
        }
    }

    fn add_condition(&mut self, p: Pending) -> Result<(), ConfigError> {
        let key = p.key.as_str();
        if !Section::Match.keys().contains(&key) {
            self.unknown_key(Section::Match, &p);
            self.conditions.push(Condition {
                key: p.key.clone(),
                values: Vec::new(),
                supported: false,
            });
            return Ok(());
        }
        let items = values::split_list(&p.value);
        if items.is_empty() {
            return Err(self.invalid(
                Section::Match,
                &p,
                "a [Match] condition needs at least one value".to_string(),
            ));
        }
        let mut parsed = Vec::with_capacity(items.len());
        for item in &items {
            let (negated, v) = match item.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, item.as_str()),
            };
            let value = parse_match_value(key, v).map_err(|reason| {
                self.invalid(Section::Match, &p, format!("`{item}`: {reason}"))
            })?;
            parsed.push((negated, value));
        }
        // Repeating a key within one [Match] section adds alternatives to that condition.
        match self
            .conditions
            .iter_mut()
            .find(|c| c.supported && c.key == key)
        {
            Some(c) => c.values.extend(parsed),
            None => self.conditions.push(Condition {
                key: key.to_string(),
                values: parsed,
                supported: true,
            }),
        }
        Ok(())
    }
}

fn parse_match_value(key: &str, v: &str) -> Result<MatchValue, String> {
    if v.is_empty() {
        return Err("expected a value after '!'".to_string());
    }
    Ok(match key {
        "Distribution" => MatchValue::Distribution(
            Distribution::parse(v).ok_or_else(|| expected(Distribution::NAMES))?,
        ),
        "Release" => MatchValue::Release(v.to_string()),
        "Architecture" => {
            MatchValue::Architecture(Architecture::parse(v).ok_or_else(architecture_expected)?)
        }
        "ImageId" => MatchValue::ImageId(v.to_string()),
        "Format" => MatchValue::Format(Format::parse(v).ok_or_else(|| expected(Format::NAMES))?),
        "Bootable" => MatchValue::Bootable(Feature::parse(v)?),
        other => return Err(format!("unsupported [Match] key {other}")),
    })
}

fn expected(names: &[&str]) -> String {
    format!("expected one of: {}", names.join(", "))
}

fn architecture_expected() -> String {
    "expected one of: x86-64, arm64 (aliases: x86_64, amd64, aarch64)".to_string()
}

/// A scalar value: `None` for an empty value (reset to the default), an error if
/// continuation lines were used.
fn scalar(raw: &str) -> Result<Option<&str>, String> {
    if raw.contains('\n') {
        Err(
            "takes a single value; continuation lines are only allowed for list settings"
                .to_string(),
        )
    } else if raw.is_empty() {
        Ok(None)
    } else {
        Ok(Some(raw))
    }
}

fn bool_or_default(raw: &str, default: bool) -> Result<bool, String> {
    scalar(raw)?.map_or(Ok(default), values::parse_bool)
}

/// Appends the items of a list value, or clears the list for an empty value.
fn list<T>(
    raw: &str,
    target: &mut Vec<T>,
    split: fn(&str) -> Vec<String>,
    mut convert: impl FnMut(&str) -> Result<T, String>,
) -> Result<(), String> {
    if raw.trim().is_empty() {
        target.clear();
        return Ok(());
    }
    let mut items = Vec::new();
    for item in split(raw) {
        items.push(convert(&item).map_err(|e| format!("`{item}`: {e}"))?);
    }
    target.extend(items);
    Ok(())
}

fn existing_file(base: &Path, item: &str) -> Result<PathBuf, String> {
    let path = values::resolve_path(base, item);
    if !path.exists() {
        return Err(format!("{} does not exist", path.display()));
    }
    if !path.is_file() {
        return Err(format!("{} is not a regular file", path.display()));
    }
    Ok(path)
}

fn extra_tree(base: &Path, item: &str) -> Result<ExtraTree, String> {
    let (source, target) = match item.split_once(':') {
        Some((s, t)) => (s, Some(t)),
        None => (item, None),
    };
    if source.is_empty() {
        return Err("expected SOURCE[:TARGET] with a non-empty SOURCE".to_string());
    }
    let source = values::resolve_path(base, source);
    if !source.exists() {
        return Err(format!("source {} does not exist", source.display()));
    }
    let target = match target {
        None => None,
        Some(t) if t.starts_with('/') => {
            let t = values::normalize(Path::new(t));
            (t != Path::new("/")).then_some(t)
        }
        Some(t) => {
            return Err(format!(
                "target `{t}` must be an absolute path inside the image (SOURCE[:TARGET])"
            ));
        }
    };
    Ok(ExtraTree { source, target })
}

/// Applies one `Section.Key=raw` setting. `Ok(false)` means the key is unknown.
pub(crate) fn apply_setting(
    cfg: &mut Config,
    section: Section,
    key: &str,
    raw: &str,
    base: &Path,
) -> Result<bool, String> {
    use Section as S;
    match (section, key) {
        (S::Distribution, "Distribution") => {
            let d = match scalar(raw)? {
                None => Distribution::default(),
                Some(v) => Distribution::parse(v).ok_or_else(|| expected(Distribution::NAMES))?,
            };
            cfg.set_distribution(d);
        }
        (S::Distribution, "Release") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::simple_name(v, "._-", "a release name")?;
            }
            cfg.set_release(v.map(str::to_string));
        }
        (S::Distribution, "Architecture") => {
            cfg.distribution.architecture = match scalar(raw)? {
                None => Architecture::host(),
                Some(v) => Architecture::parse(v).ok_or_else(architecture_expected)?,
            };
        }
        (S::Distribution, "Mirror") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::mirror_url(v)?;
            }
            cfg.distribution.mirror = v.map(str::to_string);
        }
        (S::Distribution, "Repositories") => {
            list(
                raw,
                &mut cfg.distribution.repositories,
                values::split_list,
                |s| {
                    values::simple_name(s, "._/-", "an archive component name")?;
                    Ok(s.to_string())
                },
            )?;
        }
        (S::Output, "Format") => {
            cfg.output.format = match scalar(raw)? {
                None => Format::default(),
                Some(v) => Format::parse(v).ok_or_else(|| expected(Format::NAMES))?,
            };
        }
        (S::Output, "Output") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::file_name(v)?;
            }
            cfg.set_output(v.map(str::to_string));
        }
        (S::Output, "OutputDirectory") => match scalar(raw)? {
            None => cfg.reset_output_directory(),
            Some(v) => cfg.output.output_directory = values::resolve_path(base, v),
        },
        (S::Output, "ImageId") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::simple_name(v, "._-", "an image id")?;
            }
            cfg.set_image_id(v.map(str::to_string));
        }
        (S::Output, "ImageVersion") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::simple_name(v, "._~+-", "a version")?;
            }
            cfg.output.image_version = v.map(str::to_string);
        }
        (S::Content, "Packages") => {
            list(raw, &mut cfg.content.packages, values::split_list, |s| {
                if s.starts_with('-') {
                    Err("package names must not start with '-'".to_string())
                } else if s.starts_with('#') {
                    Err("comments must be on their own line (no inline `#` comments)".to_string())
                } else {
                    Ok(s.to_string())
                }
            })?;
        }
        (S::Content, "Bootable") => {
            cfg.content.bootable = scalar(raw)?.map_or(Ok(Feature::Auto), Feature::parse)?;
        }
        (S::Content, "KernelCommandLine") => {
            list(
                raw,
                &mut cfg.content.kernel_command_line,
                values::split_whitespace,
                |s| Ok(s.to_string()),
            )?;
        }
        (S::Content, "Hostname") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::hostname(v)?;
            }
            cfg.content.hostname = v.map(str::to_string);
        }
        (S::Content, "RootPassword") => {
            cfg.content.root_password = match scalar(raw)? {
                None => None,
                Some(v) => match v.strip_prefix("hashed:") {
                    Some("") => {
                        return Err("`hashed:` must be followed by a crypt(3) hash".to_string());
                    }
                    Some(h) => Some(RootPassword::Hashed(h.to_string())),
                    None => Some(RootPassword::Plain(v.to_string())),
                },
            };
        }
        (S::Content, "Autologin") => cfg.content.autologin = bool_or_default(raw, false)?,
        (S::Content, "Locale") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::simple_name(v, "._@-", "a locale such as en_US.UTF-8")?;
            }
            cfg.content.locale = v.map(str::to_string);
        }
        (S::Content, "Timezone") => {
            let v = scalar(raw)?;
            if let Some(v) = v {
                values::timezone(v)?;
            }
            cfg.content.timezone = v.map(str::to_string);
        }
        (S::Content, "ExtraTrees") => {
            list(raw, &mut cfg.content.extra_trees, values::split_list, |s| {
                extra_tree(base, s)
            })?;
        }
        (S::Content, "PostInstallationScripts") => {
            list(
                raw,
                &mut cfg.content.postinstallation_scripts,
                values::split_list,
                |s| existing_file(base, s),
            )?;
        }
        (S::Content, "FinalizeScripts") => {
            list(
                raw,
                &mut cfg.content.finalize_scripts,
                values::split_list,
                |s| existing_file(base, s),
            )?;
        }
        (S::Content, "RemoveFiles") => {
            list(
                raw,
                &mut cfg.content.remove_files,
                values::split_list,
                |s| Ok(s.to_string()),
            )?;
        }
        (S::Content, "SourceDateEpoch") => {
            cfg.content.source_date_epoch = match scalar(raw)? {
                None => None,
                Some(v) => Some(v.parse::<u64>().map_err(|_| {
                    "expected a non-negative integer (seconds since 1970-01-01 UTC)".to_string()
                })?),
            };
        }
        (S::Content, "WithRecommends") => {
            cfg.content.with_recommends = bool_or_default(raw, false)?;
        }
        (S::Content, "WithDocs") => cfg.content.with_docs = bool_or_default(raw, false)?,
        (S::Build, "Incremental") => cfg.build.incremental = bool_or_default(raw, false)?,
        (S::Build, "CacheDirectory") => {
            cfg.build.cache_directory = scalar(raw)?.map(|v| values::resolve_path(base, v));
        }
        (S::Runtime, "RAM") => {
            cfg.runtime.ram = match scalar(raw)? {
                None => crate::model::DEFAULT_RAM,
                Some(v) => match values::parse_size(v)? {
                    0 => return Err("RAM must be larger than 0".to_string()),
                    n => n,
                },
            };
        }
        (S::Runtime, "CPUs") => {
            cfg.runtime.cpus = match scalar(raw)? {
                None => crate::model::DEFAULT_CPUS,
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => return Err("expected an integer of at least 1".to_string()),
                },
            };
        }
        _ => return Ok(false),
    }
    Ok(true)
}
