//! `GroupedScores` by public contract: the kernel against a brute-force reference that
//! converts every row with chrono, merge laws, serde, and bad input.

// Helpers outside `#[test]` functions unwrap and index too.
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use cem_core::metrics::{
    Ces, CesScale, Csat, DEFAULT_MAX_GROUPS, Estimate, GroupEstimate, GroupLimits, GroupedScores,
    Method, NetSatisfaction, Nps, Period, ScaleCounts, ScoreMetric, TimeUnit,
};
use cem_core::{Error, ErrorKind};
use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate};
use proptest::prelude::*;

// ---------------------------------------------------------------------------------------------
// The reference: one chrono conversion and one accumulator push per row.

fn local_date(t: i64, unit: TimeUnit, offset: i32) -> NaiveDate {
    let utc = match unit {
        TimeUnit::Seconds => DateTime::from_timestamp(t, 0),
        TimeUnit::Millis => DateTime::from_timestamp_millis(t),
        TimeUnit::Micros => DateTime::from_timestamp_micros(t),
        TimeUnit::Nanos => Some(DateTime::from_timestamp_nanos(t)),
    }
    .unwrap();
    utc.with_timezone(&FixedOffset::east_opt(offset).unwrap())
        .date_naive()
}

fn period_start(date: NaiveDate, period: Period) -> NaiveDate {
    match period {
        Period::Day => date,
        Period::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
        Period::Month => date.with_day(1).unwrap(),
        Period::Quarter => {
            NaiveDate::from_ymd_opt(date.year(), date.month0() / 3 * 3 + 1, 1).unwrap()
        }
        _ => unreachable!(),
    }
}

/// The single-metric accumulator matching a `ScoreMetric`.
#[derive(Clone)]
enum Single {
    Nps(Nps),
    Csat(Csat),
    Ces(Ces),
    Net(NetSatisfaction),
}

impl Single {
    fn new(metric: ScoreMetric) -> Single {
        match metric {
            ScoreMetric::Nps => Single::Nps(Nps::new()),
            ScoreMetric::Csat { max, top } => Single::Csat(Csat::with_scale(max, top).unwrap()),
            ScoreMetric::Ces(scale) => Single::Ces(Ces::with_scale(scale)),
            ScoreMetric::NetSatisfaction => Single::Net(NetSatisfaction::new()),
            _ => unreachable!(),
        }
    }
    fn push_weighted(&mut self, s: u8, w: f64) {
        match self {
            Single::Nps(m) => m.push_weighted(s, w),
            Single::Csat(m) => m.push_weighted(s, w),
            Single::Ces(m) => m.push_weighted(s, w),
            Single::Net(m) => m.push_weighted(s, w),
        }
        .unwrap()
    }
    fn counts(&self) -> &ScaleCounts {
        match self {
            Single::Nps(m) => m.counts(),
            Single::Csat(m) => m.counts(),
            Single::Ces(m) => m.counts(),
            Single::Net(m) => m.counts(),
        }
    }
    fn estimate(&self, confidence: f64) -> Option<Estimate> {
        match self {
            Single::Nps(m) => m.estimate(confidence),
            Single::Csat(m) => m.estimate(confidence),
            Single::Ces(m) => m.estimate(confidence),
            Single::Net(m) => m.estimate(confidence),
        }
        .ok()
    }
}

#[derive(Debug, Clone)]
struct Rows {
    scores: Vec<u8>,
    segments: Vec<u32>,
    times: Vec<i64>,
    weights: Vec<f64>,
}

fn reference(
    metric: ScoreMetric,
    period: Period,
    unit: TimeUnit,
    offset: i32,
    rows: &Rows,
    weighted: bool,
) -> BTreeMap<(u32, NaiveDate), Single> {
    let mut out: BTreeMap<(u32, NaiveDate), Single> = BTreeMap::new();
    for i in 0..rows.scores.len() {
        let start = period_start(local_date(rows.times[i], unit, offset), period);
        let w = if weighted { rows.weights[i] } else { 1.0 };
        out.entry((rows.segments[i], start))
            .or_insert_with(|| Single::new(metric))
            .push_weighted(rows.scores[i], w);
    }
    out
}

