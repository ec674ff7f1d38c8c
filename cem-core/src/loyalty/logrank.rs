//! Log-rank tests comparing survival curves, as lifelines' `logrank_test` and
//! `multivariate_logrank_test`.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::loyalty::survival::check_inputs;
use crate::stats::chi2_sf;

/// The result of a log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRankTest {
    /// The group codes, ascending.
    pub groups: Vec<u32>,
    /// Observed events per group.
    pub observed: Vec<f64>,
    /// Expected events per group under the null hypothesis of equal survival.
    pub expected: Vec<f64>,
    /// The chi-square statistic Zᵀ V⁻¹ Z over all groups but the last.
    pub statistic: f64,
    /// Degrees of freedom: number of groups − 1.
    pub df: u32,
    /// The upper chi-square tail probability of `statistic`.
    pub p_value: f64,
}

/// The two-sample log-rank test of lifelines' `logrank_test(durations_A, durations_B,
/// event_observed_A, event_observed_B)`; group `a` is code 0, `b` code 1.
///
/// # Errors
///
/// As [`multivariate_logrank_test`].
///
/// ```
/// use cem_core::loyalty::logrank_test;
/// let t = logrank_test(&[1.0, 2.0, 3.0, 4.0], &[true; 4], &[5.0, 6.0, 7.0, 8.0], &[true; 4])?;
/// assert_eq!(t.df, 1);
/// assert!(t.p_value < 0.01);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn logrank_test(
    durations_a: &[f64],
    events_a: &[bool],
    durations_b: &[f64],
    events_b: &[bool],
) -> Result<LogRankTest> {
    check_inputs(durations_a, events_a, None)?;
    check_inputs(durations_b, events_b, None)?;
    let durations: Vec<f64> = durations_a.iter().chain(durations_b).copied().collect();
    let events: Vec<bool> = events_a.iter().chain(events_b).copied().collect();
    let groups: Vec<u32> = std::iter::repeat_n(0, durations_a.len())
        .chain(std::iter::repeat_n(1, durations_b.len()))
        .collect();
    multivariate_logrank_test(&durations, &groups, &events)
}

