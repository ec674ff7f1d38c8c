//! [`Orchestrator`]: decides, interaction by interaction, who gets which survey and why not.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::guards::{Block, NONE, Store, customer_key, draw, trigger_base};
use super::rules::{Quarantine, QuarantineScope, Rules, SampleUnit, Trigger};
use crate::error::{Error, Result};

/// One dictionary-encoded column of a [`Batch`]: `codes[i]` indexes `labels`, and
/// [`Codes::MISSING`] marks a row without a value.
///
/// ```
/// use cem_core::survey::orchestrate::Codes;
/// let labels = vec!["call".to_owned(), "web".to_owned()];
/// let c = Codes { codes: &[0, 1, Codes::MISSING], labels: &labels };
/// assert_eq!(c.codes.len(), 3);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Codes<'a> {
    /// One code per row.
    pub codes: &'a [u32],
    /// The label of each code.
    pub labels: &'a [String],
}

impl Codes<'_> {
    /// The code of a missing value.
    pub const MISSING: u32 = u32::MAX;
}

/// A batch of interactions as columns, in time order. Times are integers in one unit of the
/// caller's choice, the same as the [`Span`](super::Span)s of the rules use: **seconds**.
///
/// Only `customers`, `times` and `touchpoints` are required; a column left out reads as
/// missing values (or `false` for the flags).
///
/// ```
/// use cem_core::survey::orchestrate::{Batch, Codes};
/// let tps = vec!["call".to_owned()];
/// let batch = Batch::new(&[1, 2], &[0, 60], Codes { codes: &[0, 0], labels: &tps });
/// assert_eq!(batch.len(), 2);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Batch<'a> {
    /// Customer keys (see [`customer_key`] for ids given as text).
    pub customers: &'a [u64],
    /// Interaction times in seconds, non-decreasing.
    pub times: &'a [i64],
    /// Touchpoint of each interaction.
    pub touchpoints: Codes<'a>,
    /// Channel of each interaction.
    pub channels: Option<Codes<'a>>,
    /// Outcome of each interaction.
    pub outcomes: Option<Codes<'a>>,
    /// Customer segment at the time of each interaction.
    pub segments: Option<Codes<'a>>,
    /// Whether the customer has an open complaint case.
    pub open_complaint: Option<&'a [bool]>,
    /// Whether the customer is flagged do-not-contact.
    pub do_not_contact: Option<&'a [bool]>,
    /// Event ids, needed by triggers that sample by event.
    pub event_ids: Option<&'a [u64]>,
}

impl<'a> Batch<'a> {
    /// A batch with the three required columns; set the others as fields.
    pub fn new(customers: &'a [u64], times: &'a [i64], touchpoints: Codes<'a>) -> Self {
        Batch {
            customers,
            times,
            touchpoints,
            channels: None,
            outcomes: None,
            segments: None,
            open_complaint: None,
            do_not_contact: None,
            event_ids: None,
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether the batch has no rows.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }
}

/// One interaction as a row, for feeding one at a time (a service, the browser).
///
/// ```
/// use cem_core::survey::orchestrate::Event;
/// let e: Event = serde_json::from_str(r#"{"customer": "ann", "time": 0, "touchpoint": "call"}"#).unwrap();
/// assert!(!e.do_not_contact && e.channel.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The customer id (keyed with [`customer_key`]).
    pub customer: String,
    /// Time in seconds.
    pub time: i64,
    /// The touchpoint.
    pub touchpoint: String,
    /// The channel, if known.
    #[serde(default)]
    pub channel: Option<String>,
    /// The outcome, if known.
    #[serde(default)]
    pub outcome: Option<String>,
    /// The customer's segment, if known.
    #[serde(default)]
    pub segment: Option<String>,
    /// The customer has an open complaint case.
    #[serde(default)]
    pub open_complaint: bool,
    /// The customer is flagged do-not-contact.
    #[serde(default)]
    pub do_not_contact: bool,
    /// An event id, for triggers that sample by event.
    #[serde(default)]
    pub event_id: Option<u64>,
}

