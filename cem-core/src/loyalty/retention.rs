//! Repeat purchase, churn (overall, by segment, over time) and acquisition-cohort retention.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::loyalty::{CustomerSummary, Period};
use crate::metrics::Proportion;

/// The share of customers with at least one repeat purchase period (`frequency > 0`), as a
/// mergeable [`Proportion`] (call [`Proportion::estimate`] for the interval).
///
/// # Errors
///
/// Never for a summary built by [`CustomerSummary::from_transactions`]; the `Result` guards
/// hand-built summaries with more customers than fit the counter.
///
/// ```
/// use cem_core::loyalty::{repeat_purchase_rate, CustomerSummary, Period};
/// let s = CustomerSummary::from_transactions(&[1, 1, 2, 3], &[0, 86_400, 0, 0], None, 86_400, Period::Day)?;
/// assert!((repeat_purchase_rate(&s)?.estimate(0.95)?.value - 1.0 / 3.0).abs() < 1e-12);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn repeat_purchase_rate(summary: &CustomerSummary) -> Result<Proportion> {
    let repeat = summary.frequency.iter().filter(|f| **f > 0.0).count();
    let mut p = Proportion::new();
    p.push_counts(repeat as u64, summary.frequency.len() as u64)?;
    Ok(p)
}

/// The churn rate at `observation_end`: among customers whose first purchase is at or
/// before `observation_end`, the share with no purchase in the last `inactive_window`
/// seconds, i.e. none in (`observation_end − inactive_window`, `observation_end`].
/// Transactions after `observation_end` are ignored (so the same log serves
/// [`churn_over_time`]).
///
/// # Errors
///
/// [`LengthMismatch`](crate::ErrorKind::LengthMismatch) when the columns differ in length;
/// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) for a window ≤ 0.
///
/// ```
/// use cem_core::loyalty::churn;
/// let day = 86_400;
/// // Customer 1 bought on day 2, customer 2 on day 25: with a 14-day window at day 30,
/// // customer 1 churned.
/// let p = churn(&[1, 2], &[2 * day, 25 * day], 14 * day, 30 * day)?;
/// assert_eq!((p.successes(), p.n()), (1, 2));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn churn(
    customers: &[u32],
    times: &[i64],
    inactive_window: i64,
    observation_end: i64,
) -> Result<Proportion> {
    let last = last_purchases(customers, times, inactive_window, observation_end)?;
    let cutoff = observation_end.saturating_sub(inactive_window);
    let churned = last.values().filter(|&&t| t <= cutoff).count();
    let mut p = Proportion::new();
    p.push_counts(churned as u64, last.len() as u64)?;
    Ok(p)
}

/// [`churn`] per segment: `segment_of[c]` is the segment code of customer code `c`.
/// Returns (segment code, churn) for every segment with at least one customer, ascending.
///
/// # Errors
///
/// As [`churn`], and [`OutOfRange`](crate::ErrorKind::OutOfRange) when a customer code has
/// no entry in `segment_of`.
///
/// ```
/// use cem_core::loyalty::churn_by_segment;
/// let day = 86_400;
/// let by = churn_by_segment(&[0, 1, 2], &[0, 0, 29 * day], &[7, 7, 9], 14 * day, 30 * day)?;
/// assert_eq!(by[0].0, 7);
/// assert_eq!(by[0].1.successes(), 2);
/// assert_eq!(by[1].1.successes(), 0);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn churn_by_segment(
    customers: &[u32],
    times: &[i64],
    segment_of: &[u32],
    inactive_window: i64,
    observation_end: i64,
) -> Result<Vec<(u32, Proportion)>> {
    let last = last_purchases(customers, times, inactive_window, observation_end)?;
    let cutoff = observation_end.saturating_sub(inactive_window);
    let mut counts: BTreeMap<u32, (u64, u64)> = BTreeMap::new();
    for (&c, &t) in &last {
        let segment = *segment_of.get(c as usize).ok_or_else(|| {
            Error::out_of_range(
                "customer code",
                c,
                format!("0..{} (the length of `segment_of`)", segment_of.len()),
            )
        })?;
        let entry = counts.entry(segment).or_default();
        entry.1 += 1;
        if t <= cutoff {
            entry.0 += 1;
        }
    }
    counts
        .into_iter()
        .map(|(s, (churned, n))| {
            let mut p = Proportion::new();
            p.push_counts(churned, n)?;
            Ok((s, p))
        })
        .collect()
}

/// One point of [`churn_over_time`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnPoint {
    /// Start (seconds since the epoch) of the period.
    pub period_start: i64,
    /// The moment churn is measured: the last second of the period, or `observation_end`
    /// for the last, unfinished period.
    pub at: i64,
    /// Churn as [`churn`] computes it at `at`.
    pub churn: Proportion,
}

