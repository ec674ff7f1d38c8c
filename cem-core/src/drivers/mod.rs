//! Key-driver analysis — which ratings move the overall score, and by how much — and the
//! perception gap between what a company believes about its customers' experience and what
//! the customers say.
//!
//! [`key_drivers`] regresses a target rating (overall satisfaction, likelihood to recommend)
//! on driver ratings (staff, price, delivery, ...) and returns one [`DriverRow`] per driver:
//! its importance by the chosen [`DriverMethod`], its share of R², standardized beta,
//! correlation with the target, mean rating (performance) and its [`Quadrant`] on the
//! importance–performance map. Johnson's relative weights and the Shapley (LMG) values divide
//! R² among correlated drivers and sum to it; [`DriverOptions`] adds bootstrap intervals
//! (seeded, so repeatable) and [`KeyDrivers::difference`] tests whether two drivers differ.
//!
//! [`perception_gap`] compares a company's own rating of each attribute with its customers'
//! mean rating (t interval), and [`claimed_share_gap`] gives the headline form: "the company
//! says 80 % of customers get a superior experience, customers say 8 % (Wilson interval)".
//!
//! Everything is computed from the weighted correlation matrix of the target and drivers,
//! built in one blocked pass over the columns; the regressions themselves are on a
//! `p × p` matrix, so a million rows cost one pass.
//!
//! # Example
//!
//! ```
//! use cem_core::drivers::{key_drivers, DriverMethod};
//!
//! let staff = [7.0, 8.0, 6.0, 9.0, 5.0, 8.0, 7.0, 9.0];
//! let price = [6.0, 5.0, 7.0, 6.0, 4.0, 8.0, 5.0, 7.0];
//! let overall = [7.0, 7.0, 7.0, 9.0, 4.0, 9.0, 6.0, 9.0];
//! let kd = key_drivers(&overall, &[&staff, &price], &["staff", "price"],
//!                      DriverMethod::RelativeWeights, None)?;
//! let total: f64 = kd.rows.iter().map(|r| r.importance).sum();
//! assert!((total - kd.r2).abs() < 1e-12); // relative weights sum to R²
//! assert_eq!(kd.rows[0].driver, "staff");
//! # Ok::<(), cem_core::Error>(())
//! ```

mod bootstrap;
mod gap;
mod gram;
mod linalg;
mod moments;
mod ols;
mod quadrant;
mod relative_weights;
mod shapley;
mod svg;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence};
use moments::{Moments, Prepared};

pub use gap::{AttributeGap, ShareGap, claimed_share_gap, perception_gap};
pub use quadrant::Quadrant;

/// How a driver's importance is measured.
///
/// | method | importance | share |
/// |---|---|---|
/// | `Correlation` | Pearson correlation r_j with the target | r_j² / Σ r_k² |
/// | `Beta` | standardized OLS coefficient β_j | Pratt's β_j r_j / R² (may be negative) |
/// | `RelativeWeights` | Johnson's (2000) relative weight ε_j; Σ ε_j = R² | ε_j / R² |
/// | `Shapley` | Shapley value (LMG) of R², exact over all 2^p subsets; Σ φ_j = R² | φ_j / R² |
///
/// Relative weights and Shapley values stay non-negative and split R² among correlated
/// drivers; betas and correlations do not (betas change sign under collinearity, correlations
/// count shared variance once per driver). Shapley is exact and costs 2^p small regressions,
/// so it is refused above [`DriverOptions::max_shapley_drivers`] drivers (20 by default);
/// relative weights agree closely with it and take milliseconds.
///
/// ```
/// use cem_core::drivers::DriverMethod;
/// assert_eq!(DriverMethod::parse("relative-weights")?, DriverMethod::RelativeWeights);
/// assert_eq!(DriverMethod::Shapley.name(), "shapley");
/// assert!(DriverMethod::parse("random_forest").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriverMethod {
    /// Pearson correlation with the target.
    Correlation,
    /// Standardized OLS coefficient.
    Beta,
    /// Johnson's relative weights.
    RelativeWeights,
    /// Shapley value (LMG) decomposition of R².
    Shapley,
}

impl DriverMethod {
    /// Every method.
    pub const ALL: [DriverMethod; 4] = [
        DriverMethod::Correlation,
        DriverMethod::Beta,
        DriverMethod::RelativeWeights,
        DriverMethod::Shapley,
    ];

