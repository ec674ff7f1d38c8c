//! `cem.alerts`: alert rules, the case book and the metric monitor. Thin: the Python façade
//! (`python/cem/alerts.py`) turns frames and records into JSON rows; here each method parses
//! them, calls `cem_core::alerts` once and returns JSON (cases, figures, alerts) that the
//! façade reads back into dicts — the same JSON the core serializes, so state moves between
//! Rust, Python and a service byte for byte.
use cem_core::Error;
use cem_core::alerts as ca;
use cem_core::model::CaseStatus;
use chrono::{DateTime, Utc};
use pyo3::prelude::*;
use serde::Serialize;

use crate::error::CoreResult;

/// Registers the classes of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<RuleSet>()?;
    m.add_class::<CaseBook>()?;
    m.add_class::<Monitor>()?;
    Ok(())
}

fn responses(text: &str) -> PyResult<Vec<ca::Response>> {
    serde_json::from_str(text).map_err(Error::from).py()
}

fn time(text: &str, name: &str) -> PyResult<DateTime<Utc>> {
    text.parse::<DateTime<Utc>>()
        .map_err(|e| Error::InvalidArgument {
            name: name.to_owned(),
            reason: format!("`{text}` is not an RFC 3339 time: {e}"),
        })
        .py()
}

fn json<T: Serialize>(value: &T) -> PyResult<String> {
    serde_json::to_string(value).map_err(Error::from).py()
}

fn status(name: &str) -> PyResult<CaseStatus> {
    serde_json::from_value(serde_json::Value::String(name.to_owned()))
        .map_err(|_| Error::InvalidArgument {
            name: "to".to_owned(),
            reason: format!(
                "unknown status `{name}`; expected one of open, in_progress, resolved, closed"
            ),
        })
        .py()
}

/// Compiled alert rules (native side of ``cem.alerts.RuleSet``).
#[pyclass(module = "cem._cem", name = "_RuleSet", frozen)]
pub struct RuleSet {
    inner: ca::RuleSet,
}

#[pymethods]
impl RuleSet {
    #[new]
    fn py_new(text: &str) -> PyResult<Self> {
        Ok(RuleSet {
            inner: ca::RuleSet::from_json(text).py()?,
        })
    }

    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py()
    }

    #[getter]
    fn names(&self) -> Vec<String> {
        self.inner.rules().iter().map(|r| r.name.clone()).collect()
    }

    /// The names of the matching rules, per response.
    fn matching(&self, responses: &str) -> PyResult<Vec<Vec<String>>> {
        let rs = self::responses(responses)?;
        let names = self.inner.matching_many(&rs).py()?;
        Ok(names
            .into_iter()
            .map(|ns| ns.into_iter().map(str::to_owned).collect())
            .collect())
    }

    fn count_matches(&self, responses: &str) -> PyResult<Vec<u64>> {
        self.inner.count_matches(&self::responses(responses)?).py()
    }

    /// The cases opened in a fresh book, as JSON.
    fn evaluate(&self, responses: &str) -> PyResult<String> {
        json(&self.inner.evaluate(&self::responses(responses)?).py()?)
    }
}

/// Cases with their lifecycle (native side of ``cem.alerts.CaseBook``).
#[pyclass(module = "cem._cem", name = "_CaseBook")]
pub struct CaseBook {
    inner: ca::CaseBook,
}

#[pymethods]
impl CaseBook {
    #[new]
    fn py_new() -> Self {
        CaseBook {
            inner: ca::CaseBook::new(),
        }
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(CaseBook {
            inner: ca::CaseBook::from_json(text).py()?,
        })
    }

    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py()
    }

    fn ingest(&mut self, rules: &RuleSet, responses: &str) -> PyResult<Vec<String>> {
        let rs = self::responses(responses)?;
        self.inner.ingest(&rules.inner, &rs).py()
    }

    #[pyo3(signature = (id, to, who, when, note=None))]
    fn transition(
        &mut self,
        id: &str,
        to: &str,
        who: &str,
        when: &str,
        note: Option<&str>,
    ) -> PyResult<String> {
        let (to, when) = (status(to)?, time(when, "when")?);
        json(self.inner.transition(id, to, who, when, note).py()?)
    }

    fn tick(&mut self, now: &str) -> PyResult<Vec<String>> {
        Ok(self.inner.tick(time(now, "now")?))
    }

    fn cases(&self) -> PyResult<String> {
        json(&self.inner.cases())
    }

    fn case(&self, id: &str) -> PyResult<Option<String>> {
        self.inner.case(id).map(json).transpose()
    }

    fn figures(&self, now: &str) -> PyResult<String> {
        json(&self.inner.figures(time(now, "now")?))
    }

    #[getter]
    fn duplicates(&self) -> u64 {
        self.inner.duplicates()
    }

    fn __len__(&self) -> usize {
        self.inner.cases().len()
    }
}

/// A metric monitor (native side of ``cem.alerts.Monitor``).
#[pyclass(module = "cem._cem", name = "_Monitor")]
pub struct Monitor {
    inner: ca::Monitor,
}

#[pymethods]
impl Monitor {
    #[new]
    fn py_new(config: &str) -> PyResult<Self> {
        let config: ca::MonitorConfig = serde_json::from_str(config).map_err(Error::from).py()?;
        Ok(Monitor {
            inner: ca::Monitor::new(config).py()?,
        })
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(Monitor {
            inner: ca::Monitor::from_json(text).py()?,
        })
    }

    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py()
    }

    fn config(&self) -> PyResult<String> {
        json(self.inner.config())
    }

    /// Alerts as JSON.
    fn push_many(&mut self, responses: &str) -> PyResult<String> {
        let rs = self::responses(responses)?;
        json(&self.inner.push_many(&rs).py()?)
    }

    #[getter]
    fn segments(&self) -> Vec<String> {
        self.inner.segments().map(str::to_owned).collect()
    }
}
