//! Survey weights: post-stratification and raking (iterative proportional fitting).
//!
//! Respondents are described by dictionary-encoded cell codes (`u32`, one column per
//! weighting variable); targets are population shares indexed by code and must sum to 1.
//! The weights returned are normalised to sum to the number of respondents (mean weight 1),
//! which keeps weighted counts on the scale of the sample; estimates do not depend on the
//! normalisation.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_weight};

const TARGET_SUM_TOLERANCE: f64 = 1e-6;

/// Post-stratification weights: each respondent in cell `c` gets
/// `base × target[c] / sample_share[c]`, where the sample share is weighted by the base
/// weights. Afterwards the weighted share of every cell equals its target.
///
/// # Errors
/// [`Error::InvalidArgument`] when the targets do not sum to 1 (±1e-6), a target is negative
/// or not finite, a code has no target, or a cell with a positive target has no respondents
/// (or only zero base weights); [`Error::LengthMismatch`] when `base` has another length;
/// [`Error::Empty`] without respondents.
///
/// # Example
///
/// ```
/// use cem_core::metrics::post_stratify;
///
/// // 3 respondents in cell 0 and 1 in cell 1; the population is half and half.
/// let w = post_stratify(&[0, 0, 0, 1], &[0.5, 0.5], None)?;
/// assert_eq!(w, vec![2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 2.0]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn post_stratify(cells: &[u32], targets: &[f64], base: Option<&[f64]>) -> Result<Vec<f64>> {
    let dim = Dimension::new("cells", cells, targets)?;
    let mut weights = start_weights(cells.len(), base)?;
    dim.adjust(&mut weights)?;
    normalise(&mut weights);
    Ok(weights)
}

/// Settings of [`rake`].
///
/// ```
/// let opts = cem_core::metrics::RakeOptions::default();
/// assert_eq!((opts.tolerance, opts.max_iterations), (1e-10, 1000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RakeOptions {
    /// Stop when every weighted margin is within this of its target share.
    pub tolerance: f64,
    /// Give up (with [`Error::NotConverged`]) after this many full sweeps.
    pub max_iterations: usize,
}

impl Default for RakeOptions {
    fn default() -> Self {
        RakeOptions {
            tolerance: 1e-10,
            max_iterations: 1000,
        }
    }
}

/// Raking weights with their convergence record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Raked {
    /// One weight per respondent, summing to the number of respondents.
    pub weights: Vec<f64>,
    /// Full sweeps over all variables that were needed.
    pub iterations: usize,
    /// The largest difference between a weighted margin and its target at the end.
    pub max_error: f64,
}

/// Raking (iterative proportional fitting): adjusts the weights to each variable's targets
/// in turn, sweep after sweep, until every weighted margin matches its target within
/// `options.tolerance`. `variables` holds one column of cell codes per weighting variable
/// and `targets` the matching population shares (indexed by code, each summing to 1).
///
/// With one variable this is post-stratification; when the sample's cross-table already has
/// the product form, one sweep suffices.
///
/// # Errors
/// Those of [`post_stratify`] for each variable (naming it as `variables[i]`),
/// [`Error::LengthMismatch`] for columns of different lengths or a different number of
/// target vectors, and [`Error::NotConverged`] when the margins cannot be matched (for
/// example contradictory targets with empty cross-cells) within `max_iterations`.
///
/// # Example
///
/// ```
/// use cem_core::metrics::{RakeOptions, rake};
///
/// let gender = [0, 0, 0, 1, 1, 0];
/// let region = [0, 1, 1, 0, 1, 1];
/// let raked = rake(&[&gender, &region], &[vec![0.5, 0.5], vec![0.4, 0.6]], None, RakeOptions::default())?;
/// let share = |col: &[u32], code: u32| {
///     let total: f64 = raked.weights.iter().sum();
///     col.iter().zip(&raked.weights).filter(|(c, _)| **c == code).map(|(_, w)| w).sum::<f64>() / total
/// };
/// assert!((share(&gender, 1) - 0.5).abs() < 1e-9);
/// assert!((share(&region, 0) - 0.4).abs() < 1e-9);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn rake(
    variables: &[&[u32]],
    targets: &[Vec<f64>],
    base: Option<&[f64]>,
    options: RakeOptions,
) -> Result<Raked> {
    if variables.len() != targets.len() {
        return Err(Error::length_mismatch(
            "variables",
            variables.len(),
            "targets",
            targets.len(),
        ));
    }
    let Some(first) = variables.first() else {
        return Err(Error::invalid_argument(
            "variables",
            "no weighting variables given",
        ));
    };
    if !(options.tolerance.is_finite() && options.tolerance > 0.0) {
        return Err(Error::invalid_argument(
            "tolerance",
            format!("`{}` must be a positive number", options.tolerance),
        ));
    }
    let n = first.len();
    let dims = variables
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(i, (col, t))| {
            if col.len() != n {
                return Err(Error::length_mismatch(
                    format!("variables[{i}]"),
                    col.len(),
                    "variables[0]",
                    n,
                ));
            }
            Dimension::new(&format!("variables[{i}]"), col, t)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut weights = start_weights(n, base)?;
    let mut max_error = f64::INFINITY;
    for iteration in 1..=options.max_iterations {
        for dim in &dims {
            dim.adjust(&mut weights)?;
        }
        max_error = dims
            .iter()
            .map(|d| d.max_error(&weights))
            .fold(0.0, f64::max);
        if max_error <= options.tolerance {
            normalise(&mut weights);
            return Ok(Raked {
                weights,
                iterations: iteration,
                max_error,
            });
        }
    }
    Err(Error::NotConverged {
        what: "raking".into(),
        iterations: options.max_iterations,
        change: max_error,
    })
}

/// One weighting variable: its codes and checked targets.
struct Dimension<'a> {
    name: String,
    codes: &'a [u32],
    targets: &'a [f64],
}

