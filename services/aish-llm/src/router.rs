//! Routing: simple requests go to a cheap model, complex ones to an advanced
//! model.
//!
//! Complexity score (integer, documented here and in the config docs):
//! - +1 per 12 words of request (rounded down);
//! - +2 per step connective: "then", "and then", "after that", "afterwards", ";"
//! - +2 per condition or loop word: "if", "unless", "except", "for each",
//!   "every", "each", "while", "until", "only"
//! - +1 per pipeline/scripting term: "pipe", "|", "recursively", "regex",
//!   "sort", "count", "replace", "between", "older than", "newer than",
//!   "larger than", "smaller than"
//!
//! A score at or above `threshold` (default 4) is complex.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Simple,
    Complex,
}

const STEPS: &[&str] = &["then", "after that", "afterwards"];
const CONDS: &[&str] = &[
    "if", "unless", "except", "for each", "every", "each", "while", "until", "only",
];
const TERMS: &[&str] = &[
    "pipe",
    "recursively",
    "regex",
    "sort",
    "count",
    "replace",
    "between",
    "older than",
    "newer than",
    "larger than",
    "smaller than",
];

fn count_phrase(words: &[String], phrase: &str) -> u32 {
    let p: Vec<&str> = phrase.split(' ').collect();
    if p.len() > words.len() {
        return 0;
    }
    words
        .windows(p.len())
        .filter(|w| w.iter().zip(&p).all(|(a, b)| a == b))
        .count() as u32
}

pub fn complexity(request: &str) -> u32 {
    let words: Vec<String> = request
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let mut score = words.len() as u32 / 12;
    score += 2 * STEPS.iter().map(|p| count_phrase(&words, p)).sum::<u32>();
    score += 2 * request.matches(';').count() as u32;
    score += 2 * CONDS.iter().map(|p| count_phrase(&words, p)).sum::<u32>();
    score += TERMS.iter().map(|p| count_phrase(&words, p)).sum::<u32>();
    score += request.matches('|').count() as u32;
    score
}

pub fn tier(request: &str, threshold: u32) -> Tier {
    if complexity(request) >= threshold {
        Tier::Complex
    } else {
        Tier::Simple
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_requests_score_low() {
        assert_eq!(complexity("list files"), 0);
        assert_eq!(complexity("show disk usage"), 0);
        assert_eq!(tier("install htop", 4), Tier::Simple);
    }

    #[test]
    fn multi_step_conditional_requests_score_high() {
        let r = "find every log file older than 7 days recursively, compress each one, then delete the originals";
        assert!(complexity(r) >= 4, "{}", complexity(r));
        assert_eq!(tier(r, 4), Tier::Complex);
    }

    #[test]
    fn words_inside_other_words_do_not_count() {
        assert_eq!(complexity("show the thenardite sorting"), 0);
    }
}
