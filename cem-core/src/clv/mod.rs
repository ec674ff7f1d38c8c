//! Customer lifetime value: the BG/NBD, Pareto/NBD and Gamma-Gamma models, fitted by maximum
//! likelihood, with expected purchases, P(alive) and customer lifetime value.
//!
//! The definitions are those of lifetimes 0.11.3, so a user switching from it gets the same
//! numbers (the integration tests compare with lifetimes on the CDNOW sample it ships):
//!
//! * Each customer is summarized as `frequency` (number of *repeat* purchases, a whole
//!   number), `recency` (time from the first to the last purchase; 0 without repeat
//!   purchases) and `T` (time from the first purchase to the end of observation), in the
//!   caller's time unit (days, weeks, ...). Optional `weights` count identical customers.
//! * A penalizer means what it means in lifetimes: `penalizer × Σ parameter²`, with time
//!   rescaled by `1 / max T` (so α and β are the rescaled ones), added to the mean negative
//!   log-likelihood (BG/NBD, Gamma-Gamma) — or, for Pareto/NBD, to lifetimes' sum divided by
//!   the mean weight (see [`ParetoNbd`]).
//! * Fits run to the optimum: BFGS with analytic gradients in log-parameters, polished with
//!   Newton steps, with a tight gradient tolerance (the Pareto/NBD likelihood is flat, and
//!   lifetimes' Nelder–Mead fit of it stops visibly short).
//!
//! # Example
//!
//! ```
//! use cem_core::clv::{lifetime_value, BetaGeo, ClvOptions, GammaGamma, TimeUnit};
//!
//! // One row per customer: repeat purchases, time of the last one, age (weeks), mean spend.
//! let (mut frequency, mut recency, mut age, mut spend) = (vec![], vec![], vec![], vec![]);
//! for i in 0..60_u32 {
//!     let x = f64::from([0, 0, 0, 1, 0, 2, 1, 0, 4, 7, 0, 1, 3, 0, 2][(i % 15) as usize]);
//!     let t = 20.0 + f64::from(i % 7) * 3.0;
//!     frequency.push(x);
//!     recency.push(if x == 0.0 { 0.0 } else { t * f64::from(1 + (i * 5) % 9) / 10.0 });
//!     age.push(t);
//!     spend.push(10.0 + f64::from((i * 13) % 17) * 3.0);
//! }
//! let purchases = BetaGeo::default().fit(&frequency, &recency, &age, None)?;
//! // The spend model is fitted on repeat customers only.
//! let (f, m): (Vec<f64>, Vec<f64>) =
//!     frequency.iter().zip(&spend).filter(|(f, _)| **f > 0.0).map(|(f, m)| (*f, *m)).unzip();
//! let spend_model = GammaGamma::default().fit(&f, &m, None)?;
//! let options = ClvOptions { months: 12, discount_rate: 0.01, time_unit: TimeUnit::Weeks };
//! let clv = lifetime_value(&purchases, &spend_model, 2.0, 30.4, 38.0, 22.35, &options)?;
//! assert!(clv > 0.0);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod beta_geo;
mod data;
mod gamma_gamma;
mod merge;
mod optim;
mod pareto_nbd;
mod special;
mod summary;

pub use beta_geo::{BetaGeo, BetaGeoParams, FittedBetaGeo};
pub use gamma_gamma::{FittedGammaGamma, GammaGamma, GammaGammaParams};
pub use pareto_nbd::{FittedParetoNbd, ParetoNbd, ParetoNbdParams};
pub use summary::{ParameterRow, Parameters, parameter_summary};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a fit went.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport<P> {
    /// Maximized log-likelihood of the data in the caller's time unit, without the penalty.
    pub log_likelihood: f64,
    /// The minimized objective as lifetimes reports it (`_negative_log_likelihood_`):
    /// penalized, on rescaled time.
    pub objective: f64,
    /// Standard errors of the parameters (`None` if the Hessian is not positive definite).
    pub standard_errors: Option<P>,
    /// Optimizer iterations (BFGS and Newton).
    pub iterations: usize,
    /// Number of customers fitted (the sum of the weights).
    pub customers: f64,
}

