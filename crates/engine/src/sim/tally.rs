//! Tallies of a portfolio on one path: the weekly aggregates (cost histogram and sums, shortage
//! counts) and the path's totals (cost breakdown, emissions, per-provider bookings, per-workload
//! shortfalls), folded into the portfolio's aggregates.
//!
//! Sums over weeks are taken in week order, as a week-by-week loop would, and side by side in
//! one pass: each is a chain of dependent additions, and together they take the time of one.

use super::buy::Unsummed;
use super::order::Planned;
use super::portfolio::Scratch;
use super::{EPS, H};
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
use crate::world::World;

/// Sums over the path's weeks, each taken in week order.
#[derive(Default)]
pub(super) struct Totals {
    /// Burst, emergency, degradation and shortage spend at indices 1, 2, 4, 5.
    breakdown: [f64; 6],
    /// The live orders' GPUs and $.
    order_gpu_weeks: f64,
    order_cost: f64,
    used_committed: f64,
    emissions: f64,
    unmet: f64,
    short_weeks: u32,
    longest: u32,
}

/// The weekly aggregates (cost histogram and sums, shortage counts, capacity) and the path's
/// sums over weeks. On a path where no shortfall cost anything and no emergency GPU was bought
/// (most paths), those series are all 0 and are left out: adding 0 changes no sum.
pub(super) fn weekly(
    pm: &PortfolioModel,
    s: &mut Scratch,
    burst: Unsummed,
    agg: &mut PortfolioAgg<u16>,
) -> Totals {
    let weeks = s.committed.len();
    let sv = &s.served;
    let quiet = sv.clean && !s.emergency_used;
    let (cost, fixed) = (&mut s.week_cost[..weeks], &pm.fixed_cost_week[..weeks]);
    if quiet {
        week_cost_quiet(cost, fixed, &s.order_cost, &s.spend_burst);
    } else {
        let extra = (
            &s.spend_emergency[..],
            &sv.penalty_degraded[..],
            &sv.penalty[..],
        );
        week_cost(cost, fixed, &s.order_cost, &s.spend_burst, extra);
    }
    add_to(&mut agg.weekly_cost_sum, cost);
    agg.weekly_cost.add_weeks(cost);
    let left = &sv.left[0];

    // Sums over weeks, in week order, all in one pass: each is a chain of dependent additions,
    // and side by side they take the time of one. Emissions of the committed GPUs used are
    // their share of committed capacity times its carbon; when nothing is left that share is
    // exactly 1, and the division (the slow part) is skipped. Burst entries' sums are taken
    // for both of `s.bought`'s slots and kept for the slots in use.
    let mut t = Totals::default();
    let [mut b, mut used, mut carbon, mut og, mut oc] = [0.0; 5];
    let mut entry = [[0.0; 2]; 2];
    let (g0, d0) = s.bought.weekly(0);
    let (g1, d1) = s.bought.weekly(1);
    let rows = s
        .spend_burst
        .iter()
        .zip(s.committed.iter().zip(left))
        .zip(s.committed_carbon.iter())
        .zip(s.order_gpus.iter().zip(&s.order_cost))
        .zip(g0.iter().zip(d0).zip(g1.iter().zip(d1)));
    for ((((&x, (&c, &l)), &cc), (&g, &o)), ((&a0, &b0), (&a1, &b1))) in rows {
        b += x;
        used += c - l;
        carbon += if c > 0.0 {
            if l == 0.0 { cc } else { (c - l) / c * cc }
        } else {
            0.0
        };
        og += g;
        oc += o;
        entry[0][0] += a0;
        entry[0][1] += b0;
        entry[1][0] += a1;
        entry[1][1] += b1;
    }
    // The entries' totals were 0 before (`buy_weeks` left them to this pass).
    for (slot, k) in burst.0.into_iter().enumerate() {
        if let Some(k) = k {
            s.burst_bought[k] = entry[slot];
        }
    }
    (t.order_gpu_weeks, t.order_cost) = (og, oc);
    (t.breakdown[1], t.used_committed, t.emissions) = (b, used, carbon);
    if quiet {
        return t;
    }
    for (count, &u) in agg.weekly_short.iter_mut().zip(&sv.unmet) {
        *count += u32::from(u > EPS);
    }
    let mut run = 0u32;
    let rows = s
        .spend_emergency
        .iter()
        .zip(sv.penalty_degraded.iter().zip(&sv.penalty))
        .zip(&sv.unmet);
    for ((&e, (&pd, &p)), &u) in rows {
        t.breakdown[2] += e;
        t.breakdown[4] += pd;
        t.breakdown[5] += p;
        t.unmet += u;
        let short = u > EPS;
        t.short_weeks += u32::from(short);
        run = if short { run + 1 } else { 0 };
        t.longest = t.longest.max(run);
    }
    t
}

