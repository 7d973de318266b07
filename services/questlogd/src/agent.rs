//! The per-session hook agent: one long-lived process per interactive shell, started by the
//! shell hook, reading the shell's records from a pipe (written with builtins only, so a prompt
//! costs no fork) and sending them to questlogd, spooling when it is down.
//!
//! Record format, as the hook writes it:
//!
//! ```text
//! \x1e<exit>\x1f<start EPOCHREALTIME>\x1f<end EPOCHREALTIME>\x1f<cwd>\n
//! <output of `history 1`, one or more lines>
//! \x1d\n
//! ```

use questlog_client::protocol::{Event, EventKind};
use std::io::BufRead;

/// One command as the shell reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct ShellRecord {
    pub exit: Option<i32>,
    pub start_ms: Option<i64>,
    pub duration_ms: Option<u64>,
    pub cwd: String,
    pub histnum: Option<u64>,
    pub command: String,
}

/// Parses `EPOCHREALTIME` (`1700000000.123456`, or with a locale's comma, or as whole
/// microseconds `1700000000123456`) to milliseconds.
pub fn parse_epoch(s: &str) -> Option<i64> {
    let s = s.trim().replace(',', ".");
    if !s.contains('.') && s.len() > 14 {
        return s.parse::<i64>().ok().map(|us| us / 1000);
    }
    let (secs, frac) = s.split_once('.').unwrap_or((&s, ""));
    let secs: i64 = secs.parse().ok()?;
    let mut ms = 0i64;
    for (i, c) in frac.chars().take(3).enumerate() {
        ms += i64::from(c.to_digit(10)?) * [100, 10, 1][i];
    }
    Some(secs * 1000 + ms)
}

/// Splits a `history 1` line into its number and text (`  42  ls -l`, `  42* ls`).
pub fn split_history_line(line: &str) -> (Option<u64>, &str) {
    let t = line.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return (None, line);
    }
    let num = t[..digits].parse().ok();
    let rest = &t[digits..];
    let rest = rest.strip_prefix('*').unwrap_or(rest);
    let rest = rest
        .strip_prefix("  ")
        .unwrap_or(rest.trim_start_matches(' '));
    (num, rest)
}

/// Reads records from the shell's pipe. Bytes that aren't UTF-8 are replaced, never dropped.
pub struct RecordReader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: BufRead> RecordReader<R> {
    pub fn new(inner: R) -> Self {
        RecordReader {
            inner,
            buf: Vec::new(),
        }
    }

    fn line(&mut self) -> std::io::Result<Option<String>> {
        self.buf.clear();
        if self.inner.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        if self.buf.last() == Some(&b'\n') {
            self.buf.pop();
        }
        Ok(Some(String::from_utf8_lossy(&self.buf).into_owned()))
    }

    /// The next record; `None` at the end of the stream (the shell exited).
    pub fn next_record(&mut self) -> std::io::Result<Option<ShellRecord>> {
        // Skip to a header.
        let header = loop {
            match self.line()? {
                None => return Ok(None),
                Some(l) => {
                    if let Some(h) = l.strip_prefix('\x1e') {
                        break h.to_string();
                    }
                }
            }
        };
        let mut parts = header.splitn(4, '\x1f');
        let exit = parts.next().and_then(|x| x.trim().parse().ok());
        let start = parts.next().and_then(parse_epoch);
        let end = parts.next().and_then(parse_epoch);
        let cwd = parts.next().unwrap_or("").to_string();
        let mut lines: Vec<String> = Vec::new();
        loop {
            match self.line()? {
                None => break,
                Some(l) if l == "\x1d" => break,
                Some(l) => lines.push(l),
            }
        }
        let (histnum, first) = match lines.first() {
            Some(l) => {
                let (n, t) = split_history_line(l);
                (n, t.to_string())
            }
            None => (None, String::new()),
        };
        let mut command = first;
        for l in lines.iter().skip(1) {
            command.push('\n');
            command.push_str(l);
        }
        Ok(Some(ShellRecord {
            exit,
            start_ms: start,
            duration_ms: match (start, end) {
                (Some(s), Some(e)) if e >= s => Some((e - s) as u64),
                _ => None,
            },
            cwd,
            histnum,
            command,
        }))
    }
}

