//! Addresses of share links and embeds, and the `<iframe>` snippet a wiki page pastes.
//!
//! Everything is built from the page's own address (`location.href`), so a copy hosted under
//! any sub-path (`https://wiki.example/attachments/headroom/`) hands out links to itself.
//! Pure string work, unit-tested natively.

use super::target::{EmbedTarget, PARAM};

/// The page's address without its query and fragment: where links and embeds point.
pub fn page_base(href: &str) -> &str {
    href.split(['?', '#']).next().unwrap_or(href)
}

/// The page's address without its fragment (the query, if any, is kept).
pub fn without_fragment(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

/// The share link: the app's address with the link code as its fragment. A fragment is never
/// sent to a server, so the scenario stays between the people who share the link.
pub fn link_url(href: &str, code: &str) -> String {
    format!("{}#{code}", page_base(href))
}

/// The embed address of `target` for a link code.
pub fn embed_url(href: &str, target: EmbedTarget, code: &str) -> String {
    format!("{}?{PARAM}={}#{code}", page_base(href), target.param())
}

/// Escapes text for an HTML attribute value in double quotes (and for text content).
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Line breaks and other controls would make the snippet hard to paste.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Smallest and largest iframe sizes the dialog offers (CSS pixels).
pub const MIN_FRAME: u32 = 120;
pub const MAX_FRAME: u32 = 4000;

/// The `<iframe>` element to paste into a wiki page. `title` (read by screen readers) usually
/// contains a scenario or portfolio name, so it is escaped; sizes are clamped.
pub fn iframe_snippet(src: &str, width: u32, height: u32, title: &str) -> String {
    let (w, h) = (
        width.clamp(MIN_FRAME, MAX_FRAME),
        height.clamp(MIN_FRAME, MAX_FRAME),
    );
    format!(
        "<iframe src=\"{}\" width=\"{w}\" height=\"{h}\" title=\"{}\" style=\"border:0\" loading=\"lazy\"></iframe>",
        escape_attr(src),
        escape_attr(title)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_point_at_the_page_from_any_sub_path() {
        let href = "https://wiki.example/attachments/headroom/index.html?x=1#hr1.old";
        assert_eq!(
            page_base(href),
            "https://wiki.example/attachments/headroom/index.html"
        );
        assert_eq!(
            without_fragment(href),
            "https://wiki.example/attachments/headroom/index.html?x=1"
        );
        assert_eq!(
            link_url("http://127.0.0.1:9/wiki/h/", "hr1.abc"),
            "http://127.0.0.1:9/wiki/h/#hr1.abc"
        );
        assert_eq!(
            embed_url(href, EmbedTarget::Kpi(0), "hr1.abc"),
            "https://wiki.example/attachments/headroom/index.html?embed=kpi:1#hr1.abc"
        );
        assert_eq!(
            embed_url(
                "http://h/a/?embed=kpi:1#hr1.x",
                EmbedTarget::Comparisons,
                "hr1.y"
            ),
            "http://h/a/?embed=comparisons#hr1.y"
        );
    }

    #[test]
    fn the_snippet_escapes_its_title_and_clamps_sizes() {
        let snippet = iframe_snippet(
            "http://h/a/?embed=kpi:1#hr1.abc",
            10,
            99_999,
            "Headroom: \"><script>alert(1)</script>\n&amp; 'x'",
        );
        assert_eq!(
            snippet,
            "<iframe src=\"http://h/a/?embed=kpi:1#hr1.abc\" width=\"120\" height=\"4000\" \
             title=\"Headroom: &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; &#39;x&#39;\" \
             style=\"border:0\" loading=\"lazy\"></iframe>"
        );
        assert_eq!(snippet.matches('<').count(), 2);
    }
}
