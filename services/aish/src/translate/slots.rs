//! Slot extraction: paths, sizes, counts, names, extensions, times, URLs from a request.

use super::{Context, fold};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slots {
    /// Quoted strings, in order.
    pub quoted: Vec<String>,
    /// Explicit paths (`/var/log`, `~/x`, `./build`).
    pub paths: Vec<String>,
    /// The directory scope named in words ("current directory", "home", "whole system").
    pub scope: Option<String>,
    /// Extensions without the dot.
    pub exts: Vec<String>,
    /// `find -size` argument, e.g. `+100M`.
    pub size: Option<String>,
    /// `(find option, value)`, e.g. `("-mtime", "-7")`.
    pub time: Option<(String, String)>,
    /// Bare numbers.
    pub numbers: Vec<u64>,
    /// Names given after "named", "called" …
    pub names: Vec<String>,
    pub urls: Vec<String>,
    /// Files of the current directory the request mentions.
    pub cwd_files: Vec<String>,
    /// Octal permission like `644`.
    pub perm: Option<String>,
    pub user: Option<String>,
}

const EXTS: &[&str] = &[
    "txt", "pdf", "jpg", "jpeg", "png", "gif", "log", "py", "sh", "c", "h", "cpp", "java", "html",
    "xml", "mp3", "mp4", "csv", "json", "conf", "gz", "zip", "tar", "md", "rs", "js", "php", "doc",
    "docx", "odt", "xls", "xlsx", "bak", "tmp", "iso", "deb", "rpm", "svg", "css", "yaml", "yml",
    "ini", "cfg", "go", "rb", "pl", "ts", "wav", "flac", "avi", "mkv", "mov", "tgz", "bz2", "xz",
    "7z", "so", "o", "class", "jar", "sql", "db", "sqlite", "epub", "c++", "hpp", "toml", "lock",
];

/// Quote a value for the shell when needed.
pub fn quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./~+:@%,=".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn is_num(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// Words after which a name follows.
const NAMING: &[&str] = &[
    "named", "called", "llamado", "llamada", "llamados", "nomme", "nommee", "nommes", "appele",
    "appelee",
];

