#!/usr/bin/env python3
"""Alert rules: the Rust harness and the pandas peer on identical responses, in one
invocation; checks that the match counts agree and prints times and the ratio.

    PYTHON=.venv/bin/python python3 benches/compare_alerts.py --rows 1000000 --repeat 5

1. `cargo bench -p cem-benches --bench alerts -- --rows N --dump DIR/responses.csv --json ...`
   generates the seeded responses, writes them with Rust's match counts, and times the core
   (rules, case book, monitor) on one thread.
2. `benches/peers/alerts_pandas.py DIR/responses.csv` (under $PYTHON) checks the counts and
   times the same 7 rules as vectorized pandas masks.

Results go to benches/results/compare-alerts-<rows>.json (git-ignored).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    python = os.environ.get("PYTHON", sys.executable)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "responses.csv"
        rust_json = Path(tmp) / "rust.json"
        subprocess.run(
            ["cargo", "bench", "-p", "cem-benches", "--bench", "alerts", "--", "--rows", str(a.rows),
             "--repeat", str(a.repeat), "--dump", str(csv), "--json", str(rust_json)],
            cwd=ROOT, check=True)
        rust = json.loads(rust_json.read_text())
        out = subprocess.run([python, str(ROOT / "benches/peers/alerts_pandas.py"), str(csv),
                              "--repeat", str(a.repeat)], check=True, capture_output=True, text=True)
        pandas = json.loads(out.stdout)
    rules = next(c for c in rust["cases"] if c["name"] == "rules_7_fixture")
    print(f"\n{a.rows} responses, 7 rules; match counts agree: {pandas['counts'] == rust['rule_matches']}")
    print(f"{'':<28} {'median ms':>10} {'responses/s':>14}")
    print(f"{'cem (Rust, 1 thread)':<28} {rules['median_s'] * 1e3:>10.1f} {a.rows / rules['median_s']:>14,.0f}")
    print(f"{'pandas ' + pandas['version']:<28} {pandas['median_s'] * 1e3:>10.1f} {a.rows / pandas['median_s']:>14,.0f}")
    print(f"ratio pandas / cem: {pandas['median_s'] / rules['median_s']:.1f}x")
    results = ROOT / "benches" / "results"
    results.mkdir(exist_ok=True)
    (results / f"compare-alerts-{a.rows}.json").write_text(json.dumps({"rust": rust, "pandas": pandas}, indent=2))
    return 0 if pandas["counts"] == rust["rule_matches"] else 1


if __name__ == "__main__":
    sys.exit(main())
