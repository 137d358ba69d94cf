//! The decision-support charts (efficient frontier, tornado) on synthetic, edge-case, hostile
//! and real engine results: well-formed SVG of the requested size, the marks they promise, and
//! never a panic.

mod common;
#[path = "common/svg.rs"]
mod svg;

use charts::Style;
use engine::decide::{
    Candidate, Objective, Optimization, SensitivityRow, StopReason, Swing, SwingMetric, Tornado,
};
use svg::check;

fn candidate(p: f64, cost: f64) -> Candidate {
    Candidate {
        gpus: vec![100.0, 50.0],
        target_percentile: None,
        cover_fraction: None,
        shortage_probability: p,
        shortage_probability_se: 0.004,
        mean_cost: cost,
        mean_cost_se: cost * 0.002,
        cvar95: cost * 1.3,
        cvar95_se: cost * 0.01,
        objective: cost,
        max_share: 0.6,
        max_share_provider: "neo".into(),
        feasible: p <= 0.05,
        violation: (p - 0.05).max(0.0),
    }
}

fn optimization(frontier: Vec<Candidate>) -> Optimization {
    let best = frontier
        .iter()
        .find(|c| c.feasible)
        .cloned()
        .unwrap_or_else(|| candidate(0.03, 5.1e6));
    Optimization {
        scenario_name: "Synthetic plan".into(),
        base_portfolio: "Hybrid".into(),
        objective: Objective::Mean,
        max_shortage: Some(0.05),
        max_share: Some(0.7),
        seed: 7,
        paths: 2000,
        slots: Vec::new(),
        base: candidate(0.12, 4.8e6),
        best,
        best_portfolio: engine::scenario::Portfolio {
            name: "Hybrid-optimized".into(),
            description: String::new(),
            contracts: Vec::new(),
            burst: Vec::new(),
            emergency: Vec::new(),
            ordering: None,
        },
        frontier,
        evaluations: 120,
        batches: 9,
        stop: StopReason::Converged,
    }
}

fn curve() -> Vec<Candidate> {
    [
        (0.01, 6.2e6),
        (0.02, 5.6e6),
        (0.04, 5.2e6),
        (0.08, 4.9e6),
        (0.2, 4.5e6),
    ]
    .iter()
    .map(|&(p, c)| candidate(p, c))
    .collect()
}

fn swing(p: f64, cost: f64) -> Swing {
    Swing {
        shortage_probability: p,
        shortage_probability_se: 0.005,
        mean_cost: cost,
        mean_cost_se: 1e4,
    }
}

fn row(input: &str, lo: (f64, f64), hi: (f64, f64)) -> SensitivityRow {
    SensitivityRow {
        input: input.into(),
        base: "pert(0.2, 0.6, 1.2)".into(),
        rule: "p10_p90".into(),
        low_value: 0.3,
        high_value: 0.9,
        low: swing(lo.0, lo.1),
        high: swing(hi.0, hi.1),
        shortage_swing: (hi.0 - lo.0).abs(),
        cost_swing: (hi.1 - lo.1).abs(),
    }
}

fn tornado(rows: Vec<SensitivityRow>) -> Tornado {
    Tornado {
        scenario_name: "Synthetic plan".into(),
        portfolio: "Hybrid".into(),
        seed: 7,
        paths: 2000,
        sort_by: SwingMetric::Shortage,
        base: swing(0.05, 5e6),
        runs: 1 + 2 * rows.len() as u32,
        rows,
    }
}

/// Big shortage effect but small cost effect, and the reverse: the two charts order them
/// differently.
fn two_rows() -> Vec<SensitivityRow> {
    vec![
        row("workloads[hot].growth", (0.01, 4.9e6), (0.15, 5.1e6)),
        row(
            "providers[neo].reserved_price",
            (0.05, 4.0e6),
            (0.05, 6.0e6),
        ),
    ]
}

