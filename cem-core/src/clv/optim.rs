//! The optimizer the CLV models share (private): BFGS with analytic gradients and a
//! backtracking line search, polished with Newton steps on a finite-difference Hessian of the
//! gradient, in log-parameter space. Small fixed-size linear algebra (Cholesky) lives here
//! too. It could move to the crate's `stats` module once another module needs it.
//!
//! Why not `argmin`: four parameters, one method, and we need the Newton polish and the
//! Hessian anyway; the whole thing is ~250 lines and adds nothing to the wasm build.

use crate::error::{Error, Result};

/// Gradient (max-norm, on the mean objective in log-parameters) below which BFGS hands over
/// to the Newton polish.
const GTOL: f64 = 1e-10;
/// Gradient below which BFGS hands over to the Newton polish as soon as a line search has to
/// backtrack. If the polish then cannot bring the gradient below [`GTOL`], BFGS resumes
/// from where it stopped, without handing over again.
const GTOL_HANDOVER: f64 = 1e-7;
/// Gradient above which a stopped search is reported as not converged.
const GTOL_ACCEPT: f64 = 1e-6;
/// Iteration cap of BFGS.
const MAX_ITER: usize = 2000;
/// The largest step, in log-parameters, one line search may try.
const MAX_STEP: f64 = 2.0;
/// Log-parameters beyond this mean the maximum likelihood estimate runs off to 0 or ∞.
const LOG_BOUND: f64 = 40.0;
/// A search that stalls with log-parameters beyond this has run off to the boundary too.
const STUCK_BOUND: f64 = 15.0;
/// The smallest move (max-norm, log-parameters) a line search tries.
const MIN_MOVE: f64 = 1e-12;
/// Step of the central differences of the gradient that make the Hessian.
const HESS_STEP: f64 = 1e-5;

/// An objective: value and gradient at `x`, or `None` where it is not finite.
pub(crate) trait Objective<const N: usize> {
    fn eval(&self, x: &[f64; N]) -> Option<(f64, [f64; N])>;
}

impl<const N: usize, F: Fn(&[f64; N]) -> Option<(f64, [f64; N])>> Objective<N> for F {
    fn eval(&self, x: &[f64; N]) -> Option<(f64, [f64; N])> {
        self(x)
    }
}

/// Where [`minimize`] stopped.
#[derive(Debug, Clone)]
pub(crate) struct Minimum<const N: usize> {
    pub x: [f64; N],
    pub value: f64,
    pub iterations: usize,
    /// Hessian at `x` (central differences of the gradient), if finite.
    pub hessian: Option<[[f64; N]; N]>,
}

/// Minimizes `f` from `x0`. `names` name the parameters in errors about the boundary.
pub(crate) fn minimize<const N: usize>(
    f: &impl Objective<N>,
    x0: [f64; N],
    what: &str,
    names: [&str; N],
) -> Result<Minimum<N>> {
    let Some((fx, g)) = f.eval(&x0) else {
        return Err(Error::Undefined(format!(
            "the {what} likelihood is not finite at the starting point"
        )));
    };
    let mut s = Search {
        x: x0,
        value: fx,
        grad: g,
        h_inv: identity::<N>(),
        iterations: 0,
        last_change: f64::INFINITY,
    };
    let handed_over = bfgs(f, &mut s, true, what, &names)?;
    let (mut hess, mut moved) = polish(f, &mut s);
    if handed_over && max_abs(&s.grad) > GTOL {
        // The polish could not finish (its Hessian did not factor or its first step did not
        // improve): BFGS takes over again, this time without handing over, until the gradient
        // is below GTOL or no decrease is possible, and the polish gets one more go.
        bfgs(f, &mut s, false, what, &names)?;
        (hess, moved) = polish(f, &mut s);
    }
    if moved > 1e-7 {
        // The Hessian the standard errors use is taken where the search ended.
        hess = hessian(f, &s.x);
    }
    let Search {
        x,
        value: fx,
        grad: g,
        iterations,
        last_change,
        ..
    } = s;
    check_bounds(&x, what, &names, LOG_BOUND)?;
    if max_abs(&g) > GTOL_ACCEPT {
        // Stuck far out (a parameter below e^-15 or above e^15, rescaled): the likelihood
        // keeps rising towards the boundary, where rounding stops the search.
        check_bounds(&x, what, &names, STUCK_BOUND)?;
        return Err(Error::NotConverged {
            what: format!("the {what} fit (gradient {:e})", max_abs(&g)),
            iterations,
            change: last_change,
        });
    }
    Ok(Minimum {
        x,
        value: fx,
        iterations,
        hessian: hess,
    })
}

