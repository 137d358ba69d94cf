//! wasm-bindgen adapter over the `engine` crate, loaded by `web/worker.js`.
//!
//! Everything crossing the boundary is a JSON string so the JS side needs no generated
//! types and the engine's serde shapes stay the single source of truth. Failures become
//! JS `Error`s whose message is the diagnostics JSON array, so the worker can forward
//! them unchanged. No model logic lives here. The optimizer and the tornado are in `decide.rs`.

use engine::{Accumulator, Diagnostic, Diagnostics, Format, RunOptions, Simulation};
use wasm_bindgen::prelude::*;

pub mod decide;

fn parse_format(format: &str) -> Result<Format, Diagnostics> {
    match format.to_ascii_lowercase().as_str() {
        "toml" => Ok(Format::Toml),
        "json" => Ok(Format::Json),
        other => Err(single(
            "format",
            format!("unknown format {other:?}"),
            Some("use \"toml\" or \"json\""),
        )),
    }
}

pub(crate) fn single(path: &str, message: String, hint: Option<&str>) -> Diagnostics {
    Diagnostics(vec![Diagnostic {
        path: path.into(),
        message,
        hint: hint.map(Into::into),
    }])
}

pub(crate) fn diagnostics_json(d: &Diagnostics) -> String {
    // Serializing plain strings cannot fail; the fallback keeps the contract (a JSON array).
    serde_json::to_string(d).unwrap_or_else(|_| "[]".into())
}

