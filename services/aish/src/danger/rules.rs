//! The rules: what each utility does to the system, by its arguments.

use base64::Engine;

use super::code;
use super::{Analyzer, Arg, Content, Level, PathKind};
use crate::shell::RedirOp;

/// Utilities that only read (with the exceptions handled in [`run`]).
pub const READ_ONLY: &[&str] = &[
    "ls",
    "ll",
    "la",
    "dir",
    "vdir",
    "cat",
    "tac",
    "nl",
    "grep",
    "egrep",
    "fgrep",
    "rg",
    "ag",
    "ack",
    "zgrep",
    "du",
    "df",
    "ps",
    "pstree",
    "pgrep",
    "pidof",
    "stat",
    "head",
    "tail",
    "less",
    "more",
    "most",
    "wc",
    "uniq",
    "cut",
    "paste",
    "join",
    "comm",
    "column",
    "fold",
    "fmt",
    "expand",
    "unexpand",
    "tr",
    "echo",
    "printf",
    "pwd",
    "whoami",
    "id",
    "groups",
    "who",
    "w",
    "last",
    "lastlog",
    "users",
    "uname",
    "arch",
    "nproc",
    "cal",
    "ncal",
    "uptime",
    "free",
    "top",
    "htop",
    "btop",
    "atop",
    "vmstat",
    "iostat",
    "mpstat",
    "pidstat",
    "sar",
    "lsblk",
    "blkid",
    "lsusb",
    "lspci",
    "lscpu",
    "lsmem",
    "lshw",
    "lsmod",
    "lsof",
    "lslocks",
    "lsns",
    "lsipc",
    "ss",
    "netstat",
    "which",
    "whereis",
    "type",
    "file",
    "man",
    "info",
    "apropos",
    "whatis",
    "tldr",
    "help",
    "diff",
    "diff3",
    "sdiff",
    "cmp",
    "md5sum",
    "sha1sum",
    "sha224sum",
    "sha256sum",
    "sha384sum",
    "sha512sum",
    "b2sum",
    "cksum",
    "sum",
    "base32",
    "base64",
    "basenc",
    "xxd",
    "od",
    "hexdump",
    "hd",
    "strings",
    "seq",
    "yes",
    "sleep",
    "true",
    "false",
    ":",
    "test",
    "[",
    "[[",
    "basename",
    "dirname",
    "realpath",
    "readlink",
    "printenv",
    "jq",
    "yq",
    "tree",
    "locate",
    "plocate",
    "mlocate",
    "dig",
    "nslookup",
    "host",
    "ping",
    "ping6",
    "traceroute",
    "tracepath",
    "mtr",
    "whois",
    "getent",
    "env",
    "zcat",
    "bzcat",
    "xzcat",
    "zstdcat",
    "zless",
    "zmore",
    "bzless",
    "xzless",
    "lzcat",
    "dmidecode",
    "findmnt",
    "mount.show",
    "date",
    "timedatectl",
    "hostnamectl",
    "localectl",
    "loginctl",
    "networkctl",
    "resolvectl",
    "busctl",
    "hostname",
    "id",
    "tty",
    "stty",
    "locale",
    "getconf",
    "ldd",
    "nm",
    "objdump",
    "readelf",
    "size",
    "lsattr",
    "getfacl",
    "namei",
    "look",
    "factor",
    "expr",
    "bc",
    "dc",
    "numfmt",
    "shuf",
    "tsort",
    "ptx",
    "csplit.show",
    "iconv",
    "file",
    "identify",
    "exiftool.show",
    "mediainfo",
    "ffprobe",
    "pdfinfo",
    "pdftotext.show",
    "sensors",
    "acpi",
    "inxi",
    "neofetch",
    "fastfetch",
    "screenfetch",
    "glances",
    "iotop",
    "iftop",
    "nethogs",
    "nload",
    "bmon",
    "watch",
    "dmesg",
    "journalctl",
    "systemd-analyze",
    "systemd-cgls",
    "systemd-cgtop",
    "ip.show",
    "ifconfig",
    "iwconfig",
    "iw",
    "arp",
    "route",
    "nmap",
    "ncdu",
    "duf",
    "dust",
    "bat",
    "batcat",
    "fd",
    "fdfind",
    "fzf",
    "exa",
    "eza",
    "lsd",
    "diskus",
    "cloc",
    "tokei",
    "wdiff",
    "colordiff",
    "vimdiff.show",
    "view",
    "history",
    "alias",
    "cd",
    "pushd",
    "popd",
    "dirs",
    "jobs",
    "wait",
    "read",
    "export",
    "unset",
    "set",
    "declare",
    "typeset",
    "local",
    "readonly",
    "shopt",
    "exit",
    "return",
    "clear",
    "reset",
    "logout",
    "umask",
    "ulimit",
    "hash",
    "fc",
    "bind",
    "complete",
    "compgen",
    "trap",
    "times",
    "getopts",
    "shift",
    "let",
    "caller",
    "enable",
    "disown",
    "fg",
    "bg",
    "suspend",
    "sort",
    "awk",
    "gawk",
    "mawk",
    "nawk",
    "sed",
    "find",
    "curl",
    "wget",
    "uuidgen",
    "mcookie",
    "cowsay",
    "fortune",
    "figlet",
    "toilet",
    "lolcat",
    "sl",
    "xdg-open",
    "open",
    "tput",
    "dircolors",
    "pv",
    "tee",
    "nc.show",
    "openssl",
    "gpg",
    "ssh-keygen",
    "ssh-add.show",
    "lsb_release",
    "hwinfo",
    "systemd-detect-virt",
    "virt-what",
    "ldconfig.show",
    "lastb",
    "faillog",
    "chage.show",
    "sha256",
    "md5",
    "look",
    "rev",
    "ccal",
    "column",
    "numactl.show",
    "ipcs",
    "lsinitramfs",
    "lsinitrd",
    "efibootmgr.show",
    "fwupdmgr.show",
    "smartctl",
    "hdparm.show",
    "free",
    "pmap",
    "sync",
    "rename.show",
    "zipinfo",
    "unzip.show",
    "tar.show",
    "dpkg-query",
    "apt-cache",
    "apt-file",
    "rpm.show",
    "debsums",
    "needrestart.show",
];

fn base(s: &str) -> &str {
    s.rsplit('/').next().unwrap_or(s)
}

/// Flags of a command: short letters (clustered) and long options, plus operands.
struct Split<'a> {
    short: String,
    long: Vec<String>,
    operands: Vec<&'a Arg>,
    /// Options with their values, in order (`-o` → value).
    valued: Vec<(String, &'a Arg)>,
}

impl Split<'_> {
    fn has(&self, c: char) -> bool {
        self.short.contains(c)
    }
    fn has_long(&self, l: &str) -> bool {
        self.long
            .iter()
            .any(|x| x == l || x.starts_with(&format!("{l}=")))
    }
    fn value(&self, opt: &str) -> Option<&Arg> {
        self.valued.iter().find(|(o, _)| o == opt).map(|(_, a)| *a)
    }
}

/// Split arguments; `with_value` lists short letters and long names that take a value.
fn split<'a>(args: &'a [Arg], with_value: &[&str]) -> Split<'a> {
    let mut s = Split {
        short: String::new(),
        long: Vec::new(),
        operands: Vec::new(),
        valued: Vec::new(),
    };
    let mut i = 0;
    let mut only_operands = false;
    while i < args.len() {
        let a = &args[i];
        let t = a.text.as_str();
        if only_operands || a.dynamic && t.is_empty() || t == "-" || !t.starts_with('-') {
            s.operands.push(a);
        } else if t == "--" {
            only_operands = true;
        } else if let Some(l) = t.strip_prefix("--") {
            let name = l.split('=').next().unwrap_or(l).to_string();
            if !l.contains('=')
                && with_value.contains(&format!("--{name}").as_str())
                && let Some(v) = args.get(i + 1)
            {
                s.valued.push((format!("--{name}"), v));
                i += 1;
            }
            s.long.push(name);
        } else {
            let letters: Vec<char> = t[1..].chars().collect();
            for (k, c) in letters.iter().enumerate() {
                s.short.push(*c);
                if with_value.contains(&format!("-{c}").as_str()) {
                    if k + 1 < letters.len() {
                        // value attached: -ofile
                        break;
                    } else if let Some(v) = args.get(i + 1) {
                        s.valued.push((format!("-{c}"), v));
                        i += 1;
                    }
                    break;
                }
            }
        }
        i += 1;
    }
    s
}

fn level_for_delete(k: PathKind, recursive: bool) -> (Level, &'static str) {
    match k {
        PathKind::Root | PathKind::SystemDir | PathKind::Home => {
            (Level::Critical, "delete.system-wide")
        }
        PathKind::OtherHome => (Level::Critical, "delete.home-directory"),
        PathKind::SystemFile { essential: true } => (Level::Critical, "delete.essential-file"),
        PathKind::SystemFile { essential: false } if recursive => {
            (Level::Critical, "delete.system-tree")
        }
        _ => (Level::Destructive, "delete.files"),
    }
}

/// Deleting (or moving away) a path.
fn delete(an: &mut Analyzer, part: &str, a: &Arg, recursive: bool, verb: &str) {
    let k = a.path_kind();
    let (lvl, rule) = level_for_delete(k, recursive);
    let what = if a.text.is_empty() {
        "a path from an unset or unknown variable".to_string()
    } else {
        format!("`{}`", a.text)
    };
    an.flag(lvl, part, rule, format!("{verb} {what}: {}", k.describe()));
}

/// Overwriting a path with new content; `user_level` is the level for ordinary user files.
fn overwrite(an: &mut Analyzer, part: &str, a: &Arg, user_level: Level, verb: &str) {
    let k = a.path_kind();
    let (lvl, rule) = match k {
        PathKind::BlockDevice => (Level::Critical, "write.block-device"),
        PathKind::Sysrq => (Level::Critical, "write.sysrq"),
        PathKind::Root | PathKind::SystemDir | PathKind::Home => {
            (Level::Critical, "write.system-wide")
        }
        PathKind::SystemFile { essential: true } => (Level::Critical, "write.essential-file"),
        PathKind::SystemFile { essential: false } => (Level::Destructive, "write.system-file"),
        PathKind::KernelTunable => (Level::Destructive, "write.kernel-tunable"),
        PathKind::Harmless => (Level::Safe, "write.null-device"),
        _ => (user_level, "write.user-file"),
    };
    an.flag(
        lvl,
        part,
        rule,
        format!("{verb} `{}`: {}", a.text, k.describe()),
    );
}

/// Editing a file in place.
fn edit(an: &mut Analyzer, part: &str, a: &Arg, verb: &str) {
    let k = a.path_kind();
    let (lvl, rule) = match k {
        PathKind::BlockDevice | PathKind::Sysrq => (Level::Critical, "edit.device"),
        PathKind::SystemFile { essential: true } | PathKind::Root | PathKind::SystemDir => {
            (Level::Critical, "edit.essential-file")
        }
        PathKind::SystemFile { essential: false } | PathKind::KernelTunable => {
            (Level::Destructive, "edit.system-file")
        }
        PathKind::Harmless => (Level::Safe, "edit.null-device"),
        _ => (Level::Moderate, "edit.user-file"),
    };
    an.flag(
        lvl,
        part,
        rule,
        format!("{verb} `{}`: {}", a.text, k.describe()),
    );
}

pub(crate) fn write_target(an: &mut Analyzer, part: &str, t: &Arg, op: RedirOp) {
    if t.text.chars().all(|c| c.is_ascii_digit() || c == '-') && !t.text.is_empty() {
        return; // >&2, >&-
    }
    if op.truncates() || op == RedirOp::ReadWrite {
        overwrite(an, part, t, Level::Moderate, "redirection overwrites");
    } else {
        edit(an, part, t, "redirection appends to");
    }
}

pub(crate) fn truncate_target(an: &mut Analyzer, part: &str, t: &Arg) {
    overwrite(an, part, t, Level::Destructive, "empties");
}

const SHELLS: &[&str] = &[
    "sh",
    "bash",
    "dash",
    "zsh",
    "ksh",
    "mksh",
    "ash",
    "fish",
    "csh",
    "tcsh",
    "yash",
    "posh",
    "rbash",
    "busybox-sh",
];

fn is_interpreter(name: &str) -> Option<&'static str> {
    let n = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match n {
        "python" | "pypy" => Some("python"),
        "perl" => Some("perl"),
        "ruby" | "irb" => Some("ruby"),
        "node" | "nodejs" | "deno" | "bun" => Some("node"),
        "php" => Some("php"),
        "lua" | "luajit" => Some("lua"),
        "Rscript" => Some("r"),
        "awk" | "gawk" | "mawk" | "nawk" | "busybox-awk" => Some("awk"),
        _ => None,
    }
}

