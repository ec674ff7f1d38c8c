//! Means of continuous values and proportions of yes/no outcomes.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_weight};
use crate::metrics::estimate::{Estimate, Method, Share, mean_interval, share_interval};
use crate::metrics::scale::{ScaleCounts, at_position};
use crate::state::{STATE_VERSION, at_most, check_version, first_version, invalid};

/// Weighted mean accumulator with a Student t interval.
///
/// Keeps centred moments (Welford/Chan updates), so it stays accurate for large values and
/// merges exactly in exact arithmetic. The standard error is the linearized one,
/// √(n/(n−1) · Σw²(x−x̄)²) / Σw, which is s/√n without weights; the interval uses
/// t with n − 1 degrees of freedom.
///
/// # Example
///
/// ```
/// use cem_core::metrics::Mean;
///
/// let mut m = Mean::new();
/// m.push_many(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])?;
/// let e = m.estimate(0.95)?;
/// assert_eq!(e.value, 5.0);
/// // scipy: stats.t.interval(0.95, 7, loc=5, scale=stats.sem(x)) = (3.212512081764, 6.787487918236)
/// assert!((e.low - 3.212512081764).abs() < 1e-9 && (e.high - 6.787487918236).abs() < 1e-9);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawMean", into = "RawMean")]
pub struct Mean {
    n: u64,
    /// Σw
    w: f64,
    /// Σw²
    w2: f64,
    /// weighted mean
    mean: f64,
    /// Σw(x−x̄)²
    m2: f64,
    /// Σw²(x−x̄)
    s1: f64,
    /// Σw²(x−x̄)²
    q: f64,
}

impl Mean {
    /// An empty accumulator.
    pub fn new() -> Self {
        Mean::default()
    }

