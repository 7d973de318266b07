//! Human-readable text of `kmonitor status`, `alerts` and `top` from the daemon's JSON.

use std::fmt::Write as _;

use serde_json::Value;

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

fn proc_line(out: &mut String, e: &Value) {
    let _ = writeln!(
        out,
        "  {:>7} {:<20} {:>6.1}% {:>9.1} MiB  {}",
        e["pid"],
        e["comm"].as_str().unwrap_or(""),
        f(&e["cpu_pct"]),
        f(&e["rss_bytes"]) / 1048576.0,
        e["unit"].as_str().unwrap_or("-")
    );
}

/// The text for the answer of endpoint `path`.
pub fn human(path: &str, v: &Value) -> String {
    let mut out = String::new();
    match path {
        "/status" => {
            let _ = writeln!(
                out,
                "interval {} s, {} rounds, {} series, last round {:.1} ms, {} alerts",
                v["interval_secs"],
                v["ticks"],
                v["series"],
                f(&v["last_collect_ms"]),
                v["alerts_total"]
            );
            let _ = writeln!(
                out,
                "cpu busy {:.0}%  memory available {:.0}%  load1 {}",
                f(&v["cpu_busy_ratio"]) * 100.0,
                f(&v["memory_available_ratio"]) * 100.0,
                v["load1"]
            );
            for fs in v["filesystems"].as_array().into_iter().flatten() {
                let fill = fs["fill_seconds"]
                    .as_f64()
                    .map(|s| format!("  full in {s:.0} s"))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "  {:<24} {:<8} {:>5.1}% used, {:.1} GiB free{fill}",
                    fs["mountpoint"].as_str().unwrap_or(""),
                    fs["fstype"].as_str().unwrap_or(""),
                    f(&fs["used_ratio"]) * 100.0,
                    f(&fs["avail_bytes"]) / 1073741824.0
                );
            }
            for s in v["top_scores"].as_array().into_iter().flatten() {
                let _ = writeln!(
                    out,
                    "  score {:.2}  {}",
                    f(&s[1]),
                    s[0].as_str().unwrap_or("")
                );
            }
        }
        "/alerts" => {
            let alerts = v.as_array().cloned().unwrap_or_default();
            if alerts.is_empty() {
                out.push_str("no alerts\n");
            }
            for a in alerts {
                let _ = writeln!(
                    out,
                    "#{} {} [{}] {}\n    {}",
                    a["id"],
                    a["ts_ms"],
                    a["severity"].as_str().unwrap_or(""),
                    a["title"].as_str().unwrap_or(""),
                    a["suggestion"].as_str().unwrap_or("")
                );
            }
        }
        _ => {
            let _ = writeln!(out, "{} processes\nby CPU:", v["processes"]);
            for e in v["by_cpu"].as_array().into_iter().flatten() {
                proc_line(&mut out, e);
            }
            out.push_str("by memory:\n");
            for e in v["by_memory"].as_array().into_iter().flatten() {
                proc_line(&mut out, e);
            }
        }
    }
    out
}
