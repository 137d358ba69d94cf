//! Serving workloads: each takes capacity tier by tier in priority order, a workload with a
//! fallback model degrades part of what it still lacks, and the rest is shortage (lost, or
//! carried to next week when deferrable).
//!
//! `serve` does this for every week of a path. The workloads before the first deferrable one do
//! not depend on any earlier week, so each of them is one branch-free pass over all weeks (all
//! its tiers at once); the post-processing of shortfalls runs only for a workload that is short
//! in some week. From the first deferrable workload on, weeks are chained by the backlog
//! (`deferred`).

use super::EPS;
use super::deferred::{serve_chained, serve_deferred};
use crate::compile::{Model, ServeStep};

/// One workload's tallies on the current path.
#[derive(Clone, Copy, Default)]
pub(super) struct ClassPath {
    pub short: bool,
    pub unmet: f64,
    pub weeks: u32,
    pub degraded: f64,
}

/// Totals of serving one week.
#[derive(Clone, Copy, Default)]
pub(super) struct Week {
    pub used: [f64; 3],
    /// Unmet non-deferrable GPUs.
    pub unmet: f64,
    /// $ of shortage penalties and of degraded service.
    pub penalty: f64,
    pub penalty_degraded: f64,
}

/// Per-week results of serving a portfolio on one path.
#[derive(Default)]
pub(super) struct Served {
    /// GPUs left per tier (committed, burst, emergency) after serving; the caller fills them
    /// with what is available before `serve`. What was used is available minus left.
    pub left: [Vec<f64>; 3],
    /// Some week took emergency GPUs (when false, none was used on the path).
    pub emergency_taken: bool,
    /// Unmet non-deferrable GPUs, and $ of shortage penalties and of degraded service.
    pub unmet: Vec<f64>,
    pub penalty: Vec<f64>,
    pub penalty_degraded: Vec<f64>,
    /// No shortfall cost anything on this path: `unmet`, `penalty` and `penalty_degraded` are
    /// all 0 (then sums over them can be skipped, and they need no re-zeroing).
    pub clean: bool,
    /// Deferred work carried into each week the concentration check replays, class-major.
    pub damage_backlog: Vec<f64>,
    /// One workload's shortfall per week, and its degraded and counted-unmet GPUs.
    pub(super) short: Vec<f64>,
    /// What each tier had before a deferrable workload took from it (`serve_deferred`).
    pub(super) before: [Vec<f64>; 3],
    pub(super) degraded: Vec<f64>,
    pub(super) counted: Vec<f64>,
}

impl Served {
    pub fn new(m: &Model) -> Served {
        let series = || vec![0.0; m.weeks];
        Served {
            left: [series(), series(), series()],
            emergency_taken: false,
            unmet: series(),
            penalty: series(),
            penalty_degraded: series(),
            clean: true,
            damage_backlog: vec![0.0; m.classes.len() * m.damage_weeks.len()],
            short: series(),
            before: [series(), series(), series()],
            degraded: series(),
            counted: series(),
        }
    }
}

/// Serve every week of the path from the GPUs in `s.left`. `req` is demand, class-major;
/// per-workload tallies go to `class`, and `backlog` ends as the deferred work left at the
/// horizon.
pub(super) fn serve(
    m: &Model,
    req: &[f64],
    s: &mut Served,
    class: &mut [ClassPath],
    backlog: &mut [f64],
) {
    let weeks = m.weeks;
    s.emergency_taken = false;
    if !s.clean {
        // A path that left costs here re-zeroes them (most paths leave them untouched).
        s.unmet.fill(0.0);
        s.penalty.fill(0.0);
        s.penalty_degraded.fill(0.0);
    }
    s.damage_backlog.fill(0.0);
    s.clean = true;
    backlog.fill(0.0);
    let (independent, chained) = m.serve.split_at(m.first_deferrable);
    for st in independent {
        serve_independent(st, &req[st.class * weeks..(st.class + 1) * weeks], s, class);
    }
    match chained {
        [] => {}
        [st] => {
            // The usual shape: one deferrable workload, served last.
            let c = st.class;
            let row = &req[c * weeks..(c + 1) * weeks];
            backlog[c] = serve_deferred(m, st, row, s, &mut class[c]);
        }
        _ => {
            s.clean = false;
            s.emergency_taken = true;
            serve_chained(m, chained, req, s, class, backlog);
        }
    }
}

