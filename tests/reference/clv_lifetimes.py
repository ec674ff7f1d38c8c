"""Reference values for cem's CLV models, computed with lifetimes 0.11.3 (the oracle).

Run (from the repository root):

    python3 -m venv /tmp/oracle
    /tmp/oracle/bin/pip install "lifetimes==0.11.3" "pandas<3" mpmath
    /tmp/oracle/bin/python tests/reference/clv_lifetimes.py

Versions used for the committed file: see the "versions" entry it records (lifetimes 0.11.3,
numpy 2.4, scipy 1.17, pandas 2.3, autograd 1.9, mpmath 1.4, Python 3.11).

Writes tests/data/clv/lifetimes_cdnow.json. Every number in it comes from lifetimes (or, where
lifetimes returns NaN, from mpmath evaluating lifetimes' own formula at lifetimes' parameters);
nothing comes from cem.

Fits:
* BG/NBD, penalizer 0 and 0.01: lifetimes' default fit (BFGS, tol 1e-7), then "polished": the
  same lifetimes fitter restarted from its own optimum with tol 1e-12, keeping the better
  objective. Both are recorded; cem is compared with the polished one.
* Pareto/NBD, penalizer 0 and 0.01: lifetimes starts Nelder-Mead (tol 1e-4) from a random point, so we
  run seeds 0..4 and keep the best, then polish by restarting lifetimes' own fitter
  (Nelder-Mead, tol 1e-12, maxiter 20000) from the best point until the objective stops
  improving, and finally with scipy BFGS on lifetimes' own objective in log-parameters.
  lifetimes computes no Hessian for Pareto/NBD; its standard errors here are central
  differences of lifetimes' objective in log-parameters (the same delta method lifetimes uses
  for BG/NBD).
* Pareto/NBD edge cases (recency within a hair of T, high frequency): lifetimes' values (null
  where it returns NaN) beside mpmath's at 40 digits.
* Gamma-Gamma, penalizer 0, on customers with frequency > 0 (default fit, then polished).
"""
import json
import platform
import sys
from pathlib import Path

import autograd
import lifetimes
import lifetimes.utils
import mpmath
import numpy as np
import pandas as pd
import scipy
from lifetimes import BetaGeoFitter, GammaGammaFitter, ParetoNBDFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value
from scipy.optimize import minimize

OUT = Path(__file__).resolve().parents[1] / "data" / "clv" / "lifetimes_cdnow.json"

summary = load_cdnow_summary(index_col=[0])
money = load_cdnow_summary_data_with_monetary_value()
f, rec, T = summary["frequency"], summary["recency"], summary["T"]
N = len(summary)
# Customers whose predictions are recorded: every 20th row, plus the extremes.
rows = sorted(set(range(0, N, 20)) | {int(f.values.argmax()), 1, 2} |
              {int(i) for i in np.where((rec.values == T.values) & (f.values > 0))[0][:3]})
TS = [1.0, 10.0, 52.0]


def total_ll_bgnbd(p):
    # lifetimes' own objective, at unscaled parameters on unscaled data, penalizer 0, times n.
    logp = np.log([p["r"], p["alpha"], p["a"], p["b"]])
    w = np.ones(N)
    return -BetaGeoFitter._negative_log_likelihood(logp, f.values, rec.values, T.values, w, 0.0) * N


def fit_bgnbd(pen):
    m = BetaGeoFitter(penalizer_coef=pen).fit(f, rec, T)
    default = dict(params=m.params_.to_dict(), objective=float(m._negative_log_likelihood_))
    best = m
    start = np.log(m.params_.values * np.array([1, m._scale, 1, 1]))
    try:  # scipy stops with "precision loss" when the default fit is already at the optimum
        m2 = BetaGeoFitter(penalizer_coef=pen).fit(f, rec, T, initial_params=start, tol=1e-12)
        if m2._negative_log_likelihood_ <= best._negative_log_likelihood_:
            best = m2
    except lifetimes.utils.ConvergenceError:
        pass
    return best, default


