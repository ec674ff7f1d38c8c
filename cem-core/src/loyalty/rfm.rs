//! RFM scores (recency, frequency, monetary quintiles) and named customer segments.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::loyalty::CustomerSummary;

/// A named RFM segment; see [`Rfm`] for the rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RfmSegment {
    /// Bought recently and often (R ≥ 4, F ≥ 4).
    Champions,
    /// Buy often, not quite as recently (R = 3, F ≥ 4).
    Loyal,
    /// Recent but few purchases (R ≥ 3, F 2–3; or R = 3, F = 1).
    PotentialLoyalist,
    /// Recent first-timers (R ≥ 4, F = 1).
    New,
    /// Bought often, long ago (R ≤ 2, F ≥ 3, not can't-lose).
    AtRisk,
    /// Bought often and spent most, long ago (R ≤ 2, F ≥ 4, M ≥ 4).
    CantLose,
    /// Few purchases, a while ago (R = 2, F ≤ 2).
    Hibernating,
    /// Few purchases, longest ago (R = 1, F ≤ 2).
    Lost,
}

impl RfmSegment {
    /// The snake_case name (`champions`, `cant_lose`, ...).
    ///
    /// ```
    /// assert_eq!(cem_core::loyalty::RfmSegment::CantLose.name(), "cant_lose");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            RfmSegment::Champions => "champions",
            RfmSegment::Loyal => "loyal",
            RfmSegment::PotentialLoyalist => "potential_loyalist",
            RfmSegment::New => "new",
            RfmSegment::AtRisk => "at_risk",
            RfmSegment::CantLose => "cant_lose",
            RfmSegment::Hibernating => "hibernating",
            RfmSegment::Lost => "lost",
        }
    }

    /// The segment of scores (r, f, m), each 1..=5, by the rules on [`Rfm`] (first match).
    ///
    /// ```
    /// use cem_core::loyalty::RfmSegment;
    /// assert_eq!(RfmSegment::of(5, 5, 1), RfmSegment::Champions);
    /// assert_eq!(RfmSegment::of(1, 5, 5), RfmSegment::CantLose);
    /// assert_eq!(RfmSegment::of(1, 1, 5), RfmSegment::Lost);
    /// ```
    pub fn of(r: u8, f: u8, m: u8) -> RfmSegment {
        match (r, f) {
            (4.., 4..) => RfmSegment::Champions,
            (3, 4..) => RfmSegment::Loyal,
            (4.., ..=1) => RfmSegment::New,
            (3.., _) => RfmSegment::PotentialLoyalist,
            (_, 4..) if m >= 4 => RfmSegment::CantLose,
            (_, 3..) => RfmSegment::AtRisk,
            (2, _) => RfmSegment::Hibernating,
            _ => RfmSegment::Lost,
        }
    }
}

