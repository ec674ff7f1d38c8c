//! Alert rules: [`Rule`] (a condition and the case it opens) and [`RuleSet`], the rules
//! checked and compiled once for fast evaluation.

use chrono::Duration;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::alerts::compiled::{Node, Scratch};
use crate::alerts::condition::Condition;
use crate::alerts::response::Response;
use crate::error::{Error, Result};
use crate::metrics::with_place;
use crate::model::{Case, Priority};

/// One alert rule: when its condition holds for a response, a case is opened for the
/// response's customer with this reason, priority and SLA.
///
/// JSON fields: `name` (unique, non-empty), `when` (a [`Condition`]), `priority` (`low`,
/// `medium`, `high`, `urgent`), `sla_hours` (a positive number: the case must be resolved
/// within it), `reason` (optional, defaults to the name). Unknown fields are errors.
///
/// ```
/// use cem_core::alerts::Rule;
/// let r: Rule = serde_json::from_str(r#"{"name": "detractor", "priority": "high",
///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}"#).unwrap();
/// assert_eq!(r.reason(), "detractor");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// The rule's name, unique within its set.
    pub name: String,
    /// When it fires.
    pub when: Condition,
    /// The priority of the cases it opens.
    pub priority: Priority,
    /// The SLA of the cases it opens, in hours.
    pub sla_hours: f64,
    /// The reason of the cases it opens; the rule's name when not given. Cases are
    /// deduplicated per customer and reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Rule {
    /// The reason of the cases this rule opens.
    ///
    /// ```
    /// use cem_core::alerts::{Condition, Rule};
    /// use cem_core::model::Priority;
    /// let r = Rule { name: "refund".into(), when: Condition::contains("comment", "refund"),
    ///     priority: Priority::Medium, sla_hours: 24.0, reason: Some("refund request".into()) };
    /// assert_eq!(r.reason(), "refund request");
    /// ```
    pub fn reason(&self) -> &str {
        self.reason.as_deref().unwrap_or(&self.name)
    }
}

/// A checked, compiled set of [`Rule`]s.
///
/// Compiling resolves field names, lowercases phrases and converts SLAs once, so evaluating a
/// response is a walk over a small tree with no allocation (the lowercased comment goes into a
/// reused buffer, and only when a rule searches it).
///
/// # Example
///
/// ```
/// use cem_core::alerts::{Response, RuleSet};
/// let rules = RuleSet::from_json(r#"{"rules": [
///   {"name": "detractor", "priority": "high", "sla_hours": 48,
///    "when": {"field": "nps", "at_most": 6}},
///   {"name": "churn-risk", "priority": "urgent", "sla_hours": 4,
///    "when": {"all": [{"field": "tier", "in": ["gold", "platinum"]},
///                     {"any": [{"field": "sentiment", "at_most": -0.5},
///                              {"field": "comment", "contains_word": "cancel"}]}]}}
/// ]}"#)?;
/// let mut r = Response::new("c-1", chrono::Utc::now());
/// r.nps = Some(4);
/// r.tier = Some("gold".into());
/// r.comment = Some("I will CANCEL my contract".into());
/// assert_eq!(rules.matching(&r)?, vec!["detractor", "churn-risk"]);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSet {
    rules: Vec<Rule>,
    compiled: Vec<Compiled>,
}

#[derive(Debug, Clone, PartialEq)]
struct Compiled {
    node: Node,
    sla: Duration,
}

