//! Interpreter one-liners (`python -c`, `perl -e`, `ruby -e`, `node -e`, awk programs).
//!
//! Not a parser for each language: it finds the calls that reach the system (running a shell
//! command, deleting a tree, removing a file, opening a file for writing, killing a process,
//! forking in a loop) and the string literals they are given, then judges those with the same
//! rules as shell commands. Base64 literals that decode to text are judged as shell too.

use base64::Engine;

use super::{Analyzer, Arg, Level};

#[derive(Clone, Copy, PartialEq)]
enum Call {
    /// The argument is a shell command (string, or list of words).
    Shell,
    /// Deletes a tree.
    RmTree,
    /// Deletes one file or empty directory.
    Remove,
    /// Opens a file; writing when the mode says so.
    Open,
    /// Writes a whole file.
    Write,
    /// Sends a signal.
    Kill,
}

const CALLS: &[(&str, Call)] = &[
    // python
    ("os.system", Call::Shell),
    ("os.popen", Call::Shell),
    ("subprocess.run", Call::Shell),
    ("subprocess.call", Call::Shell),
    ("subprocess.Popen", Call::Shell),
    ("subprocess.check_output", Call::Shell),
    ("subprocess.check_call", Call::Shell),
    ("subprocess.getoutput", Call::Shell),
    ("subprocess.getstatusoutput", Call::Shell),
    ("os.exec", Call::Shell),
    ("os.spawn", Call::Shell),
    ("pty.spawn", Call::Shell),
    ("shutil.rmtree", Call::RmTree),
    ("rmtree", Call::RmTree),
    ("remove_tree", Call::RmTree),
    ("os.remove", Call::Remove),
    ("os.unlink", Call::Remove),
    ("os.rmdir", Call::Remove),
    ("os.removedirs", Call::Remove),
    (".unlink", Call::Remove),
    (".rmdir", Call::Remove),
    ("open", Call::Open),
    (".write_text", Call::Write),
    (".write_bytes", Call::Write),
    ("os.kill", Call::Kill),
    ("os.killpg", Call::Kill),
    // perl
    ("system", Call::Shell),
    ("exec", Call::Shell),
    ("qx", Call::Shell),
    ("unlink", Call::Remove),
    ("rmdir", Call::Remove),
    ("kill", Call::Kill),
    // ruby
    ("FileUtils.rm_rf", Call::RmTree),
    ("FileUtils.rm_r", Call::RmTree),
    ("FileUtils.remove_dir", Call::RmTree),
    ("FileUtils.remove_entry", Call::RmTree),
    ("FileUtils.rm", Call::Remove),
    ("File.delete", Call::Remove),
    ("Dir.delete", Call::Remove),
    ("File.write", Call::Write),
    ("Process.kill", Call::Kill),
    ("spawn", Call::Shell),
    ("IO.popen", Call::Shell),
    ("Open3.capture2", Call::Shell),
    ("%x", Call::Shell),
    // node
    ("execSync", Call::Shell),
    ("exec", Call::Shell),
    ("spawnSync", Call::Shell),
    ("execFileSync", Call::Shell),
    ("rmSync", Call::RmTree),
    ("rmdirSync", Call::RmTree),
    ("rm", Call::RmTree),
    ("rmdir", Call::RmTree),
    ("unlinkSync", Call::Remove),
    ("writeFileSync", Call::Write),
    ("writeFile", Call::Write),
    ("process.kill", Call::Kill),
    // php
    ("shell_exec", Call::Shell),
    ("passthru", Call::Shell),
    ("proc_open", Call::Shell),
    ("file_put_contents", Call::Write),
    // lua
    ("os.execute", Call::Shell),
    ("io.popen", Call::Shell),
    // awk
    ("getline", Call::Shell),
];

