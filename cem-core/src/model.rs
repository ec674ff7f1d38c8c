//! The shared vocabulary: customers, channels, touchpoints and the row types every other module
//! reads — [`Interaction`], [`Feedback`], [`Transaction`] and [`Case`].
//!
//! These are plain records with public fields: they are the friendly API and the interchange
//! format (serde, JSON, Arrow rows in the bindings). Heavy work happens on columns built from
//! them. Timestamps are UTC ([`chrono::DateTime<Utc>`]), serialized as RFC 3339.
//!
//! # Example
//!
//! ```
//! use cem_core::model::{Channel, CustomerId, Interaction, JourneyStage, Touchpoint};
//! use chrono::{TimeZone, Utc};
//!
//! let checkout = Touchpoint::new("web-checkout", "Web checkout", Channel::Web, JourneyStage::Purchase);
//! let visit = Interaction::new(
//!     CustomerId::from("c-42"),
//!     &checkout.id,
//!     Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap(),
//! );
//! let json = serde_json::to_string(&visit).unwrap();
//! assert!(json.contains("\"touchpoint\":\"web-checkout\""));
//! let back: Interaction = serde_json::from_str(&json).unwrap();
//! assert_eq!(back, visit);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A customer's identifier, as the caller knows it (CRM id, e-mail hash, ...).
///
/// ```
/// let id = cem_core::model::CustomerId::new("c-1");
/// assert_eq!(id.as_str(), "c-1");
/// assert_eq!(id.to_string(), "c-1");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CustomerId(String);

impl CustomerId {
    /// Wraps an identifier.
    ///
    /// ```
    /// let id = cem_core::model::CustomerId::new(String::from("c-7"));
    /// assert_eq!(id.as_str(), "c-7");
    /// ```
    pub fn new(id: impl Into<String>) -> Self {
        CustomerId(id.into())
    }

    /// The identifier as text.
    ///
    /// ```
    /// assert_eq!(cem_core::model::CustomerId::from("x").as_str(), "x");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for CustomerId {
    fn from(s: &str) -> Self {
        CustomerId(s.to_owned())
    }
}

impl From<String> for CustomerId {
    fn from(s: String) -> Self {
        CustomerId(s)
    }
}

impl fmt::Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The channel through which a contact happens.
///
/// Serialized as snake_case text (`"call_centre"`); an unknown name becomes
/// [`Channel::Other`] when parsed with [`Channel::parse`].
///
/// ```
/// use cem_core::model::Channel;
/// assert_eq!(Channel::parse("call_centre"), Channel::CallCentre);
/// assert_eq!(Channel::parse("kiosk"), Channel::Other("kiosk".into()));
/// assert_eq!(Channel::CallCentre.name(), "call_centre");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// The company's website.
    Web,
    /// The company's mobile app.
    MobileApp,
    /// E-mail (campaigns, service mail).
    Email,
    /// Phone calls to or from the call centre.
    CallCentre,
    /// Live chat or chatbot.
    Chat,
    /// A physical store or branch.
    Store,
    /// A sales representative's visit.
    SalesVisit,
    /// Social media.
    Social,
    /// Any other channel, by name.
    Other(String),
}

impl Channel {
    /// Every named channel, in declaration order (without [`Channel::Other`]).
    pub const NAMED: [Channel; 8] = [
        Channel::Web,
        Channel::MobileApp,
        Channel::Email,
        Channel::CallCentre,
        Channel::Chat,
        Channel::Store,
        Channel::SalesVisit,
        Channel::Social,
    ];

    /// Parses a snake_case channel name; anything unknown becomes [`Channel::Other`].
    ///
    /// ```
    /// assert_eq!(cem_core::model::Channel::parse("web"), cem_core::model::Channel::Web);
    /// ```
    pub fn parse(name: &str) -> Channel {
        Channel::NAMED
            .iter()
            .find(|c| c.name() == name)
            .cloned()
            .unwrap_or_else(|| Channel::Other(name.to_owned()))
    }

