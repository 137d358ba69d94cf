//! One path's world: demand per workload and the state of every provider, week by week.
//!
//! The world is drawn once per path and then every portfolio is evaluated against it (common
//! random numbers): a difference between portfolios on a path is never sampling noise. The draw
//! order below is part of the engine's definition; changing it changes every golden report.
//!
//! Provider arrays are stored series by series (`[provider * weeks + week]`) so the per-week
//! loops over one series are contiguous and vectorise; demand is stored the same way
//! (`[class * weeks + week]`), because portfolios are served in passes over all weeks.
//!
//! Provider series are kept from one path to the next: outages, quota cuts and price shocks
//! move few weeks, so only the weeks this path's or the previous path's events moved are worked
//! out again (`touched`); every other week is up, at full quota and at list price.

mod touched;

use crate::compile::{EventProcess, Model, add_outage};
use crate::dist::FillTable;
use crate::rng::PathRng;
use crate::scenario::HOURS_PER_WEEK;
use touched::Touched;

/// Buffers for one path, reused across paths to keep allocation out of the loop.
pub(crate) struct World {
    /// Peak GPUs required, class x week.
    pub req: Vec<f64>,
    /// Peak GPUs required over the horizon, per class.
    pub req_total: Vec<f64>,
    /// Fraction of the week each provider is up, provider x week.
    pub up: Vec<f64>,
    /// Price multiplier for on-demand, emergency and newly signed capacity, provider x week.
    pub price: Vec<f64>,
    /// True when no price moved on this path: burst is then bought in list-price order.
    pub list_prices: bool,
    /// $ per GPU-week of burst and of emergency capacity (list price x multiplier), provider x
    /// week: the same for every portfolio, so worked out once per path.
    pub burst_price: Vec<f64>,
    pub emergency_price: Vec<f64>,
    /// Share of a burst cap available: fill x quota x up, provider x week.
    pub burst_factor: Vec<f64>,
    /// Share of an emergency cap available: quota x up, provider x week.
    pub emergency_factor: Vec<f64>,
    /// Key for draws only some portfolios make (order lead times).
    pub order_key: u64,
    /// Down fraction and quota multiplier from events, provider x week: 0 and 1 except where
    /// this path's events moved them (`touched`).
    down: Vec<f64>,
    quota: Vec<f64>,
    touched: Touched,
    /// Each event process's `Quiet` bound: per provider its outages, quota cuts and price
    /// shocks, then per group the same.
    quiet: Vec<Quiet>,
    /// The path's burst-tightness draws: the groups', then the providers'.
    bits: Vec<u64>,
    /// One class's weekly demand before seasonality and stress, and its log-noise (first its
    /// innovations); its jumps as (week, size).
    series: Vec<f64>,
    noise: Vec<f64>,
    jumps: Vec<(usize, f64)>,
}

impl World {
    pub fn new(m: &Model) -> World {
        let (w, p, c) = (m.weeks, m.providers.len(), m.classes.len());
        World {
            req: vec![0.0; c * w],
            req_total: vec![0.0; c],
            up: vec![1.0; p * w],
            price: vec![1.0; p * w],
            list_prices: true,
            burst_price: vec![0.0; p * w],
            emergency_price: vec![0.0; p * w],
            burst_factor: vec![1.0; p * w],
            emergency_factor: vec![1.0; p * w],
            order_key: 0,
            down: vec![0.0; p * w],
            quota: vec![1.0; p * w],
            touched: Touched::new(m),
            quiet: quiet_bounds(m),
            bits: vec![0; (m.groups.len() + p) * w],
            series: vec![0.0; w],
            noise: vec![0.0; w],
            jumps: Vec::new(),
        }
    }

    pub fn draw(&mut self, m: &Model, rng: &mut PathRng) {
        self.order_key = rng.next_u64();
        self.draw_demand(m, rng);
        self.draw_providers(m, rng);
    }

