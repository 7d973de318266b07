//! Benchmark healerd in the booted image: crash a trivial unit N times and measure
//! failure signal -> restart call (healerd's own audit records) and failure -> active again
//! (systemd's timestamps in the guest), and healerd's RSS. The last line printed is JSON.
//!
//! `cargo run --release -p qemu-tests --features vm-tests --example bench_healer -- [CRASHES]`
//! (`scripts/bench-healer`); the image is `$AINUX_IMAGE` or `mkosi.output/ainux.raw`.

use std::time::Duration;

use anyhow::{Context, ensure};
use qemu_tests::boot_for_bench;
use serde_json::{Value, json};

const UNIT: &str = "healer-bench.service";

/// The trivial unit, and a policy that restarts it at once (no backoff), never escalates.
const UNIT_TEXT: &str = "[Unit]\nDescription=healer benchmark: a trivial unit\n[Service]\nExecStart=/bin/sleep infinity\n";
const POLICY: &str = r#"
[[policy]]
units = ["healer-bench.service"]
cooldown_secs = 1
[policy.restart]
initial_delay_ms = 0
max_delay_ms = 0
jitter = 0.0
max_restarts = 100000
window_secs = 1
[policy.flapping]
threshold = 100000
group_threshold = 100000
"#;

fn main() -> anyhow::Result<()> {
    let crashes: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()
        .context("CRASHES must be a number")?
        .unwrap_or(40);
    ensure!(crashes >= 1, "CRASHES must be at least 1");
    let (mut m, accel) = boot_for_bench("bench-healer", |b| b)?;
    m.wait_for_unit("healerd.service", Duration::from_secs(180))?;

    m.write_file(
        &format!("/run/systemd/system/{UNIT}"),
        UNIT_TEXT.as_bytes(),
        0o644,
    )?;
    m.succeed("mkdir -p /etc/ainux/healer.d")?;
    m.write_file("/etc/ainux/healer.d/bench.toml", POLICY.as_bytes(), 0o644)?;
    m.succeed("systemctl daemon-reload && systemctl reload healerd.service")?;
    m.wait_until_succeeds(
        "healer status --json | grep -q '\"reloads\":[1-9]'",
        Duration::from_secs(60),
    )?;
    m.succeed(&format!("systemctl start {UNIT}"))?;

    // The crash loop runs in the guest: kill, wait for the next activation, print systemd's
    // monotonic timestamps of leaving and entering `active` (µs).
    let script = format!(
        r#"set -eu
u={UNIT}
show() {{ systemctl show -p "$1" --value $u; }}
for i in $(seq 1 {crashes}); do
  prev=$(show ActiveEnterTimestampMonotonic)
  systemctl kill -s KILL $u
  n=0
  while :; do
    if [ "$(show ActiveState)" = active ] && [ "$(show ActiveEnterTimestampMonotonic)" != "$prev" ]; then break; fi
    n=$((n+1)); [ $n -lt 600 ] || {{ echo "timeout at crash $i" >&2; exit 1; }}
    sleep 0.05
  done
  echo "$i $(show ActiveExitTimestampMonotonic) $(show ActiveEnterTimestampMonotonic)"
  sleep 0.2
done
"#
    );
    m.write_file("/run/bench-healer.sh", script.as_bytes(), 0o755)?;
    let out = m.succeed_within(
        "sh /run/bench-healer.sh",
        Duration::from_secs(60 + 20 * crashes as u64),
    )?;
    let mut crashed = 0;
    for line in out.lines() {
        let f: Vec<u64> = line
            .split_whitespace()
            .map(|w| w.parse().context("bad line"))
            .collect::<anyhow::Result<_>>()
            .with_context(|| format!("guest printed {line:?}"))?;
        ensure!(f.len() == 3, "guest printed {line:?}");
        crashed += 1;
    }
    ensure!(crashed == crashes, "{crashed} of {crashes} crashes seen");
    // failure -> active again from systemd's own journal records (monotonic clock): "Main
    // process exited" to the next "Started". (The unit's Active*Timestamp properties are not
    // usable: after healerd's reset-failed an unreferenced unit may be unloaded, which zeroes
    // them.)
    let journal = m.succeed(&format!(
        "journalctl -b -u {UNIT} -o json --output-fields=MESSAGE,_PID --no-pager"
    ))?;
    let mut to_active = Vec::new();
    let mut failed_at: Option<u64> = None;
    for line in journal.lines() {
        let Ok(rec) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let msg = rec["MESSAGE"].as_str().unwrap_or("");
        let Some(ts) = rec["__MONOTONIC_TIMESTAMP"]
            .as_str()
            .and_then(|t| t.parse::<u64>().ok())
        else {
            continue;
        };
        if msg.contains("Main process exited") {
            failed_at = Some(ts);
        } else if msg.starts_with("Started ")
            && let Some(t0) = failed_at.take()
        {
            to_active.push(ts.saturating_sub(t0) as f64 / 1000.0);
        }
    }
    ensure!(
        to_active.len() == crashes,
        "{} of {crashes} recoveries found in the journal",
        to_active.len()
    );

    let hist: Value =
        serde_json::from_str(&m.succeed(&format!("healer history {UNIT} --limit 100000 --json"))?)?;
    let mut detect: Vec<f64> = hist
        .as_array()
        .context("history is not a list")?
        .iter()
        .filter(|e| e["action"] == "restart")
        .filter_map(|e| e["since_failure_ms"].as_f64())
        .collect();
    ensure!(
        detect.len() >= crashes,
        "healerd audited {} restarts with a latency for {crashes} crashes",
        detect.len()
    );
    let pid = m.succeed("systemctl show -p MainPID --value healerd.service")?;
    let rss_kb: f64 = m
        .succeed(&format!("ps -o rss= -p {}", pid.trim()))?
        .trim()
        .parse()?;
    let nrestarts = m.succeed("systemctl show -p NRestarts --value healerd.service")?;
    let _ = m.shutdown();

    let mut to_active_sorted = to_active.clone();
    to_active_sorted.sort_by(f64::total_cmp);
    detect.sort_by(f64::total_cmp);
    let p = |v: &[f64], q: f64| -> f64 {
        // nearest rank
        let rank = ((q / 100.0) * v.len() as f64).ceil() as usize;
        v[rank.clamp(1, v.len()) - 1]
    };
    println!("crashed {UNIT} {crashes} times (SIGKILL; policy: restart at once, no backoff)");
    println!(
        "failure signal -> restart call (healerd audit, {} samples): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        detect.len(),
        p(&detect, 50.0),
        p(&detect, 99.0),
        detect.last().copied().unwrap_or(0.0)
    );
    println!(
        "failure signal -> restart call, all samples (ms, sorted): {}",
        detect
            .iter()
            .map(|d| format!("{d:.1}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "failure -> active again (systemd journal, guest monotonic clock): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        p(&to_active_sorted, 50.0),
        p(&to_active_sorted, 95.0),
        to_active_sorted.last().copied().unwrap_or(0.0)
    );
    println!(
        "healerd RSS {:.1} MB, restarted by systemd {} times; accelerator {}",
        rss_kb / 1024.0,
        nrestarts.trim(),
        accel.as_str()
    );
    let round = |x: f64| (x * 10.0).round() / 10.0;
    println!(
        "{}",
        json!({
            "crashes": crashes,
            "accel": accel.as_str(),
            "detect_to_restart_p50_ms": round(p(&detect, 50.0)),
            "detect_to_restart_p99_ms": round(p(&detect, 99.0)),
            "failure_to_active_p95_ms": round(p(&to_active_sorted, 95.0)),
            "rss_mb": round(rss_kb / 1024.0),
        })
    );
    Ok(())
}
