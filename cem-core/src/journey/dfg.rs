//! The directly-follows graph, starts, ends and variants of an [`EventLog`].

use crate::hash::FxHashMap;

use serde::{Deserialize, Serialize};

use crate::journey::EventLog;

/// One directly-follows edge: how often `target` came right after `source` in a customer's
/// journey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Touchpoint code of the earlier event.
    pub source: u32,
    /// Touchpoint code of the event right after it.
    pub target: u32,
    /// Number of times the pair occurred (pm4py's `discover_dfg` frequency).
    pub count: u64,
    /// Number of distinct customers with the pair.
    pub customers: u64,
    /// Mean time from source to target, in the log's time unit (pm4py's performance DFG
    /// `mean`).
    pub mean_duration: f64,
    /// Median time from source to target (the mean of the two middle values for an even
    /// count, as numpy's median and pm4py's performance DFG `median`).
    pub median_duration: f64,
}

/// The directly-follows graph with the start and end counts of an [`EventLog`].
///
/// # Example
///
/// ```
/// use cem_core::journey::EventLog;
///
/// let log = EventLog::from_rows(&[
///     ("a", "home", 0), ("a", "cart", 10), ("a", "pay", 40),
///     ("b", "home", 0), ("b", "cart", 30),
/// ])?;
/// let dfg = log.dfg();
/// let home_cart = dfg.edge(log.touchpoint_code("home").unwrap(), log.touchpoint_code("cart").unwrap()).unwrap();
/// assert_eq!((home_cart.count, home_cart.customers), (2, 2));
/// assert_eq!((home_cart.mean_duration, home_cart.median_duration), (20.0, 20.0));
/// assert_eq!(dfg.starts, vec![(0, 2)]); // both start at home
/// assert_eq!(dfg.ends.len(), 2);        // one ends at pay, one at cart
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dfg {
    /// Edges sorted by (source, target).
    pub edges: Vec<Edge>,
    /// `(touchpoint, customers whose journey starts there)`, sorted by touchpoint code.
    pub starts: Vec<(u32, u64)>,
    /// `(touchpoint, customers whose journey ends there)`, sorted by touchpoint code.
    pub ends: Vec<(u32, u64)>,
}

impl Dfg {
    /// The edge from `source` to `target`, if it occurred.
    pub fn edge(&self, source: u32, target: u32) -> Option<&Edge> {
        self.edges
            .binary_search_by_key(&(source, target), |e| (e.source, e.target))
            .ok()
            .and_then(|i| self.edges.get(i))
    }
}

/// A distinct journey (the full sequence of touchpoints of a customer) with how many customers
/// followed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The touchpoint codes, in event order.
    pub steps: Vec<u32>,
    /// Customers whose journey is exactly this sequence.
    pub count: u64,
    /// `count` as a fraction of all customers.
    pub share: f64,
}

impl EventLog {
    /// The directly-follows graph: for every pair of consecutive events of a customer, the
    /// count, the distinct customers and the mean and median time between them; and the
    /// touchpoints journeys start and end at. Edge counts sum to events − customers.
    pub fn dfg(&self) -> Dfg {
        let t = self.touchpoint_count();
        // Edge ids: a dense t × t table when it is small, a hash map otherwise.
        let dense = t <= 1024;
        let mut table: Vec<u32> = if dense {
            vec![u32::MAX; t * t]
        } else {
            Vec::new()
        };
        let mut index: FxHashMap<(u32, u32), usize> = FxHashMap::default();
        let mut keys: Vec<(u32, u32)> = Vec::new();
        let mut count: Vec<u64> = Vec::new();
        let mut customers: Vec<u64> = Vec::new();
        let mut last_customer: Vec<u32> = Vec::new();
        // First pass: edge ids, counts and distinct customers.
        let mut edge_of_pair: Vec<usize> = Vec::with_capacity(self.len());
        for (c, tps, _) in self.journeys() {
            for w in tps.windows(2) {
                let (Some(&a), Some(&b)) = (w.first(), w.get(1)) else {
                    continue;
                };
                let mut new_edge = || {
                    keys.push((a, b));
                    count.push(0);
                    customers.push(0);
                    last_customer.push(u32::MAX);
                    keys.len() - 1
                };
                let id = if dense {
                    match table.get_mut(a as usize * t + b as usize) {
                        Some(slot) if *slot != u32::MAX => *slot as usize,
                        Some(slot) => {
                            let id = new_edge();
                            *slot = u32::try_from(id).unwrap_or(u32::MAX);
                            id
                        }
                        None => continue,
                    }
                } else {
                    *index.entry((a, b)).or_insert_with(new_edge)
                };
                if let Some(k) = count.get_mut(id) {
                    *k += 1;
                }
                if let (Some(seen), Some(k)) = (last_customer.get_mut(id), customers.get_mut(id))
                    && *seen != c
                {
                    *seen = c;
                    *k += 1;
                }
                edge_of_pair.push(id);
            }
        }
        // Second pass: durations grouped by edge (CSR), for the mean and the median.
        let mut offsets = Vec::with_capacity(count.len() + 1);
        offsets.push(0usize);
        let mut total = 0usize;
        for &k in &count {
            total += k as usize;
            offsets.push(total);
        }
        let mut fill = offsets.clone();
        let mut durations = vec![0i64; total];
        let mut pairs = edge_of_pair.iter();
        for (_, _, times) in self.journeys() {
            for w in times.windows(2) {
                let (Some(&a), Some(&b), Some(&id)) = (w.first(), w.get(1), pairs.next()) else {
                    continue;
                };
                if let Some(pos) = fill.get_mut(id) {
                    if let Some(d) = durations.get_mut(*pos) {
                        *d = b.saturating_sub(a);
                    }
                    *pos += 1;
                }
            }
        }
        let mut edges: Vec<Edge> = keys
            .iter()
            .enumerate()
            .map(|(id, &(source, target))| {
                let a = offsets.get(id).copied().unwrap_or(0);
                let b = offsets.get(id + 1).copied().unwrap_or(a);
                let ds = durations.get_mut(a..b).unwrap_or_default();
                Edge {
                    source,
                    target,
                    count: count.get(id).copied().unwrap_or(0),
                    customers: customers.get(id).copied().unwrap_or(0),
                    mean_duration: mean(ds),
                    median_duration: median(ds),
                }
            })
            .collect();
        edges.sort_unstable_by_key(|e| (e.source, e.target));
        Dfg {
            edges,
            starts: self.starts(),
            ends: self.ends(),
        }
    }

