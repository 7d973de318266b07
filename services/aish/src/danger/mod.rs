//! Danger analysis: parse a command line as shell and classify what it would do.
//!
//! The analysis walks the parsed script, expands words as far as it statically can (variables
//! assigned earlier in the line, `$HOME`, command substitutions whose output is known, base64
//! payloads), looks through wrappers (`sudo`, `env`, `xargs`, `timeout` …), aliases, functions,
//! `eval`, `sh -c` strings and interpreter one-liners, and applies the rules in [`rules`].
//! Unknown values count at their worst: an unset variable expands to nothing.

mod code;
pub mod paths;
mod rules;

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::shell::{self, Command, Pipeline, RedirOp, Script, SimpleCommand, Word, WordPart};
pub use paths::PathKind;

/// Danger levels, lowest to highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Safe,
    Moderate,
    Destructive,
    Critical,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Safe => "safe",
            Level::Moderate => "moderate",
            Level::Destructive => "destructive",
            Level::Critical => "critical",
        }
    }
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "safe" => Some(Level::Safe),
            "moderate" => Some(Level::Moderate),
            "destructive" => Some(Level::Destructive),
            "critical" => Some(Level::Critical),
            _ => None,
        }
    }
    /// Process exit code for `aish check`.
    pub fn exit_code(self) -> i32 {
        self as i32
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: which part of the command, which rule, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reason {
    pub level: Level,
    /// The part of the command the rule looked at (as seen after unwrapping).
    pub part: String,
    /// Rule identifier, e.g. `delete.system-path`.
    pub rule: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub level: Level,
    pub reasons: Vec<Reason>,
}

impl Verdict {
    /// The reasons that set the level.
    pub fn top_reasons(&self) -> impl Iterator<Item = &Reason> {
        self.reasons.iter().filter(move |r| r.level == self.level)
    }
}

/// Classify a command line. Never panics: an internal failure is itself a finding.
pub fn check(src: &str) -> Verdict {
    match std::panic::catch_unwind(|| check_inner(src)) {
        Ok(v) => v,
        Err(_) => Verdict {
            level: Level::Destructive,
            reasons: vec![Reason {
                level: Level::Destructive,
                part: src.chars().take(160).collect(),
                rule: "parse.analyzer-failure",
                detail: "the analysis failed on this input; it is not trusted".into(),
            }],
        },
    }
}

fn check_inner(src: &str) -> Verdict {
    let mut a = Analyzer::default();
    if is_keystrokes(src) {
        a.flag(
            Level::Safe,
            src.trim(),
            "keystrokes",
            "key presses for an interactive program (`<q>`, `<Space>`), not a shell command; a shell runs nothing".into(),
        );
        return a.finish();
    }
    a.analyze_source(src, "command line");
    a.finish()
}

/// Key-press notation such as `<q>`, `<Space>` or `</>{{pattern}}<Enter>`.
fn is_keystrokes(src: &str) -> bool {
    let t = src.trim();
    if !(t.starts_with('<') && t.ends_with('>')) || t.contains([';', '|', '&', '$', '`', '\n']) {
        return false;
    }
    // every <…> group is a short key name without spaces
    let mut rest = t;
    let mut groups = 0;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            return false;
        };
        let key = &rest[start + 1..start + end];
        if key.is_empty() || key.len() > 16 || key.contains(' ') || key.contains('<') {
            return false;
        }
        groups += 1;
        rest = &rest[start + end + 1..];
    }
    groups > 0
}

/// A word after expansion.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Arg {
    pub text: String,
    /// Some part came from an expansion we could not compute.
    pub dynamic: bool,
    /// Unquoted glob characters present.
    pub glob: bool,
    /// Content when the word is a process substitution `<( … )`.
    pub content: Option<Content>,
    /// The working directory the command runs in, when an earlier `cd` made it known.
    pub base: Option<String>,
}

