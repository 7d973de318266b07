//! Request shapes with templates. Matching works on normalised English stems (Spanish and
//! French words are mapped through the glossary first) plus raw substrings for Arabic and
//! Chinese phrases.

use super::slots::{Slots, quote};
use super::{Candidate, Context, fold};

struct M<'a> {
    norm: &'a [String],
    raw: String,
    /// The request as typed (case kept).
    orig: &'a str,
}

impl M<'_> {
    fn has(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.norm.iter().any(|n| n == w))
    }
    fn raw(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.raw.contains(w))
    }
}

/// The interval of "every 5 seconds", "every second", "every half second", "every minute",
/// in seconds.
pub(super) fn every_seconds(raw: &str) -> Option<String> {
    // "every 5 seconds", "toutes les 2 secondes", "cada 10 segundos"
    let (i, k) = ["every ", "toutes les ", "tous les ", "cada "]
        .iter()
        .filter_map(|p| raw.find(p).map(|i| (i, p.len())))
        .min()?;
    let mut t = raw[i + k..].split_whitespace();
    let a = t.next()?;
    let b = t.next().unwrap_or("");
    let unit = |u: &str| {
        if u.starts_with("sec") || u.starts_with("seg") {
            Some(1.0)
        } else if u.starts_with("min") {
            Some(60.0)
        } else {
            None
        }
    };
    // "every second line" counts lines, not time
    let ends = b.is_empty()
        || [
            "and", "with", "to", "in", "for", "until", "while", "then", "or", "on",
        ]
        .contains(&b.trim_end_matches(['.', ',']));
    let secs = if let Some(u) = unit(a).filter(|_| ends) {
        u
    } else if a == "half" {
        unit(b)? / 2.0
    } else {
        a.parse::<f64>().ok().filter(|n| *n > 0.0)? * unit(b)?
    };
    Some(format!("{secs}"))
}

/// A command given to another one (`watch CMD`): a simple command as it is, a pipeline or a
/// list as one quoted argument.
pub(super) fn command_arg(cmd: &str) -> String {
    if cmd.chars().any(|c| "|&;<>()$`\"'\\*?[]{}~#".contains(c)) {
        quote(cmd)
    } else {
        cmd.to_string()
    }
}

/// Push an intent's candidates, best first, each a little less confident than the one before.
pub(super) fn cand(out: &mut Vec<Candidate>, intent: &str, conf: f64, desc: &str, cmds: &[String]) {
    for (k, c) in cmds.iter().enumerate() {
        out.push(Candidate {
            command: c.clone(),
            confidence: (conf * 0.9 - 0.05 * k as f64).max(0.05),
            score: 0.0,
            source: format!("intent:{intent}"),
            description: desc.to_string(),
        });
    }
}

/// grep's options said in words: ignoring case, line numbers, counting, only the matching
/// part, inverted, whole words.
fn grep_flags(m: &M) -> String {
    let mut f = String::new();
    if m.raw(&[
        "insensitive",
        "ignoring case",
        "ignore case",
        "regardless of case",
    ]) {
        f.push('i');
    }
    if m.raw(&[
        "line number",
        "with numbers",
        "number the lines",
        "numbered",
    ]) {
        f.push('n');
    }
    if m.raw(&[
        "count of",
        "number of lines",
        "how many lines",
        "count the lines",
        "count lines",
    ]) {
        f.push('c');
    }
    if m.raw(&[
        "only the match",
        "only matching",
        "only the part",
        "only matched",
    ]) {
        f.push('o');
    }
    if m.raw(&[
        "not containing",
        "not contain",
        "don't contain",
        "do not match",
        "not matching",
        "don't match",
        "without",
        "excluding lines",
        "except lines",
    ]) {
        f.push('v');
    }
    if m.raw(&["whole word", "as a word", "entire word"]) {
        f.push('w');
    }
    f
}

pub(super) fn sudo(ctx: &Context) -> &'static str {
    if ctx.has_command("sudo") || ctx.path_cmds.is_empty() {
        "sudo "
    } else {
        ""
    }
}

/// The object of a verb: a quoted string, a name, a path, a cwd file, or the first content word
/// after one of `after`.
fn object(sl: &Slots, req: &str, after: &[&str]) -> Option<String> {
    if let Some(q) = sl.quoted.first() {
        return Some(q.clone());
    }
    if let Some(n) = sl.names.first() {
        return Some(n.clone());
    }
    if let Some(p) = sl.paths.first() {
        return Some(p.clone());
    }
    if let Some(f) = sl.cwd_files.first() {
        return Some(f.clone());
    }
    let ws: Vec<String> = req
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-' && c != '_' && c != '.')
                .to_string()
        })
        .collect();
    let skip = [
        "the",
        "a",
        "an",
        "package",
        "packages",
        "paquete",
        "paquet",
        "le",
        "la",
        "el",
        "un",
        "une",
        "program",
        "programa",
        "programme",
        "service",
        "servicio",
        "new",
        "nuevo",
        "nouveau",
        "file",
        "directory",
        "folder",
        "user",
        "process",
        "named",
        "called",
        // function words are never the object
        "of",
        "for",
        "to",
        "from",
        "in",
        "on",
        "with",
        "by",
        "at",
        "de",
        "del",
        "des",
        "du",
        "en",
        "con",
        "por",
        "para",
        "specific",
        "specified",
        "given",
        "certain",
        "current",
        "some",
        "all",
        "my",
        "mi",
        "mon",
        "this",
        "that",
        "its",
        "their",
        "your",
    ];
    for (k, w) in ws.iter().enumerate() {
        if after.contains(&fold(w).as_str()) {
            for n in &ws[k + 1..] {
                if !n.is_empty() && !skip.contains(&fold(n).as_str()) {
                    return Some(n.clone());
                }
            }
        }
    }
    None
}

pub(super) const SERVICES: &[&str] = &[
    "nginx",
    "apache2",
    "httpd",
    "ssh",
    "sshd",
    "docker",
    "mysql",
    "mariadb",
    "postgresql",
    "cron",
    "networkmanager",
    "bluetooth",
    "cups",
    "redis",
    "mongod",
    "php-fpm",
    "ufw",
    "firewalld",
    "systemd-networkd",
    "systemd-resolved",
    "containerd",
    "kubelet",
    "questlogd",
    "kmonitord",
    "healerd",
];

