"""Frames in and out of the columnar kernels: the glue behind :func:`cem.metrics.by`.

A frame (pandas, polars, pyarrow) gives its columns to ``cem._cem.GroupedScores.push``
as they are, so the native side can read them in place (numpy and Arrow memory, see
``cem-py/src/convert.rs``). Group columns become one ``uint32`` code per row:

* unsigned integers (and non-negative signed ones) *are* their own codes, no pass over
  the data beyond the dtype conversion the kernel does anyway;
* categoricals (pandas, polars, Arrow dictionaries) give their codes, labels kept;
* anything else (strings, negative numbers, booleans) is factorized once with pyarrow's
  ``dictionary_encode``;
* several group columns combine into one mixed-radix code, decoded again for the few rows
  of the result.

pyarrow is needed for frame results (it is how the result table is built); numpy always.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional, Sequence

import numpy as np

from cem._cem import GroupedScores, InvalidNumberError

OUTPUTS = ("pandas", "polars", "pyarrow")
_U32 = 2**32


def frame_kind(frame: Any) -> str:
    """``"pandas"``, ``"polars"`` or ``"pyarrow"``: what the frame is, and what comes back."""
    module = type(frame).__module__.split(".")[0]
    if module in ("pandas", "polars"):
        if type(frame).__name__ == "LazyFrame":
            raise TypeError("collect() the polars LazyFrame first (cem reads materialized columns)")
        return module
    if module == "pyarrow" or hasattr(frame, "__arrow_c_stream__"):
        return "pyarrow"
    raise TypeError(
        f"expected a pandas, polars or pyarrow table, not `{type(frame).__module__}.{type(frame).__name__}`"
    )


def as_table(frame: Any, kind: str) -> Any:
    """The frame itself, or a pyarrow Table for other Arrow stream producers."""
    if kind == "pyarrow":
        import pyarrow as pa  # type: ignore[import-untyped]

        if not isinstance(frame, pa.Table):  # record batches, readers, other Arrow producers
            return pa.table(frame)
    return frame


def column_names(frame: Any, kind: str) -> list[str]:
    if kind == "pyarrow":
        return list(frame.schema.names)
    return [str(c) for c in frame.columns]


def column(frame: Any, kind: str, name: str) -> Any:
    """A column in the form the native side reads without copying where it can.

    Raises ``KeyError`` naming the column and the ones there are.
    """
    names = column_names(frame, kind)
    if name not in names:
        raise KeyError(f"no column `{name}` in the frame; its columns are {names}")
    if kind == "pyarrow":
        return frame.column(name)
    if kind == "polars":
        return frame.get_column(name)
    return _pandas_column(frame[name], name)


def _pandas_column(s: Any, name: str) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    dtype = s.dtype
    if isinstance(dtype, np.dtype):
        return s.to_numpy(copy=False)  # numpy-backed: the same memory
    if isinstance(dtype, pd.DatetimeTZDtype):
        # UTC instants underneath; view them as datetime64 of the same unit (no copy).
        return np.asarray(s.array.asi8).view(f"datetime64[{dtype.unit}]")
    if isinstance(dtype, pd.CategoricalDtype):
        return s
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.array(s)  # nullable and Arrow-backed columns: Arrow data with its null mask


@dataclass
class _Key:
    """How one group column maps to codes and back."""

    name: str
    codes: Any  # column-like the native side reads as uint32
    radix: int  # number of distinct codes (max code + 1)
    decode: Callable[[np.ndarray], Any]  # codes -> labels (pyarrow array)


def encode_keys(frame: Any, kind: str, by: Sequence[str], single: bool) -> list[_Key]:
    return [_encode(frame, kind, name, need_radix=not single) for name in by]


def _encode(frame: Any, kind: str, name: str, need_radix: bool) -> _Key:
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    col = column(frame, kind, name)
    if kind == "pandas" and hasattr(col, "cat"):
        codes = col.cat.codes.to_numpy()
        if (codes < 0).any():
            first = int(np.argmax(codes < 0))
            raise InvalidNumberError(
                f"column `{name}` at position {first} `null` is missing; drop or fill missing values first"
            )
        labels = pa.array(col.cat.categories)
        return _Key(name, codes, len(labels), _take(labels))
    if kind == "polars":
        col = col.to_arrow()
    arrow = pa.chunked_array([col]) if isinstance(col, pa.Array) else col
    if isinstance(arrow, pa.ChunkedArray):
        t = arrow.type
        if pa.types.is_integer(t) and arrow.null_count == 0:
            check = need_radix or pa.types.is_signed_integer(t) or t == pa.uint64()
            lo, hi = None, None
            if check:
                mm = pc.min_max(arrow).as_py()
                lo, hi = mm["min"], mm["max"]
            if lo is None or hi is None or (lo >= 0 and hi < _U32):
                radix = hi + 1 if hi is not None else 0
                source = frame.get_column(name) if kind == "polars" else arrow
                return _Key(name, source, radix, _cast(t))
        if not pa.types.is_dictionary(t):
            arrow = pc.dictionary_encode(arrow)
        if arrow.null_count:
            first = _first_null(arrow)
            raise InvalidNumberError(
                f"column `{name}` at position {first} `null` is missing; drop or fill missing values first"
            )
        arrow = arrow.unify_dictionaries()
        labels = arrow.chunk(0).dictionary if arrow.num_chunks else pa.array([], t)
        indices = pa.chunked_array([c.indices for c in arrow.chunks], arrow.type.index_type)
        return _Key(name, indices, len(labels), _take(labels))
    # numpy arrays from pandas: integers are their own codes where they fit.
    arr = np.asarray(col)
    if arr.dtype.kind in "ui":
        check = need_radix or arr.dtype.kind == "i" or arr.dtype.itemsize > 4
        lo, hi = (int(arr.min()), int(arr.max())) if check and arr.size else (0, -1)
        if lo >= 0 and hi < _U32:
            return _Key(name, arr, hi + 1, _astype(arr.dtype))
    # from_pandas: None and NaN are missing (an error, as in the Arrow path), never a label.
    arrow = pc.dictionary_encode(pa.array(arr, from_pandas=True))
    if arrow.null_count:
        first = _first_null(arrow)
        raise InvalidNumberError(
            f"column `{name}` at position {first} `null` is missing; drop or fill missing values first"
        )
    labels = arrow.dictionary
    return _Key(name, arrow.indices, len(labels), _take(labels))


def _take(labels: Any) -> Callable[[np.ndarray], Any]:
    import pyarrow as pa  # type: ignore[import-untyped]

    return lambda c: labels.take(pa.array(c))


def _cast(t: Any) -> Callable[[np.ndarray], Any]:
    import pyarrow as pa  # type: ignore[import-untyped]

    return lambda c: pa.array(c, pa.uint64()).cast(t)


def _astype(dtype: np.dtype) -> Callable[[np.ndarray], Any]:
    import pyarrow as pa  # type: ignore[import-untyped]

    return lambda c: pa.array(np.asarray(c).astype(dtype))


def _first_null(arrow: Any) -> int:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    return int(pc.index(pc.is_null(arrow), True).as_py())


def combine(keys: list[_Key]) -> tuple[Any, Callable[[list[int]], dict[str, Any]]]:
    """One code column for all group columns, and the decoder of result codes."""
    if not keys:
        return None, lambda codes: {}
    if len(keys) == 1:
        k = keys[0]

        def decode_one(result: list[int]) -> dict[str, Any]:
            return {k.name: k.decode(np.asarray(result, dtype=np.uint64))}

        return k.codes, decode_one
    radices = [max(k.radix, 1) for k in keys]
    total = 1
    for r in radices:
        total *= r
    combined = _as_numpy_codes(keys[0].codes).astype(np.uint64)
    for k, r in zip(keys[1:], radices[1:]):
        combined = combined * np.uint64(r) + _as_numpy_codes(k.codes).astype(np.uint64)
    codes: np.ndarray
    uniques: Optional[np.ndarray] = None
    if total <= _U32:
        codes = combined.astype(np.uint32)
    else:  # too many combinations for one uint32: number the ones that occur
        uniques, codes = np.unique(combined, return_inverse=True)
        codes = codes.astype(np.uint32)

    decode = _mixed_radix_decoder(keys, radices, uniques)
    return codes, decode


def _as_numpy_codes(codes: Any) -> np.ndarray:
    if isinstance(codes, np.ndarray):
        return codes
    if hasattr(codes, "to_numpy") and type(codes).__module__.split(".")[0] == "polars":
        if codes.null_count():
            raise ValueError("group codes contain nulls")
        return codes.to_numpy()
    import pyarrow as pa  # type: ignore[import-untyped]

    if isinstance(codes, (pa.Array, pa.ChunkedArray)):
        # A null would turn into NaN and then into code 0: a row in the wrong group.
        if codes.null_count:
            raise ValueError("group codes contain nulls")
        return codes.to_numpy(zero_copy_only=False) if isinstance(codes, pa.Array) else codes.to_numpy()
    return np.asarray(codes)


def result_table(rows: dict[str, list[Any]], decode: Callable[[list[int]], dict[str, Any]]) -> Any:
    """The result of ``GroupedScores.estimates`` as a pyarrow Table with the group labels."""
    import pyarrow as pa  # type: ignore[import-untyped]

    cols: dict[str, Any] = dict(decode(rows["segment"]))
    if "period_start" in rows:
        cols["period_start"] = pa.array(rows["period_start"], pa.date32())
    for name in ("value", "low", "high"):
        cols[name] = pa.array(rows[name], pa.float64())
    cols["n"] = pa.array(rows["n"], pa.uint64())
    cols["n_eff"] = pa.array(rows["n_eff"], pa.float64())
    table = pa.table(cols)
    # Rows come sorted by code; sort by the labels (a few rows: one per cell).
    keys = [name for name in cols if name not in ("value", "low", "high", "n", "n_eff")]
    return table.sort_by([(name, "ascending") for name in keys]) if keys else table


def convert_output(table: Any, kind: str) -> Any:
    if kind == "pyarrow":
        return table
    if kind == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return pl.from_arrow(table)
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped]
        import pyarrow as pa  # type: ignore[import-untyped]

        # Undefined cells stay missing (pd.NA in a nullable Float64 column), never NaN.
        has_nulls = any(table.column(c).null_count for c in ("value", "low", "high", "n_eff"))
        mapper = {pa.float64(): pd.Float64Dtype()}.get if has_nulls else None
        return table.to_pandas(types_mapper=mapper)
    raise ValueError(f"unknown output `{kind}`; expected one of {', '.join(OUTPUTS)}")


def grouped(
    frame: Any,
    kind: str,
    score: str,
    by: Sequence[str],
    period: Optional[str],
    time: str,
    metric: str,
    weights: Optional[str],
    time_unit: str,
    utc_offset: int,
    scale: dict[str, Any],
) -> tuple[GroupedScores, Callable[[list[int]], dict[str, Any]]]:
    """Pushes a frame (or one partition of one) into a new accumulator."""
    keys = encode_keys(frame, kind, by, single=len(by) <= 1)
    return grouped_with_keys(frame, kind, score, keys, period, time, metric, weights, time_unit, utc_offset, scale)


def grouped_with_keys(
    frame: Any,
    kind: str,
    score: str,
    keys: list[_Key],
    period: Optional[str],
    time: str,
    metric: str,
    weights: Optional[str],
    time_unit: str,
    utc_offset: int,
    scale: dict[str, Any],
) -> tuple[GroupedScores, Callable[[list[int]], dict[str, Any]]]:
    acc = GroupedScores(metric, period, time_unit=time_unit, utc_offset=utc_offset, **scale)
    codes, decode = combine(keys)
    segment_name = "+".join(k.name for k in keys) or "segment"
    acc.push(
        column(frame, kind, score),
        codes,
        column(frame, kind, time) if period is not None else None,
        column(frame, kind, weights) if weights is not None else None,
        columns=(score, segment_name, time, weights or "weights"),
    )
    return acc, decode


# ------------------------------------------------------------------ distributed group keys
#
# On Dask and Spark every partition must give a label the same code, so the codes are fixed
# before the partitions run: integers are their own codes (as above), other columns get the
# global list of labels (Dask: `categorize`, Spark: the distinct values), and the radices of
# several group columns come from the whole data. A `KeySpec` is that plan; it pickles.


@dataclass
class KeySpec:
    """How one group column becomes codes, the same in every partition."""

    name: str
    labels: Optional[list[Any]]  # None: the integers are their own codes
    dtype: str  # the integer dtype to decode to (labels is None), else ""
    radix: int  # distinct codes (max code + 1); 0 when not needed


def keys_from_specs(frame: Any, kind: str, specs: Sequence[KeySpec]) -> list[_Key]:
    """The codes of one partition (pandas or pyarrow) under the global plan."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    keys = []
    for spec in specs:
        col = column(frame, kind, spec.name)
        if spec.labels is None:
            dtype = np.dtype(spec.dtype)
            keys.append(_Key(spec.name, col, spec.radix, _astype(dtype)))
            continue
        labels = pa.array(spec.labels)
        if kind == "pandas" and hasattr(col, "cat"):
            codes = col.cat.codes.to_numpy()  # categorize() made the categories global
            if (codes < 0).any():
                raise InvalidNumberError(
                    f"column `{spec.name}` at position {int(np.argmax(codes < 0))} `null` is missing; "
                    "drop or fill missing values first"
                )
        else:
            arrow = col if isinstance(col, (pa.Array, pa.ChunkedArray)) else pa.array(col)
            if arrow.null_count:
                raise InvalidNumberError(
                    f"column `{spec.name}` at position {_first_null(arrow)} `null` is missing; "
                    "drop or fill missing values first"
                )
            codes = pc.index_in(arrow, value_set=labels.cast(arrow.type))
        keys.append(_Key(spec.name, codes, max(spec.radix, len(labels)), _take(labels)))
    return keys


