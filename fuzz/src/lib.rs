//! Fuzz harnesses for cem-core: each takes raw bytes, feeds them to an API that accepts
//! untrusted input, and checks that the API either returns an error or a result that keeps its
//! invariants. A panic (including an arithmetic overflow, since the fuzz build keeps debug
//! assertions) is a finding.
//!
//! The same functions run from `fuzz_targets/*.rs` under libFuzzer and from `tests/replay.rs`
//! over every input saved in `tests/fuzz-corpus/<target>/`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::fmt::Debug;

use arbitrary::{Arbitrary, Unstructured};
use cem_core::alerts::{CaseBook, Monitor, Response, RuleSet};
use cem_core::journey::EventLog;
use cem_core::metrics::{
    Ces, Csat, Estimate, GroupedScores, Mean, NetSatisfaction, Nps, Proportion, ScaleCounts,
};
use cem_core::model::Answer;
use cem_core::survey::orchestrate::{Event, Orchestrator};
use cem_core::survey::{Survey, SurveyAggregate};
use cem_core::text::{self as ct, PhraseOptions, TextLimits};
use serde::{Serialize, de::DeserializeOwned};

/// A fuzz harness: takes raw bytes, panics on a finding.
pub type Harness = fn(&[u8]);

/// The fuzz targets, by name (the folder names under `tests/fuzz-corpus`).
pub const TARGETS: [(&str, Harness); 8] = [
    ("survey_definition", survey_definition),
    ("survey_answers", survey_answers),
    ("accumulator_state", accumulator_state),
    ("event_log_columns", event_log_columns),
    ("sentiment_text", sentiment_text),
    ("alert_rules", alert_rules),
    ("orchestrate_rules", orchestrate_rules),
    ("event_log_bytes", event_log_bytes),
];

/// The surveys that `survey_answers` scores answers against.
const SURVEYS: [&str; 2] = [
    include_str!("../../tests/data/surveys/post_contact.json"),
    cem_core::sample::SURVEY_JSON,
];

/// An estimate that came back `Ok` must be finite and ordered.
fn check_estimate(what: &str, e: &Estimate) {
    assert!(
        e.value.is_finite() && e.low.is_finite() && e.high.is_finite(),
        "{what}: non-finite estimate {e:?}"
    );
    assert!(
        e.low <= e.value && e.value <= e.high,
        "{what}: unordered interval {e:?}"
    );
}

/// A survey definition in JSON: parsing never panics; a parsed survey survives a JSON round
/// trip unchanged, and scoring and summarizing an empty response never panic.
pub fn survey_definition(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(survey) = Survey::from_json(text) else {
        return;
    };
    let json = survey.to_json().expect("a parsed survey serializes");
    let again = Survey::from_json(&json).expect("a serialized survey parses");
    assert_eq!(survey, again, "JSON round trip changed the survey");
    let empty = BTreeMap::new();
    let _ = survey.score(&empty);
    let _ = survey.validate(&empty);
    let _ = SurveyAggregate::new(&survey).summary(0.95);
}

/// Answers in JSON scored against a valid survey (the first byte picks the survey): never a
/// panic; `validate` finds no problem exactly when `check_answers` and `score` succeed, and an
/// aggregate accepts exactly the responses that validate.
pub fn survey_answers(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let survey = Survey::from_json(SURVEYS[usize::from(pick) % SURVEYS.len()]).unwrap();
    let Ok(answers) = serde_json::from_str::<BTreeMap<String, Answer>>(text) else {
        return;
    };
    let problems = survey.validate(&answers);
    let checked = survey.check_answers(&answers);
    let scored = survey.score(&answers);
    assert_eq!(
        problems.is_empty(),
        checked.is_ok(),
        "validate and check_answers disagree"
    );
    assert_eq!(
        checked.is_ok(),
        scored.is_ok(),
        "check_answers and score disagree"
    );
    let mut agg = SurveyAggregate::new(&survey);
    assert_eq!(
        agg.push(&answers).is_ok(),
        checked.is_ok(),
        "push and check_answers disagree"
    );
    if let Ok(summary) = agg.summary(0.95) {
        let _ = serde_json::to_string(&summary).unwrap();
    }
}

/// What every accumulator offers the state checks.
trait State: Serialize + DeserializeOwned + PartialEq + Debug + Clone {
    fn fresh(&self) -> Self;
    fn merge_into(&mut self, other: &Self) -> cem_core::Result<()>;
    fn n(&self) -> u64;
    fn estimates(&self) -> Vec<cem_core::Result<Estimate>>;
}

