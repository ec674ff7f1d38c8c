//! Survey orchestration benchmark (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench orchestrate -- [--interactions N] [--customers C]
//!     [--batch B] [--repeat R] [--seed S] [--json out.json]
//! ```
//!
//! A seeded synthetic log in time order: N interactions (default 10M) of C customers
//! (default 1M) over one year, on 40 touchpoints, 6 channels, 4 outcomes (plus none) and 5
//! segments, with 2% open complaints and 1% do-not-contact; 20 triggers (touchpoint sets,
//! some outcome and channel filters, sampling 0.05–1, priorities, two survey-scoped
//! quarantines), a 14-day global quarantine and two caps (2 per 30 days, 4 per 180 days).
//! The orchestrator is fed in batches of B rows (default 100k) into one reused decision
//! buffer, on one thread (cem-core's orchestrator has no parallel path). Each timed run
//! starts from an empty state. Also times `decide` one event at a time (row API, strings)
//! on the first 1M interactions.

// The harness slices its own columns by ranges it computed from their length.
#![allow(clippy::indexing_slicing)]

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num, peak_rss_bytes};
use cem_core::survey::orchestrate::{Batch, Codes, Decision, Event, Orchestrator, Reason, Rules};

const TOUCHPOINTS: u32 = 40;
const CHANNELS: [&str; 6] = ["web", "app", "email", "call_centre", "store", "chat"];
const OUTCOMES: [&str; 4] = ["ok", "failed", "resolved", "unresolved"];
const SEGMENTS: [&str; 5] = ["gold", "silver", "basic", "new", "staff"];

