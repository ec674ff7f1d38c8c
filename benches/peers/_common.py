"""Shared pieces of the Python peers: load the columns the Rust harness dumped, time a
function, report timings and memory as JSON on stdout (the driver is benches/compare.py)."""

import argparse
import json
import resource
import statistics
import sys
import time
from statistics import NormalDist

import numpy as np

Z95 = NormalDist().inv_cdf(0.975)  # 1.959963984540054, as cem's statrs quantile


def args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="directory written by `metrics --dump`")
    p.add_argument("--repeat", type=int, default=7)
    p.add_argument("--out", help="write the result table here (CSV)")
    return p.parse_args()


def load(data):
    return (
        np.fromfile(f"{data}/scores.u8", dtype=np.uint8),
        np.fromfile(f"{data}/segments.u32le", dtype="<u4"),
        np.fromfile(f"{data}/times.i64le", dtype="<i8"),
    )


def peak_rss_bytes():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def adjusted_wald(n, promoters, detractors):
    """NPS in points and its adjusted Wald 95% interval, vectorized (numpy arrays or
    pandas/polars-converted arrays), the definition cem documents."""
    n_adj = n + 3.0
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    se = np.sqrt((p + d - (p - d) ** 2) / n_adj)
    nps = 100.0 * (promoters - detractors) / n
    low = np.clip(100.0 * (p - d - Z95 * se), -100.0, 100.0)
    high = np.clip(100.0 * (p - d + Z95 * se), -100.0, 100.0)
    return nps, low, high


def run(name, setup, compute, write):
    a = args()
    cols = load(a.data)
    state = setup(*cols)
    rss_after_load = peak_rss_bytes()
    result = compute(state)  # warm-up
    runs = []
    for _ in range(max(1, a.repeat)):
        t0 = time.perf_counter()
        result = compute(state)
        runs.append(time.perf_counter() - t0)
    if a.out:
        write(result, a.out)
    json.dump(
        {
            "name": name,
            "rows": int(len(cols[0])),
            "cells": int(len(result)),
            "runs_s": runs,
            "median_s": statistics.median_high(runs),
            "min_s": min(runs),
            "rss_after_load_bytes": rss_after_load,
            "peak_rss_bytes": peak_rss_bytes(),
        },
        sys.stdout,
    )
