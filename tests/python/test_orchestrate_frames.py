"""cem.survey on pandas, polars and pyarrow frames alike: the same decisions and numbers
(Wilson intervals against statsmodels, periods against pandas' ``to_period``, standardized
differences against numpy) whatever the frame library, results in the caller's library,
clear errors for missing columns, wrong dtypes and nulls, and no pandas for polars/pyarrow
input."""

import json
import sys

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from statsmodels.stats.proportion import proportion_confint

import cem
from cem.survey import Orchestrator, Survey, dropoff, nonresponse, response_rates, simulate

from test_orchestrate import RULES, log, smd_numeric, smd_share

KINDS = ["pandas", "polars", "pyarrow"]
TYPES = {"pandas": pd.DataFrame, "polars": pl.DataFrame, "pyarrow": pa.Table}


def to(kind, df):
    """The pandas frame ``df`` in another library (missing values as nulls)."""
    if kind == "pandas":
        return df
    table = pa.Table.from_pandas(df, preserve_index=False)
    return table if kind == "pyarrow" else pl.from_arrow(table)


def as_pandas(frame):
    if isinstance(frame, pd.DataFrame):
        return frame
    if isinstance(frame, pl.DataFrame):
        frame = frame.to_arrow()
    return frame.to_pandas()


def column(frame, name):
    return as_pandas(frame)[name].tolist()


@pytest.mark.parametrize("kind", KINDS)
def test_orchestrator_decides_the_same_on_every_library(kind):
    df = log(800)
    ref = Orchestrator(RULES).feed(df.to_dict("list"))  # a dict of columns: pandas out
    got = Orchestrator(RULES).feed(to(kind, df))
    assert isinstance(got, TYPES[kind])
    for name in ("row", "customer_id", "timestamp", "trigger", "survey", "reason", "winner"):
        assert [None if pd.isna(x) else str(x) for x in column(got, name)] == [
            None if pd.isna(x) else str(x) for x in ref[name].tolist()
        ], name
    for name in ("send_at", "until"):
        assert [None if pd.isna(x) else int(x) for x in column(got, name)] == [
            None if pd.isna(x) else int(x) for x in ref[name].tolist()
        ], name
    # The decisions agree with the frame's own view of the guards: excluded rows never invited.
    g = as_pandas(got)
    inv = g[g["reason"].astype(str) == "invited"]["row"].to_numpy()
    assert not (df["do_not_contact"] | df["open_complaint"] | (df["segment"] == "staff")).to_numpy()[inv].any()


@pytest.mark.parametrize("kind", KINDS)
def test_datetimes_come_back_in_their_zone(kind):
    when = pd.to_datetime(["2026-01-01 10:00", "2026-01-02 09:30"]).tz_localize("Europe/Paris").as_unit("us")
    df = pd.DataFrame({"customer_id": [1, 2], "timestamp": when, "touchpoint": ["call", "web"]})
    d = as_pandas(Orchestrator({"triggers": [{"id": "t", "survey": "s", "delay": "1h"}]}).feed(to(kind, df)))
    assert str(d["send_at"].dt.tz) == "Europe/Paris"
    assert d["send_at"].tolist() == [t + pd.Timedelta(hours=1) for t in when]
    assert d["until"].isna().all()


@pytest.mark.parametrize("kind", KINDS)
def test_simulation_is_the_same_on_every_library(kind):
    df = log()
    ref = simulate(df, RULES, response_rate=0.3)
    sim = simulate(to(kind, df), RULES, response_rate=0.3)
    assert isinstance(sim.triggers, TYPES[kind]) and isinstance(sim.contacts, TYPES[kind])
    pd.testing.assert_frame_equal(as_pandas(sim.triggers), ref.triggers, check_dtype=False)
    pd.testing.assert_frame_equal(as_pandas(sim.contacts), ref.contacts, check_dtype=False)
    assert (sim.invitations, sim.expected_responses) == (ref.invitations, ref.expected_responses)
    # Against the decisions themselves.
    d = Orchestrator(RULES).feed(df)
    assert sim.invitations == int((d["reason"] == "invited").sum())


