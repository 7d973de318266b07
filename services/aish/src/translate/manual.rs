//! The installed manual pages as a retrieval source.
//!
//! Each page of a command on PATH (`ls(1)`), or of a subcommand of one (`git-fsck(1)`,
//! `gcloud_compute_instances_list(1)`), is read once (gzip or plain roff, man or mdoc macros),
//! cut into paragraphs (the NAME line, the description, each option or command item) and
//! indexed for a BM25 search: "list all root nodes" finds `git fsck --root` ("Report root
//! nodes"), "print output without headers or footers" finds `systemctl --no-legend`.
//! The index is cached in `$XDG_CACHE_HOME/aish/manindex.txt`, keyed by the manual
//! directories, the commands present and the word normalisation, and loaded once per process.
//! Without manual pages the index is empty and nothing changes.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Bump when the parser or the cache format changes.
const VERSION: u32 = 1;
/// Paragraphs kept per page; words kept per paragraph.
const MAX_PARAS: usize = 60;
const MAX_WORDS: usize = 32;
/// A tool with more pages than this (a cloud SDK with one page per subcommand) keeps only
/// their NAME line and first description paragraph.
const BIG_FAMILY: usize = 400;
/// Tools returned by a search, best first.
const MAX_MATCHES: usize = 40;
/// Pages larger than this are skipped (generated references).
const MAX_PAGE_BYTES: usize = 2 << 20;

/// One paragraph of a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Para {
    /// The item's tag (`--no-legend`, `list-dependencies [PATTERN...]`), empty for prose.
    pub tag: String,
    pub text: String,
    /// The section it is in (`OPTIONS`, `COMMANDS`, …), upper case.
    pub section: String,
}

/// A parsed page: its NAME description and its paragraphs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    pub description: String,
    pub paras: Vec<Para>,
}

/// Text of a roff line with escapes resolved: fonts and sizes dropped, `\-` a hyphen,
/// special characters a space or their ASCII form.
pub fn unescape(line: &str) -> String {
    let cs: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut k = 0;
    // skip a roff name argument: `(xy`, `[name]` or one character
    let skip_name = |k: usize| -> usize {
        match cs.get(k) {
            Some('(') => k + 3,
            Some('[') => cs[k..]
                .iter()
                .position(|&c| c == ']')
                .map_or(cs.len(), |p| k + p + 1),
            Some(_) => k + 1,
            None => k,
        }
    };
    while k < cs.len() {
        let c = cs[k];
        if c != '\\' {
            out.push(c);
            k += 1;
            continue;
        }
        let Some(&n) = cs.get(k + 1) else {
            break;
        };
        match n {
            '"' => break, // comment to end of line
            'f' | '*' | 'n' | 'F' | 'g' | 'k' | 'V' | 'Y' | 'm' | 'M' => k = skip_name(k + 2),
            's' => {
                k += 2;
                if matches!(cs.get(k), Some('+' | '-')) {
                    k += 1;
                }
                if cs.get(k) == Some(&'(') {
                    k += 3;
                } else if cs.get(k) == Some(&'[') {
                    k = skip_name(k);
                } else {
                    while cs.get(k).is_some_and(|c| c.is_ascii_digit()) {
                        k += 1;
                    }
                }
            }
            '(' => {
                let name: String = cs.iter().skip(k + 2).take(2).collect();
                out.push_str(match name.as_str() {
                    "aq" | "cq" | "oq" => "'",
                    "dq" | "lq" | "rq" => "\"",
                    "hy" | "mi" | "en" => "-",
                    "ti" => "~",
                    "ha" => "^",
                    "rs" => "\\",
                    "bv" | "ba" => "|",
                    _ => " ",
                });
                k += 4;
            }
            '[' => {
                let end = skip_name(k + 1);
                let name: String = cs[(k + 2).min(end)..end.saturating_sub(1).max(k + 2)]
                    .iter()
                    .collect();
                out.push_str(match name.as_str() {
                    "aq" | "cq" | "oq" => "'",
                    "dq" | "lq" | "rq" => "\"",
                    "hy" | "mi" | "en" | "-" => "-",
                    _ => " ",
                });
                k = end;
            }
            'e' | '\\' => {
                out.push('\\');
                k += 2;
            }
            '-' | '.' | '\'' | '`' => {
                out.push(n);
                k += 2;
            }
            ' ' | '~' | '0' => {
                out.push(' ');
                k += 2;
            }
            'c' => {
                // continuation: the next line joins this one
                k += 2;
            }
            _ => {
                // \& \% \| \^ \, \/ \: and unknown escapes: nothing
                k += 2;
            }
        }
    }
    out
}

/// Arguments of a macro line, quotes removed.
fn macro_args(rest: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in rest.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' if !quoted => {
                if !cur.is_empty() {
                    args.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        args.push(cur);
    }
    args
}