/// RFM scores and segments per customer, in the order of the [`CustomerSummary`].
///
/// Measures: recency = periods since the last purchase period (`t − recency` of the
/// summary; fewer is better), frequency = purchase periods (`frequency + 1`), monetary =
/// total spend. Each is scored 1..=5 by quintile of rank: with n customers and k of them
/// strictly worse than this one, the score is 1 + ⌊5k / n⌋. **Ties** get the same score —
/// the one of the lowest rank they share — so bins may be uneven (many one-time buyers all
/// score F = 1). Recency is ranked so that more recent is higher.
///
/// Segments, first matching rule wins:
///
/// | segment | rule |
/// |---|---|
/// | champions | R ≥ 4 and F ≥ 4 |
/// | loyal | R = 3 and F ≥ 4 |
/// | new | R ≥ 4 and F = 1 |
/// | potential loyalist | R ≥ 3 (and F ≤ 3) |
/// | can't lose | R ≤ 2, F ≥ 4 and M ≥ 4 |
/// | at risk | R ≤ 2 and F ≥ 3 |
/// | hibernating | R = 2 and F ≤ 2 |
/// | lost | R = 1 and F ≤ 2 |
///
/// ```
/// use cem_core::loyalty::{CustomerSummary, Period, Rfm, RfmSegment};
/// let day = 86_400;
/// let s = CustomerSummary::from_transactions(
///     &[1, 1, 1, 2, 3, 3, 4, 5],
///     &[0, 5 * day, 29 * day, 28 * day, 0, day, 2 * day, 3 * day],
///     Some(&[10.0, 10.0, 10.0, 5.0, 50.0, 50.0, 1.0, 1.0]),
///     30 * day,
///     Period::Day,
/// )?;
/// let rfm = Rfm::from_summary(&s)?;
/// assert_eq!((rfm.recency[0], rfm.frequency[0]), (5, 5)); // customer 1
/// assert_eq!(rfm.segments[0], RfmSegment::Champions);
/// assert_eq!(rfm.segments[1], RfmSegment::New); // customer 2: one recent purchase
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rfm {
    /// Customer codes, as in the summary.
    pub customers: Vec<u32>,
    /// Recency scores 1..=5 (5 = most recent).
    pub recency: Vec<u8>,
    /// Frequency scores 1..=5.
    pub frequency: Vec<u8>,
    /// Monetary scores 1..=5.
    pub monetary: Vec<u8>,
    /// Named segments.
    pub segments: Vec<RfmSegment>,
}

impl Rfm {
    /// Scores the customers of a summary; see [`Rfm`].
    ///
    /// # Errors
    ///
    /// [`InvalidArgument`](crate::ErrorKind::InvalidArgument) when the summary has no
    /// amounts (no `total_spend`).
    ///
    /// ```
    /// use cem_core::loyalty::{CustomerSummary, Period, Rfm};
    /// let s = CustomerSummary::from_transactions(&[1], &[0], None, 0, Period::Day)?;
    /// assert!(Rfm::from_summary(&s).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_summary(summary: &CustomerSummary) -> Result<Self> {
        let spend = summary.total_spend.as_ref().ok_or_else(|| {
            Error::invalid_argument("summary", "RFM needs amounts for the monetary score")
        })?;
        let since: Vec<f64> = summary
            .t
            .iter()
            .zip(&summary.recency)
            .map(|(t, r)| -(t - r))
            .collect();
        let recency = quintiles(&since);
        let frequency = quintiles(&summary.frequency);
        let monetary = quintiles(spend);
        let segments = recency
            .iter()
            .zip(&frequency)
            .zip(&monetary)
            .map(|((&r, &f), &m)| RfmSegment::of(r, f, m))
            .collect();
        Ok(Rfm {
            customers: summary.customers.clone(),
            recency,
            frequency,
            monetary,
            segments,
        })
    }
}

/// 1 + ⌊5k/n⌋ with k the number of values strictly below (higher value = higher score).
fn quintiles(values: &[f64]) -> Vec<u8> {
    let n = values.len();
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    values
        .iter()
        .map(|v| {
            let below = sorted.partition_point(|x| x.total_cmp(v).is_lt());
            let score = 1 + (5 * below) / n.max(1);
            u8::try_from(score.min(5)).unwrap_or(5)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_with_ties_share_the_lowest_bin() {
        assert_eq!(quintiles(&[1.0, 2.0, 3.0, 4.0, 5.0]), vec![1, 2, 3, 4, 5]);
        assert_eq!(quintiles(&[0.0, 0.0, 0.0, 0.0, 9.0]), vec![1, 1, 1, 1, 5]);
        assert_eq!(quintiles(&[7.0]), vec![1]);
    }

    #[test]
    fn every_score_combination_has_a_segment() {
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    let _ = RfmSegment::of(r, f, m).name();
                }
            }
        }
        assert_eq!(RfmSegment::of(3, 1, 1), RfmSegment::PotentialLoyalist);
        assert_eq!(RfmSegment::of(2, 4, 1), RfmSegment::AtRisk);
        assert_eq!(RfmSegment::of(2, 2, 5), RfmSegment::Hibernating);
    }
}
