"""cem.identity.profiles with CLV models: the summary columns against lifetimes' recorded
summary of the CDNOW sample (tests/data/loyalty/summary_cdnow_W.csv, lifetimes 0.11.3), and
P(alive), expected purchases and CLV against the cem.clv functions on that same summary."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cem
from cem import clv, identity

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    tx = pd.read_csv(DATA / "loyalty" / "cdnow_sample.csv")
    return pd.DataFrame(
        {
            "customer": tx["customer"].astype(str),
            "time": pd.to_datetime(tx["date"].astype(str), format="%Y%m%d"),
            "amount": tx["amount"],
        }
    )


@pytest.fixture(scope="module")
def models() -> tuple[clv.BetaGeo, clv.GammaGamma]:
    ref = json.loads((DATA / "clv" / "lifetimes_cdnow.json").read_text())
    return clv.BetaGeo.from_params(**ref["bg_nbd"]["params"]), clv.GammaGamma.from_params(**ref["gamma_gamma"]["params"])


def test_values_follow_lifetimes_summary_and_the_clv_models(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, gg = models
    records = pd.DataFrame({"crm_id": sorted(cdnow["customer"].unique())})
    r = identity.resolve(records)
    p = identity.profiles(
        r, on="crm_id", transactions=cdnow, transactions_model=bg, spend_model=gg,
        freq="W", observation_end="1998-06-30",
    )
    lt = pd.read_csv(DATA / "loyalty" / "summary_cdnow_W.csv")  # lifetimes' own summary
    owner = dict(zip(r.records["crm_id"], r.records["customer"]))
    got = p.set_index("customer").loc[[owner[str(c)] for c in lt["customer"]]]
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[col].to_numpy(), lt[col].to_numpy().astype(float))
    f, rec, T, m = (lt[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "monetary_value"))
    np.testing.assert_allclose(got["p_alive"], bg.p_alive(f, rec, T), rtol=1e-12)
    np.testing.assert_allclose(got["expected_purchases"], bg.predict(12 * 4.345, f, rec, T), rtol=1e-12)
    want = clv.lifetime_value(bg, gg, f, rec, T, m, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(got["clv"], want, rtol=1e-12)
    assert (got["clv"] >= 0).all() and got["p_alive"].between(0, 1).all()


def test_merged_customers_are_summarized_together(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, gg = models
    ids = sorted(cdnow["customer"].unique())[:6]
    # crm ids 0 and 1 share an e-mail: one customer; the last record buys nothing.
    records = pd.DataFrame({"crm_id": [*ids, "none"], "email": ["a@x", "A@x", None, None, None, None, None]})
    r = identity.resolve(records)
    tx = cdnow[cdnow["customer"].isin(ids)]
    p = identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, freq="W", time=6, observation_end="1998-06-30")
    assert "clv" not in p.columns
    assert p["p_alive"].isna().tolist() == [False] * 5 + [True]
    merged = tx.assign(customer=tx["customer"].replace({ids[1]: ids[0]}))
    s = cem.loyalty.summary(merged, "customer", "time", "amount", observation_end="1998-06-30", freq="W")
    first = s[s["customer"] == ids[0]].iloc[0]
    assert (p.loc[0, "frequency"], p.loc[0, "recency"], p.loc[0, "T"]) == (first["frequency"], first["recency"], first["T"])
    assert p.loc[0, "p_alive"] == pytest.approx(bg.p_alive(first["frequency"], first["recency"], first["T"]), rel=1e-12)
    assert p.loc[0, "expected_purchases"] == pytest.approx(bg.predict(6 * 4.345, first["frequency"], first["recency"], first["T"]), rel=1e-12)


def test_models_need_their_inputs(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, gg = models
    r = identity.resolve(pd.DataFrame({"crm_id": ["4"]}))
    tx = cdnow[cdnow["customer"] == "4"]
    with pytest.raises(cem.InvalidArgumentError, match="spend_model"):
        identity.profiles(r, on="crm_id", transactions=tx, spend_model=gg)
    with pytest.raises(cem.InvalidArgumentError, match="transactions"):
        identity.profiles(r, on="crm_id", transactions_model=bg)
    with pytest.raises(cem.InvalidArgumentError, match="freq"):
        identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, freq="H")


def test_pareto_daily_values_follow_lifetimes_daily_summary(cdnow: pd.DataFrame) -> None:
    # The unit comes from freq alone: days for the summary, the horizon and the CLV.
    ref = json.loads((DATA / "clv" / "lifetimes_cdnow.json").read_text())
    pn, gg = clv.ParetoNBD.from_params(**ref["pareto_nbd"]["params"]), clv.GammaGamma.from_params(**ref["gamma_gamma"]["params"])
    records = pd.DataFrame({"crm_id": sorted(cdnow["customer"].unique())})
    r = identity.resolve(records)
    p = identity.profiles(
        r, on="crm_id", transactions=cdnow, transactions_model=pn, spend_model=gg,
        time=6, discount_rate=0.05, freq="D", observation_end="1998-06-30",
    )
    lt = pd.read_csv(DATA / "loyalty" / "summary_cdnow_D.csv")  # lifetimes' own summary
    owner = dict(zip(r.records["crm_id"], r.records["customer"]))
    got = p.set_index("customer").loc[[owner[str(c)] for c in lt["customer"]]]
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[col].to_numpy(), lt[col].to_numpy().astype(float))
    f, rec, T, m = (lt[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "monetary_value"))
    np.testing.assert_allclose(got["p_alive"], pn.p_alive(f, rec, T), rtol=1e-12)
    np.testing.assert_allclose(got["expected_purchases"], pn.predict(6 * 30, f, rec, T), rtol=1e-12)
    want = clv.lifetime_value(pn, gg, f, rec, T, m, time=6, discount_rate=0.05, freq="D")
    np.testing.assert_allclose(got["clv"], want, rtol=1e-12)


def test_monthly_values_use_months(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, gg = models
    ids = sorted(cdnow["customer"].unique())[:50]
    r = identity.resolve(pd.DataFrame({"crm_id": ids}))
    tx = cdnow[cdnow["customer"].isin(ids)]
    p = identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, spend_model=gg, freq="M", observation_end="1998-06-30")
    s = cem.loyalty.summary(tx, "customer", "time", "amount", observation_end="1998-06-30", freq="M").set_index("customer").loc[ids]
    f, rec, T, m = (s[c].to_numpy(dtype=float) for c in ("frequency", "recency", "T", "monetary_value"))
    np.testing.assert_array_equal(p["T"].to_numpy(), T)
    np.testing.assert_allclose(p["expected_purchases"], bg.predict(12, f, rec, T), rtol=1e-12)
    np.testing.assert_allclose(p["clv"], clv.lifetime_value(bg, gg, f, rec, T, m, freq="M"), rtol=1e-12)


def test_observation_end_defaults_to_the_last_transaction(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, _ = models
    ids = sorted(cdnow["customer"].unique())[:20]
    r = identity.resolve(pd.DataFrame({"crm_id": ids}))
    tx = cdnow[cdnow["customer"].isin(ids)]
    default = identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, freq="W")
    given = identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, freq="W", observation_end=tx["time"].max().to_pydatetime())
    pd.testing.assert_frame_equal(default, given)
    assert default["recency"].max() <= default["T"].max()


def test_models_must_be_cem_models(cdnow: pd.DataFrame, models) -> None:  # type: ignore[no-untyped-def]
    bg, gg = models
    r = identity.resolve(pd.DataFrame({"crm_id": ["4"]}))
    tx = cdnow[cdnow["customer"] == "4"]
    with pytest.raises(TypeError, match="transactions_model"):
        identity.profiles(r, on="crm_id", transactions=tx, transactions_model=gg)
    with pytest.raises(TypeError, match="spend_model"):
        identity.profiles(r, on="crm_id", transactions=tx, transactions_model=bg, spend_model=bg)
    with pytest.raises(cem.InvalidArgumentError, match="not fitted"):
        identity.profiles(r, on="crm_id", transactions=tx, transactions_model=clv.BetaGeo())
