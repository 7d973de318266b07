//! healerd in the booted OS: it runs hardened under systemd, and heals small fixture services
//! written into the guest at test time (units in /run/systemd/system, policies in
//! /etc/ainux/healer.d/test-*.toml; both removed again, so the tests share one machine).

use std::time::Duration;

use anyhow::{Context, bail, ensure};
use qemu_tests::Machine;
use qemu_tests::runner::{Ctx, Runner};
use serde_json::Value;

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test("healer_runs_hardened", 6 * MIN, healer_runs_hardened)
        .test(
            "healer_restarts_crashed_unit",
            6 * MIN,
            healer_restarts_crashed_unit,
        )
        .test(
            "healer_flapping_unit_escalates",
            6 * MIN,
            healer_flapping_unit_escalates,
        )
        .test(
            "healer_restarts_hung_unit",
            6 * MIN,
            healer_restarts_hung_unit,
        )
        .test(
            "healer_leaves_admin_stop_alone",
            6 * MIN,
            healer_leaves_admin_stop_alone,
        )
        .test(
            "healer_dependency_chain_restarts_in_order",
            6 * MIN,
            healer_dependency_chain_restarts_in_order,
        )
        .test(
            "healer_cleans_full_filesystem",
            6 * MIN,
            healer_cleans_full_filesystem,
        );
}

const UNIT_DIR: &str = "/run/systemd/system";
const POLICY_DIR: &str = "/etc/ainux/healer.d";

/// A fixture: units (name, text) and one policy file, installed on `m`, removed by `remove`.
pub struct Fixture {
    name: String,
    units: Vec<String>,
}

impl Fixture {
    pub fn install(
        m: &mut Machine,
        name: &str,
        units: &[(&str, &str)],
        policy: &str,
    ) -> anyhow::Result<Fixture> {
        m.wait_for_unit("healerd.service", 3 * MIN)?;
        for (unit, text) in units {
            m.write_file(&format!("{UNIT_DIR}/{unit}"), text.as_bytes(), 0o644)?;
        }
        m.succeed("systemctl daemon-reload")?;
        m.succeed(&format!("mkdir -p {POLICY_DIR}"))?;
        m.write_file(
            &format!("{POLICY_DIR}/test-{name}.toml"),
            policy.as_bytes(),
            0o644,
        )?;
        reload_policies(m)?;
        Ok(Fixture {
            name: name.to_string(),
            units: units.iter().map(|(u, _)| u.to_string()).collect(),
        })
    }

    /// Stop the units, drop the policy, forget the failures: the machine is as before.
    pub fn remove(self, m: &mut Machine) -> anyhow::Result<()> {
        m.succeed(&format!("rm -f {POLICY_DIR}/test-{}.toml", self.name))?;
        reload_policies(m)?;
        let units = self.units.join(" ");
        m.succeed(&format!(
            "systemctl stop {units}; systemctl reset-failed {units} 2>/dev/null; true"
        ))?;
        for u in &self.units {
            m.succeed(&format!("rm -f {UNIT_DIR}/{u}"))?;
        }
        m.succeed("systemctl daemon-reload")?;
        Ok(())
    }
}

pub fn status(m: &mut Machine) -> anyhow::Result<Value> {
    let out = m.succeed("healer status --json")?;
    serde_json::from_str(&out).with_context(|| format!("healer status --json: {out}"))
}

/// `systemctl reload healerd` only sends SIGHUP; the reload is done when the counter moved.
pub fn reload_policies(m: &mut Machine) -> anyhow::Result<()> {
    let before = status(m)?["reloads"].as_u64().unwrap_or(0);
    m.succeed("systemctl reload healerd.service")?;
    for _ in 0..120 {
        let st = status(m)?;
        if st["reloads"].as_u64().unwrap_or(0) > before {
            return Ok(());
        }
        ensure!(
            st["policy_error"].is_null(),
            "policy error after reload: {}",
            st["policy_error"]
        );
        m.succeed("sleep 0.5")?;
    }
    bail!("healerd did not reload its policies within a minute")
}

