//! Parsers for single setting values (booleans, sizes, names, paths).
//!
//! Each parser returns `Err(reason)` where `reason` says what is allowed; the caller
//! attaches file, line, section and key.

use std::path::{Component, Path, PathBuf};

/// Parses mkosi/systemd booleans: yes/no, true/false, 1/0, on/off, y/n (case-insensitive).
pub fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "1" | "on" | "y" => Ok(true),
        "no" | "false" | "0" | "off" | "n" => Ok(false),
        _ => Err("expected a boolean: yes, no, true, false, 1, 0, on, off, y or n".to_string()),
    }
}

/// Parses a size such as `2G`, `512M`, `1.5G`, `64K`, `1T` or a plain byte count.
///
/// Suffixes are binary (K = 1024) and case-insensitive; an optional trailing `B` or `iB`
/// is accepted (`2GiB`, `512MB`). Fractions are allowed with a suffix and rounded down to
/// whole bytes. A plain number without suffix is bytes and must be an integer.
pub fn parse_size(s: &str) -> Result<u64, String> {
    const EXPECTED: &str =
        "expected a size in bytes or with a K, M, G or T suffix (e.g. 2G, 512M, 1.5G)";
    let s = s.trim();
    let lower = s.to_ascii_lowercase();
    let body = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (number, multiplier): (&str, u64) = match body.chars().last() {
        Some('k') => (&body[..body.len() - 1], 1 << 10),
        Some('m') => (&body[..body.len() - 1], 1 << 20),
        Some('g') => (&body[..body.len() - 1], 1 << 30),
        Some('t') => (&body[..body.len() - 1], 1 << 40),
        Some(c) if c.is_ascii_digit() => {
            // A bare "B"/"iB" suffix means bytes; "iB" alone is not a unit.
            if lower.ends_with("ib") {
                return Err(EXPECTED.to_string());
            }
            (body, 1)
        }
        _ => return Err(EXPECTED.to_string()),
    };
    let (int_part, frac_part) = match number.split_once('.') {
        Some((i, f)) => (i, f),
        None => (number, ""),
    };
    let digits_ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if int_part.is_empty() || !digits_ok(int_part) || !digits_ok(frac_part) {
        return Err(EXPECTED.to_string());
    }
    if number.contains('.') && (frac_part.is_empty() || multiplier == 1) {
        return Err(EXPECTED.to_string());
    }
    let overflow = || "size is too large".to_string();
    let int: u64 = int_part.parse().map_err(|_| overflow())?;
    let mut total = int.checked_mul(multiplier).ok_or_else(overflow)?;
    if !frac_part.is_empty() {
        // Only the first 9 fractional digits matter for sizes up to T.
        let frac_digits = &frac_part[..frac_part.len().min(9)];
        let frac: u128 = frac_digits.parse().map_err(|_| overflow())?;
        let scale = 10u128.pow(frac_digits.len() as u32);
        let add = (frac * u128::from(multiplier)) / scale;
        total = total
            .checked_add(u64::try_from(add).map_err(|_| overflow())?)
            .ok_or_else(overflow)?;
    }
    Ok(total)
}

/// Accepts `s` if it is one of `allowed` (exact match), else names the allowed values.
pub fn one_of<'a>(s: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    allowed
        .iter()
        .find(|a| **a == s)
        .copied()
        .ok_or_else(|| format!("expected one of: {}", allowed.join(", ")))
}

/// A name made of ASCII letters, digits and the characters in `extra`, not starting with
/// one of the `extra` characters.
pub fn simple_name(s: &str, extra: &str, what: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {what}: ASCII letters, digits and '{extra}', starting with a letter or digit"
        ))
    }
}

