//! `kmonitor eval` end to end on a small NAB-style corpus written to a temp dir.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;
use std::process::Command;

const PROFILES: &str = r#"{
"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}},
"reward_low_FP_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.22, "tnWeight": 1.0}},
"reward_low_FN_rate": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 2.0, "fpWeight": 0.11, "tnWeight": 1.0}}
}"#;

fn ts(i: usize) -> String {
    let minutes = i * 5;
    let day = 1 + minutes / 1440;
    format!(
        "2015-01-{:02} {:02}:{:02}:00",
        day,
        (minutes % 1440) / 60,
        minutes % 60
    )
}

fn noise(i: usize) -> f64 {
    ((i * 7919 + 13) % 101) as f64 / 50.0 - 1.0
}

fn write_series(path: &Path, n: usize, f: impl Fn(usize) -> f64, bad_line: bool) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut s = String::from("timestamp,value\n");
    for i in 0..n {
        writeln!(s, "{},{}", ts(i), f(i)).unwrap();
        if bad_line && i == 100 {
            s.push_str("2015-01-01 08:21:00,not-a-number\n");
        }
    }
    fs::write(path, s).unwrap();
}

fn setup(root: &Path, with_bad_row: bool) {
    let data = root.join("data");
    // A step at row 1500 of 2000, labelled around it.
    write_series(
        &data.join("realMachine/step.csv"),
        2000,
        |i| if i < 1500 { 10.0 } else { 30.0 } + noise(i),
        with_bad_row,
    );
    write_series(
        &data.join("artificialNoAnomaly/noise.csv"),
        2000,
        |i| 5.0 + noise(i),
        false,
    );
    fs::create_dir_all(root.join("labels")).unwrap();
    let labels = format!(
        r#"{{"realMachine/step.csv": [["{}.000000", "{}.000000"]], "artificialNoAnomaly/noise.csv": []}}"#,
        ts(1400),
        ts(1600)
    );
    fs::write(root.join("labels/combined_windows.json"), labels).unwrap();
    fs::write(root.join("profiles.json"), PROFILES).unwrap();
}

fn kmonitor(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kmonitor"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn eval_writes_results_and_prints_scores() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), true);
    let data = dir.path().join("data");
    let out = dir.path().join("out");
    let o = kmonitor(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8(o.stdout).unwrap();
    let last = stdout.lines().last().unwrap();
    let v: serde_json::Value = serde_json::from_str(last).unwrap();
    for p in ["standard", "reward_low_FP_rate", "reward_low_FN_rate"] {
        let s = v[p].as_f64().unwrap();
        assert!(s > 50.0 && s <= 100.0, "{p}: {s}");
    }
    assert_eq!(v["files"], 2);
    assert_eq!(v["bad_rows"], 1);
    assert_eq!(v["no_anomaly"]["alerts"], 0);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("line 103"), "{stderr}");

    let results = fs::read_to_string(out.join("kmonitor/realMachine/kmonitor_step.csv")).unwrap();
    let mut lines = results.lines();
    assert_eq!(lines.next(), Some("timestamp,value,anomaly_score"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 2000, "one row per good input row");
    for r in &rows {
        let s: f64 = r.rsplit(',').next().unwrap().parse().unwrap();
        assert!((0.0..=1.0).contains(&s));
    }
    assert!(
        out.join("kmonitor/artificialNoAnomaly/kmonitor_noise.csv")
            .exists()
    );
}

#[test]
fn strict_mode_fails_on_a_bad_row_and_filters_select_files() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path(), true);
    let data = dir.path().join("data");
    let o = kmonitor(&["eval", "--data", data.to_str().unwrap(), "--strict"]);
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("line 103") && stderr.contains("step.csv"),
        "{stderr}"
    );

    let o = kmonitor(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--group",
        "artificialNoAnomaly",
        "--json",
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(v["windows"], 0);

    // The quiet check runs even when the selection leaves the no-anomaly group out.
    let o = kmonitor(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--files",
        "step.csv",
        "--json",
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let v: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(v["no_anomaly"]["files"], 1);
    assert_eq!(v["no_anomaly"]["alerts"], 0);

    let o = kmonitor(&[
        "eval",
        "--data",
        data.to_str().unwrap(),
        "--files",
        "nothing*",
    ]);
    assert!(!o.status.success());
}