    /// `(touchpoint, customers whose journey starts there)`, sorted by touchpoint code
    /// (pm4py's `get_start_activities`): [`Dfg::starts`] without building the graph.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "home", 0), ("a", "cart", 1), ("b", "cart", 0), ("c", "home", 5)])?;
    /// assert_eq!(log.starts(), vec![(0, 2), (1, 1)]); // home: a and c; cart: b
    /// assert_eq!(log.starts(), log.dfg().starts);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn starts(&self) -> Vec<(u32, u64)> {
        self.boundary(<[u32]>::first)
    }

    /// `(touchpoint, customers whose journey ends there)`, sorted by touchpoint code (pm4py's
    /// `get_end_activities`): [`Dfg::ends`] without building the graph.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "home", 0), ("a", "cart", 1), ("b", "cart", 0), ("c", "home", 5)])?;
    /// assert_eq!(log.ends(), vec![(0, 1), (1, 2)]); // home: c; cart: a and b
    /// assert_eq!(log.ends(), log.dfg().ends);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn ends(&self) -> Vec<(u32, u64)> {
        self.boundary(<[u32]>::last)
    }

    /// Customers per touchpoint picked from each journey by `pick`.
    fn boundary(&self, pick: fn(&[u32]) -> Option<&u32>) -> Vec<(u32, u64)> {
        let mut counts = vec![0u64; self.touchpoint_count()];
        for (_, tps, _) in self.journeys() {
            if let Some(&t) = pick(tps) {
                bump(&mut counts, t);
            }
        }
        nonzero(&counts)
    }

    /// The distinct journeys with their counts and shares, most frequent first (ties in order
    /// of first appearance, that is by the first customer who followed them); `top` keeps
    /// only the first so many. Counts sum to the number of customers.
    ///
    /// ```
    /// use cem_core::journey::EventLog;
    /// let log = EventLog::from_rows(&[("a", "x", 0), ("a", "y", 1), ("b", "x", 0), ("b", "y", 5), ("c", "y", 0)])?;
    /// let v = log.variants(None);
    /// assert_eq!(v[0].steps, vec![0, 1]);
    /// assert_eq!((v[0].count, v[0].share), (2, 2.0 / 3.0));
    /// assert_eq!(log.variants(Some(1)).len(), 1);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn variants(&self, top: Option<usize>) -> Vec<Variant> {
        // Distinct journeys in order of first appearance, counted through an index, so the
        // sort compares integers only and steps are copied out once, for the kept variants.
        let mut index: FxHashMap<&[u32], usize> = FxHashMap::default();
        let mut entries: Vec<(u64, &[u32])> = Vec::new();
        for (_, tps, _) in self.journeys() {
            match index.entry(tps) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    if let Some(entry) = entries.get_mut(*e.get()) {
                        entry.0 += 1;
                    }
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(entries.len());
                    entries.push((1, tps));
                }
            }
        }
        // Stable: equal counts keep their first-appearance order.
        entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        if let Some(k) = top {
            entries.truncate(k);
        }
        let total = self.customer_count() as f64;
        entries
            .into_iter()
            .map(|(count, steps)| Variant {
                steps: steps.to_vec(),
                count,
                share: if total > 0.0 {
                    count as f64 / total
                } else {
                    0.0
                },
            })
            .collect()
    }
}

fn bump(counts: &mut [u64], code: u32) {
    if let Some(k) = counts.get_mut(code as usize) {
        *k += 1;
    }
}

fn nonzero(counts: &[u64]) -> Vec<(u32, u64)> {
    counts
        .iter()
        .enumerate()
        .filter(|(_, k)| **k > 0)
        .map(|(c, &k)| (u32::try_from(c).unwrap_or(u32::MAX), k))
        .collect()
}

fn mean(xs: &[i64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len() as f64
}

/// The median, reordering `xs` (numpy's definition: the mean of the two middle values for an
/// even count).
pub(crate) fn median(xs: &mut [i64]) -> f64 {
    percentile(xs, 0.5)
}

/// The `q`-quantile with numpy's default linear interpolation, reordering `xs`; 0 when empty.
pub(crate) fn percentile(xs: &mut [i64], q: f64) -> f64 {
    let n = xs.len();
    if n == 0 {
        return 0.0;
    }
    let pos = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = pos.floor() as usize;
    let frac = pos - lo as f64;
    let (_, &mut a, rest) = xs.select_nth_unstable(lo);
    let a = a as f64;
    if frac == 0.0 {
        return a;
    }
    // The next order statistic is the smallest of the upper part.
    let b = rest.iter().copied().min().map_or(a, |b| b as f64);
    a + frac * (b - a)
}
