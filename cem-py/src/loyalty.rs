//! `cem.loyalty`: the native side of the customer summaries, churn, retention cohorts, RFM,
//! Kaplan–Meier and log-rank tests.
//!
//! Thin: columns come in through [`convert::column_of`] / [`convert::times`] (borrowed where
//! the dtype allows), each function calls one core function with the GIL released and gives
//! back plain columns (numpy arrays) in a dict; `cem/loyalty.py` turns them into the caller's
//! frame type and puts the customer labels back. Customers are `uint32` codes; times are
//! read in their own unit (datetime columns) or in `time_unit` (integers) and floored to
//! seconds, the unit of the core's loyalty functions.
use std::borrow::Cow;

use cem_core::Error;
use cem_core::loyalty as cl;
use cem_core::metrics::TimeUnit;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, Column};
use crate::error::CoreResult;

/// Registers the functions and classes.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(customer_summary, m)?)?;
    m.add_function(wrap_pyfunction!(repeat_purchase_rate, m)?)?;
    m.add_function(wrap_pyfunction!(churn, m)?)?;
    m.add_function(wrap_pyfunction!(churn_by_segment, m)?)?;
    m.add_function(wrap_pyfunction!(churn_over_time, m)?)?;
    m.add_function(wrap_pyfunction!(retention_cohorts, m)?)?;
    m.add_function(wrap_pyfunction!(rfm, m)?)?;
    m.add_function(wrap_pyfunction!(logrank_test, m)?)?;
    m.add_function(wrap_pyfunction!(multivariate_logrank_test, m)?)?;
    m.add_function(wrap_pyfunction!(survival_svg, m)?)?;
    m.add_class::<KaplanMeier>()?;
    Ok(())
}

/// A period by lifetimes' name (``"D"``, ``"W"``, ``"M"``) or cem's (``"day"``, ...).
pub(crate) fn period(name: &str) -> PyResult<cl::Period> {
    match name {
        "D" | "d" | "day" => Ok(cl::Period::Day),
        "W" | "w" | "week" => Ok(cl::Period::Week),
        "M" | "m" | "month" | "MS" | "ME" => Ok(cl::Period::Month),
        other => Err(Error::InvalidArgument {
            name: "freq".into(),
            reason: format!("`{other}` is not a period; expected `D`, `W` or `M`"),
        })
        .py(),
    }
}

/// Timestamps as whole seconds: the column itself when it already is in seconds, else
/// floored to the second once.
pub(crate) struct Seconds<'py> {
    column: Column<'py, i64>,
    per_second: i64,
}

impl Seconds<'_> {
    fn read<'py>(obj: &Bound<'py, PyAny>, name: &str, time_unit: &str) -> PyResult<Seconds<'py>> {
        let (column, unit) = convert::times(obj, name)?;
        let unit = match unit {
            Some(u) => u,
            None => TimeUnit::parse(time_unit).py()?,
        };
        Ok(Seconds {
            column,
            per_second: unit.per_second(),
        })
    }

    pub(crate) fn values(&self) -> Cow<'_, [i64]> {
        let s = self.column.as_slice();
        if self.per_second == 1 {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(s.iter().map(|t| t.div_euclid(self.per_second)).collect())
        }
    }
}

/// The transaction columns: customer codes, times in seconds and optional amounts, with the
/// caller's column names for messages.
pub(crate) struct Transactions<'py> {
    pub(crate) customers: Column<'py, u32>,
    pub(crate) times: Seconds<'py>,
    pub(crate) amounts: Option<Column<'py, f64>>,
    pub(crate) names: (String, String, String),
}

impl<'py> Transactions<'py> {
    pub(crate) fn read(
        customers: &Bound<'py, PyAny>,
        times: &Bound<'py, PyAny>,
        amounts: Option<&Bound<'py, PyAny>>,
        time_unit: &str,
        columns: Option<(String, String, String)>,
    ) -> PyResult<Self> {
        let names =
            columns.unwrap_or_else(|| ("customers".into(), "times".into(), "amounts".into()));
        Ok(Transactions {
            customers: convert::column_of(customers, &names.0)?,
            times: Seconds::read(times, &names.1, time_unit)?,
            amounts: amounts
                .map(|a| convert::column_of(a, &names.2))
                .transpose()?,
            names,
        })
    }
}

