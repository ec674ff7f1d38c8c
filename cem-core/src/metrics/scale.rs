//! [`ScaleCounts`]: the weighted histogram of answers on an integer scale that NPS, CSAT, CES
//! and net satisfaction accumulate.
//!
//! Per scale level it keeps the number of answers, the sum of weights and the sum of squared
//! weights. That is enough for every score metric, its linearized variance and the Kish
//! effective n, and it merges by addition. Unweighted answers have weight 1, so their sums
//! are exact integers and merging them is exact.

use serde::{Deserialize, Serialize};

use crate::error::check_weight;
use crate::error::{Error, Result};
use crate::metrics::estimate::{Share, ShareDifference};
use crate::state::{at_most, invalid};

const SCORE: &str = "score";

/// A weighted histogram of answers on the integer scale `min..=max`.
///
/// ```
/// use cem_core::metrics::ScaleCounts;
///
/// let mut counts = ScaleCounts::new(1, 5)?;
/// counts.push(4)?;
/// counts.push_weighted(5, 2.0)?;
/// assert_eq!(counts.count(5), 1);
/// assert_eq!(counts.weight(5), 2.0);
/// assert_eq!(counts.n(), 2);
/// assert!(counts.push(6).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawScaleCounts")]
pub struct ScaleCounts {
    min: u8,
    max: u8,
    count: Vec<u64>,
    weight: Vec<f64>,
    weight_sq: Vec<f64>,
}

impl ScaleCounts {
    /// An empty histogram over `min..=max`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `min > max`.
    ///
    /// ```
    /// assert!(cem_core::metrics::ScaleCounts::new(5, 1).is_err());
    /// ```
    pub fn new(min: u8, max: u8) -> Result<Self> {
        if min > max {
            return Err(Error::invalid_argument(
                "scale",
                format!("the scale `{min}..={max}` is empty"),
            ));
        }
        Ok(ScaleCounts::fixed(min, max))
    }

    /// An empty histogram over a scale the caller knows to be non-empty (`min <= max`).
    pub(crate) fn fixed(min: u8, max: u8) -> Self {
        let len = usize::from(max.saturating_sub(min)) + 1;
        ScaleCounts {
            min,
            max: max.max(min),
            count: vec![0; len],
            weight: vec![0.0; len],
            weight_sq: vec![0.0; len],
        }
    }

    /// The lowest level.
    pub fn min(&self) -> u8 {
        self.min
    }

    /// The highest level.
    pub fn max(&self) -> u8 {
        self.max
    }

    fn slot(&self, score: u8, label: &str) -> Result<usize> {
        if (self.min..=self.max).contains(&score) {
            Ok(usize::from(score - self.min))
        } else {
            Err(Error::out_of_range(
                label,
                score,
                format!("{}..={}", self.min, self.max),
            ))
        }
    }

    /// Adds one answer with weight 1.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `score` is off the scale.
    pub fn push(&mut self, score: u8) -> Result<()> {
        self.push_as(SCORE, score, 1.0)
    }

    /// Adds one answer with a survey weight.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a score off the scale, [`Error::InvalidNumber`] for a
    /// negative, NaN or infinite weight.
    pub fn push_weighted(&mut self, score: u8, weight: f64) -> Result<()> {
        self.push_as(SCORE, score, weight)
    }

    /// [`push_weighted`](Self::push_weighted) with `label` naming the scores in errors.
    pub(crate) fn push_as(&mut self, label: &str, score: u8, weight: f64) -> Result<()> {
        let i = self.slot(score, label)?;
        check_weight(weight)?;
        self.check_room(1)?;
        self.add(i, 1, weight, weight * weight);
        Ok(())
    }

    /// Adds a column of answers with weight 1. Either all are added or, when one is off the
    /// scale, none is and the error names its position.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] naming the first bad score and its position.
    pub fn push_many(&mut self, scores: &[u8]) -> Result<()> {
        self.push_many_as(SCORE, scores)
    }

    pub(crate) fn push_many_as(&mut self, label: &str, scores: &[u8]) -> Result<()> {
        let mut local = [0u64; 256];
        for &s in scores {
            if let Some(c) = local.get_mut(usize::from(s)) {
                *c += 1;
            }
        }
        for (score, &c) in local.iter().enumerate() {
            if c > 0 && !(usize::from(self.min)..=usize::from(self.max)).contains(&score) {
                let pos = scores
                    .iter()
                    .position(|&s| usize::from(s) == score)
                    .unwrap_or(0);
                return Err(Error::out_of_range(
                    format!("{label} at position {pos}"),
                    score,
                    format!("{}..={}", self.min, self.max),
                ));
            }
        }
        self.check_room(scores.len() as u64)?;
        let lo = usize::from(self.min);
        for (i, c) in local.iter().skip(lo).take(self.count.len()).enumerate() {
            if *c > 0 {
                self.add(i, *c, *c as f64, *c as f64);
            }
        }
        Ok(())
    }

