//! Display logic: [`Condition`]s on earlier answers that decide whether a question is shown.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Answer;
use crate::survey::definition::{Question, QuestionKind};

/// The default deepest nesting of `all`/`any`/`not` a survey may use (raise it with
/// [`SurveyLimits::condition_depth`](crate::survey::SurveyLimits::condition_depth)).
pub const MAX_CONDITION_DEPTH: usize = 32;

/// A condition on earlier answers (the `show_if` of a [`Question`]).
///
/// JSON forms:
///
/// | JSON | holds when the answer to `q` ... |
/// |---|---|
/// | `{"question": "q", "equals": v}` | equals `v`; for a multiple-choice answer, `v` an option id: it is among the choices; `v` a list: the same set of choices |
/// | `{"question": "q", "in": [v, ...]}` | equals one of the values (as `equals`) |
/// | `{"question": "q", "less_than": x}` | is a number below `x` |
/// | `{"question": "q", "greater_than": x}` | is a number above `x` |
/// | `{"question": "q", "answered": b}` | is given (`true`) or not (`false`) |
/// | `{"all": [c, ...]}`, `{"any": [c, ...]}`, `{"not": c}` | combinations |
///
/// A question that is hidden, or not answered (an empty text or empty list of choices
/// counts as not answered), makes every comparison on it false; only `answered: false` holds.
/// `not` negates whatever its condition gives, so `{"not": {"question": "q", "less_than": 7}}`
/// holds when `q` was not answered.
///
/// ```
/// use cem_core::survey::Condition;
/// let c: Condition = serde_json::from_str(
///     r#"{"any": [{"question": "nps", "less_than": 7}, {"not": {"question": "csat", "answered": true}}]}"#,
/// ).unwrap();
/// assert_eq!(c, Condition::any(vec![
///     Condition::less_than("nps", 7.0),
///     Condition::not(Condition::answered("csat", true)),
/// ]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCondition", into = "RawCondition")]
pub enum Condition {
    /// The answer equals the value.
    Equals {
        /// The question asked about.
        question: String,
        /// The value compared with.
        value: Answer,
    },
    /// The answer equals one of the values.
    In {
        /// The question asked about.
        question: String,
        /// The values compared with.
        values: Vec<Answer>,
    },
    /// The answer is a number below the bound.
    LessThan {
        /// The question asked about.
        question: String,
        /// The (exclusive) bound.
        value: f64,
    },
    /// The answer is a number above the bound.
    GreaterThan {
        /// The question asked about.
        question: String,
        /// The (exclusive) bound.
        value: f64,
    },
    /// The question was answered (`true`) or not (`false`).
    Answered {
        /// The question asked about.
        question: String,
        /// Whether an answer is wanted.
        answered: bool,
    },
    /// Every condition holds.
    All(Vec<Condition>),
    /// At least one condition holds.
    Any(Vec<Condition>),
    /// The condition does not hold.
    Not(Box<Condition>),
}

impl Condition {
    /// `{"question": q, "equals": value}`.
    ///
    /// ```
    /// use cem_core::{model::Answer, survey::Condition};
    /// let c = Condition::equals("reason", Answer::Text("price".into()));
    /// assert!(serde_json::to_string(&c).unwrap().contains(r#""equals":"price""#));
    /// ```
    pub fn equals(question: impl Into<String>, value: Answer) -> Self {
        Condition::Equals {
            question: question.into(),
            value,
        }
    }

    /// `{"question": q, "in": values}`.
    ///
    /// ```
    /// use cem_core::{model::Answer, survey::Condition};
    /// let c = Condition::is_in("nps", vec![Answer::Number(9.0), Answer::Number(10.0)]);
    /// assert!(serde_json::to_string(&c).unwrap().contains(r#""in":[9.0,10.0]"#));
    /// ```
    pub fn is_in(question: impl Into<String>, values: Vec<Answer>) -> Self {
        Condition::In {
            question: question.into(),
            values,
        }
    }

