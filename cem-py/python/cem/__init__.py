"""cem — customer experience management.

Score metrics (NPS, CSAT, CES, net satisfaction, means, proportions) with confidence
intervals, as one-shot functions and as mergeable, picklable accumulators; comparisons and
survey weights (``cem.metrics``); journey analytics (``cem.journey``); survey definitions, validation and aggregates
(``cem.survey``); sentiment, key phrases and complaints of feedback text (``cem.text``);
and a sample company to try it all on (``cem.sample``). The numbers come from the Rust
core ``cem-core``; this package is a thin binding.

Examples
--------
>>> import cem
>>> e = cem.nps([10, 9, 8, 3])
>>> e.value
25.0
>>> try:
...     cem.nps([12])
... except ValueError as err:  # every input error is a ValueError and a cem.CemError
...     print(type(err).__name__, err.code)
OutOfRangeError out_of_range
>>> round(cem.compare_nps([10, 10, 9, 3], [3, 2, 6, 10]).difference, 9)  # 50 - (-50)
100.0
"""

from cem import journey, metrics, sample, survey, text
from cem._cem import (
    CemError,
    EmptyError,
    IncompatibleError,
    InvalidAnswersError,
    InvalidArgumentError,
    InvalidNumberError,
    InvalidStateError,
    InvalidSurveyError,
    JsonError,
    LengthMismatchError,
    LimitExceededError,
    NotConvergedError,
    OutOfRangeError,
    UndefinedError,
    __version__,
)
from cem.metrics import (
    Estimate,
    ces,
    ces_agree,
    compare_nps,
    compare_proportions,
    csat,
    mean,
    net_satisfaction,
    nps,
    proportion,
)

__all__ = [
    "CemError",
    "EmptyError",
    "Estimate",
    "IncompatibleError",
    "InvalidAnswersError",
    "InvalidArgumentError",
    "InvalidNumberError",
    "InvalidStateError",
    "InvalidSurveyError",
    "JsonError",
    "LengthMismatchError",
    "LimitExceededError",
    "NotConvergedError",
    "OutOfRangeError",
    "UndefinedError",
    "__version__",
    "ces",
    "ces_agree",
    "compare_nps",
    "compare_proportions",
    "csat",
    "journey",
    "mean",
    "metrics",
    "net_satisfaction",
    "nps",
    "proportion",
    "sample",
    "survey",
    "text",
]
