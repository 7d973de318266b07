//! Everyday requests read as commands with their arguments filled in: ports ("which process is
//! listening on port 8080", "kill whatever uses port 3000"), containers ("list running docker
//! containers"), git ("undo the last git commit"), schedules ("every day at 3am"), ssh logins,
//! duplicate files, disk checks, network traffic and short administration requests (the kernel,
//! USB devices, the time zone, groups, the firewall …). The vocabulary alone can name `ss`,
//! `docker` or `crontab` for these, but not the subcommand and options meant.
//!
//! Matching reads the request's words folded to lowercase without accents (plurals folded by
//! [`super::stem`]), so English, and the Spanish and French words listed, are understood.

use super::intents::{cand, every_seconds, sudo};
use super::slots::{Slots, quote};
use super::{Candidate, Context, fold, stem};

/// The request's words, folded and stemmed, in order.
pub(super) struct Req {
    words: Vec<String>,
    /// The words outside quoted text: what the request asks, not its arguments
    /// ("print the last bytes of 'usb device 4dc9'" is not about USB devices).
    asked: Vec<String>,
    /// The same words as typed (for names: `WebApp`, `feature-x`).
    typed: Vec<String>,
    /// How many words the request has outside quotes.
    pub(super) len: usize,
}

/// The quoted spans of a request (`'…'`, `"…"`) as byte ranges of their contents: a `'`
/// opens a quote only after a non-letter ("don't" is a word), and only when it closes.
/// Backquotes are not quotes.
fn quoted_spans(req: &str) -> Vec<(usize, usize)> {
    let chars: Vec<(usize, char)> = req.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let opens = c == '"' || c == '\'' && (i == 0 || !chars[i - 1].1.is_alphanumeric());
        if opens && let Some(end) = chars[i + 1..].iter().position(|&(_, x)| x == c) {
            let close = i + 1 + end;
            out.push((chars[i].0 + c.len_utf8(), chars[close].0));
            i = close + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// The request without its quoted text: `git`, `stdin` in backquotes are words of the
/// request, not arguments.
fn unquoted(req: &str) -> String {
    let mut out = String::new();
    let mut at = 0;
    for (a, b) in quoted_spans(req) {
        // the opening quote is one byte (`'` or `"`), so is the closing one
        out.push_str(&req[at..a - 1]);
        out.push(' ');
        at = b + 1;
    }
    out.push_str(&req[at..]);
    out
}

/// The first quoted text of a request, if any ("search for 'TODO' in …").
pub(super) fn quoted_text(req: &str) -> Option<String> {
    quoted_spans(req)
        .first()
        .map(|&(a, b)| req[a..b].to_string())
        .filter(|t| !t.trim().is_empty())
}

/// Split into words: letters, digits and `-_.` inside a word.
fn split_words(s: &str) -> Vec<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl Req {
    pub(super) fn new(req: &str) -> Req {
        let words: Vec<String> = split_words(&fold(req)).iter().map(|w| stem(w)).collect();
        let typed = split_words(req);
        let typed = if typed.len() == words.len() {
            typed
        } else {
            words.clone()
        };
        let unquoted = unquoted(req);
        let len = split_words(&unquoted).len();
        let asked = split_words(&fold(&unquoted))
            .iter()
            .map(|w| stem(w))
            .collect();
        Req {
            words,
            asked,
            typed,
            len,
        }
    }
    /// One of `ws` (stemmed like the request) is a word of the request outside its quotes.
    pub(super) fn has(&self, ws: &[&str]) -> bool {
        ws.iter().any(|k| {
            let k = stem(k);
            self.asked.contains(&k)
        })
    }
    /// One of the space-separated `words` is a word of the request outside its quotes.
    pub(super) fn any(&self, words: &str) -> bool {
        words
            .split_whitespace()
            .any(|k| self.asked.contains(&stem(k)))
    }
    /// The word after the first of `ws`, if any.
    fn after(&self, ws: &[&str]) -> Option<&str> {
        let ws: Vec<String> = ws.iter().map(|k| stem(k)).collect();
        let i = self.words.iter().position(|w| ws.contains(w))?;
        self.typed.get(i + 1).map(String::as_str)
    }
}

/// A tool is usable: present on this machine, or the machine's commands are unknown.
pub(super) fn usable(ctx: &Context, tool: &str) -> bool {
    ctx.path_cmds.is_empty() || ctx.has_command(tool)
}

const PORT: &[&str] = &["port", "puerto"];
const KILL: &[&str] = &[
    "kill",
    "terminate",
    "stop",
    "free",
    "release",
    "mata",
    "matar",
    "liberar",
    "libera",
    "tue",
    "tuer",
    "arrete",
    "arreter",
    "libere",
    "liberer",
];

/// "port 8080", "puerto 8080", ":8080": a TCP/UDP port number.
fn port(r: &Req, raw: &str) -> Option<u16> {
    let valid = |s: &str| s.parse::<u16>().ok().filter(|p| *p > 0);
    r.after(PORT).and_then(valid).or_else(|| {
        raw.split_whitespace().find_map(|w| {
            w.strip_prefix(':')
                .and_then(|p| valid(p.trim_end_matches(['?', '.'])))
        })
    })
}

/// Candidates for the everyday requests above.
pub fn matches(req: &str, sl: &Slots, ctx: &Context) -> Vec<Candidate> {
    let r = Req::new(req);
    let raw = fold(req);
    let mut out = Vec::new();
    ports(&r, &raw, ctx, &mut out);
    docker(&r, sl, ctx, &mut out);
    git(&r, &raw, sl, ctx, &mut out);
    schedule(&r, &raw, sl, &mut out);
    remote_login(&r, req, sl, &mut out);
    upkeep(&r, sl, ctx, &mut out);
    admin(&r, req, &raw, sl, ctx, &mut out);
    packages(&r, req, &raw, ctx, &mut out);
    out
}

/// "list installed packages" (this machine's package manager), "manually installed packages",
/// "which version of python is installed" (the program's own `--version`).
fn packages(r: &Req, req: &str, raw: &str, ctx: &Context, out: &mut Vec<Candidate>) {
    let installed = ["installed", "instalados", "installes"]
        .iter()
        .any(|w| raw.contains(w));
    let package = r.has(&["package", "software", "program", "paquete", "paquet"]);
    if installed
        && package
        && r.has(&[
            "list", "show", "display", "what", "which", "lista", "muestra", "liste", "affiche",
            "listar", "mostrar", "lister", "afficher", "cuales", "quels",
        ])
        && !r.has(&[
            "including",
            "dependency",
            "rebuild",
            "version",
            "size",
            "file",
            "update",
            "upgradable",
            "info",
            "information",
            "detail",
            "manually",
            "from",
            "repository",
        ])
    {
        let pm = ctx.pm();
        let cmds: Vec<String> = match pm {
            "dnf" | "yum" => vec![format!("{pm} list installed")],
            "pacman" => vec!["pacman -Q".into()],
            "zypper" => vec!["zypper search --installed-only".into()],
            "apk" => vec!["apk info".into()],
            _ => vec!["apt list --installed".into(), "dpkg -l".into()],
        };
        cand(
            out,
            "installed-packages",
            0.95,
            "list installed packages",
            &cmds,
        );
    }
    if ctx.pm() == "apt"
        && package
        && (raw.contains("manually installed") || raw.contains("installed manually"))
    {
        cand(
            out,
            "manual-packages",
            0.95,
            "packages installed by hand",
            &["apt-mark showmanual".into()],
        );
    }
    // "which version of python is installed": a question about one program on this machine
    if raw.contains(" version")
        && !raw.contains("versions")
        && [
            "which", "what", "check", "show", "print", "display", "get ", "find", "que ", "cual",
            "quel",
        ]
            .iter()
            .any(|w| raw.contains(w))
        // "installed" is asked about; "install" is another request
        && !raw.contains("install ")
        && !raw.contains("uninstall")
        && !r.has(&[
            "set", "list", "use", "save", "store", "variable", "ssh", "remote", "host", "server",
            "update", "upgrade", "switch", "change", "kernel", "os", "distribution", "distro",
            "release", "package",
        ])
        && r.len <= 9
        && !ctx.path_cmds.is_empty()
        && let Some(prog) = req
            .split(|c: char| !(c.is_ascii_alphanumeric() || "-_.+".contains(c)))
            .find_map(|w| {
                let w = w.to_lowercase();
                let w = w.trim_end_matches('.');
                // everyday words that are also commands ("which", "last", "time") are not it
                if w.len() < 2
                    || super::STOP.contains(&w)
                    || super::COMMON_WORDS.contains(&w)
                    || ["version", "installed", "my", "current", "latest", "newest"].contains(&w)
                {
                    None
                } else if ctx.has_command(w) {
                    Some(w.to_string())
                } else if ctx.has_command(&format!("{w}3")) {
                    // python → python3 where only python3 exists
                    Some(format!("{w}3"))
                } else {
                    None
                }
            })
    {
        cand(
            out,
            "program-version",
            0.95,
            "a program's version",
            &[format!("{prog} --version")],
        );
    }
}

/// A firewall change: ufw's command first where ufw is used, then the iptables one.
fn ufw_or_iptables(ufw: bool, ufw_cmd: String, iptables: String) -> Vec<String> {
    if ufw {
        vec![ufw_cmd, iptables]
    } else {
        vec![iptables]
    }
}

/// Short administration requests with one usual answer each: the running kernel, USB devices,
/// the battery, the routing table, the time zone, a user's groups, a manual page, file
/// permissions, the firewall, two files compared, a command repeated every few seconds.
fn admin(r: &Req, req: &str, raw: &str, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    if r.len > 10 {
        return;
    }
    let s = sudo(ctx);
    let file = sl.cwd_files.first().or(sl.paths.first()).map(|f| quote(f));
    let show = r.has(&[
        "show", "list", "display", "print", "what", "which", "see", "get", "check", "muestra",
        "lista", "affiche", "liste",
    ]) || raw.contains("what ")
        || raw.contains("which ");
    let mut one = |intent: &str, desc: &str, cmds: &[String]| {
        cand(out, intent, 0.95, desc, cmds);
    };
    if r.has(&["kernel", "nucleo", "noyau"])
        && (r.has(&["running", "version", "release"]) || raw.contains("what kernel"))
        && !r.has(&[
            "module",
            "modules",
            "parameter",
            "log",
            "message",
            "messages",
            "compile",
            "build",
            "directory",
            "config",
            "file",
            "files",
        ])
    {
        one(
            "kernel",
            "the running kernel's release",
            &["uname -r".into(), "uname -a".into()],
        );
    }
    if r.has(&["usb"])
        && r.has(&[
            "device",
            "devices",
            "dispositivo",
            "dispositivos",
            "peripherique",
        ])
        && show
    {
        one("usb", "USB devices", &["lsusb".into()]);
    }
    if r.has(&["battery", "bateria", "batterie"]) && !r.has(&["save", "saving", "mode"]) {
        let mut cmds = Vec::new();
        if usable(ctx, "upower") {
            cmds.push("upower -i $(upower -e | grep BAT)".to_string());
        }
        if ctx.has_command("acpi") {
            cmds.push("acpi -b".into());
        }
        cmds.push("cat /sys/class/power_supply/BAT*/capacity".into());
        one("battery", "the battery's charge and state", &cmds);
    }
    if r.has(&["routing", "route", "routes", "rutas", "routage"])
        && r.has(&["table", "tabla", "show", "list", "display"])
    {
        one(
            "routes",
            "the routing table",
            &["ip route".into(), "route -n".into()],
        );
    }
    if r.has(&["timezone", "time-zone"])
        || raw.contains("time zone")
        || raw.contains("zona horaria")
        || raw.contains("fuseau horaire")
    {
        if r.has(&[
            "set",
            "change",
            "cambia",
            "cambiar",
            "changer",
            "definir",
            "mets",
            "mettre",
            "pon",
            "poner",
            "configure",
            "configura",
        ]) {
            // "Europe/Paris", "America/New_York" as typed
            let tz = req
                .split_whitespace()
                .map(|w| w.trim_matches(|c: char| "'\"`.,".contains(c)))
                .find(|w| {
                    w.split_once('/').is_some_and(|(a, b)| {
                        a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                            && !b.is_empty()
                            && w.chars()
                                .all(|c| c.is_ascii_alphanumeric() || "/_-+".contains(c))
                    }) || *w == "UTC"
                })
                .map(str::to_string)
                .unwrap_or_else(|| "Region/City".into());
            one(
                "timezone",
                "set the time zone",
                &[format!("{s}timedatectl set-timezone {tz}")],
            );
        } else if show {
            one("timezone", "the time zone", &["timedatectl".into()]);
        }
    }
    // "add alice to the sudo group"
    if r.has(&[
        "add", "agrega", "anade", "ajoute", "put", "pon", "mete", "mets", "agregar", "anadir",
        "ajouter", "meter", "mettre",
    ]) && r.has(&["group", "grupo", "groupe"])
    {
        let ws: Vec<&str> = raw
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| "?!.,;:".contains(c)))
            .collect();
        let user = ws
            .iter()
            .position(|w| {
                [
                    "add", "agrega", "anade", "ajoute", "put", "pon", "mete", "mets", "agregar",
                    "anadir", "ajouter", "meter", "mettre",
                ]
                .contains(w)
            })
            // "agrega a maria al grupo docker": the first word that is not an article
            .and_then(|i| {
                let k = ws[i + 1..].iter().position(|u| {
                    ![
                        "user",
                        "the",
                        "a",
                        "al",
                        "usuario",
                        "utilisateur",
                        "l'utilisateur",
                        "l",
                        "el",
                        "le",
                    ]
                    .contains(u)
                })?;
                // the user is followed by where it is added: "add bob to …", "agrega a maria al …"
                ws.get(i + 2 + k)
                    .filter(|w| ["to", "al", "au", "a", "dans", "en", "into", "in"].contains(*w))
                    .and(ws.get(i + 1 + k))
            })
            .map(|u| u.to_string())
            .or_else(|| sl.user.clone());
        let group = ws
            .iter()
            .position(|w| ["group", "grupo", "groupe"].contains(w))
            .and_then(|i| {
                // "the sudo group" / "group sudo"
                let before = i
                    .checked_sub(1)
                    .and_then(|k| ws.get(k))
                    .filter(|w| !["the", "a", "to", "al", "au", "le"].contains(*w));
                before.or(ws.get(i + 1))
            })
            .map(|g| g.to_string());
        if let (Some(u), Some(g)) = (user, group) {
            one(
                "usermod-group",
                "add a user to a group",
                &[format!("{s}usermod -aG {} {}", quote(&g), quote(&u))],
            );
        }
    }
    // "show the manual for tar", "man page of ls"
    if r.has(&["manual", "man", "manpage", "documentation", "manuel"])
        && (show
            || r.has(&[
                "read", "open", "veo", "ver", "leer", "lire", "voir", "abre", "ouvre",
            ]))
        && let Some(cmd) = raw
            .split_whitespace()
            .last()
            .map(|w| w.trim_end_matches(['.', '?']))
        && !cmd.is_empty()
        && usable(ctx, cmd)
        && !["manual", "man", "page", "documentation", "it", "this"].contains(&cmd)
    {
        one(
            "man",
            "the manual page of a command",
            &[format!("man {}", quote(cmd))],
        );
    }
    if let Some(f) = &file {
        // "show permissions of notes.txt"
        if r.has(&["permission", "permissions", "permisos", "mode"])
            && show
            && !r.has(&["change", "set", "give"])
            && !r.has(&[
                "find", "search", "locate", "without", "denied", "error", "errors",
            ])
        {
            one(
                "permissions",
                "a file's permissions",
                &[
                    format!("ls -l {f}"),
                    format!("stat -c '%A %a %U:%G %n' {f}"),
                ],
            );
        }
        // "give everyone read access to notes.txt"
        let who = if r.has(&["everyone", "everybody", "all", "others", "world", "todos"]) {
            Some("a")
        } else if r.has(&["group"]) {
            Some("g")
        } else if r.has(&["owner", "me", "myself"]) {
            Some("u")
        } else {
            None
        };
        let what = [("read", "r"), ("write", "w"), ("execute", "x")]
            .into_iter()
            .filter(|(w, _)| r.has(&[w]))
            .map(|(_, p)| p)
            .collect::<String>();
        if let Some(who) = who
            && !what.is_empty()
            && r.has(&[
                "give",
                "grant",
                "allow",
                "add",
                "access",
                "permission",
                "permissions",
            ])
            && !r.has(&["remove", "revoke", "deny", "take"])
        {
            one(
                "chmod-grant",
                "grant access to a file",
                &[format!("chmod {who}+{what} {f}")],
            );
        }
        // "encrypt notes.txt with gpg"
        if r.has(&["encrypt", "cifra", "cifrar", "chiffre", "chiffrer"])
            && !r.has(&["disk", "partition", "key"])
        {
            one(
                "encrypt",
                "encrypt a file with a passphrase",
                &[format!("gpg -c {f}"), format!("gpg -e -r RECIPIENT {f}")],
            );
        }
    }
    // "compare notes.txt and todo.txt" ("side by side": -y)
    let two: Vec<&String> = sl.cwd_files.iter().chain(&sl.paths).take(2).collect();
    if (r.has(&[
        "compare",
        "diff",
        "difference",
        "differences",
        "different",
        "differ",
        "diferencia",
        "diferencias",
        "differe",
        "compara",
        "comparar",
        "comparer",
    ]) || raw.contains("what changed")
        || raw.contains("changed between"))
        && two.len() == 2
        && r.len <= 8
    {
        let (a, b) = (quote(two[0]), quote(two[1]));
        let cmds = if raw.contains("side by side") {
            vec![format!("diff -y {a} {b}")]
        } else if raw.contains("changed") {
            // what changed: the unified form, with context
            vec![format!("diff -u {a} {b}"), format!("diff {a} {b}")]
        } else {
            vec![format!("diff {a} {b}"), format!("diff -u {a} {b}")]
        };
        one("diff", "the differences between two files", &cmds);
    }
    // the firewall
    if r.has(&["firewall", "ufw", "cortafuegos", "pare-feu"]) {
        // ufw when this machine has it or the request names it
        let ufw = usable(ctx, "ufw") || r.has(&["ufw"]);
        // "port 8080", "8080/tcp"
        let port = r
            .after(&["port", "puerto"])
            .and_then(|p| p.split('/').next()?.parse::<u16>().ok())
            .or_else(|| {
                raw.split_whitespace()
                    .find_map(|w| w.strip_suffix("/tcp").or(w.strip_suffix("/udp")))
                    .and_then(|p| p.parse::<u16>().ok())
            });
        let proto = if raw.contains("/udp") || r.has(&["udp"]) {
            "udp"
        } else {
            "tcp"
        };
        if let Some(p) = port.filter(|_| {
            r.has(&["delete", "remove", "elimina", "borra", "supprime", "retire"])
                && r.has(&["rule", "regla", "regle", "allow", "allows", "autorise"])
        }) {
            let cmds = ufw_or_iptables(
                ufw,
                format!("{s}ufw delete allow {p}"),
                format!("{s}iptables -D INPUT -p {proto} --dport {p} -j ACCEPT"),
            );
            one("firewall-delete", "remove a firewall rule", &cmds);
        } else if let Some(p) = port.filter(|_| {
            r.has(&[
                "open", "allow", "abre", "abrir", "ouvre", "ouvrir", "autorise", "permite",
            ])
        }) {
            let cmds = ufw_or_iptables(
                ufw,
                format!("{s}ufw allow {p}/{proto}"),
                format!("{s}iptables -A INPUT -p {proto} --dport {p} -j ACCEPT"),
            );
            one("firewall-allow", "open a port in the firewall", &cmds);
        } else if ufw
            && r.has(&[
                "enable", "activate", "turn", "start", "activa", "activar", "habilita", "active",
                "activer", "demarre",
            ])
            && !r.has(&["disable", "desactiva", "desactive"])
        {
            one(
                "firewall-enable",
                "turn the firewall on",
                &[format!("{s}ufw enable")],
            );
        } else if ufw
            && r.has(&[
                "disable",
                "desactiva",
                "desactivar",
                "desactive",
                "desactiver",
            ])
        {
            one(
                "firewall-disable",
                "turn the firewall off",
                &[format!("{s}ufw disable")],
            );
        } else if let Some(p) = port.filter(|_| {
            r.has(&[
                "close", "block", "deny", "cierra", "bloquea", "ferme", "bloque",
            ])
        }) {
            let cmds = ufw_or_iptables(
                ufw,
                format!("{s}ufw deny {p}/{proto}"),
                format!("{s}iptables -A INPUT -p {proto} --dport {p} -j DROP"),
            );
            one("firewall-deny", "close a port in the firewall", &cmds);
        } else if r.has(&["status", "rules", "estado", "reglas", "etat", "regles"]) || show {
            let cmds = ufw_or_iptables(
                ufw,
                format!("{s}ufw status verbose"),
                format!("{s}iptables -L -n -v"),
            );
            one("firewall-status", "the firewall's rules", &cmds);
        }
    }
    // "check memory usage every 2 seconds": the command, repeated
    if let Some(n) = every_seconds(raw) {
        let what = if r.has(&["memory", "ram", "memoria", "memoire"]) {
            Some("free -h")
        } else if r.has(&["disk", "space", "disco", "disque"]) {
            Some("df -h")
        } else {
            None
        };
        if let Some(w) = what {
            one(
                "watch",
                "a command repeated every few seconds",
                &[format!("watch -n {n} {w}")],
            );
        }
    }
}

