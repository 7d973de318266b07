//! [`Systemd`] over the system D-Bus with zbus.
//!
//! `subscribe` connects, calls `Manager.Subscribe()` and listens to
//! `PropertiesChanged` under `/org/freedesktop/systemd1/unit` (the Unit and
//! Service interfaces) and to `Manager.JobRemoved`. A forwarding task turns
//! them into [`Signal`]s on a bounded channel; when the bus goes away the
//! stream ends, the channel closes and the driver reconnects.
//!
//! Tested for real in the VM (`qemu-tests/`); on the host the driver is
//! tested against `systemd::fake`.

use std::collections::HashMap;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::{Mutex, mpsc};
use tracing::{debug, warn};
use zbus::message::Type as MsgType;
use zbus::{Connection, MatchRule, Message, MessageStream, OwnedObjectPath, OwnedVariant};

use crate::systemd::{SdError, Signal, Systemd, UnitDeps, UnitState};

const DEST: &str = "org.freedesktop.systemd1";
const PATH: &str = "/org/freedesktop/systemd1";
const MANAGER: &str = "org.freedesktop.systemd1.Manager";
const UNIT_IFACE: &str = "org.freedesktop.systemd1.Unit";
const SERVICE_IFACE: &str = "org.freedesktop.systemd1.Service";
const PROPS: &str = "org.freedesktop.DBus.Properties";

#[derive(Default)]
pub struct DbusSystemd {
    conn: Mutex<Option<Connection>>,
    /// A bus address instead of the system bus (tests against a private bus).
    address: Option<String>,
}

impl DbusSystemd {
    pub fn new() -> Self {
        Self::default()
    }

    /// Talk to the manager on the bus at `address` (a D-Bus address string).
    pub fn with_address(address: impl Into<String>) -> Self {
        Self {
            conn: Mutex::new(None),
            address: Some(address.into()),
        }
    }

    async fn conn(&self) -> Result<Connection, SdError> {
        self.conn.lock().await.clone().ok_or(SdError::Disconnected)
    }

    async fn manager<B>(
        &self,
        method: &'static str,
        unit: &str,
        body: &B,
    ) -> Result<Message, SdError>
    where
        B: serde::Serialize + zbus::DynamicType,
    {
        let c = self.conn().await?;
        c.call_method(Some(DEST), PATH, Some(MANAGER), method, body)
            .await
            .map_err(|e| call_err(method, unit, e))
    }

    async fn job(&self, method: &'static str, unit: &str, mode: &str) -> Result<String, SdError> {
        let m = self.manager(method, unit, &(unit, mode)).await?;
        let p: OwnedObjectPath = m
            .body()
            .deserialize()
            .map_err(|e| call_err(method, unit, e))?;
        Ok(p.as_str().to_string())
    }
}

fn call_err(method: &'static str, unit: &str, e: zbus::Error) -> SdError {
    SdError::Call {
        method,
        unit: unit.to_string(),
        message: e.to_string(),
    }
}

