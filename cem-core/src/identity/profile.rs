//! One profile per resolved customer, consolidated from every touchpoint: [`profiles`].

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The sources of [`profiles`], as columns. Every `customer` column holds customer ids below
/// the customer count (as given by [`Resolution::customers`](super::Resolution::customers));
/// times are integers in one unit of the caller's choice. Leave a source out with an empty
/// set of columns ([`Default`]).
#[derive(Debug, Clone, Copy, Default)]
#[allow(clippy::type_complexity)] // plain column tuples, named in the field docs
pub struct Sources<'a> {
    /// Interactions: customer, time and channel code of each contact.
    pub interactions: (&'a [u32], &'a [i64], &'a [u32]),
    /// Feedback: customer, time, NPS answer (0–10, optional) and CSAT answer (optional).
    pub feedback: (&'a [u32], &'a [i64], &'a [Option<u8>], &'a [Option<f64>]),
    /// Transactions: customer and amount.
    pub transactions: (&'a [u32], &'a [f64]),
    /// Cases: customer and whether the case is still open.
    pub cases: (&'a [u32], &'a [bool]),
}

/// The profiles, one entry per customer in every column (index = customer id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profiles {
    /// Time of the first interaction (`None`: no interactions).
    pub first_contact: Vec<Option<i64>>,
    /// Time of the last interaction.
    pub last_contact: Vec<Option<i64>>,
    /// Number of interactions.
    pub contacts: Vec<u64>,
    /// The distinct channel codes used, ascending.
    pub channels: Vec<Vec<u32>>,
    /// The NPS answer of the latest feedback that has one (ties in time: the later row).
    pub latest_nps: Vec<Option<u8>>,
    /// Mean of the CSAT answers (`None`: no answer).
    pub csat_mean: Vec<Option<f64>>,
    /// Number of transactions.
    pub transactions: Vec<u64>,
    /// Sum of transaction amounts (0 without transactions).
    pub spend: Vec<f64>,
    /// Number of open cases.
    pub open_cases: Vec<u64>,
}

/// Builds one profile per customer `0..customers` from the [`Sources`].
///
/// # Errors
/// [`Error::LengthMismatch`] when a source's columns differ in length;
/// [`Error::OutOfRange`] for a customer id not below `customers` or an NPS answer above 10;
/// [`Error::InvalidNumber`] for a non-finite amount or CSAT answer.
///
/// # Example
///
/// ```
/// use cem_core::identity::{profiles, Sources};
///
/// let p = profiles(2, &Sources {
///     interactions: (&[0, 1, 0], &[30, 10, 20], &[2, 0, 1]),
///     feedback: (&[0, 0], &[5, 40], &[Some(9), Some(3)], &[Some(4.0), None]),
///     transactions: (&[1, 1], &[10.0, 2.5]),
///     ..Sources::default()
/// })?;
/// assert_eq!(p.first_contact, [Some(20), Some(10)]);
/// assert_eq!(p.channels[0], [1, 2]);
/// assert_eq!(p.latest_nps, [Some(3), None]);
/// assert_eq!(p.spend, [0.0, 12.5]);
/// # Ok::<(), cem_core::Error>(())
/// ```
pub fn profiles(customers: usize, sources: &Sources<'_>) -> Result<Profiles> {
    let mut p = Profiles {
        first_contact: vec![None; customers],
        last_contact: vec![None; customers],
        contacts: vec![0; customers],
        channels: vec![Vec::new(); customers],
        latest_nps: vec![None; customers],
        csat_mean: vec![None; customers],
        transactions: vec![0; customers],
        spend: vec![0.0; customers],
        open_cases: vec![0; customers],
    };
    let (c, t, ch) = sources.interactions;
    same_len(
        "interactions customer",
        c.len(),
        "interactions time",
        t.len(),
    )?;
    same_len(
        "interactions customer",
        c.len(),
        "interactions channel",
        ch.len(),
    )?;
    for ((&c, &t), &ch) in c.iter().zip(t).zip(ch) {
        let i = slot(c, customers, "interactions")?;
        if let Some(v) = p.first_contact.get_mut(i) {
            *v = Some(v.map_or(t, |x| x.min(t)));
        }
        if let Some(v) = p.last_contact.get_mut(i) {
            *v = Some(v.map_or(t, |x| x.max(t)));
        }
        if let Some(v) = p.contacts.get_mut(i) {
            *v += 1;
        }
        if let Some(v) = p.channels.get_mut(i)
            && let Err(at) = v.binary_search(&ch)
        {
            v.insert(at, ch);
        }
    }
    let (c, t, nps, csat) = sources.feedback;
    same_len("feedback customer", c.len(), "feedback time", t.len())?;
    same_len("feedback customer", c.len(), "feedback nps", nps.len())?;
    same_len("feedback customer", c.len(), "feedback csat", csat.len())?;
    let mut nps_time: Vec<Option<i64>> = vec![None; customers];
    let mut csat_sum = vec![(0.0f64, 0u64); customers];
    for (((&c, &t), &n), &s) in c.iter().zip(t).zip(nps).zip(csat) {
        let i = slot(c, customers, "feedback")?;
        if let Some(n) = n {
            if n > 10 {
                return Err(Error::out_of_range("NPS score", n, "0..=10"));
            }
            if let (Some(at), Some(v)) = (nps_time.get_mut(i), p.latest_nps.get_mut(i))
                && at.is_none_or(|x| t >= x)
            {
                *at = Some(t);
                *v = Some(n);
            }
        }
        if let Some(s) = s {
            if !s.is_finite() {
                return Err(Error::invalid_number(
                    "CSAT answer",
                    s,
                    "is not a finite number",
                ));
            }
            if let Some((sum, n)) = csat_sum.get_mut(i) {
                *sum += s;
                *n += 1;
            }
        }
    }
    for (out, (sum, n)) in p.csat_mean.iter_mut().zip(csat_sum) {
        #[allow(clippy::cast_precision_loss)]
        let mean = sum / n as f64;
        *out = (n > 0).then_some(mean);
    }
    let (c, amount) = sources.transactions;
    same_len(
        "transactions customer",
        c.len(),
        "transactions amount",
        amount.len(),
    )?;
    for (&c, &a) in c.iter().zip(amount) {
        let i = slot(c, customers, "transactions")?;
        if !a.is_finite() {
            return Err(Error::invalid_number(
                "transaction amount",
                a,
                "is not a finite number",
            ));
        }
        if let (Some(s), Some(n)) = (p.spend.get_mut(i), p.transactions.get_mut(i)) {
            *s += a;
            *n += 1;
        }
    }
    let (c, open) = sources.cases;
    same_len("cases customer", c.len(), "cases open", open.len())?;
    for (&c, &o) in c.iter().zip(open) {
        let i = slot(c, customers, "cases")?;
        if o && let Some(n) = p.open_cases.get_mut(i) {
            *n += 1;
        }
    }
    Ok(p)
}

