//! [`EventLog`]: the columnar record of who touched what, when.

use std::collections::HashMap;
use std::fmt::Display;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Interaction;

/// A columnar event log: dictionary-encoded customer and touchpoint ids, `i64` timestamps, an
/// optional numeric value per event and an optional dictionary-encoded channel per event
/// ([`with_channels`](EventLog::with_channels)).
///
/// **Event order.** Events are grouped by customer (customers in order of first appearance in
/// the input) and, within a customer, ordered by timestamp; equal timestamps keep their input
/// order (a stable sort). This order decides directly-follows pairs, starts and ends,
/// variants, sessions and funnels. Unsorted input is fine.
///
/// Timestamps are in whatever unit the caller uses (seconds for [`from_interactions`]);
/// durations come out in the same unit.
///
/// The log remembers the input row of every event ([`input_rows`]), so per-event results
/// such as [`Sessions::of_event`](crate::journey::Sessions::of_event) come back in input
/// order. It serializes with serde and to compact bytes ([`to_bytes`]); both ways back in
/// validate the columns, so a damaged or hostile state is an error, never a broken log.
///
/// [`from_interactions`]: EventLog::from_interactions
/// [`input_rows`]: EventLog::input_rows
/// [`to_bytes`]: EventLog::to_bytes
///
/// # Example
///
/// ```
/// use cem_core::journey::EventLog;
///
/// let log = EventLog::from_rows(&[
///     ("ann", "home", 10),
///     ("bob", "home", 5),
///     ("ann", "cart", 20),
///     ("ann", "pay", 15), // out of order: sorted by time within ann
/// ])?;
/// assert_eq!((log.len(), log.customer_count()), (4, 2));
/// let (touchpoints, times) = log.events_of(0); // ann, the first customer seen
/// let names: Vec<&str> = touchpoints.iter().map(|&t| log.touchpoint_label(t).unwrap()).collect();
/// assert_eq!(names, ["home", "pay", "cart"]);
/// assert_eq!(times, [10, 15, 20]);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawLog")]
pub struct EventLog {
    pub(super) customers: Vec<String>,
    pub(super) touchpoints: Vec<String>,
    /// Touchpoint code of each event, in log order.
    pub(super) touchpoint: Vec<u32>,
    /// Timestamp of each event, in log order.
    pub(super) time: Vec<i64>,
    /// Value of each event, if the log has values.
    pub(super) value: Option<Vec<f64>>,
    /// Channel labels, indexed by channel code (empty without a channel column).
    pub(super) channels: Vec<String>,
    /// Channel code of each event, in log order, if the log has channels.
    pub(super) channel: Option<Vec<u32>>,
    /// Events of customer `c` are `offsets[c]..offsets[c + 1]`.
    pub(super) offsets: Vec<usize>,
    /// Input row of each event, in log order (a permutation of `0..len`).
    pub(super) rows: Vec<u32>,
}

