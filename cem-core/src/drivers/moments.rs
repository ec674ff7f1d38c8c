//! Input checks, missing rows, and the weighted means and correlation matrix of the target
//! and the drivers (private).
//!
//! One blocked pass gives the means, exact constancy (by min/max) and the centred
//! cross-products (`gram.rs`); shifting each column by a sampled mean before multiplying keeps
//! the sums accurate for ratings far from 0.

use crate::drivers::Missing;
use crate::drivers::gram::{Pass, moments_pass};
use crate::drivers::linalg::SymMatrix;
use crate::error::{Error, Result};

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
/// (The tests' entry; the analysis goes through [`prepare_with_moments`].)
#[cfg(test)]
pub(crate) fn prepare<'a>(
    target: &'a [f64],
    drivers: &[&'a [f64]],
    names: &[&str],
    weights: Option<&[f64]>,
    missing: Missing,
) -> Result<Prepared<'a>> {
    scan(stack(target, drivers, names)?, names, weights, missing)
}

/// The checked input and the [`Moments`] of the rows it keeps. Without weights the one pass over
/// the data runs first and doubles as the check for missing and infinite values (a NaN or
/// infinity makes a column's sum non-finite); only then are the values scanned row by row,
/// to name the row or drop it, and the moments recomputed without the dropped rows.
pub(crate) fn prepare_with_moments<'a>(
    target: &'a [f64],
    drivers: &[&'a [f64]],
    names: &[&str],
    weights: Option<&[f64]>,
    missing: Missing,
) -> Result<(Prepared<'a>, Moments)> {
    let columns = stack(target, drivers, names)?;
    if weights.is_none() {
        let pass = moments_pass(&columns, None);
        if pass.finite {
            let used = target.len();
            let data = Prepared {
                columns,
                row_weights: None,
                valid: None,
                used,
                dropped: 0,
            };
            return Ok((data, Moments::from(pass)));
        }
    }
    let data = scan(columns, names, weights, missing)?;
    let moments = Moments::compute(&data.columns, data.row_weights.as_deref());
    Ok((data, moments))
}

/// Checks the shapes (drivers given, named once each, as long as the target) and returns
/// the columns: the target, then the drivers.
fn stack<'a>(target: &'a [f64], drivers: &[&'a [f64]], names: &[&str]) -> Result<Vec<&'a [f64]>> {
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
    scan_names(names)?;
    let n = target.len();
    for (name, d) in names.iter().zip(drivers) {
        if d.len() != n {
            return Err(Error::length_mismatch(*name, d.len(), "target", n));
        }
    }
    let mut columns = Vec::with_capacity(drivers.len() + 1);
    columns.push(target);
    columns.extend_from_slice(drivers);
    Ok(columns)
}

/// Duplicate names.
fn scan_names(names: &[&str]) -> Result<()> {
    for (i, a) in names.iter().enumerate() {
        if names.iter().skip(i + 1).any(|b| b == a) {
            return Err(Error::invalid_argument(
                "names",
                format!("driver `{a}` is named twice"),
            ));
        }
    }
    Ok(())
}

/// The value checks of [`prepare`]: missing and infinite values, weights.
fn scan<'a>(
    columns: Vec<&'a [f64]>,
    names: &[&str],
    weights: Option<&[f64]>,
    missing: Missing,
) -> Result<Prepared<'a>> {
    let n = columns.first().map_or(0, |c| c.len());
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
        if all_finite(col) {
            continue;
        }
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

impl From<Pass> for Moments {
    fn from(pass: Pass) -> Moments {
        Moments {
            rows: pass.rows,
            means: pass.means,
            constant: pass.constant,
            cross: pass.cross,
        }
    }
}

/// Whether every value is finite: x · 0 is 0 for finite x and NaN otherwise, summed in eight
/// lanes so the scan vectorizes (the slow loop that names the row runs only when this fails).
fn all_finite(col: &[f64]) -> bool {
    let mut acc = [0.0f64; 8];
    let chunks = col.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x * 0.0; // 0 for finite x, NaN for NaN and ±∞
        }
    }
    acc.iter().chain(rest).all(|x| x.is_finite())
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
    /// Computes the moments of `columns` with `row_weights` (`None`: every row once) in one
    /// pass (see `gram.rs`).
    pub(crate) fn compute(columns: &[&[f64]], row_weights: Option<&[f64]>) -> Moments {
        Moments::from(moments_pass(columns, row_weights))
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
