//! Lead-time steps: the whole weeks an order takes to arrive, looked up from its uniform draw.
//!
//! An order signed in week `w` arrives `ceil(max(q(u), 0))` weeks later (clipped to the horizon),
//! where `q` is the provider's lead-time quantile function and `u` the order's keyed uniform.
//! That offset depends on `u` only through which step it falls in, so the steps' starts are
//! found once per ordering policy (by bisection over the doubles in (0, 1)) and a draw becomes a
//! short table look-up instead of a quantile (a table interpolation, a square root, or a
//! logarithm and an exponential) and a ceiling. Offsets past the horizon all clip to it, so there
//! are at most `weeks` steps.
//!
//! The look-up must give exactly the direct computation's offset for every `u`. Each quantile
//! form is monotone in exact arithmetic, and its floating-point evaluation is monotone up to a
//! few ulps (where pieces meet: a table's segments, a triangle's two sides, the inverse normal's
//! rational pieces, the exponential's argument reduction). So for each integer `k` two points
//! are found: `a`, where `q` first exceeds `k - slack`, and `b`, where it first exceeds
//! `k + slack`, with `slack` (about 1e-12 relative) far above any such wiggle. Below `a`, `q`
//! stays at most `k`; from `b` on, above it; between them (a sliver of width ~1e-12 in `u`), the
//! look-up computes the quantile directly. If the points found are out of order, the wiggle was
//! larger than assumed, and the policy gets no table: every draw is then computed directly.

use crate::dist::Sampler;

/// Coarse index over `u`: which step to start scanning from, by the top 8 bits of `u`.
const BUCKETS: usize = 256;

/// How far `q` must stand from an integer, relative to `1 + k + |median|` (the size of the
/// numbers the quantile forms add), for rounding not to decide which side of it `q` is on.
const SLACK: f64 = 1.0 / (1u64 << 40) as f64;

/// `libm::ceil(x) as usize` for `x >= 0`, without the library call or a saturating cast:
/// below 2^52, `x + 2^52` lands where the spacing of doubles is 1, so it rounds `x` to the
/// nearest integer, which its low 52 bits then hold; that is the ceiling unless it is below `x`.
pub(crate) fn ceil_weeks(x: f64) -> usize {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if x >= 4.0e15 {
        return libm::ceil(x) as usize;
    }
    let y = x + TWO_52;
    let nearest = (y.to_bits() & ((1 << 52) - 1)) as usize;
    nearest + usize::from(y - TWO_52 < x)
}

/// A lead time's arrival offsets in whole weeks, capped at the horizon.
#[derive(Clone, Debug)]
pub(crate) struct LeadSteps {
    lead: Sampler,
    weeks: usize,
    table: Option<Steps>,
}

#[derive(Clone, Debug)]
struct Steps {
    /// Offset at the smallest `u`.
    base: usize,
    /// Per step `j` (offset `base + j` -> `base + j + 1`), the points `[a, b]` described in the
    /// module doc, in increasing order, then an infinite sentinel that ends every scan.
    edges: Box<[[f64; 2]]>,
    /// Per bucket `[i / BUCKETS, (i + 1) / BUCKETS)`, the steps whose `b` is at most its start.
    start: Box<[u16; BUCKETS]>,
}

impl LeadSteps {
    pub fn new(lead: &Sampler, weeks: usize) -> LeadSteps {
        LeadSteps {
            lead: lead.clone(),
            weeks,
            table: Steps::new(lead, weeks),
        }
    }

    /// Whether draws are looked up (false: the quantile form wiggles too much to trust a table).
    #[cfg(test)]
    fn tabulated(&self) -> bool {
        self.table.is_some()
    }

    /// The direct computation: `ceil(max(q(u), 0))` weeks, capped at the horizon.
    pub fn direct(&self, u: f64) -> usize {
        ceil_weeks(self.lead.quantile(u).max(0.0)).min(self.weeks)
    }

    /// The arrival offset of an order whose lead-time draw is `u` in (0, 1): `direct(u)`.
    #[inline]
    pub fn offset(&self, u: f64) -> usize {
        let Some(t) = &self.table else {
            return self.direct(u);
        };
        // `u * BUCKETS` is exact, so its integer part `i` has `u >= i / BUCKETS`.
        let mut j = usize::from(t.start[((u * BUCKETS as f64) as usize).min(BUCKETS - 1)]);
        // (Counting the first two without branches measured no faster.)
        while t.edges[j][1] <= u {
            j += 1;
        }
        if t.edges[j][0] <= u {
            // Within a hair of an integer: let rounding decide, as it does for the direct draw.
            return self.direct(u);
        }
        t.base + j
    }
}

