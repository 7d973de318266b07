//! The snapshot service (`serve_conn`) on a real Unix socket and a scratch btrfs, driven by
//! `ainux-snapshot-client` (needs root; skipped otherwise).

use ainux::NoBootLoader;
use ainux::meta::{ConfigName, Kind};
use ainux::store::Store;
use ainux_snapshot_client::Client;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};

mod common;
use common::fs;

#[test]
fn pre_post_pair_through_the_client() {
    let Some(fs) = fs("300M") else { return };
    let sock = fs._dir.path().join("snapshot.sock");
    let listener = UnixListener::bind(&sock).unwrap();
    let cfg = fs.cfg.clone();
    let server = std::thread::spawn(move || {
        let store = Store::new(cfg);
        for _ in 0..4 {
            let (s, _) = listener.accept().unwrap();
            ainux::serve::serve_conn(&store, s, &NoBootLoader).unwrap();
        }
    });
    let c = Client::new(&sock);
    let pre = c.pre("root", "aish: rm -rf /opt/app", "aish").unwrap();
    std::fs::write(fs.mnt.join("@/etc/marker"), "after\n").unwrap();
    let post = c.post(&pre, "aish: rm -rf /opt/app (exit 0)").unwrap();
    assert_eq!((pre.id, post), (1, 2));
    // A bad config and a malformed line get error replies; the service lives on.
    let e = c.pre("var", "x", "aish").unwrap_err();
    assert!(e.to_string().contains("unknown snapshot config"), "{e}");
    let mut raw = UnixStream::connect(&sock).unwrap();
    raw.write_all(b"{\"op\":\"explode\"}\n").unwrap();
    let mut line = String::new();
    BufReader::new(&raw).read_line(&mut line).unwrap();
    assert!(
        line.contains("\"ok\":false") && line.contains("malformed"),
        "{line}"
    );
    server.join().unwrap();

    let store = Store::new(fs.cfg.clone());
    let p = store.info(ConfigName::Root, 1).unwrap();
    let q = store.info(ConfigName::Root, 2).unwrap();
    assert_eq!((p.kind, q.kind), (Kind::Pre, Kind::Post));
    assert_eq!(q.pre_id, Some(1));
    assert_eq!(p.creator, "aish");
    assert_eq!(q.creator, "aish");
    assert_eq!(
        p.user.as_deref(),
        Some("root"),
        "the user comes from the peer credentials"
    );
    let d = store.diff(ConfigName::Root, 1, Some(2)).unwrap();
    assert_eq!(d.len(), 1);
}
