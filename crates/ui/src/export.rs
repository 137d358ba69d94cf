//! Downloads: the working scenario as TOML, results as JSON and CSV, charts as SVG and PNG.
//! Everything is produced in the page (Blob + object URL + a temporary `<a download>`): no
//! server is involved.

use engine::Report;
use engine::report::PortfolioReport;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// Header of the results CSV: one row per portfolio, headline metrics.
pub const CSV_HEADER: &[&str] = &[
    "portfolio",
    "shortage_probability",
    "shortage_probability_se",
    "expected_unmet_gpu_hours",
    "shortage_weeks_mean",
    "cost_mean",
    "cost_mean_se",
    "cost_p50",
    "cost_p90",
    "cost_p95",
    "cost_p99",
    "cost_cvar95",
    "utilization",
    "cost_per_served_gpu_hour",
    "largest_provider",
    "largest_provider_share",
    "hhi",
    "emissions_tco2e",
    "seed",
    "paths",
    "digest",
];

/// The provider with the largest capacity share, and that share.
pub fn largest_share(p: &PortfolioReport) -> Option<(&str, f64)> {
    p.provider_share
        .iter()
        .max_by(|a, b| a.capacity.total_cmp(&b.capacity))
        .map(|s| (s.provider.as_str(), s.capacity))
}

/// One CSV cell: text that a spreadsheet would run as a formula (`= + - @`, tab, CR) is
/// prefixed with `'`; cells with separators or quotes are quoted.
pub fn csv_cell(raw: &str) -> String {
    let mut s = String::new();
    if raw.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.push('\'');
    }
    s.push_str(raw);
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The results as CSV, one row per portfolio.
pub fn results_csv(report: &Report) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push('\n');
    for p in &report.portfolios {
        let (largest, share) = largest_share(p).unwrap_or(("", 0.0));
        let cells = [
            p.name.clone(),
            p.shortage_probability.to_string(),
            p.shortage_probability_se.to_string(),
            p.expected_unmet_gpu_hours.to_string(),
            p.shortage_weeks.mean.to_string(),
            p.cost.mean.to_string(),
            p.cost.mean_se.to_string(),
            p.cost.p50.to_string(),
            p.cost.p90.to_string(),
            p.cost.p95.to_string(),
            p.cost.p99.to_string(),
            p.cost.cvar95.to_string(),
            p.utilization.to_string(),
            p.cost_per_served_gpu_hour.to_string(),
            largest.to_string(),
            share.to_string(),
            p.hhi.to_string(),
            p.emissions_tco2e.to_string(),
            report.seed.to_string(),
            report.paths.to_string(),
            report.digest.clone(),
        ];
        let row: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// A file-name-safe stem from a scenario name.
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let s = s
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    if s.is_empty() { "headroom".into() } else { s }
}

fn blob_of(text: &str, mime: &str) -> Result<web_sys::Blob, JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)
}

/// Saves a blob under `file_name`.
pub fn download_blob(blob: &web_sys::Blob, file_name: &str) -> Result<(), JsValue> {
    let url = web_sys::Url::create_object_url_with_blob(blob)?;
    let document = leptos::prelude::document();
    let a: web_sys::HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.style().set_property("display", "none")?;
    let body = document.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    a.remove();
    // Revoked later: some browsers read the URL after click() returns.
    leptos::prelude::set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(10),
    );
    Ok(())
}

/// Saves text under `file_name`.
pub fn download_text(text: &str, mime: &str, file_name: &str) {
    if let Err(e) = blob_of(text, mime).and_then(|b| download_blob(&b, file_name)) {
        web_sys::console::warn_2(&"download failed:".into(), &e);
    }
}

/// Rasterizes an SVG string (drawn on a canvas at `scale` x its size, on white) and saves it
/// as PNG.
pub fn download_png(svg: &str, width: u32, height: u32, scale: f64, file_name: &str) {
    if let Err(e) = try_png(svg, width, height, scale, file_name.to_string()) {
        web_sys::console::warn_2(&"PNG export failed:".into(), &e);
    }
}

thread_local! {
    /// Images being rasterized. An unattached image referenced only from its own onload
    /// handler can be garbage-collected before it loads (then no PNG ever arrives), so it is
    /// held here until it has loaded or failed.
    static LOADING: std::cell::RefCell<Vec<web_sys::HtmlImageElement>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn release(image: &web_sys::HtmlImageElement) {
    LOADING.with(|l| l.borrow_mut().retain(|i| i != image));
}

fn try_png(
    svg: &str,
    width: u32,
    height: u32,
    scale: f64,
    file_name: String,
) -> Result<(), JsValue> {
    let blob = blob_of(svg, "image/svg+xml")?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let image = web_sys::HtmlImageElement::new()?;
    let img = image.clone();
    let src = url.clone();
    let on_load = Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&src);
        release(&img);
        let draw = || -> Result<(), JsValue> {
            let canvas: web_sys::HtmlCanvasElement = leptos::prelude::document()
                .create_element("canvas")?
                .unchecked_into();
            let (w, h) = (f64::from(width) * scale, f64::from(height) * scale);
            canvas.set_width(w.round() as u32);
            canvas.set_height(h.round() as u32);
            let ctx: web_sys::CanvasRenderingContext2d = canvas
                .get_context("2d")?
                .ok_or("no 2d context")?
                .unchecked_into();
            ctx.set_fill_style_str("#ffffff");
            ctx.fill_rect(0.0, 0.0, w, h);
            ctx.draw_image_with_html_image_element_and_dw_and_dh(&img, 0.0, 0.0, w, h)?;
            let saved = Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
                if let Some(blob) = blob {
                    let _ = download_blob(&blob, &file_name);
                }
            });
            canvas.to_blob(saved.unchecked_ref())
        };
        if let Err(e) = draw() {
            web_sys::console::warn_2(&"PNG export failed:".into(), &e);
        }
    });
    let failed_img = image.clone();
    let on_error = Closure::once_into_js(move || {
        release(&failed_img);
        web_sys::console::warn_1(&"PNG export failed: the chart could not be rasterized".into());
    });
    image.set_onload(Some(on_load.unchecked_ref()));
    image.set_onerror(Some(on_error.unchecked_ref()));
    LOADING.with(|l| l.borrow_mut().push(image.clone()));
    image.set_src(&url);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_run_formulas() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-x"), "'-x");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("plain"), "plain");
    }

    #[test]
    fn results_csv_has_one_row_per_portfolio() {
        let scenario = engine::parse_scenario(
            crate::library::text("three-lane.toml").unwrap(),
            engine::Format::Toml,
        )
        .unwrap();
        let options = engine::RunOptions {
            paths: Some(100),
            ..Default::default()
        };
        let report = engine::simulate(&scenario, &options, &mut |_, _| true).unwrap();
        let csv = results_csv(&report);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 1 + report.portfolios.len());
        assert!(
            lines
                .iter()
                .all(|l| l.split(',').count() == CSV_HEADER.len())
        );
        assert!(lines[1].starts_with(&csv_cell(&report.portfolios[0].name)));
    }

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(
            file_stem("Three-lane portfolio vs single lane"),
            "three-lane-portfolio-vs-single-lane"
        );
        assert_eq!(file_stem("../.."), "headroom");
    }
}
