"""cem against the references: statsmodels' proportion_confint, scipy's t interval, the
published NPS check and an independent numpy implementation of the adjusted Wald interval.

Clipping: statsmodels (0.14, 0.15) clips the ``normal`` and ``agresti_coull`` intervals to
[0, 1] itself and Wilson never leaves it; cem clips every share interval to [0, 1]. So the
intervals are compared as they are, with no clipping on either side.
"""

import itertools

import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

import cem

NS = [1, 2, 3, 5, 10, 30, 100, 1_000, 20_000]
PS = [0.0, 0.001, 0.02, 0.3, 0.5, 0.77, 0.98, 0.999, 1.0]
CONFIDENCES = [0.8, 0.9, 0.95, 0.99]
METHODS = {"wilson": "wilson", "agresti_coull": "agresti-coull", "normal": "wald"}


@pytest.mark.parametrize("sm_method", METHODS)
def test_proportion_matches_statsmodels(rng, sm_method):
    cases = 0
    for n, p, conf in itertools.product(NS, PS, CONFIDENCES):
        x = int(rng.binomial(n, p))
        outcomes = np.zeros(n, dtype=bool)
        outcomes[:x] = True
        rng.shuffle(outcomes)
        e = cem.proportion(outcomes, confidence=conf, method=METHODS[sm_method])
        low, high = proportion_confint(x, n, alpha=1 - conf, method=sm_method)
        assert e.value == pytest.approx(x / n, abs=1e-15)
        assert e.low == pytest.approx(low, abs=1e-12), (n, x, conf)
        assert e.high == pytest.approx(high, abs=1e-12), (n, x, conf)
        assert 0.0 <= e.low <= e.high <= 1.0
        assert (e.n, e.n_eff, e.confidence) == (n, n, conf)
        cases += 1
    assert cases == len(NS) * len(PS) * len(CONFIDENCES)


@pytest.mark.parametrize("sm_method", METHODS)
def test_csat_top_box_is_a_proportion(rng, sm_method):
    for n in [1, 4, 25, 400]:
        scores = rng.integers(1, 6, size=n)
        x = int((scores >= 4).sum())
        e = cem.csat(scores, method=METHODS[sm_method])
        low, high = proportion_confint(x, n, alpha=0.05, method=sm_method)
        assert (e.low, e.high) == pytest.approx((low, high), abs=1e-12)


@pytest.mark.parametrize("n", [2, 3, 5, 10, 50, 1_000])
def test_mean_matches_scipy_t_interval(rng, n):
    for scale, conf in itertools.product([1e-3, 1.0, 1e6], CONFIDENCES):
        x = rng.normal(loc=10 * scale, scale=scale, size=n)
        e = cem.mean(x, confidence=conf)
        low, high = stats.t.interval(conf, n - 1, loc=x.mean(), scale=stats.sem(x))
        assert e.value == pytest.approx(x.mean(), rel=1e-12)
        assert e.se == pytest.approx(stats.sem(x), rel=1e-9)
        assert e.low == pytest.approx(low, rel=1e-9, abs=1e-12 * scale)
        assert e.high == pytest.approx(high, rel=1e-9, abs=1e-12 * scale)
        assert e.method == "student-t"


def test_ces_mean_matches_scipy(rng):
    scores = rng.integers(1, 8, size=137)
    e = cem.ces(scores)
    low, high = stats.t.interval(0.95, len(scores) - 1, loc=scores.mean(), scale=stats.sem(scores))
    assert (e.value, e.low, e.high) == pytest.approx((scores.mean(), low, high), rel=1e-12)


def test_published_nps_check():
    """Sauro & Lewis: 50 promoters, 30 passives, 20 detractors -> NPS 30, 95% CI [14.05, 44.20]."""
    scores = [10] * 50 + [8] * 30 + [3] * 20
    e = cem.nps(scores)
    assert e.value == 30.0
    assert e.low == pytest.approx(14.05, abs=0.005)
    assert e.high == pytest.approx(44.20, abs=0.005)
    assert e.method == "adjusted-wald"
    assert (e.promoters, e.passives, e.detractors) == pytest.approx((0.5, 0.3, 0.2))


def adjusted_wald(promoters: int, detractors: int, n: int, conf: float):
    """The adjusted Wald interval of NPS, straight from the formula, in points."""
    z = stats.norm.ppf(0.5 + conf / 2)
    n_adj = n + 3
    p = (promoters + 0.75) / n_adj
    d = (detractors + 0.75) / n_adj
    se = np.sqrt((p + d - (p - d) ** 2) / n_adj)
    low = max(-100.0, 100 * (p - d - z * se))
    high = min(100.0, 100 * (p - d + z * se))
    return 100 * (promoters - detractors) / n, low, high, 100 * se


def test_nps_adjusted_wald_matches_numpy(rng):
    cases = 0
    for n, conf in itertools.product([1, 2, 5, 13, 100, 2_500], CONFIDENCES):
        for probs in ([0.3, 0.3, 0.4], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.01, 0.9, 0.09], [0.5, 0.0, 0.5]):
            # category draws -> scores 0-10 (detractor 0-6, passive 7-8, promoter 9-10)
            cat = rng.choice(3, size=n, p=probs)
            scores = np.where(cat == 0, rng.integers(0, 7, n), np.where(cat == 1, rng.integers(7, 9, n), rng.integers(9, 11, n)))
            promoters, detractors = int((scores >= 9).sum()), int((scores <= 6).sum())
            value, low, high, se = adjusted_wald(promoters, detractors, n, conf)
            e = cem.nps(scores, confidence=conf)
            assert e.value == pytest.approx(value, abs=1e-12)
            assert (e.low, e.high, e.se) == pytest.approx((low, high, se), abs=1e-9), (n, promoters, detractors)
            cases += 1
    assert cases == 120


def test_nps_wald_matches_numpy(rng):
    scores = rng.integers(0, 11, size=321)
    z = (scores >= 9).astype(float) - (scores <= 6)
    se = 100 * np.sqrt(((z - z.mean()) ** 2).mean() / len(z))
    e = cem.nps(scores, method="wald")
    assert e.value == pytest.approx(100 * z.mean())
    assert e.se == pytest.approx(se, rel=1e-12)
    half = stats.norm.ppf(0.975) * se
    assert (e.low, e.high) == pytest.approx((100 * z.mean() - half, 100 * z.mean() + half), rel=1e-12)


def test_net_satisfaction_is_an_nps_on_five_points(rng):
    scores = rng.integers(1, 6, size=200)
    plus, minus = int((scores >= 4).sum()), int((scores <= 2).sum())
    value, low, high, _ = adjusted_wald(plus, minus, len(scores), 0.95)
    e = cem.net_satisfaction(scores)
    assert (e.value, e.low, e.high) == pytest.approx((value, low, high), abs=1e-9)
