"""Survey orchestration and response analysis (re-exported by :mod:`cem.survey`).

The rules, the decisions and every number come from the Rust core
(``cem_core::survey::orchestrate``); this module turns frames into columns and back.

**Frames.** Every function takes a pandas, polars or pyarrow frame (or a dict of columns or
a list of records) and reads its columns as they are, without converting the frame: numbers
and times go to the core in place where the dtype allows (see ``cem._frames``), other columns
are dictionary-encoded with pyarrow. pandas is never imported for polars or pyarrow input.
Results come back in the caller's frame library; a dict of columns or a list of records gives
pandas frames (as before). ``output=`` (``"pandas"``, ``"polars"``, ``"pyarrow"`` or
``"dict"``) picks another. pyarrow is needed for frame results.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from cem import _frames
from cem._cem import (
    Estimate,
    InvalidArgumentError,
    InvalidNumberError,
    Survey,
    _customer_keys,
    _dropoff,
    _nonresponse,
    _Orchestrator,
    _response_rates,
    _rules_warnings,
    _simulate,
)

__all__ = [
    "Dropoff",
    "NonResponse",
    "Orchestrator",
    "RuleWarning",
    "Simulation",
    "dropoff",
    "nonresponse",
    "response_rates",
    "simulate",
]

_MISSING = 2**32 - 1
_NO_TIME = np.iinfo(np.int64).min
_DEFAULT = object()
_OUTPUTS = ("pandas", "polars", "pyarrow", "dict")
Rules = Union[str, Mapping[str, Any]]
"""A rule set: JSON text or the same as a dict."""


@dataclass(frozen=True)
class RuleWarning:
    """A contradiction in a valid rule set (a trigger that can never fire).

    Attributes
    ----------
    rule : str or None
        The trigger's id, or None for the whole rule set.
    code : str
        ``no_triggers``, ``zero_cap``, ``never_sampled``, ``empty_filter``,
        ``excluded_segments``, ``channel_mismatch``, ``unknown_touchpoint`` or ``shadowed``.
    message : str
    """

    rule: Optional[str]
    code: str
    message: str


def _rules_text(rules: Rules) -> str:
    return rules if isinstance(rules, str) else json.dumps(rules)


# ---------------------------------------------------------------------- frame glue


def _pa() -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa


def _pc() -> Any:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    return pc


def _read(data: Any, output: Optional[str]) -> tuple[str, Any, str]:
    """(reader kind, frame to read, output kind) for a frame, a dict of columns or records."""
    pa = _pa()
    if isinstance(data, Mapping):
        table = pa.table({str(k): _column_input(v) for k, v in data.items()})
        return "pyarrow", table, _check_output(output or "pandas")
    if isinstance(data, (list, tuple)):
        records = [dict(r) for r in data]
        names = list(dict.fromkeys(k for r in records for k in r))
        table = pa.table({str(k): _column_input([r.get(k) for r in records]) for k in names})
        return "pyarrow", table, _check_output(output or "pandas")
    kind = _frames.frame_kind(data)
    return kind, _frames.as_table(data, kind), _check_output(output or kind)


def _column_input(values: Any) -> Any:
    """One column of a dict or of records for a pyarrow table: Arrow columns (pyarrow,
    polars) as they are; lists, numpy arrays and pandas Series with None and NaN missing."""
    pa = _pa()
    module = type(values).__module__.split(".")[0]
    if module not in ("numpy", "pandas") and (hasattr(values, "__arrow_c_array__") or hasattr(values, "__arrow_c_stream__")):
        return values
    if module == "pandas" or isinstance(values, np.ndarray):
        return pa.array(values, from_pandas=True)
    return pa.array(list(values), from_pandas=True)


def _check_output(output: str) -> str:
    if output not in _OUTPUTS:
        raise InvalidArgumentError(f"invalid `output`: `{output}`; expected one of {', '.join(_OUTPUTS)}")
    return output


def _rows(frame: Any, kind: str) -> int:
    return int(frame.num_rows) if kind == "pyarrow" else len(frame)


def _arrow(frame: Any, kind: str, name: str) -> Any:
    """A column as a pyarrow ChunkedArray (pandas: nulls and NaN are nulls, as pandas sees
    them; polars and pyarrow: their own memory)."""
    pa = _pa()
    col = _frames.column(frame, kind, name)  # KeyError naming the column and the columns there are
    if kind == "pyarrow":
        return col
    if kind == "polars":
        col = col.to_arrow()
    else:
        col = pa.array(frame[name], from_pandas=True)
    return col if isinstance(col, pa.ChunkedArray) else pa.chunked_array([col], col.type)


def _missing(name: str, arrow: Any) -> InvalidNumberError:
    return InvalidNumberError(
        f"column `{name}` at position {_frames._first_null(arrow)} `null` is missing; drop or fill missing values first"
    )


def _coded(frame: Any, kind: str, name: str, required: bool = False) -> tuple[np.ndarray, list[str]]:
    """``uint32`` codes and the labels (as text) of a column; a missing value is the code
    2**32 - 1, or an error when ``required``."""
    pa, pc = _pa(), _pc()
    arrow = _arrow(frame, kind, name)
    if required and arrow.null_count:
        raise _missing(name, arrow)
    if not pa.types.is_dictionary(arrow.type):
        arrow = pc.dictionary_encode(arrow)
    arrow = arrow.unify_dictionaries()
    if arrow.num_chunks == 0:
        return np.zeros(0, np.uint32), []
    labels = arrow.chunk(0).dictionary
    indices = pa.chunked_array([c.indices for c in arrow.chunks], arrow.type.index_type)
    if indices.null_count:
        indices = pc.fill_null(indices.cast(pa.int64()), _MISSING)
    codes = np.ascontiguousarray(indices.to_numpy().astype(np.uint32))
    return codes, [str(x) for x in labels.to_pylist()]


def _flags(frame: Any, kind: str, name: str) -> np.ndarray:
    """A yes/no column (booleans, or integers where non-zero is yes); missing is no."""
    pa, pc = _pa(), _pc()
    arrow = _arrow(frame, kind, name)
    if pa.types.is_integer(arrow.type):
        arrow = pc.not_equal(arrow, 0)
    elif not (pa.types.is_boolean(arrow.type) or pa.types.is_null(arrow.type)):
        raise TypeError(f"column `{name}` must hold booleans, not `{arrow.type}`")
    arrow = pc.fill_null(arrow.cast(pa.bool_()), False)
    return np.ascontiguousarray(arrow.to_numpy(zero_copy_only=False), dtype=bool)


def _integers(frame: Any, kind: str, name: str) -> np.ndarray:
    """A column of non-negative integers (event ids) as ``uint64``."""
    pa, pc = _pa(), _pc()
    arrow = _arrow(frame, kind, name)
    if arrow.null_count:
        raise _missing(name, arrow)
    if not pa.types.is_integer(arrow.type):
        raise TypeError(f"column `{name}` must hold integers, not `{arrow.type}`")
    if len(arrow) and pc.min(arrow).as_py() < 0:
        first = int(np.flatnonzero(arrow.to_numpy() < 0)[0])
        raise InvalidNumberError(f"column `{name}` at position {first} is negative; expected non-negative ids")
    return np.ascontiguousarray(arrow.to_numpy().astype(np.uint64))


def _times(frame: Any, kind: str, name: str) -> Any:
    """A time column as the native side reads it (datetimes of any unit or integer seconds),
    in place where it can."""
    col = _frames.column(frame, kind, name)
    if kind == "pandas" and isinstance(col, np.ndarray) and col.dtype.kind == "O":
        col = _pa().array(frame[name], from_pandas=True)  # object columns: Arrow infers the type
    return col


def _nullable(frame: Any, kind: str, name: str, temporal: bool = True) -> tuple[Any, np.ndarray]:
    """A column of times (``temporal``) or numbers with missing values (nulls, NaN, NaT): the
    values with the missing ones filled, and the mask of the present ones."""
    pa, pc = _pa(), _pc()
    arrow = _arrow(frame, kind, name)
    valid = pc.is_valid(arrow)
    if pa.types.is_floating(arrow.type):
        valid = pc.and_(valid, pc.invert(pc.fill_null(pc.is_nan(arrow), True)))
    t = arrow.type
    if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_null(t) or (temporal and pa.types.is_temporal(t))):
        raise TypeError(f"column `{name}` must hold {'datetimes or seconds' if temporal else 'numbers'}, not `{t}`")
    if pa.types.is_null(arrow.type):
        arrow = arrow.cast(pa.int64())
    filled = pc.if_else(valid, arrow, pa.scalar(0, arrow.type))
    return filled, np.ascontiguousarray(valid.to_numpy(zero_copy_only=False), dtype=bool)


def _time_type(frame: Any, kind: str, name: str) -> Any:
    """The Arrow timestamp type of a datetime column (to give times back in it), else None."""
    from cem.journey import _time_type

    return _time_type(frame, kind, name)


def _as_times(secs: np.ndarray, t: Any) -> Any:
    """Seconds (the minimum int64 where missing) as an Arrow column: integers, or timestamps
    of type ``t``."""
    pa = _pa()
    missing = secs == _NO_TIME
    ints = pa.array(np.where(missing, 0, secs), pa.int64(), mask=missing)
    if t is None:
        return ints
    return ints.cast(pa.timestamp("s", tz=t.tz)).cast(t)


def _labels(codes: np.ndarray, labels: Sequence[str]) -> Any:
    """A dictionary (categorical) column; negative codes are missing."""
    pa = _pa()
    c = np.asarray(codes, dtype=np.int64)
    indices = pa.array(np.where(c < 0, 0, c).astype(np.int32), pa.int32(), mask=c < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(labels), pa.string()))


def _convert(table: Any, output: str, nullable: Sequence[str] = ()) -> Any:
    """A result table in the caller's frame library. pandas: numeric columns with missing
    values (and those in ``nullable``) become nullable ``Int64``/``Float64``, never NaN; text
    columns with missing values hold None (object dtype), as with pandas 2."""
    if output != "pandas":
        from cem.journey import _convert as convert  # pyarrow, polars, dict

        return convert(table, output)
    import pandas as pd  # type: ignore[import-untyped]

    pa = _pa()
    df = table.to_pandas()
    for name in table.column_names:
        col = table.column(name)
        numeric = pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
        if numeric and (col.null_count or name in nullable):
            mapper = pd.Int64Dtype() if pa.types.is_integer(col.type) else pd.Float64Dtype()
            df[name] = col.to_pandas(types_mapper=lambda _t, m=mapper: m)
        elif col.null_count and (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            df[name] = pd.Series(col.to_pylist(), dtype=object)
    return df


def _columns(frame: Any, kind: str, names: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The native keyword arguments for a frame, and the customer and time columns' names."""
    cols = _frames.column_names(frame, kind)

    def pick(key: str, default: str) -> Optional[str]:
        name = names.get(key, _DEFAULT)
        if name is _DEFAULT:
            return default if default in cols else None
        if name is None:
            return None
        if name not in cols:
            raise KeyError(f"no column `{name}` in the frame; its columns are {cols}")
        return str(name)

    required = {k: pick(k, d) for k, d in (("customer", "customer_id"), ("time", "timestamp"), ("touchpoint", "touchpoint"))}
    for key, name in required.items():
        if name is None:
            raise KeyError(f"no `{key}` column: pass {key}=<column name>; the frame's columns are {cols}")
    found = {k: str(v) for k, v in required.items()}
    ccodes, cuniques = _coded(frame, kind, found["customer"], required=True)
    keys = np.ascontiguousarray(_customer_keys(cuniques)[ccodes])
    kwargs: dict[str, Any] = {
        "customers": keys,
        "times": _times(frame, kind, found["time"]),
        "touchpoints": _coded(frame, kind, found["touchpoint"]),
        "time_column": found["time"],
    }
    for key in ("channel", "outcome", "segment"):
        name = pick(key, key)
        if name is not None:
            kwargs[key + "s"] = _coded(frame, kind, name)
    for key in ("open_complaint", "do_not_contact"):
        name = pick(key, key)
        if name is not None:
            kwargs[key] = _flags(frame, kind, name)
    name = pick("event_id", "event_id")
    if name is not None:
        kwargs["event_ids"] = _integers(frame, kind, name)
    return kwargs, found


