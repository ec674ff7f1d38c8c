//! `EventLog` for journey dashboards: the opt-in package `cem-journey` (cargo feature
//! `journey`; see DEVELOPERS.md).
//!
//! Thin: columns come in through [`crate::columns`], the core builds its `EventLog` once,
//! and every method calls one core function and returns plain objects whose keys are the
//! core's (snake_case, as in Rust and Python), with touchpoint labels in place of codes.
//! As in Python, times come in as numbers in the log's unit (or `Date`s) and every
//! duration, in or out, is in seconds.
use std::collections::BTreeMap;

use cem_core::journey as cj;
use cem_core::metrics::TimeUnit;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::columns;
use crate::convert::plain;
use crate::error::CoreResult;

#[wasm_bindgen(typescript_custom_section)]
const TS_JOURNEY: &str = r#"
/** Ids of a column: texts, or numbers used as ids (returned as their decimal text). */
export type Ids = readonly (string | number)[] | ArrayLike<number>;
/** Timestamps: whole numbers in the log's time unit (an array or a typed array), or `Date`s
 * (milliseconds). */
export type Times = readonly (number | Date)[] | ArrayLike<number>;
/** The unit of numeric timestamps. */
export type TimeUnit = "s" | "ms" | "us" | "ns";
/** One directly-follows edge; durations in seconds (pm4py's performance DFG). */
export interface DfgEdge {
  source: string;
  target: string;
  /** Times `target` came right after `source`. */
  count: number;
  /** Distinct customers with the pair. */
  customers: number;
  mean_duration: number;
  median_duration: number;
}
/** Customers whose journey starts (or ends) at a touchpoint. */
export interface TouchpointCount { touchpoint: string; customers: number; }
/** A distinct journey with the customers who followed it. */
export interface Variant { steps: string[]; count: number; share: number; }
/** Time from the funnel's first step to a step, in seconds. */
export interface TimeToStep {
  median: number;
  p90: number;
  min: number;
  max: number;
  /** `[lower edge in seconds, customers]` per bin. */
  histogram: [number, number][];
}
/** One funnel step. */
export interface FunnelStep {
  touchpoint: string;
  customers: number;
  from_start: number;
  from_previous: number;
  /** `null` for the first step. */
  time: TimeToStep | null;
}
/** A funnel; `within` is the window in seconds, if any. */
export interface Funnel { steps: FunnelStep[]; within: number | null; }
/** A next-step probability; `touchpoint` is `null` where the journey ends. */
export interface NextStep { touchpoint: string | null; probability: number; }
/** A path of touchpoints and how often it occurred. */
export interface PathCount { steps: string[]; count: number; }
/** The removal effect of one touchpoint on the conversion goal. */
export interface RemovalEffect { touchpoint: string; conversion_without: number; effect: number; }
/** Markov-chain attribution of a conversion goal. */
export interface Attribution { goal: string; conversion: number; observed: number; effects: RemovalEffect[]; }
/** Settings of the journey map (all optional; durations in seconds). */
export interface MapOptions {
  /** Leave out edges with fewer occurrences than this share of the busiest (default 0.02). */
  min_share?: number;
  /** A score per touchpoint (say the NPS after it) colouring the nodes red to green. */
  scores?: Record<string, number | null>;
  /** The scores at the two ends of the colour scale (default [-100, 100]). */
  score_range?: [number, number];
  title?: string;
  /** The column (journey stage) of every touchpoint; default: automatic layout. */
  columns?: Record<string, number>;
  column_titles?: string[];
  /** Inactivity gap of the sessions the automatic layout uses (default 1800 s). */
  session_gap?: number;
}
"#;

/// A columnar event log for journey analytics (the core's `EventLog`).
#[wasm_bindgen(js_name = EventLog)]
pub struct EventLog {
    inner: cj::EventLog,
    unit: TimeUnit,
}

