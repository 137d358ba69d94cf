//! Reading a scenario from TOML or JSON text, collecting every problem with its field path.
//!
//! The text is first parsed into a generic tree, then walked by hand: serde's derive stops at the
//! first error, while a planner wants the whole list, each with a path such as
//! `providers[2].lead_time_weeks` and, where we can guess, a hint. Nothing here panics on input.

use super::model::*;
use crate::diag::{Diagnostic, Diagnostics, did_you_mean, num, quote, show};
use crate::dist::Dist;
use serde_json::{Map, Value};

/// Input text larger than this is refused before parsing (a scenario is a few kilobytes).
pub const MAX_TEXT_BYTES: usize = 4 << 20;
/// Upper bound on any list in a scenario, so a hostile file cannot ask for unbounded work.
const MAX_LIST: usize = 10_000;
/// Largest seed: a JavaScript number must hold it exactly (permalinks, the JS API).
pub const MAX_SEED: u64 = (1 << 53) - 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Toml,
    Json,
}

impl Format {
    /// Guess from a file name; TOML unless it ends in `.json`.
    pub fn from_path(path: &str) -> Format {
        if path.to_ascii_lowercase().ends_with(".json") {
            Format::Json
        } else {
            Format::Toml
        }
    }

    /// Guess from content: JSON documents start with `{`.
    pub fn sniff(text: &str) -> Format {
        if text.trim_start().starts_with('{') {
            Format::Json
        } else {
            Format::Toml
        }
    }
}

/// Most diagnostics reported for one file: past this the rest are counted, not listed, so a
/// hostile 10,000-entry file cannot produce a multi-megabyte error message.
pub const MAX_DIAGNOSTICS: usize = 200;

/// Keep the first `MAX_DIAGNOSTICS`, then say how many more there were.
pub(crate) fn cap(mut diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    if diags.len() > MAX_DIAGNOSTICS {
        let more = diags.len() - MAX_DIAGNOSTICS;
        diags.truncate(MAX_DIAGNOSTICS);
        diags.push(
            Diagnostic::new("", format!("... and {more} more"))
                .with_hint("fix the ones above first; many are often one mistake repeated"),
        );
    }
    diags
}

/// Parse and validate a scenario.
pub fn parse(text: &str, format: Format) -> Result<Scenario, Diagnostics> {
    // Windows editors save UTF-8 with a byte-order mark; neither parser accepts one.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Diagnostics::single(
            Diagnostic::new("", "the scenario is empty")
                .with_hint("see scenarios/README.md for a minimal example"),
        ));
    }
    if text.len() > MAX_TEXT_BYTES {
        return Err(Diagnostics::single(
            Diagnostic::new(
                "",
                format!(
                    "scenario is {} bytes; the limit is {} bytes",
                    text.len(),
                    MAX_TEXT_BYTES
                ),
            )
            .with_hint("a scenario is usually a few kilobytes; is this the right file?"),
        ));
    }
    let tree = match format {
        Format::Json => serde_json::from_str::<Value>(text).map_err(|e| {
            Diagnostics::single(
                Diagnostic::new(
                    "",
                    format!(
                        "invalid JSON at line {}, column {}: {}",
                        e.line(),
                        e.column(),
                        json_message(&e)
                    ),
                )
                .with_hint("check commas, quotes and brackets near that position"),
            )
        })?,
        Format::Toml => toml::from_str::<toml::Value>(text)
            .map(toml_to_json)
            .map_err(|e| {
                let at = e
                    .span()
                    .map(|s| line_col(text, s.start))
                    .map(|(l, c)| format!(" at line {l}, column {c}"));
                Diagnostics::single(
                    Diagnostic::new(
                        "",
                        format!(
                            "invalid TOML{}: {}",
                            at.unwrap_or_default(),
                            toml_message(&e)
                        ),
                    )
                    .with_hint("see scenarios/README.md for the file format"),
                )
            })?,
    };
    decode(&tree)
}

/// TOML's tree as the generic tree `decode` walks. Done by hand rather than through serde:
/// serde_json turns TOML's `nan` and `inf` into `null`, which would then read as a missing field
/// ("is required") instead of "must be a finite number"; here they become the strings `number`
/// recognises. Dates become strings (no field is a date). Recursion is bounded by the TOML
/// parser's own nesting limit.
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => match serde_json::Number::from_f64(f) {
            Some(n) => Value::Number(n),
            None if f.is_nan() => Value::String("nan".into()),
            None if f > 0.0 => Value::String("inf".into()),
            None => Value::String("-inf".into()),
        },
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

/// serde_json's message without the " at line L column C" it appends (we say where first).
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    let tail = format!(" at line {} column {}", e.line(), e.column());
    full.strip_suffix(&tail).unwrap_or(&full).to_string()
}

/// The toml crate's message, reworded where it leaks its internals.
fn toml_message(e: &toml::de::Error) -> String {
    let m = e.message().trim();
    if m.contains("as i128") || m.contains("value was too large") {
        "a whole number too large for 64 bits".to_string()
    } else if m.contains("recursion") {
        "nested too deeply".to_string()
    } else {
        m.to_string()
    }
}

