//! [`Monitor`]: a metric over a rolling time window, per segment, compared with its baseline
//! (the period just before the window); an [`Alert`] when it falls below the control limit.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::alerts::monitor_config::{MonitorConfig, MonitorMetric, ScoreField, SegmentBy};
use crate::alerts::response::Response;
use crate::error::{Error, Result, check_confidence};
use crate::metrics::{Csat, Estimate, Method, Nps, ScaleCounts, scale_mean};

/// A metric that fell below its control limit in a segment.
///
/// ```
/// use cem_core::alerts::Alert;
/// // Alerts are plain data; see `Monitor` for how they are made.
/// let json = r#"{"time": "2026-03-01T10:00:00Z", "segment": null, "metric": "nps", "value": -20.0, "limit": 5.0,
///   "window": {"value": -20.0, "low": -40.0, "high": 2.0, "se": 10.0, "n": 40, "n_eff": 40.0, "confidence": 0.95, "method": "adjusted-wald"},
///   "baseline": {"value": 30.0, "low": 25.0, "high": 35.0, "se": 2.5, "n": 900, "n_eff": 900.0, "confidence": 0.95, "method": "adjusted-wald"}}"#;
/// let a: Alert = serde_json::from_str(json).unwrap();
/// assert!(a.value < a.limit);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The time of the response that tipped it.
    pub time: DateTime<Utc>,
    /// The segment, or `None` for the overall stream.
    pub segment: Option<String>,
    /// The metric's name (`nps`, `csat`, `mean`).
    pub metric: String,
    /// The metric over the window.
    pub value: f64,
    /// The lower control limit it fell below.
    pub limit: f64,
    /// The window's estimate.
    pub window: Estimate,
    /// The baseline's estimate.
    pub baseline: Estimate,
}

/// Watches a score metric over a rolling time window, overall and per segment, and raises an
/// [`Alert`] when it falls significantly below its baseline.
///
/// **Windows.** At a response at time `t`, a stream's window holds its responses in
/// `(t − window, t]` and its baseline those in `(t − window − baseline, t − window]`. A
/// segment's windows move when that segment receives a response (the overall stream's on
/// every response); responses without the metric's score only advance the clock.
///
/// **Control limit.** From the baseline's estimate `b` (value, interval low end, `n_b`) at the
/// configured confidence, the lower control limit for a window of `n_w` responses is
/// `b.value − (b.value − b.low)·√(n_b / n_w)`: the baseline's interval half-width rescaled
/// to the window's size — for a Wald-type interval exactly `value − z·σ/√n_w`, the Shewhart
/// limit for a mean of `n_w` observations with the baseline's spread. The window is compared
/// when it has `min_window` responses and the baseline `min_baseline`.
///
/// **Alerts.** When a stream's window value drops below the limit, one alert is raised and the
/// stream is *in alarm*; it raises again only after a comparison finds it back at or above
/// the limit.
///
/// **Order.** Responses must come in time order (equal times are fine): an earlier one is an
/// [`Error::OutOfOrder`]. [`push_many`](Self::push_many) checks the whole batch before
/// changing anything, and gives the same alerts as pushing one by one. The state serializes
/// with serde; a monitor read back raises the same future alerts.
///
/// # Example
///
/// ```
/// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric, Response};
/// use chrono::{Duration, TimeZone, Utc};
///
/// let mut config = MonitorConfig::new(MonitorMetric::Nps, 24.0, 24.0 * 7.0);
/// config.min_window = 20;
/// config.min_baseline = 50;
/// let mut monitor = Monitor::new(config)?;
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
/// // A good week: every hour a 9 or 10, every fourth hour a 6 ...
/// let mut stream = Vec::new();
/// for h in 0..24 * 7 {
///     let mut r = Response::new("c", t0 + Duration::hours(h));
///     r.nps = Some(if h % 4 == 0 { 6 } else { 9 + (h % 2) as u8 });
///     stream.push(r);
/// }
/// // ... then a bad day.
/// for m in 0..48 {
///     let mut r = Response::new("c", t0 + Duration::hours(24 * 7) + Duration::minutes(30 * m));
///     r.nps = Some(if m % 2 == 0 { 2 } else { 8 });
///     stream.push(r);
/// }
/// let alerts = monitor.push_many(&stream)?;
/// assert_eq!(alerts.len(), 1);
/// assert!(alerts[0].value < alerts[0].limit && alerts[0].limit < alerts[0].baseline.value);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RawMonitor")]
pub struct Monitor {
    config: MonitorConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<DateTime<Utc>>,
    overall: Track,
    segments: BTreeMap<String, Track>,
    #[serde(skip)]
    scale: Scale,
}

#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Scale {
    lo: u8,
    hi: u8,
    window: Duration,
    baseline: Duration,
}

