//! The optimizer: choose committed GPUs per provider and term (and the ordering policy's
//! parameters) to minimize expected cost or CVaR95, subject to a shortage-probability target and a
//! cap on any one provider's share of capacity.
//!
//! Method (see `docs/decision-support.md`):
//! 1. **Scale sweep**: the base portfolio's commitments scaled by a few factors, so the search
//!    starts near the right overall size and the frontier spans cheap-and-risky to safe-and-dear.
//! 2. **Pattern search** on a whole-GPU grid: every batch evaluates the current point, plus and
//!    minus one step along every coordinate, a step moved between every two commitments, and every
//!    commitment scaled up and down together; the
//!    best improving neighbour is taken (its step doubled, up to the initial step), and when none
//!    improves every step is halved. It stops when no neighbour at the finest steps improves, or
//!    at the evaluation budget.
//!
//! Every batch is one simulation whose portfolios are the candidates, with the caller's seed and
//! path count, so all candidates of all batches see the same paths (common random numbers): the
//! search minimizes one fixed sample-average problem, exactly and deterministically, and the
//! comparison between two candidates is never sampling noise. Evaluations are cached by point,
//! so revisiting a point costs nothing and the budget counts distinct candidates.

use super::candidate::{Candidate, Limits};
use super::space::{Coord, Point, SlotInfo, Space};
use super::{Executor, pick_portfolio};
use crate::scenario::{Portfolio, Scenario};
use crate::{Diagnostic, Diagnostics, RunError, RunOptions, Simulation};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the optimizer minimizes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Expected total cost over the horizon (penalties included).
    #[default]
    Mean,
    /// Mean cost of the worst 5% of paths.
    Cvar95,
}

/// Inputs of a search; `Default` searches from the first portfolio with no constraints.
/// Serde (absent fields = defaults) is how the browser asks for a search (`crates/wasm`).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OptimizeOptions {
    /// Portfolio to start from (its burst, emergency and ordering settings are kept); absent =
    /// the first.
    pub portfolio: Option<String>,
    pub objective: Objective,
    /// Largest acceptable P(shortage over the horizon), 0-1.
    pub max_shortage: Option<f64>,
    /// Largest acceptable share of provisioned capacity at any one provider, 0-1.
    pub max_share: Option<f64>,
    /// Paths, seed and stress tests of every evaluation.
    pub run: RunOptions,
    /// Most distinct candidates to simulate.
    pub max_evaluations: u32,
    /// Also let the search commit to providers the base portfolio has no contract with.
    pub add_providers: bool,
}

