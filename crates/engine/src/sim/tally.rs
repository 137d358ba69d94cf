//! Tallies of a portfolio on one path: the weekly aggregates (cost histogram and sums, shortage
//! counts) and the path's totals (cost breakdown, emissions, per-provider bookings, per-workload
//! shortfalls), folded into the portfolio's aggregates.
//!
//! Sums over weeks are lane sums (`crate::lanes`): four interleaved partial sums, which vectorise,
//! where a sum in week order would be a chain of dependent additions.

use super::buy::Unsummed;
use super::order::Planned;
use super::portfolio::Scratch;
use super::{EPS, H};
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
use crate::hist::WeeklyHist;
use crate::lanes::{self, Lanes};
use crate::world::World;

/// Sums over the path's weeks (lane sums).
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

/// The weekly aggregates (cost histogram and sums, shortage counts) and the path's sums over
/// weeks. On a path where no shortfall cost anything and no emergency GPU was bought (most
/// paths), those series are all 0 and are left out: adding 0 changes no sum.
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
    let cost_sum = &mut agg.weekly_cost_sum[..weeks];
    if quiet {
        week_cost_quiet(cost, cost_sum, fixed, &s.order_cost, &s.spend_burst);
    } else {
        let extra = (
            &s.spend_emergency[..],
            &sv.penalty_degraded[..],
            &sv.penalty[..],
        );
        week_cost(cost, cost_sum, fixed, &s.order_cost, &s.spend_burst, extra);
    }
    // The committed carbon series becomes the carbon of the committed GPUs used (capacity
    // writes it afresh on every path).
    carbon_used(&mut s.committed_carbon, &s.committed, &sv.left[0]);
    let series = Series {
        cost,
        burst: &s.spend_burst,
        committed: &s.committed,
        left: &sv.left[0],
        carbon: &s.committed_carbon,
        order_gpus: &s.order_gpus,
        order_cost: &s.order_cost,
    };
    let hist = &mut agg.weekly_cost;
    // The burst entries whose sums `buy_weeks` left to this pass (their totals were 0).
    let slot = |i| s.bought.weekly(i);
    let mut t = match burst.0 {
        [None, None] => week_sums(&series, [], hist).0,
        [Some(k), None] => {
            let (t, [entry]) = week_sums(&series, [slot(0)], hist);
            s.burst_bought[k] = entry;
            t
        }
        [None, Some(k)] => {
            let (t, [entry]) = week_sums(&series, [slot(1)], hist);
            s.burst_bought[k] = entry;
            t
        }
        [Some(k0), Some(k1)] => {
            let (t, [e0, e1]) = week_sums(&series, [slot(0), slot(1)], hist);
            (s.burst_bought[k0], s.burst_bought[k1]) = (e0, e1);
            t
        }
    };
    if quiet {
        return t;
    }
    for (count, &u) in agg.weekly_short.iter_mut().zip(&sv.unmet) {
        *count += u32::from(u > EPS);
    }
    t.breakdown[2] = lanes::sum(&s.spend_emergency[..weeks]);
    t.breakdown[4] = lanes::sum(&sv.penalty_degraded[..weeks]);
    t.breakdown[5] = lanes::sum(&sv.penalty[..weeks]);
    t.unmet = lanes::sum(&sv.unmet[..weeks]);
    let mut run = 0u32;
    for &u in &sv.unmet[..weeks] {
        let short = u > EPS;
        t.short_weeks += u32::from(short);
        run = if short { run + 1 } else { 0 };
        t.longest = t.longest.max(run);
    }
    t
}

// The weekly passes, each a plain loop over distinct slices so that it vectorises.

/// Carbon of the committed GPUs used each week, in place of the committed carbon `carbon`:
/// their share of committed capacity times its carbon; when nothing is left that share is
/// exactly 1 (no division). A pass of its own so the divisions go several at a time, off the
/// sums' chains, and the two tests are selects, not branches.
#[inline(never)]
fn carbon_used(carbon: &mut [f64], committed: &[f64], left: &[f64]) {
    for ((cc, &c), &l) in carbon.iter_mut().zip(committed).zip(left) {
        let share = (c - l) / c * *cc;
        let used = if l == 0.0 { *cc } else { share };
        *cc = if c > 0.0 { used } else { 0.0 };
    }
}