impl EventLog {
    /// Builds a log from dictionary-encoded columns: `customers[i]` and `touchpoints[i]` are
    /// codes into `customer_labels` and `touchpoint_labels`, `times[i]` the timestamp and
    /// `values`, if given, a number per event. Customers without events are dropped from the
    /// log (its customer codes are renumbered by first appearance).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] for columns of different lengths; [`Error::OutOfRange`] for
    /// a code without a label (naming the column and row); [`Error::InvalidNumber`] for a
    /// non-finite value; [`Error::InvalidArgument`] for more than `u32::MAX` events.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_columns(
    ///     &[1, 0, 1],
    ///     vec!["ann".into(), "bob".into()],
    ///     &[0, 0, 1],
    ///     vec!["home".into(), "cart".into()],
    ///     &[3, 1, 2],
    ///     None,
    /// )?;
    /// assert_eq!(log.customer_label(0), Some("bob")); // bob appears first in the input
    /// assert!(EventLog::from_columns(&[2], vec!["a".into()], &[0], vec!["x".into()], &[0], None).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_columns(
        customers: &[u32],
        customer_labels: Vec<String>,
        touchpoints: &[u32],
        touchpoint_labels: Vec<String>,
        times: &[i64],
        values: Option<&[f64]>,
    ) -> Result<EventLog> {
        let n = customers.len();
        if u32::try_from(n).is_err() {
            return Err(Error::invalid_argument(
                "customers",
                format!("a log holds at most {} events, got {n}", u32::MAX),
            ));
        }
        for (name, len) in [("touchpoints", touchpoints.len()), ("times", times.len())]
            .into_iter()
            .chain(values.map(|v| ("values", v.len())))
        {
            if len != n {
                return Err(Error::length_mismatch("customers", n, name, len));
            }
        }
        check_codes("customer", customers, customer_labels.len())?;
        check_codes("touchpoint", touchpoints, touchpoint_labels.len())?;
        if let Some(v) = values
            && let Some(pos) = v.iter().position(|x| !x.is_finite())
        {
            return Err(Error::invalid_number(
                format!("value at row {pos}"),
                v.get(pos).copied().unwrap_or(f64::NAN),
                "is not a finite number",
            ));
        }
        // Renumber customers by first appearance; count events per customer.
        let mut renumber = vec![u32::MAX; customer_labels.len()];
        let mut labels = Vec::new();
        let mut counts: Vec<usize> = Vec::new();
        for &c in customers {
            let Some(slot) = renumber.get_mut(c as usize) else {
                continue;
            };
            if *slot == u32::MAX {
                *slot = u32::try_from(labels.len()).unwrap_or(u32::MAX);
                labels.push(customer_labels.get(c as usize).cloned().unwrap_or_default());
                counts.push(0);
            }
            if let Some(k) = counts.get_mut(*slot as usize) {
                *k += 1;
            }
        }
        let mut offsets = Vec::with_capacity(counts.len() + 1);
        offsets.push(0);
        let mut total = 0;
        for k in &counts {
            total += k;
            offsets.push(total);
        }
        // Counting sort by customer keeps the input order within a customer.
        let mut next: Vec<usize> = offsets.clone();
        let mut order = vec![0usize; n];
        for (i, &c) in customers.iter().enumerate() {
            let code = renumber.get(c as usize).copied().unwrap_or(0) as usize;
            if let Some(pos) = next.get_mut(code) {
                if let Some(o) = order.get_mut(*pos) {
                    *o = i;
                }
                *pos += 1;
            }
        }
        // Within each customer, a stable sort by time.
        for w in offsets.windows(2) {
            if let (Some(&a), Some(&b)) = (w.first(), w.get(1))
                && let Some(block) = order.get_mut(a..b)
            {
                block.sort_by_key(|&i| times.get(i).copied().unwrap_or(0));
            }
        }
        let pick = |col: &[i64]| {
            order
                .iter()
                .map(|&i| col.get(i).copied().unwrap_or(0))
                .collect()
        };
        Ok(EventLog {
            customers: labels,
            touchpoints: touchpoint_labels,
            touchpoint: order
                .iter()
                .map(|&i| touchpoints.get(i).copied().unwrap_or(0))
                .collect(),
            time: pick(times),
            value: values.map(|v| {
                order
                    .iter()
                    .map(|&i| v.get(i).copied().unwrap_or(0.0))
                    .collect()
            }),
            channels: Vec::new(),
            channel: None,
            offsets,
            rows: order
                .iter()
                .map(|&i| u32::try_from(i).unwrap_or(u32::MAX))
                .collect(),
        })
    }

    /// Adds (or replaces) the channel column: `codes[i]` is the channel of input row `i` —
    /// the same rows, in the same order, as the columns the log was built from — as a code
    /// into `labels`. The log reorders its events by customer and time; the channels follow
    /// their events (through [`input_rows`](EventLog::input_rows)).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `codes` is not one per event; [`Error::OutOfRange`] for
    /// a code without a label (naming the row).
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("ann", "home", 20), ("bob", "home", 5), ("ann", "cart", 10)])?
    ///     .with_channels(&[0, 1, 1], vec!["web".into(), "app".into()])?;
    /// // ann's events by time: cart (row 2, app), then home (row 0, web).
    /// assert_eq!(log.channels_of(0), Some(&[1, 0][..]));
    /// assert_eq!(log.channel_label(1), Some("app"));
    /// assert!(log.clone().with_channels(&[0, 2, 0], vec!["web".into(), "app".into()]).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_channels(mut self, codes: &[u32], labels: Vec<String>) -> Result<EventLog> {
        if codes.len() != self.len() {
            return Err(Error::length_mismatch(
                "events",
                self.len(),
                "channels",
                codes.len(),
            ));
        }
        check_codes("channel", codes, labels.len())?;
        self.channel = Some(
            (self.rows.iter())
                .map(|&r| codes.get(r as usize).copied().unwrap_or(0))
                .collect(),
        );
        self.channels = labels;
        Ok(self)
    }

    /// [`with_channels`](EventLog::with_channels) from channel ids of any hashable, printable
    /// type, dictionary-encoded in order of first appearance (labels are the ids' text).
    ///
    /// # Errors
    /// [`Error::LengthMismatch`] when `ids` is not one per event.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("ann", "home", 2), ("ann", "call", 1)])?
    ///     .with_channel_ids(&["web", "phone"])?;
    /// assert_eq!(log.channel_labels(), ["web", "phone"]);
    /// assert_eq!(log.channel_column(), Some(&[1, 0][..])); // call (phone) came first
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn with_channel_ids<K: Hash + Eq + Display>(self, ids: &[K]) -> Result<EventLog> {
        let (codes, labels) = encode(ids);
        self.with_channels(&codes, labels)
    }

    /// Builds a log from id columns of any hashable, printable type — integer ids (`u32`,
    /// `u64`, `i64`, ...) as well as texts: each column is dictionary-encoded in order of
    /// first appearance, and the labels are the ids' decimal text (`10` → `"10"`).
    ///
    /// # Errors
    /// As [`from_columns`](EventLog::from_columns).
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_ids(&[10_u64, 10, 7], &[3_i64, -1, 3], &[0, 5, 0], None)?;
    /// assert_eq!(log.customer_labels(), ["10", "7"]);
    /// assert_eq!(log.touchpoint_labels(), ["3", "-1"]);
    /// assert_eq!(log.dfg().edges[0].count, 1); // 3 -> -1, for customer 10
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_ids<C, T>(
        customers: &[C],
        touchpoints: &[T],
        times: &[i64],
        values: Option<&[f64]>,
    ) -> Result<EventLog>
    where
        C: Hash + Eq + Display,
        T: Hash + Eq + Display,
    {
        let (c, c_labels) = encode(customers);
        let (t, t_labels) = encode(touchpoints);
        EventLog::from_columns(&c, c_labels, &t, t_labels, times, values)
    }

    /// Builds a log from `(customer, touchpoint, time)` rows.
    ///
    /// # Errors
    /// None in practice (the columns it builds are consistent); returns `Result` like every
    /// constructor.
    ///
    /// ```
    /// let log = cem_core::journey::EventLog::from_rows(&[("c1", "web", 1), ("c1", "store", 2)])?;
    /// assert_eq!(log.touchpoint_code("store"), Some(1));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_rows(rows: &[(&str, &str, i64)]) -> Result<EventLog> {
        let mut customers = Dictionary::default();
        let mut touchpoints = Dictionary::default();
        let (mut c, mut t, mut ts) = (Vec::new(), Vec::new(), Vec::new());
        for &(customer, touchpoint, time) in rows {
            c.push(customers.code(customer));
            t.push(touchpoints.code(touchpoint));
            ts.push(time);
        }
        EventLog::from_columns(&c, customers.labels, &t, touchpoints.labels, &ts, None)
    }

    /// Builds a log from [`Interaction`]s: customer ids, touchpoint ids, timestamps in
    /// seconds since 1970-01-01 UTC, and [`Interaction::value`] as the value column when any
    /// interaction has one (missing values become 0 — say so if that matters to you).
    ///
    /// # Errors
    /// [`Error::InvalidNumber`] for a non-finite value.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// use cem_core::model::{CustomerId, Interaction};
    /// use chrono::{TimeZone, Utc};
    /// let rows = vec![
    ///     Interaction::new(CustomerId::from("c"), "web-cart", Utc.timestamp_opt(60, 0).unwrap()),
    ///     Interaction::new(CustomerId::from("c"), "web-home", Utc.timestamp_opt(0, 0).unwrap()),
    /// ];
    /// let log = EventLog::from_interactions(&rows)?;
    /// assert_eq!(log.events_of(0).1, [0, 60]);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_interactions(rows: &[Interaction]) -> Result<EventLog> {
        let mut customers = Dictionary::default();
        let mut touchpoints = Dictionary::default();
        let mut c = Vec::with_capacity(rows.len());
        let mut t = Vec::with_capacity(rows.len());
        let mut ts = Vec::with_capacity(rows.len());
        let has_values = rows.iter().any(|r| r.value.is_some());
        let mut v = Vec::with_capacity(if has_values { rows.len() } else { 0 });
        for r in rows {
            c.push(customers.code(r.customer.as_str()));
            t.push(touchpoints.code(&r.touchpoint));
            ts.push(r.time.timestamp());
            if has_values {
                v.push(r.value.unwrap_or(0.0));
            }
        }
        EventLog::from_columns(
            &c,
            customers.labels,
            &t,
            touchpoints.labels,
            &ts,
            has_values.then_some(v.as_slice()),
        )
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.touchpoint.len()
    }

    /// Whether the log has no events.
    pub fn is_empty(&self) -> bool {
        self.touchpoint.is_empty()
    }

    /// Number of customers (with at least one event).
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }

    /// Number of touchpoint labels.
    pub fn touchpoint_count(&self) -> usize {
        self.touchpoints.len()
    }

    /// The label of customer `code`.
    pub fn customer_label(&self, code: u32) -> Option<&str> {
        self.customers.get(code as usize).map(String::as_str)
    }

    /// The label of touchpoint `code`.
    pub fn touchpoint_label(&self, code: u32) -> Option<&str> {
        self.touchpoints.get(code as usize).map(String::as_str)
    }

    /// The code of the touchpoint labelled `label`.
    pub fn touchpoint_code(&self, label: &str) -> Option<u32> {
        self.touchpoints
            .iter()
            .position(|t| t == label)
            .and_then(|p| u32::try_from(p).ok())
    }

    /// Touchpoint labels, indexed by code.
    pub fn touchpoint_labels(&self) -> &[String] {
        &self.touchpoints
    }

    /// Customer labels, indexed by code.
    pub fn customer_labels(&self) -> &[String] {
        &self.customers
    }

    /// The touchpoint codes and timestamps of customer `code`'s events, in event order
    /// (empty for an unknown code).
    pub fn events_of(&self, code: u32) -> (&[u32], &[i64]) {
        let range = self.range(code as usize);
        (
            self.touchpoint.get(range.clone()).unwrap_or_default(),
            self.time.get(range).unwrap_or_default(),
        )
    }

    /// The values of customer `code`'s events, when the log has values.
    pub fn values_of(&self, code: u32) -> Option<&[f64]> {
        let range = self.range(code as usize);
        self.value
            .as_ref()
            .map(|v| v.get(range).unwrap_or_default())
    }

    /// Whether the log has a channel column.
    pub fn has_channels(&self) -> bool {
        self.channel.is_some()
    }

    /// Channel labels, indexed by code (empty without a channel column).
    pub fn channel_labels(&self) -> &[String] {
        &self.channels
    }

    /// The label of channel `code`.
    pub fn channel_label(&self, code: u32) -> Option<&str> {
        self.channels.get(code as usize).map(String::as_str)
    }

    /// The channel codes of customer `code`'s events, in event order, when the log has
    /// channels.
    pub fn channels_of(&self, code: u32) -> Option<&[u32]> {
        let range = self.range(code as usize);
        self.channel
            .as_ref()
            .map(|v| v.get(range).unwrap_or_default())
    }

    /// The channel code of event `event` (an index in log order), when the log has channels
    /// and the event exists.
    pub fn channel_of_event(&self, event: usize) -> Option<u32> {
        self.channel.as_ref().and_then(|v| v.get(event).copied())
    }

    /// Channel codes of every event, in log order, when the log has channels.
    pub fn channel_column(&self) -> Option<&[u32]> {
        self.channel.as_deref()
    }

    /// Iterates over customers: `(customer code, touchpoints, times)`.
    pub fn journeys(&self) -> impl Iterator<Item = (u32, &[u32], &[i64])> + '_ {
        (0..self.customers.len()).map(|c| {
            let code = u32::try_from(c).unwrap_or(u32::MAX);
            let (t, ts) = self.events_of(code);
            (code, t, ts)
        })
    }

    /// Touchpoint codes of every event, in log order.
    pub fn touchpoint_column(&self) -> &[u32] {
        &self.touchpoint
    }

    /// Timestamps of every event, in log order.
    pub fn time_column(&self) -> &[i64] {
        &self.time
    }

    /// The input row of every event, in log order: event `i` of the log was row
    /// `input_rows()[i]` of the columns it was built from (a permutation of `0..len`).
    ///
    /// ```
    /// let log = cem_core::journey::EventLog::from_rows(&[("a", "x", 5), ("b", "y", 0), ("a", "z", 1)])?;
    /// assert_eq!(log.input_rows(), [2, 0, 1]); // a's events by time, then b's
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn input_rows(&self) -> &[u32] {
        &self.rows
    }

    fn range(&self, c: usize) -> std::ops::Range<usize> {
        let a = self.offsets.get(c).copied().unwrap_or(0);
        let b = self.offsets.get(c + 1).copied().unwrap_or(a);
        a..b
    }

    /// Heap bytes held by the columns (not the labels).
    pub fn column_bytes(&self) -> usize {
        self.touchpoint.len() * 4
            + self.time.len() * 8
            + self.value.as_ref().map_or(0, |v| v.len() * 8)
            + self.channel.as_ref().map_or(0, |v| v.len() * 4)
            + self.offsets.len() * 8
            + self.rows.len() * 4
    }

    /// Checks every invariant the methods rely on (after deserializing a state).
    pub(super) fn validate(&self) -> Result<()> {
        let n = self.touchpoint.len();
        let bad = |what: String| Err(Error::Json(format!("invalid event log: {what}")));
        if self.time.len() != n || self.rows.len() != n {
            return bad("its columns differ in length".into());
        }
        if self.value.as_ref().is_some_and(|v| v.len() != n) {
            return bad("its value column differs in length".into());
        }
        if self.channel.as_ref().is_some_and(|v| v.len() != n) {
            return bad("its channel column differs in length".into());
        }
        if self.channel.is_none() && !self.channels.is_empty() {
            return bad("it has channel labels but no channel column".into());
        }
        if let Some(c) =
            (self.channel.iter().flatten()).find(|&&c| c as usize >= self.channels.len())
        {
            return bad(format!("channel code `{c}` has no label"));
        }
        if self.offsets.len() != self.customers.len() + 1
            || self.offsets.first() != Some(&0)
            || self.offsets.last() != Some(&n)
            || self.offsets.windows(2).any(|w| w.first() >= w.get(1))
        {
            return bad("its customer offsets are inconsistent".into());
        }
        if let Some(c) = (self.touchpoint.iter()).find(|&&c| c as usize >= self.touchpoints.len()) {
            return bad(format!("touchpoint code `{c}` has no label"));
        }
        for w in self.offsets.windows(2) {
            let (a, b) = (
                w.first().copied().unwrap_or(0),
                w.get(1).copied().unwrap_or(0),
            );
            if (self.time.get(a..b).unwrap_or_default().windows(2)).any(|t| t.first() > t.get(1)) {
                return bad("a customer's events are not in time order".into());
            }
        }
        if self.value.iter().flatten().any(|x| !x.is_finite()) {
            return bad("a value is not finite".into());
        }
        let mut seen = vec![false; n];
        for &r in &self.rows {
            match seen.get_mut(r as usize) {
                Some(s) if !*s => *s = true,
                _ => return bad("its input rows are not a permutation".into()),
            }
        }
        Ok(())
    }
}

