"""Score metrics: one-shot functions and mergeable accumulators.

Functions (``nps``, ``csat``, ``ces``, ``ces_agree``, ``net_satisfaction``, ``mean``,
``proportion``) take a column and return an :class:`Estimate`. The accumulator classes
(``Nps``, ``Csat``, ``Ces``, ``NetSatisfaction``, ``Mean``, ``Proportion``) take data in
pieces, merge exactly, and pickle (through their JSON state), so partial results from Dask
or Spark workers combine into the one-pass answer.

Examples
--------
>>> from cem import metrics
>>> parts = [[10, 9, 3], [8, 10], [6]]
>>> accs = []
>>> for part in parts:
...     acc = metrics.Nps()
...     acc.push_many(part)
...     accs.append(acc)
>>> total = accs[0]
>>> for acc in accs[1:]:
...     total.merge(acc)
>>> total.estimate() == metrics.nps([10, 9, 3, 8, 10, 6])
True
"""

from cem._cem import (
    Ces,
    Csat,
    Estimate,
    Mean,
    NetSatisfaction,
    Nps,
    Proportion,
    ces,
    ces_agree,
    chi_square_independence,
    csat,
    mean,
    net_satisfaction,
    nps,
    proportion,
    two_proportion_test,
)

__all__ = [
    "Ces",
    "Csat",
    "Estimate",
    "Mean",
    "NetSatisfaction",
    "Nps",
    "Proportion",
    "ces",
    "ces_agree",
    "chi_square_independence",
    "csat",
    "mean",
    "net_satisfaction",
    "nps",
    "proportion",
    "two_proportion_test",
]
