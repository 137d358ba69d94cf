//! Run budgets: how much time and memory a run may take, checked before anything is allocated.
//!
//! A scenario file can come from anyone (a shared link, a wiki page), so its size is untrusted.
//! Two budgets apply:
//!
//! - **work** (proportional to run time): `paths x weeks x (portfolios + providers + workloads +
//!   events)`, plus the one-off cost of applying stress tests, at most [`MAX_WORK`]. `events` is
//!   the expected number of random provider events (outages, quota cuts, price shocks) in a path,
//!   each of which may touch every week after it: without it a file with 500 price shocks a year
//!   would pass the budget and then run a hundred times longer than it says. A caller may lift it after asking the user (`Simulation::new_large`,
//!   `headroom run --allow-large`): a long run is slow, not dangerous.
//! - **memory**: an estimate of the largest live allocation of one run (compiled model,
//!   accumulator with its per-path vectors and weekly histograms, one chunk in flight and one
//!   path's world), at most [`MAX_MEMORY_BYTES`], and at most [`MAX_PATHS`] paths. These are hard
//!   limits: above them a browser tab or a wiki embed would run out of memory, which no
//!   confirmation makes safe.
//!
//! The UI calls [`run_size`] to show the numbers (and to ask for confirmation) before a run.

use crate::diag::Diagnostic;
use crate::scenario::{Scenario, StressEvent};
use crate::{CHUNK_PATHS, RunOptions};
use serde::Serialize;

/// Largest run the engine accepts by default, in path-weeks x (portfolios + providers +
/// workloads). About a minute on one native core; lift with `Simulation::new_large`.
pub const MAX_WORK: u64 = 4_000_000_000;

/// Most paths in one run: the accumulator keeps 3 numbers (20 bytes) per path and portfolio for
/// exact percentiles and paired comparisons, so paths drive memory.
pub const MAX_PATHS: u32 = 1_000_000;

/// Largest estimated memory of one run (1 GiB); wasm32 tabs get at most 4 GiB.
pub const MAX_MEMORY_BYTES: u64 = 1 << 30;

/// Bytes kept per path and portfolio: total cost (f64), unmet GPU-hours (f64), shortage weeks (u32).
const PER_PATH_BYTES: u64 = 8 + 8 + 4;
/// Bins of one weekly histogram (see `hist.rs`), 4 bytes each.
const HIST_BINS: u64 = 16 * 32;

/// How big a run is, against the engine's budgets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunSize {
    pub paths: u32,
    pub weeks: u32,
    /// `paths x weeks x (portfolios + providers + workloads + events)` plus stress-test set-up.
    pub work: u64,
    /// [`MAX_WORK`].
    pub limit: u64,
    /// Work is above `limit`: refused unless the caller allows large runs.
    pub over: bool,
    /// Estimated peak memory of the run, in bytes.
    pub memory_bytes: u64,
    /// [`MAX_MEMORY_BYTES`].
    pub memory_limit: u64,
    /// Memory or path count above its hard limit: refused even for large runs.
    pub refused: bool,
}

/// Size of a run of `scenario` with `options`, without compiling or allocating anything.
pub fn run_size(s: &Scenario, options: &RunOptions) -> RunSize {
    let paths = options.paths.unwrap_or(s.paths);
    let weeks = u64::from(s.horizon_weeks);
    let (pf, np, nc, ng) = (
        s.portfolios.len() as u64,
        s.providers.len() as u64,
        s.workloads.len() as u64,
        s.correlation_groups.len() as u64,
    );
    let p = u64::from(paths);
    let work = p
        .saturating_mul(weeks)
        .saturating_mul(
            pf.saturating_add(np)
                .saturating_add(nc)
                .saturating_add(events_per_path(s)),
        )
        .saturating_add(stress_work(s, options));
    let memory_bytes = memory(p, weeks, pf, np, nc, ng);
    RunSize {
        paths,
        weeks: s.horizon_weeks,
        work,
        limit: MAX_WORK,
        over: work > MAX_WORK,
        memory_bytes,
        memory_limit: MAX_MEMORY_BYTES,
        refused: memory_bytes > MAX_MEMORY_BYTES || paths > MAX_PATHS,
    }
}

/// Expected random provider events in one path (correlated groups add at most as many again).
fn events_per_path(s: &Scenario) -> u64 {
    let per_year: f64 = s
        .providers
        .iter()
        .map(|p| {
            p.outages.as_ref().map_or(0.0, |e| e.rate_per_year)
                + p.quota_cuts.as_ref().map_or(0.0, |e| e.rate_per_year)
                + p.price_shocks.as_ref().map_or(0.0, |e| e.rate_per_year)
        })
        .sum();
    let events = 2.0 * per_year * f64::from(s.horizon_weeks) / 52.0;
    // `as` saturates; NaN (only from a scenario built in code) becomes 0 and is caught by
    // validation anyway.
    libm::ceil(events) as u64
}

