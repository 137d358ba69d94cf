//! Sensitivity as a tornado: for one metric (P(shortage) or expected cost), each uncertain input
//! swung to a low and a high setting with everything else at base, the largest effect on top.

use engine::decide::{SensitivityRow, Swing, SwingMetric, Tornado};
use plotters::element::{PathElement, Rectangle, Text};
use plotters::style::{Color, RGBColor};
use plotters_backend::text_anchor::{HPos, VPos};

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, LegendItem, Swatch};
use crate::style::Style;
use crate::text;
use crate::theme;

/// Most bars drawn; the rest are in the table beside the chart (a slide cannot hold 40 rows).
pub const TORNADO_ROWS: usize = 12;

/// The input at its low setting (P10, x0.5, x0.8): Okabe-Ito blue.
const LOW: RGBColor = RGBColor(0, 114, 178);
/// The input at its high setting (P90, x1.5, x1.2): Okabe-Ito vermillion.
const HIGH: RGBColor = RGBColor(213, 94, 0);

/// The chart's title for a metric.
pub fn tornado_title(metric: SwingMetric) -> &'static str {
    match metric {
        SwingMetric::Shortage => "Sensitivity of P(shortage)",
        SwingMetric::Cost => "Sensitivity of expected cost",
    }
}

/// The metric in chart units: percent for a probability, dollars for cost.
fn value(s: &Swing, metric: SwingMetric) -> f64 {
    match metric {
        SwingMetric::Shortage => (or_zero(s.shortage_probability) * 100.0).clamp(0.0, 100.0),
        SwingMetric::Cost => or_zero(s.mean_cost),
    }
}

fn swing(r: &SensitivityRow, metric: SwingMetric) -> f64 {
    match metric {
        SwingMetric::Shortage => or_zero(r.shortage_swing),
        SwingMetric::Cost => or_zero(r.cost_swing),
    }
}

/// One horizontal bar per input, ordered by its swing of `metric` (largest on top, at most
/// [`TORNADO_ROWS`]): from the base value to the value with the input low (blue) and to the
/// value with it high (vermillion), so the direction of the effect shows too. A vertical line
/// marks the base.
pub fn tornado(t: &Tornado, metric: SwingMetric, style: &Style) -> String {
    let mut rows: Vec<&SensitivityRow> = t.rows.iter().collect();
    // Stable: equal swings keep the engine's order.
    rows.sort_by(|a, b| swing(b, metric).total_cmp(&swing(a, metric)));
    let shown = rows.len().min(TORNADO_ROWS);
    let hidden = rows.len() - shown;
    rows.truncate(shown);
    frame::render(style, |root, theme| {
        let legend = [
            LegendItem::new("input low (P10, x0.5 rate, x0.8 price)", LOW, Swatch::Solid),
            LegendItem::new(
                "input high (P90, x1.5 rate, x1.2 price)",
                HIGH,
                Swatch::Solid,
            ),
            LegendItem::new("base", theme::INK, Swatch::Line),
        ];
        let mut sub = vec![];
        if !t.scenario_name.trim().is_empty() {
            sub.push(t.scenario_name.trim().to_owned());
        }
        sub.push(t.portfolio.trim().to_owned());
        sub.push(format!("{} paths", format::thousands(u64::from(t.paths))));
        sub.push(format!("seed {}", t.seed));
        if hidden > 0 {
            sub.push(format!("{} largest of {} inputs", shown, shown + hidden));
        }
        let plot = frame::frame(
            root,
            theme,
            tornado_title(metric),
            &sub.join(" · "),
            &legend,
        )?;
        if rows.is_empty() {
            return frame::no_data(
                &plot,
                theme,
                "No uncertain inputs to swing: every distribution is fixed and every rate zero.",
            );
        }

        let base = value(&t.base, metric);
        let mut x = Extent::default();
        x.add(base);
        for r in &rows {
            x.extend([value(&r.low, metric), value(&r.high, metric)]);
        }
        let from_zero = metric == SwingMetric::Shortage;
        let mut x_range = x.range(0.08, from_zero);
        if from_zero {
            x_range.start = x_range.start.max(0.0);
            x_range.end = x_range.end.min(100.0).max(x_range.start + 1e-9);
        }

        let (w, _) = plot.dim_in_pixel();
        let name_w = rows
            .iter()
            .map(|r| text::width(&text::xml_safe(&r.input), theme.tick_px, false))
            .fold(0.0, f64::max)
            .min(f64::from(w) * 0.38)
            + theme.pad;
        let (names, bars) = plot.split_horizontally(name_w as u32);
        let n = rows.len() as f64;
        let mut chart = axes::cartesian(
            &bars,
            theme,
            &Axes {
                x: x_range,
                y: 0.0..n,
                x_desc: match metric {
                    SwingMetric::Shortage => "P(shortage over the horizon) (%)",
                    SwingMetric::Cost => "mean total cost ($)",
                },
                y_desc: "",
                x_fmt: &|v| match metric {
                    SwingMetric::Shortage => format::percent(*v),
                    SwingMetric::Cost => format::money(*v),
                },
                y_fmt: &|_| String::new(),
                grid: Grid::Vertical,
            },
        )?;

        let (_, names_top) = names.get_base_pixel();
        for (k, r) in rows.iter().enumerate() {
            // The largest swing on top.
            let y_mid = n - k as f64 - 0.5;
            let (y0, y1) = (y_mid - 0.34, y_mid + 0.34);
            let mut ends = [(value(&r.low, metric), LOW), (value(&r.high, metric), HIGH)];
            // The farther end first, so a nearer one on the same side stays visible on top.
            ends.sort_by(|a, b| (b.0 - base).abs().total_cmp(&(a.0 - base).abs()));
            for (end, colour) in ends {
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(base.min(end), y0), (base.max(end), y1)],
                    colour.filled(),
                )))?;
            }
            let (_, py) = chart.backend_coord(&(base, y_mid));
            let label = text::ellipsize(&r.input, theme.tick_px, false, name_w - theme.pad + 1.0);
            names.draw(&Text::new(
                label,
                ((name_w - theme.pad * 0.5) as i32, py - names_top),
                theme.anchored(theme.tick_px, false, theme::INK, HPos::Right, VPos::Center),
            ))?;
        }
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(base, 0.0), (base, n)],
            theme.stroke(theme::INK),
        )))?;
        Ok(())
    })
}