def decoder(specs: Sequence[KeySpec]) -> Callable[[list[int]], dict[str, Any]]:
    """The decoder of result codes under a global plan (no data needed)."""
    keys = [
        _Key(
            s.name,
            None,
            s.radix if s.labels is None else max(s.radix, len(s.labels)),
            _astype(np.dtype(s.dtype)) if s.labels is None else _take(_pa_array(s.labels)),
        )
        for s in specs
    ]
    if not keys:
        return lambda codes: {}
    if len(keys) == 1:
        k = keys[0]
        return lambda codes: {k.name: k.decode(np.asarray(codes, dtype=np.uint64))}
    return _mixed_radix_decoder(keys, [max(k.radix, 1) for k in keys], None)


def combine_codes(keys: list[_Key]) -> Any:
    """One code column under a global plan (radices fixed, so codes agree across partitions)."""
    if not keys:
        return None
    if len(keys) == 1:
        return keys[0].codes
    combined: Optional[np.ndarray] = None
    total = 1
    for k in keys:
        r = max(k.radix, 1)
        total *= r
        c = _as_numpy_codes(k.codes).astype(np.uint64)
        combined = c if combined is None else combined * np.uint64(r) + c
    if total > _U32:
        raise ValueError(
            f"the group columns {[k.name for k in keys]} have {total} combinations, more than a uint32 "
            "code holds; group by fewer columns or combine them into one first"
        )
    return np.zeros(0, np.uint32) if combined is None else combined.astype(np.uint32)


