//! Following the systemd journal: unit state changes and kernel warnings, with the cursor
//! persisted in the same transaction as the events, so nothing is missed or recorded twice
//! across restarts.
//!
//! The journal sits behind [`JournalSource`]; [`Journalctl`] runs
//! `journalctl -o json --follow --after-cursor=…` as a child.

use questlog_client::protocol::{Event, EventKind};
use std::collections::HashMap;
use std::io::{self, BufRead, BufReader};
use std::process::{Child, ChildStdout, Command, Stdio};

/// The meta key holding the cursor.
pub const CURSOR_KEY: &str = "journal_cursor";

/// One journal entry: its cursor and (string) fields.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JournalEntry {
    pub cursor: String,
    pub fields: HashMap<String, String>,
}

/// A source of journal entries. `next_entry` blocks; `Ok(None)` means the source ended.
pub trait JournalSource: Send {
    fn next_entry(&mut self) -> io::Result<Option<JournalEntry>>;
}

/// Parses one line of `journalctl -o json`.
pub fn parse_json_line(line: &str) -> Option<JournalEntry> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let obj = v.as_object()?;
    let cursor = obj.get("__CURSOR")?.as_str()?.to_string();
    let mut fields = HashMap::new();
    for (k, v) in obj {
        let s = match v {
            serde_json::Value::String(s) => s.clone(),
            // Binary-safe fields come as arrays of bytes.
            serde_json::Value::Array(a) if a.iter().all(|x| x.is_u64()) => {
                let bytes: Vec<u8> = a
                    .iter()
                    .filter_map(|x| x.as_u64())
                    .map(|b| b as u8)
                    .collect();
                String::from_utf8_lossy(&bytes).into_owned()
            }
            // A field given several times: take the first.
            serde_json::Value::Array(a) => match a.first() {
                Some(serde_json::Value::String(s)) => s.clone(),
                _ => continue,
            },
            serde_json::Value::Number(n) => n.to_string(),
            _ => continue,
        };
        fields.insert(k.clone(), s);
    }
    Some(JournalEntry { cursor, fields })
}

const MSG_STARTED: &str = "39f53479d3a045ac8e11786248231fbf";
const MSG_STOPPED: &str = "9d1aaa27d60140bd96365438aad20286";
const MSG_JOB_FAILED: &str = "be02cf6855d2428ba40df7e9d022f03d";
const MSG_UNIT_FAILED: &str = "d9b373ed55a64feb8242e02dbe79a49c";
const MSG_RESTART: &str = "5eb03494b6584870a536b337290809b3";

/// The event an entry stands for, with the uid to record, if it is one we keep.
pub fn to_event(e: &JournalEntry, kernel_max_priority: u8) -> Option<(u32, Event)> {
    let f = &e.fields;
    let ts_ms = f
        .get("__REALTIME_TIMESTAMP")
        .and_then(|t| t.parse::<i64>().ok())
        .map(|us| us / 1000)
        .unwrap_or_else(questlog_client::protocol::now_ms);
    let message = f.get("MESSAGE").cloned().unwrap_or_default();
    let kind = if f.get("_TRANSPORT").map(String::as_str) == Some("kernel") {
        let priority: u8 = f.get("PRIORITY").and_then(|p| p.parse().ok()).unwrap_or(6);
        if priority > kernel_max_priority {
            return None;
        }
        EventKind::Kernel { priority, message }
    } else {
        let state = match f.get("MESSAGE_ID").map(String::as_str)? {
            MSG_STARTED => "started",
            MSG_STOPPED => "stopped",
            MSG_JOB_FAILED | MSG_UNIT_FAILED => "failed",
            MSG_RESTART => "restarted",
            _ => return None,
        };
        let unit = f.get("UNIT").or_else(|| f.get("USER_UNIT"))?.clone();
        EventKind::Unit {
            unit,
            state: state.into(),
            message,
        }
    };
    // The system manager and the kernel are root's; a user manager's entries are its user's.
    let uid = if f.contains_key("USER_UNIT") && !f.contains_key("UNIT") {
        f.get("_UID").and_then(|u| u.parse().ok()).unwrap_or(0)
    } else {
        0
    };
    Some((
        uid,
        Event {
            id: None,
            ts_ms,
            source: "journal".into(),
            kind,
        },
    ))
}

/// `journalctl -o json --follow` as a child process.
pub struct Journalctl {
    child: Child,
    out: BufReader<ChildStdout>,
    line: String,
}

impl Journalctl {
    /// Starts following after `cursor`, or from the start of this boot.
    pub fn spawn(bin: &std::path::Path, cursor: Option<&str>) -> io::Result<Journalctl> {
        let mut cmd = Command::new(bin);
        cmd.args(["-o", "json", "--follow", "--no-pager", "--no-tail", "-q"]);
        match cursor {
            Some(c) => {
                cmd.arg(format!("--after-cursor={c}"));
            }
            None => {
                cmd.arg("-b");
            }
        }
        // System manager messages and kernel messages (priority is checked here).
        cmd.args(["_PID=1", "+", "_TRANSPORT=kernel"]);
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = cmd.spawn()?;
        let out = BufReader::new(
            child
                .stdout
                .take()
                .ok_or_else(|| io::Error::other("no stdout"))?,
        );
        Ok(Journalctl {
            child,
            out,
            line: String::new(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Journalctl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl JournalSource for Journalctl {
    fn next_entry(&mut self) -> io::Result<Option<JournalEntry>> {
        loop {
            self.line.clear();
            if self.out.read_line(&mut self.line)? == 0 {
                return Ok(None);
            }
            if let Some(e) = parse_json_line(self.line.trim_end()) {
                return Ok(Some(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(fields: &[(&str, &str)]) -> JournalEntry {
        JournalEntry {
            cursor: "c".into(),
            fields: fields
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn unit_failure_and_kernel_warning() {
        let e = entry(&[
            ("MESSAGE_ID", MSG_UNIT_FAILED),
            ("UNIT", "foo.service"),
            ("MESSAGE", "foo.service: Failed with result 'exit-code'."),
            ("__REALTIME_TIMESTAMP", "1700000000123456"),
        ]);
        let (uid, ev) = to_event(&e, 4).unwrap();
        assert_eq!(uid, 0);
        assert_eq!(ev.ts_ms, 1_700_000_000_123);
        assert!(
            matches!(ev.kind, EventKind::Unit { ref state, ref unit, .. } if state == "failed" && unit == "foo.service")
        );
        let k = entry(&[
            ("_TRANSPORT", "kernel"),
            ("PRIORITY", "4"),
            ("MESSAGE", "oops"),
        ]);
        assert!(matches!(
            to_event(&k, 4).unwrap().1.kind,
            EventKind::Kernel { priority: 4, .. }
        ));
        let info = entry(&[
            ("_TRANSPORT", "kernel"),
            ("PRIORITY", "6"),
            ("MESSAGE", "hi"),
        ]);
        assert!(to_event(&info, 4).is_none());
        assert!(to_event(&entry(&[("MESSAGE", "x")]), 4).is_none());
    }

    #[test]
    fn parses_journalctl_json() {
        let line =
            r#"{"__CURSOR":"s=1;i=2","MESSAGE":[104,105],"UNIT":"a.service","PRIORITY":"3"}"#;
        let e = parse_json_line(line).unwrap();
        assert_eq!(e.cursor, "s=1;i=2");
        assert_eq!(e.fields["MESSAGE"], "hi");
        assert!(parse_json_line("not json").is_none());
    }
}
