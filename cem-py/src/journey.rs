//! `cem.journey`: the native side of `cem.journey.EventLog` (the private classes `_EventLog`
//! and `_FeedbackJoin`).
//!
//! Thin: columns come in through [`convert::column_of`] / [`convert::times`] (borrowed where
//! the dtype allows), the core builds its `EventLog` once and every method calls one core
//! function with the GIL released and returns plain columns (numpy arrays for per-item
//! columns, lists for the few rows of a result). `cem/journey.py` turns them into the
//! caller's frame type and puts the labels back.
//!
//! Customers are passed as `uint32` codes with their count; the core is given the decimal
//! code as each customer's label (the real labels stay in Python, so a million customer ids
//! never become Python strings twice). Touchpoint labels are passed as text: the journey
//! map draws them. Times stay in the column's own unit (no copy); durations come out as
//! float seconds.
use cem_core::Error;
use cem_core::journey as cj;
use cem_core::metrics::{Estimate, ScoreMetric, TimeUnit};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::{self, Column};
use crate::error::CoreResult;

/// Registers the classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<EventLog>()?;
    m.add_class::<FeedbackJoin>()?;
    Ok(())
}

/// A columnar event log (the core's ``EventLog``); build it with ``cem.journey.EventLog``.
///
/// Examples
/// --------
/// >>> from cem._cem import _EventLog
/// >>> log = _EventLog.from_columns([0, 0, 1], 2, [0, 1, 0], ["home", "cart"], [0, 60, 5])
/// >>> log.dfg()["count"]
/// [1]
#[pyclass(module = "cem._cem", name = "_EventLog", frozen)]
pub struct EventLog {
    inner: cj::EventLog,
    unit: TimeUnit,
}

#[pymethods]
impl EventLog {
    /// Builds the log: ``customers[i]`` a code below ``customer_count``, ``touchpoints[i]`` a
    /// code into ``touchpoint_labels``, ``times[i]`` an integer in ``time_unit`` or a
    /// datetime column (its own unit wins), ``values[i]`` an optional number. ``columns``
    /// names the four columns in error messages. ``channels``, if given, is
    /// ``(codes, labels, column name)``: a channel code per event (same rows as the other
    /// columns) into ``labels``. The kernel runs without the GIL.
    #[staticmethod]
    #[pyo3(signature = (customers, customer_count, touchpoints, touchpoint_labels, times, values=None, *, time_unit="s", columns=None, channels=None))]
    #[allow(clippy::too_many_arguments)]
    fn from_columns(
        py: Python<'_>,
        customers: &Bound<'_, PyAny>,
        customer_count: usize,
        touchpoints: &Bound<'_, PyAny>,
        touchpoint_labels: Vec<String>,
        times: &Bound<'_, PyAny>,
        values: Option<&Bound<'_, PyAny>>,
        time_unit: &str,
        columns: Option<(String, String, String, String)>,
        channels: Option<(Bound<'_, PyAny>, Vec<String>, String)>,
    ) -> PyResult<Self> {
        let names = columns.unwrap_or_else(|| {
            (
                "customers".into(),
                "touchpoints".into(),
                "times".into(),
                "values".into(),
            )
        });
        let c: Column<'_, u32> = convert::column_of(customers, &names.0)?;
        let t: Column<'_, u32> = convert::column_of(touchpoints, &names.1)?;
        let (ts, unit) = convert::times(times, &names.2)?;
        let unit = match unit {
            Some(u) => u,
            None => TimeUnit::parse(time_unit).py()?,
        };
        let v: Option<Column<'_, f64>> = match values {
            Some(v) => Some(convert::column_of(v, &names.3)?),
            None => None,
        };
        let (c, t, ts) = (c.as_slice(), t.as_slice(), ts.as_slice());
        let v = v.as_ref().map(Column::as_slice);
        let mut inner = py
            .detach(|| {
                let labels = (0..customer_count).map(|i| i.to_string()).collect();
                cj::EventLog::from_columns(c, labels, t, touchpoint_labels, ts, v)
            })
            .map_err(|e| rename(e, &names, "channels"))
            .py()?;
        if let Some((codes, labels, name)) = channels {
            let ch: Column<'_, u32> = convert::column_of(&codes, &name)?;
            let ch = ch.as_slice();
            inner = py
                .detach(|| inner.with_channels(ch, labels))
                .map_err(|e| rename(e, &names, &name))
                .py()?;
        }
        Ok(EventLog { inner, unit })
    }

