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
    CustomerSummary, KaplanMeier, Period, logrank_test, multivariate_logrank_test,
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

proptest! {
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
    }
}
