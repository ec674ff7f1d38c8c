//! The sample retailer by its public contract: determinism, structure, sizes, and every
//! planted effect measured with the metrics accumulators.

// Test helpers outside `#[test]` functions are not covered by clippy.toml's allow-in-tests.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, TimeZone, Utc};

use cem_core::metrics::{Ces, Csat, Estimate, Nps, Proportion};
use cem_core::model::{Answer, CaseStatus, Channel, Feedback, Interaction};
use cem_core::sample::{self, Retailer, tp};

/// The sample the effect tests measure: seed 42, 2,000 customers.
fn shop() -> &'static Retailer {
    static SHOP: OnceLock<Retailer> = OnceLock::new();
    SHOP.get_or_init(|| sample::retailer(42, 2_000).unwrap())
}

/// A second sample, so that the effects are seen not to be an accident of seed 42.
fn other_shop() -> &'static Retailer {
    static SHOP: OnceLock<Retailer> = OnceLock::new();
    SHOP.get_or_init(|| sample::retailer(2026, 3_000).unwrap())
}

fn score(fb: &Feedback, key: &str) -> Option<u8> {
    match fb.answers.get(key) {
        Some(Answer::Number(x)) => Some(*x as u8),
        _ => None,
    }
}

fn text<'a>(fb: &'a Feedback, key: &str) -> Option<&'a str> {
    match fb.answers.get(key) {
        Some(Answer::Text(s)) => Some(s),
        _ => None,
    }
}

/// The last interaction of the feedback's customer at the feedback's touchpoint, at or before
/// the feedback, and the one before that interaction.
fn contact_of<'a>(
    shop: &'a Retailer,
    fb: &Feedback,
) -> Option<(&'a Interaction, Option<&'a Interaction>)> {
    let tp = fb.touchpoint.as_deref()?;
    let mine = shop.interactions_of(&fb.customer);
    let upto = mine.partition_point(|i| i.time <= fb.time);
    let idx = mine[..upto].iter().rposition(|i| i.touchpoint == tp)?;
    Some((&mine[idx], idx.checked_sub(1).map(|j| &mine[j])))
}

fn nps_of<'a>(fbs: impl IntoIterator<Item = &'a Feedback>) -> Estimate {
    let mut nps = Nps::new();
    for fb in fbs {
        nps.push(score(fb, "nps").unwrap()).unwrap();
    }
    nps.estimate(0.95).unwrap()
}

fn month(t: DateTime<Utc>) -> (i32, u32) {
    (t.year(), t.month())
}

// ---------------------------------------------------------------------------------------
// Determinism

#[test]
fn same_seed_gives_byte_identical_json_and_another_seed_does_not() {
    let a = serde_json::to_string(&sample::retailer(7, 300).unwrap()).unwrap();
    let b = serde_json::to_string(&sample::retailer(7, 300).unwrap()).unwrap();
    let c = serde_json::to_string(&sample::retailer(8, 300).unwrap()).unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let back: Retailer = serde_json::from_str(&a).unwrap();
    assert_eq!(serde_json::to_string(&back).unwrap(), a);
}

#[test]
fn output_is_pinned_across_platforms_and_versions() {
    // A fingerprint of retailer(42, 50): if this changes, the published sample changed and
    // every demo number with it. Change it only on purpose, with a note in the changelog.
    let shop = sample::retailer(42, 50).unwrap();
    let json = serde_json::to_string(&shop).unwrap();
    let fnv = json.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    assert_eq!(
        (json.len(), fnv),
        (PINNED_LEN, PINNED_FNV),
        "got ({}, {fnv:#x})",
        json.len()
    );
}

const PINNED_LEN: usize = 464_331;
const PINNED_FNV: u64 = 0x62d2_0345_566e_3b8a;

// ---------------------------------------------------------------------------------------
// Structure

#[test]
fn every_row_references_known_customers_and_touchpoints() {
    let shop = shop();
    let customers: BTreeSet<_> = shop.customers.iter().map(|c| &c.id).collect();
    assert_eq!(
        customers.len(),
        shop.customers.len(),
        "customer ids are unique"
    );
    assert!(
        shop.customers.windows(2).all(|w| w[0].id < w[1].id),
        "customers sorted by id"
    );
    for i in &shop.interactions {
        assert!(customers.contains(&i.customer), "{i:?}");
        assert!(shop.touchpoint(&i.touchpoint).is_some(), "{i:?}");
    }
    for f in &shop.feedback {
        assert!(customers.contains(&f.customer), "{f:?}");
        assert!(
            shop.touchpoint(f.touchpoint.as_deref().unwrap()).is_some(),
            "{f:?}"
        );
        assert!(
            contact_of(shop, f).is_some(),
            "feedback follows a contact: {f:?}"
        );
    }
    for t in &shop.transactions {
        assert!(customers.contains(&t.customer));
        assert_eq!(t.currency, "EUR");
        assert!(t.amount != 0.0 && t.amount.is_finite());
        assert_eq!((t.amount * 100.0).round() / 100.0, t.amount, "whole cents");
    }
    for c in &shop.cases {
        assert!(customers.contains(&c.customer));
    }
}

