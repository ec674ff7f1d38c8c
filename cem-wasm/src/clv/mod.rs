//! Customer lifetime value in the browser: the opt-in package `cem-clv` (cargo feature `clv`;
//! see DEVELOPERS.md). Arguments are read in [`args`], the summary from transactions is in
//! [`summary`].
//!
//! Thin: columns come in through [`crate::columns`] (arrays or typed arrays of numbers), each
//! method calls `cem_core::clv` (or `cem_core::loyalty::CustomerSummary`) once, and results
//! go out as numbers, `Float64Array`s or plain objects with the core's snake_case keys, as in
//! Rust and Python. The per-customer methods take numbers (→ a number) or columns (→ a
//! `Float64Array`; a number among columns is used for every row). Models save and restore
//! through the core's serde JSON (`toJSON`/`fromJSON`), the text Python's pickles hold.
mod args;
mod summary;

use cem_core::Error;
use cem_core::clv as cc;
use wasm_bindgen::prelude::*;

use self::args::{args, clv_options, column, count, fit_options, numbers};
use crate::columns;
use crate::convert::plain;
use crate::error::{CoreResult, to_js};

pub use summary::customer_summary;

#[wasm_bindgen(typescript_custom_section)]
const TS_CLV: &str = r#"
/** A column of numbers: an array or a typed array (`Float64Array`, ...). */
export type Reals = readonly number[] | ArrayLike<number>;
/** BG/NBD parameters (α in the caller's time unit). */
export interface BetaGeoParams { r: number; alpha: number; a: number; b: number; }
/** Pareto/NBD parameters (α and β in the caller's time unit). */
export interface ParetoNbdParams { r: number; alpha: number; s: number; beta: number; }
/** Gamma-Gamma parameters. */
export interface GammaGammaParams { p: number; q: number; v: number; }
/** How a fit went (the core's `FitReport`). */
export interface FitReport<P> {
  /** Log-likelihood of the data in the caller's time unit, without the penalty. */
  log_likelihood: number;
  /** lifetimes' `_negative_log_likelihood_`: penalized, on rescaled time. */
  objective: number;
  /** lifetimes' standard errors; `null` when the Hessian is not positive definite. */
  standard_errors: P | null;
  iterations: number;
  /** Customers fitted (the sum of the weights). */
  customers: number;
}
/** One row of lifetimes' `summary()`: `coef ± z·se` with the exact normal quantile. */
export interface ParameterRow {
  parameter: string;
  coef: number;
  se: number | null;
  lower: number | null;
  upper: number | null;
}
/** Settings of a fit. */
export interface FitOptions {
  /** lifetimes' `penalizer_coef` (default 0). */
  penalizer?: number;
  /** How many identical customers each row stands for (default 1 each). */
  weights?: Reals;
}
/** Settings of `lifetimeValue` (lifetimes' `customer_lifetime_value`). */
export interface ClvOptions {
  /** Horizon in months (default 12). */
  time?: number;
  /** Monthly discount rate (default 0.01). */
  discount_rate?: number;
  /** Time unit of frequency, recency and T: hours, days (default), weeks, months. */
  freq?: "H" | "D" | "W" | "M";
}
/** Settings of `customerSummary`. */
export interface SummaryOptions {
  /** End of observation: a `Date` or a number in `time_unit`; default the last transaction. */
  observation_end?: Date | number;
  /** Period purchases are counted in: days (default), weeks (Monday to Sunday), months. */
  freq?: "D" | "W" | "M";
  /** Unit of numeric times (default `"s"`); `Date`s are always read as such. */
  time_unit?: "s" | "ms" | "us" | "ns";
}
/** lifetimes' `summary_data_from_transaction_data`, one entry per customer (in order of
 *  first appearance in the input). */
