//! The weekly simulation of every portfolio against one path's world.
//!
//! Each week: committed capacity (contracts plus arrived orders) is what is up of it; burst is
//! capped, partly filled when the provider is tight and cut by quotas; emergency is capped and cut
//! by quotas. Workloads are served in priority order from committed, then burst, then emergency;
//! a workload with a fallback model degrades part of what is left; the rest is shortage. Burst
//! and emergency are bought cheapest first.
//!
//! This is the hot loop (paths x weeks x portfolios). `run_chunk` draws each path's world once
//! and plays every portfolio through it (`portfolio`). A portfolio is not simulated week by week
//! but in passes over all weeks, one concern at a time, because only two things carry from one
//! week to the next: orders, which depend on the world alone and are planned first (`order`),
//! and deferred work, whose workloads are served in a short sequential pass (`deferred`). The
//! other passes are branch-free loops over weeks that the compiler vectorises (`capacity`,
//! `serve`, `buy`, `tally`); each is a small function over distinct slices, so the compiler
//! needs no proof that arrays do not overlap. Each week's arithmetic is the same as in a
//! week-by-week loop, so the passes change no result; `serve` and `buy` test that against the
//! week-by-week definitions bit for bit. A path's sums over weeks of the tallies (costs, GPUs
//! bought, emissions) are lane sums (`crate::lanes`, four interleaved partial sums) so that they
//! vectorise too; the per-workload unmet and degraded GPUs stay in week order, as in `allocate`. The "largest provider out" replay is `check`. All working memory
//! lives in `portfolio::Scratch`, allocated once per chunk.

mod buy;
mod capacity;
mod check;
mod deferred;
mod order;
mod portfolio;
mod serve;
mod tally;

use crate::CHUNK_PATHS;
use crate::accum::{ChunkResult, PortfolioAgg};
use crate::compile::Model;
use crate::hist::WeeklyHist;
use crate::rng::PathRng;
use crate::scenario::HOURS_PER_WEEK;
use crate::world::World;

/// Shortfalls below this many GPUs are rounding, not shortage.
const EPS: f64 = 1e-9;
const H: f64 = HOURS_PER_WEEK;

pub(crate) fn run_chunk(m: &Model, index: u32) -> ChunkResult {
    let first = index.saturating_mul(CHUNK_PATHS).min(m.paths);
    let last = first.saturating_add(CHUNK_PATHS).min(m.paths);
    let n = last - first;
    let weeks = m.weeks;
    let mut out = ChunkResult {
        index,
        paths: n,
        demand: WeeklyHist::new(weeks, m.demand_scale),
        demand_sum: vec![0.0; weeks],
        portfolios: m
            .portfolios
            .iter()
            .map(|_| PortfolioAgg::new(m, n as usize))
            .collect(),
    };
    let mut world = World::new(m);
    let mut scratch = portfolio::Scratch::new(m);
    let mut total = vec![0.0; weeks];
    for path in first..last {
        let mut rng = PathRng::new(m.seed, u64::from(path));
        world.draw(m, &mut rng);
        // Demand summed over workloads in file order, week by week.
        total.fill(-0.0);
        for req in world.req.chunks_exact(weeks) {
            for (t, r) in total.iter_mut().zip(req) {
                *t += r;
            }
        }
        out.demand.add_path(&total);
        for (&t, sum) in total.iter().zip(out.demand_sum.iter_mut()) {
            *sum += t;
        }
        for (pm, agg) in m.portfolios.iter().zip(out.portfolios.iter_mut()) {
            portfolio::simulate(m, pm, &world, &mut scratch, agg);
        }
    }
    // The histograms' last paths are still waiting to be counted.
    out.demand.flush();
    for agg in &mut out.portfolios {
        agg.weekly_cost.flush();
    }
    out
}
