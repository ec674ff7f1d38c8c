//! The Gamma-Gamma model of spend per transaction (Fader, Hardie and Lee 2005; Hardie's
//! note 025), as lifetimes' `GammaGammaFitter` defines it.

use serde::{Deserialize, Serialize};

use super::optim::{Objective, minimize};
use super::special::{digamma, ln_gamma};
use super::{FitReport, check_penalizer, finite, standard_errors};
use crate::error::{Error, Result};

/// The Gamma-Gamma model: a customer's spend per transaction is Gamma(p, ν) with
/// ν ~ Gamma(q, v) across customers, independent of how often they buy.
///
/// Fitted, like lifetimes' `GammaGammaFitter`, on repeat customers only — `frequency` is the
/// number of repeat purchases and `monetary_value` their mean value — by minimizing the mean
/// negative log-likelihood plus `penalizer × (p² + q² + v²)` (no time rescaling here).
///
/// # Example
///
/// ```
/// use cem_core::clv::GammaGamma;
///
/// let frequency = [2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0];
/// let monetary = [22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5];
/// let model = GammaGamma::default().fit(&frequency, &monetary, None)?;
/// let value = model.expected_value(2.0, 22.35)?;
/// assert!(value > 0.0);
/// # Ok::<(), cem_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// L2 penalty coefficient, as lifetimes' `penalizer_coef` (0 = plain maximum likelihood).
    pub penalizer: f64,
}

/// Parameters of a Gamma-Gamma model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GammaGammaParams {
    /// Shape of a customer's spend per transaction.
    pub p: f64,
    /// Shape of the gamma distribution of the customers' rate parameters ν.
    pub q: f64,
    /// Scale of the gamma distribution of the customers' rate parameters ν.
    pub v: f64,
}

/// A Gamma-Gamma model with known parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedGammaGamma {
    params: GammaGammaParams,
    report: Option<FitReport<GammaGammaParams>>,
}

