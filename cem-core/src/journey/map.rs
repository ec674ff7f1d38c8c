//! The journey map as a picture: Graphviz DOT text and a self-contained SVG.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::journey::{Dfg, EventLog};

/// Settings of [`Dfg::to_svg`] and [`Dfg::to_dot`].
///
/// ```
/// let opts = cem_core::journey::MapOptions::default();
/// assert_eq!(opts.min_share, 0.02);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapOptions {
    /// Leave out edges with fewer occurrences than this share of the busiest edge.
    pub min_share: f64,
    /// A score per touchpoint code (for example the NPS after it, from
    /// [`FeedbackJoin::pain_points`](crate::journey::FeedbackJoin::pain_points)) that colours
    /// the nodes from red (`score_range.0`) to green (`score_range.1`); grey where `None`.
    pub scores: Vec<Option<f64>>,
    /// The scores mapped to the ends of the colour scale.
    pub score_range: (f64, f64),
    /// Title drawn at the top of the SVG.
    pub title: String,
    /// The column of each touchpoint code (for example its journey stage: awareness,
    /// consideration, purchase, ...); empty for the automatic layout, which places each
    /// touchpoint by its typical position within a session (events at most 30 minutes apart,
    /// in the log's unit given by `session_gap`).
    pub columns: Vec<u32>,
    /// Titles drawn above the columns (with `columns`).
    pub column_titles: Vec<String>,
    /// Inactivity gap of the sessions the automatic layout uses.
    pub session_gap: i64,
}

impl Default for MapOptions {
    fn default() -> Self {
        MapOptions {
            min_share: 0.02,
            scores: Vec::new(),
            score_range: (-100.0, 100.0),
            title: String::new(),
            columns: Vec::new(),
            column_titles: Vec::new(),
            session_gap: 1800,
        }
    }
}

const NODE_W: f64 = 150.0;
const NODE_H: f64 = 34.0;
const COL_GAP: f64 = 90.0;
const ROW_GAP: f64 = 26.0;
const MARGIN: f64 = 30.0;
const TOP: f64 = 78.0;

