//! Calendar arithmetic for the group-by: periods, time units and day numbers, without
//! per-row chrono calls.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A calendar period to group timestamps by — and to count purchases in: this is also
/// [`cem_core::loyalty::Period`](crate::loyalty::Period) (lifetimes' `freq` `"D"`, `"W"`,
/// `"M"`), one type for the group-by and the loyalty summaries.
///
/// A timestamp (seconds since 1970-01-01 UTC) falls in the period that starts at the UTC
/// midnight of its day (`Day`), of the Monday of its week (`Week`: Monday 00:00 to Sunday
/// 24:00, pandas' `W` = `W-SUN`, weeks *ending* on Sunday), of the first of its month
/// (`Month`) or of its quarter (`Quarter`), as lifetimes does with pandas'
/// `to_period(freq).to_timestamp()`. Durations between two periods are whole numbers of
/// periods ([`index`](Period::index)).
///
/// ```
/// use cem_core::metrics::Period;
/// assert_eq!(Period::parse("month")?, Period::Month);
/// assert_eq!(Period::parse("Weekly")?, Period::Week);
/// assert_eq!(Period::Quarter.name(), "quarter");
/// assert!(Period::parse("fortnight").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Period {
    /// A calendar day (UTC), the default.
    #[default]
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

    /// The index of the period holding `time` (seconds since the epoch): consecutive periods
    /// have consecutive indexes, and the period holding 1970-01-01 has index 0.
    ///
    /// ```
    /// use cem_core::metrics::Period;
    /// assert_eq!(Period::Day.index(-1), -1);
    /// assert_eq!(Period::Month.index(31 * 86_400), 1); // 1970-02-01
    /// assert_eq!(Period::Quarter.index(90 * 86_400), 1); // 1970-04-01
    /// // 2020-01-01 was a Wednesday; its week started on Monday 2019-12-30.
    /// let t = 1_577_880_000; // 2020-01-01 12:00 UTC
    /// assert_eq!(Period::Week.start(Period::Week.index(t)), 1_577_664_000); // 2019-12-30 00:00
    /// assert_eq!(Period::Month.index(t) - Period::Month.index(t - 86_400), 1); // Dec → Jan
    /// ```
    pub fn index(self, time: i64) -> i64 {
        let day = time.div_euclid(DAY);
        match self {
            Period::Day | Period::Week => self.key(day),
            Period::Month => self.key(day) - 1970 * 12,
            Period::Quarter => self.key(day) - 1970 * 4,
        }
    }

    /// The start (seconds since the epoch, UTC) of the period with index `index` (as
    /// [`index`](Period::index) counts them); saturates at the ends of `i64`.
    ///
    /// ```
    /// use cem_core::metrics::Period;
    /// assert_eq!(Period::Month.start(1), 31 * 86_400);
    /// assert_eq!(Period::Day.start(Period::Day.index(90_000)), 86_400);
    /// assert_eq!(Period::Quarter.start(-1), -92 * 86_400); // 1969-10-01
    /// ```
    pub fn start(self, index: i64) -> i64 {
        let key = match self {
            Period::Day | Period::Week => index,
            Period::Month => index.saturating_add(1970 * 12),
            Period::Quarter => index.saturating_add(1970 * 4),
        };
        self.start_day(key).saturating_mul(DAY)
    }

    /// The key of the period containing `day` (days since 1970-01-01): consecutive periods
    /// have consecutive keys.
    pub(super) fn key(self, day: i64) -> i64 {
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
    pub(super) fn start_day(self, key: i64) -> i64 {
        match self {
            Period::Day => key,
            Period::Week => key.saturating_mul(7).saturating_sub(3),
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

/// Days since 1970-01-01 of the first and last dates chrono represents.
pub(super) fn first_day() -> i64 {
    i64::from(NaiveDate::MIN.to_epoch_days())
}

pub(super) fn last_day() -> i64 {
    i64::from(NaiveDate::MAX.to_epoch_days())
}

pub(super) fn date_of_day(day: i64) -> Option<NaiveDate> {
    NaiveDate::from_epoch_days(i32::try_from(day).ok()?)
}

/// Year and month (1–12) of a day counted from 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, proleptic Gregorian).
pub(super) fn year_month_of_day(day: i64) -> (i64, i64) {
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
pub(super) fn days_from_civil(year: i64, month: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400; // [0, 399]
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5; // day 1 of the month
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy; // [0, 146096]
    era.saturating_mul(146_097).saturating_add(doe - 719_468)
}
