//! Cross-field checks: unique names and references between providers, portfolios and stress tests.

use super::model::*;
use crate::diag::{Diagnostic, did_you_mean};
use std::collections::BTreeMap;

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
    let provider_ref = |diags: &mut Vec<Diagnostic>, path: String, name: &str| {
        if !providers.contains(&name) && !name.is_empty() {
            diags.push(unknown("provider", &path, name, &providers));
        }
    };

    let mut grouped: BTreeMap<&str, &str> = BTreeMap::new();
    for (gi, g) in s.correlation_groups.iter().enumerate() {
        for (i, p) in g.providers.iter().enumerate() {
            let path = format!("correlation_groups[{gi}].providers[{i}]");
            provider_ref(diags, path.clone(), p);
            if let Some(other) = grouped.insert(p.as_str(), g.name.as_str()) {
                diags.push(
                    Diagnostic::new(
                        path,
                        format!("provider `{p}` is already in group `{other}`"),
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
                            format!("provider `{}` has two {list} caps", cap.provider),
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
                } if !workloads.contains(&w.as_str()) => {
                    diags.push(unknown(
                        "workload",
                        &format!("{base}.workload"),
                        w,
                        &workloads,
                    ));
                }
                _ => {}
            }
        }
    }
}

fn unknown(what: &str, path: &str, name: &str, known: &[&str]) -> Diagnostic {
    let hint = match did_you_mean(name, known.iter().copied()) {
        Some(k) => format!("did you mean `{k}`?"),
        None if known.len() <= 12 => format!("known {what}s: {}", known.join(", ")),
        None => format!("{} {what}s are defined", known.len()),
    };
    Diagnostic::new(path, format!("unknown {what} `{name}`")).with_hint(hint)
}

fn unique<'a>(diags: &mut Vec<Diagnostic>, list: &str, names: impl Iterator<Item = &'a str>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, n) in names.enumerate() {
        if let Some(first) = seen.insert(n, i) {
            diags.push(
                Diagnostic::new(format!("{list}[{i}].name"), format!("duplicate name `{n}`"))
                    .with_hint(format!(
                        "{list}[{first}] already uses it; names must be unique"
                    )),
            );
        }
    }
}
