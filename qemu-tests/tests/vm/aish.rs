//! aish in the running OS: a request is translated, checked, run, and recorded in questlog;
//! at a terminal, `aish REQUEST` asks which candidate to run.

use anyhow::{Context, ensure};
use qemu_tests::runner::{Ctx, Runner};
use serde_json::Value;

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test(
        "aish_runs_request_and_questlog_records_it",
        6 * MIN,
        aish_runs_request_and_questlog_records_it,
    );
}

fn last_json(out: &str) -> anyhow::Result<Value> {
    let line = out
        .lines()
        .rev()
        .find(|l| l.trim_start().starts_with('{'))
        .with_context(|| format!("no JSON line in {out:?}"))?;
    serde_json::from_str(line).with_context(|| format!("bad JSON {line:?}"))
}

fn aish_runs_request_and_questlog_records_it(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("questlogd.socket", 2 * MIN)?;
    // A directory unique to this run: the record's cwd proves it is this run's.
    let dir = m.succeed("mktemp -d /var/tmp/aish-vm.XXXXXX")?;
    let dir = dir.trim();
    let out = m.succeed(&format!(
        "cd {dir} && aish --run --json show disk usage </dev/null"
    ))?;
    let r = last_json(&out)?;
    ensure!(r["decision"] == "run", "decision {r}");
    let cmd = r["command"].as_str().context("command")?.to_string();
    ensure!(
        cmd.starts_with("df") || cmd.starts_with("du"),
        "`show disk usage` became {cmd:?}"
    );
    ensure!(r["level"] == "safe", "level {r}");
    ensure!(r["outcome"]["exit_code"] == 0, "outcome {r}");
    // The command really ran: its output is on stdout (df's header, or du's size<TAB>path lines).
    let ran = if cmd.starts_with("df") {
        out.contains("Filesystem")
    } else {
        out.lines().any(|l| l.contains('\t'))
    };
    ensure!(ran, "no output of {cmd} in {out:?}");
    // …and questlog has the assistant's decision, with the request, command, verdict and cwd.
    let rows = m.wait_until_succeeds(
        &format!(
            "out=$(questlog --json search --type assistant_decision 'show disk usage') && \
             printf '%s' \"$out\" | grep -qF {dir:?} && printf '%s' \"$out\""
        ),
        MIN,
    )?;
    let all: Value =
        serde_json::from_str(rows.trim()).with_context(|| format!("bad JSON {rows}"))?;
    let list = match &all {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .values()
            .find_map(|v| v.as_array().cloned())
            .unwrap_or_default(),
        _ => vec![],
    };
    let rec = list
        .iter()
        .find(|v| v.to_string().contains(dir))
        .with_context(|| format!("no record with cwd {dir} in {rows}"))?;
    // Recorded with the peer's uid (root here), never a name the client claims.
    ensure!(rec["uid"] == 0, "record uid: {rec}");
    ensure!(rec["source"] == "aish", "record source: {rec}");
    let d = &rec["data"];
    ensure!(d["command"] == cmd.as_str(), "record command: {rec}");
    ensure!(d["cwd"] == dir, "record cwd: {rec}");
    ensure!(
        d["level"] == "safe" && d["decision"] == "run",
        "record verdict: {rec}"
    );
    ensure!(d["exit"] == 0, "record exit code: {rec}");
    ensure!(
        d["output_excerpt"].as_str().is_some_and(|o| !o.is_empty()),
        "record output excerpt: {rec}"
    );

    // As a person types it, at a terminal: `aish show disk usage` lists the candidates, asks
    // which one, and runs the one chosen.
    m.write_file("/tmp/aish-pick", b"1\n", 0o644)?;
    let out = m.succeed_within(
        &format!(
            "cd {dir} && TERM=dumb timeout 120 script -qec 'aish show disk usage' /dev/null \
             < /tmp/aish-pick 2>&1"
        ),
        3 * MIN,
    )?;
    ensure!(out.contains("Which one?"), "no question in {out:?}");
    ensure!(
        out.contains("Filesystem") || out.lines().any(|l| l.contains('\t')),
        "the chosen command did not run: {out:?}"
    );
    Ok(())
}
