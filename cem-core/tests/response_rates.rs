#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Response rates by group and calendar period: period starts are calendar facts (checked
//! with chrono, independently of the core's arithmetic), grouping by period is the same as
//! grouping by a period code, and the Wilson intervals are statsmodels'.

use cem_core::ErrorKind;
use cem_core::survey::orchestrate::{
    RATE_COLUMNS, RatePeriod, response_rates, response_rates_by_period,
};
use chrono::{DateTime, Datelike, Weekday};
use proptest::prelude::*;

const ALL: [RatePeriod; 5] = [
    RatePeriod::Day,
    RatePeriod::Week,
    RatePeriod::Month,
    RatePeriod::Quarter,
    RatePeriod::Year,
];

fn utc(t: i64) -> chrono::NaiveDateTime {
    DateTime::from_timestamp(t, 0).unwrap().naive_utc()
}

#[test]
fn period_names_parse_like_pandas_aliases() {
    for (name, p) in [
        ("D", RatePeriod::Day),
        ("w", RatePeriod::Week),
        ("W-SUN", RatePeriod::Week),
        ("M", RatePeriod::Month),
        ("monthly", RatePeriod::Month),
        ("Q", RatePeriod::Quarter),
        ("Y", RatePeriod::Year),
        ("A", RatePeriod::Year),
    ] {
        assert_eq!(RatePeriod::parse(name).unwrap(), p, "{name}");
    }
    let err = RatePeriod::parse("2W").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(err.to_string().contains("unknown period `2W`"), "{err}");
}

#[test]
fn known_period_starts() {
    // 2024-02-29 13:45:00 UTC, a Thursday in a leap year.
    let t = 1_709_214_300;
    let start = |p: RatePeriod| utc(p.start(t).unwrap()).to_string();
    assert_eq!(start(RatePeriod::Day), "2024-02-29 00:00:00");
    assert_eq!(start(RatePeriod::Week), "2024-02-26 00:00:00");
    assert_eq!(start(RatePeriod::Month), "2024-02-01 00:00:00");
    assert_eq!(start(RatePeriod::Quarter), "2024-01-01 00:00:00");
    assert_eq!(start(RatePeriod::Year), "2024-01-01 00:00:00");
    // Before the epoch: floors, never truncates towards zero.
    assert_eq!(
        utc(RatePeriod::Day.start(-1).unwrap()).to_string(),
        "1969-12-31 00:00:00"
    );
    assert_eq!(
        utc(RatePeriod::Week.start(-1).unwrap()).to_string(),
        "1969-12-29 00:00:00"
    );
    assert_eq!(RatePeriod::Day.start(i64::MAX), None);
    assert_eq!(RatePeriod::Year.start(i64::MIN), None);
}

