//! Every chart on synthetic, empty, odd and hostile reports: the SVG is well-formed XML of the
//! requested size, names what it shows, and never carries NaN, raw markup or a panic.

mod common;
#[path = "common/svg.rs"]
mod svg;

use charts::Style;
use engine::report::Report;
use svg::check;

type Chart = fn(&Report, &Style) -> String;

const CHARTS: [(&str, Chart, &str); 6] = [
    (
        "demand_fan",
        charts::demand_fan,
        "Peak demand vs. available capacity",
    ),
    (
        "weekly_shortage",
        charts::weekly_shortage,
        "Weekly shortage probability",
    ),
    (
        "cost_distribution",
        charts::cost_distribution,
        "Total cost distribution",
    ),
    (
        "cost_vs_risk",
        charts::cost_vs_risk,
        "Cost vs. shortage risk",
    ),
    (
        "provider_mix",
        charts::provider_mix,
        "Provider mix: capacity and spend",
    ),
    (
        "weekly_cost_bands",
        charts::weekly_cost_bands,
        "Weekly cost",
    ),
];

#[test]
fn every_chart_names_its_title_and_portfolios() {
    let report = common::report(3, 104);
    let style = Style::new(900, 500);
    for (name, chart, title) in CHARTS {
        let svg = chart(&report, &style);
        let text = check(&svg, &style);
        assert!(text.contains(title), "{name}: title missing");
        assert!(text.contains("10,000 paths"), "{name}: subtitle missing");
        for p in &report.portfolios {
            assert!(text.contains(&p.name), "{name}: legend lacks {}", p.name);
        }
        assert!(!text.contains("Chart unavailable"), "{name} fell back");
    }
}

#[test]
fn charts_carry_their_specific_labels() {
    let report = common::report(2, 52);
    let style = Style::default();
    let text = |chart: Chart| check(&chart(&report, &style), &style);
    let fan = text(charts::demand_fan);
    assert!(fan.contains("Demand P10–P90") && fan.contains("week") && fan.contains("GPUs"));
    assert!(text(charts::weekly_shortage).contains('%'));
    let cdf = text(charts::cost_distribution);
    assert!(cdf.contains("CVaR95") && cdf.contains("P90") && cdf.contains('$'));
    assert!(text(charts::cost_vs_risk).contains("±2 s.e."));
    let mix = text(charts::provider_mix);
    for word in [
        "committed",
        "burst",
        "emergency",
        "Hyperscaler A",
        "GPU-hours",
    ] {
        assert!(mix.contains(word), "provider mix lacks {word}");
    }
}

#[test]
fn hostile_names_are_escaped() {
    let evil = "<script>alert(1)</script> & \"x\"";
    let mut report = common::report(2, 26);
    report.portfolios[0].name = evil.to_owned();
    report.portfolios[1].name = "tab\tand\u{1}control\u{FFFF}".to_owned();
    report.portfolios[0].provider_share[0].provider = "<b onload='x'>".to_owned();
    report.providers[0] = "<b onload='x'>".to_owned();
    report.scenario_name = "</svg><script>".to_owned();
    let style = Style::default();
    for (name, chart, _) in CHARTS {
        let svg = chart(&report, &style);
        assert!(!svg.contains("<script"), "{name} leaks a script tag");
        assert!(!svg.contains("<b "), "{name} leaks markup");
        let text = check(&svg, &style);
        assert!(
            text.contains(evil) || name == "provider_mix",
            "{name} lost the name"
        );
    }
}

#[test]
fn sizes_are_respected_and_presentation_mode_is_larger() {
    let report = common::report(2, 52);
    for style in [Style::new(640, 360), Style::new(1920, 1080).large()] {
        for (_, chart, _) in CHARTS {
            check(&chart(&report, &style), &style);
        }
    }
    let normal = charts::demand_fan(&report, &Style::new(1200, 700));
    let large = charts::demand_fan(&report, &Style::new(1200, 700).large());
    assert!((largest_font(&normal) - 18.0).abs() < 1e-6);
    assert!((largest_font(&large) - 27.0).abs() < 1e-6);
}

