"""cem.survey on pandas, polars and pyarrow frames: the frame-native functions against the
previous version that converted every frame to pandas first (issue #10).

The previous Python module is taken from git (commit 87fbd7a, the last one before the
change) and run against the same native extension, so the difference is only the frame
handling. One run per cell (the machine is shared); seconds of wall clock.

    .venv/bin/python benches/compare_orchestrate_frames.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa

import cem._orchestrate as new

ROOT = Path(__file__).resolve().parents[1]
OLD_COMMIT = "87fbd7a"
RULES = {
    "seed": 1,
    "quarantine": {"for": "7d"},
    "caps": [{"max": 2, "per": "30d"}],
    "triggers": [
        {"id": f"t{i}", "survey": f"s{i % 4}", "touchpoints": [f"tp{i}", f"tp{i + 10}"], "sample": 0.3 + 0.03 * i}
        for i in range(10)
    ],
}


def old_module():
    text = subprocess.run(
        ["git", "show", f"{OLD_COMMIT}:cem-py/python/cem/_orchestrate.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp()) / "_orchestrate_old.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("_orchestrate_old", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def data(n: int):
    rng = np.random.default_rng(20261126)
    log = pd.DataFrame({
        "customer_id": rng.integers(0, n // 10, n).astype(str),
        "timestamp": np.sort(rng.integers(0, 365 * 86400, n)),
        "touchpoint": pd.Categorical.from_codes(rng.integers(0, 40, n), [f"tp{i}" for i in range(40)]),
        "segment": rng.choice(["gold", "basic", "staff"], n),
    })
    invited = rng.integers(1_750_000_000, 1_780_000_000, n)
    answered = rng.random(n) < 0.3
    inv = pd.DataFrame({
        "survey": rng.choice(["nps", "csat", "ces"], n),
        "channel": rng.choice(["email", "sms", "app"], n),
        "invited_at": invited,
        "responded_at": np.where(answered, invited + rng.integers(0, 86400, n), np.nan),
    })
    tenure = rng.gamma(2.0, 3.0, n)
    tier = rng.choice(["gold", "silver", "basic"], n)
    resp = rng.random(n) < 0.2 + 0.2 * (tier == "gold")
    nr = pd.DataFrame({"tier": tier, "tenure": tenure, "responded": resp,
                       "nps": np.where(resp, rng.integers(0, 11, n), np.nan)})  # fmt: skip
    return log, inv, nr


def frames(df: pd.DataFrame) -> dict[str, object]:
    table = pa.Table.from_pandas(df, preserve_index=False)
    return {"pandas": df, "polars": pl.from_arrow(table), "pyarrow": table}


def timed(f) -> float:
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    old = old_module()
    log, inv, nr = data(args.rows)
    calls = {
        "Orchestrator.feed": (frames(log), lambda m, f: m.Orchestrator(RULES).feed(f)),
        "simulate": (frames(log), lambda m, f: m.simulate(f, RULES)),
        "response_rates(by 2, period M)": (frames(inv), lambda m, f: m.response_rates(f, ["survey", "channel"], period="M")),
        "nonresponse(1 cat, 1 num, nps)": (frames(nr), lambda m, f: m.nonresponse(f, categorical=["tier"], numeric=["tenure"], nps="nps")),
    }
    print(f"rows: {args.rows:,}; python {sys.version.split()[0]}, pandas {pd.__version__}, polars {pl.__version__}, pyarrow {pa.__version__}")
    print("| call | input | before (to pandas) s | now s | before / now |")
    print("|---|---|---|---|---|")
    for name, (fs, call) in calls.items():
        for kind, f in fs.items():
            before = timed(lambda: call(old, f))
            now = timed(lambda: call(new, f))
            print(f"| {name} | {kind} | {before:.3f} | {now:.3f} | {before / now:.2f} |", flush=True)


if __name__ == "__main__":
    main()
