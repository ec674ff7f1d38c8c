//! The rule set: [`Rules`], [`Trigger`], [`Quarantine`], [`Cap`], [`Exclusions`] and the
//! [`Span`] durations they use, read from JSON with errors that name the rule and the field.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// The most triggers one rule set may hold (the orchestrator matches them with 128-bit masks).
pub const MAX_TRIGGERS: usize = 128;

/// A survey orchestration rule set: the triggers and the guards shared by all of them.
///
/// In JSON (unknown fields are rejected everywhere):
///
/// ```json
/// {
///   "seed": 7,
///   "quarantine": {"for": "30d", "scope": "global"},
///   "caps": [{"max": 2, "per": "90d"}],
///   "exclude": {"open_complaint": true, "do_not_contact": true, "segments": ["staff"]},
///   "catalog": {"call": "call_centre", "delivery": "email"},
///   "triggers": [
///     {"id": "after-call", "survey": "post-contact", "touchpoints": ["call"],
///      "outcomes": ["resolved", "unresolved"], "sample": 0.25, "delay": "1h",
///      "via": "email", "priority": 10}
///   ]
/// }
/// ```
///
/// Every field but `triggers` is optional: no quarantine, no caps, and the default
/// [`Exclusions`] (do-not-contact and open complaints excluded). `catalog` (touchpoint →
/// channel) is only read by [`Rules::warnings`], to find triggers whose touchpoints and
/// channels exclude each other.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::Rules;
///
/// let rules = Rules::from_json(r#"{"triggers": [
///   {"id": "after-call", "survey": "post-contact", "touchpoints": ["call"], "sample": 0.5}
/// ]}"#)?;
/// assert_eq!(rules.triggers[0].sample, 0.5);
/// let err = Rules::from_json(r#"{"triggers": [{"id": "t1", "survey": "s", "sample": 2}]}"#).unwrap_err();
/// assert_eq!(err.to_string(), "rule `t1`, field `sample`: `2` is outside 0..=1");
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// Seed of the sampling hash; change it to draw another sample.
    #[serde(default)]
    pub seed: u64,
    /// The quarantine every trigger applies unless it has its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Quarantine>,
    /// Frequency caps, all applied, across every survey.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caps: Vec<Cap>,
    /// Who is never invited.
    #[serde(default)]
    pub exclude: Exclusions,
    /// Optional touchpoint → channel catalog, used by the warnings only.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub catalog: BTreeMap<String, String>,
    /// The triggers, in file order (ties in priority go to the earlier one).
    pub triggers: Vec<Trigger>,
}

/// On which interactions to offer which survey, and how.
///
/// A trigger *matches* an interaction when each of its filters (`touchpoints`, `channels`,
/// `outcomes`, `segments`) is absent or contains the interaction's value; an interaction
/// without a value (no outcome, say) only matches a trigger without that filter.
///
/// ```
/// use cem_core::survey::orchestrate::Trigger;
///
/// let t: Trigger = serde_json::from_str(r#"{"id": "t", "survey": "s", "delay": "2h"}"#).unwrap();
/// assert_eq!((t.sample, t.delay.seconds(), t.priority), (1.0, 7200, 0));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Stable identifier; it also enters the sampling hash, so renaming it redraws the sample.
    pub id: String,
    /// The survey offered.
    pub survey: String,
    /// Touchpoints that fire the trigger (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub touchpoints: Option<BTreeSet<String>>,
    /// Channels of the interaction that fire it (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channels: Option<BTreeSet<String>>,
    /// Outcomes that fire it (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<BTreeSet<String>>,
    /// Customer segments it applies to (absent: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<BTreeSet<String>>,
    /// Share of matching customers (or events, see `sample_by`) invited, in 0..=1.
    #[serde(default = "one")]
    pub sample: f64,
    /// What the sampling hash draws: the customer (default: a customer is always in or
    /// always out of this trigger's sample) or the event (needs event ids).
    #[serde(default)]
    pub sample_by: SampleUnit,
    /// Time between the interaction and the invitation.
    #[serde(default)]
    pub delay: Span,
    /// The channel the invitation goes out through (`email`, `sms`, `in_app`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via: Option<String>,
    /// Higher wins when several triggers fire on one interaction.
    #[serde(default)]
    pub priority: i32,
    /// Replaces the rule set's quarantine for this trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<Quarantine>,
}

/// What the sampling hash of a trigger draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleUnit {
    /// Hash of (seed, trigger, customer): the same customer always gets the same answer.
    #[default]
    Customer,
    /// Hash of (seed, trigger, customer, event id): each event is drawn on its own.
    Event,
}

/// No survey while the customer was invited less than `for` ago (across all surveys, or to
/// the same survey).
///
/// ```
/// use cem_core::survey::orchestrate::{Quarantine, QuarantineScope};
/// let q: Quarantine = serde_json::from_str(r#"{"for": "30d", "scope": "survey"}"#).unwrap();
/// assert_eq!((q.duration.seconds(), q.scope), (30 * 86_400, QuarantineScope::Survey));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quarantine {
    /// How long after an invitation the customer is left alone.
    #[serde(rename = "for")]
    pub duration: Span,
    /// Which earlier invitations count.
    #[serde(default)]
    pub scope: QuarantineScope,
}