impl Default for OptimizeOptions {
    fn default() -> Self {
        OptimizeOptions {
            portfolio: None,
            objective: Objective::Mean,
            max_shortage: None,
            max_share: None,
            run: RunOptions::default(),
            max_evaluations: 300,
            add_providers: true,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// No neighbour at the finest steps improves: a local optimum of the sampled problem.
    Converged,
    /// The evaluation budget ran out first.
    Budget,
}

/// The optimizer's answer. Field names are the JSON output's (read back by the browser UI).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Optimization {
    pub scenario_name: String,
    pub base_portfolio: String,
    pub objective: Objective,
    pub max_shortage: Option<f64>,
    pub max_share: Option<f64>,
    pub seed: u64,
    pub paths: u32,
    /// The decisions, in the order of every candidate's `gpus`.
    pub slots: Vec<SlotInfo>,
    /// The starting point as evaluated.
    pub base: Candidate,
    /// The best candidate found (feasible if any candidate was).
    pub best: Candidate,
    /// The best candidate as a portfolio to add to the scenario.
    pub best_portfolio: Portfolio,
    /// Non-dominated candidates on (shortage probability, objective), by rising shortage
    /// probability; only candidates within the share cap.
    pub frontier: Vec<Candidate>,
    /// Distinct candidates simulated, in how many simulations (batches).
    pub evaluations: u32,
    pub batches: u32,
    pub stop: StopReason,
}

/// Factors applied to the base commitments before the local search.
const SWEEP: [f64; 7] = [0.25, 0.5, 0.75, 1.25, 1.5, 2.0, 3.0];
/// Most candidates in one simulation; larger batches are split (same paths either way).
const MAX_BATCH: usize = 64;
/// Initial step of the scale move, in percent of every commitment.
const SCALE_STEP: i64 = 16;

/// Search for the best portfolio. `progress(evaluated, budget)` is called as candidates are
/// simulated; returning `false` cancels.
pub fn optimize(
    scenario: &Scenario,
    options: &OptimizeOptions,
    exec: &mut dyn Executor,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<Optimization, RunError> {
    // Report every problem with the request at once, like scenario diagnostics.
    let base_idx = match (
        check(options),
        pick_portfolio(scenario, options.portfolio.as_deref()),
    ) {
        (Ok(()), Ok(i)) => i,
        (a, b) => {
            let mut d = a.err().unwrap_or_default().0;
            d.extend(b.err().unwrap_or_default().0);
            return Err(RunError::Invalid(Diagnostics(d)));
        }
    };
    let base = &scenario.portfolios[base_idx];
    let space = Space::new(scenario, base, options.add_providers);
    let mut search = Search {
        scenario,
        options,
        space: &space,
        exec,
        progress,
        cache: BTreeMap::new(),
        batches: 0,
        paths: 0,
        seed: 0,
    };

    // The start is first in the list, so even a budget of one evaluates it.
    let start = space.start();
    let mut first = vec![start.clone()];
    first.extend(sweep(&space, &start));
    search.evaluate(&first)?;
    let base_eval = search.cache[&start].clone();
    let mut current = search.best_of(&first);

    let mut steps = space.steps.clone();
    let mut scale_step = SCALE_STEP;
    let stop = loop {
        let moves = neighbours(&space, &current, &steps, scale_step);
        let points: Vec<Point> = moves.iter().map(|(p, _)| p.clone()).collect();
        let complete = search.evaluate(&points)?;
        let best = search.best_of(&points);
        let moved = search.cache[&best].better_than(&search.cache[&current]);
        if moved {
            // Expand along the direction that paid off: long moves cost few batches.
            match moves.iter().find(|(p, _)| *p == best).map(|(_, m)| *m) {
                Some(Move::Coord(i)) => steps[i] = (steps[i] * 2).min(space.steps[i]),
                Some(Move::Scale) => scale_step = (scale_step * 2).min(SCALE_STEP),
                _ => {}
            }
            current = best;
        } else if steps.iter().all(|&s| s <= 1) && scale_step <= 1 {
            if complete {
                break StopReason::Converged;
            }
        } else {
            for s in &mut steps {
                *s = (*s / 2).max(1);
            }
            scale_step = (scale_step / 2).max(1);
        }
        if !complete {
            break StopReason::Budget;
        }
    };

    let best = search.cache[&current].clone();
    let frontier = frontier(search.cache.values(), options.max_share);
    let name = format!("{}-optimized", base.name);
    let mut best_portfolio = space.portfolio(&current, &name);
    // The base's description would describe a different portfolio: say where this one came from.
    best_portfolio.description = format!(
        "Optimized from `{}` ({:?} objective, seed {}, {} paths).",
        base.name, options.objective, search.seed, search.paths
    );
    Ok(Optimization {
        scenario_name: scenario.name.clone(),
        base_portfolio: base.name.clone(),
        objective: options.objective,
        max_shortage: options.max_shortage,
        max_share: options.max_share,
        seed: search.seed,
        paths: search.paths,
        slots: space.slots.clone(),
        base: base_eval,
        best,
        best_portfolio,
        frontier,
        evaluations: search.cache.len() as u32,
        batches: search.batches,
        stop,
    })
}

fn check(o: &OptimizeOptions) -> Result<(), Diagnostics> {
    let mut d = Vec::new();
    if let Some(p) = o.max_shortage
        && !(0.0..=1.0).contains(&p)
    {
        d.push(Diagnostic::new("max_shortage", "must be between 0 and 1"));
    }
    if let Some(s) = o.max_share
        && !(s > 0.0 && s <= 1.0)
    {
        d.push(Diagnostic::new(
            "max_share",
            "must be above 0 and at most 1",
        ));
    }
    if o.max_evaluations == 0 {
        d.push(Diagnostic::new("max_evaluations", "must be at least 1"));
    }
    if d.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(d))
    }
}

/// The start with its commitments scaled; from nothing, the problem's scale spread evenly.
fn sweep(space: &Space, start: &Point) -> Vec<Point> {
    let gpu_coords: Vec<usize> = (0..start.len())
        .filter(|&i| matches!(space.coords[i], Coord::Gpus(_)))
        .collect();
    let total: i64 = gpu_coords.iter().map(|&i| start[i]).sum();
    SWEEP
        .iter()
        .map(|&f| {
            let mut p = start.clone();
            for &i in &gpu_coords {
                p[i] = if total > 0 {
                    (start[i] as f64 * f).round() as i64
                } else {
                    (space.scale * f / gpu_coords.len() as f64).round() as i64
                };
            }
            space.clamp(p)
        })
        .collect()
}

/// How a neighbour differs from the current point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Stay,
    Coord(usize),
    Scale,
    Transfer,
}

