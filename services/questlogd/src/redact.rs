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

/// Built-in patterns: (regex, replacement), shared with every ainux component.
pub const DEFAULT_PATTERNS: &[(&str, &str)] = ainux_common::secrets::SECRET_PATTERNS;

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
