//! Generic field components bound to a field path of the working document.
//!
//! Every input has a `<label>`, shows its unit, and writes to the document on each edit
//! (`AppState::edit`). Each field's wrapper carries `data-path` (used by the diagnostics summary
//! to focus it) and lists the engine's diagnostics about that path (`data-testid="diag-<path>"`).
//! Number inputs keep the raw text: text that is not a number stays in the input, is marked
//! "not a number" and is not written; numbers the engine rejects are written, and the engine's
//! diagnostic shows next to the field.

use engine::Diagnostic;
use leptos::prelude::*;
use serde_json::Value;

use super::logic::{
    DistKind, Parsed, display_value, dist_kind, names, number_value, parse_number, switch_kind,
    text_matches, tidy,
};
use crate::state::use_state;

/// A DOM id for the input of the field at `path`.
pub fn field_id(path: &str) -> String {
    let mut id = String::from("f-");
    id.extend(
        path.chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }),
    );
    id
}

/// The diagnostics in `all` about `path` (and its children unless `exact`).
fn select_diags(all: &[Diagnostic], path: &str, exact: &[String]) -> Vec<Diagnostic> {
    all.iter()
        .filter(|d| {
            if exact.is_empty() {
                crate::doc::concerns(&d.path, path)
            } else {
                exact.contains(&d.path)
            }
        })
        .cloned()
        .collect()
}

/// Render diagnostics (as text: messages may quote untrusted input).
pub fn diag_items(diags: Vec<Diagnostic>) -> impl IntoView {
    diags
        .into_iter()
        .map(|d| {
            view! {
                <li>
                    <span class="diag-msg">{d.message}</span>
                    {d.hint.map(|h| view! { <span class="diag-hint">{h}</span> })}
                </li>
            }
        })
        .collect_view()
}

/// The engine's diagnostics about `path` (or only those at exactly the paths in `exact`).
#[component]
pub fn DiagList(
    #[prop(into)] path: String,
    /// When not empty: show only diagnostics at exactly these paths.
    #[prop(optional)]
    exact: Vec<String>,
) -> impl IntoView {
    let state = use_state();
    let p = path.clone();
    let diags = Memo::new(move |_| {
        state.checked.with(|c| match c {
            Ok(_) => Vec::new(),
            Err(all) => select_diags(all, &p, &exact),
        })
    });
    let testid = format!("diag-{path}");
    let id = format!("{}-diag", field_id(&path));
    move || {
        let list = diags.get();
        (!list.is_empty()).then(|| {
            view! {
                <ul class="diags" role="alert" id=id.clone() data-testid=testid.clone()>
                    {diag_items(list)}
                </ul>
            }
        })
    }
}

/// Whether the engine has diagnostics about `path`.
fn has_diags(path: String) -> Memo<bool> {
    let state = use_state();
    Memo::new(move |_| !state.diagnostics_for(&path).is_empty())
}