/// "schedule a backup every day at 3am", "run script.sh every 15 minutes": a crontab line
/// added to the user's crontab.
fn schedule(r: &Req, raw: &str, sl: &Slots, out: &mut Vec<Candidate>) {
    let repeated = raw.contains("every ")
        || r.has(&["daily", "hourly", "weekly", "monthly", "cron", "crontab"]);
    if !repeated
        || !r.has(&[
            "schedule",
            "run",
            "execute",
            "cron",
            "crontab",
            "job",
            "programa",
            "programar",
            "ejecuta",
            "planifie",
            "planifier",
            "lance",
        ])
    {
        return;
    }
    let (min, hour) = super::everyday::clock_time(raw)
        .map(|(h, m)| (m, h))
        .map_or(("0".to_string(), "*".to_string()), |(m, h)| {
            (m.to_string(), h.to_string())
        });
    let every_n = |unit: &str| {
        raw.split_whitespace()
            .collect::<Vec<_>>()
            .windows(3)
            .find(|w| w[0] == "every" && w[2].starts_with(unit))
            .and_then(|w| w[1].parse::<u32>().ok())
    };
    let days = [
        ("monday", 1),
        ("tuesday", 2),
        ("wednesday", 3),
        ("thursday", 4),
        ("friday", 5),
        ("saturday", 6),
        ("sunday", 0),
    ];
    let day_at = |h: &str| {
        if h == "*" {
            "0".to_string()
        } else {
            h.to_string()
        }
    };
    let spec = if let Some(n) = every_n("min") {
        format!("*/{n} * * * *")
    } else if let Some(n) = every_n("hour") {
        format!("{min} */{n} * * *")
    } else if raw.contains("every hour") || r.has(&["hourly"]) {
        format!("{min} * * * *")
    } else if let Some((_, d)) = days.iter().find(|(d, _)| raw.contains(d)) {
        format!("{min} {} * * {d}", day_at(&hour))
    } else if raw.contains("every week") || r.has(&["weekly"]) {
        format!("{min} {} * * 0", day_at(&hour))
    } else if raw.contains("every month") || r.has(&["monthly"]) {
        format!("{min} {} 1 * *", day_at(&hour))
    } else if raw.contains("every day")
        || raw.contains("every night")
        || raw.contains("every morning")
        || r.has(&["daily"])
    {
        format!("{min} {} * * *", day_at(&hour))
    } else {
        return;
    };
    let cmd = sl
        .quoted
        .first()
        .or(sl.paths.first())
        .or(sl.cwd_files.first())
        .cloned()
        .unwrap_or_else(|| "COMMAND".into());
    // the crontab line in single quotes: a quote inside is closed and reopened
    let line = format!("{spec} {cmd}").replace('\'', r"'\''");
    cand(
        out,
        "cron",
        0.95,
        "run a command on a schedule (cron)",
        &[
            format!("(crontab -l 2>/dev/null; echo '{line}') | crontab -"),
            "crontab -e".into(),
        ],
    );
}

