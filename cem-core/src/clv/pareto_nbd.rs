//! The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987), as lifetimes'
//! `ParetoNBDFitter` defines it, with the likelihood of Fader and Hardie's note 009.

use serde::{Deserialize, Serialize};

use super::data::{Rfm, check_customer, check_time, rfm, sum_rows};
use super::optim::{Objective, minimize};
use super::special::{digamma_diff, integrate, ln_gamma, ln_rising, log_add_exp};
use super::{FitReport, TransactionModel, check_penalizer, finite, standard_errors};
use crate::error::{Error, Result};

/// Relative accuracy of the quadratures.
const QUAD_TOL: f64 = 1e-12;

/// The Pareto/NBD model of repeat purchases: while alive a customer buys at Poisson rate
/// λ ~ Gamma(r, α) and lives an exponential lifetime of rate μ ~ Gamma(s, β).
///
/// Fitted by maximum likelihood on lifetimes 0.11.3's objective: time rescaled by 1 / max T,
/// `−Σ wᵢ ℓᵢ / mean(w) + penalizer × (r² + α_scaled² + s² + β_scaled²)`. Note that lifetimes
/// divides by the *mean* weight here (the sum of the log-likelihoods, not their mean, for
/// unit weights), unlike its BG/NBD and Gamma-Gamma fitters; cem follows it, so a penalizer
/// gives lifetimes' fit (and a penalty that weighs less as the number of rows grows).
///
/// lifetimes fits it with Nelder–Mead (tolerance 1e-4) from a random start and stops short
/// of the optimum on a likelihood this flat; cem uses BFGS with analytic gradients and
/// Newton steps and reaches it (see the integration tests for the comparison on CDNOW).
///
/// The likelihood's `A₀` term (lifetimes computes it as the difference of two ₂F₁ terms,
/// which cancel and can give `log` of a negative number, hence NaN, when recency is close to
/// T) is computed here as the integral it stands for,
/// `A₀ = (r+s+x) ∫ₜₓᵀ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ`, by adaptive Gauss–Kronrod quadrature in
/// log space: positive, no cancellation, 0 when recency = T.
///
/// # Example
///
/// ```
/// use cem_core::clv::ParetoNbd;
///
/// let weights = [120.0, 40.0, 25.0, 10.0, 8.0];
/// let m = ParetoNbd::default().fit(
///     &[0.0, 1.0, 2.0, 5.0, 1.0], &[0.0, 10.0, 25.0, 30.0, 2.0], &[40.0, 40.0, 38.0, 39.0, 40.0],
///     Some(&weights),
/// )?;
/// assert!(m.p_alive(1.0, 2.0, 40.0)? < m.p_alive(1.0, 35.0, 40.0)?);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbd {
    /// L2 penalty coefficient, as lifetimes' `penalizer_coef` (0 = plain maximum likelihood).
    pub penalizer: f64,
}

/// Parameters of a Pareto/NBD model (α and β in the caller's time unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ParetoNbdParams {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the gamma distribution of purchase rates (in time units).
    pub alpha: f64,
    /// Shape of the gamma distribution of drop-out rates.
    pub s: f64,
    /// Scale of the gamma distribution of drop-out rates (in time units).
    pub beta: f64,
}

/// A Pareto/NBD model with known parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedParetoNbd {
    params: ParetoNbdParams,
    report: Option<FitReport<ParetoNbdParams>>,
}

