//! Calendar periods (UTC days, ISO weeks starting Monday, calendar months) as integer indexes.

use serde::{Deserialize, Serialize};

const DAY: i64 = 86_400;

/// The period transactions are counted in — lifetimes' `freq` `"D"`, `"W"` and `"M"`.
///
/// A timestamp (seconds since 1970-01-01 UTC) is floored to the start of its period, as
/// lifetimes does with pandas' `to_period(freq).to_timestamp()`:
///
/// - `Day`: the UTC day (midnight to midnight);
/// - `Week`: the week from Monday 00:00 to Sunday 24:00 (pandas' `W` = `W-SUN`, weeks *ending*
///   on Sunday);
/// - `Month`: the calendar month.
///
/// Durations between two periods are whole numbers of periods.
///
/// ```
/// use cem_core::loyalty::Period;
/// // 2020-01-01 was a Wednesday; its week started on Monday 2019-12-30.
/// let t = 1_577_880_000; // 2020-01-01 12:00 UTC
/// assert_eq!(Period::Week.start(Period::Week.index(t)), 1_577_664_000); // 2019-12-30 00:00
/// assert_eq!(Period::Month.index(t) - Period::Month.index(t - 86_400), 1); // Dec → Jan
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// UTC calendar days (lifetimes `freq="D"`).
    #[default]
    Day,
    /// Weeks from Monday to Sunday (lifetimes `freq="W"`).
    Week,
    /// Calendar months (lifetimes `freq="M"`).
    Month,
}

impl Period {
    /// The index of the period holding `time` (seconds since the epoch): consecutive periods
    /// have consecutive indexes, and the period holding 1970-01-01 has index 0.
    ///
    /// ```
    /// use cem_core::loyalty::Period;
    /// assert_eq!(Period::Day.index(-1), -1);
    /// assert_eq!(Period::Month.index(31 * 86_400), 1); // 1970-02-01
    /// ```
    pub fn index(self, time: i64) -> i64 {
        let day = time.div_euclid(DAY);
        match self {
            Period::Day => day,
            // 1970-01-01 was a Thursday: Monday 1969-12-29 is day −3.
            Period::Week => (day + 3).div_euclid(7),
            Period::Month => {
                let (y, m, _) = civil_from_days(day);
                (y - 1970) * 12 + (m - 1)
            }
        }
    }

    /// The start (seconds since the epoch, UTC) of the period with index `index`.
    ///
    /// ```
    /// use cem_core::loyalty::Period;
    /// assert_eq!(Period::Month.start(1), 31 * 86_400);
    /// assert_eq!(Period::Day.start(Period::Day.index(90_000)), 86_400);
    /// ```
    pub fn start(self, index: i64) -> i64 {
        match self {
            Period::Day => index.saturating_mul(DAY),
            Period::Week => index
                .saturating_mul(7)
                .saturating_sub(3)
                .saturating_mul(DAY),
            Period::Month => {
                let y = 1970 + index.div_euclid(12);
                let m = index.rem_euclid(12) + 1;
                days_from_civil(y, m, 1).saturating_mul(DAY)
            }
        }
    }

    /// The short name used in labels: `day`, `week`, `month`.
    ///
    /// ```
    /// assert_eq!(cem_core::loyalty::Period::Week.name(), "week");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
        }
    }
}

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01 (proleptic Gregorian;
/// H. Hinnant's algorithm, exact for every `i64` day a timestamp in seconds can give).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day count since 1970-01-01 of a (year, month, day), the inverse of [`civil_from_days`].
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era.saturating_mul(146_097).saturating_add(doe - 719_468)
}

/// `YYYY-MM-DD` of a timestamp in seconds, for labels.
pub(crate) fn date_label(time: i64) -> String {
    let (y, m, d) = civil_from_days(time.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_known_dates() {
        for day in [-800_000, -719_468, -1, 0, 1, 10_957, 18_262, 2_932_896] {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(civil_from_days(18_262), (2020, 1, 1));
        assert_eq!(date_label(951_782_400), "2000-02-29");
    }

    #[test]
    fn weeks_start_on_monday() {
        // 1998-06-29 was a Monday, 1998-07-05 a Sunday.
        let monday = days_from_civil(1998, 6, 29) * DAY;
        let sunday_night = days_from_civil(1998, 7, 5) * DAY + DAY - 1;
        assert_eq!(Period::Week.index(monday), Period::Week.index(sunday_night));
        assert_eq!(
            Period::Week.index(monday - 1) + 1,
            Period::Week.index(monday)
        );
        assert_eq!(Period::Week.start(Period::Week.index(sunday_night)), monday);
    }

    #[test]
    fn months_and_extremes() {
        let t = days_from_civil(2024, 2, 29) * DAY + 5;
        assert_eq!(
            Period::Month.start(Period::Month.index(t)),
            days_from_civil(2024, 2, 1) * DAY
        );
        for p in [Period::Day, Period::Week, Period::Month] {
            let _ = p.index(i64::MIN);
            let _ = p.index(i64::MAX);
            let _ = p.start(i64::MAX);
            let _ = p.start(i64::MIN);
        }
    }
}
