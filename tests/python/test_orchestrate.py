"""cem.survey orchestration: the Orchestrator on frames and records, state and pickling,
simulation, response rates (Wilson intervals against statsmodels), drop-off, and
non-response (standardized differences against numpy, weights against cem.metrics.rake)."""

import json
import math
import pickle

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from statsmodels.stats.proportion import proportion_confint

import cem
from cem.survey import Orchestrator, Survey, dropoff, nonresponse, response_rates, simulate

RULES = {
    "seed": 3,
    "quarantine": {"for": "5d"},
    "caps": [{"max": 2, "per": "30d"}],
    "exclude": {"segments": ["staff"]},
    "triggers": [
        {"id": "failed-payment", "survey": "ces", "outcomes": ["failed"], "priority": 5, "sample": 0.8},
        {"id": "after-call", "survey": "nps", "touchpoints": ["call"], "sample": 0.5, "delay": "2h"},
        {"id": "delivery", "survey": "csat", "touchpoints": ["delivery"], "quarantine": {"for": "1d", "scope": "survey"}},
    ],
}


def log(n=3000, seed=7):
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.integers(0, 4 * 3600, n))
    return pd.DataFrame({
        "customer_id": [f"c{i}" for i in rng.integers(0, 150, n)],
        "timestamp": t,
        "touchpoint": rng.choice(["call", "delivery", "web", "checkout"], n),
        "outcome": rng.choice(["ok", "failed", None], n),
        "segment": rng.choice(["gold", "basic", "staff"], n, p=[0.3, 0.6, 0.1]),
        "open_complaint": rng.random(n) < 0.03,
        "do_not_contact": rng.random(n) < 0.02,
    })


def test_frame_records_and_one_by_one_agree():
    df = log()
    whole = Orchestrator(RULES).feed(df)
    assert set(whole["reason"].unique()) >= {"invited", "quarantined", "capped", "sampled_out", "excluded_segment"}
    orch = Orchestrator(json.dumps(RULES))
    parts = []
    for start in range(0, len(df), 400):
        part = orch.feed(df.iloc[start:start + 400].to_dict("records"))
        part["row"] += start
        parts.append(part)
    chunked = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(chunked.astype(str), whole.astype(str))
    orch = Orchestrator(RULES)
    single = []
    for i, rec in enumerate(df.head(300).to_dict("records")):
        part = orch.feed([rec])
        part["row"] += i
        single.append(part)
    head = whole[whole["row"] < 300].reset_index(drop=True)
    pd.testing.assert_frame_equal(pd.concat(single, ignore_index=True).astype(str), head.astype(str))


def test_polars_and_pyarrow_inputs_give_the_same_decisions():
    df = log(500)
    ref = Orchestrator(RULES).feed(df)
    via_pl = Orchestrator(RULES).feed(pl.from_pandas(df))
    via_pa = Orchestrator(RULES).feed(pa.Table.from_pandas(df))
    assert isinstance(via_pl, pl.DataFrame) and isinstance(via_pa, pa.Table)
    assert via_pl["reason"].cast(pl.Utf8).to_list() == ref["reason"].astype(str).tolist()
    assert via_pa.column("row").to_pylist() == ref["row"].tolist()


def test_guards_hold_on_the_decisions():
    df = log()
    d = Orchestrator(RULES).feed(df)
    inv = d[d["reason"] == "invited"]
    assert inv["row"].is_unique  # at most one invitation per interaction
    t = df["timestamp"].to_numpy()
    for _, rows in inv.groupby("customer_id", observed=True):
        times = np.sort(t[rows["row"].to_numpy()])
        for i, x in enumerate(times):
            assert np.sum((times > x - 30 * 86400) & (times <= x)) <= 2  # the cap
        # Global quarantine of 5 days for every trigger but "delivery".
        other = np.sort(t[rows[rows["trigger"] != "delivery"]["row"].to_numpy()])
        assert np.all(np.diff(other) >= 5 * 86400) or len(other) < 2
    excluded = df["do_not_contact"] | df["open_complaint"] | (df["segment"] == "staff")
    assert not excluded.to_numpy()[inv["row"].to_numpy()].any()