impl Arg {
    pub fn lit(s: &str) -> Arg {
        Arg {
            text: s.to_string(),
            ..Arg::default()
        }
    }
    pub fn path_kind(&self) -> PathKind {
        match &self.base {
            Some(b)
                if !(self.text.starts_with(['/', '~']) || self.text.is_empty() && self.dynamic) =>
            {
                let joined = if self.text.is_empty() || self.text == "." {
                    b.clone()
                } else {
                    format!("{}/{}", b.trim_end_matches('/'), self.text)
                };
                paths::classify(&joined, self.glob, self.dynamic)
            }
            _ => paths::classify(&self.text, self.glob, self.dynamic),
        }
    }
}

/// What a command writes to stdout, as far as it is known statically.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Content {
    /// The exact text, when known.
    pub text: Option<String>,
    /// Some of it came from the network.
    pub network: bool,
    /// Some of it was decoded (base64, hex) on the way.
    pub decoded: bool,
}

const MAX_DEPTH: usize = 12;
/// Upper bound on simple-command analyses for one check.
const WORK_BUDGET: usize = 20_000;

#[derive(Default)]
pub(crate) struct Analyzer {
    vars: HashMap<String, Option<String>>,
    aliases: HashMap<String, String>,
    funcs: HashMap<String, Command>,
    call_stack: Vec<String>,
    /// Directory set by `cd` earlier in the line (absolute or `~`-based); None = unknown.
    cwd: Option<String>,
    /// Simple commands analysed so far (see [`WORK_BUDGET`]).
    work: usize,
    budget_flagged: bool,
    depth: usize,
    reasons: Vec<Reason>,
    /// Description of the enclosing context ("inside `sh -c`" …), for reasons.
    via: Vec<String>,
}

impl Analyzer {
    fn finish(mut self) -> Verdict {
        // Keep reasons unique and ordered by level.
        let mut seen = std::collections::HashSet::new();
        self.reasons
            .retain(|r| seen.insert((r.rule, r.part.clone(), r.detail.clone())));
        self.reasons.sort_by_key(|r| std::cmp::Reverse(r.level));
        let level = self
            .reasons
            .iter()
            .map(|r| r.level)
            .max()
            .unwrap_or(Level::Safe);
        Verdict {
            level,
            reasons: self.reasons,
        }
    }

    pub(crate) fn flag(&mut self, level: Level, part: &str, rule: &'static str, detail: String) {
        let detail = if self.via.is_empty() {
            detail
        } else {
            format!("{detail} ({})", self.via.join(", "))
        };
        let mut part: String = part.chars().take(160).collect();
        if part.is_empty() {
            part = "(empty)".into();
        }
        self.reasons.push(Reason {
            level,
            part,
            rule,
            detail,
        });
    }

    /// Parse text as shell and analyse it; used for the command line and every nested string.
    pub(crate) fn analyze_source(&mut self, src: &str, what: &str) {
        if self.depth >= MAX_DEPTH {
            self.flag(
                Level::Destructive,
                src,
                "nesting.too-deep",
                format!("{what} nests code more than {MAX_DEPTH} levels deep"),
            );
            return;
        }
        match shell::parse_script(src) {
            Ok(script) => {
                self.depth += 1;
                self.script(&script);
                self.depth -= 1;
            }
            Err(e) => self.flag(
                Level::Destructive,
                src,
                "parse.unparseable",
                format!("{what} cannot be parsed as shell ({e}); unparseable input is not trusted"),
            ),
        }
    }

    /// Analyse nested code with a context label.
    pub(crate) fn nested(&mut self, src: &str, label: String) {
        self.via.push(label.clone());
        self.analyze_source(src, &label);
        self.via.pop();
    }

    fn script(&mut self, s: &Script) {
        for ao in &s.items {
            for p in &ao.pipelines {
                self.pipeline(p, ao.background);
            }
        }
    }

    fn pipeline(&mut self, p: &Pipeline, _background: bool) {
        let mut stdin: Option<Content> = None;
        for c in &p.commands {
            stdin = self.command(c, stdin);
        }
    }

