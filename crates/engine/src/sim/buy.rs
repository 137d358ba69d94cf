//! Buying burst and emergency GPUs: each week the GPUs a tier served are bought from the
//! portfolio's list for that tier, cheapest entry first at that week's prices (ties keep the
//! list-price order).
//!
//! `buy_weeks` does this for all weeks of a path. Lists of one or two entries (the common case)
//! are one branch-free pass over weeks; longer lists go week by week (`buy_many`, or `buy`,
//! which the concentration check also uses). Per-entry totals are summed in week order either
//! way.

use crate::compile::Source;

/// Per-week GPUs and $ bought from each entry of a one- or two-entry list; for long lists, a
/// sort buffer.
#[derive(Default)]
pub(super) struct Bought {
    gpus: [Vec<f64>; 2],
    dollars: [Vec<f64>; 2],
    sorted: Vec<usize>,
}

impl Bought {
    pub fn new(weeks: usize) -> Bought {
        let series = || vec![0.0; weeks];
        Bought {
            gpus: [series(), series()],
            dollars: [series(), series()],
            ..Bought::default()
        }
    }
}

/// One tier's list, and the world's numbers for it: availability factor and $ per GPU-week,
/// provider x week.
pub(super) struct Tier<'a> {
    pub list: &'a [Source],
    /// `list` indices, cheapest first at list prices.
    pub order: &'a [usize],
    /// No price moved on this path: the list-price order holds every week.
    pub fixed: bool,
    pub factor: &'a [f64],
    pub price: &'a [f64],
}

/// What `buy_weeks` leaves to sum: the list entries whose weekly GPUs and $ are waiting in
/// `Bought` (slot 0, then slot 1), to be added in week order to the entry's path totals.
#[derive(Clone, Copy, Default)]
pub(super) struct Unsummed(pub [Option<usize>; 2]);

impl Bought {
    /// The weekly GPUs and $ of slot `i`.
    pub fn weekly(&self, i: usize) -> (&[f64], &[f64]) {
        (&self.gpus[i], &self.dollars[i])
    }

    /// Sum what `buy_weeks` left in `Bought` into the path totals.
    pub fn sum_into(&self, unsummed: Unsummed, total: &mut [[f64; 2]]) {
        for (i, k) in unsummed.0.into_iter().enumerate() {
            if let Some(k) = k {
                let [mut g, mut d] = total[k];
                for (&x, &y) in self.gpus[i].iter().zip(&self.dollars[i]) {
                    g += x;
                    d += y;
                }
                total[k] = [g, d];
            }
        }
    }
}

/// Buy every week the GPUs the tier served, `available[w] - left[w]`; `spend[w]` becomes the
/// week's $. The path's GPUs and $ per entry go to `total`, or for lists of one or two entries
/// are left per week in `scratch` (the `Unsummed` returned) so that the caller sums them with
/// its other sums over weeks in one pass: each sum is a chain of dependent additions, and one
/// pass runs them side by side. `None` when nothing was needed in any week (then `spend` is all
/// 0).
pub(super) fn buy_weeks(
    tier: &Tier,
    (available, left): (&[f64], &[f64]),
    spend: &mut [f64],
    total: &mut [[f64; 2]],
    scratch: &mut Bought,
) -> Option<Unsummed> {
    let weeks = available.len();
    let (left, spend) = (&left[..weeks], &mut spend[..weeks]);
    if !any_used(available, left) {
        spend.fill(0.0);
        return None;
    }
    let need = available.iter().zip(left).map(|(&a, &l)| a - l);
    let unsummed = match *tier.order {
        [] => {
            spend.fill(0.0);
            Unsummed::default()
        }
        [k] => {
            let src = &tier.list[k];
            let (f, p) = (row(tier.factor, src, weeks), row(tier.price, src, weeks));
            let (g_out, d_out) = (
                &mut scratch.gpus[0][..weeks],
                &mut scratch.dollars[0][..weeks],
            );
            let rows = need.zip(f).zip(p).zip(spend.iter_mut());
            for ((((n, &f), &p), sp), (g_out, d_out)) in rows.zip(g_out.iter_mut().zip(d_out)) {
                let a = src.cap * f;
                let g = if n < a { n } else { a };
                let g = if n > 0.0 && g > 0.0 { g } else { 0.0 };
                let d = g * p;
                *sp = 0.0 + d;
                *g_out = g;
                *d_out = d;
            }
            Unsummed([Some(k), None])
        }
        [a, b] => {
            let (sa, sb) = (&tier.list[a], &tier.list[b]);
            let (fa, fb) = (row(tier.factor, sa, weeks), row(tier.factor, sb, weeks));
            let (pa, pb) = (row(tier.price, sa, weeks), row(tier.price, sb, weeks));
            let fixed = tier.fixed;
            let [ga, gb] = &mut scratch.gpus;
            let [da, db] = &mut scratch.dollars;
            let outs = ga[..weeks]
                .iter_mut()
                .zip(&mut gb[..weeks])
                .zip(da[..weeks].iter_mut().zip(&mut db[..weeks]));
            let rows = need.zip(fa.iter().zip(fb)).zip(pa.iter().zip(pb));
            for (((n, (&fa, &fb)), (&pa, &pb)), (sp, ((ga, gb), (da, db)))) in
                rows.zip(spend.iter_mut().zip(outs))
            {
                let (aa, ab) = (sa.cap * fa, sb.cap * fb);
                let swap = !fixed && pa > pb;
                let (a0, p0, a1, p1) = if swap {
                    (ab, pb, aa, pa)
                } else {
                    (aa, pa, ab, pb)
                };
                // The cheaper entry first; the other only while something is still needed.
                let g0 = if n < a0 { n } else { a0 };
                let g0 = if n > 0.0 && g0 > 0.0 { g0 } else { 0.0 };
                let n1 = n - g0;
                let g1 = if n1 < a1 { n1 } else { a1 };
                let g1 = if n1 > 0.0 && g1 > 0.0 { g1 } else { 0.0 };
                let (d0, d1) = (g0 * p0, g1 * p1);
                *sp = (0.0 + d0) + d1;
                (*ga, *gb) = if swap { (g1, g0) } else { (g0, g1) };
                (*da, *db) = if swap { (d1, d0) } else { (d0, d1) };
            }
            Unsummed([Some(a), Some(b)])
        }
        _ => {
            buy_many(tier, need, spend, total, scratch);
            Unsummed::default()
        }
    };
    Some(unsummed)
}

