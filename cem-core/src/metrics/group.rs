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

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence, check_weight};
use crate::metrics::ces::{Ces, CesScale};
use crate::metrics::csat::{Csat, NetSatisfaction};
use crate::metrics::estimate::{Estimate, Method};
use crate::metrics::nps::Nps;
use crate::metrics::scale::{ScaleCounts, at_position};

/// A calendar period to group timestamps by.
///
/// ```
/// use cem_core::metrics::Period;
/// assert_eq!(Period::parse("month")?, Period::Month);
/// assert_eq!(Period::parse("Weekly")?, Period::Week);
/// assert_eq!(Period::Quarter.name(), "quarter");
/// assert!(Period::parse("fortnight").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// A calendar day.
    Day,
    /// An ISO week, Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// A calendar quarter (January, April, July, October).
    Quarter,
}

impl Period {
    /// Every period, shortest first.
    pub const ALL: [Period; 4] = [Period::Day, Period::Week, Period::Month, Period::Quarter];

    /// The snake_case name (`"month"`), as serde writes it.
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::Period::Day.name(), "day");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }

    /// Parses a period name (`day`, `week`, `month`, `quarter`), ignoring case; the adjectives
    /// `daily`, `weekly`, `monthly` and `quarterly` are accepted too.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the unknown period and the known ones.
    ///
    /// ```
    /// use cem_core::metrics::Period;
    /// assert_eq!(Period::parse(" QUARTERLY ")?, Period::Quarter);
    /// let err = Period::parse("year").unwrap_err();
    /// assert_eq!(err.to_string(), "invalid `period`: unknown period `year`; expected one of day, week, month, quarter");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Period> {
        let key = name.trim().to_ascii_lowercase();
        let key = match key.as_str() {
            "daily" => "day",
            "weekly" => "week",
            "monthly" => "month",
            "quarterly" => "quarter",
            other => other,
        };
        Period::ALL
            .into_iter()
            .find(|p| p.name() == key)
            .ok_or_else(|| {
                Error::invalid_argument(
                    "period",
                    format!(
                        "unknown period `{name}`; expected one of {}",
                        Period::ALL.map(Period::name).join(", ")
                    ),
                )
            })
    }

    /// The first day of the period that contains `date`; `None` only when that day is before
    /// the first date chrono represents.
    ///
    /// ```
    /// use cem_core::metrics::Period;
    /// use chrono::NaiveDate;
    /// let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    /// assert_eq!(Period::Week.start_of(d(2024, 1, 7)), Some(d(2024, 1, 1))); // a Sunday
    /// assert_eq!(Period::Quarter.start_of(d(2024, 6, 30)), Some(d(2024, 4, 1)));
    /// ```
    pub fn start_of(self, date: NaiveDate) -> Option<NaiveDate> {
        date_of_day(self.start_day(self.key(i64::from(date.to_epoch_days()))))
    }

    /// The key of the period containing `day` (days since 1970-01-01): consecutive periods
    /// have consecutive keys.
    fn key(self, day: i64) -> i64 {
        match self {
            Period::Day => day,
            Period::Week => (day + 3).div_euclid(7), // 1970-01-01 was a Thursday
            Period::Month => {
                let (y, m) = year_month_of_day(day);
                y * 12 + m - 1
            }
            Period::Quarter => {
                let (y, m) = year_month_of_day(day);
                y * 4 + (m - 1) / 3
            }
        }
    }

    /// The first day (days since 1970-01-01) of the period with `key`.
    fn start_day(self, key: i64) -> i64 {
        match self {
            Period::Day => key,
            Period::Week => key * 7 - 3,
            Period::Month => days_from_civil(key.div_euclid(12), key.rem_euclid(12) + 1),
            Period::Quarter => days_from_civil(key.div_euclid(4), 3 * key.rem_euclid(4) + 1),
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Period {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Period::parse(s)
    }
}

/// The unit of `i64` timestamps counted from 1970-01-01T00:00:00Z (Unix time without leap
/// seconds). Bindings pass pandas `datetime64[ns]` or Arrow timestamps as they are.
///
/// ```
/// use cem_core::metrics::TimeUnit;
/// assert_eq!(TimeUnit::parse("ns")?, TimeUnit::Nanos);
/// assert_eq!(TimeUnit::parse("seconds")?, TimeUnit::Seconds);
/// assert_eq!(TimeUnit::Millis.per_second(), 1_000);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeUnit {
    /// Seconds (the default).
    #[default]
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
}

