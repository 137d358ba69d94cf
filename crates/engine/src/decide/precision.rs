//! Precision control: add chunks of paths until the headline metrics are known well enough.
//!
//! The target is on every portfolio's P(shortage) (an absolute standard error) and mean cost (a
//! standard error relative to the mean). The simulation is compiled for the path cap; chunks are
//! folded strictly in index order and the rule is checked only at fixed prefix sizes, so where a
//! run stops depends on the seed and the target, never on threads or scheduling: the result is
//! exactly the report of a plain run with that many paths.
//!
//! A proportion's plug-in standard error is 0 when no path (or every path) is short, which would
//! stop a run after one chunk on no evidence; the rule therefore uses the Laplace-smoothed
//! estimate p~ = (k + 1) / (n + 2) for the check (the report keeps the plain one).

use crate::{CHUNK_PATHS, ChunkResult, Report, RunError, RunOptions, Scenario, Simulation};
use serde::Serialize;
use std::collections::BTreeMap;

/// When to stop adding paths. Absent targets are not checked; with neither, the run goes to
/// `max_paths`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PrecisionTarget {
    /// Largest standard error of P(shortage), absolute (0.005 = half a percentage point).
    pub prob_se: Option<f64>,
    /// Largest standard error of mean cost relative to the mean (0.01 = 1%).
    pub cost_rel_se: Option<f64>,
    /// Fewest paths before stopping.
    pub min_paths: u32,
}

impl Default for PrecisionTarget {
    fn default() -> Self {
        PrecisionTarget {
            prob_se: Some(0.005),
            cost_rel_se: Some(0.01),
            min_paths: 2 * CHUNK_PATHS,
        }
    }
}

impl PrecisionTarget {
    /// True when every portfolio of the report meets the target.
    pub fn met_by(&self, r: &Report) -> bool {
        if r.paths < self.min_paths {
            return false;
        }
        let n = f64::from(r.paths.max(1));
        r.portfolios.iter().all(|p| {
            let prob_ok = self.prob_se.is_none_or(|t| {
                let k = p.shortage_probability * n;
                let q = (k + 1.0) / (n + 2.0);
                libm::sqrt(q * (1.0 - q) / n) <= t
            });
            let cost_ok = self.cost_rel_se.is_none_or(|t| {
                // A zero-cost portfolio has nothing left to estimate.
                p.cost.mean_se <= t * p.cost.mean.abs()
            });
            prob_ok && cost_ok
        })
    }
}

/// A finished precision-controlled run.
#[derive(Clone, Debug, Serialize)]
pub struct PrecisionOutcome {
    pub report: Report,
    /// Paths the run took (also `report.paths`).
    pub paths: u32,
    /// Whether the target was met (false = stopped at the path cap).
    pub met: bool,
}

/// The stopping rule as a chunk sink, for callers that run chunks themselves (on threads, in a
/// web worker): feed chunks in any order with `offer` until it returns true, then `finish`.
pub struct PrecisionRun {
    acc: crate::Accumulator,
    target: PrecisionTarget,
    total_chunks: u32,
    pending: BTreeMap<u32, ChunkResult>,
    /// Chunks folded so far; the next one to fold.
    folded: u32,
    next_check: u32,
    met: bool,
    last: Option<Report>,
}

impl PrecisionRun {
    pub fn new(sim: &Simulation, target: PrecisionTarget) -> Self {
        PrecisionRun {
            acc: sim.accumulator(),
            target,
            total_chunks: sim.chunk_count(),
            pending: BTreeMap::new(),
            folded: 0,
            next_check: 1,
            met: false,
            last: None,
        }
    }

    /// Add a chunk; returns true once the run is decided (target met or every chunk folded), after
    /// which further chunks are ignored.
    pub fn offer(&mut self, chunk: ChunkResult) -> bool {
        if self.done() {
            return true;
        }
        if chunk.index() >= self.folded {
            self.pending.insert(chunk.index(), chunk);
        }
        while !self.done() {
            let Some(c) = self.pending.remove(&self.folded) else {
                break;
            };
            self.acc.merge(c);
            self.folded += 1;
            if self.folded == self.next_check || self.folded == self.total_chunks {
                let r = self.acc.report();
                self.met = self.target.met_by(&r);
                self.last = Some(r);
                // Check after every chunk early on, then every ~1/8 of the paths so far: building a
                // report sorts every path, and this keeps that cost a small share of the run.
                self.next_check = self.folded + (self.folded / 8).max(1);
            }
        }
        self.done()
    }

    pub fn done(&self) -> bool {
        self.met || self.folded >= self.total_chunks
    }

    /// Chunks folded so far, and the paths in them.
    pub fn chunks_done(&self) -> u32 {
        self.folded
    }

    pub fn paths_done(&self) -> u32 {
        self.acc.paths_done()
    }

    pub fn finish(self) -> PrecisionOutcome {
        let report = match self.last {
            Some(r) if r.paths == self.acc.paths_done() => r,
            _ => self.acc.report(),
        };
        PrecisionOutcome {
            paths: report.paths,
            report,
            met: self.met,
        }
    }
}

/// Run on the calling thread until `target` is met or `max_paths` paths have run.
/// `progress(done_paths, max_paths)` after each chunk; returning `false` cancels.
pub fn simulate_to_precision(
    scenario: &Scenario,
    options: &RunOptions,
    max_paths: u32,
    target: PrecisionTarget,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<PrecisionOutcome, RunError> {
    let options = RunOptions {
        paths: Some(max_paths),
        ..options.clone()
    };
    let sim = Simulation::new(scenario, &options).map_err(RunError::Invalid)?;
    let mut run = PrecisionRun::new(&sim, target);
    for i in 0..sim.chunk_count() {
        let done = run.offer(sim.run_chunk(i));
        if !progress(run.paths_done(), sim.paths()) {
            return Err(RunError::Cancelled);
        }
        if done {
            break;
        }
    }
    Ok(run.finish())
}
