//! The perception gap: what the company believes against what its customers say.

use std::fmt;

use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::error::{Error, Result, check_confidence};
use crate::metrics::{Estimate, Mean, Proportion};

/// The gap on one attribute ([`perception_gap`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeGap {
    /// The attribute.
    pub attribute: String,
    /// The company's own rating, taken as a fixed value (no uncertainty).
    pub company: f64,
    /// The customers' mean rating with its Student t interval.
    pub customers: Estimate,
    /// company − customers' mean: positive when the company rates itself higher than its
    /// customers do.
    pub gap: f64,
    /// Lower end of the gap's interval: company − the customers' upper limit.
    pub low: f64,
    /// Upper end: company − the customers' lower limit.
    pub high: f64,
    /// One-sample t statistic (customers' mean − company) / se, with n − 1 degrees of
    /// freedom; `None` when the customers' ratings do not vary (se = 0).
    pub t: Option<f64>,
    /// Two-sided p-value of the t test; `None` with `t`.
    pub p_value: Option<f64>,
    /// Whether the company's rating lies outside the customers' interval (the same as
    /// p < 1 − confidence when the test is defined).
    pub significant: bool,
}

/// Per-attribute gaps between the company's own ratings and its customers' ratings.
///
/// `company[i]` is the company's rating of `attributes[i]` on the customers' scale (a
/// manager survey, a target the company believes it meets); `customers[i]` holds the
/// customers' ratings of the same attribute, NaN where a customer did not rate it (skipped
/// for that attribute only); `weights` are optional survey weights per customer row.
///
/// The customers' mean gets a Student t interval ([`Mean`]); the company's value is a fixed
/// number, so the gap's interval is the company value minus the customers' interval, and the
/// significance test is the one-sample t test of the customers' mean against it.
///
/// # Errors
/// [`Error::LengthMismatch`] when the lists differ in length or a column differs from the
/// weights; [`Error::InvalidNumber`] for a non-finite company rating, an infinite rating or
/// a bad weight; [`Error::Undefined`] for an attribute with fewer than two ratings;
/// [`Error::OutOfRange`] for a bad confidence.
///
/// ```
/// use cem_core::drivers::perception_gap;
/// let speed = [3.0, 4.0, 2.0, 3.0, f64::NAN, 3.0];
/// let staff = [5.0, 4.0, 4.0, 5.0, 4.0, 5.0];
/// let gaps = perception_gap(&["speed", "staff"], &[4.5, 4.5], &[&speed, &staff], None, 0.95)?;
/// assert_eq!(gaps[0].customers.n, 5);
/// assert!((gaps[0].gap - 1.5).abs() < 1e-12 && gaps[0].significant);
/// assert!(!gaps[1].significant); // customers agree on staff (mean 4.5)
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn perception_gap(
    attributes: &[&str],
    company: &[f64],
    customers: &[&[f64]],
    weights: Option<&[f64]>,
    confidence: f64,
) -> Result<Vec<AttributeGap>> {
    check_confidence(confidence)?;
    if company.len() != attributes.len() {
        return Err(Error::length_mismatch(
            "company",
            company.len(),
            "attributes",
            attributes.len(),
        ));
    }
    if customers.len() != attributes.len() {
        return Err(Error::length_mismatch(
            "customers",
            customers.len(),
            "attributes",
            attributes.len(),
        ));
    }
    let mut out = Vec::with_capacity(attributes.len());
    for ((name, c), ratings) in attributes.iter().zip(company).zip(customers) {
        if !c.is_finite() {
            return Err(Error::invalid_number(
                format!("company rating of `{name}`"),
                c,
                "is not a finite number",
            ));
        }
        let mut mean = Mean::new();
        match weights {
            Some(w) => {
                if w.len() != ratings.len() {
                    return Err(Error::length_mismatch(
                        *name,
                        ratings.len(),
                        "weights",
                        w.len(),
                    ));
                }
                for (i, (x, wi)) in ratings.iter().zip(w).enumerate() {
                    if !x.is_nan() {
                        mean.push_weighted(*x, *wi)
                            .map_err(|e| at_row(e, name, i))?;
                    }
                }
            }
            None => {
                for (i, x) in ratings.iter().enumerate() {
                    if !x.is_nan() {
                        mean.push(*x).map_err(|e| at_row(e, name, i))?;
                    }
                }
            }
        }
        let est = mean.estimate(confidence).map_err(|e| match e {
            Error::Undefined(why) | Error::Empty { why, .. } => {
                Error::Undefined(format!("attribute `{name}`: {why}"))
            }
            other => other,
        })?;
        let (t, p_value) = if est.se > 0.0 {
            let t = (est.value - c) / est.se;
            (
                Some(t),
                Some(t_two_sided_p(t, est.n.saturating_sub(1) as f64)?),
            )
        } else {
            (None, None)
        };
        out.push(AttributeGap {
            attribute: (*name).to_owned(),
            company: *c,
            gap: c - est.value,
            low: c - est.high,
            high: c - est.low,
            t,
            p_value,
            significant: *c < est.low || *c > est.high,
            customers: est,
        });
    }
    Ok(out)
}

