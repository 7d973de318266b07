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

fn run_eval(args: EvalArgs) -> anyhow::Result<()> {
    let parent = args.data.join("..");
    let detector = match &args.detector_config {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            toml::from_str::<DetectorConfig>(&text)
                .with_context(|| format!("bad detector config {}", p.display()))?
        }
        None => DetectorConfig::default(),
    };
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
