use super::*;

fn ctx() -> Context {
    Context {
        cwd: PathBuf::from("/home/u"),
        files: vec!["photos".into(), "notes.txt".into(), "site.tar.gz".into()],
        package_manager: Some("apt".into()),
        init: "systemd".into(),
        path_cmds: HashSet::new(),
    }
}

fn top(req: &str) -> Vec<String> {
    Translator::new()
        .translate(req, &ctx())
        .into_iter()
        .map(|c| c.command)
        .collect()
}

#[test]
fn update_system_in_five_languages() {
    for req in [
        "update my system",
        "actualiza mi sistema",
        "mets à jour le système",
        "تحديث النظام",
        "更新我的系统",
    ] {
        let c = top(req);
        assert_eq!(c[0], "sudo apt update && sudo apt upgrade -y", "{req}");
    }
}

#[test]
fn package_manager_from_context() {
    let mut cx = ctx();
    cx.package_manager = Some("pacman".into());
    let c = Translator::new().translate("update my system", &cx);
    assert_eq!(c[0].command, "sudo pacman -Syu");
}

#[test]
fn slots_fill_find() {
    let c = top("find pdf files larger than 10MB modified in the last 3 days");
    assert!(
        c.iter()
            .any(|x| x == "find . -type f -name '*.pdf' -size +10M -mtime -3"),
        "{c:?}"
    );
}

#[test]
fn compress_uses_cwd_folder() {
    let c = top("compress photos into a zip file");
    assert_eq!(c[0], "zip -r photos.zip photos", "{c:?}");
}

#[test]
fn extract_picks_tool_by_extension() {
    let c = top("extract site.tar.gz");
    assert_eq!(c[0], "tar -xzf site.tar.gz", "{c:?}");
}

#[test]
fn named_tool_wins() {
    let c = top("show the commit history of the git repository");
    assert!(c[0].starts_with("git"), "{c:?}");
    let c = top("list all pods in the kubernetes cluster");
    assert!(c[0].starts_with("kubectl"), "{c:?}");
}

#[test]
fn crafted_file_names_are_quoted() {
    let mut cx = ctx();
    cx.files.push("$(rm -rf ~)".into());
    let c = Translator::new().translate("delete the file $(rm -rf ~)", &cx);
    assert!(c.iter().all(|x| !x.command.contains(" $(rm")), "{c:?}");
}

#[test]
fn whatis_lines_extend_the_vocabulary() {
    let mut t = Translator::new();
    let mut cx = ctx();
    cx.path_cmds.insert("frobnicate".into());
    t.add_whatis(
        "frobnicate (1)       - rotate the quux widgets of a spool\n",
        &cx,
    );
    let c = t.translate("rotate quux widgets", &cx);
    assert!(c[0].command.starts_with("frobnicate"), "{c:?}");
}

#[test]
fn candidates_are_bounded_and_ordered() {
    let c = Translator::new().translate("find large files taking up space", &ctx());
    assert!(!c.is_empty() && c.len() <= 5);
    assert!(c.windows(2).all(|w| w[0].confidence >= w[1].confidence));
    assert!(c.windows(2).all(|w| w[0].score >= w[1].score));
    assert!(Translator::new().translate("   ", &ctx()).is_empty());
}

#[test]
fn confidences_are_calibrated_probabilities() {
    // a strong intent match ranked first is worth more than a vocabulary guess ranked lower
    assert!(calibrate(0, "intent:disk-usage", 0.9) > calibrate(0, "vocabulary", 0.9));
    assert!(calibrate(0, "vocabulary", 0.9) > calibrate(3, "vocabulary", 0.9));
    assert!(calibrate(0, "intent:x", 0.9) > calibrate(0, "intent:x", 0.7));
    for req in ["show disk usage", "frobnicate the zorglub", "list files"] {
        for c in Translator::new().translate(req, &ctx()) {
            assert!(c.confidence > 0.0 && c.confidence < 1.0, "{req}: {c:?}");
            assert!(c.score > 0.0 && c.score <= 1.0, "{req}: {c:?}");
        }
    }
}

#[test]
fn intents_do_not_steal_each_other() {
    assert!(top("find large files taking up space")[0].contains("-size +100M"));
    assert!(top("find all zip files")[0].starts_with("find . "));
    assert_eq!(top("count lines in notes.txt")[0], "wc -l notes.txt");
    assert!(top("restart nginx")[0].ends_with("systemctl restart nginx"));
}

