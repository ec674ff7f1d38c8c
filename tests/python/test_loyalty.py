"""cem.loyalty against lifetimes and lifelines.

The references cannot run in the test venv: lifelines 0.30.3 requires pandas < 3 and
lifetimes 0.11.3 breaks on pandas >= 3, while the venv has pandas 3 (installing either would
downgrade pandas for every other test). So the expected values are the ones
``tests/reference/loyalty_reference.py`` recorded in ``tests/data/loyalty`` with lifelines
0.30.3, lifetimes 0.11.3, pandas 2.3.3 and numpy 2.4.6 (see the README there): lifetimes'
``summary_data_from_transaction_data`` on its CDNOW sample, lifelines'
``KaplanMeierFitter``, ``logrank_test`` and ``multivariate_logrank_test`` on ``waltons`` and
``dd``. Churn, cohorts and RFM have no reference package; they are checked against plain
pandas computations of the documented definitions.
"""

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem import loyalty

DATA = Path(__file__).resolve().parents[1] / "data" / "loyalty"
EXPECTED = json.loads((DATA / "expected.json").read_text())


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    tx = pd.read_csv(DATA / "cdnow_sample.csv", dtype={"date": str})
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return tx


@pytest.fixture(scope="module")
def waltons() -> pd.DataFrame:
    return pd.read_csv(DATA / "waltons.csv")


def as_kind(frame: pd.DataFrame, kind: str):
    if kind == "polars":
        return pl.from_pandas(frame)
    if kind == "pyarrow":
        return pa.Table.from_pandas(frame, preserve_index=False)
    return frame


def to_pandas(result) -> pd.DataFrame:
    if isinstance(result, pl.DataFrame):
        return result.to_pandas()
    if isinstance(result, pa.Table):
        return result.to_pandas()
    return result


# ---------------------------------------------------------------------- summary


@pytest.mark.parametrize("freq", ["D", "W"])
@pytest.mark.parametrize("kind", ["pandas", "polars", "pyarrow"])
def test_summary_matches_lifetimes_on_cdnow(cdnow, freq, kind):
    want = pd.read_csv(DATA / f"summary_cdnow_{freq}.csv")
    got = loyalty.summary(as_kind(cdnow, kind), "customer", "date", "amount", observation_end="1998-06-30", freq=freq)
    assert type(got).__module__.split(".")[0] == kind
    got = to_pandas(got)
    assert list(got.columns) == ["customer", "frequency", "recency", "T", "monetary_value"]
    assert len(got) == EXPECTED["summary"][freq]["customers"] == len(want)
    np.testing.assert_array_equal(got["customer"].to_numpy(), want["customer"].to_numpy())
    for col in ("frequency", "recency", "T"):
        np.testing.assert_array_equal(got[col].to_numpy(), want[col].to_numpy(), err_msg=col)
    np.testing.assert_allclose(got["monetary_value"], want["monetary_value"], rtol=1e-12, atol=0)


def test_summary_string_ids_keep_labels_and_details(cdnow):
    tx = cdnow.assign(customer="c" + cdnow["customer"].astype(str))
    got = loyalty.summary(tx, "customer", "date", "amount", observation_end="1998-06-30", details=True)
    want = pd.read_csv(DATA / "summary_cdnow_D.csv")
    want["customer"] = "c" + want["customer"].astype(str)
    merged = got.merge(want, on="customer", suffixes=("", "_want"))
    assert len(merged) == len(want)
    np.testing.assert_array_equal(merged["frequency"], merged["frequency_want"])
    np.testing.assert_array_equal(merged["T"], merged["T_want"])
    # details: total spend and rows per customer, checked against pandas
    by = tx.groupby("customer").agg(total=("amount", "sum"), rows=("amount", "size"), first=("date", "min"))
    merged = got.merge(by, left_on="customer", right_index=True)
    np.testing.assert_allclose(merged["total_spend"], merged["total"], rtol=1e-12)
    np.testing.assert_array_equal(merged["transactions"], merged["rows"])
    np.testing.assert_array_equal(
        merged["first_purchase"].dt.tz_localize(None).to_numpy(), merged["first"].to_numpy()
    )


def test_summary_months_follow_calendar_months(cdnow):
    # lifetimes 0.11.3 refuses freq="M" with pandas >= 2; the definition is the one of D and
    # W with calendar months, computed here with pandas periods.
    got = loyalty.summary(cdnow, "customer", "date", "amount", observation_end="1998-06-30", freq="M")
    month = cdnow["date"].dt.year * 12 + cdnow["date"].dt.month
    end = 1998 * 12 + 6
    per = cdnow.assign(m=month).groupby(["customer", "m"])["amount"].sum().reset_index()
    g = per.groupby("customer")
    want = pd.DataFrame(
        {
            "frequency": g.size() - 1,
            "recency": g["m"].max() - g["m"].min(),
            "T": end - g["m"].min(),
        }
    )
    first = g["m"].transform("min")
    repeat = per[per["m"] != first].groupby("customer")["amount"].mean()
    want["monetary_value"] = repeat.reindex(want.index).fillna(0.0)
    got = got.set_index("customer")
    for col in want.columns:
        np.testing.assert_allclose(got[col].to_numpy(), want[col].to_numpy(), rtol=1e-12, err_msg=col)


