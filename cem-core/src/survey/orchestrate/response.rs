//! Who answers: [`response_rates`] with Wilson intervals and time to respond, and
//! [`dropoff`] — partial completes and where respondents stop.

use std::collections::BTreeMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use chrono::{DateTime, Datelike, NaiveDate};

use crate::error::{Error, Result, check_confidence};
use crate::hash::FxHashMap;
use crate::journey::percentile;
use crate::metrics::{Estimate, Period, Proportion};
use crate::model::Answer;
use crate::survey::Survey;
use crate::survey::validate::is_given;

/// The response rate of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRate {
    /// The group code given.
    pub group: u32,
    /// Start (seconds since the epoch, UTC) of the invitations' period, from
    /// [`response_rates_by_period`]; none from [`response_rates`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_start: Option<i64>,
    /// Invitations.
    pub invited: u64,
    /// Invitations answered.
    pub responded: u64,
    /// The share answered with its Wilson interval.
    pub rate: Estimate,
    /// Time from invitation to response, over the responses (none without responses).
    pub time_to_respond: Option<TimeToRespond>,
}

/// Time from invitation to response, in seconds; quantiles interpolate linearly (numpy's
/// default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TimeToRespond {
    /// Mean.
    pub mean: f64,
    /// Median.
    pub median: f64,
    /// 90th percentile.
    pub p90: f64,
    /// Longest.
    pub max: f64,
}

/// A calendar period (UTC) to split response rates by, as pandas names them.
///
/// ```
/// use cem_core::survey::orchestrate::RatePeriod;
/// assert_eq!(RatePeriod::parse("M")?, RatePeriod::Month);
/// assert_eq!(RatePeriod::parse("weekly")?, RatePeriod::Week);
/// // 2026-02-18 12:00 UTC is in the quarter that starts on 2026-01-01.
/// assert_eq!(RatePeriod::Quarter.start(1_771_416_000), Some(1_767_225_600));
/// assert!(RatePeriod::parse("fortnight").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatePeriod {
    /// UTC calendar days (`"D"`).
    Day,
    /// ISO weeks, Monday to Sunday (`"W"`, pandas' `W-SUN`).
    Week,
    /// Calendar months (`"M"`).
    Month,
    /// Calendar quarters (`"Q"`).
    Quarter,
    /// Calendar years (`"Y"`).
    Year,
}

impl RatePeriod {
    /// Parses `D`, `W`, `M`, `Q`, `Y` (pandas' period aliases; `A` for years too) or the
    /// names `day`, `week`, `month`, `quarter`, `year` and their adjectives, ignoring case.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the unknown period.
    pub fn parse(name: &str) -> Result<RatePeriod> {
        match name.trim().to_ascii_lowercase().as_str() {
            "d" | "day" | "daily" => Ok(RatePeriod::Day),
            "w" | "w-sun" | "week" | "weekly" => Ok(RatePeriod::Week),
            "m" | "me" | "month" | "monthly" => Ok(RatePeriod::Month),
            "q" | "qe" | "q-dec" | "quarter" | "quarterly" => Ok(RatePeriod::Quarter),
            "y" | "a" | "ye" | "y-dec" | "year" | "yearly" | "annual" => Ok(RatePeriod::Year),
            _ => Err(Error::invalid_argument(
                "period",
                format!(
                    "unknown period `{name}`; expected one of D, W, M, Q, Y (day, week, month, quarter, year)"
                ),
            )),
        }
    }

    /// The start (seconds since the epoch, UTC) of the period holding `time` (seconds since
    /// the epoch); `None` outside the dates chrono represents.
    pub fn start(self, time: i64) -> Option<i64> {
        let date =
            DateTime::from_timestamp(time.div_euclid(86_400).checked_mul(86_400)?, 0)?.date_naive();
        let first = match self {
            RatePeriod::Day => Period::Day.start_of(date),
            RatePeriod::Week => Period::Week.start_of(date),
            RatePeriod::Month => Period::Month.start_of(date),
            RatePeriod::Quarter => Period::Quarter.start_of(date),
            RatePeriod::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1),
        }?;
        Some(first.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
    }
}

