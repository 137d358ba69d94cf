//! Cross-field checks: unique names and references between providers, portfolios and stress tests
//! (errors), and settings that are valid but almost certainly not what the author meant
//! (warnings, which never block a run).

use super::model::*;
use crate::diag::{Diagnostic, did_you_mean, quote, show};
use std::collections::{BTreeMap, BTreeSet};

pub(crate) fn references(s: &Scenario, diags: &mut Vec<Diagnostic>) {
    unique(
        diags,
        "workloads",
        s.workloads.iter().map(|w| w.name.as_str()),
    );
    unique(
        diags,
        "providers",
        s.providers.iter().map(|p| p.name.as_str()),
    );
    unique(
        diags,
        "portfolios",
        s.portfolios.iter().map(|p| p.name.as_str()),
    );
    unique(
        diags,
        "stress_tests",
        s.stress_tests.iter().map(|t| t.name.as_str()),
    );
    unique(
        diags,
        "correlation_groups",
        s.correlation_groups.iter().map(|g| g.name.as_str()),
    );

    let providers: Vec<&str> = s.providers.iter().map(|p| p.name.as_str()).collect();
    let workloads: Vec<&str> = s.workloads.iter().map(|w| w.name.as_str()).collect();
    let provider_set: BTreeSet<&str> = providers.iter().copied().collect();
    // An empty list already has its own diagnostic (required, too long, wrong type): every
    // reference into it would only repeat that.
    let provider_ref = |diags: &mut Vec<Diagnostic>, path: String, name: &str| {
        if !provider_set.contains(name) && !name.is_empty() && !providers.is_empty() {
            let d = unknown("provider", &path, name, &providers, diags.len());
            diags.push(d);
        }
    };

    let mut grouped: BTreeMap<&str, &str> = BTreeMap::new();
    for (gi, g) in s.correlation_groups.iter().enumerate() {
        if g.providers.is_empty() {
            diags.push(
                Diagnostic::new(
                    format!("correlation_groups[{gi}].providers"),
                    "must list at least one provider",
                )
                .with_hint("a group ties together providers that fail or tighten together"),
            );
        }
        for (i, p) in g.providers.iter().enumerate() {
            let path = format!("correlation_groups[{gi}].providers[{i}]");
            provider_ref(diags, path.clone(), p);
            if let Some(other) = grouped.insert(p.as_str(), g.name.as_str()) {
                diags.push(
                    Diagnostic::new(
                        path,
                        format!("provider {} is already in group {}", quote(p), quote(other)),
                    )
                    .with_hint("a provider belongs to at most one correlation group"),
                );
            }
        }
    }

    for (pi, pf) in s.portfolios.iter().enumerate() {
        for (ci, c) in pf.contracts.iter().enumerate() {
            provider_ref(
                diags,
                format!("portfolios[{pi}].contracts[{ci}].provider"),
                &c.provider,
            );
        }
        for (list, caps) in [("burst", &pf.burst), ("emergency", &pf.emergency)] {
            let mut seen = Vec::new();
            for (i, cap) in caps.iter().enumerate() {
                let path = format!("portfolios[{pi}].{list}[{i}].provider");
                provider_ref(diags, path.clone(), &cap.provider);
                if seen.contains(&cap.provider.as_str()) {
                    diags.push(
                        Diagnostic::new(
                            path,
                            format!("provider {} has two {list} caps", quote(&cap.provider)),
                        )
                        .with_hint("merge them into one"),
                    );
                }
                seen.push(cap.provider.as_str());
            }
        }
        if let Some(o) = &pf.ordering {
            provider_ref(
                diags,
                format!("portfolios[{pi}].ordering.provider"),
                &o.provider,
            );
        }
        if pf.contracts.is_empty()
            && pf.burst.is_empty()
            && pf.emergency.is_empty()
            && pf.ordering.is_none()
        {
            diags.push(
                Diagnostic::new(format!("portfolios[{pi}]"), "has no capacity at all")
                    .with_hint("add contracts, burst or emergency caps, or an ordering policy"),
            );
        } else if pf.contracts.is_empty()
            && pf.ordering.is_none()
            && !diags
                .iter()
                .any(|d| d.path.starts_with(&format!("portfolios[{pi}].")))
            && pf
                .burst
                .iter()
                .chain(&pf.emergency)
                .all(|c| c.max_gpus == 0.0)
        {
            // Every demand would go unmet: the results would only restate the demand model.
            diags.push(
                Diagnostic::new(
                    format!("portfolios[{pi}]"),
                    "has no capacity at all: every burst and emergency cap is 0",
                )
                .with_hint("give a cap a positive max_gpus, or add a contract"),
            );
        }
    }

    for (ti, t) in s.stress_tests.iter().enumerate() {
        for (ei, e) in t.events.iter().enumerate() {
            let base = format!("stress_tests[{ti}].events[{ei}]");
            match e {
                StressEvent::Outage { provider, .. } | StressEvent::QuotaCut { provider, .. } => {
                    provider_ref(diags, format!("{base}.provider"), provider)
                }
                StressEvent::PriceShock {
                    provider: Some(p), ..
                } => provider_ref(diags, format!("{base}.provider"), p),
                StressEvent::DemandJump {
                    workload: Some(w), ..
                } if !workloads.contains(&w.as_str()) && !workloads.is_empty() => {
                    let d = unknown(
                        "workload",
                        &format!("{base}.workload"),
                        w,
                        &workloads,
                        diags.len(),
                    );
                    diags.push(d);
                }
                _ => {}
            }
        }
    }
}

