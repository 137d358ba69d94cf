//! Sensitivity as a tornado: which uncertain inputs move P(shortage) and cost most.
//!
//! Each input is swung to a low and a high value with everything else at base, for one
//! portfolio, on the same seed and paths:
//! - a distribution is replaced by the fixed value at its P10 (low) and P90 (high);
//! - an event rate (jumps, outages, quota cuts, price shocks), a volatility and a correlation are
//!   scaled x0.5 and x1.5 (clamped to the format's range);
//! - a price (reserved, on demand) is scaled x0.8 and x1.2: prices are negotiated, not drawn, and
//!   +-20% is the usual range of a negotiation or a list-price change.
//!
//! Inputs that cannot move (a fixed distribution, a zero rate) are left out. Paths draw their
//! numbers from one stream in a fixed order and a distribution swing still consumes its uniform,
//! so distribution and price swings keep every other draw aligned (common random numbers); a
//! rate swing changes the number of events, which shifts the draws after it on a path, so those
//! rows carry some sampling noise (compare the swing with the reported standard errors).

use super::{Executor, pick_portfolio};
use crate::dist::Dist;
use crate::report::PortfolioReport;
use crate::scenario::Scenario;
use crate::{RunError, RunOptions, Simulation};
use serde::{Deserialize, Serialize};

/// Which swing orders the tornado.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwingMetric {
    #[default]
    Shortage,
    Cost,
}

/// Serde (absent fields = defaults) is how the browser asks for a tornado (`crates/wasm`).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SensitivityOptions {
    /// Portfolio to study; absent = the first.
    pub portfolio: Option<String>,
    /// Paths, seed and stress tests of every run.
    pub run: RunOptions,
    pub sort_by: SwingMetric,
}

/// Headline metrics of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    pub shortage_probability: f64,
    pub shortage_probability_se: f64,
    pub mean_cost: f64,
    pub mean_cost_se: f64,
}

impl Swing {
    fn of(p: &PortfolioReport) -> Swing {
        Swing {
            shortage_probability: p.shortage_probability,
            shortage_probability_se: p.shortage_probability_se,
            mean_cost: p.cost.mean,
            mean_cost_se: p.cost.mean_se,
        }
    }
}

/// One bar of the tornado. Field names are the JSON output's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// Field path in the scenario, e.g. `providers[neo-a].burst_fill`.
    pub input: String,
    /// The base setting as written (a distribution or a number).
    pub base: String,
    /// How low and high were chosen: `p10_p90`, `x0.5_x1.5` or `x0.8_x1.2`.
    pub rule: String,
    pub low_value: f64,
    pub high_value: f64,
    pub low: Swing,
    pub high: Swing,
    /// |high - low| of P(shortage) and of mean cost.
    pub shortage_swing: f64,
    pub cost_swing: f64,
}

/// The tornado. Field names are the JSON output's (read back by the browser UI).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Tornado {
    pub scenario_name: String,
    pub portfolio: String,
    pub seed: u64,
    pub paths: u32,
    pub sort_by: SwingMetric,
    pub base: Swing,
    /// Largest swing first.
    pub rows: Vec<SensitivityRow>,
    /// Simulations run (1 base + 2 per row).
    pub runs: u32,
}

/// How to write one swing into a copy of the scenario.
type Apply = Box<dyn Fn(&mut Scenario, f64)>;

struct Input {
    name: String,
    base: String,
    rule: &'static str,
    low: f64,
    high: f64,
    apply: Apply,
}

const P10_P90: &str = "p10_p90";
const RATE: &str = "x0.5_x1.5";
const PRICE: &str = "x0.8_x1.2";

fn dist_input(name: String, d: &Dist, lo: f64, hi: f64, apply: Apply) -> Option<Input> {
    let s = d.compile();
    let low = s.quantile(0.1).clamp(lo, hi);
    let high = s.quantile(0.9).clamp(lo, hi);
    (low != high).then(|| Input {
        name,
        base: d.describe(),
        rule: P10_P90,
        low,
        high,
        apply,
    })
}

