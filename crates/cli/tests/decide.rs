//! End-to-end tests of `headroom optimize`, `headroom sensitivity` and precision-controlled
//! `headroom run`: JSON shape, constraints, determinism across thread counts, input errors.

use std::path::PathBuf;
use std::process::{Command, Output};

fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn headroom(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_headroom"))
        .args(args)
        .output()
        .expect("the headroom binary runs")
}

fn ok(o: &Output) -> String {
    assert_eq!(
        o.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

#[test]
fn optimize_json_respects_constraints_and_threads() {
    let small = fixture("small.toml");
    let args = |threads: &'static str| {
        vec![
            "optimize",
            small.as_str(),
            "--portfolio",
            "split",
            "--paths",
            "300",
            "--max-shortage",
            "0.2",
            "--max-share",
            "0.7",
            "--max-evaluations",
            "40",
            "--threads",
            threads,
            "--format",
            "json",
        ]
    };
    let one = ok(&headroom(&args("1")));
    let four = ok(&headroom(&args("4")));
    assert_eq!(one, four, "results must not depend on threads");
    let v = json(&one);
    assert_eq!(v["base_portfolio"], "split");
    assert_eq!(v["paths"], 300);
    assert!(v["evaluations"].as_u64().unwrap() <= 40);
    let best = &v["best"];
    if best["feasible"].as_bool().unwrap() {
        assert!(best["shortage_probability"].as_f64().unwrap() <= 0.2);
        assert!(best["max_share"].as_f64().unwrap() <= 0.7);
    }
    assert_eq!(
        best["gpus"].as_array().unwrap().len(),
        v["slots"].as_array().unwrap().len()
    );
    assert!(v["frontier"].as_array().is_some_and(|f| !f.is_empty()));
    assert_eq!(v["best_portfolio"]["name"], "split-optimized");
}

#[test]
fn optimize_table_shows_frontier_and_portfolio() {
    let out = ok(&headroom(&[
        "optimize",
        &fixture("small.toml"),
        "--paths",
        "200",
        "--objective",
        "cvar95",
        "--max-evaluations",
        "20",
    ]));
    assert!(out.contains("minimize CVaR95 of cost"), "{out}");
    assert!(out.contains("Efficient frontier"), "{out}");
    assert!(out.contains("[[portfolios]]"), "{out}");
    assert!(
        out.contains("name = \"single neocloud-optimized\""),
        "{out}"
    );
}

#[test]
fn optimize_rejects_bad_input() {
    let o = headroom(&[
        "optimize",
        &fixture("small.toml"),
        "--portfolio",
        "nope",
        "--max-share",
        "1.5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("max_share"), "{err}");
    assert!(err.contains("unknown portfolio `nope`"), "{err}");
}

#[test]
fn sensitivity_json_and_table() {
    let small = fixture("small.toml");
    let text = ok(&headroom(&[
        "sensitivity",
        &small,
        "--paths",
        "200",
        "--format",
        "json",
    ]));
    let v = json(&text);
    assert_eq!(v["portfolio"], "single neocloud");
    let rows = v["rows"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert_eq!(v["runs"].as_u64().unwrap(), 1 + 2 * rows.len() as u64);
    let swings: Vec<f64> = rows
        .iter()
        .map(|r| r["shortage_swing"].as_f64().unwrap())
        .collect();
    assert!(swings.windows(2).all(|w| w[0] >= w[1]));
    for key in ["input", "rule", "low_value", "high_value", "low", "high"] {
        assert!(rows[0].get(key).is_some(), "{key}");
    }
    let again = ok(&headroom(&[
        "sensitivity",
        &small,
        "--paths",
        "200",
        "--format",
        "json",
        "--threads",
        "3",
    ]));
    assert_eq!(text, again);
    let table = ok(&headroom(&[
        "sensitivity",
        &small,
        "--paths",
        "200",
        "--sort",
        "cost",
    ]));
    assert!(table.contains("workloads[inference].growth"), "{table}");
    assert!(table.contains("P10/P90"), "{table}");
}

#[test]
fn run_with_precision_target_is_deterministic() {
    let small = fixture("small.toml");
    let args = |threads: &'static str| {
        vec![
            "run",
            small.as_str(),
            "--target-se-prob",
            "0.02",
            "--target-se-cost",
            "0.01",
            "--max-paths",
            "20000",
            "--threads",
            threads,
            "--format",
            "json",
        ]
    };
    let o = headroom(&args("1"));
    let one = ok(&o);
    assert!(String::from_utf8_lossy(&o.stderr).contains("precision: target met after"));
    let three = ok(&headroom(&args("3")));
    assert_eq!(one, three);
    let v = json(&one);
    let paths = v["paths"].as_u64().unwrap();
    assert!((1000..20000).contains(&paths), "{paths}");
    let bad = headroom(&["run", &small, "--max-paths", "100"]);
    assert_eq!(bad.status.code(), Some(2));
}
