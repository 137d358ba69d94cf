//! One path's world: demand per workload and the state of every provider, week by week.
//!
//! The world is drawn once per path and then every portfolio is evaluated against it (common
//! random numbers): a difference between portfolios on a path is never sampling noise. The draw
//! order below is part of the engine's definition; changing it changes every golden report.
//!
//! Provider arrays are stored series by series (`[provider * weeks + week]`) so the per-week
//! loops over one series are contiguous and vectorise; demand is stored the same way
//! (`[class * weeks + week]`), because portfolios are served in passes over all weeks.
//!
//! Demand is drawn here; providers in `providers`. Provider series are kept from one path to
//! the next: outages, quota cuts and price shocks move few weeks, so only the weeks this path's
//! or the previous path's events moved are worked out again (`touched`); every other week is
//! up, at full quota and at list price.

mod providers;
mod touched;

use crate::compile::Model;
use crate::rng::PathRng;
use providers::{Quiet, quiet_bounds};
use touched::Touched;

/// Buffers for one path, reused across paths to keep allocation out of the loop.
pub(crate) struct World {
    /// Peak GPUs required, class x week.
    pub req: Vec<f64>,
    /// Peak GPUs required over the horizon, per class.
    pub req_total: Vec<f64>,
    /// Fraction of the week each provider is up, provider x week.
    pub up: Vec<f64>,
    /// Price multiplier for on-demand, emergency and newly signed capacity, provider x week.
    pub price: Vec<f64>,
    /// True when no price moved on this path: burst is then bought in list-price order.
    pub list_prices: bool,
    /// $ per GPU-week of burst and of emergency capacity (list price x multiplier), provider x
    /// week: the same for every portfolio, so worked out once per path.
    pub burst_price: Vec<f64>,
    pub emergency_price: Vec<f64>,
    /// Share of a burst cap available: fill x quota x up, provider x week.
    pub burst_factor: Vec<f64>,
    /// Share of an emergency cap available: quota x up, provider x week.
    pub emergency_factor: Vec<f64>,
    /// Key for draws only some portfolios make (order lead times).
    pub order_key: u64,
    /// Down fraction and quota multiplier from events, provider x week: 0 and 1 except where
    /// this path's events moved them (`touched`).
    down: Vec<f64>,
    quota: Vec<f64>,
    touched: Touched,
    /// Each event process's `Quiet` bound: per provider its outages, quota cuts and price
    /// shocks, then per group the same.
    quiet: Vec<Quiet>,
    /// The path's burst-tightness draws: the groups', then the providers'.
    bits: Vec<u64>,
    /// One class's weekly demand before seasonality and stress, and its log-noise (first its
    /// innovations); its jumps as (week, size).
    series: Vec<f64>,
    noise: Vec<f64>,
    jumps: Vec<(usize, f64)>,
}

impl World {
    pub fn new(m: &Model) -> World {
        let (w, p, c) = (m.weeks, m.providers.len(), m.classes.len());
        World {
            req: vec![0.0; c * w],
            req_total: vec![0.0; c],
            up: vec![1.0; p * w],
            price: vec![1.0; p * w],
            list_prices: true,
            burst_price: vec![0.0; p * w],
            emergency_price: vec![0.0; p * w],
            burst_factor: vec![1.0; p * w],
            emergency_factor: vec![1.0; p * w],
            order_key: 0,
            down: vec![0.0; p * w],
            quota: vec![1.0; p * w],
            touched: Touched::new(m),
            quiet: quiet_bounds(m),
            bits: vec![0; (m.groups.len() + p) * w],
            series: vec![0.0; w],
            noise: vec![0.0; w],
            jumps: Vec::new(),
        }
    }

    pub fn draw(&mut self, m: &Model, rng: &mut PathRng) {
        self.order_key = rng.next_u64();
        self.draw_demand(m, rng);
        self.draw_providers(m, rng);
    }