/// Converts diagnostics into the JS error the worker expects.
pub(crate) fn to_js_error(d: &Diagnostics) -> JsError {
    JsError::new(&diagnostics_json(d))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(
    what: &str,
    json: &str,
) -> Result<T, Diagnostics> {
    serde_json::from_str(json).map_err(|e| single(what, format!("invalid {what} JSON: {e}"), None))
}

pub(crate) fn to_json<T: serde::Serialize>(what: &str, value: &T) -> Result<String, Diagnostics> {
    serde_json::to_string(value)
        .map_err(|e| single(what, format!("cannot serialize {what}: {e}"), None))
}

/// Version of the engine compiled into this module.
#[wasm_bindgen(js_name = engineVersion)]
pub fn engine_version() -> String {
    engine::ENGINE_VERSION.into()
}

/// Diagnostics of a scenario text as a JSON array, empty when it is valid.
pub fn validate_impl(text: &str, format: &str) -> String {
    match parse_format(format).and_then(|f| engine::parse_scenario(text, f)) {
        Ok(_) => "[]".into(),
        Err(d) => diagnostics_json(&d),
    }
}

/// Normalized scenario JSON, or the diagnostics.
pub fn parse_scenario_impl(text: &str, format: &str) -> Result<String, Diagnostics> {
    let scenario = engine::parse_scenario(text, parse_format(format)?)?;
    to_json("scenario", &scenario)
}

/// Scenario JSON rendered as TOML (validated on the way: an invalid scenario is not exported).
pub fn scenario_to_toml_impl(json: &str) -> Result<String, Diagnostics> {
    let scenario = engine::parse_scenario(json, Format::Json)?;
    Ok(engine::scenario_to_toml(&scenario))
}

/// Diagnostics of a scenario as a JSON array (`[]` when valid); never throws.
#[wasm_bindgen]
pub fn validate(text: &str, format: &str) -> String {
    validate_impl(text, format)
}

/// Parses a scenario and returns it as normalized JSON; throws with the diagnostics JSON.
#[wasm_bindgen(js_name = parseScenario)]
pub fn parse_scenario(text: &str, format: &str) -> Result<String, JsError> {
    parse_scenario_impl(text, format).map_err(|d| to_js_error(&d))
}

/// Renders a scenario given as JSON to TOML; throws with the diagnostics JSON.
#[wasm_bindgen(js_name = scenarioToToml)]
pub fn scenario_to_toml(json: &str) -> Result<String, JsError> {
    scenario_to_toml_impl(json).map_err(|d| to_js_error(&d))
}

/// Splits the adapter's own `allow_large` flag (the user confirmed a run above the work budget)
/// off the options JSON; the rest must be the engine's `RunOptions` (which denies unknown fields).
fn parse_options(options_json: &str) -> Result<(RunOptions, bool), Diagnostics> {
    if options_json.trim().is_empty() {
        return Ok((RunOptions::default(), false));
    }
    let mut value: serde_json::Value = from_json("options", options_json)?;
    let allow_large = match value.as_object_mut().and_then(|o| o.remove("allow_large")) {
        None | Some(serde_json::Value::Null) => false,
        Some(serde_json::Value::Bool(b)) => b,
        Some(other) => {
            return Err(single(
                "allow_large",
                format!("allow_large must be true or false, not {other}"),
                None,
            ));
        }
    };
    let options = serde_json::from_value(value)
        .map_err(|e| single("options", format!("invalid options JSON: {e}"), None))?;
    Ok((options, allow_large))
}

/// Compiles scenario JSON and run options JSON (`allow_large` included) into a simulation.
fn compile(scenario_json: &str, options_json: &str) -> Result<Simulation, Diagnostics> {
    // The engine's own decoder, not serde: it validates and reports every problem.
    let scenario = engine::parse_scenario(scenario_json, Format::Json)?;
    let (options, allow_large) = parse_options(options_json)?;
    if allow_large {
        Simulation::new_large(&scenario, &options)
    } else {
        Simulation::new(&scenario, &options)
    }
}

/// One simulation being run chunk by chunk, so the caller can yield between chunks.
#[wasm_bindgen]
pub struct Run {
    simulation: Simulation,
    accumulator: Accumulator,
    next_chunk: u32,
}

impl Run {
    /// Prepares a run from scenario JSON and run options JSON.
    pub fn create(scenario_json: &str, options_json: &str) -> Result<Run, Diagnostics> {
        let simulation = compile(scenario_json, options_json)?;
        let accumulator = simulation.accumulator();
        Ok(Run {
            simulation,
            accumulator,
            next_chunk: 0,
        })
    }

    pub fn report_json_impl(&self) -> Result<String, Diagnostics> {
        to_json("report", &self.accumulator.report())
    }

    /// Whether every chunk has been merged.
    pub fn is_finished(&self) -> bool {
        self.accumulator.chunks_done() >= self.simulation.chunk_count()
    }

    /// Merges a chunk computed by another worker (bytes from [`Run::run_chunk`]).
    pub fn merge_chunk_impl(&mut self, bytes: &[u8]) -> Result<bool, Diagnostics> {
        let chunk = self
            .simulation
            .chunk_from_bytes(bytes)
            .map_err(|e| single("", e.to_string(), None))?;
        self.accumulator.merge(chunk);
        Ok(self.is_finished())
    }
}

#[wasm_bindgen]
impl Run {
    /// `new Run(scenarioJson, optionsJson)`; throws with the diagnostics JSON.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario_json: &str, options_json: &str) -> Result<Run, JsError> {
        Run::create(scenario_json, options_json).map_err(|d| to_js_error(&d))
    }

    /// Total number of chunks.
    #[wasm_bindgen(js_name = chunkCount)]
    pub fn chunk_count(&self) -> u32 {
        self.simulation.chunk_count()
    }

    /// Runs and merges the next chunk; returns true once all chunks are merged.
    pub fn step(&mut self) -> bool {
        if self.next_chunk < self.simulation.chunk_count() {
            let chunk = self.simulation.run_chunk(self.next_chunk);
            self.accumulator.merge(chunk);
            self.next_chunk += 1;
        }
        self.is_finished()
    }

    /// Runs and merges chunk `index` (the caller hands out indices, e.g. to helper workers);
    /// returns true once all chunks are merged.
    #[wasm_bindgen(js_name = stepChunk)]
    pub fn step_chunk(&mut self, index: u32) -> bool {
        if index < self.simulation.chunk_count() {
            let chunk = self.simulation.run_chunk(index);
            self.accumulator.merge(chunk);
        }
        self.is_finished()
    }

    /// Merges a chunk from another worker's `runChunk` (same scenario and options); returns
    /// true once all chunks are merged. Throws diagnostics for bytes of another run.
    #[wasm_bindgen(js_name = mergeChunk)]
    pub fn merge_chunk(&mut self, bytes: &[u8]) -> Result<bool, JsError> {
        self.merge_chunk_impl(bytes).map_err(|d| to_js_error(&d))
    }

    /// Chunks merged so far (the contiguous prefix from chunk 0).
    #[wasm_bindgen(js_name = chunksDone)]
    pub fn chunks_done(&self) -> u32 {
        self.accumulator.chunks_done()
    }

    /// Paths merged so far.
    #[wasm_bindgen(js_name = pathsDone)]
    pub fn paths_done(&self) -> u32 {
        self.accumulator.paths_done()
    }

    /// Report of what has been merged so far, as JSON.
    #[wasm_bindgen(js_name = reportJson)]
    pub fn report_json(&self) -> Result<String, JsError> {
        self.report_json_impl().map_err(|d| to_js_error(&d))
    }
}

/// The helper side of a run spread over several workers: simulates chunks and returns them as
/// bytes for the owning worker's `Run.mergeChunk`. Unlike [`Run`] it keeps no accumulator, so a
/// helper's memory does not grow with the run's paths.
#[wasm_bindgen]
pub struct ChunkRunner {
    simulation: Simulation,
}

impl ChunkRunner {
    /// Same inputs as [`Run::create`], so helper and owner compile the same run.
    pub fn create(scenario_json: &str, options_json: &str) -> Result<ChunkRunner, Diagnostics> {
        compile(scenario_json, options_json).map(|simulation| ChunkRunner { simulation })
    }
}

