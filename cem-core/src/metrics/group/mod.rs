//! Group-by: score metrics by segment × calendar period, computed from columns.
//!
//! [`GroupedScores`] takes three (or four) columns — `u8` scores, `u32` segment codes (a
//! dictionary-encoded segment such as region or channel), `i64` epoch timestamps and optional
//! survey weights — and accumulates one [`ScaleCounts`] per (segment, period) cell in one
//! pass without allocating per row. [`GroupedScores::estimates`] then turns each cell into the
//! metric's [`Estimate`].
//!
//! Periods are calendar days, ISO weeks (starting Monday), months and quarters of the local
//! calendar at a fixed UTC offset. A period is named by the local date it starts on.
//!
//! # Example
//!
//! ```
//! use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
//! use chrono::NaiveDate;
//!
//! let jan = 1_704_067_200; // 2024-01-01T00:00:00Z, in seconds
//! let feb = 1_706_745_600; // 2024-02-01T00:00:00Z
//! let mut by_month = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
//! by_month.push_columns(
//!     &[10, 9, 3, 10, 7],        // scores
//!     &[0, 0, 0, 1, 0],          // segment codes
//!     &[jan, jan + 60, jan + 3_600, jan, feb],
//!     None,                      // no weights
//! )?;
//! let rows = by_month.estimates(0.95)?;
//! assert_eq!(rows.len(), 3); // (0, Jan), (0, Feb), (1, Jan)
//! assert_eq!(rows[0].segment, 0);
//! assert_eq!(rows[0].period_start, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap());
//! let jan_0 = rows[0].estimate.unwrap();
//! assert_eq!(jan_0.n, 3);
//! assert!((jan_0.value - 100.0 / 3.0).abs() < 1e-9); // 2 promoters, 1 detractor
//! assert_eq!(rows[1].period_start, NaiveDate::from_ymd_opt(2024, 2, 1).unwrap());
//! # Ok::<(), cem_core::Error>(())
//! ```
mod calendar;
mod kernel;
mod limits;
use crate::state::{STATE_VERSION, check_version, first_version, invalid};

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence, check_weight};
use crate::metrics::ces::{Ces, CesScale};
use crate::metrics::csat::{Csat, NetSatisfaction};
use crate::metrics::estimate::{Estimate, Method};
use crate::metrics::nps::Nps;
use crate::metrics::scale::{ScaleCounts, at_position};

use calendar::*;
pub use calendar::{Period, TimeUnit};
use kernel::*;
pub use limits::{DEFAULT_MAX_GROUPS, GroupLimits};

/// Which score metric a [`GroupedScores`] computes: it fixes the answer scale that scores
/// are checked against and the estimate each cell produces.
///
/// | metric | scale | estimate (default interval) |
/// |---|---|---|
/// | `Nps` | 0–10 | NPS in points, as [`Nps::estimate`](crate::metrics::Nps::estimate) (adjusted Wald) |
/// | `Csat { max, top }` | 1–`max` | top-`top`-box share, as [`Csat::estimate`] (Wilson) |
/// | `Ces(scale)` | 1–7 or 1–5 | mean answer, as [`Ces::estimate`](crate::metrics::Ces::estimate) (Student t) |
/// | `NetSatisfaction` | 1–5 | net satisfaction in points, as [`NetSatisfaction::estimate`](crate::metrics::NetSatisfaction::estimate) (adjusted Wald) |
///
/// ```
/// use cem_core::metrics::{CesScale, ScoreMetric};
/// assert_eq!(ScoreMetric::Nps.scale(), (0, 10));
/// assert_eq!(ScoreMetric::Csat { max: 7, top: 2 }.scale(), (1, 7));
/// assert_eq!(ScoreMetric::Ces(CesScale::LegacyEffort5).scale(), (1, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ScoreMetric {
    /// Net Promoter Score on 0–10.
    Nps,
    /// CSAT: the share of the top `top` boxes of a 1–`max` scale (`Csat { max: 5, top: 2 }` is
    /// the usual one).
    Csat {
        /// The highest scale point.
        max: u8,
        /// How many top boxes count as satisfied.
        top: u8,
    },
    /// Customer Effort Score on the given scale.
    Ces(CesScale),
    /// Net satisfaction on 1–5.
    NetSatisfaction,
}

impl ScoreMetric {
    /// The answer scale `(min, max)`.
    pub fn scale(self) -> (u8, u8) {
        match self {
            ScoreMetric::Nps => (0, 10),
            ScoreMetric::Csat { max, .. } => (1, max),
            ScoreMetric::Ces(CesScale::Agreement7) => (1, 7),
            ScoreMetric::Ces(CesScale::LegacyEffort5) => (1, 5),
            ScoreMetric::NetSatisfaction => (1, 5),
        }
    }

