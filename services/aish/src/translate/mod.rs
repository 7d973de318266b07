//! The offline translator: everyday requests → candidate commands for this machine.
//!
//! Three sources, merged by confidence:
//! 1. intents ([`intents`]): hand-written request shapes with slot filling (paths, sizes,
//!    counts, names, extensions, times), aware of the package manager and init system;
//! 2. the vocabulary ([`vocab`]): utilities described in English, Spanish and French;
//! 3. the installed manual pages' `whatis` lines, when available, for tools without a rule;
//! 4. the installed manual pages' paragraphs ([`manual`]: NAME lines, option and command
//!    items, subcommand pages), a BM25 index cached on disk and loaded on the first request,
//!    which orders the vocabulary's guesses but never makes one more confident than the
//!    vocabulary alone would.
//!
//! Scoring is a BM25-style match of the request's normalised words against each tool's
//! description, with a strong boost when the request names the tool, a bonus when one
//! manual line of the tool says most of the request, and the tool's prior.

mod calibrate;
mod compose;
mod data;
mod everyday;
mod flags;
mod intents;
pub mod manual;
mod shell;
pub mod slots;
mod tools;
mod vocab;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Serialize;

/// What the translator knows about the machine.
#[derive(Debug, Clone, Default)]
pub struct Context {
    pub cwd: PathBuf,
    /// Names of the files in the current directory (a bounded sample).
    pub files: Vec<String>,
    /// `apt`, `dnf`, `pacman`, `zypper` or none.
    pub package_manager: Option<String>,
    /// `systemd` or `sysv`.
    pub init: String,
    /// Commands found in PATH.
    pub path_cmds: HashSet<String>,
}

impl Context {
    /// Look at the running machine.
    pub fn detect() -> Context {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut files: Vec<String> = std::fs::read_dir(&cwd)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .take(500)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        let mut path_cmds = HashSet::new();
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                if let Ok(rd) = std::fs::read_dir(&dir) {
                    for e in rd.flatten() {
                        path_cmds.insert(e.file_name().to_string_lossy().into_owned());
                    }
                }
            }
        }
        for b in [
            "cd", "alias", "export", "history", "jobs", "fg", "bg", "echo", "printf", "source",
            "set", "help", "type", "eval", "exec", "trap", "if", "read", "kill", "pwd", "ulimit",
            "umask", "wait",
        ] {
            path_cmds.insert(b.to_string());
        }
        let package_manager = ["apt", "dnf", "pacman", "zypper", "yum", "apk"]
            .iter()
            .find(|p| path_cmds.contains(**p))
            .map(|s| s.to_string());
        let init = if Path::new("/run/systemd/system").exists() || path_cmds.contains("systemctl") {
            "systemd".to_string()
        } else {
            "sysv".to_string()
        };
        Context {
            cwd,
            files,
            package_manager,
            init,
            path_cmds,
        }
    }

    pub fn has_command(&self, name: &str) -> bool {
        self.path_cmds.contains(name)
    }

    pub fn pm(&self) -> &str {
        self.package_manager.as_deref().unwrap_or("apt")
    }
}

/// One proposed command.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Candidate {
    pub command: String,
    /// Estimated probability that this is the command meant, in two bands (see the
    /// `calibrate` module).
    pub confidence: f64,
    /// Strength of the match that ranks the candidates (not a probability).
    pub score: f64,
    /// Where it came from: an intent name, `vocabulary` or `manual`.
    pub source: String,
    pub description: String,
}

#[derive(Debug, Clone)]
struct ToolDoc {
    name: String,
    /// Normalised words with weights.
    terms: HashMap<String, f32>,
    subcommands: Vec<String>,
    summary: String,
    curated: bool,
}

/// The translator with its indexes.
pub struct Translator {
    tools: Vec<ToolDoc>,
    by_name: HashMap<String, usize>,
    postings: HashMap<String, Vec<(usize, f32)>>,
    glossary: HashMap<String, String>,
    /// The glossary keyed by [`romance_key`]: inflected Spanish/French forms the glossary
    /// does not list ("equilibrar", "contenedores", "actualizaciones").
    glossary_stems: HashMap<String, String>,
    /// The manual's one-line descriptions of the tools (their `whatis` lines) and of their
    /// subcommands' pages: the tool of each line, and the lines of each normalised word.
    /// A line that says most of what a request asks is better evidence than the same words
    /// scattered over many pages.
    line_tools: Vec<usize>,
    line_postings: HashMap<String, Vec<u32>>,
    /// Distinctive objects ([`vocab::OBJECTS`]): (all these terms, tool, weight).
    objects: Vec<(Vec<String>, String, f64)>,
    /// The installed manual pages' paragraphs ([`manual`]), empty without them.
    manual: std::sync::OnceLock<manual::ManIndex>,
    /// The commands whose pages [`Self::manual`] indexes on first use; none: no pages.
    manual_commands: Option<HashSet<String>>,
}