fn kernel(
    metric: ScoreMetric,
    period: Period,
    unit: TimeUnit,
    offset: i32,
    rows: &Rows,
    weighted: bool,
) -> GroupedScores {
    let mut g = GroupedScores::new(metric, period)
        .unwrap()
        .with_time_unit(unit)
        .with_utc_offset(offset)
        .unwrap();
    let w = weighted.then_some(rows.weights.as_slice());
    g.push_columns(&rows.scores, &rows.segments, &rows.times, w)
        .unwrap();
    g
}

fn assert_matches_reference(g: &GroupedScores, want: &BTreeMap<(u32, NaiveDate), Single>) {
    let got: Vec<_> = g.cells().collect();
    assert_eq!(got.len(), want.len());
    for ((segment, start, counts), ((ws, wd), single)) in got.into_iter().zip(want) {
        assert_eq!((segment, start), (*ws, *wd));
        assert_eq!(counts, single.counts(), "cell ({segment}, {start})");
    }
    let estimates = g.estimates(0.95).unwrap();
    assert_eq!(estimates.len(), want.len());
    for (e, ((ws, wd), single)) in estimates.iter().zip(want) {
        assert_eq!(
            (e.segment, e.period_start, e.n),
            (*ws, *wd, single.counts().n())
        );
        assert_eq!(e.estimate, single.estimate(0.95));
    }
}

// ---------------------------------------------------------------------------------------------
// Strategies.

fn metric() -> impl Strategy<Value = ScoreMetric> {
    prop_oneof![
        Just(ScoreMetric::Nps),
        Just(ScoreMetric::Csat { max: 5, top: 2 }),
        Just(ScoreMetric::Csat { max: 7, top: 3 }),
        Just(ScoreMetric::Ces(CesScale::Agreement7)),
        Just(ScoreMetric::Ces(CesScale::LegacyEffort5)),
        Just(ScoreMetric::NetSatisfaction),
    ]
}

fn period() -> impl Strategy<Value = Period> {
    prop::sample::select(Period::ALL.to_vec())
}

fn unit() -> impl Strategy<Value = TimeUnit> {
    prop::sample::select(TimeUnit::ALL.to_vec())
}

/// UTC offsets: mostly real ones (±14h), sometimes anything chrono accepts.
fn offset() -> impl Strategy<Value = i32> {
    prop_oneof![
        4 => (-56..=56i32).prop_map(|q| q * 900),
        2 => -50_400..=50_400i32,
        1 => -86_399..=86_399i32,
    ]
}

/// Timestamps in `unit`, either within about three years of a random instant (dense table)
/// or spread over centuries — including before 1970 — (hash map).
fn times(unit: TimeUnit, n: usize) -> BoxedStrategy<Vec<i64>> {
    let per_s = unit.per_second();
    let wide = match unit {
        TimeUnit::Nanos => i64::MIN..=i64::MAX,
        _ => -100_000_000_000 * per_s..=100_000_000_000 * per_s,
    };
    let span = 3 * 366 * 86_400 * per_s;
    let base_range = match unit {
        TimeUnit::Nanos => -9_000_000_000_000_000_000i64..=9_000_000_000_000_000_000 - span,
        _ => -5_000_000_000 * per_s..=5_000_000_000 * per_s,
    };
    prop_oneof![
        (base_range, prop::collection::vec(0..span, n))
            .prop_map(|(base, d)| d.into_iter().map(|x| base + x).collect()),
        prop::collection::vec(wide, n),
        // Around the epoch, in seconds of either sign.
        prop::collection::vec(
            (-400_000i64..400_000).prop_map(move |s| s * per_s + per_s / 3),
            n
        ),
    ]
    .boxed()
}

fn rows(metric: ScoreMetric, unit: TimeUnit) -> impl Strategy<Value = Rows> {
    let (lo, hi) = metric.scale();
    (0usize..120).prop_flat_map(move |n| {
        (
            prop::collection::vec(lo..=hi, n),
            prop_oneof![
                prop::collection::vec(0u32..4, n),
                prop::collection::vec(any::<u32>(), n),
            ],
            times(unit, n),
            // Multiples of 1/4 add up exactly in any order, so merges compare exactly.
            prop::collection::vec((0u32..20).prop_map(|k| f64::from(k) / 4.0), n),
        )
            .prop_map(|(scores, segments, times, weights)| Rows {
                scores,
                segments,
                times,
                weights,
            })
    })
}