/// The state of a search: the point, its value and gradient, BFGS's inverse Hessian estimate
/// and the counts reported in errors.
struct Search<const N: usize> {
    x: [f64; N],
    value: f64,
    grad: [f64; N],
    h_inv: [[f64; N]; N],
    iterations: usize,
    last_change: f64,
}

/// BFGS from `s` until the gradient is below [`GTOL`] or no decrease is possible; with
/// `handover`, also once a line search backtracks with the gradient below
/// [`GTOL_HANDOVER`]. Returns whether it stopped for that handover.
fn bfgs<const N: usize>(
    f: &impl Objective<N>,
    s: &mut Search<N>,
    handover: bool,
    what: &str,
    names: &[&str; N],
) -> Result<bool> {
    while max_abs(&s.grad) > GTOL {
        if s.iterations >= MAX_ITER {
            return Err(Error::NotConverged {
                what: format!("the {what} fit"),
                iterations: s.iterations,
                change: s.last_change,
            });
        }
        s.iterations += 1;
        let g = s.grad;
        let mut d = mat_vec(&s.h_inv, &g).map(|v| -v);
        if dot(&d, &g) >= 0.0 {
            // Not a descent direction: restart from steepest descent.
            s.h_inv = identity::<N>();
            d = g.map(|v| -v);
        }
        let found = match line_search(f, &s.x, s.value, &g, &d) {
            Some(found) => Some(found),
            // Near the optimum a failed search means rounding: steepest descent fails too.
            None if max_abs(&g) < GTOL_ACCEPT => None,
            None => {
                // A stale curvature estimate can point nowhere useful: restart from steepest
                // descent once before concluding that no decrease is possible.
                s.h_inv = identity::<N>();
                line_search(f, &s.x, s.value, &g, &g.map(|v| -v))
            }
        };
        let Some(Step {
            x: x_new,
            value: f_new,
            grad: g_new,
            size: step,
            backtracked,
        }) = found
        else {
            return Ok(false); // no decrease possible at this precision: let Newton finish
        };
        check_bounds(&x_new, what, names, LOG_BOUND)?;
        let sx = sub(&x_new, &s.x);
        let y = sub(&g_new, &g);
        let sy = dot(&sx, &y);
        if sy > 1e-14 * norm(&sx) * norm(&y) {
            bfgs_update(&mut s.h_inv, &sx, &y, sy);
        }
        s.last_change = step;
        s.x = x_new;
        s.value = f_new;
        s.grad = g_new;
        if handover && backtracked && max_abs(&s.grad) < GTOL_HANDOVER {
            // Close to the optimum a rejected full step means the objective's rounding has
            // started to show: BFGS would now spend most evaluations halving steps (on a
            // million customers that was two thirds of a Gamma-Gamma fit) for little gain.
            // Newton's polish converges from here in a step or two.
            return Ok(true);
        }
    }
    Ok(false)
}

/// Newton polish from `s`. BFGS has brought the point close to the optimum, so one
/// finite-difference Hessian serves every step (a simplified Newton iteration, linear but
/// fast convergence; each Hessian costs 2N evaluations of the objective). Returns that
/// Hessian, taken where the polish started, and how far the polish moved.
fn polish<const N: usize>(
    f: &impl Objective<N>,
    s: &mut Search<N>,
) -> (Option<[[f64; N]; N]>, f64) {
    let hess = hessian(f, &s.x);
    let mut moved = 0.0_f64;
    if let Some(h) = hess {
        for _ in 0..8 {
            let Some(d) = cholesky_solve(&h, &s.grad.map(|v| -v)) else {
                break;
            };
            let x_new = add(&s.x, &d);
            let Some((f_new, g_new)) = f.eval(&x_new) else {
                break;
            };
            if !(max_abs(&g_new) < max_abs(&s.grad) || f_new < s.value) {
                break;
            }
            s.iterations += 1;
            s.last_change = max_abs(&d);
            moved += s.last_change;
            s.x = x_new;
            s.value = f_new;
            s.grad = g_new;
            if max_abs(&d) < 1e-13 {
                break;
            }
        }
    }
    (hess, moved)
}

/// Central-difference Hessian of the analytic gradient, symmetrized.
pub(crate) fn hessian<const N: usize>(
    f: &impl Objective<N>,
    x: &[f64; N],
) -> Option<[[f64; N]; N]> {
    let mut h = [[0.0; N]; N];
    for (j, row) in h.iter_mut().enumerate() {
        let mut plus = *x;
        let mut minus = *x;
        *plus.get_mut(j)? += HESS_STEP;
        *minus.get_mut(j)? -= HESS_STEP;
        let (_, gp) = f.eval(&plus)?;
        let (_, gm) = f.eval(&minus)?;
        for ((r, p), m) in row.iter_mut().zip(gp).zip(gm) {
            *r = (p - m) / (2.0 * HESS_STEP);
        }
    }
    let t = transpose(&h);
    let mut sym = [[0.0; N]; N];
    for ((srow, hrow), trow) in sym.iter_mut().zip(&h).zip(&t) {
        for ((s, a), b) in srow.iter_mut().zip(hrow).zip(trow) {
            *s = 0.5 * (a + b);
        }
    }
    sym.iter().flatten().all(|v| v.is_finite()).then_some(sym)
}

