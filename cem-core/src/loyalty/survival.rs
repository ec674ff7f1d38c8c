//! The Kaplan–Meier estimator with Greenwood variance and lifelines' log(−log) band.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence};
use crate::stats::z_critical;

/// One row of a Kaplan–Meier survival table: the estimate just after `time`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SurvivalRow {
    /// The time (0, then every distinct duration, ascending).
    pub time: f64,
    /// Subjects (sum of weights) still at risk just before `time`.
    pub at_risk: f64,
    /// Events (weights) observed at `time`.
    pub events: f64,
    /// Subjects (weights) censored at `time`.
    pub censored: f64,
    /// Estimated survival S(t) = ∏ (1 − dᵢ / nᵢ) over event times up to `time`.
    pub survival: f64,
    /// Greenwood's sum Σ dᵢ / (nᵢ (nᵢ − dᵢ)), the variance of log S(t) (lifelines'
    /// `_cumulative_sq_`; a step where everyone left at risk dies adds 0).
    pub variance: f64,
    /// Lower end of the pointwise confidence band.
    pub lower: f64,
    /// Upper end of the pointwise confidence band.
    pub upper: f64,
}

/// A fitted Kaplan–Meier survival curve, as lifelines' `KaplanMeierFitter`.
///
/// The table has a row at time 0 and at every distinct duration (censored or not), like
/// lifelines' `event_table`. Survival is computed as lifelines does, exp(Σ log(nᵢ − dᵢ) −
/// log nᵢ). The band is lifelines' default "exponential Greenwood" band on the log(−log S)
/// scale: with v = log S, `lower = exp(−exp(log(−v) − z √var / v))` and `upper` with `+`;
/// where S = 1 both ends are 1, where S = 0 both are 0.
///
/// Differences from lifelines: negative durations are an error (lifelines moves the origin);
/// with non-integer weights lifelines truncates the at-risk count to an integer inside the
/// Greenwood sum and the censored count in its table, cem does not; a time at which nobody
/// is at risk (all weights zero) leaves the estimate unchanged.
///
/// ```
/// use cem_core::loyalty::KaplanMeier;
/// let km = KaplanMeier::fit(&[1.0, 2.0, 2.0, 3.0, 4.0], &[true, true, false, true, false], None)?;
/// assert_eq!(km.table().len(), 5); // 0, 1, 2, 3, 4
/// assert!((km.survival_at(2.5)? - 0.8 * 0.75).abs() < 1e-12);
/// assert_eq!(km.median(), Some(3.0));
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    rows: Vec<SurvivalRow>,
    confidence: f64,
}

