//! The shell's own values, checksums checked against a known value, and input given on
//! standard input.
//!
//! - Variables and special parameters: "print the PATH variable", "length of the variable
//!   name", "use a default value when EDITOR is unset", "exit status of the last command",
//!   "a random number between 1 and 6" are answered with the shell's expansions
//!   (`${#name}`, `${EDITOR:-vi}`, `$?`, `shuf -i 1-6 -n 1`), which no tool's manual describes.
//! - "check a file against a known SHA256 checksum" feeds the checksum to `sha256sum -c`.
//! - A request saying its input comes from standard input ("encrypt text from stdin",
//!   "pretty-print JSON read from stdin") gets the tool it names fed by `echo 'TEXT' |` for
//!   a text, a message or a value, and by `cat FILE |` for anything else: the command shows
//!   where the input comes from (see [`Feed`]).
//!
//! The first two have one answer each, so their intents are strong (0.95–0.97) and ranked
//! first they are *likely*; each one is gated on the words that make it unambiguous.

use super::intents::cand;
use super::slots::{Slots, quote};
use super::tools::{Req, usable};
use super::{Candidate, Context, fold};

/// Words for a shell variable (English, Spanish, French).
const VARIABLE: &[&str] = &["variable", "var", "parameter", "parametro", "parametre"];

/// A shell identifier: `PATH`, `my_var`.
fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// A name written in upper case: `PATH`, `EDITOR`, `LS_COLORS`.
fn is_upper_name(s: &str) -> bool {
    is_ident(s)
        && s.len() > 1
        && s.chars().all(|c| !c.is_ascii_lowercase())
        && s.chars().any(|c| c.is_ascii_uppercase())
}

/// The variables written `$HOME` or `${HOME}` in a request, in order.
fn dollar_names(req: &str) -> impl Iterator<Item = &str> {
    req.split_whitespace().filter_map(|tok| {
        let t = tok.trim_matches(|c: char| "`'\"“”‘’.,;:?!()".contains(c));
        let v = t
            .strip_prefix('$')?
            .trim_start_matches('{')
            .trim_end_matches('}');
        is_ident(v).then_some(v)
    })
}

/// The variable a request names: `$HOME` or `${HOME}`, the word after "variable" ("the
/// variable PATH", "a variable named count"), an upper-case word before it ("the EDITOR
/// environment variable"), a quoted name, or an upper-case name anywhere.
fn var_name(req: &str, sl: &Slots) -> Option<String> {
    if let Some(v) = dollar_names(req).next() {
        return Some(v.to_string());
    }
    let typed: Vec<&str> = req
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let is_var = |w: &str| VARIABLE.contains(&fold(w).as_str()) || fold(w) == "variables";
    for (i, w) in typed.iter().enumerate() {
        if !is_var(w) {
            continue;
        }
        // "variable PATH", "variable named count", "variable called x"
        let mut j = i + 1;
        if typed
            .get(j)
            .is_some_and(|n| ["named", "called", "nommee", "llamada"].contains(n))
        {
            j += 1;
            if let Some(n) = typed.get(j).filter(|n| is_ident(n)) {
                return Some(n.to_string());
            }
        }
        // an upper-case name, or any name ending the request ("of variable foo.")
        if let Some(n) = typed
            .get(j)
            .filter(|n| is_upper_name(n) || is_ident(n) && j + 1 == typed.len())
        {
            return Some(n.to_string());
        }
        // "the EDITOR (environment) variable"
        for back in [1, 2] {
            if let Some(p) = i.checked_sub(back).and_then(|k| typed.get(k))
                && is_upper_name(p)
            {
                return Some(p.to_string());
            }
        }
    }
    sl.quoted
        .iter()
        .find(|q| is_ident(q))
        .cloned()
        // "la variable de entorno HOME"
        .or_else(|| {
            typed
                .iter()
                .find(|w| is_upper_name(w))
                .map(|w| w.to_string())
        })
}

