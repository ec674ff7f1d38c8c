//! Pain points: feedback joined to the touchpoints before it, and touchpoints ranked by the
//! harm they do to the score that follows them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journey::EventLog;
use crate::metrics::{Comparison, Estimate, ScaleCounts, ScoreMetric};
use crate::model::{Answer, Feedback};

/// One feedback response placed in its customer's journey.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JoinedFeedback {
    /// Position of the response in the input.
    pub index: usize,
    /// The score given.
    pub score: u8,
    /// The customer's code in the log; `None` when the customer has no events.
    pub customer: Option<u32>,
    /// The last touchpoint at or before the response's time, if any.
    pub last: Option<u32>,
    /// The channel of that last event, when the log has a channel column
    /// ([`EventLog::with_channels`]).
    #[serde(default)]
    pub last_channel: Option<u32>,
    /// The distinct touchpoints within the window before the response (only the last one
    /// without a window), in first-touched order.
    pub within: Vec<u32>,
}

/// Feedback responses joined to the journey before them ([`EventLog::with_feedback`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackJoin {
    /// One row per response, in input order.
    pub rows: Vec<JoinedFeedback>,
    /// The window used, in the log's time unit.
    pub window: Option<i64>,
}

/// How much one touchpoint hurts the score that follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PainPoint {
    /// The touchpoint code.
    pub touchpoint: u32,
    /// The score of responses whose last touchpoint is this one.
    pub after: Estimate,
    /// The score of all other responses that follow some touchpoint.
    pub rest: Estimate,
    /// `after` − `rest`, with its interval and test (the metric's own comparison where it
    /// has one — NPS, CSAT — otherwise a z test on the two standard errors).
    pub difference: Comparison,
    /// Share of the touchpoint's occurrences that end the customer's journey.
    pub drop_off: f64,
    /// Distinct customers who touched it.
    pub customers: u64,
    /// How much the overall score would rise if these responses scored like the rest:
    /// (`rest` − `after`) × responses after it / all responses with a touchpoint before them.
    /// Negative for touchpoints that do better than the rest.
    pub impact: f64,
}

impl EventLog {
    /// Joins score responses to the journey before them: `customers[i]` (a customer label of
    /// this log), `times[i]` (same unit as the log) and `scores[i]`. A response's last
    /// touchpoint is the customer's last event at or before its time; with a `window`, all
    /// touchpoints in `[time − window, time]` are listed too.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for columns of different lengths, [`Error::InvalidArgument`]
    /// for a negative window.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "web", 0), ("a", "call", 100), ("a", "store", 900)])?;
    /// let join = log.with_feedback(&["a", "zed"], &[150, 150], &[3, 9], Some(200))?;
    /// assert_eq!(join.rows[0].last, log.touchpoint_code("call"));
    /// assert_eq!(join.rows[0].within.len(), 2); // web and call
    /// assert_eq!(join.rows[1].customer, None);  // no events for "zed"
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_feedback(
        &self,
        customers: &[&str],
        times: &[i64],
        scores: &[u8],
        window: Option<i64>,
    ) -> Result<FeedbackJoin> {
        for (name, len) in [("times", times.len()), ("scores", scores.len())] {
            if len != customers.len() {
                return Err(Error::length_mismatch(
                    "customers",
                    customers.len(),
                    name,
                    len,
                ));
            }
        }
        if let Some(w) = window.filter(|w| *w < 0) {
            return Err(Error::invalid_argument(
                "window",
                format!("the window `{w}` is negative"),
            ));
        }
        let codes: HashMap<&str, u32> = self
            .customer_labels()
            .iter()
            .enumerate()
            .map(|(i, l)| (l.as_str(), u32::try_from(i).unwrap_or(u32::MAX)))
            .collect();
        let rows = customers
            .iter()
            .zip(times.iter().zip(scores))
            .enumerate()
            .map(|(index, (c, (&t, &score)))| {
                let customer = codes.get(c).copied();
                let (tps, ts) = customer.map(|c| self.events_of(c)).unwrap_or_default();
                let end = ts.partition_point(|&x| x <= t);
                let last = end.checked_sub(1).and_then(|i| tps.get(i).copied());
                let last_channel = customer
                    .and_then(|c| self.channels_of(c))
                    .zip(end.checked_sub(1))
                    .and_then(|(chs, i)| chs.get(i).copied());
                let mut within: Vec<u32> = Vec::new();
                match window {
                    Some(w) => {
                        let begin = ts.partition_point(|&x| x < t.saturating_sub(w));
                        for &tp in tps.get(begin..end).unwrap_or_default() {
                            if !within.contains(&tp) {
                                within.push(tp);
                            }
                        }
                    }
                    None => within.extend(last),
                }
                JoinedFeedback {
                    index,
                    score,
                    customer,
                    last,
                    last_channel,
                    within,
                }
            })
            .collect();
        Ok(FeedbackJoin { rows, window })
    }

