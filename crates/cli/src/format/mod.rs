//! Rendering a report: a human table, the report as JSON, or one CSV row per portfolio.

pub mod csv;
pub mod decide;
mod grid;
mod human;
pub mod json;
pub mod table;
pub mod terminal;
