//! [`CaseBook`]: the cases the rules opened, their lifecycle with an audit trail, SLA
//! escalation, and what the closed-loop figures need to know about detractors.

use std::collections::{BTreeMap, HashMap};

use serde::Serializer;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::figures::{ClosedLoopFigures, figures};
use crate::alerts::response::Response;
use crate::alerts::rule::{Evaluator, RuleSet, at_position};
use crate::error::{Error, Result};
use crate::model::{Case, CaseStatus, CaseTransition};

/// The cases opened by alert rules, and everything done with them.
///
/// **Opening.** [`ingest`](Self::ingest) evaluates a [`RuleSet`] on responses; each matching
/// rule opens a case (`case-1`, `case-2`, ...) for the response's customer, opened at the
/// response's time with the rule's reason, priority and deadline (`time + sla_hours`) —
/// unless that customer already has an *active* (open or in progress) case with the same
/// reason: then nothing is opened and [`duplicates`](Self::duplicates) counts it.
///
/// **Lifecycle.** `open → in_progress → resolved → closed`, and `resolved`/`closed → open`
/// (reopen). Anything else is an [`Error::IllegalTransition`]. Every move is recorded in the
/// case's [`history`](Case::history) with who, when, from, to and a note.
///
/// **SLA.** A case's deadline is for reaching `resolved` (or `closed`). [`tick`](Self::tick)
/// escalates every active case past its deadline once: its priority goes up one level and
/// the trail records it (`who = "sla"`, `from == to`).
///
/// The book is plain data: it serializes with serde (JSON), and reads back to the same book.
///
/// # Example
///
/// ```
/// use cem_core::alerts::{CaseBook, Response, RuleSet};
/// use cem_core::model::{CaseStatus, Priority};
/// use chrono::{Duration, TimeZone, Utc};
///
/// let rules = RuleSet::from_json(r#"{"rules": [{"name": "detractor", "priority": "high",
///     "sla_hours": 24, "when": {"field": "nps", "at_most": 6}}]}"#)?;
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
/// let mut r = Response::new("c-1", t0);
/// r.nps = Some(3);
/// let mut book = CaseBook::new();
/// assert_eq!(book.ingest(&rules, &[r.clone(), r])?, vec!["case-1"]);
/// assert_eq!(book.duplicates(), 1);
///
/// book.transition("case-1", CaseStatus::InProgress, "agent-7", t0 + Duration::hours(2), Some("called back"))?;
/// assert!(book.transition("case-1", CaseStatus::Closed, "agent-7", t0 + Duration::hours(3), None).is_err());
/// assert_eq!(book.tick(t0 + Duration::hours(30)), vec!["case-1"]);
/// assert_eq!(book.case("case-1").unwrap().priority, Priority::Urgent);
/// let figures = book.figures(t0 + Duration::hours(30));
/// assert_eq!(figures.time_to_first_response.unwrap().median, 2.0);
/// assert_eq!(figures.sla_breach_rate, Some(1.0));
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawCaseBook")]
pub struct CaseBook {
    cases: Vec<Case>,
    next: u64,
    duplicates: u64,
    #[serde(serialize_with = "sorted")]
    scores: HashMap<String, NpsTrack>,
    /// customer → (reason, case index) of their active cases.
    #[serde(skip)]
    active: HashMap<String, Vec<(String, usize)>>,
}

/// Writes a map in key order, so the same book always gives the same JSON.
fn sorted<S: Serializer>(
    map: &HashMap<String, NpsTrack>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    let ordered: BTreeMap<&String, &NpsTrack> = map.iter().collect();
    ordered.serialize(s)
}

/// What the recovery figures need about one customer's NPS answers: their first detractor
/// answer (0–6) and their last answer of 7 or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct NpsTrack {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_detractor: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_recovered: Option<DateTime<Utc>>,
}

impl Default for CaseBook {
    fn default() -> Self {
        CaseBook::new()
    }
}

