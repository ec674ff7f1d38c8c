//! Public-contract tests of `cem_core::loyalty` against lifelines and lifetimes on real data
//! (expected values from `tests/reference/loyalty_reference.py`, never from cem), plus
//! proptest invariants.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cem_core::loyalty::{
    CustomerSummary, KaplanMeier, Period, Rfm, churn, churn_by_segment, churn_over_time,
    logrank_test, multivariate_logrank_test, repeat_purchase_rate, retention_cohorts, survival_svg,
};
use proptest::prelude::*;

fn data(name: &str) -> String {
    let path = format!(
        "{}/../tests/data/loyalty/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Rows of a plain CSV (no quoting in these files) by header name.
fn csv(name: &str) -> Vec<BTreeMap<String, String>> {
    let text = data(name);
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_owned)
        .collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split(',').map(str::to_owned))
                .collect()
        })
        .collect()
}

fn num(row: &BTreeMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}: {}", row[key]))
}

fn expected() -> serde_json::Value {
    serde_json::from_str(&data("expected.json")).unwrap()
}

/// |a − b| ≤ 1e-9 · max(|a|, |b|), or both tiny in absolute terms (≤ 1e-15).
fn close(a: f64, b: f64, what: &str) {
    let tol = 1e-9 * a.abs().max(b.abs());
    assert!(
        (a - b).abs() <= tol.max(1e-15),
        "{what}: cem {a} vs reference {b} (diff {:e})",
        (a - b).abs()
    );
}

struct Waltons {
    t: Vec<f64>,
    e: Vec<bool>,
    group: Vec<String>,
}

fn waltons() -> Waltons {
    let rows = csv("waltons.csv");
    Waltons {
        t: rows.iter().map(|r| num(r, "T")).collect(),
        e: rows.iter().map(|r| num(r, "E") == 1.0).collect(),
        group: rows.iter().map(|r| r["group"].clone()).collect(),
    }
}

fn check_km(km: &KaplanMeier, name: &str) {
    let rows = csv(&format!("km_{name}.csv"));
    let table = km.table();
    assert_eq!(table.len(), rows.len(), "{name}: rows");
    for (got, want) in table.iter().zip(&rows) {
        let at = format!("{name} at t={}", got.time);
        close(got.time, num(want, "time"), &at);
        close(got.at_risk, num(want, "at_risk"), &format!("{at} at_risk"));
        close(got.events, num(want, "events"), &format!("{at} events"));
        close(
            got.censored,
            num(want, "censored"),
            &format!("{at} censored"),
        );
        close(
            got.survival,
            num(want, "survival"),
            &format!("{at} survival"),
        );
        close(
            got.variance,
            num(want, "variance"),
            &format!("{at} variance"),
        );
        close(got.lower, num(want, "lower"), &format!("{at} lower"));
        close(got.upper, num(want, "upper"), &format!("{at} upper"));
    }
    let exp = &expected()["km"][name];
    assert_eq!(km.median(), exp["median"].as_f64(), "{name}: median");
    for (t, s) in exp["survival_at"].as_object().unwrap() {
        let t: f64 = t.parse().unwrap();
        close(
            km.survival_at(t).unwrap(),
            s.as_f64().unwrap(),
            &format!("{name} S({t})"),
        );
    }
}

fn subset(w: &Waltons, group: &str) -> (Vec<f64>, Vec<bool>) {
    w.t.iter()
        .zip(&w.e)
        .zip(&w.group)
        .filter(|(_, g)| *g == group)
        .map(|((t, e), _)| (*t, *e))
        .unzip()
}

#[test]
fn kaplan_meier_matches_lifelines_on_waltons() {
    let w = waltons();
    check_km(&KaplanMeier::fit(&w.t, &w.e, None).unwrap(), "waltons_all");
    let (t, e) = subset(&w, "control");
    check_km(&KaplanMeier::fit(&t, &e, None).unwrap(), "waltons_control");
    let (t, e) = subset(&w, "miR-137");
    check_km(&KaplanMeier::fit(&t, &e, None).unwrap(), "waltons_mir137");
    let weights: Vec<f64> = (0..w.t.len()).map(|i| (i % 3 + 1) as f64).collect();
    check_km(
        &KaplanMeier::fit(&w.t, &w.e, Some(&weights)).unwrap(),
        "waltons_weighted",
    );
}

