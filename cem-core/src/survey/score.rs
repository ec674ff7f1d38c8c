//! Scoring a valid response into values ready for the metrics.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::{CesScale, NpsCategory, nps_category};
use crate::model::Answer;
use crate::survey::definition::{Question, QuestionKind, Survey};
use crate::survey::validate::Checked;

/// A validated response, scored question by question.
///
/// `scores` holds the answered, visible questions in survey order; questions that were
/// hidden or left unanswered are absent.
///
/// ```
/// use std::collections::BTreeMap;
/// use cem_core::{metrics::NpsCategory, model::Answer, survey::{ScoreValue, Survey}};
///
/// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
/// let answers = BTreeMap::from([
///     ("nps".to_owned(), Answer::Number(4.0)),
///     ("reason".to_owned(), Answer::Text("wait".into())),
/// ]);
/// let scored = survey.score(&answers)?;
/// assert_eq!(scored.get("nps"), Some(&ScoreValue::Nps { score: 4, category: NpsCategory::Detractor }));
/// let json = serde_json::to_string(&scored).unwrap();
/// assert!(json.contains(r#"{"question":"reason","kind":"single_choice","option":"wait"}"#));
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredResponse {
    /// The survey's id.
    pub survey: String,
    /// Scores of the answered questions, in survey order.
    pub scores: Vec<QuestionScore>,
}

/// The score of one answered question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionScore {
    /// The question's id.
    pub question: String,
    /// The scored value (JSON: its fields sit next to `question`, tagged by `kind`).
    #[serde(flatten)]
    pub value: ScoreValue,
}

/// A scored answer, by question kind (JSON tag `"kind"`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ScoreValue {
    /// An NPS answer: the 0–10 score and its category.
    Nps {
        /// The score.
        score: u8,
        /// Promoter, passive or detractor.
        category: NpsCategory,
    },
    /// A CSAT answer and whether it is in the top boxes.
    Csat {
        /// The score, 1..=`max`.
        score: u8,
        /// The scale's maximum.
        max: u8,
        /// Whether the score is in the top boxes.
        satisfied: bool,
    },
    /// A CES answer and whether it counts as easy (agree).
    Ces {
        /// The score.
        score: u8,
        /// The scale it is on.
        scale: CesScale,
        /// 5–7 on the agreement scale, 1–2 on the legacy effort scale.
        easy: bool,
    },
    /// A Likert answer.
    Likert {
        /// The score, 1..=`points`.
        score: u8,
        /// The number of points of the scale.
        points: u8,
    },
    /// A rating.
    Rating {
        /// The score.
        score: u8,
        /// Lowest possible score.
        min: u8,
        /// Highest possible score.
        max: u8,
    },
    /// The chosen option of a single-choice question.
    SingleChoice {
        /// The option's id.
        option: String,
    },
    /// The chosen options of a multiple-choice question, in the order given.
    MultiChoice {
        /// The options' ids.
        options: Vec<String>,
    },
    /// A free-text answer.
    Text {
        /// The text.
        text: String,
    },
}

impl ScoredResponse {
    /// The score of question `id`, if it was answered.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::{ScoreValue, Survey}};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let answers = BTreeMap::from([("nps".to_owned(), Answer::Number(10.0))]);
    /// let scored = survey.score(&answers)?;
    /// assert!(scored.get("nps").is_some() && scored.get("csat").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<&ScoreValue> {
        self.scores
            .iter()
            .find(|s| s.question == id)
            .map(|s| &s.value)
    }
}

impl Survey {
    /// Validates the answers and scores every answered, visible question.
    ///
    /// # Errors
    /// [`Error::InvalidAnswers`] with every problem [`validate`](Self::validate) finds.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::{ScoreValue, Survey}};
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let answers = BTreeMap::from([
    ///     ("nps".to_owned(), Answer::Number(9.0)),
    ///     ("csat".to_owned(), Answer::Number(4.0)),
    /// ]);
    /// let scored = survey.score(&answers)?;
    /// assert_eq!(scored.get("csat"), Some(&ScoreValue::Csat { score: 4, max: 5, satisfied: true }));
    /// let bad = BTreeMap::from([("nps".to_owned(), Answer::Number(12.0))]);
    /// assert!(survey.score(&bad).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn score(&self, answers: &BTreeMap<String, Answer>) -> Result<ScoredResponse> {
        let walk = self.walk(answers);
        if !walk.problems.is_empty() {
            return Err(Error::InvalidAnswers(walk.problems));
        }
        let mut scores = Vec::new();
        for (q, checked) in walk.visible {
            if let Some(c) = checked {
                scores.push(QuestionScore {
                    question: q.id.clone(),
                    value: score_value(q, c)?,
                });
            }
        }
        Ok(ScoredResponse {
            survey: self.id().to_owned(),
            scores,
        })
    }
}

/// Turns a checked answer into its score.
pub(crate) fn score_value(q: &Question, c: Checked<'_>) -> Result<ScoreValue> {
    let mismatch = || {
        Error::survey(
            Some(&q.id),
            format!(
                "internal: an answer does not fit a {} question",
                q.kind.name()
            ),
        )
    };
    let small = |v: u32| u8::try_from(v).map_err(|_| mismatch());
    Ok(match (&q.kind, c) {
        (QuestionKind::Nps {}, Checked::Scale(s)) => ScoreValue::Nps {
            score: s,
            category: nps_category(s)?,
        },
        (QuestionKind::Csat { scale, top }, Checked::Scale(s)) => {
            let (max, top) = (small(scale.max)?, small(*top)?);
            ScoreValue::Csat {
                score: s,
                max,
                satisfied: s > max.saturating_sub(top),
            }
        }
        (QuestionKind::Ces { scale }, Checked::Scale(s)) => ScoreValue::Ces {
            score: s,
            scale: *scale,
            easy: match scale {
                CesScale::Agreement7 => s >= 5,
                CesScale::LegacyEffort5 => s <= 2,
            },
        },
        (QuestionKind::Likert { points }, Checked::Scale(s)) => ScoreValue::Likert {
            score: s,
            points: small(*points)?,
        },
        (QuestionKind::Rating { .. }, Checked::Scale(s)) => {
            let (min, max) = q.kind.scale().ok_or_else(mismatch)?;
            ScoreValue::Rating { score: s, min, max }
        }
        (QuestionKind::SingleChoice { .. }, Checked::Choice(o)) => ScoreValue::SingleChoice {
            option: o.to_owned(),
        },
        (QuestionKind::MultiChoice { .. }, Checked::Choices(os)) => ScoreValue::MultiChoice {
            options: os.into_iter().map(str::to_owned).collect(),
        },
        (QuestionKind::Text { .. }, Checked::Text(t)) => ScoreValue::Text { text: t.to_owned() },
        _ => return Err(mismatch()),
    })
}
