//! The public contract of `cem_core::alerts`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cem_core::alerts::{
    Alert, CaseBook, Monitor, MonitorConfig, MonitorMetric, Response, RuleSet, SegmentBy,
};
use cem_core::metrics::{Csat, Nps};
use cem_core::model::{CaseStatus, Priority};
use cem_core::{Error, ErrorKind};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use serde_json::Value;

const RULES: &str = include_str!("../../tests/data/alerts/rules.json");

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap()
}

fn rules() -> RuleSet {
    RuleSet::from_json(RULES).unwrap()
}

fn resp(customer: &str, hours: i64, nps: Option<u8>) -> Response {
    let mut r = Response::new(customer, t0() + Duration::hours(hours));
    r.nps = nps;
    r
}

// ------------------------------------------------------------------------------ rules

#[test]
fn fixture_rules_read_and_write_back() {
    let rules = rules();
    assert_eq!(rules.rules().len(), 7);
    assert_eq!(rules.rules()[1].reason(), "dissatisfied");
    assert_eq!(
        RuleSet::from_json(&rules.to_json().unwrap()).unwrap(),
        rules
    );
    let via_serde: RuleSet = serde_json::from_str(RULES).unwrap();
    assert_eq!(via_serde, rules);
}

#[test]
fn bad_rules_name_the_rule_and_the_field() {
    let rule = |body: &str| {
        format!(
            r#"{{"rules": [{{"name": "ok", "priority": "low", "sla_hours": 1, "when": {{"field": "nps", "at_most": 6}}}}, {body}]}}"#
        )
    };
    let cases = [
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "nps", "at_mots": 6}}"#,
            "rule `x`: unknown field `at_mots`",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "colour", "equals": "red"}}"#,
            "rule `x`: `when.field` is `colour`, not a known field",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"any": [{"field": "nps", "at_most": 6}, {"field": "tier", "at_least": 2}]}}"#,
            "rule `x`: `when.any[1].at_least` compares text field `tier` with a number",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "nps", "equals": "six"}}"#,
            "rule `x`: `when.equals` compares number field `nps` with the text `six`",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"all": []}}"#,
            "rule `x`: `when.all` is an empty list",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "channel", "contains": "web"}}"#,
            "rule `x`: `when.contains` searches field `channel`; only `comment` can be searched",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "comment", "contains_word": "  "}}"#,
            "rule `x`: `when.contains_word` is an empty phrase",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 0, "when": {"field": "nps", "at_most": 6}}"#,
            "rule `x`: `sla_hours` is `0`",
        ),
        (
            r#"{"name": "x", "priority": "soon", "sla_hours": 1, "when": {"field": "nps", "at_most": 6}}"#,
            "rule `x`: unknown variant `soon`",
        ),
        (
            r#"{"name": "x", "priority": "low", "sla_hours": 1, "when": {"field": "nps", "at_most": 6, "below": 3}}"#,
            "rule `x`: a condition has 2 operators",
        ),
        (
            r#"{"name": "ok", "priority": "low", "sla_hours": 1, "when": {"field": "nps", "at_most": 6}}"#,
            "rule `ok`: `name` is used by an earlier rule",
        ),
        (
            r#"{"priority": "low", "sla_hours": 1, "when": {"field": "nps", "at_most": 6}}"#,
            "rule `#2`: missing field `name`",
        ),
    ];
    for (body, want) in cases {
        let err = RuleSet::from_json(&rule(body)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidRule, "{err}");
        assert!(err.to_string().starts_with(want), "{err} // want {want}");
    }
    let deep = (0..40).fold(r#"{"field": "nps", "at_most": 6}"#.to_owned(), |c, _| {
        format!(r#"{{"not": {c}}}"#)
    });
    let err = RuleSet::from_json(&rule(&format!(
        r#"{{"name": "deep", "priority": "low", "sla_hours": 1, "when": {deep}}}"#
    )))
    .unwrap_err();
    assert!(err.to_string().contains("nested deeper than 32"), "{err}");
    assert_eq!(
        RuleSet::from_json("[1]").unwrap_err().kind(),
        ErrorKind::Json
    );
    assert_eq!(
        RuleSet::from_json(r#"{"rules": [], "extra": 1}"#)
            .unwrap_err()
            .kind(),
        ErrorKind::Json
    );
}

