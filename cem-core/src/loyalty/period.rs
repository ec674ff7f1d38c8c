//! The period purchases are counted in: the calendar [`Period`] of the group-by
//! ([`crate::metrics::Period`]), re-exported — one type for both (lifetimes' `freq` `"D"`,
//! `"W"`, `"M"`, and quarters) — and date labels for the pictures.

pub use crate::metrics::Period;

const DAY: i64 = 86_400;

/// (year, month 1..=12, day 1..=31) of a day count since 1970-01-01 (proleptic Gregorian;
/// H. Hinnant's algorithm, exact for every `i64` day a timestamp in seconds can give).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
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

/// `YYYY-MM-DD` of a timestamp in seconds, for labels.
pub(crate) fn date_label(time: i64) -> String {
    let (y, m, d) = civil_from_days(time.div_euclid(DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Seconds at 00:00 UTC of a date.
    fn at(y: i32, m: u32, d: u32) -> i64 {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc().timestamp())
            .unwrap_or_default()
    }

    #[test]
    fn known_dates() {
        assert_eq!(civil_from_days(18_262), (2020, 1, 1));
        assert_eq!(date_label(951_782_400), "2000-02-29");
        assert_eq!(date_label(at(1969, 12, 31) + 86_399), "1969-12-31");
    }

    #[test]
    fn weeks_start_on_monday() {
        // 1998-06-29 was a Monday, 1998-07-05 a Sunday.
        let monday = at(1998, 6, 29);
        let sunday_night = at(1998, 7, 5) + DAY - 1;
        assert_eq!(Period::Week.index(monday), Period::Week.index(sunday_night));
        assert_eq!(
            Period::Week.index(monday - 1) + 1,
            Period::Week.index(monday)
        );
        assert_eq!(Period::Week.start(Period::Week.index(sunday_night)), monday);
    }

    #[test]
    fn months_quarters_and_extremes() {
        let t = at(2024, 2, 29) + 5;
        assert_eq!(Period::Month.start(Period::Month.index(t)), at(2024, 2, 1));
        assert_eq!(
            Period::Quarter.start(Period::Quarter.index(t)),
            at(2024, 1, 1)
        );
        assert_eq!(
            Period::Quarter.index(at(2024, 4, 1)) - Period::Quarter.index(t),
            1
        );
        for p in Period::ALL {
            assert_eq!(p.index(0), 0, "{p}");
            assert_eq!(p.index(p.start(0)), 0, "{p}"); // Week 0 starts on Monday 1969-12-29
            assert!(p.start(0) <= 0 && p.start(1) > 0, "{p}");
            let _ = p.index(i64::MIN);
            let _ = p.index(i64::MAX);
            let _ = p.start(i64::MAX);
            let _ = p.start(i64::MIN);
        }
    }
}