#[wasm_bindgen(js_class = EventLog)]
impl EventLog {
    /// Builds the log from three columns of the same length: customer ids, touchpoint ids
    /// and timestamps (whole numbers in `timeUnit`, default `"s"`, or `Date`s). Events of a
    /// customer are ordered by time, ties by input order; unsorted input is fine. `channels`,
    /// optional, is the channel id of every event (same rows as the other columns).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "Ids")] customers: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Ids")] touchpoints: &JsValue,
        #[wasm_bindgen(unchecked_param_type = "Times")] times: &JsValue,
        #[wasm_bindgen(js_name = timeUnit, unchecked_optional_param_type = "TimeUnit")]
        time_unit: Option<String>,
        #[wasm_bindgen(unchecked_optional_param_type = "Ids")] channels: Option<JsValue>,
    ) -> Result<EventLog, JsValue> {
        let unit = TimeUnit::parse(time_unit.as_deref().unwrap_or("s")).js()?;
        let (c, c_labels) = columns::ids(customers, "customers")?;
        let (t, t_labels) = columns::ids(touchpoints, "touchpoints")?;
        let (ts, unit) = columns::times(times, "times", unit)?;
        let mut inner = cj::EventLog::from_columns(&c, c_labels, &t, t_labels, &ts, None).js()?;
        if let Some(ch) = channels.filter(|v| !v.is_undefined() && !v.is_null()) {
            let (codes, labels) = columns::ids(&ch, "channels")?;
            inner = inner.with_channels(&codes, labels).js()?;
        }
        Ok(EventLog { inner, unit })
    }

    /// Channel labels, in order of first appearance; `undefined` without a `channels` column.
    #[wasm_bindgen(getter)]
    pub fn channels(&self) -> Option<Vec<String>> {
        (self.inner.has_channels()).then(|| self.inner.channel_labels().to_vec())
    }

    /// The channels of `customer`'s events, in event order (time, ties by input order);
    /// `undefined` without a `channels` column or for an unknown customer.
    #[wasm_bindgen(js_name = channelsOf)]
    pub fn channels_of(&self, customer: &str) -> Option<Vec<String>> {
        let code = (self.inner.customer_labels().iter()).position(|l| l == customer)?;
        let codes = self.inner.channels_of(u32::try_from(code).ok()?)?;
        Some(
            (codes.iter())
                .map(|&c| self.inner.channel_label(c).unwrap_or_default().to_owned())
                .collect(),
        )
    }

    /// Number of events.
    #[wasm_bindgen(getter)]
    pub fn events(&self) -> usize {
        self.inner.len()
    }

    /// Number of customers.
    #[wasm_bindgen(getter, js_name = customerCount)]
    pub fn customer_count(&self) -> usize {
        self.inner.customer_count()
    }

    /// Touchpoint labels, in order of first appearance.
    #[wasm_bindgen(getter)]
    pub fn touchpoints(&self) -> Vec<String> {
        self.inner.touchpoint_labels().to_vec()
    }

    /// The unit of the timestamps (`"ms"` for `Date`s).
    #[wasm_bindgen(getter, js_name = timeUnit, unchecked_return_type = "TimeUnit")]
    pub fn time_unit(&self) -> String {
        self.unit.name().to_owned()
    }

    /// The session of every event, in **input order** (element `i` belongs to row `i` of the
    /// columns given): a new session starts at a customer's first event and after every gap
    /// longer than `gap` seconds (default 1800). Sessions are numbered by customer (first
    /// appearance), then time.
    #[wasm_bindgen(js_name = sessionIds)]
    pub fn session_ids(&self, gap: Option<f64>) -> Result<Vec<u32>, JsValue> {
        let gap = columns::duration("gap", gap.unwrap_or(1800.0), self.unit)?;
        Ok(self.inner.sessions(gap).js()?.of_event)
    }

    /// The directly-follows graph: one edge per consecutive pair, sorted by source then
    /// target in the order of `touchpoints` (first appearance); the same numbers as pm4py's
    /// `discover_dfg` and performance DFG.
    #[wasm_bindgen(unchecked_return_type = "DfgEdge[]")]
    pub fn dfg(&self) -> Result<JsValue, JsValue> {
        let s = self.per_second();
        let edges: Vec<EdgeOut<'_>> = (self.inner.dfg().edges.iter())
            .map(|e| EdgeOut {
                source: self.label(e.source),
                target: self.label(e.target),
                count: e.count,
                customers: e.customers,
                mean_duration: e.mean_duration / s,
                median_duration: e.median_duration / s,
            })
            .collect();
        plain(&edges)
    }

    /// Customers per first touchpoint (pm4py's `get_start_activities`).
    #[wasm_bindgen(unchecked_return_type = "TouchpointCount[]")]
    pub fn starts(&self) -> Result<JsValue, JsValue> {
        self.counts(&self.inner.starts())
    }

    /// Customers per last touchpoint (pm4py's `get_end_activities`).
    #[wasm_bindgen(unchecked_return_type = "TouchpointCount[]")]
    pub fn ends(&self) -> Result<JsValue, JsValue> {
        self.counts(&self.inner.ends())
    }

    /// The distinct journeys, most frequent first (ties by first appearance); `top` keeps
    /// that many.
    #[wasm_bindgen(unchecked_return_type = "Variant[]")]
    pub fn variants(&self, top: Option<f64>) -> Result<JsValue, JsValue> {
        let top = top.map(|k| columns::count("top", k)).transpose()?;
        let out: Vec<VariantOut<'_>> = (self.inner.variants(top).iter())
            .map(|v| VariantOut {
                steps: self.labels(&v.steps),
                count: v.count,
                share: v.share,
            })
            .collect();
        plain(&out)
    }

    /// The funnel through `steps` (touchpoint labels, in order); `within` (seconds) limits
    /// the conversion window of each attempt.
    #[wasm_bindgen(unchecked_return_type = "Funnel")]
    pub fn funnel(
        &self,
        #[wasm_bindgen(unchecked_param_type = "readonly string[]")] steps: &JsValue,
        within: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let codes = (columns::texts(steps, "steps")?.iter())
            .map(|l| self.code(l, "steps"))
            .collect::<Result<Vec<u32>, JsValue>>()?;
        let within = (within.map(|w| columns::duration("within", w, self.unit))).transpose()?;
        let f = self.inner.funnel(&codes, within).js()?;
        let s = self.per_second();
        #[allow(clippy::cast_precision_loss)] // durations in the log's unit, far below 2^53
        let steps: Vec<StepOut<'_>> = (f.steps.iter())
            .map(|x| StepOut {
                touchpoint: self.label(x.touchpoint),
                customers: x.customers,
                from_start: x.from_start,
                from_previous: x.from_previous,
                time: x.time.as_ref().map(|t| TimeOut {
                    median: t.median / s,
                    p90: t.p90 / s,
                    min: t.min as f64 / s,
                    max: t.max as f64 / s,
                    histogram: t.histogram.iter().map(|&(lo, k)| (lo / s, k)).collect(),
                }),
            })
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let within = f.within.map(|w| w as f64 / s);
        plain(&FunnelOut { steps, within })
    }

    /// The most common paths of `depth` touchpoints (default 3) from each occurrence of
    /// `start`, or up to each occurrence of `end`, or anywhere; `top` keeps that many.
    #[wasm_bindgen(unchecked_return_type = "PathCount[]")]
    pub fn paths(
        &self,
        start: Option<String>,
        end: Option<String>,
        depth: Option<f64>,
        top: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let start = start.map(|l| self.code(&l, "start")).transpose()?;
        let end = end.map(|l| self.code(&l, "end")).transpose()?;
        let depth = columns::count("depth", depth.unwrap_or(3.0))?;
        let top = top.map(|k| columns::count("top", k)).transpose()?;
        let paths = self.inner.paths(start, end, depth, top).js()?;
        let out: Vec<PathOut<'_>> = (paths.iter())
            .map(|p| PathOut {
                steps: self.labels(&p.steps),
                count: p.count,
            })
            .collect();
        plain(&out)
    }

    /// First-order transition probabilities out of `touchpoint`, most likely first;
    /// `touchpoint: null` in the result is the journey's end.
    #[wasm_bindgen(js_name = nextStep, unchecked_return_type = "NextStep[]")]
    pub fn next_step(&self, touchpoint: &str) -> Result<JsValue, JsValue> {
        let code = self.code(touchpoint, "touchpoint")?;
        let out: Vec<NextOut<'_>> = (self.inner.next_step(code).into_iter())
            .map(|(t, p)| NextOut {
                touchpoint: t.map(|t| self.label(t)),
                probability: p,
            })
            .collect();
        plain(&out)
    }

    /// Markov removal effects for reaching `goal`: the chain's conversion, the observed
    /// share, and per touchpoint the conversion without it and the share of conversions that
    /// depend on it (largest first).
    #[wasm_bindgen(js_name = removalEffects, unchecked_return_type = "Attribution")]
    pub fn removal_effects(&self, goal: &str) -> Result<JsValue, JsValue> {
        let a = self.inner.removal_effects(self.code(goal, "goal")?).js()?;
        let effects: Vec<EffectOut<'_>> = (a.effects.iter())
            .map(|e| EffectOut {
                touchpoint: self.label(e.touchpoint),
                conversion_without: e.conversion_without,
                effect: e.effect,
            })
            .collect();
        plain(&AttributionOut {
            goal: self.label(a.goal),
            conversion: a.conversion,
            observed: a.observed,
            effects,
        })
    }

    /// The journey map as Graphviz DOT text.
    #[wasm_bindgen(js_name = toDot)]
    pub fn to_dot(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MapOptions")] options: &JsValue,
    ) -> Result<String, JsValue> {
        let o = self.map_options(options)?;
        Ok(self.inner.dfg().to_dot(&self.inner, &o))
    }

    /// The journey map as a self-contained SVG (no network): edge widths by count, nodes
    /// coloured by `scores`.
    #[wasm_bindgen(js_name = toSvg)]
    pub fn to_svg(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MapOptions")] options: &JsValue,
    ) -> Result<String, JsValue> {
        let o = self.map_options(options)?;
        Ok(self.inner.dfg().to_svg(&self.inner, &o))
    }
}