    /// The snake_case name (`"relative_weights"`).
    ///
    /// ```
    /// assert_eq!(cem_core::drivers::DriverMethod::RelativeWeights.name(), "relative_weights");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            DriverMethod::Correlation => "correlation",
            DriverMethod::Beta => "beta",
            DriverMethod::RelativeWeights => "relative_weights",
            DriverMethod::Shapley => "shapley",
        }
    }

    /// Parses a name; case is ignored and `-` equals `_`; `"lmg"` means Shapley.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the unknown method and the known ones.
    ///
    /// ```
    /// use cem_core::drivers::DriverMethod;
    /// assert_eq!(DriverMethod::parse("LMG")?, DriverMethod::Shapley);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<DriverMethod> {
        let key = name.trim().to_ascii_lowercase().replace('-', "_");
        if key == "lmg" {
            return Ok(DriverMethod::Shapley);
        }
        DriverMethod::ALL
            .into_iter()
            .find(|m| m.name() == key)
            .ok_or_else(|| {
                Error::invalid_argument(
                    "method",
                    format!("unknown method `{name}`; expected one of relative_weights, shapley, beta, correlation"),
                )
            })
    }
}

/// What to do with rows that have a missing value (NaN) in the target, a driver or a weight.
///
/// ```
/// use cem_core::drivers::Missing;
/// assert_eq!(Missing::parse("error")?, Missing::Error);
/// assert_eq!(Missing::default(), Missing::Drop);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Leave the row out and count it in [`KeyDrivers::dropped`].
    #[default]
    Drop,
    /// Fail with [`Error::InvalidNumber`] naming the column and row.
    Error,
}

impl Missing {
    /// Parses `"drop"` or `"error"`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for anything else.
    pub fn parse(name: &str) -> Result<Missing> {
        match name.trim().to_ascii_lowercase().as_str() {
            "drop" => Ok(Missing::Drop),
            "error" | "raise" => Ok(Missing::Error),
            _ => Err(Error::invalid_argument(
                "missing",
                format!("unknown value `{name}`; expected `drop` or `error`"),
            )),
        }
    }
}

/// Options of [`key_drivers_with`].
///
/// ```
/// use cem_core::drivers::DriverOptions;
/// let o = DriverOptions { n_boot: 200, seed: 7, ..DriverOptions::default() };
/// assert_eq!(o.confidence, 0.95);
/// assert_eq!(o.max_shapley_drivers, 20);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriverOptions {
    /// Rows with a missing value: dropped (default) or an error.
    pub missing: Missing,
    /// Bootstrap replicates for the intervals and [`KeyDrivers::difference`]; 0 (default)
    /// for none.
    pub n_boot: usize,
    /// Seed of the bootstrap; the same seed gives the same intervals.
    pub seed: u64,
    /// Confidence level of the bootstrap intervals (default 0.95).
    pub confidence: f64,
    /// The most drivers the exact Shapley decomposition accepts (default 20, at most 26):
    /// it fits 2^p regressions (about 0.3–0.5 s at 20 drivers on 2 cores, see BENCHMARKS.md),
    /// doubling with each more.
    pub max_shapley_drivers: usize,
}

impl Default for DriverOptions {
    fn default() -> Self {
        DriverOptions {
            missing: Missing::Drop,
            n_boot: 0,
            seed: 0,
            confidence: 0.95,
            max_shapley_drivers: 20,
        }
    }
}

/// One driver in a [`KeyDrivers`] result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverRow {
    /// The driver's name.
    pub driver: String,
    /// Importance by the method of the analysis (see [`DriverMethod`]).
    pub importance: f64,
    /// Share of R² (see [`DriverMethod`] for each method; 0 when R² is 0).
    pub share: f64,
    /// Rank by importance, 1 = most important (ties share the better rank).
    pub rank: usize,
    /// Standardized OLS coefficient (whatever the method).
    pub beta: f64,
    /// Pearson correlation with the target (weighted when weights are given).
    pub correlation: f64,
    /// Mean rating of the driver (weighted): its performance.
    pub performance: f64,
    /// Importance–performance quadrant; see [`Quadrant`] for the rule.
    pub quadrant: Quadrant,
    /// Lower end of the bootstrap percentile interval of the importance (`None` without
    /// bootstrap).
    pub low: Option<f64>,
    /// Upper end of the bootstrap percentile interval.
    pub high: Option<f64>,
}

