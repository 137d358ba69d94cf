//! The optimizer's trade-off: the objective (mean cost or CVaR95) against P(shortage) along the
//! efficient frontier, with the scenario's own portfolios placed on the same axes and the
//! optimizer's best marked, so a planner sees how far each existing plan is from the frontier.

use engine::decide::{Candidate, Objective, Optimization};
use engine::report::{PortfolioReport, Report};
use plotters::element::{Circle, EmptyElement, PathElement, Polygon, Text};
use plotters::style::{Color, RGBColor};
use plotters_backend::text_anchor::{HPos, VPos};

use crate::axes::{self, Axes, Chart, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, DrawResult, LegendItem, Swatch};
use crate::style::Style;
use crate::text;
use crate::theme::{self, Theme};

pub(crate) const TITLE: &str = "Efficient frontier: cost vs. shortage risk";

/// The frontier's line: a dark slate that no portfolio uses.
const FRONTIER: RGBColor = RGBColor(55, 65, 81);
/// The shortage target: a muted red, a limit rather than a result.
const TARGET: RGBColor = RGBColor(180, 35, 24);

/// The value the optimizer minimized, for a scenario portfolio.
fn objective_of(p: &PortfolioReport, o: Objective) -> f64 {
    match o {
        Objective::Mean => p.cost.mean,
        Objective::Cvar95 => p.cost.cvar95,
    }
}

/// x = P(shortage over the horizon) in %, y = the optimizer's objective. The frontier (candidates
/// no other candidate beats on both) is a line through small dots; the portfolios of `scenario`
/// (a report on the same seed, paths and stress tests, so the points are comparable) are
/// labelled dots in their dashboard colours; the optimizer's best is a large diamond with ±2
/// standard-error bars; the shortage target, when set, is a dashed vertical line.
pub fn frontier(opt: &Optimization, scenario: Option<&Report>, style: &Style) -> String {
    let portfolios: Vec<(usize, &PortfolioReport)> = scenario
        .map(|r| {
            style
                .selection(r.portfolios.len())
                .into_iter()
                .map(|i| (i, &r.portfolios[i]))
                .collect()
        })
        .unwrap_or_default();
    frame::render(style, |root, theme| {
        let mut legend = vec![
            LegendItem::new("efficient frontier", FRONTIER, Swatch::Line),
            LegendItem::new("optimizer's best (±2 s.e.)", theme::INK, Swatch::Diamond),
        ];
        legend.extend(portfolios.iter().map(|&(i, p)| {
            LegendItem::new(p.name.clone(), theme::portfolio_colour(i), Swatch::Dot)
        }));
        if opt.max_shortage.is_some() {
            legend.push(LegendItem::new("shortage target", TARGET, Swatch::Dashed));
        }
        let plot = frame::frame(root, theme, TITLE, &subtitle(opt), &legend)?;
        if opt.paths == 0 {
            return frame::no_data(&plot, theme, "No candidates were evaluated.");
        }
        draw(&plot, theme, opt, &portfolios)
    })
}

fn subtitle(opt: &Optimization) -> String {
    let mut parts = Vec::new();
    if !opt.scenario_name.trim().is_empty() {
        parts.push(opt.scenario_name.trim().to_owned());
    }
    parts.push(format!("from {}", opt.base_portfolio.trim()));
    parts.push(format!("{} paths", format::thousands(u64::from(opt.paths))));
    parts.push(format!("seed {}", opt.seed));
    parts.push(format!(
        "{} candidates",
        format::thousands(u64::from(opt.evaluations))
    ));
    parts.join(" · ")
}

/// A point in chart units: x in percent, y in dollars; `None` when not finite.
fn point(p: f64, y: f64) -> (f64, f64) {
    ((or_zero(p) * 100.0).clamp(0.0, 100.0), or_zero(y))
}

