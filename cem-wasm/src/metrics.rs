//! Score aggregates for the browser: `NpsAggregate`, `CsatAggregate`, `CesAggregate`.
//!
//! Each wraps a core accumulator: `push`, `pushMany(Uint8Array)`, `merge`, `estimate`, and
//! `toJSON`/`fromJSON` carrying the core's serde JSON byte for byte, so an aggregate built in
//! a page merges with one built in Python or Rust.
use cem_core::Error;
use cem_core::metrics::{Ces, Csat, Method, Nps};
use wasm_bindgen::prelude::*;

use crate::convert::{self, DEFAULT_CONFIDENCE, JsEstimate};
use crate::error::CoreResult;

/// Methods every aggregate shares: push, pushMany, merge, n, toJSON, fromJSON.
macro_rules! aggregate_common {
    ($name:ident, $core:ty, $js:literal) => {
        #[wasm_bindgen(js_class = $js)]
        impl $name {
            /// Adds one answer (a whole number on the scale); throws `out_of_range` off the
            /// scale and `invalid_number` for anything but a whole number (`null` and `"9"`
            /// included).
            pub fn push(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = "number")] score: JsValue,
            ) -> Result<(), JsValue> {
                self.inner.push(convert::score_value(&score)?).js()
            }

            /// Adds a column of answers (a `Uint8Array`, or an array of whole numbers), all or
            /// none (the error names the first bad one and its position).
            #[wasm_bindgen(js_name = pushMany)]
            pub fn push_many(
                &mut self,
                #[wasm_bindgen(unchecked_param_type = "Uint8Array | number[]")] scores: JsValue,
            ) -> Result<(), JsValue> {
                self.inner.push_many(&convert::scores(&scores)?).js()
            }

            /// Adds everything `other` has seen; partial aggregates merge exactly.
            pub fn merge(&mut self, other: &$name) -> Result<(), JsValue> {
                self.inner.merge(&other.inner).js()
            }

            /// Number of answers seen.
            #[wasm_bindgen(getter)]
            pub fn n(&self) -> f64 {
                #[allow(clippy::cast_precision_loss)] // counts stay far below 2^53
                let n = self.inner.n() as f64;
                n
            }

            /// The state as JSON text, identical to cem-core's serde JSON (and Python's
            /// `to_json`).
            #[wasm_bindgen(js_name = toJSON)]
            pub fn to_json(&self) -> Result<String, JsValue> {
                serde_json::to_string(&self.inner).map_err(Error::from).js()
            }

            /// Rebuilds an aggregate from `toJSON` text: text that is not the state's JSON
            /// throws code `json`; state that fails its consistency checks (forged, or an
            /// unknown format version) throws `invalid_state`.
            #[wasm_bindgen(js_name = fromJSON)]
            pub fn from_json(text: &str) -> Result<$name, JsValue> {
                let inner: $core = serde_json::from_str(text).map_err(Error::from).js()?;
                Ok($name { inner })
            }
        }
    };
}

/// Net Promoter Score aggregate (answers 0–10).
#[wasm_bindgen(js_name = NpsAggregate)]
pub struct NpsAggregate {
    inner: Nps,
}

#[wasm_bindgen(js_class = NpsAggregate)]
impl NpsAggregate {
    /// An empty aggregate.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> NpsAggregate {
        NpsAggregate { inner: Nps::new() }
    }

    /// NPS in points with promoter/passive/detractor shares; `method` is `"adjusted-wald"`
    /// (default) or `"wald"`.
    pub fn estimate(
        &self,
        confidence: Option<f64>,
        method: Option<String>,
    ) -> Result<JsEstimate, JsValue> {
        let method = convert::method(method, Method::AdjustedWald)?;
        let e = self
            .inner
            .estimate_with(confidence.unwrap_or(DEFAULT_CONFIDENCE), method)
            .js()?;
        convert::estimate(&e, Some(&self.inner.breakdown().js()?))
    }

    /// Promoter, passive and detractor shares (fractions) and counts; throws `empty` before
    /// the first answer.
    #[wasm_bindgen(unchecked_return_type = "NpsBreakdown")]
    pub fn breakdown(&self) -> Result<JsValue, JsValue> {
        convert::plain(&self.inner.breakdown().js()?)
    }
}

aggregate_common!(NpsAggregate, Nps, "NpsAggregate");

/// CSAT aggregate: the top-`top` box share of a 1–`max` scale (default top-2 of 1–5).
#[wasm_bindgen(js_name = CsatAggregate)]
pub struct CsatAggregate {
    inner: Csat,
}

#[wasm_bindgen(js_class = CsatAggregate)]
impl CsatAggregate {
    /// An empty aggregate on 1–`max` (default 5) counting the top `top` (default 2) boxes.
    #[wasm_bindgen(constructor)]
    pub fn new(max: Option<f64>, top: Option<f64>) -> Result<CsatAggregate, JsValue> {
        let max = max.map_or(Ok(5), |m| convert::small("max", m))?;
        let top = top.map_or(Ok(2), |t| convert::small("top", t))?;
        Ok(CsatAggregate {
            inner: Csat::with_scale(max, top).js()?,
        })
    }

    /// The top-box share (fraction); `method` is `"wilson"` (default), `"agresti-coull"` or
    /// `"wald"`.
    pub fn estimate(
        &self,
        confidence: Option<f64>,
        method: Option<String>,
    ) -> Result<JsEstimate, JsValue> {
        let method = convert::method(method, Method::Wilson)?;
        let e = self
            .inner
            .estimate_with(confidence.unwrap_or(DEFAULT_CONFIDENCE), method)
            .js()?;
        convert::estimate(&e, None)
    }

    /// The mean score with a Student t interval.
    pub fn mean(&self, confidence: Option<f64>) -> Result<JsEstimate, JsValue> {
        let e = self
            .inner
            .mean(confidence.unwrap_or(DEFAULT_CONFIDENCE))
            .js()?;
        convert::estimate(&e, None)
    }
}

aggregate_common!(CsatAggregate, Csat, "CsatAggregate");

/// Customer Effort Score aggregate on the `"agreement7"` (default) or `"legacy_effort5"` scale.
#[wasm_bindgen(js_name = CesAggregate)]
pub struct CesAggregate {
    inner: Ces,
}

#[wasm_bindgen(js_class = CesAggregate)]
impl CesAggregate {
    /// An empty aggregate.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "CesScale")] scale: Option<String>,
    ) -> Result<CesAggregate, JsValue> {
        Ok(CesAggregate {
            inner: Ces::with_scale(convert::ces_scale(scale)?),
        })
    }

    /// The mean answer with a Student t interval.
    pub fn estimate(&self, confidence: Option<f64>) -> Result<JsEstimate, JsValue> {
        let e = self
            .inner
            .estimate(confidence.unwrap_or(DEFAULT_CONFIDENCE))
            .js()?;
        convert::estimate(&e, None)
    }

    /// The share of easy answers; `method` is `"wilson"` (default), `"agresti-coull"` or
    /// `"wald"`.
    pub fn agree(
        &self,
        confidence: Option<f64>,
        method: Option<String>,
    ) -> Result<JsEstimate, JsValue> {
        let method = convert::method(method, Method::Wilson)?;
        let e = self
            .inner
            .agree_with(confidence.unwrap_or(DEFAULT_CONFIDENCE), method)
            .js()?;
        convert::estimate(&e, None)
    }
}

aggregate_common!(CesAggregate, Ces, "CesAggregate");
