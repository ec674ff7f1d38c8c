//! Survey orchestration in the page: the opt-in package `cem-orchestrate` (cargo feature
//! `orchestrate`; see DEVELOPERS.md) wrapping the core's `Orchestrator`.
//!
//! Thin: an interaction comes in as a plain object with the core's `Event` keys
//! (snake_case), its time in **milliseconds** since the epoch (a number, as `Date.now()`
//! gives, or a `Date`), floored to the core's whole seconds; every decision goes out as a
//! plain object naming its trigger, with times in milliseconds again. The core decides;
//! here only values are checked and converted. `toJSON` is the core's state JSON, the same
//! text Rust's `to_json` and Python's `state_json` write, so a page and a service can hand
//! the state to each other.
use cem_core::Error;
use cem_core::survey::orchestrate as co;
use js_sys::{Array, Reflect};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::convert::{plain, type_name};
use crate::error::{CoreResult, to_js};

#[wasm_bindgen]
extern "C" {
    // Catching: a Proxy or a throwing getter becomes an `Err`, not an unwinding exception.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(value: &JsValue) -> Result<Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = JSON, js_name = stringify)]
    fn json_stringify(value: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ORCHESTRATE: &str = r#"
/** One interaction, as the core's `Event` (snake_case keys); unknown keys throw. */
export interface SurveyEvent {
  /** The customer id (numbers are used as their decimal text). */
  customer: string | number;
  /** When it happened: milliseconds since the epoch (`Date.now()`) or a `Date`. The core
   * decides in whole seconds: milliseconds are floored to the second. */
  time: number | Date;
  touchpoint: string;
  channel?: string | null;
  outcome?: string | null;
  segment?: string | null;
  /** The customer has an open complaint case (default false). */
  open_complaint?: boolean | null;
  /** The customer is flagged do-not-contact (default false). */
  do_not_contact?: boolean | null;
  /** Needed by triggers with `"sample_by": "event"`: a whole number ≥ 0 or a bigint. */
  event_id?: number | bigint | null;
}
/** Why a trigger did or did not invite. */
export type DecisionReason = "invited" | "do_not_contact" | "open_complaint" | "excluded_segment"
  | "quarantined" | "capped" | "sampled_out" | "lower_priority";
/** The decision of one matching trigger on one interaction. */
export interface SurveyDecision {
  /** Position of the interaction in the list given to `feed` (0 for `decide`). */
  row: number;
  /** The trigger's id. */
  trigger: string;
  /** The survey the trigger offers. */
  survey: string;
  /** The channel the invitation goes out through (the trigger's `via`), if set. */
  via?: string;
  reason: DecisionReason;
  /** `reason === "invited"`. */
  invited: boolean;
  /** Invited: when to show or send it, in ms (the interaction's second + the delay). */
  send_at?: number;
  /** Quarantined or capped: the first time (ms) an invitation is allowed again. */
  until?: number;
  /** Capped: which cap (index into the rules' `caps`). */
  cap?: number;
  /** Lower priority: the id of the trigger that invited. */
  winner?: string;
}
/** A contradiction in a valid rule set (a trigger that can never fire). */
export interface RuleWarning { rule: string | null; code: string; message: string; }
/** A trigger of the rules. */
export interface TriggerInfo { id: string; survey: string; via?: string; priority: number; }
/** What the orchestrator remembers about one customer. */
export interface CustomerRecord { last_invited: number | null; invitations: number; }
"#;

/// The survey orchestrator (the core's `Orchestrator`): decides for each interaction whether
/// the customer gets a survey now, and why not.
#[wasm_bindgen(js_name = Orchestrator)]
pub struct Orchestrator {
    inner: co::Orchestrator,
}

#[wasm_bindgen(js_class = Orchestrator)]
impl Orchestrator {
    /// An orchestrator with no history, from a rule set: JSON text or the same as an object.
    /// Throws `invalid_rule` naming the trigger and field, `json` for text that is not JSON.
    #[wasm_bindgen(js_name = fromRules)]
    pub fn from_rules(
        #[wasm_bindgen(unchecked_param_type = "string | object")] rules: &JsValue,
    ) -> Result<Orchestrator, JsValue> {
        let text = text_or_object(rules, "rules")?;
        Ok(Orchestrator {
            inner: co::Orchestrator::from_rules_json(&text).js()?,
        })
    }

    /// Restores an orchestrator (rules and state) from `toJSON` text, written by a page,
    /// Python (`state_json`) or Rust. Throws `json` for other text, and `invalid_argument`
    /// for anything but text — a parsed object included: `JSON.parse` rounds the 64-bit
    /// customer keys it holds, which would silently forget customers.
    #[wasm_bindgen(js_name = fromJSON)]
    pub fn from_json(
        #[wasm_bindgen(unchecked_param_type = "string")] state: &JsValue,
    ) -> Result<Orchestrator, JsValue> {
        let text = state.as_string().ok_or_else(|| {
            invalid(
                "state",
                format!(
                    "expected the text `toJSON` wrote, got {} (a parsed state has lost its 64-bit customer keys)",
                    type_name(state)
                ),
            )
        })?;
        Ok(Orchestrator {
            inner: co::Orchestrator::from_json(&text).js()?,
        })
    }

    /// The rules and the state as JSON text (the core's serde form); store it, say in
    /// `localStorage`, and continue with `Orchestrator.fromJSON`.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Decides on one interaction: one decision per matching trigger, highest priority
    /// first (empty when no trigger matches). Throws `out_of_order` for a time earlier
    /// (to the second) than the last one fed; nothing changes on an error.
    #[wasm_bindgen(unchecked_return_type = "SurveyDecision[]")]
    pub fn decide(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "SurveyEvent")] event: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let e = read_event(event, None)?;
        self.run(vec![e])
    }

    /// Decides on interactions in time order, as `decide` one by one would; `row` is the
    /// position in `events`. The list is checked whole first: on an error nothing changes.
    #[wasm_bindgen(unchecked_return_type = "SurveyDecision[]")]
    pub fn feed(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "readonly SurveyEvent[]")] events: &JsValue,
    ) -> Result<JsValue, JsValue> {
        if !Array::is_array(events) {
            return Err(invalid(
                "events",
                format!("expected a list of events, got {}", type_name(events)),
            ));
        }
        let list = crate::convert::array_from(events)?;
        let rows = (list.iter().enumerate())
            .map(|(i, v)| read_event(&v, Some(i)))
            .collect::<Result<Vec<_>, _>>()?;
        self.run(rows)
    }

    /// Contradictions in the rules that make a trigger (or all of them) never fire.
    #[wasm_bindgen(unchecked_return_type = "RuleWarning[]")]
    pub fn warnings(&self) -> Result<JsValue, JsValue> {
        plain(&self.inner.rules().warnings())
    }

    /// The triggers in file order: `{id, survey, via, priority}`.
    #[wasm_bindgen(unchecked_return_type = "TriggerInfo[]")]
    pub fn triggers(&self) -> Result<JsValue, JsValue> {
        let list: Vec<TriggerOut<'_>> = (self.inner.rules().triggers.iter())
            .map(|t| TriggerOut {
                id: &t.id,
                survey: &t.survey,
                via: t.via.as_deref(),
                priority: t.priority,
            })
            .collect();
        plain(&list)
    }

    /// The time (ms, floored to the second) of the last interaction fed, if any.
    #[wasm_bindgen(getter)]
    pub fn clock(&self) -> Option<f64> {
        self.inner.clock().map(ms)
    }

    /// Customers invited at least once.
    #[wasm_bindgen(getter)]
    pub fn customers(&self) -> usize {
        self.inner.customers()
    }

    /// What the orchestrator remembers about a customer (`last_invited` in ms), or
    /// `undefined` if never invited.
    #[wasm_bindgen(unchecked_return_type = "CustomerRecord | undefined")]
    pub fn customer(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string | number")] id: &JsValue,
    ) -> Result<JsValue, JsValue> {
        let id = customer_id(id, "customer")?;
        let Some(s) = self.inner.customer(co::customer_key(&id)) else {
            return Ok(JsValue::UNDEFINED);
        };
        #[derive(Serialize)]
        struct Out {
            last_invited: Option<f64>,
            invitations: u64,
        }
        plain(&Out {
            last_invited: s.last_invited.map(ms),
            invitations: s.invitations,
        })
    }
}