/// The serialized form of [`EventLog`], validated into one.
#[derive(Deserialize)]
struct RawLog {
    customers: Vec<String>,
    touchpoints: Vec<String>,
    touchpoint: Vec<u32>,
    time: Vec<i64>,
    value: Option<Vec<f64>>,
    #[serde(default)]
    channels: Vec<String>,
    #[serde(default)]
    channel: Option<Vec<u32>>,
    offsets: Vec<usize>,
    rows: Vec<u32>,
}

impl TryFrom<RawLog> for EventLog {
    type Error = Error;

    fn try_from(r: RawLog) -> Result<EventLog> {
        let log = EventLog {
            customers: r.customers,
            touchpoints: r.touchpoints,
            touchpoint: r.touchpoint,
            time: r.time,
            value: r.value,
            channels: r.channels,
            channel: r.channel,
            offsets: r.offsets,
            rows: r.rows,
        };
        log.validate()?;
        Ok(log)
    }
}

/// Dictionary-encodes a column in order of first appearance; labels are the decimal text.
fn encode<K: Hash + Eq + Display>(column: &[K]) -> (Vec<u32>, Vec<String>) {
    let mut index: HashMap<&K, u32> = HashMap::new();
    let mut labels = Vec::new();
    let codes = (column.iter())
        .map(|k| {
            *index.entry(k).or_insert_with(|| {
                labels.push(k.to_string());
                u32::try_from(labels.len() - 1).unwrap_or(u32::MAX)
            })
        })
        .collect();
    (codes, labels)
}

/// Checks that every code has a label.
fn check_codes(what: &str, codes: &[u32], labels: usize) -> Result<()> {
    match codes.iter().position(|&c| c as usize >= labels) {
        Some(row) => Err(Error::out_of_range(
            format!("{what} code at row {row}"),
            codes.get(row).copied().unwrap_or(0),
            format!("0..{labels} (the {what} labels given)"),
        )),
        None => Ok(()),
    }
}

/// Text → dense `u32` code, in order of first appearance.
#[derive(Default)]
pub(crate) struct Dictionary {
    codes: HashMap<String, u32>,
    pub(crate) labels: Vec<String>,
}

impl Dictionary {
    pub(crate) fn code(&mut self, label: &str) -> u32 {
        if let Some(&c) = self.codes.get(label) {
            return c;
        }
        let c = u32::try_from(self.labels.len()).unwrap_or(u32::MAX);
        self.codes.insert(label.to_owned(), c);
        self.labels.push(label.to_owned());
        c
    }
}
