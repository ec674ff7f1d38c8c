//! `cem.clv`: the native side of the BG/NBD, Pareto/NBD and Gamma-Gamma models and customer
//! lifetime value (the private classes `_BetaGeo`, `_ParetoNbd`, `_GammaGamma`).
//!
//! Thin: a fit reads its columns as `float64` slices (numpy `float64` and Arrow `double`
//! columns are borrowed, others converted once), calls the core's fit with the GIL released
//! and keeps the fitted model; predictions take columns and give numpy arrays. A model is its
//! serde JSON for pickling. `cem/clv.py` holds the user-facing classes.
use cem_core::Error;
use cem_core::clv as cc;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{self, Column};
use crate::error::CoreResult;

/// Registers the classes and functions.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<BetaGeo>()?;
    m.add_class::<ParetoNbd>()?;
    m.add_class::<GammaGamma>()?;
    m.add_function(wrap_pyfunction!(lifetime_value, m)?)?;
    Ok(())
}

fn reals<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Column<'py, f64>> {
    convert::column_of(obj, name)
}

fn optional_reals<'py>(
    obj: Option<&Bound<'py, PyAny>>,
    name: &str,
) -> PyResult<Option<Column<'py, f64>>> {
    obj.map(|o| reals(o, name)).transpose()
}

/// The fit report as a dict: ``log_likelihood``, ``objective``, ``iterations``,
/// ``customers``, ``standard_errors`` (dict or ``None``).
fn report_dict<'py, P>(
    py: Python<'py>,
    report: Option<&cc::FitReport<P>>,
    se: impl Fn(&P) -> Vec<(&'static str, f64)>,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let Some(r) = report else { return Ok(None) };
    let d = PyDict::new(py);
    d.set_item("log_likelihood", r.log_likelihood)?;
    d.set_item("objective", r.objective)?;
    d.set_item("iterations", r.iterations)?;
    d.set_item("customers", r.customers)?;
    match &r.standard_errors {
        Some(p) => {
            let s = PyDict::new(py);
            for (k, v) in se(p) {
                s.set_item(k, v)?;
            }
            d.set_item("standard_errors", s)?;
        }
        None => d.set_item("standard_errors", py.None())?,
    }
    Ok(Some(d))
}

fn time_unit(freq: &str) -> PyResult<cc::TimeUnit> {
    match freq {
        "H" | "h" => Ok(cc::TimeUnit::Hours),
        "D" | "d" => Ok(cc::TimeUnit::Days),
        "W" | "w" => Ok(cc::TimeUnit::Weeks),
        "M" | "m" => Ok(cc::TimeUnit::Months),
        other => Err(Error::InvalidArgument {
            name: "freq".into(),
            reason: format!("`{other}` is not a time unit; expected `H`, `D`, `W` or `M`"),
        })
        .py(),
    }
}

