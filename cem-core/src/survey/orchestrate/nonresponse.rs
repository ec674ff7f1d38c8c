//! [`nonresponse`]: are the customers who answer like the customers who were asked?

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, check_confidence};
use crate::metrics::{Estimate, Nps, RakeOptions, rake};

/// A categorical attribute of the invited customers (segment, value tier, recent complaint):
/// `codes[i]` indexes `labels`.
#[derive(Debug, Clone, Copy)]
pub struct Categorical<'a> {
    /// The attribute's name, used in results and errors.
    pub name: &'a str,
    /// One code per invited customer.
    pub codes: &'a [u32],
    /// The label of each code.
    pub labels: &'a [String],
}

/// A numeric attribute of the invited customers (tenure, spend).
#[derive(Debug, Clone, Copy)]
pub struct Numeric<'a> {
    /// The attribute's name.
    pub name: &'a str,
    /// One finite value per invited customer.
    pub values: &'a [f64],
}

/// Responders against the invited population on one attribute (or one level of a
/// categorical attribute).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// The attribute.
    pub attribute: String,
    /// The level, for a categorical attribute.
    pub level: Option<String>,
    /// Share of the level (or mean) among the invited.
    pub invited: f64,
    /// The same among the responders.
    pub responders: f64,
    /// The same among the responders, weighted.
    pub weighted: f64,
    /// Standardized difference responders − invited; none when both spreads are 0 (or
    /// fewer than 2 responders for a numeric attribute).
    pub std_diff: Option<f64>,
    /// The same with the weighted responders.
    pub weighted_std_diff: Option<f64>,
}

/// The outcome of [`nonresponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NonResponse {
    /// Invited customers.
    pub invited: u64,
    /// Of whom responded.
    pub responders: u64,
    /// One row per numeric attribute and per level of each categorical attribute (levels
    /// with invited customers), in the order given.
    pub balance: Vec<Balance>,
    /// One weight per invited customer: the raking weight for responders (mean 1 over the
    /// responders), 0 for the others.
    pub weights: Vec<f64>,
    /// Raking sweeps (0 without categorical attributes, where every responder weighs 1).
    pub rake_iterations: usize,
    /// NPS of the responders who gave a score, unweighted.
    pub nps: Option<Estimate>,
    /// The same, weighted.
    pub nps_weighted: Option<Estimate>,
}

