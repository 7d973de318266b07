//! `ainux-image`: builds the ainux disk image from `mkosi.conf`, without mkosi.
//!
//! See `docs/image.md` for the pipeline, the disk layout and the cache.

pub mod build;
pub mod cache;
pub mod disk;
pub mod mirror;
pub mod rootfs;
pub mod run;
pub mod stage;

pub use build::{BuildError, Options, Summary, build};