/// Parse a manual page written with the `man` or `mdoc` macros.
pub fn parse(src: &str) -> Page {
    let mut page = Page::default();
    let mut section = String::new();
    let mut tag = String::new();
    let mut text = String::new();
    // the next text line is an item's tag (after `.TP`)
    let mut want_tag = false;
    let mut in_macro_def = false;
    let flush = |page: &mut Page, section: &str, tag: &mut String, text: &mut String| {
        let t = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let g = tag.split_whitespace().collect::<Vec<_>>().join(" ");
        if section == "NAME" {
            if page.description.is_empty() {
                let d = t
                    .split_once(" - ")
                    .map(|(_, d)| d)
                    .or_else(|| t.split_once(" -- ").map(|(_, d)| d))
                    .unwrap_or("");
                page.description = d.trim().to_string();
            }
        } else if !t.is_empty() || !g.is_empty() {
            page.paras.push(Para {
                tag: g,
                text: t,
                section: section.to_string(),
            });
        }
        tag.clear();
        text.clear();
    };
    let mut lines = src.lines().peekable();
    while let Some(raw) = lines.next() {
        if in_macro_def {
            if raw.trim_start().starts_with("..") {
                in_macro_def = false;
            }
            continue;
        }
        let line = raw.trim_end();
        if line.starts_with(".\\\"") || line.starts_with("'\\\"") || line.starts_with("\\\"") {
            continue;
        }
        if let Some(rest) = line.strip_prefix('.').or_else(|| line.strip_prefix('\'')) {
            let rest = rest.trim_start();
            let (name, args) = rest.split_once([' ', '\t']).unwrap_or((rest, ""));
            match name {
                "de" | "de1" | "am" | "ig" => in_macro_def = true,
                "SH" | "Sh" => {
                    flush(&mut page, &section, &mut tag, &mut text);
                    section = unescape(&macro_args(args).join(" ")).to_uppercase();
                    want_tag = false;
                }
                "SS" | "Ss" | "PP" | "P" | "LP" | "Pp" | "sp" | "RE" | "br" | "Bl" | "El"
                | "Lp" => {
                    flush(&mut page, &section, &mut tag, &mut text);
                    want_tag = false;
                }
                "TP" | "TQ" => {
                    flush(&mut page, &section, &mut tag, &mut text);
                    want_tag = true;
                }
                "IP" | "It" => {
                    flush(&mut page, &section, &mut tag, &mut text);
                    let a = if name == "It" {
                        mdoc_text(args)
                    } else {
                        macro_args(args).first().cloned().unwrap_or_default()
                    };
                    tag = unescape(&a);
                    want_tag = false;
                }
                "Nd" => {
                    // mdoc NAME description
                    page.description = unescape(args).trim().to_string();
                }
                "B" | "I" | "SM" | "SB" | "BR" | "RB" | "IR" | "RI" | "BI" | "IB" | "UR" | "MT"
                | "OP" => {
                    let joined = if matches!(name, "B" | "I" | "SM" | "SB" | "OP") {
                        macro_args(args).join(" ")
                    } else {
                        macro_args(args).concat()
                    };
                    push_text(&mut want_tag, &mut tag, &mut text, &unescape(&joined));
                }
                n if n.len() == 2
                    && n.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                    && n.chars().nth(1).is_some_and(|c| c.is_ascii_lowercase()) =>
                {
                    // other mdoc macros: their text
                    let t = mdoc_text(rest);
                    push_text(&mut want_tag, &mut tag, &mut text, &unescape(&t));
                }
                _ => {}
            }
            continue;
        }
        let mut l = unescape(line);
        // `\c` joins the next line
        if line.ends_with("\\c")
            && let Some(&next) = lines.peek()
            && !next.starts_with('.')
        {
            l.push_str(&unescape(next));
            lines.next();
        }
        push_text(&mut want_tag, &mut tag, &mut text, &l);
    }
    flush(&mut page, &section, &mut tag, &mut text);
    // docbook pages: `.PP` tag line, `.RS 4` body: the first line of a paragraph that looks
    // like an option or command tag is its tag
    for p in &mut page.paras {
        if p.tag.is_empty()
            && let Some((first, rest)) = split_docbook_tag(&p.text)
        {
            p.tag = first;
            p.text = rest;
        }
    }
    page
}

/// mdoc macro line text: `Fl v` is `-v`, macro names are dropped.
fn mdoc_text(rest: &str) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut flag = false;
    for a in macro_args(rest) {
        let is_macro = a.len() == 2
            && a.chars().next().is_some_and(|c| c.is_ascii_uppercase())
            && a.chars().nth(1).is_some_and(|c| c.is_ascii_lowercase());
        if is_macro {
            flag = a == "Fl";
            continue;
        }
        if flag {
            out.push(format!("-{a}"));
        } else {
            out.push(a);
        }
    }
    out.join(" ")
}

