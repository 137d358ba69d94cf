//! The decision results: the optimizer's frontier, best portfolio and "Add to comparison"; the
//! tornado charts and their numbers. Every number is the engine's, formatted.

use std::sync::Arc;

use engine::decide::{Candidate, Objective, StopReason, SwingMetric};
use leptos::prelude::*;

use super::add;
use super::job::{Optimized, Swung, use_decide};
use crate::dashboard::chart_card::ChartCard;
use crate::dashboard::{MAX_SHOWN, format, use_view};
use crate::export;
use crate::state::use_state;

fn objective_name(o: Objective) -> &'static str {
    match o {
        Objective::Mean => "expected cost",
        Objective::Cvar95 => "CVaR95 of cost",
    }
}

fn limit(v: Option<f64>) -> String {
    v.map_or_else(|| "none".to_string(), format::pct)
}

/// A badge when the working scenario no longer poses the problem a result answered.
fn outdated(scenario: engine::Scenario) -> impl IntoView {
    let state = use_state();
    let stale = move || {
        state.checked.with(|c| {
            c.as_ref()
                .map_or(true, |now| !add::same_problem(&scenario, now))
        })
    };
    view! {
        <Show when=stale>
            <span class="badge stale" role="status" data-testid="decide-stale">
                "Outdated: the scenario changed since this was computed; run it again to update"
            </span>
        </Show>
    }
}

/// The optimizer's result, when there is one.
#[component]
pub fn OptimizerResults() -> impl IntoView {
    let decide = use_decide();
    move || {
        decide
            .optimized
            .get()
            .map(|o| view! { <Optimization o=o/> })
    }
}

#[component]
fn Optimization(o: Arc<Optimized>) -> impl IntoView {
    let view = use_view();
    let opt = &o.optimization;
    let stop = match opt.stop {
        StopReason::Converged => "converged: no neighbour at the finest step improves",
        StopReason::Budget => "stopped at the candidate budget",
    };
    let summary = format!(
        "From “{}”, minimizing {} with P(shortage) ≤ {} and any provider's share ≤ {}: {} \
         candidates in {} simulations ({stop}); seed {}, {} paths each, common random numbers.",
        opt.base_portfolio,
        objective_name(opt.objective),
        limit(opt.max_shortage),
        limit(opt.max_share),
        opt.evaluations,
        opt.batches,
        opt.seed,
        format::num(f64::from(opt.paths), 0),
    );
    let infeasible = (!opt.best.feasible).then(|| {
        view! {
            <p class="warn" role="status" data-testid="optimizer-infeasible">
                {format!(
                    "No candidate met the constraints; the one shown misses them by the least ({} over).",
                    format::pct(opt.best.violation)
                )}
            </p>
        }
    });
    let stem = export::file_stem(&opt.scenario_name);
    let chart_stem = stem.clone();
    let drawn = o.clone();
    let draw = move |w: u32, large: bool| {
        let h = ((f64::from(w) * 0.5) as u32).max(charts::MIN_SIZE.1 + 200);
        let n = drawn
            .scenario_report
            .as_ref()
            .map_or(0, |r| r.portfolios.len());
        let style = charts::Style::new(w, h).with_portfolios(view.visible(n));
        let style = if large { style.large() } else { style };
        let svg = charts::frontier(&drawn.optimization, drawn.scenario_report.as_ref(), &style);
        Some((style, svg))
    };
    let json = o.clone();
    let save_json = move |_| {
        export::download_text(
            &pretty(&json.optimization),
            "application/json",
            &format!("{stem}-optimization.json"),
        )
    };
    view! {
        <section class="panel decide-result" data-testid="optimizer-results"
            data-best-objective=opt.best.objective.to_string()
            data-evaluations=opt.evaluations.to_string()
        >
            <h3>"Optimizer"</h3>
            {outdated(o.scenario.clone())}
            <p class="muted">{summary}</p>
            {infeasible}
            <ChartCard testid="chart-frontier" title="Efficient frontier" file="frontier" stem=Signal::stored(chart_stem) draw=draw/>
            <BestPortfolio o=o.clone()/>
            <div class="actions">
                <button class="link" data-testid="optimizer-json" on:click=save_json title="The result as `headroom optimize --format json` prints it">"Result JSON"</button>
            </div>
        </section>
    }
}

/// Pretty JSON of the engine's result, exactly as the CLI's `--format json` prints it (same
/// types, same field order; floats round-trip exactly).
fn pretty<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

