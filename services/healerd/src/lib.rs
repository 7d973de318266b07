//! healerd: event-driven self-healing of systemd units.
//!
//! - [`policy`]: TOML policies per unit name or glob.
//! - [`machine`]: the pure decision state machine (events + clock in, effects out).
//! - [`health`]: health-check runners (command, TCP, HTTP, process).
//! - [`systemd`]: the seam to systemd (a trait; the D-Bus implementation in [`dbus`]).
//! - [`driver`]: the async loop feeding the machine and carrying out its effects.
//! - [`ipc`]: the control socket spoken by `healer`.
//! - [`remedy`]: filesystem clean-ups above a usage threshold.
//! - [`config`]: daemon configuration (defaults, file, environment).

pub mod config;
pub mod dbus;
pub mod driver;
pub mod health;
pub mod ipc;
pub mod machine;
pub mod policy;
pub mod remedy;
pub mod snapshot;
pub mod systemd;
