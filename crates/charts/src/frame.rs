//! What every chart shares: the render entry point, the placeholder, the title block and the
//! legend, which sits between title and plot so it can never cover data.

use std::error::Error;

use plotters::coord::Shift;
use plotters::element::{Circle, PathElement, Polygon, Rectangle, Text};
use plotters::prelude::{DrawingArea, IntoDrawingArea};
use plotters::style::{Color, RGBColor};
use plotters_backend::text_anchor::{HPos, VPos};

use crate::backend::Svg;
use crate::format;
use crate::style::{MIN_SIZE, Style};
use crate::text;
use crate::theme::{self, Theme};

pub(crate) type Area<'a> = DrawingArea<Svg<'a>, Shift>;
pub(crate) type DrawResult = Result<(), Box<dyn Error>>;

/// Draw with `draw` into a fresh SVG, or return the placeholder if drawing fails: a chart that
/// cannot be drawn must still leave a box of the right size on the dashboard, never a panic.
pub(crate) fn render(style: &Style, draw: impl FnOnce(&Area<'_>, &Theme) -> DrawResult) -> String {
    let theme = Theme::new(style);
    if theme.width < MIN_SIZE.0 || theme.height < MIN_SIZE.1 {
        return unavailable(&theme, "too small to draw");
    }
    let mut buf = String::new();
    let outcome = {
        let root = Svg::new(&mut buf, (theme.width, theme.height)).into_drawing_area();
        draw(&root, &theme).and_then(|()| root.present().map_err(Into::into))
    };
    match outcome {
        Ok(()) => buf,
        Err(_) => unavailable(&theme, "drawing failed"),
    }
}

/// A hand-written SVG of the requested size saying the chart is unavailable. Only fixed text
/// goes in, so it needs no escaping and cannot fail.
pub(crate) fn unavailable(theme: &Theme, reason: &str) -> String {
    let (w, h) = (theme.width, theme.height);
    let px = (f64::from(h) / 8.0).clamp(6.0, theme.label_px);
    format!(
        concat!(
            r##"<svg width="{w}" height="{h}" viewBox="0 0 {w} {h}" xmlns="http://www.w3.org/2000/svg">"##,
            r##"<rect x="0" y="0" width="{w}" height="{h}" fill="#FFFFFF"/>"##,
            r##"<text x="{x}" y="{y}" text-anchor="middle" font-family="{family}" font-size="{px}" fill="#646A73">"##,
            "Chart unavailable: {reason}</text></svg>\n"
        ),
        w = w,
        h = h,
        x = f64::from(w) / 2.0,
        y = f64::from(h) / 2.0,
        family = text::FONT_FAMILY,
        px = px,
        reason = reason,
    )
}

/// How a legend entry is drawn.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Swatch {
    Line,
    Dashed,
    /// A translucent band (e.g. P10-P90), drawn as a light box.
    Band,
    /// A solid box (bar charts).
    Solid,
    Dot,
    Square,
    Triangle,
    /// A larger diamond (the optimizer's best on the frontier chart).
    Diamond,
}

#[derive(Clone, Debug)]
pub(crate) struct LegendItem {
    pub label: String,
    pub colour: RGBColor,
    pub swatch: Swatch,
}

impl LegendItem {
    pub(crate) fn new(label: impl Into<String>, colour: RGBColor, swatch: Swatch) -> Self {
        Self {
            label: label.into(),
            colour,
            swatch,
        }
    }
}

/// One line under the title naming the run, so a pasted chart says where it came from.
/// One legend entry per shown portfolio, in its colour, followed by the chart's own marks
/// (`notes`, in muted grey) when any portfolio is shown.
pub(crate) fn portfolio_legend(
    report: &engine::report::Report,
    selected: &[usize],
    swatch: Swatch,
    notes: &[(&str, Swatch)],
) -> Vec<LegendItem> {
    let mut legend: Vec<LegendItem> = selected
        .iter()
        .map(|&i| {
            LegendItem::new(
                report.portfolios[i].name.clone(),
                crate::theme::portfolio_colour(i),
                swatch,
            )
        })
        .collect();
    if !selected.is_empty() {
        legend.extend(
            notes
                .iter()
                .map(|&(label, s)| LegendItem::new(label, crate::theme::MUTED, s)),
        );
    }
    legend
}

pub(crate) fn subtitle(report: &engine::report::Report) -> String {
    let mut parts = Vec::new();
    if !report.scenario_name.trim().is_empty() {
        parts.push(report.scenario_name.trim().to_owned());
    }
    parts.push(format!(
        "{} paths",
        format::thousands(u64::from(report.paths))
    ));
    parts.push(format!("seed {}", report.seed));
    if !report.stress.is_empty() {
        parts.push(format!("stress: {}", report.stress.join(", ")));
    }
    parts.join(" · ")
}

