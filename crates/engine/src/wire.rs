//! Chunk results as bytes, so a chunk simulated in one place can be merged in another.
//!
//! The browser spreads a run over several Web Workers; they share no memory, so each helper
//! sends its [`ChunkResult`]s to the worker that owns the [`Accumulator`](crate::Accumulator).
//! Because chunks are folded in index order wherever they were computed, the report and its
//! digest are the same as a single-threaded run's.
//!
//! Layout: `b"hrc1"`, an 8-byte little-endian run fingerprint, then the chunk in postcard (a
//! compact serde format: the weekly histograms are mostly zeros, one byte each). The
//! fingerprint ties bytes to one compiled run (scenario, seed, paths, stress), and decoding
//! checks every length against the model, so stale or foreign bytes are refused instead of
//! being merged into a wrong report. Nothing here panics on arbitrary input.

use crate::accum::ChunkResult;
use crate::compile::Model;
use crate::digest::fnv1a;
use crate::{CHUNK_PATHS, Simulation};

const MAGIC: &[u8; 4] = b"hrc1";
const HEADER: usize = MAGIC.len() + 8;

/// Why bytes could not be turned back into a chunk of this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireError {
    /// Not chunk bytes of this format (wrong magic, cut short, undecodable).
    Malformed(String),
    /// A chunk of another run (other scenario, seed, paths or stress tests).
    OtherRun,
    /// Decoded, but its shape does not fit this run.
    Shape(&'static str),
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WireError::Malformed(why) => write!(f, "not a chunk result: {why}"),
            WireError::OtherRun => write!(f, "chunk result of another run"),
            WireError::Shape(what) => write!(f, "chunk result does not fit this run: {what}"),
        }
    }
}

impl std::error::Error for WireError {}

/// Identifies a compiled run: what a chunk's numbers depend on.
fn fingerprint(m: &Model) -> u64 {
    let mut text = format!(
        "{}\n{}\n{}\n{}\n{}",
        m.scenario_digest,
        m.seed,
        m.paths,
        m.weeks,
        m.portfolios.len()
    );
    for s in &m.stress_names {
        text.push('\n');
        text.push_str(s);
    }
    fnv1a(text.as_bytes())
}

impl Simulation {
    /// The chunk as bytes for [`Simulation::chunk_from_bytes`] of the same run elsewhere.
    pub fn chunk_to_bytes(&self, chunk: &ChunkResult) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 64 * 1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&fingerprint(&self.model).to_le_bytes());
        // Serializing plain numbers and vectors into a Vec cannot fail.
        postcard::to_io(chunk, &mut out).expect("postcard writes plain data into a Vec");
        out
    }

    /// Decodes bytes made by [`Simulation::chunk_to_bytes`] for this same run.
    pub fn chunk_from_bytes(&self, bytes: &[u8]) -> Result<ChunkResult, WireError> {
        let m = &self.model;
        if bytes.len() < HEADER || &bytes[..MAGIC.len()] != MAGIC {
            return Err(WireError::Malformed("missing header".into()));
        }
        let mut fp = [0u8; 8];
        fp.copy_from_slice(&bytes[MAGIC.len()..HEADER]);
        if u64::from_le_bytes(fp) != fingerprint(m) {
            return Err(WireError::OtherRun);
        }
        let (chunk, rest): (ChunkResult, &[u8]) = postcard::take_from_bytes(&bytes[HEADER..])
            .map_err(|e| WireError::Malformed(e.to_string()))?;
        if !rest.is_empty() {
            return Err(WireError::Malformed("trailing bytes".into()));
        }
        check_shape(m, &chunk).map_err(WireError::Shape)?;
        Ok(chunk)
    }
}

