//! What every ainux service shares, and nothing more: layered configuration, tracing setup,
//! the length-prefixed IPC frame codec, `sd_notify`, and systemd's directory variables.

pub mod config;
pub mod dirs;
pub mod frame;
pub mod logging;
pub mod notify;
pub mod secrets;

/// Prints an error and its whole chain of sources, one per line, for `main`.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut out = err.to_string();
    let mut cur = err.source();
    while let Some(e) = cur {
        out.push_str("\n  caused by: ");
        out.push_str(&e.to_string());
        cur = e.source();
    }
    out
}
