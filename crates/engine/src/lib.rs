//! STUB of the `engine` crate: the exact public API the wasm adapter and the UI code
//! against, returning dummy data. The real engine replaces this file at merge, so it
//! deliberately contains no model logic.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Version of the engine, shown in the UI so a screenshot identifies the build.
pub const ENGINE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Text format of a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// TOML (the hand-written format).
    Toml,
    /// JSON (the format exchanged with the UI).
    Json,
}

/// One problem found in a scenario, located by a dotted path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Dotted path to the offending field, e.g. `providers[0].price`.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when known.
    pub hint: Option<String>,
}

/// All problems found in a scenario; serialized as a plain array.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for d in &self.0 {
            writeln!(f, "{}: {}", d.path, d.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// A parsed scenario (stub: only a name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scenario {
    /// Display name.
    pub name: String,
}

/// Parses a scenario; the stub accepts any non-empty text.
pub fn parse_scenario(text: &str, format: Format) -> Result<Scenario, Diagnostics> {
    if text.trim().is_empty() {
        return Err(Diagnostics(vec![Diagnostic {
            path: String::new(),
            message: "empty scenario".into(),
            hint: Some("paste a scenario in TOML or JSON".into()),
        }]));
    }
    let name = match format {
        Format::Toml => "stub (toml)",
        Format::Json => "stub (json)",
    };
    Ok(Scenario { name: name.into() })
}

/// Serializes a scenario back to TOML (stub: one line).
pub fn scenario_to_toml(s: &Scenario) -> String {
    format!("name = {:?}\n", s.name)
}

/// Options of one run; every field has a default so `{}` is valid JSON input.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RunOptions {
    /// Number of Monte Carlo paths.
    pub paths: Option<u32>,
    /// Seed of the random generator.
    pub seed: Option<u64>,
    /// Named stress tests to apply.
    pub stress: Vec<String>,
}

/// A prepared run, split into chunks of paths.
#[derive(Debug, Clone)]
pub struct Simulation {
    paths: u32,
    seed: u64,
}

/// Result of one chunk (stub).
#[derive(Debug, Clone)]
pub struct ChunkResult {
    paths: u32,
    checksum: u64,
}

/// Merges chunk results in index order.
#[derive(Debug, Clone)]
pub struct Accumulator {
    paths_done: u32,
    checksum: u64,
}

/// Summary of a run (stub: only the digest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Identifies the numbers, so two runs can be compared at a glance.
    pub digest: String,
    /// Paths merged so far.
    pub paths: u32,
}

const STUB_CHUNK_PATHS: u32 = 100;

impl Simulation {
    /// Prepares a run.
    pub fn new(_scenario: &Scenario, options: &RunOptions) -> Result<Simulation, Diagnostics> {
        Ok(Simulation {
            paths: options.paths.unwrap_or(1000).max(1),
            seed: options.seed.unwrap_or(42),
        })
    }

    /// Number of chunks.
    pub fn chunk_count(&self) -> u32 {
        self.paths.div_ceil(STUB_CHUNK_PATHS)
    }

    /// Runs one chunk.
    pub fn run_chunk(&self, index: u32) -> ChunkResult {
        let start = index * STUB_CHUNK_PATHS;
        let paths = STUB_CHUNK_PATHS.min(self.paths - start);
        ChunkResult {
            paths,
            checksum: self.seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(index),
        }
    }

    /// An empty accumulator for this run.
    pub fn accumulator(&self) -> Accumulator {
        Accumulator {
            paths_done: 0,
            checksum: 0,
        }
    }
}

impl Accumulator {
    /// Merges the next chunk.
    pub fn merge(&mut self, chunk: ChunkResult) {
        self.paths_done += chunk.paths;
        self.checksum = self.checksum.rotate_left(7) ^ chunk.checksum;
    }

    /// Paths merged so far.
    pub fn paths_done(&self) -> u32 {
        self.paths_done
    }

    /// The report of what has been merged so far.
    pub fn report(&self) -> Report {
        Report {
            digest: format!("{:016x}", self.checksum),
            paths: self.paths_done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stub_runs_all_chunks() {
        let s = parse_scenario("x", Format::Toml).unwrap();
        let sim = Simulation::new(&s, &RunOptions::default()).unwrap();
        let mut acc = sim.accumulator();
        for i in 0..sim.chunk_count() {
            acc.merge(sim.run_chunk(i));
        }
        assert_eq!(acc.paths_done(), 1000);
        assert!(!acc.report().digest.is_empty());
    }
}
