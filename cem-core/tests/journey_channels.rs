//! The optional channel column of `cem_core::journey::EventLog`: it follows its events through
//! the log's reordering, survives serde and bytes, and drives channel consistency.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use cem_core::ErrorKind;
use cem_core::journey::EventLog;
use proptest::prelude::*;

/// Rows of (customer, touchpoint, time, channel) over small alphabets.
fn rows() -> impl Strategy<Value = Vec<(u8, u8, i64, u8)>> {
    prop::collection::vec((0u8..6, 0u8..5, 0i64..30, 0u8..3), 0..80)
}

fn log_of(rows: &[(u8, u8, i64, u8)]) -> EventLog {
    let c: Vec<String> = rows.iter().map(|r| format!("c{}", r.0)).collect();
    let t: Vec<String> = rows.iter().map(|r| format!("t{}", r.1)).collect();
    let ts: Vec<i64> = rows.iter().map(|r| r.2).collect();
    let ch: Vec<String> = rows.iter().map(|r| format!("ch{}", r.3)).collect();
    EventLog::from_ids(&c, &t, &ts, None)
        .unwrap()
        .with_channel_ids(&ch)
        .unwrap()
}

/// Per customer label: (touchpoint, time, channel) labels in log order.
fn labelled(log: &EventLog) -> BTreeMap<String, Vec<(String, i64, String)>> {
    log.journeys()
        .map(|(c, tps, ts)| {
            let chs = log.channels_of(c).unwrap();
            assert_eq!(chs.len(), tps.len());
            let steps = (0..tps.len())
                .map(|i| {
                    (
                        log.touchpoint_label(tps[i]).unwrap().to_owned(),
                        ts[i],
                        log.channel_label(chs[i]).unwrap().to_owned(),
                    )
                })
                .collect();
            (log.customer_label(c).unwrap().to_owned(), steps)
        })
        .collect()
}

/// The same, computed directly from the rows: by customer, sorted by (time, input order).
fn reference(rows: &[(u8, u8, i64, u8)]) -> BTreeMap<String, Vec<(String, i64, String)>> {
    let mut by: BTreeMap<String, Vec<(i64, usize, String, String)>> = BTreeMap::new();
    for (i, &(c, t, ts, ch)) in rows.iter().enumerate() {
        by.entry(format!("c{c}"))
            .or_default()
            .push((ts, i, format!("t{t}"), format!("ch{ch}")));
    }
    by.into_iter()
        .map(|(c, mut evs)| {
            evs.sort();
            (
                c,
                evs.into_iter().map(|(ts, _, t, ch)| (t, ts, ch)).collect(),
            )
        })
        .collect()
}

/// Multisets of events per customer, ignoring the order of equal timestamps.
fn sorted(
    mut m: BTreeMap<String, Vec<(String, i64, String)>>,
) -> BTreeMap<String, Vec<(String, i64, String)>> {
    for v in m.values_mut() {
        v.sort();
    }
    m
}

