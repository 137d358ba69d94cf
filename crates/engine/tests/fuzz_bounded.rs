//! A bounded, deterministic fuzz run that CI can afford: mutate the shipped scenarios and the
//! bad-input corpus with a seeded generator and check that the engine never panics, and that
//! every mutant it accepts runs (with few paths) to a report whose numbers are all finite.
//!
//! Mutations are the ones that find bugs in scenario handling: a flipped byte, a value replaced
//! by a hostile one (`nan`, `-1`, `1e308`, `""`, `[]`...), a deleted or duplicated line, and two
//! fields' values swapped. The libFuzzer target in `fuzz/` explores further; this test pins a
//! fixed slice of that space so a regression fails the same way every time.
//!
//! `HEADROOM_FUZZ_ITERS=100000 HEADROOM_FUZZ_RUNS=100000 cargo test --release -p engine --test
//! fuzz_bounded -- --nocapture` runs longer.

use engine::{Format, RunOptions, Simulation};
use serde_json::Value;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const DEFAULT_ITERS: usize = 2000;
/// Mutants actually simulated (a debug-build run takes ~50 ms, mostly compiling distributions);
/// every mutant is parsed, checked for warnings and sized.
const DEFAULT_RUNS: usize = 80;
/// Paths and horizon of the runs made on accepted mutants: enough to exercise every code path.
const PATHS: u32 = 20;
const MAX_WEEKS: u32 = 104;

const HOSTILE: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "1e-308",
    "4294967296",
    "18446744073709551615",
    "9007199254740993",
    "0.5",
    "1.0000001",
    "\"\"",
    "\"cloud\"",
    "\"\\u001b[31m\"",
    "[]",
    "[[]]",
    "{}",
    "{ pert = { min = 0, mode = 0, max = 0 } }",
    "{ normal = { mean = 0, sd = 0 } }",
    "{ beta = { alpha = 1e-9, beta = 1e-9 } }",
    "{ lognormal = { p5 = 1e-300, p95 = 1e-299 } }",
    "true",
    "1979-05-27",
];

/// SplitMix64: tiny, seeded, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<(String, String, Format)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for dir in ["scenarios", "tests/bad"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(dir))
            .expect("seed folder")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml" || e == "json"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).expect("seed is UTF-8");
            let format = Format::from_path(&f.to_string_lossy());
            out.push((f.display().to_string(), text, format));
        }
    }
    out
}

/// `key = value` lines (TOML) or `"key": value` pairs (JSON): where a value starts and ends.
fn value_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let sep = body
            .find(" = ")
            .map(|i| i + 3)
            .or_else(|| body.find("\": ").map(|i| i + 3));
        if let Some(start) = sep {
            let end = body.trim_end_matches(',').len();
            if end > start {
                spans.push((offset + start, offset + end));
            }
        }
        offset += line.len();
    }
    spans
}

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut t = text.to_string();
    for _ in 0..1 + rng.below(2) {
        t = match rng.below(5) {
            0 => flip_byte(rng, &t),
            1 => replace_value(rng, &t),
            2 => edit_line(rng, &t, false),
            3 => edit_line(rng, &t, true),
            _ => swap_values(rng, &t),
        };
    }
    t
}

fn flip_byte(rng: &mut Rng, t: &str) -> String {
    let mut bytes = t.as_bytes().to_vec();
    if bytes.is_empty() {
        return t.to_string();
    }
    let i = rng.below(bytes.len());
    bytes[i] ^= 1 << rng.below(7);
    // Keep it a &str: the engine's input type. Non-UTF-8 bytes are the CLI's job (tested there).
    String::from_utf8_lossy(&bytes).into_owned()
}

fn replace_value(rng: &mut Rng, t: &str) -> String {
    let spans = value_spans(t);
    if spans.is_empty() {
        return t.to_string();
    }
    let (a, b) = spans[rng.below(spans.len())];
    let v = HOSTILE[rng.below(HOSTILE.len())];
    format!("{}{v}{}", &t[..a], &t[b..])
}

fn edit_line(rng: &mut Rng, t: &str, duplicate: bool) -> String {
    let mut lines: Vec<&str> = t.lines().collect();
    if lines.is_empty() {
        return t.to_string();
    }
    let i = rng.below(lines.len());
    if duplicate {
        lines.insert(i, lines[i]);
    } else {
        lines.remove(i);
    }
    lines.join("\n")
}

