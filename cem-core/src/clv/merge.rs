//! Merging identical customers into weighted rows, and indexing each row's T and recency
//! among the distinct values, for the fits of [`super::data::rfm`].
//!
//! Customer summaries hold whole periods, so a million customers share a few hundred T and
//! recency values and a few hundred frequencies. The fast path ranks the distinct values
//! (a hash lookup per row), packs (frequency, recency rank, T rank) into one integer key and
//! sorts the keys by LSD radix sort: linear time, where a comparison sort of a million
//! triples of floats took most of a BG/NBD fit. Columns it cannot pack (fractional
//! frequencies cannot occur, but over a million distinct times can) take the comparison
//! sort. Both give the rows in the same order — by frequency, then recency, then T — and sum
//! each group's weights in input order, so both give the same bits.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The distinct values of a time column (ascending) and each merged row's index into them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Distinct {
    pub values: Vec<f64>,
    pub index: Vec<u32>,
}

/// The merged rows: one per distinct (frequency, recency, T) with a positive total weight,
/// ordered by frequency, then recency, then T.
#[derive(Debug, Clone, Default)]
pub(crate) struct Merged {
    pub x: Vec<f64>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub w: Vec<f64>,
    pub t_distinct: Distinct,
    pub tx_distinct: Distinct,
}

/// Merges validated columns (whole frequencies >= 0, times >= 0, weights >= 0); rows of
/// weight 0 are left out. `None` only if there are more than `u32::MAX` distinct values.
pub(crate) fn merge(
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    weights: Option<&[f64]>,
) -> Option<Merged> {
    match by_rank(frequency, recency, age, weights) {
        Some(m) => Some(m),
        None => by_sort(frequency, recency, age, weights),
    }
}

/// Largest frequency the packed key holds (23 bits).
const MAX_PACKED_X: f64 = ((1_u64 << 23) - 1) as f64;
/// Most distinct values of a time column the packed key holds (20 bits each).
const MAX_PACKED_DISTINCT: usize = 1 << 20;

/// -0.0 as 0.0, so that equal times have equal bits.
fn canonical(v: f64) -> f64 {
    v + 0.0
}

fn weight(weights: Option<&[f64]>, i: usize) -> f64 {
    weights.and_then(|w| w.get(i)).copied().unwrap_or(1.0)
}

/// The packed-key path; `None` when the columns do not fit the key.
fn by_rank(
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    weights: Option<&[f64]>,
) -> Option<Merged> {
    if frequency.iter().any(|&x| x > MAX_PACKED_X) {
        return None;
    }
    let max_x = frequency.iter().fold(0.0_f64, |m, &x| m.max(x)) as u64;
    let t = Ranked::new(age, weights)?;
    let tx = Ranked::new(recency, weights)?;
    let (t_bits, tx_bits) = (bits_for(t.sorted.len()), bits_for(tx.sorted.len()));
    let t_mask = (1_u64 << t_bits) - 1;
    let tx_mask = (1_u64 << tx_bits) - 1;
    let key_bits = t_bits + tx_bits + (u64::BITS - max_x.leading_zeros());
    // Customers without repeat purchases (often half of them) differ only in T: their
    // weights add up by T rank directly, in input order, without sorting.
    let mut zero_w = vec![0.0_f64; t.sorted.len()];
    let mut zero_tx_rank = 0;
    let mut pairs: Vec<(u64, f64)> = Vec::new();
    for (i, ((&x, &ti), &txi)) in frequency.iter().zip(&t.ids).zip(&tx.ids).enumerate() {
        let w = weight(weights, i);
        if w > 0.0 {
            let t_rank = *t.rank.get(ti as usize)?;
            let tx_rank = *tx.rank.get(txi as usize)?;
            if x == 0.0 {
                *zero_w.get_mut(t_rank as usize)? += w;
                zero_tx_rank = tx_rank; // recency 0
            } else {
                let key = ((x as u64) << (t_bits + tx_bits))
                    | (u64::from(tx_rank) << t_bits)
                    | u64::from(t_rank);
                pairs.push((key, w));
            }
        }
    }
    radix_sort(&mut pairs, key_bits);
    let mut out = Merged::default();
    for (t_rank, &w) in zero_w.iter().enumerate() {
        if w > 0.0 {
            out.x.push(0.0);
            out.tx.push(0.0);
            out.t.push(*t.sorted.get(t_rank)?);
            out.w.push(w);
            out.tx_distinct.index.push(zero_tx_rank);
            out.t_distinct.index.push(u32::try_from(t_rank).ok()?);
        }
    }
    let mut last = None;
    for (key, w) in pairs {
        if last == Some(key)
            && let Some(lw) = out.w.last_mut()
        {
            *lw += w;
            continue;
        }
        last = Some(key);
        let t_rank = (key & t_mask) as u32;
        let tx_rank = ((key >> t_bits) & tx_mask) as u32;
        out.x.push((key >> (t_bits + tx_bits)) as f64);
        out.tx.push(*tx.sorted.get(tx_rank as usize)?);
        out.t.push(*t.sorted.get(t_rank as usize)?);
        out.w.push(w);
        out.tx_distinct.index.push(tx_rank);
        out.t_distinct.index.push(t_rank);
    }
    out.t_distinct.values = t.sorted;
    out.tx_distinct.values = tx.sorted;
    Some(out)
}