#[test]
fn find_runs_an_action_three_ways() {
    let c = top("run md5sum on all files under /tmp/x");
    for want in [
        "find /tmp/x -exec md5sum {} \\;",
        "find /tmp/x | xargs md5sum",
        "find /tmp/x -print0 | xargs -0 md5sum",
    ] {
        assert!(c.iter().any(|x| x == want), "{want} not in {c:?}");
    }
}

#[test]
fn searched_text_is_not_a_file_name() {
    let c = top("search all files under /srv for \"needle\"");
    assert!(
        c.iter().any(|x| x == "find /srv -exec grep needle {} \\;"),
        "{c:?}"
    );
    assert!(c.iter().all(|x| !x.contains("-name needle")), "{c:?}");
}

#[test]
fn regular_files_mean_type_f_and_files_alone_do_not() {
    let c = top("delete all regular files in the current directory tree older than 30 days");
    assert_eq!(c[0], "find . -type f -mtime +30 -exec rm {} \\;", "{c:?}");
    assert!(
        c.iter().any(|x| x == "find . -type f -mtime +30 -delete"),
        "{c:?}"
    );
    let c = top("find all files in the current directory tree modified in the last 2 days");
    assert_eq!(c[0], "find . -mtime -2", "{c:?}");
}

#[test]
fn depth_limits_come_first() {
    let c = top("list the empty files in the current directory only");
    assert_eq!(c[0], "find . -maxdepth 1 -empty", "{c:?}");
    let c = top("find all directories under /var 2 levels deep");
    assert_eq!(c[0], "find /var -maxdepth 2 -type d", "{c:?}");
}

#[test]
fn everyday_words_become_options() {
    assert_eq!(
        top("show differences between a.txt and b.txt side by side")[0],
        "diff -y a.txt b.txt"
    );
    assert_eq!(
        top("sort data.csv numerically in reverse order")[0],
        "sort -n -r data.csv"
    );
    assert_eq!(
        top("Enables shell option 'nullglob'")[0],
        "shopt -s nullglob"
    );
    let norm = vec!["line".to_string()];
    assert_eq!(
        flags::flags_for("grep", &norm, "print lines that do not match foo"),
        ["-v"]
    );
    assert!(flags::flags_for("nosuchtool", &norm, "anything").is_empty());
}

#[test]
fn scope_phrases_do_not_suggest_pwd() {
    assert_eq!(top("print the current working directory")[0], "pwd");
    let c = top("display all the files in the current folder");
    assert!(c.iter().all(|x| x != "pwd"), "{c:?}");
    assert!(
        c[0].starts_with("find .") || c[0].starts_with("ls"),
        "{c:?}"
    );
}

#[test]
fn weak_alternatives_are_dropped() {
    for req in [
        "sort data.csv numerically",
        "find all zip files",
        "restart nginx",
    ] {
        let c = Translator::new().translate(req, &ctx());
        let best = c[0].score;
        assert!(c.iter().all(|x| x.score >= 0.5 * best), "{req}: {c:?}");
    }
}

#[test]
fn everyday_pipelines() {
    assert_eq!(
        top("show the most recent file in /var/log")[0],
        "ls -t /var/log | head -n 1"
    );
    let c = top("count the lines containing \"ERROR\" in notes.txt");
    assert_eq!(c[0], "grep -c ERROR notes.txt", "{c:?}");
    assert!(
        c.iter().any(|x| x == "grep ERROR notes.txt | wc -l"),
        "{c:?}"
    );
    assert_eq!(
        top("print lines 10 to 20 of notes.txt")[0],
        "sed -n '10,20p' notes.txt"
    );
    assert_eq!(top("print 5 lines of \"y\"")[0], "yes y | head -n 5");
    assert_eq!(
        top("compute the md5 of the string \"hello\"")[0],
        "echo -n hello | md5sum"
    );
    assert_eq!(
        top("count how many times each line occurs in notes.txt")[0],
        "sort notes.txt | uniq -c | sort -nr"
    );
    assert_eq!(
        top("recursively change the owner of /srv/www to \"www-data\"")[0],
        "chown -R www-data /srv/www"
    );
}