def bgnbd_predict_mp(m, t, x, tx, TT):
    # lifetimes' conditional_expected_number_of_purchases_up_to_time, in mpmath (no log of 2F1).
    mpmath.mp.dps = 40
    r, alpha, a, b = [mpmath.mpf(float(v)) for v in m.params_[["r", "alpha", "a", "b"]]]
    x, tx, TT, t = mpmath.mpf(int(x)), mpmath.mpf(float(tx)), mpmath.mpf(float(TT)), mpmath.mpf(t)
    hyp = mpmath.hyp2f1(r + x, b + x, a + b + x - 1, t / (alpha + TT + t))
    first = (a + b + x - 1) / (a - 1)
    second = 1 - hyp * ((alpha + TT) / (alpha + t + TT)) ** (r + x)
    den = 1 + (1 if x > 0 else 0) * (a / (b + x - 1)) * ((alpha + TT) / (alpha + tx)) ** (r + x)
    return float(first * second / den)


def bgnbd_record(m, default):
    out = dict(
        default_fit=default,
        params=m.params_.to_dict(),
        objective=float(m._negative_log_likelihood_),
        log_likelihood=float(total_ll_bgnbd(m.params_)),
        standard_errors=m.standard_errors_.to_dict(),
        expected_purchases={str(t): float(m.expected_number_of_purchases_up_to_time(t)) for t in TS},
        probability_of_n_purchases={
            str(t): [float(m.probability_of_n_purchases_up_to_time(t, n)) for n in range(6)] for t in TS},
        customers=[],
    )
    nan_rows = []
    for i in rows:
        x, tx, TT = int(f.values[i]), float(rec.values[i]), float(T.values[i])
        c = dict(row=i, frequency=x, recency=tx, T=TT,
                 p_alive=float(m.conditional_probability_alive(x, tx, TT)[0]), predict={})
        for t in TS:
            v = float(m.predict(t, x, tx, TT))
            if not np.isfinite(v):
                nan_rows.append(i)
                v = bgnbd_predict_mp(m, t, x, tx, TT)
                c.setdefault("predict_source", "mpmath (lifetimes returns NaN)")
            c["predict"][str(t)] = v
        out["customers"].append(c)
    out["rows_where_lifetimes_predict_is_nan"] = sorted(set(nan_rows))
    return out


def pnbd_objective_logp(logp, pen=0.0):
    s = _pnbd_scale
    p = np.exp(logp)
    return ParetoNBDFitter._negative_log_likelihood(
        p, f.values, rec.values * s, T.values * s, np.ones(N), pen)


def fit_pnbd(pen=0.0):
    global _pnbd_scale
    _pnbd_scale = 1.0 / T.max()
    runs = []
    for seed in range(5):
        np.random.seed(seed)
        m = ParetoNBDFitter(penalizer_coef=pen).fit(f, rec, T)
        runs.append((float(m._negative_log_likelihood_), seed, m))
    runs.sort(key=lambda r: r[0])
    best_obj, best_seed, m = runs[0]
    default = dict(objective_by_seed={str(s): o for o, s, _ in sorted(runs, key=lambda r: r[1])},
                   best_seed=best_seed, params=m.params_.to_dict(), objective=best_obj)
    scaled = m.params_.values * np.array([1, _pnbd_scale, 1, _pnbd_scale])
    obj = best_obj
    for _ in range(10):
        m2 = ParetoNBDFitter(penalizer_coef=pen).fit(f, rec, T, initial_params=scaled, tol=1e-12, maxiter=20000)
        if m2._negative_log_likelihood_ < obj - 1e-12:
            obj = float(m2._negative_log_likelihood_)
            scaled = m2.params_.values * np.array([1, _pnbd_scale, 1, _pnbd_scale])
        else:
            break
    res = minimize(pnbd_objective_logp, np.log(scaled), args=(pen,), method="BFGS", options=dict(gtol=1e-10))
    if res.fun < obj:
        obj, scaled = float(res.fun), np.exp(res.x)
    m.params_ = pd.Series(scaled / np.array([1, _pnbd_scale, 1, _pnbd_scale]),
                          index=["r", "alpha", "s", "beta"])
    # Hessian of the mean objective in log-parameters by central differences (lifetimes has none).
    x0, h = np.log(scaled), 1e-4
    H = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            e_i, e_j = np.eye(4)[i] * h, np.eye(4)[j] * h
            H[i, j] = (pnbd_objective_logp(x0 + e_i + e_j, pen) - pnbd_objective_logp(x0 + e_i - e_j, pen)
                       - pnbd_objective_logp(x0 - e_i + e_j, pen) + pnbd_objective_logp(x0 - e_i - e_j, pen)) / (4 * h * h) / N
    se = np.sqrt(m.params_.values ** 2 * np.diag(np.linalg.inv(H)) / N)
    return m, obj, default, dict(zip(["r", "alpha", "s", "beta"], se))


