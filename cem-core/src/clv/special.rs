//! Special functions and quadrature the CLV models need (private).
//!
//! `ln Γ`, `ψ` and `ln B` come from statrs; what statrs lacks is here: the Gauss
//! hypergeometric function ₂F₁ on `0 <= z < 1` (a plain power series, in whichever of the
//! direct and Euler-transformed forms converges faster) and an adaptive Gauss–Kronrod rule
//! for the Pareto/NBD integral. They could move to the crate's `stats` module once another
//! module needs them. Both are checked against mpmath in the unit tests below.

use crate::error::{Error, Result};

pub(crate) use statrs::function::beta::ln_beta;
pub(crate) use statrs::function::gamma::{digamma, ln_gamma};

/// `ln(e^a + e^b)` without overflow; `-inf` terms are fine.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + libm::log1p((-(a - b).abs()).exp())
}

/// The most series terms ₂F₁ sums before giving up (z very close to 1).
const HYP_MAX_TERMS: usize = 1_000_000;

/// Gauss hypergeometric ₂F₁(a, b; c; z) for `0 <= z < 1` and `c` not a non-positive integer.
///
/// Sums the power series of the direct form or of Euler's transformation
/// `(1 − z)^(c−a−b) ₂F₁(c−a, c−b; c; z)`, whichever has the smaller tail exponent.
pub(crate) fn hyp2f1(a: f64, b: f64, c: f64, z: f64) -> Result<f64> {
    if !((0.0..1.0).contains(&z) && a.is_finite() && b.is_finite() && c.is_finite()) {
        return Err(Error::Undefined(format!(
            "the hypergeometric function 2F1({a}, {b}; {c}; {z}) is only computed for 0 <= z < 1"
        )));
    }
    if c <= 0.0 && c == c.round() {
        return Err(Error::Undefined(format!(
            "the hypergeometric function 2F1({a}, {b}; {c}; {z}) has a pole at c = `{c}`"
        )));
    }
    if a + b - c > 0.0 {
        let series = hyp_series(c - a, c - b, c, z)?;
        Ok(series * ((c - a - b) * libm::log1p(-z)).exp())
    } else {
        hyp_series(a, b, c, z)
    }
}

fn hyp_series(a: f64, b: f64, c: f64, z: f64) -> Result<f64> {
    let mut term = 1.0_f64;
    let mut sum = 1.0_f64;
    let mut compensation = 0.0_f64;
    for n in 0..HYP_MAX_TERMS {
        let k = n as f64;
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        // Kahan summation: terms may alternate in sign when a, b or c are negative.
        let y = term - compensation;
        let t = sum + y;
        compensation = (t - sum) - y;
        sum = t;
        if term == 0.0 || (term.abs() <= 1e-17 * sum.abs() && k > (a.abs() + b.abs())) {
            return Ok(sum);
        }
        if !sum.is_finite() {
            break;
        }
    }
    Err(Error::NotConverged {
        what: format!("the series of 2F1({a}, {b}; {c}; {z})"),
        iterations: HYP_MAX_TERMS,
        change: term,
    })
}

/// Up to this many repeat purchases, Γ and ψ differences are summed term by term.
const SUM_TERMS: f64 = 64.0;

/// `ln Γ(y + x) − ln Γ(y)` for whole `x >= 0`: a sum of logs for small `x` (exact where the
/// difference of two large `ln Γ` loses digits, as when a fit drifts to large a, b), else
/// the difference.
pub(crate) fn ln_rising(y: f64, x: f64) -> f64 {
    if x <= SUM_TERMS {
        let mut s = 0.0;
        let mut k = 0.0;
        while k < x {
            s += (y + k).ln();
            k += 1.0;
        }
        s
    } else {
        ln_gamma(y + x) - ln_gamma(y)
    }
}

/// `ψ(y + x) − ψ(y)` for whole `x >= 0`, in the same way as [`ln_rising`].
pub(crate) fn digamma_diff(y: f64, x: f64) -> f64 {
    if x <= SUM_TERMS {
        let mut s = 0.0;
        let mut k = 0.0;
        while k < x {
            s += 1.0 / (y + k);
            k += 1.0;
        }
        s
    } else {
        digamma(y + x) - digamma(y)
    }
}

/// Nodes (non-negative half) and weights of the 15-point Kronrod rule and its embedded
/// 7-point Gauss rule on [-1, 1] (QUADPACK's `qk15`).
const XGK: [f64; 8] = [
    0.991_455_371_120_812_6,
    0.949_107_912_342_758_5,
    0.864_864_423_359_769_1,
    0.741_531_185_599_394_4,
    0.586_087_235_467_691_1,
    0.405_845_151_377_397_2,
    0.207_784_955_007_898_5,
    0.0,
];
const WGK: [f64; 8] = [
    0.022_935_322_010_529_22,
    0.063_092_092_629_978_55,
    0.104_790_010_322_250_2,
    0.140_653_259_715_525_9,
    0.169_004_726_639_267_9,
    0.190_350_578_064_785_4,
    0.204_432_940_075_298_9,
    0.209_482_141_084_727_8,
];
const WG: [f64; 4] = [
    0.129_484_966_168_869_7,
    0.279_705_391_489_276_7,
    0.381_830_050_505_118_9,
    0.417_959_183_673_469_4,
];

/// The most interval bisections of [`integrate`].
const QUAD_MAX_INTERVALS: usize = 400;