pub fn extract(req: &str, ctx: &Context) -> Slots {
    let mut s = Slots::default();
    // quoted strings
    let chars: Vec<char> = req.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let close = match c {
            '"' => Some('"'),
            '\'' if i == 0 || !chars[i - 1].is_alphanumeric() => Some('\''),
            '`' => Some('`'),
            '“' => Some('”'),
            '‘' => Some('’'),
            '«' => Some('»'),
            _ => None,
        };
        if let Some(cl) = close
            && let Some(end) = chars[i + 1..].iter().position(|&x| x == cl)
        {
            let q: String = chars[i + 1..i + 1 + end].iter().collect();
            // `stdin` names a stream, not an argument
            if !q.trim().is_empty() && !["stdin", "stdout", "stderr"].contains(&q.trim()) {
                s.quoted.push(q.trim().to_string());
            }
            i += end + 2;
            continue;
        }
        i += 1;
    }
    let f = fold(req);
    let toks: Vec<&str> = req
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| ",;:!?()[]{}\"'`“”‘’«»".contains(c)))
        .filter(|t| !t.is_empty())
        .collect();
    let ftoks: Vec<String> = toks
        .iter()
        .map(|t| fold(t).trim_end_matches('.').to_string())
        .collect();
    for (k, t) in toks.iter().enumerate() {
        let t = t.trim_end_matches('.');
        let lt = &ftoks[k];
        if t.starts_with("http://") || t.starts_with("https://") || t.starts_with("ftp://") {
            s.urls.push(t.to_string());
            continue;
        }
        // a product of numbers: "in the last 24*3 hours", "7*24 hours"
        let product = product(t);
        // a file-name glob other than `*.ext`: `*fink*`, `btree*.c`, `1US*`
        if t.contains('*')
            && product.is_none()
            && t.len() > 1
            && !t.contains('/')
            && !t
                .strip_prefix("*.")
                .is_some_and(|e| !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            s.names.push(t.to_string());
            continue;
        }
        // `and/or`, `files/directories`: words joined by a slash, not a path
        let word_pair = t.contains('/')
            && !t.starts_with(['/', '.', '~'])
            && t.split('/').count() == 2
            && t.split('/')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_alphabetic()));
        if (t.contains('/') && !t.contains("://") && t.len() > 1
            || t.starts_with('~')
            || t == "."
            || t == "..")
            && !t.starts_with("*.")
            && !word_pair
        {
            s.paths.push(t.to_string());
            continue;
        }
        // a file name with an extension: notes.txt, backup-2024.tar.gz
        if let Some((stem, ext)) = t.rsplit_once('.')
            && !stem.is_empty()
            && !t.starts_with('.')
            && (1..=5).contains(&ext.len())
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && ext.chars().any(|c| c.is_ascii_alphabetic())
            && stem
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.".contains(c))
        {
            if ctx.files.iter().any(|x| x == t) {
                s.cwd_files.push(t.to_string());
            } else {
                s.paths.push(t.to_string());
            }
            continue;
        }
        if let Some(e) = t.strip_prefix("*.") {
            s.exts.push(e.to_string());
            continue;
        }
        if let Some(e) = t.strip_prefix('.')
            && !e.is_empty()
            && e.len() <= 5
            && e.chars().all(|c| c.is_ascii_alphanumeric())
        {
            s.exts.push(e.to_lowercase());
            continue;
        }
        // "txt files", "archivos pdf", "fichiers pdf", "PDF files"
        if EXTS.contains(&lt.as_str()) {
            let next = ftoks.get(k + 1).map(String::as_str).unwrap_or("");
            let prev = if k > 0 { ftoks[k - 1].as_str() } else { "" };
            let filey = |w: &str| {
                w.starts_with("file")
                    || w.starts_with("archivo")
                    || w.starts_with("fichier")
                    || w.starts_with("document")
                    || w.starts_with("image")
                    || w.starts_with("script")
            };
            // "all PDF files", "the JPGs": an upper-case extension after a determiner; not
            // "output as JSON" or "ISO 8601"
            let determiner = matches!(
                prev,
                "all"
                    | "the"
                    | "my"
                    | "every"
                    | "each"
                    | "any"
                    | "some"
                    | "los"
                    | "las"
                    | "todos"
                    | "todas"
                    | "les"
                    | "des"
                    | "tous"
                    | "toutes"
            );
            // "php and html files": the first of two kinds joined by "and"/"or"
            let joined = matches!(next, "and" | "or" | "y" | "o" | "et" | "ou")
                && ftoks.get(k + 2).is_some_and(|x| EXTS.contains(&x.as_str()))
                && ftoks.get(k + 3).is_some_and(|x| filey(x));
            if filey(next)
                || joined
                || filey(prev)
                || determiner
                    && t.chars().all(|c| c.is_uppercase() || c.is_ascii_digit())
                    && t.len() > 1
            {
                s.exts.push(lt.clone());
                continue;
            }
        }
        if (t.len() == 3 || t.len() == 4)
            && t.chars().all(|c| ('0'..='7').contains(&c))
            && (f.contains("perm") || f.contains("chmod") || f.contains("mode"))
        {
            s.perm = Some(t.to_string());
            continue;
        }
        // size: "100M", "100MB", "100 MB", "2G", "10k"
        let (num, unit) = match product {
            Some(p) => (p.to_string(), String::new()),
            None => split_num_unit(lt),
        };
        let unit = if unit.is_empty() && is_num(&num) {
            ftoks
                .get(k + 1)
                .map(String::as_str)
                .unwrap_or("")
                .to_string()
        } else {
            unit
        };
        if is_num(&num) {
            let n: u64 = num.parse().unwrap_or(0);
            let sz = match unit.as_str() {
                "k" | "kb" | "kib" | "kilobyte" | "kilobytes" | "ko" => Some(format!("{n}k")),
                "m" | "mb" | "mib" | "megabyte" | "megabytes" | "mo" | "megas" | "meg" => {
                    Some(format!("{n}M"))
                }
                "g" | "gb" | "gib" | "gigabyte" | "gigabytes" | "go" | "gigas" | "gig" => {
                    Some(format!("{n}G"))
                }
                "byte" | "bytes" | "octets" | "c" => Some(format!("{n}c")),
                _ => None,
            };
            if let Some(sz) = sz {
                // the comparison just before the size ("under /etc that are greater than 5MB")
                let before = ftoks[k.saturating_sub(4)..k].join(" ");
                let sign = if [
                    "smaller",
                    "less",
                    "under",
                    "below",
                    "menos",
                    "menores",
                    "moins",
                    "inferieur",
                    "petit",
                ]
                .iter()
                .any(|w| before.contains(w))
                {
                    "-"
                } else if ["exactly", "exactamente", "exactement"]
                    .iter()
                    .any(|w| before.contains(w))
                {
                    ""
                } else {
                    "+"
                };
                s.size = Some(format!("{sign}{sz}"));
                continue;
            }
            let unit_t = unit.as_str();
            let is_time = |u: &str, keys: &[&str]| keys.iter().any(|k| u.starts_with(k));
            if is_time(unit_t, &["day", "dia", "jour"])
                || is_time(unit_t, &["week", "semana", "semaine"])
                || is_time(unit_t, &["hour", "hora", "heure"])
                || is_time(unit_t, &["min", "minuto"])
                || is_time(unit_t, &["month", "mes", "mois"])
            {
                let before = ftoks[..k].join(" ");
                let older = [
                    "older",
                    "more than",
                    "before",
                    "ago",
                    "antiguos",
                    "hace mas",
                    "plus de",
                    "anciens",
                    "over",
                ]
                .iter()
                .any(|w| before.contains(w))
                    && !before.contains("last")
                    && !before.contains("within")
                    && !before.contains("past");
                // "exactly 5 days ago": the age itself
                let exact = k > 0
                    && ["exactly", "exactamente", "exactement"].contains(&ftoks[k - 1].as_str());
                let sign = if exact {
                    ""
                } else if older {
                    "+"
                } else {
                    "-"
                };
                let (opt, val) = if is_time(unit_t, &["hour", "hora", "heure"]) {
                    if n.is_multiple_of(24) {
                        ("-mtime".to_string(), n / 24)
                    } else {
                        ("-mmin".to_string(), n * 60)
                    }
                } else if is_time(unit_t, &["min", "minuto"]) {
                    ("-mmin".to_string(), n)
                } else if is_time(unit_t, &["week", "semana", "semaine"]) {
                    ("-mtime".to_string(), n * 7)
                } else if is_time(unit_t, &["month", "mes", "mois"]) {
                    ("-mtime".to_string(), n * 30)
                } else {
                    ("-mtime".to_string(), n)
                };
                s.time = Some((opt, format!("{sign}{val}")));
                continue;
            }
            s.numbers.push(n);
            continue;
        }
        // names after "named", "called" …
        if k > 0 && NAMING.contains(&ftoks[k - 1].as_str()) {
            s.names.push(t.to_string());
        }
        let user_word = |w: &str| matches!(w, "user" | "usuario" | "utilisateur" | "by" | "owner");
        let naming = |w: &str| NAMING.contains(&w);
        // "user bob", "a user called bob" (not "called")
        if k > 0
            && (user_word(&ftoks[k - 1])
                && !naming(t)
                && !super::STOP.contains(&t)
                && ![
                    "of", "to", "is", "and", "name", "account", "accounts", "in", "on",
                ]
                .contains(&t)
                || k > 1 && naming(&ftoks[k - 1]) && user_word(&ftoks[k - 2]))
            && t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            s.user = Some(t.to_string());
        }
        if ctx.files.iter().any(|x| x == t) {
            s.cwd_files.push(t.to_string());
        }
    }
    if s.time.is_none() {
        if f.contains("today")
            || f.contains("hoy")
            || f.contains("aujourd")
            || f.contains("last day")
            || f.contains("24 hours")
        {
            s.time = Some(("-mtime".into(), "-1".into()));
        } else if f.contains("last week")
            || f.contains("past week")
            || f.contains("ultima semana")
            || f.contains("semaine derniere")
        {
            s.time = Some(("-mtime".into(), "-7".into()));
        } else if f
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| ["yesterday", "ayer", "hier"].contains(&w))
        {
            s.time = Some(("-mtime".into(), "-2".into()));
        }
    }
    let scopes: &[(&[&str], &str)] = &[
        (
            &[
                "entire file system",
                "entire filesystem",
                "whole file system",
                "whole filesystem",
                "whole system",
                "entire system",
                "root directory",
                "the file system",
                "the filesystem",
                "todo el sistema",
                "sistema de archivos",
                "tout le systeme",
                "systeme de fichiers",
                "root filesystem",
            ],
            "/",
        ),
        (
            &[
                "home directory",
                "home folder",
                "my home",
                "directorio personal",
                "carpeta personal",
                "repertoire personnel",
                "dossier personnel",
                "home dir",
            ],
            "~",
        ),
        (
            &[
                "current directory",
                "current folder",
                "current dir",
                "this directory",
                "this folder",
                "working directory",
                "directorio actual",
                "carpeta actual",
                "repertoire courant",
                "dossier courant",
                "repertoire actuel",
                "dossier actuel",
                "here",
                "aqui",
                "ici",
            ],
            ".",
        ),
    ];
    for (keys, dir) in scopes {
        if keys.iter().any(|k| f.contains(k)) {
            s.scope = Some(dir.to_string());
            break;
        }
    }
    s
}