fn scaled(name: String, v: f64, rule: &'static str, max: f64, apply: Apply) -> Option<Input> {
    let (a, b) = if rule == PRICE {
        (0.8, 1.2)
    } else {
        (0.5, 1.5)
    };
    let (low, high) = ((v * a).min(max), (v * b).min(max));
    (low != high).then(|| Input {
        name,
        base: format!("{v}"),
        rule,
        low,
        high,
        apply,
    })
}

/// Every swingable input of the scenario, in file order.
fn inputs(s: &Scenario) -> Vec<Input> {
    let mut out = Vec::new();
    for (i, w) in s.workloads.iter().enumerate() {
        let n = |f: &str| format!("workloads[{}].{f}", w.name);
        out.extend(dist_input(
            n("growth"),
            &w.growth,
            -0.99,
            100.0,
            Box::new(move |s, v| s.workloads[i].growth = Dist::Fixed(v)),
        ));
        out.extend(scaled(
            n("volatility"),
            w.volatility,
            RATE,
            2.0,
            Box::new(move |s, v| s.workloads[i].volatility = v),
        ));
        if let Some(j) = &w.jumps {
            out.extend(scaled(
                n("jumps.rate_per_year"),
                j.rate_per_year,
                RATE,
                520.0,
                Box::new(move |s, v| {
                    if let Some(j) = s.workloads[i].jumps.as_mut() {
                        j.rate_per_year = v;
                    }
                }),
            ));
            out.extend(dist_input(
                n("jumps.size"),
                &j.size,
                -0.99,
                100.0,
                Box::new(move |s, v| {
                    if let Some(j) = s.workloads[i].jumps.as_mut() {
                        j.size = Dist::Fixed(v);
                    }
                }),
            ));
        }
    }
    for (i, p) in s.providers.iter().enumerate() {
        let n = |f: &str| format!("providers[{}].{f}", p.name);
        out.extend(scaled(
            n("reserved_price"),
            p.reserved_price,
            PRICE,
            f64::INFINITY,
            Box::new(move |s, v| s.providers[i].reserved_price = v),
        ));
        out.extend(scaled(
            n("on_demand_price"),
            p.on_demand_price,
            PRICE,
            f64::INFINITY,
            Box::new(move |s, v| s.providers[i].on_demand_price = v),
        ));
        out.extend(dist_input(
            n("burst_fill"),
            &p.burst_fill,
            0.0,
            1.0,
            Box::new(move |s, v| s.providers[i].burst_fill = Dist::Fixed(v)),
        ));
        out.extend(dist_input(
            n("lead_time_weeks"),
            &p.lead_time_weeks,
            0.0,
            520.0,
            Box::new(move |s, v| s.providers[i].lead_time_weeks = Dist::Fixed(v)),
        ));
        if let Some(o) = &p.outages {
            out.extend(scaled(
                n("outages.rate_per_year"),
                o.rate_per_year,
                RATE,
                520.0,
                Box::new(move |s, v| {
                    if let Some(o) = s.providers[i].outages.as_mut() {
                        o.rate_per_year = v;
                    }
                }),
            ));
            out.extend(dist_input(
                n("outages.duration_hours"),
                &o.duration_hours,
                0.0,
                87_360.0,
                Box::new(move |s, v| {
                    if let Some(o) = s.providers[i].outages.as_mut() {
                        o.duration_hours = Dist::Fixed(v);
                    }
                }),
            ));
        }
        if let Some(q) = &p.quota_cuts {
            out.extend(scaled(
                n("quota_cuts.rate_per_year"),
                q.rate_per_year,
                RATE,
                520.0,
                Box::new(move |s, v| {
                    if let Some(q) = s.providers[i].quota_cuts.as_mut() {
                        q.rate_per_year = v;
                    }
                }),
            ));
            out.extend(dist_input(
                n("quota_cuts.fraction"),
                &q.fraction,
                0.0,
                1.0,
                Box::new(move |s, v| {
                    if let Some(q) = s.providers[i].quota_cuts.as_mut() {
                        q.fraction = Dist::Fixed(v);
                    }
                }),
            ));
        }
        if let Some(ps) = &p.price_shocks {
            out.extend(scaled(
                n("price_shocks.rate_per_year"),
                ps.rate_per_year,
                RATE,
                520.0,
                Box::new(move |s, v| {
                    if let Some(ps) = s.providers[i].price_shocks.as_mut() {
                        ps.rate_per_year = v;
                    }
                }),
            ));
            out.extend(dist_input(
                n("price_shocks.size"),
                &ps.size,
                -0.9,
                100.0,
                Box::new(move |s, v| {
                    if let Some(ps) = s.providers[i].price_shocks.as_mut() {
                        ps.size = Dist::Fixed(v);
                    }
                }),
            ));
        }
    }
    for (i, g) in s.correlation_groups.iter().enumerate() {
        out.extend(scaled(
            format!("correlation_groups[{}].correlation", g.name),
            g.correlation,
            RATE,
            1.0,
            Box::new(move |s, v| s.correlation_groups[i].correlation = v),
        ));
    }
    out
}

