//! The BG/NBD model (Fader, Hardie and Lee 2005), as lifetimes' `BetaGeoFitter` defines it.

use serde::{Deserialize, Serialize};

use super::data::{Rfm, check_customer, check_time, rfm, sum_rows};
use super::optim::{Objective, minimize};
use super::special::{digamma_diff, hyp2f1, ln_beta, ln_gamma, ln_rising};
use super::{FitReport, TransactionModel, check_penalizer, finite, standard_errors};
use crate::error::{Error, Result};

/// The BG/NBD ("beta-geometric / negative binomial") model of repeat purchases: while alive a
/// customer buys at Poisson rate λ ~ Gamma(r, α) and after each purchase drops out with
/// probability p ~ Beta(a, b).
///
/// Fitted by maximum likelihood exactly as lifetimes 0.11.3's `BetaGeoFitter`: the objective
/// is the mean negative log-likelihood with time rescaled by 1 / max T, plus
/// `penalizer × (r² + α_scaled² + a² + b²)` where `α_scaled = α / max T`. So a penalizer gives
/// the same fit as `BetaGeoFitter(penalizer_coef=...)`.
///
/// # Example
///
/// ```
/// use cem_core::clv::BetaGeo;
///
/// // frequency (repeat purchases), recency (time of the last one), T (age), in weeks
/// let frequency = [2.0, 1.0, 0.0, 0.0, 4.0, 1.0, 0.0, 3.0];
/// let recency = [30.4, 1.7, 0.0, 0.0, 20.1, 29.0, 0.0, 35.0];
/// let age = [38.9, 38.9, 38.9, 38.9, 38.9, 36.0, 36.0, 36.0];
/// let model = BetaGeo::default().fit(&frequency, &recency, &age, None)?;
/// let p = model.params();
/// assert!(p.r > 0.0 && p.alpha > 0.0 && p.a > 0.0 && p.b > 0.0);
/// let next_year = model.predict(52.0, 2.0, 30.4, 38.9)?;
/// assert!(next_year > 0.0);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BetaGeo {
    /// L2 penalty coefficient, as lifetimes' `penalizer_coef` (0 = plain maximum likelihood).
    pub penalizer: f64,
}

/// Parameters of a BG/NBD model (α in the caller's time unit).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BetaGeoParams {
    /// Shape of the gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the gamma distribution of purchase rates (in time units).
    pub alpha: f64,
    /// First shape of the beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the beta distribution of drop-out probabilities.
    pub b: f64,
}

/// A BG/NBD model with known parameters: fitted by [`BetaGeo::fit`] or built from
/// parameters with [`FittedBetaGeo::from_params`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedBetaGeo {
    params: BetaGeoParams,
    report: Option<FitReport<BetaGeoParams>>,
}

