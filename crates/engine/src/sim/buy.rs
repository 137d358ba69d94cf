//! Buying burst and emergency GPUs: each week the GPUs a tier served are bought from the
//! portfolio's list for that tier, cheapest entry first at that week's prices (ties keep the
//! list-price order).
//!
//! `buy_weeks` does this for all weeks of a path. The cheapest-first order changes only when
//! prices cross, a few times per path at most, so the weeks are cut into runs of one order
//! (`run_end`) and each run is bought entry by entry, cheapest first, in branch-free passes over
//! the run's weeks, two entries per pass (`take_first2`, `take_next2`, and `take_first`,
//! `take_next` for an odd one). Per-entry totals are lane sums (`crate::lanes`) of the weekly
//! GPUs and $ left in `Bought`. Lists longer than `FAST` entries go week by week (`buy`, which
//! the concentration check also uses).

use super::serve::mask;
use crate::compile::Source;
use crate::lanes;

/// Lists up to this long are bought in runs of one order (per-run work grows with the list).
const FAST: usize = 8;

/// Per-week GPUs and $ bought from each list entry (slot i: entry `order[i]`), what is still
/// needed, and the cheapest-first order.
pub(super) struct Bought {
    gpus: Vec<Vec<f64>>,
    dollars: Vec<Vec<f64>>,
    need: Vec<f64>,
    sorted: Vec<usize>,
    /// One week's GPUs and $ per entry (long lists).
    week: Vec<[f64; 2]>,
}

impl Bought {
    pub fn new(weeks: usize) -> Bought {
        let series = || vec![0.0; weeks];
        Bought {
            gpus: vec![series(), series()],
            dollars: vec![series(), series()],
            need: series(),
            sorted: Vec::new(),
            week: Vec::new(),
        }
    }

    /// Room for `n` slots.
    fn reserve(&mut self, n: usize) {
        let weeks = self.need.len();
        while self.gpus.len() < n {
            self.gpus.push(vec![0.0; weeks]);
            self.dollars.push(vec![0.0; weeks]);
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
/// `Bought` (slot 0, then slot 1), to be lane-summed into the entry's path totals.
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
                total[k] = sum_slot(total[k], &self.gpus[i], &self.dollars[i]);
            }
        }
    }
}

/// `start` plus the lane sums of one slot's weekly GPUs and $.
fn sum_slot(start: [f64; 2], gpus: &[f64], dollars: &[f64]) -> [f64; 2] {
    [start[0] + lanes::sum(gpus), start[1] + lanes::sum(dollars)]
}

/// Buy every week the GPUs the tier served, `available[w] - left[w]`; `spend[w]` becomes the
/// week's $. The path's GPUs and $ per entry go to `total`, except that the first two entries
/// in list-price order are left per week in `scratch` (the `Unsummed` returned) so that the
/// caller sums them with its other sums over weeks in one pass (lane sums, as `sum_slot`).
/// `None` when nothing was needed in any week (then `spend` is all 0).
pub(super) fn buy_weeks(
    tier: &Tier,
    (available, left): (&[f64], &[f64]),
    spend: &mut [f64],
    total: &mut [[f64; 2]],
    scratch: &mut Bought,
) -> Option<Unsummed> {
    let weeks = available.len();
    let (left, spend) = (&left[..weeks], &mut spend[..weeks]);
    let order = tier.order;
    if order.is_empty() || order.len() > FAST {
        if !any_used(available, left) {
            spend.fill(0.0);
            return None;
        }
        if !order.is_empty() {
            buy_many_long(tier, (available, left), spend, total, scratch);
        } else {
            spend.fill(0.0);
        }
        return Some(Unsummed::default());
    }
    scratch.reserve(order.len());
    let (mut w0, mut used) = (0, false);
    while w0 < weeks {
        let (w1, u) = buy_run(tier, (available, left), w0, spend, scratch);
        (w0, used) = (w1, used | u);
    }
    if !used {
        // Nothing was needed: every week bought 0 for $0.
        return None;
    }
    for (i, &k) in order.iter().enumerate().skip(2) {
        total[k] = sum_slot(total[k], &scratch.gpus[i], &scratch.dollars[i]);
    }
    Some(Unsummed([Some(order[0]), order.get(1).copied()]))
}

