//! The weighted means, exact constancy and centred cross-product (Gram) matrix
//! Σ w (x − x̄)(y − ȳ) of a few columns over many rows, in one pass (private): the heavy part
//! of key-driver analysis.
//!
//! **Accuracy: shifted data.** Each column is first shifted by `a`, the mean of a strided
//! sample of at most [`SAMPLE`] of its rows (spread over the whole column, so sorted data do
//! not fool it); the pass sums S = Σ w (x − a) and C = Σ w (x − a)(y − b), and the centred
//! product is C − S_x S_y / W. With `a` within a fraction of a standard deviation of the mean
//! the correction is tiny next to C, so this is as accurate as the two-pass formula (the
//! "shifted data" algorithm; ratings 1–10 shifted by 10⁹ keep 1e-9 relative accuracy, see the
//! tests) while reading the data once instead of twice.
//!
//! **Speed: tiles.** Rows go through in blocks of [`BLOCK`]. Each block is shifted (and scaled
//! by √w when rows are weighted; rows with weight 0 are left out and never read) into a small
//! row-interleaved buffer that stays in L1: for each group of [`LANES`] consecutive rows, the
//! q columns' values side by side, one `[f64; LANES]` per column; the same loop keeps each
//! column's sum, minimum and maximum in lanes. The upper triangle of the q × q product is
//! covered by [`TILE`] × [`TILE`] tiles of columns; a tile keeps its TILE² independent
//! partial sums in registers for the whole block (so the additions pipeline and each
//! accumulator is one vector register) and adds them to the task's matrix once per block:
//! 9 multiply-adds per 6 loads, where plain dot products need one load per multiply-add.
//!
//! **Two kernels.** Under feature `simd` on x86-64, when the CPU has AVX2 and FMA (checked
//! at run time through `pulp`, whose API is safe), the pass is compiled for them: a tile's
//! accumulators are whole `[f64; 4]` lane arrays (9 + 6 operands = 15 of the 16 YMM
//! registers) updated by fused multiply-adds. Otherwise (other CPUs and targets, or the
//! feature off) baseline x86-64 runs: the tile goes over the block twice, once per
//! [`HALF`] of the lanes, with `[f64; 2]` accumulators (9 + 6 = the 16 SSE2 registers) and a
//! separate multiply and add. The two differ only in rounding (a fused multiply-add rounds
//! once, and the lanes are added in another order): within 1e-12 of each other relative to
//! the columns' scale, see the tests.
//!
//! Tasks of [`TASK`] rows run in parallel under feature `parallel`; their partial sums are
//! added in task order, and within a task the order is fixed (lanes, then blocks), so the
//! result is the same bit for bit whatever the number of threads.

use crate::drivers::linalg::SymMatrix;

/// Consecutive rows side by side in the buffer (one AVX2 register of the fast kernel).
const LANES: usize = 4;
/// Lanes of one accumulator of the baseline kernel (one SSE2 register).
const HALF: usize = 2;
/// Columns per side of a tile.
const TILE: usize = 3;
/// Rows per block: q columns × 128 rows × 8 bytes stay in L1 for q up to ~40.
const BLOCK: usize = 128;
/// Rows per parallel task (feature `parallel`).
const TASK: usize = 1 << 15;
/// Rows sampled for each column's shift.
const SAMPLE: usize = 256;

type Lane = [f64; LANES];

/// What one pass over the columns gives.
pub(crate) struct Pass {
    /// Rows with positive weight.
    pub(crate) rows: usize,
    /// Weighted mean of each column (0 when no row has positive weight).
    pub(crate) means: Vec<f64>,
    /// Whether a column takes one value only over rows with positive weight (min = max).
    pub(crate) constant: Vec<bool>,
    /// Σ w (x − x̄)(y − ȳ) for every pair (upper triangle and diagonal).
    pub(crate) cross: SymMatrix,
    /// Whether every sum came out finite: false when a row read holds NaN or ±∞ (or the
    /// sums overflow).
    pub(crate) finite: bool,
}

/// Means, constancy and centred cross-products of `columns` in one pass. Rows with weight 0
/// are skipped and never read, so they may hold NaN; every other value must be finite.
pub(crate) fn moments_pass(columns: &[&[f64]], row_weights: Option<&[f64]>) -> Pass {
    moments_pass_on(columns, row_weights, Kernel::Fastest)
}

