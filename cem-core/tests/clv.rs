//! The CLV models against lifetimes 0.11.3 on the CDNOW sample it ships.
//!
//! Expected values: `tests/data/clv/lifetimes_cdnow.json`, written by
//! `tests/reference/clv_lifetimes.py` (see its docstring for the command and versions).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use cem_core::ErrorKind;
use cem_core::clv::*;
use serde_json::Value;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/clv/");

struct Cdnow {
    frequency: Vec<f64>,
    recency: Vec<f64>,
    age: Vec<f64>,
    monetary: Vec<f64>,
}

fn cdnow() -> Cdnow {
    let text =
        std::fs::read_to_string(format!("{DATA}cdnow_customers_summary_with_transactions.csv"))
            .unwrap();
    let mut d = Cdnow {
        frequency: vec![],
        recency: vec![],
        age: vec![],
        monetary: vec![],
    };
    for line in text.lines().skip(1) {
        let v: Vec<f64> = line.split(',').map(|s| s.parse().unwrap()).collect();
        d.frequency.push(v[1]);
        d.recency.push(v[2]);
        d.age.push(v[3]);
        d.monetary.push(v[4]);
    }
    assert_eq!(d.frequency.len(), 2357);
    d
}

fn expected() -> Value {
    let text = std::fs::read_to_string(format!("{DATA}lifetimes_cdnow.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[track_caller]
fn assert_rel(got: f64, want: f64, tol: f64, what: &str) {
    let err = (got - want).abs() / want.abs().max(1e-300);
    assert!(
        err <= tol,
        "{what}: got {got}, want {want} (relative error {err:e} > {tol:e})"
    );
}

fn bg_params(v: &Value) -> BetaGeoParams {
    BetaGeoParams {
        r: num(&v["r"]),
        alpha: num(&v["alpha"]),
        a: num(&v["a"]),
        b: num(&v["b"]),
    }
}

fn check_bg_params(got: BetaGeoParams, want: BetaGeoParams, tol: f64, what: &str) {
    assert_rel(got.r, want.r, tol, &format!("{what} r"));
    assert_rel(got.alpha, want.alpha, tol, &format!("{what} alpha"));
    assert_rel(got.a, want.a, tol, &format!("{what} a"));
    assert_rel(got.b, want.b, tol, &format!("{what} b"));
}

/// Predictions and P(alive) of `model` against one of the recorded customer lists.
fn check_bg_customers(model: &FittedBetaGeo, rec: &Value, tol: f64, what: &str) {
    for c in rec["customers"].as_array().unwrap() {
        let (x, tx, t) = (num(&c["frequency"]), num(&c["recency"]), num(&c["T"]));
        let row = &c["row"];
        assert_rel(
            model.p_alive(x, tx, t).unwrap(),
            num(&c["p_alive"]),
            tol,
            &format!("{what} p_alive row {row}"),
        );
        for (h, want) in c["predict"].as_object().unwrap() {
            let h: f64 = h.parse().unwrap();
            assert_rel(
                model.predict(h, x, tx, t).unwrap(),
                num(want),
                tol,
                &format!("{what} predict({h}) row {row}"),
            );
        }
    }
    for (h, want) in rec["expected_purchases"].as_object().unwrap() {
        let h: f64 = h.parse().unwrap();
        let got = model.expected_purchases(h).unwrap();
        assert_rel(got, num(want), tol, &format!("{what} expected_purchases({h})"));
    }
    for (h, want) in rec["probability_of_n_purchases"].as_object().unwrap() {
        let h: f64 = h.parse().unwrap();
        for (n, p) in want.as_array().unwrap().iter().enumerate() {
            let got = model.probability_of_n_purchases(h, n as u32).unwrap();
            assert_rel(got, num(p), tol, &format!("{what} P(N({h}) = {n})"));
        }
    }
}

fn fit_bg(penalizer: f64) -> FittedBetaGeo {
    let d = cdnow();
    BetaGeo { penalizer }
        .fit(&d.frequency, &d.recency, &d.age, None)
        .unwrap()
}

#[test]
fn bg_nbd_formulas_match_lifetimes_at_its_parameters() {
    let e = expected();
    for key in ["bg_nbd", "bg_nbd_penalizer_0_01"] {
        let rec = &e[key];
        let model = FittedBetaGeo::from_params(bg_params(&rec["params"])).unwrap();
        check_bg_customers(&model, rec, 1e-9, key);
    }
}

#[test]
fn bg_nbd_fit_matches_lifetimes() {
    let e = expected();
    for (pen, key) in [(0.0, "bg_nbd"), (0.01, "bg_nbd_penalizer_0_01")] {
        let rec = &e[key];
        let model = fit_bg(pen);
        let report = model.report().unwrap();
        check_bg_params(model.params(), bg_params(&rec["params"]), 1e-6, key);
        assert_rel(report.log_likelihood, num(&rec["log_likelihood"]), 1e-8, key);
        assert_rel(report.objective, num(&rec["objective"]), 1e-10, key);
        // cem's objective is never worse than lifetimes'.
        assert!(report.objective <= num(&rec["objective"]) + 1e-13);
        check_bg_params(
            model.standard_errors().unwrap(),
            bg_params(&rec["standard_errors"]),
            1e-4,
            &format!("{key} standard errors"),
        );
        check_bg_customers(&model, rec, 1e-5, key);
    }
}

#[test]
fn bg_nbd_predictions_where_lifetimes_gives_nan() {
    // lifetimes returns NaN for zero-frequency customers under penalizer 0.01 (a + b < 1 makes
    // the 2F1 negative and it takes its log); the recorded values are mpmath's evaluation of
    // the same formula at lifetimes' parameters.
    let e = expected();
    let rec = &e["bg_nbd_penalizer_0_01"];
    let nan_rows = rec["rows_where_lifetimes_predict_is_nan"].as_array().unwrap();
    assert!(!nan_rows.is_empty());
    let model = FittedBetaGeo::from_params(bg_params(&rec["params"])).unwrap();
    let p = model.params();
    assert!(p.a + p.b < 1.0);
    let mut checked = 0;
    for c in rec["customers"].as_array().unwrap() {
        if c.get("predict_source").is_some() {
            assert_eq!(num(&c["frequency"]), 0.0);
            let v = model.predict(52.0, 0.0, 0.0, num(&c["T"])).unwrap();
            assert_rel(v, num(&c["predict"]["52.0"]), 1e-9, "mpmath value");
            checked += 1;
        }
    }
    assert_eq!(checked, nan_rows.len());
}

fn gg_params(v: &Value) -> GammaGammaParams {
    GammaGammaParams {
        p: num(&v["p"]),
        q: num(&v["q"]),
        v: num(&v["v"]),
    }
}

fn fit_gg() -> FittedGammaGamma {
    let d = cdnow();
    let (f, m): (Vec<f64>, Vec<f64>) = d
        .frequency
        .iter()
        .zip(&d.monetary)
        .filter(|(f, _)| **f > 0.0)
        .map(|(f, m)| (*f, *m))
        .unzip();
    GammaGamma::default().fit(&f, &m, None).unwrap()
}

#[test]
fn gamma_gamma_fit_matches_lifetimes() {
    let e = expected();
    let rec = &e["gamma_gamma"];
    let model = fit_gg();
    let want = gg_params(&rec["params"]);
    let got = model.params();
    assert_rel(got.p, want.p, 1e-6, "p");
    assert_rel(got.q, want.q, 1e-6, "q");
    assert_rel(got.v, want.v, 1e-6, "v");
    let report = model.report().unwrap();
    assert_eq!(report.customers, num(&rec["n_customers"]));
    assert_rel(report.log_likelihood, num(&rec["log_likelihood"]), 1e-10, "ll");
    assert!(report.objective <= num(&rec["objective"]) + 1e-13);
    let se = model.standard_errors().unwrap();
    let want_se = gg_params(&rec["standard_errors"]);
    assert_rel(se.p, want_se.p, 1e-4, "se p");
    assert_rel(se.q, want_se.q, 1e-4, "se q");
    assert_rel(se.v, want_se.v, 1e-4, "se v");
    for c in rec["customers"].as_array().unwrap() {
        let v = model
            .expected_value(num(&c["frequency"]), num(&c["monetary_value"]))
            .unwrap();
        assert_rel(v, num(&c["expected_value"]), 1e-6, "expected value");
    }
    let pop = model.expected_value(0.0, 0.0).unwrap();
    assert_rel(pop, num(&rec["expected_value_frequency_0"]), 1e-6, "population mean");
}

#[test]
fn lifetime_value_matches_lifetimes() {
    let e = expected();
    let d = cdnow();
    let spend = FittedGammaGamma::from_params(gg_params(&e["gamma_gamma"]["params"])).unwrap();
    let bg = FittedBetaGeo::from_params(bg_params(&e["bg_nbd"]["params"])).unwrap();
    let rows: Vec<usize> = e["clv"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    for (key, want) in e["clv"]["values"].as_object().unwrap() {
        if !key.starts_with("bg_nbd") {
            continue;
        }
        let options = match key.split('_').skip(2).collect::<Vec<_>>()[..] {
            ["months12", "rate0.01", "W"] => ClvOptions {
                months: 12,
                discount_rate: 0.01,
                time_unit: TimeUnit::Weeks,
            },
            ["months3", "rate0.1", "W"] => ClvOptions {
                months: 3,
                discount_rate: 0.1,
                time_unit: TimeUnit::Weeks,
            },
            ["months6", "rate0.01", "D"] => ClvOptions {
                months: 6,
                discount_rate: 0.01,
                time_unit: TimeUnit::Days,
            },
            _ => panic!("unknown CLV case {key}"),
        };
        for (&i, w) in rows.iter().zip(want.as_array().unwrap()) {
            let got = lifetime_value(
                &bg,
                &spend,
                d.frequency[i],
                d.recency[i],
                d.age[i],
                d.monetary[i],
                &options,
            )
            .unwrap();
            assert_rel(got, num(w), 1e-9, &format!("{key} row {i}"));
        }
    }
}

#[test]
fn degenerate_data_gets_clear_errors() {
    let err = BetaGeo::default()
        .fit(&[0.0, 0.0, 0.0], &[0.0, 0.0, 0.0], &[5.0, 6.0, 7.0], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = BetaGeo::default()
        .fit(&[1.0, 2.0], &[3.0, 9.0], &[5.0, 6.0], None)
        .unwrap_err();
    assert_eq!(err.to_string(), "recency at row 1 `9` is greater than T `6`");
    let err = BetaGeo { penalizer: -1.0 }
        .fit(&[1.0], &[1.0], &[2.0], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let err = GammaGamma::default()
        .fit(&[1.0, 2.0], &[5.0, -1.0], None)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "monetary value at row 1 `-1` is not a positive finite number"
    );
    // Too little data: the likelihood keeps rising towards a boundary of the parameter space.
    let err = GammaGamma::default()
        .fit(
            &[2.0, 1.0, 6.0, 1.0, 3.0, 1.0, 2.0, 4.0, 1.0],
            &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5, 14.0],
            None,
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Undefined);
    assert!(err.to_string().contains("does not exist"), "{err}");
}