    /// Adds one value with weight 1.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for NaN or an infinite value.
    ///
    /// ```
    /// let mut m = cem_core::metrics::Mean::new();
    /// m.push(3.5)?;
    /// assert!(m.push(f64::NAN).is_err());
    /// assert_eq!(m.n(), 1);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push(&mut self, x: f64) -> Result<()> {
        self.push_weighted(x, 1.0)
    }

    /// Adds one value with a survey weight.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for a non-finite value or a negative or non-finite weight,
    /// or when the sums would overflow (see [`merge`](Self::merge)).
    ///
    /// ```
    /// let mut m = cem_core::metrics::Mean::new();
    /// m.push_weighted(1.0, 3.0)?;
    /// m.push_weighted(5.0, 1.0)?;
    /// assert_eq!(m.estimate_with(0.95, cem_core::metrics::Method::Wald)?.value, 2.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_weighted(&mut self, x: f64, weight: f64) -> Result<()> {
        if !x.is_finite() {
            return Err(Error::invalid_number("value", x, "is not a finite number"));
        }
        check_weight(weight)?;
        self.combine(&Mean {
            n: 1,
            w: weight,
            w2: weight * weight,
            mean: x,
            m2: 0.0,
            s1: 0.0,
            q: 0.0,
        })
    }

    /// Adds a column of values, all or nothing.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] naming the first non-finite value and its position.
    ///
    /// ```
    /// let mut m = cem_core::metrics::Mean::new();
    /// assert!(m.push_many(&[1.0, f64::INFINITY]).is_err());
    /// assert_eq!(m.n(), 0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_many(&mut self, xs: &[f64]) -> Result<()> {
        let mut staged = Mean::new();
        for (pos, &x) in xs.iter().enumerate() {
            staged.push(x).map_err(|e| at_position(e, pos))?;
        }
        self.combine(&staged)
    }

    /// Adds a column of values with a column of weights, all or nothing.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], or the first bad value or weight with its position.
    ///
    /// ```
    /// let mut m = cem_core::metrics::Mean::new();
    /// m.push_many_weighted(&[1.0, 2.0], &[1.0, 1.0])?;
    /// assert!(m.push_many_weighted(&[1.0], &[-1.0]).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_many_weighted(&mut self, xs: &[f64], weights: &[f64]) -> Result<()> {
        if xs.len() != weights.len() {
            return Err(Error::length_mismatch(
                "values",
                xs.len(),
                "weights",
                weights.len(),
            ));
        }
        let mut staged = Mean::new();
        for (pos, (&x, &w)) in xs.iter().zip(weights).enumerate() {
            staged
                .push_weighted(x, w)
                .map_err(|e| at_position(e, pos))?;
        }
        self.combine(&staged)
    }

    /// Adds everything another accumulator has seen.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the count would pass 2⁶⁴ − 1, [`Error::InvalidNumber`]
    /// when the sums would overflow a 64-bit float (values or weights near 1e150 and
    /// beyond); the accumulator is left unchanged.
    ///
    /// ```
    /// use cem_core::metrics::Mean;
    /// let (mut a, mut b) = (Mean::new(), Mean::new());
    /// a.push(1.0)?;
    /// b.push(3.0)?;
    /// a.merge(&b)?;
    /// assert_eq!(a.estimate_with(0.95, cem_core::metrics::Method::Wald)?.value, 2.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &Mean) -> Result<()> {
        self.combine(other)
    }

    /// Merges `other` in, or leaves `self` unchanged and errors if the result would overflow.
    fn combine(&mut self, other: &Mean) -> Result<()> {
        if self.n.checked_add(other.n).is_none() {
            return Err(Error::limit_exceeded(
                "the number of values",
                u64::MAX,
                format!("{} + {}", self.n, other.n),
            ));
        }
        let mut merged = self.clone();
        merged.merge_state(other);
        if !merged.is_finite() {
            return Err(Error::invalid_number(
                "merged mean",
                merged.mean,
                "overflows: the sums of values and weights no longer fit a 64-bit float",
            ));
        }
        *self = merged;
        Ok(())
    }

    fn is_finite(&self) -> bool {
        [self.w, self.w2, self.mean, self.m2, self.s1, self.q]
            .iter()
            .all(|x| x.is_finite())
    }

    /// Number of values seen.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// The weighted mean with a Student t interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no values or zero total weight, [`Error::Undefined`] with one
    /// value, [`Error::OutOfRange`] for a bad confidence.
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.estimate_with(confidence, Method::StudentT)
    }

    /// The weighted mean with a Student t or Wald (normal) interval.
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    pub fn estimate_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        if self.n == 0 {
            return Err(Error::empty(
                "the sample",
                "a mean needs at least one value",
            ));
        }
        if self.w <= 0.0 {
            return Err(Error::empty("the sample", "all weights are zero"));
        }
        let n = self.n as f64;
        let bessel = if self.n > 1 { n / (n - 1.0) } else { 1.0 };
        let se = (bessel * self.q.max(0.0)).sqrt() / self.w;
        let n_eff = self.w * self.w / self.w2;
        mean_interval(self.mean, se, self.n, n_eff, confidence, method)
    }

    fn merge_state(&mut self, b: &Mean) {
        if b.n == 0 {
            return;
        }
        if self.n == 0 {
            // Nothing to combine with: take `b` as it is (exact, and no 0 · ∞ for huge values).
            *self = b.clone();
            return;
        }
        let w = self.w + b.w;
        if w <= 0.0 {
            // Only zero weights so far: nothing to centre on.
            self.n += b.n;
            return;
        }
        let delta = b.mean - self.mean;
        let mean = self.mean + delta * b.w / w;
        let da = mean - self.mean;
        let db = mean - b.mean;
        let q = self.q - 2.0 * da * self.s1 + da * da * self.w2 + b.q - 2.0 * db * b.s1
            + db * db * b.w2;
        let s1 = self.s1 - da * self.w2 + b.s1 - db * b.w2;
        self.m2 += b.m2 + delta * delta * self.w * b.w / w;
        self.n += b.n;
        self.w = w;
        self.w2 += b.w2;
        self.mean = mean;
        self.s1 = s1;
        self.q = q;
    }
}

