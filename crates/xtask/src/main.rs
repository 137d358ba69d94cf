//! `cargo xtask`: the project's automation, in Rust so it runs wherever cargo does.
//!
//! `serve` and `test` share one idempotent setup step ([`setup::ensure_toolchain`]) so a
//! fresh machine needs nothing beyond rustup, cargo, node and npm.

mod dist;
mod setup;
mod static_server;
mod steps;

use std::path::PathBuf;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "Headroom build, serve and test automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install missing build tools, then `trunk serve` on http://127.0.0.1:8080.
    Serve,
    /// Format check, clippy (native and wasm32), unit tests, release build, browser tests.
    Test,
    /// Build the self-contained static folder (app, JavaScript API, example, scenarios) for
    /// any static host or wiki: relative URLs, no inline scripts, a CSP meta tag.
    Dist {
        /// Where to put it (default: dist/).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Run the engine benchmark through the CLI (skipped if crates/cli does not exist).
    Bench,
    /// Release build, then the browser benchmark (tests/browser/bench.mjs) against dist/.
    BenchBrowser,
}

fn main() -> Result<()> {
    let root = workspace_root();
    // Paths given on the command line are relative to where xtask was started.
    let cwd = std::env::current_dir()?;
    std::env::set_current_dir(&root)?;
    match Cli::parse().command {
        Command::Serve => steps::serve(&root),
        Command::Test => steps::test(&root),
        Command::Dist { out } => steps::dist(&root, out.map(|o| cwd.join(o)).as_deref()),
        Command::Bench => steps::bench(&root),
        Command::BenchBrowser => steps::bench_browser(&root),
    }
}

/// The workspace root, found from this crate's manifest so xtask works from any directory.
fn workspace_root() -> PathBuf {
    let manifest_dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest_dir
        .ancestors()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or(manifest_dir)
}
