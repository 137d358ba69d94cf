//! `headroom`: the native command line for Headroom scenarios.
//!
//! Exit codes: 0 on success, 2 when the input is at fault (bad scenario, unknown stress test,
//! missing file, bad flag: the same code clap uses for usage errors), 1 for anything else (an
//! output file that cannot be written, a broken pipe...). User input never panics.

mod bench;
mod format;
mod input;
mod progress;
mod run;

use clap::{Parser, Subcommand, ValueEnum};
use input::InputError;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "headroom",
    version,
    about = "Monte Carlo GPU capacity planning"
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(input) = e.downcast_ref::<InputError>() {
                eprintln!("{input}");
                return ExitCode::from(2);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn cmd_validate(file: &std::path::Path) -> anyhow::Result<()> {
    let scenario = input::load(file)?;
    println!(
        "ok: {} ({} workloads, {} providers, {} portfolios)",
        scenario.name,
        scenario.workloads.len(),
        scenario.providers.len(),
        scenario.portfolios.len()
    );
    Ok(())
}

fn cmd_run(args: &RunArgs) -> anyhow::Result<()> {
    let scenario = input::load(&args.scenario)?;
    let options = engine::RunOptions {
        paths: args.paths,
        seed: args.seed,
        stress: args.stress.clone(),
    };
    let sim = engine::Simulation::new(&scenario, &options)
        .map_err(|d| InputError::diagnostics("cannot run this scenario", &d))?;
    let threads = args
        .threads
        .map_or_else(run::default_threads, |t| t as usize);
    let mut bar = progress::Progress::stderr("paths");
    let report = run::run(&sim, threads, &mut |done, total| bar.update(done, total));
    bar.finish();
    let text = match args.format {
        OutputFormat::Table => format::table::render(&report),
        OutputFormat::Json => format::json::render(&report),
        OutputFormat::Csv => format::csv::render(&report),
    };
    write_output(args.out.as_deref(), &text)
}

fn write_output(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
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
