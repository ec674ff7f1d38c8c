//! Key drivers and the perception gap against independent computations.
//!
//! - Published values: Johnson's relative weights of `mpg` on R's `mtcars` as printed by the
//!   R package rwa (martinctc/rwa, README and `vignettes/introduction-to-rwa`, 7 significant
//!   digits): cyl+disp+hp+gear → 0.2284797, 0.2221469, 0.2321744, 0.0963886, R² 0.7791896;
//!   and the diamonds example of `?rwa` (given as its correlation matrix).
//! - An independent OLS in this file (normal equations on the raw values, Gaussian
//!   elimination) for R², standardized betas and Shapley values by brute force over subsets.
//! - proptest: relative weights and Shapley values sum to R², are non-negative, do not depend
//!   on driver order or on a positive rescaling of a driver; bootstrap is deterministic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::needless_range_loop
)]

use cem_core::ErrorKind;
use cem_core::drivers::*;
use proptest::prelude::*;

fn mtcars() -> Vec<(String, Vec<f64>)> {
    let text = include_str!("../../tests/data/drivers/mtcars.csv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let mut cols: Vec<(String, Vec<f64>)> = header[1..]
        .iter()
        .map(|h| (h.to_string(), vec![]))
        .collect();
    for line in lines {
        for (c, v) in cols.iter_mut().zip(line.split(',').skip(1)) {
            c.1.push(v.parse().unwrap());
        }
    }
    cols
}

fn col<'a>(cols: &'a [(String, Vec<f64>)], name: &str) -> &'a [f64] {
    &cols.iter().find(|c| c.0 == name).unwrap().1
}

#[test]
fn relative_weights_match_the_published_mtcars_example() {
    let d = mtcars();
    let names = ["cyl", "disp", "hp", "gear"];
    let drivers: Vec<&[f64]> = names.iter().map(|n| col(&d, n)).collect();
    let kd = key_drivers(
        col(&d, "mpg"),
        &drivers,
        &names,
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap();
    let published = [0.2284797, 0.2221469, 0.2321744, 0.0963886];
    for (row, p) in kd.rows.iter().zip(published) {
        assert!(
            (row.importance - p).abs() < 5e-8,
            "{} {} {}",
            row.driver,
            row.importance,
            p
        );
    }
    assert!((kd.r2 - 0.7791896).abs() < 5e-8);
    // Rescaled weights (percent of R²): 29.32274, 28.50999, 29.79691, 12.37037.
    for (row, p) in kd.rows.iter().zip([29.32274, 28.50999, 29.79691, 12.37037]) {
        assert!((row.share * 100.0 - p).abs() < 5e-6);
    }
    let names = ["cyl", "disp", "hp", "wt"];
    let drivers: Vec<&[f64]> = names.iter().map(|n| col(&d, n)).collect();
    let kd = key_drivers(
        col(&d, "mpg"),
        &drivers,
        &names,
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap();
    for (row, p) in kd
        .rows
        .iter()
        .zip([0.2096904, 0.1883043, 0.1799590, 0.2706812])
    {
        assert!((row.importance - p).abs() < 5e-8);
    }
}

/// Ordinary least squares with an intercept on raw values: R², and the slopes.
fn ols(y: &[f64], xs: &[&[f64]]) -> (f64, Vec<f64>) {
    let n = y.len();
    let k = xs.len() + 1;
    let row = |i: usize| -> Vec<f64> {
        let mut r = vec![1.0];
        r.extend(xs.iter().map(|x| x[i]));
        r
    };
    let mut a = vec![vec![0.0; k + 1]; k];
    for i in 0..n {
        let r = row(i);
        for p in 0..k {
            for q in 0..k {
                a[p][q] += r[p] * r[q];
            }
            a[p][k] += r[p] * y[i];
        }
    }
    // Gaussian elimination with partial pivoting.
    for c in 0..k {
        let piv = (c..k)
            .max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))
            .unwrap();
        a.swap(c, piv);
        for r in 0..k {
            if r != c {
                let f = a[r][c] / a[c][c];
                for j in c..=k {
                    a[r][j] -= f * a[c][j];
                }
            }
        }
    }
    let b: Vec<f64> = (0..k).map(|i| a[i][k] / a[i][i]).collect();
    let mean = y.iter().sum::<f64>() / n as f64;
    let (mut sse, mut sst) = (0.0, 0.0);
    for i in 0..n {
        let fit: f64 = row(i).iter().zip(&b).map(|(x, c)| x * c).sum();
        sse += (y[i] - fit).powi(2);
        sst += (y[i] - mean).powi(2);
    }
    (1.0 - sse / sst, b[1..].to_vec())
}

