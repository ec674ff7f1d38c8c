//! Sessions: a customer's events split at inactivity gaps.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journey::EventLog;

/// One session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The customer's code.
    pub customer: u32,
    /// Timestamp of its first event.
    pub start: i64,
    /// Timestamp of its last event.
    pub end: i64,
    /// Number of events.
    pub events: u32,
}

/// The sessions of a log: the session of every event (in input order) and the sessions table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sessions {
    /// Session index (into `sessions`) of each event, in **input order**: `of_event[i]` is
    /// the session of row `i` of the columns the log was built from, so it can be attached
    /// to the caller's table as it is.
    pub of_event: Vec<u32>,
    /// The sessions, by customer and time.
    pub sessions: Vec<Session>,
}

impl EventLog {
    /// Splits each customer's events into sessions: a new session starts at a customer's first
    /// event and at every event whose gap to the previous one is strictly greater than `gap`
    /// (in the log's time unit; 30 minutes is `1800` for seconds).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a negative gap.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 1800), ("a", "z", 3601), ("b", "x", 0)])?;
    /// let s = log.sessions(1800)?;
    /// assert_eq!(s.of_event, vec![0, 0, 1, 2]); // a gap of exactly 1800 stays in the session
    /// assert_eq!(s.sessions[1].start, 3601);
    /// // Session ids follow the input rows, whatever their order:
    /// let shuffled = EventLog::from_rows(&[("b", "x", 0), ("a", "z", 3601), ("a", "x", 0)])?;
    /// assert_eq!(shuffled.sessions(1800)?.of_event, vec![0, 2, 1]); // b first seen: session 0
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn sessions(&self, gap: i64) -> Result<Sessions> {
        if gap < 0 {
            return Err(Error::invalid_argument(
                "gap",
                format!("the inactivity gap `{gap}` is negative"),
            ));
        }
        let mut of_event = vec![0u32; self.len()];
        let mut rows = self.input_rows().iter();
        let mut sessions: Vec<Session> = Vec::new();
        for (customer, _, times) in self.journeys() {
            let mut previous: Option<i64> = None;
            for &t in times {
                let new = match previous {
                    None => true,
                    Some(p) => t.saturating_sub(p) > gap,
                };
                if new {
                    sessions.push(Session {
                        customer,
                        start: t,
                        end: t,
                        events: 0,
                    });
                }
                if let Some(s) = sessions.last_mut() {
                    s.end = t;
                    s.events += 1;
                }
                if let Some(slot) = rows.next().and_then(|&r| of_event.get_mut(r as usize)) {
                    *slot = u32::try_from(sessions.len().saturating_sub(1)).unwrap_or(u32::MAX);
                }
                previous = Some(t);
            }
        }
        Ok(Sessions { of_event, sessions })
    }
}
