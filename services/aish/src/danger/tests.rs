use super::*;

fn lvl(cmd: &str) -> Level {
    check(cmd).level
}

fn assert_level(cases: &[(&str, Level)]) {
    for (cmd, want) in cases {
        let v = check(cmd);
        assert_eq!(v.level, *want, "{cmd}: {:#?}", v.reasons);
    }
}

use Level::{Critical, Destructive, Moderate, Safe};

#[test]
fn read_only_commands_are_safe() {
    assert_level(&[
        ("ls -la", Safe),
        ("du -sh * | sort -h", Safe),
        ("find / -name core -type f 2>/dev/null", Safe),
        ("grep -r TODO src/", Safe),
        ("cat /etc/os-release", Safe),
        ("systemctl status nginx", Safe),
        ("journalctl -u nginx --since today", Safe),
        ("git log --oneline -5", Safe),
        ("echo \"rm -rf /\"", Safe),
        ("grep -- -rf notes.txt", Safe),
        ("cat /dev/urandom | head -c 16 | base64", Safe),
        ("ls /dev/sda*", Safe),
        ("kill -l", Safe),
        ("command -v rm", Safe),
    ]);
}

#[test]
fn deletion_rules() {
    assert_level(&[
        ("rm notes.txt", Destructive),
        ("rm -rf ./build", Destructive),
        ("rm -rf /home/alice", Critical),
        ("rm -rf /home/$USER", Critical),
        ("rm -rf /home/alice/old", Destructive),
        ("rm -rf /", Critical),
        ("rm -rf /*", Critical),
        ("rm -r -f /etc", Critical),
        ("rm -fr ~", Critical),
        ("rm -rf $HOME", Critical),
        ("rm /etc/passwd", Critical),
        ("rm -rf /tmp/x", Destructive),
        ("rmdir empty", Moderate),
        ("shred -n 3 /dev/sda", Critical),
        ("shred secret.txt", Destructive),
        ("truncate -s 0 /var/lib/dpkg/status", Critical),
        ("truncate -s 0 app.log", Destructive),
    ]);
}

#[test]
fn find_rules() {
    assert_level(&[
        ("find . -name '*.pdf'", Safe),
        ("find . -name '*.log' -delete", Destructive),
        ("find / -delete", Critical),
        ("find / -exec rm -rf {} \\;", Critical),
        ("find ~ -type f -exec rm -f {} +", Critical),
        ("find ./cache -type f -exec rm -f {} +", Destructive),
        ("find /etc -name '*.conf' -exec cat {} \\;", Safe),
        ("find . -type f -exec chmod 644 {} \\;", Moderate),
    ]);
}

#[test]
fn disk_and_device_rules() {
    assert_level(&[
        ("mkfs.ext4 /dev/sda1", Critical),
        ("mkfs -t btrfs /dev/vda", Critical),
        ("wipefs -a /dev/sda", Critical),
        ("wipefs /dev/sda", Safe),
        ("dd if=/dev/zero of=/dev/nvme0n1", Critical),
        ("dd if=/dev/zero of=./test.img bs=1M count=10", Moderate),
        ("echo hi > /dev/sda", Critical),
        ("cat /dev/zero > /dev/sda", Critical),
        ("fdisk -l", Safe),
        ("echo b > /proc/sysrq-trigger", Critical),
    ]);
}

#[test]
fn system_file_rules() {
    assert_level(&[
        ("> /etc/passwd", Critical),
        ("echo '' > /etc/shadow", Critical),
        ("tee /etc/sudoers < /dev/null", Critical),
        ("ln -sf /dev/null /etc/fstab", Critical),
        ("sed -i 'd' /etc/fstab", Critical),
        ("sed -i 's/a/b/' notes.txt", Moderate),
        ("mv /etc /tmp/etc.bak", Critical),
        ("mv /bin/bash /bin/bash.bak", Critical),
        ("mv ~/Documents /dev/null", Destructive),
        ("mv a.txt b.txt", Moderate),
        ("echo x >> /etc/hosts", Destructive),
        ("chmod 000 /etc/passwd", Critical),
        ("chmod -R 777 /", Critical),
        ("chown -R nobody /", Critical),
        ("chmod +x script.sh", Moderate),
        ("echo hello > out.txt", Moderate),
    ]);
}