/// Why a trigger did or did not invite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Invited; the invitation goes out at `send_at` (interaction time + the trigger's delay).
    Invited {
        /// When to send.
        send_at: i64,
    },
    /// The customer is flagged do-not-contact.
    DoNotContact,
    /// The customer has an open complaint case.
    OpenComplaint,
    /// The customer's segment is excluded.
    ExcludedSegment,
    /// Invited too recently; the quarantine ends at `until`.
    Quarantined {
        /// First time an invitation is allowed again.
        until: i64,
    },
    /// Frequency cap `cap` (index into the rules' caps) is full until `until`.
    Capped {
        /// Which cap.
        cap: u32,
        /// When the window has room again.
        until: i64,
    },
    /// Not drawn by the trigger's sampling.
    SampledOut,
    /// Another trigger (index `winner`) with higher priority invited on this interaction.
    LowerPriority {
        /// The trigger that invited.
        winner: u32,
    },
}

impl Reason {
    /// Every code, in the order of the variants.
    pub const CODES: [&'static str; 8] = [
        "invited",
        "do_not_contact",
        "open_complaint",
        "excluded_segment",
        "quarantined",
        "capped",
        "sampled_out",
        "lower_priority",
    ];

    /// A stable snake_case code (`"quarantined"`).
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Reason;
    /// assert_eq!(Reason::SampledOut.code(), "sampled_out");
    /// ```
    pub fn code(&self) -> &'static str {
        let i = self.index();
        Reason::CODES.get(i).copied().unwrap_or("invited")
    }

    /// Position of the variant in [`Reason::CODES`].
    pub fn index(&self) -> usize {
        match self {
            Reason::Invited { .. } => 0,
            Reason::DoNotContact => 1,
            Reason::OpenComplaint => 2,
            Reason::ExcludedSegment => 3,
            Reason::Quarantined { .. } => 4,
            Reason::Capped { .. } => 5,
            Reason::SampledOut => 6,
            Reason::LowerPriority { .. } => 7,
        }
    }

    /// Whether this is an invitation.
    pub fn is_invited(&self) -> bool {
        matches!(self, Reason::Invited { .. })
    }
}

/// The decision of one trigger on one interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Row of the interaction in its batch (0 for [`Orchestrator::decide`]).
    pub row: usize,
    /// The trigger, by its index in [`Rules::triggers`].
    pub trigger: u32,
    /// What happened and why.
    #[serde(flatten)]
    pub reason: Reason,
}

/// What the orchestrator remembers about one customer, as [`Orchestrator::customer`] shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerSummary {
    /// Time of the last invitation.
    pub last_invited: Option<i64>,
    /// Invitations so far.
    pub invitations: u64,
}