impl CaseBook {
    /// An empty book.
    ///
    /// ```
    /// assert!(cem_core::alerts::CaseBook::new().cases().is_empty());
    /// ```
    pub fn new() -> Self {
        CaseBook {
            cases: Vec::new(),
            next: 1,
            duplicates: 0,
            scores: HashMap::new(),
            active: HashMap::new(),
        }
    }

    /// Evaluates `rules` on `responses` (in the order given) and opens the cases they call
    /// for; returns the ids of the cases opened. NPS answers are also remembered for the
    /// recovery figures.
    ///
    /// All or nothing: every response is checked first ([`Response::check`]); on an error
    /// the book is unchanged.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] / [`Error::InvalidNumber`] naming the field and the response's
    /// position.
    ///
    /// ```
    /// use cem_core::alerts::{CaseBook, Response, RuleSet};
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "d", "priority": "high",
    ///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}]}"#)?;
    /// let mut bad = Response::new("c", chrono::Utc::now());
    /// bad.nps = Some(11);
    /// let err = CaseBook::new().ingest(&rules, &[bad]).unwrap_err();
    /// assert_eq!(err.to_string(), "NPS score of the response at position 0 `11` is outside 0..=10");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn ingest(&mut self, rules: &RuleSet, responses: &[Response]) -> Result<Vec<String>> {
        for (pos, r) in responses.iter().enumerate() {
            r.check().map_err(|e| at_position(e, pos))?;
        }
        let mut ev = Evaluator::default();
        let mut hits = Vec::new();
        let mut opened = Vec::new();
        for (pos, r) in responses.iter().enumerate() {
            self.remember_score(r);
            hits.clear();
            ev.eval(rules, r, |i| hits.push(i))
                .map_err(|e| at_position(e, pos))?;
            for &i in &hits {
                let Some((rule, sla)) = rules.rule_at(i) else {
                    continue;
                };
                if self
                    .active_case(r.customer.as_str(), rule.reason())
                    .is_some()
                {
                    self.duplicates += 1;
                    continue;
                }
                let id = format!("case-{}", self.next);
                self.next += 1;
                let mut case = Case::open(
                    id.clone(),
                    r.customer.clone(),
                    r.time,
                    rule.priority,
                    rule.reason(),
                );
                case.due = r.time.checked_add_signed(sla);
                case.rule = Some(rule.name.clone());
                let at = self.cases.len();
                self.cases.push(case);
                self.set_active(r.customer.as_str(), rule.reason(), Some(at));
                opened.push(id);
            }
        }
        Ok(opened)
    }

    /// Moves case `id` to status `to` at `when`, by `who`, with an optional note, and records
    /// it in the audit trail. Moving to `closed` sets [`Case::closed`]; reopening clears it.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown case id; [`Error::IllegalTransition`] for a
    /// move the lifecycle does not allow, or a reopen while the customer has another active
    /// case with the same reason; [`Error::OutOfOrder`] when `when` is before the case's last
    /// event.
    ///
    /// ```
    /// use cem_core::alerts::{CaseBook, Response, RuleSet};
    /// use cem_core::model::CaseStatus;
    /// let rules = RuleSet::from_json(r#"{"rules": [{"name": "d", "priority": "high",
    ///     "sla_hours": 48, "when": {"field": "nps", "at_most": 6}}]}"#)?;
    /// let t = chrono::Utc::now();
    /// let mut r = Response::new("c", t);
    /// r.nps = Some(0);
    /// let mut book = CaseBook::new();
    /// book.ingest(&rules, &[r])?;
    /// let err = book.transition("case-1", CaseStatus::Resolved, "a", t, None).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::IllegalTransition);
    /// assert_eq!(err.to_string(), "case `case-1` cannot go from `open` to `resolved`: from `open` a case can go to `in_progress`");
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn transition(
        &mut self,
        id: &str,
        to: CaseStatus,
        who: &str,
        when: DateTime<Utc>,
        note: Option<&str>,
    ) -> Result<&Case> {
        let unknown = || Error::invalid_argument("case", format!("there is no case `{id}`"));
        let at = self.index_of(id).ok_or_else(unknown)?;
        let case = self.cases.get(at).ok_or_else(unknown)?;
        let from = case.status;
        let illegal = |reason: String| Error::IllegalTransition {
            case: id.to_owned(),
            from: from.name().to_owned(),
            to: to.name().to_owned(),
            reason,
        };
        let allowed = allowed_from(from);
        if !allowed.contains(&to) {
            let names: Vec<String> = allowed.iter().map(|s| format!("`{}`", s.name())).collect();
            return Err(illegal(format!(
                "from `{}` a case can go to {}",
                from.name(),
                names.join(" or ")
            )));
        }
        if to == CaseStatus::Open
            && let Some(other) = self
                .active_case(case.customer.as_str(), &case.reason)
                .and_then(|o| self.cases.get(o))
        {
            return Err(illegal(format!(
                "the customer already has the active case `{}` with the reason `{}`",
                other.id, case.reason
            )));
        }
        let last = case.history.last().map_or(case.opened, |t| t.time);
        if when < last {
            return Err(Error::OutOfOrder {
                what: format!("the transition of case `{id}`"),
                previous: last.to_rfc3339(),
                got: when.to_rfc3339(),
            });
        }
        let (customer, reason) = (case.customer.to_string(), case.reason.clone());
        self.set_active(&customer, &reason, to.is_active().then_some(at));
        let case = self.cases.get_mut(at).ok_or_else(unknown)?;
        case.status = to;
        case.closed = (to == CaseStatus::Closed).then_some(when);
        if to == CaseStatus::Open {
            case.escalated = None;
        }
        case.history.push(CaseTransition {
            time: when,
            who: who.to_owned(),
            from,
            to,
            note: note.map(str::to_owned),
        });
        Ok(case)
    }

    /// Escalates every active case whose deadline is before `now` and that was not escalated
    /// yet: priority one level up, [`Case::escalated`] set to `now`, an entry in the trail.
    /// Returns the ids escalated, in case order. A reopened case keeps its first deadline and
    /// can be escalated again.
    ///
    /// ```
    /// use cem_core::alerts::CaseBook;
    /// assert!(CaseBook::new().tick(chrono::Utc::now()).is_empty());
    /// ```
    pub fn tick(&mut self, now: DateTime<Utc>) -> Vec<String> {
        let mut out = Vec::new();
        for case in &mut self.cases {
            let overdue = case.due.is_some_and(|d| d < now);
            if case.status.is_active() && overdue && case.escalated.is_none() {
                let old = case.priority;
                case.priority = old.raised();
                case.escalated = Some(now);
                case.history.push(CaseTransition {
                    time: now,
                    who: "sla".to_owned(),
                    from: case.status,
                    to: case.status,
                    note: Some(format!(
                        "escalated: deadline {} missed, priority {} -> {}",
                        case.due.map(|d| d.to_rfc3339()).unwrap_or_default(),
                        old.name(),
                        case.priority.name()
                    )),
                });
                out.push(case.id.clone());
            }
        }
        out
    }

    /// Every case, in the order opened.
    ///
    /// ```
    /// assert_eq!(cem_core::alerts::CaseBook::new().cases().len(), 0);
    /// ```
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// The case with this id.
    ///
    /// ```
    /// assert!(cem_core::alerts::CaseBook::new().case("case-1").is_none());
    /// ```
    pub fn case(&self, id: &str) -> Option<&Case> {
        self.index_of(id).and_then(|i| self.cases.get(i))
    }

    /// How many rule matches opened nothing because the customer already had an active case
    /// with the same reason.
    ///
    /// ```
    /// assert_eq!(cem_core::alerts::CaseBook::new().duplicates(), 0);
    /// ```
    pub fn duplicates(&self) -> u64 {
        self.duplicates
    }

    /// The closed-loop figures at time `now` (see [`ClosedLoopFigures`]).
    ///
    /// ```
    /// let f = cem_core::alerts::CaseBook::new().figures(chrono::Utc::now());
    /// assert_eq!(f.cases, 0);
    /// assert!(f.time_to_close.is_none() && f.sla_breach_rate.is_none());
    /// ```
    pub fn figures(&self, now: DateTime<Utc>) -> ClosedLoopFigures {
        figures(&self.cases, &self.scores, now)
    }

    /// The book as JSON text.
    ///
    /// # Errors
    /// [`Error::Json`] if serialization fails (it does not).
    ///
    /// ```
    /// use cem_core::alerts::CaseBook;
    /// let book = CaseBook::new();
    /// assert_eq!(CaseBook::from_json(&book.to_json()?)?, book);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// Reads a book written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an inconsistent book (duplicate case ids, two
    /// active cases for one customer and reason).
    ///
    /// ```
    /// assert!(cem_core::alerts::CaseBook::from_json("{}").is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<CaseBook> {
        Ok(serde_json::from_str(text)?)
    }

    /// Case ids are `case-N`, N counting from 1 in the order opened; cases are never removed.
    fn index_of(&self, id: &str) -> Option<usize> {
        let n: usize = id.strip_prefix("case-")?.parse().ok()?;
        let at = n.checked_sub(1)?;
        (self.cases.get(at)?.id == id).then_some(at)
    }

    fn active_case(&self, customer: &str, reason: &str) -> Option<usize> {
        self.active
            .get(customer)?
            .iter()
            .find(|(r, _)| r == reason)
            .map(|&(_, at)| at)
    }

    /// Records case `at` as the active one for (customer, reason), or none with `None`.
    fn set_active(&mut self, customer: &str, reason: &str, at: Option<usize>) {
        let list = match self.active.get_mut(customer) {
            Some(list) => list,
            None => self.active.entry(customer.to_owned()).or_default(),
        };
        list.retain(|(r, _)| r != reason);
        if let Some(at) = at {
            list.push((reason.to_owned(), at));
        }
        if list.is_empty() {
            self.active.remove(customer);
        }
    }

    fn remember_score(&mut self, r: &Response) {
        let Some(nps) = r.nps else { return };
        let track = match self.scores.get_mut(r.customer.as_str()) {
            Some(t) => t,
            None => self.scores.entry(r.customer.to_string()).or_default(),
        };
        if nps <= 6 {
            if track.first_detractor.is_none_or(|t| r.time < t) {
                track.first_detractor = Some(r.time);
            }
        } else if track.last_recovered.is_none_or(|t| r.time > t) {
            track.last_recovered = Some(r.time);
        }
    }
}

