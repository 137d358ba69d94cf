//! Pure helpers behind the editors (no DOM): number parsing, distribution kinds and switching
//! between them, unique names and the templates of new list items. Unit-tested natively.

use serde_json::{Value, json};

/// What a number input's text means.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed {
    /// Empty: the field is removed from the document (the engine default applies).
    Empty,
    Number(f64),
    /// Not a number: the text stays in the input and the document is not changed.
    Invalid,
}

/// Parse what the user typed into a number input (surrounding spaces and `_` / `,` digit
/// separators are allowed; `inf`/`NaN` are not numbers).
pub fn parse_number(text: &str) -> Parsed {
    let t = text.trim();
    if t.is_empty() {
        return Parsed::Empty;
    }
    let cleaned: String = t.chars().filter(|c| *c != '_' && *c != ',').collect();
    let looks_numeric = cleaned
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E'));
    match cleaned.parse::<f64>() {
        Ok(v) if looks_numeric && v.is_finite() => Parsed::Number(v),
        _ => Parsed::Invalid,
    }
}

/// The JSON value written for a number: whole numbers as integers (the engine wants weeks,
/// paths and seeds without a fraction), everything else as a float.
pub fn number_value(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        json!(v as i64)
    } else {
        json!(v)
    }
}

/// How a document value is shown in a text input.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        // Whole floats read as whole numbers (72, not 72.0).
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => (f as i64).to_string(),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

/// Whether the input's text already stands for the document's value (so an update of the
/// document must not overwrite what the user is typing, e.g. `1.` while 1 is stored).
pub fn text_matches(text: &str, v: Option<&Value>) -> bool {
    match (parse_number(text), v) {
        (Parsed::Empty, None | Some(Value::Null)) => true,
        (Parsed::Number(a), Some(Value::Number(b))) => b.as_f64() == Some(a),
        _ => false,
    }
}

/// The forms a distribution can take (`scenarios/README.md`, "Distributions").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DistKind {
    /// Absent: the engine default applies.
    Default,
    /// A bare number.
    Fixed,
    /// `{ fixed = n }`.
    FixedTable,
    Uniform,
    Triangular,
    Pert,
    Normal,
    LognormalRange,
    LognormalSpread,
    BetaShape,
    BetaMean,
    /// Something the editor does not understand (shown as text; the engine reports it).
    Other,
}

impl DistKind {
    /// Kinds offered in the dropdown, in order.
    pub const CHOICES: [DistKind; 9] = [
        DistKind::Fixed,
        DistKind::Uniform,
        DistKind::Triangular,
        DistKind::Pert,
        DistKind::Normal,
        DistKind::LognormalRange,
        DistKind::LognormalSpread,
        DistKind::BetaShape,
        DistKind::BetaMean,
    ];

