//! Survey weights: the native halves of `cem.metrics.rake` and `cem.metrics.post_stratify`.
//!
//! The public functions live in `python/cem/metrics.py`: they read the frame's columns,
//! factorize the level labels and map the targets to codes (so errors name columns and
//! levels). Here the codes and code-indexed targets go to `cem_core::metrics` once.
use cem_core::metrics as cm;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;

use crate::convert;
use crate::error::CoreResult;

/// Registers the functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_post_stratify, m)?)?;
    m.add_function(wrap_pyfunction!(_rake, m)?)?;
    Ok(())
}

/// Post-stratification weights from cell codes and code-indexed target shares.
#[pyfunction]
#[pyo3(signature = (cells, targets, base_weights = None))]
fn _post_stratify(
    cells: &Bound<'_, PyAny>,
    targets: Vec<f64>,
    base_weights: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<f64>> {
    let cells = codes(cells, "cells")?;
    let base = base_weights.map(convert::reals).transpose()?;
    cm::post_stratify(&cells, &targets, base.as_deref()).py()
}

/// Raking weights from one code column per variable and code-indexed target shares;
/// returns `(weights, iterations, max_error)`.
#[pyfunction]
#[pyo3(signature = (variables, targets, base_weights = None, tol = 1e-10, max_iter = 1000))]
fn _rake(
    variables: Vec<Bound<'_, PyAny>>,
    targets: Vec<Vec<f64>>,
    base_weights: Option<&Bound<'_, PyAny>>,
    tol: f64,
    max_iter: usize,
) -> PyResult<(Vec<f64>, usize, f64)> {
    let columns = variables
        .iter()
        .map(|v| codes(v, "variables"))
        .collect::<PyResult<Vec<_>>>()?;
    let slices: Vec<&[u32]> = columns.iter().map(Vec::as_slice).collect();
    let base = base_weights.map(convert::reals).transpose()?;
    let options = cm::RakeOptions {
        tolerance: tol,
        max_iterations: max_iter,
    };
    let r = cm::rake(&slices, &targets, base.as_deref(), options).py()?;
    Ok((r.weights, r.iterations, r.max_error))
}

/// A column of non-negative integer codes (list or numpy array).
// TODO(#4): move to convert.rs (zero-copy u32 buffers) once the column work there lands.
fn codes(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<u32>> {
    let obj = if obj.hasattr("tolist")? {
        obj.call_method0("tolist")?
    } else {
        obj.clone()
    };
    obj.extract::<Vec<u32>>().map_err(|_| {
        PyTypeError::new_err(format!(
            "`{name}` must be columns of non-negative integer codes"
        ))
    })
}