/// One-off cost of precomputing the selected stress tests: every event touches each of its
/// targets (all providers or all workloads when none is named) for every week after it.
fn stress_work(s: &Scenario, options: &RunOptions) -> u64 {
    let weeks = u64::from(s.horizon_weeks);
    let targets = |e: &StressEvent| -> u64 {
        match e {
            StressEvent::PriceShock { provider: None, .. } => s.providers.len() as u64,
            StressEvent::DemandJump { workload: None, .. } => s.workloads.len() as u64,
            _ => 1,
        }
    };
    options
        .stress
        .iter()
        .filter_map(|name| s.stress_tests.iter().find(|t| &t.name == name))
        .flat_map(|t| &t.events)
        .map(|e| targets(e).saturating_mul(weeks))
        .fold(0, u64::saturating_add)
}

/// Estimated bytes of the largest allocations, all saturating (inputs are untrusted).
fn memory(paths: u64, weeks: u64, pf: u64, np: u64, nc: u64, ng: u64) -> u64 {
    let m = |a: u64, b: u64| a.saturating_mul(b);
    // Compiled model: committed GPUs per portfolio x provider x week; stress series per provider
    // x week (4) and per class x week; seasonality per class x week.
    let model = m(m(m(pf, np), weeks), 8)
        .saturating_add(m(m(np, weeks), 4 * 8))
        .saturating_add(m(m(nc, weeks), 2 * 8))
        .saturating_add(m(m(pf, weeks), 3 * 8));
    // One portfolio's weekly aggregates: cost histogram, shortage counts, cost sums, capacity.
    let weekly = m(weeks, HIST_BINS * 4 + 4 + 4 + 8 + 3 * 8);
    let demand = m(weeks, HIST_BINS * 4 + 4 + 8);
    // The accumulator, and one chunk being merged into it.
    let accumulator = m(pf, weekly)
        .saturating_add(demand)
        .saturating_add(m(m(pf, paths), PER_PATH_BYTES));
    let chunk = m(pf, weekly)
        .saturating_add(demand)
        .saturating_add(m(m(pf, u64::from(CHUNK_PATHS)), PER_PATH_BYTES));
    // One path's world and scratch buffers: ~10 series per provider x week, 2 per class x week,
    // one per group x week.
    let world = m(m(np, weeks), 10 * 8)
        .saturating_add(m(m(nc, weeks), 2 * 8))
        .saturating_add(m(m(ng, weeks), 4));
    model
        .saturating_add(accumulator)
        .saturating_add(chunk)
        .saturating_add(world)
}

/// Diagnostics for a run that breaks a budget; the work budget is skipped when `allow_large`.
pub(crate) fn check(size: &RunSize, allow_large: bool, diags: &mut Vec<Diagnostic>) {
    if size.paths > MAX_PATHS {
        diags.push(
            Diagnostic::new(
                "paths",
                format!("{} paths is above the limit of {MAX_PATHS}", size.paths),
            )
            .with_hint("the standard error shrinks with the square root of paths: 10,000 to 100,000 paths is usually plenty"),
        );
    }
    if size.memory_bytes > MAX_MEMORY_BYTES {
        diags.push(
            Diagnostic::new(
                "",
                format!(
                    "run needs about {} MiB of memory; the limit is {} MiB",
                    size.memory_bytes.div_ceil(1 << 20),
                    MAX_MEMORY_BYTES >> 20
                ),
            )
            .with_hint("use fewer paths, portfolios or providers, or a shorter horizon"),
        );
    }
    if size.over && !allow_large {
        diags.push(
            Diagnostic::new(
                "paths",
                format!(
                    "run too large: {} paths x {} weeks x (portfolios + providers + workloads + random events) = {} units; the budget is {}",
                    size.paths, size.weeks, size.work, size.limit
                ),
            )
            .with_hint("use fewer paths or a shorter horizon, or allow a large run (`headroom run --allow-large`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_saturates_instead_of_overflowing() {
        assert_eq!(
            memory(u64::MAX, u64::MAX, u64::MAX, 1, 1, 1),
            u64::MAX,
            "saturating arithmetic"
        );
    }

    #[test]
    fn a_default_sized_run_is_far_below_the_memory_limit() {
        // 10,000 paths, 104 weeks, 5 portfolios, 5 providers, 3 workloads.
        let bytes = memory(10_000, 104, 5, 5, 3, 1);
        assert!(bytes < 16 << 20, "{bytes}");
    }
}