fn is_non_finite_word(s: &str) -> bool {
    matches!(
        s.trim().to_ascii_lowercase().as_str(),
        "nan" | "+nan" | "-nan" | "inf" | "+inf" | "-inf" | "infinity" | "+infinity" | "-infinity"
    )
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    // Spans are byte offsets; step back to a character boundary rather than trust them.
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Decode an already-parsed tree.
pub fn decode(tree: &Value) -> Result<Scenario, Diagnostics> {
    let mut cx = Cx::default();
    let scenario = scenario(&mut cx, tree);
    if let (true, Some(s)) = (cx.diags.is_empty(), scenario) {
        return Ok(s);
    }
    if cx.diags.is_empty() {
        cx.diags
            .push(Diagnostic::new("", "scenario could not be read"));
    }
    Err(Diagnostics(cap(cx.diags)))
}

#[derive(Default)]
struct Cx {
    diags: Vec<Diagnostic>,
}

impl Cx {
    fn err(&mut self, path: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(path, message));
    }

    fn err_hint(&mut self, path: &str, message: impl Into<String>, hint: impl Into<String>) {
        self.diags
            .push(Diagnostic::new(path, message).with_hint(hint));
    }
}

/// A table being read: remembers which keys were used so the rest can be reported as unknown.
struct Obj<'v> {
    map: Option<&'v Map<String, Value>>,
    path: String,
    known: Vec<&'static str>,
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'v> Obj<'v> {
    fn new(cx: &mut Cx, v: &'v Value, path: &str) -> Obj<'v> {
        let map = match v {
            Value::Object(m) => Some(m),
            other => {
                cx.err(
                    path,
                    format!("expected a table, found {}", type_name(other)),
                );
                None
            }
        };
        Obj {
            map,
            path: path.to_string(),
            known: Vec::new(),
        }
    }

    fn ok(&self) -> bool {
        self.map.is_some()
    }

    fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn get(&mut self, key: &'static str) -> Option<&'v Value> {
        self.known.push(key);
        self.map.and_then(|m| m.get(key)).filter(|v| !v.is_null())
    }

    fn has(&self, key: &str) -> bool {
        self.map
            .is_some_and(|m| m.get(key).is_some_and(|v| !v.is_null()))
    }

    fn finish(self, cx: &mut Cx) {
        let Some(map) = self.map else { return };
        for key in map.keys() {
            if !self.known.contains(&key.as_str()) {
                let path = join(&self.path, &show(key));
                // Past the diagnostic cap the message is dropped anyway: skip the search.
                let suggestion = if cx.diags.len() < MAX_DIAGNOSTICS {
                    did_you_mean(key, self.known.iter().copied())
                } else {
                    None
                };
                match suggestion {
                    Some(k) => cx.err_hint(
                        &path,
                        "unknown field",
                        format!("did you mean {}?", quote(k)),
                    ),
                    None => cx.err_hint(
                        &path,
                        "unknown field",
                        format!("known fields: {}", self.known.join(", ")),
                    ),
                }
            }
        }
    }

    fn string(&mut self, cx: &mut Cx, key: &'static str, default: Option<&str>) -> String {
        let path = self.at(key);
        match self.get(key) {
            Some(Value::String(s)) => {
                if s.chars().count() > 2000 {
                    cx.err(&path, "is longer than 2000 characters");
                }
                s.clone()
            }
            Some(other) => {
                cx.err(
                    &path,
                    format!("expected a string, found {}", type_name(other)),
                );
                String::new()
            }
            None => match default {
                Some(d) => d.to_string(),
                None => {
                    if self.ok() {
                        cx.err(&path, "is required");
                    }
                    String::new()
                }
            },
        }
    }

    fn name(&mut self, cx: &mut Cx) -> String {
        let is_string = matches!(self.map.and_then(|m| m.get("name")), Some(Value::String(_)));
        let before = cx.diags.len();
        let name = self.string(cx, "name", None);
        let path = self.at("name");
        // One problem per name: a wrong type or a 2,000-character name is already reported.
        if !is_string || cx.diags.len() != before {
            return name;
        }
        if name.trim().is_empty() {
            cx.err(&path, "must not be empty");
        } else if name.chars().count() > 200 {
            cx.err(&path, "is longer than 200 characters");
        } else if name.chars().any(char::is_control) {
            cx.err_hint(
                &path,
                "must not contain control characters",
                format!("found {}", quote(&name)),
            );
        }
        name
    }

    fn boolean(&mut self, cx: &mut Cx, key: &'static str, default: bool) -> bool {
        let path = self.at(key);
        match self.get(key) {
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                cx.err(
                    &path,
                    format!("expected true or false, found {}", type_name(other)),
                );
                default
            }
            None => default,
        }
    }

    fn num_opt(&mut self, cx: &mut Cx, key: &'static str, rule: Rule) -> Option<f64> {
        let path = self.at(key);
        self.get(key).and_then(|v| number(cx, v, &path, rule))
    }

    fn num(&mut self, cx: &mut Cx, key: &'static str, default: Option<f64>, rule: Rule) -> f64 {
        let path = self.at(key);
        match self.get(key) {
            Some(v) => number(cx, v, &path, rule).unwrap_or(default.unwrap_or(0.0)),
            None => {
                if default.is_none() && self.ok() {
                    cx.err_hint(&path, "is required", rule.hint());
                }
                default.unwrap_or(0.0)
            }
        }
    }

    fn int(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        default: Option<u64>,
        min: u64,
        max: u64,
    ) -> u64 {
        let path = self.at(key);
        match self.get(key) {
            Some(v) => integer(cx, v, &path, min, max).unwrap_or(default.unwrap_or(min)),
            None => {
                if default.is_none() && self.ok() {
                    cx.err_hint(
                        &path,
                        "is required",
                        format!("a whole number from {min} to {max}"),
                    );
                }
                default.unwrap_or(min)
            }
        }
    }

    fn int_opt(&mut self, cx: &mut Cx, key: &'static str, min: u64, max: u64) -> Option<u64> {
        let path = self.at(key);
        self.get(key).and_then(|v| integer(cx, v, &path, min, max))
    }

    fn dist(
        &mut self,
        cx: &mut Cx,
        key: &'static str,
        default: Option<Dist>,
        rule: DistRule,
    ) -> Dist {
        let path = self.at(key);
        match self.get(key) {
            Some(v) => dist(cx, v, &path, rule).unwrap_or(Dist::Fixed(rule.lo.max(0.0))),
            None => match default {
                Some(d) => d,
                None => {
                    if self.ok() {
                        cx.err_hint(&path, "is required", "a number or a distribution such as { pert = { min = 2, mode = 4, max = 12 } }");
                    }
                    Dist::Fixed(0.0)
                }
            },
        }
    }

    fn table(&mut self, cx: &mut Cx, key: &'static str) -> Option<Obj<'v>> {
        let path = self.at(key);
        self.get(key).map(|v| Obj::new(cx, v, &path))
    }

    /// A list of tables; absent = empty unless `required`.
    fn list(&mut self, cx: &mut Cx, key: &'static str, required: bool) -> Vec<Obj<'v>> {
        let path = self.at(key);
        match self.get(key) {
            Some(Value::Array(items)) => {
                if items.len() > MAX_LIST {
                    cx.err(
                        &path,
                        format!("has {} entries; the limit is {MAX_LIST}", items.len()),
                    );
                    return Vec::new();
                }
                if required && items.is_empty() {
                    cx.err(&path, "must have at least one entry");
                }
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Obj::new(cx, v, &format!("{path}[{i}]")))
                    .collect()
            }
            Some(other) => {
                cx.err_hint(
                    &path,
                    format!("expected a list, found {}", type_name(other)),
                    format!("in TOML write [[{key}]] tables"),
                );
                Vec::new()
            }
            None => {
                if required && self.ok() {
                    cx.err_hint(
                        &path,
                        "is required",
                        format!("add at least one [[{key}]] table"),
                    );
                }
                Vec::new()
            }
        }
    }

    fn strings(&mut self, cx: &mut Cx, key: &'static str) -> Option<Vec<String>> {
        let path = self.at(key);
        match self.get(key)? {
            Value::Array(items) if items.len() <= MAX_LIST => Some(
                items
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| match v {
                        Value::String(s) => Some(s.clone()),
                        other => {
                            cx.err(
                                &format!("{path}[{i}]"),
                                format!("expected a string, found {}", type_name(other)),
                            );
                            None
                        }
                    })
                    .collect(),
            ),
            Value::Array(_) => {
                cx.err(&path, format!("has more than {MAX_LIST} entries"));
                None
            }
            other => {
                cx.err(
                    &path,
                    format!("expected a list of strings, found {}", type_name(other)),
                );
                None
            }
        }
    }
}

/// Bounds on a number, with the wording used in diagnostics.
#[derive(Clone, Copy, Debug)]
struct Rule {
    lo: f64,
    lo_open: bool,
    hi: f64,
    hi_open: bool,
}

const fn rule(lo: f64, hi: f64) -> Rule {
    Rule {
        lo,
        lo_open: false,
        hi,
        hi_open: false,
    }
}
const fn positive(hi: f64) -> Rule {
    Rule {
        lo: 0.0,
        lo_open: true,
        hi,
        hi_open: false,
    }
}
const FRACTION: Rule = rule(0.0, 1.0);
const GPUS: Rule = positive(1e9);
const PRICE: Rule = positive(1e6);
const RATE: Rule = rule(0.0, 520.0);

impl Rule {
    fn check(&self, x: f64) -> Result<(), String> {
        let below = if self.lo_open {
            x <= self.lo
        } else {
            x < self.lo
        };
        let above = if self.hi_open {
            x >= self.hi
        } else {
            x > self.hi
        };
        if below || above {
            Err(self.describe())
        } else {
            Ok(())
        }
    }

    fn describe(&self) -> String {
        let lo = if self.lo_open {
            format!("> {}", num(self.lo))
        } else {
            format!(">= {}", num(self.lo))
        };
        if self.hi.is_infinite() {
            format!("must be {lo}")
        } else if self.lo.is_infinite() {
            format!("must be <= {}", num(self.hi))
        } else {
            let hi = if self.hi_open {
                format!("< {}", num(self.hi))
            } else {
                format!("<= {}", num(self.hi))
            };
            format!("must be {lo} and {hi}")
        }
    }

    fn hint(&self) -> String {
        self.describe().replacen("must be", "a number", 1)
    }
}

fn number(cx: &mut Cx, v: &Value, path: &str, rule: Rule) -> Option<f64> {
    let x = match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) if is_non_finite_word(s) => {
            cx.err_hint(
                path,
                format!("must be a finite number, found \"{}\"", show(s)),
                "NaN and infinity are not allowed",
            );
            return None;
        }
        other => {
            cx.err(
                path,
                format!("expected a number, found {}", type_name(other)),
            );
            return None;
        }
    };
    let Some(x) = x.filter(|x| x.is_finite()) else {
        cx.err_hint(
            path,
            "must be a finite number",
            "NaN and infinity are not allowed",
        );
        return None;
    };
    match rule.check(x) {
        Ok(()) => Some(x),
        Err(msg) => {
            cx.err_hint(path, msg, format!("found {}", num(x)));
            None
        }
    }
}