fn same_len(left: &str, l: usize, right: &str, r: usize) -> Result<()> {
    if l == r {
        Ok(())
    } else {
        Err(Error::length_mismatch(left, l, right, r))
    }
}

fn slot(customer: u32, customers: usize, source: &str) -> Result<usize> {
    let i = customer as usize;
    if i < customers {
        Ok(i)
    } else {
        Err(Error::out_of_range(
            format!("{source} customer id"),
            customer,
            format!("0..{customers}"),
        ))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn empty_sources_give_empty_profiles() {
        let p = profiles(2, &Sources::default()).unwrap();
        assert_eq!(p.contacts, [0, 0]);
        assert_eq!(p.csat_mean, [None, None]);
        assert_eq!(p.open_cases, [0, 0]);
    }

    #[test]
    fn latest_nps_tie_takes_later_row_and_cases_count_open() {
        let p = profiles(
            1,
            &Sources {
                feedback: (
                    &[0, 0, 0],
                    &[5, 5, 1],
                    &[Some(1), Some(2), Some(10)],
                    &[None, Some(3.0), Some(4.0)],
                ),
                cases: (&[0, 0, 0], &[true, false, true]),
                ..Sources::default()
            },
        )
        .unwrap();
        assert_eq!(p.latest_nps, [Some(2)]);
        assert_eq!(p.csat_mean, [Some(3.5)]);
        assert_eq!(p.open_cases, [2]);
    }

    #[test]
    fn errors() {
        let bad_id = Sources {
            transactions: (&[2], &[1.0]),
            ..Sources::default()
        };
        let e = profiles(2, &bad_id).unwrap_err();
        assert_eq!(
            e.to_string(),
            "transactions customer id `2` is outside 0..2"
        );
        let nan = Sources {
            transactions: (&[0], &[f64::NAN]),
            ..Sources::default()
        };
        assert_eq!(
            profiles(1, &nan).unwrap_err().kind(),
            ErrorKind::InvalidNumber
        );
        let short = Sources {
            cases: (&[0], &[]),
            ..Sources::default()
        };
        assert_eq!(
            profiles(1, &short).unwrap_err().kind(),
            ErrorKind::LengthMismatch
        );
        let nps = Sources {
            feedback: (&[0], &[0], &[Some(11)], &[None]),
            ..Sources::default()
        };
        assert_eq!(profiles(1, &nps).unwrap_err().kind(), ErrorKind::OutOfRange);
    }
}
