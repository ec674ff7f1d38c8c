#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Survey orchestration by public contract: the guards are never violated, sampling is
//! deterministic and converges, batches = one by one, serde restart = uninterrupted.

use std::collections::{BTreeMap, BTreeSet};

use cem_core::ErrorKind;
use cem_core::survey::orchestrate::{
    Batch, Cap, Codes, Decision, Event, Exclusions, Orchestrator, Quarantine, QuarantineScope,
    Reason, ResponseAssumptions, Rules, SampleUnit, Span, Trigger, customer_key, simulate,
};
use proptest::prelude::*;

const TPS: [&str; 3] = ["call", "delivery", "web"];
const OUTS: [&str; 3] = ["ok", "failed", "late"];
const SEGS: [&str; 3] = ["gold", "basic", "staff"];

#[derive(Debug, Clone)]
struct Ev {
    customer: u64,
    time: i64,
    tp: u32,
    out: u32,
    seg: u32,
    complaint: bool,
    dnc: bool,
    id: u64,
}

/// The log as owned columns.
struct Log {
    customers: Vec<u64>,
    times: Vec<i64>,
    tp: Vec<u32>,
    out: Vec<u32>,
    seg: Vec<u32>,
    complaint: Vec<bool>,
    dnc: Vec<bool>,
    ids: Vec<u64>,
    tp_l: Vec<String>,
    out_l: Vec<String>,
    seg_l: Vec<String>,
}

impl Log {
    fn new(evs: &[Ev]) -> Log {
        let labels = |xs: [&str; 3]| xs.iter().map(|s| (*s).to_owned()).collect();
        Log {
            customers: evs.iter().map(|e| e.customer).collect(),
            times: evs.iter().map(|e| e.time).collect(),
            tp: evs.iter().map(|e| e.tp).collect(),
            out: evs.iter().map(|e| if e.out == 3 { Codes::MISSING } else { e.out }).collect(),
            seg: evs.iter().map(|e| e.seg).collect(),
            complaint: evs.iter().map(|e| e.complaint).collect(),
            dnc: evs.iter().map(|e| e.dnc).collect(),
            ids: evs.iter().map(|e| e.id).collect(),
            tp_l: labels(TPS),
            out_l: labels(OUTS),
            seg_l: labels(SEGS),
        }
    }

    fn batch(&self, range: std::ops::Range<usize>) -> Batch<'_> {
        let r = range;
        let mut b = Batch::new(
            &self.customers[r.clone()],
            &self.times[r.clone()],
            Codes { codes: &self.tp[r.clone()], labels: &self.tp_l },
        );
        b.outcomes = Some(Codes { codes: &self.out[r.clone()], labels: &self.out_l });
        b.segments = Some(Codes { codes: &self.seg[r.clone()], labels: &self.seg_l });
        b.open_complaint = Some(&self.complaint[r.clone()]);
        b.do_not_contact = Some(&self.dnc[r.clone()]);
        b.event_ids = Some(&self.ids[r]);
        b
    }

    fn len(&self) -> usize {
        self.times.len()
    }
}

fn events() -> impl Strategy<Value = Vec<Ev>> {
    prop::collection::vec(
        (0u64..6, 0i64..5 * 86_400, 0u32..3, 0u32..4, 0u32..3, prop::bool::weighted(0.1), prop::bool::weighted(0.1)),
        0..150,
    )
    .prop_map(|rows| {
        let mut t = 1_700_000_000;
        rows.into_iter()
            .enumerate()
            .map(|(i, (customer, dt, tp, out, seg, complaint, dnc))| {
                // Many equal times: a zero gap in a third of the rows.
                t += if dt % 3 == 0 { 0 } else { dt };
                Ev { customer, time: t, tp, out, seg, complaint, dnc, id: i as u64 }
            })
            .collect()
    })
}