/// Which tile kernel a pass uses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kernel {
    /// AVX2+FMA when built with feature `simd` for x86-64 and the CPU has them, else baseline.
    Fastest,
    /// Baseline x86-64 (SSE2) code everywhere.
    #[cfg_attr(not(test), allow(dead_code))]
    Baseline,
}

fn moments_pass_on(columns: &[&[f64]], row_weights: Option<&[f64]>, kernel: Kernel) -> Pass {
    let q = columns.len();
    let qp = q.div_ceil(TILE) * TILE; // padding columns stay zero
    let n = columns.first().map_or(0, |c| c.len());
    let shifts: Vec<f64> = columns.iter().map(|c| shift(c, row_weights)).collect();
    let tasks: Vec<(usize, usize)> = (0..n)
        .step_by(TASK)
        .map(|s| (s, (s + TASK).min(n)))
        .collect();
    let partial = |range: &(usize, usize)| {
        let mut p = Partial::new(q, qp);
        p.add_rows(columns, row_weights, &shifts, *range, kernel);
        p
    };
    #[cfg(feature = "parallel")]
    let partials: Vec<Partial> = {
        use rayon::prelude::*;
        tasks.par_iter().map(partial).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let partials: Vec<Partial> = tasks.iter().map(partial).collect();
    let mut all = Partial::new(q, qp);
    for p in &partials {
        all.merge(p);
    }
    all.finish(&shifts)
}

/// The mean of up to [`SAMPLE`] rows with positive weight taken at an even stride: the shift
/// of the column. When the stride meets only rows with weight 0 (weights with a period that
/// divides it), the first row with positive weight; 0 when there is none.
fn shift(col: &[f64], row_weights: Option<&[f64]>) -> f64 {
    let step = (col.len() / SAMPLE).max(1);
    let (mut sum, mut k) = (0.0, 0usize);
    for (i, x) in col.iter().enumerate().step_by(step) {
        let keep = row_weights.is_none_or(|w| w.get(i).is_some_and(|w| *w > 0.0));
        if keep && x.is_finite() {
            sum += x;
            k += 1;
        }
    }
    if k > 0 {
        return sum / k as f64;
    }
    let keep = |(i, x): &(usize, &f64)| {
        x.is_finite() && row_weights.is_none_or(|w| w.get(*i).is_some_and(|w| *w > 0.0))
    };
    col.iter().enumerate().find(keep).map_or(0.0, |(_, x)| *x)
}

/// The sums of one task (or of everything, once merged).
struct Partial {
    qp: usize,
    rows: usize,
    /// Σ w.
    total: f64,
    /// Σ w (x − a) per column.
    sum: Vec<f64>,
    lo: Vec<f64>,
    hi: Vec<f64>,
    /// Σ w (x − a)(y − b), `qp × qp`, upper triangle by tiles.
    gram: Vec<f64>,
}

impl Partial {
    fn new(q: usize, qp: usize) -> Partial {
        Partial {
            qp,
            rows: 0,
            total: 0.0,
            sum: vec![0.0; q],
            lo: vec![f64::INFINITY; q],
            hi: vec![f64::NEG_INFINITY; q],
            gram: vec![0.0; qp * qp],
        }
    }

    fn merge(&mut self, o: &Partial) {
        self.rows += o.rows;
        self.total += o.total;
        for (a, b) in self.sum.iter_mut().zip(&o.sum) {
            *a += b;
        }
        for (a, b) in self.lo.iter_mut().zip(&o.lo) {
            *a = a.min(*b);
        }
        for (a, b) in self.hi.iter_mut().zip(&o.hi) {
            *a = a.max(*b);
        }
        for (a, b) in self.gram.iter_mut().zip(&o.gram) {
            *a += b;
        }
    }

    fn finish(&self, shifts: &[f64]) -> Pass {
        let q = self.sum.len();
        let w = self.total;
        let mean_dev: Vec<f64> = self
            .sum
            .iter()
            .map(|s| if w > 0.0 { s / w } else { 0.0 })
            .collect();
        let means = if w > 0.0 {
            shifts.iter().zip(&mean_dev).map(|(a, d)| a + d).collect()
        } else {
            vec![0.0; q]
        };
        let mut cross = SymMatrix::zeros(q);
        for (i, si) in self.sum.iter().enumerate() {
            for (j, dj) in mean_dev.iter().enumerate().skip(i) {
                // C − S_i S_j / W; a variance cannot come out below 0.
                let v = self.gram.get(i * self.qp + j).copied().unwrap_or(0.0) - si * dj;
                cross.set(i, j, if i == j { v.max(0.0) } else { v });
            }
        }
        let finite = self.sum.iter().chain(&self.gram).all(|x| x.is_finite());
        Pass {
            finite,
            rows: self.rows,
            means,
            constant: self.lo.iter().zip(&self.hi).map(|(l, h)| l >= h).collect(),
            cross,
        }
    }

    /// Adds the rows `first..last` with the chosen kernel.
    fn add_rows(
        &mut self,
        columns: &[&[f64]],
        row_weights: Option<&[f64]>,
        shifts: &[f64],
        range: (usize, usize),
        kernel: Kernel,
    ) {
        #[cfg(all(feature = "simd", target_arch = "x86_64"))]
        if kernel == Kernel::Fastest
            && let Some(v3) = pulp::x86::V3::try_new()
        {
            // Everything below is inlined into a function compiled for AVX2+FMA.
            v3.vectorize(
                #[inline(always)]
                || self.add_rows_with(v3, columns, row_weights, shifts, range),
            );
            return;
        }
        let _ = kernel;
        self.add_rows_with(Baseline, columns, row_weights, shifts, range);
    }

    /// Adds the rows `first..last` with tile kernel `k` (the AVX2+FMA one is only ever
    /// called from a function compiled for those features).
    #[inline(always)]
    fn add_rows_with<K: TileKernel>(
        &mut self,
        k: K,
        columns: &[&[f64]],
        row_weights: Option<&[f64]>,
        shifts: &[f64],
        (first, last): (usize, usize),
    ) {
        let qp = self.qp;
        let mut buf: Vec<Lane> = vec![[0.0; LANES]; BLOCK / LANES * qp];
        // Rows of the current block with positive weight, and their √w.
        let mut rows: Vec<usize> = Vec::with_capacity(BLOCK);
        let mut scale: Vec<f64> = Vec::with_capacity(BLOCK);
        let mut start = first;
        while start < last {
            let end = (start + BLOCK).min(last);
            let len = match row_weights {
                None => {
                    for (c, (col, a)) in columns.iter().zip(shifts).enumerate() {
                        let src = col.get(start..end).unwrap_or(&[]);
                        let mut lanes = Stats::new();
                        // Full groups of rows at fixed width, then the part-filled one.
                        let mut groups = buf.chunks_exact_mut(qp);
                        let mut full = src.chunks_exact(LANES);
                        for (xs, group) in full.by_ref().zip(groups.by_ref()) {
                            if let (Some(dst), Some(xs)) = (group.get_mut(c), xs.first_chunk()) {
                                lanes.push_full(dst, xs, *a, &[1.0; LANES]);
                            }
                        }
                        let rest = full.remainder();
                        if let Some(dst) = groups.next().and_then(|g| g.get_mut(c))
                            && !rest.is_empty()
                        {
                            lanes.push(dst, rest, *a, &[1.0; LANES]);
                        }
                        self.add_stats(c, &lanes);
                    }
                    self.total += (end - start) as f64;
                    end - start
                }
                Some(w) => {
                    rows.clear();
                    scale.clear();
                    for (i, wi) in w.iter().enumerate().take(end).skip(start) {
                        if *wi > 0.0 {
                            rows.push(i);
                            scale.push(wi.sqrt());
                            self.total += wi;
                        }
                    }
                    let mut xs: Lane = [0.0; LANES];
                    for (c, (col, a)) in columns.iter().zip(shifts).enumerate() {
                        let mut lanes = Stats::new();
                        let picked = rows.chunks(LANES).zip(scale.chunks(LANES));
                        for (group, (is, ss)) in buf.chunks_exact_mut(qp).zip(picked) {
                            for (x, i) in xs.iter_mut().zip(is) {
                                *x = col.get(*i).copied().unwrap_or(0.0);
                            }
                            let dst = group.get_mut(c);
                            match (dst, ss.first_chunk::<LANES>()) {
                                (Some(dst), Some(sw)) => lanes.push_full(dst, &xs, *a, sw),
                                (Some(dst), None) => {
                                    lanes.push(dst, xs.get(..is.len()).unwrap_or(&[]), *a, ss);
                                }
                                (None, _) => {}
                            }
                        }
                        self.add_stats(c, &lanes);
                    }
                    rows.len()
                }
            };
            self.rows += len;
            // The last group may be part-filled: its unused lanes must add nothing.
            let groups = len.div_ceil(LANES);
            if len % LANES != 0 {
                let tail = buf.chunks_exact_mut(qp).nth(groups - 1);
                for lane in tail.into_iter().flatten() {
                    for x in lane.iter_mut().skip(len % LANES) {
                        *x = 0.0;
                    }
                }
            }
            add_block(k, buf.get(..groups * qp).unwrap_or(&[]), qp, &mut self.gram);
            start = end;
        }
    }

    fn add_stats(&mut self, c: usize, lanes: &Stats) {
        if let Some(s) = self.sum.get_mut(c) {
            *s += lanes.sum.iter().sum::<f64>();
        }
        if let Some(l) = self.lo.get_mut(c) {
            *l = lanes.lo.iter().fold(*l, |a, b| a.min(*b));
        }
        if let Some(h) = self.hi.get_mut(c) {
            *h = lanes.hi.iter().fold(*h, |a, b| a.max(*b));
        }
    }
}

/// One column's sum of w (x − a), minimum and maximum over a block, in lanes.
struct Stats {
    sum: Lane,
    lo: Lane,
    hi: Lane,
}

impl Stats {
    fn new() -> Stats {
        Stats {
            sum: [0.0; LANES],
            lo: [f64::INFINITY; LANES],
            hi: [f64::NEG_INFINITY; LANES],
        }
    }

    /// [`Stats::push`] for a full group of rows (fixed width, so it vectorizes).
    #[inline(always)]
    fn push_full(&mut self, dst: &mut Lane, xs: &Lane, a: f64, sw: &Lane) {
        for l in 0..LANES {
            let (Some(s), Some(lo), Some(hi), Some(d), Some(x), Some(r)) = (
                self.sum.get_mut(l),
                self.lo.get_mut(l),
                self.hi.get_mut(l),
                dst.get_mut(l),
                xs.get(l),
                sw.get(l),
            ) else {
                continue;
            };
            let v = (x - a) * r;
            *d = v;
            *s += v * r;
            *lo = if *x < *lo { *x } else { *lo };
            *hi = if *x > *hi { *x } else { *hi };
        }
    }

    /// Writes √w (x − a) of up to LANES rows into `dst` and adds w (x − a) to the sums.
    #[inline(always)]
    fn push(&mut self, dst: &mut Lane, xs: &[f64], a: f64, sw: &[f64]) {
        let lanes = (self.sum.iter_mut().zip(&mut self.lo).zip(&mut self.hi)).zip(dst);
        for ((((s, lo), hi), d), (x, r)) in lanes.zip(xs.iter().zip(sw)) {
            let v = (x - a) * r;
            *d = v;
            *s += v * r;
            *lo = if *x < *lo { *x } else { *lo };
            *hi = if *x > *hi { *x } else { *hi };
        }
    }
}

/// Adds the products of one centred block to `acc`, tile by tile over the upper triangle.
#[inline(always)]
fn add_block<K: TileKernel>(k: K, buf: &[Lane], qp: usize, acc: &mut [f64]) {
    let tiles = qp / TILE;
    for ti in 0..tiles {
        for tj in ti..tiles {
            let (i, j) = (ti * TILE, tj * TILE);
            let s = k.tile(buf, qp, i, j);
            for (a, row) in s.iter().enumerate() {
                let out = acc.get_mut((i + a) * qp + j..).unwrap_or(&mut []);
                for (x, v) in out.iter_mut().zip(row) {
                    *x += v;
                }
            }
        }
    }
}

/// The 3 × 3 dot products of columns `i..i+3` with columns `j..j+3` over a block.
trait TileKernel: Copy {
    fn tile(self, buf: &[Lane], qp: usize, i: usize, j: usize) -> [[f64; TILE]; TILE];
}

/// The three lane arrays of columns `k..k+3` in a group of rows.
#[inline(always)]
fn pick(group: &[Lane], k: usize) -> Option<&[Lane; TILE]> {
    group.get(k..).and_then(|g| g.first_chunk::<TILE>())
}

/// Baseline x86-64: each half of the lanes in turn, 9 `[f64; 2]` accumulators.
#[derive(Clone, Copy)]
struct Baseline;

impl TileKernel for Baseline {
    #[inline(always)]
    fn tile(self, buf: &[Lane], qp: usize, i: usize, j: usize) -> [[f64; TILE]; TILE] {
        let mut s = half_tile(buf, qp, i, j, 0);
        for (row, add) in s.iter_mut().zip(half_tile(buf, qp, i, j, HALF)) {
            for (x, v) in row.iter_mut().zip(add) {
                *x += v;
            }
        }
        s
    }
}

/// Lanes `off..off + HALF` of [`Baseline::tile`], with 9 independent `[f64; HALF]` partial
/// sums held in nine locals (lanes added in order at the end).
#[inline(always)]
fn half_tile(buf: &[Lane], qp: usize, i: usize, j: usize, off: usize) -> [[f64; TILE]; TILE] {
    type Half = [f64; HALF];
    let z: Half = [0.0; HALF];
    let (mut s00, mut s01, mut s02) = (z, z, z);
    let (mut s10, mut s11, mut s12) = (z, z, z);
    let (mut s20, mut s21, mut s22) = (z, z, z);
    let part = |l: &Lane| -> Half {
        l.get(off..)
            .and_then(|l| l.first_chunk::<HALF>())
            .copied()
            .unwrap_or(z)
    };
    for group in buf.chunks_exact(qp) {
        let (Some([a0, a1, a2]), Some([b0, b1, b2])) = (pick(group, i), pick(group, j)) else {
            continue;
        };
        let (a0, a1, a2, b0, b1, b2) = (part(a0), part(a1), part(a2), part(b0), part(b1), part(b2));
        mul_add(&mut s00, a0, b0);
        mul_add(&mut s01, a0, b1);
        mul_add(&mut s02, a0, b2);
        mul_add(&mut s10, a1, b0);
        mul_add(&mut s11, a1, b1);
        mul_add(&mut s12, a1, b2);
        mul_add(&mut s20, a2, b0);
        mul_add(&mut s21, a2, b1);
        mul_add(&mut s22, a2, b2);
    }
    let t = |l: Half| l.iter().sum::<f64>();
    [
        [t(s00), t(s01), t(s02)],
        [t(s10), t(s11), t(s12)],
        [t(s20), t(s21), t(s22)],
    ]
}

/// s += x · y, lane by lane.
#[inline(always)]
fn mul_add(s: &mut [f64; HALF], x: [f64; HALF], y: [f64; HALF]) {
    for ((s, x), y) in s.iter_mut().zip(x).zip(y) {
        *s += x * y;
    }
}

/// AVX2+FMA: 9 accumulators of 4 lanes (one YMM register each), fused multiply-adds.
#[cfg(all(feature = "simd", target_arch = "x86_64"))]
impl TileKernel for pulp::x86::V3 {
    #[inline(always)]
    fn tile(self, buf: &[Lane], qp: usize, i: usize, j: usize) -> [[f64; TILE]; TILE] {
        use pulp::{Simd, f64x4};
        let z = f64x4(0.0, 0.0, 0.0, 0.0);
        let (mut s00, mut s01, mut s02) = (z, z, z);
        let (mut s10, mut s11, mut s12) = (z, z, z);
        let (mut s20, mut s21, mut s22) = (z, z, z);
        let v = |&[a, b, c, d]: &Lane| f64x4(a, b, c, d);
        for group in buf.chunks_exact(qp) {
            let (Some([a0, a1, a2]), Some([b0, b1, b2])) = (pick(group, i), pick(group, j)) else {
                continue;
            };
            let (a0, a1, a2, b0, b1, b2) = (v(a0), v(a1), v(a2), v(b0), v(b1), v(b2));
            s00 = self.mul_add_f64s(a0, b0, s00);
            s01 = self.mul_add_f64s(a0, b1, s01);
            s02 = self.mul_add_f64s(a0, b2, s02);
            s10 = self.mul_add_f64s(a1, b0, s10);
            s11 = self.mul_add_f64s(a1, b1, s11);
            s12 = self.mul_add_f64s(a1, b2, s12);
            s20 = self.mul_add_f64s(a2, b0, s20);
            s21 = self.mul_add_f64s(a2, b1, s21);
            s22 = self.mul_add_f64s(a2, b2, s22);
        }
        let t = |f64x4(a, b, c, d): f64x4| a + b + c + d;
        [
            [t(s00), t(s01), t(s02)],
            [t(s10), t(s11), t(s12)],
            [t(s20), t(s21), t(s22)],
        ]
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing, clippy::needless_range_loop)]
    use super::*;

    /// Plain two-pass reference.
    fn naive(columns: &[&[f64]], w: Option<&[f64]>, means: &[f64]) -> Vec<Vec<f64>> {
        let q = columns.len();
        let n = columns[0].len();
        let mut out = vec![vec![0.0; q]; q];
        for i in 0..q {
            for j in 0..q {
                for r in 0..n {
                    let wr = w.map_or(1.0, |w| w[r]);
                    if wr > 0.0 {
                        out[i][j] += wr * (columns[i][r] - means[i]) * (columns[j][r] - means[j]);
                    }
                }
            }
        }
        out
    }

    fn naive_means(columns: &[&[f64]], w: Option<&[f64]>) -> Vec<f64> {
        let n = columns[0].len();
        let total: f64 = (0..n).map(|r| w.map_or(1.0, |w| w[r])).sum();
        columns
            .iter()
            .map(|c| {
                if total == 0.0 {
                    return 0.0;
                }
                (0..n).map(|r| w.map_or(1.0, |w| w[r]) * c[r]).sum::<f64>() / total
            })
            .collect()
    }

    #[test]
    fn tiles_equal_plain_sums_for_every_shape() {
        // Column counts around the tile size and row counts around lanes, blocks and tasks.
        for q in [1usize, 2, 3, 4, 5, 7, 21] {
            for n in [0usize, 1, 2, 3, 127, 128, 129, 300, TASK + 5] {
                let cols: Vec<Vec<f64>> = (0..q)
                    .map(|c| {
                        (0..n)
                            .map(|r| ((r * 7 + c * 13) % 11) as f64 + 0.25 * c as f64)
                            .collect()
                    })
                    .collect();
                let w: Vec<f64> = (0..n).map(|r| [0.0, 1.0, 2.5, 0.0, 3.0][r % 5]).collect();
                let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
                for weights in [None, Some(w.as_slice())] {
                    let got = moments_pass(&refs, weights);
                    let means = naive_means(&refs, weights);
                    for (g, m) in got.means.iter().zip(&means) {
                        assert!((g - m).abs() < 1e-12);
                    }
                    let got = got.cross;
                    let want = naive(&refs, weights, &means);
                    for i in 0..q {
                        for j in i..q {
                            let tol = 1e-9 * (1.0 + want[i][j].abs());
                            assert!(
                                (got.get(i, j) - want[i][j]).abs() <= tol,
                                "q={q} n={n} ({i},{j}): {} vs {}",
                                got.get(i, j),
                                want[i][j]
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn shifted_data_stay_accurate_far_from_zero() {
        // Sorted ratings, and the same ratings + 1e9: the cross-products must not change.
        let n = 50_000;
        let r: Vec<f64> = (0..n).map(|i| 1.0 + (i * 10 / n) as f64).collect();
        let s: Vec<f64> = (0..n).map(|i| ((i * 7) % 10) as f64 * 0.5).collect();
        let far: Vec<f64> = r.iter().map(|x| x + 1e9).collect();
        let near = moments_pass(&[&r, &s], None);
        let off = moments_pass(&[&far, &s], None);
        for (i, j) in [(0, 0), (0, 1), (1, 1)] {
            let (a, b) = (near.cross.get(i, j), off.cross.get(i, j));
            let scale = (near.cross.get(i, i) * near.cross.get(j, j)).sqrt();
            assert!((a - b).abs() <= 1e-12 * scale, "({i},{j}): {a} vs {b}");
        }
        assert!((off.means[0] - 1e9 - near.means[0]).abs() < 1e-6);
    }

    #[test]
    fn fast_and_baseline_kernels_agree() {
        // The same data through the AVX2+FMA kernel (when this CPU and build have it) and the
        // baseline one: fused rounding and lane order differ, nothing else. Rows not a
        // multiple of the lanes or the block, weights with zeros, ratings far from zero.
        let (q, n) = (20usize, 10_007usize);
        let cols: Vec<Vec<f64>> = (0..q)
            .map(|c| {
                (0..n)
                    .map(|r| ((r * 31 + c * 17 + r * r % 13) % 11) as f64 * 0.7 + 1e3 * c as f64)
                    .collect()
            })
            .collect();
        let w: Vec<f64> = (0..n)
            .map(|r| [0.0, 1.0, 2.5, 0.0, 3.0, 0.5][r % 6])
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        for weights in [None, Some(w.as_slice())] {
            let fast = moments_pass_on(&refs, weights, Kernel::Fastest);
            let base = moments_pass_on(&refs, weights, Kernel::Baseline);
            assert_eq!(fast.rows, base.rows);
            assert_eq!(fast.constant, base.constant);
            for (a, b) in fast.means.iter().zip(&base.means) {
                assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
            }
            for i in 0..q {
                for j in i..q {
                    let (a, b) = (fast.cross.get(i, j), base.cross.get(i, j));
                    let scale = (base.cross.get(i, i) * base.cross.get(j, j)).sqrt();
                    assert!(scale > 0.0);
                    assert!((a - b).abs() <= 1e-12 * scale, "({i},{j}): {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn weights_that_hide_every_sampled_row_keep_the_shift_accurate() {
        // The sample's stride is a multiple of the weights' period and every sampled row has
        // weight 0: the shift must still come from the data, not 0 (ratings + 1e6 would lose
        // about 8 digits to cancellation).
        let n = 256 * 6;
        let x: Vec<f64> = (0..n).map(|r| 1e6 + ((r * 7) % 10) as f64).collect();
        let w: Vec<f64> = (0..n).map(|r| if r % 6 == 0 { 0.0 } else { 1.0 }).collect();
        let got = moments_pass(&[&x], Some(&w));
        let means = naive_means(&[&x], Some(&w));
        let want = naive(&[&x], Some(&w), &means)[0][0];
        assert!(
            (got.cross.get(0, 0) - want).abs() <= 1e-12 * want,
            "{} vs {want}",
            got.cross.get(0, 0)
        );
    }

    #[test]
    fn baseline_kernel_equals_plain_sums() {
        // The shape test above runs the fastest kernel; the baseline must be right too.
        let (q, n) = (7usize, 1_001usize);
        let cols: Vec<Vec<f64>> = (0..q)
            .map(|c| (0..n).map(|r| ((r * 7 + c * 13) % 11) as f64).collect())
            .collect();
        let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
        let w: Vec<f64> = (0..n).map(|r| [0.0, 1.0, 2.5][r % 3]).collect();
        for weights in [None, Some(w.as_slice())] {
            let got = moments_pass_on(&refs, weights, Kernel::Baseline);
            let means = naive_means(&refs, weights);
            let want = naive(&refs, weights, &means);
            for i in 0..q {
                for j in i..q {
                    let tol = 1e-9 * (1.0 + want[i][j].abs());
                    assert!((got.cross.get(i, j) - want[i][j]).abs() <= tol);
                }
            }
        }
    }

    #[test]
    fn rows_with_weight_zero_are_never_read() {
        let x = [1.0, f64::NAN, 3.0, 5.0];
        let y = [2.0, f64::NAN, 1.0, 4.0];
        let w = [1.0, 0.0, 1.0, 1.0];
        let p = moments_pass(&[&x, &y], Some(&w));
        assert_eq!(p.rows, 3);
        assert!((p.means[1] - 7.0 / 3.0).abs() < 1e-12);
        let c = p.cross;
        assert!((c.get(0, 0) - 8.0).abs() < 1e-12);
        assert!((c.get(0, 1) - 4.0).abs() < 1e-12);
    }
}