    fn draw_demand(&mut self, m: &Model, rng: &mut PathRng) {
        let weeks = m.weeks;
        for (c, cm) in m.classes.iter().enumerate() {
            let g = cm.growth.quantile(rng.open01()).max(-0.99);
            let weekly_growth = libm::pow(1.0 + g, 1.0 / 52.0);
            let log_keep = if cm.jump_p > 0.0 && cm.jump_p < 1.0 {
                libm::log(1.0 - cm.jump_p)
            } else {
                0.0
            };
            // Weeks until the next jump: geometric, drawn once per jump rather than once per week.
            let gap = |rng: &mut PathRng| -> usize {
                match cm.jump_p {
                    p if p <= 0.0 => usize::MAX,
                    p if p >= 1.0 => 0,
                    _ => (libm::log(rng.open01()) / log_keep).min(1e9) as usize,
                }
            };
            // Draws in the engine's order: jumps in time order (at most one a week, none past
            // the horizon), then the noise's innovations.
            self.jumps.clear();
            let mut next = gap(rng);
            while next < weeks {
                self.jumps.push((next, cm.jump_size.quantile(rng.open01())));
                next = next.saturating_add(1).saturating_add(gap(rng));
            }
            let noise = &mut self.noise[..weeks];
            if cm.volatility > 0.0 {
                // AR(1) log-noise, `p x + (i z)`, drawn from a local copy of the generator so
                // that its state stays in registers.
                let (persistence, innovation) = (cm.persistence, cm.innovation);
                let mut r = rng.clone();
                let mut x = 0.0;
                noise[0] = 0.0;
                for n in &mut noise[1..] {
                    x = persistence * x + innovation * r.gauss();
                    *n = x;
                }
                *rng = r;
            }
            let level = &mut self.series[..weeks];
            trend_with_jumps(
                level,
                cm.base * cm.peak_factor,
                weekly_growth,
                &self.jumps,
                cm.jump_decay,
            );
            let season = &cm.season[..weeks];
            let stress = &m.stress.demand[c * weeks..(c + 1) * weeks];
            let req = &mut self.req[c * weeks..(c + 1) * weeks];
            if cm.volatility > 0.0 {
                demand_with_noise(req, level, noise, season, stress);
            } else {
                demand(req, level, season, stress);
            }
            let mut total = 0.0;
            for &d in req.iter() {
                total += d;
            }
            self.req_total[c] = total;
        }
    }

