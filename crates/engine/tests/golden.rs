//! Golden reports: every scenario file (plain and under each of its stress tests) at a fixed
//! seed and path count must reproduce `tests/golden/<file>.json` exactly.
//!
//! The golden file keeps each run's `digest` (which covers every number in the report, bit for
//! bit) and the headline metrics, so a failure shows what moved. A deliberate change to the
//! model or the draw order updates them with `HEADROOM_BLESS=1 cargo test -p engine --test golden`
//! (then review the diff and say why in the commit).

use engine::{Format, Report, RunOptions};
use serde_json::{Value, json};
use std::path::PathBuf;

const PATHS: u32 = 400;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn summary(r: &Report) -> Value {
    json!({
        "digest": r.digest,
        "scenario_digest": r.scenario_digest,
        "paths": r.paths,
        "seed": r.seed,
        "portfolios": r.portfolios.iter().map(|p| json!({
            "name": p.name,
            "shortage_probability": p.shortage_probability,
            "expected_unmet_gpu_hours": p.expected_unmet_gpu_hours,
            "cost_mean": p.cost.mean,
            "cost_p90": p.cost.p90,
            "cvar95": p.cost.cvar95,
            "utilization": p.utilization,
            "hhi": p.hhi,
            "emissions_tco2e": p.emissions_tco2e,
        })).collect::<Vec<_>>(),
    })
}

#[test]
fn scenario_reports_match_golden_files() {
    let bless = std::env::var_os("HEADROOM_BLESS").is_some();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("scenarios"))
        .expect("scenarios/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    let mut failures = Vec::new();
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).expect("read scenario");
        let s =
            engine::parse_scenario(&text, Format::Toml).unwrap_or_else(|d| panic!("{stem}: {d}"));
        let mut runs = serde_json::Map::new();
        let mut stresses: Vec<Vec<String>> = vec![vec![]];
        stresses.extend(s.stress_tests.iter().map(|t| vec![t.name.clone()]));
        for stress in stresses {
            let options = RunOptions {
                paths: Some(PATHS),
                seed: None,
                stress: stress.clone(),
            };
            let r = engine::simulate(&s, &options, &mut |_, _| true).expect("run");
            let key = stress
                .first()
                .cloned()
                .unwrap_or_else(|| "(no stress)".into());
            runs.insert(key, summary(&r));
        }
        let got = Value::Object(runs);
        let path = root().join("tests/golden").join(format!("{stem}.json"));
        if bless {
            std::fs::write(&path, serde_json::to_string_pretty(&got).unwrap() + "\n")
                .expect("write golden");
            continue;
        }
        match std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        {
            Some(want) if want == got => {}
            Some(want) => failures.push(format!(
                "{stem}: report differs from {}\n  want: {}\n  got:  {}",
                path.display(),
                serde_json::to_string(&want).unwrap(),
                serde_json::to_string(&got).unwrap()
            )),
            None => failures.push(format!(
                "{stem}: no golden file at {} (run with HEADROOM_BLESS=1)",
                path.display()
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