struct Options {
    interactions: usize,
    customers: u64,
    batch: usize,
    repeat: usize,
    seed: u64,
    json: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        interactions: 10_000_000,
        customers: 1_000_000,
        batch: 100_000,
        repeat: 5,
        seed: 20_261_126,
        json: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        let num = |s: String| parse_num::<u64>(&s);
        match arg.as_str() {
            "--interactions" => o.interactions = num(value("--interactions")?)? as usize,
            "--customers" => o.customers = num(value("--customers")?)?.max(1),
            "--batch" => o.batch = (num(value("--batch")?)? as usize).max(1),
            "--repeat" => o.repeat = num(value("--repeat")?)? as usize,
            "--seed" => o.seed = num(value("--seed")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

/// The log as columns, sorted by time.
struct Log {
    customers: Vec<u64>,
    times: Vec<i64>,
    touchpoints: Vec<u32>,
    channels: Vec<u32>,
    outcomes: Vec<u32>,
    segments: Vec<u32>,
    complaint: Vec<bool>,
    dnc: Vec<bool>,
    tp_labels: Vec<String>,
    ch_labels: Vec<String>,
    out_labels: Vec<String>,
    seg_labels: Vec<String>,
}

impl Log {
    fn generate(o: &Options) -> Log {
        let mut rng = SplitMix64::new(o.seed);
        let n = o.interactions;
        let year = 365 * 86_400u64;
        let start = 1_704_067_200i64; // 2024-01-01
        let mut log = Log {
            customers: Vec::with_capacity(n),
            times: Vec::with_capacity(n),
            touchpoints: Vec::with_capacity(n),
            channels: Vec::with_capacity(n),
            outcomes: Vec::with_capacity(n),
            segments: Vec::with_capacity(n),
            complaint: Vec::with_capacity(n),
            dnc: Vec::with_capacity(n),
            tp_labels: (0..TOUCHPOINTS).map(|t| format!("tp{t}")).collect(),
            ch_labels: CHANNELS.iter().map(|s| (*s).to_owned()).collect(),
            out_labels: OUTCOMES.iter().map(|s| (*s).to_owned()).collect(),
            seg_labels: SEGMENTS.iter().map(|s| (*s).to_owned()).collect(),
        };
        // Times: sorted uniform over the year (cumulative exponential-ish gaps).
        let step = year as f64 / n.max(1) as f64;
        let mut t = 0.0f64;
        for _ in 0..n {
            t += -step * (1.0 - rng.unit()).ln();
            let c = rng.below(o.customers);
            log.customers.push(c.wrapping_mul(0x9E37_79B9_7F4A_7C15));
            log.times.push(start + t as i64);
            let tp = rng.below(u64::from(TOUCHPOINTS)) as u32;
            log.touchpoints.push(tp);
            log.channels.push(tp % CHANNELS.len() as u32);
            let u = rng.below(5) as u32;
            log.outcomes.push(if u == 4 { Codes::MISSING } else { u });
            log.segments.push((c % SEGMENTS.len() as u64) as u32);
            log.complaint.push(rng.below(50) == 0);
            log.dnc.push(c.is_multiple_of(100));
        }
        log
    }

    fn batch(&self, r: std::ops::Range<usize>) -> Batch<'_> {
        let mut b = Batch::new(
            &self.customers[r.clone()],
            &self.times[r.clone()],
            Codes {
                codes: &self.touchpoints[r.clone()],
                labels: &self.tp_labels,
            },
        );
        b.channels = Some(Codes {
            codes: &self.channels[r.clone()],
            labels: &self.ch_labels,
        });
        b.outcomes = Some(Codes {
            codes: &self.outcomes[r.clone()],
            labels: &self.out_labels,
        });
        b.segments = Some(Codes {
            codes: &self.segments[r.clone()],
            labels: &self.seg_labels,
        });
        b.open_complaint = Some(&self.complaint[r.clone()]);
        b.do_not_contact = Some(&self.dnc[r]);
        b
    }

    fn event(&self, i: usize) -> Event {
        let label = |labels: &[String], c: u32| labels.get(c as usize).cloned();
        Event {
            customer: self.customers[i].to_string(),
            time: self.times[i],
            touchpoint: self.tp_labels[self.touchpoints[i] as usize].clone(),
            channel: label(&self.ch_labels, self.channels[i]),
            outcome: label(&self.out_labels, self.outcomes[i]),
            segment: label(&self.seg_labels, self.segments[i]),
            open_complaint: self.complaint[i],
            do_not_contact: self.dnc[i],
            event_id: None,
        }
    }
}

/// 20 triggers over the 40 touchpoints: trigger k watches touchpoints 2k and 2k+1 (and one
/// more for every third), every fourth needs a failed/unresolved outcome, every fifth only
/// fires on its channel; priorities 0..4, sampling 0.05..1.
fn rules() -> Rules {
    let mut triggers = Vec::new();
    for k in 0..20u32 {
        let mut tps = vec![format!("\"tp{}\"", 2 * k), format!("\"tp{}\"", 2 * k + 1)];
        if k % 3 == 0 {
            tps.push(format!("\"tp{}\"", (2 * k + 7) % TOUCHPOINTS));
        }
        let mut t = format!(
            r#"{{"id": "t{k}", "survey": "s{}", "touchpoints": [{}], "sample": {}, "priority": {}, "delay": "{}h", "via": "email""#,
            k % 6,
            tps.join(","),
            [1.0, 0.5, 0.25, 0.1, 0.05][k as usize % 5],
            k % 4,
            k % 24
        );
        if k % 4 == 1 {
            t.push_str(r#", "outcomes": ["failed", "unresolved"]"#);
        }
        if k % 5 == 2 {
            t.push_str(&format!(
                r#", "channels": ["{}"]"#,
                CHANNELS[(2 * k as usize) % CHANNELS.len()]
            ));
        }
        if k % 7 == 3 {
            t.push_str(r#", "quarantine": {"for": "7d", "scope": "survey"}"#);
        }
        t.push('}');
        triggers.push(t);
    }
    let json = format!(
        r#"{{"seed": 11, "quarantine": {{"for": "14d"}},
            "caps": [{{"max": 2, "per": "30d"}}, {{"max": 4, "per": "180d"}}],
            "exclude": {{"segments": ["staff"]}}, "triggers": [{}]}}"#,
        triggers.join(",")
    );
    match Rules::from_json(&json) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("bench rules: {e}");
            std::process::exit(2)
        }
    }
}

fn run(rules: &Rules, log: &Log, batch: usize, out: &mut Vec<Decision>) -> [u64; 8] {
    let mut counts = [0u64; 8];
    let Ok(mut orch) = Orchestrator::new(rules.clone()) else {
        return counts;
    };
    let n = log.times.len();
    let mut start = 0;
    while start < n {
        let end = (start + batch).min(n);
        out.clear();
        if let Err(e) = orch.feed_into(&log.batch(start..end), out) {
            eprintln!("feed: {e}");
            std::process::exit(2)
        }
        for d in out.iter() {
            counts[d.reason.index()] += 1;
        }
        start = end;
    }
    counts
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// CPU time this thread has run, in seconds (`/proc/thread-self/schedstat`): on a shared
/// machine the wall clock also counts the time other processes held the core.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns as f64 / 1e9)
}

