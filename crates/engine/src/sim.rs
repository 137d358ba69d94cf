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
    /// Available GPUs per entry of the portfolio's burst and emergency lists, week x entry
    /// (week-major: `buy` reads one week's entries together).
    burst_avail: Vec<f64>,
    emergency_avail: Vec<f64>,
    /// $ per GPU-week of every list entry, week x entry; filled only when prices moved on
    /// the path (otherwise the list prices apply).
    burst_price: Vec<f64>,
    emergency_price: Vec<f64>,
    /// GPUs and $ bought from every list entry on this path; booked to providers, and turned
    /// into emissions, once per path rather than once per week.
    burst_bought: Vec<[f64; 2]>,
    emergency_bought: Vec<[f64; 2]>,
    /// Deferred work carried into the week, for the portfolio and for the concentration check.
    backlog: Vec<f64>,
    damage_backlog: Vec<f64>,
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
        let (nc, weeks) = (m.classes.len(), m.weeks);
        let longest = |f: fn(&PortfolioModel) -> usize| m.portfolios.iter().map(f).max();
        let nb = longest(|pm| pm.burst.len()).unwrap_or(0);
        let ne = longest(|pm| pm.emergency.len()).unwrap_or(0);
        Scratch {
            dyn_gpus: vec![0.0; weeks],
            dyn_cost: vec![0.0; weeks],
            orders: Vec::new(),
            committed: vec![0.0; weeks],
            committed_carbon: vec![0.0; weeks],
            burst: vec![0.0; weeks],
            emergency: vec![0.0; weeks],
            burst_avail: vec![0.0; nb * weeks],
            emergency_avail: vec![0.0; ne * weeks],
            burst_price: vec![0.0; nb * weeks],
            emergency_price: vec![0.0; ne * weeks],
            burst_bought: vec![[0.0; 2]; nb],
            emergency_bought: vec![[0.0; 2]; ne],
            backlog: vec![0.0; nc],
            damage_backlog: vec![0.0; nc],
            class: vec![ClassPath::default(); nc],
            order: Vec::with_capacity(nb.max(ne)),
            damage_burst: vec![0.0; nb],
            damage_emergency: vec![0.0; ne],
        }
    }
}

