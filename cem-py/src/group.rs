//! `cem.metrics.GroupedScores`: score metrics by segment × calendar period over columns, and
//! the private helpers behind `cem.metrics.by` and the zero-copy tests.
//!
//! Thin: columns come in through [`convert::column_of`] (borrowed where the dtype allows), the
//! core's `GroupedScores::push_columns` runs with the GIL released, and `estimates` returns
//! plain columns that `cem._frames` turns into the caller's frame type.
use cem_core::Error;
use cem_core::metrics::{self as cm, GroupLimits, Period, ScoreMetric, TimeUnit};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::{self, Column};
use crate::error::CoreResult;

// The signatures spell the default `max_groups` out (Python shows it, stubtest checks it).
const _: () = assert!(cm::DEFAULT_MAX_GROUPS == 1_000_000);

/// Registers the class and the private helpers.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<GroupedScores>()?;
    m.add_function(wrap_pyfunction!(_column_address, m)?)?;
    Ok(())
}

/// Mergeable accumulator of a score metric by segment (a ``uint32`` code) and, optionally,
/// calendar period (``"day"``, ``"week"`` — ISO, starting Monday — ``"month"``,
/// ``"quarter"`` of the local calendar at ``utc_offset`` seconds east of UTC).
///
/// ``push`` takes columns: numpy arrays, pyarrow/polars/pandas columns or lists. Columns of
/// the dtype the kernel reads (``uint8`` scores, ``uint32`` segment codes, ``int64`` or
/// ``datetime64``/``timestamp`` times, ``float64`` weights) are read in place, without a
/// copy; others are converted once, checking every value. Nulls are an error naming the
/// column. Partial accumulators merge exactly and pickle (through the core's JSON state), so
/// Dask and Spark partitions combine into the one-pass answer.
///
/// ``metric`` is ``"nps"`` (0-10), ``"csat"`` (1-``csat_max``, top ``csat_top`` boxes),
/// ``"ces"`` (``ces_scale``) or ``"net_satisfaction"`` (1-5). ``time_unit`` (``"s"``,
/// ``"ms"``, ``"us"``, ``"ns"``) is how plain integer times are read; datetime columns
/// carry their own unit. ``max_groups`` (default 1,000,000) bounds the number of
/// (segment, period) cells: a ``push`` or ``merge`` that would pass it raises
/// :class:`cem.LimitExceededError` and adds nothing; raise it for more groups.
///
/// Examples
/// --------
/// >>> import pickle, numpy as np
/// >>> from cem.metrics import GroupedScores
/// >>> g = GroupedScores("nps", period="month")
/// >>> jan, feb = 1_704_067_200, 1_706_745_600  # 2024-01-01 and 2024-02-01, seconds UTC
/// >>> g.push(np.array([10, 9, 3, 10, 7], dtype=np.uint8), [0, 0, 0, 1, 0],
/// ...        [jan, jan + 60, jan + 3_600, jan, feb])
/// >>> part = GroupedScores("nps", period="month")
/// >>> part.push([0], [1], [feb])
/// >>> g.merge(pickle.loads(pickle.dumps(part)))
/// >>> g
/// GroupedScores(nps by month, cells=4, n=6)
/// >>> rows = g.estimates()
/// >>> rows["segment"], [str(d) for d in rows["period_start"]], rows["n"]
/// ([0, 0, 1, 1], ['2024-01-01', '2024-02-01', '2024-01-01', '2024-02-01'], [3, 1, 1, 1])
/// >>> round(rows["value"][0], 4)
/// 33.3333
#[pyclass(module = "cem.metrics", eq)]
#[derive(Clone, PartialEq)]
pub struct GroupedScores {
    inner: cm::GroupedScores,
    /// `period=None`: every answer is dated 1970-01-01 (the core always groups by a period)
    /// and `estimates` leaves `period_start` out.
    periodless: bool,
}