pub fn matches(req: &str, norm: &[String], sl: &Slots, ctx: &Context) -> Vec<Candidate> {
    let m = M {
        norm,
        raw: fold(req),
        orig: req,
    };
    let mut out = Vec::new();
    let dir = sl
        .paths
        .iter()
        .find(|p| {
            // a glob is a pattern, not the directory to search
            !p.contains(['*', '?', '['])
                && (!p.contains('.')
                    || p.starts_with('.')
                    || p.starts_with('/')
                    || p.starts_with('~'))
        })
        .cloned()
        .or(sl.scope.clone())
        .unwrap_or_else(|| ".".into());
    let dirq = quote(&dir);
    let s = sudo(ctx);
    let pm = ctx.pm();

    // ---- packages ----
    let update_words =
        m.has(&["update", "upgrade"]) || m.raw(&["更新", "升级", "تحديث", "حدث", "حدّث"]);
    let system_words = m.has(&[
        "system",
        "package",
        "software",
        "everything",
        "machine",
        "os",
        "computer",
        "pc",
        "my",
    ]) || m.raw(&["系统", "软件", "النظام", "نظامي", "الحزم"]);
    if update_words
        && (system_words || norm.len() <= 2)
        && !m.has(&[
            "git", "npm", "pip", "cargo", "rustup", "snap", "flatpak", "docker", "kubectl",
        ])
    {
        let cmds: Vec<String> = match pm {
            "dnf" => vec![
                format!("{s}dnf upgrade --refresh -y"),
                format!("{s}dnf check-update"),
            ],
            "yum" => vec![format!("{s}yum update -y")],
            "pacman" => vec![format!("{s}pacman -Syu")],
            "zypper" => vec![format!("{s}zypper refresh && {s}zypper update -y")],
            "apk" => vec![format!("{s}apk update && {s}apk upgrade")],
            _ => vec![
                format!("{s}apt update && {s}apt upgrade -y"),
                format!("{s}apt update"),
                format!("{s}apt full-upgrade -y"),
            ],
        };
        cand(
            &mut out,
            "update-system",
            0.92,
            "update the package lists and upgrade every installed package",
            &cmds,
        );
    }
    if m.has(&["install"])
        && !m.has(&["uninstall"])
        && !update_words
        && let Some(p) = object(
            sl,
            req,
            &["install", "instala", "instalar", "installer", "installe"],
        )
    {
        let p = quote(&p);
        let cmds = match pm {
            "dnf" | "yum" => vec![format!("{s}{pm} install -y {p}")],
            "pacman" => vec![format!("{s}pacman -S {p}")],
            "zypper" => vec![format!("{s}zypper install {p}")],
            "apk" => vec![format!("{s}apk add {p}")],
            _ => vec![
                format!("{s}apt install -y {p}"),
                format!("{s}apt-get install {p}"),
            ],
        };
        cand(
            &mut out,
            "install-package",
            0.85,
            "install a package",
            &cmds,
        );
    }
    if (m.has(&["uninstall"])
        || m.has(&["remove", "delete", "purge"])
            && m.has(&["package", "program", "software", "application"]))
        && let Some(p) = object(
            sl,
            req,
            &[
                "uninstall",
                "remove",
                "delete",
                "purge",
                "desinstala",
                "elimina",
                "supprime",
                "desinstalle",
            ],
        )
    {
        let p = quote(&p);
        let cmd = match pm {
            "dnf" | "yum" => format!("{s}{pm} remove {p}"),
            "pacman" => format!("{s}pacman -R {p}"),
            "zypper" => format!("{s}zypper remove {p}"),
            _ => format!("{s}apt remove {p}"),
        };
        // "remove the package vim": the word package and its name are both given
        let conf = if m.has(&["package", "paquete", "paquet"])
            && !super::STOP.contains(&p.trim_matches('\''))
            && m.norm.len() <= 4
        {
            0.95
        } else {
            0.8
        };
        cand(&mut out, "remove-package", conf, "remove a package", &[cmd]);
    }
    if m.has(&["search", "find"])
        && m.has(&["package"])
        && let Some(p) = object(sl, req, &["for", "package", "paquete", "paquet"])
    {
        let cmd = match pm {
            "dnf" | "yum" => format!("{pm} search {}", quote(&p)),
            "pacman" => format!("pacman -Ss {}", quote(&p)),
            _ => format!("apt search {}", quote(&p)),
        };
        cand(
            &mut out,
            "search-package",
            0.8,
            "search the package archive",
            &[cmd],
        );
    }

    // ---- disk ----
    // "space" alone is not enough: "space-separated", "a space instead of a newline"
    let amount = m.has(&[
        "usage",
        "free",
        "full",
        "left",
        "available",
        "used",
        "much",
        "show",
    ]);
    if (m.has(&["disk", "storage"]) && (amount || m.has(&["space"])) || m.has(&["space"]) && amount)
        && !m.has(&["directory", "folder"])
    {
        cand(
            &mut out,
            "disk-free",
            0.88,
            "free space per mounted filesystem",
            &["df -h".into(), "df -h /".into(), format!("du -sh {dirq}/*")],
        );
    }
    // "report file system disk usage in kilobytes": df with its options said in words
    if m.raw(&["file system", "filesystem"])
        && m.raw(&["disk usage", "disk space", "space usage", "disk usage"])
    {
        let mut f = String::from("df");
        if m.raw(&["power of 1000", "powers of 1000"]) {
            f.push_str(" -H");
        } else if m.raw(&["human readable", "human-readable"]) {
            f.push_str(" -h");
        }
        if m.raw(&[
            "kilobyte",
            "1 kib",
            "1k block",
            "1 kb",
            "1kb",
            "kib block",
            "in kb",
        ]) {
            f.push_str(" -k");
        }
        if m.raw(&["1gb block", "1 gb block", "gigabyte"]) {
            f.push_str(" -BG");
        } else if m.raw(&["1mb block", "1 mb block", "megabyte"]) {
            f.push_str(" -BM");
        }
        if m.raw(&["posix"]) {
            f.push_str(" -P");
        }
        if m.raw(&["inode"]) {
            f.push_str(" -i");
        }
        if m.raw(&["file system type", "filesystem type", "with type"]) {
            f.push_str(" -T");
        }
        if m.raw(&["total"]) {
            f.push_str(" --total");
        }
        if let Some(p) = sl.paths.first().or(sl.quoted.first()) {
            f.push_str(&format!(" {}", quote(p)));
        } else if m.raw(&["current directory", "current folder", "working directory"]) {
            f.push_str(" .");
        } else if m.raw(&["root file system", "root filesystem"]) {
            f.push_str(" /");
        }
        cand(&mut out, "df", 1.0, "disk usage per file system", &[f]);
    }
    // "change directory to /srv", "go to the parent directory"
    if matches!(
        m.norm.first().map(String::as_str),
        Some("change" | "go" | "switch" | "cd" | "move")
    ) && m.raw(&["directory to", "folder to", "go to", "dir to"])
        && !m.raw(&[
            "directory tree",
            "directories",
            "$(",
            "`",
            "containing",
            "where",
            "of the",
            "output",
        ])
    {
        let target = sl
            .quoted
            .first()
            .or(sl.paths.first())
            .map(|p| quote(p))
            .or_else(|| {
                if m.raw(&["parent directory", "parent folder"]) {
                    Some("..".into())
                } else if m.raw(&["home directory", "home folder"]) {
                    Some("~".into())
                } else if m.raw(&["previous directory", "previous folder"]) {
                    Some("-".into())
                } else {
                    None
                }
            });
        if let Some(t) = target {
            let opt = if m.raw(&["not resolve", "without resolving", "logical"]) {
                "-L "
            } else if m.raw(&["resolve any symlinks", "resolving symlinks", "physical"]) {
                "-P "
            } else {
                ""
            };
            cand(
                &mut out,
                "cd",
                1.0,
                "change the working directory",
                &[format!("cd {opt}{t}")],
            );
        }
    }
    // "mount \"ext4\" filesystem \"/dev/sdb1\" on \"/mnt\"", "mount X on Y as a loop back device"
    if m.norm.first().is_some_and(|w| w == "mount")
        && let Some(dev) = sl
            .quoted
            .iter()
            .chain(sl.paths.iter())
            .find(|p| p.starts_with('/') || p.contains('.') && !p.starts_with("*"))
    {
        let mut f = String::from("mount");
        if let Some(t) = sl
            .quoted
            .iter()
            .find(|q| !q.contains(['/', '.']) && m.orig.contains(&format!("{q}\" filesystem")))
        {
            f.push_str(&format!(" -t {}", quote(t)));
        }
        if m.raw(&["loop back", "loopback", "loop device"]) {
            f.push_str(" -o loop");
        } else if m.raw(&["read only", "read-only", "readonly"]) {
            f.push_str(" -o ro");
        }
        f.push_str(&format!(" {}", quote(dev)));
        if let Some(on) = sl.quoted.iter().find(|q| {
            *q != dev
                && ["on", "at", "to"].iter().any(|k| {
                    ["\"", "'"]
                        .iter()
                        .any(|d| m.orig.contains(&format!("{k} {d}{q}{d}")))
                })
        }) {
            f.push_str(&format!(" {}", quote(on)));
        } else if let Some(on) = sl
            .paths
            .iter()
            .find(|p| *p != dev && !p.starts_with("/dev/"))
        {
            // unquoted: "mount /dev/sdb1 on /mnt"
            f.push_str(&format!(" {}", quote(on)));
        }
        cand(&mut out, "mount", 1.0, "mount a filesystem", &[f]);
    }
    // "remount /system as read and write", "remount / with read only permission"
    if m.norm.first().is_some_and(|w| w.starts_with("remount"))
        && let Some(dev) = sl.quoted.first().or(sl.paths.first())
    {
        let mode = if m.raw(&["read only", "read-only", "readonly"]) {
            ",ro"
        } else if m.raw(&[
            "read and write",
            "read-write",
            "read write",
            "writable",
            "rw",
        ]) {
            ",rw"
        } else {
            ""
        };
        let on = sl
            .quoted
            .iter()
            .chain(sl.paths.iter())
            .find(|p| *p != dev && p.starts_with('/'))
            .map(|p| format!(" {}", quote(p)))
            .unwrap_or_default();
        cand(
            &mut out,
            "remount",
            1.0,
            "remount a filesystem with other options",
            &[format!("mount -o remount{mode} {}{on}", quote(dev))],
        );
    }
    // "how big is this folder", not "copy … to all directories" or "size of all *.jpg files"
    if m.has(&["size", "usage", "big", "space", "much"])
        && m.has(&["directory", "folder"])
        && sl.exts.is_empty()
        && !m.has(&[
            "file",
            "copy",
            "delete",
            "remove",
            "move",
            "create",
            "difference",
            "compare",
            "list",
            "sort",
            "find",
            "search",
        ])
    {
        cand(
            &mut out,
            "dir-size",
            0.86,
            "size of a directory",
            &[
                format!("du -sh {dirq}"),
                format!("du -h --max-depth=1 {dirq} | sort -h"),
            ],
        );
    }
    let large = m.has(&["large", "big", "biggest", "largest", "huge", "heavy"])
        || m.raw(&[
            "mas grande",
            "plus gros",
            "volumineux",
            "grandes",
            "pesados",
        ]);
    if large && m.has(&["file", "space"]) {
        let size = sl.size.clone().unwrap_or_else(|| "+100M".into());
        cand(
            &mut out,
            "large-files",
            0.9,
            "files bigger than a size",
            &[
                format!("find {dirq} -type f -size {size} -exec ls -lh {{}} +"),
                format!(
                    "du -ah {dirq} | sort -rh | head -n {}",
                    sl.numbers.first().copied().unwrap_or(20)
                ),
                format!("find {dirq} -type f -size {size}"),
            ],
        );
    }

    // ---- finding files ----
    let finding = m.has(&[
        "find", "search", "locate", "list", "show", "display", "get", "print", "look", "delete",
        "remove", "count", "copy", "move", "change", "make", "set", "compress", "archive", "give",
    ]);
    let file_filter = !sl.exts.is_empty()
        || !sl.names.is_empty()
        || sl.size.is_some()
        || sl.time.is_some()
        || m.has(&[
            "empty",
            "executable",
            "symlink",
            "link",
            "suid",
            "writable",
            "permission",
            "owned",
            "newer",
            "modified",
        ]) && m.has(&["file", "directory"]);
    let file_words = m.has(&["file", "directory", "subdirectory", "tree"])
        && !m.has(&[
            "branch",
            "commit",
            "container",
            "image",
            "package",
            "pod",
            "bucket",
            "repository",
            "service",
        ]);
    // "archive/sync/mirror A to B", "copy A to host:B": rsync's archive mode, not a tarball
    let operands: Vec<&String> = sl.quoted.iter().chain(&sl.paths).collect();
    let remote = operands
        .iter()
        .any(|o| o.contains(':') && !o.contains("://") && !o.starts_with(':'))
        || m.has(&["host", "remote", "server", "rsync"]);
    let syncing = (m.has(&["archive", "sync", "synchronize", "mirror", "rsync"])
        || m.has(&["copy", "backup", "transfer"]) && remote)
        && sl.exts.is_empty()
        && (remote || operands.len() >= 2 && m.raw(&[" to "]))
        && !m.has(&["tar", "zip", "gzip"])
        // "the manual of rsync" is rsync's documentation, not a sync
        && !m.has(&["manual", "manpage", "documentation"]);
    if syncing {
        let compress = m.has(&["compress", "compression"]);
        let opts = if compress { "-avz" } else { "-av" };
        let mut extra = String::new();
        if m.raw(&["delet", "remov", "borra", "elimina", "supprim"]) {
            extra.push_str(" --delete");
        }
        if m.has(&["progress"]) {
            extra.push_str(" --progress");
        }
        if m.has(&["ssh"]) {
            extra.push_str(" -e ssh");
        }
        let (src, dst) = match (operands.first(), operands.last()) {
            (Some(a), Some(b)) if operands.len() >= 2 => (quote(a), quote(b)),
            (Some(a), _) => (quote(a), "DEST".to_string()),
            _ => ("SRC".to_string(), "DEST".to_string()),
        };
        cand(
            &mut out,
            "sync",
            0.92,
            "copy a tree in archive mode (permissions, times, links kept), locally or to a host",
            &[
                format!("rsync {opts}{extra} {src} {dst}"),
                format!("rsync -avz{extra} {src} {dst}"),
            ],
        );
    }
    let archiving = !syncing
        // "copy photos to /backup" is a copy, whatever the destination is called
        && (m.has(&["compress", "archive", "pack"])
            || m.has(&["backup"]) && !m.has(&["copy", "cp", "move", "mv"])
            || m.has(&["zip", "tar"])
                && !m.has(&[
                    "find", "search", "locate", "list", "show", "delete", "count", "remove",
                ]))
        && !m.has(&["extract", "unzip", "decompress", "unpack"])
        // reading, encrypting or annotating an archive is not making one
        && !m.has(&["view", "open", "read", "encrypt", "comment", "exclude"])
        && sl.exts.iter().all(|e| {
            matches!(
                e.as_str(),
                "zip" | "tar" | "gz" | "tgz" | "bz2" | "xz" | "7z"
            )
        });
    // NL2Bash-style requests over a file tree: "… all files under X …", "… in the current
    // directory tree …" with an action verb ("convert", "concatenate", "checksum" …).
    let tree_scope = m.raw(&[
        "directory tree",
        "folder tree",
        "files under",
        "files in the current",
        "files in current",
        "all files",
        "all the files",
        "all regular",
        "all directories",
        "all the directories",
        "all the regular",
        "recursively",
        "and below",
        "and its subdirectories",
        "sub-directories",
        "subdirectories",
        "subfolders",
        "sub folders",
        "sub-folders",
        "sub directories",
    ]) || file_words && m.has(&["tree", "under", "below"]);
    // making directories or files is not a search over a tree
    let tree_scope = tree_scope && !m.has(&["create", "make", "mkdir", "new"]);
    // "list all files, including hidden ones": a directory listing (`ls -a`), not a search
    let listing_hidden = m.has(&["list", "show", "display"])
        && m.has(&["hidden"])
        && !file_filter
        && !m.has(&[
            "find",
            "search",
            "locate",
            "recursive",
            "recursively",
            "tree",
            "subdirectory",
            "under",
            "below",
        ]);
    let tree_scope = tree_scope && !listing_hidden;
    let acting = tree_scope && find_action(&m, sl).is_some();
    if large || archiving && !tree_scope {
        // handled by the large-files and compress intents
    } else if super::tools::asks_duplicate_contents(req)
        || m.has(&["create", "make", "mkdir", "new"])
            && m.has(&["directory", "folder"])
            && !m.has(&["find", "search", "locate", "each", "every", "all"])
    {
        // files with the same contents: a checksum comparison (see `tools`), not a search;
        // "make a directory called projects" is mkdir
    } else if acting
        || tree_scope && file_words
        || finding && file_filter
        || (m.has(&["find", "locate", "search"])
            || finding
                && m.has(&[
                    "tree",
                    "recursively",
                    "recursive",
                    "under",
                    "below",
                    "subdirectory",
                ]))
            && file_words
    {
        find_intent(&m, sl, &dirq, &mut out);
    }

    // ---- searching text ----
    if m.has(&[
        "search",
        "find",
        "grep",
        "look",
        "contain",
        "match",
        "occurrence",
        "mention",
    ]) && !sl.quoted.is_empty()
        && !m.has(&["package"])
        && m.has(&[
            "contain",
            "containing",
            "text",
            "string",
            "pattern",
            "word",
            "content",
            "occurrence",
            "match",
            "matching",
            "mention",
            "line",
            "grep",
            "inside",
            "within",
        ])
        && !m.has(&["named", "name", "called"])
        // editing text, changing directory or filtering processes are other intents
        && !m.has(&[
            "change", "replace", "substitute", "rename", "insert", "convert", "process",
            "variable",
        ])
    {
        // a quoted file after "in"/"from"/"of" is where to search, the other quoted text what
        let file_q = sl.quoted.iter().find(|q| {
            [
                "in",
                "from",
                "of",
                "inside",
                "in file",
                "in the file",
                "from file",
            ]
            .iter()
            .any(|w| {
                [
                    format!("{w} \"{q}\""),
                    format!("{w} '{q}'"),
                    format!("{w} `{q}`"),
                ]
                .iter()
                .any(|p| m.orig.contains(p.as_str()))
            })
        });
        let pat = sl
            .quoted
            .iter()
            .find(|q| Some(*q) != file_q)
            .unwrap_or(&sl.quoted[0]);
        let q = quote(pat);
        let mut cmds = vec![
            format!("grep -rn {q} {dirq}"),
            format!("grep -rl {q} {dirq}"),
        ];
        if let Some(e) = sl.exts.first() {
            cmds.insert(0, format!("grep -rn --include='*.{e}' {q} {dirq}"));
        }
        if let Some(f) = file_q
            .filter(|f| *f != pat)
            .or(sl.cwd_files.first())
            .or(sl.paths.iter().find(|p| p.contains('.')))
        {
            // one file: grep's options from the words, the plain form first
            let fl = grep_flags(&m);
            let opts = if fl.is_empty() {
                String::new()
            } else {
                format!("-{fl} ")
            };
            cmds.insert(0, format!("grep -n {q} {}", quote(f)));
            cmds.insert(0, format!("grep {opts}{q} {}", quote(f)));
        }
        if m.has(&["insensitive", "ignoring", "ignore"]) {
            cmds.insert(0, format!("grep -rni {q} {dirq}"));
        }
        cand(&mut out, "search-text", 0.87, "search text in files", &cmds);
    }

    // ---- counting ----
    // lines matching a pattern, or per-line counts, are the count-matches and count-each
    // pipelines
    let counting_matches = !sl.quoted.is_empty()
        && m.has(&["contain", "containing", "match", "matching", "with"])
        || m.has(&["each", "occur", "occurrence", "frequency"]);
    // "number of lines", not "line numbers"
    let counting =
        m.has(&["count", "many"]) || m.raw(&["number of", "numero de", "cantidad de", "nombre de"]);
    if counting && !counting_matches {
        let target = sl.cwd_files.first().or(sl.paths.first()).map(|f| quote(f));
        if m.has(&["line"]) {
            let t = target.clone().unwrap_or_else(|| "FILE".into());
            let mut cmds = vec![format!("wc -l {t}")];
            // the lines of every matching file in a tree
            if let Some(e) = sl.exts.first()
                && (target.is_none() || m.has(&["all", "recursive", "recursively", "tree"]))
            {
                cmds.insert(0, format!("find {dirq} -name '*.{e}' | xargs cat | wc -l"));
            }
            cand(&mut out, "count-lines", 0.92, "count lines", &cmds);
        } else if m.has(&["word"]) {
            let t = target.clone().unwrap_or_else(|| "FILE".into());
            cand(
                &mut out,
                "count-words",
                0.86,
                "count words",
                &[format!("wc -w {t}")],
            );
        } else if m.has(&["file", "directory"]) && sl.exts.is_empty() {
            cand(
                &mut out,
                "count-files",
                0.8,
                "count files",
                &[
                    format!("find {dirq} -type f | wc -l"),
                    format!("ls {dirq} | wc -l"),
                ],
            );
        }
    }

    // ---- listing ----
    if m.has(&["list", "show", "display", "see", "what"])
        && m.has(&["file", "content", "directory"])
        && !file_filter
        && !m.has(&[
            "open", "process", "package", "service", "line", "block", "disk",
        ])
        // one file's contents or name are not a directory listing
        && (!m.raw(&[" a file", " the file", " this file", " one file"])
            || m.has(&["directory", "folder"]))
    {
        let mut flags = String::from("-la");
        let mut desc = "list files with details";
        let human = m.raw(&["human-readable", "human readable", "kib", "mib", "gib"]);
        if m.has(&["biggest", "largest"])
            || m.has(&["size"]) && m.has(&["sort", "sorted", "order", "ordered"])
        {
            flags = "-laS".into();
            desc = "list files by size";
        } else if human || m.has(&["size"]) {
            flags = "-lah".into();
            desc = "list files with their sizes";
        } else if m.has(&["time", "date", "recent", "newest", "modified", "latest"]) {
            flags = "-lat".into();
            desc = "list files by modification time";
        } else if m.has(&["recursive", "recursively", "subdirectory"]) {
            flags = "-laR".into();
        }
        if human && !flags.contains('h') {
            flags.push('h');
        }
        let mut cmds = vec![format!("ls {flags} {dirq}")];
        if m.has(&["hidden"]) {
            cmds.insert(0, format!("ls -a {dirq}"));
        }
        if m.has(&["tree"]) {
            cmds.insert(0, format!("tree {dirq}"));
        }
        // hidden files asked for: `ls -a` is the answer, nothing else is
        let conf = if m.has(&["hidden"]) { 0.86 } else { 0.8 };
        cand(&mut out, "list-files", conf, desc, &cmds);
    }

    // ---- archives ----
    if archiving && !m.has(&["list"]) {
        let target = sl
            .cwd_files
            .first()
            .or(sl.paths.first())
            .or(sl.names.first())
            .cloned()
            .unwrap_or_else(|| dir.clone());
        let stem = sl.quoted.first().cloned().unwrap_or_else(|| {
            let b = target
                .trim_end_matches('/')
                .rsplit('/')
                .next()
                .unwrap_or("archive")
                .to_string();
            if b.is_empty() || b == "." || b == "~" {
                "archive".into()
            } else {
                b
            }
        });
        let t = quote(&target);
        let zip = format!("zip -r {}.zip {t}", quote(&stem));
        let tgz = format!("tar -czf {}.tar.gz {t}", quote(&stem));
        let cmds = if m.has(&["zip"]) {
            vec![zip, tgz]
        } else {
            vec![tgz, zip]
        };
        cand(
            &mut out,
            "compress",
            0.88,
            "pack files into a compressed archive",
            &cmds,
        );
    }
    if m.has(&[
        "extract",
        "unzip",
        "decompress",
        "unpack",
        "untar",
        "uncompress",
    ]) {
        let f = sl
            .cwd_files
            .first()
            .or(sl.paths.first())
            .or(sl.quoted.first())
            .cloned()
            .unwrap_or_else(|| "ARCHIVE".into());
        let fl = f.to_lowercase();
        let q = quote(&f);
        // "extract backup.tar.gz into /tmp": where to, a directory written after into/to/in
        let dest = sl
            .paths
            .iter()
            .find(|p| {
                **p != f
                    && !p.contains(['*', '?'])
                    && ["into", "to", "in", "en", "dans"]
                        .iter()
                        .any(|k| m.orig.contains(&format!("{k} {p}")))
            })
            .map(|p| quote(p));
        let (tar_to, unzip_to, z7_to) = match &dest {
            Some(d) => (format!(" -C {d}"), format!(" -d {d}"), format!(" -o{d}")),
            None => Default::default(),
        };
        let cmd = if fl.ends_with(".zip") || m.has(&["zip", "unzip"]) {
            format!("unzip {q}{unzip_to}")
        } else if fl.ends_with(".tar.gz") || fl.ends_with(".tgz") {
            format!("tar -xzf {q}{tar_to}")
        } else if fl.ends_with(".tar.bz2") {
            format!("tar -xjf {q}{tar_to}")
        } else if fl.ends_with(".tar.xz") {
            format!("tar -xJf {q}{tar_to}")
        } else if fl.ends_with(".gz") && dest.is_none() {
            format!("gunzip {q}")
        // one compressed file, not an archive: its own decompressor
        } else if fl.ends_with(".xz") && dest.is_none() {
            format!("xz -d {q}")
        } else if fl.ends_with(".bz2") && dest.is_none() {
            format!("bunzip2 {q}")
        } else if fl.ends_with(".zst") && dest.is_none() {
            format!("zstd -d {q}")
        } else if fl.ends_with(".7z") {
            format!("7z x {q}{z7_to}")
        } else {
            format!("tar -xf {q}{tar_to}")
        };
        cand(
            &mut out,
            "extract",
            0.86,
            "extract an archive",
            &[cmd, format!("tar -xvf {q}{tar_to}")],
        );
    }

    // ---- processes and system state ----
    // the processes using the most memory or CPU: sorted, the top N
    let by_mem = m.has(&["memory", "ram", "mem"]) || m.raw(&["memoire", "memoria"]);
    let by_cpu = m.has(&["cpu", "processor"]);
    if (by_mem || by_cpu)
        && m.has(&[
            "process",
            "program",
            "task",
            "proceso",
            "processus",
            "programa",
        ])
        && (m.raw(&[
            "most", "top", "highest", "biggest", "heaviest", "hungry", "hog", "consum", "using",
            "use ", "uses", "eat", "plus de", "mas ", "más", "sort", "by ",
        ]))
        && !m.has(&["kill", "stop", "terminate", "limit"])
    {
        let n = sl
            .numbers
            .first()
            .copied()
            .filter(|n| (1..=1000).contains(n))
            .unwrap_or(10);
        let key = if by_mem && !by_cpu { "%mem" } else { "%cpu" };
        cand(
            &mut out,
            "top-processes",
            0.95,
            "the processes using the most memory or CPU",
            &[
                format!("ps aux --sort=-{key} | head -n {}", n + 1),
                format!("top -b -n 1 -o {key} | head -n {}", n + 7),
            ],
        );
    }
    if m.has(&["process", "program", "running"])
        && m.has(&[
            "list", "show", "display", "running", "all", "see", "which", "what",
        ])
        && !m.has(&["kill", "stop", "terminate", "port"])
    {
        let mut cmds = vec!["ps aux".to_string(), "ps -ef".to_string()];
        if m.has(&["memory", "ram"]) {
            cmds.insert(0, "ps aux --sort=-%mem | head -n 15".into());
        } else if m.has(&["cpu"]) {
            cmds.insert(0, "ps aux --sort=-%cpu | head -n 15".into());
        }
        cand(&mut out, "processes", 0.84, "list running processes", &cmds);
    }
    if m.has(&["kill", "terminate"]) || m.has(&["stop"]) && m.has(&["process", "program"]) {
        if let Some(n) = sl.numbers.first() {
            // "kill process 1234", "kill pid 1234": the number is the process
            let pid = m.has(&["process", "pid", "proceso", "processus"]) || m.norm.len() <= 2;
            cand(
                &mut out,
                "kill",
                if pid { 0.95 } else { 0.85 },
                "terminate a process by id",
                &[format!("kill {n}"), format!("kill -9 {n}")],
            );
        } else if let Some(p) = object(
            sl,
            req,
            &[
                "kill",
                "terminate",
                "stop",
                "mata",
                "matar",
                "tue",
                "tuer",
                "process",
                "proceso",
                "processus",
            ],
        ) {
            let p = quote(&p);
            cand(
                &mut out,
                "kill",
                0.85,
                "terminate processes by name",
                &[format!("pkill {p}"), format!("killall {p}")],
            );
        }
    }
    if m.has(&["memory", "ram"]) && !m.has(&["process"]) {
        cand(
            &mut out,
            "memory",
            0.85,
            "memory usage",
            &["free -h".into()],
        );
    }
    if m.has(&["cpu", "processor"])
        && m.has(&["info", "information", "detail", "show", "model", "core"])
    {
        let asked = m.has(&[
            "info",
            "information",
            "detail",
            "details",
            "model",
            "core",
            "cores",
        ]) && m.has(&[
            "show",
            "display",
            "print",
            "what",
            "info",
            "information",
            "details",
            "get",
            "list",
            "which",
            "how",
        ]) && !m.has(&["set", "use", "thread", "threads", "limit"]);
        cand(
            &mut out,
            "cpu-info",
            if asked && !m.has(&["usage", "load", "process"]) {
                0.95
            } else {
                0.82
            },
            "CPU details",
            &["lscpu".into(), "nproc".into()],
        );
    }
    if m.has(&["ip"]) && m.has(&["address", "show", "my", "what"])
        || m.raw(&["ip address", "direccion ip", "adresse ip"])
    {
        cand(
            &mut out,
            "ip-address",
            0.85,
            "network addresses",
            &["ip addr".into(), "hostname -I".into()],
        );
    }
    if m.has(&["port"])
        && m.has(&["open", "listen", "listening", "used", "show", "list"])
        // opening a port in the firewall is another request
        && !m.has(&["firewall", "ufw", "iptables", "allow", "cortafuegos", "pare-feu"])
    {
        cand(
            &mut out,
            "ports",
            0.85,
            "listening ports",
            &["ss -tlnp".into(), format!("{s}lsof -i -P -n")],
        );
    }
    // "can I reach 192.168.1.10?", "is example.com alive?", "¿responde 10.0.0.1?": asked
    // with a host's address or name wherever it stands
    let host_named = super::everyday::args(req)
        .into_iter()
        .find(|w| super::everyday::is_host(w));
    if m.has(&["ping", "reachable", "connectivity", "online"])
        || host_named.is_some()
            && (m.has(&["reach", "alive"])
                || m.raw(&["responde", "joignable", "alcanzable", "repond", "répond"]))
    {
        let host = sl
            .urls
            .first()
            .cloned()
            .or(host_named)
            .or_else(|| object(sl, req, &["ping", "reach", "host"]))
            .unwrap_or_else(|| "8.8.8.8".into());
        // a host name given ("is google.com reachable"): that is the whole request
        let named_host = host.contains('.') && !host.contains('/');
        cand(
            &mut out,
            "ping",
            if named_host { 0.95 } else { 0.82 },
            "check that a host answers",
            &[format!("ping -c 4 {}", quote(&host))],
        );
    }
    if m.has(&["uptime"])
        || m.has(&["long"])
            && m.has(&["running", "up", "on"])
            && m.has(&["system", "computer", "machine"])
    {
        cand(
            &mut out,
            "uptime",
            0.85,
            "time since boot",
            &["uptime -p".into(), "uptime".into()],
        );
    }
    if m.has(&["kernel"]) && m.has(&["version", "release"]) {
        cand(
            &mut out,
            "kernel",
            0.86,
            "kernel version",
            &["uname -r".into(), "uname -a".into()],
        );
    }
    if m.has(&["os", "distribution", "distro"])
        && m.has(&["version", "release", "which", "what", "name"])
    {
        cand(
            &mut out,
            "os-release",
            0.86,
            "distribution name and version",
            &["cat /etc/os-release".into(), "lsb_release -a".into()],
        );
    }
    if m.has(&["current", "working", "where"])
        && m.has(&["directory", "path", "am"])
        && !m.has(&["file", "list", "size"])
    {
        cand(&mut out, "pwd", 0.84, "current directory", &["pwd".into()]);
    }
    if m.has(&["who"]) && m.has(&["am", "logged"]) || m.has(&["username", "whoami"]) {
        cand(
            &mut out,
            "whoami",
            0.8,
            "current user",
            &["whoami".into(), "who".into()],
        );
    }
    if m.has(&["date", "time"])
        && m.has(&["current", "today", "now", "what", "show"])
        && !m.has(&["file", "modified", "zone", "timezone"])
    {
        // "show the current date and time", "what time is it"
        let plain = m.norm.len() <= 4;
        cand(
            &mut out,
            "date",
            if plain { 0.95 } else { 0.78 },
            "current date and time",
            &["date".into()],
        );
    }
    if m.has(&["calendar"]) {
        cand(&mut out, "cal", 0.8, "calendar", &["cal".into()]);
    }
    if m.has(&["environment"]) && m.has(&["variable"]) {
        // all of them ("show environment variables"), not one named variable
        let all = m.raw(&["variables", "all "]) && !m.orig.contains('$') && m.norm.len() <= 4;
        cand(
            &mut out,
            "env",
            if all { 0.95 } else { 0.82 },
            "environment variables",
            &["printenv".into(), "env".into()],
        );
    }

    // ---- services ----
    let svc = SERVICES
        .iter()
        .find(|x| m.norm.iter().any(|n| n == *x))
        .map(|x| x.to_string());
    let action = [
        "restart", "start", "stop", "status", "enable", "disable", "reload",
    ]
    .into_iter()
    .find(|a| m.has(&[a]));
    // "which services start at boot" asks for a list, not to start something
    let at_boot = m.raw(&["at boot", "on boot", "at startup", "on startup"]);
    if let Some(a) = action
        && (svc.is_some() || m.has(&["service", "daemon", "unit"]))
        && !m.has(&["docker-compose", "container"])
        && !(svc.is_none() && at_boot)
    {
        let name = svc
            .clone()
            .or_else(|| object(sl, req, &[a, "service", "servicio", "service"]))
            .unwrap_or_else(|| "SERVICE".into());
        let name = quote(&name);
        let cmd = if ctx.init == "sysv" {
            format!("{s}service {name} {a}")
        } else if a == "status" {
            format!("systemctl status {name}")
        } else {
            format!("{s}systemctl {a} {name}")
        };
        cand(&mut out, "service", 0.97, "control a service", &[cmd]);
    } else if svc.is_none()
        && m.has(&["service", "servicio", "daemon", "unit"])
        // "sizes in human-readable units": units of measure, not systemd's
        && !m.has(&["file", "files", "size", "sizes", "fichero", "archivo", "fichier"])
        && (m.has(&[
            "list", "show", "display", "see", "which", "what", "runn", "running", "active", "fail",
            "failed", "enabl", "enabled", "lista", "muestra", "liste", "affiche",
        ]) || at_boot && m.raw(&["which", "what"]))
    {
        // which services: running ones unless failed or enabled ones are asked for
        let cmds: Vec<String> = if ctx.init == "sysv" {
            vec!["service --status-all".into()]
        } else if m.has(&["fail", "failed", "broken", "crash", "crashed"]) {
            vec![
                "systemctl --failed".into(),
                "systemctl list-units --state=failed".into(),
            ]
        } else if at_boot || m.has(&["enabl", "enabled"]) {
            vec!["systemctl list-unit-files --state=enabled".into()]
        } else if m.has(&["all", "every"]) || m.raw(&["all services", "all the services"]) {
            vec![
                "systemctl list-units --type=service --all".into(),
                "systemctl list-units --type=service".into(),
            ]
        } else {
            vec![
                "systemctl list-units --type=service --state=running".into(),
                "systemctl list-units --type=service".into(),
            ]
        };
        cand(&mut out, "list-services", 0.9, "list services", &cmds);
    }
    // "log in as a user" is a login, not the logs
    if m.has(&["log", "journal"])
        && !m.has(&["git", "commit"])
        && !m.raw(&["log in", "log out", "log into"])
    {
        let mut cmds = Vec::new();
        if let Some(n) = &svc {
            cmds.push(format!("journalctl -u {n} -n 100 --no-pager"));
            cmds.push(format!("journalctl -u {n} -f"));
        }
        if m.has(&["kernel", "boot", "hardware"]) {
            cmds.push(format!("{s}dmesg | tail -n 50"));
        }
        cmds.push("journalctl -xe".into());
        cmds.push("journalctl -b -p err".into());
        cand(&mut out, "logs", 0.8, "system and service logs", &cmds);
    }
    if (m.has(&["reboot"])
        || m.has(&["restart"]) && m.has(&["computer", "system", "machine", "server", "pc"]))
        && svc.is_none()
    {
        cand(
            &mut out,
            "reboot",
            0.86,
            "reboot the machine",
            &[format!("{s}reboot")],
        );
    }
    if m.has(&["shutdown", "poweroff"])
        || m.raw(&[
            "power off",
            "turn off",
            "shut down",
            "apaga",
            "eteins",
            "eteindre",
        ])
    {
        // "in 10 minutes" / "in 2 hours" / "at 22:30": when
        let ws: Vec<&str> = m.raw.split_whitespace().collect();
        let delay = ws.windows(2).find_map(|w| {
            let n: u64 = w[0].parse().ok()?;
            let unit = w[1].trim_end_matches(['.', ',']);
            if unit.starts_with("min") {
                Some(n)
            } else if unit.starts_with("hour")
                || unit.starts_with("hora")
                || unit.starts_with("heure")
            {
                Some(n * 60)
            } else {
                None
            }
        });
        let clock = m
            .orig
            .split_whitespace()
            .map(|w| w.trim_end_matches(['.', ',']))
            .find(|w| {
                (4..=5).contains(&w.len())
                    && w.contains(':')
                    && w.split(':')
                        .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
            });
        let when = match (delay, clock) {
            (Some(n), _) => format!("+{n}"),
            (None, Some(t)) => t.to_string(),
            (None, None) => "now".into(),
        };
        let machine = m.has(&[
            "computer",
            "machine",
            "system",
            "server",
            "pc",
            "laptop",
            "ordenador",
            "equipo",
            "ordinateur",
            "sistema",
            "systeme",
        ]);
        cand(
            &mut out,
            "shutdown",
            if machine || delay.is_some() || clock.is_some() {
                0.95
            } else {
                0.86
            },
            "power off the machine",
            &[format!("{s}shutdown -h {when}")],
        );
    }

    // ---- files ----
    let name_obj = || {
        sl.quoted
            .first()
            .or(sl.names.first())
            .or(sl.paths.first())
            .or(sl.cwd_files.first())
            .cloned()
    };
    // a user's home directory comes with the user (useradd), not with mkdir
    if m.has(&["create", "make", "new", "mkdir"])
        && m.has(&["directory"])
        && !(m.has(&["user"]) && m.has(&["home"]))
    {
        let n = name_obj()
            .or_else(|| {
                object(
                    sl,
                    req,
                    &[
                        "directory",
                        "folder",
                        "carpeta",
                        "directorio",
                        "dossier",
                        "repertoire",
                    ],
                )
            })
            .unwrap_or_else(|| "new_folder".into());
        // `-p` when parents are asked for (or "if it does not exist"); plain mkdir otherwise
        let parents = m.raw(&[
            "parent",
            "nested",
            "intermediate",
            "does not exist",
            "doesn't exist",
            "not exist",
            "as needed",
            "hierarch",
            "full path",
            "needed",
            "necessary",
        ]);
        let (first, second) = if parents { ("-p ", "") } else { ("", "-p ") };
        cand(
            &mut out,
            "mkdir",
            0.86,
            "create a directory",
            &[
                format!("mkdir {first}{}", quote(&n)),
                format!("mkdir {second}{}", quote(&n)),
            ],
        );
    } else if m.has(&["create", "make", "new", "touch"])
        && m.has(&["file"])
        && sl.exts.len() <= 1
        && !m.has(&["archive", "zip", "tar", "link", "compress"])
    {
        let n = name_obj()
            .or_else(|| object(sl, req, &["file", "archivo", "fichier"]))
            .unwrap_or_else(|| "new_file".into());
        cand(
            &mut out,
            "touch",
            0.82,
            "create an empty file",
            &[format!("touch {}", quote(&n))],
        );
    }
    if m.has(&["delete", "remove", "erase"])
        && (m.has(&["file", "directory"]) || !sl.cwd_files.is_empty())
        && !file_filter
        && !m.has(&["package", "user", "container", "image", "branch"])
        && let Some(n) = name_obj()
    {
        let r = if m.has(&["directory", "folder", "carpeta", "dossier"]) {
            "-r "
        } else {
            ""
        };
        // a file or directory of this one, named: nothing else to decide
        let here = sl.cwd_files.contains(&n) && m.norm.len() <= 4;
        cand(
            &mut out,
            "delete",
            if here { 0.95 } else { 0.84 },
            "delete files",
            &[format!("rm {r}{}", quote(&n))],
        );
    }
    let two: Vec<String> = sl
        .cwd_files
        .iter()
        .chain(sl.paths.iter())
        .chain(sl.quoted.iter())
        .cloned()
        .collect();
    if m.has(&["copy"]) && two.len() >= 2 {
        cand(
            &mut out,
            "copy",
            0.84,
            "copy files",
            &[format!("cp -r {} {}", quote(&two[0]), quote(&two[1]))],
        );
    }
    if m.has(&["move", "rename"]) && two.len() >= 2 {
        cand(
            &mut out,
            "move",
            0.84,
            "move or rename",
            &[format!("mv {} {}", quote(&two[0]), quote(&two[1]))],
        );
    }
    if m.has(&["executable"])
        && !file_filter
        && let Some(n) = name_obj()
    {
        cand(
            &mut out,
            "chmod-x",
            0.85,
            "make a file executable",
            &[format!("chmod +x {}", quote(&n))],
        );
    }
    if let Some(p) = &sl.perm
        && !file_filter
    {
        let n = name_obj().unwrap_or_else(|| "FILE".into());
        let r = if m.has(&["recursive", "recursively", "all"]) {
            "-R "
        } else {
            ""
        };
        cand(
            &mut out,
            "chmod",
            0.84,
            "change permissions",
            &[format!("chmod {r}{p} {}", quote(&n))],
        );
    }
    if m.has(&["owner", "ownership"]) && m.has(&["change", "set", "give"]) {
        // "change owner of X to Y", "change owner to Y and group to G of X"
        let to = |key: &str| {
            sl.quoted
                .iter()
                .find(|q| {
                    [
                        format!("{key} \"{q}\""),
                        format!("{key} '{q}'"),
                        format!("{key} `{q}`"),
                    ]
                    .iter()
                    .any(|p| req.contains(p.as_str()))
                })
                .cloned()
        };
        // an unquoted user name ending the request, "… to alice": a word, not a file here
        let to_word = {
            let ws: Vec<&str> = m.orig.split_whitespace().collect();
            let n = ws.len();
            (n >= 2 && ws[n - 2] == "to")
                .then(|| ws[n - 1].trim_end_matches(['.', ',', '!']))
                .filter(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        && !sl.cwd_files.iter().any(|f| f == w)
                })
                .map(str::to_string)
        };
        let owner = to("to").or(to_word);
        let group = to("group to");
        let u = owner
            .clone()
            .or(sl.user.clone())
            .unwrap_or_else(|| "$USER".into());
        let spec = match &group {
            Some(g) if *g != u => format!("{u}:{g}"),
            _ => u.clone(),
        };
        let n = sl
            .quoted
            .iter()
            .find(|q| Some(*q) != owner.as_ref() && Some(*q) != group.as_ref())
            .or(sl.paths.first())
            .or(sl.cwd_files.first())
            .cloned()
            .unwrap_or_else(|| dir.clone());
        let recursive = m.has(&["recursively", "recursive"]);
        let (first, second) = if recursive { ("-R ", "") } else { ("", "-R ") };
        cand(
            &mut out,
            "chown",
            0.82,
            "change owner",
            &[
                format!("{s}chown {first}{} {}", quote(&spec), quote(&n)),
                format!("{s}chown {second}{} {}", quote(&spec), quote(&n)),
            ],
        );
    }
    // the quoted argument written right after one of these words: `named "x"`, `to 'y'`
    let quoted_after = |keys: &[&str]| {
        sl.quoted
            .iter()
            .find(|q| {
                keys.iter().any(|key| {
                    ["\"", "'", "`"]
                        .iter()
                        .any(|d| m.orig.contains(&format!("{key} {d}{q}{d}")))
                })
            })
            .cloned()
    };
    // "set alias \"ll\" for command 'ls -la'"
    if m.raw(&["alias "])
        && matches!(
            m.norm.first().map(String::as_str),
            Some("set" | "create" | "define" | "make" | "add")
        )
        && sl.quoted.len() >= 2
    {
        let name = quoted_after(&["alias", "named", "called"]).unwrap_or(sl.quoted[0].clone());
        if let Some(cmd) = sl.quoted.iter().find(|q| **q != name)
            && !name.contains(char::is_whitespace)
        {
            cand(
                &mut out,
                "alias",
                1.0,
                "define a shell alias",
                &[format!("alias {name}={}", quote(cmd))],
            );
        }
    }
    // "create a symbolic link named \"b\" to \"a\"", "… in the current directory to \"a\""
    let symlink = m.raw(&["symbolic link", "symlink", "soft link"])
        && matches!(
            m.norm.first().map(String::as_str),
            Some("create" | "make" | "add")
        )
        && !m.raw(&[
            "for each",
            "for all",
            "all files",
            "links in",
            "links for",
            "links to",
        ]);
    if symlink && let Some(target) = quoted_after(&["to", "to file", "pointing to"]) {
        let name = quoted_after(&["named", "called"])
            .filter(|n| *n != target)
            .or_else(|| {
                quoted_after(&["directory", "in"]).filter(|d| *d != target && m.raw(&["directory"]))
            });
        let cmd = match name {
            Some(n) => format!("ln -s {} {}", quote(&target), quote(&n)),
            None => format!("ln -s {}", quote(&target)),
        };
        cand(&mut out, "symlink", 1.0, "create a symbolic link", &[cmd]);
    }
    // "execute \"ls -l\" every 5 seconds": a command the request quotes, run again and again
    if let (Some(cmd), Some(secs)) = (sl.quoted.first(), every_seconds(&m.raw))
        && m.has(&[
            "execute", "executes", "run", "runs", "rerun", "repeat", "watch",
        ])
    {
        let mut w = String::from("watch");
        if secs != "2" {
            w.push_str(&format!(" -n {secs}"));
        }
        if m.has(&["highlight", "highlighting", "highlighted"]) {
            w.push_str(" -d");
        }
        if m.has(&["color", "colour", "colors", "colours"]) {
            w.push_str(" -c");
        }
        if m.raw(&["without title", "no title", "without header", "no header"]) {
            w.push_str(" -t");
        }
        // a simple command is written as it is, a pipeline or a list as one argument
        let arg = command_arg(cmd);
        cand(
            &mut out,
            "watch",
            // above the tools the quoted command names: they are run by it, not asked for
            1.0,
            "run a command repeatedly",
            &[format!("{w} {arg}")],
        );
    }
    let url = sl.urls.first();
    // "resume the download of …", "mirror https://example.com for offline viewing", "fetch …
    // quietly": wget's and curl's own options
    let wget = ctx.path_cmds.is_empty() || ctx.has_command("wget");
    if let Some(u) = url
        && wget
        && (m.has(&["resume", "continue", "reanuda", "reprend", "interrupted"])
            || m.raw(&[
                "where it left",
                "donde se qued",
                "se corta",
                "si se interrump",
                "reprendre",
            ]))
    {
        cand(
            &mut out,
            "download-resume",
            0.95,
            "resume a download",
            &[
                format!("wget -c {}", quote(u)),
                format!("curl -C - -O {}", quote(u)),
            ],
        );
    }
    if let Some(u) = url
        && wget
        && (m.has(&["mirror", "offline", "espejo", "miroir"])
            || m.raw(&[
                "sin conexion",
                "hors ligne",
                "whole site",
                "entire site",
                "copy of the site",
                "copia del sitio",
                "copie du site",
            ]))
    {
        cand(
            &mut out,
            "mirror-site",
            0.95,
            "a web site copied for offline reading",
            &[format!("wget -m -k -p {}", quote(u))],
        );
    }
    if let Some(u) = url
        && m.raw(&[
            "quiet",
            "silent",
            "without a progress",
            "without progress",
            "no progress",
            "sin barra",
            "sans barre",
            "sin progreso",
            "sans progression",
        ])
        && !m.has(&["download", "save", "descarga", "telecharge"])
    {
        cand(
            &mut out,
            "fetch-quiet",
            0.95,
            "a page fetched quietly",
            &[format!("curl -s {}", quote(u))],
        );
    }
    if let Some(u) = url
        && m.has(&["download", "fetch", "get", "save"])
    {
        cand(
            &mut out,
            "download",
            0.86,
            "download a file",
            // wget is Debian's own downloader (priority standard); curl where it is missing
            // (curl for what wget is not: a proxy, headers, an API)
            &if wget
                && !m.has(&[
                    "proxy", "header", "headers", "post", "api", "json", "cookie", "auth", "curl",
                ])
            {
                [
                    format!("wget {}", quote(u)),
                    format!("curl -LO {}", quote(u)),
                ]
            } else {
                [
                    format!("curl -LO {}", quote(u)),
                    format!("wget {}", quote(u)),
                ]
            },
        );
    }
    if m.has(&["first", "beginning", "top", "head"]) && m.has(&["line"]) {
        let n = sl.numbers.first().copied().unwrap_or(10);
        let f = sl
            .cwd_files
            .first()
            .or(sl.paths.first())
            .map(|f| quote(f))
            .unwrap_or_else(|| "FILE".into());
        cand(
            &mut out,
            "head",
            0.86,
            "first lines of a file",
            &[format!("head -n {n} {f}")],
        );
    }
    if m.has(&["last", "end", "tail", "follow"]) && m.has(&["line", "log"]) {
        let n = sl.numbers.first().copied().unwrap_or(10);
        let f = sl
            .cwd_files
            .first()
            .or(sl.paths.first())
            .map(|f| quote(f))
            .unwrap_or_else(|| "FILE".into());
        let cmds = if m.has(&["follow", "live", "real", "watch"]) {
            vec![format!("tail -f {f}")]
        } else {
            vec![format!("tail -n {n} {f}"), format!("tail -f {f}")]
        };
        cand(&mut out, "tail", 0.84, "last lines of a file", &cmds);
    }
    // "replace 'a' with 'b' in FILE", or unquoted single words: "replace foo with bar in notes.txt"
    let unquoted_pair = || {
        let ws: Vec<&str> = m.orig.split_whitespace().collect();
        let i = ws
            .iter()
            .position(|w| ["replace", "substitute"].contains(&w.to_lowercase().as_str()))?;
        // "replace every foo with bar", "replace all occurrences of foo with bar"
        let mut i = i;
        while ws.get(i + 1).is_some_and(|w| {
            [
                "every",
                "each",
                "all",
                "occurrences",
                "instances",
                "of",
                "the",
                "any",
            ]
            .contains(&w.to_lowercase().as_str())
        }) {
            i += 1;
        }
        let (a, with, b) = (ws.get(i + 1)?, ws.get(i + 2)?, ws.get(i + 3)?);
        let word = |w: &str| !w.is_empty() && !w.contains(['\'', '"', '`', '/']);
        (["with", "by"].contains(with) && word(a) && word(b))
            .then(|| (a.to_string(), b.trim_end_matches([',', '.']).to_string()))
    };
    let pair = if sl.quoted.len() >= 2 {
        Some((sl.quoted[0].clone(), sl.quoted[1].clone()))
    } else if sl.quoted.is_empty() {
        unquoted_pair()
    } else {
        None
    };
    if m.has(&["replace", "substitute"])
        && let Some((a, b)) = pair
    {
        // one file (not a directory, not "all files")
        let file = sl
            .cwd_files
            .first()
            .or(sl.paths.iter().find(|p| {
                p.rsplit('/')
                    .next()
                    .is_some_and(|b| b.contains('.') && !b.starts_with('.'))
            }))
            .filter(|_| {
                !m.has(&[
                    "files",
                    "recursively",
                    "column",
                    "columns",
                    "field",
                    "fields",
                ])
            });
        let f = file.map(|f| quote(f)).unwrap_or_else(|| "FILE".into());
        cand(
            &mut out,
            "replace",
            // the text, its replacement and the file are all given
            if file.is_some() { 0.95 } else { 0.84 },
            "replace text in a file",
            &[format!(
                "sed -i 's/{}/{}/g' {f}",
                a.replace('/', "\\/").replace('\'', ""),
                b.replace('/', "\\/").replace('\'', "")
            )],
        );
    }
    if m.has(&["sort"]) && (m.has(&["line", "file"]) || !sl.cwd_files.is_empty()) {
        let f = sl
            .cwd_files
            .first()
            .or(sl.paths.first())
            .map(|f| quote(f))
            .unwrap_or_else(|| "FILE".into());
        let dedup = m.has(&["unique", "duplicate"]);
        let cmds = if dedup {
            vec![format!("sort -u {f}"), format!("sort {f} | uniq")]
        } else {
            vec![format!("sort {f}")]
        };
        // "sort notes.txt and remove duplicate lines": the file and what to do are both said
        let conf = if dedup && !sl.cwd_files.is_empty() {
            0.95
        } else {
            0.8
        };
        cand(&mut out, "sort", conf, "sort lines", &cmds);
    }
    if m.has(&["commit"]) && !sl.quoted.is_empty() {
        cand(
            &mut out,
            "git-commit",
            0.86,
            "commit staged changes",
            &[
                format!("git commit -m {}", quote(&sl.quoted[0])),
                format!("git commit -am {}", quote(&sl.quoted[0])),
            ],
        );
    }
    if m.has(&["user"])
        && m.has(&["add", "create", "new"])
        && !m.has(&["group"])
        && let Some(u) = sl
            .user
            .clone()
            .or_else(|| object(sl, req, &["user", "usuario", "utilisateur"]))
    {
        // "a user called bob": the name is given as one
        let named = sl.names.contains(&u)
            || sl.quoted.contains(&u)
            || m.norm.len() <= 4 && sl.user.as_deref() == Some(u.as_str());
        cand(
            &mut out,
            "useradd",
            if named { 0.95 } else { 0.82 },
            "create a user",
            // Debian's adduser makes the home, asks for the password and the details;
            // useradd is the low-level tool it wraps
            &if ctx.has_command("adduser") {
                vec![
                    format!("{s}adduser {}", quote(&u)),
                    format!("{s}useradd -m {}", quote(&u)),
                ]
            } else {
                vec![format!("{s}useradd -m {}", quote(&u))]
            },
        );
    }
    pipelines(&m, sl, &dirq, &mut out);
    out
}

