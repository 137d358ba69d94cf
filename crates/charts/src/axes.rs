//! Value ranges and the shared axis look.
//!
//! Ranges are computed only from finite values and are never empty, so plotters never sees a
//! NaN or a zero-width axis whatever the report holds.

use std::error::Error;
use std::ops::Range;

use plotters::chart::{ChartBuilder, ChartContext, LabelAreaPosition};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::Cartesian2d;
use plotters::style::TRANSPARENT;

use crate::backend::Svg;
use crate::frame::Area;
use crate::text;
use crate::theme::{self, Theme};

/// Values beyond this are clamped: a quadrillion dollars or GPUs is already nonsense, and
/// keeping axes far from f64 overflow keeps plotters' tick arithmetic finite.
pub(crate) const LIMIT: f64 = 1e15;

/// A finite, clamped copy of `v`, or `None` for NaN.
pub(crate) fn clean(v: f64) -> Option<f64> {
    if v.is_nan() {
        None
    } else {
        Some(v.clamp(-LIMIT, LIMIT))
    }
}

/// `v` cleaned, with NaN read as zero (for quantities where "unknown" can only mean none).
pub(crate) fn or_zero(v: f64) -> f64 {
    clean(v).unwrap_or(0.0)
}

/// Running minimum and maximum of the finite values seen.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Extent {
    bounds: Option<(f64, f64)>,
}

impl Extent {
    pub(crate) fn add(&mut self, v: f64) {
        if let Some(v) = clean(v) {
            self.bounds = Some(match self.bounds {
                None => (v, v),
                Some((lo, hi)) => (lo.min(v), hi.max(v)),
            });
        }
    }

    pub(crate) fn extend(&mut self, values: impl IntoIterator<Item = f64>) {
        for v in values {
            self.add(v);
        }
    }

    /// A plotting range: padded by `pad` of the span on both sides, starting at zero when
    /// `from_zero` and all values are non-negative, and never empty.
    pub(crate) fn range(&self, pad: f64, from_zero: bool) -> Range<f64> {
        let (mut lo, mut hi) = self.bounds.unwrap_or((0.0, 1.0));
        if from_zero && lo >= 0.0 {
            lo = 0.0;
        }
        let span = hi - lo;
        if span <= f64::EPSILON * hi.abs().max(1.0) {
            // A flat series: give it room around its value (or a unit axis at zero).
            let room = if hi == 0.0 { 1.0 } else { hi.abs() * 0.1 };
            if !(from_zero && lo == 0.0) {
                lo -= room;
            }
            hi += room;
        } else {
            if !(from_zero && lo == 0.0) {
                lo -= span * pad;
            }
            hi += span * pad;
        }
        lo..hi
    }
}

/// What one cartesian chart needs to know about its axes.
pub(crate) struct Axes<'f> {
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub x_desc: &'f str,
    pub y_desc: &'f str,
    pub x_fmt: &'f dyn Fn(&f64) -> String,
    pub y_fmt: &'f dyn Fn(&f64) -> String,
    /// Grid lines follow the y ticks (line charts) or the x ticks (horizontal bars).
    pub grid: Grid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Grid {
    Horizontal,
    Vertical,
}

pub(crate) type Chart<'a, 'b> =
    ChartContext<'a, Svg<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Build a chart in `area` with light horizontal grid lines and friendly tick labels.
pub(crate) fn cartesian<'a, 'b>(
    area: &'a Area<'b>,
    theme: &Theme,
    axes: &Axes<'_>,
) -> Result<Chart<'a, 'b>, Box<dyn Error>> {
    let (w, h) = area.dim_in_pixel();
    let tick = theme.tick_px;
    // Leave room for the widest tick label we may print, plus the rotated axis title.
    let widest = (0..=8)
        .map(|i| {
            let v = axes.y.start + (axes.y.end - axes.y.start) * f64::from(i) / 8.0;
            text::width(&(axes.y_fmt)(&v), tick, false)
        })
        .fold(0.0, f64::max);
    let y_desc_w = if axes.y_desc.is_empty() {
        0.0
    } else {
        text::line_height(theme.label_px) + theme.pad * 0.6
    };
    let y_area = widest + tick * 0.8 + y_desc_w;
    let x_area = text::line_height(tick) + text::line_height(theme.label_px) + tick * 1.2;
    let plot_w = (f64::from(w) - y_area - theme.pad * 2.0).max(1.0);
    let plot_h = (f64::from(h) - x_area - theme.pad).max(1.0);
    let x_labels = ((plot_w / (tick * 6.0)) as usize).clamp(2, 12);
    let y_labels = ((plot_h / (tick * 3.2)) as usize).clamp(2, 10);

    let mut chart = ChartBuilder::on(area)
        .margin_top(theme.pad as i32 / 2)
        .margin_right((theme.pad * 1.5) as i32)
        .margin_bottom(theme.pad as i32 / 2)
        .margin_left((theme.pad * 0.5) as i32)
        .x_label_area_size(x_area as i32)
        .y_label_area_size(y_area as i32)
        .build_cartesian_2d(axes.x.clone(), axes.y.clone())?;

    let mut mesh = chart.configure_mesh();
    match axes.grid {
        Grid::Horizontal => mesh.disable_x_mesh(),
        Grid::Vertical => mesh.disable_y_mesh(),
    };
    mesh.set_all_tick_mark_size((tick * 0.35) as i32);
    if axes.grid == Grid::Vertical {
        // Bars are labelled by name, not by a numeric y scale: no y tick marks. (After the
        // line above, which would otherwise put them back.)
        mesh.set_tick_mark_size(LabelAreaPosition::Left, 0);
    }
    mesh.bold_line_style(theme.thin_stroke(theme::GRID))
        .light_line_style(TRANSPARENT)
        .axis_style(theme.thin_stroke(theme::AXIS))
        .x_labels(x_labels)
        .y_labels(y_labels)
        .x_label_formatter(axes.x_fmt)
        .y_label_formatter(axes.y_fmt)
        .label_style(theme.font(tick, false, theme::MUTED))
        .axis_desc_style(theme.font(theme.label_px, false, theme::INK))
        .x_desc(axes.x_desc)
        .y_desc(axes.y_desc)
        .draw()?;
    Ok(chart)
}

/// Week ticks: whole weeks only, so a short horizon never shows "2.5".
pub(crate) fn week_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round())
    } else {
        String::new()
    }
}
