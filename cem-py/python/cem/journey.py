"""Journey analytics on an event log: sessions, the directly-follows graph, variants,
funnels, paths, next steps, removal effects, feedback joined to the journey before it, pain
points, channel consistency, and the journey map.

:class:`EventLog` reads a frame (pandas, polars, pyarrow, or a dict of columns) once:
customer and touchpoint columns are factorized to ``uint32`` codes (categoricals give their
codes, strings are dictionary-encoded with pyarrow, non-negative integers are their own
codes), time columns are read in place. Every method calls the Rust core once (without the
GIL) and returns a frame of the caller's type (``output=`` picks another).

**Event order.** Within a customer, events are ordered by time; equal timestamps keep their
input order (a stable sort). This decides directly-follows pairs, starts, ends, variants and
funnels. pm4py orders equal timestamps the same way once ``pm4py.format_dataframe`` has run
(a stable sort by case, then time), and cem's counts and durations agree with its
``discover_dfg``, ``discover_performance_dfg``, ``get_start_activities``,
``get_end_activities`` and ``get_variants`` (``tests/python/test_journey_pm4py.py``).

**Time.** Datetime columns (numpy ``datetime64``, Arrow/polars timestamps, tz-aware pandas,
any unit) keep their own unit; integer columns are read in ``time_unit`` (seconds by
default). Durations (``mean_duration``, ``median_duration``, funnel times, session
``duration``) are **float seconds** whatever the unit: ``pandas.to_timedelta(x, unit="s")``
turns them into timedeltas. Gaps and windows (``gap=``, ``within=``, ``window=``) take
seconds, strings such as ``"30min"``, ``"2h"``, ``"7d"``, or ``datetime.timedelta``.

Examples
--------
>>> import pandas as pd
>>> from cem.journey import EventLog
>>> events = pd.DataFrame({
...     "customer_id": ["ann", "ann", "ann", "bob", "bob", "cy"],
...     "event": ["home", "cart", "pay", "home", "cart", "home"],
...     "timestamp": pd.to_datetime([0, 60, 90, 0, 30, 10], unit="s").as_unit("ms"),
... })
>>> log = EventLog(events)
>>> log
EventLog(events=6, customers=3, touchpoints=3, time_unit='ms')
>>> log.dfg()
  source target  count  customers  mean_duration  median_duration
0   home   cart      2          2           45.0             45.0
1   cart    pay      1          1           30.0             30.0
>>> log.funnel(["home", "cart", "pay"])[["touchpoint", "customers", "from_previous"]]
  touchpoint  customers  from_previous
0       home          3       1.000000
1       cart          2       0.666667
2        pay          1       0.500000
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from cem import _frames
from cem._cem import InvalidArgumentError, InvalidNumberError, _EventLog, _FeedbackJoin

__all__ = ["Attribution", "EventLog", "FeedbackJoin", "JourneyMap"]

_OUTPUTS = ("pandas", "polars", "pyarrow", "dict")
_U32_MAX = 2**32 - 1
Duration = Union[int, float, str, _dt.timedelta]
"""Seconds, a string such as ``"30min"``, ``"1.5h"``, ``"7d"``, or a ``timedelta``."""

_UNITS = {
    "ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "sec": 1.0, "second": 1.0, "seconds": 1.0,
    "m": 60.0, "min": 60.0, "minute": 60.0, "minutes": 60.0, "t": 60.0,
    "h": 3600.0, "hour": 3600.0, "hours": 3600.0,
    "d": 86400.0, "day": 86400.0, "days": 86400.0, "w": 604800.0, "week": 604800.0, "weeks": 604800.0,
}  # fmt: skip
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*([a-zA-Z]*)\s*$")


def seconds(value: Duration, name: str = "duration") -> float:
    """A duration in seconds, from seconds, a string (``"30min"``, ``"2h"``, ``"90s"``,
    ``"7d"``, ``"500ms"``) or a ``timedelta`` (Python, numpy or pandas).

    >>> seconds("30min"), seconds(90), seconds("1.5h")
    (1800.0, 90.0, 5400.0)
    """
    if isinstance(value, bool):
        raise InvalidArgumentError(f"invalid `{name}`: `{value}` is not a duration")
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, np.timedelta64):
        x = float(value / np.timedelta64(1, "ns")) * 1e-9
    elif hasattr(value, "total_seconds"):
        x = float(value.total_seconds())
    elif isinstance(value, str):
        m = _DURATION.match(value)
        unit = m.group(2).lower() if m else ""
        if not m or (unit or "s") not in _UNITS:
            raise InvalidArgumentError(
                f"invalid `{name}`: `{value}` is not a duration; use seconds or a string such as `30min`, `2h`, `7d`"
            )
        x = float(m.group(1)) * _UNITS[unit or "s"]
    else:
        raise InvalidArgumentError(f"invalid `{name}`: `{value!r}` is not a duration")
    if not math.isfinite(x) or x < 0:
        raise InvalidArgumentError(f"invalid `{name}`: `{value}` is not a non-negative duration")
    return x


@dataclass(frozen=True)
class JourneyMap:
    """The journey map (directly-follows graph) as SVG and DOT; shows itself in notebooks.

    Attributes
    ----------
    svg : str
        A self-contained SVG (no scripts, fonts or network).
    dot : str
        The same graph as Graphviz DOT.
    """

    svg: str
    dot: str

    def _repr_svg_(self) -> str:
        return self.svg

    def save(self, path: str) -> None:
        """Writes the SVG (or the DOT, for a path ending in ``.dot`` / ``.gv``)."""
        text = self.dot if str(path).endswith((".dot", ".gv")) else self.svg
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


@dataclass(frozen=True)
class Attribution:
    """Markov-chain attribution for a goal (:meth:`EventLog.removal_effects`).

    Attributes
    ----------
    goal : label
    conversion : float
        Probability of reaching the goal from the start in the fitted chain.
    observed : float
        Observed share of customers whose journey reaches the goal.
    effects : frame
        ``touchpoint, conversion_without, effect``, largest effect first.
    """

    goal: Any
    conversion: float
    observed: float
    effects: Any


class EventLog:
    """A columnar event log: who touched what, when.

    Parameters
    ----------
    frame : pandas.DataFrame, polars.DataFrame, pyarrow.Table or dict of columns
        One row per event, in any order.
    customer, touchpoint : str
        The customer and touchpoint columns: strings, categoricals or integers. Nulls raise
        :class:`cem.InvalidNumberError` naming the column and row.
    time : str
        Datetimes (any unit, naive or tz-aware; kept in their own unit) or integers in
        ``time_unit``.
    value : str, optional
        A numeric value per event (finite).
    channel : str, optional
        The channel of each event (strings, categoricals or integers; nulls raise
        :class:`cem.InvalidNumberError` naming the column and row). With it,
        :meth:`FeedbackJoin.channel_consistency` needs no touchpoint→channel mapping: each
        response counts for the channel of the event before it.
    time_unit : {"s", "ms", "us", "ns"}
        How integer times are read.
    output : {None, "pandas", "polars", "pyarrow", "dict"}
        The type of the frames methods return; by default the type of ``frame`` (a dict of
        columns gives dicts of lists).

    Examples
    --------
    >>> import polars as pl
    >>> from cem.journey import EventLog
    >>> df = pl.DataFrame({"user": [1, 1, 2, 2, 2], "page": ["a", "b", "a", "b", "b"],
    ...                    "t": [0, 10, 0, 20, 21]})
    >>> log = EventLog(df, customer="user", touchpoint="page", time="t")
    >>> log.variants().rows()
    [(['a', 'b'], 1, 0.5), (['a', 'b', 'b'], 1, 0.5)]
    >>> log.sessions(gap=15).select("customer", "events").rows()
    [(1, 2), (2, 1), (2, 2)]
    """

    def __init__(
        self,
        frame: Any,
        customer: str = "customer_id",
        touchpoint: str = "event",
        time: str = "timestamp",
        value: Optional[str] = None,
        channel: Optional[str] = None,
        *,
        time_unit: str = "s",
        output: Optional[str] = None,
    ) -> None:
        kind, frame = _kind(frame)
        self._output = _check_output(output or kind)
        rk = _reader_kind(kind)
        c_codes, self._customers = _factorize(frame, kind, customer)
        t_codes, self._touchpoints = _compact(*_factorize(frame, kind, touchpoint))
        self._labels: list[Any] = self._touchpoints.to_pylist()
        self._code = {label: i for i, label in enumerate(self._labels)}
        self._time_type = _time_type(frame, kind, time)
        channels = None
        self._channels: Any = None
        if channel is not None:
            ch_codes, self._channels = _compact(*_factorize(frame, kind, channel))
            channels = (ch_codes, [str(x) for x in self._channels.to_pylist()], channel)
        self._log = _EventLog.from_columns(
            c_codes,
            len(self._customers),
            t_codes,
            [str(x) for x in self._labels],
            _frames.column(frame, rk, time),
            _frames.column(frame, rk, value) if value is not None else None,
            time_unit=time_unit,
            columns=(customer, touchpoint, time, value or "value"),
            channels=channels,
        )
        self._per_second = {"s": 1, "ms": 1_000, "us": 1_000_000, "ns": 1_000_000_000}[self._log.time_unit]

    # ------------------------------------------------------------------ properties

    def __len__(self) -> int:
        return len(self._log)

    @property
    def customer_count(self) -> int:
        """Number of customers with events."""
        return int(self._log.customer_count)

    @property
    def touchpoints(self) -> list[Any]:
        """The touchpoint labels (in code order)."""
        return list(self._labels)

    @property
    def channels(self) -> Optional[list[Any]]:
        """The channel labels (in code order), or ``None`` without a ``channel`` column."""
        return None if self._channels is None else list(self._channels.to_pylist())

    @property
    def time_unit(self) -> str:
        """Unit of the log's timestamps: the datetime column's own, or ``time_unit``."""
        return str(self._log.time_unit)

    def __repr__(self) -> str:
        return (
            f"EventLog(events={len(self)}, customers={self.customer_count}, "
            f"touchpoints={len(self._labels)}, time_unit={self.time_unit!r})"
        )

    # ------------------------------------------------------------------ analyses

    def sessions(self, gap: Duration = "30min", *, output: Optional[str] = None) -> Any:
        """Sessions: a new one starts at a customer's first event and at every event whose gap
        to the previous one is strictly greater than ``gap``.

        Returns
        -------
        frame
            ``customer, session`` (0-based within the customer), ``start, end`` (the time
            column's type), ``events, duration`` (seconds), by customer (first appearance)
            then time.
        """
        s = self._log.sessions(self._native(gap, "gap"))
        customer = np.asarray(s["customer"])
        # Session number within the customer: rows come grouped by customer.
        first = np.r_[True, customer[1:] != customer[:-1]] if len(customer) else np.zeros(0, bool)
        starts = np.flatnonzero(first)
        idx = np.arange(len(customer)) - np.repeat(starts, np.diff(np.r_[starts, len(customer)]))
        start, end = np.asarray(s["start"]), np.asarray(s["end"])
        pa = _pa()
        return self._out(
            {
                "customer": self._customers.take(pa.array(customer)),
                "session": pa.array(idx, pa.uint32()),
                "start": self._times(start),
                "end": self._times(end),
                "events": pa.array(s["events"], pa.uint32()),
                "duration": pa.array((end - start) / self._per_second, pa.float64()),
            },
            output,
        )

    def session_ids(self, gap: Duration = "30min") -> np.ndarray:
        """The session of every event, **in the order of the input rows**: element ``i`` is
        the row of :meth:`sessions` (same ``gap``) that row ``i`` of the frame belongs to, so
        it can be attached to the frame as a column.

        >>> import pandas as pd
        >>> from cem.journey import EventLog
        >>> df = pd.DataFrame({"customer_id": [2, 1, 1, 2], "event": ["a", "b", "a", "b"],
        ...                    "timestamp": [0, 7200, 0, 60]})
        >>> df["session"] = EventLog(df).session_ids(gap="30min")
        >>> df["session"].tolist()  # customer 2 first (first seen), then 1's two sessions
        [0, 2, 1, 0]
        """
        return np.asarray(self._log.sessions(self._native(gap, "gap"))["of_event"])

    def dfg(self, *, output: Optional[str] = None) -> Any:
        """The directly-follows graph: for every pair of consecutive events of a customer,
        ``count`` (pm4py's ``discover_dfg``), distinct ``customers``, and ``mean_duration`` /
        ``median_duration`` in seconds (pm4py's ``discover_performance_dfg``; the median of an
        even count is the mean of the two middle values). Sorted by source then target code
        (first appearance of the touchpoints). Counts sum to events − customers.
        """
        d = self._log.dfg()
        pa = _pa()
        return self._out(
            {
                "source": self._label_array(d["source"]),
                "target": self._label_array(d["target"]),
                "count": pa.array(d["count"], pa.uint64()),
                "customers": pa.array(d["customers"], pa.uint64()),
                "mean_duration": pa.array(d["mean_duration"], pa.float64()),
                "median_duration": pa.array(d["median_duration"], pa.float64()),
            },
            output,
        )

    def starts(self, *, output: Optional[str] = None) -> Any:
        """``touchpoint, customers``: where journeys start (pm4py's ``get_start_activities``)."""
        return self._counts(self._log.starts(), output)

    def ends(self, *, output: Optional[str] = None) -> Any:
        """``touchpoint, customers``: where journeys end (pm4py's ``get_end_activities``)."""
        return self._counts(self._log.ends(), output)

    def variants(self, top: Optional[int] = None, *, output: Optional[str] = None) -> Any:
        """The distinct journeys (pm4py's ``get_variants``): ``variant`` (list of
        touchpoints), ``count``, ``share`` of customers; most frequent first, ties by the
        touchpoint codes; ``top`` keeps the first so many.
        """
        v = self._log.variants(top)
        pa = _pa()
        steps = self._touchpoints.take(pa.array(v["steps"]))
        return self._out(
            {
                "variant": pa.LargeListArray.from_arrays(pa.array(v["offsets"], pa.int64()), steps),
                "count": pa.array(v["count"], pa.uint64()),
                "share": pa.array(v["share"], pa.float64()),
            },
            output,
        )

    def funnel(
        self, steps: Sequence[Any], within: Optional[Duration] = None, *, output: Optional[str] = None
    ) -> Any:
        """Customers who take ``steps`` in order (other events in between are fine).

        Without ``within``, the attempt starts at a customer's first occurrence of the first
        step and each later step matches at its earliest occurrence after the previous one.
        With ``within``, every occurrence of the first step may open an attempt, steps count
        only within ``within`` of it, and a customer counts at the furthest step any attempt
        reaches; times come from the attempt that counts.

        Returns
        -------
        frame
            One row per step: ``touchpoint, customers, from_start, from_previous,
            median_time, p90_time, min_time, max_time`` (seconds from the first step; missing
            for the first step and unreached steps), ``time_histogram`` (ten ``(lower edge in
            seconds, customers)`` bins).
        """
        codes = [self._code_of(s, "steps") for s in steps]
        w = None if within is None else self._native(within, "within")
        f = self._log.funnel(codes, w)
        pa = _pa()
        bins = pa.struct([("lower", pa.float64()), ("customers", pa.uint64())])
        hist = [None if h is None else [{"lower": lo, "customers": k} for lo, k in h] for h in f["time_histogram"]]
        return self._out(
            {
                "touchpoint": self._label_array(f["touchpoint"]),
                "customers": pa.array(f["customers"], pa.uint64()),
                "from_start": pa.array(f["from_start"], pa.float64()),
                "from_previous": pa.array(f["from_previous"], pa.float64()),
                "median_time": pa.array(f["median_time"], pa.float64()),
                "p90_time": pa.array(f["p90_time"], pa.float64()),
                "min_time": pa.array(f["min_time"], pa.float64()),
                "max_time": pa.array(f["max_time"], pa.float64()),
                "time_histogram": pa.array(hist, pa.list_(bins)),
            },
            output,
        )

    def paths(
        self,
        start: Optional[Any] = None,
        end: Optional[Any] = None,
        depth: int = 3,
        top: Optional[int] = None,
        *,
        output: Optional[str] = None,
    ) -> Any:
        """The most common paths of ``depth`` touchpoints starting at each occurrence of
        ``start`` or ending at each occurrence of ``end`` (at most one of them; with neither,
        every window of ``depth`` consecutive events). Paths cut short by the journey's start
        or end are shorter. ``path, count``, most frequent first.

        >>> from cem.journey import EventLog
        >>> log = EventLog({"customer_id": ["a", "a", "a", "b", "b"], "event": ["x", "y", "z", "x", "y"],
        ...                 "timestamp": [0, 1, 2, 0, 1]})
        >>> log.paths(start="x", depth=2)
        {'path': [['x', 'y']], 'count': [2]}
        """
        s = None if start is None else self._code_of(start, "start")
        e = None if end is None else self._code_of(end, "end")
        p = self._log.paths(s, e, depth, top)
        pa = _pa()
        steps = self._touchpoints.take(pa.array(p["steps"]))
        return self._out(
            {
                "path": pa.LargeListArray.from_arrays(pa.array(p["offsets"], pa.int64()), steps),
                "count": pa.array(p["count"], pa.uint64()),
            },
            output,
        )

    def next_step(self, touchpoint: Any, *, output: Optional[str] = None) -> Any:
        """Where customers go right after ``touchpoint``: ``touchpoint`` (missing for the
        journey's end), ``probability`` (share of its occurrences), most likely first."""
        targets, probs = self._log.next_step(self._code_of(touchpoint, "touchpoint"))
        pa = _pa()
        labels = self._touchpoints.take(pa.array(targets, pa.uint32()))
        return self._out({"touchpoint": labels, "probability": pa.array(probs, pa.float64())}, output)

    def removal_effects(self, goal: Any, *, output: Optional[str] = None) -> Attribution:
        """Markov-chain attribution for reaching ``goal``: every journey, cut at its first
        ``goal``, is a path to conversion or not; a touchpoint's removal effect is
        1 − (conversion without it) / (conversion).

        Raises
        ------
        EmptyError
            No journey reaches the goal.
        """
        a = self._log.removal_effects(self._code_of(goal, "goal"))
        pa = _pa()
        effects = self._out(
            {
                "touchpoint": self._label_array(a["touchpoint"]),
                "conversion_without": pa.array(a["conversion_without"], pa.float64()),
                "effect": pa.array(a["effect"], pa.float64()),
            },
            output,
        )
        return Attribution(goal=goal, conversion=a["conversion"], observed=a["observed"], effects=effects)

    def with_feedback(
        self,
        feedback: Any,
        customer: str = "customer_id",
        time: str = "timestamp",
        score: str = "nps",
        window: Optional[Duration] = None,
    ) -> FeedbackJoin:
        """Joins survey responses to the journey before them: a response's last touchpoint
        is the customer's last event at or before its time; with ``window``, all touchpoints
        in ``[time − window, time]`` are listed too. Responses without a ``score`` (null)
        are left out; customers the log does not know are kept (with no touchpoint).

        Parameters
        ----------
        feedback : frame
            Any frame type (need not match the log's). ``customer`` holds the same ids as the
            log's customer column; ``time`` datetimes or integers in the log's unit;
            ``score`` integer answers (0-10 for NPS, ...).
        """
        pa, pc = _pa(), _pc()
        table = _columns_table(feedback, [customer, time, score])
        answered = pc.is_valid(table.column(score))
        table = table.filter(answered)
        keep = np.flatnonzero(np.asarray(answered.to_numpy(zero_copy_only=False)))
        ids = table.column(customer).combine_chunks()
        if ids.null_count:
            raise InvalidNumberError(
                f"column `{customer}` at position {int(keep[_frames._first_null(ids)])} `null` is missing; "
                "drop or fill missing values first"
            )
        if pa.types.is_dictionary(ids.type):
            ids = ids.dictionary_decode()
        labels = self._customers
        if ids.type != labels.type:
            ids = ids.cast(labels.type)
        codes = pc.fill_null(pc.index_in(ids, value_set=labels).cast(pa.uint32()), pa.scalar(_U32_MAX, pa.uint32()))
        times = table.column(time)
        w = None if window is None else self._native(window, "window")
        join = self._log.with_feedback(codes, times, table.column(score), w, columns=(customer, time, score))
        return FeedbackJoin(self, join, keep)

    # ------------------------------------------------------------------ journey map

    def to_dot(self, **options: Any) -> str:
        """The journey map as Graphviz DOT (options as for :meth:`map`)."""
        return str(self._log.to_dot(self._map_options(options)))

    def to_svg(self, **options: Any) -> str:
        """The journey map as a self-contained SVG (options as for :meth:`map`)."""
        return str(self._log.to_svg(self._map_options(options)))

    def map(self, **options: Any) -> JourneyMap:
        """The journey map, shown as SVG in notebooks.

        Parameters
        ----------
        min_share : float, default 0.02
            Leave out edges with fewer occurrences than this share of the busiest edge.
        scores : mapping of touchpoint to float, optional
            A score per touchpoint (say the NPS after it, from
            :meth:`FeedbackJoin.pain_points`) colouring nodes red to green.
        score_range : (float, float), default (-100, 100)
            The scores at the ends of the colour scale.
        title : str
        columns : mapping of touchpoint to int, optional
            The column of each touchpoint (say its journey stage); automatic otherwise.
        column_titles : sequence of str
        session_gap : duration, default "30min"
            The inactivity gap of the sessions the automatic layout uses.

        >>> from cem.journey import EventLog
        >>> log = EventLog({"customer_id": [1, 1, 2], "event": ["home", "cart", "home"], "timestamp": [0, 5, 0]})
        >>> m = log.map(title="Checkout")
        >>> m.svg.startswith("<svg") and ">Checkout<" in m.svg, m.dot.startswith("digraph")
        (True, True)
        """
        opts = self._map_options(options)
        return JourneyMap(svg=str(self._log.to_svg(opts)), dot=str(self._log.to_dot(opts)))

    def _map_options(self, options: dict[str, Any]) -> str:
        known = {"min_share", "scores", "score_range", "title", "columns", "column_titles", "session_gap"}
        unknown = sorted(set(options) - known)
        if unknown:
            raise InvalidArgumentError(f"unknown map option(s) {unknown}; expected some of {sorted(known)}")
        scores = options.get("scores") or {}
        columns = options.get("columns") or {}
        for name, mapping in (("scores", scores), ("columns", columns)):
            for label in mapping:
                self._code_of(label, name)
        if columns:
            missing = [t for t in self._labels if t not in columns]
            if missing:
                raise InvalidArgumentError(f"invalid `columns`: touchpoints {missing} have no column")
        lo, hi = options.get("score_range", (-100.0, 100.0))
        return json.dumps(
            {
                "min_share": float(options.get("min_share", 0.02)),
                "scores": [None if scores.get(t) is None else float(scores[t]) for t in self._labels] if scores else [],
                "score_range": [float(lo), float(hi)],
                "title": str(options.get("title", "")),
                "columns": [int(columns[t]) for t in self._labels] if columns else [],
                "column_titles": [str(t) for t in options.get("column_titles", ())],
                "session_gap": self._native(options.get("session_gap", "30min"), "session_gap"),
            }
        )

    # ------------------------------------------------------------------ helpers

    def _native(self, duration: Duration, name: str) -> int:
        """A duration in the log's time unit (rounded to the nearest unit)."""
        return int(round(seconds(duration, name) * self._per_second))

    def _code_of(self, label: Any, name: str) -> int:
        try:
            return self._code[label]
        except (KeyError, TypeError):
            raise InvalidArgumentError(
                f"invalid `{name}`: touchpoint `{label}` is not in the log; it has {self._labels[:20]}"
                + (" ..." if len(self._labels) > 20 else "")
            ) from None

    def _label_array(self, codes: Any) -> Any:
        pa = _pa()
        return self._touchpoints.take(pa.array(codes, pa.uint32()))

    def _counts(self, pair: tuple[list[int], list[int]], output: Optional[str]) -> Any:
        pa = _pa()
        return self._out({"touchpoint": self._label_array(pair[0]), "customers": pa.array(pair[1], pa.uint64())}, output)

    def _times(self, values: np.ndarray) -> Any:
        pa = _pa()
        arr = pa.array(values, pa.int64())
        return arr if self._time_type is None else arr.cast(self._time_type)

    def _out(self, columns: dict[str, Any], output: Optional[str]) -> Any:
        return _convert(_pa().table(columns), _check_output(output or self._output))


class FeedbackJoin:
    """Survey responses joined to the journey before them (:meth:`EventLog.with_feedback`).

    Examples
    --------
    >>> import cem
    >>> from cem.journey import EventLog
    >>> shop = cem.sample.retailer(42, customers=2000)
    >>> log = EventLog(shop.interactions, customer="customer", touchpoint="touchpoint", time="time")
    >>> join = log.with_feedback(shop.feedback, customer="customer", time="time", score="nps")
    >>> pains = join.pain_points("nps")
    >>> sorted(pains["touchpoint"][:3])
    ['cc-billing', 'cc-delivery', 'chat-support']
    """

    def __init__(self, log: EventLog, join: _FeedbackJoin, rows: np.ndarray) -> None:
        self._log = log
        self._join = join
        self._rows = rows  # feedback row of each joined response

    def __len__(self) -> int:
        return len(self._join)

    def __repr__(self) -> str:
        return f"FeedbackJoin(responses={len(self)})"

    def rows(self, *, output: Optional[str] = None) -> Any:
        """One row per answered response: ``row`` (its position in the feedback frame),
        ``score``, ``last`` (the touchpoint before it, missing if none), ``within`` (the
        touchpoints in the window), ``known`` (the customer has events), and for a log with
        a ``channel`` column ``last_channel`` (the channel of the event before it)."""
        r = self._join.rows()
        pa = _pa()
        log = self._log
        within = [[log._labels[c] for c in w] for w in r["within"]]
        return log._out(
            {
                "row": pa.array(self._rows[np.asarray(r["index"], dtype=np.int64)], pa.int64()),
                "score": pa.array(r["score"], pa.uint8()),
                "last": log._touchpoints.take(pa.array(r["last"], pa.uint32())),
                "within": pa.array(within, pa.list_(log._touchpoints.type)),
                "known": pa.array(r["known"], pa.bool_()),
            }
            | (
                {"last_channel": log._channels.take(pa.array(r["last_channel"], pa.uint32()))}
                if log._channels is not None
                else {}
            ),
            output,
        )

    def pain_points(
        self,
        metric: str = "nps",
        confidence: float = 0.95,
        min_responses: int = 30,
        *,
        csat_max: int = 5,
        csat_top: int = 2,
        ces_scale: str = "agreement7",
        output: Optional[str] = None,
    ) -> Any:
        """Touchpoints ranked by the harm they do to the score that follows them: for each
        touchpoint that is the last one before at least ``min_responses`` responses, the
        ``score`` after it (with ``score_low``/``score_high``) against the ``rest``, the
        ``difference`` with its interval, ``p_value`` and ``significant``, the ``drop_off``
        (share of its occurrences that end a journey), its reach in ``customers`` and the
        ``impact`` on the overall score; largest impact first.
        """
        p = self._join.pain_points(
            metric, confidence, min_responses, csat_max=csat_max, csat_top=csat_top, ces_scale=ces_scale
        )
        pa = _pa()
        cols: dict[str, Any] = {"touchpoint": self._log._label_array(p.pop("touchpoint"))}
        for name, values in p.items():
            t = pa.bool_() if name == "significant" else pa.uint64() if name in ("responses", "customers") else pa.float64()
            cols[name] = pa.array(values, t)
        return self._log._out(cols, output)

    def channel_consistency(
        self,
        channel_of: Optional[Mapping[Any, Any]] = None,
        confidence: float = 0.95,
        *,
        output: Optional[str] = None,
    ) -> Any:
        """How one customer's scores differ between channels: a response counts for the
        channel of its last event — from the log's ``channel`` column, or, with
        ``channel_of`` (a mapping from every touchpoint of the log to its channel), the
        channel of its last touchpoint. One row per channel pair (``channel_a, channel_b``)
        with the ``customers`` who answered after both, the mean within-customer
        ``difference`` (a − b, Student t interval ``difference_low``/``difference_high``) and
        the mean absolute ``spread``; missing with fewer than two customers.

        >>> import pandas as pd
        >>> from cem.journey import EventLog
        >>> events = pd.DataFrame({"customer_id": list("aabbcc"), "event": ["buy"] * 6,
        ...                        "timestamp": [0, 10] * 3, "via": ["web", "store"] * 3})
        >>> log = EventLog(events, channel="via")
        >>> answers = pd.DataFrame({"customer_id": list("aabbcc"), "timestamp": [5, 15] * 3,
        ...                         "score": [6, 9, 7, 9, 8, 10]})
        >>> join = log.with_feedback(answers, customer="customer_id", time="timestamp", score="score")
        >>> join.channel_consistency()[["channel_a", "channel_b", "customers", "difference"]].round(3)
          channel_a channel_b  customers  difference
        0       web     store          3      -2.333
        """
        if channel_of is None:
            chans = self._log._channels
            if chans is None:
                raise InvalidArgumentError(
                    "invalid `channel_of`: the event log has no channel column; "
                    "build it with `EventLog(..., channel=...)` or pass `channel_of`"
                )
            c = self._join.channel_consistency(None, confidence)
            names = chans.to_pylist()
            return self._pairs(c, names, output)
        labels = self._log._labels
        missing = [t for t in labels if t not in channel_of]
        if missing:
            raise InvalidArgumentError(f"invalid `channel_of`: touchpoints {missing} have no channel")
        channels: dict[Any, int] = {}
        for t in labels:
            channels.setdefault(channel_of[t], len(channels))
        names = list(channels)
        c = self._join.channel_consistency([channels[channel_of[t]] for t in labels], confidence)
        return self._pairs(c, names, output)

    def _pairs(self, c: dict[str, Any], names: list[Any], output: Optional[str]) -> Any:
        pa = _pa()
        return self._log._out(
            {
                "channel_a": pa.array([names[i] for i in c["a"]]),
                "channel_b": pa.array([names[i] for i in c["b"]]),
                "customers": pa.array(c["customers"], pa.uint64()),
                "difference": pa.array(c["difference"], pa.float64()),
                "difference_low": pa.array(c["difference_low"], pa.float64()),
                "difference_high": pa.array(c["difference_high"], pa.float64()),
                "spread": pa.array(c["spread"], pa.float64()),
            },
            output,
        )


# ---------------------------------------------------------------------- frame glue


def _pa() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa


def _pc() -> Any:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    return pc


def _kind(frame: Any) -> tuple[str, Any]:
    if isinstance(frame, Mapping):
        return "dict", _pa().table({str(k): _as_arrow_input(v) for k, v in frame.items()})
    kind = _frames.frame_kind(frame)
    return kind, _frames.as_table(frame, kind)


def _as_arrow_input(values: Any) -> Any:
    if isinstance(values, np.ndarray) or hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__"):
        return values
    if hasattr(values, "to_numpy"):
        return values.to_numpy()
    return list(values)


def _reader_kind(kind: str) -> str:
    return "pyarrow" if kind == "dict" else kind


def _check_output(output: str) -> str:
    if output not in _OUTPUTS:
        raise InvalidArgumentError(f"invalid `output`: `{output}`; expected one of {', '.join(_OUTPUTS)}")
    return output


def _factorize(frame: Any, kind: str, name: str) -> tuple[Any, Any]:
    """``uint32`` codes (a column the native side reads) and the labels by code (pyarrow)."""
    pa, pc = _pa(), _pc()
    kind = _reader_kind(kind)
    key = _frames._encode(frame, kind, name, need_radix=True)
    codes = key.codes
    if isinstance(codes, (pa.Array, pa.ChunkedArray)) and codes.null_count:
        raise InvalidNumberError(
            f"column `{name}` at position {_frames._first_null(codes)} `null` is missing; drop or fill missing values first"
        )
    n = len(codes)
    if key.radix > 2 * n + 1024:
        # Sparse integer ids (say 10-digit customer numbers): number the ones that occur.
        col = _frames.column(frame, kind, name)
        arrow = col.to_arrow() if kind == "polars" else pa.chunked_array([pa.array(col)]) if not isinstance(col, pa.ChunkedArray) else col
        enc = pc.dictionary_encode(arrow).unify_dictionaries()
        labels = enc.chunk(0).dictionary if enc.num_chunks else pa.array([], arrow.type)
        return pa.chunked_array([ch.indices for ch in enc.chunks], enc.type.index_type), labels
    labels = key.decode(np.arange(key.radix, dtype=np.uint64))
    if isinstance(labels, pa.ChunkedArray):
        labels = labels.combine_chunks()
    return codes, labels


def _compact(codes: Any, labels: Any) -> tuple[Any, Any]:
    """Drops labels no event uses. Integer ids are their own codes, so ids 3 and 5 come with
    labels 0..5; without this, touchpoints that never occur would show up in ``touchpoints``
    and the map would ask for their columns."""
    pa = _pa()
    if len(labels) == 0:
        return codes, labels
    if hasattr(codes, "to_numpy"):
        arr = codes.to_numpy()
    else:
        arr = np.asarray(codes)
    arr = arr.astype(np.int64, copy=False)
    used = np.bincount(arr, minlength=len(labels)) > 0
    if used.all():
        return codes, labels
    remap = (np.cumsum(used) - 1).astype(np.uint32)
    return remap[arr], labels.filter(pa.array(used))


def _time_type(frame: Any, kind: str, name: str) -> Any:
    """The Arrow type of a datetime column (to give session times back in it), else None."""
    pa = _pa()
    kind = _reader_kind(kind)
    if name not in _frames.column_names(frame, kind):
        return None
    if kind == "pyarrow":
        t = frame.schema.field(name).type
    elif kind == "polars":
        t = frame.get_column(name)[:0].to_arrow().type
    else:
        t = pa.array(frame[name].iloc[:0]).type
    if pa.types.is_timestamp(t):
        return t
    if pa.types.is_date(t):
        return pa.timestamp("s" if pa.types.is_date32(t) else "ms")
    return None


def _columns_table(frame: Any, names: list[str]) -> Any:
    """The named columns of any frame as a pyarrow Table (for the small feedback frame)."""
    pa = _pa()
    kind, frame = _kind(frame)
    kind = _reader_kind(kind)
    have = _frames.column_names(frame, kind)
    for n in names:
        if n not in have:
            raise KeyError(f"no column `{n}` in the frame; its columns are {have}")
    if kind == "pandas":
        return pa.Table.from_pandas(frame[names], preserve_index=False)
    if kind == "polars":
        return frame.select(names).to_arrow()
    return frame.select(names)


def _convert(table: Any, output: str) -> Any:
    if output == "pyarrow":
        return table
    if output == "dict":
        return table.to_pydict()
    if output == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return pl.from_arrow(table)
    return table.to_pandas()
