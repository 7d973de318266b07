//! The NLC2CMD metric (NeurIPS 2020 NLC2CMD competition, Agarwal et al. 2021).
//!
//! A command is reduced to its sequence of utilities, each with its set of flags (arguments are
//! ignored). For a prediction `p` against reference `r`, with `T = max(|U(p)|, |U(r)|)`:
//!
//! `S(p) = Σ_i 1/T · ( [U_p,i = U_r,i] · ½(1 + S_F,i) − [U_p,i ≠ U_r,i] )`
//!
//! where `S_F = (2·|F_p ∩ F_r| − |F_p ∪ F_r|) / max(|F_p|, |F_r|)` (1 when both are empty).
//! Each prediction's score is multiplied by its confidence `δ ∈ [0, 1]` (as in the competition's
//! reference scorer): a wrong utility proposed with low confidence costs little.
//! Over several predictions the score is the best one if any is positive, else their mean.
//! [`score`] and [`score_many`] are the unweighted forms (every confidence 1).

use std::collections::BTreeSet;

use crate::shell::{self, Command, Script, Word, WordPart};

/// Utilities whose options are long words after a single dash (not clusters of letters).
const SINGLE_DASH_LONG: &[&str] = &[
    "find",
    "java",
    "gcc",
    "g++",
    "clang",
    "ffmpeg",
    "ffprobe",
    "convert",
    "magick",
    "iptables",
    "ip6tables",
    "tcpdump",
    "xdotool",
    "qemu-system-x86_64",
    "mplayer",
    "openssl",
    "identify",
    "mogrify",
    "go",
    "dd",
];

#[derive(Debug, Clone, PartialEq)]
pub struct Utility {
    pub name: String,
    pub flags: BTreeSet<String>,
}

/// The utilities of a command, in order, with their flags.
pub fn utilities(cmd: &str) -> Vec<Utility> {
    let mut out = Vec::new();
    match shell::parse_script(cmd) {
        Ok(s) => script(&s, &mut out),
        Err(_) => {
            // Fall back to whitespace words split on pipes.
            for seg in cmd.split(['|', ';']) {
                let words: Vec<&str> = seg.split_whitespace().collect();
                if let Some(first) = words.first() {
                    out.push(make(
                        first,
                        words[1..].iter().map(|w| w.to_string()).collect(),
                    ));
                }
            }
        }
    }
    out
}

fn base(s: &str) -> String {
    s.rsplit('/').next().unwrap_or(s).to_string()
}

fn word_text(w: &Word) -> String {
    w.parts
        .iter()
        .map(|p| match p {
            WordPart::Lit { text, .. } => text.clone(),
            WordPart::Tilde(u) => format!("~{u}"),
            _ => "X".into(),
        })
        .collect()
}

fn make(name: &str, args: Vec<String>) -> Utility {
    let name = base(name);
    let mut flags = BTreeSet::new();
    let long_single = SINGLE_DASH_LONG.contains(&name.as_str());
    for a in args {
        if a == "-" || a == "--" || !a.starts_with('-') {
            continue;
        }
        if let Some(l) = a.strip_prefix("--") {
            flags.insert(format!("--{}", l.split('=').next().unwrap_or(l)));
        } else if long_single || a[1..].chars().any(|c| !c.is_ascii_alphabetic()) {
            if a[1..].chars().all(|c| c.is_ascii_digit()) {
                flags.insert("-NUM".into());
            } else {
                flags.insert(a.split('=').next().unwrap_or(&a).to_string());
            }
        } else {
            for c in a[1..].chars() {
                flags.insert(format!("-{c}"));
            }
        }
    }
    Utility { name, flags }
}

/// Utilities that run another command given as their arguments: the inner command is a
/// utility of its own (as in the metric's reference parser, which nests them).
const RUNS_COMMAND: &[&str] = &[
    "sudo", "xargs", "nohup", "time", "env", "nice", "timeout", "exec", "command", "doas", "watch",
    "strace", "ionice", "stdbuf",
];