/// The result of [`key_drivers`]: one row per driver, in the order given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyDrivers {
    /// One row per driver, in input order.
    pub rows: Vec<DriverRow>,
    /// R² of the regression of the target on all drivers (with an intercept).
    pub r2: f64,
    /// Rows used.
    pub n: usize,
    /// Rows dropped for a missing value.
    pub dropped: usize,
    /// The method of the importances.
    pub method: DriverMethod,
    /// Mean importance over the drivers: the quadrant split.
    pub mean_importance: f64,
    /// Mean performance over the drivers: the quadrant split.
    pub mean_performance: f64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Bootstrap replicates that gave importances.
    pub n_boot: usize,
    /// Bootstrap replicates skipped because a driver came out constant or collinear.
    pub boot_failed: usize,
    /// Importances of each bootstrap replicate (one vector per replicate, drivers in order).
    replicates: Vec<Vec<f64>>,
}

/// The bootstrap comparison of two drivers' importances ([`KeyDrivers::difference`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverDifference {
    /// The first driver.
    pub a: String,
    /// The second driver.
    pub b: String,
    /// importance(a) − importance(b) on the full data.
    pub difference: f64,
    /// Lower end of the bootstrap percentile interval of the difference.
    pub low: f64,
    /// Upper end.
    pub high: f64,
    /// Two-sided bootstrap p-value of "no difference": 2·(1 + #replicates with the
    /// difference on the far side of 0)/(1 + B), capped at 1.
    pub p_value: f64,
    /// Whether the interval excludes 0.
    pub significant: bool,
}

/// Key-driver analysis with default options (missing rows dropped, no bootstrap).
///
/// `target` is the outcome rating, `drivers` one column per driver (each as long as
/// `target`), `names` their names, `weights` optional non-negative row weights (weighted
/// means and correlations). NaN marks a missing value.
///
/// # Errors
/// See [`key_drivers_with`].
///
/// ```
/// use cem_core::drivers::{key_drivers, DriverMethod};
/// let a = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0];
/// let b = [2.0, 1.0, 4.0, 3.0, 5.0, 5.0];
/// let y = [1.5, 1.8, 3.9, 3.2, 5.1, 3.0];
/// let kd = key_drivers(&y, &[&a, &b], &["a", "b"], DriverMethod::Shapley, None)?;
/// let sum: f64 = kd.rows.iter().map(|r| r.importance).sum();
/// assert!((sum - kd.r2).abs() < 1e-12);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn key_drivers(
    target: &[f64],
    drivers: &[&[f64]],
    names: &[&str],
    method: DriverMethod,
    weights: Option<&[f64]>,
) -> Result<KeyDrivers> {
    key_drivers_with(
        target,
        drivers,
        names,
        method,
        weights,
        &DriverOptions::default(),
    )
}

