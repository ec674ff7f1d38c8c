"""Accumulators: pickling through serde JSON, merges equal one pass, inputs of every kind."""

import copy
import json
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem import metrics

KINDS = [
    (metrics.Nps, lambda rng, n: rng.integers(0, 11, n)),
    (lambda: metrics.Csat(max=7, top=3), lambda rng, n: rng.integers(1, 8, n)),
    (lambda: metrics.Ces("legacy_effort5"), lambda rng, n: rng.integers(1, 6, n)),
    (metrics.NetSatisfaction, lambda rng, n: rng.integers(1, 6, n)),
    (metrics.Mean, lambda rng, n: rng.normal(50, 10, n)),
    (metrics.Proportion, lambda rng, n: rng.random(n) < 0.4),
]
IDS = ["nps", "csat", "ces", "net_satisfaction", "mean", "proportion"]


@pytest.mark.parametrize(("make", "draw"), KINDS, ids=IDS)
def test_pickle_round_trip(rng, make, draw):
    acc = make()
    acc.push_many(draw(rng, 40), rng.uniform(0.5, 2.0, 40))
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(acc, protocol=protocol))
        assert type(again) is type(acc)
        assert again == acc
        assert again.to_json() == acc.to_json()
        assert again.estimate() == acc.estimate()
    assert copy.deepcopy(acc) == acc
    assert type(acc).from_json(acc.to_json()) == acc
    json.loads(acc.to_json())  # plain JSON


@pytest.mark.parametrize(("make", "draw"), KINDS, ids=IDS)
def test_merge_of_unpickled_partials_equals_one_pass(rng, make, draw):
    data = draw(rng, 1_000)
    one_pass = make()
    one_pass.push_many(data)
    parts = np.array_split(data, 7)
    partials = []
    for part in parts:
        acc = make()
        acc.push_many(part)
        partials.append(pickle.dumps(acc))  # as a Dask/Spark worker would ship it
    total = make()
    for blob in partials:
        total.merge(pickle.loads(blob))
    assert total.n == one_pass.n == 1_000
    a, b = total.estimate(), one_pass.estimate()
    for field in ["value", "low", "high", "se", "n_eff"]:
        assert getattr(a, field) == pytest.approx(getattr(b, field), rel=1e-12), field
    if not isinstance(one_pass, metrics.Mean):  # histogram accumulators merge bit-exactly
        assert total == one_pass


def test_push_one_by_one_equals_push_many(rng):
    scores = rng.integers(0, 11, 300)
    a, b = metrics.Nps(), metrics.Nps()
    for s in scores:
        a.push(s)
    b.push_many(scores)
    assert a == b and a.to_json() == b.to_json()


def test_merge_with_itself_doubles():
    acc = metrics.Nps()
    acc.push_many([10, 3])
    acc.merge(acc)
    assert acc.n == 4


def test_json_is_the_core_serde_form():
    acc = metrics.Nps()
    acc.push_many([10, 0])
    ones = [1.0] + [0.0] * 9 + [1.0]
    assert json.loads(acc.to_json()) == {
        "v": 1,
        "counts": {"min": 0, "max": 10, "count": [1] + [0] * 9 + [1], "weight": ones, "weight_sq": ones}
    }


def test_column_types(rng):
    scores = rng.integers(0, 11, 200)
    expected = cem.nps(scores.tolist())
    for column in [
        scores,
        scores.astype(np.uint8),
        scores.astype(np.float64),
        tuple(scores.tolist()),
        pd.Series(scores),
        pl.Series(scores),
        pa.array(scores),
        (int(s) for s in scores),
    ]:
        assert cem.nps(column) == expected, type(column)
    outcomes = rng.random(50) < 0.5
    assert cem.proportion(outcomes) == cem.proportion(outcomes.astype(int).tolist()) == cem.proportion(pd.Series(outcomes))


def test_estimate_surface():
    e = cem.nps([10, 9, 8, 3])
    assert repr(e).startswith("Estimate(value=25.0, ")
    assert str(e) == "25.00 [-44.16, 72.73] (n=4, 95% adjusted-wald)"
    assert "<table" in e._repr_html_()
    d = e.to_dict()
    assert d["value"] == 25.0 and d["promoters"] == 0.5 and d["method"] == "adjusted-wald"
    assert pickle.loads(pickle.dumps(e)) == e
    assert cem.csat([5, 1]).promoters is None
    assert pd.DataFrame([cem.csat([5, 4, 1]).to_dict(), cem.csat([5, 5, 1]).to_dict()]).shape == (2, 8)
    with pytest.raises(AttributeError):
        e.value = 3.0  # frozen


def test_dask_map_partitions_then_merge(rng):
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.DataFrame({"score": rng.integers(0, 11, 2_000), "w": rng.uniform(0.5, 1.5, 2_000)})
    ddf = dd.from_pandas(frame, npartitions=4)

    def partial(part: pd.DataFrame) -> pd.Series:
        acc = metrics.Nps()
        acc.push_many(part["score"].to_numpy(), part["w"].to_numpy())
        return pd.Series([acc.to_json()])

    blobs = ddf.map_partitions(partial, meta=(None, "object")).compute(scheduler="sync")
    total = metrics.Nps()
    for blob in blobs:
        total.merge(metrics.Nps.from_json(blob))
    expected = cem.nps(frame["score"], frame["w"])
    assert total.estimate().value == pytest.approx(expected.value, rel=1e-12)
    assert total.estimate().n_eff == pytest.approx(expected.n_eff, rel=1e-12)