impl TimeUnit {
    /// Every unit, coarsest first.
    pub const ALL: [TimeUnit; 4] = [
        TimeUnit::Seconds,
        TimeUnit::Millis,
        TimeUnit::Micros,
        TimeUnit::Nanos,
    ];

    /// The short name Arrow and numpy use: `s`, `ms`, `us`, `ns`.
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::TimeUnit::Micros.name(), "us");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            TimeUnit::Seconds => "s",
            TimeUnit::Millis => "ms",
            TimeUnit::Micros => "us",
            TimeUnit::Nanos => "ns",
        }
    }

    /// How many of this unit make a second.
    pub fn per_second(self) -> i64 {
        match self {
            TimeUnit::Seconds => 1,
            TimeUnit::Millis => 1_000,
            TimeUnit::Micros => 1_000_000,
            TimeUnit::Nanos => 1_000_000_000,
        }
    }

    /// Parses `s`/`ms`/`us`/`ns` or the long names (`seconds`, `millis`, `milliseconds`, ...),
    /// ignoring case.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the unknown unit.
    ///
    /// ```
    /// assert!(cem_core::metrics::TimeUnit::parse("fortnights").is_err());
    /// ```
    pub fn parse(name: &str) -> Result<TimeUnit> {
        match name.trim().to_ascii_lowercase().as_str() {
            "s" | "sec" | "second" | "seconds" => Ok(TimeUnit::Seconds),
            "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => Ok(TimeUnit::Millis),
            "us" | "µs" | "micro" | "micros" | "microsecond" | "microseconds" => {
                Ok(TimeUnit::Micros)
            }
            "ns" | "nano" | "nanos" | "nanosecond" | "nanoseconds" => Ok(TimeUnit::Nanos),
            _ => Err(Error::invalid_argument(
                "unit",
                format!("unknown time unit `{name}`; expected one of s, ms, us, ns"),
            )),
        }
    }
}

impl std::str::FromStr for TimeUnit {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        TimeUnit::parse(s)
    }
}

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
    fn label(self) -> &'static str {
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
    fn estimate(self, counts: &ScaleCounts, confidence: f64, method: Method) -> Result<Estimate> {
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawGroupedScores", into = "RawGroupedScores")]
pub struct GroupedScores {
    metric: ScoreMetric,
    period: Period,
    unit: TimeUnit,
    utc_offset_seconds: i32,
    /// Keyed by (segment, first day of the period in days since 1970-01-01).
    cells: BTreeMap<(u32, i64), ScaleCounts>,
}

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
            cells: BTreeMap::new(),
        })
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
            TimeUnit::Seconds => self.accumulate::<86_400>(&cols, lo, levels),
            TimeUnit::Millis => self.accumulate::<86_400_000>(&cols, lo, levels),
            TimeUnit::Micros => self.accumulate::<86_400_000_000>(&cols, lo, levels),
            TimeUnit::Nanos => self.accumulate::<86_400_000_000_000>(&cols, lo, levels),
        }
    }

    /// Adds everything another accumulator has seen, cell by cell.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the two differ in metric, period or UTC offset (the time
    /// unit may differ).
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
}

/// Rows whose ranges plan the dense table before the main loop starts.
const PROBE_ROWS: usize = 1 << 16;

/// Input columns, already checked for equal lengths and valid scores and weights.
struct Columns<'a> {
    scores: &'a [u8],
    segments: &'a [u32],
    times: &'a [i64],
    weights: Option<&'a [f64]>,
}

