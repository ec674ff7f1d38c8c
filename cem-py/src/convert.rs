//! Every conversion between Python objects and the core's plain types.
//!
//! Row-wise inputs (the single metrics' `scores`, `weights`, ...) are any iterable — list,
//! tuple, numpy array, pandas/polars Series; objects with a `tolist()` method (numpy, pandas)
//! are converted through it first, which is much faster than iterating numpy scalars.
//!
//! Columns for the columnar kernels ([`column_of`], [`times`]) are read in place from numpy
//! and Arrow memory where the dtype allows; see the "columns" section below.
use cem_core::Error;
use cem_core::metrics::{CesScale, Method};
use pyo3::prelude::*;

use crate::error::CoreResult;

/// One answer on an integer scale. Integers and whole floats are accepted.
pub fn score(item: &Bound<'_, PyAny>) -> PyResult<u8> {
    let value = match item.extract::<i64>() {
        Ok(v) => v,
        Err(not_int) => {
            let Ok(x) = item.extract::<f64>() else {
                return Err(not_int);
            };
            whole(x).py()?
        }
    };
    u8::try_from(value)
        .map_err(|_| Error::OutOfRange {
            field: "score".to_owned(),
            value: value.to_string(),
            expected: "0..=255".to_owned(),
        })
        .py()
}

/// A column of answers.
pub fn scores(obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    column(obj, score)
}

/// One real value (weights, values of a mean); NaN and infinities pass through for the core
/// to reject with its own message.
pub fn real(item: &Bound<'_, PyAny>) -> PyResult<f64> {
    item.extract::<f64>()
}

/// A column of real values.
pub fn reals(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    column(obj, real)
}

/// One yes/no outcome: `bool`, `numpy.bool_`, or the integers 0 and 1.
pub fn outcome(item: &Bound<'_, PyAny>) -> PyResult<bool> {
    if let Ok(b) = item.extract::<bool>() {
        return Ok(b);
    }
    match item.extract::<i64>()? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(Error::OutOfRange {
            field: "outcome".to_owned(),
            value: other.to_string(),
            expected: "{False, True, 0, 1}".to_owned(),
        })
        .py(),
    }
}

/// A column of outcomes.
pub fn outcomes(obj: &Bound<'_, PyAny>) -> PyResult<Vec<bool>> {
    column(obj, outcome)
}

/// An interval method by name (`"wilson"`, `"adjusted-wald"`, ...).
pub fn method(name: &str) -> PyResult<Method> {
    Method::parse(name).py()
}

/// A CES scale by name: `"agreement7"` or `"legacy_effort5"` (`-` and `_` interchangeable).
pub fn ces_scale(name: &str) -> PyResult<CesScale> {
    let key = name.trim().to_ascii_lowercase().replace('-', "_");
    serde_json::from_value(serde_json::Value::String(key))
        .map_err(|_| Error::InvalidArgument {
            name: "scale".to_owned(),
            reason: format!("unknown CES scale `{name}`; expected agreement7 or legacy_effort5"),
        })
        .py()
}

/// The serde name of a CES scale (inverse of [`ces_scale`]).
pub fn ces_scale_name(scale: CesScale) -> String {
    match serde_json::to_value(scale) {
        Ok(serde_json::Value::String(s)) => s,
        _ => format!("{scale:?}"),
    }
}

/// A narrow integer from a Python int (constructor arguments such as CSAT's `max`).
pub fn small(name: &str, value: i64) -> PyResult<u8> {
    u8::try_from(value)
        .map_err(|_| Error::InvalidArgument {
            name: name.to_owned(),
            reason: format!("`{value}` is outside 0..=255"),
        })
        .py()
}

fn whole(x: f64) -> Result<i64, Error> {
    if !(x.is_finite() && x.fract() == 0.0) {
        Err(Error::InvalidNumber {
            field: "score".to_owned(),
            value: x.to_string(),
            reason: "is not a whole number".to_owned(),
        })
    } else if x.abs() >= 9.0e15 {
        // Whole, but far off every scale (and past the integers a float holds exactly).
        Err(Error::OutOfRange {
            field: "score".to_owned(),
            value: x.to_string(),
            expected: "0..=255".to_owned(),
        })
    } else {
        #[allow(clippy::cast_possible_truncation)] // checked: finite, whole, |x| < 2^53
        Ok(x as i64)
    }
}

