//! The questionnaire definition: [`Survey`], [`Question`], [`QuestionKind`], and the checks
//! that make a definition usable.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::metrics::CesScale;
use crate::survey::condition::Condition;
use crate::survey::limits::SurveyLimits;

/// A questionnaire: an id, a title and questions in the order they are asked.
///
/// A `Survey` is always checked: [`Survey::new`], [`Survey::from_json`] and deserialization
/// all reject a definition with empty or duplicate ids, bad scales, empty or duplicate options,
/// or display logic that refers to an unknown, a later or the same question (see
/// [`Survey::check`] for the full list). The fields are private so that stays true.
///
/// # Example
///
/// ```
/// use cem_core::survey::Survey;
///
/// let survey = Survey::from_json(r#"{
///   "id": "post-contact", "title": "How did we do?",
///   "questions": [
///     {"id": "nps", "kind": "nps", "text": "How likely are you to recommend us?", "required": true},
///     {"id": "reason", "kind": "single_choice", "text": "What disappointed you most?",
///      "options": [{"id": "wait", "label": "Waiting time"}, {"id": "price", "label": "Price"}],
///      "show_if": {"question": "nps", "less_than": 7}}
///   ]
/// }"#)?;
/// assert_eq!(survey.id(), "post-contact");
/// assert_eq!(survey.questions().len(), 2);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawSurvey")]
pub struct Survey {
    id: String,
    #[serde(default)]
    title: String,
    questions: Vec<Question>,
}

/// One question of a [`Survey`]. In JSON the kind's settings sit next to the common fields:
/// `{"id": "csat", "kind": "csat", "text": "...", "scale": {"max": 7}, "top": 2}`.
///
/// ```
/// use cem_core::survey::{Condition, Question, QuestionKind};
///
/// let q = Question::new("reason", "Why?", QuestionKind::Text { max_length: Some(500) })
///     .required()
///     .show_if(Condition::less_than("nps", 7.0));
/// assert!(q.required);
/// let json = serde_json::to_string(&q).unwrap();
/// assert!(json.contains(r#""kind":"text""#) && json.contains(r#""max_length":500"#));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Stable identifier; answers are keyed by it.
    pub id: String,
    /// The wording shown to the respondent.
    pub text: String,
    /// Whether a visible question must be answered.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub required: bool,
    /// Display logic: the question is shown only when this holds for the earlier answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub show_if: Option<Condition>,
    /// What kind of question it is, with its settings.
    #[serde(flatten)]
    pub kind: QuestionKind,
}

/// The kind of a question and its settings (JSON tag `"kind"`, snake_case).
///
/// | kind | answers | settings |
/// |---|---|---|
/// | `nps` | whole numbers 0..=10 | – |
/// | `csat` | 1..=`max` | `scale: {"max": 5}` (2..=11, default 5), `top` boxes counted satisfied (1..max, default 2) |
/// | `ces` | 1..=7 or 1..=5 | `scale: "agreement7"` (default) or `"legacy_effort5"` |
/// | `likert` | 1..=`points` | `points` (2..=11, default 5) |
/// | `rating` | `min..=max` | `min`, `max` (0..=100, `min < max`) |
/// | `single_choice` | one option id (text) | `options: [{"id", "label"}]` |
/// | `multi_choice` | a list of option ids | `options`, `max_choices` (optional, 1..=options) |
/// | `text` | free text | `max_length` in characters (optional, at least 1) |
///
/// ```
/// use cem_core::survey::QuestionKind;
/// let k: QuestionKind = serde_json::from_str(r#"{"kind": "likert", "points": 7}"#).unwrap();
/// assert_eq!(k, QuestionKind::Likert { points: 7 });
/// assert_eq!(k.scale(), Some((1, 7)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum QuestionKind {
    /// Net Promoter Score question, 0..=10.
    Nps {},
    /// Customer satisfaction on 1..=`scale.max`, the top `top` boxes satisfied.
    Csat {
        /// The answer scale (default 1..=5).
        #[serde(default)]
        scale: CsatScale,
        /// How many top boxes count as satisfied (default 2).
        #[serde(default = "default_top")]
        top: u32,
    },
    /// Customer Effort Score.
    Ces {
        /// The answer scale (default the 7-point agreement scale).
        #[serde(default = "default_ces_scale")]
        scale: CesScale,
    },
    /// Agreement on a `points`-point scale, answers 1..=`points`.
    Likert {
        /// Number of scale points (default 5).
        #[serde(default = "default_points")]
        points: u32,
    },
    /// A numeric rating on `min..=max`.
    Rating {
        /// Lowest answer.
        min: i64,
        /// Highest answer.
        max: i64,
    },
    /// One option out of several; the answer is the option's id.
    SingleChoice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
    },
    /// Any number of options (up to `max_choices`); the answer is a list of option ids.
    MultiChoice {
        /// The options, in display order.
        options: Vec<ChoiceOption>,
        /// The most options a respondent may pick.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_choices: Option<u32>,
    },
    /// Free text.
    Text {
        /// The longest answer allowed, in characters.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_length: Option<u32>,
    },
}

