//! Finding the Debian mirror the host already uses, from its apt configuration.
//!
//! Reads `<root>/etc/apt/sources.list` (one-line format) and then
//! `<root>/etc/apt/sources.list.d/` sorted by name (`*.list` one-line files and `*.sources`
//! deb822 files), the same order apt uses. Files whose name contains `.disabled` and
//! stanzas with `Enabled: no` are skipped. Malformed lines are skipped, as the goal is only
//! to pick a mirror, not to validate the host's apt setup.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Errors reading the host's apt configuration. A missing file is not an error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AptSourcesError {
    #[error("cannot read apt sources {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// One source entry: a one-line `deb …` line, or one deb822 stanza.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    pub file: PathBuf,
    /// 1-based line of the entry (of the stanza's first field for deb822).
    pub line: usize,
    /// `deb` and/or `deb-src`.
    pub types: Vec<String>,
    pub uris: Vec<String>,
    pub suites: Vec<String>,
    pub components: Vec<String>,
}

/// Debian codenames and suite aliases (used to recognise Debian repositories).
const DEBIAN_SUITES: &[&str] = &[
    "buzz",
    "rex",
    "bo",
    "hamm",
    "slink",
    "potato",
    "woody",
    "sarge",
    "etch",
    "lenny",
    "squeeze",
    "wheezy",
    "jessie",
    "stretch",
    "buster",
    "bullseye",
    "bookworm",
    "trixie",
    "forky",
    "duke",
    "sid",
    "stable",
    "oldstable",
    "oldoldstable",
    "testing",
    "unstable",
];

/// All enabled source entries of the apt configuration under `root`, in apt's order.
pub fn read_sources(root: &Path) -> Result<Vec<SourceEntry>, AptSourcesError> {
    let etc_apt = root.join("etc/apt");
    let mut out = Vec::new();
    let main = etc_apt.join("sources.list");
    if let Some(text) = read_optional(&main)? {
        out.extend(parse_one_line(&main, &text));
    }
    let dir = etc_apt.join("sources.list.d");
    let entries = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(source) => return Err(AptSourcesError::Read { path: dir, source }),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| AptSourcesError::Read {
            path: dir.clone(),
            source,
        })?;
        files.push(entry.path());
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    for path in files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.contains(".disabled") || !path.is_file() {
            continue;
        }
        let deb822 = name.ends_with(".sources");
        if !deb822 && !name.ends_with(".list") {
            continue;
        }
        if let Some(text) = read_optional(&path)? {
            if deb822 {
                out.extend(parse_deb822(&path, &text));
            } else {
                out.extend(parse_one_line(&path, &text));
            }
        }
    }
    Ok(out)
}