fn integer(cx: &mut Cx, v: &Value, path: &str, min: u64, max: u64) -> Option<u64> {
    let n = match v {
        Value::Number(n) => n,
        Value::String(s) if is_non_finite_word(s) => {
            cx.err_hint(
                path,
                format!("must be a whole number, found \"{}\"", show(s)),
                format!("between {min} and {max}"),
            );
            return None;
        }
        other => {
            cx.err(
                path,
                format!("expected a whole number, found {}", type_name(other)),
            );
            return None;
        }
    };
    // 3.0 written as a float is a fine whole number; 3.5 is not. Out-of-range values (-1, 1e30)
    // get the range, which is what the author needs to see.
    let (value, shown) = match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => (Some(u as f64), u.to_string()),
        (None, Some(i), _) => (Some(i as f64), i.to_string()),
        (None, None, Some(f)) => (Some(f), num(f)),
        _ => (None, n.to_string()),
    };
    match value {
        Some(f) if f.fract() != 0.0 => {
            cx.err_hint(
                path,
                "must be a whole number",
                format!("between {min} and {max}, found {shown}"),
            );
            None
        }
        Some(f) if f >= min as f64 && f <= max as f64 => {
            // Exact for integers; a float here is whole and in range, so the cast is exact too.
            Some(n.as_u64().unwrap_or(f as u64))
        }
        _ => {
            cx.err_hint(
                path,
                format!("must be between {min} and {max}"),
                format!("found {shown}"),
            );
            None
        }
    }
}