def test_summary_default_end_is_last_transaction_and_integer_times():
    day = 86_400
    tx = {"customer_id": [7, 7, 3], "timestamp": [0, 3 * day, day], "amount": [10.0, 4.0, 99.0]}
    got = loyalty.summary(tx, amount="amount")
    assert got == {
        "customer_id": [3, 7],
        "frequency": [0.0, 1.0],
        "recency": [0.0, 3.0],
        "T": [2.0, 3.0],
        "monetary_value": [0.0, 4.0],
    }
    ms = loyalty.summary({"customer_id": [7, 7], "timestamp": [0, 3 * day * 1000]}, time_unit="ms")
    assert ms["recency"] == [3.0]


def test_summary_bad_input():
    day = 86_400
    with pytest.raises(cem.OutOfRangeError, match="column `timestamp`"):
        loyalty.summary({"customer_id": [1, 1], "timestamp": [0, 9 * day]}, observation_end=5 * day)
    with pytest.raises(cem.InvalidNumberError, match="column `amount`"):
        loyalty.summary({"customer_id": [1], "timestamp": [0], "amount": [float("nan")]}, amount="amount")
    with pytest.raises(cem.InvalidNumberError, match="null"):
        loyalty.summary(pd.DataFrame({"customer_id": ["a", None], "timestamp": [0, 1]}))
    with pytest.raises(KeyError, match="no column `when`"):
        loyalty.summary({"customer_id": [1], "timestamp": [0]}, time="when")
    with pytest.raises(cem.InvalidArgumentError, match="freq"):
        loyalty.summary({"customer_id": [1], "timestamp": [0]}, freq="Q")


def test_repeat_purchase_rate_matches_lifetimes_summary(cdnow):
    want = pd.read_csv(DATA / "summary_cdnow_D.csv")
    share = (want["frequency"] > 0).mean()
    e = loyalty.repeat_purchase_rate(cdnow, "customer", "date", observation_end="1998-06-30")
    assert e.value == pytest.approx(share, rel=1e-12)
    assert e.n == len(want) and e.low < e.value < e.high
    from_summary = loyalty.repeat_purchase_rate(want)
    assert from_summary.value == e.value and from_summary.low == e.low


# ---------------------------------------------------------------------- churn and cohorts


def pandas_churn(tx: pd.DataFrame, end: pd.Timestamp, window: pd.Timedelta) -> pd.Series:
    last = tx[tx["date"] <= end].groupby("customer")["date"].max()
    return last <= end - window


def test_churn_overall_by_segment_and_over_time(cdnow):
    end = pd.Timestamp("1998-06-30")
    window = pd.Timedelta(days=90)
    churned = pandas_churn(cdnow, end, window)
    e = loyalty.churn(cdnow, "customer", "date", inactive="90d", observation_end="1998-06-30T00:00:00")
    assert (e.value, e.n) == (pytest.approx(churned.mean(), rel=1e-12), len(churned))

    tx = cdnow.assign(segment=np.where(cdnow["customer"] % 3 == 0, "odd", "even"))
    by = loyalty.churn(tx, "customer", "date", inactive=90 * 86400, observation_end=end.to_pydatetime(), by="segment")
    seg = tx.groupby("customer")["segment"].first()
    want = churned.groupby(seg).agg(["sum", "size"])
    assert by["segment"].tolist() == sorted(want.index)
    np.testing.assert_array_equal(by["churned"], want.loc[by["segment"], "sum"])
    np.testing.assert_array_equal(by["customers"], want.loc[by["segment"], "size"])
    assert ((by["low"] <= by["churn"]) & (by["churn"] <= by["high"])).all()

    over = loyalty.churn(cdnow, "customer", "date", inactive="90d", observation_end="1998-06-30T00:00:00", over="M")
    assert len(over) == 18  # 1997-01 .. 1998-06
    for _, row in over.iloc[[0, 5, 11, 17]].iterrows():
        at = row["at"].tz_localize(None)
        c = pandas_churn(cdnow, at, window)
        assert (row["churned"], row["customers"]) == (c.sum(), len(c))


