//! Share links in the main app: "Copy link", opening a `#hr1.…` fragment (on load and on
//! `hashchange`), and the notices about it.
//!
//! Opening a link makes it the working scenario (autosaved like any other), after keeping the
//! replaced working state aside (`aside.rs`) when it holds work a click cannot bring back; the
//! notice names it and offers to restore it. A link that cannot be read changes nothing.
//!
//! The address bar shows `#hr1.…` only while the working state is that link's: the first
//! edit after opening or copying a link removes the fragment, so a reload never brings back an
//! older state over newer edits.

use leptos::prelude::*;
use serde_json::Value;

use super::open::{self, LINK_ORIGIN, Opened};
use super::{aside, browser, urls};
use crate::autosave::{self, Saved};
use crate::state::{AppState, Origin, use_state};

/// What the notice says after a link was opened.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkNotice {
    /// The scenario's name (untrusted: shown as text).
    pub name: String,
    /// The replaced working scenario, kept aside under this label.
    pub kept: Option<String>,
    /// Keeping it aside failed (no storage, quota).
    pub kept_error: Option<String>,
    /// Made by another engine version: the numbers may differ.
    pub mismatch: Option<String>,
}

/// Where a "Copy link" stands.
#[derive(Clone, Debug, PartialEq)]
pub enum CopyStatus {
    Copying,
    Copied,
    /// The clipboard is unavailable or refused: the link is shown to copy by hand.
    Manual(String),
    /// Longer than links may be (`share::MAX_LINK_CHARS`): it would not open.
    TooLong,
}

/// The share state of the main app, in context.
#[derive(Clone, Copy)]
pub struct Sharing {
    pub notice: RwSignal<Option<LinkNotice>>,
    /// A link that could not be opened, and why.
    pub error: RwSignal<Option<String>>,
    /// The last copied link and whether it reached the clipboard.
    pub copied: RwSignal<Option<(String, CopyStatus)>>,
    /// The "Embed" dialog is open.
    pub embed_open: RwSignal<bool>,
    /// The working state the address bar's fragment describes.
    linked: StoredValue<Option<(Value, Vec<String>)>>,
    state: AppState,
}

/// The sharing state provided by the root component.
pub fn use_sharing() -> Sharing {
    expect_context::<Sharing>()
}

impl Sharing {
    /// Opens the page's `#hr1.…` fragment if it has one, then follows `hashchange` and edits.
    pub fn install(state: AppState) -> Self {
        let sharing = Sharing {
            notice: RwSignal::new(None),
            error: RwSignal::new(None),
            copied: RwSignal::new(None),
            embed_open: RwSignal::new(false),
            linked: StoredValue::new(None),
            state,
        };
        provide_context(sharing);
        sharing.open_fragment(&browser::hash());
        let _ = window_event_listener_untyped("hashchange", move |_| {
            sharing.open_fragment(&browser::hash());
        });
        Effect::new(move |_| {
            let moved = state.doc.with(|d| {
                state.stress.with(|s| {
                    sharing
                        .linked
                        .with_value(|l| l.as_ref().is_some_and(|(ld, ls)| ld != d || ls != s))
                })
            });
            if moved {
                sharing.linked.set_value(None);
                if open::fragment_link(&browser::hash()).is_some() {
                    browser::replace_url(urls::without_fragment(&browser::href()));
                }
            }
        });
        sharing
    }

    /// Opens a fragment; ordinary anchors (`#results`) are ignored.
    pub fn open_fragment(self, hash: &str) {
        let opened = match open::fragment_link(hash) {
            None => return,
            Some(link) => link
                .map_err(|e| e.to_string())
                .and_then(|link| open::prepare(link, engine::ENGINE_VERSION)),
        };
        match opened {
            Ok(opened) => self.open(opened),
            Err(why) => {
                let current = aside::label(&Saved::of(&self.state));
                self.error.set(Some(format!(
                    "This shared link could not be opened: {why}. Nothing was changed: you are \
                     still working on \"{current}\"."
                )));
            }
        }
    }

