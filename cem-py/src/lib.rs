//! Python bindings for cem (`import cem`): the private native module `cem._cem`.
//!
//! `lib.rs` only registers; errors live in [`error`], conversions in [`convert`], the score
//! metrics in [`metrics`]. The Python package `cem` (in `python/cem`) re-exports from here.
use pyo3::prelude::*;

mod compare;
mod convert;
mod error;
mod group;
mod journey;
mod metrics;
mod sample;
mod survey;
mod text;
mod weights;

#[pymodule]
fn _cem(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    error::register(m)?;
    metrics::register(m)?;
    compare::register(m)?;
    weights::register(m)?;
    survey::register(m)?;
    sample::register(m)?;
    group::register(m)?;
    journey::register(m)?;
    text::register(m)?;
    Ok(())
}
