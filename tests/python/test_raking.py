"""Survey weights (raking, post-stratification) against an independent numpy IPF and the
analytic post-stratification solution; weighted margins must equal the targets."""

import math

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
from cem.metrics import post_stratify, poststratify, rake


def numpy_ipf(columns, margins, base=None, tol=1e-13, max_iter=10_000):
    """Textbook iterative proportional fitting, written independently of cem."""
    n = len(columns[0])
    w = np.ones(n) if base is None else np.asarray(base, dtype=float).copy()
    for _ in range(max_iter):
        for col, target in zip(columns, margins):
            for level, share in target.items():
                mask = col == level
                w[mask] *= share * w.sum() / w[mask].sum()
        err = max(
            abs(w[col == level].sum() / w.sum() - share)
            for col, target in zip(columns, margins)
            for level, share in target.items()
        )
        if err < tol:
            break
    return w * n / w.sum()


def weighted_share(w, col, level):
    return w[col == level].sum() / w.sum()


def random_margins(rng, levels):
    shares = rng.dirichlet(np.ones(len(levels)) * 3)
    return dict(zip(levels, shares.tolist()))


def test_rake_matches_numpy_ipf_on_random_samples(rng):
    for _ in range(20):
        n = int(rng.integers(200, 2000))
        gender = rng.choice(["f", "m", "x"], n, p=[0.5, 0.45, 0.05])
        region = rng.choice(["north", "south", "east", "west"], n)
        age = rng.integers(0, 5, n)
        margins = {
            "gender": random_margins(rng, ["f", "m", "x"]),
            "region": random_margins(rng, ["north", "south", "east", "west"]),
            "age": random_margins(rng, [0, 1, 2, 3, 4]),
        }
        frame = pd.DataFrame({"gender": gender, "region": region, "age": age})
        w = rake(frame, margins)
        assert isinstance(w, np.ndarray) and w.dtype == np.float64 and w.shape == (n,)
        ref = numpy_ipf([gender, region, age], list(margins.values()))
        np.testing.assert_allclose(w, ref, rtol=1e-7)
        assert w.sum() == pytest.approx(n, rel=1e-12)
        for name, target in margins.items():
            for level, share in target.items():
                assert weighted_share(w, frame[name].to_numpy(), level) == pytest.approx(share, abs=1e-9)


def test_rake_with_base_weights_matches_numpy_ipf(rng):
    n = 800
    a, b = rng.integers(0, 3, n), rng.choice(["p", "q"], n)
    base = rng.lognormal(0, 0.5, n)
    margins = {"a": {0: 0.2, 1: 0.3, 2: 0.5}, "b": {"p": 0.7, "q": 0.3}}
    w = rake({"a": a, "b": b}, margins, base_weights=base)
    np.testing.assert_allclose(w, numpy_ipf([a, b], list(margins.values()), base), rtol=1e-7)


def test_rake_of_a_product_form_sample_is_analytic():
    # The sample's cross-table is the product of its margins, so the raked weight of cell
    # (i, j) is target_a[i] * target_b[j] / (sample_a[i] * sample_b[j]), normalised to mean 1.
    a = np.repeat([0, 0, 1, 1], [30, 10, 30, 10])  # sample_a = (.5, .5)
    b = np.repeat([0, 1, 0, 1], [30, 10, 30, 10])  # sample_b = (.75, .25)
    w = rake({"a": a, "b": b}, {"a": {0: 0.6, 1: 0.4}, "b": {0: 0.5, 1: 0.5}})
    raw = np.array([0.6, 0.4])[a] * np.array([0.5, 0.5])[b] / (np.array([0.5, 0.5])[a] * np.array([0.75, 0.25])[b])
    np.testing.assert_allclose(w, raw * len(a) / raw.sum(), rtol=1e-9)


def test_post_stratify_is_target_over_sample_share(rng):
    n = 1000
    cell = rng.choice(["a", "b", "c", "d"], n, p=[0.1, 0.2, 0.3, 0.4])
    base = rng.uniform(0.5, 2.0, n)
    targets = {"a": 0.25, "b": 0.25, "c": 0.3, "d": 0.2}
    w = post_stratify(pd.DataFrame({"cell": cell}), "cell", targets, base_weights=base)
    sample_share = {c: base[cell == c].sum() / base.sum() for c in targets}
    raw = base * np.array([targets[c] / sample_share[c] for c in cell])
    np.testing.assert_allclose(w, raw * n / raw.sum(), rtol=1e-12)
    for c, share in targets.items():
        assert weighted_share(w, cell, c) == pytest.approx(share, abs=1e-12)
    assert list(poststratify({"cell": cell}, "cell", targets, base)) == list(w)


def test_post_stratify_on_combined_cells(rng):
    n = 600
    age, sex = rng.choice(["young", "old"], n), rng.choice(["f", "m"], n)
    targets = {("young", "f"): 0.3, ("young", "m"): 0.2, ("old", "f"): 0.25, ("old", "m"): 0.25}
    w = post_stratify(pl.DataFrame({"age": age, "sex": sex}), ["age", "sex"], targets)
    for (a, s), share in targets.items():
        mask = (age == a) & (sex == s)
        assert w[mask].sum() / w.sum() == pytest.approx(share, abs=1e-12)


