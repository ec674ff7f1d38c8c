//! Alert benchmarks (criterion-free; `harness = false`): rule evaluation, case opening and
//! the monitor, on one core.
//!
//! ```text
//! cargo bench -p cem-benches --bench alerts -- [--rows N] [--repeat R] [--seed S]
//!     [--json out.json] [--dump FILE.csv]
//! ```
//!
//! Generates `N` deterministic responses (scores, sentiment, a comment on every other one
//! drawn from realistic sentences, channel, tier, segment; times one every 3 s), reads the
//! rules of `tests/data/alerts/rules.json`, runs each case once to warm up and `R` times
//! timed, and prints median/min wall time and responses/s. Everything runs on the calling
//! thread. `--dump` writes the responses as CSV with the Rust match counts in
//! `FILE.counts.json`, for the pandas peer (`benches/peers/alerts_pandas.py`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num};
use cem_core::alerts::{
    CaseBook, Monitor, MonitorConfig, MonitorMetric, Response, RuleSet, SegmentBy,
};
use chrono::{TimeZone, Utc};

const RULES: &str = include_str!("../../tests/data/alerts/rules.json");

const COMMENTS: [&str; 12] = [
    "Great service, thank you!",
    "Waited forty minutes on hold, the hold music drove me mad",
    "I want a refund for the broken blender",
    "If this happens again I will cancel my subscription",
    "never again. Switching to another provider",
    "Delivery was late but the driver was friendly",
    "The app keeps crashing when I pay",
    "Cancelled order still charged — where is my REFUND?",
    "Staff in the store were helpful and quick",
    "Too expensive for what you get",
    "Déjà vu: same problem as last month, nobody called back",
    "ok",
];
const CHANNELS: [&str; 5] = ["web", "mobile_app", "call_centre", "store", "email"];
const TIERS: [&str; 4] = ["bronze", "silver", "gold", "platinum"];
const SEGMENTS: [&str; 3] = ["consumer", "smb", "enterprise"];