/// "unknown provider" with a hint. `reported` is how many diagnostics exist already: past the
/// cap the message is dropped, so the (quadratic) did-you-mean search is skipped.
fn unknown(what: &str, path: &str, name: &str, known: &[&str], reported: usize) -> Diagnostic {
    let guess = if reported < super::decode::MAX_DIAGNOSTICS {
        did_you_mean(name, known.iter().copied())
    } else {
        None
    };
    let hint = match guess {
        Some(k) => format!("did you mean {}?", quote(k)),
        None if known.len() <= 12 => format!(
            "known {what}s: {}",
            known.iter().map(|k| show(k)).collect::<Vec<_>>().join(", ")
        ),
        None => format!("{} {what}s are defined", known.len()),
    };
    Diagnostic::new(path, format!("unknown {what} {}", quote(name))).with_hint(hint)
}

fn unique<'a>(diags: &mut Vec<Diagnostic>, list: &str, names: impl Iterator<Item = &'a str>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in names.enumerate() {
        if let Some(first) = seen.insert(n, i) {
            diags.push(
                Diagnostic::new(
                    format!("{list}[{i}].name"),
                    format!("duplicate name {}", quote(n)),
                )
                .with_hint(format!(
                    "{list}[{first}] already uses it; names must be unique"
                )),
            );
        }
    }
}

/// Settings that are valid but probably a mistake. Never fatal: a run goes ahead and the caller
/// shows these beside the results.
pub fn warnings(s: &Scenario) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let horizon = s.horizon_weeks;
    let mut used: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    for pf in &s.portfolios {
        used.extend(pf.contracts.iter().map(|c| c.provider.as_str()));
        used.extend(
            pf.burst
                .iter()
                .chain(&pf.emergency)
                .map(|c| c.provider.as_str()),
        );
        used.extend(pf.ordering.iter().map(|o| o.provider.as_str()));
    }
    for (i, p) in s.providers.iter().enumerate() {
        if !used.contains(p.name.as_str()) {
            out.push(
                Diagnostic::new(
                    format!("providers[{i}]"),
                    format!("provider {} is not used by any portfolio", quote(&p.name)),
                )
                .with_hint("it only costs run time; add it to a portfolio or remove it"),
            );
        }
    }
    for (gi, g) in s.correlation_groups.iter().enumerate() {
        if g.providers.len() == 1 {
            out.push(
                Diagnostic::new(
                    format!("correlation_groups[{gi}].providers"),
                    "has a single provider, so the correlation has no effect",
                )
                .with_hint("a group needs two or more providers that share a dependency"),
            );
        }
    }
    for (pi, pf) in s.portfolios.iter().enumerate() {
        for (ci, c) in pf.contracts.iter().enumerate() {
            if c.exit_week.is_some_and(|w| w >= horizon) {
                out.push(
                    Diagnostic::new(
                        format!("portfolios[{pi}].contracts[{ci}].exit_week"),
                        format!("is at or after the horizon (week {horizon}), so the exit never happens in the simulation"),
                    )
                    .with_hint("its early-exit penalty is not counted either"),
                );
            }
        }
        if let Some(o) = pf
            .ordering
            .as_ref()
            .filter(|o| o.first_review_week >= horizon)
        {
            out.push(
                Diagnostic::new(
                    format!("portfolios[{pi}].ordering.first_review_week"),
                    format!(
                        "week {} is at or after the horizon (week {horizon}), so nothing is ever ordered",
                        o.first_review_week
                    ),
                )
                .with_hint("use a week inside the horizon, or remove the ordering policy"),
            );
        }
    }
    for (wi, w) in s.workloads.iter().enumerate() {
        if w.degradation.as_ref().is_some_and(|d| d.max_share == 0.0) {
            out.push(
                Diagnostic::new(
                    format!("workloads[{wi}].degradation.max_share"),
                    "is 0, so no demand is ever degraded",
                )
                .with_hint("remove the degradation table, or allow a share above 0"),
            );
        }
    }
    super::decode::cap(out)
}