    /// `{"question": q, "less_than": value}`.
    ///
    /// ```
    /// let c = cem_core::survey::Condition::less_than("nps", 7.0);
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"question":"nps","less_than":7.0}"#);
    /// ```
    pub fn less_than(question: impl Into<String>, value: f64) -> Self {
        Condition::LessThan {
            question: question.into(),
            value,
        }
    }

    /// `{"question": q, "greater_than": value}`.
    ///
    /// ```
    /// let c = cem_core::survey::Condition::greater_than("nps", 8.0);
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"question":"nps","greater_than":8.0}"#);
    /// ```
    pub fn greater_than(question: impl Into<String>, value: f64) -> Self {
        Condition::GreaterThan {
            question: question.into(),
            value,
        }
    }

    /// `{"question": q, "answered": answered}`.
    ///
    /// ```
    /// let c = cem_core::survey::Condition::answered("nps", false);
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"question":"nps","answered":false}"#);
    /// ```
    pub fn answered(question: impl Into<String>, answered: bool) -> Self {
        Condition::Answered {
            question: question.into(),
            answered,
        }
    }

    /// `{"all": conditions}`.
    ///
    /// ```
    /// use cem_core::survey::Condition;
    /// let c = Condition::all(vec![Condition::answered("a", true)]);
    /// assert!(serde_json::to_string(&c).unwrap().starts_with(r#"{"all":["#));
    /// ```
    pub fn all(conditions: Vec<Condition>) -> Self {
        Condition::All(conditions)
    }

    /// `{"any": conditions}`.
    ///
    /// ```
    /// use cem_core::survey::Condition;
    /// let c = Condition::any(vec![Condition::answered("a", true)]);
    /// assert!(serde_json::to_string(&c).unwrap().starts_with(r#"{"any":["#));
    /// ```
    pub fn any(conditions: Vec<Condition>) -> Self {
        Condition::Any(conditions)
    }

    /// `{"not": condition}`.
    ///
    /// ```
    /// use cem_core::survey::Condition;
    /// let c = Condition::not(Condition::answered("a", true));
    /// assert!(serde_json::to_string(&c).unwrap().starts_with(r#"{"not":{"#));
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn not(condition: Condition) -> Self {
        Condition::Not(Box::new(condition))
    }

    /// Evaluates the condition; `given` holds the answers of the questions shown so far
    /// that were actually answered (non-empty).
    pub(crate) fn eval(&self, given: &BTreeMap<&str, &Answer>) -> bool {
        let get = |q: &String| given.get(q.as_str()).copied();
        match self {
            Condition::Equals { question, value } => {
                get(question).is_some_and(|a| answer_equals(a, value))
            }
            Condition::In { question, values } => {
                get(question).is_some_and(|a| values.iter().any(|v| answer_equals(a, v)))
            }
            Condition::LessThan { question, value } => {
                matches!(get(question), Some(Answer::Number(x)) if x < value)
            }
            Condition::GreaterThan { question, value } => {
                matches!(get(question), Some(Answer::Number(x)) if x > value)
            }
            Condition::Answered { question, answered } => get(question).is_some() == *answered,
            Condition::All(cs) => cs.iter().all(|c| c.eval(given)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(given)),
            Condition::Not(c) => !c.eval(given),
        }
    }

    /// Checks the condition of question `owner`, which may only look at `earlier` questions.
    pub(crate) fn check(
        &self,
        owner: &str,
        earlier: &[Question],
        all: &[Question],
        max_depth: usize,
    ) -> Result<()> {
        self.check_at(owner, earlier, all, 1, max_depth)
    }

    fn check_at(
        &self,
        owner: &str,
        earlier: &[Question],
        all: &[Question],
        depth: usize,
        max_depth: usize,
    ) -> Result<()> {
        let bad = |msg: String| Err(Error::survey(Some(owner), format!("`show_if` {msg}")));
        if depth > max_depth {
            return Err(Error::limit_exceeded(
                format!("the nesting of `show_if` in question `{owner}`"),
                format!("{max_depth} levels"),
                format!("at least {depth} levels"),
            ));
        }
        let target = |q: &str| -> Result<&Question> {
            if let Some(found) = earlier.iter().find(|e| e.id == q) {
                Ok(found)
            } else if q == owner {
                Err(Error::survey(
                    Some(owner),
                    "`show_if` refers to the question itself",
                ))
            } else if all.iter().any(|e| e.id == q) {
                Err(Error::survey(
                    Some(owner),
                    format!("`show_if` refers to question `{q}`, which comes later"),
                ))
            } else {
                Err(Error::survey(
                    Some(owner),
                    format!("`show_if` refers to unknown question `{q}`"),
                ))
            }
        };
        match self {
            Condition::Equals { question, value } => check_value(owner, target(question)?, value),
            Condition::In { question, values } => {
                let t = target(question)?;
                if values.is_empty() {
                    return bad(format!("has an empty `in` list for question `{question}`"));
                }
                values.iter().try_for_each(|v| check_value(owner, t, v))
            }
            Condition::LessThan { question, value }
            | Condition::GreaterThan { question, value } => {
                let t = target(question)?;
                if t.kind.scale().is_none() {
                    return bad(format!(
                        "compares question `{question}` with a number, but its answers are not numbers ({})",
                        t.kind.name()
                    ));
                }
                if !value.is_finite() {
                    return bad(format!(
                        "compares question `{question}` with `{value}`, which is not a finite number"
                    ));
                }
                Ok(())
            }
            Condition::Answered { question, .. } => target(question).map(|_| ()),
            Condition::All(cs) | Condition::Any(cs) => {
                if cs.is_empty() {
                    let which = if matches!(self, Condition::All(_)) {
                        "all"
                    } else {
                        "any"
                    };
                    return bad(format!("has an empty `{which}` list"));
                }
                cs.iter()
                    .try_for_each(|c| c.check_at(owner, earlier, all, depth + 1, max_depth))
            }
            Condition::Not(c) => c.check_at(owner, earlier, all, depth + 1, max_depth),
        }
    }
}

