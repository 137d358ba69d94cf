//! Turning merged aggregates into the report: means with standard errors, percentiles, shares,
//! paired comparisons, and the digest over all of it.

use crate::accum::{Accumulator, PortfolioAgg};
use crate::compile::Model;
use crate::report::*;
use crate::stats::{cvar, percentile, proportion, sorted};

pub(crate) fn build(acc: &Accumulator) -> Report {
    let m = &acc.model;
    let n = acc.paths;
    let weeks = m.weeks;
    let per_path = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };

    let demand = DemandReport {
        weekly_gpus: Bands {
            p10: (0..weeks).map(|w| acc.demand.quantile(w, 0.1)).collect(),
            p50: (0..weeks).map(|w| acc.demand.quantile(w, 0.5)).collect(),
            p90: (0..weeks).map(|w| acc.demand.quantile(w, 0.9)).collect(),
            mean: acc.demand_sum.iter().map(|&s| per_path(s)).collect(),
        },
    };

    let portfolios: Vec<PortfolioReport> = m
        .portfolios
        .iter()
        .zip(&acc.portfolios)
        .map(|(pm, a)| portfolio(m, &pm.name, pm.largest_provider, a, n))
        .collect();

    let mut comparisons = Vec::new();
    for i in 0..acc.portfolios.len() {
        for j in i + 1..acc.portfolios.len() {
            comparisons.push(compare(
                &m.portfolios[i].name,
                &m.portfolios[j].name,
                &acc.portfolios[i],
                &acc.portfolios[j],
            ));
        }
    }

    let mut report = Report {
        engine_version: crate::ENGINE_VERSION.to_string(),
        scenario_name: m.scenario_name.clone(),
        scenario_digest: m.scenario_digest.clone(),
        seed: m.seed,
        paths: n,
        horizon_weeks: weeks as u32,
        stress: m.stress_names.clone(),
        digest: String::new(),
        workloads: m.classes.iter().map(|c| c.name.clone()).collect(),
        providers: m.providers.iter().map(|p| p.name.clone()).collect(),
        demand,
        portfolios,
        comparisons,
    };
    report.digest = digest_of(&report);
    report
}

/// Digest of the report with its own `digest` field blank.
pub(crate) fn digest_of(r: &Report) -> String {
    let mut copy = r.clone();
    copy.digest = String::new();
    crate::digest::hex(crate::digest::fnv1a(
        serde_json::to_string(&copy).unwrap_or_default().as_bytes(),
    ))
}