    fn draw_demand(&mut self, m: &Model, rng: &mut PathRng) {
        let weeks = m.weeks;
        for (c, cm) in m.classes.iter().enumerate() {
            let g = cm.growth.quantile(rng.open01()).max(-0.99);
            // (1 + g)^(1/52) as exp(log(1 + g) / 52): libm's `pow` took as long as the rest of
            // the class's draws.
            let weekly_growth = crate::dist::exp(libm::log(1.0 + g) / 52.0);
            let log_keep = cm.log_keep;
            // Weeks until the next jump: geometric, drawn once per jump rather than once per week.
            let gap = |rng: &mut PathRng| -> usize {
                match cm.jump_p {
                    p if p <= 0.0 => usize::MAX,
                    p if p >= 1.0 => 0,
                    _ => (libm::log(rng.open01()) / log_keep).min(1e9) as usize,
                }
            };
            // Draws in the engine's order: jumps in time order (at most one a week, none past
            // the horizon), then the noise's innovations.
            self.jumps.clear();
            let mut next = gap(rng);
            while next < weeks {
                self.jumps.push((next, cm.jump_size.quantile(rng.open01())));
                next = next.saturating_add(1).saturating_add(gap(rng));
            }
            let noise = &mut self.noise[..weeks];
            if cm.volatility > 0.0 {
                // AR(1) log-noise, `p x + (i z)`, drawn from a local copy of the generator so
                // that its state stays in registers.
                let (persistence, innovation) = (cm.persistence, cm.innovation);
                let mut r = rng.clone();
                let mut x = 0.0;
                noise[0] = 0.0;
                for n in &mut noise[1..] {
                    x = persistence * x + innovation * r.gauss();
                    *n = x;
                }
                *rng = r;
            }
            let level = &mut self.series[..weeks];
            trend_with_jumps(
                level,
                cm.base * cm.peak_factor,
                weekly_growth,
                &self.jumps,
                cm.jump_decay,
            );
            let season = &cm.season[..weeks];
            let stress = &m.stress.demand[c * weeks..(c + 1) * weeks];
            let req = &mut self.req[c * weeks..(c + 1) * weeks];
            if cm.volatility > 0.0 {
                demand_with_noise(req, level, noise, season, stress);
            } else {
                demand(req, level, season, stress);
            }
            self.req_total[c] = crate::lanes::sum(req);
        }
    }
}

/// A class's weekly demand level before noise: the trend (`start`, multiplied by `growth`
/// every week) times 1 + the jump level, floored at 0. The jump level decays by `decay` every
/// week and grows by each jump's size in its week; before the first jump the factor is exactly
/// 1, so those weeks are the trend alone.
fn trend_with_jumps(
    level: &mut [f64],
    start: f64,
    growth: f64,
    jumps: &[(usize, f64)],
    decay: f64,
) {
    trend(level, start, growth);
    let mut jump = 0.0;
    let mut from = jumps.first().map_or(level.len(), |j| j.0);
    for &(week, size) in jumps {
        scale_by_jump(&mut level[from..week], &mut jump, decay);
        jump = jump * decay + size;
        level[week] *= jump_factor(jump);
        from = week + 1;
    }
    scale_by_jump(&mut level[from..], &mut jump, decay);
}

/// A geometric series `first` x `ratio`^i in four lanes: the first four terms by successive
/// multiplication, and `ratio`^4, by which each term gives the one four later. Four
/// independent chains of multiplications vectorise; one chain would take a multiply's latency
/// per week.
fn geometric_lanes(first: f64, ratio: f64) -> ([f64; 4], f64) {
    let mut lanes = [first; 4];
    for k in 1..4 {
        lanes[k] = lanes[k - 1] * ratio;
    }
    (lanes, (ratio * ratio) * (ratio * ratio))
}

/// The trend, `start` x `growth`^week, in four lanes (`geometric_lanes`).
fn trend(level: &mut [f64], start: f64, growth: f64) {
    let (mut lanes, g4) = geometric_lanes(start, growth);
    let (body, tail) = level.as_chunks_mut::<4>();
    for four in body {
        *four = lanes;
        for l in &mut lanes {
            *l *= g4;
        }
    }
    tail.copy_from_slice(&lanes[..tail.len()]);
}

/// Weeks without a jump: the jump level decays, and the level is scaled by it. The decayed
/// levels are a geometric series in four lanes, like the trend (`geometric_lanes`).
fn scale_by_jump(level: &mut [f64], jump: &mut f64, decay: f64) {
    if level.is_empty() {
        return;
    }
    let (mut lanes, d4) = geometric_lanes(*jump * decay, decay);
    let (body, tail) = level.as_chunks_mut::<4>();
    let mut last = *jump;
    for four in body {
        for (l, &j) in four.iter_mut().zip(&lanes) {
            *l *= jump_factor(j);
        }
        last = lanes[3];
        for j in &mut lanes {
            *j *= d4;
        }
    }
    for (l, &j) in tail.iter_mut().zip(&lanes) {
        *l *= jump_factor(j);
        last = j;
    }
    *jump = last;
}

/// The demand factor of a jump level: 1 + level, never below 0.
#[inline]
fn jump_factor(jump: f64) -> f64 {
    let j = 1.0 + jump;
    if j > 0.0 { j } else { 0.0 }
}

// The branch-free passes, each a plain loop over distinct slices so that it vectorises.

/// Demand: level x seasonality x stress.
#[inline(never)]
fn demand(req: &mut [f64], level: &[f64], season: &[f64], stress: &[f64]) {
    for ((r, &l), (&s, &st)) in req.iter_mut().zip(level).zip(season.iter().zip(stress)) {
        *r = l * s * st;
    }
}