    /// The interval method [`GroupedScores::estimates`] uses.
    ///
    /// ```
    /// use cem_core::metrics::{Method, ScoreMetric};
    /// assert_eq!(ScoreMetric::Nps.default_method(), Method::AdjustedWald);
    /// ```
    pub fn default_method(self) -> Method {
        match self {
            ScoreMetric::Nps | ScoreMetric::NetSatisfaction => Method::AdjustedWald,
            ScoreMetric::Csat { .. } => Method::Wilson,
            ScoreMetric::Ces(_) => Method::StudentT,
        }
    }

    /// The word for a score in error messages, as the single metrics use it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            ScoreMetric::Nps => "NPS score",
            ScoreMetric::Csat { .. } => "CSAT score",
            ScoreMetric::Ces(_) => "CES score",
            ScoreMetric::NetSatisfaction => "satisfaction score",
        }
    }

    fn validate(self) -> Result<()> {
        match self {
            ScoreMetric::Csat { max, top } => Csat::with_scale(max, top).map(|_| ()),
            _ => Ok(()),
        }
    }

    fn allowed_methods(self) -> &'static [Method] {
        match self {
            ScoreMetric::Nps | ScoreMetric::NetSatisfaction => {
                &[Method::AdjustedWald, Method::Wald]
            }
            ScoreMetric::Csat { .. } => &[Method::Wilson, Method::AgrestiCoull, Method::Wald],
            ScoreMetric::Ces(_) => &[Method::StudentT, Method::Wald],
        }
    }

    /// The estimate of one cell, by the same definitions as the single metrics.
    pub(crate) fn estimate(
        self,
        counts: &ScaleCounts,
        confidence: f64,
        method: Method,
    ) -> Result<Estimate> {
        match self {
            ScoreMetric::Nps => Nps::from_counts(counts.clone()).estimate_with(confidence, method),
            ScoreMetric::NetSatisfaction => {
                NetSatisfaction::from_counts(counts.clone()).estimate_with(confidence, method)
            }
            ScoreMetric::Csat { top, .. } => {
                Csat::from_counts(counts.clone(), top).estimate_with(confidence, method)
            }
            ScoreMetric::Ces(scale) => {
                let ces = Ces::from_counts(counts.clone(), scale);
                match method {
                    Method::StudentT => ces.estimate(confidence),
                    other => ces.mean_with(confidence, other),
                }
            }
        }
    }

    /// Compares two histograms of this metric: [`Nps::compare`] and [`Csat::compare`] where
    /// they exist, otherwise a z test on the two estimates' standard errors.
    pub(crate) fn compare(
        self,
        a: &ScaleCounts,
        b: &ScaleCounts,
        confidence: f64,
    ) -> Result<crate::metrics::Comparison> {
        match self {
            ScoreMetric::Nps => {
                Nps::from_counts(a.clone()).compare(&Nps::from_counts(b.clone()), confidence)
            }
            ScoreMetric::Csat { top, .. } => Csat::from_counts(a.clone(), top)
                .compare(&Csat::from_counts(b.clone(), top), confidence),
            ScoreMetric::Ces(_) | ScoreMetric::NetSatisfaction => {
                let method = self.default_method();
                crate::metrics::compare::compare_estimates(
                    &self.estimate(a, confidence, method)?,
                    &self.estimate(b, confidence, method)?,
                    confidence,
                )
            }
        }
    }
}

/// The estimate of one (segment, period) cell, as [`GroupedScores::estimates`] returns it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupEstimate {
    /// The segment code.
    pub segment: u32,
    /// The local calendar date the period starts on (a Monday for weeks, the 1st for months).
    pub period_start: NaiveDate,
    /// Number of answers in the cell (at least 1).
    pub n: u64,
    /// The metric's estimate; `None` where it is undefined for this cell: a CES mean with a
    /// Student t interval from a single answer, or a cell whose weights are all zero.
    pub estimate: Option<Estimate>,
}

