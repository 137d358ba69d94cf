//! Reading scenario files, and the error type for "the user's input is at fault" (exit code 2).

use engine::{Diagnostics, Format, Scenario};
use std::fmt;
use std::io::Read;
use std::path::Path;

/// A problem with what the user gave us; `main` prints it as is and exits with code 2.
#[derive(Debug)]
pub struct InputError {
    /// Already formatted lines, printed to stderr one per line.
    lines: Vec<String>,
}

impl InputError {
    pub fn message(message: impl Into<String>) -> Self {
        InputError {
            lines: vec![format!("error: {}", message.into())],
        }
    }

    /// A heading followed by every diagnostic, one per line as `path: message (hint: ...)`, so
    /// the list can be fixed in one pass (and grepped by field path).
    pub fn diagnostics(heading: &str, diags: &Diagnostics) -> Self {
        let n = diags.len();
        let plural = if n == 1 { "problem" } else { "problems" };
        let mut lines = vec![format!("error: {heading} ({n} {plural}):")];
        lines.extend(diags.iter().map(ToString::to_string));
        InputError { lines }
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The engine already escapes names it quotes; file paths and anything else reach the
        // terminal through here too, so escape every line (each line stays one line).
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|l| crate::format::terminal::escape(l).into_owned())
            .collect();
        f.write_str(&lines.join("\n"))
    }
}

impl std::error::Error for InputError {}

/// Read and validate a scenario; the format follows the extension (`.json` or TOML).
pub fn load(path: &Path) -> Result<Scenario, InputError> {
    let shown = path.display();
    let mut bytes = Vec::new();
    // `take` bounds the read: a path such as /dev/zero must fail, not exhaust memory.
    let limit = engine::scenario::MAX_TEXT_BYTES as u64;
    std::fs::File::open(path)
        .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
        .map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                _ => e.to_string(),
            };
            InputError::message(format!("cannot read scenario `{shown}`: {why}"))
        })?;
    if bytes.len() as u64 > limit {
        return Err(InputError::message(format!(
            "`{shown}` is larger than {limit} bytes; a scenario is usually a few kilobytes"
        )));
    }
    let text = String::from_utf8(bytes)
        .map_err(|_| InputError::message(format!("`{shown}` is not UTF-8 text")))?;
    let format = Format::from_path(&path.to_string_lossy());
    engine::parse_scenario(&text, format)
        .map_err(|d| InputError::diagnostics(&format!("`{shown}` is not a valid scenario"), &d))
}