fn case() -> impl Strategy<Value = (ScoreMetric, Period, TimeUnit, i32, bool, Rows)> {
    (metric(), period(), unit(), offset(), any::<bool>()).prop_flat_map(
        |(metric, period, unit, offset, weighted)| {
            rows(metric, unit).prop_map(move |r| (metric, period, unit, offset, weighted, r))
        },
    )
}

fn slice(rows: &Rows, range: std::ops::Range<usize>) -> Rows {
    Rows {
        scores: rows.scores[range.clone()].to_vec(),
        segments: rows.segments[range.clone()].to_vec(),
        times: rows.times[range.clone()].to_vec(),
        weights: rows.weights[range].to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn kernel_matches_brute_force_reference(
        (metric, period, unit, offset, weighted, rows) in case()
    ) {
        let g = kernel(metric, period, unit, offset, &rows, weighted);
        let want = reference(metric, period, unit, offset, &rows, weighted);
        assert_matches_reference(&g, &want);
        prop_assert_eq!(g.n(), rows.scores.len() as u64);
    }

    #[test]
    fn merge_is_associative_commutative_and_equals_one_pass(
        (metric, period, unit, offset, weighted, rows) in case(),
        cut1 in 0.0..1.0f64,
        cut2 in 0.0..1.0f64,
    ) {
        let n = rows.scores.len();
        let (i, j) = {
            let (a, b) = ((cut1 * n as f64) as usize, (cut2 * n as f64) as usize);
            (a.min(b), a.max(b))
        };
        let part = |r| kernel(metric, period, unit, offset, &slice(&rows, r), weighted);
        let (a, b, c) = (part(0..i), part(i..j), part(j..n));
        let one_pass = kernel(metric, period, unit, offset, &rows, weighted);

        let mut ab_c = a.clone();
        ab_c.merge(&b).unwrap();
        ab_c.merge(&c).unwrap();
        let mut bc = b.clone();
        bc.merge(&c).unwrap();
        let mut a_bc = a.clone();
        a_bc.merge(&bc).unwrap();
        let mut cba = c.clone();
        cba.merge(&b).unwrap();
        cba.merge(&a).unwrap();
        prop_assert_eq!(&ab_c, &one_pass);
        prop_assert_eq!(&a_bc, &one_pass);
        prop_assert_eq!(&cba, &one_pass);

        // Pushing the parts one after the other into one accumulator is the same too.
        let mut pushed = kernel(metric, period, unit, offset, &slice(&rows, 0..i), weighted);
        for r in [i..j, j..n] {
            let s = slice(&rows, r);
            pushed
                .push_columns(&s.scores, &s.segments, &s.times, weighted.then_some(s.weights.as_slice()))
                .unwrap();
        }
        prop_assert_eq!(&pushed, &one_pass);
    }

    #[test]
    fn serde_round_trip((metric, period, unit, offset, weighted, rows) in case()) {
        let g = kernel(metric, period, unit, offset, &rows, weighted);
        let json = serde_json::to_string(&g).unwrap();
        let back: GroupedScores = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back, g);
    }

    #[test]
    fn floating_weights_agree_with_reference(
        (metric, period, unit, offset, _w, rows) in case(),
        ws in prop::collection::vec(0.0..1e6f64, 120),
    ) {
        let mut rows = rows;
        rows.weights = ws[..rows.scores.len()].to_vec();
        let g = kernel(metric, period, unit, offset, &rows, true);
        let want = reference(metric, period, unit, offset, &rows, true);
        // Same summation order per cell: exact.
        assert_matches_reference(&g, &want);
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed cases.

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn starts(g: &GroupedScores) -> Vec<(u32, NaiveDate, u64)> {
    g.cells().map(|(s, p, c)| (s, p, c.n())).collect()
}

#[test]
fn negative_timestamps_and_offsets() {
    // -1 s is 1969-12-31T23:59:59Z, a Wednesday; in UTC+1 it is already 1970-01-01.
    let times = [-1, 0, -86_400 * 365 - 1];
    for (period, offset, want) in [
        (
            Period::Day,
            0,
            [d(1969, 12, 31), d(1970, 1, 1), d(1968, 12, 31)],
        ),
        (
            Period::Day,
            3_600,
            [d(1970, 1, 1), d(1970, 1, 1), d(1969, 1, 1)],
        ),
        (
            Period::Week,
            0,
            [d(1969, 12, 29), d(1969, 12, 29), d(1968, 12, 30)],
        ),
        (
            Period::Month,
            0,
            [d(1969, 12, 1), d(1970, 1, 1), d(1968, 12, 1)],
        ),
        (
            Period::Quarter,
            -3_600,
            [d(1969, 10, 1), d(1969, 10, 1), d(1968, 10, 1)],
        ),
    ] {
        for (t, start) in times.iter().zip(want) {
            let mut g = GroupedScores::new(ScoreMetric::Nps, period)
                .unwrap()
                .with_utc_offset(offset)
                .unwrap();
            g.push_columns(&[10], &[0], &[*t], None).unwrap();
            assert_eq!(
                starts(&g),
                [(0, start, 1)],
                "{period} at {offset}s, t = {t}"
            );
        }
    }
}

/// More rows than the kernel probes for its ranges, sorted by time, with new segments
/// late: the dense plan has to be redone midway.
#[test]
fn sorted_rows_beyond_the_probe_block() {
    let n = 150_000usize;
    let rows = Rows {
        scores: (0..n).map(|i| (i * 7 % 11) as u8).collect(),
        segments: (0..n)
            .map(|i| {
                if i < 100_000 {
                    (i % 3) as u32
                } else {
                    7 + (i % 2) as u32
                }
            })
            .collect(),
        times: (0..n as i64).map(|i| -400_000_000 + i * 5_000).collect(),
        weights: (0..n).map(|i| (i % 5) as f64 * 0.5).collect(),
    };
    for period in Period::ALL {
        for weighted in [false, true] {
            let g = kernel(
                ScoreMetric::Nps,
                period,
                TimeUnit::Seconds,
                -18_000,
                &rows,
                weighted,
            );
            let want = reference(
                ScoreMetric::Nps,
                period,
                TimeUnit::Seconds,
                -18_000,
                &rows,
                weighted,
            );
            assert_matches_reference(&g, &want);
        }
    }
    // A bad timestamp far beyond the probe block: an error naming it, and nothing added.
    let mut times = rows.times.clone();
    times[140_000] = i64::MAX;
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month).unwrap();
    let err = g
        .push_columns(&rows.scores, &rows.segments, &times, None)
        .unwrap_err();
    assert!(
        err.to_string().starts_with("timestamp at position 140000 "),
        "{err}"
    );
    assert!(g.is_empty());
}

#[test]
fn units_name_the_same_instant() {
    let t = 1_700_000_000i64; // 2023-11-14T22:13:20Z, a Tuesday
    for unit in TimeUnit::ALL {
        let mut g = GroupedScores::new(ScoreMetric::NetSatisfaction, Period::Week)
            .unwrap()
            .with_time_unit(unit)
            .with_utc_offset(14 * 3_600)
            .unwrap();
        g.push_columns(&[5], &[3], &[t * unit.per_second()], None)
            .unwrap();
        assert_eq!(starts(&g), [(3, d(2023, 11, 13), 1)], "{unit:?}");
    }
}

#[test]
fn estimates_equal_single_metrics() {
    let scores = [10, 9, 9, 8, 7, 3, 10, 6, 0, 5];
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month).unwrap();
    g.push_columns(&scores, &[1; 10], &[1_000_000; 10], None)
        .unwrap();
    let mut nps = Nps::new();
    nps.push_many(&scores).unwrap();
    let rows: Vec<GroupEstimate> = g.estimates(0.9).unwrap();
    assert_eq!(rows[0].estimate, Some(nps.estimate(0.9).unwrap()));
    let wald = g.estimates_with(0.9, Method::Wald).unwrap();
    assert_eq!(
        wald[0].estimate,
        Some(nps.estimate_with(0.9, Method::Wald).unwrap())
    );
}

