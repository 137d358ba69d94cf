//! Number formatting for the dashboard: short, board-room friendly, never hiding the error.

/// `$12.3M`, `$950K`, `$1.20B`, `$310`.
pub fn money(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let (x, unit) = if a >= 1e9 {
        (a / 1e9, "B")
    } else if a >= 1e6 {
        (a / 1e6, "M")
    } else if a >= 1e3 {
        (a / 1e3, "K")
    } else {
        (a, "")
    };
    let digits = if unit.is_empty() || x >= 100.0 {
        0
    } else if x >= 10.0 {
        1
    } else {
        2
    };
    format!("{sign}${x:.digits$}{unit}")
}

/// A probability in percent with one decimal: `12.5%`.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    format!("{:.1}%", p * 100.0)
}

/// `± 0.4 pp` for the standard error of a probability.
pub fn pct_se(se: f64) -> String {
    format!("± {:.1} pp", se * 100.0)
}

/// A plain number with thousands separators and `digits` decimals.
pub fn num(v: f64, digits: usize) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let s = format!("{:.digits$}", v.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(money(12_345_678.0), "$12.3M");
        assert_eq!(money(1_200_000_000.0), "$1.20B");
        assert_eq!(money(950_000.0), "$950K");
        assert_eq!(money(-2_500.0), "-$2.50K");
        assert_eq!(money(310.4), "$310");
        assert_eq!(pct(0.125), "12.5%");
        assert_eq!(pct_se(0.004), "± 0.4 pp");
        assert_eq!(num(1_234_567.0, 0), "1,234,567");
        assert_eq!(num(-1234.5, 1), "-1,234.5");
        assert_eq!(num(f64::NAN, 0), "–");
    }
}
