//! `cem.drivers`: the native side of `cem.drivers.key_drivers` and `cem.drivers.perception_gap`
//! (the private `_key_drivers`, `_KeyDrivers`, `_perception_gap`, `_claimed_share_gap`).
//!
//! Thin: `cem/drivers.py` hands over float64 columns (NaN for missing values), the core runs
//! once without the GIL, and the results come back as plain lists and dicts for the Python
//! side to turn into the caller's frame type.
use cem_core::Error;
use cem_core::drivers as cd;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, Column};
use crate::error::CoreResult;

/// Registers the functions and the result class.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<KeyDrivers>()?;
    m.add_function(wrap_pyfunction!(key_drivers, m)?)?;
    m.add_function(wrap_pyfunction!(perception_gap, m)?)?;
    m.add_function(wrap_pyfunction!(claimed_share_gap, m)?)?;
    Ok(())
}

/// The result of ``_key_drivers`` (wrapped by ``cem.drivers.KeyDrivers``).
///
/// Examples
/// --------
/// >>> from cem._cem import _key_drivers
/// >>> kd = _key_drivers([1.0, 3.0, 2.0, 5.0, 4.0], [[1.0, 2.0, 2.0, 4.0, 5.0]], ["staff"])
/// >>> kd.rows()["driver"], round(kd.r2, 6)
/// (['staff'], 0.75)
#[pyclass(module = "cem._cem", name = "_KeyDrivers", frozen)]
pub struct KeyDrivers {
    inner: cd::KeyDrivers,
}

#[pymethods]
impl KeyDrivers {
    /// R² of the regression on all drivers.
    #[getter]
    fn r2(&self) -> f64 {
        self.inner.r2
    }

    /// Rows used.
    #[getter]
    fn n(&self) -> usize {
        self.inner.n
    }

    /// Rows dropped for a missing value.
    #[getter]
    fn dropped(&self) -> usize {
        self.inner.dropped
    }

    /// The method's name.
    #[getter]
    fn method(&self) -> &'static str {
        self.inner.method.name()
    }

    /// Successful bootstrap replicates.
    #[getter]
    fn n_boot(&self) -> usize {
        self.inner.n_boot
    }

    /// Bootstrap replicates skipped (a driver came out constant or collinear).
    #[getter]
    fn boot_failed(&self) -> usize {
        self.inner.boot_failed
    }

    /// Mean importance and mean performance: where the quadrants split.
    #[getter]
    fn split(&self) -> (f64, f64) {
        (self.inner.mean_importance, self.inner.mean_performance)
    }

    /// Confidence level of the intervals.
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }

    /// The rows as columns: ``driver``, ``importance``, ``share``, ``rank``, ``beta``,
    /// ``correlation``, ``performance``, ``quadrant``, ``low``, ``high`` (``None`` without
    /// bootstrap).
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = &self.inner.rows;
        let d = PyDict::new(py);
        let f = |g: fn(&cd::DriverRow) -> f64| rows.iter().map(g).collect::<Vec<f64>>();
        d.set_item(
            "driver",
            rows.iter().map(|r| r.driver.clone()).collect::<Vec<_>>(),
        )?;
        d.set_item("importance", f(|r| r.importance))?;
        d.set_item("share", f(|r| r.share))?;
        d.set_item("rank", rows.iter().map(|r| r.rank).collect::<Vec<_>>())?;
        d.set_item("beta", f(|r| r.beta))?;
        d.set_item("correlation", f(|r| r.correlation))?;
        d.set_item("performance", f(|r| r.performance))?;
        d.set_item(
            "quadrant",
            rows.iter().map(|r| r.quadrant.name()).collect::<Vec<_>>(),
        )?;
        d.set_item("low", rows.iter().map(|r| r.low).collect::<Vec<_>>())?;
        d.set_item("high", rows.iter().map(|r| r.high).collect::<Vec<_>>())?;
        Ok(d)
    }

    /// ``importance(a) - importance(b)`` with its bootstrap interval and p-value, as a dict.
    fn difference<'py>(&self, py: Python<'py>, a: &str, b: &str) -> PyResult<Bound<'py, PyDict>> {
        let r = self.inner.difference(a, b).py()?;
        let d = PyDict::new(py);
        d.set_item("a", r.a)?;
        d.set_item("b", r.b)?;
        d.set_item("difference", r.difference)?;
        d.set_item("low", r.low)?;
        d.set_item("high", r.high)?;
        d.set_item("p_value", r.p_value)?;
        d.set_item("significant", r.significant)?;
        Ok(d)
    }

    /// The bar chart as a self-contained SVG.
    #[pyo3(signature = (title="Key drivers"))]
    fn to_svg(&self, title: &str) -> String {
        self.inner.to_svg(title)
    }
}