/// Response rates per group: `groups[i]` is the group code of invitation `i` (combine
/// survey, trigger, channel and segment into one code as you like), `invited_at[i]` its time
/// and `responded_at[i]` the time of the response, if any. One row per group that has
/// invitations, by code; the rate is a [`Proportion`] with the Wilson interval at
/// `confidence`. [`response_rates_by_period`] also splits by the period of the invitation.
/// `columns` names `invited_at` and `responded_at` in errors (the caller's column names, or
/// [`RATE_COLUMNS`]).
///
/// # Errors
/// [`Error::LengthMismatch`]; [`Error::InvalidArgument`] for a response before its
/// invitation (naming the row and `columns[1]`); [`Error::OutOfRange`] for a bad confidence.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::{RATE_COLUMNS, response_rates};
///
/// let rows = response_rates(&[0, 0, 0, 0, 1], &[0, 0, 0, 0, 0], &[Some(60), Some(120), Some(600), None, None], 0.95, RATE_COLUMNS)?;
/// assert_eq!((rows[0].invited, rows[0].responded), (4, 3));
/// // statsmodels: proportion_confint(3, 4, method="wilson") = (0.300641842582, 0.954412739190)
/// assert!((rows[0].rate.low - 0.300641842582).abs() < 1e-9);
/// assert_eq!(rows[0].time_to_respond.map(|t| t.median), Some(120.0));
/// assert!(rows[1].time_to_respond.is_none());
/// // Errors name the caller's columns.
/// let err = response_rates(&[0], &[60], &[Some(0)], 0.95, ["sent", "answered"]).unwrap_err();
/// assert!(err.to_string().contains("`answered`"), "{err}");
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn response_rates(
    groups: &[u32],
    invited_at: &[i64],
    responded_at: &[Option<i64>],
    confidence: f64,
    columns: [&str; 2],
) -> Result<Vec<ResponseRate>> {
    rates(groups, invited_at, responded_at, None, confidence, columns)
}

/// The names errors of [`response_rates`] and [`response_rates_by_period`] give the two time
/// columns when the caller has no names of its own.
///
/// ```
/// assert_eq!(cem_core::survey::orchestrate::RATE_COLUMNS, ["invited_at", "responded_at"]);
/// ```
pub const RATE_COLUMNS: [&str; 2] = ["invited_at", "responded_at"];

/// [`response_rates`] per group *and* calendar period of the invitation (UTC): one row per
/// (group, period) with invitations, by code and then by time, with
/// [`ResponseRate::period_start`] set. A response counts in the period of its invitation.
///
/// # Errors
/// As [`response_rates`]; [`Error::OutOfRange`] for an invitation time outside the dates
/// chrono represents.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::{RATE_COLUMNS, RatePeriod, response_rates_by_period};
///
/// let jan5 = 1_767_571_200; // 2026-01-05 00:00 UTC
/// let feb3 = 1_770_076_800; // 2026-02-03 00:00 UTC
/// let rows = response_rates_by_period(
///     &[0, 0, 0],
///     &[jan5, jan5 + 3_600, feb3],
///     &[Some(jan5 + 86_400), None, None],
///     RatePeriod::Month,
///     0.95,
///     RATE_COLUMNS,
/// )?;
/// let starts: Vec<_> = rows.iter().map(|r| (r.period_start, r.invited, r.responded)).collect();
/// assert_eq!(starts, [(Some(1_767_225_600), 2, 1), (Some(1_769_904_000), 1, 0)]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn response_rates_by_period(
    groups: &[u32],
    invited_at: &[i64],
    responded_at: &[Option<i64>],
    period: RatePeriod,
    confidence: f64,
    columns: [&str; 2],
) -> Result<Vec<ResponseRate>> {
    rates(
        groups,
        invited_at,
        responded_at,
        Some(period),
        confidence,
        columns,
    )
}

