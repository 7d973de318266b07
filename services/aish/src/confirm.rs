//! The confirmation flow as a pure state machine: fed a proposed command with its verdict and
//! then the user's answers, it returns what to do (run, ask, refuse) as data. No IO.
//!
//! - The default answer is always abort (an empty answer, EOF or anything unrecognised).
//! - `moderate` asks y/N; `destructive` shows the explanation and wants `yes` typed out;
//!   `critical` wants a phrase typed exactly (the part of the command that is critical), and
//!   `--yes` never approves it.
//! - Modes: `safe` (only safe commands run unasked), `normal`, `paranoid` (everything asks).
//! - Deny patterns refuse outright; allow patterns skip the question for safe and moderate
//!   commands only.
//! - Remembered approvals (kept by aishd per user and command pattern) skip the question for a
//!   `destructive` command in `normal` mode only; never for `critical`, never in `safe` or
//!   `paranoid` mode, never past a deny pattern. Where remembering is offered, the destructive
//!   question also takes `always`: run it and remember the approval.

use serde::{Deserialize, Serialize};

use crate::danger::{Level, Verdict};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    Safe,
    #[default]
    Normal,
    Paranoid,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    pub mode: Mode,
    /// Command prefixes that run without a question when at most moderate.
    pub allow: Vec<String>,
    /// Command prefixes that are always refused.
    pub deny: Vec<String>,
    /// `--yes` given: approves moderate (and destructive in normal mode), never critical.
    pub assume_yes: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Question {
    /// `[y/N]`
    YesNo,
    /// Type `yes` in full after reading the explanation; `always` too when `remember` is
    /// offered (run, and remember the approval).
    Explicit { explanation: String, remember: bool },
    /// Type this phrase exactly.
    Phrase { phrase: String, explanation: String },
}

/// Why a command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum How {
    /// No question was needed.
    Unasked,
    /// The user approved it.
    Confirmed,
    /// The user approved it and asked for the approval to be remembered.
    ConfirmedRemember,
    /// A remembered approval covers it.
    Remembered,
}