impl BetaGeo {
    /// Fits the model to one row per customer (or per group of identical customers, with
    /// `weights` counting them). Time is in the caller's unit; the parameters come back in it.
    ///
    /// # Errors
    ///
    /// `LengthMismatch` for columns of different lengths, `Empty` for no customers (or all
    /// weights 0), `InvalidNumber` naming the row for a frequency that is not a whole number
    /// `>= 0`, a negative or non-finite recency, T or weight, a recency above T or a non-zero
    /// recency with frequency 0; `InvalidArgument` when nobody made a repeat purchase or every
    /// T is 0, or for a negative penalizer; `NotConverged` if the optimizer hits its iteration
    /// cap; `Undefined` when the estimate runs off to 0 or infinity.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::BetaGeo;
    ///
    /// let weights = [120.0, 40.0, 25.0, 10.0];
    /// let m = BetaGeo { penalizer: 0.01 }.fit(
    ///     &[0.0, 1.0, 2.0, 5.0], &[0.0, 10.0, 25.0, 30.0], &[40.0, 40.0, 38.0, 39.0],
    ///     Some(&weights),
    /// )?;
    /// assert!(m.log_likelihood().unwrap() < 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn fit(
        &self,
        frequency: &[f64],
        recency: &[f64],
        age: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<FittedBetaGeo> {
        check_penalizer(self.penalizer)?;
        let data = rfm(frequency, recency, age, weights)?;
        let scale = 1.0 / data.max_t;
        let scaled = Scaled::new(&data, scale, self.penalizer)?;
        let m = minimize(&scaled, [0.0; 4], "BG/NBD", ["r", "alpha", "a", "b"])?;
        let [r, alpha_s, a, b] = m.x.map(f64::exp);
        let params = BetaGeoParams {
            r,
            alpha: alpha_s / scale,
            a,
            b,
        };
        let fitted = FittedBetaGeo::from_params(params)?;
        let mut log_likelihood = 0.0;
        for (((&x, &tx), &t), &w) in data.x.iter().zip(&data.tx).zip(&data.t).zip(&data.w) {
            log_likelihood += w * fitted.customer_log_likelihood(x, tx, t)?;
        }
        let se = standard_errors(&[r, params.alpha, a, b], m.hessian, data.total_weight);
        Ok(FittedBetaGeo {
            params,
            report: Some(FitReport {
                log_likelihood,
                objective: m.value,
                standard_errors: se.map(|[r, alpha, a, b]| BetaGeoParams { r, alpha, a, b }),
                iterations: m.iterations,
                customers: data.total_weight,
            }),
        })
    }
}

