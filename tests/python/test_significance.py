"""Comparisons and significance tests against statsmodels, scipy and an independent numpy
adjusted-Wald NPS comparison, on random inputs."""

import math
import pickle

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency, norm
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

import cem
from cem.metrics import (
    ChiSquare,
    Comparison,
    chi2_independence,
    chi_square_independence,
    compare_nps,
    compare_proportions,
    two_proportion_test,
)


def test_two_proportion_z_matches_statsmodels() -> None:
    rng = np.random.default_rng(20261126)
    checked = 0
    for _ in range(300):
        n1, n2 = (int(v) for v in rng.integers(1, 400, size=2))
        x1, x2 = int(rng.integers(0, n1 + 1)), int(rng.integers(0, n2 + 1))
        if (x1 + x2) in (0, n1 + n2):
            with pytest.raises(cem.UndefinedError):
                two_proportion_test(x1, n1, x2, n2)
            continue
        z, p = proportions_ztest([x1, x2], [n1, n2])
        r = two_proportion_test(x1, n1, x2, n2)
        assert isinstance(r, Comparison)
        assert r.z == pytest.approx(z, rel=1e-12, abs=1e-12)
        assert r.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)
        assert r.significant == (p < 0.05)
        assert r.difference == pytest.approx(x1 / n1 - x2 / n2, abs=1e-15)
        low, high = confint_proportions_2indep(x1, n1, x2, n2, method="wald", compare="diff")
        assert r.low == pytest.approx(max(low, -1.0), abs=1e-12)
        assert r.high == pytest.approx(min(high, 1.0), abs=1e-12)
        checked += 1
    assert checked > 250


def test_compare_proportions_of_columns_and_accumulators_match_statsmodels() -> None:
    rng = np.random.default_rng(11)
    for _ in range(50):
        n1, n2 = (int(v) for v in rng.integers(5, 300, size=2))
        a, b = rng.random(n1) < rng.random(), rng.random(n2) < rng.random()
        if a.sum() + b.sum() in (0, n1 + n2):
            continue
        z, p = proportions_ztest([a.sum(), b.sum()], [n1, n2])
        acc = cem.metrics.Proportion()
        acc.push_many(b)
        for r in [compare_proportions(a, b), compare_proportions(pd.Series(a), acc)]:
            assert r.z == pytest.approx(z, rel=1e-12, abs=1e-12)
            assert r.p_value == pytest.approx(p, rel=1e-9, abs=1e-15)


def test_compare_csat_top_box_shares_matches_statsmodels() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.integers(1, 6, 200), rng.integers(2, 6, 150)
    ca, cb = cem.metrics.Csat(), cem.metrics.Csat()
    ca.push_many(a)
    cb.push_many(b)
    z, p = proportions_ztest([(a >= 4).sum(), (b >= 4).sum()], [200, 150])
    r = compare_proportions(ca, cb)
    assert r.z == pytest.approx(z, rel=1e-12) and r.p_value == pytest.approx(p, rel=1e-9)
    with pytest.raises(cem.IncompatibleError):
        compare_proportions(ca, cem.metrics.Csat(max=7, top=2))
    with pytest.raises(TypeError, match="Csat"):
        compare_proportions(ca, (a >= 4))


def _adjusted_wald(scores: np.ndarray) -> tuple[float, float]:
    """Sauro & Lewis: n' = n + 3, p' = (P + 3/4) / n', d' = (D + 3/4) / n'."""
    n = len(scores) + 3
    p = ((scores >= 9).sum() + 0.75) / n
    d = ((scores <= 6).sum() + 0.75) / n
    return p - d, (p + d - (p - d) ** 2) / n


def _wald(scores: np.ndarray) -> tuple[float, float]:
    n = len(scores)
    p, d = (scores >= 9).mean(), (scores <= 6).mean()
    return p - d, (p + d - (p - d) ** 2) / n


@pytest.mark.parametrize(("method", "reference"), [("adjusted-wald", _adjusted_wald), ("wald", _wald)])
def test_compare_nps_matches_independent_numpy(method, reference) -> None:
    rng = np.random.default_rng(13)
    for _ in range(200):
        a = rng.integers(0, 11, int(rng.integers(1, 300)))
        b = rng.integers(0, 11, int(rng.integers(1, 300)))
        (c1, v1), (c2, v2) = reference(a), reference(b)
        se = math.sqrt(v1 + v2)
        if se == 0:
            with pytest.raises(cem.UndefinedError):
                compare_nps(a, b, method=method)
            continue
        z = (c1 - c2) / se
        crit = norm.ppf(0.975)
        r = compare_nps(a, b, method=method)
        plain = 100 * (((a >= 9).mean() - (a <= 6).mean()) - ((b >= 9).mean() - (b <= 6).mean()))
        assert r.difference == pytest.approx(plain, abs=1e-9)
        assert r.z == pytest.approx(z, rel=1e-10, abs=1e-12)
        assert r.p_value == pytest.approx(2 * norm.sf(abs(z)), rel=1e-8, abs=1e-300)
        assert r.se == pytest.approx(100 * se, rel=1e-12)
        assert r.low == pytest.approx(max(100 * (c1 - c2 - crit * se), -200), rel=1e-9, abs=1e-9)
        assert r.high == pytest.approx(min(100 * (c1 - c2 + crit * se), 200), rel=1e-9, abs=1e-9)
        assert r.method == method


