//! From a client's event to a row: the user from peer credentials, redaction, size limits.

use crate::redact::Redactor;
use crate::store::{FLAG_REDACTED, FLAG_TRUNCATED, NewEvent, agg_key, dedupe_key};
use questlog_client::protocol::{Event, EventKind, Fields};

/// Cuts `s` to at most `max` bytes on a character boundary.
pub fn truncate(s: &mut String, max: usize) -> bool {
    if s.len() <= max {
        return false;
    }
    let mut cut = max;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    s.truncate(cut);
    true
}

fn fields_json(extra: Vec<(&str, serde_json::Value)>, fields: Fields) -> Option<String> {
    let mut m = serde_json::Map::new();
    for (k, v) in extra {
        if !v.is_null() && v != "" {
            m.insert(k.to_string(), v);
        }
    }
    for (k, v) in fields {
        m.insert(k, v);
    }
    (!m.is_empty()).then(|| serde_json::Value::Object(m).to_string())
}

/// Limits for [`to_row`].
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_text: usize,
}

/// Turns an event sent by `uid` into a row. Strings are bounded; secrets are redacted in the
/// text, cwd and structured fields.
pub fn to_row(ev: Event, uid: u32, redactor: &Redactor, limits: Limits) -> NewEvent {
    let type_name = ev.kind.type_name().to_string();
    let mut row = NewEvent {
        ts_ms: ev.ts_ms,
        uid,
        type_name,
        source: ev.source,
        dedupe: ev.id.as_deref().map(|id| dedupe_key(uid, id)),
        ..Default::default()
    };
    use serde_json::Value as V;
    let s = |x: String| V::String(x);
    match ev.kind {
        EventKind::Command {
            command,
            cwd,
            exit,
            duration_ms,
            session,
            tty,
            shell,
        } => {
            row.text = command;
            row.cwd = Some(cwd);
            row.exit = exit;
            row.duration_ms = duration_ms.map(|d| d.min(i64::MAX as u64) as i64);
            row.session = (!session.is_empty()).then_some(session);
            row.tty = tty;
            if row.source.is_empty() {
                row.source = shell;
            }
        }
        EventKind::Alert {
            severity,
            title,
            detail,
            fields,
        } => {
            row.text = if detail.is_empty() {
                title
            } else {
                format!("{title}: {detail}")
            };
            row.data = fields_json(vec![("severity", s(severity))], fields);
        }
        EventKind::HealAction {
            unit,
            action,
            outcome,
            reason,
            fields,
        } => {
            row.text = format!("{action} {unit}: {outcome}");
            if !reason.is_empty() {
                row.text.push_str(&format!(" ({reason})"));
            }
            row.unit = Some(unit);
            row.data = fields_json(vec![("action", s(action)), ("outcome", s(outcome))], fields);
        }
        EventKind::AssistantDecision {
            request,
            decision,
            command,
            reason,
            fields,
        } => {
            row.text = match &command {
                Some(c) => format!("{decision}: {request} -> {c}"),
                None => format!("{decision}: {request}"),
            };
            row.data = fields_json(
                vec![
                    ("decision", s(decision)),
                    ("command", command.map(V::String).unwrap_or(V::Null)),
                    ("reason", s(reason)),
                ],
                fields,
            );
        }
        EventKind::Snapshot {
            action,
            name,
            reason,
            fields,
        } => {
            row.text = format!("{action} {name}");
            if !reason.is_empty() {
                row.text.push_str(&format!(" ({reason})"));
            }
            row.data = fields_json(vec![("action", s(action)), ("name", s(name))], fields);
        }
        EventKind::Unit {
            unit,
            state,
            message,
        } => {
            row.text = format!("{state}: {message}");
            row.unit = Some(unit);
        }
        EventKind::Kernel { priority, message } => {
            row.text = message;
            row.data = fields_json(vec![("priority", V::from(priority))], Fields::new());
        }
        EventKind::Internal { message } => row.text = message,
    }
    let mut flags = 0;
    if truncate(&mut row.text, limits.max_text) {
        flags |= FLAG_TRUNCATED;
    }
    let (red, changed) = redactor.redact(&row.text);
    if changed {
        row.text = red.into_owned();
        flags |= FLAG_REDACTED;
    }
    if let Some(data) = &row.data {
        let (red, changed) = redactor.redact(data);
        if changed {
            // Keep it valid JSON: the patterns never touch quotes' structure in practice, but
            // fall back to a string when they do.
            let red = red.into_owned();
            row.data = Some(if serde_json::from_str::<V>(&red).is_ok() {
                red
            } else {
                V::String(red).to_string()
            });
            flags |= FLAG_REDACTED;
        }
        if let Some(d) = &mut row.data
            && truncate(d, limits.max_text)
        {
            row.data = Some(V::String(d.clone()).to_string());
            flags |= FLAG_TRUNCATED;
        }
    }
    for f in [&mut row.cwd, &mut row.unit, &mut row.session, &mut row.tty] {
        if let Some(v) = f.as_mut()
            && truncate(v, 4096)
        {
            flags |= FLAG_TRUNCATED;
        }
    }
    truncate(&mut row.source, 64);
    row.flags = flags;
    let (key, failed) = agg_key(&row.type_name, &row.text, row.unit.as_deref(), row.exit);
    row.agg_key = key;
    row.failed = failed;
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Redaction;

    #[test]
    fn oversized_and_secret_commands() {
        let r = Redactor::new(&Redaction::default()).unwrap();
        let ev = Event {
            id: Some("a".into()),
            ts_ms: 1,
            source: String::new(),
            kind: EventKind::Command {
                command: format!("mysql -phunter2 {}", "é".repeat(100)),
                cwd: "/".into(),
                exit: Some(0),
                duration_ms: None,
                session: "s".into(),
                tty: None,
                shell: "bash".into(),
            },
        };
        let row = to_row(ev, 1000, &r, Limits { max_text: 51 });
        assert!(row.text.len() <= 51);
        assert!(!row.text.contains("hunter2"));
        assert_eq!(row.flags, FLAG_TRUNCATED | FLAG_REDACTED);
        assert_eq!(row.uid, 1000);
        assert_eq!(row.source, "bash");
        assert_eq!(row.agg_key, "mysql");
    }

    #[test]
    fn unit_failures_count_as_failed() {
        let r = Redactor::new(&Redaction::default()).unwrap();
        let ev = Event {
            id: None,
            ts_ms: 1,
            source: "journal".into(),
            kind: EventKind::Unit {
                unit: "x.service".into(),
                state: "failed".into(),
                message: "boom".into(),
            },
        };
        let row = to_row(ev, 0, &r, Limits { max_text: 100 });
        assert!(row.failed);
        assert_eq!(row.agg_key, "x.service");
        assert_eq!(row.unit.as_deref(), Some("x.service"));
    }
}
