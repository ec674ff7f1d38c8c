//! Public-contract tests of `cem_core::metrics`: invariants by proptest, independent
//! re-computations of the published formulas, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use cem_core::ErrorKind;
use cem_core::metrics::{
    Ces, CesScale, Csat, Mean, Method, NetSatisfaction, Nps, Proportion, chi_square_independence,
};
use proptest::prelude::*;

fn nps_of(scores: &[u8]) -> Nps {
    let mut n = Nps::new();
    n.push_many(scores).unwrap();
    n
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * (1.0 + a.abs().max(b.abs()))
}

proptest! {
    #[test]
    fn nps_merge_is_associative_commutative_and_one_pass(
        a in prop::collection::vec(0u8..=10, 0..50),
        b in prop::collection::vec(0u8..=10, 0..50),
        c in prop::collection::vec(0u8..=10, 0..50),
    ) {
        let (na, nb, nc) = (nps_of(&a), nps_of(&b), nps_of(&c));
        let mut left = na.clone();
        left.merge(&nb).unwrap();
        left.merge(&nc).unwrap();
        let mut bc = nb.clone();
        bc.merge(&nc).unwrap();
        let mut right = na.clone();
        right.merge(&bc).unwrap();
        let mut swapped = nc.clone();
        swapped.merge(&nb).unwrap();
        swapped.merge(&na).unwrap();
        let all: Vec<u8> = a.iter().chain(&b).chain(&c).copied().collect();
        let one = nps_of(&all);
        prop_assert_eq!(&left, &one);
        prop_assert_eq!(&right, &one);
        prop_assert_eq!(&swapped, &one);
    }

    #[test]
    fn weighted_merge_equals_one_pass_within_rounding(
        rows in prop::collection::vec((0u8..=10, 0.0f64..10.0), 1..80),
        cut in 0usize..80,
    ) {
        let cut = cut.min(rows.len());
        let push = |rs: &[(u8, f64)]| {
            let mut n = Nps::new();
            let mut m = Mean::new();
            for &(s, w) in rs {
                n.push_weighted(s, w).unwrap();
                m.push_weighted(f64::from(s), w).unwrap();
            }
            (n, m)
        };
        let (mut n1, mut m1) = push(&rows[..cut]);
        let (n2, m2) = push(&rows[cut..]);
        n1.merge(&n2).unwrap();
        m1.merge(&m2).unwrap();
        let (n_all, m_all) = push(&rows);
        if let (Ok(x), Ok(y)) = (n1.estimate(0.95), n_all.estimate(0.95)) {
            prop_assert!(close(x.value, y.value, 1e-9) && close(x.low, y.low, 1e-9) && close(x.high, y.high, 1e-9));
            prop_assert!(close(x.n_eff, y.n_eff, 1e-9));
        }
        if let (Ok(x), Ok(y)) = (m1.estimate(0.95), m_all.estimate(0.95)) {
            prop_assert!(close(x.value, y.value, 1e-9), "{} {}", x.value, y.value);
            prop_assert!(close(x.se, y.se, 1e-7), "{} {}", x.se, y.se);
        }
    }

    #[test]
    fn estimates_stay_in_range(
        scores in prop::collection::vec(0u8..=10, 1..200),
        confidence in 0.5f64..0.999,
        weights in prop::collection::vec(0.01f64..5.0, 200),
    ) {
        let mut nps = Nps::new();
        let mut csat = Csat::with_scale(10, 3).unwrap();
        let mut ns = NetSatisfaction::new();
        let mut ces = Ces::new();
        for (&s, &w) in scores.iter().zip(&weights) {
            nps.push_weighted(s, w).unwrap();
            if s >= 1 {
                csat.push_weighted(s, w).unwrap();
                ns.push(s.div_ceil(2).clamp(1, 5)).unwrap();
                ces.push(s.clamp(1, 7)).unwrap();
            }
        }
        for m in [Method::AdjustedWald, Method::Wald] {
            let e = nps.estimate_with(confidence, m).unwrap();
            prop_assert!(-100.0 <= e.low && e.low <= e.high && e.high <= 100.0);
            prop_assert!((-100.0..=100.0).contains(&e.value));
            prop_assert!(e.n_eff <= e.n as f64 + 1e-9);
        }
        if csat.n() > 0 {
            for m in [Method::Wilson, Method::AgrestiCoull, Method::Wald] {
                let e = csat.estimate_with(confidence, m).unwrap();
                prop_assert!(0.0 <= e.low && e.low <= e.high && e.high <= 1.0);
                prop_assert!((0.0..=1.0).contains(&e.value));
                if m == Method::Wilson {
                    prop_assert!(e.low <= e.value + 1e-12 && e.value <= e.high + 1e-12);
                }
            }
            let e = ns.estimate(confidence).unwrap();
            prop_assert!(-100.0 <= e.low && e.high <= 100.0);
            let a = ces.agree(confidence).unwrap();
            prop_assert!(0.0 <= a.low && a.high <= 1.0);
        }
    }

    #[test]
    fn adjusted_wald_matches_the_published_formula(p in 0u64..200, pa in 0u64..200, d in 0u64..200) {
        prop_assume!(p + pa + d > 0);
        let mut nps = Nps::new();
        nps.push_many(&vec![10; p as usize]).unwrap();
        nps.push_many(&vec![7; pa as usize]).unwrap();
        nps.push_many(&vec![0; d as usize]).unwrap();
        let e = nps.estimate(0.95).unwrap();
        // Sauro & Lewis adjusted Wald, written out independently.
        let n = (p + pa + d) as f64;
        let n1 = n + 3.0;
        let pp = (p as f64 + 0.75) / n1;
        let dd = (d as f64 + 0.75) / n1;
        let se = ((pp + dd - (pp - dd).powi(2)) / n1).sqrt();
        let z = 1.959963984540054;
        prop_assert!(close(e.value, 100.0 * (p as f64 - d as f64) / n, 1e-12));
        prop_assert!(close(e.low, (100.0 * (pp - dd - z * se)).max(-100.0), 1e-12));
        prop_assert!(close(e.high, (100.0 * (pp - dd + z * se)).min(100.0), 1e-12));
    }

    #[test]
    fn unit_weights_equal_unweighted(scores in prop::collection::vec(1u8..=5, 2..100)) {
        let mut a = Csat::new();
        let mut b = Csat::new();
        a.push_many(&scores).unwrap();
        b.push_many_weighted(&scores, &vec![1.0; scores.len()]).unwrap();
        prop_assert_eq!(a.estimate(0.9).unwrap(), b.estimate(0.9).unwrap());
        prop_assert_eq!(a.mean(0.9).unwrap(), b.mean(0.9).unwrap());
    }

    #[test]
    fn accumulator_json_round_trips(scores in prop::collection::vec(1u8..=7, 0..40)) {
        let mut ces = Ces::new();
        ces.push_many(&scores).unwrap();
        let back: Ces = serde_json::from_str(&serde_json::to_string(&ces).unwrap()).unwrap();
        prop_assert_eq!(back, ces);
    }

    #[test]
    fn deserializing_arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = serde_json::from_str::<Nps>(&text);
        let _ = serde_json::from_str::<Csat>(&text);
        let _ = serde_json::from_str::<Mean>(&text);
    }

    #[test]
    fn deserializing_hostile_counts_is_an_error_not_a_panic(
        min in 0u8..=12, max in 0u8..=12, len in 0usize..14,
    ) {
        let json = format!(
            "{{\"counts\":{{\"min\":{min},\"max\":{max},\"count\":{:?},\"weight\":{:?},\"weight_sq\":{:?}}}}}",
            vec![1u64; len], vec![1.0f64; len], vec![1.0f64; len],
        );
        let parsed = serde_json::from_str::<Nps>(&json);
        prop_assert_eq!(parsed.is_ok(), min == 0 && max == 10 && len == 11);
        if let Ok(nps) = parsed {
            let e = nps.estimate(0.95).unwrap();
            prop_assert!(e.value.is_finite());
        }
    }
}