#[test]
fn rules_on_a_hand_made_response() {
    let rules = rules();
    let mut r = resp("c-1", 0, Some(7));
    r.tier = Some("gold".into());
    r.comment = Some("I'll CANCEL — want a Refund!".into());
    r.channel = Some("web".into());
    r.sentiment = Some(-0.6);
    assert_eq!(
        rules.matching(&r).unwrap(),
        vec!["angry-comment", "churn-threat", "refund"]
    );
    r.comment = Some("cancelled my order, switching".into());
    r.channel = Some("store".into());
    // `cancelled` and `switching` are not the words `cancel` and `switch`.
    assert_eq!(rules.matching(&r).unwrap(), vec!["angry-comment"]);
    r.sentiment = Some(f64::NAN);
    assert_eq!(
        rules.matching(&r).unwrap_err().kind(),
        ErrorKind::InvalidNumber
    );
}

/// An independent reading of the rule JSON: walks the `serde_json::Value` directly.
fn naive(cond: &Value, r: &Response) -> bool {
    let o = cond.as_object().unwrap();
    if let Some(cs) = o.get("all") {
        return cs.as_array().unwrap().iter().all(|c| naive(c, r));
    }
    if let Some(cs) = o.get("any") {
        return cs.as_array().unwrap().iter().any(|c| naive(c, r));
    }
    if let Some(c) = o.get("not") {
        return !naive(c, r);
    }
    let field = o["field"].as_str().unwrap();
    let num = match field {
        "nps" => r.nps.map(f64::from),
        "csat" => r.csat.map(f64::from),
        "ces" => r.ces.map(f64::from),
        "sentiment" => r.sentiment,
        _ => None,
    };
    let text = match field {
        "channel" => r.channel.clone(),
        "tier" => r.tier.clone(),
        "segment" => r.segment.clone(),
        "touchpoint" => r.touchpoint.clone(),
        "comment" => r.comment.clone(),
        _ => None,
    };
    let (op, v) = o.iter().find(|(k, _)| k.as_str() != "field").unwrap();
    match op.as_str() {
        "at_most" => num.is_some_and(|x| x <= v.as_f64().unwrap()),
        "at_least" => num.is_some_and(|x| x >= v.as_f64().unwrap()),
        "below" => num.is_some_and(|x| x < v.as_f64().unwrap()),
        "above" => num.is_some_and(|x| x > v.as_f64().unwrap()),
        "equals" => text.is_some_and(|t| v.as_str() == Some(t.as_str())),
        "in" => text.is_some_and(|t| v.as_array().unwrap().iter().any(|x| x.as_str() == Some(&t))),
        "present" => (num.is_some() || text.is_some()) == v.as_bool().unwrap(),
        "contains" => text.is_some_and(|t| {
            t.to_lowercase()
                .contains(&v.as_str().unwrap().to_lowercase())
        }),
        "contains_word" => text.is_some_and(|t| {
            let hay: Vec<char> = t.to_lowercase().chars().collect();
            let needle: Vec<char> = v.as_str().unwrap().to_lowercase().chars().collect();
            let word = |c: &char| c.is_alphanumeric() || *c == '_';
            (0..=hay.len().saturating_sub(needle.len())).any(|i| {
                hay.len() >= needle.len()
                    && hay[i..i + needle.len()] == needle[..]
                    && (i == 0 || !word(&hay[i - 1]))
                    && hay.get(i + needle.len()).is_none_or(|c| !word(c))
            })
        }),
        other => panic!("unknown operator {other}"),
    }
}

const WORDS: [&str; 14] = [
    "cancel",
    "Cancelled",
    "CANCEL",
    "refund",
    "REFUND!",
    "never",
    "again",
    "Never again",
    "switch",
    "switching",
    "great",
    "_cancel",
    "slow",
    "déjà",
];

