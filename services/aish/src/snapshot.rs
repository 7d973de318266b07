//! Pre/post snapshot pairs around the `destructive` and `critical` commands aish executes,
//! through the ainux snapshot service (`ainux-snapshot-client`). A failing or missing service
//! never blocks or fails the command: aish says there is no snapshot and runs it.

use crate::danger::Level;
use ainux_snapshot_client::{Client, Pre};
use std::time::Duration;

/// The client aish uses (the default socket; a short timeout: the user is waiting).
pub fn client() -> Client {
    Client::default().with_timeout(Duration::from_secs(10))
}

fn describe(command: &str) -> String {
    let c: String = command.chars().take(200).collect();
    format!("aish: {c}")
}

/// Takes the pre snapshot when `level` calls for one.
pub async fn before(client: &Client, level: Level, command: &str) -> Option<Pre> {
    if !matches!(level, Level::Destructive | Level::Critical) {
        return None;
    }
    let (c, d) = (client.clone(), describe(command));
    match tokio::task::spawn_blocking(move || c.pre("root", &d, "aish")).await {
        Ok(Ok(pre)) => Some(pre),
        Ok(Err(e)) => {
            eprintln!("aish: no snapshot before this command ({e})");
            None
        }
        Err(_) => None,
    }
}

/// Takes the post snapshot of a pair.
pub async fn after(client: &Client, pre: Option<Pre>, command: &str, exit_code: i32) {
    let Some(pre) = pre else { return };
    let (c, d) = (
        client.clone(),
        format!("{} (exit {exit_code})", describe(command)),
    );
    if let Ok(Err(e)) = tokio::task::spawn_blocking(move || c.post(&pre, &d)).await {
        eprintln!("aish: no snapshot after this command ({e})");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixListener;

    #[tokio::test]
    async fn pairs_only_for_destructive_and_critical_and_survive_a_dead_service() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("snap.sock");
        let l = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || {
            let mut seen = Vec::new();
            for id in [5, 6] {
                let (mut s, _) = l.accept().unwrap();
                let mut line = String::new();
                BufReader::new(&s).read_line(&mut line).unwrap();
                seen.push(line);
                writeln!(s, "{{\"ok\":true,\"id\":{id}}}").unwrap();
            }
            seen
        });
        let c = Client::new(&path);
        assert!(before(&c, Level::Safe, "ls").await.is_none());
        assert!(before(&c, Level::Moderate, "touch x").await.is_none());
        let pre = before(&c, Level::Destructive, "rm -rf /opt/app").await;
        assert_eq!(pre.as_ref().map(|p| p.id), Some(5));
        after(&c, pre, "rm -rf /opt/app", 0).await;
        let seen = server.join().unwrap();
        assert!(seen[0].contains("\"op\":\"pre\"") && seen[0].contains("rm -rf /opt/app"));
        assert!(seen[1].contains("\"pre_id\":5") && seen[1].contains("exit 0"));

        let dead = Client::new(dir.path().join("none.sock"));
        assert!(
            before(&dead, Level::Critical, "mkfs /dev/sda")
                .await
                .is_none()
        );
    }
}
