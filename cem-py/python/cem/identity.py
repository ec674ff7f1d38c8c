"""Identity resolution: the e-mails, phone numbers, device and CRM ids one person leaves in
different channels resolved into one customer (``cem_core::identity``).

Records that share any *normalized* key value belong to one customer, also through chains
(record A shares an e-mail with B, B a phone number with C). Normalization:

* e-mail: whitespace trimmed, lower-cased; with ``gmail_canonical=True`` Gmail addresses also
  lose the dots and ``+tag`` of their local part (off by default);
* phone: digits only, in international form without ``+``: ``+``/``00`` prefixes already
  carry the country code, a leading trunk ``0`` is replaced by ``default_country_code``, any
  other number gets the default country code in front unless it already starts with it;
* anything else (device and CRM ids): whitespace trimmed, case kept.

A value empty after normalization is missing.

**Hub values** (a call-centre number, a test address) link nothing and are reported in
:attr:`Resolution.hubs`. By default (``max_customers_per_key=50``) a value is a hub when it is
seen on more than that many customers, counted in one pass that does not depend on record
order: (1) *base customers* are resolved from the values held by at most L records; (2) a
value held by more than L records is seen on the distinct base customers of its records that
hold some value of at most L records, plus one for all of its records that hold none; (3) it
is a hub when that count exceeds L, and otherwise links like any other value. So the number
60 customers with their own e-mails gave is a hub, the e-mail on 200 contacts of one frequent
customer is not. ``max_records_per_key=L`` instead makes every value held by more than L
records a hub.

Examples
--------
>>> import pandas as pd
>>> from cem import identity
>>> records = pd.DataFrame({
...     "email": ["ann@x.com", " ANN@x.com", None, "bob@y.com"],
...     "phone": [None, "555 010 2030", "+1 555-010-2030", None],
... })
>>> r = identity.resolve(records)
>>> r.records["customer"].tolist(), r.records["linked_by"].tolist()
([0, 0, 0, 1], ['own', 'email', 'phone', 'own'])
>>> r.records["linked_value"].tolist()[1:3]
['ann@x.com', '15550102030']
>>> r.customer_count
2
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence

import numpy as np

from cem import _frames
from cem._cem import InvalidArgumentError, _customer_values, _profiles, _resolve_identity

__all__ = ["DEFAULT_KEYS", "Resolution", "profiles", "resolve"]

DEFAULT_KEYS = ("email", "phone", "device_id", "crm_id")
"""The key columns :func:`resolve` uses by default (those of them the frame has)."""

_OUT = ("customer", "linked_by", "linked_value")


class Resolution:
    """What :func:`resolve` returns.

    Attributes
    ----------
    records
        The input frame (same library) with three columns added: ``customer`` (``uint32``
        ids, dense, numbered by each customer's first record), ``linked_by`` (the first key,
        in the order of ``keys``, whose normalized value the record shares with another
        record; ``"own"`` for a customer's first record and for records sharing nothing) and
        ``linked_value`` (that normalized value).
    hubs
        One row per ignored key value: ``key``, ``value`` (normalized), ``records`` (that
        hold it), ``customers`` (distinct base customers it is seen on, as defined above).
    customer_count
        Number of resolved customers.
    """

    def __init__(self, records: Any, hubs: Any, customer_count: int) -> None:
        self.records = records
        self.hubs = hubs
        self.customer_count = customer_count

    def __repr__(self) -> str:
        return f"<Resolution: {len(self.records)} records, {self.customer_count} customers, {len(self.hubs)} hub values>"


def resolve(
    records: Any,
    keys: Optional[Sequence[str]] = None,
    *,
    kinds: Optional[Mapping[str, str]] = None,
    max_customers_per_key: Optional[int] = None,
    max_records_per_key: Optional[int] = None,
    default_country_code: str = "1",
    gmail_canonical: bool = False,
) -> Resolution:
    """Resolves the records of a pandas, polars or pyarrow frame into customers.

    Parameters
    ----------
    records
        One row per record (a CRM row, a web login, a call...), one column per key.
    keys
        The key columns. Default: those of ``email``, ``phone``, ``device_id``, ``crm_id``
        the frame has. Missing values (``None``, ``NaN``, null, blank) link nothing.
    kinds
        How each key is normalized: ``"email"``, ``"phone"`` or ``"id"``. Default: from the
        name (``*mail*`` e-mail; ``*phone*``, ``*mobile*``, ``*tel*`` phone; else id).
    max_customers_per_key
        A normalized value seen on more customers than this (see the module docs for the
        exact count) is ignored and reported; at least 2; the default rule, with 50.
    max_records_per_key
        Instead: a normalized value held by more records than this is ignored and reported
        (at least 2). Give one of the two limits, not both.
    default_country_code
        Given to national phone numbers; ``""`` for none.
    gmail_canonical
        Treat ``a.b+x@gmail.com`` and ``ab@gmail.com`` as one address.

    Raises
    ------
    KeyError
        A key column the frame does not have.
    cem.EmptyError
        No key columns.
    cem.InvalidArgumentError
        A bad ``kinds`` entry or country code, or the frame already has a ``customer``,
        ``linked_by`` or ``linked_value`` column.

    Examples
    --------
    >>> import polars as pl
    >>> from cem import identity
    >>> calls = pl.DataFrame({"phone": ["800-555-0100"] * 3, "crm_id": ["c1", "c2", "c1"]})
    >>> r = identity.resolve(calls, max_customers_per_key=2)  # seen on c1 and c2: links
    >>> r.records["customer"].to_list(), len(r.hubs)
    ([0, 0, 0], 0)
    >>> r = identity.resolve(calls, max_records_per_key=2)
    >>> r.records["customer"].to_list()
    [0, 1, 0]
    >>> r.hubs.rows()
    [('phone', '18005550100', 3, 2)]
    """
    if max_customers_per_key is not None and max_records_per_key is not None:
        raise InvalidArgumentError(
            "invalid `max_records_per_key`: give either `max_customers_per_key` or `max_records_per_key`, not both"
        )
    hub_by = "records" if max_records_per_key is not None else "customers"
    limit = max_records_per_key if max_records_per_key is not None else max_customers_per_key
    limit = 50 if limit is None else limit
    kind = _frames.frame_kind(records)
    frame = _frames.as_table(records, kind)
    names = _frames.column_names(frame, kind)
    if keys is None:
        keys = [k for k in DEFAULT_KEYS if k in names]
        if not keys:
            raise KeyError(f"none of the default key columns {list(DEFAULT_KEYS)} is in the frame; its columns are {names}")
    elif isinstance(keys, str):
        keys = [keys]
    for out in _OUT:
        if out in names:
            raise InvalidArgumentError(f"invalid `records`: the frame already has a column `{out}`; rename it first")
    kinds = dict(kinds or {})
    columns = []
    for name in keys:
        columns.append((name, kinds.pop(name, None), _strings(frame, kind, name)))
    if kinds:
        raise InvalidArgumentError(f"invalid `kinds`: {sorted(kinds)} not among the keys {list(keys)}")
    n = len(frame) if kind != "pyarrow" else frame.num_rows
    r = _resolve_identity(
        n,
        columns,
        max_per_key=limit,
        hub_by=hub_by,
        default_country_code=default_country_code,
        gmail_canonical=gmail_canonical,
    )
    return Resolution(
        _with_columns(frame, kind, r, ["own", *keys]),
        _table(r["hubs"], kind),
        r["customer_count"],
    )


def _strings(frame: Any, kind: str, name: str) -> Any:
    """The column as an Arrow string column (nulls for missing values)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    arr = pa.chunked_array([_arrow(frame, kind, name)])
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.cast(t.value_type)
        t = arr.type
    if pa.types.is_floating(t):
        # Numeric ids read as floats because of missing values: whole numbers without ".0".
        arr = arr.cast(pa.int64()) if _whole(arr) else arr
        t = arr.type
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_string_view(t) or pa.types.is_null(t)):
        try:
            arr = arr.cast(pa.large_string())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as e:
            raise TypeError(f"key column `{name}` has type `{t}`, which does not convert to text") from e
    return arr