proptest! {
    #[test]
    fn channels_follow_their_events(rows in rows()) {
        let log = log_of(&rows);
        prop_assert_eq!(labelled(&log), reference(&rows));
        // Event by event, through the input rows.
        for (i, &r) in log.input_rows().iter().enumerate() {
            let want = format!("ch{}", rows[r as usize].3);
            prop_assert_eq!(log.channel_label(log.channel_of_event(i).unwrap()), Some(want.as_str()));
        }
        prop_assert_eq!(log.channel_of_event(rows.len()), None);
    }

    #[test]
    fn shuffled_input_gives_the_same_channels(rows in rows(), seed in any::<u64>()) {
        // A Fisher-Yates shuffle driven by a small LCG, so the test needs no rand crate.
        let mut shuffled = rows.clone();
        let mut s = seed;
        for i in (1..shuffled.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (s >> 33) as usize % (i + 1));
        }
        prop_assert_eq!(sorted(labelled(&log_of(&rows))), sorted(labelled(&log_of(&shuffled))));
    }

    #[test]
    fn bytes_and_json_round_trip_with_channels(rows in rows(), with_values in any::<bool>()) {
        let c: Vec<u32> = rows.iter().map(|r| u32::from(r.0)).collect();
        let t: Vec<u32> = rows.iter().map(|r| u32::from(r.1)).collect();
        let ts: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let v: Vec<f64> = rows.iter().map(|r| f64::from(r.1) * 0.5).collect();
        let ch: Vec<u32> = rows.iter().map(|r| u32::from(r.3)).collect();
        let log = EventLog::from_columns(
            &c, (0..6).map(|i| format!("c{i}")).collect(),
            &t, (0..5).map(|i| format!("t{i}")).collect(),
            &ts, with_values.then_some(v.as_slice()),
        ).unwrap().with_channels(&ch, vec!["web".into(), "app".into(), "store".into()]).unwrap();
        let back = EventLog::from_bytes(&log.to_bytes()).unwrap();
        prop_assert_eq!(&back, &log);
        prop_assert_eq!(back.channel_labels(), ["web", "app", "store"]);
        let json = serde_json::to_string(&log).unwrap();
        prop_assert_eq!(&serde_json::from_str::<EventLog>(&json).unwrap(), &log);
    }

    /// Damaged bytes of a log with channels: an error or a log whose methods run.
    #[test]
    fn damaged_bytes_with_channels_never_panic(rows in rows(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut bytes = log_of(&rows).to_bytes();
        let i = at.index(bytes.len());
        if cut { bytes.truncate(i); } else { bytes[i] = byte; }
        match EventLog::from_bytes(&bytes) {
            Ok(log) => {
                let _ = (log.dfg(), log.channels_of(0), log.channel_column());
                for c in log.channel_column().unwrap_or_default() {
                    prop_assert!(log.channel_label(*c).is_some());
                }
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Json),
        }
    }

    /// When the channel is a function of the touchpoint, the log's channels and a
    /// touchpoint→channel mapping give the same comparison.
    #[test]
    fn event_channels_agree_with_a_mapping(rows in rows(), scores in prop::collection::vec((0u8..6, 0i64..35, 0u8..11), 0..40)) {
        let mapped: Vec<(u8, u8, i64, u8)> = rows.iter().map(|&(c, t, ts, _)| (c, t, ts, t % 3)).collect();
        let log = log_of(&mapped);
        // channel_of by touchpoint code, with channel codes as the log numbers them.
        let channel_of: Vec<u32> = log.touchpoint_labels().iter().map(|t| {
            let tp: u8 = t[1..].parse().unwrap();
            let label = format!("ch{}", tp % 3);
            log.channel_labels().iter().position(|l| *l == label).unwrap() as u32
        }).collect();
        let who: Vec<String> = scores.iter().map(|s| format!("c{}", s.0)).collect();
        let who: Vec<&str> = who.iter().map(String::as_str).collect();
        let at: Vec<i64> = scores.iter().map(|s| s.1).collect();
        let score: Vec<u8> = scores.iter().map(|s| s.2).collect();
        let join = log.with_feedback(&who, &at, &score, None).unwrap();
        prop_assert_eq!(join.event_channel_consistency(0.9).unwrap(), join.channel_consistency(&channel_of, 0.9).unwrap());
    }
}

#[test]
fn a_code_without_a_label_names_the_column_and_row() {
    let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 5), ("b", "x", 1)]).unwrap();
    let e = log
        .clone()
        .with_channels(&[0, 1, 2], vec!["web".into(), "app".into()])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    let msg = e.to_string();
    assert!(msg.contains("channel") && msg.contains("row 2"), "{msg}");
    let e = log
        .with_channels(&[0, 1], vec!["web".into(), "app".into()])
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LengthMismatch);
    assert!(e.to_string().contains("channels"), "{e}");
}

