//! Scenario editors: every field of the working document, grouped in collapsible sections
//! (run settings, workloads, providers, correlation groups, portfolios, stress tests), with
//! add / duplicate / remove for every list and a summary of the engine's diagnostics on top.
//!
//! Mount [`EditorPanel`] (no props) anywhere under the [`AppState`](crate::state::AppState)
//! context. Every edit goes straight to `AppState::edit` / `AppState::doc`; whoever runs the
//! engine watches `AppState::checked`.

pub mod fields;
pub mod logic;
mod sections;

use leptos::prelude::*;
use serde_json::Value;

use crate::state::use_state;
use fields::diag_items;

pub use sections::*;

/// The editor panel: diagnostics summary, import, and one collapsible section per part of the
/// scenario.
#[component]
pub fn EditorPanel() -> impl IntoView {
    view! {
        <section class="editor-panel" data-testid="editor-panel" aria-label="Scenario editor">
            <header class="editor-head">
                <h2>"Scenario"</h2>
                <crate::import::ImportControls />
            </header>
            <DiagnosticsSummary />
            <RunSettings />
            <Workloads />
            <Providers />
            <CorrelationGroups />
            <Portfolios />
            <StressTests />
        </section>
    }
}

/// Every current diagnostic; clicking one opens and focuses its field.
#[component]
pub fn DiagnosticsSummary() -> impl IntoView {
    let state = use_state();
    let diags = Memo::new(move |_| {
        state
            .checked
            .with(|c| c.as_ref().err().cloned().unwrap_or_default())
    });
    move || {
        let list = diags.get();
        if list.is_empty() {
            return view! {
                <div class="diag-summary ok" data-testid="diag-summary" data-count="0">
                    "✓ The scenario is valid."
                </div>
            }
            .into_any();
        }
        let n = list.len();
        view! {
            <div class="diag-summary" data-testid="diag-summary" data-count=n role="status">
                <p>
                    {format!("{n} problem{} to fix (results are not updated until the scenario is valid):", if n == 1 { "" } else { "s" })}
                </p>
                <ul>
                    {list
                        .into_iter()
                        .map(|d| {
                            let path = d.path.clone();
                            let shown = if d.path.is_empty() { "scenario".to_string() } else { d.path.clone() };
                            view! {
                                <li>
                                    <button
                                        type="button"
                                        class="diag-link"
                                        data-diag-path=d.path.clone()
                                        on:click=move |_| {
                                            focus_path(&path);
                                        }
                                    >
                                        <code>{shown}</code>
                                    </button>
                                    <ul class="diags">{diag_items(vec![d])}</ul>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
        .into_any()
    }
}

/// The path one level up (`a.b[2].c` -> `a.b[2]` -> `a.b` -> `a`), `None` at the top.
pub fn parent_path(path: &str) -> Option<String> {
    let cut = path.rfind(['.', '['])?;
    Some(path[..cut].to_string())
}

/// A CSS attribute-selector string literal for `s`.
pub fn css_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Open, scroll to and focus the field showing `path` (or its nearest enclosing item).
pub fn focus_path(path: &str) -> bool {
    use leptos::wasm_bindgen::JsCast;
    let document = document();
    let mut p = Some(path.to_string());
    while let Some(cur) = p {
        let sel = format!("[data-path={}]", css_string(&cur));
        if let Ok(Some(el)) = document.query_selector(&sel) {
            // Open every enclosing <details> (and the element itself).
            let mut up = Some(el.clone());
            while let Some(e) = up {
                if e.tag_name().eq_ignore_ascii_case("details") {
                    let _ = e.set_attribute("open", "");
                }
                up = e.parent_element();
            }
            el.scroll_into_view();
            if let Ok(Some(input)) = el.query_selector("input:not([type=range]), select, textarea")
                && let Ok(input) = input.dyn_into::<web_sys::HtmlElement>()
            {
                let _ = input.focus();
            }
            return true;
        }
        p = parent_path(&cur);
    }
    false
}

/// The length of the list at `path` (0 when absent).
fn list_len(doc: &Value, path: &str) -> usize {
    crate::doc::get(doc, path)
        .and_then(Value::as_array)
        .map_or(0, Vec::len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents() {
        assert_eq!(
            parent_path("portfolios[0].burst[1].provider").as_deref(),
            Some("portfolios[0].burst[1]")
        );
        assert_eq!(
            parent_path("portfolios[0].burst[1]").as_deref(),
            Some("portfolios[0].burst")
        );
        assert_eq!(parent_path("portfolios").as_deref(), None);
        assert_eq!(css_string(r#"a"b\c"#), r#""a\"b\\c""#);
    }
}