/// A number (or whole number) with a unit and an optional slider.
#[component]
pub fn NumberField(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] unit: String,
    /// Whole numbers (weeks, paths, seed).
    #[prop(optional)]
    integer: bool,
    /// A slider over this range.
    #[prop(optional)]
    slider: Option<(f64, f64)>,
    /// A slider from 0 to 4x the value when the field is first shown (GPU counts).
    #[prop(optional)]
    slider_x4: bool,
    /// Shown when empty: what the engine uses then.
    #[prop(into, optional)]
    placeholder: String,
) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let current = Memo::new(move |_| state.value(&p));
    let text = RwSignal::new(
        current.with_untracked(|v| v.as_ref().map(display_value).unwrap_or_default()),
    );
    let local = RwSignal::new(None::<&'static str>);
    // The document changed under the input (load, undo, another control): show its value,
    // unless the text already stands for it (e.g. "1." while typing 1.5).
    Effect::new(move |_| {
        current.with(|v| {
            if !text_matches(&text.get_untracked(), v.as_ref()) {
                text.set(v.as_ref().map(display_value).unwrap_or_default());
                local.set(None);
            }
        })
    });
    let p = path.clone();
    let on_input = move |ev| {
        let t = event_target_value(&ev);
        text.set(t.clone());
        match parse_number(&t) {
            Parsed::Invalid => local.set(Some("not a number")),
            Parsed::Empty => {
                local.set(None);
                state.edit(&p, Value::Null);
            }
            Parsed::Number(v) => {
                local.set(None);
                state.edit(&p, number_value(v));
            }
        }
    };
    let engine_bad = has_diags(path.clone());
    let invalid = move || local.get().is_some() || engine_bad.get();
    let slider = slider.or_else(|| {
        slider_x4.then(|| {
            let v = current.with_untracked(|v| v.as_ref().and_then(Value::as_f64));
            (0.0, (v.unwrap_or(0.0) * 4.0).max(10.0).ceil())
        })
    });
    let p = path.clone();
    let slider_view = slider.map(|(lo, hi)| {
        let step = if integer {
            1.0
        } else {
            tidy((hi - lo) / 200.0)
        };
        view! {
            <input
                type="range"
                class="slider"
                min=lo
                max=hi
                step=step
                aria-label=format!("{label} (slider)")
                prop:value=move || {
                    current.with(|v| v.as_ref().and_then(Value::as_f64).unwrap_or(lo)).to_string()
                }
                on:input=move |ev| {
                    if let Parsed::Number(v) = parse_number(&event_target_value(&ev)) {
                        let v = if integer { v.round() } else { tidy(v) };
                        text.set(display_value(&number_value(v)));
                        local.set(None);
                        state.edit(&p, number_value(v));
                    }
                }
            />
        }
    });
    let note_id = format!("{id}-note");
    let described = format!("{note_id} {id}-diag");
    let dp = path.clone();
    view! {
        <div class="field number" class:invalid=invalid data-path=dp>
            <label for=id.clone()>{label.clone()}</label>
            <div class="control">
                <input
                    id=id.clone()
                    type="text"
                    inputmode=if integer { "numeric" } else { "decimal" }
                    autocomplete="off"
                    placeholder=placeholder
                    prop:value=move || text.get()
                    on:input=on_input
                    aria-invalid=move || if invalid() { "true" } else { "false" }
                    aria-describedby=described
                />
                <span class="unit">{unit}</span>
                {slider_view}
            </div>
            {move || {
                local
                    .get()
                    .map(|m| {
                        view! {
                            <p class="local-note" id=note_id.clone() data-testid="not-a-number">
                                {m}
                            </p>
                        }
                    })
            }}
            <DiagList path=path />
        </div>
    }
}

/// A text field (`multiline`: a text area). `optional`: an empty text removes the field.
#[component]
pub fn TextField(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    #[prop(optional)] optional: bool,
    #[prop(optional)] multiline: bool,
) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let current = Memo::new(move |_| {
        state
            .value(&p)
            .map(|v| display_value(&v))
            .unwrap_or_default()
    });
    let p = path.clone();
    let write = move |t: String| {
        let v = if optional && t.is_empty() {
            Value::Null
        } else {
            Value::String(t)
        };
        state.edit(&p, v);
    };
    let invalid = has_diags(path.clone());
    let aria = move || if invalid.get() { "true" } else { "false" };
    let described = format!("{id}-diag");
    let input = if multiline {
        view! {
            <textarea
                id=id.clone()
                rows="2"
                prop:value=move || current.get()
                on:input=move |ev| write(event_target_value(&ev))
                aria-invalid=aria
                aria-describedby=described
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type="text"
                autocomplete="off"
                prop:value=move || current.get()
                on:input=move |ev| write(event_target_value(&ev))
                aria-invalid=aria
                aria-describedby=described
            />
        }
        .into_any()
    };
    let dp = path.clone();
    view! {
        <div class="field text" class:invalid=move || invalid.get() data-path=dp>
            <label for=id>{label}</label>
            <div class="control">{input}</div>
            <DiagList path=path />
        </div>
    }
}

/// A true/false field.
#[component]
pub fn CheckField(#[prop(into)] path: String, #[prop(into)] label: String) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let checked = Memo::new(move |_| state.value(&p).and_then(|v| v.as_bool()).unwrap_or(false));
    let p = path.clone();
    let dp = path.clone();
    view! {
        <div class="field check" data-path=dp>
            <input
                id=id.clone()
                type="checkbox"
                prop:checked=move || checked.get()
                on:change=move |ev| state.edit(&p, Value::Bool(event_target_checked(&ev)))
            />
            <label for=id>{label}</label>
            <DiagList path=path />
        </div>
    }
}

/// A choice among `options` (value, label). `empty`: label of a "none" choice that removes the
/// field. A value not among the options (e.g. a renamed provider) stays selected and marked.
#[component]
pub fn SelectField(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] empty: Option<&'static str>,
) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let current = Memo::new(move |_| {
        state
            .value(&p)
            .map(|v| display_value(&v))
            .unwrap_or_default()
    });
    let p = path.clone();
    let invalid = has_diags(path.clone());
    let described = format!("{id}-diag");
    let dp = path.clone();
    view! {
        <div class="field select" class:invalid=move || invalid.get() data-path=dp>
            <label for=id.clone()>{label}</label>
            <div class="control">
                <select
                    id=id
                    aria-invalid=move || if invalid.get() { "true" } else { "false" }
                    aria-describedby=described
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        state.edit(&p, if v.is_empty() { Value::Null } else { Value::String(v) });
                    }
                >
                    {move || {
                        let cur = current.get();
                        let mut opts = options.get();
                        if let Some(e) = empty {
                            opts.insert(0, (String::new(), e.to_string()));
                        } else if cur.is_empty() {
                            opts.insert(0, (String::new(), "— choose —".to_string()));
                        }
                        if !cur.is_empty() && !opts.iter().any(|(v, _)| *v == cur) {
                            opts.push((cur.clone(), format!("{cur} (not defined)")));
                        }
                        opts.into_iter()
                            .map(|(v, l)| {
                                let sel = v == cur;
                                view! { <option value=v prop:selected=sel>{l}</option> }
                            })
                            .collect_view()
                    }}
                </select>
            </div>
            <DiagList path=path />
        </div>
    }
}

