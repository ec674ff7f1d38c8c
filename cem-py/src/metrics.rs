//! `cem.metrics`: score metrics as one-shot functions and as mergeable accumulators.
//!
//! Every function and method converts its inputs, calls the core once and converts the
//! result; the statistics live in `cem_core::metrics`.
use cem_core::Error;
use cem_core::metrics::{self as cm, Method};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::convert;
use crate::error::CoreResult;

/// Registers the functions and classes of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Estimate>()?;
    m.add_class::<Nps>()?;
    m.add_class::<Csat>()?;
    m.add_class::<Ces>()?;
    m.add_class::<NetSatisfaction>()?;
    m.add_class::<Mean>()?;
    m.add_class::<Proportion>()?;
    m.add_function(wrap_pyfunction!(nps, m)?)?;
    m.add_function(wrap_pyfunction!(csat, m)?)?;
    m.add_function(wrap_pyfunction!(ces, m)?)?;
    m.add_function(wrap_pyfunction!(ces_agree, m)?)?;
    m.add_function(wrap_pyfunction!(net_satisfaction, m)?)?;
    m.add_function(wrap_pyfunction!(mean, m)?)?;
    m.add_function(wrap_pyfunction!(proportion, m)?)?;
    Ok(())
}

// ------------------------------------------------------------------------------ Estimate

/// A point estimate with its confidence interval and sample sizes.
///
/// Units follow the metric: NPS and net satisfaction in points (-100..100), shares (CSAT,
/// CES agreement, proportions) as fractions (0..1), means on the scale of the data.
/// ``value`` is the plain estimate; an interval method may centre its interval elsewhere
/// (adjusted Wald, Wilson), so ``value`` need not be the midpoint of ``low``..``high``.
///
/// Attributes
/// ----------
/// value : float
///     The point estimate.
/// low, high : float
///     The confidence interval, clipped to the metric's range for bounded metrics.
/// se : float
///     Standard error of the quantity the interval is built on, in the estimate's units.
/// n : int
///     Number of observations.
/// n_eff : float
///     Kish effective sample size (sum w)^2 / sum w^2; equals ``n`` without weights.
/// confidence : float
///     Confidence level of the interval.
/// method : str
///     Interval method: ``"adjusted-wald"``, ``"wald"``, ``"wilson"``, ``"agresti-coull"``
///     or ``"student-t"``.
/// promoters, passives, detractors : float or None
///     NPS only: weighted shares (fractions) of each category; ``None`` for other metrics.
///
/// Examples
/// --------
/// >>> import cem
/// >>> e = cem.nps([10, 9, 8, 3])
/// >>> e.value, e.n, e.method
/// (25.0, 4, 'adjusted-wald')
/// >>> e.promoters, e.detractors
/// (0.5, 0.25)
/// >>> print(e)
/// 25.00 [-44.16, 72.73] (n=4, 95% adjusted-wald)
#[pyclass(module = "cem.metrics", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub struct Estimate {
    value: f64,
    low: f64,
    high: f64,
    se: f64,
    n: u64,
    n_eff: f64,
    confidence: f64,
    method: String,
    promoters: Option<f64>,
    passives: Option<f64>,
    detractors: Option<f64>,
}

impl Estimate {
    fn new(e: cm::Estimate, breakdown: Option<cm::NpsBreakdown>) -> Self {
        Estimate {
            value: e.value,
            low: e.low,
            high: e.high,
            se: e.se,
            n: e.n,
            n_eff: e.n_eff,
            confidence: e.confidence,
            method: e.method.name().to_owned(),
            promoters: breakdown.map(|b| b.promoters),
            passives: breakdown.map(|b| b.passives),
            detractors: breakdown.map(|b| b.detractors),
        }
    }

    fn fields(&self) -> Vec<(&'static str, Option<String>)> {
        let f = |x: f64| Some(format!("{x:?}"));
        let mut out = vec![
            ("value", f(self.value)),
            ("low", f(self.low)),
            ("high", f(self.high)),
            ("se", f(self.se)),
            ("n", Some(self.n.to_string())),
            ("n_eff", f(self.n_eff)),
            ("confidence", f(self.confidence)),
            ("method", Some(format!("'{}'", self.method))),
        ];
        for (name, share) in [
            ("promoters", self.promoters),
            ("passives", self.passives),
            ("detractors", self.detractors),
        ] {
            if share.is_some() {
                out.push((name, share.and_then(f)));
            }
        }
        out
    }
}

