//! Public-contract tests of `cem_core::journey`: invariants by proptest and brute-force
//! references written independently of the kernels.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use std::collections::{BTreeMap, BTreeSet};

use cem_core::ErrorKind;
use cem_core::journey::EventLog;
use proptest::prelude::*;

/// Per directly-follows pair: count, distinct customers and durations.
type PairStats = (u64, BTreeSet<String>, Vec<i64>);

/// Rows of (customer, touchpoint, time) over small alphabets.
fn rows() -> impl Strategy<Value = Vec<(u8, u8, i64)>> {
    prop::collection::vec((0u8..6, 0u8..5, 0i64..50), 0..80)
}

fn log_of(rows: &[(u8, u8, i64)]) -> EventLog {
    let owned: Vec<(String, String, i64)> = rows
        .iter()
        .map(|&(c, t, ts)| (format!("c{c}"), format!("t{t}"), ts))
        .collect();
    let refs: Vec<(&str, &str, i64)> = owned
        .iter()
        .map(|(c, t, ts)| (c.as_str(), t.as_str(), *ts))
        .collect();
    EventLog::from_rows(&refs).unwrap()
}

/// Journeys by customer label as touchpoint labels and times, sorted by (time, input order).
fn reference_journeys(rows: &[(u8, u8, i64)]) -> BTreeMap<String, Vec<(String, i64)>> {
    let mut by: BTreeMap<String, Vec<(i64, usize, String)>> = BTreeMap::new();
    for (i, &(c, t, ts)) in rows.iter().enumerate() {
        by.entry(format!("c{c}"))
            .or_default()
            .push((ts, i, format!("t{t}")));
    }
    by.into_iter()
        .map(|(c, mut evs)| {
            evs.sort();
            (c, evs.into_iter().map(|(ts, _, t)| (t, ts)).collect())
        })
        .collect()
}

fn labelled(log: &EventLog) -> BTreeMap<String, Vec<(String, i64)>> {
    log.journeys()
        .map(|(c, tps, ts)| {
            let steps = tps
                .iter()
                .zip(ts)
                .map(|(&t, &x)| (log.touchpoint_label(t).unwrap().to_owned(), x))
                .collect();
            (log.customer_label(c).unwrap().to_owned(), steps)
        })
        .collect()
}

/// Furthest funnel depth over all attempts, by exhaustive search of index choices.
fn brute_depth(steps: &[String], journey: &[(String, i64)], within: Option<i64>) -> usize {
    fn go(
        steps: &[String],
        j: &[(String, i64)],
        from: usize,
        depth: usize,
        t0: i64,
        within: Option<i64>,
    ) -> usize {
        if depth == steps.len() {
            return depth;
        }
        let mut best = depth;
        for i in from..j.len() {
            if j[i].0 == steps[depth] && within.is_none_or(|w| j[i].1 - t0 <= w) {
                best = best.max(go(steps, j, i + 1, depth + 1, t0, within));
            }
        }
        best
    }
    let mut best = 0;
    for (i, (tp, t0)) in journey.iter().enumerate() {
        if *tp == steps[0] {
            best = best.max(go(steps, journey, i + 1, 1, *t0, within));
            if within.is_none() {
                break;
            }
        }
    }
    best
}