def test_state_pickles_and_restarts_like_an_uninterrupted_run():
    df = log()
    whole = Orchestrator(RULES).feed(df)
    first = Orchestrator(RULES)
    a = first.feed(df.iloc[:1700])
    revived = pickle.loads(pickle.dumps(first))
    from_json = Orchestrator.from_state(first.state_json())
    assert revived.state_json() == first.state_json() == from_json.state_json()
    for orch in (revived, from_json):
        b = orch.feed(df.iloc[1700:])
        b["row"] += 1700
        both = pd.concat([a, b], ignore_index=True)
        pd.testing.assert_frame_equal(both.astype(str), whole.astype(str))
    assert revived.clock == int(df["timestamp"].iloc[-1])


def test_datetimes_in_and_out():
    o = Orchestrator({"triggers": [{"id": "t", "survey": "s", "delay": "1h"}]})
    when = pd.to_datetime(["2026-01-01 10:00", "2026-01-02 09:30"]).tz_localize("Europe/Paris")
    d = o.feed(pd.DataFrame({"customer_id": [1, 2], "timestamp": when, "touchpoint": ["call", "web"]}))
    assert str(d["send_at"].dt.tz) == "Europe/Paris"
    assert d["send_at"].iloc[0] == when[0] + pd.Timedelta(hours=1)
    assert d["until"].isna().all()


def test_bad_input_gets_clear_errors():
    with pytest.raises(cem.InvalidRuleError, match=r"rule `t`, field `sample`"):
        Orchestrator({"triggers": [{"id": "t", "survey": "s", "sample": 1.5}]})
    with pytest.raises(cem.InvalidRuleError, match=r"rule `t`, field `delai`: unknown field"):
        Orchestrator({"triggers": [{"id": "t", "survey": "s", "delai": "1h"}]})
    with pytest.raises(ValueError):
        Orchestrator("{not json")
    o = Orchestrator({"triggers": [{"id": "t", "survey": "s"}]})
    o.feed({"customer_id": ["a"], "timestamp": [100], "touchpoint": ["call"]})
    before = o.state_json()
    with pytest.raises(cem.InvalidArgumentError, match="time `50` at row 1 is earlier than `200`"):
        o.feed({"customer_id": ["a", "b"], "timestamp": [200, 50], "touchpoint": ["call", "call"]})
    with pytest.raises(cem.InvalidArgumentError, match="time `50` at row 0 is earlier than `100`"):
        o.feed({"customer_id": ["b"], "timestamp": [50], "touchpoint": ["call"]})
    assert o.state_json() == before
    with pytest.raises(cem.InvalidNumberError, match=r"`customer_id` at position 1"):
        o.feed({"customer_id": ["a", None], "timestamp": [200, 300], "touchpoint": ["call", "call"]})
    with pytest.raises(KeyError, match="touchpoint"):
        o.feed({"customer_id": ["a"], "timestamp": [300]})
    with pytest.raises(cem.JsonError):
        Orchestrator.from_state(before.replace('"clock":100', '"clock":1'))


def test_warnings_name_triggers_that_never_fire():
    o = Orchestrator({
        "catalog": {"call": "call_centre", "checkout": "web"},
        "triggers": [
            {"id": "zero", "survey": "s", "sample": 0},
            {"id": "nowhere", "survey": "s", "touchpoints": ["call"], "channels": ["web"]},
            {"id": "fine", "survey": "s", "touchpoints": ["checkout"], "sample": 0.2},
        ],
    })
    assert [(w.rule, w.code) for w in o.warnings] == [("zero", "never_sampled"), ("nowhere", "channel_mismatch")]


def test_simulation_matches_the_decisions():
    df = log()
    d = Orchestrator(RULES).feed(df)
    sim = simulate(df, RULES, response_rate={"default": 0.2, "by_trigger": {"after-call": 0.4}})
    for _, row in sim.triggers.iterrows():
        mine = d[d["trigger"] == row["trigger"]]
        assert row["matched"] == len(mine)
        assert row["invited"] == int((mine["reason"] == "invited").sum())
        assert row["quarantined"] == int((mine["reason"] == "quarantined").sum())
    invited = d[d["reason"] == "invited"]
    per_customer = invited.groupby("customer_id", observed=True).size()
    expected_contacts = per_customer.value_counts().sort_index()
    contacts = sim.contacts.set_index("invitations")["customers"]
    for k, n in expected_contacts.items():
        assert contacts[k] == n
    assert contacts[0] == df["customer_id"].nunique() - len(per_customer)
    rates = sim.triggers.set_index("trigger")["response_rate"]
    assert rates["after-call"] == 0.4 and rates["delivery"] == 0.2
    assert math.isclose(sim.expected_responses, float((sim.triggers["invited"] * sim.triggers["response_rate"]).sum()))


