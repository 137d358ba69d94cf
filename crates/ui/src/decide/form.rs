//! The decision form: what the user typed, kept as text (a half-typed number is not lost), and
//! its translation into the engine's own request types.

use engine::decide::{Objective, OptimizeOptions, SensitivityOptions};
use engine::{RunOptions, Scenario};

/// Paths per evaluation by default: enough that the frontier's points are a few tenths of a
/// percentage point apart in standard error, few enough that a search takes seconds.
pub const DEFAULT_PATHS: u32 = 2000;
/// Candidates by default, as `headroom optimize`.
pub const DEFAULT_EVALUATIONS: u32 = 300;

#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// Portfolio to start from / to study; empty or unknown = the first.
    pub portfolio: String,
    pub objective: Objective,
    /// Largest acceptable P(shortage), in percent; empty = no target.
    pub max_shortage_pct: String,
    /// Largest share of capacity at one provider, in percent; empty = no cap.
    pub max_share_pct: String,
    pub paths: String,
    pub max_evaluations: String,
    /// May commit to providers the starting portfolio does not use.
    pub add_providers: bool,
}

impl Default for Form {
    fn default() -> Self {
        Form {
            portfolio: String::new(),
            objective: Objective::Mean,
            max_shortage_pct: "5".into(),
            max_share_pct: String::new(),
            paths: DEFAULT_PATHS.to_string(),
            max_evaluations: DEFAULT_EVALUATIONS.to_string(),
            add_providers: true,
        }
    }
}

/// A problem with one field of the form (`field` is the input's `data-field`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormError {
    pub field: &'static str,
    pub message: String,
}

fn err(field: &'static str, message: impl Into<String>) -> FormError {
    FormError {
        field,
        message: message.into(),
    }
}

/// A percentage as a fraction; empty is `None`. `lo_open` excludes the lower bound.
fn percent(
    text: &str,
    field: &'static str,
    lo_open: bool,
    errors: &mut Vec<FormError>,
) -> Option<f64> {
    let t = text.trim().trim_end_matches('%').trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() && v <= 100.0 && (v > 0.0 || (!lo_open && v == 0.0)) => {
            Some(v / 100.0)
        }
        _ => {
            let range = if lo_open {
                "above 0 and at most 100"
            } else {
                "between 0 and 100"
            };
            errors.push(err(field, format!("must be a percentage {range}")));
            None
        }
    }
}

fn whole(text: &str, field: &'static str, min: u32, max: u32, errors: &mut Vec<FormError>) -> u32 {
    match text.trim().replace([',', '_'], "").parse::<u32>() {
        Ok(v) if (min..=max).contains(&v) => v,
        _ => {
            errors.push(err(
                field,
                format!("must be a whole number from {min} to {max}"),
            ));
            min
        }
    }
}

impl Form {
    /// The portfolio to use in `scenario`: the chosen one if it still exists, else the first.
    pub fn portfolio_in(&self, scenario: &Scenario) -> Option<String> {
        let chosen = scenario
            .portfolios
            .iter()
            .find(|p| p.name == self.portfolio);
        chosen
            .or(scenario.portfolios.first())
            .map(|p| p.name.clone())
    }

    fn run(&self, stress: &[String], errors: &mut Vec<FormError>) -> RunOptions {
        RunOptions {
            paths: Some(whole(&self.paths, "paths", 100, engine::MAX_PATHS, errors)),
            // The scenario's own seed, as the dashboard.
            seed: None,
            stress: stress.to_vec(),
        }
    }

    /// The optimizer request, or every problem with the form.
    pub fn optimize_options(
        &self,
        scenario: &Scenario,
        stress: &[String],
    ) -> Result<OptimizeOptions, Vec<FormError>> {
        let mut errors = Vec::new();
        let options = OptimizeOptions {
            portfolio: self.portfolio_in(scenario),
            objective: self.objective,
            max_shortage: percent(&self.max_shortage_pct, "max_shortage", false, &mut errors),
            max_share: percent(&self.max_share_pct, "max_share", true, &mut errors),
            run: self.run(stress, &mut errors),
            max_evaluations: whole(
                &self.max_evaluations,
                "max_evaluations",
                1,
                100_000,
                &mut errors,
            ),
            add_providers: self.add_providers,
        };
        if errors.is_empty() {
            Ok(options)
        } else {
            Err(errors)
        }
    }

    /// The tornado request (portfolio and paths from the same form), or the form's problems.
    pub fn sensitivity_options(
        &self,
        scenario: &Scenario,
        stress: &[String],
    ) -> Result<SensitivityOptions, Vec<FormError>> {
        let mut errors = Vec::new();
        let options = SensitivityOptions {
            portfolio: self.portfolio_in(scenario),
            run: self.run(stress, &mut errors),
            ..SensitivityOptions::default()
        };
        if errors.is_empty() {
            Ok(options)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario() -> Scenario {
        engine::parse_scenario(
            crate::library::text("three-lane.toml").unwrap(),
            engine::Format::Toml,
        )
        .unwrap()
    }

    #[test]
    fn defaults_make_a_valid_request() {
        let s = scenario();
        let o = Form::default().optimize_options(&s, &["x".into()]).unwrap();
        assert_eq!(o.portfolio.as_deref(), Some(s.portfolios[0].name.as_str()));
        assert_eq!(o.max_shortage, Some(0.05));
        assert_eq!(o.max_share, None);
        assert_eq!(o.run.paths, Some(DEFAULT_PATHS));
        assert_eq!(o.run.seed, None);
        assert_eq!(o.run.stress, ["x"]);
        assert_eq!(o.max_evaluations, DEFAULT_EVALUATIONS);
        // The request the worker gets is the engine's own type, as JSON.
        let json = serde_json::to_string(&o).unwrap();
        let back: OptimizeOptions = serde_json::from_str(&json).unwrap();
        assert_eq!(back.max_shortage, o.max_shortage);
    }

    #[test]
    fn every_problem_is_reported_by_field() {
        let s = scenario();
        let form = Form {
            max_shortage_pct: "120".into(),
            max_share_pct: "0".into(),
            paths: "12.5".into(),
            max_evaluations: "0".into(),
            ..Form::default()
        };
        let fields: Vec<&str> = form
            .optimize_options(&s, &[])
            .unwrap_err()
            .iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["max_shortage", "max_share", "paths", "max_evaluations"]
        );
        // The tornado only needs the paths.
        assert_eq!(form.sensitivity_options(&s, &[]).unwrap_err().len(), 1);
    }

    #[test]
    fn percentages_and_portfolios_are_read_leniently() {
        let s = scenario();
        let form = Form {
            portfolio: s.portfolios[1].name.clone(),
            max_shortage_pct: " 2.5 % ".into(),
            max_share_pct: "60".into(),
            paths: "1,000".into(),
            ..Form::default()
        };
        let o = form.optimize_options(&s, &[]).unwrap();
        assert_eq!(o.portfolio.as_deref(), Some(s.portfolios[1].name.as_str()));
        assert_eq!(o.max_shortage, Some(0.025));
        assert_eq!(o.max_share, Some(0.6));
        assert_eq!(o.run.paths, Some(1000));
        // A portfolio that was renamed or removed since: the first one.
        let gone = Form {
            portfolio: "renamed".into(),
            max_shortage_pct: String::new(),
            ..Form::default()
        };
        let t = gone.sensitivity_options(&s, &[]).unwrap();
        assert_eq!(t.portfolio.as_deref(), Some(s.portfolios[0].name.as_str()));
        assert_eq!(gone.optimize_options(&s, &[]).unwrap().max_shortage, None);
    }
}
