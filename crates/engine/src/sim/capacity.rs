//! The capacity series of a portfolio on one path: committed GPUs (contracts and arrived
//! orders, times up-time) and their carbon, burst and emergency GPUs (caps times the providers'
//! availability factors). Each is built by passes over all weeks, one provider or list entry at
//! a time, summed in the same order as a week-by-week loop would. A tier's last pass also
//! starts serving from it and adds it to the capacity band.

use super::H;
use super::portfolio::Scratch;
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel, Source};
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
    // Serving starts from everything available (`left`), and the weekly capacity bands sum it:
    // each tier's last pass writes those too (as `start_tier` would after it).
    let (band_c, rest) = agg.weekly_capacity[..3 * weeks].split_at_mut(weeks);
    let (band_b, band_e) = rest.split_at_mut(weeks);
    let [left_c, left_b, left_e] = &mut s.served.left;
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
        let orders = (&s.order_gpus[..], up, pm.order_carbon);
        add_orders(committed, carbon, orders, left_c, band_c);
    } else {
        start_tier(committed, left_c, band_c);
    }
    for (total, list, factor, left, band) in [
        (&mut s.burst, &pm.burst, &world.burst_factor, left_b, band_b),
        (
            &mut s.emergency,
            &pm.emergency,
            &world.emergency_factor,
            left_e,
            band_e,
        ),
    ] {
        let Some((last, rest)) = list.split_last() else {
            total.fill(0.0);
            start_tier(total, left, band);
            continue;
        };
        let factor = |src: &Source| &factor[src.offset..src.offset + weeks];
        for (i, src) in rest.iter().enumerate() {
            add_scaled(total, src.cap, factor(src), i == 0);
        }
        let first = rest.is_empty();
        add_scaled_last(total, last.cap, factor(last), first, left, band);
    }
}

/// `left = available`, and the capacity band's sum of it, for a tier that is complete already.
#[inline(never)]
fn start_tier(available: &[f64], left: &mut [f64], band: &mut [f64]) {
    for ((l, s), &a) in left.iter_mut().zip(band).zip(available) {
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

/// The live orders' GPUs (`gpus` at a provider up `up` of the time, carbon `per_gpu`), after
/// committed capacity from contracts: the tier's last pass.
#[inline(never)]
fn add_orders(
    total: &mut [f64],
    carbon: &mut [f64],
    (gpus, up, per_gpu): (&[f64], &[f64], f64),
    left: &mut [f64],
    band: &mut [f64],
) {
    let rows = total.iter_mut().zip(carbon).zip(gpus.iter().zip(up));
    for (((t, c), (g, u)), (l, s)) in rows.zip(left.iter_mut().zip(band)) {
        *t += g * u;
        *c += g * u * per_gpu;
        *l = *t;
        *s += *t;
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

/// `add_scaled` as the tier's last pass.
#[inline(never)]
fn add_scaled_last(
    total: &mut [f64],
    cap: f64,
    factor: &[f64],
    first: bool,
    left: &mut [f64],
    band: &mut [f64],
) {
    let rows = total.iter_mut().zip(factor).zip(left.iter_mut().zip(band));
    if first {
        for ((t, f), (l, s)) in rows {
            *t = cap * f;
            *l = *t;
            *s += *t;
        }
    } else {
        for ((t, f), (l, s)) in rows {
            *t += cap * f;
            *l = *t;
            *s += *t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::PathRng;

    fn series(rng: &mut PathRng, n: usize) -> Vec<f64> {
        (0..n).map(|_| rng.open01() * 700.0).collect()
    }

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// The last passes give what the pass alone and then `start_tier` give, bit for bit.
    #[test]
    fn last_passes_equal_pass_then_start() {
        let mut rng = PathRng::new(5, 1);
        for n in [0, 1, 2, 3, 7, 104] {
            let (gpus, up, factor) = (
                series(&mut rng, n),
                series(&mut rng, n),
                series(&mut rng, n),
            );
            let (total, carbon, band) = (
                series(&mut rng, n),
                series(&mut rng, n),
                series(&mut rng, n),
            );

            let (mut t1, mut c1, mut b1, mut l1) =
                (total.clone(), carbon.clone(), band.clone(), vec![0.0; n]);
            for ((t, c), (g, u)) in t1.iter_mut().zip(&mut c1).zip(gpus.iter().zip(&up)) {
                *t += g * u;
                *c += g * u * 0.3;
            }
            start_tier(&t1, &mut l1, &mut b1);
            let (mut t2, mut c2, mut b2, mut l2) =
                (total.clone(), carbon.clone(), band.clone(), vec![0.0; n]);
            add_orders(&mut t2, &mut c2, (&gpus, &up, 0.3), &mut l2, &mut b2);
            for (a, b) in [(&t1, &t2), (&c1, &c2), (&l1, &l2), (&b1, &b2)] {
                assert_eq!(bits(a), bits(b));
            }

            for first in [false, true] {
                let (mut t1, mut b1, mut l1) = (total.clone(), band.clone(), vec![0.0; n]);
                add_scaled(&mut t1, 1.7, &factor, first);
                start_tier(&t1, &mut l1, &mut b1);
                let (mut t2, mut b2, mut l2) = (total.clone(), band.clone(), vec![0.0; n]);
                add_scaled_last(&mut t2, 1.7, &factor, first, &mut l2, &mut b2);
                for (a, b) in [(&t1, &t2), (&l1, &l2), (&b1, &b2)] {
                    assert_eq!(bits(a), bits(b));
                }
            }
        }
    }
}
