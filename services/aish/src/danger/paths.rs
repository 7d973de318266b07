//! What a path names, as far as the danger policy cares.

/// The class of a (possibly globbed) path argument after expansion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// `/` itself or everything directly under it.
    Root,
    /// A top-level system directory (`/etc`, `/usr`, `/var/lib`, `/home` …) or all of its contents.
    SystemDir,
    /// A file or directory inside a system tree; `essential` for files whose loss or corruption
    /// breaks booting, logging in or package management (auth databases, fstab, /boot, binaries).
    SystemFile { essential: bool },
    /// The user's whole home directory (`~`, `$HOME`, `/root`).
    Home,
    /// Another user's whole home directory (`/home/alice`).
    OtherHome,
    /// A disk, partition or raw memory device.
    BlockDevice,
    /// `/proc/sysrq-trigger`.
    Sysrq,
    /// Kernel tunables under `/proc/sys` and `/sys`.
    KernelTunable,
    /// `/dev/null`, `/dev/stdout`, `/dev/tty` …: writing there loses nothing.
    Harmless,
    /// The current directory or all of it (`.`, `*`, `./*`).
    Cwd,
    /// Anything else: a path the user owns as far as we can tell.
    User,
    /// Empty or produced by an unknown expansion.
    Unknown,
}

impl PathKind {
    /// Is this one of the targets whose destruction is critical?
    pub fn is_system_wide(self) -> bool {
        matches!(
            self,
            PathKind::Root
                | PathKind::SystemDir
                | PathKind::SystemFile { .. }
                | PathKind::Home
                | PathKind::BlockDevice
                | PathKind::Sysrq
        )
    }
    pub fn describe(self) -> &'static str {
        match self {
            PathKind::Root => "the root filesystem",
            PathKind::SystemDir => "a system directory",
            PathKind::SystemFile { essential: true } => "an essential system file",
            PathKind::SystemFile { essential: false } => "a system file",
            PathKind::Home => "the whole home directory",
            PathKind::OtherHome => "a user's home directory",
            PathKind::BlockDevice => "a block device",
            PathKind::Sysrq => "the kernel sysrq trigger",
            PathKind::KernelTunable => "a kernel tunable",
            PathKind::Harmless => "a null device",
            PathKind::Cwd => "the current directory",
            PathKind::User => "user files",
            PathKind::Unknown => "a path known only at run time",
        }
    }
}

const TOP_SYSTEM: &[&str] = &[
    "bin", "boot", "dev", "etc", "lib", "lib32", "lib64", "libx32", "opt", "proc", "run", "sbin",
    "srv", "sys", "usr", "var", "home", "snap", "media", "mnt", "root", "tmp", "efi",
];

const ESSENTIAL_ETC: &[&str] = &[
    "passwd",
    "shadow",
    "group",
    "gshadow",
    "sudoers",
    "sudoers.d",
    "fstab",
    "crypttab",
    "pam.d",
    "login.defs",
    "nsswitch.conf",
    "ld.so.conf",
    "ld.so.cache",
    "ld.so.preload",
    "inittab",
    "shells",
    "securetty",
    "security",
    "default",
    "systemd",
    "apt",
    "dpkg",
    "ssh",
    "init.d",
];

fn is_block_device(rest: &str) -> bool {
    let prefixes = [
        "sd", "hd", "vd", "xvd", "nvme", "mmcblk", "dm-", "md", "loop", "sr", "nbd", "zram",
        "mapper/", "disk/", "mem", "kmem", "port", "rbd", "bcache", "fd0", "ubd", "cciss/",
    ];
    prefixes.iter().any(|p| rest.starts_with(p))
}

/// Lexically normalise an absolute path: collapse `//`, `.` and `..`.
fn normalise(abs: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in abs.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            c => out.push(c.to_string()),
        }
    }
    out
}

fn has_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Classify a path argument. `glob` says whether unquoted glob characters survived expansion.
pub fn classify(text: &str, glob: bool, dynamic: bool) -> PathKind {
    let t = text.trim();
    if t.is_empty() {
        return if dynamic {
            PathKind::Unknown
        } else {
            PathKind::Cwd
        };
    }
    // Home directory forms
    if t == "~" || t.starts_with("~/") {
        let rest = t.trim_start_matches('~');
        let comps = normalise(rest);
        return match comps.first() {
            None => PathKind::Home,
            Some(c) if glob && has_glob(c) => PathKind::Home,
            Some(_) => PathKind::User,
        };
    }
    if let Some(user) = t.strip_prefix('~') {
        let (name, rest) = user.split_once('/').unwrap_or((user, ""));
        let base = if name == "root" {
            "/root".to_string()
        } else {
            format!("/home/{name}")
        };
        return classify(&format!("{base}/{rest}"), glob, dynamic);
    }
    if !t.starts_with('/') {
        let comps: Vec<&str> = t
            .split('/')
            .filter(|c| !c.is_empty() && *c != ".")
            .collect();
        return match comps.first() {
            None => PathKind::Cwd,
            Some(&"..") if comps.iter().all(|c| *c == ".." || (glob && has_glob(c))) => {
                PathKind::Cwd
            }
            Some(c) if comps.len() == 1 && glob && (*c == "*" || *c == ".*" || *c == "*.*") => {
                PathKind::Cwd
            }
            _ => PathKind::User,
        };
    }
    let mut comps = normalise(t);
    // A glob component stands for every name at that level: classify its directory.
    if glob && let Some(k) = comps.iter().position(|c| has_glob(c)) {
        comps.truncate(k);
        return contents_of(&comps);
    }
    let c: Vec<&str> = comps.iter().map(String::as_str).collect();
    classify_abs(&c)
}