export interface CustomerSummary {
  customers: string[];
  /** Repeat purchase periods. */
  frequency: Float64Array;
  /** Periods from the first to the last purchase. */
  recency: Float64Array;
  /** Periods from the first purchase to the observation end. */
  T: Float64Array;
  /** Mean spend of the repeat periods (0 without repeats); `null` without amounts. */
  monetary_value: Float64Array | null;
  /** All the customer's amounts summed; `null` without amounts. */
  total_spend: Float64Array | null;
  /** Transactions (rows) per customer. */
  transactions: Float64Array;
  /** Start of the first and the last purchase period, milliseconds since the epoch. */
  first_purchase: Float64Array;
  last_purchase: Float64Array;
}
export interface BetaGeo {
  /** Expected purchases in the next `t` time units of customers with this history
   *  (lifetimes' `conditional_expected_number_of_purchases_up_to_time`). */
  predict(t: number, frequency: number, recency: number, T: number): number;
  predict(t: number, frequency: number | Reals, recency: number | Reals, T: number | Reals): Float64Array;
  /** Probability that a customer with this history is alive. */
  pAlive(frequency: number, recency: number, T: number): number;
  pAlive(frequency: number | Reals, recency: number | Reals, T: number | Reals): Float64Array;
  /** Expected purchases of a new customer in `t` time units. */
  expectedPurchases(t: number): number;
  expectedPurchases(t: Reals): Float64Array;
  /** Discounted lifetime value (lifetimes' `customer_lifetime_value`) with this purchase
   *  model and the `spend` model. */
  lifetimeValue(spend: GammaGamma, frequency: number, recency: number, T: number, monetaryValue: number, options?: ClvOptions): number;
  lifetimeValue(spend: GammaGamma, frequency: number | Reals, recency: number | Reals, T: number | Reals, monetaryValue: number | Reals, options?: ClvOptions): Float64Array;
}
export interface ParetoNBD {
  /** Expected purchases in the next `t` time units of customers with this history. */
  predict(t: number, frequency: number, recency: number, T: number): number;
  predict(t: number, frequency: number | Reals, recency: number | Reals, T: number | Reals): Float64Array;
  /** Probability that a customer with this history is alive. */
  pAlive(frequency: number, recency: number, T: number): number;
  pAlive(frequency: number | Reals, recency: number | Reals, T: number | Reals): Float64Array;
  /** Expected purchases of a new customer in `t` time units. */
  expectedPurchases(t: number): number;
  expectedPurchases(t: Reals): Float64Array;
  /** Discounted lifetime value with this purchase model and the `spend` model. */
  lifetimeValue(spend: GammaGamma, frequency: number, recency: number, T: number, monetaryValue: number, options?: ClvOptions): number;
  lifetimeValue(spend: GammaGamma, frequency: number | Reals, recency: number | Reals, T: number | Reals, monetaryValue: number | Reals, options?: ClvOptions): Float64Array;
}
export interface GammaGamma {
  /** Expected mean transaction value of customers with this history, shrunk towards the
   *  population mean (frequency 0 gets the population mean). */
  expectedValue(frequency: number, monetaryValue: number): number;
  expectedValue(frequency: number | Reals, monetaryValue: number | Reals): Float64Array;
}
"#;

