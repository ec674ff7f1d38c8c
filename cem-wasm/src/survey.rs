//! Surveys in the browser: `Survey` (definition, display logic, validation, scoring) and
//! `SurveyAggregate` (live per-question aggregates with `summary`).
//!
//! Each method converts its input, calls one core function and converts the result; data
//! objects are the core's serde form (see [`convert::plain`]).
use cem_core::Error;
use cem_core::survey::{Survey as CoreSurvey, SurveyAggregate as CoreAggregate};
use wasm_bindgen::prelude::*;

use crate::convert::{self, DEFAULT_CONFIDENCE};
use crate::error::CoreResult;

#[wasm_bindgen(typescript_custom_section)]
const TS_SURVEY: &str = r#"
/** One answer: a score, an option id or free text, or the option ids of a multiple choice. */
export type Answer = number | string | string[];
/** A response: answers by question id; `null`/`undefined` mean "not answered". */
export type Answers = { readonly [questionId: string]: Answer | null | undefined };

/** The stable `code` of every error cem throws. */
export type ErrorCode =
  | "out_of_range" | "invalid_number" | "empty" | "length_mismatch" | "incompatible"
  | "invalid_argument" | "invalid_survey" | "invalid_answers" | "json" | "not_converged"
  | "undefined" | "invalid_state" | "limit_exceeded" | "invalid_rule" | "illegal_transition"
  | "out_of_order";
/** What cem throws: an `Error` named "CemError" with a stable `code`. */
export interface CemError extends Error {
  name: "CemError";
  code: ErrorCode;
  /** Every problem, when `code` is "invalid_answers". */
  problems?: AnswerProblem[];
}

/** The codes of answer problems. */
export type AnswerProblemCode =
  | "unknown_question" | "missing_required" | "out_of_range" | "wrong_type" | "hidden_question"
  | "unknown_option" | "too_many_choices" | "duplicate_choice" | "too_long";
/** One problem with a response (cem-core `AnswerProblem`). */
export interface AnswerProblem {
  /** The question's id. */
  question: string;
  code: AnswerProblemCode;
  /** A readable message naming the question and the value. */
  message: string;
}

export type QuestionKind =
  | "nps" | "csat" | "ces" | "likert" | "rating" | "single_choice" | "multi_choice" | "text";
/** An option of a choice question. */
export interface ChoiceOption { id: string; label: string }
/** A question as `Survey.questions` gives it, for a page to render from. */
export interface Question {
  id: string;
  kind: QuestionKind;
  /** The wording shown to the respondent. */
  text: string;
  required: boolean;
  /** The options of a choice question, in display order; `null` for other kinds. */
  options: ChoiceOption[] | null;
  /** The answer scale of a scored question (NPS 0..10, CSAT 1..max, ...); `null` otherwise. */
  scale: { min: number; max: number } | null;
  /** The most options a multiple-choice answer may hold, if limited. */
  max_choices: number | null;
  /** The longest text answer allowed, in characters, if limited. */
  max_length: number | null;
  /** Whether display logic may hide the question (see `Survey.visibleQuestions`). */
  conditional: boolean;
}

export type NpsCategory = "promoter" | "passive" | "detractor";
/** The scored answer of one question (cem-core `QuestionScore`, tagged by `kind`). */
export type QuestionScore = { question: string } & (
  | { kind: "nps"; score: number; category: NpsCategory }
  | { kind: "csat"; score: number; max: number; satisfied: boolean }
  | { kind: "ces"; score: number; scale: CesScale; easy: boolean }
  | { kind: "likert"; score: number; points: number }
  | { kind: "rating"; score: number; min: number; max: number }
  | { kind: "single_choice"; option: string }
  | { kind: "multi_choice"; options: string[] }
  | { kind: "text"; text: string }
);
/** A validated, scored response (cem-core `ScoredResponse`). */
export interface ScoredResponse {
  /** The survey's id. */
  survey: string;
  /** The answered, visible questions in survey order. */
  scores: QuestionScore[];
}

/** An estimate in cem-core's serde form (snake_case `n_eff`), as inside summaries. */
export interface EstimateRecord {
  value: number;
  low: number;
  high: number;
  se: number;
  n: number;
  n_eff: number;
  confidence: number;
  method: "adjusted-wald" | "wald" | "wilson" | "agresti-coull" | "student-t";
}
/** Promoter, passive and detractor shares (fractions) and counts (cem-core `NpsBreakdown`). */
export interface NpsBreakdown {
  promoters: number;
  passives: number;
  detractors: number;
  promoter_count: number;
  passive_count: number;
  detractor_count: number;
}
/** Answers at one scale point. */
export interface LevelCount { score: number; count: number; weight: number }
/** How often one option was chosen, with the Wilson interval of its share. */
export interface OptionSummary { option: string; count: number; share: EstimateRecord | null }
/** The figures of one question (cem-core `QuestionSummary`, tagged by `kind`); an estimate is
 * `null` when there is not enough data for it. */
