//! Closed-loop figures: how fast cases are answered and closed, how often the SLA is missed,
//! and whether detractors are contacted and won back.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::casebook::NpsTrack;
use crate::model::{Case, CaseStatus};

/// The median and 90th percentile of a set of durations, in hours.
///
/// Percentiles are numpy's default (`method="linear"`, Hyndman & Fan type 7, also pandas'
/// `quantile` and R's default): on the sorted values `x₀ ≤ … ≤ xₙ₋₁`, the `p`-quantile is
/// `x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)` with `h = (n − 1)p`. It is the definition most CX
/// teams' spreadsheets and notebooks already use, so the figures match theirs.
///
/// ```
/// use cem_core::alerts::Quantiles;
/// let q = Quantiles::of(&mut [1.0, 2.0, 3.0, 4.0]).unwrap();
/// assert_eq!(q.median, 2.5);
/// assert!((q.p90 - 3.7).abs() < 1e-12); // numpy.percentile([1, 2, 3, 4], 90)
/// assert!(Quantiles::of(&mut []).is_none());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Quantiles {
    /// How many durations.
    pub n: u64,
    /// Their median.
    pub median: f64,
    /// Their 90th percentile.
    pub p90: f64,
}

impl Quantiles {
    /// The quantiles of `values` (sorted in place); `None` when empty.
    pub fn of(values: &mut [f64]) -> Option<Quantiles> {
        values.sort_by(f64::total_cmp);
        Some(Quantiles {
            n: values.len() as u64,
            median: percentile(values, 0.5)?,
            p90: percentile(values, 0.9)?,
        })
    }
}

/// The closed-loop figures of a [`CaseBook`](super::CaseBook) at a given time.
///
/// | figure | definition |
/// |---|---|
/// | `time_to_first_response` | hours from opening to the case's first move out of `open`, over the cases that made it |
/// | `time_to_close` | hours from opening to the case's first `closed`, over the cases closed at least once |
/// | `sla_breach_rate` | among cases with a deadline: share not resolved (first `resolved` or `closed`) by it; an unresolved case counts as breached once `now` is past its deadline |
/// | `detractors` | customers with at least one NPS answer of 0–6 |
/// | `detractors_contacted` | those of them with a case that got a first response |
/// | `recovered` | those of them who answered 7 or more after their first detractor answer |
///
/// Rates are `None` when their denominator is zero.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClosedLoopFigures {
    /// Cases in the book.
    pub cases: u64,
    /// Cases open or in progress.
    pub active: u64,
    /// Time to first response, in hours.
    pub time_to_first_response: Option<Quantiles>,
    /// Time to close, in hours.
    pub time_to_close: Option<Quantiles>,
    /// Cases with a deadline.
    pub sla_cases: u64,
    /// Of those, how many missed it.
    pub sla_breached: u64,
    /// `sla_breached / sla_cases`.
    pub sla_breach_rate: Option<f64>,
    /// Customers who gave a detractor answer.
    pub detractors: u64,
    /// Of those, how many were contacted.
    pub detractors_contacted: u64,
    /// `detractors_contacted / detractors`.
    pub contacted_share: Option<f64>,
    /// Of the detractors, how many later answered 7 or more.
    pub recovered: u64,
    /// `recovered / detractors`.
    pub recovery_rate: Option<f64>,
}

pub(crate) fn figures(
    cases: &[Case],
    scores: &HashMap<String, NpsTrack>,
    now: DateTime<Utc>,
) -> ClosedLoopFigures {
    let hours =
        |a: DateTime<Utc>, b: DateTime<Utc>| (b - a).num_milliseconds() as f64 / 3_600_000.0;
    let mut first_response = Vec::new();
    let mut close = Vec::new();
    let (mut sla_cases, mut sla_breached, mut active) = (0u64, 0u64, 0u64);
    let mut contacted: HashSet<&str> = HashSet::new();
    for c in cases {
        if c.status.is_active() {
            active += 1;
        }
        let moves = || c.history.iter().filter(|t| t.from != t.to);
        if let Some(t) = moves().find(|t| t.from == CaseStatus::Open) {
            first_response.push(hours(c.opened, t.time));
            contacted.insert(c.customer.as_str());
        }
        if let Some(t) = moves().find(|t| t.to == CaseStatus::Closed) {
            close.push(hours(c.opened, t.time));
        }
        if let Some(due) = c.due {
            sla_cases += 1;
            let resolved = moves()
                .find(|t| matches!(t.to, CaseStatus::Resolved | CaseStatus::Closed))
                .map(|t| t.time);
            if resolved.map_or(now > due, |t| t > due) {
                sla_breached += 1;
            }
        }
    }
    let (mut detractors, mut reached, mut recovered) = (0u64, 0u64, 0u64);
    for (customer, track) in scores {
        let Some(first) = track.first_detractor else {
            continue;
        };
        detractors += 1;
        if contacted.contains(customer.as_str()) {
            reached += 1;
        }
        if track.last_recovered.is_some_and(|t| t > first) {
            recovered += 1;
        }
    }
    let rate = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
    ClosedLoopFigures {
        cases: cases.len() as u64,
        active,
        time_to_first_response: Quantiles::of(&mut first_response),
        time_to_close: Quantiles::of(&mut close),
        sla_cases,
        sla_breached,
        sla_breach_rate: rate(sla_breached, sla_cases),
        detractors,
        detractors_contacted: reached,
        contacted_share: rate(reached, detractors),
        recovered,
        recovery_rate: rate(recovered, detractors),
    }
}

/// numpy's linear percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = last as f64 * p;
    let lo = h.floor() as usize;
    let x_lo = *sorted.get(lo)?;
    let x_hi = *sorted.get((lo + 1).min(last))?;
    Some(x_lo + (h - lo as f64) * (x_hi - x_lo))
}
