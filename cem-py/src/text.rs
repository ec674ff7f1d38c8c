//! `cem.text`: the native side of sentiment, key phrases and complaint detection.
//!
//! Thin: texts come in as Python strings (borrowed, not copied, where the interpreter
//! allows), the core runs without the GIL, results go out as numpy arrays and lists that
//! `cem/text.py` turns into the caller's frame type. Missing texts are rejected in Python
//! before they get here.
use cem_core::text as ct;
use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyDict, PyTuple};

use crate::error::CoreResult;

/// Registers the functions and constants of this module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_sentiment, m)?)?;
    m.add_function(wrap_pyfunction!(_polarity, m)?)?;
    m.add_function(wrap_pyfunction!(_key_phrases, m)?)?;
    m.add_function(wrap_pyfunction!(_complaints, m)?)?;
    m.add(
        "ENGLISH_STOPWORDS",
        PyTuple::new(m.py(), ct::ENGLISH_STOPWORDS)?,
    )?;
    m.add("DEFAULT_MAX_CHARS", ct::DEFAULT_MAX_CHARS)?;
    m.add("COMPLAINT_CUES", PyTuple::new(m.py(), ct::COMPLAINT_CUES)?)?;
    Ok(())
}

/// VADER scores of each text as columns ``neg``, ``neu``, ``pos``, ``compound`` (float64
/// arrays) and ``label`` (list of str).
///
/// Examples
/// --------
/// >>> from cem._cem import _sentiment
/// >>> out = _sentiment(["The book was good.", "Worst service ever"])
/// >>> out["compound"].tolist(), out["label"]
/// ([0.4404, -0.6249], ['positive', 'negative'])
#[pyfunction]
#[pyo3(signature = (texts, max_chars=ct::DEFAULT_MAX_CHARS))]
fn _sentiment<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    max_chars: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let limits = ct::TextLimits { max_chars };
    let scores = py.detach(|| ct::sentiment_with(&texts, &limits)).py()?;
    let out = PyDict::new(py);
    let col = |f: fn(&ct::Polarity) -> f64| scores.iter().map(f).collect::<Vec<f64>>();
    out.set_item("neg", col(|p| p.neg).into_pyarray(py))?;
    out.set_item("neu", col(|p| p.neu).into_pyarray(py))?;
    out.set_item("pos", col(|p| p.pos).into_pyarray(py))?;
    out.set_item("compound", col(|p| p.compound).into_pyarray(py))?;
    let labels: Vec<&str> = scores.iter().map(|p| p.label().as_str()).collect();
    out.set_item("label", labels)?;
    Ok(out)
}

/// VADER scores of one text, as vaderSentiment's ``polarity_scores`` returns them.
///
/// Examples
/// --------
/// >>> from cem._cem import _polarity
/// >>> _polarity("Not bad at all")
/// {'neg': 0.0, 'neu': 0.513, 'pos': 0.487, 'compound': 0.431}
#[pyfunction]
#[pyo3(signature = (text, max_chars=ct::DEFAULT_MAX_CHARS))]
fn _polarity<'py>(py: Python<'py>, text: &str, max_chars: usize) -> PyResult<Bound<'py, PyDict>> {
    let p = ct::polarity_with(text, &ct::TextLimits { max_chars }).py()?;
    let out = PyDict::new(py);
    out.set_item("neg", p.neg)?;
    out.set_item("neu", p.neu)?;
    out.set_item("pos", p.pos)?;
    out.set_item("compound", p.compound)?;
    Ok(out)
}

/// Key phrases per group code: columns ``group``, ``phrase``, ``z``, ``delta``, ``count``,
/// ``other_count`` as lists.
///
/// Examples
/// --------
/// >>> from cem._cem import _key_phrases
/// >>> out = _key_phrases(["hold music", "hold music", "nice app", "nice app"], [0, 0, 1, 1], min_count=2)
/// >>> out["group"], out["phrase"]
/// ([0, 0, 0, 1, 1, 1], ['hold', 'hold music', 'music', 'app', 'nice', 'nice app'])
#[pyfunction]
#[pyo3(signature = (texts, groups, *, min_n=1, max_n=2, top=10, min_count=3, prior_scale=1.0, stopwords=None))]
#[allow(clippy::too_many_arguments)]
fn _key_phrases<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    groups: Vec<u32>,
    min_n: usize,
    max_n: usize,
    top: usize,
    min_count: u64,
    prior_scale: f64,
    stopwords: Option<Vec<String>>,
) -> PyResult<Bound<'py, PyDict>> {
    let options = ct::PhraseOptions {
        min_n,
        max_n,
        top,
        min_count,
        prior_scale,
        stopwords,
    };
    let rows = py
        .detach(|| ct::key_phrases(&texts, &groups, &options))
        .py()?;
    let out = PyDict::new(py);
    out.set_item("group", rows.iter().map(|r| r.group).collect::<Vec<_>>())?;
    out.set_item(
        "phrase",
        rows.iter().map(|r| r.phrase.as_str()).collect::<Vec<_>>(),
    )?;
    out.set_item("z", rows.iter().map(|r| r.z).collect::<Vec<_>>())?;
    out.set_item("delta", rows.iter().map(|r| r.delta).collect::<Vec<_>>())?;
    out.set_item("count", rows.iter().map(|r| r.count).collect::<Vec<_>>())?;
    out.set_item(
        "other_count",
        rows.iter().map(|r| r.other_count).collect::<Vec<_>>(),
    )?;
    Ok(out)
}

/// Complaint verdicts: columns ``is_complaint`` (bool array), ``compound`` (float64 array)
/// and ``cues`` (list of lists of str).
///
/// Examples
/// --------
/// >>> from cem._cem import _complaints
/// >>> out = _complaints(["Great!", "Never again."])
/// >>> out["is_complaint"].tolist(), out["cues"]
/// ([False, True], [[], ['never again']])
#[pyfunction]
#[pyo3(signature = (texts, max_chars=ct::DEFAULT_MAX_CHARS))]
fn _complaints<'py>(
    py: Python<'py>,
    texts: Vec<PyBackedStr>,
    max_chars: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let limits = ct::TextLimits { max_chars };
    let found = py.detach(|| ct::complaints_with(&texts, &limits)).py()?;
    let out = PyDict::new(py);
    let flags: Vec<bool> = found.iter().map(|c| c.is_complaint).collect();
    let compound: Vec<f64> = found.iter().map(|c| c.compound).collect();
    out.set_item("is_complaint", flags.into_pyarray(py))?;
    out.set_item("compound", compound.into_pyarray(py))?;
    out.set_item(
        "cues",
        found.iter().map(|c| c.cues.clone()).collect::<Vec<_>>(),
    )?;
    Ok(out)
}
