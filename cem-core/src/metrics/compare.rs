//! Comparisons and significance tests: the difference of two NPS, of two proportions, and the
//! chi-square test of independence.
//!
//! | test | statistic | agrees with |
//! |---|---|---|
//! | [`Nps::compare`] | z = (N₁−N₂)/√(V₁+V₂), V by the chosen NPS interval method | the adjusted Wald comparison of Sauro & Lewis |
//! | [`Proportion::compare`], [`Csat::compare`] | pooled two-proportion z | `statsmodels.stats.proportion.proportions_ztest` |
//! | the interval of a share difference | unpooled Wald | `statsmodels` `confint_proportions_2indep(method="wald")` |
//! | [`chi_square_independence`] | Pearson χ² | `scipy.stats.chi2_contingency` |

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence};
use crate::metrics::estimate::{Estimate, Method, Share};
use crate::metrics::nps::{is_detractor, is_promoter};
use crate::metrics::scale::ScaleCounts;
use crate::metrics::{Csat, Nps, Proportion};
use crate::stats;

/// The difference between two groups with its interval and a two-sided z test.
///
/// `difference` is first minus second, in the units of the metric (points for NPS,
/// fractions for shares).
///
/// ```
/// use cem_core::metrics::Nps;
/// let mut q1 = Nps::new();
/// q1.push_many(&[10; 60])?;
/// q1.push_many(&[3; 40])?;
/// let mut q2 = Nps::new();
/// q2.push_many(&[10; 40])?;
/// q2.push_many(&[3; 60])?;
/// let c = q1.compare(&q2, 0.95)?;
/// assert!((c.difference - 40.0).abs() < 1e-9);
/// assert!(c.significant && c.p_value < 0.01);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// First minus second, from the data (not adjusted).
    pub difference: f64,
    /// Lower end of the interval of the difference.
    pub low: f64,
    /// Upper end of the interval of the difference.
    pub high: f64,
    /// The standard error the z statistic divides by.
    pub se: f64,
    /// The z statistic.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// Whether `p_value < 1 − confidence`.
    pub significant: bool,
    /// The confidence level of the interval (and 1 − the test's level).
    pub confidence: f64,
    /// The interval method.
    pub method: Method,
}

impl Nps {
    /// Compares this NPS with `other` using adjusted Wald variances.
    ///
    /// # Errors
    /// [`Error::Empty`] when either has no answers, [`Error::OutOfRange`] for a bad confidence.
    pub fn compare(&self, other: &Nps, confidence: f64) -> Result<Comparison> {
        self.compare_with(other, confidence, Method::AdjustedWald)
    }

    /// Compares this NPS with `other`: z = (N₁−N₂)/√(V₁+V₂) where N and V are the centre and
    /// variance of each NPS under `method` (adjusted Wald or Wald). The interval is
    /// (N₁−N₂) ± z·√(V₁+V₂) in points, clipped to −200..=200.
    ///
    /// # Errors
    /// As [`compare`](Self::compare), and [`Error::InvalidArgument`] for another method.
    ///
    /// ```
    /// use cem_core::metrics::{Method, Nps};
    /// let mut a = Nps::new();
    /// a.push_many(&[10, 9, 0, 8])?;
    /// let b = a.clone();
    /// let c = a.compare_with(&b, 0.95, Method::Wald)?;
    /// assert_eq!((c.difference, c.z), (0.0, 0.0));
    /// assert!(!c.significant);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn compare_with(&self, other: &Nps, confidence: f64, method: Method) -> Result<Comparison> {
        let (c1, v1) = nps_center_variance(self.counts(), method)?;
        let (c2, v2) = nps_center_variance(other.counts(), method)?;
        let plain = |c: &ScaleCounts| -> Result<f64> {
            let d = c.difference("the NPS sample", is_promoter, is_detractor)?;
            Ok(100.0 * (d.plus - d.minus))
        };
        let difference = plain(self.counts())? - plain(other.counts())?;
        z_comparison(
            difference,
            100.0 * (c1 - c2),
            100.0 * (v1 + v2).sqrt(),
            100.0 * (v1 + v2).sqrt(),
            (-200.0, 200.0),
            confidence,
            method,
        )
    }
}

