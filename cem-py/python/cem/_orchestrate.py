"""Survey orchestration and response analysis (re-exported by :mod:`cem.survey`).

The rules, the decisions and every number come from the Rust core
(``cem_core::survey::orchestrate``); this module turns frames into columns and back.
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

_MISSING = np.uint32(2**32 - 1)
_NO_TIME = np.iinfo(np.int64).min
_DEFAULT = object()
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


def _pandas(data: Any) -> tuple[Any, str]:
    """The data as a pandas DataFrame, and the kind of frame to return."""
    import pandas as pd  # type: ignore[import-untyped]

    if isinstance(data, pd.DataFrame):
        return data.reset_index(drop=True), "pandas"
    if isinstance(data, (list, tuple)):
        return pd.DataFrame.from_records(list(data)), "pandas"
    if isinstance(data, Mapping):
        return pd.DataFrame(dict(data)), "pandas"
    kind = _frames.frame_kind(data)
    table = _frames.as_table(data, kind)
    return table.to_pandas(), kind


def _output(df: Any, kind: str) -> Any:
    if kind == "pandas":
        return df
    import pyarrow as pa  # type: ignore[import-untyped]

    table = pa.Table.from_pandas(df, preserve_index=False)
    return _frames.convert_output(table, kind) if kind != "pyarrow" else table


def _seconds(s: Any, name: str) -> tuple[np.ndarray, Optional[Any]]:
    """Seconds since the epoch as int64, and the timezone (``"naive"`` for naive datetimes,
    None for numbers) to turn seconds back into datetimes."""
    import pandas as pd

    if s.isna().any():
        row = int(np.flatnonzero(s.isna().to_numpy())[0])
        raise InvalidNumberError(f"`{name}` at row {row} is missing")
    if pd.api.types.is_datetime64_any_dtype(s):
        tz = getattr(s.dt, "tz", None)
        utc = s.dt.tz_convert("UTC") if tz is not None else s.dt.tz_localize("UTC")
        secs = (utc - pd.Timestamp(0, tz="UTC")) // pd.Timedelta(seconds=1)
        return secs.to_numpy(dtype=np.int64), (tz if tz is not None else "naive")
    values = s.to_numpy()
    if values.dtype.kind == "f":
        if not np.all(np.isfinite(values)) or np.any(values != np.floor(values)):
            raise InvalidNumberError(f"`{name}` must hold whole seconds or datetimes")
    if values.dtype.kind not in "iuf":
        raise InvalidArgumentError(f"invalid `{name}`: expected datetimes or seconds, got {values.dtype}")
    return values.astype(np.int64), None


def _datetimes(secs: np.ndarray, tz: Optional[Any]) -> Any:
    import pandas as pd

    missing = secs == _NO_TIME
    if tz is None:
        arr = pd.array(np.where(missing, 0, secs), dtype="Int64")
        arr[missing] = pd.NA
        return arr
    out = pd.to_datetime(np.where(missing, 0, secs), unit="s", utc=True)
    out = out.where(~missing, pd.NaT)
    return out.tz_localize(None) if tz == "naive" else out.tz_convert(tz)


def _coded(s: Any) -> tuple[np.ndarray, list[str]]:
    import pandas as pd

    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    out = codes.astype(np.int64)
    out[out < 0] = int(_MISSING)
    return out.astype(np.uint32), [str(u) for u in uniques]


def _flags(s: Any) -> np.ndarray:
    return np.ascontiguousarray(s.fillna(False).to_numpy(dtype=bool))


def _columns(df: Any, names: dict[str, Any]) -> tuple[dict[str, Any], Optional[Any]]:
    """The native keyword arguments for a frame, and the time zone of its time column."""
    cols = list(df.columns)

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
    ccodes, cuniques = _coded(df[required["customer"]])
    if (ccodes == _MISSING).any():
        row = int(np.flatnonzero(ccodes == _MISSING)[0])
        raise InvalidNumberError(f"`{required['customer']}` at row {row} is missing")
    keys = np.ascontiguousarray(_customer_keys(cuniques)[ccodes])
    times, tz = _seconds(df[required["time"]], str(required["time"]))
    kwargs: dict[str, Any] = {"customers": keys, "times": times, "touchpoints": _coded(df[required["touchpoint"]])}
    for key in ("channel", "outcome", "segment"):
        name = pick(key, key)
        if name is not None:
            kwargs[key + "s"] = _coded(df[name])
    for key in ("open_complaint", "do_not_contact"):
        name = pick(key, key)
        if name is not None:
            kwargs[key] = _flags(df[name])
    name = pick("event_id", "event_id")
    if name is not None:
        kwargs["event_ids"] = np.ascontiguousarray(df[name].to_numpy(dtype=np.uint64))
    return kwargs, tz


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
        ``event_id``. Times are datetimes or integer seconds. The result has ``row``
        (position in ``data``), the customer and time columns, ``trigger``, ``survey``,
        ``reason``, ``send_at``, ``until`` (when a quarantine or cap ends) and ``winner``
        (the trigger that won on priority).
        """
        df, kind = _pandas(data)
        names = {"customer": customer, "time": time, "touchpoint": touchpoint, "channel": channel,
                 "outcome": outcome, "segment": segment, "open_complaint": open_complaint,
                 "do_not_contact": do_not_contact, "event_id": event_id}  # fmt: skip
        if len(df) == 0:
            return self._frame(df, {}, None, names, output or kind)
        kwargs, tz = _columns(df, names)
        cols = self._native.feed(**kwargs)
        return self._frame(df, cols, tz, names, output or kind)

    def _frame(self, df: Any, cols: dict[str, Any], tz: Any, names: dict[str, Any], kind: str) -> Any:
        import pandas as pd

        triggers = self._native.triggers()
        ids = [t for t, _ in triggers]
        surveys = [s for _, s in triggers]
        row = cols.get("row", np.zeros(0, dtype=np.int64))
        trig = cols.get("trigger", np.zeros(0, dtype=np.uint32)).astype(np.int64)
        winner = cols.get("winner", np.zeros(0, dtype=np.int64))
        out = pd.DataFrame({"row": row})
        for key, default in (("customer", "customer_id"), ("time", "timestamp")):
            name = names[key] if names[key] is not _DEFAULT else default
            if name in df.columns:
                out[name] = df[name].iloc[row].reset_index(drop=True)
        out["trigger"] = pd.Categorical.from_codes(trig, categories=pd.Index(ids, dtype=object))
        out["survey"] = np.asarray(surveys, dtype=object)[trig] if len(trig) else np.zeros(0, dtype=object)
        out["reason"] = pd.Categorical.from_codes(
            cols.get("reason", np.zeros(0, dtype=np.uint8)).astype(np.int64),
            categories=pd.Index(_Orchestrator.reason_codes(), dtype=object),
        )
        for key in ("send_at", "until"):
            out[key] = _datetimes(cols.get(key, np.zeros(0, dtype=np.int64)), tz)
        out["winner"] = pd.Categorical.from_codes(winner, categories=pd.Index(ids, dtype=object))
        return _output(out, kind)

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
    **columns: Any,
) -> Simulation:
    """Replays a log (in time order) through ``rules`` from an empty state.

    ``response_rate`` is the assumed response rate: one number, or a dict
    ``{"default": 0.1, "by_trigger": {...}, "by_channel": {...}}`` (by the trigger's ``via``).
    Column names as in :meth:`Orchestrator.feed`.

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
    import pandas as pd

    df, kind = _pandas(data)
    names = {k: columns.pop(k) for k in list(columns) if k in (
        "customer", "time", "touchpoint", "channel", "outcome", "segment", "open_complaint", "do_not_contact", "event_id")}  # fmt: skip
    if columns:
        raise TypeError(f"unexpected arguments: {sorted(columns)}")
    assumptions = {"default": float(response_rate)} if isinstance(response_rate, (int, float)) else dict(response_rate)
    kwargs, _ = _columns(df, names)
    raw = json.loads(_simulate(_rules_text(rules), json.dumps(assumptions), **kwargs))
    codes = _Orchestrator.reason_codes()
    rows = []
    for t in raw["triggers"]:
        row = {"trigger": t["trigger"], "survey": t["survey"], "matched": t["matched"]}
        row.update(dict(zip(codes, t["by_reason"])))
        row.update({"response_rate": t["response_rate"], "expected_responses": t["expected_responses"]})
        rows.append(row)
    triggers = pd.DataFrame(rows)
    contacts = pd.DataFrame(raw["contacts"], columns=["invitations", "customers"]).astype("int64")
    return Simulation(
        triggers=_output(triggers, kind),
        contacts=_output(contacts, kind),
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
    (missing when there was no response). ``by`` names grouping columns (survey, trigger,
    channel, segment, ...); ``period`` (``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, as pandas
    periods) adds the period of the invitation. Times to respond are in seconds.

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
    import pandas as pd

    df, kind = _pandas(data)
    by = [by] if isinstance(by, str) else list(by)
    inv, tz = _seconds(df[invited_at], invited_at)
    resp_col = df[responded_at]
    responded = ~resp_col.isna().to_numpy()
    if pd.api.types.is_datetime64_any_dtype(resp_col):
        filled = resp_col.where(resp_col.notna(), df[invited_at])
        resp, _ = _seconds(filled, responded_at)
    else:
        resp = resp_col.fillna(0).to_numpy().astype(np.int64)
    keys = df[by].copy() if by else pd.DataFrame(index=df.index)
    if period is not None:
        when = pd.to_datetime(inv, unit="s")
        keys["period"] = when.to_period(period).start_time
    if keys.shape[1]:
        groups = keys.groupby(list(keys.columns), sort=True, dropna=False).ngroup().to_numpy()
    else:
        groups = np.zeros(len(df), dtype=np.int64)
    groups = groups.astype(np.uint32)
    rows = json.loads(_response_rates(groups, inv, resp, np.ascontiguousarray(responded), confidence))
    first = pd.Series(np.arange(len(df))).groupby(groups).first()
    out = keys.iloc[[int(first[r["group"]]) for r in rows]].reset_index(drop=True) if keys.shape[1] else pd.DataFrame(index=range(len(rows)))
    out["invited"] = [r["invited"] for r in rows]
    out["responded"] = [r["responded"] for r in rows]
    for k in ("value", "low", "high"):
        out["rate" if k == "value" else k] = [r["rate"][k] for r in rows]
    for k in ("mean", "median", "p90", "max"):
        out[f"{k}_time_to_respond"] = pd.array(
            [r["time_to_respond"][k] if r["time_to_respond"] else None for r in rows], dtype="Float64"
        )
    return _output(out, output or kind)


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


def dropoff(survey: Survey, responses: Sequence[Mapping[str, Any]]) -> Dropoff:
    """Partial completes and drop-off by question.

    A response is *complete* when it answers something and every shown required question,
    *partial* when it answers something but misses a shown required question, *empty*
    otherwise; an incomplete response stops at the first shown question after its last
    answer.

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
    import pandas as pd

    raw = json.loads(_dropoff(survey, [dict(r) for r in responses]))
    questions = pd.DataFrame(raw["questions"], columns=["question", "reached", "answered", "dropped", "drop_rate"])
    questions["drop_rate"] = pd.array(questions["drop_rate"].tolist(), dtype="Float64").astype(float) if len(questions) else questions["drop_rate"]
    return Dropoff(raw["responses"], raw["complete"], raw["partial"], raw["empty"], questions)


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
) -> NonResponse:
    """Compares responders with everyone invited, and weights the responders to represent them.

    One row per invited customer: ``responded`` (bool), the known attributes (``categorical``
    such as segment, value tier, recent complaint; ``numeric`` such as tenure) and optionally
    the ``nps`` score (missing for non-responders). Standardized differences are
    (x̄ᵣ − x̄)/√((sᵣ² + s²)/2) for numeric attributes (n − 1 variances) and
    (pᵣ − p)/√((pᵣ(1−pᵣ) + p(1−p))/2) for each level; weights rake the responders to the
    invited shares of every categorical attribute.

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
    import pandas as pd

    df, _ = _pandas(data)
    resp = df[responded]
    if resp.isna().any():
        raise InvalidNumberError(f"`{responded}` has missing values")
    resp_arr = np.ascontiguousarray(resp.to_numpy(dtype=bool))
    cats = []
    for name in categorical:
        codes, labels = _coded(df[name])
        if (codes == _MISSING).any():
            row = int(np.flatnonzero(codes == _MISSING)[0])
            raise InvalidNumberError(f"`{name}` at row {row} is missing")
        cats.append((name, codes, labels))
    nums = [(name, np.ascontiguousarray(pd.to_numeric(df[name]).to_numpy(dtype=float))) for name in numeric]
    scores = None
    if nps is not None:
        s = df[nps]
        has = np.ascontiguousarray(s.notna().to_numpy())
        scores = (np.ascontiguousarray(s.fillna(0).to_numpy().astype(np.uint8)), has)
    text, weights = _nonresponse(resp_arr, cats, nums, scores, confidence)
    raw = json.loads(text)
    balance = pd.DataFrame(raw["balance"], columns=["attribute", "level", "invited", "responders", "weighted", "std_diff", "weighted_std_diff"])
    balance["level"] = pd.Series([b["level"] for b in raw["balance"]], dtype=object)
    for col in ("std_diff", "weighted_std_diff"):  # undefined stays missing, never NaN
        balance[col] = pd.array([b[col] for b in raw["balance"]], dtype="Float64")

    def estimate(e: Optional[dict[str, Any]]) -> Optional[Estimate]:
        if e is None:
            return None
        return Estimate(e["value"], e["low"], e["high"], e["se"], e["n"], e["n_eff"], e["confidence"], e["method"])

    return NonResponse(
        balance=balance,
        weights=weights,
        nps=estimate(raw["nps"]),
        nps_weighted=estimate(raw["nps_weighted"]),
        invited=raw["invited"],
        responders=raw["responders"],
        rake_iterations=raw["rake_iterations"],
    )