impl Orchestrator {
    /// Checks the order (to the second, the core's resolution) and runs the core.
    fn run(&mut self, events: Vec<(co::Event, f64)>) -> Result<JsValue, JsValue> {
        let mut prev = self.inner.clock();
        for (pos, (e, given)) in events.iter().enumerate() {
            if let Some(p) = prev
                && e.time < p
            {
                return Err(to_js(Error::OutOfOrder {
                    what: format!("event {pos} (ms)"),
                    previous: ms(p).to_string(),
                    got: given.to_string(),
                }));
            }
            prev = Some(e.time);
        }
        let events: Vec<co::Event> = events.into_iter().map(|(e, _)| e).collect();
        let decisions = self.inner.feed_events(&events).js()?;
        let triggers = &self.inner.rules().triggers;
        let id = |i: u32| triggers.get(i as usize);
        let out: Vec<DecisionOut<'_>> = (decisions.iter())
            .map(|d| {
                let t = id(d.trigger);
                let mut o = DecisionOut {
                    row: d.row,
                    trigger: t.map_or("", |t| &t.id),
                    survey: t.map_or("", |t| &t.survey),
                    via: t.and_then(|t| t.via.as_deref()),
                    reason: d.reason.code(),
                    invited: d.reason.is_invited(),
                    send_at: None,
                    until: None,
                    cap: None,
                    winner: None,
                };
                match d.reason {
                    co::Reason::Invited { send_at } => o.send_at = Some(ms(send_at)),
                    co::Reason::Quarantined { until } => o.until = Some(ms(until)),
                    co::Reason::Capped { cap, until } => {
                        o.cap = Some(cap);
                        o.until = Some(ms(until));
                    }
                    co::Reason::LowerPriority { winner } => {
                        o.winner = id(winner).map(|t| t.id.as_str())
                    }
                    _ => {}
                }
                o
            })
            .collect();
        plain(&out)
    }
}

