//! `headroom bench`: throughput on one thread, two threads and every core, best of N.
//!
//! Best-of rather than mean: the quantity of interest is what the code can do, and the slow runs
//! measure whatever else the machine was doing. Each configuration's digest is checked against
//! the single-threaded one, so a benchmark doubles as a determinism check.

use crate::input::{self, InputError};
use crate::run;
use anyhow::bail;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Scenario to run (default: scenarios/bench.toml).
    #[arg(long)]
    file: Option<PathBuf>,
    /// Monte Carlo paths per run.
    #[arg(long, default_value_t = 10_000)]
    paths: u32,
    /// Runs per configuration; the fastest counts.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    repeat: u32,
    /// Also time the optimizer (from the first portfolio, every core) on this many paths.
    #[arg(long, value_name = "PATHS")]
    optimizer: Option<u32>,
}

/// `scenarios/bench.toml` from the current directory, else from the source tree, so `cargo run
/// -- bench` works from anywhere inside the repository.
fn default_file() -> PathBuf {
    let local = PathBuf::from("scenarios/bench.toml");
    if local.exists() {
        return local;
    }
    let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/bench.toml");
    if in_tree.exists() { in_tree } else { local }
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let file = args.file.clone().unwrap_or_else(default_file);
    let scenario = input::load(&file)?;
    let options = engine::RunOptions {
        paths: Some(args.paths),
        ..Default::default()
    };
    let sim = engine::Simulation::new(&scenario, &options)
        .map_err(|d| InputError::diagnostics("cannot run this scenario", &d))?;

    let mut configs = vec![1, 2];
    let cores = run::default_threads();
    if !configs.contains(&cores) {
        configs.push(cores);
    }

    let path_weeks = f64::from(sim.paths()) * f64::from(scenario.horizon_weeks);
    println!(
        "{}: {} paths x {} weeks, {} portfolios, best of {}",
        file.display(),
        sim.paths(),
        scenario.horizon_weeks,
        scenario.portfolios.len(),
        args.repeat
    );
    println!(
        "{:>8}  {:>10}  {:>16}  {:>8}",
        "threads", "wall ms", "path-weeks/s", "speed-up"
    );
    let mut baseline: Option<(Duration, String)> = None;
    for threads in configs {
        let mut best = Duration::MAX;
        let mut digest = String::new();
        for _ in 0..args.repeat {
            let start = Instant::now();
            let report = run::run(&sim, threads, &mut |_, _| {});
            best = best.min(start.elapsed());
            digest = report.digest;
        }
        let (base_time, base_digest) = baseline.get_or_insert_with(|| (best, digest.clone()));
        if *base_digest != digest {
            bail!(
                "{threads} threads gave digest {digest}, 1 thread gave {base_digest}: \
                 results depend on scheduling"
            );
        }
        let secs = best.as_secs_f64().max(1e-9);
        println!(
            "{:>8}  {:>10.1}  {:>16.0}  {:>7.2}x",
            threads,
            secs * 1e3,
            path_weeks / secs,
            base_time.as_secs_f64() / secs
        );
    }
    if let Some(paths) = args.optimizer {
        bench_optimizer(&scenario, paths, cores)?;
    }
    Ok(())
}

/// One optimizer run: wall time, candidates and simulations, as a line to compare across versions.
fn bench_optimizer(scenario: &engine::Scenario, paths: u32, threads: usize) -> anyhow::Result<()> {
    let options = engine::decide::OptimizeOptions {
        run: engine::RunOptions {
            paths: Some(paths),
            ..Default::default()
        },
        ..Default::default()
    };
    let start = Instant::now();
    let out = engine::decide::optimize(
        scenario,
        &options,
        &mut run::Threads(threads),
        &mut |_, _| true,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let ms = start.elapsed().as_secs_f64() * 1e3;
    println!(
        "optimizer: {} paths, {} threads: {:.0} ms, {} candidates in {} simulations ({:.1} ms per candidate), {:?}",
        paths,
        threads,
        ms,
        out.evaluations,
        out.batches,
        ms / f64::from(out.evaluations.max(1)),
        out.stop
    );
    Ok(())
}