/// Compares responders with the invited population, weights the responders to represent it,
/// and shows how NPS changes when weighted.
///
/// `responded[i]` says whether invited customer `i` answered; the attributes hold one value
/// per invited customer. Standardized differences compare the responders with the whole
/// invited population (responders included):
///
/// - numeric: (x̄ᵣ − x̄) / √((sᵣ² + s²)/2), variances with n − 1 in the denominator;
/// - a level of a categorical attribute, with shares pᵣ and p: (pᵣ − p) / √((pᵣ(1−pᵣ) + p(1−p))/2).
///
/// Weights are raking weights ([`rake`]) of the responders on every categorical attribute,
/// with the invited shares as targets, so the weighted responders match the invited on each
/// (their weighted standardized differences are 0). Weighted numeric means use the weights;
/// the weighted variance is Σw(x − x̄_w)²/Σw · n/(n − 1). `nps[i]` is invited customer `i`'s
/// score if they gave one (non-responders have none).
///
/// # Errors
/// [`Error::LengthMismatch`] for attribute columns of another length; [`Error::Empty`] without
/// responders; [`Error::InvalidArgument`] for a level with invited customers but no
/// responders (it cannot be weighted up: merge it with another level) and a score from a
/// non-responder; [`Error::OutOfRange`] for a code without a label or a score above 10;
/// [`Error::InvalidNumber`] for a non-finite numeric value; [`Error::NotConverged`] from raking.
///
/// # Example
///
/// ```
/// use cem_core::survey::orchestrate::{Categorical, Numeric, nonresponse};
///
/// let tiers = vec!["gold".to_owned(), "basic".to_owned()];
/// let tier = [0, 0, 0, 0, 1, 1, 1, 1];
/// let responded = [true, true, true, false, true, false, false, false];
/// let tenure = [5.0, 6.0, 7.0, 2.0, 1.0, 2.0, 1.0, 3.0];
/// let nps = [Some(10), Some(9), Some(10), None, Some(2), None, None, None];
/// let r = nonresponse(
///     &responded,
///     &[Categorical { name: "tier", codes: &tier, labels: &tiers }],
///     &[Numeric { name: "tenure", values: &tenure }],
///     Some(&nps),
///     0.95,
/// )?;
/// let gold = &r.balance[0];
/// assert_eq!((gold.invited, gold.responders, gold.weighted), (0.5, 0.75, 0.5));
/// // Gold customers answer more and are happier: weighting pulls NPS down.
/// assert_eq!(r.nps.map(|e| e.value), Some(50.0));
/// assert_eq!(r.nps_weighted.map(|e| e.value), Some(0.0));
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn nonresponse(
    responded: &[bool],
    categorical: &[Categorical],
    numeric: &[Numeric],
    nps: Option<&[Option<u8>]>,
    confidence: f64,
) -> Result<NonResponse> {
    check_confidence(confidence)?;
    let n = responded.len();
    let lengths = categorical
        .iter()
        .map(|c| (c.name, c.codes.len()))
        .chain(numeric.iter().map(|x| (x.name, x.values.len())))
        .chain(nps.map(|s| ("nps", s.len())));
    for (name, len) in lengths {
        if len != n {
            return Err(Error::length_mismatch("responded", n, name, len));
        }
    }
    let who: Vec<usize> = (0..n).filter(|&i| responded.get(i).copied().unwrap_or(false)).collect();
    if who.is_empty() {
        return Err(Error::empty("the responders", "nothing to compare with the invited population"));
    }
    let mut targets = Vec::with_capacity(categorical.len());
    let mut resp_codes = Vec::with_capacity(categorical.len());
    for c in categorical {
        let (invited, resp) = level_counts(c, &who)?;
        if let Some(l) = (0..invited.len()).find(|&l| invited.get(l) > Some(&0) && resp.get(l) == Some(&0)) {
            return Err(Error::invalid_argument(
                c.name,
                format!(
                    "level `{}` has invited customers but no responders, so it cannot be weighted; merge it with another level",
                    c.labels.get(l).map_or("", String::as_str)
                ),
            ));
        }
        #[allow(clippy::cast_precision_loss)]
        targets.push(invited.iter().map(|&k| k as f64 / n as f64).collect::<Vec<f64>>());
        resp_codes.push(who.iter().map(|&i| c.codes.get(i).copied().unwrap_or(0)).collect::<Vec<u32>>());
    }
    let (resp_weights, rake_iterations) = if categorical.is_empty() {
        (vec![1.0; who.len()], 0)
    } else {
        let vars: Vec<&[u32]> = resp_codes.iter().map(Vec::as_slice).collect();
        let raked = rake(&vars, &targets, None, RakeOptions::default())?;
        (raked.weights, raked.iterations)
    };
    let mut balance = Vec::new();
    for (c, t) in categorical.iter().zip(&targets) {
        for (l, &p) in t.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            let in_level: Vec<f64> = who
                .iter()
                .map(|&i| f64::from(u8::from(c.codes.get(i).map(|&x| x as usize) == Some(l))))
                .collect();
            let pr = mean(&in_level, None);
            let pw = mean(&in_level, Some(&resp_weights));
            let share_d = |q: f64| std_diff(q - p, q * (1.0 - q), p * (1.0 - p));
            balance.push(Balance {
                attribute: c.name.to_owned(),
                level: c.labels.get(l).cloned(),
                invited: p,
                responders: pr,
                weighted: pw,
                std_diff: share_d(pr),
                weighted_std_diff: share_d(pw),
            });
        }
    }
    for x in numeric {
        if let Some(pos) = x.values.iter().position(|v| !v.is_finite()) {
            return Err(Error::invalid_number(
                format!("`{}` at row {pos}", x.name),
                x.values.get(pos).copied().unwrap_or(f64::NAN),
                "is not a finite number",
            ));
        }
        let vals: Vec<f64> = who.iter().map(|&i| x.values.get(i).copied().unwrap_or(0.0)).collect();
        let (m, v) = (mean(x.values, None), variance(x.values, None));
        let (mr, vr) = (mean(&vals, None), variance(&vals, None));
        let (mw, vw) = (mean(&vals, Some(&resp_weights)), variance(&vals, Some(&resp_weights)));
        balance.push(Balance {
            attribute: x.name.to_owned(),
            level: None,
            invited: m,
            responders: mr,
            weighted: mw,
            std_diff: vr.and_then(|vr| std_diff(mr - m, vr, v.unwrap_or(0.0))),
            weighted_std_diff: vw.and_then(|vw| std_diff(mw - m, vw, v.unwrap_or(0.0))),
        });
    }
    let mut weights = vec![0.0; n];
    for (&i, &w) in who.iter().zip(&resp_weights) {
        if let Some(slot) = weights.get_mut(i) {
            *slot = w;
        }
    }
    let (nps, nps_weighted) = match nps {
        Some(scores) => nps_both(scores, responded, &weights, confidence)?,
        None => (None, None),
    };
    Ok(NonResponse {
        invited: n as u64,
        responders: who.len() as u64,
        balance,
        weights,
        rake_iterations,
        nps,
        nps_weighted,
    })
}