#[test]
fn length_mismatch_names_both_columns() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day).unwrap();
    let err = g
        .push_columns(&[1, 2, 3], &[0, 0], &[0, 0, 0], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LengthMismatch);
    assert_eq!(
        err.to_string(),
        "`scores` has 3 values but `segments` has 2"
    );
    let err = g.push_columns(&[1], &[0], &[], None).unwrap_err();
    assert_eq!(err.to_string(), "`scores` has 1 values but `times` has 0");
    let err = g.push_columns(&[1], &[0], &[0], Some(&[])).unwrap_err();
    assert_eq!(err.to_string(), "`scores` has 1 values but `weights` has 0");
}

#[test]
fn bad_score_names_position_and_adds_nothing() {
    let mut g = GroupedScores::new(ScoreMetric::Csat { max: 5, top: 2 }, Period::Day).unwrap();
    g.push_columns(&[5], &[0], &[0], None).unwrap();
    let before = g.clone();
    let err = g
        .push_columns(&[5, 4, 0, 6], &[0; 4], &[0; 4], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        err.to_string(),
        "CSAT score at position 2 `0` is outside 1..=5"
    );
    assert_eq!(g, before);
}

#[test]
fn bad_weights_name_position() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day).unwrap();
    let err = g
        .push_columns(&[1, 2], &[0, 0], &[0, 0], Some(&[1.0, f64::NAN]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidNumber);
    assert_eq!(
        err.to_string(),
        "weight at position 1 `NaN` is not a finite number"
    );
    let err = g
        .push_columns(&[1, 2], &[0, 0], &[0, 0], Some(&[-0.5, 1.0]))
        .unwrap_err();
    assert_eq!(err.to_string(), "weight at position 0 `-0.5` is negative");
    let err = g
        .push_columns(&[1], &[0], &[0], Some(&[f64::INFINITY]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidNumber);
    assert!(g.is_empty());
}

#[test]
fn timestamps_outside_the_calendar_are_rejected() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Week).unwrap();
    let err = g
        .push_columns(&[1, 2, 3], &[0; 3], &[0, i64::MAX, i64::MIN], None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    let msg = err.to_string();
    assert!(
        msg.starts_with("timestamp at position 1 `9223372036854775807` is outside"),
        "{msg}"
    );
    assert!(g.is_empty());
    // The same values as nanoseconds are fine (years 1677 to 2262).
    let mut g = g
        .with_time_unit(TimeUnit::Nanos)
        .with_utc_offset(86_399)
        .unwrap();
    g.push_columns(&[1, 2, 3], &[0; 3], &[0, i64::MAX, i64::MIN], None)
        .unwrap();
    assert_eq!(g.len(), 3);
    assert_eq!(g.cells().last().unwrap().1, d(2262, 4, 7));
}

