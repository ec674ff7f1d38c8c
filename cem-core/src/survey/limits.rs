//! [`SurveyLimits`]: how large a survey definition from an untrusted source may be.

use crate::survey::condition::MAX_CONDITION_DEPTH;

/// Size limits for survey definitions, so that a definition typed by a stranger cannot make
/// a service spend unbounded memory or time. [`Survey::from_json`](crate::survey::Survey::from_json)
/// and [`Survey::check`](crate::survey::Survey::check) apply the defaults; pass your own to
/// [`Survey::from_json_with`](crate::survey::Survey::from_json_with) to raise them. Going over
/// a limit is [`Error::LimitExceeded`](crate::Error::LimitExceeded), naming the limit.
///
/// | limit | default |
/// |---|---|
/// | `json_bytes` — length of the JSON text | 1 MiB |
/// | `questions` — questions per survey | 500 |
/// | `options` — options per choice question | 1 000 |
/// | `condition_depth` — nesting of `all`/`any`/`not` in `show_if` | 32 |
///
/// The JSON parser itself refuses nesting deeper than 128 levels (an [`Error::Json`](crate::Error::Json)),
/// whatever the limits say.
///
/// ```
/// use cem_core::survey::SurveyLimits;
/// let roomy = SurveyLimits { questions: 5_000, ..SurveyLimits::default() };
/// assert_eq!(roomy.options, 1_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyLimits {
    /// Longest JSON text accepted, in bytes.
    pub json_bytes: usize,
    /// Most questions in one survey.
    pub questions: usize,
    /// Most options in one choice question.
    pub options: usize,
    /// Deepest nesting of display-logic conditions.
    pub condition_depth: usize,
}

impl Default for SurveyLimits {
    fn default() -> Self {
        SurveyLimits {
            json_bytes: 1 << 20,
            questions: 500,
            options: 1_000,
            condition_depth: MAX_CONDITION_DEPTH,
        }
    }
}