/// Every length the merge relies on, against the model (so a merge never zips mismatched
/// vectors or indexes out of range).
fn check_shape(m: &Model, c: &ChunkResult) -> Result<(), &'static str> {
    let chunks = m.paths.div_ceil(CHUNK_PATHS);
    if c.index >= chunks {
        return Err("chunk index out of range");
    }
    let first = c.index * CHUNK_PATHS;
    let expected = CHUNK_PATHS.min(m.paths - first);
    if c.paths != expected {
        return Err("path count");
    }
    let n = c.paths as usize;
    if !c.demand.fits(m.weeks, m.demand_scale) || c.demand_sum.len() != m.weeks {
        return Err("demand weeks");
    }
    if c.portfolios.len() != m.portfolios.len() {
        return Err("portfolio count");
    }
    // Counts are bounded by the chunk's paths (so merged sums cannot overflow).
    let paths = c.paths;
    let weeks = u32::try_from(m.weeks).unwrap_or(u32::MAX);
    if !c.demand.counts_paths(paths) {
        return Err("demand histogram counts");
    }
    for p in &c.portfolios {
        let per_path = p.cost.len() == n && p.unmet.len() == n && p.shortage_weeks.len() == n;
        let counts = p.short_paths <= paths
            && p.damage_short <= paths
            && p.shortage_weeks.iter().all(|&w| w <= weeks)
            && p.weekly_short.iter().all(|&w| w <= paths)
            && p.classes.iter().all(|c| c.short_paths <= paths)
            && p.weekly_cost.counts_paths(paths);
        if !counts {
            return Err("counts above the chunk's paths");
        }
        let weekly = p.weekly_short.len() == m.weeks
            && p.weekly_cost_sum.len() == m.weeks
            && p.weekly_capacity.len() == m.weeks * 3
            && p.weekly_cost.fits(m.weeks, m.cost_scale);
        if !per_path || !weekly {
            return Err("portfolio vectors");
        }
        if p.providers.len() != m.providers.len() || p.classes.len() != m.classes.len() {
            return Err("providers or classes");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, RunOptions, parse_scenario};

    fn sim(seed: u64, paths: u32) -> Simulation {
        let text = include_str!("../../../scenarios/three-lane.toml");
        let s = parse_scenario(text, Format::Toml).unwrap();
        let options = RunOptions {
            paths: Some(paths),
            seed: Some(seed),
            ..RunOptions::default()
        };
        Simulation::new(&s, &options).unwrap()
    }

    #[test]
    fn chunks_through_bytes_give_the_same_report() {
        let sim = sim(7, 1_200);
        let mut direct = sim.accumulator();
        let mut wired = sim.accumulator();
        // Out of order, as helpers deliver them.
        for i in [2, 0, 1] {
            let chunk = sim.run_chunk(i);
            let bytes = sim.chunk_to_bytes(&chunk);
            wired.merge(sim.chunk_from_bytes(&bytes).unwrap());
            direct.merge(chunk);
        }
        let (a, b) = (direct.report(), wired.report());
        assert_eq!(a.digest, b.digest);
        assert_eq!(b.paths, 1_200);
    }

    #[test]
    fn bytes_of_another_run_or_damaged_bytes_are_refused() {
        let a = sim(7, 1_000);
        let b = sim(8, 1_000);
        let bytes = a.chunk_to_bytes(&a.run_chunk(1));
        assert_eq!(b.chunk_from_bytes(&bytes).unwrap_err(), WireError::OtherRun);
        assert!(matches!(
            a.chunk_from_bytes(&bytes[..bytes.len() - 1]),
            Err(WireError::Malformed(_))
        ));
        assert!(matches!(
            a.chunk_from_bytes(b"hrc0"),
            Err(WireError::Malformed(_))
        ));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(matches!(
            a.chunk_from_bytes(&longer),
            Err(WireError::Malformed(_))
        ));
    }

    #[test]
    fn a_chunk_with_the_wrong_shape_is_refused() {
        let a = sim(7, 1_000);
        let mut chunk = a.run_chunk(0);
        chunk.portfolios[0].cost.pop();
        let bytes = a.chunk_to_bytes(&chunk);
        assert_eq!(
            a.chunk_from_bytes(&bytes).unwrap_err(),
            WireError::Shape("portfolio vectors")
        );
        let mut chunk = a.run_chunk(1);
        chunk.index = 5;
        let bytes = a.chunk_to_bytes(&chunk);
        assert!(matches!(
            a.chunk_from_bytes(&bytes),
            Err(WireError::Shape(_))
        ));
    }

    #[test]
    fn every_byte_flip_is_refused_or_decodes_to_a_valid_shape() {
        // Single-byte damage past the header must never panic.
        let a = sim(3, 600);
        let bytes = a.chunk_to_bytes(&a.run_chunk(1));
        for i in (HEADER..bytes.len()).step_by(1009) {
            let mut bad = bytes.clone();
            bad[i] ^= 0xA5;
            let _ = a.chunk_from_bytes(&bad);
        }
    }
}