fn simple(words: &[String], out: &mut Vec<Utility>) {
    let Some(first) = words.first() else { return };
    let name = base(first);
    if RUNS_COMMAND.contains(&name.as_str()) {
        // options of the wrapper, then the inner command
        let mut k = 1;
        while k < words.len()
            && (words[k].starts_with('-') || words[k].contains('=') && name == "env")
        {
            let takes_value = matches!(
                (name.as_str(), words[k].as_str()),
                ("sudo", "-u" | "-g")
                    | (
                        "xargs",
                        "-I" | "-n" | "-P" | "-d" | "-L" | "-s" | "-E" | "-a"
                    )
                    | ("nice", "-n")
                    | ("timeout", "-s" | "-k")
                    | ("ionice", "-c" | "-n")
            );
            k += if takes_value { 2 } else { 1 };
        }
        if name == "timeout" && k < words.len() {
            k += 1;
        }
        out.push(make(first, words[1..k.min(words.len())].to_vec()));
        if k < words.len() {
            simple(&words[k..], out);
        }
        return;
    }
    if name == "find" {
        // find … -exec CMD … ; : CMD is a utility of its own
        let mut flags_part = Vec::new();
        let mut k = 1;
        let mut inner: Vec<Vec<String>> = Vec::new();
        while k < words.len() {
            let w = &words[k];
            if matches!(w.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir") {
                flags_part.push(w.clone());
                let end = words[k + 1..]
                    .iter()
                    .position(|x| x == ";" || x == "+" || x == "\\;")
                    .map(|p| k + 1 + p)
                    .unwrap_or(words.len());
                inner.push(words[k + 1..end].to_vec());
                k = end + 1;
                continue;
            }
            flags_part.push(w.clone());
            k += 1;
        }
        out.push(make(first, flags_part));
        for i in inner {
            simple(&i, out);
        }
        return;
    }
    out.push(make(first, words[1..].to_vec()));
}

fn script(s: &Script, out: &mut Vec<Utility>) {
    for ao in &s.items {
        for p in &ao.pipelines {
            for c in &p.commands {
                command(c, out);
            }
        }
    }
}

fn nested_words(ws: &[Word], out: &mut Vec<Utility>) {
    for w in ws {
        for p in &w.parts {
            if let WordPart::CmdSub { script: s, .. } | WordPart::ProcSub { script: s, .. } = p {
                script(s, out);
            }
        }
    }
}

fn command(c: &Command, out: &mut Vec<Utility>) {
    match c {
        Command::Simple(sc) => {
            let words: Vec<String> = sc.words.iter().map(word_text).collect();
            simple(&words, out);
            nested_words(&sc.words, out);
        }
        Command::Group { body, .. } => script(body, out),
        Command::Compound { bodies, words, .. } => {
            nested_words(words, out);
            bodies.iter().for_each(|b| script(b, out));
        }
        Command::FuncDef { body, .. } => command(body, out),
        Command::Arith(_) => {}
    }
}

/// The first utility, looking through `sudo`.
pub fn first_utility(cmd: &str) -> String {
    let us = utilities(cmd);
    let skip = us
        .first()
        .is_some_and(|u| matches!(u.name.as_str(), "sudo" | "doas"))
        && us.len() > 1;
    us.into_iter()
        .nth(usize::from(skip))
        .map(|u| u.name)
        .unwrap_or_default()
}

fn flag_score(p: &BTreeSet<String>, r: &BTreeSet<String>) -> f64 {
    if p.is_empty() && r.is_empty() {
        return 1.0;
    }
    let inter = p.intersection(r).count() as f64;
    let union = p.union(r).count() as f64;
    let n = p.len().max(r.len()) as f64;
    (2.0 * inter - union) / n
}