/// "connect to example.com as root over ssh", "ssh into 10.0.0.5 on port 2222".
fn remote_login(r: &Req, req: &str, sl: &Slots, out: &mut Vec<Candidate>) {
    let ssh = r.has(&["ssh"]);
    if !(ssh
        || r.has(&[
            "connect",
            "login",
            "log",
            "conecta",
            "conectar",
            "connecte",
            "connecter",
        ]) && (r.has(&["server", "host", "remote", "machine", "servidor", "serveur"])
            // "log in as root on 10.0.0.5": an address is a host
            || req.split_whitespace().any(|w| {
                super::everyday::is_host(w.trim_end_matches(['.', ',', '?', '!']))
            })))
        || r.has(&[
            "key", "keys", "copy", "tunnel", "forward", "config", "agent", "generate",
        ])
    {
        return;
    }
    // a host: a name with a dot or an IPv4 address, or user@host as typed
    let words: Vec<&str> = req
        .split_whitespace()
        .map(|w| w.trim_end_matches(['.', ',', '?', '!']))
        .collect();
    let typed = words.iter().find(|w| {
        w.split_once('@')
            .is_some_and(|(u, h)| !u.is_empty() && h.contains('.'))
    });
    let host = words.iter().find(|w| {
        w.contains('.')
            && !w.contains('/')
            && !w.starts_with('.')
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
            && w.chars().any(|c| c.is_ascii_alphabetic() || c == '.')
            && !sl.cwd_files.iter().any(|f| f == *w)
    });
    let target = if let Some(t) = typed {
        t.to_string()
    } else if let Some(h) = host {
        match r.after(&["as", "como", "comme", "user", "usuario", "utilisateur"]) {
            Some(u)
                if u.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)) =>
            {
                format!("{u}@{h}")
            }
            _ => h.to_string(),
        }
    } else {
        return;
    };
    let port = r
        .after(&["port", "puerto"])
        .and_then(|p| p.parse::<u16>().ok());
    let cmd = match port {
        Some(p) if p != 22 => format!("ssh -p {p} {target}"),
        _ => format!("ssh {target}"),
    };
    cand(out, "ssh", 0.95, "log in to a remote machine", &[cmd]);
}

