//! Properties that must hold on the same random draws, whatever the numbers.

use engine::{Format, RunOptions, Simulation};

const BASE: &str = r#"
name = "properties"
horizon_weeks = 52
paths = 600
seed = 3
[[workloads]]
name = "inference"
base_gpus = 100
growth = { lognormal = { p5 = 0.2, p95 = 1.5 } }
volatility = 0.1
peak_factor = 1.2
jumps = { rate_per_year = 3, size = { triangular = { min = 0.05, mode = 0.2, max = 0.6 } }, half_life_weeks = 8 }
degradation = { gpu_factor = 0.5, max_share = 0.3, quality_penalty_per_gpu_hour = 1 }
[[workloads]]
name = "training"
base_gpus = 60
deferrable = true
tiers = ["committed", "burst"]
[[providers]]
name = "neo"
reserved_price = 2.0
on_demand_price = 3.0
burst_fill = { beta = { mean = 0.6, sd = 0.2 } }
outages = { rate_per_year = 4, duration_hours = { lognormal = { p5 = 4, p95 = 96 } } }
quota_cuts = { rate_per_year = 2, fraction = { uniform = { min = 0.2, max = 0.7 } }, duration_weeks = 4 }
price_shocks = { rate_per_year = 1, size = { pert = { min = 0.1, mode = 0.3, max = 0.9 } } }
[[providers]]
name = "hyper"
reserved_price = 4.0
on_demand_price = 7.0
burst_fill = { beta = { alpha = 8, beta = 2 } }
outages = { rate_per_year = 1, duration_hours = 24 }
[[correlation_groups]]
name = "shared"
providers = ["neo", "hyper"]
correlation = 0.4
"#;

fn portfolio(name: &str, committed: f64) -> String {
    format!(
        r#"
[[portfolios]]
name = "{name}"
contracts = [{{ provider = "neo", gpus = {committed}, term_weeks = 52 }}]
burst = [{{ provider = "neo", max_gpus = 40 }}, {{ provider = "hyper", max_gpus = 40 }}]
emergency = [{{ provider = "hyper", max_gpus = 20 }}]
"#
    )
}

fn scenario(text: &str) -> engine::Scenario {
    engine::parse_scenario(text, Format::Toml).unwrap_or_else(|d| panic!("{d}"))
}

#[test]
fn more_committed_capacity_never_raises_shortage_on_the_same_draws() {
    let text = format!(
        "{BASE}{}{}{}",
        portfolio("lean", 120.0),
        portfolio("mid", 160.0),
        portfolio("fat", 220.0)
    );
    let r = engine::simulate(&scenario(&text), &RunOptions::default(), &mut |_, _| true).unwrap();
    let p: Vec<f64> = r
        .portfolios
        .iter()
        .map(|p| p.shortage_probability)
        .collect();
    assert!(p[0] >= p[1] && p[1] >= p[2], "shortage probabilities {p:?}");
    assert!(
        p[0] > p[2],
        "the test scenario must be able to tell them apart: {p:?}"
    );
    // Paired, path by path: the smaller portfolio never has fewer shortage weeks.
    for c in &r.comparisons {
        assert_eq!(c.p_a_fewer_shortage_weeks, 0.0, "{} vs {}", c.a, c.b);
    }
    for (a, b) in r.portfolios.iter().zip(&r.portfolios[1..]) {
        assert!(a.expected_unmet_gpu_hours >= b.expected_unmet_gpu_hours);
        for (wa, wb) in a
            .weekly_shortage_probability
            .iter()
            .zip(&b.weekly_shortage_probability)
        {
            assert!(wa >= wb);
        }
    }
}

