//! `aish --explain`: what each part of a command does, and its danger verdict.

use serde::Serialize;

use crate::danger::{self, Verdict};
use crate::nlc2cmd;
use crate::translate::Translator;

#[derive(Debug, Serialize)]
pub struct Part {
    pub utility: String,
    pub flags: Vec<String>,
    pub description: String,
}

#[derive(Debug, Serialize)]
pub struct Explanation {
    pub command: String,
    pub parts: Vec<Part>,
    pub verdict: Verdict,
}

pub fn explain(cmd: &str, tr: &Translator) -> Explanation {
    let parts = nlc2cmd::utilities(cmd)
        .into_iter()
        .map(|u| Part {
            description: tr
                .tool_summary(&u.name)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    "no description known (not in the vocabulary or the manual index)".into()
                }),
            flags: u.flags.into_iter().collect(),
            utility: u.name,
        })
        .collect();
    Explanation {
        command: cmd.to_string(),
        parts,
        verdict: danger::check(cmd),
    }
}

impl Explanation {
    pub fn render(&self) -> String {
        let mut s = format!("{}\n", self.command);
        for p in &self.parts {
            s.push_str(&format!("  {}: {}", p.utility, p.description));
            if !p.flags.is_empty() {
                s.push_str(&format!(" [flags: {}]", p.flags.join(" ")));
            }
            s.push('\n');
        }
        s.push_str(&format!("verdict: {}\n", self.verdict.level));
        for r in self.verdict.top_reasons() {
            s.push_str(&format!("  - {} [{}]: {}\n", r.part, r.rule, r.detail));
        }
        s
    }
}
