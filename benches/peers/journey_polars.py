"""Journey analytics in hand-written polars, following cem's definitions: the directly-follows
graph (count, distinct customers, mean and median duration), starts and ends, variants, and
a 4-step funnel 0 -> 1 -> 2 -> 3 without a window.

Event order as cem: by customer, then time, equal times in input order (a stable sort).
Funnel as cem: a customer's attempt starts at their first occurrence of step 0; each later
step matches at its earliest occurrence after the previous one.

    python journey_polars.py --data DIR [--repeat R] [--out result.json]

The DataFrame (customer u32, touchpoint u32, time i64 seconds) is built before timing, as a
user would already have it. Prints the timings as JSON on stdout (driver:
benches/compare_journey.py).
"""

import argparse
import json
import resource
import statistics
import sys
import time

import numpy as np
import polars as pl

STEPS = [0, 1, 2, 3]


def load(data):
    return pl.DataFrame(
        {
            "customer": np.fromfile(f"{data}/customers.u32le", dtype="<u4"),
            "touchpoint": np.fromfile(f"{data}/touchpoints.u32le", dtype="<u4"),
            "time": np.fromfile(f"{data}/times.i64le", dtype="<i8"),
        }
    )


def ordered(df):
    return df.sort("customer", "time", maintain_order=True)


def dfg(df):
    """The directly-follows edges (what is timed)."""
    return (
        ordered(df)
        .with_columns(
            target=pl.col("touchpoint").shift(-1),
            duration=pl.col("time").shift(-1) - pl.col("time"),
            same=pl.col("customer").shift(-1) == pl.col("customer"),
        )
        .filter(pl.col("same"))
        .group_by(pl.col("touchpoint").alias("source"), "target")
        .agg(
            count=pl.len(),
            customers=pl.col("customer").n_unique(),
            mean_duration=pl.col("duration").mean(),
            median_duration=pl.col("duration").median(),
        )
        .sort("source", "target")
    )


def starts_ends(df):
    ends = ordered(df).group_by("customer").agg(first=pl.col("touchpoint").first(), last=pl.col("touchpoint").last())
    starts = ends.group_by(pl.col("first").alias("touchpoint")).len().sort("touchpoint")
    last = ends.group_by(pl.col("last").alias("touchpoint")).len().sort("touchpoint")
    return starts, last


def variants(df):
    return (
        ordered(df)
        .group_by("customer", maintain_order=True)
        .agg(pl.col("touchpoint"))
        .group_by("touchpoint")
        .len()
        .sort("len", descending=True)
    )


def funnel(df, steps=STEPS):
    s = ordered(df).with_row_index("i").select("customer", "touchpoint", "i")
    cur = s.filter(pl.col("touchpoint") == steps[0]).group_by("customer").agg(pos=pl.col("i").min())
    counts = [cur.height]
    for step in steps[1:]:
        cur = (
            s.filter(pl.col("touchpoint") == step)
            .join(cur, on="customer")
            .filter(pl.col("i") > pl.col("pos"))
            .group_by("customer")
            .agg(pos=pl.col("i").min())
        )
        counts.append(cur.height)
    return counts


def timed(fn, df, repeat):
    result = fn(df)  # warm-up
    runs = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn(df)
        runs.append(time.perf_counter() - t0)
    return result, {"median_s": statistics.median(runs), "min_s": min(runs), "runs_s": runs}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--out")
    a = p.parse_args()
    df = load(a.data)
    pairs, t_dfg = timed(dfg, df, a.repeat)
    starts, ends = starts_ends(df)
    var, t_var = timed(variants, df, a.repeat)
    fun, t_fun = timed(funnel, df, a.repeat)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(
                {
                    "edges": pairs.select(
                        "source", "target", "count", "customers", "mean_duration", "median_duration"
                    ).rows(),
                    "starts": starts.rows(),
                    "ends": ends.rows(),
                    "variants": var.height,
                    "top_variant_count": int(var["len"][0]) if var.height else None,
                    "funnel": fun,
                },
                f,
            )
    json.dump(
        {
            "name": "polars",
            "version": pl.__version__,
            "events": df.height,
            "cases": {"dfg": t_dfg, "variants": t_var, "funnel4": t_fun},
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