#[test]
fn rows_are_sorted_by_customer_then_time_and_inside_the_period() {
    let shop = shop();
    let (start, end) = (sample::start(), sample::end());
    let inside = |t: DateTime<Utc>| start <= t && t < end;
    assert!(
        shop.interactions
            .windows(2)
            .all(|w| (&w[0].customer, w[0].time) <= (&w[1].customer, w[1].time))
    );
    assert!(
        shop.feedback
            .windows(2)
            .all(|w| (&w[0].customer, w[0].time) <= (&w[1].customer, w[1].time))
    );
    assert!(
        shop.transactions
            .windows(2)
            .all(|w| (&w[0].customer, w[0].time) <= (&w[1].customer, w[1].time))
    );
    assert!(
        shop.cases
            .windows(2)
            .all(|w| (&w[0].customer, w[0].opened) <= (&w[1].customer, w[1].opened))
    );
    assert!(shop.interactions.iter().all(|i| inside(i.time)));
    assert!(shop.feedback.iter().all(|f| inside(f.time)));
    assert!(shop.transactions.iter().all(|t| inside(t.time)));
    assert!(shop.customers.iter().all(|c| inside(c.signup)));
    for c in &shop.cases {
        assert!(inside(c.opened));
        match (c.status, c.closed) {
            (CaseStatus::Closed, Some(closed)) => {
                assert!(c.opened < closed && inside(closed), "{c:?}")
            }
            (CaseStatus::Open | CaseStatus::InProgress, None) => {}
            _ => panic!("status and close time disagree: {c:?}"),
        }
    }
    // Nobody acts before signing up.
    for c in &shop.customers {
        let first = shop.interactions_of(&c.id).first().unwrap();
        assert!(first.time >= c.signup, "{c:?} {first:?}");
    }
}

#[test]
fn survey_answers_have_the_documented_keys_and_ranges() {
    let shop = shop();
    let allowed: BTreeSet<&str> = ["nps", "csat", "ces", "reason", "comment"].into();
    for f in &shop.feedback {
        assert_eq!(f.survey, sample::SURVEY);
        assert!(
            f.answers.keys().all(|k| allowed.contains(k.as_str())),
            "{f:?}"
        );
        for (key, max, min) in [("nps", 10.0, 0.0), ("csat", 5.0, 1.0), ("ces", 7.0, 1.0)] {
            match f.answers.get(key) {
                Some(Answer::Number(x)) => {
                    assert!(x.fract() == 0.0 && (min..=max).contains(x), "{f:?}")
                }
                other => panic!("{key} missing or not a number: {other:?}"),
            }
        }
        if let Some(reason) = f.answers.get("reason") {
            assert!(
                matches!(reason, Answer::Text(r) if ["wait", "price", "staff"].contains(&r.as_str())),
                "{f:?}"
            );
            assert!(
                score(f, "nps").unwrap() < 7,
                "reason only for detractors: {f:?}"
            );
        }
        assert_eq!(text(f, "comment"), f.text.as_deref());
    }
}

#[test]
fn comments_follow_the_score_and_name_the_cause() {
    let shop = shop();
    let negative = [
        "wait",
        "hold",
        "fail",
        "rude",
        "never",
        "expensive",
        "not ",
        "poor",
        "crash",
    ];
    let mut promoters = 0;
    let mut wait_complaints = 0;
    for f in &shop.feedback {
        let (Some(c), Some(nps)) = (f.text.as_deref(), score(f, "nps")) else {
            continue;
        };
        assert!(c.len() > 10 && c.ends_with(['.', '!']), "{c}");
        if nps >= 9 {
            promoters += 1;
            let lower = c.to_lowercase();
            assert!(
                !negative.iter().any(|w| lower.contains(w)),
                "promoter complains: {c}"
            );
        }
        if text(f, "reason") == Some("wait") && c.contains("minutes") {
            wait_complaints += 1;
        }
    }
    assert!(
        promoters > 200 && wait_complaints > 20,
        "{promoters} {wait_complaints}"
    );
}