/// One stream's window and baseline: the responses (time, score) and their histograms.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
struct Track {
    window: VecDeque<(DateTime<Utc>, u8)>,
    baseline: VecDeque<(DateTime<Utc>, u8)>,
    alarm: bool,
    #[serde(skip)]
    wcounts: Vec<u64>,
    #[serde(skip)]
    bcounts: Vec<u64>,
}

impl Monitor {
    /// A monitor with no history.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the setting: window or baseline not a positive
    /// number of hours (up to ten years), `min_window`/`min_baseline` below 2, a CSAT `top`
    /// not below `max`, a mean's `min` above its `max`; [`Error::OutOfRange`] for a
    /// confidence outside (0, 1).
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric};
    /// let bad = MonitorConfig::new(MonitorMetric::Nps, 0.0, 24.0);
    /// assert_eq!(Monitor::new(bad).unwrap_err().to_string(),
    ///     "invalid `window_hours`: `0` is not a number of hours in (0, 87600]");
    /// ```
    pub fn new(config: MonitorConfig) -> Result<Monitor> {
        let scale = scale_of(&config)?;
        Ok(Monitor {
            config,
            last: None,
            overall: Track::default(),
            segments: BTreeMap::new(),
            scale,
        }
        .with_counts())
    }

    /// The settings.
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric};
    /// let m = Monitor::new(MonitorConfig::new(MonitorMetric::Nps, 1.0, 10.0))?;
    /// assert_eq!(m.config().window_hours, 1.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn config(&self) -> &MonitorConfig {
        &self.config
    }

    /// Consumes one response; returns the alerts it raised (overall first, then its segment).
    ///
    /// # Errors
    /// [`Error::OutOfOrder`] when it is earlier than the previous response;
    /// [`Error::OutOfRange`] when the watched score is off its scale. The monitor is unchanged
    /// on an error.
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric, Response};
    /// use chrono::{Duration, Utc};
    /// let mut m = Monitor::new(MonitorConfig::new(MonitorMetric::Nps, 1.0, 10.0))?;
    /// let t = Utc::now();
    /// m.push(&Response::new("a", t))?;
    /// let err = m.push(&Response::new("b", t - Duration::seconds(1))).unwrap_err();
    /// assert_eq!(err.kind(), cem_core::ErrorKind::OutOfOrder);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push(&mut self, response: &Response) -> Result<Vec<Alert>> {
        self.push_many(std::slice::from_ref(response))
    }

    /// Consumes responses in order; all or nothing (the whole batch is checked first).
    ///
    /// # Errors
    /// As [`push`](Self::push), naming the position in the batch.
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric, Response};
    /// let mut m = Monitor::new(MonitorConfig::new(MonitorMetric::Csat { max: 5, top: 2 }, 1.0, 10.0))?;
    /// let mut r = Response::new("a", chrono::Utc::now());
    /// r.csat = Some(6);
    /// assert!(m.push_many(&[r]).is_err());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn push_many(&mut self, responses: &[Response]) -> Result<Vec<Alert>> {
        let mut last = self.last;
        for (pos, r) in responses.iter().enumerate() {
            if let Some(prev) = last
                && r.time < prev
            {
                return Err(Error::OutOfOrder {
                    what: format!("the response at position {pos}"),
                    previous: prev.to_rfc3339(),
                    got: r.time.to_rfc3339(),
                });
            }
            last = Some(r.time);
            if let Some(s) = self.score(r)
                && (s < self.scale.lo || s > self.scale.hi)
            {
                return Err(Error::out_of_range(
                    format!("{} of the response at position {pos}", self.score_label()),
                    s,
                    format!("{}..={}", self.scale.lo, self.scale.hi),
                ));
            }
        }
        let mut alerts = Vec::new();
        for r in responses {
            self.apply(r, &mut alerts);
        }
        Ok(alerts)
    }

    /// The segments seen so far.
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric};
    /// let m = Monitor::new(MonitorConfig::new(MonitorMetric::Nps, 1.0, 10.0))?;
    /// assert_eq!(m.segments().count(), 0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn segments(&self) -> impl Iterator<Item = &str> {
        self.segments.keys().map(String::as_str)
    }

    /// The state as JSON text.
    ///
    /// # Errors
    /// [`Error::Json`] if serialization fails (it does not).
    ///
    /// ```
    /// use cem_core::alerts::{Monitor, MonitorConfig, MonitorMetric};
    /// let m = Monitor::new(MonitorConfig::new(MonitorMetric::Nps, 1.0, 10.0))?;
    /// assert_eq!(Monitor::from_json(&m.to_json()?)?, m);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string(self)?)
    }

    /// Reads a monitor written by [`to_json`](Self::to_json).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON, bad settings, scores off the scale or windows out
    /// of time order.
    ///
    /// ```
    /// assert!(cem_core::alerts::Monitor::from_json(r#"{"config": {}}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<Monitor> {
        Ok(serde_json::from_str(text)?)
    }

    fn score(&self, r: &Response) -> Option<u8> {
        match self.config.metric {
            MonitorMetric::Nps => r.nps,
            MonitorMetric::Csat { .. } => r.csat,
            MonitorMetric::Mean { field, .. } => match field {
                ScoreField::Nps => r.nps,
                ScoreField::Csat => r.csat,
                ScoreField::Ces => r.ces,
            },
        }
    }

    fn score_label(&self) -> &'static str {
        match self.config.metric {
            MonitorMetric::Nps => "NPS score",
            MonitorMetric::Csat { .. } => "CSAT score",
            MonitorMetric::Mean { field, .. } => match field {
                ScoreField::Nps => "NPS score",
                ScoreField::Csat => "CSAT score",
                ScoreField::Ces => "CES score",
            },
        }
    }

    fn segment_of<'r>(&self, r: &'r Response) -> Option<&'r str> {
        match self.config.by? {
            SegmentBy::Segment => r.segment.as_deref(),
            SegmentBy::Channel => r.channel.as_deref(),
            SegmentBy::Touchpoint => r.touchpoint.as_deref(),
            SegmentBy::Tier => r.tier.as_deref(),
        }
    }

    fn apply(&mut self, r: &Response, alerts: &mut Vec<Alert>) {
        self.last = Some(r.time);
        let Some(score) = self.score(r) else { return };
        let scale = self.scale;
        let slot = usize::from(score.saturating_sub(scale.lo));
        self.overall.push(r.time, slot, score, &scale);
        if let Some(a) = self.evaluate_track(None, r.time) {
            alerts.push(a);
        }
        if let Some(key) = self.segment_of(r) {
            let n_levels = usize::from(scale.hi - scale.lo) + 1;
            let track = self
                .segments
                .entry(key.to_owned())
                .or_insert_with(|| Track::empty(n_levels));
            track.push(r.time, slot, score, &scale);
            if let Some(a) = self.evaluate_track(Some(key), r.time) {
                alerts.push(a);
            }
        }
    }

    fn evaluate_track(&mut self, key: Option<&str>, time: DateTime<Utc>) -> Option<Alert> {
        let config = &self.config;
        let scale = self.scale;
        let track = match key {
            None => &mut self.overall,
            Some(k) => self.segments.get_mut(k)?,
        };
        let n_w: u64 = track.wcounts.iter().sum();
        let n_b: u64 = track.bcounts.iter().sum();
        if n_w < config.min_window || n_b < config.min_baseline {
            return None;
        }
        let w = estimate(&config.metric, &scale, &track.wcounts, config.confidence)?;
        let b = estimate(&config.metric, &scale, &track.bcounts, config.confidence)?;
        let limit = b.value - (b.value - b.low) * (n_b as f64 / n_w as f64).sqrt();
        let below = w.value < limit;
        let raise = below && !track.alarm;
        track.alarm = below;
        raise.then(|| Alert {
            time,
            segment: key.map(str::to_owned),
            metric: metric_name(&config.metric).to_owned(),
            value: w.value,
            limit,
            window: w,
            baseline: b,
        })
    }

    /// Rebuilds the histograms from the windows (after deserializing).
    fn with_counts(mut self) -> Self {
        let n_levels = usize::from(self.scale.hi - self.scale.lo) + 1;
        let lo = self.scale.lo;
        for t in std::iter::once(&mut self.overall).chain(self.segments.values_mut()) {
            t.wcounts = counts(&t.window, lo, n_levels);
            t.bcounts = counts(&t.baseline, lo, n_levels);
        }
        self
    }
}

