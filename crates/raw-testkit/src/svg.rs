//! The SVG pictures read back: their texts, overlaps and packet arrows.

#![forbid(unsafe_code)]

/// One text label of an SVG drawing and the box it takes (estimated from a monospace
/// font: 0.6 em per character).
#[derive(Debug, Clone)]
pub struct SvgText {
    /// The text.
    pub text: String,
    /// Left, top, right, bottom.
    pub bbox: (f64, f64, f64, f64),
}

/// Parses an SVG with a real XML parser (panics if it is not well-formed XML) and
/// returns every `<text>` with its box.
pub fn svg_texts(svg: &str) -> Vec<SvgText> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not valid XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let default_size: f64 = doc
        .root_element()
        .attribute("font-size")
        .and_then(|s| s.parse().ok())
        .unwrap_or(16.0);
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let text: String = n.text().unwrap_or_default().to_string();
            let num = |a: &str| {
                n.attribute(a)
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0)
            };
            // Packet labels are 14 px by their CSS class; others say it or inherit it.
            let class_size = (n.attribute("class") == Some("plabel")).then_some(14.0);
            let size = n
                .attribute("font-size")
                .and_then(|v| v.trim_end_matches("px").parse().ok())
                .or(class_size)
                .unwrap_or(default_size);
            let width = text.chars().count() as f64 * 0.6 * size;
            let (x, y) = (num("x"), num("y"));
            let left = match n.attribute("text-anchor") {
                Some("middle") => x - width / 2.0,
                Some("end") => x - width,
                _ => x,
            };
            SvgText {
                text,
                bbox: (left, y - size * 0.8, left + width, y + size * 0.2),
            }
        })
        .collect()
}

/// Pairs of texts of an SVG whose boxes overlap (more than 1 unit each way).
pub fn svg_overlaps(svg: &str) -> Vec<(String, String)> {
    let texts = svg_texts(svg);
    let mut out = Vec::new();
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            let (l1, t1, r1, b1) = a.bbox;
            let (l2, t2, r2, b2) = b.bbox;
            if l1 < r2 - 1.0 && l2 < r1 - 1.0 && t1 < b2 - 1.0 && t2 < b1 - 1.0 {
                out.push((a.text.clone(), b.text.clone()));
            }
        }
    }
    out
}

/// The packet arrows of one of our SVG diagrams, top to bottom: (frame number, flag
/// name, flag bits, payload length).
pub fn svg_packets(svg: &str) -> Vec<(u64, String, u8, usize)> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not valid XML: {e}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("class") == Some("pkt"))
        .map(|n| {
            (
                n.attribute("data-no")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                n.attribute("data-flags").unwrap_or_default().to_string(),
                n.attribute("data-bits")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
                n.attribute("data-len")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0),
            )
        })
        .collect()
}