/// A time column's distinct values among the rows of positive weight, in order of first
/// appearance (`ids`: each row's; [`u32::MAX`] for a row of weight 0, which is left out),
/// their ascending order (`sorted`) and each one's place in it (`rank`, by id).
struct Ranked {
    ids: Vec<u32>,
    sorted: Vec<f64>,
    rank: Vec<u32>,
}

impl Ranked {
    /// `None` for more than [`MAX_PACKED_DISTINCT`] distinct values. Rows of weight 0 are
    /// not ranked, as [`by_sort`] leaves them out before it indexes the times.
    fn new(column: &[f64], weights: Option<&[f64]>) -> Option<Self> {
        let mut seen: HashMap<u64, u32, BuildHasherDefault<BitsHasher>> = HashMap::default();
        let mut first: Vec<f64> = Vec::new();
        let mut ids = Vec::with_capacity(column.len());
        for (i, &v) in column.iter().enumerate() {
            let counted = weight(weights, i) > 0.0;
            if !counted {
                ids.push(u32::MAX);
                continue;
            }
            let v = canonical(v);
            let next = u32::try_from(first.len()).ok()?;
            let id = *seen.entry(v.to_bits()).or_insert(next);
            if id == next {
                if first.len() >= MAX_PACKED_DISTINCT {
                    return None;
                }
                first.push(v);
            }
            ids.push(id);
        }
        let mut order: Vec<u32> = (0..u32::try_from(first.len()).ok()?).collect();
        order.sort_unstable_by(|&a, &b| {
            let (a, b) = (first.get(a as usize), first.get(b as usize));
            a.zip(b)
                .map_or(std::cmp::Ordering::Equal, |(a, b)| a.total_cmp(b))
        });
        let mut rank = vec![0_u32; first.len()];
        let mut sorted = Vec::with_capacity(first.len());
        for (r, &id) in order.iter().enumerate() {
            *rank.get_mut(id as usize)? = u32::try_from(r).ok()?;
            sorted.push(*first.get(id as usize)?);
        }
        Some(Ranked { ids, sorted, rank })
    }
}

/// Bits that hold the numbers `0..len`.
fn bits_for(len: usize) -> u32 {
    usize::BITS - len.saturating_sub(1).leading_zeros()
}

/// Stable LSD radix sort by the low `bits` bits of the keys (the rest must be 0).
fn radix_sort(pairs: &mut Vec<(u64, f64)>, bits: u32) {
    const MAX_DIGIT: u32 = 11;
    if bits == 0 || pairs.len() < 2 {
        return;
    }
    let passes = bits.div_ceil(MAX_DIGIT);
    let digit = bits.div_ceil(passes);
    let mask = (1_u64 << digit) - 1;
    let mut buf = vec![(0_u64, 0.0_f64); pairs.len()];
    let mut counts = vec![0_usize; 1 << digit];
    for pass in 0..passes {
        let shift = pass * digit;
        counts.iter_mut().for_each(|c| *c = 0);
        for (k, _) in pairs.iter() {
            if let Some(c) = counts.get_mut(((k >> shift) & mask) as usize) {
                *c += 1;
            }
        }
        if counts.contains(&pairs.len()) {
            continue; // one digit value throughout: the pass would not move anything
        }
        let mut sum = 0;
        for c in counts.iter_mut() {
            let n = *c;
            *c = sum;
            sum += n;
        }
        for &(k, w) in pairs.iter() {
            if let Some(c) = counts.get_mut(((k >> shift) & mask) as usize) {
                if let Some(slot) = buf.get_mut(*c) {
                    *slot = (k, w);
                }
                *c += 1;
            }
        }
        std::mem::swap(pairs, &mut buf);
    }
}

