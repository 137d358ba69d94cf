//! The report as pretty JSON: the engine's field names, nothing added or renamed.

use engine::Report;

/// Serialization of plain data cannot fail; the output depends only on the report, so runs with
/// the same inputs give byte-identical files.
pub fn render(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).unwrap_or_else(|e| {
        // Unreachable with the engine's types (string keys, no custom serializers); keep the
        // output valid JSON rather than panic if that ever changes.
        serde_json::json!({ "error": e.to_string() }).to_string()
    });
    text.push('\n');
    text
}