class Orchestrator:
    """Decides, for each interaction as it happens, whether the customer gets a survey now —
    and why not.

    Feed interactions in time order, one record or a frame at a time (the decisions are the
    same either way). Each trigger that matches an interaction gives one decision row with its
    ``reason``: ``invited``, ``do_not_contact``, ``open_complaint``, ``excluded_segment``,
    ``quarantined``, ``capped``, ``sampled_out`` or ``lower_priority``. Exclusions are checked
    first, then the deterministic sampling draw, quarantine and caps; triggers are tried from
    the highest priority down and at most one invites per interaction. The state pickles and
    round-trips through JSON (:meth:`state_json` / :meth:`from_state`), so a service can
    restart without losing it.

    Parameters
    ----------
    rules : str or dict
        The rule set (JSON or a dict), as ``cem_core::survey::orchestrate::Rules`` reads it.

    Examples
    --------
    >>> from cem.survey import Orchestrator
    >>> orch = Orchestrator({
    ...     "quarantine": {"for": "30d"},
    ...     "triggers": [{"id": "after-call", "survey": "post-contact", "touchpoints": ["call"], "delay": "1h"}],
    ... })
    >>> orch.feed([
    ...     {"customer_id": "ann", "timestamp": 0, "touchpoint": "call"},
    ...     {"customer_id": "ann", "timestamp": 86400, "touchpoint": "call"},
    ...     {"customer_id": "bob", "timestamp": 90000, "touchpoint": "web"},
    ... ])[["row", "customer_id", "trigger", "reason", "send_at", "until"]]
       row customer_id     trigger       reason  send_at    until
    0    0         ann  after-call      invited     3600     <NA>
    1    1         ann  after-call  quarantined     <NA>  2592000
    """

    def __init__(self, rules: Rules) -> None:
        self._native = _Orchestrator.from_json(_rules_text(rules))

    @classmethod
    def from_json(cls, rules: Rules) -> Orchestrator:
        """An orchestrator with no history, from a rule set."""
        return cls(rules)

    @classmethod
    def from_state(cls, state: str) -> Orchestrator:
        """Restores an orchestrator (rules and state) written by :meth:`state_json`."""
        self = cls.__new__(cls)
        self._native = _Orchestrator.from_state_json(state)
        return self

    def state_json(self) -> str:
        """The rules and the state as JSON."""
        return self._native.state_json()

    @property
    def rules(self) -> dict[str, Any]:
        """The rule set as a dict (durations in seconds)."""
        return dict(json.loads(self._native.rules_json()))

    @property
    def warnings(self) -> list[RuleWarning]:
        """Contradictions in the rules: triggers that can never fire."""
        return [RuleWarning(*w) for w in _rules_warnings(self._native.rules_json())]

    @property
    def clock(self) -> Optional[int]:
        """Time (seconds) of the last interaction fed."""
        return self._native.clock

    @property
    def customers(self) -> int:
        """Customers invited at least once."""
        return int(self._native.customers)

    def feed(
        self,
        data: Any,
        *,
        customer: Any = _DEFAULT,
        time: Any = _DEFAULT,
        touchpoint: Any = _DEFAULT,
        channel: Any = _DEFAULT,
        outcome: Any = _DEFAULT,
        segment: Any = _DEFAULT,
        open_complaint: Any = _DEFAULT,
        do_not_contact: Any = _DEFAULT,
        event_id: Any = _DEFAULT,
        output: Optional[str] = None,
    ) -> Any:
        """Decides on interactions in time order; returns one row per matching trigger.

        ``data`` is a pandas/polars/pyarrow frame, a dict of columns or a list of records.
        Customer ids of any type are keyed by their text (``str(id)``), as the Rust and
        browser row APIs key them, so sampling agrees across languages.
        Columns default to ``customer_id``, ``timestamp``, ``touchpoint`` and, when present,
        ``channel``, ``outcome``, ``segment``, ``open_complaint``, ``do_not_contact`` and
        ``event_id``. Times are datetimes (any unit, naive or tz-aware; floored to seconds)
        or integer seconds. Missing customers or times are an error; a missing channel,
        outcome or segment matches no filter on it; a missing flag is False. The result has
        ``row`` (position in ``data``), the customer and time columns, ``trigger``,
        ``survey``, ``reason``, ``send_at``, ``until`` (when a quarantine or cap ends; in
        the time column's type and zone) and ``winner`` (the trigger that won on
        priority), in the frame library of ``data`` (pandas for a dict or records) unless
        ``output`` says otherwise.
        """
        kind, frame, out = _read(data, output)
        names = {"customer": customer, "time": time, "touchpoint": touchpoint, "channel": channel,
                 "outcome": outcome, "segment": segment, "open_complaint": open_complaint,
                 "do_not_contact": do_not_contact, "event_id": event_id}  # fmt: skip
        if _rows(frame, kind) == 0:
            return self._frame(frame, kind, {}, names, out)
        kwargs, _ = _columns(frame, kind, names)
        cols = self._native.feed(**kwargs)
        return self._frame(frame, kind, cols, names, out)

    def _frame(self, frame: Any, kind: str, cols: dict[str, Any], names: dict[str, Any], out: str) -> Any:
        pa = _pa()
        triggers = self._native.triggers()
        ids = [t for t, _ in triggers]
        surveys = [s for _, s in triggers]
        row = np.asarray(cols.get("row", np.zeros(0, dtype=np.int64)), dtype=np.int64)
        trig = cols.get("trigger", np.zeros(0, dtype=np.uint32)).astype(np.int64)
        have = _frames.column_names(frame, kind)
        table: dict[str, Any] = {"row": pa.array(row, pa.int64())}
        time_type = None
        for key, default in (("customer", "customer_id"), ("time", "timestamp")):
            name = names[key] if names[key] is not _DEFAULT else default
            if name in have:
                table[name] = _arrow(frame, kind, name).take(pa.array(row, pa.int64()))
                if key == "time":
                    time_type = _time_type(frame, kind, name)
        table["trigger"] = _labels(trig, ids)
        table["survey"] = pa.array(surveys, pa.string()).take(pa.array(trig, pa.int64()))
        table["reason"] = _labels(cols.get("reason", np.zeros(0, dtype=np.uint8)), _Orchestrator.reason_codes())
        for key in ("send_at", "until"):
            table[key] = _as_times(cols.get(key, np.zeros(0, dtype=np.int64)), time_type)
        table["winner"] = _labels(cols.get("winner", np.zeros(0, dtype=np.int64)), ids)
        return _convert(pa.table(table), out)

    def __repr__(self) -> str:
        return f"Orchestrator(triggers={len(self._native.triggers())}, customers={self.customers}, clock={self.clock})"


