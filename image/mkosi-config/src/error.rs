//! Errors and warnings produced while reading the configuration.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why the configuration could not be loaded. Every variant names the file (and, where
/// there is one, the line and key) so the message alone tells the user what to fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A configuration file or directory exists but could not be read.
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },

    /// Neither `mkosi.conf` nor `mkosi.conf.d/` exists in the directory given to `load`.
    #[error("no mkosi.conf or mkosi.conf.d/ found in {}", dir.display())]
    NoConfig { dir: PathBuf },

    /// A line that is not a comment, `[Section]`, `Key=Value` or continuation line, or a
    /// setting in the wrong place.
    #[error("{}:{line}: {message}", file.display())]
    Syntax {
        file: PathBuf,
        line: usize,
        message: String,
    },

    /// A known key with a value that is not allowed (boxed to keep `Result`s small).
    #[error("{0}")]
    InvalidValue(Box<BadValue>),
}

impl ConfigError {
    /// The file the error is about.
    pub fn file(&self) -> &std::path::Path {
        match self {
            Self::Read { path, .. } => path,
            Self::NoConfig { dir } => dir,
            Self::Syntax { file, .. } => file,
            Self::InvalidValue(b) => &b.file,
        }
    }

    /// The 1-based line the error is about, if any.
    pub fn line(&self) -> Option<usize> {
        match self {
            Self::Syntax { line, .. } => Some(*line),
            Self::InvalidValue(b) => Some(b.line),
            Self::Read { .. } | Self::NoConfig { .. } => None,
        }
    }
}

/// Something suspicious but harmless (an unknown section or key): reported, then ignored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
    }
}

/// A known key with a value that is not allowed; `reason` says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    pub file: PathBuf,
    /// 1-based line of the `Key=` line.
    pub line: usize,
    pub section: String,
    pub key: String,
    /// The value as written (continuation lines joined with `\n`).
    pub value: String,
    pub reason: String,
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}.{}={} is invalid: {}",
            self.file.display(),
            self.line,
            self.section,
            self.key,
            self.value.replace('\n', " "),
            self.reason
        )
    }
}
