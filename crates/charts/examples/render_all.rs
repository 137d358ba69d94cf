//! Render every chart for a synthetic report to `/tmp/charts/*.svg` (or the directory given as
//! the first argument), in normal and presentation sizes, for looking at them by eye. The
//! decision-support charts are drawn from the engine's optimizer and tornado on
//! `scenarios/three-lane.toml` (500 paths).

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
    decision_charts(&dir, &styles)
}

fn decision_charts(dir: &str, styles: &[(&str, Style)]) -> std::io::Result<()> {
    use engine::decide::{self, Inline, SwingMetric};
    let text = include_str!("../../../scenarios/three-lane.toml");
    let scenario = engine::parse_scenario(text, engine::Format::Toml).expect("a valid scenario");
    let run = engine::RunOptions {
        paths: Some(500),
        ..Default::default()
    };
    let go = &mut |_, _| true;
    let options = decide::OptimizeOptions {
        max_shortage: Some(0.05),
        run: run.clone(),
        ..Default::default()
    };
    let opt = decide::optimize(&scenario, &options, &mut Inline, go).expect("optimizer");
    let report = engine::simulate(&scenario, &run, go).expect("run");
    let sens = decide::SensitivityOptions {
        run,
        ..Default::default()
    };
    let tornado = decide::sensitivity(&scenario, &sens, &mut Inline, go).expect("tornado");
    for (suffix, style) in styles {
        let svgs = [
            ("frontier", charts::frontier(&opt, Some(&report), style)),
            (
                "tornado_shortage",
                charts::tornado(&tornado, SwingMetric::Shortage, style),
            ),
            (
                "tornado_cost",
                charts::tornado(&tornado, SwingMetric::Cost, style),
            ),
        ];
        for (name, svg) in svgs {
            let path = format!("{dir}/{name}{suffix}.svg");
            std::fs::write(&path, svg)?;
            println!("{path}");
        }
    }
    Ok(())
}
