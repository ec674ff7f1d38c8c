//! A small dense symmetric-matrix toolkit (private): the matrix type, Cholesky factors with
//! a pivot check, triangular solves and the cyclic Jacobi eigendecomposition.
//!
//! Written here rather than taken from a crate: driver analysis needs matrices of at most a
//! few dozen rows (one per driver), the routines are short, and the core stays pure Rust
//! with no BLAS (it also builds for the browser). Jacobi is slower than QR-based methods for
//! large matrices but is the most accurate choice for small symmetric ones, and simple.

use crate::error::{Error, Result};

/// A dense symmetric `n × n` matrix, stored in full, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SymMatrix {
    n: usize,
    a: Vec<f64>,
}

impl SymMatrix {
    /// The `n × n` zero matrix.
    pub(crate) fn zeros(n: usize) -> Self {
        SymMatrix {
            n,
            a: vec![0.0; n * n],
        }
    }

    /// The order `n`.
    pub(crate) fn order(&self) -> usize {
        self.n
    }

    /// Element (i, j); 0 outside the matrix.
    pub(crate) fn get(&self, i: usize, j: usize) -> f64 {
        self.a.get(i * self.n + j).copied().unwrap_or(0.0)
    }

    /// Sets (i, j) and (j, i).
    pub(crate) fn set(&mut self, i: usize, j: usize, v: f64) {
        let n = self.n;
        if let Some(x) = self.a.get_mut(i * n + j) {
            *x = v;
        }
        if let Some(x) = self.a.get_mut(j * n + i) {
            *x = v;
        }
    }

    /// The principal submatrix on the rows and columns `idx`.
    pub(crate) fn submatrix(&self, idx: &[usize]) -> SymMatrix {
        let mut m = SymMatrix::zeros(idx.len());
        for (r, &i) in idx.iter().enumerate() {
            for (c, &j) in idx.iter().enumerate().skip(r) {
                m.set(r, c, self.get(i, j));
            }
        }
        m
    }

    /// Row `i` restricted to the columns `idx`.
    pub(crate) fn row(&self, i: usize, idx: &[usize]) -> Vec<f64> {
        idx.iter().map(|&j| self.get(i, j)).collect()
    }
}

/// A lower-triangular Cholesky factor L with A = L Lᵀ.
#[derive(Debug, Clone)]
pub(crate) struct Cholesky {
    n: usize,
    l: Vec<f64>,
}

/// Cholesky stopped at `column`: its pivot (the part of that column the earlier ones do not
/// explain, on the matrix's own scale) was at or below the tolerance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Collapse {
    pub(crate) column: usize,
}

impl Cholesky {
    /// Factors `m`; fails at the first column whose squared pivot is `<= tol` times its
    /// diagonal element (for a correlation matrix: 1 − R² of that column on the earlier ones).
    pub(crate) fn new(m: &SymMatrix, tol: f64) -> std::result::Result<Cholesky, Collapse> {
        let n = m.order();
        let mut l = vec![0.0; n * n];
        for j in 0..n {
            let mut d = m.get(j, j);
            for k in 0..j {
                let v = l.get(j * n + k).copied().unwrap_or(0.0);
                d -= v * v;
            }
            let diag = m.get(j, j);
            if d.is_nan() || d <= tol * diag || !d.is_finite() {
                return Err(Collapse { column: j });
            }
            let d = d.sqrt();
            if let Some(x) = l.get_mut(j * n + j) {
                *x = d;
            }
            for i in (j + 1)..n {
                let mut s = m.get(i, j);
                for k in 0..j {
                    s -= l.get(i * n + k).copied().unwrap_or(0.0)
                        * l.get(j * n + k).copied().unwrap_or(0.0);
                }
                if let Some(x) = l.get_mut(i * n + j) {
                    *x = s / d;
                }
            }
        }
        Ok(Cholesky { n, l })
    }

    fn at(&self, i: usize, j: usize) -> f64 {
        self.l.get(i * self.n + j).copied().unwrap_or(0.0)
    }

    /// L⁻¹ b (forward substitution).
    pub(crate) fn forward(&self, b: &[f64]) -> Vec<f64> {
        let mut y = vec![0.0; self.n];
        for i in 0..self.n {
            let mut s = b.get(i).copied().unwrap_or(0.0);
            for k in 0..i {
                s -= self.at(i, k) * y.get(k).copied().unwrap_or(0.0);
            }
            if let Some(x) = y.get_mut(i) {
                *x = s / self.at(i, i);
            }
        }
        y
    }

    /// A⁻¹ b (forward, then backward substitution).
    pub(crate) fn solve(&self, b: &[f64]) -> Vec<f64> {
        let mut x = self.forward(b);
        for i in (0..self.n).rev() {
            let mut s = x.get(i).copied().unwrap_or(0.0);
            for k in (i + 1)..self.n {
                s -= self.at(k, i) * x.get(k).copied().unwrap_or(0.0);
            }
            if let Some(v) = x.get_mut(i) {
                *v = s / self.at(i, i);
            }
        }
        x
    }
}

