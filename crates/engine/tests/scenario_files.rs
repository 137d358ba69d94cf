//! Every scenario shipped in `scenarios/` parses, validates, runs (plain and under each of its
//! stress tests) with sane results, and survives a round trip through `to_toml`.

use engine::{Format, Report, RunOptions, Scenario};
use std::path::PathBuf;

fn scenario_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios")
}

/// Every `scenarios/*.toml`, sorted by name, with its text.
fn scenario_files() -> Vec<(String, String)> {
    let dir = scenario_dir();
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|entry| {
            let path = entry.expect("directory entry").path();
            (path.extension().and_then(|e| e.to_str()) == Some("toml")).then(|| {
                let text = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, text)
            })
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "no scenario files found in {}",
        dir.display()
    );
    files
}

fn parse(file: &str, text: &str) -> Scenario {
    engine::parse_scenario(text, Format::Toml)
        .unwrap_or_else(|d| panic!("{file} is not a valid scenario:\n{d}"))
}

fn prob(file: &str, what: &str, p: f64) {
    assert!(
        p.is_finite() && (0.0..=1.0).contains(&p),
        "{file}: {what} = {p} is not a probability"
    );
}

fn money(file: &str, what: &str, x: f64) {
    assert!(
        x.is_finite() && x >= 0.0,
        "{file}: {what} = {x} is not a finite, non-negative amount"
    );
}

fn check_report(file: &str, s: &Scenario, r: &Report) {
    assert!(!r.digest.is_empty(), "{file}: empty report digest");
    assert!(
        !r.scenario_digest.is_empty(),
        "{file}: empty scenario digest"
    );
    assert_eq!(
        r.portfolios.len(),
        s.portfolios.len(),
        "{file}: portfolio count"
    );
    assert_eq!(r.horizon_weeks, s.horizon_weeks, "{file}: horizon");
    for p in &r.portfolios {
        let f = format!("{file} [{}] {:?}", p.name, r.stress);
        prob(&f, "shortage_probability", p.shortage_probability);
        for (w, &q) in p.weekly_shortage_probability.iter().enumerate() {
            prob(&f, &format!("weekly_shortage_probability[{w}]"), q);
        }
        for c in &p.classes {
            prob(
                &f,
                &format!("class {} shortage_probability", c.name),
                c.shortage_probability,
            );
            money(
                &f,
                &format!("class {} unmet", c.name),
                c.expected_unmet_gpu_hours,
            );
        }
        prob(
            &f,
            "largest_provider_outage.shortage_probability",
            p.largest_provider_outage.shortage_probability,
        );
        let c = &p.cost;
        for (what, x) in [
            ("cost.mean", c.mean),
            ("cost.p50", c.p50),
            ("cost.p90", c.p90),
            ("cost.p95", c.p95),
            ("cost.p99", c.p99),
            ("cost.cvar95", c.cvar95),
            ("breakdown.committed", c.breakdown.committed),
            ("breakdown.burst", c.breakdown.burst),
            ("breakdown.emergency", c.breakdown.emergency),
            ("breakdown.exit_penalties", c.breakdown.exit_penalties),
            (
                "breakdown.degradation_penalty",
                c.breakdown.degradation_penalty,
            ),
            ("breakdown.shortage_penalty", c.breakdown.shortage_penalty),
            ("cost_per_served_gpu_hour", p.cost_per_served_gpu_hour),
            ("expected_unmet_gpu_hours", p.expected_unmet_gpu_hours),
            ("emissions_tco2e", p.emissions_tco2e),
        ] {
            money(&f, what, x);
        }
        assert!(
            c.p50 <= c.p90 && c.p90 <= c.p95 && c.p95 <= c.p99,
            "{f}: cost percentiles out of order"
        );
        assert!(
            c.mean > 0.0,
            "{f}: a portfolio that serves demand must cost something"
        );
        prob(&f, "utilization", p.utilization);
        assert!(
            p.hhi.is_finite() && (0.0..=10_000.0 + 1e-6).contains(&p.hhi),
            "{f}: hhi = {} outside 0-10,000",
            p.hhi
        );
        let share: f64 = p.provider_share.iter().map(|s| s.capacity).sum();
        assert!(
            share == 0.0 || (share - 1.0).abs() < 1e-6,
            "{f}: capacity shares sum to {share}"
        );
    }
}

#[test]
fn every_scenario_file_parses_and_runs_with_each_stress_test() {
    for (file, text) in scenario_files() {
        let s = parse(&file, &text);
        assert!(!s.name.trim().is_empty(), "{file}: no name");
        assert!(!s.description.trim().is_empty(), "{file}: no description");
        let mut runs = vec![Vec::new()];
        runs.extend(s.stress_tests.iter().map(|t| vec![t.name.clone()]));
        for stress in runs {
            let options = RunOptions {
                paths: Some(200),
                seed: None,
                stress: stress.clone(),
            };
            let report = engine::simulate(&s, &options, &mut |_, _| true)
                .unwrap_or_else(|e| panic!("{file} with stress {stress:?} failed: {e}"));
            assert_eq!(report.paths, 200, "{file}: paths override ignored");
            assert_eq!(report.stress, stress, "{file}: stress list");
            check_report(&file, &s, &report);
        }
    }
}

#[test]
fn every_scenario_file_round_trips_through_toml() {
    for (file, text) in scenario_files() {
        let s = parse(&file, &text);
        let written = engine::scenario::to_toml(&s);
        let again = engine::parse_scenario(&written, Format::Toml).unwrap_or_else(|d| {
            panic!("{file}: to_toml output does not re-parse:\n{d}\n--- output ---\n{written}")
        });
        assert_eq!(
            s, again,
            "{file}: round trip through to_toml changed the scenario"
        );
    }
}

#[test]
fn every_scenario_file_round_trips_through_json() {
    for (file, text) in scenario_files() {
        let s = parse(&file, &text);
        let written = engine::scenario::to_json(&s);
        let again = engine::parse_scenario(&written, Format::Json)
            .unwrap_or_else(|d| panic!("{file}: to_json output does not re-parse:\n{d}"));
        assert_eq!(
            s, again,
            "{file}: round trip through to_json changed the scenario"
        );
    }
}

#[test]
fn scenario_runs_are_deterministic() {
    for (file, text) in scenario_files() {
        let s = parse(&file, &text);
        let options = RunOptions {
            paths: Some(50),
            ..RunOptions::default()
        };
        let a = engine::simulate(&s, &options, &mut |_, _| true).unwrap();
        let b = engine::simulate(&s, &options, &mut |_, _| true).unwrap();
        assert_eq!(a.digest, b.digest, "{file}: same seed, different digest");
    }
}
