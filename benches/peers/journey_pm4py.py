"""pm4py (AGPL; run as an external program, never vendored) on the journey benchmark data:
``discover_dfg`` (counts, starts, ends), ``discover_performance_dfg`` (mean and median
durations) and ``get_variants``. pm4py has no funnel analysis, so there is no funnel case.

    python journey_pm4py.py --data DIR [--repeat R] [--out result.json]

Set-up (not timed): a pandas DataFrame with the case id as text, the activity as ``t<code>``
and the time as a datetime, as a pm4py user would load it. Timed: ``format_dataframe`` (pm4py
needs it: it sorts by case and time and adds its index columns) as ``prepare``, then each
discovery call. Prints the timings as JSON on stdout (driver: benches/compare_journey.py).
"""

import argparse
import json
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd
import pm4py


def load(data):
    c = np.fromfile(f"{data}/customers.u32le", dtype="<u4")
    t = np.fromfile(f"{data}/touchpoints.u32le", dtype="<u4")
    ts = np.fromfile(f"{data}/times.i64le", dtype="<i8")
    return pd.DataFrame(
        {
            "customer": pd.Series(c).astype(str),
            "touchpoint": pd.Series(t).map(lambda x: f"t{x}"),
            "time": pd.to_datetime(ts, unit="s"),
        }
    )


def timed(fn, arg, repeat):
    runs = []
    result = None
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        result = fn(arg)
        runs.append(time.perf_counter() - t0)
    return result, {"median_s": statistics.median(runs), "min_s": min(runs), "runs_s": runs}


def prepare(df):
    return pm4py.format_dataframe(df.copy(), case_id="customer", activity_key="touchpoint", timestamp_key="time")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--out")
    a = p.parse_args()
    raw = load(a.data)
    log, t_prep = timed(prepare, raw, a.repeat)
    (dfg, starts, ends), t_dfg = timed(pm4py.discover_dfg, log, a.repeat)
    (perf, _, _), t_perf = timed(pm4py.discover_performance_dfg, log, a.repeat)
    variants, t_var = timed(pm4py.get_variants, log, a.repeat)
    code = lambda s: int(s[1:])  # noqa: E731
    if a.out:
        counts = [v if isinstance(v, (int, np.integer)) else len(v) for v in variants.values()]
        with open(a.out, "w") as f:
            json.dump(
                {
                    "edges": sorted(
                        [code(s), code(t), int(n), None, float(perf[(s, t)]["mean"]), float(perf[(s, t)]["median"])]
                        for (s, t), n in dfg.items()
                    ),
                    "starts": sorted([code(k), int(v)] for k, v in starts.items()),
                    "ends": sorted([code(k), int(v)] for k, v in ends.items()),
                    "variants": len(variants),
                    "top_variant_count": int(max(counts)) if counts else None,
                    "funnel": None,
                },
                f,
            )
    json.dump(
        {
            "name": "pm4py",
            "version": pm4py.__version__,
            "events": len(raw),
            "cases": {"prepare": t_prep, "dfg": t_dfg, "performance_dfg": t_perf, "variants": t_var},
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