/// Where a distribution's values must lie, and whether an unbounded one is acceptable there.
#[derive(Clone, Copy, Debug)]
struct DistRule {
    lo: f64,
    hi: f64,
    /// Normal and lognormal draws are clamped into [lo, hi] at sampling time.
    unbounded_ok: bool,
}

const fn within(lo: f64, hi: f64) -> DistRule {
    DistRule {
        lo,
        hi,
        unbounded_ok: true,
    }
}
const FRACTION_DIST: DistRule = DistRule {
    lo: 0.0,
    hi: 1.0,
    unbounded_ok: false,
};

const DIST_KINDS: [&str; 7] = [
    "fixed",
    "uniform",
    "triangular",
    "pert",
    "normal",
    "lognormal",
    "beta",
];

fn dist(cx: &mut Cx, v: &Value, path: &str, limits: DistRule) -> Option<Dist> {
    let value_rule = rule_of(limits);
    if matches!(v, Value::Number(_)) || matches!(v, Value::String(s) if is_non_finite_word(s)) {
        return number(cx, v, path, value_rule).map(Dist::Fixed);
    }
    let Value::Object(map) = v else {
        cx.err_hint(
            path,
            format!(
                "expected a number or a distribution, found {}",
                type_name(v)
            ),
            "e.g. { triangular = { min = 1, mode = 2, max = 4 } }",
        );
        return None;
    };
    if map.len() != 1 {
        cx.err_hint(
            path,
            "a distribution is a table with exactly one kind",
            format!("one of: {}", DIST_KINDS.join(", ")),
        );
        return None;
    }
    let (kind, inner) = map.iter().next()?;
    let ipath = join(path, kind);
    if kind == "fixed" {
        return number(cx, inner, &ipath, value_rule).map(Dist::Fixed);
    }
    if !DIST_KINDS.contains(&kind.as_str()) {
        let hint = match did_you_mean(kind, DIST_KINDS) {
            Some(k) => format!("did you mean `{k}`?"),
            None => format!("one of: {}", DIST_KINDS.join(", ")),
        };
        cx.err_hint(path, format!("unknown distribution {}", quote(kind)), hint);
        return None;
    }
    let mut o = Obj::new(cx, inner, &ipath);
    if !o.ok() {
        return None;
    }
    let before = cx.diags.len();
    let any = rule(f64::NEG_INFINITY, f64::INFINITY);
    let d = match kind.as_str() {
        "uniform" => {
            let (min, max) = (o.num(cx, "min", None, any), o.num(cx, "max", None, any));
            if cx.diags.len() == before && min > max {
                cx.err(
                    &ipath,
                    format!("min ({}) must not exceed max ({})", num(min), num(max)),
                );
            }
            Dist::Uniform { min, max }
        }
        "triangular" | "pert" => {
            let (min, mode, max) = (
                o.num(cx, "min", None, any),
                o.num(cx, "mode", None, any),
                o.num(cx, "max", None, any),
            );
            if cx.diags.len() == before && !(min <= mode && mode <= max) {
                cx.err_hint(
                    &ipath,
                    "needs min <= mode <= max",
                    format!(
                        "found min {}, mode {}, max {}",
                        num(min),
                        num(mode),
                        num(max)
                    ),
                );
            }
            if kind == "pert" {
                Dist::Pert { min, mode, max }
            } else {
                Dist::Triangular { min, mode, max }
            }
        }
        "normal" => {
            let mean = o.num(cx, "mean", None, any);
            let sd = o.num(cx, "sd", None, rule(0.0, f64::INFINITY));
            Dist::Normal { mean, sd }
        }
        "lognormal" => {
            if o.has("p5") || o.has("p95") {
                let p5 = o.num(cx, "p5", None, positive(f64::INFINITY));
                let p95 = o.num(cx, "p95", None, positive(f64::INFINITY));
                if cx.diags.len() == before && p95 <= p5 {
                    cx.err_hint(
                        &ipath,
                        "p95 must be greater than p5",
                        "p5 and p95 are the ends of the 90% range",
                    );
                }
                Dist::LognormalRange { p5, p95 }
            } else {
                let median = o.num(cx, "median", None, positive(f64::INFINITY));
                let spread = o.num(cx, "spread", None, rule(1.0, 1e6));
                Dist::LognormalSpread { median, spread }
            }
        }
        _ => {
            if o.has("mean") || o.has("sd") {
                let mean = o.num(
                    cx,
                    "mean",
                    None,
                    Rule {
                        lo: 0.0,
                        lo_open: true,
                        hi: 1.0,
                        hi_open: true,
                    },
                );
                let sd = o.num(cx, "sd", None, positive(0.5));
                if cx.diags.len() == before && sd * sd >= mean * (1.0 - mean) {
                    cx.err_hint(
                        &ipath,
                        "sd is too large for a beta with that mean",
                        format!("sd must be < {:.4}", (mean * (1.0 - mean)).sqrt()),
                    );
                }
                Dist::BetaMean { mean, sd }
            } else {
                let alpha = o.num(cx, "alpha", None, positive(1e4));
                let beta = o.num(cx, "beta", None, positive(1e4));
                Dist::Beta { alpha, beta }
            }
        }
    };
    o.finish(cx);
    if cx.diags.len() != before {
        return None;
    }
    let (lo, hi) = d.support();
    let unbounded = lo.is_infinite() || hi.is_infinite();
    if unbounded && !limits.unbounded_ok {
        cx.err_hint(
            path,
            format!(
                "{} is unbounded but this value must lie in [{}, {}]",
                d.describe(),
                limits.lo,
                limits.hi
            ),
            "use beta, PERT, triangular or uniform",
        );
        return None;
    }
    // Unbounded draws are clipped where they are used, so their tails may cross the limits, but
    // their centre must be an allowed value and their spread moderate: otherwise most draws
    // would be clipped, or overflow to infinity before they are.
    let centre = match d {
        Dist::Normal { mean, .. } => Some(mean),
        Dist::LognormalRange { p5, p95 } => Some(libm::sqrt(p5) * libm::sqrt(p95)),
        Dist::LognormalSpread { median, .. } => Some(median),
        _ => None,
    };
    if let Some(c) = centre.filter(|c| *c < limits.lo || *c > limits.hi) {
        cx.err_hint(
            path,
            format!(
                "{} is centred on {}, outside [{}, {}]",
                d.describe(),
                num(c),
                num(limits.lo),
                num(limits.hi)
            ),
            "the middle of the distribution must be an allowed value",
        );
        return None;
    }
    let too_wide = match d {
        Dist::Normal { sd, .. } => sd > limits.hi - limits.lo,
        Dist::LognormalRange { p5, p95 } => {
            libm::log(p95 / p5) / (2.0 * 1.6448536269514722) > libm::log(1e6)
        }
        _ => false,
    };
    if too_wide {
        cx.err_hint(
            path,
            format!("{} is too wide", d.describe()),
            format!(
                "keep the spread within the allowed range [{}, {}] (a lognormal's P95 / P5 within 1e19)",
                limits.lo, limits.hi
            ),
        );
        return None;
    }
    let lo_bad = if lo.is_finite() {
        lo < limits.lo
    } else {
        false
    };
    let hi_bad = if hi.is_finite() {
        hi > limits.hi
    } else {
        false
    };
    if lo_bad || hi_bad {
        cx.err_hint(
            path,
            format!(
                "{} reaches outside [{}, {}]",
                d.describe(),
                limits.lo,
                limits.hi
            ),
            "every value the distribution can take must be allowed here",
        );
        return None;
    }
    Some(d)
}