fn draw(
    plot: &frame::Area<'_>,
    theme: &Theme,
    opt: &Optimization,
    portfolios: &[(usize, &PortfolioReport)],
) -> DrawResult {
    let line: Vec<(f64, f64)> = opt
        .frontier
        .iter()
        .map(|c| point(c.shortage_probability, c.objective))
        .collect();
    let best = point(opt.best.shortage_probability, opt.best.objective);
    let (best_xe, best_ye) = errors(&opt.best, opt.objective);
    let dots: Vec<(usize, &str, (f64, f64))> = portfolios
        .iter()
        .map(|&(i, p)| {
            let xy = point(p.shortage_probability, objective_of(p, opt.objective));
            (i, p.name.as_str(), xy)
        })
        .collect();

    let (mut x, mut y) = (Extent::default(), Extent::default());
    for &(px, py) in line.iter().chain(dots.iter().map(|d| &d.2)) {
        x.add(px);
        y.add(py);
    }
    x.extend([best.0 - best_xe, best.0 + best_xe]);
    y.extend([best.1 - best_ye, best.1 + best_ye]);
    let target = opt
        .max_shortage
        .map(|t| (or_zero(t) * 100.0).clamp(0.0, 100.0));
    if let Some(t) = target {
        x.add(t);
    }
    let mut x_range = x.range(0.12, true);
    x_range.start = x_range.start.max(0.0);
    x_range.end = x_range.end.min(100.0).max(x_range.start + 1e-9);
    let y_range = y.range(0.12, false);
    let y_desc = match opt.objective {
        Objective::Mean => "mean total cost ($)",
        Objective::Cvar95 => "CVaR95 of total cost ($)",
    };
    let mut chart = axes::cartesian(
        plot,
        theme,
        &Axes {
            x: x_range.clone(),
            y: y_range.clone(),
            x_desc: "P(shortage over the horizon) (%)",
            y_desc,
            x_fmt: &|v| format::percent(*v),
            y_fmt: &|v| format::money(*v),
            grid: Grid::Horizontal,
        },
    )?;

    if let Some(t) = target {
        dashed_vertical(&mut chart, theme, t, y_range.start, y_range.end)?;
    }
    if line.len() > 1 {
        chart.draw_series(std::iter::once(PathElement::new(
            line.clone(),
            theme.stroke(FRONTIER),
        )))?;
    }
    let small = (theme.marker / 2).max(2);
    chart.draw_series(
        line.iter()
            .map(|&p| Circle::new(p, small, FRONTIER.filled())),
    )?;

    // The best: error bars, then a diamond outlined in white so it reads on top of the line.
    let stroke = theme.thin_stroke(theme::INK);
    let (bx, by) = best;
    for bar in [
        vec![
            ((bx - best_xe).max(0.0), by),
            ((bx + best_xe).min(100.0), by),
        ],
        vec![(bx, by - best_ye), (bx, by + best_ye)],
    ] {
        chart.draw_series(std::iter::once(PathElement::new(bar, stroke)))?;
    }
    let s = (theme.marker * 2) as i32;
    let diamond = vec![(0, -s), (s, 0), (0, s), (-s, 0)];
    chart.draw_series(std::iter::once(
        EmptyElement::at(best) + Polygon::new(diamond.clone(), theme::INK.filled()),
    ))?;
    let mut outline = diamond;
    outline.push((0, -s));
    chart.draw_series(std::iter::once(
        EmptyElement::at(best) + PathElement::new(outline, theme.thin_stroke(theme::BACKGROUND)),
    ))?;

    let (plot_w, _) = chart.plotting_area().dim_in_pixel();
    let label_max = f64::from(plot_w) * 0.4;
    let mid = (x_range.start + x_range.end) / 2.0;
    let offset = (theme.marker * 2) as i32;
    for &(i, name, xy) in &dots {
        let colour = theme::portfolio_colour(i);
        chart.draw_series(std::iter::once(Circle::new(
            xy,
            theme.marker + 1,
            colour.filled(),
        )))?;
        label(
            &mut chart,
            theme,
            xy,
            name,
            colour,
            false,
            xy.0 > mid,
            offset,
            label_max,
        )?;
    }
    label(
        &mut chart,
        theme,
        best,
        "best",
        theme::INK,
        true,
        best.0 > mid,
        offset + s / 2,
        label_max,
    )?;
    Ok(())
}

/// ±2 standard errors of a candidate, in chart units (percent, dollars).
fn errors(c: &Candidate, o: Objective) -> (f64, f64) {
    let se = match o {
        Objective::Mean => c.mean_cost_se,
        Objective::Cvar95 => c.cvar95_se,
    };
    (
        (or_zero(c.shortage_probability_se).abs() * 200.0).min(100.0),
        or_zero(se).abs() * 2.0,
    )
}

/// A name beside a point: right of it, or left of it in the right half, to stay inside.
#[allow(clippy::too_many_arguments)]
fn label(
    chart: &mut Chart<'_, '_>,
    theme: &Theme,
    at: (f64, f64),
    name: &str,
    colour: RGBColor,
    bold: bool,
    left: bool,
    offset: i32,
    max_px: f64,
) -> DrawResult {
    let text = text::ellipsize(name, theme.label_px, bold, max_px);
    let (dx, h) = if left {
        (-offset, HPos::Right)
    } else {
        (offset, HPos::Left)
    };
    chart.draw_series(std::iter::once(
        EmptyElement::at(at)
            + Text::new(
                text,
                (dx, -offset / 2),
                theme.anchored(theme.label_px, bold, colour, h, VPos::Bottom),
            ),
    ))?;
    Ok(())
}

/// A dashed vertical line at `x` from `y0` to `y1` (plotters' SVG paths have no dash style).
fn dashed_vertical(
    chart: &mut Chart<'_, '_>,
    theme: &Theme,
    x: f64,
    y0: f64,
    y1: f64,
) -> DrawResult {
    const DASHES: usize = 24;
    let step = (y1 - y0) / (DASHES as f64 * 2.0);
    let segments = (0..DASHES).map(|k| {
        let a = y0 + step * (2 * k) as f64;
        PathElement::new(vec![(x, a), (x, a + step)], theme.thin_stroke(TARGET))
    });
    chart.draw_series(segments)?;
    Ok(())
}
