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
    lists: Lists,
    series: Series,
    /// Orders placed on this path.
    orders: Vec<Order>,
    /// Deferred work carried into the week.
    backlog: Vec<f64>,
    class: Vec<ClassPath>,
    /// GPUs and $ bought from every list entry on this path; booked to providers, and turned
    /// into emissions, once per path rather than once per week.
    burst_bought: Vec<[f64; 2]>,
    emergency_bought: Vec<[f64; 2]>,
    /// Sort buffer for `buy`.
    order: Vec<usize>,
    damage: Damage,
}

/// Per entry of the portfolio's burst and emergency lists, week-major (`buy` reads one week's
/// entries together): available GPUs and $ per GPU-week. Rows are at least one entry wide so
/// they can be walked with `chunks_exact` even for an empty list.
struct Lists {
    burst_avail: Vec<f64>,
    emergency_avail: Vec<f64>,
    burst_price: Vec<f64>,
    emergency_price: Vec<f64>,
}

/// Weekly series of the current portfolio on the current path.
struct Series {
    /// Available GPUs by tier, and the carbon (t per GPU-week) of the committed ones. The
    /// committed pair starts with the file's contracts; the weekly loop adds arrived orders.
    committed: Vec<f64>,
    committed_carbon: Vec<f64>,
    burst: Vec<f64>,
    emergency: Vec<f64>,
    /// Spend that varies by path (orders, burst, emergency, penalties), GPUs used from committed capacity, unmet
    /// non-deferrable GPUs.
    spend: Vec<f64>,
    used: Vec<f64>,
    unmet: Vec<f64>,
}

/// An order of committed capacity: live over [arrive, end).
#[derive(Clone, Copy)]
struct Order {
    arrive: usize,
    end: usize,
    /// Week its term ends, unclipped by the horizon (what the policy counts as on order).
    term_end: usize,
    gpus: f64,
    /// $ per week while live (price locked at signing).
    cost: f64,
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
        let nb = longest(|pm| pm.burst.len()).unwrap_or(0).max(1);
        let ne = longest(|pm| pm.emergency.len()).unwrap_or(0).max(1);
        let series = || vec![0.0; weeks];
        Scratch {
            lists: Lists {
                burst_avail: vec![0.0; nb * weeks],
                emergency_avail: vec![0.0; ne * weeks],
                burst_price: vec![0.0; nb * weeks],
                emergency_price: vec![0.0; ne * weeks],
            },
            series: Series {
                committed: series(),
                committed_carbon: series(),
                burst: series(),
                emergency: series(),
                spend: series(),
                used: series(),
                unmet: series(),
            },
            orders: Vec::new(),
            backlog: vec![0.0; nc],
            class: vec![ClassPath::default(); nc],
            burst_bought: vec![[0.0; 2]; nb],
            emergency_bought: vec![[0.0; 2]; ne],
            order: Vec::with_capacity(nb.max(ne)),
            damage: Damage {
                backlog: vec![0.0; nc],
                ..Damage::default()
            },
        }
    }
}