    pub fn id(self) -> &'static str {
        match self {
            DistKind::Default => "default",
            DistKind::Fixed | DistKind::FixedTable => "fixed",
            DistKind::Uniform => "uniform",
            DistKind::Triangular => "triangular",
            DistKind::Pert => "pert",
            DistKind::Normal => "normal",
            DistKind::LognormalRange => "lognormal-range",
            DistKind::LognormalSpread => "lognormal-spread",
            DistKind::BetaShape => "beta-shape",
            DistKind::BetaMean => "beta-mean",
            DistKind::Other => "other",
        }
    }

    pub fn from_id(id: &str) -> DistKind {
        DistKind::CHOICES
            .into_iter()
            .chain([DistKind::Default])
            .find(|k| k.id() == id)
            .unwrap_or(DistKind::Other)
    }

    pub fn label(self) -> &'static str {
        match self {
            DistKind::Default => "default",
            DistKind::Fixed | DistKind::FixedTable => "fixed value",
            DistKind::Uniform => "uniform (min–max)",
            DistKind::Triangular => "triangular (min, mode, max)",
            DistKind::Pert => "PERT (min, mode, max)",
            DistKind::Normal => "normal (mean, sd)",
            DistKind::LognormalRange => "lognormal (5th–95th percentile)",
            DistKind::LognormalSpread => "lognormal (median, spread)",
            DistKind::BetaShape => "beta (α, β)",
            DistKind::BetaMean => "beta (mean, sd)",
            DistKind::Other => "unrecognised",
        }
    }

    /// Normal and lognormal are unbounded: fraction fields refuse them.
    pub fn bounded(self) -> bool {
        !matches!(
            self,
            DistKind::Normal | DistKind::LognormalRange | DistKind::LognormalSpread
        )
    }

    /// The table tag and parameter names (`None` tag: the value itself is the number).
    pub fn params(self) -> (Option<&'static str>, &'static [&'static str]) {
        match self {
            DistKind::Fixed => (None, &[]),
            DistKind::FixedTable => (Some("fixed"), &[]),
            DistKind::Uniform => (Some("uniform"), &["min", "max"]),
            DistKind::Triangular => (Some("triangular"), &["min", "mode", "max"]),
            DistKind::Pert => (Some("pert"), &["min", "mode", "max"]),
            DistKind::Normal => (Some("normal"), &["mean", "sd"]),
            DistKind::LognormalRange => (Some("lognormal"), &["p5", "p95"]),
            DistKind::LognormalSpread => (Some("lognormal"), &["median", "spread"]),
            DistKind::BetaShape => (Some("beta"), &["alpha", "beta"]),
            DistKind::BetaMean => (Some("beta"), &["mean", "sd"]),
            DistKind::Default | DistKind::Other => (None, &[]),
        }
    }
}

/// Recognise the form of a distribution value.
pub fn dist_kind(v: Option<&Value>) -> DistKind {
    let Some(v) = v else {
        return DistKind::Default;
    };
    match v {
        Value::Null => DistKind::Default,
        Value::Number(_) => DistKind::Fixed,
        Value::Object(m) if m.len() == 1 => {
            let (tag, inner) = m.iter().next().expect("one entry");
            let has = |k: &str| inner.get(k).is_some();
            match tag.as_str() {
                "fixed" => DistKind::FixedTable,
                "uniform" => DistKind::Uniform,
                "triangular" => DistKind::Triangular,
                "pert" => DistKind::Pert,
                "normal" => DistKind::Normal,
                "lognormal" if has("median") || has("spread") => DistKind::LognormalSpread,
                "lognormal" => DistKind::LognormalRange,
                "beta" if has("mean") || has("sd") => DistKind::BetaMean,
                "beta" => DistKind::BetaShape,
                _ => DistKind::Other,
            }
        }
        _ => DistKind::Other,
    }
}

fn num(v: &Value, tag: &str, key: &str) -> Option<f64> {
    v.get(tag)?.get(key)?.as_f64()
}

/// A central value and a half-width of a distribution, used to build another kind "around" it.
pub fn center_and_width(v: Option<&Value>) -> Option<(f64, f64)> {
    let v = v?;
    let (c, w) = match dist_kind(Some(v)) {
        DistKind::Fixed => (v.as_f64()?, 0.0),
        DistKind::FixedTable => (v.get("fixed")?.as_f64()?, 0.0),
        DistKind::Uniform => {
            let (a, b) = (num(v, "uniform", "min")?, num(v, "uniform", "max")?);
            ((a + b) / 2.0, (b - a).abs() / 2.0)
        }
        DistKind::Triangular | DistKind::Pert => {
            let tag = if v.get("pert").is_some() {
                "pert"
            } else {
                "triangular"
            };
            let (a, m, b) = (
                num(v, tag, "min")?,
                num(v, tag, "mode")?,
                num(v, tag, "max")?,
            );
            (m, (b - a).abs() / 2.0)
        }
        DistKind::Normal => (num(v, "normal", "mean")?, 1.645 * num(v, "normal", "sd")?),
        DistKind::LognormalRange => {
            let (a, b) = (num(v, "lognormal", "p5")?, num(v, "lognormal", "p95")?);
            ((a * b).abs().sqrt(), (b - a).abs() / 2.0)
        }
        DistKind::LognormalSpread => {
            let (m, s) = (
                num(v, "lognormal", "median")?,
                num(v, "lognormal", "spread")?,
            );
            (m, m * (s - 1.0).abs())
        }
        DistKind::BetaShape => {
            let (a, b) = (num(v, "beta", "alpha")?, num(v, "beta", "beta")?);
            let mean = a / (a + b);
            let var = a * b / ((a + b).powi(2) * (a + b + 1.0));
            (mean, 1.645 * var.sqrt())
        }
        DistKind::BetaMean => (num(v, "beta", "mean")?, 1.645 * num(v, "beta", "sd")?),
        DistKind::Default | DistKind::Other => return None,
    };
    (c.is_finite() && w.is_finite()).then_some((c, w))
}

