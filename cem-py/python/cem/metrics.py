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

from typing import Any, Optional, Sequence, Union

from cem import _frames
from cem._cem import (
    Ces,
    Csat,
    Estimate,
    GroupedScores,
    Mean,
    NetSatisfaction,
    Nps,
    Proportion,
    ces,
    ces_agree,
    chi_square_independence,
    csat,
    mean,
    net_satisfaction,
    nps,
    proportion,
    two_proportion_test,
)

__all__ = [
    "Ces",
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
    "chi_square_independence",
    "csat",
    "mean",
    "net_satisfaction",
    "nps",
    "proportion",
    "two_proportion_test",
]


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
    scale = {"csat_max": csat_max, "csat_top": csat_top, "ces_scale": ces_scale}
    acc, decode = _frames.grouped(
        frame, kind, score, keys, period, time, metric, weights, time_unit, utc_offset, scale
    )
    rows = acc.estimates(confidence, method)
    return _frames.convert_output(_frames.result_table(rows, decode), out)