/// Eigenvalues and eigenvectors of a symmetric matrix.
#[derive(Debug, Clone)]
pub(crate) struct Eigen {
    /// The eigenvalues, in no particular order.
    pub(crate) values: Vec<f64>,
    /// The eigenvectors as columns, row-major `n × n`: `vectors[i * n + k]` is component i
    /// of the eigenvector of `values[k]`.
    pub(crate) vectors: Vec<f64>,
}

impl Eigen {
    /// Cyclic Jacobi rotations until the off-diagonal part is negligible (relative 1e-30 in
    /// squared Frobenius norm; converges quadratically, a handful of sweeps in practice).
    ///
    /// # Errors
    /// [`Error::NotConverged`] after 100 sweeps (not seen on symmetric input).
    pub(crate) fn jacobi(m: &SymMatrix) -> Result<Eigen> {
        let n = m.order();
        let mut a = m.clone();
        let mut v = vec![0.0; n * n];
        for i in 0..n {
            if let Some(x) = v.get_mut(i * n + i) {
                *x = 1.0;
            }
        }
        let total: f64 = a.a.iter().map(|x| x * x).sum();
        let mut off = f64::INFINITY;
        for _ in 0..100 {
            off = 0.0;
            for i in 0..n {
                for j in (i + 1)..n {
                    off += 2.0 * a.get(i, j) * a.get(i, j);
                }
            }
            if off <= 1e-30 * total || off == 0.0 {
                let values = (0..n).map(|i| a.get(i, i)).collect();
                return Ok(Eigen { values, vectors: v });
            }
            for p in 0..n {
                for q in (p + 1)..n {
                    rotate(&mut a, &mut v, p, q);
                }
            }
        }
        Err(Error::NotConverged {
            what: "the Jacobi eigendecomposition".into(),
            iterations: 100,
            change: off,
        })
    }
}

/// One Jacobi rotation zeroing a(p, q), applied to `a` and accumulated into `v`.
fn rotate(a: &mut SymMatrix, v: &mut [f64], p: usize, q: usize) {
    let apq = a.get(p, q);
    if apq == 0.0 {
        return;
    }
    let n = a.order();
    let (app, aqq) = (a.get(p, p), a.get(q, q));
    let theta = (aqq - app) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..n {
        if k != p && k != q {
            let (akp, akq) = (a.get(k, p), a.get(k, q));
            a.set(k, p, c * akp - s * akq);
            a.set(k, q, s * akp + c * akq);
        }
    }
    a.set(p, p, app - t * apq);
    a.set(q, q, aqq + t * apq);
    a.set(p, q, 0.0);
    for k in 0..n {
        let (vkp, vkq) = (
            v.get(k * n + p).copied().unwrap_or(0.0),
            v.get(k * n + q).copied().unwrap_or(0.0),
        );
        if let Some(x) = v.get_mut(k * n + p) {
            *x = c * vkp - s * vkq;
        }
        if let Some(x) = v.get_mut(k * n + q) {
            *x = s * vkp + c * vkq;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix(rows: &[&[f64]]) -> SymMatrix {
        let mut m = SymMatrix::zeros(rows.len());
        for (i, r) in rows.iter().enumerate() {
            for (j, x) in r.iter().enumerate() {
                m.set(i, j, *x);
            }
        }
        m
    }

    #[test]
    fn cholesky_solves_and_detects_singular() {
        let m = matrix(&[&[4.0, 2.0, 0.4], &[2.0, 3.0, 0.5], &[0.4, 0.5, 2.0]]);
        let c = Cholesky::new(&m, 1e-12).unwrap();
        let x = c.solve(&[1.0, 2.0, 3.0]);
        for i in 0..3 {
            let back: f64 = (0..3).map(|j| m.get(i, j) * x[j]).sum();
            assert!((back - [1.0, 2.0, 3.0][i]).abs() < 1e-12);
        }
        // Third column = first + second.
        let s = matrix(&[&[1.0, 0.0, 1.0], &[0.0, 1.0, 1.0], &[1.0, 1.0, 2.0]]);
        assert_eq!(
            Cholesky::new(&s, 1e-10).unwrap_err(),
            Collapse { column: 2 }
        );
    }

    #[test]
    fn jacobi_reconstructs_the_matrix() {
        let m = matrix(&[
            &[1.0, 0.5, 0.3, 0.1],
            &[0.5, 1.0, 0.2, 0.4],
            &[0.3, 0.2, 1.0, 0.6],
            &[0.1, 0.4, 0.6, 1.0],
        ]);
        let e = Eigen::jacobi(&m).unwrap();
        let n = 4;
        for i in 0..n {
            for j in 0..n {
                let back: f64 = (0..n)
                    .map(|k| e.vectors[i * n + k] * e.values[k] * e.vectors[j * n + k])
                    .sum();
                assert!((back - m.get(i, j)).abs() < 1e-13, "{i} {j}");
            }
        }
        // numpy.linalg.eigvalsh of the same matrix, summed: the trace.
        assert!((e.values.iter().sum::<f64>() - 4.0).abs() < 1e-13);
        assert_eq!(m.submatrix(&[3, 1]).get(0, 1), 0.4);
        assert_eq!(m.row(2, &[0, 3]), vec![0.3, 0.6]);
    }
}