/// The scale of a CSAT question: answers 1..=`max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CsatScale {
    /// Highest scale point (2..=11).
    pub max: u32,
}

impl Default for CsatScale {
    fn default() -> Self {
        CsatScale { max: 5 }
    }
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// Stable identifier; answers use it.
    pub id: String,
    /// The text shown to the respondent.
    pub label: String,
}

impl ChoiceOption {
    /// An option with an id and a label.
    ///
    /// ```
    /// let o = cem_core::survey::ChoiceOption::new("wait", "Waiting time");
    /// assert_eq!(o.id, "wait");
    /// ```
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        ChoiceOption {
            id: id.into(),
            label: label.into(),
        }
    }
}

impl QuestionKind {
    /// The snake_case name of the kind (`"single_choice"`).
    ///
    /// ```
    /// assert_eq!(cem_core::survey::QuestionKind::Nps {}.name(), "nps");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            QuestionKind::Nps {} => "nps",
            QuestionKind::Csat { .. } => "csat",
            QuestionKind::Ces { .. } => "ces",
            QuestionKind::Likert { .. } => "likert",
            QuestionKind::Rating { .. } => "rating",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultiChoice { .. } => "multi_choice",
            QuestionKind::Text { .. } => "text",
        }
    }

    /// The answer scale `(min, max)` of a numeric question, `None` for choice and text
    /// questions (and for a scale that is not valid).
    ///
    /// ```
    /// use cem_core::survey::QuestionKind;
    /// assert_eq!(QuestionKind::Nps {}.scale(), Some((0, 10)));
    /// assert_eq!(QuestionKind::Rating { min: 0, max: 100 }.scale(), Some((0, 100)));
    /// assert_eq!(QuestionKind::Text { max_length: None }.scale(), None);
    /// ```
    pub fn scale(&self) -> Option<(u8, u8)> {
        let (min, max) = match self {
            QuestionKind::Nps {} => (0, 10),
            QuestionKind::Csat { scale, .. } => (1, i64::from(scale.max)),
            QuestionKind::Ces {
                scale: CesScale::Agreement7,
            } => (1, 7),
            QuestionKind::Ces {
                scale: CesScale::LegacyEffort5,
            } => (1, 5),
            QuestionKind::Likert { points } => (1, i64::from(*points)),
            QuestionKind::Rating { min, max } => (*min, *max),
            _ => return None,
        };
        Some((u8::try_from(min).ok()?, u8::try_from(max).ok()?))
    }

    /// The options of a choice question, `None` for other kinds.
    ///
    /// ```
    /// use cem_core::survey::{ChoiceOption, QuestionKind};
    /// let k = QuestionKind::SingleChoice { options: vec![ChoiceOption::new("a", "A")] };
    /// assert_eq!(k.options().map(|o| o.len()), Some(1));
    /// ```
    pub fn options(&self) -> Option<&[ChoiceOption]> {
        match self {
            QuestionKind::SingleChoice { options } | QuestionKind::MultiChoice { options, .. } => {
                Some(options)
            }
            _ => None,
        }
    }

    /// Checks the settings, naming question `id` in the error.
    fn check(&self, id: &str) -> Result<()> {
        let bad = |msg: String| Err(Error::survey(Some(id), msg));
        match self {
            QuestionKind::Nps {} | QuestionKind::Ces { .. } => Ok(()),
            QuestionKind::Csat { scale, top } => {
                if !(2..=11).contains(&scale.max) {
                    return bad(format!(
                        "the CSAT scale maximum `{}` is outside 2..=11",
                        scale.max
                    ));
                }
                if *top == 0 || *top >= scale.max {
                    return bad(format!(
                        "the top box count `{top}` must be between 1 and {}",
                        scale.max - 1
                    ));
                }
                Ok(())
            }
            QuestionKind::Likert { points } => {
                if (2..=11).contains(points) {
                    Ok(())
                } else {
                    bad(format!(
                        "the number of Likert points `{points}` is outside 2..=11"
                    ))
                }
            }
            QuestionKind::Rating { min, max } => {
                for (name, v) in [("minimum", min), ("maximum", max)] {
                    if !(0..=100).contains(v) {
                        return bad(format!("the rating {name} `{v}` is outside 0..=100"));
                    }
                }
                if min >= max {
                    return bad(format!(
                        "the rating minimum `{min}` must be less than the maximum `{max}`"
                    ));
                }
                Ok(())
            }
            QuestionKind::SingleChoice { options } => check_options(id, options),
            QuestionKind::MultiChoice {
                options,
                max_choices,
            } => {
                check_options(id, options)?;
                match max_choices {
                    Some(m)
                        if *m == 0 || usize::try_from(*m).map_or(true, |m| m > options.len()) =>
                    {
                        bad(format!(
                            "`max_choices` `{m}` must be between 1 and the number of options ({})",
                            options.len()
                        ))
                    }
                    _ => Ok(()),
                }
            }
            QuestionKind::Text { max_length } => match max_length {
                Some(0) => bad("`max_length` `0` must be at least 1".to_owned()),
                _ => Ok(()),
            },
        }
    }
}

