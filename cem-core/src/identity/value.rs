//! CLV and P(alive) per resolved customer (the model columns of a profile):
//! [`customer_values`].

use serde::{Deserialize, Serialize};

use crate::clv::{
    ClvOptions, FittedGammaGamma, TimeUnit, TransactionModel, lifetime_values, p_alive_columns,
    predict_columns,
};
use crate::loyalty::{CustomerSummary, Period};
use crate::{Error, Result};

/// The fitted models and settings of [`customer_values`].
///
/// One time unit for everything: frequency, recency and T are counted in `period`, the models
/// must have been fitted in that unit, and the horizon of `months` months is converted to it
/// with lifetimes' month lengths ([`TimeUnit::per_month`]: 30 days, 4.345 weeks, 1 month).
/// There is no separate CLV time unit to get wrong.
#[derive(Debug, Clone, Copy)]
pub struct ValueModels<'a, M> {
    /// A fitted BG/NBD or Pareto/NBD model: P(alive) and expected purchases.
    pub purchases: &'a M,
    /// A fitted Gamma-Gamma model: with it, the CLV column.
    pub spend: Option<&'a FittedGammaGamma>,
    /// The period frequency, recency and T are counted in, which is also the models' and the
    /// CLV's time unit: [`Period::Day`], [`Period::Week`] or [`Period::Month`] (lifetimes'
    /// `freq` `"D"`, `"W"`, `"M"`). [`Period::Quarter`] is refused: lifetimes' CLV has no
    /// quarter unit.
    pub period: Period,
    /// End of observation (seconds since the epoch, UTC; inclusive); `None`: the time of the
    /// last transaction ([`ValueModels::new`]'s default).
    pub observation_end: Option<i64>,
    /// Horizon in months of the expected purchases and of the CLV (12 by default).
    pub months: u32,
    /// Monthly discount rate of the CLV (0.01 = 1 % a month, the default).
    pub discount_rate: f64,
}

impl<'a, M> ValueModels<'a, M> {
    /// The purchase model counted in `period`, with lifetimes' CLV defaults: no spend model,
    /// observation up to the last transaction, 12 months, 1 % a month.
    ///
    /// ```
    /// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
    /// use cem_core::identity::ValueModels;
    /// use cem_core::loyalty::Period;
    ///
    /// let bg = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
    /// let m = ValueModels::new(&bg, Period::Week);
    /// assert_eq!((m.months, m.discount_rate, m.observation_end), (12, 0.01, None));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn new(purchases: &'a M, period: Period) -> Self {
        let defaults = ClvOptions::default();
        ValueModels {
            purchases,
            spend: None,
            period,
            observation_end: None,
            months: defaults.months,
            discount_rate: defaults.discount_rate,
        }
    }
}

/// Per-customer model values, index = customer id; `None` for a customer without
/// transactions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerValues {
    /// Repeat purchase periods (as [`CustomerSummary`]).
    pub frequency: Vec<Option<f64>>,
    /// Periods from the first to the last purchase.
    pub recency: Vec<Option<f64>>,
    /// Periods from the first purchase to the observation end (lifetimes' `T`).
    pub age: Vec<Option<f64>>,
    /// P(alive) by the purchase model.
    pub p_alive: Vec<Option<f64>>,
    /// Expected purchases over the next `months` months (the purchase model's `predict` at
    /// months × [`TimeUnit::per_month`] of the period's unit).
    pub expected_purchases: Vec<Option<f64>>,
    /// Discounted CLV ([`lifetime_value`](crate::clv::lifetime_value)); `None` without a
    /// spend model.
    pub clv: Option<Vec<Option<f64>>>,
}

