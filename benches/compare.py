#!/usr/bin/env python3
"""Run the Rust harness and the pandas and polars peers on identical data in one invocation,
check that the three agree, and print times, ratios and peak memory.

    PYTHON=/work/main/.venv/bin/python python3 benches/compare.py --rows 10000000

The driver needs only the standard library; the peers run under $PYTHON (default `python3`),
which needs numpy, pandas and polars. Each program runs as its own process; its peak RSS
comes from wait4(). Results go to benches/results/compare-<rows>.json (git-ignored).
"""

import argparse
import csv
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT / "benches" / "peers"


def run(cmd, **kw):
    """Runs `cmd`, returns (stdout, peak RSS in bytes of it and its children)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {proc.returncode}")
    return out, usage.ru_maxrss * 1024


def build_harness():
    """Builds the release bench binary and returns its path (run directly, not via cargo,
    so its RSS is its own)."""
    out = subprocess.run(
        ["cargo", "bench", "-p", "cem-benches", "--bench", "metrics", "--no-run",
         "--message-format=json"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and \
                msg["target"]["name"] == "metrics":
            return msg["executable"]
    sys.exit("could not find the metrics bench executable")


def read_table(path):
    with open(path, newline="") as f:
        return [
            {
                "key": (int(r["segment"]), r["month"]),
                "counts": (int(r["n"]), int(r["promoters"]), int(r["detractors"])),
                "values": tuple(float(r[k]) for k in ("nps", "low", "high")),
            }
            for r in csv.DictReader(f)
        ]


def max_difference(a, b):
    """Largest absolute difference of NPS/low/high; exits if keys or counts differ."""
    if [r["key"] for r in a] != [r["key"] for r in b]:
        sys.exit("the result tables have different (segment, month) keys")
    worst = 0.0
    for ra, rb in zip(a, b):
        if ra["counts"] != rb["counts"]:
            sys.exit(f"counts differ at {ra['key']}: {ra['counts']} vs {rb['counts']}")
        worst = max(worst, *(abs(x - y) for x, y in zip(ra["values"], rb["values"])))
    return worst


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def mem_total():
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--data", help="directory for the dumped columns (default: a temp dir)")
    ap.add_argument("--json", help="where to write the results (default benches/results/compare-<rows>.json)")
    a = ap.parse_args()
    python = os.environ.get("PYTHON", "python3")

    exe = build_harness()
    with tempfile.TemporaryDirectory(prefix="cem-bench-") as tmp:
        data = Path(a.data or tmp)
        rust_json = data / "rust.json"
        _, rust_rss = run([exe, "--rows", str(a.rows), "--repeat", str(a.repeat),
                           "--dump", str(data), "--json", str(rust_json)])
        rust = json.loads(rust_json.read_text())
        rust_table = read_table(data / "rust_nps.csv")
        peers = {}
        for name in ("polars", "pandas"):
            out, rss = run([python, str(PEERS / f"nps_groupby_{name}.py"), "--data", str(data),
                            "--repeat", str(a.repeat), "--out", str(data / f"{name}.csv")],
                           cwd=PEERS)
            res = json.loads(out)
            res["process_peak_rss_bytes"] = rss
            res["max_abs_difference_vs_rust"] = max_difference(rust_table, read_table(data / f"{name}.csv"))
            peers[name] = res

    cases = {c["name"]: c for c in rust["cases"]}
    ours = cases["nps_by_segment_month"]
    mb = lambda b: f"{b / 1e6:,.0f}" if b else "?"
    one = cases["nps_by_segment_month_1thread"]
    rows = [(f"cem (Rust) {rust['threads']} threads", ours["median_s"], ours["min_s"], rust["rss_after_load_bytes"], rust_rss),
            ("cem (Rust) 1 thread", one["median_s"], one["min_s"], rust["rss_after_load_bytes"], rust_rss)]
    rows += [(f"{n} {'(lazy)' if n == 'polars' else ''}".strip(), p["median_s"], p["min_s"],
              p["rss_after_load_bytes"], p["process_peak_rss_bytes"]) for n, p in peers.items()]
    print(f"\nNPS + adjusted Wald 95% CI by segment x month: {a.rows:,} rows, "
          f"{rust['segments']} segments, {rust['cells']} cells; inputs {mb(rust['input_bytes'])} MB")
    print(f"{'implementation':<28} {'median ms':>10} {'min ms':>10} {'Mrows/s':>9} {'cem faster':>11}"
          f" {'RSS loaded MB':>14} {'peak RSS MB':>12}")
    for name, med, mn, loaded, peak in rows:
        ratio = med / ours["median_s"]
        print(f"{name:<28} {med * 1e3:>10.1f} {mn * 1e3:>10.1f} {a.rows / med / 1e6:>9.1f} "
              f"{ratio:>10.1f}x {mb(loaded):>14} {mb(peak):>12}")
    for n, p in peers.items():
        print(f"  single-threaded cem is {p['median_s'] / one['median_s']:.1f}x faster than {n}")
    for extra in ("nps_by_segment_month_weighted", "nps_push_many"):
        c = cases[extra]
        print(f"  rust {extra:<35} median {c['median_s'] * 1e3:.1f} ms, min {c['min_s'] * 1e3:.1f} ms")
    for n, p in peers.items():
        print(f"  {n} agrees with cem: same keys and counts, max |diff| of NPS/low/high "
              f"{p['max_abs_difference_vs_rust']:.2e} points")

    result = {
        "rows": a.rows,
        "repeat": a.repeat,
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "mem_total_bytes": mem_total(),
                    "load_average": os.getloadavg()},
        "python": subprocess.run([python, "-c", "import sys, numpy, pandas, polars; print(sys.version.split()[0], numpy.__version__, pandas.__version__, polars.__version__)"],
                                 stdout=subprocess.PIPE, text=True).stdout.split(),
        "rust": rust | {"process_peak_rss_bytes": rust_rss},
        "peers": peers,
        "ratios": {f"{n}_over_cem": p["median_s"] / ours["median_s"] for n, p in peers.items()},
    }
    out = Path(a.json) if a.json else ROOT / "benches" / "results" / f"compare-{a.rows}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"\nwrote {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}")


if __name__ == "__main__":
    main()
