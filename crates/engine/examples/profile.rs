//! Runs one scenario file single-threaded and prints the time per phase: a profiling harness
//! (`cargo run --release -p engine --example profile -- FILE [PATHS]`), not a benchmark.

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let file = args.next().unwrap_or_else(|| "scenarios/bench.toml".into());
    let paths = args.next().and_then(|p| p.parse().ok());
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    let scenario = match engine::parse_scenario(&text, engine::Format::from_path(&file)) {
        Ok(s) => s,
        Err(d) => {
            eprintln!("{d}");
            std::process::exit(2);
        }
    };
    let options = engine::RunOptions {
        paths,
        ..Default::default()
    };
    let t0 = Instant::now();
    let sim = engine::Simulation::new(&scenario, &options).expect("valid run");
    let t1 = Instant::now();
    let mut acc = sim.accumulator();
    for i in 0..sim.chunk_count() {
        acc.merge(sim.run_chunk(i));
    }
    let t2 = Instant::now();
    let report = acc.report();
    let t3 = Instant::now();
    let path_weeks = f64::from(sim.paths()) * f64::from(report.horizon_weeks);
    println!(
        "compile {:.1} ms, simulate {:.1} ms ({:.1} M path-weeks/s), report {:.1} ms, digest {}",
        (t1 - t0).as_secs_f64() * 1e3,
        (t2 - t1).as_secs_f64() * 1e3,
        path_weeks / (t2 - t1).as_secs_f64() / 1e6,
        (t3 - t2).as_secs_f64() * 1e3,
        report.digest
    );
    for p in &report.portfolios {
        println!(
            "{:<20} P(short) {:.3}±{:.3}  cost {:.0}  p90 {:.0}  util {:.2}  hhi {:.0}  unmet {:.0}",
            p.name,
            p.shortage_probability,
            p.shortage_probability_se,
            p.cost.mean,
            p.cost.p90,
            p.utilization,
            p.hhi,
            p.expected_unmet_gpu_hours
        );
        if std::env::var("DEBUG").is_ok() {
            println!(
                "  cap w10 {:?} {:?} {:?} breakdown {:?}",
                p.weekly_capacity.committed[10],
                p.weekly_capacity.burst[10],
                p.weekly_capacity.emergency[10],
                p.cost.breakdown
            );
        }
    }
}
// debug