def invitations(seed=11):
    rng = np.random.default_rng(seed)
    parts = []
    for g, (n, p) in enumerate([(1, 0.5), (1, 1.0), (7, 0.0), (12, 1.0), (40, 0.3), (333, 0.17), (1000, 0.52)]):
        responded = rng.random(n) < p
        invited = rng.integers(0, 10**6, n)
        delay = rng.integers(0, 3 * 86400, n)
        parts.append(pd.DataFrame({
            "channel": rng.choice(["email", "sms"], n),
            "survey": f"s{g:02d}",
            "invited_at": invited,
            "responded_at": pd.array(np.where(responded, invited + delay, 0), dtype="Int64"),
        }).assign(responded_at=lambda f, r=responded: f["responded_at"].where(r)))
    return pd.concat(parts, ignore_index=True)


@pytest.mark.parametrize("kind", KINDS)
def test_response_rates_match_statsmodels_on_every_library(kind):
    df = invitations()
    r = response_rates(to(kind, df), ["survey", "channel"], confidence=0.9)
    assert isinstance(r, TYPES[kind])
    r = as_pandas(r)
    expected = sorted(set(zip(df["survey"], df["channel"])))
    assert list(zip(r["survey"], r["channel"])) == expected  # sorted by the labels
    for _, row in r.iterrows():
        mine = df[(df["survey"] == row["survey"]) & (df["channel"] == row["channel"])]
        k = int(mine["responded_at"].notna().sum())
        low, high = proportion_confint(k, len(mine), alpha=0.1, method="wilson")
        assert (row["invited"], row["responded"]) == (len(mine), k)
        assert abs(row["low"] - low) < 1e-12 and abs(row["high"] - high) < 1e-12
        if k:
            delays = (mine["responded_at"] - mine["invited_at"]).dropna().to_numpy(dtype=float)
            assert row["median_time_to_respond"] == np.median(delays)
            assert abs(row["p90_time_to_respond"] - np.percentile(delays, 90)) < 1e-9
        else:
            assert pd.isna(row["median_time_to_respond"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("period", ["D", "W", "M", "Q", "Y"])
def test_periods_are_pandas_periods(kind, period):
    rng = np.random.default_rng(3)
    n = 3000
    invited = pd.Timestamp("2023-11-20") + pd.to_timedelta(rng.integers(0, 500 * 86400, n), unit="s")
    responded = rng.random(n) < 0.4
    df = pd.DataFrame({
        "invited_at": invited.as_unit("ms"),
        "responded_at": (invited + pd.to_timedelta(rng.integers(0, 86400, n), unit="s")).where(responded).as_unit("ms"),
        "segment": rng.choice(["a", "b"], n),
    })
    r = as_pandas(response_rates(to(kind, df), "segment", period=period))
    # pandas' own periods (the reference): start of the invitation's period.
    start = df["invited_at"].dt.to_period(period).dt.start_time
    ref = df.assign(start=start).groupby(["segment", "start"]).agg(
        invited=("segment", "size"), responded=("responded_at", "count")).reset_index()  # fmt: skip
    assert [pd.Timestamp(x) for x in r["period"]] == [pd.Timestamp(x) for x in ref["start"]]
    assert r["segment"].tolist() == ref["segment"].tolist()
    assert r["invited"].tolist() == ref["invited"].tolist()
    assert r["responded"].tolist() == ref["responded"].tolist()


def test_response_rates_without_groups_and_with_nan_for_no_response():
    df = pd.DataFrame({"invited_at": [0, 0, 10, 10], "responded_at": [5.0, np.nan, 70.0, np.nan]})
    for frame in (df, pl.DataFrame({"invited_at": [0, 0, 10, 10], "responded_at": [5, None, 70, None]})):
        r = as_pandas(response_rates(frame))
        assert r[["invited", "responded"]].values.tolist() == [[4, 2]]
        assert r["max_time_to_respond"].tolist() == [60.0]
    assert isinstance(response_rates(df, output="polars"), pl.DataFrame)


@pytest.mark.parametrize("kind", KINDS)
def test_nonresponse_on_every_library(kind):
    rng = np.random.default_rng(5)
    n = 3000
    tier = rng.choice(["gold", "silver", "basic"], n, p=[0.2, 0.3, 0.5])
    tenure = rng.gamma(2.0, 3.0, n)
    responded = rng.random(n) < 0.15 + 0.25 * (tier == "gold") + 0.02 * np.minimum(tenure, 10)
    nps = np.where(responded, np.clip(np.round(rng.normal(6 + 3 * (tier == "gold"), 2.5)), 0, 10), np.nan)
    df = pd.DataFrame({"tier": tier, "tenure": tenure, "responded": responded, "nps": nps})
    ref = nonresponse(df, categorical=["tier"], numeric=["tenure"], nps="nps")
    r = nonresponse(to(kind, df), categorical=["tier"], numeric=["tenure"], nps="nps")
    assert isinstance(r.balance, TYPES[kind])
    b = as_pandas(r.balance)
    levels = [None if pd.isna(x) else x for x in b["level"]]
    assert levels == ref.balance["level"].tolist() == ["basic", "silver", "gold", None]
    pd.testing.assert_frame_equal(b.drop(columns="level"), ref.balance.drop(columns="level"), check_dtype=False)
    assert np.array_equal(r.weights, ref.weights)
    assert r.nps == ref.nps and r.nps_weighted == ref.nps_weighted
    for _, row in b.iterrows():  # numpy, independently
        col = df[row["attribute"]]
        if row["level"] is None or pd.isna(row["level"]):
            assert abs(row["std_diff"] - smd_numeric(col[responded], col)) < 1e-12
        else:
            inside = (col == row["level"]).to_numpy()
            assert abs(row["std_diff"] - smd_share(inside[responded].mean(), inside.mean())) < 1e-12
    s = nps[responded]
    assert abs(r.nps.value - 100 * (np.mean(s >= 9) - np.mean(s <= 6))) < 1e-9


SURVEY = json.dumps({"id": "p", "questions": [
    {"id": "nps", "kind": "nps", "text": "?", "required": True},
    {"id": "reason", "kind": "text", "text": "?", "show_if": {"question": "nps", "less_than": 7}},
    {"id": "csat", "kind": "csat", "text": "?", "required": True},
]})  # fmt: skip


@pytest.mark.parametrize("kind", KINDS)
def test_dropoff_from_a_frame_of_responses(kind):
    s = Survey.from_json(SURVEY)
    records = [{"nps": 3, "reason": "slow", "csat": 2}, {"nps": 3}, {"nps": 9}, {"nps": 9, "csat": 4}, {}]
    df = pd.DataFrame({
        "respondent": [1, 2, 3, 4, 5],
        "nps": pd.array([3, 3, 9, 9, None], dtype="Int64"),
        "reason": ["slow", None, None, None, None],
        "csat": pd.array([2, None, None, 4, None], dtype="Int64"),
    })
    ref = dropoff(s, records)
    d = dropoff(s, to(kind, df))
    assert isinstance(d.questions, TYPES[kind])
    assert (d.responses, d.complete, d.partial, d.empty) == (5, 2, 2, 1) == (ref.responses, ref.complete, ref.partial, ref.empty)
    q = as_pandas(d.questions).set_index("question")
    # By hand: nps=3 stops at "reason" (shown), nps=9 at "csat" ("reason" hidden), {} at "nps".
    assert q[["reached", "answered", "dropped"]].values.tolist() == [[5, 4, 1], [2, 1, 1], [3, 2, 1]]


@pytest.mark.parametrize("kind", KINDS)
def test_bad_columns_get_clear_errors(kind):
    base = pd.DataFrame({"customer_id": ["a", "b"], "timestamp": [0, 10], "touchpoint": ["call", "call"]})
    rules = {"triggers": [{"id": "t", "survey": "s"}]}
    with pytest.raises(KeyError, match="touchpoint"):
        Orchestrator(rules).feed(to(kind, base.drop(columns="touchpoint")))
    with pytest.raises(KeyError, match="no column `when`"):
        simulate(to(kind, base), rules, time="when")
    with pytest.raises(cem.InvalidNumberError, match=r"`customer_id` at position 1"):
        Orchestrator(rules).feed(to(kind, base.assign(customer_id=["a", None])))
    with pytest.raises(TypeError, match="column `timestamp`"):
        Orchestrator(rules).feed(to(kind, base.assign(timestamp=["x", "y"])))
    with pytest.raises(TypeError, match="column `open_complaint` must hold booleans"):
        Orchestrator(rules).feed(to(kind, base.assign(open_complaint=["no", "yes"])))

    inv = pd.DataFrame({"channel": ["email", None, "sms"], "invited_at": [0, 0, 0], "responded_at": [5.0, None, None]})
    with pytest.raises(cem.InvalidNumberError, match=r"column `channel` at position 1 `null` is missing"):
        response_rates(to(kind, inv), "channel")
    with pytest.raises(KeyError, match="no column `sent`"):
        response_rates(to(kind, inv), invited_at="sent")
    with pytest.raises(TypeError, match="column `responded_at` must hold datetimes or seconds"):
        response_rates(to(kind, inv.assign(responded_at=["a", "b", "c"])))
    with pytest.raises(cem.InvalidNumberError, match="column `invited_at` at position 2"):
        response_rates(to(kind, inv.assign(invited_at=[0.0, 1.0, np.nan])))
    with pytest.raises(cem.InvalidArgumentError, match="unknown period `fortnight`"):
        response_rates(to(kind, inv.fillna({"channel": "x"})), period="fortnight")
    with pytest.raises(cem.InvalidArgumentError, match="earlier than its invitation"):
        response_rates(to(kind, pd.DataFrame({"invited_at": [10], "responded_at": [5]})))

    nr = pd.DataFrame({"tier": ["a", "b", "a", "b"], "responded": [True, True, False, True], "tenure": [1.0, 2, 3, 4]})
    with pytest.raises(cem.InvalidNumberError, match=r"column `responded` at position 2"):
        nonresponse(to(kind, nr.assign(responded=[True, True, None, False])), categorical=["tier"])
    with pytest.raises(TypeError, match="column `responded` must hold booleans"):
        nonresponse(to(kind, nr.assign(responded=["y", "y", "n", "y"])), categorical=["tier"])
    with pytest.raises(cem.InvalidNumberError, match=r"column `tier` at position 0"):
        nonresponse(to(kind, nr.assign(tier=[None, "b", "a", "b"])), categorical=["tier"])
    with pytest.raises(cem.InvalidNumberError, match=r"`tenure` at (position|row) 3"):  # null; NaN in pandas
        nonresponse(to(kind, nr.assign(tenure=[1.0, 2, 3, None])), numeric=["tenure"])
    with pytest.raises(TypeError, match="column `tenure`"):
        nonresponse(to(kind, nr.assign(tenure=["1", "2", "3", "4"])), numeric=["tenure"])
    with pytest.raises(KeyError, match="no column `segment`"):
        nonresponse(to(kind, nr), categorical=["segment"])
    with pytest.raises(cem.InvalidArgumentError, match="invalid `output`"):
        nonresponse(to(kind, nr), categorical=["tier"], output="excel")


@pytest.mark.parametrize("kind", ["polars", "pyarrow"])
def test_polars_and_pyarrow_need_no_pandas(kind, monkeypatch):
    df = log(300)
    frame = to(kind, df)
    inv = to(kind, invitations().head(200))
    nr = to(kind, pd.DataFrame({"tier": ["a", "b", "a", "b"], "responded": [True, True, False, True],
                                "nps": [9.0, 3.0, None, 10.0]}))  # fmt: skip
    answers = to(kind, pd.DataFrame({"nps": pd.array([9, None], dtype="Int64")}))

    def refuse(*args, **kwargs):
        raise AssertionError("converted to pandas")

    monkeypatch.setitem(sys.modules, "pandas", None)  # `import pandas` now raises ImportError
    # (pyarrow's types are immutable; converting them would need `import pandas`, blocked.)
    monkeypatch.setattr(pl.DataFrame, "to_pandas", refuse)
    monkeypatch.setattr(pl.Series, "to_pandas", refuse)
    assert isinstance(Orchestrator(RULES).feed(frame), TYPES[kind])
    assert isinstance(simulate(frame, RULES).triggers, TYPES[kind])
    assert isinstance(response_rates(inv, ["survey", "channel"], period="M"), TYPES[kind])
    assert isinstance(nonresponse(nr, categorical=["tier"], nps="nps").balance, TYPES[kind])
    assert isinstance(dropoff(Survey.from_json(SURVEY), answers).questions, TYPES[kind])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("by", [["channel"], ["survey", "channel"], ["channel", "survey"]])
@pytest.mark.parametrize("dtype", [object, float])
def test_response_rates_refuse_missing_group_keys(kind, by, dtype):
    # Before: a pandas None with two `by` columns was counted as "email" (code 0), a NaN
    # became a group `nan`.
    channel = pd.Series(["email", None] if dtype is object else [1.0, np.nan], dtype=dtype)
    df = pd.DataFrame({"survey": ["s", "s"], "channel": channel, "invited_at": [0, 0], "responded_at": [None, None]})
    with pytest.raises(cem.InvalidNumberError, match=r"column `channel` at position 1 `null` is missing"):
        response_rates(to(kind, df), by)


@pytest.mark.parametrize("kind", KINDS)
def test_response_rate_errors_name_the_callers_columns(kind):
    df = pd.DataFrame({"sent": [0, 10], "answered": [5.0, 3.0]})
    with pytest.raises(cem.InvalidArgumentError, match=r"`answered`.*row 1") as err:
        response_rates(to(kind, df), invited_at="sent", responded_at="answered")
    assert "responded_at" not in str(err.value)


NAN_ANSWERS = {
    "pandas": lambda df: df,
    "polars": lambda df: pl.from_pandas(df, nan_to_null=False),
    "pyarrow": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    "records": lambda df: df.to_dict("records"),
}


@pytest.mark.parametrize("kind", NAN_ANSWERS)
def test_dropoff_counts_nan_as_not_answered_on_every_input(kind):
    s = Survey.from_json(SURVEY)
    df = pd.DataFrame({"nps": [9.0, np.nan, 3.0], "csat": [4.0, np.nan, np.nan], "reason": [None, None, "slow"]})
    responses = NAN_ANSWERS[kind](df)
    if kind == "pyarrow":  # keep NaN as NaN (from_pandas would make it null)
        responses = pa.table({
            "nps": pa.array([9.0, np.nan, 3.0]), "csat": pa.array([4.0, np.nan, np.nan]), "reason": pa.array([None, None, "slow"]),
        })
        assert responses.column("nps").null_count == 0
    if kind == "polars":
        assert responses["nps"].is_nan().sum() == 1
    d = dropoff(s, responses)
    ref = dropoff(s, [{"nps": 9, "csat": 4}, {}, {"nps": 3, "reason": "slow"}])
    assert (d.responses, d.complete, d.partial, d.empty) == (ref.responses, ref.complete, ref.partial, ref.empty)
    assert d.empty == 1  # the all-NaN row answers nothing
    assert as_pandas(d.questions).values.tolist() == as_pandas(ref.questions).values.tolist()
