//! The results dashboard: run status, a KPI card per portfolio, the six charts and the paired
//! comparisons. Every number shown comes from the engine's report.

pub mod chart_card;
pub mod chart_grid;
pub mod format;
pub mod kpi;

use leptos::prelude::*;

use crate::runner::{Gate, RunState, use_runner};
use crate::state::use_state;

/// Most KPI cards side by side (the charts' own limit too).
pub const MAX_SHOWN: usize = ::charts::MAX_PORTFOLIOS;

/// What the dashboard shows, shared with presentation mode's keys.
#[derive(Clone, Copy)]
pub struct ViewState {
    /// Report indices of the portfolios shown (at most [`MAX_SHOWN`]).
    pub shown: RwSignal<Vec<usize>>,
    /// The portfolio highlighted in presentation mode.
    pub highlight: RwSignal<Option<usize>>,
    /// Bumped on window resize so charts re-measure their containers.
    pub resize: RwSignal<u32>,
}

impl ViewState {
    pub fn new() -> Self {
        ViewState {
            shown: RwSignal::new((0..MAX_SHOWN).collect()),
            highlight: RwSignal::new(None),
            resize: RwSignal::new(0),
        }
    }

    /// The shown indices that exist in a report with `count` portfolios.
    pub fn visible(&self, count: usize) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .shown
            .with(|s| s.iter().copied().filter(|&i| i < count).collect());
        if v.is_empty() {
            v = (0..count.min(MAX_SHOWN)).collect();
        }
        v
    }
}

impl Default for ViewState {
    fn default() -> Self {
        Self::new()
    }
}

pub fn use_view() -> ViewState {
    expect_context::<ViewState>()
}

/// The results root: `data-testid="results"` with `data-state`, `data-digest`, `data-stale`.
#[component]
pub fn Dashboard() -> impl IntoView {
    let state = use_state();
    let runner = use_runner();
    let view = use_view();
    let status = runner.status;
    let report = runner.report;

    let run_state = move || status.with(|s| s.state.as_str());
    let digest = move || report.with(|r| r.as_ref().map(|r| r.digest.clone()).unwrap_or_default());
    let invalid = move || state.checked.with(|c| c.is_err()) && report.with(|r| r.is_some());
    let stale = move || invalid() || (runner.outdated.get() && report.with(|r| r.is_some()));
    let running = move || status.with(|s| s.state == RunState::Running);

    // A new report with a different portfolio count resets the selection.
    Effect::new(move |prev: Option<usize>| {
        let n = report.with(|r| r.as_ref().map_or(0, |r| r.portfolios.len()));
        if prev.is_some_and(|p| p != n) {
            view.shown.set((0..n.min(MAX_SHOWN)).collect());
            view.highlight.set(None);
        }
        n
    });

    view! {
        <section
            class="results"
            data-testid="results"
            data-state=run_state
            data-digest=digest
            data-stale=move || stale().to_string()
            data-run-id=move || status.with(|s| s.id.to_string())
            data-paths=move || status.with(|s| s.paths.to_string())
            data-engine-ms=move || status.with(|s| s.engine_ms.map(|ms| format!("{ms:.1}")))
            data-highlight=move || view.highlight.get().map(|i| i.to_string()).unwrap_or_default()
            aria-busy=move || running().to_string()
        >
            <div class="runbar">
                <div class="runinfo">
                    <h2 class="scenario-name">
                        {move || report.with(|r| r.as_ref().map(|r| r.scenario_name.clone()).unwrap_or_else(|| "Waiting for the first result…".into()))}
                    </h2>
                    <span class="meta" data-testid="run-meta">
                        {move || report.with(|r| r.as_ref().map(|r| {
                            let stress = if r.stress.is_empty() { "no stress test".to_string() } else { format!("stress: {}", r.stress.join(", ")) };
                            format!("seed {} · {} paths · {} weeks · {stress}", r.seed, format::num(f64::from(r.paths), 0), r.horizon_weeks)
                        }).unwrap_or_default())}
                    </span>
                    <Show when=stale>
                        <span class="badge stale" role="status" data-testid="stale">
                            {move || if invalid() {
                                "Stale: the scenario has errors; showing the last valid result"
                            } else {
                                "Stale: showing the last result, not of the current scenario"
                            }}
                        </span>
                    </Show>
                </div>
                <div class="progress" class:active=running>
                    <progress
                        max="1"
                        value=move || status.with(|s| s.fraction())
                        aria-label="Simulation progress"
                    ></progress>
                    <span class="progress-label">
                        {move || status.with(|s| match s.state {
                            RunState::Idle => "starting…".to_string(),
                            RunState::Running if s.total == 0 => "starting…".to_string(),
                            RunState::Running => format!("{} paths · {}/{} chunks", format::num(f64::from(s.paths), 0), s.done, s.total),
                            RunState::Done => format!("done · {} paths", format::num(f64::from(s.paths), 0)),
                            RunState::Cancelled => format!("cancelled at {} paths", format::num(f64::from(s.paths), 0)),
                            RunState::Error => "error".to_string(),
                        })}
                    </span>
                    <button
                        class="secondary"
                        data-testid="cancel"
                        disabled=move || !running()
                        on:click=move |_| runner.cancel()
                    >
                        "Cancel"
                    </button>
                    <button
                        class="secondary"
                        title="Run again"
                        disabled=move || running() || state.checked.with(|c| c.is_err())
                        on:click=move |_| runner.start_now(state)
                    >
                        "Re-run"
                    </button>
                </div>
            </div>
            <RunErrors/>
            <RunGate/>
            <kpi::KpiRow/>
            <chart_grid::ChartGrid/>
            <Comparisons/>
        </section>
    }
}

