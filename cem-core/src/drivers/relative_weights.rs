//! Johnson's relative weights (private).
//!
//! Johnson, J. W. (2000). A heuristic method for estimating the relative weight of predictor
//! variables in multiple regression. *Multivariate Behavioral Research* 35(1), 1–19.
//!
//! With R_xx = Q D Qᵀ (eigendecomposition of the drivers' correlation matrix), Λ = Q √D Qᵀ
//! holds the correlations between the drivers and their best-fitting orthogonal
//! counterparts Z; the target is regressed on Z with β* = Λ⁻¹ r_xy = Q D^{-1/2} Qᵀ r_xy, and
//! driver j's weight is ε_j = Σ_k λ_jk² β*_k². Because the columns of Λ have unit length
//! (Σ_j λ_jk² = 1), the weights sum to |β*|² = r_xyᵀ R_xx⁻¹ r_xy = R².

use crate::drivers::linalg::{Eigen, SymMatrix};
use crate::error::{Error, Result};

/// The relative weight of each driver; they sum to R².
///
/// # Errors
/// [`Error::Undefined`] if R_xx is not positive definite (the caller checks collinearity
/// first), [`Error::NotConverged`] from the eigendecomposition.
pub(crate) fn relative_weights(rxx: &SymMatrix, rxy: &[f64]) -> Result<Vec<f64>> {
    let p = rxx.order();
    let Eigen { values, vectors } = Eigen::jacobi(rxx)?;
    if values.iter().any(|v| v.is_nan() || *v <= 0.0) {
        return Err(Error::Undefined(
            "the drivers' correlation matrix is not positive definite".into(),
        ));
    }
    let q = |i: usize, k: usize| vectors.get(i * p + k).copied().unwrap_or(0.0);
    // Qᵀ r, scaled by D^{-1/2}, back through Q: β* = Q D^{-1/2} Qᵀ r.
    let scaled: Vec<f64> = values
        .iter()
        .enumerate()
        .map(|(k, v)| {
            (0..p)
                .map(|i| q(i, k) * rxy.get(i).copied().unwrap_or(0.0))
                .sum::<f64>()
                / v.sqrt()
        })
        .collect();
    let beta_star: Vec<f64> = (0..p)
        .map(|i| scaled.iter().enumerate().map(|(k, s)| q(i, k) * s).sum())
        .collect();
    // Λ = Q √D Qᵀ, symmetric.
    let sqrt_d: Vec<f64> = values.iter().map(|v| v.sqrt()).collect();
    let lambda = |j: usize, k: usize| -> f64 {
        sqrt_d
            .iter()
            .enumerate()
            .map(|(m, s)| q(j, m) * s * q(k, m))
            .sum()
    };
    Ok((0..p)
        .map(|j| {
            beta_star
                .iter()
                .enumerate()
                .map(|(k, b)| {
                    let l = lambda(j, k);
                    l * l * b * b
                })
                .sum()
        })
        .collect())
}
