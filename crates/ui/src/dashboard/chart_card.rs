//! A chart card, for the dashboard's charts and the decision charts: drawn by the `charts`
//! crate at the width of its container (re-measured after layout: on mount, window resize,
//! presentation mode and tab switches), with SVG and PNG downloads.

use leptos::html;
use leptos::prelude::*;

use super::use_view;
use crate::export;
use crate::state::use_state;

/// `draw(width, large)` gives the chart's style and SVG, or nothing while there is no result.
#[component]
pub fn ChartCard<F>(
    testid: &'static str,
    title: &'static str,
    /// File name of the downloads, after the scenario's stem.
    file: &'static str,
    /// Scenario name for the download's file name.
    #[prop(into)]
    stem: Signal<String>,
    /// Spans both grid columns.
    #[prop(default = true)]
    wide: bool,
    draw: F,
) -> impl IntoView
where
    F: Fn(u32, bool) -> Option<(charts::Style, String)> + Send + Sync + 'static,
{
    let state = use_state();
    let view = use_view();
    let frame: NodeRef<html::Div> = NodeRef::new();
    let width = RwSignal::new(0u32);

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

    let drawn = Memo::new(move |_| {
        let w = width.get().max(charts::MIN_SIZE.0);
        draw(w, state.presenting.get())
    });
    let svg = move || drawn.with(|d| d.as_ref().map(|(_, s)| s.clone()).unwrap_or_default());
    let has_chart = move || drawn.with(Option::is_some);
    let save_svg = move |_| {
        if let Some((_, text)) = drawn.get_untracked() {
            let name = format!("{}-{file}.svg", stem.get_untracked());
            export::download_text(&text, "image/svg+xml", &name);
        }
    };
    let save_png = move |_| {
        if let Some((style, text)) = drawn.get_untracked() {
            let name = format!("{}-{file}.png", stem.get_untracked());
            export::download_png(&text, style.width, style.height, 2.0, &name);
        }
    };

    view! {
        <figure class="chart card" class:wide=wide data-testid=testid>
            <figcaption>
                <span class="chart-title visually-hidden">{title}</span>
                <span class="chart-actions">
                    <button class="link" disabled=move || !has_chart() on:click=save_svg aria-label=format!("Download {title} as SVG")>"SVG"</button>
                    <button class="link" disabled=move || !has_chart() on:click=save_png aria-label=format!("Download {title} as PNG")>"PNG"</button>
                </span>
            </figcaption>
            <div class="chart-frame" node_ref=frame role="img" aria-label=title inner_html=svg></div>
        </figure>
    }
}
