//! Application state shared by every component (through Leptos context).
//!
//! The working scenario is a JSON document (see `doc.rs`); the engine's decoder turns it into a
//! typed `Scenario` or a list of diagnostics on every edit. Only a valid scenario is sent to the
//! worker; while the document is invalid the last results stay on screen, marked stale.

use engine::{Diagnostic, Scenario};
use leptos::prelude::*;
use serde_json::Value;

/// Where the working scenario came from, so "reset" can go back to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// Library file name (`three-lane.toml`) or the imported file's name.
    pub name: String,
    /// The original document.
    pub doc: Value,
}

#[derive(Clone, Copy)]
pub struct AppState {
    /// The scenario being edited, exactly as the user left it (possibly invalid).
    pub doc: RwSignal<Value>,
    pub origin: RwSignal<Origin>,
    /// The decoded scenario, or every problem with it.
    pub checked: Memo<Result<Scenario, Vec<Diagnostic>>>,
    /// Names of the stress tests applied to every portfolio.
    pub stress: RwSignal<Vec<String>>,
    /// Presentation mode: full screen, large type, editors hidden.
    pub presenting: RwSignal<bool>,
}

impl AppState {
    pub fn new(origin: Origin) -> Self {
        let doc = RwSignal::new(origin.doc.clone());
        let checked =
            Memo::new(move |_| doc.with(|d| engine::scenario::decode(d).map_err(|e| e.0)));
        AppState {
            doc,
            origin: RwSignal::new(origin),
            checked,
            stress: RwSignal::new(Vec::new()),
            presenting: RwSignal::new(false),
        }
    }

    /// Set one field (`Value::Null` removes it so the engine default applies).
    pub fn edit(&self, path: &str, value: Value) {
        self.doc.update(|d| {
            crate::doc::set(d, path, value);
        });
    }

    /// The value at `path` in the working document.
    pub fn value(&self, path: &str) -> Option<Value> {
        self.doc.with(|d| crate::doc::get(d, path).cloned())
    }

    /// Diagnostics about the field at `path` or anything inside it.
    pub fn diagnostics_for(&self, path: &str) -> Vec<Diagnostic> {
        self.checked.with(|c| match c {
            Ok(_) => Vec::new(),
            Err(all) => all
                .iter()
                .filter(|d| crate::doc::concerns(&d.path, path))
                .cloned()
                .collect(),
        })
    }

    /// Replace the working scenario (library pick, import, reset).
    pub fn load(&self, origin: Origin) {
        self.doc.set(origin.doc.clone());
        self.stress.set(Vec::new());
        self.origin.set(origin);
    }
}

/// The state provided by the root component.
pub fn use_state() -> AppState {
    expect_context::<AppState>()
}