/// Demand: (level x noise) x seasonality x stress.
#[inline(never)]
fn demand_with_noise(
    req: &mut [f64],
    level: &[f64],
    noise: &[f64],
    season: &[f64],
    stress: &[f64],
) {
    let rows = req
        .iter_mut()
        .zip(level.iter().zip(noise))
        .zip(season.iter().zip(stress));
    for ((r, (&l, &n)), (&s, &st)) in rows {
        *r = l * crate::dist::exp(n) * s * st;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_matches_the_week_by_week_definition() {
        // Decaying and permanent jumps, one in week 0, one in the last week, one large and
        // negative enough to floor the factor at 0.
        let weeks = 30;
        let cases: [(&[(usize, f64)], f64); 4] = [
            (&[], 0.9),
            (&[(0, 0.4), (7, 0.2), (8, -2.5), (29, 0.1)], 0.8),
            (&[(3, 0.3), (20, 0.25)], 1.0),
            (&[(12, f64::NAN)], 0.5),
        ];
        for ((jumps, decay), growth) in cases.into_iter().zip([1.0113, 0.9937, 1.0113, 1.02]) {
            let start = 123.4;
            let mut fast = vec![0.0; weeks];
            trend_with_jumps(&mut fast, start, growth, jumps, decay);
            // x times r^(i + 1) in lanes: week i = 4q + k of a run gets x r^(k + 1) by
            // successive multiplication, then r^4 q times.
            let lane = |x: f64, r: f64, i: usize| {
                let r4 = (r * r) * (r * r);
                let mut v = x;
                for _ in 0..=i % 4 {
                    v *= r;
                }
                for _ in 0..i / 4 {
                    v *= r4;
                }
                v
            };
            // The jump level at the last jump (0 before any), and weeks since it.
            let (mut at_jump, mut since) = (0.0, 0);
            for (w, &got) in fast.iter().enumerate() {
                // Week w = 4q + k: start x growth^k by successive multiplication, then g^4 q times.
                let mut trend = start;
                for _ in 0..w % 4 {
                    trend *= growth;
                }
                for _ in 0..w / 4 {
                    trend *= (growth * growth) * (growth * growth);
                }
                let jump = if let Some(&(_, size)) = jumps.iter().find(|j| j.0 == w) {
                    let before = if since == 0 {
                        at_jump
                    } else {
                        lane(at_jump, decay, since - 1)
                    };
                    (at_jump, since) = (before * decay + size, 0);
                    at_jump
                } else {
                    since += 1;
                    lane(at_jump, decay, since - 1)
                };
                let j: f64 = 1.0 + jump;
                let want = trend * if j > 0.0 { j } else { 0.0 };
                assert_eq!(got.to_bits(), want.to_bits(), "week {w} of {jumps:?}");
            }
        }
    }

    /// A small model: bench.toml's providers, events and stress tests, 104 weeks.
    fn bench_model(stress: &[&str]) -> Model {
        let text = include_str!("../../../scenarios/bench.toml");
        let s = crate::scenario::parse(text, crate::Format::Toml).expect("bench.toml parses");
        let options = crate::RunOptions {
            paths: Some(40),
            seed: Some(99),
            stress: stress.iter().map(|n| n.to_string()).collect(),
        };
        Model::new(&s, &options, false).expect("bench.toml compiles")
    }

    #[test]
    fn kept_series_equal_freshly_drawn_ones() {
        // Paths drawn one after another in one world (series kept and repaired) against each
        // path drawn in a world of its own; with and without stress tests.
        for stress in [&[][..], &["perfect-storm", "neo-a-quota-halved"][..]] {
            let m = bench_model(stress);
            let mut kept = World::new(&m);
            for path in 0..40 {
                kept.draw(&m, &mut PathRng::new(m.seed, path));
                let mut fresh = World::new(&m);
                fresh.draw(&m, &mut PathRng::new(m.seed, path));
                for (name, a, b) in [
                    ("up", &kept.up, &fresh.up),
                    ("price", &kept.price, &fresh.price),
                    ("burst price", &kept.burst_price, &fresh.burst_price),
                    (
                        "emergency price",
                        &kept.emergency_price,
                        &fresh.emergency_price,
                    ),
                    ("burst factor", &kept.burst_factor, &fresh.burst_factor),
                    (
                        "emergency factor",
                        &kept.emergency_factor,
                        &fresh.emergency_factor,
                    ),
                    ("demand", &kept.req, &fresh.req),
                ] {
                    let same = a
                        .iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "path {path} {stress:?}: {name}");
                }
                assert_eq!(kept.list_prices, fresh.list_prices);
                assert!(kept.down.iter().all(|&d| d == 0.0));
                assert!(kept.quota.iter().all(|&q| q == 1.0));
            }
        }
    }
}
