//! Compositional file-search requests: "find the PHP files under /var/www larger than 1MB
//! modified in the last 2 days and delete them".
//!
//! A request is read as a *source* (a `find` over a directory with tests built from the words:
//! names and extensions, type, size, age, permissions, owner, depth, emptiness, exclusions) and
//! a *chain of operations* on what it selects (delete, search inside, change mode or owner, copy,
//! move, count, list in detail, sum sizes, sort, keep the first or largest N, archive, compress,
//! checksum, run a named command). Each operation can be written several ways (`-exec CMD {} \;`,
//! `| xargs CMD`, `-print0 | xargs -0 CMD`, a built-in action such as `-delete` or `-ls`); the
//! alternatives are returned as candidates, the most common form first, with one confidence
//! for the request read as a file search (how clearly it asks for one).
//!
//! English only: the other languages go through the intents and the vocabulary.

use super::Candidate;
use super::slots::{Slots, quote};

/// "regular files", "regular/normal files", "normal/regular files", "plain files": only
/// regular files (`-type f`); "regular expression" is not one.
fn regular_files(w: &Words) -> bool {
    w.words.iter().enumerate().any(|(i, x)| {
        let parts: Vec<&str> = x.split('/').collect();
        let next = w.words.get(i + 1).map(String::as_str).unwrap_or("");
        parts
            .iter()
            .any(|p| p.starts_with("regular") || p.starts_with("regualar"))
            && !next.starts_with("expression")
            && !next.starts_with("express")
            || parts.len() > 1 && parts.iter().any(|p| matches!(*p, "normal" | "plain"))
    })
}

/// The request, folded to lower case, as words and as a padded phrase string.
struct Words {
    words: Vec<String>,
    /// The same words in their original case.
    orig: Vec<String>,
    /// `" w1 w2 … "`: phrases are matched on word boundaries.
    text: String,
    /// The request as written, lower case.
    raw: String,
}

impl Words {
    fn new(req: &str) -> Words {
        let orig: Vec<String> = req
            .split(|c: char| c.is_whitespace() || ",;:()\"“”!?".contains(c))
            .map(|w| {
                w.trim_start_matches(['\'', '`'])
                    .trim_end_matches(['.', '\'', '`'])
                    .to_string()
            })
            .filter(|w| !w.is_empty())
            .collect();
        let words: Vec<String> = orig.iter().map(|w| w.to_lowercase()).collect();
        let text = format!(" {} ", words.join(" "));
        Words {
            words,
            orig,
            text,
            raw: req.to_lowercase(),
        }
    }
    /// One of these words (exact).
    fn has(&self, ws: &[&str]) -> bool {
        self.words.iter().any(|w| ws.contains(&w.as_str()))
    }
    /// A word starting with one of these stems.
    fn stem(&self, stems: &[&str]) -> bool {
        self.words
            .iter()
            .any(|w| stems.iter().any(|s| w.starts_with(s)))
    }
    /// One of these phrases, on word boundaries.
    fn phrase(&self, ps: &[&str]) -> bool {
        ps.iter().any(|p| self.text.contains(&format!(" {p} ")))
    }
    /// The word after the first occurrence of one of these phrases (in its original case).
    fn after(&self, ps: &[&str]) -> Option<String> {
        ps.iter().find_map(|p| {
            let key: Vec<&str> = p.split_whitespace().collect();
            (0..self.words.len().saturating_sub(key.len()))
                .find(|&i| key.iter().enumerate().all(|(k, x)| self.words[i + k] == *x))
                .map(|i| self.orig[i + key.len()].clone())
        })
    }
}

