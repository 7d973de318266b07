//! Pre/post snapshot pairs around healerd's system-changing clean-ups, through the ainux
//! snapshot service (`ainux-snapshot-client`). A failing or missing service never blocks or
//! fails the clean-up: it is logged and the clean-up runs.
//!
//! Only the configured clean-up *commands* get a pair. The built-ins do not: `journal-vacuum`
//! works in /var/log, a subvolume of its own that root snapshots never contain, and
//! `apt-clean` deletes cache files only, which a snapshot would pin, freeing nothing.

use ainux_snapshot_client::{Client, Pre};
use std::time::Duration;

pub fn client() -> Client {
    Client::default().with_timeout(Duration::from_secs(30))
}

/// Whether clean-up step `name` gets a pre/post pair.
pub fn wants_pair(name: &str) -> bool {
    !crate::remedy::BUILTINS.contains(&name)
}

pub async fn before(client: &Client, step: &str) -> Option<Pre> {
    let (c, d) = (client.clone(), format!("healer: disk clean-up {step}"));
    match tokio::task::spawn_blocking(move || c.pre("root", &d, "healer")).await {
        Ok(Ok(pre)) => Some(pre),
        Ok(Err(e)) => {
            tracing::warn!(cause = %e, step, "no snapshot before the clean-up");
            None
        }
        Err(_) => None,
    }
}

pub async fn after(client: &Client, pre: Option<Pre>, step: &str, ok: bool) {
    let Some(pre) = pre else { return };
    let d = format!(
        "healer: disk clean-up {step} ({})",
        if ok { "ok" } else { "failed" }
    );
    let c = client.clone();
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || c.post(&pre, &d)).await {
        tracing::warn!(cause = %e, step, "no snapshot after the clean-up");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixListener;

    #[test]
    fn builtins_get_no_pair() {
        assert!(!wants_pair("journal-vacuum"));
        assert!(!wants_pair("apt-clean"));
        assert!(wants_pair("/usr/local/bin/trim-cache"));
    }

    #[tokio::test]
    async fn a_pair_through_the_service_and_nothing_when_it_is_gone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.sock");
        let l = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for id in [3, 4] {
                let (mut s, _) = l.accept().unwrap();
                let mut line = String::new();
                BufReader::new(&s).read_line(&mut line).unwrap();
                seen.push(line);
                writeln!(s, "{{\"ok\":true,\"id\":{id}}}").unwrap();
            }
            seen
        });
        let c = Client::new(&path);
        let pre = before(&c, "trim").await;
        assert_eq!(pre.as_ref().map(|p| p.id), Some(3));
        after(&c, pre, "trim", false).await;
        let seen = server.join().unwrap();
        assert!(seen[0].contains("\"creator\":\"healer\""), "{}", seen[0]);
        assert!(
            seen[1].contains("\"pre_id\":3") && seen[1].contains("failed"),
            "{}",
            seen[1]
        );
        assert!(
            before(&Client::new(dir.path().join("gone.sock")), "trim")
                .await
                .is_none()
        );
    }
}
