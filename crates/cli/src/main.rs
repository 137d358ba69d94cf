//! `headroom`: the native command line for Headroom scenarios.
//!
//! Exit codes: 0 on success, 2 when the input is at fault (bad scenario, unknown stress test,
//! missing file, bad flag, a run over the size budget: the same code clap uses for usage
//! errors), 1 for anything else (an output file that cannot be written...). User input never
//! panics. Warnings (valid but suspicious settings) go to stderr and never change the exit code.

mod bench;
mod decide;
mod format;
mod input;
mod progress;
mod run;

use clap::{Parser, Subcommand, ValueEnum};
use input::InputError;
use std::path::PathBuf;
use std::process::ExitCode;

/// The run-size budget, as `--help` states it (a test keeps the numbers in step with the engine).
const BUDGET_HELP: &str = concat!(
    "Run budget: paths x weeks x (portfolios + providers + workloads + expected random events) ",
    "must stay under 4,000,000,000 units (about a minute on one core; `run --allow-large` lifts ",
    "it); at most 1,000,000 paths and about 1 GiB of memory per run (hard limits). ",
    "Scenario files are limited to 4 MiB and lists to 10,000 entries. See docs/hardening.md."
);

#[derive(Parser, Debug)]
#[command(
    name = "headroom",
    version,
    about = "Monte Carlo GPU capacity planning",
    after_help = BUDGET_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate a scenario and report every portfolio side by side.
    Run(RunArgs),
    /// Check a scenario file and list every problem in it.
    Validate {
        /// Scenario file (.json for JSON, anything else is read as TOML).
        file: PathBuf,
    },
    /// Measure throughput single-threaded and multi-threaded.
    Bench(bench::BenchArgs),
    /// Search committed capacity (and ordering-policy settings) for the cheapest portfolio that
    /// meets a shortage target and a provider-share cap; prints the efficient frontier.
    Optimize(decide::OptimizeArgs),
    /// Tornado: which uncertain inputs move P(shortage) and cost most for one portfolio.
    Sensitivity(decide::SensitivityArgs),
}

#[derive(clap::Args, Debug)]
struct RunArgs {
    /// Scenario file (.json for JSON, anything else is read as TOML).
    scenario: PathBuf,
    /// Number of Monte Carlo paths (default: the scenario's `paths`).
    #[arg(long)]
    paths: Option<u32>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: available parallelism). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Apply a named stress test from the scenario to every path; repeatable.
    #[arg(long = "stress", value_name = "NAME")]
    stress: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Run even if the run is above the work budget (it will be slow). The memory and path
    /// limits still apply.
    #[arg(long)]
    allow_large: bool,
    /// Precision control: add paths until every portfolio's P(shortage) has at most this
    /// standard error (absolute, e.g. 0.005), up to --max-paths.
    #[arg(long, value_name = "SE")]
    target_se_prob: Option<f64>,
    /// Precision control: add paths until every portfolio's mean cost has at most this standard
    /// error relative to the mean (e.g. 0.01 = 1%), up to --max-paths.
    #[arg(long, value_name = "REL")]
    target_se_cost: Option<f64>,
    /// Path cap for precision control (default 200,000).
    #[arg(long, value_name = "N")]
    max_paths: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum OutputFormat {
    Table,
    Json,
    Csv,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => cmd_run(&args),
        Command::Validate { file } => cmd_validate(&file),
        Command::Bench(args) => bench::run(&args),
        Command::Optimize(args) => decide::optimize(&args),
        Command::Sensitivity(args) => decide::sensitivity(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(input) = e.downcast_ref::<InputError>() {
                eprintln!("{input}");
                return ExitCode::from(2);
            }
            // An I/O error can quote a path from the command line: escape it like any name.
            eprintln!(
                "{}",
                format::terminal::escape_keep_lines(&format!("error: {e:#}"))
            );
            ExitCode::from(1)
        }
    }
}