impl Columns<'_> {
    fn tail(&self, start: usize) -> Columns<'_> {
        Columns {
            scores: self.scores.get(start..).unwrap_or_default(),
            segments: self.segments.get(start..).unwrap_or_default(),
            times: self.times.get(start..).unwrap_or_default(),
            weights: self.weights.map(|w| w.get(start..).unwrap_or_default()),
        }
    }

    /// Ranges of timestamps and segment codes of `rows`; `None` when there are none.
    fn ranges(&self, rows: std::ops::Range<usize>, lo: u8, levels: usize) -> Option<Ranges> {
        let (tmin, tmax) = min_max(self.times.get(rows.clone())?)?;
        let (gmin, gmax) = min_max(self.segments.get(rows)?)?;
        Some(Ranges {
            tmin,
            tmax,
            gmin,
            gmax,
            lo,
            levels,
        })
    }
}

/// Ranges of a block of rows.
struct Ranges {
    tmin: i64,
    tmax: i64,
    gmin: u32,
    gmax: u32,
    /// Lowest scale level.
    lo: u8,
    /// Number of scale levels.
    levels: usize,
}

/// Per-cell counts of a batch: `cells[k]` owns `levels` consecutive slots from `k * levels`.
struct Table {
    /// (segment, period start day) of each cell.
    cells: Vec<(u32, i64)>,
    count: Vec<u64>,
    /// Sums of weights and squared weights; empty without weights.
    weight: Vec<f64>,
    weight_sq: Vec<f64>,
}

impl Table {
    fn flush_into(
        &mut self,
        out: &mut BTreeMap<(u32, i64), ScaleCounts>,
        r: &Ranges,
        weighted: bool,
    ) -> Result<()> {
        let hi =
            r.lo.saturating_add(u8::try_from(r.levels - 1).unwrap_or(u8::MAX));
        for (k, key) in self.cells.iter().enumerate() {
            let base = k * r.levels;
            let Some(count) = self.count.get(base..base + r.levels) else {
                continue;
            };
            if count.iter().all(|&c| c == 0) {
                continue;
            }
            let cell = out
                .entry(*key)
                .or_insert_with(|| ScaleCounts::fixed(r.lo, hi));
            for (i, &c) in count.iter().enumerate().filter(|(_, c)| **c > 0) {
                let (w, w2) = if weighted {
                    let w = self.weight.get(base + i).copied().unwrap_or(0.0);
                    (w, self.weight_sq.get(base + i).copied().unwrap_or(0.0))
                } else {
                    (c as f64, c as f64)
                };
                cell.add(i, c, w, w2);
            }
        }
        Ok(())
    }
}

/// The dense plan: a table over every (segment code, period) in the batch's ranges, and a
/// lookup table from day to period index.
struct Dense {
    /// Timestamp (in units, modulo 2^64) of the start of the first local day.
    anchor: i64,
    /// The timestamps the table covers, `tlo..=thi`.
    tlo: i64,
    thi: i64,
    /// Period index (from the first period) of each day from the first.
    day_period: Vec<u32>,
    kmin: i64,
    periods: usize,
    segments: usize,
}

/// Cells × levels a dense table may hold regardless of the batch size.
const DENSE_MIN_SLOTS: usize = 1 << 16;

