//! Per-customer summaries (frequency, recency, age `T`, monetary value), as lifetimes'
//! `summary_data_from_transaction_data`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::loyalty::Period;

/// One row per customer of a transaction log, in columns: what the BG/NBD, Pareto/NBD and
/// Gamma–Gamma models of [`cem_core::clv`](crate) take as input.
///
/// Built by [`CustomerSummary::from_transactions`], which follows lifetimes 0.11.3's
/// `summary_data_from_transaction_data(..., freq, observation_period_end)`:
///
/// 1. every timestamp and the observation end are floored to the start of their
///    [`Period`];
/// 2. a customer's purchases in the same period collapse into one (their amounts are summed);
/// 3. `frequency` = number of distinct purchase periods − 1 (the *repeat* purchases);
/// 4. `recency` = last purchase period − first purchase period, in periods;
/// 5. `t` (lifetimes' `T`) = observation-end period − first purchase period, in periods;
/// 6. `monetary_value` = mean of the per-period sums of the repeat periods (the first period
///    is left out), 0 when `frequency` is 0.
///
/// Customers are in ascending code order. Differences from lifetimes: a transaction *after*
/// the observation end is an error (lifetimes silently drops the ones whose period starts
/// after it, and keeps later ones in the observation end's own period); and
/// [`Period::Month`] works (lifetimes 0.11.3 refuses `freq="M"` with pandas ≥ 2): there
/// `recency` and `t` count calendar months.
///
/// ```
/// use cem_core::loyalty::{CustomerSummary, Period};
/// let day = 86_400;
/// let customers = [7, 7, 7, 3];
/// let times = [0, 3 * day, 3 * day + 60, 1 * day];
/// let amounts = [10.0, 4.0, 6.0, 99.0];
/// let s = CustomerSummary::from_transactions(&customers, &times, Some(&amounts), 9 * day, Period::Day)?;
/// assert_eq!(s.customers, vec![3, 7]);
/// assert_eq!(s.frequency, vec![0.0, 1.0]); // day 3 holds two purchases: one period
/// assert_eq!(s.recency, vec![0.0, 3.0]);
/// assert_eq!(s.t, vec![8.0, 9.0]);
/// assert_eq!(s.monetary_value, Some(vec![0.0, 10.0])); // 4 + 6 on day 3
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    /// The period `recency` and `t` are counted in.
    pub period: Period,
    /// The observation end (seconds since the epoch) as given.
    pub observation_end: i64,
    /// Customer codes, ascending.
    pub customers: Vec<u32>,
    /// Repeat purchase periods (distinct purchase periods − 1); whole numbers.
    pub frequency: Vec<f64>,
    /// Periods from the first to the last purchase period; whole numbers.
    pub recency: Vec<f64>,
    /// Periods from the first purchase period to the observation end's period (lifetimes'
    /// `T`); whole numbers.
    pub t: Vec<f64>,
    /// Mean per-period spend over the repeat periods (0 without repeats); `None` when no
    /// amounts were given.
    pub monetary_value: Option<Vec<f64>>,
    /// Sum of all the customer's amounts (first period included); `None` without amounts.
    pub total_spend: Option<Vec<f64>>,
    /// Number of transactions (rows) of the customer, before collapsing periods.
    pub transactions: Vec<u32>,
    /// Start (seconds since the epoch) of the customer's first purchase period.
    pub first_purchase: Vec<i64>,
    /// Start (seconds since the epoch) of the customer's last purchase period.
    pub last_purchase: Vec<i64>,
}