fn arb_response() -> impl Strategy<Value = Response> {
    (
        (
            prop::option::of(0u8..=10),
            prop::option::of(1u8..=5),
            prop::option::of(1u8..=7),
            prop::option::of(-100i32..=100),
        ),
        prop::option::of(prop::collection::vec(0usize..WORDS.len(), 0..6)),
        prop::option::of(prop::sample::select(vec![
            "web",
            "call_centre",
            "store",
            "sales_visit",
        ])),
        prop::option::of(prop::sample::select(vec!["gold", "platinum", "silver"])),
        prop::option::of(prop::sample::select(vec!["enterprise", "consumer"])),
        0i64..1000,
        0usize..20,
    )
        .prop_map(
            |((nps, csat, ces, sent), words, channel, tier, segment, minutes, who)| {
                let mut r = Response::new(format!("c-{who}"), t0() + Duration::minutes(minutes));
                r.nps = nps;
                r.csat = csat;
                r.ces = ces;
                r.sentiment = sent.map(|s| f64::from(s) / 100.0);
                r.comment = words.map(|ws| {
                    ws.iter()
                        .map(|&i| WORDS[i])
                        .collect::<Vec<_>>()
                        .join(if minutes % 2 == 0 { " " } else { ", " })
                });
                r.channel = channel.map(str::to_owned);
                r.tier = tier.map(str::to_owned);
                r.segment = segment.map(str::to_owned);
                r
            },
        )
}

proptest! {
    #[test]
    fn compiled_rules_agree_with_a_naive_reading(rs in prop::collection::vec(arb_response(), 1..60)) {
        let rules = rules();
        let json: Value = serde_json::from_str(RULES).unwrap();
        let conds: Vec<(String, Value)> = json["rules"].as_array().unwrap().iter()
            .map(|r| (r["name"].as_str().unwrap().to_owned(), r["when"].clone())).collect();
        let mut counts = vec![0u64; conds.len()];
        for r in &rs {
            let want: Vec<&str> = conds.iter().filter(|(_, c)| naive(c, r)).map(|(n, _)| n.as_str()).collect();
            for (i, (n, _)) in conds.iter().enumerate() {
                if want.contains(&n.as_str()) { counts[i] += 1; }
            }
            prop_assert_eq!(rules.matching(r).unwrap(), want);
        }
        prop_assert_eq!(rules.count_matches(&rs).unwrap(), counts);
    }

    #[test]
    fn one_active_case_per_customer_and_reason(rs in prop::collection::vec(arb_response(), 1..80)) {
        let mut book = CaseBook::new();
        let opened = book.ingest(&rules(), &rs).unwrap();
        prop_assert_eq!(opened.len(), book.cases().len());
        let mut keys: Vec<(String, String)> = book.cases().iter()
            .map(|c| (c.customer.to_string(), c.reason.clone())).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        prop_assert_eq!(keys.len(), n);
        let matches: u64 = rules().count_matches(&rs).unwrap().iter().sum();
        prop_assert_eq!(matches, n as u64 + book.duplicates());
        let back = CaseBook::from_json(&book.to_json().unwrap()).unwrap();
        prop_assert_eq!(&back, &book);
    }
}

// ------------------------------------------------------------------------------ case book

fn detractor_rules() -> RuleSet {
    RuleSet::from_json(
        r#"{"rules": [{"name": "detractor", "priority": "medium", "sla_hours": 24,
            "when": {"field": "nps", "at_most": 6}}]}"#,
    )
    .unwrap()
}

