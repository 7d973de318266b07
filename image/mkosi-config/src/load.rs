//! Reading a configuration directory: `mkosi.conf`, then `mkosi.conf.d/` in order.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{ConfigError, Warning};
use crate::model::Config;
use crate::parse::{FileOutcome, parse_file_text};
use crate::values;

/// The result of [`load`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The effective configuration (all defaults filled in, all paths absolute).
    pub config: Config,
    /// Unknown sections and keys, in the order they were found.
    pub warnings: Vec<Warning>,
    /// Every file that was read, in reading order (including files whose `[Match]` failed).
    pub files: Vec<PathBuf>,
    /// The subset of `files` whose `[Match]` was not satisfied.
    pub skipped: Vec<PathBuf>,
}

/// Reads the configuration in `dir`: `dir/mkosi.conf` (if present), then the entries of
/// `dir/mkosi.conf.d/` sorted by name: `*.conf` files, and sub-directories which are read
/// the same way as `dir` (their `mkosi.conf`, then their `mkosi.conf.d/`). If a directory's
/// `mkosi.conf` has a `[Match]` that fails, that directory's `mkosi.conf.d/` is skipped too.
///
/// It is an error if `dir` contains neither `mkosi.conf` nor `mkosi.conf.d/`.
pub fn load(dir: &Path) -> Result<Loaded, ConfigError> {
    let dir = values::absolute(dir);
    let mut loaded = Loaded {
        config: Config::with_base_dir(&dir),
        warnings: Vec::new(),
        files: Vec::new(),
        skipped: Vec::new(),
    };
    if !load_dir(&dir, &mut loaded)? {
        return Err(ConfigError::NoConfig { dir });
    }
    Ok(loaded)
}

/// Reads one configuration directory; `Ok(false)` if it holds no configuration at all.
fn load_dir(dir: &Path, loaded: &mut Loaded) -> Result<bool, ConfigError> {
    let main = dir.join("mkosi.conf");
    let dropins = dir.join("mkosi.conf.d");
    let has_main = main.is_file();
    let has_dropins = dropins.is_dir();
    let main_applied = if has_main {
        load_file(&main, dir, loaded)? == FileOutcome::Applied
    } else {
        true
    };
    if main_applied && has_dropins {
        for entry in sorted_entries(&dropins)? {
            if entry.is_dir() {
                load_dir(&entry, loaded)?;
            } else if entry.extension().is_some_and(|e| e == "conf") && entry.is_file() {
                load_file(&entry, &dropins, loaded)?;
            }
        }
    }
    Ok(has_main || has_dropins)
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).map_err(read_err)? {
        entries.push(entry.map_err(read_err)?.path());
    }
    entries.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    Ok(entries)
}

fn load_file(
    path: &Path,
    base_dir: &Path,
    loaded: &mut Loaded,
) -> Result<FileOutcome, ConfigError> {
    let text = fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    loaded.files.push(path.to_path_buf());
    let outcome = parse_file_text(
        path,
        &text,
        base_dir,
        &mut loaded.config,
        &mut loaded.warnings,
    )?;
    if outcome != FileOutcome::Applied {
        loaded.skipped.push(path.to_path_buf());
    }
    Ok(outcome)
}
