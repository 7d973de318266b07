//! Benchmark snapshots in the booted image: `create_ms` (a read-only snapshot of the root, timed
//! in the guest), `list_ms` with 200 snapshots, and `rollback_cycle_s` (break the system, roll
//! back, reboot, verify; timed on the host, under TCG here). The last line printed is JSON.
//!
//! `cargo run --release -p qemu-tests --features vm-tests --example bench_snapshot -- [SNAPSHOTS]`
//! (`scripts/bench-snapshot`); the image is `$AINUX_IMAGE` or `mkosi.output/ainux.raw`.

use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use qemu_tests::{Machine, boot_for_bench};
use serde_json::json;

/// Runs `cmd` in the guest and returns the guest-side wall time in milliseconds (so the agent's
/// round trip is not counted).
fn timed_ms(m: &mut Machine, cmd: &str) -> anyhow::Result<f64> {
    let out = m.succeed(&format!(
        "s=$(date +%s%N); {cmd} >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 ))"
    ))?;
    let us: f64 = out
        .trim()
        .lines()
        .last()
        .and_then(|l| l.parse().ok())
        .with_context(|| format!("timing of {cmd}: {out:?}"))?;
    Ok(us / 1000.0)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> anyhow::Result<()> {
    let total: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()
        .context("SNAPSHOTS must be a number")?
        .unwrap_or(200);
    ensure!(total >= 20, "SNAPSHOTS must be at least 20");
    let (mut m, accel) = boot_for_bench("bench-snapshot", |b| {
        b.command_timeout(Duration::from_secs(1800))
    })?;
    m.wait_for_unit("ainux-boot-good.service", Duration::from_secs(180))?;

    // create: 10 timed snapshots of the running root.
    let mut creates = Vec::new();
    for i in 0..10 {
        creates.push(timed_ms(
            &mut m,
            &format!("ainux snapshot create -d 'bench create {i}'"),
        )?);
    }
    let mut c = creates.clone();
    let create_ms = median(&mut c);
    let create_max = c.last().copied().unwrap_or(0.0);
    println!(
        "create: median {create_ms:.1} ms, max {create_max:.1} ms over 10 (root snapshot, timed in the guest)"
    );

    // list: fill up to `total` snapshots, then time the listing.
    let have = 10;
    let t = Instant::now();
    m.succeed(&format!(
        "for i in $(seq {}); do ainux snapshot create -d \"bench fill $i\" >/dev/null || exit 1; done",
        total - have
    ))?;
    println!(
        "made {} more snapshots in {:.1} s",
        total - have,
        t.elapsed().as_secs_f64()
    );
    let count =
        m.succeed("ainux snapshot list --json | tr ',' '\\n' | grep -c '\"description\"'")?;
    println!("snapshots listed: {}", count.trim());
    let mut lists = Vec::new();
    for _ in 0..5 {
        lists.push(timed_ms(&mut m, "ainux snapshot list --json")?);
    }
    let list_ms = median(&mut lists);
    let mut text = Vec::new();
    for _ in 0..5 {
        text.push(timed_ms(&mut m, "ainux snapshot list")?);
    }
    let list_text_ms = median(&mut text);
    println!(
        "list ({total} snapshots): median {list_ms:.1} ms (--json), {list_text_ms:.1} ms (table)"
    );

    // rollback cycle: break, roll back, reboot, verify.
    let t = Instant::now();
    let id: u64 = m
        .succeed("ainux snapshot create -d 'before breaking'")?
        .trim()
        .parse()
        .context("snapshot id")?;
    m.succeed("rm /usr/bin/less && echo 'broken by the bench' >> /etc/issue")?;
    m.succeed(&format!("ainux rollback {id}"))?;
    m.reboot()?;
    m.succeed("test -x /usr/bin/less && ! grep -q 'broken by the bench' /etc/issue")?;
    let rollback_cycle_s = t.elapsed().as_secs_f64();
    println!(
        "rollback cycle (break, roll back, reboot, verify): {rollback_cycle_s:.1} s ({})",
        accel.as_str()
    );
    m.shutdown()?;
    println!(
        "{}",
        json!({
            "create_ms": (create_ms * 10.0).round() / 10.0,
            "create_max_ms": (create_max * 10.0).round() / 10.0,
            "list_ms": (list_ms * 10.0).round() / 10.0,
            "list_table_ms": (list_text_ms * 10.0).round() / 10.0,
            "snapshots": total,
            "rollback_cycle_s": (rollback_cycle_s * 10.0).round() / 10.0,
            "accel": accel.as_str(),
        })
    );
    Ok(())
}