/// Whether answer `a` "equals" condition value `v` (see [`Condition`]).
fn answer_equals(a: &Answer, v: &Answer) -> bool {
    match (a, v) {
        (Answer::Number(x), Answer::Number(y)) => x == y,
        (Answer::Text(x), Answer::Text(y)) => x == y,
        (Answer::Choices(xs), Answer::Text(y)) => xs.contains(y),
        (Answer::Choices(xs), Answer::Choices(ys)) => {
            xs.iter().all(|x| ys.contains(x)) && ys.iter().all(|y| xs.contains(y))
        }
        _ => false,
    }
}

/// Checks that `value` can be compared with the answers of question `t`.
fn check_value(owner: &str, t: &Question, value: &Answer) -> Result<()> {
    let bad = |msg: String| {
        Err(Error::survey(
            Some(owner),
            format!("`show_if` compares question `{}` with {msg}", t.id),
        ))
    };
    let unknown_option = |id: &str| {
        t.kind
            .options()
            .is_some_and(|opts| !opts.iter().any(|o| o.id == id))
    };
    match (&t.kind, value) {
        (k, Answer::Number(x)) if k.scale().is_some() => {
            if x.is_finite() {
                Ok(())
            } else {
                bad(format!("`{x}`, which is not a finite number"))
            }
        }
        (
            QuestionKind::SingleChoice { .. } | QuestionKind::MultiChoice { .. },
            Answer::Text(id),
        ) => {
            if unknown_option(id) {
                bad(format!("`{id}`, which is not one of its options"))
            } else {
                Ok(())
            }
        }
        (QuestionKind::MultiChoice { .. }, Answer::Choices(ids)) => {
            match ids.iter().find(|id| unknown_option(id)) {
                Some(id) => bad(format!("`{id}`, which is not one of its options")),
                None => Ok(()),
            }
        }
        (QuestionKind::Text { .. }, Answer::Text(_)) => Ok(()),
        (k, v) => bad(format!(
            "{}, which does not fit its answers ({})",
            describe_value(v),
            k.name()
        )),
    }
}

fn describe_value(v: &Answer) -> String {
    match v {
        Answer::Number(x) => format!("the number `{x}`"),
        Answer::Text(s) => format!("the text `{s}`"),
        Answer::Choices(cs) => format!("the list `{}`", cs.join(", ")),
    }
}

/// The JSON shape of a [`Condition`]: exactly one operator (with `question` for the
/// comparisons).
#[derive(Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    question: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    equals: Option<Answer>,
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    in_: Option<Vec<Answer>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    less_than: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    greater_than: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    answered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Condition>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Condition>>,
}

impl TryFrom<RawCondition> for Condition {
    type Error = Error;
    fn try_from(raw: RawCondition) -> Result<Self> {
        let mut ops: Vec<&str> = Vec::new();
        for (name, present) in [
            ("equals", raw.equals.is_some()),
            ("in", raw.in_.is_some()),
            ("less_than", raw.less_than.is_some()),
            ("greater_than", raw.greater_than.is_some()),
            ("answered", raw.answered.is_some()),
            ("all", raw.all.is_some()),
            ("any", raw.any.is_some()),
            ("not", raw.not.is_some()),
        ] {
            if present {
                ops.push(name);
            }
        }
        let [op] = ops.as_slice() else {
            return Err(Error::survey(
                None,
                format!(
                    "a condition needs exactly one of `equals`, `in`, `less_than`, `greater_than`, `answered`, `all`, `any`, `not`; got {}",
                    if ops.is_empty() {
                        "none".to_owned()
                    } else {
                        format!("`{}`", ops.join("`, `"))
                    }
                ),
            ));
        };
        let combinator = matches!(*op, "all" | "any" | "not");
        let question = match (raw.question, combinator) {
            (Some(q), false) => q,
            (None, true) => String::new(),
            (Some(q), true) => {
                return Err(Error::survey(
                    None,
                    format!("a condition with `{op}` takes no `question` (got `{q}`)"),
                ));
            }
            (None, false) => {
                return Err(Error::survey(
                    None,
                    format!("a condition with `{op}` needs a `question`"),
                ));
            }
        };
        let cond = if let Some(value) = raw.equals {
            Condition::Equals { question, value }
        } else if let Some(values) = raw.in_ {
            Condition::In { question, values }
        } else if let Some(value) = raw.less_than {
            Condition::LessThan { question, value }
        } else if let Some(value) = raw.greater_than {
            Condition::GreaterThan { question, value }
        } else if let Some(answered) = raw.answered {
            Condition::Answered { question, answered }
        } else if let Some(all) = raw.all {
            Condition::All(all)
        } else if let Some(any) = raw.any {
            Condition::Any(any)
        } else if let Some(not) = raw.not {
            Condition::Not(not)
        } else {
            return Err(Error::survey(None, "a condition needs an operator"));
        };
        Ok(cond)
    }
}