fn rates(
    groups: &[u32],
    invited_at: &[i64],
    responded_at: &[Option<i64>],
    period: Option<RatePeriod>,
    confidence: f64,
    [invited_name, responded_name]: [&str; 2],
) -> Result<Vec<ResponseRate>> {
    check_confidence(confidence)?;
    for (name, len) in [
        (invited_name, invited_at.len()),
        (responded_name, responded_at.len()),
    ] {
        if len != groups.len() {
            return Err(Error::length_mismatch("groups", groups.len(), name, len));
        }
    }
    type Cell = (u64, Vec<i64>);
    let mut cells: FxHashMap<(u32, Option<i64>), Cell> = FxHashMap::default();
    // Period starts by day: computed once per distinct day.
    let mut starts: FxHashMap<i64, i64> = FxHashMap::default();
    for (row, ((&g, &at), &resp)) in groups.iter().zip(invited_at).zip(responded_at).enumerate() {
        let start = match period {
            None => None,
            Some(p) => Some(match starts.entry(at.div_euclid(86_400)) {
                Entry::Occupied(e) => *e.get(),
                Entry::Vacant(e) => *e.insert(p.start(at).ok_or_else(|| {
                    Error::out_of_range(
                        format!("`{invited_name}` at row {row}"),
                        at,
                        "the dates chrono represents",
                    )
                })?),
            }),
        };
        let cell = cells.entry((g, start)).or_default();
        cell.0 += 1;
        if let Some(r) = resp {
            if r < at {
                return Err(Error::invalid_argument(
                    responded_name,
                    format!(
                        "the response at row {row} (`{r}`) is earlier than its invitation (`{at}`)"
                    ),
                ));
            }
            cell.1.push(r.saturating_sub(at));
        }
    }
    let mut cells: Vec<_> = cells.into_iter().collect();
    cells.sort_unstable_by_key(|(key, _)| *key);
    cells
        .into_iter()
        .map(|((group, period_start), (invited, mut delays))| {
            let responded = delays.len() as u64;
            let mut p = Proportion::new();
            p.push_counts(responded, invited)?;
            let time_to_respond = (!delays.is_empty()).then(|| {
                #[allow(clippy::cast_precision_loss)]
                let mean = delays.iter().map(|&d| d as f64).sum::<f64>() / delays.len() as f64;
                #[allow(clippy::cast_precision_loss)]
                let max = delays.iter().copied().max().unwrap_or(0) as f64;
                TimeToRespond {
                    mean,
                    median: percentile(&mut delays, 0.5),
                    p90: percentile(&mut delays, 0.9),
                    max,
                }
            });
            Ok(ResponseRate {
                group,
                period_start,
                invited,
                responded,
                rate: p.estimate(confidence)?,
                time_to_respond,
            })
        })
        .collect()
}

/// Completion and drop-off of a set of responses to one survey (from [`dropoff`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dropoff {
    /// Responses seen.
    pub responses: u64,
    /// Responses with every shown required question answered (and at least one answer).
    pub complete: u64,
    /// Responses with answers but a shown required question unanswered.
    pub partial: u64,
    /// Responses without any answer to a shown question.
    pub empty: u64,
    /// One row per question, in survey order.
    pub questions: Vec<QuestionDropoff>,
}

/// Drop-off at one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionDropoff {
    /// The question id.
    pub question: String,
    /// Responses that were shown the question and got that far (see [`dropoff`]).
    pub reached: u64,
    /// Responses that answered it.
    pub answered: u64,
    /// Partial and empty responses that stopped here.
    pub dropped: u64,
    /// `dropped / reached`; none when nobody reached it.
    pub drop_rate: Option<f64>,
}

