"""Group-by score metrics on PySpark: one :class:`cem.metrics.GroupedScores` per partition
through ``DataFrame.mapInArrow``, merged exactly on the driver.

Each partition's Arrow record batches go to the same zero-copy column path as pyarrow
tables; the partition ships its accumulator back as the core's JSON state (one row), and
the driver merges the partials: the result equals :func:`cem.metrics.by` on the collected
data to the last digit. Group labels get the same code in every partition: integer columns
are their own codes; for other group columns the distinct values are collected first (one
small Spark job) and each partition looks its labels up in that list.

Example (needs a Spark session; not run as a doctest)::

    from pyspark.sql import SparkSession
    import cem.spark

    spark = SparkSession.builder.master("local[2]").getOrCreate()
    sdf = spark.createDataFrame(pandas_df)          # columns score, region, ts
    out = cem.spark.by(sdf, by="region", period="month")   # a pandas DataFrame
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Sequence, Union

from cem import _frames, _partials
from cem._cem import GroupedScores

__all__ = ["by", "grouped"]

_INT_TYPES = {"ByteType": "int8", "ShortType": "int16", "IntegerType": "int32", "LongType": "int64"}


def grouped(
    sdf: Any,
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
) -> tuple[GroupedScores, list[_frames.KeySpec]]:
    """The merged accumulator over all partitions and the key plan that decodes its codes."""
    from pyspark.sql import functions as F  # type: ignore[import-untyped,unused-ignore]

    keys = _partials.group_keys(by)
    needed = _partials.needed_columns(list(sdf.columns), score, keys, period, time, weights)
    sdf = sdf.select(*needed)
    types = {f.name: type(f.dataType).__name__ for f in sdf.schema.fields}
    ints = [k for k in keys if types[k] in _INT_TYPES]
    bounds: dict[str, tuple[int, int]] = {}
    if len(keys) > 1 and ints:
        row = sdf.agg(*[f(k) for k in ints for f in (F.min, F.max)]).collect()[0]
        bounds = {k: (row[2 * i], row[2 * i + 1]) for i, k in enumerate(ints)}
    specs = []
    for k in keys:
        if k in ints:
            specs.append(_partials.integer_spec(k, _INT_TYPES[types[k]], bounds.get(k, (0, -1)), "cast it to string"))
        else:
            values = [r[0] for r in sdf.select(k).distinct().collect()]
            if any(v is None for v in values):
                from cem._cem import InvalidNumberError

                raise InvalidNumberError(f"column `{k}` `null` is missing; drop or fill missing values first")
            specs.append(_frames.KeySpec(k, sorted(values), "", 0))
    scale: dict[str, Any] = {"csat_max": csat_max, "csat_top": csat_top, "ces_scale": ces_scale,
                              "max_groups": max_groups}
    settings = (specs, score, period, time, metric, weights, time_unit, utc_offset, scale)

    def count(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa  # type: ignore[import-untyped]

        specs_, score_, period_, time_, metric_, weights_, unit_, offset_, scale_ = settings
        acc = GroupedScores(metric_, period_, time_unit=unit_, utc_offset=offset_, **scale_)
        for batch in batches:
            table = pa.Table.from_batches([batch])
            acc.merge(_frames.partial(table, "pyarrow", specs_, score_, period_, time_, metric_,
                                      weights_, unit_, offset_, scale_))
        yield pa.RecordBatch.from_pydict({"state": [acc.to_json()]})

    states = sdf.mapInArrow(count, "state string").collect()
    partials = [GroupedScores.from_json(r["state"], period is None, max_groups=max_groups) for r in states]
    if not partials:
        partials = [GroupedScores(metric, period, time_unit=time_unit, utc_offset=utc_offset, **scale)]
    return _frames.merge_all(partials), specs


def by(
    sdf: Any,
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
    """:func:`cem.metrics.by` for a PySpark DataFrame: the same arguments and columns; the
    (small) result comes back to the driver as pandas unless ``output`` says ``"polars"`` or
    ``"pyarrow"``. Spark timestamps are instants (read in UTC, then shifted by
    ``utc_offset``)."""
    total, specs = grouped(
        sdf, score, by, period, time, metric, weights, utc_offset,
        time_unit=time_unit, csat_max=csat_max, csat_top=csat_top, ces_scale=ces_scale,
        max_groups=max_groups,
    )
    return _partials.result(total, specs, confidence, method, output)
