//! `identity::customer_values` on the CDNOW sample: the summary columns equal lifetimes'
//! recorded summary (tests/data/loyalty/summary_cdnow_W.csv, lifetimes 0.11.3), and P(alive),
//! expected purchases and CLV equal the `clv` column functions on that recorded summary, with
//! lifetimes' CDNOW parameters (tests/data/clv/lifetimes_cdnow.json).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cem_core::clv::{
    BetaGeoParams, ClvOptions, FittedBetaGeo, FittedGammaGamma, GammaGammaParams, TimeUnit,
    lifetime_values, p_alive_columns, predict_columns,
};
use cem_core::identity::{ValueModels, customer_values};
use cem_core::loyalty::Period;
use chrono::NaiveDate;

fn data(path: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/../tests/data/{path}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn seconds(day: NaiveDate) -> i64 {
    day.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

#[test]
fn cdnow_values_follow_lifetimes_summary_and_the_clv_functions() {
    let text = data("loyalty/cdnow_sample.csv");
    let mut code: BTreeMap<u64, u32> = BTreeMap::new();
    let (mut ids, mut times, mut amounts) = (Vec::new(), Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let c: u64 = f[0].parse().unwrap();
        let next = code.len() as u32;
        ids.push(*code.entry(c).or_insert(next));
        times.push(seconds(NaiveDate::parse_from_str(f[1], "%Y%m%d").unwrap()));
        amounts.push(f[3].parse::<f64>().unwrap());
    }
    let reference: serde_json::Value =
        serde_json::from_str(&data("clv/lifetimes_cdnow.json")).unwrap();
    let p = |m: &str, k: &str| reference[m]["params"][k].as_f64().unwrap();
    let bg = FittedBetaGeo::from_params(BetaGeoParams {
        r: p("bg_nbd", "r"),
        alpha: p("bg_nbd", "alpha"),
        a: p("bg_nbd", "a"),
        b: p("bg_nbd", "b"),
    })
    .unwrap();
    let gg = FittedGammaGamma::from_params(GammaGammaParams {
        p: p("gamma_gamma", "p"),
        q: p("gamma_gamma", "q"),
        v: p("gamma_gamma", "v"),
    })
    .unwrap();
    let clv = ClvOptions {
        time_unit: TimeUnit::Weeks,
        ..ClvOptions::default()
    };
    let models = ValueModels {
        purchases: &bg,
        spend: Some(&gg),
        period: Period::Week,
        observation_end: seconds(NaiveDate::from_ymd_opt(1998, 6, 30).unwrap()),
        clv,
    };
    let v = customer_values(code.len() + 1, (&ids, &times, &amounts), &models).unwrap();
    assert_eq!(v.p_alive[code.len()], None); // the extra customer bought nothing

    // lifetimes' summary of the same transactions.
    let (mut who, mut f, mut r, mut t, mut m) = (vec![], vec![], vec![], vec![], vec![]);
    for line in data("loyalty/summary_cdnow_W.csv").lines().skip(1) {
        let x: Vec<&str> = line.split(',').collect();
        who.push(code[&x[0].parse::<u64>().unwrap()] as usize);
        f.push(x[1].parse::<f64>().unwrap());
        r.push(x[2].parse::<f64>().unwrap());
        t.push(x[3].parse::<f64>().unwrap());
        m.push(x[4].parse::<f64>().unwrap());
    }
    assert_eq!(who.len(), code.len());
    let alive = p_alive_columns(&bg, &f, &r, &t).unwrap();
    let next = predict_columns(&bg, 12.0 * 4.345, &f, &r, &t).unwrap();
    let value = lifetime_values(&bg, &gg, &f, &r, &t, &m, &clv).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
    let clv_col = v.clv.as_ref().unwrap();
    for (i, &c) in who.iter().enumerate() {
        assert_eq!(v.frequency[c], Some(f[i]), "frequency of row {i}");
        assert_eq!(v.recency[c], Some(r[i]), "recency of row {i}");
        assert_eq!(v.age[c], Some(t[i]), "T of row {i}");
        assert!(close(v.p_alive[c].unwrap(), alive[i]));
        assert!(close(v.expected_purchases[c].unwrap(), next[i]));
        assert!(close(clv_col[c].unwrap(), value[i]), "clv of row {i}");
    }
}

#[test]
fn bad_customer_ids_are_refused() {
    let bg = FittedBetaGeo::from_params(BetaGeoParams {
        r: 0.243,
        alpha: 4.414,
        a: 0.793,
        b: 2.426,
    })
    .unwrap();
    let models = ValueModels {
        purchases: &bg,
        spend: None,
        period: Period::Day,
        observation_end: 100,
        clv: ClvOptions::default(),
    };
    let e = customer_values(1, (&[1], &[0], &[1.0]), &models).unwrap_err();
    assert_eq!(e.kind(), cem_core::ErrorKind::OutOfRange);
    assert!(customer_values(1, (&[0], &[200], &[1.0]), &models).is_err());
}