#[test]
fn published_adjusted_wald_check() {
    // Issue #3 / Sauro & Lewis: P=50, passives 30, D=20 -> adjusted NPS 29.1, 95% CI [14.05, 44.20].
    let mut nps = Nps::new();
    nps.push_many(&[10; 50]).unwrap();
    nps.push_many(&[8; 30]).unwrap();
    nps.push_many(&[2; 20]).unwrap();
    let e = nps.estimate(0.95).unwrap();
    assert_eq!(e.value, 30.0);
    assert!((e.low - 14.05).abs() < 0.005, "{}", e.low);
    assert!((e.high - 44.20).abs() < 0.005, "{}", e.high);
    assert!(((e.low + e.high) / 2.0 - 29.1).abs() < 0.05);
    let b = nps.breakdown().unwrap();
    assert_eq!((b.promoters, b.passives, b.detractors), (0.5, 0.3, 0.2));
}

#[test]
fn kish_effective_n() {
    let mut nps = Nps::new();
    nps.push_many_weighted(&[10, 0, 8, 9], &[1.0, 2.0, 3.0, 4.0])
        .unwrap();
    let e = nps.estimate(0.95).unwrap();
    assert!((e.n_eff - 100.0 / 30.0).abs() < 1e-12);
    assert_eq!(e.n, 4);
    // weighted NPS: (1 + 4 - 2) / 10
    assert!((e.value - 30.0).abs() < 1e-12);
}

