"""cem.drivers against independent computations.

* statsmodels OLS / WLS for R² and standardized betas (fit on z-scored columns);
* Johnson's relative weights in plain numpy (``numpy.linalg.eigh`` of R_xx);
* Shapley values by brute force: every subset of drivers refitted by least squares on the
  raw data (``numpy.linalg.lstsq``), not through correlation matrices;
* the published relative weights of the R package rwa on mtcars (README / vignette);
* the perception gap against ``scipy.stats.ttest_1samp`` / ``t.interval`` and statsmodels'
  Wilson interval and score test (``proportions_ztest`` with ``prop_var``).

Data: seeded correlated ratings, statsmodels' bundled ``fair`` survey (6,366 women rating
their marriage 1–5; the drivers are the other columns), and mtcars.
"""

from itertools import combinations
from math import factorial
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.proportion import proportion_confint, proportions_ztest

import cem
from cem.drivers import key_drivers, perception_gap

MTCARS = Path(__file__).resolve().parents[1] / "data" / "drivers" / "mtcars.csv"


# ------------------------------------------------------------------ independent references


def np_relative_weights(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    R = np.corrcoef(np.column_stack([y, X]), rowvar=False)
    rxx, rxy = R[1:, 1:], R[1:, 0]
    evals, evecs = np.linalg.eigh(rxx)
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, rxy)
    return (lam**2) @ (beta**2)


def lstsq_r2(X: np.ndarray, y: np.ndarray) -> float:
    if X.shape[1] == 0:
        return 0.0
    A = np.column_stack([np.ones(len(y)), X])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    resid = y - A @ coef
    return 1.0 - resid @ resid / ((y - y.mean()) @ (y - y.mean()))


