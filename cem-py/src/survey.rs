//! `cem.survey`: questionnaire definitions, validation and scoring of answers, and survey
//! aggregates. Thin: convert the answers dict, call `cem_core::survey` once, convert back.
//!
//! Results that are plain data in the core (question definitions, scored responses,
//! summaries) come back as plain Python dicts and lists, built from their serde form, so
//! they read the same as the JSON the browser package produces.
use std::collections::BTreeMap;

use cem_core::model::Answer;
use cem_core::survey as cs;
use cem_core::{AnswerProblem as CoreProblem, Error};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyList, PyString, PyTuple, PyType};
use serde::Serialize;
use serde_json::Value;

use crate::convert;
use crate::error::CoreResult;

/// Registers the classes of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Survey>()?;
    m.add_class::<AnswerProblem>()?;
    m.add_class::<SurveyAggregate>()?;
    Ok(())
}

// ------------------------------------------------------------------------------ AnswerProblem

/// One problem found in a set of answers.
///
/// Attributes
/// ----------
/// question : str
///     The question the problem is about.
/// code : str
///     A stable code: ``unknown_question``, ``missing_required``, ``out_of_range``,
///     ``wrong_type``, ``hidden_question``, ``unknown_option``, ``too_many_choices``,
///     ``duplicate_choice`` or ``too_long``.
/// message : str
///     A readable message naming the question and the value.
///
/// Examples
/// --------
/// >>> from cem.survey import AnswerProblem
/// >>> AnswerProblem("nps", "out_of_range", "nps: `11` is outside 0..=10")
/// AnswerProblem(question='nps', code='out_of_range', message='nps: `11` is outside 0..=10')
#[pyclass(module = "cem.survey", frozen, eq, get_all)]
#[derive(Clone, PartialEq)]
pub struct AnswerProblem {
    question: String,
    code: String,
    message: String,
}

impl From<CoreProblem> for AnswerProblem {
    fn from(p: CoreProblem) -> Self {
        AnswerProblem {
            question: p.question,
            code: p.code,
            message: p.message,
        }
    }
}

#[pymethods]
impl AnswerProblem {
    #[new]
    fn py_new(question: String, code: String, message: String) -> Self {
        AnswerProblem {
            question,
            code,
            message,
        }
    }

    fn __repr__(&self) -> String {
        format!(
            "AnswerProblem(question={}, code={}, message={})",
            py_str(&self.question),
            py_str(&self.code),
            py_str(&self.message)
        )
    }

    fn __str__(&self) -> String {
        self.message.clone()
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let p = slf.get();
        let args =
            (p.question.clone(), p.code.clone(), p.message.clone()).into_pyobject(slf.py())?;
        Ok((slf.get_type(), args))
    }
}

/// The problems of an `InvalidAnswers` error as Python objects (for `InvalidAnswersError.problems`).
pub fn problems<'py>(py: Python<'py>, problems: &[CoreProblem]) -> PyResult<Bound<'py, PyList>> {
    PyList::new(py, problems.iter().map(|p| AnswerProblem::from(p.clone())))
}

// ------------------------------------------------------------------------------ Survey

/// A checked questionnaire definition: NPS, CSAT, CES, Likert, rating, single and multiple
/// choice and free-text questions, with display logic (``show_if``).
///
/// Answers are a dict ``{question_id: answer}``: a number for scale questions (whole
/// numbers; ``int`` or ``float``), the option id (``str``) for single choice, a list of
/// option ids for multiple choice, a ``str`` for text. A ``None`` value counts as not
/// answered (as an absent key).
///
/// Parameters
/// ----------
/// definition : str
///     The survey as JSON text (same as :meth:`from_json`).
///
/// Raises
/// ------
/// JsonError
///     Text that is not JSON of a survey's shape.
/// InvalidSurveyError
///     A malformed definition (duplicate ids, conditions on later questions, ...).
///
/// Examples
/// --------
/// >>> from cem.survey import Survey
/// >>> s = Survey.from_json('''{"id": "pulse", "title": "Pulse", "questions": [
/// ...   {"id": "nps", "kind": "nps", "text": "Recommend us?", "required": true},
/// ...   {"id": "why", "kind": "text", "text": "Why so low?",
/// ...    "show_if": {"question": "nps", "less_than": 7}}]}''')
/// >>> s
/// Survey(id='pulse', title='Pulse', questions=2)
/// >>> s.visible_questions({"nps": 3})
/// ['nps', 'why']
/// >>> [p.code for p in s.validate({"nps": 11, "color": "red"})]
/// ['out_of_range', 'unknown_question']
/// >>> s.score({"nps": 10})["scores"]
/// [{'category': 'promoter', 'kind': 'nps', 'question': 'nps', 'score': 10}]
#[pyclass(module = "cem.survey", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct Survey {
    inner: cs::Survey,
}

impl Survey {
    /// The core definition.
    pub(crate) fn core(&self) -> &cs::Survey {
        &self.inner
    }
}