    /// Number of events.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// Number of customers with events.
    #[getter]
    fn customer_count(&self) -> usize {
        self.inner.customer_count()
    }

    /// The unit of the log's timestamps (``"s"``, ``"ms"``, ``"us"``, ``"ns"``).
    #[getter]
    fn time_unit(&self) -> &'static str {
        self.unit.name()
    }

    /// Channel labels by code, or ``None`` for a log without a channel column.
    #[getter]
    fn channel_labels(&self) -> Option<Vec<String>> {
        (self.inner.has_channels()).then(|| self.inner.channel_labels().to_vec())
    }

    /// Touchpoint labels by code.
    #[getter]
    fn touchpoint_labels(&self) -> Vec<String> {
        self.inner.touchpoint_labels().to_vec()
    }

    /// The customer codes given to ``from_columns``, in the log's customer order (first
    /// appearance in the input).
    fn customer_codes<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u32>> {
        PyArray1::from_vec(py, self.original_customers())
    }

    /// The directly-follows graph as columns: ``source``, ``target`` (codes), ``count``,
    /// ``customers``, ``mean_duration``, ``median_duration`` (seconds), and ``starts`` /
    /// ``ends`` as ``(codes, customers)``.
    fn dfg<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let dfg = py.detach(|| log.dfg());
        let s = self.seconds();
        let d = PyDict::new(py);
        let col = |f: &dyn Fn(&cj::Edge) -> u64| dfg.edges.iter().map(f).collect::<Vec<u64>>();
        d.set_item("source", col(&|e| u64::from(e.source)))?;
        d.set_item("target", col(&|e| u64::from(e.target)))?;
        d.set_item("count", col(&|e| e.count))?;
        d.set_item("customers", col(&|e| e.customers))?;
        let dur =
            |f: &dyn Fn(&cj::Edge) -> f64| dfg.edges.iter().map(|e| f(e) / s).collect::<Vec<f64>>();
        d.set_item("mean_duration", dur(&|e| e.mean_duration))?;
        d.set_item("median_duration", dur(&|e| e.median_duration))?;
        d.set_item("starts", split(&dfg.starts))?;
        d.set_item("ends", split(&dfg.ends))?;
        Ok(d)
    }

    /// The variants as flat columns: ``offsets`` (int64, one more than variants), ``steps``
    /// (uint32 codes), ``count``, ``share``.
    #[pyo3(signature = (top=None))]
    fn variants<'py>(&self, py: Python<'py>, top: Option<usize>) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let variants = py.detach(|| log.variants(top));
        let mut offsets = Vec::with_capacity(variants.len() + 1);
        offsets.push(0i64);
        let mut steps = Vec::new();
        for v in &variants {
            steps.extend_from_slice(&v.steps);
            offsets.push(i64::try_from(steps.len()).unwrap_or(i64::MAX));
        }
        let d = PyDict::new(py);
        d.set_item("offsets", PyArray1::from_vec(py, offsets))?;
        d.set_item("steps", PyArray1::from_vec(py, steps))?;
        let count: Vec<u64> = variants.iter().map(|v| v.count).collect();
        let share: Vec<f64> = variants.iter().map(|v| v.share).collect();
        d.set_item("count", PyArray1::from_vec(py, count))?;
        d.set_item("share", PyArray1::from_vec(py, share))?;
        Ok(d)
    }

    /// Sessions split at gaps longer than ``gap`` (in the log's unit): ``customer`` (the
    /// codes given), ``start``, ``end`` (log unit), ``events``, and ``of_event``: the session
    /// (row of that table) of every event, in input order.
    fn sessions<'py>(&self, py: Python<'py>, gap: i64) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let s = py.detach(|| log.sessions(gap)).py()?;
        let original = self.original_customers();
        let d = PyDict::new(py);
        let customer: Vec<u32> = s
            .sessions
            .iter()
            .map(|x| {
                original
                    .get(x.customer as usize)
                    .copied()
                    .unwrap_or(u32::MAX)
            })
            .collect();
        d.set_item("customer", PyArray1::from_vec(py, customer))?;
        let col = |f: fn(&cj::Session) -> i64| s.sessions.iter().map(f).collect::<Vec<i64>>();
        d.set_item("start", PyArray1::from_vec(py, col(|x| x.start)))?;
        d.set_item("end", PyArray1::from_vec(py, col(|x| x.end)))?;
        let events: Vec<u32> = s.sessions.iter().map(|x| x.events).collect();
        d.set_item("events", PyArray1::from_vec(py, events))?;
        d.set_item("of_event", PyArray1::from_vec(py, s.of_event))?;
        Ok(d)
    }

    /// Where journeys start: ``(codes, customers)``, without building the graph.
    fn starts(&self, py: Python<'_>) -> (Vec<u32>, Vec<u64>) {
        let log = &self.inner;
        split(&py.detach(|| log.starts()))
    }

    /// Where journeys end: ``(codes, customers)``, without building the graph.
    fn ends(&self, py: Python<'_>) -> (Vec<u32>, Vec<u64>) {
        let log = &self.inner;
        split(&py.detach(|| log.ends()))
    }

    /// The log as compact bytes (the core's ``EventLog::to_bytes``).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, pyo3::types::PyBytes> {
        let log = &self.inner;
        let bytes = py.detach(|| log.to_bytes());
        pyo3::types::PyBytes::new(py, &bytes)
    }

    /// Rebuilds a log from :meth:`to_bytes` output (validated) and its time unit.
    #[staticmethod]
    #[pyo3(signature = (data, time_unit="s"))]
    fn from_bytes(py: Python<'_>, data: &[u8], time_unit: &str) -> PyResult<Self> {
        let unit = TimeUnit::parse(time_unit).py()?;
        let inner = py.detach(|| cj::EventLog::from_bytes(data)).py()?;
        Ok(EventLog { inner, unit })
    }

    /// Pickles through :meth:`to_bytes`.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let me = slf.get();
        let rebuild = slf.get_type().getattr("from_bytes")?;
        let args = (me.to_bytes(slf.py()), me.unit.name());
        (rebuild, args).into_pyobject(slf.py())
    }

    /// The funnel through ``steps`` (codes), ``within`` in the log's unit: one list per
    /// column, one row per step; times in seconds (``None`` where undefined).
    #[pyo3(signature = (steps, within=None))]
    fn funnel<'py>(
        &self,
        py: Python<'py>,
        steps: Vec<u32>,
        within: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let f = py.detach(|| log.funnel(&steps, within)).py()?;
        let s = self.seconds();
        let d = PyDict::new(py);
        let st = &f.steps;
        d.set_item(
            "touchpoint",
            st.iter().map(|x| x.touchpoint).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "customers",
            st.iter().map(|x| x.customers).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "from_start",
            st.iter().map(|x| x.from_start).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "from_previous",
            st.iter().map(|x| x.from_previous).collect::<Vec<_>>(),
        )?;
        let time = |f: &dyn Fn(&cj::TimeToStep) -> f64| {
            st.iter()
                .map(|x| x.time.as_ref().map(|t| f(t) / s))
                .collect::<Vec<Option<f64>>>()
        };
        #[allow(clippy::cast_precision_loss)]
        {
            d.set_item("median_time", time(&|t| t.median))?;
            d.set_item("p90_time", time(&|t| t.p90))?;
            d.set_item("min_time", time(&|t| t.min as f64))?;
            d.set_item("max_time", time(&|t| t.max as f64))?;
        }
        let histograms = PyList::empty(py);
        for x in st {
            match &x.time {
                Some(t) => {
                    let bins: Vec<(f64, u64)> =
                        t.histogram.iter().map(|&(lo, k)| (lo / s, k)).collect();
                    histograms.append(bins)?;
                }
                None => histograms.append(py.None())?,
            }
        }
        d.set_item("time_histogram", histograms)?;
        Ok(d)
    }

    /// The most common paths: flat ``offsets`` / ``steps`` and ``count``.
    #[pyo3(signature = (start=None, end=None, depth=3, top=None))]
    fn paths<'py>(
        &self,
        py: Python<'py>,
        start: Option<u32>,
        end: Option<u32>,
        depth: usize,
        top: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let paths = py.detach(|| log.paths(start, end, depth, top)).py()?;
        let mut offsets = vec![0i64];
        let mut steps = Vec::new();
        for p in &paths {
            steps.extend_from_slice(&p.steps);
            offsets.push(i64::try_from(steps.len()).unwrap_or(i64::MAX));
        }
        let d = PyDict::new(py);
        d.set_item("offsets", PyArray1::from_vec(py, offsets))?;
        d.set_item("steps", PyArray1::from_vec(py, steps))?;
        let count: Vec<u64> = paths.iter().map(|p| p.count).collect();
        d.set_item("count", PyArray1::from_vec(py, count))?;
        Ok(d)
    }

    /// Next-step probabilities out of ``touchpoint`` (a code): ``(targets, probabilities)``,
    /// ``None`` as target for the journey's end.
    fn next_step(&self, py: Python<'_>, touchpoint: u32) -> (Vec<Option<u32>>, Vec<f64>) {
        let log = &self.inner;
        py.detach(|| log.next_step(touchpoint)).into_iter().unzip()
    }

    /// Markov removal effects for reaching ``goal`` (a code): a dict with ``conversion``,
    /// ``observed`` and the columns ``touchpoint``, ``conversion_without``, ``effect``.
    fn removal_effects<'py>(&self, py: Python<'py>, goal: u32) -> PyResult<Bound<'py, PyDict>> {
        let log = &self.inner;
        let a = py.detach(|| log.removal_effects(goal)).py()?;
        let d = PyDict::new(py);
        d.set_item("goal", a.goal)?;
        d.set_item("conversion", a.conversion)?;
        d.set_item("observed", a.observed)?;
        let e = &a.effects;
        d.set_item(
            "touchpoint",
            e.iter().map(|x| x.touchpoint).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "conversion_without",
            e.iter().map(|x| x.conversion_without).collect::<Vec<_>>(),
        )?;
        d.set_item("effect", e.iter().map(|x| x.effect).collect::<Vec<_>>())?;
        Ok(d)
    }

    /// Joins responses to the journey before them: ``customers`` are codes in the log's
    /// customer numbering (``4294967295`` for a customer the log does not know), ``times``
    /// in the log's unit (a datetime column is converted to it), ``scores`` answers 0-255,
    /// ``window`` in the log's unit.
    #[pyo3(signature = (customers, times, scores, window=None, *, columns=None))]
    fn with_feedback(
        slf: &Bound<'_, Self>,
        customers: &Bound<'_, PyAny>,
        times: &Bound<'_, PyAny>,
        scores: &Bound<'_, PyAny>,
        window: Option<i64>,
        columns: Option<(String, String, String)>,
    ) -> PyResult<FeedbackJoin> {
        let py = slf.py();
        let names =
            columns.unwrap_or_else(|| ("customers".into(), "times".into(), "scores".into()));
        let me = slf.get();
        let c: Column<'_, u32> = convert::column_of(customers, &names.0)?;
        let (ts, unit) = convert::times(times, &names.1)?;
        let sc: Column<'_, u8> = convert::column_of(scores, &names.2)?;
        let (c, ts, sc) = (c.as_slice(), ts.as_slice(), sc.as_slice());
        let log = &me.inner;
        let target = me.unit;
        let inner = py
            .detach(|| {
                let times = rescale(ts, unit.unwrap_or(target), target);
                let labels: Vec<String> = c
                    .iter()
                    .map(|&x| {
                        if x == u32::MAX {
                            String::new()
                        } else {
                            x.to_string()
                        }
                    })
                    .collect();
                let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
                log.with_feedback(&refs, &times, sc, window)
            })
            .py()?;
        Ok(FeedbackJoin {
            inner,
            log: slf.clone().unbind(),
        })
    }

    /// The journey map as Graphviz DOT; ``options`` is the core's ``MapOptions`` as JSON.
    fn to_dot(&self, py: Python<'_>, options: &str) -> PyResult<String> {
        let o: cj::MapOptions = serde_json::from_str(options).map_err(Error::from).py()?;
        let log = &self.inner;
        Ok(py.detach(|| log.dfg().to_dot(log, &o)))
    }

    /// The journey map as a self-contained SVG; ``options`` as for ``to_dot``.
    fn to_svg(&self, py: Python<'_>, options: &str) -> PyResult<String> {
        let o: cj::MapOptions = serde_json::from_str(options).map_err(Error::from).py()?;
        let log = &self.inner;
        Ok(py.detach(|| log.dfg().to_svg(log, &o)))
    }

    fn __repr__(&self) -> String {
        format!(
            "_EventLog(events={}, customers={}, touchpoints={}, time_unit={:?})",
            self.inner.len(),
            self.inner.customer_count(),
            self.inner.touchpoint_count(),
            self.unit.name()
        )
    }
}

