"""What :mod:`cem.dask` and :mod:`cem.spark` share around their partial accumulators: the
columns a distributed group-by needs, the key plan of an integer group column, and the
result table from the merged accumulator. The engines differ only in how they find labels
and bounds and how partitions run (``_frames.partial`` for one partition,
``_frames.merge_all`` to merge)."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

from cem import _frames
from cem._cem import GroupedScores


def group_keys(by: Union[str, Sequence[str]]) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def needed_columns(
    columns: Sequence[Any], score: str, keys: Sequence[str], period: Optional[str], time: str, weights: Optional[str]
) -> list[str]:
    """The columns to select, in order and once each; ``KeyError`` naming the first missing."""
    needed = list(dict.fromkeys([score, *keys] + ([time] if period is not None else []) + ([weights] if weights else [])))
    missing = [c for c in needed if c not in columns]
    if missing:
        raise KeyError(f"no column `{missing[0]}` in the frame; its columns are {list(columns)}")
    return needed


def integer_spec(name: str, dtype: str, bounds: tuple[Any, Any], advice: str) -> _frames.KeySpec:
    """The plan of an integer group column: its values are its codes, so they must fit a
    ``uint32``; ``bounds`` is ``(min, max)`` over the data (``(0, -1)`` when not needed,
    ``None``s for a column of nulls only)."""
    lo, hi = bounds
    if lo is not None and hi is not None and (int(lo) < 0 or int(hi) >= 2**32):
        raise ValueError(f"integer group column `{name}` must hold values in 0..2**32; {advice}")
    return _frames.KeySpec(name, None, dtype, 0 if hi is None else int(hi) + 1)


def result(
    total: GroupedScores, specs: Sequence[_frames.KeySpec], confidence: float, method: Optional[str], output: Optional[str]
) -> Any:
    """The estimates of the merged accumulator with the group labels, as pandas unless
    ``output`` says ``"polars"`` or ``"pyarrow"``."""
    rows = total.estimates(confidence, method)
    table = _frames.result_table(rows, _frames.decoder(specs))
    return _frames.convert_output(table, output or "pandas")
