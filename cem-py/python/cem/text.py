"""Feedback text: sentiment, key phrases and complaint detection.

* :func:`sentiment` / :func:`polarity`: VADER scores (``neg``, ``neu``, ``pos``,
  ``compound``) identical to the ``vaderSentiment`` 3.3.2 package on every text — the
  package's lexicons and rules, reimplemented in Rust (about 30 times faster; see
  BENCHMARKS.md). ``label`` is ``positive`` from ``compound >= 0.05``, ``negative`` from
  ``compound <= -0.05``, else ``neutral`` (the thresholds the VADER authors recommend).
* :func:`key_phrases`: the n-grams that set one group of comments apart from the others,
  ranked by the weighted log-odds ratio with an informative Dirichlet prior (Monroe,
  Colaresi & Quinn 2008) as a z-score.
* :func:`complaints` / :func:`is_complaint`: negative sentiment plus complaint cues
  (:data:`COMPLAINT_CUES`).

Texts come as a list, tuple, numpy array, pandas/polars Series or pyarrow array of ``str``;
a missing text (``None``, NaN) is an error naming its position, never a silent neutral row.
A text longer than ``max_chars`` characters (default :data:`DEFAULT_MAX_CHARS`, 100 000;
pass a larger value for documents you trust) is a :class:`cem.LimitExceededError` naming
its position, before anything is scored: a service scoring what strangers type cannot be
made to spend unbounded time on one "comment".
Results are frames of the input's library (pandas for lists and arrays; ``output=`` picks
another: ``"pandas"``, ``"polars"``, ``"pyarrow"``). A pandas Series keeps its index.

Examples
--------
>>> import cem.text
>>> cem.text.polarity("The book was good.")
{'neg': 0.0, 'neu': 0.508, 'pos': 0.492, 'compound': 0.4404}
>>> cem.text.sentiment(["Great staff!", "Worst service ever", "It came on Tuesday"])
     neg    neu    pos  compound     label
0  0.000  0.185  0.815    0.6588  positive
1  0.672  0.328  0.000   -0.6249  negative
2  0.000  1.000  0.000    0.0000   neutral
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Optional

from cem import _frames
from cem._cem import (
    COMPLAINT_CUES,
    DEFAULT_MAX_CHARS,
    ENGLISH_STOPWORDS,
    InvalidArgumentError,
    _complaints,
    _key_phrases,
    _polarity,
    _sentiment,
)

__all__ = [
    "COMPLAINT_CUES",
    "DEFAULT_MAX_CHARS",
    "ENGLISH_STOPWORDS",
    "complaints",
    "is_complaint",
    "key_phrases",
    "polarity",
    "sentiment",
]

_OUTPUTS = ("pandas", "polars", "pyarrow")


def polarity(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> dict[str, float]:
    """VADER scores of one text, as ``SentimentIntensityAnalyzer().polarity_scores`` gives.

    Examples
    --------
    >>> polarity("VADER is VERY SMART, handsome, and FUNNY!!!")
    {'neg': 0.0, 'neu': 0.233, 'pos': 0.767, 'compound': 0.9342}
    >>> polarity("")
    {'neg': 0.0, 'neu': 0.0, 'pos': 0.0, 'compound': 0.0}
    >>> polarity("good " * 30_000)
    Traceback (most recent call last):
    ...
    cem.LimitExceededError: the length of the text exceeds the limit of 100000 characters: 150000 characters
    >>> polarity("good " * 30_000, max_chars=200_000)["compound"]
    1.0
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, not `{type(text).__name__}`")
    return _polarity(text, max_chars=_max_chars(max_chars))


def sentiment(
    texts: Any, *, output: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS
) -> Any:
    """VADER scores of each text: a frame with ``neg``, ``neu``, ``pos``, ``compound`` and
    ``label`` (``positive``/``neutral``/``negative``), one row per text, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.Series(["Not bad at all", "Today SUX!"], index=["a", "b"])
    >>> sentiment(s)
         neg    neu    pos  compound     label
    a  0.000  0.513  0.487    0.4310  positive
    b  0.779  0.221  0.000   -0.5461  negative
    """
    values, kind, index = _read_texts(texts, "texts")
    cols = _sentiment(values, max_chars=_max_chars(max_chars))
    return _frame(cols, output or kind, index)