def pnbd_record(m, obj, default, se):
    p = m.params_
    ll = -ParetoNBDFitter._negative_log_likelihood(
        p.values, f.values, rec.values, T.values, np.ones(N), 0.0)
    out = dict(default_fit=default, params=p.to_dict(), objective=obj, log_likelihood=float(ll),
               standard_errors_numerical=se,
               expected_purchases={str(t): float(m.expected_number_of_purchases_up_to_time(t)) for t in TS},
               customers=[])
    for i in rows:
        x, tx, TT = int(f.values[i]), float(rec.values[i]), float(T.values[i])
        c = dict(row=i, frequency=x, recency=tx, T=TT,
                 p_alive=float(m.conditional_probability_alive(x, tx, TT)),
                 predict={str(t): float(m.predict(t, x, tx, TT)) for t in TS})
        out["customers"].append(c)
    return out


def pnbd_edge_cases(m):
    """Histories where lifetimes' Pareto/NBD terms lose precision (recency within a hair of T,
    high frequency): lifetimes' values (null where NaN) next to mpmath's evaluation of the
    likelihood at 40 digits (A_0 in lifetimes' closed form, checked against the integral it stands
    for, (r+s+x) * int_tx^T (alpha+t)^-(r+x) (beta+t)^-(s+1) dt)."""
    mpmath.mp.dps = 40
    r, alpha, s, beta = [mpmath.mpf(float(v)) for v in m.params_[["r", "alpha", "s", "beta"]]]
    out = []
    for x, tx, TT in [(5, 38.86 - 1e-9, 38.86), (1, 38.859999, 38.86), (3, 38.86, 38.86),
                      (40, 30.0, 38.86), (120, 38.0, 38.86), (2, 0.5, 38.86), (0, 0.0, 0.5),
                      (300, 500.0 - 1e-13, 500.0), (300, 500.0 - 3e-14, 500.0)]:
        X, TX, TT_ = mpmath.mpf(x), mpmath.mpf(tx), mpmath.mpf(TT)
        # A_0 / (r+s+x) in lifetimes' closed form (equations 19-20 of note 009), at 40 digits,
        # where the difference of the two 2F1 terms no longer cancels badly; cross-checked by
        # quadrature on a subdivided interval (mpmath.quad on one interval is off by ~1e-8
        # for the steep integrands of high frequencies).
        rsf = r + s + X
        lo, hi, tt = (alpha, beta, r + X) if alpha < beta else (beta, alpha, s + 1)
        F = lambda q: mpmath.hyp2f1(rsf, tt, rsf + 1, (hi - lo) / (hi + q)) / (hi + q) ** rsf
        J = (F(TX) - F(TT_)) / rsf
        if TT_ > TX:
            Jq = mpmath.quad(lambda u: (alpha + u) ** (-(r + X)) * (beta + u) ** (-(s + 1)),
                             mpmath.linspace(TX, TT_, 40))
            assert abs(Jq / J - 1) < 1e-9, (x, tx, TT, Jq, J)
        A1 = mpmath.loggamma(r + X) - mpmath.loggamma(r) + r * mpmath.log(alpha) + s * mpmath.log(beta)
        B = (alpha + TT_) ** (-(r + X)) * (beta + TT_) ** (-s)
        ll = A1 + mpmath.log(B + s * J)
        p_alive = B / (B + s * J)
        with np.errstate(all="ignore"):
            lt_ll = float(ParetoNBDFitter._conditional_log_likelihood(m.params_.values, x, tx, TT))
            lt_pa = float(m.conditional_probability_alive(x, tx, TT))
        out.append(dict(frequency=x, recency=tx, T=TT, log_likelihood=float(ll), p_alive=float(p_alive),
                        lifetimes_log_likelihood=lt_ll if np.isfinite(lt_ll) else None,
                        lifetimes_p_alive=lt_pa if np.isfinite(lt_pa) else None))
    return out


