//! The concentration check: replay the outage weeks with the portfolio's largest provider
//! (partly) down and tally the extra unmet GPU-hours and cost. Rare (a week or two per path), so
//! it recomputes what it needs instead of burdening the weekly loop.

use super::buy::buy;
use super::deferred::allocate;
use super::serve::Week;
use super::{EPS, H};
use crate::compile::{Model, PortfolioModel};
use crate::world::World;

/// The concentration check's tallies on one path.
#[derive(Default)]
pub(super) struct Damage {
    /// Extra unmet GPU-hours and $ with the largest provider down.
    pub unmet: f64,
    pub cost: f64,
    /// Short in some checked week.
    pub short: bool,
    /// Deferred work carried into the checked week, and the week's demand per class.
    backlog: Vec<f64>,
    req: Vec<f64>,
    /// One week's GPUs of every burst and emergency entry with the provider down.
    burst: Vec<f64>,
    emergency: Vec<f64>,
    order: Vec<usize>,
}

impl Damage {
    pub fn new(nc: usize) -> Damage {
        Damage {
            backlog: vec![0.0; nc],
            req: vec![0.0; nc],
            ..Damage::default()
        }
    }

    pub fn reset(&mut self) {
        (self.unmet, self.cost, self.short) = (0.0, 0.0, false);
    }
}

/// Concentration check for week `w`: serve and buy the same week again with the largest
/// provider (partly) down, starting from the deferred work `backlog` the real week started from;
/// `real` is the real week's allocation and variable spend.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
pub(super) fn concentration_check(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    w: usize,
    [committed, burst, emergency]: [f64; 3],
    dyn_gpus: f64,
    backlog: &[f64],
    (real, real_spend): (&Week, f64),
    out: &mut Damage,
) {
    let weeks = m.weeks;
    out.backlog.copy_from_slice(backlog);
    for (c, r) in out.req.iter_mut().enumerate() {
        *r = world.req[c * weeks + w];
    }
    let damage_p = pm.largest_provider;
    let damage_start = m.outage_week as f64;
    let damage_end = damage_start + m.outage_hours / H;
    let overlap = damage_end.min(w as f64 + 1.0) - damage_start.max(w as f64);
    let up = world.up[damage_p * weeks + w];
    let lost = (overlap / up.max(1e-12)).clamp(0.0, 1.0);
    let mut gpus = pm.committed[damage_p * weeks + w];
    if pm.ordering.as_ref().map(|o| o.provider) == Some(damage_p) {
        gpus += dyn_gpus;
    }
    let mut caps = [committed - gpus * up * lost, burst, emergency];
    for (tier, list, factor, down) in [
        (1, &pm.burst, &world.burst_factor, &mut out.burst),
        (
            2,
            &pm.emergency,
            &world.emergency_factor,
            &mut out.emergency,
        ),
    ] {
        down.clear();
        for src in list {
            let a = src.cap * factor[src.offset + w];
            let d = if src.provider == damage_p {
                a * (1.0 - lost)
            } else {
                a
            };
            caps[tier] -= a - d;
            down.push(d);
        }
    }
    let mut left = caps;
    let mut d = allocate::<false>(
        &m.serve,
        &out.req,
        &mut left,
        &mut out.backlog,
        &mut [],
        Week::default(),
    );
    d.used = [0, 1, 2].map(|t| caps[t] - left[t]);
    let buf = &mut out.order;
    let fixed = world.list_prices;
    let d_b = if d.used[1] <= 0.0 {
        0.0
    } else {
        let (list, avail) = (&pm.burst, &out.burst);
        let price = |k: usize| world.burst_price[list[k].offset + w];
        let order = (&pm.burst_order[..], fixed);
        buy::<false>(d.used[1], order, |k| avail[k], price, buf, &mut [])
    };
    let d_e = if d.used[2] <= 0.0 {
        0.0
    } else {
        let (list, avail) = (&pm.emergency, &out.emergency);
        let price = |k: usize| world.emergency_price[list[k].offset + w];
        let order = (&pm.emergency_order[..], fixed);
        buy::<false>(d.used[2], order, |k| avail[k], price, buf, &mut [])
    };
    out.unmet += (d.unmet - real.unmet).max(0.0) * H;
    out.cost += (d_b + d_e + d.penalty_degraded + d.penalty) - real_spend;
    out.short |= d.unmet > EPS;
}