#[pymethods]
impl Survey {
    #[new]
    fn py_new(definition: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Survey {
            inner: cs::Survey::from_json(&text(definition, "definition")?).py()?,
        })
    }

    /// Reads and checks a survey definition from JSON text.
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Survey {
            inner: cs::Survey::from_json(&self::text(text, "text")?).py()?,
        })
    }

    /// The definition as JSON text (reads back with :meth:`from_json`).
    fn to_json(&self) -> PyResult<String> {
        self.inner.to_json().py()
    }

    /// The survey's id.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }

    /// The survey's title.
    #[getter]
    fn title(&self) -> &str {
        self.inner.title()
    }

    /// The questions, in order, as dicts in their JSON form (``id``, ``kind``, ``text``,
    /// ``required``, the kind's settings, ``show_if``).
    #[getter]
    fn questions<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &serde_value(self.inner.questions())?)
    }

    /// The ids of the questions shown for these answers, in order (display logic applied).
    fn visible_questions(&self, answers: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
        let answers = self::answers(answers)?;
        Ok(self
            .inner
            .visible_questions(&answers)
            .into_iter()
            .map(str::to_owned)
            .collect())
    }

    /// Every problem of these answers at once (an empty list when they are valid).
    fn validate(&self, answers: &Bound<'_, PyAny>) -> PyResult<Vec<AnswerProblem>> {
        let answers = self::answers(answers)?;
        Ok(self
            .inner
            .validate(&answers)
            .into_iter()
            .map(AnswerProblem::from)
            .collect())
    }

    /// Raises :class:`cem.InvalidAnswersError` (with ``.problems``) unless the answers are valid.
    ///
    /// Examples
    /// --------
    /// >>> import cem
    /// >>> s = cem.survey.Survey('{"id": "s", "questions": [{"id": "q", "kind": "csat", "text": "?", "required": true}]}')
    /// >>> try:
    /// ...     s.check({})
    /// ... except cem.InvalidAnswersError as err:
    /// ...     print([p.code for p in err.problems])
    /// ['missing_required']
    fn check(&self, answers: &Bound<'_, PyAny>) -> PyResult<()> {
        let answers = self::answers(answers)?;
        self.inner.check_answers(&answers).py()
    }

    /// Validates and scores a response: ``{"survey": id, "scores": [...]}`` with one dict
    /// per answered question (``question``, ``kind`` and the kind's fields, such as the NPS
    /// ``category`` or the CSAT ``satisfied`` flag).
    ///
    /// Raises :class:`cem.InvalidAnswersError` for invalid answers.
    fn score<'py>(
        &self,
        py: Python<'py>,
        answers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let answers = self::answers(answers)?;
        let scored = self.inner.score(&answers).py()?;
        to_python(py, &serde_value(&scored)?)
    }

    fn __repr__(&self) -> String {
        format!(
            "Survey(id={}, title={}, questions={})",
            py_str(self.inner.id()),
            py_str(self.inner.title()),
            self.inner.questions().len()
        )
    }

    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyType>, Bound<'py, PyTuple>)> {
        let text = slf.get().inner.to_json().py()?;
        Ok((slf.get_type(), (text,).into_pyobject(slf.py())?))
    }
}

// ------------------------------------------------------------------------------ SurveyAggregate

/// Accumulates responses to a survey per question (NPS, CSAT, CES, scale histograms, choice
/// counts), merges exactly, pickles, and summarizes with confidence intervals.
///
/// Parameters
/// ----------
/// survey : Survey
///     The survey whose responses are accumulated.
///
/// Examples
/// --------
/// >>> import cem, pickle
/// >>> s = cem.survey.Survey('''{"id": "post-contact", "questions": [
/// ...   {"id": "nps", "kind": "nps", "text": "Recommend us?", "required": true},
/// ...   {"id": "csat", "kind": "csat", "text": "Satisfied?"},
/// ...   {"id": "reason", "kind": "single_choice", "text": "Why?",
/// ...    "options": [{"id": "wait", "label": "Waiting"}, {"id": "price", "label": "Price"}],
/// ...    "show_if": {"question": "nps", "less_than": 7}}]}''')
/// >>> a, b = cem.survey.SurveyAggregate(s), cem.survey.SurveyAggregate(s)
/// >>> a.push({"nps": 10, "csat": 5})
/// >>> a.push({"nps": 3, "reason": "wait"}, weight=2.0)
/// >>> b.push({"nps": 9})
/// >>> b = pickle.loads(pickle.dumps(b))  # partials travel between processes
/// >>> a.merge(b)
/// >>> a.n, a.total_weight
/// (3, 4.0)
/// >>> nps = a.summary()["questions"][0]
/// >>> nps["question"], nps["n"], nps["kind"], nps["nps"]["value"]
/// ('nps', 3, 'nps', 0.0)
#[pyclass(module = "cem.survey", eq)]
#[derive(Clone, PartialEq)]
pub struct SurveyAggregate {
    inner: cs::SurveyAggregate,
}

#[pymethods]
impl SurveyAggregate {
    #[new]
    fn py_new(survey: &Survey) -> Self {
        SurveyAggregate {
            inner: cs::SurveyAggregate::new(&survey.inner),
        }
    }