    fn draw_providers(&mut self, m: &Model, rng: &mut PathRng) {
        let weeks = m.weeks;
        // `down` and `quota` were put back to 0 and 1 by the previous path's finishing pass;
        // prices are put back from the first week the previous path's shocks moved.
        self.touched.next_path();
        for p in 0..m.providers.len() {
            let from = self.touched.price_before(p);
            self.price[p * weeks + from..(p + 1) * weeks].fill(1.0);
        }

        let mut quiet = self.quiet.chunks_exact(3);
        for (p, pm) in m.providers.iter().enumerate() {
            let own = 1.0 - pm.rho;
            let touched = &mut self.touched;
            let quiet = quiet.next().unwrap_or(&[Quiet { below: 0.0 }; 3]);
            if let Some(e) = &pm.outages {
                for_each_event(rng, e.rate * own, weeks, quiet[0], |rng, t| {
                    let hours = e.a.quantile(rng.open01()).max(0.0);
                    outage(&mut self.down, touched, p, weeks, t, hours);
                });
            }
            if let Some(e) = &pm.quota_cuts {
                for_each_event(rng, e.rate * own, weeks, quiet[1], |rng, t| {
                    let (u1, u2) = (rng.open01(), rng.open01());
                    let quota = &mut self.quota[p * weeks..(p + 1) * weeks];
                    let cut = quota_cut(quota, t, e, u1, u2);
                    touched.mark(p, cut.start, cut.end);
                });
            }
            if let Some(e) = &pm.price_shocks {
                for_each_event(rng, e.rate * own, weeks, quiet[2], |rng, t| {
                    let price = &mut self.price[p * weeks..(p + 1) * weeks];
                    touched.mark_price(p, price_shock(price, t, e, rng.open01()));
                });
            }
        }

        // Shared events: one draw hits every member of the group, each through its own
        // distribution at the same quantile.
        let touched = &mut self.touched;
        for g in &m.groups {
            let quiet = quiet.next().unwrap_or(&[Quiet { below: 0.0 }; 3]);
            for_each_event(rng, g.outage_rate, weeks, quiet[0], |rng, t| {
                let u = rng.open01();
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].outages {
                        let hours = e.a.quantile(u).max(0.0);
                        outage(&mut self.down, touched, p, weeks, t, hours);
                    }
                }
            });
            for_each_event(rng, g.quota_rate, weeks, quiet[1], |rng, t| {
                let (u1, u2) = (rng.open01(), rng.open01());
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].quota_cuts {
                        let quota = &mut self.quota[p * weeks..(p + 1) * weeks];
                        let cut = quota_cut(quota, t, e, u1, u2);
                        touched.mark(p, cut.start, cut.end);
                    }
                }
            });
            for_each_event(rng, g.shock_rate, weeks, quiet[2], |rng, t| {
                let u = rng.open01();
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].price_shocks {
                        let price = &mut self.price[p * weeks..(p + 1) * weeks];
                        touched.mark_price(p, price_shock(price, t, e, u));
                    }
                }
            });
        }

        // Burst tightness. Every weekly draw is one 64-bit number, the groups' first and then
        // the providers' (those whose fill rate varies), all drawn at once: a group member
        // follows its group's draw with probability rho (the high 32 bits are the coin), else
        // its own (the low 32 bits; the fill table has 1024 rows, so 32 bits are plenty).
        let own_fill = m
            .providers
            .iter()
            .filter(|p| p.fixed_fill.is_none())
            .count();
        let bits = &mut self.bits[..(m.groups.len() + own_fill) * weeks];
        rng.fill_u64(bits);
        let (group_bits, mut own_bits) = bits.split_at(m.groups.len() * weeks);
        let st = &m.stress;
        self.list_prices = !st.active || st.price.iter().all(|&x| x == 0.0);
        for (p, pm) in m.providers.iter().enumerate() {
            let range = p * weeks..(p + 1) * weeks;
            let bf = &mut self.burst_factor[range.clone()];
            // Pass 1: the fill rate, into `bf`. A fixed fill rate (the default) needs no draws.
            if let Some(fill) = pm.fixed_fill {
                bf.fill(fill);
            } else {
                let (own, rest) = own_bits.split_at(weeks);
                own_bits = rest;
                let rho_bits = (pm.rho * 4_294_967_296.0) as u64;
                match pm.group.filter(|_| rho_bits > 0) {
                    Some(gi) => {
                        let group = &group_bits[gi * weeks..(gi + 1) * weeks];
                        fill_rates_in_group(bf, &pm.fill, own, group, rho_bits);
                    }
                    None => fill_rates(bf, &pm.fill, own),
                }
            }
            // Pass 2, no draws: stress, then availability and prices in the weeks that moved.
            if st.active {
                let (down, quota, price) = (
                    &mut self.down[range.clone()],
                    &mut self.quota[range.clone()],
                    &mut self.price[range.clone()],
                );
                let (sd, sq, sp) = (
                    &st.down[range.clone()],
                    &st.quota[range.clone()],
                    &st.price[range.clone()],
                );
                for (((((d, q), x), &a), &b), &c) in down
                    .iter_mut()
                    .zip(quota.iter_mut())
                    .zip(price.iter_mut())
                    .zip(sd)
                    .zip(sq)
                    .zip(sp)
                {
                    *d = (*d + a).min(1.0);
                    *q = q.min(b);
                    *x += c;
                }
            }
            let availability = Availability {
                up: &mut self.up[range.clone()],
                down: &mut self.down[range.clone()],
                quota: &mut self.quota[range.clone()],
                emergency: &mut self.emergency_factor[range.clone()],
                burst: bf,
            };
            availability.finish(self.touched.weeks(p));
            // (A provider without price shocks keeps every multiplier at exactly 1 unless a
            // stress test moves prices, and then `list_prices` is already false.)
            let from = p * weeks + self.touched.price_from(p);
            self.list_prices &= finish_prices(
                &mut self.price[from..range.end],
                &mut self.burst_price[from..range.end],
                &mut self.emergency_price[from..range.end],
                pm.list_price,
            );
        }
    }
}