proptest! {
    #[test]
    fn log_order_is_time_then_input_order(rows in rows()) {
        let log = log_of(&rows);
        prop_assert_eq!(labelled(&log), reference_journeys(&rows));
        prop_assert_eq!(log.len(), rows.len());
    }

    #[test]
    fn dfg_matches_a_pairwise_count(rows in rows()) {
        let log = log_of(&rows);
        let dfg = log.dfg();
        let journeys = reference_journeys(&rows);
        let mut want: BTreeMap<(String, String), PairStats> = BTreeMap::new();
        for (c, j) in &journeys {
            for w in j.windows(2) {
                let e = want.entry((w[0].0.clone(), w[1].0.clone())).or_default();
                e.0 += 1;
                e.1.insert(c.clone());
                e.2.push(w[1].1 - w[0].1);
            }
        }
        prop_assert_eq!(dfg.edges.len(), want.len());
        for e in &dfg.edges {
            let key = (log.touchpoint_label(e.source).unwrap().to_owned(), log.touchpoint_label(e.target).unwrap().to_owned());
            let (count, customers, mut ds) = want[&key].clone();
            prop_assert_eq!(e.count, count);
            prop_assert_eq!(e.customers, customers.len() as u64);
            ds.sort_unstable();
            let n = ds.len();
            let median = if n % 2 == 1 { ds[n / 2] as f64 } else { (ds[n / 2 - 1] + ds[n / 2]) as f64 / 2.0 };
            prop_assert_eq!(e.median_duration, median);
            let mean = ds.iter().sum::<i64>() as f64 / n as f64;
            prop_assert!((e.mean_duration - mean).abs() < 1e-9);
        }
        let total: u64 = dfg.edges.iter().map(|e| e.count).sum();
        prop_assert_eq!(total as usize, log.len() - log.customer_count());
        let starts: u64 = dfg.starts.iter().map(|s| s.1).sum();
        let ends: u64 = dfg.ends.iter().map(|s| s.1).sum();
        prop_assert_eq!(starts as usize, log.customer_count());
        prop_assert_eq!(ends as usize, log.customer_count());
    }

    #[test]
    fn variants_count_every_customer_once(rows in rows()) {
        let log = log_of(&rows);
        let variants = log.variants(None);
        let total: u64 = variants.iter().map(|v| v.count).sum();
        prop_assert_eq!(total as usize, log.customer_count());
        let distinct: BTreeSet<Vec<String>> = reference_journeys(&rows)
            .values()
            .map(|j| j.iter().map(|(t, _)| t.clone()).collect())
            .collect();
        prop_assert_eq!(variants.len(), distinct.len());
        prop_assert!(variants.windows(2).all(|w| w[0].count >= w[1].count));
    }

    #[test]
    fn funnel_matches_exhaustive_search(
        rows in rows(),
        steps in prop::collection::vec(0u8..5, 1..4),
        within in prop::option::of(0i64..30),
    ) {
        let log = log_of(&rows);
        let labels: Vec<String> = steps.iter().map(|s| format!("t{s}")).collect();
        let Some(codes) = labels.iter().map(|l| log.touchpoint_code(l)).collect::<Option<Vec<u32>>>() else {
            return Ok(()); // a step that never occurs has no code in this log
        };
        let funnel = log.funnel(&codes, within).unwrap();
        let mut want = vec![0u64; steps.len()];
        for j in reference_journeys(&rows).values() {
            for w in want.iter_mut().take(brute_depth(&labels, j, within)) {
                *w += 1;
            }
        }
        let got: Vec<u64> = funnel.steps.iter().map(|s| s.customers).collect();
        prop_assert_eq!(got.clone(), want);
        prop_assert!(got.windows(2).all(|w| w[0] >= w[1]));
        for s in &funnel.steps {
            prop_assert!((0.0..=1.0).contains(&s.from_start) && (0.0..=1.0).contains(&s.from_previous));
            if let Some(t) = &s.time {
                prop_assert!(t.min as f64 <= t.median && t.median <= t.p90 && t.p90 <= t.max as f64);
                prop_assert!(within.is_none_or(|w| t.max <= w));
                prop_assert_eq!(t.histogram.iter().map(|h| h.1).sum::<u64>(), s.customers);
            }
        }
    }

    #[test]
    fn shuffled_input_with_distinct_times_gives_the_same_graph(
        rows in rows(), seed in any::<u64>(),
    ) {
        // Distinct times per row, so the order does not depend on input order.
        let rows: Vec<_> = rows.iter().enumerate().map(|(i, &(c, t, _))| (c, t, (i as i64 * 7919) % 1009)).collect();
        let mut shuffled = rows.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let (a, b) = (log_of(&rows), log_of(&shuffled));
        prop_assert_eq!(labelled(&a), labelled(&b));
        let edges = |log: &EventLog| -> BTreeMap<(String, String), u64> {
            log.dfg().edges.iter().map(|e| ((log.touchpoint_label(e.source).unwrap().to_owned(), log.touchpoint_label(e.target).unwrap().to_owned()), e.count)).collect()
        };
        prop_assert_eq!(edges(&a), edges(&b));
    }

    #[test]
    fn sessions_split_at_gaps_strictly_greater(rows in rows(), gap in 0i64..20) {
        let log = log_of(&rows);
        let s = log.sessions(gap).unwrap();
        prop_assert_eq!(s.of_event.len(), log.len());
        prop_assert_eq!(s.sessions.iter().map(|x| x.events as usize).sum::<usize>(), log.len());
        let mut want = 0usize;
        for j in reference_journeys(&rows).values() {
            want += 1 + j.windows(2).filter(|w| w[1].1 - w[0].1 > gap).count();
        }
        prop_assert_eq!(s.sessions.len(), want);
    }
}