def _whole(arr: Any) -> bool:
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    valid = pc.drop_null(arr)
    return bool(pc.all(pc.equal(pc.floor(valid), valid)).as_py() is not False) and not bool(pc.any(pc.is_nan(valid)).as_py())


def _with_columns(frame: Any, kind: str, r: dict[str, Any], labels: list[str]) -> Any:
    codes = (r["link"] + 1).astype(np.int32)
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped]

        return frame.assign(
            customer=r["customers"],
            linked_by=pd.Categorical.from_codes(codes, categories=labels),
            linked_value=pd.array(r["linked_value"], dtype=object),
        )
    import pyarrow as pa

    linked_by = pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(labels, pa.string()))
    linked_value = pa.array(r["linked_value"], pa.string())
    if kind == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return frame.with_columns(
            pl.Series("customer", r["customers"]),
            pl.Series("linked_by", linked_by.dictionary.take(linked_by.indices)).cast(pl.Categorical),
            pl.Series("linked_value", linked_value),
        )
    return frame.append_column("customer", pa.array(r["customers"])).append_column("linked_by", linked_by).append_column(
        "linked_value", linked_value
    )


def _table(columns: dict[str, list[Any]], kind: str) -> Any:
    import pyarrow as pa

    table = pa.table(
        {
            "key": pa.array(columns["key"], pa.string()),
            "value": pa.array(columns["value"], pa.string()),
            "records": pa.array(columns["records"], pa.int64()),
            "customers": pa.array(columns["customers"], pa.int64()),
        }
    )
    return _convert(table, kind)


