"""BG/NBD expectations at and near a = 1, where lifetimes' closed form is 0/0.

lifetimes 0.11.3 computes (a+b+x-1)/(a-1) * (1 - 2F1(r+x, b+x; a+b+x-1; z) (1-z)^(r+x)) in
floating point: at a = 1 it returns -inf or NaN (expected_number_of_purchases_up_to_time: inf),
and near a = 1 the two factors cancel and it loses digits. This script evaluates the same
closed form with mpmath at 60 digits (at a = 1 + 1e-40 for the limit a -> 1, the formula being
analytic in a), and records lifetimes' own float values next to them.

    /tmp/oracle/bin/python tests/reference/clv_bg_nbd_a_one.py

(oracle venv: lifetimes 0.11.3, pandas 2.3.3, numpy 2.4.6, mpmath 1.4.1) writes
tests/data/clv/bg_nbd_a_one.json. No value comes from cem.
"""

import json
import warnings
from pathlib import Path

import mpmath as mp
import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter

mp.mp.dps = 60
R, ALPHA, B = mp.mpf("0.243"), mp.mpf("4.414"), mp.mpf("2.426")
OFFSETS = ["0", "1e-12", "-1e-12", "1e-9", "-1e-9", "1e-5", "-1e-5", "0.005", "-0.005", "0.02", "-0.02"]
CASES = [  # (t, frequency, recency, T); T = 0 and recency = 0 give expected purchases of a new customer
    ("52", "2", "30.43", "38.86"),
    ("52", "0", "0", "38.86"),
    ("10", "7", "35.1", "38.86"),
    ("52", "0", "0", "0"),
    ("300", "1", "1.71", "38.86"),
]


def closed_form(a, t, x, tx, T):
    c = a + B + x - 1
    z = t / (ALPHA + T + t)
    num = c / (a - 1) * (1 - mp.hyp2f1(R + x, B + x, c, z) * ((ALPHA + T) / (ALPHA + T + t)) ** (R + x))
    den = 1 + (a / (B + x - 1)) * ((ALPHA + T) / (ALPHA + tx)) ** (R + x) if x > 0 else 1
    return num / den


def main():
    warnings.simplefilter("ignore")
    rows = []
    for off in OFFSETS:
        a = 1 + (mp.mpf("1e-40") if off == "0" else mp.mpf(off))
        for t, x, tx, T in CASES:
            args = [mp.mpf(v) for v in (t, x, tx, T)]
            m = BetaGeoFitter()
            m.params_ = pd.Series({"r": 0.243, "alpha": 4.414, "a": 1 + float(off), "b": 2.426})
            if T == "0":
                life = float(m.expected_number_of_purchases_up_to_time(float(t)))
            else:
                life = float(m.conditional_expected_number_of_purchases_up_to_time(float(t), float(x), float(tx), float(T)))
            rows.append(
                {
                    "a_minus_1": float(off),
                    "t": float(t),
                    "frequency": float(x),
                    "recency": float(tx),
                    "T": float(T),
                    "expected": float(closed_form(a, *args)),
                    "lifetimes": None if not np.isfinite(life) else life,
                    "lifetimes_repr": repr(life),
                }
            )
    out = {
        "what": "BG/NBD conditional expected purchases (T > 0) or expected purchases of a new customer (T = 0) "
        "at r = 0.243, alpha = 4.414, b = 2.426 and a = 1 + a_minus_1; `expected` is mpmath (60 digits) on "
        "lifetimes' closed form (a = 1 + 1e-40 for a_minus_1 = 0), `lifetimes` its float value (None if not finite)",
        "command": "/tmp/oracle/bin/python tests/reference/clv_bg_nbd_a_one.py",
        "versions": {"mpmath": mp.__version__, "numpy": np.__version__, "pandas": pd.__version__, "lifetimes": "0.11.3"},
        "rows": rows,
    }
    path = Path(__file__).resolve().parents[1] / "data" / "clv" / "bg_nbd_a_one.json"
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
