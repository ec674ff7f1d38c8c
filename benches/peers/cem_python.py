#!/usr/bin/env python3
"""cem from Python (`cem.metrics.by`, `cem.metrics.GroupedScores`) against the pure-Rust
harness and the pandas/polars peers, on the same dumped columns, in one invocation.

    .venv/bin/python benches/peers/cem_python.py --rows 10000000 --repeat 7

Runs the Rust harness (`cargo bench -p cem-benches --bench metrics`, built here) with
`--dump`, then — in this process, under the interpreter that has `cem` installed — times NPS +
adjusted Wald 95% CI by segment x month over those exact columns given as:

* `numpy`: `GroupedScores.push(uint8, uint32, int64 seconds)` + `estimates()` (the binding);
* `pandas (numpy columns)`: `cem.metrics.by(df)` with uint8/uint32/datetime64[s] columns;
* `pyarrow`: `cem.metrics.by(table)` with uint8/uint32/timestamp[s] columns;
* `polars`: `cem.metrics.by(df)` with UInt8/UInt32/Datetime(ms) columns.

Frames are built before timing (users have them already), as for the peers; the timed part
is the call, including building the small result frame. Then the existing pandas and polars
peers run as their own processes. Every cem result is checked against the Rust table (same
keys and counts, values within 1e-12 points). Prints a table; `--json` writes the numbers.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # benches/compare.py: build_harness, run, read_table
import compare  # noqa: E402


def timed(fn, repeat):
    fn()  # warm-up
    runs = []
    for _ in range(max(1, repeat)):
        t0 = time.perf_counter()
        out = fn()
        runs.append(time.perf_counter() - t0)
    return out, runs


def cem_cases(data):
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    import cem.metrics as cm

    scores = np.fromfile(f"{data}/scores.u8", dtype=np.uint8)
    segments = np.fromfile(f"{data}/segments.u32le", dtype="<u4")
    times = np.fromfile(f"{data}/times.i64le", dtype="<i8")
    pdf = pd.DataFrame({"score": scores, "segment": segments, "ts": times.view("datetime64[s]")}, copy=False)
    table = pa.table({"score": scores, "segment": segments, "ts": pa.array(times).view(pa.timestamp("s"))})
    pldf = pl.DataFrame({"score": scores, "segment": segments, "ts": times * 1000}).with_columns(
        pl.col("ts").cast(pl.Datetime("ms"))
    )

    def numpy_case():
        g = cm.GroupedScores("nps", "month")
        g.push(scores, segments, times)
        return g.estimates()

    return {
        "cem (Python) numpy -> GroupedScores": numpy_case,
        "cem (Python) pandas numpy columns -> by": lambda: cm.by(pdf, period="month"),
        "cem (Python) pyarrow -> by": lambda: cm.by(table, period="month"),
        "cem (Python) polars -> by": lambda: cm.by(pldf, period="month"),
    }


def as_rows(out):
    """(segment, month, n) and (value, low, high) from any result form."""
    if isinstance(out, dict):
        cols = out
        months = [str(d) for d in cols["period_start"]]
    else:
        import pyarrow as pa

        t = out if isinstance(out, pa.Table) else pa.table(out) if not hasattr(out, "to_arrow") else out.to_arrow()
        if not isinstance(t, pa.Table):
            t = pa.Table.from_pandas(out, preserve_index=False)
        cols = t.to_pydict()
        months = [str(d)[:10] for d in cols["period_start"]]
    keys = [(int(s), m) for s, m in zip(cols["segment"], months)]
    return keys, list(cols["n"]), list(zip(cols["value"], cols["low"], cols["high"]))


def check(out, rust_table):
    keys, ns, values = as_rows(out)
    if keys != [r["key"] for r in rust_table] or ns != [r["counts"][0] for r in rust_table]:
        sys.exit("cem (Python) keys or counts differ from the Rust table")
    return max(abs(a - b) for row, r in zip(values, rust_table) for a, b in zip(row, r["values"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--no-peers", action="store_true", help="skip the pandas/polars peers")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--no-hugepages", action="store_true",
                    help="load the columns without numpy's madvise(MADV_HUGEPAGE) (as the Rust harness's Vecs)")
    a = ap.parse_args()

    if a.no_hugepages:
        np._core.multiarray._set_madvise_hugepage(False)
    exe = compare.build_harness()
    with tempfile.TemporaryDirectory(prefix="cem-bench-") as tmp:
        data = Path(tmp)
        compare.run([exe, "--rows", str(a.rows), "--repeat", str(a.repeat), "--dump", str(data),
                     "--json", str(data / "rust.json")])
        rust = json.loads((data / "rust.json").read_text())
        rust_table = compare.read_table(data / "rust_nps.csv")
        cases = {c["name"]: c for c in rust["cases"]}
        results = {
            f"cem (Rust) {rust['threads']} threads": cases["nps_by_segment_month"],
            "cem (Rust) 1 thread": cases["nps_by_segment_month_1thread"],
        }
        for name, fn in cem_cases(data).items():
            out, runs = timed(fn, a.repeat)
            results[name] = {"runs_s": runs, "median_s": statistics.median_high(runs), "min_s": min(runs),
                             "max_abs_difference_vs_rust": check(out, rust_table)}
        if not a.no_peers:
            for peer in ("polars", "pandas"):
                out, _ = compare.run([sys.executable, str(HERE / f"nps_groupby_{peer}.py"), "--data", str(data),
                                      "--repeat", str(a.repeat)], cwd=HERE)
                results[f"{peer}{' (lazy)' if peer == 'polars' else ''}"] = json.loads(out)

    rust_med = cases["nps_by_segment_month"]["median_s"]
    print(f"\nNPS + adjusted Wald 95% CI by segment x month, {a.rows:,} rows, {rust['cells']} cells, "
          f"repeat {a.repeat}; load average before: {os.getloadavg()[0]:.2f}")
    print(f"{'implementation':<42} {'median ms':>10} {'min ms':>10} {'/ Rust median':>14}")
    for name, r in results.items():
        print(f"{name:<42} {r['median_s'] * 1e3:>10.1f} {r['min_s'] * 1e3:>10.1f} {r['median_s'] / rust_med:>13.2f}x")
    worst = max(r.get("max_abs_difference_vs_rust", 0.0) for r in results.values())
    print(f"every cem (Python) table equals the Rust one: same keys and counts, max |diff| {worst:.1e} points")
    if a.json:
        Path(a.json).write_text(json.dumps({"rows": a.rows, "repeat": a.repeat, "rust": rust, "results": results}, indent=2))


if __name__ == "__main__":
    main()
