//! [`SurveyAggregate`]: the survey-level accumulator, and its [`SurveySummary`].

use crate::state::{STATE_VERSION, at_most, check_version, first_version, invalid};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence, check_weight};
use crate::metrics::{Ces, Csat, Estimate, Nps, ScaleCounts};
use crate::model::Answer;
use crate::survey::definition::Survey;
use crate::survey::summary::{SurveySummary, scale_mean};
use crate::survey::tally::{ChoiceCounts, QuestionTally, fresh_tally};

/// Accumulates validated responses to one survey, question by question.
///
/// Per question it keeps the matching [`metrics`](crate::metrics) accumulator: [`Nps`],
/// [`Csat`] and [`Ces`] for those kinds, a [`ScaleCounts`] histogram for Likert and rating
/// questions (their mean, with a Student t interval, comes from [`mean`](Self::mean)),
/// [`ChoiceCounts`] for choice questions and the number of answers for text questions.
/// Unanswered and hidden questions add nothing; `n` counts responses.
///
/// Like every accumulator it merges ([`merge`](Self::merge)) associatively and commutatively,
/// exactly for unweighted data, and travels as JSON (it carries its survey definition, so a
/// deserialized aggregate can keep validating and pushing).
///
/// # Example
///
/// ```
/// use std::collections::BTreeMap;
/// use cem_core::{model::Answer, survey::{Survey, SurveyAggregate}};
///
/// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
/// let response = |nps: f64| BTreeMap::from([("nps".to_owned(), Answer::Number(nps))]);
/// let mut a = SurveyAggregate::new(&survey);
/// a.push(&response(10.0))?;
/// let mut b = survey.aggregate();
/// b.push_weighted(&response(2.0), 1.0)?;
/// assert!(b.push(&response(11.0)).is_err()); // rejected, nothing added
/// a.merge(&b)?;
/// assert_eq!(a.n(), 2);
/// assert_eq!(a.nps("nps").map(|m| m.n()), Some(2));
/// let summary = a.summary(0.95)?;
/// assert_eq!(summary.questions.len(), 5);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawAggregate", into = "RawAggregate")]
pub struct SurveyAggregate {
    survey: Survey,
    n: u64,
    weight: f64,
    questions: Vec<QuestionAggregate>,
}

/// The accumulated answers to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionAggregate {
    pub(super) question: String,
    pub(super) tally: QuestionTally,
}

impl Survey {
    /// An empty [`SurveyAggregate`] for this survey (same as [`SurveyAggregate::new`]).
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey};
    /// let s = Survey::new("s", "t", vec![Question::new("q", "Rate", QuestionKind::Nps {})])?;
    /// assert_eq!(s.aggregate().n(), 0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn aggregate(&self) -> SurveyAggregate {
        SurveyAggregate::new(self)
    }
}