def complaints(
    texts: Any, *, output: Optional[str] = None, max_chars: int = DEFAULT_MAX_CHARS
) -> Any:
    """Complaint verdicts: a frame with ``is_complaint``, ``compound`` and ``cues`` (the
    :data:`COMPLAINT_CUES` found), one row per text.

    A text is a complaint when it has a cue and its ``compound`` is below 0.25 (not clearly
    positive), or when its ``compound`` is -0.5 or lower whatever its words.

    Examples
    --------
    >>> complaints(["Great service!", "Cancel my subscription.", "Rude, horrible staff"])
       is_complaint  compound              cues
    0         False    0.6588                []
    1          True   -0.2500         [cancel*]
    2          True   -0.7579  [rude, horrible]
    """
    values, kind, index = _read_texts(texts, "texts")
    cols = _complaints(values, max_chars=_max_chars(max_chars))
    return _frame(cols, output or kind, index)


def is_complaint(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> bool:
    """Whether one text is a complaint (see :func:`complaints`).

    Examples
    --------
    >>> is_complaint("I want to speak to a manager!")
    True
    >>> is_complaint("Thanks for the quick refund!")
    False
    """
    if not isinstance(text, str):
        raise TypeError(f"`text` must be a str, not `{type(text).__name__}`")
    return bool(_complaints([text], max_chars=_max_chars(max_chars))["is_complaint"][0])


def key_phrases(
    data: Any,
    by: Any,
    *,
    text: str = "text",
    top: int = 10,
    ngram: tuple[int, int] = (1, 2),
    min_count: int = 3,
    stopwords: Optional[Sequence[str]] = None,
    prior_scale: float = 1.0,
    output: Optional[str] = None,
) -> Any:
    """The phrases that set each group of comments apart from the others.

    Parameters
    ----------
    data
        A frame (pandas, polars, pyarrow) with a text column, or a sequence of texts.
    by
        With a frame: the name of the group column. With texts: one group label per text.
    text
        The text column of a frame (default ``"text"``).
    top
        Phrases per group.
    ngram
        ``(min_n, max_n)``: the n-gram lengths, e.g. ``(1, 3)``.
    min_count
        A phrase must occur at least this often over all groups.
    stopwords
        ``None`` for :data:`ENGLISH_STOPWORDS`; your own list replaces it (``[]``: none;
        ``[*ENGLISH_STOPWORDS, "acme"]`` extends it). Single stopwords, and n-grams that
        start or end with one, are not phrases.
    prior_scale
        Strength of the informative prior: ``alpha_w = prior_scale * count of w in all texts``.
    output
        ``"pandas"``, ``"polars"`` or ``"pyarrow"`` (default: the input's library).

    Returns
    -------
    A frame with the group column, ``phrase``, ``z`` (the weighted log-odds z-score), ``delta``
    (the log-odds ratio), ``count`` (in the group) and ``other_count`` (in all other groups):
    per group (sorted by label), the ``top`` phrases with a positive z, largest first.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({
    ...     "touchpoint": ["call"] * 3 + ["app"] * 3,
    ...     "text": ["hold music for an hour", "the hold music again", "hold music, no answer",
    ...              "great app", "the app is great", "love the app"],
    ... })
    >>> key_phrases(df, by="touchpoint", min_count=2)[["touchpoint", "phrase", "count"]]
      touchpoint      phrase  count
    0        app         app      3
    1        app       great      2
    2       call        hold      3
    3       call  hold music      3
    4       call       music      3
    """
    if isinstance(by, str) and not isinstance(data, (list, tuple)):
        kind = _frames.frame_kind(data)
        table = _frames.as_table(data, kind)
        values, _, _ = _read_texts(_frames.column(table, kind, text), f"column `{text}`")
        labels = _to_list(_frames.column(table, kind, by))
        group_name = by
    else:
        values, kind, _ = _read_texts(data, "texts")
        labels = _to_list(by)
        group_name = "group"
        if len(labels) != len(values):
            from cem._cem import LengthMismatchError

            raise LengthMismatchError(f"`texts` has {len(values)} values but `by` has {len(labels)}")
    codes, names = _factorize(labels, group_name)
    if not (isinstance(ngram, tuple) and len(ngram) == 2 and all(isinstance(n, int) for n in ngram)):
        raise InvalidArgumentError(f"invalid `ngram`: `{ngram!r}` must be a pair of integers such as (1, 2)")
    for name, value in (("top", top), ("min_count", min_count)):
        if not isinstance(value, int) or value < 0:
            raise InvalidArgumentError(f"invalid `{name}`: `{value!r}` must be a non-negative integer")
    if min(ngram) < 0:
        raise InvalidArgumentError(f"invalid `ngram`: `{ngram!r}` must satisfy 1 <= min <= max <= 8")
    if isinstance(stopwords, str):
        raise TypeError("`stopwords` must be a list of words, not one string")
    cols = _key_phrases(
        values,
        codes,
        min_n=ngram[0],
        max_n=ngram[1],
        top=top,
        min_count=min_count,
        prior_scale=float(prior_scale),
        stopwords=None if stopwords is None else [str(w) for w in stopwords],
    )
    group_labels = [names[g] for g in cols.pop("group")]
    return _frame({group_name: group_labels, **cols}, output or kind, None)


# ---------------------------------------------------------------- helpers


def _max_chars(value: Any) -> int:
    """``max_chars`` checked: a whole number >= 0 (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"`max_chars` must be an int, not `{type(value).__name__}`")
    if value < 0:
        raise InvalidArgumentError(f"invalid `max_chars`: `{value!r}` must be a non-negative integer")
    return value


def _to_list(obj: Any) -> list[Any]:
    if hasattr(obj, "to_pylist"):  # pyarrow
        return list(obj.to_pylist())
    if hasattr(obj, "to_list"):  # polars, pandas
        return list(obj.to_list())
    if hasattr(obj, "tolist"):  # numpy
        return list(obj.tolist())
    if isinstance(obj, (str, bytes)):
        raise TypeError("expected a sequence of texts, not one string (wrap it in a list)")
    return list(obj)


def _read_texts(obj: Any, name: str) -> tuple[list[str], str, Any]:
    """The texts as a list of str, the library to answer in, and a pandas index to keep."""
    module = type(obj).__module__.split(".")[0]
    kind = module if module in ("pandas", "polars", "pyarrow") else "pandas"
    index = obj.index if module == "pandas" and hasattr(obj, "index") else None
    values = _to_list(obj)
    for i, v in enumerate(values):
        if not isinstance(v, str):
            if v is None or (isinstance(v, float) and math.isnan(v)):
                raise InvalidArgumentError(
                    f"invalid `{name}`: the text at position {i} is missing; drop or fill missing texts first"
                )
            raise TypeError(f"{name}: the value at position {i} is a `{type(v).__name__}`, not a str")
    return values, kind, index


def _factorize(labels: list[Any], name: str) -> tuple[list[int], list[Any]]:
    for i, v in enumerate(labels):
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise InvalidArgumentError(f"invalid `{name}`: the group at position {i} is missing")
    distinct = list(dict.fromkeys(labels))
    try:
        distinct.sort()
    except TypeError:
        pass  # labels of mixed types keep their order of appearance
    code = {v: i for i, v in enumerate(distinct)}
    return [code[v] for v in labels], distinct


def _frame(cols: dict[str, Any], kind: str, index: Any) -> Any:
    if kind not in _OUTPUTS:
        raise ValueError(f"unknown output `{kind}`; expected one of {', '.join(_OUTPUTS)}")
    if kind == "pandas":
        import pandas as pd  # type: ignore[import-untyped]

        return pd.DataFrame(cols, index=index)
    if kind == "polars":
        import polars as pl  # type: ignore[import-not-found,unused-ignore]

        return pl.DataFrame(cols)
    import pyarrow as pa  # type: ignore[import-untyped]

    return pa.table(cols)