def profiles(
    resolution: Resolution,
    *,
    on: str,
    interactions: Any = None,
    feedback: Any = None,
    transactions: Any = None,
    cases: Any = None,
    customer: str = "customer",
    transactions_model: Any = None,
    spend_model: Any = None,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "D",
    observation_end: Any = None,
) -> Any:
    """One row per resolved customer, consolidated from every touchpoint.

    The sources are frames (pandas, polars, pyarrow) whose ``customer`` column holds values
    of the records' column ``on`` (say a CRM id, or a record id): each source row belongs to
    the resolved customer of the record(s) with that value. Columns read:

    * ``interactions``: ``time``, ``channel`` → ``first_contact``, ``last_contact``,
      ``contacts``, ``channels`` (distinct, sorted);
    * ``feedback``: ``time``, ``nps`` (0–10, optional), ``csat`` (optional) →
      ``latest_nps`` (of the latest response with one; equal times: the later row),
      ``csat_mean``;
    * ``transactions``: ``amount`` → ``transactions``, ``spend``;
    * ``cases``: ``closed`` (null while open) → ``open_cases``.

    **When models are given** (``transactions_model``: a fitted :class:`cem.clv.BetaGeo` or
    :class:`cem.clv.ParetoNBD`; ``spend_model``: a fitted :class:`cem.clv.GammaGamma`), the
    transactions also need ``time``; each resolved customer's transactions are summarized
    exactly as :func:`cem.loyalty.summary` does (``freq`` ``"D"``/``"W"``/``"M"``, up to
    ``observation_end``; ``None``, the default, means the time of the last transaction), and
    the profile gains ``frequency``, ``recency``, ``T``, ``p_alive`` (the model's P(alive)),
    ``expected_purchases`` (in the next ``time`` months: the model's ``predict`` at ``time``
    × 30 days / 4.345 weeks / 1 month) and, with ``spend_model``, ``clv``
    (:func:`cem.clv.lifetime_value` over ``time`` months at ``discount_rate`` a month, with
    the same ``freq``). Customers without transactions get nulls there. ``freq`` is the one
    time unit of the summary, the models and the CLV: the models must have been fitted on
    summaries in that unit. (Computed in one call of the core's
    ``cem_core::identity::customer_values``.)

    The result (the records' frame library) has one row per customer id, ``0..customer_count``.

    Raises
    ------
    cem.InvalidArgumentError
        A source value found in no record, or an ``on`` value held by records of two
        customers (a hub value, or ``on`` not a key); a ``freq`` other than ``"D"``, ``"W"``,
        ``"M"``; a model given without what it needs, or not fitted.
    cem.OutOfRangeError
        A transaction after ``observation_end``.
    TypeError
        A ``transactions_model`` that is not a :class:`cem.clv.BetaGeo` or
        :class:`cem.clv.ParetoNBD`, a ``spend_model`` that is not a :class:`cem.clv.GammaGamma`.

    Examples
    --------
    >>> import pandas as pd
    >>> from cem import identity
    >>> records = pd.DataFrame({"crm_id": ["c1", "c2", "c3"], "email": ["a@x", "b@x", "A@x"]})
    >>> r = identity.resolve(records)
    >>> tx = pd.DataFrame({"customer": ["c1", "c3", "c2"], "amount": [10.0, 5.0, 7.5]})
    >>> p = identity.profiles(r, on="crm_id", transactions=tx)
    >>> p["customer"].tolist(), p["spend"].tolist()
    ([0, 1], [15.0, 7.5])

    With a purchase model fitted on weekly summaries (here lifetimes' CDNOW parameters):

    >>> from cem.clv import BetaGeo
    >>> bg = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> tx["time"] = pd.to_datetime(["2024-01-01", "2024-02-05", "2024-01-15"])
    >>> p = identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, freq="W", observation_end="2024-03-31")
    >>> p[["frequency", "recency", "T"]].values.tolist()
    [[1.0, 5.0, 12.0], [0.0, 0.0, 10.0]]
    >>> bool(p["expected_purchases"][0] > p["expected_purchases"][1] > 0)
    True
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = _frames.frame_kind(resolution.records)
    records = _frames.as_table(resolution.records, kind)
    values, owners = _owners(_arrow(records, kind, on), _arrow(records, kind, "customer"), on)
    n = resolution.customer_count

    def codes(frame: Any, source: str) -> tuple[Any, Any]:
        k = _frames.frame_kind(frame)
        t = _frames.as_table(frame, k)
        col = _arrow(t, k, customer)
        idx = pc.index_in(col, value_set=values)
        if idx.null_count:
            first = _frames._first_null(idx)
            raise InvalidArgumentError(
                f"invalid `{source}`: column `{customer}` at position {first} holds `{col[first].as_py()}`, found in no record's `{on}`"
            )
        return owners.take(idx).to_numpy().astype(np.uint32), (t, k)

    args: dict[str, Any] = {}
    labels: Any = pa.array([], pa.string())
    time_type = None
    if interactions is not None:
        c, (t, k) = codes(interactions, "interactions")
        times, time_type = _int64(_arrow(t, k, "time"))
        enc = pc.dictionary_encode(_arrow(t, k, "channel"))
        labels = enc.dictionary
        args["interactions"] = (c, times, enc.indices.to_numpy(zero_copy_only=False).astype(np.uint32))
    if feedback is not None:
        c, (t, k) = codes(feedback, "feedback")
        times, _ = _int64(_arrow(t, k, "time"))
        nps = _floats(_arrow(t, k, "nps"))
        csat = _floats(_arrow(t, k, "csat")) if "csat" in _frames.column_names(t, k) else np.full(len(c), np.nan)
        args["feedback"] = (c, times, nps, csat)
    if spend_model is not None and transactions_model is None:
        raise InvalidArgumentError("invalid `spend_model`: CLV also needs a `transactions_model` (BetaGeo or ParetoNBD)")
    if transactions_model is not None and transactions is None:
        raise InvalidArgumentError("invalid `transactions_model`: P(alive) and CLV need `transactions` (with `time` and `amount`)")
    value_columns: dict[str, Any] = {}
    if transactions is not None:
        c, (t, k) = codes(transactions, "transactions")
        args["transactions"] = (c, _floats(_arrow(t, k, "amount")))
        if transactions_model is not None:
            value_columns = _value_columns(
                n, c, _arrow(t, k, "time"), _arrow(t, k, "amount"), transactions_model, spend_model,
                time, discount_rate, freq, observation_end,
            )
    if cases is not None:
        c, (t, k) = codes(cases, "cases")
        args["cases"] = (c, pc.is_null(_arrow(t, k, "closed")).to_numpy(zero_copy_only=False).astype(np.uint8))
    p = _profiles(n, **args)
    channel_labels = labels.to_pylist()
    first = pa.array(p["first_contact"], pa.int64())
    last = pa.array(p["last_contact"], pa.int64())
    if time_type is not None:
        first, last = first.cast(time_type), last.cast(time_type)
    table = pa.table(
        {
            "customer": pa.array(np.arange(n, dtype=np.uint32)),
            "first_contact": first,
            "last_contact": last,
            "contacts": pa.array(p["contacts"], pa.int64()),
            "channels": pa.array([sorted(channel_labels[i] for i in chs) for chs in p["channels"]], pa.list_(pa.string())),
            "latest_nps": pa.array(p["latest_nps"], pa.int64()),
            "csat_mean": pa.array(p["csat_mean"], pa.float64()),
            "transactions": pa.array(p["transactions"], pa.int64()),
            "spend": pa.array(p["spend"], pa.float64()),
            "open_cases": pa.array(p["open_cases"], pa.int64()),
            **value_columns,
        }
    )
    return _convert(table, kind)


def _value_columns(
    n: int, codes: Any, times: Any, amounts: Any, transactions_model: Any, spend_model: Any,
    time: int, discount_rate: float, freq: str, observation_end: Any,
) -> dict[str, Any]:
    """``frequency``, ``recency``, ``T``, ``p_alive``, ``expected_purchases`` [, ``clv``] per
    customer ``0..n`` (null without transactions), from the core's ``customer_values``."""
    import pyarrow as pa

    from cem import clv
    from cem._loyalty_glue import _instant

    if not isinstance(transactions_model, clv._TransactionModel):
        raise TypeError(f"transactions_model must be a BetaGeo or ParetoNBD model, not `{type(transactions_model).__name__}`")
    if spend_model is not None and not isinstance(spend_model, clv.GammaGamma):
        raise TypeError(f"spend_model must be a GammaGamma model, not `{type(spend_model).__name__}`")
    v = _customer_values(
        n, codes, times, amounts, transactions_model._fitted, None if spend_model is None else spend_model._fitted,
        time=time, discount_rate=discount_rate, freq=freq, observation_end=_instant(observation_end, "s"),
    )
    missing = ~v.pop("has")
    return {name: pa.array(values, pa.float64(), mask=missing) for name, values in v.items()}