fn find_intent(m: &M, sl: &Slots, dirq: &str, out: &mut Vec<Candidate>) {
    let mut tests: Vec<String> = Vec::new();
    let act = find_action(m, sl);
    // a quoted string searched for inside the files is not their name
    let greps = matches!(&act, Some(Action::Run(c)) if c.starts_with("grep"));
    // global options such as -maxdepth come before the tests
    let mut depth: Option<String> = None;
    if m.raw(&[
        "current directory only",
        "current folder only",
        "not recursively",
        "non-recursively",
        "without subdirectories",
        "not in subdirectories",
        "top level",
    ]) {
        depth = Some("-maxdepth 1".to_string());
    } else if m.has(&["level", "deep", "depth"])
        && let Some(n) = sl.numbers.first()
    {
        depth = Some(format!("-maxdepth {n}"));
    }
    let dirs = m.has(&["directory", "folder", "subdirectory"]) && !m.has(&["file"])
        || m.has(&["directory"])
            && m.raw(&["directories", "carpetas", "dossiers", "repertoires"])
            && !m.has(&["file"]);
    let ty = if dirs {
        Some("-type d")
    } else if m.has(&["symlink", "symbolic"]) {
        Some("-type l")
    } else if m.has(&["regular", "normal"]) || m.raw(&["plain file", "only files"]) {
        // "files" alone usually means anything in the tree; "regular files" is `-type f`
        Some("-type f")
    } else if m.has(&["file"]) && !m.raw(&["files"]) && !m.raw(&["file/dir", "files/dir"]) {
        Some("-type f")
    } else {
        None
    };
    // "ignoring (the) case", or an extension written in capitals ("all JPG files"): the
    // user means both spellings
    let ci = m.has(&["insensitive", "insensitively", "case-insensitive"])
        || m.raw(&[
            "ignoring case",
            "ignoring the case",
            "ignore case",
            "ignore the case",
        ])
        || sl.exts.first().is_some_and(|e| {
            let up = e.to_uppercase();
            e.chars().any(|c| c.is_ascii_alphabetic())
                && m.orig.split_whitespace().any(|w| {
                    let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.');
                    w == up || w.strip_prefix('.') == Some(up.as_str())
                })
        });
    // what the pattern is matched against: the base name, the whole path, or a regex
    let nameflag = if m.has(&["regex", "regexp", "regular-expression"]) {
        if m.has(&["extended", "extend", "egrep", "posix-egrep"]) {
            "-regextype posix-egrep -regex"
        } else {
            "-regex"
        }
    } else if m.has(&["path", "pathname", "paths", "pathnames"])
        && !sl.quoted.is_empty()
        && !m.raw(&["file name", "filename", "base name"])
    {
        if ci { "-ipath" } else { "-path" }
    } else if ci {
        "-iname"
    } else {
        "-name"
    };
    if nameflag != "-name" && nameflag != "-iname" && !sl.quoted.is_empty() && !greps {
        tests.push(format!("{nameflag} {}", quote(&sl.quoted[0])));
    } else if let Some(e) = sl.exts.first() {
        tests.push(format!("{nameflag} '*.{e}'"));
    } else if let Some(n) = sl.names.first().or(if greps && sl.quoted.len() < 2 {
        None
    } else {
        sl.quoted.first()
    }) {
        tests.push(format!("{nameflag} {}", quote(n)));
    }
    if let Some(sz) = &sl.size {
        tests.push(format!("-size {sz}"));
    }
    if let Some((o, v)) = &sl.time {
        let o = if m.has(&["access", "accessed"]) {
            o.replace("-m", "-a")
        } else if m.has(&["changed", "status"]) {
            o.replace("-m", "-c")
        } else {
            o.clone()
        };
        tests.push(format!("{o} {v}"));
    }
    if m.has(&["empty"]) {
        tests.push("-empty".into());
    }
    if m.has(&["executable"]) {
        tests.push("-executable".into());
    }
    if m.has(&["suid", "setuid"]) || m.raw(&["set user id"]) {
        tests.push("-perm -4000".into());
    }
    if m.has(&["sgid", "setgid"]) || m.raw(&["set group id"]) {
        tests.push("-perm -2000".into());
    }
    if let Some(p) = &sl.perm
        && !m.has(&["change", "set"])
    {
        tests.push(format!("-perm {p}"));
    }
    if let Some(u) = &sl.user
        && m.has(&["owned", "belong", "owner"])
    {
        tests.push(format!("-user {u}"));
    }
    let t = tests.join(" ");
    let with_type = |ty: Option<&str>| -> String {
        let mut s = format!("find {dirq}");
        if let Some(d) = &depth {
            s.push(' ');
            s.push_str(d);
        }
        if let Some(ty) = ty {
            s.push(' ');
            s.push_str(ty);
        }
        if !t.is_empty() {
            s.push(' ');
            s.push_str(&t);
        }
        s
    };
    let base_t = with_type(ty);
    let base_f = with_type(if ty.is_none() { Some("-type f") } else { None });
    let mut cmds: Vec<String> = Vec::new();
    if m.has(&["count", "number", "many"]) && !m.has(&["line"]) {
        cmds.push(format!("{base_t} | wc -l"));
    } else if let Some(act) = act {
        // the same action three ways: -exec, a pipe into xargs, NUL-separated
        match act {
            Action::Delete => {
                // the classic, portable form first (what scripts and answers mostly use)
                cmds.push(format!("{base_t} -exec rm {{}} \\;"));
                cmds.push(format!("{base_t} -delete"));
                cmds.push(format!("{base_t} | xargs rm -f"));
            }
            Action::Run(c) => {
                cmds.push(format!("{base_t} -exec {c} {{}} \\;"));
                cmds.push(format!("{base_t} | xargs {c}"));
                cmds.push(format!("{base_t} -print0 | xargs -0 {c}"));
            }
            Action::RunTo(c, dest) => {
                cmds.push(format!("{base_t} -exec {c} {{}} {dest} \\;"));
                cmds.push(format!("{base_t} | xargs -I {{}} {c} {{}} {dest}"));
            }
            Action::Pipe(c) => {
                cmds.push(format!("{base_t} | {c}"));
                cmds.push(format!("{base_t} -print | {c}"));
            }
        }
    }
    cmds.push(base_t.clone());
    if base_f != base_t {
        cmds.push(base_f);
    }
    // without a type test too
    let untyped = with_type(None);
    if untyped != base_t && (!t.is_empty() || depth.is_some()) {
        cmds.insert(cmds.len().min(2), untyped);
    }
    cmds.push(format!("{base_t} -print"));
    let conf = if m.has(&["find", "search", "locate"]) {
        1.0
    } else {
        0.86
    };
    cand(
        out,
        "find-files",
        conf,
        "find files by name, type, size or age",
        &cmds,
    );
}