impl KaplanMeier {
    /// Fits the curve with a 95% band. `events[i]` is true when subject `i`'s duration ended
    /// in the event (churn), false when it was censored (still a customer at the end of
    /// observation); `weights` are frequency weights (default 1).
    ///
    /// # Errors
    ///
    /// [`LengthMismatch`](crate::ErrorKind::LengthMismatch),
    /// [`Empty`](crate::ErrorKind::Empty) for no durations,
    /// [`InvalidNumber`](crate::ErrorKind::InvalidNumber) for a NaN, infinite or negative
    /// duration or weight.
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[5.0, 8.0], &[true, true], Some(&[3.0, 1.0]))?;
    /// assert_eq!(km.table()[1].survival, 0.25);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn fit(durations: &[f64], events: &[bool], weights: Option<&[f64]>) -> Result<Self> {
        Self::fit_with_confidence(durations, events, weights, 0.95)
    }

    /// [`fit`](Self::fit) with another confidence level for the band (lifelines'
    /// `alpha = 1 − confidence`).
    ///
    /// # Errors
    ///
    /// As [`fit`](Self::fit), and [`OutOfRange`](crate::ErrorKind::OutOfRange) for a
    /// confidence outside (0, 1).
    ///
    /// ```
    /// use cem_core::loyalty::KaplanMeier;
    /// let d = [1.0, 2.0, 3.0, 4.0];
    /// let e = [true; 4];
    /// let wide = KaplanMeier::fit_with_confidence(&d, &e, None, 0.99)?;
    /// let narrow = KaplanMeier::fit_with_confidence(&d, &e, None, 0.8)?;
    /// assert!(wide.table()[2].lower < narrow.table()[2].lower);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn fit_with_confidence(
        durations: &[f64],
        events: &[bool],
        weights: Option<&[f64]>,
        confidence: f64,
    ) -> Result<Self> {
        check_confidence(confidence)?;
        let z = z_critical(confidence)?;
        let weights = check_inputs(durations, events, weights)?;
        let mut order: Vec<usize> = (0..durations.len()).collect();
        order.sort_by(|&a, &b| {
            let da = durations.get(a).copied().unwrap_or(0.0);
            let db = durations.get(b).copied().unwrap_or(0.0);
            da.total_cmp(&db)
        });
        let total: f64 = weights.iter().sum();
        let mut rows = vec![SurvivalRow {
            time: 0.0,
            at_risk: total,
            events: 0.0,
            censored: 0.0,
            survival: 1.0,
            variance: 0.0,
            lower: 1.0,
            upper: 1.0,
        }];
        let mut removed_before = 0.0;
        let mut log_s = 0.0;
        let mut var = 0.0;
        let mut i = 0;
        while let Some(&first) = order.get(i) {
            let time = durations.get(first).copied().unwrap_or(0.0);
            let (mut removed, mut died) = (0.0, 0.0);
            while let Some(&j) = order.get(i) {
                if durations.get(j).copied() != Some(time) {
                    break;
                }
                let w = weights.get(j).copied().unwrap_or(0.0);
                removed += w;
                if events.get(j).copied().unwrap_or(false) {
                    died += w;
                }
                i += 1;
            }
            let at_risk = total - removed_before;
            if at_risk > 0.0 {
                let left = (at_risk - died).max(0.0);
                log_s += left.ln() - at_risk.ln();
                let denominator = at_risk * left;
                if denominator != 0.0 {
                    var += died / denominator;
                }
            }
            removed_before += removed;
            let (lower, upper) = band(log_s, var, z);
            let row = SurvivalRow {
                time,
                at_risk,
                events: died,
                censored: removed - died,
                survival: log_s.exp(),
                variance: var,
                lower,
                upper,
            };
            match rows.last_mut() {
                // A duration of 0 shares lifelines' first row.
                Some(last) if last.time == time => *last = row,
                _ => rows.push(row),
            }
        }
        Ok(KaplanMeier { rows, confidence })
    }

    /// The survival table, one row at time 0 and at each distinct duration.
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[2.0, 2.0, 5.0], &[true, false, true], None)?;
    /// let t = km.table();
    /// assert_eq!((t[1].time, t[1].at_risk, t[1].events, t[1].censored), (2.0, 3.0, 1.0, 1.0));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn table(&self) -> &[SurvivalRow] {
        &self.rows
    }

    /// The confidence level of the band.
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[1.0], &[true], None)?;
    /// assert_eq!(km.confidence(), 0.95);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn confidence(&self) -> f64 {
        self.confidence
    }

    /// The median survival time as lifelines' `median_survival_time_`: the first table time
    /// at which S(t) ≤ 0.5, or `None` when the curve stays above 0.5 (lifelines: `inf`).
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[1.0, 2.0, 3.0], &[true, false, false], None)?;
    /// assert_eq!(km.median(), None);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn median(&self) -> Option<f64> {
        self.quantile_time(0.5)
    }

    /// The first table time at which S(t) ≤ `q` (lifelines' `qth_survival_time`), `None` if
    /// the curve never gets there or `q` is outside [0, 1].
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[1.0, 2.0, 3.0, 4.0], &[true; 4], None)?;
    /// assert_eq!(km.quantile_time(0.6), Some(2.0)); // S = 0.75, 0.5, 0.25, 0
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn quantile_time(&self, q: f64) -> Option<f64> {
        if !(0.0..=1.0).contains(&q) {
            return None;
        }
        self.rows.iter().find(|r| r.survival <= q).map(|r| r.time)
    }

    /// S(t): the estimate at the last table time ≤ `t` (a right-continuous step function;
    /// 1 before time 0), as lifelines' `survival_function_at_times`.
    ///
    /// # Errors
    ///
    /// [`InvalidNumber`](crate::ErrorKind::InvalidNumber) when `t` is NaN.
    ///
    /// ```
    /// let km = cem_core::loyalty::KaplanMeier::fit(&[1.0, 2.0], &[true, true], None)?;
    /// assert_eq!(km.survival_at(1.5)?, 0.5);
    /// assert_eq!(km.survival_at(-3.0)?, 1.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn survival_at(&self, t: f64) -> Result<f64> {
        if t.is_nan() {
            return Err(Error::invalid_number("time", t, "is not a number"));
        }
        Ok(self
            .rows
            .iter()
            .take_while(|r| r.time <= t)
            .last()
            .map_or(1.0, |r| r.survival))
    }
}

