//! What an embed shows, read from the page's query string: `?embed=chart:demand-fan`,
//! `?embed=kpi:2` (the second portfolio's KPI card) or `?embed=comparisons`.
//!
//! Pure, so the parsing (and its error messages for whatever a wiki or a person typed into
//! the URL) is unit-tested natively.

use std::fmt;

use crate::dashboard::chart_grid::SPECS;

/// Name of the query parameter that switches the page into embed mode.
pub const PARAM: &str = "embed";

/// Highest portfolio number accepted in `kpi:N`; far above what a scenario can hold, it only
/// keeps the number small.
const MAX_KPI: usize = 10_000;

/// One thing an embed shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EmbedTarget {
    /// One dashboard chart, by its file name (`demand-fan`, see `chart_grid::SPECS`).
    Chart(&'static str),
    /// The KPI card of one portfolio, as a 0-based index into the report's portfolios
    /// (written 1-based in the URL: `kpi:1` is the first portfolio, as people count).
    Kpi(usize),
    /// The paired comparisons table.
    Comparisons,
}

impl EmbedTarget {
    /// The parameter value that [`EmbedTarget::parse`] reads back.
    pub fn param(&self) -> String {
        match self {
            EmbedTarget::Chart(name) => format!("chart:{name}"),
            EmbedTarget::Kpi(i) => format!("kpi:{}", i + 1),
            EmbedTarget::Comparisons => "comparisons".into(),
        }
    }

    /// Reads a parameter value (already percent-decoded).
    pub fn parse(value: &str) -> Result<Self, EmbedError> {
        let error = |why: String| EmbedError {
            value: value.to_owned(),
            why,
        };
        let trimmed = value.trim();
        let (kind, arg) = match trimmed.split_once(':') {
            Some((k, a)) => (k.trim(), Some(a.trim())),
            None => (trimmed, None),
        };
        match (kind.to_ascii_lowercase().as_str(), arg) {
            ("chart", Some(name)) => chart_names()
                .find(|n| n.eq_ignore_ascii_case(name))
                .map(EmbedTarget::Chart)
                .ok_or_else(|| error(format!("there is no chart called \"{name}\""))),
            ("chart", None) => Err(error("which chart? (chart:NAME)".into())),
            ("kpi", Some(n)) => match n.parse::<usize>() {
                Ok(0) => Err(error("portfolios are numbered from 1".into())),
                Ok(n) if n <= MAX_KPI => Ok(EmbedTarget::Kpi(n - 1)),
                _ => Err(error(format!("\"{n}\" is not a portfolio number"))),
            },
            ("kpi", None) => Err(error("which portfolio? (kpi:1 is the first)".into())),
            ("comparisons", None) => Ok(EmbedTarget::Comparisons),
            ("", _) => Err(error("nothing was named".into())),
            _ => Err(error("this is not something Headroom can embed".into())),
        }
    }

    /// A sensible iframe size (width, height in CSS pixels) for this target.
    pub fn default_size(&self) -> (u32, u32) {
        match self {
            EmbedTarget::Chart(name) if chart(name).is_some_and(|s| s.wide) => (800, 380),
            EmbedTarget::Chart(_) => (640, 420),
            EmbedTarget::Kpi(_) => (360, 360),
            EmbedTarget::Comparisons => (760, 280),
        }
    }
}

/// A chart's spec by its embed name.
pub fn chart(name: &str) -> Option<&'static crate::dashboard::chart_grid::Spec> {
    SPECS.iter().find(|s| s.file == name)
}

/// The names `chart:NAME` accepts.
pub fn chart_names() -> impl Iterator<Item = &'static str> {
    SPECS.iter().map(|s| s.file)
}

/// An `embed` parameter that names nothing Headroom can show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmbedError {
    /// What the URL said (untrusted: shown as text only).
    pub value: String,
    /// Why it is not usable.
    pub why: String,
}

