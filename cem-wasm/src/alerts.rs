//! Alert rules and the metric monitor in the browser: the opt-in package `cem-alerts` (cargo
//! feature `alerts`; see DEVELOPERS.md).
//!
//! Thin: responses come in as plain JS objects (the fields of `cem_core::alerts::Response`)
//! and are read key by key here — a wrong value throws a `CemError` naming the response's
//! position and the field; each method then calls `cem_core::alerts` once. Cases and alerts
//! go out as plain objects with the core's snake_case keys and RFC 3339 times, as in Rust
//! and Python; `toJSON` texts are the core's, byte for byte.
use cem_core::Error;
use cem_core::alerts as ca;
use cem_core::model::CaseStatus;
use chrono::{DateTime, Utc};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;

use crate::convert::{plain, type_name};
use crate::error::{CoreResult, to_js};

#[wasm_bindgen(typescript_custom_section)]
const TS_ALERTS: &str = r#"
/** One feedback response as the rules and the monitor see it. Missing = `undefined`/`null`. */
export interface AlertResponse {
  /** Who answered (a string; a number is turned into its text). */
  customer: string | number;
  /** When: a `Date`, milliseconds since the epoch (whole), or RFC 3339 text with a zone
   *  (`"2026-03-01T10:00:00Z"`). */
  time: Date | number | string;
  /** 0..10. */
  nps?: number | null;
  /** Whole number 0..255. */
  csat?: number | null;
  /** Whole number 0..255. */
  ces?: number | null;
  /** −1..1, computed by the caller (e.g. `compound` of cem-sentiment's `polarity`). */
  sentiment?: number | null;
  comment?: string | null;
  /** Channel name, e.g. `"call_centre"`. */
  channel?: string | null;
  touchpoint?: string | null;
  segment?: string | null;
  tier?: string | null;
}
/** Case priorities, lowest first. */
export type Priority = "low" | "medium" | "high" | "urgent";
/** Case statuses. */
export type CaseStatus = "open" | "in_progress" | "resolved" | "closed";
/** A condition of a rule (see the Rust/Python docs of `Condition`). */
export type RuleCondition =
  | { field: string; at_most: number } | { field: string; at_least: number }
  | { field: string; below: number } | { field: string; above: number }
  | { field: string; equals: string | number } | { field: string; in: (string | number)[] }
  | { field: "comment"; contains: string } | { field: "comment"; contains_word: string }
  | { field: string; present: boolean }
  | { all: RuleCondition[] } | { any: RuleCondition[] } | { not: RuleCondition };
/** One alert rule. */
export interface Rule {
  name: string;
  priority: Priority;
  sla_hours: number;
  /** Defaults to the name; cases are deduplicated per customer and reason. */
  reason?: string;
  when: RuleCondition;
}
/** The JSON form of a `RuleSet`. */
export interface RuleDefinition { rules: Rule[]; }
/** One move of a case. */
export interface CaseTransition { time: string; who: string; from: CaseStatus; to: CaseStatus; note?: string; }
/** A case opened by a rule (times as RFC 3339 text). */
export interface Case {
  id: string;
  customer: string;
  opened: string;
  closed?: string;
  status: CaseStatus;
  priority: Priority;
  reason: string;
  due?: string;
  escalated?: string;
  rule?: string;
  history?: CaseTransition[];
}
/** The metric a `Monitor` watches. */
export type MonitorMetric =
  | "nps" | "csat"
  | { kind: "nps" }
  | { kind: "csat"; max?: number; top?: number }
  | { kind: "mean"; field: "nps" | "csat" | "ces" | "sentiment"; min?: number; max?: number };
/** The settings of a `Monitor` (snake_case, as in Rust and Python). */
export interface MonitorConfig {
  metric: MonitorMetric;
  window_hours: number;
  baseline_hours: number;
  /** Also watch each value of this field. */
  by?: "segment" | "channel" | "touchpoint" | "tier";
  /** Default 0.95. */
  confidence?: number;
  /** Default 30. */
  min_window?: number;
  /** Default 100. */
  min_baseline?: number;
}
/** A window that fell below its control limit. */
export interface Alert {
  /** RFC 3339 time of the response that tipped it. */
  time: string;
  /** The segment, or `null` for the overall stream. */
  segment: string | null;
  metric: string;
  value: number;
  limit: number;
  window: Estimate;
  baseline: Estimate;
}
/** Median and 90th percentile (numpy's linear interpolation) of durations in hours. */
export interface Quantiles { n: number; median: number; p90: number; }
/** The closed-loop figures of a `CaseBook` at a time. */
export interface ClosedLoopFigures {
  cases: number;
  active: number;
  time_to_first_response: Quantiles | null;
  time_to_close: Quantiles | null;
  sla_cases: number;
  sla_breached: number;
  sla_breach_rate: number | null;
  detractors: number;
  detractors_contacted: number;
  contacted_share: number | null;
  recovered: number;
  recovery_rate: number | null;
}
/** A time: a `Date`, whole milliseconds since the epoch, or RFC 3339 text. */
export type AlertTime = Date | number | string;
"#;