#[pymethods]
impl GroupedScores {
    #[new]
    #[pyo3(signature = (metric="nps", period=None, *, time_unit="s", utc_offset=0, csat_max=5, csat_top=2, ces_scale="agreement7", max_groups=1_000_000))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        metric: &str,
        period: Option<&str>,
        time_unit: &str,
        utc_offset: i32,
        csat_max: i64,
        csat_top: i64,
        ces_scale: &str,
        max_groups: usize,
    ) -> PyResult<Self> {
        let metric = match metric
            .trim()
            .to_ascii_lowercase()
            .replace('-', "_")
            .as_str()
        {
            "nps" => ScoreMetric::Nps,
            "csat" => ScoreMetric::Csat {
                max: convert::small("csat_max", csat_max)?,
                top: convert::small("csat_top", csat_top)?,
            },
            "ces" => ScoreMetric::Ces(convert::ces_scale(ces_scale)?),
            "net_satisfaction" => ScoreMetric::NetSatisfaction,
            _ => {
                return Err(Error::InvalidArgument {
                    name: "metric".to_owned(),
                    reason: format!(
                        "unknown metric `{metric}`; expected one of nps, csat, ces, net_satisfaction"
                    ),
                })
                .py();
            }
        };
        let p = match period {
            Some(name) => Period::parse(name).py()?,
            None => Period::Day,
        };
        let inner = cm::GroupedScores::new(metric, p)
            .py()?
            .with_time_unit(TimeUnit::parse(time_unit).py()?)
            .with_utc_offset(utc_offset)
            .py()?
            .with_limits(GroupLimits { max_groups });
        Ok(GroupedScores {
            inner,
            periodless: period.is_none(),
        })
    }

    /// Adds columns of answers, all or nothing: ``scores[i]`` in segment ``segments[i]`` (all
    /// in segment 0 when omitted) at ``times[i]`` (required exactly when grouping by period),
    /// with survey weight ``weights[i]`` (1 when omitted). ``columns`` names the four columns
    /// in error messages (default ``("scores", "segments", "times", "weights")``). The kernel
    /// runs without the GIL.
    #[pyo3(signature = (scores, segments=None, times=None, weights=None, *, columns=None))]
    fn push(
        &mut self,
        py: Python<'_>,
        scores: &Bound<'_, PyAny>,
        segments: Option<&Bound<'_, PyAny>>,
        times: Option<&Bound<'_, PyAny>>,
        weights: Option<&Bound<'_, PyAny>>,
        columns: Option<(String, String, String, String)>,
    ) -> PyResult<()> {
        let names = columns.unwrap_or_else(|| {
            (
                "scores".into(),
                "segments".into(),
                "times".into(),
                "weights".into(),
            )
        });
        let scores: Column<'_, u8> = convert::column_of(scores, &names.0)?;
        let n = scores.as_slice().len();
        let segments: Column<'_, u32> = match segments {
            Some(s) => convert::column_of(s, &names.1)?,
            None => Column::Owned(vec![0; n]),
        };
        let (times, unit) = match (times, self.periodless) {
            (Some(t), false) => convert::times(t, &names.2)?,
            (None, true) => (Column::Owned(vec![0; n]), None),
            (Some(_), true) => {
                return Err(PyValueError::new_err(
                    "this GroupedScores has no period (period=None): leave `times` out",
                ));
            }
            (None, false) => {
                return Err(PyValueError::new_err(format!(
                    "grouping by {} needs `times`",
                    self.inner.period()
                )));
            }
        };
        let weights: Option<Column<'_, f64>> = match weights {
            Some(w) => Some(convert::column_of(w, &names.3)?),
            None => None,
        };
        if let Some(unit) = unit
            && unit != self.inner.time_unit()
        {
            // The unit only says how to read input columns; the cells are unaffected.
            let placeholder = cm::GroupedScores::new(ScoreMetric::Nps, Period::Day).py()?;
            let g = std::mem::replace(&mut self.inner, placeholder);
            self.inner = g.with_time_unit(unit);
        }
        let (s, g, t) = (scores.as_slice(), segments.as_slice(), times.as_slice());
        let w = weights.as_ref().map(Column::as_slice);
        let inner = &mut self.inner;
        py.detach(|| inner.push_columns(s, g, t, w))
            .map_err(|e| rename(e, &names))
            .py()
    }

    /// Adds everything ``other`` has seen; partial accumulators merge exactly.
    fn merge(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        let other = other.borrow().clone();
        let mut me = slf.borrow_mut();
        if me.periodless != other.periodless {
            return Err(Error::Incompatible(
                "a GroupedScores with a period and one without".to_owned(),
            ))
            .py();
        }
        me.inner.merge(&other.inner).py()
    }

    /// One row per (segment, period) cell, sorted, as a dict of equal-length lists:
    /// ``segment``, ``period_start`` (``datetime.date``; absent without a period), ``value``,
    /// ``low``, ``high``, ``n``, ``n_eff``. ``value``, ``low``, ``high`` and ``n_eff`` are
    /// ``None`` where the estimate is undefined (a CES cell of one answer, all-zero weights).
    /// ``method`` defaults to the metric's (adjusted Wald for NPS and net satisfaction,
    /// Wilson for CSAT, Student t for CES).
    #[pyo3(signature = (confidence=0.95, method=None))]
    fn estimates<'py>(
        &self,
        py: Python<'py>,
        confidence: f64,
        method: Option<&str>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let rows = match method {
            Some(m) => self.inner.estimates_with(confidence, convert::method(m)?),
            None => self.inner.estimates(confidence),
        }
        .py()?;
        let date = py.import("datetime")?.getattr("date")?;
        let (segment, period_start) = (PyList::empty(py), PyList::empty(py));
        let (value, low, high, n, n_eff) = (
            PyList::empty(py),
            PyList::empty(py),
            PyList::empty(py),
            PyList::empty(py),
            PyList::empty(py),
        );
        for r in &rows {
            segment.append(r.segment)?;
            if !self.periodless {
                // 719_163 = the proleptic Gregorian ordinal of 1970-01-01.
                let ordinal = i64::from(r.period_start.to_epoch_days()) + 719_163;
                period_start.append(date.call_method1("fromordinal", (ordinal,))?)?;
            }
            value.append(r.estimate.map(|e| e.value))?;
            low.append(r.estimate.map(|e| e.low))?;
            high.append(r.estimate.map(|e| e.high))?;
            n.append(r.n)?;
            n_eff.append(r.estimate.map(|e| e.n_eff))?;
        }
        let d = PyDict::new(py);
        d.set_item("segment", segment)?;
        if !self.periodless {
            d.set_item("period_start", period_start)?;
        }
        d.set_item("value", value)?;
        d.set_item("low", low)?;
        d.set_item("high", high)?;
        d.set_item("n", n)?;
        d.set_item("n_eff", n_eff)?;
        Ok(d)
    }

    /// Number of answers seen.
    #[getter]
    fn n(&self) -> u64 {
        self.inner.n()
    }

    /// The period name, or ``None``.
    #[getter]
    fn period(&self) -> Option<&'static str> {
        (!self.periodless).then(|| self.inner.period().name())
    }

    /// The most (segment, period) cells this accumulator may hold.
    #[getter]
    fn max_groups(&self) -> usize {
        self.inner.limits().max_groups
    }

    /// Number of non-empty cells.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// The core's JSON state (a ``period=None`` accumulator shows as ``"day"`` with every
    /// cell on 1970-01-01).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(Error::from).py()
    }

    /// Rebuilds an accumulator from :meth:`to_json` output (validated); ``period_less``
    /// marks one made with ``period=None``. State with more cells than ``max_groups``
    /// raises :class:`cem.LimitExceededError`.
    #[staticmethod]
    #[pyo3(signature = (text, period_less=false, *, max_groups=1_000_000))]
    fn from_json(text: &str, period_less: bool, max_groups: usize) -> PyResult<Self> {
        let inner = cm::GroupedScores::from_json_with(text, GroupLimits { max_groups }).py()?;
        Ok(GroupedScores {
            inner,
            periodless: period_less,
        })
    }

    fn __getstate__(&self) -> PyResult<(String, bool, usize)> {
        Ok((self.to_json()?, self.periodless, self.max_groups()))
    }

    /// Accepts ``(json, period_less, max_groups)`` and, from pickles written before
    /// ``max_groups`` was kept, ``(json, period_less)`` (with the default limit).
    fn __setstate__(&mut self, state: &Bound<'_, PyTuple>) -> PyResult<()> {
        let (text, periodless, max_groups) = match state.len() {
            2 => {
                let (text, periodless): (String, bool) = state.extract()?;
                (text, periodless, cm::DEFAULT_MAX_GROUPS)
            }
            _ => state.extract::<(String, bool, usize)>()?,
        };
        *self = GroupedScores::from_json(&text, periodless, max_groups)?;
        Ok(())
    }

    fn __repr__(&self) -> String {
        let metric = match self.inner.metric() {
            ScoreMetric::Nps => "nps",
            ScoreMetric::Csat { .. } => "csat",
            ScoreMetric::Ces(_) => "ces",
            ScoreMetric::NetSatisfaction => "net_satisfaction",
            _ => "score",
        };
        let by = if self.periodless {
            "segment".to_owned()
        } else {
            self.inner.period().name().to_owned()
        };
        format!(
            "GroupedScores({metric} by {by}, cells={}, n={})",
            self.inner.len(),
            self.inner.n()
        )
    }
}

