//! Evaluation commands: `aish eval danger` and `aish eval translate`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Serialize;
use thiserror::Error;

use crate::danger::{self, Level};
use crate::nlc2cmd;
use crate::translate::{Candidate, Context, Translator};

#[derive(Debug, Error)]
pub enum EvalError {
    #[error("cannot read {path}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: missing column `{column}` in the header")]
    MissingColumn { path: PathBuf, column: String },
    #[error("{path}:{line}: bad level `{value}`")]
    BadLevel {
        path: PathBuf,
        line: usize,
        value: String,
    },
}

/// A TSV file with a header row.
pub struct Tsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub path: PathBuf,
}

impl Tsv {
    pub fn read(path: &Path) -> Result<Tsv, EvalError> {
        let text = std::fs::read_to_string(path).map_err(|source| EvalError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap_or("")
            .split('\t')
            .map(|s| s.trim().to_string())
            .collect();
        let rows = lines
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.split('\t').map(str::to_string).collect())
            .collect();
        Ok(Tsv {
            header,
            rows,
            path: path.to_path_buf(),
        })
    }
    pub fn col(&self, names: &[&str]) -> Result<usize, EvalError> {
        names
            .iter()
            .find_map(|n| self.header.iter().position(|h| h == n))
            .ok_or_else(|| EvalError::MissingColumn {
                path: self.path.clone(),
                column: names.join("|"),
            })
    }
}

