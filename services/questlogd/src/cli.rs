//! The `questlog` command's logic: time arguments and human output that fits the terminal.

use questlog_client::protocol::{Record, Stats};
use std::fmt::Write as _;

#[derive(Debug, thiserror::Error)]
#[error(
    "cannot understand time {0:?} (try 2024-05-01, '2024-05-01 13:00', 10m, 2h, 3d, 1w, today, yesterday, @UNIXSECS)"
)]
pub struct TimeError(pub String);

/// Local broken-down time → Unix seconds.
fn local_to_unix(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<i64> {
    // SAFETY: a zeroed tm is valid; mktime only reads and normalises it.
    unsafe {
        let mut tm: libc::tm = std::mem::zeroed();
        tm.tm_year = y - 1900;
        tm.tm_mon = mo as i32 - 1;
        tm.tm_mday = d as i32;
        tm.tm_hour = h as i32;
        tm.tm_min = mi as i32;
        tm.tm_sec = s as i32;
        tm.tm_isdst = -1;
        let t = libc::mktime(&mut tm);
        (t != -1).then_some(t)
    }
}

/// Unix seconds → local (year, month, day, hour, minute, second).
pub fn unix_to_local(secs: i64) -> (i32, u32, u32, u32, u32, u32) {
    // SAFETY: localtime_r writes into tm, which we own.
    unsafe {
        let t: libc::time_t = secs;
        let mut tm: libc::tm = std::mem::zeroed();
        libc::localtime_r(&t, &mut tm);
        (
            tm.tm_year + 1900,
            (tm.tm_mon + 1) as u32,
            tm.tm_mday as u32,
            tm.tm_hour as u32,
            tm.tm_min as u32,
            tm.tm_sec as u32,
        )
    }
}

/// Parses a time argument to Unix milliseconds, relative to `now_ms`.
pub fn parse_time(s: &str, now_ms: i64) -> Result<i64, TimeError> {
    let err = || TimeError(s.to_string());
    let t = s.trim();
    if let Some(secs) = t.strip_prefix('@') {
        return secs.parse::<i64>().map(|x| x * 1000).map_err(|_| err());
    }
    let midnight = |days_back: i64| {
        let (y, mo, d, ..) = unix_to_local(now_ms / 1000);
        local_to_unix(y, mo, d, 0, 0, 0).map(|t| (t - days_back * 86_400) * 1000)
    };
    match t {
        "now" => return Ok(now_ms),
        "today" => return midnight(0).ok_or_else(err),
        "yesterday" => return midnight(1).ok_or_else(err),
        _ => {}
    }
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < t.len() && !t[digits..].contains(['-', ':']) {
        let n: i64 = t[..digits].parse().map_err(|_| err())?;
        let unit = match t[digits..].trim() {
            "s" | "sec" | "secs" => 1,
            "m" | "min" | "mins" => 60,
            "h" | "hour" | "hours" => 3600,
            "d" | "day" | "days" => 86_400,
            "w" | "week" | "weeks" => 7 * 86_400,
            _ => return Err(err()),
        };
        return Ok(now_ms - n * unit * 1000);
    }
    // YYYY-MM-DD[( |T)HH:MM[:SS]]
    let (date, time) = match t.split_once([' ', 'T']) {
        Some((d, tm)) => (d, Some(tm)),
        None => (t, None),
    };
    let dp: Vec<&str> = date.split('-').collect();
    if dp.len() != 3 {
        return Err(err());
    }
    let y: i32 = dp[0].parse().map_err(|_| err())?;
    let mo: u32 = dp[1].parse().map_err(|_| err())?;
    let d: u32 = dp[2].parse().map_err(|_| err())?;
    let (mut h, mut mi, mut sec) = (0, 0, 0);
    if let Some(tm) = time {
        let tp: Vec<&str> = tm.split(':').collect();
        if tp.len() < 2 || tp.len() > 3 {
            return Err(err());
        }
        h = tp[0].parse().map_err(|_| err())?;
        mi = tp[1].parse().map_err(|_| err())?;
        if let Some(s) = tp.get(2) {
            sec = s.parse().map_err(|_| err())?;
        }
    }
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(err());
    }
    local_to_unix(y, mo, d, h, mi, sec)
        .map(|t| t * 1000)
        .ok_or_else(err)
}

