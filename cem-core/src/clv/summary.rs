//! lifetimes' `summary` table of a fitted model: each parameter with its standard error and a
//! normal confidence interval.

use serde::{Deserialize, Serialize};

use super::{BetaGeoParams, FitReport, GammaGammaParams, ParetoNbdParams};
use crate::error::Result;

/// The parameters of a CLV model as (name, value) pairs, in lifetimes' order — what
/// [`parameter_summary`] reads.
///
/// # Example
///
/// ```
/// use cem_core::clv::{GammaGammaParams, Parameters};
///
/// let p = GammaGammaParams { p: 6.25, q: 3.74, v: 15.45 };
/// assert_eq!(p.named(), vec![("p", 6.25), ("q", 3.74), ("v", 15.45)]);
/// ```
pub trait Parameters {
    /// The parameters by name, in lifetimes' order.
    fn named(&self) -> Vec<(&'static str, f64)>;
}

impl Parameters for BetaGeoParams {
    fn named(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("r", self.r),
            ("alpha", self.alpha),
            ("a", self.a),
            ("b", self.b),
        ]
    }
}

impl Parameters for ParetoNbdParams {
    fn named(&self) -> Vec<(&'static str, f64)> {
        vec![
            ("r", self.r),
            ("alpha", self.alpha),
            ("s", self.s),
            ("beta", self.beta),
        ]
    }
}

impl Parameters for GammaGammaParams {
    fn named(&self) -> Vec<(&'static str, f64)> {
        vec![("p", self.p), ("q", self.q), ("v", self.v)]
    }
}

/// One row of [`parameter_summary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParameterRow {
    /// The parameter's name (`r`, `alpha`, ...).
    pub parameter: String,
    /// The estimate.
    pub coef: f64,
    /// Its standard error; `None` when the model has none (built from parameters, or the
    /// Hessian was not positive definite).
    pub se: Option<f64>,
    /// `coef − z · se`, with `z` the two-sided normal critical value; `None` without `se`.
    pub lower: Option<f64>,
    /// `coef + z · se`; `None` without `se`.
    pub upper: Option<f64>,
}

/// lifetimes' `summary` of a model: per parameter the estimate, its standard error and the
/// interval `coef ± z · se` (lifetimes rounds `z` to 1.96 at 95 %; this is the exact normal
/// quantile, as in Python's `summary()`).
///
/// # Errors
///
/// `OutOfRange` for a `confidence` outside (0, 1).
///
/// # Example
///
/// ```
/// use cem_core::clv::{parameter_summary, GammaGamma};
///
/// let m = GammaGamma::default().fit(
///     &[2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0],
///     &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5],
///     None,
/// )?;
/// let rows = parameter_summary(&m.params(), m.report(), 0.95)?;
/// assert_eq!(rows.len(), 3);
/// assert_eq!(rows[0].parameter, "p");
/// assert!(rows.iter().all(|r| r.se.is_none() || r.lower < Some(r.coef)));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn parameter_summary<P: Parameters>(
    params: &P,
    report: Option<&FitReport<P>>,
    confidence: f64,
) -> Result<Vec<ParameterRow>> {
    let z = crate::stats::z_critical(confidence)?;
    let errors = report
        .and_then(|r| r.standard_errors.as_ref())
        .map(Parameters::named);
    Ok(params
        .named()
        .into_iter()
        .enumerate()
        .map(|(i, (name, coef))| {
            let se = errors.as_ref().and_then(|e| e.get(i)).map(|&(_, se)| se);
            ParameterRow {
                parameter: name.to_owned(),
                coef,
                se,
                lower: se.map(|se| coef - z * se),
                upper: se.map(|se| coef + z * se),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::clv::{BetaGeoParams, FittedBetaGeo};

    #[test]
    fn rows_follow_the_standard_errors() {
        let params = BetaGeoParams {
            r: 0.25,
            alpha: 4.4,
            a: 0.8,
            b: 2.4,
        };
        let report = FitReport {
            log_likelihood: -1.0,
            objective: 1.0,
            standard_errors: Some(BetaGeoParams {
                r: 0.01,
                alpha: 0.4,
                a: 0.2,
                b: 0.7,
            }),
            iterations: 1,
            customers: 10.0,
        };
        let rows = parameter_summary(&params, Some(&report), 0.95).unwrap();
        let names: Vec<&str> = rows.iter().map(|r| r.parameter.as_str()).collect();
        assert_eq!(names, ["r", "alpha", "a", "b"]);
        assert_eq!(rows[1].se, Some(0.4));
        assert!((rows[1].lower.unwrap() - (4.4 - 1.959_963_984_540_054 * 0.4)).abs() < 1e-12);
        assert!((rows[3].upper.unwrap() - (2.4 + 1.959_963_984_540_054 * 0.7)).abs() < 1e-12);
        let plain = FittedBetaGeo::from_params(params).unwrap();
        let rows = parameter_summary(&plain.params(), plain.report(), 0.9).unwrap();
        assert!(rows.iter().all(|r| r.se.is_none() && r.lower.is_none()));
        assert!(parameter_summary(&params, None, 1.0).is_err());
    }
}
