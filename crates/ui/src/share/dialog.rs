//! The "Embed…" dialog: pick a chart, a portfolio's KPI card or the comparisons table, a
//! size, and get the `<iframe>` snippet to paste into a wiki page.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::link::use_sharing;
use super::target::{self, EmbedTarget};
use super::{browser, urls};
use crate::dashboard::chart_grid::SPECS;
use crate::state::use_state;

/// What the dialog offers, with the label shown for each (names are untrusted: text only).
fn choices(portfolios: &[String]) -> Vec<(EmbedTarget, String)> {
    let mut out: Vec<(EmbedTarget, String)> = SPECS
        .iter()
        .map(|s| (EmbedTarget::Chart(s.file), format!("Chart: {}", s.title)))
        .collect();
    out.extend(
        portfolios
            .iter()
            .enumerate()
            .map(|(i, name)| (EmbedTarget::Kpi(i), format!("KPI card: {name}"))),
    );
    if portfolios.len() > 1 {
        out.push((EmbedTarget::Comparisons, "Paired comparisons table".into()));
    }
    out
}

/// What the iframe's title calls the target.
fn describe(target: EmbedTarget, portfolios: &[String]) -> String {
    match target {
        EmbedTarget::Chart(name) => target::chart(name).map_or(name, |s| s.title).to_owned(),
        EmbedTarget::Kpi(i) => format!(
            "KPI card of {}",
            portfolios.get(i).map_or("a portfolio", String::as_str)
        ),
        EmbedTarget::Comparisons => "paired comparisons".into(),
    }
}

fn select_text(e: &leptos::ev::FocusEvent) {
    if let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlTextAreaElement>().ok())
    {
        el.select();
    }
}

#[component]
pub fn EmbedDialog() -> impl IntoView {
    let sharing = use_sharing();
    move || sharing.embed_open.get().then(|| view! { <Dialog/> })
}