impl Proportion {
    /// Compares this proportion with `other`: the pooled two-proportion z test of
    /// `statsmodels.stats.proportion.proportions_ztest` and the unpooled Wald interval of the
    /// difference. With weights, counts are the weighted shares times the Kish effective n.
    ///
    /// # Errors
    /// [`Error::Empty`] when either is empty, [`Error::Undefined`] when both groups are all
    /// successes or all failures (the pooled variance is zero), [`Error::OutOfRange`] for a
    /// bad confidence.
    ///
    /// ```
    /// use cem_core::metrics::Proportion;
    /// let (mut a, mut b) = (Proportion::new(), Proportion::new());
    /// a.push_counts(45, 100)?;
    /// b.push_counts(30, 100)?;
    /// let c = a.compare(&b, 0.95)?;
    /// // statsmodels: proportions_ztest([45, 30], [100, 100]) = (2.19089023002066, 0.02845973691631)
    /// assert!((c.z - 2.19089023002066).abs() < 1e-12 && (c.p_value - 0.02845973691631).abs() < 1e-12);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn compare(&self, other: &Proportion, confidence: f64) -> Result<Comparison> {
        compare_shares(
            self.share_stats("the first sample")?,
            other.share_stats("the second sample")?,
            confidence,
        )
    }
}

impl Csat {
    /// Compares the top-box share with `other`'s, as [`Proportion::compare`].
    ///
    /// # Errors
    /// As [`Proportion::compare`], and [`Error::Incompatible`] when the scales differ.
    ///
    /// ```
    /// use cem_core::metrics::Csat;
    /// let (mut a, mut b) = (Csat::new(), Csat::new());
    /// a.push_many(&[5, 5, 4, 2])?;
    /// b.push_many(&[1, 2, 4, 3])?;
    /// let c = a.compare(&b, 0.95)?;
    /// assert_eq!(c.difference, 0.5);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn compare(&self, other: &Csat, confidence: f64) -> Result<Comparison> {
        if (self.max(), self.top()) != (other.max(), other.top()) {
            return Err(Error::Incompatible(format!(
                "CSAT top-{} of 1..={} and CSAT top-{} of 1..={}",
                self.top(),
                self.max(),
                other.top(),
                other.max()
            )));
        }
        compare_shares(
            self.share_stats("the first sample")?,
            other.share_stats("the second sample")?,
            confidence,
        )
    }
}

/// The pooled two-proportion z test on raw counts: `x1` successes of `n1` against `x2` of
/// `n2`, as `statsmodels.stats.proportion.proportions_ztest([x1, x2], [n1, n2])`, with the
/// unpooled Wald interval of p₁ − p₂.
///
/// # Errors
/// [`Error::InvalidArgument`] when a count exceeds its total or a total is zero,
/// [`Error::Undefined`] when the pooled variance is zero.
///
/// ```
/// let c = cem_core::metrics::two_proportion_test(45, 100, 30, 100, 0.95)?;
/// assert!((c.difference - 0.15).abs() < 1e-12);
/// assert!(cem_core::metrics::two_proportion_test(5, 4, 1, 2, 0.95).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn two_proportion_test(
    x1: u64,
    n1: u64,
    x2: u64,
    n2: u64,
    confidence: f64,
) -> Result<Comparison> {
    let mut a = Proportion::new();
    a.push_counts(x1, n1)?;
    let mut b = Proportion::new();
    b.push_counts(x2, n2)?;
    a.compare(&b, confidence)
}

/// The result of a chi-square test of independence.
///
/// ```
/// let t = cem_core::metrics::chi_square_independence(&[vec![10.0, 20.0], vec![20.0, 10.0]], false)?;
/// assert_eq!(t.df, 1);
/// assert!((t.statistic - 6.666666666666667).abs() < 1e-12);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    /// Pearson's χ² statistic.
    pub statistic: f64,
    /// Degrees of freedom, (rows − 1)(columns − 1).
    pub df: usize,
    /// Upper-tail p-value.
    pub p_value: f64,
    /// Expected counts under independence, row by row.
    pub expected: Vec<Vec<f64>>,
    /// Whether Yates' continuity correction was applied (only ever with one degree of freedom).
    pub corrected: bool,
}

