//! One path's world: demand per workload and the state of every provider, week by week.
//!
//! The world is drawn once per path and then every portfolio is evaluated against it (common
//! random numbers): a difference between portfolios on a path is never sampling noise. The draw
//! order below is part of the engine's definition; changing it changes every golden report.
//!
//! Provider arrays are stored series by series (`[provider * weeks + week]`) so the per-week
//! loops over one series are contiguous and vectorise; demand is stored the same way
//! (`[class * weeks + week]`), because portfolios are served in passes over all weeks.

use crate::compile::{EventProcess, Model, add_outage};
use crate::rng::PathRng;

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
    down: Vec<f64>,
    quota: Vec<f64>,
    group_u: Vec<u32>,
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
            group_u: vec![0; m.groups.len() * w],
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
            // Draws first, in the engine's order: jumps in time order (at most one a week, none
            // past the horizon), then the noise's innovations. The recurrences below then run
            // without calls, so their running values stay in registers.
            self.jumps.clear();
            let mut next = gap(rng);
            while next < weeks {
                self.jumps.push((next, cm.jump_size.quantile(rng.open01())));
                next = next.saturating_add(1).saturating_add(gap(rng));
            }
            let noise = &mut self.noise[..weeks];
            if cm.volatility > 0.0 {
                for z in &mut noise[1..] {
                    *z = cm.innovation * rng.gauss();
                }
            }
            let level = &mut self.series[..weeks];
            let mut trend = cm.base * cm.peak_factor;
            if self.jumps.is_empty() {
                // No jumps: the level is the trend (times exactly 1).
                for (w, l) in level.iter_mut().enumerate() {
                    if w > 0 {
                        trend *= weekly_growth;
                    }
                    *l = trend;
                }
            } else {
                let mut jump = 0.0;
                let mut jumps = self.jumps.iter().peekable();
                for (w, l) in level.iter_mut().enumerate() {
                    if w > 0 {
                        trend *= weekly_growth;
                    }
                    jump *= cm.jump_decay;
                    if let Some(&(_, size)) = jumps.next_if(|j| j.0 == w) {
                        jump += size;
                    }
                    let j: f64 = 1.0 + jump;
                    *l = trend * if j > 0.0 { j } else { 0.0 };
                }
            }
            if cm.volatility > 0.0 {
                // AR(1) log-noise from its innovations (`p x + (i z)`, as drawn).
                let mut x = 0.0;
                noise[0] = 0.0;
                for n in &mut noise[1..] {
                    x = cm.persistence * x + *n;
                    *n = x;
                }
            }
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
        self.down.fill(0.0);
        self.quota.fill(1.0);
        self.price.fill(1.0);

        for (p, pm) in m.providers.iter().enumerate() {
            let own = 1.0 - pm.rho;
            if let Some(e) = &pm.outages {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    let hours = e.a.quantile(rng.open01()).max(0.0);
                    add_outage(&mut self.down, p, weeks, t, hours);
                });
            }
            if let Some(e) = &pm.quota_cuts {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    let (u1, u2) = (rng.open01(), rng.open01());
                    quota_cut(&mut self.quota[p * weeks..(p + 1) * weeks], t, e, u1, u2);
                });
            }
            if let Some(e) = &pm.price_shocks {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    price_shock(
                        &mut self.price[p * weeks..(p + 1) * weeks],
                        t,
                        e,
                        rng.open01(),
                    );
                });
            }
        }

        // Shared events: one draw hits every member of the group, each through its own
        // distribution at the same quantile.
        for g in &m.groups {
            for_each_event(rng, g.outage_rate, weeks, |rng, t| {
                let u = rng.open01();
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].outages {
                        add_outage(&mut self.down, p, weeks, t, e.a.quantile(u).max(0.0));
                    }
                }
            });
            for_each_event(rng, g.quota_rate, weeks, |rng, t| {
                let (u1, u2) = (rng.open01(), rng.open01());
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].quota_cuts {
                        quota_cut(&mut self.quota[p * weeks..(p + 1) * weeks], t, e, u1, u2);
                    }
                }
            });
            for_each_event(rng, g.shock_rate, weeks, |rng, t| {
                let u = rng.open01();
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].price_shocks {
                        price_shock(&mut self.price[p * weeks..(p + 1) * weeks], t, e, u);
                    }
                }
            });
        }

        // Burst tightness. Each weekly draw is one 64-bit number split in two 32-bit uniforms
        // (the fill table has 1024 rows, so 32 bits are plenty): a group member follows its
        // group's draw with probability rho, else its own.
        for u in self.group_u.iter_mut() {
            *u = rng.next_u64() as u32;
        }
        let st = &m.stress;
        self.list_prices = !st.active || st.price.iter().all(|&x| x == 0.0);
        for (p, pm) in m.providers.iter().enumerate() {
            let range = p * weeks..(p + 1) * weeks;
            let bf = &mut self.burst_factor[range.clone()];
            // Pass 1, sequential (it draws): the fill rate, into `bf`. A fixed fill rate (the
            // default) needs no draws.
            if let Some(fill) = pm.fixed_fill {
                bf.fill(fill);
            } else {
                match pm.group.filter(|_| pm.rho > 0.0) {
                    Some(gi) => {
                        let rho_bits = (pm.rho * 4_294_967_296.0) as u64;
                        let group_u = &self.group_u[gi * weeks..(gi + 1) * weeks];
                        for (b, &gu) in bf.iter_mut().zip(group_u) {
                            let bits = rng.next_u64();
                            let u = if (bits >> 32) < rho_bits {
                                gu
                            } else {
                                bits as u32
                            };
                            *b = pm.fill.lookup(u);
                        }
                    }
                    None => {
                        for b in bf.iter_mut() {
                            *b = pm.fill.lookup(rng.next_u64() as u32);
                        }
                    }
                }
            }
            // Pass 2, no draws: stress, availability and the two factors.
            let (up, price) = (&mut self.up[range.clone()], &mut self.price[range.clone()]);
            let (down, quota) = (
                &mut self.down[range.clone()],
                &mut self.quota[range.clone()],
            );
            let ef = &mut self.emergency_factor[range.clone()];
            if st.active {
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
            let (bp, ep) = (
                &mut self.burst_price[range.clone()],
                &mut self.emergency_price[range],
            );
            let rows = Row {
                up,
                price,
                down,
                quota,
                emergency: ef,
                burst: bf,
                burst_price: bp,
                emergency_price: ep,
            };
            // (A provider without price shocks keeps every multiplier at exactly 1 unless a
            // stress test moves prices, and then `list_prices` is already false.)
            self.list_prices &= rows.finish(pm.list_price);
        }
    }
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

