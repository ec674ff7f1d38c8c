//! Journey benchmarks (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench journey -- [--events N] [--repeat R] [--seed S]
//!     [--json out.json] [--dump DIR]
//! ```
//!
//! A seeded synthetic log: N events over 50 touchpoints, about 10 events per customer,
//! following a sticky random walk (so the graph has structure and a 4-step funnel 0→1→2→3
//! converts for some). Times: building the `EventLog` from columns, the directly-follows
//! graph, variants, and the 4-step funnel with and without a window. `--dump` writes the
//! columns (customers.u32le, touchpoints.u32le, times.i64le) for the peers in
//! `benches/peers/journey_*.py` (driven by `benches/compare_journey.py`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num, peak_rss_bytes};
use cem_core::journey::EventLog;

const TOUCHPOINTS: u32 = 50;

struct Options {
    events: usize,
    repeat: usize,
    seed: u64,
    json: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        events: 10_000_000,
        repeat: 5,
        seed: 20_261_126,
        json: None,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        let num = |s: String| parse_num::<u64>(&s);
        match arg.as_str() {
            "--events" => o.events = num(value("--events")?)? as usize,
            "--repeat" => o.repeat = num(value("--repeat")?)? as usize,
            "--seed" => o.seed = num(value("--seed")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--dump" => o.dump = Some(value("--dump")?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

/// The synthetic log as columns.
struct Log {
    customers: Vec<u32>,
    touchpoints: Vec<u32>,
    times: Vec<i64>,
}

impl Log {
    fn generate(events: usize, seed: u64) -> Log {
        let mut rng = SplitMix64::new(seed);
        let mut log = Log {
            customers: Vec::with_capacity(events),
            touchpoints: Vec::with_capacity(events),
            times: Vec::with_capacity(events),
        };
        let mut customer = 0u32;
        while log.customers.len() < events {
            let n = (5 + rng.below(11) as usize).min(events - log.customers.len());
            let mut t = 1_735_689_600 + rng.below(365 * 86_400) as i64;
            // Most journeys start at touchpoint 0; the walk mostly moves one step on.
            let mut tp = if rng.below(10) < 6 {
                0
            } else {
                rng.below(u64::from(TOUCHPOINTS)) as u32
            };
            for _ in 0..n {
                log.customers.push(customer);
                log.touchpoints.push(tp);
                log.times.push(t);
                t += 1 + rng.below(3_600) as i64;
                tp = match rng.below(10) {
                    0..=5 => (tp + 1) % TOUCHPOINTS,
                    6 => tp,
                    _ => rng.below(u64::from(TOUCHPOINTS)) as u32,
                };
            }
            customer += 1;
        }
        log
    }

    fn labels(&self) -> (Vec<String>, Vec<String>) {
        let customers = self.customers.last().map_or(0, |c| c + 1);
        (
            (0..customers).map(|c| format!("c{c}")).collect(),
            (0..TOUCHPOINTS).map(|t| format!("t{t}")).collect(),
        )
    }

    fn build(&self, labels: &(Vec<String>, Vec<String>)) -> Result<EventLog, cem_core::Error> {
        EventLog::from_columns(
            &self.customers,
            labels.0.clone(),
            &self.touchpoints,
            labels.1.clone(),
            &self.times,
            None,
        )
    }

    fn input_bytes(&self) -> usize {
        self.customers.len() * 4 + self.touchpoints.len() * 4 + self.times.len() * 8
    }

    fn dump(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let bytes = |v: Vec<[u8; 4]>| v.concat();
        std::fs::write(
            dir.join("customers.u32le"),
            bytes(self.customers.iter().map(|x| x.to_le_bytes()).collect()),
        )?;
        std::fs::write(
            dir.join("touchpoints.u32le"),
            bytes(self.touchpoints.iter().map(|x| x.to_le_bytes()).collect()),
        )?;
        let times: Vec<u8> = self.times.iter().flat_map(|x| x.to_le_bytes()).collect();
        std::fs::write(dir.join("times.i64le"), times)
    }
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let err = |e: cem_core::Error| e.to_string();
    eprintln!(
        "generating {} events over {TOUCHPOINTS} touchpoints ...",
        o.events
    );
    let data = Log::generate(o.events, o.seed);
    let labels = data.labels();
    let log = data.build(&labels).map_err(err)?;
    let dfg = log.dfg();
    let funnel = log.funnel(&[0, 1, 2, 3], None).map_err(err)?;
    if let Some(dir) = &o.dump {
        data.dump(dir).map_err(|e| e.to_string())?;
        // The results the peers must reproduce.
        let summary = serde_json::json!({
            "edges": dfg.edges.iter().map(|e| serde_json::json!([e.source, e.target, e.count, e.customers, e.mean_duration, e.median_duration])).collect::<Vec<_>>(),
            "starts": dfg.starts,
            "ends": dfg.ends,
            "variants": log.variants(None).len(),
            "top_variant_count": log.variants(Some(1)).first().map(|v| v.count),
            "funnel": funnel.steps.iter().map(|s| s.customers).collect::<Vec<_>>(),
        });
        std::fs::write(dir.join("rust_journey.json"), summary.to_string())
            .map_err(|e| e.to_string())?;
        eprintln!(
            "wrote the columns and rust_journey.json to {}",
            dir.display()
        );
    }
    eprintln!("timing ({} runs each after a warm-up) ...", o.repeat);
    let cases = vec![
        (
            "event_log",
            "EventLog::from_columns (dictionary labels given; includes cloning 1M label strings)",
            Timing::measure(o.repeat, || data.build(&labels)),
        ),
        (
            "dfg",
            "directly-follows graph with counts, customers, mean and median durations, starts, ends",
            Timing::measure(o.repeat, || log.dfg()),
        ),
        (
            "variants",
            "distinct journeys with counts",
            Timing::measure(o.repeat, || log.variants(None)),
        ),
        (
            "funnel4",
            "4-step funnel, no window",
            Timing::measure(o.repeat, || log.funnel(&[0, 1, 2, 3], None)),
        ),
        (
            "funnel4_window",
            "4-step funnel within 1 day",
            Timing::measure(o.repeat, || log.funnel(&[0, 1, 2, 3], Some(86_400))),
        ),
    ];
    let total: f64 = cases
        .iter()
        .skip(1)
        .take(3)
        .map(|c| c.2.median().as_secs_f64())
        .sum();
    println!(
        "{} events, {} customers, {} touchpoints; input columns {:.0} MB, EventLog columns {:.0} MB ({:.2}x); peak RSS {} MB",
        log.len(),
        log.customer_count(),
        log.touchpoint_count(),
        data.input_bytes() as f64 / 1e6,
        log.column_bytes() as f64 / 1e6,
        log.column_bytes() as f64 / data.input_bytes() as f64,
        peak_rss_bytes().map_or("?".into(), |b| format!("{:.0}", b as f64 / 1e6)),
    );
    println!("{:<16} {:>11} {:>11}", "case", "median ms", "min ms");
    for (name, _, t) in &cases {
        println!(
            "{name:<16} {:>11.1} {:>11.1}",
            t.median().as_secs_f64() * 1e3,
            t.min().as_secs_f64() * 1e3
        );
    }
    println!("dfg + variants + funnel4: {:.1} ms", total * 1e3);
    if let Some(path) = &o.json {
        let json = serde_json::json!({
            "harness": "cem-benches/journey",
            "events": log.len(),
            "customers": log.customer_count(),
            "input_bytes": data.input_bytes(),
            "event_log_bytes": log.column_bytes(),
            "cpu": cpu_model(),
            "cases": cases.iter().map(|(name, about, t)| serde_json::json!({
                "name": name, "about": about,
                "median_s": t.median().as_secs_f64(), "min_s": t.min().as_secs_f64(),
            })).collect::<Vec<_>>(),
        });
        std::fs::write(path, json.to_string()).map_err(|e| e.to_string())?;
    }
    Ok(())
}

fn main() -> ExitCode {
    cem_benches::exit(run())
}
