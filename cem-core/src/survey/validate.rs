//! Display logic over a set of answers, and validation of the answers against the survey.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{AnswerProblem, Error, Result};
use crate::model::Answer;
use crate::survey::definition::{Question, QuestionKind, Survey};

/// An answer that passed validation, in the shape its question needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Checked<'a> {
    /// A whole number on the question's scale.
    Scale(u8),
    /// One option id.
    Choice(&'a str),
    /// Distinct option ids, in the order given.
    Choices(Vec<&'a str>),
    /// Free text.
    Text(&'a str),
}

/// The outcome of walking a survey over a set of answers.
pub(crate) struct Walk<'s, 'a> {
    /// Visible questions in order, with their checked answer when answered.
    pub(crate) visible: Vec<(&'s Question, Option<Checked<'a>>)>,
    /// Every problem found.
    pub(crate) problems: Vec<AnswerProblem>,
}

impl Survey {
    /// The ids of the questions shown for these answers, in order.
    ///
    /// Questions are decided one by one: a question is shown when it has no `show_if` or its
    /// condition holds on the answers to the questions shown before it. Answers to hidden
    /// questions are ignored, and an empty text or empty list of choices counts as no answer
    /// (see [`Condition`](crate::survey::Condition) for what a condition on a hidden or
    /// unanswered question gives).
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    ///
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut answers = BTreeMap::new();
    /// answers.insert("nps".to_owned(), Answer::Number(9.0));
    /// assert_eq!(survey.visible_questions(&answers), ["nps", "csat", "ces", "comment"]);
    /// answers.insert("nps".to_owned(), Answer::Number(3.0));
    /// assert_eq!(survey.visible_questions(&answers), ["nps", "csat", "ces", "reason", "comment"]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn visible_questions(&self, answers: &BTreeMap<String, Answer>) -> Vec<&str> {
        let mut given: BTreeMap<&str, &Answer> = BTreeMap::new();
        let mut out = Vec::new();
        for q in self.questions() {
            if q.show_if.as_ref().is_none_or(|c| c.eval(&given)) {
                out.push(q.id.as_str());
                if let Some(a) = answers.get(&q.id).filter(|a| is_given(a)) {
                    given.insert(q.id.as_str(), a);
                }
            }
        }
        out
    }

    /// Every problem with these answers; an empty list means they are valid.
    ///
    /// Problems, with their [`code`](AnswerProblem::code), in question order and then the
    /// unknown ids: `missing_required` (a required question is shown but not answered),
    /// `hidden_question` (an answer to a question the display logic hides), `wrong_type`
    /// (text for a numeric question, a number for a choice, a score that is not a whole
    /// finite number, ...), `out_of_range` (a score off the scale), `unknown_option`,
    /// `duplicate_choice` (an option chosen twice), `too_many_choices`, `too_long` (text over
    /// `max_length` characters) and `unknown_question`. At most one problem is reported per
    /// question.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{model::Answer, survey::Survey};
    ///
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut answers = BTreeMap::new();
    /// answers.insert("nps".to_owned(), Answer::Number(11.0));
    /// answers.insert("csat".to_owned(), Answer::Text("great".into()));
    /// answers.insert("age".to_owned(), Answer::Number(40.0));
    /// let problems = survey.validate(&answers);
    /// let codes: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
    /// assert_eq!(codes, ["out_of_range", "wrong_type", "unknown_question"]);
    /// assert_eq!(problems[0].message, "question `nps`: score `11` is outside 0..=10");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn validate(&self, answers: &BTreeMap<String, Answer>) -> Vec<AnswerProblem> {
        self.walk(answers).problems
    }

    /// [`validate`](Self::validate) as a `Result`.
    ///
    /// # Errors
    /// [`Error::InvalidAnswers`] holding every problem found.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use cem_core::{ErrorKind, model::Answer, survey::Survey};
    ///
    /// let survey = Survey::from_json(include_str!("../../../tests/data/surveys/post_contact.json"))?;
    /// let mut answers = BTreeMap::new();
    /// assert_eq!(survey.check_answers(&answers).unwrap_err().kind(), ErrorKind::InvalidAnswers);
    /// answers.insert("nps".to_owned(), Answer::Number(10.0));
    /// survey.check_answers(&answers)?;
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn check_answers(&self, answers: &BTreeMap<String, Answer>) -> Result<()> {
        let problems = self.validate(answers);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::InvalidAnswers(problems))
        }
    }

    /// Walks the questions in order, deciding visibility and checking each answer.
    pub(crate) fn walk<'s, 'a>(&'s self, answers: &'a BTreeMap<String, Answer>) -> Walk<'s, 'a> {
        let mut given: BTreeMap<&str, &Answer> = BTreeMap::new();
        let mut walk = Walk {
            visible: Vec::new(),
            problems: Vec::new(),
        };
        let mut known = BTreeSet::new();
        for q in self.questions() {
            known.insert(q.id.as_str());
            let answer = answers.get(&q.id).filter(|a| is_given(a));
            let shown = q.show_if.as_ref().is_none_or(|c| c.eval(&given));
            if !shown {
                if let Some(a) = answer {
                    walk.problems.push(problem(
                        q,
                        "hidden_question",
                        format!(
                            "answer {} given, but the question is not shown",
                            describe(a)
                        ),
                    ));
                }
                continue;
            }
            let Some(a) = answer else {
                if q.required {
                    walk.problems.push(problem(
                        q,
                        "missing_required",
                        "the question is required but not answered".to_owned(),
                    ));
                }
                walk.visible.push((q, None));
                continue;
            };
            given.insert(q.id.as_str(), a);
            match check_answer(q, a) {
                Ok(c) => walk.visible.push((q, Some(c))),
                Err(p) => {
                    walk.problems.push(p);
                    walk.visible.push((q, None));
                }
            }
        }
        for id in answers.keys().filter(|k| !known.contains(k.as_str())) {
            walk.problems.push(AnswerProblem {
                question: id.clone(),
                code: "unknown_question".to_owned(),
                message: format!("question `{id}`: the survey has no such question"),
            });
        }
        walk
    }
}

