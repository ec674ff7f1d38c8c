//! Customer satisfaction: CSAT as a top-k box share, and net satisfaction.

use crate::state::{STATE_VERSION, check_version, first_version, invalid};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::estimate::{
    Estimate, Method, Share, difference_interval, mean_interval, share_interval,
};
use crate::metrics::macros::scale_metric_methods;
use crate::metrics::scale::ScaleCounts;

/// CSAT accumulator: the share of answers in the top `k` boxes of a 1–`max` scale (by default
/// the top two of 1–5: "satisfied" and "very satisfied"), as a fraction in 0..=1.
///
/// The default interval is Wilson's; with weights it uses the weighted share and the Kish
/// effective n.
///
/// # Example
///
/// ```
/// use cem_core::metrics::Csat;
///
/// let mut csat = Csat::new();
/// csat.push_many(&[5, 4, 4, 3, 1])?;
/// let e = csat.estimate(0.95)?;
/// assert!((e.value - 0.6).abs() < 1e-12);
/// // statsmodels: proportion_confint(3, 5, method="wilson") = (0.230724281276, 0.882379225768)
/// assert!((e.low - 0.230724281276).abs() < 1e-9 && (e.high - 0.882379225768).abs() < 1e-9);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCsat", into = "RawCsat")]
pub struct Csat {
    top: u8,
    counts: ScaleCounts,
}

impl Default for Csat {
    fn default() -> Self {
        Csat::new()
    }
}

impl Csat {
    /// CSAT on a 1–5 scale, top-2 box.
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::Csat::new().top(), 2);
    /// ```
    pub fn new() -> Self {
        Csat {
            top: 2,
            counts: ScaleCounts::fixed(1, 5),
        }
    }

    /// CSAT on a 1–`max` scale counting the top `top` boxes as satisfied.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `2 <= max` and `1 <= top < max`.
    ///
    /// ```
    /// use cem_core::metrics::Csat;
    /// let mut c = Csat::with_scale(7, 3)?; // 5, 6, 7 of 1–7 are satisfied
    /// c.push_many(&[7, 5, 4, 1])?;
    /// assert_eq!(c.estimate(0.95)?.value, 0.5);
    /// assert!(Csat::with_scale(5, 5).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_scale(max: u8, top: u8) -> Result<Self> {
        if max < 2 {
            return Err(Error::invalid_argument(
                "max",
                format!("a CSAT scale needs at least 2 points, got 1..={max}"),
            ));
        }
        if top == 0 || top >= max {
            return Err(Error::invalid_argument(
                "top",
                format!(
                    "the top box count `{top}` must be between 1 and {}",
                    max - 1
                ),
            ));
        }
        Ok(Csat {
            top,
            counts: ScaleCounts::fixed(1, max),
        })
    }

    /// How many top boxes count as satisfied.
    pub fn top(&self) -> u8 {
        self.top
    }

    /// The highest scale point.
    pub fn max(&self) -> u8 {
        self.counts.max()
    }

    /// Wraps a histogram the caller knows to be on 1..=max with a valid `top`.
    pub(crate) fn from_counts(counts: ScaleCounts, top: u8) -> Self {
        Csat { top, counts }
    }

    fn check_compatible(&self, other: &Csat) -> Result<()> {
        if self.top == other.top {
            Ok(())
        } else {
            Err(Error::Incompatible(format!(
                "CSAT top-{} box and CSAT top-{} box",
                self.top, other.top
            )))
        }
    }

    fn is_satisfied(&self, s: u8) -> bool {
        s > self.counts.max() - self.top
    }

    pub(crate) fn share_stats(&self, what: &str) -> Result<Share> {
        self.counts.share(what, |s| self.is_satisfied(s))
    }

    /// The top-box share with a Wilson interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers, [`Error::OutOfRange`] for a bad confidence.
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.estimate_with(confidence, Method::Wilson)
    }

    /// The top-box share with the interval of `method` (Wilson, Agresti–Coull or Wald).
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    ///
    /// ```
    /// use cem_core::metrics::{Csat, Method};
    /// let mut c = Csat::new();
    /// c.push_many(&[5, 5, 2, 4])?;
    /// let e = c.estimate_with(0.95, Method::AgrestiCoull)?;
    /// assert_eq!(e.method, Method::AgrestiCoull);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimate_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        share_interval(self.share_stats("the CSAT sample")?, confidence, method)
    }

    /// The mean score with a Student t interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers, [`Error::Undefined`] with one.
    ///
    /// ```
    /// let mut c = cem_core::metrics::Csat::new();
    /// c.push_many(&[5, 4, 3])?;
    /// assert_eq!(c.mean(0.95)?.value, 4.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn mean(&self, confidence: f64) -> Result<Estimate> {
        scale_mean(
            &self.counts,
            "the CSAT sample",
            confidence,
            Method::StudentT,
        )
    }
}

