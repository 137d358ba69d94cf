//! What the caller chooses about a chart: its size, presentation mode and which portfolios.

/// Most portfolios one chart shows side by side; more become unreadable on a slide.
pub const MAX_PORTFOLIOS: usize = 4;

/// Smallest and largest accepted sizes in pixels. Below the minimum a chart cannot fit its
/// title and axes (a placeholder is drawn instead); the maximum bounds memory for hostile input.
pub const MIN_SIZE: (u32, u32) = (240, 160);
pub const MAX_SIZE: u32 = 8192;

/// How to draw a chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Style {
    /// Width of the SVG in pixels (`width` attribute and view box).
    pub width: u32,
    /// Height of the SVG in pixels.
    pub height: u32,
    /// Presentation mode: larger type and thicker lines, for a projector across a board room.
    pub large: bool,
    /// Report portfolio indices to show, in this order. `None` shows the first
    /// [`MAX_PORTFOLIOS`]. Out-of-range and repeated indices are ignored, and at most
    /// [`MAX_PORTFOLIOS`] are kept. Colours follow the index, not the position, so a portfolio
    /// keeps its colour whatever subset is shown.
    pub portfolios: Option<Vec<usize>>,
}

impl Default for Style {
    fn default() -> Self {
        Self {
            width: 960,
            height: 540,
            large: false,
            portfolios: None,
        }
    }
}

impl Style {
    /// A style of the given size, normal type, first portfolios.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            ..Self::default()
        }
    }

    /// The same style in presentation mode.
    pub fn large(mut self) -> Self {
        self.large = true;
        self
    }

    /// The same style showing these portfolio indices, in this order.
    pub fn with_portfolios(mut self, indices: impl IntoIterator<Item = usize>) -> Self {
        self.portfolios = Some(indices.into_iter().collect());
        self
    }

    /// Width and height as written into the SVG: clamped to `1..=MAX_SIZE`.
    pub(crate) fn size(&self) -> (u32, u32) {
        (
            self.width.clamp(1, MAX_SIZE),
            self.height.clamp(1, MAX_SIZE),
        )
    }

    /// Indices of the portfolios to draw, given how many the report has.
    pub(crate) fn selection(&self, available: usize) -> Vec<usize> {
        let mut chosen: Vec<usize> = Vec::new();
        match &self.portfolios {
            None => chosen.extend(0..available.min(MAX_PORTFOLIOS)),
            Some(wanted) => {
                for &i in wanted {
                    if i < available && !chosen.contains(&i) && chosen.len() < MAX_PORTFOLIOS {
                        chosen.push(i);
                    }
                }
            }
        }
        chosen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_filters_and_caps() {
        let style = Style::default().with_portfolios([5, 1, 1, 0, 2, 3, 4]);
        assert_eq!(style.selection(5), vec![1, 0, 2, 3]);
        assert_eq!(Style::default().selection(2), vec![0, 1]);
        assert_eq!(Style::default().selection(9).len(), MAX_PORTFOLIOS);
        assert!(Style::default().with_portfolios([]).selection(3).is_empty());
    }
}
