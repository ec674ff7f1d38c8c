//! Shapley value (LMG) decomposition of R², exact over all subsets (private).
//!
//! Lindeman, Merenda & Gold (1980); Grömping (2006), *relaimpo*. Driver j's share is the
//! average, over every order in which the drivers could enter the regression, of the R² it
//! adds when it enters:
//! φ_j = Σ_{S ⊆ P∖{j}} |S|! (p − |S| − 1)! / p! · (R²(S ∪ {j}) − R²(S)).
//! The φ_j sum to R² of the full model (the telescoping "efficiency" property).
//!
//! R² of every subset comes from the correlation matrix by a depth-first walk that extends a
//! Cholesky factor by one row per added driver (O(|S|²) per subset, no refactoring and no
//! downdating, so no error builds up), then the weights are summed over the 2^p table.

use crate::drivers::linalg::SymMatrix;
use crate::error::{Error, Result};

/// The largest driver count the table of 2^p R² values may hold, whatever the option says
/// (2^26 values = 512 MiB).
pub(crate) const HARD_LIMIT: usize = 26;

/// The Shapley value of each driver; they sum to R².
pub(crate) fn shapley(rxx: &SymMatrix, rxy: &[f64]) -> Result<Vec<f64>> {
    let p = rxx.order();
    if p > HARD_LIMIT {
        return Err(Error::invalid_argument(
            "max_shapley_drivers",
            format!(
                "exact Shapley values over {p} drivers need 2^{p} regressions; at most {HARD_LIMIT} are possible"
            ),
        ));
    }
    let r2 = subset_r2(rxx, rxy)?;
    // weight(s) = s!(p−s−1)!/p! = 1 / (p · C(p−1, s)).
    let mut weight = Vec::with_capacity(p);
    let mut binom = 1.0f64;
    for s in 0..p {
        weight.push(1.0 / (p as f64 * binom));
        binom = binom * (p - 1 - s) as f64 / (s + 1) as f64;
    }
    let mut phi = vec![0.0; p];
    for (mask, base) in r2.iter().enumerate() {
        let s = mask.count_ones() as usize;
        let w = weight.get(s).copied().unwrap_or(0.0);
        for (j, out) in phi.iter_mut().enumerate() {
            if mask & (1 << j) == 0 {
                let with = r2.get(mask | (1 << j)).copied().unwrap_or(0.0);
                *out += w * (with - base);
            }
        }
    }
    Ok(phi)
}

/// R² of the regression of the target on every subset of the drivers, indexed by bit mask.
pub(crate) fn subset_r2(rxx: &SymMatrix, rxy: &[f64]) -> Result<Vec<f64>> {
    let p = rxx.order();
    let mut table = vec![0.0; 1usize << p];
    let mut walk = Walk {
        rxx,
        rxy,
        p,
        chosen: Vec::with_capacity(p),
        l: Vec::with_capacity(p * (p + 1) / 2),
        z: Vec::with_capacity(p),
        table: &mut table,
    };
    walk.extend(0, 0, 0.0)?;
    Ok(table)
}

struct Walk<'a> {
    rxx: &'a SymMatrix,
    rxy: &'a [f64],
    p: usize,
    /// Drivers in the current subset, increasing.
    chosen: Vec<usize>,
    /// Rows of the Cholesky factor of R_SS, row m holding m + 1 values, concatenated.
    l: Vec<f64>,
    /// L⁻¹ r_Sy; R²(S) = |z|².
    z: Vec<f64>,
    table: &'a mut Vec<f64>,
}

impl Walk<'_> {
    fn extend(&mut self, first: usize, mask: usize, r2: f64) -> Result<()> {
        for j in first..self.p {
            let m = self.chosen.len();
            // New row of L: solve L l = R_S,j, then the pivot d = √(1 − |l|²).
            let row_start = self.l.len();
            let mut norm = 0.0;
            let mut zl = 0.0;
            for k in 0..m {
                let start_k = k * (k + 1) / 2;
                let mut s = self.rxx.get(self.chosen.get(k).copied().unwrap_or(0), j);
                for t in 0..k {
                    s -= self.l.get(start_k + t).copied().unwrap_or(0.0)
                        * self.l.get(row_start + t).copied().unwrap_or(0.0);
                }
                let v = s / self.l.get(start_k + k).copied().unwrap_or(1.0);
                self.l.push(v);
                norm += v * v;
                zl += v * self.z.get(k).copied().unwrap_or(0.0);
            }
            let d2 = 1.0 - norm;
            if d2.is_nan() || d2 <= 0.0 {
                return Err(Error::Undefined(
                    "the drivers' correlation matrix is not positive definite".into(),
                ));
            }
            let d = d2.sqrt();
            self.l.push(d);
            let zj = (self.rxy.get(j).copied().unwrap_or(0.0) - zl) / d;
            let r2_new = r2 + zj * zj;
            let mask_new = mask | (1 << j);
            if let Some(x) = self.table.get_mut(mask_new) {
                *x = r2_new;
            }
            self.chosen.push(j);
            self.z.push(zj);
            self.extend(j + 1, mask_new, r2_new)?;
            self.chosen.pop();
            self.z.pop();
            self.l.truncate(row_start);
        }
        Ok(())
    }
}