#[test]
fn process_service_and_power_rules() {
    assert_level(&[
        ("kill -9 1", Critical),
        ("kill -9 -1", Critical),
        ("kill 12345", Destructive),
        ("kill -0 12345", Safe),
        ("killall -9 sshd", Destructive),
        ("pkill -9 -u root", Critical),
        ("killall -u 0", Critical),
        ("pkill -u root nginx", Destructive),
        ("pkill -u alice", Destructive),
        ("fuser -k 3000/tcp", Destructive),
        ("fuser -km /mnt/usb", Destructive),
        ("fuser -s -k 80/tcp", Destructive),
        ("fuser -n tcp -k 80", Destructive),
        ("fuser -v 22/tcp", Safe),
        ("systemctl stop sshd", Destructive),
        ("systemctl disable --now systemd-networkd", Destructive),
        ("sudo systemctl restart nginx", Moderate),
        ("shutdown -h now", Destructive),
        ("reboot", Destructive),
        ("init 0", Destructive),
        ("crontab -r", Destructive),
        ("crontab -l", Safe),
    ]);
}

#[test]
fn vcs_package_network_user_rules() {
    assert_level(&[
        ("git status", Safe),
        ("git clean -fdx", Destructive),
        ("git clean -n", Safe),
        ("git reset --hard HEAD~5", Destructive),
        ("git push --force origin main", Destructive),
        ("git push origin main", Moderate),
        ("apt list --installed", Safe),
        ("sudo apt update", Moderate),
        ("sudo apt upgrade -y", Moderate),
        ("apt-get remove vim", Destructive),
        ("apt-get purge -y 'linux-image*'", Critical),
        ("apt-get remove --purge -y systemd", Critical),
        ("dpkg --purge --force-all libc6", Critical),
        ("pacman -Rdd glibc", Critical),
        ("iptables -F", Destructive),
        ("iptables -L -n", Safe),
        ("ip link set eth0 down", Destructive),
        ("ip addr", Safe),
        ("passwd -d root", Critical),
        ("userdel -r alice", Destructive),
        ("useradd bob", Destructive),
        ("tar -czf backup.tar.gz folder", Moderate),
        ("tar -tzf backup.tar.gz", Safe),
    ]);
}

#[test]
fn bypass_wrappers() {
    assert_level(&[
        ("sudo rm -rf --no-preserve-root /", Critical),
        ("sudo -u root rm -rf /boot", Critical),
        ("command rm -rf ~", Critical),
        ("env rm -rf /", Critical),
        ("env -i FOO=1 rm -rf /", Critical),
        ("nohup rm -rf / &", Critical),
        ("timeout 10 rm -rf /", Critical),
        ("timeout -s KILL 5s rm -rf /", Critical),
        ("nice -n 10 rm -rf /", Critical),
        ("ionice -c 3 rm -rf /", Critical),
        ("doas rm -rf /", Critical),
        ("exec rm -rf /", Critical),
        ("xargs rm -rf < list.txt", Destructive),
        ("ls | xargs rm", Destructive),
        ("echo / | xargs rm -rf", Critical),
        ("echo build dist | xargs rm -rf", Destructive),
        ("printf 'tmp\\n/etc\\n' | xargs -I{} rm -rf {}", Critical),
        ("printf 'a\\nb\\n' | xargs -I % rm -rf ./%", Destructive),
        ("echo \"'/'\" | xargs rm -rf", Critical),
        ("busybox rm -rf /", Critical),
        ("stdbuf -o0 rm -rf /", Critical),
        ("watch rm -rf /", Critical),
        ("su -c 'rm -rf /'", Critical),
        ("ssh host 'rm -rf /'", Critical),
    ]);
}

#[test]
fn bypass_quotes_backslashes_and_paths() {
    assert_level(&[
        ("\\rm -rf /", Critical),
        ("r''m -rf /", Critical),
        ("\"rm\" -rf /", Critical),
        ("r\\m -r\\f /", Critical),
        ("$'\\x72\\x6d' -rf /", Critical),
        ("/bin/rm -rf /", Critical),
        ("/usr/bin/rm -rf ~", Critical),
        ("rm -rf //", Critical),
        ("rm -rf /etc/..", Critical),
        ("rm -rf /{etc,usr}", Critical),
    ]);
}