// The weekly passes, each a plain loop over distinct slices so that it vectorises.

/// The week's cost: contracts, orders, then burst (the only variable spend on a quiet path).
#[inline(never)]
fn week_cost_quiet(cost: &mut [f64], fixed: &[f64], orders: &[f64], burst: &[f64]) {
    for ((c, &f), (&o, &b)) in cost.iter_mut().zip(fixed).zip(orders.iter().zip(burst)) {
        // `b + 0 + 0 + 0` is `b`.
        *c = f + (o + b);
    }
}

/// The week's cost: contracts, orders, then burst, emergency, degradation and shortage.
#[inline(never)]
fn week_cost(
    cost: &mut [f64],
    fixed: &[f64],
    orders: &[f64],
    burst: &[f64],
    (emergency, degraded, short): (&[f64], &[f64], &[f64]),
) {
    let rows = cost
        .iter_mut()
        .zip(fixed)
        .zip(orders.iter().zip(burst))
        .zip(emergency.iter().zip(degraded).zip(short));
    for (((c, &f), (&o, &b)), ((&e, &pd), &p)) in rows {
        *c = f + (o + (b + e + pd + p));
    }
}

#[inline(never)]
fn add_to(sum: &mut [f64], x: &[f64]) {
    for (s, x) in sum.iter_mut().zip(x) {
        *s += x;
    }
}

/// Fold one portfolio's path into its aggregates.
pub(super) fn finish(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &Scratch,
    planned: &Planned,
    t: Totals,
    agg: &mut PortfolioAgg<u16>,
) {
    let mut emissions = t.emissions;
    let mut breakdown = t.breakdown;
    // Deferrable work still waiting at the horizon is the shortfall that counts.
    let mut served = 0.0;
    let mut degraded = 0.0;
    for (c, (cp, ca)) in s.class.iter().zip(agg.classes.iter_mut()).enumerate() {
        let (mut short, mut lost) = (cp.short, cp.unmet);
        if m.classes[c].deferrable {
            short = s.backlog[c] > EPS;
            lost = s.backlog[c];
        }
        let class_served = (world.req_total[c] - lost).max(0.0) * H;
        served += class_served;
        degraded += cp.degraded * H;
        ca.short_paths += u32::from(short);
        ca.unmet.add(lost * H);
        ca.short_weeks += f64::from(cp.weeks);
        ca.degraded += cp.degraded * H;
        ca.served += class_served;
    }
    // Per-provider bookings: contracts, orders, then what was bought from each list entry.
    for (acc, (&hours, &spend)) in agg
        .providers
        .iter_mut()
        .zip(pm.static_hours.iter().zip(&pm.static_spend))
    {
        acc[0] += hours;
        acc[3] += spend;
    }
    let mut paid_committed: f64 = pm.static_hours.iter().sum();
    if let Some(p) = pm.ordering.as_ref().map(|o| o.provider) {
        let hours = t.order_gpu_weeks * H;
        paid_committed += hours;
        agg.providers[p][0] += hours;
        agg.providers[p][3] += t.order_cost;
    }
    for (tier, list, bought) in [
        (1, &pm.burst, &s.burst_bought),
        (2, &pm.emergency, &s.emergency_bought),
    ] {
        for (src, &[gpus, dollars]) in list.iter().zip(bought.iter()) {
            emissions += gpus * src.carbon;
            let acc = &mut agg.providers[src.provider];
            acc[tier] += gpus * H;
            acc[3 + tier] += dollars;
        }
    }
    breakdown[0] = pm.committed_cost_total + t.order_cost;
    breakdown[3] = pm.exit_penalty_total;
    let used_committed = t.used_committed * H;
    let cost: f64 = breakdown.iter().sum();
    let unmet_hours = t.unmet * H;

    agg.cost.push(cost);
    agg.unmet.push(unmet_hours);
    agg.shortage_weeks.push(t.short_weeks);
    agg.cost_m.add(cost);
    agg.unmet_m.add(unmet_hours);
    agg.short_weeks_m.add(f64::from(t.short_weeks));
    agg.short_paths += u32::from(t.short_weeks > 0);
    agg.longest_run += f64::from(t.longest);
    agg.idle.add(paid_committed - used_committed);
    agg.emissions.add(emissions);
    agg.served += served;
    agg.degraded += degraded;
    agg.paid_committed += paid_committed;
    agg.used_committed += used_committed;
    for (a, b) in agg.breakdown.iter_mut().zip(breakdown) {
        *a += b;
    }
    let d = &s.damage;
    agg.damage_unmet.add(d.unmet);
    agg.damage_cost += d.cost;
    agg.damage_short += u32::from(d.short);
    agg.orders += planned.placed;
    agg.ordered_gpus += planned.gpus;
}
