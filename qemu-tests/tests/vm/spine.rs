//! The spine: the image boots via UEFI, has its btrfs layout and configuration, keeps data
//! across reboot and crash.

use anyhow::{Context, ensure};
use qemu_tests::runner::{Ctx, Runner};

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test(
        "boots_uefi_to_multi_user",
        6 * MIN,
        boots_uefi_to_multi_user,
    )
    .test("btrfs_subvolume_layout", 3 * MIN, btrfs_subvolume_layout)
    .test("configuration_applied", 3 * MIN, configuration_applied)
    .test(
        "project_unit_enabled_by_preset",
        3 * MIN,
        project_unit_enabled_by_preset,
    )
    .test(
        "home_survives_reboot_and_fsync_survives_crash",
        12 * MIN,
        home_survives_reboot_and_fsync_survives_crash,
    );
}

fn boots_uefi_to_multi_user(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let t = m.boot_time().context("boot time")?;
    println!(
        "  booted to multi-user.target in {:.1} s ({})",
        t.as_secs_f64(),
        m.accel().as_str()
    );
    // Booted through UEFI firmware and systemd-boot.
    m.succeed("test -d /sys/firmware/efi")?;
    let loader = m.succeed("cat /sys/firmware/efi/efivars/LoaderInfo-4a67b082-0a4c-41cf-b6c7-440b29bb8c4f | tr -d '\\000'")?;
    ensure!(
        loader.contains("systemd-boot"),
        "LoaderInfo is {loader:?}, expected systemd-boot"
    );
    let state = m.succeed("systemctl is-active multi-user.target")?;
    ensure!(state.trim() == "active", "multi-user.target is {state}");
    let running = m.wait_until_succeeds(
        "systemctl is-system-running --wait | grep -qx running && echo running",
        2 * MIN,
    )?;
    ensure!(running.trim() == "running", "system state {running}");
    Ok(())
}

fn btrfs_subvolume_layout(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    let fstype = m.succeed("findmnt -n -o FSTYPE /")?;
    ensure!(fstype.trim() == "btrfs", "/ is {fstype}");
    // `/` is the file system's default subvolume, and nothing pins it on the command line.
    let default = m.succeed("btrfs subvolume get-default /")?;
    ensure!(
        default.trim().ends_with("path @"),
        "default subvolume: {default}"
    );
    let root_subvol = m.succeed("findmnt -n -o OPTIONS / | tr , '\\n' | sed -n 's/^subvol=//p'")?;
    ensure!(
        root_subvol.trim() == "/@",
        "/ is mounted from {root_subvol:?}"
    );
    let cmdline = m.succeed("cat /proc/cmdline")?;
    ensure!(
        !cmdline.contains("subvol"),
        "kernel command line pins a subvolume: {cmdline}"
    );
    let list = m.succeed("btrfs subvolume list / | awk '{print $NF}' | sort")?;
    let names: Vec<&str> = list.lines().collect();
    for want in ["@", "@home", "@snapshots", "@var_log"] {
        ensure!(
            names.contains(&want),
            "subvolume {want} missing from {names:?}"
        );
    }
    for (mp, sv) in [
        ("/home", "/@home"),
        ("/var/log", "/@var_log"),
        ("/.snapshots", "/@snapshots"),
    ] {
        let opts = m.succeed(&format!("findmnt -n -o FSTYPE,OPTIONS {mp}"))?;
        ensure!(
            opts.starts_with("btrfs") && opts.contains(&format!("subvol={sv}")),
            "{mp}: {opts}"
        );
    }
    // The ESP is a GPT partition of the EFI type next to the root of the discoverable type.
    let types = m.succeed("lsblk -rno PARTTYPE /dev/vda | sort")?;
    ensure!(
        types.contains("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"),
        "no ESP: {types}"
    );
    ensure!(
        types.contains("4f68bce3-e8cd-4db1-96e7-fbcaf984b709"),
        "root type: {types}"
    );
    Ok(())
}

