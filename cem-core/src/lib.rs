#![doc = include_str!("../../README.md")]
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod clv;
pub mod error;
mod hash;
pub mod journey;
pub mod loyalty;
pub mod metrics;
pub mod model;
pub mod sample;
pub mod state;
mod stats;
pub mod survey;
mod svg;
pub mod text;

pub use error::{AnswerProblem, Error, ErrorKind, Result};