impl Track {
    fn empty(n_levels: usize) -> Self {
        Track {
            wcounts: vec![0; n_levels],
            bcounts: vec![0; n_levels],
            ..Track::default()
        }
    }

    /// Adds a response and moves the windows to end at `t`.
    fn push(&mut self, t: DateTime<Utc>, slot: usize, score: u8, scale: &Scale) {
        self.window.push_back((t, score));
        bump(&mut self.wcounts, slot, true);
        let window_start = t - scale.window;
        while let Some(&(ti, s)) = self.window.front() {
            if ti > window_start {
                break;
            }
            self.window.pop_front();
            let i = usize::from(s.saturating_sub(scale.lo));
            bump(&mut self.wcounts, i, false);
            self.baseline.push_back((ti, s));
            bump(&mut self.bcounts, i, true);
        }
        let baseline_start = window_start - scale.baseline;
        while let Some(&(ti, s)) = self.baseline.front() {
            if ti > baseline_start {
                break;
            }
            self.baseline.pop_front();
            bump(
                &mut self.bcounts,
                usize::from(s.saturating_sub(scale.lo)),
                false,
            );
        }
    }
}

fn bump(counts: &mut [u64], i: usize, up: bool) {
    if let Some(c) = counts.get_mut(i) {
        *c = if up { *c + 1 } else { c.saturating_sub(1) };
    }
}

