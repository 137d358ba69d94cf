//! Decision support for the browser: the optimizer and the sensitivity tornado, JSON in and JSON
//! out, with progress reported through a JS callback.
//!
//! The request is the engine's own `OptimizeOptions` / `SensitivityOptions` and the answer its
//! `Optimization` / `Tornado`, serialized as they are: the same JSON as `headroom optimize` and
//! `headroom sensitivity` with `--format json`, so the CLI, the worker and the UI share one
//! definition. Each is one blocking call: a worker running it cannot see a `postMessage`d cancel
//! until it returns, so the UI runs these in a worker of their own and cancels by terminating it;
//! a caller running them elsewhere can cancel by returning `false` from the callback.

use engine::decide::{self, Inline, OptimizeOptions, SensitivityOptions};
use engine::{Diagnostics, Format, RunError};
use wasm_bindgen::prelude::*;

use crate::{from_json, single, to_js_error, to_json};

/// Message of the diagnostic returned when the progress callback cancels.
pub const CANCELLED: &str = "cancelled by the progress callback";

fn run_error(e: RunError) -> Diagnostics {
    match e {
        RunError::Invalid(d) => d,
        RunError::Cancelled => single("", CANCELLED.into(), None),
    }
}

/// Options JSON (empty = every default) into the engine's options type, which denies unknown
/// fields so a typo is a diagnostic rather than a silently ignored setting.
fn options_of<T: serde::de::DeserializeOwned + Default>(json: &str) -> Result<T, Diagnostics> {
    if json.trim().is_empty() {
        Ok(T::default())
    } else {
        from_json("options", json)
    }
}

