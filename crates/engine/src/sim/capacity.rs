//! The capacity series of a portfolio on one path: committed GPUs (contracts and arrived
//! orders, times up-time) and their carbon, burst and emergency GPUs (caps times the providers'
//! availability factors). Each is built by passes over all weeks, one provider or list entry at
//! a time, summed in the same order as a week-by-week loop would.

use super::H;
use super::portfolio::Scratch;
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
use crate::world::World;

/// Fill the per-week capacity series of a portfolio on this path, orders included.
pub(super) fn capacity(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &mut Scratch,
    agg: &mut PortfolioAgg<u16>,
) {
    let weeks = m.weeks;
    let (committed, carbon) = (&mut s.committed[..weeks], &mut s.committed_carbon[..weeks]);
    // Sums start from exactly 0 (so the first term is assigned: `0 + a` is `a` for `a >= 0`).
    let mut first = true;
    for &p in &pm.committed_providers {
        let c = m.providers[p].carbon_t_per_gpu_hour * H;
        let gpus = &pm.committed[p * weeks..(p + 1) * weeks];
        let up = &world.up[p * weeks..(p + 1) * weeks];
        add_up(committed, carbon, gpus, up, c, first);
        first = false;
    }
    if first {
        committed.fill(0.0);
        carbon.fill(0.0);
    }
    if pm.ordering.is_some() {
        let up = &world.up[pm.order_offset..pm.order_offset + weeks];
        add_orders(committed, carbon, &s.order_gpus, up, pm.order_carbon);
    }
    for (total, list, factor) in [
        (&mut s.burst, &pm.burst, &world.burst_factor),
        (&mut s.emergency, &pm.emergency, &world.emergency_factor),
    ] {
        if list.is_empty() {
            total.fill(0.0);
        }
        for (i, src) in list.iter().enumerate() {
            add_scaled(
                total,
                src.cap,
                &factor[src.offset..src.offset + weeks],
                i == 0,
            );
        }
    }
    // Serving starts from everything available, and the weekly capacity bands sum it.
    let (cap_c, rest) = agg.weekly_capacity[..3 * weeks].split_at_mut(weeks);
    let (cap_b, cap_e) = rest.split_at_mut(weeks);
    let [left_c, left_b, left_e] = &mut s.served.left;
    start_tier(&s.committed, left_c, cap_c);
    start_tier(&s.burst, left_b, cap_b);
    start_tier(&s.emergency, left_e, cap_e);
}

/// `left = available`, and the capacity band's sum of it.
#[inline(never)]
fn start_tier(available: &[f64], left: &mut [f64], sum: &mut [f64]) {
    for ((l, s), &a) in left.iter_mut().zip(sum).zip(available) {
        *l = a;
        *s += a;
    }
}

// The capacity passes, each a plain loop over distinct slices so that it vectorises.

/// Committed GPUs `gpus` at a provider up `up` of the time, and their carbon; `first`
/// assigns rather than adds.
#[inline(never)]
fn add_up(
    total: &mut [f64],
    carbon: &mut [f64],
    gpus: &[f64],
    up: &[f64],
    per_gpu: f64,
    first: bool,
) {
    let rows = total.iter_mut().zip(carbon).zip(gpus.iter().zip(up));
    if first {
        for ((t, c), (g, u)) in rows {
            let a = g * u;
            *t = a;
            *c = a * per_gpu;
        }
    } else {
        for ((t, c), (g, u)) in rows {
            let a = g * u;
            *t += a;
            *c += a * per_gpu;
        }
    }
}

/// The live orders' GPUs, after committed capacity from contracts.
#[inline(never)]
fn add_orders(total: &mut [f64], carbon: &mut [f64], gpus: &[f64], up: &[f64], per_gpu: f64) {
    for ((t, c), (g, u)) in total.iter_mut().zip(carbon).zip(gpus.iter().zip(up)) {
        *t += g * u;
        *c += g * u * per_gpu;
    }
}

/// A cap times a provider's weekly availability factor; `first` assigns rather than adds.
#[inline(never)]
fn add_scaled(total: &mut [f64], cap: f64, factor: &[f64], first: bool) {
    if first {
        for (t, f) in total.iter_mut().zip(factor) {
            *t = cap * f;
        }
    } else {
        for (t, f) in total.iter_mut().zip(factor) {
            *t += cap * f;
        }
    }
}
