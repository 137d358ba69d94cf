//! Sums over weeks in four interleaved lanes.
//!
//! A sum taken in week order is a chain of dependent additions, one add's latency per week.
//! Four lanes (weeks 0, 4, 8, ... in the first, 1, 5, 9, ... in the second, and so on) are four
//! independent chains that a single vector add advances together, so a pass can take many sums
//! at a few instructions per four weeks. The lanes are combined as `(l0 + l1) + (l2 + l3)`.
//! This grouping is part of the engine's definition: it is written out here, not left to the
//! compiler, so every target (AVX2, SSE2, wasm SIMD128, scalar) gets the same bits.

/// Four partial sums.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Lanes([f64; 4]);

impl Lanes {
    /// Add four consecutive weeks, one to each lane.
    #[inline(always)]
    pub fn add(&mut self, x: &[f64; 4]) {
        for (l, v) in self.0.iter_mut().zip(x) {
            *l += v;
        }
    }

    /// Add the weeks after the last whole group of four (fewer than four), to the first lanes.
    #[inline(always)]
    pub fn add_tail(&mut self, x: &[f64]) {
        for (l, v) in self.0.iter_mut().zip(x) {
            *l += v;
        }
    }

    pub fn total(self) -> f64 {
        let [a, b, c, d] = self.0;
        (a + b) + (c + d)
    }
}

/// The lane sum of a series.
pub(crate) fn sum(x: &[f64]) -> f64 {
    let (body, tail) = x.as_chunks::<4>();
    let mut lanes = Lanes::default();
    for four in body {
        lanes.add(four);
    }
    lanes.add_tail(tail);
    lanes.total()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition, week by week.
    fn reference(x: &[f64]) -> f64 {
        let mut lane = [0.0; 4];
        for (w, v) in x.iter().enumerate() {
            lane[w % 4] += v;
        }
        (lane[0] + lane[1]) + (lane[2] + lane[3])
    }

    #[test]
    fn sum_is_the_lane_definition() {
        // Values whose sum depends on the order of the additions.
        let x: Vec<f64> = (0..107)
            .map(|i| (i as f64 * 0.731).sin() * 10f64.powi(i % 7 - 3))
            .collect();
        for n in [0, 1, 3, 4, 5, 8, 103, 104, 107] {
            assert_eq!(sum(&x[..n]).to_bits(), reference(&x[..n]).to_bits(), "{n}");
        }
        let in_order = x.iter().fold(0.0, |s, v| s + v);
        assert_ne!(
            sum(&x).to_bits(),
            in_order.to_bits(),
            "the test needs rounding to differ"
        );
        assert_eq!(sum(&[]), 0.0);
    }
}
