//! Headroom web UI (Leptos, client-side rendered). A library so the dashboard's building
//! blocks (the worker bridge, components) are public, documented and unit-testable
//! natively; `main.rs` only mounts [`app::App`].

pub mod app;
pub mod autosave;
pub mod dashboard;
pub mod decide;
pub mod doc;
pub mod editors;
pub mod export;
pub mod import;
pub mod library;
pub mod present;
pub mod runner;
pub mod share;
pub mod state;
pub mod worker_bridge;

/// Mounts the application on `<body>`, or only the embedded view when the address asks for
/// one (`?embed=…`, see `share::embed`).
pub fn start() {
    // Panics would otherwise surface only as an opaque "unreachable" trap.
    console_error_panic_hook::set_once();
    match share::embed::requested() {
        Some(target) => share::embed::start(target),
        None => leptos::mount::mount_to_body(app::App),
    }
}