#[derive(Debug, Serialize)]
pub struct Miss {
    pub set: &'static str,
    pub command: String,
    pub expected: Level,
    pub got: Level,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct DangerReport {
    pub dangerous_total: usize,
    pub dangerous_flagged: usize,
    pub dangerous_recall: f64,
    pub benign_total: usize,
    pub benign_kept: usize,
    pub benign_kept_share: f64,
    pub tldr_read_only_total: usize,
    pub tldr_read_only_flagged: usize,
    pub tldr_false_alarm_share: f64,
    pub misses: Vec<Miss>,
    pub tldr_false_alarms: Vec<String>,
}

/// Read-only tools whose tldr examples should stay `safe`.
pub const TLDR_READ_ONLY: &[&str] = &[
    "ls",
    "cat",
    "grep",
    "find",
    "du",
    "df",
    "ps",
    "stat",
    "head",
    "tail",
    "wc",
    "less",
    "more",
    "file",
    "which",
    "whereis",
    "uname",
    "uptime",
    "free",
    "lsblk",
    "lscpu",
    "lsusb",
    "lspci",
    "id",
    "whoami",
    "pwd",
    "tree",
    "diff",
    "cmp",
    "md5sum",
    "sha256sum",
    "sha1sum",
    "uniq",
    "cut",
    "top",
    "pgrep",
    "lsof",
    "ss",
    "netstat",
    "dig",
    "host",
    "nslookup",
    "ping",
    "printenv",
    "zcat",
    "zgrep",
    "egrep",
    "fgrep",
    "rg",
    "whatis",
    "apropos",
    "hostname",
    "w",
    "who",
    "last",
    "vmstat",
    "iostat",
    "pstree",
    "pidof",
    "findmnt",
    "blkid",
    "realpath",
    "readlink",
    "basename",
    "dirname",
    "nproc",
    "tac",
    "nl",
    "od",
    "xxd",
    "hexdump",
    "strings",
    "cal",
    "date",
    "groups",
    "lsmod",
    "tty",
    "locate",
    "jq",
    "column",
    "comm",
    "wc",
    "dmesg",
    "journalctl",
    "getent",
    "type",
    "bat",
    "fd",
    "exa",
    "eza",
];

fn tldr_read_only(page: &str, command: &str) -> bool {
    if !TLDR_READ_ONLY.contains(&page) {
        return false;
    }
    if page == "find"
        && ["-delete", "-exec", "-ok", "-fprint", "-fls"]
            .iter()
            .any(|f| command.contains(f))
    {
        return false;
    }
    true
}

/// Checks every command of one danger file: `at_least` rows must be flagged at their level or
/// above, `at_most` rows kept at theirs or below. Returns (rows met, rows); misses are pushed.
fn danger_set(
    path: &Path,
    set: &'static str,
    at_least: bool,
    misses: &mut Vec<Miss>,
) -> Result<(usize, usize), EvalError> {
    let tsv = Tsv::read(path)?;
    let bound = if at_least { "at_least" } else { "at_most" };
    let (ci, li) = (tsv.col(&["command"])?, tsv.col(&[bound, "level"])?);
    let mut ok = 0;
    for (n, row) in tsv.rows.iter().enumerate() {
        let cmd = row.get(ci).cloned().unwrap_or_default();
        let want_s = row.get(li).cloned().unwrap_or_default();
        let want = Level::parse(&want_s).ok_or_else(|| EvalError::BadLevel {
            path: tsv.path.clone(),
            line: n + 2,
            value: want_s.clone(),
        })?;
        let v = danger::check(&cmd);
        if (at_least && v.level >= want) || (!at_least && v.level <= want) {
            ok += 1;
        } else {
            misses.push(Miss {
                set,
                command: cmd,
                expected: want,
                got: v.level,
                reason: v
                    .reasons
                    .first()
                    .map(|r| r.detail.clone())
                    .unwrap_or_default(),
            });
        }
    }
    Ok((ok, tsv.rows.len()))
}

pub fn danger(dir: &Path, tldr: Option<&Path>) -> Result<DangerReport, EvalError> {
    let mut misses = Vec::new();
    let (d_hit, d_total) = danger_set(&dir.join("dangerous.tsv"), "dangerous", true, &mut misses)?;
    let (b_ok, b_total) = danger_set(&dir.join("benign.tsv"), "benign", false, &mut misses)?;
    let (mut t_total, mut t_flag, mut t_examples) = (0, 0, Vec::new());
    if let Some(t) = tldr {
        let tsv = Tsv::read(t)?;
        let (pi, ci) = (tsv.col(&["page"])?, tsv.col(&["command"])?);
        for row in &tsv.rows {
            let (page, cmd) = (
                row.get(pi).map(String::as_str).unwrap_or(""),
                row.get(ci).map(String::as_str).unwrap_or(""),
            );
            if !tldr_read_only(page, cmd) {
                continue;
            }
            t_total += 1;
            let v = danger::check(cmd);
            if v.level > Level::Safe {
                t_flag += 1;
                t_examples.push(format!(
                    "{} -> {} ({})",
                    cmd,
                    v.level,
                    v.top_reasons().next().map(|r| r.rule).unwrap_or("")
                ));
            }
        }
    }
    let share = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    Ok(DangerReport {
        dangerous_total: d_total,
        dangerous_flagged: d_hit,
        dangerous_recall: share(d_hit, d_total),
        benign_total: b_total,
        benign_kept: b_ok,
        benign_kept_share: share(b_ok, b_total),
        tldr_read_only_total: t_total,
        tldr_read_only_flagged: t_flag,
        tldr_false_alarm_share: share(t_flag, t_total),
        misses,
        tldr_false_alarms: t_examples,
    })
}

/// Scores over a set of rows. `nlc2cmd_*` weight each prediction by its confidence (the
/// competition's scorer); `*_unweighted` count every prediction at confidence 1.
#[derive(Debug, Serialize, Default, Clone)]
pub struct TranslateScores {
    pub rows: usize,
    pub nlc2cmd_top1: f64,
    pub nlc2cmd_top5: f64,
    pub nlc2cmd_top1_unweighted: f64,
    pub nlc2cmd_top5_unweighted: f64,
    pub first_utility_accuracy: f64,
    pub first_utility_top5: f64,
    /// Time to translate one request and check its candidates, over these rows.
    pub latency_ms_p50: f64,
    pub latency_ms_p95: f64,
}

/// Scores of one split of the rows: `tune` (row index not a multiple of 5, used while writing
/// the rules) and `holdout` (index ≡ 0 mod 5, only looked at afterwards).
#[derive(Debug, Serialize, Default, Clone)]
pub struct SplitScores {
    pub all: TranslateScores,
    pub installed: TranslateScores,
}

#[derive(Debug, Serialize)]
pub struct TranslateReport {
    pub file: String,
    pub all: TranslateScores,
    pub installed: TranslateScores,
    pub tune: SplitScores,
    pub holdout: SplitScores,
    pub latency_ms_p50: f64,
    pub latency_ms_p95: f64,
    pub latency_ms_max: f64,
}

#[derive(Default)]
struct Acc {
    n: usize,
    top1: f64,
    top5: f64,
    top1_u: f64,
    top5_u: f64,
    fu: usize,
    fu5: usize,
    lat: Vec<f64>,
}

/// The `p` quantile (nearest rank) of sorted values; 0 when there are none.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        0.0
    } else {
        sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
    }
}