#[pymethods]
impl Estimate {
    #[new]
    #[pyo3(signature = (value, low, high, se, n, n_eff, confidence, method, promoters=None, passives=None, detractors=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        value: f64,
        low: f64,
        high: f64,
        se: f64,
        n: u64,
        n_eff: f64,
        confidence: f64,
        method: &str,
        promoters: Option<f64>,
        passives: Option<f64>,
        detractors: Option<f64>,
    ) -> PyResult<Self> {
        Ok(Estimate {
            value,
            low,
            high,
            se,
            n,
            n_eff,
            confidence,
            method: convert::method(method)?.name().to_owned(),
            promoters,
            passives,
            detractors,
        })
    }

    /// The estimate as a plain ``dict`` (NPS adds ``promoters``, ``passives``, ``detractors``).
    ///
    /// Examples
    /// --------
    /// >>> import cem
    /// >>> d = cem.proportion([True, False]).to_dict()
    /// >>> sorted(d)
    /// ['confidence', 'high', 'low', 'method', 'n', 'n_eff', 'se', 'value']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("value", self.value)?;
        d.set_item("low", self.low)?;
        d.set_item("high", self.high)?;
        d.set_item("se", self.se)?;
        d.set_item("n", self.n)?;
        d.set_item("n_eff", self.n_eff)?;
        d.set_item("confidence", self.confidence)?;
        d.set_item("method", &self.method)?;
        if let Some(p) = self.promoters {
            d.set_item("promoters", p)?;
        }
        if let Some(p) = self.passives {
            d.set_item("passives", p)?;
        }
        if let Some(p) = self.detractors {
            d.set_item("detractors", p)?;
        }
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let body: Vec<String> = self
            .fields()
            .into_iter()
            .map(|(k, v)| format!("{k}={}", v.unwrap_or_else(|| "None".to_owned())))
            .collect();
        format!("Estimate({})", body.join(", "))
    }

    fn __str__(&self) -> String {
        format!(
            "{:.2} [{:.2}, {:.2}] (n={}, {}% {})",
            self.value,
            self.low,
            self.high,
            self.n,
            self.confidence * 100.0,
            self.method
        )
    }

    fn _repr_html_(&self) -> String {
        let rows: String = self
            .fields()
            .into_iter()
            .map(|(k, v)| {
                format!(
                    "<tr><th style=\"text-align:left\">{k}</th><td>{}</td></tr>",
                    v.unwrap_or_default().replace('\'', "")
                )
            })
            .collect();
        format!(
            "<table class=\"cem-estimate\"><caption>{}</caption>{rows}</table>",
            self.__str__()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, pyo3::types::PyType>, Bound<'py, PyTuple>)> {
        let e = slf.get();
        let args = (
            e.value,
            e.low,
            e.high,
            e.se,
            e.n,
            e.n_eff,
            e.confidence,
            e.method.clone(),
            e.promoters,
            e.passives,
            e.detractors,
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

// ------------------------------------------------------------------------------ functions

/// Net Promoter Score of 0-10 answers, in points (-100..100).
///
/// Parameters
/// ----------
/// scores : sequence of int
///     Answers 0-10 (list, numpy array, pandas or polars Series).
/// weights : sequence of float, optional
///     Survey weights, finite and non-negative, one per score.
/// confidence : float, default 0.95
///     Confidence level of the interval, in (0, 1).
/// method : {"adjusted-wald", "wald"}
///     Interval method; adjusted Wald adds 3/4 promoter and 3/4 detractor (n + 3).
///
/// Returns
/// -------
/// Estimate
///     NPS with ``promoters``, ``passives`` and ``detractors`` shares.
///
/// Raises
/// ------
/// OutOfRangeError
///     A score outside 0-10, or a confidence outside (0, 1).
/// InvalidNumberError
///     A negative, NaN or infinite weight.
/// EmptyError
///     No answers (or only zero weights).
///
/// Examples
/// --------
/// The adjusted Wald check of Sauro & Lewis: 50 promoters, 30 passives, 20 detractors.
///
/// >>> import cem
/// >>> e = cem.nps([10] * 50 + [8] * 30 + [3] * 20)
/// >>> e.value, round(e.low, 2), round(e.high, 2)
/// (30.0, 14.05, 44.2)
/// >>> cem.nps([10, 11])
/// Traceback (most recent call last):
///     ...
/// cem.OutOfRangeError: NPS score at position 1 `11` is outside 0..=10
#[pyfunction]
#[pyo3(signature = (scores, weights=None, confidence=0.95, method="adjusted-wald"))]
fn nps(
    scores: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    method: &str,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc = cm::Nps::new();
    fill(&mut acc, scores, weights)?;
    nps_estimate(&acc, confidence, method)
}

/// CSAT: the share of answers in the top ``top`` boxes of a 1-``max`` scale (a fraction).
///
/// Parameters
/// ----------
/// scores : sequence of int
///     Answers 1-``max``.
/// weights : sequence of float, optional
///     Survey weights, one per score.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// method : {"wilson", "agresti-coull", "wald"}
///     Interval method (``"normal"`` is accepted for Wald).
/// max : int, default 5
///     The highest scale point.
/// top : int, default 2
///     How many top boxes count as satisfied.
///
/// Returns
/// -------
/// Estimate
///
/// Examples
/// --------
/// >>> import cem
/// >>> e = cem.csat([5, 4, 4, 3, 1])
/// >>> e.value, round(e.low, 4), round(e.high, 4)
/// (0.6, 0.2307, 0.8824)
/// >>> cem.csat([7, 5, 4, 1], max=7, top=3).value
/// 0.5
#[pyfunction]
#[pyo3(signature = (scores, weights=None, confidence=0.95, method="wilson", max=5, top=2))]
fn csat(
    scores: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    method: &str,
    max: i64,
    top: i64,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc =
        cm::Csat::with_scale(convert::small("max", max)?, convert::small("top", top)?).py()?;
    fill(&mut acc, scores, weights)?;
    Ok(Estimate::new(
        acc.estimate_with(confidence, method).py()?,
        None,
    ))
}

/// Customer Effort Score: the mean answer with a Student t interval.
///
/// Parameters
/// ----------
/// scores : sequence of int
///     Answers on the scale (1-7 for ``"agreement7"``, 1-5 for ``"legacy_effort5"``).
/// weights : sequence of float, optional
///     Survey weights, one per score.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// scale : {"agreement7", "legacy_effort5"}
///     CES 2.0 agreement (higher is better) or the original effort scale (lower is better).
///
/// Returns
/// -------
/// Estimate
///
/// Raises
/// ------
/// UndefinedError
///     A single answer (the t interval needs two).
///
/// Examples
/// --------
/// >>> import cem
/// >>> cem.ces([7, 6, 5, 2]).value
/// 5.0
#[pyfunction]
#[pyo3(signature = (scores, weights=None, confidence=0.95, scale="agreement7"))]
fn ces(
    scores: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    scale: &str,
) -> PyResult<Estimate> {
    let mut acc = cm::Ces::with_scale(convert::ces_scale(scale)?);
    fill(&mut acc, scores, weights)?;
    Ok(Estimate::new(acc.estimate(confidence).py()?, None))
}

/// CES agreement: the share of "easy" answers (5-7 of 7, or 1-2 of the legacy 1-5 scale).
///
/// Parameters
/// ----------
/// scores : sequence of int
///     Answers on the scale.
/// weights : sequence of float, optional
///     Survey weights, one per score.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// scale : {"agreement7", "legacy_effort5"}
///     The answer scale.
/// method : {"wilson", "agresti-coull", "wald"}
///     Interval method.
///
/// Returns
/// -------
/// Estimate
///
/// Examples
/// --------
/// >>> import cem
/// >>> cem.ces_agree([7, 6, 5, 2]).value
/// 0.75
/// >>> round(cem.ces_agree([1, 2, 5], scale="legacy_effort5").value, 4)
/// 0.6667
#[pyfunction]
#[pyo3(signature = (scores, weights=None, confidence=0.95, scale="agreement7", method="wilson"))]
fn ces_agree(
    scores: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    scale: &str,
    method: &str,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc = cm::Ces::with_scale(convert::ces_scale(scale)?);
    fill(&mut acc, scores, weights)?;
    Ok(Estimate::new(
        acc.agree_with(confidence, method).py()?,
        None,
    ))
}

/// Net satisfaction on a 1-5 scale: % 4-5 minus % 1-2, in points (-100..100).
///
/// Parameters
/// ----------
/// scores : sequence of int
///     Answers 1-5.
/// weights : sequence of float, optional
///     Survey weights, one per score.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// method : {"adjusted-wald", "wald"}
///     Interval method.
///
/// Returns
/// -------
/// Estimate
///
/// Examples
/// --------
/// >>> import cem
/// >>> cem.net_satisfaction([5, 4, 3, 2]).value
/// 25.0
#[pyfunction]
#[pyo3(signature = (scores, weights=None, confidence=0.95, method="adjusted-wald"))]
fn net_satisfaction(
    scores: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    method: &str,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc = cm::NetSatisfaction::new();
    fill(&mut acc, scores, weights)?;
    Ok(Estimate::new(
        acc.estimate_with(confidence, method).py()?,
        None,
    ))
}

/// Weighted mean with a Student t (or normal) interval.
///
/// Parameters
/// ----------
/// values : sequence of float
///     Finite values.
/// weights : sequence of float, optional
///     Survey weights, one per value.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// method : {"student-t", "wald"}
///     t with n - 1 degrees of freedom, or the normal approximation.
///
/// Returns
/// -------
/// Estimate
///
/// Examples
/// --------
/// >>> import cem
/// >>> e = cem.mean([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])
/// >>> e.value, round(e.low, 6), round(e.high, 6)
/// (5.0, 3.212512, 6.787488)
#[pyfunction]
#[pyo3(signature = (values, weights=None, confidence=0.95, method="student-t"))]
fn mean(
    values: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    method: &str,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc = cm::Mean::new();
    fill(&mut acc, values, weights)?;
    Ok(Estimate::new(
        acc.estimate_with(confidence, method).py()?,
        None,
    ))
}

/// Share of successes among yes/no outcomes.
///
/// Parameters
/// ----------
/// outcomes : sequence of bool
///     Outcomes (``bool``, ``numpy.bool_`` or the integers 0 and 1).
/// weights : sequence of float, optional
///     Survey weights, one per outcome.
/// confidence : float, default 0.95
///     Confidence level of the interval.
/// method : {"wilson", "agresti-coull", "wald"}
///     Interval method (``"normal"`` is accepted for Wald).
///
/// Returns
/// -------
/// Estimate
///
/// Examples
/// --------
/// >>> import cem
/// >>> e = cem.proportion([True, True, False, True])
/// >>> e.value, round(e.low, 6), round(e.high, 6)
/// (0.75, 0.300642, 0.954413)
#[pyfunction]
#[pyo3(signature = (outcomes, weights=None, confidence=0.95, method="wilson"))]
fn proportion(
    outcomes: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
    confidence: f64,
    method: &str,
) -> PyResult<Estimate> {
    let method = convert::method(method)?;
    let mut acc = cm::Proportion::new();
    fill(&mut acc, outcomes, weights)?;
    Ok(Estimate::new(
        acc.estimate_with(confidence, method).py()?,
        None,
    ))
}

fn nps_estimate(acc: &cm::Nps, confidence: f64, method: Method) -> PyResult<Estimate> {
    let e = acc.estimate_with(confidence, method).py()?;
    Ok(Estimate::new(e, Some(acc.breakdown().py()?)))
}

// ------------------------------------------------------------------------------ accumulators

/// What the Python accumulator classes need from a core accumulator.
trait Accumulator: Clone + PartialEq + Serialize + DeserializeOwned {
    type Item;
    fn item(obj: &Bound<'_, PyAny>) -> PyResult<Self::Item>;
    fn items(obj: &Bound<'_, PyAny>) -> PyResult<Vec<Self::Item>>;
    fn add(&mut self, x: Self::Item, weight: Option<f64>) -> cem_core::Result<()>;
    fn add_many(&mut self, xs: &[Self::Item], weights: Option<&[f64]>) -> cem_core::Result<()>;
    fn absorb(&mut self, other: &Self) -> cem_core::Result<()>;
    fn count(&self) -> u64;
}

macro_rules! accumulator {
    ($ty:ty, $item:ty, $one:path, $many:path) => {
        impl Accumulator for $ty {
            type Item = $item;
            fn item(obj: &Bound<'_, PyAny>) -> PyResult<$item> {
                $one(obj)
            }
            fn items(obj: &Bound<'_, PyAny>) -> PyResult<Vec<$item>> {
                $many(obj)
            }
            fn add(&mut self, x: $item, weight: Option<f64>) -> cem_core::Result<()> {
                match weight {
                    None => self.push(x),
                    Some(w) => self.push_weighted(x, w),
                }
            }
            fn add_many(&mut self, xs: &[$item], weights: Option<&[f64]>) -> cem_core::Result<()> {
                match weights {
                    None => self.push_many(xs),
                    Some(ws) => push_many_weighted(self, xs, ws),
                }
            }
            fn absorb(&mut self, other: &Self) -> cem_core::Result<()> {
                self.merge(other)
            }
            fn count(&self) -> u64 {
                self.n()
            }
        }
    };
}

accumulator!(cm::Nps, u8, convert::score, convert::scores);
accumulator!(cm::Csat, u8, convert::score, convert::scores);
accumulator!(cm::Ces, u8, convert::score, convert::scores);
accumulator!(cm::NetSatisfaction, u8, convert::score, convert::scores);
accumulator!(cm::Mean, f64, convert::real, convert::reals);
accumulator!(cm::Proportion, bool, convert::outcome, convert::outcomes);

/// The core's `push_many_weighted`, where it has one.
trait PushManyWeighted<T> {
    fn push_many_weighted_(&mut self, xs: &[T], ws: &[f64]) -> cem_core::Result<()>;
}

macro_rules! push_many_weighted_core {
    ($($ty:ty),*) => {$(
        impl PushManyWeighted<<$ty as Accumulator>::Item> for $ty {
            fn push_many_weighted_(&mut self, xs: &[<$ty as Accumulator>::Item], ws: &[f64]) -> cem_core::Result<()> {
                self.push_many_weighted(xs, ws)
            }
        }
    )*};
}
push_many_weighted_core!(
    cm::Nps,
    cm::Csat,
    cm::Ces,
    cm::NetSatisfaction,
    cm::Mean,
    cm::Proportion
);

fn push_many_weighted<A: PushManyWeighted<T>, T>(
    acc: &mut A,
    xs: &[T],
    ws: &[f64],
) -> cem_core::Result<()> {
    acc.push_many_weighted_(xs, ws)
}

/// Converts a column (and optional weights) and adds it to `acc`, all or nothing.
fn fill<A: Accumulator>(
    acc: &mut A,
    xs: &Bound<'_, PyAny>,
    weights: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let xs = A::items(xs)?;
    match weights {
        None => acc.add_many(&xs, None).py(),
        Some(w) => {
            let w = convert::reals(w)?;
            acc.add_many(&xs, Some(&w)).py()
        }
    }
}

fn to_json<A: Serialize>(acc: &A) -> PyResult<String> {
    serde_json::to_string(acc).map_err(Error::from).py()
}

fn from_json<A: DeserializeOwned>(text: &str) -> PyResult<A> {
    serde_json::from_str(text).map_err(Error::from).py()
}

/// The methods every accumulator class shares; `$extra` holds its own (`__new__`,
/// `estimate`, ...), since a class has one `#[pymethods]` block.
macro_rules! py_accumulator {
    ($name:ident, $core:ty, $x:ident, $xs:ident, { $($extra:tt)* }) => {
        #[pymethods]
        impl $name {
            $($extra)*

            #[doc = concat!("Adds one `", stringify!($x), "`, optionally with a survey weight.")]
            #[pyo3(signature = ($x, weight=None))]
            fn push(&mut self, $x: &Bound<'_, PyAny>, weight: Option<f64>) -> PyResult<()> {
                let x = <$core as Accumulator>::item($x)?;
                self.inner.add(x, weight).py()
            }

            #[doc = concat!("Adds a column of `", stringify!($xs), "` (and weights), all or nothing.")]
            #[pyo3(signature = ($xs, weights=None))]
            fn push_many(
                &mut self,
                $xs: &Bound<'_, PyAny>,
                weights: Option<&Bound<'_, PyAny>>,
            ) -> PyResult<()> {
                fill(&mut self.inner, $xs, weights)
            }

            /// Adds everything `other` has seen; partial accumulators merge exactly.
            fn merge(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
                let other = other.borrow().inner.clone();
                slf.borrow_mut().inner.absorb(&other).py()
            }

            /// Number of observations seen.
            #[getter]
            fn n(&self) -> u64 {
                self.inner.count()
            }

            /// The state as JSON text, byte-identical to the Rust and JavaScript serializations.
            fn to_json(&self) -> PyResult<String> {
                to_json(&self.inner)
            }

            /// Rebuilds an accumulator from :meth:`to_json` output (validated).
            #[staticmethod]
            fn from_json(text: &str) -> PyResult<Self> {
                Ok($name { inner: from_json(text)? })
            }

            /// The state as bytes (the UTF-8 of :meth:`to_json`), for queues and object
            /// stores; the browser's ``toJSON()`` text encodes to the same bytes.
            fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
                Ok(pyo3::types::PyBytes::new(py, to_json(&self.inner)?.as_bytes()))
            }

            /// Rebuilds an accumulator from :meth:`to_bytes` output (validated).
            #[staticmethod]
            fn from_bytes(data: &[u8]) -> PyResult<Self> {
                let text = std::str::from_utf8(data)
                    .map_err(|e| Error::Json(format!("the state is not UTF-8 text: {e}")))
                    .py()?;
                Ok($name { inner: from_json(text)? })
            }

            fn __getstate__(&self) -> PyResult<String> {
                to_json(&self.inner)
            }

            fn __setstate__(&mut self, state: &str) -> PyResult<()> {
                self.inner = from_json(state)?;
                Ok(())
            }

            fn __repr__(&self) -> String {
                format!(concat!(stringify!($name), "(n={})"), self.inner.count())
            }
        }
    };
}

/// Mergeable NPS accumulator (0-10 answers).
///
/// Examples
/// --------
/// >>> import cem, pickle
/// >>> a, b = cem.metrics.Nps(), cem.metrics.Nps()
/// >>> a.push_many([10, 9, 3, 8])
/// >>> b.push(10)
/// >>> b = pickle.loads(pickle.dumps(b))  # partials travel between processes
/// >>> a.merge(b)
/// >>> a
/// Nps(n=5)
/// >>> a.estimate().value
/// 40.0
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct Nps {
    inner: cm::Nps,
}

py_accumulator!(Nps, cm::Nps, score, scores, {
    #[new]
    fn py_new() -> Self {
        Nps {
            inner: cm::Nps::new(),
        }
    }

    /// NPS in points with shares; ``method`` is ``"adjusted-wald"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="adjusted-wald"))]
    fn estimate(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        nps_estimate(&self.inner, confidence, convert::method(method)?)
    }
});

/// Mergeable CSAT accumulator: top-``top`` box share of a 1-``max`` scale.
///
/// Examples
/// --------
/// >>> import cem
/// >>> c = cem.metrics.Csat(max=7, top=3)
/// >>> c.push_many([7, 5, 4, 1])
/// >>> c.estimate().value, c.mean().value
/// (0.5, 4.25)
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct Csat {
    inner: cm::Csat,
}

py_accumulator!(Csat, cm::Csat, score, scores, {
    #[new]
    #[pyo3(signature = (max=5, top=2))]
    fn py_new(max: i64, top: i64) -> PyResult<Self> {
        let inner =
            cm::Csat::with_scale(convert::small("max", max)?, convert::small("top", top)?).py()?;
        Ok(Csat { inner })
    }

    /// The top-box share; ``method`` is ``"wilson"``, ``"agresti-coull"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="wilson"))]
    fn estimate(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        let e = self
            .inner
            .estimate_with(confidence, convert::method(method)?)
            .py()?;
        Ok(Estimate::new(e, None))
    }

    /// The mean score with a Student t interval.
    #[pyo3(signature = (confidence=0.95))]
    fn mean(&self, confidence: f64) -> PyResult<Estimate> {
        Ok(Estimate::new(self.inner.mean(confidence).py()?, None))
    }

    /// The highest scale point.
    #[getter]
    fn max(&self) -> u8 {
        self.inner.max()
    }

    /// How many top boxes count as satisfied.
    #[getter]
    fn top(&self) -> u8 {
        self.inner.top()
    }
});

/// Mergeable CES accumulator on the ``"agreement7"`` or ``"legacy_effort5"`` scale.
///
/// Examples
/// --------
/// >>> import cem
/// >>> c = cem.metrics.Ces()
/// >>> c.push_many([7, 6, 5, 2])
/// >>> c.estimate().value, c.agree().value, c.scale
/// (5.0, 0.75, 'agreement7')
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct Ces {
    inner: cm::Ces,
}

py_accumulator!(Ces, cm::Ces, score, scores, {
    #[new]
    #[pyo3(signature = (scale="agreement7"))]
    fn py_new(scale: &str) -> PyResult<Self> {
        Ok(Ces {
            inner: cm::Ces::with_scale(convert::ces_scale(scale)?),
        })
    }

    /// The mean answer with a Student t interval.
    #[pyo3(signature = (confidence=0.95))]
    fn estimate(&self, confidence: f64) -> PyResult<Estimate> {
        Ok(Estimate::new(self.inner.estimate(confidence).py()?, None))
    }

    /// The share of easy answers; ``method`` is ``"wilson"``, ``"agresti-coull"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="wilson"))]
    fn agree(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        let e = self
            .inner
            .agree_with(confidence, convert::method(method)?)
            .py()?;
        Ok(Estimate::new(e, None))
    }

    /// The answer scale.
    #[getter]
    fn scale(&self) -> String {
        convert::ces_scale_name(self.inner.scale())
    }
});

/// Mergeable net satisfaction accumulator (1-5 answers).
///
/// Examples
/// --------
/// >>> import cem
/// >>> ns = cem.metrics.NetSatisfaction()
/// >>> ns.push_many([5, 4, 3, 2])
/// >>> ns.estimate(method="wald").value
/// 25.0
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct NetSatisfaction {
    inner: cm::NetSatisfaction,
}

py_accumulator!(NetSatisfaction, cm::NetSatisfaction, score, scores, {
    #[new]
    fn py_new() -> Self {
        NetSatisfaction {
            inner: cm::NetSatisfaction::new(),
        }
    }

    /// Net satisfaction in points; ``method`` is ``"adjusted-wald"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="adjusted-wald"))]
    fn estimate(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        let e = self
            .inner
            .estimate_with(confidence, convert::method(method)?)
            .py()?;
        Ok(Estimate::new(e, None))
    }
});

/// Mergeable weighted mean accumulator.
///
/// Examples
/// --------
/// >>> import cem
/// >>> m = cem.metrics.Mean()
/// >>> m.push(1.0, weight=3.0)
/// >>> m.push(5.0)
/// >>> m.estimate(method="wald").value
/// 2.0
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct Mean {
    inner: cm::Mean,
}

py_accumulator!(Mean, cm::Mean, value, values, {
    #[new]
    fn py_new() -> Self {
        Mean {
            inner: cm::Mean::new(),
        }
    }

    /// The weighted mean; ``method`` is ``"student-t"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="student-t"))]
    fn estimate(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        let e = self
            .inner
            .estimate_with(confidence, convert::method(method)?)
            .py()?;
        Ok(Estimate::new(e, None))
    }
});

/// Mergeable proportion accumulator (yes/no outcomes).
///
/// Examples
/// --------
/// >>> import cem
/// >>> p = cem.metrics.Proportion()
/// >>> p.push_many([True, False, True, True])
/// >>> p.push_counts(1, 4)
/// >>> p.successes, p.n, p.estimate().value
/// (4, 8, 0.5)
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct Proportion {
    inner: cm::Proportion,
}

py_accumulator!(Proportion, cm::Proportion, outcome, outcomes, {
    #[new]
    fn py_new() -> Self {
        Proportion {
            inner: cm::Proportion::new(),
        }
    }

    /// The share of successes; ``method`` is ``"wilson"``, ``"agresti-coull"`` or ``"wald"``.
    #[pyo3(signature = (confidence=0.95, method="wilson"))]
    fn estimate(&self, confidence: f64, method: &str) -> PyResult<Estimate> {
        let e = self
            .inner
            .estimate_with(confidence, convert::method(method)?)
            .py()?;
        Ok(Estimate::new(e, None))
    }

    /// Adds counts directly: ``successes`` of ``trials``.
    fn push_counts(&mut self, successes: u64, trials: u64) -> PyResult<()> {
        self.inner.push_counts(successes, trials).py()
    }

    /// Number of successes seen.
    #[getter]
    fn successes(&self) -> u64 {
        self.inner.successes()
    }
});