@dataclass(frozen=True)
class Simulation:
    """What a rule set would have done on a historical log (:func:`simulate`).

    Attributes
    ----------
    triggers : DataFrame
        Per trigger: ``matched``, one column per reason (``invited``, ``quarantined``, ...),
        ``response_rate`` assumed and ``expected_responses``.
    contacts : DataFrame
        ``invitations, customers``: how many customers would be contacted how often.
    interactions, customers, invitations : int
    expected_responses, responses_sd : float
        Expected responses and their standard deviation (independent responses).
    """

    triggers: Any
    contacts: Any
    interactions: int
    customers: int
    invitations: int
    expected_responses: float
    responses_sd: float


def simulate(
    data: Any,
    rules: Rules,
    *,
    response_rate: Union[float, Mapping[str, Any]] = 0.1,
    output: Optional[str] = None,
    **columns: Any,
) -> Simulation:
    """Replays a log (in time order) through ``rules`` from an empty state.

    ``response_rate`` is the assumed response rate: one number, or a dict
    ``{"default": 0.1, "by_trigger": {...}, "by_channel": {...}}`` (by the trigger's ``via``).
    Column names as in :meth:`Orchestrator.feed`; the tables come back in the frame library
    of ``data`` (pandas for a dict or records) unless ``output`` says otherwise.

    Examples
    --------
    >>> from cem.survey import simulate
    >>> log = {"customer_id": ["a", "a", "b", "c"], "timestamp": [0, 3600, 7200, 7300],
    ...        "touchpoint": ["call", "call", "call", "web"]}
    >>> sim = simulate(log, {"quarantine": {"for": "1d"},
    ...                      "triggers": [{"id": "t", "survey": "s", "touchpoints": ["call"]}]},
    ...                response_rate=0.25)
    >>> sim.triggers[["trigger", "matched", "invited", "quarantined", "expected_responses"]]
      trigger  matched  invited  quarantined  expected_responses
    0       t        3        2            1                 0.5
    >>> sim.contacts
       invitations  customers
    0            0          1
    1            1          2
    """
    kind, frame, out = _read(data, output)
    names = {k: columns.pop(k) for k in list(columns) if k in (
        "customer", "time", "touchpoint", "channel", "outcome", "segment", "open_complaint", "do_not_contact", "event_id")}  # fmt: skip
    if columns:
        raise TypeError(f"unexpected arguments: {sorted(columns)}")
    assumptions = {"default": float(response_rate)} if isinstance(response_rate, (int, float)) else dict(response_rate)
    kwargs, _ = _columns(frame, kind, names)
    raw = json.loads(_simulate(_rules_text(rules), json.dumps(assumptions), **kwargs))
    pa = _pa()
    codes = _Orchestrator.reason_codes()
    ts = raw["triggers"]
    triggers: dict[str, Any] = {
        "trigger": pa.array([t["trigger"] for t in ts], pa.string()),
        "survey": pa.array([t["survey"] for t in ts], pa.string()),
        "matched": pa.array([t["matched"] for t in ts], pa.int64()),
    }
    for i, code in enumerate(codes):
        triggers[code] = pa.array([t["by_reason"][i] for t in ts], pa.int64())
    triggers["response_rate"] = pa.array([t["response_rate"] for t in ts], pa.float64())
    triggers["expected_responses"] = pa.array([t["expected_responses"] for t in ts], pa.float64())
    contacts = pa.table({
        "invitations": pa.array([c[0] for c in raw["contacts"]], pa.int64()),
        "customers": pa.array([c[1] for c in raw["contacts"]], pa.int64()),
    })
    return Simulation(
        triggers=_convert(pa.table(triggers), out),
        contacts=_convert(contacts, out),
        interactions=raw["interactions"],
        customers=raw["customers"],
        invitations=raw["invitations"],
        expected_responses=raw["expected_responses"],
        responses_sd=raw["responses_sd"],
    )


