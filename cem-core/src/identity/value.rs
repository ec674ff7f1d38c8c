//! CLV and P(alive) per resolved customer (the model columns of a profile):
//! [`customer_values`].

use serde::{Deserialize, Serialize};

use crate::clv::{
    ClvOptions, FittedGammaGamma, TransactionModel, lifetime_values, p_alive_columns,
    predict_columns,
};
use crate::loyalty::{CustomerSummary, Period};
use crate::{Error, Result};

/// The fitted models and settings of [`customer_values`].
#[derive(Debug, Clone, Copy)]
pub struct ValueModels<'a, M> {
    /// A fitted BG/NBD or Pareto/NBD model: P(alive) and expected purchases.
    pub purchases: &'a M,
    /// A fitted Gamma-Gamma model: with it, the CLV column.
    pub spend: Option<&'a FittedGammaGamma>,
    /// The period frequency, recency and T are counted in (the models' time unit).
    pub period: Period,
    /// End of observation (seconds since the epoch, UTC; inclusive).
    pub observation_end: i64,
    /// CLV horizon (months), monthly discount rate and time unit; the expected purchases
    /// cover the same horizon.
    pub clv: ClvOptions,
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
    /// Expected purchases over the next `clv.months` months (the purchase model's `predict`
    /// at months × [`TimeUnit::per_month`](crate::clv::TimeUnit::per_month)).
    pub expected_purchases: Vec<Option<f64>>,
    /// Discounted CLV ([`lifetime_value`](crate::clv::lifetime_value)); `None` without a
    /// spend model.
    pub clv: Option<Vec<Option<f64>>>,
}

/// The model columns of the profiles of customers `0..customers`: each customer's
/// transactions (customer id, time in seconds since the epoch, amount) are summarized as
/// [`CustomerSummary::from_transactions`] does (periods, repeat purchases, monetary value of
/// the repeat periods), then P(alive), expected purchases and (with a spend model) CLV come
/// from the [`crate::clv`] column functions on that summary.
///
/// # Errors
/// [`Error::OutOfRange`] for a customer id not below `customers` or a transaction after the
/// observation end; [`CustomerSummary::from_transactions`]' and the models' errors.
///
/// # Example
///
/// ```
/// use cem_core::clv::{BetaGeoParams, ClvOptions, FittedBetaGeo, TimeUnit};
/// use cem_core::identity::{customer_values, ValueModels};
/// use cem_core::loyalty::Period;
///
/// let bg = FittedBetaGeo::from_params(BetaGeoParams { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 })?;
/// let day = 86_400;
/// let models = ValueModels {
///     purchases: &bg, spend: None, period: Period::Day, observation_end: 90 * day,
///     clv: ClvOptions { time_unit: TimeUnit::Days, ..ClvOptions::default() },
/// };
/// let v = customer_values(3, (&[0, 0, 2], &[0, 30 * day, 5 * day], &[10.0, 20.0, 5.0]), &models)?;
/// assert_eq!((v.frequency[0], v.recency[0], v.age[0]), (Some(1.0), Some(30.0), Some(90.0)));
/// assert_eq!(v.p_alive[1], None); // customer 1 bought nothing
/// assert!(v.p_alive[2].is_some_and(|p| p > 0.0 && p <= 1.0));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn customer_values<M: TransactionModel>(
    customers: usize,
    transactions: (&[u32], &[i64], &[f64]),
    models: &ValueModels<'_, M>,
) -> Result<CustomerValues> {
    let (ids, times, amounts) = transactions;
    if let Some(&c) = ids.iter().find(|&&c| c as usize >= customers) {
        return Err(Error::out_of_range(
            "transactions customer",
            c,
            format!("0..{customers}"),
        ));
    }
    let s = CustomerSummary::from_transactions(
        ids,
        times,
        Some(amounts),
        models.observation_end,
        models.period,
    )?;
    let p_alive = p_alive_columns(models.purchases, &s.frequency, &s.recency, &s.t)?;
    let horizon = f64::from(models.clv.months) * models.clv.time_unit.per_month();
    let expected = predict_columns(models.purchases, horizon, &s.frequency, &s.recency, &s.t)?;
    let clv = match models.spend {
        Some(spend) => {
            let monetary = s.monetary_value.as_deref().unwrap_or(&[]);
            Some(lifetime_values(
                models.purchases,
                spend,
                &s.frequency,
                &s.recency,
                &s.t,
                monetary,
                &models.clv,
            )?)
        }
        None => None,
    };
    let spread = |values: &[f64]| -> Vec<Option<f64>> {
        let mut out = vec![None; customers];
        for (&c, &v) in s.customers.iter().zip(values) {
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
        clv: clv.as_deref().map(spread),
    })
}