fn cmd_validate(file: &std::path::Path) -> anyhow::Result<()> {
    let scenario = input::load(file)?;
    print_warnings(&scenario);
    let size = engine::run_size(&scenario, &engine::RunOptions::default());
    if size.refused || size.over {
        let what = if size.refused {
            "cannot run at its own settings (over the memory or path limit)"
        } else {
            "is over the work budget at its own settings (`run --allow-large` to run it anyway)"
        };
        eprintln!(
            "warning: this scenario {what}: {} work units of {}, about {} MiB of {}",
            size.work,
            size.limit,
            size.memory_bytes.div_ceil(1 << 20),
            size.memory_limit >> 20
        );
    }
    println!(
        "ok: {} ({} workloads, {} providers, {} portfolios)",
        format::terminal::escape(&scenario.name),
        scenario.workloads.len(),
        scenario.providers.len(),
        scenario.portfolios.len()
    );
    Ok(())
}

/// Valid but suspicious settings, on stderr, one per line.
fn print_warnings(scenario: &engine::Scenario) {
    for w in engine::scenario_warnings(scenario).iter() {
        eprintln!(
            "warning: {}",
            format::terminal::escape_keep_lines(&w.to_string())
        );
    }
}

fn cmd_run(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = input::load(&args.scenario)?;
    print_warnings(&scenario);
    let precise = args.target_se_prob.is_some() || args.target_se_cost.is_some();
    for (flag, v) in [
        ("--target-se-prob", args.target_se_prob),
        ("--target-se-cost", args.target_se_cost),
    ] {
        if v.is_some_and(|v| !(v > 0.0 && v.is_finite())) {
            return Err(InputError::message(format!("{flag} must be a positive number")).into());
        }
    }
    if args.max_paths.is_some() && !precise {
        return Err(InputError::message(
            "--max-paths needs --target-se-prob or --target-se-cost (use --paths for a fixed count)",
        )
        .into());
    }
    let options = engine::RunOptions {
        paths: if precise {
            Some(args.max_paths.unwrap_or(DEFAULT_MAX_PATHS))
        } else {
            args.paths
        },
        seed: args.seed,
        stress: args.stress.clone(),
    };
    let sim = if args.allow_large {
        engine::Simulation::new_large(&scenario, &options)
    } else {
        engine::Simulation::new(&scenario, &options)
    }
    .map_err(|d| InputError::diagnostics("cannot run this scenario", &d))?;
    let threads = args
        .threads
        .map_or_else(run::default_threads, |t| t as usize);
    let mut bar = progress::Progress::stderr("paths");
    let report = if precise {
        let target = engine::decide::PrecisionTarget {
            prob_se: args.target_se_prob,
            cost_rel_se: args.target_se_cost,
            // --paths sets the floor: never stop before it.
            min_paths: args.paths.unwrap_or(2 * engine::CHUNK_PATHS),
        };
        let outcome = run::run_precise(&sim, threads, target, &mut |d, t| bar.update(d, t));
        bar.finish();
        eprintln!(
            "precision: {} after {} paths",
            if outcome.met {
                "target met"
            } else {
                "target NOT met at the path cap"
            },
            outcome.paths
        );
        outcome.report
    } else {
        let r = run::run(&sim, threads, &mut |done, total| bar.update(done, total));
        bar.finish();
        r
    };
    let text = match args.format {
        OutputFormat::Table => format::table::render(&report),
        OutputFormat::Json => format::json::render(&report),
        OutputFormat::Csv => format::csv::render(&report),
    };
    write_output(args.out.as_deref(), &text)
}

/// Path cap of a precision-controlled run when `--max-paths` is not given.
const DEFAULT_MAX_PATHS: u32 = 200_000;

pub(crate) fn write_output(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    use std::io::Write;
    match out {
        Some(path) => {
            std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
            {
                // `headroom run ... | head` is normal use, not an error worth a message.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// `--help` must quote the engine's actual limits.
    #[test]
    fn budget_help_matches_the_engine() {
        let thousands = |n: u64| {
            let d = n.to_string();
            let mut out = String::new();
            for (i, c) in d.chars().enumerate() {
                if i > 0 && (d.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        assert!(super::BUDGET_HELP.contains(&thousands(engine::MAX_WORK)));
        assert!(super::BUDGET_HELP.contains(&thousands(u64::from(engine::MAX_PATHS))));
        assert_eq!(engine::MAX_MEMORY_BYTES, 1 << 30, "the help says 1 GiB");
        assert_eq!(
            engine::scenario::MAX_TEXT_BYTES,
            4 << 20,
            "the help says 4 MiB"
        );
    }
}
