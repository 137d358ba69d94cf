//! Sharing and embedding: permalinks (`#hr1.…`, the codec is `crates/share`) that reopen the
//! exact working scenario and run, and embeds (`?embed=chart:demand-fan#hr1.…`) that show one
//! chart, KPI card or the comparisons table in a wiki page's iframe.
//!
//! Pure parts (`target`, `urls`, `open`, the list logic of `aside`) are unit-tested natively;
//! `browser`, `link`, `dialog` and `embed` are the thin browser glue around them. Everything a
//! link carries is untrusted: names are shown as text nodes and escaped in the iframe snippet.

pub mod aside;
pub mod browser;
pub mod dialog;
pub mod embed;
pub mod link;
pub mod open;
pub mod target;
pub mod urls;

pub use dialog::EmbedDialog;
pub use link::{LinkNotices, LinkPanel, ShareButtons, Sharing, use_sharing};
