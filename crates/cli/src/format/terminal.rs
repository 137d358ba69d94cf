//! Text from scenario files made safe to print on a terminal.
//!
//! Names come from files someone else may have written. Printed raw, `\x1b[2J` would clear the
//! screen, `\x1b]0;...\x07` would retitle the window, an OSC 8 sequence would plant a link, and a
//! right-to-left override (U+202E) would make text read differently from what it is. Every
//! control character and bidirectional formatting character is shown as a visible `\u{..}`
//! escape instead; everything else (accents, CJK, emoji) passes through.

use std::borrow::Cow;

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character escaped; borrowed when there is nothing to escape.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Like `escape`, but line breaks are kept: for whole multi-line messages the CLI itself wrote.
pub fn escape_keep_lines(s: &str) -> String {
    s.split('\n').map(escape).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_ansi_osc_and_bidi() {
        assert_eq!(escape("\x1b[31mred"), "\\u{1b}[31mred");
        assert_eq!(escape("a\x1b]0;title\x07b"), "a\\u{1b}]0;title\\u{7}b");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("two\nlines\r"), "two\\u{a}lines\\u{d}");
        assert_eq!(escape("tab\there"), "tab\\u{9}here");
    }

    #[test]
    fn leaves_ordinary_text_alone() {
        assert!(matches!(escape("Zürich ± 東京 🚀"), Cow::Borrowed(_)));
    }

    #[test]
    fn keeps_line_breaks_when_asked() {
        assert_eq!(escape_keep_lines("a\x1b\nb"), "a\\u{1b}\nb");
    }
}
