//! Checks every chart test makes of an SVG: well-formed XML, the requested size, no NaN, and
//! its text content (entities decoded) for asserting on what a reader sees.

use charts::Style;
use quick_xml::Reader;
use quick_xml::events::Event;

/// Parse the whole document; returns the text content and the root's width/height.
pub fn parse(svg: &str) -> (String, String, String) {
    let mut reader = Reader::from_str(svg);
    let mut depth = 0usize;
    let mut text = String::new();
    let mut size = None;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    assert_eq!(e.name().as_ref(), "svg", "root element is <svg>");
                    let attr = |name: &str| {
                        let a = e
                            .try_get_attribute(name)
                            .unwrap()
                            .expect("attribute present");
                        a.value.into_owned()
                    };
                    size = Some((attr("width"), attr("height")));
                }
                depth += 1;
            }
            Ok(Event::End(_)) => {
                depth = depth.checked_sub(1).expect("balanced tags");
                text.push('\n');
            }
            Ok(Event::Text(t)) => {
                text.push_str(&t.xml10_content());
            }
            Ok(Event::GeneralRef(r)) => {
                let name = r.xml10_content().into_owned();
                let c = match name.as_str() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unknown entity &{other};"),
                };
                text.push(c);
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed XML: {e}\n{svg}"),
        }
    }
    assert_eq!(depth, 0, "every tag closed");
    let (w, h) = size.expect("an <svg> root");
    (text, w, h)
}

pub fn check(svg: &str, style: &Style) -> String {
    assert!(!svg.is_empty());
    let (text, w, h) = parse(svg);
    assert_eq!(w, style.width.clamp(1, charts::MAX_SIZE).to_string());
    assert_eq!(h, style.height.clamp(1, charts::MAX_SIZE).to_string());
    for bad in ["NaN", "inf\"", "-inf"] {
        assert!(!svg.contains(bad), "SVG contains {bad}");
    }
    text
}
