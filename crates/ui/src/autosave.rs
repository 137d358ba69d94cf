//! Autosave: the working document, stress selection and origin go to `localStorage` on every
//! change (debounced) and come back on load. A saved state that cannot be read is moved aside
//! (never deleted) and the user is told.

use std::time::Duration;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::state::{AppState, Origin};

/// Where the working state is saved.
pub const KEY: &str = "headroom.autosave.v1";
/// Where an unreadable saved state is kept (with a timestamp suffix).
pub const ASIDE_PREFIX: &str = "headroom.autosave.unreadable.";
const DEBOUNCE: Duration = Duration::from_millis(300);

/// What is saved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    pub origin_name: String,
    pub origin_doc: Value,
    pub doc: Value,
    #[serde(default)]
    pub stress: Vec<String>,
}

/// The outcome of reading the saved state.
#[derive(Debug, PartialEq)]
pub enum Restored {
    Nothing,
    State(Saved),
    /// Unreadable; kept under this key.
    Unreadable {
        kept_as: String,
        error: String,
    },
}

/// Parses saved text (pure, for tests).
pub fn parse(text: &str) -> Result<Saved, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads the saved state, moving it aside if it cannot be read.
pub fn restore() -> Restored {
    let Some(store) = storage() else {
        return Restored::Nothing;
    };
    let Ok(Some(text)) = store.get_item(KEY) else {
        return Restored::Nothing;
    };
    match parse(&text) {
        Ok(saved) => Restored::State(saved),
        Err(error) => {
            let kept_as = format!("{ASIDE_PREFIX}{}", js_sys::Date::now() as u64);
            let _ = store.set_item(&kept_as, &text);
            Restored::Unreadable { kept_as, error }
        }
    }
}

/// Saves the state after every change, debounced.
pub fn install(state: AppState) {
    let ticket = StoredValue::new(0u64);
    Effect::new(move |first: Option<()>| {
        let saved = Saved {
            origin_name: state.origin.with(|o| o.name.clone()),
            origin_doc: state.origin.with(|o| o.doc.clone()),
            doc: state.doc.get(),
            stress: state.stress.get(),
        };
        if first.is_none() {
            // Nothing changed yet: the state was just restored (or is the default).
            return;
        }
        ticket.update_value(|t| *t += 1);
        let mine = ticket.get_value();
        set_timeout(
            move || {
                if ticket.get_value() == mine {
                    save_now(&saved);
                }
            },
            DEBOUNCE,
        );
    });
}

/// Saves `saved` now (not debounced): used when a shared link replaces the working state,
/// so the autosave and the page agree even if the page is closed at once.
pub fn save_now(saved: &Saved) {
    if let (Some(store), Ok(text)) = (storage(), serde_json::to_string(saved))
        && let Err(e) = store.set_item(KEY, &text)
    {
        web_sys::console::warn_2(&"autosave failed:".into(), &e);
    }
}

impl Saved {
    /// The current state (read without tracking).
    pub fn of(state: &AppState) -> Saved {
        Saved {
            origin_name: state.origin.with_untracked(|o| o.name.clone()),
            origin_doc: state.origin.with_untracked(|o| o.doc.clone()),
            doc: state.doc.get_untracked(),
            stress: state.stress.get_untracked(),
        }
    }

    /// Puts this saved state back as the working state.
    pub fn apply(&self, state: &AppState) {
        state.load(self.origin());
        state.doc.set(self.doc.clone());
        state.stress.set(self.stress.clone());
    }

    pub fn origin(&self) -> Origin {
        Origin {
            name: self.origin_name.clone(),
            doc: self.origin_doc.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_state_round_trips_and_garbage_is_an_error() {
        let saved = Saved {
            origin_name: "three-lane.toml".into(),
            origin_doc: serde_json::json!({"name": "x"}),
            doc: serde_json::json!({"name": "y"}),
            stress: vec!["s".into()],
        };
        let text = serde_json::to_string(&saved).unwrap();
        assert_eq!(parse(&text), Ok(saved));
        assert!(parse("{not json").is_err());
        assert!(parse(r#"{"doc": 1}"#).is_err());
    }
}