fn subset(names: [&'static str; 3]) -> impl Strategy<Value = Option<BTreeSet<String>>> {
    prop::option::weighted(0.5, prop::collection::btree_set(prop::sample::select(names.to_vec()), 1..3))
        .prop_map(|s| s.map(|s| s.into_iter().map(str::to_owned).collect()))
}

fn quarantine() -> impl Strategy<Value = Quarantine> {
    (0i64..20, prop::bool::ANY).prop_map(|(days, per_survey)| Quarantine {
        duration: Span::from_seconds(days * 86_400).unwrap(),
        scope: if per_survey { QuarantineScope::Survey } else { QuarantineScope::Global },
    })
}

fn trigger() -> impl Strategy<Value = Trigger> {
    (
        subset(TPS),
        subset(OUTS),
        subset(SEGS),
        prop::sample::select(vec![0.0, 0.3, 0.7, 1.0]),
        -2i32..3,
        prop::option::weighted(0.3, quarantine()),
        prop::bool::ANY,
        prop::bool::weighted(0.3),
        0i64..3 * 86_400,
    )
        .prop_map(|(touchpoints, outcomes, segments, sample, priority, quarantine, second, by_event, delay)| Trigger {
            id: String::new(),
            survey: if second { "s2" } else { "s1" }.into(),
            touchpoints,
            channels: None,
            outcomes,
            segments,
            sample,
            sample_by: if by_event { SampleUnit::Event } else { SampleUnit::Customer },
            delay: Span::from_seconds(delay).unwrap(),
            via: None,
            priority,
            quarantine,
        })
}

fn rules() -> impl Strategy<Value = Rules> {
    (
        any::<u64>(),
        prop::option::of(quarantine()),
        prop::collection::vec((1u32..4, 1i64..30), 0..3),
        prop::collection::vec(trigger(), 1..6),
        prop::bool::ANY,
    )
        .prop_map(|(seed, quarantine, caps, triggers, exclude_staff)| Rules {
            seed,
            quarantine,
            caps: caps
                .into_iter()
                .map(|(max, days)| Cap { max, per: Span::from_seconds(days * 86_400).unwrap() })
                .collect(),
            exclude: Exclusions {
                segments: if exclude_staff { BTreeSet::from(["staff".to_owned()]) } else { BTreeSet::new() },
                ..Exclusions::default()
            },
            catalog: BTreeMap::new(),
            triggers: triggers
                .into_iter()
                .enumerate()
                .map(|(i, t)| Trigger { id: format!("t{i}"), ..t })
                .collect(),
        })
}

fn matches(t: &Trigger, e: &Ev) -> bool {
    let ok = |f: &Option<BTreeSet<String>>, v: Option<&str>| f.as_ref().is_none_or(|s| v.is_some_and(|v| s.contains(v)));
    ok(&t.touchpoints, Some(TPS[e.tp as usize]))
        && ok(&t.outcomes, OUTS.get(e.out as usize).copied())
        && ok(&t.segments, Some(SEGS[e.seg as usize]))
}

/// Checks every guard against the decisions, independently of the orchestrator's state.
fn check_guards(rules: &Rules, evs: &[Ev], decisions: &[Decision]) {
    let mut by_row: BTreeMap<usize, Vec<&Decision>> = BTreeMap::new();
    for d in decisions {
        by_row.entry(d.row).or_default().push(d);
    }
    // (time, survey) of each customer's invitations so far.
    let mut history: BTreeMap<u64, Vec<(i64, String)>> = BTreeMap::new();
    for (row, e) in evs.iter().enumerate() {
        let ds = by_row.remove(&row).unwrap_or_default();
        // Exactly the matching triggers decide, each once.
        let expected: BTreeSet<u32> = (0..rules.triggers.len() as u32).filter(|&i| matches(&rules.triggers[i as usize], e)).collect();
        let got: BTreeSet<u32> = ds.iter().map(|d| d.trigger).collect();
        assert_eq!(got, expected, "row {row}");
        assert_eq!(got.len(), ds.len());
        let invited: Vec<&&Decision> = ds.iter().filter(|d| d.reason.is_invited()).collect();
        assert!(invited.len() <= 1, "two invitations on row {row}");
        let excluded = e.dnc || e.complaint || (rules.exclude.segments.contains(SEGS[e.seg as usize]));
        if excluded {
            assert!(invited.is_empty());
        }
        let Some(inv) = invited.first() else { continue };
        let t = &rules.triggers[inv.trigger as usize];
        assert!(t.sample > 0.0);
        let past = history.entry(e.customer).or_default();
        if let Some(q) = t.quarantine.or(rules.quarantine) {
            for (pt, ps) in past.iter() {
                if q.scope == QuarantineScope::Global || *ps == t.survey {
                    assert!(e.time - pt >= q.duration.seconds(), "quarantine broken at row {row}");
                }
            }
        }
        past.push((e.time, t.survey.clone()));
        for cap in &rules.caps {
            let inside = past.iter().filter(|(pt, _)| *pt > e.time - cap.per.seconds()).count();
            assert!(inside <= cap.max as usize, "cap broken at row {row}");
        }
        // Higher-priority triggers that matched must have had a reason not to invite.
        if let Reason::Invited { send_at } = inv.reason {
            assert_eq!(send_at, e.time + t.delay.seconds());
        }
        for d in &ds {
            if let Reason::LowerPriority { winner } = d.reason {
                assert_eq!(winner, inv.trigger);
                let w = &rules.triggers[winner as usize];
                let me = &rules.triggers[d.trigger as usize];
                assert!(w.priority > me.priority || (w.priority == me.priority && winner < d.trigger));
            }
        }
    }
}

fn feed_all(rules: &Rules, log: &Log) -> Vec<Decision> {
    let mut o = Orchestrator::new(rules.clone()).unwrap();
    o.feed(&log.batch(0..log.len())).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn quarantine_caps_and_exclusions_are_never_violated(rules in rules(), evs in events()) {
        let log = Log::new(&evs);
        let decisions = feed_all(&rules, &log);
        check_guards(&rules, &evs, &decisions);
    }

    #[test]
    fn batches_agree_with_one_by_one(rules in rules(), evs in events(), cuts in prop::collection::vec(0usize..150, 0..6)) {
        let log = Log::new(&evs);
        let whole = feed_all(&rules, &log);
        // One by one.
        let mut o = Orchestrator::new(rules.clone()).unwrap();
        let mut single = Vec::new();
        for row in 0..log.len() {
            for d in o.feed(&log.batch(row..row + 1)).unwrap() {
                single.push(Decision { row: d.row + row, ..d });
            }
        }
        prop_assert_eq!(&single, &whole);
        // Random batches.
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(log.len())).collect();
        cuts.extend([0, log.len()]);
        cuts.sort_unstable();
        let mut o = Orchestrator::new(rules.clone()).unwrap();
        let mut batched = Vec::new();
        for w in cuts.windows(2) {
            for d in o.feed(&log.batch(w[0]..w[1])).unwrap() {
                batched.push(Decision { row: d.row + w[0], ..d });
            }
        }
        prop_assert_eq!(&batched, &whole);
    }

    #[test]
    fn serde_restart_equals_uninterrupted(rules in rules(), evs in events(), cut in 0usize..150) {
        let log = Log::new(&evs);
        let cut = cut.min(log.len());
        let whole = feed_all(&rules, &log);
        let mut o = Orchestrator::new(rules.clone()).unwrap();
        let mut got = o.feed(&log.batch(0..cut)).unwrap();
        let json = o.to_json();
        let mut restored = Orchestrator::from_json(&json).unwrap();
        prop_assert_eq!(&restored, &o);
        prop_assert_eq!(restored.to_json(), json);
        for d in restored.feed(&log.batch(cut..log.len())).unwrap() {
            got.push(Decision { row: d.row + cut, ..d });
        }
        prop_assert_eq!(got, whole);
    }

    #[test]
    fn sampling_is_deterministic_and_converges(seed in any::<u64>(), rate in 0.05f64..0.95, by_event in prop::bool::ANY) {
        let mut rules = Rules::from_json(r#"{"exclude": {"open_complaint": false, "do_not_contact": false},
            "triggers": [{"id": "t", "survey": "s"}]}"#).unwrap();
        rules.seed = seed;
        rules.triggers[0].sample = rate;
        if by_event {
            rules.triggers[0].sample_by = SampleUnit::Event;
        }
        let n = 20_000usize;
        // By customer: distinct customers; by event: one customer, distinct events.
        let customers: Vec<u64> = (0..n as u64).map(|i| if by_event { 42 } else { customer_key(&format!("c{i}")) }).collect();
        let times = vec![0i64; n];
        let tps = vec!["call".to_owned()];
        let codes = vec![0u32; n];
        let ids: Vec<u64> = (0..n as u64).map(|i| i * 7919).collect();
        let mut batch = Batch::new(&customers, &times, Codes { codes: &codes, labels: &tps });
        batch.event_ids = Some(&ids);
        let first = Orchestrator::new(rules.clone()).unwrap().feed(&batch).unwrap();
        let again = Orchestrator::new(rules.clone()).unwrap().feed(&batch).unwrap();
        prop_assert_eq!(&first, &again);
        let invited = first.iter().filter(|d| d.reason.is_invited()).count() as f64;
        let sd = (rate * (1.0 - rate) / n as f64).sqrt();
        // 6 standard deviations: a false alarm about once in 10^9 runs.
        prop_assert!((invited / n as f64 - rate).abs() < 6.0 * sd, "rate {rate}: realized {}", invited / n as f64);
    }
}

