//! Numbers for people: `$1.23M`, `12.3%`, `1,234,567`, with standard errors as `± x`.
//!
//! Three significant digits is what a planner can act on; the JSON output keeps full precision.

/// Money with a K/M/B suffix above $1,000, cents below $100: `$1.23M`, `$456K`, `$2.13`.
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    format!("{sign}${}", magnitude(x.abs(), 2))
}

/// A count with thousands separators and fewer decimals as it grows: `1,234`, `12.3`, `1.23`.
pub fn count(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    let a = x.abs();
    let body = if a >= 100.0 || a == 0.0 {
        thousands(a.round())
    } else if a >= 10.0 {
        format!("{a:.1}")
    } else {
        format!("{a:.2}")
    };
    if x < 0.0 && !body.trim_start_matches(['0', '.', ',']).is_empty() {
        format!("-{body}")
    } else {
        body
    }
}

/// A probability as a percentage: `12.3%`; tiny non-zero values keep two significant digits so
/// they do not read as zero.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".into();
    }
    let v = p * 100.0;
    let plain = format!("{v:.1}");
    if v != 0.0 && plain.trim_start_matches('-') == "0.0" {
        let decimals = (-v.abs().log10().floor()) as usize + 1;
        format!("{v:.decimals$}%")
    } else {
        format!("{plain}%")
    }
}

/// `value ± se` with the same formatter on both sides.
pub fn pm(value: f64, se: f64, f: fn(f64) -> String) -> String {
    format!("{} ± {}", f(value), f(se))
}

/// Integers with thousands separators.
pub fn int(n: u64) -> String {
    thousands(n as f64)
}

fn thousands(x: f64) -> String {
    let digits = format!("{x:.0}");
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Three significant digits with a suffix; `small_decimals` is used below 100 (cents for money).
fn magnitude(a: f64, small_decimals: usize) -> String {
    const UNITS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "K")];
    if a < 100.0 {
        return format!("{a:.small_decimals$}");
    }
    if a < 1e3 {
        return format!("{a:.0}");
    }
    // `a >= 1e3` here, so some unit always matches.
    let i = UNITS
        .iter()
        .position(|&(scale, _)| a >= scale)
        .unwrap_or(UNITS.len() - 1);
    let s = sig3(a / UNITS[i].0);
    // 999.6K rounds to "1000K": say "1.00M" instead.
    if s.starts_with("1000") && i > 0 {
        return format!("{}{}", sig3(a / UNITS[i - 1].0), UNITS[i - 1].1);
    }
    format!("{s}{}", UNITS[i].1)
}

fn sig3(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_scales() {
        assert_eq!(money(1_234_567.0), "$1.23M");
        assert_eq!(money(456_000.0), "$456K");
        assert_eq!(money(999_600.0), "$1.00M");
        assert_eq!(money(2.126), "$2.13");
        assert_eq!(money(512.4), "$512");
        assert_eq!(money(-3.2e9), "-$3.20B");
        assert_eq!(money(0.0), "$0.00");
        assert_eq!(money(f64::NAN), "n/a");
    }

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(1_234_567.4), "1,234,567");
        assert_eq!(count(12.34), "12.3");
        assert_eq!(count(1.234), "1.23");
        assert_eq!(count(0.0), "0");
        assert_eq!(count(-1500.0), "-1,500");
        assert_eq!(int(1000), "1,000");
        assert_eq!(int(999), "999");
    }

    #[test]
    fn percentages() {
        assert_eq!(pct(0.123), "12.3%");
        assert_eq!(pct(0.0), "0.0%");
        assert_eq!(pct(1.0), "100.0%");
        assert_eq!(pct(0.00042), "0.042%");
        assert_eq!(pct(0.000999), "0.1%");
        assert_eq!(pm(0.5, 0.01, pct), "50.0% ± 1.0%");
    }
}
