"""cem.alerts: rules, case book, monitor.

Independent references: a pure-Python reading of the rule JSON (``naive_match``), a
pure-Python case book simulation whose figures are computed with numpy's ``median`` and
``percentile`` (default linear method — the definition cem documents), and a pure-Python
CSAT monitor built on statsmodels' Wilson interval.
"""

import datetime as dt
import json
import pickle
import random
import re
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from statsmodels.stats.proportion import proportion_confint

import cem
from cem.alerts import CaseBook, Monitor, RuleSet

RULES_PATH = Path(__file__).parents[1] / "data" / "alerts" / "rules.json"
RULES_TEXT = RULES_PATH.read_text()
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)

WORDS = ["cancel", "Cancelled", "CANCEL", "refund", "REFUND!", "never", "again", "Never again",
         "switch", "switching", "great", "_cancel", "slow", "déjà", "ΣΟΦΊΑ", "cancel_"]


def iso(t: dt.datetime) -> str:
    return t.isoformat()


def random_responses(rng: random.Random, n: int) -> list[dict]:
    out = []
    for i in range(n):
        r = {"customer": f"c-{rng.randrange(30)}", "time": T0 + dt.timedelta(minutes=i)}
        if rng.random() < 0.9:
            r["nps"] = rng.randrange(11)
        if rng.random() < 0.5:
            r["csat"] = rng.randrange(1, 6)
        if rng.random() < 0.4:
            r["ces"] = rng.randrange(1, 8)
        if rng.random() < 0.6:
            r["sentiment"] = rng.randrange(-100, 101) / 100
        if rng.random() < 0.7:
            sep = rng.choice([" ", ", ", "! ", "-"])
            r["comment"] = sep.join(rng.choice(WORDS) for _ in range(rng.randrange(6)))
        for key, values in [("channel", ["web", "call_centre", "store", "sales_visit"]),
                            ("tier", ["gold", "platinum", "silver"]),
                            ("segment", ["enterprise", "consumer"])]:
            if rng.random() < 0.8:
                r[key] = rng.choice(values)
        out.append(r)
    return out


# ------------------------------------------------------------------ pure-Python reading of the rules

NUMBERS = {"nps", "csat", "ces", "sentiment"}


def naive_cond(c: dict, r: dict) -> bool:
    if "all" in c:
        return all(naive_cond(x, r) for x in c["all"])
    if "any" in c:
        return any(naive_cond(x, r) for x in c["any"])
    if "not" in c:
        return not naive_cond(c["not"], r)
    field = c["field"]
    v = r.get(field)
    (op, arg), = [(k, a) for k, a in c.items() if k != "field"]
    if op == "present":
        return (v is not None) == arg
    if v is None:
        return False
    if op == "at_most":
        return v <= arg
    if op == "at_least":
        return v >= arg
    if op == "below":
        return v < arg
    if op == "above":
        return v > arg
    if op == "equals":
        return v == arg
    if op == "in":
        return v in arg
    if op == "contains":
        return arg.lower() in v.lower()
    if op == "contains_word":
        return re.search(r"(?<!\w)" + re.escape(arg.lower()) + r"(?!\w)", v.lower()) is not None
    raise AssertionError(op)


def naive_match(rules: dict, r: dict) -> list[str]:
    return [rule["name"] for rule in rules["rules"] if naive_cond(rule["when"], r)]


def test_rules_agree_with_a_pure_python_reading_on_random_responses():
    rules_json = json.loads(RULES_TEXT)
    rules = RuleSet.from_json(RULES_TEXT)
    rng = random.Random(8)
    responses = random_responses(rng, 4000)
    got = rules.matching(responses)
    want = [naive_match(rules_json, r) for r in responses]
    assert got == want
    counts = rules.count_matches(responses)
    assert all(0 < counts[name] < len(responses) for name in rules.names), counts

    # Cases: one per customer and reason while active (all stay open in a fresh book).
    active, want_cases = set(), []
    reason = {r["name"]: r.get("reason", r["name"]) for r in rules_json["rules"]}
    sla = {r["name"]: r["sla_hours"] for r in rules_json["rules"]}
    for r, names in zip(responses, want):
        for name in names:
            key = (r["customer"], reason[name])
            if key not in active:
                active.add(key)
                want_cases.append((r["customer"], reason[name], name, r["time"] + dt.timedelta(hours=sla[name])))
    cases = rules.evaluate(responses)
    got_cases = [(c["customer"], c["reason"], c["rule"], dt.datetime.fromisoformat(c["due"])) for c in cases]
    assert got_cases == want_cases
    assert [c["id"] for c in cases] == [f"case-{i + 1}" for i in range(len(cases))]


