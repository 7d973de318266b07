//! Short everyday requests about one named thing, each with one usual command: a service and
//! its logs ("is nginx running?", "follow the ssh logs"), a process by name ("kill all python3
//! processes"), a package by name ("remove apache2", "which package owns /usr/bin/convert"),
//! a directory or an archive ("how big is /var/log?", "what's inside bundle.zip"), a text file
//! ("remove duplicate lines from list.txt", "search for the word error in /var/log"), an
//! environment variable ("add /opt/tools/bin to my PATH"), users, the time and the disks.
//!
//! The vocabulary alone reads these as the tool whose description shares the most words
//! (`pip` for "upgrade all packages", `passwd` for "buscar la palabra password"), and the
//! request's arguments (the service, the package, the word searched for) are what makes the
//! command. Each rule is gated on the words that make the request unambiguous and on its
//! length: NL2Bash's long requests and tldr's descriptions of other tools keep their readings.

use super::intents::{SERVICES, cand, sudo};
use super::slots::quote;
use super::tools::{Req, usable};
use super::{Candidate, Context, fold};

/// The request's words as typed, without the punctuation around them (`/var/log?` →
/// `/var/log`, `"error"` → `error`).
pub(super) fn args(req: &str) -> Vec<String> {
    req.split_whitespace()
        .map(|w| {
            let w = w
                .trim_matches(|c: char| "\"'`“”«»¿¡(),;!?".contains(c))
                .trim_end_matches([':', '.']);
            // French elision: "d'apache2", "l'ordinateur", "qu'il"
            let w = ["d'", "l'", "qu'", "j'", "n'", "s'", "c'", "d’", "l’"]
                .iter()
                .find_map(|e| w.strip_prefix(e).filter(|rest| !rest.is_empty()))
                .unwrap_or(w);
            w.to_string()
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// A path: has a slash or starts with `~` (`/var/log`, `~/src`, `./build`).
pub(super) fn is_path(w: &str) -> bool {
    w.contains('/') || w.starts_with('~')
}

/// A file name with an extension (`notes.txt`, `release.tar.gz`), not a host or a number.
pub(super) fn is_file(w: &str) -> bool {
    let Some((stem, ext)) = w.rsplit_once('.') else {
        return false;
    };
    !stem.is_empty()
        && (1..=5).contains(&ext.len())
        && ext.chars().all(|c| c.is_ascii_alphanumeric())
        && ext.chars().any(|c| c.is_ascii_alphabetic())
        && ![
            "com", "org", "net", "io", "fr", "es", "de", "uk", "local", "lan",
        ]
        .contains(&ext)
        && !w.contains('@')
}

/// A host: an IPv4 address or a dotted domain name.
pub(super) fn is_host(w: &str) -> bool {
    let ip = w.split('.').count() == 4 && w.split('.').all(|p| p.parse::<u8>().is_ok());
    let domain = w.contains('.')
        && !w.contains('/')
        && w.rsplit('.').next().is_some_and(|tld| {
            (2..=6).contains(&tld.len()) && tld.chars().all(|c| c.is_ascii_lowercase())
        })
        && w.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
        && !is_file(w);
    ip || domain
}

/// `w` is one of the space-separated words of `list`.
pub(super) fn listed(list: &str, w: &str) -> bool {
    list.split_whitespace().any(|x| x == w)
}

/// The first word after one of `after` (space-separated, folded) that is not an article or a filler.
pub(super) fn word_after(ws: &[String], after: &str) -> Option<String> {
    const FILLER: &str = "the a an all my this that le la les l el los las un une mi mis mon ma mes de del du des word palabra mot text texto texte string cadena chaine for por the service package paquete paquet program process processes every any variable";
    let i = ws.iter().position(|w| listed(after, &fold(w)))?;
    ws[i + 1..]
        .iter()
        .find(|w| !listed(FILLER, &fold(w)))
        .cloned()
}

/// A name a package, a service or a program can have: lower case letters, digits, `+-.`.
fn is_name(w: &str) -> bool {
    w.len() >= 2
        && w.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && w.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c))
        && !super::STOP.contains(&w)
}

/// Candidates for the requests above.
pub fn matches(req: &str, ctx: &Context) -> Vec<Candidate> {
    let r = Req::new(req);
    let mut out = Vec::new();
    let ws = args(req);
    if ws.len() > 14 {
        return out;
    }
    // "¿está funcionando mariadb?": the question marks of Spanish are not words
    let raw = fold(req.trim_start_matches(['¿', '¡', ' ']));
    services(&r, &raw, &ws, ctx, &mut out);
    processes(&r, &raw, &ws, ctx, &mut out);
    packages(&r, &raw, &ws, ctx, &mut out);
    files(&r, &raw, &ws, &mut out);
    places(&r, &raw, &ws, ctx, &mut out);
    power(&r, &raw, &ws, ctx, &mut out);
    devices(&r, &raw, &ws, ctx, &mut out);
    columns(&r, &raw, &ws, &mut out);
    text(&r, req, &raw, &ws, &mut out);
    environment(&r, &raw, &ws, &mut out);
    network(&r, &raw, &ws, ctx, &mut out);
    shell_tasks(&r, req, &raw, &ws, ctx, &mut out);
    runs(&r, &raw, &ws, ctx, &mut out);
    more_tasks(&r, &raw, &ws, ctx, &mut out);
    modules(&r, &raw, &ws, ctx, &mut out);
    system(&r, &raw, &ws, ctx, &mut out);
    out
}

/// The network from this machine: reachability, the gateway, the DNS servers, the public
/// address, a remote port, the route to a host, iptables and nftables rules.
fn network(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 10 {
        return;
    }
    let s = sudo(ctx);
    let host = ws.iter().find(|w| is_host(w)).cloned();
    let port = ws
        .iter()
        .position(|w| listed("port puerto", &fold(w)))
        .and_then(|i| ws.get(i + 1))
        .and_then(|p| p.parse::<u16>().ok());
    // "check if port 443 is open on example.com"
    if let (Some(h), Some(p)) = (&host, port)
        && r.any("open reachable accessible abierto accesible ouvert joignable")
        && r.any("check test whether if is est esta comprueba verifie verifica")
    {
        one(
            out,
            "remote-port",
            "whether a remote port accepts connections",
            &[format!("nc -zv {h} {p}")],
        );
        return;
    }
    // "trace the route to 8.8.8.8"
    if let Some(h) = &host
        && (r.any("traceroute tracepath hops saltos sauts")
            || r.any("route path ruta chemin")
                && r.any("trace traza trazar tracer show muestra affiche"))
    {
        let mut cmds = Vec::new();
        if usable(ctx, "traceroute") {
            cmds.push(format!("traceroute {h}"));
        }
        if ctx.has_command("tracepath") || cmds.is_empty() {
            cmds.push(format!("tracepath {h}"));
        }
        one(out, "traceroute", "the route packets take to a host", &cmds);
        return;
    }
    // "what's my default gateway", "la puerta de enlace", "la passerelle par défaut"
    if (raw.contains("gateway") || raw.contains("puerta de enlace") || raw.contains("passerelle"))
        && r.any("what which show display my default print get cual quelle quel muestra affiche")
        && !r.any("start run launch server set add change")
    {
        one(
            out,
            "gateway",
            "the default route",
            &["ip route show default".into(), "ip route".into()],
        );
        return;
    }
    // "which DNS servers am I using"
    if r.any("dns")
        && r.any("server servers servidor servidores serveur serveurs resolver resolvers nameserver nameservers")
        && host.is_none()
        && r.any("which what show list display current my using am quels quel cuales cual que muestra affiche")
        && !r.any("specify alternate custom start intercept query set change configure use")
    {
        let mut cmds = Vec::new();
        if ctx.has_command("resolvectl") {
            cmds.push("resolvectl status".to_string());
        }
        cmds.push("cat /etc/resolv.conf".to_string());
        one(out, "dns-servers", "the DNS servers in use", &cmds);
        return;
    }
    // "what's my public IP?"
    if (raw.contains("public ip")
        || raw.contains("external ip")
        || raw.contains("ip publica")
        || raw.contains("ip publique")
        || raw.contains("ip externa")
        || raw.contains("ip externe"))
        && !r.any("set change assign")
    {
        one(
            out,
            "public-ip",
            "this network's address on the internet",
            &[
                "curl ifconfig.me".into(),
                "curl -s https://ifconfig.me".into(),
            ],
        );
        return;
    }
    // "list all iptables rules with line numbers", "block all traffic from 203.0.113.5"
    if r.any("iptables") || r.any("block bloquea bloque") && r.any("traffic trafico trafic ip") {
        if let Some(h) = host.filter(|_| r.any("block drop deny bloquea bloque")) {
            one(
                out,
                "iptables-block",
                "drop a host's traffic",
                &[format!("{s}iptables -A INPUT -s {h} -j DROP")],
            );
            return;
        }
        if r.any("list show rules display reglas regles muestra affiche") {
            let n = if raw.contains("line number") {
                " --line-numbers"
            } else {
                ""
            };
            one(
                out,
                "iptables-list",
                "the iptables rules",
                &[format!("{s}iptables -L -n -v{n}")],
            );
            return;
        }
    }
    // "show the nftables ruleset"
    if r.any("nftables nft ruleset") && r.any("show list display ruleset rules muestra affiche") {
        one(
            out,
            "nft-list",
            "the nftables rules",
            &[format!("{s}nft list ruleset")],
        );
    }
}

/// Small tasks of the shell itself: aliases, the history, a job in the background, timing or
/// repeating a command, reloading `~/.bashrc`, a file fetched from another host.
fn shell_tasks(
    r: &Req,
    req: &str,
    raw: &str,
    ws: &[String],
    ctx: &Context,
    out: &mut Vec<Candidate>,
) {
    if ws.len() > 16 {
        return;
    }
    let folded: Vec<String> = ws.iter().map(|w| fold(w)).collect();
    // "make an alias ll for ls -alF", "crea un alias llamado gs que haga git status"
    if let Some(i) = folded.iter().position(|w| w == "alias") {
        if r.any("remove delete unset drop elimina borra quita supprime supprimer enleve") {
            if let Some(name) = ws
                .get(i + 1)
                .filter(|n| is_name(n) || n.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                one(
                    out,
                    "unalias",
                    "remove an alias",
                    &[format!("unalias {name}")],
                );
            }
            return;
        }
        if r.any("make create add define set crea crear define cree creer ajoute") {
            let name_at = if folded
                .get(i + 1)
                .is_some_and(|w| listed("called named llamado nomme appele", w))
            {
                i + 2
            } else {
                i + 1
            };
            let body_at = folded
                .get(name_at + 1..)
                .unwrap_or_default()
                .iter()
                .position(|w| listed("for to that runs running which que pour qui para =", w))
                .map(|k| name_at + 1 + k + 1);
            let body_at = body_at.map(|k| {
                // "that runs", "que haga", "qui lance": the verb is not the command
                if folded
                    .get(k)
                    .is_some_and(|w| listed("runs run haga ejecute lance lancer execute does", w))
                {
                    k + 1
                } else {
                    k
                }
            });
            if let (Some(name), Some(k)) = (ws.get(name_at), body_at)
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-".contains(c))
                && k < ws.len()
            {
                let body = super::tools::quoted_text(req).unwrap_or_else(|| ws[k..].join(" "));
                // "y" and "et" join commands in Spanish and French
                let body = body.replace(" y ", " && ").replace(" et ", " && ");
                one(
                    out,
                    "alias",
                    "a new alias",
                    &[format!("alias {name}='{}'", body.replace('\'', "'\\''"))],
                );
            }
            return;
        }
    }
    // the shell's history: "show my last 20 commands", "search my history for docker",
    // "borra el historial de comandos"
    // (the history of the shell, not of a repository, a file or an image)
    let history = r.any("history historial historique")
        && (r.any("command commands comandos commandes shell bash terminal")
            || raw.contains("my history")
            || raw.contains("mi historial")
            || raw.contains("mon historique")
            || ws.len() <= 3)
        && !r.any("git commit branch file archivo fichier directory image stack browser log");
    if history || raw.contains("commands") && r.any("last previous recent ultimos derniers") {
        if r.any("clear delete erase wipe remove borra borrar limpia elimina efface supprime vide")
        {
            one(
                out,
                "history-clear",
                "clear the shell history",
                &["history -c".into()],
            );
            return;
        }
        if history
            && r.any("search grep find busca cherche")
            && let Some(w) = word_after(ws, "for de")
                .filter(|w| !listed("commands comandos commandes history", &fold(w)))
        {
            one(
                out,
                "history-search",
                "search the shell history",
                &[format!("history | grep {}", quote(&w))],
            );
            return;
        }
        let n = ws.iter().find_map(|w| w.parse::<u32>().ok());
        if r.any("show list display see print muestra affiche my mes mis last ultimos derniers") {
            one(
                out,
                "history",
                "the shell history",
                &[n.map_or_else(|| "history".to_string(), |n| format!("history {n}"))],
            );
            return;
        }
    }
    // "reload my bashrc without logging out"
    if let Some(rc) = ws.iter().find_map(|w| {
        let f = fold(w);
        let dotted = f.starts_with('.') || f.starts_with("~/.");
        let f = f.trim_start_matches("~/").trim_start_matches('.');
        (["bashrc", "zshrc"].contains(&f) || dotted && ["profile", "bash_profile"].contains(&f))
            .then(|| f.to_string())
    }) && r.any("reload apply source reread re-read refresh recarga recargar recharge recharger aplica applique")
    {
        one(
            out,
            "source",
            "re-read the shell's start-up file",
            &[format!("source ~/.{rc}"), format!(". ~/.{rc}")],
        );
        return;
    }
    // "run long_job.sh in the background and keep it going after I log out",
    // "ejecuta servidor.py en segundo plano"
    let background = raw.contains("background")
        || raw.contains("segundo plano")
        || raw.contains("arriere-plan")
        || raw.contains("arriere plan");
    let script = ws.iter().find(|w| {
        let l = w.to_lowercase();
        [".sh", ".py", ".pl", ".rb", ".js"]
            .iter()
            .any(|e| l.ends_with(e))
    });
    if let Some(f) = script
        && (background
            || raw.contains("log out")
            || raw.contains("logout")
            || raw.contains("nohup"))
        && r.any(
            "run start execute launch keep ejecuta ejecutar corre lance lancer execute arranca",
        )
    {
        let l = f.to_lowercase();
        let cmd = if l.ends_with(".py") {
            format!("python3 {}", quote(f))
        } else if f.contains('/') {
            quote(f)
        } else {
            format!("./{}", quote(f))
        };
        let survive = raw.contains("log out")
            || raw.contains("logout")
            || raw.contains("close the terminal")
            || raw.contains("keep running")
            || raw.contains("keep it going")
            || raw.contains("cierre la sesion")
            || raw.contains("cierro la sesion")
            || raw.contains("deconnect")
            || raw.contains("deconnexion")
            || raw.contains("continue apres")
            || raw.contains("siga despues")
            || raw.contains("nohup");
        let stem = f.rsplit('/').next().unwrap_or(f);
        let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
        let cmds = if survive {
            vec![
                format!("nohup {cmd} > {stem}.log 2>&1 &"),
                format!("{cmd} &"),
            ]
        } else {
            vec![
                format!("{cmd} &"),
                format!("nohup {cmd} > {stem}.log 2>&1 &"),
            ]
        };
        one(out, "background", "a command run in the background", &cmds);
        return;
    }
    // "how long does make take?", "time the backup.sh script"
    if let Some(i) = folded.iter().position(|w| w == "does" || w == "do")
        && raw.starts_with("how long")
        && let Some(end) = folded.iter().rposition(|w| listed("take takes", w))
        && end > i + 1
    {
        let cmd = runnable(&ws[i + 1..end], ctx).unwrap_or_else(|| ws[i + 1..end].join(" "));
        if ws[i + 1..end]
            .first()
            .is_some_and(|c| ctx.path_cmds.is_empty() || ctx.has_command(c) || c.contains('.'))
        {
            one(
                out,
                "time",
                "how long a command takes",
                &[format!("time {cmd}")],
            );
            return;
        }
    }
    // "medir cuánto tarda en ejecutarse build.sh", "mesurer combien de temps prend make"
    if (raw.contains("cuanto tarda")
        || raw.contains("combien de temps")
        || raw.contains("how long"))
        && r.any("measure time medir mide mesurer mesure chronometrer cronometra cronometrar")
        && let Some(cmd) = (0..ws.len()).find_map(|k| {
            (is_file(&ws[k]) || ws[k].starts_with("./"))
                .then(|| runnable(&ws[k..], ctx))
                .flatten()
        })
    {
        one(
            out,
            "time",
            "how long a command takes",
            &[format!("time {cmd}")],
        );
        return;
    }
    // "rerun df -h every 5 seconds": the command before "every", repeated by watch
    // (every few seconds: a watch; a job every 15 minutes is cron's)
    if let Some(n) = super::intents::every_seconds(raw)
        && n.parse::<f64>().is_ok_and(|n| n < 60.0)
        && let Some(e) = folded
            .iter()
            .position(|w| listed("every cada toutes chaque", w))
        && let Some(v) = folded[..e].iter().position(|w| {
            listed(
                "run rerun execute repeat watch refresh ejecuta ejecutar repite repetir relance relancer repete repeter execute executer",
                w,
            )
        })
        && e > v + 1
        && (ctx.path_cmds.is_empty() || ctx.has_command(&ws[v + 1]))
    {
        let cmd = ws[v + 1..e].join(" ");
        let cmd = super::intents::command_arg(&cmd);
        one(
            out,
            "watch",
            "a command run again and again",
            &[format!("watch -n {n} {cmd}")],
        );
        return;
    }
    // "grab /var/log/nginx/error.log from web1 and put it in the current dir"
    if r.any("grab get fetch copy download pull trae copia descarga recupere copie telecharge")
        && let Some(k) = folded
            .iter()
            .position(|w| w == "from" || w == "desde" || w == "depuis")
        && let Some(h) = ws.get(k + 1).filter(|h| {
            is_host(h)
                || h.contains('@')
                || h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && h.chars().any(|c| c.is_ascii_digit())
                    && h.chars().any(|c| c.is_ascii_alphabetic())
        })
        && let Some(path) = ws[..k]
            .iter()
            .find(|w| w.starts_with('/') || w.starts_with("~/"))
    {
        let dest = ws[k + 2..]
            .iter()
            .find(|w| w.starts_with('/') || w.starts_with("~/"))
            .cloned()
            .unwrap_or_else(|| ".".into());
        // a folder when it ends with a slash or is called one before "from"
        let folder_said = ws[..k]
            .iter()
            .any(|w| listed("folder directory dir carpeta dossier", &fold(w)));
        let rec = if path.ends_with('/') || folder_said {
            "-r "
        } else {
            ""
        };
        one(
            out,
            "scp-from",
            "copy a file from another host",
            &[
                format!("scp {rec}{h}:{path} {dest}"),
                format!("rsync -av {h}:{path} {dest}"),
            ],
        );
    }
}

/// The command a request names from `ws[from..to]`, as the shell runs it: a script in this
/// directory as `./x.sh` (`python3 x.py`), a command on PATH with its arguments. `None` when the
/// words do not start with something runnable.
fn runnable(ws: &[String], ctx: &Context) -> Option<String> {
    let first = ws.first()?;
    let l = first.to_lowercase();
    let script = [".sh", ".py", ".pl", ".rb", ".js"]
        .iter()
        .any(|e| l.ends_with(e));
    let head = if script && l.ends_with(".py") && !first.contains('/') {
        format!("python3 {}", quote(first))
    } else if script && !first.contains('/') {
        format!("./{}", quote(first))
    } else if script || first.starts_with("./") {
        quote(first)
    } else if is_name(first) && usable(ctx, first) {
        first.clone()
    } else {
        return None;
    };
    // a command's own words: options, names, paths (not "then", "and", "silently")
    let rest: Vec<&str> = ws[1..]
        .iter()
        .take_while(|w| {
            !listed(
                "then and y et puis luego despues silently quietly with without sin sans con avec at a las in into to en dans vers for para pour so but please",
                &fold(w),
            )
        })
        .map(String::as_str)
        .collect();
    Some(if rest.is_empty() {
        head
    } else {
        format!("{head} {}", rest.join(" "))
    })
}

/// A command the request names, run a certain way: its output saved to a file (`>`, `>>`,
/// `2>`), silenced (`> /dev/null 2>&1`), after a delay (`sleep N && …`) or once at a time of
/// day (`at`); the pending `at` jobs; a shell as another user (`sudo -iu`); the processes that
/// hold a file open (`lsof`).
fn runs(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    let folded: Vec<String> = ws.iter().map(|w| fold(w)).collect();
    let at = |k: usize| folded.get(k).map(String::as_str).unwrap_or("");
    // "save the output of ls -l into files.txt", "guarda la salida de df -h en disco.txt",
    // "rediriger les erreurs de build.sh vers erreurs.log"
    let stream = folded.iter().enumerate().find_map(|(k, w)| {
        let of = listed("of de du from", at(k + 1));
        match w.as_str() {
            "output" | "salida" | "sortie" | "stdout" if of => Some((k + 2, false)),
            "errors" | "error" | "errores" | "erreurs" | "stderr" if of => Some((k + 2, true)),
            _ => None,
        }
    });
    if let Some((from, errors)) = stream
        && r.any("save write put send redirect store keep capture append anade agrega ajoute guarda guardar escribe escribir redirige redirigir manda enregistre enregistrer ecris ecrire redirige rediriger envoie mets sauvegarde")
        && let Some(to) = (from + 1..ws.len()).rev().find(|&k| {
            listed("to into in en dans vers a", at(k)) && ws.get(k + 1).is_some_and(|f| is_file(f) || is_path(f))
        })
        && let Some(cmd) = runnable(&ws[from..to], ctx)
    {
        let file = quote(&ws[to + 1]);
        // "show the output on screen but also save it": both at once
        let shown = r.any("screen pantalla ecran terminal also tambien aussi")
            && r.any("show see display muestra ver affiche voir");
        let both = r.any("both everything todo tout ambos") || raw.contains("and errors") || raw.contains("y errores") || raw.contains("et erreurs");
        let append = r.any("append appending anade agrega ajoute") || raw.contains("without overwriting") || raw.contains("sin sobrescribir") || raw.contains("sans ecraser");
        let op = if append { ">>" } else { ">" };
        let cmds = if shown {
            vec![format!("{cmd} | tee {}{file}", if append { "-a " } else { "" })]
        } else if both {
            vec![format!("{cmd} {op} {file} 2>&1"), format!("{cmd} &{op} {file}")]
        } else if errors {
            vec![format!("{cmd} 2{op} {file}")]
        } else {
            vec![format!("{cmd} {op} {file}"), format!("{cmd} | tee {}{file}", if append { "-a " } else { "" })]
        };
        one(out, "redirect", "a command's output saved to a file", &cmds);
        return;
    }
    // "run ./run.sh and show the output on screen but also save it to output.log"
    if r.any("screen pantalla ecran terminal also tambien aussi")
        && r.any("save write keep guarda guardar enregistre enregistrer")
        && let Some(v) = folded.iter().position(|w| {
            listed(
                "run execute launch ejecuta ejecutar corre lance lancer execute executer",
                w,
            )
        })
        && let Some(cmd) = runnable(&ws[v + 1..], ctx)
        && let Some(f) = ws
            .windows(2)
            .find(|p| {
                listed("to into in en dans vers a", &fold(&p[0]))
                    && (is_file(&p[1]) || is_path(&p[1]))
            })
            .map(|p| p[1].clone())
    {
        one(
            out,
            "tee",
            "a command's output shown and saved",
            &[format!("{cmd} | tee {}", quote(&f))],
        );
        return;
    }
    // "run cleanup.sh with no output at all", "ejecuta backup.sh sin que muestre nada"
    let silent = r.any("silently quietly silenciosamente silencieusement")
        || [
            "no output",
            "without output",
            "without any output",
            "sin salida",
            "sin mostrar nada",
            "sans sortie",
            "sans rien afficher",
            "discard the output",
            "hide the output",
            "throw away the output",
            "to /dev/null",
        ]
        .iter()
        .any(|p| raw.contains(p));
    if silent
        && let Some(v) = folded.iter().position(|w| listed("run execute launch start ejecuta ejecutar corre lance lancer execute executer discard hide", w))
        && let Some(cmd) = runnable(
            // "discard the output of make": the command after "of"
            &ws[(v + 1..ws.len())
                .find(|&k| listed("of de du", at(k)))
                .map_or(v + 1, |k| k + 1)..],
            ctx,
        )
    {
        one(
            out,
            "silent",
            "a command run with its output discarded",
            &[format!("{cmd} > /dev/null 2>&1"), format!("{cmd} &> /dev/null")],
        );
        return;
    }
    // "wait 10 min then run ./deploy.sh", "dans 5 minutes lance backup.sh"
    let delay = folded.iter().enumerate().find_map(|(k, w)| {
        if !listed(
            "wait sleep after in espera esperar despues dentro en attends attendre apres dans",
            w,
        ) {
            return None;
        }
        let n: u32 = at(k + 1).parse().ok().or_else(|| number_word(at(k + 1)))?;
        let unit = at(k + 2);
        let secs = if unit.starts_with("sec") || unit.starts_with("seg") || unit == "s" {
            1
        } else if unit.starts_with("min") {
            60
        } else if unit.starts_with('h') {
            3600
        } else {
            return None;
        };
        Some((k + 3, n * secs))
    });
    // "run script.sh in 30 minutes with at", "lancer script.sh dans 30 minutes avec at"
    let with_at = ["with at", "using at", "avec at", "con at", "via at"]
        .iter()
        .any(|p| raw.contains(p));
    if with_at
        && let Some((_, secs)) = delay
        && let Some(k) = (0..ws.len()).find(|&k| {
            (is_file(&ws[k]) || ws[k].starts_with("./")) && runnable(&ws[k..], ctx).is_some()
        })
        && let Some(cmd) = runnable(&ws[k..], ctx)
    {
        let when = if secs % 3600 == 0 {
            format!("now + {} hours", secs / 3600)
        } else if secs % 60 == 0 {
            format!("now + {} minutes", secs / 60)
        } else {
            format!("now + {} minutes", secs.div_ceil(60))
        };
        one(
            out,
            "at",
            "a command run once later",
            &[format!("echo {} | at {when}", quote(&cmd))],
        );
        return;
    }
    if let Some((after, secs)) = delay
        // "then run", "y luego ejecuta", "puis lance": the words before the command
        && let Some(k) = (after..ws.len()).find(|&k| {
            !listed(
                "then and y luego despues et puis run execute launch start ejecuta ejecutar corre lance lancer execute executer",
                at(k),
            )
        })
        && let Some(cmd) = runnable(&ws[k..], ctx)
    {
        one(
            out,
            "delay",
            "a command run after a delay",
            &[format!("sleep {secs} && {cmd}")],
        );
        return;
    }
    // "run script.sh at 18:00", "ejecutar script.sh a las 18:00", "lance backup.sh à 23h"
    // (once: "every day at 18:00" is cron's)
    if let Some((h, m)) = clock_time(raw)
        && !r.any("every daily cada diario chaque tous todos weekday weekdays")
        // a reboot or a shutdown is scheduled by shutdown itself
        && !r.any("reboot restart shutdown poweroff halt suspend redemarrage reinicio reiniciar redemarrer apagar eteindre")
        && let Some(v) = folded.iter().position(|w| listed("run execute launch start schedule ejecuta ejecutar ejecute corre programa lance lancer execute executer planifie", w))
        && let Some(k) = (v + 1..ws.len()).find(|&k| runnable(&ws[k..], ctx).is_some())
        && let Some(cmd) = runnable(
            &ws[k..(k + 1..ws.len())
                .find(|&e| listed("at a las vers", at(e)))
                .unwrap_or(ws.len())],
            ctx,
        )
    {
        let day = if r.any("tomorrow manana demain") {
            " tomorrow"
        } else {
            ""
        };
        let when = format!("{h:02}:{m:02}{day}");
        let file = ws[k].clone();
        let mut cmds = Vec::new();
        if (is_file(&file) || is_path(&file)) && (cmd == format!("./{file}") || cmd == file) {
            cmds.push(format!("at -f {} {when}", quote(&file)));
        }
        cmds.push(format!("echo {} | at {when}", quote(&cmd)));
        one(out, "at", "a command run once at a time of day", &cmds);
        return;
    }
    // "list pending at jobs", "lister les tâches at en attente", "remove at job 3"
    if folded.iter().any(|w| w == "at")
        && r.any("job jobs tarea tareas trabajo trabajos tache taches")
        && !folded.iter().any(|w| w.contains(':'))
    {
        if r.any("remove delete cancel elimina borra cancela supprime annule")
            && let Some(n) = ws.iter().find(|w| w.parse::<u32>().is_ok())
        {
            one(out, "atrm", "cancel an at job", &[format!("atrm {n}")]);
        } else if r.any("list show see pending queued scheduled lista muestra ver pendientes programadas liste affiche voir attente programmees") {
            one(out, "atq", "the pending at jobs", &["atq".into(), "at -l".into()]);
        }
        return;
    }
    // "switch to the postgres user", "entrar como el usuario postgres", "devenir l'utilisateur www-data"
    // (not a login on another host: that is ssh's)
    let user_after = folded.iter().enumerate().find_map(|(k, w)| {
        let via = match (w.as_str(), at(k + 1), at(k + 2)) {
            (
                "switch" | "change" | "cambiar" | "cambia" | "passer" | "passe",
                "to" | "al" | "a",
                _,
            ) => k + 2,
            ("become" | "devenir" | "deviens", _, _) => k + 1,
            ("as" | "como", _, _)
                if k > 0
                    && (listed("login logged entrar entra loguearse", &folded[k - 1])
                        || k > 1 && folded[k - 2] == "log") =>
            {
                k + 1
            }
            ("en", "tant", "que") => k + 3,
            _ => return None,
        };
        let mut i = via;
        while listed(
            "the a an given specific another different other user usuario el l otro un une autre utilisateur",
            at(i),
        ) || at(i) == "l'utilisateur"
        {
            i += 1;
        }
        let u = ws.get(i).map(|u| u.strip_prefix("l'").unwrap_or(u));
        // "switch to a given user", "cambiar a otro usuario": no user named
        let unnamed = folded[via..i.min(folded.len())]
            .iter()
            .any(|w| listed("a an given specific another different other un une otro autre", w));
        match u {
            _ if unnamed => Some("USER".into()),
            Some(u)
                if (is_name(u)
                    || u.chars().all(|c| c.is_ascii_alphanumeric() || "_-".contains(c)))
                    && !super::COMMON_WORDS.contains(&u)
                    && !listed("and y et with con avec to a in en and then", u) =>
            {
                Some(u.to_string())
            }
            // "switch to a given user": the user is yours to fill in
            _ if folded[via..i.min(folded.len())]
                .iter()
                .any(|w| listed("user usuario utilisateur", w)) =>
            {
                Some("USER".into())
            }
            _ => None,
        }
    });
    let logging_in = raw.contains("log in as") || raw.contains("login as");
    if let Some(u) = user_after
        && (logging_in || r.any("user usuario utilisateur"))
        && !ws.iter().any(|w| is_host(w) || w.contains('@'))
        && !r.any("git branch rama branche directory directorio repertoire dossier folder")
    {
        let s = super::intents::sudo(ctx);
        let mut cmds = Vec::new();
        if !s.is_empty() {
            cmds.push(format!("sudo -iu {u}"));
        }
        cmds.push(format!("su - {u}"));
        one(out, "switch-user", "a login shell as another user", &cmds);
        return;
    }
    // "which process has /var/log/app.log open", "what is using /mnt/usb", "qué proceso tiene abierto datos.db"
    if (raw.contains(" open") || raw.contains("abierto") || raw.contains("ouvert") || r.any("using usa utilise"))
        && r.any("process processes program proceso procesos programa processus programme who what which quien quel quelle")
        && let Some(f) = ws.iter().find(|w| is_path(w) || is_file(w))
        && !raw.contains("port")
    {
        let s = super::intents::sudo(ctx);
        let mut cmds = vec![format!("{s}lsof {}", quote(f))];
        if ctx.has_command("fuser") || ctx.path_cmds.is_empty() {
            cmds.push(format!("{s}fuser -v {}", quote(f)));
        }
        one(out, "lsof", "the processes that hold a file open", &cmds);
    }
}

/// More everyday administration said in a few words: a listing by size, a package's version in
/// the archive, a unit enabled and started at once, a server's configuration tested, a
/// process's priority, an account locked, a private key's mode, who wrote each line, the
/// default shell, what kind of command a name is.
fn more_tasks(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 14 {
        return;
    }
    let s = sudo(ctx);
    let folded: Vec<String> = ws.iter().map(|w| fold(w)).collect();
    let after = |list: &str| -> Option<&String> {
        let i = folded.iter().position(|w| listed(list, w))?;
        ws.get(i + 1)
    };
    // "list files sorted by size, biggest first", "liste les fichiers triés par taille"
    if (raw.contains("by size") || raw.contains("por tamano") || raw.contains("par taille"))
        && r.any(
            "list show display sorted sort lista muestra ordena ordenados liste affiche trie tries",
        )
        && !r.any("find recursively recursive subdirectories subfolders tree under top disk")
    {
        let dir = ws.iter().find(|w| is_path(w) && !is_file(w));
        let d = dir.map_or(String::new(), |d| format!(" {}", quote(d)));
        let rev = if r.any("smallest ascending reverse pequeno petit") {
            "r"
        } else {
            ""
        };
        one(
            out,
            "ls-size",
            "files listed by size",
            &[format!("ls -lhS{rev}{d}")],
        );
        return;
    }
    // "which version of postgresql is available in the repos", "quelle version de X est dispo"
    if r.any("version versions")
        && r.any("which what quelle quel quelles cual cuales que show check list muestra affiche")
        && !r.any("git init initialize require requires requiere")
        && (r.any("available repo repos repository repositories archive disponible dispo depots repositorios candidate")
            || raw.contains("can i install"))
        && let Some(p) = after("of de for du del").filter(|p| is_name(p))
    {
        let cmd = match ctx.pm() {
            "dnf" | "yum" => format!("{} info {p}", ctx.pm()),
            "pacman" => format!("pacman -Si {p}"),
            "zypper" => format!("zypper info {p}"),
            _ => format!("apt policy {p}"),
        };
        one(out, "package-version", "the versions of a package in the archive", &[cmd, format!("apt-cache policy {p}")]);
        return;
    }
    // "enable and start redis-server", "habilitar y arrancar nginx de una vez"
    if r.any("enable habilita habilitar active activer")
        && r.any("start arranca arrancar inicia iniciar demarre demarrer lance lancer")
        && let Some(u) = ws.iter().rev().find(|w| {
            is_name(w)
                && (SERVICES.contains(&w.as_str()) || w.ends_with("-server") || w.ends_with('d'))
                && !listed("and y et enabled started", w)
        })
    {
        one(
            out,
            "enable-now",
            "a service enabled and started",
            &[format!("{s}systemctl enable --now {u}")],
        );
        return;
    }
    // "test the nginx config", "check the apache configuration for syntax errors"
    if r.any("test check verify validate teste tester verifie verifier comprueba comprobar prueba")
        && r.any("config configuration conf configuracion syntax sintaxis syntaxe")
    {
        let cmd = if r.any("nginx") {
            Some(format!("{s}nginx -t"))
        } else if r.any("apache apache2 httpd") {
            Some(format!("{s}apache2ctl configtest"))
        } else if r.any("sshd ssh openssh") {
            Some(format!("{s}sshd -t"))
        } else if r.any("haproxy") {
            Some("haproxy -c -f /etc/haproxy/haproxy.cfg".to_string())
        } else {
            None
        };
        if let Some(c) = cmd {
            settled(out, "config-test", "a server's configuration checked", &[c]);
            return;
        }
    }
    // "lower the priority of pid 2200 to niceness 10", "renice process 1234"
    if (r.any("priority prioridad priorite niceness nice renice"))
        && r.any("lower raise change set increase decrease baja bajar sube cambia baisse baisser change changer renice")
        && let Some(pid) = ws.iter().find_map(|w| w.parse::<u32>().ok().filter(|n| *n > 20))
    {
        let n = ws
            .iter()
            .filter_map(|w| w.trim_start_matches('+').parse::<i32>().ok())
            .find(|n| (-20..=19).contains(n))
            .unwrap_or(10);
        one(out, "renice", "a running process's priority", &[format!("{}renice -n {n} -p {pid}", if n < 0 { s } else { "" })]);
        return;
    }
    // "lock the account of user bob", "bloquear la cuenta del usuario bob", "déverrouiller bob"
    let unlock = r.any("unlock desbloquear desbloquea deverrouiller deverrouille");
    if (unlock || r.any("lock bloquear bloquea verrouiller verrouille"))
        && r.any("account user cuenta usuario compte utilisateur")
        && let Some(u) = ws.iter().rev().find(|w| is_name(w) && !listed("account user cuenta usuario compte utilisateur the of de del du la el le l his her su", &fold(w)))
    {
        let (p, m) = if unlock { ("-u", "-U") } else { ("-l", "-L") };
        one(out, "lock-account", "an account locked or unlocked", &[format!("{s}passwd {p} {u}"), format!("{s}usermod {m} {u}")]);
        return;
    }
    // "ssh says my private key permissions are too open, fix ~/.ssh/id_ed25519"
    if (raw.contains("too open")
        || raw.contains("private key")
        || raw.contains("cle privee")
        || raw.contains("clave privada"))
        && r.any("permission permissions permisos fix arregla corrige repare")
        && let Some(k) = ws
            .iter()
            .find(|w| w.contains(".ssh/") || w.starts_with("id_"))
    {
        one(
            out,
            "key-mode",
            "a private key readable by its owner only",
            &[format!("chmod 600 {}", quote(k))],
        );
        return;
    }
    // "who wrote each line of src/app.js", "quién cambió cada línea de app.py"
    if (raw.contains("each line")
        || raw.contains("every line")
        || raw.contains("cada linea")
        || raw.contains("chaque ligne"))
        && r.any("who wrote changed modified quien escribio cambio qui ecrit modifie")
        && let Some(f) = ws.iter().find(|w| is_file(w) || is_path(w))
    {
        one(
            out,
            "git-blame",
            "who last changed each line",
            &[format!("git blame {}", quote(f))],
        );
        return;
    }
    // "make zsh my default shell", "mettre zsh comme shell par défaut", "cambiar mi shell a fish"
    if (raw.contains("default shell") || raw.contains("shell par defaut") || raw.contains("shell por defecto") || raw.contains("login shell") || raw.contains("mi shell") || raw.contains("my shell"))
        && r.any("make set change use switch cambia cambiar pon poner mettre mets change changer utiliser")
        && let Some(sh) = ws.iter().map(|w| fold(w)).find(|w| listed("bash zsh fish dash sh ksh tcsh", w))
    {
        let path = if listed("bash dash sh", &sh) { format!("/bin/{sh}") } else { format!("/usr/bin/{sh}") };
        one(out, "chsh", "the login shell changed", &[format!("chsh -s {path}")]);
        return;
    }
    // "show only line 42 of main.c", "afficher seulement la ligne 42 de main.c"
    if folded.iter().any(|w| listed("line linea ligne", w))
        && !folded.iter().any(|w| listed("lines lineas lignes", w))
        && !r.any("delete remove add insert replace after before from until first last starting start starts since onwards desde partir borra elimina agrega supprime ajoute")
        && r.any("show print display only just get muestra imprime solo solamente affiche afficher seulement montre")
        && let Some(f) = ws.iter().find(|w| is_file(w) || is_path(w) && !w.ends_with('/'))
        && let Some(n) = ws.iter().find_map(|w| w.parse::<u32>().ok())
    {
        one(out, "line", "one line of a file", &[format!("sed -n '{n}p' {}", quote(f)), format!("awk 'NR=={n}' {}", quote(f))]);
        return;
    }
    // "open data.tar.bz2", "how do I open a .zip file? it's called photos.zip"
    if r.any("open abre abrir ouvre ouvrir unpack")
        && let Some(a) = ws.iter().rev().find(|w| {
            let l = w.to_lowercase();
            !l.starts_with('.')
                && [
                    ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".tar",
                    ".zip", ".7z", ".rar",
                ]
                .iter()
                .any(|e| l.ends_with(e))
        })
    {
        let l = a.to_lowercase();
        let q = quote(a);
        let cmd = if l.ends_with(".zip") {
            format!("unzip {q}")
        } else if l.ends_with(".7z") {
            format!("7z x {q}")
        } else if l.ends_with(".rar") {
            format!("unrar x {q}")
        } else if l.ends_with(".bz2") || l.ends_with(".tbz2") {
            format!("tar -xjf {q}")
        } else if l.ends_with(".xz") || l.ends_with(".txz") {
            format!("tar -xJf {q}")
        } else if l.ends_with(".zst") {
            format!("tar --zstd -xf {q}")
        } else if l.ends_with(".tar") {
            format!("tar -xf {q}")
        } else {
            format!("tar -xzf {q}")
        };
        one(out, "extract", "an archive unpacked", &[cmd]);
        return;
    }
    // "is ls an alias or a program?", "¿ls es un alias o un programa?"
    if r.any("alias")
        && r.any("program programa programme builtin binary executable command comando commande function")
        && (raw.contains(" or ") || raw.contains(" o ") || raw.contains(" ou "))
        && let Some(c) = ws.iter().find(|w| is_name(w) && w.len() <= 12 && !listed("is es est an un une alias or o ou a program programa programme builtin binary executable command comando commande function it", &fold(w)))
    {
        one(out, "type", "what kind of command a name is", &[format!("type {c}")]);
    }
}

/// Kernel modules loaded, unloaded, listed; swap; the installed memory; recent logins.
fn modules(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 10 {
        return;
    }
    let s = sudo(ctx);
    const KNOWN: &str = "nvidia nouveau i915 amdgpu radeon kvm kvm_intel kvm_amd overlay loop fuse btrfs zfs ext4 xfs vfat nfs usb_storage uvcvideo snd bluetooth btusb iwlwifi e1000 e1000e virtio wireguard br_netfilter nf_conntrack vboxdrv";
    if r.any("module modules modulo modulos")
        && (r.any("kernel nucleo noyau lsmod modprobe") || ws.iter().any(|w| listed(KNOWN, w)))
        && !r.any("python perl node npm pip go")
    {
        let name = ws
            .iter()
            .find(|w| {
                w.len() >= 2
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && w.chars().any(|c| c == '_' || c.is_ascii_digit())
                    || listed(KNOWN, w)
            })
            .cloned();
        if let Some(m) = name {
            let asks_loaded = raw.contains("loaded")
                || raw.contains("cargado")
                || raw.contains("est charge")
                || raw.contains("running");
            if r.any("unload remove descarga quita decharge retire") {
                one(
                    out,
                    "modprobe-remove",
                    "unload a kernel module",
                    &[format!("{s}modprobe -r {m}")],
                );
            } else if asks_loaded {
                one(
                    out,
                    "module-loaded",
                    "whether a kernel module is loaded",
                    &[format!("lsmod | grep {m}")],
                );
            } else if r.any("load carga charge insert") {
                one(
                    out,
                    "modprobe",
                    "load a kernel module",
                    &[format!("{s}modprobe {m}")],
                );
            } else if r.any("info information about details") {
                one(
                    out,
                    "modinfo",
                    "a kernel module's details",
                    &[format!("modinfo {m}")],
                );
            }
            return;
        }
        if r.any("list show which what lista muestra affiche quels")
            && (raw.contains("loaded") || raw.contains("cargados") || raw.contains("charges"))
        {
            one(out, "lsmod", "the loaded kernel modules", &["lsmod".into()]);
            return;
        }
    }
    // "is swap enabled?", "swap usage"
    if r.any("swap")
        && ws.len() <= 8
        && r.any("enabled active usage used using on status show is how much activo activa uso utilisation est")
        && ws.first().is_none_or(|w| fold(w) != "swap")
        && !r.any("create make add crea crear cree creer file fichero fichier disable off desactiva desactive label area mkswap set")
    {
        one(
            out,
            "swap",
            "the swap in use",
            &["swapon --show".into(), "free -h".into()],
        );
        return;
    }
    // "information about the installed physical memory", "what RAM modules do I have"
    if (raw.contains("physical memory")
        || raw.contains("memoria fisica")
        || raw.contains("memoire physique")
        || raw.contains("ram modules")
        || raw.contains("memory modules")
        || raw.contains("ram slots")
        || raw.contains("memory slots"))
        && !r.any("free usage used uso utilisee libre disponible available hay")
    {
        one(
            out,
            "memory-hardware",
            "the installed memory modules",
            &[format!("{s}dmidecode -t memory"), "lsmem".into()],
        );
        return;
    }
    // "show recent logins", "who logged in recently", "últimos inicios de sesión"
    if (r.any("logins") || raw.contains("logged in") || raw.contains("inicios de sesion") || raw.contains("connexions"))
        && r.any("recent recently last latest history recientes ultimos dernieres recentes historial historique")
    {
        // the last login of each user is lastlog's
        let cmds = if raw.contains("all users") || raw.contains("each user") || raw.contains("every user") || raw.contains("per user") {
            ["lastlog".into(), "last".into()]
        } else {
            ["last".into(), "lastlog".into()]
        };
        one(out, "last", "the recent logins", &cmds);
    }
}

/// One usual command (and its alternatives), settling the request. These rules read the
/// request's arguments, so they rank just above the generic intents (0.95) that match the
/// same words ("busca la palabra pedido en ~/documentos" is a text search, not a file search).
pub(super) fn one(out: &mut Vec<Candidate>, intent: &str, desc: &str, cmds: &[String]) {
    cand(out, intent, 0.96, desc, cmds);
}

/// [`one`] for a rule that has read the whole request: the operation, its object and its
/// arguments. It also ranks above the generic file search a request's words suggest
/// ("search for TODO in all python files" is a text search limited to .py files).
pub(super) fn settled(out: &mut Vec<Candidate>, intent: &str, desc: &str, cmds: &[String]) {
    cand(out, intent, 1.02, desc, cmds);
}

/// The service a request names: a well-known one, or the word next to "service".
fn service(r: &Req, ws: &[String], logs: bool) -> Option<String> {
    // "docker containers", "the mysql database": a thing the service serves, not the service
    // ("reload the nginx configuration" is the service's own reload)
    if r.any("container image volume network compose stack pod table database db user file site host key repository contenedor conteneur imagen imagenes")
        || r.any("config configuration configuracion")
            && !r.any("reload recarga recargar recharge recharger")
    {
        return None;
    }
    let said = r.any("service servicio daemon server servidor serveur unit");
    // a well-known service's name alone, in a short request ("restart nginx", "is cron
    // running?"); ssh is also the protocol ("connect via ssh")
    if let Some(s) = ws
        .iter()
        .map(|w| w.to_lowercase())
        // the names people use for Debian's units
        .map(|w| match w.as_str() {
            "apache" => "apache2".to_string(),
            "postgres" => "postgresql".to_string(),
            _ => w,
        })
        .find(|w| SERVICES.contains(&w.as_str()))
        && (said
            || (ws.len() <= 6 || logs || r.any("boot startup arranque demarrage"))
                && (logs || !matches!(s.as_str(), "ssh" | "sshd")))
    {
        return Some(s);
    }
    // "services", "units": a listing, not one of them
    if !r.any("service servicio daemon unit unidad unite")
        || ws.iter().any(|w| {
            matches!(
                fold(w).as_str(),
                "services" | "servicios" | "units" | "unidades" | "unites" | "daemons"
            )
        })
    {
        return None;
    }
    let i = ws.iter().position(|w| {
        matches!(
            fold(w).as_str(),
            "service" | "services" | "servicio" | "daemon" | "unit" | "unidad" | "unite"
        )
    })?;
    // "the docker service", "el servicio nginx", "service cron"
    [i.checked_sub(1), Some(i + 1)]
        .into_iter()
        .flatten()
        .filter_map(|k| ws.get(k))
        .find(|w| {
            is_name(w)
                && !listed("the le el la of de du del running active failed enabled new my this that systemd transient user system custom specific given a an un une each", w)
        })
        .cloned()
}

/// systemd services and their logs.
fn services(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if !usable(ctx, "systemctl") || ws.len() > 10 {
        return;
    }
    let s = sudo(ctx);
    let logs = r.any("log logs journal registro registros journaux")
        && !raw.contains("log in")
        && !raw.contains("log into")
        && !raw.contains("log on")
        && !raw.contains("login");
    let Some(svc) = service(r, ws, logs) else {
        return;
    };
    // ufw is switched on and off by `ufw enable`/`ufw disable` (the unit only loads its rules)
    if svc == "ufw" && !logs && !r.any("status estado etat running") {
        return;
    }
    // "follow the nginx access log live", "show the last 50 lines of the apache error log":
    // the web servers write their own log files
    let kind = if raw.contains("access log") || raw.contains("access.log") {
        Some("access")
    } else if raw.contains("error log") || raw.contains("error.log") {
        Some("error")
    } else {
        None
    };
    if logs
        && let Some(kind) = kind
        && (svc == "nginx" || svc == "apache2")
    {
        let file = format!("/var/log/{svc}/{kind}.log");
        let n = ws.iter().find_map(|w| w.parse::<u32>().ok());
        let cmd = if r.any("follow live tail watch sigue seguir suivre direct")
            || raw.contains("real time")
        {
            format!("tail -f {file}")
        } else {
            format!("tail -n {} {file}", n.unwrap_or(50))
        };
        one(
            out,
            "web-log",
            "a web server's log file",
            &[format!("{s}{cmd}")],
        );
        return;
    }
    if logs {
        let mut cmd = format!("journalctl -u {svc}");
        if r.any("follow live tail watch sigue seguir suivre direct")
            || raw.contains("real time")
            || raw.contains("en vivo")
            || raw.contains("en direct")
        {
            cmd.push_str(" -f");
        }
        if raw.contains("boot") || raw.contains("arranque") || raw.contains("demarrage") {
            cmd.push_str(" -b");
        }
        if r.any("error errors errores erreurs erreur") {
            cmd.push_str(" -p err");
        }
        if raw.contains("last hour")
            || raw.contains("ultima hora")
            || raw.contains("derniere heure")
        {
            cmd.push_str(" --since '1 hour ago'");
        } else if r.any("today hoy aujourd'hui") || raw.contains("aujourd") {
            cmd.push_str(" --since today");
        }
        one(out, "service-logs", "a service's logs", &[cmd]);
        return;
    }
    let action = [
        ("restart", "restart reinicia reiniciar redemarre redemarrer"),
        ("reload", "reload recarga recargar recharge recharger"),
        // "enable docker so it starts at boot": enabling, whatever verb follows
        (
            "enable",
            "enable habilita habilitar active activer activa activar",
        ),
        (
            "disable",
            "disable deshabilita deshabilitar desactive desactiver desactiva desactivar",
        ),
        ("stop", "stop parar detener deten arrete arreter"),
        (
            "start",
            "start inicia iniciar arranca arrancar demarre demarrer lance",
        ),
    ]
    .into_iter()
    .find(|(_, words)| r.any(words))
    .map(|(a, _)| a);
    if let Some(a) = action {
        let mut cmds = vec![format!("{s}systemctl {a} {svc}")];
        if a == "enable" && raw.contains(" now") {
            cmds.insert(0, format!("{s}systemctl enable --now {svc}"));
        }
        one(
            out,
            "service-action",
            "start, stop or restart a service",
            &cmds,
        );
    } else if r.any("status estado etat statut")
        || ["is ", "esta ", "est-ce ", "check if ", "check whether "]
            .iter()
            .any(|p| raw.starts_with(p))
            && r.any("running active up funciona funcionando corriendo activo marche tourne fonctionne actif")
    {
        one(
            out,
            "service-status",
            "a service's state",
            &[
                format!("systemctl status {svc}"),
                format!("systemctl is-active {svc}"),
            ],
        );
    }
}

/// Processes by name.
fn processes(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    // "top 10 processes by memory usage", "los 5 procesos que más CPU usan"
    let by_mem = r.any("memory ram mem memoria memoire");
    if (by_mem || r.any("cpu processor procesador processeur"))
        && r.any("process processes proceso procesos processus program programs")
        && (r.any("top most highest biggest hungriest heaviest hogs mas plus")
            || raw.contains("by memory")
            || raw.contains("by cpu")
            || raw.contains("sorted by"))
        && !r.any("kill stop terminate limit mata tue arrete")
        && ws.len() <= 10
    {
        let n = ws
            .iter()
            .find_map(|w| number_word(w).filter(|n| (1..=1000).contains(n)))
            .unwrap_or(10);
        let key = if by_mem { "%mem" } else { "%cpu" };
        one(
            out,
            "top-processes",
            "the processes using the most memory or CPU",
            &[
                format!("ps aux --sort=-{key} | head -n {}", n + 1),
                format!("top -b -n 1 -o {key} | head -n {}", n + 7),
            ],
        );
        return;
    }
    if ws.len() > 10 {
        return;
    }
    // "is firefox running?": a program, not a service (those are above)
    let asked = if raw.starts_with("is there a ") || raw.starts_with("is there any ") {
        ws.get(3)
    } else {
        ws.get(1)
    };
    if (raw.starts_with("is ") || raw.starts_with("esta ") || raw.starts_with("est-ce que "))
        && r.any("running corriendo ejecutando ejecucion tourne lance")
        && let Some(p) = asked.filter(|p| is_name(p))
        && !SERVICES.contains(&p.as_str())
        && !listed("it this the there my a", p)
    {
        one(
            out,
            "process-running",
            "whether a program is running",
            &[format!("pgrep -a {p}"), format!("pidof {p}")],
        );
    }
    // "kill all python3 processes", "kill every firefox process"
    if r.any("kill mata matar tue tuer nuke")
        && r.any("all every todos todas tous toutes")
        && let Some(p) = word_after(ws, "named called llamado nomme")
            .or_else(|| word_after(ws, "all every todos todas tous toutes los les"))
        .filter(|p| {
            is_name(p)
                && !listed("process processes procesos processus active running stopped background user users child children zombie jobs tasks task open group groups instances those these them", p)
        })
    {
        let force = if r.any("force forcibly fuerza force nuke") {
            "-9 "
        } else {
            ""
        };
        let mut cmds = vec![format!("pkill {force}{p}")];
        if usable(ctx, "killall") {
            cmds.push(format!("killall {force}{p}"));
        }
        one(out, "kill-all", "stop every process of a program", &cmds);
    }
    // "kill firefox", "tue firefox", "mata chrome": a program by its name
    if (ws.len() == 2 || ws.len() == 3 && ctx.has_command(&ws[ws.len() - 1]))
        && ws
            .first()
            .is_some_and(|w| listed("kill mata matar tue tuer termina terminate", &fold(w)))
        && let Some(p) = ws.last().filter(|p| is_name(p))
        && !listed(
            "it this that all everything process processes daemon window pane instance session server job tab canal",
            p,
        )
    {
        let mut cmds = vec![format!("pkill {p}")];
        if usable(ctx, "killall") {
            cmds.push(format!("killall {p}"));
        }
        one(out, "kill-all", "stop every process of a program", &cmds);
    }
    // "live view of running processes", "monitor processes in real time"
    if (r.any("process processes procesos processus")
        || r.any("cpu memory ram usage memoria memoire"))
        && (raw.contains("live view")
            || raw.contains("view live")
            || raw.contains("live processes")
            || raw.starts_with("monitor ")
            || raw.contains("en vivo")
            || raw.contains("en direct")
            || raw.contains("real time")
            || raw.contains("real-time")
            || raw.contains("tiempo real")
            || raw.contains("temps reel"))
        && !r.any("gpu disk directory folder network file files interface")
    {
        let mut cmds = vec!["top".to_string()];
        if ctx.has_command("htop") {
            cmds.push("htop".into());
        }
        one(out, "top", "processes, live", &cmds);
    }
}

/// Packages by name (this machine's package manager; Debian's `apt`/`dpkg` by default).
fn packages(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 10 {
        return;
    }
    let pm = ctx.pm();
    let apt = !matches!(pm, "dnf" | "yum" | "pacman" | "zypper" | "apk");
    let s = sudo(ctx);
    let other_pm = r.any("pip pip3 npm cargo gem snap flatpak docker conda brew composer go rustup crate gem module extension plugin library libreria bibliotheque modulo");
    if other_pm {
        return;
    }
    // "upgrade all packages", "update everything", "actualiza todos los paquetes"
    if r.any("upgrade update actualiza actualizar mets mettre jour")
        && [
            "all packages",
            "all the packages",
            "all installed packages",
            "every package",
            "my packages",
            "installed packages",
            "everything",
            "all software",
            "todos los paquetes",
            "los paquetes",
            "tous les paquets",
            "les paquets",
            "todo",
            "tout",
        ]
        .iter()
        .any(|p| raw.contains(p))
        && ws.len() <= 6
        && !r.any("list lista liste show which what cual quel")
    {
        let cmds: Vec<String> = match pm {
            "dnf" | "yum" => vec![format!("{s}{pm} upgrade -y")],
            "pacman" => vec![format!("{s}pacman -Syu")],
            "zypper" => vec![format!("{s}zypper update -y")],
            "apk" => vec![format!("{s}apk update && {s}apk upgrade")],
            _ => vec![
                format!("{s}apt update && {s}apt upgrade -y"),
                format!("{s}apt full-upgrade -y"),
            ],
        };
        one(
            out,
            "upgrade-packages",
            "upgrade every installed package",
            &cmds,
        );
        return;
    }
    // "install git", "instalar git" (a tool's name is what is installed, not the tool to run)
    // ("instal" is the usual typo)
    if r.any("install instal instala instalar installer installe")
        && !r.any("installed instalado uninstall how como comment")
        // "installé" folds to the imperative "installe": the verb opens the request
        && (!r.any("installe") || raw.starts_with("installe "))
        && ws.len() <= 4
        && let Some(p) =
            word_after(ws, "install instal instala instalar installer installe").filter(|p| is_name(p))
    {
        let cmd = match pm {
            "dnf" | "yum" => format!("{s}{pm} install -y {p}"),
            "pacman" => format!("{s}pacman -S {p}"),
            "zypper" => format!("{s}zypper install {p}"),
            "apk" => format!("{s}apk add {p}"),
            _ => format!("{s}apt install -y {p}"),
        };
        one(out, "install-package", "install a package", &[cmd]);
        return;
    }
    // "reinstall openssh-server", "reinstalar nginx", "réinstaller curl"
    if r.any("reinstall reinstala reinstalar reinstaller reinstalle")
        && ws.len() <= 5
        && let Some(p) = word_after(ws, "reinstall reinstala reinstalar reinstaller reinstalle")
            .filter(|p| is_name(p))
    {
        let cmd = match pm {
            "dnf" | "yum" => format!("{s}{pm} reinstall -y {p}"),
            "pacman" => format!("{s}pacman -S {p}"),
            "zypper" => format!("{s}zypper install -f {p}"),
            "apk" => format!("{s}apk fix {p}"),
            _ => format!("{s}apt install --reinstall {p}"),
        };
        one(out, "reinstall-package", "reinstall a package", &[cmd]);
        return;
    }
    // "completely remove mysql-server including its config files", "purge nginx"
    let purge = r.any("purge purga purger")
        || r.any("completely completamente completement")
        || raw.contains("config files")
        || raw.contains("configuration files");
    let removing = r.any("remove uninstall purge delete desinstala desinstalar elimina eliminar supprime supprimer desinstalle desinstaller");
    if removing && let Some(p) = removed_package(r, ws, ctx) {
        let cmd = match (pm, purge) {
            ("dnf" | "yum", _) => format!("{s}{pm} remove {p}"),
            ("pacman", true) => format!("{s}pacman -Rns {p}"),
            ("pacman", false) => format!("{s}pacman -R {p}"),
            ("zypper", _) => format!("{s}zypper remove {p}"),
            ("apk", _) => format!("{s}apk del {p}"),
            (_, true) => format!("{s}apt purge {p}"),
            (_, false) => format!("{s}apt remove {p}"),
        };
        one(out, "remove-package", "remove a package", &[cmd]);
        return;
    }
    if !apt {
        return;
    }
    // "clean up packages that are no longer needed", "remove unused packages"
    if ["package", "paquete", "paquet"]
        .iter()
        .any(|p| raw.contains(p))
        && !raw.contains("don't")
        && !raw.contains("do not")
        && (r.any("unused orphan orphaned autoremove")
            || raw.contains("no longer needed")
            || raw.contains("needed anymore")
            || raw.contains("aren't needed")
            || raw.contains("not used")
            || raw.contains("not needed")
            || raw.contains("no longer required")
            || raw.contains("innecesarios")
            || raw.contains("inutiles"))
    {
        one(
            out,
            "autoremove",
            "remove packages nothing needs any more",
            &[format!("{s}apt autoremove")],
        );
        return;
    }
    // "list packages that can be upgraded", "what updates are available"
    if (r.any("upgradable upgradeable actualizables")
        || raw.contains("can be upgraded")
        || raw.contains("can be updated")
        || r.any("update updates upgrades actualizaciones")
            && (raw.contains("available")
                || raw.contains("pending")
                || raw.contains("disponibles")
                || raw.contains("pendientes"))
        || raw.contains("a mettre a jour"))
        && ws.len() <= 9
        && !ws
            .first()
            .is_some_and(|w| listed("update refresh synchronize sync actualiza mets", &fold(w)))
        && r.any("list show which what lista muestra cuales que quels quelles affiche liste are")
        && !r.any("install instala installe search busca cherche")
    {
        one(
            out,
            "upgradable",
            "the packages with a newer version",
            &["apt list --upgradable".into()],
        );
        return;
    }
    // "which files does openssh-server install", "quels fichiers sont installés par le paquet X"
    if r.any("package paquete paquet")
        && r.any("file files archivos ficheros fichiers")
        && r.any("install installed installs instala instalados installe installes contain contains contiene contient")
        && !r.any("remove delete purge uninstall elimina borra desinstala supprime desinstalle")
        && r.any("which what list show quels quelles cuales que lista muestra affiche")
        && let Some(pkg) = word_after(ws, "package paquete paquet")
            .filter(|p| is_name(p) && !listed("installs install installed contains", p))
    {
        one(
            out,
            "package-files",
            "the files a package installed",
            &[format!("dpkg -L {}", quote(&pkg))],
        );
        return;
    }
    // "which package does /usr/bin/convert belong to", "what package owns /etc/nginx"
    if r.any("package paquete paquet")
        && (r.any("belong own owns provide provides pertenece appartient contains")
            || raw.contains("come from")
            || raw.contains("comes from")
            || raw.contains("viene de")
            || raw.contains("vient de")
            || raw.contains("provient"))
        && let Some(f) = ws.iter().find(|w| is_path(w))
    {
        one(
            out,
            "package-of-file",
            "the package a file comes from",
            &[format!("dpkg -S {}", quote(f))],
        );
        return;
    }
    // "is curl installed?"
    if (raw.starts_with("is ") || raw.starts_with("esta ") || raw.starts_with("est-ce que "))
        && r.any("installed instalado installe")
        && let Some(p) = ws.get(1).filter(|p| is_name(p))
    {
        one(
            out,
            "is-installed",
            "whether a package is installed",
            &[format!("dpkg -l {p}"), format!("command -v {p}")],
        );
        return;
    }
    // "show information about the htop package", "details of package nginx"
    if r.any("package paquete paquet")
        && r.any("information info details describe informacion detalles informations details")
        && let Some(p) = package_named(ws)
    {
        one(
            out,
            "package-info",
            "a package's description",
            &[format!("apt show {p}")],
        );
    }
}

/// The package named next to the word "package": "the htop package", "package nginx",
/// "el paquete vim".
fn package_named(ws: &[String]) -> Option<String> {
    const NOT: &str = "a an the this that any some specific given installed new each every my un une le el la del de du mi ce about for of with without from in to and or is info information details version versions name names manager list instalado installe sobre specifique especifico concreto additional more extra detailed full basic all local remote";
    let i = ws
        .iter()
        .position(|w| matches!(fold(w).as_str(), "package" | "paquete" | "paquet"))?;
    let ok = |w: &&String| is_name(w) && !listed(NOT, w);
    ws.get(i + 1)
        .filter(ok)
        .or_else(|| i.checked_sub(1).and_then(|k| ws.get(k)).filter(ok))
        .cloned()
}

/// The package a removal request names: a known service, a program on PATH or a package dpkg
/// knows, never a file or a directory of the current one.
fn removed_package(r: &Req, ws: &[String], ctx: &Context) -> Option<String> {
    let config = r.any("config configuration");
    if ws.len() > 8
        || !config && r.any("file files")
        || r.any("folder directory line lines user container image")
    {
        return None;
    }
    let p = word_after(
        ws,
        "remove uninstall purge delete desinstala desinstalar elimina eliminar supprime supprimer desinstalle desinstaller",
    )?;
    if !is_name(&p) || std::path::Path::new(&ctx.cwd).join(&p).exists() {
        return None;
    }
    if let Some(named) = package_named(ws) {
        return (named == p).then_some(p);
    }
    // a command's name that is also an everyday word ("remove the last commit") is not it
    if super::COMMON_WORDS.contains(&p.as_str()) {
        return None;
    }
    let uninstall = r.any("uninstall desinstala desinstalar desinstalle desinstaller");
    let purge = r.any("purge purga purger completely completamente completement");
    let known = SERVICES.contains(&p.as_str())
        || uninstall && ws.len() <= 3
        || ctx.has_command(&p) && uninstall
        || config && (purge || uninstall)
        || std::path::Path::new(&format!("/var/lib/dpkg/info/{p}.list")).exists()
        || std::path::Path::new(&format!("/var/lib/dpkg/info/{p}:amd64.list")).exists();
    known.then_some(p)
}

/// Directories and archives looked into, sized, removed; links; ownership.
fn files(r: &Req, raw: &str, ws: &[String], out: &mut Vec<Candidate>) {
    if ws.len() > 10 {
        return;
    }
    let dir = ws.iter().find(|w| is_path(w) && !is_file(w)).cloned();
    let archive = ws.iter().find(|w| {
        let l = w.to_lowercase();
        [
            ".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tbz2", ".txz",
        ]
        .iter()
        .any(|e| l.ends_with(e))
    });
    let inside = raw.starts_with("what's in ")
        || raw.starts_with("whats in ")
        || raw.starts_with("what is in ")
        || raw.contains("what's inside")
        || raw.contains("what is inside")
        || raw.contains("contents of")
        || raw.contains("content of")
        || raw.contains("contenido de")
        || raw.contains("contenu de")
        || raw.contains("que hay en")
        || raw.contains("que archivos tiene")
        || raw.contains("que contiene")
        || raw.contains("quels fichiers contient")
        || raw.contains("que contient");
    // "list the contents of release.tar.gz without extracting it", "what's inside bundle.zip"
    if let Some(a) = archive
        && (inside
            || r.any("list lista liste show muestra affiche")
                && r.any("content contents file files contenido contenu"))
        && (!r.any("extract extrae extraire unzip decompress create crea cree")
            || r.any("without sin sans"))
    {
        let l = a.to_lowercase();
        let q = quote(a);
        let cmds = if l.ends_with(".zip") {
            vec![format!("unzip -l {q}"), format!("zipinfo {q}")]
        } else if l.ends_with(".gz") || l.ends_with(".tgz") {
            vec![format!("tar -tzf {q}"), format!("tar -tvzf {q}")]
        } else {
            vec![format!("tar -tf {q}"), format!("tar -tvf {q}")]
        };
        one(out, "archive-contents", "list an archive's files", &cmds);
        return;
    }
    // "show me the contents of /etc/hostname": a file of this machine is read
    if let Some(d) = &dir
        && inside
        && ws.len() <= 7
        && std::path::Path::new(d).is_file()
    {
        one(
            out,
            "cat",
            "a file's contents",
            &[format!("cat {}", quote(d)), format!("less {}", quote(d))],
        );
        return;
    }
    // "what's using all the disk space in /var?", "¿qué ocupa tanto espacio en /home?"
    if let Some(d) = dir.as_ref().filter(|d| d.starts_with(['/', '~', '.']))
        && r.any("using use taking take eating ocupa ocupan prend prennent occupe")
        && r.any("space disk espacio place espace")
    {
        one(
            out,
            "space-hogs",
            "what takes the space in a directory",
            &[format!(
                "du -sh {}/* | sort -rh | head",
                d.trim_end_matches('/')
            )],
        );
        return;
    }
    // "what's in ~/Documents"
    if let Some(d) = &dir
        && inside
        && ws.len() <= 6
    {
        one(
            out,
            "list-dir",
            "a directory's files",
            &[
                format!("ls -l {}", quote(d)),
                format!("ls -la {}", quote(d)),
            ],
        );
        return;
    }
    // "how big is /var/log?", "how much space does ~/Downloads take"
    if let Some(d) = &dir
        && (asks_size(raw)
            || raw.contains("how much space")
            || raw.contains("how much disk")
            || raw.contains("tamano de")
            || raw.contains("combien") && r.any("place espace"))
        && !r.any("file files largest biggest partition disk filesystem")
    {
        one(
            out,
            "dir-size",
            "a directory's total size",
            &[format!("du -sh {}", quote(d))],
        );
        return;
    }
    // "the 10 largest directories in /var"
    if r.any("largest biggest grande grandes gros plus")
        && (r.any("directory directories folder folders directorio directorios carpeta carpetas dossier dossiers repertoire repertoires subdirectories subfolders subcarpetas")
            || raw.contains("sous-dossiers")
            || raw.contains("sous-repertoires"))
        && !r.any("file files archivo archivos fichier fichiers")
    {
        let n = ws.iter().find_map(|w| w.parse::<u32>().ok()).unwrap_or(10);
        let d = dir.clone().unwrap_or_else(|| ".".into());
        one(
            out,
            "largest-dirs",
            "the largest directories",
            &[format!(
                "du -h --max-depth=1 {} | sort -rh | head -n {n}",
                quote(&d)
            )],
        );
        return;
    }
    // "delete the folder old_project and everything in it", "borra la carpeta tmp con todo"
    if (r.any("delete remove borra borrar borro elimina eliminar elimino supprime supprimer efface effacer") && (r.any("everything recursively contents todo contenido tout contenu recursivamente recursivement") || raw.contains("and all")) || r.any("nuke wipe"))
        && r.any("folder directory dir carpeta directorio dossier repertoire")
        && let Some(d) = dir.clone().or_else(|| folder_named(ws))
    {
        one(
            out,
            "delete-tree",
            "remove a directory and what it holds",
            &if r.any("nuke wipe force") {
                [format!("rm -rf {}", quote(&d)), format!("rm -r {}", quote(&d))]
            } else {
                [format!("rm -r {}", quote(&d)), format!("rm -rf {}", quote(&d))]
            },
        );
        return;
    }
    // "create a symlink called latest pointing to /opt/app/releases/v2"
    if (r.any("symlink symlinks")
        || raw.contains("symbolic link")
        || raw.contains("enlace simbolico")
        || raw.contains("lien symbolique"))
        && let Some(target) = ws.iter().find(|w| is_path(w) || is_file(w))
        && let Some(name) =
            word_after(ws, "called named llamado nomme appele").filter(|n| n != target)
    {
        one(
            out,
            "symlink",
            "make a symbolic link",
            &[format!("ln -s {} {}", quote(target), quote(&name))],
        );
        return;
    }
    // "change the owner of /var/www/html to www-data, recursively"
    if r.any("owner ownership propietario proprietaire dueno")
        && r.any("change set cambia cambiar change changer give")
        && let Some(d) = &dir
        && let Some(u) = word_after(ws, "to a para pour en")
            .filter(|u| !is_path(u) && is_name(u) || u.contains(':'))
    {
        let rec = r.any(
            "recursively recursive recursivamente recursivement recursiva everything todo tout",
        );
        let cmd = format!("chown{} {u} {}", if rec { " -R" } else { "" }, quote(d));
        one(out, "chown", "change who owns files", &[cmd]);
    }
}

/// A folder of the home directory named as people do: "my Documents folder", "Downloads"
/// (`~/Documents`, `~/Downloads`), in English, Spanish and French.
fn home_folder(w: &str) -> Option<&'static str> {
    Some(match fold(w).as_str() {
        "documents" | "documentos" => "~/Documents",
        "downloads" | "descargas" | "telechargements" => "~/Downloads",
        "pictures" | "photos" | "imagenes" | "fotos" => "~/Pictures",
        "music" | "musica" | "musique" => "~/Music",
        "videos" => "~/Videos",
        "desktop" | "escritorio" | "bureau" => "~/Desktop",
        _ => return None,
    })
}

