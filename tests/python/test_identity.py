"""cem.identity.resolve against a networkx connected-components reference, hub keys,
normalization, frame libraries and bad input."""

from __future__ import annotations

import random

import networkx as nx
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem import identity


def _random_records(seed: int, n: int) -> pd.DataFrame:
    rng = random.Random(seed)
    pool = max(2, n // 3)

    def maybe(p: float, make):  # type: ignore[no-untyped-def]
        return make() if rng.random() < p else None

    return pd.DataFrame(
        {
            "email": [maybe(0.6, lambda: f"u{rng.randrange(pool)}@example.com") for _ in range(n)],
            "phone": [maybe(0.5, lambda: f"555{rng.randrange(pool):07d}") for _ in range(n)],
            "device_id": [maybe(0.4, lambda: f"d{rng.randrange(pool)}") for _ in range(n)],
            "crm_id": [maybe(0.3, lambda: f"C{rng.randrange(pool)}") for _ in range(n)],
        }
    )


def _networkx_components(
    frame: pd.DataFrame, keys: list[str], limit: int, hub_by: str = "records"
) -> tuple[list[int], list[tuple[str, str, int, int]]]:
    """Component label per record and the hubs (key, value, records, customers), written
    from the rule in cem.identity's docs with networkx: base customers from a bipartite
    record–value graph of the values held by at most ``limit`` records; a value on more
    records is a hub (``"records"``) always, (``"customers"``) when its records span more than
    ``limit`` base customers, the records holding no value of at most ``limit`` records
    counting as one. Values already in normal form (the random records are)."""
    holders: dict[tuple[str, str], list[int]] = {}
    for key in keys:
        for i, v in frame[key].items():
            if isinstance(v, str):
                holders.setdefault((key, v), []).append(int(i))

    def components(values: list[tuple[str, str]]) -> list[int]:
        g = nx.Graph()
        g.add_nodes_from(range(len(frame)))
        for kv in values:
            g.add_edges_from((r, kv) for r in holders[kv])
        label = {}
        for comp in nx.connected_components(g):
            records = sorted(x for x in comp if isinstance(x, int))
            for r in records:
                label[r] = records[0]
        return [label[i] for i in range(len(frame))]

    small = [kv for kv, recs in holders.items() if len(recs) <= limit]
    base = components(small)
    identified = {r for kv in small for r in holders[kv]}
    linking, hubs = list(small), []
    for kv, recs in holders.items():
        if len(recs) <= limit:
            continue
        seen = {base[r] if r in identified else None for r in recs}
        if hub_by == "records" or len(seen) > limit:
            hubs.append((kv[0], kv[1], len(recs), len(seen)))
        else:
            linking.append(kv)
    return components(linking), sorted(hubs)


def _values(series: pd.Series) -> list[object]:
    """A column as a list, missing values (None or NaN, depending on the pandas version) as None."""
    return [None if pd.isna(x) else x for x in series]


def _same_partition(a: list[int], b: list[int]) -> bool:
    ab: dict[int, int] = {}
    ba: dict[int, int] = {}
    return all(ab.setdefault(x, y) == y and ba.setdefault(y, x) == x for x, y in zip(a, b))


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("limit", [3, 50])
@pytest.mark.parametrize("hub_by", ["customers", "records"])
def test_equals_networkx_components(seed: int, limit: int, hub_by: str) -> None:
    frame = _random_records(seed, 400)
    keys = ["email", "phone", "device_id", "crm_id"]
    kw = {"max_records_per_key": limit} if hub_by == "records" else {"max_customers_per_key": limit}
    r = identity.resolve(frame, default_country_code="", **kw)
    expected, hubs = _networkx_components(frame, keys, limit, hub_by)
    assert sorted(r.hubs.itertuples(index=False, name=None)) == hubs
    got = r.records["customer"].tolist()
    assert _same_partition(got, expected)
    assert r.customer_count == len(set(expected))
    # Ids are numbered by first record: the networkx label is that first record.
    firsts = sorted(set(expected))
    assert [firsts.index(e) for e in expected] == got


def test_hub_values_are_ignored_and_reported() -> None:
    n = 80
    frame = pd.DataFrame(
        {
            "email": [f"c{i}@x.com" for i in range(n)],
            "phone": ["+1 800 555 0100"] * n,
            "device_id": ["test-device" if i < 3 else None for i in range(n)],
        }
    )
    r = identity.resolve(frame)
    # The call-centre number (80 records > 50) links nothing; the device links records 0-2.
    assert r.customer_count == n - 2
    # Seen on 78 customers: the three device records and 77 others with their own e-mails.
    assert r.hubs.to_dict("records") == [{"key": "phone", "value": "18005550100", "records": 80, "customers": 78}]
    assert r.records["customer"].tolist()[:4] == [0, 0, 0, 1]
    assert r.records["linked_by"].tolist()[:4] == ["own", "device_id", "device_id", "own"]
    r = identity.resolve(frame, max_records_per_key=80)
    assert r.customer_count == 1
    assert len(r.hubs) == 0
    with pytest.raises(cem.InvalidArgumentError, match="not both"):
        identity.resolve(frame, max_records_per_key=80, max_customers_per_key=80)


def test_a_frequent_customer_is_no_hub_by_customers() -> None:
    # 120 contacts of one customer share an e-mail; 60 others with own e-mails gave one number.
    frame = pd.DataFrame(
        {
            "email": ["fan@x.com"] * 120 + [f"c{i}@x.com" for i in range(60)],
            "phone": [None] * 120 + ["800 555 0100"] * 60,
        }
    )
    r = identity.resolve(frame)
    assert r.customer_count == 61
    assert r.hubs.to_dict("records") == [{"key": "phone", "value": "18005550100", "records": 60, "customers": 60}]
    by_records = identity.resolve(frame, max_records_per_key=50)
    assert by_records.customer_count == 180
    assert sorted(by_records.hubs["key"]) == ["email", "phone"]


def test_normalization() -> None:
    frame = pd.DataFrame(
        {
            "email": [" Ann@Example.com", "ann@example.COM\t", "a.n.n+promo@gmail.com", "ann@gmail.com", "  "],
            "phone": ["(555) 010-2030", "+1 555 010 2030", "0044 20 7946 0000", "+44 (20) 7946-0000", "n/a"],
        }
    )
    r = identity.resolve(frame)
    assert r.records["customer"].tolist() == [0, 0, 1, 1, 2]
    assert _values(r.records["linked_value"]) == [None, "ann@example.com", None, "442079460000", None]
    g = identity.resolve(frame, gmail_canonical=True)
    assert g.records["linked_by"].tolist()[3] == "email"
    assert g.records["linked_value"].tolist()[3] == "ann@gmail.com"
    # A trunk 0 takes the default country code.
    de = pd.DataFrame({"phone": ["030 1234567", "+49 30 1234567"]})
    assert identity.resolve(de, default_country_code="49").customer_count == 1
    assert identity.resolve(de).customer_count == 2


def test_frame_libraries_agree() -> None:
    frame = _random_records(7, 300)
    expected = identity.resolve(frame).records["customer"].tolist()
    polars = identity.resolve(pl.from_pandas(frame))
    assert polars.records["customer"].to_list() == expected
    assert polars.hubs.columns == ["key", "value", "records", "customers"]
    arrow = identity.resolve(pa.Table.from_pandas(frame))
    assert arrow.records.column("customer").to_pylist() == expected
    assert arrow.records.column("linked_by").to_pylist() == polars.records["linked_by"].to_list()


def test_keys_and_kinds() -> None:
    frame = pd.DataFrame({"mail": ["A@x", "a@x", "b@x"], "loyalty": [7.0, None, 7.0], "id": ["X", "x", "y"]})
    assert identity.resolve(frame, ["mail"]).customer_count == 2  # inferred e-mail
    assert identity.resolve(frame, ["id"]).customer_count == 3  # ids keep case
    assert identity.resolve(frame, ["id"], kinds={"id": "email"}).customer_count == 2
    # Whole floats (numeric ids with missing values) are compared as integer text.
    r = identity.resolve(frame, ["loyalty"])
    assert r.records["customer"].tolist() == [0, 1, 0]
    assert _values(r.records["linked_value"]) == [None, None, "7"]


def test_bad_input() -> None:
    frame = pd.DataFrame({"email": ["a@x"], "customer": [1]})
    with pytest.raises(cem.InvalidArgumentError, match="already has a column `customer`"):
        identity.resolve(frame)
    with pytest.raises(KeyError, match="none of the default key columns"):
        identity.resolve(pd.DataFrame({"x": [1]}))
    with pytest.raises(KeyError, match="no column `phone`"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), ["phone"])
    with pytest.raises(cem.EmptyError, match="at least one key column"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), [])
    with pytest.raises(cem.InvalidArgumentError, match="`fax` is not one of"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), kinds={"email": "fax"})
    with pytest.raises(cem.InvalidArgumentError, match="not among the keys"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), kinds={"phone": "phone"})
    with pytest.raises(cem.OutOfRangeError, match="max_records_per_key"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), max_records_per_key=1)
    with pytest.raises(cem.OutOfRangeError, match="max_customers_per_key"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), max_customers_per_key=1)
    with pytest.raises(cem.InvalidArgumentError, match="default_country_code"):
        identity.resolve(pd.DataFrame({"email": ["a"]}), default_country_code="x1")
    with pytest.raises(TypeError, match="pandas, polars or pyarrow"):
        identity.resolve([{"email": "a"}])