def _arrow(frame: Any, kind: str, name: str) -> Any:
    import pyarrow as pa

    col = _frames.column(frame, kind, name)
    if kind == "polars":
        col = col.to_arrow()
    elif kind == "pandas":
        col = pa.array(frame[name], from_pandas=True)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _owners(values: Any, customers: Any, on: str) -> tuple[Any, Any]:
    """The distinct non-null values of the records' ``on`` column and the customer of each."""
    import pyarrow as pa

    g = pa.table({"v": values, "c": customers}).filter(values.is_valid()).group_by("v").aggregate([("c", "min"), ("c", "max")])
    lo, hi = g.column("c_min"), g.column("c_max")
    import pyarrow.compute as pc

    split = pc.not_equal(lo, hi)
    if pc.any(split).as_py():
        v = g.column("v").filter(split)[0].as_py()
        raise InvalidArgumentError(f"invalid `on`: `{on}` value `{v}` belongs to records of two customers; choose a column that identifies one")
    return g.column("v").combine_chunks(), lo.combine_chunks()


def _int64(col: Any) -> tuple[np.ndarray, Any]:
    import pyarrow as pa

    t = col.type
    if pa.types.is_timestamp(t) or pa.types.is_date(t):
        t = pa.timestamp("s") if pa.types.is_date32(t) else t if pa.types.is_timestamp(t) else pa.timestamp("ms")
        return col.cast(t).cast(pa.int64()).to_numpy(zero_copy_only=False), t
    return col.cast(pa.int64()).to_numpy(zero_copy_only=False), None


def _floats(col: Any) -> np.ndarray:
    import pyarrow as pa

    return col.cast(pa.float64()).fill_null(float("nan")).to_numpy(zero_copy_only=False)


def _convert(table: Any, kind: str) -> Any:
    if kind == "pandas":
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    return table
