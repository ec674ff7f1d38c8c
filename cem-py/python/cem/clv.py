"""Customer lifetime value: the BG/NBD, Pareto/NBD and Gamma-Gamma models, fitted by maximum
likelihood, with expected purchases, P(alive) and customer lifetime value — the definitions
and numbers of lifetimes 0.11.3 (``BetaGeoFitter``, ``ParetoNBDFitter``,
``GammaGammaFitter``, ``customer_lifetime_value``), computed in Rust.

Inputs are one row per customer: ``frequency`` (repeat purchases), ``recency`` (time of the
last one since the first) and ``T`` (age), in your time unit — what
:func:`cem.loyalty.summary` returns. Columns are numpy arrays, pandas/polars Series or
pyarrow arrays (``float64`` ones are read without a copy), or pass the summary frame itself:
``BetaGeo().fit(summary_frame)``. A penalizer means what ``penalizer_coef`` means in
lifetimes. Fits never hang or crash: bad input raises a :class:`cem.CemError` subclass naming
the row, and a fit that cannot converge raises :class:`cem.NotConvergedError`.

Examples
--------
>>> import numpy as np
>>> from cem.clv import BetaGeo, GammaGamma, lifetime_value
>>> frequency = np.array([0, 1, 0, 2, 5, 0, 1, 3, 0, 1] * 20, dtype=float)
>>> recency = np.where(frequency > 0, 10.0 + 3 * frequency, 0.0)
>>> T = np.full(200, 38.0)
>>> bg = BetaGeo().fit(frequency, recency, T)
>>> sorted(bg.params)
['a', 'alpha', 'b', 'r']
>>> bool(bg.p_alive(2, 16.0, 38.0) < 1.0)
True
>>> repeat = frequency > 0
>>> spend = np.where(repeat, 20.0 + 2 * np.arange(200) % 7, 0.0)
>>> gg = GammaGamma().fit(frequency[repeat], spend[repeat])
>>> clv = lifetime_value(bg, gg, frequency, recency, T, spend, time=12, freq="W")
>>> clv.shape
(200,)
"""

from __future__ import annotations

import math
from typing import Any, ClassVar, Optional, Union

import numpy as np

from cem import _frames
from cem._cem import InvalidArgumentError, _BetaGeo, _GammaGamma, _lifetime_value, _ParetoNbd
from cem.loyalty import _column

__all__ = ["BetaGeo", "GammaGamma", "ParetoNBD", "lifetime_value"]

ArrayLike = Any
"""A column: numpy array, pandas/polars Series, pyarrow array, list; or a number."""
Number = Union[float, np.ndarray]

_Z95 = 1.959963984540054


