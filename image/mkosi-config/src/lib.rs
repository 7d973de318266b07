//! Reader for mkosi's configuration format (`mkosi.conf` plus `mkosi.conf.d/*.conf`), for
//! the ainux image builder, and a reader for the host's apt sources ([`apt_sources`]).
//!
//! ```no_run
//! let loaded = mkosi_config::load(std::path::Path::new(".")).unwrap();
//! for w in &loaded.warnings {
//!     eprintln!("warning: {w}");
//! }
//! println!("{}", loaded.config.to_canonical_json());
//! ```
//!
//! Semantics follow mkosi: sections, `#`/`;` comments, `Key=Value`, indented continuation
//! lines, list settings that append across files (an empty value resets the list), scalar
//! settings where the last assignment wins (an empty value resets to the default), and
//! `[Match]` sections evaluated against the settings accumulated so far. See
//! `docs/mkosi-conf.md` for the supported keys.

pub mod apt_sources;
mod error;
mod load;
mod model;
mod parse;
pub mod values;

pub use error::{BadValue, ConfigError, Warning};
pub use load::{Loaded, load};
pub use model::{
    Architecture, BuildConfig, Config, ContentConfig, DEFAULT_CPUS, DEFAULT_OUTPUT,
    DEFAULT_OUTPUT_DIRECTORY, DEFAULT_RAM, Distribution, DistributionConfig, ExtraTree, Feature,
    Format, OutputConfig, RootPassword, RuntimeConfig,
};
pub use parse::{FileOutcome, Section, parse_str};

#[cfg(test)]
mod tests;