/// Runs `f` `repeat` times and returns the CPU seconds of each run.
fn cpu_runs(repeat: usize, mut f: impl FnMut()) -> Vec<f64> {
    (0..repeat.max(1))
        .filter_map(|_| {
            let a = cpu_seconds()?;
            f();
            Some(cpu_seconds()? - a)
        })
        .collect()
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    eprintln!(
        "generating {} interactions of {} customers ...",
        o.interactions, o.customers
    );
    let log = Log::generate(&o);
    let rules = rules();
    let warnings = rules.warnings();
    let mut out = Vec::with_capacity(o.batch * 3);
    let counts = run(&rules, &log, o.batch, &mut out);
    let decisions: u64 = counts.iter().sum();
    eprintln!("timing ({} runs after a warm-up) ...", o.repeat);
    let batched = Timing::measure(o.repeat, || run(&rules, &log, o.batch, &mut out));
    let batched_cpu = cpu_runs(o.repeat, || {
        std::hint::black_box(run(&rules, &log, o.batch, &mut out));
    });
    let rows_n = log.times.len().min(1_000_000);
    let events: Vec<Event> = (0..rows_n).map(|i| log.event(i)).collect();
    let mut row_decisions = 0u64;
    let rows = Timing::measure(o.repeat.min(3), || {
        let Ok(mut orch) = Orchestrator::new(rules.clone()) else {
            return 0;
        };
        let mut k = 0;
        for e in &events {
            k += orch.decide(e).map_or(0, |d| d.len());
        }
        row_decisions = k as u64;
        k
    });
    let med = secs(batched.median());
    println!(
        "orchestrator: {} interactions, {} customers, {} triggers, batches of {}",
        o.interactions,
        o.customers,
        rules.triggers.len(),
        o.batch
    );
    println!(
        "  decisions {decisions} ({:.3} per interaction); by reason:",
        decisions as f64 / o.interactions.max(1) as f64
    );
    for (code, k) in Reason::CODES.iter().zip(counts) {
        println!("    {code:<16} {k:>10}");
    }
    println!(
        "  batched  median {:.3} s (min {:.3} s): {:.2} M decisions/s, {:.2} M interactions/s",
        med,
        secs(batched.min()),
        decisions as f64 / med / 1e6,
        o.interactions as f64 / med / 1e6
    );
    let cmed = median(&batched_cpu);
    println!(
        "  batched  CPU time median {:.3} s: {:.2} M decisions/s, {:.2} M interactions/s per CPU-second",
        cmed,
        decisions as f64 / cmed / 1e6,
        o.interactions as f64 / cmed / 1e6
    );
    let rmed = secs(rows.median());
    println!(
        "  decide() one event at a time, {} events: median {:.3} s: {:.2} M decisions/s, {:.2} M events/s",
        rows_n,
        rmed,
        row_decisions as f64 / rmed / 1e6,
        rows_n as f64 / rmed / 1e6
    );
    println!("  rule warnings: {}", warnings.len());
    if let Some(rss) = peak_rss_bytes() {
        println!("  peak RSS {:.0} MB", rss as f64 / 1e6);
    }
    if let Some(path) = &o.json {
        let j = serde_json::json!({
            "interactions": o.interactions, "customers": o.customers, "triggers": rules.triggers.len(),
            "batch": o.batch, "decisions": decisions, "by_reason": Reason::CODES.iter().zip(counts).map(|(c, k)| (c.to_string(), k)).collect::<std::collections::BTreeMap<_, _>>(),
            "batched_s": batched.runs.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>(),
            "batched_cpu_s": batched_cpu,
            "decide_events": rows_n, "decide_s": rows.runs.iter().map(|d| d.as_secs_f64()).collect::<Vec<_>>(),
            "cpu": cpu_model(), "peak_rss_bytes": peak_rss_bytes(),
        });
        if let Err(e) = std::fs::write(path, j.to_string()) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
