//! Snapshots, rollback and boot assessment (issue 8), in the running OS: a rollback brings the
//! system back and keeps the broken state read-only; a root that can't boot is rolled back
//! automatically; retention prunes; aish leaves pre/post pairs; `ainux status` sees every
//! service.

use anyhow::{Context, ensure};
use qemu_tests::Machine;
use qemu_tests::runner::{Ctx, Runner};
use serde_json::Value;

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test(
        "ainux_status_reports_every_service",
        4 * MIN,
        ainux_status_reports_every_service,
    )
    .test(
        "snapshot_retention_prunes_as_configured",
        6 * MIN,
        snapshot_retention_prunes_as_configured,
    )
    .test(
        "aish_destructive_command_leaves_pre_post_pair",
        6 * MIN,
        aish_destructive_command_leaves_pre_post_pair,
    )
    .test(
        "rollback_restores_the_system_and_keeps_the_broken_state",
        15 * MIN,
        rollback_restores_the_system_and_keeps_the_broken_state,
    )
    .test(
        "unbootable_root_is_rolled_back_automatically",
        25 * MIN,
        unbootable_root_is_rolled_back_automatically,
    );
}

fn json(m: &mut Machine, cmd: &str) -> anyhow::Result<Value> {
    let out = m.succeed(cmd)?;
    let line = out
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with(['{', '[']))
        .with_context(|| format!("no JSON from {cmd}: {out:?}"))?;
    serde_json::from_str(line).with_context(|| format!("bad JSON from {cmd}: {line}"))
}

fn list(m: &mut Machine, config: &str) -> anyhow::Result<Vec<Value>> {
    let v = json(m, &format!("ainux snapshot list -c {config} --json"))?;
    Ok(match v {
        Value::Array(a) => a,
        v => v["snapshots"].as_array().cloned().unwrap_or_default(),
    })
}

fn create(m: &mut Machine, desc: &str) -> anyhow::Result<u64> {
    let out = m.succeed(&format!("ainux snapshot create -d '{desc}'"))?;
    out.trim()
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .with_context(|| format!("snapshot create printed {out:?}"))
}

fn ainux_status_reports_every_service(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    for u in [
        "questlogd.socket",
        "kmonitord.service",
        "healerd.service",
        "aishd.service",
    ] {
        m.wait_for_unit(u, 2 * MIN)?;
    }
    let s = json(m, "ainux status --json")?;
    let text = s.to_string();
    for svc in ["questlogd", "kmonitord", "healerd", "aishd"] {
        ensure!(text.contains(svc), "ainux status misses {svc}: {text}");
    }
    // A stopped service shows as such, and makes the report unhealthy (exit 1).
    m.succeed("systemctl stop kmonitord.service")?;
    let r = m.execute("ainux status --json", 2 * MIN)?;
    m.succeed("systemctl start kmonitord.service")?;
    ensure!(
        r.exit != Some(0),
        "status with kmonitord stopped exited 0: {}",
        r.stdout
    );
    ensure!(
        r.stdout.contains("inactive"),
        "kmonitord not shown inactive: {}",
        r.stdout
    );
    let human = m.succeed("ainux status")?;
    ensure!(human.contains("kmonitord"), "{human}");
    Ok(())
}

fn snapshot_retention_prunes_as_configured(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    // Keep 3 (of which none need be important), no minimum age: the clean-up prunes at once.
    m.write_file(
        "/etc/ainux/snapshot-test.toml",
        b"[retention]\nnumber_limit = 3\nnumber_limit_important = 0\nnumber_min_age_s = 0\n",
        0o644,
    )?;
    let before: Vec<u64> = list(m, "home")?
        .iter()
        .filter_map(|e| e["id"].as_u64())
        .collect();
    let mut ids = Vec::new();
    for i in 0..6 {
        let out = m.succeed(&format!(
            "ainux --config-file /etc/ainux/snapshot-test.toml snapshot create -c home -d 'retention {i}'"
        ))?;
        ids.push(out.trim().parse::<u64>().context("id")?);
    }
    m.succeed("ainux --config-file /etc/ainux/snapshot-test.toml snapshot cleanup -c home")?;
    let after: Vec<u64> = list(m, "home")?
        .iter()
        .filter_map(|e| e["id"].as_u64())
        .collect();
    let kept: Vec<u64> = ids.iter().copied().filter(|i| after.contains(i)).collect();
    // The newest 3 survive (number limit), the older 3 of this test are gone.
    ensure!(
        kept == ids[3..].to_vec(),
        "kept {kept:?} of {ids:?} (before {before:?}, after {after:?})"
    );
    for id in &ids[..3] {
        m.fail(&format!(
            "test -e /home/.snapshots/{id}/snapshot -o -e /.snapshots/home/{id}/snapshot"
        ))?;
    }
    for id in kept {
        m.succeed(&format!("ainux snapshot delete -c home {id}"))?;
    }
    m.succeed("rm /etc/ainux/snapshot-test.toml")?;
    Ok(())
}

