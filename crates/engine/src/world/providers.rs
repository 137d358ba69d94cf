//! One path's providers: events (outages, quota cuts, price shocks, own and shared through a
//! correlation group), burst tightness (the fill rate), then up-time, the availability factors
//! and prices.
//!
//! The series are kept from one path to the next and only the weeks the events moved are worked
//! out again (`touched`).

use super::World;
use super::touched::Touched;
use crate::compile::{EventProcess, Model, add_outage};
use crate::dist::FillTable;
use crate::rng::PathRng;
use crate::scenario::HOURS_PER_WEEK;

impl World {
    pub(super) fn draw_providers(&mut self, m: &Model, rng: &mut PathRng) {
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
    for (w, (b, &coin)) in out.iter_mut().zip(own).enumerate() {
        let from = if (coin >> 32) < rho_bits { group } else { own };
        *b = table.lookup(from[w] as u32);
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
pub(super) fn quiet_bounds(m: &Model) -> Vec<Quiet> {
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
pub(super) struct Quiet {
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
}