#[derive(Serialize)]
struct DecisionOut<'a> {
    row: usize,
    trigger: &'a str,
    survey: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'a str>,
    reason: &'static str,
    invited: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    send_at: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    until: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cap: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    winner: Option<&'a str>,
}

#[derive(Serialize)]
struct TriggerOut<'a> {
    id: &'a str,
    survey: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<&'a str>,
    priority: i32,
}

/// Seconds → milliseconds as a JS number.
#[allow(clippy::cast_precision_loss)] // times of a Date's range are exact
fn ms(seconds: i64) -> f64 {
    seconds as f64 * 1000.0
}

/// The largest time a `Date` can hold, in ms either side of the epoch.
const DATE_RANGE_MS: f64 = 8.64e15;

const EVENT_KEYS: [&str; 9] = [
    "customer",
    "time",
    "touchpoint",
    "channel",
    "outcome",
    "segment",
    "open_complaint",
    "do_not_contact",
    "event_id",
];

fn invalid(name: &str, reason: String) -> JsValue {
    to_js(Error::InvalidArgument {
        name: name.to_owned(),
        reason,
    })
}

/// JSON text as given, or an object through `JSON.stringify`.
fn text_or_object(v: &JsValue, name: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    if v.is_object() && !Array::is_array(v) {
        let text = json_stringify(v)
            .map_err(|_| invalid(name, "could not be turned into JSON".to_owned()))?;
        if let Some(s) = text.as_string() {
            return Ok(s);
        }
    }
    Err(invalid(
        name,
        format!("expected JSON text or an object, got {}", type_name(v)),
    ))
}