def brute_shapley(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = X.shape[1]
    r2 = {}
    for k in range(p + 1):
        for s in combinations(range(p), k):
            r2[s] = lstsq_r2(X[:, list(s)], y)
    phi = np.zeros(p)
    for s, base in r2.items():
        w = factorial(len(s)) * factorial(p - len(s) - 1) / factorial(p) if len(s) < p else 0.0
        for j in range(p):
            if j not in s:
                phi[j] += w * (r2[tuple(sorted(s + (j,)))] - base)
    return phi


def standardized_ols(X: np.ndarray, y: np.ndarray, w=None):
    z = lambda a: (a - a.mean(axis=0)) / a.std(axis=0)  # noqa: E731
    if w is None:
        fit = sm.OLS(z(y), sm.add_constant(z(X))).fit()
    else:
        fit = sm.WLS(y, sm.add_constant(X), weights=w).fit()
    return fit


def ratings(rng, n=500, p=5):
    common = rng.normal(size=(n, 1))
    X = np.clip(np.round(6 + 1.5 * common + rng.normal(0, 1.5, size=(n, p))), 1, 10)
    y = X @ np.linspace(0.2, 1.0, p) + rng.normal(0, 2, n)
    return X, y


def frame(X, y, names=None):
    names = names or [f"d{j}" for j in range(X.shape[1])]
    df = pd.DataFrame(X, columns=names)
    df["overall"] = y
    return df, names


# ------------------------------------------------------------------ agreement


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seeded_ratings_agree_with_numpy_and_statsmodels(seed):
    X, y = ratings(np.random.default_rng(seed))
    df, names = frame(X, y)
    ols = standardized_ols(X, y)
    rw = key_drivers(df, target="overall", drivers=names)
    assert rw.r2 == pytest.approx(ols.rsquared, abs=1e-12)
    np.testing.assert_allclose(rw.table["beta"], ols.params[1:], atol=1e-10)
    np.testing.assert_allclose(rw.table["importance"], np_relative_weights(X, y), atol=1e-12)
    np.testing.assert_allclose(rw.table["correlation"], [np.corrcoef(X[:, j], y)[0, 1] for j in range(5)], atol=1e-12)
    np.testing.assert_allclose(rw.table["performance"], X.mean(axis=0), atol=1e-12)
    assert rw.table["importance"].sum() == pytest.approx(rw.r2, abs=1e-12)
    sh = key_drivers(df, target="overall", drivers=names, method="shapley")
    np.testing.assert_allclose(sh.table["importance"], brute_shapley(X, y), atol=1e-11)
    assert sh.table["importance"].sum() == pytest.approx(ols.rsquared, abs=1e-12)
    assert (sh.table["importance"] >= 0).all() and (rw.table["importance"] >= 0).all()
    np.testing.assert_allclose(sh.table["share"].sum(), 1.0, atol=1e-12)


def test_real_survey_fair_dataset():
    data = sm.datasets.fair.load_pandas().data
    names = ["age", "yrs_married", "children", "religious", "educ", "occupation", "occupation_husb", "affairs"]
    X, y = data[names].to_numpy(), data["rate_marriage"].to_numpy()
    ols = sm.OLS(y, sm.add_constant(X)).fit()
    rw = key_drivers(data, target="rate_marriage", drivers=names)
    assert rw.r2 == pytest.approx(ols.rsquared, abs=1e-12)
    np.testing.assert_allclose(rw.table["importance"], np_relative_weights(X, y), atol=1e-12)
    np.testing.assert_allclose(rw.table["beta"], ols.params[1:] * X.std(axis=0) / y.std(), atol=1e-10)
    sh = key_drivers(data, target="rate_marriage", drivers=names, method="shapley")
    np.testing.assert_allclose(sh.table["importance"], brute_shapley(X, y), atol=1e-11)
    # Affairs is the strongest driver of a lower marriage rating by both methods.
    assert rw.table.set_index("driver").loc["affairs", "rank"] == 1
    assert sh.table.set_index("driver").loc["affairs", "rank"] == 1


def test_published_mtcars_relative_weights():
    mt = pd.read_csv(MTCARS)
    kd = key_drivers(mt, target="mpg", drivers=["cyl", "disp", "hp", "gear"])
    # rwa (R): Raw.RelWeight 0.2284797 0.2221469 0.2321744 0.0963886, rsquare 0.7791896.
    np.testing.assert_allclose(kd.table["importance"], [0.2284797, 0.2221469, 0.2321744, 0.0963886], atol=5e-8)
    assert kd.r2 == pytest.approx(0.7791896, abs=5e-8)
    np.testing.assert_allclose(kd.table["share"] * 100, [29.32274, 28.50999, 29.79691, 12.37037], atol=5e-6)


def test_weights_match_wls_and_weighted_relative_weights(rng):
    X, y = ratings(rng, n=400, p=4)
    w = rng.uniform(0.2, 3.0, 400)
    df, names = frame(X, y)
    df["w"] = w
    kd = key_drivers(df, target="overall", drivers=names, weights="w")
    assert kd.r2 == pytest.approx(sm.WLS(y, sm.add_constant(X), weights=w).fit().rsquared, abs=1e-12)
    # Weighted relative weights from the weighted correlation matrix (numpy cov with aweights).
    C = np.cov(np.column_stack([y, X]), rowvar=False, aweights=w)
    d = np.sqrt(np.diag(C))
    R = C / np.outer(d, d)
    evals, evecs = np.linalg.eigh(R[1:, 1:])
    lam = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam, R[1:, 0])
    np.testing.assert_allclose(kd.table["importance"], (lam**2) @ (beta**2), atol=1e-12)
    np.testing.assert_allclose(kd.table["performance"], np.average(X, axis=0, weights=w), atol=1e-12)


# ------------------------------------------------------------------ frames, missing values, bootstrap