impl ParetoNbd {
    /// Fits the model; inputs, time units and errors as [`BetaGeo::fit`](super::BetaGeo::fit).
    ///
    /// # Errors
    ///
    /// As [`BetaGeo::fit`](super::BetaGeo::fit).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::ParetoNbd;
    ///
    /// let err = ParetoNbd::default().fit(&[0.0, 0.0], &[0.0, 0.0], &[10.0, 12.0], None).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::InvalidArgument); // no repeat purchases
    /// ```
    pub fn fit(
        &self,
        frequency: &[f64],
        recency: &[f64],
        age: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<FittedParetoNbd> {
        check_penalizer(self.penalizer)?;
        let data = rfm(frequency, recency, age, weights)?;
        let scale = 1.0 / data.max_t;
        let scaled = Scaled {
            data: &data,
            scale,
            penalty: self.penalizer / data.n_rows as f64,
        };
        let m = minimize(&scaled, [0.0; 4], "Pareto/NBD", ["r", "alpha", "s", "beta"])?;
        let [r, alpha_s, s, beta_s] = m.x.map(f64::exp);
        let params = ParetoNbdParams {
            r,
            alpha: alpha_s / scale,
            s,
            beta: beta_s / scale,
        };
        let mut log_likelihood = 0.0;
        for (((&x, &tx), &t), &w) in data.x.iter().zip(&data.tx).zip(&data.t).zip(&data.w) {
            log_likelihood += w * row_terms([r, params.alpha, s, params.beta], x, tx, t, false)?.ll;
        }
        let se = standard_errors(
            &[r, params.alpha, s, params.beta],
            m.hessian,
            data.total_weight,
        );
        Ok(FittedParetoNbd {
            params,
            report: Some(FitReport {
                log_likelihood,
                objective: m.value * data.n_rows as f64,
                standard_errors: se.map(|[r, alpha, s, beta]| ParetoNbdParams {
                    r,
                    alpha,
                    s,
                    beta,
                }),
                iterations: m.iterations,
                customers: data.total_weight,
            }),
        })
    }
}

impl FittedParetoNbd {
    /// A model with the given parameters.
    ///
    /// # Errors
    ///
    /// `InvalidNumber` if a parameter is not a positive finite number.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// assert!(m.expected_purchases(52.0)? > 1.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_params(params: ParetoNbdParams) -> Result<Self> {
        let ParetoNbdParams { r, alpha, s, beta } = params;
        for (name, v) in [("r", r), ("alpha", alpha), ("s", s), ("beta", beta)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid_number(
                    format!("Pareto/NBD parameter {name}"),
                    v,
                    "is not a positive finite number",
                ));
            }
        }
        Ok(FittedParetoNbd {
            params,
            report: None,
        })
    }

    /// The parameters (α and β in the caller's time unit).
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::ParetoNbd::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0, 1.0], &[0.0, 10.0, 25.0, 30.0, 2.0], &[40.0, 40.0, 38.0, 39.0, 40.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0, 8.0]),
    /// )?;
    /// assert!(m.params().r > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn params(&self) -> ParetoNbdParams {
        self.params
    }

    /// How the fit went; `None` for a model built with [`FittedParetoNbd::from_params`].
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::ParetoNbd::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0, 1.0], &[0.0, 10.0, 25.0, 30.0, 2.0], &[40.0, 40.0, 38.0, 39.0, 40.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0, 8.0]),
    /// )?;
    /// let report = m.report().unwrap();
    /// assert!(report.iterations > 0 && report.customers > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn report(&self) -> Option<&FitReport<ParetoNbdParams>> {
        self.report.as_ref()
    }

    /// The maximized log-likelihood in the caller's time unit, without the penalty.
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::ParetoNbd::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0, 1.0], &[0.0, 10.0, 25.0, 30.0, 2.0], &[40.0, 40.0, 38.0, 39.0, 40.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0, 8.0]),
    /// )?;
    /// assert!(m.log_likelihood().unwrap().is_finite());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn log_likelihood(&self) -> Option<f64> {
        self.report.as_ref().map(|r| r.log_likelihood)
    }

    /// Standard errors of the parameters (lifetimes computes none for this model; cem uses the
    /// same delta method as for BG/NBD).
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::ParetoNbd::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0, 1.0], &[0.0, 10.0, 25.0, 30.0, 2.0], &[40.0, 40.0, 38.0, 39.0, 40.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0, 8.0]),
    /// )?;
    /// if let Some(se) = m.standard_errors() {
    ///     assert!(se.r >= 0.0);
    /// }
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn standard_errors(&self) -> Option<ParetoNbdParams> {
        self.report.as_ref().and_then(|r| r.standard_errors)
    }

    /// One customer's log-likelihood (note 009, equation 18).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history; `NotConverged` if the quadrature fails.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// assert!(m.customer_log_likelihood(2.0, 30.43, 38.86)? < 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn customer_log_likelihood(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        Ok(row_terms(self.array(), frequency, recency, age, false)?.ll)
    }

    /// Expected number of purchases in the next `t` time units of a customer with history
    /// (`frequency`, `recency`, `T`) — lifetimes' `predict` (note 009, equation 41).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history or a negative or non-finite `t`.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// assert!(m.predict(52.0, 2.0, 30.43, 38.86)? > m.predict(10.0, 2.0, 30.43, 38.86)?);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn predict(&self, t: f64, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        check_time("t", t)?;
        if t == 0.0 {
            return Ok(0.0);
        }
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let x = frequency;
        let row = row_terms(self.array(), x, recency, age, false)?;
        let first = row.a1 + row.b;
        let second = (r + x).ln() + (beta + age).ln() - (alpha + age).ln();
        let third = survival_integral(s, ((beta + age) / (beta + age + t)).ln()).ln();
        finite(
            "Pareto/NBD prediction",
            (first + second + third - row.ll).exp(),
        )
    }

    /// Probability that a customer with history (`frequency`, `recency`, `T`) is still alive
    /// (note 009, equations 36–37).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// assert_eq!(m.p_alive(3.0, 38.86, 38.86)?, 1.0); // bought at the end of observation
    /// assert!(m.p_alive(3.0, 2.0, 38.86)? < 0.5);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn p_alive(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        let row = row_terms(self.array(), frequency, recency, age, false)?;
        // 1 / (1 + s J / e^B), J the integral, B the alive-at-T term.
        let log_ratio = self.params.s.ln() + row.ln_j - row.b;
        Ok(if log_ratio > 0.0 {
            let e = (-log_ratio).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + log_ratio.exp())
        })
    }

    /// Expected number of repeat purchases in `t` time units of a new customer (note 009,
    /// equation 27).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for a negative or non-finite `t`.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// assert_eq!(m.expected_purchases(0.0)?, 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn expected_purchases(&self, t: f64) -> Result<f64> {
        check_time("t", t)?;
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let v = r * beta / alpha * survival_integral(s, (beta / (beta + t)).ln());
        finite("Pareto/NBD expected purchases", v)
    }

    /// Probability that a new customer makes exactly `n` repeat purchases in `t` time units:
    /// `NBD(n; t) (β/(β+t))^s + ∫₀ᵗ NBD(n; τ) s β^s (β+τ)^−(s+1) dτ`, where `NBD(n; τ)` is
    /// the negative binomial probability of `n` purchases in `τ` (alive throughout, or dead
    /// at τ). lifetimes has no unconditional version for this model; the tests check that the
    /// probabilities sum to 1 and their mean is [`FittedParetoNbd::expected_purchases`].
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for a negative or non-finite `t`; `NotConverged` if the quadrature
    /// fails.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedParetoNbd, ParetoNbdParams};
    ///
    /// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
    /// let total: f64 = (0..300).map(|n| m.probability_of_n_purchases(52.0, n).unwrap()).sum();
    /// assert!((total - 1.0).abs() < 1e-6);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn probability_of_n_purchases(&self, t: f64, n: u32) -> Result<f64> {
        check_time("t", t)?;
        if t == 0.0 {
            return Ok(if n == 0 { 1.0 } else { 0.0 });
        }
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        let nf = f64::from(n);
        let log_coef = ln_gamma(r + nf) - ln_gamma(r) - ln_gamma(nf + 1.0);
        let log_nbd = |tau: f64| {
            if tau <= 0.0 {
                if n == 0 { 0.0 } else { f64::NEG_INFINITY }
            } else {
                log_coef + r * (alpha / (alpha + tau)).ln() + nf * (tau / (alpha + tau)).ln()
            }
        };
        let alive = (log_nbd(t) + s * (beta / (beta + t)).ln()).exp();
        let [dead] = integrate(
            |tau| [(log_nbd(tau) + s.ln() + s * beta.ln() - (s + 1.0) * (beta + tau).ln()).exp()],
            0.0,
            t,
            QUAD_TOL,
        )?;
        finite("Pareto/NBD probability", (alive + dead).clamp(0.0, 1.0))
    }

    fn array(&self) -> [f64; 4] {
        let ParetoNbdParams { r, alpha, s, beta } = self.params;
        [r, alpha, s, beta]
    }
}