/// What to do with the files selected.
#[derive(Debug, Clone, PartialEq)]
enum Op {
    Delete,
    /// Search inside for a pattern, with grep's options.
    Grep(String, String),
    /// Run a command on each file (`chmod 644`, `md5sum`, `ls -l`, `./script.sh`).
    Each(String),
    /// Copy or move to a destination.
    To(&'static str, String),
    /// Count the files.
    Count,
    /// Count the lines of the files.
    CountLines,
    /// Total or per-file disk usage.
    Usage,
    /// Largest (or smallest) N.
    Largest(u64, bool),
    /// Sort the names (in reverse).
    Sort(bool),
    /// Keep the first N names.
    Head(u64),
    /// Show part of the output or page through it: `head`, `tail`, `less`.
    Lines(&'static str),
    /// The N most recently (or, with `true`, least recently) modified files.
    Newest(u64, bool),
    /// Put them in an archive.
    Archive(String),
    /// Print the names (an explicit "print them").
    Print,
}

/// How clearly the request asks for a search of the file tree, 0 when it does not. `strong`:
/// the request has tests beyond a bare name (a glob, size, age, permissions, owner, depth).
fn strength(w: &Words, strong: bool, acting: bool) -> f64 {
    // "Recursively finds …", "Recursively removes …": the verb is the second word
    let first = match w.words.first().map(String::as_str) {
        Some("recursively" | "force" | "forcibly" | "forcefully") => {
            w.words.get(1).map(String::as_str).unwrap_or("")
        }
        f => f.unwrap_or(""),
    };
    let plural = w.has(&[
        "files",
        "directories",
        "folders",
        "subdirectories",
        "sub-directories",
        "subfolders",
        "dirs",
        "symlinks",
        "links",
        "executables",
    ]) || w.text.contains("files/")
        || w.text.contains("file/");
    let filey = plural || w.has(&["file", "directory", "folder", "symlink", "dir"]);
    let tree = w.phrase(&[
        "directory tree",
        "directory trees",
        "folder tree",
        "and below",
        "and subdirectories",
        "and its subdirectories",
        "and all subdirectories",
        "subdirectories",
        "sub-directories",
        "subfolders",
        "entire filesystem",
        "whole filesystem",
        "entire file system",
        "entire system",
        "whole system",
    ]);
    // where: a path, or the tree or a directory named in words
    let location = w.orig.iter().any(|x| {
        (x.starts_with('/') || x.starts_with("~/") || x.starts_with("./") || x.starts_with("../"))
            && x.len() > 1
            && !x.starts_with("//")
    }) || tree
        || w.phrase(&[
            "current directory",
            "current folder",
            "current dir",
            "working directory",
            "this directory",
            "home directory",
            "home folder",
            "directory tree",
            "and below",
            "under",
            "below",
            "beneath",
            "filesystem",
            "file system",
            "the system",
        ]);
    // files of something else than the file tree: a package, an archive, a bucket, a commit
    if w.has(&[
        "package",
        "packages",
        "archive",
        "bucket",
        "trash",
        "commit",
        "commits",
        "branch",
        "repository",
        "repo",
        "remote",
        "camera",
        "container",
        "zip",
        "database",
        "wallet",
        "device",
        "devices",
        "drive",
        "page",
        "pages",
        "project",
        "git",
        "docker",
        "s3",
        "cache",
        "kernel",
        "squashfs",
        "iso",
        "apk",
        "image",
        "man",
        "unit",
        "staged",
        "tracked",
        "untracked",
        "changed",
        "installed",
        "configuration",
        "config",
        "label",
        "uuid",
        "attributes",
        "capabilities",
        "locked",
        "headers",
        "worktree",
    ]) && !(strong
        && (location
            // "files changed in the last 10 minutes", "which files changed today?"
            || matches!(first, "files" | "which" | "what") && w.has(&["changed"])))
    {
        return 0.0;
    }
    // "configured by `systemd-firstboot`", "using `tool`": another tool does it
    if w.orig.windows(2).any(|p| {
        matches!(
            p[0].to_lowercase().as_str(),
            "by" | "using" | "with" | "use"
        ) && p[1].len() > 1
            && p[1]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && w.raw.contains(&format!("`{}", p[1]))
    }) {
        return 0.0;
    }
    // "find all lines matching …", "search history for …": not files
    if w.has(&["line", "lines", "process", "processes", "history", "string"]) && !plural
        || w.has(&["lines"])
            && matches!(first, "print" | "display" | "show" | "output")
            && !w.phrase(&["number of lines", "count of lines", "line count"])
    {
        return 0.0;
    }
    // "recursively change …" is usually the tool's own -R
    if w.words.first().is_some_and(|f| f == "recursively") {
        let finds = matches!(first, "find" | "finds" | "search" | "searches" | "locate");
        let object = w.words.get(2).map(String::as_str).unwrap_or("");
        let text = matches!(
            object,
            "strings" | "string" | "text" | "lines" | "words" | "word"
        );
        // "recursively removes all files like '*.pyc' …": a search of the tree and a deletion;
        // "recursively removes the 'classes' folder" is rm's own -r
        let deletes = matches!(first, "remove" | "removes" | "delete" | "deletes");
        return if finds && (strong || acting) && !text
            || deletes && plural && (strong || w.has(&["all"]))
        {
            0.9
        } else {
            0.0
        };
    }
    // "search for the regex … in file 'in.txt'": inside one file
    if !plural && w.phrase(&["in file", "in the file", "from file", "from the file"]) {
        return 0.0;
    }
    if matches!(first, "find" | "search" | "locate" | "finds" | "searches") {
        // "search for a pattern within a file": inside one file, not for files
        let inside = !plural
            && w.has(&[
                "pattern",
                "text",
                "string",
                "word",
                "keyword",
                "regex",
                "expression",
            ]);
        return if (filey || strong) && !inside {
            1.0
        } else {
            0.0
        };
    }
    if !plural {
        return 0.0;
    }
    // "… in the current directory tree", "all the PHP files": how file searches are asked
    let all_files = w
        .words
        .windows(2)
        .any(|p| p[0] == "all" && (p[1] == "the" || p[1] == "of"))
        || w.words.iter().position(|x| x == "all").is_some_and(|i| {
            w.words[i + 1..]
                .iter()
                .take(3)
                .any(|x| x.starts_with("files") || x == "directories" || x == "folders")
        });
    match first {
        // asked for a listing, a deletion, a count, a change: a search of the tree when it
        // says which files
        "list" | "lists" | "display" | "displays" | "show" | "shows" | "get" | "delete"
        | "deletes" | "remove" | "removes" | "count" | "counts" | "change" | "changes"
        | "compress" => {
            if tree || strong || all_files && location {
                1.0
            } else if location {
                0.6
            } else {
                0.0
            }
        }
        // "set permissions of all directories under /srv to 755", "run `cmd` on each file …"
        "set" | "give" | "make" | "run" | "execute" | "apply" | "assign" | "grant"
            if acting && (tree || strong || all_files && location) =>
        {
            0.9
        }
        // printing, copying, moving files: a search only when it says which files (a place
        // alone is not enough: on the tuning rows those guesses scored below zero)
        "print" | "prints" | "copy" | "copies" | "move" | "moves" if tree || strong => 0.9,
        // asked as a question or a bare noun phrase: "which files in here are bigger than
        // 1GB?", "files changed in the last 10 minutes"
        "which" | "what" | "files" | "directories" | "folders"
            if (first.starts_with('w')
                && w.words.get(1).is_some_and(|x| {
                    matches!(x.as_str(), "files" | "directories" | "folders")
                })
                || !first.starts_with('w'))
                && strong =>
        {
            1.0
        }
        _ if tree && (strong || all_files) => 0.9,
        _ => 0.0,
    }
}

/// The directory searched: an explicit path after "in/under/from…", else the place named in
/// words, else the current directory.
/// A relative path of plain name parts with a slash: `Lib/`, `temp/images`, `src/main/`.
fn is_rel_dir(t: &str) -> bool {
    t.contains('/')
        && !t.starts_with('/')
        && !t.contains("//")
        && t.split('/').filter(|p| !p.is_empty()).count() >= 1
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_.-".contains(c))
        && t.split('/').all(|p| p != "." && p != "..")
        && !t.split('/').next().is_some_and(|p| p.is_empty())
}

fn source_dir(w: &Words, sl: &Slots, req: &str) -> String {
    let toks: Vec<&str> = req.split_whitespace().collect();
    for (i, t) in toks.iter().enumerate() {
        let t = t.trim_matches(|c: char| ",;:()\"“”'`".contains(c));
        let t = t.strip_suffix('.').filter(|s| !s.is_empty()).unwrap_or(t);
        let looks = t.starts_with('/')
            || t.starts_with("~/")
            || t == "~"
            || t.starts_with("./")
            || t.starts_with("../")
            || t == ".."
            || t.starts_with('$') && t.len() > 1
            // "the Lib/ directory tree", "in projects/": a relative directory named as one
            || is_rel_dir(t)
                && (toks.get(i + 1).is_some_and(|n| {
                    let n = n.to_lowercase();
                    n.starts_with("director") || n.starts_with("folder") || n.starts_with("tree")
                }) || t.ends_with('/')
                    && i > 0
                    && matches!(
                        toks[i - 1].to_lowercase().as_str(),
                        "in" | "under" | "from" | "within" | "inside" | "below" | "beneath"
                    ));
        if !looks || t.contains('*') {
            continue;
        }
        let prev = if i > 0 {
            toks[i - 1].to_lowercase()
        } else {
            String::new()
        };
        // "to directory X", "into the folder X": a destination
        let prev2: Vec<String> = toks[i.saturating_sub(3)..i]
            .iter()
            .map(|p| p.to_lowercase())
            .collect();
        if matches!(prev.as_str(), "directory" | "folder" | "dir")
            && prev2.iter().any(|p| p == "to" || p == "into")
        {
            continue;
        }
        if matches!(
            prev.as_str(),
            "to" | "into"
                | "file"
                | "onto"
                | "as"
                | "with"
                | "than"
                | "string"
                | "word"
                | "text"
                | "pattern"
                | "characters"
        ) {
            continue;
        }
        // "outside the ./target directory"
        if toks[i.saturating_sub(3)..i].iter().any(|p| {
            EXCLUDING.contains(
                &p.to_lowercase()
                    .trim_matches(|c: char| !c.is_alphanumeric()),
            )
        }) {
            continue;
        }
        // the file ages are compared with is not where to look
        if newer_ref(w).is_some_and(|f| f == t) {
            continue;
        }
        // a script to run is not where to look
        if matches!(prev.as_str(), "run" | "execute" | "command") {
            continue;
        }
        return quote(t);
    }
    let _ = sl;
    if w.phrase(&[
        "entire filesystem",
        "whole filesystem",
        "entire file system",
        "whole file system",
        "entire system",
        "whole system",
        "the system",
        "root directory",
        "the filesystem",
        "the file system",
        "on the system",
    ]) {
        "/".into()
    } else if w.phrase(&["home directory", "home folder", "my home"]) {
        "~".into()
    } else if w.phrase(&["parent directory"]) {
        "..".into()
    } else {
        ".".into()
    }
}

/// Words that exclude the path after them ("outside ./target", "excluding /proc").
const EXCLUDING: &[&str] = &[
    "outside",
    "excluding",
    "except",
    "ignoring",
    "skipping",
    "exclude",
    "skip",
    "not",
];

/// A directory the request excludes: a path within three words after an excluding word.
fn excluded_dir(w: &Words) -> Option<String> {
    let i = w
        .words
        .iter()
        .position(|x| EXCLUDING.contains(&x.as_str()))?;
    w.orig[i + 1..]
        .iter()
        .take(3)
        .find(|x| x.contains('/') && !x.contains('*'))
        .map(|x| x.trim_end_matches('/').to_string())
}

/// A small number written as a word.
fn number_word(x: &str) -> Option<u64> {
    const N: &[&str] = &[
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    // "twenty-four"
    if let Some((a, b)) = x.split_once('-')
        && let (Some(a), Some(b)) = (number_word(a), number_word(b))
        && a >= 20
        && b < 10
    {
        return Some(a + b);
    }
    N.iter()
        .position(|n| *n == x)
        .map(|i| i as u64)
        .or(match x {
            "fifteen" => Some(15),
            "twenty" => Some(20),
            "thirty" => Some(30),
            "forty" => Some(40),
            "fifty" => Some(50),
            "sixty" => Some(60),
            "hundred" => Some(100),
            _ => None,
        })
}

/// An age written with a number word: "more than three days old", "in the last two hours".
fn word_time(w: &Words) -> Option<(String, String)> {
    let units = ["day", "week", "hour", "min", "year", "month"];
    // "three days", "an hour", "the last hour" (one unit)
    let i = w.words.iter().enumerate().position(|(i, x)| {
        let unit_next = w
            .words
            .get(i + 1)
            .is_some_and(|u| units.iter().any(|p| u.starts_with(p)));
        (number_word(x).is_some() || x == "a" || x == "an") && unit_next
            || matches!(x.as_str(), "last" | "past")
                && w.words.get(i + 1).is_some_and(|u| {
                    matches!(
                        u.as_str(),
                        "hour" | "day" | "week" | "month" | "year" | "minute"
                    )
                })
    })?;
    let n = number_word(&w.words[i]).unwrap_or(1);
    let unit = w.words.get(i + 1)?;
    let (opt, val) = if unit.starts_with("year") {
        ("-mtime", n * 365)
    } else if unit.starts_with("month") {
        ("-mtime", n * 30)
    } else if unit.starts_with("day") {
        ("-mtime", n)
    } else if unit.starts_with("week") {
        ("-mtime", n * 7)
    } else if unit.starts_with("hour") && n.is_multiple_of(24) {
        ("-mtime", n / 24)
    } else if unit.starts_with("hour") {
        ("-mmin", n * 60)
    } else if unit.starts_with("min") {
        ("-mmin", n)
    } else {
        return None;
    };
    let before = w.words[..i].join(" ");
    let older = ["older", "more than", "over", "before", "not"]
        .iter()
        .any(|k| before.contains(k))
        || w.words.get(i + 2).is_some_and(|x| x == "old" || x == "ago");
    let sign = if older && !before.contains("last") && !before.contains("within") {
        "+"
    } else {
        "-"
    };
    Some((opt.to_string(), format!("{sign}{val}")))
}

/// The owner a request selects by: "owned by (the user) bob", "belonging to the group staff".
/// `(true, name)` for a group.
fn owner(w: &Words) -> Option<(bool, String)> {
    let n = w.words.len();
    for i in 0..n {
        let trigger = match w.words[i].as_str() {
            "owned" | "belonging" | "belong" | "belongs" | "owner" | "owners" => {
                matches!(
                    w.words.get(i + 1).map(String::as_str),
                    Some("by" | "to" | "is")
                )
            }
            _ => false,
        };
        if !trigger {
            continue;
        }
        let mut group = false;
        let mut k = i + 2;
        while k < n {
            match w.words[k].as_str() {
                "the" | "a" | "user" | "users" | "named" | "called" | "name" => {}
                "group" | "groups" => group = true,
                _ => break,
            }
            k += 1;
        }
        let u = w.orig.get(k)?;
        let stop = [
            "and",
            "or",
            "in",
            "under",
            "on",
            "from",
            "with",
            "me",
            "any",
            "that",
            "specific",
            "given",
            "particular",
            "certain",
            "their",
            "its",
            "some",
            "another",
            "other",
        ];
        // "owned by a given user", "belonging to a specific group": a placeholder to fill in
        if matches!(
            u.to_lowercase().as_str(),
            "given" | "specific" | "particular" | "certain"
        ) {
            let group = group
                || w.words[k + 1..]
                    .iter()
                    .take(2)
                    .any(|x| x.starts_with("group"));
            return Some((group, if group { "GROUP" } else { "USER" }.to_string()));
        }
        if stop.contains(&u.to_lowercase().as_str())
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-$.".contains(c))
        {
            return None;
        }
        let group = group
            || w.words
                .get(k + 1)
                .is_some_and(|x| x == "group" || x == "groups");
        return Some((group, u.clone()));
    }
    None
}

/// The `find` tests read from the request, in the usual order: depth options first, then type,
/// name, and the other tests. Returns (global options, type, tests).
/// A bare file name after "the file", "named", "called", "name is": one word of name
/// characters that ends the request or comes before where ("in", "under", "on" …).
fn bare_name(w: &Words) -> Option<String> {
    const NAMING: &[&str] = &[
        "with the name",
        "whose name is",
        "name is",
        "names are",
        "name of",
        "named",
        "called",
        "the file",
        "a file",
        "file",
    ];
    const NOT: &[&str] = &[
        "a",
        "an",
        "the",
        "all",
        "in",
        "on",
        "and",
        "or",
        "with",
        "that",
        "which",
        "from",
        "to",
        "under",
        "of",
        "is",
        "are",
        "name",
        "names",
        "system",
        "systems",
        "contents",
        "content",
        "size",
        "sizes",
        "type",
        "types",
        "permissions",
        "it",
        "them",
        "by",
        "for",
    ];
    const WHERE: &[&str] = &[
        "in", "under", "on", "from", "within", "inside", "at", "below", "beneath",
    ];
    NAMING.iter().find_map(|p| {
        let key: Vec<&str> = p.split_whitespace().collect();
        let i = (0..w.words.len().saturating_sub(key.len()))
            .find(|&i| key.iter().enumerate().all(|(k, x)| w.words[i + k] == *x))?
            + key.len();
        let x = w.orig.get(i)?;
        let next = w.words.get(i + 1);
        let ok = !NOT.contains(&x.to_lowercase().as_str())
            && x.len() > 1
            && x.chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            && (x.contains('.') && !x.ends_with('.')
                || next.is_none_or(|n| WHERE.contains(&n.as_str())));
        ok.then(|| x.clone())
    })
}

/// The file a request compares ages with: "newer than the file foo.txt".
fn newer_ref(w: &Words) -> Option<String> {
    w.after(&[
        "newer than the file",
        "newer than file",
        "more recently than the file",
        "more recent than the file",
        "modified after the file",
        "modified after file",
        "changed after the file",
        "modified after the",
        "changed after the",
        "newer than",
        "more recently than",
        "modified after",
        "changed after",
        "more recent than",
        "later than",
        "modified later than",
    ])
    .filter(|f| {
        (f.contains('.') || f.contains('/') || f.len() > 2)
            && !matches!(f.as_str(), "their" | "its" | "the" | "a" | "that" | "those")
    })
}

fn tests(w: &Words, sl: &Slots, ops: &[Op]) -> (Vec<String>, Option<&'static str>, Vec<String>) {
    let mut global = Vec::new();
    let mut t = Vec::new();
    // depth
    let depth_n = w
        .after(&[
            "maxdepth",
            "max depth",
            "maximum depth of",
            "up to depth",
            "a depth of",
            "depth of",
            "depth",
            "up to",
            "at most",
            "maximum",
        ])
        .and_then(|x| x.parse::<u64>().ok());
    if let Some(n) = depth_n.filter(|_| w.stem(&["depth", "level", "deep"])) {
        global.push(format!("-maxdepth {n}"));
    } else if w.stem(&["level", "deep"])
        && let Some(n) = sl.numbers.first()
    {
        global.push(format!("-maxdepth {n}"));
    } else if w.phrase(&[
        "not recursively",
        "non-recursively",
        "non recursively",
        "without recursion",
        "without subdirectories",
        "not in subdirectories",
        "excluding subdirectories",
        "current directory only",
        "only in the current directory",
        "only the current directory",
        "top level",
        "without descending",
        "not descending",
        "no subdirectories",
        "without going into",
        "without going in",
        "not go into",
        "do not descend",
        "don't descend",
        "not descend",
        "only in current directory",
    ]) {
        global.push("-maxdepth 1".into());
    }
    if w.phrase(&["at least", "minimum depth", "mindepth"]) && w.stem(&["depth", "level"]) {
        let n = w
            .after(&["at least", "minimum depth", "mindepth"])
            .and_then(|x| x.parse::<u64>().ok())
            .unwrap_or(1);
        global.push(format!("-mindepth {n}"));
    }
    // type
    let dirs = w.stem(&[
        "director",
        "folder",
        "subdir",
        "sub-dir",
        "sub-folder",
        "dirs",
    ]) && !w.stem(&["file"])
        && !w.phrase(&["directory tree", "current directory", "working directory"])
        || w.phrase(&[
            "empty directories",
            "empty folders",
            "empty subdirectories",
            "empty sub-directories",
            "empty subfolders",
            "empty sub-folders",
            "all directories",
            "all folders",
            "all subdirectories",
            "the directories",
            "directories only",
            "only directories",
            "all the directories",
            "directories in",
            "directories under",
            "directories that",
            "directories which",
            "directories with",
            "directories named",
            "directories whose",
            "subdirectories of",
        ]) && !w.has(&["files", "file"])
        || w.phrase(&[
            "directory named",
            "directory called",
            "folder named",
            "folder called",
            "directory whose name",
        ]) && !w.has(&["files", "file"]);
    let both = w.text.contains("files/dir")
        || w.text.contains("file/dir")
        || w.phrase(&[
            "files and directories",
            "files or directories",
            "files and folders",
            "files/folders",
        ]);
    let lname = w.stem(&["link", "symlink"])
        && w.phrase(&[
            "pointing to",
            "point to",
            "points to",
            "linked to",
            "links to",
            "link to",
        ]);
    let broken =
        w.has(&["broken", "dangling", "orphaned", "orphan"]) && w.stem(&["link", "symlink"]);
    // "following symlinks" says how to walk, not what to select
    let follow = w.stem(&["follow", "dereferenc"]);
    let ty = if both || lname {
        None
    } else if broken {
        Some("-xtype l")
    } else if !follow
        && w.phrase(&[
            "symbolic links",
            "symbolic link",
            "symlinks",
            "symlink",
            "links",
        ])
    {
        Some("-type l")
    } else if dirs {
        Some("-type d")
    } else if regular_files(w)
        || w.phrase(&[
            "regular files",
            "regular file",
            "normal files",
            "plain files",
            "only files",
            "files only",
        ])
        || ops
            .iter()
            .any(|o| matches!(o, Op::Largest(..) | Op::Newest(..)))
    {
        Some("-type f")
    } else {
        None
    };
    // names
    let ci = w.phrase(&[
        "case insensitive",
        "case-insensitive",
        "insensitive",
        "ignoring case",
        "ignore case",
        "case insensitively",
        "regardless of case",
        "ignoring the case",
        "uppercase and lowercase",
        "uppercase or lowercase",
        "upper and lower case",
        "any case",
        "capital and small",
        "regardless of the case",
        "ignoring the case of",
    ]);
    let nameflag = if ci { "-iname" } else { "-name" };
    let neg = w.phrase(&[
        "except",
        "excluding",
        "not named",
        "other than",
        "not ending",
        "do not end",
        "don't end",
        "not matching",
        "that are not",
        "which are not",
        "whose names do not",
        "not having",
        "but not",
    ]);
    // a text searched for or removed inside the files is not a name
    let grepping = ops.iter().any(|o| match o {
        Op::Grep(..) => true,
        Op::Each(c) => c.starts_with("sed -i"),
        _ => false,
    });
    // name patterns: globs or quoted names; in a text search the last quoted string is the text
    let own = owner(w).map(|o| o.1);
    let quoted: Vec<&String> = sl
        .quoted
        .iter()
        .filter(|q| !q.starts_with('/') && !q.starts_with('~') && !q.is_empty())
        .filter(|q| own.as_deref() != Some(q.as_str()))
        .collect();
    let mut names: Vec<String> = Vec::new();
    for q in &quoted {
        let suffix = q.starts_with('.')
            && w.phrase(&[
                "end with",
                "ends with",
                "ending with",
                "end in",
                "ending in",
                "extension",
            ]);
        if suffix && !q.contains('*') {
            names.push(format!("*{q}"));
        } else if q.contains('*')
            || q.contains('?')
            || !q.contains(' ') && q.contains('.') && !grepping
        {
            names.push((*q).clone());
        }
    }
    if names.is_empty() {
        for e in &sl.exts {
            names.push(format!("*.{e}"));
        }
    }
    if names.is_empty() {
        names.extend(sl.names.iter().cloned());
    }
    // ".groovy files"
    if names.is_empty() {
        for (i, x) in w.orig.iter().enumerate() {
            if let Some(e) = x.strip_prefix('.')
                && !e.is_empty()
                && e.chars().all(|c| c.is_ascii_alphanumeric())
                && w.words.get(i + 1).is_some_and(|n| n.starts_with("file"))
            {
                names.push(format!("*.{e}"));
            }
        }
    }
    // "whose names contain 'foo'", "starting with 'x'", "ending in '.bak'"
    // a grep for another quoted text leaves the first one to the names
    let grep_pat = ops.iter().find_map(|o| match o {
        Op::Grep(_, p) => Some(p.clone()),
        _ => None,
    });
    let name_q = if !grepping {
        quoted.first().copied()
    } else if quoted.len() >= 2
        && !ops
            .iter()
            .any(|o| matches!(o, Op::Each(c) if c.starts_with("sed -i")))
    {
        grep_pat.as_ref().and_then(|p| {
            quoted
                .iter()
                .find(|q| quote(q) != *p && named_text(w, q))
                .copied()
        })
    } else {
        None
    };
    if names.is_empty()
        && let Some(q) = name_q
    {
        let q = q.as_str();
        if w.stem(&["extension"]) {
            names.push(format!("*.{}", q.trim_start_matches('.')));
        } else if w.phrase(&[
            "starting with",
            "start with",
            "starts with",
            "beginning with",
            "begin with",
            "begins with",
            "prefix",
        ]) {
            names.push(format!("{q}*"));
        } else if w.phrase(&[
            "ending with",
            "end with",
            "ends with",
            "ending in",
            "end in",
            "ends in",
            "suffix",
        ]) {
            names.push(format!("*{q}"));
        } else if w.stem(&["contain", "includ", "with"])
            || w.phrase(&[
                "in their names",
                "in their name",
                "in the name",
                "in its name",
            ])
        {
            names.push(format!("*{q}*"));
        } else if !w.phrase(&["path", "paths", "pathname"]) && !q.contains('/') {
            names.push(q.to_string());
        }
    }
    // an unquoted file name after "file"/"named": "the file job.history"
    if names.is_empty()
        && let Some(f) = w
            .after(&["the file", "a file", "file", "named", "called"])
            .filter(|f| f.contains('.') && f.len() > 2 && !f.contains('/'))
    {
        names.push(f);
    }
    // a bare name after a naming phrase, ending the request or before where: "the file test
    // in the current folder", "whose name is filedir", "the file chapter1 in /work"
    if names.is_empty()
        && let Some(f) = bare_name(w)
    {
        names.push(f);
    }
    // "which start with pro", "ending with bak": an unquoted prefix or suffix
    if names.is_empty() {
        let word = |ps: &[&str]| {
            w.after(ps).filter(|x| {
                x.len() > 1
                    && x.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    && !matches!(
                        x.to_lowercase().as_str(),
                        "the"
                            | "a"
                            | "an"
                            | "letter"
                            | "letters"
                            | "word"
                            | "words"
                            | "string"
                            | "text"
                            | "extension"
                            | "characters"
                            | "character"
                            | "digit"
                            | "digits"
                            | "number"
                            | "numbers"
                            | "capital"
                            | "uppercase"
                            | "lowercase"
                            | "dot"
                            | "period"
                    )
            })
        };
        if let Some(x) = word(&[
            "start with the word",
            "starts with the word",
            "starting with the word",
            "begin with the word",
            "begins with the word",
            "beginning with the word",
            "start with",
            "starts with",
            "starting with",
            "begin with",
            "begins with",
            "beginning with",
        ]) {
            names.push(format!("{x}*"));
        } else if let Some(x) = word(&[
            "end with the word",
            "ends with the word",
            "ending with the word",
            "end with",
            "ends with",
            "ending with",
            "ending in",
            "end in",
        ]) {
            names.push(format!("*{x}"));
        }
    }
    // "locate logo.gif in /var/www": a bare file name searched for
    if names.is_empty()
        && !grepping
        && let Some(f) = sl.paths.iter().find(|p| {
            !p.contains('/')
                && p.split('.').next().is_some_and(|stem| stem.len() > 1)
                && w.words
                    .iter()
                    .position(|x| x == &p.to_lowercase())
                    .is_some_and(|i| {
                        i > 0
                            && !matches!(
                                w.words[i - 1].as_str(),
                                "to" | "into" | "as" | "than" | "from" | "with" | "onto"
                            )
                    })
        })
    {
        // "tar.gz files": a kind of file
        let f = if f.starts_with("tar.") {
            format!("*.{f}")
        } else {
            f.clone()
        };
        names.push(f);
    }
    if names.is_empty() && w.phrase(&["text files", "text file", "txt files"]) {
        names.push("*.txt".into());
    }
    // kinds of files named by their language
    for (kind, glob) in [
        ("shell scripts", "*.sh"),
        ("shell script", "*.sh"),
        ("bash scripts", "*.sh"),
        ("python scripts", "*.py"),
        ("python files", "*.py"),
        ("perl scripts", "*.pl"),
        ("perl files", "*.pl"),
        ("ruby files", "*.rb"),
        ("c files", "*.c"),
        ("header files", "*.h"),
        ("javascript files", "*.js"),
        ("javascript file", "*.js"),
        ("markdown files", "*.md"),
        ("mp3 files", "*.mp3"),
    ] {
        if names.is_empty() && w.phrase(&[kind]) {
            names.push(glob.into());
        }
    }
    // "find all grub.conf files", "locate all passwd files"
    if names.is_empty() {
        const NOT_NAMES: &[&str] = &[
            "all",
            "the",
            "regular",
            "hidden",
            "empty",
            "text",
            "large",
            "big",
            "huge",
            "small",
            "executable",
            "these",
            "those",
            "such",
            "of",
            "new",
            "old",
            "any",
            "my",
            "your",
            "other",
            "normal",
            "plain",
            "ordinary",
            "matching",
            "found",
            "some",
            "many",
            "more",
            "most",
            "symbolic",
            "writable",
            "readable",
            "temporary",
            "recent",
            "modified",
            "only",
            "this",
            "that",
            "which",
            "what",
            "both",
            "non-hidden",
            "binary",
            "and",
            "or",
            "log",
            "source",
            "image",
            "backup",
            "duplicate",
            "same",
            "different",
            "specific",
            "given",
            "entire",
            "whole",
            "video",
            "audio",
            "music",
            "read-only",
            "largest",
            "smallest",
            "biggest",
            "newest",
            "oldest",
            "latest",
            "first",
            "last",
            "top",
            "output",
            "result",
            "resulting",
            "matched",
            "listed",
        ];
        for (i, x) in w.words.iter().enumerate().skip(1) {
            if !(x == "files" || x == "file" || x.starts_with("files/")) {
                continue;
            }
            let prev = &w.words[i - 1];
            // "the entire file system", "the ten files", "the top 10 files"
            if x == "file" && w.words.get(i + 1).is_some_and(|n| n.starts_with("system"))
                || number_word(prev).is_some()
                || prev.chars().all(|c| c.is_ascii_digit())
            {
                continue;
            }
            let det = i >= 2 && matches!(w.words[i - 2].as_str(), "all" | "the" | "any" | "every");
            let namey = prev.contains('.')
                || prev.contains('_')
                || prev.chars().any(|c| c.is_ascii_digit());
            if !NOT_NAMES.contains(&prev.as_str())
                && prev
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                && !prev.starts_with('.')
                && !prev.ends_with("ed")
                && !prev.ends_with("ing")
                && (namey || det)
            {
                names.push(w.orig[i - 1].clone());
                break;
            }
        }
    }
    if names.is_empty()
        && w.stem(&["hidden"])
        && !w.phrase(&[
            "including hidden",
            "including the hidden",
            "even hidden",
            "and hidden",
        ])
    {
        names.push(".*".into());
    }
    // the file ages are compared with is not a name test
    if let Some(f) = newer_ref(w) {
        names.retain(|n| *n != f);
    }
    let pathy = w.phrase(&[
        "their path",
        "their paths",
        "their pathname",
        "their pathnames",
        "their path names",
        "its path",
        "the path",
        "full path",
        "whole path",
        "full names",
        "path matches",
        "path matching",
        "paths matching",
        "path contains",
        "path containing",
        "paths containing",
        "whose path",
        "whose paths",
        "pathname",
    ]) && !w.phrase(&[
        "print the path",
        "the path of",
        "path names of",
        "the path to",
    ]);
    if pathy
        && !w.phrase(&["file name", "filename", "base name"])
        && let Some(q) = quoted.iter().find(|q| !q.contains('*') || q.contains('/'))
    {
        let pat = if q.contains('*') {
            q.to_string()
        } else {
            format!("*{q}*")
        };
        let flag = if ci { "-ipath" } else { "-path" };
        t.push(format!("{flag} {}", quote(&pat)));
        names.retain(|n| !n.contains(q.as_str()));
    }
    // a regular expression searched for inside the files is grep's, not find's
    let names_regex = w.phrase(&[
        "whose names",
        "whose name",
        "their names",
        "their name",
        "their paths",
        "their path",
        "names match",
        "name matches",
        "names matching",
        "file names",
        "filenames",
    ]);
    if w.stem(&["regex", "regular expression"])
        && (!grepping || names_regex)
        && let Some(q) = quoted
            .iter()
            .find(|q| !matches!(q.as_str(), "regex" | "pattern" | "regexp"))
    {
        let flag = if w.stem(&["egrep", "extended", "posix"]) {
            "-regextype posix-egrep -regex"
        } else if ci {
            "-iregex"
        } else {
            "-regex"
        };
        t.push(format!("{flag} {}", quote(q)));
        names.clear();
    }
    let mut seen = std::collections::HashSet::new();
    names.retain(|n| seen.insert(n.clone()));
    match names.len() {
        0 => {}
        1 => {
            let n = quote(&names[0]);
            // a pattern with a slash is matched against the path
            let nameflag = if names[0].contains('/') {
                if ci { "-ipath" } else { "-path" }
            } else {
                nameflag
            };
            if neg {
                t.push(format!("! {nameflag} {n}"));
            } else {
                t.push(format!("{nameflag} {n}"));
            }
        }
        _ => {
            if neg {
                t.push(format!("{nameflag} {}", quote(&names[0])));
                for n in &names[1..] {
                    t.push(format!("! {nameflag} {}", quote(n)));
                }
            } else {
                let alts: Vec<String> = names
                    .iter()
                    .take(4)
                    .map(|n| format!("{nameflag} {}", quote(n)))
                    .collect();
                t.push(format!("\\( {} \\)", alts.join(" -o ")));
            }
        }
    }
    if lname {
        let target = sl
            .paths
            .last()
            .or(sl.quoted.last())
            .cloned()
            .unwrap_or_else(|| "TARGET".into());
        t.push(format!("-lname {}", quote(&target)));
    }
    // size; "large files" without a figure: over 100 MB
    if let Some(sz) = &sl.size {
        t.push(format!("-size {sz}"));
    } else if w.has(&["large", "big", "huge"]) && w.stem(&["file"]) {
        t.push("-size +100M".into());
    }
    // age
    const MONTHS: &[&str] = &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let month_at = |k: usize| {
        w.words
            .get(k)
            .is_some_and(|m| m.len() >= 3 && MONTHS.iter().any(|p| m.starts_with(p)))
    };
    // "modified after February 1st": a date, find's -newermt
    let after_date = w
        .words
        .iter()
        .position(|x| x == "after" || x == "since")
        .filter(|&i| month_at(i + 1))
        .map(|i| {
            let day = w
                .words
                .get(i + 2)
                .map(|d| d.trim_end_matches(|c: char| c.is_ascii_alphabetic()))
                .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
            match day {
                Some(d) => format!("{} {d}", w.orig[i + 1]),
                None => w.orig[i + 1].clone(),
            }
        });
    if let Some(d) = after_date {
        t.push(format!("-newermt {}", quote(&d)));
    } else if w.phrase(&["between two dates", "between 2 dates", "between dates"]) {
        t.push("-newermt START ! -newermt END".into());
    } else if let Some(f) = newer_ref(w)
        && sl.time.is_none()
    {
        let f = if f == "file" || f == "the" {
            "FILE".to_string()
        } else {
            f
        };
        t.push(format!("-newer {}", quote(&f)));
    } else if let Some((o, v)) = sl.time.clone().or_else(|| word_time(w)).as_ref() {
        let o = if w.stem(&["access"]) {
            o.replace("-m", "-a")
        } else if w.stem(&["changed", "status"]) && !w.stem(&["modif"]) {
            o.replace("-m", "-c")
        } else {
            o.clone()
        };
        let v = if w.phrase(&[
            "not modified",
            "not been modified",
            "haven't been modified",
            "have not been modified",
            "not accessed",
            "not been accessed",
            "not changed",
            "not been changed",
        ]) {
            v.replace('-', "+")
        } else {
            v.clone()
        };
        t.push(format!("{o} {v}"));
    } else if w.phrase(&["modified today", "changed today", "today"]) {
        t.push("-mtime 0".into());
    } else if w.phrase(&["yesterday"]) {
        t.push("-mtime 1".into());
    }
    if w.stem(&["empty"]) {
        t.push("-empty".into());
    }
    if (w.stem(&["executable"]) || w.phrase(&["execute permission", "execute permissions"]))
        && !w.phrase(&["not", "without"])
        && !ops
            .iter()
            .any(|o| matches!(o, Op::Each(c) if c.starts_with("chmod")))
    {
        t.push("-executable".into());
    }
    // permissions (a bit being set is not a test)
    let chmod_op = ops
        .iter()
        .any(|o| matches!(o, Op::Each(c) if c.starts_with("chmod")));
    // the words before the verb that sets the mode: "which have read permission for their
    // owner and set read permission for group" tests the first only
    let before_set = w
        .words
        .iter()
        .enumerate()
        .position(|(i, x)| {
            matches!(x.as_str(), "set" | "assign" | "give" | "grant" | "add")
                && (i == 0 || matches!(w.words[i - 1].as_str(), "and" | "then"))
        })
        .filter(|_| chmod_op)
        .map(|i| Words::new(&w.orig[..i].join(" ")));
    let pw = before_set.as_ref().unwrap_or(w);
    if pw.phrase(&[
        "world writable",
        "world-writable",
        "world writeable",
        "writable by all",
    ]) {
        t.push("-perm -002".into());
    } else if pw.phrase(&[
        "writable by",
        "writeable by",
        "write permission for",
        "writable for",
    ]) {
        t.push("-perm -022".into());
    } else if pw.phrase(&["readable by", "read permission for", "readable for"]) {
        t.push("-perm -004".into());
    } else if pw.phrase(&["executable by", "execute permission for", "executable for"]) {
        t.push("-perm -111".into());
    } else if w.has(&["readable", "writable", "writeable"])
        && !w.phrase(&[
            "world readable",
            "human readable",
            "not readable",
            "not writable",
        ])
    {
        let f = if w.has(&["readable"]) {
            "-readable"
        } else {
            "-writable"
        };
        t.push(f.into());
    } else if w.stem(&["suid", "setuid"]) && !chmod_op {
        t.push("-perm -4000".into());
    } else if (w.stem(&["sgid", "setgid"]) || w.phrase(&["guid bit"])) && !chmod_op {
        t.push("-perm -2000".into());
    } else if w.phrase(&["sticky bit", "sticky-bit"]) && !chmod_op && sl.perm.is_none() {
        t.push("-perm -1000".into());
    } else if let Some(p) = &sl.perm {
        let changing = ops
            .iter()
            .any(|o| matches!(o, Op::Each(c) if c.starts_with("chmod")));
        // "with 755 permission … change to 644": the first mode is a test
        let first_mode = w.words.iter().find(|x| {
            (x.len() == 3 || x.len() == 4) && x.chars().all(|c| ('0'..='7').contains(&c))
        });
        let negated = w.words.iter().position(|x| x == p).is_some_and(|i| {
            w.words[i.saturating_sub(4)..i]
                .iter()
                .any(|x| matches!(x.as_str(), "not" | "without" | "no" | "except"))
        });
        if !changing && negated {
            t.push(format!("! -perm {p}"));
        } else if !changing {
            t.push(format!("-perm {p}"));
        } else if let Some(m) = first_mode.filter(|m| *m != p) {
            t.push(format!("-perm {m}"));
        }
    }
    // owner; "root's files"
    let possessive = w
        .orig
        .iter()
        .zip(w.words.iter().skip(1))
        .find_map(|(x, next)| {
            x.strip_suffix("'s")
                .filter(|u| {
                    next.starts_with("file") && u.chars().all(|c| c.is_ascii_alphanumeric())
                })
                .map(str::to_string)
        });
    // "the user with the uid 1005", "user id 0", "group id 100": numeric ids
    let id = |ps: &[&str]| {
        w.after(ps)
            .filter(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit()))
    };
    // "change the owner to the user with id 184": the new owner, not a test
    let new_owner = w.phrase(&[
        "to the user with",
        "to user with",
        "to the user id",
        "to user id",
        "to uid",
    ]) && w.stem(&["chang", "chown"])
        && !w.stem(&["belong", "owned"]);
    let uid =
        id(&["uid", "user id", "the id", "id"]).filter(|_| !w.phrase(&["group id"]) && !new_owner);
    let gid = id(&["gid", "group id"]);
    if let Some(n) = gid {
        t.push(format!("-gid {n}"));
    } else if let Some(n) = uid {
        t.push(format!("-uid {n}"));
    } else if let Some(u) = possessive.filter(|_| owner(w).is_none()) {
        t.push(format!("-user {}", quote(&u)));
    } else if let Some((group, u)) = owner(w) {
        let flag = if group { "-group" } else { "-user" };
        t.push(format!("{flag} {}", quote(&u)));
    }
    if w.phrase(&[
        "no owner",
        "no user",
        "without an owner",
        "nouser",
        "to any user",
    ]) {
        t.push("-nouser".into());
    }
    if w.phrase(&["no group", "to any group", "without a group", "nogroup"]) {
        t.push("-nogroup".into());
    }
    // inode
    if w.stem(&["inode"])
        && let Some(n) = sl.numbers.first()
    {
        t.push(format!("-inum {n}"));
    }
    // exclusions of directories: "excluding the .git directory"
    if let Some(d) = excluded_dir(w) {
        t.push(format!("-not -path {}", quote(&format!("{d}/*"))));
    } else if w.phrase(&[
        "excluding",
        "except",
        "ignoring",
        "skipping",
        "exclude",
        "skip",
    ]) && w.stem(&["director", "folder"])
        && let Some(d) = sl.quoted.iter().find(|q| !names.contains(q)).cloned()
    {
        t.push(format!("-not -path {}", quote(&format!("*{d}*"))));
    }
    (global, ty, t)
}

/// Where a request sets a mode: the verb that sets ("set", "assign", "give", "grant", "add")
/// and what it sets (permissions, a bit), the verb first or after "and".
fn setting_mode(w: &Words) -> bool {
    const SET: &[&str] = &["set", "assign", "give", "grant", "add"];
    let at = w.words.iter().enumerate().position(|(i, x)| {
        SET.contains(&x.as_str()) && (i == 0 || matches!(w.words[i - 1].as_str(), "and" | "then"))
    });
    at.is_some_and(|i| {
        w.words[i..].iter().any(|x| {
            x.starts_with("permission")
                || matches!(
                    x.as_str(),
                    "bit" | "bits" | "sgid" | "suid" | "setgid" | "setuid"
                )
        })
    })
}

/// A symbolic mode from the words after the verb that sets it: "set read permission for
/// group" → `g+r`, "set their SGID bit" → `g+s`.
fn symbolic_mode(w: &Words) -> Option<String> {
    const SET: &[&str] = &["set", "assign", "give", "grant", "add", "make"];
    let i = w.words.iter().position(|x| SET.contains(&x.as_str()))?;
    let rest = &w.words[i..];
    let has = |xs: &[&str]| rest.iter().any(|x| xs.contains(&x.as_str()));
    if has(&["sgid", "setgid"]) {
        return Some("g+s".into());
    }
    if has(&["suid", "setuid"]) {
        return Some("u+s".into());
    }
    let mut who = String::new();
    for (k, ws) in [
        ('u', &["owner", "user", "owners"][..]),
        ('g', &["group", "groups"][..]),
        ('o', &["other", "others", "everyone", "world"][..]),
    ] {
        if has(ws) {
            who.push(k);
        }
    }
    let mut what = String::new();
    for (k, ws) in [
        ('r', &["read", "readable", "read-only"][..]),
        ('w', &["write", "writable", "writeable"][..]),
        ('x', &["execute", "executable", "exec"][..]),
    ] {
        if has(ws) {
            what.push(k);
        }
    }
    (!what.is_empty()).then(|| format!("{who}+{what}"))
}

/// A word of text searched for inside files, written without quotes.
fn unquoted_pattern(w: &Words) -> Option<String> {
    // "replace string $1 with string $2": the text replaced, not searched for
    if w.stem(&["replac", "substitut"]) {
        return None;
    }
    let wordy = |x: &String| {
        x.len() > 1
            && x.trim_start_matches('$')
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
            && !matches!(
                x.to_lowercase().as_str(),
                "a" | "an"
                    | "the"
                    | "all"
                    | "any"
                    | "files"
                    | "file"
                    | "some"
                    | "each"
                    | "every"
                    | "text"
                    | "word"
                    | "string"
                    | "pattern"
                    | "lines"
                    | "line"
                    | "them"
                    | "directories"
                    | "folders"
                    | "names"
                    | "name"
            )
    };
    let n = w.words.len();
    // "find X in (all) (the) *.java files": the word, then "in", then files
    if n > 3
        && matches!(w.words[0].as_str(), "find" | "search" | "grep")
        && w.words[2] == "in"
        && wordy(&w.orig[1])
        && w.words[3..]
            .iter()
            .take(4)
            .any(|x| x.starts_with("file") || x.contains('*'))
    {
        return Some(w.orig[1].clone());
    }
    for i in 0..n.saturating_sub(1) {
        // "for TODO lines", "for TODO comments"
        if w.words[i] == "for"
            && i + 2 < n
            && matches!(
                w.words[i + 2].as_str(),
                "lines" | "line" | "comments" | "entries"
            )
            && wordy(&w.orig[i + 1])
        {
            return Some(w.orig[i + 1].clone());
        }
        // "contain(s|ing) the string/word/text X"
        if matches!(
            w.words[i].as_str(),
            "contain" | "contains" | "containing" | "with" | "having" | "for"
        ) && i + 3 <= n
        {
            let k = if w.words[i + 1] == "the" {
                i + 2
            } else {
                i + 1
            };
            if k + 1 < n
                && matches!(
                    w.words[k].as_str(),
                    "string" | "word" | "text" | "keyword" | "characters" | "phrase"
                )
                && wordy(&w.orig[k + 1])
            {
                return Some(w.orig[k + 1].clone());
            }
        }
    }
    None
}

/// "lines matching 'x'", "lines beginning with 'x'", "lines that contain 'x'": a search of the
/// files' contents.
fn lines_matching(w: &Words) -> bool {
    w.phrase(&[
        "lines beginning with",
        "lines starting with",
        "lines that begin with",
        "lines that start with",
        "lines which start with",
        "lines that match",
        "lines which match",
        "lines matching",
        "lines containing",
        "lines that contain",
        "lines which contain",
        "lines with",
        "line containing",
        "line matching",
    ])
}

/// A `sed` script, always in single quotes.
fn squote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Text removed from inside the files ("remove trailing white spaces from all *.py files",
/// "delete the text matching 'x' in …", "remove all ^M in those files"): the `sed` script that
/// does it, or `None` when the files themselves are removed.
fn content_removal(w: &Words, sl: &Slots) -> Option<String> {
    const VERBS: &[&str] = &[
        "delete", "deletes", "remove", "removes", "erase", "erases", "strip", "strips",
    ];
    const TEXT: &[&str] = &[
        "trailing",
        "white",
        "whitespace",
        "whitespaces",
        "spaces",
        "space",
        "text",
        "matches",
        "match",
        "sequence",
        "contents",
        "content",
        "characters",
        "character",
        "string",
        "strings",
        "^m",
        "carriage",
        "comments",
        "comment",
        "blank",
        "newlines",
        "tabs",
        "occurrences",
        "bom",
    ];
    let i = w.words.iter().position(|x| VERBS.contains(&x.as_str()))?;
    // the removed object: the few words after the verb
    let end = (i + 5).min(w.words.len());
    // "text files", "string files" are kinds of files
    let texty = (i + 1..end).any(|k| {
        TEXT.contains(&w.words[k].as_str())
            && !w.words.get(k + 1).is_some_and(|n| n.starts_with("file"))
    });
    let object = &w.words[i + 1..end];
    if !texty || !w.stem(&["file"]) {
        return None;
    }
    if object.iter().any(|x| x == "trailing") {
        return Some("s/[[:space:]]*$//".into());
    }
    let pat = sl
        .quoted
        .iter()
        .rev()
        .find(|q| !q.starts_with("*.") && !q.contains('/'))
        .cloned()
        .unwrap_or_else(|| "PATTERN".into());
    Some(format!("s/{pat}//g"))
}

/// A quoted text said to be a name: "whose names contain 'x'", "with the name 'x'", "'x' in
/// their names".
fn named_text(w: &Words, q: &str) -> bool {
    let Some(at) = w.raw.find(&q.to_lowercase()) else {
        return false;
    };
    let before: Vec<&str> = w.raw[..at].split_whitespace().rev().take(4).collect();
    let after = w.raw[at + q.len()..].trim_start_matches(|c: char| "\"'`”’ ".contains(c));
    before
        .iter()
        .any(|x| x.starts_with("name") || x.starts_with("called"))
        || [
            "in their name",
            "in the name",
            "in its name",
            "in their path",
            "in the path",
            "file",
        ]
        .iter()
        .any(|p| after.starts_with(p))
}

/// The quoted text a content search is for: the one right after "contain", "for", "string",
/// "text", "word", "pattern", "matching" ("move all files that contain 'x' to 'y'").
fn searched_text<'a>(w: &Words, sl: &'a Slots) -> Option<&'a String> {
    const KEYS: &[&str] = &[
        "contain",
        "contains",
        "containing",
        "for",
        "string",
        "text",
        "word",
        "pattern",
        "matching",
        "match",
        "regex",
    ];
    sl.quoted.iter().find(|q| {
        let Some(at) = w.raw.find(&q.to_lowercase()) else {
            return false;
        };
        // the words before the opening quote and the text after the closing one
        let before: Vec<&str> = w.raw[..at]
            .trim_end_matches(|c: char| "\"'`“‘ ".contains(c))
            .rsplit(' ')
            .take(2)
            .collect();
        let after = w.raw[at + q.len()..].trim_start_matches(|c: char| "\"'`”’ ".contains(c));
        let of_names = before
            .get(1)
            .is_some_and(|x| x.starts_with("name") || x.starts_with("path"))
            || [
                "in their name",
                "in the name",
                "in its name",
                "in their path",
                "in the path",
            ]
            .iter()
            .any(|p| after.starts_with(p));
        before.first().is_some_and(|x| KEYS.contains(x)) && !of_names && !q.starts_with("*.")
    })
}

/// The operations asked for, in the order written.
fn operations(w: &Words, sl: &Slots) -> Vec<Op> {
    let mut ops = Vec::new();
    let n = || {
        sl.numbers
            .first()
            .copied()
            .or_else(|| w.words.iter().find_map(|x| number_word(x)))
    };
    let dest = || {
        // the path after "to"/"into"
        // the path after "to"/"into" ("to directory X", "into the folder X")
        let pathy = |p: &String| p.contains('/') || p.starts_with('~') || p == ".";
        w.after(&[
            "to the directory",
            "to directory",
            "to the folder",
            "to folder",
            "into the directory",
            "into directory",
            "into the folder",
            "into folder",
            "to the dir",
            "to dir",
        ])
        .filter(pathy)
        .or_else(|| w.after(&["to", "into"]).filter(pathy))
        .map(|p| quote(&p))
        .unwrap_or_else(|| "DEST".into())
    };
    let about_names = w.phrase(&[
        "in their names",
        "in their name",
        "in the name",
        "in its name",
        "in the names",
        "in names",
        "in name",
        "whose names",
        "whose name",
        "names contain",
        "name contains",
        "names containing",
        "name containing",
        "with names",
        "with name",
        "file named",
        "files named",
        "in their filename",
        "in filename",
        "in their path",
        "in their paths",
    ]) || {
        // "the file 'foo.txt'", not "along with the file names" or "the file contents"
        let i = w
            .words
            .windows(2)
            .position(|p| matches!(p[0].as_str(), "the" | "a") && p[1] == "file");
        i.is_some_and(|i| {
            !w.words
                .get(i + 2)
                .is_some_and(|n| n.starts_with("name") || n.starts_with("content"))
        })
    };
    // "whose names begin with 'a' and which contain 'b'": a name and a text
    let two_texts = sl
        .quoted
        .iter()
        .filter(|q| !q.starts_with('/') && !q.starts_with('~'))
        .count()
        >= 2
        && {
            // the text after the names: "whose names … and which contain 'b'"
            let pos = |ws: &[&str]| w.words.iter().position(|x| ws.contains(&x.as_str()));
            matches!(
                (pos(&["name", "names"]), pos(&["contain", "contains"])),
                (Some(n), Some(c)) if c > n
            )
        };
    let contains = (!about_names || two_texts)
        && w.phrase(&[
            "containing",
            "contain",
            "contains",
            "which contain",
            "that contain",
            "with the word",
            "with the string",
            "with the text",
            "the string",
            "the text",
            "the word",
            "the pattern",
            "grep",
            "matching text",
            "occurrences of",
        ])
        && !sl.quoted.is_empty();
    // "search *.x files for 'fred'": a quoted text after "for" when the names come from a glob
    let for_quoted = w
        .after(&["for"])
        .is_some_and(|x| sl.quoted.contains(&x) && !x.contains('*'))
        && (!sl.exts.is_empty() || sl.quoted.iter().any(|q| q.contains('*')) || {
            // "search all files under /srv for 'needle'": "for" after the files
            let files = w.words.iter().position(|x| x.starts_with("file"));
            let for_ = w.words.iter().position(|x| x == "for");
            matches!((files, for_), (Some(f), Some(g)) if g > f)
                && !w.stem(&["named", "called", "name"])
        });
    // "search for a word in all the files …", "search for 'x' in the php files"
    let for_in_files = matches!(
        w.words.first().map(String::as_str),
        Some("search" | "find" | "grep" | "look")
    ) && w.words.get(1).is_some_and(|x| x == "for")
        && w.words.iter().position(|x| x == "in").is_some_and(|i| {
            i > 2
                && !w.words[2..i]
                    .iter()
                    .any(|x| x.starts_with("file") || x.starts_with("director") || x.contains('*'))
                && (i..w.words.len()).any(|k| {
                    let x = &w.words[k];
                    // not "the file system"
                    x.starts_with("file")
                        && x != "filesystem"
                        && !w.words.get(k + 1).is_some_and(|n| n.starts_with("system"))
                })
        });
    // an unquoted word searched for: "find StringBuffer in all *.java files", "search the
    // .java files for TODO lines", "files that contain the string null"
    let word_pat = unquoted_pattern(w).filter(|p| !about_names && !sl.quoted.contains(p));
    // "names starting with the word top": a name, not a text inside
    let name_word = w.phrase(&[
        "start with the word",
        "starts with the word",
        "starting with the word",
        "begin with the word",
        "begins with the word",
        "beginning with the word",
        "end with the word",
        "ends with the word",
        "ending with the word",
    ]) && !w.stem(&["line"]);
    let text_search = !name_word
        && (word_pat.is_some()
            || for_quoted
            || for_in_files
            || w.phrase(&[
                "for string",
                "for the string",
                "for text",
                "for the text",
                "for the word",
                "for word",
                "for pattern",
                "for the pattern",
                "search them",
                "grep them",
                "search it",
                "search inside",
                "search within",
            ])
            || !sl.quoted.is_empty() && lines_matching(w)
            || !about_names
                && w.phrase(&[
                    "containing the",
                    "contain the",
                    "contains the",
                    "the word",
                    "the string",
                    "the text",
                    "the pattern",
                    "grep",
                    "in their contents",
                    "in their content",
                ])
            || contains);
    if let Some(script) = content_removal(w, sl) {
        ops.push(Op::Each(format!("sed -i {}", squote(&script))));
    } else if w.has(&[
        "delete", "deletes", "remove", "removes", "erase", "erases", "rm",
    ]) && !w.stem(&["line"])
    {
        ops.push(Op::Delete);
    }
    if text_search
        && (!sl.quoted.is_empty() || w.has(&["grep"]) || for_in_files || word_pat.is_some())
    {
        let pat = searched_text(w, sl)
            .or_else(|| sl.quoted.iter().rev().find(|q| !q.starts_with("*.")))
            .map(|q| quote(q))
            .or_else(|| word_pat.as_deref().map(quote))
            .or_else(|| {
                // the word searched for: "search for mail in …"
                w.orig
                    .get(2)
                    .filter(|x| {
                        !matches!(
                            x.to_lowercase().as_str(),
                            "a" | "the" | "word" | "string" | "text" | "pattern" | "all"
                        )
                    })
                    .map(|x| quote(x))
            })
            .unwrap_or_else(|| "PATTERN".into());
        // "lines beginning with 'PyErr'": anchored at the line start
        let pat = if w.phrase(&[
            "lines beginning with",
            "lines starting with",
            "lines that begin with",
            "lines that start with",
            "lines which start with",
        ]) && !pat.contains('^')
            && pat != "PATTERN"
        {
            let bare = pat.trim_matches('\'');
            quote(&format!("^{bare}"))
        } else {
            pat
        };
        let mut f = String::new();
        if w.phrase(&[
            "number of files",
            "how many files",
            "how many of them",
            "count the files",
            "count files",
            "number of the files",
            "names of",
            "list the files",
            "list files",
            "list all files",
            "print the names",
            "print the file names",
            "print names",
            "only the names",
            "filenames",
            "file names",
            "which files",
            "print the files",
            "list the names",
        ]) {
            f.push('l');
        }
        if w.phrase(&[
            "case insensitive",
            "case-insensitive",
            "ignoring case",
            "ignore case",
            "case insensitively",
        ]) {
            f.push('i');
        }
        if w.phrase(&["line number", "line numbers"]) {
            f.push('n');
        }
        if w.phrase(&["whole word", "whole words", "as a word"]) {
            f.push('w');
        }
        if w.phrase(&[
            "with file name",
            "with the file name",
            "with filename",
            "with their names",
        ]) && !f.contains('l')
        {
            f.push('H');
        }
        ops.push(Op::Grep(f, pat));
    }
    let perm_change = w.stem(&["chmod"])
        || w.stem(&["chang", "set"]) && w.stem(&["permission", "mode"]) && sl.perm.is_some()
        || w.phrase(&[
            "change the permission",
            "change permission",
            "change permissions",
            "change their permission",
            "change their permissions",
            "change the permissions",
            "set permission",
            "set permissions",
            "set the permission",
            "set the permissions",
            "set their permission",
            "set their permissions",
            "change the mode",
            "make them executable",
            "make executable",
        ])
        // "… and set read permission for group", "assign permissions 755 to directories",
        // "set their SGID bit"
        || setting_mode(w);
    // "files whose permissions are 644", "with permission 755": which files, not a change
    let perm_select = w.phrase(&[
        "whose permission",
        "whose permissions",
        "permissions set to",
        "permission set to",
        "permissions are",
        "permission are",
        "permission is",
        "with permission",
        "with permissions",
        "having permission",
        "having permissions",
        "have the permissions",
        "have the permission",
        "have permissions",
    ]) && !w.stem(&["chang", "chmod"])
        && !w.words.first().is_some_and(|f| {
            matches!(
                f.as_str(),
                "change"
                    | "changes"
                    | "set"
                    | "sets"
                    | "chmod"
                    | "make"
                    | "give"
                    | "assign"
                    | "grant"
            )
        });
    let perm_change = perm_change && !perm_select;
    if perm_change {
        let mode = sl
            .perm
            .clone()
            .or_else(|| symbolic_mode(w))
            .or_else(|| w.phrase(&["executable"]).then(|| "+x".to_string()))
            .unwrap_or_else(|| "644".into());
        // "with 755 permission … change to 644": the mode is the last one written
        let last = w
            .words
            .iter()
            .rev()
            .find(|x| (x.len() == 3 || x.len() == 4) && x.chars().all(|c| ('0'..='7').contains(&c)))
            .cloned()
            .unwrap_or(mode);
        ops.push(Op::Each(format!("chmod {last}")));
    }
    if w.phrase(&[
        "change the owner",
        "change owner",
        "change the ownership",
        "change ownership",
        "change their owner",
        "change their ownership",
        "chown",
        "ownership to",
    ]) {
        let u = w
            .after(&["ownership to", "owner to", "to user", "chown"])
            .unwrap_or_else(|| "USER".into());
        ops.push(Op::Each(format!("chown {}", quote(&u))));
    }
    if w.phrase(&["change the group", "change group", "chgrp", "group to"]) {
        let g = w
            .after(&["group to", "chgrp"])
            .unwrap_or_else(|| "GROUP".into());
        ops.push(Op::Each(format!("chgrp {}", quote(&g))));
    }
    if w.has(&["copy", "copies", "copying", "copied"]) && !w.phrase(&["copy of"]) {
        ops.push(Op::To("cp", dest()));
    } else if w.stem(&["move", "moves"]) && !w.phrase(&["remove"]) {
        ops.push(Op::To("mv", dest()));
    }
    if w.stem(&["md5"]) {
        ops.push(Op::Each("md5sum".into()));
    } else if w.stem(&["sha1"]) {
        ops.push(Op::Each("sha1sum".into()));
    } else if w.stem(&["sha256", "checksum"]) {
        ops.push(Op::Each("sha256sum".into()));
    }
    if w.stem(&["dos2unix"]) || w.phrase(&["unix format", "dos format", "unix line endings"]) {
        ops.push(Op::Each("dos2unix".into()));
    }
    // "replace 'a' with 'b' in all files": an edit, not a search for the texts
    if w.phrase(&["replace", "substitute", "replaces", "substitutes"])
        && ops.iter().all(|o| matches!(o, Op::Grep(..)))
    {
        ops.clear();
        let texts: Vec<&String> = sl
            .quoted
            .iter()
            .filter(|q| !q.starts_with("*.") && !q.contains('/'))
            .collect();
        let script = match texts.as_slice() {
            [a, b, ..] if w.has(&["with", "by"]) => format!("s/{a}/{b}/g"),
            _ => "s/OLD/NEW/g".into(),
        };
        ops.push(Op::Each(format!("sed -i {}", squote(&script))));
    }
    if w.stem(&["gzip", "compress"]) && !w.stem(&["archive", "tar"]) {
        ops.push(Op::Each("gzip".into()));
    } else if (w.phrase(&[
        "archive them",
        "into an archive",
        "into a tar",
        "in an archive",
        "to an archive",
        "a tar archive",
        "tar archive",
        "create a tar",
        "tar them",
        "into a tarball",
        "tarball",
        "archive all",
        "archive the",
    ]) || w
        .words
        .first()
        .is_some_and(|f| f == "archive" || f == "tar"))
        && !w.stem(&["extract", "unpack"])
    {
        let name = sl
            .paths
            .iter()
            .chain(sl.quoted.iter())
            .find(|p| p.contains(".tar") || p.ends_with(".tgz") || p.ends_with(".zip"))
            .cloned()
            .unwrap_or_else(|| "archive.tar.gz".into());
        ops.push(Op::Archive(name));
    }
    if w.stem(&["concatenat"])
        || w.phrase(&[
            "print the contents",
            "print the content",
            "display the contents",
            "display the content",
            "show the contents",
            "show the content",
            "print their contents",
            "display their contents",
            "their content",
            "their contents",
            "contents of all",
            "content of all",
            "cat them",
        ]) && !ops.iter().any(|o| matches!(o, Op::Grep(..)))
    {
        ops.push(Op::Each("cat".into()));
    }
    if w.has(&["rename", "renames"]) {
        ops.push(Op::Each("rename 's/OLD/NEW/'".into()));
    }
    if w.phrase(&[
        "base name",
        "base names",
        "basename",
        "basenames",
        "without extension",
        "without extensions",
        "without the path",
        "without path",
        "strip the extension",
    ]) {
        ops.push(Op::Each("basename".into()));
    }
    if w.phrase(&[
        "dirname",
        "directory paths of",
        "directories they are in",
        "directory they are in",
        "directories containing them",
        "parent directories of",
        "parent directory of",
    ]) {
        ops.push(Op::Each("dirname".into()));
    }
    if w.phrase(&["file type", "file types", "type of each", "the type of"]) {
        ops.push(Op::Each("file".into()));
    }
    if w.phrase(&["touch", "update the timestamp", "update timestamps"]) {
        ops.push(Op::Each("touch".into()));
    }
    // "the top 10 files", not a file named 'top'
    let top = w
        .after(&["top"])
        .is_some_and(|x| x.parse::<u64>().is_ok() || number_word(&x.to_lowercase()).is_some());
    let largest = (w.stem(&["largest", "biggest", "smallest"]) || top)
        && w.stem(&["file", "director"])
        && !w.phrase(&["top level", "top-level"]);
    if largest {
        ops.push(Op::Largest(n().unwrap_or(10), !w.stem(&["smallest"])));
    } else if w.phrase(&[
        "disk usage",
        "total size",
        "sizes",
        "size of each",
        "their size",
        "their sizes",
        "the size of",
        "space used",
        "how much space",
        "human readable",
        "human-readable",
    ]) {
        ops.push(Op::Usage);
    }
    // "the latest modified file", "the 3 newest files", "the oldest file"
    if !largest
        && (w.has(&["latest", "newest", "oldest"])
            || w.phrase(&["most recent", "most recently", "least recently"]))
        && w.stem(&["file"])
    {
        let oldest = w.has(&["oldest"]) || w.phrase(&["least recently"]);
        ops.push(Op::Newest(n().unwrap_or(1), oldest));
    }
    // "… and show a few lines of output from the beginning"
    if w.phrase(&[
        "lines of output",
        "lines of the output",
        "few lines of",
        "several lines of",
    ]) {
        let end = w.phrase(&["from the end", "last few", "the last lines"]);
        ops.push(Op::Lines(if end { "tail" } else { "head" }));
    } else if w.phrase(&[
        "page through",
        "page interactively through",
        "pager",
        "screen by screen",
        "one screen at a time",
    ]) {
        ops.push(Op::Lines("less"));
    }
    let count = w.stem(&["count", "number of", "how many"]) || w.phrase(&["number of", "how many"]);
    if count && w.stem(&["line"]) {
        ops.push(Op::CountLines);
    } else if count {
        ops.push(Op::Count);
    }
    if w.phrase(&[
        "long listing",
        "ls -l",
        "in long format",
        "detailed",
        "details",
        "with details",
        "their details",
        "long list",
        "ls-like",
        "ls -la",
        "file information",
        "file info",
        "with permissions",
        "their permissions",
        "print their information",
        "list their",
    ]) && !perm_change
    {
        ops.push(Op::Each("ls -l".into()));
    }
    if !largest && w.stem(&["sort"]) {
        ops.push(Op::Sort(w.stem(&["revers", "descending"])));
    }
    // "the first 10 lines of these files": head of each file
    let lines_of_each = w.has(&["lines", "line"]) && !w.phrase(&["lines of output"]);
    if lines_of_each
        && w.phrase(&["first", "last"])
        && let Some(k) = n()
    {
        let t = if w.phrase(&["last"]) { "tail" } else { "head" };
        ops.push(Op::Each(format!("{t} -n {k}")));
    } else if !largest
        && w.phrase(&["first", "the first", "only the first", "head"])
        && let Some(k) = n()
    {
        ops.push(Op::Head(k));
    }
    if ops.is_empty()
        && w.phrase(&[
            "and print",
            "print them",
            "print their names",
            "and print it",
        ])
    {
        ops.push(Op::Print);
    }
    // "run ./script.sh on each", "use \"composer validate\" on all …", "run `fastqc` on …"
    if let Some(c) = w
        .after(&[
            "run script",
            "execute script",
            "run the script",
            "execute the script",
            "run",
            "execute",
            "call",
            "invoke",
            "apply",
            "use",
            "runs",
            "executes",
        ])
        .filter(|c| {
            let stop = [
                "a",
                "an",
                "the",
                "it",
                "them",
                "command",
                "commands",
                "all",
                "each",
                "this",
                "that",
                "find",
                "on",
                "in",
                "for",
                "to",
                "with",
                "and",
                "script",
                "program",
                "permission",
                "permissions",
                "bit",
                "access",
                "rights",
                "as",
                "by",
                "from",
            ];
            !stop.contains(&c.to_lowercase().as_str())
                && c.chars()
                    .all(|x| x.is_ascii_alphanumeric() || "./-_".contains(x))
                && !c.ends_with("ing")
                && !c.ends_with("ed")
        })
    {
        let full = sl
            .quoted
            .iter()
            .find(|q| q.starts_with(c.as_str()))
            .cloned()
            .unwrap_or(c);
        ops.push(Op::Each(full));
    }
    ops
}

/// The commands a find with these parts and this first operation can be written as, the most
/// common form first.
fn forms(base: &str, op: Option<&Op>, dirs: bool) -> Vec<String> {
    let Some(op) = op else {
        return vec![base.to_string(), format!("{base} -print")];
    };
    match op {
        // empty directories: rmdir, which never removes anything else
        Op::Delete if dirs && base.contains(" -empty") => vec![
            format!("{base} -exec rmdir {{}} \\;"),
            format!("{base} -delete"),
            format!("{base} -print0 | xargs -0 rmdir"),
            format!("{base} | xargs rmdir"),
        ],
        Op::Delete if dirs => vec![
            format!("{base} -exec rm -rf {{}} \\;"),
            format!("{base} -delete"),
            format!("{base} | xargs rm -rf"),
            format!("{base} -exec rmdir {{}} \\;"),
        ],
        Op::Delete => vec![
            format!("{base} -exec rm {{}} \\;"),
            format!("{base} -delete"),
            format!("{base} | xargs rm"),
            format!("{base} -print0 | xargs -0 rm"),
            format!("{base} -exec rm -f {{}} \\;"),
        ],
        Op::Grep(f, pat) => {
            let g = if f.is_empty() {
                format!("grep {pat}")
            } else {
                format!("grep -{f} {pat}")
            };
            vec![
                format!("{base} -exec {g} {{}} \\;"),
                format!("{base} | xargs {g}"),
                format!("{base} -print0 | xargs -0 {g}"),
                format!("{base} -exec {g} {{}} +"),
            ]
        }
        Op::Each(c) if c == "ls -l" => vec![
            format!("{base} -ls"),
            format!("{base} -exec ls -l {{}} \\;"),
            format!("{base} | xargs ls -l"),
            format!("{base} -print0 | xargs -0 ls -l"),
        ],
        Op::Each(c) => vec![
            format!("{base} -exec {c} {{}} \\;"),
            format!("{base} | xargs {c}"),
            format!("{base} -print0 | xargs -0 {c}"),
            format!("{base} -exec {c} {{}} +"),
        ],
        Op::To(c, d) => vec![
            format!("{base} -exec {c} {{}} {d} \\;"),
            format!("{base} | xargs -I {{}} {c} {{}} {d}"),
            format!("{base} -exec {c} -t {d} {{}} +"),
            format!("{base} -print0 | xargs -0 -I {{}} {c} {{}} {d}"),
        ],
        Op::Count => vec![format!("{base} | wc -l"), format!("{base} -print | wc -l")],
        Op::CountLines => vec![
            format!("{base} | xargs wc -l"),
            format!("{base} -exec wc -l {{}} \\;"),
            format!("{base} -print0 | xargs -0 wc -l"),
            format!("{base} | xargs cat | wc -l"),
            format!("{base} -exec wc -l {{}} +"),
        ],
        Op::Usage => vec![
            format!("{base} -exec du -sh {{}} \\;"),
            format!("{base} | xargs du -sh"),
            format!("{base} -exec du -ch {{}} +"),
            format!("{base} -print0 | xargs -0 du -ch"),
        ],
        Op::Largest(n, big) => {
            let r = if *big { "r" } else { "" };
            vec![
                format!("{base} -exec du -h {{}} + | sort -{r}h | head -n {n}"),
                format!("{base} -printf '%s %p\\n' | sort -{r}n | head -n {n}"),
                format!("{base} -exec ls -s {{}} + | sort -{r}n | head -n {n}"),
                format!("{base} | xargs du -h | sort -{r}h | head -n {n}"),
            ]
        }
        Op::Sort(r) => {
            let s = if *r { "sort -r" } else { "sort" };
            vec![format!("{base} | {s}"), format!("{base} -print | {s}")]
        }
        Op::Head(n) => vec![
            format!("{base} | head -n {n}"),
            format!("{base} | head -{n}"),
        ],
        Op::Lines(t) => vec![format!("{base} | {t}"), format!("{base} -print | {t}")],
        Op::Newest(n, oldest) => {
            // modification times sort oldest first
            let end = if *oldest { "head" } else { "tail" };
            vec![
                format!("{base} -printf '%T@ %p\\n' | sort -n | {end} -n {n}"),
                format!("{base} -print0 | xargs -0 ls -ltr | {end} -n {n}"),
                format!("{base} -printf '%T@ %p\\n' | sort -n | {end} -n {n} | cut -d' ' -f2-"),
                format!("{base} -exec ls -ltr {{}} + | {end} -n {n}"),
            ]
        }
        Op::Archive(a) => vec![
            format!("{base} | xargs tar -czvf {a}"),
            format!("{base} -print0 | xargs -0 tar -czvf {a}"),
            format!("{base} -exec tar -rvf {a} {{}} \\;"),
            format!("tar -czvf {a} $({base})"),
        ],
        Op::Print => vec![
            format!("{base} -print"),
            base.to_string(),
            format!("{base} -exec echo {{}} \\;"),
        ],
    }
}

/// Candidates for a file-search request, best first, or none when the request is not one.
pub fn generate(req: &str, sl: &Slots) -> Vec<Candidate> {
    let w = Words::new(req);
    let ops = operations(&w, sl);
    let (global, ty, t) = tests(&w, sl, &ops);
    let strong = !global.is_empty()
        || t.iter().any(|x| {
            x.contains('*')
                || !(x.starts_with("-name ") || x.starts_with("-iname ") || x.starts_with("! "))
        });
    let conf = strength(&w, strong, !ops.is_empty());
    if conf <= 0.0 {
        return vec![];
    }
    let dir = source_dir(&w, sl, req);
    // "following symlinks": find's -L goes before the directory
    let dir = if w.stem(&["follow", "dereferenc"]) && w.stem(&["link", "symlink"]) {
        format!("-L {dir}")
    } else {
        dir
    };
    let build = |ty: Option<&str>| {
        let mut s = format!("find {dir}");
        for g in &global {
            s.push(' ');
            s.push_str(g);
        }
        if let Some(ty) = ty {
            s.push(' ');
            s.push_str(ty);
        }
        for x in &t {
            s.push(' ');
            s.push_str(x);
        }
        s
    };
    let base = build(ty);
    let mut cmds = forms(&base, ops.first(), ty == Some("-type d"));
    // an excluded directory is usually pruned: `-path X -prune -o … -print`
    if ops.is_empty()
        && let Some(ex) = t.iter().find_map(|x| x.strip_prefix("-not -path "))
    {
        let mut s = format!("find {dir}");
        for g in &global {
            s.push(' ');
            s.push_str(g);
        }
        s.push_str(&format!(" -path {} -prune -o", ex.replace("/*'", "'")));
        if let Some(ty) = ty {
            s.push(' ');
            s.push_str(ty);
        }
        for x in t.iter().filter(|x| !x.starts_with("-not -path ")) {
            s.push(' ');
            s.push_str(x);
        }
        s.push_str(" -print");
        cmds.insert(0, s);
    }
    // names separated by NUL characters: `-print0`
    if ops.is_empty()
        && (w.phrase(&["print0", "-print0"])
            || w.stem(&["null", "nul"]) && w.stem(&["delimit", "separat", "terminat", "character"]))
    {
        cmds.insert(0, format!("{base} -print0"));
    }
    // the next operation chained after the first one's main form (count after grep …)
    if let (Some(first), Some(second)) = (cmds.first().cloned(), ops.get(1)) {
        let chained = match second {
            Op::Count | Op::CountLines => Some(format!("{first} | wc -l")),
            Op::Sort(r) => Some(format!("{first} | sort{}", if *r { " -r" } else { "" })),
            Op::Head(n) => Some(format!("{first} | head -n {n}")),
            Op::Lines(t) => Some(format!("{first} | {t}")),
            _ => None,
        };
        if let Some(c) = chained {
            cmds.insert(0, c);
        }
    }
    // the same with the type test dropped or added: "files" often means any entry
    let alt = match ty {
        Some(_) => build(None),
        None => build(Some("-type f")),
    };
    if let Some(c) = forms(&alt, ops.first(), false).into_iter().next() {
        cmds.insert(cmds.len().min(2), c);
    }
    // "list …" often means a long listing of what is found
    if ops.is_empty()
        && w.words
            .first()
            .is_some_and(|f| matches!(f.as_str(), "list" | "lists" | "display" | "displays"))
    {
        let each = Op::Each("ls -l".into());
        cmds.extend(forms(&base, Some(&each), false).into_iter().skip(1).take(2));
    }
    let mut seen = std::collections::HashSet::new();
    cmds.retain(|c| seen.insert(c.clone()));
    cmds.truncate(5);
    cmds.into_iter()
        .enumerate()
        .map(|(i, command)| Candidate {
            command,
            // The same rule as the hand-written intents' alternatives (intents.rs `cand`).
            confidence: (conf * 0.9 - 0.05 * i as f64).max(0.05),
            score: conf,
            source: "compose".into(),
            description: "find files by their properties and act on them".into(),
        })
        .collect()
}

/// Merge the composed candidates with the others: by confidence, duplicates once, five at most.
pub fn merge(mut others: Vec<Candidate>, composed: Vec<Candidate>) -> Vec<Candidate> {
    if composed.is_empty() {
        return others;
    }
    let mut out = composed;
    others.retain(|o| !out.iter().any(|c| c.command == o.command));
    out.append(&mut others);
    out.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
    out.truncate(5);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlc2cmd::utilities;
    use crate::translate::{Context, slots};

    fn cands(req: &str) -> Vec<Candidate> {
        let ctx = Context::default();
        generate(req, &slots::extract(req, &ctx))
    }

    /// The first candidate's utilities, each as `name flag flag…`.
    fn first(req: &str) -> Vec<String> {
        let c = cands(req);
        assert!(!c.is_empty(), "no candidate for {req:?}");
        utilities(&c[0].command)
            .into_iter()
            .map(|u| {
                let mut s = u.name;
                for f in u.flags {
                    s.push(' ');
                    s.push_str(&f);
                }
                s
            })
            .collect()
    }

    fn all(req: &str) -> Vec<String> {
        cands(req).into_iter().map(|c| c.command).collect()
    }

    #[test]
    fn regular_and_normal_files_joined_by_a_slash_are_type_f() {
        let c = all("list the regular/normal files under /srv/www older than 3 days");
        assert_eq!(c[0], "find /srv/www -type f -mtime +3");
        let c = all("show normal/regular files in the current folder");
        assert!(c[0].contains("-type f"), "{c:?}");
        // a regular expression is not a kind of file
        let c = all("find files in /etc whose names match the regular expression 'ab+c'");
        assert!(!c[0].contains("-type f"), "{c:?}");
    }

    #[test]
    fn file_system_counts_and_order_words_are_not_names() {
        let c = all("show all the files in the entire file system bigger than 3MB");
        assert_eq!(c[0], "find / -size +3M");
        for req in [
            "find all the files in /var owned by the user root and display the ten files",
            "display the top 10 files in /var owned by the user root",
        ] {
            assert!(!cands(req)[0].command.contains("-name"), "{req}");
        }
    }

    #[test]
    fn lines_matching_a_text_are_a_content_search() {
        let c =
            all("search the .py files under the src/ directory for lines beginning with 'import'");
        assert_eq!(c[0], "find src/ -name '*.py' -exec grep '^import' {} \\;");
        let c = all("search all *.md files for lines that match the regex 'TODO|FIXME'");
        assert!(c[0].contains("-exec grep 'TODO|FIXME'"), "{c:?}");
        // a regular expression on the names stays find's
        let c = all("find files whose names match the regex 'ab+c'");
        assert!(c[0].contains("-regex ab+c"), "{c:?}");
    }

    #[test]
    fn unquoted_texts_and_two_kinds_of_files() {
        let c = all("search for the string $needle inside all .conf files");
        assert_eq!(c[0], "find . -name '*.conf' -exec grep '$needle' {} \\;");
        let c = all("search the yaml and json files for 'apiVersion' and show the file names");
        assert!(
            c[0].starts_with(
                "find . \\( -name '*.yaml' -o -name '*.json' \\) -exec grep -l apiVersion"
            ),
            "{c:?}"
        );
        // a replacement names its texts, it does not search for them
        let c = all(
            "find all files under the current directory and replace string $old with string $new",
        );
        assert!(!c[0].contains("grep"), "{c:?}");
    }

    #[test]
    fn a_relative_directory_named_as_one_is_where_to_look() {
        assert!(
            all("list the .txt files in the docs/ directory tree")[0].starts_with("find docs/ ")
        );
        assert!(all("find the empty files under build/")[0].starts_with("find build/ "));
        assert!(all("find files owned by root in the file system")[0].starts_with("find / "));
    }

    #[test]
    fn newest_and_oldest_files_sort_by_modification_time() {
        let c = all("find the most recently modified file under /srv/data");
        assert_eq!(
            c[0],
            "find /srv/data -type f -printf '%T@ %p\\n' | sort -n | tail -n 1"
        );
        assert!(
            c.iter()
                .any(|x| x.contains("| xargs -0 ls -ltr | tail -n 1")),
            "{c:?}"
        );
        let c = all("find the 4 oldest log files in /var/log");
        assert!(c[0].ends_with("| sort -n | head -n 4"), "{c:?}");
    }

    #[test]
    fn a_few_lines_of_output_is_head_or_tail() {
        let c = all(
            "find the files owned by alice in /home and show a few lines of output from the beginning",
        );
        assert_eq!(c[0], "find /home -user alice | head");
        let c = all("find the .conf files in /etc and show a few lines of output from the end");
        assert_eq!(c[0], "find /etc -name '*.conf' | tail");
        let c = all(
            "find the files modified in the last 10 minutes in /tmp and page through the output",
        );
        assert_eq!(c[0], "find /tmp -mmin -10 | less");
        // "recursively find …" with an action is a search of the tree
        let c = all("recursively find the newest file in the current directory");
        assert!(c[0].ends_with("| sort -n | tail -n 1"), "{c:?}");
    }

    #[test]
    fn names_starting_with_a_word_and_actions_named_by_whole_words() {
        let c = all("find all the files under /opt that start with the word build");
        assert_eq!(c[0], "find /opt -name 'build*'");
        let c = all("find all the files in /src ending with the word spec");
        assert_eq!(c[0], "find /src -name '*spec'");
        // lines starting with a word are searched inside
        let c = all("search the .c files in /src for lines that start with the word malloc");
        assert!(c[0].contains("grep"), "{c:?}");
        // a file named "copyright" or "top" is not a copy or the top N
        assert_eq!(
            all("locate all \"copyright\" files under /usr/share/doc")[0],
            "find /usr/share/doc -name copyright"
        );
        assert_eq!(
            all("find all files named 'top' in /usr")[0],
            "find /usr -name top"
        );
        assert!(all("show the top 5 files in /var by size")[0].contains("| head -n 5"));
    }

    #[test]
    fn a_destination_named_as_a_directory_is_not_where_to_look() {
        let c = all(
            "find all the .log files in the current directory and move them to folder ~/old.logs",
        );
        assert_eq!(c[0], "find . -name '*.log' -exec mv {} ~/old.logs \\;");
        let c = all("find all pdf files under /srv and copy them to the directory \"/backup/pdf\"");
        assert_eq!(c[0], "find /srv -name '*.pdf' -exec cp {} /backup/pdf \\;");
        // a file compared with is not where to look either
        let c = all("find all files newer than the file $a and older than the file $b");
        assert!(!c[0].starts_with("find '$"), "{c:?}");
    }

    #[test]
    fn the_first_lines_of_each_file_are_head_of_each() {
        let c = all(
            "find all the files ending with .md and display the first 20 lines from these files",
        );
        assert_eq!(c[0], "find . -name '*.md' -exec head -n 20 {} \\;");
        let c = all("find the .log files in /var/log and print the last 5 lines of each file");
        assert_eq!(c[0], "find /var/log -name '*.log' -exec tail -n 5 {} \\;");
    }

    #[test]
    fn text_removed_or_replaced_inside_files_is_sed() {
        let c = all("remove trailing white spaces from all *.rs files under the current directory");
        assert_eq!(
            c[0],
            "find . -name '*.rs' -exec sed -i 's/[[:space:]]*$//' {} \\;"
        );
        let c = all("delete the text matching 'DEBUG' in all .cfg files under /etc");
        assert_eq!(
            c[0],
            "find /etc -name '*.cfg' -exec sed -i 's/DEBUG//g' {} \\;"
        );
        // text files themselves are removed
        let c = all("delete all the text files in the current folder");
        assert_eq!(c[0], "find . -name '*.txt' -exec rm {} \\;");
        let c =
            all("find all *.c files under /src and replace every occurrence of 'foo' with 'bar'");
        assert_eq!(
            c[0],
            "find /src -name '*.c' -exec sed -i 's/foo/bar/g' {} \\;"
        );
    }

    #[test]
    fn empty_directories_are_removed_with_rmdir() {
        let c = all("delete all empty directories under /srv/cache");
        assert_eq!(c[0], "find /srv/cache -type d -empty -exec rmdir {} \\;");
        assert!(c.contains(&"find /srv/cache -type d -empty -print0 | xargs -0 rmdir".to_string()));
        let c = all("remove all empty sub-directories in the current directory");
        assert!(c[0].starts_with("find . -type d -empty"), "{c:?}");
    }

    #[test]
    fn a_name_and_a_text_each_find_their_place() {
        let c = all(
            "count the files under /usr/src whose names begin with 'Kconfig' and which contain 'USB'",
        );
        assert_eq!(
            c[0],
            "find /usr/src -name 'Kconfig*' -exec grep -l USB {} \\; | wc -l"
        );
        let c = all(
            "search for the word \"todo\" in all the files in /srv which have the word \"notes\" in their name",
        );
        assert_eq!(c[0], "find /srv -name '*notes*' -exec grep todo {} \\;");
        // the text searched for is the one after "contain", not the destination
        let c = all("find all files under /mail that contain \"SPAM\" and move them to \"/junk/\"");
        assert!(c.iter().any(|x| x.contains("grep SPAM")), "{c:?}");
        assert!(!c[0].contains("-name"), "{c:?}");
        let c = all("find the directories with the name logs in /var");
        assert_eq!(c[0], "find /var -type d -name logs");
    }

    #[test]
    fn files_with_a_mode_are_selected_not_changed() {
        let c = all("find all the files under /srv whose permissions are 640");
        assert_eq!(c[0], "find /srv -perm 640");
        let c = all("find the files in /opt that have the permissions 711");
        assert_eq!(c[0], "find /opt -perm 711");
        // a change stays a change
        let c = all(
            "find all directories with permissions 777 under /var/www and change their permissions to 755",
        );
        assert_eq!(
            c[0],
            "find /var/www -type d -perm 777 -exec chmod 755 {} \\;"
        );
        let c = all("find all files in /tmp with the sticky bit set");
        assert!(c[0].contains("-perm -1000"), "{c:?}");
    }

    #[test]
    fn the_last_hour_and_written_numbers_are_ages() {
        assert!(
            all("find all the files on the system modified within the last hour")[0]
                .contains("-mmin -60")
        );
        assert!(
            all("find the files in /var accessed within the last hour")[0].contains("-amin -60")
        );
        let c = all("find the files in /srv modified in the last twenty-four hours");
        assert!(c[0].contains("-mtime -1"), "{c:?}");
        assert_eq!(number_word("thirty-two"), Some(32));
        assert_eq!(number_word("two-thirty"), None);
    }

    #[test]
    fn numeric_user_and_group_ids() {
        assert_eq!(
            all("find all files in /srv which belong to the user with the uid 1005")[0],
            "find /srv -uid 1005"
        );
        assert_eq!(
            all("find the directories in /data owned by group id 100")[0],
            "find /data -type d -gid 100"
        );
        let c = all("find all the files in /srv and change their owner to the user with id 184");
        assert!(!c[0].contains("-uid"), "{c:?}");
    }

    #[test]
    fn a_bare_file_name_is_searched_for() {
        assert_eq!(
            all("locate report.pdf in the /srv/docs directory tree")[0],
            "find /srv/docs -name report.pdf"
        );
        assert_eq!(
            all("search for all tar.gz files in /backup")[0],
            "find /backup -name '*.tar.gz'"
        );
        // a destination is not a name
        let c = all("find all the .log files in /var/log and copy them to old.logs");
        assert!(!c[0].contains("-name old.logs"), "{c:?}");
    }

    #[test]
    fn a_given_owner_is_a_placeholder() {
        assert_eq!(
            all("find files in /srv belonging to a given user")[0],
            "find /srv -user USER"
        );
        assert_eq!(
            all("find all files in /tmp owned by a specific group")[0],
            "find /tmp -group GROUP"
        );
    }

    #[test]
    fn a_date_is_newermt() {
        assert_eq!(
            all("find files in /etc modified after March 3rd")[0],
            "find /etc -newermt 'March 3'"
        );
        let c = all("display all the files in /srv which have been modified between two dates");
        assert_eq!(c[0], "find /srv -newermt START ! -newermt END");
        // a file compared with stays -newer
        assert_eq!(
            all("find files in /etc newer than the file /etc/passwd")[0],
            "find /etc -newer /etc/passwd"
        );
    }

    #[test]
    fn an_age_written_as_a_product_is_a_number() {
        let c = all("find all the files in the current folder not modified in the last 24*3 hours");
        assert!(
            c[0].contains("-mtime +3") && !c[0].contains("-name"),
            "{c:?}"
        );
    }

    #[test]
    fn recursive_removal_of_a_file_set_is_a_search() {
        let top = |r: &str| cands(r).first().map(|c| c.command.clone());
        assert_eq!(
            top("Recursively removes all files like '*.pyc' in the /srv folder.").as_deref(),
            Some("find /srv -name '*.pyc' -exec rm {} \\;")
        );
        assert_eq!(
            top("Recursively delete all files and folders named 'tmpdir' in a current folder")
                .as_deref(),
            Some("find . -name tmpdir -exec rm {} \\;")
        );
        // one named folder: rm's own -r, not a search
        assert!(cands("Recursively removes the 'classes' folder").is_empty());
    }

    #[test]
    fn the_file_ages_are_compared_with_is_neither_name_nor_place() {
        let top = |r: &str| cands(r)[0].command.clone();
        assert_eq!(
            top("find all files in /srv that are newer than the file notes.txt"),
            "find /srv -newer notes.txt"
        );
        assert_eq!(
            top(
                "find all files in the current directory tree modified after the /etc/hosts file was modified"
            ),
            "find . -newer /etc/hosts"
        );
        // "exactly 5 days ago": neither older nor newer
        assert_eq!(
            top("find all text files in the current folder modified exactly 5 days ago"),
            "find . -name '*.txt' -mtime 5"
        );
    }

    #[test]
    fn unquoted_text_and_symbolic_modes() {
        let top = |r: &str| cands(r)[0].command.clone();
        assert_eq!(
            top("Find StringBuffer in all *.java files"),
            "find . -name '*.java' -exec grep StringBuffer {} \\;"
        );
        assert_eq!(
            top("search the .java files under /src for TODO lines"),
            "find /src -name '*.java' -exec grep TODO {} \\;"
        );
        // a string in the names is a name test, not a text search
        assert_eq!(
            top("find all files under /srv that contain the string 'zz' in their names"),
            "find /srv -name '*zz*'"
        );
        assert_eq!(
            top("find all directories under /srv and set their SGID bit"),
            "find /srv -type d -exec chmod g+s {} \\;"
        );
        assert_eq!(
            top("find all files under /srv and set read permission for group"),
            "find /srv -exec chmod g+r {} \\;"
        );
        assert_eq!(
            top("assign permissions 755 to directories in the current directory tree"),
            "find . -type d -exec chmod 755 {} \\;"
        );
    }

    #[test]
    fn bare_names_links_access_and_nul_separators() {
        let top = |r: &str| cands(r)[0].command.clone();
        assert_eq!(
            top("search for the file notes in the current folder"),
            "find . -name notes"
        );
        assert_eq!(
            top("find the file report2 in /srv"),
            "find /srv -name report2"
        );
        // a word after "file" that goes on is not a name
        assert_eq!(top("find the file system entries under /srv"), "find /srv");
        assert_eq!(
            top("find all broken symlinks under /opt"),
            "find /opt -xtype l"
        );
        assert_eq!(top("find all links under /opt"), "find /opt -type l");
        assert_eq!(
            top("list all files under /data following symlinks"),
            "find -L /data"
        );
        assert_eq!(
            top("find all of the files that are writable"),
            "find . -writable"
        );
        assert!(!top("find all world writable files").contains("-writable"));
        assert_eq!(
            top("find all files under /srv separated by a null character"),
            "find /srv -print0"
        );
        assert_eq!(
            top(
                "find all files whose name is Notes.txt and contains both capital and small letters in /home"
            ),
            "find /home -iname Notes.txt"
        );
        assert_eq!(
            top("find all files in the current folder which start with pro"),
            "find . -name 'pro*'"
        );
        assert_eq!(
            top("find all mysong.ogg files/directories under /srv"),
            "find /srv -name mysong.ogg"
        );
        assert_eq!(
            top("find every JavaScript file in the /srv directory tree"),
            "find /srv -name '*.js'"
        );
        assert_eq!(
            top("find all files under /srv owned by 'shadow' group"),
            "find /srv -group shadow"
        );
        assert_eq!(
            top("display all the files in the current folder which do not belong to any group"),
            "find . -nogroup"
        );
        assert_eq!(
            top(
                "locate all files under /srv that have 'log' in their names regardless of the case"
            ),
            "find /srv -iname '*log*'"
        );
    }

    #[test]
    fn names_and_extensions() {
        assert_eq!(first("Find all *.txt files under /var"), ["find -name"]);
        assert_eq!(
            cands("Find all *.txt files under /var")[0].command,
            "find /var -name '*.txt'"
        );
        assert_eq!(
            first("find all PHP files in the current directory tree, case insensitive"),
            ["find -iname"]
        );
        assert_eq!(
            first("Find all regular files named 'Waldo' under ~/Books"),
            ["find -name -type"]
        );
        let c = all("Find files whose names contain 'foo' in the current directory tree");
        assert_eq!(c[0], "find . -name '*foo*'");
        let c = all("find all files starting with \"log\" under /tmp");
        assert_eq!(c[0], "find /tmp -name 'log*'");
        let c = all("Find all .c and .h files in the current directory tree");
        assert_eq!(c[0], "find . \\( -name '*.c' -o -name '*.h' \\)");
        assert_eq!(
            all("find all hidden files in /tmp")[0],
            "find /tmp -name '.*'"
        );
    }

    #[test]
    fn types_depth_and_paths() {
        assert_eq!(first("Find all directories under /srv"), ["find -type"]);
        assert_eq!(
            cands("Find all directories under /srv")[0].command,
            "find /srv -type d"
        );
        assert_eq!(
            all("find all symbolic links in the current directory tree")[0],
            "find . -type l"
        );
        assert_eq!(
            all("Find all files/directories under /etc up to depth 2")[0],
            "find /etc -maxdepth 2"
        );
        assert_eq!(
            all("list all files in the current directory only, not recursively")[0],
            "find . -maxdepth 1"
        );
        assert_eq!(
            all("find all files in the entire file system named core")[0],
            "find / -name core"
        );
        let c = all("find the .groovy files outside the ./target directory");
        assert_eq!(
            c[0],
            "find . -path './target' -prune -o -name '*.groovy' -print"
        );
        assert!(
            c.contains(&"find . -name '*.groovy' -not -path './target/*'".to_string()),
            "{c:?}"
        );
    }

    #[test]
    fn size_age_permissions_owner() {
        assert_eq!(
            all("Find all files larger than 10MB in /home")[0],
            "find /home -size +10M"
        );
        assert_eq!(
            all("find files modified in the last 2 days under /etc")[0],
            "find /etc -mtime -2"
        );
        assert_eq!(
            all("find files not modified in the last 30 days under /var/log")[0],
            "find /var/log -mtime +30"
        );
        assert_eq!(
            all("find files in /tmp that are more than three days old")[0],
            "find /tmp -mtime +3"
        );
        assert_eq!(
            all("find files accessed in the last 10 minutes")[0],
            "find . -amin -10"
        );
        assert_eq!(
            all("find all files with permission 777")[0],
            "find . -perm 777"
        );
        assert_eq!(
            all("find all files without permission 644 in /srv")[0],
            "find /srv ! -perm 644"
        );
        assert_eq!(
            all("find all files owned by user bob in /home")[0],
            "find /home -user bob"
        );
        assert_eq!(
            all("find all the files belonging to the group staff")[0],
            "find . -group staff"
        );
        assert_eq!(
            all("find empty files in the current directory tree")[0],
            "find . -empty"
        );
        assert_eq!(
            all("find files newer than /etc/passwd")[0],
            "find . -newer /etc/passwd"
        );
        assert_eq!(
            all("find all files with inode number 1234 under /usr")[0],
            "find /usr -inum 1234"
        );
    }

    #[test]
    fn actions_have_their_forms() {
        let c = all("Find all *.tmp files under /var/tmp and delete them");
        assert_eq!(c[0], "find /var/tmp -name '*.tmp' -exec rm {} \\;");
        assert!(
            c.contains(&"find /var/tmp -name '*.tmp' -delete".to_string()),
            "{c:?}"
        );
        assert!(
            c.contains(&"find /var/tmp -name '*.tmp' | xargs rm".to_string()),
            "{c:?}"
        );
        let c = all("find all empty directories in the current directory tree and remove them");
        assert_eq!(c[0], "find . -type d -empty -exec rmdir {} \\;");
        let c = all(
            "Find all *.py files in the current directory tree and search them for \"import os\"",
        );
        assert_eq!(c[0], "find . -name '*.py' -exec grep 'import os' {} \\;");
        assert!(
            c.iter().any(|x| x.ends_with("| xargs grep 'import os'")),
            "{c:?}"
        );
        let c = all("list the names of all files in /etc containing the string \"root\"");
        assert!(c[0].contains("grep -l root"), "{c:?}");
        let c = all(
            "Find all regular files under the current directory tree and change their permissions to 644",
        );
        assert_eq!(c[0], "find . -type f -exec chmod 644 {} \\;");
        let c = all("find directories with permissions 777 and change them to 755");
        assert_eq!(c[0], "find . -type d -perm 777 -exec chmod 755 {} \\;");
        let c = all("copy all *.jpg files in the current directory tree to /backup");
        assert_eq!(c[0], "find . -name '*.jpg' -exec cp {} /backup \\;");
        let c = all("count all regular files in the current directory tree");
        assert_eq!(c[0], "find . -type f | wc -l");
        let c = all("count the lines of all *.rs files in the current directory tree");
        assert_eq!(c[0], "find . -name '*.rs' | xargs wc -l");
        let c = all("find all *.log files under /var/log and show a long listing of them");
        assert_eq!(c[0], "find /var/log -name '*.log' -ls");
        let c = all("find the 5 largest files in the current directory tree");
        assert_eq!(
            c[0],
            "find . -type f -exec du -h {} + | sort -rh | head -n 5"
        );
        let c = all("find all *.txt files in the current directory tree and sort them");
        assert_eq!(c[0], "find . -name '*.txt' | sort");
        let c = all("find all *.log files in /var/log and compress them");
        assert_eq!(c[0], "find /var/log -name '*.log' -exec gzip {} \\;");
        let c = all("find all directories under /srv and run ./fix.sh on each of them");
        assert_eq!(c[0], "find /srv -type d -exec ./fix.sh {} \\;");
        let c = all("find all *.c files and grep them for 'main', then count the matches");
        assert_eq!(c[0], "find . -name '*.c' -exec grep main {} \\; | wc -l");
    }

    #[test]
    fn names_owners_and_helpers_from_plain_words() {
        assert_eq!(
            all("Locate all passwd files on the system")[0],
            "find / -name passwd"
        );
        assert_eq!(
            all("Find grub.conf files in the entire file system")[0],
            "find / -name grub.conf"
        );
        assert_eq!(
            all("Find root's files in the current directory tree")[0],
            "find . -user root"
        );
        assert_eq!(
            all("Find files writable by group and others under /srv")[0],
            "find /srv -perm -022"
        );
        assert_eq!(
            all("Search the home directory tree for files modified more than a year ago")[0],
            "find ~ -mtime +365"
        );
        let c = all("search for mail in all the regular files in the current folder");
        assert_eq!(c[0], "find . -type f -exec grep mail {} \\;");
        let c = all("find all the files which end with \".deb\" and display their base name");
        assert_eq!(c[0], "find . -name '*.deb' -exec basename {} \\;");
        let c = all("rename all *.html files in the current directory tree");
        assert!(c.iter().any(|x| x.contains("| xargs rename")), "{c:?}");
        // a listing also offers the long forms
        let c = all("List all *.conf files under /etc");
        assert!(
            c.contains(&"find /etc -name '*.conf' -exec ls -l {} \\;".to_string()),
            "{c:?}"
        );
    }

    #[test]
    fn not_a_file_search() {
        for req in [
            "show disk usage",
            "update my system",
            "Find process \"terminal\" displaying the searching process",
            "Search history for \"ssh\"",
            "Recursively change the owner of all files in /srv to bob",
            "print lines containing 'x' in all log files",
            "copy file a.txt to /tmp",
            "List all files in a bucket",
            "Remove all existing files that are configured by `systemd-firstboot`",
            "Search for a pattern within a file",
        ] {
            assert!(cands(req).is_empty(), "{req:?} → {:?}", all(req));
        }
    }

    #[test]
    fn confidence_by_how_clearly_it_is_asked() {
        let c = cands("Find all *.txt files under /var");
        assert!(c[0].confidence >= 0.9 && c.len() > 1, "{c:?}");
        assert!(c.windows(2).all(|p| p[0].confidence >= p[1].confidence));
        // a listing that says nothing about which files is a weak guess
        let weak = cands("display files and directories of /etc");
        assert!(weak.iter().all(|c| c.confidence < 0.6), "{weak:?}");
        assert!(cands("print files and directories of /etc").is_empty());
    }

    #[test]
    fn merge_keeps_five_by_confidence() {
        let mk = |c: &str, p: f64| Candidate {
            command: c.into(),
            confidence: p,
            score: p,
            source: "x".into(),
            description: String::new(),
        };
        let m = merge(
            vec![mk("ls", 0.5), mk("find .", 0.2)],
            vec![mk("find .", 0.9), mk("find . -type f", 0.8)],
        );
        let cmds: Vec<&str> = m.iter().map(|c| c.command.as_str()).collect();
        assert_eq!(cmds, ["find .", "find . -type f", "ls"]);
    }
}
