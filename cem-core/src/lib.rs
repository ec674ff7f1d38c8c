#![doc = include_str!("../../README.md")]
#![deny(missing_docs)]

pub mod clv;
pub mod error;
pub mod journey;
pub mod metrics;
pub mod model;
pub mod sample;
mod stats;
pub mod survey;

pub use error::{AnswerProblem, Error, ErrorKind, Result};