    fn open(self, opened: Opened) {
        let state = self.state;
        let current = Saved::of(&state);
        let same = current.doc == opened.doc && current.stress == opened.stress;
        let (mut kept, mut kept_error) = (None, None);
        if !same && aside::worth_keeping(&current, &opened.doc) {
            match aside::keep(current.clone()) {
                Ok(()) => kept = Some(aside::label(&current)),
                Err(e) => kept_error = Some(e),
            }
        }
        if !same {
            state.load(Origin {
                name: LINK_ORIGIN.into(),
                doc: opened.doc.clone(),
            });
            state.stress.set(opened.stress.clone());
        }
        self.linked
            .set_value(Some((opened.doc.clone(), opened.stress.clone())));
        autosave::save_now(&Saved::of(&state));
        self.error.set(None);
        let mismatch = opened.mismatch.as_ref().map(ToString::to_string);
        if !same || mismatch.is_some() {
            self.notice.set(Some(LinkNotice {
                name: opened.name().unwrap_or("untitled scenario").to_owned(),
                kept,
                kept_error,
                mismatch,
            }));
        }
    }

    /// Makes the replaced working state current again (the shared one is kept aside in turn).
    pub fn restore_previous(self) {
        let state = self.state;
        let Some(previous) = aside::take_newest() else {
            return;
        };
        let current = Saved::of(&state);
        if aside::worth_keeping(&current, &previous.doc) {
            let _ = aside::keep(current);
        }
        previous.apply(&state);
        autosave::save_now(&Saved::of(&state));
        self.notice.set(None);
    }

    /// The link code of the working state, when it is valid (tracks the state).
    pub fn code(self) -> Option<String> {
        let state = self.state;
        let scenario = state.checked.with(|c| c.as_ref().ok().cloned())?;
        let link = state
            .stress
            .with(|s| state.doc.with(|d| open::make(d, &scenario, s)));
        Some(share::encode(&link))
    }

    /// Puts the working state's link in the address bar and on the clipboard.
    pub fn copy_link(self) {
        let Some(code) = untrack(|| self.code()) else {
            return;
        };
        // Only size can stop a link made here from opening (share::MAX_LINK_CHARS and
        // MAX_PAYLOAD_BYTES): better said now than by the person who receives it.
        if share::decode(&code).is_err() {
            self.copied.set(Some((String::new(), CopyStatus::TooLong)));
            return;
        }
        let url = urls::link_url(&browser::href(), &code);
        browser::replace_url(&url);
        self.linked.set_value(Some((
            self.state.doc.get_untracked(),
            self.state.stress.get_untracked(),
        )));
        self.copied.set(Some((url.clone(), CopyStatus::Copying)));
        let copied = self.copied;
        leptos::task::spawn_local(async move {
            let status = match browser::copy_text(&url).await {
                Ok(()) => CopyStatus::Copied,
                Err(e) => CopyStatus::Manual(e),
            };
            copied.update(|c| {
                if let Some((u, s)) = c
                    && *u == url
                {
                    *s = status;
                }
            });
        });
    }
}

/// "Copy link" and "Embed…" for the toolbar.
#[component]
pub fn ShareButtons() -> impl IntoView {
    let state = use_state();
    let sharing = use_sharing();
    let valid = move || state.checked.with(|c| c.is_ok());
    view! {
        <span class="group" role="group" aria-label="Share">
            <span class="group-label">"Share"</span>
            <button
                class="secondary"
                data-testid="copy-link"
                disabled=move || !valid()
                title="Copy a link that opens this scenario, run exactly the same way"
                on:click=move |_| sharing.copy_link()
            >
                "Copy link"
            </button>
            <button
                class="secondary"
                data-testid="embed-open"
                disabled=move || !valid()
                aria-expanded=move || sharing.embed_open.get().to_string()
                title="Embed a chart, a KPI card or the comparisons in a wiki page"
                on:click=move |_| sharing.embed_open.update(|o| *o = !*o)
            >
                "Embed…"
            </button>
        </span>
    }
}

