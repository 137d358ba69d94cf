//! Weekly histograms: P10/P50/P90 bands per week without keeping a paths x weeks matrix.
//!
//! Bins are log-linear, like HDR histograms: 16 equal bins per power of two over 32 powers of two
//! centred on a scale taken from the scenario, so each bin is at most 6.25% wide and the bin of a
//! value comes from its floating-point bits with no logarithm. Counts are integers, so merging is
//! exact in any order. Values outside the range land in the end bins.
//!
//! A chunk's histograms count in `u16` (a chunk has at most `CHUNK_PATHS` paths): half the
//! memory that every chunk allocates and that the weekly loop touches at random.
//!
//! A path's values are not counted as they come (`add_path`): their bins wait in `pending`
//! until `BATCH` paths have arrived, and are then counted week by week (`flush`). One path
//! touches a different row (1 KB) every week, and a run's histograms are larger than the L1
//! cache; week by week, a row is hit `BATCH` times while it is there. On bench.toml the cost
//! histograms took 9.6 ms of 164 when counted path by path, and a third less batched.
//! Counts are integers: the order they are added in changes nothing.

const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
const OCTAVES: usize = 32;
pub(crate) const BINS: usize = SUB * OCTAVES;
/// Counts stored per week: the bins, then padding (which also holds the pending markers). With
/// rows of exactly 512 counts every week's row starts at the same offset modulo 4 KB, so the
/// same bin of neighbouring weeks shares a few L1 cache sets; the padding spreads them (about
/// 1 ms of 167 on bench.toml).
const ROW: usize = BINS + 32;
/// Pending markers, in the padding: a value that counts as a zero, and a week with no value.
const ZERO: usize = BINS;
const SKIP: usize = BINS + 1;
/// Paths whose bins wait before they are counted (8 and 64 measured the same).
const BATCH: usize = 16;

/// A bin count: `u16` in a chunk, `u32` once merged.
pub(crate) trait Count: Copy + Default + Into<u32> + std::fmt::Debug {
    fn increment(&mut self);
}

impl Count for u16 {
    #[inline(always)]
    fn increment(&mut self) {
        *self += 1;
    }
}

impl Count for u32 {
    #[inline(always)]
    fn increment(&mut self) {
        *self += 1;
    }
}

const _: () = assert!(crate::CHUNK_PATHS <= u16::MAX as u32);

/// One histogram per week, stored flat.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct WeeklyHist<C = u32> {
    /// Lower edge of the range: scale / 2^16.
    lo: f64,
    inv_lo: f64,
    /// Count of exact zeros per week (a portfolio with no spend that week).
    zeros: Vec<u32>,
    counts: Vec<C>,
    /// Bins (or `ZERO`, `SKIP`) of paths not counted yet, path after path, `weeks` each.
    #[serde(skip)]
    pending: Vec<u16>,
}

impl<C: Count> WeeklyHist<C> {
    pub fn new(weeks: usize, scale: f64) -> Self {
        let lo = scale / (1u64 << (OCTAVES / 2)) as f64;
        WeeklyHist {
            lo,
            inv_lo: 1.0 / lo,
            zeros: vec![0; weeks],
            counts: vec![C::default(); weeks * ROW],
            pending: Vec::new(),
        }
    }

    /// One value of week `week` (the reference for `add_weeks`).
    #[cfg(test)]
    fn add(&mut self, week: usize, v: f64) {
        if v <= 0.0 || v.is_nan() {
            self.zeros[week] += 1;
            return;
        }
        let r = v * self.inv_lo;
        let bin = if r < 1.0 {
            0
        } else {
            let bits = r.to_bits();
            let exp = ((bits >> 52) as i64 - 1023) as usize;
            let sub = ((bits >> (52 - SUB_BITS)) as usize) & (SUB - 1);
            (exp * SUB + sub).min(BINS - 1)
        };
        self.counts[week * ROW + bin].increment();
    }

    /// `add(w, values[w])` for every week (the reference for `add_path`).
    #[cfg(test)]
    pub fn add_weeks(&mut self, values: &[f64]) {
        for (w, &v) in values.iter().enumerate().take(self.zeros.len()) {
            self.add(w, v);
        }
    }