pub(super) const STOP: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "from",
    "by",
    "and",
    "or",
    "is",
    "are",
    "be",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "me",
    "i",
    "you",
    "your",
    "our",
    "we",
    "at",
    "as",
    "into",
    "using",
    "use",
    "via",
    "all",
    "any",
    "some",
    "each",
    "every",
    "given",
    "specific",
    "specified",
    "certain",
    "then",
    "which",
    "what",
    "how",
    "do",
    "does",
    "can",
    "please",
    "should",
    "would",
    "will",
    "so",
    "if",
    "when",
    "than",
    "only",
    "also",
    "but",
    "not",
    "no",
    "there",
    "their",
    "them",
    "they",
    "he",
    "she",
    "his",
    "her",
    "one",
    "de",
    "el",
    "la",
    "los",
    "las",
    "un",
    "una",
    "unos",
    "unas",
    "del",
    "en",
    "con",
    "por",
    "para",
    "y",
    "o",
    "que",
    "se",
    "su",
    "sus",
    "al",
    "lo",
    "como",
    "le",
    "les",
    "une",
    "des",
    "du",
    "dans",
    "avec",
    "par",
    "pour",
    "et",
    "ou",
    "qui",
    "sur",
    "son",
    "sa",
    "ses",
    "au",
    "aux",
    "ce",
    "cette",
    "l",
    "d",
    "s",
    "est",
    "es",
    "esta",
    "este",
    "mas",
    "plus",
    "etc",
    "e",
    "g",
    "eg",
    "ie",
    "via",
    "named",
    "called",
    "given",
    "usando",
    "utilisant",
    "especifico",
    "especifica",
    "especificos",
    "especificas",
    "especificado",
    "especificada",
    "especificados",
    "especificando",
    "determinado",
    "determinada",
    "dado",
    "dada",
    "dados",
    "cada",
    "desde",
    "utilizando",
    "utiliza",
    "utilizar",
    "usa",
    "usar",
    "partir",
    "antes",
    "despues",
    "cuando",
    "sobre",
    "entre",
    "otro",
    "otra",
    "otros",
    "uno",
    "dos",
    "dentro",
    "forma",
    "varios",
    "varias",
    "lugar",
    "inmediatamente",
    "incluyendo",
    "estan",
    "puede",
    "hasta",
    "tiene",
    "pero",
    "ejemplo",
    "unicamente",
    "todo",
    "toda",
    "normalmente",
    "tambien",
    "han",
    "ser",
    "traves",
    "vez",
    "permite",
    "previamente",
    "automaticamente",
    "actualmente",
    "caso",
    "tanto",
    "nota",
    "vea",
    "mediante",
    "segun",
    "donde",
    "cual",
    "cuales",
    "estos",
    "estas",
    "ese",
    "esa",
    "eso",
    "ya",
    "muy",
    "asi",
    "specifique",
    "specifie",
    "specifiee",
    "donne",
    "donnee",
    "chaque",
    "depuis",
    "cualquier",
    "hace",
    "ningun",
    "ninguna",
    "hay",
    "debe",
    "pueden",
    "estar",
    "esto",
    "tienen",
    "cuyo",
    "cuya",
    "mientras",
    "manera",
    "incluso",
    "junto",
    "tras",
    "similar",
    "posible",
    "directamente",
    "sido",
    "algun",
    "alguna",
    "siempre",
    "pasa",
    "significa",
    "cuanto",
    "particular",
    "concreto",
    "concreta",
    "original",
    "util",
    "durante",
    "necesario",
    "hacia",
    "especificadas",
    "especificados",
    "definidas",
    "definidos",
];

const LEN_NORM: f64 = 0.0;
const CURATED_PRIOR: f64 = 1.35;
/// Candidates below this share of the best one's confidence are dropped.
const KEEP_RATIO: f64 = 0.5;

/// Stems of words that say what to do or where, not with which tool ("display", "list",
/// "create", "file"): they appear in the descriptions of many tools but a few short
/// descriptions carry them with a high IDF, so alone they would pick an arbitrary tool.
/// Their evidence is scaled down by [`GENERIC_WEIGHT`].
const GENERIC_TERMS: &[&str] = &[
    "display",
    "show",
    "list",
    "print",
    "get",
    "set",
    "create",
    "make",
    "new",
    "delete",
    "remove",
    "add",
    "start",
    "stop",
    "run",
    "execute",
    "change",
    "specific",
    "file",
    "directory",
    "output",
    "value",
    "name",
    "option",
    "command",
    "information",
    "info",
    "help",
    "default",
    "current",
    "multiple",
    "path",
    "format",
    "check",
    "open",
    "write",
    "read",
    "enable",
    "disable",
    "view",
    "edit",
    "send",
    "text",
    "given",
    "type",
    "mode",
    "save",
    "content",
    "contents",
    "detail",
    "details",
    "instead",
    "way",
    "specified",
    "provided",
    "manual",
    "version",
    "verbose",
    "status",
    "describe",
    "modify",
    "local",
    "argument",
    "number",
    "string",
    "line",
    "data",
    "result",
    "level",
    "without",
    "new",
    "existing",
    "available",
    "user",
    "time",
    "id",
    "item",
    "select",
    "custom",
    "base",
    "only",
    "other",
];
const GENERIC_WEIGHT: f64 = 0.45;
/// The same for the manual pages' paragraphs, where generic words are far more frequent.
const MANUAL_GENERIC_WEIGHT: f64 = 0.2;
/// A tool known only from the manual (no curated entry) is less often the one meant.
const MANUAL_ONLY_PRIOR: f64 = 0.8;
/// Scale of a distinctive object's weight ([`vocab::OBJECTS`]) against word evidence.
const OBJECT_WEIGHT: f64 = 1.4;
/// The request names the tool (a name that is not an everyday word).
const NAMED_BOOST: f64 = 6.0;
/// Bonus of a manual line covering the whole request, times the square of the share it
/// covers (see [`Translator::line_coverage`]).
const LINE_WEIGHT: f64 = 3.0;

