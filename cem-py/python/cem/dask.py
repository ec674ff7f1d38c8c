"""Group-by score metrics on Dask: one :class:`cem.metrics.GroupedScores` per partition,
merged exactly.

Every partition counts its rows into a partial accumulator (``dask.delayed`` over
``to_delayed()`` partitions, the same as ``map_partitions`` without a frame in between);
the partials travel pickled (the core's JSON state) and merge into the one-pass answer —
not an approximation: the result equals :func:`cem.metrics.by` on the whole frame to the
last digit. Group labels get the same code in every partition: integers are their own
codes, other group columns are ``categorize``\\ d first (one pass to find the labels).

Examples
--------
>>> import dask.dataframe as dd, pandas as pd
>>> import cem.dask
>>> pdf = pd.DataFrame({"score": [10, 9, 3, 10, 7, 0], "region": list("nnnsns")})
>>> ddf = dd.from_pandas(pdf, npartitions=3)
>>> cem.dask.by(ddf, by="region", scheduler="sync")[["region", "value", "n"]]
  region  value  n
0      n   25.0  4
1      s    0.0  2
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from cem import _frames, _partials
from cem._cem import GroupedScores

__all__ = ["by", "grouped"]


def grouped(
    ddf: Any,
    score: str = "score",
    by: Union[str, Sequence[str]] = ("segment",),
    period: Optional[str] = None,
    time: str = "ts",
    metric: str = "nps",
    weights: Optional[str] = None,
    utc_offset: int = 0,
    *,
    time_unit: str = "s",
    csat_max: int = 5,
    csat_top: int = 2,
    ces_scale: str = "agreement7",
    max_groups: int = 1_000_000,
    scheduler: Optional[str] = None,
) -> tuple[GroupedScores, list[_frames.KeySpec]]:
    """The merged accumulator over all partitions and the key plan that decodes its segment
    codes (for callers who want the accumulator itself, e.g. to merge it with more data)."""
    import dask  # type: ignore[import-untyped,unused-ignore]

    keys = _partials.group_keys(by)
    ddf = ddf[_partials.needed_columns(list(ddf.columns), score, keys, period, time, weights)]
    meta = ddf._meta
    labelled = [k for k in keys if meta[k].dtype.kind not in "ui"]
    if labelled:
        ddf = ddf.categorize(columns=labelled)
    # Radices of integer keys (only needed to combine several columns).
    ints = [k for k in keys if k not in labelled]
    bounds = {}
    if len(keys) > 1 and ints:
        computed = dask.compute(*[(ddf[k].min(), ddf[k].max()) for k in ints], scheduler=scheduler)
        bounds = dict(zip(ints, computed))
    specs = []
    for k in keys:
        if k in labelled:
            specs.append(_frames.KeySpec(k, list(ddf._meta[k].cat.categories), "", 0))
        else:
            dtype = str(np.dtype(meta[k].dtype))
            specs.append(_partials.integer_spec(k, dtype, bounds.get(k, (0, -1)), "cast it to category on Dask"))
    scale = {"csat_max": csat_max, "csat_top": csat_top, "ces_scale": ces_scale, "max_groups": max_groups}
    parts = [
        dask.delayed(_frames.partial)(
            part, "pandas", specs, score, period, time, metric, weights, time_unit, utc_offset, scale
        )
        for part in ddf.to_delayed()
    ]
    (total,) = dask.compute(dask.delayed(_frames.merge_all)(parts), scheduler=scheduler)
    return total, specs


def by(
    ddf: Any,
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
    scheduler: Optional[str] = None,
) -> Any:
    """:func:`cem.metrics.by` for a Dask DataFrame: the same arguments and columns; the
    result is small and comes back computed, as pandas unless ``output`` says ``"polars"``
    or ``"pyarrow"``. ``scheduler`` is passed to ``dask.compute`` (default: the current
    one, e.g. a ``distributed.Client``)."""
    total, specs = grouped(
        ddf, score, by, period, time, metric, weights, utc_offset,
        time_unit=time_unit, csat_max=csat_max, csat_top=csat_top, ces_scale=ces_scale,
        max_groups=max_groups,
        scheduler=scheduler,
    )
    return _partials.result(total, specs, confidence, method, output)
