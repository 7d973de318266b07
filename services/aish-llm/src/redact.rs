//! Privacy: secrets are redacted before text leaves for a remote provider.
//!
//! The patterns are the shared ones of `ainux_common::secrets` (questlogd uses
//! the same), plus the providers' own key formats.

use regex::Regex;

/// Patterns for the providers' own keys, on top of the shared secret patterns.
const PROVIDER_KEY_PATTERNS: &[(&str, &str)] = &[
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
        let rules = ainux_common::secrets::SECRET_PATTERNS
            .iter()
            .chain(PROVIDER_KEY_PATTERNS)
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