/// [`churn`] at the end of every period from the period of the first transaction to the
/// period of `observation_end` (the last point is measured at `observation_end`).
///
/// # Errors
///
/// As [`churn`]; [`InvalidArgument`](crate::ErrorKind::InvalidArgument) for more than
/// 100,000 periods.
///
/// ```
/// use cem_core::loyalty::{churn_over_time, Period};
/// let day = 86_400;
/// let points = churn_over_time(&[1, 2, 1], &[0, 3 * day, 8 * day], 5 * day, 9 * day, Period::Week)?;
/// assert_eq!(points.len(), 2); // weeks of 1970-01-01 (Thursday) and 1970-01-05
/// assert_eq!(points[0].churn.n(), 2);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn churn_over_time(
    customers: &[u32],
    times: &[i64],
    inactive_window: i64,
    observation_end: i64,
    period: Period,
) -> Result<Vec<ChurnPoint>> {
    check_columns(customers, times, inactive_window)?;
    let Some(first) = times.iter().filter(|&&t| t <= observation_end).min() else {
        return Ok(Vec::new());
    };
    let (from, to) = (period.index(*first), period.index(observation_end));
    check_span(to.saturating_sub(from))?;
    (from..=to)
        .map(|p| {
            let at = period
                .start(p.saturating_add(1))
                .saturating_sub(1)
                .min(observation_end);
            Ok(ChurnPoint {
                period_start: period.start(p),
                at,
                churn: churn(customers, times, inactive_window, at)?,
            })
        })
        .collect()
}

/// Acquisition cohorts × periods since acquisition: the share of each cohort buying again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionCohorts {
    /// The period cohorts and offsets are counted in.
    pub period: Period,
    /// One row per acquisition period that acquired customers, oldest first.
    pub cohorts: Vec<Cohort>,
}

/// One acquisition cohort of [`RetentionCohorts`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Start (seconds since the epoch) of the acquisition period.
    pub start: i64,
    /// Customers whose first purchase falls in this period.
    pub size: u64,
    /// `active[k]`: cohort customers with a purchase in the k-th period after acquisition
    /// (k = 0 is the acquisition period itself, so `active[0] == size`), up to the period of
    /// the observation end.
    pub active: Vec<u64>,
    /// `retained[k] = active[k] / size`.
    pub retained: Vec<f64>,
}

/// Groups customers by the period of their first purchase and counts, for each later period
/// up to the one holding `observation_end`, how many of them bought in it. Transactions
/// after `observation_end` are ignored.
///
/// # Errors
///
/// [`LengthMismatch`](crate::ErrorKind::LengthMismatch);
/// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) for more than 100,000 periods.
///
/// ```
/// use cem_core::loyalty::{retention_cohorts, Period};
/// let day = 86_400;
/// let jan = 0; let feb = 31 * day; let mar = 59 * day;
/// let r = retention_cohorts(&[1, 2, 1, 3, 3], &[jan, jan, feb, feb, mar], mar, Period::Month)?;
/// assert_eq!(r.cohorts.len(), 2);
/// assert_eq!(r.cohorts[0].size, 2);
/// assert_eq!(r.cohorts[0].retained, vec![1.0, 0.5, 0.0]);
/// assert_eq!(r.cohorts[1].active, vec![1, 1]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn retention_cohorts(
    customers: &[u32],
    times: &[i64],
    observation_end: i64,
    period: Period,
) -> Result<RetentionCohorts> {
    check_columns(customers, times, 1)?;
    let end = period.index(observation_end);
    let mut periods: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
    for (&c, &t) in customers.iter().zip(times) {
        if t <= observation_end {
            periods.entry(c).or_default().push(period.index(t));
        }
    }
    if let Some(first) = periods.values().filter_map(|p| p.iter().min()).min() {
        check_span(end.saturating_sub(*first))?;
    }
    let mut by_cohort: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
    for ps in periods.values_mut() {
        ps.sort_unstable();
        ps.dedup();
        let Some(&first) = ps.first() else { continue };
        let width = usize::try_from(end.saturating_sub(first).saturating_add(1)).unwrap_or(0);
        let entry = by_cohort
            .entry(first)
            .or_insert_with(|| (0, vec![0; width]));
        entry.0 += 1;
        for &p in ps.iter() {
            if let Some(a) = usize::try_from(p - first)
                .ok()
                .and_then(|k| entry.1.get_mut(k))
            {
                *a += 1;
            }
        }
    }
    let cohorts = by_cohort
        .into_iter()
        .map(|(p, (size, active))| Cohort {
            start: period.start(p),
            size,
            retained: active.iter().map(|&a| a as f64 / size as f64).collect(),
            active,
        })
        .collect();
    Ok(RetentionCohorts { period, cohorts })
}

const MAX_PERIODS: i64 = 100_000;

fn check_span(span: i64) -> Result<()> {
    if span > MAX_PERIODS {
        return Err(Error::invalid_argument(
            "period",
            format!("the data span `{span}` periods, more than {MAX_PERIODS}"),
        ));
    }
    Ok(())
}

fn check_columns(customers: &[u32], times: &[i64], inactive_window: i64) -> Result<()> {
    if customers.len() != times.len() {
        return Err(Error::length_mismatch(
            "customers",
            customers.len(),
            "times",
            times.len(),
        ));
    }
    if inactive_window <= 0 {
        return Err(Error::invalid_argument(
            "inactive_window",
            format!("`{inactive_window}` seconds; it must be positive"),
        ));
    }
    Ok(())
}

/// Last purchase time per customer among transactions at or before `observation_end`.
fn last_purchases(
    customers: &[u32],
    times: &[i64],
    inactive_window: i64,
    observation_end: i64,
) -> Result<BTreeMap<u32, i64>> {
    check_columns(customers, times, inactive_window)?;
    let mut last: BTreeMap<u32, i64> = BTreeMap::new();
    for (&c, &t) in customers.iter().zip(times) {
        if t <= observation_end {
            let e = last.entry(c).or_insert(t);
            *e = (*e).max(t);
        }
    }
    Ok(last)
}
