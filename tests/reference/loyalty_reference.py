"""Expected values for cem-core's loyalty tests (cem-core/tests/loyalty.rs).

Writes the input data and the expected values to tests/data/loyalty/. Nothing here comes
from cem: the inputs are the datasets bundled with lifelines and lifetimes, the expected
values are what lifelines / lifetimes compute on them.

Environment (checked 2026-11):
    python3 -m venv /tmp/oracle
    /tmp/oracle/bin/pip install "lifetimes==0.11.3" "pandas<3" lifelines
    # resolved: lifelines 0.30.3, Lifetimes 0.11.3, pandas 2.3.3, numpy 2.4.6, scipy 1.17.1
Command (from the repository root):
    /tmp/oracle/bin/python tests/reference/loyalty_reference.py
"""

import json
import os
import warnings

import numpy as np
import pandas as pd
import lifelines
import lifetimes
from lifelines import KaplanMeierFitter
from lifelines.datasets import load_dd, load_waltons
from lifelines.statistics import logrank_test, multivariate_logrank_test
from lifetimes.utils import summary_data_from_transaction_data

warnings.simplefilter("ignore")
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "loyalty")
os.makedirs(OUT, exist_ok=True)


def r(x):
    return float(repr(float(x))) if np.isfinite(x) else None


def km_table(durations, events, weights=None):
    kmf = KaplanMeierFitter().fit(durations, events, weights=weights)
    et = kmf.event_table
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    var = kmf._cumulative_sq_
    rows = pd.DataFrame(
        {
            "time": et.index.values.astype(float),
            "at_risk": et["at_risk"].values.astype(float),
            "events": et["observed"].values.astype(float),
            "censored": et["censored"].values.astype(float),
            "survival": sf.values,
            "variance": var.values,
            "lower": ci.iloc[:, 0].values,
            "upper": ci.iloc[:, 1].values,
        }
    )
    median = kmf.median_survival_time_
    probes = [0.0, 6.5, 29.0, 33.0, 50.0, 75.0]
    at = {str(t): float(kmf.survival_function_at_times(t).iloc[0]) for t in probes}
    return rows, (None if not np.isfinite(median) else float(median)), at


def main():
    # --- lifelines: waltons (KM, two-group log-rank) -------------------------------------
    w = load_waltons()
    w[["T", "E", "group"]].to_csv(os.path.join(OUT, "waltons.csv"), index=False)
    expected = {
        "versions": {
            "lifelines": lifelines.__version__,
            "lifetimes": lifetimes.__version__,
            "pandas": pd.__version__,
            "numpy": np.__version__,
        },
        "km": {},
    }
    cases = {
        "waltons_all": (w["T"], w["E"], None),
        "waltons_control": (w.loc[w.group == "control", "T"], w.loc[w.group == "control", "E"], None),
        "waltons_mir137": (w.loc[w.group == "miR-137", "T"], w.loc[w.group == "miR-137", "E"], None),
        # integer weights 1, 2, 3, 1, 2, 3, ... by row
        "waltons_weighted": (w["T"], w["E"], (np.arange(len(w)) % 3 + 1).astype(float)),
    }
    for name, (d, e, wt) in cases.items():
        rows, median, at = km_table(d, e, wt)
        rows.to_csv(os.path.join(OUT, f"km_{name}.csv"), index=False, float_format="%.17g")
        expected["km"][name] = {"median": median, "survival_at": at, "rows": len(rows)}

    a, b = w[w.group == "control"], w[w.group == "miR-137"]
    res = logrank_test(a["T"], b["T"], a["E"], b["E"])
    expected["logrank_waltons"] = {
        "statistic": float(res.test_statistic),
        "p_value": float(res.p_value),
        "df": int(res.degrees_of_freedom),
    }
    res = multivariate_logrank_test(w["T"], w["group"], w["E"])
    expected["multivariate_waltons"] = {
        "statistic": float(res.test_statistic),
        "p_value": float(res.p_value),
        "df": int(res.degrees_of_freedom),
    }

    # --- lifelines: democracy-dictatorship durations, k-group log-rank ------------------
    dd = load_dd()
    dd = dd[["duration", "observed", "regime"]]
    dd.to_csv(os.path.join(OUT, "dd.csv"), index=False)
    res = multivariate_logrank_test(dd["duration"], dd["regime"], dd["observed"])
    expected["multivariate_dd_regime"] = {
        "groups": sorted(dd["regime"].unique().tolist()),
        "statistic": float(res.test_statistic),
        "p_value": float(res.p_value),
        "df": int(res.degrees_of_freedom),
    }

    # --- lifetimes: CDNOW 1/10 sample transactions, summary at D and W -------------------
    path = os.path.join(os.path.dirname(lifetimes.__file__), "datasets", "CDNOW_sample.txt")
    cd = pd.read_csv(
        path, sep=r"\s+", header=None, names=["customer", "sample_id", "date", "cds", "amount"],
        dtype={"customer": int, "sample_id": int, "date": str, "cds": int, "amount": float},
    )
    cd[["customer", "date", "cds", "amount"]].to_csv(os.path.join(OUT, "cdnow_sample.csv"), index=False)
    cd["date"] = pd.to_datetime(cd["date"], format="%Y%m%d")
    expected["summary"] = {"observation_end": "1998-06-30", "transactions": len(cd)}
    for freq in ["D", "W"]:
        s = summary_data_from_transaction_data(
            cd, "customer", "date", monetary_value_col="amount", observation_period_end="1998-06-30", freq=freq
        )
        s = s.sort_index()
        s.index.name = "customer"
        s.to_csv(os.path.join(OUT, f"summary_cdnow_{freq}.csv"), float_format="%.17g")
        expected["summary"][freq] = {"customers": len(s)}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