#[test]
fn lifecycle_with_audit_trail_and_illegal_moves() {
    use CaseStatus::*;
    let mut book = CaseBook::new();
    book.ingest(&detractor_rules(), &[resp("c-1", 0, Some(2))])
        .unwrap();
    let h = |x: i64| t0() + Duration::hours(x);
    // Every move that is not in the lifecycle is refused, from every status.
    let legal = [
        (Open, InProgress),
        (InProgress, Resolved),
        (Resolved, Closed),
        (Resolved, Open),
        (Closed, Open),
    ];
    let path = [InProgress, Resolved, Closed, Open];
    for (now, (step, next)) in (1..).zip(path.iter().enumerate()) {
        let from = book.case("case-1").unwrap().status;
        for to in [Open, InProgress, Resolved, Closed] {
            if !legal.contains(&(from, to)) {
                let err = book
                    .transition("case-1", to, "agent", h(now), None)
                    .unwrap_err();
                assert_eq!(err.kind(), ErrorKind::IllegalTransition, "{from:?}->{to:?}");
                assert_eq!(err.kind().code(), "illegal_transition");
            }
        }
        book.transition(
            "case-1",
            *next,
            "agent",
            h(now),
            Some(&format!("step {step}")),
        )
        .unwrap();
    }
    let case = book.case("case-1").unwrap();
    assert_eq!(case.status, Open);
    assert!(case.closed.is_none());
    let trail: Vec<(CaseStatus, CaseStatus, i64)> = case
        .history
        .iter()
        .map(|t| (t.from, t.to, (t.time - t0()).num_hours()))
        .collect();
    assert_eq!(
        trail,
        vec![
            (Open, InProgress, 1),
            (InProgress, Resolved, 2),
            (Resolved, Closed, 3),
            (Closed, Open, 4)
        ]
    );
    assert_eq!(case.history[2].note.as_deref(), Some("step 2"));
    // Time may not go backwards within a case.
    let err = book
        .transition("case-1", InProgress, "agent", h(3), None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfOrder);
    let err = book
        .transition("case-9", InProgress, "agent", h(9), None)
        .unwrap_err();
    assert_eq!(err.to_string(), "invalid `case`: there is no case `case-9`");
}

#[test]
fn reopen_refused_while_another_case_is_active() {
    let mut book = CaseBook::new();
    let rules = detractor_rules();
    book.ingest(&rules, &[resp("c-1", 0, Some(2))]).unwrap();
    let h = |x: i64| t0() + Duration::hours(x);
    book.transition("case-1", CaseStatus::InProgress, "a", h(1), None)
        .unwrap();
    book.transition("case-1", CaseStatus::Resolved, "a", h(2), None)
        .unwrap();
    // A new detractor answer opens a new case now that the first is resolved.
    assert_eq!(
        book.ingest(&rules, &[resp("c-1", 3, Some(1))]).unwrap(),
        vec!["case-2"]
    );
    let err = book
        .transition("case-1", CaseStatus::Open, "a", h(4), None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("already has the active case `case-2`"),
        "{err}"
    );
}

#[test]
fn tick_escalates_overdue_active_cases_once() {
    let mut book = CaseBook::new();
    let rules = detractor_rules();
    book.ingest(
        &rules,
        &[
            resp("a", 0, Some(2)),
            resp("b", 0, Some(3)),
            resp("c", 10, Some(0)),
        ],
    )
    .unwrap();
    let h = |x: i64| t0() + Duration::hours(x);
    book.transition("case-2", CaseStatus::InProgress, "x", h(1), None)
        .unwrap();
    book.transition("case-2", CaseStatus::Resolved, "x", h(5), None)
        .unwrap();
    assert!(book.tick(h(24)).is_empty()); // due exactly now: not yet overdue
    assert_eq!(book.tick(h(25)), vec!["case-1"]);
    assert!(book.tick(h(26)).is_empty());
    assert_eq!(book.tick(h(35)), vec!["case-3"]);
    let c1 = book.case("case-1").unwrap();
    assert_eq!(c1.priority, Priority::High);
    assert_eq!(c1.escalated, Some(h(25)));
    let last = c1.history.last().unwrap();
    assert_eq!(
        (last.who.as_str(), last.from, last.to),
        ("sla", CaseStatus::Open, CaseStatus::Open)
    );
    assert_eq!(book.case("case-2").unwrap().priority, Priority::Medium);
}