/// "find duplicate files": files with the same contents (not the same names, paths or lines,
/// and not hashes to list or links to make).
fn duplicate_contents(r: &Req) -> bool {
    r.has(&[
        "duplicate",
        "duplicated",
        "identical",
        "duplicado",
        "duplicados",
        "doublon",
        "doublons",
    ]) && r.has(&["file", "archivo", "fichier"])
        && !r.has(&[
            "line", "linea", "ligne", "hardlink", "link", "delete", "remove", "replace", "name",
            "path", "hash", "sum", "case", "output",
        ])
        && r.len <= 12
}

/// Whether a request asks for files with the same contents (see [`upkeep`]): no file search
/// by name answers it.
pub(super) fn asks_duplicate_contents(req: &str) -> bool {
    duplicate_contents(&Req::new(req))
}

/// Everyday upkeep: duplicate files, a disk's health, the network traffic right now.
fn upkeep(r: &Req, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    let s = sudo(ctx);
    let dir = sl
        .paths
        .iter()
        .find(|p| !p.starts_with("/dev/"))
        .map(|p| quote(p))
        .unwrap_or_else(|| ".".into());
    if duplicate_contents(r) {
        let mut cmds = Vec::new();
        if ctx.has_command("fdupes") {
            cmds.push(format!("fdupes -r {dir}"));
        }
        cmds.push(format!(
            "find {dir} -type f -exec md5sum {{}} + | sort | uniq -w32 --all-repeated=separate"
        ));
        cand(
            out,
            "duplicate-files",
            0.95,
            "files with the same contents",
            &cmds,
        );
    }
    let device = sl
        .paths
        .iter()
        .find(|p| p.starts_with("/dev/"))
        .cloned()
        .unwrap_or_else(|| "DEVICE".into());
    if r.has(&[
        "check",
        "scan",
        "test",
        "verify",
        "comprueba",
        "verifica",
        "verifie",
    ]) && r.has(&[
        "disk",
        "drive",
        "filesystem",
        "partition",
        "disco",
        "disque",
        "ssd",
        "hdd",
        "smart",
    ]) && r.has(&[
        "error",
        "errors",
        "health",
        "bad",
        "corruption",
        "errores",
        "erreurs",
        "sante",
        "salud",
    ]) {
        let mut cmds = Vec::new();
        if r.has(&["health", "sante", "salud"]) && usable(ctx, "smartctl") {
            cmds.push(format!("{s}smartctl -H {device}"));
        }
        if r.has(&["bad"]) && r.has(&["block", "blocks", "sector", "sectors"]) {
            cmds.push(format!("{s}badblocks -sv {device}"));
        }
        // read-only: a check must not repair a mounted file system behind the user's back
        cmds.push(format!("{s}fsck -n {device}"));
        if usable(ctx, "smartctl") && !cmds.iter().any(|c| c.contains("smartctl")) {
            cmds.push(format!("{s}smartctl -H {device}"));
        }
        cand(
            out,
            "disk-check",
            0.9,
            "check a disk for errors (read-only)",
            &cmds,
        );
    }
    if r.has(&[
        "monitor",
        "watch",
        "live",
        "realtime",
        "real-time",
        "monitorea",
        "surveille",
    ]) && r.has(&["bandwidth", "traffic", "throughput", "trafico", "trafic"])
    {
        let mut cmds = Vec::new();
        for t in ["iftop", "nload", "bmon"] {
            if ctx.has_command(t) {
                cmds.push(if t == "iftop" {
                    format!("{s}iftop")
                } else {
                    t.to_string()
                });
            }
        }
        cmds.push("watch -n 1 ip -s link".into());
        cand(
            out,
            "network-traffic",
            0.95,
            "network traffic as it happens",
            &cmds,
        );
    }
}