/// The fallback: sort the rows by comparison, then index the times by binary search.
fn by_sort(
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    weights: Option<&[f64]>,
) -> Option<Merged> {
    let mut rows: Vec<(f64, f64, f64, f64)> = Vec::with_capacity(frequency.len());
    for (i, ((&x, &tx), &t)) in frequency.iter().zip(recency).zip(age).enumerate() {
        let w = weight(weights, i);
        if w > 0.0 {
            rows.push((canonical(x), canonical(tx), canonical(t), w));
        }
    }
    rows.sort_by(|a, b| {
        a.0.total_cmp(&b.0)
            .then(a.1.total_cmp(&b.1))
            .then(a.2.total_cmp(&b.2))
    });
    let mut out = Merged::default();
    let mut last: Option<(f64, f64, f64)> = None;
    for (x, tx, t, w) in rows {
        if last == Some((x, tx, t))
            && let Some(lw) = out.w.last_mut()
        {
            *lw += w;
            continue;
        }
        last = Some((x, tx, t));
        out.x.push(x);
        out.tx.push(tx);
        out.t.push(t);
        out.w.push(w);
    }
    out.t_distinct = distinct(&out.t)?;
    out.tx_distinct = distinct(&out.tx)?;
    Some(out)
}

/// The distinct values of `column` and each entry's index into them.
fn distinct(column: &[f64]) -> Option<Distinct> {
    let mut values: Vec<f64> = column.to_vec();
    values.sort_by(f64::total_cmp);
    values.dedup();
    let index = column
        .iter()
        .map(|v| {
            let i = values.binary_search_by(|probe| probe.total_cmp(v)).ok()?;
            u32::try_from(i).ok()
        })
        .collect::<Option<Vec<u32>>>()?;
    Some(Distinct { values, index })
}

/// Hashes `u64`s (the bits of floats) with SplitMix64's finalizer: fast, and mixes the
/// high bits — where whole numbers stored as floats differ — into the low ones. Not for keys
/// an adversary picks: a fit's columns come from the caller.
#[derive(Default)]
pub(crate) struct BitsHasher(u64);

impl Hasher for BitsHasher {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_left(29);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_paths_give_the_same_rows() {
        // Pseudo-random whole-period histories with repeats, zero weights and -0.0.
        let mut state = 7_u64;
        let mut next = |n: u64| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (state >> 33) % n
        };
        let (mut x, mut tx, mut t, mut w) = (vec![], vec![], vec![], vec![]);
        for _ in 0..5000 {
            let age = (1 + next(60)) as f64;
            let freq = next(4) as f64;
            let rec = if freq == 0.0 {
                if next(2) == 0 { -0.0 } else { 0.0 }
            } else {
                next(age as u64 + 1) as f64
            };
            x.push(freq);
            tx.push(rec);
            t.push(age * 0.5);
            w.push(next(3) as f64);
        }
        // Rows of weight 0 whose T and recency no other row has: neither path may list them
        // among the distinct values.
        x.extend([0.0, 2.0, 1.0]);
        tx.extend([0.0, 99.0, 0.5]);
        t.extend([101.0, 102.0, 0.25]);
        w.extend([0.0, 0.0, 0.0]);
        let fast = by_rank(&x, &tx, &t, Some(&w)).unwrap();
        let slow = by_sort(&x, &tx, &t, Some(&w)).unwrap();
        assert!(fast.x.len() > 100 && fast.x.len() < 5000);
        assert_eq!(fast.x, slow.x);
        assert_eq!(fast.tx, slow.tx);
        assert_eq!(fast.t, slow.t);
        assert_eq!(fast.w, slow.w);
        assert_eq!(fast.t_distinct.values, slow.t_distinct.values);
        assert_eq!(fast.t_distinct.index, slow.t_distinct.index);
        assert_eq!(fast.tx_distinct.values, slow.tx_distinct.values);
        assert_eq!(fast.tx_distinct.index, slow.tx_distinct.index);
        for v in [101.0, 102.0, 0.25] {
            assert!(!fast.t_distinct.values.contains(&v), "T {v}");
        }
        for v in [99.0, 0.5] {
            assert!(!fast.tx_distinct.values.contains(&v), "recency {v}");
        }
        let total: f64 = w.iter().sum();
        assert_eq!(fast.w.iter().sum::<f64>(), total);
        // Each merged row's indices point at its own times.
        for ((i, v), d) in [
            (&fast.t_distinct.index, &fast.t),
            (&fast.tx_distinct.index, &fast.tx),
        ]
        .into_iter()
        .zip([&fast.t_distinct.values, &fast.tx_distinct.values])
        {
            for (k, value) in i.iter().zip(v) {
                assert_eq!(d[*k as usize], *value);
            }
        }
    }

    #[test]
    fn radix_sort_is_a_stable_sort() {
        let mut state = 3_u64;
        let mut pairs: Vec<(u64, f64)> = (0..3000)
            .map(|i| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1);
                ((state >> 40) & 0x3_FFFF, f64::from(i))
            })
            .collect();
        let mut expected = pairs.clone();
        expected.sort_by_key(|p| p.0);
        radix_sort(&mut pairs, 18);
        assert_eq!(pairs, expected);
    }
}
