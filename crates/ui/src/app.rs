//! Root component: the toolbar (scenario library, reset, exports, share links and embeds,
//! presentation mode), the side panel where the editors mount, and the results dashboard.

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use crate::autosave::{self, Restored};
use crate::dashboard::{Dashboard, ViewState};
use crate::runner::Runner;
use crate::share::open::LINK_ORIGIN;
use crate::state::{AppState, Origin, use_state};
use crate::{export, library, present, share};

/// The state on load: the autosaved one if readable, else the default library scenario.
fn initial_state() -> (AppState, Option<String>) {
    let default = || {
        library::origin(library::DEFAULT).unwrap_or(Origin {
            name: "empty".into(),
            doc: serde_json::json!({}),
        })
    };
    match autosave::restore() {
        Restored::State(saved) => {
            let state = AppState::new(saved.origin());
            state.doc.set(saved.doc);
            state.stress.set(saved.stress);
            (state, None)
        }
        Restored::Unreadable { kept_as, error } => (
            AppState::new(default()),
            Some(format!(
                "Your autosaved scenario could not be read ({error}). It was kept in this browser's \
                 storage under \"{kept_as}\"; the default scenario is loaded instead."
            )),
        ),
        Restored::Nothing => (AppState::new(default()), None),
    }
}

/// Test and automation hooks on `window` (always installed; documented in the README):
/// `__headroom_edit(path, value)` sets one field of the working document (`null` removes it),
/// `__headroom_doc()` returns the working document, `__headroom_kill_worker()` terminates the
/// engine worker as if it had died, `__headroom_crash_worker()` makes it throw an uncaught error.
fn install_hooks(state: AppState, runner: Runner) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let edit = Closure::<dyn Fn(String, JsValue)>::new(move |path: String, value: JsValue| {
        let text = js_sys::JSON::stringify(&value)
            .ok()
            .and_then(|s| s.as_string())
            .unwrap_or_else(|| "null".into());
        let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        state.edit(&path, value);
    });
    let doc = Closure::<dyn Fn() -> JsValue>::new(move || {
        let text = state.doc.with_untracked(|d| d.to_string());
        js_sys::JSON::parse(&text).unwrap_or(JsValue::NULL)
    });
    let _ = js_sys::Reflect::set(&window, &"__headroom_edit".into(), edit.as_ref());
    let _ = js_sys::Reflect::set(&window, &"__headroom_doc".into(), doc.as_ref());
    edit.forget();
    doc.forget();
    let kill = Closure::<dyn Fn()>::new(move || runner.kill_worker());
    let crash = Closure::<dyn Fn()>::new(move || runner.crash_worker());
    let _ = js_sys::Reflect::set(&window, &"__headroom_kill_worker".into(), kill.as_ref());
    let _ = js_sys::Reflect::set(&window, &"__headroom_crash_worker".into(), crash.as_ref());
    kill.forget();
    crash.forget();
}

/// Keeps the page title on the scenario's name (set as text: the name is untrusted).
pub fn install_title(state: AppState) {
    Effect::new(move |_| {
        let name = state.doc.with(|d| {
            d.get("name")
                .and_then(|n| n.as_str())
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
        });
        let title = match name {
            Some(name) => format!("Headroom — {name}"),
            None => "Headroom".to_string(),
        };
        document().set_title(&title);
    });
}