    /// The snake_case name of the channel.
    ///
    /// ```
    /// assert_eq!(cem_core::model::Channel::MobileApp.name(), "mobile_app");
    /// ```
    pub fn name(&self) -> &str {
        match self {
            Channel::Web => "web",
            Channel::MobileApp => "mobile_app",
            Channel::Email => "email",
            Channel::CallCentre => "call_centre",
            Channel::Chat => "chat",
            Channel::Store => "store",
            Channel::SalesVisit => "sales_visit",
            Channel::Social => "social",
            Channel::Other(name) => name,
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The stage of the customer journey a touchpoint belongs to.
///
/// ```
/// use cem_core::model::JourneyStage;
/// let s: JourneyStage = serde_json::from_str("\"purchase\"").unwrap();
/// assert_eq!(s, JourneyStage::Purchase);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JourneyStage {
    /// The customer learns about the company or offer.
    Awareness,
    /// The customer compares and considers.
    Consideration,
    /// The customer buys.
    Purchase,
    /// The order is delivered or the service set up.
    Delivery,
    /// The customer uses the product or service.
    Usage,
    /// The customer asks for help or complains.
    Support,
    /// Renewal, repeat purchase, advocacy.
    Loyalty,
    /// Any other stage, by name.
    Other(String),
}

/// A point of contact between the company and its customers.
///
/// ```
/// use cem_core::model::{Channel, JourneyStage, Touchpoint};
/// let tp = Touchpoint::new("cc-billing", "Billing hotline", Channel::CallCentre, JourneyStage::Support);
/// assert_eq!(tp.channel, Channel::CallCentre);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Touchpoint {
    /// Stable identifier, referenced by interactions and feedback.
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// The channel it belongs to.
    pub channel: Channel,
    /// The journey stage it serves.
    pub stage: JourneyStage,
}

impl Touchpoint {
    /// Builds a touchpoint.
    ///
    /// ```
    /// use cem_core::model::{Channel, JourneyStage, Touchpoint};
    /// let tp = Touchpoint::new("store-till", "Store till", Channel::Store, JourneyStage::Purchase);
    /// assert_eq!(tp.id, "store-till");
    /// ```
    pub fn new(
        id: impl Into<String>,
        name: impl Into<String>,
        channel: Channel,
        stage: JourneyStage,
    ) -> Self {
        Touchpoint {
            id: id.into(),
            name: name.into(),
            channel,
            stage,
        }
    }
}

/// One contact of a customer with a touchpoint: a page view, a call, a store visit.
///
/// ```
/// use cem_core::model::{CustomerId, Interaction};
/// use chrono::{TimeZone, Utc};
/// let mut call = Interaction::new(CustomerId::from("c-1"), "cc-billing", Utc.timestamp_opt(0, 0).unwrap());
/// call.value = Some(540.0); // seconds waited
/// call.attributes.insert("agent".into(), "a-17".into());
/// assert_eq!(call.attributes["agent"], "a-17");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    /// Who.
    pub customer: CustomerId,
    /// Where: a [`Touchpoint::id`].
    pub touchpoint: String,
    /// When (UTC).
    pub time: DateTime<Utc>,
    /// What came of it (`"completed"`, `"abandoned"`, `"resolved"`), if recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// A numeric measurement of the contact (wait time, basket value, duration), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// Free-form attributes (agent, campaign, device, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

impl Interaction {
    /// An interaction with no outcome, value or attributes.
    ///
    /// ```
    /// use cem_core::model::{CustomerId, Interaction};
    /// use chrono::Utc;
    /// let i = Interaction::new(CustomerId::from("c"), "web-home", Utc::now());
    /// assert!(i.outcome.is_none());
    /// ```
    pub fn new(customer: CustomerId, touchpoint: impl Into<String>, time: DateTime<Utc>) -> Self {
        Interaction {
            customer,
            touchpoint: touchpoint.into(),
            time,
            outcome: None,
            value: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// One answer to one survey question.
///
/// Serialized untagged: a JSON number, a string, or an array of strings.
///
/// ```
/// use cem_core::model::Answer;
/// let a: Answer = serde_json::from_str("9").unwrap();
/// assert_eq!(a, Answer::Number(9.0));
/// let b: Answer = serde_json::from_str("[\"price\", \"speed\"]").unwrap();
/// assert_eq!(b, Answer::Choices(vec!["price".into(), "speed".into()]));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// A score on a scale (NPS, CSAT, CES, Likert, rating).
    Number(f64),
    /// A single choice (the option's id) or a free-text answer.
    Text(String),
    /// The chosen options of a multiple-choice question.
    Choices(Vec<String>),
}

/// A survey response a customer gave at (or about) a touchpoint.
///
/// ```
/// use cem_core::model::{Answer, CustomerId, Feedback};
/// use chrono::Utc;
/// let mut fb = Feedback::new(CustomerId::from("c-1"), "post-call", Utc::now());
/// fb.touchpoint = Some("cc-billing".into());
/// fb.answers.insert("nps".into(), Answer::Number(3.0));
/// fb.text = Some("waited forty minutes".into());
/// assert_eq!(fb.answers.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    /// Who answered.
    pub customer: CustomerId,
    /// The touchpoint the response is about, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// When it was given (UTC).
    pub time: DateTime<Utc>,
    /// The survey's id.
    pub survey: String,
    /// Answers by question id.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// A free-text comment, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

impl Feedback {
    /// An empty response to `survey`.
    ///
    /// ```
    /// use cem_core::model::{CustomerId, Feedback};
    /// let fb = Feedback::new(CustomerId::from("c"), "relationship", chrono::Utc::now());
    /// assert!(fb.answers.is_empty());
    /// ```
    pub fn new(customer: CustomerId, survey: impl Into<String>, time: DateTime<Utc>) -> Self {
        Feedback {
            customer,
            touchpoint: None,
            time,
            survey: survey.into(),
            answers: BTreeMap::new(),
            text: None,
        }
    }
}

/// A purchase (positive amount) or refund (negative amount).
///
/// ```
/// use cem_core::model::{CustomerId, Transaction};
/// let t = Transaction::new(CustomerId::from("c-1"), chrono::Utc::now(), 49.90, "EUR");
/// assert_eq!(t.currency, "EUR");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transaction {
    /// Who bought.
    pub customer: CustomerId,
    /// When (UTC).
    pub time: DateTime<Utc>,
    /// Amount in `currency`; refunds are negative.
    pub amount: f64,
    /// ISO 4217 currency code.
    pub currency: String,
}

impl Transaction {
    /// Builds a transaction.
    ///
    /// ```
    /// use cem_core::model::{CustomerId, Transaction};
    /// let t = Transaction::new(CustomerId::from("c"), chrono::Utc::now(), -5.0, "USD");
    /// assert!(t.amount < 0.0);
    /// ```
    pub fn new(
        customer: CustomerId,
        time: DateTime<Utc>,
        amount: f64,
        currency: impl Into<String>,
    ) -> Self {
        Transaction {
            customer,
            time,
            amount,
            currency: currency.into(),
        }
    }
}

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Opened, nobody has responded yet.
    Open,
    /// Someone responded; not yet resolved.
    InProgress,
    /// The problem is solved; waiting to be confirmed and closed (or reopened).
    Resolved,
    /// Resolved and closed.
    Closed,
}

impl CaseStatus {
    /// The snake_case name (`"in_progress"`).
    ///
    /// ```
    /// assert_eq!(cem_core::model::CaseStatus::InProgress.name(), "in_progress");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            CaseStatus::Open => "open",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    /// Whether someone still has to act on the case (open or in progress).
    ///
    /// ```
    /// use cem_core::model::CaseStatus;
    /// assert!(CaseStatus::InProgress.is_active());
    /// assert!(!CaseStatus::Resolved.is_active());
    /// ```
    pub fn is_active(self) -> bool {
        matches!(self, CaseStatus::Open | CaseStatus::InProgress)
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One entry of a case's audit trail: a change of status, or an escalation (`from == to`).
///
/// ```
/// use cem_core::model::{CaseStatus, CaseTransition};
/// let t = CaseTransition {
///     time: chrono::Utc::now(),
///     who: "agent-7".into(),
///     from: CaseStatus::Open,
///     to: CaseStatus::InProgress,
///     note: Some("called the customer".into()),
/// };
/// let json = serde_json::to_string(&t).unwrap();
/// assert!(json.contains(r#""from":"open","to":"in_progress""#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseTransition {
    /// When it happened (UTC).
    pub time: DateTime<Utc>,
    /// Who did it (an agent's id, or `"sla"` for an automatic escalation).
    pub who: String,
    /// The status before.
    pub from: CaseStatus,
    /// The status after.
    pub to: CaseStatus,
    /// A free-text note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// How urgent a case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Handle when convenient.
    Low,
    /// The normal queue.
    Medium,
    /// Ahead of the queue.
    High,
    /// At once.
    Urgent,
}

impl Priority {
    /// The snake_case name (`"high"`).
    ///
    /// ```
    /// assert_eq!(cem_core::model::Priority::Urgent.name(), "urgent");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }

