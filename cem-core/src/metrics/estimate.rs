//! [`Estimate`]: a number with its uncertainty, and the interval [`Method`]s that make one.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::stats;

/// A point estimate with its standard error, confidence interval and sample sizes.
///
/// Units follow the metric: NPS and net satisfaction in points (−100..=100), shares (CSAT
/// top-box, CES agreement, proportions) as fractions (0..=1), means on the scale of the data.
/// `value` is always the plain estimate from the data; an interval method may centre its
/// interval elsewhere (the adjusted Wald and Wilson intervals do), so `value` need not be the
/// midpoint of `low..high`.
///
/// # Example
///
/// ```
/// use cem_core::metrics::Nps;
///
/// let mut nps = Nps::new();
/// nps.push_many(&[10, 9, 9, 8, 7, 3, 10, 6])?;
/// let est = nps.estimate(0.95)?;
/// assert_eq!(est.n, 8);
/// assert!((est.value - 25.0).abs() < 1e-12); // 4 promoters, 2 detractors of 8
/// assert!(est.low < est.value && est.value < est.high);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The point estimate.
    pub value: f64,
    /// Lower end of the confidence interval.
    pub low: f64,
    /// Upper end of the confidence interval.
    pub high: f64,
    /// Standard error of the quantity the interval is built on, in the estimate's units.
    pub se: f64,
    /// Number of observations.
    pub n: u64,
    /// Kish effective sample size (Σw)²/Σw²; equals `n` without weights.
    pub n_eff: f64,
    /// Confidence level of the interval, in (0, 1).
    pub confidence: f64,
    /// How the interval was computed.
    pub method: Method,
}

impl fmt::Display for Estimate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:.2} [{:.2}, {:.2}] (n={}, {}% {})",
            self.value,
            self.low,
            self.high,
            self.n,
            self.confidence * 100.0,
            self.method.name()
        )
    }
}

/// How a confidence interval is computed.
///
/// | method | used for | formula |
/// |---|---|---|
/// | `Wald` | any | value ± z·se, se by linearization |
/// | `AdjustedWald` | NPS, net satisfaction (default) | n′=n+3, p′=(P+¾)/n′, d′=(D+¾)/n′, (p′−d′) ± z·√((p′+d′−(p′−d′)²)/n′) |
/// | `Wilson` | proportions (default) | Wilson score interval |
/// | `AgrestiCoull` | proportions | ñ=n+z², p̃=(x+z²/2)/ñ, p̃ ± z·√(p̃(1−p̃)/ñ) |
/// | `StudentT` | means (default) | x̄ ± t(n−1)·s/√n |
///
/// With weights, counts are replaced by weighted shares times the Kish effective n. Intervals
/// of bounded quantities are clipped to their range (0..=1 for shares, −100..=100 for NPS).
///
/// ```
/// use cem_core::metrics::Method;
/// assert_eq!(Method::parse("adjusted-wald")?, Method::AdjustedWald);
/// assert_eq!(Method::parse("agresti_coull")?, Method::AgrestiCoull);
/// assert!(Method::parse("bootstrap").is_err());
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Normal approximation with the linearized standard error.
    Wald,
    /// The adjusted Wald interval for differences of shares (Rocks 2016, Sauro & Lewis).
    AdjustedWald,
    /// The Wilson score interval.
    Wilson,
    /// The Agresti–Coull interval.
    AgrestiCoull,
    /// Student's t interval for a mean.
    StudentT,
}

impl Method {
    /// Every method, in declaration order.
    pub const ALL: [Method; 5] = [
        Method::Wald,
        Method::AdjustedWald,
        Method::Wilson,
        Method::AgrestiCoull,
        Method::StudentT,
    ];

    /// The kebab-case name (`"adjusted-wald"`).
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::Method::StudentT.name(), "student-t");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Method::Wald => "wald",
            Method::AdjustedWald => "adjusted-wald",
            Method::Wilson => "wilson",
            Method::AgrestiCoull => "agresti-coull",
            Method::StudentT => "student-t",
        }
    }

    /// Parses a method name; `_` and `-` are interchangeable, case is ignored, and
    /// `"normal"` (statsmodels' name) means Wald.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the unknown method and the known ones.
    ///
    /// ```
    /// assert_eq!(cem_core::metrics::Method::parse("normal")?, cem_core::metrics::Method::Wald);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Method> {
        let key = name.trim().to_ascii_lowercase().replace('_', "-");
        if key == "normal" {
            return Ok(Method::Wald);
        }
        Method::ALL
            .into_iter()
            .find(|m| m.name() == key)
            .ok_or_else(|| {
                Error::invalid_argument(
                    "method",
                    format!(
                        "unknown interval method `{name}`; expected one of {}",
                        Method::ALL.map(Method::name).join(", ")
                    ),
                )
            })
    }

    pub(crate) fn unsupported(self, metric: &str, allowed: &[Method]) -> Error {
        Error::invalid_argument(
            "method",
            format!(
                "`{}` is not available for {metric}; use one of {}",
                self.name(),
                allowed
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    }
}

impl std::str::FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Method::parse(s)
    }
}