macro_rules! scale_state {
    ($ty:ty, $fresh:expr) => {
        impl State for $ty {
            fn fresh(&self) -> Self {
                $fresh(self)
            }
            fn merge_into(&mut self, other: &Self) -> cem_core::Result<()> {
                self.merge(other)
            }
            fn n(&self) -> u64 {
                <$ty>::n(self)
            }
            fn estimates(&self) -> Vec<cem_core::Result<Estimate>> {
                vec![self.estimate(0.95)]
            }
        }
    };
}
scale_state!(Nps, |_: &Nps| Nps::new());
scale_state!(Csat, |c: &Csat| Csat::with_scale(c.max(), c.top()).unwrap());
scale_state!(Ces, |c: &Ces| Ces::with_scale(c.scale()));
scale_state!(NetSatisfaction, |_: &NetSatisfaction| NetSatisfaction::new(
));
scale_state!(Mean, |_: &Mean| Mean::new());
scale_state!(Proportion, |_: &Proportion| Proportion::new());

impl State for ScaleCounts {
    fn fresh(&self) -> Self {
        ScaleCounts::new(self.min(), self.max()).unwrap()
    }
    fn merge_into(&mut self, other: &Self) -> cem_core::Result<()> {
        self.merge(other)
    }
    fn n(&self) -> u64 {
        ScaleCounts::n(self)
    }
    fn estimates(&self) -> Vec<cem_core::Result<Estimate>> {
        Vec::new()
    }
}

/// Accepted state must round-trip, merge into an empty accumulator unchanged, and give finite
/// ordered estimates (or an error); merging it with itself doubles `n` or fails cleanly.
fn check_state<T: State>(text: &str) {
    let Ok(state) = serde_json::from_str::<T>(text) else {
        return;
    };
    let json = serde_json::to_string(&state).expect("accepted state serializes");
    let again: T = serde_json::from_str(&json).expect("serialized state parses");
    assert_eq!(state, again, "JSON round trip changed the state");
    for e in state.estimates().into_iter().flatten() {
        check_estimate(std::any::type_name::<T>(), &e);
    }
    let mut fresh = state.fresh();
    fresh
        .merge_into(&state)
        .expect("merging valid state into an empty accumulator");
    assert_eq!(fresh.n(), state.n(), "merge into empty changed n");
    let mut twice = state.clone();
    if twice.merge_into(&state).is_ok() {
        assert_eq!(Some(twice.n()), state.n().checked_mul(2), "self-merge n");
        for e in twice.estimates().into_iter().flatten() {
            check_estimate("self-merged state", &e);
        }
    }
}

/// Accumulator state as JSON (the first byte picks the accumulator), as a browser or a remote
/// worker would send it to be merged.
pub fn accumulator_state(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    match pick % 9 {
        0 => check_state::<Nps>(text),
        1 => check_state::<Csat>(text),
        2 => check_state::<Ces>(text),
        3 => check_state::<NetSatisfaction>(text),
        4 => check_state::<Mean>(text),
        5 => check_state::<Proportion>(text),
        6 => check_state::<ScaleCounts>(text),
        7 => {
            let Ok(g) = serde_json::from_str::<GroupedScores>(text) else {
                return;
            };
            let json = serde_json::to_string(&g).unwrap();
            let again: GroupedScores = serde_json::from_str(&json).unwrap();
            assert_eq!(g, again, "JSON round trip changed the grouped scores");
            for row in g.estimates(0.95).into_iter().flatten() {
                if let Some(e) = row.estimate {
                    check_estimate("grouped scores", &e);
                }
            }
            let mut twice = g.clone();
            let _ = twice.merge(&g);
        }
        _ => {
            let Ok(agg) = serde_json::from_str::<SurveyAggregate>(text) else {
                return;
            };
            let json = serde_json::to_string(&agg).unwrap();
            let again: SurveyAggregate = serde_json::from_str(&json).unwrap();
            assert_eq!(agg, again, "JSON round trip changed the aggregate");
            let _ = agg.summary(0.95);
            let mut twice = agg.clone();
            let _ = twice.merge(&agg);
        }
    }
}

/// Columns as a binding hands them over: codes that may lack a label, any timestamps, values
/// that may be NaN or infinite, and lengths that may differ.
#[derive(Debug, Arbitrary)]
struct Columns {
    customers: Vec<u8>,
    customer_labels: u8,
    touchpoints: Vec<u8>,
    touchpoint_labels: u8,
    times: Vec<i64>,
    values: Option<Vec<f64>>,
    gap: i64,
    steps: Vec<u8>,
    within: Option<i64>,
    goal: u8,
    depth: u8,
}

