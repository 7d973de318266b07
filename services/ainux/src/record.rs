//! Snapshot events in the activity log (questlogd), best effort: a snapshot operation never
//! fails because the log is unreachable (the failure goes to the debug log).

use crate::meta::ConfigName;
use questlog_client::protocol::Fields;
use questlog_client::{Client, Event, EventKind};
use std::path::Path;

/// A `snapshot` event: `action` (`created`, `deleted`, `removed`, `rollback`) of
/// `<config>/<id>`.
pub fn event(action: &str, config: ConfigName, id: u64, reason: &str, fields: Fields) -> Event {
    Event::new(EventKind::Snapshot {
        action: action.into(),
        name: format!("{config}/{id}"),
        reason: reason.into(),
        fields,
    })
    .with_source("ainux")
}

/// Sends `events` to questlogd at `socket`.
pub fn send_to(socket: &Path, events: &[Event]) -> Result<(), String> {
    if events.is_empty() {
        return Ok(());
    }
    let mut c = Client::connect(socket).map_err(|e| crate::error_text(&e))?;
    c.append(events)
        .map(|_| ())
        .map_err(|e| crate::error_text(&e))
}

/// Sends `events` to the default questlogd socket, ignoring failures.
pub fn send(events: &[Event]) {
    if let Err(e) = send_to(&questlog_client::default_socket_path(), events) {
        tracing::debug!(cause = %e, "snapshot events not recorded in the activity log");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use questlog_client::{AppendAck, Request, Response};

    #[test]
    fn events_reach_a_questlog_server() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("questlog.sock");
        let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let t = std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            let f = ainux_common::frame::read_frame(&mut s, 1 << 20)
                .unwrap()
                .unwrap();
            let req: Request = serde_json::from_slice(&f).unwrap();
            let reply = serde_json::to_vec(&Response::Appended(AppendAck {
                accepted: 1,
                ..Default::default()
            }))
            .unwrap();
            ainux_common::frame::write_frame(&mut s, &reply, 1 << 20).unwrap();
            req
        });
        let mut fields = Fields::new();
        fields.insert("backup".into(), 4.into());
        send_to(
            &path,
            &[event(
                "rollback",
                ConfigName::Root,
                3,
                "ainux rollback 3",
                fields,
            )],
        )
        .unwrap();
        let Request::Append { events } = t.join().unwrap() else {
            panic!("not an append")
        };
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].source, "ainux");
        match &events[0].kind {
            EventKind::Snapshot {
                action,
                name,
                fields,
                ..
            } => {
                assert_eq!((action.as_str(), name.as_str()), ("rollback", "root/3"));
                assert_eq!(fields["backup"], 4);
            }
            other => panic!("{other:?}"),
        }
        assert!(
            send_to(
                &dir.path().join("none.sock"),
                &[event("created", ConfigName::Home, 1, "", Fields::new())]
            )
            .is_err()
        );
    }
}
