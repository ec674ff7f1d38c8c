//! Self-contained SVG pictures: the cohort retention heatmap and survival curves.

use std::fmt::Write as _;

use crate::loyalty::period::date_label;
use crate::loyalty::{KaplanMeier, RetentionCohorts};

const COLORS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
];

impl RetentionCohorts {
    /// The retention matrix as a self-contained SVG heatmap: one row per cohort (label:
    /// period start and size), one column per period since acquisition, cells shaded by the
    /// retained share and labelled in percent. No scripts, fonts or external references.
    ///
    /// ```
    /// use cem_core::loyalty::{retention_cohorts, Period};
    /// let r = retention_cohorts(&[1, 2, 1], &[0, 0, 40 * 86_400], 40 * 86_400, Period::Month)?;
    /// let svg = r.to_svg("Retention <by month>");
    /// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    /// assert!(svg.contains(">50%<") && svg.contains("Retention &lt;by month&gt;"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_svg(&self, title: &str) -> String {
        let (cell_w, cell_h, left, top) = (44.0, 22.0, 150.0, 64.0);
        let columns = self
            .cohorts
            .iter()
            .map(|c| c.retained.len())
            .max()
            .unwrap_or(0);
        let width = left + cell_w * columns as f64 + 20.0;
        let height = top + cell_h * self.cohorts.len() as f64 + 20.0;
        let mut out = crate::svg::header(width, height, title, 20.0);
        let _ = writeln!(
            out,
            "<text x=\"{left}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5b7083\">{}s since acquisition</text>",
            top - 26.0,
            self.period.name()
        );
        for k in 0..columns {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5b7083\">{k}</text>",
                left + cell_w * (k as f64 + 0.5),
                top - 8.0
            );
        }
        for (i, c) in self.cohorts.iter().enumerate() {
            let y = top + cell_h * i as f64;
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"11\" fill=\"#1d232b\">{} (n={})</text>",
                left - 8.0,
                y + cell_h * 0.7,
                date_label(c.start),
                c.size
            );
            for (k, share) in c.retained.iter().enumerate() {
                let x = left + cell_w * k as f64;
                let text = if *share > 0.55 { "#ffffff" } else { "#1d232b" };
                let _ = writeln!(
                    out,
                    "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"#1f5f99\" fill-opacity=\"{:.3}\"><title>{} cohort, {} {k}: {:.1}% ({} of {})</title></rect>",
                    cell_w - 1.0,
                    cell_h - 1.0,
                    0.05 + 0.95 * share.clamp(0.0, 1.0),
                    date_label(c.start),
                    self.period.name(),
                    share * 100.0,
                    c.active.get(k).copied().unwrap_or(0),
                    c.size
                );
                let _ = writeln!(
                    out,
                    "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"{text}\">{:.0}%</text>",
                    x + cell_w / 2.0,
                    y + cell_h * 0.68,
                    share * 100.0
                );
            }
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Kaplan–Meier curves as a self-contained SVG: one step line per curve with its shaded
/// confidence band, a legend with each label and median, axes from 0 to the last time.
///
/// ```
/// use cem_core::loyalty::{survival_svg, KaplanMeier};
/// let a = KaplanMeier::fit(&[1.0, 2.0, 3.0], &[true, true, false], None)?;
/// let b = KaplanMeier::fit(&[2.0, 4.0, 6.0], &[true, false, true], None)?;
/// let svg = survival_svg(&[("bargain hunters", &a), ("others", &b)], "Customer survival");
/// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
/// assert!(svg.contains("bargain hunters") && svg.contains("<path"));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn survival_svg(curves: &[(&str, &KaplanMeier)], title: &str) -> String {
    let (left, top, plot_w, plot_h) = (56.0, 56.0, 560.0, 300.0);
    let width = left + plot_w + 200.0;
    let height = top + plot_h + 50.0;
    let t_max = curves
        .iter()
        .filter_map(|(_, km)| km.table().last().map(|r| r.time))
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    let x = |t: f64| left + plot_w * t / t_max;
    let y = |s: f64| top + plot_h * (1.0 - s.clamp(0.0, 1.0));
    let mut out = crate::svg::header(width, height, title, 20.0);
    let _ = writeln!(
        out,
        "<path d=\"M{left},{top} V{:.1} H{:.1}\" fill=\"none\" stroke=\"#5b7083\"/>",
        top + plot_h,
        left + plot_w
    );
    for s in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" font-size=\"10\" fill=\"#5b7083\">{s:.2}</text>",
            left - 6.0,
            y(s) + 3.0
        );
    }
    for f in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#5b7083\">{}</text>",
            x(f * t_max),
            top + plot_h + 16.0,
            trim(f * t_max)
        );
    }
    for (i, (label, km)) in curves.iter().enumerate() {
        let color = COLORS.get(i % COLORS.len()).copied().unwrap_or("#1f77b4");
        let rows = km.table();
        // The band: the upper step function forward, the lower one back.
        let mut band = String::new();
        let mut line = String::new();
        let mut prev_upper: Option<f64> = None;
        for r in rows {
            let (px, sy, uy) = (x(r.time), y(r.survival), y(r.upper));
            match prev_upper {
                None => {
                    let _ = write!(line, "M{px:.1},{sy:.1}");
                    let _ = write!(band, "M{px:.1},{uy:.1}");
                }
                Some(u) => {
                    let _ = write!(line, " H{px:.1} V{sy:.1}");
                    let _ = write!(band, " L{px:.1},{:.1} L{px:.1},{uy:.1}", y(u));
                }
            }
            prev_upper = Some(r.upper);
        }
        let mut later_time: Option<f64> = None;
        for r in rows.iter().rev() {
            let ly = y(r.lower);
            if let Some(t) = later_time {
                let _ = write!(band, " L{:.1},{ly:.1}", x(t));
            }
            let _ = write!(band, " L{:.1},{ly:.1}", x(r.time));
            later_time = Some(r.time);
        }
        band.push_str(" Z");
        let _ = writeln!(
            out,
            "<path d=\"{band}\" fill=\"{color}\" fill-opacity=\"0.15\" stroke=\"none\"/>"
        );
        let _ = writeln!(
            out,
            "<path d=\"{line}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"><title>{}</title></path>",
            crate::svg::escape(label)
        );
        let median = km.median().map_or_else(|| "not reached".to_owned(), trim);
        let ly = top + 16.0 + 20.0 * i as f64;
        let _ = writeln!(
            out,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"14\" height=\"4\" fill=\"{color}\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1d232b\">{} (median {median})</text>",
            left + plot_w + 16.0,
            ly - 4.0,
            left + plot_w + 36.0,
            ly,
            crate::svg::escape(label)
        );
    }
    out.push_str("</svg>\n");
    out
}

fn trim(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}