    /// `add_weeks(values)`, counted later: with the next `BATCH - 1` paths, or at `flush`.
    pub fn add_path(&mut self, values: &[f64]) {
        let weeks = self.zeros.len();
        let start = self.pending.len();
        self.pending.resize(start + weeks, SKIP as u16);
        let inv_lo = self.inv_lo;
        for (b, &v) in self.pending[start..].iter_mut().zip(values) {
            // (NaN is not above 0 either.)
            let bin = if v > 0.0 {
                bin_of_positive(v, inv_lo)
            } else {
                ZERO
            };
            *b = bin as u16;
        }
        if self.pending.len() >= BATCH * weeks {
            self.flush();
        }
    }

    /// Count the pending paths, week by week.
    pub fn flush(&mut self) {
        let weeks = self.zeros.len();
        if weeks > 0 {
            let rows = self.counts.as_chunks_mut::<ROW>().0;
            for (w, (row, zeros)) in rows.iter_mut().zip(self.zeros.iter_mut()).enumerate() {
                for path in self.pending.chunks_exact(weeks) {
                    row[usize::from(path[w])].increment();
                }
                *zeros += row[ZERO].into();
                (row[ZERO], row[SKIP]) = (C::default(), C::default());
            }
        }
        self.pending.clear();
    }

    /// Whether every path added has been counted.
    pub fn flushed(&self) -> bool {
        self.pending.is_empty()
    }

    /// Whether this histogram has the layout of `WeeklyHist::new(weeks, scale)`.
    pub fn fits(&self, weeks: usize, scale: f64) -> bool {
        let like = WeeklyHist::<u32>::new(0, scale);
        self.lo.to_bits() == like.lo.to_bits()
            && self.inv_lo.to_bits() == like.inv_lo.to_bits()
            && self.zeros.len() == weeks
            && Some(self.counts.len()) == weeks.checked_mul(ROW)
    }

    /// Whether every week holds exactly `paths` values (true of any chunk's histogram).
    pub fn counts_paths(&self, paths: u32) -> bool {
        let paths = u64::from(paths);
        self.zeros
            .iter()
            .zip(self.counts.chunks_exact(ROW))
            .all(|(&z, bins)| {
                u64::from(z) + bins.iter().map(|&c| u64::from(c.into())).sum::<u64>() == paths
            })
    }

    fn edge(&self, bin: usize) -> f64 {
        let (exp, sub) = (bin / SUB, bin % SUB);
        self.lo * (1u64 << exp) as f64 * (1.0 + sub as f64 / SUB as f64)
    }

    /// The q-quantile of week `week`, interpolated linearly inside its bin.
    pub fn quantile(&self, week: usize, q: f64) -> f64 {
        let row = &self.counts[week * ROW..week * ROW + BINS];
        let zeros = self.zeros[week] as f64;
        let total = zeros + row.iter().map(|&c| f64::from(c.into())).sum::<f64>();
        if total == 0.0 {
            return 0.0;
        }
        let target = q * total;
        if target <= zeros {
            return 0.0;
        }
        let mut cum = zeros;
        for (bin, &c) in row.iter().enumerate() {
            let c = f64::from(c.into());
            if c > 0.0 && cum + c >= target {
                let f = (target - cum) / c;
                let (a, b) = (self.edge(bin), self.edge(bin + 1));
                return a + (b - a) * f;
            }
            cum += c;
        }
        self.edge(BINS)
    }
}

/// The bin of `v > 0`, where `inv_lo` is 1 / the range's lower edge. The value in units of
/// `lo` is first clamped to [1, 2^OCTAVES) (two float instructions; there is no NaN to care
/// about), so that its exponent and top SUB_BITS of mantissa, (exponent + 1023) * SUB + sub,
/// are the bin plus a constant.
#[inline(always)]
fn bin_of_positive(v: f64, inv_lo: f64) -> usize {
    // The largest value below 2^OCTAVES: exponent OCTAVES - 1, mantissa all ones.
    const TOP: f64 = f64::from_bits(((1023 + OCTAVES as u64) << 52) - 1);
    let r = v * inv_lo;
    let r = if r > 1.0 { r } else { 1.0 };
    let r = if r < TOP { r } else { TOP };
    let top = (r.to_bits() >> (52 - SUB_BITS)) as usize;
    // In 0..BINS already; the mask only lets the compiler see it.
    (top - (1023 << SUB_BITS)) & (BINS - 1)
}