export type QuestionSummary = { question: string; n: number } & (
  | { kind: "nps"; nps: EstimateRecord | null; breakdown: NpsBreakdown | null; distribution: LevelCount[] }
  | { kind: "csat"; csat: EstimateRecord | null; mean: EstimateRecord | null; distribution: LevelCount[] }
  | { kind: "ces"; mean: EstimateRecord | null; easy: EstimateRecord | null; distribution: LevelCount[] }
  | { kind: "likert"; mean: EstimateRecord | null; distribution: LevelCount[] }
  | { kind: "rating"; mean: EstimateRecord | null; distribution: LevelCount[] }
  | { kind: "single_choice"; options: OptionSummary[] }
  | { kind: "multi_choice"; options: OptionSummary[] }
  | { kind: "text" }
);
/** Per-question estimates of a `SurveyAggregate` (cem-core `SurveySummary`). */
export interface SurveySummary {
  survey: string;
  n: number;
  weight: number;
  confidence: number;
  questions: QuestionSummary[];
}
"#;

/// A checked questionnaire definition.
#[wasm_bindgen(js_name = Survey)]
pub struct Survey {
    inner: CoreSurvey,
}

#[wasm_bindgen(js_class = Survey)]
impl Survey {
    /// Reads and checks a definition; throws `json` for malformed JSON and `invalid_survey`
    /// (naming the question) for a definition that does not hold together.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<Survey, JsValue> {
        Ok(Survey {
            inner: CoreSurvey::from_json(text).js()?,
        })
    }

    /// The definition as JSON text (cem-core's serde form).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.inner.to_json().js()
    }

    /// The survey's id.
    #[wasm_bindgen(getter)]
    pub fn id(&self) -> String {
        self.inner.id().to_owned()
    }

    /// The survey's title.
    #[wasm_bindgen(getter)]
    pub fn title(&self) -> String {
        self.inner.title().to_owned()
    }

    /// The questions in order, as plain objects to render from.
    #[wasm_bindgen(getter, unchecked_return_type = "Question[]")]
    pub fn questions(&self) -> Result<JsValue, JsValue> {
        let list = js_sys::Array::new();
        for q in self.inner.questions() {
            list.push(&convert::question(q)?);
        }
        Ok(list.into())
    }

    /// The ids of the questions shown for these answers, in order (display logic).
    #[wasm_bindgen(js_name = visibleQuestions, unchecked_return_type = "string[]")]
    pub fn visible_questions(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Answers")] answers: JsValue,
    ) -> Result<JsValue, JsValue> {
        let answers = convert::answers_or_throw(&answers)?;
        convert::plain(&self.inner.visible_questions(&answers))
    }

    /// Every problem with these answers (empty when they are valid). Values that are not
    /// answers at all (a boolean, an object) are `wrong_type` problems; throws only when
    /// `answers` is not an object.
    #[wasm_bindgen(unchecked_return_type = "AnswerProblem[]")]
    pub fn validate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Answers")] answers: JsValue,
    ) -> Result<JsValue, JsValue> {
        match convert::answers(&answers)? {
            Ok(answers) => convert::plain(&self.inner.validate(&answers)),
            Err(problems) => convert::plain(&problems),
        }
    }

    /// Validates and scores a response; throws `invalid_answers` with `problems`.
    #[wasm_bindgen(unchecked_return_type = "ScoredResponse")]
    pub fn score(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Answers")] answers: JsValue,
    ) -> Result<JsValue, JsValue> {
        let answers = convert::answers_or_throw(&answers)?;
        convert::plain(&self.inner.score(&answers).js()?)
    }
}

/// Per-question aggregates of the responses to one survey.
#[wasm_bindgen(js_name = SurveyAggregate)]
pub struct SurveyAggregate {
    inner: CoreAggregate,
}

#[wasm_bindgen(js_class = SurveyAggregate)]
impl SurveyAggregate {
    /// An empty aggregate for `survey`.
    #[wasm_bindgen(constructor)]
    pub fn new(survey: &Survey) -> SurveyAggregate {
        SurveyAggregate {
            inner: CoreAggregate::new(&survey.inner),
        }
    }

    /// Adds one response; invalid answers throw `invalid_answers` (with `problems`) and add
    /// nothing.
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Answers")] answers: JsValue,
    ) -> Result<(), JsValue> {
        let answers = convert::answers_or_throw(&answers)?;
        self.inner.push(&answers).js()
    }

    /// Adds everything `other` has seen (same survey); partial aggregates merge exactly.
    pub fn merge(&mut self, other: &SurveyAggregate) -> Result<(), JsValue> {
        self.inner.merge(&other.inner).js()
    }

    /// Per-question estimates at `confidence` (default 0.95).
    #[wasm_bindgen(unchecked_return_type = "SurveySummary")]
    pub fn summary(&self, confidence: Option<f64>) -> Result<JsValue, JsValue> {
        let s = self
            .inner
            .summary(confidence.unwrap_or(DEFAULT_CONFIDENCE))
            .js()?;
        convert::plain(&s)
    }

    /// Number of responses.
    #[wasm_bindgen(getter)]
    pub fn n(&self) -> f64 {
        #[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
        let n = self.inner.n() as f64;
        n
    }

    /// The survey the aggregate is for.
    #[wasm_bindgen(getter)]
    pub fn survey(&self) -> Survey {
        Survey {
            inner: self.inner.survey().clone(),
        }
    }

    /// The state as JSON text, identical to cem-core's serde JSON (it carries the survey).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.inner).map_err(Error::from).js()
    }

    /// Rebuilds an aggregate from `toJSON` text (from a page, Python or Rust).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<SurveyAggregate, JsValue> {
        let inner: CoreAggregate = serde_json::from_str(text).map_err(Error::from).js()?;
        Ok(SurveyAggregate { inner })
    }
}
