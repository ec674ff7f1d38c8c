//! Who answers: [`response_rates`] with Wilson intervals and time to respond, and
//! [`dropoff`] — partial completes and where respondents stop.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence};
use crate::journey::percentile;
use crate::metrics::{Estimate, Proportion};
use crate::model::Answer;
use crate::survey::Survey;
use crate::survey::validate::is_given;

/// The response rate of one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseRate {
    /// The group code given.
    pub group: u32,
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

/// Response rates per group: `groups[i]` is the group code of invitation `i` (combine
/// survey, trigger, channel, segment and period into one code as you like), `invited_at[i]`
/// its time and `responded_at[i]` the time of the response, if any. One row per group that
/// has invitations, by code; the rate is a [`Proportion`] with the Wilson interval at
/// `confidence`.
///
/// # Errors
/// [`Error::LengthMismatch`]; [`Error::InvalidArgument`] for a response before its
/// invitation (naming the row); [`Error::OutOfRange`] for a bad confidence.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::response_rates;
///
/// let rows = response_rates(&[0, 0, 0, 0, 1], &[0, 0, 0, 0, 0], &[Some(60), Some(120), Some(600), None, None], 0.95)?;
/// assert_eq!((rows[0].invited, rows[0].responded), (4, 3));
/// // statsmodels: proportion_confint(3, 4, method="wilson") = (0.300641842582, 0.954412739190)
/// assert!((rows[0].rate.low - 0.300641842582).abs() < 1e-9);
/// assert_eq!(rows[0].time_to_respond.map(|t| t.median), Some(120.0));
/// assert!(rows[1].time_to_respond.is_none());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn response_rates(
    groups: &[u32],
    invited_at: &[i64],
    responded_at: &[Option<i64>],
    confidence: f64,
) -> Result<Vec<ResponseRate>> {
    check_confidence(confidence)?;
    for (name, len) in [("invited_at", invited_at.len()), ("responded_at", responded_at.len())] {
        if len != groups.len() {
            return Err(Error::length_mismatch("groups", groups.len(), name, len));
        }
    }
    let mut cells: BTreeMap<u32, (u64, Vec<i64>)> = BTreeMap::new();
    for (row, ((&g, &at), &resp)) in groups.iter().zip(invited_at).zip(responded_at).enumerate() {
        let cell = cells.entry(g).or_default();
        cell.0 += 1;
        if let Some(r) = resp {
            if r < at {
                return Err(Error::invalid_argument(
                    "responded_at",
                    format!("the response at row {row} (`{r}`) is earlier than its invitation (`{at}`)"),
                ));
            }
            cell.1.push(r.saturating_sub(at));
        }
    }
    cells
        .into_iter()
        .map(|(group, (invited, mut delays))| {
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
    let required: BTreeMap<&str, bool> = survey.questions().iter().map(|q| (q.id.as_str(), q.required)).collect();
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
        if let Some(r) = ids.iter().position(|q| *q == id).and_then(|i| rows.get_mut(i)) {
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