def response_rates(
    data: Any,
    by: Union[str, Sequence[str]] = (),
    *,
    invited_at: str = "invited_at",
    responded_at: str = "responded_at",
    period: Optional[str] = None,
    confidence: float = 0.95,
    output: Optional[str] = None,
) -> Any:
    """Response rates with Wilson intervals, and time to respond, by group.

    One row per invitation: ``invited_at`` (datetimes or seconds) and ``responded_at``
    (missing — null, NaN or NaT — when there was no response). ``by`` names grouping columns
    (survey, trigger, channel, segment, ...; missing values in them are an error: fill them
    first); ``period`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, as pandas periods) adds
    the UTC period of the invitation as ``period`` (its start). Times to respond are in
    seconds. The grouping, the periods and the intervals are computed in the Rust core
    (``response_rates_by_period``); the result comes back in the frame library of ``data``
    (pandas for a dict or records) unless ``output`` says otherwise, sorted by the groups.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem.survey import response_rates
    >>> inv = pd.DataFrame({"channel": ["email"] * 4 + ["sms"] * 2,
    ...                     "invited_at": [0] * 6,
    ...                     "responded_at": [60, 120, 600, None, 30, None]})
    >>> r = response_rates(inv, "channel")
    >>> r[["channel", "invited", "responded", "rate", "median_time_to_respond"]]
      channel  invited  responded  rate  median_time_to_respond
    0   email        4          3  0.75                   120.0
    1     sms        2          1  0.50                    30.0
    >>> round(float(r["low"][0]), 6)  # statsmodels proportion_confint(3, 4, method="wilson")[0]
    0.300642
    """
    pa = _pa()
    kind, frame, out = _read(data, output)
    by = [by] if isinstance(by, str) else list(by)
    n = _rows(frame, kind)
    keys = _frames.encode_keys(frame, kind, by, single=len(by) <= 1)
    groups, decode = _frames.combine(keys)
    if groups is None:
        groups = np.zeros(n, dtype=np.uint32)
    responded, mask = _nullable(frame, kind, responded_at)
    rows = json.loads(_response_rates(
        groups, _times(frame, kind, invited_at), responded, mask, confidence, period, columns=(invited_at, responded_at)
    ))  # fmt: skip
    cols: dict[str, Any] = dict(decode([r["group"] for r in rows])) if by else {}
    if period is not None:
        cols["period"] = pa.array([r["period_start"] for r in rows], pa.int64()).cast(pa.timestamp("s"))
    cols["invited"] = pa.array([r["invited"] for r in rows], pa.int64())
    cols["responded"] = pa.array([r["responded"] for r in rows], pa.int64())
    for k in ("value", "low", "high"):
        cols["rate" if k == "value" else k] = pa.array([r["rate"][k] for r in rows], pa.float64())
    times = [f"{k}_time_to_respond" for k in ("mean", "median", "p90", "max")]
    for k, name in zip(("mean", "median", "p90", "max"), times):
        cols[name] = pa.array([r["time_to_respond"][k] if r["time_to_respond"] else None for r in rows], pa.float64())
    table = pa.table(cols)
    order = [*by, *(["period"] if period is not None else [])]
    if order and len(by):  # rows come by code; sort by the labels (one row per group)
        table = table.sort_by([(name, "ascending") for name in order])
    return _convert(table, out, nullable=times)