#[test]
fn hostile_serialized_channels_are_rejected() {
    let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 5), ("b", "x", 1)])
        .unwrap()
        .with_channel_ids(&["web", "app", "web"])
        .unwrap();
    let json = serde_json::to_value(&log).unwrap();
    let broken = |key: &str, value: serde_json::Value| {
        let mut j = json.clone();
        j[key] = value;
        serde_json::from_value::<EventLog>(j)
            .unwrap_err()
            .to_string()
    };
    assert!(broken("channel", serde_json::json!([0, 7, 1])).contains("channel code `7`"));
    assert!(broken("channel", serde_json::json!([0, 1])).contains("channel column differs"));
    assert!(broken("channel", serde_json::Value::Null).contains("no channel column"));
    // A state written before channels existed still reads.
    let mut old = json.clone();
    let obj = old.as_object_mut().unwrap();
    obj.remove("channel");
    obj.remove("channels");
    let plain = serde_json::from_value::<EventLog>(old).unwrap();
    assert!(!plain.has_channels());
    // Bytes: a channel code past the labels is an error, as is an unknown flag.
    let mut bytes = log.to_bytes();
    let flags = 8 + 3 * 8;
    assert_eq!(bytes[flags], 2);
    let mut bad_flag = bytes.clone();
    bad_flag[flags] = 4;
    assert!(
        EventLog::from_bytes(&bad_flag)
            .unwrap_err()
            .to_string()
            .contains("flags")
    );
    // Columns from the end: rows (3 × 4), offsets (3 × 8), channels (3 × 4).
    let channel_at = bytes.len() - 12 - 24 - 12;
    bytes[channel_at] = 9;
    assert!(
        EventLog::from_bytes(&bytes)
            .unwrap_err()
            .to_string()
            .contains("channel code `9`")
    );
}

#[test]
fn event_channels_can_differ_for_one_touchpoint() {
    // Every event is the touchpoint "buy", on different channels: a touchpoint→channel
    // mapping cannot express this. Per customer, mean score after web minus after store:
    // a: 6 − 9, b: (7 + 5) / 2 − 9, c: 8 − 10, d: only web (left out).
    let log = EventLog::from_rows(&[
        ("a", "buy", 0),
        ("a", "buy", 10),
        ("b", "buy", 0),
        ("b", "buy", 10),
        ("b", "buy", 20),
        ("c", "buy", 10),
        ("c", "buy", 0),
        ("d", "buy", 0),
    ])
    .unwrap()
    .with_channel_ids(&["web", "store", "web", "store", "web", "store", "web", "web"])
    .unwrap();
    let join = log
        .with_feedback(
            &["a", "a", "b", "b", "b", "c", "c", "d"],
            &[5, 15, 5, 15, 25, 5, 15, 5],
            &[6, 9, 7, 9, 5, 8, 10, 3],
            None,
        )
        .unwrap();
    let pairs = join.event_channel_consistency(0.95).unwrap();
    assert_eq!(pairs.len(), 1);
    let p = &pairs[0];
    assert_eq!(
        (log.channel_label(p.a), log.channel_label(p.b)),
        (Some("web"), Some("store"))
    );
    assert_eq!(p.customers, 3);
    let diffs = [6.0 - 9.0, 6.0 - 9.0, 8.0 - 10.0];
    let mean = diffs.iter().sum::<f64>() / 3.0;
    assert!((p.difference.unwrap().value - mean).abs() < 1e-12);
    assert!((p.spread.unwrap().value + mean).abs() < 1e-12);
    // Without a channel column the event path is an error naming the column.
    let plain = EventLog::from_rows(&[("a", "buy", 0)]).unwrap();
    let e = plain
        .with_feedback(&["a"], &[1], &[5], None)
        .unwrap()
        .event_channel_consistency(0.95)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(e.to_string().contains("channel"), "{e}");
}