/// The application root.
#[component]
pub fn App() -> impl IntoView {
    let (state, notice) = initial_state();
    provide_context(state);
    // Before the runner and the autosave start: a `#hr1.…` link replaces the restored state.
    share::Sharing::install(state);
    let runner = Runner::new(state);
    provide_context(runner);
    let view = ViewState::new();
    provide_context(view);
    let notice = RwSignal::new(notice);

    autosave::install(state);
    present::install(state, view, runner);
    install_hooks(state, runner);
    install_title(state);
    let _ = window_event_listener(ev::resize, move |_| view.resize.update(|n| *n += 1));

    view! {
        <a class="skip" href="#results">"Skip to results"</a>
        <Toolbar/>
        <share::LinkNotices/>
        <share::LinkPanel/>
        <share::EmbedDialog/>
        {move || notice.get().map(|text| view! {
            <div class="notice" role="alert" data-testid="notice">
                <span>{text}</span>
                <button class="secondary" on:click=move |_| notice.set(None)>"Dismiss"</button>
            </div>
        })}
        {move || runner.notice.get().map(|text| view! {
            <div class="notice" role="alert" data-testid="engine-notice">
                <span>{text}</span>
                <button class="secondary" on:click=move |_| runner.notice.set(None)>"Dismiss"</button>
            </div>
        })}
        <div class="layout">
            <aside class="side" aria-label="Scenario">
                <ScenarioSummary/>
                <Diagnostics/>
                <EditorSlot/>
            </aside>
            <main id="results">
                <StressPicker/>
                <crate::decide::Tabs>
                    <Dashboard/>
                </crate::decide::Tabs>
            </main>
        </div>
        <footer class="footer">
            {move || runner.engine_version.get().map(|v| format!("Headroom engine {v} · runs entirely in this browser")).unwrap_or_else(|| "loading engine…".into())}
        </footer>
    }
}

#[component]
fn Toolbar() -> impl IntoView {
    let state = use_state();
    let runner = crate::runner::use_runner();
    let valid = move || state.checked.with(|c| c.is_ok());
    let has_report = move || runner.report.with(|r| r.is_some());
    let modified = move || state.origin.with(|o| state.doc.with(|d| *d != o.doc));
    let in_library = move || state.origin.with(|o| library::contains(&o.name));
    let from_link = move || state.origin.with(|o| o.name == LINK_ORIGIN);
    let options = library::SCENARIOS
        .iter()
        .map(|(name, _)| view! { <option value=*name>{*name}</option> })
        .collect_view();
    let stem = move || {
        state
            .doc
            .with_untracked(|d| {
                d.get("name")
                    .and_then(|n| n.as_str())
                    .map(export::file_stem)
            })
            .unwrap_or_else(|| "scenario".into())
    };
    let save_toml = move |_| {
        if let Ok(s) = state.checked.get_untracked() {
            export::download_text(
                &engine::scenario_to_toml(&s),
                "application/toml",
                &format!("{}.toml", stem()),
            );
        }
    };
    let save_json = move |_| {
        if let Some(r) = runner.report.get_untracked() {
            let text = serde_json::to_string_pretty(&*r).unwrap_or_default();
            export::download_text(
                &text,
                "application/json",
                &format!("{}-results.json", stem()),
            );
        }
    };
    let save_csv = move |_| {
        if let Some(r) = runner.report.get_untracked() {
            export::download_text(
                &export::results_csv(&r),
                "text/csv",
                &format!("{}-results.csv", stem()),
            );
        }
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <h1>"Headroom"</h1>
                <span class="tagline">"GPU capacity planning"</span>
            </div>
            <div class="toolbar" role="toolbar" aria-label="Scenario and exports">
                <label class="field">
                    <span>"Library"</span>
                    <select
                        data-testid="library"
                        prop:value=move || state.origin.with(|o| if library::contains(&o.name) { o.name.clone() } else { String::new() })
                        on:change=move |e| {
                            if let Some(origin) = library::origin(&event_target_value(&e)) {
                                state.load(origin);
                            }
                        }
                    >
                        <option value="" disabled=true>
                            {move || state.origin.with(|o| if library::contains(&o.name) { "(choose)".to_string() } else if o.name == LINK_ORIGIN { "(from a shared link)".to_string() } else { format!("{} (imported)", o.name) })}
                        </option>
                        {options}
                    </select>
                </label>
                <button
                    class="secondary"
                    data-testid="reset"
                    disabled=move || !modified()
                    title=move || if in_library() { "Restore the library version of this scenario" } else if from_link() { "Restore the scenario as the shared link had it" } else { "Restore the imported version of this scenario" }
                    on:click=move |_| state.load(state.origin.get_untracked())
                >
                    {move || if in_library() { "Reset to library version" } else if from_link() { "Reset to shared version" } else { "Reset to imported version" }}
                </button>
                <span class="group" role="group" aria-label="Export">
                    <span class="group-label">"Export"</span>
                    <button class="secondary" data-testid="export-toml" disabled=move || !valid() on:click=save_toml title="Working scenario as TOML">"Scenario TOML"</button>
                    <button class="secondary" data-testid="export-json" disabled=move || !has_report() on:click=save_json title="Full report as JSON">"Results JSON"</button>
                    <button class="secondary" data-testid="export-csv" disabled=move || !has_report() on:click=save_csv title="Headline metrics per portfolio as CSV">"CSV"</button>
                </span>
                <share::ShareButtons/>
                <button
                    class="primary"
                    data-testid="present"
                    aria-pressed=move || state.presenting.get().to_string()
                    aria-keyshortcuts="p"
                    on:click=move |_| present::set_presenting(state, !state.presenting.get_untracked())
                >
                    {move || if state.presenting.get() { "Leave presentation (Esc)" } else { "Present (P)" }}
                </button>
            </div>
        </header>
    }
}