fn aish_destructive_command_leaves_pre_post_pair(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("ainux-snapshot.socket", 2 * MIN)?;
    let before = list(m, "root")?.len();
    m.succeed("mkdir -p /var/tmp/victim && echo data > /var/tmp/victim/f")?;
    // Typed into the REPL on a pseudo-terminal: `!cmd` still goes through the check, and a
    // destructive command needs an explicit "yes".
    m.write_file(
        "/tmp/aish-input",
        b"!rm -rf /var/tmp/victim\nyes\nexit\n",
        0o644,
    )?;
    m.succeed(
        "cd /root && TERM=dumb timeout 120 script -qec 'aish' /dev/null < /tmp/aish-input > /tmp/aish-out 2>&1; cat /tmp/aish-out",
    )?;
    m.fail("test -e /var/tmp/victim")?;
    let snaps = list(m, "root")?;
    ensure!(
        snaps.len() >= before + 2,
        "no new snapshots ({before} before): {snaps:?}"
    );
    let post = snaps
        .iter()
        .rev()
        .find(|s| s["type"] == "post" || s["kind"] == "post")
        .with_context(|| format!("no post snapshot in {snaps:?}"))?;
    let pre_id = post["pre_id"].as_u64().context("post without pre_id")?;
    let pre = snaps
        .iter()
        .find(|s| s["id"].as_u64() == Some(pre_id))
        .with_context(|| format!("pre {pre_id} missing"))?;
    ensure!(pre["type"] == "pre" || pre["kind"] == "pre", "{pre}");
    let text = format!("{pre} {post}");
    ensure!(text.contains("aish"), "creator is not aish: {text}");
    ensure!(
        text.contains("rm -rf /var/tmp/victim"),
        "description lacks the command: {text}"
    );
    // The pre snapshot still has the directory the command removed.
    m.succeed(&format!(
        "test -f /.snapshots/{pre_id}/snapshot/var/tmp/victim/f"
    ))?;
    Ok(())
}

/// Breaks the running root (a package's binary removed, a file in /etc edited), rolls back to
/// a snapshot taken before, reboots, and checks the system is as before and the broken state is
/// kept read-only.
pub fn break_rollback_verify(m: &mut Machine) -> anyhow::Result<u64> {
    let id = create(m, "before breaking")?;
    m.succeed("rm /usr/bin/less && echo 'broken by the test' >> /etc/issue")?;
    m.fail("test -e /usr/bin/less")?;
    let r = json(m, &format!("ainux rollback {id} --json"))?;
    let backup = r["rollback"]["backup"]
        .as_u64()
        .with_context(|| format!("{r}"))?;
    let new_default = r["rollback"]["new_default"]
        .as_u64()
        .context("new_default")?;
    m.reboot()?;
    m.succeed("test -x /usr/bin/less")?;
    let issue = m.succeed("cat /etc/issue")?;
    ensure!(
        !issue.contains("broken by the test"),
        "/etc/issue still edited: {issue}"
    );
    // The running root is the new default: the writable copy of the snapshot.
    let mounted = m.succeed("findmnt -n -o OPTIONS /")?;
    ensure!(
        mounted.contains(&format!("@snapshots/{new_default}/snapshot")),
        "root after rollback: {mounted}"
    );
    // The broken state is kept, read-only.
    let b = format!("/.snapshots/{backup}/snapshot");
    m.fail(&format!("test -e {b}/usr/bin/less"))?;
    m.succeed(&format!("grep -q 'broken by the test' {b}/etc/issue"))?;
    let ro = m.succeed(&format!("btrfs property get -ts {b} ro"))?;
    ensure!(ro.trim() == "ro=true", "backup {b}: {ro}");
    m.fail(&format!("touch {b}/etc/x"))?;
    Ok(backup)
}

