//! Bootstrap replicates of the importances, percentile intervals and the test of a
//! difference between two drivers (private).
//!
//! Each replicate draws as many rows as were used, with replacement, from the rows used
//! (xoshiro256** stream `b` of the seed, so the result depends only on the seed); drawing a
//! row k times multiplies its weight by k, which gives the same correlations as repeating it.
//! A replicate in which a driver comes out constant or collinear (possible in small samples)
//! is skipped and counted.

use crate::drivers::moments::{Moments, Prepared};
use crate::drivers::{DriverMethod, Fit};
use crate::sample::rng::Rng;

/// Importances of each successful replicate, and how many failed.
pub(crate) struct Replicates {
    pub(crate) importances: Vec<Vec<f64>>,
    pub(crate) failed: usize,
}

pub(crate) fn replicates(
    data: &Prepared<'_>,
    names: &[&str],
    method: DriverMethod,
    n_boot: usize,
    seed: u64,
) -> Replicates {
    let n = data.columns.first().map_or(0, |c| c.len());
    // Rows dropped for missing values are not drawn; zero-weight rows that were used may be
    // (they keep weight 0).
    // Without dropped rows draw k means row k (no index table: one random access per draw).
    let rows: Option<Vec<usize>> = data.valid.as_ref().map(|mask| {
        mask.iter()
            .enumerate()
            .filter(|(_, ok)| **ok)
            .map(|(i, _)| i)
            .collect()
    });
    let m = rows.as_ref().map_or(n, Vec::len) as u64;
    let one = |b: usize| -> Option<Vec<f64>> {
        let mut rng = Rng::for_stream(seed, b as u64);
        let mut weights = vec![0.0; n];
        for _ in 0..m {
            let k = rng.below(m) as usize;
            let row = match &rows {
                Some(rows) => rows.get(k).copied(),
                None => Some(k),
            };
            if let Some(w) = row.and_then(|i| weights.get_mut(i)) {
                *w += 1.0;
            }
        }
        if let Some(base) = &data.row_weights {
            for (w, b) in weights.iter_mut().zip(base) {
                *w *= b;
            }
        }
        let moments = Moments::compute(&data.columns, Some(&weights));
        Fit::new(&moments, names, method)
            .ok()
            .map(|fit| fit.importance)
    };
    // Replicate b always uses stream b, so the result is the same with or without threads.
    #[cfg(feature = "parallel")]
    let results: Vec<Option<Vec<f64>>> = {
        use rayon::prelude::*;
        (0..n_boot).into_par_iter().map(one).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let results: Vec<Option<Vec<f64>>> = (0..n_boot).map(one).collect();
    let failed = results.iter().filter(|r| r.is_none()).count();
    Replicates {
        importances: results.into_iter().flatten().collect(),
        failed,
    }
}

/// The `q` quantile of sorted values, interpolating linearly (numpy's default).
pub(crate) fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let pos = q.clamp(0.0, 1.0) * last as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let (a, b) = (sorted.get(lo)?, sorted.get(hi)?);
    Some(a + (b - a) * (pos - lo as f64))
}

/// Percentile interval of `values` at `confidence`.
pub(crate) fn percentile_interval(values: &mut [f64], confidence: f64) -> Option<(f64, f64)> {
    values.sort_by(f64::total_cmp);
    let alpha = (1.0 - confidence) / 2.0;
    Some((quantile(values, alpha)?, quantile(values, 1.0 - alpha)?))
}

/// Two-sided bootstrap p-value of "the difference is 0": (1 + #replicates on the far side
/// of 0) / (1 + B), doubled, capped at 1.
pub(crate) fn two_sided_p(differences: &[f64]) -> Option<f64> {
    if differences.is_empty() {
        return None;
    }
    let below = differences.iter().filter(|d| **d <= 0.0).count();
    let above = differences.iter().filter(|d| **d >= 0.0).count();
    let b = differences.len() as f64;
    Some((2.0 * (1.0 + below.min(above) as f64) / (1.0 + b)).min(1.0))
}
