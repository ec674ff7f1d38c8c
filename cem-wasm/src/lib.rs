//! Browser bindings for cem: the `cem-wasm` package.
//!
//! `lib.rs` registers only; errors are turned into JS `Error`s in [`error`], conversions live
//! in [`convert`], the score aggregates in [`metrics`].
use wasm_bindgen::prelude::*;

mod convert;
mod error;
mod metrics;

pub use metrics::{CesAggregate, CsatAggregate, NpsAggregate};

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