@dataclass(frozen=True)
class Dropoff:
    """Completion and drop-off of responses to one survey (:func:`dropoff`).

    Attributes
    ----------
    responses, complete, partial, empty : int
    questions : DataFrame
        ``question, reached, answered, dropped, drop_rate`` in survey order.
    """

    responses: int
    complete: int
    partial: int
    empty: int
    questions: Any


def dropoff(survey: Survey, responses: Any, *, output: Optional[str] = None) -> Dropoff:
    """Partial completes and drop-off by question.

    A response is *complete* when it answers something and every shown required question,
    *partial* when it answers something but misses a shown required question, *empty*
    otherwise; an incomplete response stops at the first shown question after its last
    answer.

    ``responses`` is a list of answer dicts, or a frame with one row per response and one
    column per question id (missing — None or NaN, in dicts and frames alike — = not
    answered; other columns are ignored). The
    ``questions`` table comes back in the frame library of ``responses`` (pandas for a list)
    unless ``output`` says otherwise.

    Examples
    --------
    >>> from cem.survey import Survey, dropoff
    >>> s = Survey.from_json('''{"id": "pulse", "questions": [
    ...   {"id": "nps", "kind": "nps", "text": "Recommend us?", "required": true},
    ...   {"id": "csat", "kind": "csat", "text": "Satisfied?", "required": true}]}''')
    >>> d = dropoff(s, [{"nps": 9, "csat": 5}, {"nps": 9}, {}])
    >>> (d.complete, d.partial, d.empty)
    (1, 1, 1)
    >>> d.questions
      question  reached  answered  dropped  drop_rate
    0      nps        3         2        1   0.333333
    1     csat        2         1        1   0.500000
    """
    pa = _pa()
    if isinstance(responses, (list, tuple)):
        rows, out = list(responses), _check_output(output or "pandas")
    else:
        kind, frame, out = _read(responses, output)
        rows = _records(frame, kind)
    # None and NaN are "not answered" whatever the input (pandas, polars, pyarrow, dicts).
    records = [{k: v for k, v in dict(r).items() if not _unanswered(v)} for r in rows]
    raw = json.loads(_dropoff(survey, records))
    qs = raw["questions"]
    questions = pa.table({
        "question": pa.array([q["question"] for q in qs], pa.string()),
        "reached": pa.array([q["reached"] for q in qs], pa.int64()),
        "answered": pa.array([q["answered"] for q in qs], pa.int64()),
        "dropped": pa.array([q["dropped"] for q in qs], pa.int64()),
        "drop_rate": pa.array([q["drop_rate"] for q in qs], pa.float64()),
    })
    return Dropoff(raw["responses"], raw["complete"], raw["partial"], raw["empty"], _convert(questions, out))


