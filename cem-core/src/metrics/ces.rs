//! Customer Effort Score.

use crate::state::{STATE_VERSION, check_version, first_version, invalid};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::csat::scale_mean;
use crate::metrics::estimate::{Estimate, Method, share_interval};
use crate::metrics::macros::scale_metric_methods;
use crate::metrics::scale::ScaleCounts;

/// The answer scale of a CES question.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CesScale {
    /// CES 2.0: "The company made it easy for me to handle my issue", 1 (strongly disagree)
    /// to 7 (strongly agree). Higher is better; 5–7 agree.
    Agreement7,
    /// The original CES: "How much effort did you personally have to put forth?", 1 (very
    /// low effort) to 5 (very high effort). Lower is better; 1–2 count as easy.
    LegacyEffort5,
}

/// Customer Effort Score accumulator: the mean answer with a Student t interval, and the
/// share of "easy" answers (5–7 on the 7-point agreement scale, 1–2 on the legacy
/// 5-point effort scale, where lower is better).
///
/// # Example
///
/// ```
/// use cem_core::metrics::Ces;
///
/// let mut ces = Ces::new();
/// ces.push_many(&[7, 6, 5, 2])?;
/// assert_eq!(ces.estimate(0.95)?.value, 5.0);
/// assert_eq!(ces.agree(0.95)?.value, 0.75);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCes", into = "RawCes")]
pub struct Ces {
    scale: CesScale,
    counts: ScaleCounts,
}

impl Default for Ces {
    fn default() -> Self {
        Ces::new()
    }
}

impl Ces {
    /// CES on the 1–7 agreement scale.
    pub fn new() -> Self {
        Ces::with_scale(CesScale::Agreement7)
    }

    /// CES on the given scale.
    ///
    /// ```
    /// use cem_core::metrics::{Ces, CesScale};
    /// let mut ces = Ces::with_scale(CesScale::LegacyEffort5);
    /// ces.push_many(&[1, 2, 5])?;
    /// assert!((ces.agree(0.95)?.value - 2.0 / 3.0).abs() < 1e-12); // 1 and 2 are easy
    /// assert!(ces.push(7).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_scale(scale: CesScale) -> Self {
        let max = match scale {
            CesScale::Agreement7 => 7,
            CesScale::LegacyEffort5 => 5,
        };
        Ces {
            scale,
            counts: ScaleCounts::fixed(1, max),
        }
    }

    /// The answer scale.
    pub fn scale(&self) -> CesScale {
        self.scale
    }

    /// Wraps a histogram the caller knows to be on `scale`.
    pub(crate) fn from_counts(counts: ScaleCounts, scale: CesScale) -> Self {
        Ces { scale, counts }
    }

    fn check_compatible(&self, other: &Ces) -> Result<()> {
        if self.scale == other.scale {
            Ok(())
        } else {
            Err(Error::Incompatible(format!(
                "CES scale `{:?}` and CES scale `{:?}`",
                self.scale, other.scale
            )))
        }
    }

    /// The mean answer with a Student t interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers, [`Error::Undefined`] with a single one,
    /// [`Error::OutOfRange`] for a bad confidence.
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.mean_with(confidence, Method::StudentT)
    }

    /// The mean answer with a Student t or Wald (normal) interval.
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    ///
    /// ```
    /// use cem_core::metrics::{Ces, Method};
    /// let mut ces = Ces::new();
    /// ces.push_many(&[7, 5])?;
    /// assert_eq!(ces.mean_with(0.95, Method::Wald)?.value, 6.0);
    /// assert!(ces.mean_with(0.95, Method::Wilson).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn mean_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        scale_mean(&self.counts, "the CES sample", confidence, method)
    }

    /// The share of easy answers with a Wilson interval.
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate) (a single answer is fine here).
    pub fn agree(&self, confidence: f64) -> Result<Estimate> {
        self.agree_with(confidence, Method::Wilson)
    }

    /// The share of easy answers with the interval of `method`.
    ///
    /// # Errors
    /// As [`agree`](Self::agree), and [`Error::InvalidArgument`] for a method that is not
    /// for proportions.
    ///
    /// ```
    /// use cem_core::metrics::{Ces, Method};
    /// let mut ces = Ces::new();
    /// ces.push_many(&[7, 1])?;
    /// assert_eq!(ces.agree_with(0.95, Method::Wald)?.value, 0.5);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn agree_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        let scale = self.scale;
        let share = self.counts.share("the CES sample", |s| match scale {
            CesScale::Agreement7 => s >= 5,
            CesScale::LegacyEffort5 => s <= 2,
        })?;
        share_interval(share, confidence, method)
    }
}

scale_metric_methods!(Ces, "CES score", "6", "8");

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCes {
    #[serde(default = "first_version")]
    v: u32,
    scale: CesScale,
    counts: ScaleCounts,
}

impl From<Ces> for RawCes {
    fn from(c: Ces) -> Self {
        RawCes {
            v: STATE_VERSION,
            scale: c.scale,
            counts: c.counts,
        }
    }
}

impl TryFrom<RawCes> for Ces {
    type Error = Error;
    fn try_from(raw: RawCes) -> Result<Self> {
        check_version("a CES accumulator", raw.v)?;
        let mut ces = Ces::with_scale(raw.scale);
        if (raw.counts.min(), raw.counts.max()) != (ces.counts.min(), ces.counts.max()) {
            return Err(invalid(format!(
                "CES scale `{:?}` with counts on `{}..={}`",
                raw.scale,
                raw.counts.min(),
                raw.counts.max()
            )));
        }
        ces.counts = raw.counts;
        Ok(ces)
    }
}
