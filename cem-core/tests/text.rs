#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg(feature = "sentiment")]
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

mod invariants {
    use cem_core::text::{PhraseOptions, complaint, key_phrases, polarity};
    use proptest::prelude::*;

    fn words() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "good", "BAD", "not", "no", "but", "very", "kind", "of", "least", "never", "so", "the",
            "shit", ":)", "!!", "??", "😡", "💘", "refund", "hold", "music", "é", "Ω", "ǅ",
            "\u{1c}", "\t", "  ", "n't", "without", "doubt",
        ]);
        prop::collection::vec(pieces, 0..30).prop_map(|v| v.join(" "))
    }

    proptest! {
        #[test]
        fn scores_stay_in_range_on_any_text(text in prop_oneof![any::<String>(), words()]) {
            let p = polarity(&text);
            for share in [p.neg, p.neu, p.pos] {
                prop_assert!((0.0..=1.0).contains(&share));
            }
            prop_assert!((-1.0..=1.0).contains(&p.compound));
            let total = p.neg + p.neu + p.pos;
            prop_assert!(total == 0.0 || (total - 1.0).abs() <= 0.0021, "{p:?}");
            prop_assert_eq!(complaint(&text).compound, p.compound);
        }

        #[test]
        fn key_phrases_are_ranked_and_counted(
            texts in prop::collection::vec(words(), 2..40),
            min_count in 1u64..4,
        ) {
            let groups: Vec<u32> = (0..texts.len() as u32).map(|k| k % 3).collect();
            let o = PhraseOptions { min_count, top: 5, max_n: 3, ..PhraseOptions::default() };
            let rows = key_phrases(&texts, &groups, &o).unwrap();
            for pair in rows.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                prop_assert!(a.group < b.group || (a.group == b.group && a.z >= b.z));
            }
            for r in &rows {
                prop_assert!(r.z > 0.0 && r.z.is_finite() && r.delta > 0.0);
                prop_assert!(r.count >= 1 && r.count + r.other_count >= min_count);
            }
        }
    }
}
