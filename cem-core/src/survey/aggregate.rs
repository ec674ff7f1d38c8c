//! [`SurveyAggregate`]: the survey-level accumulator, and its [`SurveySummary`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence, check_weight};
use crate::metrics::{Ces, Csat, Estimate, Method, Nps, NpsBreakdown, Proportion, ScaleCounts};
use crate::model::Answer;
use crate::survey::definition::{Question, QuestionKind, Survey};
use crate::survey::score::ScoreValue;

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
#[serde(try_from = "RawAggregate")]
pub struct SurveyAggregate {
    survey: Survey,
    n: u64,
    weight: f64,
    questions: Vec<QuestionAggregate>,
}

/// The accumulated answers to one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionAggregate {
    question: String,
    tally: QuestionTally,
}

/// The accumulator of one question, by kind (JSON tag `"kind"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionTally {
    /// An NPS question.
    Nps(Nps),
    /// A CSAT question, on the question's scale and top boxes.
    Csat(Csat),
    /// A CES question, on the question's scale.
    Ces(Ces),
    /// A Likert question: the histogram over 1..=points.
    Likert(ScaleCounts),
    /// A rating question: the histogram over min..=max.
    Rating(ScaleCounts),
    /// A single-choice question.
    SingleChoice(ChoiceCounts),
    /// A multiple-choice question.
    MultiChoice(ChoiceCounts),
    /// A text question.
    Text {
        /// Number of (non-blank) answers.
        answered: u64,
        /// Their total weight.
        weight: f64,
    },
}

/// How often each option of a choice question was chosen, among the respondents who
/// answered it. For a multiple-choice question the shares may add up to more than 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChoiceCounts {
    respondents: u64,
    weight: f64,
    options: Vec<OptionTally>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OptionTally {
    option: String,
    chosen: Proportion,
}

/// Per-question estimates of a [`SurveyAggregate`], ready to show (serde-serializable).
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
        let scored = self.survey.score(answers)?;
        // Validation guarantees every score fits its accumulator, so the pushes below cannot
        // fail; they are still checked rather than unwrapped.
        for s in &scored.scores {
            let Some(qa) = self.questions.iter_mut().find(|qa| qa.question == s.question) else {
                continue;
            };
            qa.tally.push(&s.value, weight)?;
        }
        self.n += 1;
        self.weight += weight;
        Ok(())
    }

    /// Adds everything another aggregate of the same survey has seen. Merging is associative
    /// and commutative; for unweighted data the result equals one pass over all responses.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the other aggregate is for another survey id or a survey
    /// of another structure (question ids, kinds, scales or option ids differ); nothing is
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
        for (a, b) in self.questions.iter_mut().zip(&other.questions) {
            a.tally.merge(&b.tally)?;
        }
        self.n += other.n;
        self.weight += other.weight;
        Ok(())
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
                format!("survey `{}` has no numeric question `{id}`", self.survey.id()),
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
            QuestionTally::SingleChoice(c) | QuestionTally::MultiChoice(c) => c.respondents,
            QuestionTally::Text { answered, .. } => *answered,
        }
    }

    fn summary(&self, confidence: f64) -> Result<QuestionSummary> {
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

impl ChoiceCounts {
    fn new(options: &[crate::survey::ChoiceOption]) -> Self {
        ChoiceCounts {
            respondents: 0,
            weight: 0.0,
            options: options
                .iter()
                .map(|o| OptionTally {
                    option: o.id.clone(),
                    chosen: Proportion::new(),
                })
                .collect(),
        }
    }

    /// Number of respondents who answered the question.
    pub fn respondents(&self) -> u64 {
        self.respondents
    }

    /// Total weight of those respondents.
    pub fn total_weight(&self) -> f64 {
        self.weight
    }

    /// The option ids, in option order.
    pub fn options(&self) -> impl Iterator<Item = &str> {
        self.options.iter().map(|o| o.option.as_str())
    }

    /// How many respondents chose `option` (`None` for an unknown option).
    pub fn count(&self, option: &str) -> Option<u64> {
        self.chosen(option).map(Proportion::successes)
    }

    /// The yes/no accumulator of `option` among the question's respondents; its estimate
    /// is the share that chose it.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut agg = survey.aggregate();
    /// for reason in ["wait", "wait", "price", "staff"] {
    ///     agg.push(&BTreeMap::from([
    ///         ("nps".to_owned(), Answer::Number(0.0)),
    ///         ("reason".to_owned(), Answer::Text(reason.into())),
    ///     ]))?;
    /// }
    /// let wait = agg.choices("reason").and_then(|c| c.chosen("wait")).unwrap();
    /// assert_eq!(wait.estimate(0.95)?.value, 0.5);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn chosen(&self, option: &str) -> Option<&Proportion> {
        self.options
            .iter()
            .find(|o| o.option == option)
            .map(|o| &o.chosen)
    }

    fn push(&mut self, chosen: &[&str], weight: f64) -> Result<()> {
        for o in &mut self.options {
            o.chosen
                .push_weighted(chosen.contains(&o.option.as_str()), weight)?;
        }
        self.respondents += 1;
        self.weight += weight;
        Ok(())
    }

    fn merge(&mut self, other: &ChoiceCounts) -> Result<()> {
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            a.chosen.merge(&b.chosen)?;
        }
        self.respondents += other.respondents;
        self.weight += other.weight;
        Ok(())
    }

    fn same_options(&self, other: &ChoiceCounts) -> bool {
        self.options().eq(other.options())
    }

    fn summary(&self, confidence: f64) -> Result<Vec<OptionSummary>> {
        self.options
            .iter()
            .map(|o| {
                Ok(OptionSummary {
                    option: o.option.clone(),
                    count: o.chosen.successes(),
                    share: optional(o.chosen.estimate(confidence))?,
                })
            })
            .collect()
    }
}