/// Event-log ingestion from columns and every journey view on the result.
pub fn event_log_columns(data: &[u8]) {
    let Ok(c) = Columns::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let customers: Vec<u32> = c.customers.iter().map(|&x| u32::from(x)).collect();
    let touchpoints: Vec<u32> = c.touchpoints.iter().map(|&x| u32::from(x)).collect();
    let labels = |n: u8, p: &str| (0..n).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
    let Ok(log) = EventLog::from_columns(
        &customers,
        labels(c.customer_labels, "c"),
        &touchpoints,
        labels(c.touchpoint_labels, "t"),
        &c.times,
        c.values.as_deref(),
    ) else {
        return;
    };
    assert_eq!(log.len(), customers.len(), "events lost or invented");
    let dfg = log.dfg();
    let pairs: u64 = dfg.edges.iter().map(|e| e.count).sum();
    assert_eq!(
        pairs,
        (log.len() - log.customer_count()) as u64,
        "DFG pair count"
    );
    let starts: u64 = dfg.starts.iter().map(|s| s.1).sum();
    assert_eq!(starts, log.customer_count() as u64, "DFG starts");
    for e in &dfg.edges {
        assert!(e.customers <= e.count && e.count > 0, "edge counts {e:?}");
        assert!(
            e.mean_duration >= 0.0 && e.median_duration >= 0.0,
            "negative duration {e:?}"
        );
    }
    let variants = log.variants(None);
    let covered: u64 = variants.iter().map(|v| v.count).sum();
    assert_eq!(
        covered,
        log.customer_count() as u64,
        "variants cover every customer"
    );
    if let Ok(s) = log.sessions(c.gap) {
        assert_eq!(s.of_event.len(), log.len(), "a session for every event");
        let events: u64 = s.sessions.iter().map(|x| u64::from(x.events)).sum();
        assert_eq!(events, log.len() as u64, "sessions cover every event");
    }
    let steps: Vec<u32> = c.steps.iter().take(8).map(|&x| u32::from(x)).collect();
    if let Ok(f) = log.funnel(&steps, c.within) {
        let _ = serde_json::to_string(&f).unwrap();
    }
    let goal = u32::from(c.goal);
    let _ = log.next_step(goal);
    let _ = log.paths(Some(goal), None, usize::from(c.depth % 6), Some(5));
    let _ = log.removal_effects(goal);
}