/// The headline perception gap: the share of customers the company *claims* get a superior
/// experience against the share of customers who *say* they do ([`claimed_share_gap`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareGap {
    /// The company's claim, a fraction in 0..=1, taken as a fixed value.
    pub company_share: f64,
    /// The share of customers who say so, with its Wilson interval.
    pub customers: Estimate,
    /// company_share − customers' share (fractions).
    pub gap: f64,
    /// Two-sided p-value of the score test of the customers' share against the claim
    /// (z = (p̂ − p₀)/√(p₀(1 − p₀)/n_eff), the test the Wilson interval inverts); `None` when
    /// the claim is 0 or 1.
    pub p_value: Option<f64>,
    /// Whether the claim lies outside the customers' Wilson interval.
    pub significant: bool,
}

impl fmt::Display for ShareGap {
    /// `company says 80%, customers say 8% (95% CI 5%–12%)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "company says {:.0}%, customers say {:.0}% ({:.0}% CI {:.0}%–{:.0}%)",
            self.company_share * 100.0,
            self.customers.value * 100.0,
            self.confidence_percent(),
            self.customers.low * 100.0,
            self.customers.high * 100.0
        )
    }
}

impl ShareGap {
    fn confidence_percent(&self) -> f64 {
        self.customers.confidence * 100.0
    }
}

/// "The company says X % of its customers get a superior experience; customers say Y %."
///
/// `company_share` is the company's claim as a fraction (0.8 for 80 %); `superior[i]` is
/// whether customer i says their experience was superior (for example a top-box answer);
/// `weights` optional survey weights. Y gets a Wilson interval ([`Proportion`]).
///
/// # Errors
/// [`Error::OutOfRange`] for a claim outside 0..=1 or a bad confidence,
/// [`Error::Empty`] without customers, and the weight errors of [`Proportion`].
///
/// ```
/// use cem_core::drivers::claimed_share_gap;
/// let said_superior: Vec<bool> = (0..100).map(|i| i % 12 == 0).collect(); // 9 of 100
/// let g = claimed_share_gap(0.8, &said_superior, None, 0.95)?;
/// assert_eq!(g.to_string(), "company says 80%, customers say 9% (95% CI 5%–16%)");
/// assert!(g.significant && g.p_value.unwrap() < 1e-6);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn claimed_share_gap(
    company_share: f64,
    superior: &[bool],
    weights: Option<&[f64]>,
    confidence: f64,
) -> Result<ShareGap> {
    if !(0.0..=1.0).contains(&company_share) {
        return Err(Error::out_of_range("company share", company_share, "0..=1"));
    }
    let mut p = Proportion::new();
    match weights {
        Some(w) => p.push_many_weighted(superior, w)?,
        None => p.push_many(superior)?,
    }
    let est = p.estimate(confidence)?;
    let p_value = if company_share > 0.0 && company_share < 1.0 && est.n_eff > 0.0 {
        let z = (est.value - company_share)
            / (company_share * (1.0 - company_share) / est.n_eff).sqrt();
        Some(crate::stats::normal_two_sided_p(z)?)
    } else {
        None
    };
    Ok(ShareGap {
        company_share,
        gap: company_share - est.value,
        p_value,
        significant: company_share < est.low || company_share > est.high,
        customers: est,
    })
}

fn t_two_sided_p(t: f64, df: f64) -> Result<f64> {
    let dist = StudentsT::new(0.0, 1.0, df).map_err(|_| {
        Error::Undefined(format!(
            "a t test needs positive degrees of freedom, got `{df}`"
        ))
    })?;
    Ok((2.0 * dist.sf(t.abs())).min(1.0))
}

fn at_row(e: Error, name: &str, row: usize) -> Error {
    match e {
        Error::InvalidNumber { value, reason, .. } => Error::InvalidNumber {
            field: format!("`{name}` at row {row}"),
            value,
            reason,
        },
        other => other,
    }
}
