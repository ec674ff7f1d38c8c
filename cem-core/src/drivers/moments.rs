//! Input checks, missing rows, and the weighted means and correlation matrix of the target
//! and the drivers (private).
//!
//! One pass for the means (and exact constancy, by min/max), one blocked pass for the
//! centred cross-products: each block of rows is centred into a small buffer (gathering only
//! rows with positive weight, scaled by √w) and every pair of columns adds one dot product.
//! Centring by the mean before multiplying keeps the sums accurate for ratings far from 0.

use crate::drivers::Missing;
use crate::drivers::linalg::SymMatrix;
use crate::error::{Error, Result};

/// Rows per block: q columns × 128 rows × 8 bytes stay in L1 for q up to ~30.
const BLOCK: usize = 128;

/// The checked input: columns (target first), the weight of each row (0 for dropped rows),
/// and the counts.
pub(crate) struct Prepared<'a> {
    /// Target, then the drivers.
    pub(crate) columns: Vec<&'a [f64]>,
    /// Per-row weights, `None` when every row counts once.
    pub(crate) row_weights: Option<Vec<f64>>,
    /// Which rows are used (`None`: all).
    pub(crate) valid: Option<Vec<bool>>,
    /// Rows used.
    pub(crate) used: usize,
    /// Rows dropped for a missing value.
    pub(crate) dropped: usize,
}

/// Checks lengths, names, weights and values; finds rows with a missing value (NaN).
pub(crate) fn prepare<'a>(
    target: &'a [f64],
    drivers: &[&'a [f64]],
    names: &[&str],
    weights: Option<&[f64]>,
    missing: Missing,
) -> Result<Prepared<'a>> {
    if drivers.is_empty() {
        return Err(Error::empty(
            "the drivers",
            "key-driver analysis needs at least one driver",
        ));
    }
    if names.len() != drivers.len() {
        return Err(Error::length_mismatch(
            "names",
            names.len(),
            "drivers",
            drivers.len(),
        ));
    }
    for (i, a) in names.iter().enumerate() {
        if names.iter().skip(i + 1).any(|b| b == a) {
            return Err(Error::invalid_argument(
                "names",
                format!("driver `{a}` is named twice"),
            ));
        }
    }
    let n = target.len();
    for (name, d) in names.iter().zip(drivers) {
        if d.len() != n {
            return Err(Error::length_mismatch(*name, d.len(), "target", n));
        }
    }
    let mut columns = Vec::with_capacity(drivers.len() + 1);
    columns.push(target);
    columns.extend_from_slice(drivers);
    let label = |v: usize| -> &str {
        if v == 0 {
            "target"
        } else {
            names.get(v - 1).copied().unwrap_or("driver")
        }
    };
    let mut valid: Option<Vec<bool>> = None;
    let mut dropped = 0usize;
    for (v, col) in columns.iter().enumerate() {
        for (i, x) in col.iter().enumerate() {
            if x.is_nan() {
                if missing == Missing::Error {
                    return Err(Error::invalid_number(
                        format!("`{}` at row {i}", label(v)),
                        "NaN",
                        "is missing; drop or fill missing values first, or use missing=\"drop\"",
                    ));
                }
                let mask = valid.get_or_insert_with(|| vec![true; n]);
                if let Some(ok) = mask.get_mut(i).filter(|ok| **ok) {
                    *ok = false;
                    dropped += 1;
                }
            } else if !x.is_finite() {
                return Err(Error::invalid_number(
                    format!("`{}` at row {i}", label(v)),
                    x,
                    "is not a finite number",
                ));
            }
        }
    }
    let row_weights = match weights {
        Some(w) => {
            if w.len() != n {
                return Err(Error::length_mismatch("weights", w.len(), "target", n));
            }
            for (i, x) in w.iter().enumerate() {
                if !x.is_finite() {
                    return Err(Error::invalid_number(
                        format!("weight at row {i}"),
                        x,
                        "is not a finite number",
                    ));
                }
                if *x < 0.0 {
                    return Err(Error::invalid_number(
                        format!("weight at row {i}"),
                        x,
                        "is negative",
                    ));
                }
            }
            Some(match &valid {
                Some(mask) => w
                    .iter()
                    .zip(mask)
                    .map(|(x, ok)| if *ok { *x } else { 0.0 })
                    .collect(),
                None => w.to_vec(),
            })
        }
        None => valid
            .as_ref()
            .map(|mask| mask.iter().map(|ok| if *ok { 1.0 } else { 0.0 }).collect()),
    };
    Ok(Prepared {
        columns,
        row_weights,
        valid,
        used: n - dropped,
        dropped,
    })
}

