//! Closed-form checks: cases where the right answer is known without simulation.
//!
//! Each check states the model quantity, the formula, and a tolerance in Monte Carlo standard
//! errors, so a failure means the engine disagrees with arithmetic, not with a fixture.

use engine::dist::normal_cdf;
use engine::{Format, Report, RunOptions};

fn run(text: &str, paths: u32) -> Report {
    let s = engine::parse_scenario(text, Format::Toml).unwrap_or_else(|d| panic!("{d}"));
    let options = RunOptions {
        paths: Some(paths),
        ..Default::default()
    };
    engine::simulate(&s, &options, &mut |_, _| true).expect("run")
}

/// No randomness at all: demand 100 x 1.2 peak = 120 GPUs every week, 100 committed at $2/h,
/// up to 50 burst at $4/h always filled, 500 g CO2e per GPU-hour, 10 weeks.
#[test]
fn deterministic_case_matches_hand_computation() {
    let r = run(
        r#"
        name = "hand"
        horizon_weeks = 10
        [[workloads]]
        name = "inference"
        base_gpus = 100
        peak_factor = 1.2
        [[providers]]
        name = "cloud"
        reserved_price = 2.0
        on_demand_price = 4.0
        carbon_g_per_gpu_hour = 500
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 100, term_weeks = 10 }]
        burst = [{ provider = "cloud", max_gpus = 50 }]
        "#,
        20,
    );
    let p = &r.portfolios[0];
    let week = 100.0 * 168.0 * 2.0 + 20.0 * 168.0 * 4.0; // committed + burst
    assert!(
        (p.cost.mean - 10.0 * week).abs() < 1e-6,
        "cost {}",
        p.cost.mean
    );
    assert_eq!(p.cost.p99, p.cost.p50, "no randomness, no spread");
    assert_eq!(p.cost.mean_se, 0.0);
    assert_eq!(p.shortage_probability, 0.0);
    assert_eq!(p.expected_unmet_gpu_hours, 0.0);
    assert!((p.utilization - 1.0).abs() < 1e-12);
    assert!(p.idle_committed_gpu_hours.abs() < 1e-6);
    assert!((p.served_gpu_hours - 120.0 * 168.0 * 10.0).abs() < 1e-6);
    assert!((p.emissions_tco2e - 120.0 * 168.0 * 10.0 * 500e-6).abs() < 1e-9);
    assert!((p.cost_per_served_gpu_hour - week / (120.0 * 168.0)).abs() < 1e-9);
    assert!((p.cost.breakdown.burst - 10.0 * 20.0 * 168.0 * 4.0).abs() < 1e-6);
    assert_eq!(p.hhi, 10_000.0, "one provider holds everything");
    // Demand bands collapse onto the value (histogram bins are at most 6.25% wide).
    let d = &r.demand.weekly_gpus;
    assert!((d.mean[3] - 120.0).abs() < 1e-9);
    assert!((d.p50[3] - 120.0).abs() / 120.0 < 0.0625);
}

/// Same case, but the burst cap is too small: 10 GPUs short every week.
#[test]
fn deterministic_shortage_is_exact() {
    let r = run(
        r#"
        name = "hand-short"
        horizon_weeks = 4
        [[workloads]]
        name = "inference"
        base_gpus = 100
        peak_factor = 1.2
        shortage_penalty_per_gpu_hour = 10
        [[providers]]
        name = "cloud"
        reserved_price = 2.0
        on_demand_price = 4.0
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 100, term_weeks = 4 }]
        burst = [{ provider = "cloud", max_gpus = 10 }]
        "#,
        10,
    );
    let p = &r.portfolios[0];
    assert_eq!(p.shortage_probability, 1.0);
    assert!((p.expected_unmet_gpu_hours - 4.0 * 10.0 * 168.0).abs() < 1e-6);
    assert_eq!(p.shortage_weeks.mean, 4.0);
    assert_eq!(p.shortage_weeks.mean_longest_run, 4.0);
    assert!((p.cost.breakdown.shortage_penalty - 4.0 * 10.0 * 168.0 * 10.0).abs() < 1e-6);
    assert!(p.weekly_shortage_probability.iter().all(|&q| q == 1.0));
}

