"""cem.journey: frames in and out, time units, errors, and the core's definitions on small
hand-checked logs (the agreement with pm4py is in test_journey_pm4py.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem.journey import EventLog, JourneyMap, seconds

ROWS = {
    "customer_id": ["ann", "bob", "ann", "ann", "bob", "cy", "bob"],
    "event": ["home", "home", "cart", "pay", "cart", "home", "call"],
    "timestamp": [0, 0, 60, 90, 30, 10, 4000],
}


def frames():
    pdf = pd.DataFrame(ROWS)
    pdf["timestamp"] = pd.to_datetime(pdf["timestamp"], unit="s")
    return {
        "pandas": pdf,
        "polars": pl.from_pandas(pdf),
        "pyarrow": pa.Table.from_pandas(pdf, preserve_index=False),
        "dict": ROWS,
    }


@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow", "dict"])
def test_frame_in_same_frame_out(kind):
    log = EventLog(frames()[kind])
    d = log.dfg()
    expected = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "pyarrow": pa.Table, "dict": dict}[kind]
    assert isinstance(d, expected)
    rows = log.dfg(output="pyarrow").to_pylist()
    assert [(r["source"], r["target"], r["count"], r["customers"]) for r in rows] == [
        ("home", "cart", 2, 2),
        ("cart", "pay", 1, 1),
        ("cart", "call", 1, 1),
    ]
    assert [(r["mean_duration"], r["median_duration"]) for r in rows] == [(45.0, 45.0), (30.0, 30.0), (3970.0, 3970.0)]


def test_time_units_give_seconds():
    base = pd.DataFrame(ROWS)
    for unit, scale in [("s", 1), ("ms", 1_000), ("us", 1_000_000), ("ns", 1_000_000_000)]:
        df = base.assign(timestamp=base["timestamp"].astype(np.int64) * scale)
        log = EventLog(df, time_unit=unit)
        assert log.time_unit == unit
        assert log.dfg()["mean_duration"].tolist() == [45.0, 30.0, 3970.0]
        dts = base.assign(timestamp=pd.to_datetime(base["timestamp"], unit="s").astype(f"datetime64[{unit}]"))
        assert EventLog(dts).dfg()["median_duration"].tolist() == [45.0, 30.0, 3970.0]
    aware = base.assign(timestamp=pd.to_datetime(base["timestamp"], unit="s", utc=True))
    assert EventLog(aware).dfg()["mean_duration"].tolist() == [45.0, 30.0, 3970.0]


def test_starts_ends_variants():
    log = EventLog(ROWS, output="pyarrow")
    assert log.starts().to_pylist() == [{"touchpoint": "home", "customers": 3}]
    assert sorted((r["touchpoint"], r["customers"]) for r in log.ends().to_pylist()) == [
        ("call", 1),
        ("home", 1),
        ("pay", 1),
    ]
    v = log.variants().to_pylist()
    assert sum(r["count"] for r in v) == 3
    assert {tuple(r["variant"]) for r in v} == {("home", "cart", "pay"), ("home", "cart", "call"), ("home",)}
    assert len(log.variants(top=1)) == 1


def test_sessions_keep_the_time_type():
    log = EventLog(frames()["pandas"])
    s = log.sessions(gap="30min")
    assert s["customer"].tolist() == ["ann", "bob", "bob", "cy"]
    assert s["session"].tolist() == [0, 0, 1, 0]
    assert s["events"].tolist() == [3, 2, 1, 1]
    assert str(s["start"].dtype).startswith("datetime64")
    assert s["duration"].tolist() == [90.0, 30.0, 0.0, 0.0]
    # A gap of exactly the limit stays in the session.
    assert len(log.sessions(gap=3970)) == 3
    assert len(log.sessions(gap=dt.timedelta(seconds=3969))) == 4


def test_funnel_definition_and_window():
    log = EventLog(ROWS, output="pyarrow")
    f = log.funnel(["home", "cart", "pay"]).to_pylist()
    assert [r["customers"] for r in f] == [3, 2, 1]
    assert f[1]["median_time"] == 45.0  # 60 and 30 seconds
    assert f[0]["median_time"] is None
    within = log.funnel(["home", "cart", "call"], within="1h").to_pylist()
    assert [r["customers"] for r in within] == [3, 2, 0]
    assert within[1]["time_histogram"][0]["customers"] == 1


def test_paths_next_step_removal_effects():
    log = EventLog(ROWS, output="pyarrow")
    assert log.paths(start="home", depth=2).to_pylist()[0] == {"path": ["home", "cart"], "count": 2}
    nxt = log.next_step("cart").to_pylist()
    assert sorted((r["touchpoint"], r["probability"]) for r in nxt) == [("call", 0.5), ("pay", 0.5)]
    a = log.removal_effects("pay")
    assert a.goal == "pay" and 0 < a.conversion <= 1
    assert a.observed == pytest.approx(1 / 3)
    eff = {r["touchpoint"]: r["effect"] for r in a.effects.to_pylist()}
    assert eff["cart"] == pytest.approx(1.0)


def test_integer_and_categorical_keys_keep_their_labels():
    df = pd.DataFrame(
        {
            "user": [10, 10, 7, 7],
            "page": pd.Categorical(["b", "a", "a", "b"], categories=["a", "b"]),
            "t": [0, 1, 0, 1],
        }
    )
    log = EventLog(df, customer="user", touchpoint="page", time="t")
    assert log.touchpoints == ["a", "b"]
    assert set(log.sessions()["customer"]) == {10, 7}
    assert log.dfg()[["source", "target"]].values.tolist() == [["a", "b"], ["b", "a"]]
    sparse = df.assign(user=df["user"] * 10**12)
    assert set(EventLog(sparse, customer="user", touchpoint="page", time="t").sessions()["customer"]) == {
        10 * 10**12,
        7 * 10**12,
    }


@pytest.mark.parametrize("column", ["customer_id", "event", "timestamp"])
def test_nulls_name_the_column_and_row(column):
    rows = {k: list(v) for k, v in ROWS.items()}
    rows[column][4] = None
    with pytest.raises(cem.InvalidNumberError, match=rf"`{column}` at position 4"):
        EventLog(pa.table(rows))
    with pytest.raises(cem.InvalidNumberError, match=rf"`{column}` at position 4"):
        EventLog(pl.DataFrame(rows))


def test_bad_arguments():
    log = EventLog(ROWS)
    with pytest.raises(cem.InvalidArgumentError, match="`nope` is not in the log"):
        log.funnel(["home", "nope"])
    with pytest.raises(cem.InvalidArgumentError):
        log.sessions(gap="soon")
    with pytest.raises(cem.InvalidArgumentError):
        log.paths(start="home", end="pay")
    with pytest.raises(KeyError, match="no column `when`"):
        EventLog(ROWS, time="when")
    with pytest.raises(cem.InvalidArgumentError, match="at least one step"):
        log.funnel([])


def test_seconds_parser():
    assert seconds("30min") == 1800.0
    assert seconds("2h") == 7200.0
    assert seconds("7d") == 7 * 86400.0
    assert seconds("500ms") == 0.5
    assert seconds(np.timedelta64(3, "m")) == 180.0
    assert seconds(pd.Timedelta("1h")) == 3600.0
    with pytest.raises(cem.InvalidArgumentError):
        seconds(-1)


def test_feedback_pain_points_and_channels():
    shop = cem.sample.retailer(42, customers=2000)
    log = EventLog(shop.interactions, customer="customer", touchpoint="touchpoint", time="time")
    join = log.with_feedback(shop.feedback, customer="customer", time="time", score="nps")
    assert len(join) == int(shop.feedback["nps"].notna().sum())
    rows = join.rows()
    assert rows["last"].notna().all()  # every survey follows a contact
    pains = join.pain_points("nps")
    assert sorted(pains["touchpoint"][:3]) == ["cc-billing", "cc-delivery", "chat-support"]
    assert pains["significant"][:3].all()
    assert pains["touchpoint"].iloc[-1] == "store-till"
    channel_of = dict(zip(shop.touchpoints["id"], shop.touchpoints["channel"]))
    pairs = join.channel_consistency(channel_of)
    assert {"channel_a", "channel_b", "customers", "difference", "spread"} <= set(pairs.columns)
    assert (pairs["customers"] > 0).all()
    # Polars feedback against a pandas log; a window lists earlier touchpoints too.
    j2 = log.with_feedback(pl.from_pandas(shop.feedback), customer="customer", time="time", score="csat", window="1d")
    assert j2.pain_points("csat", min_responses=10)["touchpoint"].notna().all()
    assert j2.rows()["within"].map(len).max() >= 1


def test_journey_map():
    log = EventLog(ROWS)
    m = log.map(title="Checkout", scores={"pay": 50.0})
    assert isinstance(m, JourneyMap)
    assert m._repr_svg_().startswith("<svg") and ">Checkout<" in m.svg
    assert log.to_dot().startswith("digraph journey {")
    assert '"home" -> "cart"' in log.to_dot()
    with pytest.raises(cem.InvalidArgumentError, match="unknown map option"):
        log.to_svg(colour="red")
