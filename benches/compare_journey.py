#!/usr/bin/env python3
"""Journey analytics: the Rust harness, cem's Python binding, hand-written polars and pm4py
on identical data in one invocation; checks that they agree and prints times and ratios.

    PYTHON=.venv/bin/python python3 benches/compare_journey.py --events 10000000 --pm4py-events 1000000

1. `cargo bench -p cem-benches --bench journey -- --events N --dump DIR --json ...` generates
   the seeded log, writes its columns (customers.u32le, touchpoints.u32le, times.i64le) and
   its results (rust_journey.json), and times the core.
2. The binding (this script with `--binding DIR`, under $PYTHON, which needs cem installed:
   `make py`) and `benches/peers/journey_polars.py` run on the same columns, each as its own
   process; then the harness dumps a smaller log (`--pm4py-events`, default 1M: pm4py is slow)
   for `benches/peers/journey_pm4py.py` and the binding again.
3. Agreement: DFG edges (counts and distinct customers exactly, mean/median duration to 1e-9
   relative), starts, ends, number of variants and the top variant's count, the 4-step funnel
   counts. pm4py has no funnel and no distinct-customer count per edge.

Results go to benches/results/compare-journey-<events>.json (git-ignored).
"""

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "benches" / "peers"
STEPS = [0, 1, 2, 3]