fn column<T>(
    obj: &Bound<'_, PyAny>,
    item: impl Fn(&Bound<'_, PyAny>) -> PyResult<T>,
) -> PyResult<Vec<T>> {
    let obj = if obj.hasattr("tolist")? {
        obj.call_method0("tolist")?
    } else {
        obj.clone()
    };
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for x in obj.try_iter()? {
        out.push(item(&x?)?);
    }
    Ok(out)
}

// ------------------------------------------------------------------------------ columns
//
// Zero-copy columns for the columnar kernels (issue #4). A [`Column`] is a slice the core can
// read. It borrows the caller's memory when the dtype already is the one the core wants:
//
// | core wants | borrowed from (no copy) |
// |---|---|
// | `u8` scores | numpy `uint8`, Arrow `uint8` |
// | `u32` codes | numpy `uint32`, Arrow `uint32`, the `uint32` indices of an Arrow dictionary (polars categoricals) |
// | `i64` times | numpy `int64`/`datetime64[*]`, Arrow `int64`/`timestamp[*]`/`date64` |
// | `f64` weights | numpy `float64`, Arrow `float64` |
//
// Anything else that holds numbers (other integer widths, floats holding whole numbers, Arrow
// columns of several chunks, Python lists) is converted **once** into a new vector, checking
// every value (no silent wrap-around). Arrow nulls are an error naming the column and the
// first null's position; they are never dropped or turned into NaN.
//
// Arrow data comes through the Arrow PyCapsule interface (`__arrow_c_array__`,
// `__arrow_c_stream__`: pyarrow, polars, pandas >= 3, nanoarrow, ...) with `pyo3-arrow`; numpy
// arrays through the `numpy` crate. The buffer protocol is not used: it is in the limited API
// only from Python 3.11, and the package is built for abi3-py39.

use arrow_array::cast::AsArray;
use arrow_array::types as at;
use arrow_array::{Array, ArrayRef};
use arrow_buffer::{ArrowNativeType, ScalarBuffer};
use arrow_schema::{DataType, TimeUnit as ArrowUnit};
use cem_core::metrics::TimeUnit;
use numpy::{
    PyArray1, PyArrayDescrMethods, PyArrayMethods, PyReadonlyArray1, PyUntypedArray,
    PyUntypedArrayMethods,
};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3_arrow::{PyArray as ArrowArray, PyChunkedArray};

/// The element types the kernels read.
pub trait Target: numpy::Element + ArrowNativeType + Copy + PartialEq + Send + Sync {
    /// The name of the wanted dtype, for messages.
    const DTYPE: &'static str;
    /// The Arrow type whose values are `Self`.
    type Arrow: at::ArrowPrimitiveType<Native = Self>;
    fn from_i64(v: i64) -> Option<Self>;
    fn from_u64(v: u64) -> Option<Self>;
    fn from_f64(v: f64) -> Option<Self>;
}

impl Target for u8 {
    const DTYPE: &'static str = "uint8";
    type Arrow = at::UInt8Type;
    fn from_i64(v: i64) -> Option<Self> {
        u8::try_from(v).ok()
    }
    fn from_u64(v: u64) -> Option<Self> {
        u8::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        whole(v).ok().and_then(Self::from_i64)
    }
}

impl Target for u32 {
    const DTYPE: &'static str = "uint32";
    type Arrow = at::UInt32Type;
    fn from_i64(v: i64) -> Option<Self> {
        u32::try_from(v).ok()
    }
    fn from_u64(v: u64) -> Option<Self> {
        u32::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        whole(v).ok().and_then(Self::from_i64)
    }
}

impl Target for i64 {
    const DTYPE: &'static str = "int64";
    type Arrow = at::Int64Type;
    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }
    fn from_u64(v: u64) -> Option<Self> {
        i64::try_from(v).ok()
    }
    fn from_f64(v: f64) -> Option<Self> {
        whole(v).ok()
    }
}

impl Target for f64 {
    const DTYPE: &'static str = "float64";
    type Arrow = at::Float64Type;
    #[allow(clippy::cast_precision_loss)] // weights beyond 2^53 lose digits as Python floats do
    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }
    #[allow(clippy::cast_precision_loss)]
    fn from_u64(v: u64) -> Option<Self> {
        Some(v as f64)
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }
}

/// A column the core can read as a slice; see the table above for when it is borrowed.
pub enum Column<'py, T: Target> {
    /// A C-contiguous numpy array of exactly `T` (borrowed, read-only).
    Numpy(PyReadonlyArray1<'py, T>),
    /// The values buffer of a one-chunk Arrow array of exactly `T` (borrowed, refcounted).
    Arrow(ScalarBuffer<T>),
    /// Converted once.
    Owned(Vec<T>),
}