/// healerd's audit records for `unit`, oldest first.
pub fn history(m: &mut Machine, unit: &str) -> anyhow::Result<Vec<Value>> {
    let out = m.succeed(&format!("healer history {unit} --limit 1000 --json"))?;
    let v: Value =
        serde_json::from_str(&out).with_context(|| format!("healer history --json: {out}"))?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

fn actions(h: &[Value]) -> Vec<String> {
    h.iter()
        .map(|e| e["action"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Wait until healerd has written an audit record `action` for `unit` (beyond the first `skip`).
pub fn wait_for_action(
    m: &mut Machine,
    unit: &str,
    action: &str,
    skip: usize,
    timeout: Duration,
) -> anyhow::Result<Vec<Value>> {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let h = history(m, unit)?;
        if h.iter()
            .skip(skip)
            .any(|e| e["action"].as_str() == Some(action))
        {
            return Ok(h);
        }
        if std::time::Instant::now() > deadline {
            bail!(
                "no `{action}` audit record for {unit} within {timeout:?}; history: {:?}",
                actions(&h)
            );
        }
        m.succeed("sleep 0.5")?;
    }
}

pub fn prop(m: &mut Machine, unit: &str, p: &str) -> anyhow::Result<String> {
    Ok(m.succeed(&format!("systemctl show -p {p} --value {unit}"))?
        .trim()
        .to_string())
}

fn prop_u64(m: &mut Machine, unit: &str, p: &str) -> anyhow::Result<u64> {
    let v = prop(m, unit, p)?;
    v.parse().with_context(|| format!("{unit} {p}={v:?}"))
}

/// Wait until `unit` is active with a main PID other than `old_pid`.
fn wait_new_pid(m: &mut Machine, unit: &str, old_pid: &str) -> anyhow::Result<String> {
    let pid = m.wait_until_succeeds(
        &format!(
            "test \"$(systemctl is-active {unit})\" = active && p=$(systemctl show -p MainPID --value {unit}) && test \"$p\" != 0 && test \"$p\" != {old_pid} && echo $p"
        ),
        2 * MIN,
    )?;
    Ok(pid.trim().to_string())
}

fn healer_runs_hardened(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("healerd.service", 3 * MIN)?;
    let st = status(m)?;
    ensure!(
        st["connected"] == Value::Bool(true),
        "healerd not connected to systemd: {st}"
    );
    // Root with one capability (CAP_DAC_OVERRIDE, bit 1, for apt's _apt-owned directories):
    // nothing else in the effective, permitted, bounding or ambient sets.
    let pid = prop(m, "healerd.service", "MainPID")?;
    let caps = m.succeed(&format!(
        "grep -E '^Cap(Eff|Prm|Bnd|Amb)' /proc/{pid}/status"
    ))?;
    for line in caps.lines() {
        let want = if line.starts_with("CapAmb") {
            "0000000000000000"
        } else {
            "0000000000000002"
        };
        ensure!(line.ends_with(want), "healerd capabilities: {caps}");
    }
    let uid = m.succeed(&format!("awk '/^Uid:/ {{print $2}}' /proc/{pid}/status"))?;
    ensure!(uid.trim() == "0", "healerd runs as uid {uid}");
    let nnp = m.succeed(&format!(
        "awk '/^NoNewPrivs:/ {{print $2}}' /proc/{pid}/status"
    ))?;
    ensure!(nnp.trim() == "1", "NoNewPrivs is {nnp}");
    let exposure = m.succeed(
        "systemd-analyze security healerd.service --no-pager | tail -n 1 | sed 's/\\x1b\\[[0-9;]*m//g'",
    )?;
    println!("  systemd-analyze security: {}", exposure.trim());
    let score: f64 = exposure
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .with_context(|| format!("no exposure score in {exposure:?}"))?;
    ensure!(score <= 2.5, "exposure {score} (> 2.5, not OK)");
    // The sandbox: / is read-only for healerd, its state directory is not.
    m.succeed(&format!(
        "nsenter -t {pid} -m sh -c 'touch /etc/healer-x' 2>&1 | grep -q 'Read-only' "
    ))?;
    let rss = m.succeed(&format!("ps -o rss= -p {pid}"))?;
    println!("  healerd pid {pid}: RSS {} kB", rss.trim());
    Ok(())
}

const CRASH_POLICY: &str = r#"
[[policy]]
units = ["healer-t-crash.service"]
cooldown_secs = 5
[policy.restart]
initial_delay_ms = 50
jitter = 0.0
"#;

fn healer_restarts_crashed_unit(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let unit = "healer-t-crash.service";
    let fx = Fixture::install(
        m,
        "crash",
        &[(
            unit,
            "[Unit]\nDescription=healer test: crashes\n[Service]\nExecStart=/bin/sleep infinity\n",
        )],
        CRASH_POLICY,
    )?;
    m.expect_restarts(unit);
    m.succeed(&format!("systemctl start {unit}"))?;
    let pid = prop(m, unit, "MainPID")?;
    let skip = history(m, unit)?.len();
    // Installed, daemon-reloaded and started: not an administrator's stop.
    let first = actions(&history(m, unit)?);
    ensure!(
        !first.iter().any(|a| a == "admin-stop"),
        "a unit first seen after daemon-reload was audited as stopped: {first:?}"
    );
    m.succeed(&format!("systemctl kill -s KILL {unit}"))?;
    let new = wait_new_pid(m, unit, &pid)?;
    let h = wait_for_action(m, unit, "restart", skip, MIN)?;
    let restart = h
        .iter()
        .skip(skip)
        .find(|e| e["action"] == "restart")
        .context("restart record")?;
    let detect = restart["since_failure_ms"]
        .as_f64()
        .with_context(|| format!("no latency in {restart}"))?;
    let down = prop_u64(m, unit, "ActiveExitTimestampMonotonic")?;
    let up = prop_u64(m, unit, "ActiveEnterTimestampMonotonic")?;
    ensure!(
        up > down,
        "active again at {up} before the failure at {down}"
    );
    let failure_to_active = (up - down) as f64 / 1000.0;
    println!(
        "  {unit}: pid {pid} -> {new}; failure signal -> restart call {detect:.1} ms (backoff 50 ms); failure -> active {failure_to_active:.1} ms"
    );
    ensure!(
        detect >= 50.0,
        "restart called before its 50 ms backoff: {detect}"
    );
    ensure!(
        failure_to_active < 10_000.0,
        "took {failure_to_active} ms to heal"
    );
    ensure!(
        restart["reason"].as_str().unwrap_or("").contains("signal")
            || restart["state_before"]
                .as_str()
                .unwrap_or("")
                .contains("failed"),
        "restart record does not say why: {restart}"
    );
    // The audit also reached the journal file in the state directory.
    m.succeed(&format!(
        "grep -q '\"unit\":\"{unit}\".*\"action\":\"restart\"' /var/lib/healerd/audit.jsonl"
    ))?;
    // ... and questlogd, when the image has it (healerd spools while it is away).
    if m.execute("test -x /usr/bin/questlog", MIN)?.success() {
        let ql = m.wait_until_succeeds(
            &format!("questlog recent --type heal_action --unit {unit} --json | grep restart"),
            MIN,
        )?;
        ensure!(
            ql.contains(unit),
            "questlogd has no heal_action for {unit}: {ql}"
        );
        println!("  questlogd has healerd's heal_action records for {unit}");
    } else {
        println!("  (no questlogd in this image: audit in /var/lib/healerd only)");
    }
    fx.remove(m)
}

fn healer_flapping_unit_escalates(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let unit = "healer-t-flap.service";
    // Exits with an error shortly after every start; healerd allows 3 restarts per minute,
    // then escalates: one reset-failed restart, an alert, and it gives up.
    let fx = Fixture::install(
        m,
        "flap",
        &[(
            unit,
            "[Unit]\nDescription=healer test: flaps\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c 'sleep 1; exit 3'\n",
        )],
        r#"
[[policy]]
units = ["healer-t-flap.service"]
[policy.restart]
initial_delay_ms = 100
factor = 2.0
jitter = 0.0
max_restarts = 3
window_secs = 600
[policy.flapping]
threshold = 50
[policy.escalation]
steps = ["reset-failed-restart", "alert"]
"#,
    )?;
    m.expect_restarts(unit);
    let skip = history(m, unit)?.len();
    m.succeed(&format!("systemctl start {unit}"))?;
    let h = wait_for_action(m, unit, "gave-up", skip, 4 * MIN)?;
    let acts: Vec<String> = actions(&h[skip..]);
    println!("  {unit}: {}", acts.join(" → "));
    let restarts_before_escalation = acts
        .iter()
        .take_while(|a| *a != "alert")
        .filter(|a| *a == "restart")
        .count();
    // 3 restarts from the budget, then the reset-failed-restart step.
    ensure!(
        restarts_before_escalation == 4,
        "expected 3 budgeted restarts and one escalation restart, got {acts:?}"
    );
    let esc = h[skip..]
        .iter()
        .filter(|e| e["action"] == "restart")
        .nth(3)
        .context("escalation restart")?;
    ensure!(
        esc["reason"]
            .as_str()
            .unwrap_or("")
            .contains("reset-failed-restart"),
        "4th restart is not the escalation step: {esc}"
    );
    ensure!(
        acts.iter().position(|a| a == "alert") < acts.iter().position(|a| a == "gave-up"),
        "alert must come before gave-up: {acts:?}"
    );
    ensure!(
        acts.iter().filter(|a| *a == "alert").count() == 1
            && acts.iter().filter(|a| *a == "gave-up").count() == 1,
        "one flapping episode, one alert and one give-up record: {acts:?}"
    );
    // Given up: the unit stays failed, no further restart.
    m.succeed("sleep 3")?;
    let state = prop(m, unit, "ActiveState")?;
    ensure!(state == "failed", "{unit} is {state} after healerd gave up");
    let after = actions(&history(m, unit)?[skip..]);
    ensure!(
        after.len() == acts.len(),
        "healerd acted after giving up: {after:?}"
    );
    let st = status(m)?;
    let view = st["units"]
        .as_array()
        .and_then(|u| u.iter().find(|v| v["unit"] == unit))
        .cloned()
        .unwrap_or_default();
    println!("  healer status: {view}");
    fx.remove(m)
}

fn healer_restarts_hung_unit(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let unit = "healer-t-hung.service";
    // Beats every 0.5 s until /run/healer-t-hung/hang exists, then hangs (alive, no beats).
    let fx = Fixture::install(
        m,
        "hung",
        &[(
            unit,
            "[Unit]\nDescription=healer test: hangs\n[Service]\nRuntimeDirectory=healer-t-hung\nRuntimeDirectoryPreserve=yes\nExecStartPre=/bin/rm -f /run/healer-t-hung/hang\nExecStart=/bin/sh -c 'while :; do if [ -e /run/healer-t-hung/hang ]; then exec sleep infinity; fi; touch /run/healer-t-hung/beat; sleep 0.5; done'\n",
        )],
        r#"
[[policy]]
units = ["healer-t-hung.service"]
[policy.restart]
initial_delay_ms = 50
jitter = 0.0

[[policy.health]]
kind = "command"
name = "heartbeat"
command = ["/bin/sh", "-c", "test $(( $(date +%s) - $(stat -c %Y /run/healer-t-hung/beat) )) -lt 4"]
interval_ms = 1000
timeout_ms = 3000
failure_threshold = 3
"#,
    )?;
    m.succeed(&format!("systemctl start {unit}"))?;
    m.wait_for_file("/run/healer-t-hung/beat", MIN)?;
    // Healthy for a while: no restart.
    m.succeed("sleep 6")?;
    let h0 = history(m, unit)?;
    ensure!(
        !actions(&h0).contains(&"restart".to_string()),
        "a healthy unit was restarted: {:?}",
        actions(&h0)
    );
    let pid = prop(m, unit, "MainPID")?;
    m.succeed("touch /run/healer-t-hung/hang")?;
    let new = wait_new_pid(m, unit, &pid)?;
    let h = wait_for_action(m, unit, "restart", h0.len(), MIN)?;
    let r = h[h0.len()..]
        .iter()
        .find(|e| e["action"] == "restart")
        .context("restart record")?;
    println!(
        "  {unit}: hung pid {pid} restarted as {new}: {}",
        r["reason"]
    );
    ensure!(
        r["reason"].as_str().unwrap_or("").contains("health")
            || r["reason"].as_str().unwrap_or("").contains("heartbeat"),
        "restart reason does not name the health check: {r}"
    );
    // The new instance beats again.
    m.wait_until_succeeds("test ! -e /run/healer-t-hung/hang", MIN)?;
    fx.remove(m)?;
    m.succeed("rm -rf /run/healer-t-hung")?;
    Ok(())
}

fn healer_leaves_admin_stop_alone(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let unit = "healer-t-admin.service";
    let fx = Fixture::install(
        m,
        "admin",
        &[(
            unit,
            "[Unit]\nDescription=healer test: stopped by an administrator\n[Service]\nExecStart=/bin/sleep infinity\n",
        )],
        &CRASH_POLICY.replace("healer-t-crash", "healer-t-admin"),
    )?;
    m.succeed(&format!("systemctl start {unit}"))?;
    let skip = history(m, unit)?.len();
    m.succeed(&format!("systemctl stop {unit}"))?;
    let h = wait_for_action(m, unit, "admin-stop", skip, MIN)?;
    // 50 ms backoff in the policy: 100x that later, it is still stopped and was never restarted.
    m.succeed("sleep 5")?;
    let state = prop(m, unit, "ActiveState")?;
    ensure!(state == "inactive", "{unit} is {state} after an admin stop");
    let acts = actions(&history(m, unit)?[skip..]);
    ensure!(
        !acts
            .iter()
            .any(|a| a == "restart" || a == "schedule-restart"),
        "healerd restarted an admin-stopped unit: {acts:?}"
    );
    println!("  {unit}: {}", actions(&h[skip..]).join(" → "));
    // Started again by the administrator, it is watched again: a crash is healed.
    m.succeed(&format!("systemctl start {unit}"))?;
    let pid = prop(m, unit, "MainPID")?;
    m.succeed(&format!("systemctl kill -s KILL {unit}"))?;
    wait_new_pid(m, unit, &pid)?;
    fx.remove(m)
}

fn healer_dependency_chain_restarts_in_order(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let (a, b, c) = (
        "healer-t-chain-db.service",
        "healer-t-chain-app.service",
        "healer-t-chain-web.service",
    );
    // web is bound to app, app to db: when db dies, systemd stops app and web; healerd
    // restarts db and then starts app and web again, in dependency order.
    let fx = Fixture::install(
        m,
        "chain",
        &[
            (
                a,
                "[Unit]\nDescription=healer test chain: db\n[Service]\nExecStart=/bin/sleep infinity\n",
            ),
            (
                b,
                "[Unit]\nDescription=healer test chain: app\nBindsTo=healer-t-chain-db.service\nAfter=healer-t-chain-db.service\n[Service]\nExecStart=/bin/sleep infinity\n",
            ),
            (
                c,
                "[Unit]\nDescription=healer test chain: web\nBindsTo=healer-t-chain-app.service\nAfter=healer-t-chain-app.service\n[Service]\nExecStart=/bin/sleep infinity\n",
            ),
        ],
        r#"
[[policy]]
units = ["healer-t-chain-*.service"]
group = "chain"
[policy.restart]
initial_delay_ms = 50
jitter = 0.0
"#,
    )?;
    m.expect_restarts(a);
    m.succeed(&format!("systemctl start {c}"))?;
    for u in [a, b, c] {
        m.wait_for_unit(u, MIN)?;
    }
    let pids: Vec<String> = [a, b, c]
        .iter()
        .map(|u| prop(m, u, "MainPID"))
        .collect::<anyhow::Result<_>>()?;
    let skip: Vec<usize> = [a, b, c]
        .iter()
        .map(|u| history(m, u).map(|h| h.len()))
        .collect::<anyhow::Result<_>>()?;
    m.succeed(&format!("systemctl kill -s KILL {a}"))?;
    let mut up = Vec::new();
    for (u, p) in [a, b, c].iter().zip(&pids) {
        wait_new_pid(m, u, p)?;
        up.push(prop_u64(m, u, "ActiveEnterTimestampMonotonic")?);
    }
    let down = prop_u64(m, a, "ActiveExitTimestampMonotonic")?;
    println!(
        "  db failed at +0 ms; active again: db +{:.0} ms, app +{:.0} ms, web +{:.0} ms",
        (up[0] - down) as f64 / 1000.0,
        (up[1] - down) as f64 / 1000.0,
        (up[2] - down) as f64 / 1000.0
    );
    ensure!(
        down < up[0] && up[0] <= up[1] && up[1] <= up[2],
        "not restarted in order: db down {down}, up {up:?}"
    );
    let ha = wait_for_action(m, a, "restart", skip[0], MIN)?;
    println!("  {a}: {}", actions(&ha[skip[0]..]).join(" → "));
    for (u, s) in [(b, skip[1]), (c, skip[2])] {
        let h = history(m, u)?;
        let acts = actions(&h[s..]);
        println!("  {u}: {}", acts.join(" → "));
        ensure!(
            acts.iter().any(|x| x == "held"),
            "{u} was not held for its requirement: {acts:?}"
        );
        ensure!(
            !acts.iter().any(|x| x == "admin-stop"),
            "{u}'s stop was taken for an admin stop: {acts:?}"
        );
    }
    fx.remove(m)
}

fn healer_cleans_full_filesystem(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("healerd.service", 3 * MIN)?;
    // A small filesystem for the package cache, filled with downloaded packages (as after an
    // upgrade); healerd's built-in `apt-clean` clean-up frees it.
    let dir = "/var/cache/apt/archives";
    m.succeed(&format!(
        "mkdir -p {dir} && mount -t tmpfs -o size=16m healer-t-fs {dir} && install -d -o _apt -g root -m 0700 {dir}/partial"
    ))?;
    let res = (|| -> anyhow::Result<()> {
        m.succeed(&format!(
            "for i in 1 2; do head -c 4M /dev/urandom > {dir}/healer-t-pkg${{i}}_1.0_all.deb; done; \
             head -c 4M /dev/urandom > {dir}/partial/healer-t-pkg3_1.0_all.deb; \
             chown _apt {dir}/partial/*; cp /dev/null {dir}/lock"
        ))?;
        let used = m.succeed(&format!("df --output=pcent {dir} | tail -1"))?;
        println!("  {dir} filled to {}", used.trim());
        Fixture::install(
            m,
            "disk",
            &[],
            &format!(
                "[[disk]]\npath = \"{dir}\"\nmax_used_pct = 50.0\ninterval_secs = 1\ncooldown_secs = 600\nactions = [\"apt-clean\"]\n"
            ),
        )?;
        let h = wait_for_action(m, dir, "disk-cleanup", 0, 2 * MIN)?;
        let rec = h
            .iter()
            .rev()
            .find(|e| e["action"] == "disk-cleanup")
            .context("disk-cleanup record")?;
        println!("  {}", rec["reason"]);
        let after = m.succeed(&format!("df --output=pcent {dir} | tail -1"))?;
        let pct: u32 = after.trim().trim_end_matches('%').parse()?;
        ensure!(pct < 50, "{dir} still {pct}% full after the clean-up");
        m.fail(&format!("ls {dir}/*.deb {dir}/partial/*.deb"))?;
        ensure!(
            rec["reason"]
                .as_str()
                .unwrap_or("")
                .contains("apt-clean ok"),
            "the record does not name the clean-up: {rec}"
        );
        Ok(())
    })();
    m.succeed(&format!("rm -f {POLICY_DIR}/test-disk.toml"))?;
    reload_policies(m)?;
    m.succeed(&format!("umount {dir}"))?;
    res
}