impl TransactionModel for FittedParetoNbd {
    fn predict(&self, t: f64, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        FittedParetoNbd::predict(self, t, frequency, recency, age)
    }

    fn p_alive(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        FittedParetoNbd::p_alive(self, frequency, recency, age)
    }
}

/// `(1 − e^{(s−1)L}) / (s − 1)` for `L <= 0`, with its limit `−L` at `s = 1`.
fn survival_integral(s: f64, l: f64) -> f64 {
    let k = s - 1.0;
    if k.abs() < 1e-12 {
        -l
    } else {
        -libm::expm1(k * l) / k
    }
}

/// One row's log-likelihood, its parts, and (if asked) its gradient in log-parameters.
///
/// The terms are lifetimes' rearranged so that nothing large cancels: `r ln α` and `s ln β`
/// go into the two terms of the mixture, where `r ln α − (r+x) ln(α+T)` becomes
/// `−r ln(1 + T/α) − x ln(α+T)` (and likewise for β). That keeps the likelihood accurate when
/// a fit drifts towards large (r, α) or (s, β), homogeneous rates.
struct RowTerms {
    ll: f64,
    /// `ln Γ(r+x) − ln Γ(r)`.
    a1: f64,
    /// `r ln α + s ln β − (r+x) ln(α+T) − s ln(β+T)`: alive at T.
    b: f64,
    /// `r ln α + s ln β + ln ∫ₜₓᵀ (α+τ)^−(r+x) (β+τ)^−(s+1) dτ` (−∞ when recency = T).
    ln_j: f64,
    grad: [f64; 4],
}

