//! [`SurveySummary`]: the per-question estimates of a [`SurveyAggregate`](crate::survey::SurveyAggregate).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::{Estimate, Method, NpsBreakdown, ScaleCounts};
use crate::survey::aggregate::QuestionAggregate;
use crate::survey::tally::QuestionTally;

/// Per-question estimates of a [`SurveyAggregate`](crate::survey::SurveyAggregate), ready to show (serde-serializable).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurveySummary {
    /// The survey's id.
    pub survey: String,
    /// Number of responses.
    pub n: u64,
    /// Their total weight.
    pub weight: f64,
    /// The confidence level of every interval.
    pub confidence: f64,
    /// One entry per question, in survey order.
    pub questions: Vec<QuestionSummary>,
}

/// The estimates for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    /// The question's id.
    pub question: String,
    /// Number of answers.
    pub n: u64,
    /// The kind-specific figures (JSON: next to `question`, tagged by `kind`).
    #[serde(flatten)]
    pub detail: SummaryDetail,
}

/// Kind-specific figures of a [`QuestionSummary`]. An estimate is `None` when there is not
/// enough data for it (no answers; a single answer for a mean's interval).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SummaryDetail {
    /// NPS in points with its breakdown.
    Nps {
        /// NPS with the adjusted Wald interval.
        nps: Option<Estimate>,
        /// Promoter, passive and detractor shares and counts.
        breakdown: Option<NpsBreakdown>,
        /// Answers per score.
        distribution: Vec<LevelCount>,
    },
    /// CSAT top-box share and mean score.
    Csat {
        /// Top-box share with the Wilson interval.
        csat: Option<Estimate>,
        /// Mean score with the Student t interval.
        mean: Option<Estimate>,
        /// Answers per score.
        distribution: Vec<LevelCount>,
    },
    /// CES mean and share of easy answers.
    Ces {
        /// Mean score with the Student t interval.
        mean: Option<Estimate>,
        /// Share of easy (agree) answers with the Wilson interval.
        easy: Option<Estimate>,
        /// Answers per score.
        distribution: Vec<LevelCount>,
    },
    /// Likert mean.
    Likert {
        /// Mean score with the Student t interval.
        mean: Option<Estimate>,
        /// Answers per score.
        distribution: Vec<LevelCount>,
    },
    /// Rating mean.
    Rating {
        /// Mean score with the Student t interval.
        mean: Option<Estimate>,
        /// Answers per score.
        distribution: Vec<LevelCount>,
    },
    /// Counts and shares of each option.
    SingleChoice {
        /// One entry per option, in option order.
        options: Vec<OptionSummary>,
    },
    /// Counts and shares of each option.
    MultiChoice {
        /// One entry per option, in option order.
        options: Vec<OptionSummary>,
    },
    /// Free text: only the number of answers (`n`).
    Text {},
}

/// Answers at one scale point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LevelCount {
    /// The scale point.
    pub score: u8,
    /// Number of answers.
    pub count: u64,
    /// Their total weight.
    pub weight: f64,
}

/// How often one option was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionSummary {
    /// The option's id.
    pub option: String,
    /// Number of respondents who chose it.
    pub count: u64,
    /// Share of the question's respondents who chose it, with the Wilson interval.
    pub share: Option<Estimate>,
}

impl QuestionAggregate {
    /// The question's id.
    pub fn question(&self) -> &str {
        &self.question
    }

    /// The question's accumulator.
    pub fn tally(&self) -> &QuestionTally {
        &self.tally
    }