#[test]
fn costs_are_never_negative_and_percentiles_are_ordered() {
    let text = format!(
        "{BASE}{}{}",
        portfolio("lean", 100.0),
        portfolio("fat", 200.0)
    );
    let r = engine::simulate(&scenario(&text), &RunOptions::default(), &mut |_, _| true).unwrap();
    for p in &r.portfolios {
        assert!(
            p.cost.quantiles[0] >= 0.0,
            "{}: minimum cost {}",
            p.name,
            p.cost.quantiles[0]
        );
        assert!(p.cost.quantiles.windows(2).all(|w| w[0] <= w[1]));
        let c = &p.cost;
        assert!(c.p50 <= c.p90 && c.p90 <= c.p95 && c.p95 <= c.p99);
        // The worst 5% average at least P95 and at most the worst path.
        assert!(c.p95 <= c.cvar95 + 1e-6 && c.cvar95 <= c.quantiles[100] + 1e-6);
        assert!(p.weekly_cost.p10.iter().all(|&x| x >= 0.0));
        let parts = c.breakdown.committed
            + c.breakdown.burst
            + c.breakdown.emergency
            + c.breakdown.exit_penalties
            + c.breakdown.degradation_penalty
            + c.breakdown.shortage_penalty;
        assert!(
            (parts - c.mean).abs() <= 1e-9 * c.mean,
            "{}: breakdown {parts} vs mean {}",
            p.name,
            c.mean
        );
        let shares: f64 = p.provider_share.iter().map(|s| s.capacity).sum();
        assert!((shares - 1.0).abs() < 1e-9);
    }
}

#[test]
fn results_do_not_depend_on_chunk_order_or_neighbours() {
    let text = format!(
        "{BASE}{}{}",
        portfolio("lean", 120.0),
        portfolio("fat", 200.0)
    );
    let s = scenario(&text);
    let options = RunOptions {
        paths: Some(1234),
        ..Default::default()
    };
    let sim = Simulation::new(&s, &options).unwrap();
    let mut forward = sim.accumulator();
    for i in 0..sim.chunk_count() {
        forward.merge(sim.run_chunk(i));
    }
    let mut backward = sim.accumulator();
    for i in (0..sim.chunk_count()).rev() {
        backward.merge(sim.run_chunk(i));
    }
    let (f, b) = (forward.report(), backward.report());
    assert_eq!(f.digest, b.digest);
    assert_eq!(f, b);

    // A portfolio's numbers do not depend on which other portfolios are in the file.
    let alone = scenario(&format!("{BASE}{}", portfolio("fat", 200.0)));
    let r = engine::simulate(&alone, &options, &mut |_, _| true).unwrap();
    assert_eq!(r.portfolios[0].cost, f.portfolios[1].cost);
    assert_eq!(
        r.portfolios[0].weekly_shortage_probability,
        f.portfolios[1].weekly_shortage_probability
    );
}

#[test]
fn cancelling_stops_the_run() {
    let text = format!("{BASE}{}", portfolio("lean", 120.0));
    let options = RunOptions {
        paths: Some(5000),
        ..Default::default()
    };
    let mut calls = 0;
    let result = engine::simulate(&scenario(&text), &options, &mut |done, total| {
        calls += 1;
        assert!(done <= total);
        done < 1000
    });
    assert!(matches!(result, Err(engine::RunError::Cancelled)));
    assert_eq!(calls, 2, "stops after the chunk that crossed the limit");
}

#[test]
fn a_stress_test_only_makes_things_worse_for_that_provider() {
    let text = format!(
        "{BASE}{}\n[[stress_tests]]\nname = \"neo down\"\nevents = [{{ kind = \"outage\", provider = \"neo\", week = 20, hours = 72 }}]\n",
        portfolio("lean", 150.0)
    );
    let s = scenario(&text);
    let plain = engine::simulate(&s, &RunOptions::default(), &mut |_, _| true).unwrap();
    let stressed = engine::simulate(
        &s,
        &RunOptions {
            stress: vec!["neo down".into()],
            ..Default::default()
        },
        &mut |_, _| true,
    )
    .unwrap();
    let (a, b) = (&plain.portfolios[0], &stressed.portfolios[0]);
    assert!(b.weekly_shortage_probability[20] > a.weekly_shortage_probability[20]);
    assert_eq!(
        a.weekly_shortage_probability[10], b.weekly_shortage_probability[10],
        "weeks before the event are untouched"
    );
    assert_eq!(stressed.stress, vec!["neo down".to_string()]);
    assert_ne!(plain.digest, stressed.digest);
}