/// Tool names that are also everyday words: their mention is weak evidence.
pub(super) const COMMON_WORDS: &[&str] = &[
    "file", "find", "sort", "head", "tail", "split", "watch", "cut", "join", "date", "time",
    "more", "less", "yes", "top", "free", "look", "column", "kill", "touch", "link", "host",
    "echo", "print", "which", "install", "env", "source", "export", "history", "alias", "make",
    "convert", "service", "man", "id", "tree", "screen", "expr", "ip", "node", "view", "write",
    "users", "jobs", "go", "test", "sleep", "true", "false", "last", "wait", "clear", "reset",
    "groups", "script", "units", "factor", "patch", "display", "import", "open", "start", "stop",
    "run", "info", "help", "type", "command", "hash", "read", "set", "login", "rename", "paste",
    "expand", "fold", "shuf", "tee", "sync", "stat", "logger", "mail", "wall", "zip", "compress",
    "strings", "base64", "dig", "ping", "whatis", "apropos", "locate", "finger", "lock", "unlock",
    "note", "timeout", "md5", "size", "debug", "play", "record", "search", "update", "list",
    "show", "check", "build", "pass", "tar", "at", "cal", "bc", "dc", "ed", "ex", "pr", "od", "nl",
    "tr", "w", "who", "fg", "bg", "exit", "return", "shift", "trap", "wall", "seq", "nice",
    "split", "install", "mesg", "fmt", "renice", "script", "write", "last", "bind", "true",
];

/// Lowercase, fold accents.
pub fn fold(s: &str) -> String {
    s.chars()
        .flat_map(|c| c.to_lowercase())
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ä' | 'ã' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ñ' => 'n',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

/// Cheap English stemmer (plural and verb endings).
pub fn stem(w: &str) -> String {
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    if n > 4
        && (w.ends_with("sses") || w.ends_with("xes") || w.ends_with("ches") || w.ends_with("shes"))
    {
        return w[..n - 2].to_string();
    }
    if n > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        return w[..n - 1].to_string();
    }
    // "listing" → "list", but "string" stays
    if n > 6 && w.ends_with("ing") {
        return w[..n - 3].to_string();
    }
    if n > 4 && w.ends_with("ed") && !w.ends_with("eed") {
        return w[..n - 2].to_string();
    }
    w.to_string()
}

/// The strength (as [`intents::cand`] gives it to a first candidate) from which a rule of
/// `tools` or `shell` settles a request: intents of 0.95 and above. The vocabulary's guesses
/// for a settled request are kept just below it.
const PRECISE_MIN: f64 = 0.95 * 0.9 - 1e-9;

/// Glossary words (French or Spanish) that are also English words with another meaning: they
/// are translated only in a Spanish or French request.
const ENGLISH_HOMOGRAPHS: &[&str] = &["cache", "caches", "met", "lance", "lit", "grand", "passe"];

/// Function words that mark a text as Spanish or French rather than English.
const ROMANCE_MARKERS: &[&str] = &[
    "el", "la", "los", "las", "un", "una", "unos", "unas", "del", "de", "en", "con", "por", "para",
    "y", "que", "se", "al", "su", "sus", "le", "les", "des", "du", "et", "est", "pour", "avec",
    "dans", "sur", "mi", "mis", "mon", "ma", "mes", "todos", "todas", "tous", "toutes", "es",
];
const ENGLISH_MARKERS: &[&str] = &[
    "the", "of", "to", "and", "with", "from", "for", "in", "on", "by", "is", "it", "that", "this",
    "all", "into", "my", "an", "as", "at",
];

/// Whether a (folded) request is written in Spanish or French.
pub fn is_romance(ws: &[String]) -> bool {
    let count = |m: &[&str]| ws.iter().filter(|w| m.contains(&w.as_str())).count();
    let r = count(ROMANCE_MARKERS);
    r > 0 && r > count(ENGLISH_MARKERS)
}

/// A crude Spanish/French stem: enclitic pronouns, plural, participle, gerund, infinitive
/// and the final vowel of 3rd-person/imperative forms come off, so "equilibra",
/// "equilibrar" and "equilibrando" share one key, as do "contenedor" and "contenedores".
pub fn romance_key(w: &str) -> String {
    let mut s = w.to_string();
    for clitic in ["los", "las", "lo", "la", "le", "se"] {
        if s.len() > clitic.len() + 4
            && s.ends_with(clitic)
            && ["ar", "er", "ir", "ndo"]
                .iter()
                .any(|v| s[..s.len() - clitic.len()].ends_with(v))
        {
            s.truncate(s.len() - clitic.len());
            break;
        }
    }
    const SUFFIXES: &[&str] = &[
        "amente", "mente", "aciones", "iciones", "acion", "icion", "ciones", "cion", "iendo",
        "ando", "adas", "ados", "idas", "idos", "ada", "ado", "ida", "ido", "ees", "ee", "es",
        "an", "en", "ar", "er", "ir", "as", "os", "a", "e", "o", "s",
    ];
    for suf in SUFFIXES {
        if s.len() >= suf.len() + 4 && s.ends_with(suf) {
            s.truncate(s.len() - suf.len());
            break;
        }
    }
    s
}

/// Mnemonic brackets inside words come off: "[l]ong", "E[x]tract", "[eq]ual" read as
/// "long", "Extract", "equal". Longer bracketed text ("[Interactive] Remove") is left alone.
fn unbracket(s: &str) -> String {
    let cs: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut k = 0;
    while k < cs.len() {
        if cs[k] == '['
            && let Some(len) = cs[k + 1..].iter().take(4).position(|&c| c == ']')
            && len > 0
            && cs[k + 1..k + 1 + len].iter().all(|c| c.is_alphanumeric())
            && (k > 0 && cs[k - 1].is_alphanumeric()
                || cs.get(k + len + 2).is_some_and(|c| c.is_alphanumeric()))
        {
            out.extend(&cs[k + 1..k + 1 + len]);
            k += len + 2;
            continue;
        }
        out.push(cs[k]);
        k += 1;
    }
    out
}