fn read_optional(path: &Path) -> Result<Option<String>, AptSourcesError> {
    match fs::read_to_string(path) {
        Ok(t) => Ok(Some(t)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(AptSourcesError::Read {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Parses the one-line format: `deb [opt=val …] URI SUITE [COMPONENT …]`, `#` comments.
pub fn parse_one_line(file: &Path, text: &str) -> Vec<SourceEntry> {
    let mut out = Vec::new();
    for (idx, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let (ty, rest) = match line.split_once(char::is_whitespace) {
            Some((t, r)) => (t, r.trim_start()),
            None => continue,
        };
        if ty != "deb" && ty != "deb-src" {
            continue;
        }
        let rest = if let Some(opts) = rest.strip_prefix('[') {
            match opts.split_once(']') {
                Some((_, after)) => after.trim_start(),
                None => continue,
            }
        } else {
            rest
        };
        let mut words = rest.split_whitespace();
        let (Some(uri), Some(suite)) = (words.next(), words.next()) else {
            continue;
        };
        out.push(SourceEntry {
            file: file.to_path_buf(),
            line: idx + 1,
            types: vec![ty.to_string()],
            uris: vec![uri.to_string()],
            suites: vec![suite.to_string()],
            components: words.map(str::to_string).collect(),
        });
    }
    out
}

/// Parses deb822 `.sources` text: stanzas separated by blank lines, `Field: value` with
/// indented continuation lines, `#` comments; field names are case-insensitive.
pub fn parse_deb822(file: &Path, text: &str) -> Vec<SourceEntry> {
    let mut out = Vec::new();
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut start = 0usize;
    let finish = |fields: &mut Vec<(String, String)>, start: usize, out: &mut Vec<SourceEntry>| {
        if fields.is_empty() {
            return;
        }
        let get = |name: &str| -> Vec<String> {
            fields
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(name))
                .flat_map(|(_, v)| v.split_whitespace().map(str::to_string))
                .collect()
        };
        let enabled = get("Enabled")
            .first()
            .is_none_or(|v| crate::values::parse_bool(v).unwrap_or(true));
        let entry = SourceEntry {
            file: file.to_path_buf(),
            line: start,
            types: get("Types"),
            uris: get("URIs"),
            suites: get("Suites"),
            components: get("Components"),
        };
        fields.clear();
        if enabled && !entry.types.is_empty() && !entry.uris.is_empty() {
            out.push(entry);
        }
    };
    for (idx, raw) in text.lines().enumerate() {
        if raw.starts_with('#') {
            continue;
        }
        if raw.trim().is_empty() {
            finish(&mut fields, start, &mut out);
            continue;
        }
        if raw.starts_with(char::is_whitespace) {
            if let Some((_, v)) = fields.last_mut() {
                v.push(' ');
                v.push_str(raw.trim());
            }
            continue;
        }
        if let Some((k, v)) = raw.split_once(':') {
            if fields.is_empty() {
                start = idx + 1;
            }
            fields.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    finish(&mut fields, start, &mut out);
    out
}

/// The path part of a URI (`http://host/debian/` → `/debian`), without trailing slashes.
fn uri_path(uri: &str) -> &str {
    let after_scheme = match uri.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |i| &rest[i..]),
        None => uri.split_once(':').map_or(uri, |(_, rest)| rest),
    };
    after_scheme.trim_end_matches('/')
}

/// The release part of a suite: `bookworm-security` → `bookworm`, `bookworm/updates` → `bookworm`.
fn suite_base(suite: &str) -> &str {
    suite.split(['-', '/']).next().unwrap_or(suite)
}

fn is_debian_codename(name: &str) -> bool {
    DEBIAN_SUITES.contains(&name)
}

fn usable_uri(uri: &str) -> bool {
    !uri.starts_with("cdrom:") && !uri.is_empty()
}

fn clean(uri: &str) -> String {
    uri.trim_end_matches('/').to_string()
}

/// The first `deb` URI under `root`'s apt configuration that serves a plain Debian release
/// suite (e.g. `bookworm`, not `bookworm-security`/`-updates`/`-backports`) with the `main`
/// component, with trailing slashes removed. A repository counts as Debian when its URI
/// path ends in `/debian` or its suite is a Debian codename or alias.
pub fn host_debian_mirror(root: &Path) -> Result<Option<String>, AptSourcesError> {
    Ok(find_debian_mirror(&read_sources(root)?))
}

/// The first `deb` URI serving a Debian `-security` suite (or the old `codename/updates`),
/// with trailing slashes removed.
pub fn security_mirror(root: &Path) -> Result<Option<String>, AptSourcesError> {
    Ok(find_security_mirror(&read_sources(root)?))
}

/// The mirror to build from: `Mirror=` if configured, else (for Debian) the host's Debian
/// mirror found under `root`, else `None` (the caller must then ask for `Mirror=`).
pub fn effective_mirror(
    config: &crate::Config,
    root: &Path,
) -> Result<Option<String>, AptSourcesError> {
    if let Some(m) = &config.distribution.mirror {
        return Ok(Some(m.clone()));
    }
    match config.distribution.distribution {
        crate::Distribution::Debian => host_debian_mirror(root),
        crate::Distribution::Ubuntu => Ok(None),
    }
}

/// [`host_debian_mirror`] on already parsed entries.
pub fn find_debian_mirror(entries: &[SourceEntry]) -> Option<String> {
    entries
        .iter()
        .filter(|e| e.types.iter().any(|t| t == "deb"))
        .filter(|e| e.components.iter().any(|c| c == "main"))
        .flat_map(|e| e.uris.iter().map(move |u| (e, u)))
        .find(|(e, uri)| {
            let debian_uri = uri_path(uri).ends_with("/debian");
            usable_uri(uri)
                && e.suites
                    .iter()
                    .any(|s| !s.contains(['-', '/']) && (is_debian_codename(s) || debian_uri))
        })
        .map(|(_, uri)| clean(uri))
}

/// [`security_mirror`] on already parsed entries.
pub fn find_security_mirror(entries: &[SourceEntry]) -> Option<String> {
    entries
        .iter()
        .filter(|e| e.types.iter().any(|t| t == "deb"))
        .flat_map(|e| e.uris.iter().map(move |u| (e, u)))
        .find(|(e, uri)| {
            let security_uri = uri_path(uri).ends_with("/debian-security");
            usable_uri(uri)
                && e.suites.iter().any(|s| {
                    (s.ends_with("-security") || s.ends_with("/updates"))
                        && (security_uri || is_debian_codename(suite_base(s)))
                })
        })
        .map(|(_, uri)| clean(uri))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }

    const DEBIAN_SOURCES: &str = "\
# Modernized from /etc/apt/sources.list
Types: deb deb-src
URIs: http://mirror.example.org/debian/
Suites: bookworm bookworm-updates
Components: main contrib non-free-firmware
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

# security
Types: deb
URIs: http://security.example.org/debian-security/
Suites: bookworm-security
Components: main
Signed-By:
 /usr/share/keyrings/debian-archive-keyring.gpg
";

    #[test]
    fn deb822_mirror_and_security() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "etc/apt/sources.list.d/debian.sources",
            DEBIAN_SOURCES,
        );
        assert_eq!(
            host_debian_mirror(root.path()).unwrap().as_deref(),
            Some("http://mirror.example.org/debian")
        );
        assert_eq!(
            security_mirror(root.path()).unwrap().as_deref(),
            Some("http://security.example.org/debian-security")
        );
        let entries = read_sources(root.path()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].line, 2);
        assert_eq!(entries[1].line, 9);
        assert_eq!(entries[0].types, ["deb", "deb-src"]);
        assert_eq!(entries[0].suites, ["bookworm", "bookworm-updates"]);
    }

    #[test]
    fn one_line_sources_list_with_options_and_comments() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "etc/apt/sources.list",
            "\
# deb cdrom:[Debian GNU/Linux 12]/ bookworm main
deb-src http://src.example.org/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] http://ftp.example.net/debian/ bookworm main contrib # trailing
deb http://ftp.example.net/debian-security bookworm-security main
deb http://ftp.example.net/debian/ bookworm-updates main
",
        );
        assert_eq!(
            host_debian_mirror(root.path()).unwrap().as_deref(),
            Some("http://ftp.example.net/debian")
        );
        assert_eq!(
            security_mirror(root.path()).unwrap().as_deref(),
            Some("http://ftp.example.net/debian-security")
        );
        let e = &read_sources(root.path()).unwrap()[1];
        assert_eq!(e.line, 3);
        assert_eq!(e.components, ["main", "contrib"]);
    }

    #[test]
    fn skips_updates_only_third_party_disabled_and_non_debian() {
        let root = tempfile::tempdir().unwrap();
        // Only -updates/-backports here: not a plain release suite.
        write(
            root.path(),
            "etc/apt/sources.list",
            "deb http://a.example/debian bookworm-updates main\n\
             deb http://a.example/debian bookworm-backports main\n",
        );
        // Third-party repo with a Debian codename but no `main` component.
        write(
            root.path(),
            "etc/apt/sources.list.d/00-docker.list",
            "deb [arch=amd64] https://download.example.com/linux/debian bookworm stable\n",
        );
        // Ubuntu archive: not Debian.
        write(
            root.path(),
            "etc/apt/sources.list.d/10-ubuntu.sources",
            "Types: deb\nURIs: http://archive.example.com/ubuntu\nSuites: noble\nComponents: main\n",
        );
        // Disabled by name and by field.
        write(
            root.path(),
            "etc/apt/sources.list.d/20-old.disabled.sources",
            "Types: deb\nURIs: http://disabled.example/debian\nSuites: bookworm\nComponents: main\n",
        );
        write(
            root.path(),
            "etc/apt/sources.list.d/30-off.sources",
            "Enabled: no\nTypes: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\n",
        );
        write(
            root.path(),
            "etc/apt/sources.list.d/40-save.list.save",
            "deb http://save.example/debian bookworm main\n",
        );
        assert_eq!(host_debian_mirror(root.path()).unwrap(), None);
        assert_eq!(security_mirror(root.path()).unwrap(), None);

        // Adding a real one later in order makes it the answer.
        write(
            root.path(),
            "etc/apt/sources.list.d/50-debian.sources",
            "Types: deb\nURIs: http://real.example/mirror/\nSuites: trixie\nComponents: main\n",
        );
        assert_eq!(
            host_debian_mirror(root.path()).unwrap().as_deref(),
            Some("http://real.example/mirror"),
            "a Debian codename suffices even without /debian in the path"
        );
    }

    #[test]
    fn sources_list_comes_before_sources_list_d() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "etc/apt/sources.list",
            "deb http://first.example/debian bookworm main\n",
        );
        write(
            root.path(),
            "etc/apt/sources.list.d/debian.sources",
            DEBIAN_SOURCES,
        );
        assert_eq!(
            host_debian_mirror(root.path()).unwrap().as_deref(),
            Some("http://first.example/debian")
        );
    }

    #[test]
    fn old_style_security_suite_and_unknown_codename_with_debian_path() {
        let entries = parse_one_line(
            Path::new("x"),
            "deb http://security.example.org/ buster/updates main\n\
             deb http://m.example/debian futurename main\n",
        );
        assert_eq!(
            find_security_mirror(&entries).as_deref(),
            Some("http://security.example.org")
        );
        assert_eq!(
            find_debian_mirror(&entries).as_deref(),
            Some("http://m.example/debian")
        );
    }

    #[test]
    fn missing_configuration_is_none_and_unreadable_is_error() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(host_debian_mirror(root.path()).unwrap(), None);
        assert!(read_sources(root.path()).unwrap().is_empty());
        // sources.list as a directory cannot be read as a file.
        fs::create_dir_all(root.path().join("etc/apt/sources.list")).unwrap();
        let err = host_debian_mirror(root.path()).unwrap_err();
        assert!(err.to_string().contains("etc/apt/sources.list"), "{err}");
    }

    #[test]
    fn cdrom_entries_are_ignored() {
        let entries = parse_one_line(
            Path::new("x"),
            "deb cdrom:[Debian 12]/ bookworm main\ndeb http://m.example/debian bookworm main\n",
        );
        assert_eq!(entries.len(), 2);
        assert_eq!(
            find_debian_mirror(&entries).as_deref(),
            Some("http://m.example/debian")
        );
    }

    #[test]
    fn effective_mirror_prefers_configuration_then_host() {
        let root = tempfile::tempdir().unwrap();
        write(
            root.path(),
            "etc/apt/sources.list.d/debian.sources",
            DEBIAN_SOURCES,
        );
        let mut cfg = crate::Config::default();
        assert_eq!(
            effective_mirror(&cfg, root.path()).unwrap().as_deref(),
            Some("http://mirror.example.org/debian")
        );
        cfg.distribution.mirror = Some("https://configured.example/debian".into());
        assert_eq!(
            effective_mirror(&cfg, root.path()).unwrap().as_deref(),
            Some("https://configured.example/debian")
        );
        cfg.distribution.mirror = None;
        cfg.set_distribution(crate::Distribution::Ubuntu);
        assert_eq!(effective_mirror(&cfg, root.path()).unwrap(), None);
    }

    #[test]
    fn uri_helpers() {
        assert_eq!(uri_path("http://h.example/debian/"), "/debian");
        assert_eq!(uri_path("http://h.example"), "");
        assert_eq!(uri_path("file:/srv/debian"), "/srv/debian");
        assert_eq!(suite_base("bookworm-security"), "bookworm");
        assert_eq!(suite_base("buster/updates"), "buster");
    }
}
