//! `headroom optimize` and `headroom sensitivity`: the engine's decision support on the command
//! line, with the thread pool as executor (results do not depend on the thread count).

use crate::format::decide as render;
use crate::input::{self, InputError};
use crate::{progress, run, write_output};
use clap::ValueEnum;
use engine::decide::{self, Objective, OptimizeOptions, SensitivityOptions, SwingMetric};
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DecideFormat {
    Table,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    Mean,
    Cvar95,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Shortage,
    Cost,
}

/// Options shared by both commands.
#[derive(clap::Args, Debug)]
pub struct Common {
    /// Scenario file (.json for JSON, anything else is read as TOML).
    scenario: PathBuf,
    /// Portfolio to start from / to study (default: the first).
    #[arg(long, value_name = "NAME")]
    portfolio: Option<String>,
    /// Monte Carlo paths per evaluation (default: the scenario's `paths`).
    #[arg(long)]
    paths: Option<u32>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Apply a named stress test from the scenario to every path; repeatable.
    #[arg(long = "stress", value_name = "NAME")]
    stress: Vec<String>,
    /// Worker threads (default: available parallelism). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DecideFormat::Table)]
    format: DecideFormat,
    /// Write the output to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

impl Common {
    fn run_options(&self) -> engine::RunOptions {
        engine::RunOptions {
            paths: self.paths,
            seed: self.seed,
            stress: self.stress.clone(),
        }
    }

    fn threads(&self) -> usize {
        self.threads
            .map_or_else(run::default_threads, |t| t as usize)
    }
}

#[derive(clap::Args, Debug)]
pub struct OptimizeArgs {
    #[command(flatten)]
    common: Common,
    /// What to minimize: mean cost or CVaR95 (mean of the worst 5% of paths).
    #[arg(long, value_enum, default_value_t = ObjectiveArg::Mean)]
    objective: ObjectiveArg,
    /// Largest acceptable P(shortage over the horizon), e.g. 0.05.
    #[arg(long, value_name = "P")]
    max_shortage: Option<f64>,
    /// Largest acceptable share of capacity at any one provider, e.g. 0.6.
    #[arg(long, value_name = "S")]
    max_share: Option<f64>,
    /// Most candidate portfolios to simulate.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    max_evaluations: u32,
    /// Only resize the base portfolio's contracts; do not add providers it does not use.
    #[arg(long)]
    no_new_providers: bool,
}

#[derive(clap::Args, Debug)]
pub struct SensitivityArgs {
    #[command(flatten)]
    common: Common,
    /// Which swing orders the tornado.
    #[arg(long, value_enum, default_value_t = SortArg::Shortage)]
    sort: SortArg,
}

fn engine_error(e: engine::RunError) -> anyhow::Error {
    match e {
        engine::RunError::Invalid(d) => {
            InputError::diagnostics("cannot run this scenario", &d).into()
        }
        other => other.into(),
    }
}

pub fn optimize(args: &OptimizeArgs) -> anyhow::Result<()> {
    let c = &args.common;
    let scenario = input::load(&c.scenario)?;
    let options = optimize_options(args);
    let mut bar = progress::Progress::stderr("candidates");
    let result = decide::optimize(
        &scenario,
        &options,
        &mut run::Threads(c.threads()),
        &mut |done, total| {
            bar.update(done, total);
            true
        },
    );
    bar.finish();
    let out = result.map_err(engine_error)?;
    let text = match c.format {
        DecideFormat::Table => render::optimization(&out),
        DecideFormat::Json => render::json(&out),
    };
    write_output(c.out.as_deref(), &text)
}

pub fn optimize_options(args: &OptimizeArgs) -> OptimizeOptions {
    OptimizeOptions {
        portfolio: args.common.portfolio.clone(),
        objective: match args.objective {
            ObjectiveArg::Mean => Objective::Mean,
            ObjectiveArg::Cvar95 => Objective::Cvar95,
        },
        max_shortage: args.max_shortage,
        max_share: args.max_share,
        run: args.common.run_options(),
        max_evaluations: args.max_evaluations,
        add_providers: !args.no_new_providers,
    }
}

pub fn sensitivity(args: &SensitivityArgs) -> anyhow::Result<()> {
    let c = &args.common;
    let scenario = input::load(&c.scenario)?;
    let options = SensitivityOptions {
        portfolio: c.portfolio.clone(),
        run: c.run_options(),
        sort_by: match args.sort {
            SortArg::Shortage => SwingMetric::Shortage,
            SortArg::Cost => SwingMetric::Cost,
        },
    };
    let mut bar = progress::Progress::stderr("runs");
    let result = decide::sensitivity(
        &scenario,
        &options,
        &mut run::Threads(c.threads()),
        &mut |done, total| {
            bar.update(done, total);
            true
        },
    );
    bar.finish();
    let t = result.map_err(engine_error)?;
    let text = match c.format {
        DecideFormat::Table => render::tornado(&t),
        DecideFormat::Json => render::json(&t),
    };
    write_output(c.out.as_deref(), &text)
}