/// The observation end: as given (seconds), or the last transaction time.
fn end_or_last(observation_end: Option<i64>, times: &[i64]) -> i64 {
    observation_end.unwrap_or_else(|| times.iter().copied().max().unwrap_or(0))
}

/// Per-customer summary (lifetimes' ``summary_data_from_transaction_data``) as columns:
/// ``customer`` (codes, ascending), ``frequency``, ``recency``, ``T``, ``monetary_value`` and
/// ``total_spend`` (with amounts), ``transactions``, ``first_purchase`` / ``last_purchase``
/// (seconds), and ``observation_end`` (seconds; the last transaction when not given).
///
/// Examples
/// --------
/// >>> from cem._cem import _customer_summary
/// >>> s = _customer_summary([7, 7, 3], [0, 3 * 86400, 86400], [10.0, 4.0, 99.0], 9 * 86400, "D")
/// >>> s["customer"].tolist(), s["frequency"].tolist(), s["T"].tolist(), s["monetary_value"].tolist()
/// ([3, 7], [0.0, 1.0], [8.0, 9.0], [0.0, 4.0])
#[pyfunction]
#[pyo3(name = "_customer_summary")]
#[pyo3(signature = (customers, times, amounts=None, observation_end=None, freq="D", *, time_unit="s", columns=None))]
#[allow(clippy::too_many_arguments)]
fn customer_summary<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    amounts: Option<&Bound<'py, PyAny>>,
    observation_end: Option<i64>,
    freq: &str,
    time_unit: &str,
    columns: Option<(String, String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = period(freq)?;
    let tx = Transactions::read(customers, times, amounts, time_unit, columns)?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let a = tx.amounts.as_ref().map(Column::as_slice);
    let end = end_or_last(observation_end, &t);
    let s = py
        .detach(|| cl::CustomerSummary::from_transactions(c, &t, a, end, p))
        .map_err(|e| name_columns(e, &tx.names))
        .py()?;
    let d = PyDict::new(py);
    d.set_item("customer", PyArray1::from_vec(py, s.customers))?;
    d.set_item("frequency", PyArray1::from_vec(py, s.frequency))?;
    d.set_item("recency", PyArray1::from_vec(py, s.recency))?;
    d.set_item("T", PyArray1::from_vec(py, s.t))?;
    if let Some(m) = s.monetary_value {
        d.set_item("monetary_value", PyArray1::from_vec(py, m))?;
    }
    if let Some(m) = s.total_spend {
        d.set_item("total_spend", PyArray1::from_vec(py, m))?;
    }
    d.set_item("transactions", PyArray1::from_vec(py, s.transactions))?;
    d.set_item("first_purchase", PyArray1::from_vec(py, s.first_purchase))?;
    d.set_item("last_purchase", PyArray1::from_vec(py, s.last_purchase))?;
    d.set_item("observation_end", end)?;
    Ok(d)
}

/// Puts the caller's column names into the core's messages about transaction rows.
pub(crate) fn name_columns(e: Error, names: &(String, String, String)) -> Error {
    match e {
        Error::OutOfRange {
            field,
            value,
            expected,
        } if field.starts_with("transaction time") => Error::OutOfRange {
            field: format!("{field} in column `{}`", names.1),
            value,
            expected,
        },
        Error::InvalidNumber {
            field,
            value,
            reason,
        } if field.starts_with("amount") => Error::InvalidNumber {
            field: format!("{field} in column `{}`", names.2),
            value,
            reason,
        },
        other => other,
    }
}

/// ``(repeat customers, customers)`` of a summary's ``frequency`` column (``frequency > 0``).
///
/// Examples
/// --------
/// >>> from cem._cem import _repeat_purchase_rate
/// >>> _repeat_purchase_rate([0.0, 2.0, 1.0, 0.0])
/// (2, 4)
#[pyfunction]
#[pyo3(name = "_repeat_purchase_rate")]
fn repeat_purchase_rate(frequency: &Bound<'_, PyAny>) -> PyResult<(u64, u64)> {
    let f: Column<'_, f64> = convert::column_of(frequency, "frequency")?;
    let frequency = f.as_slice().to_vec();
    let n = frequency.len();
    let summary = cl::CustomerSummary {
        period: cl::Period::Day,
        observation_end: 0,
        customers: Vec::new(),
        recency: vec![0.0; n],
        t: vec![0.0; n],
        frequency,
        monetary_value: None,
        total_spend: None,
        transactions: Vec::new(),
        first_purchase: Vec::new(),
        last_purchase: Vec::new(),
    };
    let p = cl::repeat_purchase_rate(&summary).py()?;
    Ok((p.successes(), p.n()))
}