/// Fill rates from the low 32 bits of their draws. Out of line, so that the table's address is
/// known to stay put while the rates are stored.
#[inline(never)]
fn fill_rates(out: &mut [f64], table: &FillTable, bits: &[u64]) {
    for (b, &x) in out.iter_mut().zip(bits) {
        *b = table.lookup(x as u32);
    }
}

/// A group member's fill rates: from the group's draw where the coin (the high 32 bits of its
/// own draw) falls below `rho_bits`, else from its own. The draw is picked by address, which
/// compiles to a conditional move: a branch on the coin would be mispredicted half the time.
#[inline(never)]
fn fill_rates_in_group(
    out: &mut [f64],
    table: &FillTable,
    own: &[u64],
    group: &[u64],
    rho_bits: u64,
) {
    let n = out.len();
    let (own, group) = (&own[..n], &group[..n]);
    for (w, b) in out.iter_mut().enumerate() {
        let from = if (own[w] >> 32) < rho_bits {
            group
        } else {
            own
        };
        *b = table.lookup(from[w] as u32);
    }
}

/// A class's weekly demand level before noise: the trend (`start`, multiplied by `growth`
/// every week) times 1 + the jump level, floored at 0. The jump level decays by `decay` every
/// week and grows by each jump's size in its week; before the first jump the factor is exactly
/// 1, so those weeks are the trend alone.
fn trend_with_jumps(
    level: &mut [f64],
    start: f64,
    growth: f64,
    jumps: &[(usize, f64)],
    decay: f64,
) {
    let mut trend = start;
    for l in level.iter_mut() {
        *l = trend;
        trend *= growth;
    }
    let mut jump = 0.0;
    let mut from = jumps.first().map_or(level.len(), |j| j.0);
    for &(week, size) in jumps {
        scale_by_jump(&mut level[from..week], &mut jump, decay);
        jump = jump * decay + size;
        level[week] *= jump_factor(jump);
        from = week + 1;
    }
    scale_by_jump(&mut level[from..], &mut jump, decay);
}

/// Weeks without a jump: the jump level decays, and the level is scaled by it.
fn scale_by_jump(level: &mut [f64], jump: &mut f64, decay: f64) {
    for l in level {
        *jump *= decay;
        *l *= jump_factor(*jump);
    }
}

/// The demand factor of a jump level: 1 + level, never below 0.
#[inline]
fn jump_factor(jump: f64) -> f64 {
    let j = 1.0 + jump;
    if j > 0.0 { j } else { 0.0 }
}

// The branch-free passes, each a plain loop over distinct slices so that it vectorises.

/// Demand: level x seasonality x stress.
#[inline(never)]
fn demand(req: &mut [f64], level: &[f64], season: &[f64], stress: &[f64]) {
    for ((r, &l), (&s, &st)) in req.iter_mut().zip(level).zip(season.iter().zip(stress)) {
        *r = l * s * st;
    }
}

/// Demand: (level x noise) x seasonality x stress.
#[inline(never)]
fn demand_with_noise(
    req: &mut [f64],
    level: &[f64],
    noise: &[f64],
    season: &[f64],
    stress: &[f64],
) {
    let rows = req
        .iter_mut()
        .zip(level.iter().zip(noise))
        .zip(season.iter().zip(stress));
    for ((r, (&l, &n)), (&s, &st)) in rows {
        *r = l * crate::dist::exp(n) * s * st;
    }
}

/// One provider's weekly availability series.
struct Availability<'a> {
    up: &'a mut [f64],
    /// Read, then put back to 0 and 1 for the next path.
    down: &'a mut [f64],
    quota: &'a mut [f64],
    emergency: &'a mut [f64],
    /// The fill rate on entry, the burst factor on return.
    burst: &'a mut [f64],
}

