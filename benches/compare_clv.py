#!/usr/bin/env python3
"""CLV and loyalty: cem (Python binding) vs lifetimes 0.11.3 and a plain pandas group-by, on
identical data in one invocation; checks that they agree and prints times and ratios.

    PYTHON=.venv/bin/python ORACLE=/tmp/oracle/bin/python python3 benches/compare_clv.py \\
        --customers 1000000 --transactions 10000000

Cases:

- BG/NBD + Gamma-Gamma fit on CDNOW (lifetimes' 2,357-customer summary, weeks) and on
  ``--customers`` synthetic customers drawn from the BG/NBD and Gamma-Gamma models with
  CDNOW-like parameters (T 30..730 whole days, recency in whole days, as ``summary``
  gives them);
- ``summary`` (lifetimes' ``summary_data_from_transaction_data``, freq "D", with amounts) on
  ``--transactions`` synthetic transactions (seconds timestamps over two years).

Each program runs as its own process on the same .npy files: cem and the pandas group-by
under $PYTHON (needs cem installed: ``make py``), lifetimes under $ORACLE (a venv with
lifetimes 0.11.3 and pandas < 3: lifetimes does not run on pandas 3). lifetimes' fits on the
synthetic customers run at ``--lifetimes-customers`` (default: all) and its summary at
``--lifetimes-transactions`` (default: all); the ratio is then per customer / per
transaction and the table says so.

Agreement: fitted parameters (cem vs lifetimes, 1e-4 relative on CDNOW; on synthetic data
both objectives are printed, as lifetimes' BFGS may stop a little short), summaries exactly
(frequency, recency, T; monetary value to 1e-9 relative) between cem and pandas, and between
cem and lifetimes on lifetimes' rows.

Results go to benches/results/compare-clv-<customers>-<transactions>.json (git-ignored).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CDNOW = ROOT / "tests" / "data" / "clv" / "cdnow_customers_summary_with_transactions.csv"
DAY = 86_400
# BG/NBD and Gamma-Gamma parameters close to CDNOW's (alpha in days), for the synthetic data.
BG = {"r": 0.25, "alpha": 30.0, "a": 0.8, "b": 2.4}
GG = {"p": 6.25, "q": 3.74, "v": 15.45}


def run(cmd):
    """Runs `cmd`, returns (parsed JSON stdout, peak RSS in bytes)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {code}")
    return json.loads(out), usage.ru_maxrss * 1024


# ---------------------------------------------------------------------- data


