//! Every conversion between Python objects and the core's plain types.
//!
//! Inputs are any iterable — list, tuple, numpy array, pandas/polars Series. Objects with a
//! `tolist()` method (numpy, pandas) are converted through it first, which is much faster
//! than iterating numpy scalars. Zero-copy buffers come with issue #4.
use cem_core::Error;
use cem_core::metrics::{CesScale, Method};
use pyo3::prelude::*;

use crate::error::CoreResult;

/// One answer on an integer scale. Integers and whole floats are accepted.
pub fn score(item: &Bound<'_, PyAny>) -> PyResult<u8> {
    let value = match item.extract::<i64>() {
        Ok(v) => v,
        Err(not_int) => {
            let Ok(x) = item.extract::<f64>() else {
                return Err(not_int);
            };
            whole(x).py()?
        }
    };
    u8::try_from(value)
        .map_err(|_| Error::OutOfRange {
            field: "score".to_owned(),
            value: value.to_string(),
            expected: "0..=255".to_owned(),
        })
        .py()
}

/// A column of answers.
pub fn scores(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    column(obj, score)
}

/// One real value (weights, values of a mean); NaN and infinities pass through for the core
/// to reject with its own message.
pub fn real(item: &Bound<'_, PyAny>) -> PyResult<f64> {
    item.extract::<f64>()
}

/// A column of real values.
pub fn reals(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    column(obj, real)
}

/// One yes/no outcome: `bool`, `numpy.bool_`, or the integers 0 and 1.
pub fn outcome(item: &Bound<'_, PyAny>) -> PyResult<bool> {
    if let Ok(b) = item.extract::<bool>() {
        return Ok(b);
    }
    match item.extract::<i64>()? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::OutOfRange {
            field: "outcome".to_owned(),
            value: other.to_string(),
            expected: "{False, True, 0, 1}".to_owned(),
        })
        .py(),
    }
}

/// A column of outcomes.
pub fn outcomes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    column(obj, outcome)
}

/// An interval method by name (`"wilson"`, `"adjusted-wald"`, ...).
pub fn method(name: &str) -> PyResult<Method> {
    Method::parse(name).py()
}

/// A CES scale by name: `"agreement7"` or `"legacy_effort5"` (`-` and `_` interchangeable).
pub fn ces_scale(name: &str) -> PyResult<CesScale> {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value(serde_json::Value::String(key))
        .map_err(|_| Error::InvalidArgument {
            name: "scale".to_owned(),
            reason: format!("unknown CES scale `{name}`; expected agreement7 or legacy_effort5"),
        })
        .py()
}

/// The serde name of a CES scale (inverse of [`ces_scale`]).
pub fn ces_scale_name(scale: CesScale) -> String {
    match serde_json::to_value(scale) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{scale:?}"),
    }
}

/// A narrow integer from a Python int (constructor arguments such as CSAT's `max`).
pub fn small(name: &str, value: i64) -> PyResult<u8> {
    u8::try_from(value)
        .map_err(|_| Error::InvalidArgument {
            name: name.to_owned(),
            reason: format!("`{value}` is outside 0..=255"),
        })
        .py()
}

fn whole(x: f64) -> Result<i64, Error> {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)] // checked: finite, whole, |x| < 2^53
        Ok(x as i64)
    } else {
        Err(Error::InvalidNumber {
            field: "score".to_owned(),
            value: x.to_string(),
            reason: "is not a whole number".to_owned(),
        })
    }
}

fn column<T>(
    obj: &Bound<'_, PyAny>,
    item: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let obj = if obj.hasattr("tolist")? {
        obj.call_method0("tolist")?
    } else {
        obj.clone()
    };
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for x in obj.try_iter()? {
        out.push(item(&x?)?);
    }
    Ok(out)
}
