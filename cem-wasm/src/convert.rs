//! Every conversion between JS values and the core's plain types.
//!
//! Data out of the core (scored responses, summaries, problems, breakdowns) travels as the
//! core's serde JSON, parsed into plain JS objects by `JSON.parse`: the browser sees the same
//! keys as Rust and Python (snake_case), and the build reuses the serde_json code `toJSON`
//! needs anyway instead of a second serializer (see BENCHMARKS.md for the size comparison).
//! Answers come in as a plain object and are read key by key with `Object.entries`.
use std::collections::BTreeMap;

use cem_core::metrics::{CesScale, Estimate, Method, NpsBreakdown};
use cem_core::model::Answer;
use cem_core::survey::Question;
use cem_core::{AnswerProblem, Error};
use js_sys::{Array, Object, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::error::CoreResult;

#[wasm_bindgen]
extern "C" {
    // Catching variants of the JS built-ins used on caller-supplied values: a Proxy or a
    // getter that throws becomes an `Err`, never an exception unwinding through Rust frames.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = entries)]
    fn object_entries(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = from)]
    pub(crate) fn array_from(value: &JsValue) -> Result<Array, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ESTIMATE: &str = r#"
/** A point estimate with its confidence interval (see cem-core `Estimate`). */
export interface Estimate {
  /** The point estimate: NPS in points (-100..100), shares as fractions, means in data units. */
  value: number;
  /** Lower end of the confidence interval. */
  low: number;
  /** Upper end of the confidence interval. */
  high: number;
  /** Standard error, in the estimate's units. */
  se: number;
  /** Number of observations. */
  n: number;
  /** Kish effective sample size. */
  n_eff: number;
  /** Confidence level, in (0, 1). */
  confidence: number;
  /** Interval method: "adjusted-wald", "wald", "wilson", "agresti-coull" or "student-t". */
  method: string;
  /** NPS only: promoter share (fraction). */
  promoters?: number;
  /** NPS only: passive share (fraction). */
  passives?: number;
  /** NPS only: detractor share (fraction). */
  detractors?: number;
}
/** The CES answer scales. */
export type CesScale = "agreement7" | "legacy_effort5";
"#;

#[wasm_bindgen]
extern "C" {
    /// A plain object typed as `Estimate` in TypeScript.
    #[wasm_bindgen(typescript_type = "Estimate")]
    pub type JsEstimate;
}

/// The default confidence level when JS passes none.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// A score from a JS number: a whole number in 0..=255 (the core then checks the scale).
pub fn score(x: f64) -> Result<u8, JsValue> {
    if !(x.is_finite() && x.fract() == 0.0) {
        return Err(Error::InvalidNumber {
            field: "score".to_owned(),
            value: x.to_string(),
            reason: "is not a whole number".to_owned(),
        })
        .js();
    }
    if (0.0..=255.0).contains(&x) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked above
        Ok(x as u8)
    } else {
        Err(Error::OutOfRange {
            field: "score".to_owned(),
            value: x.to_string(),
            expected: "0..=255".to_owned(),
        })
        .js()
    }
}

/// A score from any JS value. Only numbers pass on to [`score`]: `null`, `undefined`,
/// strings and objects throw `invalid_number` instead of being coerced (`null` would become
/// 0, `"9"` 9).
pub fn score_value(v: &JsValue) -> Result<u8, JsValue> {
    match v.as_f64() {
        Some(x) => score(x),
        None => Err(not_a_number("score", v)),
    }
}