@pytest.mark.parametrize("confidence", [0.95, 0.9])
def test_response_rates_match_statsmodels_wilson(confidence):
    rng = np.random.default_rng(11)
    groups = []
    # Sizes include n = 1 and all-or-nothing response.
    for g, (n, p) in enumerate([(1, 0.5), (1, 1.0), (7, 0.0), (12, 1.0), (40, 0.3), (333, 0.17), (1000, 0.52)]):
        responded = rng.random(n) < p
        invited = rng.integers(0, 10**6, n)
        delay = rng.integers(0, 3 * 86400, n)
        groups.append(pd.DataFrame({"channel": f"ch{g:02d}", "invited_at": invited,
                                    "responded_at": np.where(responded, invited + delay, np.nan)}))
    df = pd.concat(groups, ignore_index=True)
    r = response_rates(df, "channel", confidence=confidence)
    for _, row in r.iterrows():
        mine = df[df["channel"] == row["channel"]]
        k = int(mine["responded_at"].notna().sum())
        low, high = proportion_confint(k, len(mine), alpha=1 - confidence, method="wilson")
        assert row["invited"] == len(mine) and row["responded"] == k
        assert abs(row["low"] - low) < 1e-12 and abs(row["high"] - high) < 1e-12
        if k:
            delays = (mine["responded_at"] - mine["invited_at"]).dropna().to_numpy()
            assert row["median_time_to_respond"] == np.median(delays)
            assert abs(row["p90_time_to_respond"] - np.percentile(delays, 90)) < 1e-9
        else:
            assert pd.isna(row["median_time_to_respond"])


def test_response_rates_by_period_with_datetimes():
    df = pd.DataFrame({
        "invited_at": pd.to_datetime(["2026-01-05", "2026-01-20", "2026-02-03", "2026-02-04"]),
        "responded_at": pd.to_datetime(["2026-01-06 00:00", None, "2026-02-03 06:00", None]),
    })
    r = response_rates(df, period="M")
    assert r["period"].tolist() == [pd.Timestamp("2026-01-01"), pd.Timestamp("2026-02-01")]
    assert r["responded"].tolist() == [1, 1]
    assert r["median_time_to_respond"].tolist() == [86400.0, 6 * 3600.0]
    with pytest.raises(cem.InvalidArgumentError, match="earlier than its invitation"):
        response_rates(pd.DataFrame({"invited_at": [10], "responded_at": [5]}))


def test_dropoff_by_question():
    s = Survey.from_json(json.dumps({"id": "p", "questions": [
        {"id": "nps", "kind": "nps", "text": "?", "required": True},
        {"id": "reason", "kind": "text", "text": "?", "show_if": {"question": "nps", "less_than": 7}},
        {"id": "csat", "kind": "csat", "text": "?", "required": True},
    ]}))
    d = dropoff(s, [{"nps": 3, "reason": "slow", "csat": 2}, {"nps": 3}, {"nps": 9}, {"nps": 9, "csat": 4}, {}])
    assert (d.responses, d.complete, d.partial, d.empty) == (5, 2, 2, 1)
    q = d.questions.set_index("question")
    # nps=3 stops at "reason" (shown), nps=9 stops at "csat" ("reason" hidden); {} at "nps".
    assert q.loc["nps"].tolist()[:3] == [5, 4, 1]
    assert q.loc["reason"].tolist()[:3] == [2, 1, 1]
    assert q.loc["csat"].tolist()[:3] == [3, 2, 1]


def smd_numeric(x_r, x):
    return (x_r.mean() - x.mean()) / np.sqrt((x_r.var(ddof=1) + x.var(ddof=1)) / 2)


def smd_share(p_r, p):
    return (p_r - p) / np.sqrt((p_r * (1 - p_r) + p * (1 - p)) / 2)


