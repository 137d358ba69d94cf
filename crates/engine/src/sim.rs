//! The weekly simulation of every portfolio against one path's world.
//!
//! Each week: committed capacity (contracts plus arrived orders) is what is up of it; burst is
//! capped, partly filled when the provider is tight and cut by quotas; emergency is capped and cut
//! by quotas. Workloads are served in priority order from committed, then burst, then emergency;
//! a workload with a fallback model degrades part of what is left; the rest is shortage. Burst
//! and emergency are bought cheapest first.
//!
//! This is the hot loop (paths x weeks x portfolios): per-provider work is limited to the
//! providers a portfolio actually uses, and to weeks where it buys something.

use crate::CHUNK_PATHS;
use crate::accum::{ChunkResult, PortfolioAgg};
use crate::compile::{Model, PortfolioModel};
use crate::hist::WeeklyHist;
use crate::rng::{PathRng, keyed_open01};
use crate::scenario::HOURS_PER_WEEK;
use crate::world::World;

/// Shortfalls below this many GPUs are rounding, not shortage.
const EPS: f64 = 1e-9;
const H: f64 = HOURS_PER_WEEK;

pub(crate) fn run_chunk(m: &Model, index: u32) -> ChunkResult {
    let first = index.saturating_mul(CHUNK_PATHS).min(m.paths);
    let last = first.saturating_add(CHUNK_PATHS).min(m.paths);
    let n = last - first;
    let mut out = ChunkResult {
        index,
        paths: n,
        demand: WeeklyHist::new(m.weeks, m.demand_scale),
        demand_sum: vec![0.0; m.weeks],
        portfolios: m
            .portfolios
            .iter()
            .map(|_| PortfolioAgg::new(m, n as usize))
            .collect(),
    };
    let mut world = World::new(m);
    let mut scratch = Scratch::new(m);
    let nc = m.classes.len();
    for path in first..last {
        let mut rng = PathRng::new(m.seed, u64::from(path));
        world.draw(m, &mut rng);
        for (w, req) in world.req.chunks_exact(nc).enumerate() {
            let total: f64 = req.iter().sum();
            out.demand.add(w, total);
            out.demand_sum[w] += total;
        }
        for (pm, agg) in m.portfolios.iter().zip(out.portfolios.iter_mut()) {
            simulate_portfolio(m, pm, &world, &mut scratch, agg);
        }
    }
    out
}

/// Per-path working memory, reused across paths and portfolios.
struct Scratch {
    /// Committed GPUs and spend from orders, per week (orders go to one provider).
    dyn_gpus: Vec<f64>,
    dyn_cost: Vec<f64>,
    /// Orders placed on this path: (week the term ends, GPUs).
    orders: Vec<(usize, f64)>,
    /// Available GPUs per week by tier, and the carbon (t per GPU-week) of the committed ones.
    committed: Vec<f64>,
    committed_carbon: Vec<f64>,
    burst: Vec<f64>,
    emergency: Vec<f64>,
    /// Available GPUs per entry of the portfolio's burst and emergency lists, entry x week.
    burst_avail: Vec<f64>,
    emergency_avail: Vec<f64>,
    /// Deferred work carried into the week, for the portfolio and for the concentration check.
    backlog: Vec<f64>,
    damage_backlog: Vec<f64>,
    /// Per provider and path: committed, burst, emergency GPU-hours; the same as spend.
    providers: Vec<[f64; 6]>,
    class: Vec<ClassPath>,
    order: Vec<usize>,
    damage_burst: Vec<f64>,
    damage_emergency: Vec<f64>,
}

/// One workload's tallies on the current path.
#[derive(Clone, Copy, Default)]
struct ClassPath {
    short: bool,
    unmet: f64,
    weeks: u32,
    degraded: f64,
}

/// Totals of serving one week.
#[derive(Clone, Copy, Default)]
struct Week {
    used: [f64; 3],
    /// Unmet non-deferrable GPUs.
    unmet: f64,
    /// $ of shortage penalties and of degraded service.
    penalty: f64,
    penalty_degraded: f64,
}