/// Round to 4 significant digits so generated parameters read well (0.3, not 0.30000000000000004).
pub fn tidy(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = 10f64.powi(3 - v.abs().log10().floor() as i32);
    (v * mag).round() / mag
}

/// The value of a distribution field after the user picks `kind`, built around the current
/// value so nothing the user chose is thrown away (fixed 12 -> triangular 9 / 12 / 15) and
/// kept inside the field's allowed range `[lo, hi]`. `fallback` is the centre used when the
/// field is empty (its engine default).
pub fn switch_kind(
    current: Option<&Value>,
    kind: DistKind,
    lo: f64,
    hi: f64,
    fallback: f64,
) -> Value {
    let (c, w) = center_and_width(current).unwrap_or((fallback, 0.0));
    let clamp = |x: f64| tidy(x.clamp(lo, hi));
    let c = clamp(c);
    let w = if w > 0.0 {
        w
    } else if c != 0.0 {
        c.abs() * 0.25
    } else {
        // Around zero: a tenth of a unit (or of the range, when narrower).
        (0.1 * (hi - lo)).min(0.1)
    };
    let (a, b) = (clamp(c - w), clamp(c + w));
    match kind {
        DistKind::Default => Value::Null,
        DistKind::Fixed | DistKind::Other => number_value(c),
        DistKind::FixedTable => json!({ "fixed": number_value(c) }),
        DistKind::Uniform => {
            json!({ "uniform": { "min": number_value(a), "max": number_value(b) } })
        }
        DistKind::Triangular | DistKind::Pert => {
            let tag = if kind == DistKind::Pert {
                "pert"
            } else {
                "triangular"
            };
            json!({ tag: { "min": number_value(a), "mode": number_value(c), "max": number_value(b) } })
        }
        DistKind::Normal => {
            json!({ "normal": { "mean": number_value(c), "sd": number_value(tidy(w / 1.645)) } })
        }
        DistKind::LognormalRange | DistKind::LognormalSpread => {
            // Lognormal draws are > 0: centre on a positive value.
            let m = if c > 0.0 { c } else { w.max(1.0) };
            let k = (1.0 + w / m).max(1.1);
            if kind == DistKind::LognormalRange {
                json!({ "lognormal": { "p5": number_value(tidy(m / k)), "p95": number_value(tidy(m * k)) } })
            } else {
                json!({ "lognormal": { "median": number_value(tidy(m)), "spread": number_value(tidy(k)) } })
            }
        }
        DistKind::BetaShape | DistKind::BetaMean => {
            let mean = c.clamp(0.02, 0.98);
            let max_sd = (mean * (1.0 - mean)).sqrt();
            let sd = (w / 1.645).clamp(max_sd * 0.05, max_sd * 0.8);
            if kind == DistKind::BetaMean {
                json!({ "beta": { "mean": number_value(tidy(mean)), "sd": number_value(tidy(sd)) } })
            } else {
                let k = mean * (1.0 - mean) / (sd * sd) - 1.0;
                json!({ "beta": { "alpha": number_value(tidy(mean * k)), "beta": number_value(tidy((1.0 - mean) * k)) } })
            }
        }
    }
}

