//! The secrets every ainux component redacts before storing or sending text (questlogd before
//! it stores a command, aish before a request leaves for a remote provider). Regex sources only,
//! so each user compiles them with its own engine and options.

/// Built-in secret patterns: (regex, replacement). `${1}` keeps the part before the secret.
pub const SECRET_PATTERNS: &[(&str, &str)] = &[
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

#[cfg(test)]
mod tests {
    #[test]
    fn patterns_are_paired_and_non_empty() {
        assert!(super::SECRET_PATTERNS.len() >= 10);
        for (re, rep) in super::SECRET_PATTERNS {
            assert!(!re.is_empty() && !rep.is_empty());
        }
    }
}