fn rule_of(r: DistRule) -> Rule {
    rule(r.lo, r.hi)
}

fn scenario(cx: &mut Cx, tree: &Value) -> Option<Scenario> {
    let mut o = Obj::new(cx, tree, "");
    if !o.ok() {
        return None;
    }
    let name = o.name(cx);
    let description = o.string(cx, "description", Some(""));
    let horizon = o.int(cx, "horizon_weeks", Some(104), 1, 1040) as u32;
    let paths = o.int(cx, "paths", Some(5000), 1, u64::from(crate::MAX_PATHS)) as u32;
    let seed = o.int(cx, "seed", Some(1), 0, MAX_SEED);
    let outage_week = o.int(
        cx,
        "concentration_outage_week",
        Some(u64::from(horizon / 2)),
        0,
        u64::from(horizon.saturating_sub(1)),
    ) as u32;
    let outage_hours = o.num(
        cx,
        "concentration_outage_hours",
        Some(72.0),
        positive(HOURS_PER_WEEK * 52.0),
    );

    let workloads: Vec<Workload> = o
        .list(cx, "workloads", true)
        .into_iter()
        .enumerate()
        .map(|(i, w)| workload(cx, w, i, horizon))
        .collect();
    let providers: Vec<Provider> = o
        .list(cx, "providers", true)
        .into_iter()
        .map(|p| provider(cx, p))
        .collect();
    let groups: Vec<CorrelationGroup> = o
        .list(cx, "correlation_groups", false)
        .into_iter()
        .map(|g| group(cx, g))
        .collect();
    let portfolios: Vec<Portfolio> = o
        .list(cx, "portfolios", true)
        .into_iter()
        .map(|p| portfolio(cx, p, horizon))
        .collect();
    let stress: Vec<StressTest> = o
        .list(cx, "stress_tests", false)
        .into_iter()
        .map(|s| stress_test(cx, s, horizon))
        .collect();
    o.finish(cx);

    let s = Scenario {
        name,
        description,
        horizon_weeks: horizon,
        paths,
        seed,
        concentration_outage_week: outage_week,
        concentration_outage_hours: outage_hours,
        workloads,
        providers,
        correlation_groups: groups,
        portfolios,
        stress_tests: stress,
    };
    super::check::references(&s, &mut cx.diags);
    Some(s)
}