#[test]
fn closed_loop_figures_by_hand() {
    let rules = detractor_rules();
    let mut book = CaseBook::new();
    // Five detractors; d and e answer again later (e recovers, d does not); p is a promoter.
    book.ingest(
        &rules,
        &[
            resp("a", 0, Some(2)),
            resp("b", 0, Some(5)),
            resp("c", 0, Some(6)),
            resp("d", 0, Some(0)),
            resp("e", 0, Some(4)),
            resp("p", 0, Some(10)),
            resp("d", 50, Some(6)),
            resp("e", 60, Some(7)),
            resp("e", -5, Some(9)), // before the detractor answer: not a recovery
        ],
    )
    .unwrap();
    assert_eq!(book.cases().len(), 5);
    let h = |x: i64| t0() + Duration::hours(x);
    let m = |x: i64| t0() + Duration::minutes(x);
    // First responses after 1 h, 2 h, 4 h and 30 min; closes after 10 h and 30 h.
    book.transition("case-1", CaseStatus::InProgress, "x", h(1), None)
        .unwrap();
    book.transition("case-2", CaseStatus::InProgress, "x", h(2), None)
        .unwrap();
    book.transition("case-3", CaseStatus::InProgress, "x", h(4), None)
        .unwrap();
    book.transition("case-4", CaseStatus::InProgress, "x", m(30), None)
        .unwrap();
    book.transition("case-1", CaseStatus::Resolved, "x", h(9), None)
        .unwrap();
    book.transition("case-1", CaseStatus::Closed, "x", h(10), None)
        .unwrap();
    book.transition("case-2", CaseStatus::Resolved, "x", h(25), None)
        .unwrap();
    book.transition("case-2", CaseStatus::Closed, "x", h(30), None)
        .unwrap();
    let f = book.figures(h(40));
    let ttfr = f.time_to_first_response.unwrap();
    // numpy.percentile([0.5, 1, 2, 4], [50, 90]) = [1.5, 3.4]
    assert_eq!(ttfr.n, 4);
    assert!((ttfr.median - 1.5).abs() < 1e-12 && (ttfr.p90 - 3.4).abs() < 1e-12);
    let ttc = f.time_to_close.unwrap();
    // numpy.percentile([10, 30], [50, 90]) = [20, 28]
    assert!((ttc.median - 20.0).abs() < 1e-12 && (ttc.p90 - 28.0).abs() < 1e-12);
    // Deadline 24 h: case-1 resolved at 9 h (kept), case-2 at 25 h (missed), cases 3-5
    // unresolved at 40 h (missed).
    assert_eq!((f.sla_cases, f.sla_breached), (5, 4));
    assert_eq!(f.sla_breach_rate, Some(0.8));
    assert_eq!(
        (f.detractors, f.detractors_contacted, f.recovered),
        (5, 4, 1)
    );
    assert_eq!(f.contacted_share, Some(0.8));
    assert_eq!(f.recovery_rate, Some(0.2));
    assert_eq!(f.active, 3);
    // At 20 h no deadline has passed, but case-2's late resolution (at 25 h) already counts.
    let early = book.figures(h(20));
    assert_eq!(early.sla_breached, 1); // case-2 was resolved late (at 25 h)
}

// ------------------------------------------------------------------------------ monitor

fn nps_config(by: Option<SegmentBy>) -> MonitorConfig {
    let mut c = MonitorConfig::new(MonitorMetric::Nps, 2.0, 6.0);
    c.by = by;
    c.min_window = 4;
    c.min_baseline = 8;
    c
}

/// A stream whose NPS drops in the second half, in two channels, minutes apart.
fn arb_stream() -> impl Strategy<Value = Vec<Response>> {
    prop::collection::vec(
        (
            0i64..20,
            0u8..=10,
            prop::bool::ANY,
            prop::bool::ANY,
            prop::bool::ANY,
        ),
        1..300,
    )
    .prop_map(|steps| {
        let mut t = t0();
        let n = steps.len();
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (gap, score, web, drop, missing))| {
                t += Duration::minutes(gap);
                let mut r = Response::new("c", t);
                let s = if i > n / 2 && drop { score / 3 } else { score };
                r.nps = (!missing || i % 7 != 0).then_some(s);
                r.channel = Some(if web { "web" } else { "call_centre" }.to_owned());
                r
            })
            .collect()
    })
}