/// Words saying something holds a port ("listening on", "occupies"), and question words
/// ("which process …", "what is on port 22").
const HOLDS: &[&str] = &[
    "listen",
    "listening",
    "occupy",
    "occupies",
    "occupying",
    "occupied",
    "bound",
    "blocking",
    "escucha",
    "escuchando",
    "ocupa",
    "ocupando",
    "ocupado",
    "ecoute",
    "occupe",
];
const ASKS: &[&str] = &[
    "who",
    "which",
    "what",
    "whats",
    "process",
    "program",
    "quien",
    "que",
    "cual",
    "proceso",
    "programa",
    "qui",
    "quel",
    "quelle",
    "processus",
];

fn ports(r: &Req, raw: &str, ctx: &Context, out: &mut Vec<Candidate>) {
    // a port in a firewall rule is the rule's, not a listening socket
    if r.has(&[
        "firewall",
        "ufw",
        "iptables",
        "nftables",
        "cortafuegos",
        "pare-feu",
    ]) {
        return;
    }
    let Some(p) = port(r, raw) else {
        return;
    };
    // "start a server on port 8000" is about the server, not the port
    if !(r.has(HOLDS) || r.has(ASKS) || r.has(KILL)) || r.len > 10 {
        return;
    }
    if r.has(KILL) {
        let mut cmds = Vec::new();
        if usable(ctx, "fuser") {
            cmds.push(format!("fuser -k {p}/tcp"));
        }
        if usable(ctx, "lsof") {
            cmds.push(format!("kill $(lsof -t -i :{p})"));
        }
        cand(
            out,
            "kill-port",
            0.95,
            "stop the processes using a port",
            &cmds,
        );
    } else {
        let mut cmds = Vec::new();
        if usable(ctx, "ss") {
            cmds.push(format!("ss -ltnp 'sport = :{p}'"));
        }
        if usable(ctx, "lsof") {
            cmds.push(format!("lsof -i :{p}"));
        }
        cand(out, "port-owner", 0.95, "what uses a port", &cmds);
    }
}

