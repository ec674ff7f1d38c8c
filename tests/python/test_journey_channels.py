"""The channel column of ``cem.journey.EventLog`` and channel consistency without a mapping.

The reference is an independent pandas computation: each response is matched to the
customer's last event at or before it (ties by input row), per customer and channel the mean
score, per channel pair the within-customer differences; the interval is Student t from
scipy.
"""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from scipy import stats

import cem
from cem._cem import _EventLog
from cem.journey import EventLog


def random_events(seed: int, customers: int = 60, events: int = 600):
    rng = np.random.default_rng(seed)
    ev = pd.DataFrame(
        {
            "customer_id": rng.integers(0, customers, events).astype(str),
            "event": rng.choice(["browse", "buy", "ask", "return"], events),
            "timestamp": rng.integers(0, 1000, events),
            # Not a function of the touchpoint: the same event happens on several channels.
            "via": rng.choice(["web", "app", "store"], events),
        }
    )
    fb = pd.DataFrame(
        {
            "customer_id": rng.integers(0, customers + 5, 400).astype(str),  # a few unknown
            "timestamp": rng.integers(0, 1100, 400),
            "score": rng.integers(0, 11, 400),
        }
    )
    return ev, fb


def reference(ev: pd.DataFrame, fb: pd.DataFrame, confidence: float = 0.95) -> dict:
    """{(channel_a, channel_b): (customers, difference, low, high, spread)}, a/b sorted by name."""
    e = ev.assign(row=np.arange(len(ev)))
    f = fb.assign(response=np.arange(len(fb)))
    m = f.merge(e, on="customer_id", suffixes=("", "_event"))
    m = m[m["timestamp_event"] <= m["timestamp"]]
    last = m.sort_values(["response", "timestamp_event", "row"]).groupby("response").tail(1)
    means = last.groupby(["customer_id", "via"])["score"].mean().unstack()
    out = {}
    names = sorted(means.columns)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            d = (means[a] - means[b]).dropna()
            n = len(d)
            if n < 2:
                out[(a, b)] = (n, None, None, None, None)
                continue
            half = stats.t.ppf(0.5 + confidence / 2, n - 1) * d.std(ddof=1) / np.sqrt(n)
            out[(a, b)] = (n, d.mean(), d.mean() - half, d.mean() + half, d.abs().mean())
    return out


def as_dict(pairs: pd.DataFrame) -> dict:
    """cem's pairs keyed by channel names in sorted order (flipping a − b where needed)."""
    out = {}
    for r in pairs.itertuples():
        a, b, sign = (r.channel_a, r.channel_b, 1.0) if r.channel_a < r.channel_b else (r.channel_b, r.channel_a, -1.0)
        low, high = (r.difference_low, r.difference_high) if sign > 0 else (-r.difference_high, -r.difference_low)
        nan = lambda x: None if x is None or pd.isna(x) else x  # noqa: E731
        out[(a, b)] = (r.customers, nan(sign * r.difference), nan(low), nan(high), nan(r.spread))
    return out


def assert_close(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, w in want.items():
        g = got[key]
        assert g[0] == w[0], key
        for x, y in zip(g[1:], w[1:]):
            assert (x is None) == (y is None), key
            if y is not None:
                assert x == pytest.approx(y, rel=1e-9, abs=1e-12), key


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_channel_column_matches_a_pandas_reference(seed):
    ev, fb = random_events(seed)
    log = EventLog(ev, channel="via")
    assert sorted(log.channels) == ["app", "store", "web"]
    join = log.with_feedback(fb, score="score")
    pairs = join.channel_consistency()
    want = reference(ev, fb)
    assert len(want) == 3 and all(w[0] >= 2 for w in want.values())
    assert_close(as_dict(pairs), want)
    # The channel of the event before each response, in rows().
    rows = join.rows()
    assert set(rows["last_channel"].dropna()) <= {"app", "store", "web"}
    assert (rows["last_channel"].isna() == rows["last"].isna()).all()


@pytest.mark.parametrize("kind", ["polars", "pyarrow", "dict", "categorical"])
def test_any_frame_library_gives_the_same_pairs(kind):
    ev, fb = random_events(7)
    frame = {
        "polars": lambda: pl.from_pandas(ev),
        "pyarrow": lambda: pa.Table.from_pandas(ev, preserve_index=False),
        "dict": lambda: {k: ev[k].tolist() for k in ev.columns},
        "categorical": lambda: ev.assign(via=ev["via"].astype("category")),
    }[kind]()
    got = EventLog(frame, channel="via", output="pandas").with_feedback(fb, score="score").channel_consistency()
    assert_close(as_dict(got), reference(ev, fb))


def test_channels_as_a_function_of_touchpoint_equal_the_mapping_path():
    shop = cem.sample.retailer(42, customers=2000)
    channel_of = dict(zip(shop.touchpoints["id"], shop.touchpoints["channel"]))
    events = shop.interactions.assign(channel=shop.interactions["touchpoint"].map(channel_of))
    assert events["channel"].notna().all()
    with_column = EventLog(events, customer="customer", touchpoint="touchpoint", time="time", channel="channel")
    plain = EventLog(events, customer="customer", touchpoint="touchpoint", time="time")
    by_column = with_column.with_feedback(shop.feedback, customer="customer", time="time", score="nps")
    by_mapping = plain.with_feedback(shop.feedback, customer="customer", time="time", score="nps")
    got = as_dict(by_column.channel_consistency())
    want = as_dict(by_mapping.channel_consistency(channel_of))
    assert len(want) >= 3
    assert_close(got, want)
    # The mapping still works on a log with channels, and agrees too.
    assert_close(as_dict(by_column.channel_consistency(channel_of)), want)


def test_nulls_in_the_channel_column_name_the_column_and_row():
    ev, _ = random_events(1, events=20)
    rows = {k: ev[k].tolist() for k in ev.columns}
    rows["via"][6] = None
    for frame in (pa.table(rows), pl.DataFrame(rows), pd.DataFrame(rows)):
        with pytest.raises(cem.InvalidNumberError, match=r"`via` at position 6"):
            EventLog(frame, channel="via")
    with pytest.raises(KeyError, match="no column `nope`"):
        EventLog(ev, channel="nope")


def test_without_a_channel_column_a_mapping_is_needed():
    ev, fb = random_events(1)
    log = EventLog(ev)
    assert log.channels is None
    join = log.with_feedback(fb, score="score")
    with pytest.raises(cem.InvalidArgumentError, match="no channel column"):
        join.channel_consistency()
    assert "last_channel" not in join.rows().columns


def test_native_codes_out_of_range_name_the_column_and_row():
    with pytest.raises(cem.OutOfRangeError, match=r"channel code at row 1 in column `via`"):
        _EventLog.from_columns([0, 0], 1, [0, 0], ["x"], [0, 1], channels=([0, 5], ["web"], "via"))


def test_channels_survive_pickling():
    ev, fb = random_events(4)
    log = EventLog(ev, channel="via")
    back = pickle.loads(pickle.dumps(log._log))
    assert back.channel_labels == log._log.channel_labels
    assert back.to_bytes() == log._log.to_bytes()
    again = pickle.loads(pickle.dumps(log))
    assert again.channels == log.channels
    assert_close(
        as_dict(again.with_feedback(fb, score="score").channel_consistency()),
        as_dict(log.with_feedback(fb, score="score").channel_consistency()),
    )