#[test]
fn frontier_shows_the_line_the_scenario_portfolios_the_best_and_the_target() {
    let report = common::report(3, 52);
    let style = Style::new(900, 520);
    let svg = charts::frontier(&optimization(curve()), Some(&report), &style);
    let text = check(&svg, &style);
    for want in [
        "Efficient frontier",
        "efficient frontier",
        "best",
        "shortage target",
        "2,000 paths",
        "seed 7",
        "from Hybrid",
        "mean total cost",
        "P(shortage",
    ] {
        assert!(text.contains(want), "frontier lacks {want:?}");
    }
    for p in &report.portfolios {
        // In the legend and as a point label.
        assert!(
            text.matches(p.name.as_str()).count() >= 2,
            "{} not placed",
            p.name
        );
    }
    assert!(!text.contains("Chart unavailable"));
    // Portfolio colours follow the report index, as on the dashboard.
    assert!(svg.contains("#0072B2") && svg.contains("#D55E00"));
}

#[test]
fn frontier_edge_cases_draw_without_panicking() {
    let report = common::report(2, 26);
    let style = Style::default();
    let one = optimization(vec![candidate(0.0, 5e6)]);
    let empty = optimization(Vec::new());
    let mut cvar = optimization(curve());
    cvar.objective = Objective::Cvar95;
    cvar.max_shortage = None;
    let mut zero = optimization(Vec::new());
    zero.paths = 0;
    let mut odd = optimization(curve());
    odd.frontier[1].shortage_probability = f64::NAN;
    odd.frontier[2].objective = f64::INFINITY;
    odd.best.mean_cost_se = f64::NAN;
    odd.max_shortage = Some(7.0);
    for (name, opt, scenario) in [
        ("one point", &one, Some(&report)),
        ("empty frontier", &empty, Some(&report)),
        ("no scenario report", &empty, None),
        ("cvar95", &cvar, None),
        ("zero paths", &zero, None),
        ("odd values", &odd, Some(&report)),
    ] {
        let text = check(&charts::frontier(opt, scenario, &style), &style);
        assert!(!text.contains("Chart unavailable"), "{name} fell back");
    }
    let text = check(&charts::frontier(&cvar, None, &style), &style);
    assert!(text.contains("CVaR95") && !text.contains("shortage target"));
    let text = check(&charts::frontier(&zero, None, &style), &style);
    assert!(text.contains("No candidates"));
    for tiny in [Style::new(100, 80), Style::new(0, 0)] {
        check(&charts::frontier(&one, Some(&report), &tiny), &tiny);
    }
}

#[test]
fn tornado_orders_bars_by_the_charted_metric() {
    let t = tornado(two_rows());
    let style = Style::new(900, 400);
    let position = |text: &str, needle: &str| text.find(needle).expect(needle);
    let shortage = check(&charts::tornado(&t, SwingMetric::Shortage, &style), &style);
    assert!(shortage.contains("Sensitivity of P(shortage)") && shortage.contains("input low"));
    assert!(
        position(&shortage, "workloads[hot].growth")
            < position(&shortage, "providers[neo].reserved_price")
    );
    let cost = check(&charts::tornado(&t, SwingMetric::Cost, &style), &style);
    assert!(cost.contains("Sensitivity of expected cost") && cost.contains('$'));
    assert!(
        position(&cost, "providers[neo].reserved_price") < position(&cost, "workloads[hot].growth")
    );
    // A bar per input: low and high rectangles in their colours.
    let svg = charts::tornado(&t, SwingMetric::Cost, &style);
    assert!(svg.contains("#0072B2") && svg.contains("#D55E00"));
}