impl FittedBetaGeo {
    /// A model with the given parameters (for example ones fitted elsewhere).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` if a parameter is not a positive finite number.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// assert!((m.p_alive(2.0, 30.43, 38.86)? - 0.7266).abs() < 1e-3);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_params(params: BetaGeoParams) -> Result<Self> {
        let BetaGeoParams { r, alpha, a, b } = params;
        for (name, v) in [("r", r), ("alpha", alpha), ("a", a), ("b", b)] {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid_number(
                    format!("BG/NBD parameter {name}"),
                    v,
                    "is not a positive finite number",
                ));
            }
        }
        Ok(FittedBetaGeo {
            params,
            report: None,
        })
    }

    /// The parameters (α in the caller's time unit).
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::BetaGeo::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0], &[0.0, 10.0, 25.0, 30.0], &[40.0, 40.0, 38.0, 39.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0]),
    /// )?;
    /// assert!(m.params().r > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn params(&self) -> BetaGeoParams {
        self.params
    }

    /// How the fit went; `None` for a model built with [`FittedBetaGeo::from_params`].
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::BetaGeo::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0], &[0.0, 10.0, 25.0, 30.0], &[40.0, 40.0, 38.0, 39.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0]),
    /// )?;
    /// let report = m.report().unwrap();
    /// assert!(report.iterations > 0 && report.customers > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn report(&self) -> Option<&FitReport<BetaGeoParams>> {
        self.report.as_ref()
    }

    /// The maximized log-likelihood of the fitted data in the caller's time unit, without the
    /// penalty (lifetimes' objective is its negative mean on rescaled time, see
    /// [`FitReport::objective`]).
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::BetaGeo::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0], &[0.0, 10.0, 25.0, 30.0], &[40.0, 40.0, 38.0, 39.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0]),
    /// )?;
    /// assert!(m.log_likelihood().unwrap().is_finite());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn log_likelihood(&self) -> Option<f64> {
        self.report.as_ref().map(|r| r.log_likelihood)
    }

    /// Standard errors of the parameters, lifetimes' way: the delta method on the inverse
    /// Hessian of the (penalized, mean) objective in log-parameters, divided by the number of
    /// customers. `None` if the Hessian is not positive definite or for an unfitted model.
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::BetaGeo::default().fit(
    ///     &[0.0, 1.0, 2.0, 5.0], &[0.0, 10.0, 25.0, 30.0], &[40.0, 40.0, 38.0, 39.0],
    ///     Some(&[120.0, 40.0, 25.0, 10.0]),
    /// )?;
    /// if let Some(se) = m.standard_errors() {
    ///     assert!(se.r >= 0.0);
    /// }
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn standard_errors(&self) -> Option<BetaGeoParams> {
        self.report.as_ref().and_then(|r| r.standard_errors)
    }

    /// One customer's log-likelihood (lifetimes' per-row term, in the caller's time unit).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history (see [`BetaGeo::fit`]).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.24, alpha: 4.4, a: 0.79, b: 2.4 })?;
    /// assert!(m.customer_log_likelihood(2.0, 30.43, 38.86)? < 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn customer_log_likelihood(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        let BetaGeoParams { r, alpha, a, b } = self.params;
        Ok(row_terms([r, alpha, a, b], frequency, recency, age).ll)
    }

    /// Expected number of purchases in the next `t` time units of a customer with history
    /// (`frequency`, `recency`, `T`) — lifetimes' `predict` /
    /// `conditional_expected_number_of_purchases_up_to_time` (equation 10 of Fader, Hardie and
    /// Lee 2005).
    ///
    /// Where lifetimes takes the log of a negative ₂F₁ and returns NaN (zero-frequency
    /// customers when `a + b < 1`, typical under a penalizer), cem evaluates the same formula
    /// without the logarithm and returns the finite value (checked against mpmath).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history or a negative or non-finite `t`. At `a = 1`,
    /// where lifetimes' formula is 0/0 (it returns ±∞ or NaN, and loses digits near it),
    /// cem gives the limit (see the integration tests, against mpmath).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// let one_year = m.predict(52.0, 2.0, 30.43, 38.86)?;
    /// assert!((one_year - 1.5586).abs() < 1e-3);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn predict(&self, t: f64, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        check_time("t", t)?;
        if t == 0.0 {
            return Ok(0.0);
        }
        let BetaGeoParams { r, alpha, a, b } = self.params;
        let x = frequency;
        let z = t / (alpha + age + t);
        let numerator = purchases_term(r, a, b, x, z)?;
        let den = if x > 0.0 {
            1.0 + (a / (b + x - 1.0)) * ((r + x) * ((alpha + age) / (alpha + recency)).ln()).exp()
        } else {
            1.0
        };
        finite("BG/NBD prediction", (numerator / den).max(0.0))
    }

    /// Probability that a customer with history (`frequency`, `recency`, `T`) is still alive
    /// (Fader, Hardie and Lee's note 021): 1 for a customer without repeat purchases.
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for an invalid history.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// assert_eq!(m.p_alive(0.0, 0.0, 38.86)?, 1.0);
    /// assert!(m.p_alive(1.0, 1.71, 38.86)? < 0.25);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn p_alive(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        check_customer(None, frequency, recency, age)?;
        if frequency == 0.0 {
            return Ok(1.0);
        }
        let BetaGeoParams { r, alpha, a, b } = self.params;
        let log_div = (r + frequency) * ((alpha + age) / (alpha + recency)).ln()
            + (a / (b + frequency - 1.0)).ln();
        // expit(-log_div), stable for either sign.
        Ok(if log_div > 0.0 {
            let e = (-log_div).exp();
            e / (1.0 + e)
        } else {
            1.0 / (1.0 + log_div.exp())
        })
    }

    /// Expected number of repeat purchases in `t` time units of a new customer (equation 9).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for a negative or non-finite `t`. Finite and continuous at `a = 1`,
    /// as [`predict`](Self::predict).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// assert!((m.expected_purchases(52.0)? - 1.446).abs() < 1e-3);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn expected_purchases(&self, t: f64) -> Result<f64> {
        check_time("t", t)?;
        let BetaGeoParams { r, alpha, a, b } = self.params;
        let v = purchases_term(r, a, b, 0.0, t / (alpha + t))?;
        finite("BG/NBD expected purchases", v.max(0.0))
    }

    /// Probability that a new customer makes exactly `n` repeat purchases in `t` time units
    /// (equation 8; lifetimes' `probability_of_n_purchases_up_to_time`).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for a negative or non-finite `t`.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    ///
    /// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// let total: f64 = (0..200).map(|n| m.probability_of_n_purchases(52.0, n).unwrap()).sum();
    /// assert!((total - 1.0).abs() < 1e-6);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn probability_of_n_purchases(&self, t: f64, n: u32) -> Result<f64> {
        check_time("t", t)?;
        let BetaGeoParams { r, alpha, a, b } = self.params;
        let nf = f64::from(n);
        if t == 0.0 {
            return Ok(if n == 0 { 1.0 } else { 0.0 });
        }
        let log_p = (alpha / (alpha + t)).ln();
        let log_q = (t / (alpha + t)).ln();
        let first = (ln_beta(a, b + nf) - ln_beta(a, b) + ln_gamma(r + nf)
            - ln_gamma(r)
            - ln_gamma(nf + 1.0)
            + r * log_p
            + nf * log_q)
            .exp();
        let second = if n > 0 {
            let mut sum = 0.0;
            for j in 0..n {
                let jf = f64::from(j);
                sum += (ln_gamma(r + jf) - ln_gamma(r) - ln_gamma(jf + 1.0) + jf * log_q).exp();
            }
            (ln_beta(a + 1.0, b + nf - 1.0) - ln_beta(a, b)).exp() * (1.0 - (r * log_p).exp() * sum)
        } else {
            0.0
        };
        finite("BG/NBD probability", (first + second).clamp(0.0, 1.0))
    }
}

