//! The subcommands, built from timed steps so `cargo xtask test` ends with a summary that
//! shows where the time went and which step failed.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::{dist, setup, static_server};

/// Address `trunk serve` listens on (also set in Trunk.toml).
const SERVE_ADDR: &str = "127.0.0.1:8080";

/// Runs a command with inherited stdio, failing on a non-zero exit.
pub fn run(cmd: &mut Command) -> Result<()> {
    println!("$ {}", describe(cmd));
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !status.success() {
        bail!("`{}` failed: {status}", describe(cmd));
    }
    Ok(())
}

/// Runs a command and returns its stdout, failing on a non-zero exit.
pub fn output_of(cmd: &mut Command) -> Result<String> {
    let out = cmd
        .output()
        .with_context(|| format!("cannot start {}", describe(cmd)))?;
    if !out.status.success() {
        bail!("`{}` failed: {}", describe(cmd), out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn describe(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs named steps in order, stopping at the first failure, and prints timings.
struct Steps {
    done: Vec<(String, f64, bool)>,
}

impl Steps {
    fn new() -> Self {
        Steps { done: Vec::new() }
    }

    fn step(&mut self, name: &str, body: impl FnOnce() -> Result<()>) -> Result<()> {
        println!("\n==== {name} ====");
        let start = Instant::now();
        let result = body();
        let secs = start.elapsed().as_secs_f64();
        self.done.push((name.to_owned(), secs, result.is_ok()));
        match &result {
            Ok(()) => println!("---- {name}: ok ({secs:.1}s)"),
            Err(e) => println!("---- {name}: FAILED ({secs:.1}s): {e:#}"),
        }
        result.with_context(|| format!("step `{name}` failed"))
    }

    fn summary(&self) {
        println!("\n==== summary ====");
        let mut total = 0.0;
        for (name, secs, ok) in &self.done {
            total += secs;
            let status = if *ok { "ok" } else { "FAILED" };
            println!("{status:>7} {secs:>7.1}s  {name}");
        }
        println!("{:>7} {total:>7.1}s", "total");
    }
}

/// `cargo xtask serve`.
pub fn serve(root: &Path) -> Result<()> {
    println!("==== setup ====");
    setup::ensure_toolchain(root)?;
    println!("\n==== trunk serve: http://{SERVE_ADDR}/ ====");
    run(Command::new("trunk").arg("serve"))
}

/// `cargo xtask test`.
pub fn test(root: &Path) -> Result<()> {
    let mut steps = Steps::new();
    let result = test_steps(root, &mut steps);
    steps.summary();
    result
}

fn test_steps(root: &Path, steps: &mut Steps) -> Result<()> {
    steps.step("setup: build tools", || setup::ensure_toolchain(root))?;
    steps.step("cargo fmt --check", || {
        run(Command::new("cargo").args(["fmt", "--all", "--", "--check"]))
    })?;
    steps.step("clippy (native)", || {
        run(Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.step("clippy (wasm32: ui, wasm)", || {
        run(Command::new("cargo").args([
            "clippy",
            "-p",
            "ui",
            "-p",
            "wasm",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    steps.step("cargo test (native)", || {
        run(Command::new("cargo").args(["test", "--workspace"]))
    })?;
    // The browser tests run against exactly what `cargo xtask dist` ships.
    steps.step("trunk build --release + dist checks", || {
        dist::build(root)?;
        report_wasm_sizes(&root.join("dist"))
    })?;
    // The browser tests compare the page's digests with the CLI's.
    steps.step(
        "cargo build --release -p cli (digests for the browser tests)",
        || run(Command::new("cargo").args(["build", "--release", "-p", "cli"])),
    )?;
    steps.step("setup: browser", || {
        setup::ensure_chromium()?;
        setup::ensure_node_modules(root)
    })?;
    steps.step("browser tests (dist/ on a static server)", || {
        let server = static_server::start(&root.join("dist"))?;
        let base_url = format!("http://{}/", server.addr());
        println!("serving dist/ on {base_url}");
        // The same folder as a wiki would host it: under a sub-path, with a strict CSP header.
        let wiki = static_server::start_with(
            &root.join("dist"),
            WIKI_PREFIX,
            &[("Content-Security-Policy", dist::CSP)],
        )?;
        let wiki_url = format!("http://{}{WIKI_PREFIX}", wiki.addr());
        println!(
            "serving dist/ on {wiki_url} with Content-Security-Policy: {}",
            dist::CSP
        );
        let result = run(Command::new("node")
            .args([
                "--test",
                "--test-reporter=spec",
                "--test-concurrency=1",
                "app.test.mjs",
                "editors.test.mjs",
                "share.test.mjs",
                "links.test.mjs",
                "robust.test.mjs",
                "decide.test.mjs",
            ])
            .current_dir(root.join("tests/browser"))
            .env("BASE_URL", &base_url)
            .env("WIKI_URL", &wiki_url)
            .env("CSP", dist::CSP)
            .env("REPO_ROOT", root)
            .env("CHROMIUM_PATH", setup::CHROMIUM));
        server.stop();
        wiki.stop();
        result
    })?;
    Ok(())
}

fn report_wasm_sizes(dist: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let size = std::fs::metadata(&path)?.len();
            println!(
                "wasm size: {} {} bytes ({:.0} KiB)",
                path.file_name().unwrap_or_default().to_string_lossy(),
                size,
                size as f64 / 1024.0
            );
        }
    }
    Ok(())
}

/// Sub-path the CSP test server hosts dist/ under, like a wiki's attachment folder.
const WIKI_PREFIX: &str = "/wiki/attachments/headroom/";

/// `cargo xtask dist [--out DIR]`.
pub fn dist(root: &Path, out: Option<&Path>) -> Result<()> {
    let mut steps = Steps::new();
    let result = (|| {
        steps.step("setup: build tools", || setup::ensure_toolchain(root))?;
        steps.step("trunk build --release + dist checks", || dist::build(root))?;
        let built = root.join("dist");
        let target = match out {
            Some(out) if out != built => {
                steps.step("copy", || dist::copy_to(&built, out))?;
                out.to_path_buf()
            }
            _ => built,
        };
        dist::summary(&target)?;
        println!(
            "\n{} is self-contained: copy it to any static host or wiki attachment folder \
             and open index.html (the app) or api-example.html (the JavaScript API).",
            target.display()
        );
        Ok(())
    })();
    steps.summary();
    result
}

/// `cargo xtask bench`.
pub fn bench(root: &Path) -> Result<()> {
    if !root.join("crates/cli/Cargo.toml").exists() {
        println!("skipped: crates/cli does not exist yet");
        return Ok(());
    }
    run(Command::new("cargo").args(["run", "--release", "-p", "cli", "--", "bench"]))
}

/// `cargo xtask bench-browser`: edit-to-estimate and full-run times of bench.toml in headless
/// Chromium, wasm throughput against native, wasm sizes.
pub fn bench_browser(root: &Path) -> Result<()> {
    setup::ensure_toolchain(root)?;
    run(Command::new("trunk").args(["build", "--release"]))?;
    run(Command::new("cargo").args(["build", "--release", "-p", "cli"]))?;
    setup::ensure_chromium()?;
    setup::ensure_node_modules(root)?;
    let server = static_server::start(&root.join("dist"))?;
    let base_url = format!("http://{}/", server.addr());
    let result = run(Command::new("node")
        .arg("bench.mjs")
        .current_dir(root.join("tests/browser"))
        .env("BASE_URL", &base_url)
        .env("CHROMIUM_PATH", setup::CHROMIUM)
        .env("DIST", root.join("dist")));
    server.stop();
    result
}