fn docker(r: &Req, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    let containers = r.has(&["container", "contenedor", "contenedores", "conteneur"]);
    if !(containers || r.has(&["docker"])) || !usable(ctx, "docker") || r.len > 9 {
        return;
    }
    // another action on containers than the ones below
    let other = r.has(&[
        "remove",
        "delete",
        "rm",
        "start",
        "run",
        "create",
        "update",
        "upgrade",
        "stat",
        "statistic",
        "export",
        "documentation",
        "enter",
        "login",
        "build",
        "pull",
        "push",
        "restart",
        "pause",
        "elimina",
        "eliminar",
        "borra",
        "borrar",
        "inicia",
        "iniciar",
        "crea",
        "crear",
        "ejecuta",
        "ejecutar",
        "actualiza",
        "actualizar",
        "estadistica",
        "documentacion",
        "entra",
        "entrar",
        "detener",
        "detiene",
        "supprime",
        "supprimer",
        "demarre",
        "demarrer",
        "creer",
        "lance",
        "lancer",
        "podman",
        "lxc",
        "toolbox",
        "distrobox",
        "incu",
        "kubernete",
        "pod",
        "azure",
        "az",
        "storage",
    ]);
    let images = r.has(&["image", "imagen", "imagenes"]);
    let all = r.has(&[
        "all", "stopped", "exited", "todo", "todos", "tous", "toute", "toutes",
    ]);
    let list = r.has(&[
        "list", "show", "display", "see", "running", "which", "what", "lista", "listar", "muestra",
        "mostrar", "liste", "lister", "affiche", "afficher",
    ]);
    // a name given as one ("named web", quoted, or `web-1` after "container"), else a
    // placeholder to fill in
    let n = sl
        .quoted
        .first()
        .cloned()
        .or_else(|| sl.names.first().cloned())
        .or_else(|| {
            // `web-1`, or any word ending the request ("stop the container web")
            r.after(&["container", "contenedor", "contenedores", "conteneur"])
                .filter(|w| {
                    w.contains(|c: char| c.is_ascii_digit() || c == '-' || c == '_')
                        || r.typed.last().is_some_and(|l| l == w)
                            && ![
                                "log",
                                "logs",
                                "registro",
                                "registros",
                                "journal",
                                "journaux",
                                "running",
                                "stopped",
                                "list",
                                "images",
                                "id",
                                "ids",
                                "names",
                                "status",
                                "stats",
                                "here",
                            ]
                            .contains(&w.to_lowercase().as_str())
                })
                .map(str::to_string)
        })
        .map(|n| quote(&n))
        .unwrap_or_else(|| "CONTAINER".into());
    if r.has(&[
        "log",
        "logs",
        "registro",
        "registros",
        "journal",
        "journaux",
    ]) {
        cand(
            out,
            "docker-logs",
            0.9,
            "a container's output",
            &[format!("docker logs -f {n}"), format!("docker logs {n}")],
        );
    } else if r.has(&["shell", "exec", "inside", "terminal", "bash"]) && containers {
        cand(
            out,
            "docker-exec",
            0.9,
            "a shell inside a container",
            &[
                format!("docker exec -it {n} sh"),
                format!("docker exec -it {n} bash"),
            ],
        );
    } else if other {
        // not one of these
    } else if r.has(&["prune", "clean", "cleanup", "unused", "dangling"]) {
        let cmds = if images {
            vec![
                "docker image prune".to_string(),
                "docker system prune".into(),
            ]
        } else if containers {
            vec![
                "docker container prune".to_string(),
                "docker system prune".into(),
            ]
        } else {
            vec!["docker system prune".to_string()]
        };
        cand(
            out,
            "docker-prune",
            0.9,
            "remove unused docker objects",
            &cmds,
        );
    } else if r.has(KILL) && containers && all {
        cand(
            out,
            "docker-stop",
            0.9,
            "stop every running container",
            &["docker stop $(docker ps -q)".into()],
        );
    } else if r.has(&["stop", "detener", "deten", "arrete", "arreter"])
        && containers
        && n != "CONTAINER"
    {
        cand(
            out,
            "docker-stop",
            0.95,
            "stop a container",
            &[format!("docker stop {n}")],
        );
    } else if images && list {
        cand(
            out,
            "docker-images",
            0.9,
            "list images",
            &["docker images".into()],
        );
    } else if containers && (list || r.len <= 2) {
        let cmds = if all {
            vec!["docker ps -a".to_string(), "docker ps".into()]
        } else {
            vec!["docker ps".to_string(), "docker ps -a".into()]
        };
        cand(out, "docker-ps", 0.9, "list containers", &cmds);
    }
}