/// The diagonal of the inverse of a symmetric positive definite matrix, if it is one.
pub(crate) fn inverse_diagonal<const N: usize>(m: &[[f64; N]; N]) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    for (i, o) in out.iter_mut().enumerate() {
        let mut e = [0.0; N];
        *e.get_mut(i)? = 1.0;
        *o = cholesky_solve(m, &e)?.get(i).copied()?;
    }
    Some(out)
}

/// A step a line search accepted.
struct Step<const N: usize> {
    x: [f64; N],
    value: f64,
    grad: [f64; N],
    /// How far it moved (max-norm, log-parameters).
    size: f64,
    /// Whether the first trial was rejected.
    backtracked: bool,
}

fn line_search<const N: usize>(
    f: &impl Objective<N>,
    x: &[f64; N],
    fx: f64,
    g: &[f64; N],
    d: &[f64; N],
) -> Option<Step<N>> {
    let slope = dot(g, d);
    let mut step = (MAX_STEP / max_abs(d)).min(1.0);
    for trial in 0..80 {
        let x_new = add(x, &d.map(|v| v * step));
        // A step that moves the log-parameters by less than 1e-12 changes nothing that
        // matters and soon nothing at all (below rounding, halving only repeats the same
        // evaluation: on a flat likelihood over a million customers that was most of the
        // fit's time). Newton's polish takes it from here.
        if x_new == *x || step * max_abs(d) < MIN_MOVE {
            return None;
        }
        if let Some((f_new, g_new)) = f.eval(&x_new)
            && f_new <= fx + 1e-4 * step * slope
            && (f_new < fx || max_abs(&g_new) < max_abs(g))
        {
            return Some(Step {
                x: x_new,
                value: f_new,
                grad: g_new,
                size: step * max_abs(d),
                backtracked: trial > 0,
            });
        }
        step *= 0.5;
    }
    None
}

fn check_bounds<const N: usize>(
    x: &[f64; N],
    what: &str,
    names: &[&str; N],
    bound: f64,
) -> Result<()> {
    for (v, name) in x.iter().zip(names) {
        if v.abs() > bound {
            let towards = if *v > 0.0 { "infinity" } else { "0" };
            return Err(Error::Undefined(format!(
                "the {what} maximum likelihood estimate does not exist for these data: \
                 `{name}` goes to {towards}"
            )));
        }
    }
    Ok(())
}

fn bfgs_update<const N: usize>(h: &mut [[f64; N]; N], s: &[f64; N], y: &[f64; N], sy: f64) {
    let rho = 1.0 / sy;
    let hy = mat_vec(h, y);
    let yhy = dot(y, &hy);
    let c = rho * rho * yhy + rho;
    for ((row, si), hyi) in h.iter_mut().zip(s).zip(&hy) {
        for ((e, sj), hyj) in row.iter_mut().zip(s).zip(&hy) {
            *e += -rho * (si * hyj + hyi * sj) + c * si * sj;
        }
    }
}

/// Solves `m x = b` for symmetric positive definite `m` by Cholesky; `None` if it is not.
fn cholesky_solve<const N: usize>(m: &[[f64; N]; N], b: &[f64; N]) -> Option<[f64; N]> {
    let mut l = [[0.0; N]; N];
    for i in 0..N {
        for j in 0..=i {
            let mut sum = *m.get(i)?.get(j)?;
            for k in 0..j {
                sum -= l.get(i)?.get(k)? * l.get(j)?.get(k)?;
            }
            let v = if i == j {
                if sum.is_nan() || sum <= 0.0 {
                    return None;
                }
                sum.sqrt()
            } else {
                sum / l.get(j)?.get(j)?
            };
            *l.get_mut(i)?.get_mut(j)? = v;
        }
    }
    // Forward then back substitution.
    let mut y = [0.0; N];
    for i in 0..N {
        let mut sum = *b.get(i)?;
        for k in 0..i {
            sum -= l.get(i)?.get(k)? * y.get(k)?;
        }
        *y.get_mut(i)? = sum / l.get(i)?.get(i)?;
    }
    let mut x = [0.0; N];
    for i in (0..N).rev() {
        let mut sum = *y.get(i)?;
        for k in i + 1..N {
            sum -= l.get(k)?.get(i)? * x.get(k)?;
        }
        *x.get_mut(i)? = sum / l.get(i)?.get(i)?;
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

fn identity<const N: usize>() -> [[f64; N]; N] {
    let mut m = [[0.0; N]; N];
    for (i, row) in m.iter_mut().enumerate() {
        if let Some(e) = row.get_mut(i) {
            *e = 1.0;
        }
    }
    m
}

fn transpose<const N: usize>(m: &[[f64; N]; N]) -> [[f64; N]; N] {
    let mut t = [[0.0; N]; N];
    for (i, row) in m.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            if let Some(e) = t.get_mut(j).and_then(|r| r.get_mut(i)) {
                *e = *v;
            }
        }
    }
    t
}

