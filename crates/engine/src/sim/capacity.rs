//! The capacity series of a portfolio on one path: committed GPUs (contracts and arrived
//! orders, times up-time) and their carbon, burst and emergency GPUs (caps times the providers'
//! availability factors). Each is built by passes over all weeks, a few providers or list
//! entries at a time, summed in the same order as a week-by-week loop would. A tier's last pass
//! also starts serving from it and adds it to the capacity band.

use super::H;
use super::portfolio::Scratch;
use crate::accum::PortfolioAgg;
use crate::compile::{Model, PortfolioModel};
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
    let (left_c, left_b, left_e) = (
        &mut left_c[..weeks],
        &mut left_b[..weeks],
        &mut left_e[..weeks],
    );

    // Committed: the file's contracts at each provider, then the live orders.
    let row = |p: usize| UpRow {
        gpus: &pm.committed[p * weeks..(p + 1) * weeks],
        up: &world.up[p * weeks..(p + 1) * weeks],
        per_gpu: m.providers[p].carbon_t_per_gpu_hour * H,
    };
    let orders = pm.ordering.as_ref().map(|_| UpRow {
        gpus: &s.order_gpus,
        up: &world.up[pm.order_offset..pm.order_offset + weeks],
        per_gpu: pm.order_carbon,
    });
    let rows = pm.committed_providers.iter().map(|&p| row(p)).chain(orders);
    let (committed, carbon) = (&mut s.committed[..weeks], &mut s.committed_carbon[..weeks]);
    let any = in_groups(rows, |group, first, last| {
        let out = (&mut *committed, &mut *carbon, &mut *left_c, &mut *band_c);
        add_up(out, group, first, last);
    });
    if !any {
        committed.fill(0.0);
        carbon.fill(0.0);
        start_tier(committed, left_c, band_c);
    }

    // Burst and emergency: each list entry's cap times its provider's availability factor.
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
        let total = &mut total[..weeks];
        let rows = list.iter().map(|src| CapRow {
            cap: src.cap,
            factor: &factor[src.offset..src.offset + weeks],
        });
        let any = in_groups(rows, |group, first, last| {
            add_caps((&mut *total, &mut *left, &mut *band), group, first, last);
        });
        if !any {
            total.fill(0.0);
            start_tier(total, left, band);
        }
    }
}

/// Rows summed in one pass over the weeks, at most: a few rows at a time save loading and
/// storing the sums between them, and more would run short of registers.
const GROUP: usize = 4;

/// Call `pass(group, first, last)` for the rows in order, up to `GROUP` at a time; false if
/// there are none.
fn in_groups<R: Copy>(
    mut rows: impl Iterator<Item = R>,
    mut pass: impl FnMut(&[R], bool, bool),
) -> bool {
    let Some(row) = rows.next() else {
        return false;
    };
    let mut group = [row; GROUP];
    let (mut n, mut first) = (1, true);
    for row in rows {
        if n == GROUP {
            pass(&group, first, false);
            (n, first) = (0, false);
        }
        group[n] = row;
        n += 1;
    }
    pass(&group[..n], first, true);
    true
}

/// `left = available`, and the capacity band's sum of it, for a tier that is complete already.
#[inline(never)]
fn start_tier(available: &[f64], left: &mut [f64], band: &mut [f64]) {
    for ((l, s), &a) in left.iter_mut().zip(band).zip(available) {
        *l = a;
        *s += a;
    }
}

// The capacity passes. Each is a plain loop over distinct slices (separate arguments, so the
// compiler knows they do not overlap) and vectorises. Sums start from exactly 0, so `first`
// assigns the first row (`0 + a` is `a` for `a >= 0`); `last` also writes the tier's `left`
// and adds to its band. Every combination is its own loop (`N`, `FIRST` and `LAST` are
// constants in it).

/// GPUs (contracts at a provider, or the live orders) that are up some share of each week,
/// and carbon per GPU-week.
#[derive(Clone, Copy)]
struct UpRow<'a> {
    gpus: &'a [f64],
    up: &'a [f64],
    per_gpu: f64,
}

