//! "Add to comparison": the optimizer's portfolio into the working document, under a name no
//! other portfolio uses; and whether a result still describes the working scenario.
//!
//! The portfolio goes in through the document like any edit (`doc.rs`), so the engine validates
//! it, autosave keeps it and the dashboard re-runs with it.

use engine::Scenario;
use engine::scenario::Portfolio;
use serde_json::Value;

fn taken(doc: &Value) -> Vec<String> {
    doc.get("portfolios")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|p| p.get("name")?.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `wanted` if no portfolio of the document is called that, else `wanted 2`, `wanted 3`, ...
pub fn unique_name(doc: &Value, wanted: &str) -> String {
    let taken = taken(doc);
    let wanted = wanted.trim();
    let mut name = wanted.to_owned();
    let mut n = 1;
    while taken.iter().any(|t| t.trim() == name) {
        n += 1;
        name = format!("{wanted} {n}");
    }
    name
}

/// How many portfolios the working document lists.
pub fn portfolio_count(doc: &Value) -> usize {
    doc.get("portfolios")
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

/// Appends `portfolio` to the document's portfolios under a unique name; returns that name, or
/// `None` if the document has no portfolio list to add to.
pub fn add_portfolio(doc: &mut Value, portfolio: &Portfolio) -> Option<String> {
    let name = unique_name(doc, &portfolio.name);
    let mut value = serde_json::to_value(portfolio).ok()?;
    value["name"] = Value::String(name.clone());
    crate::doc::push(doc, "portfolios", value)?;
    Some(name)
}

/// Whether `now` still poses the problem a result computed on `then` answered: everything but
/// the portfolio list is unchanged, and every portfolio of `then` is still there as it was (the
/// frontier places them all). Adding portfolios, the optimizer's among them, is not a change.
pub fn same_problem(then: &Scenario, now: &Scenario) -> bool {
    let strip = |s: &Scenario| Scenario {
        portfolios: Vec::new(),
        ..s.clone()
    };
    then.portfolios.iter().all(|p| now.portfolios.contains(p)) && strip(then) == strip(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Value {
        let s = engine::parse_scenario(
            crate::library::text("three-lane.toml").unwrap(),
            engine::Format::Toml,
        )
        .unwrap();
        serde_json::to_value(&s).unwrap()
    }

    fn optimized(doc: &Value) -> Portfolio {
        let s = engine::scenario::decode(doc).unwrap();
        let options = engine::decide::OptimizeOptions {
            run: engine::RunOptions {
                paths: Some(100),
                ..Default::default()
            },
            max_evaluations: 10,
            ..Default::default()
        };
        engine::decide::optimize(&s, &options, &mut engine::decide::Inline, &mut |_, _| true)
            .unwrap()
            .best_portfolio
    }

    #[test]
    fn the_optimized_portfolio_is_added_validly_under_a_unique_name() {
        let mut d = doc();
        let before = portfolio_count(&d);
        let best = optimized(&d);
        let first = add_portfolio(&mut d, &best).unwrap();
        assert_eq!(first, best.name);
        let second = add_portfolio(&mut d, &best).unwrap();
        assert_eq!(second, format!("{} 2", best.name));
        assert_eq!(portfolio_count(&d), before + 2);
        // The engine accepts the document, and reads the portfolio back as it was written.
        let s = engine::scenario::decode(&d).unwrap();
        let added = &s.portfolios[before + 1];
        assert_eq!(added.name, second);
        assert_eq!(added.contracts, best.contracts);
        assert_eq!(added.ordering, best.ordering);
    }

    #[test]
    fn names_are_unique_even_against_hostile_or_spaced_names() {
        let d = serde_json::json!({ "portfolios": [
            { "name": "<b>x</b>" }, { "name": " a " }, { "name": "a 2" }
        ]});
        assert_eq!(unique_name(&d, "<b>x</b>"), "<b>x</b> 2");
        assert_eq!(unique_name(&d, "a"), "a 3");
        assert_eq!(unique_name(&d, "new"), "new");
        assert_eq!(unique_name(&serde_json::json!({}), "p"), "p");
        let mut not_a_list = serde_json::json!({ "portfolios": 3 });
        let p = optimized(&doc());
        assert!(add_portfolio(&mut not_a_list, &p).is_none());
    }

    #[test]
    fn results_go_out_of_date_only_when_the_problem_changes() {
        let d = doc();
        let then = engine::scenario::decode(&d).unwrap();
        let mut added = d.clone();
        add_portfolio(&mut added, &optimized(&d)).unwrap();
        let now = engine::scenario::decode(&added).unwrap();
        assert!(same_problem(&then, &now));
        let mut edited = then.clone();
        edited.providers[0].reserved_price += 0.1;
        assert!(!same_problem(&then, &edited));
        let mut resized = then.clone();
        resized.portfolios[0].contracts[0].gpus += 1.0;
        assert!(!same_problem(&then, &resized));
        let mut removed = then.clone();
        removed.portfolios.pop();
        assert!(!same_problem(&then, &removed));
    }
}