fn sd(x: &[f64]) -> f64 {
    let m = x.iter().sum::<f64>() / x.len() as f64;
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Shapley values by brute force: every subset refitted by OLS on the raw data.
fn brute_shapley(y: &[f64], xs: &[&[f64]]) -> Vec<f64> {
    let p = xs.len();
    let r2 = |mask: usize| -> f64 {
        if mask == 0 {
            return 0.0;
        }
        let sub: Vec<&[f64]> = (0..p)
            .filter(|j| mask & (1 << j) != 0)
            .map(|j| xs[j])
            .collect();
        ols(y, &sub).0
    };
    let fact = |n: usize| (1..=n).map(|v| v as f64).product::<f64>();
    let mut phi = vec![0.0; p];
    for mask in 0..(1usize << p) {
        let s = mask.count_ones() as usize;
        for j in 0..p {
            if mask & (1 << j) == 0 {
                let w = fact(s) * fact(p - s - 1) / fact(p);
                phi[j] += w * (r2(mask | (1 << j)) - r2(mask));
            }
        }
    }
    phi
}

/// Seeded correlated ratings: 1–10 scores driven by a shared factor.
fn ratings(n: usize, p: usize, seed: u64) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut next = move || {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64) / ((1u64 << 53) as f64)
    };
    let mut drivers = vec![Vec::with_capacity(n); p];
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let common = next() * 4.0;
        let mut t = 0.0;
        for (j, d) in drivers.iter_mut().enumerate() {
            let v = (1.0 + common + next() * 5.0).round().min(10.0);
            t += v * (j as f64 + 1.0) / p as f64;
            d.push(v);
        }
        y.push(t + next() * 3.0);
    }
    (y, drivers)
}

#[test]
fn betas_r2_and_shapley_agree_with_ols_on_raw_data() {
    let (y, drivers) = ratings(300, 5, 11);
    let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
    let names = ["a", "b", "c", "d", "e"];
    let (r2, slopes) = ols(&y, &xs);
    let beta = key_drivers(&y, &xs, &names, DriverMethod::Beta, None).unwrap();
    assert!((beta.r2 - r2).abs() < 1e-10);
    for (j, row) in beta.rows.iter().enumerate() {
        assert!((row.beta - slopes[j] * sd(xs[j]) / sd(&y)).abs() < 1e-9);
        assert_eq!(row.importance, row.beta);
    }
    // Pratt's shares sum to 1.
    assert!((beta.rows.iter().map(|r| r.share).sum::<f64>() - 1.0).abs() < 1e-12);
    let sh = key_drivers(&y, &xs, &names, DriverMethod::Shapley, None).unwrap();
    for (row, phi) in sh.rows.iter().zip(brute_shapley(&y, &xs)) {
        assert!(
            (row.importance - phi).abs() < 1e-9,
            "{} {}",
            row.importance,
            phi
        );
    }
    let total: f64 = sh.rows.iter().map(|r| r.importance).sum();
    assert!((total - r2).abs() < 1e-10);
    let c = key_drivers(&y, &xs, &names, DriverMethod::Correlation, None).unwrap();
    assert!((c.rows.iter().map(|r| r.share).sum::<f64>() - 1.0).abs() < 1e-12);
    assert_eq!(c.rows[0].importance, c.rows[0].correlation);
}

