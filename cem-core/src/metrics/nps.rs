//! Net Promoter Score.

use crate::state::{STATE_VERSION, check_version, first_version, invalid};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::estimate::{Estimate, Method, difference_interval};
use crate::metrics::macros::scale_metric_methods;
use crate::metrics::scale::ScaleCounts;

/// The NPS category of a 0–10 answer.
///
/// ```
/// use cem_core::metrics::{NpsCategory, nps_category};
/// assert_eq!(nps_category(9)?, NpsCategory::Promoter);
/// assert_eq!(nps_category(7)?, NpsCategory::Passive);
/// assert_eq!(nps_category(6)?, NpsCategory::Detractor);
/// assert!(nps_category(11).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NpsCategory {
    /// 9 or 10.
    Promoter,
    /// 7 or 8.
    Passive,
    /// 0 to 6.
    Detractor,
}

/// Classifies a 0–10 likelihood-to-recommend answer.
///
/// # Errors
/// [`Error::OutOfRange`] when `score > 10`.
pub fn nps_category(score: u8) -> Result<NpsCategory> {
    match score {
        0..=6 => Ok(NpsCategory::Detractor),
        7 | 8 => Ok(NpsCategory::Passive),
        9 | 10 => Ok(NpsCategory::Promoter),
        _ => Err(Error::out_of_range(LABEL, score, "0..=10")),
    }
}

const LABEL: &str = "NPS score";

/// Net Promoter Score accumulator: % promoters (9–10) − % detractors (0–6), in points
/// (−100..=100).
///
/// The default interval is the adjusted Wald interval (add ¾ promoter and ¾ detractor, n+3);
/// [`estimate_with`](Self::estimate_with) also offers plain Wald. With weights, shares are
/// weighted, the Wald variance is the linearized one, Σw²(z−NPS)²/(Σw)² with z ∈ {1, 0, −1},
/// and the adjusted Wald uses the Kish effective n.
///
/// # Example
///
/// The adjusted Wald check from Sauro & Lewis: 50 promoters, 30 passives, 20 detractors.
///
/// ```
/// use cem_core::metrics::Nps;
///
/// let mut nps = Nps::new();
/// for (score, count) in [(10, 50), (8, 30), (3, 20)] {
///     for _ in 0..count {
///         nps.push(score)?;
///     }
/// }
/// let est = nps.estimate(0.95)?;
/// assert_eq!(est.value, 30.0);
/// assert!((est.low - 14.05).abs() < 0.01 && (est.high - 44.20).abs() < 0.01);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawNps", into = "RawNps")]
pub struct Nps {
    counts: ScaleCounts,
}

/// Promoter, passive and detractor shares (fractions of the total weight) and counts.
///
/// ```
/// use cem_core::metrics::Nps;
/// let mut nps = Nps::new();
/// nps.push_many(&[10, 8, 0, 0])?;
/// let b = nps.breakdown()?;
/// assert_eq!((b.promoters, b.passives, b.detractors), (0.25, 0.25, 0.5));
/// assert_eq!(b.detractor_count, 2);
/// nps.push_many(&[10, 0])?;
/// let b = nps.breakdown()?;
/// assert_eq!(b.passives, 1.0 / 6.0);
/// let mut no_passives = Nps::new();
/// no_passives.push_many_weighted(&[10, 0, 9], &[0.1, 0.7, 0.2])?;
/// assert_eq!(no_passives.breakdown()?.passives, 0.0);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NpsBreakdown {
    /// Weighted share of promoters.
    pub promoters: f64,
    /// Weighted share of passives.
    pub passives: f64,
    /// Weighted share of detractors.
    pub detractors: f64,
    /// Number of promoters.
    pub promoter_count: u64,
    /// Number of passives.
    pub passive_count: u64,
    /// Number of detractors.
    pub detractor_count: u64,
}

impl Default for Nps {
    fn default() -> Self {
        Nps::new()
    }
}

