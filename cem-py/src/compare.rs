//! `cem.metrics` comparisons and significance tests: the difference of two NPS or two
//! proportions (as a [`Comparison`]) and the chi-square test of independence (as a
//! [`ChiSquare`]). Thin: convert, call `cem_core::metrics` once, wrap the result.
use cem_core::metrics as cm;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};
use serde::de::DeserializeOwned;

use crate::convert;
use crate::error::CoreResult;
use crate::metrics;

/// Registers the classes and functions of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Comparison>()?;
    m.add_class::<ChiSquare>()?;
    m.add_function(wrap_pyfunction!(compare_nps, m)?)?;
    m.add_function(wrap_pyfunction!(compare_proportions, m)?)?;
    m.add_function(wrap_pyfunction!(two_proportion_test, m)?)?;
    m.add_function(wrap_pyfunction!(chi2_independence, m)?)?;
    // The name of the first release; same function.
    m.add("chi_square_independence", m.getattr("chi2_independence")?)?;
    Ok(())
}

// ------------------------------------------------------------------------------ Comparison

/// The difference between two groups (first minus second) with its confidence interval
/// and a two-sided z test.
///
/// Units follow the metric: NPS differences in points, differences of shares (proportions,
/// CSAT) as fractions.
///
/// Attributes
/// ----------
/// difference : float
///     First minus second, from the data (not adjusted).
/// low, high : float
///     The confidence interval of the difference.
/// se : float
///     The standard error the z statistic divides by.
/// z : float
///     The z statistic.
/// p_value : float
///     Two-sided p-value.
/// significant : bool
///     Whether ``p_value < 1 - confidence``.
/// confidence : float
///     Confidence level of the interval (and 1 - the level of the test).
/// method : str
///     Interval method (``"adjusted-wald"`` or ``"wald"``).
///
/// Examples
/// --------
/// >>> from cem.metrics import two_proportion_test
/// >>> c = two_proportion_test(45, 100, 30, 100)
/// >>> round(c.difference, 6), round(c.z, 6), c.significant
/// (0.15, 2.19089, True)
/// >>> print(c)
/// +0.1500 [+0.0174, +0.2826] (z=2.191, p=0.0285, 95% wald)
#[pyclass(module = "cem.metrics", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub struct Comparison {
    difference: f64,
    low: f64,
    high: f64,
    se: f64,
    z: f64,
    p_value: f64,
    significant: bool,
    confidence: f64,
    method: String,
}

impl From<cm::Comparison> for Comparison {
    fn from(c: cm::Comparison) -> Self {
        Comparison {
            difference: c.difference,
            low: c.low,
            high: c.high,
            se: c.se,
            z: c.z,
            p_value: c.p_value,
            significant: c.significant,
            confidence: c.confidence,
            method: c.method.name().to_owned(),
        }
    }
}

impl Comparison {
    fn fields(&self) -> [(&'static str, String); 9] {
        let f = |x: f64| format!("{x:?}");
        [
            ("difference", f(self.difference)),
            ("low", f(self.low)),
            ("high", f(self.high)),
            ("se", f(self.se)),
            ("z", f(self.z)),
            ("p_value", f(self.p_value)),
            (
                "significant",
                if self.significant { "True" } else { "False" }.to_owned(),
            ),
            ("confidence", f(self.confidence)),
            ("method", format!("'{}'", self.method)),
        ]
    }
}

#[pymethods]
impl Comparison {
    #[new]
    #[pyo3(signature = (difference, low, high, se, z, p_value, significant, confidence, method))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        difference: f64,
        low: f64,
        high: f64,
        se: f64,
        z: f64,
        p_value: f64,
        significant: bool,
        confidence: f64,
        method: &str,
    ) -> PyResult<Self> {
        Ok(Comparison {
            difference,
            low,
            high,
            se,
            z,
            p_value,
            significant,
            confidence,
            method: convert::method(method)?.name().to_owned(),
        })
    }

