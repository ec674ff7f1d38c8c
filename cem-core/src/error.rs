//! The one error type of the crate.
//!
//! Every fallible function in cem returns [`Result<T>`](crate::Result). An [`Error`] says
//! what was wrong in words a user can act on (lowercase, the offending value in backticks),
//! and [`Error::kind`] gives a machine-readable [`ErrorKind`] with a stable
//! [`code`](ErrorKind::code) that the Python and JavaScript bindings map to exception classes
//! and `Error.code` values — bindings never parse messages.

use serde::{Deserialize, Serialize};

/// A `Result` whose error is cem's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in cem.
///
/// # Example
///
/// ```
/// use cem_core::metrics::Nps;
/// use cem_core::ErrorKind;
///
/// let mut nps = Nps::new();
/// let err = nps.push(11).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::OutOfRange);
/// assert_eq!(err.to_string(), "NPS score `11` is outside 0..=10");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value lies outside the range its field allows.
    #[error("{field} `{value}` is outside {expected}")]
    OutOfRange {
        /// What the value is (`NPS score`, `confidence`, ...).
        field: String,
        /// The offending value, as text.
        value: String,
        /// The allowed range, as text (`0..=10`, `(0, 1)`).
        expected: String,
    },
    /// A number that must be finite (and sometimes non-negative or positive) is not.
    #[error("{field} `{value}` {reason}")]
    InvalidNumber {
        /// What the value is (`weight at position 3`, `value`).
        field: String,
        /// The offending value, as text.
        value: String,
        /// Why it is rejected (`is not a finite number`, `is negative`).
        reason: String,
    },
    /// There is nothing to compute from: an estimate of no observations, an empty group.
    #[error("{what} is empty: {why}")]
    Empty {
        /// What is empty.
        what: String,
        /// What needed it not to be.
        why: String,
    },
    /// Two inputs that must have the same length do not.
    #[error("`{left}` has {left_len} values but `{right}` has {right_len}")]
    LengthMismatch {
        /// Name of the first input.
        left: String,
        /// Its length.
        left_len: usize,
        /// Name of the second input.
        right: String,
        /// Its length.
        right_len: usize,
    },
    /// Two accumulators or settings that must agree do not (for example merging a CSAT
    /// accumulator on a 1–5 scale into one on a 1–7 scale).
    #[error("cannot combine: {0}")]
    Incompatible(String),
    /// An argument has a value the function does not accept.
    #[error("invalid `{name}`: {reason}")]
    InvalidArgument {
        /// The argument's name.
        name: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A survey definition is malformed.
    #[error("{}", survey_message(.question.as_deref(), .message))]
    InvalidSurvey {
        /// The question at fault, if the problem is in one question.
        question: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// A set of answers does not satisfy its survey; holds every problem found.
    #[error("{}", answers_message(.0))]
    InvalidAnswers(Vec<AnswerProblem>),
    /// Text that should be JSON (or of a given JSON shape) is not.
    #[error("malformed JSON: {0}")]
    Json(String),
    /// An iterative method stopped before it converged.
    #[error("{what} did not converge after {iterations} iterations (last change {change:e})")]
    NotConverged {
        /// The method.
        what: String,
        /// Iterations performed.
        iterations: usize,
        /// The size of the last step, in the method's own measure.
        change: f64,
    },
    /// The quantity is mathematically undefined for this input (for example the interval of
    /// a mean of one observation).
    #[error("undefined: {0}")]
    Undefined(String),
    /// Serialized state (an accumulator sent by a browser or another worker) that fails its
    /// consistency checks or carries a format version this build does not know. Such state
    /// is rejected before it can be merged into anything.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// An input exceeds a documented resource limit (each limit has a default the caller can
    /// raise), or a count would no longer fit its integer type.
    #[error("{what} exceeds the limit of {limit}: {got}")]
    LimitExceeded {
        /// What was counted (for example `survey questions`).
        what: String,
        /// The limit in force.
        limit: String,
        /// What the input asked for.
        got: String,
    },
    /// An alert rule is malformed; names the rule and the field at fault.
    #[error("rule `{rule}`: {message}")]
    InvalidRule {
        /// The rule's name (or its position, `#3`, when it has none).
        rule: String,
        /// What is wrong, naming the field.
        message: String,
    },
    /// A case cannot move from its status to the one asked for.
    #[error("case `{case}` cannot go from `{from}` to `{to}`: {reason}")]
    IllegalTransition {
        /// The case's id.
        case: String,
        /// Its current status.
        from: String,
        /// The status asked for.
        to: String,
        /// Why not (the allowed moves, or the conflict).
        reason: String,
    },
    /// Input that must come in time order does not.
    #[error("{what} at `{got}` comes before the previous one at `{previous}`")]
    OutOfOrder {
        /// What arrived out of order (`response at position 3`).
        what: String,
        /// The time of the previous item.
        previous: String,
        /// The time of the offending item.
        got: String,
    },
    /// A survey orchestration rule set is malformed; names the rule and the field at fault.
    /// Its kind is [`ErrorKind::InvalidRule`], as for alert rules.
    #[error("{}", rules_message(.rule.as_deref(), .field.as_deref(), .message))]
    InvalidRules {
        /// The trigger at fault (its id, or `#i` when it has none), if the problem is in one.
        rule: Option<String>,
        /// The field at fault (`sample`, `quarantine.for`), if known.
        field: Option<String>,
        /// What is wrong.
        message: String,
    },
}

/// One problem found by [`Survey::validate`](crate::survey::Survey::validate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnswerProblem {
    /// The question the problem is about.
    pub question: String,
    /// A stable code: `unknown_question`, `missing_required`, `out_of_range`, `wrong_type`,
    /// `hidden_question`, `unknown_option`, `too_many_choices`, `duplicate_choice` (an
    /// option chosen twice), `too_long` (text over the question's `max_length`).
    pub code: String,
    /// A readable message naming the question and the value.
    pub message: String,
}

