//! Secrets are redacted before anything is stored.

use crate::config::{Pattern, Redaction};
use regex::{Regex, RegexSet};
use std::borrow::Cow;

#[derive(Debug, thiserror::Error)]
#[error("redaction pattern {index} ({pattern:?}) is invalid")]
pub struct PatternError {
    pub index: usize,
    pub pattern: String,
    #[source]
    pub source: regex::Error,
}

/// Built-in patterns: (regex, replacement).
pub const DEFAULT_PATTERNS: &[(&str, &str)] = &[
    // Private key blocks (also an unterminated one, to the end of the text).
    (
        r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
        "[private key redacted]",
    ),
    // Credentials in URLs: scheme://user:secret@host
    (
        r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@",
        "${1}***@",
    ),
    // Authorization / proxy-authorization headers.
    (
        r#"(?i)((?:proxy-)?authorization:\s*(?:bearer|basic|token|digest|negotiate)?\s*)[^\s'"]+"#,
        "${1}***",
    ),
    // Token-ish headers: X-Api-Key: ..., PRIVATE-TOKEN: ...
    (
        r#"(?i)\b((?:x-api-key|api-key|private-token|x-auth-token|cookie):\s*)[^'"]+"#,
        "${1}***",
    ),
    // --password=x, --password x, --token x, --api-key=x, -password x ...
    (
        r#"(?i)(\s--?(?:password|passwd|pass|pwd|secret|client-secret|token|auth-token|access-token|api-key|apikey|access-key|secret-key)(?:=|\s+))(?:'[^']*'|"[^"]*"|\S+)"#,
        "${1}***",
    ),
    // PASSWORD=x, MY_API_KEY=x, export GITHUB_TOKEN=x
    (
        r#"(?i)\b([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*=)(?:'[^']*'|"[^"]*"|\S+)"#,
        "${1}***",
    ),
    // mysql -pSECRET, sshpass -p SECRET
    (r"(\bmysql(?:dump|admin)?\b[^|;&\n]*?\s-p)[^\s]+", "${1}***"),
    (r"(\bsshpass\s+-p\s*)\S+", "${1}***"),
    // curl -u user:secret, --user user:secret
    (
        r#"(\s(?:-u|--user|--proxy-user)\s*['"]?[^:\s'"]+:)[^\s'"]+"#,
        "${1}***",
    ),
    // AWS access key ids and secret keys.
    (r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b", "***"),
    (
        r"(?i)(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{20,}",
        "${1}***",
    ),
    // GitHub and GitLab tokens, Slack tokens.
    (r"\bgh[pousr]_[A-Za-z0-9]{30,255}\b", "***"),
    (r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b", "***"),
    (r"\bgl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_\-]{20,}", "***"),
    (r"\bxox[abposr]-[A-Za-z0-9\-]{10,}", "***"),
];

/// Compiled patterns.
#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Vec<(Regex, String)>,
    /// All patterns at once: one pass tells which (if any) can match.
    set: RegexSet,
}

impl Redactor {
    pub fn new(cfg: &Redaction) -> Result<Redactor, PatternError> {
        let mut rules = Vec::new();
        let builtin = DEFAULT_PATTERNS
            .iter()
            .filter(|_| cfg.defaults)
            .map(|(r, p)| Pattern {
                regex: (*r).into(),
                replace: (*p).into(),
            });
        for (index, p) in builtin.chain(cfg.patterns.iter().cloned()).enumerate() {
            let re = Regex::new(&p.regex).map_err(|source| PatternError {
                index,
                pattern: p.regex.clone(),
                source,
            })?;
            rules.push((re, p.replace));
        }
        let set = RegexSet::new(rules.iter().map(|(r, _)| r.as_str())).map_err(|source| {
            PatternError {
                index: 0,
                pattern: "(all patterns together)".into(),
                source,
            }
        })?;
        Ok(Redactor { rules, set })
    }

    /// Redacts `text`; the flag says whether anything was replaced.
    pub fn redact<'a>(&self, text: &'a str) -> (Cow<'a, str>, bool) {
        let mut cur: Cow<'a, str> = Cow::Borrowed(text);
        let mut changed = false;
        let hits = self.set.matches(text);
        if !hits.matched_any() {
            return (cur, false);
        }
        for (i, (re, rep)) in self.rules.iter().enumerate() {
            // Only rules that matched the original text are applied.
            if hits.matched(i) && re.is_match(&cur) {
                let next = re.replace_all(&cur, rep.as_str()).into_owned();
                if next != *cur {
                    changed = true;
                    cur = Cow::Owned(next);
                }
            }
        }
        (cur, changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r() -> Redactor {
        Redactor::new(&Redaction::default()).unwrap()
    }

    fn red(s: &str) -> String {
        r().redact(s).0.into_owned()
    }

    #[test]
    fn redacts_the_usual_secrets() {
        let cases = [
            ("mysql -u root -phunter2 db", "hunter2"),
            ("curl https://bob:s3cr3t@example.org/x", "s3cr3t"),
            (
                "curl -H 'Authorization: Bearer abc.def.ghi' https://x",
                "abc.def.ghi",
            ),
            ("tool --password=hunter2 --x", "hunter2"),
            ("tool --token hunter3", "hunter3"),
            ("export GITHUB_TOKEN=zzzzzz", "zzzzzz"),
            ("PGPASSWORD='p a s s' psql", "p a s s"),
            ("echo AKIAABCDEFGHIJKLMNOP", "AKIAABCDEFGHIJKLMNOP"),
            (
                "git clone https://ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/x",
                "ghp_abcdefghijklmnopqrstuvwxyz0123456789",
            ),
            (
                "glab auth --x glpat-abcdefghij0123456789",
                "glpat-abcdefghij0123456789",
            ),
            ("curl -u alice:wonderland http://x", "wonderland"),
            ("sshpass -p letmein ssh host", "letmein"),
            (
                "echo '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----' > k",
                "b3BlbnNzaC1rZXk",
            ),
        ];
        for (input, secret) in cases {
            let (out, changed) = r().redact(input);
            assert!(changed, "{input}");
            assert!(!out.contains(secret), "{input} -> {out}");
        }
    }

    #[test]
    fn leaves_ordinary_commands_alone() {
        for c in [
            "ls -la /tmp",
            "git commit -m 'fix passwords page'",
            "grep -r token src/",
            "curl https://example.org/path?q=1",
            "ssh -p 2222 host",
        ] {
            assert_eq!(red(c), c);
        }
    }

    #[test]
    fn custom_patterns_and_bad_pattern() {
        let cfg = Redaction {
            defaults: false,
            patterns: vec![Pattern {
                regex: r"secret-\d+".into(),
                replace: "<x>".into(),
            }],
        };
        let r = Redactor::new(&cfg).unwrap();
        assert_eq!(r.redact("a secret-42 b").0, "a <x> b");
        assert_eq!(r.redact("--password=x").0, "--password=x");
        let bad = Redaction {
            defaults: false,
            patterns: vec![Pattern {
                regex: "(".into(),
                replace: String::new(),
            }],
        };
        assert!(Redactor::new(&bad).is_err());
    }
}