/// Weighted means, the exact constancy of each column, and the correlation matrix.
pub(crate) struct Moments {
    /// Rows with positive weight.
    pub(crate) rows: usize,
    /// Weighted mean of each column.
    pub(crate) means: Vec<f64>,
    /// Whether a column takes one value only (over rows with positive weight).
    pub(crate) constant: Vec<bool>,
    /// Centred weighted cross-products Σ w (x − x̄)(y − ȳ).
    pub(crate) cross: SymMatrix,
}

impl Moments {
    /// Computes the moments of `columns` with `row_weights` (`None`: every row once).
    pub(crate) fn compute(columns: &[&[f64]], row_weights: Option<&[f64]>) -> Moments {
        let q = columns.len();
        let n = columns.first().map_or(0, |c| c.len());
        let mut means = vec![0.0; q];
        let mut constant = vec![true; q];
        let mut rows = n;
        let mut total = n as f64;
        if let Some(w) = row_weights {
            rows = w.iter().filter(|x| **x > 0.0).count();
            total = w.iter().sum();
        }
        let stats = |col: &&[f64]| column_stats(col, row_weights);
        #[cfg(feature = "parallel")]
        let per_column: Vec<(f64, bool)> = {
            use rayon::prelude::*;
            columns.par_iter().map(stats).collect()
        };
        #[cfg(not(feature = "parallel"))]
        let per_column: Vec<(f64, bool)> = columns.iter().map(stats).collect();
        for ((mean, constant), (s, flat)) in means.iter_mut().zip(&mut constant).zip(per_column) {
            *mean = if total > 0.0 { s / total } else { 0.0 };
            *constant = flat;
        }
        let cross = cross_products(columns, row_weights, &means);
        Moments {
            rows,
            means,
            constant,
            cross,
        }
    }

    /// The correlation matrix (1 on the diagonal); meaningful when no column is constant.
    pub(crate) fn correlation(&self) -> SymMatrix {
        let q = self.cross.order();
        let mut r = SymMatrix::zeros(q);
        for i in 0..q {
            r.set(i, i, 1.0);
            for j in (i + 1)..q {
                let d = (self.cross.get(i, i) * self.cross.get(j, j)).sqrt();
                r.set(i, j, (self.cross.get(i, j) / d).clamp(-1.0, 1.0));
            }
        }
        r
    }
}

/// Rows per parallel task (feature `parallel`); partial sums are added in task order, so the
/// result does not depend on the number of threads.
const TASK: usize = 1 << 15;

/// The weighted sum of a column and whether it takes one value only (over rows with positive
/// weight), in four lanes so the loop vectorizes (rows with weight 0 may hold NaN: selected
/// away, never multiplied).
fn column_stats(col: &[f64], row_weights: Option<&[f64]>) -> (f64, bool) {
    let mut s = [0.0f64; 4];
    let mut lo = [f64::INFINITY; 4];
    let mut hi = [f64::NEG_INFINITY; 4];
    let mut add = |xs: &[f64], ws: &[f64]| {
        let lanes = s.iter_mut().zip(lo.iter_mut()).zip(hi.iter_mut());
        for (((s, lo), hi), (x, w)) in lanes.zip(xs.iter().zip(ws)) {
            let keep = *w > 0.0;
            *s += if keep { w * x } else { 0.0 };
            *lo = if keep && *x < *lo { *x } else { *lo };
            *hi = if keep && *x > *hi { *x } else { *hi };
        }
    };
    const ONES: [f64; 4] = [1.0; 4];
    match row_weights {
        None => {
            let chunks = col.chunks_exact(4);
            let rest = chunks.remainder();
            for c in chunks {
                add(c, &ONES);
            }
            add(rest, &ONES);
        }
        Some(w) => {
            let (cx, cw) = (col.chunks_exact(4), w.chunks_exact(4));
            let (rx, rw) = (cx.remainder(), cw.remainder());
            for (x, w) in cx.zip(cw) {
                add(x, w);
            }
            add(rx, rw);
        }
    }
    let sum = (s[0] + s[1]) + (s[2] + s[3]);
    let lo = lo.iter().fold(f64::INFINITY, |a, b| a.min(*b));
    let hi = hi.iter().fold(f64::NEG_INFINITY, |a, b| a.max(*b));
    (sum, lo >= hi)
}

