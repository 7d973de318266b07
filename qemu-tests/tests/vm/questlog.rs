//! questlogd in the running OS: commands typed in a real interactive login bash or zsh are
//! logged with their user, cwd and exit code; a failing unit becomes an event; one user cannot
//! read another's commands.

use anyhow::{Context, ensure};
use qemu_tests::Machine;
use qemu_tests::runner::{Ctx, Runner};
use serde_json::Value;

use crate::MIN;

pub fn register(r: &mut Runner) {
    r.test(
        "questlog_records_interactive_bash_commands",
        8 * MIN,
        questlog_records_interactive_bash_commands,
    )
    .test(
        "questlog_records_interactive_zsh_commands",
        8 * MIN,
        questlog_records_interactive_zsh_commands,
    )
    .test(
        "questlog_records_failed_unit",
        6 * MIN,
        questlog_records_failed_unit,
    )
    .test(
        "questlog_user_sees_only_own_commands",
        8 * MIN,
        questlog_user_sees_only_own_commands,
    );
}

/// A marker unique to this run, so a row found can only come from this test.
fn nonce(m: &mut Machine) -> anyhow::Result<String> {
    let n = m.succeed("od -An -N6 -tx1 /dev/urandom | tr -d ' \\n'")?;
    ensure!(n.len() == 12, "nonce {n:?}");
    Ok(n)
}

/// Types `lines` into an interactive login bash (on a pseudo-terminal made by `script`) run
/// as `user`, then `exit`. `who` is `None` for root.
fn type_in_login_bash(m: &mut Machine, user: Option<&str>, lines: &[&str]) -> anyhow::Result<()> {
    type_in_login_shell(m, user, "bash", lines)
}

/// [`type_in_login_bash`] with another shell (`bash` or `zsh`).
fn type_in_login_shell(
    m: &mut Machine,
    user: Option<&str>,
    sh: &str,
    lines: &[&str],
) -> anyhow::Result<()> {
    let mut input = lines.join("\n");
    input.push_str("\nexit\n");
    let path = "/tmp/ql-typed-input";
    m.write_file(path, input.as_bytes(), 0o644)?;
    let shell = format!("TERM=dumb script -qec '{sh} -l -i' /dev/null");
    let cmd = match user {
        None => format!("cd / && timeout 120 sh -c \"{shell}\" < {path} > /dev/null 2>&1; echo $?"),
        Some(u) => format!(
            "cd / && timeout 120 runuser -l {u} -c \"{shell}\" < {path} > /dev/null 2>&1; echo $?"
        ),
    };
    let rc = m.succeed_within(&cmd, 3 * MIN)?;
    // The last command typed before `exit` decides bash's exit status; a timeout is 124.
    ensure!(rc.trim() != "124", "the interactive bash did not exit");
    Ok(())
}

/// `questlog search TEXT --json` (as `user`, or root) once it finds at least one row.
fn search_rows(m: &mut Machine, user: Option<&str>, text: &str) -> anyhow::Result<Vec<Value>> {
    let q = format!("questlog --json search {text}");
    let cmd = match user {
        None => q,
        Some(u) => format!("runuser -u {u} -- {q}"),
    };
    let out = m.wait_until_succeeds(&format!("{cmd} | grep -q {text} && {cmd}"), 2 * MIN)?;
    let rows: Vec<Value> =
        serde_json::from_str(&out).with_context(|| format!("questlog output {out:?}"))?;
    Ok(rows)
}

fn questlog_records_interactive_bash_commands(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("questlogd.socket", 2 * MIN)?;
    let n = nonce(m)?;
    let failing = format!("cd /tmp && test qlfail-{n} = x");
    let passing = format!("cd /var/log && echo qlok-{n}");
    type_in_login_bash(m, None, &[&failing, &passing])?;

    let rows = search_rows(m, None, &format!("qlfail-{n}"))?;
    ensure!(rows.len() == 1, "rows for {failing:?}: {rows:#?}");
    let r = &rows[0];
    ensure!(r["type"] == "command", "{r:#}");
    ensure!(r["source"] == "bash", "{r:#}");
    ensure!(r["text"] == failing.as_str(), "{r:#}");
    ensure!(r["uid"] == 0, "{r:#}");
    ensure!(r["cwd"] == "/tmp", "{r:#}");
    ensure!(r["exit"] == 1, "{r:#}");

    let rows = search_rows(m, None, &format!("qlok-{n}"))?;
    ensure!(rows.len() == 1, "rows for {passing:?}: {rows:#?}");
    let r = &rows[0];
    ensure!(r["cwd"] == "/var/log", "{r:#}");
    ensure!(r["exit"] == 0, "{r:#}");
    ensure!(r["uid"] == 0, "{r:#}");
    // Both came from the same shell session, and the table view names the user.
    let session = &rows[0]["session"];
    ensure!(session.is_string(), "no session: {r:#}");
    let table = m.succeed(&format!("questlog search qlfail-{n}"))?;
    ensure!(table.contains("root"), "table view: {table}");
    Ok(())
}