#[test]
fn settings_are_validated() {
    let err = GroupedScores::new(ScoreMetric::Nps, Period::Day)
        .unwrap()
        .with_utc_offset(-86_400)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert_eq!(
        err.to_string(),
        "UTC offset `-86400` is outside -86399..=86399 seconds"
    );
    let err = GroupedScores::new(ScoreMetric::Csat { max: 1, top: 1 }, Period::Day).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let g = GroupedScores::new(ScoreMetric::Nps, Period::Day).unwrap();
    assert_eq!(g.estimates(0.0).unwrap_err().kind(), ErrorKind::OutOfRange);
    let err = g.estimates_with(0.95, Method::StudentT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert!(
        err.to_string().contains("`student-t` is not available"),
        "{err}"
    );
}

#[test]
fn merge_checks_settings() {
    let mut a = GroupedScores::new(ScoreMetric::Nps, Period::Day).unwrap();
    let b = GroupedScores::new(ScoreMetric::Nps, Period::Day)
        .unwrap()
        .with_utc_offset(3_600)
        .unwrap();
    let err = a.merge(&b).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Incompatible);
    assert_eq!(
        err.to_string(),
        "cannot combine: grouped NPS score by day at UTC offset 0s and grouped NPS score by day at UTC offset 3600s"
    );
    let c = GroupedScores::new(ScoreMetric::NetSatisfaction, Period::Day).unwrap();
    assert_eq!(a.merge(&c).unwrap_err().kind(), ErrorKind::Incompatible);
    // The time unit only concerns the input: these merge.
    let ms = GroupedScores::new(ScoreMetric::Nps, Period::Day)
        .unwrap()
        .with_time_unit(TimeUnit::Millis);
    a.merge(&ms).unwrap();
}