impl Availability<'_> {
    /// Up-time and the two availability factors in the given weeks; every other week is up
    /// and at full quota (both factors exactly 1: the burst factor is the fill rate).
    fn finish(self, weeks: impl Iterator<Item = usize>) {
        for w in weeks {
            let up = 1.0 - self.down[w];
            let emergency = self.quota[w] * up;
            self.up[w] = up;
            self.emergency[w] = emergency;
            self.burst[w] *= emergency;
            self.down[w] = 0.0;
            self.quota[w] = 1.0;
        }
    }
}

/// Price multipliers (at least 0.1) and the burst and emergency prices; true if no multiplier
/// moved from 1. The series start at the first week whose multiplier may have moved.
#[inline(never)]
fn finish_prices(
    price: &mut [f64],
    burst_price: &mut [f64],
    emergency_price: &mut [f64],
    [list_burst, list_emergency]: [f64; 2],
) -> bool {
    let mut moved = 0u64;
    let rows = price
        .iter_mut()
        .zip(burst_price.iter_mut().zip(emergency_price.iter_mut()));
    for (x, (bp, ep)) in rows {
        let price = if *x < 0.1 { 0.1 } else { *x };
        *x = price;
        *bp = list_burst * price;
        *ep = list_emergency * price;
        moved |= u64::from(price != 1.0);
    }
    moved == 0
}

/// Poisson events at `rate` per week over [0, weeks): calls `f(rng, start_week)` for each.
/// Most processes have no event on most paths: the first uniform `u` then puts the first event
/// past the horizon, which is known without a logarithm when `u` is below `Quiet::below`.
fn for_each_event(
    rng: &mut PathRng,
    rate: f64,
    weeks: usize,
    quiet: Quiet,
    mut f: impl FnMut(&mut PathRng, f64),
) {
    if rate <= 0.0 {
        return;
    }
    let u = rng.open01();
    if u < quiet.below {
        return;
    }
    let mut t = -libm::log(u) / rate;
    while t < weeks as f64 {
        f(rng, t);
        t += -libm::log(rng.open01()) / rate;
    }
}

/// The `Quiet` bounds of every event process, in `World::quiet`'s order.
fn quiet_bounds(m: &Model) -> Vec<Quiet> {
    let rate = |e: &Option<EventProcess>, own: f64| e.as_ref().map_or(0.0, |e| e.rate * own);
    let providers = m.providers.iter().flat_map(|pm| {
        let own = 1.0 - pm.rho;
        [&pm.outages, &pm.quota_cuts, &pm.price_shocks].map(|e| rate(e, own))
    });
    let groups = m
        .groups
        .iter()
        .flat_map(|g| [g.outage_rate, g.quota_rate, g.shock_rate]);
    providers
        .chain(groups)
        .map(|r| Quiet::new(r, m.weeks))
        .collect()
}

/// A bound under which a Poisson process's first uniform means no event before the horizon:
/// then -ln(u) / rate >= weeks. It is e^(-rate x weeks), lowered by a margin far above the
/// rounding of the logarithm and the division, so that a uniform below it never has an event.
#[derive(Clone, Copy, Debug)]
struct Quiet {
    below: f64,
}

impl Quiet {
    fn new(rate: f64, weeks: usize) -> Quiet {
        let below = if rate > 0.0 {
            libm::exp(-rate * weeks as f64) * (1.0 - 1e-9)
        } else {
            0.0
        };
        Quiet { below }
    }
}

/// An outage of provider `p` from week `t`, `hours` long.
fn outage(down: &mut [f64], touched: &mut Touched, p: usize, weeks: usize, t: f64, hours: f64) {
    add_outage(down, p, weeks, t, hours);
    // `add_outage` touches the weeks before `t + hours / H`.
    let end = t + hours / HOURS_PER_WEEK;
    touched.mark(p, t as usize, (end as usize).saturating_add(1));
}