/// Fill the per-week capacity series of a portfolio on this path (before any order arrives),
/// and the per-entry burst and emergency availability and prices.
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
    for (total, avail, prices, list, factor) in [
        (
            &mut s.burst,
            &mut s.burst_avail,
            &mut s.burst_price,
            &pm.burst,
            &world.burst_factor,
        ),
        (
            &mut s.emergency,
            &mut s.emergency_avail,
            &mut s.emergency_price,
            &pm.emergency,
            &world.emergency_factor,
        ),
    ] {
        total.fill(0.0);
        let n = list.len();
        if n == 0 {
            continue;
        }
        for (k, src) in list.iter().enumerate() {
            let (p, cap) = (src.provider, src.cap);
            let f = &factor[p * weeks..(p + 1) * weeks];
            for ((t, f), row) in total.iter_mut().zip(f).zip(avail.chunks_exact_mut(n)) {
                let a = cap * f;
                row[k] = a;
                *t += a;
            }
            if !world.list_prices {
                let mult = &world.price[p * weeks..(p + 1) * weeks];
                for (x, row) in mult.iter().zip(prices.chunks_exact_mut(n)) {
                    row[k] = src.price * x;
                }
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
    let nc = m.classes.len();
    let (nb, ne) = (pm.burst.len(), pm.emergency.len());
    let order_provider = pm.ordering.as_ref().map(|o| o.provider);
    s.dyn_gpus.fill(0.0);
    s.dyn_cost.fill(0.0);
    s.orders.clear();
    s.backlog.fill(0.0);
    s.burst_bought.clear();
    s.burst_bought.resize(nb, [0.0; 2]);
    s.emergency_bought.clear();
    s.emergency_bought.resize(ne, [0.0; 2]);
    s.class.fill(ClassPath::default());
    capacity(m, pm, world, s);

    // Burst, emergency, degradation and shortage spend; contract spend and exit penalties are
    // known up front (see below).
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
    let (mut next_review, review) = pm
        .ordering
        .as_ref()
        .map_or((usize::MAX, 0), |o| (o.first, o.review));
    let list_prices = world.list_prices;

    for w in 0..weeks {
        if w == next_review {
            next_review += review;
            if let Some(q) = place_order(m, pm, world, s, w) {
                orders += 1.0;
                ordered += q;
            }
        }
        let req = &world.req[w * nc..(w + 1) * nc];
        let (committed, burst, emergency) = (s.committed[w], s.burst[w], s.emergency[w]);
        let damage_week = m.damage_weeks.contains(&w);
        if damage_week {
            // The check starts from the same deferred work as the real week.
            s.damage_backlog.copy_from_slice(&s.backlog);
        }
        let a = allocate::<true>(
            m,
            req,
            [committed, burst, emergency],
            &mut s.backlog,
            &mut s.class,
        );
        let b_avail = &s.burst_avail[w * nb..(w + 1) * nb];
        let e_avail = &s.emergency_avail[w * ne..(w + 1) * ne];
        let (b_price, e_price) = if list_prices {
            (&pm.burst_price[..], &pm.emergency_price[..])
        } else {
            (
                &s.burst_price[w * nb..(w + 1) * nb],
                &s.emergency_price[w * ne..(w + 1) * ne],
            )
        };
        let spend_b = buy::<true>(
            a.used[1],
            (&pm.burst_order, list_prices),
            b_avail,
            b_price,
            &mut s.order,
            &mut s.burst_bought,
        );
        let spend_e = buy::<true>(
            a.used[2],
            (&pm.emergency_order, list_prices),
            e_avail,
            e_price,
            &mut s.order,
            &mut s.emergency_bought,
        );

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
                (1, &pm.burst, b_avail, &mut s.damage_burst),
                (2, &pm.emergency, e_avail, &mut s.damage_emergency),
            ] {
                for ((src, &a), o) in list.iter().zip(avail).zip(out.iter_mut()) {
                    *o = if src.provider == damage_p {
                        a * (1.0 - lost)
                    } else {
                        a
                    };
                    caps[tier] -= a - *o;
                }
            }
            let d = allocate::<false>(m, req, caps, &mut s.damage_backlog, &mut []);
            let d_b = buy::<false>(
                d.used[1],
                (&pm.burst_order, list_prices),
                &s.damage_burst,
                b_price,
                &mut s.order,
                &mut [],
            );
            let d_e = buy::<false>(
                d.used[2],
                (&pm.emergency_order, list_prices),
                &s.damage_emergency,
                e_price,
                &mut s.order,
                &mut [],
            );
            damage_unmet += (d.unmet - a.unmet).max(0.0) * H;
            damage_cost += (d_b + d_e + d.penalty_degraded + d.penalty)
                - (spend_b + spend_e + a.penalty_degraded + a.penalty);
            damage_short |= d.unmet > EPS;
        }

        let week_cost = pm.fixed_cost_week[w]
            + s.dyn_cost[w]
            + (spend_b + spend_e + a.penalty_degraded + a.penalty);
        breakdown[1] += spend_b;
        breakdown[2] += spend_e;
        breakdown[4] += a.penalty_degraded;
        breakdown[5] += a.penalty;
        agg.weekly_cost.add(w, week_cost);
        agg.weekly_cost_sum[w] += week_cost;

        used_committed += a.used[0];
        if committed > 0.0 {
            emissions += a.used[0] / committed * s.committed_carbon[w];
        }

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
    // Capacity series are final once the loop is done (orders only add to later weeks).
    for (tier, series) in [&s.committed, &s.burst, &s.emergency]
        .into_iter()
        .enumerate()
    {
        add(
            &mut agg.weekly_capacity[tier * weeks..(tier + 1) * weeks],
            series,
        );
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
    let dyn_cost: f64 = s.dyn_cost.iter().sum();
    if let Some(p) = order_provider {
        let hours: f64 = s.dyn_gpus.iter().sum::<f64>() * H;
        paid_committed += hours;
        agg.providers[p][0] += hours;
        agg.providers[p][3] += dyn_cost;
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
    breakdown[0] = pm.committed_cost_total + dyn_cost;
    breakdown[3] = pm.exit_penalty_total;
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
    agg.damage_unmet.add(damage_unmet);
    agg.damage_cost += damage_cost;
    agg.damage_short += u32::from(damage_short);
    agg.orders += orders;
    agg.ordered_gpus += ordered;
}

fn add(a: &mut [f64], b: &[f64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x += y;
    }
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

/// Buy `need` GPUs of one tier this week, cheapest entry first; returns the $ spent.
///
/// `avail` and `price` hold this week's GPUs and $ per GPU-week of every list entry. `order` is
/// the list-price order and `fixed` says whether list prices apply; when prices moved on the path
/// the order is re-sorted (stably, so ties keep the list-price order) into `buf`. With `RECORD`,
/// GPUs and $ are tallied per entry into `bought`.
#[inline]
fn buy<const RECORD: bool>(
    mut need: f64,
    (order, fixed): (&[usize], bool),
    avail: &[f64],
    price: &[f64],
    buf: &mut Vec<usize>,
    bought: &mut [[f64; 2]],
) -> f64 {
    if need <= 0.0 {
        return 0.0;
    }
    let sorted: &[usize] = if fixed || order.len() < 2 {
        order
    } else {
        // A handful of entries, nearly in order: insertion sort.
        buf.clear();
        buf.extend_from_slice(order);
        for i in 1..buf.len() {
            let mut j = i;
            while j > 0 && price[buf[j - 1]] > price[buf[j]] {
                buf.swap(j - 1, j);
                j -= 1;
            }
        }
        buf
    };
    let mut dollars = 0.0;
    for &k in sorted {
        let a = avail[k];
        let gpus = if need < a { need } else { a };
        if gpus <= 0.0 {
            continue;
        }
        need -= gpus;
        let d = gpus * price[k];
        dollars += d;
        if RECORD {
            let b = &mut bought[k];
            b[0] += gpus;
            b[1] += d;
        }
        if need <= 0.0 {
            break;
        }
    }
    dollars
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
    let nc = m.classes.len();
    let req = &world.req[w * nc..(w + 1) * nc];
    let mut forecast = 0.0;
    for &(c, growth) in &o.growth {
        let cm = &m.classes[c];
        let season = cm.season[target_week] / cm.season[w];
        forecast += req[c] * season * growth;
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