def test_frames_and_records_give_the_same_matches():
    rng = random.Random(3)
    records = random_responses(rng, 300)
    rules = RuleSet(RULES_TEXT)
    want = rules.matching(records)
    frame = pd.DataFrame.from_records(records)
    frame["extra"] = 1  # other columns are ignored
    assert rules.matching(frame) == want
    assert rules.matching(pl.from_pandas(frame)) == want
    assert rules.matching(pa.Table.from_pandas(frame)) == want
    # Naive datetimes and ISO text are UTC.
    naive = [dict(r, time=r["time"].replace(tzinfo=None)) for r in records[:5]]
    text = [dict(r, time=r["time"].strftime("%Y-%m-%dT%H:%M:%SZ")) for r in records[:5]]
    assert rules.evaluate(naive) == rules.evaluate(records[:5]) == rules.evaluate(text)


def test_rule_errors_name_the_rule_and_the_field():
    with pytest.raises(cem.InvalidRuleError, match=r"rule `x`: unknown field `when2`") as info:
        RuleSet({"rules": [{"name": "x", "priority": "low", "sla_hours": 1, "when2": {}}]})
    assert isinstance(info.value, ValueError) and info.value.code == "invalid_rule"
    with pytest.raises(cem.InvalidRuleError, match=r"rule `y`: `when.any\[0\].field` is `colour`"):
        RuleSet({"rules": [{"name": "y", "priority": "low", "sla_hours": 1,
                            "when": {"any": [{"field": "colour", "equals": "red"}]}}]})
    with pytest.raises(cem.JsonError):
        RuleSet("{not json")


def test_bad_responses_are_refused():
    rules = RuleSet(RULES_TEXT)
    with pytest.raises(cem.OutOfRangeError, match="response at position 1 `11`"):
        rules.matching([{"customer": "a", "time": T0, "nps": 3}, {"customer": "a", "time": T0, "nps": 11}])
    with pytest.raises(ValueError, match="not a whole number"):
        rules.matching([{"customer": "a", "time": T0, "nps": 6.5}])
    with pytest.raises(cem.OutOfRangeError, match="sentiment"):
        rules.matching([{"customer": "a", "time": T0, "sentiment": -1.5}])
    with pytest.raises(ValueError, match="has no `time`"):
        rules.matching([{"customer": "a"}])
    # NaN is missing, not a value.
    assert rules.matching([{"customer": "a", "time": T0, "nps": float("nan")}]) == [[]]


# ------------------------------------------------------------------ case book


def detractor_rules() -> RuleSet:
    return RuleSet({"rules": [{"name": "detractor", "priority": "medium", "sla_hours": 24,
                               "when": {"field": "nps", "at_most": 6}}]})