fn push_text(want_tag: &mut bool, tag: &mut String, text: &mut String, t: &str) {
    if *want_tag {
        tag.push_str(t);
        *want_tag = false;
    } else {
        text.push(' ');
        text.push_str(t);
    }
}

/// `-r, --root Report root nodes.` → (`-r, --root`, `Report root nodes.`) when the page was
/// written without item macros (the tag is then the paragraph's start up to the first
/// sentence-like word).
fn split_docbook_tag(text: &str) -> Option<(String, String)> {
    let first = text.split_whitespace().next()?;
    if !first.starts_with('-') || first.len() < 2 {
        return None;
    }
    // the tag runs while words look like options or placeholders
    let ws: Vec<&str> = text.split_whitespace().collect();
    let mut n = 0;
    while n < ws.len() {
        let w = ws[n].trim_end_matches(',');
        let looks_tag = w.starts_with('-')
            || w.starts_with('<')
            || w.starts_with('[')
            || w.chars()
                .all(|c| c.is_ascii_uppercase() || c == '_' || c == '=' || c == '.');
        if !looks_tag {
            break;
        }
        n += 1;
    }
    if n == 0 || n == ws.len() {
        return None;
    }
    Some((ws[..n].join(" "), ws[n..].join(" ")))
}

/// The command a page belongs to, from its file name, and the subcommand it documents:
/// `ls.1.gz` → (`ls`, ``), `git-fsck.1.gz` → (`git`, `fsck`),
/// `gcloud_compute_instances_list.1` → (`gcloud`, `compute instances list`).
pub fn page_command(file_name: &str, has: &dyn Fn(&str) -> bool) -> Option<(String, String)> {
    let base = file_name.strip_suffix(".gz").unwrap_or(file_name);
    let (name, sect) = base.rsplit_once('.')?;
    if !sect.starts_with(['1', '6', '8']) || name.is_empty() {
        return None;
    }
    if has(name) {
        return Some((name.to_string(), String::new()));
    }
    let (parent, sub) = name.split_once(['-', '_'])?;
    if sub.is_empty() || !has(parent) {
        return None;
    }
    let sub = if name.as_bytes()[parent.len()] == b'_' {
        sub.replace('_', " ")
    } else {
        sub.to_string()
    };
    Some((parent.to_string(), sub))
}

/// Read a page file, decompressing gzip.
fn read_page(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let raw = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .take(MAX_PAGE_BYTES as u64)
            .read_to_end(&mut out)
            .ok()?;
        out
    } else {
        bytes
    };
    if raw.len() >= MAX_PAGE_BYTES {
        return None;
    }
    Some(String::from_utf8_lossy(&raw).into_owned())
}

/// One indexed paragraph.
#[derive(Debug, Clone)]
struct Doc {
    tool: u32,
    /// The subcommand it documents (`fsck`, `list-dependencies`), may be empty.
    sub: Box<str>,
    /// The option it documents (`--no-legend`), may be empty.
    flag: Box<str>,
    /// A page's NAME line (what the command or subcommand is for), not one of its paragraphs.
    name: bool,
    len: u16,
}

/// What the manual says about a request, per tool.
#[derive(Debug, Clone, PartialEq)]
pub struct ManualMatch {
    pub tool: String,
    pub score: f64,
    /// Share of the request's term weight the paragraph matches, in [0, 1].
    pub coverage: f64,
    pub sub: String,
    pub flag: String,
}

/// The BM25 index over the installed pages' paragraphs.
#[derive(Debug, Default)]
pub struct ManIndex {
    tools: Vec<String>,
    docs: Vec<Doc>,
    postings: HashMap<String, Vec<(u32, u16)>>,
    avg_len: f64,
    /// Paragraphs per tool.
    tool_docs: Vec<u32>,
}

/// A tool with many paragraphs (a version control system with a page per subcommand) has
/// more chances of a chance match: its best paragraph's score is scaled by
/// `(paragraphs / 200)^-FAMILY_POW`.
const FAMILY_POW: f64 = 0.3;

