//! Omnichannel consistency: do the same customers score the company differently depending
//! on the channel they used?

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journey::{FeedbackJoin, JoinedFeedback};
use crate::metrics::{Estimate, Mean};

/// How one customer's scores differ between two channels, over the customers who gave
/// feedback after both.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChannelPair {
    /// The first channel's code (the smaller one).
    pub a: u32,
    /// The second channel's code.
    pub b: u32,
    /// Customers with feedback after both channels.
    pub customers: u64,
    /// Mean over those customers of (their mean score after `a`) − (after `b`), with a
    /// Student t interval; `None` with fewer than two customers.
    pub difference: Option<Estimate>,
    /// Mean of the absolute differences: how far apart a customer's scores are, whatever the
    /// direction; `None` with fewer than two customers.
    pub spread: Option<Estimate>,
}

impl FeedbackJoin {
    /// For customers who gave feedback after touchpoints of several channels, compares their
    /// scores by channel pair (within-customer differences, so customers who are simply
    /// harsher do not count as inconsistency). `channel_of[t]` is the channel code of
    /// touchpoint code `t` (for example from [`crate::model::Touchpoint::channel`]); a
    /// response counts for the channel of its last touchpoint. Pairs sorted by channel codes.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a touchpoint that precedes a response has no entry in
    /// `channel_of`; [`Error::OutOfRange`] for a bad confidence.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[
    ///     ("a", "web", 0), ("a", "store", 10), ("b", "web", 0), ("b", "store", 10), ("c", "web", 0), ("c", "store", 10),
    /// ])?;
    /// // Each customer answers after the web (time 5) and after the store (time 15).
    /// let join = log.with_feedback(&["a", "a", "b", "b", "c", "c"], &[5, 15, 5, 15, 5, 15], &[6, 9, 7, 9, 8, 10], None)?;
    /// let channel_of = [0, 1]; // web -> channel 0, store -> channel 1
    /// let pairs = join.channel_consistency(&channel_of, 0.95)?;
    /// let d = pairs[0].difference.unwrap();
    /// assert_eq!((pairs[0].customers, d.value), (3, -7.0 / 3.0)); // web scores 2.33 lower
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn channel_consistency(
        &self,
        channel_of: &[u32],
        confidence: f64,
    ) -> Result<Vec<ChannelPair>> {
        self.consistency_by(confidence, |_, t| {
            channel_of.get(t as usize).copied().ok_or_else(|| {
                Error::invalid_argument(
                    "channel_of",
                    format!(
                        "touchpoint code `{t}` has no channel (channel_of has {} entries)",
                        channel_of.len()
                    ),
                )
            })
        })
    }

    /// [`channel_consistency`](FeedbackJoin::channel_consistency) with the channel of each
    /// response's last *event*, from the log's own channel column
    /// ([`EventLog::with_channels`]): the same touchpoint may then count for different
    /// channels. Channel codes are the log's ([`EventLog::channel_label`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when a response after some event has no channel (the join
    /// was made on a log without channels);
    /// [`Error::OutOfRange`] for a bad confidence.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[
    ///     ("a", "buy", 0), ("a", "buy", 10), ("b", "buy", 0), ("b", "buy", 10), ("c", "buy", 0), ("c", "buy", 10),
    /// ])?
    /// .with_channel_ids(&["web", "store", "web", "store", "web", "store"])?;
    /// let join = log.with_feedback(&["a", "a", "b", "b", "c", "c"], &[5, 15, 5, 15, 5, 15], &[6, 9, 7, 9, 8, 10], None)?;
    /// let pairs = join.event_channel_consistency(0.95)?;
    /// assert_eq!((pairs[0].a, pairs[0].b), (0, 1)); // web, store
    /// assert_eq!(pairs[0].difference.unwrap().value, -7.0 / 3.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn event_channel_consistency(&self, confidence: f64) -> Result<Vec<ChannelPair>> {
        self.consistency_by(confidence, |r, _| {
            r.last_channel.ok_or_else(|| {
                Error::invalid_argument(
                    "channels",
                    "the event log has no channel column (build it with channels, or pass \
                     channel_of)",
                )
            })
        })
    }

    /// The per-channel-pair comparison, with `channel(row, last touchpoint)` giving the
    /// channel a response counts for.
    fn consistency_by(
        &self,
        confidence: f64,
        channel: impl Fn(&JoinedFeedback, u32) -> Result<u32>,
    ) -> Result<Vec<ChannelPair>> {
        crate::error::check_confidence(confidence)?;
        // Per customer and channel: sum and count of scores.
        let mut by_customer: BTreeMap<u32, BTreeMap<u32, (f64, u64)>> = BTreeMap::new();
        for r in &self.rows {
            let (Some(c), Some(t)) = (r.customer, r.last) else {
                continue;
            };
            let channel = channel(r, t)?;
            let e = by_customer
                .entry(c)
                .or_default()
                .entry(channel)
                .or_insert((0.0, 0));
            e.0 += f64::from(r.score);
            e.1 += 1;
        }
        let mut pairs: BTreeMap<(u32, u32), (Mean, Mean, u64)> = BTreeMap::new();
        for channels in by_customer.values() {
            let means: Vec<(u32, f64)> = channels
                .iter()
                .map(|(&ch, &(sum, n))| (ch, sum / n as f64))
                .collect();
            for (i, &(a, ma)) in means.iter().enumerate() {
                for &(b, mb) in means.iter().skip(i + 1) {
                    let e = pairs
                        .entry((a, b))
                        .or_insert_with(|| (Mean::new(), Mean::new(), 0));
                    e.0.push(ma - mb)?;
                    e.1.push((ma - mb).abs())?;
                    e.2 += 1;
                }
            }
        }
        Ok(pairs
            .into_iter()
            .map(|((a, b), (diff, spread, customers))| ChannelPair {
                a,
                b,
                customers,
                difference: diff.estimate(confidence).ok(),
                spread: spread.estimate(confidence).ok(),
            })
            .collect())
    }
}
