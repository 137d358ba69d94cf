//! The weekly simulation of every portfolio against one path's world.
//!
//! Each week: committed capacity (contracts plus arrived orders) is what is up of it; burst is
//! capped, partly filled when the provider is tight and cut by quotas; emergency is capped and cut
//! by quotas. Workloads are served in priority order from committed, then burst, then emergency;
//! a workload with a fallback model degrades part of what is left; the rest is shortage.

use crate::CHUNK_PATHS;
use crate::accum::{ChunkResult, PortfolioAgg};
use crate::compile::{Model, PortfolioModel};
use crate::hist::WeeklyHist;
use crate::rng::{PathRng, keyed_open01};
use crate::scenario::HOURS_PER_WEEK;
use crate::world::World;

/// Shortfalls below this many GPUs are rounding, not shortage.
const EPS: f64 = 1e-9;

pub(crate) fn run_chunk(m: &Model, index: u32) -> ChunkResult {
    let first = index.saturating_mul(CHUNK_PATHS);
    let last = first.saturating_add(CHUNK_PATHS).min(m.paths);
    let n = last.saturating_sub(first);
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
        for w in 0..m.weeks {
            let total: f64 = world.req[w * nc..(w + 1) * nc].iter().sum();
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
    dyn_committed: Vec<f64>,
    dyn_cost: Vec<f64>,
    /// Orders placed on this path: (week the term ends, GPUs).
    orders: Vec<(usize, f64)>,
    backlog: Vec<f64>,
    alloc: WeekAlloc,
    damage: WeekAlloc,
    providers: Vec<[f64; 6]>,
    class_short: Vec<bool>,
    class_unmet: Vec<f64>,
    class_weeks: Vec<u32>,
    class_degraded: Vec<f64>,
    class_served: Vec<f64>,
    cap: Caps,
    order_by_price: Vec<usize>,
}

#[derive(Clone, Default)]
struct Caps {
    committed: Vec<f64>,
    burst: Vec<f64>,
    emergency: Vec<f64>,
}

impl Caps {
    fn new(np: usize) -> Self {
        Caps {
            committed: vec![0.0; np],
            burst: vec![0.0; np],
            emergency: vec![0.0; np],
        }
    }
}

/// Outcome of serving one week.
#[derive(Clone, Default)]
struct WeekAlloc {
    used: [f64; 3],
    /// Unmet non-deferrable GPUs.
    unmet: f64,
    short: Vec<f64>,
    degraded: Vec<f64>,
    served: Vec<f64>,
    backlog: Vec<f64>,
    penalty_degraded: f64,
    penalty_short: f64,
    burst_spend: f64,
    emergency_spend: f64,
    /// GPUs used per provider: burst, emergency.
    burst_by_provider: Vec<f64>,
    emergency_by_provider: Vec<f64>,
}

impl WeekAlloc {
    fn new(nc: usize, np: usize) -> Self {
        WeekAlloc {
            short: vec![0.0; nc],
            degraded: vec![0.0; nc],
            served: vec![0.0; nc],
            backlog: vec![0.0; nc],
            burst_by_provider: vec![0.0; np],
            emergency_by_provider: vec![0.0; np],
            ..WeekAlloc::default()
        }
    }
}

impl Scratch {
    fn new(m: &Model) -> Self {
        let (nc, np) = (m.classes.len(), m.providers.len());
        Scratch {
            dyn_committed: vec![0.0; m.weeks * np],
            dyn_cost: vec![0.0; m.weeks * np],
            orders: Vec::new(),
            backlog: vec![0.0; nc],
            alloc: WeekAlloc::new(nc, np),
            damage: WeekAlloc::new(nc, np),
            providers: vec![[0.0; 6]; np],
            class_short: vec![false; nc],
            class_unmet: vec![0.0; nc],
            class_weeks: vec![0; nc],
            class_degraded: vec![0.0; nc],
            class_served: vec![0.0; nc],
            cap: Caps::new(np),
            order_by_price: (0..np).collect(),
        }
    }
}

fn simulate_portfolio(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    s: &mut Scratch,
    agg: &mut PortfolioAgg,
) {
    let (nc, np, weeks) = (m.classes.len(), m.providers.len(), m.weeks);
    if pm.ordering.is_some() {
        s.dyn_committed.fill(0.0);
        s.dyn_cost.fill(0.0);
    }
    s.orders.clear();
    s.backlog.fill(0.0);
    s.providers.iter_mut().for_each(|p| *p = [0.0; 6]);
    s.class_short.fill(false);
    s.class_unmet.fill(0.0);
    s.class_weeks.fill(0);
    s.class_degraded.fill(0.0);
    s.class_served.fill(0.0);

    let mut cost = 0.0;
    let mut breakdown = [0.0; 6];
    let mut unmet_hours = 0.0;
    let mut short_weeks = 0u32;
    let (mut run, mut longest) = (0u32, 0u32);
    let (mut paid_committed, mut used_committed, mut emissions) = (0.0, 0.0, 0.0);
    let (mut served, mut degraded) = (0.0, 0.0);
    let (mut orders, mut ordered) = (0.0, 0.0);
    let (mut damage_unmet, mut damage_cost, mut damage_short) = (0.0, 0.0, false);

    let damage_p = pm.largest_provider;
    let damage_start = m.outage_week as f64;
    let damage_end = damage_start + m.outage_hours / HOURS_PER_WEEK;

    for w in 0..weeks {
        if let Some(o) = &pm.ordering {
            if w >= o.first && (w - o.first) % o.review == 0 {
                if let Some(q) = place_order(m, pm, world, s, w) {
                    orders += 1.0;
                    ordered += q;
                }
            }
        }

        // Capacity available this week.
        let row = w * np;
        let mut committed_cost_w = 0.0;
        let mut exit_w = 0.0;
        for p in 0..np {
            let gpus = pm.committed[row + p] + s.dyn_committed[row + p];
            let up = world.up[row + p];
            s.cap.committed[p] = gpus * up;
            s.cap.burst[p] = pm.burst_cap[p] * world.fill[row + p] * world.quota[row + p] * up;
            s.cap.emergency[p] = pm.emergency_cap[p] * world.quota[row + p] * up;
            let c_cost = pm.committed_cost[row + p] + s.dyn_cost[row + p];
            committed_cost_w += c_cost;
            exit_w += pm.exit_penalty[row + p];
            paid_committed += gpus * HOURS_PER_WEEK;
            s.providers[p][0] += gpus * HOURS_PER_WEEK;
            s.providers[p][3] += c_cost + pm.exit_penalty[row + p];
        }
        sort_by_price(m, world, w, &mut s.order_by_price);
        allocate(
            m,
            world,
            w,
            &s.cap,
            &s.backlog,
            &s.order_by_price,
            &mut s.alloc,
        );
        let a = &s.alloc;

        // Damage check: the same week with the largest provider (partly) down.
        if (w as f64) < damage_end && (w as f64 + 1.0) > damage_start {
            let overlap = damage_end.min(w as f64 + 1.0) - damage_start.max(w as f64);
            let mut caps = s.cap.clone();
            let keep = 1.0 - overlap / world.up[row + damage_p].max(1e-12);
            let keep = keep.clamp(0.0, 1.0);
            caps.committed[damage_p] *= keep;
            caps.burst[damage_p] *= keep;
            caps.emergency[damage_p] *= keep;
            allocate(
                m,
                world,
                w,
                &caps,
                &s.backlog,
                &s.order_by_price,
                &mut s.damage,
            );
            let d = &s.damage;
            damage_unmet += (d.unmet - a.unmet).max(0.0) * HOURS_PER_WEEK;
            damage_cost +=
                (d.burst_spend + d.emergency_spend + d.penalty_degraded + d.penalty_short)
                    - (a.burst_spend + a.emergency_spend + a.penalty_degraded + a.penalty_short);
            damage_short |= d.unmet > EPS;
        }

        let committed_available: f64 = s.cap.committed.iter().sum();
        let week_cost = committed_cost_w
            + exit_w
            + a.burst_spend
            + a.emergency_spend
            + a.penalty_degraded
            + a.penalty_short;
        cost += week_cost;
        breakdown[0] += committed_cost_w;
        breakdown[1] += a.burst_spend;
        breakdown[2] += a.emergency_spend;
        breakdown[3] += exit_w;
        breakdown[4] += a.penalty_degraded;
        breakdown[5] += a.penalty_short;
        agg.weekly_cost.add(w, week_cost);
        agg.weekly_cost_sum[w] += week_cost;
        agg.weekly_capacity[w * 3] += committed_available;
        agg.weekly_capacity[w * 3 + 1] += s.cap.burst.iter().sum::<f64>();
        agg.weekly_capacity[w * 3 + 2] += s.cap.emergency.iter().sum::<f64>();

        used_committed += a.used[0] * HOURS_PER_WEEK;
        let committed_share = if committed_available > 0.0 {
            a.used[0] / committed_available
        } else {
            0.0
        };
        for (p, pm_p) in m.providers.iter().enumerate() {
            let (b, e) = (a.burst_by_provider[p], a.emergency_by_provider[p]);
            let used_gpus = s.cap.committed[p] * committed_share + b + e;
            emissions += used_gpus * HOURS_PER_WEEK * pm_p.carbon_t_per_gpu_hour;
            let price = world.price[row + p];
            s.providers[p][1] += b * HOURS_PER_WEEK;
            s.providers[p][2] += e * HOURS_PER_WEEK;
            s.providers[p][4] += b * HOURS_PER_WEEK * pm_p.on_demand_price * price;
            s.providers[p][5] +=
                e * HOURS_PER_WEEK * pm_p.on_demand_price * pm_p.emergency_multiplier * price;
        }

        if a.unmet > EPS {
            short_weeks += 1;
            run += 1;
            longest = longest.max(run);
            agg.weekly_short[w] += 1;
        } else {
            run = 0;
        }
        unmet_hours += a.unmet * HOURS_PER_WEEK;
        for c in 0..nc {
            s.class_degraded[c] += a.degraded[c] * HOURS_PER_WEEK;
            s.class_served[c] += a.served[c] * HOURS_PER_WEEK;
            served += a.served[c] * HOURS_PER_WEEK;
            degraded += a.degraded[c] * HOURS_PER_WEEK;
            if m.classes[c].deferrable {
                if a.backlog[c] > EPS {
                    s.class_weeks[c] += 1;
                }
            } else if a.short[c] > EPS {
                s.class_short[c] = true;
                s.class_weeks[c] += 1;
                s.class_unmet[c] += a.short[c] * HOURS_PER_WEEK;
            }
        }
        s.backlog.copy_from_slice(&a.backlog);
    }
    // Deferrable work still waiting at the horizon is the shortfall that counts.
    for c in 0..nc {
        if m.classes[c].deferrable && s.backlog[c] > EPS {
            s.class_short[c] = true;
            s.class_unmet[c] = s.backlog[c] * HOURS_PER_WEEK;
        }
    }

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
    for (c, ca) in agg.classes.iter_mut().enumerate() {
        ca.short_paths += u32::from(s.class_short[c]);
        ca.unmet.add(s.class_unmet[c]);
        ca.short_weeks += f64::from(s.class_weeks[c]);
        ca.degraded += s.class_degraded[c];
        ca.served += s.class_served[c];
    }
    agg.damage_unmet.add(damage_unmet);
    agg.damage_cost += damage_cost;
    agg.damage_short += u32::from(damage_short);
    agg.orders += orders;
    agg.ordered_gpus += ordered;
}

/// Providers by current on-demand price, cheapest first (ties by file order).
fn sort_by_price(m: &Model, world: &World, w: usize, order: &mut [usize]) {
    let np = m.providers.len();
    let price = |p: usize| m.providers[p].on_demand_price * world.price[w * np + p];
    // Insertion sort: the order rarely changes from one week to the next.
    for i in 1..order.len() {
        let mut j = i;
        while j > 0 && (price(order[j - 1]), order[j - 1]) > (price(order[j]), order[j]) {
            order.swap(j - 1, j);
            j -= 1;
        }
    }
}

fn allocate(
    m: &Model,
    world: &World,
    w: usize,
    cap: &Caps,
    backlog: &[f64],
    by_price: &[usize],
    out: &mut WeekAlloc,
) {
    let nc = m.classes.len();
    let np = m.providers.len();
    let mut left = [
        cap.committed.iter().sum::<f64>(),
        cap.burst.iter().sum::<f64>(),
        cap.emergency.iter().sum::<f64>(),
    ];
    let total = left;
    out.unmet = 0.0;
    out.penalty_degraded = 0.0;
    out.penalty_short = 0.0;
    for &c in &m.service_order {
        let cm = &m.classes[c];
        let demand = world.req[w * nc + c];
        let need = demand + backlog[c];
        let mut got = 0.0;
        for (tier, left_t) in left.iter_mut().enumerate() {
            if cm.tiers[tier] && got < need {
                let take = (need - got).min(*left_t);
                got += take;
                *left_t -= take;
            }
        }
        let mut short = need - got;
        let mut degraded = 0.0;
        if short > EPS {
            if let Some((factor, share, penalty)) = cm.degradation {
                // Serving y GPUs of demand with the fallback model frees y * (1 - factor) GPUs.
                let y = (share * need).min(short / (1.0 - factor));
                degraded = y;
                short = (short - y * (1.0 - factor)).max(0.0);
                out.penalty_degraded += y * HOURS_PER_WEEK * penalty;
            }
        } else {
            short = 0.0;
        }
        out.degraded[c] = degraded;
        out.served[c] = need - short;
        if cm.deferrable {
            out.backlog[c] = short;
            out.short[c] = 0.0;
        } else {
            out.backlog[c] = 0.0;
            out.short[c] = short;
            out.unmet += short;
            out.penalty_short += short * HOURS_PER_WEEK * cm.shortage_penalty;
        }
    }
    out.used = [total[0] - left[0], total[1] - left[1], total[2] - left[2]];

    // Burst and emergency are bought cheapest first.
    let (mut burst, mut emergency) = (out.used[1], out.used[2]);
    out.burst_spend = 0.0;
    out.emergency_spend = 0.0;
    for &p in by_price {
        let pm = &m.providers[p];
        let price = pm.on_demand_price * world.price[w * np + p];
        let b = burst.min(cap.burst[p]);
        burst -= b;
        out.burst_by_provider[p] = b;
        out.burst_spend += b * HOURS_PER_WEEK * price;
        let e = emergency.min(cap.emergency[p]);
        emergency -= e;
        out.emergency_by_provider[p] = e;
        out.emergency_spend += e * HOURS_PER_WEEK * price * pm.emergency_multiplier;
    }
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
    let (nc, np, weeks) = (m.classes.len(), m.providers.len(), m.weeks);
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
            world.req[w * nc + c] * season * libm::exp(cm.log_growth_mean * years + o.z * sd);
    }
    let need = o.cover * forecast;
    let position = pm.committed_total[target_week]
        + s.orders
            .iter()
            .filter(|(end, _)| *end > target_week)
            .map(|(_, g)| g)
            .sum::<f64>();
    let gap = need - position;
    if gap <= 0.0 || gap < o.min.max(EPS) {
        return None;
    }
    let qty = gap.min(o.max);
    let p = o.provider;
    let lead = m.providers[p]
        .lead
        .quantile(keyed_open01(world.order_key, p as u32, w as u32))
        .max(0.0);
    let arrive = w + libm::ceil(lead) as usize;
    let end = arrive + o.term;
    let price = m.providers[p].reserved_price * world.price[w * np + p];
    for wk in arrive.min(weeks)..end.min(weeks) {
        s.dyn_committed[wk * np + p] += qty;
        s.dyn_cost[wk * np + p] += qty * HOURS_PER_WEEK * price;
    }
    s.orders.push((end, qty));
    Some(qty)
}