/// The optimizer's `Optimization` as JSON. `progress(done, total)` counts candidates simulated
/// out of the evaluation budget; returning `false` cancels.
pub fn optimize_impl(
    scenario_json: &str,
    options_json: &str,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<String, Diagnostics> {
    // The engine's own decoder, not serde: it validates and reports every problem.
    let scenario = engine::parse_scenario(scenario_json, Format::Json)?;
    let options: OptimizeOptions = options_of(options_json)?;
    let out = decide::optimize(&scenario, &options, &mut Inline, progress).map_err(run_error)?;
    to_json("optimization", &out)
}

/// The sensitivity `Tornado` as JSON. `progress(done, total)` counts simulations; returning
/// `false` cancels.
pub fn sensitivity_impl(
    scenario_json: &str,
    options_json: &str,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<String, Diagnostics> {
    let scenario = engine::parse_scenario(scenario_json, Format::Json)?;
    let options: SensitivityOptions = options_of(options_json)?;
    let out = decide::sensitivity(&scenario, &options, &mut Inline, progress).map_err(run_error)?;
    to_json("tornado", &out)
}

/// Runs `job` with an optional JS `onProgress(done, total)` as the engine's callback: `false`
/// cancels, any other return value goes on; a callback that throws cancels, and its error is
/// what the caller sees.
fn with_js_progress(
    callback: Option<&js_sys::Function>,
    job: impl FnOnce(&mut dyn FnMut(u32, u32) -> bool) -> Result<String, Diagnostics>,
) -> Result<String, JsError> {
    let mut thrown = None;
    let result = job(&mut |done, total| {
        let Some(f) = callback else { return true };
        match f.call2(&JsValue::NULL, &done.into(), &total.into()) {
            Ok(v) => v.as_bool() != Some(false),
            Err(e) => {
                thrown = Some(e.as_string().unwrap_or_else(|| format!("{e:?}")));
                false
            }
        }
    });
    match (result, thrown) {
        (Err(_), Some(message)) => Err(to_js_error(&single(
            "",
            format!("the progress callback failed: {message}"),
            None,
        ))),
        (r, _) => r.map_err(|d| to_js_error(&d)),
    }
}

/// `optimize(scenarioJson, optionsJson, onProgress?)`: the optimizer's result JSON (as `headroom
/// optimize --format json`); throws with the diagnostics JSON.
#[wasm_bindgen]
pub fn optimize(
    scenario_json: &str,
    options_json: &str,
    on_progress: Option<js_sys::Function>,
) -> Result<String, JsError> {
    with_js_progress(on_progress.as_ref(), |progress| {
        optimize_impl(scenario_json, options_json, progress)
    })
}

/// `sensitivity(scenarioJson, optionsJson, onProgress?)`: the tornado JSON (as `headroom
/// sensitivity --format json`); throws with the diagnostics JSON.
#[wasm_bindgen]
pub fn sensitivity(
    scenario_json: &str,
    options_json: &str,
    on_progress: Option<js_sys::Function>,
) -> Result<String, JsError> {
    with_js_progress(on_progress.as_ref(), |progress| {
        sensitivity_impl(scenario_json, options_json, progress)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use engine::decide::{Optimization, Tornado};

    const SCENARIO: &str = r#"
        name = "two clouds"
        horizon_weeks = 26
        paths = 300
        [[workloads]]
        name = "inference"
        base_gpus = 100
        growth = { uniform = { min = 0.1, max = 0.6 } }
        shortage_penalty_per_gpu_hour = 10
        [[providers]]
        name = "neo"
        reserved_price = 2
        on_demand_price = 3.5
        burst_fill = { uniform = { min = 0.4, max = 1.0 } }
        [[providers]]
        name = "hyper"
        reserved_price = 2.6
        on_demand_price = 4
        [[portfolios]]
        name = "neo only"
        contracts = [{ provider = "neo", gpus = 120, term_weeks = 26 }]
        burst = [{ provider = "neo", max_gpus = 40 }]
    "#;

    fn scenario_json() -> String {
        crate::parse_scenario_impl(SCENARIO, "toml").unwrap()
    }

    const OPTIONS: &str = r#"{"objective": "cvar95", "max_shortage": 0.1, "max_share": 0.8,
        "run": {"paths": 200, "seed": 5}, "max_evaluations": 40}"#;

    #[test]
    fn optimize_returns_the_engines_optimization_with_progress() {
        let mut calls = Vec::new();
        let json = optimize_impl(&scenario_json(), OPTIONS, &mut |d, t| {
            calls.push((d, t));
            true
        })
        .unwrap();
        // The UI reads it back into the engine's own type.
        let out: Optimization = serde_json::from_str(&json).unwrap();
        assert_eq!(out.paths, 200);
        assert_eq!(out.seed, 5);
        assert_eq!(out.objective, decide::Objective::Cvar95);
        assert!(out.evaluations <= 40 && out.evaluations > 1);
        assert!(!out.frontier.is_empty());
        assert_eq!(out.best_portfolio.name, "neo only-optimized");
        assert!(!calls.is_empty() && calls.iter().all(|&(_, t)| t == 40));
        assert!(calls.windows(2).all(|w| w[0].0 <= w[1].0), "{calls:?}");
        // Exactly what the engine (and so the CLI's --format json) produces.
        let scenario = engine::parse_scenario(&scenario_json(), Format::Json).unwrap();
        let options: OptimizeOptions = serde_json::from_str(OPTIONS).unwrap();
        let direct = decide::optimize(&scenario, &options, &mut Inline, &mut |_, _| true).unwrap();
        assert_eq!(json, serde_json::to_string(&direct).unwrap());
    }

    #[test]
    fn sensitivity_returns_the_engines_tornado() {
        let mut last = (0, 0);
        let json = sensitivity_impl(
            &scenario_json(),
            r#"{"run": {"paths": 200}, "sort_by": "cost"}"#,
            &mut |d, t| {
                last = (d, t);
                true
            },
        )
        .unwrap();
        let t: Tornado = serde_json::from_str(&json).unwrap();
        assert_eq!(t.portfolio, "neo only");
        assert_eq!(t.runs, 1 + 2 * t.rows.len() as u32);
        assert_eq!(last, (t.runs, t.runs));
        assert!(
            t.rows
                .iter()
                .any(|r| r.input == "workloads[inference].growth")
        );
        assert!(
            t.rows
                .windows(2)
                .all(|w| w[0].cost_swing >= w[1].cost_swing)
        );
    }

    #[test]
    fn returning_false_cancels_with_a_diagnostic() {
        for run in [optimize_impl, sensitivity_impl] {
            let d = run(
                &scenario_json(),
                r#"{"run": {"paths": 100}}"#,
                &mut |_, _| false,
            )
            .unwrap_err();
            assert_eq!(d.0.len(), 1);
            assert_eq!(d.0[0].message, CANCELLED);
        }
    }

    #[test]
    fn bad_requests_are_diagnostics_arrays() {
        let s = scenario_json();
        let go = &mut |_, _| true;
        // Every problem with the request at once, by field.
        let d = optimize_impl(
            &s,
            r#"{"max_shortage": 2, "max_share": 0, "portfolio": "nope"}"#,
            go,
        )
        .unwrap_err();
        let paths: Vec<&str> = d.0.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["max_shortage", "max_share", "portfolio"]);
        assert!(optimize_impl(&s, r#"{"max_shortages": 0.1}"#, go).is_err());
        assert!(sensitivity_impl(&s, r#"{"sort_by": "colour"}"#, go).is_err());
        assert!(sensitivity_impl("{}", "", go).is_err());
        let json = crate::diagnostics_json(&optimize_impl("not json", "", go).unwrap_err());
        assert!(json.starts_with('['));
        // Empty options are every default: the first portfolio, the scenario's paths.
        let t: Tornado = serde_json::from_str(&sensitivity_impl(&s, "", go).unwrap()).unwrap();
        assert_eq!(t.paths, 300);
    }
}
