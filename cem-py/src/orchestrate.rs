//! `cem.survey` orchestration: the native side of `cem.survey.Orchestrator` (the private
//! class `_Orchestrator`) and of `simulate`, `response_rates`, `dropoff` and `nonresponse`.
//!
//! Thin: `cem/_orchestrate.py` factorizes the frame's columns (codes + labels) and keys the
//! customers with [`customer_keys`]; time columns come as they are (numpy `datetime64`, Arrow
//! and polars timestamps of any unit, or integer seconds) and are read in seconds here
//! ([`seconds`]). The columns become a core `Batch`, the core runs once without the GIL, and
//! results come back as numpy columns or as the core's serde JSON (small results:
//! simulations, rates, balance tables).
use cem_core::Error;
use cem_core::metrics::TimeUnit;
use cem_core::survey::orchestrate as co;
use numpy::{PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, Column};
use crate::error::CoreResult;

/// Registers the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Orchestrator>()?;
    m.add_function(wrap_pyfunction!(customer_keys, m)?)?;
    m.add_function(wrap_pyfunction!(simulate, m)?)?;
    m.add_function(wrap_pyfunction!(response_rates, m)?)?;
    m.add_function(wrap_pyfunction!(dropoff, m)?)?;
    m.add_function(wrap_pyfunction!(nonresponse, m)?)?;
    m.add_function(wrap_pyfunction!(rules_warnings, m)?)?;
    Ok(())
}

/// The stable 64-bit keys of customer ids given as text (``customer_key`` in the core).
///
/// >>> from cem._cem import _customer_keys
/// >>> k = _customer_keys(["ann", "bob", "ann"])
/// >>> bool(k[0] == k[2]), bool(k[0] == k[1])
/// (True, False)
#[pyfunction(name = "_customer_keys")]
fn customer_keys<'py>(py: Python<'py>, ids: Vec<String>) -> Bound<'py, PyArray1<u64>> {
    PyArray1::from_vec(py, ids.iter().map(|s| co::customer_key(s)).collect())
}

/// The warnings of a rule set as ``(rule, code, message)`` tuples.
#[pyfunction(name = "_rules_warnings")]
fn rules_warnings(rules: &str) -> PyResult<Vec<(Option<String>, String, String)>> {
    let rules = co::Rules::from_json(rules).py()?;
    Ok(rules
        .warnings()
        .into_iter()
        .map(|w| (w.rule, w.code, w.message))
        .collect())
}

/// A dictionary-encoded column as passed from Python: ``(codes, labels)``.
type Coded<'py> = (Bound<'py, PyAny>, Vec<String>);

/// Owned inputs of a batch, borrowed by the core's `Batch`.
struct Columns<'py> {
    customers: PyReadonlyArray1<'py, u64>,
    times: Column<'py, i64>,
    tp: (Column<'py, u32>, Vec<String>),
    other: [Option<(Column<'py, u32>, Vec<String>)>; 3],
    flags: [Option<PyReadonlyArray1<'py, bool>>; 2],
    event_ids: Option<PyReadonlyArray1<'py, u64>>,
}

impl<'py> Columns<'py> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        customers: PyReadonlyArray1<'py, u64>,
        times: &Bound<'py, PyAny>,
        touchpoints: Coded<'py>,
        channels: Option<Coded<'py>>,
        outcomes: Option<Coded<'py>>,
        segments: Option<Coded<'py>>,
        open_complaint: Option<PyReadonlyArray1<'py, bool>>,
        do_not_contact: Option<PyReadonlyArray1<'py, bool>>,
        event_ids: Option<PyReadonlyArray1<'py, u64>>,
        time_column: &str,
    ) -> PyResult<Self> {
        let coded = |c: Option<Coded<'py>>,
                     name: &str|
         -> PyResult<Option<(Column<'py, u32>, Vec<String>)>> {
            c.map(|(codes, labels)| Ok((convert::column_of::<u32>(&codes, name)?, labels)))
                .transpose()
        };
        Ok(Columns {
            customers,
            times: seconds(times, time_column)?,
            tp: (
                convert::column_of::<u32>(&touchpoints.0, "touchpoints")?,
                touchpoints.1,
            ),
            other: [
                coded(channels, "channels")?,
                coded(outcomes, "outcomes")?,
                coded(segments, "segments")?,
            ],
            flags: [open_complaint, do_not_contact],
            event_ids,
        })
    }

    fn batch(&self) -> PyResult<co::Batch<'_>> {
        fn codes<'a>(c: &'a Option<(Column<'_, u32>, Vec<String>)>) -> Option<co::Codes<'a>> {
            c.as_ref().map(|(col, labels)| co::Codes {
                codes: col.as_slice(),
                labels,
            })
        }
        let customers = self.customers.as_slice().map_err(contiguous)?;
        let mut b = co::Batch::new(
            customers,
            self.times.as_slice(),
            co::Codes {
                codes: self.tp.0.as_slice(),
                labels: &self.tp.1,
            },
        );
        let [ch, oc, sg] = &self.other;
        b.channels = codes(ch);
        b.outcomes = codes(oc);
        b.segments = codes(sg);
        let [complaint, dnc] = &self.flags;
        b.open_complaint = complaint
            .as_ref()
            .map(|a| a.as_slice())
            .transpose()
            .map_err(contiguous)?;
        b.do_not_contact = dnc
            .as_ref()
            .map(|a| a.as_slice())
            .transpose()
            .map_err(contiguous)?;
        b.event_ids = self
            .event_ids
            .as_ref()
            .map(|a| a.as_slice())
            .transpose()
            .map_err(contiguous)?;
        Ok(b)
    }
}

/// A time column in whole seconds since the epoch: datetimes of any unit are floored to
/// seconds (one pass), integers are seconds already (read in place).
fn seconds<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Column<'py, i64>> {
    let (col, unit) = convert::times(obj, name)?;
    match unit {
        None | Some(TimeUnit::Seconds) => Ok(col),
        Some(u) => {
            let per = u.per_second();
            Ok(Column::Owned(
                col.as_slice().iter().map(|t| t.div_euclid(per)).collect(),
            ))
        }
    }
}