/// Decides for each interaction whether the customer gets a survey now, and why not.
///
/// Feed it interactions in time order, one by one ([`decide`](Self::decide)) or in batches
/// ([`feed`](Self::feed)); the decisions are the same either way. For each interaction, every
/// trigger that *matches* it (see [`Trigger`]) gives one [`Decision`]; triggers are tried from
/// the highest priority down (file order among equals), and each one is checked in this order:
///
/// 1. exclusions: do-not-contact, open complaint, excluded segment;
/// 2. sampling: the deterministic draw ([`sample_draw`](super::sample_draw)) is not below
///    `sample` — like an assignment made up front, so the share sampled in among the
///    eligible is the configured rate;
/// 3. quarantine: the last invitation (any survey, or this survey) was less than `for` ago;
/// 4. frequency caps: a rolling window `(t − per, t]` already holds `max` invitations;
///
/// the first trigger that passes all four invites, and the triggers after it get
/// [`Reason::LowerPriority`] — at most one invitation per interaction. Quarantine and caps
/// count invitations at the time they are *decided* (the interaction time); the delay only
/// sets when the invitation is sent.
///
/// The state (per customer: last invitation, count, recent invitation times) survives a
/// restart through serde: [`to_json`](Self::to_json) / [`from_json`](Self::from_json) hold
/// the rules and the state, and feeding on from a restored orchestrator gives the decisions
/// an uninterrupted one would have. No clocks or threads inside: time is what the input says.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::{Event, Orchestrator, Reason, Rules};
///
/// let rules = Rules::from_json(r#"{
///   "quarantine": {"for": "30d"},
///   "triggers": [{"id": "after-call", "survey": "post-contact", "touchpoints": ["call"], "delay": "1h"}]
/// }"#)?;
/// let mut orch = Orchestrator::new(rules)?;
/// let call = |customer: &str, time: i64| Event {
///     customer: customer.into(), time, touchpoint: "call".into(), channel: None, outcome: None,
///     segment: None, open_complaint: false, do_not_contact: false, event_id: None,
/// };
/// let first = orch.decide(&call("ann", 0))?;
/// assert_eq!(first[0].reason, Reason::Invited { send_at: 3600 });
/// let again = orch.decide(&call("ann", 86_400))?;
/// assert_eq!(again[0].reason, Reason::Quarantined { until: 30 * 86_400 });
/// assert!(orch.decide(&call("ann", 0)).is_err()); // out of order
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(into = "Snapshot", try_from = "Snapshot")]
pub struct Orchestrator {
    rules: Rules,
    /// Triggers in priority order.
    compiled: Vec<Compiled>,
    /// Surveys whose last invitation is tracked per customer (survey-scoped quarantines).
    surveys: Vec<String>,
    any_by_event: bool,
    clock: Option<i64>,
    store: Store,
}

#[derive(Debug, Clone, PartialEq)]
struct Compiled {
    trigger: u32,
    survey: u32,
    base: u64,
    rate: f64,
    by_event: bool,
    delay: i64,
    quarantine: Option<Quarantine>,
}