fn rollback_restores_the_system_and_keeps_the_broken_state(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.machine("rollback")?;
    break_rollback_verify(m)?;
    // The boot entry was re-armed and this boot marked good.
    m.wait_for_unit("ainux-boot-good.service", 2 * MIN)?;
    let s = json(m, "ainux boot status --json")?;
    ensure!(s["main_entry_bad"] == false, "{s}");
    ensure!(s["tries_left"] == 3, "{s}");
    Ok(())
}

fn unbootable_root_is_rolled_back_automatically(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.machine("autorollback")?;
    m.wait_for_unit("ainux-boot-good.service", 2 * MIN)?;
    let id = create(m, "known good")?;
    let s = json(m, "ainux boot status --json")?;
    ensure!(
        s["fallback_snapshot"] == id,
        "fallback entry not at snapshot {id}: {s}"
    );
    let default_before = m.succeed("btrfs subvolume get-default /")?;
    // Make the root unbootable: a corrupt systemd binary (a removed /sbin/init is not enough:
    // the initramfs falls back to /bin/sh). run-init can't exec it, PID 1 exits, the kernel
    // panics and panic=10 reboots; systemd-boot counts each failed try; after 3 the fallback
    // entry boots snapshot `id` read-only and ainux-autorollback.service restores it and
    // reboots. (Renamed over, not truncated: the running PID 1 keeps its own copy.)
    m.succeed(
        "printf 'not an ELF\\n' > /usr/lib/systemd/systemd.broken && chmod 755 /usr/lib/systemd/systemd.broken && \
         mv -f /usr/lib/systemd/systemd.broken /usr/lib/systemd/systemd && sync",
    )?;
    m.expect_console("Kernel panic");
    m.expect_console("Attempted to kill init");
    m.expect_console("run-init:");
    let mut t = m.reboot_through(20 * MIN)?;
    let mut cmdline = m.succeed("cat /proc/cmdline")?;
    if cmdline.contains("ainux.autorollback") {
        // The fallback boot got to multi-user.target before its rollback rebooted it.
        let boot = m.boot_id().to_string();
        t = m.wait_for_new_boot(&boot, 10 * MIN)?;
        cmdline = m.succeed("cat /proc/cmdline")?;
    }
    println!("  back after {:.0} s", t.as_secs_f64());
    ensure!(
        !cmdline.contains("ainux.autorollback"),
        "still a fallback boot: {cmdline}"
    );
    m.succeed("/usr/lib/systemd/systemd --version | grep -q systemd")?;
    let default_after = m.succeed("btrfs subvolume get-default /")?;
    ensure!(
        default_after != default_before,
        "default subvolume unchanged: {default_after}"
    );
    let console = m.console();
    ensure!(
        console.contains("automatic rollback"),
        "the console does not show the automatic rollback"
    );
    // Recorded in questlog (spooled during the fallback boot, delivered by this boot's
    // ainux-boot-good.service).
    m.wait_for_unit("ainux-boot-good.service", 2 * MIN)?;
    let ev = m.wait_until_succeeds(
        "questlog --json search --type snapshot auto_rollback | grep -q auto_rollback && questlog --json search --type snapshot auto_rollback",
        2 * MIN,
    )?;
    ensure!(
        ev.contains(&format!("\"target\": {id}")) || ev.contains(&format!("\"target\":{id}")),
        "{ev}"
    );
    // The entry has fresh tries, and the failed root is kept read-only.
    let s = json(m, "ainux boot status --json")?;
    ensure!(s["main_entry_bad"] == false && s["tries_left"] == 3, "{s}");
    let snaps = list(m, "root")?;
    let backup = snaps
        .iter()
        .find(|e| e["backup_before"].as_u64() == Some(id))
        .with_context(|| format!("no backup of the failed root in {snaps:?}"))?;
    ensure!(backup["read_only"] == true, "{backup}");
    let bid = backup["id"].as_u64().context("id")?;
    m.succeed(&format!(
        "grep -q 'not an ELF' /.snapshots/{bid}/snapshot/usr/lib/systemd/systemd"
    ))?;
    Ok(())
}