fn mat_vec<const N: usize>(m: &[[f64; N]; N], v: &[f64; N]) -> [f64; N] {
    m.map(|row| dot(&row, v))
}

fn dot<const N: usize>(a: &[f64; N], b: &[f64; N]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn add<const N: usize>(a: &[f64; N], b: &[f64; N]) -> [f64; N] {
    let mut out = *a;
    for (o, v) in out.iter_mut().zip(b) {
        *o += v;
    }
    out
}

fn sub<const N: usize>(a: &[f64; N], b: &[f64; N]) -> [f64; N] {
    let mut out = *a;
    for (o, v) in out.iter_mut().zip(b) {
        *o -= v;
    }
    out
}

fn norm<const N: usize>(a: &[f64; N]) -> f64 {
    dot(a, a).sqrt()
}

fn max_abs<const N: usize>(a: &[f64; N]) -> f64 {
    a.iter().fold(0.0, |m, v| m.max(v.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimizes_rosenbrock_to_the_optimum() {
        let f = |x: &[f64; 2]| {
            let (a, b) = (x[0], x[1]);
            let v = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
            let g = [
                -2.0 * (1.0 - a) - 400.0 * a * (b - a * a),
                200.0 * (b - a * a),
            ];
            Some((v, g))
        };
        let m = minimize(&f, [-1.2, 1.0], "test", ["a", "b"]).unwrap();
        assert!(
            (m.x[0] - 1.0).abs() < 1e-10 && (m.x[1] - 1.0).abs() < 1e-10,
            "{:?}",
            m.x
        );
        let h = m.hessian.unwrap();
        assert!((h[0][0] - 802.0).abs() < 1e-4 && (h[0][1] + 400.0).abs() < 1e-4);
        let d = inverse_diagonal(&h).unwrap();
        assert!(
            (d[0] - 0.5).abs() < 1e-6 && (d[1] - 2.005).abs() < 1e-6,
            "{d:?}"
        );
    }

    #[test]
    fn reports_a_runaway_parameter() {
        // Infimum at x → +∞.
        let f = |x: &[f64; 1]| Some((-x[0], [-1.0]));
        let err = minimize(&f, [0.0], "test", ["a"]).unwrap_err();
        assert!(err.to_string().contains("`a` goes to infinity"), "{err}");
    }

    #[test]
    fn ends_below_gtol_when_the_polish_cannot_finish() {
        // c·|x|^1.5 with c = 1e-6: the gradient 1.5c·√|x| is concave, so BFGS's secant steps
        // overshoot the minimum and line searches backtrack; the Newton step mirrors x
        // exactly (-x: as steep as before, no better), so the polish stops at once.
        let c = 1e-6;
        let f = move |x: &[f64; 1]| {
            let a = x[0].abs();
            Some((c * a.powf(1.5), [1.5 * c * a.sqrt() * x[0].signum()]))
        };
        let x0 = [1.0];
        let (value, grad) = f(&x0).unwrap();
        let mut s = Search {
            x: x0,
            value,
            grad,
            h_inv: identity::<1>(),
            iterations: 0,
            last_change: f64::INFINITY,
        };
        // The scenario: BFGS hands over above GTOL and the polish cannot move.
        assert!(bfgs(&f, &mut s, true, "test", &["a"]).unwrap());
        let before = s.grad;
        assert!(
            max_abs(&before) > GTOL && max_abs(&before) < GTOL_HANDOVER,
            "{before:?}"
        );
        let (_, moved) = polish(&f, &mut s);
        assert_eq!((moved, s.grad), (0.0, before));
        // The search still ends below GTOL.
        let m = minimize(&f, x0, "test", ["a"]).unwrap();
        let (_, g) = f(&m.x).unwrap();
        assert!(max_abs(&g) <= GTOL, "gradient {g:?} at {:?}", m.x);
    }
}