/// The week's cost, and its sum over paths: contracts, orders, then burst (the only variable
/// spend on a quiet path).
#[inline(never)]
fn week_cost_quiet(
    cost: &mut [f64],
    sum: &mut [f64],
    fixed: &[f64],
    orders: &[f64],
    burst: &[f64],
) {
    let rows = cost.iter_mut().zip(sum).zip(fixed);
    for (((c, s), &f), (&o, &b)) in rows.zip(orders.iter().zip(burst)) {
        // `b + 0 + 0 + 0` is `b`.
        *c = f + (o + b);
        *s += *c;
    }
}

/// The week's cost, and its sum over paths: contracts, orders, then burst, emergency,
/// degradation and shortage.
#[inline(never)]
fn week_cost(
    cost: &mut [f64],
    sum: &mut [f64],
    fixed: &[f64],
    orders: &[f64],
    burst: &[f64],
    (emergency, degraded, short): (&[f64], &[f64], &[f64]),
) {
    let rows = cost
        .iter_mut()
        .zip(sum)
        .zip(fixed)
        .zip(orders.iter().zip(burst))
        .zip(emergency.iter().zip(degraded).zip(short));
    for ((((c, s), &f), (&o, &b)), ((&e, &pd), &p)) in rows {
        *c = f + (o + (b + e + pd + p));
        *s += *c;
    }
}

/// A portfolio's weekly series on this path, as the tally reads them.
struct Series<'a> {
    /// The week's cost, and burst spend.
    cost: &'a [f64],
    burst: &'a [f64],
    /// Committed GPUs available, left after serving, and the carbon of those used.
    committed: &'a [f64],
    left: &'a [f64],
    carbon: &'a [f64],
    /// The live orders' GPUs and $.
    order_gpus: &'a [f64],
    order_cost: &'a [f64],
}

/// The week's cost into its histogram, and the sums over weeks (lane sums, `crate::lanes`),
/// all of them in one vectorised pass after the histogram's. `N` burst entries' GPUs and $ per
/// week (`slots`) are summed too.
#[inline(never)]
fn week_sums<const N: usize>(
    series: &Series,
    slots: [(&[f64], &[f64]); N],
    hist: &mut WeeklyHist<u16>,
) -> (Totals, [[f64; 2]; N]) {
    hist.add_path(series.cost);
    // Every series cut to one length, in groups of four weeks.
    let weeks = series.cost.len();
    fn four(x: &[f64], weeks: usize) -> (&[[f64; 4]], &[f64]) {
        x[..weeks].as_chunks::<4>()
    }
    let (burst, burst_tail) = four(series.burst, weeks);
    let (committed, committed_tail) = four(series.committed, weeks);
    let (left, left_tail) = four(series.left, weeks);
    let (carbon_used, carbon_tail) = four(series.carbon, weeks);
    let (order_gpus, og_tail) = four(series.order_gpus, weeks);
    let (order_cost, oc_tail) = four(series.order_cost, weeks);
    let slots = slots.map(|(g, d)| (four(g, weeks), four(d, weeks)));
    let groups = burst.len();
    let (committed, left) = (&committed[..groups], &left[..groups]);
    let (carbon_used, order_gpus, order_cost) = (
        &carbon_used[..groups],
        &order_gpus[..groups],
        &order_cost[..groups],
    );

    let mut lanes = [Lanes::default(); 5];
    let mut entry = [[Lanes::default(); 2]; N];
    let used = |c: &[f64; 4], l: &[f64; 4]| -> [f64; 4] { std::array::from_fn(|k| c[k] - l[k]) };
    for g in 0..groups {
        let [b, u, c, og, oc] = &mut lanes;
        b.add(&burst[g]);
        u.add(&used(&committed[g], &left[g]));
        c.add(&carbon_used[g]);
        og.add(&order_gpus[g]);
        oc.add(&order_cost[g]);
        for (e, ((gpus, _), (dollars, _))) in entry.iter_mut().zip(&slots) {
            e[0].add(&gpus[g]);
            e[1].add(&dollars[g]);
        }
    }
    let [b, u, c, og, oc] = &mut lanes;
    b.add_tail(burst_tail);
    u.add_tail(&used_tail(committed_tail, left_tail)[..committed_tail.len()]);
    c.add_tail(carbon_tail);
    og.add_tail(og_tail);
    oc.add_tail(oc_tail);
    for (e, ((_, g_tail), (_, d_tail))) in entry.iter_mut().zip(&slots) {
        e[0].add_tail(g_tail);
        e[1].add_tail(d_tail);
    }
    let [b, used, carbon, og, oc] = lanes.map(Lanes::total);
    let mut t = Totals::default();
    (t.order_gpu_weeks, t.order_cost) = (og, oc);
    (t.breakdown[1], t.used_committed, t.emissions) = (b, used, carbon);
    (t, entry.map(|e| e.map(Lanes::total)))
}