impl WeeklyHist<u32> {
    pub fn merge<C: Count>(&mut self, other: &WeeklyHist<C>) {
        debug_assert!(
            other.flushed(),
            "a chunk's histogram is merged before it is flushed"
        );
        for (a, b) in self.zeros.iter_mut().zip(&other.zeros) {
            *a += b;
        }
        // Most bins of a chunk are empty: runs of them are skipped after one test.
        const RUN: usize = 16;
        let (ours, rest) = self.counts.as_chunks_mut::<RUN>();
        let (theirs, their_rest) = other.counts.as_chunks::<RUN>();
        for (a, b) in ours.iter_mut().zip(theirs) {
            if b.iter().fold(0, |any, &c| any | c.into()) != 0 {
                for (a, &b) in a.iter_mut().zip(b) {
                    *a += b.into();
                }
            }
        }
        for (a, &b) in rest.iter_mut().zip(their_rest) {
            *a += b.into();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bin() {
        let mut h = WeeklyHist::<u32>::new(1, 100.0);
        for i in 1..=1000 {
            h.add(0, i as f64);
        }
        for (q, exact) in [(0.1, 100.0), (0.5, 500.0), (0.9, 900.0)] {
            let est = h.quantile(0, q);
            assert!((est - exact).abs() / exact < 0.02, "q{q}: {est} vs {exact}");
        }
    }

    #[test]
    fn add_path_counts_like_add() {
        let values = [
            0.0,
            1e-30,
            0.5,
            1.0,
            3.7,
            100.0,
            1e3,
            6.5e5,
            1e12,
            f64::INFINITY,
            -2.0,
        ];
        // Around both ends of the range (lo = 100 / 2^16, top = lo * 2^32), and a sweep over
        // every bin and beyond, including the bins' edges.
        let lo: f64 = 100.0 / 65536.0;
        let top = lo * 4_294_967_296.0;
        let mut values = values.to_vec();
        for x in [lo, top] {
            let below = f64::from_bits(x.to_bits() - 1);
            let above = f64::from_bits(x.to_bits() + 1);
            values.extend([below, x, above]);
        }
        values.extend([f64::MAX, f64::MIN_POSITIVE, 5e-324, f64::NAN, -0.0]);
        let mut v = lo / 4.0;
        while v < top * 4.0 {
            values.extend([v, v * 1.0000001, f64::from_bits(v.to_bits() - 1)]);
            v *= 1.0 + 1.0 / 32.0;
        }
        // Paths are the values rotated, so every week sees many bins, some paths cut short (their
        // last weeks have no value); a number of paths that is not a multiple of `BATCH`.
        let weeks = values.len();
        let mut a = WeeklyHist::<u32>::new(weeks, 100.0);
        let mut b = WeeklyHist::<u16>::new(weeks, 100.0);
        for path in 0..(3 * BATCH + 5) {
            let mut row = values.clone();
            row.rotate_left(path * 7 % weeks);
            row.truncate(if path % 4 == 3 { weeks - 9 } else { weeks });
            for (w, &v) in row.iter().enumerate() {
                a.add(w, v);
            }
            b.add_path(&row);
        }
        assert!(!b.flushed());
        b.flush();
        assert!(b.flushed());
        assert_eq!(a.zeros, b.zeros);
        let wide: Vec<u32> = b.counts.iter().map(|&c| c.into()).collect();
        assert_eq!(a.counts, wide, "the padding is left empty too");
    }

    #[test]
    fn merge_adds_every_bin() {
        let mut a = WeeklyHist::<u32>::new(3, 10.0);
        let mut b = WeeklyHist::<u16>::new(3, 10.0);
        for (i, c) in a.counts.iter_mut().enumerate() {
            *c = (i % 7) as u32;
        }
        // Sparse, including the first and last bin and lone counts inside runs.
        for i in (0..b.counts.len()).filter(|i| i % 37 == 0 || i % 16 == 15) {
            b.counts[i] = (i % 1000) as u16 + 1;
        }
        let want: Vec<u32> = a
            .counts
            .iter()
            .zip(&b.counts)
            .map(|(&x, &y)| x + u32::from(y))
            .collect();
        a.merge(&b);
        assert_eq!(a.counts, want);
    }

    #[test]
    fn zeros_and_merge() {
        let mut a = WeeklyHist::<u32>::new(2, 10.0);
        let mut b = WeeklyHist::<u16>::new(2, 10.0);
        a.add(1, 0.0);
        b.add(1, 5.0);
        a.merge(&b);
        assert_eq!(a.quantile(1, 0.25), 0.0);
        assert!((a.quantile(1, 1.0) - 5.0).abs() < 0.5);
        assert_eq!(a.quantile(0, 0.5), 0.0);
    }
}