impl QuestionTally {
    /// The histogram of a numeric question's answers.
    fn scale_counts(&self) -> Option<&ScaleCounts> {
        match self {
            QuestionTally::Nps(m) => Some(m.counts()),
            QuestionTally::Csat(m) => Some(m.counts()),
            QuestionTally::Ces(m) => Some(m.counts()),
            QuestionTally::Likert(c) | QuestionTally::Rating(c) => Some(c),
            _ => None,
        }
    }

    fn push(&mut self, value: &ScoreValue, weight: f64) -> Result<()> {
        match (self, value) {
            (QuestionTally::Nps(m), ScoreValue::Nps { score, .. }) => m.push_weighted(*score, weight),
            (QuestionTally::Csat(m), ScoreValue::Csat { score, .. }) => m.push_weighted(*score, weight),
            (QuestionTally::Ces(m), ScoreValue::Ces { score, .. }) => m.push_weighted(*score, weight),
            (QuestionTally::Likert(c), ScoreValue::Likert { score, .. })
            | (QuestionTally::Rating(c), ScoreValue::Rating { score, .. }) => {
                c.push_weighted(*score, weight)
            }
            (QuestionTally::SingleChoice(c), ScoreValue::SingleChoice { option }) => {
                c.push(&[option.as_str()], weight)
            }
            (QuestionTally::MultiChoice(c), ScoreValue::MultiChoice { options }) => {
                let chosen: Vec<&str> = options.iter().map(String::as_str).collect();
                c.push(&chosen, weight)
            }
            (QuestionTally::Text { answered, weight: w }, ScoreValue::Text { .. }) => {
                *answered += 1;
                *w += weight;
                Ok(())
            }
            (tally, _) => Err(Error::Incompatible(format!(
                "a {} accumulator cannot take another kind of answer",
                tally.kind_name()
            ))),
        }
    }