fn call(customer: &str, time: i64) -> Event {
    Event {
        customer: customer.into(),
        time,
        touchpoint: "call".into(),
        channel: Some("call_centre".into()),
        outcome: None,
        segment: None,
        open_complaint: false,
        do_not_contact: false,
        event_id: None,
    }
}

#[test]
fn priority_picks_one_trigger_and_falls_through_sampling() {
    let rules = Rules::from_json(
        r#"{"triggers": [
        {"id": "low", "survey": "a", "priority": 1},
        {"id": "high", "survey": "b", "priority": 9, "touchpoints": ["call"]},
        {"id": "never", "survey": "c", "priority": 20, "sample": 0}
    ]}"#,
    )
    .unwrap();
    let mut o = Orchestrator::new(rules).unwrap();
    let d = o.decide(&call("ann", 0)).unwrap();
    let got: Vec<(u32, &str)> = d.iter().map(|d| (d.trigger, d.reason.code())).collect();
    // Priority order: never (sampled out), high (invites), low (lower priority).
    assert_eq!(got, [(2, "sampled_out"), (1, "invited"), (0, "lower_priority")]);
    assert_eq!(d[2].reason, Reason::LowerPriority { winner: 1 });
}

#[test]
fn per_survey_quarantine_and_caps_give_their_reasons() {
    let rules = Rules::from_json(
        r#"{"quarantine": {"for": "10d", "scope": "survey"}, "caps": [{"max": 2, "per": "30d"}],
        "triggers": [
        {"id": "calls", "survey": "a", "touchpoints": ["call"]},
        {"id": "web", "survey": "b", "touchpoints": ["web"]}
    ]}"#,
    )
    .unwrap();
    let mut o = Orchestrator::new(rules).unwrap();
    let day = 86_400;
    let web = |t| Event { touchpoint: "web".into(), ..call("ann", t) };
    assert!(o.decide(&call("ann", 0)).unwrap()[0].reason.is_invited());
    assert_eq!(o.decide(&call("ann", day)).unwrap()[0].reason, Reason::Quarantined { until: 10 * day });
    // Another survey is not quarantined ...
    assert!(o.decide(&web(2 * day)).unwrap()[0].reason.is_invited());
    // ... but the cap of 2 per 30 days is full until the first invitation leaves the window.
    assert_eq!(o.decide(&call("ann", 11 * day)).unwrap()[0].reason, Reason::Capped { cap: 0, until: 30 * day });
    assert!(o.decide(&call("ann", 30 * day)).unwrap()[0].reason.is_invited());
    let summary = o.customer(customer_key("ann")).unwrap();
    assert_eq!((summary.invitations, summary.last_invited), (3, Some(30 * day)));
}