#[test]
fn undefined_cells_are_none() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day).unwrap();
    g.push_columns(&[10, 0], &[0, 1], &[0, 0], Some(&[1.0, 0.0]))
        .unwrap();
    let rows = g.estimates(0.95).unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows[0].estimate.is_some());
    assert_eq!((rows[1].n, rows[1].estimate), (1, None)); // all weights zero
}

#[test]
fn serde_form_is_checked() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month).unwrap();
    g.push_columns(&[10, 3], &[4, 4], &[0, 40 * 86_400], None)
        .unwrap();
    let json = serde_json::to_value(&g).unwrap();
    assert_eq!(json["metric"], "nps");
    assert_eq!(json["period"], "month");
    assert_eq!(json["unit"], "seconds");
    assert_eq!(json["cells"][1]["period_start"], "1970-02-01");
    let csat = serde_json::to_value(ScoreMetric::Csat { max: 5, top: 2 }).unwrap();
    assert_eq!(csat, serde_json::json!({"csat": {"max": 5, "top": 2}}));

    let broken = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = json.clone();
        f(&mut v);
        serde_json::from_value::<GroupedScores>(v)
            .unwrap_err()
            .to_string()
    };
    let msg = broken(&|v| v["cells"][1]["period_start"] = "1970-02-02".into());
    assert!(
        msg.contains("cell (`4`, `1970-02-02`) does not start a month"),
        "{msg}"
    );
    let msg = broken(&|v| v["cells"][1] = v["cells"][0].clone());
    assert!(msg.contains("appears twice"), "{msg}");
    let msg = broken(&|v| v["metric"] = "net_satisfaction".into());
    assert!(msg.contains("has scale `0..=10`"), "{msg}");
    let msg = broken(&|v| v["cells"][0]["counts"]["count"] = serde_json::json!(vec![0; 11]));
    assert!(
        msg.contains("which no set of non-negative weights gives"),
        "{msg}"
    );
    let msg = broken(&|v| {
        for field in ["count", "weight", "weight_sq"] {
            v["cells"][0]["counts"][field] = serde_json::json!(vec![0; 11]);
        }
    });
    assert!(msg.contains("is empty"), "{msg}");
    let msg = broken(&|v| v["v"] = 2.into());
    assert!(msg.contains("state format version `2`"), "{msg}");
    let msg = broken(&|v| v["utc_offset_seconds"] = 100_000.into());
    assert!(msg.contains("UTC offset `100000`"), "{msg}");
}

#[test]
fn parse_names() {
    for p in Period::ALL {
        assert_eq!(Period::parse(p.name()).unwrap(), p);
        assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, format!("\"{}\"", p.name()));
    }
    for u in TimeUnit::ALL {
        assert_eq!(TimeUnit::parse(u.name()).unwrap(), u);
    }
    let err: Error = TimeUnit::parse("weeks").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    assert_eq!(
        err.to_string(),
        "invalid `unit`: unknown time unit `weeks`; expected one of s, ms, us, ns"
    );
}