/// Names of the items in the list at `list` (`providers`, `workloads`), as select options.
pub fn name_options(list: &'static str) -> Signal<Vec<(String, String)>> {
    let state = use_state();
    let m = Memo::new(move |_| {
        state.doc.with(|d| {
            names(d, list)
                .into_iter()
                .map(|n| (n.clone(), n))
                .collect::<Vec<_>>()
        })
    });
    m.into()
}

/// Fixed options from `(value, label)` pairs.
pub fn static_options(items: &[&str]) -> Signal<Vec<(String, String)>> {
    let v: Vec<(String, String)> = items
        .iter()
        .map(|s| (s.to_string(), s.replace('_', " ")))
        .collect();
    Signal::stored(v)
}

/// A set of names (a list of strings) chosen with checkboxes: workload tiers, group members.
/// `all_when_absent`: an absent list means every option (tiers default to all three).
#[component]
pub fn ChecklistField(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    #[prop(into)] options: Signal<Vec<(String, String)>>,
    #[prop(optional)] all_when_absent: bool,
) -> impl IntoView {
    let state = use_state();
    let p = path.clone();
    let chosen = Memo::new(move |_| match state.value(&p) {
        Some(Value::Array(a)) => Some(a.iter().map(display_value).collect::<Vec<String>>()),
        _ => None,
    });
    let base = field_id(&path);
    let p = path.clone();
    let invalid = has_diags(path.clone());
    let dp = path.clone();
    view! {
        <fieldset class="field checklist" class:invalid=move || invalid.get() data-path=dp>
            <legend>{label}</legend>
            {move || {
                let opts = options.get();
                let order: Vec<String> = opts.iter().map(|(v, _)| v.clone()).collect();
                opts.into_iter()
                    .enumerate()
                    .map(|(i, (v, l))| {
                        let id = format!("{base}-{i}");
                        let p = p.clone();
                        let order = order.clone();
                        let value = v.clone();
                        let is_on = move || {
                            chosen.with(|c| match c {
                                Some(list) => list.contains(&v),
                                None => all_when_absent,
                            })
                        };
                        view! {
                            <span class="check-item">
                                <input
                                    id=id.clone()
                                    type="checkbox"
                                    prop:checked=is_on
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let mut list = chosen.get_untracked().unwrap_or_else(|| {
                                            if all_when_absent { order.clone() } else { Vec::new() }
                                        });
                                        list.retain(|x| *x != value);
                                        if on {
                                            list.push(value.clone());
                                        }
                                        // Keep the options' order; names not among them stay last.
                                        list.sort_by_key(|x| order.iter().position(|o| o == x).unwrap_or(usize::MAX));
                                        state.edit(&p, Value::Array(list.into_iter().map(Value::String).collect()));
                                    }
                                />
                                <label for=id>{l}</label>
                            </span>
                        }
                    })
                    .collect_view()
            }}
            <DiagList path=path />
        </fieldset>
    }
}