/// Pearson's chi-square test of independence on a contingency table (rows × columns of
/// non-negative counts), as `scipy.stats.chi2_contingency(table, correction=yates)`: with
/// `yates` and one degree of freedom, every |observed − expected| is reduced by up to ½.
///
/// # Errors
/// [`Error::InvalidArgument`] for fewer than 2 rows or columns, ragged rows, or a row or
/// column that sums to zero (its expected counts would be zero); [`Error::InvalidNumber`]
/// for a negative or non-finite count.
///
/// ```
/// use cem_core::metrics::chi_square_independence;
/// // scipy.stats.chi2_contingency([[10, 20, 30], [20, 20, 10]])
/// //   -> statistic 12.52777777777778, pvalue 0.0019038276076954943
/// let t = chi_square_independence(&[vec![10.0, 20.0, 30.0], vec![20.0, 20.0, 10.0]], true)?;
/// assert!((t.statistic - 12.52777777777778).abs() < 1e-9);
/// assert!((t.p_value - 0.0019038276076954943).abs() < 1e-12);
/// assert!(!t.corrected); // two degrees of freedom: no correction
/// assert!(chi_square_independence(&[vec![1.0, 0.0], vec![2.0, 0.0]], true).is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn chi_square_independence(table: &[Vec<f64>], yates: bool) -> Result<ChiSquare> {
    let rows = table.len();
    let cols = table.first().map_or(0, Vec::len);
    if rows < 2 || cols < 2 {
        return Err(Error::invalid_argument(
            "table",
            format!(
                "a test of independence needs at least 2 rows and 2 columns, got {rows}×{cols}"
            ),
        ));
    }
    let mut row_sums = vec![0.0; rows];
    let mut col_sums = vec![0.0; cols];
    for (r, (row, row_sum)) in table.iter().zip(row_sums.iter_mut()).enumerate() {
        if row.len() != cols {
            return Err(Error::invalid_argument(
                "table",
                format!("row {r} has {} columns but row 0 has {cols}", row.len()),
            ));
        }
        for (c, (&x, col_sum)) in row.iter().zip(col_sums.iter_mut()).enumerate() {
            if !x.is_finite() || x < 0.0 {
                return Err(Error::invalid_number(
                    format!("count at row {r}, column {c}"),
                    x,
                    "is not a non-negative finite number",
                ));
            }
            *row_sum += x;
            *col_sum += x;
        }
    }
    let zero = |sums: &[f64], what: &str| -> Result<()> {
        match sums.iter().position(|&s| s <= 0.0) {
            Some(i) => Err(Error::invalid_argument(
                "table",
                format!("{what} {i} sums to zero, so its expected counts are zero"),
            )),
            None => Ok(()),
        }
    };
    zero(&row_sums, "row")?;
    zero(&col_sums, "column")?;
    let total: f64 = row_sums.iter().sum();
    let df = (rows - 1) * (cols - 1);
    let corrected = yates && df == 1;
    let mut statistic = 0.0;
    let mut expected = Vec::with_capacity(rows);
    for (row, &rs) in table.iter().zip(&row_sums) {
        let mut e_row = Vec::with_capacity(cols);
        for (&o, &cs) in row.iter().zip(&col_sums) {
            let e = rs * cs / total;
            let mut diff = o - e;
            if corrected {
                // scipy: shrink |o - e| by 0.5, but never past zero.
                diff = diff.signum() * (diff.abs() - 0.5).max(0.0);
            }
            statistic += diff * diff / e;
            e_row.push(e);
        }
        expected.push(e_row);
    }
    Ok(ChiSquare {
        statistic,
        df,
        p_value: stats::chi2_sf(statistic, df as f64)?,
        expected,
        corrected,
    })
}

