//! `cem.identity`: the native side of `cem.identity.resolve` and `cem.identity.profiles`
//! (the private functions `_resolve_identity`, `_profiles` and `_customer_values`).
//!
//! Thin: each key column comes in as an Arrow string column (`cem/identity.py` casts it;
//! `string`, `large_string` and `string_view` are read in place), the core resolves with the
//! GIL released, and the result goes back as numpy columns plus the few hub rows.
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;
use cem_core::identity::{self as ci, KeyColumn, KeyKind, Link, Options};
use numpy::PyArray1;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyChunkedArray;

use crate::clv::{BetaGeo, GammaGamma, ParetoNbd};
use crate::convert::Column;
use crate::error::CoreResult;
use crate::loyalty::{Transactions, name_columns, period};

/// Registers the functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(resolve_identity, m)?)?;
    m.add_function(wrap_pyfunction!(profiles, m)?)?;
    m.add_function(wrap_pyfunction!(customer_values, m)?)?;
    Ok(())
}

/// Resolves records into customers (see ``cem.identity.resolve``). ``keys`` holds
/// ``(name, kind, column)`` triples, ``kind`` one of ``"email"``, ``"phone"``, ``"id"`` (or
/// ``None``: inferred from the name, see ``cem.identity.resolve``) and
/// ``column`` an Arrow string column with nulls for missing values. Returns ``customers``
/// (``uint32``), ``link`` (``int32``: the key's position, ``-1`` for the customer's own
/// record), ``linked_value`` (the normalized value, ``None`` for ``-1``), ``customer_count``
/// and ``hubs`` (``key``, ``value``, ``records``, ``customers`` lists).
///
/// Examples
/// --------
/// >>> import pyarrow as pa
/// >>> from cem._cem import _resolve_identity
/// >>> r = _resolve_identity(2, [("email", "email", pa.chunked_array([["A@x", " a@x"]]))])
/// >>> r["customers"].tolist(), r["link"].tolist(), r["linked_value"]
/// ([0, 0], [-1, 0], [None, 'a@x'])
#[pyfunction]
#[pyo3(name = "_resolve_identity", signature = (records, keys, *, max_per_key=50, hub_by="customers", default_country_code="1", gmail_canonical=false))]
fn resolve_identity<'py>(
    py: Python<'py>,
    records: usize,
    keys: Vec<(String, Option<String>, PyChunkedArray)>,
    max_per_key: usize,
    hub_by: &str,
    default_country_code: &str,
    gmail_canonical: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let options = match ci::HubRule::parse(hub_by).py()? {
        ci::HubRule::Customers => Options::default().max_customers_per_key(max_per_key),
        ci::HubRule::Records => Options::default().max_records_per_key(max_per_key),
    };
    let options = options
        .and_then(|o| o.default_country_code(default_country_code))
        .map(|o| o.gmail_canonical(gmail_canonical))
        .py()?;
    let mut columns = Vec::with_capacity(keys.len());
    for (name, kind, column) in &keys {
        columns.push((
            name.as_str(),
            match kind {
                Some(k) => KeyKind::parse(k).py()?,
                None => KeyKind::infer(name),
            },
            strings(column.chunks(), name)?,
        ));
    }
    let key_columns: Vec<KeyColumn<'_>> = columns
        .iter()
        .map(|(name, kind, values)| KeyColumn::new(name, *kind, values))
        .collect();
    let (r, values) = py
        .detach(|| {
            let r = ci::resolve(records, &key_columns, &options)?;
            let values: Vec<Option<String>> = (0..records)
                .map(|i| {
                    r.linked_value(i, &key_columns, &options)
                        .map(|v| v.into_owned())
                })
                .collect();
            Ok::<_, cem_core::Error>((r, values))
        })
        .py()?;
    let links: Vec<i32> = r
        .links()
        .iter()
        .map(|l| match l {
            Link::Own => -1,
            Link::Key(k) => i32::from(*k),
        })
        .collect();
    let d = PyDict::new(py);
    d.set_item("customers", PyArray1::from_slice(py, r.customers()))?;
    d.set_item("link", PyArray1::from_vec(py, links))?;
    d.set_item("linked_value", values)?;
    d.set_item("customer_count", r.customer_count())?;
    let hubs = PyDict::new(py);
    hubs.set_item(
        "key",
        r.hubs().iter().map(|h| h.key.as_str()).collect::<Vec<_>>(),
    )?;
    hubs.set_item(
        "value",
        r.hubs()
            .iter()
            .map(|h| h.value.as_str())
            .collect::<Vec<_>>(),
    )?;
    hubs.set_item(
        "records",
        r.hubs().iter().map(|h| h.records).collect::<Vec<_>>(),
    )?;
    hubs.set_item(
        "customers",
        r.hubs().iter().map(|h| h.customers).collect::<Vec<_>>(),
    )?;
    d.set_item("hubs", hubs)?;
    Ok(d)
}