/// Committed GPUs and their carbon, a group of `rows` added in order: `a = gpus * up` to
/// `total` and `a * per_gpu` to `carbon`.
fn add_up(out: Committed, rows: &[UpRow], first: bool, last: bool) {
    match *rows {
        [a] => up_pass_n(out, [a], first, last),
        [a, b] => up_pass_n(out, [a, b], first, last),
        [a, b, c] => up_pass_n(out, [a, b, c], first, last),
        [a, b, c, d] => up_pass_n(out, [a, b, c, d], first, last),
        _ => unreachable!("groups of 1 to {GROUP} rows"),
    }
}

/// Committed GPUs and carbon, then the tier's `left` and band.
type Committed<'a> = (&'a mut [f64], &'a mut [f64], &'a mut [f64], &'a mut [f64]);

fn up_pass_n<const N: usize>(out: Committed, rows: [UpRow; N], first: bool, last: bool) {
    let (total, carbon, left, band) = out;
    match (first, last) {
        (false, false) => up_pass::<N, false, false>(total, carbon, rows, left, band),
        (false, true) => up_pass::<N, false, true>(total, carbon, rows, left, band),
        (true, false) => up_pass::<N, true, false>(total, carbon, rows, left, band),
        (true, true) => up_pass::<N, true, true>(total, carbon, rows, left, band),
    }
}

#[inline(never)]
fn up_pass<const N: usize, const FIRST: bool, const LAST: bool>(
    total: &mut [f64],
    carbon: &mut [f64],
    rows: [UpRow; N],
    left: &mut [f64],
    band: &mut [f64],
) {
    let weeks = total.len();
    let carbon = &mut carbon[..weeks];
    let (left, band) = if LAST {
        (&mut left[..weeks], &mut band[..weeks])
    } else {
        (&mut left[..0], &mut band[..0])
    };
    let rows = rows.map(|r| (&r.gpus[..weeks], &r.up[..weeks], r.per_gpu));
    for w in 0..weeks {
        let (mut t, mut c) = if FIRST {
            let (g, u, per_gpu) = rows[0];
            let a = g[w] * u[w];
            (a, a * per_gpu)
        } else {
            (total[w], carbon[w])
        };
        for &(g, u, per_gpu) in &rows[usize::from(FIRST)..] {
            let a = g[w] * u[w];
            t += a;
            c += a * per_gpu;
        }
        total[w] = t;
        carbon[w] = c;
        if LAST {
            left[w] = t;
            band[w] += t;
        }
    }
}

/// A cap times a provider's weekly availability factor.
#[derive(Clone, Copy)]
struct CapRow<'a> {
    cap: f64,
    factor: &'a [f64],
}

/// Burst or emergency GPUs, a group of `rows` added in order: `cap * factor` to `total`.
fn add_caps(out: Tier, rows: &[CapRow], first: bool, last: bool) {
    match *rows {
        [a] => caps_pass_n(out, [a], first, last),
        [a, b] => caps_pass_n(out, [a, b], first, last),
        [a, b, c] => caps_pass_n(out, [a, b, c], first, last),
        [a, b, c, d] => caps_pass_n(out, [a, b, c, d], first, last),
        _ => unreachable!("groups of 1 to {GROUP} rows"),
    }
}

/// A tier's GPUs, then its `left` and band.
type Tier<'a> = (&'a mut [f64], &'a mut [f64], &'a mut [f64]);

fn caps_pass_n<const N: usize>(out: Tier, rows: [CapRow; N], first: bool, last: bool) {
    let (total, left, band) = out;
    match (first, last) {
        (false, false) => caps_pass::<N, false, false>(total, rows, left, band),
        (false, true) => caps_pass::<N, false, true>(total, rows, left, band),
        (true, false) => caps_pass::<N, true, false>(total, rows, left, band),
        (true, true) => caps_pass::<N, true, true>(total, rows, left, band),
    }
}