/// Large enough for the `parallel` feature to split the rows into blocks (run
/// `cargo test -p cem-core --features parallel --test group`); without it this checks the
/// single pass at scale. Either way the result must equal the per-row chrono reference.
#[test]
fn large_input_matches_reference_single_or_parallel() {
    let n = 600_000;
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let mut rows = Rows {
        scores: Vec::with_capacity(n),
        segments: Vec::with_capacity(n),
        times: Vec::with_capacity(n),
        weights: Vec::with_capacity(n),
    };
    for _ in 0..n {
        rows.scores.push((next() % 11) as u8);
        rows.segments.push((next() % 7) as u32);
        // Two years around the epoch, so some blocks see negative times.
        rows.times.push(next() as i64 % 63_072_000 - 31_536_000);
        // Quarters: sums of these (and of their squares) are exact in any order, so the
        // blocks merge to the same bits as one pass.
        rows.weights.push((next() % 40) as f64 / 4.0);
    }
    for weighted in [false, true] {
        let (metric, period, unit, offset) =
            (ScoreMetric::Nps, Period::Week, TimeUnit::Seconds, -18_000);
        let g = kernel(metric, period, unit, offset, &rows, weighted);
        assert_eq!(g.n(), n as u64);
        assert_matches_reference(
            &g,
            &reference(metric, period, unit, offset, &rows, weighted),
        );
    }
    // Over the group limit: refused whole, whichever path runs (the parallel one combines
    // its blocks on a scratch first).
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Week)
        .unwrap()
        .with_limits(GroupLimits { max_groups: 100 });
    let err = g
        .push_columns(&rows.scores, &rows.segments, &rows.times, None)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(g.is_empty());
    // A bad score in the last row rejects the whole push, whichever path runs.
    rows.scores[n - 1] = 11;
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Week).unwrap();
    let err = g
        .push_columns(&rows.scores, &rows.segments, &rows.times, None)
        .unwrap_err();
    assert!(
        err.to_string().contains(&format!("position {}", n - 1)),
        "{err}"
    );
    assert!(g.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The group limit: all or nothing, in push, merge and state.

fn limited(
    metric: ScoreMetric,
    period: Period,
    unit: TimeUnit,
    offset: i32,
    max: usize,
) -> GroupedScores {
    GroupedScores::new(metric, period)
        .unwrap()
        .with_time_unit(unit)
        .with_utc_offset(offset)
        .unwrap()
        .with_limits(GroupLimits { max_groups: max })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A push or merge succeeds exactly when the result has at most `max_groups` cells, and
    /// then equals the unlimited result; otherwise it is `LimitExceeded` and changes nothing.
    #[test]
    fn group_limit_is_all_or_nothing(
        (metric, period, unit, offset, weighted, rows) in case(),
        cut in 0.0..1.0f64,
        max in 0usize..12,
    ) {
        let n = rows.scores.len();
        let i = (cut * n as f64) as usize;
        let (first, second) = (slice(&rows, 0..i), slice(&rows, i..n));
        let w = |r: &Rows| weighted.then_some(r.weights.clone());
        let mut g = limited(metric, period, unit, offset, max);
        let mut unlimited = kernel(metric, period, unit, offset, &slice(&rows, 0..0), weighted);
        for part in [&first, &second] {
            let before = g.clone();
            let pushed = g.push_columns(&part.scores, &part.segments, &part.times, w(part).as_deref());
            let mut want = unlimited.clone();
            want.push_columns(&part.scores, &part.segments, &part.times, w(part).as_deref()).unwrap();
            if want.len() <= max {
                prop_assert!(pushed.is_ok(), "{:?}", pushed);
                prop_assert_eq!(&g, &want);
                unlimited = want;
            } else {
                let err = pushed.unwrap_err();
                prop_assert_eq!(err.kind(), ErrorKind::LimitExceeded);
                prop_assert!(err.to_string().contains(&format!("limit of {max} groups: {} groups", want.len())), "{}", err);
                prop_assert_eq!(&g, &before);
            }
        }
        // Merge: the first part (unlimited) into a limited accumulator of the second.
        let mut a = limited(metric, period, unit, offset, max);
        a.merge(&kernel(metric, period, unit, offset, &second, weighted)).ok();
        let before = a.clone();
        let b = kernel(metric, period, unit, offset, &first, weighted);
        let merged = a.merge(&b);
        let mut want = before.clone().with_limits(GroupLimits { max_groups: usize::MAX });
        want.merge(&b).unwrap();
        if want.len() <= max {
            prop_assert!(merged.is_ok());
            prop_assert_eq!(&a, &want);
        } else {
            prop_assert_eq!(merged.unwrap_err().kind(), ErrorKind::LimitExceeded);
            prop_assert_eq!(&a, &before);
        }
    }
}

/// The limit counts cells, not the range of segment codes: two codes far apart are two groups.
#[test]
fn group_limit_counts_cells_not_code_range() {
    assert_eq!(
        GroupedScores::new(ScoreMetric::Nps, Period::Day)
            .unwrap()
            .limits()
            .max_groups,
        DEFAULT_MAX_GROUPS
    );
    let mut g = limited(ScoreMetric::Nps, Period::Day, TimeUnit::Seconds, 0, 2);
    g.push_columns(&[10, 9, 8], &[0, u32::MAX, 0], &[0, 0, 3_600], None)
        .unwrap();
    assert_eq!(g.len(), 2);
    // The same cells again add no group.
    g.push_columns(&[1, 2], &[u32::MAX, 0], &[60, 60], None)
        .unwrap();
    assert_eq!((g.len(), g.n()), (2, 5));
    // A new day is a new group.
    let err = g.push_columns(&[1], &[0], &[86_400], None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "the number of groups exceeds the limit of 2 groups: 3 groups"
    );
    assert_eq!((g.len(), g.n()), (2, 5));
    // Raised, the same push goes through.
    let mut g = g.with_limits(GroupLimits { max_groups: 3 });
    g.push_columns(&[1], &[0], &[86_400], None).unwrap();
    assert_eq!((g.len(), g.n()), (3, 6));
}

/// A merge that would overflow one cell's count adds no other cell either.
#[test]
fn merge_with_an_overflowing_cell_changes_nothing() {
    let big = u64::MAX;
    let state = serde_json::json!({"v": 1, "metric": "nps", "period": "day", "utc_offset_seconds": 0, "cells": [
        {"segment": 5, "period_start": "1970-01-01", "counts": {"min": 0, "max": 10,
            "count": [big, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            "weight": [big as f64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
            "weight_sq": [big as f64, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}}]});
    let full: GroupedScores = serde_json::from_value(state).unwrap();
    let mut a = full.clone();
    let mut b = full.clone();
    // Segment 1 sorts before segment 5: it would have been added before the overflow.
    b.push_columns(&[3], &[1], &[0], None).unwrap();
    let err = a.merge(&b).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert_eq!(a, full);
    let err = a.push_columns(&[3, 3], &[1, 5], &[0, 0], None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded, "{err}");
    assert!(err.to_string().contains("the number of answers"), "{err}");
    assert_eq!(a, full);
}

/// State with more cells than the reader's limit: `LimitExceeded` through
/// `from_json_with` (raise the limit there), `InvalidState` through plain serde.
#[test]
fn state_over_the_group_limit_is_rejected() {
    let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month).unwrap();
    g.push_columns(&[10, 9, 0, 4], &[0, 1, 2, 3], &[0; 4], None)
        .unwrap();
    let json = serde_json::to_string(&g).unwrap();
    let err = GroupedScores::from_json_with(&json, GroupLimits { max_groups: 3 }).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    assert_eq!(
        err.to_string(),
        "the number of groups exceeds the limit of 3 groups: 4 groups"
    );
    let back = GroupedScores::from_json_with(&json, GroupLimits { max_groups: 4 }).unwrap();
    assert_eq!(back, g);
    assert_eq!(back.limits().max_groups, 4);
    // The limit read with travels with the accumulator into its next merge.
    let mut back = back;
    let mut extra = GroupedScores::new(ScoreMetric::Nps, Period::Month).unwrap();
    extra.push_columns(&[1], &[9], &[0], None).unwrap();
    assert_eq!(
        back.merge(&extra).unwrap_err().kind(),
        ErrorKind::LimitExceeded
    );
    // Other failures keep their kinds.
    let err = GroupedScores::from_json_with("{", GroupLimits::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Json);
    let forged = json.replace("\"1970-01-01\"", "\"1970-01-02\"");
    let err = GroupedScores::from_json_with(&forged, GroupLimits::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
    let err = Error::from(serde_json::from_str::<GroupedScores>(&forged).unwrap_err());
    assert_eq!(err.kind(), ErrorKind::InvalidState, "{err}");
    assert!(err.to_string().contains("does not start a month"), "{err}");
}

/// The time unit only says how input columns are read: it takes no part in equality, and
/// accumulators with different units merge.
#[test]
fn time_unit_is_not_part_of_equality() {
    let s = limited(ScoreMetric::Nps, Period::Day, TimeUnit::Seconds, 0, 10);
    let mut ms = limited(ScoreMetric::Nps, Period::Day, TimeUnit::Millis, 0, 10);
    let mut secs = s.clone();
    secs.push_columns(&[10], &[0], &[86_400], None).unwrap();
    ms.push_columns(&[10], &[0], &[86_400_000], None).unwrap();
    assert_eq!(secs, ms);
    assert_ne!(s, ms);
    let mut both = s.clone();
    both.merge(&ms).unwrap();
    assert_eq!(both, ms);
}