/// What the caller knows about remembered approvals for one proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Memory {
    /// A remembered approval covers this command.
    pub covered: bool,
    /// An approval can be remembered (aishd is there to keep it).
    pub offer: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Effect {
    Run {
        command: String,
        how: How,
    },
    Ask {
        command: String,
        level: Level,
        question: Question,
    },
    Refuse {
        command: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Idle,
    Awaiting { command: String, question: Question },
}

#[derive(Debug, Clone)]
pub struct Confirm {
    policy: Policy,
    state: State,
}

fn matches_prefix(cmd: &str, pats: &[String]) -> Option<String> {
    let c = cmd.trim();
    pats.iter()
        .find(|p| {
            let p = p.trim();
            !p.is_empty() && (c == p || c.starts_with(&format!("{p} ")))
        })
        .cloned()
}

fn explanation(v: &Verdict) -> String {
    v.top_reasons()
        .map(|r| format!("{} [{}]: {}", r.part, r.rule, r.detail))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Confirm {
    pub fn new(policy: Policy) -> Confirm {
        Confirm {
            policy,
            state: State::Idle,
        }
    }

    /// A command is proposed for execution.
    pub fn propose(&mut self, command: &str, v: &Verdict) -> Effect {
        self.propose_with(command, v, Memory::default())
    }

    /// A command is proposed, with what is known of remembered approvals for it.
    pub fn propose_with(&mut self, command: &str, v: &Verdict, memory: Memory) -> Effect {
        let command = command.to_string();
        if let Some(p) = matches_prefix(&command, &self.policy.deny) {
            self.state = State::Idle;
            return Effect::Refuse {
                command,
                reason: format!("matches the deny pattern `{p}`"),
            };
        }
        let allowed = matches_prefix(&command, &self.policy.allow).is_some();
        let mode = self.policy.mode;
        let yes = self.policy.assume_yes;
        let question = match v.level {
            Level::Safe if mode != Mode::Paranoid || allowed => None,
            Level::Safe => Some(Question::YesNo),
            Level::Moderate if allowed && mode != Mode::Paranoid => None,
            Level::Moderate if yes && mode == Mode::Normal => None,
            Level::Moderate => Some(Question::YesNo),
            Level::Destructive if yes && mode == Mode::Normal => None,
            Level::Destructive if memory.covered && mode == Mode::Normal => {
                self.state = State::Idle;
                return Effect::Run {
                    command,
                    how: How::Remembered,
                };
            }
            Level::Destructive => Some(Question::Explicit {
                explanation: explanation(v),
                remember: memory.offer && mode == Mode::Normal,
            }),
            Level::Critical => {
                let phrase = v
                    .top_reasons()
                    .next()
                    .map(|r| r.part.clone())
                    .unwrap_or_else(|| command.clone());
                Some(Question::Phrase {
                    phrase,
                    explanation: explanation(v),
                })
            }
        };
        match question {
            None => {
                self.state = State::Idle;
                Effect::Run {
                    command,
                    how: How::Unasked,
                }
            }
            Some(q) => {
                self.state = State::Awaiting {
                    command: command.clone(),
                    question: q.clone(),
                };
                Effect::Ask {
                    command,
                    level: v.level,
                    question: q,
                }
            }
        }
    }

    /// The user's answer to the pending question; anything but the exact approval aborts.
    pub fn answer(&mut self, input: &str) -> Option<Effect> {
        let State::Awaiting { command, question } = std::mem::replace(&mut self.state, State::Idle)
        else {
            return None;
        };
        let a = input.trim();
        let how = match &question {
            Question::YesNo => {
                matches!(a.to_ascii_lowercase().as_str(), "y" | "yes").then_some(How::Confirmed)
            }
            Question::Explicit { remember, .. } => {
                if a.eq_ignore_ascii_case("yes") {
                    Some(How::Confirmed)
                } else if *remember && a.eq_ignore_ascii_case("always") {
                    Some(How::ConfirmedRemember)
                } else {
                    None
                }
            }
            Question::Phrase { phrase, .. } => (a == phrase.trim()).then_some(How::Confirmed),
        };
        Some(if let Some(how) = how {
            Effect::Run { command, how }
        } else {
            Effect::Refuse {
                command,
                reason: if a.is_empty() {
                    "no answer: the default is to abort".into()
                } else {
                    "not approved".into()
                },
            }
        })
    }

    /// Ctrl-C, EOF or a timeout while a question is pending.
    pub fn cancel(&mut self) -> Option<Effect> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Awaiting { command, .. } => Some(Effect::Refuse {
                command,
                reason: "cancelled".into(),
            }),
            State::Idle => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::danger::check;

    fn run(policy: Policy, cmd: &str, answer: Option<&str>) -> Effect {
        let mut c = Confirm::new(policy);
        let first = c.propose(cmd, &check(cmd));
        match (first, answer) {
            (e @ (Effect::Run { .. } | Effect::Refuse { .. }), _) => e,
            (Effect::Ask { .. }, Some(a)) => c.answer(a).expect("pending"),
            (e @ Effect::Ask { .. }, None) => e,
        }
    }

    fn ran(e: &Effect) -> bool {
        matches!(e, Effect::Run { .. })
    }

    #[test]
    fn safe_runs_unasked_in_normal_mode() {
        assert!(ran(&run(Policy::default(), "ls -la", None)));
    }

    #[test]
    fn default_answer_is_abort() {
        for cmd in ["mkdir x", "rm notes.txt", "rm -rf /"] {
            let e = run(Policy::default(), cmd, Some(""));
            assert!(matches!(e, Effect::Refuse { .. }), "{cmd}: {e:?}");
        }
        assert!(!ran(&run(Policy::default(), "mkdir x", Some("maybe"))));
    }

    #[test]
    fn moderate_asks_yes_no() {
        let mut c = Confirm::new(Policy::default());
        let e = c.propose("mkdir x", &check("mkdir x"));
        assert!(matches!(
            e,
            Effect::Ask {
                question: Question::YesNo,
                ..
            }
        ));
        assert!(ran(&c.answer("y").unwrap()));
    }

    #[test]
    fn destructive_wants_yes_in_full() {
        assert!(!ran(&run(Policy::default(), "rm notes.txt", Some("y"))));
        assert!(ran(&run(Policy::default(), "rm notes.txt", Some("yes"))));
    }

    #[test]
    fn critical_wants_the_phrase_and_yes_never_approves_it() {
        let yes = Policy {
            assume_yes: true,
            ..Policy::default()
        };
        let mut c = Confirm::new(yes.clone());
        let e = c.propose("rm -rf /", &check("rm -rf /"));
        let Effect::Ask {
            question: Question::Phrase { phrase, .. },
            ..
        } = e
        else {
            panic!("critical must ask for a phrase: {e:?}");
        };
        assert_eq!(phrase, "rm -rf /");
        assert!(!ran(&run(yes.clone(), "rm -rf /", Some("yes"))));
        assert!(!ran(&run(yes.clone(), "rm -rf /", Some("y"))));
        assert!(ran(&run(yes, "rm -rf /", Some("rm -rf /"))));
    }

    #[test]
    fn assume_yes_covers_moderate_and_destructive_in_normal_mode_only() {
        let yes = Policy {
            assume_yes: true,
            ..Policy::default()
        };
        assert!(ran(&run(yes.clone(), "mkdir x", None)));
        assert!(ran(&run(yes.clone(), "rm notes.txt", None)));
        let safe_yes = Policy {
            mode: Mode::Safe,
            ..yes
        };
        assert!(!ran(&run(safe_yes, "rm notes.txt", None)));
    }

    #[test]
    fn modes() {
        let paranoid = Policy {
            mode: Mode::Paranoid,
            ..Policy::default()
        };
        assert!(!ran(&run(paranoid.clone(), "ls", None)));
        assert!(ran(&run(paranoid, "ls", Some("y"))));
        let safe = Policy {
            mode: Mode::Safe,
            assume_yes: true,
            ..Policy::default()
        };
        assert!(ran(&run(safe.clone(), "ls", None)));
        assert!(!ran(&run(safe, "mkdir x", None)));
    }

    #[test]
    fn allow_and_deny_patterns() {
        let p = Policy {
            allow: vec!["git commit".into(), "rm".into()],
            deny: vec!["docker".into()],
            ..Policy::default()
        };
        assert!(ran(&run(p.clone(), "git commit -m x", None)));
        // allow never skips the question for destructive commands
        assert!(!ran(&run(p.clone(), "rm notes.txt", None)));
        let e = run(p, "docker ps", Some("y"));
        assert!(matches!(e, Effect::Refuse { reason, .. } if reason.contains("deny")));
    }

    fn remembered(policy: Policy, cmd: &str, memory: Memory, answer: Option<&str>) -> Effect {
        let mut c = Confirm::new(policy);
        match (c.propose_with(cmd, &check(cmd), memory), answer) {
            (Effect::Ask { .. }, Some(a)) => c.answer(a).expect("pending"),
            (e, _) => e,
        }
    }

    #[test]
    fn a_remembered_approval_covers_destructive_in_normal_mode_only() {
        let covered = Memory {
            covered: true,
            offer: true,
        };
        let e = remembered(Policy::default(), "rm notes.txt", covered, None);
        assert_eq!(
            e,
            Effect::Run {
                command: "rm notes.txt".into(),
                how: How::Remembered
            }
        );
        // Never for critical: the phrase is still wanted.
        let e = remembered(Policy::default(), "rm -rf /", covered, None);
        assert!(
            matches!(
                e,
                Effect::Ask {
                    question: Question::Phrase { .. },
                    ..
                }
            ),
            "{e:?}"
        );
        // Not in safe or paranoid mode, not past a deny pattern.
        for mode in [Mode::Safe, Mode::Paranoid] {
            let p = Policy {
                mode,
                ..Policy::default()
            };
            assert!(!ran(&remembered(p, "rm notes.txt", covered, None)));
        }
        let deny = Policy {
            deny: vec!["rm".into()],
            ..Policy::default()
        };
        assert!(matches!(
            remembered(deny, "rm notes.txt", covered, Some("yes")),
            Effect::Refuse { .. }
        ));
        // Not covered: asked as ever.
        assert!(!ran(&remembered(
            Policy::default(),
            "rm notes.txt",
            Memory::default(),
            None
        )));
    }

    #[test]
    fn always_is_accepted_only_where_remembering_is_offered() {
        let offer = Memory {
            covered: false,
            offer: true,
        };
        let e = remembered(Policy::default(), "rm notes.txt", offer, Some("always"));
        assert!(
            matches!(
                e,
                Effect::Run {
                    how: How::ConfirmedRemember,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = remembered(
            Policy::default(),
            "rm notes.txt",
            Memory::default(),
            Some("always"),
        );
        assert!(matches!(e, Effect::Refuse { .. }), "{e:?}");
        // Critical never takes `always`, moderate neither (it takes y).
        assert!(!ran(&remembered(
            Policy::default(),
            "rm -rf /",
            offer,
            Some("always")
        )));
        assert!(!ran(&remembered(
            Policy::default(),
            "mkdir x",
            offer,
            Some("always")
        )));
    }

    #[test]
    fn cancel_refuses_the_pending_command() {
        let mut c = Confirm::new(Policy::default());
        c.propose("mkdir x", &check("mkdir x"));
        assert!(matches!(c.cancel(), Some(Effect::Refuse { .. })));
        assert!(c.answer("y").is_none());
    }
}