/// The address of the memory the binding reads for column ``obj`` as ``dtype`` (``"uint8"``,
/// ``"uint32"``, ``"int64"``, ``"float64"``), and whether it is the caller's memory (no copy).
/// For the zero-copy tests.
#[pyfunction]
fn _column_address(obj: &Bound<'_, PyAny>, dtype: &str) -> PyResult<(usize, bool)> {
    fn of<T: convert::Target>(c: &Column<'_, T>) -> (usize, bool) {
        (c.as_slice().as_ptr() as usize, c.is_borrowed())
    }
    match dtype {
        "uint8" => Ok(of(&convert::column_of::<u8>(obj, "x")?)),
        "uint32" => Ok(of(&convert::column_of::<u32>(obj, "x")?)),
        "int64" => Ok(of(&convert::times(obj, "x")?.0)),
        "float64" => Ok(of(&convert::column_of::<f64>(obj, "x")?)),
        other => Err(PyValueError::new_err(format!("unknown dtype `{other}`"))),
    }
}

/// Puts the caller's column names into the core's messages, which say `scores`,
/// `segments`, `times` and `weight`.
fn rename(e: Error, names: &(String, String, String, String)) -> Error {
    match e {
        Error::OutOfRange {
            field,
            value,
            expected,
        } => Error::OutOfRange {
            field: with_column(field, names),
            value,
            expected,
        },
        Error::InvalidNumber {
            field,
            value,
            reason,
        } => Error::InvalidNumber {
            field: with_column(field, names),
            value,
            reason,
        },
        Error::LengthMismatch {
            left,
            left_len,
            right,
            right_len,
        } => Error::LengthMismatch {
            left: column_named(&left, names),
            left_len,
            right: column_named(&right, names),
            right_len,
        },
        other => other,
    }
}

fn column_named(role: &str, names: &(String, String, String, String)) -> String {
    match role {
        "scores" => names.0.clone(),
        "segments" => names.1.clone(),
        "times" => names.2.clone(),
        "weights" => names.3.clone(),
        other => other.to_owned(),
    }
}

fn with_column(field: String, names: &(String, String, String, String)) -> String {
    let column = if field.starts_with("weight") {
        &names.3
    } else if field.starts_with("timestamp") {
        &names.2
    } else {
        &names.0
    };
    format!("{field} in column `{column}`")
}
