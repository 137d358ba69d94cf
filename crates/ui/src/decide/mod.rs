//! Decision support in the browser: the "Decide" tab beside the dashboard, where the engine's
//! optimizer finds the cheapest portfolio that meets a shortage target (its efficient frontier
//! drawn against the scenario's own portfolios, the best one a click away from the comparison),
//! and its sensitivity analysis ranks the uncertain inputs in tornado charts.
//!
//! The jobs run in a Web Worker of their own (`job.rs`), so the dashboard keeps re-running live
//! while an optimization takes its time. Every number shown is the engine's.

pub mod add;
pub mod form;
pub mod job;
mod results;

use leptos::prelude::*;

use crate::dashboard::use_view;
use crate::state::use_state;
use engine::decide::Objective;
use form::{Form, FormError};
use job::{Decide, JobKind, JobState, JobStatus, use_decide};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tab {
    Dashboard,
    Decide,
}

/// The view switcher: the dashboard (`children`) and the Decide panel, each kept mounted (a
/// switch keeps both views' state) and hidden while the other is shown.
#[component]
pub fn Tabs(children: Children) -> impl IntoView {
    let decide = Decide::new();
    provide_context(decide);
    let view = use_view();
    let tab = RwSignal::new(Tab::Dashboard);
    let show = move |t: Tab| {
        tab.set(t);
        // A hidden pane's charts measured nothing: measure again once it is laid out.
        request_animation_frame(move || view.resize.update(|n| *n += 1));
    };
    let decide_label = move || {
        decide.status.with(|s| {
            if s.running() {
                format!("Decide ({:.0}%)", s.fraction() * 100.0)
            } else {
                "Decide".to_string()
            }
        })
    };
    let tab_button = move |t: Tab, id: &'static str, testid: &'static str| {
        view! {
            <button
                role="tab"
                id=id
                class="tab"
                data-testid=testid
                aria-selected=move || (tab.get() == t).to_string()
                aria-controls=if t == Tab::Dashboard { "pane-dashboard" } else { "pane-decide" }
                on:click=move |_| show(t)
            >
                {move || if t == Tab::Dashboard { "Dashboard".to_string() } else { decide_label() }}
            </button>
        }
    };
    view! {
        <div class="tabs" role="tablist" aria-label="Views">
            {tab_button(Tab::Dashboard, "tab-dashboard", "tab-dashboard")}
            {tab_button(Tab::Decide, "tab-decide", "tab-decide")}
        </div>
        <div id="pane-dashboard" role="tabpanel" aria-labelledby="tab-dashboard" class="pane" hidden=move || tab.get() != Tab::Dashboard>
            {children()}
        </div>
        <div id="pane-decide" role="tabpanel" aria-labelledby="tab-decide" class="pane" hidden=move || tab.get() != Tab::Decide>
            <DecidePanel/>
        </div>
    }
}