fn swap_values(rng: &mut Rng, t: &str) -> String {
    let spans = value_spans(t);
    if spans.len() < 2 {
        return t.to_string();
    }
    let (mut x, mut y) = (spans[rng.below(spans.len())], spans[rng.below(spans.len())]);
    if x == y {
        return t.to_string();
    }
    if x.0 > y.0 {
        std::mem::swap(&mut x, &mut y);
    }
    format!(
        "{}{}{}{}{}",
        &t[..x.0],
        &t[y.0..y.1],
        &t[x.1..y.0],
        &t[x.0..x.1],
        &t[y.1..]
    )
}

/// serde_json writes NaN and infinities as `null`, and the report has no optional fields: any
/// `null` is a non-finite number.
fn non_finite_at(v: &Value, path: &str) -> Option<String> {
    match v {
        Value::Null => Some(path.to_string()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| non_finite_at(x, &format!("{path}[{i}]"))),
        Value::Object(m) => m
            .iter()
            .find_map(|(k, x)| non_finite_at(x, &format!("{path}.{k}"))),
        _ => None,
    }
}

/// Parse one mutant and, if it is accepted and `run`, run it small: `Ok(true)` when a report was
/// made. `Err` describes a failure.
fn check(text: &str, format: Format, stress_pick: usize, run: bool) -> Result<bool, String> {
    let Ok(mut s) = engine::parse_scenario(text, format) else {
        return Ok(false);
    };
    s.horizon_weeks = s.horizon_weeks.min(MAX_WEEKS);
    let mut options = RunOptions {
        paths: Some(PATHS),
        ..Default::default()
    };
    if !s.stress_tests.is_empty() {
        options.stress = vec![
            s.stress_tests[stress_pick % s.stress_tests.len()]
                .name
                .clone(),
        ];
    }
    let _ = engine::scenario_warnings(&s);
    // Shortening the horizon may invalidate weeks; the engine must say so, not panic.
    let _ = engine::run_size(&s, &options);
    if !run {
        return Ok(false);
    }
    let Ok(sim) = Simulation::new(&s, &options) else {
        return Ok(false);
    };
    let mut acc = sim.accumulator();
    for i in 0..sim.chunk_count() {
        acc.merge(sim.run_chunk(i));
    }
    let report = acc.report();
    let value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
    match non_finite_at(&value, "report") {
        Some(at) => Err(format!("non-finite number at {at}")),
        None => Ok(true),
    }
}

#[test]
fn mutated_scenarios_never_panic_and_valid_ones_run_to_finite_reports() {
    let iters = std::env::var("HEADROOM_FUZZ_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_ITERS);
    let runs = std::env::var("HEADROOM_FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RUNS);
    let seeds = seeds();
    let shipped = seeds
        .iter()
        .filter(|(n, _, _)| n.contains("scenarios"))
        .count();
    assert!(seeds.len() > 10 && shipped > 0);
    let mut rng = Rng(0x4845_4144_524f_4f4d); // "HEADROOM"
    let start = Instant::now();
    let mut accepted = 0;
    let mut failures = Vec::new();
    for i in 0..iters {
        // Mostly the shipped scenarios: their mutants get past the parser and into a run.
        let (name, text, format) = if rng.below(4) == 0 {
            &seeds[rng.below(seeds.len())]
        } else {
            &seeds[rng.below(shipped)]
        };
        let mutant = mutate(&mut rng, text);
        let pick = rng.below(8);
        let run = accepted < runs;
        let outcome = std::panic::catch_unwind(|| check(&mutant, *format, pick, run));
        let problem = match outcome {
            Ok(Ok(ran)) => {
                accepted += usize::from(ran);
                None
            }
            Ok(Err(e)) => Some(e),
            Err(_) => Some("panicked".to_string()),
        };
        if let Some(p) = problem {
            failures.push(format!(
                "iteration {i}, from {name}: {p}\n--- mutant ---\n{mutant}\n---"
            ));
            if failures.len() >= 3 {
                break;
            }
        }
    }
    let took = start.elapsed();
    eprintln!("{iters} mutants, {accepted} run to a report, in {took:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A mutation scheme that only ever produces garbage tests nothing past the parser.
    assert!(
        accepted >= runs.min(iters / 10),
        "only {accepted} of {iters} mutants ran"
    );
    // Only the default (CI) size has a time bound; a long run asked for by name may take hours.
    assert!(
        iters != DEFAULT_ITERS || took < Duration::from_secs(120),
        "the bounded fuzz run is meant to be quick: {took:?}"
    );
}