/// One workload that carries nothing between weeks, over all weeks at once.
fn serve_independent(st: &ServeStep, req: &[f64], s: &mut Served, class: &mut [ClassPath]) {
    let short = &mut s.short[..req.len()];
    let (emergency_took, any_short) = take_tiers(st, req, short, &mut s.left);
    s.emergency_taken |= emergency_took;
    if !any_short {
        // Served every week: a served week adds nothing anywhere.
        return;
    }
    s.clean = false;
    let (share, relief, dp, sp) = (
        st.degrade_share,
        st.degrade_relief,
        st.degrade_penalty,
        st.short_penalty,
    );
    let rows = short
        .iter()
        .zip(req)
        .zip(s.unmet.iter_mut())
        .zip(s.penalty.iter_mut())
        .zip(s.penalty_degraded.iter_mut())
        .zip(s.degraded.iter_mut().zip(s.counted.iter_mut()));
    for (((((&s0, &need), unmet), penalty), penalty_degraded), (degraded, counted)) in rows {
        let is_short = s0 > EPS;
        let (d, after) = degrade(share, relief, need, s0);
        let lost = if is_short { after } else { 0.0 };
        *penalty_degraded += if is_short && share > 0.0 { d * dp } else { 0.0 };
        *unmet += lost;
        *penalty += if is_short { after * sp } else { 0.0 };
        *degraded = if is_short { d } else { 0.0 };
        *counted = if is_short && after > EPS { after } else { 0.0 };
    }
    // Tallies summed in week order, as a week-by-week loop would.
    let cp = &mut class[st.class];
    for (&d, &u) in s.degraded.iter().zip(s.counted.iter()) {
        cp.degraded += d;
        cp.unmet += u;
        cp.weeks += u32::from(u > 0.0);
    }
    cp.short |= cp.weeks > 0;
}

/// The week-by-week rule for one workload, over all weeks at once: `short` becomes what `req`
/// still lacks after taking from the workload's tiers in order, and `left` what the tiers keep.
/// A tier takes what is short, at most what it has, if anything is short, so a tier not taken
/// from subtracts an exact 0. All of the workload's tiers are handled in one pass. Returns
/// whether emergency gave anything in some week, and whether some week is short.
fn take_tiers(
    st: &ServeStep,
    req: &[f64],
    short: &mut [f64],
    left: &mut [Vec<f64>; 3],
) -> (bool, bool) {
    let n = req.len();
    let [c, b, e] = left;
    let mut tiers = [Some(&mut c[..n]), Some(&mut b[..n]), Some(&mut e[..n])];
    let mut pick = |i: usize| tiers[st.tier_list[i]].take().unwrap_or_default();
    // Emergency is the last tier when a workload may use it.
    let emergency = st.tier_list[..st.tier_count].contains(&2);
    match (st.tier_count, emergency) {
        (1, true) => take1::<true>(req, short, pick(0)),
        (1, false) => take1::<false>(req, short, pick(0)),
        (2, true) => take2::<true>(req, short, pick(0), pick(1)),
        (2, false) => take2::<false>(req, short, pick(0), pick(1)),
        (3, true) => take3::<true>(req, short, pick(0), pick(1), pick(2)),
        (3, false) => take3::<false>(req, short, pick(0), pick(1), pick(2)),
        _ => {
            short.copy_from_slice(req);
            (false, short.iter().any(|&s| s > EPS))
        }
    }
}

// One function per tier count, each a plain loop over distinct slices, so the compiler
// vectorises it without having to prove that the arrays do not overlap. The flags returned are
// ORed over weeks without branches: whether the last tier gave anything (only when it is
// emergency, `E`), and whether anything is still short.