/// The hash tool a request names, by its algorithm.
fn hash_tool(r: &Req) -> Option<&'static str> {
    [
        (&["md5", "md5sum"][..], "md5sum"),
        (&["sha1", "sha1sum"], "sha1sum"),
        (&["sha224", "sha224sum"], "sha224sum"),
        (&["sha256", "sha256sum"], "sha256sum"),
        (&["sha384", "sha384sum"], "sha384sum"),
        (&["sha512", "sha512sum"], "sha512sum"),
        (&["blake2", "b2sum"], "b2sum"),
        (&["blake3", "b3sum"], "b3sum"),
    ]
    .into_iter()
    .find(|(ws, _)| r.has(ws))
    .map(|(_, t)| t)
}

/// Candidates for the shell's values and for checksums checked against a known value.
pub fn matches(req: &str, sl: &Slots, ctx: &Context) -> Vec<Candidate> {
    let r = Req::new(req);
    let raw = fold(req);
    let mut out = Vec::new();
    special_parameters(&r, &raw, sl, ctx, &mut out);
    variables(&r, req, &raw, sl, &mut out);
    checksum(&r, req, sl, ctx, &mut out);
    out
}

/// The words of a request for a variable's value and nothing else.
const VALUE_WORDS: &[&str] = &[
    "print",
    "show",
    "display",
    "echo",
    "output",
    "what",
    "whats",
    "is",
    "the",
    "a",
    "of",
    "value",
    "variable",
    "var",
    "environment",
    "env",
    "shell",
    "current",
    "contents",
    "content",
    "me",
    "please",
    "muestra",
    "mostrar",
    "imprime",
    "el",
    "la",
    "de",
    "del",
    "valor",
    "entorno",
    "contenido",
    "affiche",
    "afficher",
    "le",
    "du",
    "valeur",
    "environnement",
    "contenu",
];

/// `$?`, `$#`, `$$`, `$!` and `$RANDOM`.
fn special_parameters(r: &Req, raw: &str, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    let last = r.has(&[
        "last",
        "previous",
        "preceding",
        "ultimo",
        "anterior",
        "dernier",
        "precedent",
    ]);
    let command = r.has(&[
        "command",
        "comando",
        "commande",
        "program",
        "programa",
        "programme",
    ]);
    if (r.has(&["exit", "return"]) && r.has(&["status", "code", "value"])
        || raw.contains("codigo de salida")
        || raw.contains("estado de salida")
        || raw.contains("code de retour")
        || raw.contains("code de sortie"))
        && last
        && command
    {
        cand(
            out,
            "exit-status",
            0.97,
            "the exit status of the last command",
            &["echo $?".into()],
        );
    }
    if r.has(&["pid", "id"])
        && r.has(&["background", "segundo", "arriere"])
        && last
        && !r.has(&["kill", "wait", "stop"])
    {
        cand(
            out,
            "last-background-pid",
            0.97,
            "the PID of the last command started in the background",
            &["echo $!".into()],
        );
    }
    if [
        "pid of",
        "process id of",
        "id of the shell",
        "shell's pid",
        "shell pid",
        "pid del shell",
        "pid du shell",
    ]
    .iter()
    .any(|p| raw.contains(p))
        && r.has(&["shell"])
        && r.has(&["current", "this", "running", "own", "actual", "courant"])
        && !r.has(&["parent", "kill", "background", "using"])
    {
        cand(
            out,
            "shell-pid",
            0.95,
            "the PID of this shell",
            &["echo $$".into()],
        );
    }
    if [
        "number of arg",
        "how many arg",
        "count of arg",
        "count the arg",
        "number of param",
        "how many param",
        "numero de argumentos",
        "cuantos argumentos",
        "nombre d'arguments",
        "combien d'arguments",
    ]
    .iter()
    .any(|p| raw.contains(p))
        && !r.has(&[
            "file", "files", "fichero", "archivo", "fichier", "process", "command",
        ])
        && r.len <= 10
    {
        cand(
            out,
            "argument-count",
            0.95,
            "the number of arguments of the script or function",
            &["echo $#".into()],
        );
    }
    if r.has(&["random", "aleatorio", "aleatoire", "azar"])
        && r.has(&["number", "integer", "numero", "entero", "nombre", "entier"])
        && !r.has(&[
            "file",
            "files",
            "password",
            "string",
            "name",
            "line",
            "lines",
            "byte",
            "bytes",
            "character",
            "characters",
            "sort",
            "shuffle",
        ])
        && r.len <= 12
    {
        let shuf = usable(ctx, "shuf");
        let mut cmds = Vec::new();
        match sl.numbers[..] {
            [a, b, ..] if a < b => {
                if shuf {
                    cmds.push(format!("shuf -i {a}-{b} -n 1"));
                }
                cmds.push(format!("echo $(( RANDOM % {} + {a} ))", b - a + 1));
            }
            [n] if n > 0 && r.has(&["up", "below", "under", "than", "max", "maximum", "to"]) => {
                if shuf {
                    cmds.push(format!("shuf -i 1-{n} -n 1"));
                }
                cmds.push(format!("echo $(( RANDOM % {n} + 1 ))"));
            }
            _ => {
                cmds.push("echo $RANDOM".into());
                if shuf {
                    cmds.push("shuf -i 1-100 -n 1".into());
                }
            }
        }
        cand(out, "random-number", 0.95, "a random number", &cmds);
    }
}

