//! Embed mode: `index.html?embed=<what>#hr1.…` shows one chart, one portfolio's KPI card or
//! the comparisons table of the linked scenario, filling its iframe, with a line of chrome
//! (the scenario's name and "Open in Headroom").
//!
//! The same bundle as the app, so it works from any sub-path and under the strict CSP. It
//! reads and writes no storage: an embed on a wiki page must not touch the reader's own
//! working scenario (the autosave belongs to the app). Like the app, the results root carries
//! `data-testid="results"` with `data-state` and `data-digest`.

use leptos::prelude::*;

use super::browser;
use super::open::{self, LINK_ORIGIN, Opened};
use super::target::{self, EmbedError, EmbedTarget};
use super::urls;
use crate::dashboard::chart_grid::Spec;
use crate::dashboard::kpi::KpiCard;
use crate::dashboard::{Comparisons, ViewState, use_view};
use crate::runner::{Gate, RunState, Runner, use_runner};
use crate::state::{AppState, Origin};

/// The embed target of this page's address, or `None` when the page is the app.
pub fn requested() -> Option<Result<EmbedTarget, EmbedError>> {
    target::from_query(&browser::search())
}

/// Mounts the embed view instead of the app.
pub fn start(target: Result<EmbedTarget, EmbedError>) {
    leptos::mount::mount_to_body(move || view! { <EmbedApp target/> });
}

/// "Open in Headroom": the app with the same link.
fn open_url() -> String {
    let hash = browser::hash();
    format!("{}{hash}", urls::page_base(&browser::href()))
}

#[component]
fn EmbedApp(target: Result<EmbedTarget, EmbedError>) -> impl IntoView {
    if let Some(root) = document().document_element() {
        let _ = root.class_list().add_1("embed");
        // Each kind scales its type to the frame differently (web/share.css).
        let kind = match &target {
            Ok(EmbedTarget::Chart(_)) => "embed-is-chart",
            Ok(EmbedTarget::Kpi(_)) => "embed-is-kpi",
            Ok(EmbedTarget::Comparisons) => "embed-is-comparisons",
            Err(_) => "embed-is-failed",
        };
        let _ = root.class_list().add_1(kind);
    }
    // A new link in the address is a new embed: start over rather than mixing states.
    let _ = window_event_listener_untyped("hashchange", |_| {
        let _ = window().location().reload();
    });
    let opened = match open::fragment_link(&browser::hash()) {
        None => Err(
            "This embed carries no scenario: its address must end with #hr1.… (copy \
                     the embed code from Headroom's Embed… button)."
                .to_string(),
        ),
        Some(link) => link
            .map_err(|e| format!("This embed's link cannot be opened: {e}."))
            .and_then(|link| {
                open::prepare(link, engine::ENGINE_VERSION)
                    .map_err(|e| format!("This embed's link cannot be opened: {e}."))
            }),
    };
    match (target, opened) {
        (Ok(target), Ok(opened)) => view! { <EmbedView target opened/> }.into_any(),
        (Err(e), _) => failed(e.to_string()).into_any(),
        (_, Err(e)) => failed(e).into_any(),
    }
}

/// An embed that cannot show anything: says why, as the results root in the error state.
fn failed(message: String) -> impl IntoView {
    view! {
        <section class="results embed" data-testid="results" data-state="error" data-digest="">
            <p class="embed-error" role="alert" data-testid="embed-error">{message}</p>
            <a class="embed-open" href=open_url() target="_blank" rel="noopener">"Open Headroom"</a>
        </section>
    }
}

