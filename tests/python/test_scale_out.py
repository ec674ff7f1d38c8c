"""GroupedScores partials: pickling, exact merges, and the same answer from Dask (two
worker processes) and PySpark (local mode) as from one process."""

import json
import os
import pickle
import sys

import numpy as np
import pandas as pd
import pytest

import cem
from cem import metrics


def frame(rng, n=20_000):
    return pd.DataFrame(
        {
            "score": rng.integers(0, 11, n),
            "region": rng.choice(["north", "south", "east", "west"], n),
            "channel": rng.integers(0, 5, n),
            "ts": pd.to_datetime(rng.integers(1_672_531_200, 1_735_689_600, n), unit="s"),
            "w": rng.uniform(0.5, 2.0, n),
        }
    )


def test_grouped_scores_pickle_and_merge_equal_one_pass(rng):
    df = frame(rng)
    one = metrics.GroupedScores("nps", "week", utc_offset=3600)
    one.push(df.score, df.channel, df.ts)
    parts = []
    for chunk in np.array_split(np.arange(len(df)), 5):
        part = metrics.GroupedScores("nps", "week", utc_offset=3600)
        sub = df.iloc[chunk]
        part.push(sub.score.to_numpy(np.uint8), sub.channel.to_numpy(np.uint32), sub.ts)
        parts.append(pickle.dumps(part))
    total = metrics.GroupedScores("nps", "week", utc_offset=3600)
    for blob in reversed(parts):
        total.merge(pickle.loads(blob))
    # The time unit (read from the datetime column) only says how inputs were read; the
    # cells — counts and weight sums per (segment, week) — are identical.
    assert json.loads(total.to_json())["cells"] == json.loads(one.to_json())["cells"]
    assert total.estimates() == one.estimates()
    again = pickle.loads(pickle.dumps(one))
    assert again == one and again.to_json() == one.to_json()
    assert len(total) == len(one.estimates()["n"]) and total.n == len(df)


def test_period_less_pickles_and_refuses_to_merge_with_a_period():
    g = metrics.GroupedScores("csat", csat_max=7, csat_top=3)
    g.push([7, 6, 1, 2], [0, 0, 1, 1])
    again = pickle.loads(pickle.dumps(g))
    assert again == g and again.period is None and "period_start" not in again.estimates()
    assert repr(again) == "GroupedScores(csat by segment, cells=2, n=4)"
    with pytest.raises(cem.IncompatibleError):
        again.merge(metrics.GroupedScores("csat", "day", csat_max=7, csat_top=3))
    with pytest.raises(cem.JsonError):
        metrics.GroupedScores.from_json("{")


def test_max_groups_bounds_push_merge_state_and_by():
    g = metrics.GroupedScores("nps", "month", max_groups=2)
    assert g.max_groups == 2 and metrics.GroupedScores().max_groups == 1_000_000
    g.push([10, 9], [0, 7], [0, 0])
    with pytest.raises(cem.LimitExceededError, match="limit of 2 groups: 3 groups"):
        g.push([1, 2], [0, 8], [0, 0])
    assert (len(g), g.n) == (2, 2)  # the refused push added nothing
    other = metrics.GroupedScores("nps", "month")
    other.push([3], [9], [0])
    with pytest.raises(cem.LimitExceededError):
        g.merge(other)
    assert g.n == 2
    # The limit travels with a pickle, and state is read under the limit given.
    again = pickle.loads(pickle.dumps(g))
    assert again == g and again.max_groups == 2
    big = metrics.GroupedScores("nps", "month")
    big.push([1, 2, 3], [0, 1, 2], [0, 0, 0])
    with pytest.raises(cem.LimitExceededError):
        metrics.GroupedScores.from_json(big.to_json(), max_groups=2)
    assert metrics.GroupedScores.from_json(big.to_json(), max_groups=3).n == 3
    df = pd.DataFrame({"score": [10, 9, 0], "segment": ["a", "b", "c"]})
    with pytest.raises(cem.LimitExceededError, match="3 groups"):
        metrics.by(df, max_groups=2)
    assert list(metrics.by(df, max_groups=3)["n"]) == [1, 1, 1]


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.parametrize("keys", [["region"], ["region", "channel"], ["channel"]])
def test_dask_equals_one_process_to_the_last_digit(rng, dask_client, keys):
    import dask.dataframe as dd

    import cem.dask

    df = frame(rng)
    ddf = dd.from_pandas(df, npartitions=7)
    out = cem.dask.by(ddf, by=keys, period="month")
    ref = metrics.by(df, by=keys, period="month")
    pd.testing.assert_frame_equal(out, ref, check_exact=True)
    # weights: the sums of weights add up in another order, so equal to rounding
    out = cem.dask.by(ddf, by=keys, weights="w", output="polars")
    ref = metrics.by(df, by=keys, weights="w", output="polars")
    assert out.select(keys + ["n"]).equals(ref.select(keys + ["n"]))
    np.testing.assert_allclose(out["value"].to_numpy(), ref["value"].to_numpy(), rtol=1e-12)