/// Where a request points: a path as typed, else a home folder by its name ("my Downloads
/// folder"), else a folder named with the word ("the photos folder").
fn place(ws: &[String]) -> Option<String> {
    ws.iter()
        .find(|w| is_path(w) && !is_file(w))
        .cloned()
        .or_else(|| {
            ws.iter()
                .filter(|w| w.starts_with(|c: char| c.is_uppercase()) || ws.len() <= 6)
                .find_map(|w| home_folder(w))
                .map(str::to_string)
        })
}

/// File kinds named by their extension: "every pdf", "the .jpg files".
const EXTENSIONS: &str = "pdf jpg jpeg png gif svg webp mp3 mp4 mkv avi mov wav flac txt md csv tsv json xml yaml yml html css js ts py rs go c h cpp java sh log conf ini doc docx xls xlsx ppt pptx odt ods zip iso deb";

/// "how big is …", "size of …", "cuánto ocupa …", "taille de …": a size asked for.
fn asks_size(raw: &str) -> bool {
    raw.contains("how big")
        || raw.contains("how large")
        || raw.starts_with("size of ")
        || raw.contains(" size of ")
        || raw.contains("cuanto ocupa")
        || raw.contains("taille de")
}

/// A folder named by a word: "the src folder", "the folder logs", "el directorio datos",
/// "du dossier logs".
pub(super) fn folder_named(ws: &[String]) -> Option<String> {
    const NOT: &str = "the my a an this that el la le les los las mi mon ma un une de del du des \
        tree that which where and with for que qui contains containing in en dans to into a of found \
        current home whole entire same parent root";
    let ok = |w: &&String| {
        w.chars().all(|c| c.is_alphanumeric() || "_-".contains(c)) && !listed(NOT, &fold(w))
    };
    let i = ws.iter().position(|w| {
        listed(
            "folder directory dir carpeta directorio dossier repertoire",
            &fold(w),
        )
    })?;
    ws.get(i + 1)
        .filter(ok)
        .or_else(|| i.checked_sub(1).and_then(|k| ws.get(k)).filter(ok))
        .cloned()
}