/// Key-driver analysis with options: missing values, bootstrap intervals, the Shapley limit.
///
/// # Errors
/// - [`Error::Empty`] with no drivers, or fewer usable rows than drivers + 2;
/// - [`Error::LengthMismatch`] for columns, names or weights of different lengths;
/// - [`Error::InvalidNumber`] for infinite values, negative or non-finite weights, and for
///   missing values under [`Missing::Error`] (naming the column and row);
/// - [`Error::InvalidArgument`] for duplicate names, a constant target or driver (named),
///   perfectly collinear drivers (named), Shapley over more than `max_shapley_drivers`;
/// - [`Error::OutOfRange`] for a bad confidence level.
///
/// ```
/// use cem_core::drivers::{key_drivers_with, DriverMethod, DriverOptions};
/// let a = [1.0, 2.0, 3.0, 4.0, 5.0, 2.0, 4.0, 1.0];
/// let b = [2.0, 1.0, 4.0, 3.0, 5.0, 5.0, 2.0, 3.0];
/// let y = [1.5, 1.8, 3.9, 3.2, 5.1, 3.0, 3.5, f64::NAN];
/// let opts = DriverOptions { n_boot: 50, seed: 1, ..DriverOptions::default() };
/// let kd = key_drivers_with(&y, &[&a, &b], &["a", "b"], DriverMethod::RelativeWeights, None, &opts)?;
/// assert_eq!((kd.n, kd.dropped), (7, 1));
/// assert!(kd.rows[0].low.is_some());
/// let d = kd.difference("a", "b")?;
/// assert!(d.low <= d.high);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn key_drivers_with(
    target: &[f64],
    drivers: &[&[f64]],
    names: &[&str],
    method: DriverMethod,
    weights: Option<&[f64]>,
    options: &DriverOptions,
) -> Result<KeyDrivers> {
    check_confidence(options.confidence)?;
    let p = drivers.len();
    if method == DriverMethod::Shapley && p > options.max_shapley_drivers.min(shapley::HARD_LIMIT) {
        return Err(Error::invalid_argument(
            "method",
            format!(
                "exact Shapley values over {p} drivers need 2^{p} regressions, more than the limit of {} drivers \
                 (`max_shapley_drivers`, at most {}); use method `relative_weights`, which agrees closely \
                 with Shapley and is fast, or group related drivers",
                options.max_shapley_drivers.min(shapley::HARD_LIMIT),
                shapley::HARD_LIMIT
            ),
        ));
    }
    let (data, moments): (Prepared<'_>, Moments) =
        moments::prepare_with_moments(target, drivers, names, weights, options.missing)?;
    if moments.rows < p + 2 {
        return Err(Error::empty(
            "the data",
            format!(
                "{} usable row(s) for {p} driver(s); key-driver analysis needs at least drivers + 2 rows",
                moments.rows
            ),
        ));
    }
    let fit = Fit::new(&moments, names, method)?;
    let boot = if options.n_boot > 0 {
        bootstrap::replicates(&data, names, method, options.n_boot, options.seed)
    } else {
        bootstrap::Replicates {
            importances: Vec::new(),
            failed: 0,
        }
    };
    if options.n_boot > 0 && boot.importances.is_empty() {
        return Err(Error::Undefined(format!(
            "all {} bootstrap replicates had a constant or collinear driver; use more data or fewer drivers",
            options.n_boot
        )));
    }
    Ok(assemble(
        fit,
        &moments,
        &data,
        names,
        method,
        options.confidence,
        boot,
    ))
}

impl KeyDrivers {
    /// The row of the driver called `name`.
    ///
    /// ```
    /// use cem_core::drivers::{key_drivers, DriverMethod};
    /// let kd = key_drivers(&[1.0, 3.0, 2.0, 5.0], &[&[1.0, 2.0, 2.0, 4.0]], &["staff"],
    ///                      DriverMethod::Correlation, None)?;
    /// assert!(kd.row("staff").is_some() && kd.row("price").is_none());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn row(&self, name: &str) -> Option<&DriverRow> {
        self.rows.iter().find(|r| r.driver == name)
    }

    /// Whether driver `a` is more or less important than driver `b`: the difference of their
    /// importances with its bootstrap percentile interval and two-sided p-value (computed
    /// from the replicates of [`DriverOptions::n_boot`], the same for every pair).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an unknown driver, [`Error::Undefined`] without
    /// bootstrap replicates.
    ///
    /// ```
    /// use cem_core::drivers::{key_drivers_with, DriverMethod, DriverOptions};
    /// let a: Vec<f64> = (0..40).map(|i| (i % 7) as f64).collect();
    /// let b: Vec<f64> = (0..40).map(|i| (i % 5) as f64).collect();
    /// let y: Vec<f64> = a.iter().zip(&b).enumerate().map(|(i, (x, z))| 2.0 * x + 0.1 * z + (i % 3) as f64).collect();
    /// let opts = DriverOptions { n_boot: 200, seed: 42, ..DriverOptions::default() };
    /// let kd = key_drivers_with(&y, &[&a, &b], &["a", "b"], DriverMethod::RelativeWeights, None, &opts)?;
    /// let d = kd.difference("a", "b")?;
    /// assert!(d.significant && d.difference > 0.0 && d.p_value < 0.05);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn difference(&self, a: &str, b: &str) -> Result<DriverDifference> {
        let index = |name: &str| {
            self.rows
                .iter()
                .position(|r| r.driver == name)
                .ok_or_else(|| {
                    Error::invalid_argument("driver", format!("no driver `{name}` in the analysis"))
                })
        };
        let (ia, ib) = (index(a)?, index(b)?);
        if self.replicates.is_empty() {
            return Err(Error::Undefined(
                "comparing drivers needs bootstrap replicates; set n_boot (e.g. 1000)".into(),
            ));
        }
        let imp = |i: usize| self.rows.get(i).map_or(0.0, |r| r.importance);
        let mut diffs: Vec<f64> = self
            .replicates
            .iter()
            .map(|r| r.get(ia).copied().unwrap_or(0.0) - r.get(ib).copied().unwrap_or(0.0))
            .collect();
        let p_value = bootstrap::two_sided_p(&diffs).unwrap_or(1.0);
        let (low, high) = bootstrap::percentile_interval(&mut diffs, self.confidence)
            .ok_or_else(|| Error::Undefined("no bootstrap replicates".into()))?;
        Ok(DriverDifference {
            a: a.to_owned(),
            b: b.to_owned(),
            difference: imp(ia) - imp(ib),
            low,
            high,
            p_value,
            significant: low > 0.0 || high < 0.0,
        })
    }
}