def test_compare_nps_accepts_accumulators_and_frames() -> None:
    a, b = [10, 9, 9, 3, 7, 10], [2, 3, 10, 8, 6]
    acc = cem.metrics.Nps()
    acc.push_many(b)
    ref = compare_nps(a, b)
    assert compare_nps(np.array(a), acc) == ref
    assert compare_nps(pd.Series(a), pd.Series(b)) == ref
    assert compare_nps(a, b, confidence=0.9).confidence == 0.9


def test_comparison_is_a_picklable_frozen_value() -> None:
    c = two_proportion_test(45, 100, 30, 100)
    assert pickle.loads(pickle.dumps(c)) == c
    assert set(c.to_dict()) == {"difference", "low", "high", "se", "z", "p_value", "significant", "confidence", "method"}
    assert repr(c).startswith("Comparison(difference=0.15")
    assert "<table" in c._repr_html_()
    with pytest.raises(AttributeError):
        c.z = 1.0  # type: ignore[misc]


@pytest.mark.parametrize("yates", [True, False])
def test_chi_square_matches_scipy(yates: bool) -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        rows, cols = (int(v) for v in rng.integers(2, 6, size=2))
        table = rng.integers(1, 60, size=(rows, cols)).astype(float)
        ref = chi2_contingency(table, correction=yates)
        for given in (table.tolist(), table, pd.DataFrame(table)):
            r = chi2_independence(given, yates=yates)
            assert isinstance(r, ChiSquare)
            assert r.statistic == pytest.approx(ref.statistic, rel=1e-12)
            assert r.df == ref.dof
            assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
            assert np.allclose(r.expected, ref.expected_freq, rtol=1e-12)
            assert r.corrected == (yates and ref.dof == 1)


def test_chi_square_of_a_pandas_crosstab() -> None:
    rng = np.random.default_rng(8)
    frame = pd.DataFrame({"segment": rng.choice(["web", "app", "store"], 500), "answer": rng.integers(0, 4, 500)})
    table = pd.crosstab(frame.segment, frame.answer)
    ref = chi2_contingency(table.to_numpy())
    r = chi2_independence(table)
    assert r.statistic == pytest.approx(ref.statistic, rel=1e-12) and r.df == ref.dof == 6
    assert pickle.loads(pickle.dumps(r)) == r
    assert chi_square_independence(table) == r  # the old name


def test_bad_tables_raise_named_errors() -> None:
    with pytest.raises(cem.InvalidNumberError, match="row 1, column 0"):
        chi2_independence([[1, 2], [-1, 2]])
    with pytest.raises(cem.InvalidNumberError):
        chi2_independence([[1, 2], [math.nan, 2]])
    with pytest.raises(cem.InvalidArgumentError, match="column 1 sums to zero"):
        chi2_independence([[1, 0], [2, 0]])
    with pytest.raises(cem.InvalidArgumentError):
        chi2_independence([[1, 2], [3]])
    for bad in [None, "table", 3, [["a", "b"], ["c", "d"]], [1, 2]]:
        with pytest.raises(TypeError, match="`table`"):
            chi2_independence(bad)
    with pytest.raises(cem.InvalidArgumentError):
        two_proportion_test(5, 4, 1, 2)
    with pytest.raises(cem.InvalidArgumentError, match="`x1`"):
        two_proportion_test(-1, 4, 1, 2)
    with pytest.raises(TypeError, match="n2"):
        two_proportion_test(1, 4, 1, None)


def test_bad_comparison_inputs() -> None:
    for bad in [None, "scores", 7]:
        with pytest.raises(TypeError, match="`a`"):
            compare_nps(bad, [1, 2])
        with pytest.raises(TypeError, match="`b`"):
            compare_proportions([True], bad)
    with pytest.raises(cem.EmptyError):
        compare_nps([], [10])
    with pytest.raises(cem.OutOfRangeError):
        compare_nps([11], [10])
    with pytest.raises(cem.InvalidNumberError):
        compare_nps([math.nan], [10])
    with pytest.raises(cem.OutOfRangeError, match="confidence"):
        compare_nps([1, 10], [10, 3], confidence=1.5)
    with pytest.raises(cem.InvalidArgumentError):
        compare_nps([1, 10], [10, 3], method="wilson")
    with pytest.raises(cem.OutOfRangeError):
        compare_proportions([2], [True])