#[test]
fn sizes_for_seed_42_and_2000_customers_are_as_documented() {
    let shop = shop();
    let n = shop.customers.len();
    assert_eq!(n, 2_000);
    assert_eq!(shop.touchpoints.len(), 17);
    let per = |x: usize| x as f64 / n as f64;
    let (i, f, t, c) = (
        shop.interactions.len(),
        shop.feedback.len(),
        shop.transactions.len(),
        shop.cases.len(),
    );
    println!("interactions {i}, feedback {f}, transactions {t}, cases {c}");
    assert!((60.0..90.0).contains(&per(i)), "{i}");
    assert!((2.5..4.5).contains(&per(f)), "{f}");
    assert!((6.0..12.0).contains(&per(t)), "{t}");
    assert!((0.4..1.0).contains(&per(c)), "{c}");
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for cu in &shop.customers {
        *counts.entry(cu.segment.as_str()).or_default() += 1;
        assert!(!shop.interactions_of(&cu.id).is_empty());
    }
    assert_eq!(counts.len(), 4, "{counts:?}");
    assert!(counts.values().all(|&k| k > 150), "{counts:?}");
    let channels: BTreeSet<_> = shop
        .interactions
        .iter()
        .map(|i| shop.channel_of(&i.touchpoint).unwrap())
        .collect();
    assert_eq!(channels.len(), 8, "every channel is used");
    let refunds = shop.transactions.iter().filter(|t| t.amount < 0.0).count();
    assert!(refunds > 100 && refunds < t / 5, "{refunds}");
}

// ---------------------------------------------------------------------------------------
// Planted effects

#[test]
fn effect_1_long_call_waits_make_detractors() {
    measure_effect_1_long_call_waits_make_detractors(shop());
    measure_effect_1_long_call_waits_make_detractors(other_shop());
}

fn measure_effect_1_long_call_waits_make_detractors(shop: &Retailer) {
    let (mut long, mut short) = (Vec::new(), Vec::new());
    for f in &shop.feedback {
        if shop.channel_of(f.touchpoint.as_deref().unwrap()) != Some(&Channel::CallCentre) {
            continue;
        }
        let (call, _) = contact_of(shop, f).unwrap();
        let wait = call.value.unwrap();
        if wait > sample::LONG_WAIT_SECS {
            long.push(f)
        } else {
            short.push(f)
        }
    }
    let (l, s) = (nps_of(long), nps_of(short));
    println!(
        "NPS after long waits {:.1} [{:.1}, {:.1}] n={}, short {:.1} [{:.1}, {:.1}] n={}",
        l.value, l.low, l.high, l.n, s.value, s.low, s.high, s.n
    );
    assert!(l.n >= 100 && s.n >= 300);
    assert!(l.high < s.low, "intervals overlap");
    assert!(s.value - l.value > 40.0);
}

#[test]
fn effect_2_app_payment_outage_drops_completion_and_csat() {
    measure_effect_2_app_payment_outage_drops_completion_and_csat(shop());
    measure_effect_2_app_payment_outage_drops_completion_and_csat(other_shop());
}

fn measure_effect_2_app_payment_outage_drops_completion_and_csat(shop: &Retailer) {
    let (from, to) = sample::app_outage();
    let in_outage = |t: DateTime<Utc>| from <= t && t < to;
    // Completion: app checkouts that went on, against app payments completed.
    let mut started = [0u64; 2];
    let mut paid = [0u64; 2];
    for i in &shop.interactions {
        let k = usize::from(in_outage(i.time));
        if i.touchpoint == tp::APP_PAYMENT {
            started[k] += 1;
            paid[k] += u64::from(i.outcome.as_deref() == Some("completed"));
        }
    }
    let rate = |k: usize| {
        let mut p = Proportion::new();
        p.push_counts(paid[k], started[k]).unwrap();
        p.estimate(0.95).unwrap()
    };
    let (normal, outage) = (rate(0), rate(1));
    println!(
        "app payment completion: normal {:.3} [{:.3}, {:.3}], outage {:.3} [{:.3}, {:.3}]",
        normal.value, normal.low, normal.high, outage.value, outage.low, outage.high
    );
    assert!(outage.high < normal.low);
    assert!(normal.value - outage.value > 0.2);
    // CSAT of app contacts, month by month: the outage months are the three worst.
    let mut by_month: BTreeMap<(i32, u32), Csat> = BTreeMap::new();
    let (mut csat_in, mut csat_out) = (Csat::new(), Csat::new());
    for f in &shop.feedback {
        if shop.channel_of(f.touchpoint.as_deref().unwrap()) != Some(&Channel::MobileApp) {
            continue;
        }
        let s = score(f, "csat").unwrap();
        by_month.entry(month(f.time)).or_default().push(s).unwrap();
        if in_outage(f.time) {
            csat_in.push(s).unwrap()
        } else {
            csat_out.push(s).unwrap()
        }
    }
    let (ci, co) = (
        csat_in.estimate(0.95).unwrap(),
        csat_out.estimate(0.95).unwrap(),
    );
    println!(
        "app CSAT: outage {:.3} [{:.3}, {:.3}] n={}, rest {:.3} [{:.3}, {:.3}] n={}",
        ci.value, ci.low, ci.high, ci.n, co.value, co.low, co.high, co.n
    );
    assert!(ci.high < co.low);
    let mut months: Vec<((i32, u32), f64)> = by_month
        .iter()
        .map(|(m, c)| (*m, c.estimate(0.95).unwrap().value))
        .collect();
    months.sort_by(|a, b| a.1.total_cmp(&b.1));
    let worst: BTreeSet<(i32, u32)> = months.iter().take(3).map(|m| m.0).collect();
    assert_eq!(
        worst,
        [(2026, 3), (2026, 4), (2026, 5)].into(),
        "{months:?}"
    );
}