/// The importances of one data set (the full data or a bootstrap replicate).
pub(crate) struct Fit {
    pub(crate) importance: Vec<f64>,
    pub(crate) beta: Vec<f64>,
    pub(crate) correlation: Vec<f64>,
    pub(crate) r2: f64,
}

impl Fit {
    /// Checks constancy and collinearity (naming the drivers) and computes the importances.
    pub(crate) fn new(moments: &Moments, names: &[&str], method: DriverMethod) -> Result<Fit> {
        if moments.constant.first().copied().unwrap_or(true) {
            return Err(Error::invalid_argument(
                "target",
                "the target takes one value only; there is nothing to explain",
            ));
        }
        let constant: Vec<String> = moments
            .constant
            .iter()
            .skip(1)
            .zip(names)
            .filter(|(c, _)| **c)
            .map(|(_, n)| format!("`{n}`"))
            .collect();
        if !constant.is_empty() {
            return Err(Error::invalid_argument(
                "drivers",
                format!(
                    "{} {} one value only (a constant rating cannot explain anything); remove {}",
                    constant.join(", "),
                    if constant.len() == 1 { "takes" } else { "take" },
                    if constant.len() == 1 { "it" } else { "them" }
                ),
            ));
        }
        let r = moments.correlation();
        let idx: Vec<usize> = (1..r.order()).collect();
        let rxx = r.submatrix(&idx);
        let rxy = r.row(0, &idx);
        let chol = ols::factor(&rxx, names)?;
        let (beta, r2) = ols::standardized_betas(&chol, &rxy);
        let importance = match method {
            DriverMethod::Correlation => rxy.clone(),
            DriverMethod::Beta => beta.clone(),
            DriverMethod::RelativeWeights => relative_weights::relative_weights(&rxx, &rxy)?,
            DriverMethod::Shapley => shapley::shapley(&rxx, &rxy)?,
        };
        Ok(Fit {
            importance,
            beta,
            correlation: rxy,
            r2,
        })
    }

    fn shares(&self, method: DriverMethod) -> Vec<f64> {
        let ratio = |x: f64, total: f64| if total != 0.0 { x / total } else { 0.0 };
        match method {
            DriverMethod::Correlation => {
                let total: f64 = self.correlation.iter().map(|r| r * r).sum();
                self.correlation
                    .iter()
                    .map(|r| ratio(r * r, total))
                    .collect()
            }
            DriverMethod::Beta => self
                .beta
                .iter()
                .zip(&self.correlation)
                .map(|(b, r)| ratio(b * r, self.r2))
                .collect(),
            DriverMethod::RelativeWeights | DriverMethod::Shapley => {
                self.importance.iter().map(|e| ratio(*e, self.r2)).collect()
            }
        }
    }
}

fn assemble(
    fit: Fit,
    moments: &Moments,
    data: &Prepared<'_>,
    names: &[&str],
    method: DriverMethod,
    confidence: f64,
    boot: bootstrap::Replicates,
) -> KeyDrivers {
    let p = names.len();
    let performance: Vec<f64> = moments.means.iter().skip(1).copied().collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let mean_importance = mean(&fit.importance);
    let mean_performance = mean(&performance);
    let shares = fit.shares(method);
    let rows = (0..p)
        .map(|j| {
            let at = |v: &[f64]| v.get(j).copied().unwrap_or(0.0);
            let importance = at(&fit.importance);
            let interval = if boot.importances.is_empty() {
                None
            } else {
                let mut values: Vec<f64> = boot.importances.iter().map(|r| at(r)).collect();
                bootstrap::percentile_interval(&mut values, confidence)
            };
            DriverRow {
                driver: names.get(j).map_or_else(String::new, |n| (*n).to_owned()),
                importance,
                share: at(&shares),
                rank: 1 + fit.importance.iter().filter(|x| **x > importance).count(),
                beta: at(&fit.beta),
                correlation: at(&fit.correlation),
                performance: at(&performance),
                quadrant: Quadrant::classify(
                    importance,
                    at(&performance),
                    mean_importance,
                    mean_performance,
                ),
                low: interval.map(|i| i.0),
                high: interval.map(|i| i.1),
            }
        })
        .collect();
    KeyDrivers {
        rows,
        r2: fit.r2,
        n: data.used,
        dropped: data.dropped,
        method,
        mean_importance,
        mean_performance,
        confidence,
        n_boot: boot.importances.len(),
        boot_failed: boot.failed,
        replicates: boot.importances,
    }
}
