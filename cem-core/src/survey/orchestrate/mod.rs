//! Survey orchestration: deciding, for each interaction as it happens, whether the customer
//! gets a survey now — and measuring who answers.
//!
//! - [`Rules`] (JSON, [`Rules::from_json`]): [`Trigger`]s that offer a survey after given
//!   touchpoints, channels, outcomes or segments, with a delay, a channel and a priority; and
//!   the guards — deterministic sampling ([`sample_draw`]), [`Quarantine`] (global or per
//!   survey), frequency [`Cap`]s and [`Exclusions`]. [`Rules::warnings`] finds triggers that
//!   can never fire.
//! - [`Orchestrator`]: feed interactions in time order (one by one or in [`Batch`]es, same
//!   result); it returns a [`Decision`] with its [`Reason`] for every matching trigger,
//!   including why it did *not* invite. Its state round-trips through serde.
//! - [`simulate`]: replay a log through a rule set — invitations per trigger, contacts per
//!   customer, expected responses.
//! - [`response_rates`] (and [`response_rates_by_period`]) and [`dropoff`]: response rates
//!   with Wilson intervals and time to respond, by group and calendar period; partial completes and drop-off by question.
//! - [`nonresponse`]: responders against the invited population (standardized differences),
//!   raking weights that make responders represent the invited, NPS unweighted and weighted.
//!
//! Times are integers in **seconds** everywhere here; nothing reads a clock.
//!
//! # Example
//!
//! ```
//! use cem_core::survey::orchestrate::{Batch, Codes, Orchestrator, Reason};
//!
//! let mut orch = Orchestrator::from_rules_json(r#"{
//!   "quarantine": {"for": "7d"},
//!   "triggers": [
//!     {"id": "failed-payment", "survey": "ces", "outcomes": ["failed"], "priority": 5},
//!     {"id": "any-call", "survey": "nps", "touchpoints": ["call"], "sample": 1}
//!   ]}"#)?;
//! let tps = vec!["call".to_owned(), "checkout".to_owned()];
//! let outs = vec!["failed".to_owned()];
//! let mut batch = Batch::new(&[1, 2, 1], &[0, 10, 20], Codes { codes: &[1, 0, 0], labels: &tps });
//! batch.outcomes = Some(Codes { codes: &[0, Codes::MISSING, Codes::MISSING], labels: &outs });
//! let d = orch.feed(&batch)?;
//! let codes: Vec<_> = d.iter().map(|d| (d.row, d.trigger, d.reason.code())).collect();
//! assert_eq!(codes, [(0, 0, "invited"), (1, 1, "invited"), (2, 1, "quarantined")]);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod guards;
mod lint;
mod nonresponse;
mod orchestrator;
mod response;
mod rules;
mod simulate;

pub use guards::{customer_key, sample_draw};
pub use lint::RuleWarning;
pub use nonresponse::{Balance, Categorical, NonResponse, Numeric, nonresponse};
pub use orchestrator::{Batch, Codes, CustomerSummary, Decision, Event, Orchestrator, Reason};
pub use response::{
    Dropoff, QuestionDropoff, RATE_COLUMNS, RatePeriod, ResponseRate, TimeToRespond, dropoff,
    response_rates, response_rates_by_period,
};
pub use rules::{
    Cap, Exclusions, MAX_TRIGGERS, Quarantine, QuarantineScope, Rules, SampleUnit, Span, Trigger,
};
pub use simulate::{ResponseAssumptions, Simulation, TriggerSummary, simulate};