/// Churn at ``observation_end`` (seconds): ``(churned, customers)``.
///
/// Examples
/// --------
/// >>> from cem._cem import _churn
/// >>> _churn([1, 2], [2 * 86400, 25 * 86400], 14 * 86400, 30 * 86400)
/// (1, 2)
#[pyfunction]
#[pyo3(name = "_churn")]
#[pyo3(signature = (customers, times, inactive, observation_end=None, *, time_unit="s"))]
fn churn(
    py: Python<'_>,
    customers: &Bound<'_, PyAny>,
    times: &Bound<'_, PyAny>,
    inactive: i64,
    observation_end: Option<i64>,
    time_unit: &str,
) -> PyResult<(u64, u64)> {
    let tx = Transactions::read(customers, times, None, time_unit, None)?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let end = end_or_last(observation_end, &t);
    let p = py.detach(|| cl::churn(c, &t, inactive, end)).py()?;
    Ok((p.successes(), p.n()))
}

/// Churn per segment: ``segment`` codes, ``churned``, ``customers``.
///
/// Examples
/// --------
/// >>> from cem._cem import _churn_by_segment
/// >>> _churn_by_segment([0, 1, 2], [0, 0, 29 * 86400], [7, 7, 9], 14 * 86400, 30 * 86400)["churned"]
/// [2, 0]
#[pyfunction]
#[pyo3(name = "_churn_by_segment")]
#[pyo3(signature = (customers, times, segment_of, inactive, observation_end=None, *, time_unit="s"))]
fn churn_by_segment<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    segment_of: &Bound<'py, PyAny>,
    inactive: i64,
    observation_end: Option<i64>,
    time_unit: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let c: Column<'_, u32> = convert::column_of(customers, "customers")?;
    let s: Column<'_, u32> = convert::column_of(segment_of, "segment_of")?;
    let t = Seconds::read(times, "times", time_unit)?;
    let (c, s, t) = (c.as_slice(), s.as_slice(), t.values());
    let end = end_or_last(observation_end, &t);
    let by = py
        .detach(|| cl::churn_by_segment(c, &t, s, inactive, end))
        .py()?;
    let d = PyDict::new(py);
    d.set_item("segment", by.iter().map(|(s, _)| *s).collect::<Vec<_>>())?;
    d.set_item(
        "churned",
        by.iter().map(|(_, p)| p.successes()).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "customers",
        by.iter().map(|(_, p)| p.n()).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// Churn at the end of every period: ``period_start``, ``at`` (seconds), ``churned``,
/// ``customers``.
///
/// Examples
/// --------
/// >>> from cem._cem import _churn_over_time
/// >>> _churn_over_time([1, 2, 1], [0, 3 * 86400, 8 * 86400], 5 * 86400, 9 * 86400, "W")["customers"]
/// [2, 2]
#[pyfunction]
#[pyo3(name = "_churn_over_time")]
#[pyo3(signature = (customers, times, inactive, observation_end=None, freq="M", *, time_unit="s"))]
fn churn_over_time<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    inactive: i64,
    observation_end: Option<i64>,
    freq: &str,
    time_unit: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let p = period(freq)?;
    let tx = Transactions::read(customers, times, None, time_unit, None)?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let end = end_or_last(observation_end, &t);
    let points = py
        .detach(|| cl::churn_over_time(c, &t, inactive, end, p))
        .py()?;
    let d = PyDict::new(py);
    let col = |f: fn(&cl::ChurnPoint) -> i64| points.iter().map(f).collect::<Vec<i64>>();
    d.set_item("period_start", col(|x| x.period_start))?;
    d.set_item("at", col(|x| x.at))?;
    let count = |f: fn(&cl::ChurnPoint) -> u64| points.iter().map(f).collect::<Vec<u64>>();
    d.set_item("churned", count(|x| x.churn.successes()))?;
    d.set_item("customers", count(|x| x.churn.n()))?;
    Ok(d)
}