struct Options {
    rows: usize,
    repeat: usize,
    seed: u64,
    json: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        rows: 1_000_000,
        repeat: 7,
        seed: 20_261_126,
        json: None,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        match arg.as_str() {
            "--rows" => o.rows = parse_num(&value("--rows")?)?,
            "--repeat" => o.repeat = parse_num(&value("--repeat")?)?,
            "--seed" => o.seed = parse_num(&value("--seed")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--dump" => o.dump = Some(value("--dump")?.into()),
            "--bench" => {}
            "-h" | "--help" => {
                return Err(
                    "usage: alerts [--rows N] [--repeat R] [--seed S] [--json out.json] \
                            [--dump FILE.csv]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

fn pick<'a>(rng: &mut SplitMix64, xs: &[&'a str]) -> &'a str {
    xs.get(rng.below(xs.len() as u64) as usize)
        .copied()
        .unwrap_or_default()
}

fn generate(rows: usize, seed: u64) -> Vec<Response> {
    let mut rng = SplitMix64::new(seed);
    let start = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    (0..rows)
        .map(|i| {
            let t = start + chrono::Duration::seconds(3 * i as i64);
            let mut r = Response::new(format!("c-{}", rng.below(200_000)), t);
            // NPS drops in the last tenth, so the monitor has something to see.
            let late = i > rows / 10 * 9;
            let u = rng.unit();
            r.nps = Some(if u < if late { 0.45 } else { 0.25 } {
                rng.below(7) as u8
            } else if u < 0.6 {
                7 + rng.below(2) as u8
            } else {
                9 + rng.below(2) as u8
            });
            if rng.unit() < 0.05 {
                r.nps = None; // skipped the question
            }
            if rng.unit() < 0.5 {
                r.csat = Some(1 + rng.below(5) as u8);
            }
            if rng.unit() < 0.3 {
                r.ces = Some(1 + rng.below(7) as u8);
            }
            if rng.unit() < 0.5 {
                let c = pick(&mut rng, &COMMENTS);
                r.comment = Some(c.to_owned());
                r.sentiment = Some((rng.unit() * 2.0 - 1.0).clamp(-1.0, 1.0));
            }
            r.channel = Some(pick(&mut rng, &CHANNELS).to_owned());
            r.tier = Some(pick(&mut rng, &TIERS).to_owned());
            r.segment = Some(pick(&mut rng, &SEGMENTS).to_owned());
            r
        })
        .collect()
}

struct Case {
    name: &'static str,
    about: &'static str,
    timing: Timing,
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let err = |e: cem_core::Error| e.to_string();
    eprintln!("generating {} responses ...", o.rows);
    let data = generate(o.rows, o.seed);
    let rules = RuleSet::from_json(RULES).map_err(err)?;
    let counts = rules.count_matches(&data).map_err(err)?;
    let detractor = RuleSet::from_json(
        r#"{"rules": [{"name": "detractor", "priority": "high", "sla_hours": 48,
            "when": {"field": "nps", "at_most": 6}}]}"#,
    )
    .map_err(err)?;
    if let Some(path) = &o.dump {
        dump(path, &data, &rules, &counts)?;
    }
    let mut monitor_config = MonitorConfig::new(MonitorMetric::Nps, 24.0, 24.0 * 28.0);
    monitor_config.by = Some(SegmentBy::Channel);

    eprintln!(
        "timing ({} runs each after a warm-up, one thread) ...",
        o.repeat
    );
    let cases = [
        Case {
            name: "rules_7_fixture",
            about: "RuleSet::count_matches, the 7 rules of tests/data/alerts/rules.json",
            timing: Timing::measure(o.repeat, || rules.count_matches(&data)),
        },
        Case {
            name: "rules_1_detractor",
            about: "RuleSet::count_matches, one rule nps <= 6",
            timing: Timing::measure(o.repeat, || detractor.count_matches(&data)),
        },
        Case {
            name: "casebook_ingest_7",
            about: "CaseBook::ingest with the 7 rules (opens and dedupes cases)",
            timing: Timing::measure(o.repeat, || {
                let mut book = CaseBook::new();
                book.ingest(&rules, &data).map(|ids| ids.len())
            }),
        },
        Case {
            name: "monitor_nps_by_channel",
            about: "Monitor::push_many, NPS, 24 h window, 28 d baseline, overall + 5 channels",
            timing: Timing::measure(o.repeat, || {
                Monitor::new(monitor_config.clone())
                    .and_then(|mut m| m.push_many(&data))
                    .map(|a| a.len())
            }),
        },
    ];
    let alerts = Monitor::new(monitor_config.clone())
        .and_then(|mut m| m.push_many(&data))
        .map_err(err)?;
    let mut book = CaseBook::new();
    let opened = book.ingest(&rules, &data).map_err(err)?.len();

    println!(
        "{} responses; rule matches {:?}; cases opened {}, duplicates {}; monitor alerts {}",
        o.rows,
        counts,
        opened,
        book.duplicates(),
        alerts.len()
    );
    println!(
        "{:<26} {:>11} {:>11} {:>16}",
        "case", "median ms", "min ms", "responses/s"
    );
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    for c in &cases {
        let med = c.timing.median();
        println!(
            "{:<26} {:>11.2} {:>11.2} {:>16.0}",
            c.name,
            ms(med),
            ms(c.timing.min()),
            o.rows as f64 / med.as_secs_f64()
        );
    }
    if let Some(path) = &o.json {
        let json = serde_json::json!({
            "harness": "cem-benches/alerts",
            "rows": o.rows,
            "threads": 1,
            "seed": o.seed,
            "rule_matches": counts,
            "cases_opened": opened,
            "monitor_alerts": alerts.len(),
            "machine": {
                "nproc": std::thread::available_parallelism().map(|n| n.get()).ok(),
                "cpu": cpu_model(),
            },
            "cases": cases.iter().map(|c| serde_json::json!({
                "name": c.name,
                "about": c.about,
                "runs_s": c.timing.runs.iter().map(Duration::as_secs_f64).collect::<Vec<_>>(),
                "median_s": c.timing.median().as_secs_f64(),
                "min_s": c.timing.min().as_secs_f64(),
                "rows_per_s": o.rows as f64 / c.timing.median().as_secs_f64(),
            })).collect::<Vec<_>>(),
        });
        let text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| e.to_string())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// The responses as CSV (empty cell = missing) and the Rust match counts next to them.
fn dump(path: &PathBuf, data: &[Response], rules: &RuleSet, counts: &[u64]) -> Result<(), String> {
    let mut csv =
        String::from("customer,time,nps,csat,ces,sentiment,comment,channel,tier,segment\n");
    let opt = |x: Option<u8>| x.map(|v| v.to_string()).unwrap_or_default();
    for r in data {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},\"{}\",{},{},{}",
            r.customer,
            r.time.to_rfc3339(),
            opt(r.nps),
            opt(r.csat),
            opt(r.ces),
            r.sentiment.map(|s| format!("{s:.17e}")).unwrap_or_default(),
            r.comment
                .as_deref()
                .unwrap_or_default()
                .replace('"', "\"\""),
            r.channel.as_deref().unwrap_or_default(),
            r.tier.as_deref().unwrap_or_default(),
            r.segment.as_deref().unwrap_or_default(),
        );
    }
    std::fs::write(path, csv).map_err(|e| e.to_string())?;
    let names: Vec<&str> = rules.rules().iter().map(|r| r.name.as_str()).collect();
    let json = serde_json::json!({"rules": names, "counts": counts});
    std::fs::write(path.with_extension("counts.json"), json.to_string())
        .map_err(|e| e.to_string())?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

fn main() -> ExitCode {
    cem_benches::exit(run())
}