def test_lifecycle_audit_trail_and_errors():
    book = CaseBook()
    assert book.ingest(detractor_rules(), [{"customer": "c", "time": T0, "nps": 2}]) == ["case-1"]
    h = lambda x: T0 + dt.timedelta(hours=x)  # noqa: E731
    book.start("case-1", who="ann", when=h(1), note="called")
    with pytest.raises(cem.IllegalTransitionError, match="from `in_progress` a case can go to `resolved`"):
        book.close("case-1", who="ann", when=h(2))
    book.resolve("case-1", who="ann", when=h(2))
    book.close("case-1", who="bob", when=h(3))
    case = book.reopen("case-1", who="bob", when=h(4), note="customer called again")
    assert [(t["from"], t["to"], t["who"]) for t in case["history"]] == [
        ("open", "in_progress", "ann"), ("in_progress", "resolved", "ann"),
        ("resolved", "closed", "bob"), ("closed", "open", "bob")]
    assert case["history"][0]["note"] == "called" and "closed" not in case
    with pytest.raises(cem.OutOfOrderError):
        book.start("case-1", who="ann", when=h(3))
    with pytest.raises(cem.InvalidArgumentError, match="no case `case-7`"):
        book.start("case-7", who="ann", when=h(5))
    with pytest.raises(cem.InvalidArgumentError, match="unknown status `done`"):
        book.transition("case-1", "done", who="ann", when=h(5))
    # The reopened case keeps its first deadline: overdue, escalated once.
    assert book.tick(h(30)) == ["case-1"] and book.tick(h(31)) == []
    assert book.case("case-1")["priority"] == "high"
    assert book.case("case-1")["history"][-1]["who"] == "sla"
    again = pickle.loads(pickle.dumps(book))
    assert again == book and CaseBook.from_json(book.to_json()) == book


def test_closed_loop_figures_against_numpy():
    """Simulates a month of follow-ups, keeping our own record of every time, and checks
    the figures against numpy's median/percentile (linear, numpy's default)."""
    rng = random.Random(11)
    rules = detractor_rules()
    book = CaseBook()
    responses = []
    for i in range(600):
        responses.append({"customer": f"c-{rng.randrange(250)}",
                          "time": T0 + dt.timedelta(minutes=7 * i), "nps": rng.randrange(11)})
    book.ingest(rules, responses)
    now = T0 + dt.timedelta(days=20)
    first_response, close, breached, contacted = [], [], 0, set()
    cases = book.cases
    for c in cases:
        opened = dt.datetime.fromisoformat(c["opened"])
        due = dt.datetime.fromisoformat(c["due"])
        t = opened
        resolved_at = None
        if rng.random() < 0.85:
            t += dt.timedelta(minutes=rng.randrange(1, 3000))
            book.start(c["id"], who="a", when=t)
            first_response.append((t - opened).total_seconds() / 3600)
            contacted.add(c["customer"])
            if rng.random() < 0.8:
                t += dt.timedelta(minutes=rng.randrange(1, 3000))
                book.resolve(c["id"], who="a", when=t)
                resolved_at = t
                if rng.random() < 0.8:
                    t += dt.timedelta(minutes=rng.randrange(1, 600))
                    book.close(c["id"], who="a", when=t)
                    close.append((t - opened).total_seconds() / 3600)
        if (resolved_at is None and now > due) or (resolved_at is not None and resolved_at > due):
            breached += 1
    f = book.figures(now)
    assert f["cases"] == len(cases)
    for key, values in [("time_to_first_response", first_response), ("time_to_close", close)]:
        q = f[key]
        assert q["n"] == len(values)
        assert q["median"] == pytest.approx(float(np.median(values)), abs=1e-9)
        assert q["p90"] == pytest.approx(float(np.percentile(values, 90)), abs=1e-9)
    assert f["sla_breached"] == breached and f["sla_cases"] == len(cases)
    assert f["sla_breach_rate"] == pytest.approx(breached / len(cases))
    # Detractors and recovery from the responses themselves.
    first_detractor, last_good = {}, {}
    for r in responses:
        if r["nps"] <= 6:
            first_detractor[r["customer"]] = min(first_detractor.get(r["customer"], r["time"]), r["time"])
        else:
            last_good[r["customer"]] = max(last_good.get(r["customer"], r["time"]), r["time"])
    detractors = set(first_detractor)
    recovered = {c for c in detractors if c in last_good and last_good[c] > first_detractor[c]}
    assert f["detractors"] == len(detractors)
    assert f["detractors_contacted"] == len(detractors & contacted)
    assert f["contacted_share"] == pytest.approx(len(detractors & contacted) / len(detractors))
    assert f["recovered"] == len(recovered) > 0
    assert f["recovery_rate"] == pytest.approx(len(recovered) / len(detractors))


