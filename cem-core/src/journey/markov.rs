//! First-order Markov view of journeys: transition probabilities, next-step predictions,
//! common paths, and the removal effect of each touchpoint on a conversion goal.

use crate::hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journey::EventLog;

/// Largest change per sweep at which the absorption probabilities count as converged.
const TOLERANCE: f64 = 1e-13;
/// Sweeps allowed before [`Error::NotConverged`].
const MAX_SWEEPS: usize = 100_000;

/// A path of touchpoints with how often it occurred.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathCount {
    /// Touchpoint codes, in event order.
    pub steps: Vec<u32>,
    /// Number of occurrences.
    pub count: u64,
}

/// The removal effect of one touchpoint on a conversion goal.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RemovalEffect {
    /// The touchpoint code.
    pub touchpoint: u32,
    /// Probability of conversion from the start in the chain without this touchpoint
    /// (journeys that would pass through it end there without converting).
    pub conversion_without: f64,
    /// 1 − `conversion_without` / conversion of the full chain: the share of conversions that
    /// depend on the touchpoint.
    pub effect: f64,
}

/// The conversion probability of the full chain and the removal effect of each touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribution {
    /// The goal's touchpoint code.
    pub goal: u32,
    /// Probability of reaching the goal from the start in the fitted chain.
    pub conversion: f64,
    /// Observed share of customers whose journey reaches the goal.
    pub observed: f64,
    /// One entry per touchpoint seen before a goal or a journey end (not the goal itself),
    /// largest effect first.
    pub effects: Vec<RemovalEffect>,
}

impl EventLog {
    /// First-order transition probabilities out of `touchpoint`: the share of its occurrences
    /// followed directly by each other touchpoint, most likely first; `None` as target means
    /// the journey ended there.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 1), ("b", "x", 0), ("b", "z", 1), ("c", "x", 0), ("c", "y", 1)])?;
    /// let next = log.next_step(log.touchpoint_code("x").unwrap());
    /// assert_eq!(next[0], (log.touchpoint_code("y"), 2.0 / 3.0));
    /// assert_eq!(next[1], (log.touchpoint_code("z"), 1.0 / 3.0));
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn next_step(&self, touchpoint: u32) -> Vec<(Option<u32>, f64)> {
        let mut counts: FxHashMap<Option<u32>, u64> = FxHashMap::default();
        let mut total = 0u64;
        for (_, tps, _) in self.journeys() {
            for (i, &t) in tps.iter().enumerate() {
                if t == touchpoint {
                    *counts.entry(tps.get(i + 1).copied()).or_insert(0) += 1;
                    total += 1;
                }
            }
        }
        let mut out: Vec<(Option<u32>, f64)> = counts
            .into_iter()
            .map(|(t, k)| (t, k as f64 / total as f64))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The most common paths of `depth` touchpoints starting at each occurrence of `start`
    /// (when given) or ending at each occurrence of `end` (when given; with neither, every
    /// window of `depth` consecutive events). Paths cut short by the journey's start or end
    /// are shorter than `depth`. Most frequent first, `top` kept.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for `depth == 0` or when both `start` and `end` are given.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 1), ("a", "z", 2), ("b", "x", 0), ("b", "y", 1)])?;
    /// let x = log.touchpoint_code("x");
    /// let paths = log.paths(x, None, 2, None)?;
    /// assert_eq!(paths[0].steps, vec![0, 1]); // x -> y, twice
    /// assert_eq!(paths[0].count, 2);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn paths(
        &self,
        start: Option<u32>,
        end: Option<u32>,
        depth: usize,
        top: Option<usize>,
    ) -> Result<Vec<PathCount>> {
        if depth == 0 {
            return Err(Error::invalid_argument(
                "depth",
                "a path needs at least one step",
            ));
        }
        if start.is_some() && end.is_some() {
            return Err(Error::invalid_argument(
                "start",
                "give a start or an end touchpoint, not both",
            ));
        }
        let mut counts: FxHashMap<&[u32], u64> = FxHashMap::default();
        for (_, tps, _) in self.journeys() {
            for i in 0..tps.len() {
                let window = match (start, end) {
                    (Some(s), _) if tps.get(i) == Some(&s) => {
                        tps.get(i..(i + depth).min(tps.len()))
                    }
                    (_, Some(e)) if tps.get(i) == Some(&e) => {
                        tps.get((i + 1).saturating_sub(depth)..=i)
                    }
                    (None, None) if i + depth <= tps.len() => tps.get(i..i + depth),
                    _ => None,
                };
                if let Some(w) = window {
                    *counts.entry(w).or_insert(0) += 1;
                }
            }
        }
        let mut out: Vec<PathCount> = counts
            .into_iter()
            .map(|(steps, count)| PathCount {
                steps: steps.to_vec(),
                count,
            })
            .collect();
        out.sort_unstable_by(|a, b| b.count.cmp(&a.count).then_with(|| a.steps.cmp(&b.steps)));
        if let Some(k) = top {
            out.truncate(k);
        }
        Ok(out)
    }