/// Any UTF-8 text through VADER sentiment, the length limit, complaint detection and key
/// phrases (the first byte sets a tight `max_chars`; lines alternate between two groups):
/// never a panic; the shares are in 0..=1 and sum to 1 (to their 3-decimal rounding) or are
/// all 0, `compound` is in −1..=1, the batch and limit-checked paths agree with `polarity`,
/// the limit refuses exactly the texts with more characters than it allows.
pub fn sentiment_text(data: &[u8]) {
    let Some((&max, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let p = ct::polarity(text);
    for (name, v) in [("neg", p.neg), ("neu", p.neu), ("pos", p.pos)] {
        assert!(
            (0.0..=1.0).contains(&v),
            "{name} {v} out of 0..=1 for {text:?}"
        );
    }
    assert!(
        (-1.0..=1.0).contains(&p.compound),
        "compound {} for {text:?}",
        p.compound
    );
    let sum = p.neg + p.neu + p.pos;
    assert!(
        (sum - 1.0).abs() <= 0.0015 + 1e-12 || (p.neg, p.neu, p.pos) == (0.0, 0.0, 0.0),
        "shares sum to {sum} for {text:?}"
    );
    let batch = ct::sentiment(&[text, text]);
    assert_eq!(batch, [p, p], "sentiment differs from polarity");

    let limits = TextLimits {
        max_chars: usize::from(max),
    };
    let chars = text.chars().count();
    match ct::polarity_with(text, &limits) {
        Ok(q) => {
            assert!(
                chars <= limits.max_chars,
                "{chars} characters passed a limit of {max}"
            );
            assert_eq!(q, p);
        }
        Err(e) => {
            assert!(
                chars > limits.max_chars,
                "{chars} characters refused by a limit of {max}: {e}"
            );
            assert_eq!(e.kind(), cem_core::ErrorKind::LimitExceeded);
        }
    }

    let c = ct::complaint(text);
    assert_eq!(
        c.compound, p.compound,
        "complaint compound differs from polarity"
    );
    let rule = (!c.cues.is_empty() && c.compound < ct::CUE_MAX_COMPOUND)
        || c.compound <= ct::STRONG_NEGATIVE;
    assert_eq!(
        c.is_complaint, rule,
        "complaint verdict breaks its rule for {text:?}"
    );

    let lines: Vec<&str> = text.lines().collect();
    let groups: Vec<u32> = (0..lines.len()).map(|i| u32::from(i % 2 == 1)).collect();
    let options = PhraseOptions {
        min_count: 1,
        max_n: 3,
        ..PhraseOptions::default()
    };
    if let Ok(rows) = ct::key_phrases(&lines, &groups, &options) {
        for r in &rows {
            assert!(
                r.z.is_finite() && r.delta.is_finite(),
                "non-finite phrase score {r:?}"
            );
            assert!(r.count >= 1 && r.group <= 1, "phrase row {r:?}");
        }
    }
}

/// Splits `data` at the first NUL: (definition text, input text), both UTF-8.
fn two_texts(data: &[u8]) -> Option<(&str, &str)> {
    let cut = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (a, b) = data.split_at(cut);
    let b = b.get(1..).unwrap_or_default();
    Some((std::str::from_utf8(a).ok()?, std::str::from_utf8(b).ok()?))
}

/// Alert rules in JSON (then, after a NUL, responses in JSON): parsing never panics; accepted
/// rules round-trip; per-rule match counts equal the per-response matches; every case
/// `evaluate` opens names a rule that matched; case books and monitors from any JSON never
/// panic.
pub fn alert_rules(data: &[u8]) {
    let Some((rules_text, responses_text)) = two_texts(data) else {
        return;
    };
    let _ = CaseBook::from_json(rules_text);
    let _ = Monitor::from_json(rules_text);
    let Ok(rules) = RuleSet::from_json(rules_text) else {
        return;
    };
    let json = rules.to_json().expect("accepted rules serialize");
    let again = RuleSet::from_json(&json).expect("serialized rules parse");
    assert_eq!(again.to_json().unwrap(), json, "rules JSON round trip");
    let Ok(responses) = serde_json::from_str::<Vec<Response>>(responses_text) else {
        return;
    };
    let (Ok(counts), Ok(matches)) = (
        rules.count_matches(&responses),
        rules.matching_many(&responses),
    ) else {
        return;
    };
    for (i, rule) in rules.rules().iter().enumerate() {
        let name = rule.name.as_str();
        let seen = matches.iter().filter(|m| m.contains(&name)).count() as u64;
        assert_eq!(
            counts.get(i).copied(),
            Some(seen),
            "rule `{name}`: count_matches vs matching"
        );
    }
    if let Ok(cases) = rules.evaluate(&responses) {
        assert!(
            cases.len() <= matches.iter().map(Vec::len).sum::<usize>(),
            "more cases than matches"
        );
    }
}

/// Orchestration rules in JSON (then, after a NUL, interactions in JSON): parsing never
/// panics; for accepted rules, feeding the interactions one by one gives the same decisions
/// as one batch, and the saved state reads back and continues the same.
pub fn orchestrate_rules(data: &[u8]) {
    let Some((rules_text, events_text)) = two_texts(data) else {
        return;
    };
    let _ = Orchestrator::from_json(rules_text);
    let Ok(mut one) = Orchestrator::from_rules_json(rules_text) else {
        return;
    };
    let _ = one.rules().warnings();
    let Ok(mut events) = serde_json::from_str::<Vec<Event>>(events_text) else {
        return;
    };
    events.truncate(64);
    let mut batch = one.clone();
    let batched = batch.feed_events(&events);
    let mut singly = Vec::new();
    let mut failed = false;
    for (row, e) in events.iter().enumerate() {
        match one.decide(e) {
            Ok(ds) => singly.extend(ds.into_iter().map(|mut d| {
                d.row = row;
                d
            })),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    match batched {
        Ok(ds) if !failed => assert_eq!(ds, singly, "batch vs one by one"),
        Ok(_) => panic!("the batch succeeded where one-by-one failed"),
        Err(_) => assert!(failed, "the batch failed where one-by-one succeeded"),
    }
    if !failed {
        let restored = Orchestrator::from_json(&one.to_json()).expect("saved state reads back");
        assert_eq!(restored.to_json(), one.to_json(), "state round trip");
    }
}

/// A saved event log from untrusted bytes: reading never panics, and a log that reads back
/// writes the same bytes and keeps its invariants.
pub fn event_log_bytes(data: &[u8]) {
    let Ok(log) = EventLog::from_bytes(data) else {
        return;
    };
    let bytes = log.to_bytes();
    let again = EventLog::from_bytes(&bytes).expect("written bytes read back");
    assert_eq!(again.to_bytes(), bytes, "bytes round trip");
    let dfg = log.dfg();
    let pairs: u64 = dfg.edges.iter().map(|e| e.count).sum();
    assert_eq!(
        pairs,
        (log.len() - log.customer_count()) as u64,
        "DFG pair count"
    );
    let covered: u64 = log.variants(None).iter().map(|v| v.count).sum();
    assert_eq!(
        covered,
        log.customer_count() as u64,
        "variants cover every customer"
    );
}
