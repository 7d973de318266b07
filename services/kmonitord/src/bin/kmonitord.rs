//! `kmonitord`: the metrics and anomaly daemon.

fn main() {
    eprintln!("kmonitord: collection is not implemented yet; see `kmonitor eval`");
    std::process::exit(1);
}