/// Weighted proportion accumulator (yes/no outcomes) with a Wilson interval by default.
///
/// # Example
///
/// ```
/// use cem_core::metrics::Proportion;
///
/// let mut p = Proportion::new();
/// p.push_many(&[true, true, false, true])?;
/// let e = p.estimate(0.95)?;
/// assert_eq!(e.value, 0.75);
/// // statsmodels: proportion_confint(3, 4, method="wilson") = (0.300641842582, 0.954412739190)
/// assert!((e.low - 0.300641842582).abs() < 1e-9 && (e.high - 0.954412739190).abs() < 1e-9);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawProportion", into = "RawProportion")]
pub struct Proportion {
    counts: ScaleCounts,
}

impl Default for Proportion {
    fn default() -> Self {
        Proportion::new()
    }
}

const OUTCOME: &str = "outcome";

impl Proportion {
    /// An empty accumulator.
    pub fn new() -> Self {
        Proportion {
            counts: ScaleCounts::fixed(0, 1),
        }
    }

    /// Adds one outcome with weight 1.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the count would pass 2⁶⁴ − 1 (only forged state gets
    /// there); otherwise never.
    ///
    /// ```
    /// let mut p = cem_core::metrics::Proportion::new();
    /// p.push(true)?;
    /// assert_eq!(p.successes(), 1);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push(&mut self, success: bool) -> Result<()> {
        self.counts.push_as(OUTCOME, u8::from(success), 1.0)
    }

    /// Adds one outcome with a survey weight.
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for a negative or non-finite weight.
    ///
    /// ```
    /// let mut p = cem_core::metrics::Proportion::new();
    /// assert!(p.push_weighted(true, -0.5).is_err());
    /// ```
    pub fn push_weighted(&mut self, success: bool, weight: f64) -> Result<()> {
        self.counts.push_as(OUTCOME, u8::from(success), weight)
    }

    /// Adds a column of outcomes.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the count would pass 2⁶⁴ − 1; otherwise never.
    pub fn push_many(&mut self, outcomes: &[bool]) -> Result<()> {
        let successes = outcomes.iter().filter(|&&b| b).count() as u64;
        let failures = outcomes.len() as u64 - successes;
        self.counts.check_room(outcomes.len() as u64)?;
        self.counts
            .add(0, failures, failures as f64, failures as f64);
        self.counts
            .add(1, successes, successes as f64, successes as f64);
        Ok(())
    }

    /// Adds a column of outcomes with a column of weights, all or nothing.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`], or the first bad weight with its position.
    ///
    /// ```
    /// let mut p = cem_core::metrics::Proportion::new();
    /// p.push_many_weighted(&[true, false], &[3.0, 1.0])?;
    /// assert_eq!(p.estimate(0.95)?.value, 0.75);
    /// let err = p.push_many_weighted(&[true, true], &[1.0, f64::NAN]).unwrap_err();
    /// assert!(err.to_string().contains("position 1"));
    /// assert_eq!(p.n(), 2);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_many_weighted(&mut self, outcomes: &[bool], weights: &[f64]) -> Result<()> {
        if outcomes.len() != weights.len() {
            return Err(Error::length_mismatch(
                "outcomes",
                outcomes.len(),
                "weights",
                weights.len(),
            ));
        }
        let mut staged = Proportion::new();
        for (pos, (&o, &w)) in outcomes.iter().zip(weights).enumerate() {
            staged
                .push_weighted(o, w)
                .map_err(|e| at_position(e, pos))?;
        }
        self.merge(&staged)
    }

    /// Adds counts directly: `successes` of `trials`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `successes > trials`.
    ///
    /// ```
    /// let mut p = cem_core::metrics::Proportion::new();
    /// p.push_counts(30, 100)?;
    /// assert_eq!(p.estimate(0.95)?.value, 0.3);
    /// assert!(p.push_counts(5, 4).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_counts(&mut self, successes: u64, trials: u64) -> Result<()> {
        if successes > trials {
            return Err(Error::invalid_argument(
                "successes",
                format!("`{successes}` successes exceed `{trials}` trials"),
            ));
        }
        let failures = trials - successes;
        self.counts
            .add(0, failures, failures as f64, failures as f64);
        self.counts
            .add(1, successes, successes as f64, successes as f64);
        Ok(())
    }

    pub(crate) fn share_stats(&self, what: &str) -> Result<Share> {
        self.counts.share(what, |s| s == 1)
    }

    /// Adds everything another accumulator has seen.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when the count would pass 2⁶⁴ − 1; otherwise never.
    pub fn merge(&mut self, other: &Proportion) -> Result<()> {
        self.counts.merge(&other.counts)
    }

    /// Number of outcomes seen.
    pub fn n(&self) -> u64 {
        self.counts.n()
    }

    /// Number of successes seen.
    pub fn successes(&self) -> u64 {
        self.counts.count(1)
    }

    /// The histogram of outcomes (0 and 1), for state checks.
    pub(crate) fn counts(&self) -> &ScaleCounts {
        &self.counts
    }

    /// The weighted share of successes with a Wilson interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no outcomes, [`Error::OutOfRange`] for a bad confidence.
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.estimate_with(confidence, Method::Wilson)
    }

    /// The share with the interval of `method` (Wilson, Agresti–Coull or Wald).
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    pub fn estimate_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        let share = self.share_stats("the sample")?;
        share_interval(share, confidence, method)
    }
}