/// The chi-square test of independence of segment × answer level, from one histogram per
/// segment (for example the cells of a group-by). Levels that no segment used are dropped;
/// weighted histograms contribute their sums of weights.
///
/// # Errors
/// [`Error::Incompatible`] when the histograms have different scales, and the errors of
/// [`chi_square_independence`] (fewer than 2 segments or used levels, an empty segment).
///
/// ```
/// use cem_core::metrics::{Nps, chi_square_segments};
/// let mut web = Nps::new();
/// web.push_many(&[10, 10, 9, 3, 8])?;
/// let mut store = Nps::new();
/// store.push_many(&[3, 2, 9, 8, 8])?;
/// let t = chi_square_segments(&[web.counts(), store.counts()])?;
/// assert_eq!(t.df, 4); // 2 segments × 5 used levels (2, 3, 8, 9, 10)
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn chi_square_segments(segments: &[&ScaleCounts]) -> Result<ChiSquare> {
    let Some(first) = segments.first() else {
        return Err(Error::invalid_argument("segments", "no segments given"));
    };
    if let Some(bad) = segments
        .iter()
        .find(|s| (s.min(), s.max()) != (first.min(), first.max()))
    {
        return Err(Error::Incompatible(format!(
            "scale `{}..={}` and scale `{}..={}`",
            first.min(),
            first.max(),
            bad.min(),
            bad.max()
        )));
    }
    let used: Vec<u8> = (first.min()..=first.max())
        .filter(|&l| segments.iter().any(|s| s.weight(l) > 0.0))
        .collect();
    let table: Vec<Vec<f64>> = segments
        .iter()
        .map(|s| used.iter().map(|&l| s.weight(l)).collect())
        .collect();
    chi_square_independence(&table, false)
}

/// The centre and variance (fractions) of an NPS under `method`.
fn nps_center_variance(counts: &ScaleCounts, method: Method) -> Result<(f64, f64)> {
    let d = counts.difference("the NPS sample", is_promoter, is_detractor)?;
    match method {
        Method::Wald => Ok((d.plus - d.minus, d.var)),
        Method::AdjustedWald => {
            let n_adj = d.n_eff + 3.0;
            let p = (d.plus * d.n_eff + 0.75) / n_adj;
            let m = (d.minus * d.n_eff + 0.75) / n_adj;
            Ok((p - m, (p + m - (p - m).powi(2)) / n_adj))
        }
        other => Err(other.unsupported("an NPS comparison", &[Method::AdjustedWald, Method::Wald])),
    }
}

/// A z test of two independent estimates: (a − b)/√(se_a² + se_b²), with the interval
/// (a − b) ± z·√(se_a² + se_b²).
pub(crate) fn compare_estimates(a: &Estimate, b: &Estimate, confidence: f64) -> Result<Comparison> {
    let se = (a.se * a.se + b.se * b.se).sqrt();
    let difference = a.value - b.value;
    z_comparison(
        difference,
        difference,
        se,
        se,
        (f64::NEG_INFINITY, f64::INFINITY),
        confidence,
        Method::Wald,
    )
}

/// Pooled z test and unpooled Wald interval for p₁ − p₂.
fn compare_shares(a: Share, b: Share, confidence: f64) -> Result<Comparison> {
    let (n1, n2) = (a.n_eff, b.n_eff);
    let pooled = (a.p * n1 + b.p * n2) / (n1 + n2);
    let se_pooled = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n2)).sqrt();
    let se_wald = (a.p * (1.0 - a.p) / n1 + b.p * (1.0 - b.p) / n2).sqrt();
    let difference = a.p - b.p;
    z_comparison(
        difference,
        difference,
        se_pooled,
        se_wald,
        (-1.0, 1.0),
        confidence,
        Method::Wald,
    )
}

/// Assembles a [`Comparison`]: z = `center` / `se_test`, interval `center` ± crit·`se_interval`.
fn z_comparison(
    difference: f64,
    center: f64,
    se_test: f64,
    se_interval: f64,
    range: (f64, f64),
    confidence: f64,
    method: Method,
) -> Result<Comparison> {
    check_confidence(confidence)?;
    if se_test <= 0.0 || !se_test.is_finite() {
        return Err(Error::Undefined(
            "the standard error of the difference is zero (both groups have no spread), so no test is possible".into(),
        ));
    }
    let crit = stats::z_critical(confidence)?;
    let z = center / se_test;
    let p_value = stats::normal_two_sided_p(z)?;
    Ok(Comparison {
        difference,
        low: (center - crit * se_interval).clamp(range.0, range.1),
        high: (center + crit * se_interval).clamp(range.0, range.1),
        se: se_test,
        z,
        p_value,
        significant: p_value < 1.0 - confidence,
        confidence,
        method,
    })
}
