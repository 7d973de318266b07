//! healer: talk to healerd over its control socket.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use healerd::ipc::{Request, request};

#[derive(Parser)]
#[command(version, about = "Control and inspect healerd")]
struct Args {
    /// healerd's control socket.
    #[arg(
        long,
        env = "HEALERD_SOCKET",
        default_value = "/run/ainux/healerd.sock"
    )]
    socket: PathBuf,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Units under watch and what healerd is doing about them.
    Status,
    /// Recent healing actions.
    History {
        /// Only this unit.
        unit: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Stop healing a unit until resumed.
    Pause { unit: String },
    /// Heal a paused unit again.
    Resume { unit: String },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let req = match &args.cmd {
        Cmd::Status => Request::Status,
        Cmd::History { unit, limit } => Request::History {
            unit: unit.clone(),
            limit: *limit,
        },
        Cmd::Pause { unit } => Request::Pause { unit: unit.clone() },
        Cmd::Resume { unit } => Request::Resume { unit: unit.clone() },
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("healer: {e}");
            return ExitCode::from(71);
        }
    };
    let data = match rt.block_on(request(&args.socket, &req)) {
        Ok(d) => d,
        Err(e) => {
            let msg = std::iter::successors(Some(&e as &dyn std::error::Error), |e| e.source())
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join(": ");
            if args.json {
                println!("{}", serde_json::json!({ "ok": false, "error": msg }));
            } else {
                eprintln!("healer: {msg}");
            }
            return ExitCode::from(1);
        }
    };
    if args.json {
        println!("{data}");
        return ExitCode::SUCCESS;
    }
    print!("{}", healerd::ipc::render(&req, &data));
    ExitCode::SUCCESS
}