fn check_options(id: &str, options: &[ChoiceOption]) -> Result<()> {
    if options.is_empty() {
        return Err(Error::survey(
            Some(id),
            "a choice question needs at least one option",
        ));
    }
    let mut seen = BTreeSet::new();
    for (pos, o) in options.iter().enumerate() {
        if o.id.trim().is_empty() {
            return Err(Error::survey(
                Some(id),
                format!("option at position {pos} has an empty id"),
            ));
        }
        if !seen.insert(o.id.as_str()) {
            return Err(Error::survey(
                Some(id),
                format!("the option id `{}` is used more than once", o.id),
            ));
        }
    }
    Ok(())
}

fn default_top() -> u32 {
    2
}

fn default_points() -> u32 {
    5
}

fn default_ces_scale() -> CesScale {
    CesScale::Agreement7
}

impl Question {
    /// An optional question without display logic.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind};
    /// let q = Question::new("nps", "How likely are you to recommend us?", QuestionKind::Nps {});
    /// assert!(!q.required && q.show_if.is_none());
    /// ```
    pub fn new(id: impl Into<String>, text: impl Into<String>, kind: QuestionKind) -> Self {
        Question {
            id: id.into(),
            text: text.into(),
            required: false,
            show_if: None,
            kind,
        }
    }

    /// The same question, required.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind};
    /// assert!(Question::new("nps", "Recommend?", QuestionKind::Nps {}).required().required);
    /// ```
    #[must_use]
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// The same question, shown only when `condition` holds.
    ///
    /// ```
    /// use cem_core::survey::{Condition, Question, QuestionKind};
    /// let q = Question::new("why", "Why?", QuestionKind::Text { max_length: None })
    ///     .show_if(Condition::answered("nps", true));
    /// assert!(q.show_if.is_some());
    /// ```
    #[must_use]
    pub fn show_if(mut self, condition: Condition) -> Self {
        self.show_if = Some(condition);
        self
    }
}

