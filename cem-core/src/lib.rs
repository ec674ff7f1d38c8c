#![doc = include_str!("../../README.md")]
#![deny(missing_docs)]

pub mod clv;
pub mod drivers;
pub mod error;
mod hash;
pub mod journey;
pub mod loyalty;
pub mod metrics;
pub mod model;
pub mod sample;
mod stats;
pub mod survey;
mod svg;

pub use error::{AnswerProblem, Error, ErrorKind, Result};