#[test]
fn exclusions_come_first_in_a_fixed_order() {
    let rules = Rules::from_json(
        r#"{"exclude": {"segments": ["staff"]}, "triggers": [{"id": "t", "survey": "s"}]}"#,
    )
    .unwrap();
    let mut o = Orchestrator::new(rules).unwrap();
    let both = Event { do_not_contact: true, open_complaint: true, ..call("ann", 0) };
    assert_eq!(o.decide(&both).unwrap()[0].reason, Reason::DoNotContact);
    let complaint = Event { open_complaint: true, ..call("ann", 0) };
    assert_eq!(o.decide(&complaint).unwrap()[0].reason, Reason::OpenComplaint);
    let staff = Event { segment: Some("staff".into()), ..call("ann", 0) };
    assert_eq!(o.decide(&staff).unwrap()[0].reason, Reason::ExcludedSegment);
    // Nothing was remembered for excluded interactions.
    assert_eq!(o.customers(), 0);
    // Switching an exclusion off.
    let rules = Rules::from_json(r#"{"exclude": {"open_complaint": false}, "triggers": [{"id": "t", "survey": "s"}]}"#).unwrap();
    let mut o = Orchestrator::new(rules).unwrap();
    assert!(o.decide(&complaint).unwrap()[0].reason.is_invited());
}

#[test]
fn bad_batches_are_rejected_whole() {
    let rules = Rules::from_json(r#"{"triggers": [{"id": "t", "survey": "s", "sample_by": "event"}]}"#).unwrap();
    let mut o = Orchestrator::new(rules).unwrap();
    let tps = vec!["call".to_owned()];
    let ids = [1, 2, 3];
    let mut b = Batch::new(&[1, 2, 3], &[0, 10, 5], Codes { codes: &[0, 0, 0], labels: &tps });
    b.event_ids = Some(&ids);
    let before = o.to_json();
    let err = o.feed(&b).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        "invalid `times`: time `5` at row 2 is earlier than `10` before it; feed interactions in time order"
    );
    assert_eq!(o.to_json(), before, "nothing changed");
    // Earlier than what was fed before.
    o.feed(&Batch { times: &[0, 10, 10], ..b }).unwrap();
    let err = o.feed(&Batch { times: &[9, 10, 10], ..b }).unwrap_err();
    assert!(err.to_string().contains("time `9` at row 0 is earlier than `10`"));
    // Codes without labels, lengths, missing event ids.
    let err = o.feed(&Batch { touchpoints: Codes { codes: &[0, 1, 0], labels: &tps }, times: &[20, 20, 20], ..b }).unwrap_err();
    assert_eq!(err.to_string(), "code in `touchpoints` at row 1 `1` is outside 0..1 (the labels given)");
    let err = o.feed(&Batch { times: &[20, 20], ..b }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LengthMismatch);
    let err = o.feed(&Batch { event_ids: None, times: &[20, 20, 20], ..b }).unwrap_err();
    assert!(err.to_string().contains("samples by event"));
}

#[test]
fn rows_and_columns_give_the_same_decisions() {
    let rules = Rules::from_json(
        r#"{"quarantine": {"for": "3d"}, "triggers": [
        {"id": "fail", "survey": "ces", "outcomes": ["failed"], "priority": 3, "sample": 0.5},
        {"id": "calls", "survey": "nps", "channels": ["call_centre"], "sample": 0.7}
    ]}"#,
    )
    .unwrap();
    let evs: Vec<Event> = (0..400)
        .map(|i| Event {
            outcome: (i % 3 == 0).then(|| "failed".to_owned()),
            channel: (i % 5 != 0).then(|| "call_centre".to_owned()),
            ..call(&format!("c{}", i % 37), i * 3600)
        })
        .collect();
    let rows = Orchestrator::new(rules.clone()).unwrap().feed_events(&evs).unwrap();
    let keys: Vec<u64> = evs.iter().map(|e| customer_key(&e.customer)).collect();
    let times: Vec<i64> = evs.iter().map(|e| e.time).collect();
    let tps = vec!["call".to_owned()];
    let chs = vec!["email".to_owned(), "call_centre".to_owned()];
    let outs = vec!["failed".to_owned()];
    let tp_codes = vec![0; evs.len()];
    let ch_codes: Vec<u32> = evs.iter().map(|e| if e.channel.is_some() { 1 } else { Codes::MISSING }).collect();
    let out_codes: Vec<u32> = evs.iter().map(|e| if e.outcome.is_some() { 0 } else { Codes::MISSING }).collect();
    let mut b = Batch::new(&keys, &times, Codes { codes: &tp_codes, labels: &tps });
    b.channels = Some(Codes { codes: &ch_codes, labels: &chs });
    b.outcomes = Some(Codes { codes: &out_codes, labels: &outs });
    let cols = Orchestrator::new(rules).unwrap().feed(&b).unwrap();
    assert_eq!(rows, cols);
    let reasons: BTreeSet<&str> = cols.iter().map(|d| d.reason.code()).collect();
    assert_eq!(reasons, BTreeSet::from(["invited", "quarantined", "sampled_out", "lower_priority"]));
}

