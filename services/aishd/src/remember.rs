//! Approvals remembered per user and command pattern, kept in a file in
//! aishd's `StateDirectory` (JSON lines `{"uid":N,"pattern":"..."}`), written
//! atomically (temporary file, fsync, rename) so a restart keeps them.
//!
//! A pattern is a command with its words separated by single spaces; `*`
//! stands for any run of characters that holds no shell control character
//! (`; & | $ \` ( ) < > ` or a newline) and `\*` is a literal star, so `apt-get remove *` covers
//! `apt-get remove vim` but not `apt-get remove vim; rm -rf ~`. The first word
//! of a pattern is always literal.
//!
//! Architecture invariant: this store only says "the user said yes to this
//! before"; the daemon never lets it cover a `critical` command.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum RememberError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}:{line}: not a remembered approval")]
    Parse {
        path: PathBuf,
        line: usize,
        #[source]
        source: serde_json::Error,
    },
    #[error("cannot write {path}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("pattern {0:?} must start with the command's program name")]
    BadPattern(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entry {
    pub uid: u32,
    pub pattern: String,
}

/// The remembered approvals; `path` `None` keeps them in memory only.
#[derive(Debug, Default)]
pub struct Store {
    path: Option<PathBuf>,
    entries: BTreeSet<Entry>,
}

/// Words separated by single spaces.
pub fn normalise(command: &str) -> String {
    command.split_whitespace().collect::<Vec<_>>().join(" ")
}

const CONTROL: &[char] = &[';', '&', '|', '$', '`', '(', ')', '<', '>', '\n'];

/// `command` as a pattern that covers exactly itself (`*` and `\` escaped).
pub fn literal(command: &str) -> String {
    normalise(command).replace('\\', "\\\\").replace('*', "\\*")
}

/// Whether `command` is covered by `pattern` (both normalised).
pub fn matches(pattern: &str, command: &str) -> bool {
    fn go(p: &[u8], c: &[u8]) -> bool {
        match p.split_first() {
            None => c.is_empty(),
            Some((b'*', rest)) => {
                // Shortest to longest run of non-control characters.
                let mut i = 0;
                loop {
                    if go(rest, &c[i..]) {
                        return true;
                    }
                    if i == c.len() || CONTROL.contains(&(c[i] as char)) {
                        return false;
                    }
                    i += 1;
                }
            }
            Some((b'\\', [x, rest @ ..])) => c.first() == Some(x) && go(rest, &c[1..]),
            Some((x, rest)) => c.first() == Some(x) && go(rest, &c[1..]),
        }
    }
    go(pattern.as_bytes(), command.as_bytes())
}

impl Store {
    /// Loads the store at `path` (a missing file is an empty store).
    pub fn open(path: &Path) -> Result<Store, RememberError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(RememberError::Read {
                    path: path.into(),
                    source,
                });
            }
        };
        let mut entries = BTreeSet::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let e: Entry = serde_json::from_str(line).map_err(|source| RememberError::Parse {
                path: path.into(),
                line: i + 1,
                source,
            })?;
            entries.insert(e);
        }
        Ok(Store {
            path: Some(path.into()),
            entries,
        })
    }

    /// An empty store kept in memory only.
    pub fn in_memory() -> Store {
        Store::default()
    }

    /// Whether `uid` approved a pattern covering `command` before.
    pub fn covers(&self, uid: u32, command: &str) -> bool {
        let c = normalise(command);
        self.entries
            .range(
                Entry {
                    uid,
                    pattern: String::new(),
                }..,
            )
            .take_while(|e| e.uid == uid)
            .any(|e| matches(&e.pattern, &c))
    }

    /// Remembers `pattern` (default: the command itself) for `uid`; the
    /// pattern must cover `command` and keep its program name literal.
    /// Returns the pattern stored.
    pub fn remember(
        &mut self,
        uid: u32,
        command: &str,
        pattern: Option<&str>,
    ) -> Result<String, RememberError> {
        let c = normalise(command);
        let p = pattern.map_or_else(|| literal(&c), normalise);
        let program = c.split(' ').next().unwrap_or("");
        let p_program = p.split(' ').next().unwrap_or("");
        if program.is_empty() || p_program != program || !matches(&p, &c) {
            return Err(RememberError::BadPattern(p));
        }
        let entry = Entry {
            uid,
            pattern: p.clone(),
        };
        if self.entries.insert(entry.clone())
            && let Err(e) = self.save()
        {
            self.entries.remove(&entry);
            return Err(e);
        }
        Ok(p)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn save(&self) -> Result<(), RememberError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        let werr = |source| RememberError::Write {
            path: path.clone(),
            source,
        };
        let tmp = path.with_extension("tmp");
        let mut f = std::fs::File::create(&tmp).map_err(werr)?;
        let mut text = String::new();
        for e in &self.entries {
            text.push_str(&serde_json::to_string(e).unwrap_or_default());
            text.push('\n');
        }
        f.write_all(text.as_bytes()).map_err(werr)?;
        f.sync_all().map_err(werr)?;
        std::fs::rename(&tmp, path).map_err(werr)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_never_cross_control_characters() {
        assert!(matches("apt-get remove *", "apt-get remove vim"));
        assert!(matches("apt-get remove *", "apt-get remove vim nano"));
        assert!(!matches("apt-get remove *", "apt-get remove vim; rm -rf ~"));
        assert!(!matches("apt-get remove *", "apt-get remove $(rm -rf ~)"));
        assert!(!matches("apt-get remove *", "apt-get install vim"));
        assert!(matches("rm -r build", "rm -r build"));
        assert!(!matches("rm -r build", "rm -r build2"));
        // A command's own star stays literal when it is remembered as is.
        assert_eq!(literal("rm *.tmp"), "rm \\*.tmp");
        assert!(matches(&literal("rm *.tmp"), "rm *.tmp"));
        assert!(!matches(&literal("rm *.tmp"), "rm -rf /x.tmp"));
    }

    #[test]
    fn remembered_per_user_and_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("remembered.jsonl");
        let mut s = Store::open(&path).unwrap();
        assert_eq!(
            s.remember(1000, "rm  -r   build", None).unwrap(),
            "rm -r build"
        );
        s.remember(1000, "apt-get remove vim", Some("apt-get remove *"))
            .unwrap();
        assert!(s.covers(1000, "rm -r build"));
        assert!(!s.covers(1001, "rm -r build"));
        assert!(s.covers(1000, "apt-get remove nano"));
        // A pattern must cover the approved command and name its program.
        assert!(s.remember(1000, "rm -r x", Some("* -r x")).is_err());
        assert!(s.remember(1000, "rm -r x", Some("rm -r y")).is_err());
        let again = Store::open(&path).unwrap();
        assert_eq!(again.len(), 2);
        assert!(again.covers(1000, "apt-get remove nano"));
    }

    #[test]
    fn a_corrupt_file_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("remembered.jsonl");
        std::fs::write(&path, "{\"uid\":1,\"pattern\":\"ls\"}\nnot json\n").unwrap();
        let e = Store::open(&path).unwrap_err().to_string();
        assert!(
            e.ends_with("remembered.jsonl:2: not a remembered approval"),
            "{e}"
        );
    }
}
