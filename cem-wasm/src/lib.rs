//! Browser bindings for cem: the `cem-wasm` package.
//!
//! `lib.rs` registers only; errors are turned into JS `Error`s in [`error`], conversions live
//! in [`convert`], the score aggregates in [`metrics`], surveys in [`survey`].
//!
//! Opt-in parts sit behind cargo features and are built into packages of their own (the
//! core package stays the small survey scorer): `journey` adds [`journey::EventLog`], with
//! its column conversions in `columns`; `sentiment` adds VADER sentiment, complaints and
//! key phrases ([`sentiment`]) with the core's lexicon; `orchestrate` adds the survey
//! [`orchestrate::Orchestrator`] (who gets a survey now, and why not); `alerts` adds the alert
//! rules and the metric monitor ([`alerts::RuleSet`], [`alerts::Monitor`]); `clv` adds the
//! BG/NBD, Pareto/NBD and Gamma-Gamma models and the customer summary ([`clv::BetaGeo`], ...).
use wasm_bindgen::prelude::*;

#[cfg(feature = "alerts")]
mod alerts;
#[cfg(feature = "clv")]
mod clv;
#[cfg(any(feature = "journey", feature = "sentiment", feature = "clv"))]
#[cfg_attr(not(feature = "journey"), allow(dead_code))] // `sentiment` reads only ids
mod columns;
mod convert;
mod error;
#[cfg(feature = "journey")]
mod journey;
mod metrics;
#[cfg(feature = "orchestrate")]
mod orchestrate;
#[cfg(feature = "sentiment")]
mod sentiment;
mod survey;

#[cfg(feature = "alerts")]
pub use alerts::{CaseBook, Monitor, RuleSet};

#[cfg(feature = "clv")]
pub use clv::{BetaGeo, GammaGamma, ParetoNbd, customer_summary};

#[cfg(feature = "journey")]
pub use journey::EventLog;

#[cfg(feature = "sentiment")]
pub use sentiment::{
    complaints, is_complaint, key_phrases, polarity, sentiment, sentiment_columns,
};

#[cfg(feature = "orchestrate")]
pub use orchestrate::Orchestrator;

pub use metrics::{CesAggregate, CsatAggregate, NpsAggregate};
pub use survey::{Survey, SurveyAggregate};

/// The package version.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