fn largest_font(svg: &str) -> f64 {
    svg.split("font-size=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().parse::<f64>().unwrap())
        .fold(0.0, f64::max)
}

#[test]
fn tiny_and_huge_sizes_fall_back_without_panicking() {
    let report = common::report(1, 10);
    for style in [
        Style::new(0, 0),
        Style::new(100, 80),
        Style::new(u32::MAX, 300),
    ] {
        for (_, chart, _) in CHARTS {
            check(&chart(&report, &style), &style);
        }
    }
    let svg = charts::cost_vs_risk(&report, &Style::new(100, 80));
    assert!(svg.contains("Chart unavailable"));
}

#[test]
fn empty_report_draws_a_note() {
    let mut report = common::report(0, 0);
    report.paths = 0;
    let style = Style::default();
    for (name, chart, title) in CHARTS {
        let text = check(&chart(&report, &style), &style);
        assert!(text.contains(title), "{name}");
        assert!(text.contains("No "), "{name} should explain it is empty");
    }
    // Portfolios present but zero paths (default-filled vectors).
    let mut report = common::report(2, 0);
    report.paths = 0;
    for p in &mut report.portfolios {
        p.cost = Default::default();
    }
    for (_, chart, _) in CHARTS {
        check(&chart(&report, &style), &style);
    }
}

#[test]
fn one_portfolio_and_all_zero_probabilities() {
    let mut report = common::report(1, 52);
    let p = &mut report.portfolios[0];
    p.shortage_probability = 0.0;
    p.shortage_probability_se = 0.0;
    p.weekly_shortage_probability
        .iter_mut()
        .for_each(|v| *v = 0.0);
    p.weekly_shortage_probability_se
        .iter_mut()
        .for_each(|v| *v = 0.0);
    p.cost.quantiles = vec![5e6; 101];
    p.cost.mean_se = 0.0;
    let style = Style::default();
    for (name, chart, _) in CHARTS {
        let text = check(&chart(&report, &style), &style);
        assert!(!text.contains("Chart unavailable"), "{name} fell back");
    }
}

#[test]
fn nan_infinite_and_huge_values_stay_finite() {
    let mut report = common::report(3, 30);
    report.demand.weekly_gpus.p90[3] = f64::NAN;
    report.demand.weekly_gpus.p50[4] = f64::INFINITY;
    report.demand.weekly_gpus.p10.truncate(10);
    let p = &mut report.portfolios[0];
    p.weekly_capacity.burst[2] = f64::NEG_INFINITY;
    p.weekly_shortage_probability[1] = f64::NAN;
    p.weekly_shortage_probability_se[2] = f64::INFINITY;
    p.cost.quantiles[7] = f64::NAN;
    p.cost.mean = f64::MAX;
    p.cost.cvar95 = f64::NAN;
    p.provider_share[0].burst_spend = 1e300;
    let p = &mut report.portfolios[1];
    p.cost.quantiles.iter_mut().for_each(|q| *q *= 1e290);
    p.shortage_probability = 7.0;
    p.weekly_capacity.committed = vec![1e308; 30];
    let style = Style::default();
    for (_, chart, _) in CHARTS {
        check(&chart(&report, &style), &style);
    }
}

#[test]
fn subset_order_and_colour_follow_the_report_index() {
    let report = common::report(5, 20);
    let only_third = Style::default().with_portfolios([2]);
    let svg = charts::weekly_shortage(&report, &only_third);
    let text = check(&svg, &only_third);
    assert!(text.contains(common::NAMES[2]) && !text.contains(common::NAMES[0]));
    // Portfolio 2 is bluish green (#009E73) whether shown alone or with others.
    assert!(svg.contains("#009E73"));
    assert!(!svg.contains("#0072B2"));
    let five = Style::default().with_portfolios([4, 3, 2, 1, 0]);
    let text = check(&charts::cost_vs_risk(&report, &five), &five);
    assert!(!text.contains(common::NAMES[0]), "at most four portfolios");
}

#[test]
fn output_is_deterministic() {
    let report = common::report(3, 104);
    let style = Style::default();
    for (_, chart, _) in CHARTS {
        assert_eq!(chart(&report, &style), chart(&report, &style));
    }
}
