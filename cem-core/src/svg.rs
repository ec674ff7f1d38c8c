//! Small helpers shared by the self-contained SVG pictures (journey maps, retention heatmaps,
//! survival curves) (private).

use std::fmt::Write as _;

/// The opening `<svg>` element (scaling to the page up to its natural width), a white
/// background and, when `title` is not empty, the title at (`title_x`, 30).
pub(crate) fn header(width: f64, height: f64, title: &str, title_x: f64) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {width:.0} {height:.0}\" width=\"100%\" style=\"max-width:{width:.0}px\" font-family=\"system-ui, sans-serif\" font-size=\"12\">"
    );
    out.push_str("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    if !title.is_empty() {
        let _ = writeln!(
            out,
            "<text x=\"{title_x}\" y=\"30\" font-size=\"16\" font-weight=\"600\" fill=\"#1d232b\">{}</text>",
            escape(title)
        );
    }
    out
}

/// Text made safe for SVG/XML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            super::escape("a<b & \"c\">"),
            "a&lt;b &amp; &quot;c&quot;&gt;"
        );
        let h = super::header(100.0, 50.0, "R&D", 20.0);
        assert!(h.starts_with("<svg") && h.contains(">R&amp;D</text>"));
        assert!(!super::header(1.0, 1.0, "", 0.0).contains("<text"));
    }
}