def _unanswered(value: Any) -> bool:
    """None, or a float NaN (Python or numpy): a question not answered."""
    return value is None or (isinstance(value, (float, np.floating)) and value != value)


def _records(frame: Any, kind: str) -> list[dict[str, Any]]:
    """Rows as dicts of Python values (NaN in pandas float columns is missing)."""
    pa = _pa()
    if kind == "pandas":
        table = pa.table({str(c): pa.array(frame[c], from_pandas=True) for c in frame.columns})
    elif kind == "polars":
        return list(frame.iter_rows(named=True))
    else:
        table = frame
    return list(table.to_pylist())


@dataclass(frozen=True)
class NonResponse:
    """Responders against the invited population (:func:`nonresponse`).

    Attributes
    ----------
    balance : DataFrame
        ``attribute, level, invited, responders, weighted, std_diff, weighted_std_diff``:
        shares (categorical levels) or means (numeric), and standardized differences.
    weights : numpy.ndarray
        Raking weights of the responders (mean 1 over them), 0 for the others, in row order.
    nps, nps_weighted : Estimate or None
        NPS of the responders who gave a score, unweighted and weighted.
    invited, responders, rake_iterations : int
    """

    balance: Any
    weights: np.ndarray
    nps: Optional[Estimate]
    nps_weighted: Optional[Estimate]
    invited: int
    responders: int
    rake_iterations: int


