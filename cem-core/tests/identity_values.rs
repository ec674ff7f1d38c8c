//! `identity::customer_values` on the CDNOW sample: the summary columns equal lifetimes'
//! recorded summaries (tests/data/loyalty/summary_cdnow_{W,D}.csv, lifetimes 0.11.3), and P(alive),
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
use cem_core::loyalty::{CustomerSummary, Period};
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

struct Cdnow {
    code: BTreeMap<u64, u32>,
    ids: Vec<u32>,
    times: Vec<i64>,
    amounts: Vec<f64>,
    bg: FittedBetaGeo,
    gg: FittedGammaGamma,
}

fn cdnow() -> Cdnow {
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
    Cdnow {
        code,
        ids,
        times,
        amounts,
        bg,
        gg,
    }
}

/// `customer_values` counted in `period` (nothing else said about the time unit) against
/// lifetimes' summary in `freq` and the `clv` column functions in `unit` on it: lifetimes'
/// `predict(months × per_month, ...)` and `customer_lifetime_value(..., time=months,
/// discount_rate=rate, freq=freq)`.
fn check_cdnow(period: Period, freq: &str, unit: TimeUnit, months: u32, rate: f64) {
    let d = cdnow();
    let models = ValueModels {
        spend: Some(&d.gg),
        observation_end: Some(seconds(NaiveDate::from_ymd_opt(1998, 6, 30).unwrap())),
        months,
        discount_rate: rate,
        ..ValueModels::new(&d.bg, period)
    };
    let n = d.code.len();
    let v = customer_values(n + 1, (&d.ids, &d.times, &d.amounts), &models).unwrap();
    assert_eq!(v.p_alive[n], None); // the extra customer bought nothing

    // lifetimes' summary of the same transactions.
    let (mut who, mut f, mut r, mut t, mut m) = (vec![], vec![], vec![], vec![], vec![]);
    for line in data(&format!("loyalty/summary_cdnow_{freq}.csv"))
        .lines()
        .skip(1)
    {
        let x: Vec<&str> = line.split(',').collect();
        who.push(d.code[&x[0].parse::<u64>().unwrap()] as usize);
        f.push(x[1].parse::<f64>().unwrap());
        r.push(x[2].parse::<f64>().unwrap());
        t.push(x[3].parse::<f64>().unwrap());
        m.push(x[4].parse::<f64>().unwrap());
    }
    assert_eq!(who.len(), n);
    let clv = ClvOptions {
        months,
        discount_rate: rate,
        time_unit: unit,
    };
    let alive = p_alive_columns(&d.bg, &f, &r, &t).unwrap();
    let next = predict_columns(&d.bg, f64::from(months) * unit.per_month(), &f, &r, &t).unwrap();
    let value = lifetime_values(&d.bg, &d.gg, &f, &r, &t, &m, &clv).unwrap();
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300);
    let clv_col = v.clv.as_ref().unwrap();
    for (i, &c) in who.iter().enumerate() {
        assert_eq!(v.frequency[c], Some(f[i]), "frequency of row {i}");
        assert_eq!(v.recency[c], Some(r[i]), "recency of row {i}");
        assert_eq!(v.age[c], Some(t[i]), "T of row {i}");
        assert!(close(v.p_alive[c].unwrap(), alive[i]));
        assert!(
            close(v.expected_purchases[c].unwrap(), next[i]),
            "expected purchases of row {i}"
        );
        assert!(close(clv_col[c].unwrap(), value[i]), "clv of row {i}");
    }
}

#[test]
fn cdnow_weekly_values_are_in_weeks() {
    // Regression: `period: Week` with a CLV unit of days predicted over 360 weeks.
    check_cdnow(Period::Week, "W", TimeUnit::Weeks, 12, 0.01);
    check_cdnow(Period::Week, "W", TimeUnit::Weeks, 3, 0.1);
}

#[test]
fn cdnow_daily_values_are_in_days() {
    check_cdnow(Period::Day, "D", TimeUnit::Days, 12, 0.01);
}