# ------------------------------------------------------------------ monitor


def csat_stream(seed: int, n: int) -> list[dict]:
    rng = random.Random(seed)
    t = T0
    out = []
    for i in range(n):
        t += dt.timedelta(minutes=rng.randrange(0, 20))
        p_sat = 0.8 if i < n // 2 else 0.45
        csat = rng.choice([4, 5]) if rng.random() < p_sat else rng.choice([1, 2, 3])
        r = {"customer": "c", "time": t, "csat": csat, "channel": rng.choice(["web", "store"])}
        if rng.random() < 0.05:
            del r["csat"]
        out.append(r)
    return out


def naive_csat_monitor(stream, window_h, baseline_h, min_w, min_b, by_channel):
    """Recomputes each decision from the whole history with statsmodels' Wilson interval."""
    W, B = dt.timedelta(hours=window_h), dt.timedelta(hours=baseline_h)
    alarm, alerts = {}, []
    for i, r in enumerate(stream):
        if "csat" not in r:
            continue
        keys = [None] + ([r["channel"]] if by_channel else [])
        for key in keys:
            hist = [x for x in stream[: i + 1] if "csat" in x and (key is None or x["channel"] == key)]
            win = [x["csat"] >= 4 for x in hist if x["time"] > r["time"] - W]
            base = [x["csat"] >= 4 for x in hist if r["time"] - W - B < x["time"] <= r["time"] - W]
            if len(win) < min_w or len(base) < min_b:
                continue
            b = sum(base) / len(base)
            low, _ = proportion_confint(sum(base), len(base), alpha=0.05, method="wilson")
            limit = b - (b - low) * np.sqrt(len(base) / len(win))
            below = sum(win) / len(win) < limit
            if below and not alarm.get(key, False):
                alerts.append((key, r["time"], sum(win) / len(win), limit))
            alarm[key] = below
    return alerts


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_csat_monitor_agrees_with_statsmodels_wilson(seed):
    stream = csat_stream(seed, 700)
    m = Monitor("csat", window_hours=6, baseline_hours=24, by="channel", min_window=15, min_baseline=40)
    got = [(a["segment"], dt.datetime.fromisoformat(a["time"]), a["value"], a["limit"]) for a in m.push_many(stream)]
    want = naive_csat_monitor(stream, 6, 24, 15, 40, True)
    assert len(got) == len(want) > 0
    for g, w in zip(got, want):
        assert g[0] == w[0] and g[1] == w[1]
        assert g[2] == pytest.approx(w[2], abs=1e-12) and g[3] == pytest.approx(w[3], abs=1e-9)


def test_monitor_batches_one_by_one_and_pickle_give_the_same_alerts():
    stream = csat_stream(5, 500)
    make = lambda: Monitor({"kind": "csat", "max": 5, "top": 2}, window_hours=6, baseline_hours=24,  # noqa: E731
                           by="channel", min_window=15, min_baseline=40)
    whole = make().push_many(stream)
    one = make()
    singles = [a for r in stream for a in one.push(r)]
    assert singles == whole and len(whole) > 0
    cut = make()
    first = cut.push_many(stream[:250])
    restored = pickle.loads(pickle.dumps(cut))
    assert restored == cut
    assert first + restored.push_many(stream[250:]) == whole
    assert Monitor.from_json(one.to_json()) == one
    assert sorted(one.segments) == ["store", "web"]


def test_monitor_errors():
    m = Monitor("nps", window_hours=1, baseline_hours=10)
    m.push({"customer": "a", "time": T0, "nps": 9})
    with pytest.raises(cem.OutOfOrderError, match="comes before"):
        m.push_many([{"customer": "a", "time": T0 - dt.timedelta(seconds=1), "nps": 9}])
    with pytest.raises(cem.InvalidArgumentError, match="window_hours"):
        Monitor("nps", window_hours=-1, baseline_hours=10)
    with pytest.raises(cem.JsonError, match="unknown variant"):
        Monitor("median", window_hours=1, baseline_hours=10)
