//! The few browser calls sharing needs: the page address, replacing it without a reload, and
//! the clipboard (which may be missing or refused: callers then show the text to copy by hand).

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

/// The page's address (`location.href`).
pub fn href() -> String {
    web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default()
}

/// The page's fragment, with its `#` (`location.hash`).
pub fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The page's query, with its `?` (`location.search`).
pub fn search() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

/// Replaces the address shown (no reload, no history entry, no `hashchange` event).
pub fn replace_url(url: &str) {
    if let Some(Ok(history)) = web_sys::window().map(|w| w.history())
        && let Err(e) = history.replace_state_with_url(&JsValue::NULL, "", Some(url))
    {
        web_sys::console::warn_2(&"cannot update the address:".into(), &e);
    }
}

/// Puts `text` on the clipboard. The API is missing outside secure contexts and may be
/// refused (permissions, an unfocused page): the error says which.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = js_sys::Reflect::get(&window, &"navigator".into()).unwrap_or_default();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into()).unwrap_or_default();
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("this browser offers no clipboard here")?;
    let promise = write
        .call1(&clipboard, &text.into())
        .map_err(describe)?
        .dyn_into::<js_sys::Promise>()
        .map_err(describe)?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(describe)
}

/// A readable message for a JS error value.
fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "the browser refused".into())
}