/// A distribution: kind dropdown plus the inputs of that kind's parameters. Switching kind
/// builds the new form around the current value (`logic::switch_kind`).
#[component]
pub fn DistField(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    #[prop(into, optional)] unit: String,
    /// Allowed range of the field's values.
    min: f64,
    max: f64,
    /// Engine default (centre used when the field is empty).
    default: f64,
    /// Fraction fields: only bounded kinds.
    #[prop(optional)]
    bounded: bool,
    /// The field may be absent (the engine default applies).
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let kind = Memo::new(move |_| dist_kind(state.value(&p).as_ref()));
    let p = path.clone();
    let on_change = move |ev| {
        let k = DistKind::from_id(&event_target_value(&ev));
        let cur = state.value(&p);
        state.edit(&p, switch_kind(cur.as_ref(), k, min, max, default));
    };
    let choices = move || {
        let cur = kind.get();
        let mut list: Vec<DistKind> = Vec::new();
        if optional {
            list.push(DistKind::Default);
        }
        list.extend(
            DistKind::CHOICES
                .into_iter()
                .filter(|k| !bounded || k.bounded() || k.id() == cur.id()),
        );
        if cur == DistKind::Other || (cur == DistKind::Default && !optional) {
            list.insert(0, cur);
        }
        list.into_iter()
            .map(|k| {
                let label = if k == DistKind::Default {
                    format!("default ({})", display_value(&number_value(default)))
                } else {
                    k.label().to_string()
                };
                view! { <option value=k.id() prop:selected=k.id() == cur.id()>{label}</option> }
            })
            .collect_view()
    };
    let p = path.clone();
    let unit2 = unit.clone();
    let params = move || {
        let k = kind.get();
        let (tag, names) = k.params();
        match (k, tag) {
            (DistKind::Fixed, _) => view! {
                <NumberField path=p.clone() label="value" unit=unit2.clone() />
            }
            .into_any(),
            (DistKind::FixedTable, Some(tag)) => view! {
                <NumberField path=format!("{}.{tag}", p) label="value" unit=unit2.clone() />
            }
            .into_any(),
            (_, Some(tag)) => names
                .iter()
                .map(|n| {
                    let u = if matches!(*n, "alpha" | "beta" | "spread") {
                        String::new()
                    } else {
                        unit2.clone()
                    };
                    view! { <NumberField path=format!("{}.{tag}.{n}", p) label=*n unit=u /> }
                })
                .collect_view()
                .into_any(),
            (DistKind::Other, _) => view! {
                <p class="dist-other">
                    "Unrecognised distribution: "<code>{state.value(&p).map(|v| v.to_string()).unwrap_or_default()}</code>
                </p>
            }
            .into_any(),
            _ => ().into_any(),
        }
    };
    let tag_path = {
        let p = path.clone();
        move |k: DistKind| k.params().0.map(|t| format!("{p}.{t}"))
    };
    let exact: Vec<String> = [Some(path.clone())]
        .into_iter()
        .chain(
            DistKind::CHOICES
                .into_iter()
                .map(tag_path)
                .chain([Some(format!("{path}.fixed"))]),
        )
        .flatten()
        .collect();
    let invalid = has_diags(path.clone());
    let dp = path.clone();
    view! {
        <fieldset class="field dist" class:invalid=move || invalid.get() data-path=dp>
            <legend>{label} {(!unit.is_empty()).then(|| view! { <span class="unit">" (" {unit.clone()} ")"</span> })}</legend>
            <div class="dist-kind">
                <label for=id.clone()>"distribution"</label>
                <select id=id on:change=on_change>{choices}</select>
            </div>
            <div class="dist-params">{params}</div>
            <DiagList path=path exact=exact />
        </fieldset>
    }
}

/// An optional table (`seasonality`, `outages`, `ordering`, ...): a checkbox adds it (from
/// `template`, given the current document) or removes it; its fields show while present.
#[component]
pub fn OptionalTable(
    #[prop(into)] path: String,
    #[prop(into)] label: String,
    template: Callback<Value, Value>,
    children: ChildrenFn,
) -> impl IntoView {
    let state = use_state();
    let id = field_id(&path);
    let p = path.clone();
    let present = Memo::new(move |_| state.value(&p).is_some());
    let p = path.clone();
    let dp = path.clone();
    let exact = vec![path.clone()];
    view! {
        <fieldset class="optional-table" data-path=dp>
            <legend>
                <input
                    id=id.clone()
                    type="checkbox"
                    prop:checked=move || present.get()
                    on:change=move |ev| {
                        let v = if event_target_checked(&ev) {
                            template.run(state.doc.get_untracked())
                        } else {
                            Value::Null
                        };
                        state.edit(&p, v);
                    }
                />
                <label for=id>{label}</label>
            </legend>
            {move || present.get().then(|| view! { <div class="table-fields">{children()}</div> })}
            <DiagList path=path exact=exact />
        </fieldset>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_safe() {
        assert_eq!(
            field_id("providers[2].lead_time_weeks"),
            "f-providers-2--lead-time-weeks"
        );
    }

    #[test]
    fn diags_select_by_prefix_or_exactly() {
        let all = vec![
            Diagnostic::new("providers[0].burst_fill", "a"),
            Diagnostic::new("providers[0].burst_fill.beta", "b"),
            Diagnostic::new("providers[0].burst_fill.beta.sd", "c"),
        ];
        assert_eq!(select_diags(&all, "providers[0].burst_fill", &[]).len(), 3);
        let exact = vec![
            "providers[0].burst_fill".to_string(),
            "providers[0].burst_fill.beta".to_string(),
        ];
        assert_eq!(select_diags(&all, "", &exact).len(), 2);
    }
}