/// Acquisition-cohort retention in long form: ``cohort_start`` (seconds), ``size``,
/// ``period`` (periods since acquisition), ``active``, ``retained``; and ``svg``, the
/// heatmap titled ``title``.
///
/// Examples
/// --------
/// >>> from cem._cem import _retention_cohorts
/// >>> day = 86400
/// >>> r = _retention_cohorts([1, 2, 1, 3, 3], [0, 0, 31 * day, 31 * day, 59 * day], 59 * day, "M")
/// >>> r["retained"]
/// [1.0, 0.5, 0.0, 1.0, 1.0]
#[pyfunction]
#[pyo3(name = "_retention_cohorts")]
#[pyo3(signature = (customers, times, observation_end=None, freq="M", title="Retention by acquisition cohort", *, time_unit="s"))]
#[allow(clippy::too_many_arguments)]
fn retention_cohorts<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    observation_end: Option<i64>,
    freq: &str,
    title: &str,
    time_unit: &str,
) -> PyResult<Bound<'py, PyDict>> {
    let p = period(freq)?;
    let tx = Transactions::read(customers, times, None, time_unit, None)?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let end = end_or_last(observation_end, &t);
    let r = py.detach(|| cl::retention_cohorts(c, &t, end, p)).py()?;
    let (mut start, mut size, mut offset, mut active, mut retained) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for cohort in &r.cohorts {
        for (k, (&a, &share)) in cohort.active.iter().zip(&cohort.retained).enumerate() {
            start.push(cohort.start);
            size.push(cohort.size);
            offset.push(u32::try_from(k).unwrap_or(u32::MAX));
            active.push(a);
            retained.push(share);
        }
    }
    let d = PyDict::new(py);
    d.set_item("cohort_start", start)?;
    d.set_item("size", size)?;
    d.set_item("period", offset)?;
    d.set_item("active", active)?;
    d.set_item("retained", retained)?;
    d.set_item("svg", r.to_svg(title))?;
    Ok(d)
}

/// RFM scores and segments: ``customer`` (codes), ``recency``, ``frequency``, ``monetary``
/// (scores 1..=5), ``segment`` (codes into ``segment_names``).
///
/// Examples
/// --------
/// >>> from cem._cem import _rfm
/// >>> r = _rfm([1, 1, 2], [0, 86400, 0], [5.0, 5.0, 1.0], 86400, "D")
/// >>> r["customer"].tolist(), r["frequency"].tolist()
/// ([1, 2], [3, 1])
#[pyfunction]
#[pyo3(name = "_rfm")]
#[pyo3(signature = (customers, times, amounts, observation_end=None, freq="D", *, time_unit="s", columns=None))]
#[allow(clippy::too_many_arguments)]
fn rfm<'py>(
    py: Python<'py>,
    customers: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    amounts: &Bound<'py, PyAny>,
    observation_end: Option<i64>,
    freq: &str,
    time_unit: &str,
    columns: Option<(String, String, String)>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = period(freq)?;
    let tx = Transactions::read(customers, times, Some(amounts), time_unit, columns)?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let a = tx.amounts.as_ref().map(Column::as_slice);
    let end = end_or_last(observation_end, &t);
    let r = py
        .detach(|| {
            let s = cl::CustomerSummary::from_transactions(c, &t, a, end, p)?;
            cl::Rfm::from_summary(&s)
        })
        .map_err(|e| name_columns(e, &tx.names))
        .py()?;
    let d = PyDict::new(py);
    d.set_item("customer", PyArray1::from_vec(py, r.customers))?;
    d.set_item("recency", PyArray1::from_vec(py, r.recency))?;
    d.set_item("frequency", PyArray1::from_vec(py, r.frequency))?;
    d.set_item("monetary", PyArray1::from_vec(py, r.monetary))?;
    let codes: Vec<u8> = r.segments.iter().map(|s| segment_code(*s)).collect();
    d.set_item("segment", PyArray1::from_vec(py, codes))?;
    d.set_item(
        "segment_names",
        SEGMENTS.iter().map(|s| s.name()).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

const SEGMENTS: [cl::RfmSegment; 8] = [
    cl::RfmSegment::Champions,
    cl::RfmSegment::Loyal,
    cl::RfmSegment::PotentialLoyalist,
    cl::RfmSegment::New,
    cl::RfmSegment::AtRisk,
    cl::RfmSegment::CantLose,
    cl::RfmSegment::Hibernating,
    cl::RfmSegment::Lost,
];

fn segment_code(s: cl::RfmSegment) -> u8 {
    SEGMENTS
        .iter()
        .position(|x| *x == s)
        .and_then(|i| u8::try_from(i).ok())
        .unwrap_or(u8::MAX)
}

/// Event flags: booleans or 0/1 (all observed when not given).
fn events(obj: Option<&Bound<'_, PyAny>>, n: usize, name: &str) -> PyResult<Vec<bool>> {
    let Some(obj) = obj else {
        return Ok(vec![true; n]);
    };
    let e: Column<'_, u8> = convert::column_of(obj, name)?;
    e.as_slice()
        .iter()
        .enumerate()
        .map(|(i, &v)| match v {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(Error::InvalidNumber {
                field: format!("{name} at position {i}"),
                value: other.to_string(),
                reason: "is not an event flag (true/false or 1/0)".into(),
            })
            .py(),
        })
        .collect()
}

fn logrank_dict<'py>(py: Python<'py>, t: &cl::LogRankTest) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("groups", t.groups.clone())?;
    d.set_item("observed", t.observed.clone())?;
    d.set_item("expected", t.expected.clone())?;
    d.set_item("statistic", t.statistic)?;
    d.set_item("df", t.df)?;
    d.set_item("p_value", t.p_value)?;
    Ok(d)
}

