//! `kmonitor`: command-line client of kmonitord (evaluation).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use kmonitord::detect::DetectorConfig;
use kmonitord::eval::{self, EvalOptions, Selection};

#[derive(Parser)]
#[command(
    name = "kmonitor",
    version,
    about = "ainux metrics and anomaly detection client"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the detector online over NAB-style CSV files and score it with NAB's profiles.
    Eval(EvalArgs),
    /// The present state: CPU, memory, file systems, highest anomaly scores.
    Status(QueryArgs),
    /// Recent alerts with their suggestions.
    Alerts(QueryArgs),
    /// Top processes by CPU and memory, with their units.
    Top(QueryArgs),
    /// Samples from an injected step change to the alert, on synthetic noisy series.
    Latency(LatencyArgs),
}

#[derive(clap::Args)]
struct LatencyArgs {
    /// Synthetic series.
    #[arg(long, default_value_t = 20)]
    series: usize,
    /// Samples before the step.
    #[arg(long, default_value_t = 600)]
    warm: usize,
    /// Step height in standard deviations of the noise.
    #[arg(long, default_value_t = 6.0)]
    step_sigma: f64,
    /// Detector settings (TOML, the `[detector]` keys of kmonitord.toml).
    #[arg(long)]
    detector_config: Option<PathBuf>,
    /// Print one JSON object.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// kmonitord's HTTP endpoint.
    #[arg(long, env = "KMONITOR_ADDR", default_value = "127.0.0.1:9464")]
    addr: String,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Directory of `<group>/<file>.csv` data files (`timestamp,value`).
    #[arg(long)]
    data: PathBuf,
    /// Where to write NAB results files (`<out>/<name>/<group>/<name>_<file>.csv`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Label windows (default: `<data>/../labels/combined_windows.json`).
    #[arg(long)]
    labels: Option<PathBuf>,
    /// NAB profiles (default: `<data>/../profiles.json`).
    #[arg(long)]
    profiles: Option<PathBuf>,
    /// Only files matching this glob (relative `group/file.csv`, or the file name); repeatable.
    #[arg(long = "files", value_name = "GLOB")]
    files: Vec<String>,
    /// Only files of this group: `machine` or a data sub-directory name; repeatable.
    #[arg(long = "group", value_name = "NAME")]
    groups: Vec<String>,
    /// Fail on the first bad CSV row instead of skipping it.
    #[arg(long)]
    strict: bool,
    /// Detector name used in the results layout.
    #[arg(long, default_value = "kmonitor")]
    detector_name: String,
    /// Detector settings (TOML, the `[detector]` keys of kmonitord.toml).
    #[arg(long)]
    detector_config: Option<PathBuf>,
    /// Print one JSON object as the final line.
    #[arg(long)]
    json: bool,
    /// Print one line per file.
    #[arg(long)]
    verbose: bool,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Eval(args) => run_eval(args),
        Command::Status(q) => run_query("/status", &q),
        Command::Alerts(q) => run_query("/alerts", &q),
        Command::Top(q) => run_query("/top", &q),
        Command::Latency(a) => run_latency(a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let chain: Vec<String> = e.chain().map(ToString::to_string).collect();
            eprintln!("kmonitor: {}", chain.join(": "));
            ExitCode::from(2)
        }
    }
}

/// GETs `path` from kmonitord and prints it.
fn run_query(path: &str, q: &QueryArgs) -> anyhow::Result<()> {
    use std::io::{Read, Write};
    let mut conn = std::net::TcpStream::connect(&q.addr)
        .with_context(|| format!("cannot reach kmonitord at {}", q.addr))?;
    conn.set_read_timeout(Some(std::time::Duration::from_secs(10)))?;
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        q.addr
    )?;
    let mut resp = String::new();
    conn.read_to_string(&mut resp)
        .context("reading kmonitord's answer")?;
    let (head, body) = resp
        .split_once("\r\n\r\n")
        .context("malformed HTTP answer")?;
    anyhow::ensure!(
        head.starts_with("HTTP/1.1 200"),
        "kmonitord answered {}",
        head.lines().next().unwrap_or("")
    );
    let v: serde_json::Value = serde_json::from_str(body).context("malformed JSON answer")?;
    if q.json {
        println!("{v}");
        return Ok(());
    }
    print!("{}", kmonitord::render::human(path, &v));
    Ok(())
}