/// A model of purchase counts that predicts a customer's purchases in the next `t` time
/// units — what [`lifetime_value`] needs. [`FittedBetaGeo`] and [`FittedParetoNbd`] are.
///
/// # Example
///
/// ```
/// use cem_core::clv::*;
///
/// fn next_year(model: &impl TransactionModel) -> f64 {
///     model.predict(52.0, 2.0, 30.43, 38.86).unwrap()
/// }
/// let bg = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let pn = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
/// assert!((next_year(&bg) - next_year(&pn)).abs() < 0.5);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub trait TransactionModel {
    /// Expected number of purchases in the next `t` time units of a customer with history
    /// (`frequency`, `recency`, `age` = T).
    ///
    /// # Errors
    ///
    /// As the model's own `predict`.
    fn predict(&self, t: f64, frequency: f64, recency: f64, age: f64) -> Result<f64>;

    /// Probability that a customer with history (`frequency`, `recency`, `age` = T) is alive.
    ///
    /// # Errors
    ///
    /// As the model's own `p_alive`.
    fn p_alive(&self, frequency: f64, recency: f64, age: f64) -> Result<f64>;
}

/// [`TransactionModel::predict`] over columns, one value per customer.
///
/// # Errors
///
/// `LengthMismatch` for columns of different lengths; the model's errors, naming the row.
///
/// # Example
///
/// ```
/// use cem_core::clv::*;
///
/// let m = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let next = predict_columns(&m, 52.0, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86])?;
/// assert_eq!(next.len(), 2);
/// let err = predict_columns(&m, 52.0, &[2.0, 1.0], &[30.43, 40.0], &[38.86, 38.86]).unwrap_err();
/// assert_eq!(err.to_string(), "recency at row 1 `40` is greater than T `38.86`");
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn predict_columns(
    model: &impl TransactionModel,
    t: f64,
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
) -> Result<Vec<f64>> {
    per_customer(frequency, recency, age, None, |x, tx, a, _| {
        model.predict(t, x, tx, a)
    })
}

/// [`TransactionModel::p_alive`] over columns, one value per customer.
///
/// # Errors
///
/// `LengthMismatch` for columns of different lengths; the model's errors, naming the row.
///
/// # Example
///
/// ```
/// use cem_core::clv::*;
///
/// let m = FittedParetoNbd::from_params(ParetoNbdParams { r: 0.553, alpha: 10.58, s: 0.606, beta: 11.67 })?;
/// let alive = p_alive_columns(&m, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86])?;
/// assert!(alive.iter().all(|p| (0.0..=1.0).contains(p)));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn p_alive_columns(
    model: &impl TransactionModel,
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
) -> Result<Vec<f64>> {
    per_customer(frequency, recency, age, None, |x, tx, a, _| {
        model.p_alive(x, tx, a)
    })
}

/// [`lifetime_value`] over columns, one value per customer.
///
/// # Errors
///
/// `LengthMismatch` for columns of different lengths; [`lifetime_value`]'s errors, naming
/// the row.
///
/// # Example
///
/// ```
/// use cem_core::clv::*;
///
/// let purchases = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let spend = FittedGammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 })?;
/// let options = ClvOptions { time_unit: TimeUnit::Weeks, ..ClvOptions::default() };
/// let clv = lifetime_values(
///     &purchases, &spend, &[2.0, 0.0], &[30.43, 0.0], &[38.86, 38.86], &[22.35, 0.0], &options,
/// )?;
/// assert!(clv[0] > clv[1]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn lifetime_values(
    model: &impl TransactionModel,
    spend: &FittedGammaGamma,
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    monetary_value: &[f64],
    options: &ClvOptions,
) -> Result<Vec<f64>> {
    per_customer(
        frequency,
        recency,
        age,
        Some(monetary_value),
        |x, tx, a, m| lifetime_value(model, spend, x, tx, a, m, options),
    )
}

/// Applies `f` to each customer; an `InvalidNumber` error gets the row in its field name.
fn per_customer(
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    monetary_value: Option<&[f64]>,
    f: impl Fn(f64, f64, f64, f64) -> Result<f64>,
) -> Result<Vec<f64>> {
    let n = frequency.len();
    for (name, len) in [
        ("recency", recency.len()),
        ("T", age.len()),
        ("monetary_value", monetary_value.map_or(n, <[f64]>::len)),
    ] {
        if len != n {
            return Err(Error::length_mismatch("frequency", n, name, len));
        }
    }
    let mut out = Vec::with_capacity(n);
    for (i, ((&x, &tx), &a)) in frequency.iter().zip(recency).zip(age).enumerate() {
        let m = monetary_value
            .and_then(|m| m.get(i))
            .copied()
            .unwrap_or(0.0);
        out.push(f(x, tx, a, m).map_err(|e| e.at_row(i))?);
    }
    Ok(out)
}

