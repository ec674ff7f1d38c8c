"""The Python runner of the bad-input catalogue (tests/bad_inputs/catalogue.json, see its
README): every case whose ``langs`` include ``python`` goes through the Python API and must
raise the cem exception with the catalogue's code (or the named built-in exception where
Python's own conversion rejects the value first) and message, or be accepted as documented."""

from __future__ import annotations

import builtins
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import cem
from cem import clv, journey, metrics, survey, text

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = json.loads((ROOT / "tests/bad_inputs/catalogue.json").read_text())["cases"]
POST_CONTACT = (ROOT / "tests/data/surveys/post_contact.json").read_text()
CASES = [c for c in CATALOGUE if "python" in c["langs"]]
CODES = {
    cls.code: cls
    for cls in vars(cem).values()
    if isinstance(cls, type) and issubclass(cls, cem.CemError) and cls.code
}


def decode(v: Any) -> Any:
    if isinstance(v, dict) and len(v) == 1:
        ((key, arg),) = v.items()
        if key == "$f":
            return {"NaN": math.nan, "inf": math.inf, "-inf": -math.inf}[arg]
        if key == "$json":
            return json.dumps(decode(arg))
        if key == "$repeat":
            return arg[0] * arg[1]
        if key == "$concat":
            return "".join(decode(p) for p in arg)
        if key == "$nest":
            return "[" * arg + "]" * arg
        if key == "$bytes":
            return bytes.fromhex(arg)
    if isinstance(v, dict):
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def frame(a: list[Any], values: list[float] | None = None) -> pd.DataFrame:
    data = {"customer_id": a[0], "event": a[1], "timestamp": a[2]}
    if values is not None:
        data["value"] = values
    return pd.DataFrame(data)


def run(op: str, a: list[Any]) -> dict[str, Any]:
    if op == "nps.push":
        acc = metrics.Nps()
        acc.push(a[0])
        return {"n": acc.n}
    if op in ("nps.push_many", "nps.estimate"):
        acc = metrics.Nps()
        acc.push_many(a[0])
        if op == "nps.estimate":
            return {"value": acc.estimate().value}
        return {"n": acc.n}
    if op in ("nps.push_many_weighted", "nps.weighted_estimate"):
        acc = metrics.Nps()
        acc.push_many(a[0], a[1])
        if op == "nps.weighted_estimate":
            acc.estimate()
        return {"n": acc.n}
    if op == "csat.new":
        metrics.Csat(max=a[0], top=a[1])
        return {}
    if op == "csat.push":
        acc = metrics.Csat()
        acc.push(a[0])
        return {"n": acc.n}
    if op == "ces.new":
        metrics.Ces(a[0])
        return {}
    if op in ("mean.push_many", "mean.estimate"):
        m = metrics.Mean()
        m.push_many(a[0])
        if op == "mean.estimate":
            m.estimate()
        return {"n": m.n}
    if op.endswith(".from_json") or op.endswith(".from_bytes"):
        kind, method = op.split(".")
        cls = {
            "nps": metrics.Nps,
            "csat": metrics.Csat,
            "mean": metrics.Mean,
            "proportion": metrics.Proportion,
            "aggregate": survey.SurveyAggregate,
            "survey": survey.Survey,
        }[kind]
        obj = getattr(cls, method)(a[0])
        return {"n": obj.n} if hasattr(obj, "n") else {}
    if op == "survey.score":
        survey.Survey.from_json(POST_CONTACT).score(a[0])
        return {}
    if op == "log.from_columns":
        return {"n": len(journey.EventLog(frame(a)).dfg())}
    if op == "log.from_columns_values":
        journey.EventLog(frame(a, a[3]), value="value")
        return {}
    if op == "log.first_edge":
        variants = journey.EventLog(frame(a), output="pandas").variants()
        return {"edge": list(variants["variant"].iloc[0][:2])}
    if op == "group.offset":
        metrics.GroupedScores("nps", "month", utc_offset=a[0])
        return {}
    if op == "group.push":
        g = metrics.GroupedScores("nps", "month")
        g.push(a[0], a[1], a[2])
        return {"n": g.n}
    if op == "group.push_limited":
        g = metrics.GroupedScores("nps", "month", max_groups=a[3])
        g.push(a[0], a[1], a[2])
        return {"n": g.n}
    if op == "group.merge_limited":
        # Two accumulators of one answer per segment (all on 1970-01-01), the first limited.
        first = metrics.GroupedScores("nps", "month", max_groups=a[2])
        first.push([10] * len(a[0]), a[0], [0] * len(a[0]))
        second = metrics.GroupedScores("nps", "month")
        second.push([10] * len(a[1]), a[1], [0] * len(a[1]))
        first.merge(second)
        return {"n": first.n}
    if op == "group.from_json_limited":
        return {"n": metrics.GroupedScores.from_json(a[0], max_groups=a[1]).n}
    if op == "text.polarity":
        return text.polarity(a[0])
    if op == "text.sentiment":
        return {"compound": text.sentiment(a[0])["compound"].tolist()}
    if op == "clv.beta_geo.fit":
        clv.BetaGeo().fit(a[0], a[1], a[2])
        return {}
    if op == "clv.pareto_nbd.fit":
        clv.ParetoNBD().fit(a[0], a[1], a[2])
        return {}
    if op == "clv.gamma_gamma.fit":
        clv.GammaGamma().fit(a[0], a[1])
        return {}
    raise AssertionError(f"the Python runner does not know op `{op}`")


def test_the_catalogue_is_large_enough() -> None:
    assert len(CATALOGUE) >= 40
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input(case: dict[str, Any]) -> None:
    expect = case.get("python", case["expect"])
    args = decode(case["args"])
    code = expect.get("error")
    if code is None:
        got = run(case["op"], args)
        for key, want in expect.items():
            if key != "ok":
                assert got[key] == want, key
        return
    cls = CODES.get(code) or getattr(builtins, code)
    with pytest.raises(cls) as info:
        run(case["op"], args)
    if code in CODES:
        assert info.value.code == code
    if "message" in expect:
        assert expect["message"] in str(info.value)