/// Turns records into events, dropping repeats of the same history entry (a command kept out
/// of history, e.g. with a leading space under `HISTCONTROL=ignorespace`, shows the previous
/// entry again and is not recorded).
pub struct Session {
    pub id: String,
    pub shell: String,
    pub tty: Option<String>,
    /// Distinguishes agents of one session (the hook restarts a dead agent).
    instance: u32,
    seq: u64,
    last_hist: Option<u64>,
}

impl Session {
    pub fn new(id: String, shell: String, tty: Option<String>) -> Self {
        Session {
            id,
            shell,
            tty,
            instance: std::process::id(),
            seq: 0,
            last_hist: None,
        }
    }

    pub fn to_event(&mut self, r: ShellRecord) -> Option<Event> {
        if r.command.trim().is_empty() {
            return None;
        }
        if r.histnum.is_some() && r.histnum == self.last_hist {
            return None;
        }
        self.last_hist = r.histnum;
        self.seq += 1;
        Some(Event {
            id: Some(format!("{}-{}-{}", self.id, self.instance, self.seq)),
            ts_ms: r.start_ms.unwrap_or_else(questlog_client::protocol::now_ms),
            source: self.shell.clone(),
            kind: EventKind::Command {
                command: r.command,
                cwd: r.cwd,
                exit: r.exit,
                duration_ms: r.duration_ms,
                session: self.id.clone(),
                tty: self.tty.clone(),
                shell: self.shell.clone(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_records_including_multiline_and_bad_utf8() {
        let mut input = Vec::new();
        input.extend_from_slice(
            b"\x1e1\x1f1700000000.250000\x1f1700000001.000000\x1f/home/a b\n  12  false\n\x1d\n",
        );
        input.extend_from_slice(b"junk\n\x1e0\x1f1700000002,5\x1f1700000002,6\x1f/\n 13* for i in 1 2; do\n  echo \xff$i\ndone\n\x1d\n");
        let mut r = RecordReader::new(&input[..]);
        let a = r.next_record().unwrap().unwrap();
        assert_eq!(a.exit, Some(1));
        assert_eq!(a.start_ms, Some(1_700_000_000_250));
        assert_eq!(a.duration_ms, Some(750));
        assert_eq!(a.cwd, "/home/a b");
        assert_eq!(a.histnum, Some(12));
        assert_eq!(a.command, "false");
        let b = r.next_record().unwrap().unwrap();
        assert_eq!(b.histnum, Some(13));
        assert_eq!(b.command, "for i in 1 2; do\n  echo \u{fffd}$i\ndone");
        assert_eq!(b.duration_ms, Some(100));
        assert_eq!(parse_epoch("1700000000250000"), Some(1_700_000_000_250));
        assert!(r.next_record().unwrap().is_none());
    }

    #[test]
    fn repeats_of_a_history_entry_are_skipped() {
        let mut s = Session::new("s1".into(), "bash".into(), None);
        let rec = |n: u64, c: &str| ShellRecord {
            exit: Some(0),
            start_ms: Some(1),
            duration_ms: Some(0),
            cwd: "/".into(),
            histnum: Some(n),
            command: c.into(),
        };
        let e = s.to_event(rec(1, "ls")).unwrap();
        let pid = std::process::id();
        assert_eq!(e.id, Some(format!("s1-{pid}-1")));
        assert!(s.to_event(rec(1, "ls")).is_none());
        assert!(s.to_event(rec(2, "  ")).is_none());
        assert_eq!(
            s.to_event(rec(3, "pwd")).unwrap().id,
            Some(format!("s1-{pid}-2"))
        );
    }
}