/// The k-group log-rank test of lifelines' `multivariate_logrank_test(durations, groups,
/// event_observed)`.
///
/// At each distinct time t with dₜ events among nₜ at risk (nₜⱼ in group j), group j expects
/// nₜⱼ dₜ / nₜ events; Z is observed − expected summed over time, and
/// V = Σₜ dₜ (nₜ − dₜ) / (nₜ² (nₜ − 1)) (diag(nₜⱼ) nₜ − nₜⱼ nₜₗ) its covariance (the factor
/// (nₜ − dₜ)/(nₜ − 1) is 1 when nₜ = 1, as in lifelines). The statistic is Zᵀ V⁻¹ Z over the
/// first k − 1 groups in ascending code order, chi-square with k − 1 degrees of freedom.
///
/// # Errors
///
/// [`LengthMismatch`](crate::ErrorKind::LengthMismatch),
/// [`InvalidNumber`](crate::ErrorKind::InvalidNumber) for a NaN, infinite or negative
/// duration, [`InvalidArgument`](crate::ErrorKind::InvalidArgument) for fewer than two
/// groups, [`Undefined`](crate::ErrorKind::Undefined) when V is singular (no events at all).
///
/// ```
/// use cem_core::loyalty::multivariate_logrank_test;
/// let d = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 2.5, 3.5, 9.0];
/// let g = [0, 0, 0, 1, 1, 1, 2, 2, 2];
/// let t = multivariate_logrank_test(&d, &g, &[true; 9])?;
/// assert_eq!((t.df, t.groups.clone()), (2, vec![0, 1, 2]));
/// assert!((t.observed.iter().sum::<f64>() - t.expected.iter().sum::<f64>()).abs() < 1e-12);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn multivariate_logrank_test(
    durations: &[f64],
    groups: &[u32],
    events: &[bool],
) -> Result<LogRankTest> {
    if durations.len() != groups.len() {
        return Err(Error::length_mismatch(
            "durations",
            durations.len(),
            "groups",
            groups.len(),
        ));
    }
    check_inputs(durations, events, None)?;
    let mut codes: Vec<u32> = groups.to_vec();
    codes.sort_unstable();
    codes.dedup();
    let k = codes.len();
    if k < 2 {
        return Err(Error::invalid_argument(
            "groups",
            format!("a log-rank test compares at least 2 groups, got {k}"),
        ));
    }
    let slot = |g: u32| codes.binary_search(&g).unwrap_or(0);
    let mut at_risk = vec![0.0f64; k];
    for &g in groups {
        if let Some(n) = at_risk.get_mut(slot(g)) {
            *n += 1.0;
        }
    }
    let mut order: Vec<usize> = (0..durations.len()).collect();
    order.sort_by(|&a, &b| {
        let da = durations.get(a).copied().unwrap_or(0.0);
        let db = durations.get(b).copied().unwrap_or(0.0);
        da.total_cmp(&db)
    });
    let mut observed = vec![0.0f64; k];
    let mut expected = vec![0.0f64; k];
    let mut v = vec![vec![0.0f64; k]; k];
    let mut died_j = vec![0.0f64; k];
    let mut removed_j = vec![0.0f64; k];
    let mut i = 0;
    while let Some(&first) = order.get(i) {
        let time = durations.get(first).copied().unwrap_or(0.0);
        died_j.iter_mut().for_each(|x| *x = 0.0);
        removed_j.iter_mut().for_each(|x| *x = 0.0);
        while let Some(&j) = order.get(i) {
            if durations.get(j).copied() != Some(time) {
                break;
            }
            let s = slot(groups.get(j).copied().unwrap_or(0));
            if let Some(r) = removed_j.get_mut(s) {
                *r += 1.0;
            }
            if events.get(j).copied().unwrap_or(false)
                && let Some(d) = died_j.get_mut(s)
            {
                *d += 1.0;
            }
            i += 1;
        }
        let n: f64 = at_risk.iter().sum();
        let d: f64 = died_j.iter().sum();
        if d > 0.0 && n > 0.0 {
            let ratio = (n - d) / (n - 1.0);
            let ratio = if ratio.is_finite() { ratio } else { 1.0 };
            let factor = ratio * d / (n * n);
            for (a, row) in v.iter_mut().enumerate() {
                let na = at_risk.get(a).copied().unwrap_or(0.0);
                for (b, cell) in row.iter_mut().enumerate() {
                    let nb = at_risk.get(b).copied().unwrap_or(0.0);
                    let diag = if a == b { na * n } else { 0.0 };
                    *cell += factor * (diag - na * nb);
                }
            }
            for s in 0..k {
                let nj = at_risk.get(s).copied().unwrap_or(0.0);
                if let Some(e) = expected.get_mut(s) {
                    *e += nj * d / n;
                }
                if let Some(o) = observed.get_mut(s) {
                    *o += died_j.get(s).copied().unwrap_or(0.0);
                }
            }
        }
        for (n, r) in at_risk.iter_mut().zip(&removed_j) {
            *n -= r;
        }
    }
    let z: Vec<f64> = observed
        .iter()
        .zip(&expected)
        .take(k - 1)
        .map(|(o, e)| o - e)
        .collect();
    let sub: Vec<Vec<f64>> = v
        .iter()
        .take(k - 1)
        .map(|r| r.iter().take(k - 1).copied().collect())
        .collect();
    let x = solve(sub, z.clone()).ok_or_else(|| {
        Error::Undefined("the log-rank covariance is singular (are there any events?)".into())
    })?;
    let statistic: f64 = z.iter().zip(&x).map(|(a, b)| a * b).sum();
    let df = u32::try_from(k - 1).unwrap_or(u32::MAX);
    let p_value = chi2_sf(statistic, f64::from(df))?;
    Ok(LogRankTest {
        groups: codes,
        observed,
        expected,
        statistic,
        df,
        p_value,
    })
}

/// Solves A x = b by Gaussian elimination with partial pivoting; `None` if A is singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    let scale = a
        .iter()
        .flat_map(|r| r.iter())
        .fold(0.0f64, |m, x| m.max(x.abs()));
    if scale == 0.0 || !scale.is_finite() {
        return None;
    }
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| {
            let ai = a.get(i).and_then(|r| r.get(col)).map_or(0.0, |x| x.abs());
            let aj = a.get(j).and_then(|r| r.get(col)).map_or(0.0, |x| x.abs());
            ai.total_cmp(&aj)
        })?;
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = *a.get(col)?.get(col)?;
        if p.abs() <= scale * 1e-13 {
            return None;
        }
        let pivot_row = a.get(col)?.clone();
        let pivot_b = *b.get(col)?;
        for r in col + 1..n {
            let row = a.get_mut(r)?;
            let f = *row.get(col)? / p;
            for (x, y) in row.iter_mut().zip(&pivot_row).skip(col) {
                *x -= f * y;
            }
            *b.get_mut(r)? -= f * pivot_b;
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let row = a.get(r)?;
        let s: f64 = (r + 1..n)
            .map(|c| row.get(c).copied().unwrap_or(0.0) * x.get(c).copied().unwrap_or(0.0))
            .sum();
        *x.get_mut(r)? = (b.get(r)? - s) / row.get(r)?;
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_group_or_no_events_is_an_error() {
        assert!(multivariate_logrank_test(&[1.0, 2.0], &[3, 3], &[true, true]).is_err());
        let e = logrank_test(&[1.0], &[false], &[2.0], &[false]).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::Undefined);
    }

    #[test]
    fn solve_small_system() {
        let x = solve(vec![vec![2.0, 1.0], vec![1.0, 3.0]], vec![3.0, 5.0]).unwrap();
        assert!((x[0] - 0.8).abs() < 1e-15 && (x[1] - 1.4).abs() < 1e-15);
    }
}
