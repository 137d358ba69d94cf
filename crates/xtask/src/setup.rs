//! Idempotent installation of the build tools: each tool is installed only when missing
//! or at the wrong version, so repeated runs cost a few `--version` calls.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::steps::{output_of, run};

/// Trunk version the project is built with; 0.22 needs a newer rustc.
pub const TRUNK_VERSION: &str = "0.21.14";
const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// Ensures the wasm target, trunk, wasm-bindgen-cli (matching the workspace pin) and the
/// crate sources (trunk builds with `--offline`) are present.
pub fn ensure_toolchain(root: &Path) -> Result<()> {
    let targets = output_of(Command::new("rustup").args(["target", "list", "--installed"]))?;
    if targets.lines().any(|t| t.trim() == WASM_TARGET) {
        println!("ok: rust target {WASM_TARGET}");
    } else {
        run(Command::new("rustup").args(["target", "add", WASM_TARGET]))?;
    }

    ensure_cargo_tool("trunk", "trunk", TRUNK_VERSION, true)?;

    let bindgen = wasm_bindgen_version(root)?;
    // Not --locked: the CLI's own lock file pins dependencies that no longer build.
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", &bindgen, false)?;

    // Trunk is configured offline and passes --offline to cargo, so fetch sources for
    // every target first.
    run(Command::new("cargo").args(["fetch"]))?;
    Ok(())
}

/// Installs `krate` with `cargo install` unless `binary --version` reports `version`.
fn ensure_cargo_tool(binary: &str, krate: &str, version: &str, locked: bool) -> Result<()> {
    let found = output_of(Command::new(binary).arg("--version")).ok();
    let found_version = found
        .as_deref()
        .and_then(|out| out.split_whitespace().nth(1))
        .map(str::to_owned);
    if found_version.as_deref() == Some(version) {
        println!("ok: {binary} {version}");
        return Ok(());
    }
    println!(
        "installing {krate} {version} (found: {})",
        found_version.as_deref().unwrap_or("none")
    );
    let mut cmd = Command::new("cargo");
    cmd.args(["install", krate, "--version", version, "--force"]);
    if locked {
        cmd.arg("--locked");
    }
    run(&mut cmd)
}

/// The exact wasm-bindgen version: from Cargo.lock when present, else the `=x.y.z` pin
/// in the workspace manifest.
pub fn wasm_bindgen_version(root: &Path) -> Result<String> {
    match locked_wasm_bindgen(root)? {
        Some(version) => Ok(version),
        None => pinned_wasm_bindgen(root),
    }
}

fn locked_wasm_bindgen(root: &Path) -> Result<Option<String>> {
    let Ok(lock) = std::fs::read_to_string(root.join("Cargo.lock")) else {
        return Ok(None);
    };
    let lock: toml::Table = lock.parse().context("parsing Cargo.lock")?;
    Ok(lock
        .get("package")
        .and_then(|p| p.as_array())
        .into_iter()
        .flatten()
        .filter(|p| p.get("name").and_then(|n| n.as_str()) == Some("wasm-bindgen"))
        .find_map(|p| p.get("version").and_then(|v| v.as_str()))
        .map(str::to_owned))
}

fn pinned_wasm_bindgen(root: &Path) -> Result<String> {
    let manifest: toml::Table = std::fs::read_to_string(root.join("Cargo.toml"))?
        .parse()
        .context("parsing Cargo.toml")?;
    let pin = manifest
        .get("workspace")
        .and_then(|w| w.get("dependencies"))
        .and_then(|d| d.get("wasm-bindgen"))
        .and_then(|v| {
            v.as_str()
                .or_else(|| v.get("version").and_then(|v| v.as_str()))
        })
        .context("no wasm-bindgen in [workspace.dependencies]")?;
    match pin.strip_prefix('=') {
        Some(version) => Ok(version.trim().to_owned()),
        None => bail!("wasm-bindgen must be pinned exactly (\"=x.y.z\"), found {pin:?}"),
    }
}

/// Installs Chromium from Debian packages when it is missing (CI machines may lack it).
pub fn ensure_chromium() -> Result<()> {
    if Path::new(CHROMIUM).exists() {
        println!("ok: {CHROMIUM}");
        return Ok(());
    }
    let root = output_of(Command::new("id").arg("-u")).is_ok_and(|uid| uid.trim() == "0");
    let apt = |args: &[&str]| {
        let mut cmd = if root {
            Command::new("apt-get")
        } else {
            let mut c = Command::new("sudo");
            c.arg("apt-get");
            c
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        run(&mut cmd)
    };
    apt(&["update"])?;
    apt(&[
        "install",
        "-y",
        "--no-install-recommends",
        "chromium",
        "chromium-driver",
    ])
}

/// Path of the browser the Playwright tests drive.
pub const CHROMIUM: &str = "/usr/bin/chromium";

/// `npm ci` in tests/browser unless playwright-core is already installed.
pub fn ensure_node_modules(root: &Path) -> Result<()> {
    let dir = root.join("tests/browser");
    if dir
        .join("node_modules/playwright-core/package.json")
        .exists()
    {
        println!("ok: tests/browser/node_modules");
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_lock_has_the_pinned_wasm_bindgen() {
        let root = crate::workspace_root();
        let pinned = pinned_wasm_bindgen(&root).unwrap();
        assert_eq!(locked_wasm_bindgen(&root).unwrap(), Some(pinned));
    }
}
