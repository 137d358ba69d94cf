//! The working scenario as an editable JSON document, addressed by the engine's field paths.
//!
//! The UI edits a `serde_json::Value`, not the typed `Scenario`: a half-typed or invalid value
//! must stay exactly as the user left it (nothing they typed is lost), and the engine's
//! diagnostics name fields with the same paths these helpers take (`providers[2].lead_time_weeks`),
//! so a diagnostic lands next to the input that shows that path.

use serde_json::{Map, Value};

/// One step of a field path: a table key or a list index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// Split `a.b[2].c` into segments; `None` for a malformed path.
pub fn parse_path(path: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out.push(Seg::Key(key.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']')?;
            out.push(Seg::Index(stripped[..end].parse().ok()?));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return None;
        }
    }
    Some(out)
}

/// The value at `path`, if there is one.
pub fn get<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    parse_path(path)?.iter().try_fold(doc, |v, seg| match seg {
        Seg::Key(k) => v.get(k.as_str()),
        Seg::Index(i) => v.get(*i),
    })
}

/// Set the value at `path`, creating missing tables on the way (lists must already exist).
/// Setting `Value::Null` removes a table key (the engine then uses its default).
pub fn set(doc: &mut Value, path: &str, value: Value) -> bool {
    let Some(segs) = parse_path(path) else {
        return false;
    };
    let Some((last, parents)) = segs.split_last() else {
        *doc = value;
        return true;
    };
    let mut cur = doc;
    for seg in parents {
        cur = match seg {
            Seg::Key(k) => {
                if !cur.is_object() {
                    *cur = Value::Object(Map::new());
                }
                cur.as_object_mut()
                    .map(|m| {
                        m.entry(k.clone())
                            .or_insert_with(|| Value::Object(Map::new()))
                    })
                    .expect("object")
            }
            Seg::Index(i) => match cur.get_mut(*i) {
                Some(v) => v,
                None => return false,
            },
        };
    }
    match last {
        Seg::Key(k) => {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            let map = cur.as_object_mut().expect("object");
            if value.is_null() {
                map.remove(k);
            } else {
                map.insert(k.clone(), value);
            }
            true
        }
        Seg::Index(i) => match cur.get_mut(*i) {
            Some(slot) => {
                *slot = value;
                true
            }
            None => false,
        },
    }
}

/// Append `item` to the list at `path` (created when missing); returns the new item's path.
pub fn push(doc: &mut Value, path: &str, item: Value) -> Option<String> {
    let len = match get(doc, path) {
        Some(Value::Array(a)) => a.len(),
        None => {
            set(doc, path, Value::Array(Vec::new()));
            0
        }
        Some(_) => return None,
    };
    let list = get_mut(doc, path)?.as_array_mut()?;
    list.push(item);
    Some(format!("{path}[{len}]"))
}

/// Remove the list item at `path` (`…[i]`).
pub fn remove(doc: &mut Value, path: &str) -> bool {
    let Some(mut segs) = parse_path(path) else {
        return false;
    };
    let Some(Seg::Index(i)) = segs.pop() else {
        return false;
    };
    let parent = segs_to_path(&segs);
    match get_mut(doc, &parent).and_then(Value::as_array_mut) {
        Some(list) if i < list.len() => {
            list.remove(i);
            true
        }
        _ => false,
    }
}

/// Insert a copy of the list item at `path` right after it, renaming it `"<name> (copy)"` when
/// it has a name (names must stay unique). Returns the copy's path.
pub fn duplicate(doc: &mut Value, path: &str) -> Option<String> {
    let mut segs = parse_path(path)?;
    let Some(Seg::Index(i)) = segs.pop() else {
        return None;
    };
    let parent = segs_to_path(&segs);
    let list = get_mut(doc, &parent)?.as_array_mut()?;
    let mut copy = list.get(i)?.clone();
    if let Some(Value::String(name)) = copy.get_mut("name") {
        let base = name.clone();
        let mut n = 1;
        let taken = |cand: &str| {
            list.iter()
                .any(|v| v.get("name").and_then(Value::as_str) == Some(cand))
        };
        let mut candidate = format!("{base} (copy)");
        while taken(&candidate) {
            n += 1;
            candidate = format!("{base} (copy {n})");
        }
        *name = candidate;
    }
    list.insert(i + 1, copy);
    Some(format!("{parent}[{}]", i + 1))
}

fn get_mut<'a>(doc: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    parse_path(path)?.iter().try_fold(doc, |v, seg| match seg {
        Seg::Key(k) => v.get_mut(k.as_str()),
        Seg::Index(i) => v.get_mut(*i),
    })
}

fn segs_to_path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for s in segs {
        match s {
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Whether a diagnostic at `diag_path` concerns the field at `field_path` or something inside it.
pub fn concerns(diag_path: &str, field_path: &str) -> bool {
    diag_path == field_path
        || diag_path
            .strip_prefix(field_path)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_round_trip() {
        let segs = parse_path("providers[2].lead_time_weeks").unwrap();
        assert_eq!(
            segs,
            vec![
                Seg::Key("providers".into()),
                Seg::Index(2),
                Seg::Key("lead_time_weeks".into())
            ]
        );
        assert_eq!(segs_to_path(&segs), "providers[2].lead_time_weeks");
        assert!(parse_path("a[x]").is_none());
        assert!(parse_path("a[1]b").is_none());
    }

    #[test]
    fn get_set_push_remove_duplicate() {
        let mut d = json!({ "providers": [{ "name": "a", "reserved_price": 2 }] });
        assert_eq!(get(&d, "providers[0].name"), Some(&json!("a")));
        assert!(set(&mut d, "providers[0].outages.rate_per_year", json!(3)));
        assert_eq!(
            get(&d, "providers[0].outages.rate_per_year"),
            Some(&json!(3))
        );
        assert!(set(&mut d, "providers[0].outages", Value::Null));
        assert!(get(&d, "providers[0].outages").is_none());
        assert!(
            !set(&mut d, "providers[5].name", json!("x")),
            "lists are not grown by set"
        );
        assert_eq!(
            push(&mut d, "portfolios", json!({ "name": "p" })).as_deref(),
            Some("portfolios[0]")
        );
        assert_eq!(
            duplicate(&mut d, "providers[0]").as_deref(),
            Some("providers[1]")
        );
        assert_eq!(get(&d, "providers[1].name"), Some(&json!("a (copy)")));
        assert_eq!(
            duplicate(&mut d, "providers[0]").as_deref(),
            Some("providers[1]")
        );
        assert_eq!(get(&d, "providers[1].name"), Some(&json!("a (copy 2)")));
        assert!(remove(&mut d, "providers[0]"));
        assert_eq!(d["providers"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn diagnostics_attach_to_fields_and_their_children() {
        assert!(concerns("providers[2].lead_time_weeks", "providers[2]"));
        assert!(concerns("providers[2]", "providers[2]"));
        assert!(!concerns("providers[20].name", "providers[2]"));
    }
}
