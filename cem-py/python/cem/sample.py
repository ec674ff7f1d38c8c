"""The sample company, Northwind Home: a deterministic omnichannel retailer with planted
pain points, as data frames — for demos, docs and tests.

The data come from the Rust core (``cem_core::sample::retailer``): the same seed and size
give the same rows on every platform, and the first customers of a larger sample are those
of a smaller one. Over 24 months (2025-01-01 to 2026-12-31, UTC) it plants five effects:
long call-centre waits make detractors, the app payment step breaks from March to May 2026,
bargain hunters churn in 2026, the store is easy while chat after a failed checkout is hard,
and the web relaunch of October 2025 lifts web NPS month by month.

Examples
--------
>>> import cem
>>> shop = cem.sample.retailer(seed=42, customers=200)
>>> shop.name
'Northwind Home'
>>> list(shop.feedback.columns)
['customer', 'touchpoint', 'time', 'survey', 'nps', 'csat', 'ces', 'reason', 'comment']
>>> str(shop.interactions["time"].dtype)
'datetime64[us, UTC]'
>>> nps = cem.nps(shop.feedback["nps"].dropna())
>>> -100 <= nps.value <= 100
True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from cem._cem import InvalidArgumentError, _retailer

__all__ = ["Retailer", "retailer"]

_OUTPUTS = ("pandas", "polars", "pyarrow", "dict")


@dataclass(frozen=True)
class Retailer:
    """The sample company's tables, in the frame type asked for.

    Attributes
    ----------
    name : str
        ``"Northwind Home"``.
    touchpoints : frame
        ``id, name, channel, stage``: the 17 touchpoints over 8 channels.
    customers : frame
        ``id, segment, preferred_channel, signup, region``.
    interactions : frame
        ``customer, touchpoint, channel, time, outcome, value``, by customer then time.
        ``value`` is the basket in EUR for payments, tills and sales visits, the refund for
        the returns desk, the wait in seconds for calls and the duration for chats.
    feedback : frame
        ``customer, touchpoint, time, survey, nps, csat, ces, reason, comment``: the
        post-contact survey with its answers flattened to columns (missing when unanswered).
    transactions : frame
        ``customer, time, amount, currency``: purchases (positive) and refunds (negative).
    cases : frame
        ``id, customer, opened, closed, status, priority, reason``.

    Timestamps are timezone-aware UTC datetimes (microseconds). With pandas, scores are
    nullable ``Int64``, ``value`` is float64 with NaN where there is none, and missing text is
    pandas' missing value; polars and pyarrow use nulls throughout.
    """

    name: str
    touchpoints: Any
    customers: Any
    interactions: Any
    feedback: Any
    transactions: Any
    cases: Any


def retailer(seed: int = 42, customers: int = 2000, output: Optional[str] = None) -> Retailer:
    """Generates the sample company.

    Parameters
    ----------
    seed : int, default 42
        Seed of the generator (non-negative).
    customers : int, default 2000
        Number of customers, 1 to 10,000,000; the other tables grow in proportion (about
        74 interactions and 3.4 survey answers per customer).
    output : {"pandas", "polars", "pyarrow", "dict"}, optional
        Frame type of the tables: pandas DataFrames (the default when pandas is installed,
        else polars, else pyarrow), polars DataFrames, pyarrow Tables, or dicts of lists
        (timestamps as microseconds since the epoch).

    Returns
    -------
    Retailer

    Raises
    ------
    InvalidArgumentError
        ``customers`` outside 1..=10,000,000, or an unknown ``output``.
    ImportError
        The library ``output`` names is not installed.

    Examples
    --------
    >>> import cem
    >>> shop = cem.sample.retailer(7, customers=50, output="polars")
    >>> shop.customers.height
    50
    >>> shop.cases.schema["opened"]
    Datetime(time_unit='us', time_zone='UTC')
    """
    if output is None:
        output = _default_output()
    if output not in _OUTPUTS:
        raise InvalidArgumentError(f"invalid `output`: `{output}`; expected one of {', '.join(_OUTPUTS)}")
    build = {"pandas": _pandas, "polars": _polars, "pyarrow": _pyarrow, "dict": _dict}[output]
    tables = _retailer(seed, customers)
    frames = {name: build(tables[name]) for name in ("touchpoints", "customers", "interactions", "feedback", "transactions", "cases")}
    return Retailer(name=tables["name"], **frames)


def _default_output() -> str:
    import importlib.util

    for name in ("pandas", "polars", "pyarrow"):
        if importlib.util.find_spec(name) is not None:
            return name
    return "dict"


def _dict(columns: list[tuple[str, str, list[Any]]]) -> dict[str, list[Any]]:
    return {name: values for name, _kind, values in columns}


def _pandas(columns: list[tuple[str, str, list[Any]]]) -> Any:
    import pandas as pd  # type: ignore[import-untyped,unused-ignore]

    data = {}
    for name, kind, values in columns:
        if kind.startswith("ts"):
            data[name] = pd.to_datetime(pd.Series(values, dtype="Int64"), unit="us", utc=True).astype("datetime64[us, UTC]")
        elif kind == "int?":
            data[name] = pd.Series(values, dtype="Int64")
        elif kind.startswith("f64"):
            data[name] = pd.Series(values, dtype="float64")
        else:
            data[name] = pd.Series(values)
    return pd.DataFrame(data)


def _polars(columns: list[tuple[str, str, list[Any]]]) -> Any:
    import polars as pl

    series = []
    for name, kind, values in columns:
        if kind.startswith("ts"):
            s = pl.Series(name, values, dtype=pl.Int64).cast(pl.Datetime("us")).dt.replace_time_zone("UTC")
        elif kind == "int?":
            s = pl.Series(name, values, dtype=pl.Int64)
        elif kind.startswith("f64"):
            s = pl.Series(name, values, dtype=pl.Float64)
        else:
            s = pl.Series(name, values, dtype=pl.String)
        series.append(s)
    return pl.DataFrame(series)


def _pyarrow(columns: list[tuple[str, str, list[Any]]]) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped,unused-ignore]

    types = {"str": pa.string(), "str?": pa.string(), "f64": pa.float64(), "f64?": pa.float64(), "int?": pa.int64()}
    arrays = {}
    for name, kind, values in columns:
        if kind.startswith("ts"):
            arrays[name] = pa.array(values, type=pa.int64()).cast(pa.timestamp("us", tz="UTC"))
        else:
            arrays[name] = pa.array(values, type=types[kind])
    return pa.table(arrays)
