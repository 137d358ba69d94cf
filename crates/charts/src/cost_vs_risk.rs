//! The trade-off at a glance: each portfolio's shortage risk against its mean cost.

use engine::report::Report;
use plotters::element::{Circle, EmptyElement, PathElement, Text};
use plotters::style::Color;
use plotters_backend::text_anchor::{HPos, VPos};

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, Swatch};
use crate::style::Style;
use crate::text;
use crate::theme;

pub(crate) const TITLE: &str = "Cost vs. shortage risk";

/// One point per shown portfolio: x = P(shortage over the horizon) in %, y = mean total cost,
/// with ±2 standard-error bars both ways and the portfolio's name beside its point.
pub fn cost_vs_risk(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let legend = frame::portfolio_legend(
            report,
            &selected,
            Swatch::Dot,
            &[("error bars ±2 s.e.", Swatch::Line)],
        );
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;
        if selected.is_empty() || report.paths == 0 {
            return frame::no_data(&plot, theme, "No portfolios to compare.");
        }

        // (index, x, x_lo, x_hi, y, y_lo, y_hi) with x in percent.
        let points: Vec<(usize, [f64; 6])> = selected
            .iter()
            .map(|&i| {
                let p = &report.portfolios[i];
                let x = (or_zero(p.shortage_probability) * 100.0).clamp(0.0, 100.0);
                let xe = or_zero(p.shortage_probability_se).abs() * 200.0;
                let y = or_zero(p.cost.mean);
                let ye = or_zero(p.cost.mean_se).abs() * 2.0;
                let bounds = [x, (x - xe).max(0.0), (x + xe).min(100.0), y, y - ye, y + ye];
                (i, bounds.map(or_zero))
            })
            .collect();

        let (mut x, mut y) = (Extent::default(), Extent::default());
        for (_, b) in &points {
            x.extend([b[1], b[2]]);
            y.extend([b[4], b[5]]);
        }
        let mut x_range = x.range(0.15, true);
        x_range.end = x_range.end.min(100.0);
        let mut chart = axes::cartesian(
            &plot,
            theme,
            &Axes {
                x: x_range.clone(),
                y: y.range(0.15, false),
                x_desc: "P(shortage over the horizon) (%)",
                y_desc: "mean total cost ($)",
                x_fmt: &|v| format::percent(*v),
                y_fmt: &|v| format::money(*v),
                grid: Grid::Horizontal,
            },
        )?;

        let cap = theme.marker as i32;
        for (i, b) in &points {
            let stroke = theme.thin_stroke(theme::portfolio_colour(*i));
            let [x, x_lo, x_hi, y, y_lo, y_hi] = *b;
            let bars = [vec![(x_lo, y), (x_hi, y)], vec![(x, y_lo), (x, y_hi)]];
            for bar in bars {
                chart.draw_series(std::iter::once(PathElement::new(bar, stroke)))?;
            }
            // Caps in pixels so they stay the same size whatever the scale.
            for end in [(x_lo, y), (x_hi, y)] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(end) + PathElement::new(vec![(0, -cap), (0, cap)], stroke),
                ))?;
            }
            for end in [(x, y_lo), (x, y_hi)] {
                chart.draw_series(std::iter::once(
                    EmptyElement::at(end) + PathElement::new(vec![(-cap, 0), (cap, 0)], stroke),
                ))?;
            }
        }

        let (plot_w, _) = chart.plotting_area().dim_in_pixel();
        let label_max = f64::from(plot_w) * 0.45;
        let offset = (theme.marker * 2) as i32;
        for (i, b) in &points {
            let colour = theme::portfolio_colour(*i);
            let (x, y) = (b[0], b[3]);
            chart.draw_series(std::iter::once(Circle::new(
                (x, y),
                theme.marker + 1,
                colour.filled(),
            )))?;
            let label =
                text::ellipsize(&report.portfolios[*i].name, theme.label_px, true, label_max);
            // Labels go right of the point, or left of it in the right half, to stay inside.
            let right_half = x > (x_range.start + x_range.end) / 2.0;
            let (dx, h) = if right_half {
                (-offset, HPos::Right)
            } else {
                (offset, HPos::Left)
            };
            chart.draw_series(std::iter::once(
                EmptyElement::at((x, y))
                    + Text::new(
                        label,
                        (dx, -offset),
                        theme.anchored(theme.label_px, true, colour, h, VPos::Bottom),
                    ),
            ))?;
        }
        Ok(())
    })
}