/// The serialized form of a [`Mean`], checked before use: finite, non-negative sums, nothing
/// but zeros when empty, and Σw² ≤ (Σw)² ≤ n·Σw² as for any set of non-negative weights.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMean {
    #[serde(default = "first_version")]
    v: u32,
    n: u64,
    w: f64,
    w2: f64,
    mean: f64,
    m2: f64,
    s1: f64,
    q: f64,
}

impl From<Mean> for RawMean {
    fn from(m: Mean) -> Self {
        RawMean {
            v: STATE_VERSION,
            n: m.n,
            w: m.w,
            w2: m.w2,
            mean: m.mean,
            m2: m.m2,
            s1: m.s1,
            q: m.q,
        }
    }
}

impl TryFrom<RawMean> for Mean {
    type Error = Error;
    fn try_from(raw: RawMean) -> Result<Self> {
        check_version("a mean accumulator", raw.v)?;
        let m = Mean {
            n: raw.n,
            w: raw.w,
            w2: raw.w2,
            mean: raw.mean,
            m2: raw.m2,
            s1: raw.s1,
            q: raw.q,
        };
        let fields = [("w", m.w), ("w2", m.w2), ("m2", m.m2), ("q", m.q)];
        if let Some((name, x)) = fields.iter().find(|(_, x)| !x.is_finite() || *x < 0.0) {
            return Err(invalid(format!(
                "mean state field `{name}` is `{x}`, not a finite non-negative sum"
            )));
        }
        if !m.mean.is_finite() || !m.s1.is_finite() {
            return Err(invalid("mean state has a non-finite `mean` or `s1`"));
        }
        let consistent = if m.n == 0 {
            m == Mean::default()
        } else {
            at_most(m.w2, m.w * m.w) && at_most(m.w * m.w, m.n as f64 * m.w2)
        };
        if !consistent {
            return Err(invalid(format!(
                "mean state with n {}, w {} and w2 {}, which no set of non-negative weights gives",
                m.n, m.w, m.w2
            )));
        }
        Ok(m)
    }
}

/// The serialized form of a [`Proportion`]: a version and counts on the scale 0..=1.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProportion {
    #[serde(default = "first_version")]
    v: u32,
    counts: ScaleCounts,
}

impl From<Proportion> for RawProportion {
    fn from(p: Proportion) -> Self {
        RawProportion {
            v: STATE_VERSION,
            counts: p.counts,
        }
    }
}

impl TryFrom<RawProportion> for Proportion {
    type Error = Error;
    fn try_from(raw: RawProportion) -> Result<Self> {
        check_version("a proportion accumulator", raw.v)?;
        if (raw.counts.min(), raw.counts.max()) != (0, 1) {
            return Err(invalid(format!(
                "a proportion accumulator needs counts on `0..=1`, got `{}..={}`",
                raw.counts.min(),
                raw.counts.max()
            )));
        }
        Ok(Proportion { counts: raw.counts })
    }
}