fn cross_products(columns: &[&[f64]], row_weights: Option<&[f64]>, means: &[f64]) -> SymMatrix {
    let q = columns.len();
    let qp = q + (q & 1); // padded to pairs of columns for the 2×2 tiles
    let n = columns.first().map_or(0, |c| c.len());
    let tasks: Vec<(usize, usize)> = (0..n)
        .step_by(TASK)
        .map(|s| (s, (s + TASK).min(n)))
        .collect();
    let partial = |range: &(usize, usize)| block_products(columns, row_weights, means, *range, qp);
    #[cfg(feature = "parallel")]
    let partials: Vec<Vec<f64>> = {
        use rayon::prelude::*;
        tasks.par_iter().map(partial).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let partials: Vec<Vec<f64>> = tasks.iter().map(partial).collect();
    let mut acc = vec![0.0; qp * qp];
    for p in &partials {
        for (a, b) in acc.iter_mut().zip(p) {
            *a += b;
        }
    }
    let mut cross = SymMatrix::zeros(q);
    for i in 0..q {
        for j in i..q {
            cross.set(i, j, acc.get(i * qp + j).copied().unwrap_or(0.0));
        }
    }
    cross
}

/// Centred cross-products of the rows in `range`, as a `qp × qp` matrix (upper triangle
/// filled, tile by tile).
fn block_products(
    columns: &[&[f64]],
    row_weights: Option<&[f64]>,
    means: &[f64],
    (first, last): (usize, usize),
    qp: usize,
) -> Vec<f64> {
    let mut acc = vec![0.0; qp * qp];
    // Padding column(s) stay zero.
    let mut buf = vec![0.0; qp * BLOCK];
    // Rows of the current block with positive weight, and their √w.
    let mut rows: Vec<usize> = Vec::with_capacity(BLOCK);
    let mut scale: Vec<f64> = Vec::with_capacity(BLOCK);
    let mut start = first;
    while start < last {
        let end = (start + BLOCK).min(last);
        let len = match row_weights {
            None => {
                let len = end - start;
                for ((col, mean), out) in columns.iter().zip(means).zip(buf.chunks_exact_mut(BLOCK))
                {
                    if let (Some(src), Some(dst)) = (col.get(start..end), out.get_mut(..len)) {
                        for (d, x) in dst.iter_mut().zip(src) {
                            *d = x - mean;
                        }
                    }
                }
                len
            }
            Some(w) => {
                rows.clear();
                scale.clear();
                for (i, wi) in w.iter().enumerate().take(end).skip(start) {
                    if *wi > 0.0 {
                        rows.push(i);
                        scale.push(wi.sqrt());
                    }
                }
                for ((col, mean), out) in columns.iter().zip(means).zip(buf.chunks_exact_mut(BLOCK))
                {
                    for ((d, i), sw) in out.iter_mut().zip(&rows).zip(&scale) {
                        *d = (col.get(*i).copied().unwrap_or(0.0) - mean) * sw;
                    }
                }
                rows.len()
            }
        };
        let cols: Vec<&[f64]> = buf
            .chunks_exact(BLOCK)
            .map(|c| c.get(..len).unwrap_or(&[]))
            .collect();
        for (ti, a) in cols.chunks_exact(2).enumerate() {
            for (tj, b) in cols.chunks_exact(2).enumerate().skip(ti) {
                if let ([a0, a1], [b0, b1]) = (a, b) {
                    let t = tile(a0, a1, b0, b1);
                    let (i, j) = (2 * ti, 2 * tj);
                    for (k, v) in [
                        (i * qp + j, t[0]),
                        (i * qp + j + 1, t[1]),
                        ((i + 1) * qp + j, t[2]),
                        ((i + 1) * qp + j + 1, t[3]),
                    ] {
                        if let Some(x) = acc.get_mut(k) {
                            *x += v;
                        }
                    }
                }
            }
        }
        start = end;
    }
    acc
}

/// The four dot products a0·b0, a0·b1, a1·b0, a1·b1 in one pass, four lanes each (the lane
/// order is fixed, so results are reproducible).
fn tile(a0: &[f64], a1: &[f64], b0: &[f64], b1: &[f64]) -> [f64; 4] {
    let mut s = [[0.0f64; 4]; 4];
    let chunks = a0
        .chunks_exact(4)
        .zip(a1.chunks_exact(4))
        .zip(b0.chunks_exact(4).zip(b1.chunks_exact(4)));
    for ((x0, x1), (y0, y1)) in chunks {
        for (acc, (x, y)) in s.iter_mut().zip([(x0, y0), (x0, y1), (x1, y0), (x1, y1)]) {
            for ((a, u), v) in acc.iter_mut().zip(x).zip(y) {
                *a += u * v;
            }
        }
    }
    let done = a0.len() - a0.len() % 4;
    let tail = |x: &[f64], y: &[f64]| -> f64 {
        x.get(done..)
            .unwrap_or(&[])
            .iter()
            .zip(y.get(done..).unwrap_or(&[]))
            .map(|(u, v)| u * v)
            .sum()
    };
    let total = |l: &[f64; 4]| (l[0] + l[1]) + (l[2] + l[3]);
    [
        total(&s[0]) + tail(a0, b0),
        total(&s[1]) + tail(a0, b1),
        total(&s[2]) + tail(a1, b0),
        total(&s[3]) + tail(a1, b1),
    ]
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn weighted_moments_equal_repeated_rows() {
        let x = [1.0, 2.0, 4.0, 7.0, 3.0];
        let y = [2.0, 1.0, 5.0, 6.0, 6.0];
        let w = [1.0, 2.0, 0.0, 3.0, 1.0];
        let m = Moments::compute(&[&x, &y], Some(&w));
        let xr = [1.0, 2.0, 2.0, 7.0, 7.0, 7.0, 3.0];
        let yr = [2.0, 1.0, 1.0, 6.0, 6.0, 6.0, 6.0];
        let r = Moments::compute(&[&xr, &yr], None);
        assert_eq!(m.rows, 4);
        for i in 0..2 {
            assert!((m.means[i] - r.means[i]).abs() < 1e-12);
            for j in 0..2 {
                assert!((m.cross.get(i, j) - r.cross.get(i, j)).abs() < 1e-12);
            }
        }
        assert!(m.constant.iter().all(|c| !c));
        let c = Moments::compute(&[&[3.7; 2000], &y.repeat(400)], None);
        assert_eq!(c.constant, vec![true, false]);
    }

    #[test]
    fn missing_rows_are_dropped_or_refused() {
        let t = [1.0, f64::NAN, 3.0, 4.0];
        let a = [1.0, 2.0, f64::NAN, 1.0];
        let p = prepare(&t, &[&a], &["a"], None, Missing::Drop).unwrap();
        assert_eq!((p.used, p.dropped), (2, 2));
        assert_eq!(p.row_weights, Some(vec![1.0, 0.0, 0.0, 1.0]));
        let e = prepare(&t, &[&a], &["a"], None, Missing::Error)
            .err()
            .unwrap();
        assert_eq!(
            e.to_string(),
            "`target` at row 1 `NaN` is missing; drop or fill missing values first, or use missing=\"drop\""
        );
        let inf = [1.0, f64::INFINITY, 3.0, 4.0];
        assert!(prepare(&inf, &[&a], &["a"], None, Missing::Drop).is_err());
        assert!(
            prepare(
                &t,
                &[&a],
                &["a"],
                Some(&[1.0, -1.0, 1.0, 1.0]),
                Missing::Drop
            )
            .is_err()
        );
        assert!(prepare(&t, &[&a, &a], &["a", "a"], None, Missing::Drop).is_err());
        assert!(prepare(&t, &[&a[..3]], &["a"], None, Missing::Drop).is_err());
    }
}