/// Score metric accumulator by segment × calendar period.
///
/// Holds one [`ScaleCounts`] per (segment code, period) cell that has at least one answer.
/// Like every accumulator in cem it is serde-serializable and merges exactly: merging is
/// associative and commutative, and merging partial results equals one pass over all rows.
///
/// Timestamps are `i64` counts of a [`TimeUnit`] since 1970-01-01T00:00:00Z; they are shifted
/// by a fixed UTC offset (default 0) before taking the calendar date, so a period is a
/// period of the local calendar at that offset.
///
/// The number of cells is bounded by [`GroupLimits`] (default 1 000 000): a push, merge or
/// state that would pass it is [`Error::LimitExceeded`] and changes nothing.
///
/// Two accumulators are equal when they hold the same cells for the same metric, period and
/// UTC offset; the time unit (how input columns are read) and the limits do not count.
///
/// # Example
///
/// ```
/// use cem_core::metrics::{GroupedScores, Period, ScoreMetric, TimeUnit};
///
/// // Two answers at 2024-03-31T23:30:00Z, in milliseconds; in UTC+1 that is already April.
/// let t = 1_711_927_800_000;
/// let mut by_quarter = GroupedScores::new(ScoreMetric::Csat { max: 5, top: 2 }, Period::Quarter)?
///     .with_time_unit(TimeUnit::Millis)
///     .with_utc_offset(3_600)?;
/// by_quarter.push_columns(&[5, 2], &[7, 7], &[t, t], Some(&[1.0, 3.0]))?;
/// let rows = by_quarter.estimates(0.95)?;
/// assert_eq!(rows[0].period_start.to_string(), "2024-04-01");
/// assert_eq!(rows[0].estimate.unwrap().value, 0.25); // weighted: 1 of 4 satisfied
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "RawGroupedScores", into = "RawGroupedScores")]
pub struct GroupedScores {
    metric: ScoreMetric,
    period: Period,
    unit: TimeUnit,
    utc_offset_seconds: i32,
    limits: GroupLimits,
    /// Keyed by (segment, first day of the period in days since 1970-01-01).
    cells: BTreeMap<(u32, i64), ScaleCounts>,
}

/// Cells keyed by (segment, first day of the period).
type Cells = BTreeMap<(u32, i64), ScaleCounts>;

impl PartialEq for GroupedScores {
    /// Same metric, period, UTC offset and cells; the time unit and the limits do not count
    /// (they say how input is read and how much is accepted, not what was accumulated).
    ///
    /// ```
    /// use cem_core::metrics::{GroupLimits, GroupedScores, Period, ScoreMetric, TimeUnit};
    /// let a = GroupedScores::new(ScoreMetric::Nps, Period::Day)?;
    /// let b = a.clone().with_time_unit(TimeUnit::Millis).with_limits(GroupLimits { max_groups: 5 });
    /// assert_eq!(a, b);
    /// assert_ne!(a, GroupedScores::new(ScoreMetric::Nps, Period::Week)?);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.setting() == other.setting() && self.cells == other.cells
    }
}

/// Rows below which the `parallel` feature still counts in one pass.
#[cfg(feature = "parallel")]
const PARALLEL_MIN_ROWS: usize = 1 << 18;

/// Largest UTC offset accepted, in seconds (as chrono's `FixedOffset`: less than a day).
const MAX_OFFSET: i32 = 86_399;

