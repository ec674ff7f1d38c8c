//! The native half of `cem.sample.retailer`: generates the core's sample company once and
//! hands back its tables as typed columns (Python lists); `python/cem/sample.py` turns them
//! into pandas, polars or pyarrow frames.
//!
//! Every table is a list of `(name, kind, values)` where kind is one of `str`, `str?`,
//! `f64`, `f64?`, `int?`, `ts`, `ts?` (`?` = may hold `None`; `ts` = UTC microseconds since
//! the Unix epoch).
use cem_core::model::Answer;
use cem_core::sample as cs;
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::Serialize;

use crate::error::CoreResult;

/// Registers the functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_retailer, m)?)?;
    Ok(())
}

type Column<'py> = (&'static str, &'static str, Bound<'py, PyAny>);

/// The sample retailer's tables as typed columns: `{"name": str, "touchpoints": [...], ...}`.
#[pyfunction]
#[pyo3(signature = (seed, customers))]
fn _retailer<'py>(
    py: Python<'py>,
    seed: &Bound<'py, PyAny>,
    customers: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let seed: u64 = seed
        .extract()
        .map_err(|_| PyTypeError::new_err("`seed` must be a non-negative integer (below 2**64)"))?;
    let customers: usize = customers
        .extract()
        .map_err(|_| PyTypeError::new_err("`customers` must be a positive integer"))?;
    let shop = cs::retailer(seed, customers).py()?;
    let out = PyDict::new(py);
    out.set_item("name", &shop.name)?;
    out.set_item("touchpoints", touchpoints(py, &shop)?)?;
    out.set_item("customers", customers_table(py, &shop)?)?;
    out.set_item("interactions", interactions(py, &shop)?)?;
    out.set_item("feedback", feedback(py, &shop)?)?;
    out.set_item("transactions", transactions(py, &shop)?)?;
    out.set_item("cases", cases(py, &shop)?)?;
    Ok(out)
}

fn touchpoints<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let t = &shop.touchpoints;
    Ok(vec![
        ("id", "str", list(py, t.iter().map(|x| x.id.as_str()))?),
        ("name", "str", list(py, t.iter().map(|x| x.name.as_str()))?),
        (
            "channel",
            "str",
            list(py, t.iter().map(|x| x.channel.name()))?,
        ),
        (
            "stage",
            "str",
            list(py, t.iter().map(|x| serde_name(&x.stage)))?,
        ),
    ])
}

fn customers_table<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let c = &shop.customers;
    Ok(vec![
        ("id", "str", list(py, c.iter().map(|x| x.id.as_str()))?),
        (
            "segment",
            "str",
            list(py, c.iter().map(|x| x.segment.as_str()))?,
        ),
        (
            "preferred_channel",
            "str",
            list(py, c.iter().map(|x| x.preferred_channel.name()))?,
        ),
        (
            "signup",
            "ts",
            list(py, c.iter().map(|x| x.signup.timestamp_micros()))?,
        ),
        (
            "region",
            "str",
            list(py, c.iter().map(|x| x.region.as_str()))?,
        ),
    ])
}

fn interactions<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let i = &shop.interactions;
    Ok(vec![
        (
            "customer",
            "str",
            list(py, i.iter().map(|x| x.customer.as_str()))?,
        ),
        (
            "touchpoint",
            "str",
            list(py, i.iter().map(|x| x.touchpoint.as_str()))?,
        ),
        (
            "channel",
            "str?",
            list(
                py,
                i.iter()
                    .map(|x| shop.channel_of(&x.touchpoint).map(|c| c.name())),
            )?,
        ),
        (
            "time",
            "ts",
            list(py, i.iter().map(|x| x.time.timestamp_micros()))?,
        ),
        (
            "outcome",
            "str?",
            list(py, i.iter().map(|x| x.outcome.as_deref()))?,
        ),
        ("value", "f64?", list(py, i.iter().map(|x| x.value))?),
    ])
}

fn feedback<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let f = &shop.feedback;
    let number = |key: &'static str| {
        f.iter().map(move |x| match x.answers.get(key) {
            #[allow(clippy::cast_possible_truncation)] // the sample's scores are whole, 0..=10
            Some(Answer::Number(v)) => Some(*v as i64),
            _ => None,
        })
    };
    let text = |key: &'static str| {
        f.iter().map(move |x| match x.answers.get(key) {
            Some(Answer::Text(t)) => Some(t.as_str()),
            _ => None,
        })
    };
    let comment = f
        .iter()
        .zip(text("comment"))
        .map(|(x, c)| c.or(x.text.as_deref()));
    Ok(vec![
        (
            "customer",
            "str",
            list(py, f.iter().map(|x| x.customer.as_str()))?,
        ),
        (
            "touchpoint",
            "str?",
            list(py, f.iter().map(|x| x.touchpoint.as_deref()))?,
        ),
        (
            "time",
            "ts",
            list(py, f.iter().map(|x| x.time.timestamp_micros()))?,
        ),
        (
            "survey",
            "str",
            list(py, f.iter().map(|x| x.survey.as_str()))?,
        ),
        ("nps", "int?", list(py, number("nps"))?),
        ("csat", "int?", list(py, number("csat"))?),
        ("ces", "int?", list(py, number("ces"))?),
        ("reason", "str?", list(py, text("reason"))?),
        ("comment", "str?", list(py, comment)?),
    ])
}

fn transactions<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let t = &shop.transactions;
    Ok(vec![
        (
            "customer",
            "str",
            list(py, t.iter().map(|x| x.customer.as_str()))?,
        ),
        (
            "time",
            "ts",
            list(py, t.iter().map(|x| x.time.timestamp_micros()))?,
        ),
        ("amount", "f64", list(py, t.iter().map(|x| x.amount))?),
        (
            "currency",
            "str",
            list(py, t.iter().map(|x| x.currency.as_str()))?,
        ),
    ])
}

fn cases<'py>(py: Python<'py>, shop: &cs::Retailer) -> PyResult<Vec<Column<'py>>> {
    let c = &shop.cases;
    Ok(vec![
        ("id", "str", list(py, c.iter().map(|x| x.id.as_str()))?),
        (
            "customer",
            "str",
            list(py, c.iter().map(|x| x.customer.as_str()))?,
        ),
        (
            "opened",
            "ts",
            list(py, c.iter().map(|x| x.opened.timestamp_micros()))?,
        ),
        (
            "closed",
            "ts?",
            list(py, c.iter().map(|x| x.closed.map(|t| t.timestamp_micros())))?,
        ),
        (
            "status",
            "str",
            list(py, c.iter().map(|x| serde_name(&x.status)))?,
        ),
        (
            "priority",
            "str",
            list(py, c.iter().map(|x| serde_name(&x.priority)))?,
        ),
        (
            "reason",
            "str",
            list(py, c.iter().map(|x| x.reason.as_str()))?,
        ),
    ])
}

fn list<'py, T: IntoPyObjectExt<'py>>(
    py: Python<'py>,
    items: impl Iterator<Item = T>,
) -> PyResult<Bound<'py, PyAny>> {
    let items = items
        .map(|x| x.into_bound_py_any(py))
        .collect::<PyResult<Vec<_>>>()?;
    Ok(PyList::new(py, items)?.into_any())
}

/// The snake_case serde name of a unit enum value (stage, status, priority).
fn serde_name<T: Serialize>(x: &T) -> String {
    match serde_json::to_value(x) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
