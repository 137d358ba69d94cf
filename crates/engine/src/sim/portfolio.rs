//! One portfolio played through one path's world, as a few passes over all weeks: plan the
//! orders (`order`), build the capacity series (`capacity`), serve (`serve`), buy (`buy`),
//! replay the concentration check's weeks (`check`), then tally the weekly aggregates and fold
//! the path's totals into the portfolio's aggregates (`tally`).

use super::buy::{Bought, Tier, buy_weeks};
use super::capacity::capacity;
use super::check::{Damage, concentration_check};
use super::order::{Order, plan};
use super::serve::{ClassPath, Served, Week, serve};
use super::tally::{finish, weekly};
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
use crate::world::World;

/// Per-path working memory, reused across paths and portfolios. Series are per week.
pub(super) struct Scratch {
    /// Available GPUs per tier, and the carbon (t per GPU-week) of the committed ones.
    pub(super) committed: Vec<f64>,
    pub(super) committed_carbon: Vec<f64>,
    pub(super) burst: Vec<f64>,
    pub(super) emergency: Vec<f64>,
    /// GPUs and $ of the live orders.
    pub(super) order_gpus: Vec<f64>,
    pub(super) order_cost: Vec<f64>,
    pub(super) served: Served,
    /// $ of burst and emergency bought, and whether any emergency was bought on the path.
    pub(super) spend_burst: Vec<f64>,
    pub(super) spend_emergency: Vec<f64>,
    pub(super) emergency_used: bool,
    /// The week's cost.
    pub(super) week_cost: Vec<f64>,
    pub(super) bought: Bought,
    /// Orders placed on this path.
    pub(super) orders: Vec<Order>,
    pub(super) backlog: Vec<f64>,
    pub(super) class: Vec<ClassPath>,
    /// GPUs and $ bought from every list entry on this path; booked to providers, and turned
    /// into emissions, once per path.
    pub(super) burst_bought: Vec<[f64; 2]>,
    pub(super) emergency_bought: Vec<[f64; 2]>,
    pub(super) damage: Damage,
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