/// Expansions of a named variable (or array): its value, length, default, slice, case and
/// replacements.
fn variables(r: &Req, req: &str, raw: &str, sl: &Slots, out: &mut Vec<Candidate>) {
    let array = r.has(&["array", "arreglo", "tableau"]);
    let dollar = dollar_names(req).next().is_some();
    let named = r.has(VARIABLE) || r.has(&["variables"]);
    // setting a variable ("set variable b to …", "save … in variable x") is not reading one
    // nor is reading input into one ("read … into variable VAR")
    let assigning = r.has(&[
        "save", "store", "assign", "export", "declare", "guarda", "asigna", "read",
    ]) || raw.trim_start().starts_with("set ");
    // a long request mentions a variable on the way to something else
    if !(named || array || dollar) || assigning || r.len > 12 {
        return;
    }
    let v = var_name(req, sl).unwrap_or_else(|| if array { "ARRAY" } else { "VARIABLE" }.into());
    let length = (r.has(&["length", "longitud", "longueur"])
        || [
            "how long",
            "how many characters",
            "number of characters",
            "count of characters",
        ]
        .iter()
        .any(|p| raw.contains(p)))
        // "test if a variable is empty (zero length)" is a test, not a length
        && !r.has(&["file", "files", "line", "lines", "empty", "zero", "test", "if"]);
    if array {
        if length || r.has(&["count", "number"]) && r.has(&["element", "elements", "item", "items"])
        {
            cand(
                out,
                "array-length",
                0.95,
                "the number of elements of an array",
                &[format!("echo \"${{#{v}[@]}}\"")],
            );
        } else if r.has(&[
            "print", "show", "display", "echo", "list", "all", "element", "elements", "out",
        ]) && r.len <= 10
        {
            cand(
                out,
                "array",
                0.95,
                "every element of an array",
                &[format!("echo \"${{{v}[@]}}\"")],
            );
        }
        return;
    }
    // "the last 3 characters of variable foo", "the first 5 characters of $name"
    if r.has(&[
        "character",
        "characters",
        "caracter",
        "caracteres",
        "caractere",
        "char",
        "chars",
    ]) && let [n] = sl.numbers[..]
    {
        let part = if r.has(&["last", "ultimo", "ultimos", "dernier", "derniers"]) {
            Some(format!("echo \"${{{v}: -{n}}}\""))
        } else if r.has(&["first", "primero", "primeros", "premier", "premiers"]) {
            Some(format!("echo \"${{{v}:0:{n}}}\""))
        } else {
            None
        };
        if let Some(cmd) = part {
            cand(
                out,
                "variable-slice",
                0.95,
                "part of a variable's value",
                &[cmd],
            );
            return;
        }
    }
    if r.has(&["substring", "slice", "subcadena", "sous-chaine"])
        || r.has(&["part"]) && r.has(&["string"])
    {
        let (o, l) = match sl.numbers[..] {
            [a, b, ..] => (a.to_string(), b.to_string()),
            [a] => (a.to_string(), "LENGTH".into()),
            [] => ("OFFSET".into(), "LENGTH".into()),
        };
        cand(
            out,
            "variable-slice",
            0.95,
            "part of a variable's value: from an offset, a length",
            &[format!("echo \"${{{v}:{o}:{l}}}\"")],
        );
        return;
    }
    if length && r.len <= 12 {
        cand(
            out,
            "variable-length",
            0.97,
            "the length of a variable's value in characters",
            &[format!("echo \"${{#{v}}}\"")],
        );
        return;
    }
    if named
        && r.has(&["default", "defecto", "defaut", "fallback"])
        && r.has(&[
            "unset",
            "empty",
            "undefined",
            "set",
            "defined",
            "exist",
            "exists",
            "vacia",
            "vide",
            "definida",
            "definie",
        ])
    {
        let d = sl
            .quoted
            .iter()
            .find(|q| **q != v && !q.starts_with('$'))
            .map(|q| quote(q))
            .unwrap_or_else(|| "default".into());
        cand(
            out,
            "variable-default",
            0.97,
            "a variable's value, or a default when it is unset or empty",
            &[format!("echo \"${{{v}:-{d}}}\"")],
        );
        return;
    }
    if named && r.has(&["uppercase", "upper", "mayusculas", "majuscules", "capital"]) && r.len <= 10
    {
        cand(
            out,
            "variable-upper",
            0.95,
            "a variable's value in upper case",
            &[
                format!("echo \"${{{v}^^}}\""),
                format!("echo \"${v}\" | tr '[:lower:]' '[:upper:]'"),
            ],
        );
        return;
    }
    if named && r.has(&["lowercase", "lower", "minusculas", "minuscules"]) && r.len <= 10 {
        cand(
            out,
            "variable-lower",
            0.95,
            "a variable's value in lower case",
            &[
                format!("echo \"${{{v},,}}\""),
                format!("echo \"${v}\" | tr '[:upper:]' '[:lower:]'"),
            ],
        );
        return;
    }
    if named
        && r.has(&[
            "replace",
            "substitute",
            "reemplaza",
            "reemplazar",
            "remplace",
            "remplacer",
        ])
    {
        let qs: Vec<&String> = sl.quoted.iter().filter(|q| **q != v).collect();
        if let [a, b, ..] = qs[..] {
            let esc = |s: &str| s.replace('/', "\\/");
            cand(
                out,
                "variable-replace",
                0.97,
                "a variable's value with every match replaced",
                &[format!("echo \"${{{v}//{}/{}}}\"", esc(a), esc(b))],
            );
        }
        return;
    }
    // "print the PATH variable", "show the value of $HOME": nothing but the value is asked
    // ("print variable $x in columns", "print $x 3 times" ask for more)
    let only_value = {
        let unquoted: String = req
            .split(['\'', '"', '`'])
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ");
        unquoted
            .split(|c: char| !(c.is_alphanumeric() || c == '$' || c == '_'))
            .filter(|w| !w.is_empty() && !w.starts_with('$') && !w.eq_ignore_ascii_case(&v))
            .all(|w| VALUE_WORDS.contains(&fold(w).as_str()))
    };
    if r.has(&[
        "print", "show", "display", "echo", "value", "what", "muestra", "mostrar", "imprime",
        "affiche", "afficher", "valor", "valeur",
    ]) && only_value
        && (named || dollar_names(req).count() == 1)
    {
        let mut cmds = vec![format!("echo \"${v}\"")];
        if r.has(&["environment", "entorno", "environnement", "env"]) {
            cmds.push(format!("printenv {v}"));
        }
        cand(out, "variable", 0.95, "a variable's value", &cmds);
    }
}

