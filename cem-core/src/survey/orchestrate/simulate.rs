//! [`simulate`]: replay an interaction log through a rule set before turning it on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::orchestrator::{Batch, Orchestrator, Reason};
use super::rules::Rules;
use crate::error::{Error, Result};
use crate::hash::FxHashMap;

/// Assumed response rates for the expected responses of a [`simulate`] run: a trigger's own
/// rate if given, else the rate of its invitation channel (`via`), else `default`.
///
/// ```
/// use cem_core::survey::orchestrate::ResponseAssumptions;
/// let a: ResponseAssumptions = serde_json::from_str(r#"{"default": 0.1, "by_channel": {"sms": 0.2}}"#).unwrap();
/// assert_eq!(a.by_channel["sms"], 0.2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponseAssumptions {
    /// Rate for triggers with no other rate.
    pub default: f64,
    /// Rates by trigger id.
    #[serde(default)]
    pub by_trigger: BTreeMap<String, f64>,
    /// Rates by invitation channel (`via`).
    #[serde(default)]
    pub by_channel: BTreeMap<String, f64>,
}

impl Default for ResponseAssumptions {
    fn default() -> Self {
        ResponseAssumptions {
            default: 0.1,
            by_trigger: BTreeMap::new(),
            by_channel: BTreeMap::new(),
        }
    }
}

/// What one trigger did in a simulation: how many interactions it matched and what became of
/// them, by [`Reason`] code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TriggerSummary {
    /// The trigger's id.
    pub trigger: String,
    /// Its survey.
    pub survey: String,
    /// Interactions it matched (= its decisions).
    pub matched: u64,
    /// Decisions per reason code, in the order of [`Reason::CODES`] (index 0 = invited).
    pub by_reason: [u64; 8],
    /// The response rate assumed.
    pub response_rate: f64,
    /// Invitations × the assumed rate.
    pub expected_responses: f64,
}

impl TriggerSummary {
    /// Invitations sent.
    pub fn invited(&self) -> u64 {
        self.by_reason.first().copied().unwrap_or(0)
    }
}

/// The outcome of [`simulate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Interactions replayed.
    pub interactions: u64,
    /// Distinct customers in the log.
    pub customers: u64,
    /// One row per trigger, in file order.
    pub triggers: Vec<TriggerSummary>,
    /// `(invitations, customers)`: how many customers would be contacted how often,
    /// from 0 up, without gaps.
    pub contacts: Vec<(u64, u64)>,
    /// Total invitations.
    pub invitations: u64,
    /// Expected responses over all triggers.
    pub expected_responses: f64,
    /// Standard deviation of the number of responses, if each invitation is answered
    /// independently with its assumed rate: √Σ r(1 − r).
    pub responses_sd: f64,
}

/// Replays `log` (in time order) through a fresh orchestrator with `rules`, and counts per
/// trigger what was decided, how many customers would be contacted how often, and the
/// responses to expect under `assumptions`.
///
/// # Errors
/// As [`Orchestrator::feed`]; [`Error::OutOfRange`] for an assumed rate outside 0..=1.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::{Batch, Codes, ResponseAssumptions, Rules, simulate};
///
/// let rules = Rules::from_json(r#"{"quarantine": {"for": "30d"},
///   "triggers": [{"id": "after-call", "survey": "s", "via": "email"}]}"#)?;
/// let tps = vec!["call".to_owned()];
/// let log = Batch::new(&[1, 1, 2], &[0, 86_400, 86_400], Codes { codes: &[0, 0, 0], labels: &tps });
/// let mut a = ResponseAssumptions::default();
/// a.by_channel.insert("email".into(), 0.25);
/// let sim = simulate(&rules, &log, &a)?;
/// assert_eq!(sim.triggers[0].invited(), 2);
/// assert_eq!(sim.triggers[0].by_reason[4], 1); // quarantined
/// assert_eq!(sim.contacts, [(0, 0), (1, 2)]);
/// assert_eq!(sim.expected_responses, 0.5);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn simulate(rules: &Rules, log: &Batch, assumptions: &ResponseAssumptions) -> Result<Simulation> {
    let rate_of = |what: String, r: f64| {
        if r.is_finite() && (0.0..=1.0).contains(&r) {
            Ok(r)
        } else {
            Err(Error::out_of_range(what, r, "0..=1"))
        }
    };
    rate_of("default response rate".into(), assumptions.default)?;
    let mut rows = rules
        .triggers
        .iter()
        .map(|t| {
            let r = match (assumptions.by_trigger.get(&t.id), t.via.as_ref().and_then(|v| assumptions.by_channel.get(v))) {
                (Some(&r), _) => rate_of(format!("response rate of trigger `{}`", t.id), r)?,
                (None, Some(&r)) => rate_of(format!("response rate of channel `{}`", t.via.as_deref().unwrap_or("")), r)?,
                (None, None) => assumptions.default,
            };
            Ok(TriggerSummary {
                trigger: t.id.clone(),
                survey: t.survey.clone(),
                matched: 0,
                by_reason: [0; 8],
                response_rate: r,
                expected_responses: 0.0,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut orch = Orchestrator::new(rules.clone())?;
    let decisions = orch.feed(log)?;
    let mut per_customer: FxHashMap<u64, u64> = FxHashMap::default();
    for &c in log.customers {
        per_customer.entry(c).or_insert(0);
    }
    for d in &decisions {
        if let Some(row) = rows.get_mut(d.trigger as usize) {
            row.matched += 1;
            if let Some(n) = row.by_reason.get_mut(d.reason.index()) {
                *n += 1;
            }
        }
        if let Reason::Invited { .. } = d.reason
            && let Some(n) = log.customers.get(d.row).and_then(|c| per_customer.get_mut(c))
        {
            *n += 1;
        }
    }
    let mut contacts: Vec<(u64, u64)> = Vec::new();
    for &n in per_customer.values() {
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        if contacts.len() <= n {
            contacts.extend((contacts.len()..=n).map(|k| (k as u64, 0)));
        }
        if let Some(slot) = contacts.get_mut(n) {
            slot.1 += 1;
        }
    }
    let (mut expected, mut variance, mut invitations) = (0.0, 0.0, 0);
    for row in &mut rows {
        #[allow(clippy::cast_precision_loss)]
        let k = row.invited() as f64;
        row.expected_responses = k * row.response_rate;
        expected += row.expected_responses;
        variance += k * row.response_rate * (1.0 - row.response_rate);
        invitations += row.invited();
    }
    Ok(Simulation {
        interactions: log.len() as u64,
        customers: per_customer.len() as u64,
        triggers: rows,
        contacts,
        invitations,
        expected_responses: expected,
        responses_sd: variance.sqrt(),
    })
}
