//! Columns from JS arrays for the opt-in packages (`journey`, `clv`): ids, timestamps,
//! durations, numbers.
//!
//! Every column is an `Array` or a typed array; anything else, a missing value or a value of
//! the wrong type throws a `CemError` naming the column and the position, before the core
//! sees the data. Large columns are read in one JS pass (`columns.js`: dictionary encoding
//! with a `Map`, timestamps into a `Float64Array`) and cross into wasm as typed arrays; a
//! call and a string copy per element made building a 1M-event log ~5 s (BENCHMARKS.md).
//! Kept apart from [`crate::convert`] so the core scorer package does not carry it; a later
//! opt-in feature that reads columns (say `sentiment`) adds itself to the `cfg` in `lib.rs`.
use cem_core::Error;
use cem_core::metrics::TimeUnit;
use js_sys::{Array, ArrayBuffer, Float64Array, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;

use crate::convert::{array_from, type_name};
use crate::error::to_js;

#[wasm_bindgen(module = "/src/columns.js")]
extern "C" {
    #[wasm_bindgen(catch)]
    fn factorize(values: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch)]
    fn timestamps(values: &JsValue) -> Result<JsValue, JsValue>;
}

/// Largest integer a JS number holds exactly.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// The items of an `Array` or a typed array; `name` is the argument, for the message.
pub fn list(value: &JsValue, name: &str) -> Result<Array, JsValue> {
    if !(Array::is_array(value) || ArrayBuffer::is_view(value)) {
        return Err(invalid(
            name,
            format!("expected an array, got {}", type_name(value)),
        ));
    }
    array_from(value).map_err(|_| invalid(name, "reading the array threw".to_owned()))
}

/// Ids (texts, or numbers used as ids) dictionary-encoded in order of first appearance:
/// `(codes, labels)`. A number becomes its JS text (`7` → `"7"`).
pub fn ids(value: &JsValue, name: &str) -> Result<(Vec<u32>, Vec<String>), JsValue> {
    list(value, name)?;
    let read = factorize(value).map_err(|_| unreadable(name))?;
    if let Some(i) = bad_position(&read) {
        let item = Reflect::get_u32(value, i).unwrap_or(JsValue::UNDEFINED);
        id(&item, name, i as usize)?;
        return Err(unreadable(name));
    }
    let codes: Uint32Array = field(&read, "codes")?.unchecked_into();
    let labels: Array = field(&read, "labels")?.unchecked_into();
    let labels = labels
        .iter()
        .map(|l| l.as_string().unwrap_or_default())
        .collect();
    Ok((codes.to_vec(), labels))
}

/// Labels (texts or numbers as texts) of a short list, such as funnel steps.
pub fn texts(value: &JsValue, name: &str) -> Result<Vec<String>, JsValue> {
    let items = list(value, name)?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| id(&item, name, i))
        .collect()
}

/// Timestamps: whole numbers in `unit`, or `Date`s (then in milliseconds, whatever `unit`
/// says); not a mix of both. Returns the column and its unit.
pub fn times(value: &JsValue, name: &str, unit: TimeUnit) -> Result<(Vec<i64>, TimeUnit), JsValue> {
    list(value, name)?;
    let read = timestamps(value).map_err(|_| unreadable(name))?;
    if let Some(i) = bad_position(&read) {
        let item = Reflect::get_u32(value, i).unwrap_or(JsValue::UNDEFINED);
        let mixed = field(&read, "mixed")?.is_truthy();
        return Err(invalid(
            name,
            if mixed {
                format!("position {i} mixes `Date`s and numbers; use one or the other")
            } else {
                format!(
                    "the value at position {i} is {}, not a number or a `Date`",
                    type_name(&item)
                )
            },
        ));
    }
    let raw: Float64Array = field(&read, "values")?.unchecked_into();
    let dates = field(&read, "dates")?.is_truthy();
    let out = (raw.to_vec().into_iter().enumerate())
        .map(|(i, x)| {
            whole(x).ok_or_else(|| {
                to_js(Error::InvalidNumber {
                    field: format!("{name} at position {i}"),
                    value: x.to_string(),
                    reason:
                        "is not a whole number (an invalid `Date`, or a fraction of the time unit)"
                            .to_owned(),
                })
            })
        })
        .collect::<Result<Vec<i64>, JsValue>>()?;
    Ok((out, if dates { TimeUnit::Millis } else { unit }))
}