/// The values of an Arrow string column, borrowed, nulls as `None`.
fn strings<'a>(chunks: &'a [ArrayRef], name: &str) -> PyResult<Vec<Option<&'a str>>> {
    let mut out = Vec::with_capacity(chunks.iter().map(|c| c.len()).sum());
    for chunk in chunks {
        match chunk.data_type() {
            DataType::Utf8 => out.extend(chunk.as_string::<i32>().iter()),
            DataType::LargeUtf8 => out.extend(chunk.as_string::<i64>().iter()),
            DataType::Utf8View => out.extend(chunk.as_string_view().iter()),
            DataType::Null => out.extend(std::iter::repeat_n(None, chunk.len())),
            other => {
                return Err(PyTypeError::new_err(format!(
                    "key column `{name}` has Arrow type `{other}`; expected text"
                )));
            }
        }
    }
    Ok(out)
}

/// One profile per customer (see ``cem.identity.profiles``): every source is a tuple of
/// columns or ``None``; ``interactions`` = (customer codes, int64 times, channel codes),
/// ``feedback`` = (customer codes, int64 times, NPS as float64 with NaN for missing, CSAT
/// likewise), ``transactions`` = (customer codes, amounts), ``cases`` = (customer codes,
/// uint8 open flags). Returns a dict of per-customer lists.
///
/// Examples
/// --------
/// >>> from cem._cem import _profiles
/// >>> p = _profiles(2, transactions=([1, 1], [2.0, 3.5]))
/// >>> p["spend"], p["transactions"]
/// ([0.0, 5.5], [0, 2])
#[pyfunction]
#[pyo3(name = "_profiles", signature = (customers, *, interactions=None, feedback=None, transactions=None, cases=None))]
#[allow(clippy::type_complexity)]
fn profiles<'py>(
    py: Python<'py>,
    customers: usize,
    interactions: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    feedback: Option<(
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
        Bound<'py, PyAny>,
    )>,
    transactions: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
    cases: Option<(Bound<'py, PyAny>, Bound<'py, PyAny>)>,
) -> PyResult<Bound<'py, PyDict>> {
    use crate::convert::{Column, column_of};
    type Col<'p, T> = Option<Column<'p, T>>;
    let (ic, it, ich): (Col<'_, u32>, Col<'_, i64>, Col<'_, u32>) = match &interactions {
        Some((c, t, ch)) => (
            Some(column_of(c, "interactions customer")?),
            Some(column_of(t, "interactions time")?),
            Some(column_of(ch, "interactions channel")?),
        ),
        None => (None, None, None),
    };
    let (fc, ft): (Col<'_, u32>, Col<'_, i64>) = match &feedback {
        Some((c, t, _, _)) => (
            Some(column_of(c, "feedback customer")?),
            Some(column_of(t, "feedback time")?),
        ),
        None => (None, None),
    };
    let (nps, csat) = match &feedback {
        Some((_, _, n, s)) => {
            let n: Column<'_, f64> = column_of(n, "feedback nps")?;
            let s: Column<'_, f64> = column_of(s, "feedback csat")?;
            let nps = n
                .as_slice()
                .iter()
                .map(|&x| nps_answer(x))
                .collect::<PyResult<Vec<_>>>()?;
            let csat: Vec<Option<f64>> = s
                .as_slice()
                .iter()
                .map(|&x| (!x.is_nan()).then_some(x))
                .collect();
            (nps, csat)
        }
        None => (Vec::new(), Vec::new()),
    };
    let (tc, ta): (Col<'_, u32>, Col<'_, f64>) = match &transactions {
        Some((c, a)) => (
            Some(column_of(c, "transactions customer")?),
            Some(column_of(a, "transactions amount")?),
        ),
        None => (None, None),
    };
    let (cc, co): (Col<'_, u32>, Col<'_, u8>) = match &cases {
        Some((c, o)) => (
            Some(column_of(c, "cases customer")?),
            Some(column_of(o, "cases open")?),
        ),
        None => (None, None),
    };
    let open: Vec<bool> = co
        .as_ref()
        .map_or(&[][..], Column::as_slice)
        .iter()
        .map(|&o| o != 0)
        .collect();
    fn s<'a, T>(c: &'a Option<Column<'_, T>>) -> &'a [T]
    where
        T: crate::convert::Target,
    {
        c.as_ref().map_or(&[], Column::as_slice)
    }
    let sources = ci::Sources {
        interactions: (s(&ic), s(&it), s(&ich)),
        feedback: (s(&fc), s(&ft), &nps, &csat),
        transactions: (s(&tc), s(&ta)),
        cases: (s(&cc), &open),
    };
    let p = py.detach(|| ci::profiles(customers, &sources)).py()?;
    let d = PyDict::new(py);
    d.set_item("first_contact", p.first_contact)?;
    d.set_item("last_contact", p.last_contact)?;
    d.set_item("contacts", p.contacts)?;
    d.set_item("channels", p.channels)?;
    d.set_item("latest_nps", p.latest_nps)?;
    d.set_item("csat_mean", p.csat_mean)?;
    d.set_item("transactions", p.transactions)?;
    d.set_item("spend", p.spend)?;
    d.set_item("open_cases", p.open_cases)?;
    Ok(d)
}