fn row_terms(
    [r, alpha, s, beta]: [f64; 4],
    x: f64,
    tx: f64,
    t: f64,
    grad: bool,
) -> Result<RowTerms> {
    let a1 = ln_rising(r, x);
    let b = -r * (t / alpha).ln_1p() - x * (alpha + t).ln() - s * (t / beta).ln_1p();
    // The integral in u = ln(c + τ), c = min(α, β): power laws become exponentials.
    let c = alpha.min(beta);
    let (u_lo, u_hi) = ((c + tx).ln(), (c + t).ln());
    let log_f = |u: f64| {
        let tau = (u.exp() - c).max(0.0);
        let v = u
            - r * (tau / alpha).ln_1p()
            - x * (alpha + tau).ln()
            - s * (tau / beta).ln_1p()
            - (beta + tau).ln();
        (v, tau)
    };
    let reference = log_f(u_lo).0.max(log_f(u_hi).0);
    let integrals = if u_hi > u_lo {
        integrate(
            |u| {
                let (lf, tau) = log_f(u);
                let g = (lf - reference).exp();
                if grad {
                    [
                        g,
                        g * (tau / alpha).ln_1p(),
                        g * tau / (alpha * (alpha + tau)),
                        g / (alpha + tau),
                        g * (tau / beta).ln_1p(),
                        g * tau / (beta * (beta + tau)),
                        g / (beta + tau),
                    ]
                } else {
                    [g, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
                }
            },
            u_lo,
            u_hi,
            QUAD_TOL,
        )?
    } else {
        [0.0; 7]
    };
    let [i0, ..] = integrals;
    let ln_j = if i0 > 0.0 {
        reference + i0.ln()
    } else {
        f64::NEG_INFINITY
    };
    let mix = log_add_exp(b, s.ln() + ln_j);
    let ll = a1 + mix;
    let mut g = [0.0; 4];
    if grad {
        let pb = (b - mix).exp();
        let pj = if i0 > 0.0 {
            (s.ln() + ln_j - mix).exp()
        } else {
            0.0
        };
        // Means under the normalized integrand.
        let [_, e1, e2, e3, e4, e5, e6] = if i0 > 0.0 {
            integrals.map(|v| v / i0)
        } else {
            [0.0; 7]
        };
        let dr = digamma_diff(r, x) - pb * (t / alpha).ln_1p() - pj * e1;
        let dalpha =
            pb * (r * t / (alpha * (alpha + t)) - x / (alpha + t)) + pj * (r * e2 - x * e3);
        let ds = -pb * (t / beta).ln_1p() + pj * (1.0 / s - e4);
        let dbeta = pb * s * t / (beta * (beta + t)) + pj * (s * e5 - e6);
        g = [dr * r, dalpha * alpha, ds * s, dbeta * beta];
    }
    Ok(RowTerms {
        ll,
        a1,
        b,
        ln_j,
        grad: g,
    })
}

/// lifetimes' objective on rescaled time divided by the number of rows: the mean negative
/// log-likelihood plus `penalizer / rows × Σ θ²`, in log-parameters.
struct Scaled<'a> {
    data: &'a Rfm,
    scale: f64,
    penalty: f64,
}