/// Checked, compiled alert rules (`{"rules": [...]}`, the JSON of Rust's and Python's
/// `RuleSet`).
#[wasm_bindgen(js_name = RuleSet)]
pub struct RuleSet {
    inner: ca::RuleSet,
}

#[wasm_bindgen(js_class = RuleSet)]
impl RuleSet {
    /// Rules from a definition object or its JSON text; throws `invalid_rule` (naming the
    /// rule and field) or `json`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "RuleDefinition | string")] definition: &JsValue,
    ) -> Result<RuleSet, JsValue> {
        let text = json_text(definition, "definition")?;
        Self::from_json(&text)
    }

    /// Rules from JSON text.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<RuleSet, JsValue> {
        Ok(RuleSet {
            inner: ca::RuleSet::from_json(text).js()?,
        })
    }

    /// The rules as JSON text.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.inner.to_json().js()
    }

    /// The rules' names, in order.
    #[wasm_bindgen(getter)]
    pub fn names(&self) -> Vec<String> {
        self.inner.rules().iter().map(|r| r.name.clone()).collect()
    }

    /// The names of the matching rules, per response.
    #[wasm_bindgen(unchecked_return_type = "string[][]")]
    pub fn matching(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly AlertResponse[]")] responses: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let rs = self::responses(responses)?;
        plain(&self.inner.matching_many(&rs).js()?)
    }

    /// How many responses each rule matches, in the order of `names`.
    #[wasm_bindgen(js_name = countMatches, unchecked_return_type = "number[]")]
    pub fn count_matches(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly AlertResponse[]")] responses: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let rs = self::responses(responses)?;
        plain(&self.inner.count_matches(&rs).js()?)
    }

    /// The cases these rules open for the responses in a fresh case book (deduplicated per
    /// customer and reason).
    #[wasm_bindgen(unchecked_return_type = "Case[]")]
    pub fn evaluate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly AlertResponse[]")] responses: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let rs = self::responses(responses)?;
        plain(&self.inner.evaluate(&rs).js()?)
    }
}

/// Watches NPS, CSAT or a mean over a rolling time window, overall and per segment, and
/// raises an alert when the window falls below its baseline's control limit (see the Rust
/// and Python docs of `Monitor`).
#[wasm_bindgen(js_name = Monitor)]
pub struct Monitor {
    inner: ca::Monitor,
}

#[wasm_bindgen(js_class = Monitor)]
impl Monitor {
    /// A monitor from its settings; `metric` may be `"nps"`/`"csat"` or an object with a
    /// `kind`. Throws `out_of_range`/`invalid_argument`/`json` naming the setting.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "MonitorConfig")] config: &JsValue,
    ) -> Result<Monitor, JsValue> {
        let text = json_text(config, "config")?;
        let mut value: serde_json::Value = serde_json::from_str(&text).map_err(Error::from).js()?;
        if !value.is_object() {
            return Err(invalid(
                "config",
                format!("expected an object, got {}", type_name(config)),
            ));
        }
        if let Some(metric) = value.get_mut("metric")
            && let serde_json::Value::String(kind) = metric
        {
            let kind = std::mem::take(kind);
            *metric = serde_json::json!({ "kind": kind });
        }
        let config: ca::MonitorConfig = serde_json::from_value(value).map_err(Error::from).js()?;
        Ok(Monitor {
            inner: ca::Monitor::new(config).js()?,
        })
    }

    /// A monitor from the text `toJSON` wrote (settings and state).
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<Monitor, JsValue> {
        Ok(Monitor {
            inner: ca::Monitor::from_json(text).js()?,
        })
    }

    /// The settings and state as JSON text (the core's, readable by Rust and Python).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.inner.to_json().js()
    }

    /// The settings (with the defaults filled in).
    #[wasm_bindgen(getter, unchecked_return_type = "MonitorConfig")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        plain(self.inner.config())
    }

    /// The segments seen so far.
    #[wasm_bindgen(getter)]
    pub fn segments(&self) -> Vec<String> {
        self.inner.segments().map(str::to_owned).collect()
    }

    /// Consumes one response; returns the alerts it raised. An earlier time than the
    /// previous response's throws `out_of_order`.
    #[wasm_bindgen(unchecked_return_type = "Alert[]")]
    pub fn push(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AlertResponse")] response: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let r = self::response(response, 0)?;
        plain(&self.inner.push(&r).js()?)
    }

    /// Consumes responses in time order, all or nothing; returns the alerts raised (the same
    /// as pushing them one by one).
    #[wasm_bindgen(js_name = pushMany, unchecked_return_type = "Alert[]")]
    pub fn push_many(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "readonly AlertResponse[]")] responses: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let rs = self::responses(responses)?;
        plain(&self.inner.push_many(&rs).js()?)
    }
}