/// A workload's fallback model on a week short by `short` of demand `need`: at most `share` of
/// the demand is degraded, and serving y GPUs of demand with it frees y * `relief` GPUs.
/// Returns the GPUs degraded and what is still short (nothing degraded when `share` is 0).
#[inline(always)]
pub(super) fn degrade(share: f64, relief: f64, need: f64, short: f64) -> (f64, f64) {
    if share > 0.0 {
        let cap = share * need;
        let want = short / relief;
        let d = if want < cap { want } else { cap };
        (d, (short - d * relief).max(0.0))
    } else {
        (0.0, short)
    }
}

#[inline(never)]
fn take1<const E: bool>(req: &[f64], short: &mut [f64], l0: &mut [f64]) -> (bool, bool) {
    let (mut took, mut any) = (0u64, 0u64);
    for ((s, &r), l0) in short.iter_mut().zip(req).zip(l0) {
        *s = r;
        let t = take(s, l0);
        took |= mask(E && t > 0.0);
        any |= mask(*s > EPS);
    }
    (took != 0, any != 0)
}

#[inline(never)]
fn take2<const E: bool>(
    req: &[f64],
    short: &mut [f64],
    l0: &mut [f64],
    l1: &mut [f64],
) -> (bool, bool) {
    let (mut took, mut any) = (0u64, 0u64);
    for ((s, &r), (l0, l1)) in short.iter_mut().zip(req).zip(l0.iter_mut().zip(l1)) {
        *s = r;
        take(s, l0);
        let t = take(s, l1);
        took |= mask(E && t > 0.0);
        any |= mask(*s > EPS);
    }
    (took != 0, any != 0)
}

#[inline(never)]
fn take3<const E: bool>(
    req: &[f64],
    short: &mut [f64],
    l0: &mut [f64],
    l1: &mut [f64],
    l2: &mut [f64],
) -> (bool, bool) {
    let (mut took, mut any) = (0u64, 0u64);
    let tiers = l0.iter_mut().zip(l1.iter_mut()).zip(l2.iter_mut());
    for ((s, &r), ((l0, l1), l2)) in short.iter_mut().zip(req).zip(tiers) {
        *s = r;
        take(s, l0);
        take(s, l1);
        let t = take(s, l2);
        took |= mask(E && t > 0.0);
        any |= mask(*s > EPS);
    }
    (took != 0, any != 0)
}

/// All ones for true: the form a vector comparison gives, so a flag ORed over weeks costs no
/// conversion.
#[inline(always)]
pub(super) fn mask(b: bool) -> u64 {
    0u64.wrapping_sub(u64::from(b))
}

/// Take from one tier what is short, at most what it has, if anything is short; returns the
/// amount taken.
#[inline(always)]
pub(super) fn take(s: &mut f64, l: &mut f64) -> f64 {
    let t = if *s < *l { *s } else { *l };
    let t = if *s > 0.0 { t } else { 0.0 };
    *s -= t;
    *l -= t;
    t
}

#[cfg(test)]
mod tests {
    use super::super::deferred::allocate;
    use super::*;
    use crate::RunOptions;
    use crate::rng::PathRng;

    const PROVIDERS: &str = r#"
[[providers]]
name = "cloud"
reserved_price = 2.0
on_demand_price = 4.0
[[portfolios]]
name = "p"
contracts = [{ provider = "cloud", gpus = 100, term_weeks = 30 }]
"#;

