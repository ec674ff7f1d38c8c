//! Arguments of the CLV methods: per-customer numbers or columns, option objects with only
//! known keys, parameter objects.
use cem_core::Error;
use cem_core::clv as cc;
use js_sys::{Array, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::columns::{self, invalid};
use crate::convert::type_name;
use crate::error::CoreResult;

/// One argument of a per-customer method: a number, or a column.
enum Arg {
    One(f64),
    Column(Vec<f64>),
}

/// Reads per-customer arguments: all numbers, or columns (a number among them is repeated).
/// `Ok(None)` when every argument is a number.
pub(super) fn args<const N: usize>(
    values: [(&JsValue, &str); N],
) -> Result<Option<[Vec<f64>; N]>, JsValue> {
    let mut read = Vec::with_capacity(N);
    for (value, name) in values {
        read.push(match value.as_f64() {
            Some(x) => Arg::One(x),
            None => Arg::Column(columns::reals(value, name)?),
        });
    }
    let Some(n) = read.iter().find_map(|a| match a {
        Arg::Column(c) => Some(c.len()),
        Arg::One(_) => None,
    }) else {
        return Ok(None);
    };
    let mut out: [Vec<f64>; N] = std::array::from_fn(|_| Vec::new());
    for (slot, arg) in out.iter_mut().zip(read) {
        *slot = match arg {
            Arg::One(x) => vec![x; n],
            Arg::Column(c) => c,
        };
    }
    Ok(Some(out))
}

/// The numbers of `args` when they were all numbers.
pub(super) fn numbers<const N: usize>(values: [&JsValue; N]) -> [f64; N] {
    values.map(|v| v.as_f64().unwrap_or(f64::NAN))
}

pub(super) fn column(values: &[f64]) -> JsValue {
    Float64Array::from(values).into()
}

/// An options object with only the `allowed` keys (a typo such as `discountRate` throws), or
/// `None` for `undefined`/`null`.
pub(super) fn options(
    value: Option<&JsValue>,
    allowed: &[&str],
) -> Result<Option<Object>, JsValue> {
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok(None);
    };
    if !value.is_object() || Array::is_array(value) {
        return Err(invalid(
            "options",
            format!("expected an object, got {}", type_name(value)),
        ));
    }
    let object: Object = value.clone().unchecked_into();
    for key in Object::keys(&object).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(invalid(
                "options",
                format!("unknown option `{key}`; expected {}", allowed.join(", ")),
            ));
        }
    }
    Ok(Some(object))
}

/// The value of option `key`, `None` when absent (`undefined`/`null`).
pub(super) fn option(object: Option<&Object>, key: &str) -> Result<Option<JsValue>, JsValue> {
    let Some(object) = object else {
        return Ok(None);
    };
    let v = Reflect::get(object, &JsValue::from_str(key))
        .map_err(|_| invalid(key, "could not be read".to_owned()))?;
    Ok((!v.is_undefined() && !v.is_null()).then_some(v))
}

/// A numeric option.
pub(super) fn number_option(object: Option<&Object>, key: &str) -> Result<Option<f64>, JsValue> {
    option(object, key)?
        .map(|v| {
            v.as_f64()
                .ok_or_else(|| invalid(key, format!("expected a number, got {}", type_name(&v))))
        })
        .transpose()
}

/// A text option.
pub(super) fn text_option(object: Option<&Object>, key: &str) -> Result<Option<String>, JsValue> {
    option(object, key)?
        .map(|v| {
            v.as_string()
                .ok_or_else(|| invalid(key, format!("expected a text, got {}", type_name(&v))))
        })
        .transpose()
}

/// `{penalizer, weights}` of a fit.
pub(super) fn fit_options(value: Option<&JsValue>) -> Result<(f64, Option<Vec<f64>>), JsValue> {
    let object = options(value, &["penalizer", "weights"])?;
    let penalizer = number_option(object.as_ref(), "penalizer")?.unwrap_or(0.0);
    let weights = option(object.as_ref(), "weights")?
        .map(|w| columns::reals(&w, "weights"))
        .transpose()?;
    Ok((penalizer, weights))
}

/// `{time, discount_rate, freq}` of `lifetimeValue`.
pub(super) fn clv_options(value: Option<&JsValue>) -> Result<cc::ClvOptions, JsValue> {
    let object = options(value, &["time", "discount_rate", "freq"])?;
    let object = object.as_ref();
    let defaults = cc::ClvOptions::default();
    let months = match number_option(object, "time")? {
        None => defaults.months,
        Some(x) if x.is_finite() && x.fract() == 0.0 && (0.0..=1e6).contains(&x) => {
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked
            let m = x as u32;
            m
        }
        Some(x) => {
            return Err(invalid(
                "time",
                format!("`{x}` is not a whole number of months ≥ 0"),
            ));
        }
    };
    let time_unit = match text_option(object, "freq")?.as_deref() {
        None | Some("D" | "d") => cc::TimeUnit::Days,
        Some("H" | "h") => cc::TimeUnit::Hours,
        Some("W" | "w") => cc::TimeUnit::Weeks,
        Some("M" | "m") => cc::TimeUnit::Months,
        Some(other) => {
            return Err(invalid(
                "freq",
                format!("`{other}` is not a time unit; expected `H`, `D`, `W` or `M`"),
            ));
        }
    };
    Ok(cc::ClvOptions {
        months,
        discount_rate: number_option(object, "discount_rate")?.unwrap_or(defaults.discount_rate),
        time_unit,
    })
}

/// A parameters object (`{r, alpha, a, b}`, ...) read through its JSON.
pub(super) fn params<P: serde::de::DeserializeOwned>(value: &JsValue) -> Result<P, JsValue> {
    if !value.is_object() || Array::is_array(value) {
        return Err(invalid(
            "params",
            format!("expected an object of parameters, got {}", type_name(value)),
        ));
    }
    let text = js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| invalid("params", "cannot be read as JSON".to_owned()))?;
    serde_json::from_str(&text).map_err(Error::from).js()
}

/// A whole number ≥ 0 that fits a `u32`.
pub(super) fn count(name: &str, x: f64) -> Result<u32, JsValue> {
    if x.is_finite() && x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked
        Ok(x as u32)
    } else {
        Err(invalid(name, format!("`{x}` is not a whole number ≥ 0")))
    }
}
