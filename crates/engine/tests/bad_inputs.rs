//! The bad-input corpus: every file in `tests/bad/` (and every generated case below) must give
//! exactly the diagnostics listed in its sibling `.expected` file, without panicking or hanging.
//!
//! `.expected` holds one line per diagnostic, `path: message` (`<scenario>` for the whole file);
//! hints are left out so their wording can improve without touching the corpus. A file that
//! parses lists its warnings as `warning: path: message` and any refusal to run as
//! `run: path: message`. After a deliberate change to the diagnostics, regenerate with
//! `HEADROOM_BLESS=1 cargo test -p engine --test bad_inputs` and review the diff.

use engine::{Diagnostics, Format, RunOptions, Simulation};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad")
}

/// A generous ceiling for one case in a debug build: the point is "no hang", not speed.
const SLOW: Duration = Duration::from_secs(5);

fn lines(prefix: &str, d: &Diagnostics, out: &mut String) {
    for d in d.iter() {
        let path = if d.path.is_empty() {
            "<scenario>"
        } else {
            &d.path
        };
        // Messages are single lines today; escape any newline so one diagnostic stays one line.
        let message = d.message.replace('\n', "\\n");
        let _ = writeln!(out, "{prefix}{path}: {message}");
    }
}

/// What the engine says about `text`, in `.expected` form.
fn diagnose(text: &str, format: Format) -> String {
    let mut out = String::new();
    match engine::parse_scenario(text, format) {
        Err(d) => lines("", &d, &mut out),
        Ok(s) => {
            lines("warning: ", &engine::scenario_warnings(&s), &mut out);
            if let Err(d) = Simulation::new(&s, &RunOptions::default()) {
                lines("run: ", &d, &mut out);
            }
        }
    }
    out
}

