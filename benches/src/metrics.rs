//! Score-metric benchmarks (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench metrics -- [--rows N] [--segments K] [--repeat R]
//!     [--seed S] [--json out.json] [--dump DIR]
//! ```
//!
//! Generates a deterministic workload, runs each case once to warm up and `R` times timed,
//! and prints median and min wall time and rows/s. `--json` writes the results, `--dump`
//! writes the input columns as raw little-endian files plus the Rust result table
//! (`rust_nps.csv`) for the Python peers in `benches/peers/` (see `benches/compare.py`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use cem_benches::{Responses, Timing, cpu_model, parse_num, peak_rss_bytes};
use cem_core::metrics::{GroupEstimate, GroupedScores, Nps, Period, ScoreMetric};

struct Options {
    rows: usize,
    segments: u32,
    repeat: usize,
    seed: u64,
    json: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        rows: 10_000_000,
        segments: 20,
        repeat: 7,
        seed: 20_261_101,
        json: None,
        dump: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        match arg.as_str() {
            "--rows" => o.rows = parse_num(&value("--rows")?)?,
            "--segments" => o.segments = parse_num(&value("--segments")?)?,
            "--repeat" => o.repeat = parse_num(&value("--repeat")?)?,
            "--seed" => o.seed = parse_num(&value("--seed")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--dump" => o.dump = Some(value("--dump")?.into()),
            "--bench" => {} // passed by `cargo bench`
            "-h" | "--help" => {
                return Err(
                    "usage: metrics [--rows N] [--segments K] [--repeat R] [--seed S] \
                            [--json out.json] [--dump DIR]"
                        .into(),
                );
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

struct Case {
    name: &'static str,
    about: &'static str,
    timing: Timing,
}

fn nps_by_segment_month(data: &Responses, weighted: bool) -> cem_core::Result<Vec<GroupEstimate>> {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
    let weights = weighted.then_some(data.weights.as_slice());
    g.push_columns(&data.scores, &data.segments, &data.times, weights)?;
    g.estimates(0.95)
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let err = |e: cem_core::Error| e.to_string();
    eprintln!(
        "generating {} responses over {} segments ...",
        o.rows, o.segments
    );
    let data = Responses::generate(o.rows, o.segments, o.seed);
    let rss_after_load = peak_rss_bytes();

    let table = nps_by_segment_month(&data, false).map_err(err)?;
    if let Some(dir) = &o.dump {
        data.dump(dir).map_err(|e| e.to_string())?;
        let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month).map_err(err)?;
        g.push_columns(&data.scores, &data.segments, &data.times, None)
            .map_err(err)?;
        let mut csv = String::from("segment,month,n,promoters,detractors,nps,low,high\n");
        for ((segment, month, counts), e) in g.cells().zip(&table) {
            let est = e.estimate.ok_or("an NPS cell without estimate")?;
            let count = |lo: u8, hi: u8| (lo..=hi).map(|s| counts.count(s)).sum::<u64>();
            let _ = writeln!(
                csv,
                "{segment},{month},{},{},{},{:.17e},{:.17e},{:.17e}",
                counts.n(),
                count(9, 10),
                count(0, 6),
                est.value,
                est.low,
                est.high
            );
        }
        std::fs::write(dir.join("rust_nps.csv"), csv).map_err(|e| e.to_string())?;
        eprintln!("wrote the columns and rust_nps.csv to {}", dir.display());
    }

    let mut cases = Vec::new();
    eprintln!("timing ({} runs each after a warm-up) ...", o.repeat);
    cases.push(Case {
        name: "nps_by_segment_month",
        about: "GroupedScores NPS by segment x month + adjusted Wald CI per cell",
        timing: Timing::measure(o.repeat, || nps_by_segment_month(&data, false)),
    });
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| e.to_string())?;
    cases.push(Case {
        name: "nps_by_segment_month_1thread",
        about: "the same on one thread (a one-thread rayon pool)",
        timing: single.install(|| Timing::measure(o.repeat, || nps_by_segment_month(&data, false))),
    });
    cases.push(Case {
        name: "nps_by_segment_month_weighted",
        about: "the same with survey weights",
        timing: Timing::measure(o.repeat, || nps_by_segment_month(&data, true)),
    });
    cases.push(Case {
        name: "nps_push_many",
        about: "baseline: one Nps accumulator over the score column + CI",
        timing: Timing::measure(o.repeat, || {
            let mut nps = Nps::new();
            nps.push_many(&data.scores)
                .and_then(|()| nps.estimate(0.95))
        }),
    });
    let peak = peak_rss_bytes();

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mb = |b: Option<u64>| b.map_or("?".to_owned(), |b| format!("{:.0}", b as f64 / 1e6));
    println!(
        "{} rows, {} segments, {} cells; input columns {:.0} MB; peak RSS after generating \
         {} MB, at the end {} MB",
        o.rows,
        o.segments,
        table.len(),
        data.input_bytes() as f64 / 1e6,
        mb(rss_after_load),
        mb(peak)
    );
    println!(
        "{:<32} {:>11} {:>11} {:>14}",
        "case", "median ms", "min ms", "Mrows/s"
    );
    for c in &cases {
        let med = c.timing.median();
        println!(
            "{:<32} {:>11.2} {:>11.2} {:>14.1}",
            c.name,
            ms(med),
            ms(c.timing.min()),
            o.rows as f64 / med.as_secs_f64() / 1e6
        );
    }

    if let Some(path) = &o.json {
        let json = serde_json::json!({
            "harness": "cem-benches/metrics",
            "rows": o.rows,
            "segments": o.segments,
            "threads": rayon::current_num_threads(),
            "seed": o.seed,
            "cells": table.len(),
            "input_bytes": data.input_bytes(),
            "rss_after_load_bytes": rss_after_load,
            "peak_rss_bytes": peak,
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

fn main() -> ExitCode {
    cem_benches::exit(run())
}