class _Model:
    """What the three models share: parameters, fit report, summary, pickling."""

    _native_class: ClassVar[Any]
    _names: ClassVar[tuple[str, ...]]

    def __init__(self, penalizer: float = 0.0) -> None:
        self.penalizer = float(penalizer)
        self._m: Optional[Any] = None

    @classmethod
    def from_params(cls, **params: float) -> Any:
        """A model with known parameters (say, fitted elsewhere)."""
        missing = [n for n in cls._names if n not in params]
        extra = [n for n in params if n not in cls._names]
        if missing or extra:
            raise InvalidArgumentError(f"invalid parameters: expected exactly {', '.join(cls._names)}")
        model = cls()
        model._m = cls._native_class.from_params(*(float(params[n]) for n in cls._names))
        return model

    @property
    def _fitted(self) -> Any:
        if self._m is None:
            raise InvalidArgumentError(f"the {type(self).__name__} model is not fitted; call fit() first")
        return self._m

    @property
    def params(self) -> dict[str, float]:
        """The fitted parameters (lifetimes' ``params_``), time-scaled ones in your unit."""
        return dict(self._fitted.params)

    @property
    def log_likelihood(self) -> Optional[float]:
        """Maximized log-likelihood of the data (sum over customers, without the penalty);
        ``None`` for a model built from parameters."""
        r = self._fitted.report
        return None if r is None else float(r["log_likelihood"])

    @property
    def standard_errors(self) -> Optional[dict[str, float]]:
        """lifetimes' standard errors (delta method on the inverse Hessian of its objective);
        ``None`` when the Hessian is not positive definite or the model was not fitted."""
        r = self._fitted.report
        return None if r is None or r["standard_errors"] is None else dict(r["standard_errors"])

    @property
    def fit_report(self) -> Optional[dict[str, Any]]:
        """``log_likelihood``, ``objective`` (lifetimes' ``_negative_log_likelihood_``),
        ``iterations``, ``customers``, ``standard_errors``."""
        r = self._fitted.report
        return None if r is None else dict(r)

    def summary(self, confidence: float = 0.95, output: str = "pandas") -> Any:
        """``parameter, coef, se, lower, upper`` (lifetimes' ``summary``: coef ± z·se; at 95 %
        lifetimes rounds z to 1.96, cem uses the exact normal quantile)."""
        if not 0.0 < confidence < 1.0:
            raise InvalidArgumentError(f"invalid `confidence`: `{confidence}` is outside (0, 1)")
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        params = self.params
        se = self.standard_errors or {}
        names = list(params)
        coef = [params[n] for n in names]
        errs = [se.get(n, math.nan) if se else None for n in names]
        import pyarrow as pa  # type: ignore[import-untyped]

        table = pa.table(
            {
                "parameter": names,
                "coef": pa.array(coef, pa.float64()),
                "se": pa.array(errs, pa.float64()),
                "lower": pa.array([None if e is None else c - z * e for c, e in zip(coef, errs)], pa.float64()),
                "upper": pa.array([None if e is None else c + z * e for c, e in zip(coef, errs)], pa.float64()),
            }
        )
        from cem.journey import _convert

        return _convert(table, output)

    def __repr__(self) -> str:
        if self._m is None:
            return f"{type(self).__name__}(penalizer={self.penalizer}, unfitted)"
        p = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        return f"{type(self).__name__}({p})"

    def __getstate__(self) -> dict[str, Any]:
        return {"penalizer": self.penalizer, "model": None if self._m is None else self._m.to_json()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.penalizer = state["penalizer"]
        self._m = None if state["model"] is None else self._native_class.from_json(state["model"])


class _TransactionModel(_Model):
    """BG/NBD and Pareto/NBD: fit on (frequency, recency, T), predict purchases."""

    def fit(
        self,
        frequency: Any,
        recency: Optional[ArrayLike] = None,
        T: Optional[ArrayLike] = None,
        weights: Optional[ArrayLike] = None,
    ) -> Any:
        """Fits by maximum likelihood; returns ``self``. ``frequency`` may be a summary frame
        (columns ``frequency``, ``recency``, ``T``); ``weights`` count identical customers.

        Raises
        ------
        InvalidNumberError
            A frequency that is not a whole number ≥ 0, a negative or non-finite recency or
            T, recency > T, or recency ≠ 0 with frequency 0 (the message names the row).
        InvalidArgumentError
            Nobody made a repeat purchase, or every T is 0.
        EmptyError, LengthMismatchError, NotConvergedError, UndefinedError
        """
        x, tx, t = _rfm_columns(frequency, recency, T)
        self._m = self._native_class.fit(x, tx, t, _col(weights), self.penalizer)
        return self

    def predict(self, t: float, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Number:
        """Expected purchases in the next ``t`` time units of customers with history
        (``frequency``, ``recency``, ``T``) — lifetimes' ``predict`` /
        ``conditional_expected_number_of_purchases_up_to_time``. A float for scalars, else
        an array."""
        return _scalar_or_array(
            self._fitted.predict(float(t), _col(frequency), _col(recency), _col(T)), frequency, recency, T
        )

    conditional_expected_number_of_purchases_up_to_time = predict

    def p_alive(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> Number:
        """Probability that the customer is still alive (lifetimes'
        ``conditional_probability_alive``)."""
        return _scalar_or_array(self._fitted.p_alive(_col(frequency), _col(recency), _col(T)), frequency, recency, T)

    conditional_probability_alive = p_alive

    def expected_purchases(self, t: ArrayLike) -> Number:
        """Expected repeat purchases of a new customer within ``t`` (lifetimes'
        ``expected_number_of_purchases_up_to_time``)."""
        return _scalar_or_array(self._fitted.expected_purchases(_col(t)), t)

    expected_number_of_purchases_up_to_time = expected_purchases

    def probability_of_n_purchases(self, t: float, n: int) -> float:
        """Probability that a new customer makes exactly ``n`` repeat purchases within ``t``
        (lifetimes' ``probability_of_n_purchases_up_to_time``)."""
        return float(self._fitted.probability_of_n_purchases(float(t), int(n)))

    probability_of_n_purchases_up_to_time = probability_of_n_purchases


class BetaGeo(_TransactionModel):
    """The BG/NBD model (Fader, Hardie and Lee 2005), as lifetimes' ``BetaGeoFitter``:
    parameters ``r, alpha, a, b``.

    >>> from cem.clv import BetaGeo
    >>> m = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    >>> round(m.predict(52, 2, 30.43, 38.86), 3), round(m.p_alive(2, 30.43, 38.86), 3)
    (1.559, 0.727)
    """

    _native_class = _BetaGeo
    _names = ("r", "alpha", "a", "b")


class ParetoNBD(_TransactionModel):
    """The Pareto/NBD model (Schmittlein, Morrison and Colombo 1987), as lifetimes'
    ``ParetoNBDFitter``: parameters ``r, alpha, s, beta``. Fitted to the optimum (lifetimes'
    Nelder–Mead from a random start stops short on this flat likelihood).

    >>> from cem.clv import ParetoNBD
    >>> m = ParetoNBD.from_params(r=0.553, alpha=10.58, s=0.606, beta=11.67)
    >>> 0.8 < m.p_alive(2, 30.43, 38.86) < 0.9
    True
    """

    _native_class = _ParetoNbd
    _names = ("r", "alpha", "s", "beta")


class GammaGamma(_Model):
    """The Gamma-Gamma model of spend per transaction, as lifetimes' ``GammaGammaFitter``:
    parameters ``p, q, v``.

    >>> from cem.clv import GammaGamma
    >>> m = GammaGamma.from_params(p=6.25, q=3.74, v=15.44)
    >>> 22.35 < m.expected_value(2, 22.35) < 35.2
    True
    """

    _native_class = _GammaGamma
    _names = ("p", "q", "v")

    def fit(self, frequency: Any, monetary_value: Optional[ArrayLike] = None, weights: Optional[ArrayLike] = None) -> GammaGamma:
        """Fits on **repeat** customers' ``frequency`` (> 0) and ``monetary_value`` (mean
        spend of the repeat purchases, > 0); ``frequency`` may be a summary frame (rows with
        frequency 0 are then left out, as lifetimes' documentation says to do). Returns
        ``self``.

        Raises
        ------
        InvalidNumberError
            A frequency ≤ 0 or a monetary value ≤ 0 (naming the row).
        EmptyError, UndefinedError, NotConvergedError
        """
        if monetary_value is None:
            kind, frame = _frame(frequency)
            x = np.asarray(_frames._as_numpy_codes(_frames.column(frame, kind, "frequency")), dtype=np.float64)
            m = np.asarray(_frames._as_numpy_codes(_frames.column(frame, kind, "monetary_value")), dtype=np.float64)
            keep = x > 0
            self._m = self._native_class.fit(x[keep], m[keep], None, self.penalizer)
            return self
        self._m = self._native_class.fit(_col(frequency), _col(monetary_value), _col(weights), self.penalizer)
        return self

    def expected_value(self, frequency: ArrayLike, monetary_value: ArrayLike) -> Number:
        """Expected mean transaction value of customers (lifetimes'
        ``conditional_expected_average_profit``); the population mean for frequency 0."""
        return _scalar_or_array(self._fitted.expected_value(_col(frequency), _col(monetary_value)), frequency, monetary_value)

    conditional_expected_average_profit = expected_value


def lifetime_value(
    transaction_model: _TransactionModel,
    spend_model: GammaGamma,
    frequency: ArrayLike,
    recency: ArrayLike,
    T: ArrayLike,
    monetary_value: ArrayLike,
    time: int = 12,
    discount_rate: float = 0.01,
    freq: str = "D",
) -> Number:
    """Discounted customer lifetime value over ``time`` months, lifetimes'
    ``GammaGammaFitter.customer_lifetime_value(transaction_model, frequency, recency, T,
    monetary_value, time, discount_rate, freq)``: for each month i, the expected purchases
    in month i times the Gamma-Gamma expected value, divided by (1 + discount_rate)^i.
    ``freq`` is the unit of recency and T: ``"H"``, ``"D"`` (30 a month), ``"W"`` (4.345 a
    month), ``"M"``.
    """
    if not isinstance(transaction_model, _TransactionModel):
        raise TypeError(f"transaction_model must be a BetaGeo or ParetoNBD model, not `{type(transaction_model).__name__}`")
    if not isinstance(spend_model, GammaGamma):
        raise TypeError(f"spend_model must be a GammaGamma model, not `{type(spend_model).__name__}`")
    if isinstance(time, bool) or not isinstance(time, (int, np.integer)) or time < 0:
        raise InvalidArgumentError(f"invalid `time`: `{time}` is not a whole number of months >= 0")
    v = _lifetime_value(
        transaction_model._fitted,
        spend_model._fitted,
        _col(frequency),
        _col(recency),
        _col(T),
        _col(monetary_value),
        int(time),
        float(discount_rate),
        freq,
    )
    return _scalar_or_array(v, frequency, recency, T, monetary_value)


# ---------------------------------------------------------------------- glue


def _col(values: Any) -> Any:
    """A column for the native side: scalars become one-element arrays, the rest as
    :func:`cem.loyalty._column` reads them (pandas Series as their numpy array, numpy,
    Arrow and polars columns as they are)."""
    if values is None:
        return None
    if _is_scalar(values):
        return np.array([float(values)])
    return _column(values)


def _is_scalar(x: Any) -> bool:
    return isinstance(x, (int, float, np.number)) or (isinstance(x, np.ndarray) and x.ndim == 0)


def _scalar_or_array(result: Any, *inputs: Any) -> Number:
    if all(_is_scalar(x) for x in inputs):
        return float(result[0])
    return result


def _frame(frame: Any) -> tuple[str, Any]:
    kind = _frames.frame_kind(frame)
    return kind, _frames.as_table(frame, kind)


def _rfm_columns(frequency: Any, recency: Any, T: Any) -> tuple[Any, Any, Any]:
    if recency is None and T is None:
        if isinstance(frequency, dict):
            return _col(frequency["frequency"]), _col(frequency["recency"]), _col(frequency["T"])
        kind, frame = _frame(frequency)
        return tuple(_col(_frames.column(frame, kind, c)) for c in ("frequency", "recency", "T"))  # type: ignore[return-value]
    if recency is None or T is None:
        raise InvalidArgumentError("invalid arguments: give `frequency`, `recency` and `T` (or one summary frame)")
    return _col(frequency), _col(recency), _col(T)