/// Absorption probability into conversion by a dense linear solve (Gaussian elimination),
/// independent of the kernel's iteration: p = Q p + r over the transient states.
fn solve_conversion(
    journeys: &BTreeMap<String, Vec<(String, i64)>>,
    goal: &str,
    removed: Option<&str>,
) -> f64 {
    let mut names: Vec<String> = vec!["START".into()];
    let mut counts: BTreeMap<(String, String), f64> = BTreeMap::new();
    for j in journeys.values() {
        let mut from = "START".to_owned();
        let mut end = "NULL".to_owned();
        for (t, _) in j {
            if t == goal {
                end = "CONV".into();
                break;
            }
            if !names.contains(t) {
                names.push(t.clone());
            }
            *counts.entry((from.clone(), t.clone())).or_default() += 1.0;
            from = t.clone();
        }
        *counts.entry((from, end)).or_default() += 1.0;
    }
    let k = names.len();
    let idx = |s: &str| names.iter().position(|n| n == s);
    let mut a = vec![vec![0.0; k + 1]; k]; // [I - Q | r]
    for (i, row) in a.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    let mut totals = vec![0.0; k];
    for ((f, _), c) in &counts {
        totals[idx(f).unwrap()] += c;
    }
    for ((f, t), c) in &counts {
        let i = idx(f).unwrap();
        if removed == Some(f.as_str()) {
            continue; // a removed state is a dead end: its row stays p_i = 0
        }
        let q = c / totals[i];
        if t == "CONV" {
            a[i][k] += q;
        } else if let Some(j) = idx(t)
            && removed != Some(t.as_str())
        {
            a[i][j] -= q;
        }
    }
    for col in 0..k {
        let piv = (col..k)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap();
        a.swap(col, piv);
        let p = a[col][col];
        for c in col..=k {
            a[col][c] /= p;
        }
        for r in 0..k {
            if r != col {
                let f = a[r][col];
                for c in col..=k {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    a[0][k]
}

proptest! {
    #[test]
    fn removal_effects_match_a_linear_solve(rows in rows(), goal in 0u8..5) {
        let log = log_of(&rows);
        let goal_label = format!("t{goal}");
        let Some(code) = log.touchpoint_code(&goal_label) else { return Ok(()); };
        let journeys = reference_journeys(&rows);
        let Ok(a) = log.removal_effects(code) else {
            prop_assert!(journeys.values().all(|j| j.iter().all(|(t, _)| *t != goal_label)));
            return Ok(());
        };
        let want = solve_conversion(&journeys, &goal_label, None);
        prop_assert!((a.conversion - want).abs() < 1e-9, "{} vs {}", a.conversion, want);
        for e in &a.effects {
            let label = log.touchpoint_label(e.touchpoint).unwrap();
            let without = solve_conversion(&journeys, &goal_label, Some(label));
            prop_assert!((e.conversion_without - without).abs() < 1e-9, "{label}: {} vs {}", e.conversion_without, without);
            prop_assert!((-1e-12..=1.0 + 1e-12).contains(&e.effect));
        }
    }

    #[test]
    fn next_step_probabilities_sum_to_one(rows in rows()) {
        let log = log_of(&rows);
        for t in 0..log.touchpoint_count() as u32 {
            let next = log.next_step(t);
            let total: f64 = next.iter().map(|x| x.1).sum();
            prop_assert!(next.is_empty() || (total - 1.0).abs() < 1e-12);
        }
    }

    #[test]
    fn paths_from_a_start_count_its_occurrences(rows in rows(), depth in 1usize..4) {
        let log = log_of(&rows);
        for t in 0..log.touchpoint_count() as u32 {
            let occurrences = log.touchpoint_column().iter().filter(|&&x| x == t).count() as u64;
            let after: u64 = log.paths(Some(t), None, depth, None).unwrap().iter().map(|p| p.count).sum();
            let before: u64 = log.paths(None, Some(t), depth, None).unwrap().iter().map(|p| p.count).sum();
            prop_assert_eq!(after, occurrences);
            prop_assert_eq!(before, occurrences);
        }
    }
}

#[test]
fn bad_input_is_named() {
    let e = EventLog::from_columns(
        &[0, 0],
        vec!["a".into()],
        &[0],
        vec!["x".into()],
        &[0, 1],
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LengthMismatch);
    let e = EventLog::from_columns(
        &[0, 0],
        vec!["a".into()],
        &[0, 3],
        vec!["x".into()],
        &[0, 1],
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert!(e.to_string().contains("touchpoint code at row 1"), "{e}");
    let e = EventLog::from_columns(
        &[0],
        vec!["a".into()],
        &[0],
        vec!["x".into()],
        &[0],
        Some(&[f64::NAN]),
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidNumber);
    let log = EventLog::from_rows(&[("a", "x", 0)]).unwrap();
    assert_eq!(
        log.funnel(&[], None).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert!(
        log.funnel(&[7], None)
            .unwrap_err()
            .to_string()
            .contains("`7`")
    );
    assert_eq!(
        log.funnel(&[0], Some(-1)).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    assert_eq!(
        log.sessions(-5).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn sample_retailer_app_outage_sends_customers_from_checkout_to_chat() {
    // The sample's planted effect 2: in-app payment fails often in March–May 2026, and some
    // of those customers turn to chat. The funnel app checkout -> chat within an hour finds it.
    use cem_core::sample;
    let company = sample::retailer(42, 2_000).unwrap();
    let (start, end) = sample::app_outage();
    let outage = start..end;
    let (during, outside): (Vec<_>, Vec<_>) = company
        .interactions
        .iter()
        .cloned()
        .partition(|i| outage.contains(&i.time));
    let completion = |rows: &[cem_core::model::Interaction]| {
        let log = EventLog::from_interactions(rows).unwrap();
        let (Some(checkout), Some(chat)) = (
            log.touchpoint_code(sample::tp::APP_CHECKOUT),
            log.touchpoint_code(sample::tp::CHAT_SUPPORT),
        ) else {
            panic!("the sample has app checkout and chat touchpoints");
        };
        let f = log.funnel(&[checkout, chat], Some(3_600)).unwrap();
        (f.steps[1].from_previous, f.steps[0].customers)
    };
    let ((a, n_a), (b, n_b)) = (completion(&during), completion(&outside));
    assert!(n_a > 100 && n_b > 100, "{n_a} {n_b}");
    assert!(
        a > 2.0 * b && a - b > 0.05,
        "app checkout -> chat within an hour: {a:.3} during the outage vs {b:.3} outside"
    );
}

proptest! {
    #[test]
    fn feedback_join_finds_the_last_touchpoint_at_or_before(
        rows in rows(),
        fb in prop::collection::vec((0u8..7, 0i64..60, 0u8..=10), 0..30),
        window in prop::option::of(0i64..20),
    ) {
        let log = log_of(&rows);
        let journeys = reference_journeys(&rows);
        let names: Vec<String> = fb.iter().map(|(c, _, _)| format!("c{c}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let times: Vec<i64> = fb.iter().map(|f| f.1).collect();
        let scores: Vec<u8> = fb.iter().map(|f| f.2).collect();
        let join = log.with_feedback(&refs, &times, &scores, window).unwrap();
        for (row, name) in join.rows.iter().zip(&names) {
            let t = times[row.index];
            let before: Vec<&(String, i64)> = journeys.get(name).map(|j| j.iter().filter(|(_, x)| *x <= t).collect()).unwrap_or_default();
            let want_last = before.last().map(|(tp, _)| tp.clone());
            prop_assert_eq!(row.last.map(|c| log.touchpoint_label(c).unwrap().to_owned()), want_last);
            if let Some(w) = window {
                let want: BTreeSet<String> = before.iter().filter(|(_, x)| *x >= t - w).map(|(tp, _)| tp.clone()).collect();
                let got: BTreeSet<String> = row.within.iter().map(|&c| log.touchpoint_label(c).unwrap().to_owned()).collect();
                prop_assert_eq!(got, want);
            }
        }
    }
}

#[test]
fn pain_point_figures_follow_their_definitions() {
    use cem_core::metrics::{Nps, ScoreMetric};
    // Three customers call (then answer 0), five visit the store (then answer 10), and two
    // of the store customers also answer 8 after the web.
    let mut rows = Vec::new();
    let (mut who, mut when, mut score) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..3 {
        rows.push((format!("call{i}"), "call", 0));
        who.push(format!("call{i}"));
        when.push(1);
        score.push(0u8);
    }
    for i in 0..5 {
        rows.push((format!("shop{i}"), "store", 0));
        who.push(format!("shop{i}"));
        when.push(1);
        score.push(10u8);
        if i < 2 {
            rows.push((format!("shop{i}"), "web", 5));
            who.push(format!("shop{i}"));
            when.push(6);
            score.push(8u8);
        }
    }
    let refs: Vec<(&str, &str, i64)> = rows.iter().map(|(c, t, x)| (c.as_str(), *t, *x)).collect();
    let log = EventLog::from_rows(&refs).unwrap();
    let who_refs: Vec<&str> = who.iter().map(String::as_str).collect();
    let join = log.with_feedback(&who_refs, &when, &score, None).unwrap();
    let pains = join.pain_points(&log, ScoreMetric::Nps, 0.95, 1).unwrap();
    let call = pains
        .iter()
        .find(|p| log.touchpoint_label(p.touchpoint) == Some("call"))
        .unwrap();
    // After the call: 3 detractors, NPS −100; the rest: 5 promoters and 2 passives, NPS 500/7.
    assert_eq!(call.after.value, -100.0);
    assert!((call.rest.value - 500.0 / 7.0).abs() < 1e-9);
    assert!((call.impact - (500.0 / 7.0 + 100.0) * 3.0 / 10.0).abs() < 1e-9);
    let (mut a, mut b) = (Nps::new(), Nps::new());
    a.push_many(&[0, 0, 0]).unwrap();
    b.push_many(&[10, 10, 10, 10, 10, 8, 8]).unwrap();
    assert_eq!(call.difference, a.compare(&b, 0.95).unwrap());
    assert_eq!(call.customers, 3);
    assert_eq!(call.drop_off, 1.0);
    let store = pains
        .iter()
        .find(|p| log.touchpoint_label(p.touchpoint) == Some("store"))
        .unwrap();
    assert!((store.drop_off - 3.0 / 5.0).abs() < 1e-12);
    assert_eq!(log.touchpoint_label(pains[0].touchpoint), Some("call"));
    // A score off the scale names the response.
    let bad = log.with_feedback(&["call0"], &[1], &[11], None).unwrap();
    let err = bad
        .pain_points(&log, ScoreMetric::Nps, 0.95, 1)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert!(err.to_string().contains("response 0"), "{err}");
}

proptest! {
    /// Session ids come back in input order: row i's session belongs to row i's customer and
    /// spans its time, and the rows of one session are exactly the customer's events between
    /// gaps (a brute-force split of the reference journeys).
    #[test]
    fn session_ids_follow_the_input_rows(rows in rows(), gap in 0i64..20) {
        let log = log_of(&rows);
        let s = log.sessions(gap).unwrap();
        prop_assert_eq!(s.of_event.len(), rows.len());
        for (i, &(c, _, ts)) in rows.iter().enumerate() {
            let session = s.sessions[s.of_event[i] as usize];
            prop_assert_eq!(log.customer_label(session.customer).unwrap(), format!("c{c}"));
            prop_assert!(session.start <= ts && ts <= session.end);
        }
        // Brute force: sort each customer's rows by (time, row), split at gaps > gap, and
        // check that rows in one reference session share one id and different ones differ.
        let mut by: BTreeMap<u8, Vec<(i64, usize)>> = BTreeMap::new();
        for (i, &(c, _, ts)) in rows.iter().enumerate() {
            by.entry(c).or_default().push((ts, i));
        }
        let mut ids = BTreeSet::new();
        for evs in by.values_mut() {
            evs.sort();
            let mut current = s.of_event[evs[0].1];
            prop_assert!(ids.insert(current));
            for w in evs.windows(2) {
                let id = s.of_event[w[1].1];
                if w[1].0 - w[0].0 > gap {
                    prop_assert!(ids.insert(id), "a new session gets a new id");
                    current = id;
                } else {
                    prop_assert_eq!(id, current);
                }
            }
        }
        prop_assert_eq!(ids.len(), s.sessions.len());
    }

    #[test]
    fn input_rows_are_the_permutation_to_the_log_order(rows in rows()) {
        let log = log_of(&rows);
        let mut seen = log.input_rows().to_vec();
        seen.sort_unstable();
        prop_assert_eq!(seen, (0..rows.len() as u32).collect::<Vec<_>>());
        let times = log.time_column();
        for (k, &r) in log.input_rows().iter().enumerate() {
            prop_assert_eq!(times[k], rows[r as usize].2);
            prop_assert_eq!(log.touchpoint_label(log.touchpoint_column()[k]).unwrap(), format!("t{}", rows[r as usize].1));
        }
    }

    #[test]
    fn starts_and_ends_are_the_first_and_last_touchpoints(rows in rows()) {
        let log = log_of(&rows);
        let count = |end: bool| {
            let mut m: BTreeMap<String, u64> = BTreeMap::new();
            for evs in reference_journeys(&rows).values() {
                let e = if end { evs.last() } else { evs.first() };
                *m.entry(e.unwrap().0.clone()).or_default() += 1;
            }
            m
        };
        let named = |v: Vec<(u32, u64)>| -> BTreeMap<String, u64> {
            v.into_iter().map(|(t, k)| (log.touchpoint_label(t).unwrap().to_owned(), k)).collect()
        };
        prop_assert_eq!(named(log.starts()), count(false));
        prop_assert_eq!(named(log.ends()), count(true));
        let dfg = log.dfg();
        prop_assert_eq!(log.starts(), dfg.starts);
        prop_assert_eq!(log.ends(), dfg.ends);
    }

    #[test]
    fn integer_ids_give_the_same_log_as_their_text(rows in rows()) {
        let c: Vec<i64> = rows.iter().map(|r| i64::from(r.0) * 1_000_000_007 - 3).collect();
        let t: Vec<u32> = rows.iter().map(|r| u32::from(r.1)).collect();
        let ts: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let by_id = EventLog::from_ids(&c, &t, &ts, None).unwrap();
        let text: Vec<(String, String, i64)> = rows.iter().zip(&c).map(|(r, c)| (c.to_string(), r.1.to_string(), r.2)).collect();
        let refs: Vec<(&str, &str, i64)> = text.iter().map(|(a, b, x)| (a.as_str(), b.as_str(), *x)).collect();
        prop_assert_eq!(&by_id, &EventLog::from_rows(&refs).unwrap());
        let u: Vec<u64> = c.iter().map(|&x| x as u64).collect();
        prop_assert_eq!(EventLog::from_ids(&u, &t, &ts, None).unwrap().variants(None), by_id.variants(None));
    }

    #[test]
    fn bytes_and_json_round_trip(rows in rows(), with_values in any::<bool>()) {
        let log = log_of(&rows);
        let log = if with_values {
            let (c, t, ts): (Vec<u32>, Vec<u32>, Vec<i64>) = (
                rows.iter().map(|r| u32::from(r.0)).collect(),
                rows.iter().map(|r| u32::from(r.1)).collect(),
                rows.iter().map(|r| r.2).collect(),
            );
            let v: Vec<f64> = rows.iter().map(|r| f64::from(r.1) * 0.1).collect();
            EventLog::from_columns(&c, (0..6).map(|i| format!("c{i}")).collect(), &t, (0..5).map(|i| format!("t{i}")).collect(), &ts, Some(&v)).unwrap()
        } else { log };
        prop_assert_eq!(&EventLog::from_bytes(&log.to_bytes()).unwrap(), &log);
        let json = serde_json::to_string(&log).unwrap();
        prop_assert_eq!(&serde_json::from_str::<EventLog>(&json).unwrap(), &log);
    }

    /// Damaged bytes: an error or a log whose methods run, never a panic.
    #[test]
    fn damaged_bytes_never_panic(rows in rows(), at in any::<prop::sample::Index>(), byte in any::<u8>(), cut in any::<bool>()) {
        let mut bytes = log_of(&rows).to_bytes();
        let i = at.index(bytes.len());
        if cut { bytes.truncate(i); } else { bytes[i] = byte; }
        match EventLog::from_bytes(&bytes) {
            Ok(log) => {
                let _ = (log.dfg(), log.variants(None), log.sessions(5), log.starts());
            }
            Err(e) => prop_assert_eq!(e.kind(), ErrorKind::Json),
        }
    }
}

#[test]
fn hostile_serialized_logs_are_rejected() {
    let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 5), ("b", "x", 1)]).unwrap();
    let json = serde_json::to_value(&log).unwrap();
    let broken = |key: &str, value: serde_json::Value| {
        let mut j = json.clone();
        j[key] = value;
        serde_json::from_value::<EventLog>(j)
            .unwrap_err()
            .to_string()
    };
    assert!(broken("touchpoint", serde_json::json!([0, 7, 1])).contains("touchpoint code `7`"));
    assert!(broken("time", serde_json::json!([5, 0, 1])).contains("time order"));
    assert!(broken("rows", serde_json::json!([0, 0, 2])).contains("permutation"));
    assert!(broken("offsets", serde_json::json!([0, 2, 9])).contains("offsets"));
    assert!(broken("time", serde_json::json!([0, 5])).contains("length"));
    let bytes = log.to_bytes();
    assert!(
        EventLog::from_bytes(b"not a log at all")
            .unwrap_err()
            .to_string()
            .contains("magic")
    );
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(
        EventLog::from_bytes(&longer)
            .unwrap_err()
            .to_string()
            .contains("trailing")
    );
    // A huge count cannot make the reader allocate.
    let mut huge = bytes.clone();
    huge[8..16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert_eq!(
        EventLog::from_bytes(&huge).unwrap_err().kind(),
        ErrorKind::Json
    );
}