impl TransactionModel for FittedBetaGeo {
    fn predict(&self, t: f64, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        FittedBetaGeo::predict(self, t, frequency, recency, age)
    }

    fn p_alive(&self, frequency: f64, recency: f64, age: f64) -> Result<f64> {
        FittedBetaGeo::p_alive(self, frequency, recency, age)
    }
}

/// Below this |a − 1|, [`purchases_term`] sums its series form instead of the closed form,
/// whose two factors are ∞ × 0 at a = 1 (relative error about 1e-16 / |a − 1|).
const NEAR_A_ONE: f64 = 1e-2;

/// `(a+b+x−1)/(a−1) · (1 − (1−z)^(r+x) ₂F₁(r+x, b+x; a+b+x−1; z))`, the numerator of
/// equations 9 and 10 of Fader, Hardie and Lee (2005).
///
/// With c = a+b+x−1, ε = a−1 and L = ln(1−z), Euler's transformation gives
/// `(1−z)^(r+x) ₂F₁(r+x, b+x; c; z) = (1−z)^ε ₂F₁(c−r−x, ε; c; z)`, and since
/// `(ε)ₖ = ε (1+ε)ₖ₋₁` the term equals `c (−expm1(ε L)/ε − e^(ε L) S)` with
/// `S = Σₖ≥₁ (c−r−x)ₖ (1+ε)ₖ₋₁ / ((c)ₖ k!) zᵏ`: finite and continuous through a = 1
/// (where −expm1(ε L)/ε = −L). Used for |a − 1| < [`NEAR_A_ONE`]; lifetimes evaluates the
/// closed form and returns ±∞ or NaN at a = 1 and loses digits near it.
fn purchases_term(r: f64, a: f64, b: f64, x: f64, z: f64) -> Result<f64> {
    let c = a + b + x - 1.0;
    let eps = a - 1.0;
    if eps.abs() >= NEAR_A_ONE {
        let hyp = hyp2f1(r + x, b + x, c, z)?;
        return Ok(c / eps * (1.0 - hyp * ((r + x) * libm::log1p(-z)).exp()));
    }
    let l = libm::log1p(-z);
    let head = if eps == 0.0 {
        -l
    } else {
        -libm::expm1(eps * l) / eps
    };
    let d = c - r - x;
    let mut term = d * z / c;
    let mut sum = term;
    let mut k = 1.0;
    while term.abs() > 1e-17 * sum.abs().max(1e-300) {
        if k > HYP_TERMS {
            return Err(Error::NotConverged {
                what: format!("the BG/NBD series at a = {a}, z = {z}"),
                iterations: HYP_TERMS as usize,
                change: term,
            });
        }
        term *= (d + k) * (eps + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        k += 1.0;
    }
    Ok(c * (head - (eps * l).exp() * sum))
}

/// The most terms [`purchases_term`] sums (z = 1 − 1e-5 needs about 4 million).
const HYP_TERMS: f64 = 1e7;

/// One row's log-likelihood and its gradient with respect to the log-parameters.
struct RowTerms {
    ll: f64,
    grad: [f64; 4],
}

/// The parts of a row's terms that depend on the frequency only (and the parameters).
#[derive(Debug, Clone, Copy, Default)]
struct CountTerms {
    /// `ln Γ(r+x) − ln Γ(r)`.
    ln_r: f64,
    /// `ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x) + ln Γ(a+b)`.
    ln_b_ab: f64,
    /// `ψ(r+x) − ψ(r)`.
    dg_r: f64,
    /// `ψ(b+x) − ψ(b)`.
    dg_b: f64,
    /// `ψ(a+b+x) − ψ(a+b)`.
    dg_ab: f64,
    /// `ln a − ln(b+x−1)` (0 for x = 0, where it is not used).
    ln_a_bx: f64,
}

fn count_terms(r: f64, a: f64, b: f64, x: f64) -> CountTerms {
    CountTerms {
        ln_r: ln_rising(r, x),
        ln_b_ab: ln_rising(b, x) - ln_rising(a + b, x),
        dg_r: digamma_diff(r, x),
        dg_b: digamma_diff(b, x),
        dg_ab: digamma_diff(a + b, x),
        ln_a_bx: if x > 0.0 {
            a.ln() - (b + x - 1.0).ln()
        } else {
            0.0
        },
    }
}

/// Largest frequency for which the fit tabulates [`CountTerms`] (beyond, row by row).
const TABLE_MAX: f64 = 100_000.0;

/// [`CountTerms`] for x = 0, 1, …, `max_x`, by running sums: one pass per evaluation instead
/// of O(x) work per row (the rows of a fit share few distinct frequencies).
fn count_table(r: f64, a: f64, b: f64, max_x: f64) -> Vec<CountTerms> {
    let mut out = Vec::with_capacity(max_x as usize + 1);
    let mut c = CountTerms::default();
    let ln_a = a.ln();
    let mut k = 0.0;
    loop {
        c.ln_a_bx = if k > 0.0 {
            ln_a - (b + k - 1.0).ln()
        } else {
            0.0
        };
        out.push(c);
        if k >= max_x {
            break;
        }
        c.ln_r += (r + k).ln();
        c.ln_b_ab += (b + k).ln() - (a + b + k).ln();
        c.dg_r += 1.0 / (r + k);
        c.dg_b += 1.0 / (b + k);
        c.dg_ab += 1.0 / (a + b + k);
        k += 1.0;
    }
    out
}

fn row_terms(p: [f64; 4], x: f64, tx: f64, t: f64) -> RowTerms {
    let [r, alpha, a, b] = p;
    let ct = count_terms(r, a, b, x);
    row_terms_with(
        p,
        x,
        &TimeTerms::new(alpha, t),
        &TimeTerms::new(alpha, tx),
        &ct,
    )
}

/// The parts of a row's terms that depend on one time (T or recency) and α only.
#[derive(Debug, Clone, Copy)]
struct TimeTerms {
    /// The time.
    v: f64,
    /// `ln(1 + v/α)`.
    ln_1p: f64,
    /// `ln(α + v)`.
    ln_alpha: f64,
    /// `1 / (α + v)`.
    inv: f64,
}

impl TimeTerms {
    fn new(alpha: f64, v: f64) -> Self {
        TimeTerms {
            v,
            ln_1p: (v / alpha).ln_1p(),
            ln_alpha: (alpha + v).ln(),
            inv: 1.0 / (alpha + v),
        }
    }
}

fn row_terms_with(
    [r, alpha, a, b]: [f64; 4],
    x: f64,
    t: &TimeTerms,
    tx: &TimeTerms,
    ct: &CountTerms,
) -> RowTerms {
    // lifetimes' A₁…A₄ with `r ln α` moved into A₃ and A₄, so that `r ln α − (r+x) ln(α+T)`
    // is computed as `−r ln(1 + T/α) − x ln(α+T)`: no cancellation when r and α grow large
    // together (homogeneous purchase rates).
    let a1 = ct.ln_r;
    let a2 = ct.ln_b_ab;
    let a3 = -r * t.ln_1p - x * t.ln_alpha;
    let (a4, has4) = if x > 0.0 {
        (ct.ln_a_bx - r * tx.ln_1p - x * tx.ln_alpha, true)
    } else {
        (f64::NEG_INFINITY, false)
    };
    // mix = ln(e^a3 + e^a4) and the shares p3, p4 of the two terms, from one exp:
    // with e = e^−|a3−a4|, the larger term's share is 1/(1+e), the other's e/(1+e).
    let (mix, p3, p4) = if has4 {
        let e = (-(a3 - a4).abs()).exp();
        let (big, small) = (1.0 / (1.0 + e), e / (1.0 + e));
        let mix = a3.max(a4) + libm::log1p(e);
        if a3 >= a4 {
            (mix, big, small)
        } else {
            (mix, small, big)
        }
    } else {
        (a3, 1.0, 0.0)
    };
    let ll = a1 + a2 + mix;
    let psi_ab_diff = -ct.dg_ab; // ψ(a+b) − ψ(a+b+x)
    let dr = ct.dg_r - p3 * t.ln_1p - if has4 { p4 * tx.ln_1p } else { 0.0 };
    let dalpha = p3 * (r * t.v * t.inv / alpha - x * t.inv)
        + if has4 {
            p4 * (r * tx.v * tx.inv / alpha - x * tx.inv)
        } else {
            0.0
        };
    let da = psi_ab_diff + if has4 { p4 / a } else { 0.0 };
    let db = psi_ab_diff + ct.dg_b - if has4 { p4 / (b + x - 1.0) } else { 0.0 };
    RowTerms {
        ll,
        grad: [dr * r, dalpha * alpha, da * a, db * b],
    }
}

/// The distinct values of a time column and each row's index into them: the fit computes
/// [`TimeTerms`] once per distinct T and recency per evaluation (customer summaries hold
/// whole periods, so a million customers share a few hundred values).
struct Distinct {
    values: Vec<f64>,
    index: Vec<u32>,
}

impl Distinct {
    /// `None` when there are more distinct values than fit a `u32` index.
    fn new(column: &[f64], scale: f64) -> Option<Self> {
        let mut values: Vec<f64> = column.to_vec();
        values.sort_by(f64::total_cmp);
        values.dedup();
        let index = column
            .iter()
            .map(|v| {
                let i = values.binary_search_by(|probe| probe.total_cmp(v)).ok()?;
                u32::try_from(i).ok()
            })
            .collect::<Option<Vec<u32>>>()?;
        Some(Distinct {
            values: values.iter().map(|v| v * scale).collect(),
            index,
        })
    }

    fn terms(&self, alpha: f64) -> Vec<TimeTerms> {
        self.values
            .iter()
            .map(|&v| TimeTerms::new(alpha, v))
            .collect()
    }
}

/// lifetimes' objective on rescaled time, in log-parameters.
struct Scaled<'a> {
    data: &'a Rfm,
    penalizer: f64,
    /// Distinct T and recency values (rescaled), with each row's index.
    t: Distinct,
    tx: Distinct,
}

