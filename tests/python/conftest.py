"""Shared fixtures: a seeded generator, so every random case is reproducible."""

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261126)