def test_churn_bad_input(cdnow):
    with pytest.raises(cem.InvalidArgumentError, match="inactive"):
        loyalty.churn(cdnow, "customer", "date", inactive="-3d")
    with pytest.raises(cem.InvalidArgumentError, match="more than one segment"):
        loyalty.churn(cdnow.assign(s=np.arange(len(cdnow)) % 2), "customer", "date", by="s")
    with pytest.raises(cem.InvalidArgumentError, match="not both"):
        loyalty.churn(cdnow, "customer", "date", by="cds", over="M")


def test_retention_cohorts_match_pandas(cdnow):
    r = loyalty.retention_cohorts(cdnow, "customer", "date", observation_end="1998-06-30")
    month = cdnow["date"].dt.year * 12 + cdnow["date"].dt.month - 1
    first = month.groupby(cdnow["customer"]).transform("min")
    active = (
        cdnow.assign(cohort=first, k=month - first)
        .drop_duplicates(["customer", "k"])
        .groupby(["cohort", "k"])
        .size()
    )
    size = cdnow.assign(cohort=first).groupby("cohort")["customer"].nunique()
    t = r.table
    assert t["cohort"].dt.month.tolist()[0] == 1 and (t["period"] >= 0).all()
    got = t.assign(cohort=t["cohort"].dt.year * 12 + t["cohort"].dt.month - 1).set_index(["cohort", "period"])
    want_active = active.reindex(got.index, fill_value=0)
    np.testing.assert_array_equal(got["active"].to_numpy(), want_active.to_numpy())
    np.testing.assert_array_equal(got["size"].to_numpy(), size.loc[got.index.get_level_values(0)].to_numpy())
    np.testing.assert_allclose(got["retained"], got["active"] / got["size"], rtol=1e-15)
    # cohorts acquired in 1997-01 .. 1997-03 (CDNOW's acquisition window), 18, 17, 16 months
    assert t.groupby("cohort").size().tolist() == [18, 17, 16]
    assert r.svg.startswith("<svg") and r._repr_svg_() == r.svg and "%" in r.svg


def test_rfm_scores_follow_the_documented_rule(cdnow):
    got = loyalty.rfm(cdnow, "customer", "date", "amount", observation_end="1998-06-30")
    s = loyalty.summary(cdnow, "customer", "date", "amount", observation_end="1998-06-30", details=True)
    assert got["customer"].tolist() == s["customer"].tolist()

    def quintile(values: np.ndarray) -> np.ndarray:  # 1 + floor(5 k / n), k = strictly worse
        worse = np.searchsorted(np.sort(values), values, side="left")
        return 1 + (5 * worse) // len(values)

    np.testing.assert_array_equal(got["recency_score"], quintile(-(s["T"] - s["recency"]).to_numpy()))
    np.testing.assert_array_equal(got["frequency_score"], quintile(s["frequency"].to_numpy()))
    np.testing.assert_array_equal(got["monetary_score"], quintile(s["total_spend"].to_numpy()))
    r, f, m = got["recency_score"], got["frequency_score"], got["monetary_score"]
    assert (got["rfm"] == r.astype(str) + f.astype(str) + m.astype(str)).all()
    assert isinstance(got["segment"].dtype, pd.CategoricalDtype)
    seg = got["segment"].astype(str)
    assert (seg[(r >= 4) & (f >= 4)] == "champions").all()
    assert (seg[(r == 1) & (f <= 2)] == "lost").all()
    assert (seg[(r <= 2) & (f >= 4) & (m >= 4)] == "cant_lose").all()
    assert set(seg) <= {"champions", "loyal", "potential_loyalist", "new", "at_risk", "cant_lose", "hibernating", "lost"}
    with pytest.raises(KeyError):
        loyalty.rfm(cdnow.drop(columns="amount"), "customer", "date")


# ---------------------------------------------------------------------- survival


KM_CASES = {
    "waltons_all": lambda w: (w["T"], w["E"], None),
    "waltons_control": lambda w: (w.loc[w.group == "control", "T"], w.loc[w.group == "control", "E"], None),
    "waltons_mir137": lambda w: (w.loc[w.group == "miR-137", "T"], w.loc[w.group == "miR-137", "E"], None),
    "waltons_weighted": lambda w: (w["T"], w["E"], (np.arange(len(w)) % 3 + 1).astype(float)),
}