    /// Adds a column of answers with a column of weights. All or nothing, as
    /// [`push_many`](Self::push_many).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], or the first bad score or weight with its position.
    pub fn push_many_weighted(&mut self, scores: &[u8], weights: &[f64]) -> Result<()> {
        self.push_many_weighted_as(SCORE, scores, weights)
    }

    pub(crate) fn push_many_weighted_as(
        &mut self,
        label: &str,
        scores: &[u8],
        weights: &[f64],
    ) -> Result<()> {
        if scores.len() != weights.len() {
            return Err(Error::length_mismatch(
                "scores",
                scores.len(),
                "weights",
                weights.len(),
            ));
        }
        let mut staged = ScaleCounts::new(self.min, self.max)?;
        for (pos, (&s, &w)) in scores.iter().zip(weights).enumerate() {
            staged
                .push_as(label, s, w)
                .map_err(|e| at_position(e, pos))?;
        }
        self.merge(&staged)
    }

    /// Errors unless `more` answers can be added without the total count overflowing `u64`
    /// (only forged or absurdly merged state gets near it).
    pub(crate) fn check_room(&self, more: u64) -> Result<()> {
        match self.n().checked_add(more) {
            Some(_) => Ok(()),
            None => Err(Error::limit_exceeded(
                "the number of answers",
                u64::MAX,
                format!("{} + {more}", self.n()),
            )),
        }
    }

    pub(crate) fn add(&mut self, i: usize, n: u64, w: f64, w2: f64) {
        if let (Some(c), Some(sw), Some(sw2)) = (
            self.count.get_mut(i),
            self.weight.get_mut(i),
            self.weight_sq.get_mut(i),
        ) {
            *c += n;
            *sw += w;
            *sw2 += w2;
        }
    }

    /// Adds another histogram over the same scale.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the scales differ.
    pub fn merge(&mut self, other: &ScaleCounts) -> Result<()> {
        if (self.min, self.max) != (other.min, other.max) || self.count.len() != other.count.len() {
            return Err(Error::Incompatible(format!(
                "scale `{}..={}` and scale `{}..={}`",
                self.min, self.max, other.min, other.max
            )));
        }
        self.check_room(other.n())?;
        for i in 0..self.count.len() {
            let n = other.count.get(i).copied().unwrap_or(0);
            let w = other.weight.get(i).copied().unwrap_or(0.0);
            let w2 = other.weight_sq.get(i).copied().unwrap_or(0.0);
            self.add(i, n, w, w2);
        }
        Ok(())
    }

    /// Number of answers at `score` (0 off the scale).
    pub fn count(&self, score: u8) -> u64 {
        self.slot(score, SCORE)
            .ok()
            .and_then(|i| self.count.get(i).copied())
            .unwrap_or(0)
    }

    /// Sum of weights at `score` (0 off the scale).
    pub fn weight(&self, score: u8) -> f64 {
        self.slot(score, SCORE)
            .ok()
            .and_then(|i| self.weight.get(i).copied())
            .unwrap_or(0.0)
    }

    /// Number of answers.
    pub fn n(&self) -> u64 {
        self.count.iter().sum()
    }

    /// Sum of weights.
    pub fn total_weight(&self) -> f64 {
        self.weight.iter().sum()
    }

    /// Kish effective sample size (Σw)²/Σw²; 0 when empty.
    pub fn n_eff(&self) -> f64 {
        let w: f64 = self.total_weight();
        let w2: f64 = self.weight_sq.iter().sum();
        if w2 > 0.0 { w * w / w2 } else { 0.0 }
    }