def _mixed_radix_decoder(
    keys: list[_Key], radices: list[int], uniques: Optional[np.ndarray]
) -> Callable[[list[int]], dict[str, Any]]:
    def decode(result: list[int]) -> dict[str, Any]:
        c = np.asarray(result, dtype=np.uint64)
        if uniques is not None:
            c = uniques[c.astype(np.intp)]
        out: dict[str, Any] = {}
        for k, r in reversed(list(zip(keys, radices))):
            out[k.name] = k.decode(c % np.uint64(r))
            c = c // np.uint64(r)
        return {k.name: out[k.name] for k in keys}

    return decode


def _pa_array(values: list[Any]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.array(values)


def partial(
    frame: Any,
    kind: str,
    specs: Sequence[KeySpec],
    score: str,
    period: Optional[str],
    time: str,
    metric: str,
    weights: Optional[str],
    time_unit: str,
    utc_offset: int,
    scale: dict[str, Any],
) -> GroupedScores:
    """One partition's accumulator under a global key plan."""
    acc = GroupedScores(metric, period, time_unit=time_unit, utc_offset=utc_offset, **scale)
    keys = keys_from_specs(frame, kind, specs)
    acc.push(
        column(frame, kind, score),
        combine_codes(keys),
        column(frame, kind, time) if period is not None else None,
        column(frame, kind, weights) if weights is not None else None,
        columns=(score, "+".join(s.name for s in specs) or "segment", time, weights or "weights"),
    )
    return acc


def merge_all(partials: Sequence[GroupedScores]) -> GroupedScores:
    """Merges partial accumulators (exact, in any order)."""
    it = iter(partials)
    total = next(it)
    for p in it:
        total.merge(p)
    return total