impl Scratch {
    fn new(m: &Model) -> Self {
        let (nc, np, weeks) = (m.classes.len(), m.providers.len(), m.weeks);
        Scratch {
            dyn_gpus: vec![0.0; weeks],
            dyn_cost: vec![0.0; weeks],
            orders: Vec::new(),
            committed: vec![0.0; weeks],
            committed_carbon: vec![0.0; weeks],
            burst: vec![0.0; weeks],
            emergency: vec![0.0; weeks],
            burst_avail: vec![0.0; np * weeks],
            emergency_avail: vec![0.0; np * weeks],
            backlog: vec![0.0; nc],
            damage_backlog: vec![0.0; nc],
            providers: vec![[0.0; 6]; np],
            class: vec![ClassPath::default(); nc],
            order: Vec::with_capacity(np),
            damage_burst: vec![0.0; np],
            damage_emergency: vec![0.0; np],
        }
    }
}

/// What buying burst or emergency capacity cost this week.
#[derive(Clone, Copy, Default)]
struct Spend {
    burst: f64,
    emergency: f64,
    /// tCO2e from the GPUs bought.
    carbon: f64,
}

/// Fill the per-week capacity series of a portfolio on this path (before any order arrives).
fn capacity(m: &Model, pm: &PortfolioModel, world: &World, s: &mut Scratch) {
    let weeks = m.weeks;
    s.committed.fill(0.0);
    s.committed_carbon.fill(0.0);
    for &p in &pm.committed_providers {
        let carbon = m.providers[p].carbon_t_per_gpu_hour * H;
        let gpus = &pm.committed[p * weeks..(p + 1) * weeks];
        let up = &world.up[p * weeks..(p + 1) * weeks];
        for (((c, cc), g), u) in s
            .committed
            .iter_mut()
            .zip(s.committed_carbon.iter_mut())
            .zip(gpus)
            .zip(up)
        {
            let a = g * u;
            *c += a;
            *cc += a * carbon;
        }
    }
    for (total, avail, list, factor) in [
        (
            &mut s.burst,
            &mut s.burst_avail,
            &pm.burst,
            &world.burst_factor,
        ),
        (
            &mut s.emergency,
            &mut s.emergency_avail,
            &pm.emergency,
            &world.emergency_factor,
        ),
    ] {
        total.fill(0.0);
        for (k, src) in list.iter().enumerate() {
            let (p, cap) = (src.provider, src.cap);
            let f = &factor[p * weeks..(p + 1) * weeks];
            for ((t, a), f) in total
                .iter_mut()
                .zip(&mut avail[k * weeks..(k + 1) * weeks])
                .zip(f)
            {
                *a = cap * f;
                *t += *a;
            }
        }
    }
}