impl GroupedScores {
    /// An empty accumulator of `metric` by segment × `period`, for timestamps in seconds at
    /// UTC.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a CSAT scale that is not `2 <= max`, `1 <= top < max`.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
    /// let g = GroupedScores::new(ScoreMetric::Nps, Period::Week)?;
    /// assert!(g.is_empty());
    /// assert!(GroupedScores::new(ScoreMetric::Csat { max: 5, top: 5 }, Period::Week).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn new(metric: ScoreMetric, period: Period) -> Result<Self> {
        metric.validate()?;
        Ok(GroupedScores {
            metric,
            period,
            unit: TimeUnit::Seconds,
            utc_offset_seconds: 0,
            limits: GroupLimits::default(),
            cells: BTreeMap::new(),
        })
    }

    /// The same accumulator with other [`GroupLimits`]. Cells already held stay, even if
    /// there are more than the new limit allows; the next push or merge that adds a cell is
    /// then refused.
    ///
    /// ```
    /// use cem_core::metrics::{GroupLimits, GroupedScores, Period, ScoreMetric};
    /// let many = GroupLimits { max_groups: 10_000_000 };
    /// let g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?.with_limits(many);
    /// assert_eq!(g.limits().max_groups, 10_000_000);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_limits(mut self, limits: GroupLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The limits in force.
    pub fn limits(&self) -> GroupLimits {
        self.limits
    }

    /// Reads state written by serde (`serde_json::to_string`) under the given limits.
    /// Deserializing with serde directly applies the default [`GroupLimits`] and reports a
    /// state over them as [`Error::InvalidState`]; this function reports it as
    /// [`Error::LimitExceeded`] and lets the caller raise the limit.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not state of a `GroupedScores`,
    /// [`Error::LimitExceeded`] for more cells than `limits.max_groups`,
    /// [`Error::InvalidState`] for state that fails its checks (an unknown version, a cell
    /// that is empty, off the metric's scale, not at the start of a period or given twice).
    ///
    /// ```
    /// use cem_core::metrics::{GroupLimits, GroupedScores, Period, ScoreMetric};
    /// use cem_core::ErrorKind;
    /// let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?;
    /// g.push_columns(&[10, 9, 0], &[0, 1, 2], &[0, 0, 0], None)?;
    /// let json = serde_json::to_string(&g)?;
    /// let err = GroupedScores::from_json_with(&json, GroupLimits { max_groups: 2 }).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    /// let back = GroupedScores::from_json_with(&json, GroupLimits { max_groups: 3 })?;
    /// assert_eq!(back.limits().max_groups, 3);
    /// assert_eq!(back, g);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_json_with(json: &str, limits: GroupLimits) -> Result<Self> {
        let raw: RawGroupedScores = serde_json::from_str(json)?;
        GroupedScores::from_raw(raw, limits)
    }

    /// The same accumulator reading timestamps in `unit`. The unit only concerns the input
    /// columns: accumulators with different units merge.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric, TimeUnit};
    /// let g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?.with_time_unit(TimeUnit::Nanos);
    /// assert_eq!(g.time_unit(), TimeUnit::Nanos);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_time_unit(mut self, unit: TimeUnit) -> Self {
        self.unit = unit;
        self
    }

    /// The same accumulator with periods of the local calendar at `seconds` east of UTC
    /// (`-18_000` for UTC−5). An accumulator that already holds answers keeps its cells, which
    /// were dated at the old offset; set the offset first.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] unless `-86_399 <= seconds <= 86_399`.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
    /// let g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?.with_utc_offset(-5 * 3_600)?;
    /// assert_eq!(g.utc_offset_seconds(), -18_000);
    /// let err = GroupedScores::new(ScoreMetric::Nps, Period::Day)?.with_utc_offset(90_000).unwrap_err();
    /// assert_eq!(err.to_string(), "UTC offset `90000` is outside -86399..=86399 seconds");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_utc_offset(mut self, seconds: i32) -> Result<Self> {
        check_offset(seconds)?;
        self.utc_offset_seconds = seconds;
        Ok(self)
    }

    /// The metric.
    pub fn metric(&self) -> ScoreMetric {
        self.metric
    }

    /// The calendar period.
    pub fn period(&self) -> Period {
        self.period
    }

    /// The unit [`push_columns`](Self::push_columns) reads timestamps in.
    pub fn time_unit(&self) -> TimeUnit {
        self.unit
    }

    /// The UTC offset of the calendar, in seconds east of UTC.
    pub fn utc_offset_seconds(&self) -> i32 {
        self.utc_offset_seconds
    }

    /// Number of non-empty (segment, period) cells.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no answer has been added.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Number of answers over all cells.
    pub fn n(&self) -> u64 {
        self.cells.values().map(ScaleCounts::n).sum()
    }

    /// The cells as (segment, period start, histogram), sorted by segment then period.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
    /// let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?;
    /// g.push_columns(&[10, 0, 10], &[2, 2, 1], &[0, 100, 86_400], None)?;
    /// let cells: Vec<_> = g.cells().map(|(s, d, c)| (s, d.to_string(), c.n())).collect();
    /// assert_eq!(cells, [(1, "1970-01-02".to_string(), 1), (2, "1970-01-01".to_string(), 2)]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn cells(&self) -> impl Iterator<Item = (u32, NaiveDate, &ScaleCounts)> + '_ {
        self.cells
            .iter()
            .filter_map(|(&(segment, day), counts)| Some((segment, date_of_day(day)?, counts)))
    }

    /// Adds columns of answers: `scores[i]` given in segment `segments[i]` at `times[i]`
    /// (in the accumulator's [`TimeUnit`]), with weight `weights[i]` or 1.
    ///
    /// One pass over the rows with no per-row allocation: when segment codes and periods
    /// span a small enough range the counts go to a dense table indexed by (segment, period,
    /// score), else to a hash map of cells.
    ///
    /// All or nothing: when any row is bad, nothing is added and the error names the first
    /// bad row's position.
    ///
    /// # Errors
    /// - [`Error::LengthMismatch`] when the columns differ in length;
    /// - [`Error::OutOfRange`] for a score off the metric's scale, or a timestamp whose period
    ///   starts outside the dates chrono represents (years −262143 to 262142);
    /// - [`Error::InvalidNumber`] for a negative, NaN or infinite weight.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
    /// use cem_core::ErrorKind;
    ///
    /// let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
    /// let err = g.push_columns(&[10, 11], &[0, 0], &[0, 0], None).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::OutOfRange);
    /// assert_eq!(err.to_string(), "NPS score at position 1 `11` is outside 0..=10");
    /// let err = g.push_columns(&[10, 9], &[0, 0], &[0, 0], Some(&[1.0, f64::NAN])).unwrap_err();
    /// assert_eq!(err.to_string(), "weight at position 1 `NaN` is not a finite number");
    /// assert!(g.is_empty()); // nothing was added
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_columns(
        &mut self,
        scores: &[u8],
        segments: &[u32],
        times: &[i64],
        weights: Option<&[f64]>,
    ) -> Result<()> {
        let n = scores.len();
        for (name, len) in [("segments", segments.len()), ("times", times.len())]
            .into_iter()
            .chain(weights.map(|w| ("weights", w.len())))
        {
            if len != n {
                return Err(Error::length_mismatch("scores", n, name, len));
            }
        }
        let (lo, hi) = self.metric.scale();
        let (smin, smax) = min_max(scores).unwrap_or((lo, hi));
        if smin < lo || smax > hi {
            let pos = scores
                .iter()
                .position(|s| !(lo..=hi).contains(s))
                .unwrap_or(0);
            let bad = scores.get(pos).copied().unwrap_or(smax);
            return Err(Error::out_of_range(
                format!("{} at position {pos}", self.metric.label()),
                bad,
                format!("{lo}..={hi}"),
            ));
        }
        if let Some(w) = weights {
            for (pos, &x) in w.iter().enumerate() {
                check_weight(x).map_err(|e| at_position(e, pos))?;
            }
        }
        let cols = Columns {
            scores,
            segments,
            times,
            weights,
        };
        let (lo, levels) = (lo, usize::from(hi - lo) + 1);
        match self.unit {
            TimeUnit::Seconds => self.accumulate_split::<86_400>(&cols, lo, levels),
            TimeUnit::Millis => self.accumulate_split::<86_400_000>(&cols, lo, levels),
            TimeUnit::Micros => self.accumulate_split::<86_400_000_000>(&cols, lo, levels),
            TimeUnit::Nanos => self.accumulate_split::<86_400_000_000_000>(&cols, lo, levels),
        }
    }

    /// Adds everything another accumulator has seen, cell by cell.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the two differ in metric, period or UTC offset (the time
    /// unit may differ); [`Error::LimitExceeded`] when the result would hold more cells than
    /// this accumulator's [`GroupLimits`] allow, or a cell more than 2⁶⁴ − 1 answers. Either
    /// way nothing is merged.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Period, ScoreMetric};
    /// let mut a = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
    /// a.push_columns(&[10], &[0], &[0], None)?;
    /// let mut b = GroupedScores::new(ScoreMetric::Nps, Period::Month)?;
    /// b.push_columns(&[0, 9], &[0, 1], &[0, 0], None)?;
    /// a.merge(&b)?;
    /// assert_eq!((a.len(), a.n()), (2, 3));
    /// let weekly = GroupedScores::new(ScoreMetric::Nps, Period::Week)?;
    /// assert!(a.merge(&weekly).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &GroupedScores) -> Result<()> {
        let (a, b) = (self.setting(), other.setting());
        if a != b {
            return Err(Error::Incompatible(format!(
                "grouped {} by {} at UTC offset {}s and grouped {} by {} at UTC offset {}s",
                a.0.label(),
                a.1,
                a.2,
                b.0.label(),
                b.1,
                b.2
            )));
        }
        self.check_absorb(&other.cells)?;
        for (key, counts) in &other.cells {
            match self.cells.get_mut(key) {
                Some(mine) => mine.merge(counts)?,
                None => {
                    self.cells.insert(*key, counts.clone());
                }
            }
        }
        Ok(())
    }

    /// Errors unless every cell of `cells` can be added: the cells not held yet keep the
    /// total within the limits, and no shared cell's count would overflow. After it passes,
    /// adding the cells cannot fail, so a push or merge is all or nothing.
    fn check_absorb(&self, cells: &Cells) -> Result<()> {
        let mut new = 0usize;
        for (key, counts) in cells {
            match self.cells.get(key) {
                Some(mine) => mine.check_room(counts.n())?,
                None => new += 1,
            }
        }
        if new > 0 {
            self.limits.check(self.cells.len().saturating_add(new))?;
        }
        Ok(())
    }

    /// The estimate of every cell with the metric's default interval
    /// ([`ScoreMetric::default_method`]), sorted by segment then period.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a confidence outside (0, 1). A cell whose estimate is
    /// undefined gets `estimate: None` rather than failing the whole table.
    ///
    /// ```
    /// use cem_core::metrics::{CesScale, GroupedScores, Period, ScoreMetric};
    /// let mut g = GroupedScores::new(ScoreMetric::Ces(CesScale::Agreement7), Period::Day)?;
    /// g.push_columns(&[7, 5, 6], &[0, 0, 1], &[0, 0, 0], None)?;
    /// let rows = g.estimates(0.95)?;
    /// assert_eq!(rows[0].estimate.unwrap().value, 6.0);
    /// assert_eq!((rows[1].n, rows[1].estimate), (1, None)); // no t interval from one answer
    /// assert!(g.estimates(1.5).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimates(&self, confidence: f64) -> Result<Vec<GroupEstimate>> {
        self.estimates_with(confidence, self.metric.default_method())
    }

    /// The estimate of every cell with the interval of `method`.
    ///
    /// # Errors
    /// As [`estimates`](Self::estimates), and [`Error::InvalidArgument`] for a method the
    /// metric does not offer.
    ///
    /// ```
    /// use cem_core::metrics::{GroupedScores, Method, Period, ScoreMetric};
    /// let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?;
    /// g.push_columns(&[10, 9, 7, 0], &[0; 4], &[0; 4], None)?;
    /// let wald = g.estimates_with(0.95, Method::Wald)?;
    /// assert!((wald[0].estimate.unwrap().se - 100.0 * (0.6875f64 / 4.0).sqrt()).abs() < 1e-9);
    /// assert!(g.estimates_with(0.95, Method::Wilson).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn estimates_with(&self, confidence: f64, method: Method) -> Result<Vec<GroupEstimate>> {
        check_confidence(confidence)?;
        let allowed = self.metric.allowed_methods();
        if !allowed.contains(&method) {
            return Err(method.unsupported(&format!("grouped {}s", self.metric.label()), allowed));
        }
        let mut out = Vec::with_capacity(self.cells.len());
        for (segment, period_start, counts) in self.cells() {
            let estimate = match self.metric.estimate(counts, confidence, method) {
                Ok(e) => Some(e),
                Err(Error::Empty { .. } | Error::Undefined(_)) => None,
                Err(e) => return Err(e),
            };
            out.push(GroupEstimate {
                segment,
                period_start,
                n: counts.n(),
                estimate,
            });
        }
        Ok(out)
    }

    /// An empty accumulator with the same settings.
    #[cfg(feature = "parallel")]
    fn empty_like(&self) -> GroupedScores {
        GroupedScores {
            cells: BTreeMap::new(),
            ..*self
        }
    }

    /// With the `parallel` feature and at least `PARALLEL_MIN_ROWS` rows, splits the rows
    /// into one block per rayon thread, counts the blocks in parallel and merges them (the
    /// merge is exact: counts and sums of weights per cell); otherwise one pass. Either way
    /// `self` changes only when every block succeeded.
    fn accumulate_split<const UPD: i64>(
        &mut self,
        cols: &Columns<'_>,
        lo: u8,
        levels: usize,
    ) -> Result<()> {
        #[cfg(feature = "parallel")]
        {
            use rayon::prelude::*;
            let rows = cols.scores.len();
            let threads = rayon::current_num_threads();
            if threads >= 2 && rows >= PARALLEL_MIN_ROWS {
                let block = rows.div_ceil(threads);
                let parts = (0..threads)
                    .into_par_iter()
                    .map(|i| {
                        let start = (i * block).min(rows);
                        let mut part = self.empty_like();
                        let sub = cols.rows(start..(start + block).min(rows));
                        part.accumulate::<UPD>(&sub, lo, levels)?;
                        Ok(part)
                    })
                    .collect::<Result<Vec<_>>>()?;
                // Combined on a scratch first, so that a limit hit leaves `self` as it was.
                let mut all = self.empty_like();
                for part in &parts {
                    all.merge(part)?;
                }
                return self.merge(&all);
            }
        }
        self.accumulate::<UPD>(cols, lo, levels)
    }

    fn setting(&self) -> (ScoreMetric, Period, i32) {
        (self.metric, self.period, self.utc_offset_seconds)
    }

    /// The kernel, for timestamps with `UPD` units per day (a constant, so that the divisions
    /// by it compile to multiplications).
    ///
    /// To read the columns from memory once in the usual case, the ranges of timestamps and
    /// segment codes are taken from a first block of rows only; the dense loop stops at the
    /// first row outside them, and the plan is redone once from the ranges of all remaining
    /// rows. Everything is staged and reaches `self` only when all rows passed.
    fn accumulate<const UPD: i64>(
        &mut self,
        cols: &Columns<'_>,
        lo: u8,
        levels: usize,
    ) -> Result<()> {
        let offset = i64::from(self.utc_offset_seconds) * (UPD / 86_400);
        // Floor of (t + offset) / UPD without overflow: |offset| < UPD.
        let day_of = |t: i64| t.div_euclid(UPD) + (t.rem_euclid(UPD) + offset).div_euclid(UPD);
        let period = self.period;
        let weighted = cols.weights.is_some();
        let rows = cols.scores.len();
        let mut staged = BTreeMap::new();
        let (mut start, mut probe_end) = (0, rows.min(PROBE_ROWS));
        while let Some(r) = cols.ranges(start..probe_end, lo, levels) {
            let (dmin, dmax) = (day_of(r.tmin), day_of(r.tmax));
            let (first, last) = (first_day(), last_day());
            if period.start_day(period.key(dmin)) < first || dmax > last {
                let bad = |t: i64| {
                    let d = day_of(t);
                    d > last || period.start_day(period.key(d)) < first
                };
                let pos = cols.times.iter().position(|&t| bad(t)).unwrap_or(0);
                return Err(Error::out_of_range(
                    format!("timestamp at position {pos}"),
                    cols.times.get(pos).copied().unwrap_or(r.tmin),
                    format!(
                        "the {} {}..={} in unit `{}` at UTC offset {}s",
                        period.name(),
                        NaiveDate::MIN,
                        NaiveDate::MAX,
                        self.unit.name(),
                        self.utc_offset_seconds
                    ),
                ));
            }
            match Dense::plan::<UPD>(rows, &r, period, dmin, dmax, offset) {
                Some(dense) => {
                    let (mut table, stop) = dense.run::<UPD>(&cols.tail(start), &r, period);
                    table.flush_into(&mut staged, &r, weighted)?;
                    match stop {
                        None => break,
                        Some(i) => (start, probe_end) = (start + i, rows),
                    }
                }
                // The sparse plan must not see rows the calendar check has not.
                None if probe_end < rows => probe_end = rows,
                None => {
                    let mut table = sparse::<UPD>(&cols.tail(start), &r, period, day_of);
                    table.flush_into(&mut staged, &r, weighted)?;
                    break;
                }
            }
        }
        self.check_absorb(&staged)?;
        for (key, counts) in staged {
            match self.cells.get_mut(&key) {
                Some(mine) => mine.merge(&counts)?,
                None => {
                    self.cells.insert(key, counts);
                }
            }
        }
        Ok(())
    }

    /// Checks serialized state and builds the accumulator under `limits`.
    fn from_raw(raw: RawGroupedScores, limits: GroupLimits) -> Result<Self> {
        check_version("grouped scores", raw.v)?;
        limits.check(raw.cells.len())?;
        let mut g = GroupedScores::new(raw.metric, raw.period)
            .and_then(|g| g.with_utc_offset(raw.utc_offset_seconds))
            .map_err(|e| invalid(format!("grouped scores: {e}")))?
            .with_time_unit(raw.unit)
            .with_limits(limits);
        let scale = raw.metric.scale();
        for cell in raw.cells {
            let day = i64::from(cell.period_start.to_epoch_days());
            let what = format!("cell (`{}`, `{}`)", cell.segment, cell.period_start);
            if raw.period.start_day(raw.period.key(day)) != day {
                return Err(invalid(format!(
                    "grouped scores: {what} does not start a {}",
                    raw.period
                )));
            }
            if (cell.counts.min(), cell.counts.max()) != scale {
                return Err(invalid(format!(
                    "grouped scores: {what} has scale `{}..={}` but {} needs `{}..={}`",
                    cell.counts.min(),
                    cell.counts.max(),
                    raw.metric.label(),
                    scale.0,
                    scale.1
                )));
            }
            if cell.counts.n() == 0 {
                return Err(invalid(format!("grouped scores: {what} is empty")));
            }
            if g.cells.insert((cell.segment, day), cell.counts).is_some() {
                return Err(invalid(format!("grouped scores: {what} appears twice")));
            }
        }
        Ok(g)
    }
}