/// `/org/freedesktop/systemd1/unit/web_2dapp_2eservice` -> `web-app.service`.
pub fn unit_from_path(path: &str) -> Option<String> {
    let enc = path.strip_prefix("/org/freedesktop/systemd1/unit/")?;
    let b = enc.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'_' {
            if i + 2 >= b.len() {
                return None;
            }
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn get_prop(c: &Connection, path: &str, iface: &str, name: &str) -> Option<OwnedVariant> {
    let m = c
        .call_method(Some(DEST), path, Some(PROPS), "Get", &(iface, name))
        .await
        .ok()?;
    m.body().deserialize::<OwnedVariant>().ok()
}

async fn get_all(c: &Connection, path: &str, iface: &str) -> HashMap<String, OwnedVariant> {
    match c
        .call_method(Some(DEST), path, Some(PROPS), "GetAll", &(iface,))
        .await
    {
        Ok(m) => m.body().deserialize().unwrap_or_default(),
        Err(_) => HashMap::new(),
    }
}

fn string(v: Option<OwnedVariant>) -> Option<String> {
    v.and_then(|v| String::try_from(v).ok())
}

fn strings(map: &mut HashMap<String, OwnedVariant>, key: &str) -> Vec<String> {
    map.remove(key)
        .and_then(|v| Vec::<String>::try_from(v).ok())
        .unwrap_or_default()
}

/// Full state of a unit by object path.
async fn read_state(c: &Connection, path: &str, unit: &str) -> UnitState {
    let active = string(get_prop(c, path, UNIT_IFACE, "ActiveState").await).unwrap_or_default();
    let sub = string(get_prop(c, path, UNIT_IFACE, "SubState").await).unwrap_or_default();
    let (result, n_restarts) = if unit.ends_with(".service") {
        (
            string(get_prop(c, path, SERVICE_IFACE, "Result").await)
                .unwrap_or_else(|| "success".into()),
            get_prop(c, path, SERVICE_IFACE, "NRestarts")
                .await
                .and_then(|v| u32::try_from(v).ok()),
        )
    } else {
        ("success".into(), None)
    };
    UnitState {
        unit: unit.to_string(),
        active,
        sub,
        result,
        n_restarts,
    }
}

/// What one `PropertiesChanged` message means for a unit's state.
#[derive(Debug, PartialEq)]
enum Fold {
    /// Nothing to forward (yet).
    Ignore,
    /// The state after this message.
    Have(UnitState),
    /// A unit not seen before whose message does not carry its state: read it.
    ReadCurrent,
}

/// Apply one message's changed properties to the last known state of `unit`.
///
/// Messages are handled in the order systemd sent them, so the state comes
/// from the messages, not from a read of the current state: a read answers
/// with a later state than the messages still queued behind it, and replaying
/// those afterwards looks like the unit went back (a unit loaded by
/// `daemon-reload` and started at once would seem active, then stopped by an
/// administrator, then started again). systemd sends every
/// emits-change property of an interface in each message, so the Unit
/// interface's carries `ActiveState`/`SubState`; a Service interface message
/// for an unknown unit waits for the Unit one that follows it.
fn fold(
    cached: Option<&UnitState>,
    unit: &str,
    iface: &str,
    changed: &mut HashMap<String, OwnedVariant>,
) -> Fold {
    let mut st = match cached {
        Some(st) => st.clone(),
        None if iface == UNIT_IFACE && changed.contains_key("ActiveState") => UnitState {
            unit: unit.to_string(),
            active: String::new(),
            sub: String::new(),
            result: "success".into(),
            n_restarts: None,
        },
        None if iface == UNIT_IFACE => return Fold::ReadCurrent,
        None => return Fold::Ignore,
    };
    if let Some(v) = string(changed.remove("ActiveState")) {
        st.active = v;
    }
    if let Some(v) = string(changed.remove("SubState")) {
        st.sub = v;
    }
    if let Some(v) = string(changed.remove("Result")) {
        st.result = v;
    }
    if let Some(v) = changed
        .remove("NRestarts")
        .and_then(|v| u32::try_from(v).ok())
    {
        st.n_restarts = Some(v);
    }
    Fold::Have(st)
}

/// Turn the bus messages into signals until the stream ends.
async fn forward<St>(c: Connection, mut stream: St, tx: mpsc::Sender<Signal>)
where
    St: futures_util::Stream<Item = zbus::Result<Message>> + Unpin,
{
    // Last known state per unit so partial PropertiesChanged become full states.
    let mut cache: HashMap<String, UnitState> = HashMap::new();
    while let Some(msg) = stream.next().await {
        let Ok(msg) = msg else { continue };
        let h = msg.header();
        let member = h
            .member()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        let path = h.path().map(|p| p.as_str().to_string()).unwrap_or_default();
        let sig = if member == "JobRemoved" {
            match msg
                .body()
                .deserialize::<(u32, OwnedObjectPath, String, String)>()
            {
                Ok((_, job, unit, result)) => Some(Signal::JobRemoved {
                    job: job.as_str().to_string(),
                    unit,
                    result,
                }),
                Err(e) => {
                    debug!(cause = %e, "bad JobRemoved");
                    None
                }
            }
        } else if member == "PropertiesChanged" {
            let Some(unit) = unit_from_path(&path) else {
                continue;
            };
            let Ok((iface, mut changed, _inv)) =
                msg.body()
                    .deserialize::<(String, HashMap<String, OwnedVariant>, Vec<String>)>()
            else {
                continue;
            };
            if iface != UNIT_IFACE && iface != SERVICE_IFACE {
                continue;
            }
            if cache.len() > 8192 {
                cache.clear();
            }
            let fresh = !cache.contains_key(&unit);
            let mut st = match fold(cache.get(&unit), &unit, &iface, &mut changed) {
                Fold::Ignore => continue,
                Fold::Have(st) => st,
                Fold::ReadCurrent => read_state(&c, &path, &unit).await,
            };
            // systemd sends a unit's Service interface change before the Unit
            // one, so a known unit's Result is already current here. For a unit
            // seen for the first time on its way down, read Result (one call,
            // off the path of units we already know).
            if fresh
                && iface == UNIT_IFACE
                && (st.active == "failed" || st.active == "inactive" || st.sub == "auto-restart")
                && unit.ends_with(".service")
                && let Some(r) = string(get_prop(&c, &path, SERVICE_IFACE, "Result").await)
            {
                st.result = r;
            }
            if fresh && st.n_restarts.is_none() && unit.ends_with(".service") {
                st.n_restarts = get_prop(&c, &path, SERVICE_IFACE, "NRestarts")
                    .await
                    .and_then(|v| u32::try_from(v).ok());
            }
            if cache.get(&unit) == Some(&st) {
                continue; // nothing we care about changed
            }
            cache.insert(unit.clone(), st.clone());
            Some(Signal::State(st))
        } else {
            None
        };
        if let Some(s) = sig
            && tx.send(s).await.is_err()
        {
            return;
        }
    }
    warn!("D-Bus signal stream ended");
}

impl Systemd for DbusSystemd {
    async fn subscribe(&self, capacity: usize) -> Result<mpsc::Receiver<Signal>, SdError> {
        let c = match &self.address {
            Some(a) => zbus::connection::Builder::address(a.as_str()).build().await,
            None => Connection::system().await,
        }
        .map_err(|e| SdError::Connect(Box::new(e)))?;
        let rule_err = |e: zbus::Error| SdError::Connect(Box::new(e));
        let props = MatchRule::builder()
            .msg_type(MsgType::Signal)
            .sender(DEST)
            .interface(PROPS)
            .member("PropertiesChanged")
            .path_namespace("/org/freedesktop/systemd1/unit")
            .build()
            .map_err(rule_err)?;
        let jobs = MatchRule::builder()
            .msg_type(MsgType::Signal)
            .sender(DEST)
            .interface(MANAGER)
            .member("JobRemoved")
            .build()
            .map_err(rule_err)?;
        let cap = std::num::NonZeroUsize::new(capacity.max(16));
        let s1 = MessageStream::for_match_rule(props, &c, cap)
            .await
            .map_err(rule_err)?;
        let s2 = MessageStream::for_match_rule(jobs, &c, cap)
            .await
            .map_err(rule_err)?;
        c.call_method(Some(DEST), PATH, Some(MANAGER), "Subscribe", &())
            .await
            .map_err(rule_err)?;
        *self.conn.lock().await = Some(c.clone());
        let (tx, rx) = mpsc::channel(capacity.max(16));
        let merged = futures_util::stream::select(s1, s2);
        tokio::spawn(forward(c, merged, tx));
        Ok(rx)
    }

    async fn list_units(&self) -> Result<Vec<UnitState>, SdError> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            OwnedObjectPath,
            u32,
            String,
            OwnedObjectPath,
        );
        let m = self.manager("ListUnits", "*", &()).await?;
        let rows: Vec<Row> = m
            .body()
            .deserialize()
            .map_err(|e| call_err("ListUnits", "*", e))?;
        let c = self.conn().await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let (name, active, sub, path) = (r.0, r.3, r.4, r.6);
            let (result, n_restarts) = if name.ends_with(".service") && active != "active" {
                (
                    string(get_prop(&c, path.as_str(), SERVICE_IFACE, "Result").await)
                        .unwrap_or_else(|| "success".into()),
                    None,
                )
            } else {
                ("success".to_string(), None)
            };
            out.push(UnitState {
                unit: name,
                active,
                sub,
                result,
                n_restarts,
            });
        }
        Ok(out)
    }

    async fn unit_state(&self, unit: &str) -> Result<UnitState, SdError> {
        let m = self.manager("GetUnit", unit, &(unit,)).await?;
        let path: OwnedObjectPath = m
            .body()
            .deserialize()
            .map_err(|e| call_err("GetUnit", unit, e))?;
        let c = self.conn().await?;
        Ok(read_state(&c, path.as_str(), unit).await)
    }

    async fn unit_deps(&self, unit: &str) -> Result<UnitDeps, SdError> {
        let m = self.manager("GetUnit", unit, &(unit,)).await?;
        let path: OwnedObjectPath = m
            .body()
            .deserialize()
            .map_err(|e| call_err("GetUnit", unit, e))?;
        let c = self.conn().await?;
        let mut all = get_all(&c, path.as_str(), UNIT_IFACE).await;
        let mut requires = strings(&mut all, "Requires");
        requires.extend(strings(&mut all, "BindsTo"));
        let mut required_by = strings(&mut all, "RequiredBy");
        required_by.extend(strings(&mut all, "BoundBy"));
        let burst = all
            .remove("StartLimitBurst")
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0);
        let interval = all
            .remove("StartLimitIntervalUSec")
            .and_then(|v| u64::try_from(v).ok())
            .unwrap_or(0);
        // Only services take part in restarts; targets and slices are noise.
        requires.retain(|u| u.ends_with(".service") || u.ends_with(".socket"));
        required_by.retain(|u| u.ends_with(".service"));
        Ok(UnitDeps {
            requires,
            required_by,
            start_limit_burst: burst,
            start_limit_interval: Duration::from_micros(interval),
        })
    }

    async fn restart_unit(&self, unit: &str) -> Result<String, SdError> {
        self.job("RestartUnit", unit, "replace").await
    }

    async fn start_unit(&self, unit: &str) -> Result<String, SdError> {
        self.job("StartUnit", unit, "replace").await
    }

    async fn stop_unit(&self, unit: &str) -> Result<String, SdError> {
        self.job("StopUnit", unit, "replace").await
    }

    async fn reset_failed(&self, unit: &str) -> Result<(), SdError> {
        self.manager("ResetFailedUnit", unit, &(unit,))
            .await
            .map(|_| ())
    }

    async fn reboot(&self) -> Result<(), SdError> {
        self.job("StartUnit", "reboot.target", "replace-irreversibly")
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_paths_are_unescaped() {
        assert_eq!(
            unit_from_path("/org/freedesktop/systemd1/unit/web_2dapp_2eservice").as_deref(),
            Some("web-app.service")
        );
        assert_eq!(
            unit_from_path("/org/freedesktop/systemd1/unit/getty_40tty1_2eservice").as_deref(),
            Some("getty@tty1.service")
        );
        assert_eq!(unit_from_path("/org/freedesktop/systemd1/job/5"), None);
        assert_eq!(unit_from_path("/org/freedesktop/systemd1/unit/bad_2"), None);
    }

    fn props(kv: &[(&str, &str)]) -> HashMap<String, OwnedVariant> {
        kv.iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    OwnedVariant::try_from(zbus::Variant::from(*v)).unwrap(),
                )
            })
            .collect()
    }

    /// Run messages through `fold` as `forward` does (minus the reads) and
    /// return the states it would forward.
    fn replay(msgs: &[(&str, &[(&str, &str)])]) -> Vec<(String, String, String)> {
        let mut cache: HashMap<String, UnitState> = HashMap::new();
        let mut out = Vec::new();
        for (iface, kv) in msgs {
            let mut changed = props(kv);
            let st = match fold(cache.get("app.service"), "app.service", iface, &mut changed) {
                Fold::Ignore => continue,
                Fold::ReadCurrent => panic!("no read expected"),
                Fold::Have(st) => st,
            };
            if cache.get("app.service") == Some(&st) {
                continue;
            }
            cache.insert("app.service".into(), st.clone());
            out.push((st.active, st.sub, st.result));
        }
        out
    }

    fn s3(a: &str, b: &str, c: &str) -> (String, String, String) {
        (a.into(), b.into(), c.into())
    }

    #[test]
    fn states_come_from_the_messages_in_order() {
        // A unit loaded by daemon-reload and started at once: the load's
        // messages (stopped) are still queued when the start's arrive. The
        // states go stopped -> running, never running -> stopped -> running.
        let got = replay(&[
            (SERVICE_IFACE, &[("Result", "success")]),
            (
                UNIT_IFACE,
                &[("ActiveState", "inactive"), ("SubState", "dead")],
            ),
            (SERVICE_IFACE, &[("Result", "success")]),
            (
                UNIT_IFACE,
                &[("ActiveState", "active"), ("SubState", "running")],
            ),
        ]);
        assert_eq!(
            got,
            vec![
                s3("inactive", "dead", "success"),
                s3("active", "running", "success")
            ]
        );
        // A crash: the Service interface's Result comes first, then the state.
        let got = replay(&[
            (
                UNIT_IFACE,
                &[("ActiveState", "active"), ("SubState", "running")],
            ),
            (SERVICE_IFACE, &[("Result", "signal")]),
            (
                UNIT_IFACE,
                &[("ActiveState", "failed"), ("SubState", "failed")],
            ),
        ]);
        assert_eq!(
            got,
            vec![
                s3("active", "running", "success"),
                s3("active", "running", "signal"),
                s3("failed", "failed", "signal"),
            ]
        );
    }

    #[test]
    fn unknown_unit_without_state_in_the_message_is_read() {
        let mut changed = props(&[("Id", "app.service")]);
        assert_eq!(
            fold(None, "app.service", UNIT_IFACE, &mut changed),
            Fold::ReadCurrent
        );
        let mut changed = props(&[("Result", "signal")]);
        assert_eq!(
            fold(None, "app.service", SERVICE_IFACE, &mut changed),
            Fold::Ignore
        );
    }
}