/// Key-driver analysis of ``target`` on ``drivers`` (float columns, NaN = missing); see
/// ``cem.drivers.key_drivers``.
///
/// Examples
/// --------
/// >>> from cem._cem import _key_drivers
/// >>> kd = _key_drivers([1.5, 1.8, 3.9, 3.2, 5.1, 3.0], [[1, 2, 3, 4, 5, 2], [2, 1, 4, 3, 5, 5]],
/// ...                   ["a", "b"], method="shapley")
/// >>> abs(sum(kd.rows()["importance"]) - kd.r2) < 1e-12
/// True
#[pyfunction]
#[pyo3(name = "_key_drivers", signature = (target, drivers, names, method="relative_weights", weights=None, *, n_boot=0, seed=0, missing="drop", confidence=0.95, max_shapley_drivers=20, columns=None))]
#[allow(clippy::too_many_arguments)]
fn key_drivers(
    py: Python<'_>,
    target: &Bound<'_, PyAny>,
    drivers: Vec<Bound<'_, PyAny>>,
    names: Vec<String>,
    method: &str,
    weights: Option<&Bound<'_, PyAny>>,
    n_boot: usize,
    seed: u64,
    missing: &str,
    confidence: f64,
    max_shapley_drivers: usize,
    columns: Option<(String, String)>,
) -> PyResult<KeyDrivers> {
    let (target_name, weights_name) =
        columns.unwrap_or_else(|| ("target".into(), "weights".into()));
    let method = cd::DriverMethod::parse(method).py()?;
    let options = cd::DriverOptions {
        missing: cd::Missing::parse(missing).py()?,
        n_boot,
        seed,
        confidence,
        max_shapley_drivers,
    };
    let t: Column<'_, f64> = convert::column_of(target, &target_name)?;
    let ds: Vec<Column<'_, f64>> = drivers
        .iter()
        .zip(
            names
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("driver")),
        )
        .map(|(d, n)| convert::column_of(d, n))
        .collect::<PyResult<_>>()?;
    let w: Option<Column<'_, f64>> = weights
        .map(|w| convert::column_of(w, &weights_name))
        .transpose()?;
    let slices: Vec<&[f64]> = ds.iter().map(Column::as_slice).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (t, w) = (t.as_slice(), w.as_ref().map(Column::as_slice));
    let inner = py
        .detach(|| cd::key_drivers_with(t, &slices, &name_refs, method, w, &options))
        .map_err(|e| rename(e, &target_name, &weights_name))
        .py()?;
    Ok(KeyDrivers { inner })
}

/// The core calls the outcome column `target` and the weights `weight`; name the caller's
/// columns instead.
fn rename(e: Error, target: &str, weights: &str) -> Error {
    match e {
        Error::InvalidNumber {
            field,
            value,
            reason,
        } => {
            let field = if let Some(rest) = field.strip_prefix("`target`") {
                format!("`{target}`{rest}")
            } else if let Some(rest) = field.strip_prefix("weight at") {
                format!("`{weights}` at{rest}")
            } else {
                field
            };
            Error::InvalidNumber {
                field,
                value,
                reason,
            }
        }
        Error::InvalidArgument { name, reason } if name == "target" => Error::InvalidArgument {
            name: target.to_owned(),
            reason: reason.replace("the target", &format!("the target `{target}`")),
        },
        other => other,
    }
}

