//! Sentiment, complaints and key phrases of feedback text: the opt-in package `cem-sentiment`
//! (cargo feature `sentiment`, which brings in the core's ~0.5 MB VADER lexicon; see
//! DEVELOPERS.md).
//!
//! Thin: texts come in as JS strings (anything else throws a `CemError` naming the
//! position), every function checks the texts against the core's `TextLimits` (100 000
//! characters each unless `options.max_chars` raises it) and calls one core function.
//! Results are plain objects with the core's snake_case keys, as in Rust and Python.
use cem_core::text as ct;
use js_sys::{Array, Float64Array, Object, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::columns;
use crate::convert::{plain, type_name};
use crate::error::CoreResult;

#[wasm_bindgen(typescript_custom_section)]
const TS_SENTIMENT: &str = r#"
/** VADER scores of one text, identical to vaderSentiment 3.3.2's `polarity_scores`. */
export interface Polarity { neg: number; neu: number; pos: number; compound: number; }
/** `compound` ≥ 0.05 is positive, ≤ −0.05 negative. */
export type SentimentLabel = "positive" | "neutral" | "negative";
/** The scores of one text with its label. */
export interface Sentiment extends Polarity { label: SentimentLabel; }
/** The scores of many texts as columns. */
export interface SentimentColumns {
  neg: Float64Array; neu: Float64Array; pos: Float64Array; compound: Float64Array;
  label: SentimentLabel[];
}
/** Limits for texts from untrusted sources. */
export interface TextOptions {
  /** Most characters (code points) per text; default 100 000. Longer → `limit_exceeded`. */
  max_chars?: number;
}
/** What complaint detection found in one text. */
export interface Complaint {
  is_complaint: boolean;
  /** VADER `compound` of the text. */
  compound: number;
  /** The complaint cues found (see COMPLAINT_CUES in the Rust/Python docs). */
  cues: string[];
}
/** Settings of `keyPhrases` (all optional). */
export interface PhraseOptions extends TextOptions {
  /** Shortest n-gram (default 1). */
  min_n?: number;
  /** Longest n-gram (default 2, at most 8). */
  max_n?: number;
  /** Phrases per group (default 10). */
  top?: number;
  /** A phrase must occur at least this often over all groups (default 3). */
  min_count?: number;
  /** Strength of the informative prior (default 1). */
  prior_scale?: number;
  /** Stopwords (default: English; `[]` for none). */
  stopwords?: string[];
}
/** A phrase that sets a group apart (weighted log-odds with an informative prior). */
export interface KeyPhrase {
  group: string;
  phrase: string;
  z: number;
  delta: number;
  count: number;
  other_count: number;
}
"#;

/// VADER scores of one text: `{neg, neu, pos, compound}`, the same numbers as
/// vaderSentiment 3.3.2. Empty text scores all zeros.
#[wasm_bindgen(unchecked_return_type = "Polarity")]
pub fn polarity(
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TextOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let text = one(text)?;
    let p = ct::polarity_with(&text, &limits(options)?).js()?;
    plain(&p)
}

/// VADER scores and label of each text, in order: `[{neg, neu, pos, compound, label}]`.
#[wasm_bindgen(unchecked_return_type = "Sentiment[]")]
pub fn sentiment(
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] texts: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TextOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let texts = strings(texts)?;
    let scores = ct::sentiment_with(&texts, &limits(options)?).js()?;
    let rows: Vec<Row> = scores.iter().map(Row::from).collect();
    plain(&rows)
}

/// VADER scores of each text as columns: `Float64Array`s `neg`, `neu`, `pos`, `compound`
/// and the `label`s.
#[wasm_bindgen(js_name = sentimentColumns, unchecked_return_type = "SentimentColumns")]
pub fn sentiment_columns(
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] texts: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TextOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let texts = strings(texts)?;
    let scores = ct::sentiment_with(&texts, &limits(options)?).js()?;
    let out = Object::new();
    let col = |key: &str, f: fn(&ct::Polarity) -> f64| {
        let values: Vec<f64> = scores.iter().map(f).collect();
        Reflect::set(&out, &key.into(), &Float64Array::from(values.as_slice()))
    };
    col("neg", |p| p.neg)?;
    col("neu", |p| p.neu)?;
    col("pos", |p| p.pos)?;
    col("compound", |p| p.compound)?;
    let labels: Array = scores
        .iter()
        .map(|p| JsValue::from_str(p.label().as_str()))
        .collect();
    Reflect::set(&out, &"label".into(), &labels)?;
    Ok(out.into())
}

/// Whether one text is a complaint (negative sentiment plus complaint cues).
#[wasm_bindgen(js_name = isComplaint)]
pub fn is_complaint(
    #[wasm_bindgen(unchecked_param_type = "string")] text: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TextOptions")] options: &JsValue,
) -> Result<bool, JsValue> {
    let text = one(text)?;
    let found = ct::complaints_with(&[text], &limits(options)?).js()?;
    Ok(found.first().is_some_and(|c| c.is_complaint))
}

