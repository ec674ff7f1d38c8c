"""cem.text.sentiment / polarity against the vaderSentiment 3.3.2 package, live.

Sentences: the package's own examples (README and demo) and the feedback corpus of
tests/reference/text_corpus.py (praise, complaints, mixed, sarcasm, typos, empty text, only
punctuation, very long text, non-Latin scripts, emoji, ALL CAPS, negations, boosters, "but",
idioms), plus seeded random word soups built from the lexicon and VADER's modifier words.
Every sentence must agree within 1e-4 on all four numbers.
"""

import importlib.util
import math
import random
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

import cem
import cem.text

_spec = importlib.util.spec_from_file_location(
    "text_corpus", Path(__file__).parents[1] / "reference" / "text_corpus.py"
)
text_corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(text_corpus)

KEYS = ("neg", "neu", "pos", "compound")
VADER = SentimentIntensityAnalyzer()


def test_oracle_is_the_published_3_3_2():
    assert version("vaderSentiment") == "3.3.2"


def assert_all_agree(texts):
    frame = cem.text.sentiment(texts)
    assert len(frame) == len(texts)
    bad = []
    for i, t in enumerate(texts):
        want = VADER.polarity_scores(t)
        got = {k: float(frame[k].iloc[i]) for k in KEYS}
        if any(abs(want[k] - got[k]) > 1e-4 for k in KEYS):
            bad.append(f"{t!r}: vader {want}, cem {got}")
        expected_label = (
            "positive" if want["compound"] >= 0.05 else "negative" if want["compound"] <= -0.05 else "neutral"
        )
        assert frame["label"].iloc[i] == expected_label
    assert not bad, f"{len(bad)} of {len(texts)} differ:\n" + "\n".join(bad[:20])


def test_package_examples():
    assert len(text_corpus.PACKAGE_EXAMPLES) >= 60
    assert_all_agree(text_corpus.PACKAGE_EXAMPLES)


def test_feedback_corpus():
    texts = text_corpus.feedback()
    assert len(texts) >= 400
    assert_all_agree(texts)


def word_soups(n, seed):
    """Random sentences that exercise every rule: lexicon words in any case, boosters,
    negations, `no`, `but`, `least`, `kind of`, idiom pieces, emoticons, emoji, punctuation."""
    rng = random.Random(seed)
    lexicon = sorted(VADER.lexicon)
    emoji = sorted(e for e in VADER.emojis if len(e) == 1)
    modifiers = [
        "very", "extremely", "kinda", "kind", "of", "sort", "barely", "so", "this", "never",
        "not", "no", "or", "nor", "isn't", "without", "doubt", "but", "BUT", "least", "at",
        "the", "shit", "bomb", "bad", "ass", "yeah", "right", "kiss", "death", "to", "die",
        "for", "beating", "heart", "bus", "stop", "just", "enough", "VERY", "NOT", "most",
    ]  # fmt: skip
    plain = ["service", "delivery", "app", "it", "was", "is", "and", "my", "order", "staff"]
    punct = ["", "", "", ".", ",", "!", "!!", "?", "??", "???", "?!", "...", ":)"]
    out = []
    for _ in range(n):
        words = []
        for _ in range(rng.randint(1, 14)):
            r = rng.random()
            if r < 0.35:
                w = rng.choice(lexicon)
            elif r < 0.7:
                w = rng.choice(modifiers)
            elif r < 0.9:
                w = rng.choice(plain)
            else:
                w = rng.choice(emoji)
            c = rng.random()
            if c < 0.15:
                w = w.upper()
            elif c < 0.2:
                w = w.capitalize()
            words.append(w + rng.choice(punct))
        sep = rng.choice([" ", " ", "  ", "\t"])
        out.append(sep.join(words))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_word_soups(seed):
    assert_all_agree(word_soups(1500, seed))


def test_polarity_is_the_package_dict():
    for t in text_corpus.PACKAGE_EXAMPLES[:20]:
        assert cem.text.polarity(t) == VADER.polarity_scores(t)