impl Orchestrator {
    /// An orchestrator with no history.
    ///
    /// # Errors
    /// What [`Rules::check`] finds.
    pub fn new(rules: Rules) -> Result<Orchestrator> {
        rules.check()?;
        // Per-survey times are kept only for surveys some survey-scoped quarantine reads,
        // which keeps a customer's state small (one cache line in common rule sets).
        let surveys: Vec<String> = rules
            .triggers
            .iter()
            .filter(|t| t.quarantine.or(rules.quarantine).is_some_and(|q| q.scope == QuarantineScope::Survey))
            .map(|t| t.survey.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut order: Vec<usize> = (0..rules.triggers.len()).collect();
        order.sort_by_key(|&i| rules.triggers.get(i).map_or(0, |t| -i64::from(t.priority)));
        let compiled = order
            .iter()
            .filter_map(|&i| rules.triggers.get(i).map(|t| (i, t)))
            .map(|(i, t)| Compiled {
                trigger: u32::try_from(i).unwrap_or(u32::MAX),
                survey: survey_index(&surveys, &t.survey),
                base: trigger_base(rules.seed, &t.id),
                rate: t.sample,
                by_event: t.sample_by == SampleUnit::Event,
                delay: t.delay.seconds(),
                quarantine: t.quarantine.or(rules.quarantine),
            })
            .collect::<Vec<_>>();
        let keep = rules.caps.iter().map(|c| c.max as usize).max().unwrap_or(0);
        let any_by_event = compiled.iter().any(|c| c.by_event);
        let store = Store::new(keep, surveys.len());
        Ok(Orchestrator {
            rules,
            compiled,
            surveys,
            any_by_event,
            clock: None,
            store,
        })
    }

    /// Reads the rules from JSON ([`Rules::from_json`]) and starts with no history.
    ///
    /// # Errors
    /// As [`Rules::from_json`].
    pub fn from_rules_json(json: &str) -> Result<Orchestrator> {
        Orchestrator::new(Rules::from_json(json)?)
    }

    /// The rules.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The time of the last interaction fed, if any.
    pub fn clock(&self) -> Option<i64> {
        self.clock
    }

    /// Number of customers invited at least once.
    pub fn customers(&self) -> usize {
        self.store.len()
    }

    /// What the orchestrator remembers about a customer (by key), if it was ever invited.
    pub fn customer(&self, key: u64) -> Option<CustomerSummary> {
        let h = self.store.head(self.store.slot(key)?);
        Some(CustomerSummary {
            last_invited: (h.last != NONE).then_some(h.last),
            invitations: h.count,
        })
    }

    /// Decides on one interaction.
    ///
    /// # Errors
    /// As [`feed`](Self::feed).
    pub fn decide(&mut self, event: &Event) -> Result<Vec<Decision>> {
        self.feed_events(std::slice::from_ref(event))
    }

    /// Decides on interactions given as rows; `row` in the decisions is the position in
    /// `events`.
    ///
    /// # Errors
    /// As [`feed`](Self::feed).
    pub fn feed_events(&mut self, events: &[Event]) -> Result<Vec<Decision>> {
        let keys: Vec<u64> = events.iter().map(|e| customer_key(&e.customer)).collect();
        let times: Vec<i64> = events.iter().map(|e| e.time).collect();
        let (tp_c, tp_l) = encode(events.iter().map(|e| Some(e.touchpoint.as_str())));
        let (ch_c, ch_l) = encode(events.iter().map(|e| e.channel.as_deref()));
        let (oc_c, oc_l) = encode(events.iter().map(|e| e.outcome.as_deref()));
        let (sg_c, sg_l) = encode(events.iter().map(|e| e.segment.as_deref()));
        let complaint: Vec<bool> = events.iter().map(|e| e.open_complaint).collect();
        let dnc: Vec<bool> = events.iter().map(|e| e.do_not_contact).collect();
        let ids: Option<Vec<u64>> = events.iter().map(|e| e.event_id).collect();
        let mut batch = Batch::new(&keys, &times, Codes { codes: &tp_c, labels: &tp_l });
        batch.channels = Some(Codes { codes: &ch_c, labels: &ch_l });
        batch.outcomes = Some(Codes { codes: &oc_c, labels: &oc_l });
        batch.segments = Some(Codes { codes: &sg_c, labels: &sg_l });
        batch.open_complaint = Some(&complaint);
        batch.do_not_contact = Some(&dnc);
        batch.event_ids = ids.as_deref();
        if self.any_by_event && batch.event_ids.is_none() {
            let pos = events.iter().position(|e| e.event_id.is_none()).unwrap_or(0);
            return Err(missing_event_id(pos));
        }
        self.feed(&batch)
    }

    /// Decides on a batch of interactions in time order; one [`Decision`] per matching
    /// (interaction, trigger), in row order and, within a row, in priority order.
    ///
    /// The batch is checked whole before anything changes: on an error no state is touched.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for columns of different lengths; [`Error::OutOfRange`] for a
    /// code without a label (naming the column and row); [`Error::InvalidArgument`] for a
    /// time earlier than the one before it (in this batch or fed earlier) and for missing
    /// event ids when a trigger samples by event.
    pub fn feed(&mut self, batch: &Batch) -> Result<Vec<Decision>> {
        let mut out = Vec::new();
        self.feed_into(batch, &mut out)?;
        Ok(out)
    }

    /// [`feed`](Self::feed), appending the decisions to `out` (reuse one buffer across
    /// batches to avoid allocating).
    ///
    /// # Errors
    /// As [`feed`](Self::feed); `out` is left as it was.
    pub fn feed_into(&mut self, batch: &Batch, out: &mut Vec<Decision>) -> Result<()> {
        self.check(batch)?;
        let tp = masks(&self.rules.triggers, &self.compiled, |t| t.touchpoints.as_ref(), Some(batch.touchpoints));
        let ch = masks(&self.rules.triggers, &self.compiled, |t| t.channels.as_ref(), batch.channels);
        let oc = masks(&self.rules.triggers, &self.compiled, |t| t.outcomes.as_ref(), batch.outcomes);
        let sg = masks(&self.rules.triggers, &self.compiled, |t| t.segments.as_ref(), batch.segments);
        let excluded_segment: Vec<bool> = batch.segments.map_or_else(Vec::new, |s| {
            s.labels.iter().map(|l| self.rules.exclude.segments.contains(l)).collect()
        });
        let ex = &self.rules.exclude;
        for (row, (&key, &t)) in batch.customers.iter().zip(batch.times).enumerate() {
            let mut m = tp.at(Some(batch.touchpoints), row)
                & ch.at(batch.channels, row)
                & oc.at(batch.outcomes, row)
                & sg.at(batch.segments, row);
            if m == 0 {
                continue;
            }
            let flag = |col: Option<&[bool]>| col.and_then(|c| c.get(row)).copied().unwrap_or(false);
            let excluded = if ex.do_not_contact && flag(batch.do_not_contact) {
                Some(Reason::DoNotContact)
            } else if ex.open_complaint && flag(batch.open_complaint) {
                Some(Reason::OpenComplaint)
            } else if batch
                .segments
                .and_then(|s| s.codes.get(row))
                .and_then(|&c| excluded_segment.get(c as usize))
                .copied()
                .unwrap_or(false)
            {
                Some(Reason::ExcludedSegment)
            } else {
                None
            };
            let event = batch.event_ids.and_then(|e| e.get(row)).copied();
            // The state is looked up only once a trigger samples the customer in.
            let mut slot: Option<Option<u32>> = None;
            let mut winner: Option<u32> = None;
            while m != 0 {
                let bit = m.trailing_zeros() as usize;
                m &= m - 1;
                let Some(c) = self.compiled.get(bit) else { continue };
                let reason = if let Some(r) = excluded {
                    r
                } else if let Some(w) = winner {
                    Reason::LowerPriority { winner: w }
                } else if draw(c.base, key, if c.by_event { event } else { None }) >= c.rate {
                    Reason::SampledOut
                } else {
                    let store = &self.store;
                    let s = *slot.get_or_insert_with(|| store.slot(key));
                    let block = s
                        .zip(c.quarantine.as_ref())
                        .and_then(|(s, q)| store.quarantine(s, q, c.survey, t))
                        .or_else(|| store.capped(s, &self.rules.caps, t));
                    match block {
                        Some(Block::Quarantined { until }) => Reason::Quarantined { until },
                        Some(Block::Capped { cap, until }) => Reason::Capped {
                            cap: u32::try_from(cap).unwrap_or(u32::MAX),
                            until,
                        },
                        None => {
                            let s = match s {
                                Some(s) => Some(s),
                                None => self.store.insert(key),
                            };
                            slot = Some(s);
                            if let Some(s) = s {
                                self.store.invite(s, t, c.survey);
                            }
                            winner = Some(c.trigger);
                            Reason::Invited { send_at: t.saturating_add(c.delay) }
                        }
                    }
                };
                out.push(Decision { row, trigger: c.trigger, reason });
            }
        }
        if let Some(&last) = batch.times.last() {
            self.clock = Some(last);
        }
        Ok(())
    }

    /// The rules and the state as JSON.
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Orchestrator;
    /// let orch = Orchestrator::from_rules_json(r#"{"triggers": [{"id": "a", "survey": "s"}]}"#)?;
    /// let back = Orchestrator::from_json(&orch.to_json())?;
    /// assert_eq!(back, orch);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Restores an orchestrator written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an inconsistent state, and the rule errors.
    pub fn from_json(json: &str) -> Result<Orchestrator> {
        Ok(serde_json::from_str(json)?)
    }

    /// Validates a batch before any state changes.
    fn check(&self, batch: &Batch) -> Result<()> {
        let n = batch.customers.len();
        let same = |name: &str, len: usize| {
            if len == n {
                Ok(())
            } else {
                Err(Error::length_mismatch("customers", n, name, len))
            }
        };
        same("times", batch.times.len())?;
        same("touchpoints", batch.touchpoints.codes.len())?;
        for (name, col) in [("channels", batch.channels), ("outcomes", batch.outcomes), ("segments", batch.segments)] {
            if let Some(c) = col {
                same(name, c.codes.len())?;
            }
        }
        for (name, col) in [("open_complaint", batch.open_complaint), ("do_not_contact", batch.do_not_contact)] {
            if let Some(c) = col {
                same(name, c.len())?;
            }
        }
        match batch.event_ids {
            Some(e) => same("event_ids", e.len())?,
            None if self.any_by_event && n > 0 => return Err(missing_event_id(0)),
            None => {}
        }
        let cols = [
            ("touchpoints", Some(batch.touchpoints)),
            ("channels", batch.channels),
            ("outcomes", batch.outcomes),
            ("segments", batch.segments),
        ];
        for (name, col) in cols {
            if let Some(c) = col {
                let limit = c.labels.len();
                if let Some(pos) = c.codes.iter().position(|&x| x != Codes::MISSING && x as usize >= limit) {
                    let code = c.codes.get(pos).copied().unwrap_or(0);
                    return Err(Error::out_of_range(
                        format!("code in `{name}` at row {pos}"),
                        code,
                        format!("0..{limit} (the labels given)"),
                    ));
                }
            }
        }
        let mut prev = self.clock;
        for (pos, &t) in batch.times.iter().enumerate() {
            if t == NONE {
                return Err(Error::out_of_range(format!("time at row {pos}"), t, "the 64-bit range above its minimum"));
            }
            if let Some(p) = prev
                && t < p
            {
                return Err(Error::invalid_argument(
                    "times",
                    format!(
                        "time `{t}` at row {pos} is earlier than `{p}` before it; feed interactions in time order"
                    ),
                ));
            }
            prev = Some(t);
        }
        Ok(())
    }
}

/// Two orchestrators are equal when they have the same rules and remember the same things
/// (the same serialized form).
impl PartialEq for Orchestrator {
    fn eq(&self, other: &Orchestrator) -> bool {
        self.to_json() == other.to_json()
    }
}

fn missing_event_id(pos: usize) -> Error {
    Error::invalid_argument(
        "event_ids",
        format!("a trigger samples by event but row {pos} has no event id"),
    )
}

/// Position of `survey` among the tracked surveys; `u32::MAX` (never stored) if untracked.
fn survey_index(surveys: &[String], survey: &str) -> u32 {
    surveys
        .iter()
        .position(|s| s == survey)
        .and_then(|i| u32::try_from(i).ok())
        .unwrap_or(u32::MAX)
}

/// Dictionary-encodes optional strings.
fn encode<'s>(values: impl Iterator<Item = Option<&'s str>>) -> (Vec<u32>, Vec<String>) {
    let mut dict: BTreeMap<&str, u32> = BTreeMap::new();
    let mut labels = Vec::new();
    let codes = values
        .map(|v| match v {
            None => Codes::MISSING,
            Some(s) => *dict.entry(s).or_insert_with(|| {
                labels.push(s.to_owned());
                u32::try_from(labels.len() - 1).unwrap_or(Codes::MISSING)
            }),
        })
        .collect();
    (codes, labels)
}