/// The methods shared by the two purchase models (BG/NBD and Pareto/NBD).
macro_rules! transaction_model {
    ($name:ident, $pyname:literal, $fitter:ident, $fitted:ty, $params:ident, [$($p:ident),*], $doc:literal) => {
        #[doc = $doc]
        #[pyclass(module = "cem._cem", name = $pyname, frozen)]
        pub struct $name {
            pub(crate) inner: $fitted,
        }

        #[pymethods]
        impl $name {
            /// Fits the model by maximum likelihood (lifetimes' objective and penalizer).
            #[staticmethod]
            #[pyo3(signature = (frequency, recency, T, weights=None, penalizer=0.0))]
            #[allow(non_snake_case)]
            fn fit(
                py: Python<'_>,
                frequency: &Bound<'_, PyAny>,
                recency: &Bound<'_, PyAny>,
                T: &Bound<'_, PyAny>,
                weights: Option<&Bound<'_, PyAny>>,
                penalizer: f64,
            ) -> PyResult<Self> {
                let (x, tx, t) = (reals(frequency, "frequency")?, reals(recency, "recency")?, reals(T, "T")?);
                let w = optional_reals(weights, "weights")?;
                let (x, tx, t) = (x.as_slice(), tx.as_slice(), t.as_slice());
                let w = w.as_ref().map(Column::as_slice);
                let fitter = cc::$fitter { penalizer };
                let inner = py.detach(|| fitter.fit(x, tx, t, w)).py()?;
                Ok($name { inner })
            }

            /// A model with known parameters.
            #[staticmethod]
            fn from_params($($p: f64),*) -> PyResult<Self> {
                let inner = <$fitted>::from_params(cc::$params { $($p),* }).py()?;
                Ok($name { inner })
            }

            /// The parameters as a dict.
            #[getter]
            fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let cc::$params { $($p),* } = self.inner.params();
                let d = PyDict::new(py);
                $(d.set_item(stringify!($p), $p)?;)*
                Ok(d)
            }

            /// How the fit went (``None`` for a model built from parameters).
            #[getter]
            fn report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
                report_dict(py, self.inner.report(), |p: &cc::$params| {
                    let cc::$params { $($p),* } = *p;
                    vec![$((stringify!($p), $p)),*]
                })
            }

            /// Expected purchases in the next ``t`` time units, per customer.
            #[allow(non_snake_case)]
            fn predict<'py>(
                &self,
                py: Python<'py>,
                t: f64,
                frequency: &Bound<'py, PyAny>,
                recency: &Bound<'py, PyAny>,
                T: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyArray1<f64>>> {
                let (x, tx, age) = (reals(frequency, "frequency")?, reals(recency, "recency")?, reals(T, "T")?);
                let (x, tx, age) = (x.as_slice(), tx.as_slice(), age.as_slice());
                let m = &self.inner;
                let out = py.detach(|| cc::predict_columns(m, t, x, tx, age)).py()?;
                Ok(PyArray1::from_vec(py, out))
            }

            /// P(alive), per customer.
            #[allow(non_snake_case)]
            fn p_alive<'py>(
                &self,
                py: Python<'py>,
                frequency: &Bound<'py, PyAny>,
                recency: &Bound<'py, PyAny>,
                T: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyArray1<f64>>> {
                let (x, tx, age) = (reals(frequency, "frequency")?, reals(recency, "recency")?, reals(T, "T")?);
                let (x, tx, age) = (x.as_slice(), tx.as_slice(), age.as_slice());
                let m = &self.inner;
                let out = py.detach(|| cc::p_alive_columns(m, x, tx, age)).py()?;
                Ok(PyArray1::from_vec(py, out))
            }

            /// Expected repeat purchases of a new customer in each of ``t`` time units.
            fn expected_purchases<'py>(
                &self,
                py: Python<'py>,
                t: &Bound<'py, PyAny>,
            ) -> PyResult<Bound<'py, PyArray1<f64>>> {
                let t = reals(t, "t")?;
                let out = t
                    .as_slice()
                    .iter()
                    .map(|&t| self.inner.expected_purchases(t))
                    .collect::<Result<Vec<f64>, Error>>()
                    .py()?;
                Ok(PyArray1::from_vec(py, out))
            }

            /// Probability that a new customer makes exactly ``n`` repeat purchases in ``t``.
            fn probability_of_n_purchases(&self, t: f64, n: u32) -> PyResult<f64> {
                self.inner.probability_of_n_purchases(t, n).py()
            }

            /// The model as JSON (what pickling stores).
            fn to_json(&self) -> PyResult<String> {
                serde_json::to_string(&self.inner).map_err(Error::from).py()
            }

            /// The model back from :meth:`to_json`.
            #[staticmethod]
            fn from_json(text: &str) -> PyResult<Self> {
                let inner = serde_json::from_str(text).map_err(Error::from).py()?;
                Ok($name { inner })
            }
        }
    };
}

transaction_model!(
    BetaGeo,
    "_BetaGeo",
    BetaGeo,
    cc::FittedBetaGeo,
    BetaGeoParams,
    [r, alpha, a, b],
    "A BG/NBD model (the core's ``FittedBetaGeo``); use ``cem.clv.BetaGeo``.\n\n\
     Examples\n--------\n\
     >>> from cem._cem import _BetaGeo\n\
     >>> m = _BetaGeo.from_params(0.243, 4.414, 0.793, 2.426)\n\
     >>> round(float(m.p_alive([2.0], [30.43], [38.86])[0]), 3)\n\
     0.727"
);

transaction_model!(
    ParetoNbd,
    "_ParetoNbd",
    ParetoNbd,
    cc::FittedParetoNbd,
    ParetoNbdParams,
    [r, alpha, s, beta],
    "A Pareto/NBD model (the core's ``FittedParetoNbd``); use ``cem.clv.ParetoNBD``.\n\n\
     Examples\n--------\n\
     >>> from cem._cem import _ParetoNbd\n\
     >>> m = _ParetoNbd.from_params(0.553, 10.58, 0.606, 11.67)\n\
     >>> bool(0 < m.p_alive([2.0], [30.43], [38.86])[0] < 1)\n\
     True"
);

/// A Gamma-Gamma spend model (the core's ``FittedGammaGamma``); use ``cem.clv.GammaGamma``.
///
/// Examples
/// --------
/// >>> from cem._cem import _GammaGamma
/// >>> m = _GammaGamma.from_params(6.25, 3.74, 15.44)
/// >>> bool(22.35 < m.expected_value([2.0], [22.35])[0] < 35.2)
/// True
#[pyclass(module = "cem._cem", name = "_GammaGamma", frozen)]
pub struct GammaGamma {
    pub(crate) inner: cc::FittedGammaGamma,
}