fn check_offset(seconds: i32) -> Result<()> {
    if (-MAX_OFFSET..=MAX_OFFSET).contains(&seconds) {
        Ok(())
    } else {
        Err(Error::out_of_range(
            "UTC offset",
            seconds,
            format!("-{MAX_OFFSET}..={MAX_OFFSET} seconds"),
        ))
    }
}

/// The serialized form: cells as a list, checked before it becomes a [`GroupedScores`].
#[derive(Serialize, Deserialize)]
struct RawGroupedScores {
    #[serde(default = "first_version")]
    v: u32,
    metric: ScoreMetric,
    period: Period,
    #[serde(default)]
    unit: TimeUnit,
    utc_offset_seconds: i32,
    cells: Vec<RawCell>,
}

#[derive(Serialize, Deserialize)]
struct RawCell {
    segment: u32,
    period_start: NaiveDate,
    counts: ScaleCounts,
}

impl From<GroupedScores> for RawGroupedScores {
    fn from(g: GroupedScores) -> Self {
        let cells = g
            .cells
            .into_iter()
            .filter_map(|((segment, day), counts)| {
                Some(RawCell {
                    segment,
                    period_start: date_of_day(day)?,
                    counts,
                })
            })
            .collect();
        RawGroupedScores {
            v: STATE_VERSION,
            metric: g.metric,
            period: g.period,
            unit: g.unit,
            utc_offset_seconds: g.utc_offset_seconds,
            cells,
        }
    }
}

