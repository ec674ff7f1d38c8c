//! Every conversion between JS values and the core's plain types.
use cem_core::Error;
use cem_core::metrics::{CesScale, Estimate, Method, NpsBreakdown};
use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::CoreResult;

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
  nEff: number;
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

/// An `Estimate` as a plain JS object (camelCase keys), with NPS shares when given.
pub fn estimate(e: &Estimate, breakdown: Option<&NpsBreakdown>) -> Result<JsEstimate, JsValue> {
    let obj = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&obj, &JsValue::from_str(k), &v).map(|_| ());
    set("value", e.value.into())?;
    set("low", e.low.into())?;
    set("high", e.high.into())?;
    set("se", e.se.into())?;
    #[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
    set("n", (e.n as f64).into())?;
    set("nEff", e.n_eff.into())?;
    set("confidence", e.confidence.into())?;
    set("method", e.method.name().into())?;
    if let Some(b) = breakdown {
        set("promoters", b.promoters.into())?;
        set("passives", b.passives.into())?;
        set("detractors", b.detractors.into())?;
    }
    Ok(obj.unchecked_into())
}
