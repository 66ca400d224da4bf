//! `forecast eval` and `forecast score` through the binary, on a small generated data set
//! (no database): every method and `auto` reported, the `--out` file complete and with
//! ordered quantiles, a bad file refused with its line number and nothing written, and
//! `score` reproducing `eval`'s figures from the `--out` file.
#![allow(clippy::unwrap_used)]

use pharma_forecast::Method;
use pharma_forecast::eval::synth;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

const H: usize = 14;
const DAYS: usize = 120;
const ITEMS: usize = 8;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_pharma-sync-server"))
        .args(args)
        .env("RUST_LOG", "warn")
        .env_remove("PHARMA_SYNC_CONFIG")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The synthetic items as a long CSV, plus one series too short to hold out `H` points.
fn dataset(dir: &Path) -> PathBuf {
    let mut text = String::from("unique_id,ds,y\n");
    for item in synth::dataset(ITEMS, DAYS, 3) {
        for (d, y) in item.values.iter().enumerate() {
            text.push_str(&format!("{},{},{y}\n", item.id, day(d)));
        }
    }
    for d in 0..H {
        text.push_str(&format!("court,{},1\n", day(d)));
    }
    let path = dir.join("series.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn day(d: usize) -> String {
    (chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Days::new(d as u64))
        .format("%Y-%m-%d")
        .to_string()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn eval_reports_every_method_and_writes_every_held_out_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let input = dataset(dir.path());
    let out = dir.path().join("ours.csv");
    let (ok, stdout, stderr) = run(&[
        "forecast",
        "eval",
        "--input",
        s(&input),
        "--horizon",
        "14",
        "--season",
        "7",
        "--out",
        s(&out),
    ]);
    assert!(ok, "{stderr}");
    let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).chain(["auto"]).collect();
    for name in &names {
        assert!(stdout.lines().any(|l| l.starts_with(&format!("{name} "))), "{name} missing:\n{stdout}");
    }
    for label in ["MASE", "RMSSE", "pinball 0.5", "pinball 0.9", "pinball 0.95", "couverture 90 %"] {
        assert!(stdout.contains(label), "{stdout}");
    }
    assert!(stdout.contains(&format!("toutes classes — {ITEMS} séries")), "{stdout}");
    assert!(stdout.contains("1 séries ignorées (moins de 15 points) : court"), "{stdout}");

    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("unique_id,ds,method,mean,q05,q50,q90,q95"));
    let held_out: Vec<String> = (DAYS - H..DAYS).map(day).collect();
    let mut rows: HashMap<(String, String), usize> = HashMap::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 8, "{line}");
        assert!(held_out.iter().any(|d| d == f[1]), "{line}");
        let v: Vec<f64> = f[3..].iter().map(|x| x.parse().unwrap()).collect();
        assert!(v.iter().all(|x| x.is_finite() && *x >= 0.0), "{line}");
        assert!(v[1] <= v[2] && v[2] <= v[3] && v[3] <= v[4], "quantiles out of order: {line}");
        *rows.entry((f[0].to_string(), f[2].to_string())).or_default() += 1;
    }
    assert_eq!(rows.len(), ITEMS * names.len());
    assert!(rows.values().all(|n| *n == H), "{rows:?}");
    assert!(!rows.keys().any(|(id, _)| id == "court"));
}

#[test]
fn a_bad_file_is_refused_with_its_line_number_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("bad.csv");
    std::fs::write(
        &input,
        "unique_id,ds,y\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-03,1\na,2024-01-04,deux\n",
    )
    .unwrap();
    let out = dir.path().join("ours.csv");
    let (ok, _, stderr) =
        run(&["forecast", "eval", "--input", s(&input), "--horizon", "2", "--season", "1", "--out", s(&out)]);
    assert!(!ok);
    assert!(stderr.contains("ligne 5 : y « deux » n'est pas un nombre fini"), "{stderr}");
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "only the input remains");

    std::fs::write(&input, "unique_id,ds,y\na,2024-01-01,1\na,2024-01-02,2\na,2024-01-04,1\n").unwrap();
    let (ok, _, stderr) =
        run(&["forecast", "eval", "--input", s(&input), "--horizon", "1", "--season", "1", "--out", s(&out)]);
    assert!(!ok);
    assert!(stderr.contains("série « a » : point manquant à ds « 2024-01-03 »"), "{stderr}");
    assert!(stderr.contains("ligne 4"), "{stderr}");
    assert!(!out.exists());
}

#[test]
fn score_of_the_eval_output_gives_the_same_figures() {
    let dir = tempfile::tempdir().unwrap();
    let input = dataset(dir.path());
    let out = dir.path().join("ours.csv");
    let common = ["--input", s(&input), "--horizon", "14", "--season", "7", "--json"];
    let (ok, eval_json, stderr) = run(&[&["forecast", "eval"][..], &common, &["--out", s(&out)]].concat());
    assert!(ok, "{stderr}");
    let (ok, score_json, stderr) =
        run(&[&["forecast", "score"][..], &common, &["--forecasts", s(&out)]].concat());
    assert!(ok, "{stderr}");
    let eval: serde_json::Value = serde_json::from_str(&eval_json).unwrap();
    let score: serde_json::Value = serde_json::from_str(&score_json).unwrap();
    assert_eq!(eval["tables"], score["tables"]);
    assert_eq!(eval["skipped"], score["skipped"]);
    assert_eq!(eval["tables"][0]["rows"][0]["series"], ITEMS);
    // The tables for people went to standard error, identical too.
    let tables = |t: &str| t.split_once("\n\n").map(|(_, rest)| rest.to_string()).unwrap();
    let (_, _, eval_text) = run(&[&["forecast", "eval"][..], &common].concat());
    assert_eq!(tables(&eval_text), tables(&stderr));
}

#[test]
fn score_takes_forecasts_without_quantiles_and_refuses_incomplete_ones() {
    let dir = tempfile::tempdir().unwrap();
    let input = dataset(dir.path());
    let mut text = String::from("method,unique_id,ds,mean\n");
    for item in 0..ITEMS {
        for d in DAYS - H..DAYS {
            text.push_str(&format!("zero,item-{item:05},{},0\n", day(d)));
        }
    }
    let forecasts = dir.path().join("other.csv");
    std::fs::write(&forecasts, &text).unwrap();
    let args = [
        "forecast",
        "score",
        "--input",
        s(&input),
        "--horizon",
        "14",
        "--season",
        "7",
        "--forecasts",
        s(&forecasts),
    ];
    let (ok, stdout, stderr) = run(&args);
    assert!(ok, "{stderr}");
    let zero = stdout.lines().find(|l| l.starts_with("zero ")).unwrap();
    assert_eq!(zero.matches('—').count(), 4, "{zero}");

    // One point missing: refused, naming it.
    let cut: String =
        text.lines().filter(|l| !l.contains(&day(DAYS - 1))).map(|l| format!("{l}\n")).collect();
    std::fs::write(&forecasts, cut).unwrap();
    let (ok, _, stderr) = run(&args);
    assert!(!ok);
    assert!(stderr.contains(&format!("prévision manquante pour ds « {} »", day(DAYS - 1))), "{stderr}");
}