#[test]
fn simulation_counts_add_up() {
    let rules = Rules::from_json(
        r#"{"quarantine": {"for": "3d"}, "caps": [{"max": 2, "per": "20d"}], "triggers": [
        {"id": "a", "survey": "s", "touchpoints": ["call"], "via": "email", "sample": 0.6},
        {"id": "b", "survey": "t", "via": "sms", "priority": -1}
    ]}"#,
    )
    .unwrap();
    let evs: Vec<Ev> = (0..3000u64)
        .map(|i| Ev { customer: i % 200, time: i as i64 * 1800, tp: (i % 3) as u32, out: 3, seg: 0, complaint: i % 50 == 0, dnc: false, id: i })
        .collect();
    let log = Log::new(&evs);
    let a = ResponseAssumptions {
        default: 0.1,
        by_trigger: BTreeMap::from([("a".to_owned(), 0.3)]),
        by_channel: BTreeMap::from([("sms".to_owned(), 0.05)]),
    };
    let sim = simulate(&rules, &log.batch(0..log.len()), &a).unwrap();
    let decisions = feed_all(&rules, &log);
    assert_eq!(sim.interactions, 3000);
    assert_eq!(sim.customers, 200);
    for (i, t) in sim.triggers.iter().enumerate() {
        assert_eq!(t.matched, decisions.iter().filter(|d| d.trigger == i as u32).count() as u64);
        assert_eq!(t.by_reason.iter().sum::<u64>(), t.matched);
    }
    assert_eq!(sim.triggers[1].response_rate, 0.05);
    assert_eq!(sim.triggers[0].response_rate, 0.3);
    let invites = decisions.iter().filter(|d| d.reason.is_invited()).count() as u64;
    assert_eq!(sim.invitations, invites);
    assert_eq!(sim.contacts.iter().map(|c| c.1).sum::<u64>(), 200);
    assert_eq!(sim.contacts.iter().map(|c| c.0 * c.1).sum::<u64>(), invites);
    let expected = sim.triggers[0].invited() as f64 * 0.3 + sim.triggers[1].invited() as f64 * 0.05;
    assert!((sim.expected_responses - expected).abs() < 1e-9);
    assert!(simulate(&rules, &log.batch(0..10), &ResponseAssumptions { default: 1.5, ..a }).is_err());
}

#[test]
fn restored_state_rejects_inconsistency() {
    let rules = r#"{"triggers": [{"id": "t", "survey": "s"}]}"#;
    let mut o = Orchestrator::from_rules_json(rules).unwrap();
    o.decide(&call("ann", 100)).unwrap();
    let json = o.to_json();
    let later = json.replace(r#""last":100"#, r#""last":500"#);
    assert_ne!(later, json);
    let err = Orchestrator::from_json(&later).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    assert!(err.to_string().contains("later than the clock"));
    let bad_rules = json.replace(r#""survey":"s""#, r#""survey":"""#);
    assert_eq!(Orchestrator::from_json(&bad_rules).unwrap_err().kind(), ErrorKind::Json);
}
