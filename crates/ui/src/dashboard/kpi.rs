//! A KPI card per shown portfolio: big numbers with their Monte Carlo error.

use leptos::prelude::*;

use super::{MAX_SHOWN, format, use_view};
use crate::export::largest_share;
use crate::runner::use_runner;

/// The cards, plus a selector when the report has more portfolios than fit side by side.
#[component]
pub fn KpiRow() -> impl IntoView {
    let runner = use_runner();
    let view = use_view();
    let count = move || {
        runner
            .report
            .with(|r| r.as_ref().map_or(0, |r| r.portfolios.len()))
    };
    let names = move || {
        runner.report.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.portfolios
                        .iter()
                        .map(|p| p.name.clone())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let selector = move || {
        (count() > MAX_SHOWN).then(|| {
            let boxes = names()
                .into_iter()
                .enumerate()
                .map(|(i, name)| {
                    let checked = move || view.shown.with(|s| s.contains(&i));
                    let full = move || view.shown.with(|s| s.len() >= MAX_SHOWN);
                    view! {
                        <label class="chip">
                            <input
                                type="checkbox"
                                prop:checked=checked
                                disabled=move || full() && !checked()
                                on:change=move |_| view.shown.update(|s| {
                                    if let Some(pos) = s.iter().position(|&x| x == i) {
                                        if s.len() > 1 { s.remove(pos); }
                                    } else if s.len() < MAX_SHOWN {
                                        s.push(i);
                                        s.sort_unstable();
                                    }
                                })
                            />
                            {name}
                        </label>
                    }
                })
                .collect_view();
            view! {
                <fieldset class="portfolio-picker" data-testid="portfolio-picker">
                    <legend>{format!("Portfolios shown (up to {MAX_SHOWN})")}</legend>
                    {boxes}
                </fieldset>
            }
        })
    };
    let cards = move || {
        let n = count();
        view.visible(n)
            .into_iter()
            .map(|i| view! { <KpiCard index=i/> })
            .collect_view()
    };
    view! {
        {selector}
        <div class="kpis">{cards}</div>
    }
}

/// One portfolio's card (also shown alone by an embed).
#[component]
pub fn KpiCard(index: usize) -> impl IntoView {
    let runner = use_runner();
    let view = use_view();
    let highlighted = move || view.highlight.get() == Some(index);
    let body = move || {
        runner.report.with(|r| {
            let p = r.as_ref()?.portfolios.get(index)?;
            let concentration = match largest_share(p) {
                Some((provider, share)) => format!("{provider} {}", format::pct(share)),
                None => "no provider used".into(),
            };
            Some(view! {
                <h3 class="kpi-name">
                    <span class=format!("swatch c{}", index % 8) aria-hidden="true"></span>
                    {p.name.clone()}
                </h3>
                <div class="kpi-main">
                    <div class="big" data-kpi="shortage">{format::pct(p.shortage_probability)}</div>
                    <div class="label">"P(shortage) over the horizon " <span class="se">{format::pct_se(p.shortage_probability_se)}</span></div>
                </div>
                <div class="kpi-main">
                    <div class="big" data-kpi="cost">{format::money(p.cost.mean)}</div>
                    <div class="label">"expected cost " <span class="se">{format!("± {}", format::money(p.cost.mean_se))}</span></div>
                </div>
                <dl class="kpi-grid">
                    <dt>"P90 cost"</dt><dd>{format::money(p.cost.p90)}</dd>
                    <dt>"CVaR 95%"</dt><dd>{format::money(p.cost.cvar95)}</dd>
                    <dt>"Largest provider"</dt><dd>{concentration}</dd>
                    <dt>"HHI"</dt><dd>{format::num(p.hhi, 0)}</dd>
                    <dt>"Emissions"</dt><dd>{format!("{} tCO2e", format::num(p.emissions_tco2e, 0))}</dd>
                    <dt>"Shortage weeks"</dt><dd>{format::num(p.shortage_weeks.mean, 1)}</dd>
                </dl>
            })
        })
    };
    view! {
        <article
            class="kpi card"
            class:highlight=highlighted
            data-testid=format!("kpi-{index}")
            aria-current=move || highlighted().then_some("true")
        >
            {body}
        </article>
    }
}
