#!/usr/bin/env python3
"""Key-driver analysis: the Rust harness, cem's Python binding and numpy/statsmodels doing the
same computation, on identical data in one invocation; checks that they agree and prints
times and ratios.

    PYTHON=.venv/bin/python python3 benches/compare_drivers.py --rows 1000000 --repeat 3

1. `cargo bench -p cem-benches --bench drivers -- --rows N --dump DIR --json ...` generates
   the seeded ratings (a target and 20 correlated 1–10 driver ratings), writes them
   (ratings.f64le, column-major) with its importances (rust_drivers.json) and times the core.
2. The binding (`cem.drivers.key_drivers` on a pandas DataFrame) and the numpy/statsmodels
   peer run on the same bytes, each as its own process under $PYTHON:
   - relative weights, 20 drivers: `np.corrcoef` of the (21, N) matrix, `np.linalg.eigh`,
     Λ = Q√DQᵀ, β = Λ⁻¹r, ε = (Λ∘Λ)β²; plus `statsmodels.OLS(...).fit()` for R² and betas
     (what one would call first);
   - Shapley, 12 drivers: `np.corrcoef` once, then R² of all 4,095 subsets by
     `np.linalg.solve` on the subset's correlation block, and the Shapley weights;
   - relative weights with 100 bootstrap replicates on the first 100,000 rows: resampled
     indices, `np.corrcoef` and the formula per replicate.
3. Agreement: importances and R² of binding and peer against the harness to 1e-9.
4. Times: median wall time and median process CPU time (all threads) of each peer case.

Results go to benches/results/compare-drivers-<rows>.json (git-ignored).
"""

import argparse
import itertools
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


def run(cmd, **kw):
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, **kw)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {code}")
    return out, usage.ru_maxrss * 1024


def build_harness():
    out = subprocess.run(
        ["cargo", "bench", "-p", "cem-benches", "--bench", "drivers", "--no-run", "--message-format=json"],
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True,
    ).stdout
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "drivers":
            return msg["executable"]
    sys.exit("could not find the drivers bench executable")


def timed(fn, repeat):
    """Wall and CPU time (the process's, all threads: on a shared machine the CPU time is what
    the load disturbs least)."""
    result = fn()  # warm-up
    runs, cpu = [], []
    for _ in range(max(1, repeat)):
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return result, {
        "median_ms": 1e3 * statistics.median(runs), "min_ms": 1e3 * min(runs),
        "cpu_median_ms": 1e3 * statistics.median(cpu),
    }


def load(data):
    import numpy as np

    meta = json.loads((Path(data) / "rust_drivers.json").read_text())
    m = np.fromfile(Path(data) / "ratings.f64le", dtype="<f8").reshape(meta["drivers"] + 1, meta["rows"])
    return meta, m


# ---------------------------------------------------------------------- peers (subprocesses)


def peer_binding(data, repeat):
    import pandas as pd

    from cem.drivers import key_drivers

    meta, m = load(data)
    p, q = meta["drivers"], meta["shapley_drivers"]
    names = [f"d{j}" for j in range(p)]
    df = pd.DataFrame({"y": m[0], **{n: m[j + 1] for j, n in enumerate(names)}})
    small = df.iloc[:100_000]
    rw, t_rw = timed(lambda: key_drivers(df, target="y", drivers=names), repeat)
    sh, t_sh = timed(lambda: key_drivers(df, target="y", drivers=names[:q], method="shapley"), repeat)
    _, t_boot = timed(lambda: key_drivers(small, target="y", drivers=names, n_boot=100, seed=1), min(repeat, 3))
    return {
        "cases": {"relative_weights": t_rw, "shapley": t_sh, "boot": t_boot},
        "relative_weights": rw.table["importance"].tolist(), "r2": rw.r2,
        "beta": rw.table["beta"].tolist(), "shapley": sh.table["importance"].tolist(),
    }


