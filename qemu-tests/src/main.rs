//! `ainux-vm`: boot the built image under QEMU (UEFI), interactively or headless.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::{Parser, Subcommand};
use qemu_tests::machine::{OVMF_CODE, OVMF_VARS};
use qemu_tests::{Accel, MachineBuilder, default_image, probe_accel};

#[derive(Parser)]
#[command(
    name = "ainux-vm",
    version,
    about = "Boot the ainux image under QEMU with UEFI firmware"
)]
struct Cli {
    /// Disk image to boot [default: $AINUX_IMAGE, else mkosi.output/ainux.raw]
    #[arg(long, global = true, value_name = "FILE")]
    image: Option<PathBuf>,
    /// Accelerator: auto (probe KVM, fall back to TCG), kvm or tcg
    #[arg(long, global = true, default_value = "auto")]
    accel: String,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Boot the image. On a terminal: its serial console, interactively (Ctrl-A X quits). Without
    /// one (CI): boot headless, wait for multi-user.target, print what the guest says, power off.
    Boot {
        /// Never attach the console, even on a terminal
        #[arg(long)]
        headless: bool,
        /// Memory in MiB
        #[arg(long, default_value_t = 2048)]
        memory: u64,
    },
    /// Boot headless and measure the time to multi-user.target (the guest's own notification),
    /// with systemd-analyze's phases; the last line is JSON.
    BootTime {
        #[arg(long, default_value_t = 1)]
        runs: u32,
        /// A reference image booted alternately with the image (same run, same machine), so
        /// the ratio of the two medians is measured side by side
        #[arg(long, value_name = "FILE")]
        compare: Option<PathBuf>,
    },
    /// Print the accelerator a probe boot selects (kvm or tcg).
    Probe,
}

fn accel(choice: &str, image: &std::path::Path) -> Result<Accel, String> {
    match choice {
        "auto" => Ok(probe_accel(image)),
        "kvm" => Ok(Accel::Kvm),
        "tcg" => Ok(Accel::Tcg),
        other => Err(format!("--accel {other:?}: expected auto, kvm or tcg")),
    }
}

