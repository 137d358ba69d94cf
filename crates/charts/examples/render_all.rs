//! Render every chart for a synthetic report to `/tmp/charts/*.svg` (or the directory given as
//! the first argument), in normal and presentation sizes, for looking at them by eye.

#[path = "../tests/common/mod.rs"]
mod common;

use charts::Style;

fn main() -> std::io::Result<()> {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "/tmp/charts".to_owned());
    std::fs::create_dir_all(&dir)?;
    let report = common::report(3, 104);
    let styles = [
        ("", Style::new(960, 540)),
        ("-large", Style::new(1600, 900).large()),
    ];
    type Chart = fn(&engine::report::Report, &Style) -> String;
    let charts: [(&str, Chart); 6] = [
        ("demand_fan", charts::demand_fan),
        ("weekly_shortage", charts::weekly_shortage),
        ("cost_distribution", charts::cost_distribution),
        ("cost_vs_risk", charts::cost_vs_risk),
        ("provider_mix", charts::provider_mix),
        ("weekly_cost_bands", charts::weekly_cost_bands),
    ];
    for (suffix, style) in &styles {
        for (name, chart) in charts {
            let path = format!("{dir}/{name}{suffix}.svg");
            std::fs::write(&path, chart(&report, style))?;
            println!("{path}");
        }
    }
    Ok(())
}