def test_frame_types_and_missing_rows(rng):
    X, y = ratings(rng, n=200, p=3)
    df, names = frame(X, y)
    df.loc[5, "d1"] = np.nan
    df.loc[9, "overall"] = np.nan
    df.loc[5, "overall"] = np.nan
    ref = key_drivers(df.dropna(), target="overall", drivers=names)
    kd = key_drivers(df, target="overall", drivers=names)
    assert (kd.n, kd.dropped) == (198, 2)
    np.testing.assert_allclose(kd.table["importance"], ref.table["importance"], rtol=0, atol=1e-13)
    pdf = pl.from_pandas(df)  # NaN → null via nan_to_null below
    pdf = pdf.with_columns(pl.col(c).fill_nan(None) for c in pdf.columns)
    k2 = key_drivers(pdf, target="overall", drivers=names)
    assert isinstance(k2.table, pl.DataFrame) and k2.dropped == 2
    np.testing.assert_allclose(k2.table["importance"].to_numpy(), ref.table["importance"], atol=1e-15)
    k3 = key_drivers(pa.Table.from_pandas(df), target="overall", drivers=names)
    assert isinstance(k3.table, pa.Table) and k3.dropped == 2
    with pytest.raises(cem.InvalidNumberError, match=r"`overall` at row 5"):
        key_drivers(df, target="overall", drivers=names, missing="error")
    assert isinstance(key_drivers(df, target="overall", drivers=names, output="polars").table, pl.DataFrame)
    # Integer columns are read as floats.
    ints = pd.DataFrame({"y": [1, 3, 2, 5, 4, 4], "a": [1, 2, 2, 4, 5, 3], "b": [2, 1, 2, 3, 1, 5]})
    assert key_drivers(ints, target="y", drivers=["a", "b"]).n == 6


def test_bootstrap_is_deterministic_and_tests_differences(rng):
    X, y = ratings(rng, n=300, p=3)
    df, names = frame(X, y)
    a = key_drivers(df, target="overall", drivers=names, n_boot=200, seed=5)
    b = key_drivers(df, target="overall", drivers=names, n_boot=200, seed=5)
    c = key_drivers(df, target="overall", drivers=names, n_boot=200, seed=6)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert not np.allclose(a.table["low"], c.table["low"])
    assert (a.table["low"] <= a.table["importance"] + 1e-9).all()
    assert a.n_boot + a.boot_failed == 200
    # d2 weighs five times d0 in the target.
    d = a.difference("d2", "d0")
    assert d.significant and d.low > 0 and d.p_value < 0.05
    with pytest.raises(cem.UndefinedError):
        key_drivers(df, target="overall", drivers=names).difference("d0", "d1")
    with pytest.raises(cem.InvalidArgumentError, match="no driver `zz`"):
        a.difference("d0", "zz")


def test_svg_and_repr(rng):
    X, y = ratings(rng, n=100, p=3)
    df, names = frame(X, y, ["staff & service", "price", "delivery"])
    kd = key_drivers(df, target="overall", drivers=names, n_boot=50, seed=1)
    svg = kd._repr_svg_()
    assert svg.startswith("<svg") and "staff &amp; service" in svg and "<script" not in svg
    assert repr(kd).startswith("KeyDrivers(method='relative_weights', drivers=3")


# ------------------------------------------------------------------ bad input


def test_bad_input_gets_clear_errors(rng):
    X, y = ratings(rng, n=100, p=3)
    df, names = frame(X, y)
    df["flat"] = 5.0
    with pytest.raises(cem.InvalidArgumentError, match="`flat` takes one value only"):
        key_drivers(df, target="overall", drivers=names + ["flat"])
    df["mix"] = df.d0 + 2 * df.d1
    with pytest.raises(cem.InvalidArgumentError, match="driver `mix` is perfectly collinear with `d0`, `d1`"):
        key_drivers(df, target="overall", drivers=names + ["mix"], method="beta")
    wide = pd.DataFrame(rng.normal(size=(100, 22)), columns=[f"x{i}" for i in range(22)])
    with pytest.raises(cem.InvalidArgumentError, match="relative_weights"):
        key_drivers(wide, target="x0", drivers=[f"x{i}" for i in range(1, 22)], method="shapley")
    with pytest.raises(cem.InvalidArgumentError, match="unknown method `forest`"):
        key_drivers(df, target="overall", drivers=names, method="forest")
    with pytest.raises(KeyError, match="no column `nope`"):
        key_drivers(df, target="overall", drivers=["nope"])
    with pytest.raises(cem.InvalidArgumentError):
        key_drivers(df, target="overall", drivers="d0")
    with pytest.raises(cem.InvalidArgumentError, match="n_boot"):
        key_drivers(df, target="overall", drivers=names, n_boot=-1)
    with pytest.raises(cem.InvalidArgumentError, match="the target `flat` takes one value only"):
        key_drivers(df, target="flat", drivers=names)
    df["neg"] = -1.0
    with pytest.raises(cem.InvalidNumberError, match="`neg` at row 0 `-1` is negative"):
        key_drivers(df, target="overall", drivers=names, weights="neg")
    df.loc[3, "d0"] = np.inf
    with pytest.raises(cem.InvalidNumberError, match="`d0` at row 3"):
        key_drivers(df, target="overall", drivers=names)
    with pytest.raises(cem.EmptyError):
        key_drivers(df.head(3), target="overall", drivers=["d1", "d2"])
    with pytest.raises(TypeError):
        key_drivers({"a": [1.0]}, target="a", drivers=["a"])