impl EventLog {
    #[allow(clippy::cast_precision_loss)] // at most 10^9
    fn per_second(&self) -> f64 {
        self.unit.per_second() as f64
    }

    fn label(&self, code: u32) -> &str {
        self.inner.touchpoint_label(code).unwrap_or_default()
    }

    fn labels(&self, codes: &[u32]) -> Vec<&str> {
        codes.iter().map(|&c| self.label(c)).collect()
    }

    /// The code of touchpoint `label`; `invalid_argument` naming `name` when the log has none.
    fn code(&self, label: &str, name: &str) -> Result<u32, JsValue> {
        self.inner.touchpoint_code(label).ok_or_else(|| {
            columns::invalid(name, format!("touchpoint `{label}` is not in the log"))
        })
    }

    fn counts(&self, pairs: &[(u32, u64)]) -> Result<JsValue, JsValue> {
        let out: Vec<CountOut<'_>> = (pairs.iter())
            .map(|&(t, customers)| CountOut {
                touchpoint: self.label(t),
                customers,
            })
            .collect();
        plain(&out)
    }

    /// The core's `MapOptions` from a JS object keyed by touchpoint label.
    fn map_options(&self, options: &JsValue) -> Result<cj::MapOptions, JsValue> {
        let bad = |reason: String| columns::invalid("options", reason);
        let given: MapOptionsIn = if options.is_undefined() || options.is_null() {
            MapOptionsIn::default()
        } else {
            let text = js_sys::JSON::stringify(options)
                .ok()
                .and_then(|t| t.as_string())
                .ok_or_else(|| bad("cannot be read as JSON".to_owned()))?;
            serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?
        };
        let mut o = cj::MapOptions::default();
        for label in given.scores.keys().chain(given.columns.keys()) {
            self.code(label, "options")?;
        }
        let all = self.inner.touchpoint_labels();
        if !given.scores.is_empty() {
            o.scores = all
                .iter()
                .map(|t| given.scores.get(t).copied().flatten())
                .collect();
        }
        if !given.columns.is_empty() {
            o.columns = (all.iter())
                .map(|t| {
                    given.columns.get(t).copied().ok_or_else(|| {
                        bad(format!("`columns` gives no column for touchpoint `{t}`"))
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(x) = given.min_share {
            o.min_share = x;
        }
        if let Some(r) = given.score_range {
            o.score_range = r;
        }
        if let Some(t) = given.title {
            o.title = t;
        }
        o.column_titles = given.column_titles;
        if let Some(g) = given.session_gap {
            o.session_gap = columns::duration("session_gap", g, self.unit)?;
        } else {
            o.session_gap = 1800 * self.unit.per_second();
        }
        Ok(o)
    }
}

/// The map options as JS gives them (labels as keys, seconds).
#[derive(Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct MapOptionsIn {
    min_share: Option<f64>,
    scores: BTreeMap<String, Option<f64>>,
    score_range: Option<(f64, f64)>,
    title: Option<String>,
    columns: BTreeMap<String, u32>,
    column_titles: Vec<String>,
    session_gap: Option<f64>,
}

#[derive(Serialize)]
struct EdgeOut<'a> {
    source: &'a str,
    target: &'a str,
    count: u64,
    customers: u64,
    mean_duration: f64,
    median_duration: f64,
}

#[derive(Serialize)]
struct CountOut<'a> {
    touchpoint: &'a str,
    customers: u64,
}

#[derive(Serialize)]
struct VariantOut<'a> {
    steps: Vec<&'a str>,
    count: u64,
    share: f64,
}

#[derive(Serialize)]
struct PathOut<'a> {
    steps: Vec<&'a str>,
    count: u64,
}

#[derive(Serialize)]
struct TimeOut {
    median: f64,
    p90: f64,
    min: f64,
    max: f64,
    histogram: Vec<(f64, u64)>,
}

#[derive(Serialize)]
struct StepOut<'a> {
    touchpoint: &'a str,
    customers: u64,
    from_start: f64,
    from_previous: f64,
    time: Option<TimeOut>,
}

#[derive(Serialize)]
struct FunnelOut<'a> {
    steps: Vec<StepOut<'a>>,
    within: Option<f64>,
}

#[derive(Serialize)]
struct NextOut<'a> {
    touchpoint: Option<&'a str>,
    probability: f64,
}

#[derive(Serialize)]
struct EffectOut<'a> {
    touchpoint: &'a str,
    conversion_without: f64,
    effect: f64,
}

#[derive(Serialize)]
struct AttributionOut<'a> {
    goal: &'a str,
    conversion: f64,
    observed: f64,
    effects: Vec<EffectOut<'a>>,
}