/// Two-group log-rank test (lifelines' ``logrank_test``): ``groups``, ``observed``,
/// ``expected``, ``statistic``, ``df``, ``p_value``.
///
/// Examples
/// --------
/// >>> from cem._cem import _logrank_test
/// >>> t = _logrank_test([1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0])
/// >>> t["df"], t["p_value"] < 0.01
/// (1, True)
#[pyfunction]
#[pyo3(name = "_logrank_test")]
#[pyo3(signature = (durations_a, durations_b, events_a=None, events_b=None))]
fn logrank_test<'py>(
    py: Python<'py>,
    durations_a: &Bound<'py, PyAny>,
    durations_b: &Bound<'py, PyAny>,
    events_a: Option<&Bound<'py, PyAny>>,
    events_b: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let da: Column<'_, f64> = convert::column_of(durations_a, "durations_a")?;
    let db: Column<'_, f64> = convert::column_of(durations_b, "durations_b")?;
    let (da, db) = (da.as_slice(), db.as_slice());
    let ea = events(events_a, da.len(), "events_a")?;
    let eb = events(events_b, db.len(), "events_b")?;
    let t = py.detach(|| cl::logrank_test(da, &ea, db, &eb)).py()?;
    logrank_dict(py, &t)
}

/// k-group log-rank test (lifelines' ``multivariate_logrank_test``); ``groups`` are codes.
///
/// Examples
/// --------
/// >>> from cem._cem import _multivariate_logrank_test
/// >>> t = _multivariate_logrank_test([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [0, 0, 1, 1, 2, 2])
/// >>> t["df"], t["groups"]
/// (2, [0, 1, 2])
#[pyfunction]
#[pyo3(name = "_multivariate_logrank_test")]
#[pyo3(signature = (durations, groups, events=None))]
fn multivariate_logrank_test<'py>(
    py: Python<'py>,
    durations: &Bound<'py, PyAny>,
    groups: &Bound<'py, PyAny>,
    events: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let d: Column<'_, f64> = convert::column_of(durations, "durations")?;
    let g: Column<'_, u32> = convert::column_of(groups, "groups")?;
    let (d, g) = (d.as_slice(), g.as_slice());
    let e = self::events(events, d.len(), "events")?;
    let t = py.detach(|| cl::multivariate_logrank_test(d, g, &e)).py()?;
    logrank_dict(py, &t)
}

