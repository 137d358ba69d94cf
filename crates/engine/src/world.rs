//! One path's world: demand per workload and the state of every provider, week by week.
//!
//! The world is drawn once per path and then every portfolio is evaluated against it (common
//! random numbers): a difference between portfolios on a path is never sampling noise. The draw
//! order below is part of the engine's definition; changing it changes every golden report.

use crate::compile::{EventProcess, Model, add_outage};
use crate::rng::PathRng;

/// Buffers for one path, reused across paths to keep allocation out of the loop.
pub(crate) struct World {
    /// Peak GPUs required, week x class.
    pub req: Vec<f64>,
    /// Fraction of the week each provider is up, week x provider.
    pub up: Vec<f64>,
    /// Burst/emergency quota multiplier, week x provider.
    pub quota: Vec<f64>,
    /// Price multiplier for on-demand, emergency and newly signed capacity, week x provider.
    pub price: Vec<f64>,
    /// Fraction of a burst request that is filled, week x provider.
    pub fill: Vec<f64>,
    /// Key for draws only some portfolios make (order lead times).
    pub order_key: u64,
    down: Vec<f64>,
    group_u: Vec<f64>,
}

impl World {
    pub fn new(m: &Model) -> World {
        let (w, p, c) = (m.weeks, m.providers.len(), m.classes.len());
        World {
            req: vec![0.0; w * c],
            up: vec![1.0; w * p],
            quota: vec![1.0; w * p],
            price: vec![1.0; w * p],
            fill: vec![1.0; w * p],
            order_key: 0,
            down: vec![0.0; w * p],
            group_u: vec![0.0; w * m.groups.len()],
        }
    }

    pub fn draw(&mut self, m: &Model, rng: &mut PathRng) {
        self.order_key = rng.next_u64();
        self.draw_demand(m, rng);
        self.draw_providers(m, rng);
    }

    fn draw_demand(&mut self, m: &Model, rng: &mut PathRng) {
        let nc = m.classes.len();
        for (c, cm) in m.classes.iter().enumerate() {
            let g = cm.growth.quantile(rng.open01()).max(-0.99);
            let weekly_growth = libm::pow(1.0 + g, 1.0 / 52.0);
            let log_p = if cm.jump_p > 0.0 && cm.jump_p < 1.0 {
                libm::log(1.0 - cm.jump_p)
            } else {
                0.0
            };
            let gap = |rng: &mut PathRng| -> usize {
                match cm.jump_p {
                    p if p <= 0.0 => usize::MAX,
                    p if p >= 1.0 => 0,
                    _ => (libm::log(rng.open01()) / log_p).min(1e9) as usize,
                }
            };
            let mut next_jump = gap(rng);
            let mut trend = cm.base;
            let mut noise = 0.0;
            let mut jump = 0.0;
            for w in 0..m.weeks {
                if w > 0 {
                    trend *= weekly_growth;
                    if cm.volatility > 0.0 {
                        noise = cm.persistence * noise + cm.innovation * rng.gauss();
                    }
                }
                jump *= cm.jump_decay;
                while next_jump == w {
                    jump += cm.jump_size.quantile(rng.open01());
                    next_jump = w.saturating_add(1).saturating_add(gap(rng));
                }
                let noise_factor = if cm.volatility > 0.0 {
                    libm::exp(noise)
                } else {
                    1.0
                };
                let mut d = trend * cm.season[w] * noise_factor * (1.0 + jump).max(0.0);
                if m.stress.active {
                    d *= m.stress.demand[w * nc + c];
                }
                self.req[w * nc + c] = d * cm.peak_factor;
            }
        }
    }

    fn draw_providers(&mut self, m: &Model, rng: &mut PathRng) {
        let (weeks, np) = (m.weeks, m.providers.len());
        self.down.fill(0.0);
        self.quota.fill(1.0);
        self.price.fill(1.0);

        for (p, pm) in m.providers.iter().enumerate() {
            let own = 1.0 - pm.rho;
            if let Some(e) = &pm.outages {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    let hours = e.a.quantile(rng.open01()).max(0.0);
                    add_outage(&mut self.down, np, p, weeks, t, hours);
                });
            }
            if let Some(e) = &pm.quota_cuts {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    let (u1, u2) = (rng.open01(), rng.open01());
                    quota_cut(&mut self.quota, np, p, weeks, t, e, u1, u2);
                });
            }
            if let Some(e) = &pm.price_shocks {
                for_each_event(rng, e.rate * own, weeks, |rng, t| {
                    price_shock(&mut self.price, np, p, weeks, t, e, rng.open01());
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
                        add_outage(&mut self.down, np, p, weeks, t, e.a.quantile(u).max(0.0));
                    }
                }
            });
            for_each_event(rng, g.quota_rate, weeks, |rng, t| {
                let (u1, u2) = (rng.open01(), rng.open01());
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].quota_cuts {
                        quota_cut(&mut self.quota, np, p, weeks, t, e, u1, u2);
                    }
                }
            });
            for_each_event(rng, g.shock_rate, weeks, |rng, t| {
                let u = rng.open01();
                for &p in &g.members {
                    if let Some(e) = &m.providers[p].price_shocks {
                        price_shock(&mut self.price, np, p, weeks, t, e, u);
                    }
                }
            });
        }

        // Burst tightness: a group member follows the group's weekly draw with probability rho.
        let ng = m.groups.len();
        for w in 0..weeks {
            for gi in 0..ng {
                self.group_u[w * ng + gi] = rng.open01();
            }
            for (p, pm) in m.providers.iter().enumerate() {
                let u = match pm.group {
                    Some(gi) if pm.rho > 0.0 => {
                        let pick = rng.open01();
                        if pick < pm.rho {
                            self.group_u[w * ng + gi]
                        } else {
                            rng.open01()
                        }
                    }
                    _ => rng.open01(),
                };
                self.fill[w * np + p] = pm.fill.quantile(u).clamp(0.0, 1.0);
            }
        }

        let st = &m.stress;
        for i in 0..weeks * np {
            let mut down = self.down[i];
            if st.active {
                down = (down + st.down[i]).min(1.0);
                self.quota[i] = self.quota[i].min(st.quota[i]);
                self.price[i] += st.price[i];
            }
            self.up[i] = 1.0 - down;
            self.price[i] = self.price[i].max(0.1);
        }
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

#[allow(clippy::too_many_arguments)]
fn quota_cut(
    quota: &mut [f64],
    np: usize,
    p: usize,
    weeks: usize,
    t: f64,
    e: &EventProcess,
    u_frac: f64,
    u_len: f64,
) {
    let keep = 1.0 - e.a.quantile(u_frac).clamp(0.0, 1.0);
    let len = e.b.quantile(u_len).max(0.0);
    let start = t as usize;
    let end = (libm::ceil(t + len) as usize).max(start + 1).min(weeks);
    for w in start..end {
        let q = &mut quota[w * np + p];
        *q = q.min(keep);
    }
}

fn price_shock(
    price: &mut [f64],
    np: usize,
    p: usize,
    weeks: usize,
    t: f64,
    e: &EventProcess,
    u: f64,
) {
    let mut level = e.a.quantile(u);
    for w in t as usize..weeks {
        price[w * np + p] += level;
        level *= e.decay;
    }
}