#[test]
fn published_diamonds_example_through_weights_of_a_correlation_matrix() {
    // ?rwa: RXX depth–carat 0.02822431, RXY (-0.0106474, 0.9215913) →
    // raw weights 0.000729149, 0.849946308, R² 0.8506755. Rebuild two standardized drivers
    // and a target with exactly these correlations (n = 3 rows per basis vector suffice:
    // use a 3-dimensional construction scaled up), then compare.
    let (r12, r1y, r2y) = (0.02822431f64, -0.0106474f64, 0.9215913f64);
    // Cholesky of the 3×3 correlation matrix gives vectors with these inner products.
    let l11 = 1.0;
    let l21 = r12;
    let l22 = (1.0 - r12 * r12).sqrt();
    let l31 = r1y;
    let l32 = (r2y - l21 * l31) / l22;
    let l33 = (1.0 - l31 * l31 - l32 * l32).sqrt();
    // Rows ±e_k give zero means and covariances equal to the inner products of the rows of L.
    let basis = [[l11, l21, l31], [0.0, l22, l32], [0.0, 0.0, l33]];
    let (mut x1, mut x2, mut y) = (vec![], vec![], vec![]);
    for b in basis {
        for s in [1.0, -1.0] {
            x1.push(s * b[0]);
            x2.push(s * b[1]);
            y.push(s * b[2]);
        }
    }
    let kd = key_drivers(
        &y,
        &[&x1, &x2],
        &["depth", "carat"],
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap();
    assert!((kd.rows[0].importance - 0.000729149).abs() < 5e-9);
    assert!((kd.rows[1].importance - 0.849946308).abs() < 5e-9);
    assert!((kd.r2 - 0.8506755).abs() < 5e-8);
}

#[test]
fn weights_equal_repeated_rows_and_missing_rows_are_dropped() {
    let (y, drivers) = ratings(60, 3, 5);
    let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
    let w: Vec<f64> = (0..60).map(|i| (i % 3) as f64).collect();
    let weighted = key_drivers(&y, &xs, &["a", "b", "c"], DriverMethod::Shapley, Some(&w)).unwrap();
    let rep = |v: &[f64]| -> Vec<f64> {
        v.iter()
            .zip(&w)
            .flat_map(|(x, k)| std::iter::repeat_n(*x, *k as usize))
            .collect()
    };
    let (yr, dr): (Vec<f64>, Vec<Vec<f64>>) = (rep(&y), drivers.iter().map(|d| rep(d)).collect());
    let xr: Vec<&[f64]> = dr.iter().map(Vec::as_slice).collect();
    let repeated = key_drivers(&yr, &xr, &["a", "b", "c"], DriverMethod::Shapley, None).unwrap();
    for (a, b) in weighted.rows.iter().zip(&repeated.rows) {
        assert!((a.importance - b.importance).abs() < 1e-12);
        assert!((a.performance - b.performance).abs() < 1e-12);
    }
    let mut y2 = y.clone();
    y2[4] = f64::NAN;
    let mut b2 = drivers[1].clone();
    b2[9] = f64::NAN;
    b2[4] = f64::NAN;
    let kd = key_drivers(
        &y2,
        &[xs[0], &b2, xs[2]],
        &["a", "b", "c"],
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap();
    assert_eq!((kd.n, kd.dropped), (58, 2));
    let opts = DriverOptions {
        missing: Missing::Error,
        ..DriverOptions::default()
    };
    let e = key_drivers_with(
        &y2,
        &[xs[0], &b2, xs[2]],
        &["a", "b", "c"],
        DriverMethod::Beta,
        None,
        &opts,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidNumber);
    assert!(e.to_string().contains("`target` at row 4"), "{e}");
}

#[test]
fn bad_input_gets_clear_errors() {
    let (y, drivers) = ratings(50, 3, 2);
    let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
    let constant = vec![4.0; 50];
    let e = key_drivers(
        &y,
        &[xs[0], &constant],
        &["staff", "price"],
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument);
    assert!(
        e.to_string().contains("`price` takes one value only"),
        "{e}"
    );
    let sum: Vec<f64> = xs[0]
        .iter()
        .zip(xs[1])
        .map(|(a, b)| 2.0 * a - b + 3.0)
        .collect();
    let e = key_drivers(
        &y,
        &[xs[0], xs[1], xs[2], &sum],
        &["a", "b", "c", "mix"],
        DriverMethod::Shapley,
        None,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid `drivers`: driver `mix` is perfectly collinear with `a`, `b` (a linear combination of them); remove one of them or combine them into one driver"
    );
    let e = key_drivers(&constant, &xs, &["a", "b", "c"], DriverMethod::Beta, None).unwrap_err();
    assert!(e.to_string().contains("the target takes one value only"));
    let many: Vec<&[f64]> = (0..21).map(|_| xs[0]).collect();
    let names: Vec<String> = (0..21).map(|i| format!("d{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let e = key_drivers(&y, &many, &names, DriverMethod::Shapley, None).unwrap_err();
    assert!(
        e.to_string().contains("use method `relative_weights`"),
        "{e}"
    );
    let e = key_drivers(
        &y[..3],
        &[&xs[0][..3], &xs[1][..3]],
        &["a", "b"],
        DriverMethod::Beta,
        None,
    )
    .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Empty);
    let e = key_drivers(&y, &[xs[0]], &["a", "b"], DriverMethod::Beta, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LengthMismatch);
    let e = key_drivers(&y, &[], &[], DriverMethod::Beta, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Empty);
    let mut inf = y.clone();
    inf[3] = f64::INFINITY;
    assert_eq!(
        key_drivers(&inf, &xs, &["a", "b", "c"], DriverMethod::Beta, None)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidNumber
    );
    let opts = DriverOptions {
        confidence: 1.5,
        ..DriverOptions::default()
    };
    assert_eq!(
        key_drivers_with(&y, &xs, &["a", "b", "c"], DriverMethod::Beta, None, &opts)
            .unwrap_err()
            .kind(),
        ErrorKind::OutOfRange
    );
    let kd = key_drivers(&y, &xs, &["a", "b", "c"], DriverMethod::Beta, None).unwrap();
    assert_eq!(
        kd.difference("a", "b").unwrap_err().kind(),
        ErrorKind::Undefined
    );
    assert!(DriverMethod::parse("forest").is_err() && Missing::parse("ignore").is_err());
}

#[test]
fn bootstrap_is_seeded_and_the_difference_test_sees_a_clear_gap() {
    let (y, drivers) = ratings(400, 3, 9);
    let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
    let opts = DriverOptions {
        n_boot: 300,
        seed: 17,
        ..DriverOptions::default()
    };
    let run = |o: &DriverOptions| {
        key_drivers_with(
            &y,
            &xs,
            &["a", "b", "c"],
            DriverMethod::RelativeWeights,
            None,
            o,
        )
        .unwrap()
    };
    let (k1, k2) = (run(&opts), run(&opts));
    assert_eq!(k1, k2);
    let k3 = run(&DriverOptions { seed: 18, ..opts });
    assert_ne!(k1.rows[0].low, k3.rows[0].low);
    assert_eq!(k1.n_boot + k1.boot_failed, 300);
    for r in &k1.rows {
        let (lo, hi) = (r.low.unwrap(), r.high.unwrap());
        assert!(lo <= hi && lo >= 0.0);
    }
    // c weighs three times a in the target.
    let d = k1.difference("c", "a").unwrap();
    assert!(
        d.significant && d.difference > 0.0 && d.low > 0.0 && d.p_value < 0.01,
        "{d:?}"
    );
    let same = k1.difference("a", "a").unwrap();
    assert!(!same.significant && same.p_value == 1.0);
}

#[test]
fn quadrants_split_at_the_means() {
    let (y, drivers) = ratings(200, 4, 3);
    let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
    let kd = key_drivers(
        &y,
        &xs,
        &["a", "b", "c", "d"],
        DriverMethod::RelativeWeights,
        None,
    )
    .unwrap();
    for r in &kd.rows {
        let q = Quadrant::classify(
            r.importance,
            r.performance,
            kd.mean_importance,
            kd.mean_performance,
        );
        assert_eq!(r.quadrant, q);
    }
    let mean_perf = xs
        .iter()
        .map(|x| x.iter().sum::<f64>() / 200.0)
        .sum::<f64>()
        / 4.0;
    assert!((kd.mean_performance - mean_perf).abs() < 1e-12);
    let ranks: Vec<usize> = kd.rows.iter().map(|r| r.rank).collect();
    let mut sorted = ranks.clone();
    sorted.sort();
    assert_eq!(sorted, vec![1, 2, 3, 4]);
    assert!(kd.to_svg("drivers").contains("<rect"));
}

#[test]
fn perception_gap_matches_a_one_sample_t_test() {
    // scipy 1.17.1: stats.ttest_1samp([3, 4, 2, 3, 3, 5, 2, 4], 4.5) gives t = -3.415650255319866,
    // p = 0.01120143255409014; mean 3.25, stats.sem 0.3659625273556999, t.ppf(0.975, 7) = 2.364624251592784.
    let r = [3.0, 4.0, 2.0, 3.0, 3.0, 5.0, 2.0, 4.0];
    let g = &perception_gap(&["speed"], &[4.5], &[&r], None, 0.95).unwrap()[0];
    assert!((g.t.unwrap() + 3.415650255319866).abs() < 1e-12);
    assert!((g.p_value.unwrap() - 0.01120143255409014).abs() < 1e-9);
    assert!((g.gap - 1.25).abs() < 1e-12 && g.significant);
    let half = 2.364624251592784 * 0.3659625273556999;
    assert!((g.low - (1.25 - half)).abs() < 1e-9 && (g.high - (1.25 + half)).abs() < 1e-9);
    let e = perception_gap(&["a"], &[f64::NAN], &[&r], None, 0.95).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidNumber);
    let e = perception_gap(&["a"], &[1.0], &[&[f64::NAN, 2.0]], None, 0.95).unwrap_err();
    assert!(e.to_string().contains("attribute `a`"), "{e}");
    let flat = perception_gap(&["a"], &[2.0], &[&[3.0, 3.0, 3.0]], None, 0.95).unwrap();
    assert!(flat[0].t.is_none() && flat[0].significant);
    // statsmodels 0.15.0: proportion_confint(9, 100, method="wilson") = (0.048072540002565146, 0.16226212852716312).
    let said: Vec<bool> = (0..100).map(|i| i % 12 == 0).collect();
    let s = claimed_share_gap(0.8, &said, None, 0.95).unwrap();
    assert!((s.gap - 0.71).abs() < 1e-12 && s.significant);
    assert!(
        (s.customers.low - 0.048072540002565146).abs() < 1e-12
            && (s.customers.high - 0.16226212852716312).abs() < 1e-12
    );
    assert!(claimed_share_gap(1.2, &said, None, 0.95).is_err());
    assert!(
        claimed_share_gap(1.0, &said, None, 0.95)
            .unwrap()
            .p_value
            .is_none()
    );
}

fn data_strategy() -> impl Strategy<Value = (usize, u64)> {
    (2usize..7, any::<u64>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn importances_sum_to_r2_and_do_not_depend_on_order_or_scale((p, seed) in data_strategy(), scale in 0.01f64..100.0, shift in -50.0f64..50.0) {
        let (y, drivers) = ratings(80, p, seed);
        let xs: Vec<&[f64]> = drivers.iter().map(Vec::as_slice).collect();
        let names: Vec<String> = (0..p).map(|i| format!("d{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let (ols_r2, _) = ols(&y, &xs);
        for method in [DriverMethod::RelativeWeights, DriverMethod::Shapley] {
            let kd = key_drivers(&y, &xs, &names, method, None).unwrap();
            let total: f64 = kd.rows.iter().map(|r| r.importance).sum();
            prop_assert!((total - kd.r2).abs() < 1e-10);
            prop_assert!((kd.r2 - ols_r2).abs() < 1e-9);
            prop_assert!(kd.rows.iter().all(|r| r.importance >= -1e-15));
            // Reversed order, first driver rescaled: the same importances.
            let mut moved: Vec<f64> = xs[0].iter().map(|x| x * scale + shift).collect();
            if seed % 2 == 0 { moved.iter_mut().for_each(|x| *x = -*x); }
            let mut xr: Vec<&[f64]> = xs.iter().rev().copied().collect();
            xr[p - 1] = &moved;
            let nr: Vec<&str> = names.iter().rev().copied().collect();
            let kr = key_drivers(&y, &xr, &nr, method, None).unwrap();
            for r in &kd.rows {
                let other = kr.row(&r.driver).unwrap();
                prop_assert!((r.importance - other.importance).abs() < 1e-10, "{} {}", r.importance, other.importance);
            }
        }
    }
}

fn messy_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        6 => (1u8..=5).prop_map(f64::from),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => -1e6f64..1e6,
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Messy input (missing values, infinities, constant or duplicated columns, few rows,
    /// zero or negative weights) gives a result or an error, never a panic; a result has
    /// finite numbers only and relative weights / Shapley values that sum to R².
    #[test]
    fn messy_input_never_panics(
        cols in proptest::collection::vec(proptest::collection::vec(messy_value(), 6), 2..5),
        weights in proptest::option::of(proptest::collection::vec(-1.0f64..3.0, 6)),
        method in 0usize..4,
        n_boot in 0usize..3,
    ) {
        let method = DriverMethod::ALL[method];
        let drivers: Vec<&[f64]> = cols[1..].iter().map(Vec::as_slice).collect();
        let names: Vec<String> = (1..cols.len()).map(|i| format!("d{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let opts = DriverOptions { n_boot, seed: 3, ..DriverOptions::default() };
        if let Ok(kd) = key_drivers_with(&cols[0], &drivers, &names, method, weights.as_deref(), &opts) {
            prop_assert!(kd.r2.is_finite() && kd.r2 >= -1e-12 && kd.r2 <= 1.0 + 1e-9);
            for r in &kd.rows {
                prop_assert!(r.importance.is_finite() && r.share.is_finite() && r.beta.is_finite());
                prop_assert!(r.performance.is_finite());
            }
            if matches!(method, DriverMethod::RelativeWeights | DriverMethod::Shapley) {
                let total: f64 = kd.rows.iter().map(|r| r.importance).sum();
                prop_assert!((total - kd.r2).abs() < 1e-8, "{total} {}", kd.r2);
            }
        }
        let said: Vec<bool> = cols[0].iter().map(|x| *x > 3.0).collect();
        let _ = perception_gap(&["a"], &[cols[1][0]], &[&cols[0]], weights.as_deref(), 0.95);
        let _ = claimed_share_gap(0.5, &said, weights.as_deref(), 0.95);
    }
}
