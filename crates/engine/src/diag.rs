//! Diagnostics: every problem in a scenario, each with the field path it concerns.
//!
//! The engine never stops at the first problem: a planner fixing a file wants the whole list at
//! once, in the order the fields appear, like a compiler.

use serde::Serialize;
use std::fmt;

/// One problem with a scenario or a run request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Field path in the scenario, e.g. `providers[2].lead_time_weeks` (empty for the whole file).
    pub path: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)?;
        } else {
            write!(f, "{}: {}", self.path, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

/// A non-empty list of diagnostics, returned whenever input is rejected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn single(d: Diagnostic) -> Self {
        Self(vec![d])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Longest piece of user text quoted in a diagnostic, in characters.
const SHOW_CHARS: usize = 60;

/// User text as quoted in a diagnostic: control characters escaped (a name read from someone
/// else's file must not be able to drive the terminal that prints the message) and long text cut
/// short (a 4 MB key would otherwise be repeated in the message).
pub(crate) fn show(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == SHOW_CHARS {
            out.push('…');
            break;
        }
        if c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// `show` in backquotes, the way names are quoted in messages.
pub(crate) fn quote(s: &str) -> String {
    format!("`{}`", show(s))
}

/// Closest known name to `input`, for "did you mean" hints (edit distance at most 3).
pub(crate) fn did_you_mean<'a>(
    input: &str,
    known: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    // Edit distance is quadratic: only short names are worth a suggestion, and a hostile file
    // with thousands of long unknown names must not turn validation into a hang.
    if input.len() > 64 {
        return None;
    }
    known
        .into_iter()
        .take(1000)
        .filter(|k| k.len() <= 64)
        .map(|k| (edit_distance(input, k), k))
        .filter(|(d, k)| *d <= 3 && *d < k.len().max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // Two rows, allocated once: this runs for every unknown name in a file.
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A number as written in a message: plain when short, scientific when huge or tiny, so that
/// `1e300` does not print as three hundred digits.
pub(crate) fn num(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && a.is_finite() && !(1e-6..1e9).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(
            did_you_mean("lead_time_week", ["lead_time_weeks", "name"]),
            Some("lead_time_weeks")
        );
        assert_eq!(did_you_mean("zzzzzz", ["lead_time_weeks", "name"]), None);
    }

    #[test]
    fn shown_text_is_escaped_and_short() {
        assert_eq!(show("a\x1b[31mb\n"), "a\\u{1b}[31mb\\u{a}");
        assert_eq!(show("\u{202e}x"), "\\u{202e}x");
        assert_eq!(show(&"x".repeat(100)).chars().count(), SHOW_CHARS + 1);
        assert_eq!(quote("ok"), "`ok`");
    }

    #[test]
    fn numbers_stay_short() {
        assert_eq!(num(1e300), "1e300");
        assert_eq!(num(-2.5e-10), "-2.5e-10");
        assert_eq!(num(0.25), "0.25");
        assert_eq!(num(1040.0), "1040");
        assert_eq!(num(0.0), "0");
    }

    #[test]
    fn display_has_path_and_hint() {
        let d = Diagnostic::new("providers[2].lead_time_weeks", "must be > 0").with_hint("weeks");
        assert_eq!(
            d.to_string(),
            "providers[2].lead_time_weeks: must be > 0 (hint: weeks)"
        );
    }
}