/// The subcommand a paragraph documents, from its tag, in a page's COMMANDS sections:
/// `list-dependencies [UNIT...]` → `list-dependencies`.
fn tag_subcommand(p: &Para) -> Option<&str> {
    if !p.section.contains("COMMAND") {
        return None;
    }
    let w = p.tag.split_whitespace().next()?;
    (w.len() >= 2
        && w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && w.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    .then_some(w)
}

/// The first option of a tag: `-r, --root` → `--root` (the long form when there is one).
fn tag_flag(tag: &str) -> Option<String> {
    let mut best: Option<String> = None;
    for w in tag.split([' ', ',', '|']) {
        let w = w.split(['=', '[']).next().unwrap_or("");
        if w.starts_with('-') && w.len() >= 2 && w.chars().nth(1) != Some(' ') {
            let long = w.starts_with("--");
            if best.as_ref().is_none_or(|b| long && !b.starts_with("--")) {
                best = Some(w.to_string());
            }
        }
        if !w.is_empty() && !w.starts_with('-') && !w.starts_with('<') {
            break;
        }
    }
    best
}

impl ManIndex {
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    fn tool_id(&mut self, ids: &mut HashMap<String, u32>, tool: &str) -> u32 {
        *ids.entry(tool.to_string()).or_insert_with(|| {
            self.tools.push(tool.to_string());
            (self.tools.len() - 1) as u32
        })
    }

    fn push(&mut self, tool: u32, sub: &str, flag: &str, name: bool, terms: &[String]) {
        if terms.is_empty() {
            return;
        }
        let id = self.docs.len() as u32;
        let mut tf: HashMap<&str, u16> = HashMap::new();
        for t in terms {
            *tf.entry(t.as_str()).or_insert(0) += 1;
        }
        for (t, n) in tf {
            self.postings
                .entry(t.to_string())
                .or_default()
                .push((id, n));
        }
        self.docs.push(Doc {
            tool,
            sub: sub.into(),
            flag: flag.into(),
            name,
            len: terms.len().min(u16::MAX as usize) as u16,
        });
    }

    fn finish(&mut self) {
        self.tool_docs = vec![0; self.tools.len()];
        for d in &self.docs {
            self.tool_docs[d.tool as usize] += 1;
        }
        let total: f64 = self.docs.iter().map(|d| d.len as f64).sum();
        self.avg_len = total / self.docs.len().max(1) as f64;
    }

    /// Index parsed pages: (command, subcommand, page). `norm` turns text into index terms.
    pub fn from_pages(
        pages: &[(String, String, Page)],
        norm: &dyn Fn(&str) -> Vec<String>,
    ) -> Self {
        let mut idx = ManIndex::default();
        let mut ids = HashMap::new();
        let mut family: HashMap<&str, usize> = HashMap::new();
        for (tool, _, _) in pages {
            *family.entry(tool.as_str()).or_insert(0) += 1;
        }
        for (tool, sub, page) in pages {
            let big = family.get(tool.as_str()).copied().unwrap_or(0) > BIG_FAMILY;
            let tid = idx.tool_id(&mut ids, tool);
            let lines = docs_of_page(sub, page, big);
            for (s, f, text, name) in lines {
                let terms = norm(&text);
                idx.push(tid, &s, &f, name, &terms);
            }
        }
        idx.finish();
        idx
    }

    /// The best-matching paragraph per tool for normalised request terms. `weight` scales a
    /// term's evidence (generic words count less).
    pub fn search(&self, terms: &[String], weight: &dyn Fn(&str) -> f64) -> Vec<ManualMatch> {
        const K1: f64 = 1.2;
        const B: f64 = 0.75;
        let n = self.docs.len() as f64;
        if n == 0.0 {
            return vec![];
        }
        // dense accumulators: (score, matched weight) per paragraph, and the ones touched
        let mut acc: Vec<(f64, f64)> = vec![(0.0, 0.0); self.docs.len()];
        let mut touched: Vec<u32> = Vec::new();
        // a fixed order: the same sums on every run
        let mut uniq: Vec<&String> = terms.iter().collect();
        uniq.sort();
        uniq.dedup();
        let mut mass = 0.0;
        for t in uniq {
            let Some(post) = self.postings.get(t) else {
                continue;
            };
            let df = post.len() as f64;
            // words in a tenth of all paragraphs tell nothing and cost the most
            if df > n / 10.0 {
                continue;
            }
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            let w = weight(t) * idf;
            mass += w;
            for &(d, tf) in post {
                let len = self.docs[d as usize].len as f64;
                let tf = tf as f64;
                let s = w * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / self.avg_len));
                let e = &mut acc[d as usize];
                if e.1 == 0.0 {
                    touched.push(d);
                }
                e.0 += s;
                e.1 += w;
            }
        }
        touched.sort_unstable();
        // best paragraph per tool: (score, paragraph, coverage)
        let mut best: HashMap<u32, (f64, u32, f64)> = HashMap::new();
        for d in touched {
            let (s, m) = acc[d as usize];
            let tool = self.docs[d as usize].tool;
            let e = best.entry(tool).or_insert((f64::MIN, d, 0.0));
            if s > e.0 {
                *e = (s, d, m / mass.max(1e-9));
            }
        }
        let mut ranked: Vec<(f64, u32, u32, f64)> = best
            .into_iter()
            .map(|(t, (s, d, c))| {
                let big = (self.tool_docs[t as usize] as f64 / 200.0).max(1.0);
                (s * big.powf(-FAMILY_POW), t, d, c)
            })
            .collect();
        ranked.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then_with(|| self.tools[a.1 as usize].cmp(&self.tools[b.1 as usize]))
        });
        ranked.truncate(MAX_MATCHES);
        let mut out: Vec<ManualMatch> = ranked
            .into_iter()
            .map(|(score, t, d, coverage)| {
                let doc = &self.docs[d as usize];
                ManualMatch {
                    tool: self.tools[t as usize].clone(),
                    score,
                    coverage,
                    sub: doc.sub.to_string(),
                    flag: doc.flag.to_string(),
                }
            })
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.tool.cmp(&b.tool)));
        out
    }

    fn to_cache(&self, key: &str) -> String {
        let mut s = format!("aish-manindex\t{key}\n");
        let mut terms_of: Vec<Vec<&str>> = vec![Vec::new(); self.docs.len()];
        for (t, post) in &self.postings {
            for &(d, tf) in post {
                for _ in 0..tf {
                    terms_of[d as usize].push(t);
                }
            }
        }
        for (d, terms) in self.docs.iter().zip(terms_of) {
            s.push_str(&self.tools[d.tool as usize]);
            s.push('\t');
            s.push_str(&d.sub);
            s.push('\t');
            s.push_str(&d.flag);
            s.push('\t');
            s.push(if d.name { 'N' } else { 'P' });
            s.push('\t');
            s.push_str(&terms.join(" "));
            s.push('\n');
        }
        s
    }

    fn from_cache(text: &str, key: &str) -> Option<ManIndex> {
        let mut lines = text.lines();
        let head = lines.next()?;
        if head != format!("aish-manindex\t{key}") {
            return None;
        }
        let mut idx = ManIndex::default();
        let mut ids = HashMap::new();
        for line in lines {
            let mut cols = line.splitn(5, '\t');
            let (Some(tool), Some(sub), Some(flag), Some(kind), Some(terms)) = (
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
                cols.next(),
            ) else {
                return None;
            };
            let tid = idx.tool_id(&mut ids, tool);
            let terms: Vec<String> = terms.split(' ').map(str::to_string).collect();
            idx.push(tid, sub, flag, kind == "N", &terms);
        }
        idx.finish();
        Some(idx)
    }

    /// The index of this machine's pages: from the cache when its key matches, else built
    /// (and cached). `fingerprint` identifies the word normalisation.
    pub fn load(
        has: &dyn Fn(&str) -> bool,
        norm: &dyn Fn(&str) -> Vec<String>,
        fingerprint: u64,
    ) -> ManIndex {
        let roots: Vec<PathBuf> = ["/usr/share/man", "/usr/local/share/man"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let files = page_files(&roots, has);
        if files.is_empty() {
            return ManIndex::default();
        }
        let mut h = Fnv::new();
        for k in [
            VERSION as usize,
            MAX_PARAS,
            MAX_WORDS,
            BIG_FAMILY,
            MAX_PAGE_BYTES,
        ] {
            h.write(&k.to_le_bytes());
        }
        h.write(&fingerprint.to_le_bytes());
        for (path, tool, sub) in &files {
            h.write(path.to_string_lossy().as_bytes());
            h.write(tool.as_bytes());
            h.write(sub.as_bytes());
        }
        for r in &roots {
            for s in ["man1", "man6", "man8"] {
                if let Ok(m) = std::fs::metadata(r.join(s))
                    && let Ok(t) = m.modified()
                    && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
                {
                    h.write(&d.as_secs().to_le_bytes());
                }
            }
        }
        let key = format!("{:016x}", h.0);
        let cache = crate::translate::cache_dir().map(|d| d.join("manindex.txt"));
        if let Some(c) = &cache
            && let Ok(text) = std::fs::read_to_string(c)
            && let Some(idx) = ManIndex::from_cache(&text, &key)
        {
            return idx;
        }
        let pages: Vec<(String, String, Page)> = files
            .into_iter()
            .filter_map(|(path, tool, sub)| {
                let src = read_page(&path)?;
                if src.trim_start().starts_with(".so ") {
                    return None;
                }
                Some((tool, sub, parse(&src)))
            })
            .collect();
        let idx = ManIndex::from_pages(&pages, norm);
        if let Some(c) = &cache
            && let Some(d) = c.parent()
            && std::fs::create_dir_all(d).is_ok()
        {
            // one temporary file per process: two shells building the index at once must not
            // write into each other's file (a reader would see a torn cache)
            let tmp = c.with_extension(format!("tmp.{}", std::process::id()));
            if std::fs::write(&tmp, idx.to_cache(&key)).is_ok() {
                let _ = std::fs::rename(&tmp, c);
            }
        }
        idx
    }
}