#[inline(never)]
fn caps_pass<const N: usize, const FIRST: bool, const LAST: bool>(
    total: &mut [f64],
    rows: [CapRow; N],
    left: &mut [f64],
    band: &mut [f64],
) {
    let weeks = total.len();
    let (left, band) = if LAST {
        (&mut left[..weeks], &mut band[..weeks])
    } else {
        (&mut left[..0], &mut band[..0])
    };
    let rows = rows.map(|r| (r.cap, &r.factor[..weeks]));
    for w in 0..weeks {
        let mut t = if FIRST {
            rows[0].0 * rows[0].1[w]
        } else {
            total[w]
        };
        for &(cap, f) in &rows[usize::from(FIRST)..] {
            t += cap * f[w];
        }
        total[w] = t;
        if LAST {
            left[w] = t;
            band[w] += t;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::PathRng;

    fn bits(v: &[f64]) -> Vec<u64> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// Rows in groups give, bit for bit, what adding one row at a time week by week (the first
    /// assigned) and then `start_tier` give, for every number of rows up to a few groups.
    #[test]
    fn passes_in_groups_match_one_row_at_a_time() {
        let mut rng = PathRng::new(5, 1);
        for weeks in [1, 3, 104] {
            let mut series = || -> Vec<f64> { (0..weeks).map(|_| rng.open01() * 700.0).collect() };
            let data: Vec<[Vec<f64>; 2]> = (0..3 * GROUP).map(|_| [series(), series()]).collect();
            let band = series();
            for n in 1..=data.len() {
                // Committed: GPUs times up-time, and carbon.
                let rows = data[..n].iter().enumerate().map(|(i, [g, u])| UpRow {
                    gpus: g,
                    up: u,
                    per_gpu: 0.1 * i as f64 + 0.3,
                });
                let (mut t1, mut c1, mut l1, mut b1) = (
                    vec![0.0; weeks],
                    vec![0.0; weeks],
                    vec![0.0; weeks],
                    band.clone(),
                );
                for w in 0..weeks {
                    for (i, r) in rows.clone().enumerate() {
                        let a = r.gpus[w] * r.up[w];
                        if i == 0 {
                            (t1[w], c1[w]) = (a, a * r.per_gpu);
                        } else {
                            (t1[w], c1[w]) = (t1[w] + a, c1[w] + a * r.per_gpu);
                        }
                    }
                }
                start_tier(&t1, &mut l1, &mut b1);
                let (mut t2, mut c2, mut l2, mut b2) = (
                    vec![f64::NAN; weeks],
                    vec![f64::NAN; weeks],
                    vec![f64::NAN; weeks],
                    band.clone(),
                );
                let mut passes = 0;
                in_groups(rows, |group, first, last| {
                    passes += 1;
                    let out = (&mut t2[..], &mut c2[..], &mut l2[..], &mut b2[..]);
                    add_up(out, group, first, last);
                });
                assert_eq!(passes, n.div_ceil(GROUP));
                for (a, b) in [(&t1, &t2), (&c1, &c2), (&l1, &l2), (&b1, &b2)] {
                    assert_eq!(bits(a), bits(b), "{n} committed rows");
                }

                // Burst or emergency: caps times factors.
                let rows = data[..n].iter().enumerate().map(|(i, [f, _])| CapRow {
                    cap: 10.0 * i as f64 + 1.7,
                    factor: f,
                });
                let (mut t1, mut l1, mut b1) = (vec![0.0; weeks], vec![0.0; weeks], band.clone());
                for (w, t) in t1.iter_mut().enumerate() {
                    for (i, r) in rows.clone().enumerate() {
                        let a = r.cap * r.factor[w];
                        *t = if i == 0 { a } else { *t + a };
                    }
                }
                start_tier(&t1, &mut l1, &mut b1);
                let (mut t2, mut l2, mut b2) =
                    (vec![f64::NAN; weeks], vec![f64::NAN; weeks], band.clone());
                in_groups(rows, |group, first, last| {
                    add_caps((&mut t2[..], &mut l2[..], &mut b2[..]), group, first, last);
                });
                for (a, b) in [(&t1, &t2), (&l1, &l2), (&b1, &b2)] {
                    assert_eq!(bits(a), bits(b), "{n} cap rows");
                }
            }
        }
        assert!(!in_groups(
            std::iter::empty::<CapRow>(),
            |_, _, _| unreachable!()
        ));
    }
}