const TIER_NAMES: [&str; 3] = ["committed", "burst", "emergency"];

fn workload(cx: &mut Cx, mut o: Obj, index: usize, _horizon: u32) -> Workload {
    let name = o.name(cx);
    let priority = o.int(cx, "priority", Some(index as u64 + 1), 0, 1000) as u32;
    let base_gpus = o.num(cx, "base_gpus", None, GPUS);
    let growth = o.dist(cx, "growth", Some(Dist::Fixed(0.0)), within(-0.99, 100.0));
    let volatility = o.num(cx, "volatility", Some(0.0), rule(0.0, 2.0));
    let volatility_persistence = o.num(cx, "volatility_persistence", Some(0.7), rule(0.0, 0.999));
    let peak_factor = o.num(cx, "peak_factor", Some(1.0), rule(1.0, 20.0));
    let tiers_path = o.at("tiers");
    let tiers = match o.strings(cx, "tiers") {
        None => Tier::ALL.to_vec(),
        Some(names) => {
            let mut tiers = Vec::new();
            for (i, n) in names.iter().enumerate() {
                match Tier::ALL.iter().find(|t| t.name() == n) {
                    Some(t) if !tiers.contains(t) => tiers.push(*t),
                    Some(_) => cx.err(
                        &format!("{tiers_path}[{i}]"),
                        format!("tier {} is listed twice", quote(n)),
                    ),
                    None => cx.err_hint(
                        &format!("{tiers_path}[{i}]"),
                        format!("unknown tier {}", quote(n)),
                        format!("one of: {}", TIER_NAMES.join(", ")),
                    ),
                }
            }
            if names.is_empty() {
                cx.err_hint(
                    &tiers_path,
                    "must name at least one tier",
                    "committed, burst or emergency",
                );
            }
            tiers.sort();
            tiers
        }
    };
    let deferrable = o.boolean(cx, "deferrable", false);
    let shortage_penalty = o.num(
        cx,
        "shortage_penalty_per_gpu_hour",
        Some(0.0),
        rule(0.0, 1e6),
    );
    let seasonality = o.table(cx, "seasonality").map(|mut s| {
        let amplitude = s.num(cx, "amplitude", None, rule(0.0, 0.95));
        let peak_week = s.num(
            cx,
            "peak_week",
            Some(0.0),
            Rule {
                lo: 0.0,
                lo_open: false,
                hi: 52.0,
                hi_open: true,
            },
        );
        s.finish(cx);
        Seasonality {
            amplitude,
            peak_week,
        }
    });
    let jumps = o.table(cx, "jumps").map(|mut j| {
        let rate_per_year = j.num(cx, "rate_per_year", None, RATE);
        let size = j.dist(cx, "size", None, within(-0.99, 100.0));
        let half_life_weeks = j.num_opt(cx, "half_life_weeks", positive(1e5));
        j.finish(cx);
        Jumps {
            rate_per_year,
            size,
            half_life_weeks,
        }
    });
    let degradation = o.table(cx, "degradation").map(|mut d| {
        let gpu_factor = d.num(
            cx,
            "gpu_factor",
            None,
            Rule {
                lo: 0.0,
                lo_open: true,
                hi: 1.0,
                hi_open: true,
            },
        );
        let max_share = d.num(cx, "max_share", Some(1.0), FRACTION);
        let quality_penalty_per_gpu_hour = d.num(
            cx,
            "quality_penalty_per_gpu_hour",
            Some(0.0),
            rule(0.0, 1e6),
        );
        d.finish(cx);
        Degradation {
            gpu_factor,
            max_share,
            quality_penalty_per_gpu_hour,
        }
    });
    o.finish(cx);
    Workload {
        name,
        priority,
        base_gpus,
        growth,
        volatility,
        volatility_persistence,
        peak_factor,
        tiers,
        deferrable,
        shortage_penalty_per_gpu_hour: shortage_penalty,
        seasonality,
        jumps,
        degradation,
    }
}

