//! `ainux`: see `ainux --help` and docs/snapshots.md.

fn main() {
    ainux_common::logging::init("warn", false);
    ainux::cli::main()
}
