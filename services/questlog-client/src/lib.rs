//! The client side of questlogd, the ainux activity log: the wire protocol, typed events, and a
//! client that spools events locally (per user, bounded) when the daemon is down and replays
//! them later.
//!
//! ```no_run
//! use questlog_client::{Event, EventKind, SpoolingClient};
//! let mut ql = SpoolingClient::for_current_user("healerd");
//! ql.send(vec![Event::new(EventKind::HealAction {
//!     unit: "nginx.service".into(),
//!     action: "restart".into(),
//!     outcome: "ok".into(),
//!     reason: "failed 3 times".into(),
//!     fields: Default::default(),
//! })])?;
//! # Ok::<(), questlog_client::ClientError>(())
//! ```

pub mod client;
pub mod protocol;
pub mod spool;

pub use client::{Client, ClientError, SpoolingClient, default_socket_path};
pub use protocol::{
    AppendAck, ErrorCode, Event, EventKind, Query, Record, Request, Response, Stats,
};
pub use spool::Spool;