impl RuleSet {
    /// Checks and compiles rules.
    ///
    /// # Errors
    /// [`Error::InvalidRule`] naming the rule and the field: an empty or duplicate name, a
    /// non-positive or non-finite SLA, an unknown field, a number compared with a text field,
    /// an empty `all`/`any`/`in` or phrase, nesting deeper than
    /// [`MAX_DEPTH`](super::condition::MAX_DEPTH).
    ///
    /// ```
    /// use cem_core::alerts::{Condition, Rule, RuleSet};
    /// use cem_core::model::Priority;
    /// let bad = Rule { name: "x".into(), when: Condition::at_most("channel", 6.0),
    ///     priority: Priority::Low, sla_hours: 24.0, reason: None };
    /// let err = RuleSet::new(vec![bad]).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::InvalidRule);
    /// assert!(err.to_string().starts_with("rule `x`: `when.at_most` compares text field `channel`"));
    /// ```
    pub fn new(rules: Vec<Rule>) -> Result<RuleSet> {
        let mut compiled = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            let label = if rule.name.is_empty() {
                format!("#{}", i + 1)
            } else {
                rule.name.clone()
            };
            if rule.name.trim().is_empty() {
                return Err(Error::rule(label, "`name` is empty"));
            }
            if rules.iter().take(i).any(|r| r.name == rule.name) {
                return Err(Error::rule(label, "`name` is used by an earlier rule"));
            }
            if rule.reason.as_deref().is_some_and(|r| r.trim().is_empty()) {
                return Err(Error::rule(label, "`reason` is empty"));
            }
            let sla = sla(rule.sla_hours).map_err(|m| Error::rule(&label, m))?;
            let node = rule
                .when
                .compile("when", 1)
                .map_err(|m| Error::rule(&label, m))?;
            compiled.push(Compiled { node, sla });
        }
        Ok(RuleSet { rules, compiled })
    }

    /// Reads rules from JSON: `{"rules": [rule, ...]}`.
    ///
    /// # Errors
    /// [`Error::Json`] for text that is not JSON of that shape; [`Error::InvalidRule`] naming
    /// the rule (by name, or by position) for a rule with unknown or missing fields, bad
    /// values or a bad condition.
    ///
    /// ```
    /// let err = cem_core::alerts::RuleSet::from_json(
    ///     r#"{"rules": [{"name": "d", "priority": "high", "sla_hours": 8, "when": {"field": "nps", "at_most": 6}, "sla": 2}]}"#,
    /// ).unwrap_err();
    /// assert!(err.to_string().starts_with("rule `d`: unknown field `sla`"), "{err}");
    /// ```
    pub fn from_json(text: &str) -> Result<RuleSet> {
        let top: Value = serde_json::from_str(text)?;
        let Value::Object(mut map) = top else {
            return Err(Error::Json(
                "a rule set is an object `{\"rules\": [...]}`".to_owned(),
            ));
        };
        if let Some(k) = map.keys().find(|k| k.as_str() != "rules") {
            return Err(Error::Json(format!(
                "unknown field `{k}` in the rule set, expected `rules`"
            )));
        }
        let Some(Value::Array(items)) = map.remove("rules") else {
            return Err(Error::Json(
                "a rule set needs `rules`, a list of rules".to_owned(),
            ));
        };
        let mut rules = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let label = match item.get("name").and_then(Value::as_str) {
                Some(name) if !name.is_empty() => name.to_owned(),
                _ => format!("#{}", i + 1),
            };
            let rule: Rule =
                serde_json::from_value(item).map_err(|e| Error::rule(label, e.to_string()))?;
            rules.push(rule);
        }
        RuleSet::new(rules)
    }

    /// The rules as JSON text (reads back with [`from_json`](Self::from_json)).
    ///
    /// # Errors
    /// [`Error::Json`] if serialization fails (it does not for checked rules).
    ///
    /// ```
    /// use cem_core::alerts::RuleSet;
    /// let text = r#"{"rules": [{"name": "d", "priority": "low", "sla_hours": 1, "when": {"field": "csat", "at_most": 2}}]}"#;
    /// let rules = RuleSet::from_json(text)?;
    /// assert_eq!(RuleSet::from_json(&rules.to_json()?)?, rules);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        #[derive(Serialize)]
        struct Out<'a> {
            rules: &'a [Rule],
        }
        Ok(serde_json::to_string(&Out { rules: &self.rules })?)
    }

    /// The rules, in order.
    ///
    /// ```
    /// let rules = cem_core::alerts::RuleSet::new(vec![])?;
    /// assert!(rules.rules().is_empty());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The names of the rules whose condition holds for `response`, in rule order.
    ///
    /// # Errors
    /// As [`Response::check`]: an NPS above 10, a sentiment outside −1..=1 or not finite.
    ///
    /// ```
    /// use cem_core::alerts::{Response, RuleSet};
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "low-csat", "priority": "medium",
    ///     "sla_hours": 24, "when": {"field": "csat", "at_most": 2}}]}"#)?;
    /// let mut r = Response::new("c", chrono::Utc::now());
    /// assert!(rules.matching(&r)?.is_empty()); // no CSAT: the comparison is false
    /// r.csat = Some(2);
    /// assert_eq!(rules.matching(&r)?, vec!["low-csat"]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn matching(&self, response: &Response) -> Result<Vec<&str>> {
        let mut scratch = Evaluator::default();
        let mut out = Vec::new();
        scratch.eval(self, response, |i| {
            if let Some(r) = self.rules.get(i) {
                out.push(r.name.as_str());
            }
        })?;
        Ok(out)
    }

    /// [`matching`](Self::matching) for each response, in order.
    ///
    /// # Errors
    /// As [`matching`](Self::matching), naming the response's position.
    ///
    /// ```
    /// use cem_core::alerts::{Response, RuleSet};
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "d", "priority": "high",
    ///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}]}"#)?;
    /// let now = chrono::Utc::now();
    /// let mut a = Response::new("a", now);
    /// a.nps = Some(3);
    /// let b = Response::new("b", now);
    /// assert_eq!(rules.matching_many(&[a.clone(), b])?, vec![vec!["d"], vec![]]);
    /// a.nps = Some(12);
    /// let err = rules.matching_many(&[Response::new("c", now), a]).unwrap_err();
    /// assert!(err.to_string().contains("position 1"), "{err}");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn matching_many(&self, responses: &[Response]) -> Result<Vec<Vec<&str>>> {
        let mut ev = Evaluator::default();
        let mut out = Vec::with_capacity(responses.len());
        for (pos, r) in responses.iter().enumerate() {
            let mut names = Vec::new();
            ev.eval(self, r, |i| {
                if let Some(rule) = self.rules.get(i) {
                    names.push(rule.name.as_str());
                }
            })
            .map_err(|e| at_position(e, pos))?;
            out.push(names);
        }
        Ok(out)
    }

    /// Evaluates every rule on every response and counts the matches per rule — the hot loop
    /// of [`CaseBook::ingest`](super::CaseBook::ingest) without the bookkeeping, for
    /// dashboards and benchmarks.
    ///
    /// # Errors
    /// As [`matching`](Self::matching), naming the response's position.
    ///
    /// ```
    /// use cem_core::alerts::{Response, RuleSet};
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "d", "priority": "high",
    ///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}]}"#)?;
    /// let now = chrono::Utc::now();
    /// let rs: Vec<Response> = (0..=10).map(|s| { let mut r = Response::new("c", now); r.nps = Some(s); r }).collect();
    /// assert_eq!(rules.count_matches(&rs)?, vec![7]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn count_matches(&self, responses: &[Response]) -> Result<Vec<u64>> {
        let mut counts = vec![0u64; self.rules.len()];
        let mut ev = Evaluator::default();
        for (pos, r) in responses.iter().enumerate() {
            ev.eval(self, r, |i| {
                if let Some(c) = counts.get_mut(i) {
                    *c += 1;
                }
            })
            .map_err(|e| at_position(e, pos))?;
        }
        Ok(counts)
    }

    /// The cases these rules open for `responses`, in a fresh [`CaseBook`](super::CaseBook)
    /// (so with deduplication per customer and reason among them).
    ///
    /// # Errors
    /// As [`CaseBook::ingest`](super::CaseBook::ingest).
    ///
    /// ```
    /// use cem_core::alerts::{Response, RuleSet};
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "d", "priority": "high",
    ///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}]}"#)?;
    /// let t = chrono::Utc::now();
    /// let mut a = Response::new("c-1", t);
    /// a.nps = Some(2);
    /// let cases = rules.evaluate(&[a.clone(), a])?; // the second is a duplicate
    /// assert_eq!(cases.len(), 1);
    /// assert_eq!(cases[0].due, Some(t + chrono::Duration::hours(48)));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn evaluate(&self, responses: &[Response]) -> Result<Vec<Case>> {
        let mut book = super::CaseBook::new();
        book.ingest(self, responses)?;
        Ok(book.cases().to_vec())
    }

    pub(crate) fn rule_at(&self, i: usize) -> Option<(&Rule, Duration)> {
        Some((self.rules.get(i)?, self.compiled.get(i)?.sla))
    }
}