impl fmt::Display for EmbedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hostile URL could be very long: the message quotes only its start.
        let shown: String = self.value.chars().take(60).collect();
        let more = if shown.len() < self.value.len() {
            "…"
        } else {
            ""
        };
        let names = chart_names().collect::<Vec<_>>().join(", ");
        write!(
            f,
            "This embed cannot be shown: embed=\"{shown}{more}\": {}. Use chart:NAME (NAME is \
             one of {names}), kpi:N (N = 1 for the first portfolio) or comparisons.",
            self.why
        )
    }
}

/// The embed target of a query string (`?a=1&embed=chart%3Acost-distribution`): `None` when
/// the page is not an embed, else the target or why it is unusable.
pub fn from_query(search: &str) -> Option<Result<EmbedTarget, EmbedError>> {
    let search = search.strip_prefix('?').unwrap_or(search);
    search
        .split('&')
        .filter_map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key) == PARAM).then(|| percent_decode(value))
        })
        .next()
        .map(|value| EmbedTarget::parse(&value))
}

/// Decodes `%XX` escapes and `+` (form encoding) of a query component; invalid escapes and
/// invalid UTF-8 are kept or replaced, never an error (the value is checked afterwards).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_round_trips_through_its_parameter() {
        let mut all: Vec<EmbedTarget> = chart_names().map(EmbedTarget::Chart).collect();
        all.extend([
            EmbedTarget::Kpi(0),
            EmbedTarget::Kpi(6),
            EmbedTarget::Comparisons,
        ]);
        for t in all {
            assert_eq!(EmbedTarget::parse(&t.param()), Ok(t), "{}", t.param());
            let query = format!("?embed={}", t.param());
            assert_eq!(from_query(&query), Some(Ok(t)));
        }
        assert_eq!(EmbedTarget::Kpi(1).param(), "kpi:2");
    }

    #[test]
    fn queries_without_embed_are_not_embeds() {
        assert_eq!(from_query(""), None);
        assert_eq!(from_query("?"), None);
        assert_eq!(from_query("?embedded=1&x=chart:demand-fan"), None);
    }

    #[test]
    fn encoded_and_decorated_values_are_read() {
        assert_eq!(
            from_query("?lang=en&embed=chart%3ACost-Distribution&x"),
            Some(Ok(EmbedTarget::Chart("cost-distribution")))
        );
        assert_eq!(from_query("embed=+kpi+:+3"), Some(Ok(EmbedTarget::Kpi(2))));
        assert_eq!(
            from_query("?embed=COMPARISONS"),
            Some(Ok(EmbedTarget::Comparisons))
        );
    }

    #[test]
    fn garbage_gives_a_clear_message() {
        for (query, why) in [
            ("?embed=", "nothing was named"),
            ("?embed", "nothing was named"),
            ("?embed=chart", "which chart"),
            ("?embed=chart:pie", "no chart called \"pie\""),
            ("?embed=kpi", "which portfolio"),
            ("?embed=kpi:0", "numbered from 1"),
            ("?embed=kpi:-1", "not a portfolio number"),
            (
                "?embed=kpi:99999999999999999999999",
                "not a portfolio number",
            ),
            ("?embed=comparisons:1", "not something Headroom can embed"),
            ("?embed=%3Cscript%3E", "not something Headroom can embed"),
            ("?embed=%ZZ%", "not something Headroom can embed"),
        ] {
            let err = from_query(query).unwrap().unwrap_err();
            let text = err.to_string();
            assert!(text.contains(why), "{query}: {text}");
            assert!(
                text.contains("demand-fan") && text.contains("kpi:N"),
                "{text}"
            );
        }
        let err = from_query("?embed=%3Cimg%20src%3Dx%3E")
            .unwrap()
            .unwrap_err();
        assert_eq!(err.value, "<img src=x>");
        let long = format!("?embed={}", "x".repeat(500));
        assert!(from_query(&long).unwrap().unwrap_err().to_string().len() < 400);
    }

    #[test]
    fn default_sizes_fit_the_target() {
        let (w, h) = EmbedTarget::Chart("provider-mix").default_size();
        assert!(w > h * 2 - 100);
        assert!(EmbedTarget::Kpi(0).default_size().0 < 400);
    }

    #[test]
    fn percent_decoding_is_total() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