/// Draw background, title, subtitle and legend; return the area left for the plot.
pub(crate) fn frame<'a>(
    root: &Area<'a>,
    theme: &Theme,
    title: &str,
    subtitle: &str,
    legend: &[LegendItem],
) -> Result<Area<'a>, Box<dyn Error>> {
    root.fill(&theme::BACKGROUND)?;
    let pad = theme.pad;
    let usable = f64::from(theme.width) - 2.0 * pad;
    let mut y = pad;

    let title = text::ellipsize(title, theme.title_px, true, usable);
    root.draw(&Text::new(
        title,
        (pad as i32, y as i32),
        theme.anchored(theme.title_px, true, theme::INK, HPos::Left, VPos::Top),
    ))?;
    y += text::line_height(theme.title_px) + 2.0;

    if !subtitle.is_empty() {
        let sub = text::ellipsize(subtitle, theme.subtitle_px, false, usable);
        root.draw(&Text::new(
            sub,
            (pad as i32, y as i32),
            theme.anchored(
                theme.subtitle_px,
                false,
                theme::MUTED,
                HPos::Left,
                VPos::Top,
            ),
        ))?;
        y += text::line_height(theme.subtitle_px);
    }

    if !legend.is_empty() {
        y += theme.pad * 0.6;
        y = draw_legend(root, theme, legend, pad, y, usable)?;
    }
    y += theme.pad * 0.4;

    let top = (y.round() as u32).min(theme.height.saturating_sub(1));
    let (_, rest) = root.split_vertically(top);
    Ok(rest)
}

/// Lay legend items left to right, wrapping at `usable` width; returns the y below the legend.
fn draw_legend(
    root: &Area<'_>,
    theme: &Theme,
    items: &[LegendItem],
    left: f64,
    top: f64,
    usable: f64,
) -> Result<f64, Box<dyn Error>> {
    let px = theme.legend_px;
    let row_h = text::line_height(px) + px * 0.35;
    let swatch_w = px * 1.8;
    let gap = px * 0.5;
    let spacing = px * 1.4;
    // A single entry may use the full width; longer names are shortened.
    let max_label = (usable - swatch_w - gap).max(px);
    let (mut x, mut y) = (left, top);
    for item in items {
        let label = text::ellipsize(&item.label, px, false, max_label);
        let item_w = swatch_w + gap + text::width(&label, px, false);
        if x > left && x + item_w > left + usable {
            x = left;
            y += row_h;
        }
        let cy = y + row_h / 2.0;
        draw_swatch(root, theme, item, x, cy, swatch_w)?;
        root.draw(&Text::new(
            label,
            ((x + swatch_w + gap) as i32, cy as i32),
            theme.anchored(px, false, theme::INK, HPos::Left, VPos::Center),
        ))?;
        x += item_w + spacing;
    }
    Ok(y + row_h)
}

fn draw_swatch(
    root: &Area<'_>,
    theme: &Theme,
    item: &LegendItem,
    x: f64,
    cy: f64,
    w: f64,
) -> Result<(), Box<dyn Error>> {
    let c = item.colour;
    let (x0, x1, y) = (x as i32, (x + w) as i32, cy as i32);
    let half = (theme.legend_px * 0.4) as i32;
    let mid = ((x0 + x1) / 2, y);
    match item.swatch {
        Swatch::Line => root.draw(&PathElement::new(vec![(x0, y), (x1, y)], theme.stroke(c)))?,
        Swatch::Dashed => {
            let third = (x1 - x0) / 3;
            for (a, b) in [(x0, x0 + third), (x1 - third, x1)] {
                root.draw(&PathElement::new(vec![(a, y), (b, y)], theme.stroke(c)))?;
            }
        }
        Swatch::Band => root.draw(&Rectangle::new(
            [(x0, y - half), (x1, y + half)],
            c.mix(0.25).filled(),
        ))?,
        Swatch::Solid => root.draw(&Rectangle::new(
            [(x0, y - half), (x1, y + half)],
            c.filled(),
        ))?,
        Swatch::Dot => root.draw(&Circle::new(mid, theme.marker, c.filled()))?,
        Swatch::Square => {
            let s = theme.marker as i32;
            root.draw(&Rectangle::new(
                [(mid.0 - s, y - s), (mid.0 + s, y + s)],
                c.filled(),
            ))?
        }
        Swatch::Diamond => {
            let s = theme.marker as i32 + 2;
            root.draw(&Polygon::new(
                vec![
                    (mid.0, y - s),
                    (mid.0 + s, y),
                    (mid.0, y + s),
                    (mid.0 - s, y),
                ],
                c.filled(),
            ))?
        }
        Swatch::Triangle => {
            let s = theme.marker as i32 + 1;
            root.draw(&Polygon::new(
                vec![(mid.0, y - s), (mid.0 - s, y + s), (mid.0 + s, y + s)],
                c.filled(),
            ))?
        }
    }
    Ok(())
}

/// Fill a plot area with a centred note, for reports with nothing to plot (0 paths, no
/// portfolios selected): the dashboard keeps its layout and says why it is empty.
pub(crate) fn no_data(area: &Area<'_>, theme: &Theme, note: &str) -> DrawResult {
    let (w, h) = area.dim_in_pixel();
    let note = text::ellipsize(note, theme.label_px, false, f64::from(w) - 2.0 * theme.pad);
    area.draw(&Text::new(
        note,
        ((w / 2) as i32, (h / 2) as i32),
        theme.anchored(
            theme.label_px,
            false,
            theme::MUTED,
            HPos::Center,
            VPos::Center,
        ),
    ))?;
    Ok(())
}
