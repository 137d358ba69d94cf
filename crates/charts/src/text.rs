//! Text measurement and sanitising, with no font file and no browser.
//!
//! Plotters measures text through a font back end: font-kit or ab_glyph natively (system fonts
//! or a registered TTF) and, on `wasm32-unknown-unknown`, DOM `<span>` elements (it panics
//! without a `window`, e.g. in a Web Worker, and depends on the browser's fonts). None of these is
//! acceptable for charts that must lay out identically natively, in a worker and in any browser,
//! so our back end (see `backend.rs`) answers every size question from the tables below instead.
//!
//! The tables are the advance widths (per 1000 em) of Liberation Sans Regular and Bold for
//! printable ASCII. Liberation Sans (SIL Open Font Licence 1.1) is metric-compatible with Arial
//! and Helvetica, which is why the SVG asks for `Liberation Sans, Arial, Helvetica, sans-serif`:
//! whichever of those the viewer has, the text occupies the width we planned for. Only the numbers
//! are used; no font data ships in the crate or the wasm binary. See `fonts/README.md`.

/// The CSS font stack written into every `<text>`; all entries share the same metrics.
pub(crate) const FONT_FAMILY: &str = "Liberation Sans, Arial, Helvetica, sans-serif";

/// Plotters writes `font-size = size / 1.24` into the SVG; we think in CSS pixels.
const PLOTTERS_SIZE_FACTOR: f64 = 1.24;

#[rustfmt::skip]
const REGULAR: [u16; 95] = [
    277, 277, 354, 556, 556, 889, 666, 190, 333, 333, 389, 583, 277, 333, 277, 277,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 277, 277, 583, 583, 583, 556,
    1015, 666, 666, 722, 722, 666, 610, 777, 722, 277, 500, 666, 556, 833, 722, 777,
    666, 777, 722, 666, 610, 722, 666, 943, 666, 666, 610, 277, 277, 277, 469, 556,
    333, 556, 556, 500, 556, 556, 277, 556, 556, 222, 222, 500, 222, 833, 556, 556,
    556, 556, 333, 500, 277, 556, 500, 722, 500, 500, 500, 333, 259, 333, 583,
];

#[rustfmt::skip]
const BOLD: [u16; 95] = [
    277, 333, 474, 556, 556, 889, 722, 237, 333, 333, 389, 583, 277, 333, 277, 277,
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 583, 583, 583, 610,
    975, 722, 722, 722, 722, 666, 610, 777, 722, 277, 556, 722, 610, 833, 722, 777,
    666, 777, 722, 666, 610, 722, 666, 943, 666, 666, 610, 333, 277, 333, 583, 556,
    333, 556, 610, 556, 610, 556, 333, 610, 610, 277, 277, 556, 277, 889, 610, 610,
    610, 610, 389, 556, 333, 610, 556, 777, 556, 556, 500, 389, 279, 389, 583,
];

/// Width in 1/1000 em of one character.
fn advance(c: char, bold: bool) -> u32 {
    let code = c as u32;
    match code {
        32..=126 => {
            let table = if bold { &BOLD } else { &REGULAR };
            u32::from(table[(code - 32) as usize])
        }
        // Dashes, ellipsis, ≤ ≥ ±, accented Latin and the like are about one digit wide.
        0xA0..=0x2DFF => 600,
        // CJK, emoji and other wide scripts: a full em, so layouts err on the roomy side.
        _ => 1000,
    }
}

/// Width of `text` in pixels at a CSS font size of `px`.
pub(crate) fn width(text: &str, px: f64, bold: bool) -> f64 {
    let units: u64 = text.chars().map(|c| u64::from(advance(c, bold))).sum();
    units as f64 * px / 1000.0
}

/// Height of one line of text in pixels (ascent + descent of Liberation Sans).
pub(crate) fn line_height(px: f64) -> f64 {
    px * 1.15
}

/// Plotters font size for a CSS pixel size, nudged by a few ulps where possible so that
/// plotters' division writes `px` back exactly (`12`, not `12.000000000000002`). Some sizes
/// (13) have no exact preimage; they print with a harmless tail.
pub(crate) fn plotters_size(px: f64) -> f64 {
    let mut size = px * PLOTTERS_SIZE_FACTOR;
    for _ in 0..4 {
        let back = size / PLOTTERS_SIZE_FACTOR;
        if back == px {
            break;
        }
        size = if back < px {
            size.next_up()
        } else {
            size.next_down()
        };
    }
    size
}

/// CSS pixel size from a plotters font size.
pub(crate) fn css_px(plotters_size: f64) -> f64 {
    plotters_size / PLOTTERS_SIZE_FACTOR
}

/// Drop characters that XML 1.0 forbids (control characters, lone surrogates cannot occur in
/// `str`, U+FFFE/U+FFFF): plotters escapes `<&>"'` but would pass these through, and a single
/// one makes the whole SVG unparseable. Tabs and newlines become spaces: text is one line.
pub(crate) fn xml_safe(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' | '\r' => Some(' '),
            '\u{0}'..='\u{1F}' | '\u{7F}' | '\u{FFFE}' | '\u{FFFF}' => None,
            _ => Some(c),
        })
        .collect()
}

/// Shorten `text` with an ellipsis so it fits in `max_px` pixels: names come from users and
/// can be arbitrarily long, and a long one must not push the chart out of its box.
pub(crate) fn ellipsize(text: &str, px: f64, bold: bool, max_px: f64) -> String {
    let clean = xml_safe(text);
    let clean = clean.trim();
    if width(clean, px, bold) <= max_px {
        return clean.to_owned();
    }
    let budget = max_px - width("…", px, bold);
    let mut used = 0.0;
    let mut out = String::new();
    for c in clean.chars() {
        let w = f64::from(advance(c, bold)) * px / 1000.0;
        if used + w > budget {
            break;
        }
        used += w;
        out.push(c);
    }
    let mut out = out.trim_end().to_owned();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_metrics() {
        // "0" is 556/1000 em in Liberation Sans and Arial alike.
        assert!((width("00", 10.0, false) - 11.12).abs() < 1e-9);
        assert!(width("Wide", 12.0, true) > width("Wide", 12.0, false));
    }

    #[test]
    fn plotters_size_round_trips() {
        for px in [
            9.0, 11.0, 12.0, 13.0, 14.0, 16.0, 18.0, 20.0, 22.0, 27.0, 30.0, 36.0,
        ] {
            assert!((css_px(plotters_size(px)) - px).abs() < 1e-9);
        }
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{1}b\tc\u{FFFF}"), "ab c");
    }

    #[test]
    fn ellipsize_fits() {
        let long = "A very long portfolio name that keeps going and going";
        let short = ellipsize(long, 12.0, false, 100.0);
        assert!(short.ends_with('…'));
        assert!(width(&short, 12.0, false) <= 100.0);
        assert_eq!(ellipsize("short", 12.0, false, 100.0), "short");
    }
}