    /// Levels with their (count, weight, squared weight), lowest first.
    pub(crate) fn levels(&self) -> impl Iterator<Item = (u8, u64, f64, f64)> + '_ {
        (self.min..=self.max)
            .zip(&self.count)
            .zip(self.weight.iter().zip(&self.weight_sq))
            .map(|((s, &c), (&w, &w2))| (s, c, w, w2))
    }

    /// Total weight, failing when there is nothing to estimate from.
    fn checked_total(&self, what: &str) -> Result<f64> {
        if self.n() == 0 {
            return Err(Error::empty(what, "an estimate needs at least one answer"));
        }
        let w = self.total_weight();
        if w <= 0.0 {
            return Err(Error::empty(what, "all weights are zero"));
        }
        Ok(w)
    }

    /// Weighted mean of `f(level)` with its linearized variance Σw²(f−μ)²/(Σw)², times
    /// n/(n−1) when `bessel` (so that without weights a mean gets s²/n and a share p(1−p)/n).
    fn mean_of(&self, what: &str, f: impl Fn(u8) -> f64, bessel: bool) -> Result<(f64, f64)> {
        let total = self.checked_total(what)?;
        let mu = self.levels().map(|(s, _, w, _)| w * f(s)).sum::<f64>() / total;
        let ss: f64 = self
            .levels()
            .map(|(s, _, _, w2)| w2 * (f(s) - mu).powi(2))
            .sum();
        let n = self.n() as f64;
        let factor = if bessel && n > 1.0 {
            n / (n - 1.0)
        } else {
            1.0
        };
        Ok((mu, factor * ss / (total * total)))
    }

    /// The share of answers for which `pred(level)` holds.
    pub(crate) fn share(&self, what: &str, pred: impl Fn(u8) -> bool) -> Result<Share> {
        let (p, var) = self.mean_of(what, |s| f64::from(u8::from(pred(s))), false)?;
        Ok(Share {
            p: p.clamp(0.0, 1.0),
            n: self.n(),
            n_eff: self.n_eff(),
            var,
        })
    }

    /// Share of `plus` levels minus share of `minus` levels.
    pub(crate) fn difference(
        &self,
        what: &str,
        plus: impl Fn(u8) -> bool,
        minus: impl Fn(u8) -> bool,
    ) -> Result<ShareDifference> {
        let (_, var) = self.mean_of(
            what,
            |s| f64::from(u8::from(plus(s))) - f64::from(u8::from(minus(s))),
            false,
        )?;
        let total = self.checked_total(what)?;
        let sum = |pred: &dyn Fn(u8) -> bool| {
            self.levels()
                .filter(|(s, ..)| pred(*s))
                .map(|(_, _, w, _)| w)
                .sum::<f64>()
                / total
        };
        Ok(ShareDifference {
            plus: sum(&plus).clamp(0.0, 1.0),
            minus: sum(&minus).clamp(0.0, 1.0),
            n: self.n(),
            n_eff: self.n_eff(),
            var,
        })
    }

    /// Weighted mean score and its standard error (s/√n without weights).
    pub(crate) fn mean(&self, what: &str) -> Result<(f64, f64)> {
        let (mu, var) = self.mean_of(what, f64::from, true)?;
        Ok((mu, var.sqrt()))
    }
}

/// Adds "at position N" to a value error raised for one element of a column.
pub(crate) fn at_position(e: Error, pos: usize) -> Error {
    with_place(e, &format!("at position {pos}"))
}

/// Adds `place` ("at position 3", "of the response at position 3") after the field named by
/// a value error; other errors pass through.
pub(crate) fn with_place(e: Error, place: &str) -> Error {
    match e {
        Error::OutOfRange {
            field,
            value,
            expected,
        } => Error::OutOfRange {
            field: format!("{field} {place}"),
            value,
            expected,
        },
        Error::InvalidNumber {
            field,
            value,
            reason,
        } => Error::InvalidNumber {
            field: format!("{field} {place}"),
            value,
            reason,
        },
        other => other,
    }
}

/// The serialized form, checked before it becomes a [`ScaleCounts`]: lengths that match the
/// scale, finite non-negative weight sums, and per level the consistency every real
/// histogram has — no weight without answers, and (Σw)²/n ≤ Σw² ≤ (Σw)² — and a total count
/// that fits in `u64`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScaleCounts {
    min: u8,
    max: u8,
    count: Vec<u64>,
    weight: Vec<f64>,
    weight_sq: Vec<f64>,
}

impl TryFrom<RawScaleCounts> for ScaleCounts {
    type Error = Error;

    fn try_from(raw: RawScaleCounts) -> Result<Self> {
        let scale = format!("scale {}..={}", raw.min, raw.max);
        let empty = ScaleCounts::new(raw.min, raw.max)
            .map_err(|_| invalid(format!("the {scale} is empty")))?;
        let len = empty.count.len();
        for (name, got) in [
            ("count", raw.count.len()),
            ("weight", raw.weight.len()),
            ("weight_sq", raw.weight_sq.len()),
        ] {
            if got != len {
                return Err(invalid(format!(
                    "`{name}` has {got} levels but the {scale} has {len}"
                )));
            }
        }
        let mut total: u64 = 0;
        for (i, ((&n, &w), &w2)) in raw
            .count
            .iter()
            .zip(&raw.weight)
            .zip(&raw.weight_sq)
            .enumerate()
        {
            let level = usize::from(raw.min) + i;
            for (name, x) in [("weight", w), ("weight_sq", w2)] {
                check_weight(x).map_err(|e| invalid(format!("`{name}` at score {level}: {e}")))?;
            }
            total = total
                .checked_add(n)
                .ok_or_else(|| invalid("the counts add up to more than 2^64 - 1"))?;
            let consistent = if n == 0 {
                w == 0.0 && w2 == 0.0
            } else {
                at_most(w2, w * w) && at_most(w * w, n as f64 * w2)
            };
            if !consistent {
                return Err(invalid(format!(
                    "score {level} has count {n}, weight {w} and weight_sq {w2}, which no set of \
                     non-negative weights gives"
                )));
            }
        }
        Ok(ScaleCounts {
            min: raw.min,
            max: raw.max,
            count: raw.count,
            weight: raw.weight,
            weight_sq: raw.weight_sq,
        })
    }
}