impl Dfg {
    /// The graph as Graphviz DOT: nodes labelled with touchpoint names and start/end counts,
    /// edges with their counts and pen widths by count.
    ///
    /// ```
    /// use cem_core::journey::{EventLog, MapOptions};
    /// let log = EventLog::from_rows(&[("a", "home", 0), ("a", "cart", 1)])?;
    /// let dot = log.dfg().to_dot(&log, &MapOptions::default());
    /// assert!(dot.starts_with("digraph journey {"));
    /// assert!(dot.contains("\"home\" -> \"cart\" [label=\"1\""));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_dot(&self, log: &EventLog, options: &MapOptions) -> String {
        let max = self.edges.iter().map(|e| e.count).max().unwrap_or(1).max(1);
        let keep = |count: u64| count as f64 >= options.min_share * max as f64;
        let name = |t: u32| dot_escape(log.touchpoint_label(t).unwrap_or("?"));
        let mut out = String::from(
            "digraph journey {\n  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n",
        );
        for t in 0..log.touchpoint_count() {
            let code = u32::try_from(t).unwrap_or(u32::MAX);
            let fill = node_colour(options, code);
            let _ = writeln!(out, "  \"{}\" [fillcolor=\"{fill}\"];", name(code));
        }
        for e in self.edges.iter().filter(|e| keep(e.count)) {
            let width = 1.0 + 7.0 * e.count as f64 / max as f64;
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\", penwidth={width:.2}];",
                name(e.source),
                name(e.target),
                e.count
            );
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a self-contained SVG (no scripts, fonts or network): touchpoints in
    /// columns by their typical position in the journeys, edges as curves whose width follows
    /// their count, nodes coloured by `options.scores`. It renders inline in notebooks and
    /// HTML reports.
    ///
    /// ```
    /// use cem_core::journey::{EventLog, MapOptions};
    /// let log = EventLog::from_rows(&[("a", "home", 0), ("a", "cart", 1), ("b", "home", 0)])?;
    /// let svg = log.dfg().to_svg(&log, &MapOptions { title: "Checkout".into(), ..MapOptions::default() });
    /// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n"));
    /// assert!(svg.contains(">home<") && svg.contains(">Checkout<"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_svg(&self, log: &EventLog, options: &MapOptions) -> String {
        let n = log.touchpoint_count();
        let (columns, positions) = layout(log, options);
        let max = self.edges.iter().map(|e| e.count).max().unwrap_or(1).max(1);
        let width = MARGIN * 2.0 + columns as f64 * (NODE_W + COL_GAP) - COL_GAP;
        let rows = positions.iter().map(|p| p.1).max().map_or(1, |r| r + 1);
        let height = TOP + MARGIN + rows as f64 * (NODE_H + ROW_GAP);
        let xy = |t: u32| {
            positions.get(t as usize).map(|&(c, r)| {
                (
                    MARGIN + c as f64 * (NODE_W + COL_GAP),
                    TOP + r as f64 * (NODE_H + ROW_GAP),
                )
            })
        };
        let mut out = crate::svg::header(width, height, &options.title, MARGIN);
        for (c, title) in options.column_titles.iter().enumerate().take(columns) {
            let _ = writeln!(
                out,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" font-weight=\"600\" fill=\"#5b7083\" letter-spacing=\"0.05em\">{}</text>",
                MARGIN + c as f64 * (NODE_W + COL_GAP) + NODE_W / 2.0,
                TOP - 12.0,
                crate::svg::escape(&title.to_uppercase())
            );
        }
        for e in self
            .edges
            .iter()
            .filter(|e| e.count as f64 >= options.min_share * max as f64 && e.source != e.target)
        {
            let (Some((x1, y1)), Some((x2, y2))) = (xy(e.source), xy(e.target)) else {
                continue;
            };
            let share = e.count as f64 / max as f64;
            let w = 1.0 + 9.0 * share;
            // Forward edges run right side to left side; same-column edges bulge out to the
            // right; backward edges leave from the left and arrive from the right.
            let (ax, ay, bx, by, c1, c2) = if x2 > x1 {
                let (ax, bx) = (x1 + NODE_W, x2);
                let bend = (bx - ax) / 2.0;
                (
                    ax,
                    y1 + NODE_H / 2.0,
                    bx,
                    y2 + NODE_H / 2.0,
                    ax + bend,
                    bx - bend,
                )
            } else if x2 == x1 {
                let x = x1 + NODE_W;
                (
                    x,
                    y1 + NODE_H / 2.0,
                    x,
                    y2 + NODE_H / 2.0,
                    x + 45.0,
                    x + 45.0,
                )
            } else {
                let (ax, bx) = (x1, x2 + NODE_W);
                (
                    ax,
                    y1 + NODE_H / 2.0,
                    bx,
                    y2 + NODE_H / 2.0,
                    ax - 60.0,
                    bx + 60.0,
                )
            };
            let _ = writeln!(
                out,
                "<path d=\"M{ax:.1},{ay:.1} C{c1:.1},{ay:.1} {c2:.1},{by:.1} {bx:.1},{by:.1}\" fill=\"none\" stroke=\"#5b7083\" stroke-opacity=\"{:.2}\" stroke-width=\"{w:.1}\"><title>{} → {}: {}</title></path>",
                0.25 + 0.6 * share,
                crate::svg::escape(log.touchpoint_label(e.source).unwrap_or("?")),
                crate::svg::escape(log.touchpoint_label(e.target).unwrap_or("?")),
                e.count
            );
        }
        for t in 0..n {
            let code = u32::try_from(t).unwrap_or(u32::MAX);
            let Some((x, y)) = xy(code) else {
                continue;
            };
            let label = crate::svg::escape(log.touchpoint_label(code).unwrap_or("?"));
            let _ = writeln!(
                out,
                "<g><rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"8\" fill=\"{}\" stroke=\"#34495e\" stroke-width=\"1\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"#1d232b\">{label}</text></g>",
                node_colour(options, code),
                x + NODE_W / 2.0,
                y + NODE_H / 2.0 + 4.0
            );
        }
        out.push_str("</svg>\n");
        out
    }
}