/// Recomputes each decision from the full history: the window and baseline by filtering on
/// time, the estimates with the public `Nps` accumulator.
fn naive_monitor(
    config: &MonitorConfig,
    rs: &[Response],
) -> Vec<(Option<String>, DateTime<Utc>, f64, f64)> {
    let w = Duration::milliseconds((config.window_hours * 3_600_000.0) as i64);
    let b = Duration::milliseconds((config.baseline_hours * 3_600_000.0) as i64);
    let mut alarm: std::collections::BTreeMap<Option<String>, bool> = Default::default();
    let mut out = Vec::new();
    for (i, r) in rs.iter().enumerate() {
        let Some(_) = r.nps else { continue };
        let mut streams = vec![None];
        if config.by.is_some() {
            streams.push(r.channel.clone());
        }
        for key in streams {
            let of_stream = rs[..=i]
                .iter()
                .filter(|x| x.nps.is_some() && (key.is_none() || x.channel == key));
            let win: Vec<u8> = of_stream
                .clone()
                .filter(|x| x.time > r.time - w)
                .map(|x| x.nps.unwrap())
                .collect();
            let base: Vec<u8> = of_stream
                .filter(|x| x.time <= r.time - w && x.time > r.time - w - b)
                .map(|x| x.nps.unwrap())
                .collect();
            if (win.len() as u64) < config.min_window || (base.len() as u64) < config.min_baseline {
                continue;
            }
            let mut wn = Nps::new();
            wn.push_many(&win).unwrap();
            let mut bn = Nps::new();
            bn.push_many(&base).unwrap();
            let we = wn.estimate(config.confidence).unwrap();
            let be = bn.estimate(config.confidence).unwrap();
            let limit =
                be.value - (be.value - be.low) * (base.len() as f64 / win.len() as f64).sqrt();
            let below = we.value < limit;
            let state = alarm.entry(key.clone()).or_insert(false);
            if below && !*state {
                out.push((key.clone(), r.time, we.value, limit));
            }
            *state = below;
        }
    }
    out
}

fn summary(alerts: &[Alert]) -> Vec<(Option<String>, DateTime<Utc>, f64, f64)> {
    alerts
        .iter()
        .map(|a| (a.segment.clone(), a.time, a.value, a.limit))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn monitor_agrees_with_recomputing_from_history(rs in arb_stream(), by in prop::bool::ANY) {
        let config = nps_config(by.then_some(SegmentBy::Channel));
        let mut m = Monitor::new(config.clone()).unwrap();
        let got = summary(&m.push_many(&rs).unwrap());
        let want = naive_monitor(&config, &rs);
        prop_assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            prop_assert_eq!(&g.0, &w.0);
            prop_assert_eq!(g.1, w.1);
            prop_assert!((g.2 - w.2).abs() < 1e-9 && (g.3 - w.3).abs() < 1e-9);
        }
    }

    #[test]
    fn batches_equal_one_by_one(rs in arb_stream(), cuts in prop::collection::vec(0usize..300, 0..6)) {
        let config = nps_config(Some(SegmentBy::Channel));
        let mut one = Monitor::new(config.clone()).unwrap();
        let mut singles = Vec::new();
        for r in &rs {
            singles.extend(one.push(r).unwrap());
        }
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (rs.len() + 1)).collect();
        cuts.push(0);
        cuts.push(rs.len());
        cuts.sort_unstable();
        let mut batched = Monitor::new(config).unwrap();
        let mut alerts = Vec::new();
        for pair in cuts.windows(2) {
            alerts.extend(batched.push_many(&rs[pair[0]..pair[1]]).unwrap());
        }
        prop_assert_eq!(alerts, singles);
        prop_assert_eq!(batched, one);
    }

    #[test]
    fn serde_round_trip_gives_the_same_future(rs in arb_stream(), cut in 0usize..300) {
        let cut = cut % (rs.len() + 1);
        let config = nps_config(Some(SegmentBy::Channel));
        let mut straight = Monitor::new(config.clone()).unwrap();
        straight.push_many(&rs[..cut]).unwrap();
        let mut restored = Monitor::from_json(&straight.to_json().unwrap()).unwrap();
        prop_assert_eq!(&restored, &straight);
        let a = straight.push_many(&rs[cut..]).unwrap();
        let b = restored.push_many(&rs[cut..]).unwrap();
        prop_assert_eq!(a, b);
    }
}

#[test]
fn out_of_order_input_is_refused_and_changes_nothing() {
    let mut m = Monitor::new(nps_config(None)).unwrap();
    m.push(&resp("a", 5, Some(9))).unwrap();
    let before = m.clone();
    let err = m
        .push_many(&[resp("a", 6, Some(9)), resp("a", 4, Some(9))])
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfOrder);
    assert_eq!(
        err.to_string(),
        "the response at position 1 at `2026-03-02T13:00:00+00:00` comes before the previous one at `2026-03-02T15:00:00+00:00`"
    );
    assert_eq!(m, before);
    let err = m.push(&resp("a", 7, Some(11))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert_eq!(m, before);
}