fn is_tty() -> bool {
    // SAFETY: isatty has no preconditions.
    unsafe { libc::isatty(0) == 1 && libc::isatty(1) == 1 }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let image = cli.image.clone().unwrap_or_else(default_image);
    match run(&cli, &image) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ainux-vm: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli, image: &std::path::Path) -> anyhow::Result<()> {
    let acc = accel(&cli.accel, image).map_err(anyhow::Error::msg)?;
    match &cli.cmd {
        Cmd::Probe => {
            println!("{}", acc.as_str());
            Ok(())
        }
        Cmd::Boot { headless, memory } if !headless && is_tty() => {
            anyhow::ensure!(
                image.is_file(),
                "the image {} does not exist; build it first",
                image.display()
            );
            let dir =
                std::env::temp_dir().join(format!("ainux-vm-interactive-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            let overlay = dir.join("overlay.qcow2");
            let fmt = if image.extension().is_some_and(|e| e == "qcow2") {
                "qcow2"
            } else {
                "raw"
            };
            let st = Command::new("qemu-img")
                .args(["create", "-q", "-f", "qcow2", "-F", fmt, "-b"])
                .arg(std::fs::canonicalize(image)?)
                .arg(&overlay)
                .status()?;
            anyhow::ensure!(st.success(), "qemu-img create failed");
            let vars = dir.join("OVMF_VARS.fd");
            std::fs::copy(OVMF_VARS, &vars)?;
            eprintln!(
                "Booting {} ({}); changes go to a throw-away overlay in {}. Ctrl-A X quits.",
                image.display(),
                acc.as_str(),
                dir.display()
            );
            let err = Command::new("qemu-system-x86_64")
                .args([
                    "-machine",
                    "q35,smm=off",
                    "-m",
                    &format!("{memory}M"),
                    "-smp",
                    "2",
                    "-nographic",
                    "-nodefaults",
                ])
                .args(acc.qemu_args())
                .args([
                    "-drive",
                    &format!("if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE}"),
                ])
                .args([
                    "-drive",
                    &format!("if=pflash,format=raw,unit=1,file={}", vars.display()),
                ])
                .args([
                    "-drive",
                    &format!("if=none,id=disk0,format=qcow2,file={}", overlay.display()),
                ])
                .args(["-device", "virtio-blk-pci,drive=disk0,bootindex=0"])
                .args([
                    "-serial",
                    "mon:stdio",
                    "-nic",
                    "user,model=virtio-net-pci",
                    "-device",
                    "virtio-rng-pci",
                ])
                .exec();
            Err(err.into())
        }
        Cmd::Boot { memory, .. } => {
            let mut m = MachineBuilder::new(image)
                .name("boot")
                .accel(acc)
                .memory_mib(*memory)
                .start()?;
            let t = m.wait_for_boot()?;
            println!(
                "booted {} to multi-user.target in {:.1} s ({})",
                image.display(),
                t.as_secs_f64(),
                acc.as_str()
            );
            let info = m.succeed(
                "echo \"host: $(hostname)  kernel: $(uname -r)\"; . /etc/os-release; echo \"os: $PRETTY_NAME ($IMAGE_ID $IMAGE_VERSION)\"; \
                 echo \"state: $(systemctl is-system-running)\"; systemctl list-units --no-pager --plain --no-legend 'questlogd*' 'kmonitord*' 'healerd*' 'aishd*' | cut -c1-78; \
                 systemd-analyze time --no-pager | head -1; systemd-analyze critical-chain --no-pager 2>/dev/null | head -25",
            )?;
            print!("{info}");
            m.shutdown()?;
            println!("powered off cleanly");
            Ok(())
        }
        Cmd::BootTime { runs, compare } => {
            let mut images = vec![image.to_path_buf()];
            images.extend(compare.iter().cloned());
            let mut times: Vec<Vec<f64>> = vec![Vec::new(); images.len()];
            let mut analyze = vec![serde_json::Value::Null; images.len()];
            for run in 0..*runs {
                // Alternate the images so load on the machine hits both alike.
                for (i, img) in images.iter().enumerate() {
                    let (t, a) = boot_once(img, acc)?;
                    println!(
                        "run {}: {} reached multi-user.target after {t:.2} s",
                        run + 1,
                        img.display()
                    );
                    times[i].push(t);
                    analyze[i] = a;
                }
            }
            let median = |v: &mut Vec<f64>| {
                v.sort_by(f64::total_cmp);
                let n = v.len();
                if n % 2 == 1 {
                    v[n / 2]
                } else {
                    (v[n / 2 - 1] + v[n / 2]) / 2.0
                }
            };
            let boot_s = median(&mut times[0]);
            let mut out = serde_json::json!({
                "image": images[0], "accel": acc.as_str(), "boot_s": boot_s,
                "runs": times[0], "systemd_analyze": analyze[0],
            });
            if images.len() > 1 {
                let bare = median(&mut times[1]);
                out["compare_image"] = serde_json::json!(images[1]);
                out["compare_boot_s"] = serde_json::json!(bare);
                out["compare_runs"] = serde_json::json!(times[1]);
                out["compare_systemd_analyze"] = analyze[1].clone();
                out["boot_ratio"] = serde_json::json!(boot_s / bare);
            }
            println!("{out}");
            Ok(())
        }
    }
}

/// Boots `image` once: seconds from QEMU's start to the guest's `booted` notification, and
/// systemd-analyze's phases.
fn boot_once(image: &std::path::Path, acc: Accel) -> anyhow::Result<(f64, serde_json::Value)> {
    let mut m = MachineBuilder::new(image)
        .name("boot-time")
        .accel(acc)
        .start()?;
    let t = m.wait_for_boot()?.as_secs_f64();
    let out = m.wait_until_succeeds("systemd-analyze time --no-pager", Duration::from_secs(120))?;
    println!("  {}", out.lines().next().unwrap_or_default());
    m.kill();
    Ok((t, parse_analyze(&out)))
}

/// Parses `systemd-analyze time`'s first line ("Startup finished in 1.2s (firmware) + …").
fn parse_analyze(text: &str) -> serde_json::Value {
    let mut map = serde_json::Map::new();
    let first = text.lines().next().unwrap_or_default();
    let body = first.split(" in ").nth(1).unwrap_or_default();
    let body = body.split(" = ").next().unwrap_or_default();
    for part in body.split(" + ") {
        let part = part.trim();
        let (val, name) = match part.split_once(" (") {
            Some((v, n)) => (v.trim(), n.trim_end_matches(')').to_string()),
            None => (
                part.split(" = ").next().unwrap_or(part),
                "total".to_string(),
            ),
        };
        if let Some(s) = parse_duration(val) {
            map.insert(
                format!("{}_s", name.replace(' ', "_")),
                serde_json::json!(s),
            );
        }
    }
    if let Some(total) = first
        .split(" = ")
        .nth(1)
        .and_then(|t| parse_duration(t.trim()))
    {
        map.insert("total_s".into(), serde_json::json!(total));
    }
    serde_json::Value::Object(map)
}

/// "1min 2.5s", "850ms", "3.2s" → seconds.
fn parse_duration(s: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut any = false;
    for tok in s.split_whitespace() {
        let (num, unit): (String, String) = (
            tok.chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect(),
            tok.chars()
                .skip_while(|c| c.is_ascii_digit() || *c == '.')
                .collect(),
        );
        let n: f64 = num.parse().ok()?;
        total += match unit.as_str() {
            "min" => n * 60.0,
            "s" => n,
            "ms" => n / 1000.0,
            "us" | "µs" => n / 1e6,
            "h" => n * 3600.0,
            _ => return None,
        };
        any = true;
    }
    any.then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analyze_line_is_parsed() {
        let v = parse_analyze(
            "Startup finished in 3.012s (firmware) + 1.5s (loader) + 2.101s (kernel) + 4.2s (initrd) + 1min 2.250s (userspace) = 1min 13.063s\nmulti-user.target reached after 1min 2.1s in userspace.",
        );
        let close = |k: &str, want: f64| (v[k].as_f64().unwrap() - want).abs() < 1e-6;
        assert!(close("firmware_s", 3.012), "{v}");
        assert!(close("userspace_s", 62.25), "{v}");
        assert!(close("total_s", 73.063), "{v}");
        assert_eq!(parse_duration("850ms"), Some(0.85));
        assert_eq!(parse_duration("soon"), None);
    }
}
