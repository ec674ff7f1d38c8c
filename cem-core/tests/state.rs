//! Serialized accumulator state from an untrusted sender: forged states are rejected with
//! `InvalidState` before they can be merged, valid ones round-trip, and counts never overflow
//! silently.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cem_core::metrics::{Ces, Csat, Mean, NetSatisfaction, Nps, Proportion, ScaleCounts};
use cem_core::survey::{Survey, SurveyAggregate};
use cem_core::{Error, ErrorKind};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::collections::BTreeMap;

fn read<T: DeserializeOwned>(v: &Value) -> Result<T, Error> {
    serde_json::from_str::<T>(&v.to_string()).map_err(Error::from)
}

fn counts(min: u8, c: &[u64]) -> Value {
    let w: Vec<f64> = c.iter().map(|&x| x as f64).collect();
    json!({"min": min, "max": min as usize + c.len() - 1, "count": c, "weight": w, "weight_sq": w})
}

/// Every forged state: (what, accumulator, JSON, a word the message must contain).
fn forged() -> Vec<(&'static str, &'static str, Value, &'static str)> {
    let nps = counts(0, &[1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]);
    let with = |base: &Value, path: &[&str], value: Value| {
        let mut v = base.clone();
        let mut slot = &mut v;
        for key in path {
            slot = &mut slot[*key];
        }
        *slot = value;
        v
    };
    let nps_state = json!({"v": 1, "counts": nps});
    vec![
        (
            "unknown version",
            "nps",
            with(&nps_state, &["v"], json!(2)),
            "version `2`",
        ),
        (
            "wrong scale",
            "nps",
            json!({"counts": counts(1, &[1, 2, 3, 4, 5])}),
            "0..=10",
        ),
        (
            "short count",
            "nps",
            with(&nps_state, &["counts", "count"], json!([1, 2])),
            "`count` has 2 levels",
        ),
        (
            "negative weight",
            "nps",
            with(
                &nps_state,
                &["counts", "weight"],
                json!([-1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]),
            ),
            "negative",
        ),
        (
            "weight without answers",
            "nps",
            with(
                &nps_state,
                &["counts", "count"],
                json!([0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]),
            ),
            "no set of non-negative weights",
        ),
        (
            "weight_sq above weight²",
            "nps",
            with(
                &nps_state,
                &["counts", "weight_sq"],
                json!([5.0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]),
            ),
            "no set of non-negative weights",
        ),
        (
            "weight² above n·weight_sq",
            "nps",
            with(
                &nps_state,
                &["counts", "weight"],
                json!([1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 30]),
            ),
            "no set of non-negative weights",
        ),
        (
            "counts overflow",
            "nps",
            with(
                &nps_state,
                &["counts", "count"],
                json!([u64::MAX, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3]),
            ),
            "2^64",
        ),
        (
            "CSAT top above scale",
            "csat",
            json!({"top": 9, "counts": counts(1, &[0, 0, 0, 0, 1])}),
            "top",
        ),
        (
            "CSAT from 0",
            "csat",
            json!({"top": 2, "counts": counts(0, &[0, 0, 0, 0, 1])}),
            "starts at 1",
        ),
        (
            "CES scale mismatch",
            "ces",
            json!({"scale": "agreement7", "counts": counts(1, &[1, 1, 1, 1, 1])}),
            "counts on",
        ),
        (
            "net satisfaction 1..=7",
            "net",
            json!({"counts": counts(1, &[1; 7])}),
            "1..=5",
        ),
        (
            "proportion on 1..=5",
            "proportion",
            json!({"counts": counts(1, &[5, 4, 3, 2, 1])}),
            "0..=1",
        ),
        (
            "mean negative m2",
            "mean",
            json!({"n": 2, "w": 2.0, "w2": 2.0, "mean": 1.0, "m2": -1.0, "s1": 0.0, "q": 0.0}),
            "`m2`",
        ),
        (
            "mean empty but weighted",
            "mean",
            json!({"n": 0, "w": 2.0, "w2": 2.0, "mean": 1.0, "m2": 0.0, "s1": 0.0, "q": 0.0}),
            "no set",
        ),
        (
            "mean w2 above w²",
            "mean",
            json!({"n": 2, "w": 1.0, "w2": 9.0, "mean": 1.0, "m2": 0.0, "s1": 0.0, "q": 0.0}),
            "no set",
        ),
        (
            "mean version",
            "mean",
            json!({"v": 0, "n": 0, "w": 0.0, "w2": 0.0, "mean": 0.0, "m2": 0.0, "s1": 0.0, "q": 0.0}),
            "version `0`",
        ),
    ]
}