fn contiguous(_: numpy::AsSliceError) -> PyErr {
    pyo3::exceptions::PyValueError::new_err("columns must be contiguous numpy arrays")
}

/// The survey orchestrator (the core's ``Orchestrator``); use ``cem.survey.Orchestrator``.
///
/// >>> from cem._cem import _Orchestrator
/// >>> o = _Orchestrator.from_json('{"triggers": [{"id": "t", "survey": "s"}]}')
/// >>> o.clock is None
/// True
#[pyclass(module = "cem._cem", name = "_Orchestrator")]
pub struct Orchestrator {
    inner: co::Orchestrator,
}

#[pymethods]
impl Orchestrator {
    /// An orchestrator with no history, from a rule set in JSON.
    #[staticmethod]
    fn from_json(rules: &str) -> PyResult<Self> {
        Ok(Orchestrator {
            inner: co::Orchestrator::from_rules_json(rules).py()?,
        })
    }

    /// Restores an orchestrator (rules and state) from ``state_json``.
    #[staticmethod]
    fn from_state_json(state: &str) -> PyResult<Self> {
        Ok(Orchestrator {
            inner: co::Orchestrator::from_json(state).py()?,
        })
    }

    /// The rules and the state as JSON.
    fn state_json(&self) -> String {
        self.inner.to_json()
    }

    /// The rule set as JSON.
    fn rules_json(&self) -> String {
        self.inner.rules().to_json()
    }

    /// ``(id, survey)`` of each trigger, in file order.
    fn triggers(&self) -> Vec<(String, String)> {
        self.inner
            .rules()
            .triggers
            .iter()
            .map(|t| (t.id.clone(), t.survey.clone()))
            .collect()
    }

    /// Time (seconds) of the last interaction fed.
    #[getter]
    fn clock(&self) -> Option<i64> {
        self.inner.clock()
    }

    /// Customers invited at least once.
    #[getter]
    fn customers(&self) -> usize {
        self.inner.customers()
    }

    /// Feeds one batch; returns the decisions as numpy columns ``row``, ``trigger``,
    /// ``reason`` (index into the reason codes), ``send_at``, ``until`` (seconds, the
    /// minimum int64 where not applicable) and ``winner`` (-1 where not applicable).
    /// ``times`` are datetimes or integer seconds; ``time_column`` names them in errors.
    #[pyo3(signature = (customers, times, touchpoints, channels=None, outcomes=None, segments=None, open_complaint=None, do_not_contact=None, event_ids=None, time_column="times"))]
    #[allow(clippy::too_many_arguments)]
    fn feed<'py>(
        &mut self,
        py: Python<'py>,
        customers: PyReadonlyArray1<'py, u64>,
        times: &Bound<'py, PyAny>,
        touchpoints: Coded<'py>,
        channels: Option<Coded<'py>>,
        outcomes: Option<Coded<'py>>,
        segments: Option<Coded<'py>>,
        open_complaint: Option<PyReadonlyArray1<'py, bool>>,
        do_not_contact: Option<PyReadonlyArray1<'py, bool>>,
        event_ids: Option<PyReadonlyArray1<'py, u64>>,
        time_column: &str,
    ) -> PyResult<Bound<'py, PyDict>> {
        let cols = Columns::new(
            customers,
            times,
            touchpoints,
            channels,
            outcomes,
            segments,
            open_complaint,
            do_not_contact,
            event_ids,
            time_column,
        )?;
        let batch = cols.batch()?;
        let inner = &mut self.inner;
        let decisions = py.detach(|| inner.feed(&batch)).py()?;
        decision_columns(py, &decisions)
    }

    /// Reason codes by index.
    #[staticmethod]
    fn reason_codes() -> Vec<&'static str> {
        co::Reason::CODES.to_vec()
    }

    fn __getnewargs__(&self) -> (String,) {
        (self.inner.rules().to_json(),)
    }

    #[new]
    fn new(rules: &str) -> PyResult<Self> {
        Orchestrator::from_json(rules)
    }

    fn __getstate__(&self) -> String {
        self.inner.to_json()
    }

    fn __setstate__(&mut self, state: &str) -> PyResult<()> {
        self.inner = co::Orchestrator::from_json(state).py()?;
        Ok(())
    }
}

