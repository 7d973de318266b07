//! aishd in the booted OS: it runs hardened under systemd, probes and reports ready over
//! HTTP, and `aish --run` goes through its socket (the job shows in aishd's metrics); its
//! state directory survives a restart.

use anyhow::ensure;
use qemu_tests::Machine;
use qemu_tests::runner::{Ctx, Runner};

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test(
        "aishd_serves_aish_through_its_socket",
        8 * MIN,
        aishd_serves_aish_through_its_socket,
    );
}

/// `GET path` on aishd's metrics endpoint with bash's /dev/tcp (the guest has no curl).
fn http_get(m: &mut Machine, path: &str) -> anyhow::Result<String> {
    Ok(m.succeed(&format!(
        "bash -c 'exec 3<>/dev/tcp/127.0.0.1/9479 && printf \"GET {path} HTTP/1.0\\r\\n\\r\\n\" >&3 && cat <&3'"
    ))?)
}

fn metric(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

fn aishd_serves_aish_through_its_socket(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("aishd.service", 3 * MIN)?;
    m.wait_for_file("/run/ainux/aishd/aishd.sock", MIN)?;
    let user = m.succeed("systemctl show -p User -p DynamicUser --value aishd")?;
    ensure!(
        user.contains("yes"),
        "aishd is not a dynamic user: {user:?}"
    );
    m.wait_until_succeeds(
        "bash -c 'exec 3<>/dev/tcp/127.0.0.1/9479 && printf \"GET /startupz HTTP/1.0\\r\\n\\r\\n\" >&3 && head -1 <&3' | grep -q 200",
        MIN,
    )?;
    ensure!(http_get(m, "/readyz")?.starts_with("HTTP/1.1 200"));
    ensure!(http_get(m, "/livez")?.starts_with("HTTP/1.1 200"));
    let before = http_get(m, "/metrics")?;
    let submitted = metric(&before, "aishd_submitted_total").unwrap_or(-1.0);
    ensure!(submitted >= 0.0, "{before}");

    // A user's one-shot request goes through aishd.
    m.succeed("id aishvm >/dev/null 2>&1 || useradd -m -s /bin/bash aishvm")?;
    let out = m.succeed_within(
        "cd /tmp && runuser -u aishvm -- aish --run --json show disk usage </dev/null",
        2 * MIN,
    )?;
    ensure!(out.contains("\"decision\""), "aish --run: {out}");
    let after = http_get(m, "/metrics")?;
    ensure!(
        metric(&after, "aishd_submitted_total") == Some(submitted + 1.0),
        "submitted {submitted} before; after:\n{after}"
    );

    // The state directory (remembered approvals) exists and survives a restart.
    m.succeed("systemctl restart aishd")?;
    m.wait_for_unit("aishd.service", MIN)?;
    m.succeed("test -d /var/lib/private/ainux/aishd")?;
    m.succeed("userdel -r aishvm 2>/dev/null || true")?;
    Ok(())
}