impl Objective<4> for Scaled<'_> {
    fn eval(&self, theta: &[f64; 4]) -> Option<(f64, [f64; 4])> {
        let p = theta.map(f64::exp);
        let d = self.data;
        let (value, grad) = sum_rows(d.x.len(), |i| {
            let (x, tx, t, w) = (*d.x.get(i)?, *d.tx.get(i)?, *d.t.get(i)?, *d.w.get(i)?);
            let row = row_terms(p, x, tx * self.scale, t * self.scale, true).ok()?;
            Some((-w * row.ll, row.grad.map(|v| -w * v)))
        })?;
        let n = d.total_weight;
        let mut out = [0.0; 4];
        for ((o, g), pi) in out.iter_mut().zip(grad).zip(p) {
            *o = g / n + 2.0 * self.penalty * pi * pi;
        }
        let value = value / n + self.penalty * p.iter().map(|v| v * v).sum::<f64>();
        (value.is_finite() && out.iter().all(|v| v.is_finite())).then_some((value, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        for &(x, tx, t) in &[
            (0.0, 0.0, 1.0),
            (2.0, 0.78, 1.0),
            (6.0, 0.9, 1.0),
            (1.0, 1.0, 1.0),
        ] {
            for p in [
                [0.55, 0.27, 0.6, 0.3],
                [1.2, 2.6, 3.0, 0.2],
                [3.0, 0.05, 0.2, 4.0],
            ] {
                let g = row_terms(p, x, tx, t, true).unwrap().grad;
                for (k, gk) in g.iter().enumerate() {
                    let h: f64 = 1e-6;
                    let mut up = p;
                    let mut down = p;
                    up[k] *= h.exp();
                    down[k] *= (-h).exp();
                    let fd = (row_terms(up, x, tx, t, false).unwrap().ll
                        - row_terms(down, x, tx, t, false).unwrap().ll)
                        / (2.0 * h);
                    assert!(
                        (fd - gk).abs() < 1e-6 * (1.0 + gk.abs()),
                        "{p:?} {x} {k}: {fd} vs {gk}"
                    );
                }
            }
        }
    }
}