/// The zsh hook (`/etc/zsh/questlog.zsh`, sourced from the system zshrc) records like bash's.
fn questlog_records_interactive_zsh_commands(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("questlogd.socket", 2 * MIN)?;
    m.succeed("grep -q questlog.zsh /etc/zsh/zshrc")?;
    // A .zshrc of its own, so zsh's first-run menu does not take the typed lines.
    m.succeed("touch /root/.zshrc")?;
    let n = nonce(m)?;
    let failing = format!("cd /tmp && test zqlfail-{n} = x");
    let passing = format!("cd /var/log && echo zqlok-{n}");
    type_in_login_shell(m, None, "zsh", &[&failing, &passing])?;

    let rows = search_rows(m, None, &format!("zqlfail-{n}"))?;
    ensure!(rows.len() == 1, "rows for {failing:?}: {rows:#?}");
    let r = &rows[0];
    ensure!(r["source"] == "zsh", "{r:#}");
    ensure!(r["text"] == failing.as_str(), "{r:#}");
    ensure!(r["uid"] == 0, "{r:#}");
    ensure!(r["cwd"] == "/tmp", "{r:#}");
    ensure!(r["exit"] == 1, "{r:#}");
    let rows = search_rows(m, None, &format!("zqlok-{n}"))?;
    ensure!(rows.len() == 1, "rows for {passing:?}: {rows:#?}");
    ensure!(rows[0]["cwd"] == "/var/log", "{:#}", rows[0]);
    ensure!(rows[0]["exit"] == 0, "{:#}", rows[0]);
    ensure!(rows[0]["session"] == r["session"], "{:#} vs {r:#}", rows[0]);
    Ok(())
}

fn questlog_records_failed_unit(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("questlogd.socket", 2 * MIN)?;
    let n = nonce(m)?;
    let unit = format!("ql-fail-{n}.service");
    m.succeed(&format!(
        "systemd-run --unit={unit} -p Restart=no /bin/false"
    ))?;
    let found = m.wait_until_succeeds(
        &format!(
            "questlog --json recent --unit {unit} -n 50 | grep -q '\"failed: ' \
             && questlog --json recent --unit {unit} -n 50"
        ),
        3 * MIN,
    );
    // The failed unit must not outlive the test (the end-of-test check rejects failed units).
    m.succeed(&format!("systemctl reset-failed {unit} || true"))?;
    let out = found?;
    let rows: Vec<Value> =
        serde_json::from_str(&out).with_context(|| format!("questlog output {out:?}"))?;
    let failed: Vec<&Value> = rows
        .iter()
        .filter(|r| r["type"] == "unit" && r["unit"] == unit.as_str())
        .filter(|r| {
            r["text"]
                .as_str()
                .is_some_and(|t| t.starts_with("failed: "))
        })
        .collect();
    ensure!(!failed.is_empty(), "no failed event for {unit}: {rows:#?}");
    let r = failed[0];
    ensure!(r["source"] == "journal", "{r:#}");
    ensure!(r["uid"] == 0, "{r:#}");
    Ok(())
}

fn questlog_user_sees_only_own_commands(ctx: &mut Ctx) -> anyhow::Result<()> {
    let m = ctx.shared()?;
    m.wait_for_unit("questlogd.socket", 2 * MIN)?;
    let n = nonce(m)?;
    let user = format!("ql{}", &n[..6]);
    m.succeed(&format!("useradd -m -s /bin/bash {user}"))?;
    let uid: u64 = m.succeed(&format!("id -u {user}"))?.trim().parse()?;

    let root_cmd = format!("echo qlroot-{n}");
    type_in_login_bash(m, None, &[&root_cmd])?;
    let user_cmd = format!("cd ~ && echo qluser-{n}");
    type_in_login_bash(m, Some(&user), &[&user_cmd])?;

    // Root sees both; the user sees their own command...
    let rows = search_rows(m, None, &format!("qlroot-{n}"))?;
    ensure!(rows.len() == 1 && rows[0]["uid"] == 0, "{rows:#?}");
    let rows = search_rows(m, Some(&user), &format!("qluser-{n}"))?;
    ensure!(rows.len() == 1, "{rows:#?}");
    ensure!(rows[0]["uid"] == uid, "{:#}", rows[0]);
    ensure!(
        rows[0]["cwd"] == format!("/home/{user}").as_str(),
        "{:#}",
        rows[0]
    );
    let rows = search_rows(m, None, &format!("qluser-{n}"))?;
    ensure!(rows.len() == 1 && rows[0]["uid"] == uid, "{rows:#?}");

    // ...but not root's: not by text, and no command of another user in what they can read
    // (system events, such as unit state changes, are readable by everyone).
    // `questlog search` exits 1 when nothing matches, like grep.
    let out = m.succeed(&format!(
        "runuser -u {user} -- questlog --json search qlroot-{n}; test $? = 1"
    ))?;
    let rows: Vec<Value> = serde_json::from_str(&out).with_context(|| format!("{out:?}"))?;
    ensure!(rows.is_empty(), "{user} reads root's command: {rows:#?}");
    let out = m.succeed(&format!(
        "runuser -u {user} -- questlog --json recent -n 1000"
    ))?;
    let rows: Vec<Value> = serde_json::from_str(&out).with_context(|| format!("{out:?}"))?;
    let foreign: Vec<&Value> = rows
        .iter()
        .filter(|r| r["type"] == "command" && r["uid"] != uid)
        .collect();
    ensure!(
        foreign.is_empty(),
        "{user} reads others' commands: {foreign:#?}"
    );
    m.succeed(&format!("userdel -r {user} 2>/dev/null || true"))?;
    Ok(())
}