/// Committed GPUs used in the last (fewer than four) weeks.
fn used_tail(committed: &[f64], left: &[f64]) -> [f64; 3] {
    let mut used = [0.0; 3];
    for ((u, c), l) in used.iter_mut().zip(committed).zip(left) {
        *u = c - l;
    }
    used
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::PathRng;

    /// `carbon_used` against the week-by-week definition, bit for bit: nothing committed,
    /// nothing left, all left, and shares that need the division.
    #[test]
    fn carbon_used_is_the_used_share_of_committed_carbon() {
        let committed = [0.0, 0.0, 100.0, 100.0, 100.0, 37.5, 3.0];
        let left = [0.0, 5.0, 0.0, 100.0, 40.0, 12.25, 1.0];
        let carbon = [7.0, 7.0, 2.5, 2.5, 2.5, 0.9, 1e-3];
        let mut got = carbon;
        carbon_used(&mut got, &committed, &left);
        for w in 0..committed.len() {
            let (c, l, cc) = (committed[w], left[w], carbon[w]);
            let want = if c > 0.0 {
                if l == 0.0 { cc } else { (c - l) / c * cc }
            } else {
                0.0
            };
            assert_eq!(got[w].to_bits(), want.to_bits(), "week {w}");
        }
        assert_eq!(got[2], 2.5);
        assert_eq!(got[3], 0.0);
    }

    /// `week_sums` against the sums (lane sums) and histogram taken one at a time, bit for bit.
    #[test]
    fn week_sums_match_separate_sums() {
        // 103 weeks: a tail of three after the groups of four.
        for weeks in [104, 103] {
            let mut rng = PathRng::new(3, 2);
            let mut draw = |zeros: f64| -> Vec<f64> {
                (0..weeks)
                    .map(|_| {
                        let u = rng.open01();
                        if u < zeros { 0.0 } else { u * 1e3 }
                    })
                    .collect()
            };
            let (cost, burst, committed, carbon) = (draw(0.1), draw(0.3), draw(0.1), draw(0.0));
            // Left is 0 (nothing left) in some weeks and at most what was available.
            let left: Vec<f64> = draw(0.5)
                .iter()
                .zip(&committed)
                .map(|(l, c)| l.min(*c))
                .collect();
            let (og, oc, g0, d0, g1, d1) = (
                draw(0.2),
                draw(0.2),
                draw(0.5),
                draw(0.5),
                draw(0.5),
                draw(0.5),
            );
            let mut carbon_of_used = carbon.clone();
            carbon_used(&mut carbon_of_used, &committed, &left);
            let series = Series {
                cost: &cost,
                burst: &burst,
                committed: &committed,
                left: &left,
                carbon: &carbon_of_used,
                order_gpus: &og,
                order_cost: &oc,
            };
            let sum = crate::lanes::sum;
            let used: Vec<f64> = committed.iter().zip(&left).map(|(c, l)| c - l).collect();
            let emitted: Vec<f64> = (0..weeks)
                .map(|w| {
                    let (c, l) = (committed[w], left[w]);
                    if c > 0.0 {
                        (c - l) / c * carbon[w]
                    } else {
                        0.0
                    }
                })
                .collect();
            let mut want_hist = WeeklyHist::<u16>::new(weeks, 500.0);
            want_hist.add_weeks(&cost);

            let mut hist = WeeklyHist::<u16>::new(weeks, 500.0);
            let (t, [e0, e1]) = week_sums(&series, [(&g0, &d0), (&g1, &d1)], &mut hist);
            let got = [
                t.breakdown[1],
                t.used_committed,
                t.emissions,
                t.order_gpu_weeks,
                t.order_cost,
            ];
            let want = [sum(&burst), sum(&used), sum(&emitted), sum(&og), sum(&oc)];
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits));
            let want = [[sum(&g0), sum(&d0)], [sum(&g1), sum(&d1)]];
            assert_eq!([e0, e1], want);
            hist.flush();
            assert!(
                format!("{hist:?}") == format!("{want_hist:?}"),
                "histograms differ"
            );

            // Fewer slots give the same other sums.
            let (t1, [e]) = week_sums(&series, [(&g1, &d1)], &mut hist);
            let (t0, []) = week_sums(&series, [], &mut hist);
            assert_eq!(e, [sum(&g1), sum(&d1)]);
            for t2 in [t1, t0] {
                assert_eq!(t2.emissions.to_bits(), t.emissions.to_bits());
                assert_eq!(t2.order_cost.to_bits(), t.order_cost.to_bits());
            }
        }
    }
}