fn decision_columns<'py>(py: Python<'py>, ds: &[co::Decision]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let row: Vec<i64> = ds
        .iter()
        .map(|x| i64::try_from(x.row).unwrap_or(i64::MAX))
        .collect();
    let trigger: Vec<u32> = ds.iter().map(|x| x.trigger).collect();
    let reason: Vec<u8> = ds
        .iter()
        .map(|x| u8::try_from(x.reason.index()).unwrap_or(u8::MAX))
        .collect();
    let (mut send_at, mut until, mut winner) = (
        Vec::with_capacity(ds.len()),
        Vec::with_capacity(ds.len()),
        Vec::with_capacity(ds.len()),
    );
    for x in ds {
        let (s, u, w) = match x.reason {
            co::Reason::Invited { send_at } => (send_at, i64::MIN, -1),
            co::Reason::Quarantined { until } | co::Reason::Capped { until, .. } => {
                (i64::MIN, until, -1)
            }
            co::Reason::LowerPriority { winner } => (i64::MIN, i64::MIN, i64::from(winner)),
            _ => (i64::MIN, i64::MIN, -1),
        };
        send_at.push(s);
        until.push(u);
        winner.push(w);
    }
    d.set_item("row", PyArray1::from_vec(py, row))?;
    d.set_item("trigger", PyArray1::from_vec(py, trigger))?;
    d.set_item("reason", PyArray1::from_vec(py, reason))?;
    d.set_item("send_at", PyArray1::from_vec(py, send_at))?;
    d.set_item("until", PyArray1::from_vec(py, until))?;
    d.set_item("winner", PyArray1::from_vec(py, winner))?;
    Ok(d)
}

/// Replays a log through a rule set; returns the core's ``Simulation`` as JSON.
#[pyfunction(name = "_simulate")]
#[pyo3(signature = (rules, assumptions, customers, times, touchpoints, channels=None, outcomes=None, segments=None, open_complaint=None, do_not_contact=None, event_ids=None, time_column="times"))]
#[allow(clippy::too_many_arguments)]
fn simulate<'py>(
    py: Python<'py>,
    rules: &str,
    assumptions: &str,
    customers: PyReadonlyArray1<'py, u64>,
    times: &Bound<'py, PyAny>,
    touchpoints: Coded<'py>,
    channels: Option<Coded<'py>>,
    outcomes: Option<Coded<'py>>,
    segments: Option<Coded<'py>>,
    open_complaint: Option<PyReadonlyArray1<'py, bool>>,
    do_not_contact: Option<PyReadonlyArray1<'py, bool>>,
    event_ids: Option<PyReadonlyArray1<'py, u64>>,
    time_column: &str,
) -> PyResult<String> {
    let rules = co::Rules::from_json(rules).py()?;
    let assumptions: co::ResponseAssumptions = serde_json::from_str(assumptions)
        .map_err(Error::from)
        .py()?;
    let cols = Columns::new(
        customers,
        times,
        touchpoints,
        channels,
        outcomes,
        segments,
        open_complaint,
        do_not_contact,
        event_ids,
        time_column,
    )?;
    let batch = cols.batch()?;
    let sim = py
        .detach(|| co::simulate(&rules, &batch, &assumptions))
        .py()?;
    serde_json::to_string(&sim).map_err(Error::from).py()
}