/// The cases opened by alert rules, their lifecycle (`open → in_progress → resolved →
/// closed`, and reopen), SLA escalation and the closed-loop figures (see the Rust and Python
/// docs of `CaseBook`).
#[wasm_bindgen(js_name = CaseBook)]
pub struct CaseBook {
    inner: ca::CaseBook,
}

#[wasm_bindgen(js_class = CaseBook)]
impl CaseBook {
    /// An empty book.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)] // a JS constructor
    pub fn new() -> CaseBook {
        CaseBook {
            inner: ca::CaseBook::new(),
        }
    }

    /// A book from the text `toJSON` wrote.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(text: &str) -> Result<CaseBook, JsValue> {
        Ok(CaseBook {
            inner: ca::CaseBook::from_json(text).js()?,
        })
    }

    /// The whole book as JSON text (the core's).
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> Result<String, JsValue> {
        self.inner.to_json().js()
    }

    /// Evaluates the rules on the responses (in order) and opens the cases they call for;
    /// returns the new case ids. All or nothing.
    pub fn ingest(
        &mut self,
        rules: &RuleSet,
        #[wasm_bindgen(unchecked_param_type = "readonly AlertResponse[]")] responses: &JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let rs = self::responses(responses)?;
        self.inner.ingest(&rules.inner, &rs).js()
    }

    /// Moves a case to `to` at `when`; returns the case. Throws `illegal_transition` for a
    /// move the lifecycle does not allow, `invalid_argument` for an unknown case.
    #[wasm_bindgen(unchecked_return_type = "Case")]
    pub fn transition(
        &mut self,
        id: &str,
        #[wasm_bindgen(unchecked_param_type = "CaseStatus")] to: &str,
        who: &str,
        #[wasm_bindgen(unchecked_param_type = "AlertTime")] when: &JsValue,
        note: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let to: CaseStatus = serde_json::from_value(serde_json::Value::String(to.to_owned()))
            .map_err(|_| {
                invalid(
                    "to",
                    format!(
                        "unknown status `{to}`; expected one of open, in_progress, resolved, closed"
                    ),
                )
            })?;
        let when = time(when).map_err(|reason| invalid("when", reason))?;
        plain(
            self.inner
                .transition(id, to, who, when, note.as_deref())
                .js()?,
        )
    }

    /// Escalates the active cases past their deadline at `now`; returns their ids.
    pub fn tick(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "AlertTime")] now: &JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let now = time(now).map_err(|reason| invalid("now", reason))?;
        Ok(self.inner.tick(now))
    }

    /// Every case, in the order opened.
    #[wasm_bindgen(getter, unchecked_return_type = "Case[]")]
    pub fn cases(&self) -> Result<JsValue, JsValue> {
        plain(self.inner.cases())
    }

    /// The case with this id, or `undefined`.
    #[wasm_bindgen(unchecked_return_type = "Case | undefined")]
    pub fn case(&self, id: &str) -> Result<JsValue, JsValue> {
        self.inner.case(id).map_or(Ok(JsValue::UNDEFINED), plain)
    }

    /// The closed-loop figures at `now`.
    #[wasm_bindgen(unchecked_return_type = "ClosedLoopFigures")]
    pub fn figures(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AlertTime")] now: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = time(now).map_err(|reason| invalid("now", reason))?;
        plain(&self.inner.figures(now))
    }

    /// Rule matches that opened nothing because the case was already active.
    #[wasm_bindgen(getter)]
    pub fn duplicates(&self) -> f64 {
        self.inner.duplicates() as f64
    }
}

fn invalid(name: &str, reason: String) -> JsValue {
    to_js(Error::InvalidArgument {
        name: name.to_owned(),
        reason,
    })
}

