//! Per-question accumulators of a [`SurveyAggregate`](crate::survey::SurveyAggregate).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_weight};
use crate::metrics::{Ces, Csat, Nps, Proportion, ScaleCounts};
use crate::state::at_most;
use crate::survey::definition::{ChoiceOption, Question, QuestionKind};
use crate::survey::score::ScoreValue;
use crate::survey::summary::{OptionSummary, optional};

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

impl ChoiceCounts {
    pub(super) fn new(options: &[ChoiceOption]) -> Self {
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

    pub(super) fn push(&mut self, chosen: &[&str], weight: f64) -> Result<()> {
        for o in &mut self.options {
            o.chosen
                .push_weighted(chosen.contains(&o.option.as_str()), weight)?;
        }
        self.respondents += 1;
        self.weight += weight;
        Ok(())
    }

    pub(super) fn merge(&mut self, other: &ChoiceCounts) -> Result<()> {
        for (a, b) in self.options.iter_mut().zip(&other.options) {
            a.chosen.merge(&b.chosen)?;
        }
        self.respondents += other.respondents;
        self.weight += other.weight;
        Ok(())
    }

    /// Respondents and their weight, after checking that deserialized counts agree with
    /// each other: every option counts every respondent (chosen or not) with the question's
    /// weight, and a single-choice question has exactly one choice per respondent, a
    /// multiple-choice one at least one. The error completes "question `q` …".
    fn checked_totals(&self, single: bool) -> std::result::Result<(u64, f64), String> {
        let (r, w) = (self.respondents, self.weight);
        check_weight(w).map_err(|e| format!("has {e}"))?;
        if r == 0 && w != 0.0 {
            return Err(format!("has weight {w} but no respondents"));
        }
        let mut choices: u128 = 0;
        for o in &self.options {
            if o.chosen.n() != r {
                return Err(format!(
                    "has {r} respondents but option `{}` counts {}",
                    o.option,
                    o.chosen.n()
                ));
            }
            let ow = o.chosen.counts().total_weight();
            if !(at_most(ow, w) && at_most(w, ow)) {
                return Err(format!(
                    "has weight {w} but option `{}` counts weight {ow}",
                    o.option
                ));
            }
            choices += u128::from(o.chosen.successes());
        }
        if single && choices != u128::from(r) {
            return Err(format!(
                "has {choices} choices from {r} respondents, but one choice each"
            ));
        }
        if !single && choices < u128::from(r) {
            return Err(format!(
                "has {choices} choices from {r} respondents, but at least one each"
            ));
        }
        Ok((r, w))
    }

    pub(super) fn same_options(&self, other: &ChoiceCounts) -> bool {
        self.options().eq(other.options())
    }

    pub(super) fn summary(&self, confidence: f64) -> Result<Vec<OptionSummary>> {
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
    pub(super) fn scale_counts(&self) -> Option<&ScaleCounts> {
        match self {
            QuestionTally::Nps(m) => Some(m.counts()),
            QuestionTally::Csat(m) => Some(m.counts()),
            QuestionTally::Ces(m) => Some(m.counts()),
            QuestionTally::Likert(c) | QuestionTally::Rating(c) => Some(c),
            _ => None,
        }
    }

    pub(super) fn push(&mut self, value: &ScoreValue, weight: f64) -> Result<()> {
        match (self, value) {
            (QuestionTally::Nps(m), ScoreValue::Nps { score, .. }) => {
                m.push_weighted(*score, weight)
            }
            (QuestionTally::Csat(m), ScoreValue::Csat { score, .. }) => {
                m.push_weighted(*score, weight)
            }
            (QuestionTally::Ces(m), ScoreValue::Ces { score, .. }) => {
                m.push_weighted(*score, weight)
            }
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
            (
                QuestionTally::Text {
                    answered,
                    weight: w,
                },
                ScoreValue::Text { .. },
            ) => {
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

    /// Number of answers and their total weight, after checking that a deserialized tally
    /// agrees with itself (histograms are checked when they are read). The error completes
    /// "question `q` …".
    pub(super) fn checked_totals(&self) -> std::result::Result<(u64, f64), String> {
        let of = |c: &ScaleCounts| Ok((c.n(), c.total_weight()));
        match self {
            QuestionTally::Nps(m) => of(m.counts()),
            QuestionTally::Csat(m) => of(m.counts()),
            QuestionTally::Ces(m) => of(m.counts()),
            QuestionTally::Likert(c) | QuestionTally::Rating(c) => of(c),
            QuestionTally::SingleChoice(c) => c.checked_totals(true),
            QuestionTally::MultiChoice(c) => c.checked_totals(false),
            QuestionTally::Text { answered, weight } => {
                check_weight(*weight).map_err(|e| format!("has {e}"))?;
                if *answered == 0 && *weight != 0.0 {
                    return Err(format!("has weight {weight} but no answers"));
                }
                Ok((*answered, *weight))
            }
        }
    }

    pub(super) fn kind_name(&self) -> &'static str {
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
    pub(super) fn same_shape(&self, other: &QuestionTally) -> bool {
        let bounds = |c: &ScaleCounts| (c.min(), c.max());
        match (self, other) {
            (QuestionTally::Nps(_), QuestionTally::Nps(_)) => true,
            (QuestionTally::Csat(a), QuestionTally::Csat(b)) => {
                (a.max(), a.top()) == (b.max(), b.top())
            }
            (QuestionTally::Ces(a), QuestionTally::Ces(b)) => a.scale() == b.scale(),
            (QuestionTally::Likert(a), QuestionTally::Likert(b))
            | (QuestionTally::Rating(a), QuestionTally::Rating(b)) => bounds(a) == bounds(b),
            (QuestionTally::SingleChoice(a), QuestionTally::SingleChoice(b))
            | (QuestionTally::MultiChoice(a), QuestionTally::MultiChoice(b)) => a.same_options(b),
            (QuestionTally::Text { .. }, QuestionTally::Text { .. }) => true,
            _ => false,
        }
    }

    pub(super) fn merge(&mut self, other: &QuestionTally) -> Result<()> {
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
pub(super) fn fresh_tally(q: &Question) -> QuestionTally {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Vec<ChoiceOption> {
        vec![ChoiceOption::new("a", "A"), ChoiceOption::new("b", "B")]
    }

    #[test]
    fn weighted_choice_shares() {
        let mut c = ChoiceCounts::new(&options());
        c.push(&["a"], 3.0).unwrap();
        c.push(&["a", "b"], 1.0).unwrap();
        assert_eq!(c.respondents(), 2);
        assert_eq!(c.total_weight(), 4.0);
        assert_eq!(c.count("a"), Some(2));
        assert_eq!(c.count("b"), Some(1));
        assert_eq!(c.count("z"), None);
        let b = c.chosen("b").unwrap().estimate(0.95).unwrap();
        assert_eq!(b.value, 0.25);
    }

    #[test]
    fn shapes_compare_kind_scale_and_options() {
        let nps = QuestionTally::Nps(Nps::new());
        let text = QuestionTally::Text {
            answered: 3,
            weight: 3.0,
        };
        assert!(nps.same_shape(&QuestionTally::Nps(Nps::new())));
        assert!(!nps.same_shape(&text));
        let c = |max, top| QuestionTally::Csat(Csat::with_scale(max, top).unwrap());
        assert!(c(5, 2).same_shape(&c(5, 2)));
        assert!(!c(5, 2).same_shape(&c(5, 1)));
        assert!(!c(5, 2).same_shape(&c(7, 2)));
        let one = QuestionTally::SingleChoice(ChoiceCounts::new(&options()));
        let other = QuestionTally::SingleChoice(ChoiceCounts::new(&options()[..1]));
        assert!(!one.same_shape(&other));
        let mut nps2 = nps.clone();
        assert!(nps2.merge(&text).is_err());
        assert!(
            nps2.push(&ScoreValue::Text { text: "x".into() }, 1.0)
                .is_err()
        );
    }

    #[test]
    fn fresh_tallies_follow_the_question() {
        let q = Question::new("r", "r", QuestionKind::Rating { min: 3, max: 9 });
        match fresh_tally(&q) {
            QuestionTally::Rating(c) => assert_eq!((c.min(), c.max()), (3, 9)),
            other => panic!("unexpected {other:?}"),
        }
        let q = Question::new(
            "c",
            "c",
            QuestionKind::Csat {
                scale: crate::survey::CsatScale { max: 7 },
                top: 3,
            },
        );
        match fresh_tally(&q) {
            QuestionTally::Csat(c) => assert_eq!((c.max(), c.top()), (7, 3)),
            other => panic!("unexpected {other:?}"),
        }
    }
}