impl Acc {
    fn scores(&self) -> TranslateScores {
        let d = self.n.max(1) as f64;
        let mut lat = self.lat.clone();
        lat.sort_by(|a, b| a.total_cmp(b));
        TranslateScores {
            rows: self.n,
            nlc2cmd_top1: self.top1 / d,
            nlc2cmd_top5: self.top5 / d,
            nlc2cmd_top1_unweighted: self.top1_u / d,
            nlc2cmd_top5_unweighted: self.top5_u / d,
            first_utility_accuracy: self.fu as f64 / d,
            first_utility_top5: self.fu5 as f64 / d,
            latency_ms_p50: quantile(&lat, 0.5),
            latency_ms_p95: quantile(&lat, 0.95),
        }
    }
}

/// Evaluate the translator on a TSV with `request`/`description` and `command` columns.
/// `on_row` sees each request, its reference, the top-five candidates and
/// their weighted top-5 score.
pub fn translate(
    file: &Path,
    translator: &Translator,
    ctx: &Context,
    mut on_row: impl FnMut(&str, &str, &[Candidate], f64),
) -> Result<TranslateReport, EvalError> {
    let tsv = Tsv::read(file)?;
    let ri = tsv.col(&["request", "description"])?;
    let ci = tsv.col(&["command"])?;
    let mut all = Acc::default();
    let mut inst = Acc::default();
    // [tune, holdout] × [all, installed]
    let mut split: [[Acc; 2]; 2] = Default::default();
    let mut lat = Vec::with_capacity(tsv.rows.len());
    let mut installed_cache: HashMap<String, bool> = HashMap::new();
    for (index, row) in tsv.rows.iter().enumerate() {
        let (Some(req), Some(reference)) = (row.get(ri), row.get(ci)) else {
            continue;
        };
        let t0 = Instant::now();
        let cands = translator.translate(req, ctx);
        // what a user waits for: the candidates and their verdicts
        for c in &cands {
            std::hint::black_box(danger::check(&c.command));
        }
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        lat.push(ms);
        let weighted: Vec<(String, f64)> = cands
            .iter()
            .take(5)
            .map(|c| (c.command.clone(), c.confidence))
            .collect();
        let preds: Vec<String> = weighted.iter().map(|(c, _)| c.clone()).collect();
        // An empty answer scores like a wrong one (every reference utility unmatched).
        let s1 = match weighted.first() {
            Some((p, conf)) => nlc2cmd::score_weighted(p, *conf, reference),
            None => nlc2cmd::score("", reference),
        };
        let s5 = nlc2cmd::score_many_weighted(&weighted, reference);
        let s1_u = nlc2cmd::score(preds.first().map(String::as_str).unwrap_or(""), reference);
        let s5_u = nlc2cmd::score_many(&preds, reference);
        on_row(req, reference, &cands[..cands.len().min(5)], s5);
        let ref_u = nlc2cmd::first_utility(reference);
        let fu = !ref_u.is_empty()
            && preds
                .first()
                .is_some_and(|p| nlc2cmd::first_utility(p) == ref_u);
        let fu5 = !ref_u.is_empty() && preds.iter().any(|p| nlc2cmd::first_utility(p) == ref_u);
        let installed = *installed_cache
            .entry(ref_u.clone())
            .or_insert_with(|| !ref_u.is_empty() && ctx.has_command(&ref_u));
        let [sp_all, sp_inst] = &mut split[usize::from(index % 5 == 0)];
        for acc in [
            Some(&mut all),
            installed.then_some(&mut inst),
            Some(sp_all),
            installed.then_some(sp_inst),
        ]
        .into_iter()
        .flatten()
        {
            acc.n += 1;
            acc.top1 += s1;
            acc.top5 += s5;
            acc.top1_u += s1_u;
            acc.top5_u += s5_u;
            acc.fu += fu as usize;
            acc.fu5 += fu5 as usize;
            acc.lat.push(ms);
        }
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| quantile(&lat, p);
    Ok(TranslateReport {
        file: file.display().to_string(),
        all: all.scores(),
        installed: inst.scores(),
        tune: SplitScores {
            all: split[0][0].scores(),
            installed: split[0][1].scores(),
        },
        holdout: SplitScores {
            all: split[1][0].scores(),
            installed: split[1][1].scores(),
        },
        latency_ms_p50: pct(0.5),
        latency_ms_p95: pct(0.95),
        latency_ms_max: lat.last().copied().unwrap_or(0.0),
    })
}