/// `echo 'CHECKSUM  FILE' | sha256sum -c` for a file checked against a known checksum, and
/// `sha256sum -c SUMS` for a file of checksums.
fn checksum(r: &Req, req: &str, sl: &Slots, ctx: &Context, out: &mut Vec<Candidate>) {
    if !r.has(&[
        "check",
        "verify",
        "validate",
        "compare",
        "comprueba",
        "comprobar",
        "verifica",
        "verificar",
        "verifie",
        "verifier",
    ]) {
        return;
    }
    let Some(tool) = hash_tool(r).or_else(|| {
        r.has(&["checksum", "checksums", "hash", "digest"])
            .then_some("sha256sum")
    }) else {
        return;
    };
    if !usable(ctx, tool) {
        return;
    }
    let file = sl
        .paths
        .first()
        .or(sl.cwd_files.first())
        .cloned()
        .unwrap_or_else(|| "FILE".into());
    // a checksum written in the request: 32 or more hex digits
    let given = req
        .split(|c: char| !c.is_ascii_hexdigit())
        .find(|w| w.len() >= 32)
        .map(str::to_string);
    let known = given.is_some()
        || r.has(&[
            "known", "expected", "against", "conocida", "esperada", "connue", "attendue",
        ]);
    let list = r.has(&["list", "file", "lista", "fichier", "archivo", "fichero"])
        && r.has(&["checksums", "sums", "hashes"]);
    if known {
        let sum = given.unwrap_or_else(|| "CHECKSUM".into());
        cand(
            out,
            "checksum-check",
            0.97,
            "check a file against a known checksum",
            // `sha256sum -c` reads "SUM  FILE" lines; the line is one quoted argument
            &[format!(
                "echo {} | {tool} -c",
                quote(&format!("{sum}  {file}"))
            )],
        );
    } else if list {
        cand(
            out,
            "checksum-list",
            0.95,
            "check the files listed in a checksum file",
            &[format!("{tool} -c {}", quote(&file))],
        );
    }
}

