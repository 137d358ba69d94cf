//! Weekly histograms: P10/P50/P90 bands per week without keeping a paths x weeks matrix.
//!
//! Bins are log-linear, like HDR histograms: 16 equal bins per power of two over 32 powers of two
//! centred on a scale taken from the scenario, so each bin is at most 6.25% wide and the bin of a
//! value comes from its floating-point bits with no logarithm. Counts are integers, so merging is
//! exact in any order. Values outside the range land in the end bins.

const SUB_BITS: u32 = 4;
const SUB: usize = 1 << SUB_BITS;
const OCTAVES: usize = 32;
pub(crate) const BINS: usize = SUB * OCTAVES;

/// One histogram per week, stored flat.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct WeeklyHist {
    /// Lower edge of the range: scale / 2^16.
    lo: f64,
    inv_lo: f64,
    /// Count of exact zeros per week (a portfolio with no spend that week).
    zeros: Vec<u32>,
    counts: Vec<u32>,
}

impl WeeklyHist {
    pub fn new(weeks: usize, scale: f64) -> Self {
        let lo = scale / (1u64 << (OCTAVES / 2)) as f64;
        WeeklyHist {
            lo,
            inv_lo: 1.0 / lo,
            zeros: vec![0; weeks],
            counts: vec![0; weeks * BINS],
        }
    }

    #[inline]
    pub fn add(&mut self, week: usize, v: f64) {
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
        self.counts[week * BINS + bin] += 1;
    }

    /// Whether this histogram has the layout of `WeeklyHist::new(weeks, scale)`.
    pub fn fits(&self, weeks: usize, scale: f64) -> bool {
        let like = WeeklyHist::new(0, scale);
        self.lo.to_bits() == like.lo.to_bits()
            && self.inv_lo.to_bits() == like.inv_lo.to_bits()
            && self.zeros.len() == weeks
            && Some(self.counts.len()) == weeks.checked_mul(BINS)
    }

    /// Whether every week holds exactly `paths` values (true of any chunk's histogram).
    pub fn counts_paths(&self, paths: u32) -> bool {
        let paths = u64::from(paths);
        self.zeros
            .iter()
            .zip(self.counts.chunks_exact(BINS))
            .all(|(&z, bins)| {
                u64::from(z) + bins.iter().map(|&c| u64::from(c)).sum::<u64>() == paths
            })
    }

    pub fn merge(&mut self, other: &WeeklyHist) {
        for (a, b) in self.zeros.iter_mut().zip(&other.zeros) {
            *a += b;
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    fn edge(&self, bin: usize) -> f64 {
        let (exp, sub) = (bin / SUB, bin % SUB);
        self.lo * (1u64 << exp) as f64 * (1.0 + sub as f64 / SUB as f64)
    }

    /// The q-quantile of week `week`, interpolated linearly inside its bin.
    pub fn quantile(&self, week: usize, q: f64) -> f64 {
        let row = &self.counts[week * BINS..(week + 1) * BINS];
        let zeros = self.zeros[week] as f64;
        let total = zeros + row.iter().map(|&c| c as f64).sum::<f64>();
        if total == 0.0 {
            return 0.0;
        }
        let target = q * total;
        if target <= zeros {
            return 0.0;
        }
        let mut cum = zeros;
        for (bin, &c) in row.iter().enumerate() {
            let c = c as f64;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_a_bin() {
        let mut h = WeeklyHist::new(1, 100.0);
        for i in 1..=1000 {
            h.add(0, i as f64);
        }
        for (q, exact) in [(0.1, 100.0), (0.5, 500.0), (0.9, 900.0)] {
            let est = h.quantile(0, q);
            assert!((est - exact).abs() / exact < 0.02, "q{q}: {est} vs {exact}");
        }
    }

    #[test]
    fn zeros_and_merge() {
        let mut a = WeeklyHist::new(2, 10.0);
        let mut b = WeeklyHist::new(2, 10.0);
        a.add(1, 0.0);
        b.add(1, 5.0);
        a.merge(&b);
        assert_eq!(a.quantile(1, 0.25), 0.0);
        assert!((a.quantile(1, 1.0) - 5.0).abs() < 0.5);
        assert_eq!(a.quantile(0, 0.5), 0.0);
    }
}