#[test]
fn effect_3_the_churning_segment_stops_buying_in_year_two() {
    measure_effect_3_the_churning_segment_stops_buying_in_year_two(shop());
    measure_effect_3_the_churning_segment_stops_buying_in_year_two(other_shop());
}

fn measure_effect_3_the_churning_segment_stops_buying_in_year_two(shop: &Retailer) {
    let year_two = sample::year_two();
    let mut bought: BTreeMap<&str, (bool, bool)> = BTreeMap::new();
    for t in shop.transactions.iter().filter(|t| t.amount > 0.0) {
        let e = bought.entry(t.customer.as_str()).or_default();
        if t.time < year_two {
            e.0 = true
        } else {
            e.1 = true
        }
    }
    let (mut churning, mut others) = (Proportion::new(), Proportion::new());
    for (id, (y1, y2)) in &bought {
        if !y1 {
            continue;
        }
        let seg = shop.segment_of(&(*id).into()).unwrap();
        if seg == sample::CHURNING_SEGMENT {
            churning.push(*y2).unwrap()
        } else {
            others.push(*y2).unwrap()
        }
    }
    let (c, o) = (
        churning.estimate(0.95).unwrap(),
        others.estimate(0.95).unwrap(),
    );
    println!(
        "bought again in year two: {} {:.3} [{:.3}, {:.3}] n={}, others {:.3} [{:.3}, {:.3}] n={}",
        sample::CHURNING_SEGMENT,
        c.value,
        c.low,
        c.high,
        c.n,
        o.value,
        o.low,
        o.high,
        o.n
    );
    assert!(c.n > 200);
    assert!(c.high < o.low);
    assert!(o.value - c.value > 0.25);
}

#[test]
fn effect_4_store_is_easiest_and_chat_after_failed_checkout_hardest() {
    measure_effect_4_store_is_easiest_and_chat_after_failed_checkout_hardest(shop());
    measure_effect_4_store_is_easiest_and_chat_after_failed_checkout_hardest(other_shop());
}

fn measure_effect_4_store_is_easiest_and_chat_after_failed_checkout_hardest(shop: &Retailer) {
    let mut by_channel: BTreeMap<&Channel, Ces> = BTreeMap::new();
    let mut chat_after_failure = Ces::new();
    for f in &shop.feedback {
        let channel = shop.channel_of(f.touchpoint.as_deref().unwrap()).unwrap();
        let ces = score(f, "ces").unwrap();
        let (contact, before) = contact_of(shop, f).unwrap();
        let after_failure = *channel == Channel::Chat
            && before.is_some_and(|b| {
                (b.touchpoint == tp::WEB_PAYMENT || b.touchpoint == tp::APP_PAYMENT)
                    && b.outcome.as_deref() == Some("failed")
                    && contact.time - b.time < chrono::Duration::hours(1)
            });
        if after_failure {
            chat_after_failure.push(ces).unwrap();
        } else {
            by_channel.entry(channel).or_default().push(ces).unwrap();
        }
    }
    let store = by_channel[&Channel::Store].estimate(0.95).unwrap();
    let worst = chat_after_failure.estimate(0.95).unwrap();
    println!(
        "CES store {:.2} [{:.2}, {:.2}] n={}, chat after failed checkout {:.2} [{:.2}, {:.2}] n={}",
        store.value, store.low, store.high, store.n, worst.value, worst.low, worst.high, worst.n
    );
    assert!(worst.n >= 50);
    for (channel, ces) in &by_channel {
        let e = ces.estimate(0.95).unwrap();
        println!(
            "  CES {channel}: {:.2} [{:.2}, {:.2}] n={}",
            e.value, e.low, e.high, e.n
        );
        if **channel != Channel::Store {
            assert!(e.value < store.value, "{channel} beats the store");
        }
        assert!(
            worst.high < e.low,
            "{channel} is as hard as chat after a failed checkout"
        );
    }
}