/// Which earlier invitations a [`Quarantine`] looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineScope {
    /// Any invitation, to any survey.
    #[default]
    Global,
    /// Invitations to the same survey only.
    Survey,
}

/// At most `max` invitations per customer within any window of length `per` (rolling).
///
/// ```
/// let c: cem_core::survey::orchestrate::Cap = serde_json::from_str(r#"{"max": 3, "per": "90d"}"#).unwrap();
/// assert_eq!(c.max, 3);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cap {
    /// Invitations allowed in the window.
    pub max: u32,
    /// Window length.
    pub per: Span,
}

/// Interactions that never lead to an invitation.
///
/// ```
/// let e = cem_core::survey::orchestrate::Exclusions::default();
/// assert!(e.open_complaint && e.do_not_contact && e.segments.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    /// Skip customers with an open complaint case (default true).
    #[serde(default = "yes")]
    pub open_complaint: bool,
    /// Skip customers flagged do-not-contact (default true).
    #[serde(default = "yes")]
    pub do_not_contact: bool,
    /// Skip customers in these segments.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub segments: BTreeSet<String>,
}

impl Default for Exclusions {
    fn default() -> Self {
        Exclusions {
            open_complaint: true,
            do_not_contact: true,
            segments: BTreeSet::new(),
        }
    }
}

/// A non-negative duration in whole seconds. In JSON: a number of seconds, or a string with
/// a unit — `"45s"`, `"30min"` (or `"30m"`), `"12h"`, `"30d"`, `"2w"`.
///
/// ```
/// use cem_core::survey::orchestrate::Span;
/// let s: Span = serde_json::from_str(r#""1.5h""#).unwrap();
/// assert_eq!(s, Span::from_seconds(5400)?);
/// assert!(serde_json::from_str::<Span>("-3").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span(i64);

impl Span {
    /// A span of `seconds`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a negative number.
    pub fn from_seconds(seconds: i64) -> Result<Span> {
        if seconds < 0 {
            Err(Error::out_of_range("duration", seconds, "0.. seconds"))
        } else {
            Ok(Span(seconds))
        }
    }

    /// The length in seconds.
    pub fn seconds(self) -> i64 {
        self.0
    }

    /// Parses `"30d"`, `"12h"`, `"90min"`, `"45s"`, `"2w"` or a bare number of seconds.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    ///
    /// ```
    /// assert_eq!(cem_core::survey::orchestrate::Span::parse("2w")?.seconds(), 1_209_600);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn parse(text: &str) -> Result<Span> {
        let t = text.trim();
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(t.len());
        let (number, unit) = t.split_at(split);
        let scale = match unit.trim() {
            "" | "s" => 1.0,
            "m" | "min" => 60.0,
            "h" => 3600.0,
            "d" => 86_400.0,
            "w" => 604_800.0,
            _ => 0.0,
        };
        let value: Option<f64> = number.parse().ok();
        match value {
            Some(v) if scale > 0.0 && v.is_finite() => from_float(v * scale, text),
            _ => Err(Error::invalid_argument(
                "duration",
                format!(
                    "`{text}` is not a duration; use seconds or a number with s, min, h, d or w"
                ),
            )),
        }
    }
}

fn from_float(seconds: f64, text: &str) -> Result<Span> {
    let rounded = seconds.round();
    if (0.0..9.0e15).contains(&rounded) {
        #[allow(clippy::cast_possible_truncation)]
        Ok(Span(rounded as i64))
    } else {
        Err(Error::out_of_range("duration", text, "0.. seconds"))
    }
}