/// The kind of an [`Error`], for programs that branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// See [`Error::OutOfRange`].
    OutOfRange,
    /// See [`Error::InvalidNumber`].
    InvalidNumber,
    /// See [`Error::Empty`].
    Empty,
    /// See [`Error::LengthMismatch`].
    LengthMismatch,
    /// See [`Error::Incompatible`].
    Incompatible,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::InvalidSurvey`].
    InvalidSurvey,
    /// See [`Error::InvalidAnswers`].
    InvalidAnswers,
    /// See [`Error::Json`].
    Json,
    /// See [`Error::NotConverged`].
    NotConverged,
    /// See [`Error::Undefined`].
    Undefined,
    /// See [`Error::InvalidState`].
    InvalidState,
    /// See [`Error::LimitExceeded`].
    LimitExceeded,
    /// See [`Error::InvalidRule`].
    InvalidRule,
    /// See [`Error::IllegalTransition`].
    IllegalTransition,
    /// See [`Error::OutOfOrder`].
    OutOfOrder,
}

impl ErrorKind {
    /// Every kind, so bindings can check at compile and test time that they map each one.
    ///
    /// ```
    /// assert!(cem_core::ErrorKind::ALL.iter().all(|k| !k.code().is_empty()));
    /// ```
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::OutOfRange,
        ErrorKind::InvalidNumber,
        ErrorKind::Empty,
        ErrorKind::LengthMismatch,
        ErrorKind::Incompatible,
        ErrorKind::InvalidArgument,
        ErrorKind::InvalidSurvey,
        ErrorKind::InvalidAnswers,
        ErrorKind::Json,
        ErrorKind::NotConverged,
        ErrorKind::Undefined,
        ErrorKind::InvalidState,
        ErrorKind::LimitExceeded,
        ErrorKind::InvalidRule,
        ErrorKind::IllegalTransition,
        ErrorKind::OutOfOrder,
    ];

    /// A stable snake_case code, used as `Error.code` in JavaScript and to pick the
    /// exception class in Python.
    ///
    /// ```
    /// assert_eq!(cem_core::ErrorKind::OutOfRange.code(), "out_of_range");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::OutOfRange => "out_of_range",
            ErrorKind::InvalidNumber => "invalid_number",
            ErrorKind::Empty => "empty",
            ErrorKind::LengthMismatch => "length_mismatch",
            ErrorKind::Incompatible => "incompatible",
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::InvalidSurvey => "invalid_survey",
            ErrorKind::InvalidAnswers => "invalid_answers",
            ErrorKind::Json => "json",
            ErrorKind::NotConverged => "not_converged",
            ErrorKind::Undefined => "undefined",
            ErrorKind::InvalidState => "invalid_state",
            ErrorKind::LimitExceeded => "limit_exceeded",
            ErrorKind::InvalidRule => "invalid_rule",
            ErrorKind::IllegalTransition => "illegal_transition",
            ErrorKind::OutOfOrder => "out_of_order",
        }
    }

    /// Whether the error is about the caller's input (these subclass `ValueError` in Python).
    ///
    /// ```
    /// assert!(cem_core::ErrorKind::OutOfRange.is_validation());
    /// assert!(!cem_core::ErrorKind::NotConverged.is_validation());
    /// ```
    pub fn is_validation(self) -> bool {
        !matches!(self, ErrorKind::NotConverged | ErrorKind::Undefined)
    }
}