/// A host name: 1–64 characters of letters, digits, '-' and '.', labels not starting or
/// ending with '-'.
pub fn hostname(s: &str) -> Result<(), String> {
    let err = || {
        "expected a host name: up to 64 letters, digits, '-' and '.', \
         each label starting and ending with a letter or digit"
            .to_string()
    };
    if s.is_empty() || s.len() > 64 {
        return Err(err());
    }
    for label in s.split('.') {
        let ok = !label.is_empty()
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !ok {
            return Err(err());
        }
    }
    Ok(())
}

/// A time zone name like `UTC` or `Europe/Berlin` (a relative path under /usr/share/zoneinfo).
pub fn timezone(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.split('/').all(|seg| {
            !seg.is_empty()
                && seg != "."
                && seg != ".."
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-.".contains(c))
        });
    if ok {
        Ok(())
    } else {
        Err("expected a time zone name such as UTC or Europe/Berlin".to_string())
    }
}

/// A mirror URL: `http://…`, `https://…` or `file:/…`, without whitespace.
pub fn mirror_url(s: &str) -> Result<(), String> {
    let err = || "expected a URL starting with http://, https:// or file:/".to_string();
    if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(err());
    }
    let rest = if let Some(r) = s.strip_prefix("http://") {
        r
    } else if let Some(r) = s.strip_prefix("https://") {
        r
    } else if let Some(r) = s.strip_prefix("file:") {
        if !r.starts_with('/') {
            return Err(err());
        }
        r.trim_start_matches('/')
    } else {
        return Err(err());
    };
    if rest.is_empty() || rest.starts_with('/') && !s.starts_with("file:") {
        return Err(err());
    }
    Ok(())
}

/// An output file name: no '/', not '.' or '..', no control characters.
pub fn file_name(s: &str) -> Result<(), String> {
    if s.is_empty() || s == "." || s == ".." || s.contains('/') || s.chars().any(|c| c.is_control())
    {
        Err("expected a plain file name (no '/', not '.' or '..')".to_string())
    } else {
        Ok(())
    }
}

/// Splits a list value on commas and whitespace (including continuation newlines),
/// dropping empty items.
pub fn split_list(raw: &str) -> Vec<String> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Splits on whitespace only (kernel command lines may contain commas).
pub fn split_whitespace(raw: &str) -> Vec<String> {
    raw.split_whitespace().map(str::to_string).collect()
}

/// Resolves `value` against `base` (unless absolute) and normalises `.` and `..` lexically.
pub fn resolve_path(base: &Path, value: &str) -> PathBuf {
    let p = Path::new(value);
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&base.join(p))
    }
}

/// Lexical normalisation: drops `.` components and folds `..` into its parent.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                let popped = match out.components().next_back() {
                    Some(Component::Normal(_)) => out.pop(),
                    _ => false,
                };
                if !popped && !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// Makes `p` absolute against the current directory (without resolving symlinks) and
/// normalises it lexically.
pub fn absolute(p: &Path) -> PathBuf {
    normalize(&std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()))
}