/// A string as is, or an object through `JSON.stringify`.
fn json_text(value: &JsValue, name: &str) -> Result<String, JsValue> {
    if let Some(text) = value.as_string() {
        return Ok(text);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err(invalid(
            name,
            format!("expected an object or JSON text, got {}", type_name(value)),
        ));
    }
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| invalid(name, "cannot be read as JSON".to_owned()))
}

/// An array of response objects.
fn responses(value: &JsValue) -> Result<Vec<ca::Response>, JsValue> {
    if !Array::is_array(value) {
        return Err(invalid(
            "responses",
            format!(
                "expected an array of response objects, got {}",
                type_name(value)
            ),
        ));
    }
    let items: &Array = value.unchecked_ref();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| response(&item, i))
        .collect()
}

/// One response object, read field by field; errors name the position and the field.
fn response(value: &JsValue, pos: usize) -> Result<ca::Response, JsValue> {
    let bad = |field: &str, reason: String| invalid(&format!("responses[{pos}].{field}"), reason);
    if !value.is_object() || Array::is_array(value) {
        return Err(invalid(
            &format!("responses[{pos}]"),
            format!("expected a response object, got {}", type_name(value)),
        ));
    }
    let get = |field: &str| -> Result<Option<JsValue>, JsValue> {
        let v = Reflect::get(value, &JsValue::from_str(field))
            .map_err(|_| bad(field, "could not be read".to_owned()))?;
        Ok((!v.is_undefined() && !v.is_null()).then_some(v))
    };
    let customer = match get("customer")? {
        Some(v) => match (v.as_string(), v.as_f64()) {
            (Some(s), _) => s,
            (None, Some(x)) if x.is_finite() => format!("{x}"),
            _ => {
                return Err(bad(
                    "customer",
                    format!("expected a string, got {}", type_name(&v)),
                ));
            }
        },
        None => return Err(bad("customer", "is missing".to_owned())),
    };
    let time = match get("time")? {
        Some(v) => time(&v).map_err(|reason| bad("time", reason))?,
        None => return Err(bad("time", "is missing".to_owned())),
    };
    let mut r = ca::Response::new(customer, time);
    let score = |field: &str| -> Result<Option<u8>, JsValue> {
        let Some(v) = get(field)? else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(x) if x.fract() == 0.0 && (0.0..=255.0).contains(&x) => Ok(Some(x as u8)),
            _ => Err(bad(
                field,
                format!("expected a whole number in 0..=255, got {}", shown(&v)),
            )),
        }
    };
    r.nps = score("nps")?;
    r.csat = score("csat")?;
    r.ces = score("ces")?;
    r.sentiment = match get("sentiment")? {
        None => None,
        Some(v) => match v.as_f64() {
            Some(x) if x.is_finite() => Some(x),
            _ => {
                return Err(bad(
                    "sentiment",
                    format!("expected a finite number, got {}", shown(&v)),
                ));
            }
        },
    };
    let text = |field: &str| -> Result<Option<String>, JsValue> {
        let Some(v) = get(field)? else {
            return Ok(None);
        };
        v.as_string()
            .map(Some)
            .ok_or_else(|| bad(field, format!("expected a string, got {}", type_name(&v))))
    };
    r.comment = text("comment")?;
    r.channel = text("channel")?;
    r.touchpoint = text("touchpoint")?;
    r.segment = text("segment")?;
    r.tier = text("tier")?;
    Ok(r)
}

/// A time from a `Date`, whole milliseconds since the epoch, or RFC 3339 text.
fn time(v: &JsValue) -> Result<DateTime<Utc>, String> {
    let ms = if let Some(date) = v.dyn_ref::<js_sys::Date>() {
        date.get_time()
    } else if let Some(x) = v.as_f64() {
        x
    } else if let Some(text) = v.as_string() {
        return text
            .parse::<DateTime<Utc>>()
            .map_err(|e| format!("`{text}` is not an RFC 3339 time: {e}"));
    } else {
        return Err(format!(
            "expected a Date, milliseconds or RFC 3339 text, got {}",
            type_name(v)
        ));
    };
    if !(ms.is_finite() && ms.fract() == 0.0 && ms.abs() <= 8.64e15) {
        return Err(format!("{ms} is not a valid time in whole milliseconds"));
    }
    DateTime::from_timestamp_millis(ms as i64)
        .ok_or_else(|| format!("{ms} milliseconds is out of range"))
}

/// A value for a message: numbers as numbers, anything else by its type.
fn shown(v: &JsValue) -> String {
    v.as_f64().map_or_else(|| type_name(v), |x| x.to_string())
}