/// The copied link (selectable, and selected when the clipboard refused it).
#[component]
pub fn LinkPanel() -> impl IntoView {
    let sharing = use_sharing();
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        let manual = sharing
            .copied
            .with(|c| matches!(c, Some((_, CopyStatus::Manual(_)))));
        if manual && let Some(el) = input.get() {
            let _ = el.focus();
            el.select();
        }
    });
    move || {
        sharing.copied.get().map(|(url, status)| {
            let message = match status {
                CopyStatus::Copying => "Copying the link…".to_string(),
                CopyStatus::Copied => "Link copied to the clipboard. It carries the whole \
                                       scenario: whoever opens it sees the same numbers."
                    .to_string(),
                CopyStatus::Manual(why) => {
                    format!("Copy this link by hand (the clipboard is not available: {why}):")
                }
                CopyStatus::TooLong => "This scenario is too large to travel in a link: share \
                                        it as a file (Export, Scenario TOML) instead."
                    .to_string(),
            };
            let length = url.len();
            let shown = !url.is_empty();
            view! {
                <div class="panel share-panel" data-testid="link-panel">
                    <p role="status" data-testid="link-status">{message}</p>
                    <input
                        hidden=!shown
                        class="share-url"
                        type="text"
                        readonly=true
                        data-testid="link-url"
                        aria-label="Share link"
                        node_ref=input
                        prop:value=url
                        on:focus=move |e| {
                            use wasm_bindgen::JsCast;
                            if let Some(el) = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                                el.select();
                            }
                        }
                    />
                    <p class="muted small" hidden=!shown>
                        {format!("{length} characters. The scenario travels in the part after #, which browsers never send to a server.")}
                    </p>
                    <button class="secondary" on:click=move |_| sharing.copied.set(None)>"Close"</button>
                </div>
            }
        })
    }
}

/// Notices about opened links: what was opened, an engine version that differs, the replaced
/// work kept aside (with "Restore"), or a link that could not be read.
#[component]
pub fn LinkNotices() -> impl IntoView {
    let sharing = use_sharing();
    let error = move || {
        sharing.error.get().map(|text| {
            view! {
                <div class="notice link-error" role="alert" data-testid="link-error">
                    <span>{text}</span>
                    <button class="secondary" on:click=move |_| sharing.error.set(None)>"Dismiss"</button>
                </div>
            }
        })
    };
    let notice = move || {
        sharing.notice.get().map(|n| {
            let mismatch = n.mismatch.map(|m| {
                view! {
                    <p class="link-mismatch" role="alert" data-testid="link-engine-notice">
                        <strong>"Different engine version: "</strong>
                        {m}
                        "."
                    </p>
                }
            });
            let kept = n.kept.map(|label| {
                view! {
                    <p>
                        {format!("Your previous working scenario \"{label}\" was kept in this browser. ")}
                        <button class="secondary" data-testid="restore-previous" on:click=move |_| sharing.restore_previous()>
                            "Restore it"
                        </button>
                    </p>
                }
            });
            let kept_error = n.kept_error.map(|e| {
                view! { <p>{format!("Your previous working scenario could not be kept ({e}).")}</p> }
            });
            view! {
                <div class="notice link-notice" role="status" data-testid="link-notice">
                    <div>
                        <p>{format!("Opened a shared link: \"{}\".", n.name)}</p>
                        {mismatch}
                        {kept}
                        {kept_error}
                    </div>
                    <button class="secondary" on:click=move |_| sharing.notice.set(None)>"Dismiss"</button>
                </div>
            }
        })
    };
    view! {
        {error}
        {notice}
    }
}
