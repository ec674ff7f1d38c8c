"""The significance tests against statsmodels and scipy on random inputs."""

import numpy as np
import pytest
from scipy.stats import chi2_contingency
from statsmodels.stats.proportion import proportions_ztest

import cem
from cem.metrics import chi_square_independence, two_proportion_test


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
        assert r["z"] == pytest.approx(z, rel=1e-12, abs=1e-12)
        assert r["p_value"] == pytest.approx(p, rel=1e-9, abs=1e-15)
        assert r["significant"] == (p < 0.05)
        checked += 1
    assert checked > 250


@pytest.mark.parametrize("yates", [True, False])
def test_chi_square_matches_scipy(yates: bool) -> None:
    rng = np.random.default_rng(7)
    for _ in range(200):
        rows, cols = (int(v) for v in rng.integers(2, 6, size=2))
        table = rng.integers(1, 60, size=(rows, cols)).astype(float)
        ref = chi2_contingency(table, correction=yates)
        r = chi_square_independence(table.tolist(), yates=yates)
        assert r["statistic"] == pytest.approx(ref.statistic, rel=1e-12)
        assert r["df"] == ref.dof
        assert r["p_value"] == pytest.approx(ref.pvalue, rel=1e-9, abs=1e-300)
        assert np.allclose(r["expected"], ref.expected_freq, rtol=1e-12)
        assert r["corrected"] == (yates and ref.dof == 1)


def test_bad_tables_raise_named_errors() -> None:
    with pytest.raises(cem.InvalidNumberError, match="row 1, column 0"):
        chi_square_independence([[1, 2], [-1, 2]])
    with pytest.raises(cem.InvalidArgumentError, match="column 1 sums to zero"):
        chi_square_independence([[1, 0], [2, 0]])
    with pytest.raises(cem.InvalidArgumentError):
        two_proportion_test(5, 4, 1, 2)
