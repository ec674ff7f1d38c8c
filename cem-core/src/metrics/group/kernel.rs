//! The one-pass counting kernel of the group-by: a dense (segment × period × level) table
//! when the ranges are compact, a hash map of cells otherwise.

use std::collections::HashMap;

use super::*;

/// Rows whose ranges plan the dense table before the main loop starts.
pub(super) const PROBE_ROWS: usize = 1 << 16;

/// Input columns, already checked for equal lengths and valid scores and weights.
pub(super) struct Columns<'a> {
    pub(super) scores: &'a [u8],
    pub(super) segments: &'a [u32],
    pub(super) times: &'a [i64],
    pub(super) weights: Option<&'a [f64]>,
}

impl Columns<'_> {
    pub(super) fn tail(&self, start: usize) -> Columns<'_> {
        self.rows(start..self.scores.len())
    }

    /// The rows `range` of every column (empty where out of bounds).
    pub(super) fn rows(&self, range: std::ops::Range<usize>) -> Columns<'_> {
        Columns {
            scores: self.scores.get(range.clone()).unwrap_or_default(),
            segments: self.segments.get(range.clone()).unwrap_or_default(),
            times: self.times.get(range.clone()).unwrap_or_default(),
            weights: self.weights.map(|w| w.get(range).unwrap_or_default()),
        }
    }

    /// Ranges of timestamps and segment codes of `rows`; `None` when there are none.
    pub(super) fn ranges(
        &self,
        rows: std::ops::Range<usize>,
        lo: u8,
        levels: usize,
    ) -> Option<Ranges> {
        let (tmin, tmax) = min_max(self.times.get(rows.clone())?)?;
        let (gmin, gmax) = min_max(self.segments.get(rows)?)?;
        Some(Ranges {
            tmin,
            tmax,
            gmin,
            gmax,
            lo,
            levels,
        })
    }
}

/// Ranges of a block of rows.
pub(super) struct Ranges {
    pub(super) tmin: i64,
    pub(super) tmax: i64,
    pub(super) gmin: u32,
    pub(super) gmax: u32,
    /// Lowest scale level.
    pub(super) lo: u8,
    /// Number of scale levels.
    pub(super) levels: usize,
}

/// Per-cell counts of a batch: `cells[k]` owns `levels` consecutive slots from `k * levels`.
pub(super) struct Table {
    /// (segment, period start day) of each cell.
    pub(super) cells: Vec<(u32, i64)>,
    pub(super) count: Vec<u64>,
    /// Sums of weights and squared weights; empty without weights.
    pub(super) weight: Vec<f64>,
    pub(super) weight_sq: Vec<f64>,
}

impl Table {
    pub(super) fn flush_into(
        &mut self,
        out: &mut BTreeMap<(u32, i64), ScaleCounts>,
        r: &Ranges,
        weighted: bool,
    ) -> Result<()> {
        let hi =
            r.lo.saturating_add(u8::try_from(r.levels - 1).unwrap_or(u8::MAX));
        for (k, key) in self.cells.iter().enumerate() {
            let base = k * r.levels;
            let Some(count) = self.count.get(base..base + r.levels) else {
                continue;
            };
            if count.iter().all(|&c| c == 0) {
                continue;
            }
            let cell = out
                .entry(*key)
                .or_insert_with(|| ScaleCounts::fixed(r.lo, hi));
            for (i, &c) in count.iter().enumerate().filter(|(_, c)| **c > 0) {
                let (w, w2) = if weighted {
                    let w = self.weight.get(base + i).copied().unwrap_or(0.0);
                    (w, self.weight_sq.get(base + i).copied().unwrap_or(0.0))
                } else {
                    (c as f64, c as f64)
                };
                cell.add(i, c, w, w2);
            }
        }
        Ok(())
    }
}

/// The dense plan: a table over every (segment code, period) in the batch's ranges, and a
/// lookup table from day to period index.
pub(super) struct Dense {
    /// Timestamp (in units, modulo 2^64) of the start of the first local day.
    pub(super) anchor: i64,
    /// The timestamps the table covers, `tlo..=thi`.
    pub(super) tlo: i64,
    pub(super) thi: i64,
    /// Period index (from the first period) of each day from the first.
    pub(super) day_period: Vec<u32>,
    pub(super) kmin: i64,
    pub(super) periods: usize,
    pub(super) segments: usize,
}

/// Cells × levels a dense table may hold regardless of the batch size.
pub(super) const DENSE_MIN_SLOTS: usize = 1 << 16;

impl Dense {
    /// `Some` when the dense table and the day lookup stay small next to the input (at most
    /// one slot per 4 rows, one lookup entry per row) or small absolutely.
    pub(super) fn plan<const UPD: i64>(
        rows: usize,
        r: &Ranges,
        period: Period,
        dmin: i64,
        dmax: i64,
        offset: i64,
    ) -> Option<Dense> {
        let days = usize::try_from(dmax.checked_sub(dmin)?.checked_add(1)?).ok()?;
        let (kmin, kmax) = (period.key(dmin), period.key(dmax));
        let periods = usize::try_from(kmax - kmin + 1).ok()?;
        let segments = usize::try_from(r.gmax - r.gmin).ok()?.checked_add(1)?;
        let slots = segments.checked_mul(periods)?.checked_mul(r.levels)?;
        if days > DENSE_MIN_SLOTS.max(rows) || slots > DENSE_MIN_SLOTS.max(rows / 4) {
            return None;
        }
        // Every t satisfies anchor <= t < anchor + days * UPD; the width must fit a u64 for
        // the wrapping subtraction in the loop to be exact.
        let anchor = i128::from(dmin) * i128::from(UPD) - i128::from(offset);
        let width = i128::try_from(days).ok()? * i128::from(UPD);
        if width > i128::from(u64::MAX) {
            return None;
        }
        let day_period = (dmin..=dmax)
            .map(|d| u32::try_from(period.key(d) - kmin).unwrap_or(u32::MAX))
            .collect();
        let clamp = |t: i128| i64::try_from(t).unwrap_or(if t < 0 { i64::MIN } else { i64::MAX });
        Some(Dense {
            tlo: clamp(anchor),
            thi: clamp(anchor + width - 1),
            anchor: anchor as i64, // modulo 2^64, on purpose
            day_period,
            kmin,
            periods,
            segments,
        })
    }

