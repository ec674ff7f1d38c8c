//! Funnels: how many customers take a sequence of steps, and how long it takes them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journey::EventLog;
use crate::journey::dfg::percentile;

/// Number of bins in a step's time histogram.
const BINS: usize = 10;

/// One step of a [`Funnel`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The step's touchpoint code.
    pub touchpoint: u32,
    /// Customers who reached this step (and all before it, in order).
    pub customers: u64,
    /// `customers` as a fraction of those who took the first step (0 when nobody did).
    pub from_start: f64,
    /// `customers` as a fraction of those who reached the previous step (1 for the first step;
    /// 0 when nobody reached the previous one).
    pub from_previous: f64,
    /// Time from the first step to this one among the customers who reached it; `None` for
    /// the first step and for steps nobody reached.
    pub time: Option<TimeToStep>,
}

/// The distribution of the time to reach a step, in the log's time unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeToStep {
    /// Median (numpy's linear interpolation).
    pub median: f64,
    /// 90th percentile (numpy's linear interpolation).
    pub p90: f64,
    /// Shortest.
    pub min: i64,
    /// Longest.
    pub max: i64,
    /// Ten equal-width bins from `min` to `max`: `(lower edge, customers)`; the last bin
    /// includes `max`.
    pub histogram: Vec<(f64, u64)>,
}

/// Customers reaching each step of a sequence of touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// The steps, in order.
    pub steps: Vec<FunnelStep>,
    /// The conversion window, if one was given.
    pub within: Option<i64>,
}

impl EventLog {
    /// The funnel through `steps` (touchpoint codes).
    ///
    /// **Definition.** A customer reaches step j if steps 0..=j occur in that order in their
    /// journey (other events in between are fine). Without a window, the attempt starts at the
    /// customer's first occurrence of step 0 and each later step is matched at its earliest
    /// occurrence after the previous one. With `within`, every occurrence of step 0 may open
    /// an attempt, steps count only within `within` of that attempt's first step, and the
    /// customer counts at the furthest step any attempt reaches (ties: the earliest such
    /// attempt). Times to each step are measured from the first step of the attempt that
    /// counts.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for no steps, a touchpoint code without a label, or a
    /// negative window.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[
    ///     ("a", "home", 0), ("a", "ad", 5), ("a", "cart", 10), ("a", "pay", 100),
    ///     ("b", "home", 0), ("b", "cart", 50),
    ///     ("c", "cart", 0), ("c", "home", 1),
    /// ])?;
    /// let code = |s| log.touchpoint_code(s).unwrap();
    /// let f = log.funnel(&[code("home"), code("cart"), code("pay")], None)?;
    /// let reached: Vec<u64> = f.steps.iter().map(|s| s.customers).collect();
    /// assert_eq!(reached, vec![3, 2, 1]);
    /// assert_eq!(f.steps[1].time.as_ref().unwrap().median, 30.0); // 10 and 50
    /// let within = log.funnel(&[code("home"), code("cart"), code("pay")], Some(20))?;
    /// assert_eq!(within.steps[1].customers, 1); // b's cart came after 50
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn funnel(&self, steps: &[u32], within: Option<i64>) -> Result<Funnel> {
        if steps.is_empty() {
            return Err(Error::invalid_argument(
                "steps",
                "a funnel needs at least one step",
            ));
        }
        if let Some(&bad) = steps
            .iter()
            .find(|&&s| s as usize >= self.touchpoint_count())
        {
            return Err(Error::invalid_argument(
                "steps",
                format!("touchpoint code `{bad}` has no label in this log"),
            ));
        }
        if let Some(w) = within.filter(|w| *w < 0) {
            return Err(Error::invalid_argument(
                "within",
                format!("the conversion window `{w}` is negative"),
            ));
        }
        let k = steps.len();
        let mut reached = vec![0u64; k];
        let mut times: Vec<Vec<i64>> = vec![Vec::new(); k];
        let mut best_times = vec![0i64; k];
        for (_, tps, ts) in self.journeys() {
            let depth = best_attempt(steps, tps, ts, within, &mut best_times);
            for j in 0..depth {
                if let Some(r) = reached.get_mut(j) {
                    *r += 1;
                }
                if let (Some(col), Some(&t)) = (times.get_mut(j), best_times.get(j)) {
                    col.push(t);
                }
            }
        }
        let first = reached.first().copied().unwrap_or(0);
        let mut out = Vec::with_capacity(k);
        let mut previous = first;
        for (j, (&touchpoint, (&customers, col))) in steps
            .iter()
            .zip(reached.iter().zip(times.iter_mut()))
            .enumerate()
        {
            let share = |base: u64| {
                if base > 0 {
                    customers as f64 / base as f64
                } else {
                    0.0
                }
            };
            out.push(FunnelStep {
                touchpoint,
                customers,
                from_start: share(first),
                from_previous: if j == 0 { 1.0 } else { share(previous) },
                time: if j == 0 { None } else { summarize(col) },
            });
            previous = customers;
        }
        Ok(Funnel { steps: out, within })
    }
}

/// The furthest depth any attempt reaches in one journey; fills `best[j]` with the time from
/// the counting attempt's first step to its step j.
fn best_attempt(
    steps: &[u32],
    tps: &[u32],
    ts: &[i64],
    within: Option<i64>,
    best: &mut [i64],
) -> usize {
    let Some(&first_step) = steps.first() else {
        return 0;
    };
    let mut best_depth = 0;
    let mut current = vec![0i64; steps.len()];
    for (start, (&tp, &t0)) in tps.iter().zip(ts).enumerate() {
        if tp != first_step {
            continue;
        }
        // Greedy earliest matching of the remaining steps after `start`.
        let mut depth = 1;
        if let Some(c) = current.first_mut() {
            *c = 0;
        }
        let later = tps.iter().zip(ts).skip(start + 1);
        for (&tp, &t) in later {
            if within.is_some_and(|w| t.saturating_sub(t0) > w) {
                break;
            }
            if steps.get(depth) == Some(&tp) {
                if let Some(c) = current.get_mut(depth) {
                    *c = t.saturating_sub(t0);
                }
                depth += 1;
                if depth == steps.len() {
                    break;
                }
            }
        }
        if depth > best_depth {
            best_depth = depth;
            for (b, c) in best.iter_mut().zip(&current).take(depth) {
                *b = *c;
            }
        }
        // Without a window only the first occurrence opens an attempt; a complete funnel
        // cannot be beaten either.
        if within.is_none() || best_depth == steps.len() {
            break;
        }
    }
    best_depth
}

fn summarize(col: &mut [i64]) -> Option<TimeToStep> {
    let (&min, &max) = (col.iter().min()?, col.iter().max()?);
    let median = percentile(col, 0.5);
    let p90 = percentile(col, 0.9);
    let width = (max - min) as f64 / BINS as f64;
    let mut counts = [0u64; BINS];
    for &x in col.iter() {
        let bin = if width > 0.0 {
            (((x - min) as f64 / width) as usize).min(BINS - 1)
        } else {
            0
        };
        if let Some(c) = counts.get_mut(bin) {
            *c += 1;
        }
    }
    Some(TimeToStep {
        median,
        p90,
        min,
        max,
        histogram: counts
            .iter()
            .enumerate()
            .map(|(i, &c)| (min as f64 + i as f64 * width, c))
            .collect(),
    })
}