def fit_gg():
    rep = money[money["frequency"] > 0]
    m = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"])
    default = dict(params=m.params_.to_dict(), objective=float(m._negative_log_likelihood_))
    try:
        m2 = GammaGammaFitter().fit(rep["frequency"], rep["monetary_value"],
                                    initial_params=np.log(m.params_.values), tol=1e-12)
        if m2._negative_log_likelihood_ <= m._negative_log_likelihood_:
            m = m2
    except lifetimes.utils.ConvergenceError:
        pass
    n = len(rep)
    ll = -GammaGammaFitter._negative_log_likelihood(
        np.log(m.params_.values), rep["frequency"].values.astype(float),
        rep["monetary_value"].values, np.ones(n), 0.0) * n
    return m, dict(default_fit=default, params=m.params_.to_dict(),
                   objective=float(m._negative_log_likelihood_), log_likelihood=float(ll),
                   n_customers=n, standard_errors=m.standard_errors_.to_dict())


bg0, bg0_default = fit_bgnbd(0.0)
bg1, bg1_default = fit_bgnbd(0.01)
pn, pn_obj, pn_default, pn_se = fit_pnbd()
pn1, pn1_obj, pn1_default, pn1_se = fit_pnbd(0.01)
gg, gg_rec = fit_gg()

gg_rows = [i for i in rows if money["frequency"].values[i] > 0][:20]
gg_rec["customers"] = [
    dict(row=i, frequency=int(money["frequency"].values[i]),
         monetary_value=float(money["monetary_value"].values[i]),
         expected_value=float(gg.conditional_expected_average_profit(
             money["frequency"].values[i], money["monetary_value"].values[i])))
    for i in gg_rows]
# A customer with no repeat purchase gets the population mean.
gg_rec["expected_value_frequency_0"] = float(gg.conditional_expected_average_profit(0, 0.0))

clv_rows = rows[:30]
sel = money.iloc[clv_rows]
clv = {}
for name, model in [("bg_nbd", bg0), ("pareto_nbd", pn)]:
    for months, rate in [(12, 0.01), (3, 0.1)]:
        v = gg.customer_lifetime_value(model, sel["frequency"], sel["recency"], sel["T"],
                                       sel["monetary_value"], time=months, discount_rate=rate, freq="W")
        clv[f"{name}_months{months}_rate{rate}_W"] = [float(x) for x in v.values]
    v = gg.customer_lifetime_value(model, sel["frequency"], sel["recency"], sel["T"],
                                   sel["monetary_value"], time=6, discount_rate=0.01, freq="D")
    clv[f"{name}_months6_rate0.01_D"] = [float(x) for x in v.values]

out = dict(
    versions=dict(lifetimes=lifetimes.__version__, numpy=np.__version__, scipy=scipy.__version__,
                  pandas=pd.__version__, autograd=getattr(autograd, "__version__", "?"),
                  mpmath=mpmath.__version__, python=platform.python_version()),
    command="/tmp/oracle/bin/python tests/reference/clv_lifetimes.py",
    n_customers=N,
    bg_nbd=bgnbd_record(bg0, bg0_default),
    bg_nbd_penalizer_0_01=bgnbd_record(bg1, bg1_default),
    pareto_nbd=pnbd_record(pn, pn_obj, pn_default, pn_se),
    pareto_nbd_penalizer_0_01=pnbd_record(pn1, pn1_obj, pn1_default, pn1_se),
    pareto_nbd_edge_cases=pnbd_edge_cases(pn),
    gamma_gamma=gg_rec,
    clv=dict(rows=clv_rows, values=clv),
)
OUT.write_text(json.dumps(out, indent=1) + "\n")
print("wrote", OUT, file=sys.stderr)
print(json.dumps({k: out[k]["params"] for k in ["bg_nbd", "bg_nbd_penalizer_0_01", "pareto_nbd", "gamma_gamma"]}, indent=1))
print(pn_default)