/// BG/NBD and Pareto/NBD: the same methods over their core types.
macro_rules! transaction_model {
    (
        $name:ident, $js:ident, $fitter:ident, $fitted:ty, $params:ty,
        $ts_params:literal, $ts_se:literal, $ts_report:literal, $doc:literal
    ) => {
        #[doc = $doc]
        #[wasm_bindgen(js_name = $js)]
        pub struct $name {
            inner: $fitted,
        }

        #[wasm_bindgen(js_class = $js)]
        impl $name {
            /// Fits the model by maximum likelihood to one row per customer: `frequency`
            /// (repeat purchases), `recency` (time of the last one since the first), `T`
            /// (age), in one time unit. Throws `invalid_number` naming the row (NaN, negative,
            /// recency > T, ...), `length_mismatch`, `invalid_argument` (nobody bought twice),
            /// `not_converged`.
            #[allow(non_snake_case)]
            pub fn fit(
                #[wasm_bindgen(unchecked_param_type = "Reals")] frequency: &JsValue,
                #[wasm_bindgen(unchecked_param_type = "Reals")] recency: &JsValue,
                #[wasm_bindgen(unchecked_param_type = "Reals")] T: &JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: Option<
                    JsValue,
                >,
            ) -> Result<$name, JsValue> {
                let (penalizer, weights) = fit_options(options.as_ref())?;
                let x = columns::reals(frequency, "frequency")?;
                let tx = columns::reals(recency, "recency")?;
                let age = columns::reals(T, "T")?;
                let inner = cc::$fitter { penalizer }
                    .fit(&x, &tx, &age, weights.as_deref())
                    .js()?;
                Ok($name { inner })
            }

            /// A model with known parameters (say, fitted in Python); it has no fit report.
            #[wasm_bindgen(js_name = fromParams)]
            pub fn from_params(
                #[wasm_bindgen(unchecked_param_type = $ts_params)] params: &JsValue,
            ) -> Result<$name, JsValue> {
                let p: $params = args::params(params)?;
                Ok($name {
                    inner: <$fitted>::from_params(p).js()?,
                })
            }

            /// The model back from the text `toJSON` (or Python's `to_json`) wrote.
            #[wasm_bindgen(js_name = fromJSON)]
            pub fn from_json(text: &str) -> Result<$name, JsValue> {
                let inner = serde_json::from_str(text).map_err(Error::from).js()?;
                Ok($name { inner })
            }

            /// Parameters and fit report as JSON text (the core's, readable by Rust and Python).
            #[wasm_bindgen(js_name = toJSON)]
            pub fn to_json(&self) -> Result<String, JsValue> {
                serde_json::to_string(&self.inner).map_err(Error::from).js()
            }

            /// The parameters (lifetimes' `params_`), time-scaled ones in the data's unit.
            #[wasm_bindgen(getter, unchecked_return_type = $ts_params)]
            pub fn params(&self) -> Result<JsValue, JsValue> {
                plain(&self.inner.params())
            }

            /// Log-likelihood of the fitted data (without the penalty); `undefined` for a
            /// model built from parameters.
            #[wasm_bindgen(getter, js_name = logLikelihood)]
            pub fn log_likelihood(&self) -> Option<f64> {
                self.inner.log_likelihood()
            }

            /// lifetimes' standard errors; `null` without a fit or a positive definite Hessian.
            #[wasm_bindgen(getter, js_name = standardErrors, unchecked_return_type = $ts_se)]
            pub fn standard_errors(&self) -> Result<JsValue, JsValue> {
                self.inner
                    .standard_errors()
                    .map_or(Ok(JsValue::NULL), |se| plain(&se))
            }

            /// Log-likelihood, lifetimes' objective, standard errors, iterations, customers;
            /// `null` for a model built from parameters.
            #[wasm_bindgen(getter, js_name = fitReport, unchecked_return_type = $ts_report)]
            pub fn fit_report(&self) -> Result<JsValue, JsValue> {
                self.inner.report().map_or(Ok(JsValue::NULL), plain)
            }

            /// lifetimes' `summary()`: per parameter `coef`, `se` and `coef ± z·se` at
            /// `confidence` (default 0.95).
            #[wasm_bindgen(unchecked_return_type = "ParameterRow[]")]
            pub fn summary(&self, confidence: Option<f64>) -> Result<JsValue, JsValue> {
                let rows = cc::parameter_summary(
                    &self.inner.params(),
                    self.inner.report(),
                    confidence.unwrap_or(0.95),
                )
                .js()?;
                plain(&rows)
            }

            /// See the TypeScript declaration (overloads for numbers and columns).
            #[wasm_bindgen(skip_typescript)]
            #[allow(non_snake_case)]
            pub fn predict(
                &self,
                t: f64,
                frequency: &JsValue,
                recency: &JsValue,
                T: &JsValue,
            ) -> Result<JsValue, JsValue> {
                match args([(frequency, "frequency"), (recency, "recency"), (T, "T")])? {
                    None => {
                        let [x, tx, age] = numbers([frequency, recency, T]);
                        Ok(self.inner.predict(t, x, tx, age).js()?.into())
                    }
                    Some([x, tx, age]) => Ok(column(
                        &cc::predict_columns(&self.inner, t, &x, &tx, &age).js()?,
                    )),
                }
            }

            /// See the TypeScript declaration.
            #[wasm_bindgen(js_name = pAlive, skip_typescript)]
            #[allow(non_snake_case)]
            pub fn p_alive(
                &self,
                frequency: &JsValue,
                recency: &JsValue,
                T: &JsValue,
            ) -> Result<JsValue, JsValue> {
                match args([(frequency, "frequency"), (recency, "recency"), (T, "T")])? {
                    None => {
                        let [x, tx, age] = numbers([frequency, recency, T]);
                        Ok(self.inner.p_alive(x, tx, age).js()?.into())
                    }
                    Some([x, tx, age]) => Ok(column(
                        &cc::p_alive_columns(&self.inner, &x, &tx, &age).js()?,
                    )),
                }
            }

            /// See the TypeScript declaration.
            #[wasm_bindgen(js_name = expectedPurchases, skip_typescript)]
            pub fn expected_purchases(&self, t: &JsValue) -> Result<JsValue, JsValue> {
                match args([(t, "t")])? {
                    None => {
                        let [t] = numbers([t]);
                        Ok(self.inner.expected_purchases(t).js()?.into())
                    }
                    Some([ts]) => {
                        let out = ts
                            .iter()
                            .enumerate()
                            .map(|(i, &t)| {
                                self.inner.expected_purchases(t).map_err(|e| e.at_row(i))
                            })
                            .collect::<Result<Vec<f64>, Error>>()
                            .js()?;
                        Ok(column(&out))
                    }
                }
            }

            /// Probability that a new customer makes exactly `n` repeat purchases in `t` time
            /// units (lifetimes' `probability_of_n_purchases_up_to_time`).
            #[wasm_bindgen(js_name = probabilityOfNPurchases)]
            pub fn probability_of_n_purchases(&self, t: f64, n: f64) -> Result<f64, JsValue> {
                self.inner
                    .probability_of_n_purchases(t, count("n", n)?)
                    .js()
            }

            /// See the TypeScript declaration.
            #[wasm_bindgen(js_name = lifetimeValue, skip_typescript)]
            #[allow(non_snake_case)]
            pub fn lifetime_value(
                &self,
                spend: &GammaGamma,
                frequency: &JsValue,
                recency: &JsValue,
                T: &JsValue,
                monetary_value: &JsValue,
                options: Option<JsValue>,
            ) -> Result<JsValue, JsValue> {
                let options = clv_options(options.as_ref())?;
                let read = args([
                    (frequency, "frequency"),
                    (recency, "recency"),
                    (T, "T"),
                    (monetary_value, "monetaryValue"),
                ])?;
                match read {
                    None => {
                        let [x, tx, age, m] = numbers([frequency, recency, T, monetary_value]);
                        let v =
                            cc::lifetime_value(&self.inner, &spend.inner, x, tx, age, m, &options);
                        Ok(v.js()?.into())
                    }
                    Some([x, tx, age, m]) => {
                        let v = cc::lifetime_values(
                            &self.inner,
                            &spend.inner,
                            &x,
                            &tx,
                            &age,
                            &m,
                            &options,
                        );
                        Ok(column(&v.js()?))
                    }
                }
            }
        }
    };
}