def test_empty_frame() -> None:
    r = identity.resolve(pd.DataFrame({"email": pd.Series([], dtype=object)}))
    assert r.customer_count == 0
    assert len(r.records) == 0


# ------------------------------------------------------------------------------ profiles


def _profile_sources(seed: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    rng = random.Random(seed)
    n = 120
    records = pd.DataFrame(
        {
            "crm_id": [f"crm{i}" for i in range(n)],
            "email": [f"p{rng.randrange(60)}@x.com" if rng.random() < 0.7 else None for _ in range(n)],
            "phone": [f"555{rng.randrange(80):07d}" if rng.random() < 0.5 else None for _ in range(n)],
        }
    )
    t0 = pd.Timestamp("2026-01-01", tz="UTC")

    def ids(m: int) -> list[str]:
        return [f"crm{rng.randrange(n)}" for _ in range(m)]

    interactions = pd.DataFrame(
        {
            "customer": ids(500),
            "time": [t0 + pd.Timedelta(seconds=rng.randrange(10**7)) for _ in range(500)],
            "channel": [rng.choice(["web", "app", "store", "call"]) for _ in range(500)],
        }
    )
    feedback = pd.DataFrame(
        {
            "customer": ids(200),
            "time": [t0 + pd.Timedelta(days=rng.randrange(100)) for _ in range(200)],  # ties happen
            "nps": [rng.randrange(11) if rng.random() < 0.7 else None for _ in range(200)],
            "csat": [float(rng.randrange(1, 6)) if rng.random() < 0.6 else None for _ in range(200)],
        }
    )
    transactions = pd.DataFrame({"customer": ids(300), "amount": [rng.randrange(1, 10_000) / 100 for _ in range(300)]})
    cases = pd.DataFrame(
        {
            "customer": ids(60),
            "closed": [t0 if rng.random() < 0.5 else None for _ in range(60)],
        }
    )
    return records, {"interactions": interactions, "feedback": feedback, "transactions": transactions, "cases": cases}


@pytest.mark.parametrize("seed", range(3))
def test_profiles_equal_pandas_groupby(seed: int) -> None:
    records, src = _profile_sources(seed)
    r = identity.resolve(records, ["email", "phone"])
    p = identity.profiles(r, on="crm_id", **src)
    assert p["customer"].tolist() == list(range(r.customer_count))
    owner = dict(zip(records["crm_id"], r.records["customer"]))
    ix = pd.RangeIndex(r.customer_count)

    i = src["interactions"].assign(c=src["interactions"]["customer"].map(owner))
    g = i.groupby("c")
    pd.testing.assert_series_equal(p["first_contact"], g["time"].min().reindex(ix), check_names=False, check_dtype=False)
    pd.testing.assert_series_equal(p["last_contact"], g["time"].max().reindex(ix), check_names=False, check_dtype=False)
    assert p["contacts"].tolist() == g.size().reindex(ix, fill_value=0).tolist()
    expected_channels = g["channel"].agg(lambda s: sorted(set(s))).reindex(ix)
    assert [list(x) for x in p["channels"]] == [x if isinstance(x, list) else [] for x in expected_channels]

    f = src["feedback"].assign(c=src["feedback"]["customer"].map(owner), row=range(len(src["feedback"])))
    latest = f.dropna(subset=["nps"]).sort_values(["time", "row"]).groupby("c")["nps"].last().reindex(ix)
    assert [None if pd.isna(x) else int(x) for x in p["latest_nps"]] == [None if pd.isna(x) else int(x) for x in latest]
    csat = f.groupby("c")["csat"].mean().reindex(ix)
    assert p["csat_mean"].tolist() == pytest.approx(csat.tolist(), nan_ok=True)

    t = src["transactions"].assign(c=src["transactions"]["customer"].map(owner))
    assert p["spend"].tolist() == pytest.approx(t.groupby("c")["amount"].sum().reindex(ix, fill_value=0.0).tolist())
    assert p["transactions"].tolist() == t.groupby("c").size().reindex(ix, fill_value=0).tolist()

    c = src["cases"].assign(c=src["cases"]["customer"].map(owner))
    assert p["open_cases"].tolist() == c[c["closed"].isna()].groupby("c").size().reindex(ix, fill_value=0).tolist()


def test_profiles_polars_and_bad_input() -> None:
    records, src = _profile_sources(5)
    r = identity.resolve(records, ["email", "phone"])
    expected = identity.profiles(r, on="crm_id", transactions=src["transactions"])["spend"].tolist()
    rp = identity.resolve(pl.from_pandas(records), ["email", "phone"])
    got = identity.profiles(rp, on="crm_id", transactions=pl.from_pandas(src["transactions"]))
    assert got["spend"].to_list() == expected
    bad = pd.DataFrame({"customer": ["crm1", "nobody"], "amount": [1.0, 2.0]})
    with pytest.raises(cem.InvalidArgumentError, match="position 1 holds `nobody`"):
        identity.profiles(r, on="crm_id", transactions=bad)
    tagged = identity.resolve(pd.DataFrame({"email": ["a@x", "b@x"], "tag": ["t", "t"]}), ["email"])
    with pytest.raises(cem.InvalidArgumentError, match="`tag` value `t` belongs to records of two customers"):
        identity.profiles(tagged, on="tag", transactions=pd.DataFrame({"customer": ["t"], "amount": [1.0]}))
    nps = pd.DataFrame({"customer": ["crm1"], "time": [1], "nps": [11]})
    with pytest.raises(cem.OutOfRangeError, match="NPS score `11`"):
        identity.profiles(r, on="crm_id", feedback=nps)
