//! `make demo`: a CX report on the embedded sample company.
//!
//! NPS, CSAT and CES with 95% intervals overall, by channel and by month; month-on-month
//! changes tested for significance (▲/▼ where p < 0.05); a chi-square test of whether the NPS
//! answer distribution depends on the channel. Printed to the terminal and written to
//! `report.html` (or the path given as the first argument).
//!
//! Run with `cargo run --release -p cem-core --example cx_report [-- report.html [customers]]`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cem_core::journey::{EventLog, MapOptions};
use cem_core::metrics::{Ces, Csat, Estimate, Nps, ScoreMetric, chi_square_segments};
use cem_core::model::{Answer, Feedback, JourneyStage};
use cem_core::sample;
use chrono::Datelike;

const CONFIDENCE: f64 = 0.95;
const SEED: u64 = 42;

/// The three survey metrics of one group.
#[derive(Default, Clone)]
struct Scores {
    nps: Nps,
    csat: Csat,
    ces: Ces,
}

impl Scores {
    fn push(&mut self, fb: &Feedback) -> cem_core::Result<()> {
        if let Some(s) = score(fb, "nps") {
            self.nps.push(s)?;
        }
        if let Some(s) = score(fb, "csat") {
            self.csat.push(s)?;
        }
        if let Some(s) = score(fb, "ces") {
            self.ces.push(s)?;
        }
        Ok(())
    }
}

fn score(fb: &Feedback, question: &str) -> Option<u8> {
    match fb.answers.get(question) {
        Some(Answer::Number(x)) if x.fract() == 0.0 && (0.0..=255.0).contains(x) => Some(*x as u8),
        _ => None,
    }
}

struct Report {
    text: String,
    html: String,
}

impl Report {
    fn heading(&mut self, title: &str) {
        let _ = writeln!(
            self.text,
            "\n{title}\n{}",
            "=".repeat(title.chars().count())
        );
        let _ = writeln!(self.html, "<h2>{}</h2>", escape(title));
    }

    fn paragraph(&mut self, line: &str) {
        let _ = writeln!(self.text, "{line}");
        let _ = writeln!(self.html, "<p>{}</p>", escape(line));
    }