/// Numbers (an `Array` or a typed array; a `Float64Array` is copied as is). Non-numbers
/// (texts, `null`, `Date`s) throw naming the position; NaN and infinities pass, for the core
/// to name the row.
#[cfg_attr(not(feature = "clv"), allow(dead_code))] // only the `clv` package reads numbers
pub fn reals(value: &JsValue, name: &str) -> Result<Vec<f64>, JsValue> {
    if let Some(floats) = value.dyn_ref::<Float64Array>() {
        return Ok(floats.to_vec());
    }
    list(value, name)?;
    let read = timestamps(value).map_err(|_| unreadable(name))?;
    let dates = field(&read, "dates")?.is_truthy();
    let bad = bad_position(&read).or(if dates { Some(0) } else { None });
    if let Some(i) = bad {
        let item = Reflect::get_u32(value, i).unwrap_or(JsValue::UNDEFINED);
        return Err(to_js(Error::InvalidNumber {
            field: format!("{name} at position {i}"),
            value: if item.is_null() {
                "null".to_owned()
            } else {
                type_name(&item)
            },
            reason: "is not a number".to_owned(),
        }));
    }
    let raw: Float64Array = field(&read, "values")?.unchecked_into();
    Ok(raw.to_vec())
}

/// A duration given in seconds, in `unit` (rounded to the nearest unit); must be finite and
/// not negative.
pub fn duration(name: &str, seconds: f64, unit: TimeUnit) -> Result<i64, JsValue> {
    #[allow(clippy::cast_precision_loss)] // per_second is at most 10^9
    let x = (seconds * unit.per_second() as f64).round();
    match whole(x) {
        Some(v) if seconds >= 0.0 => Ok(v),
        _ => Err(invalid(
            name,
            format!("`{seconds}` is not a duration in seconds (a finite number ≥ 0)"),
        )),
    }
}

/// A count argument (`top`, `depth`): a whole number ≥ 0.
pub fn count(name: &str, x: f64) -> Result<usize, JsValue> {
    match whole(x) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked ≥ 0
        Some(v) if v >= 0 => Ok(v as usize),
        _ => Err(invalid(name, format!("`{x}` is not a whole number ≥ 0"))),
    }
}

/// An `InvalidArgument` error as a JS `Error`.
pub fn invalid(name: &str, reason: String) -> JsValue {
    to_js(Error::InvalidArgument {
        name: name.to_owned(),
        reason,
    })
}

/// The position a reader in `columns.js` stopped at, if it did.
fn bad_position(read: &JsValue) -> Option<u32> {
    Reflect::get(read, &JsValue::from_str("bad"))
        .ok()
        .and_then(|b| b.as_f64())
        .and_then(|b| u32::try_from(b as u64).ok())
}

fn field(read: &JsValue, key: &str) -> Result<JsValue, JsValue> {
    Reflect::get(read, &JsValue::from_str(key))
}

fn unreadable(name: &str) -> JsValue {
    invalid(name, "reading the array threw".to_owned())
}

/// `x` as an `i64` when it is a whole number a JS number holds exactly.
#[allow(clippy::cast_possible_truncation)] // checked: whole and within ±2^53
fn whole(x: f64) -> Option<i64> {
    (x.is_finite() && x.fract() == 0.0 && x.abs() <= MAX_SAFE).then_some(x as i64)
}

/// The id at position `i` of column `name`: a text, or a finite number as its decimal text.
/// Missing values and non-finite numbers are `invalid_number` (as in Python), other types
/// `invalid_argument`.
fn id(item: &JsValue, name: &str, i: usize) -> Result<String, JsValue> {
    if let Some(s) = item.as_string() {
        return Ok(s);
    }
    let bad = |value: String, reason: &str| {
        to_js(Error::InvalidNumber {
            field: format!("{name} at position {i}"),
            value,
            reason: reason.to_owned(),
        })
    };
    match item.as_f64() {
        Some(x) if x.is_finite() => Ok(x.to_string()),
        Some(x) => Err(bad(x.to_string(), "is not a finite number")),
        None if item.is_null() || item.is_undefined() => Err(bad(
            if item.is_null() { "null" } else { "undefined" }.to_owned(),
            "is missing; drop or fill missing values first",
        )),
        None => Err(invalid(
            name,
            format!(
                "the value at position {i} is {}, not a text or a number",
                type_name(item)
            ),
        )),
    }
}