impl<'a> Scaled<'a> {
    fn new(data: &'a Rfm, scale: f64, penalizer: f64) -> Result<Self> {
        let too_many = || {
            Error::invalid_argument("frequency", "more distinct customers than the fit can index")
        };
        Ok(Scaled {
            data,
            penalizer,
            t: Distinct::new(&data.t, scale).ok_or_else(too_many)?,
            tx: Distinct::new(&data.tx, scale).ok_or_else(too_many)?,
        })
    }
}

impl Objective<4> for Scaled<'_> {
    fn eval(&self, theta: &[f64; 4]) -> Option<(f64, [f64; 4])> {
        let p = theta.map(f64::exp);
        let d = self.data;
        let [r, alpha, a, b] = p;
        let max_x = d.x.iter().fold(0.0_f64, |m, &x| m.max(x));
        let table = if max_x <= TABLE_MAX {
            count_table(r, a, b, max_x)
        } else {
            Vec::new()
        };
        let (t_terms, tx_terms) = (self.t.terms(alpha), self.tx.terms(alpha));
        let (value, grad) = sum_rows(d.x.len(), |i| {
            let (x, w) = (*d.x.get(i)?, *d.w.get(i)?);
            let t = t_terms.get(*self.t.index.get(i)? as usize)?;
            let tx = tx_terms.get(*self.tx.index.get(i)? as usize)?;
            let ct = match table.get(x as usize) {
                Some(ct) => *ct,
                None => count_terms(r, a, b, x),
            };
            let row = row_terms_with(p, x, t, tx, &ct);
            Some((-w * row.ll, row.grad.map(|v| -w * v)))
        })?;
        let n = d.total_weight;
        let mut out = [0.0; 4];
        for ((o, g), pi) in out.iter_mut().zip(grad).zip(p) {
            *o = g / n + 2.0 * self.penalizer * pi * pi;
        }
        let value = value / n + self.penalizer * p.iter().map(|v| v * v).sum::<f64>();
        (value.is_finite() && out.iter().all(|v| v.is_finite())).then_some((value, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gradient_matches_finite_differences() {
        for &(x, tx, t) in &[
            (0.0, 0.0, 38.9),
            (2.0, 30.4, 38.9),
            (6.0, 35.1, 38.9),
            (1.0, 5.0, 5.0),
        ] {
            for p in [
                [0.24, 4.4, 0.79, 2.4],
                [1.2, 26.0, 30.0, 200.0],
                [3.0, 0.5, 0.2, 0.3],
            ] {
                let g = row_terms(p, x, tx, t).grad;
                for (k, gk) in g.iter().enumerate() {
                    let h: f64 = 1e-6;
                    let mut up = p;
                    let mut down = p;
                    up[k] *= h.exp();
                    down[k] *= (-h).exp();
                    let fd =
                        (row_terms(up, x, tx, t).ll - row_terms(down, x, tx, t).ll) / (2.0 * h);
                    assert!(
                        (fd - gk).abs() < 1e-6 * (1.0 + gk.abs()),
                        "{p:?} {x} {k}: {fd} vs {gk}"
                    );
                }
            }
        }
        let table = count_table(0.3, 0.8, 2.4, 200.0);
        for x in [0.0, 1.0, 7.0, 64.0, 65.0, 200.0] {
            let (t, c) = (table[x as usize], count_terms(0.3, 0.8, 2.4, x));
            for (u, v) in [
                (t.ln_r, c.ln_r),
                (t.ln_b_ab, c.ln_b_ab),
                (t.dg_r, c.dg_r),
                (t.dg_b, c.dg_b),
                (t.dg_ab, c.dg_ab),
                (t.ln_a_bx, c.ln_a_bx),
            ] {
                assert!((u - v).abs() < 1e-11 * (1.0 + v.abs()), "x {x}: {u} vs {v}");
            }
        }
    }
}