    /// Analyse one command given what flows into its stdin; returns what flows out.
    fn command(&mut self, c: &Command, stdin: Option<Content>) -> Option<Content> {
        match c {
            Command::Simple(sc) => self.simple(sc, stdin),
            Command::Group { body, redirs, .. } => {
                self.redirs_only(redirs, "group");
                self.script(body);
                None
            }
            Command::Compound {
                keyword,
                words,
                bodies,
                redirs,
            } => {
                self.redirs_only(redirs, keyword);
                if *keyword == "for" && !words.is_empty() {
                    let var = words[0].as_literal().unwrap_or_default();
                    let mut values: Vec<Arg> = Vec::new();
                    for w in &words[1..] {
                        values.extend(self.expand(w));
                    }
                    if values.is_empty() {
                        values.push(Arg {
                            dynamic: true,
                            ..Arg::default()
                        });
                    }
                    for v in values.into_iter().take(8) {
                        self.vars
                            .insert(var.clone(), if v.dynamic { None } else { Some(v.text) });
                        for b in bodies {
                            self.script(b);
                        }
                    }
                } else {
                    for w in words {
                        self.expand(w);
                    }
                    for b in bodies {
                        self.script(b);
                    }
                }
                None
            }
            Command::FuncDef { name, body } => {
                self.funcs.insert(name.clone(), (**body).clone());
                if is_fork_bomb(name, body) {
                    self.flag(
                        Level::Critical,
                        &format!("{name}() {{ … }}"),
                        "forkbomb.recursive-function",
                        format!(
                            "function `{name}` calls itself in a pipeline or in the background: a fork bomb"
                        ),
                    );
                }
                // A definition is a trap even when not called here: judge its body.
                self.call_stack.push(name.clone());
                self.via.push(format!("in the body of function `{name}`"));
                self.command(body, None);
                self.via.pop();
                self.call_stack.pop();
                None
            }
            Command::Arith(_) => None,
        }
    }

    fn redirs_only(&mut self, redirs: &[shell::Redir], part: &str) {
        for r in redirs {
            let targets = self.expand(&r.target);
            if r.op.writes() {
                for t in targets {
                    rules::write_target(self, part, &t, r.op);
                }
            }
        }
    }

