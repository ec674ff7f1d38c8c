"""Loyalty analytics on a transaction log: per-customer summaries (frequency, recency, age,
monetary value), repeat-purchase rate, churn, acquisition-cohort retention, RFM segments,
Kaplan–Meier survival and log-rank tests.

The numbers are the references': :func:`summary` is lifetimes'
``summary_data_from_transaction_data``, :class:`KaplanMeier` is lifelines'
``KaplanMeierFitter`` and :func:`logrank` its ``logrank_test`` /
``multivariate_logrank_test`` (``tests/python/test_loyalty.py`` checks them on CDNOW and
lifelines' ``waltons``).

Frames in, frames out: a transactions frame (pandas, polars, pyarrow, or a dict of columns)
is read once — customer ids are factorized to ``uint32`` codes, time columns are read in
place (datetimes in their own unit; integers in ``time_unit``, seconds by default) — and
results come back as a frame of the same kind (``output=`` picks another).

Examples
--------
>>> import pandas as pd
>>> from cem import loyalty
>>> tx = pd.DataFrame({
...     "customer_id": ["ann", "ann", "bob", "ann", "cy"],
...     "date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-10", "2024-01-15"]),
...     "amount": [10.0, 5.0, 20.0, 7.5, 3.0],
... })
>>> loyalty.summary(tx, "customer_id", "date", "amount", observation_end="2024-01-31")
  customer_id  frequency  recency     T  monetary_value
0         ann        1.0      9.0  30.0             7.5
1         bob        0.0      0.0  28.0             0.0
2          cy        0.0      0.0  16.0             0.0
>>> loyalty.repeat_purchase_rate(tx, "customer_id", "date").value  # ann bought again
0.3333333333333333
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from cem import _frames
from cem._cem import (
    InvalidArgumentError,
    _churn,
    _churn_by_segment,
    _churn_over_time,
    _customer_summary,
    _repeat_purchase_rate,
    _retention_cohorts,
    _rfm,
)
from cem._loyalty_glue import (  # noqa: F401  (_column for cem.clv; pa_is_sorted as before)
    Instant,
    _by_customer,
    _column,
    _convert,
    _customers,
    _estimate,
    _instant,
    _pa,
    _read,
    _segment_of,
    _shares,
    pa_is_sorted,
)
from cem._survival import KaplanMeier, LogRankResult, logrank, survival_svg
from cem.journey import Duration, seconds
from cem.metrics import Estimate, Proportion

__all__ = [
    "KaplanMeier",
    "LogRankResult",
    "RetentionCohorts",
    "churn",
    "logrank",
    "repeat_purchase_rate",
    "retention_cohorts",
    "rfm",
    "summary",
    "survival_svg",
]


def summary(
    transactions: Any,
    customer: str = "customer_id",
    time: str = "timestamp",
    amount: Optional[str] = None,
    observation_end: Optional[Instant] = None,
    freq: str = "D",
    *,
    time_unit: str = "s",
    details: bool = False,
    output: Optional[str] = None,
) -> Any:
    """One row per customer, as lifetimes' ``summary_data_from_transaction_data``.

    Every time and the observation end are floored to their period (``freq``: ``"D"`` UTC
    days, ``"W"`` weeks from Monday, ``"M"`` calendar months); a customer's purchases in the
    same period collapse into one (amounts summed). ``frequency`` = purchase periods − 1
    (repeat purchases), ``recency`` = periods from the first to the last purchase, ``T`` =
    periods from the first purchase to the observation end, ``monetary_value`` = mean spend
    of the repeat periods (0 without repeats; only with ``amount``).

    Parameters
    ----------
    transactions : frame
        One row per transaction.
    customer, time, amount : str
        Column names; ``amount`` is optional.
    observation_end : datetime, date, str or int, optional
        The end of observation (default: the last transaction). A transaction after it is an
        error (lifetimes silently drops some of them).
    freq : {"D", "W", "M"}
    details : bool
        Also return ``total_spend``, ``transactions`` (rows), ``first_purchase`` and
        ``last_purchase`` (start of their periods, UTC).
    output : {None, "pandas", "polars", "pyarrow", "dict"}

    Returns
    -------
    frame
        ``customer, frequency, recency, T[, monetary_value]``, by ascending customer id.

    Raises
    ------
    OutOfRangeError
        A transaction after ``observation_end``.
    InvalidNumberError
        A missing customer or time, a NaN or infinite amount.
    """
    kind, frame, out = _read(transactions, output)
    codes, labels = _customers(frame, kind, customer)
    end = _instant(observation_end, time_unit)
    s = _customer_summary(
        codes,
        _frames.column(frame, kind, time),
        _frames.column(frame, kind, amount) if amount is not None else None,
        end,
        freq,
        time_unit=time_unit,
        columns=(customer, time, amount or "amount"),
    )
    pa = _pa()
    cols: dict[str, Any] = {
        customer: labels.take(pa.array(s["customer"])),
        "frequency": s["frequency"],
        "recency": s["recency"],
        "T": s["T"],
    }
    if "monetary_value" in s:
        cols["monetary_value"] = s["monetary_value"]
    if details:
        if "total_spend" in s:
            cols["total_spend"] = s["total_spend"]
        cols["transactions"] = pa.array(s["transactions"], pa.uint32())
        cols["first_purchase"] = pa.array(s["first_purchase"], pa.timestamp("s", tz="UTC"))
        cols["last_purchase"] = pa.array(s["last_purchase"], pa.timestamp("s", tz="UTC"))
    return _convert(_by_customer(pa.table(cols), customer), out)


def repeat_purchase_rate(
    frame: Any,
    customer: str = "customer_id",
    time: str = "timestamp",
    observation_end: Optional[Instant] = None,
    freq: str = "D",
    *,
    confidence: float = 0.95,
    method: str = "wilson",
    time_unit: str = "s",
) -> Estimate:
    """The share of customers with at least one repeat purchase period (``frequency > 0``),
    with its confidence interval (``method``: ``"wilson"``, ``"agresti-coull"``, ``"wald"``).

    ``frame`` is a transactions frame (summarized by ``freq`` first, so purchases on the
    same day are one period with ``"D"``) or the result of :func:`summary` (it has a
    ``frequency`` column).
    """
    kind, table, _ = _read(frame, None)
    names = _frames.column_names(table, kind)
    if "frequency" in names and time not in names:
        frequency = _frames.column(table, kind, "frequency")
    else:
        s = summary(frame, customer, time, None, observation_end, freq, time_unit=time_unit, output="dict")
        frequency = np.asarray(s["frequency"], dtype=np.float64)
    repeat, n = _repeat_purchase_rate(frequency)
    p = Proportion()
    p.push_counts(repeat, n)
    return p.estimate(confidence, method)  # type: ignore[arg-type]  # checked by the native side


def churn(
    transactions: Any,
    customer: str = "customer_id",
    time: str = "timestamp",
    inactive: Duration = "90d",
    observation_end: Optional[Instant] = None,
    *,
    by: Optional[str] = None,
    over: Optional[str] = None,
    confidence: float = 0.95,
    time_unit: str = "s",
    output: Optional[str] = None,
) -> Any:
    """The churn rate: among customers who had bought by ``observation_end``, the share with
    no purchase in the last ``inactive`` window, i.e. none in (end − inactive, end].

    Parameters
    ----------
    inactive : seconds, str ("90d", "12w") or timedelta
    observation_end : optional
        Default: the last transaction. Later transactions are ignored.
    by : str, optional
        A segment column: churn per segment (a customer's segment must be the same on all
        their rows).
    over : {"D", "W", "M"}, optional
        Churn measured at the end of every period (the last one at ``observation_end``).

    Returns
    -------
    Estimate or frame
        Overall: an :class:`cem.Estimate` (Wilson interval). With ``by``: ``<by>, churned,
        customers, churn, low, high``. With ``over``: ``period_start, at, churned,
        customers, churn, low, high``.
    """
    if by is not None and over is not None:
        raise InvalidArgumentError("invalid `by`/`over`: give one of them, not both")
    kind, frame, out = _read(transactions, output)
    codes, labels = _customers(frame, kind, customer)
    times = _frames.column(frame, kind, time)
    window = int(seconds(inactive, "inactive"))
    end = _instant(observation_end, time_unit)
    pa = _pa()
    if by is None and over is None:
        churned, n = _churn(codes, times, window, end, time_unit=time_unit)
        return _estimate(churned, n, confidence)
    if over is not None:
        c = _churn_over_time(codes, times, window, end, over, time_unit=time_unit)
        cols: dict[str, Any] = {
            "period_start": pa.array(c["period_start"], pa.timestamp("s", tz="UTC")),
            "at": pa.array(c["at"], pa.timestamp("s", tz="UTC")),
        }
    else:
        assert by is not None
        seg_codes, seg_labels = _customers(frame, kind, by)
        segment_of = _segment_of(codes, seg_codes, len(labels), by)
        c = _churn_by_segment(codes, times, segment_of, window, end, time_unit=time_unit)
        cols = {by: seg_labels.take(pa.array(c["segment"], pa.uint32()))}
    cols.update(_shares(c["churned"], c["customers"], "churn", confidence))
    return _convert(pa.table(cols), out)


@dataclass(frozen=True)
class RetentionCohorts:
    """Acquisition cohorts × periods since acquisition (:func:`retention_cohorts`); shows
    itself as a heatmap in notebooks.

    Attributes
    ----------
    table : frame
        Long form: ``cohort`` (start of the acquisition period, UTC), ``size``, ``period``
        (periods since acquisition, 0 = the acquisition period), ``active`` (cohort customers
        buying in that period), ``retained`` (= active / size). Periods after the observation
        end have no row.
    svg : str
        The heatmap, a self-contained SVG.
    """

    table: Any
    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> None:
        """Writes the SVG."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.svg)


