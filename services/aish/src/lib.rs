//! aish: the ainux shell assistant.
//!
//! - [`shell`]: a bash parser (recursive descent, no evaluation).
//! - [`danger`]: the danger analysis built on it.
//! - [`translate`]: the offline translator from requests to candidate commands.
//! - [`nlc2cmd`]: the NLC2CMD metric; [`eval`]: the evaluation commands.
//! - [`explain`]: explains a command part by part; [`cli`]: the command-line front end.
//! - [`confirm`]: the confirmation flow as a pure state machine (no IO).
//! - [`exec`]: the gate (check + confirmation) and the only way to run a command;
//!   [`config`]: `/etc/ainux/aish.toml`; [`record`]: questlogd recording;
//!   [`session`]: the REPL and `--run`; [`backend`]: aishd or the in-process LLM chain.

pub mod backend;
pub mod cli;
pub mod config;
pub mod confirm;
pub mod danger;
pub mod eval;
pub mod exec;
pub mod explain;
pub mod nlc2cmd;
pub mod record;
pub mod session;
pub mod shell;
pub mod snapshot;
pub mod translate;
