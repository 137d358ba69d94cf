//! Importing a scenario file: an Import button (file picker) and dropping a file anywhere on the
//! page. The text is parsed by the engine; a valid scenario replaces the working one
//! (`AppState::load`), an invalid one leaves everything as it was and shows the diagnostics in
//! a dismissible panel. File names and messages are rendered as text, never as HTML.

use engine::{Diagnostic, Format};
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use serde_json::Value;

use crate::editors::fields::diag_items;
use crate::state::{Origin, use_state};

/// The format of an imported file: by extension, else by content (`{` = JSON).
pub fn format_for(file_name: &str, text: &str) -> Format {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".json") {
        Format::Json
    } else if lower.ends_with(".toml") {
        Format::Toml
    } else {
        Format::sniff(text)
    }
}

/// Parse an imported file into the working document, or every problem with it.
pub fn import_text(file_name: &str, text: &str) -> Result<Value, Vec<Diagnostic>> {
    let scenario = engine::parse_scenario(text, format_for(file_name, text)).map_err(|d| d.0)?;
    serde_json::to_value(&scenario).map_err(|e| {
        vec![Diagnostic::new(
            "",
            format!("cannot convert the scenario: {e}"),
        )]
    })
}

/// A failed import: the file's name and what is wrong with it.
#[derive(Clone, Debug, PartialEq)]
struct Failure {
    file: String,
    diags: Vec<Diagnostic>,
}

/// The Import button, the page-wide drop target and the import-error panel.
#[component]
pub fn ImportControls() -> impl IntoView {
    let state = use_state();
    let failure = RwSignal::new(None::<Failure>);
    let notice = RwSignal::new(None::<String>);
    let dragging = RwSignal::new(false);

    let finish = move |file: String, text: Result<String, String>| {
        let result = text
            .map_err(|e| {
                vec![Diagnostic::new(
                    "",
                    format!("the file could not be read: {e}"),
                )]
            })
            .and_then(|t| import_text(&file, &t));
        match result {
            Ok(doc) => {
                failure.set(None);
                notice.set(Some(format!("Imported {file}")));
                state.load(Origin { name: file, doc });
            }
            Err(diags) => {
                notice.set(None);
                failure.set(Some(Failure { file, diags }));
            }
        }
    };
    let read = move |file: web_sys::File| {
        let name = file.name();
        if file.size() > engine::scenario::MAX_TEXT_BYTES as f64 {
            let msg = format!(
                "the file is {:.0} bytes; scenarios are limited to {} bytes",
                file.size(),
                engine::scenario::MAX_TEXT_BYTES
            );
            finish(name, Err(msg));
            return;
        }
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .map(|v| v.as_string().unwrap_or_default())
                .map_err(|e| format!("{e:?}"));
            finish(name, text);
        });
    };

    let has_files = |e: &web_sys::DragEvent| {
        e.data_transfer().is_some_and(|dt| {
            dt.types()
                .iter()
                .any(|t| t.as_string().as_deref() == Some("Files"))
        })
    };
    let over = window_event_listener(leptos::ev::dragover, move |e| {
        if has_files(&e) {
            e.prevent_default();
            dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |e| {
        if e.related_target().is_none() {
            dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |e| {
        dragging.set(false);
        if let Some(file) = e
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0))
        {
            e.prevent_default();
            read(file);
        }
    });
    on_cleanup(move || {
        over.remove();
        leave.remove();
        drop.remove();
    });

    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            read(file);
        }
        // Picking the same file again must import it again.
        input.set_value("");
    };

    view! {
        <div class="import">
            <label class="button" for="import-file">"Import scenario…"</label>
            <input
                id="import-file"
                class="visually-hidden"
                type="file"
                accept=".toml,.json,application/json,application/toml,text/plain"
                data-testid="import-file"
                on:change=on_pick
            />
            <span class="import-hint">"or drop a .toml / .json file on the page"</span>
            {move || notice.get().map(|n| view! { <span class="import-ok" role="status" data-testid="import-ok">{n}</span> })}
        </div>
        <div class="drop-overlay" class:active=move || dragging.get() aria-hidden="true">
            <p>"Drop a .toml or .json scenario to import it"</p>
        </div>
        {move || {
            failure
                .get()
                .map(|f| {
                    view! {
                        <div class="import-errors" role="alert" data-testid="import-errors">
                            <p>
                                "Could not import " <strong>{f.file}</strong>
                                ": the current scenario is unchanged."
                            </p>
                            <ul class="diags">
                                {f
                                    .diags
                                    .into_iter()
                                    .map(|d| {
                                        let path = d.path.clone();
                                        view! {
                                            <li>
                                                {(!path.is_empty()).then(|| view! { <code>{path}</code> " " })}
                                                <ul class="diags-inner">{diag_items(vec![d])}</ul>
                                            </li>
                                        }
                                    })
                                    .collect_view()}
                            </ul>
                            <button type="button" data-testid="import-dismiss" on:click=move |_| failure.set(None)>
                                "Dismiss"
                            </button>
                        </div>
                    }
                })
        }}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = include_str!("../../../scenarios/three-lane.toml");

    #[test]
    fn format_by_extension_then_content() {
        assert_eq!(format_for("a.JSON", "name = 1"), Format::Json);
        assert_eq!(format_for("a.toml", "{"), Format::Toml);
        assert_eq!(format_for("scenario", " {\"name\": 1}"), Format::Json);
        assert_eq!(format_for("scenario.txt", "name = 'x'"), Format::Toml);
    }

    #[test]
    fn good_files_become_documents_that_decode() {
        let doc = import_text("three-lane.toml", GOOD).expect("valid");
        let s = engine::scenario::decode(&doc).expect("round trip");
        assert_eq!(s.name, "Three-lane portfolio vs single lane");
        // The same document as JSON text imports too.
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(import_text("x.json", &json).unwrap(), doc);
    }

    #[test]
    fn bad_files_give_diagnostics_with_paths() {
        let bad = GOOD.replace("base_gpus = ", "base_gpus = -");
        let diags = import_text("bad.toml", &bad).unwrap_err();
        assert!(
            diags.iter().any(|d| d.path.ends_with("base_gpus")),
            "{diags:?}"
        );
        assert!(!import_text("x.json", "not json").unwrap_err().is_empty());
    }
}