/// Per-label masks of the triggers (bit = priority rank) whose filter accepts the label.
struct Masks {
    by_label: Vec<u128>,
    missing: u128,
}

impl Masks {
    #[inline]
    fn at(&self, col: Option<Codes<'_>>, row: usize) -> u128 {
        match col.and_then(|c| c.codes.get(row)) {
            Some(&c) if c != Codes::MISSING => self.by_label.get(c as usize).copied().unwrap_or(0),
            _ => self.missing,
        }
    }
}

fn masks(
    triggers: &[Trigger],
    compiled: &[Compiled],
    filter: impl Fn(&Trigger) -> Option<&BTreeSet<String>>,
    col: Option<Codes<'_>>,
) -> Masks {
    let labels = col.map_or(&[][..], |c| c.labels);
    let mut by_label = vec![0u128; labels.len()];
    let mut missing = 0u128;
    for (bit, c) in compiled.iter().enumerate() {
        let Some(t) = triggers.get(c.trigger as usize) else { continue };
        match filter(t) {
            None => {
                missing |= 1 << bit;
                by_label.iter_mut().for_each(|m| *m |= 1 << bit);
            }
            Some(set) => {
                for (m, l) in by_label.iter_mut().zip(labels) {
                    if set.contains(l) {
                        *m |= 1 << bit;
                    }
                }
            }
        }
    }
    Masks { by_label, missing }
}