    /// Workload sets covering each way `serve` splits the work: no deferrable workload, one
    /// deferrable served last (with and without degradation and emergency), and a deferrable
    /// workload followed by others (week by week).
    const SHAPES: [&str; 4] = [
        r#"
[[workloads]]
name = "hot"
base_gpus = 100
degradation = { gpu_factor = 0.5, max_share = 0.3, quality_penalty_per_gpu_hour = 3 }
[[workloads]]
name = "batch"
priority = 2
base_gpus = 60
tiers = ["committed", "burst"]
[[workloads]]
name = "train"
priority = 3
base_gpus = 80
deferrable = true
tiers = ["committed", "burst"]
"#,
        r#"
[[workloads]]
name = "a"
base_gpus = 100
tiers = ["burst", "emergency"]
[[workloads]]
name = "b"
priority = 2
base_gpus = 60
tiers = ["committed"]
"#,
        r#"
[[workloads]]
name = "a"
base_gpus = 100
tiers = ["committed", "emergency"]
[[workloads]]
name = "defer"
priority = 2
base_gpus = 90
deferrable = true
degradation = { gpu_factor = 0.6, max_share = 0.5, quality_penalty_per_gpu_hour = 2 }
"#,
        r#"
[[workloads]]
name = "defer"
base_gpus = 90
deferrable = true
tiers = ["committed", "burst"]
[[workloads]]
name = "after"
priority = 2
base_gpus = 70
degradation = { gpu_factor = 0.5, max_share = 0.2, quality_penalty_per_gpu_hour = 1 }
[[workloads]]
name = "also-deferred"
priority = 3
base_gpus = 40
deferrable = true
"#,
    ];

    /// `serve` gives, bit for bit, what serving week by week with `allocate` gives (the
    /// engine's definition): capacity left, shortfalls, penalties, tallies and backlog.
    #[test]
    fn serve_matches_week_by_week_allocate() {
        let mut rng = PathRng::new(11, 3);
        let mut draw = |lo: f64, hi: f64| lo + (hi - lo) * rng.open01();
        for shape in SHAPES {
            let text = format!("name = \"t\"\nhorizon_weeks = 30\n{shape}{PROVIDERS}");
            let scenario = crate::scenario::parse(&text, crate::Format::Toml).unwrap();
            let m = Model::new(&scenario, &RunOptions::default(), false).unwrap();
            let (weeks, nc) = (m.weeks, m.classes.len());
            let mut s = Served::new(&m);
            for _ in 0..40 {
                // Demand around the capacity, so that every branch is taken.
                let req: Vec<f64> = (0..nc * weeks).map(|_| draw(0.0, 120.0)).collect();
                let caps: Vec<Vec<f64>> = (0..3)
                    .map(|_| (0..weeks).map(|_| draw(-40.0, 160.0).max(0.0)).collect())
                    .collect();
                for (l, c) in s.left.iter_mut().zip(&caps) {
                    l.copy_from_slice(c);
                }
                let mut class = vec![ClassPath::default(); nc];
                let mut backlog = vec![0.0; nc];
                serve(&m, &req, &mut s, &mut class, &mut backlog);

                let mut class_ref = vec![ClassPath::default(); nc];
                let mut backlog_ref = vec![0.0; nc];
                let mut any_emergency = false;
                for w in 0..weeks {
                    if m.damage_weeks.contains(&w) {
                        let i = w - m.damage_weeks.start;
                        assert_eq!(&s.damage_backlog[i * nc..(i + 1) * nc], &backlog_ref[..]);
                    }
                    let week_req: Vec<f64> = (0..nc).map(|c| req[c * weeks + w]).collect();
                    let mut left = [caps[0][w], caps[1][w], caps[2][w]];
                    let week = allocate::<true>(
                        &m.serve,
                        &week_req,
                        &mut left,
                        &mut backlog_ref,
                        &mut class_ref,
                        Week::default(),
                    );
                    for (t, (s_left, l)) in s.left.iter().zip(left).enumerate() {
                        assert_eq!(s_left[w].to_bits(), l.to_bits(), "tier {t} week {w}");
                    }
                    any_emergency |= left[2] != caps[2][w];
                    assert_eq!(s.unmet[w].to_bits(), week.unmet.to_bits());
                    assert_eq!(s.penalty[w].to_bits(), week.penalty.to_bits());
                    assert_eq!(
                        s.penalty_degraded[w].to_bits(),
                        week.penalty_degraded.to_bits()
                    );
                }
                assert!(s.emergency_taken || !any_emergency);
                assert_eq!(backlog, backlog_ref);
                for (a, b) in class.iter().zip(&class_ref) {
                    assert_eq!((a.short, a.weeks), (b.short, b.weeks));
                    assert_eq!(a.unmet.to_bits(), b.unmet.to_bits());
                    assert_eq!(a.degraded.to_bits(), b.degraded.to_bits());
                }
            }
        }
    }
}