fn git(r: &Req, raw: &str, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    let about_git = r.has(&[
        "git",
        "commit",
        "branch",
        "repo",
        "repository",
        "staged",
        "stash",
    ]);
    // everyday requests are short; a long one asks for something more specific
    if !about_git || !usable(ctx, "git") || r.len > 8 {
        return;
    }
    let commit = r.has(&["commit"]);
    let branch = r.has(&["branch", "rama", "branche"]);
    let undo = r.has(&[
        "undo", "revert", "uncommit", "deshacer", "deshaz", "annuler", "annule",
    ]);
    if undo && commit && r.has(&["last", "latest", "previous", "ultimo", "dernier"]) {
        cand(
            out,
            "git-undo-commit",
            0.95,
            "undo the last commit, keeping its changes staged",
            &["git reset --soft HEAD~1".into(), "git revert HEAD".into()],
        );
    } else if branch
        && r.has(&["current", "actual", "actuelle", "which", "what"])
        && !r.has(&["list"])
    {
        cand(
            out,
            "git-current-branch",
            0.95,
            "the branch checked out",
            &["git branch --show-current".into()],
        );
    } else if branch
        && r.has(&[
            "new", "create", "make", "crear", "crea", "nueva", "creer", "nouvelle",
        ])
    {
        let name = sl
            .quoted
            .first()
            .cloned()
            .or_else(|| sl.names.first().cloned())
            .or_else(|| {
                r.after(&["branch"])
                    .filter(|w| !["from", "and", "for", "off", "on", "named", "called"].contains(w))
                    .map(str::to_string)
            });
        if !commit && let Some(n) = name {
            let n = quote(&n);
            cand(
                out,
                "git-new-branch",
                0.95,
                "create a branch and switch to it",
                &[format!("git switch -c {n}"), format!("git checkout -b {n}")],
            );
        }
    } else if branch && r.has(&["list", "show", "display", "see", "lista", "liste"]) {
        cand(
            out,
            "git-branches",
            0.9,
            "list branches",
            &["git branch -a".into(), "git branch".into()],
        );
    } else if r.has(&["discard", "throw"]) && r.has(&["change", "modification", "edit"]) {
        cand(
            out,
            "git-discard",
            0.9,
            "discard uncommitted changes to tracked files",
            &["git restore .".into(), "git checkout -- .".into()],
        );
    } else if r.has(&["stash"]) && !r.has(&["list", "show", "pop", "apply", "drop"]) {
        cand(
            out,
            "git-stash",
            0.9,
            "set uncommitted changes aside",
            &["git stash".into()],
        );
    } else if r.has(&["staged"]) && r.has(&["change", "diff", "difference", "show", "see"]) {
        cand(
            out,
            "git-diff-staged",
            0.9,
            "changes staged for the next commit",
            &["git diff --staged".into()],
        );
    } else if commit && r.has(&["history", "log", "recent", "historial", "historique"])
        || raw.contains("git log")
    {
        cand(
            out,
            "git-log",
            0.9,
            "commit history",
            &["git log --oneline --graph".into(), "git log".into()],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::translate::slots;

    fn ctx(cmds: &[&str]) -> Context {
        Context {
            path_cmds: cmds.iter().map(|c| c.to_string()).collect(),
            ..Context::default()
        }
    }

    fn first(req: &str, c: &Context) -> Option<String> {
        let sl = slots::extract(req, c);
        matches(req, &sl, c).first().map(|c| c.command.clone())
    }

    const ALL: &[&str] = &["ss", "lsof", "fuser", "docker", "git", "kill"];

    #[test]
    fn port_owner_and_kill_by_port() {
        let c = ctx(ALL);
        assert_eq!(
            first("which process is listening on port 8080", &c).as_deref(),
            Some("ss -ltnp 'sport = :8080'")
        );
        assert_eq!(
            first("who is using :5432?", &c).as_deref(),
            Some("ss -ltnp 'sport = :5432'")
        );
        assert_eq!(
            first("kill whatever is using port 3000", &c).as_deref(),
            Some("fuser -k 3000/tcp")
        );
        assert_eq!(
            first("libera el puerto 80", &c).as_deref(),
            Some("fuser -k 80/tcp")
        );
        // without ss, lsof answers
        assert_eq!(
            first("what is on port 22", &ctx(&["lsof"])).as_deref(),
            Some("lsof -i :22")
        );
        // a number that is not a port
        assert_eq!(first("kill process 3000", &c), None);
        // a port that is not the question
        assert_eq!(first("start a web server on port 8000", &c), None);
        assert_eq!(first("ping the host over udp on port 53", &c), None);
        assert_eq!(first("issue a certificate using port 443", &c), None);
        assert_eq!(first("open port 99999", &c), None);
    }

    #[test]
    fn docker_containers_and_images() {
        let c = ctx(ALL);
        assert_eq!(
            first("list docker containers", &c).as_deref(),
            Some("docker ps")
        );
        assert_eq!(
            first("show all containers, stopped ones too", &c).as_deref(),
            Some("docker ps -a")
        );
        assert_eq!(
            first("list docker images", &c).as_deref(),
            Some("docker images")
        );
        assert_eq!(
            first("stop all running containers", &c).as_deref(),
            Some("docker stop $(docker ps -q)")
        );
        assert_eq!(
            first("show the logs of container named web", &c).as_deref(),
            Some("docker logs -f web")
        );
        assert_eq!(
            first("follow the logs of container WebApp-2", &c).as_deref(),
            Some("docker logs -f WebApp-2")
        );
        assert_eq!(
            first("show container logs", &c).as_deref(),
            Some("docker logs -f CONTAINER")
        );
        // other actions on containers are not a listing
        assert_eq!(
            first("remove all stopped containers and list them", &c),
            None
        );
        assert_eq!(first("elimina contenedores", &c), None);
        assert_eq!(
            first("open a shell inside the container called db", &c).as_deref(),
            Some("docker exec -it db sh")
        );
        assert_eq!(
            first("clean up unused docker images", &c).as_deref(),
            Some("docker image prune")
        );
        assert_eq!(
            first("muestra los contenedores", &c).as_deref(),
            Some("docker ps")
        );
        // docker not installed: nothing
        assert_eq!(first("list docker containers", &ctx(&["git"])), None);
        // a disk image is not a docker image
        assert_eq!(first("list disk images", &c), None);
    }

    #[test]
    fn git_everyday_requests() {
        let c = ctx(ALL);
        assert_eq!(
            first("undo the last git commit", &c).as_deref(),
            Some("git reset --soft HEAD~1")
        );
        assert_eq!(
            first("what branch am I on", &c).as_deref(),
            Some("git branch --show-current")
        );
        assert_eq!(
            first("create a new branch called feature-x", &c).as_deref(),
            Some("git switch -c feature-x")
        );
        assert_eq!(
            first("list all git branches", &c).as_deref(),
            Some("git branch -a")
        );
        assert_eq!(
            first("discard my local changes in git", &c).as_deref(),
            Some("git restore .")
        );
        assert_eq!(
            first("show staged changes", &c).as_deref(),
            Some("git diff --staged")
        );
        assert_eq!(
            first("show recent commit history", &c).as_deref(),
            Some("git log --oneline --graph")
        );
        assert_eq!(
            first("stash my changes in the git repo", &c).as_deref(),
            Some("git stash")
        );
        // not about git
        assert_eq!(first("undo the last change to the file", &c), None);
        // longer requests ask for more than these
        assert_eq!(
            first(
                "create a bundle file of the last 5 commits of the current branch",
                &c
            ),
            None
        );
    }

    #[test]
    fn names_are_quoted() {
        let c = ctx(ALL);
        assert_eq!(
            first("create a new branch named 'a b;rm -rf ~'", &c).as_deref(),
            Some("git switch -c 'a b;rm -rf ~'")
        );
    }
}