/// Checkboxes of the scenario's stress tests, applied to every portfolio.
#[component]
fn StressPicker() -> impl IntoView {
    let state = use_state();
    let boxes = move || {
        let names = present::stress_names(&state);
        if names.is_empty() {
            return view! { <span class="muted">"This scenario defines no stress tests."</span> }
                .into_any();
        }
        names
            .into_iter()
            .map(|name| {
                let n1 = name.clone();
                let n2 = name.clone();
                view! {
                    <label class="chip">
                        <input
                            type="checkbox"
                            data-stress=name.clone()
                            prop:checked=move || state.stress.with(|s| s.contains(&n1))
                            on:change=move |e| {
                                let on = event_target_checked(&e);
                                state.stress.update(|s| {
                                    s.retain(|x| *x != n2);
                                    if on { s.push(n2.clone()); }
                                });
                            }
                        />
                        {name}
                    </label>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <fieldset class="stress" data-testid="stress">
            <legend>"Stress tests"</legend>
            {boxes}
        </fieldset>
    }
}

/// Name, seed, paths and size of the working scenario.
#[component]
fn ScenarioSummary() -> impl IntoView {
    let state = use_state();
    let field = move |path: &'static str| {
        move || {
            state
                .value(path)
                .map(|v| match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                })
                .unwrap_or_else(|| "default".into())
        }
    };
    let count = move |path: &'static str| {
        move || {
            state
                .value(path)
                .and_then(|v| v.as_array().map(|a| a.len()))
                .unwrap_or(0)
        }
    };
    view! {
        <section class="panel summary" data-testid="scenario-summary">
            <h2>{field("name")}</h2>
            <p class="muted">{move || state.origin.with(|o| format!("from {}", o.name))}</p>
            <dl class="kv">
                <dt>"Seed"</dt><dd data-testid="seed">{field("seed")}</dd>
                <dt>"Paths"</dt><dd data-testid="paths">{field("paths")}</dd>
                <dt>"Horizon"</dt><dd>{field("horizon_weeks")} " weeks"</dd>
                <dt>"Workloads"</dt><dd>{count("workloads")}</dd>
                <dt>"Providers"</dt><dd>{count("providers")}</dd>
                <dt>"Portfolios"</dt><dd>{count("portfolios")}</dd>
            </dl>
        </section>
    }
}

/// Every problem with the working scenario, while it is invalid.
#[component]
fn Diagnostics() -> impl IntoView {
    let state = use_state();
    move || {
        state.checked.with(|c| {
            c.as_ref().err().map(|all| {
                let items = all
                    .iter()
                    .map(|d| {
                        view! {
                            <li>
                                <code>{if d.path.is_empty() { "(scenario)".to_string() } else { d.path.clone() }}</code>
                                " " {d.message.clone()}
                                {d.hint.clone().map(|h| view! { <div class="hint">{h}</div> })}
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="panel diagnostics" data-testid="diagnostics" role="alert">
                        <h3>{format!("{} problem(s) in the scenario", all.len())}</h3>
                        <ul>{items}</ul>
                    </section>
                }
            })
        })
    }
}

/// Where the scenario editors mount.
#[component]
fn EditorSlot() -> impl IntoView {
    // The wrapper is what presentation mode hides.
    view! {
        <section class="panel editor-slot" data-testid="editor-slot" aria-label="Scenario editor">
            <crate::editors::EditorPanel/>
        </section>
    }
}