/// Whether the tier served anything in some week.
#[inline(never)]
fn any_used(available: &[f64], left: &[f64]) -> bool {
    let used = available.iter().zip(left).map(|(&a, &l)| a - l);
    used.fold(0u64, |any, u| any | u64::from(u > 0.0)) != 0
}

/// An entry's provider's row of a provider x week array.
fn row<'a>(v: &'a [f64], src: &Source, weeks: usize) -> &'a [f64] {
    &v[src.offset..src.offset + weeks]
}

/// `buy_weeks` for a list of three or more entries, week by week. The cheapest-first order is
/// kept from one week to the next and re-sorted by (price, list-price position), which gives
/// the same order as sorting the list-price order stably by price, in one pass when nothing
/// moved. Lists of up to `FAST` entries keep everything in fixed-size arrays.
#[inline(never)]
fn buy_many(
    tier: &Tier,
    need: impl Iterator<Item = f64>,
    spend: &mut [f64],
    total: &mut [[f64; 2]],
    scratch: &mut Bought,
) {
    const FAST: usize = 8;
    let list = tier.list;
    let n = list.len();
    if n > FAST {
        return buy_many_long(tier, need, spend, total, scratch);
    }
    // Slot i holds entry `entry[i]`: its list-price position, cap, price and factor rows, and
    // this week's price. Slots move together when the order changes.
    let weeks = spend.len();
    let mut entry = [0usize; FAST];
    let mut position = [0usize; FAST];
    let mut cap = [0.0; FAST];
    let mut price_row: [&[f64]; FAST] = [&[]; FAST];
    let mut factor_row: [&[f64]; FAST] = [&[]; FAST];
    let mut price = [0.0; FAST];
    for (i, &k) in tier.order.iter().enumerate() {
        let src = &list[k];
        (entry[i], position[i], cap[i]) = (k, i, src.cap);
        price_row[i] = row(tier.price, src, weeks);
        factor_row[i] = row(tier.factor, src, weeks);
    }
    for (w, (n_w, sp)) in need.zip(spend.iter_mut()).enumerate() {
        if n_w <= 0.0 {
            *sp = 0.0;
            continue;
        }
        for (p, r) in price[..n].iter_mut().zip(&price_row[..n]) {
            *p = r[w];
        }
        if !tier.fixed {
            for i in 1..n {
                let mut j = i;
                while j > 0
                    && (price[j - 1] > price[j]
                        || (price[j - 1] == price[j] && position[j - 1] > position[j]))
                {
                    for swap in [&mut price[..], &mut cap[..]] {
                        swap.swap(j - 1, j);
                    }
                    entry.swap(j - 1, j);
                    position.swap(j - 1, j);
                    price_row.swap(j - 1, j);
                    factor_row.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
        let mut need = n_w;
        let mut dollars = 0.0;
        for i in 0..n {
            let a = cap[i] * factor_row[i][w];
            let gpus = if need < a { need } else { a };
            if gpus <= 0.0 {
                continue;
            }
            need -= gpus;
            let d = gpus * price[i];
            dollars += d;
            let b = &mut total[entry[i]];
            b[0] += gpus;
            b[1] += d;
            if need <= 0.0 {
                break;
            }
        }
        *sp = dollars;
    }
}

/// `buy_many` for lists longer than its fixed-size arrays: `buy` week by week.
fn buy_many_long(
    tier: &Tier,
    need: impl Iterator<Item = f64>,
    spend: &mut [f64],
    total: &mut [[f64; 2]],
    scratch: &mut Bought,
) {
    let (list, order) = (tier.list, (tier.order, tier.fixed));
    for (w, (n, sp)) in need.zip(spend.iter_mut()).enumerate() {
        *sp = if n <= 0.0 {
            0.0
        } else {
            let avail = |k: usize| list[k].cap * tier.factor[list[k].offset + w];
            let price = |k: usize| tier.price[list[k].offset + w];
            buy::<true>(n, order, avail, price, &mut scratch.sorted, total)
        };
    }
}

/// Buy `need` GPUs of one tier in one week, cheapest entry first; returns the $ spent.
///
/// `avail(k)` and `price(k)` are the week's GPUs and $ per GPU-week of list entry `k`. `order`
/// is the list-price order and `fixed` says whether list prices apply; when prices moved on the
/// path the order is re-sorted (stably, so ties keep the list-price order) into `buf`. With
/// `RECORD`, GPUs and $ are tallied per entry into `bought`. `need` must be positive.
#[inline(always)]
pub(super) fn buy<const RECORD: bool>(
    mut need: f64,
    (order, fixed): (&[usize], bool),
    avail: impl Fn(usize) -> f64,
    price: impl Fn(usize) -> f64,
    buf: &mut Vec<usize>,
    bought: &mut [[f64; 2]],
) -> f64 {
    let sorted: &[usize] = if fixed || order.len() < 2 {
        order
    } else {
        // A handful of entries, nearly in order: insertion sort.
        buf.clear();
        buf.extend_from_slice(order);
        for i in 1..buf.len() {
            let mut j = i;
            while j > 0 && price(buf[j - 1]) > price(buf[j]) {
                buf.swap(j - 1, j);
                j -= 1;
            }
        }
        buf
    };
    let mut dollars = 0.0;
    for &k in sorted {
        let a = avail(k);
        let gpus = if need < a { need } else { a };
        if gpus <= 0.0 {
            continue;
        }
        need -= gpus;
        let d = gpus * price(k);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::PathRng;

    /// `buy_weeks` gives, bit for bit, what `buy` gives week by week (the engine's definition),
    /// for every list length and for fixed and moving prices, with ties and empty weeks.
    #[test]
    fn buy_weeks_matches_week_by_week_buy() {
        let mut rng = PathRng::new(7, 1);
        let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.open01();
        let weeks = 40;
        for n in [1, 2, 3, 4, 9] {
            for fixed in [true, false] {
                for _ in 0..25 {
                    // A few distinct price levels, so that ties happen.
                    let list: Vec<Source> = (0..n)
                        .map(|p| Source {
                            provider: p,
                            offset: p * weeks,
                            cap: draw(1.0, 100.0),
                            price: (draw(1.0, 4.0) as u32) as f64,
                            carbon: 0.0,
                        })
                        .collect();
                    let mut order: Vec<usize> = (0..n).collect();
                    order.sort_by(|&a, &b| list[a].price.total_cmp(&list[b].price).then(a.cmp(&b)));
                    let mut factor = vec![0.0; n * weeks];
                    let mut price = vec![0.0; n * weeks];
                    for (p, src) in list.iter().enumerate() {
                        for w in 0..weeks {
                            let f = draw(-0.3, 1.0);
                            factor[p * weeks + w] = if f < 0.0 { 0.0 } else { f };
                            price[p * weeks + w] = if fixed {
                                src.price
                            } else {
                                src.price * (1.0 + (draw(0.0, 3.0) as u32) as f64 * 0.25)
                            };
                        }
                    }
                    let tier = Tier {
                        list: &list,
                        order: &order,
                        fixed,
                        factor: &factor,
                        price: &price,
                    };
                    let available: Vec<f64> = (0..weeks).map(|_| draw(0.0, 150.0)).collect();
                    let left: Vec<f64> = available
                        .iter()
                        .map(|&a| {
                            let l = draw(-0.5, 1.0) * a;
                            if l < 0.0 { a } else { l }
                        })
                        .collect();
                    let mut spend = vec![f64::NAN; weeks];
                    let mut total = vec![[0.0; 2]; n];
                    let mut scratch = Bought::new(weeks);
                    if let Some(unsummed) = buy_weeks(
                        &tier,
                        (&available, &left),
                        &mut spend,
                        &mut total,
                        &mut scratch,
                    ) {
                        scratch.sum_into(unsummed, &mut total);
                    }

                    let mut expected = vec![[0.0; 2]; n];
                    let mut buf = Vec::new();
                    for w in 0..weeks {
                        let need = available[w] - left[w];
                        let dollars = if need <= 0.0 {
                            0.0
                        } else {
                            let avail = |k: usize| list[k].cap * factor[list[k].offset + w];
                            let price = |k: usize| price[list[k].offset + w];
                            buy::<true>(
                                need,
                                (&order, fixed),
                                avail,
                                price,
                                &mut buf,
                                &mut expected,
                            )
                        };
                        assert_eq!(spend[w].to_bits(), dollars.to_bits(), "n={n} w={w}");
                    }
                    for (a, b) in total.iter().zip(&expected) {
                        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "n={n}");
                    }
                }
            }
        }
    }
}