impl Survey {
    /// A checked survey.
    ///
    /// # Errors
    /// [`Error::InvalidSurvey`] for any of the problems [`check`](Self::check) finds.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey};
    /// let s = Survey::new("rel", "Relationship", vec![
    ///     Question::new("nps", "Recommend?", QuestionKind::Nps {}).required(),
    /// ])?;
    /// assert_eq!(s.question("nps").map(|q| q.required), Some(true));
    /// assert!(Survey::new("rel", "Relationship", vec![]).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn new(
        id: impl Into<String>,
        title: impl Into<String>,
        questions: Vec<Question>,
    ) -> Result<Self> {
        let survey = Survey {
            id: id.into(),
            title: title.into(),
            questions,
        };
        survey.check()?;
        Ok(survey)
    }

    /// Parses and checks a JSON definition.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON or not a survey's shape (unknown fields
    /// included), [`Error::InvalidSurvey`] for a definition [`check`](Self::check) rejects.
    ///
    /// ```
    /// use cem_core::{ErrorKind, survey::Survey};
    /// let err = Survey::from_json(r#"{"id": "s", "title": "t", "questions": [
    ///     {"id": "q", "kind": "rating", "text": "Rate us", "min": 5, "max": 5}]}"#).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::InvalidSurvey);
    /// assert!(err.to_string().starts_with("question `q`:"));
    /// assert_eq!(Survey::from_json("{").unwrap_err().kind(), ErrorKind::Json);
    /// ```
    pub fn from_json(json: &str) -> Result<Self> {
        Survey::from_json_with(json, &SurveyLimits::default())
    }

    /// Parses and checks a JSON definition under the given [`SurveyLimits`] (the defaults
    /// protect a service that accepts definitions from untrusted users; raise them for
    /// larger surveys you trust).
    ///
    /// # Errors
    /// As [`from_json`](Self::from_json), and [`Error::LimitExceeded`] naming the limit when
    /// the text, the number of questions or options, or the nesting of display logic is
    /// over it.
    ///
    /// ```
    /// use cem_core::{ErrorKind, survey::{Survey, SurveyLimits}};
    /// let json = r#"{"id": "s", "title": "t", "questions": [
    ///     {"id": "a", "kind": "nps", "text": "Recommend?"},
    ///     {"id": "b", "kind": "csat", "text": "Satisfied?"}]}"#;
    /// let tight = SurveyLimits { questions: 1, ..SurveyLimits::default() };
    /// let err = Survey::from_json_with(json, &tight).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
    /// assert_eq!(err.to_string(), "the number of questions of survey `s` exceeds the limit of 1: 2");
    /// assert!(Survey::from_json(json).is_ok());
    /// ```
    pub fn from_json_with(json: &str, limits: &SurveyLimits) -> Result<Self> {
        if json.len() > limits.json_bytes {
            return Err(Error::limit_exceeded(
                "the survey definition's JSON text",
                format!("{} bytes", limits.json_bytes),
                format!("{} bytes", json.len()),
            ));
        }
        let raw: RawSurvey = serde_json::from_str(json)?;
        let survey = Survey {
            id: raw.id,
            title: raw.title,
            questions: raw.questions,
        };
        survey.check_with(limits)?;
        Ok(survey)
    }

    /// The definition as JSON; [`from_json`](Self::from_json) reads it back to an equal survey.
    ///
    /// # Errors
    /// [`Error::Json`] if serialization fails (it does not for a checked survey).
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey};
    /// let s = Survey::new("s", "t", vec![Question::new("q", "Rate", QuestionKind::Likert { points: 7 })])?;
    /// assert_eq!(Survey::from_json(&s.to_json()?)?, s);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// The survey's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The survey's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The questions, in the order they are asked.
    pub fn questions(&self) -> &[Question] {
        &self.questions
    }

    /// The question with id `id`, if any.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey};
    /// let s = Survey::new("s", "t", vec![Question::new("q", "Rate", QuestionKind::Nps {})])?;
    /// assert!(s.question("q").is_some() && s.question("x").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.id == id)
    }

    /// Checks the definition. Rejected, with an error naming the question where there is one:
    ///
    /// - an empty survey id, no questions, an empty question id or wording, duplicate question ids;
    /// - bad scales: CSAT `max` outside 2..=11 or `top` outside 1..max, Likert `points`
    ///   outside 2..=11, rating bounds outside 0..=100 or `min >= max`;
    /// - choice questions without options, with an empty or duplicate option id, or a
    ///   `max_choices` of 0 or more than the number of options; a `max_length` of 0;
    /// - display logic on an unknown question, on the question itself or a later one, a
    ///   comparison (`less_than`, `greater_than`) on a question without numeric answers, an
    ///   `equals`/`in` value of the wrong type or naming an unknown option, an empty
    ///   `all`/`any`/`in` list, a non-finite bound, or nesting deeper than 32 levels.
    ///
    /// # Errors
    /// [`Error::InvalidSurvey`] for the first problem found.
    ///
    /// ```
    /// use cem_core::survey::{Condition, Question, QuestionKind, Survey};
    /// let err = Survey::new("s", "t", vec![
    ///     Question::new("why", "Why?", QuestionKind::Text { max_length: None })
    ///         .show_if(Condition::less_than("nps", 7.0)),
    ///     Question::new("nps", "Recommend?", QuestionKind::Nps {}),
    /// ]).unwrap_err();
    /// assert!(err.to_string().contains("`nps`"));
    /// ```
    pub fn check(&self) -> Result<()> {
        self.check_with(&SurveyLimits::default())
    }

    /// [`check`](Self::check) under the given [`SurveyLimits`].
    ///
    /// # Errors
    /// [`Error::InvalidSurvey`] as `check`, [`Error::LimitExceeded`] for a survey over a
    /// limit.
    ///
    /// ```
    /// use cem_core::survey::{Question, QuestionKind, Survey, SurveyLimits};
    /// let s = Survey::new("s", "t", vec![Question::new("q", "Rate", QuestionKind::Nps {})])?;
    /// assert!(s.check_with(&SurveyLimits { questions: 0, ..SurveyLimits::default() }).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn check_with(&self, limits: &SurveyLimits) -> Result<()> {
        if self.questions.len() > limits.questions {
            return Err(Error::limit_exceeded(
                format!("the number of questions of survey `{}`", self.id),
                limits.questions,
                self.questions.len(),
            ));
        }
        for q in &self.questions {
            let options = q.kind.options().map_or(0, <[ChoiceOption]>::len);
            if options > limits.options {
                return Err(Error::limit_exceeded(
                    format!("the number of options of question `{}`", q.id),
                    limits.options,
                    options,
                ));
            }
        }
        if self.id.trim().is_empty() {
            return Err(Error::survey(None, "the survey id is empty"));
        }
        if self.questions.is_empty() {
            return Err(Error::survey(
                None,
                format!("the survey `{}` has no questions", self.id),
            ));
        }
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for (pos, q) in self.questions.iter().enumerate() {
            if q.id.trim().is_empty() {
                return Err(Error::survey(
                    None,
                    format!("the question at position {pos} has an empty id"),
                ));
            }
            if !seen.insert(q.id.as_str()) {
                return Err(Error::survey(
                    Some(&q.id),
                    format!("the id `{}` is used by more than one question", q.id),
                ));
            }
            if q.text.trim().is_empty() {
                return Err(Error::survey(Some(&q.id), "the question wording is empty"));
            }
            q.kind.check(&q.id)?;
            if let Some(cond) = &q.show_if {
                let earlier = self.questions.get(..pos).unwrap_or_default();
                cond.check(&q.id, earlier, &self.questions, limits.condition_depth)?;
            }
        }
        Ok(())
    }
}

