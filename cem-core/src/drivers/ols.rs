//! Standardized OLS from the correlation matrix, and the collinearity check (private).
//!
//! With every variable standardized, the OLS coefficients are β = R_xx⁻¹ r_xy and the
//! coefficient of determination is R² = β·r_xy (the same R² as the regression on the raw
//! values with an intercept, weighted when the correlations are).

use crate::drivers::linalg::{Cholesky, SymMatrix};
use crate::error::{Error, Result};

/// Squared pivot below which a driver counts as a linear combination of the earlier ones
/// (1 − R² of the driver on them, on the correlation scale).
pub(crate) const COLLINEAR_TOL: f64 = 1e-10;

/// The Cholesky factor of R_xx, or an error naming the drivers that are perfectly collinear.
pub(crate) fn factor(rxx: &SymMatrix, names: &[&str]) -> Result<Cholesky> {
    Cholesky::new(rxx, COLLINEAR_TOL).map_err(|c| {
        let j = c.column;
        let earlier: Vec<usize> = (0..j).collect();
        let partners: Vec<&str> = Cholesky::new(&rxx.submatrix(&earlier), COLLINEAR_TOL)
            .map(|l| l.solve(&rxx.row(j, &earlier)))
            .map(|b| {
                b.iter()
                    .zip(names)
                    .filter(|(coef, _)| coef.abs() > 1e-6)
                    .map(|(_, name)| *name)
                    .collect()
            })
            .unwrap_or_default();
        let name = names.get(j).copied().unwrap_or("driver");
        let with = if partners.is_empty() {
            "the other drivers".to_owned()
        } else {
            partners.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        };
        Error::invalid_argument(
            "drivers",
            format!(
                "driver `{name}` is perfectly collinear with {with} (a linear combination of them); \
                 remove one of them or combine them into one driver"
            ),
        )
    })
}

/// Standardized coefficients β = R_xx⁻¹ r_xy and R² = β·r_xy.
pub(crate) fn standardized_betas(chol: &Cholesky, rxy: &[f64]) -> (Vec<f64>, f64) {
    let beta = chol.solve(rxy);
    let r2 = beta.iter().zip(rxy).map(|(b, r)| b * r).sum();
    (beta, r2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collinear_drivers_are_named() {
        let mut r = SymMatrix::zeros(3);
        for i in 0..3 {
            r.set(i, i, 1.0);
        }
        // c = (a + b)/√2 with a ⟂ b.
        let h = std::f64::consts::FRAC_1_SQRT_2;
        r.set(0, 2, h);
        r.set(1, 2, h);
        let e = factor(&r, &["a", "b", "c"]).err().unwrap();
        assert_eq!(
            e.to_string(),
            "invalid `drivers`: driver `c` is perfectly collinear with `a`, `b` (a linear combination of them); remove one of them or combine them into one driver"
        );
    }
}