/// The texts indexed for a page: (subcommand, flag, text).
fn docs_of_page(sub: &str, page: &Page, big: bool) -> Vec<(String, String, String, bool)> {
    let mut out = Vec::new();
    let sub_words = sub.replace('-', " ");
    if !page.description.is_empty() || !sub.is_empty() {
        out.push((
            sub.to_string(),
            String::new(),
            format!("{sub_words} {}", page.description),
            true,
        ));
    }
    let mut described = false;
    for p in page.paras.iter().take(if big { 40 } else { MAX_PARAS }) {
        if matches!(
            p.section.as_str(),
            "SYNOPSIS"
                | "SEE ALSO"
                | "AUTHOR"
                | "AUTHORS"
                | "COPYRIGHT"
                | "BUGS"
                | "REPORTING BUGS"
                | "HISTORY"
                | "LICENSE"
                | "COLOPHON"
                | "AVAILABILITY"
                | "NOTES"
                | "FILES"
                | "EXIT STATUS"
                | "ENVIRONMENT"
                | "GCLOUD WIDE FLAGS"
                | "API REFERENCE"
        ) || p.text.is_empty()
        {
            continue;
        }
        if big {
            // one description paragraph per page of a big family
            if described || p.section != "DESCRIPTION" {
                continue;
            }
            described = true;
        }
        let text: String = p
            .text
            .split_whitespace()
            .take(MAX_WORDS)
            .collect::<Vec<_>>()
            .join(" ");
        let (s, f) = match tag_subcommand(p) {
            Some(s) if sub.is_empty() => (s.to_string(), String::new()),
            _ => (sub.to_string(), tag_flag(&p.tag).unwrap_or_default()),
        };
        let tag_words = if f.is_empty() && s != sub {
            s.replace('-', " ")
        } else {
            String::new()
        };
        out.push((s, f, format!("{tag_words} {text}"), false));
    }
    out
}