impl<'a> Dimension<'a> {
    fn new(name: &str, codes: &'a [u32], targets: &'a [f64]) -> Result<Self> {
        if codes.is_empty() {
            return Err(Error::empty(name, "weights need at least one respondent"));
        }
        for (code, &t) in targets.iter().enumerate() {
            if !t.is_finite() || t < 0.0 {
                return Err(Error::invalid_argument(
                    "targets",
                    format!(
                        "the target of code {code} in {name} is `{t}`; shares must be finite and non-negative"
                    ),
                ));
            }
        }
        let sum: f64 = targets.iter().sum();
        if (sum - 1.0).abs() > TARGET_SUM_TOLERANCE {
            return Err(Error::invalid_argument(
                "targets",
                format!("the targets of {name} sum to `{sum}`, not 1"),
            ));
        }
        if let Some((pos, code)) = codes
            .iter()
            .enumerate()
            .find(|(_, c)| **c as usize >= targets.len())
        {
            return Err(Error::invalid_argument(
                "targets",
                format!(
                    "{name} has code `{code}` at position {pos} but targets only cover codes 0..{}",
                    targets.len()
                ),
            ));
        }
        Ok(Dimension {
            name: name.to_owned(),
            codes,
            targets,
        })
    }

    /// Weighted totals per code.
    fn totals(&self, weights: &[f64]) -> Vec<f64> {
        let mut totals = vec![0.0; self.targets.len()];
        for (&c, &w) in self.codes.iter().zip(weights) {
            if let Some(t) = totals.get_mut(c as usize) {
                *t += w;
            }
        }
        totals
    }

    /// Scales the weights so that this variable's weighted shares equal its targets.
    fn adjust(&self, weights: &mut [f64]) -> Result<()> {
        let totals = self.totals(weights);
        let grand: f64 = totals.iter().sum();
        if grand <= 0.0 {
            return Err(Error::empty(&self.name, "all base weights are zero"));
        }
        let mut factors = Vec::with_capacity(totals.len());
        for (code, (&total, &target)) in totals.iter().zip(self.targets).enumerate() {
            if target > 0.0 && total <= 0.0 {
                return Err(Error::invalid_argument(
                    "targets",
                    format!(
                        "code {code} of {name} has target share `{target}` but no respondents",
                        name = self.name
                    ),
                ));
            }
            factors.push(if total > 0.0 {
                target * grand / total
            } else {
                0.0
            });
        }
        for (&c, w) in self.codes.iter().zip(weights.iter_mut()) {
            *w *= factors.get(c as usize).copied().unwrap_or(0.0);
        }
        Ok(())
    }

    fn max_error(&self, weights: &[f64]) -> f64 {
        let totals = self.totals(weights);
        let grand: f64 = totals.iter().sum();
        totals
            .iter()
            .zip(self.targets)
            .map(|(&t, &target)| (t / grand - target).abs())
            .fold(0.0, f64::max)
    }
}