/// Kaplan–Meier curves as one SVG: ``curves`` is a list of ``(label, _KaplanMeier)``.
///
/// Examples
/// --------
/// >>> from cem._cem import _KaplanMeier, _survival_svg
/// >>> km = _KaplanMeier.fit([1.0, 2.0, 3.0], [True, True, False])
/// >>> _survival_svg([("all", km)], "Survival").startswith("<svg")
/// True
#[pyfunction]
#[pyo3(name = "_survival_svg")]
fn survival_svg(curves: Vec<(String, PyRef<'_, KaplanMeier>)>, title: &str) -> String {
    let refs: Vec<(&str, &cl::KaplanMeier)> = curves
        .iter()
        .map(|(label, km)| (label.as_str(), &km.inner))
        .collect();
    cl::survival_svg(&refs, title)
}

/// A column of the survival table.
type RowField = fn(&cl::SurvivalRow) -> f64;

/// A fitted Kaplan–Meier curve (lifelines' ``KaplanMeierFitter``); build it with
/// ``cem.loyalty.KaplanMeier``.
///
/// Examples
/// --------
/// >>> from cem._cem import _KaplanMeier
/// >>> km = _KaplanMeier.fit([1.0, 2.0, 2.0, 3.0, 4.0], [True, True, False, True, False])
/// >>> km.median, km.table()["time"].tolist()
/// (3.0, [0.0, 1.0, 2.0, 3.0, 4.0])
#[pyclass(module = "cem._cem", name = "_KaplanMeier", frozen)]
pub struct KaplanMeier {
    inner: cl::KaplanMeier,
}

#[pymethods]
impl KaplanMeier {
    /// Fits the curve; ``events`` default to all observed, ``weights`` to 1.
    #[staticmethod]
    #[pyo3(signature = (durations, events=None, weights=None, confidence=0.95))]
    fn fit(
        py: Python<'_>,
        durations: &Bound<'_, PyAny>,
        events: Option<&Bound<'_, PyAny>>,
        weights: Option<&Bound<'_, PyAny>>,
        confidence: f64,
    ) -> PyResult<Self> {
        let d: Column<'_, f64> = convert::column_of(durations, "durations")?;
        let w: Option<Column<'_, f64>> = match weights {
            Some(w) => Some(convert::column_of(w, "weights")?),
            None => None,
        };
        let d = d.as_slice();
        let e = self::events(events, d.len(), "events")?;
        let w = w.as_ref().map(Column::as_slice);
        let inner = py
            .detach(|| cl::KaplanMeier::fit_with_confidence(d, &e, w, confidence))
            .py()?;
        Ok(KaplanMeier { inner })
    }

    /// The survival table as columns: ``time``, ``at_risk``, ``events``, ``censored``,
    /// ``survival``, ``variance`` (Greenwood), ``lower``, ``upper``.
    fn table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = self.inner.table();
        let d = PyDict::new(py);
        let fields: [(&str, RowField); 8] = [
            ("time", |r| r.time),
            ("at_risk", |r| r.at_risk),
            ("events", |r| r.events),
            ("censored", |r| r.censored),
            ("survival", |r| r.survival),
            ("variance", |r| r.variance),
            ("lower", |r| r.lower),
            ("upper", |r| r.upper),
        ];
        for (name, f) in fields {
            d.set_item(name, PyArray1::from_vec(py, rows.iter().map(f).collect()))?;
        }
        Ok(d)
    }

    /// The confidence level of the band.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence()
    }

    /// The median survival time, ``None`` when the curve stays above 0.5.
    #[getter]
    fn median(&self) -> Option<f64> {
        self.inner.median()
    }

    /// The first time at which S(t) <= ``q``, ``None`` if never.
    fn quantile_time(&self, q: f64) -> Option<f64> {
        self.inner.quantile_time(q)
    }

    /// S(t) at each of ``times``.
    fn survival_at<'py>(
        &self,
        py: Python<'py>,
        times: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let t: Column<'_, f64> = convert::column_of(times, "times")?;
        let out = t
            .as_slice()
            .iter()
            .map(|&x| self.inner.survival_at(x))
            .collect::<Result<Vec<f64>, Error>>()
            .py()?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The curve as a self-contained SVG.
    #[pyo3(signature = (label="survival", title="Survival"))]
    fn svg(&self, label: &str, title: &str) -> String {
        cl::survival_svg(&[(label, &self.inner)], title)
    }

    /// The fitted curve as JSON (what pickling stores).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(Error::from).py()
    }

    /// The curve back from :meth:`to_json`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let inner = serde_json::from_str(text).map_err(Error::from).py()?;
        Ok(KaplanMeier { inner })
    }
}