/// Everything inside directory `comps`.
fn contents_of(comps: &[String]) -> PathKind {
    let c: Vec<&str> = comps.iter().map(String::as_str).collect();
    match classify_abs(&c) {
        PathKind::Root => PathKind::Root,
        PathKind::SystemDir => PathKind::SystemDir,
        PathKind::Home => PathKind::Home,
        PathKind::OtherHome => PathKind::OtherHome,
        PathKind::Harmless if c.len() == 1 => PathKind::SystemDir,
        other => other,
    }
}

fn classify_abs(c: &[&str]) -> PathKind {
    let Some(&top) = c.first() else {
        return PathKind::Root;
    };
    if !TOP_SYSTEM.contains(&top) {
        return PathKind::User;
    }
    if c.len() == 1 {
        return match top {
            "root" => PathKind::Home,
            "tmp" => PathKind::User,
            _ => PathKind::SystemDir,
        };
    }
    let second = c[1];
    match top {
        "dev" => {
            let rest = c[1..].join("/");
            if matches!(
                rest.as_str(),
                "null"
                    | "zero"
                    | "full"
                    | "random"
                    | "urandom"
                    | "stdout"
                    | "stderr"
                    | "stdin"
                    | "tty"
                    | "console"
            ) || rest.starts_with("fd/")
                || rest.starts_with("pts/")
                || rest.starts_with("shm/")
            {
                PathKind::Harmless
            } else if is_block_device(&rest) {
                PathKind::BlockDevice
            } else {
                PathKind::SystemFile { essential: false }
            }
        }
        "proc" => {
            if second == "sysrq-trigger" {
                PathKind::Sysrq
            } else {
                PathKind::KernelTunable
            }
        }
        "sys" => PathKind::KernelTunable,
        "home" => {
            if c.len() == 2 {
                PathKind::OtherHome
            } else {
                PathKind::User
            }
        }
        "root" | "tmp" | "mnt" | "media" | "srv" | "opt" | "snap" => PathKind::User,
        "etc" => PathKind::SystemFile {
            essential: ESSENTIAL_ETC.contains(&second),
        },
        "boot" | "bin" | "sbin" | "lib" | "lib32" | "lib64" | "libx32" | "efi" => {
            PathKind::SystemFile { essential: true }
        }
        "usr" => match second {
            "local" if c.len() == 2 => PathKind::SystemDir,
            "local" | "src" => PathKind::User,
            "bin" | "sbin" | "lib" | "lib32" | "lib64" | "libexec" | "libx32" if c.len() == 2 => {
                PathKind::SystemDir
            }
            "bin" | "sbin" | "lib" | "lib32" | "lib64" | "libexec" | "libx32" => {
                PathKind::SystemFile { essential: true }
            }
            _ if c.len() == 2 => PathKind::SystemDir,
            _ => PathKind::SystemFile { essential: false },
        },
        "var" => match second {
            "tmp" | "cache" | "log" | "www" | "mail" | "backups" if c.len() > 2 => PathKind::User,
            "lib" if c.len() > 2 => {
                let third = c[2];
                let essential = matches!(third, "dpkg" | "apt" | "rpm" | "pacman" | "dnf" | "yum");
                if c.len() == 3 && !essential {
                    PathKind::SystemFile { essential: false }
                } else {
                    PathKind::SystemFile { essential }
                }
            }
            _ if c.len() == 2 => PathKind::SystemDir,
            _ => PathKind::SystemFile { essential: false },
        },
        "run" => PathKind::SystemFile { essential: false },
        _ => PathKind::SystemFile { essential: false },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let cases: &[(&str, bool, PathKind)] = &[
            ("/", false, PathKind::Root),
            ("/*", true, PathKind::Root),
            ("//", false, PathKind::Root),
            ("/etc/..", false, PathKind::Root),
            ("/e*", true, PathKind::Root),
            ("/etc", false, PathKind::SystemDir),
            ("/usr/", false, PathKind::SystemDir),
            ("/etc/*", true, PathKind::SystemDir),
            (
                "/etc/passwd",
                false,
                PathKind::SystemFile { essential: true },
            ),
            (
                "/etc/motd",
                false,
                PathKind::SystemFile { essential: false },
            ),
            ("/bin/bash", false, PathKind::SystemFile { essential: true }),
            (
                "/var/lib/dpkg/status",
                false,
                PathKind::SystemFile { essential: true },
            ),
            ("~", false, PathKind::Home),
            ("~/", false, PathKind::Home),
            ("~/*", true, PathKind::Home),
            ("~/Documents", false, PathKind::User),
            ("/root", false, PathKind::Home),
            ("/home/alice", false, PathKind::OtherHome),
            ("/home", false, PathKind::SystemDir),
            ("/dev/sda", false, PathKind::BlockDevice),
            ("/dev/nvme0n1p1", false, PathKind::BlockDevice),
            ("/dev/null", false, PathKind::Harmless),
            ("/proc/sysrq-trigger", false, PathKind::Sysrq),
            (".", false, PathKind::Cwd),
            ("./*", true, PathKind::Cwd),
            ("*", true, PathKind::Cwd),
            ("notes.txt", false, PathKind::User),
            ("/tmp/x", false, PathKind::User),
            ("/usr/local/bin/tool", false, PathKind::User),
            ("", true, PathKind::Unknown),
        ];
        for (p, g, want) in cases {
            assert_eq!(classify(p, *g, p.is_empty()), *want, "{p}");
        }
    }
}