def run(cmd, **kw):
    """Runs `cmd`, returns (stdout, peak RSS in bytes)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {code}")
    return out, usage.ru_maxrss * 1024


def build_harness():
    out = subprocess.run(
        ["cargo", "bench", "-p", "cem-benches", "--bench", "journey", "--no-run", "--message-format=json"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "journey":
            return msg["executable"]
    sys.exit("could not find the journey bench executable")


def harness(exe, events, repeat, data):
    data.mkdir(parents=True, exist_ok=True)
    run([exe, "--events", str(events), "--repeat", str(repeat), "--dump", str(data), "--json", str(data / "rust.json")])
    timing = json.loads((data / "rust.json").read_text())
    result = json.loads((data / "rust_journey.json").read_text())
    return {c["name"]: c for c in timing["cases"]}, result, timing


# ---------------------------------------------------------------------- the binding (subprocess)


def binding(data, repeat, out):
    """Times cem.journey on the dumped columns (a polars DataFrame, as the polars peer)."""
    import resource

    import numpy as np
    import polars as pl

    from cem.journey import EventLog

    df = pl.DataFrame(
        {
            "customer": np.fromfile(f"{data}/customers.u32le", dtype="<u4"),
            "touchpoint": np.fromfile(f"{data}/touchpoints.u32le", dtype="<u4"),
            "time": np.fromfile(f"{data}/times.i64le", dtype="<i8"),
        }
    )

    def timed(fn):
        result = fn()
        runs = []
        for _ in range(max(1, repeat)):
            t0 = time.perf_counter()
            result = fn()
            runs.append(time.perf_counter() - t0)
        return result, {"median_s": statistics.median(runs), "min_s": min(runs), "runs_s": runs}

    build = lambda: EventLog(df, customer="customer", touchpoint="touchpoint", time="time")  # noqa: E731
    log, t_build = timed(build)
    dfg, t_dfg = timed(log.dfg)
    var, t_var = timed(log.variants)
    fun, t_fun = timed(lambda: log.funnel(STEPS))
    t_win = timed(lambda: log.funnel(STEPS, within="1d"))[1]
    starts, ends = log.starts(), log.ends()
    with open(out, "w") as f:
        json.dump(
            {
                "edges": dfg.select("source", "target", "count", "customers", "mean_duration", "median_duration").rows(),
                "starts": starts.rows(),
                "ends": ends.rows(),
                "variants": var.height,
                "top_variant_count": int(var["count"][0]) if var.height else None,
                "funnel": fun["customers"].to_list(),
            },
            f,
        )
    json.dump(
        {
            "name": "cem (Python)",
            "events": df.height,
            "cases": {"event_log": t_build, "dfg": t_dfg, "variants": t_var, "funnel4": t_fun, "funnel4_window": t_win},
            "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        },
        sys.stdout,
    )


# ---------------------------------------------------------------------- agreement


def agree(name, ref, got, customers=True):
    """Exits with a message unless `got` reproduces `ref` (the Rust harness's results)."""

    def fail(what):
        sys.exit(f"{name} disagrees with the Rust harness: {what}")

    ref_edges = {(e[0], e[1]): e for e in ref["edges"]}
    got_edges = {(int(e[0]), int(e[1])): e for e in got["edges"]}
    if ref_edges.keys() != got_edges.keys():
        fail(f"DFG edges differ ({len(ref_edges)} vs {len(got_edges)})")
    for key, r in ref_edges.items():
        g = got_edges[key]
        if int(g[2]) != r[2] or (customers and int(g[3]) != r[3]):
            fail(f"edge {key}: count/customers {g[2:4]} vs {r[2:4]}")
        for i in (4, 5):
            if not math.isclose(float(g[i]), r[i], rel_tol=1e-9, abs_tol=1e-9):
                fail(f"edge {key}: duration {g[i]} vs {r[i]}")
    for part in ("starts", "ends"):
        if sorted(map(tuple, ref[part])) != sorted((int(a), int(b)) for a, b in got[part]):
            fail(part)
    if (got["variants"], got["top_variant_count"]) != (ref["variants"], ref["top_variant_count"]):
        fail(f"variants {got['variants']}/{got['top_variant_count']} vs {ref['variants']}/{ref['top_variant_count']}")
    if got.get("funnel") is not None and list(got["funnel"]) != list(ref["funnel"]):
        fail(f"funnel {got['funnel']} vs {ref['funnel']}")
    return True


# ---------------------------------------------------------------------- main


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--pm4py-events", type=int, default=1_000_000, help="0 to skip pm4py")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--data", help="directory for the dumped columns (default: a temp dir)")
    ap.add_argument("--json", help="results (default benches/results/compare-journey-<events>.json)")
    ap.add_argument("--binding", help=argparse.SUPPRESS)  # internal: time the binding on DIR
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.binding:
        return binding(a.binding, a.repeat, a.out)
    python = os.environ.get("PYTHON", sys.executable)
    if os.sep in python:
        python = os.path.abspath(python)  # the peers run in benches/peers
    exe = build_harness()
    report = {"events": a.events, "pm4py_events": a.pm4py_events}
    with tempfile.TemporaryDirectory(prefix="cem-journey-") as tmp:
        base = Path(a.data or tmp)

        def programs(data, events, names):
            rust, ref, timing = harness(exe, events, a.repeat, data)
            out = {"rust": {"cases": rust, "events": timing["events"], "customers": timing["customers"]}}
            cmds = {
                "binding": [python, __file__, "--binding", str(data), "--repeat", str(a.repeat), "--out", str(data / "binding.json")],
                "polars": [python, str(PEERS / "journey_polars.py"), "--data", str(data), "--repeat", str(a.repeat),
                           "--out", str(data / "polars.json")],
                "pm4py": [python, str(PEERS / "journey_pm4py.py"), "--data", str(data), "--repeat", "1",
                          "--out", str(data / "pm4py.json")],
            }
            for name in names:
                print(f"running {name} on {events:,} events ...", file=sys.stderr)
                stdout, rss = run(cmds[name], cwd=PEERS if name != "binding" else ROOT)
                res = json.loads(stdout)
                res["process_peak_rss_bytes"] = rss
                got = json.loads((data / f"{name}.json").read_text())
                res["agrees"] = agree(name, ref, got, customers=name != "pm4py")
                out[name] = res
            return out, ref

        big, ref = programs(base / "big", a.events, ["binding", "polars"])
        report["big"] = big
        small = None
        if a.pm4py_events:
            small, _ = programs(base / "small", a.pm4py_events, ["binding", "pm4py"])
            report["small"] = small

    ms = lambda s: f"{s * 1e3:,.1f}"  # noqa: E731
    r, b, p = big["rust"]["cases"], big["binding"]["cases"], big["polars"]["cases"]
    print(f"\nJourney analytics on {a.events:,} events, {big['rust']['customers']:,} customers, 50 touchpoints "
          f"(all agree: DFG counts/customers/durations, starts, ends, {ref['variants']:,} variants, funnel {ref['funnel']})")
    print(f"{'case':<16} {'Rust ms':>10} {'cem.journey ms':>15} {'polars ms':>10} {'polars / cem.journey':>21}")
    for case in ("dfg", "variants", "funnel4"):
        print(f"{case:<16} {ms(r[case]['median_s']):>10} {ms(b[case]['median_s']):>15} {ms(p[case]['median_s']):>10} "
              f"{p[case]['median_s'] / b[case]['median_s']:>20.1f}x")
    total = lambda c: sum(c[k]["median_s"] for k in ("dfg", "variants", "funnel4"))  # noqa: E731
    print(f"{'all three':<16} {ms(total(r)):>10} {ms(total(b)):>15} {ms(total(p)):>10} {total(p) / total(b):>20.1f}x")
    print(f"{'event_log':<16} {ms(r['event_log']['median_s']):>10} {ms(b['event_log']['median_s']):>15} {'-':>10}")
    print(f"peak RSS MB: cem.journey {big['binding']['process_peak_rss_bytes'] / 1e6:,.0f}, "
          f"polars {big['polars']['process_peak_rss_bytes'] / 1e6:,.0f}")
    if small:
        sb, sp = small["binding"]["cases"], small["pm4py"]["cases"]
        print(f"\npm4py {small['pm4py']['version']} on {a.pm4py_events:,} events (agrees: DFG counts, durations, "
              "starts, ends, variants; no funnel in pm4py)")
        print(f"{'case':<34} {'cem.journey ms':>15} {'pm4py ms':>12} {'pm4py / cem':>12}")
        pairs = [
            ("prepare (EventLog / format_dataframe)", sb["event_log"]["median_s"], sp["prepare"]["median_s"]),
            ("dfg (+ performance_dfg for pm4py)", sb["dfg"]["median_s"], sp["dfg"]["median_s"] + sp["performance_dfg"]["median_s"]),
            ("variants", sb["variants"]["median_s"], sp["variants"]["median_s"]),
        ]
        pairs.append(("dfg + variants", pairs[1][1] + pairs[2][1], pairs[1][2] + pairs[2][2]))
        for name, ours, theirs in pairs:
            print(f"{name:<34} {ms(ours):>15} {ms(theirs):>12} {theirs / ours:>11.0f}x")
    out = Path(a.json or ROOT / "benches" / "results" / f"compare-journey-{a.events}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    print(f"\nresults: {out}")


if __name__ == "__main__":
    main()