def test_dask_errors_name_the_column(rng, dask_client):
    import dask.dataframe as dd

    import cem.dask

    df = frame(rng, n=100)
    df.loc[42, "score"] = 11
    with pytest.raises(cem.OutOfRangeError, match="column `score`"):
        cem.dask.by(dd.from_pandas(df, npartitions=3), by="region")
    with pytest.raises(KeyError, match="no column `segment`"):
        cem.dask.by(dd.from_pandas(df, npartitions=3))


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("cem-tests")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_map_in_arrow_equals_one_process_to_the_last_digit(rng, spark):
    """Spark in local mode (~20 s with the session start-up)."""
    import cem.spark

    df = frame(rng)
    sdf = spark.createDataFrame(df).repartition(5)
    for keys in (["region"], ["region", "channel"]):
        out = cem.spark.by(sdf, by=keys, period="quarter")
        ref = metrics.by(df, by=keys, period="quarter")
        pd.testing.assert_frame_equal(out, ref, check_exact=True, check_dtype=False)
        assert out["value"].dtype == ref["value"].dtype
    with pytest.raises(KeyError, match="no column `segment`"):
        cem.spark.by(sdf)


def test_shared_partial_plumbing_checks_columns_and_integer_keys():
    from cem import _partials

    assert _partials.needed_columns(["s", "g", "t", "w"], "s", ["g", "s"], "month", "t", None) == ["s", "g", "t"]
    with pytest.raises(KeyError, match="no column `w`"):
        _partials.needed_columns(["s", "g"], "s", ["g"], None, "t", "w")
    assert _partials.integer_spec("g", "int64", (0, 9), "cast it").radix == 10
    assert _partials.integer_spec("g", "int64", (None, None), "cast it").radix == 0  # nulls only
    for bounds in [(-1, 3), (0, 2**32)]:
        with pytest.raises(ValueError, match=r"`g` must hold values in 0..2\*\*32; cast it"):
            _partials.integer_spec("g", "int64", bounds, "cast it")


def _old_pickle(module: str, state_json: str, period_less: bool) -> bytes:
    """A protocol-2 pickle as releases before ``max_groups`` wrote it, opcode by opcode:
    GLOBAL class, EMPTY_TUPLE, NEWOBJ, state ``(json, period_less)`` (BINUNICODE, NEWTRUE or
    NEWFALSE, TUPLE2), BUILD (which calls ``__setstate__``), STOP."""
    text = state_json.encode()
    return (
        b"\x80\x02"
        + b"c" + module.encode() + b"\nGroupedScores\n"
        + b")\x81"
        + b"X" + len(text).to_bytes(4, "little") + text
        + (b"\x88" if period_less else b"\x89")
        + b"\x86b."
    )


@pytest.mark.parametrize("period_less", [True, False])
def test_two_tuple_state_from_older_releases_still_loads(period_less):
    g = metrics.GroupedScores("nps", None if period_less else "week", max_groups=5)
    g.push([10, 9, 3], [0, 0, 1], *([] if period_less else [[0, 86_400 * 8, 0]]))
    # __setstate__ with the old (json, period_less) state: the default limit.
    old = metrics.GroupedScores.__new__(metrics.GroupedScores)
    old.__setstate__((g.to_json(), period_less))
    assert old.to_json() == g.to_json() and old.max_groups == 1_000_000
    assert (old.period is None) == period_less
    # The same through pickle.loads of bytes in the old layout.
    blob = _old_pickle(type(g).__module__, g.to_json(), period_less)
    again = pickle.loads(blob)
    assert again.to_json() == g.to_json() and again.max_groups == 1_000_000
    assert (again.period is None) == period_less and again.estimates() == g.estimates()
    # The current 3-tuple keeps its limit; other shapes are refused.
    assert pickle.loads(pickle.dumps(g)).max_groups == 5
    with pytest.raises(ValueError, match="length 3, but got tuple of length 1"):
        old.__setstate__((g.to_json(),))
