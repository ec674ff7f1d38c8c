//! Checking and condensing the (frequency, recency, T, weight) columns the models fit on.

use super::merge::{Distinct, merge};
use crate::error::{Error, Result};

/// Validated columns, with identical customers merged into one weighted row (ordered by
/// frequency, then recency, then T).
#[derive(Debug, Clone)]
pub(crate) struct Rfm {
    pub x: Vec<f64>,
    pub tx: Vec<f64>,
    pub t: Vec<f64>,
    pub w: Vec<f64>,
    /// The distinct T values and each row's index into them.
    pub t_distinct: Distinct,
    /// The distinct recency values and each row's index into them.
    pub tx_distinct: Distinct,
    /// Rows given by the caller (lifetimes divides Pareto/NBD's objective by the mean weight
    /// over these).
    pub n_rows: usize,
    pub total_weight: f64,
    pub max_t: f64,
}

/// Checks one customer's history; `row` names it in the error.
pub(crate) fn check_customer(row: Option<usize>, x: f64, tx: f64, age: f64) -> Result<()> {
    // The common case without building the messages (a fit checks a million rows).
    if x >= 0.0
        && x == x.trunc()
        && x.is_finite()
        && tx >= 0.0
        && age.is_finite()
        && tx <= age
        && (x != 0.0 || tx == 0.0)
    {
        return Ok(());
    }
    let at = |name: &str| match row {
        Some(i) => format!("{name} at row {i}"),
        None => name.to_owned(),
    };
    if !(x.is_finite() && x >= 0.0 && x == x.trunc()) {
        return Err(Error::invalid_number(
            at("frequency"),
            x,
            "is not a whole number >= 0",
        ));
    }
    check_time(&at("recency"), tx)?;
    check_time(&at("T"), age)?;
    if tx > age {
        return Err(Error::invalid_number(
            at("recency"),
            tx,
            format!("is greater than T `{age}`"),
        ));
    }
    if x == 0.0 && tx != 0.0 {
        return Err(Error::invalid_number(
            at("recency"),
            tx,
            "is not 0 although frequency is 0 (recency is the time of the last repeat purchase)",
        ));
    }
    Ok(())
}

/// Checks a time (recency, T, a horizon): finite and non-negative.
pub(crate) fn check_time(field: &str, v: f64) -> Result<()> {
    if !v.is_finite() {
        Err(Error::invalid_number(field, v, "is not a finite number"))
    } else if v < 0.0 {
        Err(Error::invalid_number(field, v, "is negative"))
    } else {
        Ok(())
    }
}

/// Checks a weight column entry: finite and non-negative.
pub(crate) fn check_weight(row: usize, w: f64) -> Result<()> {
    check_time(&format!("weight at row {row}"), w)
}

/// Checks the columns and merges identical (frequency, recency, T) rows, summing weights.
pub(crate) fn rfm(
    frequency: &[f64],
    recency: &[f64],
    age: &[f64],
    weights: Option<&[f64]>,
) -> Result<Rfm> {
    let n = frequency.len();
    if recency.len() != n {
        return Err(Error::length_mismatch(
            "frequency",
            n,
            "recency",
            recency.len(),
        ));
    }
    if age.len() != n {
        return Err(Error::length_mismatch("frequency", n, "T", age.len()));
    }
    if let Some(w) = weights
        && w.len() != n
    {
        return Err(Error::length_mismatch("frequency", n, "weights", w.len()));
    }
    if n == 0 {
        return Err(Error::empty(
            "the customer columns",
            "a model needs customers to fit",
        ));
    }
    let mut max_t = 0.0_f64;
    let mut total_weight = 0.0;
    let mut any_repeat = false;
    for (i, ((&x, &tx), &t)) in frequency.iter().zip(recency).zip(age).enumerate() {
        check_customer(Some(i), x, tx, t)?;
        let w = match weights.and_then(|w| w.get(i)) {
            Some(&w) => {
                check_weight(i, w)?;
                w
            }
            None => 1.0,
        };
        max_t = max_t.max(t);
        if w > 0.0 {
            total_weight += w;
            any_repeat |= x != 0.0;
        }
    }
    if total_weight.is_nan() || total_weight <= 0.0 || !total_weight.is_finite() {
        return Err(Error::empty(
            "the weights",
            "every weight is 0, so there is nobody to fit",
        ));
    }
    if max_t <= 0.0 {
        return Err(Error::invalid_argument(
            "T",
            "every customer has T = 0, so there is no time in which to observe purchases",
        ));
    }
    if !any_repeat {
        return Err(Error::invalid_argument(
            "frequency",
            "every customer has frequency 0 (one purchase each): with no repeat purchases the \
             maximum likelihood estimate does not exist",
        ));
    }
    let merged = merge(frequency, recency, age, weights).ok_or_else(|| {
        Error::invalid_argument(
            "frequency",
            "more distinct customers than the fit can index",
        )
    })?;
    Ok(Rfm {
        x: merged.x,
        tx: merged.tx,
        t: merged.t,
        w: merged.w,
        t_distinct: merged.t_distinct,
        tx_distinct: merged.tx_distinct,
        n_rows: n,
        total_weight,
        max_t,
    })
}

/// Rows per chunk of the likelihood sums. Each chunk is summed in row order and the chunk
/// totals are added in chunk order, so the result has the same bits with or without the
/// `parallel` feature (which sums the chunks on rayon's threads).
const CHUNK: usize = 2048;