/// The statuses a case may move to from `from`.
fn allowed_from(from: CaseStatus) -> &'static [CaseStatus] {
    match from {
        CaseStatus::Open => &[CaseStatus::InProgress],
        CaseStatus::InProgress => &[CaseStatus::Resolved],
        CaseStatus::Resolved => &[CaseStatus::Closed, CaseStatus::Open],
        CaseStatus::Closed => &[CaseStatus::Open],
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCaseBook {
    cases: Vec<Case>,
    next: u64,
    duplicates: u64,
    scores: HashMap<String, NpsTrack>,
}

impl TryFrom<RawCaseBook> for CaseBook {
    type Error = String;
    fn try_from(raw: RawCaseBook) -> std::result::Result<Self, String> {
        let mut book = CaseBook {
            cases: raw.cases,
            next: raw.next,
            duplicates: raw.duplicates,
            scores: raw.scores,
            active: HashMap::new(),
        };
        let mut pairs = Vec::new();
        for (i, c) in book.cases.iter().enumerate() {
            if c.id != format!("case-{}", i + 1) {
                return Err(format!(
                    "case {} has the id `{}`, expected `case-{}`",
                    i + 1,
                    c.id,
                    i + 1
                ));
            }
            if c.status.is_active() {
                pairs.push((c.customer.to_string(), c.reason.clone(), i));
            }
        }
        if book.next != book.cases.len() as u64 + 1 {
            return Err(format!(
                "`next` is {} for {} cases",
                book.next,
                book.cases.len()
            ));
        }
        for (customer, reason, i) in pairs {
            if book.active_case(&customer, &reason).is_some() {
                return Err(format!(
                    "customer `{customer}` has two active cases with the reason `{reason}`"
                ));
            }
            book.set_active(&customer, &reason, Some(i));
        }
        Ok(book)
    }
}