/// Cases too big (or too binary) to keep as files, built here.
fn generated() -> Vec<(&'static str, String, Format)> {
    let minimal = |providers: &str| {
        format!(
            "name = \"gen\"\n[[workloads]]\nname = \"w\"\nbase_gpus = 10\n{providers}\n\
             [[portfolios]]\nname = \"p\"\nburst = [{{ provider = \"p0\", max_gpus = 10 }}]\n"
        )
    };
    let providers = |n: usize| {
        (0..n)
            .map(|i| {
                format!("[[providers]]\nname = \"p{i}\"\nreserved_price = 2\non_demand_price = 4\n")
            })
            .collect::<String>()
    };
    // 10,000 contracts naming 3,000 providers that do not exist, against 3,000 that do:
    // the did-you-mean search must stay bounded and the list capped.
    let many_unknown = {
        let contracts: String = (0..10_000)
            .map(|i| {
                format!(
                    "{{ provider = \"q{}\", gpus = 1, term_weeks = 4 }},",
                    i % 3000
                )
            })
            .collect();
        format!(
            "name = \"gen\"\n[[workloads]]\nname = \"w\"\nbase_gpus = 10\n{}\n\
             [[portfolios]]\nname = \"p\"\ncontracts = [{contracts}]\n",
            providers(3000)
        )
    };
    vec![
        (
            "gen_10000_providers",
            minimal(&providers(10_000)),
            Format::Toml,
        ),
        (
            "gen_10001_providers",
            minimal(&providers(10_001)),
            Format::Toml,
        ),
        ("gen_many_unknown_references", many_unknown, Format::Toml),
        (
            "gen_huge_string",
            format!("name = \"{}\"\n", "x".repeat(3 << 20)),
            Format::Toml,
        ),
        (
            "gen_huge_key",
            format!("{} = 1\nname = \"k\"\n", "k".repeat(1 << 20)),
            Format::Toml,
        ),
        (
            "gen_too_many_bytes",
            format!("# {}\n", "x".repeat(5 << 20)),
            Format::Toml,
        ),
        (
            "gen_deep_toml_arrays",
            format!("name = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
            Format::Toml,
        ),
        (
            "gen_deep_json_arrays",
            format!(
                "{{\"name\": {}{}}}",
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
            Format::Json,
        ),
        (
            "gen_deep_toml_dotted_keys",
            format!("{}b = 1\n", "a.".repeat(100_000)),
            Format::Toml,
        ),
    ]
}

fn format_of(path: &Path) -> Format {
    Format::from_path(&path.to_string_lossy())
}

#[test]
fn every_bad_input_gives_exactly_the_expected_diagnostics() {
    let bless = std::env::var_os("HEADROOM_BLESS").is_some();
    let dir = corpus();
    let mut cases: Vec<(String, String, Format)> = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/bad/")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in &entries {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        if ext != "toml" && ext != "json" {
            continue;
        }
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        // Corpus files are UTF-8 by construction; the CLI tests cover non-UTF-8 bytes.
        let text = std::fs::read_to_string(path).expect("corpus file is UTF-8");
        cases.push((name, text, format_of(path)));
    }
    for (name, text, format) in generated() {
        cases.push((name.to_string(), text, format));
    }
    assert!(cases.len() >= 30, "corpus went missing: {}", cases.len());
    let stem = |name: &str| name.rsplit_once('.').map_or(name, |(s, _)| s).to_string();
    let mut stems: Vec<String> = cases.iter().map(|(n, _, _)| stem(n)).collect();
    stems.sort();
    stems.dedup();
    assert_eq!(
        stems.len(),
        cases.len(),
        "two inputs share a stem, so an .expected file"
    );

    let mut failures = Vec::new();
    let mut expected_files = Vec::new();
    for (name, text, format) in &cases {
        let expected_path = dir.join(format!("{}.expected", stem(name)));
        expected_files.push(expected_path.clone());
        let start = Instant::now();
        let got = std::panic::catch_unwind(|| diagnose(text, *format))
            .unwrap_or_else(|_| format!("PANIC while reading {name}\n"));
        let took = start.elapsed();
        if took > SLOW {
            failures.push(format!("{name}: took {took:?}"));
        }
        if got.is_empty() {
            failures.push(format!(
                "{name}: no diagnostics at all; it is not a bad input"
            ));
        }
        if bless {
            std::fs::write(&expected_path, &got).expect("write .expected");
            continue;
        }
        let want = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != want {
            failures.push(format!(
                "{name}: diagnostics differ\n--- expected ({})\n{want}--- got\n{got}",
                expected_path.display()
            ));
        }
    }
    // A stale `.expected` (its input renamed or deleted) would otherwise sit there unchecked.
    for path in &entries {
        if path.extension().is_some_and(|e| e == "expected") && !expected_files.contains(path) {
            failures.push(format!("{}: no input for this file", path.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problem(s); bless with HEADROOM_BLESS=1 if intended:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_byte_order_mark_is_ignored() {
    let text = "\u{feff}name = \"bom\"\n[[workloads]]\nname = \"w\"\nbase_gpus = 1\n\
                [[providers]]\nname = \"c\"\nreserved_price = 1\non_demand_price = 2\n\
                [[portfolios]]\nname = \"p\"\nburst = [{ provider = \"c\", max_gpus = 1 }]\n";
    engine::parse_scenario(text, Format::Toml).expect("TOML with a BOM");
    let json = "\u{feff}{\"name\": \"bom\", \"workloads\": [{\"name\": \"w\", \"base_gpus\": 1}], \
                \"providers\": [{\"name\": \"c\", \"reserved_price\": 1, \"on_demand_price\": 2}], \
                \"portfolios\": [{\"name\": \"p\", \"burst\": [{\"provider\": \"c\", \"max_gpus\": 1}]}]}";
    engine::parse_scenario(json, Format::Json).expect("JSON with a BOM");
}

#[test]
fn scenarios_built_in_code_are_validated_before_a_run() {
    let text = std::fs::read_to_string(corpus().join("../../scenarios/three-lane.toml")).unwrap();
    let mut s = engine::parse_scenario(&text, Format::Toml).unwrap();
    s.horizon_weeks = 0;
    s.providers.clear();
    s.workloads[0].base_gpus = f64::NAN;
    let d = match Simulation::new(&s, &RunOptions::default()) {
        Err(d) => d,
        Ok(_) => panic!("an invalid scenario built in code must not compile"),
    };
    let text = d.to_string();
    assert!(text.contains("horizon_weeks"), "{text}");
    assert!(text.contains("providers"), "{text}");
    assert!(text.contains("workloads[0].base_gpus"), "{text}");
}

#[test]
fn run_size_reports_both_budgets_and_large_runs_can_be_allowed() {
    let text = std::fs::read_to_string(corpus().join("../../scenarios/three-lane.toml")).unwrap();
    let s = engine::parse_scenario(&text, Format::Toml).unwrap();
    let small = engine::run_size(&s, &RunOptions::default());
    assert!(!small.over && !small.refused, "{small:?}");
    assert_eq!(small.limit, engine::MAX_WORK);
    assert!(small.work > 0 && small.memory_bytes > 0);

    // Over the work budget but within memory: refused by default, accepted when allowed.
    let mut big = s.clone();
    big.horizon_weeks = 1040;
    let options = RunOptions {
        paths: Some(engine::MAX_PATHS),
        ..Default::default()
    };
    let size = engine::run_size(&big, &options);
    assert!(size.over, "{size:?}");
    if !size.refused {
        assert!(Simulation::new(&big, &options).is_err());
        assert!(Simulation::new_large(&big, &options).is_ok());
    }

    // Over the hard limits: refused even when large runs are allowed.
    let options = RunOptions {
        paths: Some(engine::MAX_PATHS + 1),
        ..Default::default()
    };
    let size = engine::run_size(&s, &options);
    assert!(size.refused, "{size:?}");
    assert!(Simulation::new_large(&s, &options).is_err());
}