/// Shell-style glob with `*` and `?` (no character classes), used for `[Match] ImageId=`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_accept_all_spellings_and_reject_others() {
        for s in ["yes", "YES", "true", "1", "on", "y", " Y "] {
            assert_eq!(parse_bool(s), Ok(true), "{s}");
        }
        for s in ["no", "false", "0", "off", "n", "No"] {
            assert_eq!(parse_bool(s), Ok(false), "{s}");
        }
        for s in ["", "2", "maybe", "yess", "auto"] {
            let e = parse_bool(s).unwrap_err();
            assert!(e.contains("yes, no"), "{s}: {e}");
        }
    }

    #[test]
    fn sizes_parse_suffixes_fractions_and_bytes() {
        assert_eq!(parse_size("2G"), Ok(2 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("512M"), Ok(512 * 1024 * 1024));
        assert_eq!(parse_size("1.5G"), Ok(1_610_612_736));
        assert_eq!(parse_size("0.5k"), Ok(512));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("2GiB"), Ok(2 << 30));
        assert_eq!(parse_size("512MB"), Ok(512 << 20));
        assert_eq!(parse_size("1T"), Ok(1 << 40));
        assert_eq!(parse_size("100B"), Ok(100));
        for bad in [
            "", "G", "2X", "1.5", "-1G", "1..5G", "1.G", "2 G", "abc", "1iB",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_size("99999999999999999999").is_err());
        assert!(parse_size("20000000T").is_err());
    }

    #[test]
    fn hostname_and_timezone_validation() {
        assert!(hostname("ainux").is_ok());
        assert!(hostname("a-1.example").is_ok());
        assert!(hostname("-bad").is_err());
        assert!(hostname("bad-").is_err());
        assert!(hostname("has space").is_err());
        assert!(hostname("a..b").is_err());
        assert!(hostname(&"a".repeat(65)).is_err());
        assert!(timezone("UTC").is_ok());
        assert!(timezone("Europe/Berlin").is_ok());
        assert!(timezone("America/Argentina/Buenos_Aires").is_ok());
        assert!(timezone("Etc/GMT+5").is_ok());
        assert!(timezone("/etc/passwd").is_err());
        assert!(timezone("../x").is_err());
        assert!(timezone("Europe/").is_err());
    }

    #[test]
    fn mirror_urls() {
        assert!(mirror_url("http://deb.example/debian").is_ok());
        assert!(mirror_url("https://mirror.example/debian/").is_ok());
        assert!(mirror_url("file:/srv/mirror").is_ok());
        assert!(mirror_url("file:///srv/mirror").is_ok());
        assert!(mirror_url("ftp://x/debian").is_err());
        assert!(mirror_url("deb.example/debian").is_err());
        assert!(mirror_url("http://").is_err());
        assert!(mirror_url("http:///x").is_err());
        assert!(mirror_url("http://a b").is_err());
        assert!(mirror_url("file:relative").is_err());
    }

    #[test]
    fn lists_split_on_commas_and_whitespace() {
        assert_eq!(
            split_list("vim, git\tcurl,,\nbtrfs-progs"),
            ["vim", "git", "curl", "btrfs-progs"]
        );
        assert!(split_list("  , ").is_empty());
        assert_eq!(
            split_whitespace("console=ttyS0,115200 quiet"),
            ["console=ttyS0,115200", "quiet"]
        );
    }

    #[test]
    fn paths_resolve_and_normalise() {
        let base = Path::new("/cfg/mkosi.conf.d");
        assert_eq!(
            resolve_path(base, "x/./y"),
            PathBuf::from("/cfg/mkosi.conf.d/x/y")
        );
        assert_eq!(resolve_path(base, "../out"), PathBuf::from("/cfg/out"));
        assert_eq!(resolve_path(base, "/abs/../z"), PathBuf::from("/z"));
        assert_eq!(resolve_path(Path::new("/"), "../../a"), PathBuf::from("/a"));
        assert_eq!(normalize(Path::new("a/../../b")), PathBuf::from("../b"));
        assert!(absolute(Path::new("rel")).is_absolute());
    }

    #[test]
    fn globs() {
        assert!(glob_match("ainux*", "ainux-dev"));
        assert!(glob_match("*", ""));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("*-dev", "ainux-dev"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
        assert!(!glob_match("ainux", "ainux-dev"));
        assert!(!glob_match("a?c", "ac"));
    }

    #[test]
    fn names() {
        assert!(simple_name("ainux_1.0-x", "._-", "an id").is_ok());
        assert!(simple_name(".hidden", "._-", "an id").is_err());
        assert!(simple_name("a/b", "._-", "an id").is_err());
        assert!(file_name("image.raw").is_ok());
        assert!(file_name("a/b").is_err());
        assert!(file_name("..").is_err());
        assert_eq!(one_of("tar", &["disk", "tar"]), Ok("tar"));
        assert_eq!(
            one_of("zip", &["disk", "tar"]).unwrap_err(),
            "expected one of: disk, tar"
        );
    }
}
