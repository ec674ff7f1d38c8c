"""cem.clv against lifetimes 0.11.3 on the CDNOW sample it ships.

lifetimes cannot run in the test venv: it breaks on pandas >= 3 (and its dependency pins
would downgrade the venv's pandas for every other test). So the expected values are those
``tests/reference/clv_lifetimes.py`` recorded with lifetimes 0.11.3, pandas 2.3.3, numpy
2.4.6, scipy 1.17.1 (``tests/data/clv/lifetimes_cdnow.json``; the command and versions are
in the file). Where lifetimes itself returns NaN, the recorded value is mpmath's evaluation
of lifetimes' formula at lifetimes' parameters (the entry says so). The issue's tolerance for
fits is 1e-4 relative; formulas at given parameters are checked tighter.
"""

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem.clv import BetaGeo, GammaGamma, ParetoNBD, lifetime_value

DATA = Path(__file__).resolve().parents[1] / "data" / "clv"
EXPECTED = json.loads((DATA / "lifetimes_cdnow.json").read_text())
FIT_RTOL = 1e-4


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    d = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    return d.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


def check_params(got: dict, want: dict, rtol: float) -> None:
    assert set(got) == set(want)
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=rtol), k


def check_customers(model, rec: dict, rtol: float) -> None:
    cs = rec["customers"]
    x = np.array([c["frequency"] for c in cs], dtype=float)
    tx = np.array([c["recency"] for c in cs])
    t = np.array([c["T"] for c in cs])
    np.testing.assert_allclose(model.p_alive(x, tx, t), [c["p_alive"] for c in cs], rtol=rtol)
    for h in ("1.0", "10.0", "52.0"):
        np.testing.assert_allclose(model.predict(float(h), x, tx, t), [c["predict"][h] for c in cs], rtol=rtol)
    for h, v in rec["expected_purchases"].items():
        assert model.expected_purchases(float(h)) == pytest.approx(v, rel=rtol)


@pytest.mark.parametrize(("penalizer", "key"), [(0.0, "bg_nbd"), (0.01, "bg_nbd_penalizer_0_01")])
def test_bg_nbd_fit_matches_lifetimes(cdnow, penalizer, key):
    rec = EXPECTED[key]
    m = BetaGeo(penalizer=penalizer).fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])
    check_params(m.params, rec["params"], FIT_RTOL)
    assert m.log_likelihood == pytest.approx(rec["log_likelihood"], rel=FIT_RTOL)
    assert m.fit_report["objective"] == pytest.approx(rec["objective"], rel=FIT_RTOL)
    check_params(m.standard_errors, rec["standard_errors"], FIT_RTOL)
    check_customers(m, rec, FIT_RTOL)
    for h, probs in rec["probability_of_n_purchases"].items():
        for n, p in enumerate(probs):
            assert m.probability_of_n_purchases(float(h), n) == pytest.approx(p, rel=FIT_RTOL)
    # lifetimes' summary(): coef, se, coef -/+ 1.96 se (cem uses the exact quantile)
    s = m.summary().set_index("parameter")
    for k, se in rec["standard_errors"].items():
        assert s.loc[k, "se"] == pytest.approx(se, rel=FIT_RTOL)
        assert s.loc[k, "lower"] == pytest.approx(rec["params"][k] - 1.96 * se, rel=1e-3)
        assert s.loc[k, "upper"] == pytest.approx(rec["params"][k] + 1.96 * se, rel=1e-3)


def test_bg_nbd_formulas_at_lifetimes_parameters(cdnow):
    for key in ("bg_nbd", "bg_nbd_penalizer_0_01"):
        rec = EXPECTED[key]
        check_customers(BetaGeo.from_params(**rec["params"]), rec, 1e-9)
    # the rows where lifetimes gives NaN (zero frequency, a + b < 1): mpmath's values
    rec = EXPECTED["bg_nbd_penalizer_0_01"]
    m = BetaGeo.from_params(**rec["params"])
    nan_rows = [c for c in rec["customers"] if "predict_source" in c]
    assert len(nan_rows) == len(rec["rows_where_lifetimes_predict_is_nan"]) > 0
    got = m.predict(52.0, np.zeros(len(nan_rows)), np.zeros(len(nan_rows)), np.array([c["T"] for c in nan_rows]))
    np.testing.assert_allclose(got, [c["predict"]["52.0"] for c in nan_rows], rtol=1e-9)