/// The page files under `roots` (`manN/NAME.N[.gz]`) whose command is present, sorted.
fn page_files(roots: &[PathBuf], has: &dyn Fn(&str) -> bool) -> Vec<(PathBuf, String, String)> {
    let mut out = Vec::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for r in roots {
        for s in ["man1", "man8", "man6"] {
            let Ok(rd) = std::fs::read_dir(r.join(s)) else {
                continue;
            };
            let mut names: Vec<String> = rd
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            for n in names {
                if let Some((tool, sub)) = page_command(&n, has)
                    && seen.insert((tool.clone(), sub.clone()))
                {
                    out.push((r.join(s).join(&n), tool, sub));
                }
            }
        }
    }
    // A family of thousands of generated pages (a cloud SDK's, one per API call) would
    // dominate the build and the index; its NAME lines are in the whatis data already.
    let mut family: HashMap<String, usize> = HashMap::new();
    for (_, tool, _) in &out {
        *family.entry(tool.clone()).or_insert(0) += 1;
    }
    out.retain(|(_, tool, _)| family[tool] <= BIG_FAMILY);
    out
}

/// FNV-1a, for cache keys.
pub struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    pub fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Written for these tests in the two macro styles pages use.
    const MAN_PAGE: &str = r#".\" a comment