/// A column of scores: a `Uint8Array` as it is, or an array whose every element is a whole
/// number in 0..=255 (checked, the error naming the position — a typed-array conversion
/// would silently wrap 256 to 0 and turn `NaN` into 0).
pub fn scores(v: &JsValue) -> Result<Vec<u8>, JsValue> {
    if let Some(bytes) = v.dyn_ref::<js_sys::Uint8Array>() {
        return Ok(bytes.to_vec());
    }
    let Some(list) = v.dyn_ref::<Array>() else {
        return Err(crate::error::to_js(Error::InvalidArgument {
            name: "scores".to_owned(),
            reason: "must be a Uint8Array or an array of numbers".to_owned(),
        }));
    };
    let mut out = Vec::new();
    for (pos, x) in list.iter().enumerate() {
        let field = format!("score at position {pos}");
        let Some(f) = x.as_f64() else {
            return Err(not_a_number(&field, &x));
        };
        if !(f.is_finite() && f.fract() == 0.0) {
            return Err(crate::error::to_js(Error::InvalidNumber {
                field,
                value: f.to_string(),
                reason: "is not a whole number".to_owned(),
            }));
        }
        if !(0.0..=255.0).contains(&f) {
            return Err(crate::error::to_js(Error::OutOfRange {
                field,
                value: f.to_string(),
                expected: "0..=255".to_owned(),
            }));
        }
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked above
        out.push(f as u8);
    }
    Ok(out)
}

fn not_a_number(field: &str, v: &JsValue) -> JsValue {
    let shown = v
        .as_string()
        .map_or_else(|| format!("{v:?}"), |s| format!("{s:?}"));
    crate::error::to_js(Error::InvalidNumber {
        field: field.to_owned(),
        value: shown,
        reason: "is not a number".to_owned(),
    })
}

/// A small whole number (constructor arguments such as CSAT's `max`).
pub fn small(name: &str, x: f64) -> Result<u8, JsValue> {
    score(x).map_err(|_| {
        crate::error::to_js(Error::InvalidArgument {
            name: name.to_owned(),
            reason: format!("`{x}` is not a whole number in 0..=255"),
        })
    })
}

/// An interval method by name, or `default`.
pub fn method(name: Option<String>, default: Method) -> Result<Method, JsValue> {
    name.map_or(Ok(default), |n| Method::parse(&n).js())
}

/// A CES scale by name (`"agreement7"`, `"legacy_effort5"`), default agreement7.
pub fn ces_scale(name: Option<String>) -> Result<CesScale, JsValue> {
    let Some(name) = name else {
        return Ok(CesScale::Agreement7);
    };
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value(serde_json::Value::String(key))
        .map_err(|_| Error::InvalidArgument {
            name: "scale".to_owned(),
            reason: format!("unknown CES scale `{name}`; expected agreement7 or legacy_effort5"),
        })
        .js()
}

/// An `Estimate` as a plain JS object with the core's serde field names (`n_eff`, as in
/// summaries, Rust and Python), with NPS shares when given.
pub fn estimate(e: &Estimate, breakdown: Option<&NpsBreakdown>) -> Result<JsEstimate, JsValue> {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&obj, &JsValue::from_str(k), &v).map(|_| ());
    set("value", e.value.into())?;
    set("low", e.low.into())?;
    set("high", e.high.into())?;
    set("se", e.se.into())?;
    #[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
    set("n", (e.n as f64).into())?;
    set("n_eff", e.n_eff.into())?;
    set("confidence", e.confidence.into())?;
    set("method", e.method.name().into())?;
    if let Some(b) = breakdown {
        set("promoters", b.promoters.into())?;
        set("passives", b.passives.into())?;
        set("detractors", b.detractors.into())?;
    }
    Ok(obj.unchecked_into())
}

/// A core value as a plain JS object: its serde JSON, parsed by `JSON.parse`.
pub fn plain<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    let text = serde_json::to_string(value).map_err(Error::from).js()?;
    js_sys::JSON::parse(&text)
}