/// Names used by the list at `list` in `doc`.
pub fn names(doc: &Value, list: &str) -> Vec<String> {
    crate::doc::get(doc, list)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// `base-1`, `base-2`, ...: the first name not used in the list.
pub fn unique_name(doc: &Value, list: &str, base: &str) -> String {
    let taken = names(doc, list);
    (1..)
        .map(|i| format!("{base}-{i}"))
        .find(|n| !taken.contains(n))
        .expect("some name is free")
}

fn first_provider(doc: &Value) -> String {
    names(doc, "providers")
        .into_iter()
        .next()
        .unwrap_or_default()
}

fn horizon(doc: &Value) -> i64 {
    doc.get("horizon_weeks")
        .and_then(Value::as_i64)
        .unwrap_or(104)
        .max(1)
}

/// The kinds of list item the editors can add.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Template {
    Workload,
    Provider,
    CorrelationGroup,
    Portfolio,
    /// A contract in the portfolio at the given index.
    Contract,
    /// A burst or emergency cap in the list at the given path.
    Cap,
    Ordering,
    StressTest,
    Event(EventKind),
}

/// Stress event kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Outage,
    PriceShock,
    QuotaCut,
    DemandJump,
}

impl EventKind {
    pub const ALL: [EventKind; 4] = [
        EventKind::Outage,
        EventKind::PriceShock,
        EventKind::QuotaCut,
        EventKind::DemandJump,
    ];

    pub fn id(self) -> &'static str {
        match self {
            EventKind::Outage => "outage",
            EventKind::PriceShock => "price_shock",
            EventKind::QuotaCut => "quota_cut",
            EventKind::DemandJump => "demand_jump",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventKind::Outage => "outage",
            EventKind::PriceShock => "price shock",
            EventKind::QuotaCut => "quota cut",
            EventKind::DemandJump => "demand jump",
        }
    }

    pub fn from_id(id: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.id() == id)
    }
}

/// A new item for the list at `list` (e.g. `portfolios[1].burst`), valid by default in `doc`:
/// unique names, existing providers, weeks inside the horizon.
pub fn new_item(doc: &Value, list: &str, template: Template) -> Value {
    let provider = first_provider(doc);
    let mid = horizon(doc) / 2;
    match template {
        Template::Workload => json!({
            "name": unique_name(doc, list, "workload"),
            "base_gpus": 100,
        }),
        Template::Provider => json!({
            "name": unique_name(doc, list, "provider"),
            "kind": "other",
            "reserved_price": 2.0,
            "on_demand_price": 4.0,
        }),
        Template::CorrelationGroup => {
            // Each provider may be in at most one group: take the ungrouped ones.
            let grouped: Vec<String> = crate::doc::get(doc, "correlation_groups")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|g| g.get("providers").and_then(Value::as_array))
                .flatten()
                .filter_map(|p| p.as_str().map(str::to_string))
                .collect();
            let free: Vec<String> = names(doc, "providers")
                .into_iter()
                .filter(|p| !grouped.contains(p))
                .take(2)
                .collect();
            json!({
                "name": unique_name(doc, list, "group"),
                "providers": free,
                "correlation": 0.5,
            })
        }
        Template::Portfolio => json!({
            "name": unique_name(doc, list, "portfolio"),
            "contracts": [{ "provider": provider, "gpus": 100, "term_weeks": horizon(doc) }],
        }),
        Template::Contract => {
            json!({ "provider": provider, "gpus": 100, "term_weeks": horizon(doc) })
        }
        Template::Cap => {
            // One cap per provider: take the first provider without one.
            let capped: Vec<String> = crate::doc::get(doc, list)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|c| {
                    c.get("provider")
                        .and_then(Value::as_str)
                        .map(str::to_string)
                })
                .collect();
            let p = names(doc, "providers")
                .into_iter()
                .find(|p| !capped.contains(p))
                .unwrap_or(provider);
            json!({ "provider": p, "max_gpus": 100 })
        }
        Template::Ordering => json!({ "provider": provider, "max_order_gpus": 100 }),
        Template::StressTest => json!({
            "name": unique_name(doc, list, "stress"),
            "events": [new_event(doc, EventKind::Outage, None)],
        }),
        Template::Event(kind) => new_event(doc, kind, Some(mid)),
    }
}