#[wasm_bindgen]
impl ChunkRunner {
    /// `new ChunkRunner(scenarioJson, optionsJson)`; throws with the diagnostics JSON.
    #[wasm_bindgen(constructor)]
    pub fn new(scenario_json: &str, options_json: &str) -> Result<ChunkRunner, JsError> {
        ChunkRunner::create(scenario_json, options_json).map_err(|d| to_js_error(&d))
    }

    /// Simulates chunk `index` (clamped to the last chunk) and returns it as bytes.
    #[wasm_bindgen(js_name = runChunk)]
    pub fn run_chunk(&self, index: u32) -> Vec<u8> {
        let index = index.min(self.simulation.chunk_count().saturating_sub(1));
        self.simulation
            .chunk_to_bytes(&self.simulation.run_chunk(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"
        name = "tiny"
        [[workloads]]
        name = "inference"
        base_gpus = 10
        [[providers]]
        name = "cloud"
        reserved_price = 2
        on_demand_price = 3
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 12, term_weeks = 104 }]
    "#;

    #[test]
    fn run_goes_to_completion() {
        let scenario = parse_scenario_impl(TINY, "toml").unwrap();
        let mut run = Run::create(&scenario, r#"{"paths": 250}"#).unwrap();
        let mut steps = 1;
        while !run.step() {
            steps += 1;
        }
        assert_eq!(steps, run.chunk_count());
        assert_eq!(run.paths_done(), 250);
        let report: engine::Report =
            serde_json::from_str(&run.report_json_impl().unwrap()).unwrap();
        assert_eq!(report.paths, 250);
        assert!(
            scenario_to_toml_impl(&scenario)
                .unwrap()
                .contains("[[workloads]]")
        );
    }

    #[test]
    fn chunks_from_another_worker_merge_to_the_same_report() {
        let scenario = parse_scenario_impl(TINY, "toml").unwrap();
        let options = r#"{"paths": 1300, "seed": 5}"#;
        let mut alone = Run::create(&scenario, options).unwrap();
        while !alone.step() {}
        // The owner runs chunk 1 itself; a helper sends chunks 2 and 0, in that order.
        let helper = ChunkRunner::create(&scenario, options).unwrap();
        let mut owner = Run::create(&scenario, options).unwrap();
        assert!(!owner.step_chunk(1));
        assert!(!owner.merge_chunk_impl(&helper.run_chunk(2)).unwrap());
        assert_eq!(owner.chunks_done(), 0);
        assert!(owner.merge_chunk_impl(&helper.run_chunk(0)).unwrap());
        assert_eq!(owner.paths_done(), 1300);
        assert_eq!(
            owner.report_json_impl().unwrap(),
            alone.report_json_impl().unwrap()
        );
        // Bytes of another run are refused with a diagnostic, not merged.
        let other = ChunkRunner::create(&scenario, r#"{"paths": 1300, "seed": 6}"#).unwrap();
        let mut fresh = Run::create(&scenario, options).unwrap();
        let err = fresh.merge_chunk_impl(&other.run_chunk(0)).unwrap_err();
        assert!(err.to_string().contains("another run"), "{err}");
        assert!(fresh.merge_chunk_impl(b"garbage").is_err());
    }

    #[test]
    fn allow_large_lifts_the_work_budget_only() {
        let scenario = parse_scenario_impl(TINY, "toml").unwrap();
        // 1e6 paths x 1040 weeks x (1 portfolio + 1 provider + 2 workloads) = 4.2e9 work.
        let big = r#"{"paths": 1000000, "seed": 1}"#;
        let mut doc: serde_json::Value = serde_json::from_str(&scenario).unwrap();
        doc["horizon_weeks"] = 1040.into();
        let mut second = doc["workloads"][0].clone();
        second["name"] = "batch".into();
        doc["workloads"].as_array_mut().unwrap().push(second);
        let scenario = doc.to_string();
        let size = engine::run_size(
            &engine::parse_scenario(&scenario, Format::Json).unwrap(),
            &parse_options(big).unwrap().0,
        );
        assert!(size.over && !size.refused, "{size:?}");
        assert!(Run::create(&scenario, big).is_err());
        let large = r#"{"paths": 1000000, "seed": 1, "allow_large": true}"#;
        let run = Run::create(&scenario, large).unwrap();
        assert!(run.chunk_count() > 1);
        assert!(parse_options(r#"{"allow_large": 1}"#).is_err());
        assert!(parse_options(r#"{"bogus": 1}"#).is_err());
        assert!(!parse_options("").unwrap().1);
    }

    #[test]
    fn bad_input_gives_diagnostics_array() {
        assert_eq!(validate_impl("", "toml").chars().next(), Some('['));
        assert_ne!(validate_impl("", "toml"), "[]");
        assert!(Run::create("not json", "{}").is_err());
        assert!(parse_format("yaml").is_err());
    }
}
