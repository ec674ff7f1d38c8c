"""Score metrics: one-shot functions and mergeable accumulators.

Functions (``nps``, ``csat``, ``ces``, ``ces_agree``, ``net_satisfaction``, ``mean``,
``proportion``) take a column and return an :class:`Estimate`. The accumulator classes
(``Nps``, ``Csat``, ``Ces``, ``NetSatisfaction``, ``Mean``, ``Proportion``) take data in
pieces, merge exactly, and pickle (through their JSON state), so partial results from Dask
or Spark workers combine into the one-pass answer.

Examples
--------
>>> from cem import metrics
>>> parts = [[10, 9, 3], [8, 10], [6]]
>>> accs = []
>>> for part in parts:
...     acc = metrics.Nps()
...     acc.push_many(part)
...     accs.append(acc)
>>> total = accs[0]
>>> for acc in accs[1:]:
...     total.merge(acc)
>>> total.estimate() == metrics.nps([10, 9, 3, 8, 10, 6])
True
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, Optional, Union

from cem import _frames
from cem._cem import (
    Ces,
    ChiSquare,
    Comparison,
    Csat,
    Estimate,
    InvalidArgumentError,
    LengthMismatchError,
    GroupedScores,
    Mean,
    NetSatisfaction,
    Nps,
    Proportion,
    _post_stratify,
    _rake,
    ces,
    ces_agree,
    chi2_independence,
    chi_square_independence,
    compare_nps,
    compare_proportions,
    csat,
    mean,
    net_satisfaction,
    nps,
    proportion,
    two_proportion_test,
)

__all__ = [
    "Ces",
    "ChiSquare",
    "Comparison",
    "Csat",
    "Estimate",
    "GroupedScores",
    "Mean",
    "NetSatisfaction",
    "Nps",
    "Proportion",
    "by",
    "ces",
    "ces_agree",
    "chi2_independence",
    "chi_square_independence",
    "compare_nps",
    "compare_proportions",
    "csat",
    "mean",
    "net_satisfaction",
    "nps",
    "post_stratify",
    "poststratify",
    "proportion",
    "rake",
    "two_proportion_test",
]

# ------------------------------------------------------------------------------ survey weights

_TARGET_SUM_TOLERANCE = 1e-6


def rake(
    frame: Any,
    margins: Mapping[str, Mapping[Hashable, float]],
    tol: float = 1e-10,
    max_iter: int = 1000,
    base_weights: Optional[Iterable[float]] = None,
) -> Any:
    """Raking weights (iterative proportional fitting) that match several margins at once.

    The weights are adjusted to each column's target shares in turn, sweep after sweep,
    until every weighted margin is within ``tol`` of its target.

    Parameters
    ----------
    frame : DataFrame-like
        A pandas or polars DataFrame, a pyarrow Table, or a dict of columns (lists, numpy
        arrays, Series): anything where ``frame[column]`` gives a column.
    margins : dict of {column: {level: share}}
        The population shares of each weighting column's levels; each column's shares must
        sum to 1. Every level that occurs in the data needs a share; a level with a
        positive share must occur in the data (levels with share 0 may be absent).
    tol : float, default 1e-10
        Stop when every weighted margin is within this of its target share.
    max_iter : int, default 1000
        Give up after this many sweeps (raises :class:`cem.NotConvergedError`).
    base_weights : sequence of float, optional
        Design weights to start from (finite, non-negative), one per row.

    Returns
    -------
    numpy.ndarray
        One float64 weight per row, in the frame's row order, normalised to mean 1 (they sum
        to the number of rows). Assign it back with ``df["weight"] = rake(df, ...)``.
        Without numpy installed, a list.

    Raises
    ------
    InvalidArgumentError
        A column missing from the frame, a level in the data without a target, a target
        level with a positive share and no rows, shares that are negative, not finite or do
        not sum to 1; all named by column and level.
    NotConvergedError
        The margins cannot be matched (contradictory targets with empty cross-cells).

    Examples
    --------
    >>> import cem
    >>> frame = {"gender": ["f", "f", "f", "m", "m", "f"],
    ...          "region": ["n", "s", "s", "n", "s", "s"]}
    >>> w = cem.metrics.rake(frame, {"gender": {"f": 0.5, "m": 0.5},
    ...                              "region": {"n": 0.4, "s": 0.6}})
    >>> w.round(4).tolist()
    [0.8153, 0.7282, 0.7282, 1.5847, 1.4153, 0.7282]
    >>> male = [g == "m" for g in frame["gender"]]
    >>> round(float(w[male].sum() / w.sum()), 9)  # the weighted share of men is the target
    0.5
    >>> cem.metrics.rake(frame, {"gender": {"f": 1.0}})
    Traceback (most recent call last):
        ...
    cem.InvalidArgumentError: invalid `margins`: level `m` of column `gender` (row 3) has no target
    """
    if not isinstance(margins, Mapping) or not margins:
        raise TypeError("`margins` must be a non-empty dict of {column: {level: share}}")
    variables: list[list[int]] = []
    targets: list[list[float]] = []
    names: list[str] = []
    for name, shares in margins.items():
        values = _values(_column(frame, name), f"column `{name}`")
        codes, level_targets = _encode(values, shares, f"column `{name}`", "margins")
        _check_lengths(names, variables, name, codes)
        names.append(name)
        variables.append(codes)
        targets.append(level_targets)
    weights, _iterations, _max_error = _rake(variables, targets, base_weights, tol, max_iter)
    return _array(weights)


def post_stratify(
    frame: Any,
    cells: Union[str, Sequence[str]],
    targets: Mapping[Any, float],
    base_weights: Optional[Iterable[float]] = None,
) -> Any:
    """Post-stratification weights: every cell's weighted share equals its target.

    Each row in cell ``c`` gets ``base * target[c] / sample_share[c]`` (the sample share
    weighted by the base weights).

    Parameters
    ----------
    frame : DataFrame-like
        A pandas or polars DataFrame, a pyarrow Table, or a dict of columns.
    cells : str or list of str
        The column that defines the cells, or several columns whose combinations do.
    targets : dict of {level: share}
        Population share of each cell, summing to 1. With several ``cells`` columns the keys
        are tuples of levels in the order of ``cells``. Every cell in the data needs a share;
        a cell with a positive share must occur in the data.
    base_weights : sequence of float, optional
        Design weights to start from, one per row.

    Returns
    -------
    numpy.ndarray
        One float64 weight per row in the frame's row order, summing to the number of rows
        (a list without numpy).

    Raises
    ------
    InvalidArgumentError
        A missing column, a cell without a target, a target cell with no rows, or bad shares
        (named by column and level).

    Examples
    --------
    3 respondents in ``a`` and 1 in ``b``; the population is half and half:

    >>> import cem
    >>> w = cem.metrics.post_stratify({"cell": ["a", "a", "a", "b"]}, "cell", {"a": 0.5, "b": 0.5})
    >>> w.round(6).tolist()
    [0.666667, 0.666667, 0.666667, 2.0]
    >>> frame = {"age": ["y", "o", "o", "y"], "sex": ["f", "f", "m", "m"]}
    >>> w = cem.metrics.post_stratify(frame, ["age", "sex"],
    ...     {("y", "f"): 0.2, ("o", "f"): 0.3, ("y", "m"): 0.2, ("o", "m"): 0.3})
    >>> w.round(6).tolist()
    [0.8, 1.2, 1.2, 0.8]
    """
    if isinstance(cells, str):
        label = f"column `{cells}`"
        values = _values(_column(frame, cells), label)
    elif isinstance(cells, Sequence) and cells and all(isinstance(c, str) for c in cells):
        label = "columns " + ", ".join(f"`{c}`" for c in cells)
        columns = [_values(_column(frame, c), f"column `{c}`") for c in cells]
        for c, col in zip(cells[1:], columns[1:]):
            if len(col) != len(columns[0]):
                raise LengthMismatchError(
                    f"`{c}` has {len(col)} values but `{cells[0]}` has {len(columns[0])}"
                )
        values = list(zip(*columns))
    else:
        raise TypeError("`cells` must be a column name or a non-empty list of column names")
    if not isinstance(targets, Mapping):
        raise TypeError("`targets` must be a dict of {level: share}")
    codes, level_targets = _encode(values, targets, label, "targets")
    return _array(_post_stratify(codes, level_targets, base_weights))


def poststratify(
    frame: Any,
    cells: Union[str, Sequence[str]],
    targets: Mapping[Any, float],
    base_weights: Optional[Iterable[float]] = None,
) -> Any:
    """Another name of :func:`post_stratify` (the core's name is ``post_stratify``).

    Examples
    --------
    >>> import cem
    >>> cem.metrics.poststratify({"c": ["a", "b"]}, "c", {"a": 0.5, "b": 0.5}).tolist()
    [1.0, 1.0]
    """
    return post_stratify(frame, cells, targets, base_weights)


def _column(frame: Any, name: Any) -> Any:
    if frame is None or isinstance(frame, (str, bytes)) or not hasattr(frame, "__getitem__"):
        raise TypeError(
            "`frame` must be a pandas or polars DataFrame, a pyarrow Table or a dict of columns, "
            f"got {type(frame).__name__}"
        )
    try:
        return frame[name]
    except Exception:  # KeyError (pandas, pyarrow, dict), ColumnNotFoundError (polars), ...
        raise InvalidArgumentError(f"invalid `frame`: it has no column `{name}`") from None


def _values(column: Any, label: str) -> list[Any]:
    """A column as a list of Python values (pandas, polars, pyarrow, numpy, sequences)."""
    for method in ("to_pylist", "to_list", "tolist"):
        convert = getattr(column, method, None)
        if callable(convert):
            return list(convert())
    if isinstance(column, (str, bytes)) or not isinstance(column, Iterable):
        raise TypeError(f"{label} must be a column of levels, got {type(column).__name__}")
    return list(column)


def _encode(
    values: list[Any], shares: Mapping[Any, float], label: str, argument: str
) -> tuple[list[int], list[float]]:
    """Codes of ``values`` (indices into ``shares``' keys) and the code-indexed shares."""
    if not isinstance(shares, Mapping):
        raise TypeError(f"`{argument}` of {label} must be a dict of {{level: share}}")
    levels: dict[Any, int] = {}
    targets: list[float] = []
    for level, share in shares.items():
        try:
            x = float(share)
        except (TypeError, ValueError):
            raise TypeError(f"`{argument}`: the share of level `{level}` of {label} is not a number") from None
        if not math.isfinite(x) or x < 0:
            raise InvalidArgumentError(
                f"invalid `{argument}`: the share of level `{level}` of {label} is `{share}`; "
                "shares must be finite and non-negative"
            )
        levels[level] = len(targets)
        targets.append(x)
    total = math.fsum(targets)
    if abs(total - 1.0) > _TARGET_SUM_TOLERANCE:
        raise InvalidArgumentError(f"invalid `{argument}`: the shares of {label} sum to `{total}`, not 1")
    try:
        codes = [levels[v] for v in values]
    except (KeyError, TypeError):
        codes = []
        for row, v in enumerate(values):
            code = levels.get(v) if isinstance(v, Hashable) else None
            if code is None:
                if _is_missing(v):
                    raise InvalidArgumentError(f"invalid `frame`: {label} has a missing value at row {row}") from None
                raise InvalidArgumentError(
                    f"invalid `{argument}`: level `{_level_text(v)}` of {label} (row {row}) has no target"
                ) from None
            codes.append(code)
    present = set(codes)
    for level, code in levels.items():
        if targets[code] > 0 and code not in present:
            raise InvalidArgumentError(
                f"invalid `{argument}`: level `{_level_text(level)}` of {label} has target share "
                f"`{targets[code]}` but no rows"
            )
    return codes, targets


def _level_text(level: Any) -> str:
    return ", ".join(map(str, level)) if isinstance(level, tuple) else str(level)


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, tuple):
        return any(_is_missing(x) for x in v)
    try:
        return bool(v != v)  # NaN, NaT
    except (TypeError, ValueError):
        return True  # pandas.NA


def _check_lengths(names: list[str], columns: list[list[int]], name: str, codes: list[int]) -> None:
    if columns and len(codes) != len(columns[0]):
        raise LengthMismatchError(f"`{name}` has {len(codes)} values but `{names[0]}` has {len(columns[0])}")


def _array(weights: list[float]) -> Any:
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with every frame library
        return weights
    return np.asarray(weights, dtype=np.float64)


def by(
    frame: Any,
    score: str = "score",
    by: Union[str, Sequence[str]] = ("segment",),
    period: Optional[str] = None,
    time: str = "ts",
    metric: str = "nps",
    weights: Optional[str] = None,
    confidence: float = 0.95,
    method: Optional[str] = None,
    utc_offset: int = 0,
    output: Optional[str] = None,
    *,
    time_unit: str = "s",
    csat_max: int = 5,
    csat_top: int = 2,
    ces_scale: str = "agreement7",
    max_groups: int = 1_000_000,
) -> Any:
    """A score metric with its confidence interval per group: one row per segment (and
    calendar period), in the caller's frame type.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame or pyarrow.Table
        The answers, one row each. Columns are read in place where their dtype allows
        (``uint8`` scores, ``uint32``/categorical segments, ``int64``/datetime times,
        ``float64`` weights); others are converted once. Nulls in any used column raise
        :class:`cem.InvalidNumberError` naming the column.
    score : str
        The score column (0-10 for NPS, 1-``csat_max`` for CSAT, ...).
    by : str or sequence of str
        The group columns (any type: integers, strings, categoricals; labels are kept).
        Empty for one group per period.
    period : {None, "day", "week", "month", "quarter"}
        Also group by calendar period of ``time`` (weeks are ISO weeks, from Monday), in the
        local calendar at ``utc_offset`` seconds east of UTC.
    time : str
        The time column: datetimes (any unit, naive = UTC, or tz-aware) or integers since the
        epoch in ``time_unit``.
    metric : {"nps", "csat", "ces", "net_satisfaction"}
    weights : str, optional
        A column of survey weights (finite, non-negative).
    confidence : float
    method : str, optional
        The interval method; the metric's default (adjusted Wald for NPS and net
        satisfaction, Wilson for CSAT, Student t for CES) when omitted.
    output : {None, "pandas", "polars", "pyarrow"}
        The result type; by default the type of ``frame``.
    max_groups : int
        The most (group, period) cells (default 1,000,000); more raise
        :class:`cem.LimitExceededError`. Raise it for more groups.

    Returns
    -------
    frame
        Columns: the ``by`` columns, ``period_start`` (a date; with ``period`` only),
        ``value``, ``low``, ``high``, ``n``, ``n_eff``, sorted by group then period. Where a
        cell's estimate is undefined (a CES cell of one answer) the numbers are missing,
        never NaN.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem import metrics
    >>> df = pd.DataFrame({
    ...     "score": [10, 9, 3, 10, 7, 0],
    ...     "region": ["north", "north", "north", "south", "north", "south"],
    ...     "ts": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-01-31",
    ...                           "2024-01-05", "2024-02-01", "2024-02-29"]),
    ... })
    >>> out = metrics.by(df, by="region", period="month")
    >>> out[["region", "period_start", "value", "n"]]
      region period_start       value  n
    0  north   2024-01-01   33.333333  3
    1  north   2024-02-01    0.000000  1
    2  south   2024-01-01  100.000000  1
    3  south   2024-02-01 -100.000000  1
    >>> metrics.by(df, by="region", output="polars").select("region", "value", "n")
    shape: (2, 3)
    ┌────────┬───────┬─────┐
    │ region ┆ value ┆ n   │
    │ ---    ┆ ---   ┆ --- │
    │ str    ┆ f64   ┆ u64 │
    ╞════════╪═══════╪═════╡
    │ north  ┆ 25.0  ┆ 4   │
    │ south  ┆ 0.0   ┆ 2   │
    └────────┴───────┴─────┘
    """
    kind = _frames.frame_kind(frame)
    frame = _frames.as_table(frame, kind)
    out = kind if output is None else output
    if out not in _frames.OUTPUTS:
        raise ValueError(f"unknown output `{out}`; expected one of {', '.join(_frames.OUTPUTS)}")
    keys = [by] if isinstance(by, str) else list(by)
    scale = {"csat_max": csat_max, "csat_top": csat_top, "ces_scale": ces_scale, "max_groups": max_groups}
    acc, decode = _frames.grouped(
        frame, kind, score, keys, period, time, metric, weights, time_unit, utc_offset, scale
    )
    rows = acc.estimates(confidence, method)
    return _frames.convert_output(_frames.result_table(rows, decode), out)