#[test]
fn stemmer_keeps_short_ing_words() {
    assert_eq!(stem("string"), "string");
    assert_eq!(stem("listing"), "list");
    assert_eq!(stem("files"), "file");
}

#[test]
fn find_matches_paths_and_regexes() {
    let c = top("find all files in the current directory tree whose path names match \"./sr*sc\"");
    assert_eq!(c[0], "find . -path './sr*sc'", "{c:?}");
    let c = top("find all files under /src matching the extended regex \".+\\.(c|h)$\"");
    assert_eq!(
        c[0], "find /src -regextype posix-egrep -regex '.+\\.(c|h)$'",
        "{c:?}"
    );
}

#[test]
fn archive_to_a_host_is_rsync_not_a_tarball() {
    let c = top("archive \"/srv/www\" to \"backup.example:/srv/www\" compressing data");
    assert_eq!(c[0], "rsync -avz /srv/www backup.example:/srv/www", "{c:?}");
    let c = top("mirror /data/music to /mnt/usb/music deleting extra files");
    assert_eq!(
        c[0], "rsync -av --delete /data/music /mnt/usb/music",
        "{c:?}"
    );
    // a plain "compress this folder" is still a tarball
    assert!(top("compress the photos folder")[0].starts_with("tar -czf"));
}

#[test]
fn line_numbers_are_not_a_count() {
    let c = top("print notes.txt with line numbers");
    assert!(!c[0].starts_with("wc"), "{c:?}");
    assert_eq!(
        top("count the number of lines in notes.txt")[0],
        "wc -l notes.txt"
    );
    let c = top("count all the lines of all *.rs files in the current directory tree");
    assert!(
        c.iter()
            .any(|x| x == "find . -name '*.rs' | xargs cat | wc -l"),
        "{c:?}"
    );
}

#[test]
fn generic_verbs_do_not_pick_a_tool() {
    // "display" alone must not pick some tool whose short description says "display"
    let t = Translator::new();
    let c = t.translate("display the kernel release", &ctx());
    assert!(c[0].command.starts_with("uname"), "{c:?}");
}

#[test]
fn upper_case_formats_are_not_file_extensions() {
    let sl = slots::extract("print the date in ISO 8601 format as JSON", &ctx());
    assert!(sl.exts.is_empty(), "{sl:?}");
    let sl = slots::extract("convert all PDF files to text", &ctx());
    assert_eq!(sl.exts, ["pdf"]);
}

#[test]
fn spanish_requests_use_the_glossary() {
    let c = top("calcula la suma de comprobación SHA256 de notes.txt");
    assert!(c.iter().any(|x| x.starts_with("sha256sum")), "{c:?}");
    let c = top("muestra el espacio libre en disco");
    assert!(c[0].starts_with("df"), "{c:?}");
}

#[test]
fn globs_are_name_patterns() {
    let c = top("find all *fink* files under /etc");
    assert_eq!(c[0], "find /etc -name '*fink*'", "{c:?}");
    let c = top("find all btree*.c files under the current directory");
    assert!(
        c[0].starts_with("find . ") && c[0].contains("-name 'btree*.c'"),
        "{c:?}"
    );
}

#[test]
fn case_is_ignored_when_asked_or_written_in_capitals() {
    let c = top("find all *.ogg files under /music ignoring the case");
    assert_eq!(c[0], "find /music -iname '*.ogg'", "{c:?}");
    // capitals alone are a weaker hint than words: both spellings are offered
    let c = top("find all JPG files under /photos");
    assert!(c.iter().any(|x| x.contains("-iname '*.jpg'")), "{c:?}");
    let c = top("find all jpg files under /photos");
    assert!(c[0].contains("-name '*.jpg'"), "{c:?}");
    let c = top("find all SGID files in the whole file system");
    assert!(c[0].contains("-perm -2000"), "{c:?}");
}

#[test]
fn spanish_inflections_share_a_key() {
    assert_eq!(romance_key("equilibra"), romance_key("equilibrar"));
    assert_eq!(romance_key("contenedor"), romance_key("contenedores"));
    assert_eq!(romance_key("actualiza"), romance_key("actualizaciones"));
    assert_eq!(romance_key("ejecutarlo"), romance_key("ejecutar"));
    assert!(is_romance(&words("Lista los contenedores de la máquina")));
    assert!(!is_romance(&words("List the containers of the machine")));
}

