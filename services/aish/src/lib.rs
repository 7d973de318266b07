//! aish: the ainux shell assistant.
//!
//! - [`shell`]: a bash parser.
//! - [`danger`]: the danger analysis built on it.

pub mod danger;
pub mod shell;