impl GammaGamma {
    /// Fits the model to the repeat customers' `frequency` (repeat purchases, `> 0`) and
    /// `monetary_value` (mean value of those purchases, `> 0`); `weights` count identical
    /// customers.
    ///
    /// # Errors
    ///
    /// `InvalidNumber` naming the row for a frequency that is not positive (leave customers
    /// without repeat purchases out, as lifetimes' documentation says), a monetary value that
    /// is not positive, or a non-finite value or weight; `LengthMismatch`; `Empty`;
    /// `NotConverged`; `Undefined` when the estimate runs off to 0 or infinity (for example
    /// when every customer has the same monetary value).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::GammaGamma;
    ///
    /// let err = GammaGamma::default().fit(&[2.0, 0.0], &[10.0, 0.0], None).unwrap_err();
    /// assert!(err.to_string().starts_with("frequency at row 1 `0`"));
    /// ```
    pub fn fit(
        &self,
        frequency: &[f64],
        monetary_value: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<FittedGammaGamma> {
        check_penalizer(self.penalizer)?;
        let n = frequency.len();
        if monetary_value.len() != n {
            return Err(Error::length_mismatch(
                "frequency",
                n,
                "monetary_value",
                monetary_value.len(),
            ));
        }
        if let Some(w) = weights
            && w.len() != n
        {
            return Err(Error::length_mismatch("frequency", n, "weights", w.len()));
        }
        let mut rows = Vec::with_capacity(n);
        for (i, (&x, &m)) in frequency.iter().zip(monetary_value).enumerate() {
            if !(x.is_finite() && x > 0.0) {
                return Err(Error::invalid_number(
                    format!("frequency at row {i}"),
                    x,
                    "is not a positive number: the Gamma-Gamma model is fitted on repeat \
                     customers only",
                ));
            }
            if !(m.is_finite() && m > 0.0) {
                return Err(Error::invalid_number(
                    format!("monetary value at row {i}"),
                    m,
                    "is not a positive finite number",
                ));
            }
            let w = match weights.and_then(|w| w.get(i)) {
                Some(&w) => {
                    super::data::check_weight(i, w)?;
                    w
                }
                None => 1.0,
            };
            if w > 0.0 {
                rows.push((x, m, w));
            }
        }
        let total_weight: f64 = rows.iter().map(|r| r.2).sum();
        if rows.is_empty() || !(total_weight > 0.0 && total_weight.is_finite()) {
            return Err(Error::empty(
                "the repeat customers",
                "the Gamma-Gamma model needs customers with repeat purchases to fit",
            ));
        }
        let objective = Mean::new(&rows, total_weight, self.penalizer);
        let m = minimize(&objective, [0.0; 3], "Gamma-Gamma", ["p", "q", "v"])?;
        let [p, q, v] = m.x.map(f64::exp);
        let log_likelihood = rows
            .iter()
            .map(|&(x, mv, w)| w * row_terms([p, q, v], x, mv).0)
            .sum();
        let se = standard_errors(&[p, q, v], m.hessian, total_weight);
        Ok(FittedGammaGamma {
            params: GammaGammaParams { p, q, v },
            report: Some(FitReport {
                log_likelihood,
                objective: m.value,
                standard_errors: se.map(|[p, q, v]| GammaGammaParams { p, q, v }),
                iterations: m.iterations,
                customers: total_weight,
            }),
        })
    }
}

impl FittedGammaGamma {
    /// A model with the given parameters.
    ///
    /// # Errors
    ///
    /// `InvalidNumber` if a parameter is not a positive finite number.
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedGammaGamma, GammaGammaParams};
    ///
    /// let m = FittedGammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.44 })?;
    /// assert!((m.expected_value(0.0, 0.0)? - 35.17).abs() < 0.1);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn from_params(params: GammaGammaParams) -> Result<Self> {
        let GammaGammaParams { p, q, v } = params;
        for (name, x) in [("p", p), ("q", q), ("v", v)] {
            if !(x.is_finite() && x > 0.0) {
                return Err(Error::invalid_number(
                    format!("Gamma-Gamma parameter {name}"),
                    x,
                    "is not a positive finite number",
                ));
            }
        }
        Ok(FittedGammaGamma {
            params,
            report: None,
        })
    }

    /// The parameters.
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::GammaGamma::default().fit(
    ///     &[2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0],
    ///     &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5],
    ///     None,
    /// )?;
    /// assert!(m.params().p > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn params(&self) -> GammaGammaParams {
        self.params
    }

    /// How the fit went; `None` for a model built with [`FittedGammaGamma::from_params`].
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::GammaGamma::default().fit(
    ///     &[2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0],
    ///     &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5],
    ///     None,
    /// )?;
    /// let report = m.report().unwrap();
    /// assert!(report.iterations > 0 && report.customers > 0.0);
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn report(&self) -> Option<&FitReport<GammaGammaParams>> {
        self.report.as_ref()
    }

    /// The maximized log-likelihood of the fitted data, without the penalty.
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::GammaGamma::default().fit(
    ///     &[2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0],
    ///     &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5],
    ///     None,
    /// )?;
    /// assert!(m.log_likelihood().unwrap().is_finite());
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn log_likelihood(&self) -> Option<f64> {
        self.report.as_ref().map(|r| r.log_likelihood)
    }

    /// Standard errors of the parameters (lifetimes' delta method; see
    /// [`FittedBetaGeo::standard_errors`](super::FittedBetaGeo::standard_errors)).
    ///
    /// # Example
    ///
    /// ```
    /// let m = cem_core::clv::GammaGamma::default().fit(
    ///     &[2.0, 1.0, 6.0, 3.0, 1.0, 2.0, 4.0, 1.0],
    ///     &[22.35, 11.77, 31.0, 18.5, 60.2, 25.0, 19.9, 9.5],
    ///     None,
    /// )?;
    /// if let Some(se) = m.standard_errors() {
    ///     assert!(se.p >= 0.0);
    /// }
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn standard_errors(&self) -> Option<GammaGammaParams> {
        self.report.as_ref().and_then(|r| r.standard_errors)
    }

    /// Expected mean value of a customer's transactions given `frequency` repeat purchases of
    /// mean value `monetary_value` (Hardie's note 025, equation 5; lifetimes'
    /// `conditional_expected_average_profit`): a weighted mean of the customer's own mean and
    /// the population mean `p v / (q − 1)`. A customer with frequency 0 gets the population
    /// mean (their `monetary_value` is ignored, but must be finite).
    ///
    /// # Errors
    ///
    /// `InvalidNumber` for a negative or non-finite frequency or monetary value, or a
    /// non-positive monetary value with a positive frequency; `Undefined` when `q <= 1`, where
    /// the population mean does not exist (lifetimes returns a negative or infinite value).
    ///
    /// # Example
    ///
    /// ```
    /// use cem_core::clv::{FittedGammaGamma, GammaGammaParams};
    ///
    /// let m = FittedGammaGamma::from_params(GammaGammaParams { p: 6.25, q: 3.74, v: 15.44 })?;
    /// let v = m.expected_value(2.0, 22.35)?;
    /// assert!(v > 22.35 && v < 35.2); // shrunk towards the population mean
    /// # Ok::<(), cem_core::Error>(())
    /// ```
    pub fn expected_value(&self, frequency: f64, monetary_value: f64) -> Result<f64> {
        if !(frequency.is_finite() && frequency >= 0.0) {
            return Err(Error::invalid_number(
                "frequency",
                frequency,
                "is not a finite number >= 0",
            ));
        }
        if !monetary_value.is_finite() || (frequency > 0.0 && monetary_value <= 0.0) {
            return Err(Error::invalid_number(
                "monetary value",
                monetary_value,
                "is not a positive finite number",
            ));
        }
        let GammaGammaParams { p, q, v } = self.params;
        if q <= 1.0 {
            return Err(Error::Undefined(format!(
                "the population mean spend p v / (q - 1) does not exist for q = `{q}` <= 1"
            )));
        }
        let individual = p * frequency / (p * frequency + q - 1.0);
        let population = v * p / (q - 1.0);
        let value = if frequency > 0.0 {
            (1.0 - individual) * population + individual * monetary_value
        } else {
            population
        };
        finite("Gamma-Gamma expected value", value)
    }
}

/// One row's log-likelihood and its gradient in log-parameters.
fn row_terms([p, q, v]: [f64; 3], x: f64, m: f64) -> (f64, [f64; 3]) {
    let px = p * x;
    let lxmv = (x * m + v).ln();
    let ll = ln_gamma(px + q) - ln_gamma(px) - ln_gamma(q)
        + q * v.ln()
        + (px - 1.0) * m.ln()
        + px * x.ln()
        - (px + q) * lxmv;
    let psi = digamma(px + q);
    let dp = x * (psi - digamma(px) + m.ln() + x.ln() - lxmv);
    let dq = psi - digamma(q) + v.ln() - lxmv;
    let dv = q / v - (px + q) / (x * m + v);
    (ll, [dp * p, dq * q, dv * v])
}

/// The mean objective, with the rows grouped by frequency: Γ and ψ of `p x` are computed
/// once per distinct frequency per evaluation, leaving one logarithm and one division per
/// row.
struct Mean {
    groups: Vec<Group>,
    total_weight: f64,
    penalizer: f64,
}

/// The rows with one frequency `x`.
struct Group {
    x: f64,
    ln_x: f64,
    /// Σ w.
    weight: f64,
    /// Σ w ln m.
    weighted_ln_m: f64,
    /// (x m, w) per row.
    rows: Vec<(f64, f64)>,
}

impl Mean {
    fn new(rows: &[(f64, f64, f64)], total_weight: f64, penalizer: f64) -> Self {
        let mut sorted: Vec<(f64, f64, f64)> = rows.to_vec();
        sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut groups: Vec<Group> = Vec::new();
        for (x, m, w) in sorted {
            match groups.last_mut() {
                Some(g) if g.x == x => {
                    g.weight += w;
                    g.weighted_ln_m += w * m.ln();
                    g.rows.push((x * m, w));
                }
                _ => groups.push(Group {
                    x,
                    ln_x: x.ln(),
                    weight: w,
                    weighted_ln_m: w * m.ln(),
                    rows: vec![(x * m, w)],
                }),
            }
        }
        Mean {
            groups,
            total_weight,
            penalizer,
        }
    }
}

impl Objective<3> for Mean {
    fn eval(&self, theta: &[f64; 3]) -> Option<(f64, [f64; 3])> {
        let params = theta.map(f64::exp);
        let [p, q, v] = params;
        let (ln_v, ln_gamma_q, digamma_q) = (v.ln(), ln_gamma(q), digamma(q));
        let mut ll = 0.0;
        let mut grad = [0.0; 3];
        for g in &self.groups {
            let px = p * g.x;
            // Σ w ln(x m + v) and Σ w / (x m + v) over the group's rows.
            let (mut lxmv, mut inv) = (0.0, 0.0);
            for &(xm, w) in &g.rows {
                lxmv += w * (xm + v).ln();
                inv += w / (xm + v);
            }
            let psi = digamma(px + q);
            ll += g.weight * (ln_gamma(px + q) - ln_gamma(px) - ln_gamma_q + q * ln_v + px * g.ln_x)
                + (px - 1.0) * g.weighted_ln_m
                - (px + q) * lxmv;
            let [dp, dq, dv] = &mut grad;
            *dp += g.x * (g.weight * (psi - digamma(px) + g.ln_x) + g.weighted_ln_m - lxmv);
            *dq += g.weight * (psi - digamma_q + ln_v) - lxmv;
            *dv += g.weight * q / v - (px + q) * inv;
        }
        let n = self.total_weight;
        let value = -ll / n + self.penalizer * params.iter().map(|v| v * v).sum::<f64>();
        let mut out = [0.0; 3];
        for ((o, g), pi) in out.iter_mut().zip(grad).zip(params) {
            // d/dθ of −ll/n in log-parameters: −(∂ll/∂param) param / n.
            *o = -g * pi / n + 2.0 * self.penalizer * pi * pi;
        }
        (value.is_finite() && out.iter().all(|v| v.is_finite())).then_some((value, out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_objective_is_the_sum_of_the_row_terms() {
        let rows = [
            (1.0, 11.77, 1.0),
            (6.0, 31.0, 2.0),
            (1.0, 40.5, 1.0),
            (2.0, 0.5, 3.0),
            (6.0, 12.25, 1.0),
        ];
        let total: f64 = rows.iter().map(|r| r.2).sum();
        let mean = Mean::new(&rows, total, 0.1);
        assert_eq!(mean.groups.len(), 3);
        for params in [[6.2, 3.7, 15.4], [0.5, 40.0, 300.0]] {
            let (value, grad) = mean.eval(&params.map(f64::ln)).unwrap();
            let (mut ll, mut g) = (0.0, [0.0; 3]);
            for &(x, m, w) in &rows {
                let (l, d) = row_terms(params, x, m);
                ll += w * l;
                for (a, b) in g.iter_mut().zip(d) {
                    *a += w * b;
                }
            }
            let penalty: f64 = params.iter().map(|p| p * p).sum();
            assert!((value - (-ll / total + 0.1 * penalty)).abs() < 1e-12 * value.abs().max(1.0));
            for ((got, want), p) in grad.iter().zip(g).zip(params) {
                let want = -want / total + 0.2 * p * p;
                assert!((got - want).abs() < 1e-10 * want.abs().max(1.0), "{got} vs {want}");
            }
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        for &(x, m) in &[(1.0, 11.77), (6.0, 31.0), (2.0, 0.5)] {
            for p in [[6.2, 3.7, 15.4], [0.5, 40.0, 300.0], [100.0, 1.5, 0.3]] {
                let g = row_terms(p, x, m).1;
                for (k, gk) in g.iter().enumerate() {
                    let h: f64 = 1e-6;
                    let mut up = p;
                    let mut down = p;
                    up[k] *= h.exp();
                    down[k] *= (-h).exp();
                    let fd = (row_terms(up, x, m).0 - row_terms(down, x, m).0) / (2.0 * h);
                    assert!(
                        (fd - gk).abs() < 1e-6 * (1.0 + gk.abs()),
                        "{p:?} {x} {k}: {fd} vs {gk}"
                    );
                }
            }
        }
    }
}