#[test]
fn inflected_spanish_reaches_the_glossary() {
    // "desinstalar" is not in the glossary, "desinstala" is.
    let t = Translator::new();
    assert!(
        t.norm_terms("desinstalar el paquete")
            .contains(&"uninstall".to_string())
    );
    // English words are not bent into Spanish ones ("cargo" is not "carga", load).
    assert!(
        t.norm_terms("build the cargo crate")
            .contains(&"cargo".to_string())
    );
    assert!(t.norm_terms("el cargo").contains(&"load".to_string()));
}

#[test]
fn a_tools_distinctive_object_ranks_it_first() {
    for (req, tool) in [
        ("list the running containers", "docker"),
        ("lista los contenedores en ejecución", "docker"),
        ("show the commits of a branch", "git"),
        ("delete a pod", "kubectl"),
        ("list the objects in a bucket", "aws"),
        ("show the last 10 lines of a file", "tail"),
        ("create a temporary file", "mktemp"),
    ] {
        let c = top(req);
        assert_eq!(crate::nlc2cmd::first_utility(&c[0]), tool, "{req}: {c:?}");
    }
}

#[test]
fn function_words_are_never_the_object() {
    let c = top("show the current status of a service");
    assert!(c[0].starts_with("systemctl status"), "{c:?}");
    assert!(!c[0].contains(" of"), "{c:?}");
}

#[test]
fn mnemonic_brackets_are_read_as_words() {
    assert_eq!(
        words("List in [l]ong format"),
        vec!["list", "in", "long", "format"]
    );
    assert_eq!(
        words("E[x]trae un [f]ichero"),
        vec!["extrae", "un", "fichero"]
    );
    assert_eq!(words("[Interactive] Remove"), vec!["interactive", "remove"]);
    assert_eq!(words("a[0]"), vec!["a0"]);
}

#[test]
fn a_bare_package_is_the_system_package_managers() {
    let c = top("install a package, or update it to the latest available version");
    assert!(
        c[0].starts_with("sudo apt") || c[0].starts_with("apt"),
        "{c:?}"
    );
    let mut cx = ctx();
    cx.package_manager = Some("pacman".into());
    let c = Translator::new().translate("remove a package", &cx);
    assert!(c[0].command.contains("pacman"), "{c:?}");
}

fn first_tool(req: &str) -> String {
    crate::nlc2cmd::first_utility(top(req).first().map(String::as_str).unwrap_or(""))
}

#[test]
fn a_tool_named_twice_counts_once() {
    // "Python" twice must not outweigh the converter between its versions
    assert_eq!(
        first_tool("convert this Python 2 script to Python 3"),
        "2to3"
    );
}

#[test]
fn subcommand_objects_pick_their_tool() {
    for (req, tool) in [
        ("add my private key to the ssh-agent", "ssh-add"),
        ("remove a semaphore", "ipcrm"),
        ("list the semaphores", "ipcs"),
        ("show the execution plan", "terraform"),
        ("initialise a swarm", "docker"),
        ("discard unstaged changes", "git"),
        ("delete unreachable objects", "git"),
        ("show the tree of processes", "pstree"),
        ("set the global python version", "pyenv"),
        ("run a command when the shell receives a signal", "trap"),
    ] {
        assert_eq!(first_tool(req), tool, "{req}: {:?}", top(req));
    }
}

fn sources(req: &str) -> Vec<String> {
    Translator::new()
        .translate(req, &ctx())
        .into_iter()
        .map(|c| c.source)
        .collect()
}

#[test]
fn a_space_or_a_login_is_not_disk_space_or_logs() {
    for req in [
        "separate the numbers with a space instead of a newline",
        "ignore space in the pattern",
    ] {
        let s = sources(req);
        assert!(!s.iter().any(|s| s == "intent:disk-free"), "{req}: {s:?}");
    }
    let s = sources("log in as another user");
    assert!(!s.iter().any(|s| s == "intent:logs"), "{s:?}");
    // the real requests still reach them
    assert_eq!(
        sources("how much disk space is left")[0],
        "intent:disk-free"
    );
    assert_eq!(sources("show free space")[0], "intent:disk-free");
    assert_eq!(sources("show the system logs")[0], "intent:logs");
}

#[test]
fn one_files_contents_are_not_a_listing() {
    assert_ne!(first_tool("display the contents of a file"), "ls");
    assert_eq!(first_tool("list the contents of a directory"), "ls");
}

