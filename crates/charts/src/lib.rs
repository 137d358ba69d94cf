//! Headroom's charts: a [`engine::report::Report`] in, a self-contained SVG string out.
//!
//! Pure Rust on top of plotters' SVG back end, so the same code draws natively (tests, CLI
//! exports) and in the browser (the Leptos dashboard, compiled to `wasm32-unknown-unknown`).
//! Text is real `<text>` so charts scale, measured from built-in font metrics so the layout is
//! the same everywhere (see `text.rs`). Every chart returns an SVG of the requested size even for
//! an empty or odd report; when drawing is impossible it says "Chart unavailable" instead of
//! panicking.
//!
//! Each portfolio keeps one colour (by its index in the report) across all charts. Two charts
//! draw the engine's decision support instead of a report: the optimizer's efficient frontier
//! (`frontier`) and the sensitivity tornado (`tornado`).

mod axes;
mod backend;
mod cost_distribution;
mod cost_vs_risk;
mod demand_fan;
mod format;
mod frame;
mod frontier;
mod provider_mix;
mod style;
mod text;
mod theme;
mod tornado;
mod weekly_cost_bands;
mod weekly_shortage;

pub use cost_distribution::cost_distribution;
pub use cost_vs_risk::cost_vs_risk;
pub use demand_fan::demand_fan;
pub use frontier::frontier;
pub use provider_mix::provider_mix;
pub use style::{MAX_PORTFOLIOS, MAX_SIZE, MIN_SIZE, Style};
pub use tornado::{TORNADO_ROWS, tornado, tornado_title};
pub use weekly_cost_bands::weekly_cost_bands;
pub use weekly_shortage::weekly_shortage;