#[test]
fn bad_input_is_a_named_error() {
    let mut nps = Nps::new();
    let e = nps.push(11).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::OutOfRange);
    assert_eq!(e.to_string(), "NPS score `11` is outside 0..=10");
    let e = nps.push_many(&[1, 2, 42]).unwrap_err();
    assert!(
        e.to_string().contains("at position 2") && e.to_string().contains("`42`"),
        "{e}"
    );
    assert_eq!(nps.n(), 0, "a failed push_many adds nothing");
    for w in [f64::NAN, f64::INFINITY, -1.0] {
        let e = nps.push_weighted(9, w).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidNumber, "{w}");
    }
    let e = nps.push_many_weighted(&[1, 2], &[1.0]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LengthMismatch);
    let e = nps.estimate(0.95).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Empty);
    nps.push_weighted(9, 0.0).unwrap();
    assert!(
        nps.estimate(0.95)
            .unwrap_err()
            .to_string()
            .contains("all weights are zero")
    );
    nps.push(9).unwrap();
    for c in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        let e = nps.estimate(c).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::OutOfRange, "{c}");
        assert!(e.to_string().starts_with("confidence `"), "{e}");
    }
    assert_eq!(
        nps.estimate_with(0.95, Method::StudentT)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidArgument
    );
    let mut m = Mean::new();
    m.push(1.0).unwrap();
    assert_eq!(m.estimate(0.95).unwrap_err().kind(), ErrorKind::Undefined);
    let mut c5 = Csat::new();
    let c7 = Csat::with_scale(7, 2).unwrap();
    assert_eq!(c5.merge(&c7).unwrap_err().kind(), ErrorKind::Incompatible);
    let mut legacy = Ces::with_scale(CesScale::LegacyEffort5);
    assert_eq!(
        legacy.merge(&Ces::new()).unwrap_err().kind(),
        ErrorKind::Incompatible
    );
    assert_eq!(
        Proportion::new().estimate(0.95).unwrap_err().kind(),
        ErrorKind::Empty
    );
    let e = chi_square_independence(&[vec![1.0, -2.0], vec![1.0, 1.0]], false).unwrap_err();
    assert!(e.to_string().contains("row 0, column 1"), "{e}");
}