/// The serialized form of a [`Survey`], checked before it becomes one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    id: String,
    #[serde(default)]
    title: String,
    questions: Vec<Question>,
}

impl TryFrom<RawSurvey> for Survey {
    type Error = Error;
    fn try_from(raw: RawSurvey) -> Result<Self> {
        Survey::new(raw.id, raw.title, raw.questions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_scales_have_no_scale() {
        assert_eq!(QuestionKind::Rating { min: -1, max: 5 }.scale(), None);
        assert_eq!(QuestionKind::Likert { points: 300 }.scale(), None);
        assert_eq!(
            QuestionKind::Ces {
                scale: CesScale::LegacyEffort5
            }
            .scale(),
            Some((1, 5))
        );
    }

    #[test]
    fn settings_on_the_wrong_kind_are_rejected() {
        let r: std::result::Result<QuestionKind, _> =
            serde_json::from_str(r#"{"kind": "nps", "options": []}"#);
        assert!(r.is_err());
        let r: std::result::Result<QuestionKind, _> =
            serde_json::from_str(r#"{"kind": "text", "points": 5}"#);
        assert!(r.is_err());
    }

    #[test]
    fn serialization_omits_defaults_it_can() {
        let q = Question::new("q", "Q", QuestionKind::Text { max_length: None });
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            r#"{"id":"q","text":"Q","kind":"text"}"#
        );
        let q = Question::new(
            "c",
            "C",
            QuestionKind::Csat {
                scale: CsatScale::default(),
                top: 2,
            },
        )
        .required();
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            r#"{"id":"c","text":"C","required":true,"kind":"csat","scale":{"max":5},"top":2}"#
        );
    }

    #[test]
    fn check_names_the_first_problem() {
        let s = Survey {
            id: "s".into(),
            title: String::new(),
            questions: vec![Question::new(
                "m",
                "M",
                QuestionKind::MultiChoice {
                    options: vec![ChoiceOption::new("a", "A")],
                    max_choices: Some(2),
                },
            )],
        };
        let err = s.check().unwrap_err();
        assert_eq!(
            err,
            Error::InvalidSurvey {
                question: Some("m".into()),
                message: "`max_choices` `2` must be between 1 and the number of options (1)".into()
            }
        );
    }
}