/// One event object → the core's event and the time as given (ms), for messages.
fn read_event(v: &JsValue, pos: Option<usize>) -> Result<(co::Event, f64), JsValue> {
    let what = pos.map_or_else(|| "event".to_owned(), |i| format!("event {i}"));
    if !v.is_object() || Array::is_array(v) {
        return Err(invalid(
            &what,
            format!("expected an object, got {}", type_name(v)),
        ));
    }
    let threw = |_| invalid(&what, "reading it threw".to_owned());
    for key in object_keys(v).map_err(threw)?.iter() {
        let key = key.as_string().unwrap_or_default();
        if !EVENT_KEYS.contains(&key.as_str()) {
            return Err(invalid(
                &what,
                format!(
                    "unknown key `{key}`; the keys are {}",
                    EVENT_KEYS.join(", ")
                ),
            ));
        }
    }
    let get = |k: &str| -> Result<JsValue, JsValue> {
        Reflect::get(v, &JsValue::from_str(k))
            .map_err(|_| invalid(&what, format!("reading `{k}` threw")))
    };
    let field = |k: &str| format!("`{k}` of {what}");
    let customer = customer_id(&get("customer")?, &field("customer"))?;
    let (time, given) = seconds(&get("time")?, &field("time"))?;
    let touchpoint = get("touchpoint")?
        .as_string()
        .ok_or_else(|| invalid(&field("touchpoint"), "must be a string".to_owned()))?;
    let text = |k: &str| -> Result<Option<String>, JsValue> {
        let x = get(k)?;
        if x.is_undefined() || x.is_null() {
            return Ok(None);
        }
        x.as_string().map(Some).ok_or_else(|| {
            invalid(
                &field(k),
                format!("must be a string or null, got {}", type_name(&x)),
            )
        })
    };
    let flag = |k: &str| -> Result<bool, JsValue> {
        let x = get(k)?;
        if x.is_undefined() || x.is_null() {
            return Ok(false);
        }
        x.as_bool().ok_or_else(|| {
            invalid(
                &field(k),
                format!("must be a boolean, got {}", type_name(&x)),
            )
        })
    };
    let event = co::Event {
        customer,
        time,
        touchpoint,
        channel: text("channel")?,
        outcome: text("outcome")?,
        segment: text("segment")?,
        open_complaint: flag("open_complaint")?,
        do_not_contact: flag("do_not_contact")?,
        event_id: event_id(&get("event_id")?, &field("event_id"))?,
    };
    Ok((event, given))
}

/// A customer id: a string, or a whole number used as its decimal text.
fn customer_id(v: &JsValue, field: &str) -> Result<String, JsValue> {
    if let Some(s) = v.as_string() {
        return Ok(s);
    }
    match v.as_f64() {
        Some(x) if x.is_finite() && x.fract() == 0.0 => Ok(format!("{x}")),
        _ => Err(invalid(
            field,
            format!("must be a string or a whole number, got {}", shown(v)),
        )),
    }
}

/// A time in ms (number or `Date`) → whole seconds (floored), and the ms as given.
fn seconds(v: &JsValue, field: &str) -> Result<(i64, f64), JsValue> {
    let x = match v.dyn_ref::<js_sys::Date>() {
        Some(d) => d.get_time(),
        None => v.as_f64().ok_or_else(|| {
            to_js(Error::InvalidNumber {
                field: field.to_owned(),
                value: shown(v),
                reason: "is not a time: expected milliseconds since the epoch or a Date".to_owned(),
            })
        })?,
    };
    if !x.is_finite() {
        return Err(to_js(Error::InvalidNumber {
            field: field.to_owned(),
            value: x.to_string(),
            reason: "is not a finite time (an invalid Date?)".to_owned(),
        }));
    }
    if x.abs() > DATE_RANGE_MS {
        return Err(to_js(Error::OutOfRange {
            field: field.to_owned(),
            value: x.to_string(),
            expected: "the range of a Date, ±8.64e15 ms".to_owned(),
        }));
    }
    #[allow(clippy::cast_possible_truncation)] // |x / 1000| ≤ 8.64e12, checked above
    Ok(((x / 1000.0).floor() as i64, x))
}

/// An event id: a whole number in 0..=2^53 − 1, or a bigint in the u64 range; none if absent.
fn event_id(v: &JsValue, field: &str) -> Result<Option<u64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if v.is_bigint() {
        let b: js_sys::BigInt = v.clone().unchecked_into();
        return u64::try_from(b).map(Some).map_err(|_| {
            to_js(Error::OutOfRange {
                field: field.to_owned(),
                value: shown(v),
                expected: "0..2^64".to_owned(),
            })
        });
    }
    match v.as_f64() {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked
        Some(x) if x.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&x) => {
            Ok(Some(x as u64))
        }
        _ => Err(to_js(Error::InvalidNumber {
            field: field.to_owned(),
            value: shown(v),
            reason: "is not a whole number in 0..=2^53 − 1 (use a bigint for larger ids)"
                .to_owned(),
        })),
    }
}

/// A value for a message.
fn shown(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        return format!("{s:?}");
    }
    if let Some(x) = v.as_f64() {
        return x.to_string();
    }
    type_name(v)
}