impl Error {
    /// The machine-readable kind of this error.
    ///
    /// ```
    /// let err = cem_core::metrics::Nps::new().estimate(0.95).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::Empty);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::OutOfRange { .. } => ErrorKind::OutOfRange,
            Error::InvalidNumber { .. } => ErrorKind::InvalidNumber,
            Error::Empty { .. } => ErrorKind::Empty,
            Error::LengthMismatch { .. } => ErrorKind::LengthMismatch,
            Error::Incompatible(_) => ErrorKind::Incompatible,
            Error::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            Error::InvalidSurvey { .. } => ErrorKind::InvalidSurvey,
            Error::InvalidAnswers(_) => ErrorKind::InvalidAnswers,
            Error::Json(_) => ErrorKind::Json,
            Error::NotConverged { .. } => ErrorKind::NotConverged,
            Error::Undefined(_) => ErrorKind::Undefined,
            Error::InvalidState(_) => ErrorKind::InvalidState,
            Error::LimitExceeded { .. } => ErrorKind::LimitExceeded,
            Error::InvalidRule { .. } => ErrorKind::InvalidRule,
            Error::IllegalTransition { .. } => ErrorKind::IllegalTransition,
            Error::OutOfOrder { .. } => ErrorKind::OutOfOrder,
            Error::InvalidRules { .. } => ErrorKind::InvalidRule,
        }
    }

    /// The same error with the row it came from: an [`Error::InvalidNumber`] about
    /// `frequency` becomes one about `frequency at row 3`; other kinds are returned as they
    /// are. For code that applies a per-value function down a column.
    ///
    /// ```
    /// use cem_core::clv::{FittedGammaGamma, GammaGammaParams};
    ///
    /// let model = FittedGammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 })?;
    /// let err = model.expected_value(-1.0, 5.0).unwrap_err().at_row(3);
    /// assert!(err.to_string().starts_with("frequency at row 3"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    #[must_use]
    pub fn at_row(self, row: usize) -> Error {
        match self {
            Error::InvalidNumber {
                field,
                value,
                reason,
            } => Error::InvalidNumber {
                field: format!("{field} at row {row}"),
                value,
                reason,
            },
            other => other,
        }
    }

    pub(crate) fn out_of_range(
        field: impl Into<String>,
        value: impl ToString,
        expected: impl Into<String>,
    ) -> Self {
        Error::OutOfRange {
            field: field.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }

    pub(crate) fn invalid_number(
        field: impl Into<String>,
        value: impl ToString,
        reason: impl Into<String>,
    ) -> Self {
        Error::InvalidNumber {
            field: field.into(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn empty(what: impl Into<String>, why: impl Into<String>) -> Self {
        Error::Empty {
            what: what.into(),
            why: why.into(),
        }
    }

    pub(crate) fn limit_exceeded(
        what: impl Into<String>,
        limit: impl ToString,
        got: impl ToString,
    ) -> Self {
        Error::LimitExceeded {
            what: what.into(),
            limit: limit.to_string(),
            got: got.to_string(),
        }
    }

    pub(crate) fn invalid_argument(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            reason: reason.into(),
        }
    }

    pub(crate) fn length_mismatch(
        left: impl Into<String>,
        left_len: usize,
        right: impl Into<String>,
        right_len: usize,
    ) -> Self {
        Error::LengthMismatch {
            left: left.into(),
            left_len,
            right: right.into(),
            right_len,
        }
    }

    pub(crate) fn rules(
        rule: Option<&str>,
        field: Option<&str>,
        message: impl Into<String>,
    ) -> Self {
        Error::InvalidRules {
            rule: rule.map(str::to_owned),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }

    pub(crate) fn rule(rule: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidRule {
            rule: rule.into(),
            message: message.into(),
        }
    }

    pub(crate) fn survey(question: Option<&str>, message: impl Into<String>) -> Self {
        Error::InvalidSurvey {
            question: question.map(str::to_owned),
            message: message.into(),
        }
    }
}

impl From<serde_json::Error> for Error {
    /// JSON that does not parse is [`Error::Json`]; JSON that parses into state failing its
    /// checks (see [`crate::state`]) keeps its kind, [`Error::InvalidState`].
    fn from(e: serde_json::Error) -> Self {
        let text = e.to_string();
        match text.strip_prefix(INVALID_STATE) {
            Some(rest) if e.is_data() => Error::InvalidState(rest.to_owned()),
            _ => Error::Json(text),
        }
    }
}

/// How [`Error::InvalidState`] displays, and so how serde reports it inside a JSON error.
const INVALID_STATE: &str = "invalid state: ";

/// Checks a confidence level: it must lie strictly between 0 and 1.
pub(crate) fn check_confidence(confidence: f64) -> Result<()> {
    if confidence.is_finite() && confidence > 0.0 && confidence < 1.0 {
        Ok(())
    } else {
        Err(Error::out_of_range("confidence", confidence, "(0, 1)"))
    }
}

/// Checks a survey weight: finite and non-negative.
pub(crate) fn check_weight(weight: f64) -> Result<()> {
    if !weight.is_finite() {
        Err(Error::invalid_number(
            "weight",
            weight,
            "is not a finite number",
        ))
    } else if weight < 0.0 {
        Err(Error::invalid_number("weight", weight, "is negative"))
    } else {
        Ok(())
    }
}

fn survey_message(question: Option<&str>, message: &str) -> String {
    match question {
        Some(q) => format!("question `{q}`: {message}"),
        None => message.to_owned(),
    }
}

fn rules_message(rule: Option<&str>, field: Option<&str>, message: &str) -> String {
    match (rule, field) {
        (Some(r), Some(f)) => format!("rule `{r}`, field `{f}`: {message}"),
        (Some(r), None) => format!("rule `{r}`: {message}"),
        (None, Some(f)) => format!("field `{f}`: {message}"),
        (None, None) => message.to_owned(),
    }
}

fn answers_message(problems: &[AnswerProblem]) -> String {
    let mut out = format!("{} problem(s) in the answers", problems.len());
    for (i, p) in problems.iter().enumerate() {
        out.push_str(if i == 0 { ": " } else { "; " });
        out.push_str(&p.message);
    }
    out
}
