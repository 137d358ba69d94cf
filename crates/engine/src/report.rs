//! The run report: plain data, JSON field names fixed (other tools read them).
//!
//! Every probability and mean comes with its Monte Carlo standard error in a sibling `*_se` field.
//! Money is in $, capacity in GPUs (weekly averages) or GPU-hours, emissions in tonnes CO2e.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub engine_version: String,
    pub scenario_name: String,
    /// Hash of the normalized scenario: two reports with equal digests ran the same inputs.
    pub scenario_digest: String,
    pub seed: u64,
    pub paths: u32,
    pub horizon_weeks: u32,
    /// Names of the stress tests applied to every path, in order.
    pub stress: Vec<String>,
    /// Hash of every number below: equal digests mean bit-identical results.
    pub digest: String,
    pub workloads: Vec<String>,
    pub providers: Vec<String>,
    pub demand: DemandReport,
    pub portfolios: Vec<PortfolioReport>,
    pub comparisons: Vec<Comparison>,
}

/// Weekly P10/P50/P90 bands plus the mean.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    pub p10: Vec<f64>,
    pub p50: Vec<f64>,
    pub p90: Vec<f64>,
    pub mean: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DemandReport {
    /// Peak GPUs required per week (all workloads), across paths.
    pub weekly_gpus: Bands,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PortfolioReport {
    pub name: String,
    /// P(at least one week with unmet non-deferrable demand over the horizon).
    pub shortage_probability: f64,
    pub shortage_probability_se: f64,
    pub weekly_shortage_probability: Vec<f64>,
    pub weekly_shortage_probability_se: Vec<f64>,
    pub expected_unmet_gpu_hours: f64,
    pub expected_unmet_gpu_hours_se: f64,
    pub unmet_gpu_hours: Percentiles,
    pub shortage_weeks: ShortageWeeks,
    pub classes: Vec<ClassReport>,
    pub cost: CostReport,
    pub weekly_cost: Bands,
    /// Mean GPUs available to the portfolio per week, by tier (after outages, fill and quotas).
    pub weekly_capacity: WeeklyCapacity,
    pub served_gpu_hours: f64,
    pub degraded_gpu_hours: f64,
    pub idle_committed_gpu_hours: f64,
    pub idle_committed_gpu_hours_se: f64,
    /// Used committed GPU-hours over paid committed GPU-hours.
    pub utilization: f64,
    /// Spend (committed, burst, emergency, exit penalties) per GPU-hour of demand served;
    /// degradation and shortage penalties are left out.
    pub cost_per_served_gpu_hour: f64,
    pub provider_share: Vec<ProviderShare>,
    /// Herfindahl-Hirschman index of capacity shares, 0-10,000.
    pub hhi: f64,
    /// The same index over spend shares.
    pub hhi_spend: f64,
    pub largest_provider_outage: OutageDamage,
    pub emissions_tco2e: f64,
    pub emissions_tco2e_se: f64,
    pub orders: OrderStats,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ShortageWeeks {
    /// Weeks with unmet non-deferrable demand, per path.
    pub mean: f64,
    pub mean_se: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    /// Longest run of consecutive shortage weeks, averaged over paths.
    pub mean_longest_run: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    pub name: String,
    pub priority: u32,
    pub deferrable: bool,
    /// For deferrable workloads: P(backlog left at the horizon); otherwise P(any unmet week).
    pub shortage_probability: f64,
    pub shortage_probability_se: f64,
    /// For deferrable workloads: backlog left at the horizon; otherwise all unmet GPU-hours.
    pub expected_unmet_gpu_hours: f64,
    pub expected_unmet_gpu_hours_se: f64,
    pub shortage_weeks_mean: f64,
    pub degraded_gpu_hours: f64,
    pub served_gpu_hours: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostReport {
    /// Total cost over the horizon, $.
    pub mean: f64,
    pub mean_se: f64,
    pub p50: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    /// Mean cost of the worst 5% of paths.
    pub cvar95: f64,
    pub cvar95_se: f64,
    pub breakdown: CostBreakdown,
    /// Total-cost quantiles at 0%, 1%, ..., 100% (101 values), for CDF and histogram charts.
    pub quantiles: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    pub committed: f64,
    pub burst: f64,
    pub emergency: f64,
    pub exit_penalties: f64,
    pub degradation_penalty: f64,
    pub shortage_penalty: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WeeklyCapacity {
    pub committed: Vec<f64>,
    pub burst: Vec<f64>,
    pub emergency: Vec<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderShare {
    pub provider: String,
    /// Share of the portfolio's provisioned GPU-hours (committed paid + burst + emergency used).
    pub capacity: f64,
    /// Share of spend.
    pub spend: f64,
    pub committed_gpu_hours: f64,
    pub burst_gpu_hours: f64,
    pub emergency_gpu_hours: f64,
    pub committed_spend: f64,
    pub burst_spend: f64,
    pub emergency_spend: f64,
}

/// What happens if the largest provider disappears for a while, on the same paths.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OutageDamage {
    pub provider: String,
    pub week: u32,
    pub hours: f64,
    pub extra_unmet_gpu_hours: f64,
    pub extra_unmet_gpu_hours_se: f64,
    /// P(shortage in that week) with the outage.
    pub shortage_probability: f64,
    pub shortage_probability_se: f64,
    pub extra_cost: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderStats {
    pub mean_orders: f64,
    pub mean_ordered_gpus: f64,
}

/// Paired comparison of two portfolios on the same draws.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    /// P(A's total cost < B's) on the same path.
    pub p_a_cheaper: f64,
    pub p_a_cheaper_se: f64,
    /// P(A has fewer shortage weeks than B) on the same path.
    pub p_a_fewer_shortage_weeks: f64,
    pub p_a_fewer_shortage_weeks_se: f64,
    /// P(both have the same number of shortage weeks): often most paths, when neither is short.
    pub p_same_shortage_weeks: f64,
    pub p_same_shortage_weeks_se: f64,
    /// Mean of (A's cost - B's cost), with its paired standard error.
    pub mean_cost_difference: f64,
    pub mean_cost_difference_se: f64,
}