/// Answers from a plain JS object `{nps: 9, reason: "wait", topics: ["a", "b"]}`.
///
/// Numbers (NaN and infinities included: the survey reports them), strings and arrays of
/// strings are answers; `null` and `undefined` mean "not answered". Any other value is a
/// `wrong_type` problem naming the question: the inner `Err` holds every such problem.
/// The outer `Err` is for a value that is not an answers object at all, or one whose
/// properties throw when read.
pub fn answers(
    value: &JsValue,
) -> Result<Result<BTreeMap<String, Answer>, Vec<AnswerProblem>>, JsValue> {
    if !value.is_object() || Array::is_array(value) {
        return Err(not_answers(&format!(
            "expected an object of answers by question id, got {}",
            type_name(value)
        )));
    }
    let entries = object_entries(value).map_err(|e| not_answers(&thrown(&e)))?;
    let mut out = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in entries.iter() {
        let entry: Array = entry.unchecked_into();
        let key = entry.get(0).as_string().unwrap_or_default();
        let v = entry.get(1);
        match answer(&v) {
            Ok(Some(a)) => {
                out.insert(key, a);
            }
            Ok(None) => {}
            Err(what) => problems.push(AnswerProblem {
                message: format!("question `{key}`: {what}"),
                question: key,
                code: "wrong_type".to_owned(),
            }),
        }
    }
    Ok(if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    })
}

/// [`answers`], with conversion problems thrown as an `invalid_answers` Error.
pub fn answers_or_throw(value: &JsValue) -> Result<BTreeMap<String, Answer>, JsValue> {
    answers(value)?.map_err(|p| crate::error::to_js(Error::InvalidAnswers(p)))
}

/// One answer value; `Err` says what is wrong with it.
fn answer(v: &JsValue) -> Result<Option<Answer>, String> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(x) = v.as_f64() {
        return Ok(Some(Answer::Number(x)));
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(Answer::Text(s)));
    }
    if Array::is_array(v) {
        let items = array_from(v).map_err(|e| thrown(&e))?;
        let mut choices = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_string() {
                Some(s) => choices.push(s),
                None => {
                    return Err(format!(
                        "choice at position {i} is {}, not a text",
                        type_name(&item)
                    ));
                }
            }
        }
        return Ok(Some(Answer::Choices(choices)));
    }
    Err(format!(
        "{} is not a number, a text or a list of texts",
        type_name(v)
    ))
}

fn not_answers(reason: &str) -> JsValue {
    crate::error::to_js(Error::InvalidArgument {
        name: "answers".to_owned(),
        reason: reason.to_owned(),
    })
}

/// `a boolean`, `an object`, ... for messages.
pub(crate) fn type_name(v: &JsValue) -> String {
    if v.is_null() {
        "`null`".to_owned()
    } else if Array::is_array(v) {
        "a list".to_owned()
    } else {
        format!(
            "a value of type `{}`",
            v.js_typeof().as_string().unwrap_or_default()
        )
    }
}

/// What a JS exception says.
fn thrown(e: &JsValue) -> String {
    let msg = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_default();
    format!("reading the answers threw `{msg}`")
}

/// A question as a plain object for a page to render from:
/// `{id, kind, text, required, options, scale: {min, max} | null, max_choices, max_length}`.
pub fn question(q: &Question) -> Result<JsValue, JsValue> {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&obj, &JsValue::from_str(k), &v).map(|_| ());
    set("id", q.id.as_str().into())?;
    set("kind", q.kind.name().into())?;
    set("text", q.text.as_str().into())?;
    set("required", q.required.into())?;
    set(
        "options",
        q.kind.options().map_or(Ok(JsValue::NULL), plain)?,
    )?;
    let scale = match q.kind.scale() {
        Some((min, max)) => {
            let s = Object::new();
            Reflect::set(&s, &"min".into(), &min.into())?;
            Reflect::set(&s, &"max".into(), &max.into())?;
            s.into()
        }
        None => JsValue::NULL,
    };
    set("scale", scale)?;
    let (max_choices, max_length) = match &q.kind {
        cem_core::survey::QuestionKind::MultiChoice { max_choices, .. } => (*max_choices, None),
        cem_core::survey::QuestionKind::Text { max_length } => (None, *max_length),
        _ => (None, None),
    };
    set(
        "max_choices",
        max_choices.map_or(JsValue::NULL, JsValue::from),
    )?;
    set(
        "max_length",
        max_length.map_or(JsValue::NULL, JsValue::from),
    )?;
    set("conditional", q.show_if.is_some().into())?;
    Ok(obj.into())
}