impl SurveyAggregate {
    /// An empty aggregate for `survey`.
    ///
    /// ```
    /// use cem_core::survey::{Survey, SurveyAggregate};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let agg = SurveyAggregate::new(&survey);
    /// assert_eq!(agg.questions().len(), 5);
    /// assert_eq!(agg.survey().id(), "post-contact");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn new(survey: &Survey) -> Self {
        SurveyAggregate {
            survey: survey.clone(),
            n: 0,
            weight: 0.0,
            questions: survey
                .questions()
                .iter()
                .map(|q| QuestionAggregate {
                    question: q.id.clone(),
                    tally: fresh_tally(q),
                })
                .collect(),
        }
    }

    /// Adds one response with weight 1.
    ///
    /// # Errors
    /// [`Error::InvalidAnswers`] when the answers do not satisfy the survey; nothing is added.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// agg.push(&BTreeMap::from([("nps".to_owned(), Answer::Number(8.0))]))?;
    /// assert!(agg.push(&BTreeMap::new()).is_err()); // nps is required
    /// assert_eq!(agg.n(), 1);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push(&mut self, answers: &BTreeMap<String, Answer>) -> Result<()> {
        self.push_weighted(answers, 1.0)
    }

    /// Adds one response with a survey weight (finite, non-negative).
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for a bad weight, [`Error::InvalidAnswers`] for answers that
    /// do not satisfy the survey; nothing is added.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// let answers = BTreeMap::from([("nps".to_owned(), Answer::Number(8.0))]);
    /// agg.push_weighted(&answers, 2.5)?;
    /// assert!(agg.push_weighted(&answers, -1.0).is_err());
    /// assert_eq!(agg.total_weight(), 2.5);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_weighted(&mut self, answers: &BTreeMap<String, Answer>, weight: f64) -> Result<()> {
        check_weight(weight)?;
        let (n, total) = self.totals_with(1, weight)?;
        let scored = self.survey.score(answers)?;
        // Validation guarantees every score fits its accumulator, so the pushes below cannot
        // fail; they are still checked rather than unwrapped.
        for s in &scored.scores {
            let Some(qa) = self
                .questions
                .iter_mut()
                .find(|qa| qa.question == s.question)
            else {
                continue;
            };
            qa.tally.push(&s.value, weight)?;
        }
        (self.n, self.weight) = (n, total);
        Ok(())
    }

    /// Adds everything another aggregate of the same survey has seen. Merging is associative
    /// and commutative; for unweighted data the result equals one pass over all responses.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the other aggregate is for another survey id or a survey
    /// of another structure (question ids, kinds, scales or option ids, `required` or
    /// `show_if` differ);
    /// [`Error::LimitExceeded`] when the response count would pass 2⁶⁴ − 1 and
    /// [`Error::InvalidNumber`] when the total weight would overflow a float. Nothing is
    /// merged then.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey};
    /// let a = Survey::new("a", "A", vec![Question::new("q", "Rate", QuestionKind::Nps {})])?;
    /// let b = Survey::new("b", "B", vec![Question::new("q", "Rate", QuestionKind::Nps {})])?;
    /// let mut agg = a.aggregate();
    /// agg.merge(&a.aggregate())?;
    /// assert!(agg.merge(&b.aggregate()).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn merge(&mut self, other: &SurveyAggregate) -> Result<()> {
        if self.survey.id() != other.survey.id() {
            return Err(Error::Incompatible(format!(
                "aggregates of survey `{}` and survey `{}`",
                self.survey.id(),
                other.survey.id()
            )));
        }
        if self.questions.len() != other.questions.len() {
            return Err(Error::Incompatible(format!(
                "survey `{}` with {} questions and with {}",
                self.survey.id(),
                self.questions.len(),
                other.questions.len()
            )));
        }
        for (a, b) in self.questions.iter().zip(&other.questions) {
            if a.question != b.question || !a.tally.same_shape(&b.tally) {
                return Err(Error::Incompatible(format!(
                    "survey `{}` has question `{}` where the other has a different question `{}`",
                    self.survey.id(),
                    a.question,
                    b.question
                )));
            }
        }
        // Loading checks answer counts against `required` and `show_if`; an aggregate merged
        // across definitions that differ there could not be read back.
        for (a, b) in self.survey.questions().iter().zip(other.survey.questions()) {
            let differs = if a.required != b.required {
                Some("whether it is required")
            } else if a.show_if != b.show_if {
                Some("its `show_if`")
            } else {
                None
            };
            if let Some(what) = differs {
                return Err(Error::Incompatible(format!(
                    "survey `{}` has question `{}` differing in {what} from the other's",
                    self.survey.id(),
                    a.id
                )));
            }
        }
        // Every question has at most `n` answers and their weight at most the total: with
        // room for the totals, no question's merge can fail half-way.
        let (n, total) = self.totals_with(other.n, other.weight)?;
        for (a, b) in self.questions.iter_mut().zip(&other.questions) {
            a.tally.merge(&b.tally)?;
        }
        (self.n, self.weight) = (n, total);
        Ok(())
    }

    /// The response count and weight after adding `n` responses of total weight `weight`.
    fn totals_with(&self, n: u64, weight: f64) -> Result<(u64, f64)> {
        let count = self.n.checked_add(n).ok_or_else(|| {
            Error::limit_exceeded(
                "the number of responses",
                u64::MAX,
                format!("{} + {n}", self.n),
            )
        })?;
        let total = self.weight + weight;
        if !total.is_finite() {
            return Err(Error::invalid_number(
                "total weight",
                total,
                "is not a finite number",
            ));
        }
        Ok((count, total))
    }

    /// The survey the aggregate is for.
    pub fn survey(&self) -> &Survey {
        &self.survey
    }

    /// Number of responses added.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Total weight of the responses added.
    pub fn total_weight(&self) -> f64 {
        self.weight
    }

    /// Every question's accumulator, in survey order.
    pub fn questions(&self) -> &[QuestionAggregate] {
        &self.questions
    }

    /// The accumulator of question `id`, if the survey has it.
    ///
    /// ```
    /// use cem_core::survey::{QuestionTally, Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let agg = survey.aggregate();
    /// assert!(matches!(agg.question("comment").map(|q| q.tally()), Some(QuestionTally::Text { answered: 0, .. })));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn question(&self, id: &str) -> Option<&QuestionAggregate> {
        self.questions.iter().find(|q| q.question == id)
    }

    /// The NPS accumulator of NPS question `id`.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// agg.push(&BTreeMap::from([("nps".to_owned(), Answer::Number(10.0))]))?;
    /// assert_eq!(agg.nps("nps").map(|m| m.n()), Some(1));
    /// assert!(agg.nps("csat").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn nps(&self, id: &str) -> Option<&Nps> {
        match self.question(id).map(|q| &q.tally) {
            Some(QuestionTally::Nps(m)) => Some(m),
            _ => None,
        }
    }

    /// The CSAT accumulator of CSAT question `id`.
    ///
    /// ```
    /// use cem_core::survey::Survey;
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// assert_eq!(survey.aggregate().csat("csat").map(|m| m.top()), Some(2));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn csat(&self, id: &str) -> Option<&Csat> {
        match self.question(id).map(|q| &q.tally) {
            Some(QuestionTally::Csat(m)) => Some(m),
            _ => None,
        }
    }

    /// The CES accumulator of CES question `id`.
    ///
    /// ```
    /// use cem_core::{metrics::CesScale, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// assert_eq!(survey.aggregate().ces("ces").map(|m| m.scale()), Some(CesScale::Agreement7));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn ces(&self, id: &str) -> Option<&Ces> {
        match self.question(id).map(|q| &q.tally) {
            Some(QuestionTally::Ces(m)) => Some(m),
            _ => None,
        }
    }

    /// The histogram of answers of any numeric question `id` (NPS, CSAT, CES, Likert, rating).
    ///
    /// ```
    /// use cem_core::survey::Survey;
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let agg = survey.aggregate();
    /// assert_eq!(agg.scale_counts("nps").map(|c| (c.min(), c.max())), Some((0, 10)));
    /// assert!(agg.scale_counts("comment").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn scale_counts(&self, id: &str) -> Option<&ScaleCounts> {
        self.question(id).and_then(|q| q.tally.scale_counts())
    }

    /// The option counts of choice question `id`.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// agg.push(&BTreeMap::from([
    ///     ("nps".to_owned(), Answer::Number(2.0)),
    ///     ("reason".to_owned(), Answer::Text("price".into())),
    /// ]))?;
    /// let reason = agg.choices("reason").unwrap();
    /// assert_eq!((reason.count("price"), reason.count("wait"), reason.respondents()), (Some(1), Some(0), 1));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn choices(&self, id: &str) -> Option<&ChoiceCounts> {
        match self.question(id).map(|q| &q.tally) {
            Some(QuestionTally::SingleChoice(c) | QuestionTally::MultiChoice(c)) => Some(c),
            _ => None,
        }
    }

    /// The mean answer of numeric question `id` with a Student t interval (the same as
    /// [`Csat::mean`] and [`Ces::estimate`] give for those kinds).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `id` is not a numeric question of the survey,
    /// [`Error::Empty`] with no answers, [`Error::Undefined`] with one, [`Error::OutOfRange`]
    /// for a confidence outside (0, 1).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// for s in [6.0, 8.0, 10.0] {
    ///     agg.push(&BTreeMap::from([("nps".to_owned(), Answer::Number(s))]))?;
    /// }
    /// assert_eq!(agg.mean("nps", 0.95)?.value, 8.0);
    /// assert!(agg.mean("comment", 0.95).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn mean(&self, id: &str, confidence: f64) -> Result<Estimate> {
        let counts = self.scale_counts(id).ok_or_else(|| {
            Error::invalid_argument(
                "question",
                format!(
                    "survey `{}` has no numeric question `{id}`",
                    self.survey.id()
                ),
            )
        })?;
        scale_mean(counts, confidence)
    }

    /// Estimates for every question at the given confidence level.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a confidence outside (0, 1). Estimates that cannot be made
    /// (no answers yet) are `None`, not errors.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::{SummaryDetail, Survey}};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// agg.push(&BTreeMap::from([("nps".to_owned(), Answer::Number(10.0))]))?;
    /// let summary = agg.summary(0.95)?;
    /// match &summary.questions[0].detail {
    ///     SummaryDetail::Nps { nps, .. } => assert_eq!(nps.map(|e| e.value), Some(100.0)),
    ///     other => panic!("unexpected {other:?}"),
    /// }
    /// assert!(agg.summary(1.5).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn summary(&self, confidence: f64) -> Result<SurveySummary> {
        check_confidence(confidence)?;
        let questions = self
            .questions
            .iter()
            .map(|qa| qa.summary(confidence))
            .collect::<Result<Vec<_>>>()?;
        Ok(SurveySummary {
            survey: self.survey.id().to_owned(),
            n: self.n,
            weight: self.weight,
            confidence,
            questions,
        })
    }
}

