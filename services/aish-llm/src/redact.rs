//! Privacy: secrets are redacted before text leaves for a remote provider.
//!
//! The patterns are questlogd's (`services/questlogd/src/redact.rs`), copied
//! because that module lives inside the questlogd daemon crate and depends on
//! its config; moving them to `ainux-common` would let both share one copy.

use regex::Regex;

const PATTERNS: &[(&str, &str)] = &[
    (
        r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----.*?(-----END [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----|\z)",
        "[private key redacted]",
    ),
    (
        r"(?i)\b([a-z][a-z0-9+.\-]*://[^/\s:@]*:)[^@\s/]+@",
        "${1}***@",
    ),
    (
        r#"(?i)((?:proxy-)?authorization:\s*(?:bearer|basic|token|digest|negotiate)?\s*)[^\s'"]+"#,
        "${1}***",
    ),
    (
        r#"(?i)\b((?:x-api-key|api-key|private-token|x-auth-token|cookie):\s*)[^'"]+"#,
        "${1}***",
    ),
    (
        r#"(?i)(\s--?(?:password|passwd|pass|pwd|secret|client-secret|token|auth-token|access-token|api-key|apikey|access-key|secret-key)(?:=|\s+))(?:'[^']*'|"[^"]*"|\S+)"#,
        "${1}***",
    ),
    (
        r#"(?i)\b([A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY)[A-Z0-9_]*=)(?:'[^']*'|"[^"]*"|\S+)"#,
        "${1}***",
    ),
    (r"(\bmysql(?:dump|admin)?\b[^|;&\n]*?\s-p)[^\s]+", "${1}***"),
    (r"(\bsshpass\s+-p\s*)\S+", "${1}***"),
    (
        r#"(\s(?:-u|--user|--proxy-user)\s*['"]?[^:\s'"]+:)[^\s'"]+"#,
        "${1}***",
    ),
    (r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b", "***"),
    (
        r"(?i)(aws_secret_access_key\s*[=:]\s*)[A-Za-z0-9/+=]{20,}",
        "${1}***",
    ),
    (r"\bgh[pousr]_[A-Za-z0-9]{30,255}\b", "***"),
    (r"\bgithub_pat_[A-Za-z0-9_]{22,255}\b", "***"),
    (r"\bgl(?:pat|dt|rt|ptt|cbt|oas)-[A-Za-z0-9_\-]{20,}", "***"),
    (r"\bxox[abposr]-[A-Za-z0-9\-]{10,}", "***"),
    // Provider keys themselves.
    (r"\bsk-(?:ant-)?[A-Za-z0-9_\-]{20,}", "***"),
    (r"\bAIza[0-9A-Za-z_\-]{35}\b", "***"),
];

#[derive(Debug, Clone)]
pub struct Redactor {
    rules: Vec<(Regex, &'static str)>,
    user: Option<(String, String)>,
}

impl Redactor {
    /// `user`: (user name, home directory) to hide too, when configured.
    pub fn new(user: Option<(String, String)>) -> Redactor {
        let rules = PATTERNS
            .iter()
            .map(|(re, rep)| (Regex::new(re).expect("built-in pattern compiles"), *rep))
            .collect();
        Redactor {
            rules,
            user: user.filter(|(n, h)| !n.is_empty() && !h.is_empty()),
        }
    }

    pub fn redact(&self, text: &str) -> String {
        let mut cur = text.to_string();
        for (re, rep) in &self.rules {
            if re.is_match(&cur) {
                cur = re.replace_all(&cur, *rep).into_owned();
            }
        }
        if let Some((name, home)) = &self.user {
            cur = cur.replace(home.as_str(), "~");
            let re = Regex::new(&format!(r"\b{}\b", regex::escape(name))).expect("escaped name");
            cur = re.replace_all(&cur, "USER").into_owned();
        }
        cur
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        let r = Redactor::new(None);
        let out = r.redact("curl -H 'Authorization: Bearer abc123' https://u:hunter2@h/x; export GITHUB_TOKEN=ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa --password s3cret");
        assert!(!out.contains("abc123"), "{out}");
        assert!(!out.contains("hunter2"), "{out}");
        assert!(!out.contains("ghp_a"), "{out}");
        assert!(!out.contains("s3cret"), "{out}");
        assert!(
            r.redact("key sk-ant-abcdefghijklmnopqrstuvwxyz")
                .ends_with("***")
        );
        assert_eq!(r.redact("list files in /tmp"), "list files in /tmp");
    }

    #[test]
    fn user_and_home_are_redacted_when_asked() {
        let r = Redactor::new(Some(("alice".into(), "/home/alice".into())));
        assert_eq!(
            r.redact("find /home/alice/docs owned by alice, not malice"),
            "find ~/docs owned by USER, not malice"
        );
    }
}