#[test]
fn tornado_edge_cases_draw_without_panicking() {
    let style = Style::default();
    // No rows: a note instead of bars.
    let text = check(
        &charts::tornado(&tornado(Vec::new()), SwingMetric::Shortage, &style),
        &style,
    );
    assert!(text.contains("No uncertain inputs"));
    // Zero swing everywhere: low = high = base.
    let flat = tornado(vec![row("a", (0.05, 5e6), (0.05, 5e6)); 3]);
    for metric in [SwingMetric::Shortage, SwingMetric::Cost] {
        let text = check(&charts::tornado(&flat, metric, &style), &style);
        assert!(!text.contains("Chart unavailable"));
    }
    // More inputs than fit: the largest are drawn and the subtitle says so.
    let many: Vec<SensitivityRow> = (0..20)
        .map(|i| {
            row(
                &format!("input-{i:02}"),
                (0.05, 5e6),
                (0.05 + f64::from(i) * 0.001, 5e6),
            )
        })
        .collect();
    let text = check(
        &charts::tornado(&tornado(many), SwingMetric::Shortage, &style),
        &style,
    );
    assert!(text.contains(&format!("{} largest of 20 inputs", charts::TORNADO_ROWS)));
    assert!(text.contains("input-19") && !text.contains("input-00"));
    // Non-finite values stay out of the SVG.
    let mut odd = tornado(two_rows());
    odd.rows[0].high.shortage_probability = f64::NAN;
    odd.rows[1].low.mean_cost = f64::NEG_INFINITY;
    odd.base.mean_cost = f64::NAN;
    for metric in [SwingMetric::Shortage, SwingMetric::Cost] {
        check(&charts::tornado(&odd, metric, &style), &style);
    }
}

#[test]
fn hostile_names_are_escaped() {
    let evil = "<script>alert(1)</script> & \"x\"";
    let mut report = common::report(2, 26);
    report.portfolios[0].name = evil.into();
    report.portfolios[1].name = "tab\tand\u{1}control\u{FFFF}".into();
    let mut opt = optimization(curve());
    opt.scenario_name = "</svg><script>".into();
    opt.base_portfolio = "<b onload='x'>".into();
    let mut t = tornado(two_rows());
    t.rows[0].input = format!("workloads[{evil}].growth");
    t.portfolio = "<b onload='x'>".into();
    t.scenario_name = "</svg><script>".into();
    let style = Style::default();
    let svgs = [
        charts::frontier(&opt, Some(&report), &style),
        charts::tornado(&t, SwingMetric::Shortage, &style),
        charts::tornado(&t, SwingMetric::Cost, &style),
    ];
    for svg in &svgs {
        assert!(!svg.contains("<script"), "a script tag leaked");
        assert!(!svg.contains("<b "), "markup leaked");
        assert!(check(svg, &style).contains(evil), "the name was lost");
    }
}

/// The charts on what the engine really returns for a small scenario.
#[test]
fn real_engine_results_draw() {
    let scenario = engine::parse_scenario(
        r#"
        name = "two clouds"
        horizon_weeks = 26
        paths = 200
        [[workloads]]
        name = "inference"
        base_gpus = 100
        growth = { uniform = { min = 0.1, max = 0.6 } }
        shortage_penalty_per_gpu_hour = 10
        [[providers]]
        name = "neo"
        reserved_price = 2
        on_demand_price = 3.5
        burst_fill = { uniform = { min = 0.4, max = 1.0 } }
        [[providers]]
        name = "hyper"
        reserved_price = 2.6
        on_demand_price = 4
        [[portfolios]]
        name = "neo only"
        contracts = [{ provider = "neo", gpus = 120, term_weeks = 26 }]
        burst = [{ provider = "neo", max_gpus = 40 }]
        "#,
        engine::Format::Toml,
    )
    .unwrap();
    let go = &mut |_, _| true;
    let options = engine::decide::OptimizeOptions {
        max_shortage: Some(0.1),
        max_evaluations: 40,
        ..Default::default()
    };
    let opt =
        engine::decide::optimize(&scenario, &options, &mut engine::decide::Inline, go).unwrap();
    let report = engine::simulate(&scenario, &engine::RunOptions::default(), go).unwrap();
    let style = Style::default();
    let text = check(&charts::frontier(&opt, Some(&report), &style), &style);
    assert!(text.contains("neo only") && !text.contains("Chart unavailable"));
    let t = engine::decide::sensitivity(
        &scenario,
        &Default::default(),
        &mut engine::decide::Inline,
        go,
    )
    .unwrap();
    for metric in [SwingMetric::Shortage, SwingMetric::Cost] {
        let text = check(&charts::tornado(&t, metric, &style), &style);
        assert!(text.contains("workloads[inference].growth"));
    }
}