/// The serialized form of a [`SurveyAggregate`], checked against its survey.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    #[serde(default = "first_version")]
    v: u32,
    survey: Survey,
    n: u64,
    weight: f64,
    questions: Vec<QuestionAggregate>,
}

impl From<SurveyAggregate> for RawAggregate {
    fn from(a: SurveyAggregate) -> Self {
        RawAggregate {
            v: STATE_VERSION,
            survey: a.survey,
            n: a.n,
            weight: a.weight,
            questions: a.questions,
        }
    }
}

impl TryFrom<RawAggregate> for SurveyAggregate {
    type Error = Error;
    fn try_from(raw: RawAggregate) -> Result<Self> {
        check_version("a survey aggregate", raw.v)?;
        check_weight(raw.weight).map_err(|e| invalid(format!("a survey aggregate: {e}")))?;
        let fresh = SurveyAggregate::new(&raw.survey);
        if fresh.questions.len() != raw.questions.len() {
            return Err(Error::Incompatible(format!(
                "survey `{}` has {} questions but the aggregate has {}",
                raw.survey.id(),
                fresh.questions.len(),
                raw.questions.len()
            )));
        }
        for (f, r) in fresh.questions.iter().zip(&raw.questions) {
            if f.question != r.question || !f.tally.same_shape(&r.tally) {
                return Err(Error::Incompatible(format!(
                    "survey `{}` question `{}` does not match the aggregate's `{}`",
                    raw.survey.id(),
                    f.question,
                    r.question
                )));
            }
        }
        check_totals(&raw)?;
        Ok(SurveyAggregate {
            survey: raw.survey,
            n: raw.n,
            weight: raw.weight,
            questions: raw.questions,
        })
    }
}