/// Files copied, counted, sized, found; folders made; links; execution rights.
fn places(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 14 {
        return;
    }
    let file = ws.iter().find(|w| is_file(w)).cloned();
    // "copy report.pdf into my Documents folder", "copy the whole photos folder to /mnt/backup"
    // ("please copy …": the request is the same)
    let polite = usize::from(
        ws.first()
            .is_some_and(|w| listed("please pls kindly", &fold(w))),
    );
    if ws
        .get(polite)
        .is_some_and(|w| listed("copy copia copiar copie copier cp", &fold(w)))
        && !ws.iter().any(|w| w.contains('@') || is_host(w))
        && !r.any("server serveur servidor host remote remoto distant")
    {
        let to = ws
            .iter()
            .rposition(|w| listed("to into in onto at a en dans vers sur", &fold(w)))
            .and_then(|i| place(&ws[i + 1..]))
            .or_else(|| ws.iter().find(|w| is_path(w) && !is_file(w)).cloned());
        // "copy every pdf under this folder into ~/pdfs": files of one kind, found in a tree
        let kind = ws.iter().find_map(|w| {
            let e = w.strip_prefix("*.").or(w.strip_prefix('.')).unwrap_or(w);
            let e = e
                .strip_suffix('s')
                .filter(|e| listed(EXTENSIONS, e))
                .unwrap_or(e);
            listed(EXTENSIONS, &e.to_lowercase()).then(|| e.to_lowercase())
        });
        if let (Some(e), Some(to)) = (&kind, &to)
            && file.is_none()
        {
            let to = to.trim_end_matches('/');
            let cmd = if r.any("under recursively subfolders subdirectories tree everywhere recursivamente recursivement subcarpetas sous-dossiers") {
                format!("find . -name '*.{e}' -exec cp {{}} {to}/ \\;")
            } else {
                format!("cp *.{e} {to}/")
            };
            one(out, "copy-kind", "copy files of one kind", &[cmd]);
            return;
        }
        let folder_src = word_after(ws, "whole entire").or_else(|| folder_named(ws));
        let src = file
            .clone()
            .map(|f| (f, false))
            .or(folder_src.map(|f| (f, true)));
        if let (Some((src, dir)), Some(to)) = (src, to)
            && src != to
        {
            // "… and keep permissions and timestamps": an archive copy
            let keep = r.any("keep keeping preserve preserving conserva conservando manteniendo conserve conserver gardant garder")
                && r.any("permission permissions timestamps timestamp attributes ownership owner dates permisos fechas droits dates proprietaire");
            let flags = match (keep, dir) {
                (true, _) => "-a ",
                (false, true) => "-r ",
                (false, false) => "",
            };
            one(
                out,
                "copy",
                "copy files",
                &[format!(
                    "cp {flags}{} {}/",
                    quote(&src),
                    to.trim_end_matches('/')
                )],
            );
            return;
        }
    }
    if ws.len() > 12 {
        return;
    }
    // "crée une archive sauvegarde.tar.gz du dossier documents", "comprimir la carpeta fotos en
    // fotos.zip", "zip report.pdf and notes.txt into docs.zip"
    let archive = ws.iter().find(|w| {
        let l = w.to_lowercase();
        [".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz"]
            .iter()
            .any(|e| l.ends_with(e))
    });
    if let Some(a) = archive
        && r.any("create make crea crear cree creer compress comprime comprimir compresse compresser zip archive archiva archiver pack")
        && !r.any("extract extrae extraire unzip decompress descomprime decompresse list contents")
    {
        let sources: Vec<String> = ws
            .iter()
            .filter(|w| *w != a && (is_file(w) || is_path(w)))
            .cloned()
            .collect();
        let sources = if sources.is_empty() {
            folder_named(ws).into_iter().collect()
        } else {
            sources
        };
        if !sources.is_empty() {
            let src: Vec<String> = sources.iter().map(|x| quote(x)).collect();
            let src = src.join(" ");
            let l = a.to_lowercase();
            let cmd = if l.ends_with(".zip") {
                format!("zip -r {} {src}", quote(a))
            } else if l.ends_with(".bz2") {
                format!("tar -cjf {} {src}", quote(a))
            } else if l.ends_with(".xz") {
                format!("tar -cJf {} {src}", quote(a))
            } else if l.ends_with(".tar") {
                format!("tar -cf {} {src}", quote(a))
            } else {
                format!("tar -czf {} {src}", quote(a))
            };
            one(out, "archive", "make an archive", &[cmd]);
            return;
        }
    }
    // "crée un dossier nommé travail", "crea una carpeta llamada fotos", "make a folder called x"
    if r.any("create make crea crear cree creer new nueva nuevo nouveau")
        && r.any("folder directory carpeta directorio dossier repertoire")
        && !r.any("archive archivo file files zip tar")
        && !r.any("temporary temporal temporaire user usuario utilisateur project proyecto projet app application contenedor container immutable home")
        && let Some(name) = word_after(ws, "called named llamado llamada nomme nommee appele")
            .or_else(|| ws.iter().find(|w| is_path(w) && !is_file(w)).cloned())
            .or_else(|| {
                // "create directory backup", "crée un dossier travail": the folder's name
                // ends a short request
                (ws.len() <= 5)
                    .then(|| word_after(ws, "folder directory carpeta directorio dossier repertoire"))
                    .flatten()
                    .filter(|n| ws.last() == Some(n))
            })
            .filter(|n| !listed("in en dans on with con avec for para pour and y et will new nuevo nouveau", &fold(n)))
    {
        let name = place(std::slice::from_ref(&name)).filter(|p| is_path(p)).unwrap_or(name);
        let p = if name.contains('/') || r.any("parent parents padre padres parent") {
            "-p "
        } else {
            ""
        };
        one(out, "mkdir", "make a directory", &[format!("mkdir {p}{}", quote(&name)), format!("mkdir -p {}", quote(&name))]);
        return;
    }
    // "move all the jpg files here into ~/Pictures", "move the .pdf files from Downloads to
    // Documents": one directory's files by their extension, not a tree (that is `find`)
    if ws
        .first()
        .is_some_and(|w| listed("move mv mueve mover deplace deplacer", &fold(w)))
        && !r.any("under recursively subdirectory subdirectories subfolder subfolders tree recursivamente recursivement")
        && let Some(ext) = ws.iter().find_map(|w| {
            let e = w.strip_prefix("*.").or(w.strip_prefix('.')).unwrap_or(w);
            // "the PDFs", "los pdfs": the kind in the plural
            let e = e
                .strip_suffix('s')
                .filter(|x| listed(EXTENSIONS, &x.to_lowercase()))
                .unwrap_or(e);
            let next_is_files = ws
                .iter()
                .position(|x| x == w)
                .and_then(|i| ws.get(i + 1))
                .is_some_and(|n| listed("files file archivos fichiers", &fold(n)));
            // "all the pdf", "todos los pdf", ".jpg", "*.jpg": a kind of file by itself
            let prev_all = ws
                .iter()
                .position(|x| x == w)
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| ws.get(i))
                .is_some_and(|p| listed("all todos todas los las les tous toutes every the", &fold(p)));
            let kind = listed(EXTENSIONS, &e.to_lowercase()) && (prev_all || w.starts_with('.') || w.starts_with("*."));
            ((next_is_files || kind) && (1..=5).contains(&e.len()) && e.chars().all(|c| c.is_ascii_alphanumeric()))
                .then(|| e.to_lowercase())
        })
    {
        let from = ws
            .iter()
            .position(|w| listed("from de depuis desde", &fold(w)))
            .and_then(|i| place(&ws[i + 1..(i + 3).min(ws.len())]));
        let to = ws
            .iter()
            .rposition(|w| listed("to into a en dans vers", &fold(w)))
            .and_then(|i| place(&ws[i + 1..]));
        let here = raw.contains(" here") || raw.contains("this folder") || raw.contains("this directory")
            || raw.contains("current folder") || raw.contains("current directory") || raw.contains("aqui") || raw.contains(" ici");
        if let Some(to) = to
            && (from.is_some() || here)
            && from.as_ref() != Some(&to)
        {
            let src = match &from {
                Some(f) => format!("{}/*.{ext}", f.trim_end_matches('/')),
                None => format!("*.{ext}"),
            };
            one(out, "move-files", "move files by their extension", &[format!("mv {src} {}/", to.trim_end_matches('/'))]);
            return;
        }
    }
    // "show hidden files in the current directory", "list hidden files in ~/src"
    if (r.any("hidden ocultos") || raw.contains("fichiers caches"))
        && !r.any("all todos tous")
        && r.any("show list display muestra lista affiche liste see")
        && !r.any("find search locate busca cherche size larger delete remove count")
        && ws.len() <= 8
    {
        let d = format!(" {}", place(ws).unwrap_or_else(|| ".".into()));
        one(
            out,
            "hidden-files",
            "a directory's files, hidden ones too",
            &[format!("ls -a{d}"), format!("ls -la{d}")],
        );
        return;
    }
    // "only I should be able to read secret.key", "make notes.txt readable only by me",
    // "lock down my ssh private key so only I can read it"
    let private = file.clone().or_else(|| {
        ws.iter()
            .find(|w| w.starts_with('/') || w.starts_with("~/"))
            .cloned()
            .or_else(|| {
                (r.any("ssh") && r.any("key clave cle")).then(|| "~/.ssh/id_rsa".to_string())
            })
    });
    if let Some(f) = &private
        && (raw.contains("only i ")
            || raw.contains("so only i")
            || raw.contains("solo yo")
            || raw.contains("seul moi")
            || raw.contains("que moi")
            || raw.contains("only me")
            || raw.contains("only by me")
            || raw.contains("only the owner")
            || raw.contains("only my user")
            || raw.contains("nobody else"))
        && r.any("read write readable writable access lire leer")
    {
        let mode = if r.any("write writable edit modify") || r.any("access") {
            "600"
        } else {
            "400"
        };
        one(
            out,
            "chmod-private",
            "make a file private",
            &[format!("chmod {mode} {}", quote(f))],
        );
        return;
    }
    // "how many files are in my Downloads folder?"
    if raw.contains("how many files")
        || raw.contains("cuantos archivos")
        || raw.contains("combien de fichiers")
    {
        let here = raw.contains("this directory")
            || raw.contains("this folder")
            || raw.contains(" here")
            || raw.contains("current directory")
            || raw.contains("este directorio")
            || raw.contains("esta carpeta")
            || raw.contains("ce dossier")
            || raw.contains(" ici");
        let deep = r.any("subfolders subdirectories subfolder subdirectory recursively tree subcarpetas sous-dossiers recursivamente recursivement under below beneath")
            || raw.contains("sous-dossiers");
        if let Some(d) = place(ws).or_else(|| here.then(|| ".".to_string())) {
            let cmd = if deep {
                format!("find {d} -type f | wc -l")
            } else {
                format!("ls {d} | wc -l")
            };
            one(out, "count-files", "how many files a directory has", &[cmd]);
            return;
        }
    }
    // "how many csv files are in ~/data?"
    if raw.starts_with("how many ")
        && ws.get(3).is_some_and(|w| listed("files file", w))
        && let Some(ext) = ws
            .get(2)
            .filter(|e| e.len() <= 5 && e.chars().all(|c| c.is_ascii_alphanumeric()))
        && let Some(d) = place(ws)
    {
        let ext = ext.to_lowercase();
        one(
            out,
            "count-files",
            "how many files of a kind a directory has",
            &[format!("ls {}/*.{ext} | wc -l", d.trim_end_matches('/'))],
        );
        return;
    }
    // "where is config.yaml", "where is the python3 binary", "où est rapport.pdf"
    let where_ = [
        "where is ",
        "where's ",
        "wheres ",
        "where did ",
        "donde esta ",
        "ou est ",
        "ou se trouve ",
    ]
    .iter()
    .any(|p| raw.starts_with(p));
    if where_ {
        if let Some(f) = &file {
            let from = if r.any("home casa maison download downloaded saved") || raw.contains("my ")
            {
                "~"
            } else {
                "."
            };
            one(
                out,
                "find-file",
                "find a file by its name",
                &[format!("find {from} -name {}", quote(f))],
            );
            return;
        }
        if let Some(p) = ws.iter().skip(2).find(|w| {
            is_name(w) && ctx.has_command(w) && !listed("the a el la le binary program command", w)
        }) {
            one(
                out,
                "which",
                "where a command is",
                &[format!("which {p}"), format!("command -v {p}")],
            );
            return;
        }
    }
    // "how big is database.sql", "size of backup.tar.gz"
    if let Some(f) = &file
        && asks_size(raw)
        && !r.any("largest biggest directory folder")
    {
        one(
            out,
            "file-size",
            "a file's size",
            &[
                format!("ls -lh {}", quote(f)),
                format!("du -h {}", quote(f)),
            ],
        );
        return;
    }
    // "make a shortcut /usr/local/bin/myapp pointing to /opt/myapp/bin/myapp"
    if r.any("shortcut link acceso raccourci lien")
        && (raw.contains("pointing to")
            || raw.contains("points to")
            || raw.contains("que apunte")
            || raw.contains("vers "))
    {
        let paths: Vec<&String> = ws.iter().filter(|w| is_path(w) || is_file(w)).collect();
        if let [name, target] = paths[..] {
            let pointing = ws
                .iter()
                .position(|w| w == "pointing" || w == "points" || w == "apunte" || w == "vers");
            let t_at = ws.iter().position(|w| w == target);
            // the target is the path after "pointing to"
            let (name, target) = if pointing.is_some_and(|p| t_at.is_some_and(|t| t > p)) {
                (name, target)
            } else {
                (target, name)
            };
            one(
                out,
                "symlink",
                "make a symbolic link",
                &[format!("ln -s {} {}", quote(target), quote(name))],
            );
            return;
        }
    }
    // "dale permisos de ejecución a script.sh", "rends deploy.sh exécutable"
    if let Some(f) = &file
        && (r.any("executable ejecutable executable")
            || raw.contains("ejecucion")
            || raw.contains("execution")
            || raw.contains("execute permission"))
        && !r.any("remove quita retire without sin sans find busca cherche list")
    {
        one(
            out,
            "chmod-x",
            "make a file executable",
            &[format!("chmod +x {}", quote(f))],
        );
        return;
    }
    // "cuenta las líneas de ventas.csv", "compte les lignes de data.txt", "count lines in a.txt"
    if let Some(f) = &file
        && r.any("count cuenta contar compte compter many cuantas combien")
        && r.any("line lines linea lineas ligne lignes")
        && !r.any("match matching contain containing word palabra mot each cada chaque unique")
        && ws.len() <= 7
    {
        one(
            out,
            "count-lines",
            "count a file's lines",
            &[format!("wc -l {}", quote(f))],
        );
    }
}