@pytest.mark.parametrize(("penalizer", "key"), [(0.0, "pareto_nbd"), (0.01, "pareto_nbd_penalizer_0_01")])
def test_pareto_nbd_fit_matches_lifetimes(cdnow, penalizer, key):
    rec = EXPECTED[key]
    m = ParetoNBD(penalizer=penalizer).fit(cdnow[["frequency", "recency", "T"]])
    check_params(m.params, rec["params"], FIT_RTOL)
    assert m.log_likelihood == pytest.approx(rec["log_likelihood"], rel=FIT_RTOL)
    # lifetimes' own fit stops short of the optimum on this flat likelihood: cem's is never worse.
    assert m.fit_report["objective"] <= rec["default_fit"]["objective"] + 1e-9
    check_params(m.standard_errors, rec["standard_errors_numerical"], 1e-3)
    check_customers(m, rec, FIT_RTOL)


def test_bg_nbd_at_a_equal_one():
    # lifetimes' closed form is 0/0 at a = 1 (-inf, NaN or inf) and loses digits near it;
    # expected: mpmath on the same closed form (tests/reference/clv_bg_nbd_a_one.py).
    rows = json.loads((DATA / "bg_nbd_a_one.json").read_text())["rows"]
    for row in rows:
        m = BetaGeo.from_params(r=0.243, alpha=4.414, a=1 + row["a_minus_1"], b=2.426)
        if row["T"] == 0:
            got = m.expected_purchases(row["t"])
        else:
            got = m.predict(row["t"], row["frequency"], row["recency"], row["T"])
        assert got == pytest.approx(row["expected"], rel=1e-12), row
    assert sum(r["lifetimes"] is None for r in rows) == 5


def test_pareto_nbd_edge_cases_where_lifetimes_is_nan():
    rec = EXPECTED["pareto_nbd"]
    m = ParetoNBD.from_params(**rec["params"])
    for c in EXPECTED["pareto_nbd_edge_cases"]:
        assert m.p_alive(c["frequency"], c["recency"], c["T"]) == pytest.approx(c["p_alive"], rel=1e-10)


def test_gamma_gamma_matches_lifetimes(cdnow):
    rec = EXPECTED["gamma_gamma"]
    repeat = cdnow[cdnow["frequency"] > 0]
    m = GammaGamma().fit(repeat["frequency"], repeat["monetary_value"])
    assert len(repeat) == rec["n_customers"]
    check_params(m.params, rec["params"], FIT_RTOL)
    assert m.log_likelihood == pytest.approx(rec["log_likelihood"], rel=FIT_RTOL)
    check_params(m.standard_errors, rec["standard_errors"], FIT_RTOL)
    rows = rec["customers"]
    got = m.expected_value([c["frequency"] for c in rows], [c["monetary_value"] for c in rows])
    np.testing.assert_allclose(got, [c["expected_value"] for c in rows], rtol=FIT_RTOL)
    assert m.expected_value(0, 0.0) == pytest.approx(rec["expected_value_frequency_0"], rel=FIT_RTOL)
    # a summary frame: customers without repeat purchases are left out
    whole = GammaGamma().fit(cdnow)
    check_params(whole.params, m.params, 1e-12)


@pytest.mark.parametrize("key", sorted(EXPECTED["clv"]["values"]))
def test_lifetime_value_matches_lifetimes(cdnow, key):
    model = BetaGeo if key.startswith("bg_nbd") else ParetoNBD
    params = EXPECTED["bg_nbd" if model is BetaGeo else "pareto_nbd"]["params"]
    purchases = model.from_params(**params)
    spend = GammaGamma.from_params(**EXPECTED["gamma_gamma"]["params"])
    months, rate, freq = key.split("_")[-3:]
    d = cdnow.iloc[EXPECTED["clv"]["rows"]]
    got = lifetime_value(
        purchases, spend, d["frequency"], d["recency"], d["T"], d["monetary_value"],
        time=int(months.removeprefix("months")), discount_rate=float(rate.removeprefix("rate")), freq=freq,
    )  # fmt: skip
    np.testing.assert_allclose(got, EXPECTED["clv"]["values"][key], rtol=1e-9)
    one = lifetime_value(purchases, spend, 2, 30.43, 38.86, 22.35, freq="W")
    assert isinstance(one, float) and one > 0


@pytest.mark.parametrize("kind", ["numpy", "polars", "pyarrow", "list"])
def test_inputs_of_every_kind_give_the_same_fit(cdnow, kind):
    cols = [cdnow[c] for c in ("frequency", "recency", "T")]
    conv = {
        "numpy": lambda s: s.to_numpy(),
        "polars": lambda s: pl.Series(s.to_numpy()),
        "pyarrow": lambda s: pa.array(s.to_numpy()),
        "list": lambda s: s.tolist(),
    }[kind]
    got = BetaGeo().fit(*(conv(c) for c in cols))
    want = BetaGeo().fit(*cols)
    assert got.params == want.params
    frame = BetaGeo().fit(pl.from_pandas(cdnow))
    assert frame.params == want.params