    /// The comparison as a plain ``dict``.
    ///
    /// Examples
    /// --------
    /// >>> from cem.metrics import two_proportion_test
    /// >>> sorted(two_proportion_test(4, 10, 6, 10).to_dict())
    /// ['confidence', 'difference', 'high', 'low', 'method', 'p_value', 'se', 'significant', 'z']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("difference", self.difference)?;
        d.set_item("low", self.low)?;
        d.set_item("high", self.high)?;
        d.set_item("se", self.se)?;
        d.set_item("z", self.z)?;
        d.set_item("p_value", self.p_value)?;
        d.set_item("significant", self.significant)?;
        d.set_item("confidence", self.confidence)?;
        d.set_item("method", &self.method)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let body: Vec<String> = self
            .fields()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        format!("Comparison({})", body.join(", "))
    }

    fn __str__(&self) -> String {
        // Points (NPS) read best with 2 decimals, fractions with 4.
        let digits = if self.method == cm::Method::AdjustedWald.name()
            || self.high.abs().max(self.low.abs()) > 1.0
        {
            2
        } else {
            4
        };
        format!(
            "{:+.digits$} [{:+.digits$}, {:+.digits$}] (z={:.3}, p={}, {}% {})",
            self.difference,
            self.low,
            self.high,
            self.z,
            p_text(self.p_value),
            self.confidence * 100.0,
            self.method
        )
    }

    fn _repr_html_(&self) -> String {
        html_table("cem-comparison", &self.__str__(), &self.fields())
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let c = slf.get();
        let args = (
            c.difference,
            c.low,
            c.high,
            c.se,
            c.z,
            c.p_value,
            c.significant,
            c.confidence,
            c.method.clone(),
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

// ------------------------------------------------------------------------------ ChiSquare

/// The result of Pearson's chi-square test of independence.
///
/// Attributes
/// ----------
/// statistic : float
///     Pearson's chi-square statistic (with Yates' correction when ``corrected``).
/// df : int
///     Degrees of freedom, (rows - 1)(columns - 1).
/// p_value : float
///     Upper-tail p-value.
/// expected : list of list of float
///     Expected counts under independence, row by row.
/// corrected : bool
///     Whether Yates' continuity correction was applied (only ever with one degree of freedom).
///
/// Examples
/// --------
/// >>> from cem.metrics import chi2_independence
/// >>> t = chi2_independence([[10, 20], [20, 10]], yates=False)
/// >>> round(t.statistic, 6), t.df, round(t.p_value, 6)
/// (6.666667, 1, 0.009823)
/// >>> t.expected
/// [[15.0, 15.0], [15.0, 15.0]]
#[pyclass(module = "cem.metrics", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub struct ChiSquare {
    statistic: f64,
    df: usize,
    p_value: f64,
    expected: Vec<Vec<f64>>,
    corrected: bool,
}

#[pymethods]
impl ChiSquare {
    #[new]
    fn py_new(
        statistic: f64,
        df: usize,
        p_value: f64,
        expected: Vec<Vec<f64>>,
        corrected: bool,
    ) -> Self {
        ChiSquare {
            statistic,
            df,
            p_value,
            expected,
            corrected,
        }
    }

    /// The result as a plain ``dict``.
    ///
    /// Examples
    /// --------
    /// >>> from cem.metrics import chi2_independence
    /// >>> sorted(chi2_independence([[1, 2], [3, 4]]).to_dict())
    /// ['corrected', 'df', 'expected', 'p_value', 'statistic']
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("statistic", self.statistic)?;
        d.set_item("df", self.df)?;
        d.set_item("p_value", self.p_value)?;
        d.set_item("expected", &self.expected)?;
        d.set_item("corrected", self.corrected)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "ChiSquare(statistic={:?}, df={}, p_value={:?}, corrected={})",
            self.statistic,
            self.df,
            self.p_value,
            if self.corrected { "True" } else { "False" }
        )
    }

    fn __str__(&self) -> String {
        format!(
            "chi2={:.4}, df={}, p={}{}",
            self.statistic,
            self.df,
            p_text(self.p_value),
            if self.corrected { " (Yates)" } else { "" }
        )
    }

    fn _repr_html_(&self) -> String {
        let fields = [
            ("statistic", format!("{:?}", self.statistic)),
            ("df", self.df.to_string()),
            ("p_value", format!("{:?}", self.p_value)),
            (
                "corrected",
                if self.corrected { "True" } else { "False" }.to_owned(),
            ),
        ];
        html_table("cem-chi-square", &self.__str__(), &fields)
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let t = slf.get();
        let args = (
            t.statistic,
            t.df,
            t.p_value,
            t.expected.clone(),
            t.corrected,
        )
            .into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

// ------------------------------------------------------------------------------ functions

/// Compares two NPS: is the first significantly different from the second?
///
/// z = (N1 - N2) / sqrt(V1 + V2), with each NPS's centre and variance under ``method``
/// (the adjusted Wald comparison of Sauro & Lewis by default).
///
/// Parameters
/// ----------
/// a, b : sequence of int or Nps
///     The two groups: 0-10 answers (list, numpy array, pandas or polars Series) or
///     :class:`Nps` accumulators (weighted ones too).
/// confidence : float, default 0.95
///     Confidence level of the interval; the test is at level ``1 - confidence``.
/// method : {"adjusted-wald", "wald"}
///     Variance of each NPS.
///
/// Returns
/// -------
/// Comparison
///     ``difference`` in points (first minus second), its interval, z and p-value.
///
/// Raises
/// ------
/// EmptyError
///     A group without answers.
/// OutOfRangeError
///     A score outside 0-10, or a confidence outside (0, 1).
///
/// Examples
/// --------
/// 60 promoters and 40 detractors against 40 and 60:
///
/// >>> from cem.metrics import compare_nps
/// >>> c = compare_nps([10] * 60 + [3] * 40, [10] * 40 + [3] * 60)
/// >>> round(c.difference, 9), c.significant, c.p_value < 0.01
/// (40.0, True, True)
#[pyfunction]
#[pyo3(signature = (a, b, confidence = 0.95, method = "adjusted-wald"))]
fn compare_nps(
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    confidence: f64,
    method: &str,
) -> PyResult<Comparison> {
    let method = convert::method(method)?;
    let a = nps_group(a, "a")?;
    let b = nps_group(b, "b")?;
    Ok(a.compare_with(&b, confidence, method).py()?.into())
}

/// Compares two proportions with the pooled two-proportion z test (as
/// ``statsmodels.stats.proportion.proportions_ztest``) and the unpooled Wald interval of
/// the difference.
///
/// Parameters
/// ----------
/// a, b : sequence of bool, Proportion or Csat
///     Yes/no outcomes (``bool`` or 0/1), or :class:`Proportion` accumulators, or two
///     :class:`Csat` accumulators on the same scale (their top-box shares are compared).
///     With weights, counts are the weighted shares times the Kish effective n.
/// confidence : float, default 0.95
///     Confidence level of the interval.
///
/// Returns
/// -------
/// Comparison
///     ``difference`` as a fraction (first minus second).
///
/// Raises
/// ------
/// EmptyError
///     A group without observations.
/// UndefinedError
///     Both groups all successes or all failures (the pooled variance is zero).
/// IncompatibleError
///     Two CSAT accumulators on different scales.
///
/// Examples
/// --------
/// >>> from cem.metrics import compare_proportions
/// >>> c = compare_proportions([True] * 45 + [False] * 55, [True] * 30 + [False] * 70)
/// >>> round(c.difference, 6), round(c.p_value, 6)
/// (0.15, 0.02846)
#[pyfunction]
#[pyo3(signature = (a, b, confidence = 0.95))]
fn compare_proportions(
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    confidence: f64,
) -> PyResult<Comparison> {
    let csat = (
        a.is_instance_of::<metrics::Csat>(),
        b.is_instance_of::<metrics::Csat>(),
    );
    let c = match csat {
        (true, true) => {
            let a: cm::Csat = state(a)?;
            let b: cm::Csat = state(b)?;
            a.compare(&b, confidence).py()?
        }
        (false, false) => {
            let a = proportion_group(a, "a")?;
            let b = proportion_group(b, "b")?;
            a.compare(&b, confidence).py()?
        }
        _ => {
            return Err(PyTypeError::new_err(
                "`a` and `b` must both be Csat accumulators, or both outcomes or Proportion accumulators",
            ));
        }
    };
    Ok(c.into())
}

/// Pooled two-proportion z test of ``x1`` successes of ``n1`` against ``x2`` of ``n2``
/// (as ``statsmodels.stats.proportion.proportions_ztest``), with the unpooled Wald
/// interval of p1 - p2.
///
/// Parameters
/// ----------
/// x1, n1 : int
///     Successes and trials of the first group.
/// x2, n2 : int
///     Successes and trials of the second group.
/// confidence : float, default 0.95
///     Confidence level of the interval.
///
/// Returns
/// -------
/// Comparison
///
/// Raises
/// ------
/// InvalidArgumentError
///     A count larger than its total, or a zero total.
/// UndefinedError
///     All successes or all failures in both groups.
///
/// Examples
/// --------
/// >>> from cem.metrics import two_proportion_test
/// >>> c = two_proportion_test(45, 100, 30, 100)
/// >>> round(c.z, 6), round(c.p_value, 6), c.significant
/// (2.19089, 0.02846, True)
#[pyfunction]
#[pyo3(signature = (x1, n1, x2, n2, confidence = 0.95))]
fn two_proportion_test(
    x1: i64,
    n1: i64,
    x2: i64,
    n2: i64,
    confidence: f64,
) -> PyResult<Comparison> {
    let (x1, n1) = (count("x1", x1)?, count("n1", n1)?);
    let (x2, n2) = (count("x2", x2)?, count("n2", n2)?);
    Ok(cm::two_proportion_test(x1, n1, x2, n2, confidence)
        .py()?
        .into())
}

/// Pearson's chi-square test of independence on a table of non-negative counts, as
/// ``scipy.stats.chi2_contingency(table, correction=yates)``.
///
/// Parameters
/// ----------
/// table : 2-D table of numbers
///     Nested lists (rows of equal length), a 2-D numpy array, or a pandas DataFrame such as
///     ``pandas.crosstab(segment, answer)`` (its values are used, labels ignored).
/// yates : bool, default True
///     Apply Yates' continuity correction when there is one degree of freedom.
///
/// Returns
/// -------
/// ChiSquare
///
/// Raises
/// ------
/// InvalidNumberError
///     A negative or non-finite count (named by row and column).
/// InvalidArgumentError
///     Fewer than 2 rows or columns, ragged rows, or a row or column that sums to zero.
/// TypeError
///     ``table`` is not a 2-D table of numbers.
///
/// Examples
/// --------
/// >>> from cem.metrics import chi2_independence
/// >>> t = chi2_independence([[10, 20, 30], [20, 20, 10]])
/// >>> round(t.statistic, 6), t.df, t.corrected
/// (12.527778, 2, False)
#[pyfunction]
#[pyo3(signature = (table, yates = true))]
fn chi2_independence(table: &Bound<'_, PyAny>, yates: bool) -> PyResult<ChiSquare> {
    let rows = table_rows(table)?;
    let t = cm::chi_square_independence(&rows, yates).py()?;
    Ok(ChiSquare {
        statistic: t.statistic,
        df: t.df,
        p_value: t.p_value,
        expected: t.expected,
        corrected: t.corrected,
    })
}

// ------------------------------------------------------------------------------ helpers

/// One group of an NPS comparison: an `Nps` accumulator or a column of answers.
fn nps_group(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<cm::Nps> {
    if obj.is_instance_of::<metrics::Nps>() {
        return state(obj);
    }
    let xs = convert::scores(column(obj, name)?)?;
    let mut acc = cm::Nps::new();
    acc.push_many(&xs).py()?;
    Ok(acc)
}

/// One group of a share comparison: a `Proportion` accumulator or a column of outcomes.
fn proportion_group(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<cm::Proportion> {
    if obj.is_instance_of::<metrics::Proportion>() {
        return state(obj);
    }
    let xs = convert::outcomes(column(obj, name)?)?;
    let mut acc = cm::Proportion::new();
    acc.push_many(&xs).py()?;
    Ok(acc)
}

/// Rejects what is clearly not a column (None, a string, a number) with a `TypeError`
/// naming the argument.
fn column<'a, 'py>(obj: &'a Bound<'py, PyAny>, name: &str) -> PyResult<&'a Bound<'py, PyAny>> {
    if obj.is_none() || obj.is_instance_of::<PyString>() || obj.try_iter().is_err() {
        return Err(PyTypeError::new_err(format!(
            "`{name}` must be a column or an accumulator, got {}",
            obj.get_type().name()?
        )));
    }
    Ok(obj)
}

/// The core state of a Python accumulator, through its JSON form (the accumulator classes
/// keep their state private to `metrics.rs`).
fn state<C: DeserializeOwned>(obj: &Bound<'_, PyAny>) -> PyResult<C> {
    let text: String = obj.call_method0("to_json")?.extract()?;
    serde_json::from_str(&text)
        .map_err(cem_core::Error::from)
        .py()
}

/// Rows of a 2-D table: nested sequences, numpy arrays (`tolist`), pandas DataFrames
/// (`to_numpy`).
fn table_rows(table: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<f64>>> {
    let bad = |table: &Bound<'_, PyAny>| -> PyErr {
        let kind = table
            .get_type()
            .name()
            .map_or_else(|_| "?".to_owned(), |n| n.to_string());
        PyTypeError::new_err(format!(
            "`table` must be a 2-D table of numbers (nested lists, a numpy array or a pandas DataFrame), got {kind}"
        ))
    };
    if table.is_none() || table.is_instance_of::<PyString>() {
        return Err(bad(table));
    }
    let mut obj = table.clone();
    if obj.hasattr("to_numpy")? && obj.hasattr("columns")? {
        obj = obj.call_method0("to_numpy")?;
    }
    if obj.hasattr("tolist")? {
        obj = obj.call_method0("tolist")?;
    }
    obj.extract::<Vec<Vec<f64>>>().map_err(|_| bad(table))
}

/// A count argument: a non-negative integer.
fn count(name: &str, value: i64) -> PyResult<u64> {
    u64::try_from(value)
        .map_err(|_| cem_core::Error::InvalidArgument {
            name: name.to_owned(),
            reason: format!("`{value}` is negative; counts are non-negative"),
        })
        .py()
}

fn p_text(p: f64) -> String {
    if p < 1e-4 {
        format!("{p:.1e}")
    } else {
        format!("{p:.4}")
    }
}

fn html_table(class: &str, caption: &str, fields: &[(&str, String)]) -> String {
    let rows: String = fields
        .iter()
        .map(|(k, v)| {
            format!(
                "<tr><th style=\"text-align:left\">{k}</th><td>{}</td></tr>",
                v.replace('\'', "")
            )
        })
        .collect();
    format!("<table class=\"{class}\"><caption>{caption}</caption>{rows}</table>")
}
