//! Text benchmarks (criterion-free; `harness = false`).
//!
//! ```text
//! cargo bench -p cem-benches --bench text -- [--sentences N] [--input FILE] [--repeat R]
//!     [--json out.json] [--scores out.f64le]
//! ```
//!
//! Sentences: one per line of `--input` (what `benches/compare_text.py` writes, so the
//! vaderSentiment peer scores the very same texts), or N seeded feedback-like sentences built
//! from templates. Times: VADER sentiment one text at a time on one thread (`polarity` in a
//! loop), the batch `sentiment` (several threads with the `parallel` feature, which this
//! crate enables), complaint detection, and key phrases of 10 groups. `--scores` writes
//! neg, neu, pos, compound of every sentence as little-endian f64 for the driver to compare.

use std::path::PathBuf;
use std::process::ExitCode;

use cem_benches::{SplitMix64, Timing, cpu_model, parse_num};
use cem_core::text::{PhraseOptions, complaints, key_phrases, polarity, sentiment};

struct Options {
    sentences: usize,
    input: Option<PathBuf>,
    repeat: usize,
    json: Option<PathBuf>,
    scores: Option<PathBuf>,
}

fn parse_args() -> Result<Options, String> {
    let mut o = Options {
        sentences: 100_000,
        input: None,
        repeat: 5,
        json: None,
        scores: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("`{name}` needs a value"));
        let num = |s: String| parse_num::<usize>(&s);
        match arg.as_str() {
            "--sentences" => o.sentences = num(value("--sentences")?)?,
            "--input" => o.input = Some(value("--input")?.into()),
            "--repeat" => o.repeat = num(value("--repeat")?)?,
            "--json" => o.json = Some(value("--json")?.into()),
            "--scores" => o.scores = Some(value("--scores")?.into()),
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(o)
}

const SUBJECTS: &[&str] = &[
    "The delivery",
    "Customer service",
    "The app",
    "The store",
    "The agent",
    "Checkout",
    "The refund",
    "Your website",
    "The hold music",
    "The product",
    "The staff",
    "My order",
];
const OPINIONS: &[&str] = &[
    "was great",
    "was terrible",
    "is not good",
    "was slow",
    "was VERY helpful",
    "was okay",
    "is a joke",
    "was excellent!!",
    "was kind of disappointing",
    "never works",
    "was not bad",
    "was awful, but the staff were nice",
    "made me happy :)",
    "sucks",
    "was fine I guess?",
    "took forever and nobody answered",
    "arrived damaged",
    "exceeded my expectations",
];
const ENDINGS: &[&str] = &[
    "",
    ".",
    "!",
    "!!!",
    "?",
    " lol",
    " 😡",
    " 😊",
    " Never again.",
    " I want a refund.",
    " Thanks!",
    " but whatever",
    " Will order again.",
    " Please call me back.",
];

fn generate(n: usize) -> Vec<String> {
    let mut rng = SplitMix64::new(20_261_126);
    let mut pick = |xs: &[&'static str]| -> &'static str {
        xs.get(rng.below(xs.len() as u64) as usize)
            .copied()
            .unwrap_or("")
    };
    (0..n)
        .map(|_| {
            format!(
                "{} {}{} {} {}{}",
                pick(SUBJECTS),
                pick(OPINIONS),
                pick(ENDINGS),
                pick(SUBJECTS),
                pick(OPINIONS),
                pick(ENDINGS)
            )
        })
        .collect()
}

fn run() -> Result<(), String> {
    let o = parse_args()?;
    let texts: Vec<String> = match &o.input {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .lines()
            .map(str::to_owned)
            .collect(),
        None => generate(o.sentences),
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!(
        "{} sentences, {:.1} MB; timing ({} runs each after a warm-up) ...",
        texts.len(),
        bytes as f64 / 1e6,
        o.repeat
    );
    let groups: Vec<u32> = (0..texts.len() as u32).map(|k| k % 10).collect();
    let phrase_options = PhraseOptions::default();
    let cases = vec![
        (
            "polarity_1thread",
            "VADER scores, one text at a time on one thread",
            Timing::measure(o.repeat, || {
                texts.iter().map(|t| polarity(t)).collect::<Vec<_>>()
            }),
        ),
        (
            "sentiment_batch",
            "VADER scores of the batch (rayon threads)",
            Timing::measure(o.repeat, || sentiment(&texts)),
        ),
        (
            "complaints",
            "complaint verdicts (sentiment + cue matching), one thread",
            Timing::measure(o.repeat, || complaints(&texts)),
        ),
        (
            "key_phrases",
            "key phrases (1-2 grams) of 10 groups",
            Timing::measure(o.repeat, || key_phrases(&texts, &groups, &phrase_options)),
        ),
    ];
    println!(
        "{:<18} {:>11} {:>11} {:>14}",
        "case", "median ms", "min ms", "sentences/s"
    );
    for (name, _, t) in &cases {
        let med = t.median().as_secs_f64();
        println!(
            "{name:<18} {:>11.1} {:>11.1} {:>14.0}",
            med * 1e3,
            t.min().as_secs_f64() * 1e3,
            texts.len() as f64 / med
        );
    }
    if let Some(path) = &o.scores {
        let out: Vec<u8> = sentiment(&texts)
            .iter()
            .flat_map(|p| [p.neg, p.neu, p.pos, p.compound])
            .flat_map(f64::to_le_bytes)
            .collect();
        std::fs::write(path, out).map_err(|e| e.to_string())?;
    }
    if let Some(path) = &o.json {
        let json = serde_json::json!({
            "harness": "cem-benches/text",
            "sentences": texts.len(),
            "bytes": bytes,
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