/// Weighted sufficient statistics of one share (a 0/1 variable).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Share {
    /// Weighted share in 0..=1.
    pub p: f64,
    /// Observations.
    pub n: u64,
    /// Kish effective n.
    pub n_eff: f64,
    /// Linearized variance of `p` (Σw²(z−p)²/(Σw)²); equals p(1−p)/n without weights.
    pub var: f64,
}

/// The interval for a share, by `method`, clipped to 0..=1.
pub(crate) fn share_interval(s: Share, confidence: f64, method: Method) -> Result<Estimate> {
    let z = stats::z_critical(confidence)?;
    let (center, half, se) = match method {
        Method::Wald => {
            let se = s.var.sqrt();
            (s.p, z * se, se)
        }
        Method::Wilson => {
            let n = s.n_eff;
            let z2 = z * z;
            let denom = 1.0 + z2 / n;
            let center = (s.p + z2 / (2.0 * n)) / denom;
            let half = z / denom * (s.p * (1.0 - s.p) / n + z2 / (4.0 * n * n)).sqrt();
            (center, half, (s.p * (1.0 - s.p) / n).sqrt())
        }
        Method::AgrestiCoull => {
            let n_tilde = s.n_eff + z * z;
            let p_tilde = (s.p * s.n_eff + z * z / 2.0) / n_tilde;
            let se = (p_tilde * (1.0 - p_tilde) / n_tilde).sqrt();
            (p_tilde, z * se, se)
        }
        other => {
            return Err(other.unsupported(
                "a proportion",
                &[Method::Wilson, Method::AgrestiCoull, Method::Wald],
            ));
        }
    };
    Ok(Estimate {
        value: s.p,
        low: (center - half).clamp(0.0, 1.0),
        high: (center + half).clamp(0.0, 1.0),
        se,
        n: s.n,
        n_eff: s.n_eff,
        confidence,
        method,
    })
}

/// Weighted sufficient statistics of a difference of two shares from one sample
/// (promoters minus detractors).
#[derive(Debug, Clone, Copy)]
pub(crate) struct ShareDifference {
    /// Weighted share of the "plus" level.
    pub plus: f64,
    /// Weighted share of the "minus" level.
    pub minus: f64,
    /// Observations.
    pub n: u64,
    /// Kish effective n.
    pub n_eff: f64,
    /// Linearized variance of `plus − minus`; (p+d−(p−d)²)/n without weights.
    pub var: f64,
}

/// The interval for a difference of shares, in points (×100), clipped to −100..=100.
pub(crate) fn difference_interval(
    d: ShareDifference,
    confidence: f64,
    method: Method,
) -> Result<Estimate> {
    let z = stats::z_critical(confidence)?;
    let (center, se) = match method {
        Method::Wald => (d.plus - d.minus, d.var.sqrt()),
        Method::AdjustedWald => {
            let n_adj = d.n_eff + 3.0;
            let p = (d.plus * d.n_eff + 0.75) / n_adj;
            let m = (d.minus * d.n_eff + 0.75) / n_adj;
            (p - m, ((p + m - (p - m).powi(2)) / n_adj).sqrt())
        }
        other => {
            return Err(other.unsupported(
                "a difference of shares such as NPS",
                &[Method::AdjustedWald, Method::Wald],
            ));
        }
    };
    Ok(Estimate {
        value: 100.0 * (d.plus - d.minus),
        low: (100.0 * (center - z * se)).clamp(-100.0, 100.0),
        high: (100.0 * (center + z * se)).clamp(-100.0, 100.0),
        se: 100.0 * se,
        n: d.n,
        n_eff: d.n_eff,
        confidence,
        method,
    })
}

/// Student t interval for a mean with standard error `se` and `n` observations (df = n − 1).
pub(crate) fn mean_interval(
    mean: f64,
    se: f64,
    n: u64,
    n_eff: f64,
    confidence: f64,
    method: Method,
) -> Result<Estimate> {
    let crit = match method {
        Method::StudentT => {
            if n < 2 {
                crate::error::check_confidence(confidence)?;
                return Err(Error::Undefined(format!(
                    "the interval of a mean needs at least 2 observations, got {n}"
                )));
            }
            stats::t_critical(confidence, (n - 1) as f64)?
        }
        Method::Wald => stats::z_critical(confidence)?,
        other => return Err(other.unsupported("a mean", &[Method::StudentT, Method::Wald])),
    };
    Ok(Estimate {
        value: mean,
        low: mean - crit * se,
        high: mean + crit * se,
        se,
        n,
        n_eff,
        confidence,
        method,
    })
}