    /// One level more urgent (`Urgent` stays `Urgent`): what an escalation does.
    ///
    /// ```
    /// use cem_core::model::Priority;
    /// assert_eq!(Priority::Medium.raised(), Priority::High);
    /// assert_eq!(Priority::Urgent.raised(), Priority::Urgent);
    /// ```
    pub fn raised(self) -> Priority {
        match self {
            Priority::Low => Priority::Medium,
            Priority::Medium => Priority::High,
            Priority::High | Priority::Urgent => Priority::Urgent,
        }
    }
}

/// A case opened for a customer: a complaint, a detractor follow-up, a service request.
///
/// ```
/// use cem_core::model::{Case, CaseStatus, CustomerId, Priority};
/// let mut case = Case::open("case-1", CustomerId::from("c-9"), chrono::Utc::now(), Priority::High, "detractor");
/// assert_eq!(case.status, CaseStatus::Open);
/// case.close(chrono::Utc::now());
/// assert_eq!(case.status, CaseStatus::Closed);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Stable identifier.
    pub id: String,
    /// The customer concerned.
    pub customer: CustomerId,
    /// When it was opened (UTC).
    pub opened: DateTime<Utc>,
    /// When it was closed, if it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<DateTime<Utc>>,
    /// Where it stands.
    pub status: CaseStatus,
    /// How urgent it is.
    pub priority: Priority,
    /// Why it was opened.
    pub reason: String,
    /// The deadline for resolving it (its SLA), if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<DateTime<Utc>>,
    /// When it was escalated for missing its deadline, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated: Option<DateTime<Utc>>,
    /// The name of the alert rule that opened it, if a rule did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// The audit trail: every status change and escalation, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<CaseTransition>,
}

impl Case {
    /// Opens a case.
    ///
    /// ```
    /// use cem_core::model::{Case, CustomerId, Priority};
    /// let c = Case::open("k", CustomerId::from("c"), chrono::Utc::now(), Priority::Low, "question");
    /// assert!(c.closed.is_none());
    /// ```
    pub fn open(
        id: impl Into<String>,
        customer: CustomerId,
        opened: DateTime<Utc>,
        priority: Priority,
        reason: impl Into<String>,
    ) -> Self {
        Case {
            id: id.into(),
            customer,
            opened,
            closed: None,
            status: CaseStatus::Open,
            priority,
            reason: reason.into(),
            due: None,
            escalated: None,
            rule: None,
            history: Vec::new(),
        }
    }

    /// Closes the case at `when`.
    ///
    /// ```
    /// use cem_core::model::{Case, CustomerId, Priority};
    /// let now = chrono::Utc::now();
    /// let mut c = Case::open("k", CustomerId::from("c"), now, Priority::Low, "question");
    /// c.close(now);
    /// assert_eq!(c.closed, Some(now));
    /// ```
    pub fn close(&mut self, when: DateTime<Utc>) {
        self.closed = Some(when);
        self.status = CaseStatus::Closed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_round_trip_through_serde_and_parse() {
        for c in Channel::NAMED {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.name()));
            assert_eq!(Channel::parse(c.name()), c);
        }
        let other: Channel = serde_json::from_str("{\"other\":\"kiosk\"}").unwrap();
        assert_eq!(other, Channel::Other("kiosk".into()));
    }

    #[test]
    fn answer_untagged_keeps_kinds_apart() {
        let a: Answer = serde_json::from_str("\"yes\"").unwrap();
        assert_eq!(a, Answer::Text("yes".into()));
        assert!(serde_json::from_str::<Answer>("{\"x\":1}").is_err());
    }
}