def test_nonresponse_against_numpy_and_rake():
    rng = np.random.default_rng(5)
    n = 4000
    tier = rng.choice(["gold", "silver", "basic"], n, p=[0.2, 0.3, 0.5])
    complaint = rng.random(n) < 0.1
    tenure = rng.gamma(2.0, 3.0, n)
    # Gold and long-tenure customers answer more; complainers less.
    p = 0.15 + 0.25 * (tier == "gold") + 0.02 * np.minimum(tenure, 10) - 0.1 * complaint
    responded = rng.random(n) < p
    nps = np.where(responded, np.clip(np.round(rng.normal(6 + 3 * (tier == "gold"), 2.5)), 0, 10), np.nan)
    df = pd.DataFrame({"tier": tier, "complaint": complaint, "tenure": tenure, "responded": responded, "nps": nps})
    r = nonresponse(df, categorical=["tier", "complaint"], numeric=["tenure"], nps="nps")
    b = r.balance
    # Standardized differences: an independent numpy computation.
    for _, row in b.iterrows():
        col = df[row["attribute"]]
        if row["level"] is None:
            assert abs(row["std_diff"] - smd_numeric(col[responded], col)) < 1e-12
            assert abs(row["invited"] - col.mean()) < 1e-12
        else:
            inside = (col.astype(str) == row["level"]).to_numpy()
            assert abs(row["std_diff"] - smd_share(inside[responded].mean(), inside.mean())) < 1e-12
            assert abs(row["weighted"] - row["invited"]) < 1e-9  # raking matched the margins
            assert abs(row["weighted_std_diff"]) < 1e-8
    assert b.loc[b["level"] == "gold", "std_diff"].iloc[0] > 0.2  # gold over-represented
    # Weights: the existing (tested) raking of the responders to the invited shares.
    resp = df[responded].reset_index(drop=True)
    margins = {c: (df[c].astype(str).value_counts(normalize=True)).to_dict() for c in ["tier", "complaint"]}
    resp_str = resp.assign(tier=resp["tier"].astype(str), complaint=resp["complaint"].astype(str))
    ref = np.asarray(cem.metrics.rake(resp_str, margins))
    assert np.allclose(r.weights[responded], ref, rtol=1e-9, atol=1e-12)
    assert np.all(r.weights[~responded] == 0)
    # NPS unweighted and weighted, recomputed with numpy.
    s, w = nps[responded], r.weights[responded]
    plain = 100 * (np.mean(s >= 9) - np.mean(s <= 6))
    weighted = 100 * (w[s >= 9].sum() - w[s <= 6].sum()) / w.sum()
    assert abs(r.nps.value - plain) < 1e-9 and abs(r.nps_weighted.value - weighted) < 1e-9
    assert r.nps_weighted.value < r.nps.value  # happier gold customers were over-represented


def test_nonresponse_errors():
    df = pd.DataFrame({"tier": ["a", "a", "b"], "responded": [True, False, False]})
    with pytest.raises(cem.InvalidArgumentError, match="level `b` has invited customers but no responders"):
        nonresponse(df, categorical=["tier"])
    with pytest.raises(cem.EmptyError):
        nonresponse(df.assign(responded=False), categorical=["tier"])
    with pytest.raises(cem.InvalidArgumentError, match="did not respond"):
        nonresponse(df.assign(nps=[9, 9, None]), nps="nps")


def test_sampling_is_deterministic_and_near_its_rate():
    n = 20000
    rules = {"seed": 99, "triggers": [{"id": "t", "survey": "s", "sample": 0.3}]}
    df = pd.DataFrame({"customer_id": np.arange(n), "timestamp": np.zeros(n, dtype=np.int64), "touchpoint": "call"})
    a = Orchestrator(rules).feed(df)
    b = Orchestrator(rules).feed(df.assign(customer_id=df["customer_id"].astype(str)))
    assert (a["reason"].astype(str) == b["reason"].astype(str)).all()  # ints keyed as their text
    share = float((a["reason"] == "invited").mean())
    assert abs(share - 0.3) < 6 * math.sqrt(0.3 * 0.7 / n)
    other = Orchestrator({**rules, "seed": 100}).feed(df)
    assert (other["reason"].astype(str) != a["reason"].astype(str)).any()
