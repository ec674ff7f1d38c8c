"""Private glue of :mod:`cem.loyalty` and :mod:`cem._survival`: reading transaction frames
(customer codes, observation ends), columns and flags for the native side, and converting
results back into the caller's frame kind. Nothing here is public API."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

import numpy as np

from cem import _frames
from cem._cem import InvalidArgumentError
from cem.metrics import Estimate, Proportion

_OUTPUTS = ("pandas", "polars", "pyarrow", "dict")
Instant = Union[int, float, str, _dt.date, _dt.datetime, np.datetime64]
"""A moment: a datetime, date, ISO string or numpy datetime64 (UTC when naive), or an integer
in the frame's ``time_unit``. A bare date (or date-only string) means the end of that day."""

def _pa() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa


def _read(frame: Any, output: Optional[str]) -> tuple[str, Any, str]:
    """(reader kind, frame to read, output kind)."""
    if isinstance(frame, Mapping):
        from cem.journey import _as_arrow_input

        table = _pa().table({str(k): _as_arrow_input(v) for k, v in frame.items()})
        return "pyarrow", table, _check_output(output or "dict")
    kind = _frames.frame_kind(frame)
    return kind, _frames.as_table(frame, kind), _check_output(output or kind)


def _customers(frame: Any, kind: str, name: str) -> tuple[Any, Any]:
    """``uint32`` codes (a column the native side reads) and the labels by code (pyarrow):
    non-negative integer ids are their own codes unless sparse, other ids are
    dictionary-encoded."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    pa = _pa()
    key = _frames._encode(frame, kind, name, need_radix=True)
    n = len(key.codes)
    if key.radix <= 2 * n + 1024:
        labels = key.decode(np.arange(key.radix, dtype=np.uint64))
        if isinstance(labels, pa.ChunkedArray):
            labels = labels.combine_chunks()
        return key.codes, labels
    # Sparse integer ids (say 10-digit customer numbers): number the ones that occur.
    col = _frames.column(frame, kind, name)
    if kind == "polars":
        col = col.to_arrow()
    arrow = col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([pa.array(col)])
    enc = pc.dictionary_encode(arrow).unify_dictionaries()
    labels = enc.chunk(0).dictionary if enc.num_chunks else pa.array([], arrow.type)
    return pa.chunked_array([ch.indices for ch in enc.chunks], enc.type.index_type), labels


def _by_customer(table: Any, customer: str) -> Any:
    """Rows in ascending customer order (as lifetimes' group-by gives them)."""
    labels = table.column(customer)
    if pa_is_sorted(labels):
        return table
    return table.sort_by([(customer, "ascending")])


def pa_is_sorted(labels: Any) -> bool:
    pa = _pa()
    if len(labels) < 2 or not (pa.types.is_integer(labels.type) or pa.types.is_floating(labels.type)):
        return len(labels) < 2
    v = labels.to_numpy()
    return bool((v[1:] >= v[:-1]).all())


def _check_output(output: str) -> str:
    if output not in _OUTPUTS:
        raise InvalidArgumentError(f"invalid `output`: `{output}`; expected one of {', '.join(_OUTPUTS)}")
    return output


def _convert(table: Any, output: str) -> Any:
    from cem.journey import _convert as convert

    return convert(table, output)


def _column(values: Any) -> Any:
    """A column the native side reads (numpy, Arrow and polars as they are; pandas Series as
    their numpy array; other iterables as lists)."""
    if values is None:
        return None
    if type(values).__module__.split(".")[0] == "pandas" and hasattr(values, "to_numpy"):
        return values.to_numpy()
    if isinstance(values, np.ndarray) or hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__"):
        return values
    return list(values)


def _flags(values: Any) -> Any:
    """Event flags as a numpy array (booleans or 0/1; Arrow booleans are bit-packed)."""
    if values is None or isinstance(values, np.ndarray):
        return values
    if type(values).__module__.split(".")[0] == "pandas" and hasattr(values, "to_numpy"):
        return values.to_numpy()
    if hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__"):
        return np.asarray(values)
    return list(values)


_PER_SECOND = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}


def _instant(value: Optional[Instant], time_unit: str) -> Optional[int]:
    """An observation end in whole seconds since the epoch (UTC)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidArgumentError(f"invalid `observation_end`: `{value}` is not a moment")
    if isinstance(value, (int, np.integer)):
        if time_unit not in _PER_SECOND:
            raise InvalidArgumentError(f"invalid `time_unit`: `{time_unit}`; expected s, ms, us or ns")
        return int(value) // _PER_SECOND[time_unit]
    end_of_day = 0
    if isinstance(value, _dt.datetime):
        if value.tzinfo is not None:
            return int(np.floor(value.timestamp()))
        moment = np.datetime64(value.replace(tzinfo=None), "s")
    elif isinstance(value, _dt.date):
        moment, end_of_day = np.datetime64(value, "s"), 86_399
    elif isinstance(value, str):
        try:
            moment = np.datetime64(value.rstrip("Z"), "s")
        except ValueError:
            raise InvalidArgumentError(f"invalid `observation_end`: `{value}` is not an ISO date or time") from None
        end_of_day = 86_399 if len(value.strip()) == 10 else 0
    elif isinstance(value, np.datetime64):
        moment = value.astype("datetime64[s]")
    else:
        raise InvalidArgumentError(f"invalid `observation_end`: `{value!r}` is not a moment")
    return int(moment.astype(np.int64)) + end_of_day


def _segment_of(codes: Any, seg_codes: Any, customers: int, by: str) -> np.ndarray:
    """Each customer's segment code; a customer in two segments is an error."""
    c = _as_numpy(codes).astype(np.intp)
    s = _as_numpy(seg_codes).astype(np.uint32)
    out = np.zeros(customers, dtype=np.uint32)
    out[c] = s
    bad = np.flatnonzero(out[c] != s)
    if len(bad):
        raise InvalidArgumentError(
            f"invalid `by`: column `{by}` gives the customer at row {int(bad[0])} more than one segment"
        )
    return out


def _as_numpy(codes: Any) -> np.ndarray:
    return _frames._as_numpy_codes(codes)


def _estimate(successes: int, n: int, confidence: float) -> Estimate:
    p = Proportion()
    p.push_counts(successes, n)
    return p.estimate(confidence)


def _shares(successes: Sequence[int], n: Sequence[int], name: str, confidence: float) -> dict[str, Any]:
    pa = _pa()
    values, low, high = [], [], []
    for k, m in zip(successes, n):
        e = _estimate(k, m, confidence)
        values.append(e.value)
        low.append(e.low)
        high.append(e.high)
    return {
        "churned": pa.array(successes, pa.uint64()),
        "customers": pa.array(n, pa.uint64()),
        name: pa.array(values, pa.float64()),
        "low": pa.array(low, pa.float64()),
        "high": pa.array(high, pa.float64()),
    }
