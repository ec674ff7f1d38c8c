//! The settings of a [`Monitor`](super::Monitor): which metric, which windows, which segments.

use serde::{Deserialize, Serialize};

/// The metric a [`Monitor`](super::Monitor) watches. JSON: `{"kind": "nps"}`, `{"kind": "csat", "max": 5,
/// "top": 2}` (top-`top` box of 1..=`max`; those are the defaults), `{"kind": "mean",
/// "field": "ces", "min": 1, "max": 7}` (the mean of a whole-number score on `min..=max`).
///
/// ```
/// use cem_core::alerts::MonitorMetric;
/// let m: MonitorMetric = serde_json::from_str(r#"{"kind": "csat"}"#).unwrap();
/// assert_eq!(m, MonitorMetric::Csat { max: 5, top: 2 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum MonitorMetric {
    /// NPS in points, adjusted Wald interval; reads [`Response::nps`](super::Response::nps).
    Nps,
    /// CSAT top-box share, Wilson interval; reads [`Response::csat`](super::Response::csat).
    Csat {
        /// The top of the 1..=max scale.
        #[serde(default = "five")]
        max: u8,
        /// How many top boxes count as satisfied.
        #[serde(default = "two")]
        top: u8,
    },
    /// The mean of a score, Student t interval.
    Mean {
        /// Which score (`nps`, `csat`, `ces`).
        field: ScoreField,
        /// The lowest score.
        min: u8,
        /// The highest score.
        max: u8,
    },
}

fn five() -> u8 {
    5
}
fn two() -> u8 {
    2
}

/// A whole-number score of a [`Response`](super::Response).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreField {
    /// [`Response::nps`](super::Response::nps).
    Nps,
    /// [`Response::csat`](super::Response::csat).
    Csat,
    /// [`Response::ces`](super::Response::ces).
    Ces,
}

/// Which field of a [`Response`](super::Response) splits the stream into segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentBy {
    /// [`Response::segment`](super::Response::segment).
    Segment,
    /// [`Response::channel`](super::Response::channel).
    Channel,
    /// [`Response::touchpoint`](super::Response::touchpoint).
    Touchpoint,
    /// [`Response::tier`](super::Response::tier).
    Tier,
}

/// The settings of a [`Monitor`](super::Monitor) (JSON; unknown fields are errors).
///
/// ```
/// use cem_core::alerts::MonitorConfig;
/// let c: MonitorConfig = serde_json::from_str(
///     r#"{"metric": {"kind": "nps"}, "window_hours": 24, "baseline_hours": 672, "by": "channel"}"#,
/// ).unwrap();
/// assert_eq!((c.confidence, c.min_window, c.min_baseline), (0.95, 30, 100));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitorConfig {
    /// What is watched.
    pub metric: MonitorMetric,
    /// The length of the rolling window, in hours.
    pub window_hours: f64,
    /// The length of the baseline period just before the window, in hours.
    pub baseline_hours: f64,
    /// The field that splits the stream into segments (besides the overall stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<SegmentBy>,
    /// The confidence level of the baseline's interval (default 0.95).
    #[serde(default = "default_confidence")]
    pub confidence: f64,
    /// The fewest responses in the window before it is compared (default 30, at least 2).
    #[serde(default = "default_min_window")]
    pub min_window: u64,
    /// The fewest responses in the baseline before it is used (default 100, at least 2).
    #[serde(default = "default_min_baseline")]
    pub min_baseline: u64,
}

fn default_confidence() -> f64 {
    0.95
}
fn default_min_window() -> u64 {
    30
}
fn default_min_baseline() -> u64 {
    100
}

impl MonitorConfig {
    /// Settings with the defaults (confidence 0.95, at least 30 responses in the window and
    /// 100 in the baseline, no segments).
    ///
    /// ```
    /// use cem_core::alerts::{MonitorConfig, MonitorMetric};
    /// let c = MonitorConfig::new(MonitorMetric::Nps, 24.0, 24.0 * 28.0);
    /// assert!(c.by.is_none());
    /// ```
    pub fn new(metric: MonitorMetric, window_hours: f64, baseline_hours: f64) -> Self {
        MonitorConfig {
            metric,
            window_hours,
            baseline_hours,
            by: None,
            confidence: default_confidence(),
            min_window: default_min_window(),
            min_baseline: default_min_baseline(),
        }
    }
}
