//! The scenario model: what a planner writes, as typed data.
//!
//! Field names here are the file format (see `scenarios/README.md`); `Serialize` writes them back
//! out (TOML export, permalinks), and `decode.rs` reads them in with full diagnostics. A portfolio
//! also derives `Deserialize`, only to read back what `Serialize` wrote (the optimizer's
//! `best_portfolio` crossing from the worker to the UI); files always go through `decode.rs`.

use crate::dist::Dist;
use serde::{Deserialize, Serialize};

/// Hours in one simulation step (a week).
pub const HOURS_PER_WEEK: f64 = 168.0;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub horizon_weeks: u32,
    pub paths: u32,
    pub seed: u64,
    /// Week at which the "largest provider disappears" check is made (default: mid-horizon).
    pub concentration_outage_week: u32,
    /// Length of that outage in hours (default 72).
    pub concentration_outage_hours: f64,
    pub workloads: Vec<Workload>,
    pub providers: Vec<Provider>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub correlation_groups: Vec<CorrelationGroup>,
    pub portfolios: Vec<Portfolio>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stress_tests: Vec<StressTest>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    pub name: String,
    /// Lower is served first (1 = most critical).
    pub priority: u32,
    /// Average GPU-equivalents at week 0.
    pub base_gpus: f64,
    /// Annual growth rate, drawn once per path (1.2 = +120% a year).
    pub growth: Dist,
    /// Standard deviation of weekly log-demand noise.
    pub volatility: f64,
    /// How much of last week's noise carries into this week (0 = independent weeks).
    pub volatility_persistence: f64,
    pub peak_factor: f64,
    pub tiers: Vec<Tier>,
    pub deferrable: bool,
    pub shortage_penalty_per_gpu_hour: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seasonality: Option<Seasonality>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jumps: Option<Jumps>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degradation: Option<Degradation>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    Committed,
    Burst,
    Emergency,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Committed, Tier::Burst, Tier::Emergency];

    pub fn name(self) -> &'static str {
        match self {
            Tier::Committed => "committed",
            Tier::Burst => "burst",
            Tier::Emergency => "emergency",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Seasonality {
    /// Relative swing: 0.1 means demand peaks 10% above trend.
    pub amplitude: f64,
    /// Week of the year (0-51) at which the seasonal peak falls.
    pub peak_week: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Jumps {
    pub rate_per_year: f64,
    /// Step up as a fraction of demand (0.3 = +30%).
    pub size: Dist,
    /// Weeks for half of a jump to fade; absent = permanent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_life_weeks: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Degradation {
    /// GPUs a degraded unit of demand needs, relative to full service (0.5 = half).
    pub gpu_factor: f64,
    /// Largest share of the workload's demand that may be degraded.
    pub max_share: f64,
    pub quality_penalty_per_gpu_hour: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Hyperscaler,
    Neocloud,
    OnPrem,
    Broker,
    Other,
}

impl ProviderKind {
    pub const NAMES: [&'static str; 5] = ["hyperscaler", "neocloud", "on_prem", "broker", "other"];

    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "hyperscaler" => Self::Hyperscaler,
            "neocloud" => Self::Neocloud,
            "on_prem" => Self::OnPrem,
            "broker" => Self::Broker,
            "other" => Self::Other,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Provider {
    pub name: String,
    pub kind: ProviderKind,
    /// $ per GPU-hour for committed (reserved) capacity signed at today's prices.
    pub reserved_price: f64,
    /// $ per GPU-hour on demand (burst).
    pub on_demand_price: f64,
    /// Emergency price = on-demand price x (1 + markup).
    pub emergency_markup: f64,
    /// Fraction of a burst request that is filled in a week.
    pub burst_fill: Dist,
    /// Lead time of newly ordered committed capacity, in weeks.
    pub lead_time_weeks: Dist,
    pub carbon_g_per_gpu_hour: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outages: Option<Outages>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quota_cuts: Option<QuotaCuts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_shocks: Option<PriceShocks>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Outages {
    pub rate_per_year: f64,
    pub duration_hours: Dist,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuotaCuts {
    pub rate_per_year: f64,
    /// Share of burst and emergency quota removed (0.5 = halved).
    pub fraction: Dist,
    pub duration_weeks: Dist,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceShocks {
    pub rate_per_year: f64,
    /// Price increase as a fraction (0.4 = +40%).
    pub size: Dist,
    /// Weeks for half of the increase to fade; absent = persists to the horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub half_life_weeks: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationGroup {
    pub name: String,
    pub providers: Vec<String>,
    /// 0 = independent, 1 = members fail, tighten and reprice together.
    pub correlation: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Portfolio {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub contracts: Vec<Contract>,
    pub burst: Vec<Cap>,
    pub emergency: Vec<Cap>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ordering: Option<OrderingPolicy>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contract {
    pub provider: String,
    pub gpus: f64,
    pub start_week: u32,
    pub term_weeks: u32,
    /// $ per GPU-hour; absent = the provider's reserved price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_per_gpu_hour: Option<f64>,
    /// Week the contract is left early; absent = runs its full term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_week: Option<u32>,
    /// Charged on early exit, as a fraction of the remaining commitment's value.
    pub early_exit_penalty: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cap {
    pub provider: String,
    pub max_gpus: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderingPolicy {
    pub provider: String,
    pub review_weeks: u32,
    pub first_review_week: u32,
    /// Forecast demand percentile the committed position must cover (0.9 = P90).
    pub target_percentile: f64,
    /// Share of that forecast to cover with committed capacity (the rest is left to burst).
    pub cover_fraction: f64,
    pub min_order_gpus: f64,
    pub max_order_gpus: f64,
    pub term_weeks: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StressTest {
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub events: Vec<StressEvent>,
}

/// A deterministic shock applied on top of every path, identically for every portfolio.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StressEvent {
    Outage {
        provider: String,
        week: u32,
        hours: f64,
    },
    PriceShock {
        /// Absent = every provider.
        #[serde(skip_serializing_if = "Option::is_none")]
        provider: Option<String>,
        week: u32,
        increase: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        half_life_weeks: Option<f64>,
    },
    QuotaCut {
        provider: String,
        week: u32,
        fraction: f64,
        weeks: u32,
    },
    DemandJump {
        /// Absent = every workload.
        #[serde(skip_serializing_if = "Option::is_none")]
        workload: Option<String>,
        week: u32,
        size: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        half_life_weeks: Option<f64>,
    },
}
