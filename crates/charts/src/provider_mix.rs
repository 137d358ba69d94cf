//! Where each portfolio's capacity and money go: provider by provider, tier by tier.

use engine::report::{ProviderShare, Report};
use plotters::element::{Rectangle, Text};
use plotters::style::Color;
use plotters_backend::text_anchor::{HPos, VPos};

use crate::axes::{self, Axes, Extent, Grid, or_zero};
use crate::format;
use crate::frame::{self, LegendItem, Swatch};
use crate::style::Style;
use crate::text;
use crate::theme;

pub(crate) const TITLE: &str = "Provider mix: capacity and spend";

/// Tint per tier: committed in the portfolio's full colour, burst lighter, emergency lightest,
/// so lightness (which survives colour-blindness and greyscale print) tells the tiers apart.
const TIER_TINTS: [(&str, f64); 3] = [("committed", 0.0), ("burst", 0.5), ("emergency", 0.78)];

/// One column per shown portfolio and two rows: provisioned GPU-hours and spend ($), each a
/// horizontal bar per provider stacked committed / burst / emergency. Scales are shared along a
/// row so columns compare directly.
pub fn provider_mix(report: &Report, style: &Style) -> String {
    let selected = style.selection(report.portfolios.len());
    frame::render(style, |root, theme| {
        let key = selected.first().copied().unwrap_or(0);
        let legend: Vec<LegendItem> = TIER_TINTS
            .iter()
            .map(|(name, t)| {
                LegendItem::new(
                    *name,
                    theme::tint(theme::portfolio_colour(key), *t),
                    Swatch::Solid,
                )
            })
            .collect();
        let plot = frame::frame(root, theme, TITLE, &frame::subtitle(report), &legend)?;

        let providers = provider_names(report, &selected);
        if selected.is_empty() || providers.is_empty() || report.paths == 0 {
            return frame::no_data(&plot, theme, "No provider data: the report has no paths.");
        }

        // Row 0: GPU-hours, row 1: spend.
        let stacks = |share: Option<&ProviderShare>, row: usize| -> [f64; 3] {
            share.map_or([0.0; 3], |s| {
                let raw = if row == 0 {
                    [
                        s.committed_gpu_hours,
                        s.burst_gpu_hours,
                        s.emergency_gpu_hours,
                    ]
                } else {
                    [s.committed_spend, s.burst_spend, s.emergency_spend]
                };
                raw.map(|v| or_zero(v).max(0.0))
            })
        };
        let share_of = |i: usize, provider: &str| {
            report.portfolios[i]
                .provider_share
                .iter()
                .find(|s| s.provider == provider)
        };
        let mut row_max = [Extent::default(), Extent::default()];
        for &i in &selected {
            for provider in &providers {
                for (row, extent) in row_max.iter_mut().enumerate() {
                    extent.add(stacks(share_of(i, provider), row).iter().sum());
                }
            }
        }

        let (w, h) = plot.dim_in_pixel();
        let name_w = providers
            .iter()
            .map(|p| text::width(p, theme.tick_px, false))
            .fold(0.0, f64::max)
            .min(f64::from(w) * 0.22)
            + theme.pad;
        let (names, panels) = plot.split_horizontally(name_w as u32);
        let header_h = text::line_height(theme.label_px) + theme.pad * 0.3;
        let row_h = (f64::from(h) - header_h) / 2.0;
        let columns = panels.split_evenly((1, selected.len()));
        let n = providers.len() as f64;

        for (col, (&i, area)) in selected.iter().zip(&columns).enumerate() {
            let colour = theme::portfolio_colour(i);
            let (col_w, _) = area.dim_in_pixel();
            let title = text::ellipsize(
                &report.portfolios[i].name,
                theme.label_px,
                true,
                f64::from(col_w),
            );
            area.draw(&Text::new(
                title,
                ((col_w / 2) as i32, 0),
                theme.anchored(theme.label_px, true, colour, HPos::Center, VPos::Top),
            ))?;
            let (_, body) = area.split_vertically(header_h as u32);
            let (top, bottom) = body.split_vertically(row_h as u32);
            for (row, cell) in [top, bottom].iter().enumerate() {
                let money = row == 1;
                let mut chart = axes::cartesian(
                    cell,
                    theme,
                    &Axes {
                        x: row_max[row].range(0.05, true),
                        y: 0.0..n,
                        x_desc: if money {
                            "spend ($)"
                        } else {
                            "capacity (GPU-hours)"
                        },
                        y_desc: "",
                        x_fmt: &|v| {
                            if money {
                                format::money(*v)
                            } else {
                                format::compact(*v)
                            }
                        },
                        y_fmt: &|_| String::new(),
                        grid: Grid::Vertical,
                    },
                )?;
                for (k, provider) in providers.iter().enumerate() {
                    // Provider 0 on top.
                    let y_mid = n - k as f64 - 0.5;
                    let (y0, y1) = (y_mid - 0.32, y_mid + 0.32);
                    let mut x0 = 0.0;
                    for (tier, value) in stacks(share_of(i, provider), row).iter().enumerate() {
                        if *value <= 0.0 {
                            continue;
                        }
                        let fill = theme::tint(colour, TIER_TINTS[tier].1);
                        chart.draw_series(std::iter::once(Rectangle::new(
                            [(x0, y0), (x0 + value, y1)],
                            fill.filled(),
                        )))?;
                        x0 += value;
                    }
                    if col == 0 {
                        // Provider names once per row, right-aligned against the first panel.
                        let (_, py) = chart.backend_coord(&(0.0, y_mid));
                        let (_, names_top) = names.get_base_pixel();
                        let label = text::ellipsize(
                            provider,
                            theme.tick_px,
                            false,
                            name_w - theme.pad + 1.0,
                        );
                        names.draw(&Text::new(
                            label,
                            ((name_w - theme.pad * 0.5) as i32, py - names_top),
                            theme.anchored(
                                theme.tick_px,
                                false,
                                theme::INK,
                                HPos::Right,
                                VPos::Center,
                            ),
                        ))?;
                    }
                }
            }
        }
        Ok(())
    })
}

/// Providers in the report's order, then any others the shown portfolios mention.
fn provider_names(report: &Report, selected: &[usize]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mentioned = |name: &str| {
        selected.iter().any(|&i| {
            report.portfolios[i]
                .provider_share
                .iter()
                .any(|s| s.provider == name)
        })
    };
    for name in &report.providers {
        if mentioned(name) && !names.contains(name) {
            names.push(name.clone());
        }
    }
    for &i in selected {
        for share in &report.portfolios[i].provider_share {
            if !names.contains(&share.provider) {
                names.push(share.provider.clone());
            }
        }
    }
    names
}