const ESSENTIAL_PKGS: &[&str] = &[
    "systemd",
    "systemd-sysv",
    "libc6",
    "libc-bin",
    "glibc",
    "bash",
    "dash",
    "coreutils",
    "dpkg",
    "apt",
    "base-files",
    "base-passwd",
    "bsdutils",
    "debianutils",
    "diffutils",
    "findutils",
    "grep",
    "gzip",
    "hostname",
    "init",
    "init-system-helpers",
    "login",
    "mount",
    "ncurses-base",
    "ncurses-bin",
    "passwd",
    "perl-base",
    "sed",
    "sudo",
    "sysvinit-utils",
    "tar",
    "util-linux",
    "e2fsprogs",
    "udev",
    "zlib1g",
    "filesystem",
    "rpm",
    "pacman",
    "dnf",
    "yum",
    "zypper",
    "libpam-modules",
    "libpam-runtime",
    "pam",
    "shadow",
    "openssh-server",
    "python3",
    "libselinux1",
    "libsystemd0",
    "libudev1",
    "kmod",
    "procps",
    "ifupdown",
    "netplan.io",
    "network-manager",
];

fn is_essential_pkg(p: &str) -> bool {
    let p = p.trim_matches(|c| c == '\'' || c == '"');
    let stem = p
        .split([':', '='])
        .next()
        .unwrap_or(p)
        .trim_end_matches('*');
    if stem.is_empty() || stem == "*" {
        return true;
    }
    ESSENTIAL_PKGS.contains(&stem)
        || [
            "linux-image",
            "linux-generic",
            "linux-signed",
            "kernel",
            "grub",
            "shim",
            "libc6",
            "libpam",
            "systemd",
        ]
        .iter()
        .any(|pre| stem.starts_with(pre))
}