    /// Markov-chain attribution for reaching `goal`: each journey, cut at its first `goal`
    /// event, is a path from a start state through touchpoints to *conversion* (if it reached
    /// the goal) or *no conversion*. Transition probabilities are the first-order counts of
    /// these paths; the conversion probability is the chance of absorption in *conversion*
    /// from the start, solved iteratively. Removing a touchpoint sends every transition into
    /// it to *no conversion*; its removal effect is 1 − (conversion without it)/(conversion).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `goal` has no label; [`Error::Empty`] when no journey
    /// reaches the goal; [`Error::NotConverged`] if the iteration does not settle.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// // Every conversion passes through "cart"; "ad" starts one of three journeys.
    /// let log = EventLog::from_rows(&[
    ///     ("a", "ad", 0), ("a", "cart", 1), ("a", "buy", 2),
    ///     ("b", "home", 0), ("b", "cart", 1), ("b", "buy", 2),
    ///     ("c", "home", 0), ("c", "cart", 1),
    /// ])?;
    /// let code = |s| log.touchpoint_code(s).unwrap();
    /// let a = log.removal_effects(code("buy"))?;
    /// assert!((a.conversion - 2.0 / 3.0).abs() < 1e-12);
    /// let cart = a.effects.iter().find(|e| e.touchpoint == code("cart")).unwrap();
    /// assert!((cart.effect - 1.0).abs() < 1e-12);
    /// let ad = a.effects.iter().find(|e| e.touchpoint == code("ad")).unwrap();
    /// // Without "ad", a third of the starts end at once: 1 − (2/3 · 2/3) / (2/3) = 1/3.
    /// assert!((ad.effect - 1.0 / 3.0).abs() < 1e-12);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn removal_effects(&self, goal: u32) -> Result<Attribution> {
        let n = self.touchpoint_count();
        if goal as usize >= n {
            return Err(Error::invalid_argument(
                "goal",
                format!("touchpoint code `{goal}` has no label in this log"),
            ));
        }
        // States: touchpoints 0..n, START = n, CONVERSION = n + 1, NULL = n + 2.
        let (start, conv, null) = (n, n + 1, n + 2);
        let mut counts: FxHashMap<(usize, usize), u64> = FxHashMap::default();
        let mut converted = 0u64;
        for (_, tps, _) in self.journeys() {
            let mut from = start;
            let mut reached = false;
            for &t in tps {
                if t == goal {
                    reached = true;
                    break;
                }
                *counts.entry((from, t as usize)).or_insert(0) += 1;
                from = t as usize;
            }
            *counts
                .entry((from, if reached { conv } else { null }))
                .or_insert(0) += 1;
            converted += u64::from(reached);
        }
        if converted == 0 {
            return Err(Error::empty(
                "the conversions",
                format!(
                    "no journey reaches the goal `{}`",
                    self.touchpoint_label(goal).unwrap_or("?")
                ),
            ));
        }
        let chain = Chain::new(n + 3, &counts);
        let base = chain.absorption(start, conv, null, None)?;
        let mut seen: Vec<usize> = counts.keys().map(|&(a, _)| a).filter(|&a| a < n).collect();
        seen.sort_unstable();
        seen.dedup();
        let mut effects = Vec::with_capacity(seen.len());
        for s in seen {
            let without = chain.absorption(start, conv, null, Some(s))?;
            effects.push(RemovalEffect {
                touchpoint: u32::try_from(s).unwrap_or(u32::MAX),
                conversion_without: without,
                effect: if base > 0.0 {
                    1.0 - without / base
                } else {
                    0.0
                },
            });
        }
        effects.sort_by(|a, b| {
            b.effect
                .total_cmp(&a.effect)
                .then(a.touchpoint.cmp(&b.touchpoint))
        });
        Ok(Attribution {
            goal,
            conversion: base,
            observed: converted as f64 / self.customer_count().max(1) as f64,
            effects,
        })
    }
}

/// A row-stochastic transition matrix in sparse rows.
struct Chain {
    rows: Vec<Vec<(usize, f64)>>,
}

impl Chain {
    fn new(states: usize, counts: &FxHashMap<(usize, usize), u64>) -> Chain {
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); states];
        for (&(a, b), &k) in counts {
            if let Some(r) = rows.get_mut(a) {
                r.push((b, k as f64));
            }
        }
        for r in &mut rows {
            r.sort_unstable_by_key(|e| e.0);
            let total: f64 = r.iter().map(|e| e.1).sum();
            for e in r.iter_mut() {
                e.1 /= total;
            }
        }
        Chain { rows }
    }

    /// Probability of absorption in `conv` from `start`, with `removed` (if any) turned into
    /// a non-converting dead end. Gauss–Seidel sweeps until the largest change is below
    /// [`TOLERANCE`].
    fn absorption(
        &self,
        start: usize,
        conv: usize,
        null: usize,
        removed: Option<usize>,
    ) -> Result<f64> {
        let states = self.rows.len();
        let mut p = vec![0.0; states];
        if let Some(c) = p.get_mut(conv) {
            *c = 1.0;
        }
        for _ in 0..MAX_SWEEPS {
            let mut change: f64 = 0.0;
            for s in 0..states {
                if s == conv || s == null || Some(s) == removed {
                    continue;
                }
                let row = self.rows.get(s).map(Vec::as_slice).unwrap_or_default();
                let v: f64 = row
                    .iter()
                    .map(|&(t, q)| q * p.get(t).copied().unwrap_or(0.0))
                    .sum();
                if let Some(x) = p.get_mut(s) {
                    change = change.max((v - *x).abs());
                    *x = v;
                }
            }
            if change < TOLERANCE {
                return Ok(p.get(start).copied().unwrap_or(0.0));
            }
        }
        Err(Error::NotConverged {
            what: "the Markov absorption probabilities".into(),
            iterations: MAX_SWEEPS,
            change: f64::NAN,
        })
    }
}
