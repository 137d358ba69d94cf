//! Weekly cost P10-P50-P90 per portfolio.

use engine::report::Report;
use plotters::element::Polygon;
use plotters::series::LineSeries;
use plotters::style::Color;

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, Swatch};
use crate::style::Style;
use crate::theme;

pub(crate) const TITLE: &str = "Weekly cost";

/// Weekly spend per shown portfolio: P50 line with a light P10-P90 band.
pub fn weekly_cost_bands(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let legend = frame::portfolio_legend(
            report,
            &selected,
            Swatch::Line,
            &[("P50, band P10–P90", Swatch::Band)],
        );
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;

        let weeks = selected
            .iter()
            .map(|&i| report.portfolios[i].weekly_cost.p50.len())
            .max()
            .unwrap_or(0);
        if weeks == 0 || report.paths == 0 {
            return frame::no_data(&plot, theme, "No weekly data: the report has no paths.");
        }
        let mut y = Extent::default();
        for &i in &selected {
            let b = &report.portfolios[i].weekly_cost;
            y.extend(b.p10.iter().chain(&b.p50).chain(&b.p90).copied());
        }
        let mut chart = axes::cartesian(
            &plot,
            theme,
            &Axes {
                x: 1.0..(weeks as f64).max(2.0),
                y: y.range(0.05, true),
                x_desc: "week",
                y_desc: "cost per week ($)",
                x_fmt: &axes::week_label,
                y_fmt: &|v| format::money(*v),
                grid: Grid::Horizontal,
            },
        )?;

        let week = |w: usize| (w + 1) as f64;
        for &i in &selected {
            let b = &report.portfolios[i].weekly_cost;
            let n = b.p10.len().min(b.p90.len());
            if n == 0 {
                continue;
            }
            let upper = (0..n).map(|w| (week(w), or_zero(b.p90[w])));
            let lower = (0..n).rev().map(|w| (week(w), or_zero(b.p10[w])));
            chart.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                theme::portfolio_colour(i).mix(0.15).filled(),
            )))?;
        }
        for &i in &selected {
            let b = &report.portfolios[i].weekly_cost;
            chart.draw_series(LineSeries::new(
                b.p50
                    .iter()
                    .enumerate()
                    .map(|(w, v)| (week(w), or_zero(*v))),
                theme.stroke(theme::portfolio_colour(i)),
            ))?;
        }
        Ok(())
    })
}