def np_weights(R):
    import numpy as np

    rxx, rxy = R[1:, 1:], R[1:, 0]
    evals, evecs = np.linalg.eigh(rxx)
    lam = (evecs * np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def np_shapley(R):
    import numpy as np

    p = R.shape[0] - 1
    rxx, rxy = R[1:, 1:], R[1:, 0]
    r2 = np.zeros(1 << p)
    for mask in range(1, 1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        r = rxy[idx]
        r2[mask] = r @ np.linalg.solve(rxx[np.ix_(idx, idx)], r)
    phi = np.zeros(p)
    for mask in range(1 << p):
        s = bin(mask).count("1")
        if s == p:
            continue
        w = math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p)
        for j in range(p):
            if not mask >> j & 1:
                phi[j] += w * (r2[mask | 1 << j] - r2[mask])
    return phi


def peer_numpy(data, repeat):
    import numpy as np
    import statsmodels.api as sm

    meta, m = load(data)
    q = meta["shapley_drivers"]
    rw, t_rw = timed(lambda: np_weights(np.corrcoef(m)), repeat)
    X = sm.add_constant(m[1:].T)
    fit, t_ols = timed(lambda: sm.OLS(m[0], X).fit(), repeat)
    sh, t_sh = timed(lambda: np_shapley(np.corrcoef(m[: q + 1])), repeat)
    small = np.ascontiguousarray(m[:, :100_000])
    rng = np.random.default_rng(1)

    def boot():
        n = small.shape[1]
        out = [np_weights(np.corrcoef(small)) ]
        for _ in range(100):
            out.append(np_weights(np.corrcoef(small[:, rng.integers(0, n, n)])))
        return out

    _, t_boot = timed(boot, min(repeat, 3))
    sd = m.std(axis=1)
    return {
        "cases": {"relative_weights": t_rw, "ols_fit": t_ols, "shapley": t_sh, "boot": t_boot},
        "relative_weights": rw.tolist(), "r2": float(fit.rsquared),
        "beta": (fit.params[1:] * sd[1:] / sd[0]).tolist(), "shapley": sh.tolist(),
    }


# ---------------------------------------------------------------------- main


def agree(name, ref, got):
    for key, tol in (("relative_weights", 1e-9), ("beta", 1e-8), ("shapley", 1e-9)):
        diff = max(abs(a - b) for a, b in zip(ref[key], got[key]))
        if diff > tol:
            sys.exit(f"{name} disagrees with the Rust harness on {key}: max difference {diff:.3g}")
    if abs(ref["r2"] - got["r2"]) > 1e-9:
        sys.exit(f"{name} disagrees with the Rust harness on R²: {ref['r2']} vs {got['r2']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--peer", choices=["binding", "numpy"])
    ap.add_argument("--data")
    a = ap.parse_args()
    if a.peer:
        fn = peer_binding if a.peer == "binding" else peer_numpy
        json.dump(fn(a.data, a.repeat), sys.stdout)
        return
    python = os.environ.get("PYTHON", sys.executable)
    exe = build_harness()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp)
        run([exe, "--rows", str(a.rows), "--repeat", str(a.repeat), "--dump", str(data), "--json", str(data / "rust.json")])
        rust = {c["name"]: c for c in json.loads((data / "rust.json").read_text())["cases"]}
        ref = json.loads((data / "rust_drivers.json").read_text())
        out, rss_b = run([python, __file__, "--peer", "binding", "--data", str(data), "--repeat", str(a.repeat)])
        binding = json.loads(out)
        out, rss_n = run([python, __file__, "--peer", "numpy", "--data", str(data), "--repeat", str(a.repeat)])
        numpy_ = json.loads(out)
    agree("cem.drivers", ref, binding)
    agree("numpy/statsmodels", ref, numpy_)
    p, q = ref["drivers"], ref["shapley_drivers"]
    rows = [
        (f"relative weights, {p} drivers × {a.rows:,}", f"relative_weights_{p}", "relative_weights", "relative_weights"),
        (f"Shapley, {q} drivers × {a.rows:,}", f"shapley_{q}", "shapley", "shapley"),
        (f"relative weights + 100 bootstrap, {p} × 100,000", f"relative_weights_{p}_boot100_100000rows", "boot", "boot"),
    ]
    print(f"all agree (importances to 1e-9, betas to 1e-8, R² to 1e-9); R² = {ref['r2']:.6f}")
    print(f"{'case':<48} {'cem (Rust) ms':>14} {'cem.drivers ms':>15} {'numpy ms':>10} {'numpy / cem.drivers':>20}"
          f" {'cem.drivers CPU ms':>19} {'numpy CPU ms':>13} {'CPU ratio':>10}")
    for label, rk, bk, nk in rows:
        r, b, n = rust[rk]["median_ms"], binding["cases"][bk]["median_ms"], numpy_["cases"][nk]["median_ms"]
        bc, nc = binding["cases"][bk]["cpu_median_ms"], numpy_["cases"][nk]["cpu_median_ms"]
        print(f"{label:<48} {r:>14,.1f} {b:>15,.1f} {n:>10,.1f} {n / b:>19.1f}× {bc:>19,.1f} {nc:>13,.1f} {nc / bc:>9.1f}×")
    ols = numpy_["cases"]["ols_fit"]["median_ms"]
    print(f"{'statsmodels OLS fit alone (R², betas), 20 × N':<48} {'':>14} {'':>15} {ols:>10,.1f}")
    for k, v in rust.items():
        if k.startswith("shapley_20"):
            print(f"{'Shapley, 20 drivers × 100,000 (Rust only)':<48} {v['median_ms']:>14,.1f}")
    print(f"peak RSS: cem.drivers {rss_b / 1e6:,.0f} MB, numpy/statsmodels {rss_n / 1e6:,.0f} MB")
    results = ROOT / "benches" / "results"
    results.mkdir(exist_ok=True)
    (results / f"compare-drivers-{a.rows}.json").write_text(
        json.dumps({"rust": rust, "binding": binding["cases"], "numpy": numpy_["cases"], "rss": [rss_b, rss_n]}, indent=1)
    )


if __name__ == "__main__":
    main()
