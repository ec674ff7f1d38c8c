"""cem.sample.retailer: the sample company as pandas, polars and pyarrow frames."""

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem.sample import Retailer, retailer

TABLES = ["touchpoints", "customers", "interactions", "feedback", "transactions", "cases"]
START = pd.Timestamp("2025-01-01", tz="UTC")
END = pd.Timestamp("2027-01-01", tz="UTC")


@pytest.fixture(scope="module")
def shop() -> Retailer:
    return retailer(seed=42, customers=300)


def test_tables_and_columns(shop):
    assert shop.name == "Northwind Home"
    assert list(shop.feedback.columns) == ["customer", "touchpoint", "time", "survey", "nps", "csat", "ces", "reason", "comment"]
    assert list(shop.cases.columns) == ["id", "customer", "opened", "closed", "status", "priority", "reason"]
    assert len(shop.customers) == 300 and shop.customers["id"].is_unique
    assert len(shop.touchpoints) == 17 and shop.touchpoints["channel"].nunique() == 8
    for table, col in [("interactions", "time"), ("feedback", "time"), ("transactions", "time"), ("cases", "opened"), ("customers", "signup")]:
        times = getattr(shop, table)[col]
        assert str(times.dtype) == "datetime64[us, UTC]"
        assert times.min() >= START and times.max() < END


def test_values_follow_the_documented_rules(shop):
    fb = shop.feedback
    assert str(fb["nps"].dtype) == "Int64"
    nps = fb["nps"].dropna()
    assert len(nps) == len(fb) and nps.between(0, 10).all()
    assert fb["csat"].dropna().between(1, 5).all() and fb["ces"].dropna().between(1, 7).all()
    with_reason = fb[fb["reason"].notna()]
    assert (with_reason["nps"] < 7).all() and set(with_reason["reason"]) <= {"wait", "price", "staff"}
    assert (shop.interactions.groupby("customer", sort=False)["time"].is_monotonic_increasing).all()
    assert set(shop.interactions["touchpoint"]) <= set(shop.touchpoints["id"])
    channels = dict(zip(shop.touchpoints["id"], shop.touchpoints["channel"]))
    assert (shop.interactions["channel"] == shop.interactions["touchpoint"].map(channels)).all()
    closed = shop.cases[shop.cases["status"] == "closed"]
    assert closed["closed"].notna().all() and (closed["closed"] >= closed["opened"]).all()
    assert shop.cases.loc[shop.cases["status"] != "closed", "closed"].isna().all()
    # the metrics take the columns as they are
    assert -100 <= cem.nps(nps).value <= 100


def test_planted_long_wait_effect(shop):
    # Planted effect 1, measured independently with pandas: detractors after long waits.
    big = retailer(42, 2000)
    calls = big.interactions[big.interactions["channel"] == "call_centre"][["customer", "touchpoint", "time", "value"]]
    fb = big.feedback[big.feedback["touchpoint"].isin(calls["touchpoint"].unique())]
    joined = pd.merge_asof(fb.sort_values("time"), calls.sort_values("time"), on="time", by=["customer", "touchpoint"])
    long = joined[joined["value"] > 600]["nps"].astype(float)
    short = joined[joined["value"] <= 600]["nps"].astype(float)

    def nps(x):
        return 100 * ((x >= 9).mean() - (x <= 6).mean())

    assert nps(long) < nps(short) - 30


def test_outputs_agree(shop):
    frames = {out: retailer(42, 300, output=out) for out in ["polars", "pyarrow", "dict"]}
    for table in TABLES:
        ref = getattr(shop, table)
        pol, arrow, plain = (getattr(frames[o], table) for o in ["polars", "pyarrow", "dict"])
        assert isinstance(pol, pl.DataFrame) and isinstance(arrow, pa.Table) and isinstance(plain, dict)
        assert pol.columns == list(ref.columns) == arrow.column_names == list(plain)
        assert pol.height == len(ref) == arrow.num_rows
        for col in ref.columns:
            if str(ref[col].dtype).startswith("datetime"):
                micros = ref[col].to_numpy(dtype="datetime64[us]", na_value=np.datetime64("NaT")).astype("int64")
                assert pol[col].dtype == pl.Datetime("us", "UTC")
                assert arrow.schema.field(col).type == pa.timestamp("us", tz="UTC")
                firsts = [v for v in plain[col] if v is not None][:1]
                if firsts:
                    expected = dt.datetime.fromtimestamp(firsts[0] / 1e6, tz=dt.timezone.utc)
                    assert pol[col].drop_nulls()[0] == expected
                    assert ref[col].dropna().iloc[0] == pd.Timestamp(expected)
                nulls = ref[col].isna().to_numpy()
                assert (pol[col].is_null().to_numpy() == nulls).all()
                assert (micros[~nulls] == np.array([v for v in plain[col] if v is not None])).all()
            else:
                assert pol[col].to_list() == arrow.column(col).to_pylist() == plain[col]


def test_deterministic_and_prefix_stable(shop):
    again = retailer(42, 300)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(again, table), getattr(shop, table))
    small = retailer(42, 100)
    first = set(small.customers["id"])
    pd.testing.assert_frame_equal(
        shop.feedback[shop.feedback["customer"].isin(first)].reset_index(drop=True), small.feedback
    )
    assert not retailer(43, 100).feedback.equals(small.feedback)


def test_bad_arguments():
    with pytest.raises(cem.InvalidArgumentError, match="customers"):
        retailer(1, 0)
    with pytest.raises(cem.InvalidArgumentError, match="output"):
        retailer(1, 10, output="excel")
    with pytest.raises(TypeError, match="`seed`"):
        retailer(-1, 10)
    with pytest.raises(TypeError, match="`seed`"):
        retailer(None, 10)
    with pytest.raises(TypeError, match="`customers`"):
        retailer(1, "many")
    with pytest.raises(TypeError, match="`customers`"):
        retailer(1, -5)
