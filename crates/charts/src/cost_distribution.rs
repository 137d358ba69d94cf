//! Total-cost distribution per portfolio as a CDF, with P50, P90 and CVaR95 marked.

use engine::report::Report;
use plotters::element::{Circle, EmptyElement, PathElement, Rectangle, TriangleMarker};
use plotters::series::LineSeries;
use plotters::style::Color;

use crate::axes::{self, Axes, Extent, Grid, clean};
use crate::format;
use crate::frame::{self, Swatch};
use crate::style::Style;
use crate::theme;

pub(crate) const TITLE: &str = "Total cost distribution";

/// The cumulative distribution of total cost for each shown portfolio, from the report's 101
/// quantiles: x is cost ($), y the probability of costing at most that much. P50 and P90 are
/// marked on each curve; CVaR95 (mean of the worst 5% of paths) is marked at the 95% level.
pub fn cost_distribution(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let legend = frame::portfolio_legend(
            report,
            &selected,
            Swatch::Line,
            &[
                ("P50", Swatch::Dot),
                ("P90", Swatch::Square),
                ("CVaR95 (mean of worst 5%)", Swatch::Triangle),
            ],
        );
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;

        let curves: Vec<(usize, Vec<(f64, f64)>)> = selected
            .iter()
            .map(|&i| (i, cdf(&report.portfolios[i].cost.quantiles)))
            .filter(|(_, c)| !c.is_empty())
            .collect();
        if curves.is_empty() || report.paths == 0 {
            return frame::no_data(
                &plot,
                theme,
                "No cost distribution: the report has no paths.",
            );
        }

        let mut x = Extent::default();
        for (i, curve) in &curves {
            x.extend(curve.iter().map(|p| p.0));
            x.add(report.portfolios[*i].cost.cvar95);
        }
        let mut chart = axes::cartesian(
            &plot,
            theme,
            &Axes {
                x: x.range(0.04, false),
                // A little headroom above 100% keeps the top of the curves off the frame.
                y: 0.0..104.0,
                x_desc: "total cost over the horizon ($)",
                y_desc: "P(cost ≤ x) (%)",
                x_fmt: &|v| format::money(*v),
                y_fmt: &|v| format::percent(*v),
                grid: Grid::Horizontal,
            },
        )?;

        // Reference levels, so the markers read as "where each curve crosses P50 / P90".
        let x_range = chart.x_range();
        for level in [50.0, 90.0] {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x_range.start, level), (x_range.end, level)],
                theme::AXIS.mix(0.6).stroke_width(theme.thin),
            )))?;
        }

        for (i, curve) in &curves {
            chart.draw_series(LineSeries::new(
                curve.iter().copied(),
                theme.stroke(theme::portfolio_colour(*i)),
            ))?;
        }

        let m = theme.marker as i32;
        for (i, _) in &curves {
            let colour = theme::portfolio_colour(*i);
            let cost = &report.portfolios[*i].cost;
            if let Some(p50) = clean(cost.p50) {
                chart.draw_series(std::iter::once(Circle::new(
                    (p50, 50.0),
                    theme.marker,
                    colour.filled(),
                )))?;
            }
            if let Some(p90) = clean(cost.p90) {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((p90, 90.0))
                        + Rectangle::new([(-m, -m), (m, m)], colour.filled()),
                ))?;
            }
            if let Some(cvar) = clean(cost.cvar95) {
                chart.draw_series(std::iter::once(TriangleMarker::new(
                    (cvar, 95.0),
                    m + 2,
                    colour.filled(),
                )))?;
            }
        }
        Ok(())
    })
}

/// (cost, cumulative %) points from evenly spaced quantiles, made non-decreasing: rounding in
/// the engine or a hand-edited report must not draw a CDF that goes backwards.
fn cdf(quantiles: &[f64]) -> Vec<(f64, f64)> {
    let n = quantiles.len();
    if n < 2 {
        return Vec::new();
    }
    let mut running = f64::NEG_INFINITY;
    quantiles
        .iter()
        .enumerate()
        .filter_map(|(k, &q)| {
            let q = clean(q)?;
            running = running.max(q);
            Some((running, k as f64 * 100.0 / (n - 1) as f64))
        })
        .collect()
}