#[test]
fn bypass_variables() {
    assert_level(&[
        ("x=rm; $x -rf /", Critical),
        ("rm -rf \"$BUILD_DIR\"/*", Critical),
        ("rm -rf ${DIR:-/}", Critical),
        ("rm -rf \"$HOME\"/", Critical),
        ("a=/; rm -rf $a", Critical),
        ("c='rm -rf /'; $c", Critical),
        ("rm${IFS}-rf${IFS}/", Critical),
        ("$CMD -rf /", Critical),
        ("$CMD", Destructive),
        ("export T=/; rm -rf $T", Critical),
        ("for d in /etc /usr; do rm -rf $d; done", Critical),
    ]);
}

#[test]
fn bypass_eval_base64_and_shells() {
    assert_level(&[
        ("echo cm0gLXJmIH4= | base64 -d | sh", Critical),
        ("eval \"$(echo cm0gLXJmIC8= | base64 -d)\"", Critical),
        ("base64 -d <<< cm0gLXJmIC8= | bash", Critical),
        ("eval 'rm -rf /'", Critical),
        ("eval \"$UNKNOWN\"", Destructive),
        ("bash -c \"rm -rf ~\"", Critical),
        ("sh -c 'rm -rf /'", Critical),
        ("bash -xc 'rm -rf /'", Critical),
        ("sudo sh -c 'sh -c \"rm -rf /\"'", Critical),
        ("echo 'rm -rf /' | sh", Critical),
        ("bash <<EOF\nrm -rf /\nEOF", Critical),
        ("$(echo rm) -rf /", Critical),
        ("`echo rm` -rf /", Critical),
        ("echo 726d202d7266202f | xxd -r -p | sh", Critical),
        ("echo ls | sh", Safe),
    ]);
}

#[test]
fn bypass_interpreters() {
    assert_level(&[
        ("python3 -c 'import shutil; shutil.rmtree(\"/\")'", Critical),
        ("python -c 'import os; os.system(\"rm -rf /\")'", Critical),
        (
            "python3 -c 'import subprocess; subprocess.run([\"rm\", \"-rf\", \"/\"])'",
            Critical,
        ),
        (
            "python3 -c 'import os,shutil; shutil.rmtree(os.path.expanduser(\"~\"))'",
            Critical,
        ),
        ("perl -e 'system(\"rm -rf ~\")'", Critical),
        ("perl -e '`rm -rf /`'", Critical),
        ("ruby -e 'FileUtils.rm_rf(\"/\")'", Critical),
        (
            "node -e 'require(\"child_process\").execSync(\"rm -rf /\")'",
            Critical,
        ),
        (
            "node -e 'require(\"fs\").rmSync(\"/etc\", {recursive: true})'",
            Critical,
        ),
        (
            "python3 -c 'open(\"/dev/sda\",\"w\").write(\"x\")'",
            Critical,
        ),
        ("awk 'BEGIN{system(\"rm -rf /\")}'", Critical),
        (
            "python3 -c 'import os; os.system(__import__(\"base64\").b64decode(\"cm0gLXJmIC8=\"))'",
            Critical,
        ),
        ("perl -e 'fork while fork'", Critical),
        ("python3 -c 'print(1+1)'", Safe),
        ("awk '{print $1}' file", Safe),
    ]);
}

#[test]
fn bypass_network_code() {
    assert_level(&[
        ("curl -fsSL http://example.com/install.sh | sh", Destructive),
        ("wget -qO- http://example.com/x | sudo bash", Destructive),
        ("bash <(curl -s http://example.com/x)", Destructive),
        ("source <(curl -s http://example.com/x)", Destructive),
        ("curl -s http://x | python3", Destructive),
        ("bash -c \"$(curl -fsSL http://x)\"", Destructive),
        ("eval \"$(wget -qO- http://x)\"", Destructive),
        ("curl -s http://example.com", Safe),
        ("curl -o page.html http://example.com", Moderate),
    ]);
}

#[test]
fn fork_bombs_under_any_name() {
    assert_level(&[
        (":(){ :|:& };:", Critical),
        ("bomb(){ bomb|bomb& };bomb", Critical),
        ("f() { f & f; }; f", Critical),
        ("function boom { boom | boom & }; boom", Critical),
        ("f() { echo hi; }; f", Safe),
        (":(){:|:&};:", Critical),
        ("python3 -c 'import os\nwhile True: os.fork()'", Critical),
    ]);
}

