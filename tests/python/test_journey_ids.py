"""cem.journey: session ids in input order, starts/ends, pickling, and integer id columns of
every frame kind. Expected values are brute-force pandas computations on the same rows."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem._cem import _EventLog
from cem.journey import EventLog


def shuffled_log(seed: int = 3, n: int = 600) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "customer_id": rng.integers(0, 40, n),
            "event": rng.choice(["home", "search", "cart", "pay", "help"], n),
            "timestamp": rng.integers(0, 20_000, n),
        }
    )


def test_session_ids_follow_the_input_rows():
    df = shuffled_log()
    log = EventLog(df)
    ids = log.session_ids(gap=900)
    table = log.sessions(gap=900)
    assert ids.shape == (len(df),)
    # Every row points at a session of its own customer that spans its time.
    rows = table.iloc[ids]
    assert (rows["customer"].to_numpy() == df["customer_id"].to_numpy()).all()
    assert (rows["start"].to_numpy() <= df["timestamp"].to_numpy()).all()
    assert (df["timestamp"].to_numpy() <= rows["end"].to_numpy()).all()
    # Brute force: sort each customer's rows by time (ties by row), split at gaps > 900.
    order = df.reset_index().sort_values(["customer_id", "timestamp", "index"], kind="stable")
    new = order.groupby("customer_id")["timestamp"].diff().fillna(np.inf).gt(900)
    want = new.cumsum().to_numpy()
    got = ids[order["index"].to_numpy()]
    # The same partition of the rows (session numbering differs: cem numbers customers by
    # first appearance).
    pairs = set(zip(want.tolist(), got.tolist()))
    assert len(pairs) == len(set(want.tolist())) == len(set(got.tolist())) == len(table)
    assert table["events"].sum() == len(df)


def test_session_ids_attach_to_polars_and_arrow():
    df = shuffled_log(5, 200)
    want = EventLog(df).session_ids(gap="15min")
    for frame in (pl.from_pandas(df), pa.Table.from_pandas(df, preserve_index=False)):
        assert (EventLog(frame).session_ids(gap="15min") == want).all()


def test_starts_and_ends_are_first_and_last_touchpoints():
    df = shuffled_log()
    log = EventLog(df)
    ordered = df.reset_index().sort_values(["customer_id", "timestamp", "index"], kind="stable")
    for method, pick in ((log.starts, "first"), (log.ends, "last")):
        want = ordered.groupby("customer_id")["event"].agg(pick).value_counts().to_dict()
        got = method(output="dict")
        assert dict(zip(got["touchpoint"], got["customers"])) == want


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow", "dict"])
def test_pickle_round_trip(kind):
    df = shuffled_log(9, 300)
    df["timestamp"] = pd.to_datetime(df["timestamp"], unit="s")
    frame = {
        "pandas": df,
        "polars": pl.from_pandas(df),
        "pyarrow": pa.Table.from_pandas(df, preserve_index=False),
        "dict": {k: df[k].tolist() for k in df.columns},
    }[kind]
    log = EventLog(frame, output="pandas")
    back = pickle.loads(pickle.dumps(log))
    assert type(back) is EventLog
    assert (len(back), back.customer_count, back.touchpoints, back.time_unit) == (
        len(log),
        log.customer_count,
        log.touchpoints,
        log.time_unit,
    )
    pd.testing.assert_frame_equal(back.dfg(), log.dfg())
    pd.testing.assert_frame_equal(back.sessions(), log.sessions())
    pd.testing.assert_frame_equal(back.funnel(["home", "cart", "pay"], within="1h"), log.funnel(["home", "cart", "pay"], within="1h"))
    assert (back.session_ids() == log.session_ids()).all()
    assert copy.deepcopy(log).variants().equals(log.variants())


def test_native_bytes_are_validated():
    native = _EventLog.from_columns([0, 0, 1], 2, [0, 1, 0], ["home", "cart"], [0, 60, 5])
    data = native.to_bytes()
    assert _EventLog.from_bytes(data).dfg() == native.dfg()
    assert _EventLog.from_bytes(data, "ms").time_unit == "ms"
    with pytest.raises(cem.JsonError, match="truncated"):
        _EventLog.from_bytes(data[:-3])
    with pytest.raises(cem.JsonError, match="magic"):
        _EventLog.from_bytes(b"x" * 64)
    with pytest.raises(cem.InvalidArgumentError):
        _EventLog.from_bytes(data, "fortnights")


def _id_frames(customers, events, times):
    d = {"customer_id": customers, "event": events, "timestamp": times}
    pdf = pd.DataFrame(d)
    return {
        "pandas": pdf,
        "pandas-int32": pdf.astype({"customer_id": np.int32, "event": np.int32}) if min(customers) > -(2**31) and max(customers) < 2**31 else pdf,
        "polars": pl.DataFrame(d),
        "polars-u64": pl.DataFrame(d).cast({"event": pl.UInt64}) if min(events) >= 0 else pl.DataFrame(d),
        "pyarrow": pa.table(d),
        "dict": d,
    }


@pytest.mark.parametrize(
    "customers, events",
    [
        ([10, 10, 7, 7, 10], [3, 5, 3, 3, 9]),  # small ids: their own codes, with gaps
        ([-4, -4, 2**40, 2**40, -4], [-1, 5, -1, -1, 2**33]),  # negative and sparse ids
    ],
)
@pytest.mark.parametrize("kind", ["pandas", "pandas-int32", "polars", "polars-u64", "pyarrow", "dict"])
def test_integer_ids_equal_their_text(customers, events, kind):
    times = [0, 5, 0, 9, 12]
    as_text = EventLog(
        {"customer_id": [str(c) for c in customers], "event": [str(e) for e in events], "timestamp": times}, output="dict"
    )
    log = EventLog(_id_frames(customers, events, times)[kind], output="dict")
    # Only the touchpoints that occur, however the ids are coded.
    assert sorted(log.touchpoints) == sorted(set(events))
    assert sorted(map(str, log.touchpoints)) == sorted(as_text.touchpoints)
    text = lambda xs: [str(x) for x in xs]  # noqa: E731
    d, t = log.dfg(), as_text.dfg()
    assert sorted(zip(text(d["source"]), text(d["target"]), d["count"])) == sorted(zip(t["source"], t["target"], t["count"]))
    v, tv = log.variants(), as_text.variants()
    assert sorted((text(s), c) for s, c in zip(v["variant"], v["count"])) == sorted(zip(tv["variant"], tv["count"]))
    s = log.sessions(gap=8)  # the first customer: 0, 5, 12 in one; the second: 0 | 9
    assert sorted(s["customer"]) == sorted([customers[0], customers[2], customers[2]])
    # The map needs columns only for touchpoints that occur.
    svg = log.to_svg(columns={e: i for i, e in enumerate(sorted(set(events)))})
    assert svg.startswith("<svg")