transaction_model!(
    BetaGeo,
    BetaGeo,
    BetaGeo,
    cc::FittedBetaGeo,
    cc::BetaGeoParams,
    "BetaGeoParams",
    "BetaGeoParams | null",
    "FitReport<BetaGeoParams> | null",
    "The BG/NBD model of repeat purchases (lifetimes' `BetaGeoFitter`; the core's `FittedBetaGeo`)."
);

transaction_model!(
    ParetoNbd,
    ParetoNBD,
    ParetoNbd,
    cc::FittedParetoNbd,
    cc::ParetoNbdParams,
    "ParetoNbdParams",
    "ParetoNbdParams | null",
    "FitReport<ParetoNbdParams> | null",
    "The Pareto/NBD model of repeat purchases (lifetimes' `ParetoNBDFitter`; the core's `FittedParetoNbd`)."
);

/// The Gamma-Gamma model of spend per transaction (lifetimes' `GammaGammaFitter`; the
/// core's `FittedGammaGamma`).
#[wasm_bindgen(js_name = GammaGamma)]
pub struct GammaGamma {
    inner: cc::FittedGammaGamma,
}

#[wasm_bindgen(js_class = GammaGamma)]
impl GammaGamma {
    /// Fits the model to the repeat customers' `frequency` (> 0) and `monetaryValue` (mean
    /// value of the repeat purchases, > 0). Leave customers without repeat purchases out, as
    /// lifetimes says: a 0 throws `invalid_number` naming the row.
    #[wasm_bindgen(js_name = fit)]
    pub fn fit(
        #[wasm_bindgen(unchecked_param_type = "Reals")] frequency: &JsValue,
        #[wasm_bindgen(js_name = monetaryValue, unchecked_param_type = "Reals")]
        monetary_value: &JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "FitOptions")] options: Option<JsValue>,
    ) -> Result<GammaGamma, JsValue> {
        let (penalizer, weights) = fit_options(options.as_ref())?;
        let x = columns::reals(frequency, "frequency")?;
        let m = columns::reals(monetary_value, "monetaryValue")?;
        let inner = cc::GammaGamma { penalizer }
            .fit(&x, &m, weights.as_deref())
            .js()?;
        Ok(GammaGamma { inner })
    }

    /// A model with known parameters `{p, q, v}`; it has no fit report.
    #[wasm_bindgen(js_name = fromParams)]
    pub fn from_params(
        #[wasm_bindgen(unchecked_param_type = "GammaGammaParams")] params: &JsValue,
    ) -> Result<GammaGamma, JsValue> {
        let p: cc::GammaGammaParams = args::params(params)?;
        Ok(GammaGamma {
            inner: cc::FittedGammaGamma::from_params(p).js()?,
        })
    }

    /// The model back from the text `toJSON` (or Python's `to_json`) wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<GammaGamma, JsValue> {
        let inner = serde_json::from_str(text).map_err(Error::from).js()?;
        Ok(GammaGamma { inner })
    }

    /// Parameters and fit report as JSON text (the core's).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        serde_json::to_string(&self.inner).map_err(Error::from).js()
    }

    /// The parameters `{p, q, v}`.
    #[wasm_bindgen(getter, unchecked_return_type = "GammaGammaParams")]
    pub fn params(&self) -> Result<JsValue, JsValue> {
        plain(&self.inner.params())
    }

    /// Log-likelihood of the fitted data; `undefined` for a model built from parameters.
    #[wasm_bindgen(getter, js_name = logLikelihood)]
    pub fn log_likelihood(&self) -> Option<f64> {
        self.inner.log_likelihood()
    }

    /// lifetimes' standard errors; `null` without a fit or a positive definite Hessian.
    #[wasm_bindgen(getter, js_name = standardErrors, unchecked_return_type = "GammaGammaParams | null")]
    pub fn standard_errors(&self) -> Result<JsValue, JsValue> {
        self.inner
            .standard_errors()
            .map_or(Ok(JsValue::NULL), |se| plain(&se))
    }

    /// The fit report; `null` for a model built from parameters.
    #[wasm_bindgen(getter, js_name = fitReport, unchecked_return_type = "FitReport<GammaGammaParams> | null")]
    pub fn fit_report(&self) -> Result<JsValue, JsValue> {
        self.inner.report().map_or(Ok(JsValue::NULL), plain)
    }

    /// lifetimes' `summary()` at `confidence` (default 0.95).
    #[wasm_bindgen(unchecked_return_type = "ParameterRow[]")]
    pub fn summary(&self, confidence: Option<f64>) -> Result<JsValue, JsValue> {
        let rows = cc::parameter_summary(
            &self.inner.params(),
            self.inner.report(),
            confidence.unwrap_or(0.95),
        )
        .js()?;
        plain(&rows)
    }

    /// See the TypeScript declaration.
    #[wasm_bindgen(js_name = expectedValue, skip_typescript)]
    pub fn expected_value(
        &self,
        frequency: &JsValue,
        monetary_value: &JsValue,
    ) -> Result<JsValue, JsValue> {
        match args([(frequency, "frequency"), (monetary_value, "monetaryValue")])? {
            None => {
                let [x, m] = numbers([frequency, monetary_value]);
                Ok(self.inner.expected_value(x, m).js()?.into())
            }
            Some([x, m]) => {
                if x.len() != m.len() {
                    return Err(to_js(Error::LengthMismatch {
                        left: "frequency".to_owned(),
                        left_len: x.len(),
                        right: "monetaryValue".to_owned(),
                        right_len: m.len(),
                    }));
                }
                let out = x
                    .iter()
                    .zip(&m)
                    .enumerate()
                    .map(|(i, (&x, &m))| self.inner.expected_value(x, m).map_err(|e| e.at_row(i)))
                    .collect::<Result<Vec<f64>, Error>>()
                    .js()?;
                Ok(column(&out))
            }
        }
    }
}
