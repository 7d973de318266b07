//! Which archive the image comes from, and the digest of its current state.
//!
//! The mirror comes from (in order) the `--mirror` flag, `Mirror=` in mkosi.conf, or the host's
//! apt configuration. The archive's state is the `InRelease` file of every suite used: it names
//! the digest of every package index, so hashing it pins every package the build can install.

use std::path::Path;
use std::process::Command;

use mkosi_config::{Distribution, apt_sources};
use sha2::{Digest, Sha256};

use crate::run::{self, Progress};

#[derive(Debug, thiserror::Error)]
pub enum MirrorError {
    #[error(
        "no Debian mirror is configured.\n  why: no --mirror flag, no Mirror= in mkosi.conf, and no Debian \
         archive in the host's apt configuration (/etc/apt/sources.list.d/*.sources or /etc/apt/sources.list)\n  \
         what to do: pass --mirror URL or set Mirror= under [Distribution] in mkosi.conf"
    )]
    NoMirror,
    #[error("reading the host's apt configuration")]
    HostConfig(#[source] apt_sources::AptSourcesError),
    #[error(
        "the mirror {url} could not be reached.\n  why: fetching {url}/dists/{suite}/InRelease failed: {reason}\n  \
         what to do: check the network or proxy, or point --mirror / Mirror= at a reachable archive"
    )]
    Unreachable {
        url: String,
        suite: String,
        reason: String,
    },
}

/// One `deb` line the image is built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub uri: String,
    pub suite: String,
    pub components: Vec<String>,
}

impl Source {
    pub fn deb_line(&self) -> String {
        format!(
            "deb {} {} {}",
            self.uri,
            self.suite,
            self.components.join(" ")
        )
    }
}

/// The archive sources for a distribution release.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Archive {
    pub mirror: String,
    pub sources: Vec<Source>,
}

fn trim(url: &str) -> String {
    url.trim_end_matches('/').to_string()
}

/// Works out the mirror and the suites to use.
pub fn resolve(
    flag: Option<&str>,
    config_mirror: Option<&str>,
    distribution: Distribution,
    release: &str,
    components: &[String],
    host_root: &Path,
) -> Result<Archive, MirrorError> {
    let host_entries = apt_sources::read_sources(host_root).map_err(MirrorError::HostConfig)?;
    let from_host = apt_sources::find_debian_mirror(&host_entries);
    let mirror = flag
        .or(config_mirror)
        .map(str::to_string)
        .or(from_host.clone())
        .ok_or(MirrorError::NoMirror)?;
    let mirror = trim(&mirror);
    let mut sources = vec![
        Source {
            uri: mirror.clone(),
            suite: release.to_string(),
            components: components.to_vec(),
        },
        Source {
            uri: mirror.clone(),
            suite: format!("{release}-updates"),
            components: components.to_vec(),
        },
    ];
    match distribution {
        Distribution::Ubuntu => sources.push(Source {
            uri: mirror.clone(),
            suite: format!("{release}-security"),
            components: components.to_vec(),
        }),
        _ => {
            // Debian's security archive lives elsewhere; use the host's when the main mirror is
            // the host's too (so a chosen mirror is never mixed with an unrelated one).
            let mirror_is_hosts = from_host.as_deref().map(trim) == Some(mirror.clone());
            if mirror_is_hosts && let Some(sec) = apt_sources::find_security_mirror(&host_entries) {
                sources.push(Source {
                    uri: trim(&sec),
                    suite: format!("{release}-security"),
                    components: components.to_vec(),
                });
            }
        }
    }
    Ok(Archive { mirror, sources })
}

/// The Debian archive mirror for the tools tree (always Debian): the configured mirror when the
/// image is Debian, else the host's.
pub fn debian_mirror_for_tools(
    archive: &Archive,
    distribution: Distribution,
    host_root: &Path,
) -> Result<String, MirrorError> {
    if distribution == Distribution::Debian {
        return Ok(archive.mirror.clone());
    }
    let host_entries = apt_sources::read_sources(host_root).map_err(MirrorError::HostConfig)?;
    apt_sources::find_debian_mirror(&host_entries)
        .map(|m| trim(&m))
        .ok_or(MirrorError::NoMirror)
}