/// Partial completes and drop-off by question.
///
/// For each response the display logic gives the questions shown (in order); answered means
/// a given answer (empty text or an empty choice list counts as none). A response is
/// *complete* when it answers something and every shown required question; *partial* when it
/// answers something but misses a shown required question; *empty* otherwise. An incomplete
/// response *stops* at the first shown question after its last answered one (the first shown
/// question for an empty response); it *reached* every shown question up to and including
/// that one, while a complete response reached every shown question.
///
/// # Example
///
/// ```
/// use std::collections::BTreeMap;
/// use cem_core::{model::Answer, survey::{Survey, orchestrate::dropoff}};
///
/// let survey = Survey::from_json(r#"{"id": "pulse", "questions": [
///   {"id": "nps", "kind": "nps", "text": "Recommend us?", "required": true},
///   {"id": "csat", "kind": "csat", "text": "Satisfied?", "required": true},
///   {"id": "comment", "kind": "text", "text": "Anything else?"}]}"#)?;
/// let answer = |pairs: &[(&str, f64)]| -> BTreeMap<String, Answer> {
///     pairs.iter().map(|(q, x)| (q.to_string(), Answer::Number(*x))).collect()
/// };
/// let d = dropoff(&survey, &[answer(&[("nps", 9.0), ("csat", 5.0)]), answer(&[("nps", 9.0)]), answer(&[])]);
/// assert_eq!((d.complete, d.partial, d.empty), (1, 1, 1));
/// let csat = d.questions.iter().find(|q| q.question == "csat").unwrap();
/// assert_eq!((csat.reached, csat.answered, csat.dropped), (2, 1, 1));
/// assert_eq!(d.questions[0].dropped, 1); // the empty response stopped at the first question
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn dropoff(survey: &Survey, responses: &[BTreeMap<String, Answer>]) -> Dropoff {
    let ids: Vec<&str> = survey.questions().iter().map(|q| q.id.as_str()).collect();
    let required: BTreeMap<&str, bool> = survey
        .questions()
        .iter()
        .map(|q| (q.id.as_str(), q.required))
        .collect();
    let mut rows: Vec<QuestionDropoff> = ids
        .iter()
        .map(|id| QuestionDropoff {
            question: (*id).to_owned(),
            reached: 0,
            answered: 0,
            dropped: 0,
            drop_rate: None,
        })
        .collect();
    let (mut complete, mut partial, mut empty) = (0, 0, 0);
    let mut bump = |id: &str, f: &mut dyn FnMut(&mut QuestionDropoff)| {
        if let Some(r) = ids
            .iter()
            .position(|q| *q == id)
            .and_then(|i| rows.get_mut(i))
        {
            f(r);
        }
    };
    for answers in responses {
        let shown = survey.visible_questions(answers);
        let given: Vec<bool> = shown
            .iter()
            .map(|q| answers.get(*q).is_some_and(is_given))
            .collect();
        let last = given.iter().rposition(|&g| g);
        let missing = shown
            .iter()
            .zip(&given)
            .any(|(q, &g)| !g && required.get(q).copied().unwrap_or(false));
        let stop = match (last, missing) {
            (None, _) => {
                empty += 1;
                Some(0)
            }
            (Some(_), false) => {
                complete += 1;
                None
            }
            (Some(l), true) => {
                partial += 1;
                Some((l + 1).min(shown.len().saturating_sub(1)))
            }
        };
        for (pos, (q, &g)) in shown.iter().zip(&given).enumerate() {
            if stop.is_some_and(|s| pos > s) {
                break;
            }
            let dropped = stop == Some(pos);
            bump(q, &mut |r| {
                r.reached += 1;
                r.answered += u64::from(g);
                r.dropped += u64::from(dropped);
            });
        }
    }
    for r in &mut rows {
        #[allow(clippy::cast_precision_loss)]
        {
            r.drop_rate = (r.reached > 0).then(|| r.dropped as f64 / r.reached as f64);
        }
    }
    Dropoff {
        responses: responses.len() as u64,
        complete,
        partial,
        empty,
        questions: rows,
    }
}