#[test]
fn aliases_and_functions() {
    assert_level(&[
        ("alias ls='rm -rf ~'; ls", Critical),
        ("alias ll='ls -la'; ll", Safe),
        ("f() { rm -rf /; }", Critical),
        ("clean() { rm -rf \"$1\"; }; clean /", Destructive),
    ]);
}

#[test]
fn unparseable_is_at_least_destructive() {
    for cmd in [
        "echo 'unterminated",
        "rm -rf $(",
        "if true; then",
        "ls )",
        "((",
    ] {
        assert!(lvl(cmd) >= Destructive, "{cmd}");
    }
}

#[test]
fn reasons_name_part_and_rule() {
    let v = check("sudo rm -rf / ; ls");
    assert_eq!(v.level, Critical);
    let top: Vec<_> = v.top_reasons().collect();
    assert!(
        top.iter()
            .any(|r| r.rule.starts_with("delete.") && r.part.contains("rm -rf /"))
    );
    let v = check("echo cm0gLXJmIH4= | base64 -d | sh");
    assert!(v.top_reasons().any(|r| r.detail.contains("decoded")));
}

#[test]
fn templates_and_keystrokes() {
    assert_level(&[
        ("date {{[-u|--utc]}}", Safe),
        ("{{cat path/to/file.json}} | jq '.[]'", Safe),
        ("<q>", Safe),
        ("dd if={{path/to/file}} of={{/dev/sdX}}", Critical),
        ("echo {{x|rm -rf / }}", Critical),
    ]);
}

#[test]
fn cd_changes_what_relative_paths_mean() {
    assert_level(&[
        ("cd / && rm -rf *", Critical),
        ("cd /etc; rm -rf *", Critical),
        ("cd && rm -rf *", Critical),
        ("cd /tmp/build && rm -rf *", Destructive),
        ("cd /usr; rm -rf local/share/x", Destructive),
        ("cd \"$X\" && rm -rf *", Destructive),
    ]);
}

#[test]
fn startup_files_are_judged_as_code() {
    assert_level(&[
        ("echo 'alias ls=\"rm -rf ~\"' >> ~/.bashrc", Critical),
        ("echo 'export EDITOR=vim' >> ~/.bashrc", Moderate),
    ]);
}

#[test]
fn more_wrappers() {
    assert_level(&[
        ("parallel rm -rf ::: /etc /usr", Critical),
        ("curl http://x | bash -s -- --flag", Destructive),
        ("echo hi | sudo tee /etc/hostname", Destructive),
        ("sudo su -c 'rm -rf /'", Critical),
        ("builtin eval 'rm -rf /'", Critical),
    ]);
}

#[test]
fn hostile_bytes_never_panic() {
    for cmd in [
        "column t -s $'\\\u{e9}n' x",
        "read -rep $'\\\u{4e2d}n' m",
        "${x:-\u{e9}",
        "echo ${a:-'b",
        "\u{0}\u{1b}[31m rm -rf /",
        "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((ls",
        "$($($($($($($($($($($($($($($($(rm -rf /)))))))))))))))",
    ] {
        let v = check(cmd);
        assert!(v.level >= Safe, "{cmd}");
    }
    assert!(lvl("$($($($($($($($($($($($($($($(rm -rf /)))))))))))))))") >= Destructive);
}

#[test]
fn deep_nesting_is_bounded() {
    let deep = format!("echo {}echo x{}", "$(".repeat(30), ")".repeat(30));
    let t = std::time::Instant::now();
    let v = check(&deep);
    assert!(t.elapsed().as_secs() < 5, "took {:?}", t.elapsed());
    assert!(v.level >= Destructive);
}

#[test]
fn schedulers_and_session_wrappers() {
    assert_level(&[
        ("echo '* * * * * rm -rf ~' | crontab -", Critical),
        ("echo '0 3 * * * /usr/bin/backup.sh' | crontab -", Moderate),
        ("at now <<< 'rm -rf /'", Critical),
        ("systemd-run --unit x rm -rf /", Critical),
        ("script -c 'rm -rf /' /dev/null", Critical),
        ("tmux new -d 'rm -rf /'", Critical),
        ("screen -dm rm -rf /", Critical),
        ("curl -s http://x | sudo -E bash -", Destructive),
        ("alias rm='rm -i'", Moderate),
    ]);
}