/// The serialized form: the rules and the state, customers sorted by key.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    rules: Rules,
    clock: Option<i64>,
    customers: Vec<CustomerState>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerState {
    key: u64,
    last: Option<i64>,
    count: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    recent: Vec<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    by_survey: BTreeMap<String, i64>,
}

impl From<Orchestrator> for Snapshot {
    fn from(o: Orchestrator) -> Snapshot {
        let st = &o.store;
        let mut customers: Vec<CustomerState> = st
            .keys
            .iter()
            .enumerate()
            .map(|(slot, &key)| {
                let slot = u32::try_from(slot).unwrap_or(u32::MAX);
                let h = st.head(slot);
                CustomerState {
                    key,
                    last: (h.last != NONE).then_some(h.last),
                    count: h.count,
                    recent: st.recent(slot).iter().copied().filter(|&t| t != NONE).collect(),
                    by_survey: st
                        .by_survey(slot)
                        .iter()
                        .zip(&o.surveys)
                        .filter(|(t, _)| **t != NONE)
                        .map(|(&t, name)| (name.clone(), t))
                        .collect(),
                }
            })
            .collect();
        customers.sort_by_key(|c| c.key);
        Snapshot {
            rules: o.rules,
            clock: o.clock,
            customers,
        }
    }
}