/// Where a request's input comes from, when it says it is standard input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Feed {
    /// A text, a message, a password or a value: `echo 'TEXT' | tool`.
    Text,
    /// Anything else (a document, a data file, an image): `cat FILE | tool`.
    File,
}

/// Words for standard input.
const STDIN: &[&str] = &[
    "stdin",
    "standard input",
    "entrada estandar",
    "entree standard",
];
/// Phrases about standard input itself rather than input read from it.
const ABOUT_STDIN: &[&str] = &[
    "redirect",
    "forward",
    "buffer",
    "connect",
    "to stdin",
    "to the stdin",
    "to standard input",
    "stdin is",
    "standard input is",
    "close",
    "attach",
    "tty",
    "terminal",
    "redirige",
    "redirigir",
    "rediriger",
    "redireccion",
    "redirects",
    "redirecting",
    "redirection",
    "forwards",
    "forwarding",
    "buffered",
    "buffering",
    "connects",
    "connecting",
    "closes",
    "closing",
    "attaches",
];
/// What is read when it is a text: what `echo` gives.
const TEXT: &[&str] = &[
    "text",
    "string",
    "message",
    "password",
    "passphrase",
    "secret",
    "value",
    "values",
    "command",
    "commands",
    "code",
    "expression",
    "input",
    "id",
    "ids",
    "character",
    "characters",
    "credential",
    "credentials",
    "url",
    "urls",
    "domain",
    "texto",
    "cadena",
    "mensaje",
    "contrasena",
    "valor",
    "comando",
    "codigo",
    "expresion",
    "texte",
    "chaine",
    "mot",
    "valeur",
    "commande",
];

