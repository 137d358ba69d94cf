//! Streaming aggregates: what one chunk of paths produces and how chunks merge.
//!
//! Memory grows with paths only by a few numbers per path and portfolio (total cost, unmet
//! GPU-hours, shortage weeks: kept for exact percentiles and paired comparisons); everything weekly
//! is a sum, a count or a histogram. Chunks merge in index order (out-of-order chunks wait), so
//! floating-point sums, and therefore the digest, never depend on scheduling.

use crate::compile::Model;
use crate::hist::{Count, WeeklyHist};
use crate::stats::Moments;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Results of one chunk of paths. Serializable so that chunks simulated in other workers can be
/// merged (see `wire.rs`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct ChunkResult {
    pub(crate) index: u32,
    pub(crate) paths: u32,
    pub(crate) demand: WeeklyHist<u16>,
    pub(crate) demand_sum: Vec<f64>,
    pub(crate) portfolios: Vec<PortfolioAgg<u16>>,
}

impl ChunkResult {
    pub fn index(&self) -> u32 {
        self.index
    }

    pub fn paths(&self) -> u32 {
        self.paths
    }
}

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ClassAgg {
    pub short_paths: u32,
    pub unmet: Moments,
    pub short_weeks: f64,
    pub degraded: f64,
    pub served: f64,
}

/// Per-provider sums: committed, burst, emergency GPU-hours, then the same three as spend.
pub(crate) type ProviderAgg = [f64; 6];

/// One portfolio's aggregates; `C` counts the weekly cost histogram (`u16` in a chunk).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct PortfolioAgg<C = u32> {
    // Per path, in path order.
    pub cost: Vec<f64>,
    pub unmet: Vec<f64>,
    pub shortage_weeks: Vec<u32>,
    // Sums over paths.
    pub short_paths: u32,
    pub cost_m: Moments,
    pub unmet_m: Moments,
    pub short_weeks_m: Moments,
    pub longest_run: f64,
    pub idle: Moments,
    pub emissions: Moments,
    pub served: f64,
    pub degraded: f64,
    pub paid_committed: f64,
    pub used_committed: f64,
    /// committed, burst, emergency, exit penalties, degradation, shortage penalty.
    pub breakdown: [f64; 6],
    pub providers: Vec<ProviderAgg>,
    pub classes: Vec<ClassAgg>,
    pub damage_unmet: Moments,
    pub damage_short: u32,
    pub damage_cost: f64,
    pub orders: f64,
    pub ordered_gpus: f64,
    // Weekly.
    pub weekly_short: Vec<u32>,
    pub weekly_cost: WeeklyHist<C>,
    pub weekly_cost_sum: Vec<f64>,
    /// Available GPUs by tier, tier x week (committed, burst, emergency series).
    pub weekly_capacity: Vec<f64>,
}

impl<C: Count> PortfolioAgg<C> {
    pub fn new(m: &Model, capacity: usize) -> Self {
        PortfolioAgg {
            cost: Vec::with_capacity(capacity),
            unmet: Vec::with_capacity(capacity),
            shortage_weeks: Vec::with_capacity(capacity),
            short_paths: 0,
            cost_m: Moments::default(),
            unmet_m: Moments::default(),
            short_weeks_m: Moments::default(),
            longest_run: 0.0,
            idle: Moments::default(),
            emissions: Moments::default(),
            served: 0.0,
            degraded: 0.0,
            paid_committed: 0.0,
            used_committed: 0.0,
            breakdown: [0.0; 6],
            providers: vec![[0.0; 6]; m.providers.len()],
            classes: vec![ClassAgg::default(); m.classes.len()],
            damage_unmet: Moments::default(),
            damage_short: 0,
            damage_cost: 0.0,
            orders: 0.0,
            ordered_gpus: 0.0,
            weekly_short: vec![0; m.weeks],
            weekly_cost: WeeklyHist::new(m.weeks, m.cost_scale),
            weekly_cost_sum: vec![0.0; m.weeks],
            weekly_capacity: vec![0.0; m.weeks * 3],
        }
    }
}

