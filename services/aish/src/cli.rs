//! The command-line front end: argument handling and output. Exit codes: `check` returns the
//! danger level (0 safe, 1 moderate, 2 destructive, 3 critical); 64 is a usage error; 65 bad
//! input data; 66 an unreadable input file.

use std::io::Write;
use std::path::PathBuf;

use crate::danger::{self, Verdict};
use crate::eval;
use crate::explain;
use crate::translate::{Candidate, Context, Translator};

pub const EX_USAGE: i32 = 64;
pub const EX_DATAERR: i32 = 65;
pub const EX_NOINPUT: i32 = 66;
/// Longest request or command accepted.
pub const MAX_INPUT: usize = 4096;

const USAGE: &str = "usage:
  aish                                     the interactive shell (on a terminal)
  aish [--json] [--no-man] [--offline] REQUEST...
                                           candidate commands for a request: aishd's (or the
                                           configured providers') answer first, then the
                                           offline translator's; --offline: the latter only
                                           (at a terminal: then asks which one to run)
  aish --run [--yes] [--json] REQUEST...   run the best candidate, through the same checks
  aish --explain [--json] 'COMMAND'        explain a command and its danger verdict
  aish check [--json] 'COMMAND'            danger verdict; exit code 0 safe, 1 moderate, 2 destructive, 3 critical
  aish eval danger DIR [--tldr FILE] [--json]
  aish eval translate FILE.tsv [--json] [--no-man] [--show N]
options: --config FILE (default /etc/ainux/aish.toml), --yes (approves moderate and, in normal
mode, destructive commands; never critical ones)
";

/// The network answer for a request (from aishd, or the configured providers in
/// this process), given the offline candidates: a candidate to rank first, and
/// notes for stderr. `None` when there is none (offline only, or it agrees).
pub type Ask<'a> = &'a mut dyn FnMut(&str, &[Candidate]) -> (Option<Candidate>, Vec<String>);

/// Remove ANSI escape sequences and control characters (keeps tab and newline).
pub fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\u{1b}' {
            // CSI … final byte, or a single escape
            if it.peek() == Some(&'[') {
                it.next();
                for d in it.by_ref() {
                    if ('@'..='~').contains(&d) {
                        break;
                    }
                }
            } else if it.peek() == Some(&']') {
                for d in it.by_ref() {
                    if d == '\u{7}' {
                        break;
                    }
                }
            } else {
                it.next();
            }
            continue;
        }
        if c.is_control() && c != '\n' && c != '\t' {
            continue;
        }
        out.push(c);
    }
    out
}

struct Opts {
    json: bool,
    offline: bool,
    explain: bool,
    no_man: bool,
    tldr: Option<PathBuf>,
    show: usize,
    rest: Vec<String>,
}

fn parse_opts(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        json: false,
        offline: false,
        explain: false,
        no_man: false,
        tldr: None,
        show: 0,
        rest: vec![],
    };
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--json" => o.json = true,
            "--offline" => o.offline = true,
            "--explain" => o.explain = true,
            "--no-man" => o.no_man = true,
            "--tldr" => {
                i += 1;
                o.tldr = Some(PathBuf::from(args.get(i).ok_or("--tldr needs a file")?));
            }
            "--show" => {
                i += 1;
                o.show = args
                    .get(i)
                    .and_then(|v| v.parse().ok())
                    .ok_or("--show needs a number")?;
            }
            "--" => {
                o.rest.extend(args[i + 1..].iter().cloned());
                break;
            }
            a if a.starts_with("--") => return Err(format!("unknown option {a}")),
            a => o.rest.push(a.to_string()),
        }
        i += 1;
    }
    Ok(o)
}

fn print_verdict(out: &mut dyn Write, v: &Verdict) {
    let _ = writeln!(out, "{}", v.level);
    for r in &v.reasons {
        if r.level == danger::Level::Safe && v.level > danger::Level::Safe {
            continue;
        }
        let _ = writeln!(
            out,
            "  {:<11} {} [{}]: {}",
            r.level.as_str(),
            r.part,
            r.rule,
            r.detail
        );
    }
}

fn translator(no_man: bool, ctx: &Context) -> Translator {
    let mut t = Translator::new();
    if !no_man {
        t.load_manual_index(ctx);
    }
    t
}

fn input_text(words: &[String]) -> Result<String, String> {
    let text = sanitize(&words.join(" "));
    if text.trim().is_empty() {
        return Err("empty input".into());
    }
    if text.len() > MAX_INPUT {
        return Err(format!(
            "input is {} bytes; the limit is {MAX_INPUT}",
            text.len()
        ));
    }
    Ok(text)
}

