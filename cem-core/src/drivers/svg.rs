//! The key-driver bar chart as a self-contained SVG.

use std::fmt::Write as _;

use crate::drivers::{DriverMethod, KeyDrivers, Quadrant};
use crate::svg::{escape, header};

fn color(q: Quadrant) -> &'static str {
    match q {
        Quadrant::FixNow => "#d62728",
        Quadrant::KeepUp => "#2ca02c",
        Quadrant::LowPriority => "#9aa5b1",
        Quadrant::PossibleOverkill => "#ff7f0e",
    }
}

impl KeyDrivers {
    /// A horizontal bar chart of the importances, most important first: bars coloured by
    /// importance–performance quadrant (legend below), bootstrap intervals as whiskers when
    /// present, each bar labelled with its importance (and share of R² for relative weights
    /// and Shapley) and the driver's mean rating. No scripts, fonts or external references.
    ///
    /// ```
    /// use cem_core::drivers::{key_drivers, DriverMethod};
    /// let kd = key_drivers(&[1.0, 3.0, 2.0, 5.0, 4.0], &[&[1.0, 2.0, 2.0, 4.0, 5.0], &[2.0, 1.0, 2.0, 3.0, 1.0]],
    ///                      &["staff <&> service", "price"], DriverMethod::RelativeWeights, None)?;
    /// let svg = kd.to_svg("Key drivers of satisfaction");
    /// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    /// assert!(svg.contains("staff &lt;&amp;&gt; service") && svg.contains("fix now"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_svg(&self, title: &str) -> String {
        let (left, top, plot_w, bar_h) = (190.0, 70.0, 420.0, 26.0);
        let mut order: Vec<&crate::drivers::DriverRow> = self.rows.iter().collect();
        order.sort_by(|a, b| b.importance.total_cmp(&a.importance));
        let ends = self
            .rows
            .iter()
            .flat_map(|r| [Some(r.importance), r.low, r.high])
            .flatten();
        let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
        let span = (hi - lo).max(f64::MIN_POSITIVE);
        let x = |v: f64| left + plot_w * (v - lo) / span;
        let height = top + bar_h * order.len() as f64 + 70.0;
        let width = left + plot_w + 230.0; // room for the label after the longest whisker
        let mut out = header(width, height, title, 20.0);
        let shares = matches!(
            self.method,
            DriverMethod::RelativeWeights | DriverMethod::Shapley
        );
        let _ = writeln!(
            out,
            "<text x=\"20\" y=\"50\" font-size=\"11\" fill=\"#5b7083\">{} · R² = {:.3} · n = {}{}</text>",
            self.method.name().replace('_', " "),
            self.r2,
            self.n,
            if self.n_boot > 0 {
                format!(
                    " · {:.0}% bootstrap intervals ({} replicates)",
                    self.confidence * 100.0,
                    self.n_boot
                )
            } else {
                String::new()
            }
        );
        let zero = x(0.0);
        let _ = writeln!(
            out,
            "<path d=\"M{zero:.1},{:.1} V{:.1}\" stroke=\"#5b7083\"/>",
            top - 4.0,
            top + bar_h * order.len() as f64
        );
        for (i, r) in order.iter().enumerate() {
            let y = top + bar_h * i as f64;
            let (a, b) = (zero.min(x(r.importance)), zero.max(x(r.importance)));
            let label = if shares {
                format!("{:.3} ({:.0}% of R²)", r.importance, r.share * 100.0)
            } else {
                format!("{:.3}", r.importance)
            };
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1d232b\">{}</text>",
                left - 8.0,
                y + bar_h * 0.62,
                escape(&r.driver)
            );
            let _ = writeln!(
                out,
                "<rect x=\"{a:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: importance {label}, mean rating {:.2}, {}</title></rect>",
                y + 4.0,
                (b - a).max(0.5),
                bar_h - 8.0,
                color(r.quadrant),
                escape(&r.driver),
                r.performance,
                r.quadrant
            );
            if let (Some(l), Some(h)) = (r.low, r.high) {
                let ym = y + bar_h / 2.0;
                let _ = writeln!(
                    out,
                    "<path d=\"M{:.1},{ym:.1} H{:.1} M{:.1},{:.1} V{:.1} M{:.1},{:.1} V{:.1}\" stroke=\"#1d232b\"/>",
                    x(l),
                    x(h),
                    x(l),
                    ym - 4.0,
                    ym + 4.0,
                    x(h),
                    ym - 4.0,
                    ym + 4.0
                );
            }
            let end = x(r.high.unwrap_or(r.importance).max(r.importance)).max(zero);
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1d232b\">{label} · mean {:.2}</text>",
                end + 6.0,
                y + bar_h * 0.62,
                r.performance
            );
        }
        let ly = top + bar_h * order.len() as f64 + 30.0;
        for (k, q) in [
            Quadrant::FixNow,
            Quadrant::KeepUp,
            Quadrant::LowPriority,
            Quadrant::PossibleOverkill,
        ]
        .into_iter()
        .enumerate()
        {
            let lx = 20.0 + 150.0 * k as f64;
            let _ = writeln!(
                out,
                "<rect x=\"{lx}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{:.1}\" y=\"{ly:.1}\" font-size=\"11\" fill=\"#1d232b\">{q}</text>",
                ly - 10.0,
                color(q),
                lx + 18.0
            );
        }
        out.push_str("</svg>\n");
        out
    }
}