/// Columns from `options.columns`, or by the mean relative position of each touchpoint
/// within its sessions; rows by busyness within a column.
fn layout(log: &EventLog, options: &MapOptions) -> (usize, Vec<(usize, usize)>) {
    let n = log.touchpoint_count();
    let mut count = vec![0u64; n];
    for &t in log.touchpoint_column() {
        if let Some(k) = count.get_mut(t as usize) {
            *k += 1;
        }
    }
    let column_of: Vec<usize> = if options.columns.len() >= n {
        options.columns.iter().map(|&c| c as usize).collect()
    } else {
        automatic_columns(log, options.session_gap, &count)
    };
    let columns = column_of.iter().copied().max().map_or(1, |m| m + 1);
    let mut by_column: Vec<Vec<(u64, usize)>> = vec![Vec::new(); columns];
    for (t, &col) in column_of.iter().enumerate().take(n) {
        if let Some(c) = by_column.get_mut(col) {
            c.push((count.get(t).copied().unwrap_or(0), t));
        }
    }
    let mut positions = vec![(0usize, 0usize); n];
    for (c, nodes) in by_column.iter_mut().enumerate() {
        nodes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for (r, &(_, t)) in nodes.iter().enumerate() {
            if let Some(p) = positions.get_mut(t) {
                *p = (c, r);
            }
        }
    }
    (columns, positions)
}

/// Up to six columns by the mean relative position of each touchpoint within its sessions.
fn automatic_columns(log: &EventLog, gap: i64, count: &[u64]) -> Vec<usize> {
    let n = log.touchpoint_count();
    let mut sum = vec![0.0f64; n];
    let mut seen = vec![0u64; n];
    for (_, tps, ts) in log.journeys() {
        let mut start = 0;
        for end in 1..=tps.len() {
            let split = end == tps.len()
                || matches!((ts.get(end - 1), ts.get(end)), (Some(&a), Some(&b)) if b.saturating_sub(a) > gap);
            if !split {
                continue;
            }
            let session = tps.get(start..end).unwrap_or_default();
            let last = session.len().saturating_sub(1).max(1) as f64;
            for (i, &t) in session.iter().enumerate() {
                if let (Some(s), Some(k)) = (sum.get_mut(t as usize), seen.get_mut(t as usize)) {
                    *s += if session.len() == 1 {
                        0.0
                    } else {
                        i as f64 / last
                    };
                    *k += 1;
                }
            }
            start = end;
        }
    }
    let columns = n.clamp(1, 6);
    (0..n)
        .map(|t| {
            let k = seen.get(t).copied().unwrap_or(0);
            let mean = if k > 0 && count.get(t).copied().unwrap_or(0) > 0 {
                sum.get(t).copied().unwrap_or(0.0) / k as f64
            } else {
                1.0
            };
            ((mean * (columns - 1) as f64).round() as usize).min(columns - 1)
        })
        .collect()
}

/// Red → amber → green by score, grey without one.
fn node_colour(options: &MapOptions, t: u32) -> String {
    let Some(Some(score)) = options.scores.get(t as usize) else {
        return "#e8ecf0".into();
    };
    let (lo, hi) = options.score_range;
    let x = if hi > lo {
        ((score - lo) / (hi - lo)).clamp(0.0, 1.0)
    } else {
        0.5
    };
    // Two linear ramps: #e05a4f (bad) → #f2c14e (middle) → #5cb85c (good).
    let lerp =
        |a: u8, b: u8, f: f64| (f64::from(a) + (f64::from(b) - f64::from(a)) * f).round() as u8;
    let (r, g, b) = if x < 0.5 {
        let f = x * 2.0;
        (
            lerp(0xe0, 0xf2, f),
            lerp(0x5a, 0xc1, f),
            lerp(0x4f, 0x4e, f),
        )
    } else {
        let f = (x - 0.5) * 2.0;
        (
            lerp(0xf2, 0x5c, f),
            lerp(0xc1, 0xb8, f),
            lerp(0x4e, 0x5c, f),
        )
    };
    format!("#{r:02x}{g:02x}{b:02x}")
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