fn metric_rows(cs: [&Candidate; 2]) -> impl IntoView + use<> {
    let row = |label: &'static str, f: &dyn Fn(&Candidate) -> String| {
        let cells = cs.map(|c| view! { <td>{f(c)}</td> });
        view! { <tr><th scope="row">{label}</th>{cells}</tr> }
    };
    view! {
        {row("P(shortage over the horizon)", &|c| format!("{} {}", format::pct(c.shortage_probability), format::pct_se(c.shortage_probability_se)))}
        {row("Expected cost", &|c| format!("{} ± {}", format::money(c.mean_cost), format::money(c.mean_cost_se)))}
        {row("CVaR95 of cost", &|c| format!("{} ± {}", format::money(c.cvar95), format::money(c.cvar95_se)))}
        {row("Largest capacity share", &|c| format!("{} {}", format::pct(c.max_share), c.max_share_provider))}
        {row("Meets the constraints", &|c| if c.feasible { "yes".into() } else { "no".into() })}
    }
}

/// The start and the best side by side, then "Add to comparison".
#[component]
fn BestPortfolio(o: Arc<Optimized>) -> impl IntoView {
    let state = use_state();
    let opt = &o.optimization;
    let slots = opt
        .slots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let terms = format!(
                "weeks {}–{} at ${:.2}/GPU-h",
                s.start_week,
                s.start_week + s.term_weeks,
                s.price_per_gpu_hour
            );
            let gpus = |c: &Candidate| c.gpus.get(i).map_or_else(String::new, |g| format::num(*g, 0));
            let changed = opt.base.gpus.get(i) != opt.best.gpus.get(i);
            view! {
                <tr class:changed=changed>
                    <th scope="row">{s.provider.clone()} <span class="muted">{format!(" {terms}")}</span></th>
                    <td>{gpus(&opt.base)}</td>
                    <td>{gpus(&opt.best)}</td>
                </tr>
            }
        })
        .collect_view();
    let ordering = opt.best.target_percentile.map(|_| {
        let f = |v: Option<f64>| v.map_or_else(String::new, |x| format!("{x:.2}"));
        view! {
            <tr class="heading"><th colspan="3">"Ordering policy"</th></tr>
            <tr><th scope="row">"Target percentile"</th><td>{f(opt.base.target_percentile)}</td><td>{f(opt.best.target_percentile)}</td></tr>
            <tr><th scope="row">"Cover fraction"</th><td>{f(opt.base.cover_fraction)}</td><td>{f(opt.best.cover_fraction)}</td></tr>
        }
    });
    let metrics = metric_rows([&opt.base, &opt.best]);

    let added = RwSignal::new(None::<String>);
    let count = move || state.doc.with(add::portfolio_count);
    let best = opt.best_portfolio.clone();
    let wanted = best.name.clone();
    let on_add = move |_| {
        let mut name = None;
        state.doc.update(|d| name = add::add_portfolio(d, &best));
        added.set(name);
    };
    let full_before = move || added.with(Option::is_none) && count() >= MAX_SHOWN;
    let notice = move || {
        added.get().map(|name| {
            let n = count();
            let text = if n > MAX_SHOWN {
                format!(
                    "Added “{name}” to the scenario as portfolio {n}. The dashboard compares at most \
                     {MAX_SHOWN} portfolios side by side: tick “{name}” under “Portfolios shown” \
                     on the dashboard to see it."
                )
            } else {
                format!("Added “{name}” to the scenario; the dashboard is re-running with it.")
            };
            view! { <p class="ok" role="status" data-testid="added-notice">{text}</p> }
        })
    };
    view! {
        <div class="best" data-testid="best-portfolio">
            <table class="decide-table">
                <thead>
                    <tr><th scope="col">"Committed GPUs"</th><th scope="col">{format!("Start ({})", opt.base_portfolio)}</th><th scope="col">"Best"</th></tr>
                </thead>
                <tbody>
                    {slots}
                    {ordering}
                    <tr class="heading"><th colspan="3">"Results (same paths)"</th></tr>
                    {metrics}
                </tbody>
            </table>
            <p class="muted">
                {format!("Burst and emergency caps and the rest of the ordering policy are kept from “{}”.", opt.base_portfolio)}
            </p>
            <Show when=full_before>
                <p class="warn" role="status" data-testid="comparison-full">
                    {move || format!(
                        "The scenario already has {} portfolios, the most the dashboard compares side by side ({MAX_SHOWN}). The new one is added to the scenario, but you will have to pick it under “Portfolios shown” to see it.",
                        count()
                    )}
                </p>
            </Show>
            <div class="actions">
                <button
                    class="primary"
                    data-testid="add-to-comparison"
                    disabled=move || added.with(Option::is_some)
                    title=format!("Add “{wanted}” to the working scenario's portfolios")
                    on:click=on_add
                >
                    {move || if added.with(Option::is_some) { "Added to comparison" } else { "Add to comparison" }}
                </button>
            </div>
            {notice}
        </div>
    }
}