fn provider(cx: &mut Cx, mut o: Obj) -> Provider {
    let name = o.name(cx);
    let kind_path = o.at("kind");
    let kind_name = o.string(cx, "kind", Some("other"));
    let kind = ProviderKind::from_name(&kind_name).unwrap_or_else(|| {
        cx.err_hint(
            &kind_path,
            format!("unknown provider kind {}", quote(&kind_name)),
            format!("one of: {}", ProviderKind::NAMES.join(", ")),
        );
        ProviderKind::Other
    });
    let reserved_price = o.num(cx, "reserved_price", None, PRICE);
    let on_demand_price = o.num(cx, "on_demand_price", None, PRICE);
    let emergency_markup = o.num(cx, "emergency_markup", Some(1.0), rule(0.0, 100.0));
    let burst_fill = o.dist(cx, "burst_fill", Some(Dist::Fixed(1.0)), FRACTION_DIST);
    let lead_time_weeks = o.dist(
        cx,
        "lead_time_weeks",
        Some(Dist::Fixed(12.0)),
        within(0.0, 520.0),
    );
    let carbon = o.num(cx, "carbon_g_per_gpu_hour", Some(0.0), rule(0.0, 1e5));
    let outages = o.table(cx, "outages").map(|mut t| {
        let rate_per_year = t.num(cx, "rate_per_year", None, RATE);
        let duration_hours = t.dist(
            cx,
            "duration_hours",
            None,
            within(0.0, HOURS_PER_WEEK * 520.0),
        );
        t.finish(cx);
        Outages {
            rate_per_year,
            duration_hours,
        }
    });
    let quota_cuts = o.table(cx, "quota_cuts").map(|mut t| {
        let rate_per_year = t.num(cx, "rate_per_year", None, RATE);
        let fraction = t.dist(cx, "fraction", None, FRACTION_DIST);
        let duration_weeks = t.dist(cx, "duration_weeks", None, within(0.0, 1040.0));
        t.finish(cx);
        QuotaCuts {
            rate_per_year,
            fraction,
            duration_weeks,
        }
    });
    let price_shocks = o.table(cx, "price_shocks").map(|mut t| {
        let rate_per_year = t.num(cx, "rate_per_year", None, RATE);
        let size = t.dist(cx, "size", None, within(-0.9, 100.0));
        let half_life_weeks = t.num_opt(cx, "half_life_weeks", positive(1e5));
        t.finish(cx);
        PriceShocks {
            rate_per_year,
            size,
            half_life_weeks,
        }
    });
    o.finish(cx);
    Provider {
        name,
        kind,
        reserved_price,
        on_demand_price,
        emergency_markup,
        burst_fill,
        lead_time_weeks,
        carbon_g_per_gpu_hour: carbon,
        outages,
        quota_cuts,
        price_shocks,
    }
}

fn group(cx: &mut Cx, mut o: Obj) -> CorrelationGroup {
    let name = o.name(cx);
    let providers = o.strings(cx, "providers").unwrap_or_default();
    if o.ok() && !o.has("providers") {
        cx.err(&o.at("providers"), "is required");
    }
    let correlation = o.num(cx, "correlation", None, FRACTION);
    o.finish(cx);
    CorrelationGroup {
        name,
        providers,
        correlation,
    }
}