/// Buy the weeks from `w0` on that keep week `w0`'s cheapest-first order; returns the first
/// week after them, and whether anything was needed in these weeks.
fn buy_run(
    tier: &Tier,
    (available, left): (&[f64], &[f64]),
    w0: usize,
    spend: &mut [f64],
    scratch: &mut Bought,
) -> (usize, bool) {
    let weeks = spend.len();
    let (list, order) = (tier.list, tier.order);
    let n = order.len();
    let Bought {
        gpus,
        dollars,
        need,
        sorted,
        ..
    } = scratch;
    // Slots (list-price positions), cheapest first; their price rows.
    if w0 == 0 {
        sorted.clear();
        sorted.extend(0..n);
    }
    if !tier.fixed {
        // Sorting by (price, list-price position) from the last run's order: nearly in order.
        let key = |i: usize| (tier.price[list[order[i]].offset + w0], i);
        for i in 1..n {
            let mut j = i;
            while j > 0 && key(sorted[j - 1]) > key(sorted[j]) {
                sorted.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    let mut price: [&[f64]; FAST] = [&[]; FAST];
    for (p, &i) in price.iter_mut().zip(sorted.iter()) {
        *p = row(tier.price, &list[order[i]], weeks);
    }
    let w1 = if tier.fixed {
        weeks
    } else {
        run_end(&price[..n], sorted, w0)
    };
    let run = w0..w1;
    let (need, spend) = (&mut need[run.clone()], &mut spend[run.clone()]);
    // An entry's slot, cap, and factor and price rows over the run.
    let entry = |rank: usize| {
        let i = sorted[rank];
        let src = &list[order[i]];
        let f = &row(tier.factor, src, weeks)[run.clone()];
        (i, src.cap, f, &price[rank][run.clone()])
    };
    let (a, l) = (&available[run.clone()], &left[run.clone()]);
    let mut used = false;
    // Two entries per pass where there are two (what is needed and the week's $ then stay in
    // registers between them).
    for rank in (0..n).step_by(2) {
        let (i, c0, f0, p0) = entry(rank);
        if rank + 1 < n {
            let (j, c1, f1, p1) = entry(rank + 1);
            let ((g0, g1), (d0, d1)) = (pair_mut(gpus, i, j), pair_mut(dollars, i, j));
            let (g0, d0) = (&mut g0[run.clone()], &mut d0[run.clone()]);
            let (g1, d1) = (&mut g1[run.clone()], &mut d1[run.clone()]);
            if rank == 0 {
                used = take_first2(a, l, need, spend, c0, f0, p0, g0, d0, c1, f1, p1, g1, d1);
            } else {
                take_next2(need, spend, c0, f0, p0, g0, d0, c1, f1, p1, g1, d1);
            }
        } else {
            let (g0, d0) = (&mut gpus[i][run.clone()], &mut dollars[i][run.clone()]);
            if rank == 0 {
                used = take_first(a, l, need, spend, c0, f0, p0, g0, d0);
            } else {
                take_next(need, spend, c0, f0, p0, g0, d0);
            }
        }
    }
    (w1, used)
}

/// Slots `i` and `j` (distinct) of `v`.
fn pair_mut(v: &mut [Vec<f64>], i: usize, j: usize) -> (&mut [f64], &mut [f64]) {
    if i < j {
        let (a, b) = v.split_at_mut(j);
        (&mut a[i], &mut b[0])
    } else {
        let (a, b) = v.split_at_mut(i);
        (&mut b[0], &mut a[j])
    }
}

/// The first week after `w0` whose prices break the order of `sorted` (price rows `price`, in
/// that order), or the horizon.
fn run_end(price: &[&[f64]], sorted: &[usize], w0: usize) -> usize {
    let from = w0 + 1;
    let mut end = price[0].len();
    for (pair, i) in price.windows(2).zip(sorted.windows(2)) {
        if from >= end {
            break;
        }
        let (a, b) = (&pair[0][from..end], &pair[1][from..end]);
        // Equal prices keep list-price positions in order.
        end = from
            + if i[0] > i[1] {
                first(a, b, |x, y| x >= y)
            } else {
                first(a, b, |x, y| x > y)
            };
    }
    end
}

/// The first index where `broken(a[i], b[i])`, or the length. Checks a chunk of weeks at a time
/// without branches (it vectorises), as runs are long.
#[inline(always)]
fn first(a: &[f64], b: &[f64], broken: impl Fn(f64, f64) -> bool + Copy) -> usize {
    const CHUNK: usize = 8;
    let b = &b[..a.len()];
    let any = |a: &[f64], b: &[f64]| {
        let flags = a.iter().zip(b).map(|(&x, &y)| u64::from(broken(x, y)));
        flags.fold(0, |any, f| any | f) != 0
    };
    let (ca, cb) = (a.chunks_exact(CHUNK), b.chunks_exact(CHUNK));
    let tail = ca.remainder().len();
    for (c, (a, b)) in ca.zip(cb).enumerate() {
        if any(a, b) {
            return c * CHUNK
                + a.iter()
                    .zip(b)
                    .take_while(|&(&x, &y)| !broken(x, y))
                    .count();
        }
    }
    let start = a.len() - tail;
    let rest = a[start..].iter().zip(&b[start..]);
    start + rest.take_while(|&(&x, &y)| !broken(x, y)).count()
}

// The passes over a run, for the cheapest entry or the next ones, one or two entries at a time:
// each a plain loop over distinct slices so that it vectorises. Every slice is an argument of
// its own: slices inside tuples or structs lose the compiler's knowledge that they do not
// overlap, and it then checks that at run time, at a cost comparable to a short run's work. An
// entry has a cap `c`, factor and price rows `f` and `p`, and its weekly GPUs and $ go to `g`
// and `d`.

/// `buy`'s step for one entry in one week: what is still needed, at most what the entry has,
/// if that is positive (else an exact 0, which leaves `need` as it was and costs 0 * price, an
/// exact 0, so that adding it to the week's $ changes nothing). Returns the GPUs and $.
#[inline(always)]
fn step(need: &mut f64, cap: f64, factor: f64, price: f64) -> (f64, f64) {
    let x = cap * factor;
    let g = if *need < x { *need } else { x };
    let g = if g > 0.0 { g } else { 0.0 };
    *need -= g;
    (g, g * price)
}

/// The cheapest entry: need starts as `available - left`, and the week's $ as 0. Returns
/// whether anything was needed in some week.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn take_first(
    available: &[f64],
    left: &[f64],
    need: &mut [f64],
    spend: &mut [f64],
    c: f64,
    f: &[f64],
    p: &[f64],
    g: &mut [f64],
    d: &mut [f64],
) -> bool {
    let mut used = 0u64;
    let rows = available.iter().zip(left).zip(f.iter().zip(p));
    let outs = need
        .iter_mut()
        .zip(spend.iter_mut())
        .zip(g.iter_mut().zip(d));
    for (((&a, &l), (&f, &p)), ((n, sp), (g, d))) in rows.zip(outs) {
        let mut want = a - l;
        used |= mask(want > 0.0);
        (*g, *d) = step(&mut want, c, f, p);
        *n = want;
        *sp = 0.0 + *d;
    }
    used != 0
}

/// `take_first` for the two cheapest entries.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn take_first2(
    available: &[f64],
    left: &[f64],
    need: &mut [f64],
    spend: &mut [f64],
    c0: f64,
    f0: &[f64],
    p0: &[f64],
    g0: &mut [f64],
    d0: &mut [f64],
    c1: f64,
    f1: &[f64],
    p1: &[f64],
    g1: &mut [f64],
    d1: &mut [f64],
) -> bool {
    let mut used = 0u64;
    let rows = (available.iter().zip(left)).zip(f0.iter().zip(p0).zip(f1.iter().zip(p1)));
    let outs = (g0.iter_mut().zip(d0)).zip(g1.iter_mut().zip(d1));
    let outs = need.iter_mut().zip(spend.iter_mut()).zip(outs);
    for (((&a, &l), ((&f0, &p0), (&f1, &p1))), ((n, sp), ((g0, d0), (g1, d1)))) in rows.zip(outs) {
        let mut want = a - l;
        used |= mask(want > 0.0);
        (*g0, *d0) = step(&mut want, c0, f0, p0);
        (*g1, *d1) = step(&mut want, c1, f1, p1);
        *n = want;
        *sp = (0.0 + *d0) + *d1;
    }
    used != 0
}

/// A later entry: takes from what is still needed and adds to the week's $.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn take_next(
    need: &mut [f64],
    spend: &mut [f64],
    c: f64,
    f: &[f64],
    p: &[f64],
    g: &mut [f64],
    d: &mut [f64],
) {
    let outs = need
        .iter_mut()
        .zip(spend.iter_mut())
        .zip(g.iter_mut().zip(d));
    for ((&f, &p), ((n, sp), (g, d))) in f.iter().zip(p).zip(outs) {
        (*g, *d) = step(n, c, f, p);
        *sp += *d;
    }
}

