//! The six charts, drawn by the `charts` crate from the report at the size of their
//! containers (re-measured on window resize and when presentation mode toggles).

use leptos::html;
use leptos::prelude::*;

use super::use_view;
use crate::export;
use crate::runner::use_runner;
use crate::state::use_state;
use engine::Report;

pub type Draw = fn(&Report, &::charts::Style) -> String;

/// One chart of the grid (also what an embed can show, by `file`: see `share::target`).
pub struct Spec {
    pub testid: &'static str,
    pub title: &'static str,
    /// File-name stem of its downloads, and its name in embed URLs (`chart:demand-fan`).
    pub file: &'static str,
    pub draw: Draw,
    pub wide: bool,
}

pub const SPECS: &[Spec] = &[
    Spec {
        testid: "chart-demand",
        title: "Demand fan",
        file: "demand-fan",
        draw: ::charts::demand_fan,
        wide: false,
    },
    Spec {
        testid: "chart-shortage",
        title: "Weekly shortage probability",
        file: "weekly-shortage",
        draw: ::charts::weekly_shortage,
        wide: false,
    },
    Spec {
        testid: "chart-cost",
        title: "Cost distribution",
        file: "cost-distribution",
        draw: ::charts::cost_distribution,
        wide: false,
    },
    Spec {
        testid: "chart-risk",
        title: "Cost vs risk",
        file: "cost-vs-risk",
        draw: ::charts::cost_vs_risk,
        wide: false,
    },
    Spec {
        testid: "chart-weekly-cost",
        title: "Weekly cost bands",
        file: "weekly-cost",
        draw: ::charts::weekly_cost_bands,
        wide: true,
    },
    Spec {
        testid: "chart-providers",
        title: "Provider mix",
        file: "provider-mix",
        draw: ::charts::provider_mix,
        wide: true,
    },
];

#[component]
pub fn ChartGrid() -> impl IntoView {
    let cards = SPECS
        .iter()
        .enumerate()
        .map(|(i, _)| view! { <ChartCard spec=i/> })
        .collect_view();
    view! { <div class="charts">{cards}</div> }
}

#[component]
fn ChartCard(spec: usize) -> impl IntoView {
    let spec = &SPECS[spec];
    let state = use_state();
    let runner = use_runner();
    let view = use_view();
    let frame: NodeRef<html::Div> = NodeRef::new();
    let width = RwSignal::new(0u32);

    // Measure after layout: on mount, on resize, on entering or leaving presentation mode.
    Effect::new(move |_| {
        view.resize.track();
        state.presenting.track();
        let measure = move || {
            if let Some(el) = frame.get_untracked() {
                let w = u32::try_from(el.client_width()).unwrap_or(0);
                if w > 0 && w != width.get_untracked() {
                    width.set(w);
                }
            }
        };
        measure();
        request_animation_frame(measure);
    });

    let draw = spec.draw;
    let wide = spec.wide;
    let style = Memo::new(move |_| {
        let w = width.get().max(::charts::MIN_SIZE.0);
        let large = state.presenting.get();
        let ratio = if wide { 0.42 } else { 0.62 };
        let h = ((f64::from(w) * ratio) as u32).max(::charts::MIN_SIZE.1);
        let n = runner
            .report
            .with(|r| r.as_ref().map_or(0, |r| r.portfolios.len()));
        let mut shown = view.visible(n);
        // In presentation mode the highlighted portfolio is drawn first.
        if let Some(h) = view.highlight.get()
            && let Some(pos) = shown.iter().position(|&x| x == h)
        {
            let x = shown.remove(pos);
            shown.insert(0, x);
        }
        let style = ::charts::Style::new(w, h).with_portfolios(shown);
        if large { style.large() } else { style }
    });
    let svg = Memo::new(move |_| {
        let style = style.get();
        runner
            .report
            .with(|r| r.as_ref().map(|r| draw(r, &style)))
            .unwrap_or_default()
    });

    let file = spec.file;
    let stem = move || {
        runner
            .report
            .with_untracked(|r| r.as_ref().map(|r| export::file_stem(&r.scenario_name)))
            .unwrap_or_else(|| "headroom".into())
    };
    let save_svg = move |_| {
        let text = svg.get_untracked();
        if !text.is_empty() {
            export::download_text(&text, "image/svg+xml", &format!("{}-{file}.svg", stem()));
        }
    };
    let save_png = move |_| {
        let text = svg.get_untracked();
        let s = style.get_untracked();
        if !text.is_empty() {
            export::download_png(
                &text,
                s.width,
                s.height,
                2.0,
                &format!("{}-{file}.png", stem()),
            );
        }
    };
    let has_chart = move || svg.with(|s| !s.is_empty());

    view! {
        <figure class="chart card" class:wide=wide data-testid=spec.testid>
            <figcaption>
                <span class="chart-title visually-hidden">{spec.title}</span>
                <span class="chart-actions">
                    <button class="link" disabled=move || !has_chart() on:click=save_svg aria-label=format!("Download {} as SVG", spec.title)>"SVG"</button>
                    <button class="link" disabled=move || !has_chart() on:click=save_png aria-label=format!("Download {} as PNG", spec.title)>"PNG"</button>
                </span>
            </figcaption>
            <div class="chart-frame" node_ref=frame role="img" aria-label=spec.title inner_html=move || svg.get()></div>
        </figure>
    }
}
