//! Presentation mode: full screen, large type, editors hidden. Keys: `p` toggles, `Esc` leaves,
//! ←/→ step through portfolios (highlighting one), ↑/↓ step through stress tests (none, then
//! each in turn).

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::dashboard::ViewState;
use crate::runner::Runner;
use crate::state::AppState;

/// Next position when stepping `delta` through `-1..len` (−1 is "none"), wrapping around.
pub fn step(current: Option<usize>, len: usize, delta: i32) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let slots = len as i64 + 1;
    let pos = current.map_or(0, |c| c as i64 + 1);
    let next = (pos + i64::from(delta)).rem_euclid(slots);
    (next > 0).then(|| (next - 1) as usize)
}

/// Step through the portfolios only (no "none" slot), wrapping around.
pub fn step_portfolio(current: Option<usize>, shown: &[usize], delta: i32) -> Option<usize> {
    if shown.is_empty() {
        return None;
    }
    let n = shown.len() as i64;
    let pos = match current.and_then(|c| shown.iter().position(|&x| x == c)) {
        Some(p) => (p as i64 + i64::from(delta)).rem_euclid(n),
        None if delta < 0 => n - 1,
        None => 0,
    };
    Some(shown[pos as usize])
}

/// Names of the stress tests of the working document (read even while it is invalid).
pub fn stress_names(state: &AppState) -> Vec<String> {
    state.doc.with(|d| {
        d.get("stress_tests")
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|t| t.get("name")?.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    })
}

fn call_method(target: &JsValue, name: &str) {
    let Ok(f) = js_sys::Reflect::get(target, &name.into()) else {
        return;
    };
    let Some(f) = f.dyn_ref::<js_sys::Function>() else {
        return;
    };
    // Fullscreen may be refused (no user gesture, iframe without permission): presentation
    // mode still works in the window, so a rejection is swallowed rather than logged.
    if let Ok(p) = f.call0(target)
        && let Ok(p) = p.dyn_into::<js_sys::Promise>()
    {
        let ignore = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| {});
        let _ = p.catch(&ignore);
        ignore.forget();
    }
}

fn fullscreen_element() -> bool {
    document().fullscreen_element().is_some()
}

/// Enters or leaves presentation mode.
pub fn set_presenting(state: AppState, on: bool) {
    if on == state.presenting.get_untracked() {
        return;
    }
    state.presenting.set(on);
    if on {
        if let Some(root) = document().document_element() {
            call_method(&root, "requestFullscreen");
        }
    } else if fullscreen_element() {
        call_method(&document(), "exitFullscreen");
    }
}

fn typing_in_a_field(e: &web_sys::KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| {
            matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || el.closest("[contenteditable]").ok().flatten().is_some()
        })
}

/// Installs the keys, the `<body>` class and the full-screen exit handling.
pub fn install(state: AppState, view: ViewState, runner: Runner) {
    Effect::new(move |_| {
        let on = state.presenting.get();
        if let Some(body) = document().body() {
            let _ = body.class_list().toggle_with_force("presenting", on);
        }
        if !on {
            view.highlight.set(None);
        }
    });

    // Leaving full screen with the browser's own Esc handling also leaves presentation mode.
    let on_fs = Closure::<dyn FnMut()>::new(move || {
        if !fullscreen_element() && state.presenting.get_untracked() {
            state.presenting.set(false);
        }
    });
    let _ = document()
        .add_event_listener_with_callback("fullscreenchange", on_fs.as_ref().unchecked_ref());
    on_fs.forget();

    let _ = window_event_listener(ev::keydown, move |e: web_sys::KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() || typing_in_a_field(&e) {
            return;
        }
        let presenting = state.presenting.get_untracked();
        match e.key().as_str() {
            "p" | "P" => {
                e.prevent_default();
                set_presenting(state, !presenting);
            }
            "Escape" if presenting => set_presenting(state, false),
            "ArrowRight" | "ArrowLeft" if presenting => {
                e.prevent_default();
                let delta = if e.key() == "ArrowRight" { 1 } else { -1 };
                let n = runner
                    .report
                    .with_untracked(|r| r.as_ref().map_or(0, |r| r.portfolios.len()));
                let shown = view.visible(n);
                view.highlight.set(step_portfolio(
                    view.highlight.get_untracked(),
                    &shown,
                    delta,
                ));
            }
            "ArrowDown" | "ArrowUp" if presenting => {
                e.prevent_default();
                let delta = if e.key() == "ArrowDown" { 1 } else { -1 };
                let names = stress_names(&state);
                let current = state.stress.with_untracked(|s| {
                    if s.len() == 1 {
                        names.iter().position(|n| *n == s[0])
                    } else {
                        None
                    }
                });
                let next = step(current, names.len(), delta);
                state
                    .stress
                    .set(next.map(|i| vec![names[i].clone()]).unwrap_or_default());
            }
            _ => {}
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stress_steps_go_through_none_then_each() {
        assert_eq!(step(None, 2, 1), Some(0));
        assert_eq!(step(Some(0), 2, 1), Some(1));
        assert_eq!(step(Some(1), 2, 1), None);
        assert_eq!(step(None, 2, -1), Some(1));
        assert_eq!(step(None, 0, 1), None);
    }

    #[test]
    fn portfolio_steps_wrap() {
        let shown = [0, 2, 3];
        assert_eq!(step_portfolio(None, &shown, 1), Some(0));
        assert_eq!(step_portfolio(Some(0), &shown, 1), Some(2));
        assert_eq!(step_portfolio(Some(3), &shown, 1), Some(0));
        assert_eq!(step_portfolio(None, &shown, -1), Some(3));
        assert_eq!(step_portfolio(None, &[], 1), None);
    }
}