fn portfolio(cx: &mut Cx, mut o: Obj, horizon: u32) -> Portfolio {
    let name = o.name(cx);
    let description = o.string(cx, "description", Some(""));
    let contracts = o
        .list(cx, "contracts", false)
        .into_iter()
        .map(|mut c| {
            let provider = c.string(cx, "provider", None);
            let gpus = c.num(cx, "gpus", None, GPUS);
            let start_week = c.int(
                cx,
                "start_week",
                Some(0),
                0,
                u64::from(horizon.saturating_sub(1)),
            ) as u32;
            let term_weeks = c.int(cx, "term_weeks", None, 1, 1040) as u32;
            let price_per_gpu_hour = c.num_opt(cx, "price_per_gpu_hour", PRICE);
            let exit_path = c.at("exit_week");
            let exit_week = c.int_opt(cx, "exit_week", 0, 10_000).map(|w| w as u32);
            if exit_week
                .is_some_and(|w| w <= start_week || w >= start_week.saturating_add(term_weeks))
            {
                cx.err_hint(
                    &exit_path,
                    "must fall after start_week and before the term ends",
                    format!(
                        "between {} and {}",
                        start_week + 1,
                        start_week + term_weeks - 1
                    ),
                );
            }
            let early_exit_penalty = c.num(cx, "early_exit_penalty", Some(0.0), FRACTION);
            c.finish(cx);
            Contract {
                provider,
                gpus,
                start_week,
                term_weeks,
                price_per_gpu_hour,
                exit_week,
                early_exit_penalty,
            }
        })
        .collect();
    let caps = |cx: &mut Cx, list: Vec<Obj>| -> Vec<Cap> {
        list.into_iter()
            .map(|mut c| {
                let provider = c.string(cx, "provider", None);
                let max_gpus = c.num(cx, "max_gpus", None, rule(0.0, 1e9));
                c.finish(cx);
                Cap { provider, max_gpus }
            })
            .collect()
    };
    let burst_list = o.list(cx, "burst", false);
    let burst = caps(cx, burst_list);
    let emergency_list = o.list(cx, "emergency", false);
    let emergency = caps(cx, emergency_list);
    let ordering = o.table(cx, "ordering").map(|mut p| {
        let provider = p.string(cx, "provider", None);
        let review_weeks = p.int(cx, "review_weeks", Some(4), 1, 520) as u32;
        let first_review_week = p.int(cx, "first_review_week", Some(0), 0, 10_000) as u32;
        let target_percentile = p.num(
            cx,
            "target_percentile",
            Some(0.9),
            Rule {
                lo: 0.0,
                lo_open: true,
                hi: 1.0,
                hi_open: true,
            },
        );
        let cover_fraction = p.num(cx, "cover_fraction", Some(1.0), rule(0.0, 5.0));
        let min_order_gpus = p.num(cx, "min_order_gpus", Some(0.0), rule(0.0, 1e9));
        let max_order_gpus = p.num(cx, "max_order_gpus", None, GPUS);
        if min_order_gpus > max_order_gpus {
            cx.err(
                &p.at("min_order_gpus"),
                format!("must not exceed max_order_gpus ({})", num(max_order_gpus)),
            );
        }
        let term_weeks = p.int(cx, "term_weeks", Some(52), 1, 1040) as u32;
        p.finish(cx);
        OrderingPolicy {
            provider,
            review_weeks,
            first_review_week,
            target_percentile,
            cover_fraction,
            min_order_gpus,
            max_order_gpus,
            term_weeks,
        }
    });
    o.finish(cx);
    Portfolio {
        name,
        description,
        contracts,
        burst,
        emergency,
        ordering,
    }
}

const EVENT_KINDS: [&str; 4] = ["outage", "price_shock", "quota_cut", "demand_jump"];

fn stress_test(cx: &mut Cx, mut o: Obj, horizon: u32) -> StressTest {
    let name = o.name(cx);
    let description = o.string(cx, "description", Some(""));
    let last_week = u64::from(horizon.saturating_sub(1));
    let events = o
        .list(cx, "events", true)
        .into_iter()
        .filter_map(|mut e| {
            let kind_path = e.at("kind");
            let kind = e.string(cx, "kind", None);
            let week = e.int(cx, "week", None, 0, last_week) as u32;
            let ev = match kind.as_str() {
                "outage" => Some(StressEvent::Outage {
                    provider: e.string(cx, "provider", None),
                    week,
                    hours: e.num(cx, "hours", None, positive(HOURS_PER_WEEK * 520.0)),
                }),
                "price_shock" => Some(StressEvent::PriceShock {
                    provider: e.has("provider").then(|| e.string(cx, "provider", None)),
                    week,
                    increase: e.num(cx, "increase", None, rule(-0.9, 100.0)),
                    half_life_weeks: e.num_opt(cx, "half_life_weeks", positive(1e5)),
                }),
                "quota_cut" => Some(StressEvent::QuotaCut {
                    provider: e.string(cx, "provider", None),
                    week,
                    fraction: e.num(cx, "fraction", None, FRACTION),
                    weeks: e.int(cx, "weeks", None, 1, 1040) as u32,
                }),
                "demand_jump" => Some(StressEvent::DemandJump {
                    workload: e.has("workload").then(|| e.string(cx, "workload", None)),
                    week,
                    size: e.num(cx, "size", None, rule(-0.99, 100.0)),
                    half_life_weeks: e.num_opt(cx, "half_life_weeks", positive(1e5)),
                }),
                "" => None,
                other => {
                    let hint = match did_you_mean(other, EVENT_KINDS) {
                        Some(k) => format!("did you mean `{k}`?"),
                        None => format!("one of: {}", EVENT_KINDS.join(", ")),
                    };
                    cx.err_hint(
                        &kind_path,
                        format!("unknown event kind {}", quote(other)),
                        hint,
                    );
                    None
                }
            };
            if ev.is_some() {
                e.finish(cx);
            }
            ev
        })
        .collect();
    o.finish(cx);
    StressTest {
        name,
        description,
        events,
    }
}