fn check_test(got: &cem_core::loyalty::LogRankTest, want: &serde_json::Value, what: &str) {
    close(
        got.statistic,
        want["statistic"].as_f64().unwrap(),
        &format!("{what} statistic"),
    );
    assert_eq!(u64::from(got.df), want["df"].as_u64().unwrap());
    close(
        got.p_value,
        want["p_value"].as_f64().unwrap(),
        &format!("{what} p"),
    );
}

#[test]
fn logrank_matches_lifelines_on_waltons() {
    let w = waltons();
    let (ta, ea) = subset(&w, "control");
    let (tb, eb) = subset(&w, "miR-137");
    let got = logrank_test(&ta, &ea, &tb, &eb).unwrap();
    check_test(&got, &expected()["logrank_waltons"], "waltons logrank");
    // lifelines sorts the group labels; code them in that order.
    let codes: Vec<u32> = w.group.iter().map(|g| u32::from(g != "control")).collect();
    let got = multivariate_logrank_test(&w.t, &codes, &w.e).unwrap();
    check_test(
        &got,
        &expected()["multivariate_waltons"],
        "waltons multivariate",
    );
}

#[test]
fn multivariate_logrank_matches_lifelines_on_dd_regimes() {
    let rows = csv("dd.csv");
    let exp = &expected()["multivariate_dd_regime"];
    let names: Vec<&str> = exp["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap())
        .collect();
    let t: Vec<f64> = rows.iter().map(|r| num(r, "duration")).collect();
    let e: Vec<bool> = rows.iter().map(|r| num(r, "observed") == 1.0).collect();
    let g: Vec<u32> = rows
        .iter()
        .map(|r| names.iter().position(|n| *n == r["regime"]).unwrap() as u32)
        .collect();
    let got = multivariate_logrank_test(&t, &g, &e).unwrap();
    assert_eq!(got.groups.len(), 6);
    check_test(&got, exp, "dd regime");
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn yyyymmdd(s: &str) -> i64 {
    let v: i64 = s.parse().unwrap();
    days_from_civil(v / 10_000, v / 100 % 100, v % 100) * 86_400
}

#[test]
fn summary_matches_lifetimes_on_cdnow() {
    let rows = csv("cdnow_sample.csv");
    let customers: Vec<u32> = rows
        .iter()
        .map(|r| r["customer"].parse().unwrap())
        .collect();
    let times: Vec<i64> = rows.iter().map(|r| yyyymmdd(&r["date"])).collect();
    let amounts: Vec<f64> = rows.iter().map(|r| num(r, "amount")).collect();
    // The observation end: the last second of 1998-06-30.
    let end = yyyymmdd("19980630") + 86_399;
    for (period, freq) in [(Period::Day, "D"), (Period::Week, "W")] {
        let s = CustomerSummary::from_transactions(&customers, &times, Some(&amounts), end, period)
            .unwrap();
        let want = csv(&format!("summary_cdnow_{freq}.csv"));
        assert_eq!(s.len(), want.len(), "{freq}: customers");
        let money = s.monetary_value.as_ref().unwrap();
        for (i, w) in want.iter().enumerate() {
            let what = format!("{freq} customer {}", w["customer"]);
            assert_eq!(
                s.customers[i],
                w["customer"].parse::<u32>().unwrap(),
                "{what}"
            );
            assert_eq!(s.frequency[i], num(w, "frequency"), "{what} frequency");
            assert_eq!(s.recency[i], num(w, "recency"), "{what} recency");
            assert_eq!(s.t[i], num(w, "T"), "{what} T");
            close(
                money[i],
                num(w, "monetary_value"),
                &format!("{what} monetary"),
            );
        }
    }
}

/// The sample retailer's transactions as columns, customer codes in profile order, and each
/// customer's segment code (1 = the churning segment).
fn retailer_columns() -> (Vec<u32>, Vec<i64>, Vec<f64>, Vec<u32>, i64) {
    let r = cem_core::sample::retailer(7, 600).unwrap();
    let code: BTreeMap<_, u32> = r
        .customers
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i as u32))
        .collect();
    let segment_of: Vec<u32> = r
        .customers
        .iter()
        .map(|c| u32::from(c.segment == cem_core::sample::CHURNING_SEGMENT))
        .collect();
    let customers = r.transactions.iter().map(|t| code[&t.customer]).collect();
    let times = r.transactions.iter().map(|t| t.time.timestamp()).collect();
    let amounts = r.transactions.iter().map(|t| t.amount).collect();
    (customers, times, amounts, segment_of, r.end.timestamp())
}

