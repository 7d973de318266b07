//! Text from a provider is stripped of ANSI escapes and control characters
//! before anyone prints or runs it.

/// Removes CSI/OSC/other escape sequences and C0/C1 controls (tab and newline
/// are kept).
pub fn strip_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\u{1b}' => match it.peek() {
                Some('[') => {
                    it.next();
                    // CSI: parameters and intermediates, then one final byte.
                    for c in it.by_ref() {
                        if ('\u{40}'..='\u{7e}').contains(&c) {
                            break;
                        }
                    }
                }
                Some(']') | Some('P') | Some('_') | Some('^') => {
                    it.next();
                    // OSC/DCS/APC/PM: up to BEL or ST (ESC \).
                    while let Some(c) = it.next() {
                        if c == '\u{7}' {
                            break;
                        }
                        if c == '\u{1b}' && it.peek() == Some(&'\\') {
                            it.next();
                            break;
                        }
                    }
                }
                Some(_) => {
                    it.next();
                }
                None => {}
            },
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            // Bidi overrides can make a command read differently from what runs.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_csi_osc_and_controls() {
        assert_eq!(strip_controls("\u{1b}[31mls -la\u{1b}[0m"), "ls -la");
        assert_eq!(strip_controls("\u{1b}]0;evil title\u{7}echo hi"), "echo hi");
        assert_eq!(strip_controls("a\u{1b}]8;;x\u{1b}\\b"), "ab");
        assert_eq!(strip_controls("rm\u{8}\u{8}ls\r\n"), "rmls\n");
        assert_eq!(strip_controls("x\u{9b}y\u{202e}z"), "xyz");
        assert_eq!(strip_controls("plain\ttext"), "plain\ttext");
    }
}