fn counts(items: &VecDeque<(DateTime<Utc>, u8)>, lo: u8, n_levels: usize) -> Vec<u64> {
    let mut out = vec![0; n_levels];
    for &(_, s) in items {
        bump(&mut out, usize::from(s.saturating_sub(lo)), true);
    }
    out
}

fn metric_name(m: &MonitorMetric) -> &'static str {
    match m {
        MonitorMetric::Nps => "nps",
        MonitorMetric::Csat { .. } => "csat",
        MonitorMetric::Mean { .. } => "mean",
    }
}

/// The metric's estimate from a histogram (unit weights), through cem's accumulators.
fn estimate(m: &MonitorMetric, scale: &Scale, counts: &[u64], confidence: f64) -> Option<Estimate> {
    let mut sc = ScaleCounts::fixed(scale.lo, scale.hi);
    for (i, &n) in counts.iter().enumerate() {
        if n > 0 {
            sc.add(i, n, n as f64, n as f64);
        }
    }
    match m {
        MonitorMetric::Nps => Nps::from_counts(sc).estimate(confidence).ok(),
        MonitorMetric::Csat { top, .. } => Csat::from_counts(sc, *top).estimate(confidence).ok(),
        MonitorMetric::Mean { .. } => {
            scale_mean(&sc, "the monitored window", confidence, Method::StudentT).ok()
        }
    }
}

fn hours(name: &str, h: f64) -> Result<Duration> {
    if !h.is_finite() || h <= 0.0 || h > 87_600.0 {
        return Err(Error::invalid_argument(
            name,
            format!("`{h}` is not a number of hours in (0, 87600]"),
        ));
    }
    Ok(Duration::milliseconds(
        ((h * 3_600_000.0).round() as i64).max(1),
    ))
}

fn scale_of(c: &MonitorConfig) -> Result<Scale> {
    check_confidence(c.confidence)?;
    for (name, v) in [
        ("min_window", c.min_window),
        ("min_baseline", c.min_baseline),
    ] {
        if v < 2 {
            return Err(Error::invalid_argument(
                name,
                format!("`{v}` is below 2; an interval needs two responses"),
            ));
        }
    }
    let (lo, hi) = match c.metric {
        MonitorMetric::Nps => (0, 10),
        MonitorMetric::Csat { max, top } => {
            if max < 2 || top == 0 || top >= max {
                return Err(Error::invalid_argument(
                    "metric",
                    format!("CSAT top-`{top}` box of 1..=`{max}`: `top` must be in 1..`max`"),
                ));
            }
            (1, max)
        }
        MonitorMetric::Mean { min, max, .. } => {
            if min >= max {
                return Err(Error::invalid_argument(
                    "metric",
                    format!("the scale `{min}..={max}` needs `min` below `max`"),
                ));
            }
            (min, max)
        }
    };
    Ok(Scale {
        lo,
        hi,
        window: hours("window_hours", c.window_hours)?,
        baseline: hours("baseline_hours", c.baseline_hours)?,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMonitor {
    config: MonitorConfig,
    #[serde(default)]
    last: Option<DateTime<Utc>>,
    overall: Track,
    segments: BTreeMap<String, Track>,
}

impl TryFrom<RawMonitor> for Monitor {
    type Error = String;
    fn try_from(raw: RawMonitor) -> std::result::Result<Self, String> {
        let scale = scale_of(&raw.config).map_err(|e| e.to_string())?;
        for (name, t) in std::iter::once(("overall", &raw.overall))
            .chain(raw.segments.iter().map(|(k, t)| (k.as_str(), t)))
        {
            let all = t.baseline.iter().chain(t.window.iter());
            let mut prev: Option<DateTime<Utc>> = None;
            for &(ti, s) in all {
                if s < scale.lo || s > scale.hi {
                    return Err(format!(
                        "stream `{name}` holds the score `{s}`, off {}..={}",
                        scale.lo, scale.hi
                    ));
                }
                if prev.is_some_and(|p| ti < p) || raw.last.is_none_or(|l| ti > l) {
                    return Err(format!("stream `{name}` is out of time order"));
                }
                prev = Some(ti);
            }
        }
        Ok(Monitor {
            config: raw.config,
            last: raw.last,
            overall: raw.overall,
            segments: raw.segments,
            scale,
        }
        .with_counts())
    }
}