def retention_cohorts(
    transactions: Any,
    customer: str = "customer_id",
    time: str = "timestamp",
    observation_end: Optional[Instant] = None,
    period: str = "month",
    *,
    title: str = "Retention by acquisition cohort",
    time_unit: str = "s",
    output: Optional[str] = None,
) -> RetentionCohorts:
    """Groups customers by the period of their first purchase and counts, for every later
    period up to the one holding ``observation_end``, how many of them bought in it.
    ``period``: ``"day"``, ``"week"`` (Monday to Sunday) or ``"month"`` (or ``"D"``, ``"W"``,
    ``"M"``). Transactions after ``observation_end`` are ignored.

    >>> from cem.loyalty import retention_cohorts
    >>> day = 86400
    >>> r = retention_cohorts({"customer_id": [1, 2, 1, 3], "timestamp": [0, 0, 31 * day, 31 * day]})
    >>> r.table["retained"], r.svg.startswith("<svg")
    ([1.0, 0.5, 1.0], True)
    """
    kind, frame, out = _read(transactions, output)
    codes, _ = _customers(frame, kind, customer)
    r = _retention_cohorts(
        codes, _frames.column(frame, kind, time), _instant(observation_end, time_unit), period, title,
        time_unit=time_unit,
    )
    pa = _pa()
    table = pa.table(
        {
            "cohort": pa.array(r["cohort_start"], pa.timestamp("s", tz="UTC")),
            "size": pa.array(r["size"], pa.uint64()),
            "period": pa.array(r["period"], pa.uint32()),
            "active": pa.array(r["active"], pa.uint64()),
            "retained": pa.array(r["retained"], pa.float64()),
        }
    )
    return RetentionCohorts(_convert(table, out), str(r["svg"]))


