//! One CSV row per portfolio with the headline metrics, RFC 4180, safe to open in a spreadsheet.
//!
//! Portfolio and provider names come from scenario files that may have been shared by someone
//! else, so a text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'`: otherwise
//! Excel or Sheets would evaluate it as a formula (CSV injection). Numbers are written bare and
//! are never altered; a negative number is data, not a formula.

use engine::Report;
use engine::report::PortfolioReport;

/// Builds RFC 4180 text: CRLF line ends, fields quoted only when they must be.
#[derive(Default)]
pub struct CsvWriter {
    out: String,
    row_started: bool,
}

impl CsvWriter {
    pub fn new() -> Self {
        Self::default()
    }

    fn separator(&mut self) {
        if self.row_started {
            self.out.push(',');
        }
        self.row_started = true;
    }

    /// A text cell: neutralised against formula injection, then quoted if needed.
    pub fn text(&mut self, value: &str) -> &mut Self {
        self.separator();
        let safe = neutralise(value);
        if safe.contains([',', '"', '\r', '\n']) {
            self.out.push('"');
            self.out.push_str(&safe.replace('"', "\"\""));
            self.out.push('"');
        } else {
            self.out.push_str(&safe);
        }
        self
    }

    /// A numeric cell, in Rust's shortest round-trip form; non-finite values are left empty
    /// because spreadsheets cannot read `NaN` or `inf` as numbers.
    pub fn number(&mut self, value: f64) -> &mut Self {
        self.separator();
        if value.is_finite() {
            self.out.push_str(&value.to_string());
        }
        self
    }

    pub fn end_row(&mut self) {
        self.out.push_str("\r\n");
        self.row_started = false;
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// Prefix `'` to text a spreadsheet would otherwise treat as a formula.
pub fn neutralise(value: &str) -> std::borrow::Cow<'_, str> {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}").into()
    } else {
        value.into()
    }
}