impl TryFrom<RawGroupedScores> for GroupedScores {
    type Error = Error;

    /// Under the default [`GroupLimits`]; serde cannot carry [`Error::LimitExceeded`], so a
    /// state over them is [`Error::InvalidState`] here (see
    /// [`GroupedScores::from_json_with`]).
    fn try_from(raw: RawGroupedScores) -> Result<Self> {
        GroupedScores::from_raw(raw, GroupLimits::default()).map_err(|e| match e {
            Error::LimitExceeded { .. } => invalid(format!(
                "grouped scores: {e}; read it with a higher limit (from_json_with)"
            )),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    #[test]
    fn calendar_maths_matches_chrono_over_many_years() {
        for day in (-800_000..800_000).step_by(7).chain(-1_000..1_000) {
            let date = NaiveDate::from_epoch_days(day as i32).unwrap();
            let (y, m) = year_month_of_day(day);
            assert_eq!(
                (y, m),
                (i64::from(date.year()), i64::from(date.month())),
                "{date}"
            );
            assert_eq!(days_from_civil(y, m), day - i64::from(date.day0()));
        }
    }

    /// Dense and sparse plans give the same table on the same rows.
    #[test]
    fn dense_and_sparse_agree() {
        let n = 5_000;
        let mut x: u64 = 42;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x >> 33
        };
        let scores: Vec<u8> = (0..n).map(|_| (next() % 11) as u8).collect();
        let segments: Vec<u32> = (0..n).map(|_| (next() % 5) as u32).collect();
        let times: Vec<i64> = (0..n)
            .map(|_| next() as i64 % 20_000_000 - 10_000_000)
            .collect();
        let weights: Vec<f64> = (0..n).map(|_| (next() % 100) as f64 / 10.0).collect();
        for period in Period::ALL {
            for w in [None, Some(weights.as_slice())] {
                let cols = Columns {
                    scores: &scores,
                    segments: &segments,
                    times: &times,
                    weights: w,
                };
                let r = Ranges {
                    tmin: *times.iter().min().unwrap(),
                    tmax: *times.iter().max().unwrap(),
                    gmin: 0,
                    gmax: 4,
                    lo: 0,
                    levels: 11,
                };
                let offset = -7 * 3_600;
                let day_of = |t: i64| {
                    t.div_euclid(86_400) + (t.rem_euclid(86_400) + offset).div_euclid(86_400)
                };
                let (dmin, dmax) = (day_of(r.tmin), day_of(r.tmax));
                let dense = Dense::plan::<86_400>(n, &r, period, dmin, dmax, offset).unwrap();
                let mut a = BTreeMap::new();
                let (mut table, stop) = dense.run::<86_400>(&cols, &r, period);
                assert_eq!(stop, None);
                table.flush_into(&mut a, &r, w.is_some()).unwrap();
                let mut b = BTreeMap::new();
                sparse::<86_400>(&cols, &r, period, day_of)
                    .flush_into(&mut b, &r, w.is_some())
                    .unwrap();
                assert_eq!(a, b, "{period}");
                assert_eq!(a.values().map(ScaleCounts::n).sum::<u64>(), n as u64);
            }
        }
    }
}