impl Serialize for RuleSet {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Out<'a> {
            rules: &'a [Rule],
        }
        Out { rules: &self.rules }.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RuleSet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct In {
            rules: Vec<Rule>,
        }
        let raw = In::deserialize(d)?;
        RuleSet::new(raw.rules).map_err(serde::de::Error::custom)
    }
}

/// Reusable evaluation state (the lowercased-comment buffer).
#[derive(Debug, Default)]
pub(crate) struct Evaluator {
    scratch: Scratch,
}

impl Evaluator {
    /// Calls `hit(i)` for every rule `i` that matches `r`, in order.
    pub(crate) fn eval(
        &mut self,
        rules: &RuleSet,
        r: &Response,
        mut hit: impl FnMut(usize),
    ) -> Result<()> {
        r.check()?;
        self.scratch.reset();
        for (i, c) in rules.compiled.iter().enumerate() {
            if c.node.eval(r, &mut self.scratch) {
                hit(i);
            }
        }
        Ok(())
    }
}

fn sla(hours: f64) -> std::result::Result<Duration, String> {
    // Up to ten years, in whole milliseconds.
    if !hours.is_finite() || hours <= 0.0 || hours > 87_600.0 {
        return Err(format!(
            "`sla_hours` is `{hours}`; it must be a number in (0, 87600]"
        ));
    }
    let ms = (hours * 3_600_000.0).round() as i64;
    if ms < 1 {
        return Err(format!(
            "`sla_hours` `{hours}` is shorter than a millisecond"
        ));
    }
    Ok(Duration::milliseconds(ms))
}

/// Names the response's position in a value error about one of its fields.
pub(crate) fn at_position(e: Error, pos: usize) -> Error {
    with_place(e, &format!("of the response at position {pos}"))
}
