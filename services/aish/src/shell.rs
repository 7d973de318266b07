//! A recursive-descent parser for the bash command language.
//!
//! It covers what the danger analysis needs to see: lists, and-or lists, pipelines, simple
//! commands with assignments and redirections, compound commands (`{ }`, `( )`, `if`, `while`,
//! `until`, `for`, `case`, `[[ ]]`, `(( ))`), function definitions, every quoting form (`'…'`,
//! `"…"`, `$'…'`, backslashes), parameter expansion, command and process substitution, here
//! documents and here strings. It does not evaluate anything.

use thiserror::Error;

/// Why a command line could not be parsed.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("unterminated {what} starting at byte {at}")]
    Unterminated { what: &'static str, at: usize },
    #[error("unexpected `{token}` at byte {at}")]
    Unexpected { token: String, at: usize },
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
}

const MAX_DEPTH: usize = 64;

/// A whole command line: a sequence of and-or lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Script {
    pub items: Vec<AndOr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AndOr {
    pub pipelines: Vec<Pipeline>,
    /// Ended with `&`.
    pub background: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    pub negated: bool,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Simple(SimpleCommand),
    /// `{ …; }` or `( … )`; `subshell` tells which.
    Group {
        body: Script,
        subshell: bool,
        redirs: Vec<Redir>,
    },
    /// `if`, `while`, `until`, `for`, `case`, `select`: every script inside, in source order.
    Compound {
        keyword: &'static str,
        words: Vec<Word>,
        bodies: Vec<Script>,
        redirs: Vec<Redir>,
    },
    FuncDef {
        name: String,
        body: Box<Command>,
    },
    /// `(( … ))`: arithmetic, no side effects beyond variables.
    Arith(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimpleCommand {
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    In,
    Out,
    Append,
    Clobber,
    ReadWrite,
    DupOut,
    DupIn,
    HereDoc,
    HereString,
    OutErr,
    AppendErr,
}

impl RedirOp {
    /// Does this redirection write to its target (truncating or appending)?
    pub fn writes(self) -> bool {
        matches!(
            self,
            RedirOp::Out
                | RedirOp::Append
                | RedirOp::Clobber
                | RedirOp::ReadWrite
                | RedirOp::OutErr
                | RedirOp::AppendErr
        )
    }
    pub fn truncates(self) -> bool {
        matches!(self, RedirOp::Out | RedirOp::Clobber | RedirOp::OutErr)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Redir {
    pub fd: Option<u32>,
    pub op: RedirOp,
    pub target: Word,
    /// Body of a here document.
    pub heredoc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Word {
    pub parts: Vec<WordPart>,
    /// The source text of the word.
    pub raw: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum WordPart {
    /// Literal text; `quoted` when it came from quotes or a backslash escape.
    Lit { text: String, quoted: bool },
    /// Unquoted `~` or `~user` at the start of a word.
    Tilde(String),
    /// `$name`, `${name}`, `${name:-word}` …; `op` holds the operator and its word.
    Param {
        name: String,
        op: Option<(String, Word)>,
        quoted: bool,
    },
    /// `$( … )` or `` ` … ` ``.
    CmdSub { script: Script, quoted: bool },
    /// `<( … )` (`input` = true) or `>( … )`.
    ProcSub { script: Script, input: bool },
    /// `$(( … ))`.
    Arith(String),
}

impl Word {
    pub fn literal(s: &str) -> Word {
        Word {
            parts: vec![WordPart::Lit {
                text: s.to_string(),
                quoted: false,
            }],
            raw: s.to_string(),
        }
    }
    /// The word's text when it contains no expansion at all.
    pub fn as_literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                WordPart::Lit { text, .. } => s.push_str(text),
                _ => return None,
            }
        }
        Some(s)
    }
    /// True when some part of the word was quoted or escaped.
    pub fn has_quoting(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, WordPart::Lit { quoted: true, .. }))
            || self.raw.contains('\\')
    }
}

/// Parse a command line.
pub fn parse(src: &str) -> Result<Script, ParseError> {
    let mut p = Parser {
        s: src.as_bytes(),
        src,
        i: 0,
        depth: 0,
        pending_heredocs: Vec::new(),
    };
    let script = p.list(&[])?;
    p.skip_ws_nl();
    if p.i < p.s.len() {
        return Err(p.unexpected());
    }
    Ok(script)
}

struct PendingHeredoc {
    delim: String,
    strip_tabs: bool,
    /// Address of the redirection to fill: (pointer into an owned box is awkward, so index).
    slot: usize,
}

struct Parser<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    depth: usize,
    pending_heredocs: Vec<PendingHeredoc>,
}