#[test]
fn the_sample_churning_segment_churns_and_everything_fits_together() {
    let (c, t, a, seg, end) = retailer_columns();
    let day = 86_400;
    let by = churn_by_segment(&c, &t, &seg, 90 * day, end).unwrap();
    let rate = |i: usize| by[i].1.estimate(0.95).unwrap().value;
    assert_eq!(by.len(), 2);
    assert!(
        rate(1) > rate(0) + 0.2,
        "bargain hunters {} vs others {}",
        rate(1),
        rate(0)
    );
    let all = churn(&c, &t, 90 * day, end).unwrap();
    assert_eq!(all.n(), by[0].1.n() + by[1].1.n());

    let s = CustomerSummary::from_transactions(&c, &t, Some(&a), end, Period::Week).unwrap();
    let repeat = repeat_purchase_rate(&s).unwrap();
    assert_eq!(repeat.n() as usize, s.len());
    let rfm = Rfm::from_summary(&s).unwrap();
    assert_eq!(rfm.segments.len(), s.len());

    let over = churn_over_time(&c, &t, 90 * day, end, Period::Month).unwrap();
    assert_eq!(over.last().unwrap().churn, all);

    let cohorts = retention_cohorts(&c, &t, end, Period::Month).unwrap();
    let acquired: u64 = cohorts.cohorts.iter().map(|k| k.size).sum();
    assert_eq!(acquired as usize, s.len());
    let svg = cohorts.to_svg("Monthly retention");
    assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n") && !svg.contains("NaN"));

    // Customer lifetime: first to last purchase; churned if quiet for 90 days at the end.
    let life: Vec<f64> = s.recency.iter().map(|r| r * 7.0).collect();
    let quiet: Vec<bool> = s
        .last_purchase
        .iter()
        .map(|&l| l <= end - 90 * day)
        .collect();
    let (mut a_d, mut a_e, mut b_d, mut b_e) = (vec![], vec![], vec![], vec![]);
    for i in 0..s.len() {
        if seg[s.customers[i] as usize] == 1 {
            a_d.push(life[i]);
            a_e.push(quiet[i]);
        } else {
            b_d.push(life[i]);
            b_e.push(quiet[i]);
        }
    }
    let test = logrank_test(&a_d, &a_e, &b_d, &b_e).unwrap();
    assert!(test.p_value < 1e-6, "p = {}", test.p_value);
    let ka = KaplanMeier::fit(&a_d, &a_e, None).unwrap();
    let kb = KaplanMeier::fit(&b_d, &b_e, None).unwrap();
    let svg = survival_svg(&[("bargain hunters", &ka), ("others", &kb)], "Survival");
    assert!(svg.contains("bargain hunters") && !svg.contains("NaN"));
}