@pytest.mark.parametrize("case", list(KM_CASES))
def test_kaplan_meier_matches_lifelines(waltons, case):
    durations, events, weights = KM_CASES[case](waltons)
    km = loyalty.KaplanMeier().fit(durations, events.astype(bool), weights)
    want = pd.read_csv(DATA / f"km_{case}.csv")
    got = km.survival_table()
    assert len(got) == len(want) == EXPECTED["km"][case]["rows"]
    for col in want.columns:
        np.testing.assert_allclose(got[col], want[col], rtol=1e-12, atol=1e-15, err_msg=col)
    assert km.median == EXPECTED["km"][case]["median"]
    for t, s in EXPECTED["km"][case]["survival_at"].items():
        assert km.survival_at(float(t)) == pytest.approx(s, rel=1e-12, abs=1e-15)
    probes = [float(t) for t in EXPECTED["km"][case]["survival_at"]]
    np.testing.assert_allclose(km.survival_at(np.array(probes)), list(EXPECTED["km"][case]["survival_at"].values()), rtol=1e-12)


def test_kaplan_meier_inputs_pickling_and_pictures(waltons):
    d, e = waltons["T"], waltons["E"]
    a = loyalty.KaplanMeier(label="all").fit(d.to_numpy(), e.to_numpy())
    b = loyalty.KaplanMeier().fit(pl.Series(d), pl.Series(e.astype(bool)))
    c = loyalty.KaplanMeier().fit(pa.array(d), e.tolist())
    for other in (b, c):
        pd.testing.assert_frame_equal(other.survival_table(), a.survival_table())
    back = pickle.loads(pickle.dumps(a))
    pd.testing.assert_frame_equal(back.survival_table(), a.survival_table())
    assert back.median == a.median and back.label == "all"
    assert loyalty.KaplanMeier().fit([1, 2], [False, False]).median is None
    assert a.svg.startswith("<svg") and a._repr_svg_() == a.svg
    svg = loyalty.survival_svg({"control": b, "miR-137 <x>": c}, title="Flies")
    assert "miR-137 &lt;x&gt;" in svg and "Flies" in svg
    assert isinstance(a.survival_table("polars"), pl.DataFrame)


def test_kaplan_meier_bad_input():
    km = loyalty.KaplanMeier()
    with pytest.raises(cem.InvalidArgumentError, match="not fitted"):
        _ = km.median
    with pytest.raises(cem.InvalidNumberError):
        km.fit([1.0, -2.0])
    with pytest.raises(cem.InvalidNumberError):
        km.fit([1.0, float("nan")])
    with pytest.raises(cem.InvalidNumberError, match="event flag"):
        km.fit([1.0, 2.0], [1, 2])
    with pytest.raises(cem.EmptyError):
        km.fit([])
    with pytest.raises(cem.LengthMismatchError):
        km.fit([1.0, 2.0], [True])
    with pytest.raises(cem.InvalidNumberError):
        km.fit([1.0, 2.0], None, [1.0, -1.0])
    with pytest.raises(cem.OutOfRangeError):
        loyalty.KaplanMeier(confidence=1.5).fit([1.0])


def test_logrank_matches_lifelines(waltons):
    a, b = waltons[waltons.group == "control"], waltons[waltons.group == "miR-137"]
    two = loyalty.logrank(a["T"], events=a["E"], durations_b=b["T"], events_b=b["E"])
    want = EXPECTED["logrank_waltons"]
    assert two.df == want["df"] and two.groups == ["a", "b"]
    assert two.statistic == pytest.approx(want["statistic"], rel=1e-10)
    assert two.p_value == pytest.approx(want["p_value"], rel=1e-8)
    assert sum(two.observed) == pytest.approx(sum(two.expected), rel=1e-12)

    k = loyalty.logrank(waltons["T"], waltons["group"], waltons["E"])
    want = EXPECTED["multivariate_waltons"]
    assert k.groups == ["control", "miR-137"]
    assert k.statistic == pytest.approx(want["statistic"], rel=1e-10)
    assert k.p_value == pytest.approx(want["p_value"], rel=1e-8)

    dd = pd.read_csv(DATA / "dd.csv")
    r = loyalty.logrank(dd["duration"], dd["regime"], dd["observed"])
    want = EXPECTED["multivariate_dd_regime"]
    assert (r.df, r.groups) == (want["df"], want["groups"])
    assert r.statistic == pytest.approx(want["statistic"], rel=1e-10)
    assert r.p_value == pytest.approx(want["p_value"], rel=1e-8)


def test_logrank_bad_input():
    with pytest.raises(cem.InvalidArgumentError, match="at least 2 groups"):
        loyalty.logrank([1.0, 2.0], ["x", "x"])
    with pytest.raises(cem.InvalidArgumentError, match="groups"):
        loyalty.logrank([1.0, 2.0])
    with pytest.raises(cem.LengthMismatchError):
        loyalty.logrank([1.0, 2.0, 3.0], ["x", "y"])
    with pytest.raises(cem.InvalidNumberError):
        loyalty.logrank([1.0, -2.0], durations_b=[3.0])
    with pytest.raises(cem.UndefinedError):
        loyalty.logrank([1.0, 2.0], ["x", "y"], [False, False])