impl CustomerSummary {
    /// Summarizes transactions given as columns: customer codes, timestamps (seconds since
    /// the epoch, UTC) and optional amounts, up to `observation_end` (inclusive), by `period`.
    /// See [`CustomerSummary`] for the definitions.
    ///
    /// # Errors
    ///
    /// [`LengthMismatch`](crate::ErrorKind::LengthMismatch) when the columns differ in length;
    /// [`InvalidNumber`](crate::ErrorKind::InvalidNumber) for a NaN or infinite amount;
    /// [`OutOfRange`](crate::ErrorKind::OutOfRange) for a transaction after
    /// `observation_end`. No transactions give an empty summary.
    ///
    /// ```
    /// use cem_core::loyalty::{CustomerSummary, Period};
    /// let err = CustomerSummary::from_transactions(&[1], &[100], None, 50, Period::Day).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::OutOfRange);
    /// let week = CustomerSummary::from_transactions(&[1, 1], &[0, 700_000], None, 700_000, Period::Week)?;
    /// // Thursday 1970-01-01 and Friday 1970-01-09 lie in consecutive Monday-to-Sunday weeks.
    /// assert_eq!((week.frequency[0], week.recency[0], week.t[0]), (1.0, 1.0, 1.0));
    /// assert!(week.monetary_value.is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_transactions(
        customers: &[u32],
        times: &[i64],
        amounts: Option<&[f64]>,
        observation_end: i64,
        period: Period,
    ) -> Result<Self> {
        if customers.len() != times.len() {
            return Err(Error::length_mismatch(
                "customers",
                customers.len(),
                "times",
                times.len(),
            ));
        }
        if let Some(a) = amounts {
            if a.len() != customers.len() {
                return Err(Error::length_mismatch(
                    "customers",
                    customers.len(),
                    "amounts",
                    a.len(),
                ));
            }
            if let Some((i, v)) = a.iter().enumerate().find(|(_, v)| !v.is_finite()) {
                return Err(Error::invalid_number(
                    format!("amount at position {i}"),
                    v,
                    "is not a finite number",
                ));
            }
        }
        if let Some((i, t)) = times
            .iter()
            .enumerate()
            .find(|(_, t)| **t > observation_end)
        {
            return Err(Error::out_of_range(
                format!("transaction time at position {i}"),
                t,
                format!("..={observation_end} (the observation end)"),
            ));
        }
        let end = period.index(observation_end);
        let rows = sorted_rows(customers, times, amounts, period);

        let mut out = CustomerSummary {
            period,
            observation_end,
            customers: Vec::new(),
            frequency: Vec::new(),
            recency: Vec::new(),
            t: Vec::new(),
            monetary_value: amounts.map(|_| Vec::new()),
            total_spend: amounts.map(|_| Vec::new()),
            transactions: Vec::new(),
            first_purchase: Vec::new(),
            last_purchase: Vec::new(),
        };
        let mut start = 0;
        while let Some(&(c, first, _)) = rows.get(start) {
            let len = rows
                .get(start..)
                .map_or(0, |r| r.iter().take_while(|r| r.0 == c).count());
            let group = rows.get(start..start + len).unwrap_or_default();
            start += len;
            // Per-period sums.
            let mut periods = 0u32;
            let mut repeat_sum = 0.0;
            let mut total = 0.0;
            let mut last = first;
            let mut i = 0;
            while let Some(&(_, p, _)) = group.get(i) {
                let n = group
                    .get(i..)
                    .map_or(0, |g| g.iter().take_while(|r| r.1 == p).count());
                let sum: f64 = group
                    .get(i..i + n)
                    .unwrap_or_default()
                    .iter()
                    .map(|r| r.2)
                    .sum();
                total += sum;
                if p != first {
                    repeat_sum += sum;
                }
                periods += 1;
                last = p;
                i += n;
            }
            let frequency = f64::from(periods.saturating_sub(1));
            out.customers.push(c);
            out.frequency.push(frequency);
            out.recency.push((last - first) as f64);
            out.t.push((end - first) as f64);
            if let Some(m) = out.monetary_value.as_mut() {
                m.push(if periods > 1 {
                    repeat_sum / frequency
                } else {
                    0.0
                });
            }
            if let Some(m) = out.total_spend.as_mut() {
                m.push(total);
            }
            out.transactions
                .push(u32::try_from(group.len()).unwrap_or(u32::MAX));
            out.first_purchase.push(period.start(first));
            out.last_purchase.push(period.start(last));
        }
        Ok(out)
    }

    /// Number of customers.
    ///
    /// ```
    /// use cem_core::loyalty::{CustomerSummary, Period};
    /// let s = CustomerSummary::from_transactions(&[4, 2, 4], &[0, 0, 0], None, 0, Period::Day)?;
    /// assert_eq!(s.len(), 2);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether there are no customers.
    ///
    /// ```
    /// use cem_core::loyalty::{CustomerSummary, Period};
    /// assert!(CustomerSummary::from_transactions(&[], &[], None, 0, Period::Day)?.is_empty());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The row of customer `code`, if present: (frequency, recency, t, monetary value).
    ///
    /// ```
    /// use cem_core::loyalty::{CustomerSummary, Period};
    /// let s = CustomerSummary::from_transactions(&[4, 4], &[0, 86_400], Some(&[1.0, 2.0]), 86_400, Period::Day)?;
    /// assert_eq!(s.get(4), Some((1.0, 1.0, 1.0, Some(2.0))));
    /// assert_eq!(s.get(5), None);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn get(&self, code: u32) -> Option<(f64, f64, f64, Option<f64>)> {
        let i = self.customers.binary_search(&code).ok()?;
        Some((
            *self.frequency.get(i)?,
            *self.recency.get(i)?,
            *self.t.get(i)?,
            self.monetary_value.as_ref().and_then(|m| m.get(i).copied()),
        ))
    }
}