/// The tornado's result, when there is one.
#[component]
pub fn SensitivityResults() -> impl IntoView {
    let decide = use_decide();
    move || decide.swung.get().map(|t| view! { <Sensitivity t=t/> })
}

#[component]
fn Sensitivity(t: Arc<Swung>) -> impl IntoView {
    let tornado = &t.tornado;
    let summary = format!(
        "“{}”: each uncertain input swung to a low and a high setting with everything else at \
         base ({} simulations, seed {}, {} paths each). Base: P(shortage) {}, expected cost {}.",
        tornado.portfolio,
        tornado.runs,
        tornado.seed,
        format::num(f64::from(tornado.paths), 0),
        format::pct(tornado.base.shortage_probability),
        format::money(tornado.base.mean_cost),
    );
    let stem = export::file_stem(&tornado.scenario_name);
    let card = |metric: SwingMetric, testid: &'static str, file: &'static str| {
        let t = t.clone();
        let draw = move |w: u32, large: bool| {
            let rows = t.tornado.rows.len().clamp(1, charts::TORNADO_ROWS) as f64;
            let k = if large { 1.5 } else { 1.0 };
            let h = ((150.0 + 30.0 * rows) * k) as u32;
            let style = charts::Style::new(w, h.max(charts::MIN_SIZE.1));
            let style = if large { style.large() } else { style };
            let svg = charts::tornado(&t.tornado, metric, &style);
            Some((style, svg))
        };
        view! {
            <ChartCard testid=testid title=charts::tornado_title(metric) file=file stem=Signal::stored(stem.clone()) draw=draw/>
        }
    };
    let rows = tornado
        .rows
        .iter()
        .map(|r| {
            let values = format!("{} → {}", format::num(r.low_value, 2), format::num(r.high_value, 2));
            let rule = match r.rule.as_str() {
                "p10_p90" => "P10 → P90",
                "x0.5_x1.5" => "×0.5 → ×1.5",
                "x0.8_x1.2" => "×0.8 → ×1.2",
                other => other,
            }
            .to_string();
            view! {
                <tr>
                    <th scope="row"><code>{r.input.clone()}</code></th>
                    <td>{r.base.clone()}</td>
                    <td>{rule}</td>
                    <td>{values}</td>
                    <td>{format!("{} → {}", format::pct(r.low.shortage_probability), format::pct(r.high.shortage_probability))}</td>
                    <td>{format!("{} → {}", format::money(r.low.mean_cost), format::money(r.high.mean_cost))}</td>
                    <td>{format!("{:.1} pp", r.shortage_swing * 100.0)}</td>
                    <td>{format::money(r.cost_swing)}</td>
                </tr>
            }
        })
        .collect_view();
    let json = t.clone();
    let json_stem = stem.clone();
    let save_json = move |_| {
        export::download_text(
            &pretty(&json.tornado),
            "application/json",
            &format!("{json_stem}-sensitivity.json"),
        )
    };
    view! {
        <section class="panel decide-result" data-testid="sensitivity-results" data-rows=tornado.rows.len().to_string()>
            <h3>"Sensitivity"</h3>
            {outdated(t.scenario.clone())}
            <p class="muted">{summary}</p>
            {card(SwingMetric::Shortage, "chart-tornado-shortage", "tornado-shortage")}
            {card(SwingMetric::Cost, "chart-tornado-cost", "tornado-cost")}
            <div class="table-scroll">
                <table class="decide-table" data-testid="tornado-table">
                    <thead>
                        <tr>
                            <th scope="col">"Input"</th>
                            <th scope="col">"Base setting"</th>
                            <th scope="col">"Swing"</th>
                            <th scope="col">"Low → high"</th>
                            <th scope="col">"P(shortage)"</th>
                            <th scope="col">"Expected cost"</th>
                            <th scope="col">"Shortage swing"</th>
                            <th scope="col">"Cost swing"</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <div class="actions">
                <button class="link" data-testid="sensitivity-json" on:click=save_json title="The result as `headroom sensitivity --format json` prints it">"Result JSON"</button>
            </div>
        </section>
    }
}
