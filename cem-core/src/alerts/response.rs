//! [`Response`]: one feedback response joined with what the rules need to know about its
//! customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Answer, CustomerId, Feedback};

/// A feedback response as the alert rules and the [`Monitor`](super::Monitor) see it: the
/// scores, the comment and its sentiment, where it came from, and the customer's tier and
/// segment.
///
/// Every field but `customer` and `time` is optional; a condition on a missing field is false
/// (only `present: false` holds). `sentiment` is a number in −1..=1 that the caller computed
/// (for example the VADER compound score of `comment`); the rules do not score text.
///
/// ```
/// use cem_core::alerts::Response;
/// let r: Response = serde_json::from_str(r#"{"customer": "c-1", "time": "2026-03-01T10:00:00Z",
///     "nps": 3, "comment": "Waited 40 minutes", "channel": "call_centre", "tier": "gold"}"#).unwrap();
/// assert_eq!(r.nps, Some(3));
/// assert!(r.csat.is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Who answered.
    pub customer: CustomerId,
    /// When (UTC).
    pub time: DateTime<Utc>,
    /// Likelihood to recommend, 0..=10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nps: Option<u8>,
    /// Satisfaction score (1..=5 usually; any whole number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<u8>,
    /// Customer effort score (1..=7 usually; any whole number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ces: Option<u8>,
    /// Sentiment of the comment in −1..=1, computed by the caller.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<f64>,
    /// The free-text comment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The channel's name (`"call_centre"`, see [`Channel::name`](crate::model::Channel::name)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The touchpoint's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// The customer's segment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
    /// The customer's value tier (`"gold"`, `"high"`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
}

impl Response {
    /// A response with only a customer and a time.
    ///
    /// ```
    /// use cem_core::alerts::Response;
    /// let mut r = Response::new("c-1", chrono::Utc::now());
    /// r.nps = Some(9);
    /// assert!(r.comment.is_none());
    /// ```
    pub fn new(customer: impl Into<CustomerId>, time: DateTime<Utc>) -> Self {
        Response {
            customer: customer.into(),
            time,
            nps: None,
            csat: None,
            ces: None,
            sentiment: None,
            comment: None,
            channel: None,
            touchpoint: None,
            segment: None,
            tier: None,
        }
    }

    /// Builds a response from a survey [`Feedback`]: the scores are read from the answers to
    /// the questions named `nps`, `csat` and `ces` (when they are whole numbers in 0..=255),
    /// the comment from its text; channel, sentiment, segment and tier are left for the caller.
    ///
    /// ```
    /// use cem_core::alerts::Response;
    /// use cem_core::model::{Answer, CustomerId, Feedback};
    /// let mut fb = Feedback::new(CustomerId::from("c-1"), "post-call", chrono::Utc::now());
    /// fb.answers.insert("nps".into(), Answer::Number(4.0));
    /// fb.touchpoint = Some("cc-billing".into());
    /// let r = Response::from_feedback(&fb);
    /// assert_eq!((r.nps, r.touchpoint.as_deref()), (Some(4), Some("cc-billing")));
    /// ```
    pub fn from_feedback(feedback: &Feedback) -> Self {
        let score = |q: &str| match feedback.answers.get(q) {
            Some(Answer::Number(x)) if x.fract() == 0.0 && (0.0..=255.0).contains(x) => {
                Some(*x as u8)
            }
            _ => None,
        };
        let mut r = Response::new(feedback.customer.clone(), feedback.time);
        r.nps = score("nps");
        r.csat = score("csat");
        r.ces = score("ces");
        r.comment = feedback.text.clone();
        r.touchpoint = feedback.touchpoint.clone();
        r
    }

    /// Checks the values the rules compare: NPS in 0..=10, sentiment a finite number in −1..=1.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] or [`Error::InvalidNumber`] naming the field.
    ///
    /// ```
    /// let mut r = cem_core::alerts::Response::new("c", chrono::Utc::now());
    /// r.sentiment = Some(f64::NAN);
    /// assert!(r.check().is_err());
    /// ```
    pub fn check(&self) -> Result<()> {
        if let Some(n) = self.nps
            && n > 10
        {
            return Err(Error::out_of_range("NPS score", n, "0..=10"));
        }
        if let Some(s) = self.sentiment {
            if !s.is_finite() {
                return Err(Error::invalid_number(
                    "sentiment",
                    s,
                    "is not a finite number",
                ));
            }
            if !(-1.0..=1.0).contains(&s) {
                return Err(Error::out_of_range("sentiment", s, "-1..=1"));
            }
        }
        Ok(())
    }
}