/// Words of a text, folded; tool-like tokens (`apt-get`, `package.json`) are kept whole.
pub fn words(s: &str) -> Vec<String> {
    // "I/O" is one word
    unbracket(&fold(s).replace("i/o", "io"))
        .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '.' || c == '+'))
        .map(|w| w.trim_matches(|c| c == '.' || c == '-' || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl Default for Translator {
    fn default() -> Self {
        Self::new()
    }
}

impl Translator {
    /// The built-in vocabulary only.
    pub fn new() -> Translator {
        let mut glossary = HashMap::new();
        for line in vocab::GLOSSARY.lines() {
            for pair in line.split('|') {
                if let Some((k, v)) = pair.trim().split_once(' ') {
                    glossary.insert(k.trim().to_string(), v.trim().to_string());
                }
            }
        }
        let mut glossary_stems = HashMap::new();
        for line in vocab::GLOSSARY.lines() {
            for pair in line.split('|') {
                if let Some((k, v)) = pair.trim().split_once(' ') {
                    glossary_stems
                        .entry(romance_key(k.trim()))
                        .or_insert_with(|| v.trim().to_string());
                }
            }
        }
        let mut t = Translator {
            tools: Vec::new(),
            by_name: HashMap::new(),
            postings: HashMap::new(),
            glossary,
            glossary_stems,
            line_tools: Vec::new(),
            line_postings: HashMap::new(),
            objects: Vec::new(),
            manual: std::sync::OnceLock::new(),
            manual_commands: None,
        };
        for line in vocab::OBJECTS.lines() {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            if let [ws, tool, weight] = cols[..]
                && let Ok(weight) = weight.parse::<f64>()
            {
                let terms = ws.split_whitespace().map(stem).collect();
                t.objects.push((terms, tool.to_string(), weight));
            }
        }
        for line in vocab::TOOLS.lines() {
            let cols: Vec<&str> = line.split('|').map(str::trim).collect();
            if cols.len() < 4 || cols[0].is_empty() {
                continue;
            }
            let name = cols[0].to_string();
            let text = format!("{} {} {}", cols[1], cols[2], cols[3]);
            let subs_text = cols.get(4).copied().unwrap_or("").replace('-', " ");
            let subs: Vec<String> = cols
                .get(4)
                .map(|s| s.split_whitespace().map(str::to_string).collect())
                .unwrap_or_default();
            let summary = cols[1]
                .split_whitespace()
                .take(8)
                .collect::<Vec<_>>()
                .join(" ");
            t.add_tool(&name, &text, 1.0, subs, summary.clone(), true);
            // subcommand names are words of the tool too ("add", "commit", "apply")
            t.add_tool(&name, &subs_text, 0.8, vec![], summary, true);
        }
        t.rebuild();
        t
    }

    fn norm_terms(&self, text: &str) -> Vec<String> {
        let ws = words(text);
        let romance = is_romance(&ws);
        ws.into_iter()
            .filter(|w| !STOP.contains(&w.as_str()))
            .map(|w| match self.glossary.get(&w) {
                // "cache dir" is not "caché" in an English request
                Some(_) if !romance && ENGLISH_HOMOGRAPHS.contains(&w.as_str()) => w,
                Some(g) => g.clone(),
                None if romance && w.len() >= 5 => self
                    .glossary_stems
                    .get(&romance_key(&w))
                    .cloned()
                    .unwrap_or(w),
                None => w,
            })
            .filter(|w| !STOP.contains(&w.as_str()))
            .map(|w| stem(&w))
            .collect()
    }

    fn add_tool(
        &mut self,
        name: &str,
        text: &str,
        weight: f32,
        subs: Vec<String>,
        summary: String,
        curated: bool,
    ) {
        let terms = self.norm_terms(text);
        let idx = match self.by_name.get(name) {
            Some(&i) => i,
            None => {
                self.tools.push(ToolDoc {
                    name: name.to_string(),
                    terms: HashMap::new(),
                    subcommands: Vec::new(),
                    summary: summary.clone(),
                    curated,
                });
                self.by_name.insert(name.to_string(), self.tools.len() - 1);
                self.tools.len() - 1
            }
        };
        let doc = &mut self.tools[idx];
        for w in terms {
            let e = doc.terms.entry(w).or_insert(0.0);
            *e = e.max(weight);
        }
        for s in subs {
            if !doc.subcommands.contains(&s) {
                doc.subcommands.push(s);
            }
        }
        if doc.summary.is_empty() {
            doc.summary = summary;
        }
    }

    /// Record a one-line description of a tool already known (see [`Self::line_postings`]).
    fn add_line(&mut self, name: &str, text: &str) {
        let mut terms = self.norm_terms(text.trim_end_matches("..."));
        terms.sort();
        terms.dedup();
        if let Some(&i) = self.by_name.get(name)
            && !terms.is_empty()
        {
            let id = self.line_tools.len() as u32;
            self.line_tools.push(i);
            for t in terms {
                self.line_postings.entry(t).or_default().push(id);
            }
        }
    }

    /// Per tool, the largest share of a request's evidence (`evidence`: term → weight,
    /// summing to `mass`) that one of its manual lines holds; lines matching a single word
    /// of the request do not count (one word is what the vocabulary already weighs).
    fn line_coverage(&self, evidence: &HashMap<&str, f64>, mass: f64) -> HashMap<usize, f64> {
        let mut lines: HashMap<u32, (u32, f64)> = HashMap::new();
        for (t, e) in evidence {
            for &l in self.line_postings.get(*t).into_iter().flatten() {
                let a = lines.entry(l).or_insert((0, 0.0));
                a.0 += 1;
                a.1 += e;
            }
        }
        let mut best: HashMap<usize, f64> = HashMap::new();
        for (l, (n, sum)) in lines {
            if n >= 2 {
                let b = best.entry(self.line_tools[l as usize]).or_insert(0.0);
                *b = b.max(sum / mass);
            }
        }
        best
    }

    fn rebuild(&mut self) {
        self.postings.clear();
        for (i, d) in self.tools.iter().enumerate() {
            for (w, wt) in &d.terms {
                self.postings.entry(w.clone()).or_default().push((i, *wt));
            }
        }
    }

    /// Add the installed manual pages' one-line descriptions (`apropos`/`whatis` output:
    /// `name (1) - description`), for commands present in `ctx`.
    pub fn add_whatis(&mut self, whatis: &str, ctx: &Context) {
        let mut sub_pages: HashMap<String, usize> = HashMap::new();
        for line in whatis.lines() {
            let Some((head, desc)) = line.split_once(" - ") else {
                continue;
            };
            if desc.contains("(unknown subject)") {
                continue;
            }
            let Some(sect_start) = head.find('(') else {
                continue;
            };
            let sect = head[sect_start..].trim();
            if !(sect.starts_with("(1") || sect.starts_with("(8") || sect.starts_with("(6")) {
                continue;
            }
            for name in head[..sect_start].split(',').map(str::trim) {
                if name.is_empty() {
                    continue;
                }
                if !ctx.path_cmds.is_empty() && !ctx.has_command(name) {
                    // `git-commit`, `btrfs-balance`, `ip-route`: a subcommand's page describes
                    // its parent tool.
                    if let Some((parent, sub)) = name.split_once(['-', '_'])
                        && ctx.has_command(parent)
                    {
                        let n = sub_pages.entry(parent.to_string()).or_insert(0usize);
                        *n += 1;
                        if *n <= 300 {
                            let sub = sub.split(['-', '_']).next().unwrap_or(sub).to_string();
                            let summary = format!("{parent}: {}", desc.trim());
                            let line = format!("{sub} {desc}");
                            self.add_tool(parent, &line, 0.35, vec![sub], summary, false);
                            self.add_line(parent, &line);
                        }
                    }
                    continue;
                }
                let curated = self
                    .by_name
                    .get(name)
                    .is_some_and(|&i| self.tools[i].curated);
                // a tool without a curated entry is known by this line: it weighs more
                let weight = if curated { 0.6 } else { 0.7 };
                self.add_tool(name, desc, weight, vec![], desc.trim().to_string(), curated);
                // what the user reads beside a candidate: the manual's own line rather than
                // the vocabulary's keywords
                if curated && let Some(&i) = self.by_name.get(name) {
                    self.tools[i].summary = desc.trim().to_string();
                }
                self.add_line(name, desc);
            }
        }
        self.rebuild();
    }

    /// Load whatis data: a cache file when fresh, else `apropos`; absent tools mean none.
    pub fn load_manual_index(&mut self, ctx: &Context) {
        if let Some(text) = crate::translate::read_whatis() {
            self.add_whatis(&text, ctx);
        }
        self.load_manual_pages(ctx);
    }

    pub fn tool_summary(&self, name: &str) -> Option<&str> {
        self.by_name
            .get(name)
            .map(|&i| self.tools[i].summary.as_str())
    }

    /// Rank tools for a request: (tool index, score).
    fn rank(&self, req: &str, ctx: &Context) -> Vec<(usize, f64)> {
        self.rank_with(req, ctx, true)
    }

    /// [`Self::rank`], with or without the manual pages' paragraphs.
    fn rank_with(&self, req: &str, ctx: &Context, manual: bool) -> Vec<(usize, f64)> {
        let terms = self.norm_terms(&strip_scope(req));
        // each named word counts once ("Python 2 … to Python 3")
        let mut seen_raw = HashSet::new();
        let raw: Vec<String> = words(req)
            .into_iter()
            .filter(|w| seen_raw.insert(w.clone()))
            .collect();
        let n = self.tools.len().max(1) as f64;
        let mut scores: HashMap<usize, f64> = HashMap::new();
        let uniq: HashSet<&String> = terms.iter().collect();
        // each known term's evidence (idf, generic words scaled down)
        let mut evidence: HashMap<&str, f64> = HashMap::new();
        for t in uniq {
            if let Some(post) = self.postings.get(t) {
                let idf = ((n - post.len() as f64 + 0.5) / (post.len() as f64 + 0.5) + 1.0).ln();
                let g = if GENERIC_TERMS.contains(&t.as_str()) {
                    GENERIC_WEIGHT
                } else {
                    1.0
                };
                evidence.insert(t.as_str(), g * idf);
                for (i, w) in post {
                    *scores.entry(*i).or_insert(0.0) += g * idf * *w as f64;
                }
            }
        }
        // A manual line saying most of what the request asks.
        let mass: f64 = evidence.values().sum();
        if mass > 0.0 {
            for (i, c) in self.line_coverage(&evidence, mass) {
                *scores.entry(i).or_insert(0.0) += LINE_WEIGHT * c * c;
            }
        }
        // The request names a tool's distinctive object.
        for (ws, tool, weight) in &self.objects {
            // `PKG` is this machine's package manager
            let tool = if tool == "PKG" {
                ctx.pm()
            } else {
                tool.as_str()
            };
            if ws.iter().all(|w| terms.contains(w))
                && let Some(&i) = self.by_name.get(tool)
            {
                *scores.entry(i).or_insert(0.0) += OBJECT_WEIGHT * weight;
            }
        }
        // The request names a tool: strong evidence.
        let mut named: HashSet<usize> = HashSet::new();
        for w in &raw {
            let w = w.trim_matches('`');
            if let Some(&i) = self.by_name.get(w)
                && w.len() > 1
            {
                if !STOP.contains(&w) && !GENERIC_TERMS.contains(&w) {
                    named.insert(i);
                }
                let boost = if STOP.contains(&w) || COMMON_WORDS.contains(&w) {
                    2.0
                } else {
                    NAMED_BOOST
                };
                *scores.entry(i).or_insert(0.0) += boost;
            }
        }
        if manual {
            self.add_manual_scores(&terms, &mut scores);
        }
        // backquoted names like `git`
        for seg in req.split('`').skip(1).step_by(2) {
            let first = seg.split_whitespace().next().unwrap_or("");
            if let Some(&i) = self.by_name.get(first) {
                *scores.entry(i).or_insert(0.0) += 14.0;
            }
        }
        let mut v: Vec<(usize, f64)> = scores
            .into_iter()
            .map(|(i, s)| {
                let d = &self.tools[i];
                // Long descriptions match everything a little: normalise by their size.
                let mut s = s / (d.terms.len() as f64 / 40.0).max(1.0).powf(LEN_NORM);
                if d.curated {
                    s *= CURATED_PRIOR;
                } else {
                    s *= MANUAL_ONLY_PRIOR;
                }
                // a tool's prior settles close calls, not a request naming another tool
                if named.is_empty() || named.contains(&i) {
                    s *= self.prior(&d.name);
                }
                if !ctx.path_cmds.is_empty() && !ctx.has_command(&d.name) {
                    s *= 0.6;
                }
                // On a systemd machine services are driven by systemctl.
                if d.name == "service" && ctx.init == "systemd" {
                    s *= 0.3;
                }
                (i, s)
            })
            .collect();
        v.sort_by(|a, b| {
            b.1.total_cmp(&a.1)
                .then(self.tools[a.0].name.cmp(&self.tools[b.0].name))
        });
        v
    }

    /// Translate a request into up to five candidates, best first.
    pub fn translate(&self, req: &str, ctx: &Context) -> Vec<Candidate> {
        let req = req.trim();
        if req.is_empty() {
            return vec![];
        }
        let sl = slots::extract(req, ctx);
        // the request's words, without the names of the files it mentions (arguments)
        let norm: Vec<String> = self.norm_terms(&strip_files(req, &sl));
        let mut out: Vec<Candidate> = intents::matches(req, &norm, &sl, ctx);
        let precise: Vec<Candidate> = tools::matches(req, &sl, ctx)
            .into_iter()
            .chain(shell::matches(req, &sl, ctx))
            .chain(data::matches(req, ctx))
            .chain(everyday::matches(req, ctx))
            .collect();
        // These rules are gated on the words that make a request unambiguous ("find duplicate
        // files", "every day at 3am"): one that matched strongly settles the request. It is not
        // outranked by a tool the vocabulary guesses from the same words (`pyenv` for "which
        // version of python is installed"), and no composed file search is added.
        let settled = precise.iter().any(|c| c.confidence >= PRECISE_MIN);
        out.extend(precise);
        let bare = strip_arguments(req, &sl);
        let ranked = self.rank(&bare, ctx);
        let best_score = ranked.first().map(|r| r.1).unwrap_or(0.0);
        // The best confidence of the intents proposing each tool.
        let mut intent_conf: HashMap<String, f64> = HashMap::new();
        for c in &out {
            let e = intent_conf
                .entry(crate::nlc2cmd::first_utility(&c.command))
                .or_insert(0.0);
            *e = e.max(c.confidence);
        }
        // The manual's paragraphs order the vocabulary's guesses but do not make one more
        // confident than the vocabulary alone would make its best guess that no intent
        // proposes (a matching intent stays ahead: "show disk usage" is the intent's `df`,
        // not `systemd-cgtop`, whose manual speaks of resource usage).
        let ceiling = if self.manual().is_none_or(|m| m.is_empty()) {
            f64::INFINITY
        } else {
            self.rank_with(&bare, ctx, false)
                .into_iter()
                .find(|(i, _)| !intent_conf.contains_key(&self.tools[*i].name))
                .map_or(0.0, |r| r.1)
        };
        // Input read from standard input: fed to the tool the way the request says (it
        // shows where the input comes from).
        let mut feed = shell::feed(req);
        // a tool guessed from the vocabulary or the manual pages, with this confidence
        let guess = |d: &ToolDoc, conf: f64| Candidate {
            command: String::new(),
            confidence: conf,
            score: conf,
            source: if d.curated {
                "vocabulary".into()
            } else {
                "manual".into()
            },
            description: String::new(),
        };
        // A tool the vocabulary ranks below one an intent proposes ("disk usage": `du`, the
        // intent's, before `systemd-cgtop`) stays below that intent.
        let mut below = f64::INFINITY;
        for (k, (i, s)) in ranked.iter().take(6).enumerate() {
            let d = &self.tools[*i];
            // An intent already proposes this tool with its arguments filled in.
            if let Some(c) = intent_conf.get(&d.name) {
                below = below.min(*c - 0.01);
                continue;
            }
            let capped = s.min(ceiling);
            let conf = ((capped / (capped + 3.0)).clamp(0.05, 0.95)
                * if k == 0 { 1.0 } else { 0.8 }
                * (s / best_score.max(1e-9)).sqrt())
            .min(below);
            let cmd = generic_command(d, &norm, &sl, req);
            // The input is piped into the best guess that reads input (the first, or the
            // second after a tool that produces input), just ahead of the tool alone.
            // `read` fills a variable of this shell from the terminal: nothing is piped
            if k == 0 && d.name == "read" {
                feed = None;
            }
            if let Some(how) = feed
                && k <= 1
                && !shell::PRODUCERS.contains(&d.name.as_str())
            {
                feed = None;
                // the input is piped: the tool takes no file or text argument of its own
                let piped = slots::Slots {
                    quoted: Vec::new(),
                    paths: Vec::new(),
                    cwd_files: Vec::new(),
                    ..sl.clone()
                };
                out.push(Candidate {
                    command: shell::fed(how, &generic_command(d, &norm, &piped, req), &sl),
                    description: format!("{} (input piped in)", d.summary),
                    ..guess(d, conf)
                });
            }
            out.push(Candidate {
                command: cmd,
                description: d.summary.clone(),
                ..guess(d, conf)
            });
        }
        if settled {
            for c in out
                .iter_mut()
                .filter(|c| c.source == "vocabulary" || c.source == "manual")
            {
                c.confidence = c.confidence.min(PRECISE_MIN);
            }
        }
        // Merge duplicates, keep the best confidence, order by confidence.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut merged: Vec<Candidate> = Vec::new();
        for c in out {
            match seen.get(&c.command) {
                Some(&j) => {
                    if c.confidence > merged[j].confidence {
                        merged[j].confidence = c.confidence;
                    }
                }
                None => {
                    seen.insert(c.command.clone(), merged.len());
                    merged.push(c);
                }
            }
        }
        merged.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        // Far weaker alternatives are noise: a wrong utility is worse than no alternative.
        let top_conf = merged.first().map(|c| c.confidence).unwrap_or(0.0);
        merged.retain(|c| c.confidence >= KEEP_RATIO * top_conf);
        merged.truncate(5);
        // From match strength to an estimated probability, never above a better-ranked one.
        let mut ceiling = 1.0f64;
        for (rank, c) in merged.iter_mut().enumerate() {
            c.score = c.confidence;
            c.confidence = calibrate(rank, &c.source, c.score).min(ceiling);
            ceiling = c.confidence;
        }
        // File searches composed from their parts (English), with their own confidence.
        // Final confidences from source, strength, rank and what the request leaves unexplained.
        let composed = if settled {
            Vec::new()
        } else {
            compose::generate(req, &sl)
        };
        calibrate::finish(compose::merge(merged, composed), req)
    }
}

/// Confidence of a candidate from its rank, its source and its match strength, fitted on
/// the development translation sets' tuning rows (row index not a multiple of 5) and checked
/// on the others. Below the first-ranked intent these are measured hit rates (utility right,
/// flags not all wrong): a tool picked from the vocabulary alone is right 2–15 % of the time,
/// a lower-ranked vocabulary or manual-page guess almost never. A first-ranked hand-written
/// intent is right 37 % (strong match) or 12 % (weaker) of the time on those sets, but when
/// right it usually has the flags right too; its confidence is set higher (0.9 / 0.6), which
/// maximises the confidence-weighted NLC2CMD score on the tuning rows.
pub fn calibrate(rank: usize, source: &str, strength: f64) -> f64 {
    let intent = source.starts_with("intent");
    let vocabulary = source == "vocabulary";
    match (rank, intent, vocabulary) {
        (0, true, _) if strength >= 0.85 => 0.9,
        (0, true, _) if strength >= 0.75 => 0.6,
        (0, true, _) => 0.03,
        (0, false, true) if strength >= 0.85 => 0.15,
        (0, false, true) if strength >= 0.75 => 0.06,
        (0, false, true) if strength >= 0.65 => 0.02,
        (0, false, false) if strength >= 0.65 => 0.03,
        (0, _, _) => 0.01,
        (_, true, _) if strength >= 0.75 => 0.21,
        (_, true, _) => 0.09,
        _ => 0.01,
    }
}

/// The request without its path arguments: `/home/user/Desktop` says where, not what
/// (it should not make `useradd` a candidate). Backquoted tool names stay.
fn strip_arguments(req: &str, sl: &slots::Slots) -> String {
    let mut r = req.to_string();
    for p in &sl.paths {
        if p.contains('/') && p.len() > 1 {
            r = r.replace(p.as_str(), " ");
        }
    }
    strip_files(&r, sl)
}

/// The request without the names of the current directory's files it mentions that look like
/// commands or instructions (spaces, shell syntax): a file named `$(reboot).txt` is an
/// argument and must not make `reboot` a candidate. Ordinary names stay: `Cargo.toml` or
/// `.gitignore` say which tool is meant.
fn strip_files(req: &str, sl: &slots::Slots) -> String {
    let mut r = req.to_string();
    for f in &sl.cwd_files {
        if f.contains([
            ' ', '$', '(', ')', ';', '|', '&', '`', '\'', '"', '<', '>', '!', '{',
        ]) {
            r = r.replace(f.as_str(), " ");
        }
    }
    r
}

/// The request without "in the current directory"-style scope phrases: where to act is not
/// what to do (it should not make `pwd` a candidate).
fn strip_scope(req: &str) -> String {
    let mut f = format!(" {} ", fold(req));
    if !["current", "working", "actual", "courant"]
        .iter()
        .any(|w| f.contains(w))
    {
        return f;
    }
    for prep in [
        "in",
        "under",
        "from",
        "within",
        "below",
        "inside",
        "throughout",
        "en",
        "dans",
        "sous",
        "desde",
    ] {
        for det in ["the ", "", "el ", "la ", "le "] {
            for noun in [
                "current working directory",
                "current directory",
                "current folder",
                "current dir",
                "working directory",
                "directorio actual",
                "carpeta actual",
                "repertoire courant",
                "repertoire actuel",
                "dossier courant",
                "dossier actuel",
            ] {
                let phrase = format!(" {prep} {det}{noun}");
                while let Some(k) = f.find(&phrase) {
                    f.replace_range(k..k + phrase.len(), " ");
                }
            }
        }
    }
    f
}

/// Tools whose usual form has two operands.
const TWO_OPERANDS: &[&str] = &[
    "diff", "cmp", "comm", "cp", "mv", "join", "paste", "ln", "rsync", "scp", "sdiff", "vimdiff",
];

/// `tool [subcommand] [slot arguments]` for a tool without a specific intent.
fn generic_command(d: &ToolDoc, norm: &[String], sl: &slots::Slots, req: &str) -> String {
    let mut parts = vec![d.name.clone()];
    let f = fold(req);
    let raw_words = words(req);
    // subcommand: the first one named in the request (exact word), else by stem
    let sub = d
        .subcommands
        .iter()
        .find(|s| raw_words.iter().any(|w| w == *s))
        .or_else(|| {
            d.subcommands
                .iter()
                .find(|s| norm.iter().any(|w| *w == stem(s)))
        });
    if let Some(s) = sub {
        parts.push(s.clone());
    }
    let _ = f;
    parts.extend(flags::flags_for(&d.name, norm, req));
    if TWO_OPERANDS.contains(&d.name.as_str()) {
        // compare/copy/link tools take two operands
        let ops: Vec<&String> = sl
            .quoted
            .iter()
            .chain(&sl.paths)
            .chain(&sl.cwd_files)
            .take(2)
            .collect();
        if ops.len() == 2 {
            parts.extend(ops.into_iter().map(|o| slots::quote(o)));
            return parts.join(" ");
        }
    }
    if let Some(q) = sl.quoted.first() {
        parts.push(slots::quote(q));
    } else if let Some(p) = sl.paths.first() {
        parts.push(slots::quote(p));
    } else if let Some(file) = sl.cwd_files.first() {
        parts.push(slots::quote(file));
    }
    parts.join(" ")
}

/// Read whatis lines: `$XDG_CACHE_HOME/aish/whatis.txt` when newer than the man database,
/// else run `apropos`/`man -k` once and cache the result. None when no manual is installed.
pub fn read_whatis() -> Option<String> {
    let cache_dir = cache_dir();
    let cache = cache_dir.as_ref().map(|d| d.join("whatis.txt"));
    let db_mtime = ["/var/cache/man/index.db", "/var/cache/man"]
        .iter()
        .find_map(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    if let Some(c) = &cache
        && let Ok(m) = std::fs::metadata(c)
        && db_mtime.is_none_or(|d| m.modified().is_ok_and(|cm| cm >= d))
        && let Ok(t) = std::fs::read_to_string(c)
    {
        return Some(t);
    }
    for (prog, args) in [
        ("apropos", &["-s", "1,6,8", "."][..]),
        ("man", &["-k", "."][..]),
    ] {
        let Ok(out) = std::process::Command::new(prog)
            .args(args)
            .env("MANPAGER", "cat")
            .stderr(std::process::Stdio::null())
            .output()
        else {
            continue;
        };
        if out.stdout.is_empty() {
            continue;
        }
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        if let (Some(d), Some(c)) = (&cache_dir, &cache)
            && std::fs::create_dir_all(d).is_ok()
        {
            // whole or not at all: another shell may be reading the cache right now
            let tmp = c.with_extension(format!("tmp.{}", std::process::id()));
            if std::fs::write(&tmp, &text).is_ok() {
                let _ = std::fs::rename(&tmp, c);
            }
        }
        return Some(text);
    }
    None
}

/// `$XDG_CACHE_HOME/aish` (or `~/.cache/aish`).
pub(crate) fn cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|p| p.join("aish"))
}

/// Weight of the manual pages' paragraph evidence against the vocabulary's.
const MANUAL_WEIGHT: f64 = 0.6;

impl Translator {
    /// Use the installed manual pages' paragraphs of the commands in `ctx` (see [`manual`]).
    /// The index is loaded (or built and cached) on the first translation, not here: a shell
    /// starts at once.
    pub fn load_manual_pages(&mut self, ctx: &Context) {
        self.manual = std::sync::OnceLock::new();
        self.manual_commands = Some(ctx.path_cmds.clone());
    }

    /// The manual pages' index, loaded on first use; None when not asked for.
    fn manual(&self) -> Option<&manual::ManIndex> {
        if let Some(m) = self.manual.get() {
            return Some(m);
        }
        let cmds = self.manual_commands.as_ref()?;
        Some(self.manual.get_or_init(|| {
            let mut h = manual::Fnv::new();
            h.write(vocab::GLOSSARY.as_bytes());
            h.write(STOP.join(" ").as_bytes());
            let has = |n: &str| cmds.contains(n);
            let norm = |t: &str| self.norm_terms(t);
            manual::ManIndex::load(&has, &norm, h.0)
        }))
    }

    /// Index already-parsed pages (for tests and callers with their own pages).
    pub fn set_manual_pages(&mut self, pages: &[(String, String, manual::Page)]) {
        let norm = |t: &str| self.norm_terms(t);
        let idx = manual::ManIndex::from_pages(pages, &norm);
        self.manual = std::sync::OnceLock::from(idx);
    }

    /// A tool's prior ([`vocab::PRIORS`]), 1 for most.
    fn prior(&self, tool: &str) -> f64 {
        vocab::PRIORS
            .lines()
            .filter_map(|l| l.split_once('|'))
            .find(|(t, _)| t.trim() == tool)
            .and_then(|(_, f)| f.trim().parse::<f64>().ok())
            .unwrap_or(1.0)
    }

    /// Add the manual pages' best paragraph per tool to the tools' scores.
    fn add_manual_scores(&self, terms: &[String], scores: &mut HashMap<usize, f64>) {
        let Some(index) = self.manual().filter(|m| !m.is_empty()) else {
            return;
        };
        let weight = |t: &str| {
            if GENERIC_TERMS.contains(&t) {
                MANUAL_GENERIC_WEIGHT
            } else {
                1.0
            }
        };
        for m in index.search(terms, &weight).into_iter().take(30) {
            if let Some(&i) = self.by_name.get(&m.tool) {
                // a paragraph matching part of the request is weak evidence
                *scores.entry(i).or_insert(0.0) += MANUAL_WEIGHT * m.score * m.coverage.powi(3);
            }
        }
    }
}

#[cfg(test)]
mod tests;
