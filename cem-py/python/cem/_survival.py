"""Kaplan–Meier survival and log-rank tests, as lifelines (``KaplanMeierFitter``,
``logrank_test``, ``multivariate_logrank_test``). Public as :mod:`cem.loyalty`'s
:class:`~cem.loyalty.KaplanMeier`, :func:`~cem.loyalty.logrank`,
:class:`~cem.loyalty.LogRankResult` and :func:`~cem.loyalty.survival_svg`; import them
from there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from cem._cem import (
    InvalidArgumentError,
    _KaplanMeier,
    _logrank_test,
    _multivariate_logrank_test,
    _survival_svg,
)
from cem._loyalty_glue import _check_output, _column, _convert, _flags, _pa

__all__ = ["KaplanMeier", "LogRankResult", "logrank", "survival_svg"]


class KaplanMeier:
    """The Kaplan–Meier estimator, as lifelines' ``KaplanMeierFitter``: the survival table
    with Greenwood variance and lifelines' log(−log) confidence band, the median, S(t), and
    a survival-curve picture.

    Parameters
    ----------
    confidence : float
        Level of the pointwise band (lifelines' ``alpha = 1 − confidence``).

    Examples
    --------
    >>> from cem.loyalty import KaplanMeier
    >>> km = KaplanMeier().fit([1, 2, 2, 3, 4], [True, True, False, True, False])
    >>> km.median
    3.0
    >>> km.survival_at([0, 2.5, 10]).round(3).tolist()
    [1.0, 0.6, 0.3]
    >>> km.survival_table()[["time", "at_risk", "events", "survival"]].iloc[2].round(3).tolist()
    [2.0, 4.0, 1.0, 0.6]
    """

    def __init__(self, confidence: float = 0.95, label: str = "survival") -> None:
        self.confidence = confidence
        self.label = label
        self._km: Optional[_KaplanMeier] = None

    def fit(
        self,
        durations: Any,
        events: Optional[Any] = None,
        weights: Optional[Any] = None,
        *,
        label: Optional[str] = None,
    ) -> KaplanMeier:
        """Fits the curve. ``events[i]`` is true when subject ``i``'s duration ended in the
        event (churn), false when censored (default: all observed); ``weights`` are frequency
        weights. Returns ``self``.

        Raises
        ------
        InvalidNumberError
            A NaN, infinite or negative duration or weight; an event flag other than 0/1.
        EmptyError
            No durations.
        """
        self._km = _KaplanMeier.fit(_column(durations), _flags(events), _column(weights), self.confidence)
        if label is not None:
            self.label = label
        return self

    @property
    def _fitted(self) -> _KaplanMeier:
        if self._km is None:
            raise InvalidArgumentError("the KaplanMeier estimator is not fitted; call fit() first")
        return self._km

    def survival_table(self, output: str = "pandas") -> Any:
        """``time, at_risk, events, censored, survival, variance, lower, upper``: one row at 0
        and at each distinct duration (lifelines' ``event_table`` joined with
        ``survival_function_``, ``_cumulative_sq_`` and ``confidence_interval_``)."""
        t = self._fitted.table()
        return _convert(_pa().table(t), _check_output(output))

    @property
    def median(self) -> Optional[float]:
        """lifelines' ``median_survival_time_``; ``None`` when the curve stays above 0.5."""
        return self._fitted.median

    def quantile_time(self, q: float) -> Optional[float]:
        """The first time at which S(t) ≤ ``q`` (lifelines' ``qth_survival_time``)."""
        return self._fitted.quantile_time(q)

    def survival_at(self, times: Any) -> Any:
        """S(t) at each time (a float for a scalar), lifelines' ``survival_function_at_times``."""
        if np.ndim(times) == 0:
            return float(self._fitted.survival_at([float(times)])[0])
        return self._fitted.survival_at(_column(times))

    @property
    def svg(self) -> str:
        """The curve with its band, as a self-contained SVG."""
        return self._fitted.svg(self.label, "Survival")

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        if self._km is None:
            return f"KaplanMeier(confidence={self.confidence}, unfitted)"
        return f"KaplanMeier(label={self.label!r}, median={self.median}, confidence={self.confidence})"

    def __getstate__(self) -> dict[str, Any]:
        return {"confidence": self.confidence, "label": self.label, "km": None if self._km is None else self._km.to_json()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.confidence = state["confidence"]
        self.label = state["label"]
        self._km = None if state["km"] is None else _KaplanMeier.from_json(state["km"])


def survival_svg(curves: Union[Mapping[str, KaplanMeier], Sequence[KaplanMeier]], title: str = "Survival") -> str:
    """Several fitted curves in one SVG: a mapping ``label → KaplanMeier`` or a list of them
    (labelled by their ``label``)."""
    items = list(curves.items()) if isinstance(curves, Mapping) else [(k.label, k) for k in curves]
    return str(_survival_svg([(str(label), km._fitted) for label, km in items], title))


@dataclass(frozen=True)
class LogRankResult:
    """A log-rank test (lifelines' ``StatisticalResult``): ``statistic`` (chi-square),
    ``df``, ``p_value``, and per group ``observed`` / ``expected`` events."""

    statistic: float
    p_value: float
    df: int
    groups: list[Any]
    observed: list[float]
    expected: list[float]


def logrank(
    durations: Any,
    groups: Any = None,
    events: Any = None,
    *,
    durations_b: Any = None,
    events_b: Any = None,
) -> LogRankResult:
    """The log-rank test that survival is the same in every group.

    ``logrank(durations, groups, events)`` is lifelines' ``multivariate_logrank_test`` (any
    number ≥ 2 of group labels); ``logrank(durations_a, events=events_a,
    durations_b=..., events_b=...)`` is its two-sample ``logrank_test`` (groups ``"a"`` and
    ``"b"``). Events default to all observed.

    >>> from cem.loyalty import logrank
    >>> t = logrank([1, 2, 3, 4, 5, 6, 7, 8], ["x"] * 4 + ["y"] * 4)
    >>> t.df, t.groups, t.p_value < 0.05
    (1, ['x', 'y'], True)
    """
    if durations_b is not None:
        if groups is not None:
            raise InvalidArgumentError("invalid `groups`: give `groups` or `durations_b`, not both")
        r = _logrank_test(_column(durations), _column(durations_b), _flags(events), _flags(events_b))
        labels: list[Any] = ["a", "b"]
    else:
        if groups is None:
            raise InvalidArgumentError("invalid `groups`: a log-rank test needs `groups` (or `durations_b`)")
        uniques, codes = np.unique(np.asarray(_column(groups)), return_inverse=True)
        r = _multivariate_logrank_test(_column(durations), codes.astype(np.uint32), _flags(events))
        labels = uniques.tolist()
    return LogRankResult(
        statistic=float(r["statistic"]),
        p_value=float(r["p_value"]),
        df=int(r["df"]),
        groups=[labels[i] for i in r["groups"]],
        observed=list(r["observed"]),
        expected=list(r["expected"]),
    )


# Public under cem.loyalty: the classes pickle and print under that name, as before the split
# (functions keep their module, so doctest finds their examples here).
KaplanMeier.__module__ = "cem.loyalty"
LogRankResult.__module__ = "cem.loyalty"