fn split_num_unit(t: &str) -> (String, String) {
    let num: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    let unit: String = t.chars().skip(num.len()).collect();
    (num, unit.trim_start_matches('+').to_string())
}

/// `24*3` → 72: numbers multiplied in the request ("the last 24*3 hours").
fn product(t: &str) -> Option<u64> {
    let parts: Vec<&str> = t.split('*').collect();
    if parts.len() < 2
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return None;
    }
    parts
        .iter()
        .try_fold(1u64, |acc, p| acc.checked_mul(p.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_size_compares_with_the_words_just_before_it() {
        let ctx = Context::default();
        let s = extract("files under /etc that are larger than 100k", &ctx);
        assert_eq!(s.size.as_deref(), Some("+100k"));
        let s = extract("files under /etc smaller than 2MB", &ctx);
        assert_eq!(s.size.as_deref(), Some("-2M"));
        let s = extract("files in /srv not modified in the last 24*3 hours", &ctx);
        assert_eq!(s.time, Some(("-mtime".into(), "-3".into())));
        assert!(s.names.is_empty(), "{:?}", s.names);
    }

    #[test]
    fn slots_from_requests() {
        let ctx = Context {
            files: vec!["report.pdf".into(), "photos".into()],
            ..Context::default()
        };
        let s = extract(
            "find pdf files larger than 10MB modified in the last 3 days in /home/bob",
            &ctx,
        );
        assert_eq!(s.exts, ["pdf"]);
        assert_eq!(s.size.as_deref(), Some("+10M"));
        assert_eq!(s.time, Some(("-mtime".into(), "-3".into())));
        assert_eq!(s.paths, ["/home/bob"]);
        let s = extract("compress photos into a zip called \"holiday\"", &ctx);
        assert_eq!(s.cwd_files, ["photos"]);
        assert_eq!(s.quoted, ["holiday"]);
        let s = extract(
            "show the first 20 lines of report.pdf in the current directory",
            &ctx,
        );
        assert_eq!(s.numbers, [20]);
        assert_eq!(s.scope.as_deref(), Some("."));
        assert_eq!(s.cwd_files, ["report.pdf"]);
        let s = extract("busca archivos *.log de menos de 5 kb", &ctx);
        assert_eq!(s.exts, ["log"]);
        assert_eq!(s.size.as_deref(), Some("-5k"));
    }

    #[test]
    fn quoting_is_safe() {
        assert_eq!(quote("a b"), "'a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("$(rm -rf ~)"), "'$(rm -rf ~)'");
        assert_eq!(quote("notes.txt"), "notes.txt");
    }
}