    /// [`with_feedback`](Self::with_feedback) for [`Feedback`] rows: the integer answer to
    /// `question` is the score and the response time in seconds since 1970 the time (use it
    /// with a log built by [`EventLog::from_interactions`]). Responses without an answer to
    /// `question` are left out (their `index` still refers to `feedback`).
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for an answer that is not an integer in 0..=255, and those of
    /// [`with_feedback`](Self::with_feedback).
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let company = cem_core::sample::retailer(1, 100)?;
    /// let log = EventLog::from_interactions(&company.interactions)?;
    /// let join = log.with_feedback_rows(&company.feedback, "nps", None)?;
    /// assert!(join.rows.iter().all(|r| r.last.is_some())); // every survey follows a contact
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_feedback_rows(
        &self,
        feedback: &[Feedback],
        question: &str,
        window: Option<i64>,
    ) -> Result<FeedbackJoin> {
        let mut customers = Vec::new();
        let mut times = Vec::new();
        let mut scores = Vec::new();
        let mut index = Vec::new();
        for (i, fb) in feedback.iter().enumerate() {
            let Some(answer) = fb.answers.get(question) else {
                continue;
            };
            let score = match answer {
                Answer::Number(x) if x.fract() == 0.0 && (0.0..=255.0).contains(x) => *x as u8,
                other => {
                    return Err(Error::invalid_number(
                        format!("answer to `{question}` in feedback row {i}"),
                        format!("{other:?}"),
                        "is not an integer score",
                    ));
                }
            };
            customers.push(fb.customer.as_str());
            times.push(fb.time.timestamp());
            scores.push(score);
            index.push(i);
        }
        let mut join = self.with_feedback(&customers, &times, &scores, window)?;
        for (row, i) in join.rows.iter_mut().zip(index) {
            row.index = i;
        }
        Ok(join)
    }
}

impl FeedbackJoin {
    /// Ranks touchpoints by the harm they do to the score that follows them: for every
    /// touchpoint that is the last one before at least `min_responses` responses, the score
    /// after it against the rest, the significance of the gap, its drop-off, its reach and an
    /// impact figure (see [`PainPoint`]); largest impact first.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a score off the metric's scale (naming the response),
    /// [`Error::Empty`] when no response follows a touchpoint, and the errors of the
    /// estimates (for example a bad confidence).
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// use cem_core::metrics::ScoreMetric;
    /// let company = cem_core::sample::retailer(42, 2_000)?;
    /// let log = EventLog::from_interactions(&company.interactions)?;
    /// let join = log.with_feedback_rows(&company.feedback, "nps", None)?;
    /// let pains = join.pain_points(&log, ScoreMetric::Nps, 0.95, 30)?;
    /// let label = |p: &cem_core::journey::PainPoint| log.touchpoint_label(p.touchpoint).unwrap();
    /// // The planted effects: chat after failed payments and long call-centre waits hurt NPS
    /// // most; the store till does best.
    /// let mut top: Vec<&str> = pains[..3].iter().map(label).collect();
    /// top.sort();
    /// assert_eq!(top, ["cc-billing", "cc-delivery", "chat-support"]);
    /// assert!(pains[..3].iter().all(|p| p.difference.significant && p.difference.difference < 0.0));
    /// assert_eq!(label(pains.last().unwrap()), "store-till");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn pain_points(
        &self,
        log: &EventLog,
        metric: ScoreMetric,
        confidence: f64,
        min_responses: u64,
    ) -> Result<Vec<PainPoint>> {
        let (lo, hi) = metric.scale();
        let mut total = ScaleCounts::new(lo, hi)?;
        let mut by: HashMap<u32, ScaleCounts> = HashMap::new();
        for r in &self.rows {
            let Some(last) = r.last else {
                continue;
            };
            let label = format!("{} of response {}", metric.label(), r.index);
            total.push_as(&label, r.score, 1.0)?;
            by.entry(last)
                .or_insert_with(|| ScaleCounts::fixed(lo, hi))
                .push_as(&label, r.score, 1.0)?;
        }
        let n_total = total.n();
        if n_total == 0 {
            return Err(Error::empty(
                "the joined feedback",
                "no response follows a touchpoint",
            ));
        }
        let (occurrences, endings, reach) = touchpoint_stats(log);
        let method = metric.default_method();
        let mut out = Vec::new();
        for (&tp, after_counts) in &by {
            if after_counts.n() < min_responses.max(1) || after_counts.n() == n_total {
                continue;
            }
            let mut rest_counts = ScaleCounts::fixed(lo, hi);
            for (other, counts) in &by {
                if *other != tp {
                    rest_counts.merge(counts)?;
                }
            }
            let after = metric.estimate(after_counts, confidence, method)?;
            let rest = metric.estimate(&rest_counts, confidence, method)?;
            let difference = metric.compare(after_counts, &rest_counts, confidence)?;
            let i = tp as usize;
            let occ = occurrences.get(i).copied().unwrap_or(0);
            out.push(PainPoint {
                touchpoint: tp,
                after,
                rest,
                difference,
                drop_off: if occ > 0 {
                    endings.get(i).copied().unwrap_or(0) as f64 / occ as f64
                } else {
                    0.0
                },
                customers: reach.get(i).copied().unwrap_or(0),
                impact: (rest.value - after.value) * after_counts.n() as f64 / n_total as f64,
            });
        }
        out.sort_by(|a, b| {
            b.impact
                .total_cmp(&a.impact)
                .then(a.touchpoint.cmp(&b.touchpoint))
        });
        Ok(out)
    }
}

/// Per touchpoint: occurrences, occurrences that end a journey, distinct customers.
fn touchpoint_stats(log: &EventLog) -> (Vec<u64>, Vec<u64>, Vec<u64>) {
    let n = log.touchpoint_count();
    let (mut occ, mut end, mut reach) = (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
    let mut last_seen = vec![u32::MAX; n];
    for (c, tps, _) in log.journeys() {
        for &t in tps {
            let i = t as usize;
            if let Some(k) = occ.get_mut(i) {
                *k += 1;
            }
            if let (Some(seen), Some(r)) = (last_seen.get_mut(i), reach.get_mut(i))
                && *seen != c
            {
                *seen = c;
                *r += 1;
            }
        }
        if let Some(k) = tps.last().and_then(|&t| end.get_mut(t as usize)) {
            *k += 1;
        }
    }
    (occ, end, reach)
}
