"""Alerts and cases: closing the loop on feedback.

A :class:`RuleSet` (JSON) says which responses need a follow-up — a detractor, a low CSAT,
an angry comment, a gold customer threatening to cancel — and with which priority and SLA.
A :class:`CaseBook` opens the cases (one active case per customer and reason), follows them
through ``open → in_progress → resolved → closed`` (and reopen) with an audit trail,
escalates the overdue ones and reports the closed-loop figures. A :class:`Monitor` watches
NPS, CSAT or a mean over a rolling time window, overall and per segment, and raises an alert
when it falls below the control limit set by its baseline.

Responses are records (dicts) or the rows of a pandas/polars/pyarrow table with the columns
``customer``, ``time`` and any of ``nps``, ``csat``, ``ces`` (whole numbers), ``sentiment``
(a number in −1..1 the caller computed, e.g. with :mod:`cem.text`), ``comment``,
``channel``, ``touchpoint``, ``segment``, ``tier``. Other columns are ignored; ``None``/NaN
is missing. Times are datetimes (naive ones are read as UTC), pandas Timestamps, numpy
``datetime64`` or ISO 8601 text. Case and figure results are plain dicts in the JSON form of
``cem_core::alerts`` (times as RFC 3339 text, durations in hours).

Examples
--------
>>> import cem
>>> rules = cem.alerts.RuleSet('''{"rules": [
...   {"name": "detractor", "priority": "high", "sla_hours": 48,
...    "when": {"field": "nps", "at_most": 6}},
...   {"name": "churn-threat", "priority": "urgent", "sla_hours": 4,
...    "when": {"all": [{"field": "tier", "in": ["gold"]},
...                     {"field": "comment", "contains_word": "cancel"}]}}]}''')
>>> responses = [
...     {"customer": "c-1", "time": "2026-03-02T09:00:00Z", "nps": 3, "tier": "gold",
...      "comment": "I will cancel"},
...     {"customer": "c-2", "time": "2026-03-02T09:05:00Z", "nps": 9},
...     {"customer": "c-1", "time": "2026-03-02T10:00:00Z", "nps": 2}]
>>> rules.matching(responses)
[['detractor', 'churn-threat'], [], ['detractor']]
>>> book = cem.alerts.CaseBook()
>>> book.ingest(rules, responses)  # the third response is a duplicate of case-1
['case-1', 'case-2']
>>> book.start("case-1", who="agent-7", when="2026-03-02T11:00:00Z")["status"]
'in_progress'
>>> book.tick("2026-03-02T14:00:00Z")  # case-2 (4 h SLA) is overdue
['case-2']
>>> book.figures("2026-03-02T14:00:00Z")["time_to_first_response"]
{'n': 1, 'median': 2.0, 'p90': 2.0}
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections.abc import Iterable, Mapping
from numbers import Real
from typing import Any, Optional, Union

from cem._cem import (
    IllegalTransitionError,
    InvalidRuleError,
    OutOfOrderError,
    _CaseBook,
    _Monitor,
    _RuleSet,
)

__all__ = [
    "CaseBook",
    "IllegalTransitionError",
    "InvalidRuleError",
    "Monitor",
    "OutOfOrderError",
    "RuleSet",
]

FIELDS = (
    "customer",
    "time",
    "nps",
    "csat",
    "ces",
    "sentiment",
    "comment",
    "channel",
    "touchpoint",
    "segment",
    "tier",
)
_SCORES = ("nps", "csat", "ces")
_TEXTS = ("comment", "channel", "touchpoint", "segment", "tier")

Responses = Union[Iterable[Mapping[str, Any]], Any]
"""Records (dicts), or a pandas/polars/pyarrow table."""
Time = Union[str, _dt.datetime, Any]


# ------------------------------------------------------------------ conversion (rows → JSON)


def _records(data: Any) -> list[Mapping[str, Any]]:
    if isinstance(data, Mapping):
        return [data]
    module = type(data).__module__.split(".")[0]
    if module == "pandas" and hasattr(data, "to_dict"):
        return list(data.to_dict("records"))
    if module == "polars" and hasattr(data, "to_dicts"):
        return list(data.to_dicts())
    if hasattr(data, "to_pylist"):  # pyarrow Table / RecordBatch
        return list(data.to_pylist())
    if isinstance(data, (str, bytes)):
        raise TypeError("responses are records (dicts) or a table, not text")
    return list(data)


def _missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NAType", "NaTType")


def _time(v: Any, name: str) -> str:
    if isinstance(v, str):
        try:
            v = _dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} `{v}` is not an ISO 8601 time") from None
    if type(v).__name__ == "datetime64":  # numpy scalar: naive, read as UTC
        import numpy as np

        return str(np.datetime_as_string(v, unit="ns")) + "Z"
    if isinstance(v, _dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=_dt.timezone.utc)
        else:
            v = v.astimezone(_dt.timezone.utc)
        text = v.isoformat()
        return text
    if isinstance(v, _dt.date):
        return f"{v.isoformat()}T00:00:00Z"
    raise TypeError(f"{name} must be a datetime or ISO 8601 text, not `{type(v).__name__}`")


def _row(rec: Mapping[str, Any], pos: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("customer", "time"):
        v = rec.get(key)
        if v is None or _missing(v):
            raise ValueError(f"the response at position {pos} has no `{key}`")
    out["customer"] = str(rec["customer"])
    out["time"] = _time(rec["time"], f"`time` of the response at position {pos}")
    for key in _SCORES:
        v = rec.get(key)
        if v is None or _missing(v):
            continue
        if isinstance(v, bool) or not isinstance(v, Real) or not float(v).is_integer():
            raise ValueError(f"`{key}` of the response at position {pos} is {v!r}, not a whole number")
        x = float(v)
        if not 0 <= x <= 255:
            raise ValueError(f"`{key}` of the response at position {pos} is {v!r}, outside 0..=255")
        out[key] = int(x)
    v = rec.get("sentiment")
    if v is not None and not _missing(v):
        if isinstance(v, bool) or not isinstance(v, Real):
            raise ValueError(f"`sentiment` of the response at position {pos} is {v!r}, not a number")
        x = float(v)
        if not math.isfinite(x):
            raise ValueError(f"`sentiment` of the response at position {pos} is {x!r}, not a finite number")
        out["sentiment"] = x
    for key in _TEXTS:
        v = rec.get(key)
        if v is not None and not _missing(v):
            out[key] = str(v)
    return out


def responses_json(data: Responses) -> str:
    """The responses as the JSON rows ``cem_core::alerts::Response`` reads."""
    return json.dumps([_row(r, i) for i, r in enumerate(_records(data))])


def _now(now: Optional[Time]) -> str:
    if now is None:
        return _time(_dt.datetime.now(_dt.timezone.utc), "now")
    return _time(now, "now")


# ------------------------------------------------------------------ RuleSet


class RuleSet:
    """Checked, compiled alert rules.

    Parameters
    ----------
    definition : str or dict
        ``{"rules": [...]}`` as JSON text or as a dict. Each rule has ``name``, ``when`` (a
        condition), ``priority`` (``low``, ``medium``, ``high``, ``urgent``), ``sla_hours``
        and optionally ``reason`` (defaults to the name). Conditions:
        ``{"field": f, op: value}`` with ``at_most``, ``at_least``, ``below``, ``above``
        (numbers: ``nps``, ``csat``, ``ces``, ``sentiment``), ``equals``, ``in``,
        ``present``, ``contains`` / ``contains_word`` (``comment``, ignoring case), and
        ``{"all": [...]}``, ``{"any": [...]}``, ``{"not": c}``.

    Raises
    ------
    InvalidRuleError
        Naming the rule and the field (unknown fields, a number compared with a text field...).

    Examples
    --------
    >>> import cem
    >>> try:
    ...     cem.alerts.RuleSet({"rules": [{"name": "x", "priority": "low", "sla_hours": 1,
    ...                                    "when": {"field": "tier", "at_most": 2}}]})
    ... except cem.alerts.InvalidRuleError as err:
    ...     print(err)
    rule `x`: `when.at_most` compares text field `tier` with a number (number fields: nps, csat, ces, sentiment)
    """

    def __init__(self, definition: Union[str, Mapping[str, Any]]) -> None:
        text = definition if isinstance(definition, str) else json.dumps(definition)
        self._inner = _RuleSet(text)

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        """Reads rules from JSON text."""
        return cls(text)

    def to_json(self) -> str:
        """The rules as JSON text."""
        return str(self._inner.to_json())

    @property
    def names(self) -> list[str]:
        """The rules' names, in order."""
        return list(self._inner.names)

    def matching(self, responses: Responses) -> list[list[str]]:
        """The names of the rules that match, per response."""
        return list(self._inner.matching(responses_json(responses)))

    def count_matches(self, responses: Responses) -> dict[str, int]:
        """How many responses each rule matches."""
        counts = self._inner.count_matches(responses_json(responses))
        return dict(zip(self.names, counts))

    def evaluate(self, responses: Responses) -> list[dict[str, Any]]:
        """The cases these rules open for the responses (in a fresh book, so deduplicated
        per customer and reason), as dicts.

        Examples
        --------
        >>> import cem
        >>> rules = cem.alerts.RuleSet({"rules": [{"name": "low-csat", "priority": "medium",
        ...     "sla_hours": 24, "when": {"field": "csat", "at_most": 2}}]})
        >>> [c["due"] for c in rules.evaluate([{"customer": "a", "time": "2026-01-05T08:00:00Z", "csat": 1}])]
        ['2026-01-06T08:00:00Z']
        """
        return list(json.loads(self._inner.evaluate(responses_json(responses))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RuleSet) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.to_json())

    def __repr__(self) -> str:
        return f"RuleSet({self.names!r})"

    def __reduce__(self) -> tuple[type[RuleSet], tuple[str]]:
        return (RuleSet, (self.to_json(),))