/// Build the tornado for one portfolio. `progress(runs_done, runs_total)` after each run;
/// returning `false` cancels.
pub fn sensitivity(
    scenario: &Scenario,
    options: &SensitivityOptions,
    exec: &mut dyn Executor,
    progress: &mut dyn FnMut(u32, u32) -> bool,
) -> Result<Tornado, RunError> {
    let idx = pick_portfolio(scenario, options.portfolio.as_deref()).map_err(RunError::Invalid)?;
    // Only the studied portfolio is simulated: its results do not depend on its neighbours.
    let mut base = scenario.clone();
    base.portfolios = vec![scenario.portfolios[idx].clone()];
    let inputs = inputs(&base);
    let total = 1 + 2 * inputs.len() as u32;
    let mut done = 0;
    let mut run = |s: &Scenario| -> Result<(PortfolioReport, u64, u32), RunError> {
        let sim = Simulation::new(s, &options.run).map_err(RunError::Invalid)?;
        let r = exec.run(&sim, &mut |_, _| true)?;
        done += 1;
        if !progress(done, total) {
            return Err(RunError::Cancelled);
        }
        let p = r.portfolios.into_iter().next().unwrap_or_default();
        Ok((p, r.seed, r.paths))
    };
    let (b, seed, paths) = run(&base)?;
    let mut rows = Vec::with_capacity(inputs.len());
    for input in &inputs {
        let mut swing = |v: f64| {
            let mut s = base.clone();
            (input.apply)(&mut s, v);
            run(&s).map(|(p, _, _)| Swing::of(&p))
        };
        let low = swing(input.low)?;
        let high = swing(input.high)?;
        rows.push(SensitivityRow {
            input: input.name.clone(),
            base: input.base.clone(),
            rule: input.rule.to_string(),
            low_value: input.low,
            high_value: input.high,
            shortage_swing: (high.shortage_probability - low.shortage_probability).abs(),
            cost_swing: (high.mean_cost - low.mean_cost).abs(),
            low,
            high,
        });
    }
    // Stable sort: equal swings keep file order, so the output is deterministic.
    rows.sort_by(|a, b| {
        let key = |r: &SensitivityRow| match options.sort_by {
            SwingMetric::Shortage => (r.shortage_swing, r.cost_swing),
            SwingMetric::Cost => (r.cost_swing, r.shortage_swing),
        };
        let (a1, a2) = key(a);
        let (b1, b2) = key(b);
        b1.total_cmp(&a1).then(b2.total_cmp(&a2))
    });
    Ok(Tornado {
        scenario_name: scenario.name.clone(),
        portfolio: scenario.portfolios[idx].name.clone(),
        seed,
        paths,
        sort_by: options.sort_by,
        base: Swing::of(&b),
        rows,
        runs: done,
    })
}
