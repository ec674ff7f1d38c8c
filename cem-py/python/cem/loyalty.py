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

import datetime as _dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from cem import _frames
from cem._cem import (
    InvalidArgumentError,
    _churn,
    _churn_by_segment,
    _churn_over_time,
    _customer_summary,
    _KaplanMeier,
    _logrank_test,
    _multivariate_logrank_test,
    _repeat_purchase_rate,
    _retention_cohorts,
    _rfm,
    _survival_svg,
)
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

_OUTPUTS = ("pandas", "polars", "pyarrow", "dict")
Instant = Union[int, float, str, _dt.date, _dt.datetime, np.datetime64]
"""A moment: a datetime, date, ISO string or numpy datetime64 (UTC when naive), or an integer
in the frame's ``time_unit``. A bare date (or date-only string) means the end of that day."""


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


class KaplanMeier:
    """The Kaplan–Meier estimator, as lifelines' ``KaplanMeierFitter``: the survival table
    with Greenwood variance and lifelines' log(−log) confidence band, the median, S(t), and
    a survival-curve picture.

    Parameters
    ----------
    confidence : float
        Level of the pointwise band (lifelines' ``alpha = 1 − confidence``).

    Examples
    --------
    >>> from cem.loyalty import KaplanMeier
    >>> km = KaplanMeier().fit([1, 2, 2, 3, 4], [True, True, False, True, False])
    >>> km.median
    3.0
    >>> km.survival_at([0, 2.5, 10]).round(3).tolist()
    [1.0, 0.6, 0.3]
    >>> km.survival_table()[["time", "at_risk", "events", "survival"]].iloc[2].round(3).tolist()
    [2.0, 4.0, 1.0, 0.6]
    """

    def __init__(self, confidence: float = 0.95, label: str = "survival") -> None:
        self.confidence = confidence
        self.label = label
        self._km: Optional[_KaplanMeier] = None

    def fit(
        self,
        durations: Any,
        events: Optional[Any] = None,
        weights: Optional[Any] = None,
        *,
        label: Optional[str] = None,
    ) -> KaplanMeier:
        """Fits the curve. ``events[i]`` is true when subject ``i``'s duration ended in the
        event (churn), false when censored (default: all observed); ``weights`` are frequency
        weights. Returns ``self``.

        Raises
        ------
        InvalidNumberError
            A NaN, infinite or negative duration or weight; an event flag other than 0/1.
        EmptyError
            No durations.
        """
        self._km = _KaplanMeier.fit(_column(durations), _flags(events), _column(weights), self.confidence)
        if label is not None:
            self.label = label
        return self

    @property
    def _fitted(self) -> _KaplanMeier:
        if self._km is None:
            raise InvalidArgumentError("the KaplanMeier estimator is not fitted; call fit() first")
        return self._km

    def survival_table(self, output: str = "pandas") -> Any:
        """``time, at_risk, events, censored, survival, variance, lower, upper``: one row at 0
        and at each distinct duration (lifelines' ``event_table`` joined with
        ``survival_function_``, ``_cumulative_sq_`` and ``confidence_interval_``)."""
        t = self._fitted.table()
        return _convert(_pa().table(t), _check_output(output))

    @property
    def median(self) -> Optional[float]:
        """lifelines' ``median_survival_time_``; ``None`` when the curve stays above 0.5."""
        return self._fitted.median

    def quantile_time(self, q: float) -> Optional[float]:
        """The first time at which S(t) ≤ ``q`` (lifelines' ``qth_survival_time``)."""
        return self._fitted.quantile_time(q)

    def survival_at(self, times: Any) -> Any:
        """S(t) at each time (a float for a scalar), lifelines' ``survival_function_at_times``."""
        if np.ndim(times) == 0:
            return float(self._fitted.survival_at([float(times)])[0])
        return self._fitted.survival_at(_column(times))

    @property
    def svg(self) -> str:
        """The curve with its band, as a self-contained SVG."""
        return self._fitted.svg(self.label, "Survival")

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        if self._km is None:
            return f"KaplanMeier(confidence={self.confidence}, unfitted)"
        return f"KaplanMeier(label={self.label!r}, median={self.median}, confidence={self.confidence})"

    def __getstate__(self) -> dict[str, Any]:
        return {"confidence": self.confidence, "label": self.label, "km": None if self._km is None else self._km.to_json()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.confidence = state["confidence"]
        self.label = state["label"]
        self._km = None if state["km"] is None else _KaplanMeier.from_json(state["km"])


def survival_svg(curves: Union[Mapping[str, KaplanMeier], Sequence[KaplanMeier]], title: str = "Survival") -> str:
    """Several fitted curves in one SVG: a mapping ``label → KaplanMeier`` or a list of them
    (labelled by their ``label``)."""
    items = list(curves.items()) if isinstance(curves, Mapping) else [(k.label, k) for k in curves]
    return str(_survival_svg([(str(label), km._fitted) for label, km in items], title))


@dataclass(frozen=True)
class LogRankResult:
    """A log-rank test (lifelines' ``StatisticalResult``): ``statistic`` (chi-square),
    ``df``, ``p_value``, and per group ``observed`` / ``expected`` events."""

    statistic: float
    p_value: float
    df: int
    groups: list[Any]
    observed: list[float]
    expected: list[float]


def logrank(
    durations: Any,
    groups: Any = None,
    events: Any = None,
    *,
    durations_b: Any = None,
    events_b: Any = None,
) -> LogRankResult:
    """The log-rank test that survival is the same in every group.

    ``logrank(durations, groups, events)`` is lifelines' ``multivariate_logrank_test`` (any
    number ≥ 2 of group labels); ``logrank(durations_a, events=events_a,
    durations_b=..., events_b=...)`` is its two-sample ``logrank_test`` (groups ``"a"`` and
    ``"b"``). Events default to all observed.

    >>> from cem.loyalty import logrank
    >>> t = logrank([1, 2, 3, 4, 5, 6, 7, 8], ["x"] * 4 + ["y"] * 4)
    >>> t.df, t.groups, t.p_value < 0.05
    (1, ['x', 'y'], True)
    """
    if durations_b is not None:
        if groups is not None:
            raise InvalidArgumentError("invalid `groups`: give `groups` or `durations_b`, not both")
        r = _logrank_test(_column(durations), _column(durations_b), _flags(events), _flags(events_b))
        labels: list[Any] = ["a", "b"]
    else:
        if groups is None:
            raise InvalidArgumentError("invalid `groups`: a log-rank test needs `groups` (or `durations_b`)")
        uniques, codes = np.unique(np.asarray(_column(groups)), return_inverse=True)
        r = _multivariate_logrank_test(_column(durations), codes.astype(np.uint32), _flags(events))
        labels = uniques.tolist()
    return LogRankResult(
        statistic=float(r["statistic"]),
        p_value=float(r["p_value"]),
        df=int(r["df"]),
        groups=[labels[i] for i in r["groups"]],
        observed=list(r["observed"]),
        expected=list(r["expected"]),
    )


# ---------------------------------------------------------------------- glue


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