def generate(data: Path, customers: int, transactions: int, seed: int) -> None:
    import numpy as np

    rng = np.random.default_rng(seed)
    # CDNOW summary (weeks)
    import csv

    with open(CDNOW) as f:
        rows = list(csv.DictReader(f))
    for name, col in (("x", "frequency"), ("t_x", "recency"), ("T", "T"), ("zbar", "monetary")):
        np.save(data / f"cdnow_{col}.npy", np.array([float(r[name]) for r in rows]))

    # Synthetic customers from the BG/NBD model: Poisson purchases at rate lam while alive,
    # dropping out with probability p after each purchase, observed for T whole days.
    n = customers
    lam = rng.gamma(BG["r"], 1.0 / BG["alpha"], n)
    p = rng.beta(BG["a"], BG["b"], n)
    age = rng.integers(30, 731, n).astype(float)
    x = np.zeros(n)
    last = np.zeros(n)
    t = np.zeros(n)
    active = np.arange(n)
    while len(active):
        t[active] += rng.exponential(1.0 / lam[active])
        inside = t[active] <= age[active]
        active = active[inside]
        x[active] += 1
        last[active] = t[active]
        survive = rng.random(len(active)) >= p[active]
        active = active[survive]
    recency = np.floor(last)
    x[recency == 0] = 0  # a repeat purchase on the first day collapses into it (freq "D")
    recency[x == 0] = 0
    nu = rng.gamma(GG["q"], 1.0 / GG["v"], n)
    spend = np.where(x > 0, rng.gamma(GG["p"] * np.maximum(x, 1), 1.0 / (nu * np.maximum(x, 1))), 0.0)
    np.save(data / "syn_frequency.npy", x)
    np.save(data / "syn_recency.npy", recency)
    np.save(data / "syn_T.npy", age)
    np.save(data / "syn_monetary.npy", np.round(spend, 2))

    # Synthetic transactions: ~transactions/10 customers with sparse ids, two years.
    m = transactions
    ids = rng.choice(np.arange(10_000_000, 99_999_999, 37), size=max(m // 10, 1), replace=False)
    start = 1_640_995_200  # 2022-01-01
    times = start + rng.integers(0, 2 * 365 * DAY, m)
    np.save(data / "tx_customer.npy", ids[rng.integers(0, len(ids), m)].astype(np.int64))
    np.save(data / "tx_time.npy", times.astype(np.int64))
    np.save(data / "tx_amount.npy", np.round(rng.gamma(2.0, 15.0, m), 2))
    (data / "meta.json").write_text(json.dumps({"observation_end": int(start + 2 * 365 * DAY)}))


def load(data: Path, prefix: str, names, limit=None):
    import numpy as np

    return [np.load(data / f"{prefix}_{n}.npy")[:limit] for n in names]


def timed(f, repeat):
    """Wall and CPU time (all threads of the process) of `repeat` runs: on a shared machine
    the CPU time is the steadier measure of the work done."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        result = f()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return result, {
        "median_ms": statistics.median(times),
        "min_ms": min(times),
        "cpu_median_ms": statistics.median(cpu),
        "runs": len(times),
    }


# ---------------------------------------------------------------------- the three programs


def role_cem(data: Path, repeat: int):
    import numpy as np
    import pandas as pd

    from cem import loyalty
    from cem.clv import BetaGeo, GammaGamma

    out = {"cases": {}, "results": {}}
    for label, prefix in (("cdnow", "cdnow"), ("synthetic", "syn")):
        x, tx, t, m = load(data, prefix, ["frequency", "recency", "T", "monetary"])
        repeat_x, repeat_m = x[x > 0], m[x > 0]

        def fit():
            bg = BetaGeo().fit(x, tx, t)
            gg = GammaGamma().fit(repeat_x, repeat_m)
            return bg, gg

        fit()  # warm-up
        (bg, gg), timing = timed(fit, repeat)
        out["cases"][f"fit {label}"] = timing
        out["results"][label] = {
            "bg": bg.params, "gg": gg.params,
            "bg_objective": bg.fit_report["objective"], "gg_objective": gg.fit_report["objective"],
            "customers": len(x),
        }  # fmt: skip
    c, tm, a = load(data, "tx", ["customer", "time", "amount"])
    end = json.loads((data / "meta.json").read_text())["observation_end"]
    frame = pd.DataFrame({"customer": c, "time": tm, "amount": a})

    def summarize():
        return loyalty.summary(frame, "customer", "time", "amount", observation_end=end, freq="D")

    s, timing = timed(summarize, repeat)
    out["cases"]["summary"] = timing
    out["transactions"] = len(c)
    np.save(data / "cem_summary.npy", s[["customer", "frequency", "recency", "T", "monetary_value"]].to_numpy(float))
    return out


def role_pandas(data: Path, repeat: int):
    """lifetimes' definitions with a plain pandas group-by (no lifetimes)."""
    import numpy as np
    import pandas as pd

    c, tm, a = load(data, "tx", ["customer", "time", "amount"])
    end = json.loads((data / "meta.json").read_text())["observation_end"]
    frame = pd.DataFrame({"customer": c, "time": tm, "amount": a})

    def summarize():
        day = frame["time"] // DAY
        per = frame.assign(day=day).groupby(["customer", "day"], sort=True)["amount"].sum().reset_index()
        g = per.groupby("customer", sort=True)
        first = g["day"].transform("min")
        out = g.agg(first=("day", "min"), last=("day", "max"), n=("day", "size"), total=("amount", "sum"))
        first_amount = per.loc[per["day"] == first].set_index("customer")["amount"]
        frequency = out["n"] - 1
        repeat_spend = out["total"] - first_amount.reindex(out.index)
        return pd.DataFrame(
            {
                "frequency": frequency.astype(float),
                "recency": (out["last"] - out["first"]).astype(float),
                "T": (end // DAY - out["first"]).astype(float),
                "monetary_value": np.where(frequency > 0, repeat_spend / frequency.where(frequency > 0, 1), 0.0),
            },
            index=out.index,
        )

    s, timing = timed(summarize, repeat)
    np.save(data / "pandas_summary.npy", s.reset_index()[["customer", "frequency", "recency", "T", "monetary_value"]].to_numpy(float))
    return {"cases": {"summary": timing}, "transactions": len(c)}


def role_lifetimes(data: Path, repeat: int, customers: int, transactions: int):
    import warnings

    import numpy as np
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    warnings.simplefilter("ignore")
    out = {"cases": {}, "results": {}}
    for label, prefix, limit, reps in (("cdnow", "cdnow", None, repeat), ("synthetic", "syn", customers, 1)):
        x, tx, t, m = load(data, prefix, ["frequency", "recency", "T", "monetary"], limit)
        repeat_x, repeat_m = x[x > 0], m[x > 0]

        def fit():
            bg = BetaGeoFitter().fit(x, tx, t)
            gg = GammaGammaFitter().fit(repeat_x, repeat_m)
            return bg, gg

        (bg, gg), timing = timed(fit, reps)
        out["cases"][f"fit {label}"] = timing
        out["results"][label] = {
            "bg": {k: float(v) for k, v in bg.params_.items()},
            "gg": {k: float(v) for k, v in gg.params_.items()},
            "bg_objective": float(bg._negative_log_likelihood_),
            "gg_objective": float(gg._negative_log_likelihood_),
            "customers": len(x),
        }
    c, tm, a = load(data, "tx", ["customer", "time", "amount"], transactions)
    end = json.loads((data / "meta.json").read_text())["observation_end"]
    frame = pd.DataFrame({"customer": c, "date": pd.to_datetime(tm, unit="s"), "amount": a})
    end_ts = pd.Timestamp(end, unit="s")

    def summarize():
        return summary_data_from_transaction_data(
            frame, "customer", "date", monetary_value_col="amount", observation_period_end=end_ts, freq="D"
        )

    s, timing = timed(summarize, 1)
    out["cases"]["summary"] = timing
    out["transactions"] = len(c)
    np.save(
        data / "lifetimes_summary.npy",
        s.reset_index()[["customer", "frequency", "recency", "T", "monetary_value"]].to_numpy(float),
    )
    return out


# ---------------------------------------------------------------------- driver


def agree_summary(data: Path, other: str) -> bool:
    """cem's summary equals `other`'s: frequency, recency, T exactly, monetary to 1e-9."""
    import numpy as np

    cem = np.load(data / "cem_summary.npy")
    o = np.load(data / f"{other}_summary.npy")
    same = len(o) == len(cem) and np.array_equal(o[:, :4], cem[:, :4])
    return bool(same and np.allclose(o[:, 4], cem[:, 4], rtol=1e-9, atol=1e-9))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--transactions", type=int, default=10_000_000)
    p.add_argument("--lifetimes-customers", type=int, default=None)
    p.add_argument("--lifetimes-transactions", type=int, default=None)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--seed", type=int, default=20261126)
    p.add_argument("--role", choices=["generate", "truncate", "agree-pandas", "agree-lifetimes", "cem", "pandas", "lifetimes"], help=argparse.SUPPRESS)
    p.add_argument("--data", help=argparse.SUPPRESS)
    a = p.parse_args()
    if a.role:
        data = Path(a.data)
        if a.role == "generate":
            generate(data, a.customers, a.transactions, a.seed)
            result = {}
        elif a.role == "truncate":
            import numpy as np

            for n in ("customer", "time", "amount"):
                np.save(data / f"tx_{n}.npy", np.load(data / f"tx_{n}.npy")[: a.lifetimes_transactions])
            result = {}
        elif a.role.startswith("agree-"):
            result = {"equal": agree_summary(data, a.role.removeprefix("agree-"))}
        elif a.role == "cem":
            result = role_cem(data, a.repeat)
        elif a.role == "pandas":
            result = role_pandas(data, a.repeat)
        else:
            result = role_lifetimes(data, a.repeat, a.lifetimes_customers, a.lifetimes_transactions)
        json.dump(result, sys.stdout)
        return

    python = os.environ.get("PYTHON", "python3")
    oracle = os.environ.get("ORACLE", "/tmp/oracle/bin/python")
    lc = a.lifetimes_customers or a.customers
    lt = a.lifetimes_transactions or a.transactions
    with tempfile.TemporaryDirectory(prefix="cem-clv-") as tmp:
        data = Path(tmp)
        me = [str(Path(__file__).resolve()), "--data", tmp, "--repeat", str(a.repeat)]
        t0 = time.perf_counter()
        sizes = ["--customers", str(a.customers), "--transactions", str(a.transactions), "--seed", str(a.seed)]
        run([python, *me, "--role", "generate", *sizes])
        print(f"data generated in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
        cem, cem_rss = run([python, *me, "--role", "cem"])
        pandas, pandas_rss = run([python, *me, "--role", "pandas"])
        agree = {"pandas": run([python, *me, "--role", "agree-pandas"])[0]["equal"]}
        lt_args = ["--lifetimes-customers", str(lc), "--lifetimes-transactions", str(lt)]
        life, life_rss = run([oracle, *me, "--role", "lifetimes", *lt_args])
        if lt < a.transactions:
            # cem again on lifetimes' prefix of the transactions, for the agreement check
            run([python, *me, "--role", "truncate", "--lifetimes-transactions", str(lt)])
            run([python, *me, "--role", "cem", "--repeat", "1"])
        agree["lifetimes"] = run([python, *me, "--role", "agree-lifetimes"])[0]["equal"]

    def rel(u, v):
        return max(abs(u[k] - v[k]) / abs(v[k]) for k in v)

    report = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "customers": a.customers,
        "transactions": a.transactions,
        "lifetimes_customers": lc,
        "lifetimes_transactions": lt,
        "cem": cem,
        "pandas": pandas,
        "lifetimes": life,
        "peak_rss_mb": {"cem": cem_rss / 2**20, "pandas": pandas_rss / 2**20, "lifetimes": life_rss / 2**20},
        "agreement": {
            "summary_equal": agree,
            **{
                f"{label} {m} max rel diff": rel(cem["results"][label][m], life["results"][label][m])
                for label in ("cdnow", "synthetic")
                for m in ("bg", "gg")
            },
            **{
                f"{label} {m} objective cem/lifetimes": (cem["results"][label][f"{m}_objective"], life["results"][label][f"{m}_objective"])
                for label in ("cdnow", "synthetic")
                for m in ("bg", "gg")
            },
        },
    }
    out = ROOT / "benches" / "results" / f"compare-clv-{a.customers}-{a.transactions}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))

    print(f"\n{a.customers:,} synthetic customers (lifetimes: {lc:,}), {a.transactions:,} transactions (lifetimes: {lt:,})")
    for measure in ("median_ms", "cpu_median_ms"):
        print(f"\n{'wall' if measure == 'median_ms' else 'CPU'} time, median of the runs")
        print("| case | cem ms | lifetimes ms | lifetimes / cem | pandas ms | pandas / cem |")
        print("|---|---|---|---|---|---|")
        for case in ("fit cdnow", "fit synthetic", "summary"):
            c = cem["cases"][case][measure]
            lms = life["cases"][case][measure]
            scale = 1.0
            if case.endswith("synthetic"):
                scale = a.customers / lc
            if case == "summary":
                scale = a.transactions / lt
            note = "" if scale == 1.0 else f" (×{scale:g} scaled)"
            ratio = lms * scale / c
            pms = pandas["cases"].get(case, {}).get(measure)
            pcol = f"{pms:,.1f} | {pms / c:.1f}×" if pms else "– | –"
            print(f"| {case} | {c:,.1f} | {lms:,.1f}{note} | {ratio:.1f}× | {pcol} |")
    print("\nagreement:", json.dumps(report["agreement"], indent=1))
    print("peak RSS MB:", {k: round(v) for k, v in report["peak_rss_mb"].items()})
    print(f"written to {out}")


if __name__ == "__main__":
    main()