impl<T: Target> Column<'_, T> {
    /// The values.
    pub fn as_slice(&self) -> &[T] {
        match self {
            // Only C-contiguous arrays become `Numpy`, for which `as_slice` cannot fail.
            Column::Numpy(a) => a.as_slice().unwrap_or(&[]),
            Column::Arrow(b) => b,
            Column::Owned(v) => v,
        }
    }

    /// Whether the values are the caller's memory (no copy was made).
    pub fn is_borrowed(&self) -> bool {
        !matches!(self, Column::Owned(_))
    }
}

/// A column of `T` from any column-like object; `name` is the column's name in errors.
///
/// # Errors
/// `TypeError` for something that is not a one-dimensional column of numbers; a
/// `cem.InvalidNumberError` for nulls, and `cem.OutOfRangeError` for values `T` cannot hold.
pub fn column_of<'py, T: Target>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Column<'py, T>> {
    Ok(timed_column_of::<T>(obj, name, false)?.0)
}

/// A column of timestamps as `i64`, with the unit the column carries (numpy `datetime64`,
/// Arrow `timestamp`/`date32`/`date64`); `None` for plain integers, which are read in the
/// accumulator's unit.
pub fn times<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
) -> PyResult<(Column<'py, i64>, Option<TimeUnit>)> {
    timed_column_of::<i64>(obj, name, true)
}

fn timed_column_of<'py, T: Target>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    temporal: bool,
) -> PyResult<(Column<'py, T>, Option<TimeUnit>)> {
    let py = obj.py();
    if let Ok(arr) = obj.cast::<PyUntypedArray>() {
        return numpy_column(arr, name, temporal);
    }
    // pandas (and other) objects backed by a numpy array: take the array (no copy).
    if let Ok(dtype) = obj.getattr(intern!(py, "dtype"))
        && dtype.is_instance_of::<numpy::PyArrayDescr>()
        && obj.hasattr(intern!(py, "__array__"))?
    {
        let np = py.import(intern!(py, "numpy"))?;
        let arr = np.call_method1(intern!(py, "asarray"), (obj,))?;
        if let Ok(arr) = arr.cast::<PyUntypedArray>() {
            return numpy_column(arr, name, temporal);
        }
    }
    if obj.hasattr(intern!(py, "__arrow_c_array__"))? {
        let arr: ArrowArray = obj.extract()?;
        return arrow_column(std::slice::from_ref(arr.array()), name, temporal);
    }
    if obj.hasattr(intern!(py, "__arrow_c_stream__"))? {
        let chunked: PyChunkedArray = obj.extract()?;
        return arrow_column(chunked.chunks(), name, temporal);
    }
    if obj.is_instance_of::<pyo3::types::PyString>() || !obj.hasattr(intern!(py, "__iter__"))? {
        return Err(PyTypeError::new_err(format!(
            "column `{name}` must be a column of numbers (numpy array, pyarrow/polars/pandas column or list), not `{}`",
            obj.get_type().name()?
        )));
    }
    let mut out = Vec::with_capacity(obj.len().unwrap_or(0));
    for (pos, item) in obj.try_iter()?.enumerate() {
        let item = item?;
        if item.is_none() {
            return Err(null_error(name, pos));
        }
        let v = match item.extract::<i64>() {
            Ok(i) => T::from_i64(i).ok_or_else(|| out_of_range::<T>(name, pos, &i.to_string())),
            Err(_) => match item.extract::<f64>() {
                Ok(x) => T::from_f64(x).ok_or_else(|| bad_value::<T>(name, pos, &x.to_string())),
                Err(_) => Err(PyTypeError::new_err(format!(
                    "column `{name}` at position {pos} holds `{}`, not a number",
                    item.repr()?
                ))),
            },
        }?;
        out.push(v);
    }
    Ok((Column::Owned(out), None))
}