#[test]
fn a_users_home_is_not_mkdir_and_viewing_an_archive_is_not_compressing() {
    assert_eq!(
        first_tool("create a new user with a home directory"),
        "useradd"
    );
    assert_eq!(first_tool("create a new directory called photos2"), "mkdir");
    let s = sources("view a compressed file");
    assert!(!s.iter().any(|s| s == "intent:compress"), "{s:?}");
    assert_eq!(
        sources("compress photos into a zip file")[0],
        "intent:compress"
    );
}

#[test]
fn a_crafted_file_name_proposes_no_tool() {
    let mut cx = ctx();
    cx.files.push("$(reboot).txt".into());
    let c = Translator::new().translate("compress $(reboot).txt", &cx);
    assert!(!c.is_empty());
    for cand in &c {
        assert_ne!(
            crate::nlc2cmd::first_utility(&cand.command),
            "reboot",
            "{c:?}"
        );
    }
    // the name is an argument, quoted
    assert!(c[0].command.contains("'$(reboot).txt'"), "{c:?}");
}

#[test]
fn a_curated_tool_is_described_by_its_manual_line() {
    let mut cx = ctx();
    cx.path_cmds = ["ps", "df"].iter().map(|s| s.to_string()).collect();
    let mut t = Translator::new();
    t.add_whatis(
        "ps (1)               - report a snapshot of the current processes.\n",
        &cx,
    );
    assert_eq!(
        t.tool_summary("ps"),
        Some("report a snapshot of the current processes.")
    );
}

#[test]
fn io_is_one_word() {
    assert_eq!(
        words("raise the I/O priority"),
        vec!["raise", "the", "io", "priority"]
    );
}

/// A translator that knows a few manual lines, as `apropos` prints them.
fn with_whatis(lines: &str, tools: &[&str]) -> (Translator, Context) {
    let mut cx = ctx();
    for t in tools {
        cx.path_cmds.insert(t.to_string());
    }
    let mut t = Translator::new();
    t.add_whatis(lines, &cx);
    (t, cx)
}

#[test]
fn a_manual_line_saying_the_whole_request_wins_a_close_call() {
    let (t, cx) = with_whatis(
        "ionice (1)           - set or get process I/O scheduling class and priority\n\
         renice (1)           - alter priority of running processes\n",
        &["ionice", "renice"],
    );
    let terms = t.norm_terms("get the scheduling class and priority of a process");
    let n = t.tools.len() as f64;
    let evidence: HashMap<&str, f64> = terms
        .iter()
        .filter_map(|w| {
            let df = t.postings.get(w)?.len() as f64;
            Some((w.as_str(), ((n - df + 0.5) / (df + 0.5) + 1.0).ln()))
        })
        .collect();
    let mass: f64 = evidence.values().sum();
    let cover = t.line_coverage(&evidence, mass);
    let ionice = cover[&t.by_name["ionice"]];
    assert!(ionice > 0.9, "{ionice}");
    // renice's line says only part of it
    assert!(
        cover
            .get(&t.by_name["renice"])
            .is_none_or(|&c| c < ionice - 0.3)
    );
    for req in [
        "show the I/O scheduling class and priority of process 4242",
        "get the scheduling class and priority of a process",
    ] {
        let c = t.translate(req, &cx);
        assert!(c[0].command.starts_with("ionice"), "{req}: {c:?}");
    }
    // a line matching a single word of the request is no line evidence
    let one: HashMap<&str, f64> = [("priority", 2.0), ("elephant", 3.0)].into();
    assert!(t.line_coverage(&one, 5.0).is_empty());
}

#[test]
fn field_specific_objects_pick_their_tool() {
    for (req, tool) in [
        ("cordon the node before maintenance", "kubectl"),
        ("show every configmap", "kubectl"),
        ("remove the dangling images", "docker"),
        ("purge the messages of an SQS queue", "aws"),
        ("list the CloudWatch alarms", "aws"),
        ("yank a version I published by mistake", "cargo"),
        ("install a wheel file", "pip"),
        ("find the commit that broke the build with a bisect", "git"),
        ("clear out node_modules and reinstall", "npm"),
    ] {
        assert_eq!(first_tool(req), tool, "{req}: {:?}", top(req));
    }
}