/// The current point's neighbours, in a fixed order: itself, then plus and minus one step along
/// every coordinate, then a step moved from one commitment to another, then every commitment
/// scaled up and down by `scale_pct` percent together.
/// The scale moves keep the providers' mix, so the search can resize a portfolio that sits
/// against a share cap, where single-coordinate moves would all break the cap.
fn neighbours(space: &Space, x: &Point, steps: &[i64], scale_pct: i64) -> Vec<(Point, Move)> {
    let mut out = vec![(x.clone(), Move::Stay)];
    let mut push = |p: Point, m: Move| {
        if !out.iter().any(|(q, _)| *q == p) {
            out.push((p, m));
        }
    };
    for (i, &s) in steps.iter().enumerate() {
        for d in [s, -s] {
            let mut p = x.clone();
            p[i] += d;
            push(space.clamp(p), Move::Coord(i));
        }
    }
    // Transfers between two commitments keep the total: they move along a shortage target or a
    // share cap, which single-coordinate moves can only cross.
    let gpu: Vec<usize> = (0..x.len())
        .filter(|&i| matches!(space.coords[i], Coord::Gpus(_)))
        .collect();
    for &i in &gpu {
        for &j in &gpu {
            let s = steps[i].min(steps[j]).min(x[j]);
            if i != j && s > 0 {
                let mut p = x.clone();
                p[i] += s;
                p[j] -= s;
                push(space.clamp(p), Move::Transfer);
            }
        }
    }
    for pct in [100 + scale_pct, 100 - scale_pct] {
        let mut p = x.clone();
        for (i, c) in space.coords.iter().enumerate() {
            if matches!(c, Coord::Gpus(_)) {
                p[i] = (x[i] as f64 * pct as f64 / 100.0).round() as i64;
            }
        }
        push(space.clamp(p), Move::Scale);
    }
    out
}

/// Non-dominated candidates within the share cap: sorted by shortage probability, each cheaper
/// (in the objective) than every candidate at a lower or equal probability.
fn frontier<'a>(
    all: impl Iterator<Item = &'a Candidate>,
    max_share: Option<f64>,
) -> Vec<Candidate> {
    let mut c: Vec<&Candidate> = all
        .filter(|c| max_share.is_none_or(|m| c.max_share <= m))
        .collect();
    // `all` comes from a BTreeMap (ordered by point), and the sort is stable: ties are ordered.
    c.sort_by(|a, b| {
        a.shortage_probability
            .total_cmp(&b.shortage_probability)
            .then(a.objective.total_cmp(&b.objective))
    });
    let mut out: Vec<Candidate> = Vec::new();
    for x in c {
        if out.last().is_none_or(|l| x.objective < l.objective) {
            out.push(x.clone());
        }
    }
    out
}

struct Search<'a> {
    scenario: &'a Scenario,
    options: &'a OptimizeOptions,
    space: &'a Space,
    exec: &'a mut dyn Executor,
    progress: &'a mut dyn FnMut(u32, u32) -> bool,
    cache: BTreeMap<Point, Candidate>,
    batches: u32,
    paths: u32,
    seed: u64,
}

impl Search<'_> {
    /// Simulate the points not seen yet, within the budget. Returns false when the budget cut the
    /// list short.
    fn evaluate(&mut self, points: &[Point]) -> Result<bool, RunError> {
        let mut todo: Vec<Point> = Vec::new();
        for p in points {
            if !self.cache.contains_key(p) && !todo.contains(p) {
                todo.push(p.clone());
            }
        }
        let room = (self.options.max_evaluations as usize).saturating_sub(self.cache.len());
        let complete = todo.len() <= room;
        todo.truncate(room);
        for batch in todo.chunks(MAX_BATCH) {
            self.run_batch(batch)?;
        }
        Ok(complete)
    }

    fn run_batch(&mut self, batch: &[Point]) -> Result<(), RunError> {
        let mut s = self.scenario.clone();
        s.portfolios = batch
            .iter()
            .enumerate()
            .map(|(k, p)| self.space.portfolio(p, &format!("candidate-{k}")))
            .collect();
        let sim = Simulation::new(&s, &self.options.run).map_err(RunError::Invalid)?;
        let before = self.cache.len() as u64;
        let budget = self.options.max_evaluations;
        let n = batch.len() as u64;
        let progress = &mut *self.progress;
        let report = self.exec.run(&sim, &mut |done, total| {
            let part = n * u64::from(done) / u64::from(total.max(1));
            progress((before + part) as u32, budget)
        })?;
        self.batches += 1;
        self.paths = report.paths;
        self.seed = report.seed;
        let limits = Limits {
            max_shortage: self.options.max_shortage,
            max_share: self.options.max_share,
        };
        let cvar = self.options.objective == Objective::Cvar95;
        for (p, r) in batch.iter().zip(&report.portfolios) {
            let c = Candidate::from_report(
                r,
                self.space.gpus(p),
                self.space.ordering_params(p),
                cvar,
                limits,
            );
            self.cache.insert(p.clone(), c);
        }
        Ok(())
    }

    /// The best evaluated point of a list (earlier wins ties; unevaluated points are skipped).
    fn best_of(&self, points: &[Point]) -> Point {
        let mut best: Option<&Point> = None;
        for p in points {
            let Some(c) = self.cache.get(p) else { continue };
            if best.is_none_or(|b| c.better_than(&self.cache[b])) {
                best = Some(p);
            }
        }
        best.cloned().unwrap_or_else(|| points[0].clone())
    }
}
