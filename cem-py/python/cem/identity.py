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

A value empty after normalization is missing. A value shared by more than
``max_records_per_key`` records (a call-centre number, a test address) links nothing and is
reported in :attr:`Resolution.hubs`.

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
from cem._cem import InvalidArgumentError, _profiles, _resolve_identity

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
        One row per ignored key value: ``key``, ``value`` (normalized), ``records``.
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
    max_records_per_key: int = 50,
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
    max_records_per_key
        A normalized value held by more records than this is ignored and reported (at
        least 2).
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
    >>> r = identity.resolve(calls, max_records_per_key=2)
    >>> r.records["customer"].to_list()
    [0, 1, 0]
    >>> r.hubs.rows()
    [('phone', '18005550100', 3)]
    """
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
        max_records_per_key=max_records_per_key,
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

    The result (the records' frame library) has one row per customer id, ``0..customer_count``.

    Raises
    ------
    cem.InvalidArgumentError
        A source value found in no record, or an ``on`` value held by records of two
        customers (a hub value, or ``on`` not a key).

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
    if transactions is not None:
        c, (t, k) = codes(transactions, "transactions")
        args["transactions"] = (c, _floats(_arrow(t, k, "amount")))
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
        }
    )
    return _convert(table, kind)


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
