//! Closing the loop: alert rules over incoming feedback that open [`Case`](crate::model::Case)s
//! with a priority and an SLA, the [`CaseBook`] that follows them to closure with an audit
//! trail and closed-loop figures, and the [`Monitor`] that watches a metric per segment
//! and raises an [`Alert`] when it falls below its control limit.
//!
//! # Example
//!
//! ```
//! use cem_core::alerts::{CaseBook, Response, RuleSet};
//! use chrono::{TimeZone, Utc};
//!
//! let rules = RuleSet::from_json(r#"{"rules": [
//!   {"name": "detractor", "priority": "high", "sla_hours": 48, "when": {"field": "nps", "at_most": 6}},
//!   {"name": "negative", "priority": "medium", "sla_hours": 72, "reason": "negative comment",
//!    "when": {"all": [{"field": "sentiment", "at_most": -0.5}, {"field": "channel", "equals": "call_centre"}]}}
//! ]}"#)?;
//! let mut r = Response::new("c-1", Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap());
//! r.nps = Some(2);
//! r.sentiment = Some(-0.8);
//! r.channel = Some("call_centre".into());
//! let mut book = CaseBook::new();
//! let opened = book.ingest(&rules, &[r])?;
//! assert_eq!(opened, vec!["case-1", "case-2"]);
//! assert_eq!(book.case("case-2").unwrap().reason, "negative comment");
//! # Ok::<(), cem_core::Error>(())
//! ```

mod casebook;
mod compiled;
pub mod condition;
mod figures;
mod monitor;
mod monitor_config;
mod response;
mod rule;

pub use casebook::CaseBook;
pub use condition::{Condition, Scalar};
pub use figures::{ClosedLoopFigures, Quantiles};
pub use monitor::{Alert, Monitor};
pub use monitor_config::{MonitorConfig, MonitorMetric, ScoreField, SegmentBy};
pub use response::Response;
pub use rule::{Rule, RuleSet};