def nonresponse(
    data: Any,
    *,
    responded: str = "responded",
    categorical: Sequence[str] = (),
    numeric: Sequence[str] = (),
    nps: Optional[str] = None,
    confidence: float = 0.95,
    output: Optional[str] = None,
) -> NonResponse:
    """Compares responders with everyone invited, and weights the responders to represent them.

    One row per invited customer: ``responded`` (bool), the known attributes (``categorical``
    such as segment, value tier, recent complaint; ``numeric`` such as tenure) and optionally
    the ``nps`` score (missing for non-responders). Standardized differences are
    (x̄ᵣ − x̄)/√((sᵣ² + s²)/2) for numeric attributes (n − 1 variances) and
    (pᵣ − p)/√((pᵣ(1−pᵣ) + p(1−p))/2) for each level; weights rake the responders to the
    invited shares of every categorical attribute. Missing values are an error in
    ``responded``, the categorical and the numeric columns; in ``nps`` they mark customers
    without a score. ``balance`` comes back in the frame library of ``data`` (pandas for a
    dict or records) unless ``output`` says otherwise.

    Examples
    --------
    >>> from cem.survey import nonresponse
    >>> invited = {"tier": ["gold"] * 4 + ["basic"] * 4,
    ...            "responded": [True, True, True, False, True, False, False, False],
    ...            "tenure": [5.0, 6, 7, 2, 1, 2, 1, 3],
    ...            "nps": [10, 9, 10, None, 2, None, None, None]}
    >>> r = nonresponse(invited, categorical=["tier"], numeric=["tenure"], nps="nps")
    >>> r.balance[["attribute", "level", "invited", "responders", "weighted"]]
      attribute  level  invited  responders  weighted
    0      tier   gold    0.500        0.75       0.5
    1      tier  basic    0.500        0.25       0.5
    2    tenure   None    3.375        4.75       3.5
    >>> r.nps.value, r.nps_weighted.value
    (50.0, 0.0)
    """
    pa, pc = _pa(), _pc()
    kind, frame, out = _read(data, output)
    resp = _arrow(frame, kind, responded)
    if resp.null_count:
        raise _missing(responded, resp)
    if pa.types.is_integer(resp.type):
        resp = pc.not_equal(resp, 0)
    elif not pa.types.is_boolean(resp.type):
        raise TypeError(f"column `{responded}` must hold booleans, not `{resp.type}`")
    resp_arr = np.ascontiguousarray(resp.to_numpy(zero_copy_only=False), dtype=bool)
    cats = [(name, *_coded(frame, kind, name, required=True)) for name in categorical]
    nums = [(name, _frames.column(frame, kind, name)) for name in numeric]
    scores = None
    if nps is not None:
        scores = _nullable(frame, kind, nps, temporal=False)
    text, weights = _nonresponse(resp_arr, cats, nums, scores, confidence)
    raw = json.loads(text)
    rows = raw["balance"]
    balance = pa.table({
        "attribute": pa.array([b["attribute"] for b in rows], pa.string()),
        "level": pa.array([b["level"] for b in rows], pa.string()),
        **{k: pa.array([b[k] for b in rows], pa.float64()) for k in ("invited", "responders", "weighted")},
        # Undefined standardized differences stay missing, never NaN.
        **{k: pa.array([b[k] for b in rows], pa.float64()) for k in ("std_diff", "weighted_std_diff")},
    })

    def estimate(e: Optional[dict[str, Any]]) -> Optional[Estimate]:
        if e is None:
            return None
        return Estimate(e["value"], e["low"], e["high"], e["se"], e["n"], e["n_eff"], e["confidence"], e["method"])

    return NonResponse(
        balance=_convert(balance, out, nullable=("std_diff", "weighted_std_diff")),
        weights=weights,
        nps=estimate(raw["nps"]),
        nps_weighted=estimate(raw["nps_weighted"]),
        invited=raw["invited"],
        responders=raw["responders"],
        rake_iterations=raw["rake_iterations"],
    )