/// An NPS answer passed as a float (NaN for missing): a whole number 0..=255 (the core
/// checks 0..=10).
fn nps_answer(x: f64) -> PyResult<Option<u8>> {
    if x.is_nan() {
        return Ok(None);
    }
    if x.fract() != 0.0 || !(0.0..=255.0).contains(&x) {
        return Err(cem_core::Error::OutOfRange {
            field: "NPS score".into(),
            value: x.to_string(),
            expected: "0..=10".into(),
        })
        .py();
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked above
    Ok(Some(x as u8))
}

/// The model columns of the profiles of customers ``0..customers`` (see
/// ``cem.identity.profiles``; the core's ``identity::customer_values``): ``codes`` are the
/// transactions' customer codes, ``times`` their times (datetime column, or integer seconds),
/// ``amounts`` their amounts. ``freq`` (``"D"``, ``"W"``, ``"M"``) is the period the summary
/// counts in and the models' and CLV's time unit; ``observation_end`` is in seconds, ``None``
/// for the last transaction. Returns ``frequency``, ``recency``, ``T``, ``p_alive``,
/// ``expected_purchases`` and, with ``spend_model``, ``clv`` as ``float64`` arrays, and
/// ``has`` (``bool``): whether the customer has transactions (the values of the others are
/// placeholders, to be masked).
///
/// Examples
/// --------
/// >>> from cem._cem import _BetaGeo, _customer_values
/// >>> bg = _BetaGeo.from_params(0.243, 4.414, 0.793, 2.426)
/// >>> v = _customer_values(3, [0, 0, 2], [0, 30 * 86400, 5 * 86400], [10.0, 20.0, 5.0], bg, observation_end=90 * 86400)
/// >>> v["frequency"].tolist()[0], v["T"].tolist()[0], v["has"].tolist()
/// (1.0, 90.0, [True, False, True])
#[pyfunction]
#[pyo3(
    name = "_customer_values",
    signature = (customers, codes, times, amounts, transactions_model, spend_model=None, *, time=12, discount_rate=0.01, freq="D", observation_end=None)
)]
#[allow(clippy::too_many_arguments)]
fn customer_values<'py>(
    py: Python<'py>,
    customers: usize,
    codes: &Bound<'py, PyAny>,
    times: &Bound<'py, PyAny>,
    amounts: &Bound<'py, PyAny>,
    transactions_model: &Bound<'py, PyAny>,
    spend_model: Option<PyRef<'py, GammaGamma>>,
    time: u32,
    discount_rate: f64,
    freq: &str,
    observation_end: Option<i64>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = period(freq)?;
    let names = (
        "customer".to_owned(),
        "time".to_owned(),
        "amount".to_owned(),
    );
    let tx = Transactions::read(codes, times, Some(amounts), "s", Some(names))?;
    let (c, t) = (tx.customers.as_slice(), tx.times.values());
    let a = tx.amounts.as_ref().map_or(&[][..], Column::as_slice);
    let spend = spend_model.as_ref().map(|g| &g.inner);
    // One call of the core per purchase model type.
    macro_rules! values {
        ($purchases:expr) => {{
            let models = ci::ValueModels {
                spend,
                observation_end,
                months: time,
                discount_rate,
                ..ci::ValueModels::new($purchases, p)
            };
            py.detach(|| ci::customer_values(customers, (c, &t, a), &models))
        }};
    }
    let v = if let Ok(bg) = transactions_model.cast::<BetaGeo>() {
        values!(&bg.get().inner)
    } else if let Ok(pn) = transactions_model.cast::<ParetoNbd>() {
        values!(&pn.get().inner)
    } else {
        return Err(PyTypeError::new_err(format!(
            "transactions_model must be a fitted BetaGeo or ParetoNBD model, not `{}`",
            transactions_model.get_type().name()?
        )));
    }
    .map_err(|e| name_columns(e, &tx.names))
    .py()?;
    let has: Vec<bool> = v.frequency.iter().map(Option::is_some).collect();
    let d = PyDict::new(py);
    let dense = |col: &[Option<f64>]| col.iter().map(|x| x.unwrap_or(0.0)).collect::<Vec<_>>();
    d.set_item("frequency", PyArray1::from_vec(py, dense(&v.frequency)))?;
    d.set_item("recency", PyArray1::from_vec(py, dense(&v.recency)))?;
    d.set_item("T", PyArray1::from_vec(py, dense(&v.age)))?;
    d.set_item("p_alive", PyArray1::from_vec(py, dense(&v.p_alive)))?;
    d.set_item(
        "expected_purchases",
        PyArray1::from_vec(py, dense(&v.expected_purchases)),
    )?;
    if let Some(clv) = &v.clv {
        d.set_item("clv", PyArray1::from_vec(py, dense(clv)))?;
    }
    d.set_item("has", PyArray1::from_vec(py, has))?;
    Ok(d)
}