/// The form, the Run/Cancel buttons with progress, and the results.
#[component]
fn DecidePanel() -> impl IntoView {
    let state = use_state();
    let decide = use_decide();
    let form = RwSignal::new(Form::default());
    let errors = RwSignal::new(Vec::<FormError>::new());
    let valid = move || state.checked.with(|c| c.is_ok());
    let running = move || decide.status.with(JobStatus::running);
    let names = move || {
        state.checked.with(|c| {
            c.as_ref()
                .map(|s| {
                    s.portfolios
                        .iter()
                        .map(|p| p.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };

    let start = move |kind: JobKind| {
        let Ok(scenario) = state.checked.get_untracked() else {
            return;
        };
        let stress = state.stress.get_untracked();
        let f = form.get_untracked();
        let outcome = match kind {
            JobKind::Optimize => f
                .optimize_options(&scenario, &stress)
                .map(|o| decide.optimize(&scenario, &o)),
            JobKind::Sensitivity => f
                .sensitivity_options(&scenario, &stress)
                .map(|o| decide.sensitivity(&scenario, &o)),
        };
        errors.set(outcome.err().unwrap_or_default());
    };

    let text_field = move |field: &'static str,
                           label: &'static str,
                           hint: &'static str,
                           get: fn(&Form) -> &String,
                           set: fn(&mut Form, String)| {
        let error = move || {
            errors.with(|e| {
                e.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.clone())
            })
        };
        view! {
            <label class="field" class:invalid=move || error().is_some()>
                <span class="label">{label}</span>
                <input
                    type="text"
                    inputmode="decimal"
                    data-field=field
                    placeholder=hint
                    prop:value=move || form.with(|f| get(f).clone())
                    on:input=move |e| form.update(|f| set(f, event_target_value(&e)))
                />
                {move || error().map(|m| view! { <span class="error-text">{m}</span> })}
            </label>
        }
    };

    let portfolio_options = move || {
        names()
            .into_iter()
            .map(|n| view! { <option value=n.clone()>{n.clone()}</option> })
            .collect_view()
    };
    let progress_label = move || {
        decide.status.with(|s| {
            let what = match s.kind {
                JobKind::Optimize => "Optimizer",
                JobKind::Sensitivity => "Sensitivity",
            };
            match s.state {
                JobState::Idle => String::new(),
                JobState::Running if s.total == 0 => format!("{what}: starting…"),
                JobState::Running => match s.kind {
                    JobKind::Optimize => {
                        format!("{what}: {} of up to {} candidates", s.done, s.total)
                    }
                    JobKind::Sensitivity => {
                        format!("{what}: {} of {} simulations", s.done, s.total)
                    }
                },
                JobState::Done => format!("{what}: done"),
                JobState::Cancelled => format!("{what}: cancelled"),
                JobState::Error => format!("{what}: failed"),
            }
        })
    };
    let job_errors = move || {
        decide.status.with(|s| {
            (s.state == JobState::Error).then(|| {
                let items = s
                    .errors
                    .iter()
                    .map(|d| {
                        let text = match (&d.path, &d.hint) {
                            (p, Some(h)) if !p.is_empty() => format!("{p}: {} ({h})", d.message),
                            (p, None) if !p.is_empty() => format!("{p}: {}", d.message),
                            (_, Some(h)) => format!("{} ({h})", d.message),
                            (_, None) => d.message.clone(),
                        };
                        view! { <li>{text}</li> }
                    })
                    .collect_view();
                view! {
                    <div class="panel error" role="alert" data-testid="decide-error">
                        <h3>"The job failed"</h3>
                        <ul>{items}</ul>
                    </div>
                }
            })
        })
    };

    view! {
        <section
            class="panel decide"
            data-testid="decide"
            data-state=move || decide.status.with(|s| s.state.as_str())
            data-kind=move || decide.status.with(|s| match s.kind { JobKind::Optimize => "optimize", JobKind::Sensitivity => "sensitivity" })
            data-done=move || decide.status.with(|s| s.done.to_string())
            data-total=move || decide.status.with(|s| s.total.to_string())
            aria-busy=move || running().to_string()
        >
            <h2>"Decide"</h2>
            <p class="muted">
                "The optimizer resizes the chosen portfolio's contracts (and may add providers it \
                 does not use) to minimize expected cost or CVaR95, subject to a shortage target \
                 and a cap on any provider's share; every candidate runs on the same paths. The \
                 sensitivity analysis swings each uncertain input low and high for that portfolio. \
                 Both use the scenario's seed and the stress tests ticked above."
            </p>
            <div class="decide-form" data-testid="decide-form">
                <label class="field">
                    <span class="label">"Portfolio"</span>
                    <select
                        data-field="portfolio"
                        prop:value=move || {
                            let chosen = form.with(|f| f.portfolio.clone());
                            let names = names();
                            if names.contains(&chosen) { chosen } else { names.first().cloned().unwrap_or_default() }
                        }
                        on:change=move |e| form.update(|f| f.portfolio = event_target_value(&e))
                    >
                        {portfolio_options}
                    </select>
                </label>
                <label class="field">
                    <span class="label">"Objective"</span>
                    <select
                        data-field="objective"
                        prop:value=move || form.with(|f| match f.objective { Objective::Mean => "mean", Objective::Cvar95 => "cvar95" })
                        on:change=move |e| form.update(|f| f.objective = if event_target_value(&e) == "cvar95" { Objective::Cvar95 } else { Objective::Mean })
                    >
                        <option value="mean">"Expected cost"</option>
                        <option value="cvar95">"CVaR95 (mean of the worst 5%)"</option>
                    </select>
                </label>
                {text_field("max_shortage", "Max P(shortage) %", "no target", |f| &f.max_shortage_pct, |f, v| f.max_shortage_pct = v)}
                {text_field("max_share", "Max provider share %", "no cap", |f| &f.max_share_pct, |f, v| f.max_share_pct = v)}
                {text_field("paths", "Paths per evaluation", "2000", |f| &f.paths, |f, v| f.paths = v)}
                {text_field("max_evaluations", "Max candidates", "300", |f| &f.max_evaluations, |f, v| f.max_evaluations = v)}
                <label class="check">
                    <input
                        type="checkbox"
                        data-field="add_providers"
                        prop:checked=move || form.with(|f| f.add_providers)
                        on:change=move |e| form.update(|f| f.add_providers = event_target_checked(&e))
                    />
                    "May add providers the portfolio does not use"
                </label>
            </div>
            <div class="decide-actions">
                <button class="primary" data-testid="optimize-run" disabled=move || running() || !valid() on:click=move |_| start(JobKind::Optimize)>
                    "Find the best portfolio"
                </button>
                <button class="secondary" data-testid="sensitivity-run" disabled=move || running() || !valid() on:click=move |_| start(JobKind::Sensitivity)>
                    "Sensitivity (tornado)"
                </button>
                <div class="progress" class:active=running>
                    <progress
                        max="1"
                        data-testid="decide-progress"
                        value=move || decide.status.with(JobStatus::fraction)
                        aria-label="Decision job progress"
                    ></progress>
                    <span class="progress-label" data-testid="decide-progress-label">{progress_label}</span>
                    <button class="secondary" data-testid="decide-cancel" disabled=move || !running() on:click=move |_| decide.cancel()>
                        "Cancel"
                    </button>
                </div>
            </div>
            <Show when=move || !valid()>
                <p class="warn" role="status">"Fix the scenario's problems first: only a valid scenario can be optimized."</p>
            </Show>
            {job_errors}
            <results::OptimizerResults/>
            <results::SensitivityResults/>
        </section>
    }
}
