#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! `cem_core::text` against recorded values of the reference packages.
//!
//! Expected sentiment: `tests/data/text/vader_reference.json`, written by
//! `tests/reference/vader_reference.py` with the published vaderSentiment 3.3.2 (its own
//! example sentences and the feedback corpus of `tests/reference/text_corpus.py`).

use cem_core::text::{polarity, sentiment};
use serde_json::Value;

const VADER: &str = include_str!("../../tests/data/text/vader_reference.json");

#[test]
fn sentiment_matches_vader_sentiment_3_3_2_on_every_sentence() {
    let data: Value = serde_json::from_str(VADER).unwrap();
    assert_eq!(data["package"], "vaderSentiment");
    assert_eq!(data["version"], "3.3.2");
    let cases = data["cases"].as_array().unwrap();
    assert!(cases.len() > 400, "{} cases", cases.len());
    let texts: Vec<&str> = cases.iter().map(|c| c["text"].as_str().unwrap()).collect();
    let batch = sentiment(&texts);
    let mut bad = Vec::new();
    for (case, got) in cases.iter().zip(&batch) {
        let text = case["text"].as_str().unwrap();
        let want = [
            case["neg"].as_f64().unwrap(),
            case["neu"].as_f64().unwrap(),
            case["pos"].as_f64().unwrap(),
            case["compound"].as_f64().unwrap(),
        ];
        let have = [got.neg, got.neu, got.pos, got.compound];
        // The issue asks for agreement within 1e-4; cem reproduces the package's arithmetic
        // and its rounding, so the numbers are in fact equal.
        if want != have {
            bad.push(format!("{text:?}: want {want:?}, got {have:?}"));
        }
        assert_eq!(
            *got,
            polarity(text),
            "batch and one-by-one differ on {text:?}"
        );
    }
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        cases.len(),
        bad.join("\n")
    );
}