/// What is read when it is a document: what `cat` gives.
const DOCUMENT: &[&str] = &[
    "file",
    "files",
    "document",
    "json",
    "xml",
    "csv",
    "yaml",
    "html",
    "image",
    "data",
    "archive",
    "fichero",
    "archivo",
    "documento",
    "datos",
    "fichier",
    "donnees",
];

/// Whether the request reads its input from standard input, and what that input is.
pub fn feed(req: &str) -> Option<Feed> {
    // the words, one space apart, so that phrases match whole words ("tty" is not "pretty")
    let raw = fold(req)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let raw = format!(" {raw} ");
    let has = |w: &&str| raw.contains(&format!(" {w} "));
    if !STDIN.iter().any(has) || ABOUT_STDIN.iter().any(has) {
        return None;
    }
    let r = Req::new(&raw);
    // a document read from stdin is a file's contents, whatever it holds
    Some(if r.has(DOCUMENT) || !r.has(TEXT) {
        Feed::File
    } else {
        Feed::Text
    })
}

/// Tools nothing is piped into: those that produce input rather than read it, and `read`,
/// which reads the terminal into a variable of this shell (piped, it would set it in a
/// subshell).
pub const PRODUCERS: &[&str] = &[
    "cat", "echo", "printf", "tee", "xargs", "mkfifo", "yes", "read",
];