impl Dense {
    /// `Some` when the dense table and the day lookup stay small next to the input (at most
    /// one slot per 4 rows, one lookup entry per row) or small absolutely.
    fn plan<const UPD: i64>(
        rows: usize,
        r: &Ranges,
        period: Period,
        dmin: i64,
        dmax: i64,
        offset: i64,
    ) -> Option<Dense> {
        let days = usize::try_from(dmax.checked_sub(dmin)?.checked_add(1)?).ok()?;
        let (kmin, kmax) = (period.key(dmin), period.key(dmax));
        let periods = usize::try_from(kmax - kmin + 1).ok()?;
        let segments = usize::try_from(r.gmax - r.gmin).ok()?.checked_add(1)?;
        let slots = segments.checked_mul(periods)?.checked_mul(r.levels)?;
        if days > DENSE_MIN_SLOTS.max(rows) || slots > DENSE_MIN_SLOTS.max(rows / 4) {
            return None;
        }
        // Every t satisfies anchor <= t < anchor + days * UPD; the width must fit a u64 for
        // the wrapping subtraction in the loop to be exact.
        let anchor = i128::from(dmin) * i128::from(UPD) - i128::from(offset);
        let width = i128::try_from(days).ok()? * i128::from(UPD);
        if width > i128::from(u64::MAX) {
            return None;
        }
        let day_period = (dmin..=dmax)
            .map(|d| u32::try_from(period.key(d) - kmin).unwrap_or(u32::MAX))
            .collect();
        let clamp = |t: i128| i64::try_from(t).unwrap_or(if t < 0 { i64::MIN } else { i64::MAX });
        Some(Dense {
            tlo: clamp(anchor),
            thi: clamp(anchor + width - 1),
            anchor: anchor as i64, // modulo 2^64, on purpose
            day_period,
            kmin,
            periods,
            segments,
        })
    }

    /// Counts the rows until the first one outside the plan's ranges; returns the table and
    /// that row's position, if any.
    fn run<const UPD: i64>(
        self,
        cols: &Columns<'_>,
        r: &Ranges,
        period: Period,
    ) -> (Table, Option<usize>) {
        let cells = self.segments * self.periods;
        let slots = cells * r.levels;
        let mut count = vec![0u64; slots];
        let (lo, levels, gmin, periods) = (r.lo, r.levels, r.gmin, self.periods);
        let (tlo, thi, segments) = (self.tlo, self.thi, self.segments);
        let udp = UPD as u64;
        let slot = |s: u8, g: u32, t: i64| -> Option<usize> {
            let g = g.wrapping_sub(gmin) as usize;
            if t < tlo || t > thi || g >= segments {
                return None;
            }
            let day = (t.wrapping_sub(self.anchor) as u64 / udp) as usize;
            let p = self.day_period.get(day).copied().unwrap_or(0) as usize;
            Some((g * periods + p) * levels + usize::from(s - lo))
        };
        let rows = cols.scores.iter().zip(cols.segments).zip(cols.times);
        let (mut weight, mut weight_sq) = (Vec::new(), Vec::new());
        let mut stop = None;
        match cols.weights {
            None => {
                for (pos, ((&s, &g), &t)) in rows.enumerate() {
                    let Some(i) = slot(s, g, t) else {
                        stop = Some(pos);
                        break;
                    };
                    if let Some(c) = count.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            Some(ws) => {
                weight = vec![0.0; slots];
                weight_sq = vec![0.0; slots];
                for (pos, (((&s, &g), &t), &w)) in rows.zip(ws).enumerate() {
                    let Some(i) = slot(s, g, t) else {
                        stop = Some(pos);
                        break;
                    };
                    if let (Some(c), Some(sw), Some(sw2)) =
                        (count.get_mut(i), weight.get_mut(i), weight_sq.get_mut(i))
                    {
                        *c += 1;
                        *sw += w;
                        *sw2 += w * w;
                    }
                }
            }
        }
        let keys = (0..cells)
            .map(|k| {
                let g = gmin.saturating_add(u32::try_from(k / periods).unwrap_or(u32::MAX));
                (g, period.start_day(self.kmin + (k % periods) as i64))
            })
            .collect();
        let table = Table {
            cells: keys,
            count,
            weight,
            weight_sq,
        };
        (table, stop)
    }
}

/// The general plan: cells found through a hash map as they come.
fn sparse<const UPD: i64>(
    cols: &Columns<'_>,
    r: &Ranges,
    period: Period,
    day_of: impl Fn(i64) -> i64,
) -> Table {
    let levels = r.levels;
    let weighted = cols.weights.is_some();
    let mut index: HashMap<(u32, i64), usize> = HashMap::new();
    let mut table = Table {
        cells: Vec::new(),
        count: Vec::new(),
        weight: Vec::new(),
        weight_sq: Vec::new(),
    };
    let mut last: Option<((u32, i64), usize)> = None;
    for (i, ((&s, &g), &t)) in cols
        .scores
        .iter()
        .zip(cols.segments)
        .zip(cols.times)
        .enumerate()
    {
        let key = (g, period.key(day_of(t)));
        let base = match last {
            Some((k, b)) if k == key => b,
            _ => {
                let b = *index.entry(key).or_insert_with(|| {
                    let b = table.count.len();
                    table.cells.push((g, period.start_day(key.1)));
                    table.count.resize(b + levels, 0);
                    if weighted {
                        table.weight.resize(b + levels, 0.0);
                        table.weight_sq.resize(b + levels, 0.0);
                    }
                    b
                });
                last = Some((key, b));
                b
            }
        };
        let j = base + usize::from(s - r.lo);
        if let Some(c) = table.count.get_mut(j) {
            *c += 1;
        }
        if let (Some(w), Some(sw), Some(sw2)) = (
            cols.weights.and_then(|ws| ws.get(i)),
            table.weight.get_mut(j),
            table.weight_sq.get_mut(j),
        ) {
            *sw += w;
            *sw2 += w * w;
        }
    }
    table
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

/// Smallest and largest value; `None` when empty. A plain fold that the compiler can
/// vectorize (this pass reads every column once before the main one).
fn min_max<T: Copy + Ord>(values: &[T]) -> Option<(T, T)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    )
}

/// Days since 1970-01-01 of the first and last dates chrono represents.
fn first_day() -> i64 {
    i64::from(NaiveDate::MIN.to_epoch_days())
}

fn last_day() -> i64 {
    i64::from(NaiveDate::MAX.to_epoch_days())
}

fn date_of_day(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_epoch_days(i32::try_from(day).ok()?)
}

/// Year and month (1–12) of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, proleptic Gregorian).
fn year_month_of_day(day: i64) -> (i64, i64) {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097; // [0, 146096]
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March first
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month)
}