#[test]
fn effect_5_web_nps_climbs_after_the_relaunch() {
    measure_effect_5_web_nps_climbs_after_the_relaunch(shop());
    measure_effect_5_web_nps_climbs_after_the_relaunch(other_shop());
}

fn measure_effect_5_web_nps_climbs_after_the_relaunch(shop: &Retailer) {
    let relaunch = sample::web_relaunch();
    let web: Vec<&Feedback> = shop
        .feedback
        .iter()
        .filter(|f| shop.channel_of(f.touchpoint.as_deref().unwrap()) == Some(&Channel::Web))
        .collect();
    let before = nps_of(web.iter().copied().filter(|f| {
        f.time < relaunch && f.time >= Utc.with_ymd_and_hms(2025, 4, 1, 0, 0, 0).unwrap()
    }));
    let late = nps_of(
        web.iter()
            .copied()
            .filter(|f| f.time >= Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap()),
    );
    println!(
        "web NPS 2025-04..09 {:.1} [{:.1}, {:.1}] n={}, 2026-Q4 {:.1} [{:.1}, {:.1}] n={}",
        before.value, before.low, before.high, before.n, late.value, late.low, late.high, late.n
    );
    assert!(before.high < late.low);
    // Least-squares slope of monthly NPS, in points per month: clearly up after, flat before.
    let slope = |from: DateTime<Utc>, to: DateTime<Utc>| {
        let mut months: BTreeMap<(i32, u32), Vec<&Feedback>> = BTreeMap::new();
        for f in web.iter().filter(|f| from <= f.time && f.time < to) {
            months.entry(month(f.time)).or_default().push(f);
        }
        let pts: Vec<(f64, f64)> = months
            .values()
            .enumerate()
            .map(|(k, fs)| (k as f64, nps_of(fs.iter().copied()).value))
            .collect();
        let n = pts.len() as f64;
        let (mx, my) = (
            pts.iter().map(|p| p.0).sum::<f64>() / n,
            pts.iter().map(|p| p.1).sum::<f64>() / n,
        );
        pts.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>()
            / pts.iter().map(|p| (p.0 - mx).powi(2)).sum::<f64>()
    };
    let after = slope(relaunch, sample::end());
    let flat = slope(sample::start(), relaunch);
    println!("web NPS slope: {flat:.2} points/month before, {after:.2} after");
    assert!(after > 1.5, "{after}");
    assert!(flat < after, "{flat}");
}

// ---------------------------------------------------------------------------------------
// Helpers

#[test]
fn helpers_find_what_they_should() {
    let shop = shop();
    let c = &shop.customers[1234];
    assert_eq!(shop.customer(&c.id), Some(c));
    assert_eq!(shop.segment_of(&c.id), Some(c.segment.as_str()));
    let mine = shop.interactions_of(&c.id);
    assert_eq!(
        mine.len(),
        shop.interactions
            .iter()
            .filter(|i| i.customer == c.id)
            .count()
    );
    assert!(shop.touchpoint(tp::APP_PAYMENT).is_some());
    assert_eq!(shop.channel_of(tp::SALES_VISIT), Some(&Channel::SalesVisit));
}

/// Run with `cargo test --release -p cem-core --test sample -- --ignored --nocapture`.
#[test]
#[ignore = "timing, meaningful only in a release build"]
fn generation_time_for_10_000_customers() {
    let t0 = std::time::Instant::now();
    let shop = sample::retailer(42, 10_000).unwrap();
    let elapsed = t0.elapsed();
    println!(
        "10,000 customers: {} interactions in {elapsed:?}",
        shop.interactions.len()
    );
    assert!(elapsed < std::time::Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn embedded_survey_is_the_shared_fixture_and_every_response_validates() {
    let fixture = include_str!("../../tests/data/surveys/post_contact.json");
    assert_eq!(cem_core::sample::SURVEY_JSON, fixture);
    let survey = cem_core::sample::survey().unwrap();
    let company = cem_core::sample::retailer(42, 500).unwrap();
    assert!(!company.feedback.is_empty());
    for fb in &company.feedback {
        let problems = survey.validate(&fb.answers);
        assert!(problems.is_empty(), "{} {:?}", fb.customer, problems);
    }
}