/// `take_next` for two entries.
#[inline(never)]
#[allow(clippy::too_many_arguments)]
fn take_next2(
    need: &mut [f64],
    spend: &mut [f64],
    c0: f64,
    f0: &[f64],
    p0: &[f64],
    g0: &mut [f64],
    d0: &mut [f64],
    c1: f64,
    f1: &[f64],
    p1: &[f64],
    g1: &mut [f64],
    d1: &mut [f64],
) {
    let rows = f0.iter().zip(p0).zip(f1.iter().zip(p1));
    let outs = (g0.iter_mut().zip(d0)).zip(g1.iter_mut().zip(d1));
    let outs = need.iter_mut().zip(spend.iter_mut()).zip(outs);
    for (((&f0, &p0), (&f1, &p1)), ((n, sp), ((g0, d0), (g1, d1)))) in rows.zip(outs) {
        let mut want = *n;
        (*g0, *d0) = step(&mut want, c0, f0, p0);
        (*g1, *d1) = step(&mut want, c1, f1, p1);
        *n = want;
        *sp = (*sp + *d0) + *d1;
    }
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

/// `buy_weeks` for lists longer than `FAST`: `buy` week by week.
fn buy_many_long(
    tier: &Tier,
    (available, left): (&[f64], &[f64]),
    spend: &mut [f64],
    total: &mut [[f64; 2]],
    scratch: &mut Bought,
) {
    let (list, order) = (tier.list, (tier.order, tier.fixed));
    // Each entry's weekly GPUs and $ go to its own slot (slot = entry here), then are summed.
    scratch.reserve(list.len());
    let Bought {
        gpus,
        dollars,
        sorted,
        week,
        ..
    } = scratch;
    week.resize(list.len(), [0.0; 2]);
    let need = available.iter().zip(left).map(|(&a, &l)| a - l);
    for (w, (n, sp)) in need.zip(spend.iter_mut()).enumerate() {
        week.fill([0.0; 2]);
        *sp = if n <= 0.0 {
            0.0
        } else {
            let avail = |k: usize| list[k].cap * tier.factor[list[k].offset + w];
            let price = |k: usize| tier.price[list[k].offset + w];
            buy::<true>(n, order, avail, price, sorted, week)
        };
        for (k, &[g, d]) in week.iter().enumerate() {
            (gpus[k][w], dollars[k][w]) = (g, d);
        }
    }
    for (k, t) in total.iter_mut().enumerate().take(list.len()) {
        *t = sum_slot(*t, &gpus[k], &dollars[k]);
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

    /// How prices move in a test case.
    #[derive(Clone, Copy, Debug)]
    enum Prices {
        /// List prices every week.
        Fixed,
        /// A provider's price changes in a week with probability 0.15: the cheapest-first order
        /// holds for runs of weeks.
        Rarely,
        /// Every provider's price is drawn every week.
        Weekly,
    }

    /// `buy_weeks` gives, bit for bit, what `buy` gives week by week (the engine's definition),
    /// for every list length (one or two entries per pass, odd lengths, the longest that goes
    /// in runs and one longer) and for fixed, rarely and often moving prices, with ties, empty
    /// weeks and paths where nothing is needed. One `Bought` serves all cases, as in a run.
    #[test]
    fn buy_weeks_matches_week_by_week_buy() {
        let mut rng = PathRng::new(7, 1);
        let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.open01();
        let weeks = 40;
        let mut scratch = Bought::new(weeks);
        let mut nones = 0;
        for n in [1, 2, 3, 4, 5, 8, 9] {
            for prices in [Prices::Fixed, Prices::Rarely, Prices::Weekly] {
                for case in 0..25 {
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
                        let mut level = src.price;
                        for w in 0..weeks {
                            let f = draw(-0.3, 1.0);
                            factor[p * weeks + w] = if f < 0.0 { 0.0 } else { f };
                            let moves = match prices {
                                Prices::Fixed => false,
                                Prices::Rarely => draw(0.0, 1.0) < 0.15,
                                Prices::Weekly => true,
                            };
                            if moves {
                                level = src.price * (1.0 + (draw(0.0, 3.0) as u32) as f64 * 0.25);
                            }
                            price[p * weeks + w] = level;
                        }
                    }
                    let fixed = matches!(prices, Prices::Fixed);
                    let tier = Tier {
                        list: &list,
                        order: &order,
                        fixed,
                        factor: &factor,
                        price: &price,
                    };
                    let available: Vec<f64> = (0..weeks).map(|_| draw(0.0, 150.0)).collect();
                    // Every fifth case needs nothing in any week.
                    let idle = case % 5 == 0;
                    let left: Vec<f64> = available
                        .iter()
                        .map(|&a| {
                            let l = draw(-0.5, 1.0) * a;
                            if l < 0.0 || idle { a } else { l }
                        })
                        .collect();
                    let mut spend = vec![f64::NAN; weeks];
                    let mut total = vec![[0.0; 2]; n];
                    let bought = buy_weeks(
                        &tier,
                        (&available, &left),
                        &mut spend,
                        &mut total,
                        &mut scratch,
                    );
                    assert_eq!(bought.is_none(), idle, "n={n} {prices:?}");
                    nones += usize::from(bought.is_none());
                    if let Some(unsummed) = bought {
                        scratch.sum_into(unsummed, &mut total);
                    }

                    // Each entry's GPUs and $ bought per week, then their lane sums.
                    let mut weekly = vec![vec![[0.0; 2]; weeks]; n];
                    let mut buf = Vec::new();
                    for w in 0..weeks {
                        let mut week = vec![[0.0; 2]; n];
                        let need = available[w] - left[w];
                        let dollars = if need <= 0.0 {
                            0.0
                        } else {
                            let avail = |k: usize| list[k].cap * factor[list[k].offset + w];
                            let price = |k: usize| price[list[k].offset + w];
                            buy::<true>(need, (&order, fixed), avail, price, &mut buf, &mut week)
                        };
                        for (k, &b) in week.iter().enumerate() {
                            weekly[k][w] = b;
                        }
                        let msg = format!("n={n} {prices:?} w={w}");
                        assert_eq!(spend[w].to_bits(), dollars.to_bits(), "{msg}");
                    }
                    let expected = weekly.iter().map(|series| {
                        let (g, d): (Vec<f64>, Vec<f64>) =
                            series.iter().map(|b| (b[0], b[1])).unzip();
                        [0.0 + lanes::sum(&g), 0.0 + lanes::sum(&d)]
                    });
                    for (a, b) in total.iter().zip(expected) {
                        let msg = format!("n={n} {prices:?}");
                        assert_eq!(a.map(f64::to_bits), b.map(f64::to_bits), "{msg}");
                    }
                }
            }
        }
        assert!(nones > 0);
    }
}