/// A stress event of `kind`; keeps `week` (and the provider of `previous`) when switching kind.
pub fn new_event(doc: &Value, kind: EventKind, week: Option<i64>) -> Value {
    let week = week.unwrap_or(horizon(doc) / 2).clamp(0, horizon(doc) - 1);
    let provider = first_provider(doc);
    match kind {
        EventKind::Outage => {
            json!({ "kind": "outage", "provider": provider, "week": week, "hours": 72 })
        }
        EventKind::PriceShock => json!({ "kind": "price_shock", "week": week, "increase": 0.4 }),
        EventKind::QuotaCut => json!({
            "kind": "quota_cut", "provider": provider, "week": week, "fraction": 0.5, "weeks": 12,
        }),
        EventKind::DemandJump => json!({ "kind": "demand_jump", "week": week, "size": 0.3 }),
    }
}

/// The event at `path` switched to `kind`, keeping its week and provider where the new kind has
/// them.
pub fn switch_event(doc: &Value, event: &Value, kind: EventKind) -> Value {
    let week = event.get("week").and_then(Value::as_i64);
    let mut out = new_event(doc, kind, week);
    if let (Some(p), Some(slot)) = (event.get("provider"), out.get_mut("provider")) {
        *slot = p.clone();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = include_str!("../../../../scenarios/three-lane.toml");

    fn library() -> Value {
        let s = engine::parse_scenario(LIB, engine::Format::Toml).expect("library scenario");
        serde_json::to_value(s).expect("json")
    }

    #[test]
    fn numbers_parse_or_stay_text() {
        assert_eq!(parse_number(" 12.5 "), Parsed::Number(12.5));
        assert_eq!(parse_number("-5"), Parsed::Number(-5.0));
        assert_eq!(parse_number("1e3"), Parsed::Number(1000.0));
        assert_eq!(parse_number("10,000"), Parsed::Number(10000.0));
        assert_eq!(parse_number(""), Parsed::Empty);
        assert_eq!(parse_number("abc"), Parsed::Invalid);
        assert_eq!(parse_number("inf"), Parsed::Invalid);
        assert_eq!(parse_number("NaN"), Parsed::Invalid);
        assert_eq!(parse_number("1.2.3"), Parsed::Invalid);
        assert_eq!(number_value(4.0), json!(4));
        assert_eq!(display_value(&json!(72.0)), "72");
        assert_eq!(display_value(&json!(0.25)), "0.25");
        assert_eq!(display_value(&json!(-5)), "-5");
        assert_eq!(number_value(0.5), json!(0.5));
        assert!(text_matches("1.", Some(&json!(1))));
        assert!(text_matches("", None));
        assert!(!text_matches("abc", Some(&json!(1))));
    }

    #[test]
    fn kinds_are_recognised() {
        assert_eq!(dist_kind(None), DistKind::Default);
        assert_eq!(dist_kind(Some(&json!(3))), DistKind::Fixed);
        assert_eq!(dist_kind(Some(&json!({"fixed": 3}))), DistKind::FixedTable);
        assert_eq!(
            dist_kind(Some(&json!({"lognormal": {"median": 1, "spread": 2}}))),
            DistKind::LognormalSpread
        );
        assert_eq!(
            dist_kind(Some(&json!({"lognormal": {"p5": 1, "p95": 2}}))),
            DistKind::LognormalRange
        );
        assert_eq!(
            dist_kind(Some(&json!({"beta": {"mean": 0.5, "sd": 0.1}}))),
            DistKind::BetaMean
        );
        assert_eq!(dist_kind(Some(&json!("x"))), DistKind::Other);
        for k in DistKind::CHOICES {
            assert_eq!(DistKind::from_id(k.id()), k);
        }
    }

    #[test]
    fn switching_kind_keeps_a_sensible_value() {
        let fixed = json!(12);
        assert_eq!(
            switch_kind(Some(&fixed), DistKind::Triangular, 0.0, 520.0, 12.0),
            json!({"triangular": {"min": 9, "mode": 12, "max": 15}})
        );
        let pert = json!({"pert": {"min": 3, "mode": 6, "max": 16}});
        assert_eq!(
            switch_kind(Some(&pert), DistKind::Fixed, 0.0, 520.0, 12.0),
            json!(6)
        );
        // Fractions stay inside [0, 1].
        let v = switch_kind(Some(&json!(0.9)), DistKind::Uniform, 0.0, 1.0, 1.0);
        assert_eq!(v, json!({"uniform": {"min": 0.675, "max": 1}}));
        // Absent growth (default 0) gets a range around 0.
        let g = switch_kind(None, DistKind::Pert, -0.99, 100.0, 0.0);
        assert_eq!(g, json!({"pert": {"min": -0.1, "mode": 0, "max": 0.1}}));
        // Every kind round-trips to a centre near where it started.
        for k in DistKind::CHOICES {
            let v = switch_kind(Some(&json!(0.6)), k, 0.0, 1.0, 1.0);
            let (c, _) = center_and_width(Some(&v)).unwrap();
            assert!((c - 0.6).abs() < 0.1, "{k:?}: {v}");
        }
    }

    /// Every template, added to a library scenario, keeps it valid for the engine.
    #[test]
    fn templates_are_valid() {
        let base = library();
        engine::scenario::decode(&base).expect("library decodes");
        let cases: Vec<(&str, Template)> = vec![
            ("workloads", Template::Workload),
            ("providers", Template::Provider),
            ("correlation_groups", Template::CorrelationGroup),
            ("portfolios", Template::Portfolio),
            ("portfolios[0].contracts", Template::Contract),
            ("portfolios[0].burst", Template::Cap),
            ("portfolios[0].emergency", Template::Cap),
            ("stress_tests", Template::StressTest),
        ]
        .into_iter()
        .chain(
            EventKind::ALL
                .into_iter()
                .map(|k| ("stress_tests[0].events", Template::Event(k))),
        )
        .collect();
        let mut with_stress = base.clone();
        let st = new_item(&with_stress, "stress_tests", Template::StressTest);
        crate::doc::push(&mut with_stress, "stress_tests", st);
        for (list, t) in cases {
            let mut doc = with_stress.clone();
            // Twice: the second copy must not clash with the first. A new group takes the
            // providers no group holds yet, so only one fits in a scenario that already has one.
            let times = if matches!(t, Template::CorrelationGroup) {
                1
            } else {
                2
            };
            for _ in 0..times {
                let item = new_item(&doc, list, t);
                crate::doc::push(&mut doc, list, item).expect("list");
            }
            if let Err(e) = engine::scenario::decode(&doc) {
                panic!("{list} {t:?}: {e}");
            }
        }
        let mut doc = with_stress.clone();
        let ordering = new_item(&doc, "portfolios[0].ordering", Template::Ordering);
        crate::doc::set(&mut doc, "portfolios[0].ordering", ordering);
        engine::scenario::decode(&doc).expect("ordering template");
        // Switching an event's kind keeps it valid.
        let ev = crate::doc::get(&doc, "stress_tests[0].events[0]")
            .unwrap()
            .clone();
        for k in EventKind::ALL {
            let mut d = doc.clone();
            let new = switch_event(&d, &ev, k);
            crate::doc::set(&mut d, "stress_tests[0].events[0]", new);
            engine::scenario::decode(&d).unwrap_or_else(|e| panic!("{k:?}: {e}"));
        }
    }

    #[test]
    fn tidy_rounds_to_four_digits() {
        assert_eq!(tidy(0.30000000000000004), 0.3);
        assert_eq!(tidy(123456.0), 123500.0);
        assert_eq!(tidy(0.0), 0.0);
    }
}
