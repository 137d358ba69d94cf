//! libFuzzer target: arbitrary bytes read as a TOML and as a JSON scenario; anything accepted is
//! sized, checked for warnings and run small (20 paths, horizon capped at 104 weeks), and every
//! number in the report must be finite. Run with `cargo fuzz run parse_and_run` (see
//! docs/hardening.md); seed the corpus from `scenarios/` and `tests/bad/`.

#![no_main]

use engine::{Format, RunOptions, Simulation};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The engine takes text; the CLI rejects non-UTF-8 bytes before it gets here.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for format in [Format::Toml, Format::Json] {
        let Ok(mut s) = engine::parse_scenario(text, format) else {
            continue;
        };
        let _ = engine::scenario_warnings(&s);
        s.horizon_weeks = s.horizon_weeks.min(104);
        let mut options = RunOptions {
            paths: Some(20),
            ..Default::default()
        };
        if let Some(t) = s.stress_tests.first() {
            options.stress = vec![t.name.clone()];
        }
        let _ = engine::run_size(&s, &options);
        let Ok(sim) = Simulation::new(&s, &options) else {
            continue;
        };
        let mut acc = sim.accumulator();
        for i in 0..sim.chunk_count() {
            acc.merge(sim.run_chunk(i));
        }
        let report = acc.report();
        // serde_json writes non-finite numbers as null, and the report has no optional fields.
        let json = serde_json::to_string(&report).unwrap_or_default();
        assert!(!json.contains("null"), "non-finite number in the report");
    }
});