def rfm(
    transactions: Any,
    customer: str = "customer_id",
    time: str = "timestamp",
    amount: str = "amount",
    observation_end: Optional[Instant] = None,
    freq: str = "D",
    *,
    time_unit: str = "s",
    output: Optional[str] = None,
) -> Any:
    """RFM scores (1..5 by quintile of rank; ties share the lower score) and named segments.

    Recency = periods since the last purchase (more recent scores higher), frequency =
    purchase periods, monetary = total spend. Segments, first matching rule wins:
    champions (R ≥ 4, F ≥ 4), loyal (R = 3, F ≥ 4), new (R ≥ 4, F = 1), potential_loyalist
    (R ≥ 3), cant_lose (R ≤ 2, F ≥ 4, M ≥ 4), at_risk (R ≤ 2, F ≥ 3), hibernating (R = 2),
    lost (R = 1).

    Returns
    -------
    frame
        ``customer, recency_score, frequency_score, monetary_score, rfm`` (e.g. ``"545"``),
        ``segment`` (a categorical).
    """
    kind, frame, out = _read(transactions, output)
    codes, labels = _customers(frame, kind, customer)
    r = _rfm(
        codes,
        _frames.column(frame, kind, time),
        _frames.column(frame, kind, amount),
        _instant(observation_end, time_unit),
        freq,
        time_unit=time_unit,
        columns=(customer, time, amount),
    )
    pa = _pa()
    rs, fs, ms = (np.asarray(r[k], dtype=np.uint8) for k in ("recency", "frequency", "monetary"))
    code = (rs.astype(np.uint16) * 100 + fs * 10 + ms).astype(str) if len(rs) else np.array([], dtype=str)
    segment = pa.DictionaryArray.from_arrays(pa.array(r["segment"], pa.int8()), pa.array(r["segment_names"]))
    table = pa.table(
        {
            customer: labels.take(pa.array(r["customer"])),
            "recency_score": rs,
            "frequency_score": fs,
            "monetary_score": ms,
            "rfm": pa.array(code, pa.string()),
            "segment": segment,
        }
    )
    return _convert(_by_customer(table, customer), out)