    fn simple(&mut self, sc: &SimpleCommand, stdin: Option<Content>) -> Option<Content> {
        // A work budget keeps pathological nesting from taking exponential time.
        self.work += 1;
        if self.work > WORK_BUDGET {
            if !self.budget_flagged {
                self.budget_flagged = true;
                self.flag(
                    Level::Destructive,
                    "(whole command)",
                    "nesting.too-complex",
                    "the command is too deeply nested to analyse completely; it is not trusted"
                        .into(),
                );
            }
            return None;
        }
        // Assignments: remember what we can compute.
        for (name, w) in &sc.assigns {
            let v = self.expand_joined(w);
            self.vars.insert(name.clone(), v);
        }
        let part = sc
            .words
            .iter()
            .map(|w| w.raw.as_str())
            .collect::<Vec<_>>()
            .join(" ");
        // Alias: the first word, unquoted, names an alias.
        if let Some(first) = sc.words.first()
            && !first.has_quoting()
            && let Some(lit) = first.as_literal()
            && let Some(body) = self.aliases.get(&lit).cloned()
            && !self.call_stack.contains(&format!("alias {lit}"))
        {
            let rest: Vec<&str> = sc.words[1..].iter().map(|w| w.raw.as_str()).collect();
            let text = format!("{body} {}", rest.join(" "));
            self.call_stack.push(format!("alias {lit}"));
            self.nested(&text, format!("through alias `{lit}`"));
            self.call_stack.pop();
            return None;
        }
        // Redirections
        let mut stdin = stdin;
        let mut writes = Vec::new();
        for r in &sc.redirs {
            match r.op {
                RedirOp::HereDoc => {
                    stdin = Some(Content {
                        text: r.heredoc.clone(),
                        ..Content::default()
                    });
                }
                RedirOp::HereString => {
                    let t = self.expand_joined(&r.target);
                    stdin = Some(Content {
                        text: t.map(|t| t + "\n"),
                        ..Content::default()
                    });
                }
                RedirOp::In => {
                    let args = self.expand(&r.target);
                    stdin = Some(
                        args.into_iter()
                            .next()
                            .and_then(|a| a.content)
                            .unwrap_or_default(),
                    );
                }
                op if op.writes() => {
                    for t in self.expand(&r.target) {
                        writes.push((t, op));
                    }
                }
                _ => {}
            }
        }
        let mut argv: Vec<Arg> = Vec::new();
        for w in &sc.words {
            argv.extend(self.expand(w));
        }
        let part = if part.is_empty() {
            sc.redirs
                .iter()
                .map(|r| r.target.raw.clone())
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            part
        };
        if argv.is_empty() {
            for (t, op) in &writes {
                if op.truncates() {
                    rules::truncate_target(self, &format!("> {}", t.text), t);
                } else {
                    rules::write_target(self, &part, t, *op);
                }
            }
            return None;
        }
        for (t, op) in &writes {
            rules::write_target(self, &part, t, *op);
        }
        // Function call
        if !argv[0].dynamic
            && let Some(body) = self.funcs.get(&argv[0].text).cloned()
        {
            let name = argv[0].text.clone();
            if self.call_stack.contains(&name) {
                return None;
            }
            self.call_stack.push(name.clone());
            self.via.push(format!("through function `{name}`"));
            self.command(&body, stdin);
            self.via.pop();
            self.call_stack.pop();
            return None;
        }
        if matches!(argv[0].text.as_str(), "cd" | "pushd") && !argv[0].dynamic {
            let target = argv
                .iter()
                .skip(1)
                .find(|a| !a.text.starts_with('-') || a.text == "-");
            self.cwd = match target {
                None => Some("~".into()),
                Some(a) if a.dynamic || a.text == "-" => None,
                Some(a) if a.text.starts_with(['/', '~']) => Some(a.text.clone()),
                Some(a) => self
                    .cwd
                    .as_ref()
                    .map(|c| format!("{}/{}", c.trim_end_matches('/'), a.text)),
            };
        }
        let out = rules::run(self, &part, argv, stdin);
        // Text written into a shell start-up file runs at the next login: judge it as code.
        for (t, _) in &writes {
            let name = t.text.rsplit('/').next().unwrap_or("");
            if matches!(
                name,
                ".bashrc"
                    | ".bash_profile"
                    | ".profile"
                    | ".zshrc"
                    | ".zprofile"
                    | ".bash_login"
                    | "bash.bashrc"
                    | "profile"
                    | "environment"
                    | "rc.local"
            ) && let Some(Content {
                text: Some(code), ..
            }) = &out
            {
                let code = code.clone();
                self.nested(&code, format!("written into `{}`", t.text));
            }
        }
        out
    }