impl Nps {
    /// An empty accumulator.
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::Nps::new().n(), 0);
    /// ```
    pub fn new() -> Self {
        Nps {
            counts: empty_counts(),
        }
    }

    /// Wraps a histogram the caller knows to be on 0..=10.
    pub(crate) fn from_counts(counts: ScaleCounts) -> Self {
        Nps { counts }
    }

    fn check_compatible(&self, _other: &Nps) -> Result<()> {
        Ok(())
    }

    /// NPS in points with the adjusted Wald interval.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers (or only zero weights), [`Error::OutOfRange`] for a
    /// confidence outside (0, 1).
    ///
    /// ```
    /// let mut nps = cem_core::metrics::Nps::new();
    /// nps.push_many(&[10, 10, 6])?;
    /// let e = nps.estimate(0.9)?;
    /// assert!((e.value - 100.0 / 3.0).abs() < 1e-9);
    /// assert_eq!(e.method, cem_core::metrics::Method::AdjustedWald);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimate(&self, confidence: f64) -> Result<Estimate> {
        self.estimate_with(confidence, Method::AdjustedWald)
    }

    /// NPS in points with the interval of `method` ([`Method::AdjustedWald`] or
    /// [`Method::Wald`]).
    ///
    /// # Errors
    /// As [`estimate`](Self::estimate), and [`Error::InvalidArgument`] for another method.
    ///
    /// ```
    /// use cem_core::metrics::{Method, Nps};
    /// let mut nps = Nps::new();
    /// nps.push_many(&[10, 9, 7, 0])?;
    /// let e = nps.estimate_with(0.95, Method::Wald)?;
    /// // Wald: se = sqrt((p + d - (p - d)^2) / n) = sqrt((0.5 + 0.25 - 0.0625) / 4)
    /// assert!((e.se - 100.0 * (0.6875f64 / 4.0).sqrt()).abs() < 1e-9);
    /// assert!(nps.estimate_with(0.95, Method::Wilson).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimate_with(&self, confidence: f64, method: Method) -> Result<Estimate> {
        let d = self
            .counts
            .difference("the NPS sample", is_promoter, is_detractor)?;
        difference_interval(d, confidence, method)
    }

    /// Shares and counts of promoters, passives and detractors.
    ///
    /// # Errors
    /// [`Error::Empty`] with no answers or only zero weights.
    pub fn breakdown(&self) -> Result<NpsBreakdown> {
        let d = self
            .counts
            .difference("the NPS sample", is_promoter, is_detractor)?;
        let count = |lo: u8, hi: u8| (lo..=hi).map(|s| self.counts.count(s)).sum::<u64>();
        // Passives from their own weight (not 1 − P − D, which leaves 1e-16 crumbs).
        let passive_weight = self.counts.weight(7) + self.counts.weight(8);
        Ok(NpsBreakdown {
            promoters: d.plus,
            passives: (passive_weight / self.counts.total_weight()).clamp(0.0, 1.0),
            detractors: d.minus,
            promoter_count: count(9, 10),
            passive_count: count(7, 8),
            detractor_count: count(0, 6),
        })
    }
}

scale_metric_methods!(Nps, "NPS score", "9", "11");

fn empty_counts() -> ScaleCounts {
    ScaleCounts::fixed(0, 10)
}

pub(crate) fn is_promoter(s: u8) -> bool {
    s >= 9
}

pub(crate) fn is_detractor(s: u8) -> bool {
    s <= 6
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNps {
    #[serde(default = "first_version")]
    v: u32,
    counts: ScaleCounts,
}

impl From<Nps> for RawNps {
    fn from(n: Nps) -> Self {
        RawNps {
            v: STATE_VERSION,
            counts: n.counts,
        }
    }
}

impl TryFrom<RawNps> for Nps {
    type Error = Error;
    fn try_from(raw: RawNps) -> Result<Self> {
        check_version("an NPS accumulator", raw.v)?;
        if (raw.counts.min(), raw.counts.max()) != (0, 10) {
            return Err(invalid(format!(
                "an NPS accumulator needs scale `0..=10`, got `{}..={}`",
                raw.counts.min(),
                raw.counts.max()
            )));
        }
        Ok(Nps { counts: raw.counts })
    }
}