fn portfolio(m: &Model, name: &str, largest: usize, a: &PortfolioAgg, n: u32) -> PortfolioReport {
    let per_path = |x: f64| if n == 0 { 0.0 } else { x / n as f64 };
    let (p_short, p_short_se) = proportion(a.short_paths, n);
    let weekly: Vec<(f64, f64)> = a.weekly_short.iter().map(|&c| proportion(c, n)).collect();
    let (unmet_mean, unmet_se) = a.unmet_m.mean_se(n);
    let unmet_sorted = sorted(&a.unmet);
    let cost_sorted = sorted(&a.cost);
    let weeks_sorted: Vec<f64> = sorted(
        &a.shortage_weeks
            .iter()
            .map(|&x| f64::from(x))
            .collect::<Vec<_>>(),
    );
    let (cost_mean, cost_se) = a.cost_m.mean_se(n);
    let (cvar95, cvar95_se) = cvar(&cost_sorted, 0.95);
    let (sw_mean, sw_se) = a.short_weeks_m.mean_se(n);
    let (idle, idle_se) = a.idle.mean_se(n);
    let (em, em_se) = a.emissions.mean_se(n);
    let (dmg, dmg_se) = a.damage_unmet.mean_se(n);
    let (dmg_p, dmg_p_se) = proportion(a.damage_short, n);

    let capacity_total: f64 = a.providers.iter().map(|p| p[0] + p[1] + p[2]).sum();
    let spend_total: f64 = a.providers.iter().map(|p| p[3] + p[4] + p[5]).sum();
    let share = |x: f64, t: f64| if t > 0.0 { x / t } else { 0.0 };
    let provider_share: Vec<ProviderShare> = m
        .providers
        .iter()
        .zip(&a.providers)
        .map(|(pm, p)| ProviderShare {
            provider: pm.name.clone(),
            capacity: share(p[0] + p[1] + p[2], capacity_total),
            spend: share(p[3] + p[4] + p[5], spend_total),
            committed_gpu_hours: per_path(p[0]),
            burst_gpu_hours: per_path(p[1]),
            emergency_gpu_hours: per_path(p[2]),
            committed_spend: per_path(p[3]),
            burst_spend: per_path(p[4]),
            emergency_spend: per_path(p[5]),
        })
        .collect();
    let hhi = provider_share
        .iter()
        .map(|s| (s.capacity * 100.0).powi(2))
        .sum();
    let hhi_spend = provider_share
        .iter()
        .map(|s| (s.spend * 100.0).powi(2))
        .sum();

    let classes = m
        .classes
        .iter()
        .zip(&a.classes)
        .map(|(cm, c)| {
            let (p, p_se) = proportion(c.short_paths, n);
            let (u, u_se) = c.unmet.mean_se(n);
            ClassReport {
                name: cm.name.clone(),
                priority: cm.priority,
                deferrable: cm.deferrable,
                shortage_probability: p,
                shortage_probability_se: p_se,
                expected_unmet_gpu_hours: u,
                expected_unmet_gpu_hours_se: u_se,
                shortage_weeks_mean: per_path(c.short_weeks),
                degraded_gpu_hours: per_path(c.degraded),
                served_gpu_hours: per_path(c.served),
            }
        })
        .collect();

    let served = per_path(a.served);
    let b = &a.breakdown;
    PortfolioReport {
        name: name.to_string(),
        shortage_probability: p_short,
        shortage_probability_se: p_short_se,
        weekly_shortage_probability: weekly.iter().map(|x| x.0).collect(),
        weekly_shortage_probability_se: weekly.iter().map(|x| x.1).collect(),
        expected_unmet_gpu_hours: unmet_mean,
        expected_unmet_gpu_hours_se: unmet_se,
        unmet_gpu_hours: Percentiles {
            p50: percentile(&unmet_sorted, 0.5),
            p90: percentile(&unmet_sorted, 0.9),
            p95: percentile(&unmet_sorted, 0.95),
            p99: percentile(&unmet_sorted, 0.99),
            max: unmet_sorted.last().copied().unwrap_or(0.0),
        },
        shortage_weeks: ShortageWeeks {
            mean: sw_mean,
            mean_se: sw_se,
            p50: percentile(&weeks_sorted, 0.5),
            p90: percentile(&weeks_sorted, 0.9),
            p99: percentile(&weeks_sorted, 0.99),
            mean_longest_run: per_path(a.longest_run),
        },
        classes,
        cost: CostReport {
            mean: cost_mean,
            mean_se: cost_se,
            p50: percentile(&cost_sorted, 0.5),
            p90: percentile(&cost_sorted, 0.9),
            p95: percentile(&cost_sorted, 0.95),
            p99: percentile(&cost_sorted, 0.99),
            cvar95,
            cvar95_se,
            breakdown: CostBreakdown {
                committed: per_path(b[0]),
                burst: per_path(b[1]),
                emergency: per_path(b[2]),
                exit_penalties: per_path(b[3]),
                degradation_penalty: per_path(b[4]),
                shortage_penalty: per_path(b[5]),
            },
            quantiles: (0..=100)
                .map(|i| percentile(&cost_sorted, i as f64 / 100.0))
                .collect(),
        },
        weekly_cost: Bands {
            p10: (0..m.weeks)
                .map(|w| a.weekly_cost.quantile(w, 0.1))
                .collect(),
            p50: (0..m.weeks)
                .map(|w| a.weekly_cost.quantile(w, 0.5))
                .collect(),
            p90: (0..m.weeks)
                .map(|w| a.weekly_cost.quantile(w, 0.9))
                .collect(),
            mean: a.weekly_cost_sum.iter().map(|&s| per_path(s)).collect(),
        },
        weekly_capacity: WeeklyCapacity {
            committed: (0..m.weeks)
                .map(|w| per_path(a.weekly_capacity[w]))
                .collect(),
            burst: (0..m.weeks)
                .map(|w| per_path(a.weekly_capacity[m.weeks + w]))
                .collect(),
            emergency: (0..m.weeks)
                .map(|w| per_path(a.weekly_capacity[2 * m.weeks + w]))
                .collect(),
        },
        served_gpu_hours: served,
        degraded_gpu_hours: per_path(a.degraded),
        idle_committed_gpu_hours: idle,
        idle_committed_gpu_hours_se: idle_se,
        utilization: if a.paid_committed > 0.0 {
            a.used_committed / a.paid_committed
        } else {
            0.0
        },
        // Money actually paid to providers: quality and shortage penalties are costs of the
        // plan, not of the GPU-hours served.
        cost_per_served_gpu_hour: if served > 0.0 {
            (per_path(b[0]) + per_path(b[1]) + per_path(b[2]) + per_path(b[3])) / served
        } else {
            0.0
        },
        provider_share,
        hhi,
        hhi_spend,
        largest_provider_outage: OutageDamage {
            provider: m
                .providers
                .get(largest)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
            week: m.outage_week as u32,
            hours: m.outage_hours,
            extra_unmet_gpu_hours: dmg,
            extra_unmet_gpu_hours_se: dmg_se,
            shortage_probability: dmg_p,
            shortage_probability_se: dmg_p_se,
            extra_cost: per_path(a.damage_cost),
        },
        emissions_tco2e: em,
        emissions_tco2e_se: em_se,
        orders: OrderStats {
            mean_orders: per_path(a.orders),
            mean_ordered_gpus: per_path(a.ordered_gpus),
        },
    }
}

fn compare(a_name: &str, b_name: &str, a: &PortfolioAgg, b: &PortfolioAgg) -> Comparison {
    let n = a.cost.len().min(b.cost.len()) as u32;
    let cheaper = a.cost.iter().zip(&b.cost).filter(|(x, y)| x < y).count() as u32;
    let fewer = a
        .shortage_weeks
        .iter()
        .zip(&b.shortage_weeks)
        .filter(|(x, y)| x < y)
        .count() as u32;
    let mut diff = crate::stats::Moments::default();
    for (x, y) in a.cost.iter().zip(&b.cost) {
        diff.add(x - y);
    }
    let same = a
        .shortage_weeks
        .iter()
        .zip(&b.shortage_weeks)
        .filter(|(x, y)| x == y)
        .count() as u32;
    let (p_cheaper, p_cheaper_se) = proportion(cheaper, n);
    let (p_fewer, p_fewer_se) = proportion(fewer, n);
    let (p_same, p_same_se) = proportion(same, n);
    let (d, d_se) = diff.mean_se(n);
    Comparison {
        a: a_name.to_string(),
        b: b_name.to_string(),
        p_a_cheaper: p_cheaper,
        p_a_cheaper_se: p_cheaper_se,
        p_a_fewer_shortage_weeks: p_fewer,
        p_a_fewer_shortage_weeks_se: p_fewer_se,
        p_same_shortage_weeks: p_same,
        p_same_shortage_weeks_se: p_same_se,
        mean_cost_difference: d,
        mean_cost_difference_se: d_se,
    }
}