/// Power, boot and the system itself: sleep, reboot, what slows the boot, errors since boot,
/// the distribution's version, how long it has been up, user removal, a quick web server.
fn power(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 12 {
        return;
    }
    let s = sudo(ctx);
    let machine = r.any("computer laptop machine pc system server ordenador equipo portatil sistema ordinateur portable systeme serveur box");
    // "put the laptop to sleep", "suspend the computer"
    if (r.any("suspend suspende suspendre hibernate hiberna hiberner")
        || raw.contains("to sleep")
        || raw.contains("en veille"))
        && (machine || ws.len() <= 3)
        && !r.any("virtual vm domain guest invitado by instance maquina")
    {
        let what = if r.any("hibernate hiberna hiberner") {
            "hibernate"
        } else {
            "suspend"
        };
        one(
            out,
            "suspend",
            "suspend the machine",
            &[format!("systemctl {what}")],
        );
        return;
    }
    // "redémarre l'ordinateur", "reinicia el equipo", "reboot the server now"
    if r.any("reboot restart reinicia reiniciar redemarre redemarrer")
        && (machine && (ws.len() <= 4 || in_minutes(ws).is_some()) || ws.len() == 1)
        && !r.any("service servicio network apache nginx docker at las every cada running")
        && !raw.contains(" a las ")
    {
        let cmds = match in_minutes(ws) {
            Some(n) => vec![format!("{s}shutdown -r +{n}")],
            None => vec![format!("{s}reboot"), format!("{s}systemctl reboot")],
        };
        one(out, "reboot", "restart the machine", &cmds);
        return;
    }
    // "what's slowing down my boot?", "why does boot take so long"
    if r.any("boot arranque demarrage")
        && (r.any("slow slowing slower long lento lenta lent lente") || raw.contains("takes so"))
    {
        one(
            out,
            "boot-time",
            "what the boot spends its time on",
            &["systemd-analyze blame".into(), "systemd-analyze".into()],
        );
        return;
    }
    // "show errors since the last boot", "erreurs depuis le démarrage"
    if r.any("error errors errores erreur erreurs")
        && (r.any("boot arranque demarrage")
            || r.any("journal log logs registro journaux")
                && r.any("since today yesterday desde hoy ayer depuis hier"))
        && !r.any("service servicio apache2 nginx file files")
    {
        let cmd = if r.any("yesterday ayer hier") {
            "journalctl -p err --since yesterday"
        } else if r.any("today hoy") || raw.contains("aujourd") {
            "journalctl -p err --since today"
        } else {
            "journalctl -b -p err"
        };
        one(out, "boot-errors", "errors in the journal", &[cmd.into()]);
        return;
    }
    // "which version of Debian is this?", "quelle version de Debian j'ai ?"
    if r.any("debian ubuntu distro distribution distribucion os")
        && r.any("version release version")
        && r.any("which what show display print check cual que quelle quel affiche muestra version")
        && !r.any("create build install stable kernel nucleo noyau package paquete paquet upgrade update install")
    {
        let mut cmds = vec!["cat /etc/os-release".to_string()];
        if ctx.has_command("lsb_release") {
            cmds.push("lsb_release -a".into());
        }
        one(out, "os-release", "the distribution and its version", &cmds);
        return;
    }
    // "how long has the machine been up", "depuis combien de temps la machine est allumée"
    if raw.contains("how long")
        && (r.any("up running on") || machine)
        && !r.any("boot take command process file")
        || raw.contains("combien de temps") && r.any("allumee allume demarree marche")
        || raw.contains("cuanto tiempo") && r.any("encendido encendida lleva")
    {
        one(
            out,
            "uptime",
            "how long the machine has been up",
            &["uptime".into(), "uptime -p".into()],
        );
        return;
    }
    // "start a quick web server in this folder on port 8000"
    if (raw.contains("web server")
        || raw.contains("http server")
        || raw.contains("servidor web")
        || raw.contains("serveur web")
        || r.any("share comparte partage") && raw.contains("over http"))
        && r.any(
            "start quick serve run launch simple inicia lanza lance demarre share comparte partage",
        )
        && (r.any("quick simple python rapido rapide")
            || raw.contains("this folder")
            || raw.contains("this directory")
            || raw.contains("esta carpeta")
            || raw.contains("ce dossier"))
        && !r.any("nginx apache apache2 restart stop status install")
    {
        let port = ws
            .iter()
            .find_map(|w| w.parse::<u16>().ok())
            .unwrap_or(8000);
        one(
            out,
            "http-server",
            "serve this directory over HTTP",
            &[format!("python3 -m http.server {port}")],
        );
        return;
    }
    // "delete user olduser and their home directory", "supprime l'utilisateur bob"
    if r.any("delete remove borra elimina supprime supprimer")
        && r.any("user usuario utilisateur account cuenta compte")
        && !r.any("group grupo groupe file files process package paquete paquet list lista liste")
        && let Some(u) = word_after(ws, "user usuario utilisateur account cuenta compte")
            .filter(|u| is_name(u) || u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .filter(|u| {
                !listed(
                    "and y et with con avec from de del la el le in en or o ou along pool group mapping credentials account accounts profile session data existing existente actual specific",
                    u,
                )
            })
    {
        let home = r.any("home directory folder personal personnel casa");
        let cmd = if ctx.has_command("deluser") || ctx.path_cmds.is_empty() {
            format!("{s}deluser {}{u}", if home { "--remove-home " } else { "" })
        } else {
            format!("{s}userdel {}{u}", if home { "-r " } else { "" })
        };
        one(out, "userdel", "remove a user", &[cmd]);
    }
}

/// "in 5 minutes", "dans 10 minutes", "en 5 minutos": N.
fn in_minutes(ws: &[String]) -> Option<u32> {
    ws.windows(3).find_map(|w| {
        (listed("in dans en within", &fold(&w[0]))
            && listed("minutes minute minutos minuto min mins", &fold(&w[2])))
        .then(|| w[1].parse().ok())
        .flatten()
    })
}

/// Printers, removable drives, sensors, SSH keys, failed services, free space said in Spanish
/// and French, processes by id.
fn devices(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    if ws.len() > 12 {
        return;
    }
    let s = sudo(ctx);
    let file = ws.iter().find(|w| is_file(w));
    // "print report.pdf", "imprime factura.pdf", "print two copies of letter.pdf on HP_Office"
    let printer = r.any("printer impresora imprimante");
    if let Some(f) = file
        && (ws
            .first()
            .is_some_and(|w| listed("print imprime imprimir imprimer", &fold(w)))
            && f.rsplit('.')
                .next()
                .is_some_and(|e| listed("pdf ps doc docx odt rtf", &e.to_lowercase()))
            || printer && r.any("print imprime imprimir imprimer send envia envoie"))
    {
        let mut cmd = "lp".to_string();
        if let Some(p) = word_after(ws, "called named llamada nommee")
            .or_else(|| word_after(ws, "printer impresora imprimante"))
            .filter(|p| !is_file(p) && !listed("on en sur with con avec", p))
        {
            cmd.push_str(&format!(" -d {}", quote(&p)));
        }
        let copies = ws.windows(2).find_map(|w| {
            listed("copies copy copias copia exemplaires", &fold(&w[1]))
                .then(|| number_word(&w[0]))
                .flatten()
        });
        if let Some(n) = copies.filter(|n| *n > 1) {
            cmd.push_str(&format!(" -n {n}"));
        }
        one(
            out,
            "print",
            "print a document",
            &[format!("{cmd} {}", quote(f))],
        );
        return;
    }
    if printer
        && r.any("which list show what cuales lista muestra quelles liste affiche")
        && !r.any("job jobs queue")
    {
        one(
            out,
            "printers",
            "the printers set up",
            &["lpstat -p".into(), "lpstat -a".into()],
        );
        return;
    }
    if r.any("print printer impresion impression")
        && r.any("job jobs trabajos travaux queue")
        && r.any("cancel cancela annule annuler clear remove")
    {
        one(
            out,
            "cancel-print",
            "cancel print jobs",
            &["cancel -a".into()],
        );
        return;
    }
    // "unmount the usb drive /dev/sdb1", "eject /media/anna/KINGSTON"
    if r.any("unmount umount desmonta desmontar demonte demonter eject expulsa ejecte")
        && let Some(d) = ws.iter().find(|w| is_path(w))
    {
        one(
            out,
            "umount",
            "unmount a file system",
            &[format!("{s}umount {}", quote(d))],
        );
        return;
    }
    // "how hot is my CPU", "¿qué temperatura tiene el procesador?"
    if r.any("temperature temperatures temperatura temperaturas hot")
        && r.any("cpu processor procesador processeur core cores system sistema machine laptop gpu")
    {
        one(out, "sensors", "hardware temperatures", &["sensors".into()]);
        return;
    }
    // "generate an ssh key", "génère une clé ssh"
    if r.any("ssh")
        && r.any("key keys clave llave cle")
        && r.any("generate create make new genera generar crea crear genere generer cree creer")
        && !r.any("host copy upload send copia copie")
    {
        one(
            out,
            "ssh-keygen",
            "make an SSH key pair",
            &["ssh-keygen -t ed25519".into()],
        );
        return;
    }
    // "which services failed?", "quels services ont échoué ?"
    if r.any("service services servicio servicios unit units")
        && r.any("failed failing fallido fallidos fallaron fallado echoue echec crashed")
        && ws.len() <= 7
    {
        one(
            out,
            "failed-units",
            "the units that failed",
            &["systemctl --failed".into()],
        );
        return;
    }
    // "combien de place reste-t-il sur le disque ?", "¿cuánto espacio queda en el disco?"
    if r.any("disque disco disk")
        && r.any("place espace espacio space")
        && (r.any("reste libre queda left free disponible available quedan restant")
            || raw.contains("reste"))
        && ws.len() <= 9
    {
        one(
            out,
            "disk-free",
            "free space on the file systems",
            &["df -h".into()],
        );
        return;
    }
    // "kill 2875", "tue le processus 2875", "mata el proceso 4242"
    if ws
        .first()
        .is_some_and(|w| listed("kill mata matar tue tuer termina terminate", &fold(w)))
        && ws.len() <= 4
        && let Some(pid) = ws.last().filter(|p| p.parse::<u32>().is_ok())
    {
        one(
            out,
            "kill-pid",
            "stop a process by its id",
            &[format!("kill {pid}"), format!("kill -9 {pid}")],
        );
        return;
    }
    // "what's the pid of postgres?"
    if (raw.contains("pid of") || raw.contains("process id of") || raw.contains("pid de"))
        && ws.len() <= 7
        && let Some(p) = word_after(ws, "of de du").filter(|p| ws.last() == Some(p) && is_name(p))
    {
        one(
            out,
            "pid",
            "a program's process ids",
            &[format!("pgrep -a {p}"), format!("pidof {p}")],
        );
    }
}

/// "two", "3", "dos", "trois": a small count.
pub(super) fn number_word(w: &str) -> Option<u32> {
    w.parse().ok().or_else(|| {
        let f = fold(w);
        let k = [
            "zero one two three four five six seven eight nine ten",
            "cero uno dos tres cuatro cinco seis siete ocho nueve diez",
            "zero un deux trois quatre cinq six sept huit neuf dix",
        ]
        .iter()
        .find_map(|l| l.split_whitespace().position(|x| x == f))?;
        Some(k as u32)
    })
}

/// The column an ordinal names: "the third column", "3rd column", "column 3", "la tercera
/// columna", "la colonne 2".
pub(super) fn column_number(ws: &[String]) -> Option<u32> {
    const ORD: [&str; 3] = [
        "zeroth first second third fourth fifth sixth seventh eighth ninth tenth",
        "cero primera segunda tercera cuarta quinta sexta septima octava novena decima",
        "zero premiere deuxieme troisieme quatrieme cinquieme sixieme septieme huitieme neuvieme dixieme",
    ];
    let i = ws
        .iter()
        .position(|w| listed("column col columna colonne field campo champ", &fold(w)))?;
    let ord = |w: &String| -> Option<u32> {
        let f = fold(w);
        if let Some(k) = ORD
            .iter()
            .find_map(|l| l.split_whitespace().position(|x| x == f))
        {
            return Some(k as u32);
        }
        let digits = f.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        let suffix = &f[digits.len()..];
        (listed("st nd rd th e eme er", suffix))
            .then(|| digits.parse().ok())
            .flatten()
    };
    i.checked_sub(1)
        .and_then(|k| ws.get(k))
        .and_then(ord)
        .or_else(|| ws.get(i + 1).and_then(|w| w.parse().ok()))
        .or_else(|| ws.get(i + 1).and_then(ord))
        .filter(|n| *n > 0)
}

/// Columns and rows of a data file: "print just the third column of data.csv", "the first
/// 10 rows of customers.csv", "count how often each value appears in column 2 of orders.csv".
fn columns(r: &Req, raw: &str, ws: &[String], out: &mut Vec<Candidate>) {
    if ws.len() > 14 {
        return;
    }
    let Some(f) = ws.iter().find(|w| is_file(w) && !w.contains(['*', '?'])) else {
        return;
    };
    let ext = f.rsplit('.').next().unwrap_or("").to_lowercase();
    let q = quote(f);
    if let Some(n) = column_number(ws) {
        let cut = match ext.as_str() {
            "csv" => format!("cut -d, -f{n} {q}"),
            "tsv" => format!("cut -f{n} {q}"),
            _ => format!("awk '{{print ${n}}}' {q}"),
        };
        if r.any("count often times frequency frequent cuenta veces compte fois")
            && r.any("each every value values cada chaque valeur valor")
        {
            one(out, "count-values", "how often each value of a column occurs", &[format!("{cut} | sort | uniq -c | sort -nr")]);
        } else if r.any("show print display get extract only just muestra imprime extrae affiche montre extrais")
            && !r.any("where sum total average suma somme moyenne sort")
        {
            one(out, "column", "one column of a file", &[cut]);
        }
        return;
    }
    // "show the first 10 rows of customers.csv"
    if r.any("row rows fila filas")
        && let Some(n) = ws.iter().find_map(|w| w.parse::<u32>().ok())
        && !raw.contains("where")
    {
        let cmd = if r.any("last ultimas ultimos dernieres derniers") {
            format!("tail -n {n} {q}")
        } else if r.any("first primeras primeros premieres premiers top") {
            format!("head -n {n} {q}")
        } else {
            return;
        };
        one(out, "rows", "the first or last rows of a file", &[cmd]);
    }
}

/// Text files: sorted, de-duplicated, counted, searched.
fn text(r: &Req, req: &str, raw: &str, ws: &[String], out: &mut Vec<Candidate>) {
    if ws.len() > 14 {
        return;
    }
    let file = ws
        .iter()
        .find(|w| is_file(w) && !is_path(w) || is_path(w) && is_file(w))
        .cloned();
    let dir = ws.iter().find(|w| is_path(w) && !is_file(w)).cloned();
    if let Some(f) = &file {
        let f = quote(f);
        // "count how many times each line appears in ips.txt, most frequent first"
        if (raw.contains("each line")
            || raw.contains("every line")
            || raw.contains("cada linea")
            || raw.contains("chaque ligne"))
            && r.any("count times often frequent cuenta veces compte fois")
        {
            one(
                out,
                "count-each",
                "how often each line occurs",
                &[format!("sort {f} | uniq -c | sort -nr")],
            );
            return;
        }
        if ws.len() > 8 {
            return;
        }
        // "remove duplicate lines from list.txt"
        if r.any("duplicate duplicated duplicates duplicado duplicados doublon doublons repeated") && r.any("line lines linea lineas ligne lignes")
            && r.any("remove delete without drop elimina eliminar quita quitar sin supprime supprimer sans")
        {
            one(
                out,
                "dedupe-lines",
                "the lines without duplicates",
                &[format!("sort -u {f}"), format!("sort {f} | uniq")],
            );
            return;
        }
        // "sort names.txt alphabetically"
        if r.any("sort ordena ordenar trie trier")
            && !r.any("size date time column field directory files")
        {
            let mut f2 = String::new();
            if r.any("numerically numeric number numbers numericamente numeriquement") {
                f2.push_str("-n ");
            }
            if r.any("reverse descending inversa inverse descendente decroissant") {
                f2.push_str("-r ");
            }
            one(
                out,
                "sort",
                "sort a file's lines",
                &[format!("sort {f2}{f}")],
            );
            return;
        }
    }
    // grep: "search for the word error in all files under /var/log", "buscar la palabra
    // password en config.php", "which files in ~/src mention TODO?"
    let searching =
        r.any("search grep look find busca buscar cherche chercher recherche rechercher");
    let mention = r.any(
        "mention mentions contain contains containing contiene contienen contient contiennent",
    );
    // a marker written in capitals: "find every TODO in src", "busca FIXME en lib"
    let marker = ws
        .iter()
        .find(|w| {
            (3..=10).contains(&w.len())
                && w.chars().all(|c| c.is_ascii_uppercase())
                && !listed(
                    "PDF JSON CSV XML HTML YAML SQL PNG JPG GIF MP3 MP4 USB DNS IP SSH HTTP HTTPS URL API CPU RAM GPU SSD HDD",
                    w,
                )
        })
        .cloned();
    let word = super::tools::quoted_text(req)
        .or_else(|| {
            word_after(ws, "word palabra mot string text texto texte cadena chaine mention mentions contain contains containing")
        })
        .or(marker.clone());
    // "case-insensitive search for timeout in /etc/nginx/nginx.conf": text searched in a
    // named file (not a file search: the file is given)
    let in_file = ws
        .iter()
        .any(|w| is_file(w) || is_path(w) && std::path::Path::new(w).is_file());
    // "grep for foo in src": grep named, the text is what it is run for
    let grep_for = r.any("grep") && ws.len() <= 10;
    let word = word.or_else(|| {
        (in_file || grep_for)
            .then(|| word_after(ws, "for"))
            .flatten()
            .filter(|w| !is_file(w) && !is_path(w) && ws.len() <= 10)
    });
    let named_word = r.any("word palabra mot string text texto texte cadena chaine")
        // "cherche "mot de passe" dans config.ini": quoted text in a named file
        || super::tools::quoted_text(req).is_some()
            && ws.iter().any(|w| is_file(w))
            && !ws.iter().any(|w| listed("files archivos fichiers directories", &fold(w)))
        || marker.is_some()
        || (in_file || grep_for) && raw.contains(" for ");
    if (searching && named_word || mention && r.any("file files archivo archivos fichier fichiers"))
        && let Some(w) =
            word.filter(|w| !is_path(w) && !is_file(w) && !listed("in en dans the files file", w))
    {
        let mut flags = String::new();
        if r.any("case insensitive mayusculas casse") || raw.contains("insensitive") {
            flags.push('i');
        }
        if raw.contains("line number")
            || raw.contains("numeros de linea")
            || raw.contains("numeros de ligne")
        {
            flags.push('n');
        }
        let names_only = raw.contains("file names")
            || raw.contains("filenames")
            || raw.contains("only the names")
            || raw.contains("just the names")
            || raw.starts_with("which files")
            || raw.starts_with("what files")
            || raw.starts_with("que archivos")
            || raw.starts_with("quels fichiers");
        let target = match (&file, &dir) {
            (Some(f), _) => Some((quote(f), false)),
            (None, Some(d)) => Some((quote(d), true)),
            (None, None) => {
                // "in the logs folder", "dans tous les fichiers du dossier logs", "under src"
                folder_named(ws)
                    .or_else(|| bare_folder(ws))
                    .map(|d| (quote(&d), true))
            }
        };
        if let Some((t, rec)) = target {
            if rec {
                flags.insert(0, 'r');
            }
            if names_only {
                flags.push('l');
            }
            let f = if flags.is_empty() {
                String::new()
            } else {
                format!("-{flags} ")
            };
            let pat = quote(&w);
            // a word said to be one, searched in a path: settled, whatever "all the files"
            // suggests ("busca la palabra timeout en todos los archivos de /etc/nginx")
            let sure = r.any("word palabra mot")
                && t.starts_with('/')
                && !r.any("name names named nombre nom");
            let rule = if sure { settled } else { one };
            rule(
                out,
                "grep",
                "search text in files",
                &[format!("grep {f}{pat} {t}")],
            );
        }
    }
}

/// A folder named by a bare word after "in"/"under" ("grep for TODO in all files under src"):
/// a short lower-case name, not a word of the request's own prose.
fn bare_folder(ws: &[String]) -> Option<String> {
    let i = ws
        .iter()
        .rposition(|w| listed("in under inside within en dans sous", &fold(w)))?;
    let d = ws.get(i + 1)?;
    let prose = "all the files file here this that current directory folder dir it them my your these those path paths name names their its his her filename filenames todos todo los las tous les tout fichiers archivos carpeta dossier repertoire le la el system sistema systeme home";
    (is_name(d) && !listed(prose, &fold(d)) && !is_host(d) && !is_file(d) && d.len() <= 20)
        .then(|| d.clone())
}

/// Environment variables: shown, set, added to, removed.
fn environment(r: &Req, raw: &str, ws: &[String], out: &mut Vec<Candidate>) {
    if ws.len() > 10 {
        return;
    }
    // a variable's name as typed: upper case letters, digits and `_` (`PATH`, `JAVA_HOME`),
    // or the lower case proxy variables
    let var = ws.iter().find(|w| {
        w.len() >= 2
            && (w
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && w.starts_with(|c: char| c.is_ascii_uppercase())
                && !listed("I OS CPU RAM DNS IP USB SSH UTC TODO", w)
                || w.ends_with("_proxy"))
    });
    let Some(v) = var else { return };
    // an upper case word is a variable when the request says so or it is a usual one
    // ("the ARP table", "an S3 bucket" are not)
    const USUAL: &str = "PATH HOME EDITOR VISUAL PAGER LANG LANGUAGE SHELL USER TERM PS1 TZ DISPLAY HOSTNAME PWD OLDPWD LD_LIBRARY_PATH MANPATH";
    // "the EDITOR variable", "variable LANG", "env var FOO": said next to the name
    let said = ws.iter().position(|w| w == v).is_some_and(|i| {
        [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|k| ws.get(k))
            .any(|w| matches!(fold(w).as_str(), "variable" | "var" | "env"))
    });
    let usual = listed(USUAL, v)
        || v.starts_with("LC_")
        || v.ends_with("_HOME")
        || v.ends_with("_PATH")
        || v.ends_with("_proxy")
        || v.ends_with("_PROXY");
    if !(said || usual) {
        return;
    }
    // "add /opt/tools/bin to my PATH"
    if v == "PATH"
        && r.any("add append prepend agrega agregar anade anadir ajoute ajouter")
        && let Some(d) = ws.iter().find(|w| is_path(w))
    {
        let line = if r.any("prepend front beginning first") {
            format!("export PATH=\"{d}:$PATH\"")
        } else {
            format!("export PATH=\"$PATH:{d}\"")
        };
        let cmds = if r.any("permanently permanent permanente permanentemente definitivement") {
            vec![format!("echo '{line}' >> ~/.bashrc")]
        } else {
            vec![line]
        };
        one(out, "path-add", "add a directory to PATH", &cmds);
        return;
    }
    // "unset the http_proxy variable"
    if r.any("unset remove delete clear elimina borra supprime supprimer quita enleve")
        && (r.any("variable var unset") || v.ends_with("_proxy"))
    {
        one(out, "unset", "remove a variable", &[format!("unset {v}")]);
        return;
    }
    // "set EDITOR to vim", "définir la variable LANG à fr_FR.UTF-8"
    if r.any("set export define define definir establece establecer pon poner fixe fixer change")
        && let Some(val) = ws
            .iter()
            .skip_while(|w| *w != v)
            .skip(1)
            .find(|w| !listed("to a = à en as como comme sur", w))
    {
        let line = format!("export {v}={}", quote(val));
        let cmds =
            if r.any("permanently permanent permanente permanentemente definitivement always") {
                vec![format!("echo '{line}' >> ~/.bashrc")]
            } else {
                vec![line]
            };
        one(out, "export", "set an environment variable", &cmds);
        return;
    }
    // "what's my PATH", "show JAVA_HOME"
    if (r.any("show print display what whats value muestra cual affiche quelle")
        || raw.starts_with("what"))
        && ws.len() <= 6
    {
        one(
            out,
            "echo-var",
            "a variable's value",
            &[format!("echo \"${v}\"")],
        );
    }
}

/// The time, users and groups, cron jobs, disks, CPU cores, DNS, copies to another host,
/// a reboot at a given time.
fn system(r: &Req, raw: &str, ws: &[String], ctx: &Context, out: &mut Vec<Candidate>) {
    let folded: Vec<String> = ws.iter().map(|w| fold(w)).collect();
    if ws.len() > 12 {
        return;
    }
    let s = sudo(ctx);
    let t = raw.trim_end_matches(['?', '.', '!', ' ']);
    // "who is logged in right now?", "qui est connecté sur la machine ?"
    if (raw.contains("who is logged in")
        || raw.contains("who's logged in")
        || raw.contains("who is logged on")
        || raw.contains("who is connected")
        || raw.contains("qui est connecte")
        || raw.contains("quien esta conectado")
        || raw.contains("quien ha iniciado sesion"))
        && !r.any("recent recently last history ultimos derniers")
    {
        one(out, "who", "who is logged in", &["who".into(), "w".into()]);
        return;
    }
    // "¿qué puertos están escuchando?", "which ports are open on this machine": every
    // listening socket
    if ws.iter().any(|w| listed("ports puertos", &fold(w)))
        && (r.any("listening open escuchando abiertos ouverts ecoute listen")
            || raw.contains("en ecoute"))
        && r.any("which what show list display muestra lista que cuales quels affiche liste are")
        && !r.any("scan escanea scanne serial host remote specific custom start")
        && !ws.iter().any(|w| w.parse::<u16>().is_ok())
        && !r.any("firewall ufw iptables cortafuegos pare-feu close cierra ferme remote")
        && ws.len() <= 9
    {
        one(
            out,
            "listening-ports",
            "the listening ports and their programs",
            &[format!("{s}ss -tulpn"), format!("{s}lsof -i -P -n")],
        );
        return;
    }
    // "what's this machine's name?", "¿cuál es el nombre de esta máquina?"
    if (raw.contains("hostname") && ws.len() <= 6 && r.any("what which show print display get tell my this cual quel muestra affiche")
        || raw.contains("name of this machine")
        || raw.contains("name of this computer")
        || raw.contains("machine's name")
        || raw.contains("computer's name")
        || raw.contains("nombre de esta maquina")
        || raw.contains("nombre del equipo")
        || raw.contains("nombre de la maquina")
        || raw.contains("nom de cette machine")
        || raw.contains("nom de la machine")
        || raw.contains("nom de l'ordinateur"))
        && !r.any("set change rename cambia cambiar change changer define resolve resolving start give container ip addresses certificate")
    {
        one(
            out,
            "hostname",
            "this machine's name",
            &["hostname".into(), "hostnamectl".into()],
        );
        return;
    }
    if [
        "what time is it",
        "what's the time",
        "whats the time",
        "what is the time",
        "current time",
        "the time",
        "time now",
        "que hora es",
        "quelle heure est-il",
        "quelle heure il est",
        "il est quelle heure",
    ]
    .iter()
    .any(|p| t.ends_with(p))
        && ws.len() <= 6
    {
        one(out, "date", "the date and time", &["date".into()]);
        return;
    }
    if (raw.contains("which groups")
        || raw.contains("what groups")
        || raw.contains("my groups")
        || raw.contains("mis grupos")
        || raw.contains("que grupos")
        || raw.contains("cuales grupos")
        || raw.contains("mes groupes")
        || raw.contains("quels groupes")
        || raw.contains("les groupes de")
        || raw.contains("los grupos de")
        || raw.contains("groups of"))
        && ws.len() <= 8
    {
        // "what groups is alice in", "¿en qué grupos está ana?"
        let user = folded
            .iter()
            .position(|w| listed("is esta est", w))
            .and_then(|i| ws.get(i + 1))
            .or_else(|| ws.last())
            .filter(|u| {
                is_name(u)
                    && !listed(
                        "in en dans groups grupos groupes estoy suis am i user users",
                        &fold(u),
                    )
            });
        let cmds = match user {
            Some(u) => vec![format!("groups {u}"), format!("id {u}")],
            None => vec!["groups".into(), "id".into()],
        };
        one(out, "groups", "the groups a user is in", &cmds);
        return;
    }
    if only_words(
        raw,
        "list show display all the user users account accounts on this system machine computer server local every of lista muestra todos los usuarios cuentas de del sistema liste affiche tous les utilisateurs comptes du systeme la machine",
    ) && r.any("user usuarios utilisateurs account cuentas comptes")
        && r.any("list all show display lista todos muestra liste tous affiche")
    {
        one(
            out,
            "list-users",
            "the user accounts",
            &["cut -d: -f1 /etc/passwd".into(), "getent passwd".into()],
        );
        return;
    }
    if r.any("cron crontab")
        && r.any("list show my lista muestra mis ver liste mes affiche")
        && !r.any("add every edit remove delete agrega ajoute")
    {
        one(
            out,
            "crontab-list",
            "your cron jobs",
            &["crontab -l".into()],
        );
        return;
    }
    if only_words(
        raw,
        "show list display my all the disks disk partitions and drives of this machine system current available block devices what which are there mis discos particiones y muestra lista todos los las mes disques et affiche liste les tous ver que tengo hay quels sont j'ai ai",
    ) && [
        "partitions",
        "particiones",
        "disks",
        "discos",
        "disques",
        "drives",
    ]
    .iter()
    .any(|p| raw.contains(p))
        && r.any(
            "show list my all muestra lista mis liste mes affiche what which que quels tengo ai",
        )
        && !r.any("usage space free full uso espacio espace create format resize mount mounted")
    {
        one(
            out,
            "lsblk",
            "disks and partitions",
            &["lsblk".into(), "sudo fdisk -l".into()],
        );
        return;
    }
    if (raw.contains("how many") || raw.contains("cuantos") || raw.contains("combien"))
        && !r.any("use using thread threads specified utiliser usar")
        && r.any("core cores cpus cpu processors nucleos coeurs processeurs")
        && ws.len() <= 9
    {
        one(
            out,
            "nproc",
            "the number of CPU cores",
            &["nproc".into(), "lscpu".into()],
        );
        return;
    }
    // "look up the DNS records for example.com", "resolve example.com"
    // "look up the MX records for gmail.com": one record type
    let rtype = ws.iter().find_map(|w| {
        let u = w.to_uppercase();
        ["MX", "TXT", "NS", "AAAA", "CNAME", "SOA", "SRV", "PTR"]
            .contains(&u.as_str())
            .then_some(u)
    });
    if let Some(t) = &rtype
        && r.any("record records registro registros enregistrement enregistrements lookup look query dig")
        && let Some(h) = ws.iter().find(|w| is_host(w))
    {
        let mut cmds = vec![format!("dig {h} {t}")];
        if ctx.has_command("host") {
            cmds.push(format!("host -t {t} {h}"));
        }
        one(out, "dns-record", "one kind of DNS record", &cmds);
        return;
    }
    if (r.any("dns resolve nslookup dig")
        || raw.contains("ip of")
        || raw.contains("ip address of")
        || raw.contains("ip de")
        || raw.contains("adresse ip d")
        || raw.contains("direccion ip d"))
        && (r.any("lookup look resolve query record records dig nslookup what which find get show resuelve resolver consulta busca resoudre interroge cherche quelle cual"))
        && !r.any("set update add change configure subnet")
        && let Some(h) = ws.iter().find(|w| is_host(w))
    {
        let mut cmds = Vec::new();
        if usable(ctx, "dig") {
            cmds.push(format!("dig {h}"));
        }
        if ctx.has_command("host") {
            cmds.push(format!("host {h}"));
        }
        cmds.push(format!("getent hosts {h}"));
        one(out, "dns", "look a name up in the DNS", &cmds);
        return;
    }
    // "copy backup.tar.gz to my home directory on 192.168.1.50 as user bob"
    if r.any("copy send upload copia copiar envia enviar copie copier envoie envoyer")
        && let Some(h) = ws
            .iter()
            .find(|w| {
                is_host(w)
                    || w.contains('@')
                        && w.rsplit('@')
                            .next()
                            .is_some_and(|h| is_host(h) || is_name(h))
            })
            .cloned()
            .or_else(|| {
                word_after(ws, "server serveur servidor host machine").filter(|h| {
                    h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-.".contains(c))
                        && h.chars().any(|c| c.is_ascii_digit())
                })
            })
        && let Some(f) = ws
            .iter()
            .find(|w| (is_file(w) || is_path(w)) && !is_host(w) && !w.contains('@'))
            .cloned()
            .or_else(|| folder_named(ws))
    {
        let user = word_after(ws, "user usuario utilisateur")
            .or_else(|| word_after(ws, "as"))
            .filter(|u| is_name(u) || u.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let dest = if h.contains('@') {
            h.clone()
        } else if let Some(u) = user {
            format!("{u}@{h}")
        } else {
            h.clone()
        };
        let path = ws
            .iter()
            .rfind(|w| is_path(w) && **w != f)
            .cloned()
            .unwrap_or_else(|| "~/".into());
        let f = &f;
        let rec = if !is_file(f) || r.any("recursively recursivamente recursivement") {
            "-r "
        } else {
            ""
        };
        let scp = format!("scp {rec}{} {dest}:{path}", quote(f));
        let rsync = format!("rsync -avz {} {dest}:{path}", quote(f));
        // "… with rsync", "sync": rsync first
        let cmds =
            if r.any("rsync sync synchronize synchronise sincroniza sincronizar synchroniser") {
                [rsync, scp]
            } else {
                [scp, rsync]
            };
        one(out, "scp", "copy files to another host", &cmds);
        return;
    }
    // "sync my Documents folder to /media/usb", "sincroniza ~/fotos con /mnt/backup"
    if r.any("sync synchronize synchronise sincroniza sincronizar synchroniser synchronise")
        && !r.any("delete deleting extra mirror")
        && !ws.iter().any(|w| w.contains('@') || is_host(w))
        && !r.any("time clock hora heure ntp git repo repository branch fork")
    {
        let dest = ws.iter().rev().find(|w| is_path(w) && !is_file(w)).cloned();
        let src = ws
            .iter()
            .find(|w| is_path(w) && !is_file(w) && Some(*w) != dest.as_ref())
            .cloned()
            .or_else(|| ws.iter().find_map(|w| home_folder(w)).map(str::to_string))
            .or_else(|| folder_named(ws));
        if let (Some(src), Some(dest)) = (src, dest) {
            one(
                out,
                "rsync",
                "one folder kept in step with another",
                &[format!(
                    "rsync -av {}/ {}/",
                    src.trim_end_matches('/'),
                    dest.trim_end_matches('/')
                )],
            );
            return;
        }
    }
    // "schedule a reboot at 3am", "programmer un redémarrage à 2h du matin"
    if r.any("reboot restart reinicio reiniciar redemarrage redemarrer")
        && r.any("schedule at programa programar programmer planifie planifier a las")
        && !r.any("service every cada chaque")
        && let Some((h, m)) = clock_time(raw)
    {
        one(
            out,
            "reboot-at",
            "reboot at a given time",
            &[format!("{s}shutdown -r {h:02}:{m:02}")],
        );
    }
}

/// Every word of the request is one of `allowed` (the whole request is one short phrase).
fn only_words(raw: &str, allowed: &str) -> bool {
    raw.split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .all(|w| listed(allowed, w))
}

/// "at 3am", "at 3:30 pm", "a las 3", "à 2h du matin", "at 15:00": (hour, minute).
pub(super) fn clock_time(raw: &str) -> Option<(u32, u32)> {
    let ws: Vec<&str> = raw.split_whitespace().collect();
    // the first "at"/"a"/"vers" followed by a number
    let i = ws.iter().enumerate().position(|(k, w)| {
        ["at", "las", "a", "vers"].contains(w)
            && ws
                .get(k + 1)
                .is_some_and(|t| t.starts_with(|c: char| c.is_ascii_digit()))
    })?;
    let t = ws.get(i + 1)?.trim_end_matches(['.', ',', '?']);
    let next = ws
        .get(i + 2)
        .copied()
        .unwrap_or("")
        .trim_end_matches(['.', ',']);
    let split = t.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(t.len());
    let (digits, mut suffix) = (&t[..split], &t[split..]);
    if suffix.is_empty() {
        suffix = next;
    }
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?),
        None => match suffix.strip_prefix('h').filter(|m| !m.is_empty()) {
            Some(m) => (digits.parse().ok()?, m.parse().ok()?),
            None => (digits.parse().ok()?, 0),
        },
    };
    let pm = suffix == "pm"
        || raw.contains("de la tarde")
        || raw.contains("de la noche")
        || raw.contains("du soir")
        || raw.contains("de l'apres-midi");
    let h = match (h, pm, suffix == "am") {
        (12, false, true) => 0,
        (h, true, _) if h < 12 => h + 12,
        (h, _, _) => h,
    };
    (h < 24 && m < 60).then_some((h, m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(req: &str) -> String {
        let ctx = Context::default();
        matches(req, &ctx)
            .first()
            .map(|c| c.command.clone())
            .unwrap_or_default()
    }

    #[test]
    fn commands_run_a_certain_way() {
        for (req, cmd) in [
            ("save the output of ls -l to files.txt", "ls -l > files.txt"),
            ("append the output of date to log.txt", "date >> log.txt"),
            (
                "guarda la salida de df -h en disco.txt",
                "df -h > disco.txt",
            ),
            (
                "rediriger les erreurs de build.sh vers erreurs.log",
                "./build.sh 2> erreurs.log",
            ),
            (
                "save the output of make and errors to build.log",
                "make > build.log 2>&1",
            ),
            (
                "run cleanup.sh with no output at all",
                "./cleanup.sh > /dev/null 2>&1",
            ),
            ("discard the output of make", "make > /dev/null 2>&1"),
            (
                "wait 10 min then run ./deploy.sh",
                "sleep 600 && ./deploy.sh",
            ),
            (
                "espera 5 minutos y ejecuta backup.sh",
                "sleep 300 && ./backup.sh",
            ),
            ("dans 2 heures lance ./sync.sh", "sleep 7200 && ./sync.sh"),
            ("run script.sh at 18:00", "at -f script.sh 18:00"),
            ("ejecutar script.sh a las 18:00", "at -f script.sh 18:00"),
            (
                "run ls -l at 9:00 tomorrow",
                "echo 'ls -l' | at 09:00 tomorrow",
            ),
            ("list pending at jobs", "atq"),
            ("lister les tâches at en attente", "atq"),
            ("remove at job 3", "atrm 3"),
            ("switch to the postgres user", "sudo -iu postgres"),
            ("entrar como el usuario postgres", "sudo -iu postgres"),
            ("log in as postgres", "sudo -iu postgres"),
            ("Switch to a given user", "sudo -iu USER"),
            (
                "which process has /var/log/app.log open",
                "sudo lsof /var/log/app.log",
            ),
            ("qué proceso tiene abierto datos.db", "sudo lsof datos.db"),
            (
                "reinstall openssh-server",
                "sudo apt install --reinstall openssh-server",
            ),
            ("reinstalar nginx", "sudo apt install --reinstall nginx"),
            (
                "grep for TODO in all files under src with line numbers",
                "grep -rn TODO src",
            ),
            ("what groups is alice in", "groups alice"),
            ("¿en qué grupos estoy?", "groups"),
            ("repetir free -h cada 2 segundos", "watch -n 2 free -h"),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
        // a state ("become available"), a branch, a cron job, another host: not these rules
        for req in [
            "Wait for a deployment to become available",
            "switch to the main branch",
            "log in as root on 10.0.0.5",
        ] {
            let c = first(req);
            assert!(
                !c.starts_with("su ") && !c.starts_with("sudo -iu") && !c.starts_with("sudo -i"),
                "{req}: {c}"
            );
        }
        let c = first("run backup.sh every day at 3am");
        assert!(!c.contains("| at ") && !c.starts_with("at "), "{c}");
    }

    #[test]
    fn more_administration_in_a_few_words() {
        for (req, cmd) in [
            ("list files sorted by size, biggest first", "ls -lhS"),
            (
                "which version of postgresql is available in the repos",
                "apt policy postgresql",
            ),
            (
                "quelle version de postgresql est dispo dans les dépôts ?",
                "apt policy postgresql",
            ),
            (
                "habilitar y arrancar redis-server de una vez",
                "sudo systemctl enable --now redis-server",
            ),
            (
                "test the nginx config for syntax errors before reloading",
                "sudo nginx -t",
            ),
            (
                "lower the priority of pid 2200 to niceness 10",
                "renice -n 10 -p 2200",
            ),
            ("bloquear la cuenta del usuario bob", "sudo passwd -l bob"),
            ("unlock the account of user bob", "sudo passwd -u bob"),
            (
                "ssh says my private key permissions are too open, fix ~/.ssh/id_ed25519",
                "chmod 600 ~/.ssh/id_ed25519",
            ),
            ("who wrote each line of src/app.js", "git blame src/app.js"),
            ("mettre zsh comme shell par défaut", "chsh -s /usr/bin/zsh"),
            ("¿ls es un alias o un programa?", "type ls"),
            (
                "afficher seulement la ligne 42 de main.c",
                "sed -n '42p' main.c",
            ),
            (
                "how do i open a .tar.bz2 file? its called data.tar.bz2",
                "tar -xjf data.tar.bz2",
            ),
            ("open photos.zip", "unzip photos.zip"),
            (
                "medir cuánto tarda en ejecutarse build.sh",
                "time ./build.sh",
            ),
            (
                "run ./run.sh and show the output on screen but also save it to output.log",
                "./run.sh | tee output.log",
            ),
            (
                "lancer script.sh dans 30 minutes avec at",
                "echo ./script.sh | at now + 30 minutes",
            ),
            ("ver las tareas programadas con at", "atq"),
            (
                "quels sont les groupes de l'utilisatrice alice ?",
                "groups alice",
            ),
            ("instal htop", "sudo apt install -y htop"),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
        // a range or a start line is not one line; a repository's version is git's business
        for (req, not) in [
            ("Print \"/tmp/myfile\" starting at line 11", "sed -n '11p'"),
            (
                "Initialize a repository using SHA256 for object hashes (requires Git version 2.29+)",
                "apt policy",
            ),
            (
                "list all files under /var recursively sorted by size",
                "ls -lhS",
            ),
        ] {
            assert!(!first(req).starts_with(not), "{req}: {}", first(req));
        }
    }

    #[test]
    fn shell_tasks_aliases_history_jobs() {
        for (req, cmd) in [
            ("make an alias ll for ls -alF", "alias ll='ls -alF'"),
            ("supprime l'alias ll", "unalias ll"),
            ("show my last 20 commands", "history 20"),
            (
                "search my history for docker commands",
                "history | grep docker",
            ),
            ("borra el historial de comandos", "history -c"),
            ("reload my bashrc without logging out", "source ~/.bashrc"),
            (
                "ejecuta servidor.py en segundo plano",
                "python3 servidor.py &",
            ),
            (
                "run long_job.sh in the background and keep it going after I log out",
                "nohup ./long_job.sh > long_job.log 2>&1 &",
            ),
            ("how long does make take?", "time make"),
            ("rerun df -h every 5 seconds", "watch -n 5 df -h"),
            (
                "grab /var/log/nginx/error.log from web1 and put it in the current dir",
                "scp web1:/var/log/nginx/error.log .",
            ),
            ("qui est connecté sur la machine en ce moment ?", "who"),
            (
                "¿qué puertos están escuchando en esta máquina?",
                "sudo ss -tulpn",
            ),
            ("look up the MX records for gmail.com", "dig gmail.com MX"),
            ("nuke all firefox processes", "pkill -9 firefox"),
            (
                "show ssh logs from the last hour",
                "journalctl -u ssh --since '1 hour ago'",
            ),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
        // the history of something else, a profile that is not the shell's, a port of a server
        for req in [
            "Show the history of a local Docker image",
            "Apply a profile",
            "Listen on a specific port",
            "Open a serial port with default settings",
        ] {
            assert_eq!(first(req), "", "{req}");
        }
    }

    #[test]
    fn every_prefix_of_a_request_is_read_without_panicking() {
        // rules index the words after a keyword: a request cut short must not crash them
        for req in [
            "make an alias ll for ls -alF",
            "crea un alias llamado gs que haga git status",
            "grab /var/log/nginx/error.log from web1 and put it in the current dir",
            "how long does make take?",
            "rerun df -h every 5 seconds",
            "add #!/bin/bash as the first line of run.sh",
            "show rows of users.csv where the 3rd field is greater than 100",
            "only the entries in accounts.json whose status is active",
            "compare dir1 and dir2 recursively",
            "replace every http:// with https:// in links.txt",
            "show 3 lines before and after each Exception in server.log",
            "put bob in the sudo group",
            "delete line 5 of hosts.txt",
        ] {
            let ws: Vec<&str> = req.split_whitespace().collect();
            for n in 1..=ws.len() {
                let prefix = ws[..n].join(" ");
                let _ = matches(&prefix, &Context::default());
                let _ = super::super::data::matches(&prefix, &Context::default());
            }
        }
    }

    #[test]
    fn network_questions() {
        for (req, cmd) in [
            ("what's my default gateway", "ip route show default"),
            ("which DNS servers am I using", "cat /etc/resolv.conf"),
            ("what's my public IP?", "curl ifconfig.me"),
            (
                "check if port 443 is open on example.com",
                "nc -zv example.com 443",
            ),
            ("trace the route to 8.8.8.8", "traceroute 8.8.8.8"),
            (
                "list all iptables rules with line numbers",
                "sudo iptables -L -n -v --line-numbers",
            ),
            ("show the nftables ruleset", "sudo nft list ruleset"),
            (
                "block all traffic from 203.0.113.5 with iptables",
                "sudo iptables -A INPUT -s 203.0.113.5 -j DROP",
            ),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
        // other requests about gateways, DNS servers and ports are not these
        for req in [
            "Start the gateway server",
            "Specify an alternate DNS server to query",
            "Listen on all interfaces (0.0.0.0) and port 8080",
        ] {
            assert_eq!(first(req), "", "{req}");
        }
    }

    #[test]
    fn modules_swap_memory_and_logins() {
        for (req, cmd) in [
            (
                "load the br_netfilter kernel module",
                "sudo modprobe br_netfilter",
            ),
            ("is the nvidia module loaded?", "lsmod | grep nvidia"),
            ("list all currently loaded kernel modules", "lsmod"),
            ("is swap enabled?", "swapon --show"),
            (
                "affiche les infos sur la mémoire physique installée",
                "sudo dmidecode -t memory",
            ),
            ("show recent logins", "last"),
            (
                "top 10 processes by memory usage",
                "ps aux --sort=-%mem | head -n 11",
            ),
            (
                "list packages that can be upgraded",
                "apt list --upgradable",
            ),
            (
                "which package does /usr/bin/dig come from",
                "dpkg -S /usr/bin/dig",
            ),
            (
                "quels fichiers sont installés par le paquet openssh-server ?",
                "dpkg -L openssh-server",
            ),
            ("¿cuál es el nombre de esta máquina?", "hostname"),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
        for req in [
            "Swap filepaths",
            "Set up a given swap area",
            "List all available packages",
        ] {
            assert_eq!(first(req), "", "{req}");
        }
    }

    #[test]
    fn copies_syncs_and_private_keys() {
        for (req, cmd) in [
            (
                "Please copy the project folder to /backup and keep permissions and timestamps",
                "cp -a project /backup/",
            ),
            (
                "copy every pdf under this folder into ~/pdfs",
                "find . -name '*.pdf' -exec cp {} ~/pdfs/ \\;",
            ),
            (
                "copy all the png files into ~/Pictures",
                "cp *.png ~/Pictures/",
            ),
            (
                "sync my Documents folder to /media/usb",
                "rsync -av ~/Documents/ /media/usb/",
            ),
            (
                "copia la carpeta fotos a mi servidor 192.168.0.20 con rsync",
                "rsync -avz fotos 192.168.0.20:~/",
            ),
            ("nuke the build directory", "rm -rf build"),
            (
                "lock down my ssh private key so only I can read it",
                "chmod 400 ~/.ssh/id_rsa",
            ),
            (
                "recharge la configuration de nginx sans couper le service",
                "sudo systemctl reload nginx",
            ),
        ] {
            assert_eq!(first(req), cmd, "{req}");
        }
    }

    #[test]
    fn services_and_their_logs() {
        assert_eq!(first("is nginx running?"), "systemctl status nginx");
        assert_eq!(
            first("stop the docker service"),
            "sudo systemctl stop docker"
        );
        assert_eq!(
            first("reinicia el servicio apache2"),
            "sudo systemctl restart apache2"
        );
        assert_eq!(
            first("follow the ssh service logs live"),
            "journalctl -u ssh -f"
        );
        assert_eq!(
            first("ver los logs de apache2 de la última hora"),
            "journalctl -u apache2 --since '1 hour ago'"
        );
        // a program that is not a service
        assert_eq!(first("is firefox running?"), "pgrep -a firefox");
    }

    #[test]
    fn processes_packages_and_files() {
        assert_eq!(first("kill all python3 processes"), "pkill python3");
        assert_eq!(first("live view of running processes"), "top");
        assert_eq!(
            first("upgrade all packages"),
            "sudo apt update && sudo apt upgrade -y"
        );
        assert_eq!(first("instalar git"), "sudo apt install -y git");
        assert_eq!(first("remove apache2"), "sudo apt remove apache2");
        assert_eq!(
            first("completely remove mysql-server including its config files"),
            "sudo apt purge mysql-server"
        );
        assert_eq!(
            first("clean up packages that are no longer needed"),
            "sudo apt autoremove"
        );
        assert_eq!(
            first("which package does /usr/bin/convert belong to"),
            "dpkg -S /usr/bin/convert"
        );
        assert_eq!(first("is curl installed?"), "dpkg -l curl");
        assert_eq!(
            first("show information about the htop package"),
            "apt show htop"
        );
        // a file is not a package
        assert_eq!(first("remove notes.txt"), "");
        assert_eq!(first("upgrade pip packages"), "");
        assert_eq!(first("what's in ~/Documents"), "ls -l ~/Documents");
        assert_eq!(first("what's inside bundle.zip"), "unzip -l bundle.zip");
        assert_eq!(
            first("list the contents of release.tar.gz without extracting it"),
            "tar -tzf release.tar.gz"
        );
        assert_eq!(first("how big is /var/log?"), "du -sh /var/log");
        assert_eq!(
            first("what are the 10 largest directories in /var"),
            "du -h --max-depth=1 /var | sort -rh | head -n 10"
        );
        assert_eq!(
            first("delete the folder old_project and everything in it"),
            "rm -r old_project"
        );
        assert_eq!(
            first("create a symlink called latest pointing to /opt/app/releases/v2"),
            "ln -s /opt/app/releases/v2 latest"
        );
        assert_eq!(
            first("change the owner of /var/www/html to www-data, recursively"),
            "chown -R www-data /var/www/html"
        );
    }

    #[test]
    fn text_environment_and_system() {
        assert_eq!(first("sort names.txt alphabetically"), "sort names.txt");
        assert_eq!(
            first("remove duplicate lines from list.txt"),
            "sort -u list.txt"
        );
        assert_eq!(
            first("count how many times each line appears in ips.txt, most frequent first"),
            "sort ips.txt | uniq -c | sort -nr"
        );
        assert_eq!(
            first("search for the word error in all files under /var/log"),
            "grep -r error /var/log"
        );
        assert_eq!(
            first("buscar la palabra password en config.php"),
            "grep password config.php"
        );
        assert_eq!(
            first("which files in ~/src mention TODO? ignore case, just give me the file names"),
            "grep -ril TODO ~/src"
        );
        assert_eq!(
            first("chercher le mot erreur dans tous les fichiers du dossier logs"),
            "grep -r erreur logs"
        );
        assert_eq!(first("what's my PATH"), "echo \"$PATH\"");
        assert_eq!(
            first("set EDITOR to vim for this session"),
            "export EDITOR=vim"
        );
        assert_eq!(
            first("add /opt/tools/bin to my PATH"),
            "export PATH=\"$PATH:/opt/tools/bin\""
        );
        assert_eq!(first("unset the http_proxy variable"), "unset http_proxy");
        assert_eq!(
            first("définir la variable LANG à fr_FR.UTF-8"),
            "export LANG=fr_FR.UTF-8"
        );
        assert_eq!(first("what time is it"), "date");
        assert_eq!(first("quelle heure est-il ?"), "date");
        assert_eq!(first("which groups am I in"), "groups");
        assert_eq!(
            first("list all user accounts on the system"),
            "cut -d: -f1 /etc/passwd"
        );
        assert_eq!(first("list my cron jobs"), "crontab -l");
        assert_eq!(first("show my disks and partitions"), "lsblk");
        assert_eq!(first("how many CPU cores does this box have"), "nproc");
        assert_eq!(
            first("look up the DNS records for example.com"),
            "dig example.com"
        );
        assert_eq!(
            first("copy backup.tar.gz to my home directory on 192.168.1.50 as user bob"),
            "scp backup.tar.gz bob@192.168.1.50:~/"
        );
        assert_eq!(first("schedule a reboot at 3am"), "sudo shutdown -r 03:00");
        assert_eq!(
            first("programmer un redémarrage à 2h du matin"),
            "sudo shutdown -r 02:00"
        );
    }
    #[test]
    fn places_power_and_spanish_french_forms() {
        assert_eq!(
            first("copy report.pdf into my Documents folder"),
            "cp report.pdf ~/Documents/"
        );
        assert_eq!(
            first("copy the whole photos folder to /mnt/backup"),
            "cp -r photos /mnt/backup/"
        );
        assert_eq!(first("crée un dossier nommé travail"), "mkdir travail");
        assert_eq!(first("create directory backup"), "mkdir backup");
        // a directory the request does not name is not made
        assert_eq!(
            first("Create an empty temporary directory and print its absolute path"),
            ""
        );
        assert_eq!(
            first("how many files are in my Downloads folder?"),
            "ls ~/Downloads | wc -l"
        );
        assert_eq!(first("where is config.yaml"), "find . -name config.yaml");
        assert_eq!(first("how big is database.sql"), "ls -lh database.sql");
        assert_eq!(
            first("make a shortcut /usr/local/bin/myapp pointing to /opt/myapp/bin/myapp"),
            "ln -s /opt/myapp/bin/myapp /usr/local/bin/myapp"
        );
        assert_eq!(
            first("dale permisos de ejecución a script.sh"),
            "chmod +x script.sh"
        );
        assert_eq!(first("cuenta las líneas de ventas.csv"), "wc -l ventas.csv");
        assert_eq!(
            first("find every TODO in the src folder with line numbers"),
            "grep -rn TODO src"
        );
        assert_eq!(first("put the laptop to sleep"), "systemctl suspend");
        assert_eq!(first("redémarre l'ordinateur"), "sudo reboot");
        assert_eq!(
            first("what's slowing down my boot?"),
            "systemd-analyze blame"
        );
        assert_eq!(
            first("show errors since the last boot"),
            "journalctl -b -p err"
        );
        assert_eq!(
            first("which version of Debian is this?"),
            "cat /etc/os-release"
        );
        assert_eq!(
            first("depuis combien de temps la machine est allumée ?"),
            "uptime"
        );
        assert_eq!(
            first("start a quick web server in this folder on port 8000"),
            "python3 -m http.server 8000"
        );
        assert_eq!(
            first("delete user olduser and their home directory"),
            "sudo deluser --remove-home olduser"
        );
        assert_eq!(
            first("¿está funcionando mariadb?"),
            "systemctl status mariadb"
        );
        assert_eq!(
            first("affiche les journaux d'apache2"),
            "journalctl -u apache2"
        );
        assert_eq!(first("restart apache"), "sudo systemctl restart apache2");
        assert_eq!(first("installe git"), "sudo apt install -y git");
        assert_eq!(first("uninstall vlc"), "sudo apt remove vlc");
        assert_eq!(first("tue firefox"), "pkill firefox");
        assert_eq!(first("is there a node process running?"), "pgrep -a node");
        // other tools' things are not these
        assert_eq!(first("Kill a window"), "");
        assert_eq!(first("Delete a specific user pool"), "");
        assert_eq!(first("Restart the currently running GitWeb server"), "");
    }
    #[test]
    fn devices_columns_and_journal() {
        assert_eq!(first("print report.pdf"), "lp report.pdf");
        assert_eq!(
            first("print two copies of letter.pdf on the printer called HP_Office"),
            "lp -d HP_Office -n 2 letter.pdf"
        );
        // "print" a text file's lines is not the printer
        assert_eq!(first("print notes.txt"), "");
        assert_eq!(
            first("which printers are set up on this computer?"),
            "lpstat -p"
        );
        assert_eq!(
            first("unmount the usb drive /dev/sdb1 so I can pull it out"),
            "sudo umount /dev/sdb1"
        );
        assert_eq!(first("how hot is my CPU running?"), "sensors");
        assert_eq!(first("génère une clé ssh"), "ssh-keygen -t ed25519");
        assert_eq!(first("quels services ont échoué ?"), "systemctl --failed");
        assert_eq!(
            first("combien de place reste-t-il sur le disque ?"),
            "df -h"
        );
        assert_eq!(first("tue le processus 2875"), "kill 2875");
        assert_eq!(first("what's the pid of postgres?"), "pgrep -a postgres");
        assert_eq!(
            first("Show the PID of the last operators for all IPC facilities"),
            ""
        );
        assert_eq!(
            first("reboot the machine in 5 minutes"),
            "sudo shutdown -r +5"
        );
        assert_eq!(
            first("show me errors from the system journal since yesterday"),
            "journalctl -p err --since yesterday"
        );
        assert_eq!(
            first("print just the third column of data.csv"),
            "cut -d, -f3 data.csv"
        );
        assert_eq!(
            first("muestra la segunda columna de datos.csv"),
            "cut -d, -f2 datos.csv"
        );
        assert_eq!(
            first("count how often each value appears in column 2 of orders.csv"),
            "cut -d, -f2 orders.csv | sort | uniq -c | sort -nr"
        );
        assert_eq!(
            first("show the first 10 rows of customers.csv"),
            "head -n 10 customers.csv"
        );
        assert_eq!(
            first("how many csv files are in ~/data?"),
            "ls ~/data/*.csv | wc -l"
        );
        assert_eq!(
            first("copy budget.xlsx onto the usb stick at /media/anna/KINGSTON"),
            "cp budget.xlsx /media/anna/KINGSTON/"
        );
    }
    #[test]
    fn files_read_archives_made_and_web_logs() {
        assert_eq!(
            first("show me the contents of /etc/hostname"),
            "cat /etc/hostname"
        );
        assert_eq!(
            first("what's using all the disk space in /var?"),
            "du -sh /var/* | sort -rh | head"
        );
        assert_eq!(
            first("remove the build directory and everything in it"),
            "rm -r build"
        );
        assert_eq!(
            first("create the directory /srv/backups/daily, including any missing parents"),
            "mkdir -p /srv/backups/daily"
        );
        assert_eq!(
            first("crée une archive sauvegarde.tar.gz du dossier documents"),
            "tar -czf sauvegarde.tar.gz documents"
        );
        assert_eq!(
            first("comprimir la carpeta fotos en fotos.zip"),
            "zip -r fotos.zip fotos"
        );
        assert_eq!(
            first("zip report.pdf and notes.txt into docs.zip"),
            "zip -r docs.zip report.pdf notes.txt"
        );
        assert_eq!(
            first("follow the nginx access log live"),
            "sudo tail -f /var/log/nginx/access.log"
        );
        assert_eq!(
            first("case-insensitive search for timeout in /etc/nginx/nginx.conf"),
            "grep -i timeout /etc/nginx/nginx.conf"
        );
        assert_eq!(
            first("force kill every process named firefox"),
            "pkill -9 firefox"
        );
        assert_eq!(first("give me a live view of CPU and memory usage"), "top");
        assert_eq!(
            first("enable docker so it starts at boot"),
            "sudo systemctl enable docker"
        );
        assert_eq!(
            first("cambia el dueño de /srv/datos a pedro de forma recursiva"),
            "chown -R pedro /srv/datos"
        );
        assert_eq!(
            first("copie site.conf vers /etc/nginx/sites-available sur le serveur web01"),
            "scp site.conf web01:/etc/nginx/sites-available"
        );
    }
    #[test]
    fn moved_by_extension_hidden_files_and_private_files() {
        assert_eq!(
            first("move all the jpg files here into ~/Pictures"),
            "mv *.jpg ~/Pictures/"
        );
        assert_eq!(
            first("move all the .jpg files in this folder into ~/Pictures"),
            "mv *.jpg ~/Pictures/"
        );
        assert_eq!(
            first("move all the jpg files from Downloads to Pictures"),
            "mv ~/Downloads/*.jpg ~/Pictures/"
        );
        // a tree is find's
        assert_eq!(
            first("move all jpg files under this folder recursively into ~/Pictures"),
            ""
        );
        assert_eq!(
            first("show hidden files in the current directory"),
            "ls -a ."
        );
        assert_eq!(
            first("only I should be able to read secret.key"),
            "chmod 400 secret.key"
        );
        assert_eq!(
            first("only I should be able to read and write secret.key"),
            "chmod 600 secret.key"
        );
    }
}
