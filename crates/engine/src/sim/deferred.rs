//! Serving the workloads that deferred work chains from one week to the next: from the first
//! deferrable workload (in priority order) on, a week's need depends on what the week before
//! left undone.
//!
//! The usual shape, one deferrable workload served last, has its own two passes
//! (`serve_deferred`): most weeks start with nothing deferred and are then the same as if the
//! workload carried nothing, so all weeks are first served that way without branches, and a
//! sequential pass redoes the others, skipping the runs of weeks that neither start nor end with
//! deferred work. Any other shape goes week by week through `allocate`, which the concentration
//! check also uses.

use super::EPS;
use super::serve::{ClassPath, Served, Week, degrade, mask, take};
use crate::compile::{Model, ServeStep};

/// One deferrable workload served after all others, week by week; returns the deferred work
/// left at the horizon. The same steps as `allocate` for this one workload.
pub(super) fn serve_deferred(
    m: &Model,
    st: &ServeStep,
    req: &[f64],
    s: &mut Served,
    cp: &mut ClassPath,
) -> f64 {
    if st.degrade_share > 0.0 {
        // Its degradation may cost something (not tracked week by week).
        s.clean = false;
    }
    s.emergency_taken |= st.tier_list[..st.tier_count].contains(&2);
    let n = req.len();
    let Served {
        left: [c, b, e],
        penalty_degraded,
        damage_backlog,
        short,
        before,
        ..
    } = s;
    let mut tiers = [Some(&mut c[..n]), Some(&mut b[..n]), Some(&mut e[..n])];
    let mut pick = |i: usize| tiers[st.tier_list[i]].take().unwrap_or_default();
    let [s0, s1, s2] = before;
    let (s0, s1, s2) = (&mut s0[..n], &mut s1[..n], &mut s2[..n]);
    let out = Deferred {
        m,
        st,
        req,
        short: &mut short[..n],
        penalty_degraded: &mut penalty_degraded[..n],
        damage_backlog,
        cp,
    };
    match st.tier_count {
        1 => out.run([pick(0)], [s0]),
        2 => out.run([pick(0), pick(1)], [s0, s1]),
        3 => out.run([pick(0), pick(1), pick(2)], [s0, s1, s2]),
        _ => out.run([], []),
    }
}

/// `serve_deferred`'s arrays.
struct Deferred<'a> {
    m: &'a Model,
    st: &'a ServeStep,
    req: &'a [f64],
    short: &'a mut [f64],
    penalty_degraded: &'a mut [f64],
    damage_backlog: &'a mut [f64],
    cp: &'a mut ClassPath,
}

impl Deferred<'_> {
    /// Serve from `N` tiers. Most weeks start with nothing deferred, and then the week is the
    /// same as if the workload carried nothing: all weeks are first served that way in one
    /// branch-free pass (keeping what the tiers had in `before`), then a sequential pass redoes
    /// the weeks that start with deferred work.
    fn run<const N: usize>(self, mut tiers: [&mut [f64]; N], before: [&mut [f64]; N]) -> f64 {
        let Deferred {
            m,
            st,
            req,
            short,
            penalty_degraded,
            damage_backlog,
            cp,
        } = self;
        let n = req.len();
        let mut any = 0u64;
        for w in 0..n {
            let mut s = req[w];
            for t in 0..N {
                before[t][w] = tiers[t][w];
                take(&mut s, &mut tiers[t][w]);
            }
            short[w] = s;
            any |= mask(s > EPS);
        }
        if any == 0 {
            // Served every week: nothing deferred, degraded or recorded.
            return 0.0;
        }
        let nc = m.classes.len();
        let mut backlog: f64 = 0.0;
        let mut w = 0;
        while w < n {
            if backlog == 0.0 {
                // A week that starts with nothing deferred and is not short leaves nothing
                // either: it is as served in the first pass.
                match short[w..].iter().position(|&s| s > EPS) {
                    Some(k) => w += k,
                    None => break,
                }
            }
            if m.damage_weeks.contains(&w) {
                // The concentration check starts from the same deferred work as the real week.
                let i = w - m.damage_weeks.start;
                damage_backlog[i * nc + st.class] = backlog;
            }
            let need = req[w] + backlog;
            let mut s = short[w];
            if backlog != 0.0 {
                s = need;
                for (t, b) in tiers.iter_mut().zip(before.iter()) {
                    t[w] = b[w];
                    take(&mut s, &mut t[w]);
                }
            }
            backlog = 0.0;
            if s > EPS {
                let degraded;
                (degraded, s) = degrade(st.degrade_share, st.degrade_relief, need, s);
                if st.degrade_share > 0.0 {
                    penalty_degraded[w] += degraded * st.degrade_penalty;
                }
                backlog = s;
                cp.degraded += degraded;
                cp.weeks += u32::from(s > EPS);
            }
            w += 1;
        }
        backlog
    }
}