/// Counts per level among all and among the responders; checks the codes.
fn level_counts(c: &Categorical, who: &[usize]) -> Result<(Vec<u64>, Vec<u64>)> {
    let k = c.labels.len();
    let mut invited = vec![0u64; k];
    for (row, &code) in c.codes.iter().enumerate() {
        match invited.get_mut(code as usize) {
            Some(slot) => *slot += 1,
            None => {
                return Err(Error::out_of_range(
                    format!("code of `{}` at row {row}", c.name),
                    code,
                    format!("0..{k} (the labels given)"),
                ));
            }
        }
    }
    let mut resp = vec![0u64; k];
    for &i in who {
        if let Some(slot) = c.codes.get(i).and_then(|&code| resp.get_mut(code as usize)) {
            *slot += 1;
        }
    }
    Ok((invited, resp))
}

fn std_diff(diff: f64, var_a: f64, var_b: f64) -> Option<f64> {
    let s = ((var_a + var_b) / 2.0).sqrt();
    (s > 0.0 && s.is_finite()).then(|| diff / s)
}

fn mean(xs: &[f64], w: Option<&[f64]>) -> f64 {
    match w {
        None => {
            #[allow(clippy::cast_precision_loss)]
            let n = xs.len() as f64;
            xs.iter().sum::<f64>() / n
        }
        Some(w) => {
            let total: f64 = w.iter().sum();
            xs.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / total
        }
    }
}

/// Sample variance (n − 1); weighted: Σw(x − x̄_w)²/Σw · n/(n − 1). None below 2 values.
fn variance(xs: &[f64], w: Option<&[f64]>) -> Option<f64> {
    if xs.len() < 2 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = xs.len() as f64;
    let m = mean(xs, w);
    Some(match w {
        None => xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0),
        Some(w) => {
            let total: f64 = w.iter().sum();
            xs.iter().zip(w).map(|(x, w)| w * (x - m).powi(2)).sum::<f64>() / total * n / (n - 1.0)
        }
    })
}

fn nps_both(
    scores: &[Option<u8>],
    responded: &[bool],
    weights: &[f64],
    confidence: f64,
) -> Result<(Option<Estimate>, Option<Estimate>)> {
    let mut plain = Nps::new();
    let mut weighted = Nps::new();
    for (row, (&s, (&r, &w))) in scores.iter().zip(responded.iter().zip(weights)).enumerate() {
        let Some(s) = s else { continue };
        if !r {
            return Err(Error::invalid_argument(
                "nps",
                format!("row {row} has a score (`{s}`) but did not respond"),
            ));
        }
        plain.push(s)?;
        weighted.push_weighted(s, w)?;
    }
    if plain.n() == 0 {
        return Ok((None, None));
    }
    Ok((Some(plain.estimate(confidence)?), Some(weighted.estimate(confidence)?)))
}