/// Sums `row(i)` (a value and a gradient) over `0..n`; `None` if any row is `None`.
pub(crate) fn sum_rows<const K: usize>(
    n: usize,
    row: impl Fn(usize) -> Option<(f64, [f64; K])> + Sync,
) -> Option<(f64, [f64; K])> {
    let chunk = |c: usize| {
        let mut value = 0.0;
        let mut grad = [0.0; K];
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let (v, g) = row(i)?;
            value += v;
            for (a, b) in grad.iter_mut().zip(g) {
                *a += b;
            }
        }
        Some((value, grad))
    };
    sum_chunks(n, chunk)
}

/// One row of [`sum_rows_log`]: the row's value is `value + weight × ln(factor)`.
pub(crate) struct LogRow<const K: usize> {
    pub value: f64,
    /// In [1, 2] (or not finite, which makes the sum not finite).
    pub factor: f64,
    pub weight: f64,
    pub grad: [f64; K],
}

/// Factors multiplied before one logarithm is taken: 512 factors of at most 2 stay below
/// 2^512, far from overflow.
const LOG_BATCH: usize = 512;

/// [`sum_rows`] for rows whose value holds a logarithm, `value + weight × ln(factor)`. The
/// factors of the rows of weight 1 are multiplied and the logarithm of the product taken
/// once per [`LOG_BATCH`] of them: a logarithm per row was the costliest part of a BG/NBD
/// evaluation. (The rounding of the product, below 2⁻⁵³ per factor, is that of summing the
/// logarithms.)
pub(crate) fn sum_rows_log<const K: usize>(
    n: usize,
    row: impl Fn(usize) -> Option<LogRow<K>> + Sync,
) -> Option<(f64, [f64; K])> {
    let chunk = |c: usize| {
        let mut value = Sum::default();
        let mut grad = [0.0; K];
        let mut product = 1.0_f64;
        let mut in_product = 0;
        for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
            let r = row(i)?;
            value.add(r.value);
            if r.weight == 1.0 {
                product *= r.factor;
                in_product += 1;
                if in_product == LOG_BATCH {
                    value.add(product.ln());
                    (product, in_product) = (1.0, 0);
                }
            } else {
                value.add(r.weight * r.factor.ln());
            }
            for (a, b) in grad.iter_mut().zip(r.grad) {
                *a += b;
            }
        }
        value.add(product.ln());
        Some((value.total(), grad))
    };
    sum_chunks(n, chunk)
}

/// Sums `chunk(c)` over the chunks of `0..n` in chunk order (computed on rayon's threads
/// with the `parallel` feature).
fn sum_chunks<const K: usize>(
    n: usize,
    chunk: impl Fn(usize) -> Option<(f64, [f64; K])> + Sync + Send,
) -> Option<(f64, [f64; K])> {
    let chunks = n.div_ceil(CHUNK);
    #[cfg(feature = "parallel")]
    let parts: Vec<Option<(f64, [f64; K])>> = {
        use rayon::prelude::*;
        (0..chunks).into_par_iter().map(chunk).collect()
    };
    #[cfg(not(feature = "parallel"))]
    let parts: Vec<Option<(f64, [f64; K])>> = (0..chunks).map(chunk).collect();
    let mut value = Sum::default();
    let mut grad = [0.0; K];
    for part in parts {
        let (v, g) = part?;
        value.add(v);
        for (a, b) in grad.iter_mut().zip(g) {
            *a += b;
        }
    }
    Some((value.total(), grad))
}

/// Neumaier's compensated sum: the objective's last digits decide which of two fits that
/// agree to 1e-8 reports the lower value, so its sums keep the rounding of each addition.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    pub(crate) fn add(&mut self, v: f64) {
        let t = self.sum + v;
        self.compensation += if self.sum.abs() >= v.abs() {
            (self.sum - t) + v
        } else {
            (v - t) + self.sum
        };
        self.sum = t;
    }

    pub(crate) fn total(&self) -> f64 {
        self.sum + self.compensation
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn merges_identical_customers_and_names_bad_rows() {
        let d = rfm(
            &[0.0, 2.0, 0.0, 2.0],
            &[0.0, 3.0, 0.0, 3.0],
            &[5.0, 5.0, 5.0, 5.0],
            Some(&[1.0, 2.0, 3.0, 0.5]),
        )
        .unwrap();
        assert_eq!(d.x, vec![0.0, 2.0]);
        assert_eq!(d.w, vec![4.0, 2.5]);
        assert_eq!((d.n_rows, d.total_weight, d.max_t), (4, 6.5, 5.0));

        let err = rfm(&[1.0, 1.0], &[1.0, 6.0], &[5.0, 5.0], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "recency at row 1 `6` is greater than T `5`"
        );
        let err = rfm(&[1.5], &[1.0], &[5.0], None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidNumber);
        assert!(err.to_string().starts_with("frequency at row 0 `1.5`"));
        let err = rfm(&[1.0], &[f64::NAN], &[5.0], None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "recency at row 0 `NaN` is not a finite number"
        );
        let err = rfm(&[0.0, 0.0], &[0.0, 0.0], &[5.0, 4.0], None).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        let err = rfm(&[1.0], &[1.0], &[5.0], Some(&[-1.0])).unwrap_err();
        assert_eq!(err.to_string(), "weight at row 0 `-1` is negative");
        assert_eq!(
            rfm(&[], &[], &[], None).unwrap_err().kind(),
            ErrorKind::Empty
        );
        assert_eq!(
            rfm(&[1.0], &[1.0, 2.0], &[5.0], None).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
    }
}