proptest! {
    #[test]
    fn cohort_shares_and_churn_are_proportions(
        tx in prop::collection::vec((0u32..10, 0i64..40_000_000), 0..80),
        window in 1i64..10_000_000,
        period in prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)],
    ) {
        let c: Vec<u32> = tx.iter().map(|t| t.0).collect();
        let t: Vec<i64> = tx.iter().map(|t| t.1).collect();
        let end = 40_000_000;
        let week = if period == Period::Day { Period::Week } else { period };
        let r = retention_cohorts(&c, &t, end, week).unwrap();
        for k in &r.cohorts {
            prop_assert_eq!(k.active.first().copied(), Some(k.size));
            for s in &k.retained {
                prop_assert!((0.0..=1.0).contains(s));
            }
        }
        let p = churn(&c, &t, window, end).unwrap();
        prop_assert!(p.successes() <= p.n());
        let over = churn_over_time(&c, &t, window, end, Period::Month).unwrap();
        for pt in &over {
            prop_assert!(pt.churn.successes() <= pt.churn.n());
        }
        let _ = r.to_svg("x");
    }

    #[test]
    fn km_survival_is_monotone_and_in_unit_interval(
        obs in prop::collection::vec((0u8..30, any::<bool>(), 0u8..4), 1..60)
    ) {
        let d: Vec<f64> = obs.iter().map(|o| f64::from(o.0)).collect();
        let e: Vec<bool> = obs.iter().map(|o| o.1).collect();
        let w: Vec<f64> = obs.iter().map(|o| f64::from(o.2) * 0.5).collect();
        for weights in [None, Some(w.as_slice())] {
            let km = KaplanMeier::fit(&d, &e, weights).unwrap();
            let mut prev = 1.0;
            for r in km.table() {
                prop_assert!((0.0..=1.0).contains(&r.survival));
                prop_assert!(r.survival <= prev);
                prop_assert!(r.lower <= r.survival + 1e-12 && r.survival <= r.upper + 1e-12);
                prop_assert!((0.0..=1.0).contains(&r.lower) && (0.0..=1.0).contains(&r.upper));
                prev = r.survival;
            }
        }
    }

    #[test]
    fn summary_invariants(
        tx in prop::collection::vec((0u32..8, 0i64..5_000_000, -50.0f64..500.0), 0..80),
        period in prop_oneof![Just(Period::Day), Just(Period::Week), Just(Period::Month)],
    ) {
        let c: Vec<u32> = tx.iter().map(|t| t.0).collect();
        let t: Vec<i64> = tx.iter().map(|t| t.1).collect();
        let a: Vec<f64> = tx.iter().map(|t| t.2).collect();
        let s = CustomerSummary::from_transactions(&c, &t, Some(&a), 5_000_000, period).unwrap();
        for i in 0..s.len() {
            prop_assert!(s.recency[i] <= s.t[i]);
            prop_assert!(s.frequency[i] <= f64::from(s.transactions[i]) - 1.0);
            prop_assert!(s.frequency[i] <= s.recency[i]);
            prop_assert!(s.first_purchase[i] <= s.last_purchase[i]);
        }
        prop_assert_eq!(s.transactions.iter().map(|&n| n as usize).sum::<usize>(), tx.len());
    }

    #[test]
    fn bad_input_never_panics(
        d in prop::collection::vec(prop_oneof![any::<f64>(), Just(f64::NAN), Just(-1.0)], 0..20),
        e in prop::collection::vec(any::<bool>(), 0..20),
        g in prop::collection::vec(0u32..3, 0..20),
        t in prop::collection::vec(any::<i64>(), 0..20),
        end in any::<i64>(),
    ) {
        let _ = KaplanMeier::fit(&d, &e, None);
        let _ = KaplanMeier::fit(&d, &e, Some(&d));
        let _ = multivariate_logrank_test(&d, &g, &e);
        let _ = logrank_test(&d, &e, &d, &e);
        if let Ok(km) = KaplanMeier::fit(&d, &e, None) {
            let _ = km.median();
            for x in &d { let _ = km.survival_at(*x); }
        }
        let _ = CustomerSummary::from_transactions(&g, &t, Some(&d), end, Period::Week);
        let _ = CustomerSummary::from_transactions(&g, &t, None, end, Period::Month);
        let _ = churn(&g, &t, end, end);
        let _ = churn_by_segment(&g, &t, &g, 1, end);
        let _ = retention_cohorts(&g, &t, end, Period::Day);
        let _ = churn_over_time(&g, &t, 1, end, Period::Week);
        if let Ok(s) = CustomerSummary::from_transactions(&g, &t, Some(&d), end, Period::Day) {
            let _ = Rfm::from_summary(&s);
            let _ = repeat_purchase_rate(&s);
        }
    }
}