    /// Number of answers to the question.
    ///
    /// ```
    /// use cem_core::survey::Survey;
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// assert!(survey.aggregate().questions().iter().all(|q| q.n() == 0));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn n(&self) -> u64 {
        match &self.tally {
            QuestionTally::Nps(m) => m.n(),
            QuestionTally::Csat(m) => m.n(),
            QuestionTally::Ces(m) => m.n(),
            QuestionTally::Likert(c) | QuestionTally::Rating(c) => c.n(),
            QuestionTally::SingleChoice(c) | QuestionTally::MultiChoice(c) => c.respondents(),
            QuestionTally::Text { answered, .. } => *answered,
        }
    }

    pub(super) fn summary(&self, confidence: f64) -> Result<QuestionSummary> {
        let distribution = |c: &ScaleCounts| {
            c.levels()
                .map(|(score, count, weight, _)| LevelCount {
                    score,
                    count,
                    weight,
                })
                .collect::<Vec<_>>()
        };
        let detail = match &self.tally {
            QuestionTally::Nps(m) => SummaryDetail::Nps {
                nps: optional(m.estimate(confidence))?,
                breakdown: optional(m.breakdown())?,
                distribution: distribution(m.counts()),
            },
            QuestionTally::Csat(m) => SummaryDetail::Csat {
                csat: optional(m.estimate(confidence))?,
                mean: optional(m.mean(confidence))?,
                distribution: distribution(m.counts()),
            },
            QuestionTally::Ces(m) => SummaryDetail::Ces {
                mean: optional(m.estimate(confidence))?,
                easy: optional(m.agree(confidence))?,
                distribution: distribution(m.counts()),
            },
            QuestionTally::Likert(c) => SummaryDetail::Likert {
                mean: optional(scale_mean(c, confidence))?,
                distribution: distribution(c),
            },
            QuestionTally::Rating(c) => SummaryDetail::Rating {
                mean: optional(scale_mean(c, confidence))?,
                distribution: distribution(c),
            },
            QuestionTally::SingleChoice(c) => SummaryDetail::SingleChoice {
                options: c.summary(confidence)?,
            },
            QuestionTally::MultiChoice(c) => SummaryDetail::MultiChoice {
                options: c.summary(confidence)?,
            },
            QuestionTally::Text { .. } => SummaryDetail::Text {},
        };
        Ok(QuestionSummary {
            question: self.question.clone(),
            n: self.n(),
            detail,
        })
    }
}

/// The weighted mean of a histogram with a Student t interval (as [`Csat::mean`](crate::metrics::Csat::mean)).
pub(super) fn scale_mean(counts: &ScaleCounts, confidence: f64) -> Result<Estimate> {
    crate::metrics::scale_mean(counts, "the answers", confidence, Method::StudentT)
}

/// `Ok(None)` for the "not enough data" errors, the value otherwise.
pub(super) fn optional<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Empty { .. } | Error::Undefined(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Csat;

    #[test]
    fn scale_mean_matches_csat_mean() {
        let mut csat = Csat::new();
        csat.push_many(&[5, 4, 4, 2, 1]).unwrap();
        csat.push_weighted(3, 2.5).unwrap();
        let mine = scale_mean(csat.counts(), 0.9).unwrap();
        assert_eq!(mine, csat.mean(0.9).unwrap());
    }

    #[test]
    fn scale_mean_needs_two_answers_and_a_valid_confidence() {
        let mut c = ScaleCounts::new(1, 5).unwrap();
        assert_eq!(
            scale_mean(&c, 0.95).unwrap_err().kind(),
            crate::ErrorKind::Empty
        );
        c.push(3).unwrap();
        assert_eq!(
            scale_mean(&c, 0.95).unwrap_err().kind(),
            crate::ErrorKind::Undefined
        );
        assert_eq!(
            scale_mean(&c, 1.0).unwrap_err().kind(),
            crate::ErrorKind::OutOfRange
        );
    }

    #[test]
    fn optional_keeps_real_errors() {
        assert_eq!(optional::<u8>(Err(Error::empty("x", "y"))).unwrap(), None);
        assert_eq!(
            optional::<u8>(Err(Error::Undefined("x".into()))).unwrap(),
            None
        );
        assert!(optional::<u8>(Err(Error::out_of_range("confidence", 2, "(0, 1)"))).is_err());
        assert_eq!(optional(Ok(3)).unwrap(), Some(3));
    }
}