/// One provider's weekly series, finished in one pass once events and fill are drawn.
struct Row<'a> {
    up: &'a mut [f64],
    price: &'a mut [f64],
    down: &'a [f64],
    quota: &'a [f64],
    emergency: &'a mut [f64],
    /// The fill rate on entry, the burst factor on return.
    burst: &'a mut [f64],
    burst_price: &'a mut [f64],
    emergency_price: &'a mut [f64],
}

impl Row<'_> {
    /// Up-time, the two availability factors and the two prices; true if every price
    /// multiplier is exactly 1.
    #[inline(never)]
    fn finish(self, [list_burst, list_emergency]: [f64; 2]) -> bool {
        let mut moved = 0u64;
        let rows = self
            .up
            .iter_mut()
            .zip(self.price.iter_mut())
            .zip(self.down.iter().zip(self.quota))
            .zip(self.emergency.iter_mut().zip(self.burst.iter_mut()))
            .zip(
                self.burst_price
                    .iter_mut()
                    .zip(self.emergency_price.iter_mut()),
            );
        for ((((u, x), (&d, &q)), (e, b)), (bp, ep)) in rows {
            *x = if *x < 0.1 { 0.1 } else { *x };
            *u = 1.0 - d;
            *e = q * *u;
            *b *= *e;
            *bp = list_burst * *x;
            *ep = list_emergency * *x;
            moved |= u64::from(*x != 1.0);
        }
        moved == 0
    }
}

/// Poisson events at `rate` per week over [0, weeks): calls `f(rng, start_week)` for each.
fn for_each_event(
    rng: &mut PathRng,
    rate: f64,
    weeks: usize,
    mut f: impl FnMut(&mut PathRng, f64),
) {
    if rate <= 0.0 {
        return;
    }
    let mut t = 0.0;
    loop {
        t += -libm::log(rng.open01()) / rate;
        if t >= weeks as f64 {
            return;
        }
        f(rng, t);
    }
}

fn quota_cut(quota: &mut [f64], t: f64, e: &EventProcess, u_frac: f64, u_len: f64) {
    let keep = 1.0 - e.a.quantile(u_frac).clamp(0.0, 1.0);
    let len = e.b.quantile(u_len).max(0.0);
    let start = t as usize;
    let end = (libm::ceil(t + len) as usize)
        .max(start + 1)
        .min(quota.len());
    for q in &mut quota[start.min(end)..end] {
        *q = q.min(keep);
    }
}

fn price_shock(price: &mut [f64], t: f64, e: &EventProcess, u: f64) {
    let mut level = e.a.quantile(u);
    let start = (t as usize).min(price.len());
    for x in &mut price[start..] {
        *x += level;
        level *= e.decay;
    }
}