// Here-document bodies are collected after the line ends and patched in by slot.
thread_local! {
    static HEREDOC_BODIES: std::cell::RefCell<Vec<Option<String>>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn is_meta(c: u8) -> bool {
    matches!(
        c,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

fn is_name_start(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphabetic()
}

fn is_name_char(c: u8) -> bool {
    c == b'_' || c.is_ascii_alphanumeric()
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }
    fn starts(&self, t: &str) -> bool {
        self.s[self.i..].starts_with(t.as_bytes())
    }
    fn unexpected(&self) -> ParseError {
        let rest = &self.src[self.i.min(self.src.len())..];
        let token: String = rest.chars().take(8).collect();
        ParseError::Unexpected {
            token: if token.is_empty() {
                "end of input".into()
            } else {
                token
            },
            at: self.i,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::TooDeep(MAX_DEPTH));
        }
        Ok(())
    }

    /// Skip blanks and comments (not newlines).
    fn skip_ws(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\r') => self.i += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.i += 2,
                Some(b'#') => {
                    while let Some(c) = self.peek() {
                        if c == b'\n' {
                            break;
                        }
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn skip_ws_nl(&mut self) {
        loop {
            self.skip_ws();
            if self.peek() == Some(b'\n') {
                self.i += 1;
                self.read_heredoc_bodies();
            } else {
                break;
            }
        }
    }

    /// After a newline: read the bodies of pending here documents.
    fn read_heredoc_bodies(&mut self) {
        let pending = std::mem::take(&mut self.pending_heredocs);
        for h in pending {
            let mut body = String::new();
            loop {
                if self.i >= self.s.len() {
                    break;
                }
                let end = self.s[self.i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map(|k| self.i + k)
                    .unwrap_or(self.s.len());
                let line = &self.src[self.i..end];
                self.i = (end + 1).min(self.s.len());
                let cmp = if h.strip_tabs {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if cmp == h.delim {
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            HEREDOC_BODIES.with(|b| {
                let mut b = b.borrow_mut();
                if h.slot < b.len() {
                    b[h.slot] = Some(body);
                }
            });
        }
    }

    /// Is the next word the given reserved word (followed by a delimiter)?
    fn at_reserved(&self, w: &str) -> bool {
        if !self.starts(w) {
            return false;
        }
        match self.s.get(self.i + w.len()) {
            None => true,
            Some(&c) => is_meta(c) || (w == "{" || w == "}") && c == b'\n',
        }
    }

    fn at_any_reserved(&self, ws: &[&str]) -> bool {
        ws.iter().any(|w| self.at_reserved(w))
    }

    /// list := and_or ((';' | '&' | newline) and_or)*, stopping before any terminator word.
    fn list(&mut self, terms: &[&str]) -> Result<Script, ParseError> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            self.skip_ws_nl();
            if self.i >= self.s.len() {
                break;
            }
            if self.at_any_reserved(terms) {
                break;
            }
            match self.peek() {
                Some(b')') => break,
                Some(b';') if self.peek_at(1) == Some(b';') => break,
                Some(b';') if self.peek_at(1) == Some(b'&') => break,
                _ => {}
            }
            if terms.contains(&"}") && self.at_reserved("}") {
                break;
            }
            let mut ao = self.and_or(terms)?;
            self.skip_ws();
            match self.peek() {
                Some(b';') if self.peek_at(1) != Some(b';') && self.peek_at(1) != Some(b'&') => {
                    self.i += 1
                }
                Some(b'&') if self.peek_at(1) != Some(b'&') && self.peek_at(1) != Some(b'>') => {
                    self.i += 1;
                    ao.background = true;
                }
                Some(b'\n') | None => {}
                Some(b')') => {}
                Some(b';') => {}
                _ => {
                    if !self.at_any_reserved(terms) {
                        items.push(ao);
                        return Err(self.unexpected());
                    }
                }
            }
            items.push(ao);
        }
        self.depth -= 1;
        Ok(Script { items })
    }

    fn and_or(&mut self, terms: &[&str]) -> Result<AndOr, ParseError> {
        let mut pipelines = vec![self.pipeline(terms)?];
        loop {
            self.skip_ws();
            if self.starts("&&") || self.starts("||") {
                self.i += 2;
                self.skip_ws_nl();
                pipelines.push(self.pipeline(terms)?);
            } else {
                break;
            }
        }
        Ok(AndOr {
            pipelines,
            background: false,
        })
    }

    fn pipeline(&mut self, terms: &[&str]) -> Result<Pipeline, ParseError> {
        self.skip_ws();
        let mut negated = false;
        loop {
            if self.at_reserved("!") {
                negated = !negated;
                self.i += 1;
                self.skip_ws();
            } else if self.at_reserved("time") {
                self.i += 4;
                self.skip_ws();
                while self.peek() == Some(b'-') {
                    while let Some(c) = self.peek() {
                        if is_meta(c) {
                            break;
                        }
                        self.i += 1;
                    }
                    self.skip_ws();
                }
            } else {
                break;
            }
        }
        let mut commands = vec![self.command(terms)?];
        loop {
            self.skip_ws();
            if self.peek() == Some(b'|') && self.peek_at(1) != Some(b'|') {
                self.i += 1;
                if self.peek() == Some(b'&') {
                    self.i += 1;
                }
                self.skip_ws_nl();
                commands.push(self.command(terms)?);
            } else {
                break;
            }
        }
        Ok(Pipeline { negated, commands })
    }

    fn expect_reserved(&mut self, w: &str) -> Result<(), ParseError> {
        self.skip_ws_nl();
        if self.at_reserved(w) {
            self.i += w.len();
            Ok(())
        } else if self.i >= self.s.len() {
            Err(ParseError::Unterminated {
                what: "compound command",
                at: self.i,
            })
        } else {
            Err(self.unexpected())
        }
    }

    fn command(&mut self, terms: &[&str]) -> Result<Command, ParseError> {
        self.enter()?;
        self.skip_ws();
        let c = self.command_inner(terms);
        self.depth -= 1;
        c
    }

    fn command_inner(&mut self, terms: &[&str]) -> Result<Command, ParseError> {
        let start = self.i;
        match self.peek() {
            None => return Err(self.unexpected()),
            Some(b'(') if self.peek_at(1) == Some(b'(') => {
                // (( arithmetic ))
                if let Some(end) = self.src[self.i + 2..].find("))") {
                    let body = self.src[self.i + 2..self.i + 2 + end].to_string();
                    self.i += 2 + end + 2;
                    return Ok(Command::Arith(body));
                }
            }
            Some(b'(') => {
                self.i += 1;
                let body = self.list(&[])?;
                self.skip_ws_nl();
                if self.peek() != Some(b')') {
                    return Err(ParseError::Unterminated {
                        what: "subshell",
                        at: start,
                    });
                }
                self.i += 1;
                let redirs = self.trailing_redirs()?;
                return Ok(Command::Group {
                    body,
                    subshell: true,
                    redirs,
                });
            }
            Some(b')') | Some(b';') | Some(b'|') | Some(b'&') => return Err(self.unexpected()),
            _ => {}
        }
        if self.at_reserved("{") {
            self.i += 1;
            let body = self.list(&["}"])?;
            self.expect_reserved("}")?;
            let redirs = self.trailing_redirs()?;
            return Ok(Command::Group {
                body,
                subshell: false,
                redirs,
            });
        }
        if self.at_reserved("if") {
            self.i += 2;
            let mut bodies = Vec::new();
            bodies.push(self.list(&["then"])?);
            self.expect_reserved("then")?;
            bodies.push(self.list(&["elif", "else", "fi"])?);
            loop {
                self.skip_ws_nl();
                if self.at_reserved("elif") {
                    self.i += 4;
                    bodies.push(self.list(&["then"])?);
                    self.expect_reserved("then")?;
                    bodies.push(self.list(&["elif", "else", "fi"])?);
                } else if self.at_reserved("else") {
                    self.i += 4;
                    bodies.push(self.list(&["fi"])?);
                } else {
                    break;
                }
            }
            self.expect_reserved("fi")?;
            let redirs = self.trailing_redirs()?;
            return Ok(Command::Compound {
                keyword: "if",
                words: vec![],
                bodies,
                redirs,
            });
        }
        for kw in ["while", "until"] {
            if self.at_reserved(kw) {
                self.i += kw.len();
                let cond = self.list(&["do"])?;
                self.expect_reserved("do")?;
                let body = self.list(&["done"])?;
                self.expect_reserved("done")?;
                let redirs = self.trailing_redirs()?;
                return Ok(Command::Compound {
                    keyword: if kw == "while" { "while" } else { "until" },
                    words: vec![],
                    bodies: vec![cond, body],
                    redirs,
                });
            }
        }
        for kw in ["for", "select"] {
            if self.at_reserved(kw) {
                self.i += kw.len();
                self.skip_ws();
                let mut words = Vec::new();
                if self.starts("((") {
                    let end = self.src[self.i..]
                        .find("))")
                        .ok_or(ParseError::Unterminated {
                            what: "for ((",
                            at: start,
                        })?;
                    self.i += end + 2;
                } else {
                    let var = self.word()?.ok_or_else(|| self.unexpected())?;
                    words.push(var);
                    self.skip_ws_nl();
                    if self.at_reserved("in") {
                        self.i += 2;
                        loop {
                            self.skip_ws();
                            match self.peek() {
                                Some(b';') | Some(b'\n') | None => break,
                                _ => {}
                            }
                            match self.word()? {
                                Some(w) => words.push(w),
                                None => return Err(self.unexpected()),
                            }
                        }
                    }
                }
                self.skip_ws();
                if self.peek() == Some(b';') {
                    self.i += 1;
                }
                self.expect_reserved("do")?;
                let body = self.list(&["done"])?;
                self.expect_reserved("done")?;
                let redirs = self.trailing_redirs()?;
                return Ok(Command::Compound {
                    keyword: if kw == "for" { "for" } else { "select" },
                    words,
                    bodies: vec![body],
                    redirs,
                });
            }
        }
        if self.at_reserved("case") {
            self.i += 4;
            self.skip_ws();
            let subject = self.word()?.ok_or_else(|| self.unexpected())?;
            self.expect_reserved("in")?;
            let mut words = vec![subject];
            let mut bodies = Vec::new();
            loop {
                self.skip_ws_nl();
                if self.at_reserved("esac") {
                    self.i += 4;
                    break;
                }
                if self.i >= self.s.len() {
                    return Err(ParseError::Unterminated {
                        what: "case",
                        at: start,
                    });
                }
                if self.peek() == Some(b'(') {
                    self.i += 1;
                }
                loop {
                    self.skip_ws();
                    let w = self.word()?.ok_or_else(|| self.unexpected())?;
                    words.push(w);
                    self.skip_ws();
                    match self.peek() {
                        Some(b'|') => self.i += 1,
                        Some(b')') => {
                            self.i += 1;
                            break;
                        }
                        _ => return Err(self.unexpected()),
                    }
                }
                bodies.push(self.list(&["esac"])?);
                self.skip_ws_nl();
                if self.starts(";;&") {
                    self.i += 3;
                } else if self.starts(";;") || self.starts(";&") {
                    self.i += 2;
                }
            }
            let redirs = self.trailing_redirs()?;
            return Ok(Command::Compound {
                keyword: "case",
                words,
                bodies,
                redirs,
            });
        }
        if self.at_reserved("function") {
            self.i += 8;
            self.skip_ws();
            let name = self.word()?.ok_or_else(|| self.unexpected())?;
            self.skip_ws();
            if self.starts("()") {
                self.i += 2;
            }
            self.skip_ws_nl();
            let body = self.command(terms)?;
            return Ok(Command::FuncDef {
                name: name.as_literal().unwrap_or(name.raw),
                body: Box::new(body),
            });
        }
        if self.at_reserved("[[") {
            // [[ expression ]]: words up to ]], where < and > are operators, not redirections.
            self.i += 2;
            let mut words = vec![Word::literal("[[")];
            loop {
                self.skip_ws_nl();
                if self.at_reserved("]]") {
                    self.i += 2;
                    words.push(Word::literal("]]"));
                    break;
                }
                match self.peek() {
                    None => {
                        return Err(ParseError::Unterminated {
                            what: "[[",
                            at: start,
                        });
                    }
                    Some(c @ (b'<' | b'>' | b'(' | b')' | b'!')) => {
                        self.i += 1;
                        words.push(Word::literal(&(c as char).to_string()));
                    }
                    Some(b'&') if self.peek_at(1) == Some(b'&') => {
                        self.i += 2;
                        words.push(Word::literal("&&"));
                    }
                    Some(b'|') if self.peek_at(1) == Some(b'|') => {
                        self.i += 2;
                        words.push(Word::literal("||"));
                    }
                    _ => match self.word()? {
                        Some(w) => words.push(w),
                        None => return Err(self.unexpected()),
                    },
                }
            }
            let redirs = self.trailing_redirs()?;
            return Ok(Command::Simple(SimpleCommand {
                assigns: vec![],
                words,
                redirs,
            }));
        }
        self.simple(terms)
    }

    fn trailing_redirs(&mut self) -> Result<Vec<Redir>, ParseError> {
        let mut out = Vec::new();
        loop {
            self.skip_ws();
            match self.try_redir()? {
                Some(r) => out.push(r),
                None => break,
            }
        }
        Ok(out)
    }

    /// Try to read a redirection at the cursor.
    fn try_redir(&mut self) -> Result<Option<Redir>, ParseError> {
        let save = self.i;
        let mut fd = None;
        let mut k = 0;
        while let Some(c) = self.peek_at(k) {
            if c.is_ascii_digit() {
                k += 1;
            } else {
                break;
            }
        }
        if k > 0 && matches!(self.peek_at(k), Some(b'<' | b'>')) {
            fd = self.src[self.i..self.i + k].parse().ok();
            self.i += k;
        }
        let op = if self.starts("<<<") {
            self.i += 3;
            RedirOp::HereString
        } else if self.starts("<<") {
            self.i += 2;
            let strip = if self.peek() == Some(b'-') {
                self.i += 1;
                true
            } else {
                false
            };
            self.skip_ws();
            let w = self.word()?.ok_or_else(|| self.unexpected())?;
            let delim = w
                .parts
                .iter()
                .map(|p| match p {
                    WordPart::Lit { text, .. } => text.clone(),
                    _ => String::new(),
                })
                .collect::<String>();
            let slot = HEREDOC_BODIES.with(|b| {
                let mut b = b.borrow_mut();
                b.push(None);
                b.len() - 1
            });
            self.pending_heredocs.push(PendingHeredoc {
                delim,
                strip_tabs: strip,
                slot,
            });
            return Ok(Some(Redir {
                fd,
                op: RedirOp::HereDoc,
                target: w,
                heredoc: Some(format!("\u{0}slot:{slot}")),
            }));
        } else if self.starts("&>>") {
            self.i += 3;
            RedirOp::AppendErr
        } else if self.starts("&>") {
            self.i += 2;
            RedirOp::OutErr
        } else if self.starts(">>") {
            self.i += 2;
            RedirOp::Append
        } else if self.starts(">|") {
            self.i += 2;
            RedirOp::Clobber
        } else if self.starts(">&") {
            self.i += 2;
            RedirOp::DupOut
        } else if self.starts("<&") {
            self.i += 2;
            RedirOp::DupIn
        } else if self.starts("<>") {
            self.i += 2;
            RedirOp::ReadWrite
        } else if self.starts(">(") || self.starts("<(") {
            self.i = save;
            return Ok(None);
        } else if self.starts(">") {
            self.i += 1;
            RedirOp::Out
        } else if self.starts("<") {
            self.i += 1;
            RedirOp::In
        } else {
            self.i = save;
            return Ok(None);
        };
        self.skip_ws();
        let target = match self.word()? {
            Some(w) => w,
            None => return Err(self.unexpected()),
        };
        // `>&word` where word is not a number means `&>word`.
        let op = if op == RedirOp::DupOut
            && target
                .as_literal()
                .is_some_and(|t| !t.chars().all(|c| c.is_ascii_digit() || c == '-'))
        {
            RedirOp::OutErr
        } else {
            op
        };
        Ok(Some(Redir {
            fd,
            op,
            target,
            heredoc: None,
        }))
    }

    fn simple(&mut self, terms: &[&str]) -> Result<Command, ParseError> {
        let mut cmd = SimpleCommand::default();
        loop {
            self.skip_ws();
            match self.peek() {
                None | Some(b'\n' | b';' | b'|' | b')') => break,
                Some(b'&') if self.peek_at(1) != Some(b'>') => break,
                _ => {}
            }
            if cmd.words.is_empty() && !cmd.assigns.is_empty() && self.at_any_reserved(terms) {
                break;
            }
            if !cmd.words.is_empty() || !cmd.assigns.is_empty() {
                // A reserved word that ends the enclosing construct only counts in command position.
            } else if self.at_any_reserved(terms) && !terms.is_empty() {
                break;
            }
            if let Some(r) = self.try_redir()? {
                cmd.redirs.push(r);
                continue;
            }
            if self.peek() == Some(b'(') && !cmd.words.is_empty() {
                // name () compound: a function definition
                if cmd.words.len() == 1 && cmd.assigns.is_empty() {
                    let save = self.i;
                    self.i += 1;
                    self.skip_ws();
                    if self.peek() == Some(b')') {
                        self.i += 1;
                        self.skip_ws_nl();
                        let body = if self.peek() == Some(b'{') && !self.at_reserved("{") {
                            // `f(){body;}` without a blank after `{`: bash rejects it but other
                            // shells accept it; read it as the group it is meant to be.
                            self.i += 1;
                            let body = self.list(&["}"])?;
                            self.expect_reserved("}")?;
                            Command::Group {
                                body,
                                subshell: false,
                                redirs: vec![],
                            }
                        } else {
                            self.command(terms)?
                        };
                        let w = cmd.words.pop().unwrap_or_default();
                        return Ok(Command::FuncDef {
                            name: w.as_literal().unwrap_or(w.raw),
                            body: Box::new(body),
                        });
                    }
                    self.i = save;
                }
                return Err(self.unexpected());
            }
            let start = self.i;
            let Some(w) = self.word()? else {
                return Err(self.unexpected());
            };
            if cmd.words.is_empty()
                && let Some((name, value)) = split_assignment(&w, &self.src[start..self.i])
            {
                // `a=(x y)` arrays: swallow the parenthesised list.
                if value.raw.is_empty() && self.peek() == Some(b'(') {
                    let arr_start = self.i;
                    let mut depth = 0;
                    while let Some(c) = self.peek() {
                        self.i += 1;
                        if c == b'(' {
                            depth += 1;
                        } else if c == b')' {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                    }
                    let raw = &self.src[arr_start..self.i];
                    cmd.assigns.push((name, Word::literal(raw)));
                } else {
                    cmd.assigns.push((name, value));
                }
                continue;
            }
            cmd.words.push(w);
        }
        if cmd.words.is_empty() && cmd.assigns.is_empty() && cmd.redirs.is_empty() {
            return Err(self.unexpected());
        }
        Ok(Command::Simple(cmd))
    }

    /// Read one word; None when the cursor is at a metacharacter.
    fn word(&mut self) -> Result<Option<Word>, ParseError> {
        let start = self.i;
        let mut parts: Vec<WordPart> = Vec::new();
        let mut lit = String::new();
        let mut lit_quoted = false;
        fn flush(parts: &mut Vec<WordPart>, lit: &mut String, quoted: bool) {
            if !lit.is_empty() {
                parts.push(WordPart::Lit {
                    text: std::mem::take(lit),
                    quoted,
                });
            }
        }
        // Tilde prefix
        if self.peek() == Some(b'~') {
            self.i += 1;
            let us = self.i;
            while let Some(c) = self.peek() {
                if is_name_char(c) || c == b'-' || c == b'.' {
                    self.i += 1;
                } else {
                    break;
                }
            }
            let user = self.src[us..self.i].to_string();
            match self.peek() {
                None | Some(b'/') => parts.push(WordPart::Tilde(user)),
                Some(c) if is_meta(c) => parts.push(WordPart::Tilde(user)),
                _ => {
                    lit.push('~');
                    lit.push_str(&user);
                }
            }
        }
        while let Some(c) = self.peek() {
            if is_meta(c) {
                if (c == b'<' || c == b'>') && self.peek_at(1) == Some(b'(') {
                    flush(&mut parts, &mut lit, lit_quoted);
                    let input = c == b'<';
                    self.i += 2;
                    let script = self.list(&[])?;
                    self.skip_ws_nl();
                    if self.peek() != Some(b')') {
                        return Err(ParseError::Unterminated {
                            what: "process substitution",
                            at: start,
                        });
                    }
                    self.i += 1;
                    parts.push(WordPart::ProcSub { script, input });
                    continue;
                }
                break;
            }
            if c == b'{'
                && self.starts("{{")
                && let Some(text) = self.template_placeholder()
            {
                flush(&mut parts, &mut lit, lit_quoted);
                parts.push(WordPart::Lit { text, quoted: true });
                continue;
            }
            match c {
                b'\'' => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    let qs = self.i;
                    self.i += 1;
                    let end = self.s[self.i..].iter().position(|&b| b == b'\'').ok_or(
                        ParseError::Unterminated {
                            what: "single quote",
                            at: qs,
                        },
                    )?;
                    parts.push(WordPart::Lit {
                        text: self.src[self.i..self.i + end].to_string(),
                        quoted: true,
                    });
                    self.i += end + 1;
                }
                b'"' => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    self.i += 1;
                    self.double_quoted(&mut parts, start)?;
                }
                b'\\' => {
                    match self.peek_at(1) {
                        Some(b'\n') => {
                            self.i += 2;
                        }
                        Some(_) => {
                            flush(&mut parts, &mut lit, lit_quoted);
                            self.i += 1;
                            let ch = self.next_char();
                            parts.push(WordPart::Lit {
                                text: ch.to_string(),
                                quoted: true,
                            });
                        }
                        None => {
                            self.i += 1;
                        }
                    }
                    lit_quoted = false;
                }
                b'$' => {
                    if self.peek_at(1) == Some(b'\'') {
                        flush(&mut parts, &mut lit, lit_quoted);
                        self.i += 2;
                        let text = self.ansi_c_string(start)?;
                        parts.push(WordPart::Lit { text, quoted: true });
                    } else if self.peek_at(1) == Some(b'"') {
                        flush(&mut parts, &mut lit, lit_quoted);
                        self.i += 2;
                        self.double_quoted(&mut parts, start)?;
                    } else if let Some(p) = self.dollar(false)? {
                        flush(&mut parts, &mut lit, lit_quoted);
                        parts.push(p);
                    } else {
                        lit.push('$');
                        self.i += 1;
                    }
                }
                b'`' => {
                    flush(&mut parts, &mut lit, lit_quoted);
                    let script = self.backquote(false)?;
                    parts.push(WordPart::CmdSub {
                        script,
                        quoted: false,
                    });
                }
                _ => {
                    let ch = self.next_char();
                    lit.push(ch);
                }
            }
        }
        flush(&mut parts, &mut lit, lit_quoted);
        if self.i == start {
            return Ok(None);
        }
        Ok(Some(Word {
            parts,
            raw: self.src[start..self.i].to_string(),
        }))
    }

    /// A documentation placeholder `{{…}}` (tldr style): `{{[-a|--all]}}` or `{{x|y}}` stands
    /// for its first alternative, `{{path/to/file}}` for its text. Only accepted when it cannot
    /// hide a command: no `;`, `&`, `$`, backquote, redirection or newline inside, and every
    /// alternative that contains a space is an option.
    fn template_placeholder(&mut self) -> Option<String> {
        let rest = &self.src[self.i + 2..];
        let end = rest.find("}}")?;
        let inner = &rest[..end];
        if inner.is_empty() || inner.contains(['\n', ';', '&', '$', '`', '<', '>', '{', '}']) {
            return None;
        }
        let body = inner
            .strip_prefix('[')
            .and_then(|b| b.strip_suffix(']'))
            .unwrap_or(inner);
        let alts: Vec<&str> = body.split('|').collect();
        if alts.len() > 1
            && alts
                .iter()
                .any(|a| a.trim().contains(' ') && !a.trim().starts_with('-'))
        {
            return None;
        }
        let first = alts[0].trim().to_string();
        self.i += 2 + end + 2;
        Some(if first.is_empty() { "x".into() } else { first })
    }

    fn next_char(&mut self) -> char {
        let ch = self.src[self.i..].chars().next().unwrap_or('\0');
        self.i += ch.len_utf8().max(1);
        ch
    }

    fn double_quoted(&mut self, parts: &mut Vec<WordPart>, start: usize) -> Result<(), ParseError> {
        let mut lit = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::Unterminated {
                    what: "double quote",
                    at: start,
                });
            };
            match c {
                b'"' => {
                    self.i += 1;
                    break;
                }
                b'\\' => match self.peek_at(1) {
                    Some(b'$' | b'`' | b'"' | b'\\') => {
                        lit.push(self.s[self.i + 1] as char);
                        self.i += 2;
                    }
                    Some(b'\n') => self.i += 2,
                    _ => {
                        lit.push('\\');
                        self.i += 1;
                    }
                },
                b'$' => {
                    if let Some(p) = self.dollar(true)? {
                        if !lit.is_empty() {
                            parts.push(WordPart::Lit {
                                text: std::mem::take(&mut lit),
                                quoted: true,
                            });
                        }
                        parts.push(p);
                    } else {
                        lit.push('$');
                        self.i += 1;
                    }
                }
                b'`' => {
                    if !lit.is_empty() {
                        parts.push(WordPart::Lit {
                            text: std::mem::take(&mut lit),
                            quoted: true,
                        });
                    }
                    let script = self.backquote(true)?;
                    parts.push(WordPart::CmdSub {
                        script,
                        quoted: true,
                    });
                }
                _ => {
                    let ch = self.next_char();
                    lit.push(ch);
                }
            }
        }
        // Even an empty "" is a (quoted, empty) literal: it makes a word.
        parts.push(WordPart::Lit {
            text: lit,
            quoted: true,
        });
        Ok(())
    }

    fn ansi_c_string(&mut self, start: usize) -> Result<String, ParseError> {
        let mut out = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::Unterminated {
                    what: "$'…' string",
                    at: start,
                });
            };
            self.i += 1;
            match c {
                b'\'' => break,
                b'\\' => {
                    let Some(e) = self.peek() else { continue };
                    self.i += 1;
                    match e {
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'a' => out.push('\x07'),
                        b'b' => out.push('\x08'),
                        b'e' | b'E' => out.push('\x1b'),
                        b'\\' => out.push('\\'),
                        b'\'' => out.push('\''),
                        b'"' => out.push('"'),
                        b'x' => {
                            let v = self.take_radix(16, 2);
                            out.push(char::from_u32(v).unwrap_or('?'));
                        }
                        b'u' => {
                            let v = self.take_radix(16, 4);
                            out.push(char::from_u32(v).unwrap_or('?'));
                        }
                        b'U' => {
                            let v = self.take_radix(16, 8);
                            out.push(char::from_u32(v).unwrap_or('?'));
                        }
                        b'0'..=b'7' => {
                            self.i -= 1;
                            let v = self.take_radix(8, 3);
                            out.push(char::from_u32(v).unwrap_or('?'));
                        }
                        _ => {
                            self.i -= 1;
                            out.push('\\');
                            out.push(self.next_char());
                        }
                    }
                }
                _ => {
                    self.i -= 1;
                    out.push(self.next_char());
                }
            }
        }
        Ok(out)
    }

    fn take_radix(&mut self, radix: u32, max: usize) -> u32 {
        let mut v = 0;
        for _ in 0..max {
            match self.peek().and_then(|c| (c as char).to_digit(radix)) {
                Some(d) => {
                    v = v * radix + d;
                    self.i += 1;
                }
                None => break,
            }
        }
        v
    }

    /// `$…` at the cursor; None when the `$` is literal.
    fn dollar(&mut self, quoted: bool) -> Result<Option<WordPart>, ParseError> {
        let start = self.i;
        match self.peek_at(1) {
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                let mut depth = 0i32;
                let mut j = self.i + 1;
                while j < self.s.len() {
                    match self.s[j] {
                        b'(' => depth += 1,
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                if j >= self.s.len() {
                    return Err(ParseError::Unterminated {
                        what: "$((",
                        at: start,
                    });
                }
                let body = self.src[self.i + 3..j.saturating_sub(1).max(self.i + 3)].to_string();
                self.i = j + 1;
                Ok(Some(WordPart::Arith(body)))
            }
            Some(b'(') => {
                self.i += 2;
                let script = self.list(&[])?;
                self.skip_ws_nl();
                if self.peek() != Some(b')') {
                    return Err(ParseError::Unterminated {
                        what: "$(",
                        at: start,
                    });
                }
                self.i += 1;
                Ok(Some(WordPart::CmdSub { script, quoted }))
            }
            Some(b'{') => {
                self.i += 2;
                let ns = self.i;
                // ${#name}, ${!name}
                while let Some(c) = self.peek() {
                    if c == b'#' || c == b'!' {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                while let Some(c) = self.peek() {
                    if is_name_char(c)
                        || (self.i == ns && matches!(c, b'@' | b'*' | b'?' | b'$' | b'-'))
                    {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                let name = self.src[ns..self.i]
                    .trim_start_matches(['#', '!'])
                    .to_string();
                // operator and word up to the matching }
                let os = self.i;
                let mut depth = 1;
                let mut j = self.i;
                let mut in_sq = false;
                while j < self.s.len() {
                    let c = self.s[j];
                    if in_sq {
                        if c == b'\'' {
                            in_sq = false;
                        }
                    } else if c == b'\\' {
                        j += 1;
                    } else if c == b'\'' && !quoted {
                        in_sq = true;
                    } else if c == b'{' {
                        depth += 1;
                    } else if c == b'}' {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    j += 1;
                }
                if j >= self.s.len() {
                    return Err(ParseError::Unterminated {
                        what: "${",
                        at: start,
                    });
                }
                let rest = &self.src[os..j];
                self.i = j + 1;
                let op = if rest.is_empty() {
                    None
                } else {
                    let opl = rest
                        .char_indices()
                        .find(|(_, c)| {
                            !matches!(c, ':' | '-' | '=' | '?' | '+' | '#' | '%' | '/' | '^' | ',')
                        })
                        .map(|(k, _)| k)
                        .unwrap_or(rest.len())
                        .min(2);
                    let (o, w) = rest.split_at(opl);
                    let inner = parse_word_text(w);
                    Some((o.to_string(), inner))
                };
                Ok(Some(WordPart::Param { name, op, quoted }))
            }
            Some(c) if is_name_start(c) => {
                self.i += 1;
                let ns = self.i;
                while let Some(c) = self.peek() {
                    if is_name_char(c) {
                        self.i += 1;
                    } else {
                        break;
                    }
                }
                Ok(Some(WordPart::Param {
                    name: self.src[ns..self.i].to_string(),
                    op: None,
                    quoted,
                }))
            }
            Some(c) if c.is_ascii_digit() || b"@*#?$!-".contains(&c) => {
                self.i += 2;
                Ok(Some(WordPart::Param {
                    name: (c as char).to_string(),
                    op: None,
                    quoted,
                }))
            }
            _ => Ok(None),
        }
    }

    fn backquote(&mut self, in_dq: bool) -> Result<Script, ParseError> {
        let start = self.i;
        self.i += 1;
        let mut inner = String::new();
        loop {
            let Some(c) = self.peek() else {
                return Err(ParseError::Unterminated {
                    what: "backquote",
                    at: start,
                });
            };
            self.i += 1;
            match c {
                b'`' => break,
                b'\\' => match self.peek() {
                    Some(e @ (b'$' | b'`' | b'\\')) => {
                        inner.push(e as char);
                        self.i += 1;
                    }
                    Some(b'"') if in_dq => {
                        inner.push('"');
                        self.i += 1;
                    }
                    _ => inner.push('\\'),
                },
                _ => {
                    self.i -= 1;
                    inner.push(self.next_char());
                }
            }
        }
        parse(&inner)
    }
}

/// Parse the text of a `${name<op>word}` operand as a word.
fn parse_word_text(w: &str) -> Word {
    let mut p = Parser {
        s: w.as_bytes(),
        src: w,
        i: 0,
        depth: 0,
        pending_heredocs: Vec::new(),
    };
    // Spaces are literal inside ${…}; read word pieces and join them.
    let mut parts = Vec::new();
    while p.i < p.s.len() {
        match p.word() {
            Ok(Some(x)) => parts.extend(x.parts),
            _ => {
                if p.i >= p.s.len() {
                    break;
                }
                let ch = p.next_char();
                parts.push(WordPart::Lit {
                    text: ch.to_string(),
                    quoted: false,
                });
            }
        }
    }
    Word {
        parts,
        raw: w.to_string(),
    }
}

/// `NAME=value` (or `NAME+=value`) in command position.
fn split_assignment(w: &Word, raw: &str) -> Option<(String, Word)> {
    let Some(WordPart::Lit {
        text,
        quoted: false,
    }) = w.parts.first()
    else {
        return None;
    };
    let eq = text.find('=')?;
    let name = text[..eq].trim_end_matches('+');
    let nb = name.as_bytes();
    if nb.is_empty() || !is_name_start(nb[0]) || !nb.iter().all(|&c| is_name_char(c)) {
        return None;
    }
    let mut parts = Vec::new();
    let rest = &text[eq + 1..];
    if !rest.is_empty() {
        parts.push(WordPart::Lit {
            text: rest.to_string(),
            quoted: false,
        });
    }
    parts.extend(w.parts[1..].iter().cloned());
    let raw_value = raw.split_once('=').map(|x| x.1).unwrap_or("").to_string();
    Some((
        name.to_string(),
        Word {
            parts,
            raw: raw_value,
        },
    ))
}

/// Parse and patch here-document bodies into their redirections.
pub fn parse_script(src: &str) -> Result<Script, ParseError> {
    HEREDOC_BODIES.with(|b| b.borrow_mut().clear());
    let mut s = parse(src)?;
    let bodies = HEREDOC_BODIES.with(|b| std::mem::take(&mut *b.borrow_mut()));
    patch_script(&mut s, &bodies);
    Ok(s)
}

fn patch_script(s: &mut Script, bodies: &[Option<String>]) {
    for ao in &mut s.items {
        for p in &mut ao.pipelines {
            for c in &mut p.commands {
                patch_command(c, bodies);
            }
        }
    }
}

fn patch_redirs(rs: &mut [Redir], bodies: &[Option<String>]) {
    for r in rs {
        if let Some(h) = &r.heredoc
            && let Some(slot) = h.strip_prefix("\u{0}slot:")
        {
            let idx: usize = slot.parse().unwrap_or(usize::MAX);
            r.heredoc = Some(bodies.get(idx).cloned().flatten().unwrap_or_default());
        }
        patch_word(&mut r.target, bodies);
    }
}

fn patch_word(w: &mut Word, bodies: &[Option<String>]) {
    for p in &mut w.parts {
        match p {
            WordPart::CmdSub { script, .. } | WordPart::ProcSub { script, .. } => {
                patch_script(script, bodies)
            }
            WordPart::Param {
                op: Some((_, w)), ..
            } => patch_word(w, bodies),
            _ => {}
        }
    }
}

fn patch_command(c: &mut Command, bodies: &[Option<String>]) {
    match c {
        Command::Simple(sc) => {
            patch_redirs(&mut sc.redirs, bodies);
            for w in &mut sc.words {
                patch_word(w, bodies);
            }
            for (_, w) in &mut sc.assigns {
                patch_word(w, bodies);
            }
        }
        Command::Group { body, redirs, .. } => {
            patch_script(body, bodies);
            patch_redirs(redirs, bodies);
        }
        Command::Compound {
            bodies: bs,
            redirs,
            words,
            ..
        } => {
            for b in bs {
                patch_script(b, bodies);
            }
            for w in words {
                patch_word(w, bodies);
            }
            patch_redirs(redirs, bodies);
        }
        Command::FuncDef { body, .. } => patch_command(body, bodies),
        Command::Arith(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn simple(s: &Script, i: usize) -> &SimpleCommand {
        match &s.items[i].pipelines[0].commands[0] {
            Command::Simple(c) => c,
            other => panic!("not simple: {other:?}"),
        }
    }

    #[test]
    fn words_and_quotes() {
        let s = parse_script(r#"r''m -"r"f \/ $'\x2f'"#).unwrap();
        let c = simple(&s, 0);
        let lits: Vec<_> = c.words.iter().map(|w| w.as_literal().unwrap()).collect();
        assert_eq!(lits, ["rm", "-rf", "/", "/"]);
    }

    #[test]
    fn lists_pipelines_background() {
        let s = parse_script("a | b && c || d; e & f").unwrap();
        assert_eq!(s.items.len(), 3);
        assert_eq!(s.items[0].pipelines.len(), 3);
        assert_eq!(s.items[0].pipelines[0].commands.len(), 2);
        assert!(s.items[1].background);
    }

    #[test]
    fn fork_bomb_parses_as_function() {
        let s = parse_script(":(){ :|:& };:").unwrap();
        assert!(matches!(
            &s.items[0].pipelines[0].commands[0],
            Command::FuncDef { name, .. } if name == ":"
        ));
        assert_eq!(s.items.len(), 2);
    }

    #[test]
    fn substitutions_and_redirections() {
        let s = parse_script("bash <(curl -s x) > out 2>&1 <<< \"$(echo hi)\"").unwrap();
        let c = simple(&s, 0);
        assert!(matches!(
            c.words[1].parts[0],
            WordPart::ProcSub { input: true, .. }
        ));
        assert_eq!(c.redirs.len(), 3);
        assert_eq!(c.redirs[0].op, RedirOp::Out);
        assert_eq!(c.redirs[1].op, RedirOp::DupOut);
        assert_eq!(c.redirs[2].op, RedirOp::HereString);
    }

    #[test]
    fn heredoc_body_is_captured() {
        let s = parse_script("bash <<EOF\nrm -rf /\nEOF\necho done").unwrap();
        let c = simple(&s, 0);
        assert_eq!(c.redirs[0].heredoc.as_deref(), Some("rm -rf /\n"));
        assert_eq!(s.items.len(), 2);
    }

    #[test]
    fn compound_commands() {
        for src in [
            "if true; then rm a; elif x; then y; else z; fi",
            "for f in *.txt; do rm \"$f\"; done",
            "while read l; do echo $l; done < file",
            "case $x in a|b) rm a;; *) echo;; esac",
            "{ echo a; echo b; } > out",
            "(cd /tmp && ls)",
            "[[ -f a && $x < 3 ]] && echo y",
            "function f { echo; }",
            "x=(1 2 3); echo ${x[@]}",
        ] {
            parse_script(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        }
    }

    #[test]
    fn unterminated_is_an_error() {
        for src in [
            "echo 'abc",
            "echo \"abc",
            "echo $(ls",
            "(ls",
            "if true; then ls",
            "ls |",
            "ls )",
        ] {
            assert!(parse_script(src).is_err(), "{src} parsed");
        }
    }

    #[test]
    fn assignments_and_params() {
        let s = parse_script("x=rm; $x -rf ${y:-/}").unwrap();
        let c0 = simple(&s, 0);
        assert_eq!(c0.assigns[0].0, "x");
        let c1 = simple(&s, 1);
        assert!(matches!(&c1.words[0].parts[0], WordPart::Param { name, .. } if name == "x"));
        assert!(
            matches!(&c1.words[2].parts[0], WordPart::Param { op: Some((o, _)), .. } if o == ":-")
        );
    }
}