scale_metric_methods!(Csat, "CSAT score", "4", "0");

/// Net satisfaction on a 5-point scale: % satisfied or very satisfied (4–5) − % dissatisfied
/// or very dissatisfied (1–2), in points (−100..=100). Intervals as for NPS (adjusted Wald by
/// default).
///
/// ```
/// use cem_core::metrics::NetSatisfaction;
/// let mut ns = NetSatisfaction::new();
/// ns.push_many(&[5, 4, 3, 2])?;
/// assert_eq!(ns.estimate(0.95)?.value, 25.0);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawNetSatisfaction", into = "RawNetSatisfaction")]
pub struct NetSatisfaction {
    counts: ScaleCounts,
}

impl Default for NetSatisfaction {
    fn default() -> Self {
        NetSatisfaction::new()
    }
}

impl NetSatisfaction {
    /// An empty accumulator on the 1–5 scale.
    pub fn new() -> Self {
        NetSatisfaction {
            counts: ScaleCounts::fixed(1, 5),
        }
    }

    /// Wraps a histogram the caller knows to be on 1..=5.
    pub(crate) fn from_counts(counts: ScaleCounts) -> Self {
        NetSatisfaction { counts }
    }

    fn check_compatible(&self, _other: &NetSatisfaction) -> Result<()> {
        Ok(())
    }

    /// Net satisfaction in points with the adjusted Wald interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers, [`Error::OutOfRange`] for a bad confidence.
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.estimate_with(confidence, Method::AdjustedWald)
    }

    /// Net satisfaction with the interval of `method` (adjusted Wald or Wald).
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    ///
    /// ```
    /// use cem_core::metrics::{Method, NetSatisfaction};
    /// let mut ns = NetSatisfaction::new();
    /// ns.push_many(&[5, 1])?;
    /// assert_eq!(ns.estimate_with(0.95, Method::Wald)?.value, 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimate_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        let d = self
            .counts
            .difference("the net satisfaction sample", |s| s >= 4, |s| s <= 2)?;
        difference_interval(d, confidence, method)
    }
}

scale_metric_methods!(NetSatisfaction, "satisfaction score", "5", "6");

/// Mean score of a histogram with the interval of `method` (Student t or Wald).
pub(crate) fn scale_mean(
    counts: &ScaleCounts,
    what: &str,
    confidence: f64,
    method: Method,
) -> Result<Estimate> {
    let (mean, se) = counts.mean(what)?;
    mean_interval(mean, se, counts.n(), counts.n_eff(), confidence, method)
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCsat {
    #[serde(default = "first_version")]
    v: u32,
    top: u8,
    counts: ScaleCounts,
}

impl From<Csat> for RawCsat {
    fn from(c: Csat) -> Self {
        RawCsat {
            v: STATE_VERSION,
            top: c.top,
            counts: c.counts,
        }
    }
}

impl TryFrom<RawCsat> for Csat {
    type Error = Error;
    fn try_from(raw: RawCsat) -> Result<Self> {
        check_version("a CSAT accumulator", raw.v)?;
        let mut csat = Csat::with_scale(raw.counts.max(), raw.top)
            .map_err(|e| invalid(format!("a CSAT accumulator: {e}")))?;
        if raw.counts.min() != 1 {
            return Err(invalid(format!(
                "a CSAT scale starts at 1, got `{}`",
                raw.counts.min()
            )));
        }
        csat.counts = raw.counts;
        Ok(csat)
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNetSatisfaction {
    #[serde(default = "first_version")]
    v: u32,
    counts: ScaleCounts,
}

impl From<NetSatisfaction> for RawNetSatisfaction {
    fn from(n: NetSatisfaction) -> Self {
        RawNetSatisfaction {
            v: STATE_VERSION,
            counts: n.counts,
        }
    }
}

impl TryFrom<RawNetSatisfaction> for NetSatisfaction {
    type Error = Error;
    fn try_from(raw: RawNetSatisfaction) -> Result<Self> {
        check_version("a net satisfaction accumulator", raw.v)?;
        if (raw.counts.min(), raw.counts.max()) != (1, 5) {
            return Err(invalid(format!(
                "net satisfaction needs scale `1..=5`, got `{}..={}`",
                raw.counts.min(),
                raw.counts.max()
            )));
        }
        Ok(NetSatisfaction { counts: raw.counts })
    }
}