/// A quota cut from week `t`; returns the weeks it touched.
fn quota_cut(
    quota: &mut [f64],
    t: f64,
    e: &EventProcess,
    u_frac: f64,
    u_len: f64,
) -> std::ops::Range<usize> {
    let keep = 1.0 - e.a.quantile(u_frac).clamp(0.0, 1.0);
    let len = e.b.quantile(u_len).max(0.0);
    let start = t as usize;
    let end = (libm::ceil(t + len) as usize)
        .max(start + 1)
        .min(quota.len());
    for q in &mut quota[start.min(end)..end] {
        *q = q.min(keep);
    }
    start.min(end)..end
}

/// A price shock from week `t`, decaying; returns the first week it touched.
fn price_shock(price: &mut [f64], t: f64, e: &EventProcess, u: f64) -> usize {
    let mut level = e.a.quantile(u);
    let start = (t as usize).min(price.len());
    for x in &mut price[start..] {
        *x += level;
        level *= e.decay;
    }
    start
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    /// Uniform-ish test numbers without a generator: splitmix64 of the index.
    fn bits(i: u64) -> u64 {
        let mut z = i
            .wrapping_add(0x9E37_79B9_7F4A_7C15)
            .wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn level_matches_the_week_by_week_definition() {
        // Decaying and permanent jumps, one in week 0, one in the last week, one large and
        // negative enough to floor the factor at 0.
        let weeks = 30;
        let cases: [(&[(usize, f64)], f64); 4] = [
            (&[], 0.9),
            (&[(0, 0.4), (7, 0.2), (8, -2.5), (29, 0.1)], 0.8),
            (&[(3, 0.3), (20, 0.25)], 1.0),
            (&[(12, f64::NAN)], 0.5),
        ];
        for (jumps, decay) in cases {
            let (start, growth) = (123.4, 1.0113);
            let mut fast = vec![0.0; weeks];
            trend_with_jumps(&mut fast, start, growth, jumps, decay);
            let (mut trend, mut jump) = (start, 0.0);
            for (w, &got) in fast.iter().enumerate() {
                if w > 0 {
                    trend *= growth;
                }
                jump *= decay;
                if let Some(&(_, size)) = jumps.iter().find(|j| j.0 == w) {
                    jump += size;
                }
                let j: f64 = 1.0 + jump;
                let want = trend * if j > 0.0 { j } else { 0.0 };
                assert_eq!(got.to_bits(), want.to_bits(), "week {w} of {jumps:?}");
            }
        }
    }

    #[test]
    fn group_fill_follows_the_coin() {
        let table = FillTable::new(
            &Dist::Beta {
                alpha: 2.0,
                beta: 3.0,
            }
            .compile(),
        );
        let n = 200;
        let own: Vec<u64> = (0..n).map(bits).collect();
        let group: Vec<u64> = (n..2 * n).map(bits).collect();
        for rho in [0.0, 0.3, 0.5, 1.0] {
            let rho_bits = (rho * 4_294_967_296.0) as u64;
            let mut fast = vec![0.0; n as usize];
            fill_rates_in_group(&mut fast, &table, &own, &group, rho_bits);
            let mut followed = 0;
            for (w, &got) in fast.iter().enumerate() {
                let u = if (own[w] >> 32) < rho_bits {
                    followed += 1;
                    group[w] as u32
                } else {
                    own[w] as u32
                };
                assert_eq!(
                    got.to_bits(),
                    table.lookup(u).to_bits(),
                    "rho {rho} week {w}"
                );
            }
            let share = f64::from(followed) / n as f64;
            assert!((share - rho).abs() < 0.1, "rho {rho}: followed {share}");
        }
    }

    #[test]
    fn finishing_leaves_down_and_quota_clean() {
        let n = 5;
        let mut up = vec![9.0; n];
        let mut down = vec![0.0, 0.5, 0.0, 1.0, 0.25];
        let mut quota = vec![1.0, 1.0, 0.5, 1.0, 0.8];
        let mut emergency = vec![9.0; n];
        let mut burst = vec![0.5; n];
        let rows = Availability {
            up: &mut up,
            down: &mut down,
            quota: &mut quota,
            emergency: &mut emergency,
            burst: &mut burst,
        };
        // Week 0 is not worked out: it keeps what it had.
        rows.finish(1..n);
        assert_eq!(up, [9.0, 0.5, 1.0, 0.0, 0.75]);
        assert_eq!(emergency, [9.0, 0.5, 0.5, 0.0, 0.75 * 0.8]);
        assert_eq!(burst, [0.5, 0.25, 0.25, 0.0, 0.5 * (0.75 * 0.8)]);
        assert_eq!(down, [0.0; 5]);
        assert_eq!(quota, [1.0; 5]);

        let mut price = vec![1.0, 0.05, 1.5, 1.0];
        let (mut bp, mut ep) = (vec![9.0; 4], vec![9.0; 4]);
        assert!(!finish_prices(&mut price, &mut bp, &mut ep, [10.0, 20.0]));
        assert_eq!(price, [1.0, 0.1, 1.5, 1.0]);
        assert_eq!(bp, [10.0, 1.0, 15.0, 10.0]);
        assert_eq!(ep, [20.0, 2.0, 30.0, 20.0]);
        assert!(finish_prices(
            &mut price[..1],
            &mut bp,
            &mut ep,
            [10.0, 20.0]
        ));
    }

    #[test]
    fn quiet_uniforms_have_no_event() {
        // Uniforms just below the bound, for rates from rare to frequent.
        let weeks = 104;
        for rate in [1e-6, 0.002, 0.01, 0.05, 0.3, 2.0, 7.0] {
            let quiet = Quiet::new(rate, weeks);
            assert!(quiet.below > 0.0);
            let mut u = quiet.below;
            for _ in 0..10_000 {
                u = f64::from_bits(u.to_bits() - 1);
                assert!(-libm::log(u) / rate >= weeks as f64, "rate {rate}, u {u}");
            }
            // The bound is tight: a little above it, events do happen.
            let u = quiet.below * (1.0 + 1e-6);
            assert!(-libm::log(u) / rate < weeks as f64, "rate {rate}");
        }
        assert_eq!(Quiet::new(0.0, weeks).below, 0.0);
    }

    /// A small model: bench.toml's providers, events and stress tests, 104 weeks.
    fn bench_model(stress: &[&str]) -> Model {
        let text = include_str!("../../../scenarios/bench.toml");
        let s = crate::scenario::parse(text, crate::Format::Toml).expect("bench.toml parses");
        let options = crate::RunOptions {
            paths: Some(40),
            seed: Some(99),
            stress: stress.iter().map(|n| n.to_string()).collect(),
        };
        Model::new(&s, &options, false).expect("bench.toml compiles")
    }

    #[test]
    fn kept_series_equal_freshly_drawn_ones() {
        // Paths drawn one after another in one world (series kept and repaired) against each
        // path drawn in a world of its own; with and without stress tests.
        for stress in [&[][..], &["perfect-storm", "neo-a-quota-halved"][..]] {
            let m = bench_model(stress);
            let mut kept = World::new(&m);
            for path in 0..40 {
                kept.draw(&m, &mut PathRng::new(m.seed, path));
                let mut fresh = World::new(&m);
                fresh.draw(&m, &mut PathRng::new(m.seed, path));
                for (name, a, b) in [
                    ("up", &kept.up, &fresh.up),
                    ("price", &kept.price, &fresh.price),
                    ("burst price", &kept.burst_price, &fresh.burst_price),
                    (
                        "emergency price",
                        &kept.emergency_price,
                        &fresh.emergency_price,
                    ),
                    ("burst factor", &kept.burst_factor, &fresh.burst_factor),
                    (
                        "emergency factor",
                        &kept.emergency_factor,
                        &fresh.emergency_factor,
                    ),
                    ("demand", &kept.req, &fresh.req),
                ] {
                    let same = a
                        .iter()
                        .zip(b.iter())
                        .all(|(x, y)| x.to_bits() == y.to_bits());
                    assert!(same, "path {path} {stress:?}: {name}");
                }
                assert_eq!(kept.list_prices, fresh.list_prices);
                assert!(kept.down.iter().all(|&d| d == 0.0));
                assert!(kept.quota.iter().all(|&q| q == 1.0));
            }
        }
    }
}
