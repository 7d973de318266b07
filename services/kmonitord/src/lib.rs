//! kmonitord: metric collection and online anomaly detection for ainux.
//!
//! * [`detect`] — the per-series online anomaly detector (robust statistics, linfa k-means,
//!   peaks-over-threshold calibration), with retraining separable from scoring;
//! * [`nab`] — an implementation of the Numenta Anomaly Benchmark's scoring;
//! * [`alert`] — alert deduplication, cooldowns and severities (a pure state machine);
//! * [`collect`] — `/proc` readers (root path as a parameter) with node_exporter names;
//! * [`daemon`] — the service: collection loop, training worker, `/metrics` endpoint;
//! * [`prom`] — Prometheus text exposition;
//! * [`eval`] — `kmonitor eval`: the detector run online over NAB-style CSV files.

pub mod alert;
pub mod collect;
pub mod daemon;
pub mod detect;
pub mod eval;
pub mod nab;
pub mod prom;
pub mod render;
pub mod rules;
pub mod suggest;
pub mod system;
pub mod trend;