#[test]
fn csat_monitor_uses_the_wilson_interval_of_the_baseline() {
    // Baseline: 40 answers, 32 satisfied (80 %); window: 10 answers, 4 satisfied.
    let mut config = MonitorConfig::new(MonitorMetric::Csat { max: 5, top: 2 }, 1.0, 10.0);
    config.min_window = 10;
    config.min_baseline = 40;
    let mut m = Monitor::new(config).unwrap();
    let mut rs = Vec::new();
    for i in 0..40 {
        let mut r = Response::new("c", t0() + Duration::minutes(10 * i));
        r.csat = Some(if i % 5 == 0 { 2 } else { 5 });
        rs.push(r);
    }
    let start = t0() + Duration::minutes(10 * 40 + 60);
    for i in 0..10 {
        let mut r = Response::new("c", start + Duration::minutes(i));
        r.csat = Some(if i < 4 { 4 } else { 1 });
        rs.push(r);
    }
    let alerts = m.push_many(&rs).unwrap();
    assert_eq!(alerts.len(), 1);
    let a = &alerts[0];
    let mut base = Csat::new();
    base.push_many(&[5; 32]).unwrap();
    base.push_many(&[2; 8]).unwrap();
    let b = base.estimate(0.95).unwrap();
    // statsmodels 0.15.0 proportion_confint(32, 40, method="wilson")[0]
    assert!((b.low - 0.652_426_936_536_005).abs() < 1e-12, "{}", b.low);
    assert_eq!(a.baseline, b);
    let limit = 0.8 - (0.8 - b.low) * 2.0; // sqrt(40 / 10)
    assert!((a.limit - limit).abs() < 1e-12);
    assert_eq!(a.window.n, 10);
    assert_eq!(a.time, start + Duration::minutes(9)); // the tenth window answer tips it
}

#[test]
fn bad_monitor_settings_are_named() {
    let mut c = nps_config(None);
    c.min_window = 1;
    assert!(
        Monitor::new(c)
            .unwrap_err()
            .to_string()
            .contains("min_window")
    );
    let c = MonitorConfig::new(MonitorMetric::Csat { max: 5, top: 5 }, 1.0, 1.0);
    assert_eq!(
        Monitor::new(c).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let mut c = nps_config(None);
    c.confidence = 1.0;
    assert!(matches!(Monitor::new(c), Err(Error::OutOfRange { .. })));
    let err = Monitor::from_json(
        r#"{"config": {"metric": {"kind": "nps"}, "window_hours": 1, "baseline_hours": 1},
            "last": "2026-03-02T09:00:00Z",
            "overall": {"window": [["2026-03-02T09:00:00Z", 12]], "baseline": [], "alarm": false},
            "segments": {}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("score `12`"), "{err}");
}

#[test]
fn the_generated_streams_do_raise_alerts() {
    // Keeps the property tests above honest: their streams raise alerts, overall and per
    // channel, so agreeing with the recomputation is not agreeing on nothing.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut overall, mut segments) = (0, 0);
    for _ in 0..64 {
        let rs = arb_stream().new_tree(&mut runner).unwrap().current();
        let config = nps_config(Some(SegmentBy::Channel));
        let alerts = Monitor::new(config.clone())
            .unwrap()
            .push_many(&rs)
            .unwrap();
        assert_eq!(summary(&alerts).len(), naive_monitor(&config, &rs).len());
        overall += alerts.iter().filter(|a| a.segment.is_none()).count();
        segments += alerts.iter().filter(|a| a.segment.is_some()).count();
    }
    assert!(overall >= 5 && segments >= 5, "{overall} {segments}");
}

#[test]
fn the_generated_responses_fire_every_rule() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let rs: Vec<Response> = (0..3000)
        .map(|_| arb_response().new_tree(&mut runner).unwrap().current())
        .collect();
    let counts = rules().count_matches(&rs).unwrap();
    assert!(counts.iter().all(|&c| c > 0 && c < 3000), "{counts:?}");
}
