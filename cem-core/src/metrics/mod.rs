//! Score metrics as mergeable accumulators: NPS, CSAT, CES, net satisfaction, means and
//! proportions, each with its confidence interval.
//!
//! Every accumulator has the same shape — `push` (optionally weighted), `push_many` over a
//! column, `merge` with another accumulator of the same kind, and `estimate(confidence)`
//! returning an [`Estimate`] — and derives serde, so partial results computed in different
//! processes, languages or machines merge exactly.
//!
//! # Example
//!
//! ```
//! use cem_core::metrics::Nps;
//!
//! // Two partitions, computed separately (say, two Dask workers) ...
//! let mut left = Nps::new();
//! left.push_many(&[10, 9, 3, 8])?;
//! let mut right = Nps::new();
//! right.push_many(&[10, 6, 9])?;
//! // ... travel as JSON and merge into the same result as one pass.
//! let right: Nps = serde_json::from_str(&serde_json::to_string(&right).unwrap()).unwrap();
//! left.merge(&right)?;
//! let mut one_pass = Nps::new();
//! one_pass.push_many(&[10, 9, 3, 8, 10, 6, 9])?;
//! assert_eq!(left.estimate(0.95)?, one_pass.estimate(0.95)?);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod ces;
pub(crate) mod compare;
mod csat;
mod estimate;
mod group;
mod macros;
mod mean;
mod nps;
mod scale;
mod weighting;

pub use ces::{Ces, CesScale};
pub use compare::{
    ChiSquare, Comparison, chi_square_independence, chi_square_segments, two_proportion_test,
};
pub(crate) use csat::scale_mean;
pub use csat::{Csat, NetSatisfaction};
pub use estimate::{Estimate, Method};
pub use group::{
    DEFAULT_MAX_GROUPS, GroupEstimate, GroupLimits, GroupedScores, Period, ScoreMetric, TimeUnit,
};
pub use mean::{Mean, Proportion};
pub use nps::{Nps, NpsBreakdown, NpsCategory, nps_category};
pub use scale::ScaleCounts;
pub(crate) use scale::with_place;
pub use weighting::{RakeOptions, Raked, post_stratify, rake};
