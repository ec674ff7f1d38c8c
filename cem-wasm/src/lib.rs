//! Browser bindings for cem: the `cem-wasm` package.
//!
//! `lib.rs` registers only; errors are turned into JS `Error`s in [`error`], conversions live
//! in [`convert`], the score aggregates in [`metrics`], surveys in [`survey`].
use wasm_bindgen::prelude::*;

mod convert;
mod error;
mod metrics;
mod survey;

pub use metrics::{CesAggregate, CsatAggregate, NpsAggregate};
pub use survey::{Survey, SurveyAggregate};

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