/// Fetches `URI/dists/SUITE/InRelease` (falling back to `Release`) and returns its sha256.
pub fn release_digest(uri: &str, suite: &str) -> Result<String, MirrorError> {
    let mut last = String::new();
    for name in ["InRelease", "Release"] {
        let url = format!("{uri}/dists/{suite}/{name}");
        let res = run::run(
            Command::new("curl").args([
                "--fail",
                "--silent",
                "--show-error",
                "--location",
                "--connect-timeout",
                "15",
                "--max-time",
                "60",
                "--retry",
                "2",
                &url,
            ]),
            &format!("fetching {url}"),
            None,
            Progress::Quiet,
        );
        match res {
            Ok(out) => {
                let mut h = Sha256::new();
                h.update(out.stdout.as_bytes());
                return Ok(hex::encode(h.finalize()));
            }
            Err(run::RunError::Failed { stderr, status, .. }) => {
                last = format!("{} ({status})", stderr.trim());
            }
            Err(e) => {
                last = e.to_string();
                if matches!(e, run::RunError::Interrupted { .. }) {
                    break;
                }
            }
        }
    }
    Err(MirrorError::Unreachable {
        url: uri.to_string(),
        suite: suite.to_string(),
        reason: last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir.join("etc/apt/sources.list.d")).unwrap();
        std::fs::write(dir.join("etc/apt/sources.list.d/debian.sources"), text).unwrap();
    }

    const HOST: &str = "Types: deb\nURIs: http://mirror.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n\n\
        Types: deb\nURIs: http://mirror.example/debian-security\nSuites: bookworm-security\nComponents: main\n";

    #[test]
    fn host_mirror_brings_its_security_archive() {
        let t = tempfile::tempdir().unwrap();
        host(t.path(), HOST);
        let a = resolve(
            None,
            None,
            Distribution::Debian,
            "bookworm",
            &["main".into()],
            t.path(),
        )
        .unwrap();
        assert_eq!(a.mirror, "http://mirror.example/debian");
        let lines: Vec<String> = a.sources.iter().map(Source::deb_line).collect();
        assert_eq!(
            lines,
            [
                "deb http://mirror.example/debian bookworm main",
                "deb http://mirror.example/debian bookworm-updates main",
                "deb http://mirror.example/debian-security bookworm-security main",
            ]
        );
    }

    #[test]
    fn flag_beats_config_beats_host_and_is_not_mixed_with_host_security() {
        let t = tempfile::tempdir().unwrap();
        host(t.path(), HOST);
        let a = resolve(
            Some("http://flag.example/debian"),
            Some("http://conf.example/debian"),
            Distribution::Debian,
            "trixie",
            &["main".into(), "contrib".into()],
            t.path(),
        )
        .unwrap();
        assert_eq!(a.mirror, "http://flag.example/debian");
        assert_eq!(a.sources.len(), 2);
        assert_eq!(
            a.sources[0].deb_line(),
            "deb http://flag.example/debian trixie main contrib"
        );
        let b = resolve(
            None,
            Some("http://conf.example/debian"),
            Distribution::Debian,
            "trixie",
            &["main".into()],
            t.path(),
        )
        .unwrap();
        assert_eq!(b.mirror, "http://conf.example/debian");
    }

    #[test]
    fn no_mirror_anywhere_is_a_clear_error() {
        let t = tempfile::tempdir().unwrap();
        let e = resolve(
            None,
            None,
            Distribution::Debian,
            "bookworm",
            &["main".into()],
            t.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("--mirror"), "{e}");
    }

    #[test]
    fn unreachable_mirror_names_url_and_fix() {
        // Port 9 on loopback: nothing listens, the connection is refused at once.
        let e = release_digest("http://127.0.0.1:9/debian", "bookworm").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("could not be reached"), "{text}");
        assert!(text.contains("what to do"), "{text}");
    }
}