fn configuration_applied(ctx: &mut Ctx) -> anyhow::Result<()> {
    let conf = std::fs::read_to_string(qemu_tests::workspace_root().join("mkosi.conf"))?;
    let get = |key: &str| {
        conf.lines()
            .find_map(|l| {
                l.trim()
                    .strip_prefix(&format!("{key}="))
                    .map(str::to_string)
            })
            .unwrap_or_default()
    };
    let (hostname, locale, tz, password) = (
        get("Hostname"),
        get("Locale"),
        get("Timezone"),
        get("RootPassword"),
    );
    let m = ctx.shared()?;
    let h = m.succeed("hostname")?;
    ensure!(
        h.trim() == hostname,
        "hostname {h:?}, mkosi.conf says {hostname:?}"
    );
    let lang = m.succeed("localectl status | sed -n 's/.*LANG=//p'")?;
    ensure!(
        lang.trim() == locale,
        "LANG {lang:?}, mkosi.conf says {locale:?}"
    );
    let avail = m.succeed("locale -a")?;
    let want = locale.to_lowercase().replace("utf-8", "utf8");
    ensure!(
        avail.lines().any(|l| l.to_lowercase() == want),
        "locale {locale} not generated: {avail}"
    );
    let zone = m.succeed("timedatectl show -p Timezone --value")?;
    ensure!(
        zone.trim() == tz,
        "time zone {zone:?}, mkosi.conf says {tz:?}"
    );
    // The root password hash in /etc/shadow verifies the configured password (and not another).
    let check = |pw: &str| {
        format!(
            "h=$(getent shadow root | cut -d: -f2); perl -e 'exit(crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? 0 : 1)' '{pw}' \"$h\""
        )
    };
    m.succeed(&check(&password))
        .context("root password does not verify")?;
    m.fail(&check("not-the-password"))?;
    // Autologin: root is logged in on the serial console without a password.
    let who = m.wait_until_succeeds(
        "loginctl list-sessions --no-legend | grep -E 'root +(seat0 +)?(tty1|ttyS0)'",
        2 * MIN,
    )?;
    ensure!(who.contains("root"), "no autologin session: {who}");
    Ok(())
}

fn project_unit_enabled_by_preset(ctx: &mut Ctx) -> anyhow::Result<()> {
    let preset =
        std::fs::read_to_string(qemu_tests::workspace_root().join("units/90-ainux.preset"))?;
    let m = ctx.shared()?;
    m.succeed("test -f /usr/lib/systemd/system-preset/90-ainux.preset")?;
    let mut checked = 0;
    for unit in preset
        .lines()
        .filter_map(|l| l.strip_prefix("enable "))
        .map(str::trim)
        .filter(|u| !u.starts_with("systemd-") && !u.starts_with("ainux-agent"))
    {
        let enabled = m.succeed(&format!("systemctl is-enabled {unit}"))?;
        ensure!(enabled.trim() == "enabled", "{unit} is {enabled}");
        // What the preset says is what `systemctl preset` would do now: nothing to change.
        let dry = m.succeed(&format!("systemctl preset --dry-run {unit} 2>&1; true"))?;
        ensure!(
            dry.trim().is_empty(),
            "{unit} differs from its preset: {dry}"
        );
        if unit.ends_with(".service") {
            // Active, or skipped by its own condition (e.g. ainux-autorollback.service runs
            // only in a fallback boot).
            m.wait_until_succeeds(
                &format!(
                    "systemctl is-active --quiet {unit} || \
                     systemctl show -p ConditionResult --value {unit} | grep -qx no"
                ),
                2 * MIN,
            )?;
        }
        checked += 1;
    }
    ensure!(checked >= 1, "the preset enables no project service");
    Ok(())
}

fn home_survives_reboot_and_fsync_survives_crash(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.machine("persist")?;
    m.succeed("echo 'kept across reboot' > /home/persist.txt && sync")?;
    let before = m.boot_id().to_string();
    let t = m.reboot()?;
    println!("  rebooted in {:.1} s", t.as_secs_f64());
    ensure!(m.boot_id() != before, "boot id did not change");
    let text = m.succeed("cat /home/persist.txt")?;
    ensure!(
        text.trim() == "kept across reboot",
        "after reboot: {text:?}"
    );

    // Writes in flight, one file fsynced, then the plug is pulled.
    m.succeed(
        "head -c 4194304 /dev/urandom > /home/synced.bin && sync /home/synced.bin && sha256sum /home/synced.bin > /var/tmp/synced.sha && sync /var/tmp/synced.sha",
    )?;
    let sum = m.succeed("cut -d' ' -f1 /var/tmp/synced.sha")?;
    m.succeed("nohup sh -c 'i=0; while :; do i=$((i+1)); head -c 1048576 /dev/urandom > /home/inflight.$((i % 8)); done' >/dev/null 2>&1 &")?;
    m.succeed("sleep 2")?;
    m.crash();
    let t = m.boot_again()?;
    println!("  booted again after the crash in {:.1} s", t.as_secs_f64());
    let after = m.succeed("sha256sum /home/synced.bin | cut -d' ' -f1")?;
    ensure!(
        after.trim() == sum.trim(),
        "fsynced file changed by the crash: {sum} → {after}"
    );
    // The file system is consistent after the crash.
    let stats = m.succeed("btrfs device stats / | awk '$2 != 0'")?;
    ensure!(stats.trim().is_empty(), "btrfs errors after crash: {stats}");
    Ok(())
}
