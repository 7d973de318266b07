//! kmonitord in the running OS: /metrics is scrapeable from inside the guest; loading the CPU
//! raises an alert naming the process within 3 intervals; a filling file system raises the
//! time-until-full trend alert; the alerts reach questlog.

use std::time::Duration;

use anyhow::{Context, ensure};
use qemu_tests::Machine;
use qemu_tests::runner::{Ctx, Runner};

use crate::MIN;

/// Collection interval the tests configure in the guest.
const INTERVAL_SECS: u64 = 2;

pub fn register(r: &mut Runner) {
    r.test(
        "kmonitor_metrics_scrapeable_in_guest",
        6 * MIN,
        kmonitor_metrics_scrapeable_in_guest,
    )
    .test(
        "kmonitor_cpu_and_fill_alerts_reach_questlog",
        14 * MIN,
        kmonitor_cpu_and_fill_alerts_reach_questlog,
    );
}

/// A plain HTTP GET with bash's /dev/tcp (the image has no curl; the agent runs /bin/sh).
const HTTP_GET: &str = "#!/bin/bash\n\
exec 3<>/dev/tcp/127.0.0.1/9464 || exit 1\n\
printf 'GET %s HTTP/1.1\\r\\nHost: x\\r\\nConnection: close\\r\\n\\r\\n' \"$1\" >&3\n\
cat <&3\n";

fn http_get(path: &str) -> String {
    format!("/tmp/kmon-get {path}")
}

fn kmonitor_metrics_scrapeable_in_guest(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("kmonitord.service", 3 * MIN)?;
    m.write_file("/tmp/kmon-get", HTTP_GET.as_bytes(), 0o755)?;
    let ty = m.succeed("systemctl show -P Type kmonitord.service")?;
    ensure!(ty.trim() == "notify", "kmonitord Type={ty}");
    // The first round has node_exporter names, our own series and per-file-system usage.
    let body = m.wait_until_succeeds(
        &format!(
            "{} | grep -q '^ainux_anomaly_score' && {}",
            http_get("/metrics"),
            http_get("/metrics")
        ),
        2 * MIN,
    )?;
    ensure!(body.starts_with("HTTP/1.1 200"), "{body}");
    ensure!(
        body.contains("text/plain; version=0.0.4"),
        "content type: {}",
        body.lines().take(5).collect::<Vec<_>>().join(" | ")
    );
    for want in [
        "node_load1 ",
        "node_cpu_seconds_total{cpu=\"0\",mode=\"idle\"}",
        "node_memory_MemAvailable_bytes ",
        "node_filesystem_avail_bytes{device=",
        "mountpoint=\"/\"",
        "ainux_alerts_total{kind=",
        "ainux_processes ",
    ] {
        ensure!(body.contains(want), "/metrics lacks {want:?}");
    }
    // Every sample line parses as `name{labels} value`.
    for line in body.split("\r\n\r\n").nth(1).unwrap_or("").lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let value = line.rsplit(' ').next().unwrap_or("");
        ensure!(
            value.parse::<f64>().is_ok() || ["NaN", "+Inf", "-Inf"].contains(&value),
            "bad sample line {line:?}"
        );
    }
    // The client reads the same daemon.
    let status = m.succeed("kmonitor status --json")?;
    let v: serde_json::Value = serde_json::from_str(status.trim()).context("status JSON")?;
    ensure!(v["series"].as_u64().unwrap_or(0) > 20, "status: {v}");
    let top = m.succeed("kmonitor top --json")?;
    let v: serde_json::Value = serde_json::from_str(top.trim()).context("top JSON")?;
    ensure!(
        v["by_memory"][0]["unit"].is_string(),
        "top processes carry their unit: {v}"
    );
    Ok(())
}