/// What to do with each file found.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Delete,
    /// `CMD {}`: a command run on the files.
    Run(String),
    /// `CMD {} DEST`: copy or move.
    RunTo(&'static str, String),
    /// A filter the list of names is piped through.
    Pipe(String),
}

/// The action a find-style request asks for on the files it selects, if any.
fn find_action(m: &M, sl: &Slots) -> Option<Action> {
    let dest = || {
        sl.paths
            .iter()
            .skip(1)
            .last()
            .map(|p| quote(p))
            .unwrap_or_else(|| "DEST".into())
    };
    let q = || {
        sl.quoted
            .last()
            .map(|q| quote(q))
            .unwrap_or_else(|| "PATTERN".into())
    };
    let text_search = m.has(&[
        "contain",
        "containing",
        "content",
        "text",
        "word",
        "string",
        "pattern",
        "grep",
        "occurrence",
        "mention",
    ]) && !m.has(&["name", "named", "called"])
        || m.has(&["grep"])
        || m.raw(&[
            "for the word",
            "for the string",
            "for the text",
            "for the pattern",
        ])
        || m.has(&["search", "look", "grep", "scan"]) && m.raw(&[" for \"", " for '", " for `"]);
    Some(
        if m.has(&["delete", "remove", "erase"]) && !m.has(&["line", "character"]) {
            Action::Delete
        } else if text_search && (!sl.quoted.is_empty() || m.has(&["grep"])) {
            let flags = if m.has(&["list", "print", "show", "display"]) && m.has(&["name", "names"])
            {
                "grep -l"
            } else if m.has(&["insensitive", "ignoring", "case-insensitive"]) {
                "grep -i"
            } else {
                "grep"
            };
            Action::Run(format!("{flags} {}", q()))
        } else if let (true, Some(p)) = (m.has(&["change", "set", "permission", "chmod"]), &sl.perm)
        {
            Action::Run(format!("chmod {p}"))
        } else if m.has(&["owner", "ownership", "chown"]) && m.has(&["change", "set"]) {
            Action::Run(format!(
                "chown {}",
                sl.user.clone().unwrap_or_else(|| "$USER".into())
            ))
        } else if m.has(&["copy"]) {
            Action::RunTo("cp", dest())
        } else if m.has(&["move"]) {
            Action::RunTo("mv", dest())
        } else if m.has(&["md5", "md5sum", "checksum"]) {
            Action::Run("md5sum".into())
        } else if m.has(&["sha1", "sha1sum"]) {
            Action::Run("sha1sum".into())
        } else if m.has(&["sha256", "sha256sum"]) {
            Action::Run("sha256sum".into())
        } else if m.has(&["dos", "dos2unix"]) {
            Action::Run("dos2unix".into())
        } else if m.has(&["replace", "substitute"]) {
            Action::Run("sed -i 's/OLD/NEW/g'".into())
        } else if m.has(&["gzip", "gunzip", "bzip2", "xz"]) || m.has(&["compress"]) {
            let tool = ["gunzip", "bzip2", "xz"]
                .into_iter()
                .find(|t| m.has(&[t]))
                .unwrap_or("gzip");
            Action::Run(tool.into())
        } else if m.has(&["archive", "tar"]) {
            Action::Run("tar -czf archive.tar.gz".into())
        } else if m.has(&["line"]) && m.has(&["count", "number"]) {
            Action::Run("wc -l".into())
        } else if m.has(&["concatenate", "cat"])
            || m.has(&["content"]) && m.has(&["print", "show", "display"])
        {
            Action::Run("cat".into())
        } else if m.has(&["disk", "usage"])
            || m.has(&["size"])
                && m.has(&["print", "show", "display", "total"])
                && !m.has(&["larger", "bigger", "greater", "smaller", "less"])
        {
            Action::Run("du -sh".into())
        } else if m.has(&["detail", "long", "listing", "permission"]) {
            Action::Run("ls -l".into())
        } else if m.has(&["type"]) && m.has(&["file"]) && m.has(&["determine", "identify", "check"])
        {
            Action::Run("file".into())
        } else if m.has(&["sort", "sorted"]) {
            Action::Pipe("sort".into())
        } else {
            return None;
        },
    )
}