/// Columns of the terminal on stdout ($COLUMNS, the tty, else 80).
pub fn terminal_width() -> usize {
    if let Some(c) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return c;
    }
    // SAFETY: TIOCGWINSZ fills a winsize we own.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0 {
            return ws.ws_col as usize;
        }
    }
    80
}

/// Cuts to `width` characters, marking the cut with `…`; newlines shown as `⏎`.
pub fn fit(s: &str, width: usize) -> String {
    let flat: String = s
        .chars()
        .map(|c| match c {
            '\n' => '⏎',
            c if c.is_control() => '?',
            c => c,
        })
        .collect();
    if flat.chars().count() <= width {
        return flat;
    }
    let mut out: String = flat.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

pub fn format_time(ms: i64) -> String {
    let (y, mo, d, h, mi, s) = unix_to_local(ms.div_euclid(1000));
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
}

fn short_type(t: &str) -> &str {
    match t {
        "heal_action" => "heal",
        "assistant_decision" => "aish",
        "snapshot" => "snap",
        "kernel" => "kern",
        "internal" => "ql",
        other => other,
    }
}

fn user_label(uid: u32, names: &mut std::collections::HashMap<u32, String>) -> String {
    names
        .entry(uid)
        .or_insert_with(|| crate::access::name_of(uid).unwrap_or_else(|| uid.to_string()))
        .clone()
}

/// Rows as an aligned table: TIME, USER, EXIT (or type), then the text (and cwd when `long`).
pub fn render_rows(rows: &[Record], width: usize, long: bool) -> String {
    let mut names = std::collections::HashMap::new();
    let mut out = String::new();
    let users: Vec<String> = rows.iter().map(|r| user_label(r.uid, &mut names)).collect();
    let uw = users
        .iter()
        .map(|u| u.chars().count())
        .max()
        .unwrap_or(4)
        .clamp(4, 10);
    let _ = writeln!(
        out,
        "{:<19} {:<uw$} {:>4} COMMAND / EVENT",
        "TIME", "USER", "EXIT"
    );
    for (r, u) in rows.iter().zip(&users) {
        let exit = match (r.type_name.as_str(), r.exit) {
            ("command", Some(x)) => x.to_string(),
            ("command", None) => "-".into(),
            (t, _) => short_type(t).chars().take(4).collect(),
        };
        let fixed = 19 + 1 + uw + 1 + 4 + 1;
        let avail = width.saturating_sub(fixed).max(10);
        let mut text = r.text.clone();
        if let Some(unit) = &r.unit
            && r.type_name == "unit"
        {
            text = format!("{unit} {text}");
        }
        if r.redacted {
            text.push_str(" [redacted]");
        }
        let _ = writeln!(
            out,
            "{} {:<uw$} {:>4} {}",
            format_time(r.ts_ms),
            fit(u, uw),
            exit,
            fit(&text, avail)
        );
        if long {
            let mut extra = Vec::new();
            if let Some(c) = &r.cwd {
                extra.push(format!("cwd={c}"));
            }
            if let Some(d) = r.duration_ms {
                extra.push(format!("took={d}ms"));
            }
            if let Some(t) = &r.tty {
                extra.push(format!("tty={t}"));
            }
            extra.push(format!("source={}", r.source));
            if !r.data.is_null() {
                extra.push(r.data.to_string());
            }
            let _ = writeln!(
                out,
                "{:>21}{}",
                "",
                fit(&extra.join(" "), width.saturating_sub(21).max(10))
            );
        }
    }
    out
}

/// Stats as aligned sections.
pub fn render_stats(s: &Stats, width: usize) -> String {
    let mut out = String::new();
    // "  NAME COUNT(10) FAILED(10) RATE(6)": the name gets what is left of the width.
    let name_w = width.saturating_sub(31).clamp(10, 50);
    let _ = writeln!(
        out,
        "{} events; command failure rate {:.1}%",
        s.total,
        s.command_failure_rate * 100.0
    );
    let _ = writeln!(out, "\nBY TYPE");
    for (t, n) in &s.by_type {
        let _ = writeln!(out, "  {:<name_w$} {:>10}", fit(t, name_w), n);
    }
    let section = |out: &mut String, title: &str, head: &str, rows: &[(String, u64, u64)]| {
        let _ = writeln!(out, "\n{title}");
        if rows.is_empty() {
            let _ = writeln!(out, "  (none)");
            return;
        }
        let _ = writeln!(
            out,
            "  {:<name_w$} {:>10} {:>10} {:>6}",
            head, "COUNT", "FAILED", "RATE"
        );
        for (k, n, f) in rows {
            let rate = if *n > 0 {
                *f as f64 * 100.0 / *n as f64
            } else {
                0.0
            };
            let k = if k.is_empty() { "(empty)" } else { k.as_str() };
            let _ = writeln!(
                out,
                "  {:<name_w$} {:>10} {:>10} {:>5.1}%",
                fit(k, name_w),
                n,
                f,
                rate
            );
        }
    };
    section(&mut out, "TOP COMMANDS", "PROGRAM", &s.top_commands);
    section(&mut out, "BUSIEST UNITS", "UNIT", &s.busiest_units);
    section(&mut out, "PER DAY (latest first)", "DAY", &s.per_day);
    out
}

/// One CSV field (RFC 4180 quoting).
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

pub const CSV_HEADER: &str = "id,time,ts_ms,uid,type,source,text,cwd,exit,duration_ms,unit,session,tty,truncated,redacted,data";

pub fn csv_row(r: &Record) -> String {
    let opt = |o: &Option<String>| o.as_deref().map(csv_field).unwrap_or_default();
    let num = |o: Option<i64>| o.map(|x| x.to_string()).unwrap_or_default();
    [
        r.id.to_string(),
        format_time(r.ts_ms),
        r.ts_ms.to_string(),
        r.uid.to_string(),
        csv_field(&r.type_name),
        csv_field(&r.source),
        csv_field(&r.text),
        opt(&r.cwd),
        num(r.exit.map(i64::from)),
        num(r.duration_ms),
        opt(&r.unit),
        opt(&r.session),
        opt(&r.tty),
        r.truncated.to_string(),
        r.redacted.to_string(),
        if r.data.is_null() {
            String::new()
        } else {
            csv_field(&r.data.to_string())
        },
    ]
    .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_and_absolute_times() {
        let now = 1_700_000_000_000;
        assert_eq!(parse_time("10m", now).unwrap(), now - 600_000);
        assert_eq!(parse_time("2h", now).unwrap(), now - 7_200_000);
        assert_eq!(parse_time("@5", now).unwrap(), 5000);
        let d = parse_time("2024-05-01", now).unwrap();
        let dt = parse_time("2024-05-01 13:30", now).unwrap();
        assert_eq!(dt - d, (13 * 3600 + 30 * 60) * 1000);
        assert!(parse_time("yesterday", now).unwrap() < parse_time("today", now).unwrap());
        assert!(parse_time("soon", now).is_err());
        assert!(parse_time("2024-13-01", now).is_err());
    }

    #[test]
    fn rows_fit_80_columns() {
        let r = Record {
            id: 1,
            ts_ms: 1_700_000_000_000,
            uid: 0,
            type_name: "command".into(),
            source: "bash".into(),
            text: "x".repeat(300),
            cwd: Some("/".into()),
            exit: Some(127),
            duration_ms: Some(5),
            unit: None,
            session: None,
            tty: None,
            truncated: false,
            redacted: false,
            data: serde_json::Value::Null,
        };
        let out = render_rows(&[r.clone(), r], 80, true);
        for line in out.lines() {
            assert!(line.chars().count() <= 80, "{line:?}");
        }
        assert!(out.contains(" 127 "));
    }

    #[test]
    fn csv_quoting() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }
}