impl From<Condition> for RawCondition {
    fn from(c: Condition) -> Self {
        let mut raw = RawCondition::default();
        match c {
            Condition::Equals { question, value } => {
                raw.question = Some(question);
                raw.equals = Some(value);
            }
            Condition::In { question, values } => {
                raw.question = Some(question);
                raw.in_ = Some(values);
            }
            Condition::LessThan { question, value } => {
                raw.question = Some(question);
                raw.less_than = Some(value);
            }
            Condition::GreaterThan { question, value } => {
                raw.question = Some(question);
                raw.greater_than = Some(value);
            }
            Condition::Answered { question, answered } => {
                raw.question = Some(question);
                raw.answered = Some(answered);
            }
            Condition::All(cs) => raw.all = Some(cs),
            Condition::Any(cs) => raw.any = Some(cs),
            Condition::Not(c) => raw.not = Some(c),
        }
        raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Answer {
        Answer::Text(s.to_owned())
    }

    fn list(xs: &[&str]) -> Answer {
        Answer::Choices(xs.iter().map(|x| (*x).to_owned()).collect())
    }

    #[test]
    fn equality_across_answer_shapes() {
        assert!(answer_equals(&Answer::Number(7.0), &Answer::Number(7.0)));
        assert!(!answer_equals(&Answer::Number(7.0), &t("7")));
        assert!(answer_equals(&t("a"), &t("a")));
        assert!(!answer_equals(&t("a"), &list(&["a"])));
        assert!(answer_equals(&list(&["a", "b"]), &t("b")));
        assert!(answer_equals(&list(&["a", "b"]), &list(&["b", "a"])));
        assert!(!answer_equals(&list(&["a", "b"]), &list(&["a"])));
        assert!(!answer_equals(&list(&["a"]), &list(&["a", "b"])));
    }

    #[test]
    fn raw_conditions_need_exactly_one_operator() {
        let err = Condition::try_from(RawCondition {
            question: Some("q".into()),
            less_than: Some(1.0),
            answered: Some(true),
            ..RawCondition::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a condition needs exactly one of `equals`, `in`, `less_than`, `greater_than`, `answered`, `all`, `any`, `not`; got `less_than`, `answered`"
        );
        let err = Condition::try_from(RawCondition::default()).unwrap_err();
        assert!(err.to_string().ends_with("got none"), "{err}");
        let err = Condition::try_from(RawCondition {
            answered: Some(true),
            ..RawCondition::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "a condition with `answered` needs a `question`"
        );
    }

    #[test]
    fn eval_uses_only_given_answers() {
        let nine = Answer::Number(9.0);
        let given = BTreeMap::from([("nps", &nine)]);
        assert!(Condition::greater_than("nps", 8.5).eval(&given));
        assert!(!Condition::less_than("nps", 9.0).eval(&given));
        assert!(Condition::answered("csat", false).eval(&given));
        assert!(!Condition::equals("csat", Answer::Number(9.0)).eval(&given));
        assert!(Condition::not(Condition::equals("csat", Answer::Number(9.0))).eval(&given));
        assert!(!Condition::any(vec![Condition::answered("csat", true)]).eval(&given));
    }

    #[test]
    fn check_limits_depth_without_recursing_further() {
        let q = Question::new("nps", "n", QuestionKind::Nps {});
        let mut c = Condition::answered("nps", true);
        for _ in 0..MAX_CONDITION_DEPTH - 1 {
            c = Condition::not(c);
        }
        assert!(
            c.check(
                "x",
                std::slice::from_ref(&q),
                std::slice::from_ref(&q),
                MAX_CONDITION_DEPTH
            )
            .is_ok()
        );
        let c = Condition::not(c);
        let err = c
            .check(
                "x",
                std::slice::from_ref(&q),
                std::slice::from_ref(&q),
                MAX_CONDITION_DEPTH,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the nesting of `show_if` in question `x` exceeds the limit of 32 levels: at least 33 levels"
        );
        let nan = Condition::less_than("nps", f64::NAN);
        assert!(
            nan.check(
                "x",
                std::slice::from_ref(&q),
                std::slice::from_ref(&q),
                MAX_CONDITION_DEPTH
            )
            .is_err()
        );
    }
}
