//! Between the permalink codec (`crates/share`) and the app's state: the link of the working
//! scenario, and what opening a link changes. Pure, unit-tested natively.

use engine::Scenario;
use serde_json::Value;
use share::{EngineMismatch, Link, LinkError};

/// Name of the origin of a scenario opened from a link (what "reset" goes back to).
pub const LINK_ORIGIN: &str = "shared link";

/// The link of a valid working scenario. The document travels as the user left it (the
/// receiver edits the same fields), the seed and paths as the engine resolved them.
pub fn make(doc: &Value, scenario: &Scenario, stress: &[String]) -> Link {
    Link {
        scenario_json: doc.to_string(),
        seed: scenario.seed,
        paths: scenario.paths,
        stress: stress.to_vec(),
        engine_version: engine::ENGINE_VERSION.to_owned(),
    }
}

/// Reads a URL fragment: `None` when it is not meant as a link (empty, or an ordinary anchor
/// such as `#results`), else the decoded link or why it cannot be used. Anything starting
/// with `hr` is taken as a link, so a damaged `#hr1.…` is reported rather than ignored.
pub fn fragment_link(hash: &str) -> Option<Result<Link, LinkError>> {
    let text = hash.trim();
    let text = text.strip_prefix('#').unwrap_or(text);
    let looks_like_link = text.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("hr"));
    looks_like_link.then(|| share::decode(text))
}

/// What opening a link sets: the working document and stress tests, and a notice when the
/// link was made by another engine version.
#[derive(Clone, Debug, PartialEq)]
pub struct Opened {
    pub doc: Value,
    pub stress: Vec<String>,
    pub mismatch: Option<EngineMismatch>,
}

impl Opened {
    /// The scenario's name (untrusted text), if it has one.
    pub fn name(&self) -> Option<&str> {
        self.doc.get("name").and_then(Value::as_str)
    }
}

/// Turns a decoded link into the state to open. The scenario must at least be a JSON object;
/// an object that is not a valid scenario still opens (its problems are listed as for any
/// edit), so nothing the sender wrote is lost.
pub fn prepare(link: Link, running_engine: &str) -> Result<Opened, String> {
    let mismatch = link.engine_mismatch(running_engine);
    let mut doc: Value = serde_json::from_str(&link.scenario_json)
        .map_err(|e| format!("the scenario inside this link is damaged ({e})"))?;
    if !doc.is_object() {
        return Err("the scenario inside this link is not a scenario".into());
    }
    // The run settings the link records win over the document's (they are equal for links
    // made by this app); a default is only made explicit when it differs.
    if let Ok(s) = engine::scenario::decode(&doc) {
        if s.seed != link.seed {
            doc["seed"] = link.seed.into();
        }
        if s.paths != link.paths {
            doc["paths"] = link.paths.into();
        }
    }
    Ok(Opened {
        doc,
        stress: link.stress,
        mismatch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn library_doc() -> Value {
        crate::library::origin("outage-72h.toml").unwrap().doc
    }

    #[test]
    fn a_link_reopens_the_same_document_and_run_settings() {
        let doc = library_doc();
        let scenario = engine::scenario::decode(&doc).unwrap();
        let stress = vec![scenario.stress_tests[0].name.clone()];
        let code = share::encode(&make(&doc, &scenario, &stress));
        let link = fragment_link(&format!("#{code}")).unwrap().unwrap();
        let opened = prepare(link, engine::ENGINE_VERSION).unwrap();
        assert_eq!(opened.doc, doc);
        assert_eq!(opened.stress, stress);
        assert_eq!(opened.mismatch, None);
        assert_eq!(opened.name(), Some(scenario.name.as_str()));
    }

    #[test]
    fn the_links_seed_and_paths_win() {
        let doc = library_doc();
        let scenario = engine::scenario::decode(&doc).unwrap();
        let mut link = make(&doc, &scenario, &[]);
        link.seed = scenario.seed.wrapping_add(1);
        link.paths = 700;
        let opened = prepare(link.clone(), engine::ENGINE_VERSION).unwrap();
        let reopened = engine::scenario::decode(&opened.doc).unwrap();
        assert_eq!((reopened.seed, reopened.paths), (link.seed, 700));
        // Only those two fields changed.
        let mut expected = doc.clone();
        expected["seed"] = link.seed.into();
        expected["paths"] = 700.into();
        assert_eq!(opened.doc, expected);
    }

    #[test]
    fn another_engine_version_opens_with_a_notice() {
        let doc = library_doc();
        let scenario = engine::scenario::decode(&doc).unwrap();
        let mut link = make(&doc, &scenario, &[]);
        link.engine_version = "0.0.1-old".into();
        let opened = prepare(link, engine::ENGINE_VERSION).unwrap();
        let notice = opened.mismatch.unwrap().to_string();
        assert!(
            notice.contains("0.0.1-old") && notice.contains("may differ"),
            "{notice}"
        );
        assert_eq!(opened.doc, doc);
    }

    #[test]
    fn an_invalid_scenario_still_opens_but_non_objects_do_not() {
        let link = |json: &str| Link {
            scenario_json: json.into(),
            seed: 1,
            paths: 10,
            stress: vec![],
            engine_version: engine::ENGINE_VERSION.into(),
        };
        let opened = prepare(link(r#"{"name":"<b>x</b>","paths":"many"}"#), "v").unwrap();
        assert_eq!(opened.doc["paths"], "many");
        assert_eq!(opened.name(), Some("<b>x</b>"));
        assert!(
            prepare(link("[1,2]"), "v")
                .unwrap_err()
                .contains("not a scenario")
        );
        assert!(
            prepare(link("{\"name\":"), "v")
                .unwrap_err()
                .contains("damaged")
        );
    }

    #[test]
    fn fragments_that_are_not_links_are_ignored() {
        assert_eq!(fragment_link(""), None);
        assert_eq!(fragment_link("#"), None);
        assert_eq!(fragment_link("#results"), None);
        assert_eq!(fragment_link("#h"), None);
        assert_eq!(fragment_link("#hr"), Some(Err(LinkError::NotHeadroomLink)));
        assert!(matches!(
            fragment_link("#hr1.%%%"),
            Some(Err(LinkError::Corrupt(_)))
        ));
        assert_eq!(
            fragment_link("#HR9.abc"),
            Some(Err(LinkError::NotHeadroomLink))
        );
    }
}