/// Per-attribute perception gaps: one dict of columns (``attribute``, ``company``,
/// ``customers``, ``low_customers``, ``high_customers``, ``n``, ``gap``, ``low``, ``high``,
/// ``t``, ``p_value``, ``significant``); see ``cem.drivers.perception_gap``.
///
/// Examples
/// --------
/// >>> from cem._cem import _perception_gap
/// >>> g = _perception_gap(["speed"], [4.5], [[3.0, 4.0, 2.0, 3.0, 3.0]])
/// >>> g["gap"], g["significant"]
/// ([1.5], [True])
#[pyfunction]
#[pyo3(name = "_perception_gap", signature = (attributes, company, customers, weights=None, confidence=0.95))]
fn perception_gap<'py>(
    py: Python<'py>,
    attributes: Vec<String>,
    company: Vec<f64>,
    customers: Vec<Bound<'py, PyAny>>,
    weights: Option<&Bound<'py, PyAny>>,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let cols: Vec<Column<'_, f64>> = customers
        .iter()
        .zip(
            attributes
                .iter()
                .map(String::as_str)
                .chain(std::iter::repeat("attribute")),
        )
        .map(|(c, n)| convert::column_of(c, n))
        .collect::<PyResult<_>>()?;
    let w: Option<Column<'_, f64>> = weights
        .map(|w| convert::column_of(w, "weights"))
        .transpose()?;
    let slices: Vec<&[f64]> = cols.iter().map(Column::as_slice).collect();
    let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
    let w = w.as_ref().map(Column::as_slice);
    let gaps = py
        .detach(|| cd::perception_gap(&names, &company, &slices, w, confidence))
        .py()?;
    let d = PyDict::new(py);
    let f = |g: fn(&cd::AttributeGap) -> f64| gaps.iter().map(g).collect::<Vec<f64>>();
    d.set_item(
        "attribute",
        gaps.iter().map(|g| g.attribute.clone()).collect::<Vec<_>>(),
    )?;
    d.set_item("company", f(|g| g.company))?;
    d.set_item("customers", f(|g| g.customers.value))?;
    d.set_item("low_customers", f(|g| g.customers.low))?;
    d.set_item("high_customers", f(|g| g.customers.high))?;
    d.set_item("n", gaps.iter().map(|g| g.customers.n).collect::<Vec<_>>())?;
    d.set_item("gap", f(|g| g.gap))?;
    d.set_item("low", f(|g| g.low))?;
    d.set_item("high", f(|g| g.high))?;
    d.set_item("t", gaps.iter().map(|g| g.t).collect::<Vec<_>>())?;
    d.set_item(
        "p_value",
        gaps.iter().map(|g| g.p_value).collect::<Vec<_>>(),
    )?;
    d.set_item(
        "significant",
        gaps.iter().map(|g| g.significant).collect::<Vec<_>>(),
    )?;
    Ok(d)
}

/// The headline gap "company says X%, customers say Y% (CI)" as a dict (``company_share``,
/// ``customers_share``, ``low``, ``high``, ``n``, ``gap``, ``p_value``, ``significant``,
/// ``text``); see ``cem.drivers.perception_gap``.
///
/// Examples
/// --------
/// >>> from cem._cem import _claimed_share_gap
/// >>> _claimed_share_gap(0.8, [i % 12 == 0 for i in range(100)])["text"]
/// 'company says 80%, customers say 9% (95% CI 5%–16%)'
#[pyfunction]
#[pyo3(name = "_claimed_share_gap", signature = (company_share, superior, weights=None, confidence=0.95))]
fn claimed_share_gap<'py>(
    py: Python<'py>,
    company_share: f64,
    superior: &Bound<'py, PyAny>,
    weights: Option<&Bound<'py, PyAny>>,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let s = convert::outcomes(superior)?;
    let w = weights.map(convert::reals).transpose()?;
    let g = cd::claimed_share_gap(company_share, &s, w.as_deref(), confidence).py()?;
    let d = PyDict::new(py);
    d.set_item("company_share", g.company_share)?;
    d.set_item("customers_share", g.customers.value)?;
    d.set_item("low", g.customers.low)?;
    d.set_item("high", g.customers.high)?;
    d.set_item("n", g.customers.n)?;
    d.set_item("gap", g.gap)?;
    d.set_item("p_value", g.p_value)?;
    d.set_item("significant", g.significant)?;
    d.set_item("text", g.to_string())?;
    Ok(d)
}
