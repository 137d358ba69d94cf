//! One evaluated candidate: the decision it stands for and the headline metrics it got.

use crate::report::PortfolioReport;
use serde::{Deserialize, Serialize};

/// A candidate portfolio as the optimizer saw it. Field names are part of the JSON output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Committed GPUs per slot, in the order of `Optimization::slots`.
    pub gpus: Vec<f64>,
    /// Ordering-policy parameters, when the base portfolio has a policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_percentile: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cover_fraction: Option<f64>,
    pub shortage_probability: f64,
    pub shortage_probability_se: f64,
    pub mean_cost: f64,
    pub mean_cost_se: f64,
    pub cvar95: f64,
    pub cvar95_se: f64,
    /// The value minimized: `mean_cost` or `cvar95`.
    pub objective: f64,
    /// Largest provider share of provisioned capacity (0-1) and who holds it.
    pub max_share: f64,
    pub max_share_provider: String,
    /// Meets the shortage target and the share cap.
    pub feasible: bool,
    /// How far it misses them: excess probability plus excess share (0 when feasible).
    pub violation: f64,
}

/// Constraints a candidate is judged against.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    pub max_shortage: Option<f64>,
    pub max_share: Option<f64>,
}

impl Candidate {
    pub(crate) fn from_report(
        r: &PortfolioReport,
        gpus: Vec<f64>,
        ordering: (Option<f64>, Option<f64>),
        cvar: bool,
        limits: Limits,
    ) -> Candidate {
        // Ties go to the provider listed first, so the label is deterministic.
        let (max_share, max_share_provider) =
            r.provider_share
                .iter()
                .fold((0.0, String::new()), |(best, name), s| {
                    if s.capacity > best {
                        (s.capacity, s.provider.clone())
                    } else {
                        (best, name)
                    }
                });
        let over_p = limits
            .max_shortage
            .map_or(0.0, |m| (r.shortage_probability - m).max(0.0));
        let over_s = limits.max_share.map_or(0.0, |m| (max_share - m).max(0.0));
        let violation = over_p + over_s;
        Candidate {
            gpus,
            target_percentile: ordering.0,
            cover_fraction: ordering.1,
            shortage_probability: r.shortage_probability,
            shortage_probability_se: r.shortage_probability_se,
            mean_cost: r.cost.mean,
            mean_cost_se: r.cost.mean_se,
            cvar95: r.cost.cvar95,
            cvar95_se: r.cost.cvar95_se,
            objective: if cvar { r.cost.cvar95 } else { r.cost.mean },
            max_share,
            max_share_provider,
            feasible: violation == 0.0,
            violation,
        }
    }

    /// Feasible before infeasible; then smaller violation; then smaller objective.
    pub(crate) fn better_than(&self, o: &Candidate) -> bool {
        if self.feasible != o.feasible {
            return self.feasible;
        }
        if self.violation != o.violation {
            return self.violation < o.violation;
        }
        self.objective < o.objective
    }
}