#[inline(never)]
fn simulate_portfolio(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &mut Scratch,
    agg: &mut PortfolioAgg,
) {
    let weeks = m.weeks;
    let order_provider = pm.ordering.as_ref().map(|o| o.provider);
    if order_provider.is_some() {
        s.dyn_gpus.fill(0.0);
        s.dyn_cost.fill(0.0);
    }
    s.orders.clear();
    s.backlog.fill(0.0);
    for (p, acc) in s.providers.iter_mut().enumerate() {
        *acc = [pm.static_hours[p], 0.0, 0.0, pm.static_spend[p], 0.0, 0.0];
    }
    s.class.fill(ClassPath::default());
    capacity(m, pm, world, s);

    let mut breakdown = [0.0; 6];
    let mut unmet = 0.0;
    let mut short_weeks = 0u32;
    let (mut run, mut longest) = (0u32, 0u32);
    let (mut used_committed, mut emissions) = (0.0, 0.0);
    let (mut orders, mut ordered) = (0.0, 0.0);
    let (mut damage_unmet, mut damage_cost, mut damage_short) = (0.0, 0.0, false);

    let damage_p = pm.largest_provider;
    let damage_start = m.outage_week as f64;
    let damage_end = damage_start + m.outage_hours / H;
    let mut req = vec![0.0; m.classes.len()];

    for w in 0..weeks {
        let review = pm
            .ordering
            .as_ref()
            .is_some_and(|o| w >= o.first && (w - o.first) % o.review == 0);
        if let Some(q) = review.then(|| place_order(m, pm, world, s, w)).flatten() {
            orders += 1.0;
            ordered += q;
        }
        for (c, r) in req.iter_mut().enumerate() {
            *r = world.req[c * weeks + w];
        }
        let (committed, burst, emergency) = (s.committed[w], s.burst[w], s.emergency[w]);
        let damage_week = (w as f64) < damage_end && (w as f64 + 1.0) > damage_start;
        if damage_week {
            // The check starts from the same deferred work as the real week.
            s.damage_backlog.copy_from_slice(&s.backlog);
        }
        let a = allocate::<true>(
            m,
            &req,
            [committed, burst, emergency],
            &mut s.backlog,
            &mut s.class,
        );
        let spend = if a.used[1] > 0.0 || a.used[2] > 0.0 {
            let avail = (&s.burst_avail[..], &s.emergency_avail[..]);
            buy(
                m,
                pm,
                world,
                w,
                a.used,
                avail,
                (weeks, w),
                &mut s.order,
                Some(&mut s.providers),
            )
        } else {
            Spend::default()
        };

        if damage_week {
            // Concentration check: the same week with the largest provider (partly) down.
            let overlap = damage_end.min(w as f64 + 1.0) - damage_start.max(w as f64);
            let up = world.up[damage_p * weeks + w];
            let lost = (overlap / up.max(1e-12)).clamp(0.0, 1.0);
            let mut gpus = pm.committed[damage_p * weeks + w];
            if Some(damage_p) == order_provider {
                gpus += s.dyn_gpus[w];
            }
            let mut caps = [committed - gpus * up * lost, burst, emergency];
            for (tier, list, avail, out) in [
                (1, &pm.burst, &s.burst_avail, &mut s.damage_burst),
                (
                    2,
                    &pm.emergency,
                    &s.emergency_avail,
                    &mut s.damage_emergency,
                ),
            ] {
                for (k, src) in list.iter().enumerate() {
                    let a = avail[k * weeks + w];
                    out[k] = if src.provider == damage_p {
                        a * (1.0 - lost)
                    } else {
                        a
                    };
                    caps[tier] -= a - out[k];
                }
            }
            let d = allocate::<false>(m, &req, caps, &mut s.damage_backlog, &mut []);
            let avail = (&s.damage_burst[..], &s.damage_emergency[..]);
            let d_spend = buy(m, pm, world, w, d.used, avail, (1, 0), &mut s.order, None);
            damage_unmet += (d.unmet - a.unmet).max(0.0) * H;
            damage_cost += (d_spend.burst + d_spend.emergency + d.penalty_degraded + d.penalty)
                - (spend.burst + spend.emergency + a.penalty_degraded + a.penalty);
            damage_short |= d.unmet > EPS;
        }

        let committed_cost = pm.committed_cost_week[w]
            + if order_provider.is_some() {
                s.dyn_cost[w]
            } else {
                0.0
            };
        let exit = pm.exit_penalty_week[w];
        let week_cost =
            committed_cost + exit + spend.burst + spend.emergency + a.penalty_degraded + a.penalty;
        breakdown[0] += committed_cost;
        breakdown[1] += spend.burst;
        breakdown[2] += spend.emergency;
        breakdown[3] += exit;
        breakdown[4] += a.penalty_degraded;
        breakdown[5] += a.penalty;
        agg.weekly_cost.add(w, week_cost);
        agg.weekly_cost_sum[w] += week_cost;
        let cap = &mut agg.weekly_capacity[w * 3..w * 3 + 3];
        cap[0] += committed;
        cap[1] += burst;
        cap[2] += emergency;

        used_committed += a.used[0];
        if committed > 0.0 {
            emissions += a.used[0] / committed * s.committed_carbon[w];
        }
        emissions += spend.carbon;

        if a.unmet > EPS {
            short_weeks += 1;
            run += 1;
            longest = longest.max(run);
            agg.weekly_short[w] += 1;
        } else {
            run = 0;
        }
        unmet += a.unmet;
    }
    // Deferrable work still waiting at the horizon is the shortfall that counts.
    let backlog = &s.backlog;
    let mut served = 0.0;
    let mut degraded = 0.0;
    for (c, (cp, ca)) in s.class.iter().zip(agg.classes.iter_mut()).enumerate() {
        let (mut short, mut lost) = (cp.short, cp.unmet);
        if m.classes[c].deferrable {
            short = backlog[c] > EPS;
            lost = backlog[c];
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
    let mut paid_committed: f64 = pm.static_hours.iter().sum();
    if let Some(p) = order_provider {
        let hours: f64 = s.dyn_gpus.iter().sum::<f64>() * H;
        paid_committed += hours;
        s.providers[p][0] += hours;
        s.providers[p][3] += s.dyn_cost.iter().sum::<f64>();
    }
    let used_committed = used_committed * H;
    let cost: f64 = breakdown.iter().sum();
    let unmet_hours = unmet * H;

    agg.cost.push(cost);
    agg.unmet.push(unmet_hours);
    agg.shortage_weeks.push(short_weeks);
    agg.cost_m.add(cost);
    agg.unmet_m.add(unmet_hours);
    agg.short_weeks_m.add(f64::from(short_weeks));
    agg.short_paths += u32::from(short_weeks > 0);
    agg.longest_run += f64::from(longest);
    agg.idle.add(paid_committed - used_committed);
    agg.emissions.add(emissions);
    agg.served += served;
    agg.degraded += degraded;
    agg.paid_committed += paid_committed;
    agg.used_committed += used_committed;
    for (a, b) in agg.breakdown.iter_mut().zip(breakdown) {
        *a += b;
    }
    for (a, b) in agg.providers.iter_mut().zip(&s.providers) {
        for k in 0..6 {
            a[k] += b[k];
        }
    }
    agg.damage_unmet.add(damage_unmet);
    agg.damage_cost += damage_cost;
    agg.damage_short += u32::from(damage_short);
    agg.orders += orders;
    agg.ordered_gpus += ordered;
}

/// Serve every workload, in priority order, from the GPUs available in each tier. `backlog`
/// holds last week's deferred work on entry and this week's on return. With `RECORD`, per-workload
/// shortfalls and degradation are tallied into `class`.
#[inline]
fn allocate<const RECORD: bool>(
    m: &Model,
    req: &[f64],
    available: [f64; 3],
    backlog: &mut [f64],
    class: &mut [ClassPath],
) -> Week {
    let mut left = available;
    let mut week = Week::default();
    for st in &m.serve {
        let c = st.class;
        let need = req[c] + backlog[c];
        let mut short = need;
        for (allowed, left_t) in st.tiers.iter().zip(left.iter_mut()) {
            if *allowed && short > 0.0 {
                let take = if short < *left_t { short } else { *left_t };
                short -= take;
                *left_t -= take;
            }
        }
        if short <= EPS {
            if st.deferrable {
                backlog[c] = 0.0;
            }
            continue;
        }
        let mut degraded = 0.0;
        if st.degrade_share > 0.0 {
            // Serving y GPUs of demand with the fallback model frees y * relief GPUs.
            let cap = st.degrade_share * need;
            let want = short / st.degrade_relief;
            degraded = if want < cap { want } else { cap };
            short = (short - degraded * st.degrade_relief).max(0.0);
            week.penalty_degraded += degraded * st.degrade_penalty;
        }
        if st.deferrable {
            backlog[c] = short;
        } else {
            week.unmet += short;
            week.penalty += short * st.short_penalty;
        }
        if RECORD {
            let cp = &mut class[c];
            cp.degraded += degraded;
            if st.deferrable {
                cp.weeks += u32::from(short > EPS);
            } else if short > EPS {
                cp.short = true;
                cp.weeks += 1;
                cp.unmet += short;
            }
        }
    }
    week.used = [
        available[0] - left[0],
        available[1] - left[1],
        available[2] - left[2],
    ];
    week
}

/// Buy the burst and emergency GPUs used this week, cheapest provider first. `avail` holds the
/// GPUs available to list entry `k` at `k * stride + offset` (the path's entry x week series, or
/// one week's values). With `providers`, also books hours and spend per provider.
#[allow(clippy::too_many_arguments)]
fn buy(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    w: usize,
    used: [f64; 3],
    avail: (&[f64], &[f64]),
    (stride, offset): (usize, usize),
    order: &mut Vec<usize>,
    mut providers: Option<&mut Vec<[f64; 6]>>,
) -> Spend {
    let weeks = m.weeks;
    let mut spend = Spend::default();
    let tiers = [
        (1usize, &pm.burst, &pm.burst_order, avail.0, used[1]),
        (2, &pm.emergency, &pm.emergency_order, avail.1, used[2]),
    ];
    for (tier, list, list_order, avail, mut need) in tiers {
        if need <= 0.0 {
            continue;
        }
        let price = |k: usize| {
            let src = &list[k];
            if world.list_prices {
                src.price
            } else {
                src.price * world.price[src.provider * weeks + w]
            }
        };
        let sorted: &[usize] = if world.list_prices {
            list_order
        } else {
            // Prices moved on this path: re-sort (a handful of providers, nearly in order).
            order.clear();
            order.extend_from_slice(list_order);
            for i in 1..order.len() {
                let mut j = i;
                while j > 0 && price(order[j - 1]) > price(order[j]) {
                    order.swap(j - 1, j);
                    j -= 1;
                }
            }
            order
        };
        for &k in sorted {
            let a = avail[k * stride + offset];
            let gpus = if need < a { need } else { a };
            if gpus <= 0.0 {
                continue;
            }
            need -= gpus;
            let dollars = gpus * price(k);
            if tier == 1 {
                spend.burst += dollars;
            } else {
                spend.emergency += dollars;
            }
            let src = &list[k];
            spend.carbon += gpus * src.carbon;
            if let Some(acc) = providers.as_deref_mut() {
                acc[src.provider][tier] += gpus * H;
                acc[src.provider][3 + tier] += dollars;
            }
            if need <= 0.0 {
                break;
            }
        }
    }
    spend
}

/// Review the committed position and order from the policy's provider if the forecast needs it.
fn place_order(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &mut Scratch,
    w: usize,
) -> Option<f64> {
    let o = pm.ordering.as_ref()?;
    let weeks = m.weeks;
    let h = o.lookahead;
    let target_week = (w + h).min(weeks - 1);
    let years = h as f64 / 52.0;
    let mut forecast = 0.0;
    for (c, cm) in m.classes.iter().enumerate() {
        if cm.deferrable || !cm.tiers[0] {
            continue;
        }
        let sd = libm::sqrt((cm.log_growth_sd * years).powi(2) + cm.volatility * cm.volatility);
        let season = cm.season[target_week] / cm.season[w];
        forecast +=
            world.req[c * weeks + w] * season * libm::exp(cm.log_growth_mean * years + o.z * sd);
    }
    let need = o.cover * forecast;
    let on_order: f64 = s
        .orders
        .iter()
        .filter(|(end, _)| *end > target_week)
        .map(|(_, g)| g)
        .sum();
    let gap = need - pm.committed_total[target_week] - on_order;
    if gap <= 0.0 || gap < o.min.max(EPS) {
        return None;
    }
    let qty = gap.min(o.max);
    let p = o.provider;
    let pr = &m.providers[p];
    let lead = pr
        .lead
        .quantile(keyed_open01(world.order_key, p as u32, w as u32))
        .max(0.0);
    let arrive = (w + libm::ceil(lead) as usize).min(weeks);
    let end = (arrive + o.term).min(weeks);
    // The price is locked at signing: a shock after this week does not reach this contract.
    let price = pr.reserved_price * world.price[p * weeks + w];
    let carbon = pr.carbon_t_per_gpu_hour * H;
    let up = &world.up[p * weeks + arrive..p * weeks + end];
    let series = s.dyn_gpus[arrive..end]
        .iter_mut()
        .zip(&mut s.dyn_cost[arrive..end]);
    let avail = s.committed[arrive..end]
        .iter_mut()
        .zip(&mut s.committed_carbon[arrive..end]);
    for (((g, cost), (c, cc)), u) in series.zip(avail).zip(up) {
        *g += qty;
        *cost += qty * H * price;
        *c += qty * u;
        *cc += qty * u * carbon;
    }
    s.orders.push((arrive + o.term, qty));
    Some(qty)
}
