//! Prometheus text exposition (format 0.0.4).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::collect::{Kind, Sample};

/// Content type of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

fn escape_label(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        }
    } else {
        format!("{v}")
    }
}

/// Renders samples grouped by metric name, each family with its `# HELP` and `# TYPE`.
pub fn render(samples: &[Sample]) -> String {
    let mut families: BTreeMap<&str, Vec<&Sample>> = BTreeMap::new();
    for s in samples {
        families.entry(s.name.as_str()).or_default().push(s);
    }
    let mut out = String::new();
    for (name, members) in families {
        let first = members[0];
        let kind = match first.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        let _ = writeln!(out, "# HELP {name} {}", first.help.replace('\n', " "));
        let _ = writeln!(out, "# TYPE {name} {kind}");
        for s in members {
            out.push_str(name);
            if !s.labels.is_empty() {
                let l: Vec<String> = s
                    .labels
                    .iter()
                    .map(|(k, v)| format!("{k}=\"{}\"", escape_label(v)))
                    .collect();
                let _ = write!(out, "{{{}}}", l.join(","));
            }
            let _ = writeln!(out, " {}", format_value(s.value));
        }
    }
    out
}

/// `ainux_anomaly_score{series}` samples.
pub fn anomaly_scores<'a>(scores: impl IntoIterator<Item = (&'a str, f64)>) -> Vec<Sample> {
    scores
        .into_iter()
        .map(|(series, v)| Sample {
            name: "ainux_anomaly_score".into(),
            labels: vec![("series".into(), series.to_owned())],
            value: v,
            kind: Kind::Gauge,
            help: "Latest anomaly score of a series, in [0, 1].",
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let s = Sample {
            name: "x".into(),
            labels: vec![("l".into(), "a\"b\\c\nd".into())],
            value: f64::INFINITY,
            kind: Kind::Gauge,
            help: "h",
        };
        assert!(render(&[s]).contains("x{l=\"a\\\"b\\\\c\\nd\"} +Inf\n"));
    }

    #[test]
    fn exposition_parses_with_a_prometheus_parser() {
        let mut samples = vec![
            Sample {
                name: "node_load1".into(),
                labels: vec![],
                value: 0.5,
                kind: Kind::Gauge,
                help: "1m load average.",
            },
            Sample {
                name: "node_network_receive_bytes_total".into(),
                labels: vec![("device".into(), "eth0".into())],
                value: 1234.0,
                kind: Kind::Counter,
                help: "Network device statistic.",
            },
        ];
        samples.extend(anomaly_scores([("node_load1", 0.25)]));
        let text = render(&samples);
        let lines = text.lines().map(|l| Ok(l.to_owned()));
        let scrape = prometheus_parse::Scrape::parse(lines).unwrap();
        assert_eq!(scrape.samples.len(), 3);
        let net = scrape
            .samples
            .iter()
            .find(|s| s.metric == "node_network_receive_bytes_total")
            .unwrap();
        assert!(matches!(net.value, prometheus_parse::Value::Counter(v) if v == 1234.0));
        assert_eq!(net.labels.get("device"), Some("eth0"));
        let score = scrape
            .samples
            .iter()
            .find(|s| s.metric == "ainux_anomaly_score")
            .unwrap();
        assert_eq!(score.labels.get("series"), Some("node_load1"));
        assert!(matches!(score.value, prometheus_parse::Value::Gauge(v) if v == 0.25));
        assert_eq!(
            scrape.docs.get("node_load1").map(String::as_str),
            Some("1m load average.")
        );
    }
}