fn numpy_column<'py, T: Target>(
    arr: &Bound<'py, PyUntypedArray>,
    name: &str,
    temporal: bool,
) -> PyResult<(Column<'py, T>, Option<TimeUnit>)> {
    let py = arr.py();
    if arr.ndim() != 1 {
        return Err(PyTypeError::new_err(format!(
            "column `{name}` must be one-dimensional, not of shape {:?}",
            arr.shape()
        )));
    }
    let dtype = arr.dtype();
    if temporal && dtype.char() == b'M' {
        // datetime64[unit]: view the same memory as int64 (numpy makes no copy).
        let text = dtype.str()?.to_string();
        let unit = text
            .rsplit_once('[')
            .and_then(|(_, u)| u.strip_suffix(']'))
            .and_then(|u| TimeUnit::parse(u).ok())
            .ok_or_else(|| {
                PyTypeError::new_err(format!(
                    "column `{name}` has dtype `{text}`; datetime64 columns must be in s, ms, us or ns"
                ))
            })?;
        let view = arr.call_method1(intern!(py, "view"), ("int64",))?;
        let view = view.cast::<PyUntypedArray>()?;
        let column = numpy_column::<T>(view, name, false)?.0;
        // NaT is i64::MIN: a missing value, reported as such (one pass over the column).
        let nat = T::from_i64(i64::MIN);
        if let Some(pos) = column.as_slice().iter().position(|&x| Some(x) == nat) {
            return Err(null_error(name, pos));
        }
        return Ok((column, Some(unit)));
    }
    if let Ok(same) = arr.cast::<PyArray1<T>>() {
        let ro = same.readonly();
        if ro.is_contiguous() {
            return Ok((Column::Numpy(ro), None));
        }
        return Ok((Column::Owned(ro.as_array().iter().copied().collect()), None));
    }
    macro_rules! convert_from {
        ($($src:ty => $conv:ident),*) => {$(
            if let Ok(a) = arr.cast::<PyArray1<$src>>() {
                let ro = a.readonly();
                let mut out = Vec::with_capacity(ro.len());
                for (pos, &v) in ro.as_array().iter().enumerate() {
                    #[allow(clippy::cast_lossless, trivial_numeric_casts)]
                    let converted = T::$conv(v as _);
                    out.push(converted.ok_or_else(|| bad_value::<T>(name, pos, &v.to_string()))?);
                }
                return Ok((Column::Owned(out), None));
            }
        )*};
    }
    convert_from!(
        i8 => from_i64, i16 => from_i64, i32 => from_i64, i64 => from_i64,
        u8 => from_u64, u16 => from_u64, u32 => from_u64, u64 => from_u64,
        f32 => from_f64, f64 => from_f64
    );
    if let Ok(a) = arr.cast::<PyArray1<bool>>() {
        let ro = a.readonly();
        let out = ro
            .as_array()
            .iter()
            .map(|&b| T::from_i64(i64::from(b)))
            .collect::<Option<Vec<T>>>();
        return out.map(|v| (Column::Owned(v), None)).ok_or_else(|| {
            PyTypeError::new_err(format!(
                "column `{name}` holds booleans, expected {}",
                T::DTYPE
            ))
        });
    }
    Err(PyTypeError::new_err(format!(
        "column `{name}` has dtype `{}`; expected numbers ({})",
        dtype.str()?,
        T::DTYPE
    )))
}

fn arrow_column<'py, T: Target>(
    chunks: &[ArrayRef],
    name: &str,
    temporal: bool,
) -> PyResult<(Column<'py, T>, Option<TimeUnit>)> {
    let mut unit = None;
    let mut offset = 0;
    let mut parts = Vec::with_capacity(chunks.len());
    for chunk in chunks {
        let (part, u) = arrow_chunk::<T>(chunk.as_ref(), name, temporal, offset)?;
        unit = unit.or(u);
        offset += chunk.len();
        parts.push(part);
    }
    // One borrowed chunk stays borrowed; several chunks are concatenated once.
    if let [Ok(buffer)] = parts.as_slice() {
        return Ok((Column::Arrow(buffer.clone()), unit));
    }
    let mut out = Vec::with_capacity(offset);
    for part in parts {
        match part {
            Ok(buffer) => out.extend_from_slice(&buffer),
            Err(vec) => out.extend(vec),
        }
    }
    Ok((Column::Owned(out), unit))
}

