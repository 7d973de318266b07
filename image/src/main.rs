//! `ainux-image`: build the ainux disk image from mkosi.conf.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use ainux_image::{Options, build, run};
use clap::{Parser, Subcommand};
use mkosi_config::Format;

#[derive(Parser)]
#[command(
    name = "ainux-image",
    version,
    about = "Build the ainux disk image from mkosi.conf (no mkosi needed)",
    long_about = "Build the ainux disk image from mkosi.conf and mkosi.conf.d/ (mkosi's syntax).\n\n\
        The package set is installed with mmdebstrap and cached under a digest of everything that \
        determines it (including the archive's current InRelease files), so a changed archive or \
        package list can never reuse a stale cache. Must run as root; nothing is left mounted and no \
        partial output is left behind, even when interrupted."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    build: BuildArgs,
}

#[derive(clap::Args, Clone)]
struct BuildArgs {
    /// Directory holding mkosi.conf [default: the workspace root]
    #[arg(short = 'C', long, value_name = "DIR", global = true)]
    directory: Option<PathBuf>,
    /// The Cargo workspace to take binaries, units/ and rootfs-overlay/ from [default: found upwards from DIR]
    #[arg(long, value_name = "DIR", global = true)]
    workspace: Option<PathBuf>,
    /// Debian mirror URL [default: Mirror= in mkosi.conf, else the host's apt configuration]
    #[arg(long, value_name = "URL", global = true)]
    mirror: Option<String>,
    /// Output format, overriding Format= (disk, qcow2, directory, tar)
    #[arg(long, value_name = "FORMAT", global = true)]
    format: Option<String>,
    /// Output directory, overriding OutputDirectory=
    #[arg(short = 'O', long, value_name = "DIR", global = true)]
    output_dir: Option<PathBuf>,
    /// Cache directory, overriding CacheDirectory= [default: WORKSPACE/mkosi.cache]
    #[arg(long, value_name = "DIR", global = true, env = "AINUX_CACHE_DIR")]
    cache_dir: Option<PathBuf>,
    /// Use the release binaries already built instead of running cargo
    #[arg(long, global = true)]
    skip_cargo: bool,
    /// Root file system size, e.g. 3G [default: content + room, at least 2G]
    #[arg(long, value_name = "SIZE", global = true)]
    root_size: Option<String>,
    /// Build the bare reference image (no ainux services; only the test agent)
    #[arg(long, global = true)]
    bare: bool,
    /// Print the summary as JSON on stdout
    #[arg(long, global = true)]
    json: bool,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the image (the default)
    Build,
    /// Print the effective configuration (JSON) and any warnings
    Inspect,
}

fn find_workspace(start: &Path) -> Option<PathBuf> {
    let start = std::fs::canonicalize(start).ok()?;
    start
        .ancestors()
        .find(|d| {
            std::fs::read_to_string(d.join("Cargo.toml"))
                .map(|t| t.contains("[workspace]"))
                .unwrap_or(false)
        })
        .map(Path::to_path_buf)
}

fn print_chain(e: &dyn std::error::Error) {
    eprintln!("error: {e}");
    let mut src = e.source();
    while let Some(s) = src {
        eprintln!("  caused by: {s}");
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && io.raw_os_error() == Some(libc::ENOSPC)
        {
            eprintln!(
                "  what to do: the disk is full; free space in the output or cache directory and run again"
            );
        }
        src = s.source();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let a = cli.build;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let workspace = a
        .workspace
        .clone()
        .or_else(|| find_workspace(a.directory.as_deref().unwrap_or(&cwd)))
        .unwrap_or_else(|| cwd.clone());
    let config_dir = a.directory.clone().unwrap_or_else(|| workspace.clone());
    let format = match a.format.as_deref().map(|f| (f, Format::parse(f))) {
        None => None,
        Some((_, Some(f))) => Some(f),
        Some((f, None)) => {
            eprintln!(
                "error: --format {f:?} is not supported: expected one of: {}",
                Format::NAMES.join(", ")
            );
            return ExitCode::from(2);
        }
    };
    let root_size = match a.root_size.as_deref().map(mkosi_config::values::parse_size) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            eprintln!("error: --root-size: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Cmd::Inspect) = cli.command {
        return match mkosi_config::load(&config_dir) {
            Ok(l) => {
                for w in &l.warnings {
                    eprintln!("warning: {w}");
                }
                println!("{}", l.config.to_canonical_json());
                ExitCode::SUCCESS
            }
            Err(e) => {
                print_chain(&e);
                ExitCode::from(2)
            }
        };
    }
    run::install_signal_handlers();
    let opts = Options {
        config_dir,
        workspace,
        mirror: a.mirror,
        format,
        output_dir: a.output_dir,
        cache_dir: a.cache_dir,
        skip_cargo: a.skip_cargo,
        root_size,
        bare: a.bare,
        target_dir: std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from),
    };
    match build(&opts) {
        Ok(s) => {
            eprintln!();
            eprintln!(
                "ainux-image: built {} ({}) in {:.1} s",
                s.image_id, s.format, s.total_seconds
            );
            for o in &s.outputs {
                eprintln!(
                    "  {}  {:.1} MiB ({:.1} MiB allocated)  sha256 {}",
                    o.path.display(),
                    o.bytes as f64 / 1048576.0,
                    o.allocated_bytes as f64 / 1048576.0,
                    if o.sha256.is_empty() { "-" } else { &o.sha256 }
                );
            }
            eprintln!("  steps:");
            for st in &s.steps {
                eprintln!("    {:<24} {:>7.1} s  {}", st.name, st.seconds, st.note);
            }
            eprintln!(
                "  package cache: {} ({})",
                s.packages_cache,
                &s.packages_key[..16]
            );
            if a.json {
                println!("{}", serde_json::to_string(&s).expect("json"));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!();
            print_chain(&e);
            eprintln!(
                "  (nothing was left mounted; partial outputs were removed; log: see .ainux-build.log in the output directory)"
            );
            ExitCode::from(e.exit_code())
        }
    }
}