impl Steps {
    fn new(lead: &Sampler, weeks: usize) -> Option<Steps> {
        if let Sampler::Fixed(_) = lead {
            // One step for every draw (and no need to look near it).
            return Some(Steps {
                base: ceil_weeks(lead.quantile(0.5).max(0.0)).min(weeks),
                edges: Box::new([[f64::INFINITY; 2]]),
                start: Box::new([0; BUCKETS]),
            });
        }
        let q = |u: f64| lead.quantile(u);
        let median = q(0.5).abs();
        if !median.is_finite() || weeks >= usize::from(u16::MAX) {
            return None;
        }
        let mut base = 0;
        let mut edges = Vec::new();
        for k in 0..weeks {
            let slack = SLACK * (1.0 + k as f64 + median);
            let a = first_above(&q, k as f64 - slack);
            let b = first_above(&q, k as f64 + slack);
            if b == LOWEST && edges.is_empty() {
                // Every draw is past this step.
                base += 1;
                continue;
            }
            if a == f64::INFINITY {
                // No draw reaches it, nor any later one.
                break;
            }
            edges.push([a, b]);
        }
        edges.push([f64::INFINITY; 2]);
        // Out of order means a wiggle larger than `slack`: the argument above does not hold.
        // (Edges are never NaN.)
        let flat: Vec<f64> = edges.iter().flatten().copied().collect();
        if flat.windows(2).any(|w| w[0] > w[1]) {
            return None;
        }
        let mut start = Box::new([0u16; BUCKETS]);
        for (i, s) in start.iter_mut().enumerate() {
            let lo = i as f64 / BUCKETS as f64;
            *s = edges.iter().take_while(|e| e[1] <= lo).count() as u16;
        }
        Some(Steps {
            base,
            edges: edges.into(),
            start,
        })
    }
}

/// Smallest positive double: the bottom of the range of draws.
const LOWEST: f64 = f64::from_bits(1);

