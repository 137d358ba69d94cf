//! Scenarios: the typed model, how it is read from TOML/JSON, and how it is written back.

mod check;
mod decode;
mod model;

pub use check::warnings;
pub use decode::{Format, MAX_DIAGNOSTICS, MAX_SEED, MAX_TEXT_BYTES, decode, parse};
pub use model::*;

/// The scenario as TOML, in the same format `parse` reads.
pub fn to_toml(s: &Scenario) -> String {
    // Serializing plain data with string keys cannot fail; fall back to JSON just in case.
    toml::to_string(s).unwrap_or_else(|_| to_json(s))
}

/// The scenario as pretty JSON, in the same format `parse` reads.
pub fn to_json(s: &Scenario) -> String {
    serde_json::to_string_pretty(s).unwrap_or_default()
}

/// Canonical compact JSON, the input of `scenario_digest`.
pub fn canonical_json(s: &Scenario) -> String {
    serde_json::to_string(s).unwrap_or_default()
}