/// `args` are a plain request (`aish find large files`): no subcommand, no option but
/// `--no-man`.
pub fn is_plain_request(args: &[String]) -> bool {
    let Some(first) = args.iter().find(|a| *a != "--no-man") else {
        return false;
    };
    !matches!(
        first.as_str(),
        "check" | "eval" | "help" | "-h" | "--help" | "--version"
    ) && args.iter().all(|a| a == "--no-man" || !a.starts_with('-'))
}

/// Run the command line (offline only); returns the process exit code.
pub fn main(argv: &[String], out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    main_with(argv, out, err, None)
}

/// Run the command line; `ask` gives the network answer for a request.
pub fn main_with(
    argv: &[String],
    out: &mut dyn Write,
    err: &mut dyn Write,
    ask: Option<Ask>,
) -> i32 {
    let args = &argv[1.min(argv.len())..];
    if args.is_empty() || matches!(args[0].as_str(), "-h" | "--help" | "help") && args.len() == 1 {
        if args.is_empty() {
            let _ = write!(err, "{USAGE}");
            return EX_USAGE;
        }
        let _ = write!(out, "{USAGE}");
        return 0;
    }
    // `--help` anywhere before `--` (`aish eval translate --help`) asks for the usage.
    if args
        .iter()
        .take_while(|a| *a != "--")
        .any(|a| a == "--help")
    {
        let _ = write!(out, "{USAGE}");
        return 0;
    }
    if args[0] == "--version" {
        let _ = writeln!(out, "aish {}", env!("CARGO_PKG_VERSION"));
        return 0;
    }
    let usage = |err: &mut dyn Write, msg: &str| {
        let _ = writeln!(err, "aish: {msg}\n{USAGE}");
        EX_USAGE
    };
    match args[0].as_str() {
        "check" => {
            let o = match parse_opts(&args[1..]) {
                Ok(o) => o,
                Err(e) => return usage(err, &e),
            };
            let cmd = match input_text(&o.rest) {
                Ok(c) => c,
                Err(e) => return usage(err, &format!("check: {e}")),
            };
            let v = danger::check(&cmd);
            if o.json {
                let _ = writeln!(
                    out,
                    "{}",
                    serde_json::json!({"command": cmd, "level": v.level, "reasons": v.reasons})
                );
            } else {
                print_verdict(out, &v);
            }
            v.level.exit_code()
        }
        "eval" => {
            let Some(kind) = args.get(1) else {
                return usage(err, "eval needs `danger` or `translate`");
            };
            let o = match parse_opts(&args[2..]) {
                Ok(o) => o,
                Err(e) => return usage(err, &e),
            };
            let Some(path) = o.rest.first() else {
                return usage(err, "eval needs a path");
            };
            match kind.as_str() {
                "danger" => match eval::danger(&PathBuf::from(path), o.tldr.as_deref()) {
                    Ok(r) => {
                        for m in &r.misses {
                            let _ = writeln!(
                                out,
                                "miss [{}] expected {} got {}: {}  ({})",
                                m.set, m.expected, m.got, m.command, m.reason
                            );
                        }
                        for t in
                            r.tldr_false_alarms
                                .iter()
                                .take(if o.show > 0 { o.show } else { 20 })
                        {
                            let _ = writeln!(out, "tldr false alarm: {t}");
                        }
                        let scores = serde_json::json!({
                            "dangerous_recall": r.dangerous_recall,
                            "dangerous_flagged": r.dangerous_flagged,
                            "dangerous_total": r.dangerous_total,
                            "benign_kept_share": r.benign_kept_share,
                            "benign_kept": r.benign_kept,
                            "benign_total": r.benign_total,
                            "tldr_read_only_total": r.tldr_read_only_total,
                            "tldr_read_only_flagged": r.tldr_read_only_flagged,
                            "tldr_false_alarm_share": r.tldr_false_alarm_share,
                            "misses": r.misses.iter().map(|m| serde_json::json!({"set": m.set, "command": m.command, "expected": m.expected, "got": m.got})).collect::<Vec<_>>(),
                        });
                        if o.json {
                            let _ = writeln!(out, "{scores}");
                        } else {
                            let _ = writeln!(
                                out,
                                "dangerous at their level: {}/{} ({:.1}%)",
                                r.dangerous_flagged,
                                r.dangerous_total,
                                100.0 * r.dangerous_recall
                            );
                            let _ = writeln!(
                                out,
                                "benign within their level: {}/{} ({:.1}%)",
                                r.benign_kept,
                                r.benign_total,
                                100.0 * r.benign_kept_share
                            );
                            let _ = writeln!(
                                out,
                                "tldr read-only flagged above safe: {}/{} ({:.2}%)",
                                r.tldr_read_only_flagged,
                                r.tldr_read_only_total,
                                100.0 * r.tldr_false_alarm_share
                            );
                        }
                        0
                    }
                    Err(e) => {
                        let _ = writeln!(err, "aish: {e}");
                        match e {
                            eval::EvalError::Read { .. } => EX_NOINPUT,
                            _ => EX_DATAERR,
                        }
                    }
                },
                "translate" => {
                    let ctx = Context::detect();
                    let tr = translator(o.no_man, &ctx);
                    let mut shown = 0;
                    let res = eval::translate(
                        &PathBuf::from(path),
                        &tr,
                        &ctx,
                        |req, reference, preds, s5| {
                            if shown < o.show {
                                shown += 1;
                                let _ = writeln!(out, "{req}\n  ref:  {reference}");
                                for c in preds {
                                    let sc = crate::nlc2cmd::score(&c.command, reference);
                                    let _ = writeln!(
                                        out,
                                        "  pred: {}  (confidence {:.3}, score {sc:.3}, {})",
                                        c.command, c.confidence, c.source
                                    );
                                }
                                let _ = writeln!(out, "  top5: {s5:.2}");
                            }
                        },
                    );
                    match res {
                        Ok(r) => {
                            let v = serde_json::to_value(&r).unwrap_or_default();
                            if o.json {
                                let _ = writeln!(out, "{v}");
                            } else {
                                let _ = writeln!(
                                    out,
                                    "{}",
                                    serde_json::to_string_pretty(&v).unwrap_or_default()
                                );
                            }
                            0
                        }
                        Err(e) => {
                            let _ = writeln!(err, "aish: {e}");
                            match e {
                                eval::EvalError::Read { .. } => EX_NOINPUT,
                                _ => EX_DATAERR,
                            }
                        }
                    }
                }
                other => usage(err, &format!("unknown eval kind `{other}`")),
            }
        }
        _ => {
            let o = match parse_opts(args) {
                Ok(o) => o,
                Err(e) => return usage(err, &e),
            };
            usage_or_translate(o, out, err, ask)
        }
    }
}