/// Bisection over the bit patterns of the doubles in (0, 1) (ordered as their values): a `u`
/// with `q(u) > t` whose predecessor has `q <= t`; `LOWEST` if `q(LOWEST) > t`, infinity if
/// `q <= t` at the largest double below 1.
fn first_above(q: &impl Fn(f64) -> f64, t: f64) -> f64 {
    // (A NaN quantile counts as not above, as it is not in `q(u) > k`.)
    let above = |bits: u64| q(f64::from_bits(bits)) > t;
    let (mut lo, mut hi) = (1u64, 1f64.to_bits() - 1);
    if above(lo) {
        return LOWEST;
    }
    if !above(hi) {
        return f64::INFINITY;
    }
    // Invariant: q(lo) <= t < q(hi).
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if above(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    f64::from_bits(hi)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dist::Dist;

    #[test]
    fn ceil_weeks_is_ceil() {
        let mut xs = vec![
            0.0, -0.0, 0.5, 1.0, 1.5, 2.5, 3.0, 3.4999, 1e-300, 4.0e15, 9e18,
        ];
        for i in 0..100_000 {
            let x = i as f64 * 0.0137;
            xs.extend([x, f64::from_bits(x.to_bits() + 1), (i / 7) as f64]);
            xs.push(f64::from_bits((x.to_bits() + 1).max(1)) * 1e9);
        }
        for x in [3.999e15, 4.5e15 - 1.0, 2f64.powi(51) + 0.5] {
            xs.extend([x, f64::from_bits(x.to_bits() - 1)]);
        }
        for x in xs {
            assert_eq!(ceil_weeks(x), libm::ceil(x) as usize, "{x:e}");
        }
    }

    fn forms() -> Vec<Dist> {
        vec![
            Dist::Pert {
                min: 3.0,
                mode: 6.0,
                max: 16.0,
            },
            Dist::Triangular {
                min: 2.0,
                mode: 4.0,
                max: 10.0,
            },
            Dist::Uniform {
                min: 4.0,
                max: 20.0,
            },
            Dist::LognormalRange {
                p5: 12.0,
                p95: 40.0,
            },
            Dist::LognormalSpread {
                median: 3.0,
                spread: 4.0,
            },
            Dist::Normal { mean: 5.0, sd: 3.0 },
            Dist::Triangular {
                min: 0.0,
                mode: 0.0,
                max: 7.0,
            },
            Dist::Pert {
                min: 1.0,
                mode: 1.5,
                max: 2.0,
            },
            Dist::Beta {
                alpha: 0.5,
                beta: 0.5,
            },
            Dist::Fixed(2.0),
            Dist::Fixed(2.5),
            Dist::Uniform {
                min: 0.25,
                max: 300.0,
            },
        ]
    }

    /// Every `u` the table must get right: random draws (as `keyed_open01` makes them and over
    /// the whole range of doubles), both ends, and a few doubles either side of every edge.
    fn probes(steps: &LeadSteps, seed: u64) -> Vec<f64> {
        let mut z = seed;
        let mut next = move || {
            z = z
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            z ^ (z >> 29)
        };
        let mut us: Vec<f64> = (0..300_000)
            .map(|_| ((next() >> 12) as f64 + 0.5) / (1u64 << 52) as f64)
            .collect();
        // Any double in (0, 1) (mostly tiny ones): a random bit pattern below 1.0's.
        us.extend((0..300_000).map(|_| f64::from_bits((next() >> 2) % 1f64.to_bits())));
        us.extend([LOWEST, 1f64.next_down(), 0.5, 0.25, 1.0 / BUCKETS as f64]);
        for i in 0..BUCKETS {
            let lo = i as f64 / BUCKETS as f64;
            us.extend([lo, lo.next_down(), lo.next_up()]);
        }
        let t = steps.table.as_ref().expect("tabulated");
        for e in t.edges.iter().flatten().filter(|e| e.is_finite()) {
            let mut x = *e;
            let mut y = *e;
            for _ in 0..40 {
                us.extend([x, y]);
                x = x.next_up();
                y = y.next_down();
            }
            // And across the guard, from the far side of one edge to the other.
            us.extend([e * (1.0 + 1e-9), e * (1.0 - 1e-9)]);
        }
        us.retain(|&u| u > 0.0 && u < 1.0);
        us
    }

    #[test]
    fn table_gives_the_direct_offset() {
        for (n, d) in forms().into_iter().enumerate() {
            for weeks in [104, 12, 1] {
                let lead = d.compile();
                let steps = LeadSteps::new(&lead, weeks);
                assert!(steps.tabulated(), "{d:?}");
                let t = steps.table.as_ref().unwrap();
                let guarded = |u: f64| t.edges.iter().any(|e| e[0] <= u && u < e[1]);
                let us = probes(&steps, n as u64 * 31 + weeks as u64);
                for &u in &us {
                    let want = ceil_weeks(lead.quantile(u).max(0.0)).min(weeks);
                    assert_eq!(steps.offset(u), want, "{d:?} weeks {weeks} u {u:e}");
                }
                // The direct path is for slivers around the edges, not for ordinary draws
                // (here the first 300,000 probes, made as `keyed_open01` makes them).
                let fallbacks = us[..300_000].iter().filter(|&&u| guarded(u)).count();
                assert!(fallbacks <= 2, "{d:?}: {fallbacks}");
            }
        }
    }

    #[test]
    fn steps_cover_the_lead_time() {
        let steps = LeadSteps::new(
            &Dist::Pert {
                min: 3.0,
                mode: 6.0,
                max: 16.0,
            }
            .compile(),
            104,
        );
        let t = steps.table.as_ref().unwrap();
        // Offsets from 3 (q at the smallest draws is 3 or a hair above) up to 16, one step per
        // week; the step to 17 is never taken (q reaches 16 at most), but q comes within a
        // hair of 16 at the top, so its `a` is there and its `b` is not.
        assert_eq!(t.base, 3);
        let n = t.edges.len() - 1;
        assert_eq!(t.base + n, 17);
        assert!(t.edges[n - 1][0] > 0.999 && t.edges[n - 1][1] == f64::INFINITY);
        assert_eq!(steps.offset(0.5), steps.direct(0.5));
        assert_eq!(steps.offset(1f64.next_down()), 16);
        // Capped at the horizon.
        let short = LeadSteps::new(&Dist::Fixed(30.0).compile(), 10);
        assert_eq!(short.offset(0.3), 10);
    }
}