impl TryFrom<Snapshot> for Orchestrator {
    type Error = Error;

    fn try_from(s: Snapshot) -> Result<Orchestrator> {
        let mut o = Orchestrator::new(s.rules)?;
        o.clock = s.clock;
        for c in s.customers {
            let bad = |why: &str| Error::Json(format!("customer `{}` in the state: {why}", c.key));
            if c.recent.windows(2).any(|w| matches!(w, [a, b] if a > b)) {
                return Err(bad("invitation times are not in order"));
            }
            let times = c.last.into_iter().chain(c.recent.iter().copied()).chain(c.by_survey.values().copied());
            if times.clone().any(|t| t == NONE) {
                return Err(bad("a time is out of range"));
            }
            if let (Some(l), Some(clock)) = (times.max(), o.clock)
                && l > clock
            {
                return Err(bad("an invitation is later than the clock"));
            }
            if (c.count as usize) < c.recent.len() {
                return Err(bad("fewer invitations than recent invitation times"));
            }
            let by_survey: Vec<(u32, i64)> = c
                .by_survey
                .iter()
                .filter_map(|(name, &t)| {
                    let i = o.surveys.iter().position(|s| s == name)?;
                    Some((u32::try_from(i).ok()?, t))
                })
                .collect();
            if !o.store.restore(c.key, c.last.unwrap_or(NONE), c.count, &c.recent, &by_survey) {
                return Err(bad("the customer appears twice"));
            }
        }
        Ok(o)
    }
}