.TH FROB 1 "2024" "frob 1.0"
.de XX
.B never shown
..
.SH NAME
frob \- rearrange the widgets of a \fBgadget\fR
.SH SYNOPSIS
.B frob
[\fIOPTIONS\fR]
.SH DESCRIPTION
.B frob
sorts widgets by colour\(emnever by size.
.SH OPTIONS
.TP
.BR \-q ", " \-\-quiet
Print nothing; only the exit status tells the result.
.TP
\fB\-\-no\-legend\fR
Do not print the legend, i.e. column headers and the footer.
.SH COMMANDS
.TP
\fBpolish\fR \fIWIDGET\fR
Make a widget shine.
"#;

    const DOCBOOK_PAGE: &str = r#".TH "FROB\-SPIN" "1"
.SH "NAME"
frob-spin \- Turn the widgets around
.SH "OPTIONS"
.PP
\-\-twice
.RS 4
Turn every widget two full turns\&.
.RE
"#;

    const MDOC_PAGE: &str = r#".Dd 2024
.Dt ZAP 1
.Sh NAME
.Nm zap
.Nd erase the blackboard
.Sh OPTIONS
.Bl -tag -width Ds
.It Fl w
Wipe with a wet sponge.
.El
"#;

    fn norm(t: &str) -> Vec<String> {
        crate::translate::words(t)
            .into_iter()
            .filter(|w| w.len() > 2)
            .map(|w| crate::translate::stem(&w))
            .collect()
    }

    #[test]
    fn parses_man_macros() {
        let p = parse(MAN_PAGE);
        assert_eq!(p.description, "rearrange the widgets of a gadget");
        let quiet = p.paras.iter().find(|x| x.tag.contains("--quiet")).unwrap();
        assert_eq!(quiet.tag, "-q, --quiet");
        assert_eq!(
            quiet.text,
            "Print nothing; only the exit status tells the result."
        );
        assert_eq!(quiet.section, "OPTIONS");
        let legend = p.paras.iter().find(|x| x.tag == "--no-legend").unwrap();
        assert!(legend.text.starts_with("Do not print the legend"));
        let polish = p.paras.iter().find(|x| x.section == "COMMANDS").unwrap();
        assert_eq!(polish.tag, "polish WIDGET");
        assert_eq!(tag_subcommand(polish), Some("polish"));
        assert!(!p.paras.iter().any(|x| x.text.contains("never shown")));
        assert!(
            p.paras
                .iter()
                .any(|x| x.text.contains("colour never by size"))
        );
    }

    #[test]
    fn parses_docbook_and_mdoc_pages() {
        let p = parse(DOCBOOK_PAGE);
        assert_eq!(p.description, "Turn the widgets around");
        assert_eq!(p.paras[0].tag, "--twice");
        assert_eq!(p.paras[0].text, "Turn every widget two full turns.");
        let m = parse(MDOC_PAGE);
        assert_eq!(m.description, "erase the blackboard");
        let w = m.paras.iter().find(|x| x.tag == "-w").unwrap();
        assert_eq!(w.text, "Wipe with a wet sponge.");
    }

    #[test]
    fn unescapes_roff() {
        assert_eq!(unescape(r"\fB\-\-all\fP files\&."), "--all files.");
        assert_eq!(
            unescape(r"it\(aqs \s-1SMALL\s0 \[lq]x\[rq]"),
            "it's SMALL \"x\""
        );
        assert_eq!(unescape(r#"text \" a comment"#), "text ");
    }

    #[test]
    fn names_the_command_and_subcommand_of_a_page() {
        let has = |n: &str| ["git", "ls", "gcloud", "systemd-analyze"].contains(&n);
        assert_eq!(
            page_command("ls.1.gz", &has),
            Some(("ls".into(), "".into()))
        );
        assert_eq!(
            page_command("git-fsck.1.gz", &has),
            Some(("git".into(), "fsck".into()))
        );
        assert_eq!(
            page_command("gcloud_compute_instances_list.1", &has),
            Some(("gcloud".into(), "compute instances list".into()))
        );
        assert_eq!(
            page_command("systemd-analyze.1.gz", &has),
            Some(("systemd-analyze".into(), "".into()))
        );
        assert_eq!(page_command("missing-tool.1.gz", &has), None);
        assert_eq!(page_command("ls.3.gz", &has), None);
    }

    #[test]
    fn tag_flags_prefer_the_long_form() {
        assert_eq!(tag_flag("-q, --quiet").as_deref(), Some("--quiet"));
        assert_eq!(tag_flag("-w").as_deref(), Some("-w"));
        assert_eq!(tag_flag("--format=FMT").as_deref(), Some("--format"));
        assert_eq!(tag_flag("polish WIDGET"), None);
    }

    fn fixture_index() -> ManIndex {
        let pages = vec![
            ("frob".to_string(), String::new(), parse(MAN_PAGE)),
            ("frob".to_string(), "spin".to_string(), parse(DOCBOOK_PAGE)),
            ("zap".to_string(), String::new(), parse(MDOC_PAGE)),
        ];
        ManIndex::from_pages(&pages, &norm)
    }

    #[test]
    fn search_finds_the_paragraph_and_its_option() {
        let idx = fixture_index();
        let one = |_: &str| 1.0;
        let hits = idx.search(&norm("hide the column headers and footer"), &one);
        assert_eq!(hits[0].tool, "frob");
        assert_eq!(hits[0].flag, "--no-legend");
        assert!(hits[0].coverage > 0.7, "{hits:?}");
        let hits = idx.search(&norm("wipe the blackboard with a sponge"), &one);
        assert_eq!(hits[0].tool, "zap");
        let hits = idx.search(&norm("turn widgets two turns"), &one);
        assert_eq!(
            (hits[0].tool.as_str(), hits[0].sub.as_str()),
            ("frob", "spin")
        );
        assert!(idx.search(&norm("quantum entanglement"), &one).is_empty());
    }

    #[test]
    fn cache_round_trips_and_checks_its_key() {
        let idx = fixture_index();
        let text = idx.to_cache("k1");
        assert!(ManIndex::from_cache(&text, "k2").is_none());
        let back = ManIndex::from_cache(&text, "k1").unwrap();
        assert_eq!(back.len(), idx.len());
        let one = |_: &str| 1.0;
        let q = norm("hide the column headers and footer");
        assert_eq!(back.search(&q, &one), idx.search(&q, &one));
        assert_eq!(idx.search(&q, &one)[0].flag, "--no-legend");
    }

    #[test]
    fn an_empty_index_matches_nothing() {
        let idx = ManIndex::default();
        assert!(idx.is_empty());
        assert!(idx.search(&norm("list files"), &|_| 1.0).is_empty());
    }

    fn machine() -> crate::translate::Context {
        let mut cx = crate::translate::Context {
            init: "systemd".into(),
            package_manager: Some("apt".into()),
            ..Default::default()
        };
        for c in ["frob", "zap", "ls", "column", "git", "gcloud", "aws"] {
            cx.path_cmds.insert(c.into());
        }
        cx
    }

    fn first_tool(t: &crate::translate::Translator, req: &str) -> String {
        let c = t.translate(req, &machine());
        crate::nlc2cmd::first_utility(&c.first().map(|c| c.command.clone()).unwrap_or_default())
    }

    #[test]
    fn manual_paragraphs_rank_a_tool_the_vocabulary_does_not_know() {
        let cx = machine();
        let mut t = crate::translate::Translator::new();
        t.add_whatis(
            "frob (1)             - rearrange the widgets of a gadget\n",
            &cx,
        );
        let req = "do not show the legend";
        assert_ne!(first_tool(&t, req), "frob");
        // other tools' pages make a realistic index (rare words weigh more than common ones)
        let mut pages = vec![("frob".to_string(), String::new(), parse(MAN_PAGE))];
        for k in 0..300 {
            let text =
                format!(".SH NAME\nother{k} \\- show item {k}\n.SH OPTIONS\n.TP\n-v\nShow more.\n");
            pages.push((format!("other{k}"), String::new(), parse(&text)));
        }
        t.set_manual_pages(&pages);
        assert_eq!(first_tool(&t, req), "frob");
    }

    #[test]
    fn an_intent_stays_ahead_of_a_tool_the_manual_ranks_first() {
        // `systemd-cgtop`'s page speaks of resource usage, disk I/O and more: with its page
        // indexed, the manual ranks it above `du` for "show disk usage", but the disk-usage
        // intent (`df -h`, which also proposes `du`) stays first.
        let mut cx = machine();
        for c in ["df", "du", "systemd-cgtop"] {
            cx.path_cmds.insert(c.into());
        }
        let mut t = crate::translate::Translator::new();
        let mut whatis = String::from(
            "systemd-cgtop (1)    - Show top control groups by their resource usage\n\
             du (1)               - estimate file space usage\n\
             df (1)               - report file system space usage\n",
        );
        // a machine's worth of other tools: the request's words are rare among them
        for k in 0..2000 {
            cx.path_cmds.insert(format!("tool{k}"));
            whatis.push_str(&format!("tool{k} (1) - show item {k} of the list\n"));
        }
        t.add_whatis(&whatis, &cx);
        let page = ".SH NAME\nsystemd-cgtop \\- Show top control groups by their resource usage\n.SH DESCRIPTION\nShows the top control groups ordered by their CPU, memory, or disk I/O load.\n.SH OPTIONS\n.TP\n-i\nSort by disk usage, disk I/O usage, memory usage.\n";
        let mut pages = vec![("systemd-cgtop".to_string(), String::new(), parse(page))];
        for k in 0..300 {
            let text =
                format!(".SH NAME\nother{k} \\- show item {k}\n.SH OPTIONS\n.TP\n-v\nShow more.\n");
            pages.push((format!("other{k}"), String::new(), parse(&text)));
        }
        t.set_manual_pages(&pages);
        let c = t.translate("show disk usage", &cx);
        assert_eq!(
            c.first().map(|c| c.command.as_str()),
            Some("df -h"),
            "{c:?}"
        );
        // without the intent's words the manual still picks its tool
        let c = t.translate("sort the control groups by their disk I/O load", &cx);
        assert_eq!(
            c.first().map(|c| crate::nlc2cmd::first_utility(&c.command)),
            Some("systemd-cgtop".to_string()),
            "{c:?}"
        );
    }

    #[test]
    fn everyday_tools_win_close_calls() {
        let t = crate::translate::Translator::new();
        assert!(t.prior("aws") > t.prior("gcloud"));
        assert_eq!(t.prior("frob"), 1.0);
        // a request naming another tool is about that tool, whatever the priors
        assert_eq!(
            first_tool(&t, "show the history of gcloud instances"),
            "gcloud"
        );
    }
}
