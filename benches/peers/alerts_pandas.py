#!/usr/bin/env python3
"""Peer for the alerts bench: the 7 rules of tests/data/alerts/rules.json evaluated with
pandas, vectorized (one boolean mask per rule), the way an analyst would write them.

    python benches/peers/alerts_pandas.py FILE.csv [--repeat R]

Reads the responses `cargo bench -p cem-benches --bench alerts -- --dump FILE.csv` wrote
(loading is not timed; users already have a frame), checks the match counts against
FILE.counts.json (Rust's), and prints one JSON line with the timings.
"""

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import pandas as pd


def masks(df: pd.DataFrame, lower: pd.Series) -> list[pd.Series]:
    """One mask per rule, in the fixture's order. Missing values compare false (NaN <= x is
    False in pandas, which is the rule semantics)."""

    def word(w: str) -> pd.Series:
        return lower.str.contains(rf"(?<!\w){w}(?!\w)", regex=True, na=False)

    has_comment = df["comment"].notna()
    return [
        df["nps"] <= 6,
        df["csat"] <= 2,
        (df["sentiment"] <= -0.5) & has_comment,
        df["tier"].isin(["gold", "platinum"])
        & (word("cancel") | lower.str.contains("never again", regex=False, na=False) | word("switch")),
        lower.str.contains("refund", regex=False, na=False) & ~df["channel"].isin(["store", "sales_visit"]),
        (df["channel"] == "call_centre") & (df["ces"] > 4) & ~(df["nps"] >= 9),
        (df["segment"] == "enterprise") & df["nps"].isna() & (df["sentiment"] < 0),
    ]


def evaluate(df: pd.DataFrame) -> list[int]:
    lower = df["comment"].str.lower()
    return [int(m.sum()) for m in masks(df, lower)]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("csv")
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    df = pd.read_csv(a.csv, dtype={"comment": "string", "channel": "string", "tier": "string", "segment": "string"},
                     keep_default_na=False, na_values={"nps": [""], "csat": [""], "ces": [""], "sentiment": [""]})
    df["comment"] = df["comment"].where(df["comment"] != "", pd.NA)
    want = json.loads(Path(a.csv).with_suffix(".counts.json").read_text())
    got = evaluate(df)
    if got != want["counts"]:
        print(f"counts differ: pandas {got} vs cem {want['counts']}", file=sys.stderr)
        return 1
    runs = []
    for _ in range(a.repeat):
        t0 = time.perf_counter()
        evaluate(df)
        runs.append(time.perf_counter() - t0)
    print(json.dumps({"peer": "pandas", "version": pd.__version__, "rows": len(df),
                      "median_s": statistics.median(runs), "min_s": min(runs), "counts": got}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
