//! `cem.metrics` significance tests: the two-proportion z test and the chi-square test of
//! independence. Thin: convert, call `cem_core::metrics` once, return a dict.
use cem_core::metrics as cm;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::CoreResult;

/// Registers the functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(two_proportion_test, m)?)?;
    m.add_function(wrap_pyfunction!(chi_square_independence, m)?)?;
    Ok(())
}

/// Pooled two-proportion z test of ``x1`` successes of ``n1`` against ``x2`` of ``n2``
/// (as ``statsmodels.stats.proportion.proportions_ztest``), with the unpooled Wald
/// interval of p1 - p2.
///
/// Returns a dict with ``difference, low, high, se, z, p_value, significant, confidence``.
///
/// Examples
/// --------
/// >>> from cem.metrics import two_proportion_test
/// >>> r = two_proportion_test(45, 100, 30, 100)
/// >>> round(r["z"], 6), round(r["p_value"], 6), r["significant"]
/// (2.19089, 0.02846, True)
#[pyfunction]
#[pyo3(signature = (x1, n1, x2, n2, confidence = 0.95))]
fn two_proportion_test<'py>(
    py: Python<'py>,
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    confidence: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let c = cm::two_proportion_test(x1, n1, x2, n2, confidence).py()?;
    let d = PyDict::new(py);
    d.set_item("difference", c.difference)?;
    d.set_item("low", c.low)?;
    d.set_item("high", c.high)?;
    d.set_item("se", c.se)?;
    d.set_item("z", c.z)?;
    d.set_item("p_value", c.p_value)?;
    d.set_item("significant", c.significant)?;
    d.set_item("confidence", c.confidence)?;
    Ok(d)
}

/// Pearson's chi-square test of independence on a table of non-negative counts (rows of
/// equal length), as ``scipy.stats.chi2_contingency(table, correction=yates)``.
///
/// Returns a dict with ``statistic, df, p_value, expected, corrected``.
///
/// Examples
/// --------
/// >>> from cem.metrics import chi_square_independence
/// >>> r = chi_square_independence([[10, 20, 30], [20, 20, 10]])
/// >>> round(r["statistic"], 6), r["df"]
/// (12.527778, 2)
#[pyfunction]
#[pyo3(signature = (table, yates = true))]
fn chi_square_independence<'py>(
    py: Python<'py>,
    table: Vec<Vec<f64>>,
    yates: bool,
) -> PyResult<Bound<'py, PyDict>> {
    let t = cm::chi_square_independence(&table, yates).py()?;
    let d = PyDict::new(py);
    d.set_item("statistic", t.statistic)?;
    d.set_item("df", t.df)?;
    d.set_item("p_value", t.p_value)?;
    d.set_item("expected", t.expected)?;
    d.set_item("corrected", t.corrected)?;
    Ok(d)
}