proptest! {
    #[test]
    fn a_period_holds_its_times_and_starts_on_its_boundary(t in -4_000_000_000i64..8_000_000_000) {
        for p in ALL {
            let s = p.start(t).unwrap();
            prop_assert!(s <= t && s % 86_400 == 0);
            let d = utc(s).date();
            let ok = match p {
                RatePeriod::Day => t - s < 86_400,
                RatePeriod::Week => d.weekday() == Weekday::Mon && t - s < 7 * 86_400,
                RatePeriod::Month => d.day() == 1 && utc(t).month() == d.month(),
                RatePeriod::Quarter => d.day() == 1 && d.month() % 3 == 1 && (utc(t).month() - d.month()) < 3,
                RatePeriod::Year => d.ordinal() == 1 && utc(t).year() == d.year(),
            };
            prop_assert!(ok, "{:?} of {} starts at {}", p, utc(t), utc(s));
            // Every time up to the start of the next period maps to the same start.
            prop_assert_eq!(p.start(s).unwrap(), s);
        }
    }

    #[test]
    fn by_period_is_grouping_by_a_period_code(
        rows in prop::collection::vec((0u32..3, 0i64..400 * 86_400, prop::option::of(0i64..10 * 86_400)), 1..200),
        k in 0usize..5,
    ) {
        let p = ALL[k];
        let groups: Vec<u32> = rows.iter().map(|r| r.0).collect();
        let at: Vec<i64> = rows.iter().map(|r| 1_700_000_000 + r.1).collect();
        let resp: Vec<Option<i64>> = rows.iter().zip(&at).map(|(r, a)| r.2.map(|d| a + d)).collect();
        let by_period = response_rates_by_period(&groups, &at, &resp, p, 0.9, RATE_COLUMNS).unwrap();
        // The same split with one code per (group, period start), by hand.
        let mut keys: Vec<(u32, i64)> = groups.iter().zip(&at).map(|(&g, &a)| (g, p.start(a).unwrap())).collect();
        keys.sort_unstable();
        keys.dedup();
        let code: Vec<u32> = groups
            .iter()
            .zip(&at)
            .map(|(&g, &a)| u32::try_from(keys.binary_search(&(g, p.start(a).unwrap())).unwrap()).unwrap())
            .collect();
        let plain = response_rates(&code, &at, &resp, 0.9, RATE_COLUMNS).unwrap();
        prop_assert_eq!(by_period.len(), plain.len());
        for (a, b) in by_period.iter().zip(&plain) {
            let (g, s) = keys[b.group as usize];
            prop_assert_eq!((a.group, a.period_start), (g, Some(s)));
            prop_assert_eq!((a.invited, a.responded), (b.invited, b.responded));
            prop_assert_eq!(a.rate, b.rate);
            prop_assert_eq!(a.time_to_respond, b.time_to_respond);
            prop_assert!(b.period_start.is_none());
        }
    }
}

#[test]
fn wilson_intervals_are_statsmodels() {
    // statsmodels 0.15.0: proportion_confint(k, n, alpha=0.1, method="wilson").
    let cases = [
        (3u64, 7u64, 0.186_443_190_363_956, 0.710_522_908_986_407_1),
        (0, 5, 0.0, 0.351_116_500_765_101_4),
    ];
    let mut groups = Vec::new();
    let mut resp = Vec::new();
    for (g, &(k, n, _, _)) in cases.iter().enumerate() {
        for i in 0..n {
            groups.push(u32::try_from(g).unwrap());
            resp.push((i < k).then_some(1_767_571_200 + 60));
        }
    }
    let at = vec![1_767_571_200; groups.len()];
    let rows =
        response_rates_by_period(&groups, &at, &resp, RatePeriod::Week, 0.9, RATE_COLUMNS).unwrap();
    for (row, &(k, n, low, high)) in rows.iter().zip(&cases) {
        assert_eq!((row.responded, row.invited), (k, n));
        assert!(
            (row.rate.low - low).abs() < 1e-12 && (row.rate.high - high).abs() < 1e-12,
            "{row:?}"
        );
        assert_eq!(row.period_start, Some(1_767_571_200)); // 2026-01-05 was a Monday
    }
    let err =
        response_rates_by_period(&[0], &[10], &[Some(5)], RatePeriod::Day, 0.95, RATE_COLUMNS)
            .unwrap_err();
    assert!(err.to_string().contains("row 0"), "{err}");
}

#[test]
fn errors_name_the_callers_columns() {
    let err = response_rates(
        &[0, 0],
        &[10, 10],
        &[None, Some(5)],
        0.95,
        ["sent", "answered"],
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("`answered`") && msg.contains("row 1"), "{msg}");
    assert!(!msg.contains("responded_at"), "{msg}");
    let err = response_rates_by_period(
        &[0],
        &[10],
        &[],
        RatePeriod::Day,
        0.95,
        ["sent", "answered"],
    )
    .unwrap_err();
    assert!(err.to_string().contains("answered"), "{err}");
    let err = response_rates_by_period(
        &[0],
        &[i64::MAX],
        &[None],
        RatePeriod::Month,
        0.95,
        ["sent", "answered"],
    )
    .unwrap_err();
    assert!(err.to_string().contains("`sent` at row 0"), "{err}");
}