/// The time unit of frequency/recency/T, which [`lifetime_value`] needs to step by months.
///
/// lifetimes' `freq` codes, with its month lengths: `"H"` = 720 hours, `"D"` = 30 days,
/// `"W"` = 4.345 weeks, `"M"` = 1 month.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum TimeUnit {
    /// Hours (720 a month).
    Hours,
    /// Days (30 a month), lifetimes' default.
    #[default]
    Days,
    /// Weeks (4.345 a month).
    Weeks,
    /// Months.
    Months,
}

impl TimeUnit {
    /// How many of this unit lifetimes counts in a month.
    ///
    /// ```
    /// assert_eq!(cem_core::clv::TimeUnit::Weeks.per_month(), 4.345);
    /// ```
    pub fn per_month(self) -> f64 {
        match self {
            TimeUnit::Hours => 720.0,
            TimeUnit::Days => 30.0,
            TimeUnit::Weeks => 4.345,
            TimeUnit::Months => 1.0,
        }
    }
}

/// Options of [`lifetime_value`]; the default is lifetimes': 12 months, 1 % a month, days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClvOptions {
    /// Horizon in months.
    pub months: u32,
    /// Monthly discount rate (0.01 = 1 % a month).
    pub discount_rate: f64,
    /// Time unit of frequency/recency/T and of the purchase model.
    pub time_unit: TimeUnit,
}

impl Default for ClvOptions {
    fn default() -> Self {
        ClvOptions {
            months: 12,
            discount_rate: 0.01,
            time_unit: TimeUnit::Days,
        }
    }
}

/// Discounted customer lifetime value, as lifetimes' `GammaGammaFitter.customer_lifetime_value`:
/// for each month `i = 1..=months`, the expected purchases between `(i − 1)` and `i` months
/// from now (the purchase model's `predict` at `i × per_month` minus at `(i − 1) × per_month`)
/// times the Gamma-Gamma expected value of the customer's transactions, divided by
/// `(1 + discount_rate)^i`, summed.
///
/// # Errors
///
/// `InvalidNumber` for an invalid history or monetary value or a negative or non-finite
/// discount rate; whatever the models' `predict` and `expected_value` return.
///
/// # Example
///
/// ```
/// use cem_core::clv::*;
///
/// let purchases = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let spend = FittedGammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 })?;
/// let options = ClvOptions { time_unit: TimeUnit::Weeks, ..ClvOptions::default() };
/// let clv = lifetime_value(&purchases, &spend, 2.0, 30.43, 38.86, 22.35, &options)?;
/// assert!(clv > 30.0 && clv < 40.0);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn lifetime_value(
    model: &impl TransactionModel,
    spend: &FittedGammaGamma,
    frequency: f64,
    recency: f64,
    age: f64,
    monetary_value: f64,
    options: &ClvOptions,
) -> Result<f64> {
    let rate = options.discount_rate;
    if !(rate.is_finite() && rate > -1.0) {
        return Err(Error::invalid_number(
            "discount rate",
            rate,
            "is not a finite number above -1",
        ));
    }
    let value = spend.expected_value(frequency, monetary_value)?;
    let factor = options.time_unit.per_month();
    let mut clv = 0.0;
    let mut previous = 0.0;
    for i in 1..=options.months {
        let t = f64::from(i) * factor;
        let now = model.predict(t, frequency, recency, age)?;
        clv += value * (now - previous) / (1.0 + rate).powf(t / factor);
        previous = now;
    }
    Ok(clv)
}

/// `v` if finite, else `Undefined` naming the quantity.
pub(crate) fn finite(what: &str, v: f64) -> Result<f64> {
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Error::Undefined(format!("the {what} is `{v}`")))
    }
}

/// Checks a penalizer: finite and non-negative.
fn check_penalizer(penalizer: f64) -> Result<()> {
    if penalizer.is_finite() && penalizer >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_argument(
            "penalizer",
            format!("`{penalizer}` is not a finite number >= 0"),
        ))
    }
}

/// lifetimes' standard errors: `θ_i · sqrt((H⁻¹)_ii / n)` with `H` the Hessian of the mean
/// objective in log-parameters.
fn standard_errors<const N: usize>(
    params: &[f64; N],
    hessian: Option<[[f64; N]; N]>,
    total_weight: f64,
) -> Option<[f64; N]> {
    let diag = optim::inverse_diagonal(&hessian?)?;
    let mut out = [0.0; N];
    for ((o, d), p) in out.iter_mut().zip(diag).zip(params) {
        *o = p * (d / total_weight).sqrt();
    }
    out.iter().all(|v| v.is_finite()).then_some(out)
}