fn band(log_s: f64, var: f64, z: f64) -> (f64, f64) {
    let v = log_s;
    let sd = var.sqrt();
    let lower = (-((-v).ln() - z * sd / v).exp()).exp();
    let upper = (-((-v).ln() + z * sd / v).exp()).exp();
    // lifelines' `fillna(1.0)`: 0/0 where S = 1.
    (
        if lower.is_nan() { 1.0 } else { lower },
        if upper.is_nan() { 1.0 } else { upper },
    )
}

/// Checks durations, events and weights; returns the weights (1 by default).
pub(crate) fn check_inputs(
    durations: &[f64],
    events: &[bool],
    weights: Option<&[f64]>,
) -> Result<Vec<f64>> {
    if durations.len() != events.len() {
        return Err(Error::length_mismatch(
            "durations",
            durations.len(),
            "events",
            events.len(),
        ));
    }
    if durations.is_empty() {
        return Err(Error::empty("durations", "a survival curve needs subjects"));
    }
    for (i, &d) in durations.iter().enumerate() {
        if !d.is_finite() {
            return Err(Error::invalid_number(
                format!("duration at position {i}"),
                d,
                "is not a finite number",
            ));
        }
        if d < 0.0 {
            return Err(Error::invalid_number(
                format!("duration at position {i}"),
                d,
                "is negative",
            ));
        }
    }
    match weights {
        None => Ok(vec![1.0; durations.len()]),
        Some(w) => {
            if w.len() != durations.len() {
                return Err(Error::length_mismatch(
                    "durations",
                    durations.len(),
                    "weights",
                    w.len(),
                ));
            }
            for (i, &x) in w.iter().enumerate() {
                if !x.is_finite() || x < 0.0 {
                    return Err(Error::invalid_number(
                        format!("weight at position {i}"),
                        x,
                        if x.is_finite() {
                            "is negative"
                        } else {
                            "is not a finite number"
                        },
                    ));
                }
            }
            Ok(w.to_vec())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everyone_dies_gives_zero_band() {
        let km = KaplanMeier::fit(&[1.0, 1.0], &[true, true], None).unwrap();
        let last = km.table()[1];
        assert_eq!(
            (last.survival, last.variance, last.lower, last.upper),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn duration_zero_merges_with_the_first_row() {
        let km = KaplanMeier::fit(&[0.0, 1.0], &[true, false], None).unwrap();
        assert_eq!(km.table().len(), 2);
        assert_eq!(km.table()[0].events, 1.0);
        assert_eq!(km.table()[0].survival, 0.5);
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(KaplanMeier::fit(&[], &[], None).is_err());
        assert!(KaplanMeier::fit(&[-1.0], &[true], None).is_err());
        assert!(KaplanMeier::fit(&[1.0], &[true], Some(&[f64::NAN])).is_err());
        assert!(KaplanMeier::fit(&[1.0], &[true, false], None).is_err());
        assert!(KaplanMeier::fit_with_confidence(&[1.0], &[true], None, 1.0).is_err());
    }

    #[test]
    fn zero_weights_do_not_make_nan() {
        let km = KaplanMeier::fit(&[1.0, 2.0], &[true, true], Some(&[0.0, 0.0])).unwrap();
        assert!(
            km.table()
                .iter()
                .all(|r| r.survival == 1.0 && !r.lower.is_nan())
        );
    }
}