/// One week of demand 100 x (1 + X), X ~ Normal(0.1, 0.2) (a jump every week that fades at
/// once), against 130 committed GPUs: P(shortage) = 1 - Phi((1.3 - 1.1) / 0.2) = 1 - Phi(1).
#[test]
fn single_period_normal_demand_matches_normal_tail() {
    let paths = 40_000;
    let r = run(
        r#"
        name = "newsvendor"
        horizon_weeks = 1
        seed = 11
        [[workloads]]
        name = "inference"
        base_gpus = 100
        jumps = { rate_per_year = 52, size = { normal = { mean = 0.1, sd = 0.2 } }, half_life_weeks = 0.001 }
        [[providers]]
        name = "cloud"
        reserved_price = 2.0
        on_demand_price = 4.0
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 130, term_weeks = 1 }]
        "#,
        paths,
    );
    let p = &r.portfolios[0];
    let expected = 1.0 - normal_cdf(1.0);
    let se = (expected * (1.0 - expected) / paths as f64).sqrt();
    assert!(
        (p.shortage_probability - expected).abs() < 4.0 * se,
        "P(shortage) {} vs {expected} (se {se})",
        p.shortage_probability
    );
    // The reported standard error is the binomial one.
    assert!((p.shortage_probability_se - se).abs() < 0.1 * se);
    // Expected unmet GPU-hours: 168 x 100 x sd x (phi(z) - z (1 - Phi(z))), z = 1.
    let phi = (-0.5f64).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let loss = 168.0 * 100.0 * 0.2 * (phi - (1.0 - normal_cdf(1.0)));
    assert!(
        (p.expected_unmet_gpu_hours - loss).abs() < 4.0 * p.expected_unmet_gpu_hours_se,
        "unmet {} vs {loss} (se {})",
        p.expected_unmet_gpu_hours,
        p.expected_unmet_gpu_hours_se
    );
}

/// Outages at 0.1 a week lasting 0.1 week each, against capacity exactly equal to demand: a week
/// is short whenever an outage overlaps it, which happens with probability 1 - exp(-0.1 x 1.1).
#[test]
fn outage_frequency_matches_its_rate() {
    let paths = 20_000;
    let r = run(
        r#"
        name = "outages"
        horizon_weeks = 12
        seed = 5
        [[workloads]]
        name = "inference"
        base_gpus = 100
        [[providers]]
        name = "cloud"
        reserved_price = 2.0
        on_demand_price = 4.0
        outages = { rate_per_year = 5.2, duration_hours = 16.8 }
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 100, term_weeks = 12 }]
        "#,
        paths,
    );
    let p = &r.portfolios[0];
    let expected: f64 = 1.0 - (-0.1f64 * 1.1).exp();
    // Week 0 cannot be hit by an outage that started before the horizon.
    for w in 1..11 {
        let got = p.weekly_shortage_probability[w];
        let se = (expected * (1.0 - expected) / paths as f64).sqrt();
        assert!(
            (got - expected).abs() < 4.0 * se,
            "week {w}: {got} vs {expected}"
        );
    }
    // Mean available capacity: each week loses 0.1 x 0.1 of its hours on average.
    let mean: f64 = p.weekly_capacity.committed[1..11].iter().sum::<f64>() / 10.0;
    assert!((mean - 99.0).abs() < 0.05, "mean capacity {mean}");
}

/// A fully deferrable workload never counts towards the headline shortage, and its backlog is
/// served later: 30 GPUs of training on 20 committed GPUs for 2 weeks, then 50 GPUs free.
#[test]
fn deferrable_backlog_is_worked_off() {
    let r = run(
        r#"
        name = "backlog"
        horizon_weeks = 4
        [[workloads]]
        name = "training"
        base_gpus = 30
        deferrable = true
        [[providers]]
        name = "cloud"
        reserved_price = 2.0
        on_demand_price = 4.0
        [[portfolios]]
        name = "p"
        contracts = [{ provider = "cloud", gpus = 20, term_weeks = 2 }, { provider = "cloud", gpus = 50, start_week = 2, term_weeks = 2 }]
        "#,
        5,
    );
    let p = &r.portfolios[0];
    assert_eq!(
        p.shortage_probability, 0.0,
        "deferrable work is not a headline shortage"
    );
    let c = &p.classes[0];
    assert!(c.deferrable);
    // Backlog 10 after week 0, 20 after week 1; week 2 serves 30 + 20 = 50; nothing left.
    assert_eq!(c.shortage_probability, 0.0);
    assert_eq!(c.shortage_weeks_mean, 2.0);
    assert!((c.served_gpu_hours - 4.0 * 30.0 * 168.0).abs() < 1e-6);
}