/// Every quoted string literal in `code` with its start offset.
fn literals(code: &str) -> Vec<(usize, String)> {
    let b: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut byte = 0;
    while i < b.len() {
        let c = b[i];
        if c == '"' || c == '\'' || c == '`' {
            let start = byte;
            let q = c;
            let mut s = String::new();
            i += 1;
            byte += c.len_utf8();
            while i < b.len() && b[i] != q {
                if b[i] == '\\' && i + 1 < b.len() {
                    byte += b[i].len_utf8();
                    i += 1;
                    let e = b[i];
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    s.push(b[i]);
                }
                byte += b[i].len_utf8();
                i += 1;
            }
            out.push((start, s));
        }
        if i < b.len() {
            byte += b[i].len_utf8();
        }
        i += 1;
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The argument text of a call at `pos` (after the name): up to the matching `)` or `;`.
fn call_args(code: &str, pos: usize) -> Option<&str> {
    let rest = &code[pos..];
    let trimmed = rest.trim_start();
    let off = rest.len() - trimmed.len();
    let mut chars = trimmed.char_indices();
    let (open, close) = match trimmed.chars().next()? {
        '(' => ('(', ')'),
        '{' => ('{', '}'),
        '[' => ('[', ']'),
        '"' | '\'' | '`' => {
            // perl/ruby style call without parentheses: up to ; or end
            let end = trimmed.find([';', '\n']).unwrap_or(trimmed.len());
            return Some(&rest[off..off + end]);
        }
        _ => return None,
    };
    chars.next();
    let mut depth = 1;
    let mut quote: Option<char> = None;
    for (k, c) in chars {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' | '`' => quote = Some(c),
            c if c == open => depth += 1,
            c if c == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(&rest[off + 1..off + k]);
                }
            }
            _ => {}
        }
    }
    Some(&rest[off + 1..])
}

fn home_ref(args: &str) -> bool {
    args.contains("expanduser")
        || args.contains("home()")
        || args.contains("HOME")
        || args.contains("homedir()")
}

/// Judge interpreter code.
pub(crate) fn analyze(an: &mut Analyzer, part: &str, lang: &str, code: &str, label: &str) {
    let mut found = false;
    // Fork bombs: forking in a loop, or perl's `fork while fork`.
    let lc = code.replace(' ', "");
    if (code.contains("fork")
        && (code.contains("while")
            || code.contains("for(;;)")
            || code.contains("loop")
            || code.contains("until")))
        || lc.contains("forkwhilefork")
    {
        an.flag(
            Level::Critical,
            part,
            "forkbomb.interpreter",
            format!("forks in an unbounded loop: a fork bomb ({label})"),
        );
        found = true;
    }
    for (name, kind) in CALLS {
        let mut from = 0;
        while let Some(k) = code[from..].find(name) {
            let pos = from + k;
            from = pos + name.len();
            // whole identifier (allow a leading `.` in the needle)
            let before_ok = name.starts_with('.')
                || pos == 0
                || !code[..pos].chars().next_back().is_some_and(is_ident);
            let after_ok = !code[from..].chars().next().is_some_and(is_ident);
            if !before_ok || !after_ok {
                continue;
            }
            // `system` etc. in awk/perl without parentheses take a string directly
            let Some(args) = call_args(code, from) else {
                continue;
            };
            let lits: Vec<String> = literals(args).into_iter().map(|(_, s)| s).collect();
            found = true;
            match kind {
                Call::Shell => {
                    let cmd = if args.trim_start().starts_with('[')
                        || lits.len() > 1 && args.contains(',')
                    {
                        lits.join(" ")
                    } else {
                        lits.first().cloned().unwrap_or_default()
                    };
                    if cmd.is_empty() {
                        an.flag(
                            Level::Destructive,
                            part,
                            "exec.interpreter-shell",
                            format!("`{name}` runs a shell command built at run time ({label})"),
                        );
                    } else if *name == "getline" {
                        // awk: "cmd" | getline
                        found = false;
                    } else {
                        an.nested(&cmd, format!("{label}, via `{name}`"));
                    }
                }
                Call::RmTree | Call::Remove => {
                    let target = lits
                        .first()
                        .cloned()
                        .or_else(|| home_ref(args).then(|| "~".to_string()));
                    let t = match target {
                        Some(t) if home_ref(args) && !t.starts_with('/') && !t.starts_with('~') => {
                            format!("~/{t}")
                        }
                        Some(t) => t,
                        None => String::new(),
                    };
                    let flags = if *kind == Call::RmTree { "-rf " } else { "" };
                    let quoted = if t.is_empty() {
                        "\"$UNKNOWN\"".to_string()
                    } else {
                        format!("'{}'", t.replace('\'', ""))
                    };
                    an.nested(
                        &format!("rm {flags}{quoted}"),
                        format!("{label}, via `{name}`"),
                    );
                }
                Call::Open | Call::Write => {
                    let Some(path) = lits.first() else { continue };
                    let writing = *kind == Call::Write
                        || lits
                            .get(1)
                            .is_some_and(|m| m.contains('w') || m.contains('a') || m.contains('+'))
                        || args.contains(">") && lang == "perl";
                    let path = path.trim_start_matches(['>', '<', '+', ' ']).to_string();
                    if writing {
                        let a = Arg::lit(&path);
                        an.nested(
                            &format!("true > '{}'", a.text.replace('\'', "")),
                            format!("{label}, via `{name}` for writing"),
                        );
                    } else {
                        found = false;
                    }
                }
                Call::Kill => {
                    let t = args.trim();
                    let first = t.split(',').next().unwrap_or("").trim();
                    // perl: kill SIGNAL, PIDS
                    let pid = if lang == "perl" {
                        t.split(',').nth(1).unwrap_or("").trim()
                    } else {
                        first
                    };
                    if pid == "1" || pid == "-1" {
                        an.flag(
                            Level::Critical,
                            part,
                            "kill.all-or-init",
                            format!("kills PID 1 or every process ({label})"),
                        );
                    } else {
                        an.flag(
                            Level::Destructive,
                            part,
                            "kill.processes",
                            format!("sends a signal to processes ({label})"),
                        );
                    }
                }
            }
        }
    }
    // perl/ruby backticks run shell
    if matches!(lang, "perl" | "ruby") {
        for (start, s) in literals(code) {
            if code[start..].starts_with('`') {
                an.nested(&s, format!("{label}, in backticks"));
                found = true;
            }
        }
    }
    // awk: print > "file", "cmd" | getline, print | "cmd"
    if lang == "awk" {
        for (start, s) in literals(code) {
            let before = code[..start].trim_end();
            let after = code[start..].get(s.len() + 2..).unwrap_or("").trim_start();
            if before.ends_with('|') {
                an.nested(&s, format!("{label}, piped to"));
                found = true;
            } else if after.starts_with('|') && after[1..].trim_start().starts_with("getline") {
                an.nested(&s, format!("{label}, read with getline"));
                found = true;
            } else if before.ends_with(">>") || before.ends_with('>') && !before.ends_with("->") {
                an.nested(
                    &format!("true > '{}'", s.replace('\'', "")),
                    format!("{label}, printed to"),
                );
                found = true;
            }
        }
    }
    // Base64 payloads hidden in the code
    for (_, s) in literals(code) {
        if s.len() >= 8
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=')
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s.as_bytes())
            && let Ok(text) = String::from_utf8(bytes)
            && text
                .chars()
                .all(|c| !c.is_control() || c == '\n' || c == '\t')
            && text.contains(' ')
        {
            an.nested(&text, format!("{label}, base64-decoded literal"));
            found = true;
        }
    }
    if !found {
        let touches = [
            "import os",
            "import sys",
            "subprocess",
            "shutil",
            "socket",
            "require(",
            "open(",
            "File.",
            "fs.",
            "child_process",
            "eval",
            "exec",
            "__import__",
            "ctypes",
            "unlink",
            "chmod",
            "chown",
        ];
        if lang != "awk" && touches.iter().any(|t| code.contains(t)) {
            an.flag(
                Level::Moderate,
                part,
                "exec.interpreter",
                format!("runs {lang} code that uses system interfaces ({label})"),
            );
        } else {
            an.flag(
                Level::Safe,
                part,
                "exec.interpreter-pure",
                format!("{lang} code with no system calls found ({label})"),
            );
        }
    }
    let _ = an.depth();
}