/// Complaint verdicts of each text: `[{is_complaint, compound, cues}]`.
#[wasm_bindgen(unchecked_return_type = "Complaint[]")]
pub fn complaints(
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] texts: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "TextOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let texts = strings(texts)?;
    plain(&ct::complaints_with(&texts, &limits(options)?).js()?)
}

/// The phrases that set each group of texts apart: `groups[k]` labels `texts[k]` (texts or
/// numbers); rows by group (first appearance), then by z-score.
#[wasm_bindgen(js_name = keyPhrases, unchecked_return_type = "KeyPhrase[]")]
pub fn key_phrases(
    #[wasm_bindgen(unchecked_param_type = "readonly string[]")] texts: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "readonly (string | number)[]")] groups: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "PhraseOptions")] options: &JsValue,
) -> Result<JsValue, JsValue> {
    let texts = strings(texts)?;
    let (codes, labels) = columns::ids(groups, "groups")?;
    let given: PhraseOptionsIn = read_options(options)?;
    let d = ct::PhraseOptions::default();
    let o = ct::PhraseOptions {
        min_n: given.min_n.unwrap_or(d.min_n),
        max_n: given.max_n.unwrap_or(d.max_n),
        top: given.top.unwrap_or(d.top),
        min_count: given.min_count.unwrap_or(d.min_count),
        prior_scale: given.prior_scale.unwrap_or(d.prior_scale),
        stopwords: given.stopwords,
    };
    let lim = given
        .max_chars
        .map_or_else(ct::TextLimits::default, |max_chars| ct::TextLimits {
            max_chars,
        });
    lim.check_all(&texts).js()?;
    let rows = ct::key_phrases(&texts, &codes, &o).js()?;
    let out: Vec<PhraseOut<'_>> = rows
        .iter()
        .map(|r| PhraseOut {
            group: labels.get(r.group as usize).map_or("", String::as_str),
            phrase: &r.phrase,
            z: r.z,
            delta: r.delta,
            count: r.count,
            other_count: r.other_count,
        })
        .collect();
    plain(&out)
}

/// One text, or a `CemError` naming what came instead.
fn one(value: &JsValue) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| {
        columns::invalid(
            "text",
            format!("expected a string, got {}", type_name(value)),
        )
    })
}

/// An array of texts, or a `CemError` naming the first item that is not a string.
fn strings(value: &JsValue) -> Result<Vec<String>, JsValue> {
    if !Array::is_array(value) {
        return Err(columns::invalid(
            "texts",
            format!("expected an array of strings, got {}", type_name(value)),
        ));
    }
    let items: &Array = value.unchecked_ref();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_string().ok_or_else(|| {
                columns::invalid(
                    "texts",
                    format!(
                        "expected a string at position {i}, got {}",
                        type_name(&item)
                    ),
                )
            })
        })
        .collect()
}

/// The `TextLimits` of `{max_chars}` (defaults for `undefined`/`null`).
fn limits(options: &JsValue) -> Result<ct::TextLimits, JsValue> {
    let given: TextOptionsIn = read_options(options)?;
    Ok(given
        .max_chars
        .map_or_else(ct::TextLimits::default, |max_chars| ct::TextLimits {
            max_chars,
        }))
}

/// An options object through its JSON text; unknown keys are errors.
fn read_options<T: Default + for<'de> Deserialize<'de>>(options: &JsValue) -> Result<T, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(T::default());
    }
    let bad = |reason: String| columns::invalid("options", reason);
    if !options.is_object() || Array::is_array(options) {
        return Err(bad(format!(
            "expected an object, got {}",
            type_name(options)
        )));
    }
    let text = js_sys::JSON::stringify(options)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| bad("cannot be read as JSON".to_owned()))?;
    serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct TextOptionsIn {
    max_chars: Option<usize>,
}

#[derive(Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct PhraseOptionsIn {
    max_chars: Option<usize>,
    min_n: Option<usize>,
    max_n: Option<usize>,
    top: Option<usize>,
    min_count: Option<u64>,
    prior_scale: Option<f64>,
    stopwords: Option<Vec<String>>,
}

#[derive(Serialize)]
struct Row {
    neg: f64,
    neu: f64,
    pos: f64,
    compound: f64,
    label: &'static str,
}

impl From<&ct::Polarity> for Row {
    fn from(p: &ct::Polarity) -> Self {
        Row {
            neg: p.neg,
            neu: p.neu,
            pos: p.pos,
            compound: p.compound,
            label: p.label().as_str(),
        }
    }
}

#[derive(Serialize)]
struct PhraseOut<'a> {
    group: &'a str,
    phrase: &'a str,
    z: f64,
    delta: f64,
    count: u64,
    other_count: u64,
}