def test_every_frame_type_gives_the_same_weights(rng):
    n = 300
    g, r = rng.choice(["f", "m"], n), rng.choice(["n", "s", "e"], n)
    margins = {"g": {"f": 0.52, "m": 0.48}, "r": {"n": 0.3, "s": 0.3, "e": 0.4}}
    ref = rake({"g": g.tolist(), "r": r.tolist()}, margins)
    frames = [
        pd.DataFrame({"g": g, "r": r}),
        pd.DataFrame({"g": pd.Categorical(g), "r": pd.Series(r, dtype="string")}),
        pl.DataFrame({"g": g, "r": r}),
        pl.DataFrame({"g": g, "r": r}).with_columns(pl.col("g").cast(pl.Categorical)),
        pa.table({"g": g, "r": r}),
        pa.table({"g": pa.array(g).dictionary_encode(), "r": r}),
        {"g": g, "r": r},
    ]
    for frame in frames:
        np.testing.assert_array_equal(rake(frame, margins), ref)


def test_levels_and_targets_must_match_with_named_errors():
    frame = {"region": ["n", "s", "w", "n"], "g": ["f", "m", "f", "f"]}
    with pytest.raises(cem.InvalidArgumentError, match="level `w` of column `region` \\(row 2\\) has no target"):
        rake(frame, {"region": {"n": 0.5, "s": 0.5}})
    with pytest.raises(cem.InvalidArgumentError, match="level `e` of column `region` has target share `0.1` but no rows"):
        rake(frame, {"region": {"n": 0.3, "s": 0.3, "w": 0.3, "e": 0.1}})
    # a level with share 0 may be absent
    w = rake(frame, {"region": {"n": 0.4, "s": 0.3, "w": 0.3, "e": 0.0}})
    assert w.sum() == pytest.approx(4)
    with pytest.raises(cem.InvalidArgumentError, match="shares of column `g` sum to `0.9`"):
        rake(frame, {"g": {"f": 0.5, "m": 0.4}})
    with pytest.raises(cem.InvalidArgumentError, match="level `m` of column `g`"):
        rake(frame, {"g": {"f": 1.2, "m": -0.2}})
    with pytest.raises(cem.InvalidArgumentError, match="`nan`"):
        rake(frame, {"g": {"f": math.nan, "m": 0.5}})
    with pytest.raises(TypeError, match="share of level `f`"):
        rake(frame, {"g": {"f": "half", "m": 0.5}})
    with pytest.raises(cem.InvalidArgumentError, match="no column `age`"):
        rake(frame, {"age": {"y": 1.0}})
    with pytest.raises(cem.InvalidArgumentError, match="`young, m`"):
        post_stratify({"a": ["young"], "s": ["m"]}, ["a", "s"], {("young", "f"): 1.0})


def test_missing_values_and_hostile_input():
    with pytest.raises(cem.InvalidArgumentError, match="missing value at row 1"):
        rake(pd.DataFrame({"g": ["f", None, "m"]}), {"g": {"f": 0.5, "m": 0.5}})
    with pytest.raises(cem.InvalidArgumentError, match="missing value at row 0"):
        rake({"g": [math.nan, 1.0]}, {"g": {1.0: 1.0}})
    with pytest.raises(cem.InvalidArgumentError, match="missing value at row 2"):
        rake(pd.DataFrame({"g": pd.array(["f", "m", pd.NA])}), {"g": {"f": 0.5, "m": 0.5}})
    with pytest.raises(TypeError, match="`frame`"):
        rake(None, {"g": {"f": 1.0}})
    with pytest.raises(TypeError, match="`margins`"):
        rake({"g": ["f"]}, None)
    with pytest.raises(TypeError, match="`margins`"):
        rake({"g": ["f"]}, {"g": 0.5})
    with pytest.raises(TypeError, match="`cells`"):
        post_stratify({"g": ["f"]}, None, {"f": 1.0})
    with pytest.raises(cem.LengthMismatchError):
        rake({"a": [0, 1], "b": [0, 1, 1]}, {"a": {0: 0.5, 1: 0.5}, "b": {0: 0.5, 1: 0.5}})
    with pytest.raises(cem.LengthMismatchError):
        post_stratify({"a": [0, 1]}, "a", {0: 0.5, 1: 0.5}, base_weights=[1.0])
    with pytest.raises(cem.InvalidNumberError):
        post_stratify({"a": [0, 1]}, "a", {0: 0.5, 1: 0.5}, base_weights=[1.0, math.nan])
    with pytest.raises(cem.InvalidArgumentError, match="tolerance"):
        rake({"a": [0, 1]}, {"a": {0: 0.5, 1: 0.5}}, tol=0.0)


def test_contradictory_margins_do_not_converge():
    # a = 0 always goes with b = 0 and a = 1 with b = 1, so the margins cannot differ.
    frame = {"a": [0, 0, 1, 1], "b": [0, 0, 1, 1]}
    with pytest.raises(cem.NotConvergedError):
        rake(frame, {"a": {0: 0.5, 1: 0.5}, "b": {0: 0.8, 1: 0.2}}, max_iter=50)