#[test]
fn weekly_horizon_is_a_year_of_weeks_not_360() {
    let d = cdnow();
    let models = ValueModels::new(&d.bg, Period::Week);
    let v = customer_values(d.code.len(), (&d.ids, &d.times, &d.amounts), &models).unwrap();
    let c = 0; // customer 4 of CDNOW: 3 repeat weeks, recency 49, T 78 (observed to 1998-06-30)
    let (f, r, t) = (
        v.frequency[c].unwrap(),
        v.recency[c].unwrap(),
        v.age[c].unwrap(),
    );
    assert_eq!((f, r, t), (3.0, 49.0, 78.0));
    let year = predict_columns(&d.bg, 52.14, &[f], &[r], &[t]).unwrap()[0];
    let days = predict_columns(&d.bg, 360.0, &[f], &[r], &[t]).unwrap()[0];
    let got = v.expected_purchases[c].unwrap();
    assert!(
        (got - year).abs() < 1e-9 && (got - days).abs() > 0.1,
        "{got} vs {year}, {days}"
    );
}

#[test]
fn monthly_values_use_months() {
    let d = cdnow();
    let end = seconds(NaiveDate::from_ymd_opt(1998, 6, 30).unwrap());
    let models = ValueModels {
        spend: Some(&d.gg),
        observation_end: Some(end),
        ..ValueModels::new(&d.bg, Period::Month)
    };
    let v = customer_values(d.code.len(), (&d.ids, &d.times, &d.amounts), &models).unwrap();
    let s =
        CustomerSummary::from_transactions(&d.ids, &d.times, Some(&d.amounts), end, Period::Month)
            .unwrap();
    let m = s.monetary_value.as_ref().unwrap();
    let clv = ClvOptions {
        time_unit: TimeUnit::Months,
        ..ClvOptions::default()
    };
    let next = predict_columns(&d.bg, 12.0, &s.frequency, &s.recency, &s.t).unwrap();
    let value = lifetime_values(&d.bg, &d.gg, &s.frequency, &s.recency, &s.t, m, &clv).unwrap();
    for (i, &c) in s.customers.iter().enumerate() {
        assert_eq!(v.expected_purchases[c as usize], Some(next[i]));
        assert_eq!(v.clv.as_ref().unwrap()[c as usize], Some(value[i]));
    }
}

#[test]
fn quarters_have_no_clv_time_unit() {
    let d = cdnow();
    let models = ValueModels::new(&d.bg, Period::Quarter);
    let e = customer_values(d.code.len(), (&d.ids, &d.times, &d.amounts), &models).unwrap_err();
    assert_eq!(e.kind(), cem_core::ErrorKind::InvalidArgument);
    let text = e.to_string();
    assert!(
        text.contains("period") && text.contains("`quarter`"),
        "{text}"
    );
}

#[test]
fn observation_end_defaults_to_the_last_transaction() {
    let d = cdnow();
    let last = *d.times.iter().max().unwrap();
    let given = ValueModels {
        observation_end: Some(last),
        ..ValueModels::new(&d.bg, Period::Week)
    };
    let n = d.code.len();
    let a = customer_values(
        n,
        (&d.ids, &d.times, &d.amounts),
        &ValueModels::new(&d.bg, Period::Week),
    )
    .unwrap();
    let b = customer_values(n, (&d.ids, &d.times, &d.amounts), &given).unwrap();
    assert_eq!(a, b);
    // A later end makes every customer older.
    let later = ValueModels {
        observation_end: Some(last + 7 * 86_400),
        ..given
    };
    let c = customer_values(n, (&d.ids, &d.times, &d.amounts), &later).unwrap();
    assert!(
        a.age
            .iter()
            .zip(&c.age)
            .all(|(x, y)| x.unwrap() + 1.0 == y.unwrap())
    );
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
        observation_end: Some(100),
        ..ValueModels::new(&bg, Period::Day)
    };
    let e = customer_values(1, (&[1], &[0], &[1.0]), &models).unwrap_err();
    assert_eq!(e.kind(), cem_core::ErrorKind::OutOfRange);
    assert!(customer_values(1, (&[0], &[200], &[1.0]), &models).is_err());
}