#[test]
fn listing_services() {
    assert_eq!(
        top("show running services")[0],
        "systemctl list-units --type=service --state=running"
    );
    assert_eq!(top("list failed services")[0], "systemctl --failed");
    assert_eq!(
        top("which services start at boot")[0],
        "systemctl list-unit-files --state=enabled"
    );
    assert_eq!(
        top("muestra los servicios activos")[0],
        "systemctl list-units --type=service --state=running"
    );
    // a named service is still controlled
    assert_eq!(
        top("restart the nginx service")[0],
        "sudo systemctl restart nginx"
    );
    let mut cx = ctx();
    cx.init = "sysv".into();
    let c = Translator::new().translate("list running services", &cx);
    assert_eq!(c[0].command, "service --status-all");
}

#[test]
fn the_processes_using_the_most_memory_or_cpu() {
    for (req, want) in [
        (
            "show the processes using the most memory",
            "ps aux --sort=-%mem | head -n 11",
        ),
        (
            "which processes use the most cpu",
            "ps aux --sort=-%cpu | head -n 11",
        ),
        (
            "affiche les processus qui consomment le plus de mémoire",
            "ps aux --sort=-%mem | head -n 11",
        ),
        (
            "muestra los procesos que más memoria usan",
            "ps aux --sort=-%mem | head -n 11",
        ),
        (
            "top 5 processes by memory",
            "ps aux --sort=-%mem | head -n 6",
        ),
    ] {
        let c = Translator::new().translate(req, &ctx());
        assert_eq!(c[0].command, want, "{req}");
        assert!(c[0].confidence >= 0.5, "{req}: {c:?}");
    }
    // killing or limiting them is something else
    assert_ne!(
        top("kill the process using the most memory")[0],
        "ps aux --sort=-%mem | head -n 11"
    );
}

#[test]
fn input_from_stdin_is_piped_into_the_best_tool() {
    // a text: echo; the tool alone stays among the candidates
    let c = top("encrypt the text from stdin with gpg");
    assert_eq!(c[0], "echo 'TEXT' | gpg", "{c:?}");
    assert!(c.contains(&"gpg".to_string()), "{c:?}");
    let c = top("base64 encode the message 'hi there' from stdin");
    assert_eq!(c[0], "echo 'hi there' | base64", "{c:?}");
    // a document: cat
    let c = top("compress the data from `stdin` with xz");
    assert_eq!(c[0], "cat FILE | xz", "{c:?}");
    // `stdin` is a stream, never an argument
    assert!(c.iter().all(|x| !x.contains("stdin")), "{c:?}");
    // read sets a variable of this shell: never piped into
    let c = top("read a line from standard input into variable answer");
    assert!(c.iter().all(|x| !x.contains("| read")), "{c:?}");
    // about stdin itself: nothing is piped
    let c = top("redirect stdin from /dev/null");
    assert!(c.iter().all(|x| !x.starts_with("cat FILE |")), "{c:?}");
}

#[test]
fn shell_values_and_known_checksums() {
    assert_eq!(
        top("print the exit status of the last command")[0],
        "echo $?"
    );
    assert_eq!(top("length of the variable $name")[0], "echo \"${#name}\"");
    assert_eq!(
        top("check a file against a known sha256 checksum")[0],
        "echo 'CHECKSUM  FILE' | sha256sum -c"
    );
}

#[test]
fn listing_hidden_files_is_ls() {
    assert_eq!(top("list all files, including hidden files")[0], "ls -a .");
    // sizes in human-readable units: ls, not systemd units
    let c = top("list files in long format with sizes in human-readable units");
    assert_eq!(c[0], "ls -lah .", "{c:?}");
}

