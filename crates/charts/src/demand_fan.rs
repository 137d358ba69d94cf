//! Peak demand fan (P10-P90 band and median) against each portfolio's available capacity.

use engine::report::Report;
use plotters::series::{DashedLineSeries, LineSeries};
use plotters::style::Color;

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, LegendItem, Swatch};
use crate::style::Style;
use crate::theme;

pub(crate) const TITLE: &str = "Peak demand vs. available capacity";

/// Weekly peak demand (P10-P90 band, P50 line) against each shown portfolio's mean available
/// capacity (committed + burst + emergency, solid) and its committed capacity alone (dashed).
pub fn demand_fan(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let demand = &report.demand.weekly_gpus;
        let mut legend = vec![
            LegendItem::new("Demand P10–P90", theme::DEMAND_BAND, Swatch::Band),
            LegendItem::new("Demand P50", theme::DEMAND_LINE, Swatch::Line),
        ];
        for &i in &selected {
            let name = &report.portfolios[i].name;
            legend.push(LegendItem::new(
                name.clone(),
                theme::portfolio_colour(i),
                Swatch::Line,
            ));
        }
        if !selected.is_empty() {
            legend.push(LegendItem::new(
                "dashed: committed only",
                theme::MUTED,
                Swatch::Dashed,
            ));
        }
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;

        // Capacity per portfolio: total available and committed, week by week.
        let capacity: Vec<(usize, Vec<f64>, Vec<f64>)> = selected
            .iter()
            .map(|&i| {
                let c = &report.portfolios[i].weekly_capacity;
                let weeks = c.committed.len().max(c.burst.len()).max(c.emergency.len());
                let at = |v: &Vec<f64>, w: usize| or_zero(v.get(w).copied().unwrap_or(0.0));
                let total = (0..weeks)
                    .map(|w| at(&c.committed, w) + at(&c.burst, w) + at(&c.emergency, w))
                    .collect();
                let committed = (0..weeks).map(|w| at(&c.committed, w)).collect();
                (i, total, committed)
            })
            .collect();

        let weeks = demand
            .p10
            .len()
            .max(demand.p50.len())
            .max(demand.p90.len())
            .max(capacity.iter().map(|c| c.1.len()).max().unwrap_or(0));
        if weeks == 0 || report.paths == 0 {
            return frame::no_data(&plot, theme, "No weekly data: the report has no paths.");
        }

        let mut y = Extent::default();
        y.extend(
            demand
                .p10
                .iter()
                .chain(&demand.p50)
                .chain(&demand.p90)
                .copied(),
        );
        for (_, total, committed) in &capacity {
            y.extend(total.iter().chain(committed).copied());
        }
        let week_axis = 1.0..(weeks as f64).max(2.0);
        let mut chart = axes::cartesian(
            &plot,
            theme,
            &Axes {
                x: week_axis,
                y: y.range(0.05, true),
                x_desc: "week",
                y_desc: "GPUs",
                x_fmt: &axes::week_label,
                y_fmt: &|v| format::compact(*v),
                grid: Grid::Horizontal,
            },
        )?;

        let week = |w: usize| (w + 1) as f64;
        let value = |v: &Vec<f64>, w: usize| or_zero(v.get(w).copied().unwrap_or(0.0));
        let band_weeks = demand.p10.len().min(demand.p90.len());
        if band_weeks > 0 {
            let upper = (0..band_weeks).map(|w| (week(w), value(&demand.p90, w)));
            let lower = (0..band_weeks)
                .rev()
                .map(|w| (week(w), value(&demand.p10, w)));
            chart.draw_series(std::iter::once(plotters::element::Polygon::new(
                upper.chain(lower).collect::<Vec<_>>(),
                theme::DEMAND_BAND.mix(0.35).filled(),
            )))?;
        }
        chart.draw_series(LineSeries::new(
            (0..demand.p50.len()).map(|w| (week(w), value(&demand.p50, w))),
            theme.stroke(theme::DEMAND_LINE),
        ))?;

        for (i, total, committed) in &capacity {
            let colour = theme::portfolio_colour(*i);
            let dash = f64::from(theme.line) * 3.0;
            chart.draw_series(DashedLineSeries::new(
                committed.iter().enumerate().map(|(w, v)| (week(w), *v)),
                dash as i32,
                (dash * 0.8) as i32,
                theme
                    .thin_stroke(colour)
                    .stroke_width(theme.line.saturating_sub(1).max(1)),
            ))?;
            chart.draw_series(LineSeries::new(
                total.iter().enumerate().map(|(w, v)| (week(w), *v)),
                theme.stroke(colour),
            ))?;
        }
        Ok(())
    })
}
