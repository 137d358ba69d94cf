//! Working scenarios kept aside when a shared link replaces them. Opening a colleague's link
//! makes it the working scenario (that is what the person clicking it wants to see, and it is
//! autosaved like any other), but one's own unsaved work must not disappear: the replaced
//! state goes to `localStorage` under [`KEY`] (the last [`MAX_KEPT`], newest first), and the
//! link notice offers to restore it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::autosave::Saved;
use crate::library;

/// Where the kept-aside states are stored (a JSON array, newest first).
pub const KEY: &str = "headroom.autosave.aside.v1";
/// How many are kept; older ones are dropped.
pub const MAX_KEPT: usize = 5;

/// One kept-aside working state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Kept {
    /// When it was kept (milliseconds since 1970, for people reading the storage).
    pub at_ms: f64,
    pub saved: Saved,
}

/// Whether replacing `current` by a link's document loses anything: not when it is the same
/// document, nor when it is an unmodified library scenario (one click brings that back).
pub fn worth_keeping(current: &Saved, incoming: &Value) -> bool {
    let pristine = library::contains(&current.origin_name) && current.doc == current.origin_doc;
    current.doc != *incoming && !pristine
}

/// Adds `kept` in front, without duplicates (the same state kept twice stays once, with the
/// newer time), and drops the oldest beyond [`MAX_KEPT`].
pub fn push(mut list: Vec<Kept>, kept: Kept) -> Vec<Kept> {
    list.retain(|k| k.saved != kept.saved);
    list.insert(0, kept);
    list.truncate(MAX_KEPT);
    list
}

/// Reads the stored list.
pub fn parse(text: &str) -> Result<Vec<Kept>, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// How a kept state is named to the user: its scenario's name, else where it came from.
pub fn label(saved: &Saved) -> String {
    saved
        .doc
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .unwrap_or(&saved.origin_name)
        .to_owned()
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The stored list; an unreadable one is moved aside (never deleted), like the autosave.
fn read(store: &web_sys::Storage) -> Vec<Kept> {
    let Ok(Some(text)) = store.get_item(KEY) else {
        return Vec::new();
    };
    parse(&text).unwrap_or_else(|_| {
        let moved = format!("{KEY}.unreadable.{}", js_sys::Date::now() as u64);
        let _ = store.set_item(&moved, &text);
        Vec::new()
    })
}

fn write(store: &web_sys::Storage, list: &[Kept]) -> Result<(), String> {
    let text = serde_json::to_string(list).map_err(|e| e.to_string())?;
    store.set_item(KEY, &text).map_err(|e| format!("{e:?}"))
}

/// Keeps `saved` aside. An error means it could not be stored (no storage, quota).
pub fn keep(saved: Saved) -> Result<(), String> {
    let store = storage().ok_or("this browser does not allow local storage")?;
    let list = push(
        read(&store),
        Kept {
            at_ms: js_sys::Date::now(),
            saved,
        },
    );
    write(&store, &list)
}

/// The newest kept state, removed from the list.
pub fn take_newest() -> Option<Saved> {
    let store = storage()?;
    let mut list = read(&store);
    if list.is_empty() {
        return None;
    }
    let newest = list.remove(0);
    write(&store, &list).ok()?;
    Some(newest.saved)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn saved(origin: &str, doc: Value) -> Saved {
        Saved {
            origin_name: origin.into(),
            origin_doc: json!({"name": "library"}),
            doc,
            stress: vec![],
        }
    }

    #[test]
    fn only_work_that_would_be_lost_is_kept() {
        let link = json!({"name": "from a link"});
        let pristine = saved("three-lane.toml", json!({"name": "library"}));
        assert!(!worth_keeping(&pristine, &link));
        let edited = saved("three-lane.toml", json!({"name": "mine"}));
        assert!(worth_keeping(&edited, &link));
        assert!(!worth_keeping(&edited, &json!({"name": "mine"})));
        let imported = saved("my-file.toml", json!({"name": "library"}));
        assert!(worth_keeping(&imported, &link));
    }

    #[test]
    fn the_list_is_newest_first_bounded_and_without_duplicates() {
        let kept = |i: i32| Kept {
            at_ms: f64::from(i),
            saved: saved("x.toml", json!({ "name": format!("s{i}") })),
        };
        let mut list = Vec::new();
        for i in 0..8 {
            list = push(list, kept(i));
        }
        assert_eq!(list.len(), MAX_KEPT);
        assert_eq!(label(&list[0].saved), "s7");
        assert_eq!(label(&list[MAX_KEPT - 1].saved), "s3");
        let mut again = kept(5);
        again.at_ms = 99.0;
        let list = push(list, again);
        assert_eq!(list.len(), MAX_KEPT);
        assert_eq!((label(&list[0].saved), list[0].at_ms), ("s5".into(), 99.0));
        assert_eq!(list.iter().filter(|k| label(&k.saved) == "s5").count(), 1);
        let text = serde_json::to_string(&list).unwrap();
        assert_eq!(parse(&text), Ok(list));
        assert!(parse("{").is_err());
    }

    #[test]
    fn labels_fall_back_to_the_origin() {
        assert_eq!(
            label(&saved("mine.toml", json!({"name": "  "}))),
            "mine.toml"
        );
        assert_eq!(label(&saved("mine.toml", json!({}))), "mine.toml");
    }
}
