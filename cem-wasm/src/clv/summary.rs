//! `customerSummary`: lifetimes' summary of a transaction log (the core's `CustomerSummary`).
use cem_core::loyalty as cl;
use cem_core::metrics::TimeUnit;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::args::{column, option, options, text_option};
use crate::columns::{self, invalid};
use crate::error::CoreResult;

/// Per-customer frequency, recency, T and monetary value from transactions, as lifetimes'
/// `summary_data_from_transaction_data` (the core's `CustomerSummary`): `customers` ids
/// (texts or numbers), `times` (`Date`s or numbers in `time_unit`), optional `amounts`.
/// Throws `out_of_range` for a transaction after `observation_end`, `invalid_number` for a
/// NaN amount, `length_mismatch`.
#[wasm_bindgen(js_name = customerSummary, unchecked_return_type = "CustomerSummary")]
pub fn customer_summary(
    #[wasm_bindgen(unchecked_param_type = "readonly (string | number)[] | ArrayLike<number>")]
    customers: &JsValue,
    #[wasm_bindgen(unchecked_param_type = "readonly (number | Date)[] | ArrayLike<number>")]
    times: &JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Reals | null")] amounts: Option<JsValue>,
    #[wasm_bindgen(unchecked_optional_param_type = "SummaryOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsValue> {
    let object = self::options(options.as_ref(), &["observation_end", "freq", "time_unit"])?;
    let object = object.as_ref();
    let unit = TimeUnit::parse(text_option(object, "time_unit")?.as_deref().unwrap_or("s")).js()?;
    let period = match text_option(object, "freq")?.as_deref() {
        None | Some("D" | "d") => cl::Period::Day,
        Some("W" | "w") => cl::Period::Week,
        Some("M" | "m") => cl::Period::Month,
        Some(other) => {
            return Err(invalid(
                "freq",
                format!("`{other}` is not a period; expected `D`, `W` or `M`"),
            ));
        }
    };
    let (codes, labels) = columns::ids(customers, "customers")?;
    let (raw, time_unit) = columns::times(times, "times", unit)?;
    let seconds = |v: i64, unit: TimeUnit| v.div_euclid(unit.per_second());
    let ts: Vec<i64> = raw.iter().map(|&v| seconds(v, time_unit)).collect();
    let amounts = amounts
        .filter(|a| !a.is_undefined() && !a.is_null())
        .map(|a| columns::reals(&a, "amounts"))
        .transpose()?;
    let end = match option(object, "observation_end")? {
        None => ts.iter().copied().max().unwrap_or(0),
        Some(v) => {
            let (end, end_unit) = columns::times(&Array::of1(&v), "observation_end", unit)?;
            end.first().map_or(0, |&e| seconds(e, end_unit))
        }
    };
    let s = cl::CustomerSummary::from_transactions(&codes, &ts, amounts.as_deref(), end, period)
        .js()?;
    let out = Object::new();
    let set = |k: &str, v: JsValue| Reflect::set(&out, &JsValue::from_str(k), &v).map(|_| ());
    let names: Array = s
        .customers
        .iter()
        .map(|&c| JsValue::from_str(labels.get(c as usize).map_or("", String::as_str)))
        .collect();
    set("customers", names.into())?;
    set("frequency", column(&s.frequency))?;
    set("recency", column(&s.recency))?;
    set("T", column(&s.t))?;
    set(
        "monetary_value",
        s.monetary_value.as_deref().map_or(JsValue::NULL, column),
    )?;
    set(
        "total_spend",
        s.total_spend.as_deref().map_or(JsValue::NULL, column),
    )?;
    let n: Vec<f64> = s.transactions.iter().map(|&n| f64::from(n)).collect();
    set("transactions", column(&n))?;
    #[allow(clippy::cast_precision_loss)] // times in ms stay far below 2^53
    let ms = |v: &[i64]| -> Vec<f64> { v.iter().map(|&t| t as f64 * 1000.0).collect() };
    set("first_purchase", column(&ms(&s.first_purchase)))?;
    set("last_purchase", column(&ms(&s.last_purchase)))?;
    Ok(out.into())
}