    /// Counts the rows until the first one outside the plan's ranges; returns the table and
    /// that row's position, if any.
    pub(super) fn run<const UPD: i64>(
        self,
        cols: &Columns<'_>,
        r: &Ranges,
        period: Period,
    ) -> (Table, Option<usize>) {
        let cells = self.segments * self.periods;
        let slots = cells * r.levels;
        let mut count = vec![0u64; slots];
        let (lo, levels, gmin, periods) = (r.lo, r.levels, r.gmin, self.periods);
        let (tlo, thi, segments) = (self.tlo, self.thi, self.segments);
        let udp = UPD as u64;
        let slot = |s: u8, g: u32, t: i64| -> Option<usize> {
            let g = g.wrapping_sub(gmin) as usize;
            if t < tlo || t > thi || g >= segments {
                return None;
            }
            let day = (t.wrapping_sub(self.anchor) as u64 / udp) as usize;
            let p = self.day_period.get(day).copied().unwrap_or(0) as usize;
            Some((g * periods + p) * levels + usize::from(s - lo))
        };
        let rows = cols.scores.iter().zip(cols.segments).zip(cols.times);
        let (mut weight, mut weight_sq) = (Vec::new(), Vec::new());
        let mut stop = None;
        match cols.weights {
            None => {
                for (pos, ((&s, &g), &t)) in rows.enumerate() {
                    let Some(i) = slot(s, g, t) else {
                        stop = Some(pos);
                        break;
                    };
                    if let Some(c) = count.get_mut(i) {
                        *c += 1;
                    }
                }
            }
            Some(ws) => {
                weight = vec![0.0; slots];
                weight_sq = vec![0.0; slots];
                for (pos, (((&s, &g), &t), &w)) in rows.zip(ws).enumerate() {
                    let Some(i) = slot(s, g, t) else {
                        stop = Some(pos);
                        break;
                    };
                    if let (Some(c), Some(sw), Some(sw2)) =
                        (count.get_mut(i), weight.get_mut(i), weight_sq.get_mut(i))
                    {
                        *c += 1;
                        *sw += w;
                        *sw2 += w * w;
                    }
                }
            }
        }
        let keys = (0..cells)
            .map(|k| {
                let g = gmin.saturating_add(u32::try_from(k / periods).unwrap_or(u32::MAX));
                (g, period.start_day(self.kmin + (k % periods) as i64))
            })
            .collect();
        let table = Table {
            cells: keys,
            count,
            weight,
            weight_sq,
        };
        (table, stop)
    }
}

/// The general plan: cells found through a hash map as they come.
pub(super) fn sparse<const UPD: i64>(
    cols: &Columns<'_>,
    r: &Ranges,
    period: Period,
    day_of: impl Fn(i64) -> i64,
) -> Table {
    let levels = r.levels;
    let weighted = cols.weights.is_some();
    let mut index: HashMap<(u32, i64), usize> = HashMap::new();
    let mut table = Table {
        cells: Vec::new(),
        count: Vec::new(),
        weight: Vec::new(),
        weight_sq: Vec::new(),
    };
    let mut last: Option<((u32, i64), usize)> = None;
    for (i, ((&s, &g), &t)) in cols
        .scores
        .iter()
        .zip(cols.segments)
        .zip(cols.times)
        .enumerate()
    {
        let key = (g, period.key(day_of(t)));
        let base = match last {
            Some((k, b)) if k == key => b,
            _ => {
                let b = *index.entry(key).or_insert_with(|| {
                    let b = table.count.len();
                    table.cells.push((g, period.start_day(key.1)));
                    table.count.resize(b + levels, 0);
                    if weighted {
                        table.weight.resize(b + levels, 0.0);
                        table.weight_sq.resize(b + levels, 0.0);
                    }
                    b
                });
                last = Some((key, b));
                b
            }
        };
        let j = base + usize::from(s - r.lo);
        if let Some(c) = table.count.get_mut(j) {
            *c += 1;
        }
        if let (Some(w), Some(sw), Some(sw2)) = (
            cols.weights.and_then(|ws| ws.get(i)),
            table.weight.get_mut(j),
            table.weight_sq.get_mut(j),
        ) {
            *sw += w;
            *sw2 += w * w;
        }
    }
    table
}

/// Smallest and largest value; `None` when empty. A plain fold that the compiler can
/// vectorize (this pass reads every column once before the main one).
pub(super) fn min_max<T: Copy + Ord>(values: &[T]) -> Option<(T, T)> {
    let first = *values.first()?;
    Some(
        values
            .iter()
            .fold((first, first), |(lo, hi), &v| (lo.min(v), hi.max(v))),
    )
}