# ------------------------------------------------------------------ CaseBook


class CaseBook:
    """The cases opened by alert rules, their lifecycle, SLA escalation and the closed-loop
    figures.

    Lifecycle: ``open → in_progress → resolved → closed``, and ``resolved``/``closed →
    open`` (reopen); any other move raises :class:`IllegalTransitionError`. Every move is
    kept in the case's ``history`` (``time``, ``who``, ``from``, ``to``, ``note``). A case's
    ``due`` is its deadline for being resolved; :meth:`tick` escalates each active case past
    it once (priority one level up, ``who = "sla"`` in the trail).

    Figures (:meth:`figures`): time to first response and to close in hours (median and 90th
    percentile, numpy's default linear interpolation), SLA breach rate, the share of
    detractors (customers with an NPS of 0–6) whose case got a first response, and the
    recovery rate (detractors who later answered 7 or more).

    Examples
    --------
    >>> import cem, pickle
    >>> rules = cem.alerts.RuleSet({"rules": [{"name": "detractor", "priority": "high",
    ...     "sla_hours": 24, "when": {"field": "nps", "at_most": 6}}]})
    >>> book = cem.alerts.CaseBook()
    >>> book.ingest(rules, [{"customer": "c", "time": "2026-03-02T09:00:00Z", "nps": 1}])
    ['case-1']
    >>> try:
    ...     book.close("case-1", who="a", when="2026-03-02T10:00:00Z")
    ... except cem.alerts.IllegalTransitionError as err:
    ...     print(err.code, "|", err)
    illegal_transition | case `case-1` cannot go from `open` to `closed`: from `open` a case can go to `in_progress`
    >>> pickle.loads(pickle.dumps(book)) == book
    True
    """

    def __init__(self) -> None:
        self._inner = _CaseBook()

    @classmethod
    def from_json(cls, text: str) -> CaseBook:
        """Reads a book written by :meth:`to_json`."""
        book = cls.__new__(cls)
        book._inner = _CaseBook.from_json(text)
        return book

    def to_json(self) -> str:
        """The whole book (cases, trails, NPS history for the figures) as JSON text."""
        return str(self._inner.to_json())

    def ingest(self, rules: RuleSet, responses: Responses) -> list[str]:
        """Evaluates the rules on the responses (in order) and opens the cases they call for;
        returns the new case ids. All or nothing: a bad response changes nothing."""
        return list(self._inner.ingest(rules._inner, responses_json(responses)))

    def transition(
        self, case_id: str, to: str, *, who: str, when: Optional[Time] = None, note: Optional[str] = None
    ) -> dict[str, Any]:
        """Moves a case to status ``to`` (``open``, ``in_progress``, ``resolved``,
        ``closed``) at ``when`` (default: now); returns the case."""
        return dict(json.loads(self._inner.transition(case_id, to, who, _now(when), note)))

    def start(self, case_id: str, *, who: str, when: Optional[Time] = None, note: Optional[str] = None) -> dict[str, Any]:
        """``open → in_progress``: the first response to the customer."""
        return self.transition(case_id, "in_progress", who=who, when=when, note=note)

    def resolve(self, case_id: str, *, who: str, when: Optional[Time] = None, note: Optional[str] = None) -> dict[str, Any]:
        """``in_progress → resolved``."""
        return self.transition(case_id, "resolved", who=who, when=when, note=note)

    def close(self, case_id: str, *, who: str, when: Optional[Time] = None, note: Optional[str] = None) -> dict[str, Any]:
        """``resolved → closed``."""
        return self.transition(case_id, "closed", who=who, when=when, note=note)

    def reopen(self, case_id: str, *, who: str, when: Optional[Time] = None, note: Optional[str] = None) -> dict[str, Any]:
        """``resolved``/``closed → open``."""
        return self.transition(case_id, "open", who=who, when=when, note=note)

    def tick(self, now: Optional[Time] = None) -> list[str]:
        """Escalates the active cases past their deadline at ``now`` (default: now); returns
        their ids."""
        return list(self._inner.tick(_now(now)))

    @property
    def cases(self) -> list[dict[str, Any]]:
        """Every case, in the order opened."""
        return list(json.loads(self._inner.cases()))

    def case(self, case_id: str) -> Optional[dict[str, Any]]:
        """The case with this id, or ``None``."""
        text = self._inner.case(case_id)
        return None if text is None else dict(json.loads(text))

    def figures(self, now: Optional[Time] = None) -> dict[str, Any]:
        """The closed-loop figures at ``now`` (default: now)."""
        return dict(json.loads(self._inner.figures(_now(now))))

    @property
    def duplicates(self) -> int:
        """Rule matches that opened nothing because the case was already active."""
        return int(self._inner.duplicates)

    def __len__(self) -> int:
        return len(self._inner)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CaseBook) and json.loads(self.to_json()) == json.loads(other.to_json())

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"CaseBook(cases={len(self)}, duplicates={self.duplicates})"

    def __getstate__(self) -> str:
        return self.to_json()

    def __setstate__(self, state: str) -> None:
        self._inner = _CaseBook.from_json(state)


