//! One portfolio played through one path's world, as a few passes over all weeks: plan the
//! orders, build the capacity series, serve, buy, replay the concentration check's weeks, then
//! tally weekly aggregates and fold the path's totals into the portfolio's aggregates.

use super::buy::{Bought, Tier, Unsummed, buy_weeks};
use super::check::{Damage, concentration_check};
use super::order::{Order, Planned, plan};
use super::serve::{ClassPath, Served, Week, serve};
use super::{EPS, H};
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
use crate::world::World;

/// Per-path working memory, reused across paths and portfolios. Series are per week.
pub(super) struct Scratch {
    /// Available GPUs per tier, and the carbon (t per GPU-week) of the committed ones.
    committed: Vec<f64>,
    committed_carbon: Vec<f64>,
    burst: Vec<f64>,
    emergency: Vec<f64>,
    /// GPUs and $ of the live orders.
    order_gpus: Vec<f64>,
    order_cost: Vec<f64>,
    served: Served,
    /// $ of burst and emergency bought, and whether any emergency was bought on the path.
    spend_burst: Vec<f64>,
    spend_emergency: Vec<f64>,
    emergency_used: bool,
    /// The week's cost.
    week_cost: Vec<f64>,
    bought: Bought,
    /// Orders placed on this path.
    orders: Vec<Order>,
    backlog: Vec<f64>,
    class: Vec<ClassPath>,
    /// GPUs and $ bought from every list entry on this path; booked to providers, and turned
    /// into emissions, once per path.
    burst_bought: Vec<[f64; 2]>,
    emergency_bought: Vec<[f64; 2]>,
    damage: Damage,
}

impl Scratch {
    pub fn new(m: &Model) -> Self {
        let (nc, weeks) = (m.classes.len(), m.weeks);
        let longest = |f: fn(&PortfolioModel) -> usize| m.portfolios.iter().map(f).max();
        let nb = longest(|pm| pm.burst.len()).unwrap_or(0);
        let ne = longest(|pm| pm.emergency.len()).unwrap_or(0);
        let series = || vec![0.0; weeks];
        Scratch {
            committed: series(),
            committed_carbon: series(),
            burst: series(),
            emergency: series(),
            order_gpus: series(),
            order_cost: series(),
            served: Served::new(m),
            spend_burst: series(),
            spend_emergency: series(),
            emergency_used: false,
            week_cost: series(),
            bought: Bought::new(weeks),
            orders: Vec::new(),
            backlog: vec![0.0; nc],
            class: vec![ClassPath::default(); nc],
            burst_bought: vec![[0.0; 2]; nb],
            emergency_bought: vec![[0.0; 2]; ne],
            damage: Damage::new(nc),
        }
    }
}

/// Fill the per-week capacity series of a portfolio on this path, orders included.
fn capacity(
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

#[inline(never)]
pub(super) fn simulate(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &mut Scratch,
    agg: &mut PortfolioAgg<u16>,
) {
    let planned = plan(
        m,
        pm,
        world,
        &mut s.orders,
        &mut s.order_gpus,
        &mut s.order_cost,
    );
    capacity(m, pm, world, s, agg);
    s.class.fill(ClassPath::default());
    serve(m, &world.req, &mut s.served, &mut s.class, &mut s.backlog);

    let (nb, ne) = (pm.burst.len(), pm.emergency.len());
    s.burst_bought[..nb].fill([0.0; 2]);
    s.emergency_bought[..ne].fill([0.0; 2]);
    let fixed = world.list_prices;
    // Emergency first: its per-entry sums are taken right away, and `s.bought` is then free
    // for burst's, which wait for the path's other sums.
    let emergency = Tier {
        list: &pm.emergency,
        order: &pm.emergency_order,
        fixed,
        factor: &world.emergency_factor,
        price: &world.emergency_price,
    };
    let used = (&s.emergency[..], &s.served.left[2][..]);
    let spend = &mut s.spend_emergency;
    let bought = if s.served.emergency_taken {
        buy_weeks(
            &emergency,
            used,
            spend,
            &mut s.emergency_bought,
            &mut s.bought,
        )
    } else {
        None
    };
    s.emergency_used = bought.is_some();
    match bought {
        Some(unsummed) => s.bought.sum_into(unsummed, &mut s.emergency_bought),
        None => s.spend_emergency.fill(0.0),
    }
    let burst = Tier {
        list: &pm.burst,
        order: &pm.burst_order,
        fixed,
        factor: &world.burst_factor,
        price: &world.burst_price,
    };
    let used = (&s.burst[..], &s.served.left[1][..]);
    let spend = &mut s.spend_burst;
    let burst_unsummed = buy_weeks(&burst, used, spend, &mut s.burst_bought, &mut s.bought);

    s.damage.reset();
    let sv = &s.served;
    let nc = m.classes.len();
    for (i, w) in m.damage_weeks.clone().enumerate() {
        let caps = [s.committed[w], s.burst[w], s.emergency[w]];
        let real = Week {
            used: [0, 1, 2].map(|t| caps[t] - sv.left[t][w]),
            unmet: sv.unmet[w],
            penalty: sv.penalty[w],
            penalty_degraded: sv.penalty_degraded[w],
        };
        let spend = s.spend_burst[w] + s.spend_emergency[w] + real.penalty_degraded + real.penalty;
        let backlog = &sv.damage_backlog[i * nc..(i + 1) * nc];
        let dyn_gpus = s.order_gpus[w];
        concentration_check(
            m,
            pm,
            world,
            w,
            caps,
            dyn_gpus,
            backlog,
            (&real, spend),
            &mut s.damage,
        );
    }

    let totals = weekly(pm, s, burst_unsummed.unwrap_or_default(), agg);
    finish(m, pm, world, s, &planned, totals, agg);
}

/// Sums over the path's weeks, each taken in week order.
#[derive(Default)]
struct Totals {
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
fn weekly(
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
        carbon += if !(c > 0.0) {
            0.0
        } else if l == 0.0 {
            cc
        } else {
            (c - l) / c * cc
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
fn finish(
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