/// `cmd` fed with the request's input.
pub fn fed(feed: Feed, cmd: &str, sl: &Slots) -> String {
    match feed {
        Feed::Text => {
            let text = sl
                .quoted
                .first()
                .map(|q| quote(q))
                .unwrap_or_else(|| "'TEXT'".into());
            format!("echo {text} | {cmd}")
        }
        Feed::File => {
            let file = sl
                .paths
                .first()
                .or(sl.cwd_files.first())
                .map(|p| quote(p))
                .unwrap_or_else(|| "FILE".into());
            format!("cat {file} | {cmd}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> Context {
        Context::default()
    }

    fn first(req: &str) -> Option<String> {
        let sl = super::super::slots::extract(req, &ctx());
        matches(req, &sl, &ctx()).first().map(|c| c.command.clone())
    }

    #[test]
    fn special_parameters() {
        assert_eq!(
            first("print the exit status of the last command").as_deref(),
            Some("echo $?")
        );
        assert_eq!(
            first("muestra el código de salida del último comando").as_deref(),
            Some("echo $?")
        );
        assert_eq!(
            first("PID of the last command run in the background").as_deref(),
            Some("echo $!")
        );
        assert_eq!(
            first("what is the PID of the current shell").as_deref(),
            Some("echo $$")
        );
        assert_eq!(
            first("how many arguments were passed").as_deref(),
            Some("echo $#")
        );
        assert_eq!(
            first("a random number between 1 and 6").as_deref(),
            Some("shuf -i 1-6 -n 1")
        );
        assert_eq!(
            first("print a random number").as_deref(),
            Some("echo $RANDOM")
        );
        // not a number but a file name or a password
        assert_eq!(first("create a file with a random name"), None);
        assert_eq!(first("generate a random password of 16 characters"), None);
        // killing the background job is not printing its PID
        assert_eq!(first("kill the last background process"), None);
    }

    #[test]
    fn variables_and_their_expansions() {
        assert_eq!(
            first("print the PATH variable").as_deref(),
            Some("echo \"$PATH\"")
        );
        assert_eq!(
            first("show the value of $HOME").as_deref(),
            Some("echo \"$HOME\"")
        );
        assert_eq!(
            first("length of the variable named greeting").as_deref(),
            Some("echo \"${#greeting}\"")
        );
        assert_eq!(
            first("use 'vi' as the default value when the EDITOR variable is unset").as_deref(),
            Some("echo \"${EDITOR:-vi}\"")
        );
        assert_eq!(
            first("substring of variable $name from 2, 5 characters long").as_deref(),
            Some("echo \"${name:2:5}\"")
        );
        assert_eq!(
            first("Display the last 3 characters of variable foo.").as_deref(),
            Some("echo \"${foo: -3}\"")
        );
        assert_eq!(first("print argument \"$1\" \"$n\" times"), None);
        assert_eq!(first("print the first line of $file"), None);
        assert_eq!(
            first("print variable \"$module\" in formatted columns"),
            None
        );
        assert_eq!(
            first("muestra el valor de la variable de entorno HOME").as_deref(),
            Some("echo \"$HOME\"")
        );
        assert_eq!(
            first("slice of the variable $name from 2 taking 5").as_deref(),
            Some("echo \"${name:2:5}\"")
        );
        assert_eq!(
            first("print variable $msg in uppercase").as_deref(),
            Some("echo \"${msg^^}\"")
        );
        assert_eq!(
            first("replace 'a' with 'b' in the variable $s").as_deref(),
            Some("echo \"${s//a/b}\"")
        );
        assert_eq!(
            first("print all elements of the array $files").as_deref(),
            Some("echo \"${files[@]}\"")
        );
        assert_eq!(
            first("number of elements in the array $files").as_deref(),
            Some("echo \"${#files[@]}\"")
        );
        // a variable mentioned as the place to save something: not printing it
        assert_eq!(first("save the output of date to variable now"), None);
        // all the variables: that is `env`/`printenv`, not one value
        assert_eq!(first("show all environment variables"), None);
    }

    #[test]
    fn checksums_against_a_known_value() {
        assert_eq!(
            first("check a known SHA256 checksum of a file").as_deref(),
            Some("echo 'CHECKSUM  FILE' | sha256sum -c")
        );
        let h = "d41d8cd98f00b204e9800998ecf8427e";
        assert_eq!(
            first(&format!("verify that /tmp/x.iso has md5 {h}")).as_deref(),
            Some(format!("echo '{h}  /tmp/x.iso' | md5sum -c").as_str())
        );
        assert_eq!(
            first("verify the files listed in a sha512 checksums file").as_deref(),
            Some("sha512sum -c FILE")
        );
        // computing a checksum is not checking one
        assert_eq!(first("sha256 checksum of a file"), None);
    }

    #[test]
    fn input_from_standard_input() {
        assert_eq!(feed("Encrypt text from `stdin`"), Some(Feed::Text));
        assert_eq!(
            feed("Log into a registry with password from stdin"),
            Some(Feed::Text)
        );
        assert_eq!(feed("Pretty-print JSON from `stdin`"), Some(Feed::File));
        assert_eq!(
            feed("Read JSON from `stdin` and run a JSONPath expression"),
            Some(Feed::File)
        );
        assert_eq!(
            feed("Pretty-print data from `stdin` to `stdout`"),
            Some(Feed::File)
        );
        assert_eq!(
            feed("Convert a graph using `stdin` and `stdout`"),
            Some(Feed::File)
        );
        assert_eq!(
            feed("Lee el texto de la entrada estándar"),
            Some(Feed::Text)
        );
        // about standard input itself
        assert_eq!(
            feed("Redirect `stdin` from `/dev/null` on a remote host"),
            None
        );
        assert_eq!(
            feed("Forward `stdin`/`stdout` to the local system bus"),
            None
        );
        assert_eq!(feed("Run the command only if stdin is not empty"), None);
        assert_eq!(feed("compress a file"), None);
        let sl = super::super::slots::extract("read 'hello' from stdin", &ctx());
        assert_eq!(fed(Feed::Text, "rev", &sl), "echo hello | rev");
        let sl = super::super::slots::extract("read /tmp/a.json from stdin", &ctx());
        assert_eq!(fed(Feed::File, "jq .", &sl), "cat /tmp/a.json | jq .");
    }
}
