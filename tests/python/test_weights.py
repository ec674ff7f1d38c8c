"""Survey weights: weight 1 changes nothing; the effective n is Kish's."""

import numpy as np
import pytest

import cem

FUNCTIONS = [
    (cem.nps, lambda rng, n: rng.integers(0, 11, n)),
    (cem.csat, lambda rng, n: rng.integers(1, 6, n)),
    (cem.ces, lambda rng, n: rng.integers(1, 8, n)),
    (cem.ces_agree, lambda rng, n: rng.integers(1, 8, n)),
    (cem.net_satisfaction, lambda rng, n: rng.integers(1, 6, n)),
    (cem.mean, lambda rng, n: rng.normal(3.0, 2.0, n)),
    (cem.proportion, lambda rng, n: rng.random(n) < 0.3),
]
IDS = [f.__name__ for f, _ in FUNCTIONS]


@pytest.mark.parametrize(("metric", "draw"), FUNCTIONS, ids=IDS)
def test_unit_weights_equal_unweighted(rng, metric, draw):
    for n in [2, 7, 100, 5_000]:
        x = draw(rng, n)
        plain, weighted = metric(x), metric(x, np.ones(n))
        for field in ["value", "low", "high", "se", "n", "n_eff"]:
            assert getattr(weighted, field) == pytest.approx(getattr(plain, field), rel=1e-12, abs=1e-12), field


@pytest.mark.parametrize(("metric", "draw"), FUNCTIONS, ids=IDS)
def test_kish_effective_n(rng, metric, draw):
    n = 250
    x = draw(rng, n)
    w = rng.lognormal(0.0, 0.7, n)
    e = metric(x, w)
    assert e.n == n
    assert e.n_eff == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
    assert e.n_eff < n


def test_weighted_nps_value_is_weighted_shares(rng):
    scores = rng.integers(0, 11, 400)
    w = rng.uniform(0.2, 3.0, 400)
    expected = 100 * (w[scores >= 9].sum() - w[scores <= 6].sum()) / w.sum()
    e = cem.nps(scores, w)
    assert e.value == pytest.approx(expected, rel=1e-12)
    assert e.promoters == pytest.approx(w[scores >= 9].sum() / w.sum())


def test_integer_weights_act_like_repeats_for_the_value(rng):
    scores = rng.integers(1, 6, 50)
    reps = rng.integers(1, 4, 50)
    assert cem.csat(scores, reps.astype(float)).value == pytest.approx(cem.csat(np.repeat(scores, reps)).value)
