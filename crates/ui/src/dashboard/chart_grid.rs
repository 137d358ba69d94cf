//! The six charts, drawn by the `charts` crate from the report in [`ChartCard`]s (which size
//! them to their containers); the highlighted portfolio is drawn first in presentation mode.

use leptos::prelude::*;

use super::chart_card::ChartCard;
use super::use_view;
use crate::export;
use crate::runner::use_runner;
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
        .map(|(i, _)| view! { <GridCard spec=i/> })
        .collect_view();
    view! { <div class="charts">{cards}</div> }
}

#[component]
fn GridCard(spec: usize) -> impl IntoView {
    let spec = &SPECS[spec];
    let runner = use_runner();
    let view = use_view();
    let draw = spec.draw;
    let wide = spec.wide;
    let stem = Signal::derive(move || {
        runner
            .report
            .with(|r| r.as_ref().map(|r| export::file_stem(&r.scenario_name)))
            .unwrap_or_else(|| "headroom".into())
    });
    let draw = move |w: u32, large: bool| {
        let ratio = if wide { 0.42 } else { 0.62 };
        let h = ((f64::from(w) * ratio) as u32).max(::charts::MIN_SIZE.1);
        runner.report.with(|r| {
            let r = r.as_ref()?;
            let mut shown = view.visible(r.portfolios.len());
            // In presentation mode the highlighted portfolio is drawn first.
            if let Some(h) = view.highlight.get()
                && let Some(pos) = shown.iter().position(|&x| x == h)
            {
                let x = shown.remove(pos);
                shown.insert(0, x);
            }
            let style = ::charts::Style::new(w, h).with_portfolios(shown);
            let style = if large { style.large() } else { style };
            let svg = draw(r, &style);
            Some((style, svg))
        })
    };
    view! {
        <ChartCard testid=spec.testid title=spec.title file=spec.file stem=stem wide=wide draw=draw/>
    }
}