/// Whether an answer counts as given: any number, non-blank text, a non-empty list.
pub(crate) fn is_given(a: &Answer) -> bool {
    match a {
        Answer::Number(_) => true,
        Answer::Text(s) => !s.trim().is_empty(),
        Answer::Choices(cs) => !cs.is_empty(),
    }
}

fn problem(q: &Question, code: &str, message: String) -> AnswerProblem {
    AnswerProblem {
        question: q.id.clone(),
        code: code.to_owned(),
        message: format!("question `{}`: {message}", q.id),
    }
}

fn describe(a: &Answer) -> String {
    match a {
        Answer::Number(x) => format!("`{x}`"),
        Answer::Text(s) => format!("`{s}`"),
        Answer::Choices(cs) => format!("`{}`", cs.join(", ")),
    }
}

fn kind_of(a: &Answer) -> &'static str {
    match a {
        Answer::Number(_) => "a number",
        Answer::Text(_) => "text",
        Answer::Choices(_) => "a list of choices",
    }
}

/// Checks one given answer against its question.
fn check_answer<'a>(
    q: &Question,
    a: &'a Answer,
) -> std::result::Result<Checked<'a>, AnswerProblem> {
    let wrong = |expected: &str| {
        problem(
            q,
            "wrong_type",
            format!("expected {expected}, got {} {}", kind_of(a), describe(a)),
        )
    };
    match (&q.kind, a) {
        (kind, answer) if kind.scale().is_some() => {
            let Some((min, max)) = kind.scale() else {
                return Err(wrong("a score"));
            };
            let Answer::Number(x) = answer else {
                return Err(wrong(&format!("a score in {min}..={max}")));
            };
            let x = *x;
            if !x.is_finite() || x.fract() != 0.0 {
                return Err(problem(
                    q,
                    "wrong_type",
                    format!("score `{x}` is not a whole number"),
                ));
            }
            if x < f64::from(min) || x > f64::from(max) {
                return Err(problem(
                    q,
                    "out_of_range",
                    format!("score `{x}` is outside {min}..={max}"),
                ));
            }
            // In range of a u8 scale, so the conversion is exact.
            let s = u8::try_from(x as i64).map_err(|_| wrong("a score"))?;
            Ok(Checked::Scale(s))
        }
        (QuestionKind::SingleChoice { options }, Answer::Text(id)) => {
            if options.iter().any(|o| &o.id == id) {
                Ok(Checked::Choice(id))
            } else {
                Err(problem(
                    q,
                    "unknown_option",
                    format!("`{id}` is not one of the options"),
                ))
            }
        }
        (QuestionKind::SingleChoice { .. }, _) => Err(wrong("one option id")),
        (
            QuestionKind::MultiChoice {
                options,
                max_choices,
            },
            Answer::Choices(ids),
        ) => {
            let unknown: Vec<&str> = ids
                .iter()
                .filter(|id| !options.iter().any(|o| &o.id == *id))
                .map(String::as_str)
                .collect();
            if !unknown.is_empty() {
                return Err(problem(
                    q,
                    "unknown_option",
                    format!("`{}` not among the options", unknown.join("`, `")),
                ));
            }
            let mut seen = BTreeSet::new();
            if let Some(dup) = ids.iter().find(|id| !seen.insert(id.as_str())) {
                return Err(problem(
                    q,
                    "duplicate_choice",
                    format!("option `{dup}` is chosen more than once"),
                ));
            }
            if let Some(m) = max_choices
                && usize::try_from(*m).is_ok_and(|m| ids.len() > m)
            {
                return Err(problem(
                    q,
                    "too_many_choices",
                    format!(
                        "{} options chosen (`{}`), at most {m} allowed",
                        ids.len(),
                        ids.join(", ")
                    ),
                ));
            }
            Ok(Checked::Choices(ids.iter().map(String::as_str).collect()))
        }
        (QuestionKind::MultiChoice { .. }, _) => Err(wrong("a list of option ids")),
        (QuestionKind::Text { max_length }, Answer::Text(text)) => {
            let len = text.chars().count();
            match max_length {
                Some(m) if usize::try_from(*m).is_ok_and(|m| len > m) => Err(problem(
                    q,
                    "too_long",
                    format!("the text has {len} characters, at most {m} allowed"),
                )),
                _ => Ok(Checked::Text(text)),
            }
        }
        (QuestionKind::Text { .. }, _) => Err(wrong("text")),
        // Numeric kinds all have a scale (the first arm); this is unreachable for a checked
        // survey but answers "wrong type" rather than panicking.
        _ => Err(wrong("an answer of another kind")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nps() -> Question {
        Question::new("nps", "n", QuestionKind::Nps {})
    }

    #[test]
    fn given_answers() {
        assert!(is_given(&Answer::Number(0.0)));
        assert!(!is_given(&Answer::Text(" \t".into())));
        assert!(is_given(&Answer::Text("x".into())));
        assert!(!is_given(&Answer::Choices(vec![])));
    }

    #[test]
    fn scale_boundaries() {
        let q = nps();
        assert_eq!(
            check_answer(&q, &Answer::Number(0.0)),
            Ok(Checked::Scale(0))
        );
        assert_eq!(
            check_answer(&q, &Answer::Number(-0.0)),
            Ok(Checked::Scale(0))
        );
        assert_eq!(
            check_answer(&q, &Answer::Number(10.0)),
            Ok(Checked::Scale(10))
        );
        let p = check_answer(&q, &Answer::Number(1e300)).unwrap_err();
        assert_eq!(p.code, "out_of_range");
        let p = check_answer(&q, &Answer::Number(-1.0)).unwrap_err();
        assert_eq!(p.message, "question `nps`: score `-1` is outside 0..=10");
        let p = check_answer(&q, &Answer::Number(f64::NAN)).unwrap_err();
        assert_eq!(
            p.message,
            "question `nps`: score `NaN` is not a whole number"
        );
        let p = check_answer(&q, &Answer::Choices(vec!["9".into()])).unwrap_err();
        assert_eq!(
            p.message,
            "question `nps`: expected a score in 0..=10, got a list of choices `9`"
        );
    }

    #[test]
    fn text_length_counts_characters() {
        let q = Question::new(
            "t",
            "t",
            QuestionKind::Text {
                max_length: Some(3),
            },
        );
        assert!(check_answer(&q, &Answer::Text("äöü".into())).is_ok());
        assert_eq!(
            check_answer(&q, &Answer::Text("abcd".into()))
                .unwrap_err()
                .code,
            "too_long"
        );
    }
}
