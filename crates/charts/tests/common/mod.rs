//! A synthetic report with plausible numbers, shared by the tests and the `render_all` example.
//!
//! Deterministic (no random numbers): a curve per quantity with a little wobble, so the
//! charts look like a real run without depending on the engine's output changing.

#![allow(dead_code)]

use engine::report::{
    Bands, CostReport, DemandReport, PortfolioReport, ProviderShare, Report, WeeklyCapacity,
};

pub const NAMES: [&str; 5] = [
    "Hybrid reserved + on-demand",
    "Single neocloud",
    "Three-lane",
    "Multi-provider routing",
    "On-prem heavy",
];

fn wobble(week: usize, phase: f64) -> f64 {
    ((week as f64) * 0.37 + phase).sin() * 0.5 + ((week as f64) * 0.11 + phase * 2.0).cos() * 0.5
}

/// A report with `portfolios` portfolios over `weeks` weeks.
pub fn report(portfolios: usize, weeks: usize) -> Report {
    let demand_p50: Vec<f64> = (0..weeks)
        .map(|w| 800.0 * (1.0 + 1.2_f64).powf(w as f64 / 52.0) * (1.0 + 0.03 * wobble(w, 0.0)))
        .collect();
    let weekly_gpus = Bands {
        p10: demand_p50
            .iter()
            .enumerate()
            .map(|(w, d)| d * (1.0 - 0.05 - 0.0025 * w as f64))
            .collect(),
        p90: demand_p50
            .iter()
            .enumerate()
            .map(|(w, d)| d * (1.0 + 0.08 + 0.004 * w as f64))
            .collect(),
        mean: demand_p50.iter().map(|d| d * 1.01).collect(),
        p50: demand_p50.clone(),
    };
    let providers = vec![
        "Hyperscaler A".to_owned(),
        "Neocloud B".to_owned(),
        "On-prem".to_owned(),
        "Broker".to_owned(),
    ];
    let portfolios = (0..portfolios)
        .map(|p| portfolio(p, NAMES[p % NAMES.len()], &demand_p50, &providers))
        .collect();
    Report {
        engine_version: "0.1.0".to_owned(),
        scenario_name: "Growth 120%/yr with jumps".to_owned(),
        scenario_digest: "abc".to_owned(),
        seed: 42,
        paths: 10_000,
        horizon_weeks: weeks as u32,
        stress: vec![],
        digest: "def".to_owned(),
        workloads: vec!["inference".to_owned(), "training".to_owned()],
        providers,
        demand: DemandReport { weekly_gpus },
        portfolios,
        comparisons: vec![],
    }
}

fn portfolio(p: usize, name: &str, demand: &[f64], providers: &[String]) -> PortfolioReport {
    let k = p as f64;
    let weeks = demand.len();
    // Each portfolio commits a different share of demand up front and tops up in steps.
    let committed: Vec<f64> = (0..weeks)
        .map(|w| {
            let step = (w / 26) as f64;
            demand[0] * (0.7 + 0.1 * k) * (1.0 + 0.45 * step)
        })
        .collect();
    let burst: Vec<f64> = (0..weeks)
        .map(|w| (demand[w] * (0.95 - 0.05 * k) - committed[w]).max(0.0) * 0.8)
        .collect();
    let emergency: Vec<f64> = (0..weeks)
        .map(|w| (demand[w] * 1.05 - committed[w] - burst[w]).max(0.0) * (0.3 + 0.1 * k))
        .collect();
    let weekly_p: Vec<f64> = (0..weeks)
        .map(|w| {
            let gap = demand[w] * 1.1 - committed[w] - burst[w] - emergency[w];
            (gap / demand[w]).clamp(0.0, 1.0) * (0.6 - 0.1 * k) + 0.01 * wobble(w, k).abs()
        })
        .collect();
    let weekly_se: Vec<f64> = weekly_p
        .iter()
        .map(|q| (q * (1.0 - q) / 10_000.0).sqrt())
        .collect();
    let mean_cost = 60e6 * (1.0 + 0.12 * k);
    let quantiles: Vec<f64> = (0..=100)
        .map(|i| {
            let u = (f64::from(i) / 100.0).clamp(0.001, 0.999);
            // A right-skewed distribution: roughly log-normal around the mean.
            let z = (u / (1.0 - u)).ln() / 1.7;
            mean_cost * (z * (0.08 + 0.03 * k)).exp()
        })
        .collect();
    let weekly_cost_p50: Vec<f64> = (0..weeks)
        .map(|w| mean_cost / weeks as f64 * (0.6 + 0.8 * w as f64 / weeks as f64))
        .collect();
    let provider_share = providers
        .iter()
        .enumerate()
        .map(|(j, provider)| {
            let f = j as f64;
            let weight = ((p + j) % 4 + 1) as f64;
            ProviderShare {
                provider: provider.clone(),
                capacity: 0.25,
                spend: 0.25,
                committed_gpu_hours: 2.0e6 * weight * if j == 3 { 0.0 } else { 1.0 },
                burst_gpu_hours: 0.6e6 * (4.0 - f),
                emergency_gpu_hours: 0.1e6 * f * (1.0 + k),
                committed_spend: 4.0e6 * weight * if j == 3 { 0.0 } else { 1.0 },
                burst_spend: 2.4e6 * (4.0 - f),
                emergency_spend: 0.8e6 * f * (1.0 + k),
            }
        })
        .collect();
    PortfolioReport {
        name: name.to_owned(),
        shortage_probability: (0.35 - 0.08 * k).max(0.01),
        shortage_probability_se: 0.005,
        weekly_shortage_probability: weekly_p,
        weekly_shortage_probability_se: weekly_se,
        cost: CostReport {
            mean: mean_cost,
            mean_se: mean_cost * 0.004,
            p50: quantiles[50],
            p90: quantiles[90],
            p95: quantiles[95],
            p99: quantiles[99],
            cvar95: quantiles[97] * 1.02,
            cvar95_se: mean_cost * 0.01,
            quantiles,
            ..CostReport::default()
        },
        weekly_cost: Bands {
            p10: weekly_cost_p50.iter().map(|c| c * 0.85).collect(),
            p90: weekly_cost_p50.iter().map(|c| c * 1.2).collect(),
            mean: weekly_cost_p50.iter().map(|c| c * 1.02).collect(),
            p50: weekly_cost_p50,
        },
        weekly_capacity: WeeklyCapacity {
            committed,
            burst,
            emergency,
        },
        provider_share,
        ..PortfolioReport::default()
    }
}