fn detector_config(path: Option<&std::path::Path>) -> anyhow::Result<DetectorConfig> {
    Ok(match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            toml::from_str::<DetectorConfig>(&text)
                .with_context(|| format!("bad detector config {}", p.display()))?
        }
        None => DetectorConfig::default(),
    })
}

fn run_latency(a: LatencyArgs) -> anyhow::Result<()> {
    let cfg = detector_config(a.detector_config.as_deref())?;
    let r = eval::step_latency(&cfg, a.series, a.warm, a.step_sigma, 200)?;
    if a.json {
        println!("{}", serde_json::to_string(&r)?);
    } else {
        println!(
            "{} series, step {} sd: median {:?} samples, p95 {:?}, max {:?}, missed {}, false alerts before the step {}",
            r.series, a.step_sigma, r.median, r.p95, r.max, r.missed, r.false_alerts
        );
    }
    Ok(())
}

fn run_eval(args: EvalArgs) -> anyhow::Result<()> {
    let parent = args.data.join("..");
    let detector = detector_config(args.detector_config.as_deref())?;
    let opts = EvalOptions {
        labels: args
            .labels
            .unwrap_or_else(|| parent.join("labels/combined_windows.json")),
        profiles: args
            .profiles
            .unwrap_or_else(|| parent.join("profiles.json")),
        data: args.data,
        out: args.out,
        selection: Selection {
            globs: args.files,
            groups: args.groups,
        },
        strict: args.strict,
        detector_name: args.detector_name,
        detector,
    };
    let report = eval::run(&opts)?;
    if args.verbose {
        for f in &report.files {
            eprintln!(
                "{:60} rows={:6} windows={} max={:.3} alerts={}",
                f.file, f.rows, f.windows, f.max_score, f.alerts
            );
        }
    }
    for b in &report.bad_rows {
        eprintln!("bad row: {}: line {}: {}", b.file, b.line, b.reason);
    }
    let mut summary = serde_json::Map::new();
    for (name, p) in &report.profiles {
        summary.insert(
            name.clone(),
            serde_json::json!((p.normalized * 100.0).round() / 100.0),
        );
    }
    let detail: serde_json::Map<String, serde_json::Value> = report
        .profiles
        .iter()
        .map(|(k, p)| (k.clone(), serde_json::to_value(p).unwrap_or_default()))
        .collect();
    summary.insert("files".into(), report.files.len().into());
    summary.insert(
        "rows".into(),
        report.files.iter().map(|f| f.rows).sum::<usize>().into(),
    );
    summary.insert(
        "windows".into(),
        report.files.iter().map(|f| f.windows).sum::<usize>().into(),
    );
    summary.insert("bad_rows".into(), report.bad_rows.len().into());
    summary.insert(
        "no_anomaly".into(),
        serde_json::to_value(&report.no_anomaly)?,
    );
    summary.insert("profiles".into(), detail.into());
    if args.json {
        println!("{}", serde_json::Value::Object(summary));
    } else {
        for (name, p) in &report.profiles {
            println!(
                "{name:20} {:7.2}  (threshold {:.4}, tp {}, fp {})",
                p.normalized, p.threshold, p.tp, p.fp
            );
        }
        if let Some(q) = &report.no_anomaly {
            println!(
                "artificialNoAnomaly: {} files, max score {:.3}, {} alerts at {}",
                q.files, q.max_score, q.alerts, q.alert_threshold
            );
        }
    }
    Ok(())
}