/// NLC2CMD score of one prediction against one reference, in [-1, 1].
pub fn score(pred: &str, reference: &str) -> f64 {
    let p = utilities(pred);
    let r = utilities(reference);
    let t = p.len().max(r.len());
    if t == 0 {
        return 0.0;
    }
    let mut s = 0.0;
    for i in 0..t {
        match (p.get(i), r.get(i)) {
            (Some(a), Some(b)) if a.name == b.name => {
                s += 0.5 * (1.0 + flag_score(&a.flags, &b.flags))
            }
            _ => s -= 1.0,
        }
    }
    s / t as f64
}

/// Score of several predictions: the best if any is positive, else the mean.
pub fn score_many(preds: &[String], reference: &str) -> f64 {
    let weighted: Vec<(String, f64)> = preds.iter().map(|p| (p.clone(), 1.0)).collect();
    score_many_weighted(&weighted, reference)
}

/// Score of one prediction made with confidence `conf` (clamped to [0, 1]).
pub fn score_weighted(pred: &str, conf: f64, reference: &str) -> f64 {
    conf.clamp(0.0, 1.0) * score(pred, reference)
}

/// Score of several `(prediction, confidence)` pairs: the best confidence-weighted score if any
/// is positive, else their mean. No prediction at all scores like an empty one.
pub fn score_many_weighted(preds: &[(String, f64)], reference: &str) -> f64 {
    if preds.is_empty() {
        return score("", reference);
    }
    let scores: Vec<f64> = preds
        .iter()
        .map(|(p, c)| score_weighted(p, *c, reference))
        .collect();
    if scores.iter().any(|s| *s > 0.0) {
        scores.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    } else {
        scores.iter().sum::<f64>() / scores.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_commands_score_one() {
        assert_eq!(score("ls -la /tmp", "ls -al ~"), 1.0);
        assert_eq!(
            score("find . -name x | wc -l", "find /a -name y | wc -l"),
            1.0
        );
    }

    #[test]
    fn wrong_utility_scores_minus_one() {
        assert_eq!(score("du -sh", "df -h"), -1.0);
    }

    #[test]
    fn flag_overlap_is_partial() {
        // same utility, flags {-l} vs {-l,-a}: S_F = (2*1-2)/2 = 0 -> 0.5
        assert!((score("ls -l", "ls -la") - 0.5).abs() < 1e-9);
        // extra utility halves the score: (1 + -1)/2 = 0
        assert!((score("ls", "ls | wc")).abs() < 1e-9);
    }

    #[test]
    fn many_takes_best_positive_else_mean() {
        let p = vec!["df".to_string(), "ls -la".to_string()];
        assert_eq!(score_many(&p, "ls -al"), 1.0);
        let q = vec!["df".to_string(), "du".to_string()];
        assert_eq!(score_many(&q, "ls"), -1.0);
    }

    #[test]
    fn confidence_scales_each_prediction() {
        assert!((score_weighted("ls -la", 0.5, "ls -al") - 0.5).abs() < 1e-9);
        assert!((score_weighted("df", 0.2, "ls") + 0.2).abs() < 1e-9);
        // a confident right answer wins over the rest
        let p = vec![("df".to_string(), 0.9), ("ls".to_string(), 0.6)];
        assert!((score_many_weighted(&p, "ls") - 0.6).abs() < 1e-9);
        // all wrong: the mean of the weighted penalties
        let q = vec![("df".to_string(), 0.5), ("du".to_string(), 0.1)];
        assert!((score_many_weighted(&q, "ls") + 0.3).abs() < 1e-9);
        assert_eq!(score_many_weighted(&[], "ls"), -1.0);
    }

    #[test]
    fn first_utility_sees_through_sudo() {
        assert_eq!(first_utility("sudo -u bob apt install x"), "apt");
        let u: Vec<String> = utilities("sudo apt install x")
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(u, ["sudo", "apt"]);
        let u: Vec<String> = utilities("find . -name x -exec rm {} \\;")
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(u, ["find", "rm"]);
        assert_eq!(first_utility("/usr/bin/tar xf a"), "tar");
    }
}