impl PortfolioAgg {
    fn merge(&mut self, o: &PortfolioAgg<u16>) {
        self.cost.extend_from_slice(&o.cost);
        self.unmet.extend_from_slice(&o.unmet);
        self.shortage_weeks.extend_from_slice(&o.shortage_weeks);
        self.short_paths += o.short_paths;
        self.cost_m.merge(&o.cost_m);
        self.unmet_m.merge(&o.unmet_m);
        self.short_weeks_m.merge(&o.short_weeks_m);
        self.longest_run += o.longest_run;
        self.idle.merge(&o.idle);
        self.emissions.merge(&o.emissions);
        self.served += o.served;
        self.degraded += o.degraded;
        self.paid_committed += o.paid_committed;
        self.used_committed += o.used_committed;
        add(&mut self.breakdown, &o.breakdown);
        for (a, b) in self.providers.iter_mut().zip(&o.providers) {
            add(a, b);
        }
        for (a, b) in self.classes.iter_mut().zip(&o.classes) {
            a.short_paths += b.short_paths;
            a.unmet.merge(&b.unmet);
            a.short_weeks += b.short_weeks;
            a.degraded += b.degraded;
            a.served += b.served;
        }
        self.damage_unmet.merge(&o.damage_unmet);
        self.damage_short += o.damage_short;
        self.damage_cost += o.damage_cost;
        self.orders += o.orders;
        self.ordered_gpus += o.ordered_gpus;
        for (a, b) in self.weekly_short.iter_mut().zip(&o.weekly_short) {
            *a += b;
        }
        self.weekly_cost.merge(&o.weekly_cost);
        add(&mut self.weekly_cost_sum, &o.weekly_cost_sum);
        add(&mut self.weekly_capacity, &o.weekly_capacity);
    }
}

fn add(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
}

/// Merged results of the chunks seen so far. Chunks may arrive in any order; they are folded in
/// index order, and `report` describes the contiguous prefix.
pub struct Accumulator {
    pub(crate) model: Arc<Model>,
    pub(crate) paths: u32,
    next: u32,
    pending: BTreeMap<u32, ChunkResult>,
    pub(crate) demand: WeeklyHist,
    pub(crate) demand_sum: Vec<f64>,
    pub(crate) portfolios: Vec<PortfolioAgg>,
}

impl Accumulator {
    pub(crate) fn new(model: Arc<Model>) -> Self {
        let demand = WeeklyHist::new(model.weeks, model.demand_scale);
        let portfolios = model
            .portfolios
            .iter()
            .map(|_| PortfolioAgg::new(&model, model.paths as usize))
            .collect();
        Accumulator {
            demand_sum: vec![0.0; model.weeks],
            model,
            paths: 0,
            next: 0,
            pending: BTreeMap::new(),
            demand,
            portfolios,
        }
    }

    /// Add a chunk. Chunks may come in any order; each index counts once.
    pub fn merge(&mut self, chunk: ChunkResult) {
        if chunk.index < self.next {
            return;
        }
        self.pending.insert(chunk.index, chunk);
        while let Some(c) = self.pending.remove(&self.next) {
            self.fold(&c);
            self.next += 1;
        }
    }

    fn fold(&mut self, c: &ChunkResult) {
        self.paths += c.paths;
        self.demand.merge(&c.demand);
        add(&mut self.demand_sum, &c.demand_sum);
        for (a, b) in self.portfolios.iter_mut().zip(&c.portfolios) {
            a.merge(b);
        }
    }

    /// Paths folded into the report so far.
    pub fn paths_done(&self) -> u32 {
        self.paths
    }

    /// Chunks folded so far (the contiguous prefix).
    pub fn chunks_done(&self) -> u32 {
        self.next
    }

    /// Build the report from what has been merged so far.
    pub fn report(&self) -> crate::Report {
        crate::finalize::build(self)
    }
}
