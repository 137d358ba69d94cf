//! The board-room look: white background, Okabe-Ito colours, sizes for screen or projector.
//!
//! Okabe-Ito is distinguishable under the common colour-vision deficiencies. Portfolio colours
//! are picked by report index so "Hybrid" is the same blue in every chart of a dashboard.

use plotters::style::{FontStyle, IntoFont, RGBColor, ShapeStyle, TextStyle};
use plotters_backend::text_anchor::{HPos, Pos, VPos};

use crate::style::Style;
use crate::text;

pub(crate) const BACKGROUND: RGBColor = RGBColor(255, 255, 255);
pub(crate) const INK: RGBColor = RGBColor(33, 37, 41);
pub(crate) const MUTED: RGBColor = RGBColor(100, 106, 115);
pub(crate) const GRID: RGBColor = RGBColor(226, 229, 233);
pub(crate) const AXIS: RGBColor = RGBColor(150, 155, 162);
/// Demand is not a portfolio, so it is drawn in neutral greys.
pub(crate) const DEMAND_LINE: RGBColor = RGBColor(60, 60, 60);
pub(crate) const DEMAND_BAND: RGBColor = RGBColor(160, 160, 160);

/// Okabe-Ito, reordered so the first colours have the best contrast on white; the yellow,
/// weakest on white, comes last.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(240, 228, 66),  // yellow
];

/// The colour of portfolio `index` in the report.
pub(crate) fn portfolio_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// `colour` blended towards white: `amount` 0 keeps it, 1 gives white. Used for the lighter
/// tiers of a stacked bar so the stack stays in the portfolio's hue.
pub(crate) fn tint(colour: RGBColor, amount: f64) -> RGBColor {
    let mix = |c: u8| {
        let c = f64::from(c);
        (c + (255.0 - c) * amount.clamp(0.0, 1.0)).round() as u8
    };
    RGBColor(mix(colour.0), mix(colour.1), mix(colour.2))
}

/// Sizes derived from a [`Style`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct Theme {
    pub width: u32,
    pub height: u32,
    pub title_px: f64,
    pub subtitle_px: f64,
    pub label_px: f64,
    pub tick_px: f64,
    pub legend_px: f64,
    pub line: u32,
    pub thin: u32,
    pub pad: f64,
    pub marker: u32,
}

impl Theme {
    pub(crate) fn new(style: &Style) -> Self {
        let (width, height) = style.size();
        let k = if style.large { 1.5 } else { 1.0 };
        Self {
            width,
            height,
            title_px: 18.0 * k,
            subtitle_px: 12.0 * k,
            label_px: 13.0 * k,
            tick_px: 12.0 * k,
            legend_px: 13.0 * k,
            line: if style.large { 4 } else { 2 },
            thin: if style.large { 2 } else { 1 },
            pad: 14.0 * k,
            marker: if style.large { 7 } else { 5 },
        }
    }

    pub(crate) fn font(&self, px: f64, bold: bool, colour: RGBColor) -> TextStyle<'static> {
        let weight = if bold {
            FontStyle::Bold
        } else {
            FontStyle::Normal
        };
        (text::FONT_FAMILY, text::plotters_size(px), weight)
            .into_font()
            .color(&colour)
    }

    /// Text style anchored at `h`/`v` instead of plotters' default top-left.
    pub(crate) fn anchored(
        &self,
        px: f64,
        bold: bool,
        colour: RGBColor,
        h: HPos,
        v: VPos,
    ) -> TextStyle<'static> {
        self.font(px, bold, colour).pos(Pos::new(h, v))
    }

    pub(crate) fn stroke(&self, colour: RGBColor) -> ShapeStyle {
        ShapeStyle::from(colour).stroke_width(self.line)
    }

    pub(crate) fn thin_stroke(&self, colour: RGBColor) -> ShapeStyle {
        ShapeStyle::from(colour).stroke_width(self.thin)
    }
}