fn usage_or_translate(o: Opts, out: &mut dyn Write, err: &mut dyn Write, ask: Option<Ask>) -> i32 {
    let ctx = Context::detect();
    if o.explain {
        let cmd = match input_text(&o.rest) {
            Ok(c) => c,
            Err(e) => {
                let _ = writeln!(err, "aish: --explain: {e}\n{USAGE}");
                return EX_USAGE;
            }
        };
        let tr = translator(o.no_man, &ctx);
        let x = explain::explain(&cmd, &tr);
        if o.json {
            let _ = writeln!(out, "{}", serde_json::to_string(&x).unwrap_or_default());
        } else {
            let _ = write!(out, "{}", x.render());
        }
        return 0;
    }
    let req = match input_text(&o.rest) {
        Ok(r) => r,
        Err(e) => {
            let _ = writeln!(err, "aish: {e}\n{USAGE}");
            return EX_USAGE;
        }
    };
    let tr = translator(o.no_man, &ctx);
    let mut cands = tr.translate(&req, &ctx);
    if let Some(ask) = ask.filter(|_| !o.offline) {
        let (first, notes) = ask(&req, &cands);
        for n in notes {
            let _ = writeln!(err, "aish: {n}");
        }
        if let Some(c) = first {
            cands.retain(|x| x.command != c.command);
            cands.insert(0, c);
        }
    }
    let rows: Vec<serde_json::Value> = cands
        .iter()
        .map(|c| {
            let cmd = sanitize(&c.command);
            let v = danger::check(&cmd);
            serde_json::json!({
                "command": cmd,
                "confidence": (c.confidence * 100.0).round() / 100.0,
                "source": c.source,
                "description": c.description,
                "level": v.level,
                "reasons": v.reasons.iter().filter(|r| r.level == v.level).collect::<Vec<_>>(),
            })
        })
        .collect();
    if o.json {
        let _ = writeln!(
            out,
            "{}",
            serde_json::json!({"request": req, "candidates": rows})
        );
    } else if rows.is_empty() {
        let _ = writeln!(out, "no candidate for this request");
    } else {
        for r in &rows {
            let _ = writeln!(
                out,
                "[{:.2}] {:<60} {} — {}",
                r["confidence"].as_f64().unwrap_or(0.0),
                r["command"].as_str().unwrap_or(""),
                r["level"].as_str().unwrap_or(""),
                r["description"].as_str().unwrap_or("")
            );
        }
    }
    0
}