/// Days from 1970-01-01 to the first of `month` in `year` (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5; // day 1 of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era * 146_097 + doe - 719_468
}

/// The serialized form: cells as a list, checked before it becomes a [`GroupedScores`].
#[derive(Serialize, Deserialize)]
struct RawGroupedScores {
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

    fn try_from(raw: RawGroupedScores) -> Result<Self> {
        let mut g = GroupedScores::new(raw.metric, raw.period)?
            .with_time_unit(raw.unit)
            .with_utc_offset(raw.utc_offset_seconds)?;
        let scale = raw.metric.scale();
        for cell in raw.cells {
            let day = i64::from(cell.period_start.to_epoch_days());
            let what = format!("cell (`{}`, `{}`)", cell.segment, cell.period_start);
            if raw.period.start_day(raw.period.key(day)) != day {
                return Err(Error::invalid_argument(
                    "cells",
                    format!("{what} does not start a {}", raw.period),
                ));
            }
            if (cell.counts.min(), cell.counts.max()) != scale {
                return Err(Error::Incompatible(format!(
                    "{what} has scale `{}..={}` but {} needs `{}..={}`",
                    cell.counts.min(),
                    cell.counts.max(),
                    raw.metric.label(),
                    scale.0,
                    scale.1
                )));
            }
            if cell.counts.n() == 0 {
                return Err(Error::invalid_argument("cells", format!("{what} is empty")));
            }
            if g.cells.insert((cell.segment, day), cell.counts).is_some() {
                return Err(Error::invalid_argument(
                    "cells",
                    format!("{what} appears twice"),
                ));
            }
        }
        Ok(g)
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