    /// Expand a word into fields (field splitting applies to unquoted expansions).
    pub(crate) fn expand(&mut self, w: &Word) -> Vec<Arg> {
        let mut fields: Vec<Arg> = vec![Arg::default()];
        let mut any = false;
        for p in &w.parts {
            match p {
                WordPart::Lit { text, quoted } => {
                    let cur = fields.last_mut().expect("non-empty");
                    cur.text.push_str(text);
                    if !quoted && text.contains(['*', '?', '[']) {
                        cur.glob = true;
                    }
                    any = true;
                }
                WordPart::Tilde(user) => {
                    let cur = fields.last_mut().expect("non-empty");
                    cur.text.push('~');
                    cur.text.push_str(user);
                    any = true;
                }
                WordPart::Param { name, op, quoted } => {
                    let (val, dynamic) = self.param(name, op.as_ref());
                    self.push_expansion(&mut fields, val, dynamic, *quoted);
                    any = true;
                }
                WordPart::CmdSub { script, quoted } => {
                    self.script(script);
                    let c = self.script_output(script);
                    let dynamic = c.text.is_none();
                    let val = c.text.map(|t| t.trim_end_matches('\n').to_string());
                    self.push_expansion(&mut fields, val.unwrap_or_default(), dynamic, *quoted);
                    if c.network || c.decoded {
                        let cur = fields.last_mut().expect("non-empty");
                        cur.content = Some(Content {
                            text: None,
                            network: c.network,
                            decoded: c.decoded,
                        });
                    }
                    any = true;
                }
                WordPart::ProcSub { script, input } => {
                    self.script(script);
                    let c = if *input {
                        self.script_output(script)
                    } else {
                        Content::default()
                    };
                    let cur = fields.last_mut().expect("non-empty");
                    cur.text.push_str("/dev/fd/63");
                    cur.content = Some(c);
                    any = true;
                }
                WordPart::Arith(_) => {
                    let cur = fields.last_mut().expect("non-empty");
                    cur.text.push('0');
                    cur.dynamic = true;
                    any = true;
                }
            }
        }
        if !any {
            return vec![];
        }
        for f in fields.iter_mut() {
            f.base = self.cwd.clone();
        }
        if fields.len() > 1 {
            fields.retain(|f| !f.text.is_empty() || f.dynamic || f.content.is_some());
            if fields.is_empty() {
                return vec![];
            }
        }
        // Brace expansion of unquoted literal words like /{etc,usr}
        if fields.len() == 1
            && w.as_literal().is_some()
            && !w.has_quoting()
            && let Some(expanded) = brace_expand(&fields[0].text)
        {
            return expanded
                .into_iter()
                .map(|t| Arg {
                    glob: fields[0].glob,
                    text: t,
                    base: self.cwd.clone(),
                    ..Arg::default()
                })
                .collect();
        }
        fields
    }

    fn push_expansion(&mut self, fields: &mut Vec<Arg>, val: String, dynamic: bool, quoted: bool) {
        let cur = fields.last_mut().expect("non-empty");
        if dynamic {
            cur.dynamic = true;
        }
        if quoted {
            cur.text.push_str(&val);
            return;
        }
        let mut pieces = val.split([' ', '\t', '\n']);
        if let Some(first) = pieces.next() {
            cur.text.push_str(first);
            if first.contains(['*', '?', '[']) {
                cur.glob = true;
            }
        }
        for p in pieces {
            // Even an empty piece ends the field: `rm${IFS}-rf` is two words.
            fields.push(Arg {
                text: p.to_string(),
                dynamic,
                glob: p.contains(['*', '?', '[']),
                content: None,
                base: None,
            });
        }
    }

    /// The value of a parameter: (text, unknown?).
    fn param(&mut self, name: &str, op: Option<&(String, Word)>) -> (String, bool) {
        let known: Option<Option<String>> = match self.vars.get(name) {
            Some(v) => Some(v.clone()),
            None => match name {
                "HOME" => Some(Some("~".into())),
                "PWD" => Some(Some(".".into())),
                "IFS" => Some(Some(" ".into())),
                "USER" | "LOGNAME" => Some(Some("user".into())),
                "SHELL" | "BASH" => Some(Some("/bin/bash".into())),
                "PATH" => Some(Some("/usr/local/bin:/usr/bin:/bin".into())),
                _ => None,
            },
        };
        let value = known.clone().flatten();
        match op {
            Some((o, w)) if o.starts_with(':') || o == "-" || o == "=" || o == "+" || o == "?" => {
                let set_nonempty = value.as_ref().is_some_and(|v| !v.is_empty());
                match o.trim_start_matches(':') {
                    "-" | "=" => {
                        if set_nonempty {
                            (value.unwrap_or_default(), false)
                        } else {
                            // Unknown counts at its worst: the default may well be used.
                            let d = self.expand_joined(w);
                            (
                                d.clone().unwrap_or_default(),
                                d.is_none() || known.is_none(),
                            )
                        }
                    }
                    "+" => {
                        if set_nonempty {
                            let d = self.expand_joined(w);
                            (d.clone().unwrap_or_default(), d.is_none())
                        } else {
                            (String::new(), known.is_none())
                        }
                    }
                    _ => (value.unwrap_or_default(), known.is_none()),
                }
            }
            Some((o, _)) if o.starts_with('#') || o.starts_with('%') || o.starts_with('/') => {
                (value.unwrap_or_default(), true)
            }
            _ => match value {
                Some(v) => (v, false),
                None => (String::new(), true),
            },
        }
    }

