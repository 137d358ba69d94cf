//! `cargo xtask dist`: one self-contained static folder (the app, the JavaScript API, its
//! example and the scenarios) for any static host or a wiki's attachment store.
//!
//! The folder uses relative URLs only (Trunk's `public_url = "./"`), so it works under any
//! sub-path, and has no inline script (Trunk.toml's `pattern_script` + web/init.js), so it
//! runs under [`CSP`]. Every HTML page also gets that policy as a `<meta>` tag: a wiki
//! rarely lets an attachment set response headers, and the tag keeps the pages locked down
//! wherever they are copied (a host's own header still applies on top; both must allow a load).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::steps::run;

/// The policy the app is built and tested for (sent as a header by the browser test server).
pub const CSP: &str =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'";

/// The `<meta>` form: [`CSP`] plus directives `default-src` does not cover, and `img-src blob:`
/// so the PNG chart export can rasterize its SVG (an image loaded from a blob URL). Under a host
/// header without `blob:` everything works except PNG export (SVG export still does).
/// `frame-ancestors` cannot be set from a meta tag (a host header must do that).
pub const META_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'none'";

/// Files the distribution must contain, besides Trunk's hashed UI bundle.
const REQUIRED: &[&str] = &[
    "index.html",
    "init.js",
    "favicon.svg",
    "worker.js",
    "pool.js",
    "wasm.js",
    "wasm_bg.wasm",
    "headroom.js",
    "headroom.d.ts",
    "api-example.html",
    "api-example.js",
    "scenarios/three-lane.toml",
];

/// `trunk build --release` into `root/dist`, then checks and hardens it (see module docs).
pub fn build(root: &Path) -> Result<()> {
    run(Command::new("trunk").args(["build", "--release"]))?;
    finish(&root.join("dist"))
}

/// Checks the built folder and adds the CSP meta tag to its pages.
pub fn finish(dist: &Path) -> Result<()> {
    for file in REQUIRED {
        if !dist.join(file).is_file() {
            bail!("{} is missing from {}", file, dist.display());
        }
    }
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(&path)?;
            let name = path.display();
            check_html(&html).with_context(|| format!("{name}"))?;
            std::fs::write(&path, add_meta_csp(&html))?;
            println!("ok: {name}: no inline script, relative URLs, CSP meta tag");
        }
    }
    Ok(())
}

/// No inline `<script>` (a strict CSP blocks it), no root-relative or absolute URLs (they
/// break under a sub-path or leave the origin).
fn check_html(html: &str) -> Result<()> {
    let lower = html.to_ascii_lowercase();
    for (at, _) in lower.match_indices("<script") {
        let tag = &lower[at..lower[at..].find('>').map_or(lower.len(), |end| at + end)];
        if !tag.contains(" src=") {
            bail!("inline <script> at byte {at}: {tag}>");
        }
    }
    for attr in ["src=\"", "href=\"", "src='", "href='"] {
        for (at, _) in lower.match_indices(attr) {
            let value = &lower[at + attr.len()..];
            if value.starts_with('/') || value.starts_with("http:") || value.starts_with("https:") {
                bail!(
                    "absolute URL at byte {at}: {}",
                    &html[at..(at + 60).min(html.len())]
                );
            }
        }
    }
    Ok(())
}

fn add_meta_csp(html: &str) -> String {
    if html.contains("Content-Security-Policy") {
        return html.to_owned();
    }
    let tag = format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{META_CSP}\">");
    match html.find("<head>") {
        Some(at) => format!("{}\n{tag}{}", &html[..at + 6], &html[at + 6..]),
        None => html.to_owned(),
    }
}

/// Copies `from` into `to` (created; an existing folder must be empty or an earlier copy).
pub fn copy_to(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        let earlier = to.join("headroom.js").exists();
        let empty = std::fs::read_dir(to)?.next().is_none();
        if !earlier && !empty {
            bail!(
                "{} exists and is not an earlier Headroom distribution: not overwriting it",
                to.display()
            );
        }
        if earlier {
            std::fs::remove_dir_all(to)?;
        }
    }
    copy_dir(from, to)
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

/// Lists the folder with sizes.
pub fn summary(dir: &Path) -> Result<()> {
    let mut total = 0;
    let mut files = Vec::new();
    collect(dir, dir, &mut files)?;
    files.sort();
    for (name, size) in &files {
        total += size;
        println!("{size:>10}  {name}");
    }
    println!("{total:>10}  total in {}", dir.display());
    Ok(())
}

fn collect(base: &Path, dir: &Path, out: &mut Vec<(String, u64)>) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(base, &path, out)?;
        } else {
            let name = path.strip_prefix(base)?.display().to_string();
            out.push((name, std::fs::metadata(&path)?.len()));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_and_absolute_urls_are_refused() {
        assert!(check_html(r#"<script type="module">import x from './a.js'</script>"#).is_err());
        assert!(check_html(r#"<script type="module" src="./init.js"></script>"#).is_ok());
        assert!(check_html(r#"<link rel="preload" href="/app.wasm">"#).is_err());
        assert!(check_html(r#"<img src="https://cdn.example/x.png">"#).is_err());
        assert!(check_html(r#"<link rel="icon" href="favicon.svg">"#).is_ok());
    }

    #[test]
    fn meta_tag_goes_first_in_head() {
        let html = add_meta_csp("<html><head><title>x</title></head></html>");
        assert!(html.starts_with("<html><head>\n<meta http-equiv=\"Content-Security-Policy\""));
        assert_eq!(add_meta_csp(&html), html);
    }
}