impl Serialize for Span {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

impl<'de> Deserialize<'de> for Span {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Span, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Span;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration: seconds or a string such as \"30d\"")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<Span, E> {
                i64::try_from(v)
                    .map_err(E::custom)
                    .and_then(|s| Span::from_seconds(s).map_err(E::custom))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<Span, E> {
                Span::from_seconds(v).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> std::result::Result<Span, E> {
                from_float(v, &v.to_string()).map_err(E::custom)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<Span, E> {
                Span::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

fn one() -> f64 {
    1.0
}

fn yes() -> bool {
    true
}

impl Rules {
    /// Reads and checks a rule set from JSON.
    ///
    /// # Errors
    /// [`Error::InvalidRules`] naming the trigger (by id) and the field for unknown fields,
    /// wrong types and the problems [`Rules::check`] finds; [`Error::Json`] for text that is
    /// not JSON at all.
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Rules;
    /// let err = Rules::from_json(r#"{"triggers": [{"id": "a", "survey": "s", "sampel": 1}]}"#).unwrap_err();
    /// assert!(err.to_string().starts_with("rule `a`, field `sampel`: unknown field `sampel`"));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Rules> {
        let value: serde_json::Value = serde_json::from_str(json)?;
        let rules: Rules = serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            let message = strip_position(&e.inner().to_string());
            located(&value, &path, &message)
        })?;
        rules.check()?;
        Ok(rules)
    }

    /// The rule set as JSON (durations in seconds).
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Rules;
    /// let rules = Rules::from_json(r#"{"triggers": [{"id": "a", "survey": "s", "delay": "1h"}]}"#)?;
    /// assert_eq!(Rules::from_json(&rules.to_json())?, rules);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks what serde cannot: trigger ids present and unique, surveys named, sampling
    /// rates in 0..=1, caps with a positive window, at most [`MAX_TRIGGERS`] triggers.
    ///
    /// # Errors
    /// The first problem, as [`Error::InvalidRules`] naming the rule and field.
    ///
    /// ```
    /// use cem_core::survey::orchestrate::Rules;
    /// let err = Rules::from_json(r#"{"triggers": [{"id": "a", "survey": "s"}, {"id": "a", "survey": "t"}]}"#).unwrap_err();
    /// assert_eq!(err.to_string(), "rule `a`, field `id`: the id is used by more than one trigger");
    /// ```
    pub fn check(&self) -> Result<()> {
        if self.triggers.len() > MAX_TRIGGERS {
            return Err(Error::rules(
                None,
                Some("triggers"),
                format!(
                    "`{}` triggers; at most {MAX_TRIGGERS} are supported",
                    self.triggers.len()
                ),
            ));
        }
        for (i, cap) in self.caps.iter().enumerate() {
            if cap.per.seconds() == 0 {
                return Err(Error::rules(
                    None,
                    Some(&format!("caps[{i}].per")),
                    "the window must be longer than 0 seconds",
                ));
            }
        }
        let mut seen = BTreeSet::new();
        for (i, t) in self.triggers.iter().enumerate() {
            let name = if t.id.is_empty() {
                format!("#{i}")
            } else {
                t.id.clone()
            };
            let fail = |field: &str, message: String| Err(Error::rules(Some(&name), Some(field), message));
            if t.id.trim().is_empty() {
                return fail("id", "the id is empty".into());
            }
            if !seen.insert(t.id.as_str()) {
                return fail("id", "the id is used by more than one trigger".into());
            }
            if t.survey.trim().is_empty() {
                return fail("survey", "the survey is empty".into());
            }
            if !(t.sample.is_finite() && (0.0..=1.0).contains(&t.sample)) {
                return fail("sample", format!("`{}` is outside 0..=1", t.sample));
            }
        }
        Ok(())
    }
}

/// Removes serde_json's " at line 1 column 20" (meaningless for a `Value`).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(message).to_owned(),
        None => message.to_owned(),
    }
}

/// An error for a serde failure at `path` (`triggers[2].sample`), naming the trigger by id.
fn located(value: &serde_json::Value, path: &str, message: &str) -> Error {
    let Some(rest) = path.strip_prefix("triggers[") else {
        let field = (path != ".").then_some(path);
        return Error::rules(None, field, message);
    };
    let (index, field) = match rest.split_once(']') {
        Some((i, f)) => (i.parse::<usize>().ok(), f.trim_start_matches('.')),
        None => (None, ""),
    };
    let id = index.map(|i| {
        value
            .get("triggers")
            .and_then(|t| t.get(i))
            .and_then(|t| t.get("id"))
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
            .map_or_else(|| format!("#{i}"), str::to_owned)
    });
    let field = (!field.is_empty()).then_some(field);
    Error::rules(id.as_deref(), field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(json: &str) -> String {
        Rules::from_json(json).map(|_| ()).unwrap_err().to_string()
    }

    #[test]
    fn errors_name_the_rule_and_field() {
        assert_eq!(
            err(r#"{"triggers": [{"id": "x", "survey": "s", "delay": "soon"}]}"#),
            "rule `x`, field `delay`: invalid `duration`: `soon` is not a duration; use seconds or a number with s, min, h, d or w"
        );
        assert_eq!(
            err(r#"{"triggers": [{"id": "x", "survey": "s", "quarantine": {"for": "1d", "scope": "team"}}]}"#),
            "rule `x`, field `quarantine.scope`: unknown variant `team`, expected `global` or `survey`"
        );
        assert_eq!(
            err(r#"{"triggers": [{"survey": "s"}]}"#),
            "rule `#0`: missing field `id`"
        );
        assert_eq!(
            err(r#"{"triggers": [{"id": "x", "survey": "s", "sample": "half"}]}"#),
            "rule `x`, field `sample`: invalid type: string \"half\", expected f64"
        );
        assert_eq!(
            err(r#"{"caps": [{"max": 1, "per": 0}], "triggers": []}"#),
            "field `caps[0].per`: the window must be longer than 0 seconds"
        );
        assert!(err(r#"{"trigers": []}"#).starts_with("field `trigers`: unknown field `trigers`"));
        assert!(err("{").starts_with("malformed JSON"));
    }

    #[test]
    fn spans_parse() {
        for (text, s) in [("90", 90), ("90s", 90), ("2min", 120), ("2m", 120), ("1d", 86_400), (" 3h ", 10_800)] {
            assert_eq!(Span::parse(text).unwrap().seconds(), s, "{text}");
        }
        for bad in ["", "h", "1y", "-1d", "1e400"] {
            assert!(Span::parse(bad).is_err(), "{bad}");
        }
    }
}