fn start_weights(n: usize, base: Option<&[f64]>) -> Result<Vec<f64>> {
    match base {
        None => Ok(vec![1.0; n]),
        Some(b) if b.len() != n => Err(Error::length_mismatch("base", b.len(), "cells", n)),
        Some(b) => {
            for (pos, &w) in b.iter().enumerate() {
                check_weight(w).map_err(|e| super::scale::at_position(e, pos))?;
            }
            Ok(b.to_vec())
        }
    }
}

fn normalise(weights: &mut [f64]) {
    let total: f64 = weights.iter().sum();
    if total > 0.0 {
        let scale = weights.len() as f64 / total;
        weights.iter_mut().for_each(|w| *w *= scale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn rake_with_one_variable_is_post_stratification() {
        let cells = [0, 1, 1, 2, 2, 2, 0, 1];
        let targets = vec![0.2, 0.3, 0.5];
        let base = [1.0, 2.0, 1.0, 0.5, 1.0, 1.5, 1.0, 1.0];
        let ps = post_stratify(&cells, &targets, Some(&base)).unwrap();
        let raked = rake(&[&cells], &[targets], Some(&base), RakeOptions::default()).unwrap();
        assert_eq!(raked.iterations, 1);
        for (a, b) in ps.iter().zip(&raked.weights) {
            assert!((a - b).abs() < 1e-12);
        }
    }

    #[test]
    fn product_form_sample_converges_to_product_of_ratios() {
        // Sample cross-table with product form: counts[a][b] = r[a] * c[b] (independent).
        let (r, c) = ([2usize, 4], [1usize, 3, 2]);
        let (mut va, mut vb) = (vec![], vec![]);
        for (a, &ra) in r.iter().enumerate() {
            for (b, &cb) in c.iter().enumerate() {
                for _ in 0..ra * cb {
                    va.push(a as u32);
                    vb.push(b as u32);
                }
            }
        }
        let ta = vec![0.5, 0.5];
        let tb = vec![0.2, 0.3, 0.5];
        let raked = rake(
            &[&va, &vb],
            &[ta.clone(), tb.clone()],
            None,
            RakeOptions::default(),
        )
        .unwrap();
        // Known solution: w(a, b) ∝ (ta[a]/sa[a]) · (tb[b]/sb[b]).
        let n = va.len() as f64;
        let sa = [2.0 * 6.0 / n, 4.0 * 6.0 / n];
        let sb = [6.0 / n, 18.0 / n, 12.0 / n];
        for ((&a, &b), &w) in va.iter().zip(&vb).zip(&raked.weights) {
            let expected = ta[a as usize] / sa[a as usize] * tb[b as usize] / sb[b as usize];
            assert!((w - expected).abs() < 1e-9, "{w} vs {expected}");
        }
        assert!(raked.iterations <= 2);
    }

    #[test]
    fn bad_targets_are_named() {
        let err = post_stratify(&[0, 1], &[0.5, 0.6], None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(err.to_string().contains("sum to `1.1"), "{err}");
        let err = post_stratify(&[0, 0], &[0.5, 0.5], None).unwrap_err();
        assert!(
            err.to_string()
                .contains("code 1 of cells has target share `0.5` but no respondents"),
            "{err}"
        );
        let err = post_stratify(&[0, 2], &[0.5, 0.5], None).unwrap_err();
        assert!(err.to_string().contains("code `2` at position 1"), "{err}");
        let err = post_stratify(&[0, 1], &[0.5, 0.5], Some(&[1.0, f64::NAN])).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidNumber);
        assert!(err.to_string().contains("position 1"), "{err}");
        assert_eq!(
            post_stratify(&[], &[1.0], None).unwrap_err().kind(),
            ErrorKind::Empty
        );
    }

    #[test]
    fn contradictory_targets_do_not_converge() {
        // Cells only on the diagonal: margins a=(0.9,0.1), b=(0.1,0.9) are unreachable.
        let a = [0, 1];
        let b = [0, 1];
        let err = rake(
            &[&a, &b],
            &[vec![0.9, 0.1], vec![0.1, 0.9]],
            None,
            RakeOptions {
                tolerance: 1e-10,
                max_iterations: 50,
            },
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotConverged);
        assert!(
            err.to_string()
                .contains("raking did not converge after 50 iterations"),
            "{err}"
        );
    }
}