type Metric = (&'static str, fn(&PortfolioReport) -> f64);

/// Column name and value of every numeric column, in output order.
const METRICS: &[Metric] = &[
    ("shortage_probability", |p| p.shortage_probability),
    ("shortage_probability_se", |p| p.shortage_probability_se),
    ("expected_unmet_gpu_hours", |p| p.expected_unmet_gpu_hours),
    ("expected_unmet_gpu_hours_se", |p| {
        p.expected_unmet_gpu_hours_se
    }),
    ("unmet_gpu_hours_p95", |p| p.unmet_gpu_hours.p95),
    ("shortage_weeks_mean", |p| p.shortage_weeks.mean),
    ("shortage_weeks_mean_se", |p| p.shortage_weeks.mean_se),
    ("cost_mean", |p| p.cost.mean),
    ("cost_mean_se", |p| p.cost.mean_se),
    ("cost_p50", |p| p.cost.p50),
    ("cost_p90", |p| p.cost.p90),
    ("cost_p95", |p| p.cost.p95),
    ("cost_p99", |p| p.cost.p99),
    ("cost_cvar95", |p| p.cost.cvar95),
    ("cost_cvar95_se", |p| p.cost.cvar95_se),
    ("idle_committed_gpu_hours", |p| p.idle_committed_gpu_hours),
    ("idle_committed_gpu_hours_se", |p| {
        p.idle_committed_gpu_hours_se
    }),
    ("utilization", |p| p.utilization),
    ("cost_per_served_gpu_hour", |p| p.cost_per_served_gpu_hour),
    ("hhi", |p| p.hhi),
    ("hhi_spend", |p| p.hhi_spend),
];

/// Columns after the largest provider's name, about the outage of that provider.
const OUTAGE_METRICS: &[Metric] = &[
    ("outage_week", |p| f64::from(p.largest_provider_outage.week)),
    ("outage_hours", |p| p.largest_provider_outage.hours),
    ("outage_extra_unmet_gpu_hours", |p| {
        p.largest_provider_outage.extra_unmet_gpu_hours
    }),
    ("outage_extra_unmet_gpu_hours_se", |p| {
        p.largest_provider_outage.extra_unmet_gpu_hours_se
    }),
    ("outage_shortage_probability", |p| {
        p.largest_provider_outage.shortage_probability
    }),
    ("outage_shortage_probability_se", |p| {
        p.largest_provider_outage.shortage_probability_se
    }),
    ("outage_extra_cost", |p| {
        p.largest_provider_outage.extra_cost
    }),
    ("emissions_tco2e", |p| p.emissions_tco2e),
    ("emissions_tco2e_se", |p| p.emissions_tco2e_se),
];

pub fn render(report: &Report) -> String {
    let mut w = CsvWriter::new();
    w.text("portfolio");
    for (name, _) in METRICS {
        w.text(name);
    }
    w.text("largest_provider");
    for (name, _) in OUTAGE_METRICS {
        w.text(name);
    }
    w.end_row();
    for p in &report.portfolios {
        w.text(&p.name);
        for (_, get) in METRICS {
            w.number(get(p));
        }
        w.text(&p.largest_provider_outage.provider);
        for (_, get) in OUTAGE_METRICS {
            w.number(get(p));
        }
        w.end_row();
    }
    w.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(cells: &[Result<&str, f64>]) -> String {
        let mut w = CsvWriter::new();
        for c in cells {
            match c {
                Ok(t) => w.text(t),
                Err(n) => w.number(*n),
            };
        }
        w.end_row();
        w.finish()
    }

    #[test]
    fn plain_cells_are_bare() {
        assert_eq!(
            row(&[Ok("hybrid"), Err(1.5), Err(-2.0)]),
            "hybrid,1.5,-2\r\n"
        );
    }

    #[test]
    fn quotes_commas_quotes_and_newlines() {
        assert_eq!(row(&[Ok("a,b")]), "\"a,b\"\r\n");
        assert_eq!(row(&[Ok("say \"hi\"")]), "\"say \"\"hi\"\"\"\r\n");
        assert_eq!(row(&[Ok("two\nlines")]), "\"two\nlines\"\r\n");
    }

    #[test]
    fn neutralises_formula_starts() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(neutralise(bad), format!("'{bad}"));
        }
        assert_eq!(neutralise("safe=1"), "safe=1");
        assert_eq!(neutralise(""), "");
        assert_eq!(
            row(&[Ok("=HYPERLINK(\"x\")")]),
            "\"'=HYPERLINK(\"\"x\"\")\"\r\n"
        );
        // CR is both neutralised and forces quoting.
        assert_eq!(row(&[Ok("\rx")]), "\"'\rx\"\r\n");
    }

    #[test]
    fn numbers_are_never_neutralised() {
        assert_eq!(row(&[Err(-1e6), Err(f64::NAN)]), "-1000000,\r\n");
    }

    #[test]
    fn whole_report_with_hostile_names_stays_one_record_per_portfolio() {
        let text = include_str!("../../tests/fixtures/small.toml");
        let s = engine::parse_scenario(text, engine::Format::Toml).expect("fixture");
        let options = engine::RunOptions {
            paths: Some(20),
            ..Default::default()
        };
        let mut r = engine::simulate(&s, &options, &mut |_, _| true).expect("runs");
        r.portfolios[0].name = "say \"hi\", then\r\nleave".into();
        r.portfolios[1].name = "-2+3".into();
        r.portfolios[2].largest_provider_outage.provider = "@cmd|' /C calc'!A0".into();
        let out = render(&r);
        assert!(out.contains("\"say \"\"hi\"\", then\r\nleave\","), "{out}");
        assert!(out.contains("\n'-2+3,"), "{out}");
        assert!(out.contains(",'@cmd|' /C calc'!A0,"), "{out}");
        // A minimal RFC 4180 reader: records end at CRLF outside quotes.
        let (mut records, mut quoted) = (0, false);
        let bytes = out.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'"' => quoted = !quoted,
                b'\n' if !quoted && i > 0 && bytes[i - 1] == b'\r' => records += 1,
                _ => {}
            }
        }
        assert_eq!(records, 1 + r.portfolios.len(), "{out}");
    }

    #[test]
    fn empty_row_cells_are_separated() {
        assert_eq!(row(&[Ok(""), Ok("")]), ",\r\n");
    }
}