/// One Arrow chunk: `Ok(buffer)` when borrowed, `Err(vec)` when converted.
#[allow(clippy::type_complexity)]
fn arrow_chunk<T: Target>(
    arr: &dyn Array,
    name: &str,
    temporal: bool,
    offset: usize,
) -> PyResult<(Result<ScalarBuffer<T>, Vec<T>>, Option<TimeUnit>)> {
    if arr.null_count() > 0 {
        let pos = (0..arr.len()).find(|&i| arr.is_null(i)).unwrap_or(0);
        return Err(null_error(name, offset + pos));
    }
    let dt = arr.data_type();
    if let DataType::Dictionary(..) = dt
        && !temporal
    {
        // Categorical columns: the codes are the dictionary's indices.
        let dict = arr.as_any_dictionary();
        return arrow_chunk::<T>(dict.keys(), name, false, offset);
    }
    if temporal && T::DTYPE == "int64" {
        // Timestamps and date64 are i64 underneath: the same buffer, read with its unit.
        let found = match dt {
            DataType::Timestamp(ArrowUnit::Second, _) => Some((
                arr.as_primitive::<at::TimestampSecondType>()
                    .values()
                    .clone(),
                TimeUnit::Seconds,
            )),
            DataType::Timestamp(ArrowUnit::Millisecond, _) => Some((
                arr.as_primitive::<at::TimestampMillisecondType>()
                    .values()
                    .clone(),
                TimeUnit::Millis,
            )),
            DataType::Timestamp(ArrowUnit::Microsecond, _) => Some((
                arr.as_primitive::<at::TimestampMicrosecondType>()
                    .values()
                    .clone(),
                TimeUnit::Micros,
            )),
            DataType::Timestamp(ArrowUnit::Nanosecond, _) => Some((
                arr.as_primitive::<at::TimestampNanosecondType>()
                    .values()
                    .clone(),
                TimeUnit::Nanos,
            )),
            DataType::Date64 => Some((
                arr.as_primitive::<at::Date64Type>().values().clone(),
                TimeUnit::Millis,
            )),
            DataType::Date32 => {
                // Days: converted once to seconds.
                let days = arr.as_primitive::<at::Date32Type>().values();
                let secs = days
                    .iter()
                    .map(|&d| i64::from(d) * 86_400)
                    .collect::<Vec<i64>>();
                Some((ScalarBuffer::from(secs), TimeUnit::Seconds))
            }
            _ => None,
        };
        if let Some((values, unit)) = found {
            // T is i64 here (checked above): the buffer keeps its type.
            return Ok((Ok(ScalarBuffer::<T>::from(values.into_inner())), Some(unit)));
        }
    }
    if dt == &<T::Arrow as at::ArrowPrimitiveType>::DATA_TYPE {
        return Ok((Ok(arr.as_primitive::<T::Arrow>().values().clone()), None));
    }
    macro_rules! convert_from {
        ($($dt:ident => $ty:ty, $conv:ident);*) => {
            match dt {
                $(DataType::$dt => {
                    let values = arr.as_primitive::<$ty>().values();
                    let mut out = Vec::with_capacity(values.len());
                    for (pos, &v) in values.iter().enumerate() {
                        #[allow(clippy::cast_lossless, trivial_numeric_casts)]
                        let converted = T::$conv(v as _);
                        out.push(converted.ok_or_else(|| bad_value::<T>(name, offset + pos, &v.to_string()))?);
                    }
                    Ok((Err(out), None))
                })*
                other => Err(PyTypeError::new_err(format!(
                    "column `{name}` has Arrow type `{other}`; expected numbers ({})",
                    T::DTYPE
                ))),
            }
        };
    }
    convert_from!(
        Int8 => at::Int8Type, from_i64; Int16 => at::Int16Type, from_i64;
        Int32 => at::Int32Type, from_i64; Int64 => at::Int64Type, from_i64;
        UInt8 => at::UInt8Type, from_u64; UInt16 => at::UInt16Type, from_u64;
        UInt32 => at::UInt32Type, from_u64; UInt64 => at::UInt64Type, from_u64;
        Float32 => at::Float32Type, from_f64; Float64 => at::Float64Type, from_f64
    )
}

fn null_error(name: &str, pos: usize) -> PyErr {
    Error::InvalidNumber {
        field: format!("column `{name}` at position {pos}"),
        value: "null".to_owned(),
        reason: "is missing; drop or fill missing values first".to_owned(),
    }
    .into_py_err()
}

/// The error for a value `T` cannot hold: a fraction or NaN is not a whole number, anything
/// else is out of range.
fn bad_value<T: Target>(name: &str, pos: usize, value: &str) -> PyErr {
    match value.parse::<f64>() {
        Ok(x) if T::DTYPE != "float64" && !(x.is_finite() && x.fract() == 0.0) => {
            Error::InvalidNumber {
                field: format!("column `{name}` at position {pos}"),
                value: value.to_owned(),
                reason: if x.is_finite() {
                    "is not a whole number"
                } else {
                    "is not a finite number"
                }
                .to_owned(),
            }
            .into_py_err()
        }
        _ => out_of_range::<T>(name, pos, value),
    }
}

fn out_of_range<T: Target>(name: &str, pos: usize, value: &str) -> PyErr {
    Error::OutOfRange {
        field: format!("column `{name}` at position {pos}"),
        value: value.to_owned(),
        expected: format!("what {} holds", T::DTYPE),
    }
    .into_py_err()
}

trait IntoPyErr {
    fn into_py_err(self) -> PyErr;
}

impl IntoPyErr for Error {
    fn into_py_err(self) -> PyErr {
        crate::error::to_py(self)
    }
}