/// Integrates the `K` functions `f(x) -> [f64; K]` over `[lo, hi]` with adaptive
/// Gauss–Kronrod (7/15) bisection. The error control is on component 0, which must be
/// non-negative (the other components are integrated on the same intervals): an interval is
/// accepted when its Kronrod–Gauss difference is below `rel_tol` × the running total.
pub(crate) fn integrate<const K: usize>(
    f: impl Fn(f64) -> [f64; K],
    lo: f64,
    hi: f64,
    rel_tol: f64,
) -> Result<[f64; K]> {
    let mut total = [0.0; K];
    if hi.is_nan() || lo.is_nan() || hi <= lo {
        return Ok(total);
    }
    // Stack of pending intervals with their estimates; accepted ones add into `total`.
    let first = kronrod(&f, lo, hi);
    let mut pending = vec![(lo, hi, first.0, first.1)];
    let mut intervals = 1;
    let mut rough_total = first.0.first().copied().unwrap_or(0.0).abs();
    while let Some((a, b, est, err)) = pending.pop() {
        let scale = rough_total.max(f64::MIN_POSITIVE);
        if err <= rel_tol * scale || intervals >= QUAD_MAX_INTERVALS || (b - a) <= 1e-14 * (hi - lo)
        {
            if intervals >= QUAD_MAX_INTERVALS && err > 1e-8 * scale {
                return Err(Error::NotConverged {
                    what: "the adaptive quadrature of the Pareto/NBD likelihood".into(),
                    iterations: intervals,
                    change: err / scale,
                });
            }
            for (t, e) in total.iter_mut().zip(est) {
                *t += e;
            }
            continue;
        }
        let mid = 0.5 * (a + b);
        let left = kronrod(&f, a, mid);
        let right = kronrod(&f, mid, b);
        let old = est.first().copied().unwrap_or(0.0);
        let new = left.0.first().copied().unwrap_or(0.0) + right.0.first().copied().unwrap_or(0.0);
        rough_total += new - old;
        intervals += 1;
        pending.push((a, mid, left.0, left.1));
        pending.push((mid, b, right.0, right.1));
    }
    Ok(total)
}

/// One 15-point Kronrod estimate of every component, and the error estimate of component 0.
fn kronrod<const K: usize>(f: &impl Fn(f64) -> [f64; K], a: f64, b: f64) -> ([f64; K], f64) {
    let centre = 0.5 * (a + b);
    let half = 0.5 * (b - a);
    let mut kron = [0.0; K];
    let mut gauss0 = 0.0;
    for (i, (&x, &wk)) in XGK.iter().zip(WGK.iter()).enumerate() {
        // Gauss nodes are the odd-numbered Kronrod nodes (1, 3, 5, 7).
        let wg = if i % 2 == 1 {
            WG.get(i / 2).copied().unwrap_or(0.0)
        } else {
            0.0
        };
        let points: &[f64] = if x == 0.0 { &[0.0] } else { &[x, -x] };
        for &p in points {
            let v = f(centre + half * p);
            for (k, vk) in kron.iter_mut().zip(v) {
                *k += wk * vk;
            }
            gauss0 += wg * v.first().copied().unwrap_or(0.0);
        }
    }
    for k in kron.iter_mut() {
        *k *= half;
    }
    let err = (kron.first().copied().unwrap_or(0.0) - gauss0 * half).abs();
    (kron, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    // Reference values: mpmath.hyp2f1 at 40 digits.
    #[test]
    fn hyp2f1_matches_mpmath() {
        let cases = [
            // (a, b, c, z, mpmath)
            (0.5, 1.5, 2.5, 0.3, 1.108062551056932),
            (2.24, 4.43, 5.22, 0.55, 4.3652634424642445),
            (30.24, 31.43, 32.22, 0.55, 16782860527.148964),
            (0.24, 2.43, -0.3, 0.5, -6.536456366568451),
            (1.0, 1.0, 2.0, 0.999, 6.914669948931067),
        ];
        for (a, b, c, z, want) in cases {
            let got = hyp2f1(a, b, c, z).unwrap();
            assert!(
                close(got, want, 1e-12),
                "2F1({a},{b};{c};{z}) = {got}, want {want}"
            );
        }
        assert_eq!(hyp2f1(1.0, 1.0, 2.0, 0.0).unwrap(), 1.0);
        assert!(hyp2f1(1.0, 1.0, 2.0, 1.0).is_err());
        assert!(hyp2f1(1.0, 1.0, -2.0, 0.5).is_err());
    }

    #[test]
    fn quadrature_of_a_power_law() {
        // ∫_0^10 (0.01 + x)^-3.5 dx = ((0.01)^-2.5 - (10.01)^-2.5) / 2.5
        let want = (0.01_f64.powf(-2.5) - 10.01_f64.powf(-2.5)) / 2.5;
        let got = integrate(|x| [(0.01 + x).powf(-3.5)], 0.0, 10.0, 1e-13).unwrap();
        assert!(close(got[0], want, 1e-11), "{} vs {want}", got[0]);
        assert_eq!(integrate(|x| [x], 1.0, 1.0, 1e-12).unwrap(), [0.0]);
        assert!(close(log_add_exp(0.0, 0.0), std::f64::consts::LN_2, 1e-15));
        assert_eq!(log_add_exp(f64::NEG_INFINITY, 1.5), 1.5);
    }

    #[test]
    fn rising_factorial_logs_match_ln_gamma() {
        for &(y, x) in &[(0.3, 0.0), (0.3, 5.0), (2.5, 64.0), (2.5, 65.0), (1e4, 3.0)] {
            let lg = ln_gamma(y + x) - ln_gamma(y);
            assert!((ln_rising(y, x) - lg).abs() < 1e-9 * (1.0 + lg.abs()));
            let dg = digamma(y + x) - digamma(y);
            assert!((digamma_diff(y, x) - dg).abs() < 1e-8 * (1.0 + dg.abs()));
        }
    }
}
