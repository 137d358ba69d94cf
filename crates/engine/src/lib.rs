//! Headroom's simulation engine: a scenario and a seed in, a plain-data report out.
//!
//! The engine is pure: no clock, file system, threads, OS randomness or browser APIs. Callers
//! (the CLI, the wasm adapter) decide where chunks of paths run and how progress is shown:
//!
//! ```
//! let text = r#"
//! name = "tiny"
//! paths = 200
//! [[workloads]]
//! name = "inference"
//! base_gpus = 100
//! [[providers]]
//! name = "cloud"
//! reserved_price = 2.0
//! on_demand_price = 4.0
//! [[portfolios]]
//! name = "reserved"
//! contracts = [{ provider = "cloud", gpus = 110, term_weeks = 104 }]
//! "#;
//! let scenario = engine::parse_scenario(text, engine::Format::Toml).unwrap();
//! let report = engine::simulate(&scenario, &engine::RunOptions::default(), &mut |_, _| true).unwrap();
//! assert_eq!(report.portfolios[0].shortage_probability, 0.0);
//! ```
//!
//! See `ARCHITECTURE.md` at the repository root for the bird's-eye view.

mod accum;
mod budget;
mod compile;
pub mod decide;
mod diag;
mod digest;
pub mod dist;
mod finalize;
mod hist;
mod lanes;
mod lead;
pub mod report;
mod rng;
pub mod scenario;
mod sim;
mod stats;
mod wire;
mod world;

pub use accum::{Accumulator, ChunkResult};
pub use budget::{MAX_MEMORY_BYTES, MAX_PATHS, MAX_WORK, RunSize, run_size};
pub use diag::{Diagnostic, Diagnostics};
pub use report::Report;
pub use scenario::{Format, Scenario};
pub use wire::WireError;

use serde::Deserialize;

/// Version of the engine; reports and permalinks carry it because results depend on it.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Paths per chunk. Fixed by the engine (never by thread count) so that merged results are
/// identical however chunks are scheduled.
pub const CHUNK_PATHS: u32 = 500;

/// Parse and validate a scenario from TOML or JSON text.
pub fn parse_scenario(text: &str, format: Format) -> Result<Scenario, Diagnostics> {
    scenario::parse(text, format)
}

/// Settings in a valid scenario that are probably mistakes (an unused provider, an exit after
/// the horizon...). Unlike errors they never block a run; show them beside the results.
pub fn scenario_warnings(s: &Scenario) -> Diagnostics {
    Diagnostics(scenario::warnings(s))
}

/// Write a scenario back as TOML (same format `parse_scenario` reads).
pub fn scenario_to_toml(s: &Scenario) -> String {
    scenario::to_toml(s)
}

/// Overrides for one run; anything absent comes from the scenario.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunOptions {
    pub paths: Option<u32>,
    pub seed: Option<u64>,
    /// Names of stress tests to apply to every path.
    pub stress: Vec<String>,
}

/// A compiled, ready-to-run simulation. Cheap to share between threads (`Sync`).
pub struct Simulation {
    model: std::sync::Arc<compile::Model>,
}

impl Simulation {
    /// Compile a scenario for a run. Fails with diagnostics on unknown stress tests or a run
    /// larger than the engine's budgets (see [`run_size`]).
    pub fn new(scenario: &Scenario, options: &RunOptions) -> Result<Simulation, Diagnostics> {
        Self::build(scenario, options, false)
    }

    /// Like [`Simulation::new`], but a run above the work budget ([`MAX_WORK`]) is accepted: for
    /// callers that asked the user first. The memory and path limits still apply.
    pub fn new_large(scenario: &Scenario, options: &RunOptions) -> Result<Simulation, Diagnostics> {
        Self::build(scenario, options, true)
    }

    fn build(
        scenario: &Scenario,
        options: &RunOptions,
        allow_large: bool,
    ) -> Result<Simulation, Diagnostics> {
        compile::Model::new(scenario, options, allow_large).map(|model| Simulation {
            model: std::sync::Arc::new(model),
        })
    }

    pub fn paths(&self) -> u32 {
        self.model.paths
    }

    pub fn chunk_count(&self) -> u32 {
        self.model.paths.div_ceil(CHUNK_PATHS)
    }

    /// Simulate one chunk of paths. Pure: any thread, any order.
    pub fn run_chunk(&self, index: u32) -> ChunkResult {
        sim::run_chunk(&self.model, index)
    }

    /// An empty accumulator for this simulation's chunks.
    pub fn accumulator(&self) -> Accumulator {
        Accumulator::new(self.model.clone())
    }
}

/// Why a run did not produce a report.
#[derive(Debug)]
pub enum RunError {
    Invalid(Diagnostics),
    Cancelled,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Invalid(d) => write!(f, "{d}"),
            RunError::Cancelled => write!(f, "run cancelled"),
        }
    }
}

impl std::error::Error for RunError {}

/// Run a whole simulation on the calling thread. `progress(done_paths, total_paths)` is called
/// after every chunk; returning `false` cancels the run.
pub fn simulate(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<Report, RunError> {
    let sim = Simulation::new(scenario, options).map_err(RunError::Invalid)?;
    let mut acc = sim.accumulator();
    for i in 0..sim.chunk_count() {
        acc.merge(sim.run_chunk(i));
        if !progress(acc.paths_done(), sim.paths()) {
            return Err(RunError::Cancelled);
        }
    }
    Ok(acc.report())
}
