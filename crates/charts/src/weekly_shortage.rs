//! Weekly shortage probability per portfolio, with its Monte Carlo uncertainty.

use engine::report::Report;
use plotters::element::Polygon;
use plotters::series::LineSeries;
use plotters::style::Color;

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, Swatch};
use crate::style::Style;
use crate::theme;

pub(crate) const TITLE: &str = "Weekly shortage probability";

/// One week of one portfolio, in %: (estimate, estimate - 2 se, estimate + 2 se).
type Point = (f64, f64, f64);

/// P(shortage) per week for each shown portfolio (lines, in %), with a light ±2 standard-error
/// band so the audience sees which bumps are noise.
pub fn weekly_shortage(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let legend = frame::portfolio_legend(
            report,
            &selected,
            Swatch::Line,
            &[("±2 s.e.", Swatch::Band)],
        );
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;

        // Percent, clamped to what a probability can be.
        let pct = |v: f64| (or_zero(v) * 100.0).clamp(0.0, 100.0);
        let series: Vec<(usize, Vec<Point>)> = selected
            .iter()
            .map(|&i| {
                let p = &report.portfolios[i];
                let points = p
                    .weekly_shortage_probability
                    .iter()
                    .enumerate()
                    .map(|(w, &q)| {
                        let se = p
                            .weekly_shortage_probability_se
                            .get(w)
                            .copied()
                            .unwrap_or(0.0);
                        let se = or_zero(se).abs();
                        (pct(q), pct(q - 2.0 * se), pct(q + 2.0 * se))
                    })
                    .collect();
                (i, points)
            })
            .collect();
        let weeks = series.iter().map(|s| s.1.len()).max().unwrap_or(0);
        if weeks == 0 || report.paths == 0 {
            return frame::no_data(&plot, theme, "No weekly data: the report has no paths.");
        }

        let mut y = Extent::default();
        for (_, points) in &series {
            y.extend(points.iter().map(|p| p.2));
        }
        let mut y_range = y.range(0.08, true);
        y_range.end = y_range.end.min(100.0);
        let mut chart = axes::cartesian(
            &plot,
            theme,
            &Axes {
                x: 1.0..(weeks as f64).max(2.0),
                y: y_range,
                x_desc: "week",
                y_desc: "P(shortage) in week (%)",
                x_fmt: &axes::week_label,
                y_fmt: &|v| format::percent(*v),
                grid: Grid::Horizontal,
            },
        )?;

        let week = |w: usize| (w + 1) as f64;
        for (i, points) in &series {
            let colour = theme::portfolio_colour(*i);
            let upper = points.iter().enumerate().map(|(w, p)| (week(w), p.2));
            let lower = points.iter().enumerate().rev().map(|(w, p)| (week(w), p.1));
            chart.draw_series(std::iter::once(Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                colour.mix(0.15).filled(),
            )))?;
        }
        // Lines after all bands so no band veils another portfolio's line.
        for (i, points) in &series {
            chart.draw_series(LineSeries::new(
                points.iter().enumerate().map(|(w, p)| (week(w), p.0)),
                theme.stroke(theme::portfolio_colour(*i)),
            ))?;
        }
        Ok(())
    })
}