impl EventLog {
    /// Log units per second, as a float divisor.
    #[allow(clippy::cast_precision_loss)]
    fn seconds(&self) -> f64 {
        self.unit.per_second() as f64
    }

    fn original_customers(&self) -> Vec<u32> {
        self.inner
            .customer_labels()
            .iter()
            .map(|l| l.parse().unwrap_or(u32::MAX))
            .collect()
    }
}

/// Feedback responses joined to the journey before them (the core's ``FeedbackJoin``).
#[pyclass(module = "cem._cem", name = "_FeedbackJoin", frozen)]
pub struct FeedbackJoin {
    inner: cj::FeedbackJoin,
    log: Py<EventLog>,
}

#[pymethods]
impl FeedbackJoin {
    /// One list per column: ``index``, ``score``, ``last`` (touchpoint code or ``None``),
    /// ``known`` (the customer has events).
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let r = &self.inner.rows;
        let d = PyDict::new(py);
        d.set_item("index", r.iter().map(|x| x.index).collect::<Vec<_>>())?;
        d.set_item("score", r.iter().map(|x| x.score).collect::<Vec<_>>())?;
        d.set_item("last", r.iter().map(|x| x.last).collect::<Vec<_>>())?;
        d.set_item(
            "last_channel",
            r.iter().map(|x| x.last_channel).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "within",
            r.iter().map(|x| x.within.clone()).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "known",
            r.iter().map(|x| x.customer.is_some()).collect::<Vec<_>>(),
        )?;
        Ok(d)
    }

    /// Pain points: one list per column, largest impact first.
    #[pyo3(signature = (metric="nps", confidence=0.95, min_responses=30, *, csat_max=5, csat_top=2, ces_scale="agreement7"))]
    #[allow(clippy::too_many_arguments)]
    fn pain_points<'py>(
        &self,
        py: Python<'py>,
        metric: &str,
        confidence: f64,
        min_responses: u64,
        csat_max: i64,
        csat_top: i64,
        ces_scale: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let metric = score_metric(metric, csat_max, csat_top, ces_scale)?;
        let log = &self.log.get().inner;
        let join = &self.inner;
        let p = py
            .detach(|| join.pain_points(log, metric, confidence, min_responses))
            .py()?;
        let d = PyDict::new(py);
        d.set_item(
            "touchpoint",
            p.iter().map(|x| x.touchpoint).collect::<Vec<_>>(),
        )?;
        d.set_item("responses", p.iter().map(|x| x.after.n).collect::<Vec<_>>())?;
        d.set_item("score", p.iter().map(|x| x.after.value).collect::<Vec<_>>())?;
        d.set_item(
            "score_low",
            p.iter().map(|x| x.after.low).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "score_high",
            p.iter().map(|x| x.after.high).collect::<Vec<_>>(),
        )?;
        d.set_item("rest", p.iter().map(|x| x.rest.value).collect::<Vec<_>>())?;
        d.set_item(
            "difference",
            p.iter()
                .map(|x| x.difference.difference)
                .collect::<Vec<_>>(),
        )?;
        d.set_item(
            "difference_low",
            p.iter().map(|x| x.difference.low).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "difference_high",
            p.iter().map(|x| x.difference.high).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "p_value",
            p.iter().map(|x| x.difference.p_value).collect::<Vec<_>>(),
        )?;
        d.set_item(
            "significant",
            p.iter()
                .map(|x| x.difference.significant)
                .collect::<Vec<_>>(),
        )?;
        d.set_item("drop_off", p.iter().map(|x| x.drop_off).collect::<Vec<_>>())?;
        d.set_item(
            "customers",
            p.iter().map(|x| x.customers).collect::<Vec<_>>(),
        )?;
        d.set_item("impact", p.iter().map(|x| x.impact).collect::<Vec<_>>())?;
        Ok(d)
    }

    /// Channel consistency: ``channel_of[t]`` is the channel code of touchpoint code ``t``;
    /// without it, each response counts for the channel of its last event (the log's channel
    /// column, codes into its ``channel_labels``).
    #[pyo3(signature = (channel_of=None, confidence=0.95))]
    fn channel_consistency<'py>(
        &self,
        py: Python<'py>,
        channel_of: Option<Vec<u32>>,
        confidence: f64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let join = &self.inner;
        let pairs = py
            .detach(|| match &channel_of {
                Some(map) => join.channel_consistency(map, confidence),
                None => join.event_channel_consistency(confidence),
            })
            .py()?;
        let d = PyDict::new(py);
        d.set_item("a", pairs.iter().map(|x| x.a).collect::<Vec<_>>())?;
        d.set_item("b", pairs.iter().map(|x| x.b).collect::<Vec<_>>())?;
        d.set_item(
            "customers",
            pairs.iter().map(|x| x.customers).collect::<Vec<_>>(),
        )?;
        let est = |f: fn(&cj::ChannelPair) -> Option<Estimate>, g: fn(&Estimate) -> f64| {
            pairs
                .iter()
                .map(|x| f(x).as_ref().map(g))
                .collect::<Vec<Option<f64>>>()
        };
        d.set_item("difference", est(|x| x.difference, |e| e.value))?;
        d.set_item("difference_low", est(|x| x.difference, |e| e.low))?;
        d.set_item("difference_high", est(|x| x.difference, |e| e.high))?;
        d.set_item("spread", est(|x| x.spread, |e| e.value))?;
        Ok(d)
    }

    fn __len__(&self) -> usize {
        self.inner.rows.len()
    }
}