    /// Expand a word to one string; None when some part is unknown.
    pub(crate) fn expand_joined(&mut self, w: &Word) -> Option<String> {
        let args = self.expand(w);
        if args.iter().any(|a| a.dynamic) {
            return None;
        }
        Some(
            args.into_iter()
                .map(|a| a.text)
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// What a script writes to stdout, when it is computable.
    fn script_output(&mut self, s: &Script) -> Content {
        let mut out = Content::default();
        let mut texts = Vec::new();
        for ao in &s.items {
            for p in &ao.pipelines {
                let mut stdin: Option<Content> = None;
                for c in &p.commands {
                    stdin = match c {
                        Command::Simple(sc) => self.simple_output(sc, stdin),
                        _ => Some(Content::default()),
                    };
                }
                let c = stdin.unwrap_or_default();
                out.network |= c.network;
                out.decoded |= c.decoded;
                texts.push(c.text);
            }
        }
        out.text = texts
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .map(|v| v.concat());
        out
    }

    /// Output of one simple command without re-flagging it (rules ran already).
    fn simple_output(&mut self, sc: &SimpleCommand, stdin: Option<Content>) -> Option<Content> {
        let saved = std::mem::take(&mut self.reasons);
        let depth = self.depth;
        let out = self.simple(sc, stdin);
        self.depth = depth;
        let budget: Vec<Reason> = self
            .reasons
            .drain(..)
            .filter(|r| r.rule == "nesting.too-complex")
            .collect();
        self.reasons = saved;
        self.reasons.extend(budget);
        out
    }

    pub(crate) fn define_alias(&mut self, name: &str, value: &str) {
        self.aliases.insert(name.to_string(), value.to_string());
    }

    pub(crate) fn set_var(&mut self, name: &str, value: Option<String>) {
        self.vars.insert(name.to_string(), value);
    }

    pub(crate) fn depth(&self) -> usize {
        self.depth
    }
}

/// Expand `pre{a,b}post` (one level, no nesting) in an unquoted literal.
fn brace_expand(s: &str) -> Option<Vec<String>> {
    let open = s.find('{')?;
    let close = open + s[open..].find('}')?;
    let inner = &s[open + 1..close];
    if !inner.contains(',') || inner.contains('{') {
        return None;
    }
    let (pre, post) = (&s[..open], &s[close + 1..]);
    Some(
        inner
            .split(',')
            .take(32)
            .map(|m| format!("{pre}{m}{post}"))
            .collect(),
    )
}

/// A function that calls itself in a pipeline or in the background.
fn is_fork_bomb(name: &str, body: &Command) -> bool {
    fn calls(c: &Command, name: &str, out: &mut Vec<(bool, bool)>, piped: bool, bg: bool) {
        match c {
            Command::Simple(sc) => {
                if let Some(w) = sc.words.first()
                    && w.as_literal().as_deref() == Some(name)
                {
                    out.push((piped, bg));
                }
            }
            Command::Group { body, .. } => script(body, name, out),
            Command::Compound { bodies, .. } => bodies.iter().for_each(|b| script(b, name, out)),
            Command::FuncDef { .. } | Command::Arith(_) => {}
        }
    }
    fn script(s: &Script, name: &str, out: &mut Vec<(bool, bool)>) {
        for ao in &s.items {
            for p in &ao.pipelines {
                for c in &p.commands {
                    calls(c, name, out, p.commands.len() > 1, ao.background);
                }
            }
        }
    }
    let mut found = Vec::new();
    calls(body, name, &mut found, false, false);
    !found.is_empty() && (found.len() >= 2 || found.iter().any(|(p, b)| *p || *b))
}

#[cfg(test)]
mod tests;
