//! Human-friendly numbers for tick labels and annotations: `$1.2M`, `45%`, `12k`.
//!
//! Board audiences read magnitudes, not digits, so values are shortened to at most three
//! significant digits with a k/M/B/T suffix. Non-finite input prints as an em dash rather than
//! `NaN`, which would look like a bug on a slide.

/// `1234567.0` -> `1.23M`; `950.0` -> `950`; `-1500.0` -> `-1.5k`.
pub(crate) fn compact(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let sign = if value < 0.0 { "-" } else { "" };
    let abs = value.abs();
    const STEPS: [(f64, &str); 4] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")];
    for (scale, suffix) in STEPS {
        // Round first so 999_999 prints as 1M rather than 1000k.
        if abs >= scale * 0.9995 {
            let scaled = abs / scale;
            if scaled >= 1e4 {
                return format!("{sign}{abs:.1e}");
            }
            return format!("{sign}{}{suffix}", significant(scaled));
        }
    }
    if abs == 0.0 {
        return "0".to_owned();
    }
    format!("{sign}{}", significant(abs))
}

/// Money in dollars: `$1.2M`, `-$350k`.
pub(crate) fn money(value: f64) -> String {
    let text = compact(value);
    match text.strip_prefix('-') {
        Some(rest) => format!("-${rest}"),
        None if value.is_finite() => format!("${text}"),
        None => text,
    }
}

/// A percentage already in percent units: `45` -> `45%`, `2.5` -> `2.5%`.
pub(crate) fn percent(value: f64) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    format!("{}%", significant(value))
}

/// An integer with thousands separators: `10000` -> `10,000`.
pub(crate) fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Three significant digits at most, trailing zeros trimmed; at least integer precision.
fn significant(value: f64) -> String {
    let abs = value.abs();
    let decimals = if abs >= 100.0 || abs == 0.0 {
        0
    } else if abs >= 10.0 {
        1
    } else if abs >= 1.0 {
        2
    } else {
        // Small percentages (0.05%) still deserve two significant digits.
        let digits = (-abs.log10()).floor() as usize;
        (digits + 2).min(6)
    };
    let text = format!("{value:.decimals$}");
    let text = if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        text
    };
    if text == "-0" { "0".to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_numbers() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(950.0), "950");
        assert_eq!(compact(12_000.0), "12k");
        assert_eq!(compact(1_250_000.0), "1.25M");
        assert_eq!(compact(999_999.0), "1M");
        assert_eq!(compact(-1500.0), "-1.5k");
        assert_eq!(compact(3.2e9), "3.2B");
        assert_eq!(compact(f64::NAN), "—");
        assert!(!compact(1e300).contains("inf"));
    }

    #[test]
    fn money_and_percent() {
        assert_eq!(money(1_200_000.0), "$1.2M");
        assert_eq!(money(-350_000.0), "-$350k");
        assert_eq!(percent(45.0), "45%");
        assert_eq!(percent(2.5), "2.5%");
        assert_eq!(percent(0.05), "0.05%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
    }
}