# ------------------------------------------------------------------ perception gap


def test_perception_gap_matches_scipy_and_statsmodels(rng):
    speed = rng.integers(1, 6, 80).astype(float)
    staff = rng.integers(3, 6, 80).astype(float)
    staff[[3, 7]] = np.nan
    superior = rng.random(80) < 0.15
    df = pd.DataFrame({"speed": speed, "staff": staff, "superior": superior})
    g = perception_gap(df, {"speed": 4.2, "staff": 4.0}, claimed_share=0.8, superior="superior")
    t = g.table.set_index("attribute")
    for name, company in [("speed", 4.2), ("staff", 4.0)]:
        x = df[name].dropna().to_numpy()
        ref = stats.ttest_1samp(x, company)
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        row = t.loc[name]
        assert row["n"] == len(x)
        assert row["customers"] == pytest.approx(x.mean(), abs=1e-12)
        assert row["t"] == pytest.approx(-ref.statistic, abs=1e-10) or row["t"] == pytest.approx(ref.statistic, abs=1e-10)
        assert row["p_value"] == pytest.approx(ref.pvalue, abs=1e-10)
        assert (row["low_customers"], row["high_customers"]) == pytest.approx((lo, hi), abs=1e-10)
        assert (row["low"], row["high"]) == pytest.approx((company - hi, company - lo), abs=1e-10)
        assert row["gap"] == pytest.approx(company - x.mean(), abs=1e-12)
        assert bool(row["significant"]) == (ref.pvalue < 0.05)
    h = g.headline
    k = int(superior.sum())
    assert (h.low, h.high) == pytest.approx(proportion_confint(k, 80, method="wilson"), abs=1e-12)
    z, p = proportions_ztest(k, 80, value=0.8, prop_var=0.8)
    assert h.p_value == pytest.approx(p, rel=1e-9)
    assert str(g) == f"company says 80%, customers say {100 * k / 80:.0f}% (95% CI {100 * h.low:.0f}%–{100 * h.high:.0f}%)"
    with pytest.raises(cem.OutOfRangeError):
        perception_gap(df, claimed_share=80, superior="superior")
    with pytest.raises(cem.InvalidArgumentError):
        perception_gap(df)
    with pytest.raises(cem.InvalidArgumentError):
        perception_gap(df, claimed_share=0.5)


def test_perception_gap_undefined_t_stays_missing():
    df = pl.DataFrame({"a": [3.0, 3.0, 3.0], "b": [1.0, 2.0, 3.0]})
    g = perception_gap(df, {"a": 4.0, "b": 2.0})
    assert isinstance(g.table, pl.DataFrame)
    assert g.table["t"].to_list()[0] is None and g.table["significant"].to_list() == [True, False]
    pdg = perception_gap(df.to_pandas(), {"a": 4.0, "b": 2.0}).table
    assert pdg["t"].isna().tolist() == [True, False] and str(pdg["t"].dtype) == "Float64"