fn split(pairs: &[(u32, u64)]) -> (Vec<u32>, Vec<u64>) {
    pairs.iter().copied().unzip()
}

/// Timestamps in `from` as `to` (the feedback's datetime unit to the log's).
fn rescale(ts: &[i64], from: TimeUnit, to: TimeUnit) -> Vec<i64> {
    let (f, t) = (from.per_second(), to.per_second());
    if f == t {
        ts.to_vec()
    } else if t > f {
        let k = t / f;
        ts.iter().map(|&x| x.saturating_mul(k)).collect()
    } else {
        let k = f / t;
        ts.iter().map(|&x| x.div_euclid(k)).collect()
    }
}

fn score_metric(
    name: &str,
    csat_max: i64,
    csat_top: i64,
    ces_scale: &str,
) -> PyResult<ScoreMetric> {
    match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "nps" => Ok(ScoreMetric::Nps),
        "csat" => Ok(ScoreMetric::Csat {
            max: convert::small("csat_max", csat_max)?,
            top: convert::small("csat_top", csat_top)?,
        }),
        "ces" => Ok(ScoreMetric::Ces(convert::ces_scale(ces_scale)?)),
        "net_satisfaction" => Ok(ScoreMetric::NetSatisfaction),
        _ => Err(Error::InvalidArgument {
            name: "metric".to_owned(),
            reason: format!(
                "unknown metric `{name}`; expected one of nps, csat, ces, net_satisfaction"
            ),
        })
        .py(),
    }
}

/// Puts the caller's column names into the core's messages (`customer code at row 3` →
/// `... in column `user_id``); `channel` names the channel column.
fn rename(e: Error, names: &(String, String, String, String), channel: &str) -> Error {
    let column = |field: &str| {
        if field.starts_with("channel") {
            channel
        } else if field.starts_with("customer") {
            &names.0
        } else if field.starts_with("touchpoint") {
            &names.1
        } else if field.starts_with("value") {
            &names.3
        } else {
            &names.2
        }
    };
    match e {
        Error::OutOfRange {
            field,
            value,
            expected,
        } => Error::OutOfRange {
            field: format!("{field} in column `{}`", column(&field)),
            value,
            expected,
        },
        Error::InvalidNumber {
            field,
            value,
            reason,
        } => Error::InvalidNumber {
            field: format!("{field} in column `{}`", column(&field)),
            value,
            reason,
        },
        other => other,
    }
}