    fn kind_name(&self) -> &'static str {
        match self {
            QuestionTally::Nps(_) => "nps",
            QuestionTally::Csat(_) => "csat",
            QuestionTally::Ces(_) => "ces",
            QuestionTally::Likert(_) => "likert",
            QuestionTally::Rating(_) => "rating",
            QuestionTally::SingleChoice(_) => "single_choice",
            QuestionTally::MultiChoice(_) => "multi_choice",
            QuestionTally::Text { .. } => "text",
        }
    }

    /// Whether two accumulators are of the same kind, scale and options.
    fn same_shape(&self, other: &QuestionTally) -> bool {
        let bounds = |c: &ScaleCounts| (c.min(), c.max());
        match (self, other) {
            (QuestionTally::Nps(_), QuestionTally::Nps(_)) => true,
            (QuestionTally::Csat(a), QuestionTally::Csat(b)) => (a.max(), a.top()) == (b.max(), b.top()),
            (QuestionTally::Ces(a), QuestionTally::Ces(b)) => a.scale() == b.scale(),
            (QuestionTally::Likert(a), QuestionTally::Likert(b))
            | (QuestionTally::Rating(a), QuestionTally::Rating(b)) => bounds(a) == bounds(b),
            (QuestionTally::SingleChoice(a), QuestionTally::SingleChoice(b))
            | (QuestionTally::MultiChoice(a), QuestionTally::MultiChoice(b)) => a.same_options(b),
            (QuestionTally::Text { .. }, QuestionTally::Text { .. }) => true,
            _ => false,
        }
    }

    fn merge(&mut self, other: &QuestionTally) -> Result<()> {
        match (self, other) {
            (QuestionTally::Nps(a), QuestionTally::Nps(b)) => a.merge(b),
            (QuestionTally::Csat(a), QuestionTally::Csat(b)) => a.merge(b),
            (QuestionTally::Ces(a), QuestionTally::Ces(b)) => a.merge(b),
            (QuestionTally::Likert(a), QuestionTally::Likert(b))
            | (QuestionTally::Rating(a), QuestionTally::Rating(b)) => a.merge(b),
            (QuestionTally::SingleChoice(a), QuestionTally::SingleChoice(b))
            | (QuestionTally::MultiChoice(a), QuestionTally::MultiChoice(b)) => a.merge(b),
            (
                QuestionTally::Text { answered, weight },
                QuestionTally::Text {
                    answered: n,
                    weight: w,
                },
            ) => {
                *answered += n;
                *weight += w;
                Ok(())
            }
            (a, b) => Err(Error::Incompatible(format!(
                "a {} accumulator and a {} accumulator",
                a.kind_name(),
                b.kind_name()
            ))),
        }
    }
}

/// The empty accumulator for a (checked) question.
fn fresh_tally(q: &Question) -> QuestionTally {
    let counts = || {
        let (min, max) = q.kind.scale().unwrap_or((0, 0));
        ScaleCounts::fixed(min, max)
    };
    match &q.kind {
        QuestionKind::Nps {} => QuestionTally::Nps(Nps::new()),
        QuestionKind::Csat { scale, top } => {
            let csat = u8::try_from(scale.max)
                .ok()
                .zip(u8::try_from(*top).ok())
                .and_then(|(max, top)| Csat::with_scale(max, top).ok())
                .unwrap_or_default();
            QuestionTally::Csat(csat)
        }
        QuestionKind::Ces { scale } => QuestionTally::Ces(Ces::with_scale(*scale)),
        QuestionKind::Likert { .. } => QuestionTally::Likert(counts()),
        QuestionKind::Rating { .. } => QuestionTally::Rating(counts()),
        QuestionKind::SingleChoice { options } => {
            QuestionTally::SingleChoice(ChoiceCounts::new(options))
        }
        QuestionKind::MultiChoice { options, .. } => {
            QuestionTally::MultiChoice(ChoiceCounts::new(options))
        }
        QuestionKind::Text { .. } => QuestionTally::Text {
            answered: 0,
            weight: 0.0,
        },
    }
}

/// The weighted mean of a histogram with a Student t interval (as [`Csat::mean`]).
fn scale_mean(counts: &ScaleCounts, confidence: f64) -> Result<Estimate> {
    check_confidence(confidence)?;
    let (mean, se) = counts.mean("the answers")?;
    let n = counts.n();
    if n < 2 {
        return Err(Error::Undefined(format!(
            "the interval of a mean needs at least 2 observations, got {n}"
        )));
    }
    let t = crate::stats::t_critical(confidence, (n - 1) as f64)?;
    Ok(Estimate {
        value: mean,
        low: mean - t * se,
        high: mean + t * se,
        se,
        n,
        n_eff: counts.n_eff(),
        confidence,
        method: Method::StudentT,
    })
}

/// `Ok(None)` for the "not enough data" errors, the value otherwise.
fn optional<T>(r: Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(Error::Empty { .. } | Error::Undefined(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The serialized form of a [`SurveyAggregate`], checked against its survey.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    survey: Survey,
    n: u64,
    weight: f64,
    questions: Vec<QuestionAggregate>,
}

impl TryFrom<RawAggregate> for SurveyAggregate {
    type Error = Error;
    fn try_from(raw: RawAggregate) -> Result<Self> {
        check_weight(raw.weight)?;
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
        Ok(SurveyAggregate {
            survey: raw.survey,
            n: raw.n,
            weight: raw.weight,
            questions: raw.questions,
        })
    }
}
