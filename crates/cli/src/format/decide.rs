//! Tables for the optimizer and the tornado, and their JSON (the engine's structs as they are).

use super::grid::Grid;
use super::human::{count, int, money, pct, pm};
use engine::decide::{Candidate, Objective, Optimization, Tornado};

/// Pretty JSON of any engine result; plain data cannot fail to serialize.
pub fn json<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value)
        .unwrap_or_else(|e| serde_json::json!({ "error": e.to_string() }).to_string());
    text.push('\n');
    text
}

fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Mean => "mean cost",
        Objective::Cvar95 => "CVaR95 of cost",
    }
}

pub fn optimization(o: &Optimization) -> String {
    let limit = |v: Option<f64>| v.map_or("none".to_string(), pct);
    let stop = match o.stop {
        engine::decide::StopReason::Converged => "converged",
        engine::decide::StopReason::Budget => "stopped at the evaluation budget",
    };
    let mut out = format!(
        "Scenario     {}\n\
         Start        {}    minimize {}    seed {}    {} paths\n\
         Constraints  P(shortage) <= {}    any provider's capacity share <= {}\n\
         Search       {} candidates in {} simulations, common random numbers ({stop})\n\n",
        o.scenario_name,
        o.base_portfolio,
        objective_name(o.objective),
        o.seed,
        int(u64::from(o.paths)),
        limit(o.max_shortage),
        limit(o.max_share),
        o.evaluations,
        o.batches,
    );
    let mut g = Grid::new(vec!["".into(), "Start".into(), "Best".into()]);
    g.heading("Committed GPUs");
    for (i, s) in o.slots.iter().enumerate() {
        g.row(
            format!(
                "{} (weeks {}-{}, {}/h)",
                s.provider,
                s.start_week,
                s.start_week + s.term_weeks,
                money(s.price_per_gpu_hour)
            ),
            vec![count(o.base.gpus[i]), count(o.best.gpus[i])],
        );
    }
    if o.best.target_percentile.is_some() {
        g.heading("Ordering policy");
        let f = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.2}"));
        g.row(
            "Target percentile",
            vec![f(o.base.target_percentile), f(o.best.target_percentile)],
        );
        g.row(
            "Cover fraction",
            vec![f(o.base.cover_fraction), f(o.best.cover_fraction)],
        );
    }
    g.heading("Results");
    metrics(&mut g, &[&o.base, &o.best]);
    out.push_str(&g.render());

    out.push_str("\nEfficient frontier (no candidate is both cheaper and safer)\n");
    let mut f = Grid::new(
        [
            "P(shortage)",
            "Mean cost",
            "CVaR95",
            "Max share",
            "Committed GPUs",
        ]
        .map(String::from)
        .to_vec(),
    );
    for c in &o.frontier {
        let gpus: Vec<String> = c.gpus.iter().map(|&x| count(x)).collect();
        f.row(
            pm(c.shortage_probability, c.shortage_probability_se, pct),
            vec![
                money(c.mean_cost),
                money(c.cvar95),
                pct(c.max_share),
                gpus.join(" / "),
            ],
        );
    }
    out.push_str(&f.render());
    out.push_str(&format!(
        "\nBest portfolio (add it to the scenario):\n\n{}",
        engine::decide::portfolio_toml(&o.best_portfolio)
    ));
    out
}

fn metrics(g: &mut Grid, cs: &[&Candidate]) {
    let row = |g: &mut Grid, label: &str, f: &dyn Fn(&Candidate) -> String| {
        g.row(label, cs.iter().map(|c| f(c)).collect());
    };
    row(g, "P(shortage over horizon)", &|c| {
        pm(c.shortage_probability, c.shortage_probability_se, pct)
    });
    row(g, "Mean cost", &|c| pm(c.mean_cost, c.mean_cost_se, money));
    row(g, "CVaR95", &|c| pm(c.cvar95, c.cvar95_se, money));
    row(g, "Largest capacity share", &|c| {
        format!("{} {}", pct(c.max_share), c.max_share_provider)
    });
    row(g, "Meets constraints", &|c| {
        if c.feasible { "yes" } else { "no" }.to_string()
    });
}

pub fn tornado(t: &Tornado) -> String {
    let mut out = format!(
        "Scenario   {}\n\
         Portfolio  {}    seed {}    {} paths    {} runs on the same seed\n\
         Base       P(shortage) {}    mean cost {}\n\n",
        t.scenario_name,
        t.portfolio,
        t.seed,
        int(u64::from(t.paths)),
        t.runs,
        pm(
            t.base.shortage_probability,
            t.base.shortage_probability_se,
            pct
        ),
        pm(t.base.mean_cost, t.base.mean_cost_se, money),
    );
    let mut g = Grid::new(
        [
            "Input (largest swing first)",
            "Swing",
            "Low",
            "High",
            "P(short) low",
            "P(short) high",
            "Cost low",
            "Cost high",
        ]
        .map(String::from)
        .to_vec(),
    );
    for r in &t.rows {
        let rule = match r.rule.as_str() {
            "p10_p90" => "P10/P90",
            "x0.5_x1.5" => "x0.5/x1.5",
            "x0.8_x1.2" => "x0.8/x1.2",
            other => other,
        };
        g.row(
            r.input.clone(),
            vec![
                rule.to_string(),
                count(r.low_value),
                count(r.high_value),
                pct(r.low.shortage_probability),
                pct(r.high.shortage_probability),
                money(r.low.mean_cost),
                money(r.high.mean_cost),
            ],
        );
    }
    out.push_str(&g.render());
    out.push_str(
        "Each input is swung with everything else at base. Distributions: fixed at their P10 and\n\
         P90; rates, volatility, correlation: x0.5 and x1.5; prices: x0.8 and x1.2.\n",
    );
    out
}