/// (customer, period, amount) per transaction, sorted by customer then period; equal keys
/// keep their input order (so per-period sums add up in input order). Dense codes (at most
/// four times as many as rows) are bucketed by a counting sort, each customer's few rows
/// then sorted by period; sparse codes fall back to a comparison sort.
fn sorted_rows(
    customers: &[u32],
    times: &[i64],
    amounts: Option<&[f64]>,
    period: Period,
) -> Vec<(u32, i64, f64)> {
    let row = |i: usize, c: u32, t: i64| {
        let a = amounts.and_then(|a| a.get(i)).copied().unwrap_or(0.0);
        (c, period.index(t), a)
    };
    let n = customers.len();
    let max = customers.iter().copied().max().map_or(0, |m| m as usize);
    if max > 4 * n + 1024 {
        let mut rows: Vec<(u32, i64, f64)> = customers
            .iter()
            .zip(times)
            .enumerate()
            .map(|(i, (&c, &t))| row(i, c, t))
            .collect();
        rows.sort_by_key(|r| (r.0, r.1));
        return rows;
    }
    // Counting sort: `next[c]` is where customer c's next row goes.
    let mut next = vec![0usize; max + 2];
    for &c in customers {
        if let Some(k) = next.get_mut(c as usize + 1) {
            *k += 1;
        }
    }
    let mut total = 0;
    for k in &mut next {
        total += *k;
        *k = total;
    }
    let mut rows = vec![(0u32, 0i64, 0.0f64); n];
    for (i, (&c, &t)) in customers.iter().zip(times).enumerate() {
        if let Some(k) = next.get_mut(c as usize)
            && let Some(slot) = rows.get_mut(*k)
        {
            *slot = row(i, c, t);
            *k += 1;
        }
    }
    // Each customer's rows, in input order: sort them by period.
    let mut start = 0;
    while start < n {
        let c = rows.get(start).map_or(0, |r| r.0);
        let len = rows
            .get(start..)
            .map_or(0, |r| r.iter().take_while(|r| r.0 == c).count());
        if let Some(group) = rows.get_mut(start..start + len) {
            group.sort_by_key(|r| r.1);
        }
        start += len.max(1);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_column() {
        let e =
            CustomerSummary::from_transactions(&[1, 2], &[0], None, 0, Period::Day).unwrap_err();
        assert_eq!(e.to_string(), "`customers` has 2 values but `times` has 1");
        let e = CustomerSummary::from_transactions(&[1], &[0], Some(&[f64::NAN]), 0, Period::Day)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "amount at position 0 `NaN` is not a finite number"
        );
    }

    #[test]
    fn same_period_after_the_end_time_is_an_error_not_kept() {
        // lifetimes would keep a purchase at 18:00 when the end is 12:00 the same day.
        let e = CustomerSummary::from_transactions(&[1], &[64_800], None, 43_200, Period::Day);
        assert!(e.is_err());
    }

    #[test]
    fn dense_and_sparse_codes_give_the_same_summary() {
        // Dense codes take the counting sort, the same customers spread out the comparison
        // sort; amounts in the same period are summed in input order either way.
        let mut state = 12_345_u64;
        let mut next = move |m: u64| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (state >> 33) % m
        };
        let n = 5_000;
        let dense: Vec<u32> = (0..n).map(|_| next(700) as u32).collect();
        let sparse: Vec<u32> = dense.iter().map(|c| c * 1_000_003 + 7).collect();
        let times: Vec<i64> = (0..n).map(|_| (next(400 * 86_400)) as i64).collect();
        let amounts: Vec<f64> = (0..n).map(|_| next(10_000) as f64 / 7.0).collect();
        let end = 400 * 86_400;
        for period in [Period::Day, Period::Week, Period::Month] {
            let a = CustomerSummary::from_transactions(&dense, &times, Some(&amounts), end, period)
                .unwrap();
            let b = CustomerSummary::from_transactions(&sparse, &times, Some(&amounts), end, period)
                .unwrap();
            assert_eq!(a.customers.len(), b.customers.len());
            assert_eq!(
                (&a.frequency, &a.recency, &a.t),
                (&b.frequency, &b.recency, &b.t)
            );
            assert_eq!(a.monetary_value, b.monetary_value);
            assert_eq!(a.total_spend, b.total_spend);
            assert_eq!(a.first_purchase, b.first_purchase);
        }
    }

    #[test]
    fn months_count_calendar_months() {
        let jan31 = 30 * 86_400;
        let feb1 = 31 * 86_400;
        let s =
            CustomerSummary::from_transactions(&[1, 1], &[jan31, feb1], None, feb1, Period::Month)
                .unwrap();
        assert_eq!((s.frequency[0], s.recency[0], s.t[0]), (1.0, 1.0, 1.0));
    }
}