/// Everyday requests that take a short pipeline of standard tools.
fn pipelines(m: &M, sl: &Slots, dirq: &str, out: &mut Vec<Candidate>) {
    // a named file of the request, else a placeholder
    let file = || {
        sl.cwd_files
            .first()
            .or(sl.paths.iter().find(|p| p.contains('.')))
            .or(sl.quoted.iter().rev().find(|q| q.contains('.')))
            .map(|f| quote(f))
            .unwrap_or_else(|| "FILE".into())
    };
    let pattern = || {
        sl.quoted
            .first()
            .map(|q| quote(q))
            .unwrap_or_else(|| "PATTERN".into())
    };
    // the newest / most recent file of a directory
    if m.has(&["recent", "newest", "latest", "last"])
        && m.has(&["file", "modified", "directory"])
        && !m.has(&["line", "commit", "version", "package"])
        && !m.raw(&["last modified", "last accessed", "last changed"])
    {
        let n = sl.numbers.first().copied().unwrap_or(1);
        let l = if m.has(&["long", "listing", "detail", "size"]) {
            "-lt"
        } else {
            "-t"
        };
        cand(
            out,
            "newest-files",
            0.86,
            "the most recently modified files",
            &[
                format!("ls {l} {dirq} | head -n {n}"),
                format!("ls -lt {dirq} | head -n {}", n + 1),
            ],
        );
    }
    // count the lines that match a pattern
    if m.has(&["count", "number", "many"])
        && m.has(&["line", "occurrence"])
        && (m.has(&["contain", "containing", "match", "matching", "with"]) || !sl.quoted.is_empty())
        && !sl.quoted.is_empty()
    {
        let (p, f) = (pattern(), file());
        cand(
            out,
            "count-matches",
            0.88,
            "count the lines that match a pattern",
            &[format!("grep {p} {f} | wc -l"), format!("grep -c {p} {f}")],
        );
    }
    // how often each line occurs
    if m.has(&[
        "occur",
        "occurrence",
        "frequency",
        "frequent",
        "duplicate",
        "duplicated",
    ]) && m.has(&["count", "number", "how", "many", "most"])
        || m.raw(&[
            "how many times each",
            "count each",
            "count unique",
            "count the unique",
        ])
    {
        let f = file();
        cand(
            out,
            "count-each",
            0.92,
            "count how often each line occurs",
            &[
                format!("sort {f} | uniq -c | sort -nr"),
                format!("cat {f} | sort | uniq -c | sort -nr"),
                format!("sort {f} | uniq -d"),
            ],
        );
    }
    // lines N to M of a file
    if m.has(&["line"])
        && sl.numbers.len() >= 2
        && m.raw(&[
            " to ",
            " through ",
            " until ",
            "between",
            " a ",
            " al ",
            " à ",
        ])
        && !m.has(&["add", "append", "insert", "replace"])
    {
        let (a, b) = (
            sl.numbers[0].min(sl.numbers[1]),
            sl.numbers[0].max(sl.numbers[1]),
        );
        let f = file();
        cand(
            out,
            "line-range",
            0.86,
            "print a range of lines",
            &[
                format!("sed -n '{a},{b}p' {f}"),
                format!("head -n {b} {f} | tail -n {}", b + 1 - a),
                format!("awk 'NR>={a} && NR<={b}' {f}"),
            ],
        );
    }
    // a string repeated N times / forever
    if m.has(&["repeat", "repeatedly", "infinite", "times"]) && !sl.quoted.is_empty()
        || m.raw(&["lines of \"", "lines of '", "lines consisting of"])
    {
        let q = pattern();
        let mut cmds = Vec::new();
        if let Some(n) = sl.numbers.first() {
            cmds.push(format!("yes {q} | head -n {n}"));
        }
        cmds.push(format!("yes {q}"));
        cand(out, "repeat", 0.84, "print a string repeatedly", &cmds);
    }
    // a checksum of a string rather than a file
    if m.has(&["md5", "sha1", "sha256", "checksum", "hash"])
        && m.has(&["string", "text", "variable", "word"])
        && !sl.quoted.is_empty()
    {
        let tool = if m.has(&["sha256"]) {
            "sha256sum"
        } else if m.has(&["sha1"]) {
            "sha1sum"
        } else {
            "md5sum"
        };
        let q = pattern();
        cand(
            out,
            "hash-string",
            0.88,
            "checksum of a string",
            &[
                format!("echo -n {q} | {tool}"),
                format!("echo -n {q} | {tool} | cut -d ' ' -f 1"),
            ],
        );
    }
    // ownership or permissions of a whole tree
    if m.has(&["recursively", "recursive"]) && m.has(&["change", "set", "give"]) {
        let target = sl
            .paths
            .first()
            .map(|p| quote(p))
            .unwrap_or_else(|| dirq.to_string());
        if m.has(&["owner", "ownership", "chown"]) {
            let u = sl
                .quoted
                .first()
                .cloned()
                .or(sl.user.clone())
                .unwrap_or_else(|| "$USER".into());
            let spec = if m.has(&["group"]) && !u.contains(':') {
                format!("{u}:{u}")
            } else {
                u
            };
            cand(
                out,
                "chown-tree",
                0.9,
                "change the owner of a whole tree",
                &[format!("chown -R {} {target}", quote(&spec))],
            );
        } else if let Some(p) = &sl.perm {
            cand(
                out,
                "chmod-tree",
                0.9,
                "change the permissions of a whole tree",
                &[format!("chmod -R {p} {target}")],
            );
        }
    }
    // the file system a path is on
    if m.raw(&[
        "mount point",
        "file system containing",
        "filesystem containing",
        "partition containing",
        "which filesystem",
        "which partition",
    ]) {
        let f = sl
            .paths
            .first()
            .map(|p| quote(p))
            .unwrap_or_else(|| dirq.to_string());
        cand(
            out,
            "filesystem-of",
            0.86,
            "the file system a path is on",
            &[format!("df {f}"), format!("df -P {f} | tail -1")],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::slots;

    fn candidates(req: &str) -> Vec<Candidate> {
        let ctx = Context::default();
        let sl = slots::extract(req, &ctx);
        let norm: Vec<String> = crate::translate::words(req)
            .iter()
            .map(|w| crate::translate::stem(w))
            .collect();
        matches(req, &norm, &sl, &ctx)
    }

    fn first(req: &str) -> Vec<String> {
        candidates(req).into_iter().map(|c| c.command).collect()
    }

    /// The most confident candidate's command.
    fn top(req: &str) -> String {
        let mut c = candidates(req);
        c.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        c.first().map(|c| c.command.clone()).unwrap_or_default()
    }

    #[test]
    fn aliases_and_symbolic_links_take_their_arguments_from_the_quotes() {
        assert_eq!(
            top("set alias \"gs\" for command 'git status --short'"),
            "alias gs='git status --short'"
        );
        assert_eq!(
            top("Create an alias \"up\" for \"cd ..\""),
            "alias up='cd ..'"
        );
        // the link's name and its target, whatever order they are written in
        assert_eq!(
            top("Create a symbolic link named \"/opt/app/current\" to \"/opt/app/v2\""),
            "ln -s /opt/app/v2 /opt/app/current"
        );
        assert_eq!(
            top("create a symlink to \"/etc/nginx/sites-available/site\" named \"site\""),
            "ln -s /etc/nginx/sites-available/site site"
        );
        assert_eq!(
            top("Create a symbolic link in the current directory to \"../shared/config\""),
            "ln -s ../shared/config"
        );
        // a link for each file found is a file search, not one link
        assert!(
            !top("Create a symbolic link in \"/srv\" for each file in \"/data\"").starts_with("ln")
        );
    }

    #[test]
    fn df_cd_mount_and_remount_read_their_options_from_the_words() {
        assert_eq!(top("Report file system disk usage in kilobytes"), "df -k");
        assert_eq!(
            top("show filesystem disk space usage in human readable form with a grand total"),
            "df -h --total"
        );
        assert_eq!(
            top("Print file system disk space usage of \"/srv\""),
            "df /srv"
        );
        assert_eq!(top("Change directory to \"/var/log\""), "cd /var/log");
        assert_eq!(top("go to the parent directory"), "cd ..");
        assert_eq!(
            top("change directory to the parent directory and do not resolve any symlinks"),
            "cd -L .."
        );
        assert_eq!(
            top("Remount \"/dev/sdb1\" on \"/mnt/usb\" as read only"),
            "mount -o remount,ro /dev/sdb1 /mnt/usb"
        );
        assert_eq!(
            top("remount \"/\" with read and write permission"),
            "mount -o remount,rw /"
        );
        assert_eq!(
            top("Mount \"xfs\" filesystem \"/dev/sdc1\" on \"/data\""),
            "mount -t xfs /dev/sdc1 /data"
        );
        assert_eq!(
            top("mount \"/srv/disk.img\" on \"/mnt/img\" as a loop device"),
            "mount -o loop /srv/disk.img /mnt/img"
        );
    }

    #[test]
    fn a_quoted_command_run_every_few_seconds_is_watched() {
        // the strongest intent candidate
        let first = |req: &str| {
            let ctx = Context::default();
            let sl = slots::extract(req, &ctx);
            let norm: Vec<String> = crate::translate::words(req)
                .iter()
                .map(|w| crate::translate::stem(w))
                .collect();
            let mut c = matches(req, &norm, &sl, &ctx);
            c.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
            c.into_iter().map(|c| c.command).collect::<Vec<_>>()
        };
        assert_eq!(first("Execute \"df -h\" every 2 seconds")[0], "watch df -h");
        assert_eq!(
            first("run 'free -m' every 5 seconds and highlight the differences")[0],
            "watch -n 5 -d free -m"
        );
        assert_eq!(
            first("Execute \"ps aux | grep nginx\" every half second")[0],
            "watch -n 0.5 'ps aux | grep nginx'"
        );
        assert_eq!(
            first("Execute \"uptime\" every minute")[0],
            "watch -n 60 uptime"
        );
        assert_eq!(every_seconds("every 1.5 seconds"), Some("1.5".into()));
        assert_eq!(every_seconds("every second and print"), Some("1".into()));
        assert_eq!(every_seconds("delete every second line"), None);
        assert_eq!(every_seconds("every file"), None);
        // no quoted command, or no interval: not a watch
        assert!(
            !first("run the backup every 5 seconds")
                .iter()
                .any(|c| c.starts_with("watch"))
        );
        assert!(
            !first("run \"make\" in every directory")
                .iter()
                .any(|c| c.starts_with("watch"))
        );
    }

    #[test]
    fn mkdir_takes_p_only_for_parents() {
        let c = first("make directory \"certs\"");
        assert_eq!(c[0], "mkdir certs", "{c:?}");
        assert_eq!(c[1], "mkdir -p certs", "{c:?}");
        let c = first("create directory \"a/b/c\" and its parent directories");
        assert_eq!(c[0], "mkdir -p a/b/c", "{c:?}");
    }

    #[test]
    fn search_text_tells_the_file_from_the_pattern() {
        let c = first("display all lines in 'notes.txt' containing 'needle'");
        assert_eq!(c[0], "grep needle notes.txt", "{c:?}");
        let c =
            first("search for the text 'needle' in 'notes.txt' ignoring case, with line numbers");
        assert_eq!(c[0], "grep -in needle notes.txt", "{c:?}");
        let c = first("print lines not containing 'needle' in file 'notes.txt'");
        assert_eq!(c[0], "grep -v needle notes.txt", "{c:?}");
    }

    #[test]
    fn chown_reads_owner_group_and_target() {
        let c = first("change owner of \"notes.txt\" to \"el\"");
        assert!(c[0].ends_with("chown el notes.txt"), "{c:?}");
        let c = first("change owner to \"bob\" and group to \"staff\" of \"/srv/box\"");
        assert!(c[0].ends_with("chown bob:staff /srv/box"), "{c:?}");
    }
}
