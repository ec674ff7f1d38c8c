//! Loyalty analytics: per-customer purchase summaries (frequency, recency, age, monetary
//! value), Kaplan–Meier survival of customers and log-rank tests between segments.
//!
//! The numbers follow the references on the same data: [`CustomerSummary`] is lifetimes'
//! `summary_data_from_transaction_data`, [`KaplanMeier`] is lifelines' `KaplanMeierFitter`
//! (table, Greenwood variance, log(−log) band, median), [`logrank_test`] and
//! [`multivariate_logrank_test`] are lifelines' tests of the same names. The integration
//! tests compare them on lifelines' `waltons` and `dd` datasets and lifetimes' CDNOW sample.
//! Around them: [`repeat_purchase_rate`], [`churn`] (overall, [`churn_by_segment`],
//! [`churn_over_time`]), acquisition-cohort retention ([`retention_cohorts`], with an SVG
//! heatmap), [`Rfm`] scores and segments, and [`survival_svg`].
//!
//! # Example
//!
//! ```
//! use cem_core::loyalty::{CustomerSummary, KaplanMeier, Period};
//!
//! let day = 86_400;
//! let s = CustomerSummary::from_transactions(
//!     &[1, 1, 2, 3, 3, 3],
//!     &[0, 10 * day, 2 * day, day, 5 * day, 20 * day],
//!     None,
//!     30 * day,
//!     Period::Day,
//! )?;
//! assert_eq!(s.frequency, vec![1.0, 0.0, 2.0]);
//! // Days from the last purchase to the end, "churned" after 14 quiet days.
//! let quiet: Vec<f64> = s.t.iter().zip(&s.recency).map(|(t, r)| t - r).collect();
//! let churned: Vec<bool> = quiet.iter().map(|q| *q > 14.0).collect();
//! let km = KaplanMeier::fit(&s.recency, &churned, None)?;
//! assert!(km.survival_at(30.0)? < 1.0);
//! # Ok::<(), cem_core::Error>(())
//! ```

mod logrank;
mod period;
mod retention;
mod rfm;
mod summary;
mod survival;
mod svg;

pub use logrank::{LogRankTest, logrank_test, multivariate_logrank_test};
pub use period::Period;
pub use retention::{
    ChurnPoint, Cohort, RetentionCohorts, churn, churn_by_segment, churn_over_time,
    repeat_purchase_rate, retention_cohorts,
};
pub use rfm::{Rfm, RfmSegment};
pub use summary::CustomerSummary;
pub use survival::{KaplanMeier, SurvivalRow};
pub use svg::survival_svg;