    /// Adds one response (optionally with a survey weight); invalid answers raise
    /// :class:`cem.InvalidAnswersError` and add nothing.
    #[pyo3(signature = (answers, weight=None))]
    fn push(
        &mut self,
        answers: &Bound<'_, PyAny>,
        weight: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let answers = self::answers(answers)?;
        match weight {
            None => self.inner.push(&answers).py(),
            Some(w) => {
                let w = convert::real(w).map_err(|_| {
                    PyTypeError::new_err(format!("`weight` must be a number, got {}", type_name(w)))
                })?;
                self.inner.push_weighted(&answers, w).py()
            }
        }
    }

    /// Adds everything `other` has seen (an aggregate of the same survey).
    fn merge(slf: &Bound<'_, Self>, other: &Bound<'_, Self>) -> PyResult<()> {
        let other = other.borrow().inner.clone();
        slf.borrow_mut().inner.merge(&other).py()
    }

    /// Number of responses.
    #[getter]
    fn n(&self) -> u64 {
        self.inner.n()
    }

    /// Sum of the responses' weights.
    #[getter]
    fn total_weight(&self) -> f64 {
        self.inner.total_weight()
    }

    /// The survey.
    #[getter]
    fn survey(&self) -> Survey {
        Survey {
            inner: self.inner.survey().clone(),
        }
    }

    /// Per-question results with confidence intervals, as a dict: ``survey``, ``n``,
    /// ``weight``, ``confidence`` and ``questions`` (one dict per question with ``question``,
    /// ``n``, ``kind`` and the kind's estimates, level counts or option shares; an estimate
    /// is ``None`` where it is undefined, such as a question nobody answered).
    #[pyo3(signature = (confidence=0.95))]
    fn summary<'py>(&self, py: Python<'py>, confidence: f64) -> PyResult<Bound<'py, PyAny>> {
        let s = self.inner.summary(confidence).py()?;
        to_python(py, &serde_value(&s)?)
    }

    /// The state as JSON text (byte-identical to the Rust and JavaScript serializations).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(Error::from).py()
    }

    /// Rebuilds an aggregate from :meth:`to_json` output (validated).
    #[staticmethod]
    fn from_json(text: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(SurveyAggregate {
            inner: serde_json::from_str(&self::text(text, "text")?)
                .map_err(Error::from)
                .py()?,
        })
    }

    fn __getnewargs__(&self) -> (Survey,) {
        (self.survey(),)
    }

    fn __getstate__(&self) -> PyResult<String> {
        self.to_json()
    }

    fn __setstate__(&mut self, state: &str) -> PyResult<()> {
        self.inner = serde_json::from_str(state).map_err(Error::from).py()?;
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!(
            "SurveyAggregate(survey={}, n={})",
            py_str(self.inner.survey().id()),
            self.inner.n()
        )
    }
}

// ------------------------------------------------------------------------------ conversions
// TODO(#4): these belong in convert.rs; they move there once the column work in it lands.

/// A Python answers dict as the core's map. `None` values are left out (not answered).
pub(crate) fn answers(obj: &Bound<'_, PyAny>) -> PyResult<BTreeMap<String, Answer>> {
    let dict = obj.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!(
            "`answers` must be a dict of {{question_id: answer}}, got {}",
            type_name(obj)
        ))
    })?;
    let mut out = BTreeMap::new();
    for (key, value) in dict.iter() {
        let Ok(id) = key.extract::<String>() else {
            return Err(PyTypeError::new_err(format!(
                "`answers` keys must be question ids (str), got {}",
                type_name(&key)
            )));
        };
        if value.is_none() {
            continue;
        }
        let answer = answer(&value).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "the answer to `{id}` must be a number, a str or a list of str, got {}",
                type_name(&value)
            ))
        })?;
        out.insert(id, answer);
    }
    Ok(out)
}

fn answer(value: &Bound<'_, PyAny>) -> Option<Answer> {
    if value.is_instance_of::<PyBool>() {
        return None;
    }
    if value.is_instance_of::<PyString>() {
        return value.extract::<String>().ok().map(Answer::Text);
    }
    if value.is_instance_of::<PyFloat>() {
        return value.extract::<f64>().ok().map(Answer::Number);
    }
    if let Ok(i) = value.extract::<i64>() {
        #[allow(clippy::cast_precision_loss)]
        // scale answers are small; huge ones fail the range check
        return Some(Answer::Number(i as f64));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        return value.extract::<Vec<String>>().ok().map(Answer::Choices);
    }
    // numpy floats that are not Python floats (float32), Decimal, ...: anything with __float__.
    value.extract::<f64>().ok().map(Answer::Number)
}

/// A `str` argument, with a `TypeError` naming it otherwise.
fn text(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<String> {
    obj.extract::<String>().map_err(|_| {
        PyTypeError::new_err(format!(
            "`{name}` must be JSON text (str), got {}",
            type_name(obj)
        ))
    })
}

fn serde_value<T: Serialize + ?Sized>(x: &T) -> PyResult<Value> {
    serde_json::to_value(x).map_err(Error::from).py()
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_python(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

/// A Python string literal of `s` (for reprs).
fn py_str(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}