/// The model columns of the profiles of customers `0..customers`: each customer's
/// transactions (customer id, time in seconds since the epoch, amount) are summarized as
/// [`CustomerSummary::from_transactions`] does (periods, repeat purchases, monetary value of
/// the repeat periods), then P(alive), expected purchases and (with a spend model) CLV come
/// from the [`crate::clv`] column functions on that summary, in the period's time unit
/// (lifetimes' `freq` `"D"`, `"W"`, `"M"` for a day, week, month).
///
/// # Errors
/// [`Error::InvalidArgument`] for a period without a CLV time unit ([`Period::Quarter`]);
/// [`Error::OutOfRange`] for a customer id not below `customers` or a transaction after the
/// observation end; [`CustomerSummary::from_transactions`]' and the models' errors.
///
/// # Example
///
/// ```
/// use cem_core::clv::{BetaGeoParams, FittedBetaGeo};
/// use cem_core::identity::{customer_values, ValueModels};
/// use cem_core::loyalty::Period;
///
/// let bg = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let day = 86_400;
/// let models = ValueModels { observation_end: Some(90 * day), ..ValueModels::new(&bg, Period::Day) };
/// let v = customer_values(3, (&[0, 0, 2], &[0, 30 * day, 5 * day], &[10.0, 20.0, 5.0]), &models)?;
/// assert_eq!((v.frequency[0], v.recency[0], v.age[0]), (Some(1.0), Some(30.0), Some(90.0)));
/// assert_eq!(v.p_alive[1], None); // customer 1 bought nothing
/// assert!(v.p_alive[2].is_some_and(|p| p > 0.0 && p <= 1.0));
///
/// // Quarters have no CLV time unit.
/// let quarters = ValueModels::new(&bg, Period::Quarter);
/// assert!(customer_values(3, (&[0], &[0], &[1.0]), &quarters).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn customer_values<M: TransactionModel>(
    customers: usize,
    transactions: (&[u32], &[i64], &[f64]),
    models: &ValueModels<'_, M>,
) -> Result<CustomerValues> {
    let clv = ClvOptions {
        months: models.months,
        discount_rate: models.discount_rate,
        time_unit: time_unit(models.period)?,
    };
    let (ids, times, amounts) = transactions;
    if let Some(&c) = ids.iter().find(|&&c| c as usize >= customers) {
        return Err(Error::out_of_range(
            "transactions customer",
            c,
            format!("0..{customers}"),
        ));
    }
    let end = models
        .observation_end
        .unwrap_or_else(|| times.iter().copied().max().unwrap_or(0));
    let s = CustomerSummary::from_transactions(ids, times, Some(amounts), end, models.period)?;
    let p_alive = p_alive_columns(models.purchases, &s.frequency, &s.recency, &s.t)?;
    let horizon = f64::from(clv.months) * clv.time_unit.per_month();
    let expected = predict_columns(models.purchases, horizon, &s.frequency, &s.recency, &s.t)?;
    let values = match models.spend {
        Some(spend) => {
            let monetary = s.monetary_value.as_deref().unwrap_or(&[]);
            Some(lifetime_values(
                models.purchases,
                spend,
                &s.frequency,
                &s.recency,
                &s.t,
                monetary,
                &clv,
            )?)
        }
        None => None,
    };
    let spread = |column: &[f64]| -> Vec<Option<f64>> {
        let mut out = vec![None; customers];
        for (&c, &v) in s.customers.iter().zip(column) {
            if let Some(slot) = out.get_mut(c as usize) {
                *slot = Some(v);
            }
        }
        out
    };
    Ok(CustomerValues {
        frequency: spread(&s.frequency),
        recency: spread(&s.recency),
        age: spread(&s.t),
        p_alive: spread(&p_alive),
        expected_purchases: spread(&expected),
        clv: values.as_deref().map(spread),
    })
}

/// The CLV time unit of a period (lifetimes' `freq`): days, weeks or months.
fn time_unit(period: Period) -> Result<TimeUnit> {
    match period {
        Period::Day => Ok(TimeUnit::Days),
        Period::Week => Ok(TimeUnit::Weeks),
        Period::Month => Ok(TimeUnit::Months),
        Period::Quarter => Err(Error::invalid_argument(
            "period",
            format!(
                "`{}` has no CLV time unit (lifetimes counts CLV in hours, days, weeks or months); summarize by day, week or month",
                period.name()
            ),
        )),
    }
}
