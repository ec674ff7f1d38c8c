"""Key-driver analysis and the perception gap.

:func:`key_drivers` answers *which ratings move the overall score*: it regresses a target
rating (overall satisfaction, likelihood to recommend) on driver ratings and returns one row
per driver with its importance, share of R², standardized beta, correlation with the target,
mean rating (performance) and importance–performance quadrant.

Methods (``method=``):

* ``"relative_weights"`` (default) — Johnson's (2000) relative weights: the drivers'
  correlation matrix R_xx = Q D Qᵀ gives Λ = Q √D Qᵀ, β = Λ⁻¹ r_xy, and driver j's weight
  ε_j = Σ_k λ_jk² β_k². The weights are non-negative and **sum to R²**.
* ``"shapley"`` — the Shapley value (LMG) of R², exact over all 2^p subsets of drivers; also
  sums to R². Refused above ``max_shapley_drivers`` (20) drivers, where it gets slow.
* ``"beta"`` — standardized OLS coefficients (share: Pratt's β_j·r_j / R²).
* ``"correlation"`` — the Pearson correlation with the target (share: r_j² / Σ r²).

**Quadrants.** Split at the mean importance and the mean performance of the drivers in the
analysis (a value equal to a mean counts as high): *fix now* (important, rated below
average), *keep up* (important, rated at or above average), *low priority* (less important,
below average), *possible overkill* (less important, at or above average).

**Missing values.** Rows with a missing value (NaN or null) in the target, a driver or the
weights are dropped and counted (``.dropped``); ``missing="error"`` raises instead, naming the
column and row. A constant driver, a constant target or perfectly collinear drivers raise an
``InvalidArgumentError`` naming them.

**Bootstrap.** ``n_boot`` replicates resample rows with replacement (seeded, so the same seed
gives the same intervals; ``seed=None`` means 0); each row's importance gets a percentile
interval, and :meth:`KeyDrivers.difference` tests whether two drivers differ.

:func:`perception_gap` compares the company's own rating of each attribute with its
customers' mean rating (t interval, the company value taken as fixed) and gives the
headline: *"company says 80%, customers say 8% (95% CI 5%–12%)"* with a Wilson interval.

Examples
--------
>>> import pandas as pd
>>> from cem.drivers import key_drivers
>>> survey = pd.DataFrame({
...     "overall":  [7, 7, 7, 9, 4, 9, 6, 9, 5, 8],
...     "staff":    [7, 8, 6, 9, 5, 8, 7, 9, 4, 8],
...     "price":    [6, 5, 7, 6, 4, 8, 5, 7, 5, 6],
...     "delivery": [8, 6, 7, 9, 3, 9, 6, 8, 6, 7],
... })
>>> kd = key_drivers(survey, target="overall", drivers=["staff", "price", "delivery"])
>>> round(kd.r2, 4), round(float(kd.table["importance"].sum()), 4)  # weights sum to R²
(0.9793, 0.9793)
>>> kd.table[["driver", "rank", "quadrant"]]
     driver  rank           quadrant
0     staff     1            keep up
1     price     3       low priority
2  delivery     2  possible overkill
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional

import numpy as np

from cem import _frames
from cem._cem import InvalidArgumentError, _claimed_share_gap, _key_drivers, _perception_gap

__all__ = ["DriverDifference", "KeyDrivers", "PerceptionGap", "ShareGap", "key_drivers", "perception_gap"]

_METHODS = ("relative_weights", "shapley", "beta", "correlation")
_OUTPUTS = ("pandas", "polars", "pyarrow")


@dataclass(frozen=True)
class DriverDifference:
    """``importance(a) − importance(b)`` with its bootstrap percentile interval and the
    two-sided bootstrap p-value of "no difference" (2·(1 + replicates on the far side of
    0)/(1 + B), capped at 1); ``significant`` when the interval excludes 0."""

    a: str
    b: str
    difference: float
    low: float
    high: float
    p_value: float
    significant: bool


class KeyDrivers:
    """The result of :func:`key_drivers`.

    Attributes
    ----------
    table : frame
        One row per driver (input order): ``driver``, ``importance``, ``share`` (of R²),
        ``rank`` (1 = most important), ``beta``, ``correlation``, ``performance`` (mean
        rating), ``quadrant``, and with bootstrap ``low`` / ``high``.
    r2 : float
        R² of the regression of the target on all drivers.
    n : int
        Rows used.
    dropped : int
        Rows dropped for a missing value.
    method : str
        The importance method.
    n_boot : int
        Bootstrap replicates used (``boot_failed`` were skipped: a driver came out constant
        or collinear in them).
    """

    def __init__(self, native: Any, table: Any) -> None:
        self._native = native
        self.table = table
        self.r2: float = native.r2
        self.n: int = native.n
        self.dropped: int = native.dropped
        self.method: str = native.method
        self.n_boot: int = native.n_boot
        self.boot_failed: int = native.boot_failed
        self.mean_importance, self.mean_performance = native.split

    def difference(self, a: str, b: str) -> DriverDifference:
        """Whether driver ``a`` matters more than driver ``b`` (needs ``n_boot > 0``).

        >>> import numpy as np, pandas as pd
        >>> rng = np.random.default_rng(1)
        >>> df = pd.DataFrame(rng.integers(1, 11, size=(300, 2)), columns=["staff", "price"])
        >>> df["overall"] = 0.8 * df.staff + 0.2 * df.price + rng.normal(0, 1, 300)
        >>> d = key_drivers(df, target="overall", drivers=["staff", "price"], n_boot=200, seed=3).difference("staff", "price")
        >>> d.significant, d.difference > 0
        (True, True)
        """
        return DriverDifference(**self._native.difference(a, b))

    def to_svg(self, title: str = "Key drivers") -> str:
        """The bar chart (importance by driver, coloured by quadrant) as self-contained SVG."""
        return str(self._native.to_svg(title))

    def _repr_svg_(self) -> str:
        return self.to_svg()

    def __repr__(self) -> str:
        return (
            f"KeyDrivers(method={self.method!r}, drivers={len(self._native.rows()['driver'])}, "
            f"r2={self.r2:.4f}, n={self.n}, dropped={self.dropped}, n_boot={self.n_boot})"
        )


def key_drivers(
    frame: Any,
    target: str,
    drivers: Sequence[str],
    method: str = "relative_weights",
    weights: Optional[str] = None,
    n_boot: int = 0,
    seed: Optional[int] = None,
    missing: str = "drop",
    *,
    confidence: float = 0.95,
    max_shapley_drivers: int = 20,
    output: Optional[str] = None,
) -> KeyDrivers:
    """Key-driver analysis of ``target`` on ``drivers`` (column names of ``frame``: pandas,
    polars or pyarrow). ``weights`` names a column of non-negative row weights (weighted
    means and correlations). The table comes back in the frame's library (``output=``
    picks another). See the module docs for the methods, quadrants and missing values.

    >>> import polars as pl
    >>> df = pl.DataFrame({"y": [1.5, 1.8, 3.9, 3.2, 5.1, 3.0, None], "a": [1, 2, 3, 4, 5, 2, 3], "b": [2, 1, 4, 3, 5, 5, 1]})
    >>> kd = key_drivers(df, target="y", drivers=["a", "b"], method="shapley")
    >>> kd.dropped, type(kd.table).__name__
    (1, 'DataFrame')
    """
    if isinstance(drivers, str):
        raise InvalidArgumentError("invalid `drivers`: give a list of column names, not one string")
    kind = _frames.frame_kind(frame)
    frame = _frames.as_table(frame, kind)
    out = _check_output(output or kind)
    names = [str(d) for d in drivers]
    native = _key_drivers(
        _floats(frame, kind, target),
        [_floats(frame, kind, d) for d in names],
        names,
        method,
        _floats(frame, kind, weights) if weights is not None else None,
        n_boot=_count("n_boot", n_boot),
        seed=0 if seed is None else _count("seed", seed),
        missing=missing,
        confidence=confidence,
        max_shapley_drivers=_count("max_shapley_drivers", max_shapley_drivers),
        columns=(target, weights or "weights"),
    )
    rows = native.rows()
    if native.n_boot == 0:
        del rows["low"], rows["high"]
    return KeyDrivers(native, _table(rows, out))


@dataclass(frozen=True)
class ShareGap:
    """The headline perception gap: the company's claimed share of customers with a
    superior experience against the share of customers who say so (Wilson interval)."""

    company_share: float
    customers_share: float
    low: float
    high: float
    n: int
    gap: float
    p_value: Optional[float]
    significant: bool
    text: str

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class PerceptionGap:
    """The result of :func:`perception_gap`: ``table`` (one row per attribute, or ``None``)
    and ``headline`` (a :class:`ShareGap`, or ``None``)."""

    table: Any
    headline: Optional[ShareGap]

    def __str__(self) -> str:
        return str(self.headline) if self.headline is not None else repr(self)


def perception_gap(
    frame: Any,
    company: Optional[Mapping[str, float]] = None,
    *,
    claimed_share: Optional[float] = None,
    superior: Optional[str] = None,
    weights: Optional[str] = None,
    confidence: float = 0.95,
    output: Optional[str] = None,
) -> PerceptionGap:
    """What the company believes against what its customers say.

    ``company`` maps attribute columns of ``frame`` (the customers' ratings) to the company's
    own rating of that attribute on the same scale. Each row of ``table``: ``attribute``,
    ``company``, ``customers`` (mean rating) with ``low_customers``/``high_customers`` (t
    interval), ``n``, ``gap`` = company − customers (positive: the company rates itself
    higher) with ``low``/``high`` (the company value is taken as fixed, so the gap's interval
    is the company value minus the customers' interval), ``t`` and ``p_value`` of the
    one-sample t test (``None`` when the ratings do not vary), and ``significant``. Missing
    ratings are skipped per attribute.

    ``claimed_share`` (a fraction: 0.8 for "80% of our customers get a superior experience")
    with ``superior`` (a boolean or 0/1 column: did this customer say so; nulls skipped) gives
    the ``headline``: "company says 80%, customers say Y% (95% CI a%–b%)", Y with a Wilson
    interval, and a score test of Y against the claim.

    >>> import pandas as pd
    >>> answers = pd.DataFrame({"speed": [3, 4, 2, 3, 3], "superior": [True] + [False] * 4})
    >>> g = perception_gap(answers, {"speed": 4.5}, claimed_share=0.8, superior="superior")
    >>> g.table[["attribute", "company", "customers", "gap", "significant"]]
      attribute  company  customers  gap  significant
    0     speed      4.5        3.0  1.5         True
    >>> print(g)
    company says 80%, customers say 20% (95% CI 4%–62%)
    """
    kind = _frames.frame_kind(frame)
    frame = _frames.as_table(frame, kind)
    out = _check_output(output or kind)
    if company is None and claimed_share is None:
        raise InvalidArgumentError("invalid `company`: give company ratings per attribute, or `claimed_share` with `superior`")
    if (claimed_share is None) != (superior is None):
        raise InvalidArgumentError("invalid `claimed_share`: the headline needs both `claimed_share` and `superior`")
    w = _floats(frame, kind, weights) if weights is not None else None
    table = None
    if company is not None:
        attrs = [str(a) for a in company]
        rows = _perception_gap(attrs, [float(company[a]) for a in company], [_floats(frame, kind, a) for a in attrs], w, confidence)
        table = _table(rows, out)
    headline = None
    if claimed_share is not None and superior is not None:
        said = _floats(frame, kind, superior)
        keep = ~np.isnan(said)
        if w is not None:
            keep &= ~np.isnan(w)
        h = _claimed_share_gap(float(claimed_share), said[keep] != 0, None if w is None else w[keep], confidence)
        headline = ShareGap(**h)
    return PerceptionGap(table, headline)


def _floats(frame: Any, kind: str, name: str) -> np.ndarray:
    """A column as float64 numpy, nulls as NaN (no copy for float64 columns without nulls)."""
    col = _frames.column(frame, kind, name)
    if kind == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return np.asarray(col.cast(pl.Float64).fill_null(float("nan")).to_numpy(), dtype=np.float64)
    if isinstance(col, np.ndarray):
        return col if col.dtype == np.float64 else col.astype(np.float64)
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    if kind == "pandas" and not isinstance(col, (pa.Array, pa.ChunkedArray)):
        return np.asarray(col.to_numpy(dtype=np.float64, na_value=np.nan))
    arrow = pc.fill_null(pc.cast(col, pa.float64()), float("nan"))
    return np.asarray(arrow.to_numpy(), dtype=np.float64)


def _count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise InvalidArgumentError(f"invalid `{name}`: `{value!r}` is not a non-negative integer")
    return int(value)


def _check_output(output: str) -> str:
    if output not in _OUTPUTS:
        raise InvalidArgumentError(f"invalid `output`: `{output}`; expected one of {', '.join(_OUTPUTS)}")
    return output


def _table(columns: dict[str, list[Any]], output: str) -> Any:
    import pyarrow as pa  # type: ignore[import-untyped]

    table = pa.table(columns)
    if output == "pyarrow":
        return table
    if output == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return pl.from_arrow(table)
    import pandas as pd  # type: ignore[import-untyped]

    # Undefined cells (t of constant ratings) stay missing (pd.NA), never NaN.
    nulls = any(table.column(c).null_count for c in table.column_names)
    return table.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get if nulls else None)
