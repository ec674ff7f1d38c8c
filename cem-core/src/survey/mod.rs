//! Questionnaire definitions, display logic, validation of answers, scoring, and survey-level
//! aggregates.
//!
//! A [`Survey`] is a checked definition, usually read from JSON with [`Survey::from_json`]:
//! questions of eight [`QuestionKind`]s (NPS 0–10, CSAT, CES, Likert, rating, single and
//! multiple choice, free text), each optionally `required` and optionally shown only when a
//! [`Condition`] on earlier answers holds. Answers are a map from question id to
//! [`Answer`](crate::model::Answer), the same as [`Feedback::answers`](crate::model::Feedback::answers).
//!
//! - [`Survey::visible_questions`] applies the display logic;
//! - [`Survey::validate`] lists every [`AnswerProblem`](crate::AnswerProblem) at once and
//!   [`Survey::check_answers`] turns them into an [`Error::InvalidAnswers`](crate::Error::InvalidAnswers);
//! - [`Survey::score`] validates and scores a response ([`ScoredResponse`]);
//! - [`SurveyAggregate`] accumulates responses per question into the [`metrics`](crate::metrics)
//!   accumulators, merges like every accumulator, and summarizes with confidence intervals.
//!
//! # Example
//!
//! ```
//! use std::collections::BTreeMap;
//! use cem_core::{model::Answer, survey::{Survey, SurveyAggregate}};
//!
//! let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
//! let mut agg = SurveyAggregate::new(&survey);
//! for (nps, csat) in [(10.0, 5.0), (9.0, 4.0), (3.0, 2.0)] {
//!     let answers = BTreeMap::from([
//!         ("nps".to_owned(), Answer::Number(nps)),
//!         ("csat".to_owned(), Answer::Number(csat)),
//!     ]);
//!     agg.push(&answers)?;
//! }
//! assert_eq!(agg.n(), 3);
//! let nps = agg.nps("nps").map(|m| m.estimate(0.95)).transpose()?;
//! assert!((nps.map(|e| e.value).unwrap_or(0.0) - 100.0 / 3.0).abs() < 1e-9);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod aggregate;
pub mod orchestrate;
mod condition;
mod definition;
mod limits;
mod score;
mod summary;
mod tally;
mod validate;

pub use aggregate::{QuestionAggregate, SurveyAggregate};
pub use condition::{Condition, MAX_CONDITION_DEPTH};
pub use definition::{ChoiceOption, CsatScale, Question, QuestionKind, Survey};
pub use limits::SurveyLimits;
pub use score::{QuestionScore, ScoreValue, ScoredResponse};
pub use summary::{LevelCount, OptionSummary, QuestionSummary, SummaryDetail, SurveySummary};
pub use tally::{ChoiceCounts, QuestionTally};