/// Everyday requests, each with its arguments filled in and ranked first.
#[test]
fn everyday_requests_with_their_arguments() {
    let cases = [
        ("create a new user called bob", "sudo useradd -m bob"),
        (
            "change the owner of photos to alice",
            "sudo chown alice photos",
        ),
        ("kill process 1234", "kill 1234"),
        (
            "replace foo with bar in notes.txt",
            "sed -i 's/foo/bar/g' notes.txt",
        ),
        (
            "sort notes.txt and remove duplicate lines",
            "sort -u notes.txt",
        ),
        (
            "shut down the computer in 10 minutes",
            "sudo shutdown -h +10",
        ),
        ("shut down the server at 22:30", "sudo shutdown -h 22:30"),
        ("list installed packages", "apt list --installed"),
        ("show environment variables", "printenv"),
        ("show cpu information", "lscpu"),
        ("mount /dev/sdb1 on /mnt", "mount /dev/sdb1 /mnt"),
        ("copy photos to /backup", "cp -r photos /backup"),
        (
            "schedule a command to run every day at 3am",
            "(crontab -l 2>/dev/null; echo '0 3 * * * COMMAND') | crontab -",
        ),
        (
            "run /usr/local/bin/cleanup.sh every monday at 6:30 pm",
            "(crontab -l 2>/dev/null; echo '30 18 * * 1 /usr/local/bin/cleanup.sh') | crontab -",
        ),
        (
            "run backup.sh every 15 minutes",
            "(crontab -l 2>/dev/null; echo '*/15 * * * * backup.sh') | crontab -",
        ),
        (
            "connect to server example.com as root over ssh",
            "ssh root@example.com",
        ),
        ("ssh into 10.0.0.5 on port 2222", "ssh -p 2222 10.0.0.5"),
        (
            "untar backup.tar.gz into /tmp",
            "tar -xzf backup.tar.gz -C /tmp",
        ),
        ("unzip site.zip to ~/www", "unzip site.zip -d ~/www"),
        (
            "find duplicate files",
            "find . -type f -exec md5sum {} + | sort | uniq -w32 --all-repeated=separate",
        ),
        ("check disk /dev/sdb for errors", "sudo fsck -n /dev/sdb"),
        ("monitor network traffic", "watch -n 1 ip -s link"),
    ];
    for (req, want) in cases {
        let c = Translator::new().translate(req, &ctx());
        assert_eq!(c[0].command, want, "{req}: {c:?}");
        assert!(c[0].confidence >= 0.9, "{req}: {c:?}");
    }
}

#[test]
fn a_program_version_is_asked_of_the_program() {
    let mut cx = ctx();
    cx.path_cmds = ["python3", "git", "sudo"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let t = Translator::new();
    let first = |req: &str| t.translate(req, &cx)[0].command.clone();
    assert_eq!(
        first("check which version of python is installed"),
        "python3 --version"
    );
    assert_eq!(first("what version of git do I have"), "git --version");
    // fdupes when it is installed
    cx.path_cmds.insert("fdupes".into());
    let c = t.translate("find duplicate files", &cx);
    assert_eq!(c[0].command, "fdupes -r .", "{c:?}");
    // setting a version is not asking for it
    let c = t.translate("set the python version to use in this project", &cx);
    assert!(c.iter().all(|x| x.command != "python3 --version"), "{c:?}");
}

#[test]
fn quoted_text_is_an_argument_not_the_request() {
    // the words inside quotes do not make this a request about USB devices or duplicates
    let c = top("print the last 4 bytes of the string 'usb device list 4dc9'");
    assert!(c.iter().all(|x| x != "lsusb"), "{c:?}");
    let c = top("grep for \"duplicate file\" in notes.txt");
    assert!(c.iter().all(|x| !x.contains("md5sum")), "{c:?}");
    // a precise rule settles the request: a vocabulary guess does not outrank it
    let c = Translator::new().translate("show the routing table", &ctx());
    assert_eq!(c[0].command, "ip route", "{c:?}");
}

#[test]
fn everyday_forms_read_by_the_generic_intents() {
    // these are the intents' (ping, extraction, line ranges, diff), not a second rule's
    for (req, cmd) in [
        ("can I reach 192.168.1.10?", "ping -c 4 192.168.1.10"),
        ("¿responde 10.0.0.1?", "ping -c 4 10.0.0.1"),
        ("descomprime registro.xz", "xz -d registro.xz"),
        ("decompress data.bz2", "bunzip2 data.bz2"),
        (
            "show lines 10 to 20 of server.log",
            "sed -n '10,20p' server.log",
        ),
        (
            "what changed between old.conf and new.conf?",
            "diff -u old.conf new.conf",
        ),
        (
            "replace every foo with bar in config.yml, in place",
            "sed -i 's/foo/bar/g' config.yml",
        ),
        ("tester si google.com répond", "ping -c 4 google.com"),
        ("log in as root on 10.0.0.5", "ssh root@10.0.0.5"),
    ] {
        let c = top(req);
        assert_eq!(c[0], cmd, "{req}: {c:?}");
    }
}
