//! The ordering policy: every review week, forecast demand one lookahead ahead and order the
//! gap from the policy's provider; orders arrive after a keyed random lead time.
//!
//! Orders depend on the world and on earlier orders only, never on how weeks were served, so a
//! path's orders are planned before serving, as the GPUs and $ per week they add (`plan`).

use super::{EPS, H};
use crate::compile::{Model, OrderModel, PortfolioModel};
use crate::rng::keyed_open01;
use crate::world::World;

/// An order of committed capacity: live over [arrive, end).
#[derive(Clone, Copy)]
pub(super) struct Order {
    pub arrive: usize,
    pub end: usize,
    /// Week its term ends, unclipped by the horizon (what the policy counts as on order).
    pub term_end: usize,
    pub gpus: f64,
    /// $ per week while live (price locked at signing).
    pub cost: f64,
}

/// What a path's orders add up to (their GPUs and $ per week are summed by the caller).
#[derive(Clone, Copy, Default)]
pub(super) struct Planned {
    pub placed: f64,
    pub gpus: f64,
}

/// Run the portfolio's ordering policy over the path: `gpus[w]` and `cost[w]` become the GPUs
/// and $ per week of the orders live in week `w`, summed in the order the orders were placed.
/// (Not inlined: in the caller, its loops run short of registers.)
#[inline(never)]
pub(super) fn plan(
    m: &Model,
    pm: &PortfolioModel,
    world: &World,
    orders: &mut Vec<Order>,
    gpus: &mut [f64],
    cost: &mut [f64],
) -> Planned {
    let mut out = Planned::default();
    if !orders.is_empty() {
        // The last portfolio's orders are still laid over the weeks (without any, they are 0).
        orders.clear();
        gpus.fill(0.0);
        cost.fill(0.0);
    }
    let Some(policy) = &pm.ordering else {
        return out;
    };
    if policy.classes == 0 {
        // Nothing to forecast: the need is 0, and no review orders.
        return out;
    }
    let min = policy.min.max(EPS);
    let mut on_order = OnOrder::default();
    let terms = policy.forecast.chunks_exact(policy.classes);
    for (review, terms) in policy.reviews.iter().zip(terms) {
        let w = review.week;
        let mut forecast = 0.0;
        for t in terms {
            forecast += world.req[t.demand] * t.season * t.growth;
        }
        let need = policy.cover * forecast;
        let gap = need - review.committed - on_order.at(orders, review.target);
        if gap <= 0.0 || gap < min {
            continue;
        }
        // (`gap.min(policy.max)` without the NaN case: `gap` is a number here.)
        let qty = if gap < policy.max { gap } else { policy.max };
        let order = place_order(m, policy, w, world, qty);
        out.placed += 1.0;
        out.gpus += order.gpus;
        orders.push(order);
    }
    for o in orders.iter() {
        let live = o.arrive..o.end;
        add_constant(&mut gpus[live.clone()], &mut cost[live], o.gpus, o.cost);
    }
    out
}

/// An order of `qty` GPUs from the policy's provider, signed in week `w`.
fn place_order(m: &Model, policy: &OrderModel, w: usize, world: &World, qty: f64) -> Order {
    let weeks = m.weeks;
    let p = policy.provider;
    let pr = &m.providers[p];
    let lead = policy
        .lead
        .offset(keyed_open01(world.order_key, p as u32, w as u32));
    let arrive = (w + lead).min(weeks);
    // The price is locked at signing: a shock after this week does not reach this contract.
    let price = pr.reserved_price * world.price[p * weeks + w];
    Order {
        arrive,
        end: (arrive + policy.term).min(weeks),
        term_end: arrive + policy.term,
        gpus: qty,
        cost: qty * H * price,
    }
}

/// `x += a` and `y += b` over two series of one length.
#[inline(never)]
fn add_constant(x: &mut [f64], y: &mut [f64], a: f64, b: f64) {
    for (x, y) in x.iter_mut().zip(y) {
        *x += a;
        *y += b;
    }
}

/// The GPUs on order that a review counts: orders whose term runs past the review's target
/// week, summed in the order they were placed (exactly as `sum` over the filtered orders).
/// Target weeks only move forward, so between reviews the sum usually just gains the orders
/// placed since; it is recomputed only when an order it counted drops out.
struct OnOrder {
    sum: f64,
    /// Orders already looked at, and the earliest term end among those counted.
    seen: usize,
    min_end: usize,
}

impl Default for OnOrder {
    fn default() -> Self {
        // `Iterator::sum` of `f64` starts from -0.0.
        OnOrder {
            sum: -0.0,
            seen: 0,
            min_end: usize::MAX,
        }
    }
}

impl OnOrder {
    fn at(&mut self, orders: &[Order], target: usize) -> f64 {
        if self.min_end <= target {
            *self = OnOrder::default();
        }
        for o in &orders[self.seen..] {
            if o.term_end > target {
                self.sum += o.gpus;
                self.min_end = self.min_end.min(o.term_end);
            }
        }
        self.seen = orders.len();
        self.sum
    }
}