/// Apply the rules to an expanded argument vector. Returns the command's stdout content.
pub(crate) fn run(
    an: &mut Analyzer,
    part: &str,
    argv: Vec<Arg>,
    stdin: Option<Content>,
) -> Option<Content> {
    let mut argv = argv;
    // Drop leading empty unquoted expansions? No: an unknown command name is itself a finding.
    loop {
        let first = argv.first()?;
        if first.dynamic && first.text.is_empty() {
            unknown_command(an, part, &argv);
            return None;
        }
        if !first.dynamic && first.text.contains(' ') && !first.text.contains('/')
            || first.text.contains(' ') && first.text.starts_with(|c: char| c.is_ascii_alphabetic())
        {
            // A placeholder holding a whole command (`{{cat file}}`): its words are the command.
            let mut v: Vec<Arg> = first.text.split_whitespace().map(Arg::lit).collect();
            v.extend(argv[1..].iter().cloned());
            argv = v;
            continue;
        }
        let name = base(&first.text).to_string();
        let args = &argv[1..];
        // Not a command at all: an option or a `{{placeholder}}` fragment left in command
        // position (e.g. by the `|` inside a template's `{{[-a|--all]}}`) fails with
        // "command not found".
        if !first.dynamic
            && (first.text.starts_with('-')
                || first.text.contains("}}")
                || first.text.contains("{{"))
        {
            an.flag(
                Level::Safe,
                part,
                "not-a-command",
                format!(
                    "`{}` cannot name a command (template fragment or option)",
                    first.text
                ),
            );
            return None;
        }
        // ---- wrappers ----
        let next: Option<Vec<Arg>> = match name.as_str() {
            "sudo" | "doas" | "pkexec" | "run0" | "sudoedit" => {
                let s = skip_opts(
                    args,
                    &[
                        "-u", "-g", "-U", "-C", "-h", "-p", "-r", "-t", "-D", "-R", "-T", "--user",
                        "--group", "--chdir",
                    ],
                );
                if s.is_empty() {
                    let sp = split(args, &[]);
                    if sp.has('i') || sp.has('s') || name == "sudoedit" || sp.has('e') {
                        an.flag(
                            Level::Moderate,
                            part,
                            "privilege.root-shell",
                            format!("`{name}` opens a root shell or editor"),
                        );
                    } else {
                        an.flag(
                            Level::Safe,
                            part,
                            "privilege.query",
                            format!("`{name}` without a command"),
                        );
                    }
                    return None;
                }
                Some(s)
            }
            "env" => {
                let mut i = 0;
                let mut rest = None;
                while i < args.len() {
                    let t = &args[i].text;
                    if t == "-S" || t == "--split-string" || t.starts_with("-S") && t.len() > 2 {
                        let s = if t.len() > 2 && t.starts_with("-S") {
                            t[2..].to_string()
                        } else {
                            args.get(i + 1).map(|a| a.text.clone()).unwrap_or_default()
                        };
                        an.nested(&s, "in `env -S`".into());
                        return None;
                    } else if t == "-u" || t == "--unset" || t == "-C" || t == "--chdir" {
                        i += 2;
                    } else if t == "--" {
                        i += 1;
                        rest = Some(args[i..].to_vec());
                        break;
                    } else if t.starts_with('-') {
                        i += 1;
                    } else if let Some((k, v)) = t.split_once('=') {
                        an.set_var(k, Some(v.to_string()));
                        i += 1;
                    } else {
                        rest = Some(args[i..].to_vec());
                        break;
                    }
                }
                match rest {
                    Some(r) if !r.is_empty() => Some(r),
                    _ => {
                        an.flag(
                            Level::Safe,
                            part,
                            "read-only",
                            "`env` prints the environment".into(),
                        );
                        return None;
                    }
                }
            }
            "command" | "builtin" => {
                let s = split(args, &[]);
                if s.has('v') || s.has('V') {
                    an.flag(
                        Level::Safe,
                        part,
                        "read-only",
                        format!("`{name} -v` only looks a name up"),
                    );
                    return None;
                }
                Some(skip_opts(args, &[]))
            }
            "exec" => Some(skip_opts(args, &["-a"])),
            "systemd-run" | "nsenter" | "unshare" | "setpriv" | "capsh.x" | "bwrap" | "sandbox" => {
                Some(skip_opts(
                    args,
                    &[
                        "-u",
                        "--unit",
                        "-p",
                        "--property",
                        "-t",
                        "--target",
                        "-E",
                        "--setenv",
                        "--uid",
                        "--gid",
                        "-M",
                        "--machine",
                        "--slice",
                        "-d",
                        "--working-directory",
                        "--on-calendar",
                        "--on-active",
                        "--bind",
                        "--ro-bind",
                    ],
                ))
            }
            "script" | "tmux" | "screen" | "expect" | "byobu" => {
                // a command string after -c (script, expect) or the trailing words (tmux/screen)
                if let Some(pos) = args
                    .iter()
                    .position(|a| a.text == "-c" || a.text == "--command")
                {
                    if let Some(code) = args.get(pos + 1) {
                        let c = code.text.clone();
                        an.nested(&c, format!("run by `{name}`"));
                    }
                    return None;
                }
                if matches!(name.as_str(), "tmux" | "screen" | "byobu") {
                    const SUBS: &[&str] = &[
                        "new",
                        "new-session",
                        "new-window",
                        "neww",
                        "send-keys",
                        "send",
                        "split-window",
                        "splitw",
                        "run-shell",
                        "run",
                    ];
                    let vals = [
                        "-S", "-s", "-t", "-n", "-c", "-L", "-f", "-x", "-y", "-e", "-F", "-r",
                    ];
                    let after: Vec<Arg> =
                        match args.iter().position(|a| SUBS.contains(&a.text.as_str())) {
                            Some(p) => skip_opts(&args[p + 1..], &vals),
                            None if name == "screen" => skip_opts(args, &vals),
                            None => Vec::new(),
                        };
                    let text = after
                        .iter()
                        .map(|a| a.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    if !text.trim().is_empty() {
                        an.nested(&text, format!("run inside `{name}`"));
                        return None;
                    }
                }
                an.flag(
                    Level::Moderate,
                    part,
                    "exec.terminal",
                    format!("`{name}` starts a session"),
                );
                return None;
            }
            "nohup" | "unbuffer" | "fakeroot" | "proxychains" | "proxychains4" | "torsocks"
            | "catchsegv" | "busybox" | "time" | "caffeinate" | "systemd-inhibit" | "firejail"
            | "chronic" | "ifne" | "eatmydata" | "sg" => Some(skip_opts(
                args,
                &["-n", "--what", "--who", "--why", "--mode"],
            )),
            "setsid" | "nice" | "ionice" | "stdbuf" | "taskset" | "chrt" | "cpulimit"
            | "numactl" | "prlimit" => {
                let with = [
                    "-n",
                    "-c",
                    "-p",
                    "-t",
                    "-i",
                    "-o",
                    "-e",
                    "-l",
                    "--adjustment",
                    "--cpu-list",
                    "--class",
                    "--classdata",
                ];
                let mut s = skip_opts(args, &with);
                // taskset MASK cmd / chrt PRIO cmd
                if matches!(name.as_str(), "taskset" | "chrt")
                    && s.first().is_some_and(|a| {
                        a.text
                            .chars()
                            .all(|c| c.is_ascii_hexdigit() || c == 'x' || c == ',' || c == '-')
                    })
                {
                    s.remove(0);
                }
                Some(s)
            }
            "timeout" => {
                let mut s = skip_opts(args, &["-s", "-k", "--signal", "--kill-after"]);
                if !s.is_empty() {
                    s.remove(0); // duration
                }
                Some(s)
            }
            "chroot" => {
                let mut s = skip_opts(args, &["--userspec", "--groups"]);
                if !s.is_empty() {
                    s.remove(0);
                }
                if s.is_empty() {
                    an.flag(
                        Level::Moderate,
                        part,
                        "privilege.root-shell",
                        "`chroot` starts a shell".into(),
                    );
                    return None;
                }
                Some(s)
            }
            "flock" => {
                let s = skip_opts(args, &["-w", "-E", "--timeout", "--conflict-exit-code"]);
                if let Some(pos) = args
                    .iter()
                    .position(|a| a.text == "-c" || a.text == "--command")
                {
                    if let Some(code) = args.get(pos + 1) {
                        an.nested(&code.text, "in `flock -c`".into());
                    }
                    return None;
                }
                Some(s.into_iter().skip(1).collect())
            }
            "xargs" => {
                let with = [
                    "-I",
                    "-n",
                    "-L",
                    "-P",
                    "-d",
                    "-a",
                    "-E",
                    "-s",
                    "--max-args",
                    "--max-lines",
                    "--max-procs",
                    "--delimiter",
                    "--arg-file",
                    "--replace",
                    "--eof",
                ];
                let s = split(args, &with);
                let repl = s
                    .value("-I")
                    .or_else(|| s.value("--replace"))
                    .map(|a| a.text.clone());
                let mut rest = skip_opts(args, &with);
                if rest.is_empty() {
                    rest = vec![Arg::lit("echo")];
                }
                let stdin_item = Arg {
                    text: String::new(),
                    dynamic: true,
                    ..Arg::default()
                };
                // Items known in advance (`echo / | xargs rm -rf`) are the arguments: hiding
                // a target behind xargs does not lower the level.
                let known = stdin
                    .as_ref()
                    .filter(|c| !c.network && !c.decoded)
                    .and_then(|c| c.text.as_deref())
                    .map(xargs_items)
                    .filter(|items| !items.is_empty() && items.len() <= 64);
                match (repl, known) {
                    (Some(r), Some(_)) if !r.is_empty() => {
                        // one run per input line, each analysed
                        let lines: Vec<&str> = items_lines(stdin.as_ref());
                        for line in lines.iter().skip(1) {
                            let argv = rest
                                .iter()
                                .map(|a| Arg {
                                    text: a.text.replace(&r, line),
                                    ..a.clone()
                                })
                                .collect();
                            run(an, part, argv, None);
                        }
                        let first = lines.first().copied().unwrap_or("");
                        for a in rest.iter_mut() {
                            a.text = a.text.replace(&r, first);
                        }
                    }
                    (Some(r), None) if !r.is_empty() => {
                        for a in rest.iter_mut() {
                            if a.text.contains(&r) {
                                a.text = a.text.replace(&r, "");
                                a.dynamic = true;
                            }
                        }
                    }
                    (_, Some(items)) => rest.extend(items.iter().map(|i| Arg::lit(i))),
                    _ => rest.push(stdin_item),
                }
                an.flag(
                    Level::Safe,
                    part,
                    "wrapper.xargs",
                    "`xargs` runs a command on items read from stdin".into(),
                );
                Some(rest)
            }
            "parallel" => {
                // parallel CMD ::: ARGS — the command runs on every argument
                let s = skip_opts(
                    args,
                    &[
                        "-j",
                        "-P",
                        "--jobs",
                        "-S",
                        "--sshlogin",
                        "-a",
                        "--arg-file",
                        "-d",
                        "--delimiter",
                    ],
                );
                let mut cmd: Vec<Arg> = Vec::new();
                let mut rest = s.iter();
                for a in rest.by_ref() {
                    if a.text == ":::" || a.text == "::::" {
                        break;
                    }
                    cmd.push(a.clone());
                }
                let items: Vec<Arg> = rest.cloned().collect();
                if cmd.is_empty() {
                    an.flag(
                        Level::Moderate,
                        part,
                        "exec.unknown-code",
                        "`parallel` runs commands read from its input".into(),
                    );
                    return None;
                }
                if items.is_empty() {
                    cmd.push(Arg {
                        dynamic: true,
                        ..Arg::default()
                    });
                } else {
                    cmd.extend(items);
                }
                Some(cmd)
            }
            "watch" => {
                let s = skip_opts(args, &["-n", "--interval", "-d", "-q"]);
                let text = s
                    .iter()
                    .map(|a| a.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                an.nested(&text, "repeated by `watch`".into());
                return None;
            }
            "su" | "runuser" => {
                if let Some(pos) = args
                    .iter()
                    .position(|a| a.text == "-c" || a.text == "--command")
                {
                    if let Some(code) = args.get(pos + 1) {
                        let c = code.text.clone();
                        an.nested(&c, format!("in `{name} -c`"));
                    }
                    return None;
                }
                let s = skip_opts(
                    args,
                    &["-u", "-g", "-G", "-s", "--user", "--group", "--shell"],
                );
                if let Some(pos) = s.iter().position(|a| a.text == "--") {
                    Some(s[pos + 1..].to_vec())
                } else if name == "runuser" && s.len() > 1 {
                    Some(s[1..].to_vec())
                } else {
                    an.flag(
                        Level::Moderate,
                        part,
                        "privilege.root-shell",
                        format!("`{name}` opens a shell as another user"),
                    );
                    return None;
                }
            }
            "ssh" => {
                let s = skip_opts(
                    args,
                    &[
                        "-p", "-i", "-l", "-o", "-F", "-J", "-L", "-R", "-D", "-b", "-c", "-E",
                        "-e", "-m", "-O", "-Q", "-S", "-W", "-w", "-B", "-I",
                    ],
                );
                if s.len() > 1 {
                    let text = s[1..]
                        .iter()
                        .map(|a| a.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    an.nested(&text, "run remotely by `ssh`".into());
                } else {
                    an.flag(
                        Level::Moderate,
                        part,
                        "remote.login",
                        "`ssh` opens a remote session".into(),
                    );
                }
                return None;
            }
            _ => None,
        };
        match next {
            Some(n) => {
                if n.is_empty() {
                    return None;
                }
                argv = n;
                continue;
            }
            None => break,
        }
    }
    let name = base(&argv[0].text).to_string();
    let args: Vec<Arg> = argv[1..].to_vec();
    let part = &argv
        .iter()
        .map(|a| {
            if a.text.is_empty() && a.dynamic {
                "$?".to_string()
            } else {
                a.text.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ");
    classify(an, part, &name, &args, stdin)
}

/// Arguments after the leading options (`with_value` options consume the next word).
fn skip_opts(args: &[Arg], with_value: &[&str]) -> Vec<Arg> {
    let mut i = 0;
    while i < args.len() {
        let t = &args[i].text;
        if t == "--" {
            i += 1;
            break;
        }
        if !t.starts_with('-') || t == "-" {
            break;
        }
        if with_value.contains(&t.as_str()) {
            i += 2;
        } else {
            i += 1;
        }
    }
    args.get(i..).map(|s| s.to_vec()).unwrap_or_default()
}

fn unknown_command(an: &mut Analyzer, part: &str, argv: &[Arg]) {
    an.flag(
        Level::Destructive,
        part,
        "dynamic.command-name",
        "the command name comes from an unset or unknown expansion; counted at its worst".into(),
    );
    for a in &argv[1..] {
        let k = a.path_kind();
        if (a.text.starts_with('/') || a.text.starts_with('~')) && k.is_system_wide() {
            {
                an.flag(
                    Level::Critical,
                    part,
                    "dynamic.command-on-system-path",
                    format!(
                        "an unknown command is applied to `{}`: {}",
                        a.text,
                        k.describe()
                    ),
                );
            }
        }
    }
}

fn read_only(an: &mut Analyzer, part: &str, name: &str) {
    an.flag(
        Level::Safe,
        part,
        "read-only",
        format!("`{name}` only reads"),
    );
}

/// The items `xargs` reads from known input: blank-separated words, with quotes.
fn xargs_items(text: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'') | (None, '"') => {
                quote = Some(c);
                any = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    any = true;
                }
            }
            (None, c) if c.is_whitespace() => {
                if any || !cur.is_empty() {
                    items.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            (None, c) => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        items.push(cur);
    }
    items
}

/// The non-empty lines of known input (`xargs -I` runs once per line).
fn items_lines(stdin: Option<&Content>) -> Vec<&str> {
    stdin
        .and_then(|c| c.text.as_deref())
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .take(64)
                .collect()
        })
        .unwrap_or_default()
}

/// Content written to stdout by `name args` given stdin.
fn output(name: &str, args: &[Arg], stdin: Option<&Content>) -> Option<Content> {
    let network_in = stdin.is_some_and(|c| c.network);
    let decoded_in = stdin.is_some_and(|c| c.decoded);
    let dyn_args = args.iter().any(|a| a.dynamic);
    let text = match name {
        "echo" => {
            let s = split(args, &[]);
            let words: Vec<&str> = args
                .iter()
                .skip_while(|a| {
                    a.text.starts_with('-')
                        && a.text.len() > 1
                        && a.text[1..].chars().all(|c| "neE".contains(c))
                })
                .map(|a| a.text.as_str())
                .collect();
            let mut t = words.join(" ");
            if s.has('e') {
                t = unescape(&t);
            }
            if !s.has('n') {
                t.push('\n');
            }
            if dyn_args { None } else { Some(t) }
        }
        "printf" => {
            let fmt = args.first().map(|a| unescape(&a.text));
            match fmt {
                Some(f) if !dyn_args => {
                    let mut out = String::new();
                    let mut rest = args[1..].iter();
                    let mut chars = f.chars().peekable();
                    while let Some(c) = chars.next() {
                        if c == '%' {
                            match chars.next() {
                                Some('%') => out.push('%'),
                                Some(_) => {
                                    out.push_str(rest.next().map(|a| a.text.as_str()).unwrap_or(""))
                                }
                                None => {}
                            }
                        } else {
                            out.push(c);
                        }
                    }
                    Some(out)
                }
                _ => None,
            }
        }
        "cat"
            if args
                .iter()
                .all(|a| a.text.starts_with('-') && a.text.len() > 1) =>
        {
            return stdin.cloned().or(Some(Content::default()));
        }
        "cat" if args.len() == 1 && args[0].content.is_some() => {
            return args[0].content.clone();
        }
        "base64" | "base32" | "basenc"
            if split(args, &[]).has('d')
                || split(args, &[]).has('D')
                || split(args, &[]).has_long("decode") =>
        {
            let t = stdin.and_then(|c| c.text.clone()).and_then(|t| {
                let clean: String = t.chars().filter(|c| !c.is_whitespace()).collect();
                base64::engine::general_purpose::STANDARD
                    .decode(clean.as_bytes())
                    .or_else(|_| {
                        base64::engine::general_purpose::STANDARD_NO_PAD
                            .decode(clean.trim_end_matches('=').as_bytes())
                    })
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
            });
            return Some(Content {
                text: t,
                network: network_in,
                decoded: true,
            });
        }
        "openssl" if args.iter().any(|a| a.text == "-d") => {
            return Some(Content {
                text: None,
                network: network_in,
                decoded: true,
            });
        }
        "xxd" if split(args, &[]).has('r') => {
            let t = stdin.and_then(|c| c.text.clone()).and_then(|t| {
                let clean: String = t.chars().filter(|c| c.is_ascii_hexdigit()).collect();
                hex_decode(&clean)
            });
            return Some(Content {
                text: t,
                network: network_in,
                decoded: true,
            });
        }
        "rev" => stdin.and_then(|c| c.text.as_ref()).map(|t| {
            t.lines()
                .map(|l| l.chars().rev().collect::<String>() + "\n")
                .collect()
        }),
        "tee" => stdin.and_then(|c| c.text.clone()),
        "curl" | "wget" | "fetch" | "http" | "https" | "aria2c" | "lynx" | "links" | "w3m"
        | "nc" | "ncat" | "socat" | "telnet" => {
            return Some(Content {
                text: None,
                network: true,
                decoded: false,
            });
        }
        "gunzip" | "zcat" | "gzip" | "bunzip2" | "xz" | "unxz" | "zstd" | "tr" | "sed" | "awk"
        | "head" | "tail" | "grep" => None,
        _ => None,
    };
    Some(Content {
        text,
        network: network_in,
        decoded: decoded_in,
    })
}

fn hex_decode(s: &str) -> Option<String> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect();
    bytes.map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('x') => {
                let mut v = 0u32;
                for _ in 0..2 {
                    match it.peek().and_then(|c| c.to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            Some(d @ '0'..='7') => {
                let mut v = d.to_digit(8).unwrap_or(0);
                for _ in 0..3 {
                    match it.peek().and_then(|c| c.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            it.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(v).unwrap_or('?'));
            }
            Some(o) => {
                out.push('\\');
                out.push(o);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Code run by a shell or interpreter, from a string, stdin or a process substitution.
fn run_code(an: &mut Analyzer, part: &str, lang: &str, src: Option<&Content>, label: String) {
    match src {
        Some(Content {
            text: Some(t),
            network,
            decoded,
        }) => {
            if *network {
                an.flag(
                    Level::Destructive,
                    part,
                    "exec.remote-code",
                    format!("runs code fetched from the network ({label})"),
                );
            }
            let label = if *decoded {
                format!("{label}, decoded")
            } else {
                label
            };
            if lang == "shell" {
                an.nested(t, label);
            } else {
                code::analyze(an, part, lang, t, &label);
            }
        }
        Some(Content {
            text: None,
            network: true,
            ..
        }) => {
            an.flag(
                Level::Destructive,
                part,
                "exec.remote-code",
                format!("runs code fetched from the network ({label})"),
            );
        }
        Some(Content {
            text: None,
            decoded: true,
            ..
        }) => {
            an.flag(
                Level::Destructive,
                part,
                "exec.obfuscated-code",
                format!("runs decoded code that cannot be inspected ({label})"),
            );
        }
        Some(Content { text: None, .. }) => {
            an.flag(
                Level::Moderate,
                part,
                "exec.unknown-code",
                format!("runs code whose content is not known here ({label})"),
            );
        }
        None => {
            an.flag(
                Level::Moderate,
                part,
                "exec.interactive",
                format!("starts an interactive {lang} ({label})"),
            );
        }
    }
}

fn classify(
    an: &mut Analyzer,
    part: &str,
    name: &str,
    args: &[Arg],
    stdin: Option<Content>,
) -> Option<Content> {
    let out = output(name, args, stdin.as_ref());
    let s = split(args, &[]);
    let ops: Vec<&Arg> = s.operands.clone();
    let op0 = ops.first().map(|a| a.text.as_str()).unwrap_or("");
    let op1 = ops.get(1).map(|a| a.text.as_str()).unwrap_or("");
    // ---- shells and interpreters ----
    if SHELLS.contains(&name) {
        // -c string (possibly in a cluster: -xc, -ec)
        if let Some(pos) = args.iter().position(|a| {
            a.text.starts_with('-') && !a.text.starts_with("--") && a.text.contains('c')
        }) {
            let code = args[pos + 1..]
                .iter()
                .find(|a| !a.text.starts_with('-') || a.dynamic);
            match code {
                Some(c) => {
                    let content = Content {
                        text: if c.dynamic {
                            None
                        } else {
                            Some(c.text.clone())
                        },
                        network: c.content.as_ref().is_some_and(|x| x.network),
                        decoded: c.content.as_ref().is_some_and(|x| x.decoded),
                    };
                    run_code(an, part, "shell", Some(&content), format!("in `{name} -c`"));
                }
                None => an.flag(
                    Level::Destructive,
                    part,
                    "parse.unparseable",
                    format!("`{name} -c` without a command string"),
                ),
            }
            return None;
        }
        if args.iter().any(|a| {
            a.text == "-s"
                || a.text.starts_with('-')
                    && !a.text.starts_with("--")
                    && a.text.contains('s')
                    && a.text.len() <= 4
        }) {
            // `sh -s ARGS`: the script comes from stdin, the words are its arguments
            run_code(
                an,
                part,
                "shell",
                stdin.as_ref(),
                format!("`{name} -s` reading stdin"),
            );
            return None;
        }
        let ops2 = skip_opts(args, &["-o", "-O", "+O"]);
        if ops2
            .first()
            .is_some_and(|a| a.text == "-" || a.text == "/dev/stdin")
        {
            run_code(
                an,
                part,
                "shell",
                stdin.as_ref(),
                format!("`{name} -` reading stdin"),
            );
            return None;
        }
        match ops2.first() {
            Some(f) if f.content.is_some() => run_code(
                an,
                part,
                "shell",
                f.content.as_ref(),
                format!("`{name}` reading a process substitution"),
            ),
            Some(f) => an.flag(
                Level::Moderate,
                part,
                "exec.script",
                format!("runs the script `{}`", f.text),
            ),
            None => run_code(
                an,
                part,
                "shell",
                stdin.as_ref(),
                format!("`{name}` reading stdin"),
            ),
        }
        return None;
    }
    if name == "source" || name == "." {
        match ops.first() {
            Some(f) if f.content.is_some() => run_code(
                an,
                part,
                "shell",
                f.content.as_ref(),
                format!("`{name}` of a process substitution"),
            ),
            Some(f) => an.flag(
                Level::Moderate,
                part,
                "exec.script",
                format!("runs the script `{}` in this shell", f.text),
            ),
            None => {}
        }
        return None;
    }
    if name == "eval" {
        let dynamic = args.iter().any(|a| a.dynamic);
        let network = args
            .iter()
            .any(|a| a.content.as_ref().is_some_and(|c| c.network));
        let decoded = args
            .iter()
            .any(|a| a.content.as_ref().is_some_and(|c| c.decoded));
        let text = args
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        let c = Content {
            text: if dynamic { None } else { Some(text) },
            network,
            decoded,
        };
        if dynamic && !network && !decoded {
            an.flag(
                Level::Destructive,
                part,
                "exec.eval-unknown",
                "`eval` of a value known only at run time; counted at its worst".into(),
            );
            return None;
        }
        run_code(an, part, "shell", Some(&c), "in `eval`".into());
        return None;
    }
    if let Some(lang) = is_interpreter(name) {
        interpreter(an, part, lang, name, args, stdin.as_ref());
        return out;
    }
    if name == "alias" {
        for a in args {
            if let Some((k, v)) = a.text.split_once('=') {
                an.define_alias(k, v);
                an.nested(v, format!("in the alias `{k}`"));
            }
        }
        if args.iter().all(|a| !a.text.contains('=')) {
            read_only(an, part, name);
        }
        return None;
    }
    if matches!(
        name,
        "export" | "declare" | "typeset" | "local" | "readonly"
    ) {
        for a in args {
            if let Some((k, v)) = a.text.split_once('=') {
                an.set_var(k, if a.dynamic { None } else { Some(v.to_string()) });
            }
        }
        read_only(an, part, name);
        return None;
    }
    if name == "unset" {
        for a in &ops {
            an.set_var(&a.text, Some(String::new()));
        }
        read_only(an, part, name);
        return None;
    }
    if name == "read" {
        for a in &ops {
            an.set_var(&a.text, None);
        }
        read_only(an, part, name);
        return None;
    }
    if name == "trap" {
        if let Some(c) = ops.first() {
            let t = c.text.clone();
            an.nested(&t, "in a `trap` handler".into());
        }
        return None;
    }
    match name {
        // ---- deletion ----
        "rm" | "unlink" | "srm" | "trash-empty.x" => {
            let recursive = s.has('r') || s.has('R') || s.has_long("recursive");
            if s.has_long("no-preserve-root") {
                an.flag(
                    Level::Critical,
                    part,
                    "delete.no-preserve-root",
                    "`--no-preserve-root` disables the guard against deleting `/`".into(),
                );
            }
            if ops.is_empty() {
                an.flag(
                    Level::Moderate,
                    part,
                    "delete.no-operand",
                    format!("`{name}` without a file deletes nothing (as in an alias prefix)"),
                );
            }
            for a in &ops {
                delete(an, part, a, recursive, "deletes");
            }
        }
        "rmdir" => {
            for a in &ops {
                let k = a.path_kind();
                if k.is_system_wide() {
                    delete(an, part, a, false, "removes the directory");
                } else {
                    an.flag(
                        Level::Moderate,
                        part,
                        "delete.empty-dir",
                        format!("removes the empty directory `{}`", a.text),
                    );
                }
            }
        }
        "shred" | "wipe" => {
            for a in &ops {
                match a.path_kind() {
                    PathKind::BlockDevice
                    | PathKind::Root
                    | PathKind::SystemDir
                    | PathKind::SystemFile { .. }
                    | PathKind::Home => an.flag(
                        Level::Critical,
                        part,
                        "wipe.system",
                        format!(
                            "`{name}` destroys `{}`: {}",
                            a.text,
                            a.path_kind().describe()
                        ),
                    ),
                    _ => an.flag(
                        Level::Destructive,
                        part,
                        "wipe.files",
                        format!("`{name}` destroys the data in `{}`", a.text),
                    ),
                }
            }
            if ops.is_empty() {
                an.flag(
                    Level::Destructive,
                    part,
                    "wipe.files",
                    format!("`{name}` destroys data"),
                );
            }
        }
        "truncate" => {
            let s2 = split(args, &["-s", "--size", "-r", "--reference"]);
            let grows = s2
                .value("-s")
                .or_else(|| s2.value("--size"))
                .is_some_and(|v| v.text.starts_with('+'));
            for a in &s2.operands {
                if grows {
                    overwrite(an, part, a, Level::Moderate, "resizes");
                } else {
                    overwrite(an, part, a, Level::Destructive, "truncates");
                }
            }
        }
        "find" => find(an, part, args),
        // ---- moving, copying, linking ----
        "mv" => {
            let s2 = split(args, &["-t", "--target-directory", "-S", "--suffix"]);
            let mut ops = s2.operands.clone();
            let dest = match s2.value("-t").or_else(|| s2.value("--target-directory")) {
                Some(d) => Some(d),
                None => ops.pop(),
            };
            for a in &ops {
                let k = a.path_kind();
                if k.is_system_wide() && k != PathKind::BlockDevice {
                    delete(an, part, a, true, "moves away");
                } else {
                    an.flag(
                        Level::Moderate,
                        part,
                        "move.files",
                        format!("moves `{}`", a.text),
                    );
                }
            }
            if let Some(d) = dest {
                if d.path_kind() == PathKind::Harmless {
                    for a in &ops {
                        delete(an, part, a, true, "moves into a null device, destroying");
                    }
                } else {
                    overwrite(an, part, d, Level::Moderate, "moves onto");
                }
            }
        }
        "cp" | "install" | "rsync" | "scp" | "ln" | "link" => {
            let s2 = split(
                args,
                &[
                    "-t",
                    "--target-directory",
                    "-S",
                    "--suffix",
                    "-e",
                    "-m",
                    "-o",
                    "-g",
                    "--mode",
                    "--owner",
                    "--group",
                    "--exclude",
                    "--include",
                    "-f.rsync",
                ],
            );
            let mut ops = s2.operands.clone();
            let dest = match s2.value("-t").or_else(|| s2.value("--target-directory")) {
                Some(d) => Some(d),
                None => {
                    if ops.len() >= 2 || name != "ln" {
                        ops.pop()
                    } else {
                        None
                    }
                }
            };
            let force = name == "ln" && (s2.has('f') || s2.has_long("force"));
            if name == "rsync"
                && s2
                    .long
                    .iter()
                    .any(|l| l.starts_with("delete") || l == "remove-source-files")
            {
                let lvl = if dest.is_some_and(|d| d.path_kind().is_system_wide()) {
                    Level::Critical
                } else {
                    Level::Destructive
                };
                an.flag(
                    lvl,
                    part,
                    "sync.delete",
                    "`rsync --delete` deletes files at the destination that the source lacks"
                        .into(),
                );
            }
            if let Some(d) = dest {
                if name == "ln" && !force {
                    an.flag(
                        Level::Moderate,
                        part,
                        "link.create",
                        format!("creates a link at `{}`", d.text),
                    );
                } else if d.text.contains(':') && name != "ln" && !d.text.starts_with('/') {
                    an.flag(
                        Level::Moderate,
                        part,
                        "copy.remote",
                        format!("copies to the remote `{}`", d.text),
                    );
                } else {
                    overwrite(
                        an,
                        part,
                        d,
                        Level::Moderate,
                        if name == "ln" {
                            "replaces with a link"
                        } else {
                            "copies onto"
                        },
                    );
                }
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "copy.files",
                    format!("`{name}` creates files"),
                );
            }
        }
        "dd" => {
            let mut wrote = false;
            for a in args {
                if let Some(t) = a.text.strip_prefix("of=") {
                    let t = Arg {
                        text: t.to_string(),
                        ..a.clone()
                    };
                    overwrite(an, part, &t, Level::Moderate, "`dd` writes to");
                    wrote = true;
                }
            }
            if !wrote {
                an.flag(
                    Level::Safe,
                    part,
                    "read-only",
                    "`dd` without `of=` writes to stdout".into(),
                );
            }
        }
        "tee" => {
            let s2 = split(args, &[]);
            for a in &s2.operands {
                if s2.has('a') || s2.has_long("append") {
                    edit(an, part, a, "`tee -a` appends to");
                } else {
                    overwrite(an, part, a, Level::Moderate, "`tee` overwrites");
                }
            }
            if s2.operands.is_empty() {
                read_only(an, part, name);
            }
        }
        // ---- filesystems and devices ----
        n if n.starts_with("mkfs")
            || n.starts_with("mke2fs")
            || matches!(
                n,
                "mkswap"
                    | "wipefs"
                    | "mkdosfs"
                    | "mkntfs"
                    | "mkexfatfs"
                    | "blkdiscard"
                    | "sgdisk"
                    | "sfdisk"
                    | "cfdisk"
                    | "gdisk"
                    | "fdisk"
                    | "parted"
                    | "badblocks"
                    | "zpool"
                    | "pvcreate"
                    | "pvremove"
                    | "vgremove"
                    | "lvremove"
                    | "mdadm"
                    | "cryptsetup"
                    | "fsck"
                    | "e2fsck"
                    | "tune2fs"
                    | "resize2fs"
                    | "hdparm"
                    | "partprobe"
                    | "losetup"
                    | "dmsetup"
                    | "zfs"
                    | "mkfs.btrfs"
                    | "btrfs"
            ) =>
        {
            disk_tool(an, part, n, args, &s);
        }
        "mount" | "swapon" | "umount" | "swapoff" | "eject" => {
            let lvl = if matches!(name, "umount" | "swapoff") && !ops.is_empty()
                || (name == "swapoff" && s.has('a'))
            {
                Level::Destructive
            } else if ops.is_empty() && name == "mount" {
                Level::Safe
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "fs.mount",
                format!("`{name}` changes what is mounted"),
            );
        }
        // ---- permissions ----
        "chmod" | "chown" | "chgrp" | "setfacl" | "chattr" | "chcon" | "restorecon" => {
            let recursive =
                s.has('R') || s.has_long("recursive") || (name == "setfacl" && s.has('R'));
            let skip = if matches!(name, "chmod" | "chown" | "chgrp" | "chcon")
                && !s.has_long("reference")
            {
                1
            } else {
                0
            };
            let targets: Vec<&Arg> = if name == "setfacl" || name == "restorecon" {
                ops.iter()
                    .skip(ops.len().saturating_sub(1).min(1))
                    .copied()
                    .collect()
            } else {
                ops.iter().skip(skip).copied().collect()
            };
            for a in targets {
                let k = a.path_kind();
                let (lvl, rule) = match k {
                    PathKind::Root
                    | PathKind::SystemDir
                    | PathKind::Home
                    | PathKind::SystemFile { .. }
                        if recursive =>
                    {
                        (Level::Critical, "perm.recursive-system")
                    }
                    PathKind::Root
                    | PathKind::SystemDir
                    | PathKind::SystemFile { essential: true }
                    | PathKind::BlockDevice => (Level::Critical, "perm.system"),
                    PathKind::SystemFile { essential: false }
                    | PathKind::Home
                    | PathKind::OtherHome => (Level::Destructive, "perm.system-file"),
                    _ => (Level::Moderate, "perm.user-file"),
                };
                an.flag(
                    lvl,
                    part,
                    rule,
                    format!(
                        "`{name}`{} changes permissions of `{}`: {}",
                        if recursive { " -R" } else { "" },
                        a.text,
                        k.describe()
                    ),
                );
            }
        }
        // ---- processes ----
        "kill" => kill(an, part, args),
        "fuser" => {
            // `fuser -k` kills the processes using the files, mounts or ports named
            // (`-n SPACE` is the only option with a value; `-s` is silent)
            let s2 = split(args, &["-n", "--namespace"]);
            if s2.has('k') || s2.has_long("kill") {
                an.flag(
                    Level::Destructive,
                    part,
                    "kill.processes",
                    "`fuser -k` kills the processes using the files or ports named".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "killall" | "pkill" | "killall5" | "skill" | "slay" => {
            let s2 = split(
                args,
                &[
                    "-s", "--signal", "-u", "--user", "-U", "-g", "-G", "-t", "-P", "-o", "-y",
                    "-n.x",
                ],
            );
            // `pkill -u root` / `killall -u root` with no name: every process of root
            let user = s2
                .value("-u")
                .or_else(|| s2.value("--user"))
                .or_else(|| s2.value("-U"))
                .map(|a| a.text.as_str());
            let all_of_root = s2.operands.is_empty()
                && user.is_some_and(|u| u.split(',').any(|u| u == "root" || u == "0"));
            if s2.has('l') || s2.has('L') || s2.has_long("list") || s2.has_long("version") {
                read_only(an, part, name);
            } else if all_of_root {
                an.flag(
                    Level::Critical,
                    part,
                    "kill.all-or-init",
                    format!("`{name}` kills every process of root"),
                );
            } else if name == "killall5"
                || s2.operands.iter().any(|a| {
                    matches!(a.text.as_str(), "init" | "systemd" | "." | ".*" | "-1")
                        || a.text == "1"
                })
            {
                an.flag(
                    Level::Critical,
                    part,
                    "kill.all-or-init",
                    format!("`{name}` kills init or every process"),
                );
            } else {
                an.flag(
                    Level::Destructive,
                    part,
                    "kill.processes",
                    format!("`{name}` kills processes by name"),
                );
            }
        }
        // ---- services and power ----
        "systemctl" => systemctl(an, part, &ops, &s),
        "service" => {
            let action = op1;
            let lvl = match action {
                "status" | "" => Level::Safe,
                "start" | "restart" | "reload" | "force-reload" | "try-restart" | "condrestart" => {
                    Level::Moderate
                }
                _ => Level::Destructive,
            };
            let lvl = if s.has_long("status-all") {
                Level::Safe
            } else {
                lvl
            };
            an.flag(
                lvl,
                part,
                "service.control",
                format!("`service {op0} {action}`"),
            );
        }
        "shutdown" | "reboot" | "poweroff" | "halt" | "kexec" | "pm-suspend" | "pm-hibernate" => {
            if s.has('c') || s.has_long("help") || s.has_long("show") {
                an.flag(
                    Level::Moderate,
                    part,
                    "power.cancel",
                    "cancels or shows a pending shutdown".into(),
                );
            } else {
                an.flag(
                    Level::Destructive,
                    part,
                    "power.off",
                    format!("`{name}` stops the machine and every running process"),
                );
            }
        }
        "init" | "telinit" => {
            if ops
                .iter()
                .any(|a| matches!(a.text.as_str(), "0" | "1" | "6" | "s" | "S" | "single"))
            {
                an.flag(
                    Level::Destructive,
                    part,
                    "power.runlevel",
                    format!("`{name} {op0}` changes the runlevel (halt, single user or reboot)"),
                );
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "power.runlevel",
                    format!("`{name}` changes the runlevel"),
                );
            }
        }
        "sysctl" => {
            if s.has('w') || ops.iter().any(|a| a.text.contains('=')) {
                let lvl = Level::Destructive;
                an.flag(
                    lvl,
                    part,
                    "kernel.tunable",
                    "`sysctl` changes kernel parameters".into(),
                );
            } else if s.has('p') || s.has_long("system") {
                an.flag(
                    Level::Moderate,
                    part,
                    "kernel.tunable",
                    "`sysctl` reloads kernel parameters".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "modprobe" | "insmod" | "rmmod" | "depmod" => {
            let lvl = if name == "rmmod" || s.has('r') || s.has_long("remove") {
                Level::Destructive
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "kernel.module",
                format!("`{name}` changes loaded kernel modules"),
            );
        }
        "crontab"
            if !s.has('r')
                && !s.has('l')
                && (ops.first().is_some_and(|a| a.text == "-")
                    || ops.first().is_some_and(|a| a.content.is_some())
                    || ops.is_empty()
                        && stdin
                            .as_ref()
                            .is_some_and(|c| c.text.is_some() || c.network)) =>
        {
            // a new crontab from stdin: every entry's command will run
            let content = ops
                .first()
                .and_then(|a| a.content.clone())
                .or_else(|| stdin.clone())
                .unwrap_or_default();
            an.flag(
                Level::Moderate,
                part,
                "cron.table",
                "`crontab` replaces the scheduled jobs".into(),
            );
            match content.text {
                Some(t) => {
                    for line in t.lines() {
                        let l = line.trim();
                        if l.is_empty() || l.starts_with('#') || l.contains('=') && !l.contains(' ')
                        {
                            continue;
                        }
                        let fields: Vec<&str> = l
                            .splitn(if l.starts_with('@') { 2 } else { 6 }, char::is_whitespace)
                            .collect();
                        if let Some(cmd) = fields.last() {
                            an.nested(cmd, "scheduled by `crontab`".into());
                        }
                    }
                }
                None => an.flag(
                    Level::Destructive,
                    part,
                    "exec.unknown-code",
                    "schedules jobs whose content is not known here".into(),
                ),
            }
        }
        "at" | "batch"
            if !s.has('l')
                && stdin
                    .as_ref()
                    .is_some_and(|c| c.text.is_some() || c.network) =>
        {
            match stdin.as_ref().and_then(|c| c.text.clone()) {
                Some(t) => an.nested(&t, format!("scheduled by `{name}`")),
                None => an.flag(
                    Level::Destructive,
                    part,
                    "exec.remote-code",
                    format!("`{name}` schedules code fetched from the network"),
                ),
            }
        }
        "crontab" => {
            let lvl = if s.has('r') {
                Level::Destructive
            } else if s.has('l') || s.has('v') {
                Level::Safe
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "cron.table",
                if s.has('r') {
                    "`crontab -r` deletes the whole crontab".into()
                } else {
                    "`crontab` edits scheduled jobs".into()
                },
            );
        }
        "atq" => read_only(an, part, name),
        "at" if s.has('l') => read_only(an, part, name),
        "at" | "batch" => an.flag(Level::Moderate, part, "cron.at", "schedules a job".into()),
        "atrm" => an.flag(
            Level::Destructive,
            part,
            "cron.at",
            "removes scheduled jobs".into(),
        ),
        // ---- version control ----
        "git" => git(an, part, args),
        // ---- packages ----
        "apt" | "apt-get" | "aptitude" | "dnf" | "yum" | "zypper" | "snap" | "flatpak" | "brew"
        | "pip" | "pip3" | "pipx" | "npm" | "yarn" | "pnpm" | "gem" | "cargo" | "apk"
        | "nix-env" | "emerge" | "port" | "conda" | "mamba" | "go" | "composer" => {
            packages(an, part, name, &ops, &s)
        }
        "dpkg" | "rpm" | "pacman" | "yay" | "paru" => low_level_packages(an, part, name, args, &s),
        // ---- firewall, network, users ----
        "iptables" | "ip6tables" | "iptables-legacy" | "iptables-nft" | "ebtables"
        | "arptables" => {
            let changes = s.short.chars().any(|c| "AIDRFXZPNE".contains(c))
                || s.long.iter().any(|l| {
                    matches!(
                        l.as_str(),
                        "append"
                            | "insert"
                            | "delete"
                            | "replace"
                            | "flush"
                            | "delete-chain"
                            | "zero"
                            | "policy"
                            | "new-chain"
                            | "rename-chain"
                    )
                });
            if changes
                || !(s.has('L') || s.has('S') || s.has_long("list") || s.has_long("list-rules"))
            {
                an.flag(
                    Level::Destructive,
                    part,
                    "firewall.change",
                    format!("`{name}` changes firewall rules"),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "iptables-save" | "ip6tables-save" | "nft.list" => read_only(an, part, name),
        "iptables-restore" | "ip6tables-restore" => an.flag(
            Level::Destructive,
            part,
            "firewall.change",
            "replaces the firewall rules".into(),
        ),
        "nft" | "ufw" | "firewall-cmd" => {
            let ro = match name {
                "nft" => op0 == "list" || s.has_long("version"),
                "ufw" => {
                    matches!(op0, "status" | "show" | "version" | "app")
                        || (op0 == "app" && op1 == "list")
                }
                _ => {
                    s.long.iter().all(|l| {
                        l.starts_with("list")
                            || l.starts_with("get")
                            || l.starts_with("query")
                            || l == "state"
                            || l == "zone"
                    }) && !s.long.is_empty()
                }
            };
            if ro {
                read_only(an, part, name)
            } else {
                an.flag(
                    Level::Destructive,
                    part,
                    "firewall.change",
                    format!("`{name}` changes the firewall"),
                )
            }
        }
        "ip" => {
            let words: Vec<&str> = ops.iter().map(|a| a.text.as_str()).collect();
            let change = words.iter().skip(1).take(2).any(|w| {
                matches!(
                    *w,
                    "add"
                        | "del"
                        | "delete"
                        | "set"
                        | "flush"
                        | "change"
                        | "replace"
                        | "append"
                        | "prepend"
                        | "down"
                        | "up"
                        | "a.dd"
                        | "exec"
                )
            });
            if change {
                an.flag(
                    Level::Destructive,
                    part,
                    "network.change",
                    "`ip` changes network configuration".into(),
                )
            } else {
                read_only(an, part, name)
            }
        }
        "ifconfig" | "iwconfig" => {
            if ops.len() > 1 {
                an.flag(
                    Level::Destructive,
                    part,
                    "network.change",
                    format!("`{name}` changes an interface"),
                )
            } else {
                read_only(an, part, name)
            }
        }
        "ifdown" | "ifup" | "dhclient" | "wpa_cli" | "nmtui" | "netplan" => {
            let lvl = if name == "ifdown"
                || (name == "dhclient" && s.has('r'))
                || (name == "netplan" && op0 == "apply")
            {
                Level::Destructive
            } else if name == "netplan" && matches!(op0, "get" | "info" | "status") {
                Level::Safe
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "network.change",
                format!("`{name}` changes network state"),
            );
        }
        "route" => {
            if matches!(op0, "add" | "del" | "delete" | "flush") {
                an.flag(
                    Level::Destructive,
                    part,
                    "network.change",
                    "`route` changes the routing table".into(),
                )
            } else {
                read_only(an, part, name)
            }
        }
        "nmcli" => {
            let words: Vec<&str> = ops.iter().map(|a| a.text.as_str()).collect();
            if words.iter().any(|w| {
                matches!(
                    *w,
                    "down" | "delete" | "del" | "modify" | "off" | "disconnect" | "reload" | "mod"
                )
            }) {
                an.flag(
                    Level::Destructive,
                    part,
                    "network.change",
                    "`nmcli` takes down or changes a connection".into(),
                );
            } else if words
                .iter()
                .any(|w| matches!(*w, "up" | "connect" | "add" | "on" | "hotspot" | "rescan"))
            {
                an.flag(
                    Level::Moderate,
                    part,
                    "network.change",
                    "`nmcli` brings up or adds a connection".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "useradd" | "adduser" | "usermod" | "groupadd" | "addgroup" | "groupdel" | "delgroup"
        | "groupmod" | "gpasswd" | "chpasswd" | "chage" | "newusers" | "vipw" | "vigr" | "chsh"
        | "chfn" | "pwconv" | "pwunconv" | "grpconv" | "grpunconv" => {
            if (name == "chage" && s.has('l')) || (name == "chsh" && s.has('l')) {
                read_only(an, part, name);
            } else {
                an.flag(
                    Level::Destructive,
                    part,
                    "users.change",
                    format!("`{name}` changes users or groups"),
                );
            }
        }
        "userdel" | "deluser" => {
            let lvl = if ops.iter().any(|a| a.text == "root") {
                Level::Critical
            } else {
                Level::Destructive
            };
            an.flag(
                lvl,
                part,
                "users.delete",
                format!(
                    "`{name}` deletes a user{}",
                    if s.has('r') || s.has_long("remove-home") {
                        " and their home directory"
                    } else {
                        ""
                    }
                ),
            );
        }
        "passwd" => {
            if s.has('S') || s.has_long("status") {
                read_only(an, part, name);
            } else if s.has('d') || s.has_long("delete") {
                let root = ops.iter().any(|a| a.text == "root") || ops.is_empty();
                an.flag(
                    if root {
                        Level::Critical
                    } else {
                        Level::Destructive
                    },
                    part,
                    "auth.empty-password",
                    "`passwd -d` removes a password: anyone may log in".into(),
                );
            } else if s.has('l') || s.has('u') || s.has('e') || !ops.is_empty() {
                an.flag(
                    Level::Destructive,
                    part,
                    "users.change",
                    "`passwd` changes another account".into(),
                );
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "users.own-password",
                    "changes your own password".into(),
                );
            }
        }
        "visudo" => an.flag(
            Level::Moderate,
            part,
            "users.sudoers",
            "edits sudoers (syntax-checked)".into(),
        ),
        // ---- containers and clusters ----
        "docker" | "podman" | "nerdctl" => {
            let words: Vec<&str> = ops.iter().map(|a| a.text.as_str()).collect();
            let first2: Vec<&str> = words.iter().take(2).copied().collect();
            if first2
                .iter()
                .any(|w| matches!(*w, "rm" | "rmi" | "kill" | "prune" | "stop" | "down"))
                || words.contains(&"prune")
            {
                an.flag(
                    Level::Destructive,
                    part,
                    "container.delete",
                    format!("`{name}` removes or stops containers, images or volumes"),
                );
            } else if first2.iter().any(|w| {
                matches!(
                    *w,
                    "ps" | "images"
                        | "logs"
                        | "inspect"
                        | "version"
                        | "info"
                        | "stats"
                        | "top"
                        | "history"
                        | "search"
                        | "port"
                        | "diff"
                        | "ls"
                        | "list"
                        | "events"
                )
            }) {
                read_only(an, part, name);
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "container.run",
                    format!("`{name}` runs or changes containers"),
                );
            }
        }
        "kubectl" | "helm" | "oc" => {
            if matches!(
                op0,
                "delete" | "drain" | "uninstall" | "cordon" | "taint" | "replace"
            ) {
                an.flag(
                    Level::Destructive,
                    part,
                    "cluster.delete",
                    format!("`{name} {op0}` removes or disrupts cluster resources"),
                );
            } else if matches!(
                op0,
                "get"
                    | "describe"
                    | "logs"
                    | "top"
                    | "explain"
                    | "version"
                    | "api-resources"
                    | "cluster-info"
                    | "list"
                    | "status"
                    | "history"
                    | "show"
                    | "search"
                    | "config"
                    | "auth"
            ) {
                read_only(an, part, name);
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "cluster.change",
                    format!("`{name} {op0}` changes cluster resources"),
                );
            }
        }
        "terraform" | "pulumi" => {
            let lvl = if op0 == "destroy" {
                Level::Destructive
            } else if matches!(
                op0,
                "plan" | "show" | "validate" | "fmt" | "output" | "version" | "preview"
            ) {
                Level::Safe
            } else {
                Level::Moderate
            };
            an.flag(lvl, part, "infra.change", format!("`{name} {op0}`"));
        }
        "journalctl" => {
            if s.long.iter().any(|l| l.starts_with("vacuum")) {
                an.flag(
                    Level::Destructive,
                    part,
                    "logs.delete",
                    "`journalctl --vacuum-*` deletes journal files".into(),
                );
            } else if s.has_long("rotate") || s.has_long("flush") || s.has_long("sync") {
                an.flag(
                    Level::Moderate,
                    part,
                    "logs.rotate",
                    "rotates or flushes the journal".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "dmesg" => {
            if s.has('c')
                || s.has('C')
                || s.has('D')
                || s.has('E')
                || s.has('n')
                || s.has_long("clear")
            {
                an.flag(
                    Level::Moderate,
                    part,
                    "logs.clear",
                    "`dmesg` clears or configures the kernel log".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "history" => {
            if s.has('c') || s.has('d') || s.has('w') {
                an.flag(
                    Level::Moderate,
                    part,
                    "history.edit",
                    "`history` clears or rewrites history".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "date" => {
            if s.has('s') || s.has_long("set") {
                an.flag(
                    Level::Moderate,
                    part,
                    "time.set",
                    "sets the system clock".into(),
                );
            } else {
                read_only(an, part, name);
            }
        }
        "hostname" | "hostnamectl" | "timedatectl" | "localectl" => {
            let sets = if name == "hostname" {
                !ops.is_empty() || s.has('F')
            } else {
                op0.starts_with("set") || matches!(op0, "hostname") && !op1.is_empty()
            };
            if sets {
                an.flag(
                    Level::Moderate,
                    part,
                    "system.settings",
                    format!("`{name}` changes system settings"),
                )
            } else {
                read_only(an, part, name)
            }
        }
        "sed" => {
            let s2 = split(args, &["-e", "-f", "--expression", "--file", "-l", "-s.x"]);
            let inplace = s2.has('i')
                || s2.has_long("in-place")
                || args
                    .iter()
                    .any(|a| a.text.starts_with("-i") || a.text.starts_with("--in-place"));
            if inplace {
                // operands: first is the script unless -e/-f given
                let has_script_opt = s2.value("-e").is_some()
                    || s2.value("-f").is_some()
                    || s2.value("--expression").is_some();
                let files: Vec<&Arg> = s2
                    .operands
                    .iter()
                    .skip(if has_script_opt { 0 } else { 1 })
                    .copied()
                    .collect();
                for f in files {
                    edit(an, part, f, "`sed -i` rewrites");
                }
            } else {
                let script = s2
                    .operands
                    .first()
                    .map(|a| a.text.clone())
                    .unwrap_or_default();
                if sed_writes(&script) {
                    an.flag(
                        Level::Moderate,
                        part,
                        "edit.sed-write",
                        "the sed script writes a file or runs a command".into(),
                    )
                } else {
                    read_only(an, part, name)
                }
            }
        }
        "sort" => {
            let s2 = split(
                args,
                &[
                    "-o",
                    "--output",
                    "-k",
                    "-t",
                    "-S",
                    "-T",
                    "--key",
                    "--field-separator",
                    "--buffer-size",
                    "--temporary-directory",
                ],
            );
            match s2.value("-o").or_else(|| s2.value("--output")) {
                Some(o) => overwrite(an, part, o, Level::Moderate, "`sort -o` writes"),
                None => read_only(an, part, name),
            }
        }
        "curl" => {
            let s2 = split(
                args,
                &[
                    "-o",
                    "--output",
                    "-X",
                    "--request",
                    "-d",
                    "--data",
                    "-T",
                    "--upload-file",
                    "-H",
                    "-u",
                    "-A",
                    "-e",
                    "-x",
                    "-m",
                    "-w",
                    "-F",
                    "-b",
                    "-c",
                    "-K",
                    "-r",
                    "-C",
                    "-E",
                    "-y",
                    "-Y",
                    "-z",
                    "-U",
                ],
            );
            let writes = s2.value("-o").or_else(|| s2.value("--output"));
            if let Some(o) = writes.filter(|o| o.text != "-") {
                overwrite(an, part, o, Level::Moderate, "`curl` downloads into");
            } else if s2.has('O') || s2.has_long("remote-name") || s2.has_long("remote-name-all") {
                an.flag(
                    Level::Moderate,
                    part,
                    "download.file",
                    "`curl -O` saves a file".into(),
                );
            } else if s2
                .value("-X")
                .or_else(|| s2.value("--request"))
                .is_some_and(|m| {
                    !m.text.eq_ignore_ascii_case("GET") && !m.text.eq_ignore_ascii_case("HEAD")
                })
                || s2.value("-d").is_some()
                || s2.value("-T").is_some()
                || s2.value("-F").is_some()
            {
                an.flag(
                    Level::Moderate,
                    part,
                    "network.send",
                    "`curl` sends data to a server".into(),
                );
            } else {
                an.flag(
                    Level::Safe,
                    part,
                    "read-only",
                    "`curl` prints what it fetches".into(),
                );
            }
        }
        "wget" => {
            let to_stdout = args.iter().enumerate().any(|(i, a)| {
                a.text == "-O-"
                    || a.text == "-qO-"
                    || a.text.ends_with("O-") && a.text.starts_with('-')
                    || (a.text == "-O"
                        || a.text.ends_with('O')
                            && a.text.starts_with('-')
                            && !a.text.starts_with("--"))
                        && args.get(i + 1).is_some_and(|n| n.text == "-")
                    || a.text == "--output-document=-"
            });
            if to_stdout || s.has_long("spider") {
                an.flag(
                    Level::Safe,
                    part,
                    "read-only",
                    "`wget` prints what it fetches".into(),
                );
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "download.file",
                    "`wget` saves files".into(),
                );
            }
        }
        "tar" | "bsdtar" => {
            let first = args
                .first()
                .map(|a| a.text.trim_start_matches('-').to_string())
                .unwrap_or_default();
            let listing = s.has('t')
                || s.has_long("list")
                || (!first.is_empty() && !args[0].text.starts_with('-') && first.contains('t'));
            if listing && !(s.has('x') || s.has('c')) {
                read_only(an, part, name)
            } else {
                let to_root = split(args, &["-C", "--directory", "-f", "--file"])
                    .value("-C")
                    .is_some_and(|d| d.path_kind().is_system_wide());
                an.flag(
                    if to_root {
                        Level::Destructive
                    } else {
                        Level::Moderate
                    },
                    part,
                    "archive.write",
                    format!("`{name}` creates or extracts files"),
                );
            }
        }
        "unzip" | "7z" | "7za" | "unrar" | "gzip" | "gunzip" | "bzip2" | "bunzip2" | "xz"
        | "unxz" | "zstd" | "unzstd" | "lz4" | "zip" | "rar" | "compress" | "uncompress"
        | "pigz" | "lzma" => {
            let ro = match name {
                "unzip" => s.has('l') || s.has('t') || s.has('v') || s.has('Z') || s.has('p'),
                "7z" | "7za" | "unrar" | "rar" => matches!(op0, "l" | "t" | "lt" | "vt" | "v"),
                "zip" => false,
                _ => {
                    s.has('l')
                        || s.has('t')
                        || s.has('c')
                        || s.has_long("stdout")
                        || s.has_long("list")
                        || s.has_long("test")
                }
            };
            if ro {
                read_only(an, part, name)
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "archive.write",
                    format!("`{name}` creates, replaces or extracts files"),
                )
            }
        }
        "awk.x" => {}
        "find.x" => {}
        "echo" | "printf" => read_only(an, part, name),
        "yes" | "cat" => read_only(an, part, name),
        n if READ_ONLY.contains(&n) => read_only(an, part, n),
        "touch"
        | "mkdir"
        | "mktemp"
        | "mkfifo"
        | "mknod.user"
        | "split"
        | "csplit"
        | "rename"
        | "prename"
        | "file-rename"
        | "convert"
        | "magick"
        | "ffmpeg"
        | "pandoc"
        | "make"
        | "cmake"
        | "ninja"
        | "gcc"
        | "g++"
        | "cc"
        | "clang"
        | "rustc"
        | "javac"
        | "java"
        | "code"
        | "vim"
        | "vi"
        | "nvim"
        | "nano"
        | "emacs"
        | "gedit"
        | "ed"
        | "patch"
        | "git-lfs"
        | "ssh-copy-id"
        | "ssh-add"
        | "ssh-agent"
        | "gpg2"
        | "rclone"
        | "wall"
        | "write"
        | "notify-send"
        | "xclip"
        | "xsel"
        | "tmux"
        | "screen"
        | "systemd-run"
        | "pushd.x"
        | "ln.x"
        | "exiftool"
        | "pdftotext"
        | "script"
        | "nc"
        | "newgrp"
        | "mkinitramfs"
        | "update-initramfs"
        | "update-grub"
        | "grub-install"
        | "ldconfig"
        | "update-alternatives"
        | "locale-gen"
        | "dpkg-reconfigure"
        | "a2enmod"
        | "a2ensite"
        | "a2dismod"
        | "a2dissite"
        | "nginx"
        | "apachectl"
        | "certbot" => {
            let lvl = if matches!(name, "grub-install")
                && ops.iter().any(|a| a.path_kind() == PathKind::BlockDevice)
            {
                Level::Destructive
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "write.creates",
                format!("`{name}` creates or changes files"),
            );
        }
        "mknod" => an.flag(
            Level::Moderate,
            part,
            "write.creates",
            "creates a device node".into(),
        ),
        "sync" => read_only(an, part, name),
        _ => {
            an.flag(
                Level::Moderate,
                part,
                "unknown.utility",
                format!("`{name}` is not in the rule set; its effects are not known"),
            );
        }
    }
    out
}

fn sed_writes(script: &str) -> bool {
    // `w file` / `W file` / `e cmd` commands (coarse: a w/e command letter after an address or `;`).
    script.split([';', '\n']).any(|c| {
        let c = c.trim().trim_start_matches(|ch: char| {
            ch.is_ascii_digit() || ch == ',' || ch == '$' || ch == '/'
        });
        c.starts_with("w ") || c.starts_with("W ") || c.starts_with("e ") || c == "e"
    }) || script.contains("/w ")
        || script.contains("/e")
}

fn find(an: &mut Analyzer, part: &str, args: &[Arg]) {
    let mut i = 0;
    while i < args.len() && matches!(args[i].text.as_str(), "-H" | "-L" | "-P")
        || args
            .get(i)
            .is_some_and(|a| a.text.starts_with("-O") || a.text == "-D")
    {
        i += if args[i].text == "-D" { 2 } else { 1 };
    }
    let mut roots = Vec::new();
    while i < args.len() {
        let t = &args[i].text;
        if (t.starts_with('-') && !args[i].dynamic) || t == "(" || t == "!" || t == "\\(" {
            break;
        }
        roots.push(args[i].clone());
        i += 1;
    }
    if roots.is_empty() {
        roots.push(Arg::lit("."));
    }
    let expr = &args[i.min(args.len())..];
    let filtered = expr.iter().any(|a| {
        matches!(
            a.text.as_str(),
            "-name"
                | "-iname"
                | "-path"
                | "-ipath"
                | "-wholename"
                | "-regex"
                | "-iregex"
                | "-type"
                | "-size"
                | "-mtime"
                | "-mmin"
                | "-atime"
                | "-amin"
                | "-ctime"
                | "-cmin"
                | "-newer"
                | "-user"
                | "-group"
                | "-empty"
                | "-perm"
                | "-links"
                | "-inum"
                | "-samefile"
                | "-lname"
                | "-uid"
                | "-gid"
                | "-nouser"
                | "-nogroup"
        )
    });
    let mut did = false;
    let mut k = 0;
    while k < expr.len() {
        let t = expr[k].text.as_str();
        match t {
            "-delete" => {
                did = true;
                for r in &roots {
                    let kind = r.path_kind();
                    if kind.is_system_wide() && !filtered {
                        an.flag(
                            Level::Critical,
                            part,
                            "find.delete-system",
                            format!(
                                "`find {} -delete` deletes everything under {}",
                                r.text,
                                kind.describe()
                            ),
                        );
                    } else {
                        let lvl =
                            if kind == PathKind::Root && expr.iter().any(|a| a.text == "-type") {
                                Level::Critical
                            } else {
                                Level::Destructive
                            };
                        an.flag(
                            lvl,
                            part,
                            "find.delete",
                            format!(
                                "`find -delete` deletes the matching files under `{}`",
                                r.text
                            ),
                        );
                    }
                }
            }
            "-exec" | "-execdir" | "-ok" | "-okdir" => {
                did = true;
                let end = expr[k + 1..]
                    .iter()
                    .position(|a| a.text == ";" || a.text == "+")
                    .map(|p| k + 1 + p)
                    .unwrap_or(expr.len());
                let inner: Vec<Arg> = expr[k + 1..end].to_vec();
                for r in &roots {
                    let placeholder = if filtered {
                        Arg {
                            text: format!("{}/*", r.text.trim_end_matches('/')),
                            glob: true,
                            ..r.clone()
                        }
                    } else {
                        r.clone()
                    };
                    let argv: Vec<Arg> = inner
                        .iter()
                        .map(|a| {
                            if a.text.contains("{}") {
                                Arg {
                                    text: a.text.replace("{}", &placeholder.text),
                                    glob: placeholder.glob,
                                    ..a.clone()
                                }
                            } else {
                                a.clone()
                            }
                        })
                        .collect();
                    if !argv.is_empty() {
                        an.flag(
                            Level::Safe,
                            part,
                            "find.exec",
                            format!("`find` runs `{}` on each match", argv[0].text),
                        );
                        let p = argv
                            .iter()
                            .map(|a| a.text.clone())
                            .collect::<Vec<_>>()
                            .join(" ");
                        run(an, &p, argv, None);
                    }
                }
                k = end;
            }
            "-fprint" | "-fprint0" | "-fprintf" | "-fls" => {
                did = true;
                if let Some(f) = expr.get(k + 1) {
                    overwrite(an, part, f, Level::Moderate, "`find` writes its list to");
                }
            }
            _ => {}
        }
        k += 1;
    }
    if !did {
        read_only(an, part, "find");
    }
}

fn kill(an: &mut Analyzer, part: &str, args: &[Arg]) {
    let mut i = 0;
    let mut signal_zero = false;
    let mut targets = Vec::new();
    let mut saw_signal = false;
    while i < args.len() {
        let t = args[i].text.as_str();
        if t == "-l" || t == "-L" || t == "--list" || t == "--table" {
            read_only(an, part, "kill");
            return;
        }
        if t == "-s" || t == "-n" || t == "--signal" {
            signal_zero |= args.get(i + 1).is_some_and(|a| a.text == "0");
            saw_signal = true;
            i += 2;
            continue;
        }
        if t == "--" {
            targets.extend(args[i + 1..].iter().map(|a| a.text.clone()));
            break;
        }
        if let Some(sig) = t.strip_prefix('-')
            && !saw_signal
            && !sig.is_empty()
            && targets.is_empty()
        {
            saw_signal = true;
            signal_zero |= sig == "0";
            i += 1;
            continue;
        }
        targets.push(t.to_string());
        i += 1;
    }
    if signal_zero {
        an.flag(
            Level::Safe,
            part,
            "kill.probe",
            "`kill -0` only checks that a process exists".into(),
        );
        return;
    }
    for t in &targets {
        let t = t.trim();
        if t == "1" || t == "-1" {
            an.flag(
                Level::Critical,
                part,
                "kill.all-or-init",
                if t == "1" {
                    "kills PID 1 (init): the system goes down".into()
                } else {
                    "`kill -1` signals every process".into()
                },
            );
        } else {
            an.flag(
                Level::Destructive,
                part,
                "kill.processes",
                format!(
                    "kills process `{}`",
                    if t.is_empty() { "(from a variable)" } else { t }
                ),
            );
        }
    }
    if targets.is_empty() {
        an.flag(
            Level::Destructive,
            part,
            "kill.processes",
            "kills processes".into(),
        );
    }
}

fn systemctl(an: &mut Analyzer, part: &str, ops: &[&Arg], s: &Split) {
    let verb = ops.first().map(|a| a.text.as_str()).unwrap_or("list-units");
    let units: Vec<&str> = ops.iter().skip(1).map(|a| a.text.as_str()).collect();
    let (lvl, why) = match verb {
        "status" | "show" | "cat" | "help" | "is-active" | "is-enabled" | "is-failed"
        | "is-system-running" | "get-default" | "show-environment" | "list-dependencies"
        | "--version" => (Level::Safe, "only reads"),
        v if v.starts_with("list") => (Level::Safe, "only reads"),
        "start"
        | "restart"
        | "reload"
        | "try-restart"
        | "reload-or-restart"
        | "try-reload-or-restart"
        | "enable"
        | "reenable"
        | "daemon-reload"
        | "daemon-reexec"
        | "reset-failed"
        | "preset"
        | "unmask"
        | "set-environment"
        | "import-environment"
        | "edit"
        | "revert"
        | "link"
        | "add-wants"
        | "add-requires" => {
            if s.has_long("now") && verb == "enable" {
                (Level::Moderate, "enables and starts a unit")
            } else {
                (Level::Moderate, "starts, restarts or enables a unit")
            }
        }
        "stop" | "disable" | "mask" | "kill" | "isolate" | "freeze" | "clean" | "set-property"
        | "unset-environment" | "set-default" => {
            (Level::Destructive, "stops, disables or masks a unit")
        }
        "poweroff"
        | "reboot"
        | "halt"
        | "kexec"
        | "suspend"
        | "hibernate"
        | "hybrid-sleep"
        | "suspend-then-hibernate"
        | "rescue"
        | "emergency"
        | "default"
        | "soft-reboot" => (Level::Destructive, "stops the system or changes its state"),
        _ => (Level::Moderate, "changes units"),
    };
    let essential = units.iter().any(|u| {
        let u = u.trim_end_matches(".service");
        matches!(
            u,
            "systemd-journald" | "dbus" | "systemd-logind" | "systemd-udevd"
        )
    });
    let lvl = if essential && lvl == Level::Destructive && verb == "mask" {
        Level::Critical
    } else {
        lvl
    };
    an.flag(
        lvl,
        part,
        "service.control",
        format!("`systemctl {verb}` {why}"),
    );
}

fn git(an: &mut Analyzer, part: &str, args: &[Arg]) {
    // skip global options
    let rest = skip_opts(
        args,
        &["-C", "-c", "--git-dir", "--work-tree", "--namespace"],
    );
    let sub = rest.first().map(|a| a.text.as_str()).unwrap_or("");
    let sargs = if rest.is_empty() { &[][..] } else { &rest[1..] };
    let s = split(sargs, &["-m", "-b", "-B", "-C", "-c", "-o"]);
    let ops: Vec<&str> = s.operands.iter().map(|a| a.text.as_str()).collect();
    let (lvl, why): (Level, String) = match sub {
        "status" | "log" | "diff" | "show" | "blame" | "grep" | "ls-files" | "ls-tree"
        | "ls-remote" | "rev-parse" | "rev-list" | "describe" | "shortlog" | "help" | "version"
        | "cat-file" | "whatchanged" | "show-ref" | "name-rev" | "count-objects" | "fsck"
        | "var" | "check-ignore" | "annotate" | "cherry" | "range-diff" | "bisect.x"
        | "--version" | "" => (Level::Safe, "only reads".into()),
        "branch" => {
            if s.has('D')
                || (s.has('d') && s.has('f'))
                || s.has_long("delete") && s.has_long("force")
            {
                (Level::Destructive, "force-deletes a branch".into())
            } else if s.has('d')
                || s.has('m')
                || s.has('M')
                || s.has('c')
                || !ops.is_empty() && !s.has('l') && !s.has_long("list") && !s.has_long("contains")
            {
                (
                    Level::Moderate,
                    "creates, renames or deletes a merged branch".into(),
                )
            } else {
                (Level::Safe, "lists branches".into())
            }
        }
        "tag" => {
            if ops.is_empty() || s.has('l') || s.has_long("list") {
                (Level::Safe, "lists tags".into())
            } else if s.has('d') {
                (Level::Destructive, "deletes a tag".into())
            } else {
                (Level::Moderate, "creates a tag".into())
            }
        }
        "remote" => {
            if ops.is_empty() || matches!(ops[0], "show" | "get-url") {
                (Level::Safe, "lists remotes".into())
            } else {
                (Level::Moderate, "changes remotes".into())
            }
        }
        "config" => {
            if s.has('l')
                || s.has_long("list")
                || s.has_long("get")
                || s.has_long("get-all")
                || ops.len() == 1
            {
                (Level::Safe, "reads configuration".into())
            } else {
                (Level::Moderate, "changes configuration".into())
            }
        }
        "stash" => match ops.first().copied() {
            Some("list") | Some("show") => (Level::Safe, "lists stashes".into()),
            Some("drop") | Some("clear") => (Level::Destructive, "discards stashed changes".into()),
            _ => (Level::Moderate, "stashes changes".into()),
        },
        "reflog" => {
            if ops
                .first()
                .is_some_and(|o| *o == "expire" || *o == "delete")
            {
                (Level::Destructive, "expires reflog entries".into())
            } else {
                (Level::Safe, "only reads".into())
            }
        }
        "clean" => {
            if s.has('n') || s.has_long("dry-run") {
                (Level::Safe, "dry run".into())
            } else if s.has('f') || s.has_long("force") {
                (Level::Destructive, "deletes untracked files".into())
            } else {
                (Level::Moderate, "cleans (refused without -f)".into())
            }
        }
        "reset" => {
            if s.has_long("hard") || s.has_long("merge") || s.has_long("keep") {
                (
                    Level::Destructive,
                    "discards commits and working-tree changes".into(),
                )
            } else {
                (Level::Moderate, "moves HEAD".into())
            }
        }
        "push" => {
            if s.has('f')
                || s.has_long("force")
                || s.has_long("force-with-lease")
                || s.has_long("mirror")
                || s.has('d')
                || s.has_long("delete")
                || ops.iter().any(|o| o.starts_with('+') || o.starts_with(':'))
            {
                (
                    Level::Destructive,
                    "force-pushes or deletes remote history".into(),
                )
            } else {
                (Level::Moderate, "publishes commits".into())
            }
        }
        "checkout" | "restore" | "switch" => {
            if s.has('f')
                || s.has_long("force")
                || ops.contains(&".")
                || sargs.iter().any(|a| a.text == "--") && sub != "switch"
                || sub == "restore" && !s.has_long("staged")
            {
                (Level::Destructive, "discards working-tree changes".into())
            } else {
                (Level::Moderate, "switches branches".into())
            }
        }
        "filter-branch" | "filter-repo" | "gc.x" => (Level::Destructive, "rewrites history".into()),
        "rebase" | "commit" if s.has_long("amend") || sub == "rebase" => {
            (Level::Moderate, "rewrites local commits".into())
        }
        "update-ref" if s.has('d') => (Level::Destructive, "deletes a ref".into()),
        "rm" => (Level::Destructive, "deletes tracked files".into()),
        _ => (Level::Moderate, "changes the repository".into()),
    };
    an.flag(lvl, part, "git.operation", format!("`git {sub}` {why}"));
}

fn packages(an: &mut Analyzer, part: &str, name: &str, ops: &[&Arg], s: &Split) {
    let verb = ops.first().map(|a| a.text.as_str()).unwrap_or("");
    let pkgs: Vec<&str> = ops.iter().skip(1).map(|a| a.text.as_str()).collect();
    let read = matches!(
        verb,
        "list"
            | "search"
            | "show"
            | "showpkg"
            | "policy"
            | "depends"
            | "rdepends"
            | "info"
            | "provides"
            | "repolist"
            | "check-update"
            | "repoquery"
            | "se"
            | "if"
            | "lu"
            | "list-updates"
            | "lr"
            | "repos"
            | "pa"
            | "packages"
            | "find"
            | "freeze"
            | "check"
            | "ls"
            | "view"
            | "outdated"
            | "why"
            | "madison"
            | "changelog"
            | "stats"
            | "version"
            | "--version"
            | "help"
            | "env"
            | "config.x"
            | "audit"
            | "doctor"
            | "leaves"
            | "deps"
            | "whatprovides"
            | "history"
            | "updateinfo"
            | "--help"
            | "explain"
            | "why-not"
            | "fund"
            | "pkgnames"
            | "dotty"
            | "query"
            | "describe"
            | "desc"
    ) || (verb.is_empty()
        && (s.has_long("version") || s.has_long("help") || s.has('h') || s.has('V')));
    let remove = matches!(
        verb,
        "remove"
            | "purge"
            | "autoremove"
            | "autopurge"
            | "erase"
            | "uninstall"
            | "rm"
            | "un"
            | "r.x"
            | "del"
            | "delete"
            | "zap"
    );
    if read {
        read_only(an, part, name);
    } else if remove {
        if pkgs.iter().any(|p| is_essential_pkg(p))
            && !matches!(
                name,
                "pip"
                    | "pip3"
                    | "pipx"
                    | "npm"
                    | "yarn"
                    | "pnpm"
                    | "gem"
                    | "cargo"
                    | "go"
                    | "composer"
                    | "brew"
                    | "conda"
                    | "mamba"
            )
        {
            an.flag(
                Level::Critical,
                part,
                "packages.remove-essential",
                format!(
                    "`{name} {verb}` removes an essential package ({})",
                    pkgs.join(" ")
                ),
            );
        } else {
            an.flag(
                Level::Destructive,
                part,
                "packages.remove",
                format!("`{name} {verb}` removes packages"),
            );
        }
    } else {
        an.flag(
            Level::Moderate,
            part,
            "packages.install",
            format!("`{name} {verb}` installs, updates or changes packages"),
        );
    }
}

fn low_level_packages(an: &mut Analyzer, part: &str, name: &str, args: &[Arg], s: &Split) {
    let ops: Vec<&str> = s.operands.iter().map(|a| a.text.as_str()).collect();
    let force = s.long.iter().any(|l| {
        l.starts_with("force-all")
            || l.starts_with("force-remove-essential")
            || l == "nodeps"
            || l.starts_with("force-depends")
    });
    let (remove, read) = match name {
        "dpkg" => (
            s.has('r') || s.has('P') || s.has_long("remove") || s.has_long("purge"),
            s.has('l')
                || s.has('L')
                || s.has('s')
                || s.has('S')
                || s.has('c')
                || s.has('p')
                || s.has('I')
                || s.long.iter().any(|l| {
                    matches!(
                        l.as_str(),
                        "list"
                            | "listfiles"
                            | "status"
                            | "search"
                            | "contents"
                            | "get-selections"
                            | "print-architecture"
                            | "print-foreign-architectures"
                            | "info"
                            | "audit"
                            | "verify"
                            | "compare-versions"
                            | "version"
                            | "help"
                    )
                }),
        ),
        "rpm" => (
            s.has('e') || s.has_long("erase"),
            s.has('q')
                || s.has_long("query")
                || s.has('V')
                || s.has_long("verify")
                || s.has_long("version"),
        ),
        _ => {
            // pacman-like: first letter of the operation
            let op = args
                .iter()
                .find(|a| a.text.starts_with('-') && !a.text.starts_with("--"))
                .map(|a| a.text.clone())
                .unwrap_or_default();
            let read = op.starts_with("-Q")
                || op.starts_with("-F")
                || (op.starts_with("-S")
                    && (op.contains('s')
                        || op.contains('i')
                        || op.contains('l')
                        || op.contains('g'))
                    && !op.contains('y')
                    && !op.contains('u'))
                || op.starts_with("-T")
                || op == "-V";
            (op.starts_with("-R"), read)
        }
    };
    let dd = name != "dpkg"
        && name != "rpm"
        && args
            .iter()
            .any(|a| a.text.starts_with("-R") && a.text.matches('d').count() >= 2);
    if remove {
        if force || dd || ops.iter().any(|p| is_essential_pkg(p)) {
            an.flag(
                Level::Critical,
                part,
                "packages.remove-essential",
                format!("`{name}` removes an essential package or forces removal"),
            );
        } else {
            an.flag(
                Level::Destructive,
                part,
                "packages.remove",
                format!("`{name}` removes packages"),
            );
        }
    } else if read {
        read_only(an, part, name);
    } else if force {
        an.flag(
            Level::Destructive,
            part,
            "packages.force",
            format!("`{name}` forces past package safety checks"),
        );
    } else {
        an.flag(
            Level::Moderate,
            part,
            "packages.install",
            format!("`{name}` installs or changes packages"),
        );
    }
}

fn disk_tool(an: &mut Analyzer, part: &str, name: &str, args: &[Arg], s: &Split) {
    let ops: Vec<&Arg> = s.operands.clone();
    let read_only_op = match name {
        "fdisk" | "sfdisk" | "parted" => {
            s.has('l')
                || s.has_long("list")
                || s.has_long("dump")
                || ops.iter().any(|a| a.text == "print")
                || s.has('d') && name == "sfdisk"
        }
        "wipefs" => !(s.has('a') || s.has_long("all") || s.has('o') || s.has_long("offset")),
        "btrfs" => ops.iter().take(2).any(|a| {
            matches!(
                a.text.as_str(),
                "show" | "list" | "df" | "usage" | "status" | "get"
            )
        }),
        "zpool" | "zfs" => ops.first().is_some_and(|a| {
            matches!(
                a.text.as_str(),
                "list" | "status" | "get" | "iostat" | "history"
            )
        }),
        "hdparm" => !s.long.iter().any(|l| {
            l.starts_with("security") || l == "trim-sector-ranges" || l.starts_with("write")
        }),
        "losetup" | "dmsetup" | "mdadm" | "cryptsetup" => {
            ops.first().is_some_and(|a| {
                matches!(
                    a.text.as_str(),
                    "status" | "info" | "ls" | "table" | "luksDump" | "isLuks"
                )
            }) || s.has('l')
                || s.has('a') && name == "losetup"
                || s.has_long("detail")
                || s.has_long("examine")
                || s.has_long("query")
                || ops.is_empty() && name != "mdadm"
        }
        "fsck" | "e2fsck" => s.has('n'),
        "tune2fs" | "resize2fs" => s.has('l'),
        "badblocks" => !(s.has('w') || s.has('n')),
        "partprobe" => true,
        _ => false,
    };
    if read_only_op {
        read_only(an, part, name);
        return;
    }
    let devices: Vec<&Arg> = ops
        .iter()
        .copied()
        .filter(|a| a.path_kind() == PathKind::BlockDevice)
        .collect();
    let destroys = name.starts_with("mkfs")
        || name.starts_with("mke2fs")
        || matches!(
            name,
            "mkswap"
                | "wipefs"
                | "mkdosfs"
                | "mkntfs"
                | "mkexfatfs"
                | "blkdiscard"
                | "sgdisk"
                | "sfdisk"
                | "cfdisk"
                | "gdisk"
                | "fdisk"
                | "parted"
                | "badblocks"
                | "pvremove"
                | "cryptsetup"
                | "hdparm"
        )
        || (name == "zpool"
            && ops
                .first()
                .is_some_and(|a| matches!(a.text.as_str(), "destroy" | "create" | "labelclear")))
        || (name == "zfs" && ops.first().is_some_and(|a| a.text == "destroy"))
        || (name == "mdadm"
            && (s.has_long("zero-superblock") || s.has_long("create") || s.has('C')))
        || matches!(name, "vgremove" | "lvremove");
    if destroys
        && (!devices.is_empty()
            || matches!(name, "vgremove" | "lvremove" | "zpool" | "zfs" | "mdadm"))
    {
        let what = devices
            .iter()
            .map(|a| a.text.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        an.flag(
            Level::Critical,
            part,
            "disk.format",
            format!("`{name}` overwrites or destroys the data on a block device {what}"),
        );
    } else if destroys {
        an.flag(
            Level::Destructive,
            part,
            "disk.format",
            format!(
                "`{name}` formats or repartitions `{}`",
                ops.iter()
                    .map(|a| a.text.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        );
    } else {
        let _ = args;
        an.flag(
            Level::Destructive,
            part,
            "disk.change",
            format!("`{name}` changes disks or filesystems"),
        );
    }
}

fn interpreter(
    an: &mut Analyzer,
    part: &str,
    lang: &str,
    name: &str,
    args: &[Arg],
    stdin: Option<&Content>,
) {
    if lang == "awk" {
        let s = split(
            args,
            &[
                "-F",
                "-v",
                "-f",
                "-i",
                "--field-separator",
                "--assign",
                "--file",
                "--include",
            ],
        );
        let inplace = s
            .value("-i")
            .or_else(|| s.value("--include"))
            .is_some_and(|v| v.text == "inplace");
        let (prog, files) = if s.value("-f").is_some() {
            (None, &s.operands[..])
        } else {
            (
                s.operands.first(),
                if s.operands.is_empty() {
                    &s.operands[..]
                } else {
                    &s.operands[1..]
                },
            )
        };
        if let Some(p) = prog {
            code::analyze(an, part, "awk", &p.text, "in the awk program");
        } else {
            an.flag(
                Level::Moderate,
                part,
                "exec.script",
                "runs an awk program from a file".into(),
            );
        }
        if inplace {
            for f in files {
                edit(an, part, f, "`awk -i inplace` rewrites");
            }
        }
        if prog.is_some() && !inplace {
            an.flag(
                Level::Safe,
                part,
                "read-only",
                format!("`{name}` filters text"),
            );
        }
        return;
    }
    let code_flags: &[&str] = match lang {
        "python" => &["-c"],
        "perl" => &["-e", "-E"],
        "ruby" => &["-e"],
        "node" => &["-e", "--eval", "-p", "--print"],
        "php" => &["-r"],
        "lua" => &["-e"],
        _ => &["-e"],
    };
    let mut code_arg: Option<&Arg> = None;
    let mut inplace = false;
    for (i, a) in args.iter().enumerate() {
        let t = a.text.as_str();
        if code_flags.contains(&t) {
            code_arg = args.get(i + 1);
            break;
        }
        if lang == "perl" || lang == "ruby" {
            // clusters like -pie, -ne, -i.bak
            if t.starts_with('-') && !t.starts_with("--") {
                if t.contains('i') {
                    inplace = true;
                }
                if t.ends_with('e') || t.ends_with('E') {
                    code_arg = args.get(i + 1);
                    break;
                }
            }
        }
        if lang == "python" && t.starts_with("-c") && t.len() > 2 {
            code_arg = Some(a);
            break;
        }
        if !t.starts_with('-') {
            // a script file
            if a.content.is_some() {
                run_code(
                    an,
                    part,
                    lang,
                    a.content.as_ref(),
                    format!("`{name}` reading a process substitution"),
                );
            } else if lang == "python" && t == "-m" {
            } else {
                an.flag(
                    Level::Moderate,
                    part,
                    "exec.script",
                    format!("runs the {lang} script `{t}`"),
                );
            }
            return;
        }
        if lang == "python" && t == "-m" {
            let m = args.get(i + 1).map(|a| a.text.as_str()).unwrap_or("");
            let lvl = if matches!(
                m,
                "json.tool"
                    | "http.server.x"
                    | "pydoc"
                    | "this"
                    | "timeit"
                    | "platform"
                    | "sysconfig"
                    | "site"
            ) {
                Level::Safe
            } else {
                Level::Moderate
            };
            an.flag(
                lvl,
                part,
                "exec.module",
                format!("runs the python module `{m}`"),
            );
            return;
        }
    }
    match code_arg {
        Some(c) => {
            let text = c.text.clone();
            code::analyze(an, part, lang, &text, &format!("in `{name}` code"));
            if inplace {
                let files: Vec<&Arg> = skip_opts(args, &[])
                    .into_iter()
                    .skip(1)
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|_| c)
                    .take(0)
                    .collect();
                let _ = files;
                let rest: Vec<Arg> = args
                    .iter()
                    .skip_while(|a| !std::ptr::eq(*a, c))
                    .skip(1)
                    .cloned()
                    .collect();
                for f in &rest {
                    edit(an, part, f, &format!("`{name} -i` rewrites"));
                }
            }
        }
        None => {
            if args.iter().any(|a| {
                a.text == "--version"
                    || a.text == "-V"
                    || a.text == "--help"
                    || a.text == "-h"
                    || a.text == "-v"
            }) {
                read_only(an, part, name);
            } else {
                run_code(an, part, lang, stdin, format!("`{name}` reading stdin"));
            }
        }
    }
}
