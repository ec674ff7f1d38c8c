#![doc = include_str!("../../README.md")]
#![deny(missing_docs)]

pub mod error;
pub mod metrics;
pub mod model;
pub mod sample;
pub mod survey;
mod stats;

pub use error::{AnswerProblem, Error, ErrorKind, Result};