/// Errors of the run itself (the engine refused the scenario or a run failed).
#[component]
fn RunErrors() -> impl IntoView {
    let runner = use_runner();
    move || {
        runner.status.with(|s| {
            (s.state == RunState::Error).then(|| {
                let items = s
                    .errors
                    .iter()
                    .map(|d| {
                        let text = match &d.hint {
                            Some(h) => format!("{}: {} ({h})", d.path, d.message),
                            None => format!("{}: {}", d.path, d.message),
                        };
                        view! { <li>{text}</li> }
                    })
                    .collect_view();
                view! {
                    <div class="panel error" role="alert">
                        <h3>"The run failed"</h3>
                        <ul>{items}</ul>
                    </div>
                }
            })
        })
    }
}

fn mib(bytes: u64) -> String {
    format!(
        "{} MB",
        format::num(bytes as f64 / f64::from(1u32 << 20), 0)
    )
}

/// A run over the engine's budgets: refused outright (memory, paths), or waiting for the user
/// to confirm a long run.
#[component]
fn RunGate() -> impl IntoView {
    let state = use_state();
    let runner = use_runner();
    move || {
        match runner.gate.get()? {
        Gate::Refused(size) => Some(
            view! {
                <div class="panel error" role="alert" data-testid="run-refused">
                    <h3>"This run is too large for the browser"</h3>
                    <p>
                        {format!(
                            "{} paths (limit {}); estimated memory {} (limit {}). Reduce the paths, the horizon or the number of portfolios.",
                            format::num(f64::from(size.paths), 0),
                            format::num(f64::from(engine::MAX_PATHS), 0),
                            mib(size.memory_bytes),
                            mib(size.memory_limit),
                        )}
                    </p>
                </div>
            }
            .into_any(),
        ),
        Gate::Confirm(size) => {
            let cancel_ref = NodeRef::<leptos::html::Button>::new();
            Effect::new(move |_| {
                if let Some(b) = cancel_ref.get() {
                    let _ = b.focus();
                }
            });
            let keydown = move |e: leptos::ev::KeyboardEvent| {
                if e.key() == "Escape" {
                    // Declines the run only, without also leaving presentation mode.
                    e.prevent_default();
                    e.stop_propagation();
                    runner.decline();
                }
            };
            Some(
                view! {
                    <div
                        class="panel confirm"
                        role="alertdialog"
                        aria-labelledby="confirm-large-title"
                        aria-describedby="confirm-large-text"
                        data-testid="confirm-large"
                        on:keydown=keydown
                    >
                        <h3 id="confirm-large-title">"Run a large simulation?"</h3>
                        <p id="confirm-large-text">
                            {format!(
                                "This run needs {} units of work, {:.1}x the usual budget of {} ({} paths x {} weeks; estimated memory {}). It may take minutes; you can cancel it at any time.",
                                format::num(size.work as f64, 0),
                                size.work as f64 / size.limit as f64,
                                format::num(size.limit as f64, 0),
                                format::num(f64::from(size.paths), 0),
                                size.weeks,
                                mib(size.memory_bytes),
                            )}
                        </p>
                        <div class="actions">
                            <button class="primary" data-testid="confirm-run" on:click=move |_| runner.start(state, true)>"Run anyway"</button>
                            <button class="secondary" data-testid="confirm-cancel" node_ref=cancel_ref on:click=move |_| runner.decline()>"Cancel"</button>
                        </div>
                    </div>
                }
                .into_any(),
            )
        }
    }
    }
}

/// The paired comparisons (common random numbers) table (also shown alone by an embed).
#[component]
pub fn Comparisons() -> impl IntoView {
    let runner = use_runner();
    let view = use_view();
    move || {
        runner.report.with(|r| {
            let r = r.as_ref()?;
            if r.comparisons.is_empty() {
                return None;
            }
            let highlighted = view
                .highlight
                .get()
                .and_then(|i| r.portfolios.get(i))
                .map(|p| p.name.clone());
            let rows = r
                .comparisons
                .iter()
                .map(|c| {
                    let hl = highlighted
                        .as_ref()
                        .is_some_and(|h| *h == c.a || *h == c.b);
                    view! {
                        <tr class:highlight=hl>
                            <th scope="row">{c.a.clone()} <span class="vs">" vs "</span> {c.b.clone()}</th>
                            <td>{format::pct(c.p_a_cheaper)} <span class="se">{format::pct_se(c.p_a_cheaper_se)}</span></td>
                            <td>{format::pct(c.p_a_fewer_shortage_weeks)} <span class="se">{format::pct_se(c.p_a_fewer_shortage_weeks_se)}</span></td>
                            <td>{format::money(c.mean_cost_difference)} <span class="se">{format!("± {}", format::money(c.mean_cost_difference_se))}</span></td>
                        </tr>
                    }
                })
                .collect_view();
            Some(view! {
                <div class="panel comparisons" data-testid="comparisons">
                    <h3>"Paired comparisons"<span class="sub">" same random draws for every portfolio"</span></h3>
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"A vs B"</th>
                                <th scope="col">"P(A cheaper)"</th>
                                <th scope="col">"P(A fewer shortage weeks)"</th>
                                <th scope="col">"Mean cost A − B"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            })
        })
    }
}
