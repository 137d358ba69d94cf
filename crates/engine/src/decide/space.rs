//! The search space: which numbers of a portfolio the optimizer may change, and how a point of
//! that space becomes a portfolio again.
//!
//! A point is a vector of integers so that candidates can be compared, cached and ordered exactly
//! (no float keys): committed GPUs are whole GPUs, ordering-policy parameters are in hundredths.
//! Everything else in the base portfolio (burst and emergency caps, contract terms, the rest of
//! the ordering policy) is kept as it is.

use crate::scenario::{Contract, Portfolio, Scenario};
use serde::{Deserialize, Serialize};

/// One committed-capacity decision: GPUs at a provider on given terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlotInfo {
    pub provider: String,
    pub start_week: u32,
    pub term_weeks: u32,
    /// $ per GPU-hour actually paid (the contract's price or the provider's reserved price).
    pub price_per_gpu_hour: f64,
    /// GPUs in the portfolio the search started from (0 for a provider it did not use).
    pub base_gpus: f64,
}

/// What a coordinate of a point means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Coord {
    /// Whole GPUs in slot `i`.
    Gpus(usize),
    /// Ordering `target_percentile`, in hundredths.
    TargetPercentile,
    /// Ordering `cover_fraction`, in hundredths.
    CoverFraction,
}

pub(crate) type Point = Vec<i64>;

pub(crate) struct Space {
    base: Portfolio,
    /// Contract templates (their `gpus` is replaced by the point's value).
    templates: Vec<Contract>,
    pub slots: Vec<SlotInfo>,
    pub coords: Vec<Coord>,
    /// Inclusive bounds per coordinate.
    pub bounds: Vec<(i64, i64)>,
    /// Initial search step per coordinate.
    pub steps: Vec<i64>,
    /// Typical size of the problem in GPUs: committed GPUs of the base, or peak demand at week 0.
    pub scale: f64,
}

/// Percentiles are kept away from 0 and 1, where the policy's forecast is meaningless.
const PERCENTILE_RANGE: (i64, i64) = (50, 99);
/// Cover fractions up to 3x: more than that is never a sensible policy (the format allows 5).
const COVER_RANGE: (i64, i64) = (0, 300);

impl Space {
    /// Slots are the base portfolio's contracts (one per contract, in order) plus, when
    /// `add_providers` is set, a full-horizon contract at the reserved price for every provider
    /// the base does not commit to, so the search can diversify.
    pub fn new(s: &Scenario, base: &Portfolio, add_providers: bool) -> Space {
        let mut templates: Vec<Contract> = base.contracts.clone();
        if add_providers {
            for p in &s.providers {
                if !base.contracts.iter().any(|c| c.provider == p.name) {
                    templates.push(Contract {
                        provider: p.name.clone(),
                        gpus: 0.0,
                        start_week: 0,
                        term_weeks: s.horizon_weeks.max(1),
                        price_per_gpu_hour: None,
                        exit_week: None,
                        early_exit_penalty: 0.0,
                    });
                }
            }
        }
        let slots: Vec<SlotInfo> = templates
            .iter()
            .map(|c| SlotInfo {
                provider: c.provider.clone(),
                start_week: c.start_week,
                term_weeks: c.term_weeks,
                price_per_gpu_hour: c.price_per_gpu_hour.unwrap_or_else(|| {
                    s.providers
                        .iter()
                        .find(|p| p.name == c.provider)
                        .map_or(0.0, |p| p.reserved_price)
                }),
                base_gpus: c.gpus,
            })
            .collect();
        let committed: f64 = base.contracts.iter().map(|c| c.gpus).sum();
        let demand: f64 = s
            .workloads
            .iter()
            .map(|w| w.base_gpus * w.peak_factor)
            .sum();
        let scale = committed.max(demand).max(1.0);
        // Whole GPUs up to 20x the problem's size: far beyond any sensible commitment, finite so
        // the search is bounded.
        let gpu_max = (20.0 * scale).ceil().min(1e9) as i64;
        let gpu_step = ((scale / 4.0).round() as i64).max(1);
        let mut coords: Vec<Coord> = (0..slots.len()).map(Coord::Gpus).collect();
        let mut bounds = vec![(0, gpu_max); slots.len()];
        let mut steps = vec![gpu_step; slots.len()];
        if base.ordering.is_some() {
            coords.push(Coord::TargetPercentile);
            bounds.push(PERCENTILE_RANGE);
            steps.push(8);
            coords.push(Coord::CoverFraction);
            bounds.push(COVER_RANGE);
            steps.push(20);
        }
        Space {
            base: base.clone(),
            templates,
            slots,
            coords,
            bounds,
            steps,
            scale,
        }
    }

    /// The base portfolio as a point (rounded onto the grid and into the bounds).
    pub fn start(&self) -> Point {
        let point = self
            .coords
            .iter()
            .map(|c| match *c {
                Coord::Gpus(i) => self.templates[i].gpus.round() as i64,
                Coord::TargetPercentile => self
                    .base
                    .ordering
                    .as_ref()
                    .map_or(90, |o| (o.target_percentile * 100.0).round() as i64),
                Coord::CoverFraction => self
                    .base
                    .ordering
                    .as_ref()
                    .map_or(100, |o| (o.cover_fraction * 100.0).round() as i64),
            })
            .collect();
        self.clamp(point)
    }

    pub fn clamp(&self, mut p: Point) -> Point {
        for (x, &(lo, hi)) in p.iter_mut().zip(&self.bounds) {
            *x = (*x).clamp(lo, hi);
        }
        p
    }

    /// GPUs per slot at a point.
    pub fn gpus(&self, p: &Point) -> Vec<f64> {
        self.coords
            .iter()
            .zip(p)
            .filter_map(|(c, &x)| matches!(c, Coord::Gpus(_)).then_some(x as f64))
            .collect()
    }

    pub fn ordering_params(&self, p: &Point) -> (Option<f64>, Option<f64>) {
        let mut out = (None, None);
        for (c, &x) in self.coords.iter().zip(p) {
            match c {
                Coord::TargetPercentile => out.0 = Some(x as f64 / 100.0),
                Coord::CoverFraction => out.1 = Some(x as f64 / 100.0),
                Coord::Gpus(_) => {}
            }
        }
        out
    }

    /// The portfolio at a point. Slots at zero GPUs are left out (the format wants `gpus > 0`).
    pub fn portfolio(&self, p: &Point, name: &str) -> Portfolio {
        let mut out = self.base.clone();
        out.name = name.to_string();
        out.contracts = self
            .templates
            .iter()
            .zip(self.gpus(p))
            .filter(|(_, g)| *g > 0.0)
            .map(|(t, g)| Contract {
                gpus: g,
                ..t.clone()
            })
            .collect();
        let (pct, cover) = self.ordering_params(p);
        if let Some(o) = out.ordering.as_mut() {
            if let Some(v) = pct {
                o.target_percentile = v;
            }
            if let Some(v) = cover {
                o.cover_fraction = v;
            }
        }
        out
    }
}
