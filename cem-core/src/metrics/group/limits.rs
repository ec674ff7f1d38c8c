//! [`GroupLimits`]: how many (segment, period) groups a [`GroupedScores`](super::GroupedScores)
//! may hold.

use crate::error::{Error, Result};

/// Limits on a [`GroupedScores`](super::GroupedScores), so that columns or state from an
/// untrusted source cannot make it grow without bound: every cell costs memory for as long
/// as the accumulator lives, and a sender who controls the segment codes and timestamps
/// controls how many cells there are. Going over a limit is
/// [`Error::LimitExceeded`], naming the limit and the count, and leaves the accumulator as
/// it was.
///
/// | limit | default |
/// |---|---|
/// | `max_groups` — non-empty (segment, period) cells in one accumulator | 1 000 000 |
///
/// The default holds ten thousand segments over a hundred periods (eight years of weeks);
/// raise it with [`GroupedScores::with_limits`](super::GroupedScores::with_limits) and,
/// for state, [`GroupedScores::from_json_with`](super::GroupedScores::from_json_with).
///
/// # Example
///
/// ```
/// use cem_core::metrics::{GroupLimits, GroupedScores, Period, ScoreMetric};
/// use cem_core::ErrorKind;
///
/// let mut g = GroupedScores::new(ScoreMetric::Nps, Period::Day)?
///     .with_limits(GroupLimits { max_groups: 2 });
/// g.push_columns(&[10, 9], &[0, 1], &[0, 0], None)?;
/// let err = g.push_columns(&[10, 0], &[1, 2], &[0, 0], None).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::LimitExceeded);
/// assert_eq!(err.to_string(), "the number of groups exceeds the limit of 2 groups: 3 groups");
/// assert_eq!(g.n(), 2); // nothing of the failed batch was added
/// assert_eq!(GroupLimits::default().max_groups, 1_000_000);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupLimits {
    /// Most non-empty (segment, period) cells one accumulator may hold.
    pub max_groups: usize,
}

/// The default [`GroupLimits::max_groups`]: 1 000 000.
pub const DEFAULT_MAX_GROUPS: usize = 1_000_000;

impl Default for GroupLimits {
    fn default() -> Self {
        GroupLimits {
            max_groups: DEFAULT_MAX_GROUPS,
        }
    }
}

impl GroupLimits {
    /// `Ok` when `groups` cells are within the limit.
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] when `groups` is more than `max_groups`.
    ///
    /// ```
    /// use cem_core::metrics::GroupLimits;
    /// assert!(GroupLimits { max_groups: 3 }.check(3).is_ok());
    /// assert!(GroupLimits { max_groups: 3 }.check(4).is_err());
    /// ```
    pub fn check(&self, groups: usize) -> Result<()> {
        if groups <= self.max_groups {
            Ok(())
        } else {
            Err(Error::limit_exceeded(
                "the number of groups",
                format!("{} groups", self.max_groups),
                format!("{groups} groups"),
            ))
        }
    }
}
