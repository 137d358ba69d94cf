//! Decision support on top of the simulator: an optimizer, a sensitivity tornado and a
//! precision-controlled run.
//!
//! Everything here is built on the public chunked API (`Simulation`, `Accumulator`, `Report`), so
//! it inherits the engine's guarantees: pure, deterministic for a seed, and comparisons on common
//! random numbers. Where many simulations are needed (optimizer batches, tornado swings) they go
//! through an [`Executor`], so a caller with threads (the CLI) can run chunks in parallel while the
//! engine stays single-threaded and the results stay identical.

mod candidate;
pub mod optimize;
pub mod precision;
pub mod sensitivity;
mod space;

pub use candidate::Candidate;
pub use optimize::{Objective, Optimization, OptimizeOptions, StopReason, optimize};
pub use precision::{PrecisionOutcome, PrecisionRun, PrecisionTarget, simulate_to_precision};
pub use sensitivity::{
    SensitivityOptions, SensitivityRow, Swing, SwingMetric, Tornado, sensitivity,
};
pub use space::SlotInfo;

use crate::{Report, RunError, Simulation};

/// Runs every chunk of a simulation and returns the merged report.
///
/// Implementations must merge all chunks through the simulation's `Accumulator` (which folds them
/// in index order), so the report does not depend on how the work was scheduled.
pub trait Executor {
    /// `progress(done_paths, total_paths)` after each chunk; returning `false` cancels.
    fn run(
        &mut self,
        sim: &Simulation,
        progress: &mut dyn FnMut(u32, u32) -> bool,
    ) -> Result<Report, RunError>;
}

/// The engine's own executor: every chunk in order on the calling thread.
#[derive(Clone, Copy, Debug, Default)]
pub struct Inline;

impl Executor for Inline {
    fn run(
        &mut self,
        sim: &Simulation,
        progress: &mut dyn FnMut(u32, u32) -> bool,
    ) -> Result<Report, RunError> {
        let mut acc = sim.accumulator();
        for i in 0..sim.chunk_count() {
            acc.merge(sim.run_chunk(i));
            if !progress(acc.paths_done(), sim.paths()) {
                return Err(RunError::Cancelled);
            }
        }
        Ok(acc.report())
    }
}

/// A portfolio as a `[[portfolios]]` TOML block, ready to paste into a scenario file.
pub fn portfolio_toml(p: &crate::scenario::Portfolio) -> String {
    #[derive(serde::Serialize)]
    struct Wrap<'a> {
        portfolios: [&'a crate::scenario::Portfolio; 1],
    }
    toml::to_string(&Wrap { portfolios: [p] }).unwrap_or_default()
}

/// Index of the portfolio called `name`, or the first one; a typed error if the name is unknown.
pub(crate) fn pick_portfolio(
    s: &crate::Scenario,
    name: Option<&str>,
) -> Result<usize, crate::Diagnostics> {
    use crate::{Diagnostic, Diagnostics};
    match name {
        None if s.portfolios.is_empty() => Err(Diagnostics::single(Diagnostic::new(
            "portfolios",
            "the scenario has no portfolio to start from",
        ))),
        None => Ok(0),
        Some(n) => s
            .portfolios
            .iter()
            .position(|p| p.name == n)
            .ok_or_else(|| {
                let known: Vec<&str> = s.portfolios.iter().map(|p| p.name.as_str()).collect();
                Diagnostics::single(
                    Diagnostic::new("portfolio", format!("unknown portfolio `{n}`"))
                        .with_hint(format!("known: {}", known.join(", "))),
                )
            }),
    }
}