    fn table(&mut self, header: &[&str], rows: &[Vec<String>]) {
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .filter_map(|r| r.get(i))
                    .map(|c| c.chars().count())
                    .chain([header.get(i).map_or(0, |h| h.chars().count())])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: Vec<&str>| {
            cells
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ")
        };
        let _ = writeln!(self.text, "{}", line(header.to_vec()));
        let _ = writeln!(
            self.text,
            "{}",
            line(widths.iter().map(|_| "").collect()).replace(' ', "-")
        );
        self.html.push_str("<table><thead><tr>");
        for h in header {
            let _ = write!(self.html, "<th>{}</th>", escape(h));
        }
        self.html.push_str("</tr></thead><tbody>");
        for row in rows {
            let _ = writeln!(
                self.text,
                "{}",
                line(row.iter().map(String::as_str).collect())
            );
            self.html.push_str("<tr>");
            for cell in row {
                let class = if cell.contains('▲') {
                    " class=\"up\""
                } else if cell.contains('▼') {
                    " class=\"down\""
                } else {
                    ""
                };
                let _ = write!(self.html, "<td{class}>{}</td>", escape(cell));
            }
            self.html.push_str("</tr>");
        }
        self.html.push_str("</tbody></table>\n");
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn fmt_points(e: &cem_core::Result<Estimate>) -> String {
    match e {
        Ok(e) => format!("{:+.1} [{:+.1}, {:+.1}]", e.value, e.low, e.high),
        Err(_) => "–".into(),
    }
}

fn fmt_share(e: &cem_core::Result<Estimate>) -> String {
    match e {
        Ok(e) => format!(
            "{:.1}% [{:.1}, {:.1}]",
            100.0 * e.value,
            100.0 * e.low,
            100.0 * e.high
        ),
        Err(_) => "–".into(),
    }
}

fn fmt_mean(e: &cem_core::Result<Estimate>) -> String {
    match e {
        Ok(e) => format!("{:.2} [{:.2}, {:.2}]", e.value, e.low, e.high),
        Err(_) => "–".into(),
    }
}

fn metric_row(label: String, s: &Scores) -> Vec<String> {
    vec![
        label,
        s.nps.n().to_string(),
        fmt_points(&s.nps.estimate(CONFIDENCE)),
        fmt_share(&s.csat.estimate(CONFIDENCE)),
        fmt_mean(&s.ces.estimate(CONFIDENCE)),
    ]
}

/// "▲ +4.2 (p=0.003)" when the NPS changed significantly since `before`.
fn change_mark(now: &Nps, before: Option<&Nps>) -> String {
    let Some(before) = before else {
        return String::new();
    };
    match now.compare(before, CONFIDENCE) {
        Ok(c) if c.significant => {
            let arrow = if c.difference > 0.0 { '▲' } else { '▼' };
            format!("{arrow} {:+.1} (p={:.3})", c.difference, c.p_value)
        }
        Ok(c) => format!("  {:+.1}", c.difference),
        Err(_) => String::new(),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args.next().unwrap_or_else(|| "report.html".into());
    let customers: usize = args.next().map_or(Ok(5_000), |s| s.parse())?;

    let started = std::time::Instant::now();
    let company = sample::retailer(SEED, customers)?;
    let channel_of: BTreeMap<&str, String> = company
        .touchpoints
        .iter()
        .map(|t| (t.id.as_str(), t.channel.name().to_owned()))
        .collect();

    let mut overall = Scores::default();
    let mut by_channel: BTreeMap<String, Scores> = BTreeMap::new();
    let mut by_month: BTreeMap<(i32, u32), Scores> = BTreeMap::new();
    let mut by_channel_month: BTreeMap<(String, (i32, u32)), Nps> = BTreeMap::new();
    for fb in &company.feedback {
        let channel = fb
            .touchpoint
            .as_deref()
            .and_then(|t| channel_of.get(t))
            .cloned()
            .unwrap_or_else(|| "unknown".into());
        let month = (fb.time.year(), fb.time.month());
        overall.push(fb)?;
        by_channel.entry(channel.clone()).or_default().push(fb)?;
        by_month.entry(month).or_default().push(fb)?;
        if let Some(s) = score(fb, "nps") {
            by_channel_month
                .entry((channel, month))
                .or_default()
                .push(s)?;
        }
    }

    let mut r = Report {
        text: String::new(),
        html: String::from(HTML_HEAD),
    };
    let title = "CX report — the cem sample retailer";
    let _ = writeln!(r.text, "{title}");
    let _ = writeln!(r.html, "<h1>{}</h1>", escape(title));
    r.paragraph(&format!(
        "{} customers, {} interactions, {} survey responses, {} transactions, {} cases (seed {SEED}). \
         Intervals are 95%: NPS adjusted Wald (points), CSAT top-2 box Wilson, CES 1–7 mean Student t.",
        company.customers.len(),
        company.interactions.len(),
        company.feedback.len(),
        company.transactions.len(),
        company.cases.len(),
    ));

    let header = ["", "n", "NPS", "CSAT (top-2)", "CES (1–7)"];
    r.heading("Overall");
    r.table(&header, &[metric_row("all".into(), &overall)]);

    r.heading("By channel");
    let rows: Vec<Vec<String>> = by_channel
        .iter()
        .map(|(c, s)| metric_row(c.clone(), s))
        .collect();
    r.table(&header, &rows);
    let counts: Vec<_> = by_channel.values().map(|s| s.nps.counts()).collect();
    if let Ok(t) = chi_square_segments(&counts) {
        r.paragraph(&format!(
            "Does the NPS answer depend on the channel? χ² = {:.1}, df = {}, p = {:.2e}{}",
            t.statistic,
            t.df,
            t.p_value,
            if t.p_value < 0.05 {
                " — yes, significantly."
            } else {
                " — no significant dependence."
            }
        ));
    }

    r.heading("By month (▲/▼: NPS changed significantly from the month before, p < 0.05)");
    let mut rows = Vec::new();
    let mut previous: Option<&Nps> = None;
    for ((y, m), s) in &by_month {
        let mut row = metric_row(format!("{y}-{m:02}"), s);
        row.push(change_mark(&s.nps, previous));
        rows.push(row);
        previous = Some(&s.nps);
    }
    r.table(
        &[
            "month",
            "n",
            "NPS",
            "CSAT (top-2)",
            "CES (1–7)",
            "NPS change",
        ],
        &rows,
    );

    r.heading("NPS by channel and quarter (▲/▼: significant change from the quarter before)");
    let mut by_channel_quarter: BTreeMap<(String, (i32, u32)), Nps> = BTreeMap::new();
    for ((channel, (y, m)), nps) in &by_channel_month {
        by_channel_quarter
            .entry((channel.clone(), (*y, (m - 1) / 3 + 1)))
            .or_default()
            .merge(nps)?;
    }
    let quarters: Vec<(i32, u32)> = {
        let mut q: Vec<_> = by_channel_quarter.keys().map(|(_, q)| *q).collect();
        q.sort_unstable();
        q.dedup();
        q
    };
    let mut header = vec!["channel".to_owned()];
    header.extend(quarters.iter().map(|(y, q)| format!("{y} Q{q}")));
    let mut rows = Vec::new();
    for channel in by_channel.keys() {
        let mut row = vec![channel.clone()];
        let mut previous: Option<&Nps> = None;
        for q in &quarters {
            let cell = by_channel_quarter.get(&(channel.clone(), *q));
            row.push(match cell {
                Some(nps) => {
                    let value = nps
                        .estimate(CONFIDENCE)
                        .map(|e| format!("{:+.0}", e.value))
                        .unwrap_or_default();
                    let mark = change_mark(nps, previous);
                    let arrow = mark.chars().next().filter(|c| *c == '▲' || *c == '▼');
                    format!(
                        "{value}{}",
                        arrow.map(|a| format!(" {a}")).unwrap_or_default()
                    )
                }
                None => "–".into(),
            });
            previous = cell;
        }
        rows.push(row);
    }
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    r.table(&header_refs, &rows);

    journey_section(&mut r, &company)?;

    r.html.push_str("</body></html>\n");
    std::fs::write(&out, &r.html)?;
    print!("{}", r.text);
    println!("\nwritten to {out} in {:.2?}", started.elapsed());
    Ok(())
}

/// Pain points (NPS after each touchpoint against the rest) and the journey map.
fn journey_section(
    r: &mut Report,
    company: &sample::Retailer,
) -> Result<(), Box<dyn std::error::Error>> {
    let log = EventLog::from_interactions(&company.interactions)?;
    let join = log.with_feedback_rows(&company.feedback, "nps", None)?;
    let pains = join.pain_points(&log, ScoreMetric::Nps, CONFIDENCE, 30)?;
    r.heading("Pain points: NPS after each touchpoint vs the rest (impact = NPS points gained overall if it scored like the rest)");
    let rows: Vec<Vec<String>> = pains
        .iter()
        .map(|p| {
            let d = &p.difference;
            let mark = if d.significant {
                if d.difference < 0.0 { "▼" } else { "▲" }
            } else {
                ""
            };
            vec![
                log.touchpoint_label(p.touchpoint).unwrap_or("?").to_owned(),
                p.after.n.to_string(),
                fmt_points(&Ok(p.after)),
                format!(
                    "{mark} {:+.1} [{:+.1}, {:+.1}]",
                    d.difference, d.low, d.high
                ),
                format!("{:.1e}", d.p_value),
                format!("{:+.2}", p.impact),
            ]
        })
        .collect();
    r.table(
        &["touchpoint", "n", "NPS after", "vs rest", "p", "impact"],
        &rows,
    );

    let mut scores = vec![None; log.touchpoint_count()];
    for p in &pains {
        if let Some(s) = scores.get_mut(p.touchpoint as usize) {
            *s = Some(p.after.value);
        }
    }
    // One column per journey stage, in the order customers go through them.
    let stages = [
        JourneyStage::Awareness,
        JourneyStage::Consideration,
        JourneyStage::Purchase,
        JourneyStage::Delivery,
        JourneyStage::Usage,
        JourneyStage::Support,
        JourneyStage::Loyalty,
    ];
    let used: Vec<&JourneyStage> = stages
        .iter()
        .filter(|s| company.touchpoints.iter().any(|t| &t.stage == *s))
        .collect();
    let columns = log
        .touchpoint_labels()
        .iter()
        .map(|label| {
            let stage = company
                .touchpoints
                .iter()
                .find(|t| &t.id == label)
                .map(|t| &t.stage);
            let col = stage.and_then(|s| used.iter().position(|u| *u == s));
            u32::try_from(col.unwrap_or(used.len().saturating_sub(1))).unwrap_or(0)
        })
        .collect();
    let options = MapOptions {
        title: "Journey map: directly-follows transitions, nodes coloured by the NPS after them"
            .into(),
        scores,
        score_range: (-40.0, 40.0),
        columns,
        column_titles: used.iter().map(|s| format!("{s:?}")).collect(),
        ..MapOptions::default()
    };
    r.html.push_str(&log.dfg().to_svg(&log, &options));
    let _ = writeln!(r.text, "\n(journey map: see the HTML report)");
    Ok(())
}

const HTML_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>cem — CX report</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #1d232b; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; font-variant-numeric: tabular-nums; }
th, td { padding: 0.25rem 0.75rem; border-bottom: 1px solid #dde3ea; text-align: left; }
th { background: #f3f6f9; }
td.up { color: #137333; font-weight: 600; }
td.down { color: #b3261e; font-weight: 600; }
</style></head><body>
"#;
