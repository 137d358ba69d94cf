//! Small statistics helpers: moments with standard errors, percentiles, tail means.

/// Running sum and sum of squares of a per-path quantity.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Moments {
    pub sum: f64,
    pub sumsq: f64,
}

impl Moments {
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.sum += x;
        self.sumsq += x * x;
    }

    pub fn merge(&mut self, o: &Moments) {
        self.sum += o.sum;
        self.sumsq += o.sumsq;
    }

    /// (mean, standard error of the mean) over n paths.
    pub fn mean_se(&self, n: u32) -> (f64, f64) {
        if n == 0 {
            return (0.0, 0.0);
        }
        let n = n as f64;
        let mean = self.sum / n;
        if n < 2.0 {
            return (mean, 0.0);
        }
        let var = ((self.sumsq - n * mean * mean) / (n - 1.0)).max(0.0);
        (mean, libm::sqrt(var / n))
    }
}

/// (p, standard error) of a proportion.
pub(crate) fn proportion(count: u32, n: u32) -> (f64, f64) {
    if n == 0 {
        return (0.0, 0.0);
    }
    let p = count as f64 / n as f64;
    (p, libm::sqrt(p * (1.0 - p) / n as f64))
}

/// Linear-interpolation percentile (type 7) of sorted data.
pub(crate) fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let h = q * (n - 1) as f64;
            let i = (h as usize).min(n - 2);
            sorted[i] + (sorted[i + 1] - sorted[i]) * (h - i as f64)
        }
    }
}

/// Mean of the worst `1 - level` share of sorted data and its approximate standard error.
pub(crate) fn cvar(sorted: &[f64], level: f64) -> (f64, f64) {
    let n = sorted.len();
    if n == 0 {
        return (0.0, 0.0);
    }
    // The small offset keeps 100 x 0.05 (= 5.000000000000004) at 5.
    let k = ((n as f64 * (1.0 - level) - 1e-9).ceil() as usize).clamp(1, n);
    let tail = &sorted[n - k..];
    let mut m = Moments::default();
    for &x in tail {
        m.add(x);
    }
    m.mean_se(k as u32)
}

pub(crate) fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_unstable_by(f64::total_cmp);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_interpolates() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile(&s, 0.5), 3.0);
        assert_eq!(percentile(&s, 0.9), 4.6);
        assert_eq!(percentile(&s, 1.0), 5.0);
    }

    #[test]
    fn cvar_is_tail_mean() {
        let s: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(cvar(&s, 0.95).0, 98.0);
    }

    #[test]
    fn moments_se() {
        let mut m = Moments::default();
        for x in [1.0, 2.0, 3.0, 4.0] {
            m.add(x);
        }
        let (mean, se) = m.mean_se(4);
        assert_eq!(mean, 2.5);
        assert!((se - (5.0f64 / 3.0 / 4.0).sqrt()).abs() < 1e-12);
    }
}