def test_inputs_and_outputs():
    texts = ["Great staff!", "Worst service ever", "meh"]
    expected = cem.text.sentiment(texts)
    assert list(expected.columns) == ["neg", "neu", "pos", "compound", "label"]
    for inp in (tuple(texts), np.array(texts, dtype=object), pa.array(texts), pl.Series(texts)):
        out = cem.text.sentiment(inp, output="pandas")
        pd.testing.assert_frame_equal(out, expected)
    s = pd.Series(texts, index=[10, 20, 30], dtype="string")
    out = cem.text.sentiment(s)
    assert list(out.index) == [10, 20, 30]
    assert out["compound"].tolist() == expected["compound"].tolist()
    assert isinstance(cem.text.sentiment(pl.Series(texts)), pl.DataFrame)
    table = cem.text.sentiment(pa.chunked_array([texts[:1], texts[1:]]))
    assert isinstance(table, pa.Table) and table.column("compound").to_pylist() == expected["compound"].tolist()
    assert len(cem.text.sentiment([])) == 0


def test_missing_and_wrong_texts_are_errors():
    with pytest.raises(cem.InvalidArgumentError, match="position 1 is missing"):
        cem.text.sentiment(["good", None])
    with pytest.raises(ValueError, match="position 2 is missing"):
        cem.text.sentiment(pd.Series(["good", "bad", math.nan]))
    with pytest.raises(TypeError, match="position 0 is a `int`"):
        cem.text.sentiment([3])
    with pytest.raises(TypeError, match="not one string"):
        cem.text.sentiment("good")
    with pytest.raises(TypeError):
        cem.text.polarity(None)
    with pytest.raises(ValueError, match="unknown output"):
        cem.text.sentiment(["good"], output="excel")


def test_text_length_limit():
    """#11: a text over ``max_chars`` (default 100 000) is a LimitExceededError naming it;
    the caller can raise the limit, and the scores are then the package's."""
    assert cem.text.DEFAULT_MAX_CHARS == 100_000
    huge = "a" * 10_000_000
    with pytest.raises(cem.LimitExceededError) as info:
        cem.text.polarity(huge)
    assert info.value.code == "limit_exceeded"
    assert str(info.value) == (
        "the length of the text exceeds the limit of 100000 characters: 10000000 characters"
    )
    with pytest.raises(cem.LimitExceededError, match="text 1 exceeds the limit of 100000"):
        cem.text.sentiment(["fine", huge])
    with pytest.raises(cem.LimitExceededError, match="text 1 exceeds"):
        cem.text.complaints(["fine", huge])
    with pytest.raises(cem.LimitExceededError):
        cem.text.is_complaint(huge)
    assert isinstance(cem.LimitExceededError("x"), ValueError)
    # at the limit, counted in characters (code points) as Python's len counts
    at = "ä" * 100_000
    assert cem.text.polarity(at) == VADER.polarity_scores(at)
    with pytest.raises(cem.LimitExceededError, match="100001 characters"):
        cem.text.polarity(at + "ä")
    # raised by the caller: scored, and identical to vaderSentiment
    # (few words: vaderSentiment takes minutes on 100 000 characters of prose)
    long = "The agent was GREAT, " + "x" * 120_000 + " but the wait was awful!"
    assert len(long) > 100_000
    assert cem.text.polarity(long, max_chars=200_000) == VADER.polarity_scores(long)
    got = cem.text.sentiment([long, "ok"], max_chars=len(long))
    assert got["compound"].tolist()[0] == VADER.polarity_scores(long)["compound"]
    assert len(cem.text.complaints([long], max_chars=len(long))) == 1
    assert cem.text.polarity("", max_chars=0)["compound"] == 0.0
    with pytest.raises(cem.LimitExceededError):
        cem.text.polarity("a", max_chars=0)
    with pytest.raises(cem.InvalidArgumentError, match="max_chars"):
        cem.text.polarity("a", max_chars=-1)
    with pytest.raises(TypeError, match="max_chars"):
        cem.text.sentiment(["a"], max_chars=1.5)  # type: ignore[arg-type]