fn alerts(m: &mut Machine) -> anyhow::Result<Vec<serde_json::Value>> {
    let out = m.succeed("kmonitor alerts --json")?;
    let v: serde_json::Value = serde_json::from_str(out.trim()).context("alerts JSON")?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

fn kmonitor_cpu_and_fill_alerts_reach_questlog(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.machine("kmonitor")?;
    m.write_file(
        "/etc/ainux/kmonitord.toml",
        format!("interval_secs = {INTERVAL_SECS}.0\n").as_bytes(),
        0o644,
    )?;
    m.succeed("systemctl restart kmonitord.service")?;
    m.wait_for_unit("kmonitord.service", 2 * MIN)?;
    m.wait_until_succeeds(
        "kmonitor status --json | grep -q '\"cpu_busy_ratio\"'",
        2 * MIN,
    )?;

    // Wait for a calm guest (boot work under TCG can keep the CPU busy), so the alert below is
    // the burners' and the rule is rearmed.
    m.wait_until_succeeds(
        "kmonitor status --json | grep -o '\"cpu_busy_ratio\":[0-9.e-]*' | cut -d: -f2 \
         | awk '$1 < 0.6 { ok = 1 } END { exit !ok }'",
        5 * MIN,
    )?;
    let seen = alerts(m)?
        .iter()
        .filter_map(|a| a["id"].as_u64())
        .max()
        .unwrap_or(0);

    // CPU: one niced burner per CPU (niced so the guest stays responsive under TCG).
    // The load starts when systemd-run returns; the guest's clock is read in the same command.
    let started = m.succeed(
        "for i in $(seq $(nproc)); do \
         systemd-run --unit=burn-$i --nice=19 -q sh -c 'exec yes > /dev/null'; done; date +%s%3N",
    )?;
    let start: i64 = started
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .parse()
        .context("guest clock")?;
    let deadline = std::time::Instant::now() + 2 * MIN;
    let cpu_alert = loop {
        let found = alerts(m)?
            .into_iter()
            .find(|a| a["rule"] == "cpu_busy" && a["id"].as_u64().unwrap_or(0) > seen);
        if let Some(a) = found {
            break a;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "no cpu_busy alert; alerts: {:?}, status: {}",
            alerts(m)?,
            m.succeed("kmonitor status")?
        );
        std::thread::sleep(Duration::from_millis(500));
    };
    m.succeed("systemctl stop 'burn-*'")?;
    let latency_ms = cpu_alert["ts_ms"].as_i64().unwrap_or(i64::MAX) - start;
    println!(
        "  cpu alert after {latency_ms} ms: {}",
        cpu_alert["suggestion"]
    );
    ensure!(
        latency_ms <= (3 * INTERVAL_SECS as i64) * 1000 + 1500,
        "cpu alert took {latency_ms} ms, more than 3 intervals of {INTERVAL_SECS} s: {cpu_alert}"
    );
    let suggestion = cpu_alert["suggestion"].as_str().unwrap_or("");
    ensure!(
        suggestion.contains("yes (pid") && suggestion.contains("burn"),
        "the cpu alert names the process and its unit: {suggestion}"
    );

    // A file system filling steadily: the time-until-full trend alert.
    m.succeed(
        "mkdir -p /mnt/fill && mount -t tmpfs -o size=256M fill /mnt/fill && mkdir /mnt/fill/data",
    )?;
    m.succeed(
        "systemd-run --unit=filler -q sh -c 'for i in $(seq 60); do \
         dd if=/dev/zero of=/mnt/fill/data/f$i bs=1M count=3 status=none; sleep 1; done'",
    )?;
    let fill = m.wait_until_succeeds(
        "kmonitor alerts --json | tr '}' '\\n' | grep '\"rule\":\"filesystem_filling\"' | grep -q '/mnt/fill' && kmonitor alerts --json",
        3 * MIN,
    )?;
    let fill_alerts: serde_json::Value = serde_json::from_str(fill.trim())?;
    let a = fill_alerts
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["rule"] == "filesystem_filling")
        .context("filling alert")?;
    println!("  fill alert: {} / {}", a["title"], a["suggestion"]);
    ensure!(
        a["title"].as_str().unwrap_or("").contains("/mnt/fill")
            && a["suggestion"]
                .as_str()
                .unwrap_or("")
                .contains("/mnt/fill/data"),
        "the fill alert names the mount and its largest directory: {a}"
    );
    ensure!(a["value"].as_f64().unwrap_or(1e9) < 3600.0, "{a}");
    m.succeed("systemctl stop filler 2>/dev/null; umount /mnt/fill")?;

    // Both alerts are in questlog as typed alert events.
    let ql = m.wait_until_succeeds(
        "questlog recent --type alert --json -n 50 | grep -q filesystem_filling && questlog recent --type alert --json -n 50",
        MIN,
    )?;
    ensure!(
        ql.contains("cpu_busy") && ql.contains("yes (pid"),
        "questlog: {ql}"
    );
    let found = m.succeed("questlog search 'full in' --type alert --json")?;
    ensure!(found.contains("/mnt/fill"), "questlog search: {found}");
    // The daemon is healthy after all of it (watchdog fed, not restarted).
    let n = m.succeed("systemctl show -P NRestarts kmonitord.service")?;
    ensure!(n.trim() == "0", "kmonitord restarted {n} times");
    Ok(())
}