def test_models_pickle_with_their_fit(cdnow):
    bg = BetaGeo().fit(cdnow)
    gg = GammaGamma().fit(cdnow)
    for m in (bg, gg, ParetoNBD.from_params(r=0.55, alpha=10.6, s=0.61, beta=11.7), BetaGeo()):
        back = pickle.loads(pickle.dumps(m))
        assert type(back) is type(m) and back.penalizer == m.penalizer
        if m._m is not None:
            assert back.params == m.params and back.fit_report == m.fit_report
    back = pickle.loads(pickle.dumps(bg))
    np.testing.assert_array_equal(back.predict(10, cdnow["frequency"], cdnow["recency"], cdnow["T"]),
                                  bg.predict(10, cdnow["frequency"], cdnow["recency"], cdnow["T"]))  # fmt: skip


def test_bad_input_gives_clear_errors(cdnow):
    x, tx, t = (cdnow[c].to_numpy().copy() for c in ("frequency", "recency", "T"))
    bad = tx.copy()
    bad[5] = t[5] + 1
    with pytest.raises(cem.InvalidNumberError, match="recency at row 5 .* greater than T"):
        BetaGeo().fit(x, bad, t)
    neg = x.copy()
    neg[3] = -1
    with pytest.raises(cem.InvalidNumberError, match="frequency at row 3"):
        ParetoNBD().fit(neg, tx, t)
    with pytest.raises(cem.InvalidNumberError, match="frequency at row 0"):
        BetaGeo().fit([1.5], [1.0], [2.0])
    with pytest.raises(cem.InvalidNumberError, match="T at row 1"):
        BetaGeo().fit([0, 1], [0, 1.0], [3.0, -2.0])
    with pytest.raises(cem.InvalidNumberError):
        BetaGeo().fit([0, 1], [0, float("nan")], [3.0, 3.0])
    # everyone bought once: nothing to learn the repeat rate from
    with pytest.raises(cem.InvalidArgumentError, match="repeat"):
        BetaGeo().fit(np.zeros(50), np.zeros(50), np.full(50, 30.0))
    with pytest.raises(cem.InvalidArgumentError, match="repeat"):
        ParetoNBD().fit(np.zeros(50), np.zeros(50), np.full(50, 30.0))
    with pytest.raises(cem.EmptyError):
        BetaGeo().fit([], [], [])
    with pytest.raises(cem.LengthMismatchError):
        BetaGeo().fit([0, 1], [0, 1.0], [3.0])
    with pytest.raises(cem.InvalidArgumentError, match="penalizer"):
        BetaGeo(penalizer=-1).fit(x, tx, t)
    with pytest.raises(cem.InvalidNumberError, match="frequency at row 1"):
        GammaGamma().fit([2, 0], [10.0, 0.0])
    with pytest.raises(cem.InvalidNumberError, match="monetary value at row 0"):
        GammaGamma().fit([2, 1], [-10.0, 5.0])
    with pytest.raises(cem.EmptyError):
        GammaGamma().fit([], [])
    with pytest.raises(cem.InvalidArgumentError, match="not fitted"):
        BetaGeo().predict(1, 1, 1, 2)
    with pytest.raises(cem.InvalidNumberError, match="recency at row 1"):
        BetaGeo.from_params(r=0.2, alpha=4, a=0.8, b=2.4).p_alive([1, 1], [2.0, 9.0], [5.0, 5.0])
    with pytest.raises(cem.InvalidNumberError, match="parameter alpha"):
        BetaGeo.from_params(r=0.2, alpha=-4, a=0.8, b=2.4)
    with pytest.raises(cem.InvalidArgumentError, match="parameters"):
        BetaGeo.from_params(r=0.2, alpha=4, a=0.8)
    with pytest.raises(TypeError, match="BetaGeo or ParetoNBD"):
        lifetime_value(GammaGamma(), GammaGamma(), 1, 1, 2, 3)  # type: ignore[arg-type]
    with pytest.raises(cem.InvalidArgumentError, match="freq"):
        lifetime_value(BetaGeo.from_params(r=0.2, alpha=4, a=0.8, b=2.4), GammaGamma.from_params(p=6, q=3, v=15),
                       1, 1, 2, 3, freq="Y")  # fmt: skip


def test_degenerate_spend_does_not_hang_or_crash():
    # every repeat customer spends the same: the Gamma-Gamma estimate runs off to infinity
    with pytest.raises((cem.UndefinedError, cem.NotConvergedError)):
        GammaGamma().fit(np.full(100, 2.0), np.full(100, 10.0))
