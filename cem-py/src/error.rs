//! `cem_core::Error` → Python exceptions, in one place.
//!
//! `cem.CemError` is the root; every [`ErrorKind`] has its own subclass named after it
//! (`OutOfRangeError`, `InvalidNumberError`, ...), carrying the kind's stable code as the
//! class attribute `code`. Kinds about the caller's input ([`ErrorKind::is_validation`]) also
//! subclass `ValueError`, so `except ValueError` keeps working for code that does not know cem.
use cem_core::{Error, ErrorKind};
use pyo3::exceptions::{PyException, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyTuple, PyType};

/// Every kind the core has today, with the name of its Python class.
const KINDS: [(ErrorKind, &str); 16] = [
    (ErrorKind::OutOfRange, "OutOfRangeError"),
    (ErrorKind::InvalidNumber, "InvalidNumberError"),
    (ErrorKind::Empty, "EmptyError"),
    (ErrorKind::LengthMismatch, "LengthMismatchError"),
    (ErrorKind::Incompatible, "IncompatibleError"),
    (ErrorKind::InvalidArgument, "InvalidArgumentError"),
    (ErrorKind::InvalidSurvey, "InvalidSurveyError"),
    (ErrorKind::InvalidAnswers, "InvalidAnswersError"),
    (ErrorKind::Json, "JsonError"),
    (ErrorKind::NotConverged, "NotConvergedError"),
    (ErrorKind::Undefined, "UndefinedError"),
    (ErrorKind::InvalidState, "InvalidStateError"),
    (ErrorKind::LimitExceeded, "LimitExceededError"),
    (ErrorKind::InvalidRule, "InvalidRuleError"),
    (ErrorKind::IllegalTransition, "IllegalTransitionError"),
    (ErrorKind::OutOfOrder, "OutOfOrderError"),
];

/// Position of a kind in [`KINDS`]. Exhaustive over the kinds known when this was written;
/// `ErrorKind` is `#[non_exhaustive]`, so a kind added later falls back to `CemError` itself
/// until it gets a line in `KINDS` and here.
fn slot(kind: ErrorKind) -> Option<usize> {
    Some(match kind {
        ErrorKind::OutOfRange => 0,
        ErrorKind::InvalidNumber => 1,
        ErrorKind::Empty => 2,
        ErrorKind::LengthMismatch => 3,
        ErrorKind::Incompatible => 4,
        ErrorKind::InvalidArgument => 5,
        ErrorKind::InvalidSurvey => 6,
        ErrorKind::InvalidAnswers => 7,
        ErrorKind::Json => 8,
        ErrorKind::NotConverged => 9,
        ErrorKind::Undefined => 10,
        ErrorKind::InvalidState => 11,
        ErrorKind::LimitExceeded => 12,
        ErrorKind::InvalidRule => 13,
        ErrorKind::IllegalTransition => 14,
        ErrorKind::OutOfOrder => 15,
        _ => return None,
    })
}

struct Classes {
    root: Py<PyType>,
    kinds: Vec<Py<PyType>>,
}

static CLASSES: PyOnceLock<Classes> = PyOnceLock::new();

/// Creates the exception classes and adds them to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let classes = CLASSES.get_or_try_init(py, || create(py))?;
    m.add("CemError", classes.root.bind(py))?;
    for ((_, name), class) in KINDS.iter().zip(&classes.kinds) {
        m.add(*name, class.bind(py))?;
    }
    Ok(())
}

fn create(py: Python<'_>) -> PyResult<Classes> {
    let root = new_class(
        py,
        "CemError",
        PyTuple::new(py, [py.get_type::<PyException>()])?,
        None,
        "Base class of every error cem raises; `code` is the stable machine-readable kind.",
    )?;
    let mut kinds = Vec::with_capacity(KINDS.len());
    for (kind, name) in KINDS {
        let bases = if kind.is_validation() {
            PyTuple::new(py, [root.bind(py).clone(), py.get_type::<PyValueError>()])?
        } else {
            PyTuple::new(py, [root.bind(py).clone()])?
        };
        let doc = format!("cem error of kind `{}`.", kind.code());
        kinds.push(new_class(py, name, bases, Some(kind.code()), &doc)?);
    }
    Ok(Classes { root, kinds })
}

/// `type(name, bases, {...})`: exception classes with several bases, defined in module `cem`.
fn new_class(
    py: Python<'_>,
    name: &str,
    bases: Bound<'_, PyTuple>,
    code: Option<&str>,
    doc: &str,
) -> PyResult<Py<PyType>> {
    let dict = PyDict::new(py);
    dict.set_item("__module__", "cem")?;
    dict.set_item("__doc__", doc)?;
    dict.set_item("code", code)?;
    if name == "InvalidAnswersError" {
        dict.set_item("problems", PyTuple::empty(py))?;
    }
    let class = py.get_type::<PyType>().call1((name, bases, dict))?;
    Ok(class.cast_into::<PyType>()?.unbind())
}

/// The Python exception for a core error: the class of its kind, with the core's message.
pub fn to_py(err: Error) -> PyErr {
    Python::attach(|py| match CLASSES.get(py) {
        Some(classes) => {
            let class = slot(err.kind())
                .and_then(|i| classes.kinds.get(i))
                .unwrap_or(&classes.root);
            let exc = PyErr::from_type(class.bind(py).clone(), err.to_string());
            match &err {
                Error::InvalidAnswers(problems) => with_problems(py, exc, problems),
                _ => exc,
            }
        }
        None => PyRuntimeError::new_err(err.to_string()),
    })
}

/// `InvalidAnswersError.problems`: the list of `cem.survey.AnswerProblem`s, set on the
/// instance (the class holds an empty tuple).
fn with_problems(py: Python<'_>, exc: PyErr, problems: &[cem_core::AnswerProblem]) -> PyErr {
    let set = crate::survey::problems(py, problems)
        .and_then(|list| exc.value(py).setattr("problems", list));
    match set {
        Ok(()) => exc,
        Err(e) => e,
    }
}

/// `?`-friendly conversion of core results.
pub trait CoreResult<T> {
    /// Turns a core error into the matching Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> CoreResult<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py)
    }
}
