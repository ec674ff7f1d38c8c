"""cem.journey against pm4py (AGPL; an external oracle only, never vendored).

Data: the e-commerce clickstream that retentioneering 5.2.4 ships (``datasets/ecom.csv.gz``,
31,106 events, 600 users), taken from the wheel without importing the package (importing it
starts telemetry), cached under ``target/journey-data``; and the sample company's
interactions. On both, pm4py's ``discover_dfg`` counts, ``discover_performance_dfg`` mean and
median, ``get_start_activities``, ``get_end_activities`` and ``get_variants`` equal cem's:
counts exactly, durations to 1e-9 relative.

Event order: ``pm4py.format_dataframe`` sorts by case id, timestamp and the original row
index, i.e. a stable sort by time within a case, which is cem's order (equal timestamps keep
their input order). Without ``format_dataframe`` pm4py reads the frame in the given row order,
so its starts, ends and variants are wrong on unsorted frames; the tests always call it.
"""

from __future__ import annotations

import math
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cem
from cem.journey import EventLog

pm4py = pytest.importorskip("pm4py")

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "target" / "journey-data"
RETENTIONEERING = "retentioneering==5.2.4"


def ecom_path() -> Path:
    """``ecom.csv.gz`` from the retentioneering wheel, downloaded once into the cache."""
    target = CACHE / "ecom.csv.gz"
    if target.exists():
        return target
    CACHE.mkdir(parents=True, exist_ok=True)
    wheels = CACHE / "wheels"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", RETENTIONEERING, "-d", str(wheels)],
        capture_output=True,
        text=True,
    )
    found = sorted(wheels.glob("retentioneering-5.2.4-*.whl")) if wheels.exists() else []
    if proc.returncode != 0 or not found:
        pytest.skip(f"could not download {RETENTIONEERING} from PyPI (pip said: {proc.stderr.strip()[-300:]})")
    with zipfile.ZipFile(found[0]) as z:
        data = z.read("retentioneering/datasets/ecom.csv.gz")
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


@pytest.fixture(scope="module")
def ecom() -> pd.DataFrame:
    df = pd.read_csv(ecom_path())
    df["timestamp"] = pd.to_datetime(df["timestamp"])
    return df


@pytest.fixture(scope="module")
def retailer() -> pd.DataFrame:
    return cem.sample.retailer(seed=7, customers=300).interactions


def pm4py_results(df: pd.DataFrame, case: str, activity: str, time: str) -> dict:
    f = pm4py.format_dataframe(df.copy(), case_id=case, activity_key=activity, timestamp_key=time)
    dfg, starts, ends = pm4py.discover_dfg(f)
    perf, _, _ = pm4py.discover_performance_dfg(f)
    variants = pm4py.get_variants(f)
    # pm4py 2.7 gives counts; older versions gave lists of traces.
    variants = {tuple(k): (v if isinstance(v, (int, np.integer)) else len(v)) for k, v in variants.items()}
    return {"dfg": dict(dfg), "perf": dict(perf), "starts": dict(starts), "ends": dict(ends), "variants": variants}


def cem_results(df: pd.DataFrame, case: str, activity: str, time: str) -> dict:
    log = EventLog(df, customer=case, touchpoint=activity, time=time, output="pyarrow")
    d = log.dfg().to_pylist()
    return {
        "dfg": {(r["source"], r["target"]): r["count"] for r in d},
        "perf": {(r["source"], r["target"]): (r["mean_duration"], r["median_duration"]) for r in d},
        "starts": {r["touchpoint"]: r["customers"] for r in log.starts().to_pylist()},
        "ends": {r["touchpoint"]: r["customers"] for r in log.ends().to_pylist()},
        "variants": {tuple(r["variant"]): r["count"] for r in log.variants().to_pylist()},
        "customers": {r["source"]: r for r in d},
    }


def assert_agree(ours: dict, theirs: dict) -> None:
    assert ours["dfg"] == theirs["dfg"]
    assert ours["starts"] == theirs["starts"]
    assert ours["ends"] == theirs["ends"]
    assert ours["variants"] == theirs["variants"]
    assert ours["perf"].keys() == theirs["perf"].keys()
    for key, (mean, median) in ours["perf"].items():
        p = theirs["perf"][key]
        assert math.isclose(mean, p["mean"], rel_tol=1e-9, abs_tol=1e-9), (key, mean, p["mean"])
        assert math.isclose(median, p["median"], rel_tol=1e-9, abs_tol=1e-9), (key, median, p["median"])


def test_ecom_dataset_is_the_documented_one(ecom):
    assert len(ecom) == 31_106
    assert ecom["user_id"].nunique() == 600
    assert ecom["session_id"].nunique() == 3_605


def test_ecom_agrees_with_pm4py(ecom):
    ours = cem_results(ecom, "user_id", "event", "timestamp")
    theirs = pm4py_results(ecom, "user_id", "event", "timestamp")
    assert_agree(ours, theirs)
    assert sum(ours["dfg"].values()) == len(ecom) - 600


def test_ecom_shuffled_agrees_with_pm4py(ecom):
    """Unsorted input: cem sorts (stably) by time within a customer, as format_dataframe does.

    The clickstream has 163 events at the same second as the user's previous one; shuffling
    changes the order of those ties, so the graph differs from the unshuffled one in a few
    pairs, in both tools alike."""
    shuffled = ecom.sample(frac=1.0, random_state=3).reset_index(drop=True)
    ours = cem_results(shuffled, "user_id", "event", "timestamp")
    theirs = pm4py_results(shuffled, "user_id", "event", "timestamp")
    assert_agree(ours, theirs)
    assert sum(ours["dfg"].values()) == len(ecom) - 600
    assert ours["dfg"] != cem_results(ecom, "user_id", "event", "timestamp")["dfg"]  # the ties moved


def test_ecom_polars_and_arrow_inputs_agree(ecom):
    pl = pytest.importorskip("polars")
    theirs = pm4py_results(ecom, "user_id", "event", "timestamp")
    assert_agree(cem_results(pl.from_pandas(ecom), "user_id", "event", "timestamp"), theirs)


def test_sample_company_agrees_with_pm4py(retailer):
    ours = cem_results(retailer, "customer", "touchpoint", "time")
    theirs = pm4py_results(retailer, "customer", "touchpoint", "time")
    assert_agree(ours, theirs)


def test_equal_timestamps_keep_input_order_in_both():
    """Ties: cem keeps the input order (stable sort); so does pm4py after format_dataframe
    (it sorts by case, timestamp and the original row index)."""
    t0 = pd.Timestamp("2026-01-01")
    df = pd.DataFrame(
        {
            "case": ["b", "a", "a", "a", "b", "a"],
            "act": ["x", "z", "y", "w", "y", "v"],
            "time": [t0, t0 + pd.Timedelta(60, "s"), t0, t0, t0, t0 + pd.Timedelta(60, "s")],
        }
    )
    ours = cem_results(df, "case", "act", "time")
    theirs = pm4py_results(df, "case", "act", "time")
    assert_agree(ours, theirs)
    # a: y, w at t0 (input order), then z, v at t0 + 60 s (input order).
    assert ("y", "w", "z", "v") in ours["variants"]
    assert ours["dfg"][("w", "z")] == 1