#[pymethods]
impl GammaGamma {
    /// Fits the model on repeat customers' ``frequency`` and ``monetary_value``.
    #[staticmethod]
    #[pyo3(signature = (frequency, monetary_value, weights=None, penalizer=0.0))]
    fn fit(
        py: Python<'_>,
        frequency: &Bound<'_, PyAny>,
        monetary_value: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
        penalizer: f64,
    ) -> PyResult<Self> {
        let (x, m) = (
            reals(frequency, "frequency")?,
            reals(monetary_value, "monetary_value")?,
        );
        let w = optional_reals(weights, "weights")?;
        let (x, m) = (x.as_slice(), m.as_slice());
        let w = w.as_ref().map(Column::as_slice);
        let fitter = cc::GammaGamma { penalizer };
        let inner = py.detach(|| fitter.fit(x, m, w)).py()?;
        Ok(GammaGamma { inner })
    }

    /// A model with known parameters.
    #[staticmethod]
    fn from_params(p: f64, q: f64, v: f64) -> PyResult<Self> {
        let inner = cc::FittedGammaGamma::from_params(cc::GammaGammaParams { p, q, v }).py()?;
        Ok(GammaGamma { inner })
    }

    /// The parameters as a dict.
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let cc::GammaGammaParams { p, q, v } = self.inner.params();
        let d = PyDict::new(py);
        d.set_item("p", p)?;
        d.set_item("q", q)?;
        d.set_item("v", v)?;
        Ok(d)
    }

    /// How the fit went (``None`` for a model built from parameters).
    #[getter]
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        report_dict(py, self.inner.report(), |s: &cc::GammaGammaParams| {
            vec![("p", s.p), ("q", s.q), ("v", s.v)]
        })
    }

    /// Expected mean transaction value per customer.
    fn expected_value<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        monetary_value: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let (x, m) = (
            reals(frequency, "frequency")?,
            reals(monetary_value, "monetary_value")?,
        );
        let (x, m) = (x.as_slice(), m.as_slice());
        if x.len() != m.len() {
            return Err(Error::LengthMismatch {
                left: "frequency".into(),
                left_len: x.len(),
                right: "monetary_value".into(),
                right_len: m.len(),
            })
            .py();
        }
        let out = x
            .iter()
            .zip(m)
            .enumerate()
            .map(|(i, (&x, &m))| self.inner.expected_value(x, m).map_err(|e| e.at_row(i)))
            .collect::<Result<Vec<f64>, Error>>()
            .py()?;
        Ok(PyArray1::from_vec(py, out))
    }

    /// The model as JSON (what pickling stores).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(Error::from).py()
    }

    /// The model back from :meth:`to_json`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        let inner = serde_json::from_str(text).map_err(Error::from).py()?;
        Ok(GammaGamma { inner })
    }
}

/// Customer lifetime value per customer, as lifetimes' ``customer_lifetime_value``.
///
/// Examples
/// --------
/// >>> from cem._cem import _BetaGeo, _GammaGamma, _lifetime_value
/// >>> bg = _BetaGeo.from_params(0.243, 4.414, 0.793, 2.426)
/// >>> gg = _GammaGamma.from_params(6.25, 3.74, 15.45)
/// >>> v = _lifetime_value(bg, gg, [2.0, 0.0], [30.43, 0.0], [38.86, 38.86], [22.35, 0.0], freq="W")
/// >>> bool(v[0] > v[1] > 0)
/// True
#[pyfunction]
#[pyo3(name = "_lifetime_value")]
#[pyo3(signature = (transaction_model, spend_model, frequency, recency, T, monetary_value, time=12, discount_rate=0.01, freq="D"))]
#[allow(clippy::too_many_arguments, non_snake_case)]
fn lifetime_value<'py>(
    py: Python<'py>,
    transaction_model: &Bound<'py, PyAny>,
    spend_model: PyRef<'py, GammaGamma>,
    frequency: &Bound<'py, PyAny>,
    recency: &Bound<'py, PyAny>,
    T: &Bound<'py, PyAny>,
    monetary_value: &Bound<'py, PyAny>,
    time: u32,
    discount_rate: f64,
    freq: &str,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let options = cc::ClvOptions {
        months: time,
        discount_rate,
        time_unit: time_unit(freq)?,
    };
    let (x, tx, age, m) = (
        reals(frequency, "frequency")?,
        reals(recency, "recency")?,
        reals(T, "T")?,
        reals(monetary_value, "monetary_value")?,
    );
    let (x, tx, age, m) = (x.as_slice(), tx.as_slice(), age.as_slice(), m.as_slice());
    let spend = &spend_model.inner;
    let out = if let Ok(bg) = transaction_model.cast::<BetaGeo>() {
        let model = &bg.get().inner;
        py.detach(|| cc::lifetime_values(model, spend, x, tx, age, m, &options))
    } else if let Ok(pn) = transaction_model.cast::<ParetoNbd>() {
        let model = &pn.get().inner;
        py.detach(|| cc::lifetime_values(model, spend, x, tx, age, m, &options))
    } else {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "transaction_model must be a fitted BetaGeo or ParetoNBD model, not `{}`",
            transaction_model.get_type().name()?
        )));
    }
    .py()?;
    Ok(PyArray1::from_vec(py, out))
}