#[component]
fn EmbedView(target: EmbedTarget, opened: Opened) -> impl IntoView {
    let state = AppState::new(Origin {
        name: LINK_ORIGIN.into(),
        doc: opened.doc.clone(),
    });
    state.stress.set(opened.stress.clone());
    provide_context(state);
    let runner = Runner::new(state);
    provide_context(runner);
    let view = ViewState::new();
    provide_context(view);
    crate::app::install_title(state);
    let _ = window_event_listener(leptos::ev::resize, move |_| view.resize.update(|n| *n += 1));

    let status = runner.status;
    let report = runner.report;
    let digest = move || report.with(|r| r.as_ref().map(|r| r.digest.clone()).unwrap_or_default());
    let invalid = move || state.checked.with(|c| c.is_err());
    let stale = move || runner.outdated.get() && report.with(|r| r.is_some());
    let running = move || status.with(|s| s.state == RunState::Running);
    let name = opened.name().unwrap_or("Headroom").to_owned();
    let mismatch = opened.mismatch.map(|m| {
        view! {
            <p class="embed-notice" role="note" data-testid="link-engine-notice">
                {format!("Different engine version: {m}.")}
            </p>
        }
    });

    let problem = move || {
        if invalid() {
            let n = state.checked.with(|c| c.as_ref().err().map_or(0, Vec::len));
            return Some(format!(
                "The scenario in this link has {n} problem(s); open it in Headroom to see them."
            ));
        }
        if let Some(gate) = runner.gate.get() {
            return Some(match gate {
                Gate::Refused(_) => "This scenario is too large to run in a browser.".into(),
                Gate::Confirm(_) => "This scenario is too large to run in an embed; open it in \
                                     Headroom to run it."
                    .into(),
            });
        }
        status.with(|s| {
            (s.state == RunState::Error).then(|| {
                let why = s
                    .errors
                    .iter()
                    .map(|d| format!("{} {}", d.path, d.message).trim().to_owned())
                    .collect::<Vec<_>>()
                    .join("; ");
                format!("The run failed: {why}")
            })
        })
    };

    let body = match target {
        EmbedTarget::Chart(name) => match target::chart(name) {
            Some(spec) => view! { <EmbedChart spec/> }.into_any(),
            None => view! { <p>"Unknown chart."</p> }.into_any(),
        },
        EmbedTarget::Kpi(index) => view! { <EmbedKpi index/> }.into_any(),
        EmbedTarget::Comparisons => view! { <EmbedComparisons/> }.into_any(),
    };

    view! {
        <section
            class="results embed"
            class:running=running
            data-testid="results"
            data-embed=target.param()
            data-state=move || status.with(|s| s.state.as_str())
            data-digest=digest
            data-stale=move || stale().to_string()
            data-paths=move || status.with(|s| s.paths.to_string())
            aria-busy=move || running().to_string()
        >
            <header class="embed-head">
                <span class="embed-title">{name}</span>
                <progress
                    class="embed-progress"
                    max="1"
                    value=move || status.with(|s| s.fraction())
                    aria-label="Simulation progress"
                ></progress>
                <a class="embed-open" data-testid="embed-open-app" href=open_url() target="_blank" rel="noopener">
                    "Open in Headroom"
                </a>
            </header>
            {mismatch}
            {move || problem().map(|p| view! { <p class="embed-error" role="alert" data-testid="embed-error">{p}</p> })}
            <div class="embed-body">{body}</div>
        </section>
    }
}

/// One chart drawn at the size of the iframe's remaining space (re-measured on resize).
#[component]
fn EmbedChart(spec: &'static Spec) -> impl IntoView {
    let runner = use_runner();
    let view = use_view();
    let frame = NodeRef::<leptos::html::Div>::new();
    let size = RwSignal::new((0u32, 0u32));
    Effect::new(move |_| {
        view.resize.track();
        let measure = move || {
            if let Some(el) = frame.get_untracked() {
                let w = u32::try_from(el.client_width()).unwrap_or(0);
                let h = u32::try_from(el.client_height()).unwrap_or(0);
                if w > 0 && h > 0 && (w, h) != size.get_untracked() {
                    size.set((w, h));
                }
            }
        };
        measure();
        request_animation_frame(measure);
    });
    let draw = spec.draw;
    let svg = Memo::new(move |_| {
        let (w, h) = size.get();
        if w == 0 {
            return String::new();
        }
        let style = ::charts::Style::new(w.max(::charts::MIN_SIZE.0), h.max(::charts::MIN_SIZE.1));
        runner
            .report
            .with(|r| r.as_ref().map(|r| draw(r, &style)))
            .unwrap_or_default()
    });
    view! {
        <div
            class="embed-chart"
            data-testid=spec.testid
            node_ref=frame
            role="img"
            aria-label=spec.title
            inner_html=move || svg.get()
        ></div>
    }
}

/// One portfolio's KPI card, or why it is missing.
#[component]
fn EmbedKpi(index: usize) -> impl IntoView {
    let runner = use_runner();
    let count = Memo::new(move |_| {
        runner
            .report
            .with(|r| r.as_ref().map(|r| r.portfolios.len()))
    });
    move || {
        match count.get() {
        Some(n) if index >= n => view! {
            <p class="embed-error" role="alert" data-testid="embed-error">
                {format!("This scenario has {n} portfolio(s): there is no portfolio {} (kpi:{}).", index + 1, index + 1)}
            </p>
        }
        .into_any(),
        _ => view! { <KpiCard index/> }.into_any(),
    }
    }
}

/// The comparisons table, or why there is none.
#[component]
fn EmbedComparisons() -> impl IntoView {
    let runner = use_runner();
    let count = Memo::new(move |_| {
        runner
            .report
            .with(|r| r.as_ref().map(|r| r.portfolios.len()))
    });
    move || match count.get() {
        Some(n) if n < 2 => view! {
            <p class="embed-error" role="alert" data-testid="embed-error">
                "This scenario has a single portfolio: there is nothing to compare."
            </p>
        }
        .into_any(),
        _ => view! { <Comparisons/> }.into_any(),
    }
}