#[component]
fn Dialog() -> impl IntoView {
    let state = use_state();
    let sharing = use_sharing();
    let first = EmbedTarget::Chart(SPECS[0].file);
    let target = RwSignal::new(first);
    let size = RwSignal::new(first.default_size());
    let copy_status = RwSignal::new(None::<Result<(), String>>);
    let code_box = NodeRef::<leptos::html::Textarea>::new();

    let portfolios = Memo::new(move |_| {
        state.doc.with(|d| {
            d.get("portfolios")
                .and_then(|p| p.as_array())
                .map(|a| {
                    a.iter()
                        .enumerate()
                        .map(|(i, p)| {
                            p.get("name")
                                .and_then(|n| n.as_str())
                                .map_or_else(|| format!("portfolio {}", i + 1), str::to_owned)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let code = Memo::new(move |_| sharing.code());
    let src = move || {
        code.get()
            .map(|c| urls::embed_url(&browser::href(), target.get(), &c))
    };
    let snippet = move || {
        let src = src()?;
        let (w, h) = size.get();
        let name = state.doc.with(|d| {
            d.get("name")
                .and_then(|n| n.as_str())
                .unwrap_or("scenario")
                .to_owned()
        });
        let what = portfolios.with(|p| describe(target.get(), p));
        Some(urls::iframe_snippet(
            &src,
            w,
            h,
            &format!("Headroom: {what} — {name}"),
        ))
    };
    // A changed choice invalidates an earlier "Copied".
    Effect::new(move |_| {
        target.track();
        size.track();
        copy_status.set(None);
    });

    let options = move || {
        portfolios.with(|p| {
            choices(p)
                .into_iter()
                .map(|(t, label)| view! { <option value=t.param()>{label}</option> })
                .collect_view()
        })
    };
    let on_pick = move |e: leptos::ev::Event| {
        if let Ok(t) = EmbedTarget::parse(&event_target_value(&e)) {
            target.set(t);
            size.set(t.default_size());
        }
    };
    let dimension = move |which: usize| {
        move |e: leptos::ev::Event| {
            if let Ok(v) = event_target_value(&e).trim().parse::<u32>() {
                size.update(|s| {
                    let v = v.clamp(urls::MIN_FRAME, urls::MAX_FRAME);
                    if which == 0 { s.0 = v } else { s.1 = v }
                });
            }
        }
    };
    let copy = move |_| {
        let Some(text) = snippet() else { return };
        leptos::task::spawn_local(async move {
            let result = browser::copy_text(&text).await;
            if result.is_err()
                && let Some(el) = code_box.get_untracked()
            {
                let _ = el.focus();
                el.select();
            }
            copy_status.set(Some(result));
        });
    };
    let close = move || sharing.embed_open.set(false);
    let keydown = move |e: leptos::ev::KeyboardEvent| {
        if e.key() == "Escape" {
            // Closes the dialog only, without also leaving presentation mode.
            e.stop_propagation();
            close();
        }
    };
    let origin = urls::page_base(&browser::href())
        .split('/')
        .take(3)
        .collect::<Vec<_>>()
        .join("/");

    view! {
        <div
            class="panel share-panel embed-dialog"
            role="dialog"
            aria-labelledby="embed-dialog-title"
            data-testid="embed-dialog"
            on:keydown=keydown
        >
            <h3 id="embed-dialog-title">"Embed in a wiki page"</h3>
            <div class="embed-form">
                <label class="field">
                    <span>"Show"</span>
                    <select data-testid="embed-what" on:change=on_pick prop:value=move || target.get().param()>
                        {options}
                    </select>
                </label>
                <label class="field">
                    <span>"Width"</span>
                    <input type="number" data-testid="embed-width" min=urls::MIN_FRAME max=urls::MAX_FRAME
                        prop:value=move || size.get().0.to_string() on:change=dimension(0)/>
                    <span>"px"</span>
                </label>
                <label class="field">
                    <span>"Height"</span>
                    <input type="number" data-testid="embed-height" min=urls::MIN_FRAME max=urls::MAX_FRAME
                        prop:value=move || size.get().1.to_string() on:change=dimension(1)/>
                    <span>"px"</span>
                </label>
            </div>
            <textarea
                class="share-code"
                data-testid="embed-code"
                aria-label="Embed code"
                readonly=true
                rows="4"
                node_ref=code_box
                prop:value=move || snippet().unwrap_or_else(|| "Fix the scenario's problems first: only a valid scenario can be embedded.".into())
                on:focus=move |e| select_text(&e)
            ></textarea>
            <div class="actions">
                <button class="primary" data-testid="embed-copy" disabled=move || code.with(|c| c.is_none()) on:click=copy>"Copy embed code"</button>
                <a class="embed-preview" data-testid="embed-preview" href=move || src().unwrap_or_default() target="_blank" rel="noopener">"Preview in a new tab"</a>
                <span role="status" data-testid="embed-copy-status">
                    {move || copy_status.get().map(|r| match r {
                        Ok(()) => "Copied.".to_string(),
                        Err(e) => format!("Select the code above and copy it (the clipboard is not available: {e})."),
                    })}
                </span>
                <button class="secondary" on:click=move |_| close()>"Close"</button>
            </div>
            <p class="muted small">
                {format!(
                    "The embed runs the scenario in the reader's browser and saves nothing there. The wiki must allow frames from {origin} (its own frame-src / X-Frame-Options settings); the page serving Headroom must not forbid being framed."
                )}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_cover_every_chart_every_portfolio_and_the_comparisons() {
        let names = vec!["<img src=x>".to_string(), "b".to_string()];
        let all = choices(&names);
        assert_eq!(all.len(), SPECS.len() + 3);
        assert!(all.contains(&(EmbedTarget::Kpi(0), "KPI card: <img src=x>".into())));
        assert_eq!(all.last().unwrap().0, EmbedTarget::Comparisons);
        // One portfolio: nothing to compare.
        assert_eq!(choices(&names[..1]).len(), SPECS.len() + 1);
        // Every choice's parameter reads back as itself.
        for (t, _) in all {
            assert_eq!(EmbedTarget::parse(&t.param()), Ok(t));
        }
        assert_eq!(describe(EmbedTarget::Kpi(1), &names), "KPI card of b");
        assert_eq!(
            describe(EmbedTarget::Kpi(5), &names),
            "KPI card of a portfolio"
        );
    }
}