/// The workloads from the first deferrable one on, week by week.
pub(super) fn serve_chained(
    m: &Model,
    steps: &[ServeStep],
    req: &[f64],
    s: &mut Served,
    class: &mut [ClassPath],
    backlog: &mut [f64],
) {
    let weeks = m.weeks;
    let nc = m.classes.len();
    let mut week_req = vec![0.0; nc];
    for w in 0..weeks {
        if m.damage_weeks.contains(&w) {
            // The concentration check starts from the same deferred work as the real week.
            let i = w - m.damage_weeks.start;
            s.damage_backlog[i * nc..(i + 1) * nc].copy_from_slice(backlog);
        }
        for st in steps {
            week_req[st.class] = req[st.class * weeks + w];
        }
        let mut left = [s.left[0][w], s.left[1][w], s.left[2][w]];
        // Continues the week's totals from the workloads served before.
        let so_far = Week {
            used: [0.0; 3],
            unmet: s.unmet[w],
            penalty: s.penalty[w],
            penalty_degraded: s.penalty_degraded[w],
        };
        let week = allocate::<true>(steps, &week_req, &mut left, backlog, class, so_far);
        for (t, l) in left.into_iter().enumerate() {
            s.left[t][w] = l;
        }
        s.unmet[w] = week.unmet;
        s.penalty[w] = week.penalty;
        s.penalty_degraded[w] = week.penalty_degraded;
    }
}

/// Serve workloads `steps`, in order, from the GPUs `left` in each tier (updated), adding to the
/// week's totals `week`. `backlog` holds last week's deferred work on entry and this week's on
/// return. With `RECORD`, per-workload shortfalls and degradation are tallied into `class`.
/// The returned week's `used` is not touched.
#[inline(always)]
pub(super) fn allocate<const RECORD: bool>(
    steps: &[ServeStep],
    req: &[f64],
    left: &mut [f64; 3],
    backlog: &mut [f64],
    class: &mut [ClassPath],
    mut week: Week,
) -> Week {
    for st in steps {
        let c = st.class;
        // Only deferrable work carries a backlog (the others' stays 0 and adding it is exact).
        let need = if st.deferrable {
            req[c] + backlog[c]
        } else {
            req[c]
        };
        let mut short = need;
        for &t in &st.tier_list[..st.tier_count] {
            let l = left[t];
            if short < l {
                left[t] = l - short;
                short = 0.0;
                break;
            }
            if short <= 0.0 {
                break;
            }
            // Takes all of the tier (`l - l`, which is 0 for any finite `l`).
            short -= l;
            left[t] = 0.0;
        }
        if short <= EPS {
            if st.deferrable {
                backlog[c] = 0.0;
            }
            continue;
        }
        let degraded;
        (degraded, short) = degrade(st.degrade_share, st.degrade_relief, need, short);
        if st.degrade_share > 0.0 {
            week.penalty_degraded += degraded * st.degrade_penalty;
        }
        if st.deferrable {
            backlog[c] = short;
        } else {
            week.unmet += short;
            week.penalty += short * st.short_penalty;
        }
        if RECORD {
            let cp = &mut class[c];
            cp.degraded += degraded;
            if st.deferrable {
                cp.weeks += u32::from(short > EPS);
            } else if short > EPS {
                cp.short = true;
                cp.weeks += 1;
                cp.unmet += short;
            }
        }
    }
    week
}