# ------------------------------------------------------------------ Monitor


class Monitor:
    """Watches NPS, CSAT or a mean over a rolling time window, overall and per segment, and
    raises an alert when the window falls below its control limit.

    At a response at time ``t`` a stream's window holds its responses in
    ``(t − window, t]`` and its baseline those in ``(t − window − baseline, t − window]``.
    The lower control limit is ``b.value − (b.value − b.low)·√(n_b / n_w)``: the baseline
    estimate's interval (adjusted Wald for NPS, Wilson for CSAT, Student t for a mean, at
    ``confidence``) rescaled to the window's size. One alert when a stream goes below; it
    raises again only after coming back.

    Parameters
    ----------
    metric : str or dict
        ``"nps"``, ``"csat"`` (top-2 box of 1–5), or a dict: ``{"kind": "csat", "max": 7,
        "top": 2}``, ``{"kind": "mean", "field": "ces", "min": 1, "max": 7}``.
    window_hours, baseline_hours : float
        The lengths of the window and of the baseline just before it.
    by : str, optional
        ``"segment"``, ``"channel"``, ``"touchpoint"`` or ``"tier"``: also watch each value.
    confidence, min_window, min_baseline
        The baseline interval's level; the fewest responses before a window is compared and
        before a baseline is used.

    Examples
    --------
    >>> import cem, datetime as dt, pickle
    >>> m = cem.alerts.Monitor("nps", window_hours=24, baseline_hours=24 * 7, min_window=20, min_baseline=50)
    >>> t0 = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc)
    >>> good = [{"customer": "c", "time": t0 + dt.timedelta(hours=h),
    ...          "nps": 6 if h % 4 == 0 else 9 + h % 2} for h in range(24 * 7)]
    >>> m.push_many(good)
    []
    >>> m = pickle.loads(pickle.dumps(m))  # a service restarts
    >>> bad = [{"customer": "c", "time": t0 + dt.timedelta(days=7, minutes=30 * k),
    ...         "nps": 2 if k % 2 == 0 else 8} for k in range(48)]
    >>> alerts = m.push_many(bad)
    >>> len(alerts), alerts[0]["segment"], alerts[0]["metric"]
    (1, None, 'nps')
    >>> alerts[0]["value"] < alerts[0]["limit"] < alerts[0]["baseline"]["value"]
    True
    """

    def __init__(
        self,
        metric: Union[str, Mapping[str, Any]],
        *,
        window_hours: float,
        baseline_hours: float,
        by: Optional[str] = None,
        confidence: float = 0.95,
        min_window: int = 30,
        min_baseline: int = 100,
    ) -> None:
        config: dict[str, Any] = {
            "metric": {"kind": metric} if isinstance(metric, str) else dict(metric),
            "window_hours": window_hours,
            "baseline_hours": baseline_hours,
            "confidence": confidence,
            "min_window": min_window,
            "min_baseline": min_baseline,
        }
        if by is not None:
            config["by"] = by
        self._inner = _Monitor(json.dumps(config))

    @classmethod
    def from_json(cls, text: str) -> Monitor:
        """Reads a monitor written by :meth:`to_json`."""
        m = cls.__new__(cls)
        m._inner = _Monitor.from_json(text)
        return m

    def to_json(self) -> str:
        """The settings and state as JSON text."""
        return str(self._inner.to_json())

    @property
    def config(self) -> dict[str, Any]:
        """The settings."""
        return dict(json.loads(self._inner.config()))

    @property
    def segments(self) -> list[str]:
        """The segments seen so far."""
        return list(self._inner.segments)

    def push(self, response: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Consumes one response; returns the alerts it raised."""
        return self.push_many([response])

    def push_many(self, responses: Responses) -> list[dict[str, Any]]:
        """Consumes responses in time order (all or nothing); returns the alerts raised.
        An earlier response than the previous one raises :class:`OutOfOrderError`."""
        return list(json.loads(self._inner.push_many(responses_json(responses))))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Monitor) and self.to_json() == other.to_json()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Monitor({self.config['metric']!r}, segments={len(self.segments)})"

    def __getstate__(self) -> str:
        return self.to_json()

    def __setstate__(self, state: str) -> None:
        self._inner = _Monitor.from_json(state)