fn read_as(kind: &str, v: &Value) -> Result<(), Error> {
    match kind {
        "nps" => read::<Nps>(v).map(drop),
        "csat" => read::<Csat>(v).map(drop),
        "ces" => read::<Ces>(v).map(drop),
        "net" => read::<NetSatisfaction>(v).map(drop),
        "proportion" => read::<Proportion>(v).map(drop),
        "mean" => read::<Mean>(v).map(drop),
        _ => unreachable!(),
    }
}

#[test]
fn forged_states_are_rejected_with_invalid_state() {
    let cases = forged();
    assert!(cases.len() >= 15);
    for (what, kind, state, word) in cases {
        let err = read_as(kind, &state).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::InvalidState, "{what}: {err}");
        assert!(
            err.to_string().contains(word),
            "{what}: `{err}` lacks `{word}`"
        );
    }
}

#[test]
fn valid_states_round_trip_with_a_version_and_old_states_still_read() {
    let mut nps = Nps::new();
    nps.push_many_weighted(&[10, 9, 3, 3], &[0.5, 2.0, 1.0, 1.5])
        .unwrap();
    let json = serde_json::to_string(&nps).unwrap();
    assert!(json.starts_with(r#"{"v":1,"counts""#), "{json}");
    assert_eq!(serde_json::from_str::<Nps>(&json).unwrap(), nps);
    let unversioned = json.replacen(r#""v":1,"#, "", 1);
    assert_eq!(serde_json::from_str::<Nps>(&unversioned).unwrap(), nps);

    let mut mean = Mean::new();
    mean.push_many_weighted(&[1.0, 5.0, 2.5], &[1.0, 0.25, 3.0])
        .unwrap();
    let json = serde_json::to_string(&mean).unwrap();
    assert!(json.starts_with(r#"{"v":1,"#), "{json}");
    assert_eq!(serde_json::from_str::<Mean>(&json).unwrap(), mean);

    let survey =
        Survey::from_json(include_str!("../../tests/data/surveys/post_contact.json")).unwrap();
    let agg = SurveyAggregate::new(&survey);
    let json = serde_json::to_string(&agg).unwrap();
    assert!(json.starts_with(r#"{"v":1,"survey""#));
    let forged = json.replacen(r#""v":1"#, r#""v":3"#, 1);
    let err = Error::from(serde_json::from_str::<SurveyAggregate>(&forged).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::InvalidState);
}

#[test]
fn malformed_json_and_unknown_fields_are_json_errors() {
    let err = Error::from(serde_json::from_str::<Nps>("{\"counts\": ").unwrap_err());
    assert_eq!(err.kind(), ErrorKind::Json);
    let mut state = serde_json::to_value(Nps::new()).unwrap();
    state["extra"] = json!(1);
    let err = read::<Nps>(&state).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(err.to_string().contains("unknown field `extra`"), "{err}");
}

/// One billion simulated responses, merged from a thousand partial aggregates of a million:
/// the count is exact and the estimate equals the one-chunk estimate (identical shares).
#[test]
fn a_billion_responses_through_merges() {
    let scores: Vec<u8> = (0..1_000_000u32).map(|i| (i % 11) as u8).collect();
    let mut chunk = Nps::new();
    chunk.push_many(&scores).unwrap();
    let mut total = Nps::new();
    for _ in 0..1000 {
        total.merge(&chunk).unwrap();
    }
    assert_eq!(total.n(), 1_000_000_000);
    assert_eq!(total.counts().count(10), 1000 * chunk.counts().count(10));
    let (a, b) = (chunk.estimate(0.95).unwrap(), total.estimate(0.95).unwrap());
    assert!((a.value - b.value).abs() < 1e-9);
    assert!(b.high - b.low < (a.high - a.low) / 30.0); // √1000 ≈ 31.6 times narrower
}

#[test]
fn counts_that_would_overflow_are_an_error_not_a_wrap() {
    let big = u64::MAX / 2 + 1;
    let state = json!({"counts": {"min": 0, "max": 1, "count": [big, 0], "weight": [big as f64, 0.0], "weight_sq": [big as f64, 0.0]}});
    let p: Proportion = read(&state).unwrap();
    let mut twice = p.clone();
    let err = twice.merge(&p).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert_eq!(twice, p, "a failed merge leaves the accumulator as it was");

    let mut m: Mean = read(
        &json!({"n": u64::MAX, "w": 1.0, "w2": 1e-19, "mean": 0.0, "m2": 0.0, "s1": 0.0, "q": 0.0}),
    )
    .unwrap();
    let err = m.merge(&m.clone()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");

    // Sums that would overflow a float are an error, and the accumulator keeps its state.
    let mut m = Mean::new();
    m.push(1e300).unwrap();
    let err = m.push(-1e300).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidNumber, "{err}");
    assert_eq!(m.n(), 1);
    let err = Mean::new().push_weighted(1.0, 1e200).unwrap_err(); // Σw² overflows
    assert_eq!(err.kind(), ErrorKind::InvalidNumber, "{err}");
    let mut sc: ScaleCounts = read(&json!({"min": 0, "max": 1, "count": [u64::MAX, 0], "weight": [1.0, 0.0], "weight_sq": [1e-19, 0.0]})).unwrap();
    assert_eq!(sc.push(1).unwrap_err().kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        sc.push_many(&[0]).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    assert_eq!(sc.n(), u64::MAX);
}

/// A survey aggregate whose per-question tallies disagree with its response count and
/// weight, or with themselves, is rejected before it can be merged.
#[test]
fn forged_survey_aggregates_are_rejected_with_invalid_state() {
    use cem_core::model::Answer;
    use std::collections::BTreeMap;
    let survey =
        Survey::from_json(include_str!("../../tests/data/surveys/post_contact.json")).unwrap();
    let mut agg = SurveyAggregate::new(&survey);
    let response = |nps: f64, reason: Option<&str>, comment: Option<&str>| {
        let mut r = BTreeMap::from([("nps".to_owned(), Answer::Number(nps))]);
        if let Some(x) = reason {
            r.insert("reason".to_owned(), Answer::Text(x.into()));
        }
        if let Some(x) = comment {
            r.insert("comment".to_owned(), Answer::Text(x.into()));
        }
        r
    };
    agg.push_weighted(&response(10.0, None, Some("great")), 2.0)
        .unwrap();
    agg.push(&response(3.0, Some("wait"), None)).unwrap();
    agg.push(&response(5.0, Some("price"), Some("slow")))
        .unwrap();
    let state = serde_json::to_value(&agg).unwrap();
    // Question order: nps, csat, ces, reason, comment.
    assert_eq!(state["questions"][3]["question"], "reason");
    fn reason(s: &mut Value) -> &mut Value {
        &mut s["questions"][3]["tally"]
    }
    type Forge<'a> = Box<dyn Fn(&mut Value) + 'a>;
    let cases: Vec<(&str, Forge, &str)> = vec![
        (
            "fewer responses than answers",
            Box::new(|s| s["n"] = json!(2)),
            "question `nps` has 3 answers but the aggregate only 2 responses",
        ),
        (
            "more responses than a required question's answers",
            Box::new(|s| s["n"] = json!(4)),
            "question `nps` is required and always shown, so it needs 4 answers",
        ),
        (
            "weight without responses",
            Box::new(|s| {
                *s = serde_json::to_value(SurveyAggregate::new(&survey)).unwrap();
                s["weight"] = json!(1.5);
            }),
            "weight 1.5 but no responses",
        ),
        (
            "question heavier than the aggregate",
            Box::new(|s| s["weight"] = json!(3.0)),
            "question `nps` has weight 4 but the aggregate only 3",
        ),
        (
            "a text question's negative weight",
            Box::new(|s| s["questions"][4]["tally"]["weight"] = json!(-1.0)),
            "question `comment` has weight `-1` is negative",
        ),
        (
            "a text question's weight without answers",
            Box::new(|s| s["questions"][4]["tally"]["answered"] = json!(0)),
            "question `comment` has weight 3 but no answers",
        ),
        (
            "an option counting other respondents",
            Box::new(|s| reason(s)["respondents"] = json!(3)),
            "question `reason` has 3 respondents but option `wait` counts 2",
        ),
        (
            "a single choice chosen twice",
            Box::new(|s| {
                let staff = &mut reason(s)["options"][2]["chosen"]["counts"];
                staff["count"] = json!([1, 1]);
                staff["weight"] = json!([1.0, 1.0]);
                staff["weight_sq"] = json!([1.0, 1.0]);
            }),
            "question `reason` has 3 choices from 2 respondents, but one choice each",
        ),
        (
            "choice weight apart from its options'",
            Box::new(|s| reason(s)["weight"] = json!(2.5)),
            "question `reason` has weight 2.5 but option `wait` counts weight 2",
        ),
    ];
    assert_eq!(
        serde_json::from_value::<SurveyAggregate>(state.clone()).unwrap(),
        agg,
        "the unforged state reads back"
    );
    for (what, forge, want) in cases {
        let mut s = state.clone();
        forge(&mut s);
        let err = read::<SurveyAggregate>(&s).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::InvalidState, "{what}: {err}");
        assert!(
            err.to_string().contains(want),
            "{what}: `{err}` lacks `{want}`"
        );
    }
}

/// A merge or push that would pass 2⁶⁴ − 1 responses is an error and changes nothing.
#[test]
fn survey_aggregate_counts_never_wrap() {
    let survey = Survey::from_json(
        r#"{"id": "s", "title": "t", "questions": [{"id": "c", "kind": "text", "text": "Say"}]}"#,
    )
    .unwrap();
    let mut state = serde_json::to_value(SurveyAggregate::new(&survey)).unwrap();
    state["n"] = json!(u64::MAX);
    state["weight"] = json!(1.0);
    state["questions"][0]["tally"] = json!({"kind": "text", "answered": 1, "weight": 1.0});
    let full: SurveyAggregate = read(&state).unwrap();
    let mut a = full.clone();
    let err = a.merge(&full).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert_eq!(a, full);
    let answers = [("c".to_owned(), cem_core::model::Answer::Text("hi".into()))].into();
    let err = a.push(&answers).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert_eq!(a, full);
}

/// Aggregates of one survey id whose definitions differ in `required` or `show_if` cannot be
/// merged: the result would hold answer counts that loading rejects, so it could not be read
/// back.
#[test]
fn survey_aggregates_differing_in_required_or_show_if_do_not_merge() {
    let survey = |nps: &str| {
        Survey::from_json(&format!(
            r#"{{"id": "s", "title": "t", "questions": [
                {{"id": "c", "kind": "text", "text": "Say"}},
                {{"id": "nps", "kind": "nps", "text": "Recommend?"{nps}}}]}}"#
        ))
        .unwrap()
    };
    let optional = survey("");
    let required = survey(r#", "required": true"#);
    let shown_if = survey(r#", "required": true, "show_if": {"question": "c", "answered": true}"#);
    // A response without an NPS answer: valid for the optional and the conditional question.
    let without_nps = [("c".to_owned(), cem_core::model::Answer::Text("hi".into()))].into();
    let mut v1 = SurveyAggregate::new(&optional);
    v1.push(&without_nps).unwrap();
    let mut v3 = SurveyAggregate::new(&shown_if);
    v3.push(&BTreeMap::new()).unwrap();
    let v2 = SurveyAggregate::new(&required);
    for (other, what) in [(&v1, "whether it is required"), (&v3, "its `show_if`")] {
        let mut into = v2.clone();
        let err = into.merge(other).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Incompatible, "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("question `nps`") && msg.contains(what),
            "{msg}"
        );
        assert_eq!(into, v2, "a failed merge leaves the aggregate as it was");
        let mut back = other.clone();
        assert_eq!(back.merge(&v2).unwrap_err().kind(), ErrorKind::Incompatible);
    }
    // Same definitions still merge, and the merged state reads back.
    let mut same = v1.clone();
    same.merge(&v1).unwrap();
    let back: SurveyAggregate = read(&serde_json::to_value(&same).unwrap()).unwrap();
    assert_eq!(back, same);
}
