//! The built-in scenario library: every file of `scenarios/*.toml`, compiled in so the app
//! works offline and from static files.

use serde_json::Value;

use crate::state::Origin;

/// `(file name, TOML text)` of every shipped scenario, in menu order.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "three-lane.toml",
        include_str!("../../../scenarios/three-lane.toml"),
    ),
    (
        "architectures.toml",
        include_str!("../../../scenarios/architectures.toml"),
    ),
    (
        "outage-72h.toml",
        include_str!("../../../scenarios/outage-72h.toml"),
    ),
    (
        "price-shock.toml",
        include_str!("../../../scenarios/price-shock.toml"),
    ),
    (
        "quota-cut.toml",
        include_str!("../../../scenarios/quota-cut.toml"),
    ),
    (
        "demand-jump.toml",
        include_str!("../../../scenarios/demand-jump.toml"),
    ),
    ("bench.toml", include_str!("../../../scenarios/bench.toml")),
];

/// The scenario loaded on a first visit.
pub const DEFAULT: &str = "three-lane.toml";

/// The TOML text of a library scenario.
pub fn text(name: &str) -> Option<&'static str> {
    SCENARIOS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Whether `name` is a library file.
pub fn contains(name: &str) -> bool {
    text(name).is_some()
}

/// A library scenario as an editable document.
pub fn origin(name: &str) -> Option<Origin> {
    let doc: Value = toml::from_str(text(name)?).ok()?;
    Some(Origin {
        name: name.to_string(),
        doc,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_library_scenario_decodes() {
        for (name, _) in SCENARIOS {
            let origin = origin(name).unwrap_or_else(|| panic!("{name} is not TOML"));
            if let Err(d) = engine::scenario::decode(&origin.doc) {
                panic!("{name}: {d:?}");
            }
        }
    }

    #[test]
    fn the_library_is_every_shipped_file() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scenarios");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut built_in: Vec<String> = SCENARIOS.iter().map(|(n, _)| n.to_string()).collect();
        built_in.sort();
        assert_eq!(on_disk, built_in);
    }
}