/// Response rates per group code. ``invited_at`` and ``responded_at`` are time columns
/// (datetimes or integer seconds); ``responded_at`` counts where ``responded`` is set (fill
/// it with anything elsewhere). ``period`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``)
/// splits by the UTC period of the invitation; ``columns`` names the two time columns in
/// errors. Returns the core's rows as JSON.
#[pyfunction(name = "_response_rates")]
#[pyo3(signature = (groups, invited_at, responded_at, responded, confidence=0.95, period=None, columns=("invited_at".to_owned(), "responded_at".to_owned())))]
#[allow(clippy::too_many_arguments)]
fn response_rates<'py>(
    py: Python<'py>,
    groups: &Bound<'py, PyAny>,
    invited_at: &Bound<'py, PyAny>,
    responded_at: &Bound<'py, PyAny>,
    responded: PyReadonlyArray1<'py, bool>,
    confidence: f64,
    period: Option<&str>,
    columns: (String, String),
) -> PyResult<String> {
    let period = period.map(co::RatePeriod::parse).transpose().py()?;
    let g = convert::column_of::<u32>(groups, "groups")?;
    let inv = seconds(invited_at, &columns.0)?;
    let resp = seconds(responded_at, &columns.1)?;
    let mask = responded.as_slice().map_err(contiguous)?;
    if mask.len() != resp.as_slice().len() {
        return Err(Error::LengthMismatch {
            left: columns.1.clone(),
            left_len: resp.as_slice().len(),
            right: "responded".to_owned(),
            right_len: mask.len(),
        })
        .py();
    }
    let at: Vec<Option<i64>> = resp
        .as_slice()
        .iter()
        .zip(mask)
        .map(|(&t, &m)| m.then_some(t))
        .collect();
    let (g, inv) = (g.as_slice(), inv.as_slice());
    let names = [columns.0.as_str(), columns.1.as_str()];
    let rows = py
        .detach(|| match period {
            Some(p) => co::response_rates_by_period(g, inv, &at, p, confidence, names),
            None => co::response_rates(g, inv, &at, confidence, names),
        })
        .py()?;
    serde_json::to_string(&rows).map_err(Error::from).py()
}

/// Completion and drop-off of answer dicts to a survey, as the core's JSON.
#[pyfunction(name = "_dropoff")]
fn dropoff(survey: &crate::survey::Survey, responses: Vec<Bound<'_, PyAny>>) -> PyResult<String> {
    let answers = responses
        .iter()
        .map(crate::survey::answers)
        .collect::<PyResult<Vec<_>>>()?;
    let d = co::dropoff(survey.core(), &answers);
    serde_json::to_string(&d).map_err(Error::from).py()
}

/// Non-response analysis. ``categorical``: ``(name, codes, labels)``; ``numeric``:
/// ``(name, values)``; ``nps``: ``(scores, has_score)``. Returns ``(json, weights)``.
#[pyfunction(name = "_nonresponse")]
#[pyo3(signature = (responded, categorical, numeric, nps=None, confidence=0.95))]
fn nonresponse<'py>(
    py: Python<'py>,
    responded: PyReadonlyArray1<'py, bool>,
    categorical: Vec<(String, Bound<'py, PyAny>, Vec<String>)>,
    numeric: Vec<(String, Bound<'py, PyAny>)>,
    nps: Option<(Bound<'py, PyAny>, PyReadonlyArray1<'py, bool>)>,
    confidence: f64,
) -> PyResult<(String, Bound<'py, PyArray1<f64>>)> {
    let resp = responded.as_slice().map_err(contiguous)?;
    let cat_cols = categorical
        .iter()
        .map(|(name, codes, _)| convert::column_of::<u32>(codes, name))
        .collect::<PyResult<Vec<_>>>()?;
    let num_cols = numeric
        .iter()
        .map(|(name, values)| convert::column_of::<f64>(values, name))
        .collect::<PyResult<Vec<_>>>()?;
    let cats: Vec<co::Categorical<'_>> = categorical
        .iter()
        .zip(&cat_cols)
        .map(|((name, _, labels), c)| co::Categorical {
            name,
            codes: c.as_slice(),
            labels,
        })
        .collect();
    let nums: Vec<co::Numeric<'_>> = numeric
        .iter()
        .zip(&num_cols)
        .map(|((name, _), c)| co::Numeric {
            name,
            values: c.as_slice(),
        })
        .collect();
    let scores: Option<Vec<Option<u8>>> = match &nps {
        Some((s, has)) => {
            let s = convert::column_of::<u8>(s, "nps")?;
            let has = has.as_slice().map_err(contiguous)?;
            Some(
                s.as_slice()
                    .iter()
                    .zip(has)
                    .map(|(&x, &h)| h.then_some(x))
                    .collect(),
            )
        }
        None => None,
    };
    let mut r = co::nonresponse(resp, &cats, &nums, scores.as_deref(), confidence).py()?;
    let weights = std::mem::take(&mut r.weights);
    let json = serde_json::to_string(&r).map_err(Error::from).py()?;
    Ok((json, PyArray1::from_vec(py, weights)))
}