/// Fill the per-week capacity series of a portfolio on this path (before any order arrives),
/// and the per-entry burst and emergency availability and prices.
fn capacity(m: &Model, pm: &PortfolioModel, world: &World, lists: &mut Lists, ser: &mut Series) {
    let weeks = m.weeks;
    ser.committed.fill(0.0);
    ser.committed_carbon.fill(0.0);
    for &p in &pm.committed_providers {
        let carbon = m.providers[p].carbon_t_per_gpu_hour * H;
        let gpus = &pm.committed[p * weeks..(p + 1) * weeks];
        let up = &world.up[p * weeks..(p + 1) * weeks];
        for (((c, cc), g), u) in ser
            .committed
            .iter_mut()
            .zip(ser.committed_carbon.iter_mut())
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
            &mut ser.burst,
            &mut lists.burst_avail,
            &mut lists.burst_price,
            &pm.burst,
            &world.burst_factor,
        ),
        (
            &mut ser.emergency,
            &mut lists.emergency_avail,
            &mut lists.emergency_price,
            &pm.emergency,
            &world.emergency_factor,
        ),
    ] {
        total.fill(0.0);
        let n = list.len().max(1);
        for (k, src) in list.iter().enumerate() {
            let (p, cap) = (src.provider, src.cap);
            let f = &factor[p * weeks..(p + 1) * weeks];
            for ((t, f), row) in total.iter_mut().zip(f).zip(avail.chunks_exact_mut(n)) {
                let a = cap * f;
                row[k] = a;
                *t += a;
            }
            let rows = prices[..n * weeks].chunks_exact_mut(n);
            if world.list_prices {
                rows.for_each(|row| row[k] = src.price);
            } else {
                let mult = &world.price[p * weeks..(p + 1) * weeks];
                for (x, row) in mult.iter().zip(rows) {
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
    let (weeks, nc) = (m.weeks, m.classes.len());
    let (nb, ne) = (pm.burst.len(), pm.emergency.len());
    let Scratch {
        lists,
        series: ser,
        orders,
        backlog,
        class,
        burst_bought,
        emergency_bought,
        order: sort_buf,
        damage,
    } = s;
    orders.clear();
    backlog.fill(0.0);
    burst_bought.clear();
    burst_bought.resize(nb, [0.0; 2]);
    emergency_bought.clear();
    emergency_bought.resize(ne, [0.0; 2]);
    class.fill(ClassPath::default());
    capacity(m, pm, world, lists, ser);

    // Burst, emergency, degradation and shortage spend; contract spend and exit penalties are
    // known up front (see below).
    let mut breakdown = [0.0; 6];
    let mut used_committed = 0.0;
    let (mut orders_placed, mut ordered) = (0.0, 0.0);
    (damage.unmet, damage.cost, damage.short) = (0.0, 0.0, false);
    let (mut next_review, review) = pm
        .ordering
        .as_ref()
        .map_or((usize::MAX, 0), |o| (o.first, o.review));
    // Orders: GPUs and $ per week live now, recomputed only in weeks an order arrives or ends.
    let order_p = pm.ordering.as_ref().map_or(0, |o| o.provider);
    let order_up = &world.up[order_p * weeks..(order_p + 1) * weeks];
    let order_carbon = m.providers[order_p].carbon_t_per_gpu_hour * H;
    let (mut dyn_gpus, mut dyn_cost, mut next_event) = (0.0, 0.0, usize::MAX);
    // Sums over the path of the orders' GPUs and $ per week.
    let (mut dyn_gpu_weeks, mut dyn_cost_total) = (0.0, 0.0);
    let list_prices = world.list_prices;
    let (wb, we) = (nb.max(1), ne.max(1));

    // Re-sliced to `weeks` so indexing by week needs no bounds checks.
    let committed = &mut ser.committed[..weeks];
    let committed_carbon = &mut ser.committed_carbon[..weeks];
    let (burst, emergency) = (&ser.burst[..weeks], &ser.emergency[..weeks]);
    let (ser_spend, ser_used) = (&mut ser.spend[..weeks], &mut ser.used[..weeks]);
    let ser_unmet = &mut ser.unmet[..weeks];
    // `req` has exactly `weeks` rows; the list buffers may have more.
    let rows = world.req[..weeks * nc]
        .chunks_exact(nc)
        .zip(lists.burst_avail.chunks_exact(wb))
        .zip(lists.emergency_avail.chunks_exact(we))
        .zip(lists.burst_price.chunks_exact(wb))
        .zip(lists.emergency_price.chunks_exact(we));

    // The loop only serves and buys; weekly tallies are written to per-week series and
    // summed by the tight passes after it (fewer live values, so nothing spills).
    for (w, ((((req, b_avail), e_avail), b_price), e_price)) in rows.enumerate() {
        if w == next_review {
            next_review += review;
            if let Some(o) = place_order(m, pm, world, orders, w) {
                orders_placed += 1.0;
                ordered += o.gpus;
                next_event = next_event.min(o.arrive);
            }
        }
        if w == next_event {
            (dyn_gpus, dyn_cost, next_event) = live_orders(orders, w);
        }
        let up = order_up[w];
        committed[w] += dyn_gpus * up;
        committed_carbon[w] += dyn_gpus * up * order_carbon;
        dyn_gpu_weeks += dyn_gpus;
        dyn_cost_total += dyn_cost;
        let caps = [committed[w], burst[w], emergency[w]];
        let damage_week = m.damage_weeks.contains(&w);
        if damage_week {
            // The check starts from the same deferred work as the real week.
            damage.backlog.copy_from_slice(backlog);
        }
        let a = allocate::<true>(m, req, caps, backlog, class);
        let spend_b = buy::<true>(
            a.used[1],
            (&pm.burst_order, list_prices),
            b_avail,
            b_price,
            sort_buf,
            burst_bought,
        );
        let spend_e = buy::<true>(
            a.used[2],
            (&pm.emergency_order, list_prices),
            e_avail,
            e_price,
            sort_buf,
            emergency_bought,
        );
        let spend = spend_b + spend_e + a.penalty_degraded + a.penalty;
        if damage_week {
            let rows = (req, b_avail, e_avail, b_price, e_price);
            concentration_check(m, pm, world, w, caps, dyn_gpus, rows, (&a, spend), damage);
        }
        breakdown[1] += spend_b;
        breakdown[2] += spend_e;
        breakdown[4] += a.penalty_degraded;
        breakdown[5] += a.penalty;
        used_committed += a.used[0];
        ser_spend[w] = dyn_cost + spend;
        ser_used[w] = a.used[0];
        ser_unmet[w] = a.unmet;
    }

    // Weekly tallies.
    let mut emissions = 0.0;
    for (w, (&fixed, &spend)) in pm.fixed_cost_week.iter().zip(ser_spend.iter()).enumerate() {
        let week_cost = fixed + spend;
        agg.weekly_cost.add(w, week_cost);
        agg.weekly_cost_sum[w] += week_cost;
    }
    for ((&used, &committed), &carbon) in ser_used
        .iter()
        .zip(committed.iter())
        .zip(committed_carbon.iter())
    {
        if committed > 0.0 {
            emissions += used / committed * carbon;
        }
    }
    let mut unmet = 0.0;
    let mut short_weeks = 0u32;
    let (mut run, mut longest) = (0u32, 0u32);
    for (&u, count) in ser_unmet.iter().zip(agg.weekly_short.iter_mut()) {
        let short = u > EPS;
        *count += u32::from(short);
        short_weeks += u32::from(short);
        run = if short { run + 1 } else { 0 };
        longest = longest.max(run);
        unmet += u;
    }
    // Capacity series are final once the loop is done (orders only add to later weeks).
    for (tier, series) in [&*committed, burst, emergency].into_iter().enumerate() {
        add(
            &mut agg.weekly_capacity[tier * weeks..(tier + 1) * weeks],
            series,
        );
    }
    // Deferrable work still waiting at the horizon is the shortfall that counts.
    let mut served = 0.0;
    let mut degraded = 0.0;
    for (c, (cp, ca)) in class.iter().zip(agg.classes.iter_mut()).enumerate() {
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
    if let Some(p) = pm.ordering.as_ref().map(|o| o.provider) {
        let hours = dyn_gpu_weeks * H;
        paid_committed += hours;
        agg.providers[p][0] += hours;
        agg.providers[p][3] += dyn_cost_total;
    }
    for (tier, list, bought) in [
        (1, &pm.burst, &*burst_bought),
        (2, &pm.emergency, &*emergency_bought),
    ] {
        for (src, &[gpus, dollars]) in list.iter().zip(bought.iter()) {
            emissions += gpus * src.carbon;
            let acc = &mut agg.providers[src.provider];
            acc[tier] += gpus * H;
            acc[3 + tier] += dollars;
        }
    }
    breakdown[0] = pm.committed_cost_total + dyn_cost_total;
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
    agg.damage_unmet.add(damage.unmet);
    agg.damage_cost += damage.cost;
    agg.damage_short += u32::from(damage.short);
    agg.orders += orders_placed;
    agg.ordered_gpus += ordered;
}

/// GPUs and $ per week of the orders live in week `w`, and the next week that changes.
fn live_orders(orders: &[Order], w: usize) -> (f64, f64, usize) {
    let (mut gpus, mut cost, mut next) = (0.0, 0.0, usize::MAX);
    for o in orders {
        if o.arrive <= w && w < o.end {
            gpus += o.gpus;
            cost += o.cost;
            next = next.min(o.end);
        } else if o.arrive > w {
            next = next.min(o.arrive);
        }
    }
    (gpus, cost, next)
}

/// The concentration check's tallies on one path.
#[derive(Default)]
struct Damage {
    /// Extra unmet GPU-hours and $ with the largest provider down.
    unmet: f64,
    cost: f64,
    /// Short in some checked week.
    short: bool,
    /// Deferred work carried into the checked week, and one week's lists with the provider down.
    backlog: Vec<f64>,
    burst: Vec<f64>,
    emergency: Vec<f64>,
    order: Vec<usize>,
}

/// This week's rows: demand per class; available GPUs and prices of burst and emergency entries.
type Rows<'a> = (&'a [f64], &'a [f64], &'a [f64], &'a [f64], &'a [f64]);

/// Concentration check for week `w`: serve and buy the same week again with the largest
/// provider (partly) down, starting from the backlog saved in `out`; `real` is the real week's
/// allocation and variable spend. Rare (the outage weeks only), so kept out of the weekly loop.
#[cold]
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn concentration_check(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    w: usize,
    [committed, burst, emergency]: [f64; 3],
    dyn_gpus: f64,
    (req, b_avail, e_avail, b_price, e_price): Rows,
    (real, real_spend): (&Week, f64),
    out: &mut Damage,
) {
    let weeks = m.weeks;
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
    for (tier, list, avail, down) in [
        (1, &pm.burst, b_avail, &mut out.burst),
        (2, &pm.emergency, e_avail, &mut out.emergency),
    ] {
        down.clear();
        for (src, &a) in list.iter().zip(avail) {
            let d = if src.provider == damage_p {
                a * (1.0 - lost)
            } else {
                a
            };
            caps[tier] -= a - d;
            down.push(d);
        }
    }
    let d = allocate::<false>(m, req, caps, &mut out.backlog, &mut []);
    let buf = &mut out.order;
    let d_b = buy::<false>(
        d.used[1],
        (&pm.burst_order, world.list_prices),
        &out.burst,
        b_price,
        buf,
        &mut [],
    );
    let d_e = buy::<false>(
        d.used[2],
        (&pm.emergency_order, world.list_prices),
        &out.emergency,
        e_price,
        buf,
        &mut [],
    );
    out.unmet += (d.unmet - real.unmet).max(0.0) * H;
    out.cost += (d_b + d_e + d.penalty_degraded + d.penalty) - real_spend;
    out.short |= d.unmet > EPS;
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
#[inline(always)]
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
    let pair: [usize; 2];
    let sorted: &[usize] = if fixed || order.len() < 2 {
        order
    } else if let &[a, b] = order {
        // The common re-sort: two entries.
        pair = if price[a] > price[b] { [b, a] } else { [a, b] };
        &pair
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
#[inline(never)]
fn place_order(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    orders: &mut Vec<Order>,
    w: usize,
) -> Option<Order> {
    let o = pm.ordering.as_ref()?;
    let weeks = m.weeks;
    let target_week = (w + o.lookahead).min(weeks - 1);
    let nc = m.classes.len();
    let req = &world.req[w * nc..(w + 1) * nc];
    let mut forecast = 0.0;
    for &(c, growth) in &o.growth {
        let cm = &m.classes[c];
        let season = cm.season[target_week] / cm.season[w];
        forecast += req[c] * season * growth;
    }
    let need = o.cover * forecast;
    let on_order: f64 = orders
        .iter()
        .filter(|o| o.term_end > target_week)
        .map(|o| o.gpus)
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
    // The price is locked at signing: a shock after this week does not reach this contract.
    let price = pr.reserved_price * world.price[p * weeks + w];
    let order = Order {
        arrive,
        end: (arrive + o.term).min(weeks),
        term_end: arrive + o.term,
        gpus: qty,
        cost: qty * H * price,
    };
    orders.push(order);
    Some(order)
}