/// Checks that the per-question tallies of deserialized state agree with the response count
/// and weight: no question has more answers (or more weight) than there were responses, a
/// required question that is always shown has one answer per response, and nothing weighs
/// anything without answers.
fn check_totals(raw: &RawAggregate) -> Result<()> {
    let (n, weight) = (raw.n, raw.weight);
    if n == 0 && weight != 0.0 {
        return Err(invalid(format!(
            "a survey aggregate has weight {weight} but no responses"
        )));
    }
    for (q, qa) in raw.survey.questions().iter().zip(&raw.questions) {
        let id = &qa.question;
        let (answered, w) = qa
            .tally
            .checked_totals()
            .map_err(|m| invalid(format!("a survey aggregate: question `{id}` {m}")))?;
        if answered > n {
            return Err(invalid(format!(
                "a survey aggregate: question `{id}` has {answered} answers but the aggregate \
                 only {n} responses"
            )));
        }
        if !at_most(w, weight) {
            return Err(invalid(format!(
                "a survey aggregate: question `{id}` has weight {w} but the aggregate only \
                 {weight}"
            )));
        }
        let always = q.required && q.show_if.is_none();
        if always && (answered != n || !at_most(weight, w)) {
            return Err(invalid(format!(
                "a survey aggregate: question `{id}` is required and always shown, so it needs \
                 {n} answers of weight {weight}, but has {answered} of weight {w}"
            )));
        }
    }
    Ok(())
}
