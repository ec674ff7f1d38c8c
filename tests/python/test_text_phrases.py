"""cem.text.key_phrases against an independent numpy implementation of the weighted log-odds
ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008), and a planted
phrase that must rank first."""

import random
from collections import Counter

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import cem
import cem.text


def fightin_words(texts, groups, ngram=(1, 2), min_count=3, prior_scale=1.0, stopwords=(), top=10):
    """Texts are lowercase words separated by spaces (no punctuation), so tokenizing is split()."""
    stop = set(stopwords)
    labels = sorted(set(groups))
    counts = {g: Counter() for g in labels}
    for text, g in zip(texts, groups):
        words = text.split()
        for n in range(ngram[0], ngram[1] + 1):
            for k in range(len(words) - n + 1):
                gram = words[k : k + n]
                if gram[0] in stop or gram[-1] in stop:
                    continue
                counts[g][" ".join(gram)] += 1
    vocab = sorted(set().union(*counts.values()))
    Y = np.array([[counts[g][w] for w in vocab] for g in labels], dtype=float)
    total = Y.sum(axis=0)
    N = total.sum()
    alpha = prior_scale * total
    a0 = prior_scale * N
    out = {}
    for gi, g in enumerate(labels):
        yi = Y[gi]
        yj = total - yi
        ni = yi.sum()
        nj = N - ni
        delta = np.log((yi + alpha) / (ni + a0 - yi - alpha)) - np.log((yj + alpha) / (nj + a0 - yj - alpha))
        z = delta / np.sqrt(1 / (yi + alpha) + 1 / (yj + alpha))
        keep = (yi > 0) & (total >= min_count) & (z > 0)
        rows = sorted(((-z[k], vocab[k], z[k], delta[k], int(yi[k]), int(yj[k])) for k in np.flatnonzero(keep)))
        out[g] = [r[1:] for r in rows[:top]]
    return out


def random_corpus(seed, n=300):
    rng = random.Random(seed)
    vocab = "the a service app store call wait refund agent music hold price staff slow fast " \
            "good bad order late again never manager queue checkout card delivery box".split()  # fmt: skip
    groups = ["call", "store", "web"]
    weights = {g: [rng.random() ** 3 for _ in vocab] for g in groups}
    texts, by = [], []
    for _ in range(n):
        g = rng.choice(groups)
        texts.append(" ".join(rng.choices(vocab, weights[g], k=rng.randint(2, 12))))
        by.append(g)
    return texts, by


@pytest.mark.parametrize(
    ("seed", "ngram", "min_count", "prior_scale", "stopwords"),
    [
        (1, (1, 2), 3, 1.0, []),
        (2, (1, 3), 2, 0.5, []),
        (3, (2, 3), 5, 2.0, ["the", "a"]),
        (4, (1, 1), 1, 0.01, ["the", "a", "again"]),
    ],
)
def test_matches_independent_numpy_implementation(seed, ngram, min_count, prior_scale, stopwords):
    texts, by = random_corpus(seed)
    want = fightin_words(texts, by, ngram, min_count, prior_scale, stopwords, top=15)
    got = cem.text.key_phrases(
        texts, by, ngram=ngram, min_count=min_count, prior_scale=prior_scale, stopwords=stopwords, top=15
    )
    assert list(got.columns) == ["group", "phrase", "z", "delta", "count", "other_count"]
    assert sorted(set(got["group"])) == sorted(want)
    for g, rows in want.items():
        mine = got[got["group"] == g]
        assert mine["phrase"].tolist() == [r[0] for r in rows]
        np.testing.assert_allclose(mine["z"], [r[1] for r in rows], rtol=1e-12)
        np.testing.assert_allclose(mine["delta"], [r[2] for r in rows], rtol=1e-12)
        assert mine["count"].tolist() == [r[3] for r in rows]
        assert mine["other_count"].tolist() == [r[4] for r in rows]


def planted_corpus(seed=7):
    rng = random.Random(seed)
    generic = [
        "the staff was friendly", "my order arrived late", "good prices overall", "the music in the store was loud",
        "please hold the door next time", "could not find the size", "the app is slow", "checkout took a while",
        "they put me on hold at the desk", "nice music and clean floors", "delivery was quick", "refund was fine", "a small delay at the till",
    ]  # fmt: skip
    rows = []
    for touchpoint in ("call", "store", "web"):
        for k in range(120):
            text = rng.choice(generic) + ", " + rng.choice(generic)
            if touchpoint == "call" and k % 3 == 0:
                text += ". " + rng.choice(["hold music for ages", "awful hold music", "the hold music again"])
            if touchpoint == "web" and k % 4 == 0:
                text += ". " + rng.choice(["Refund delay!", "another refund delay", "refund delay, twice"])
            rows.append((touchpoint, text))
    rng.shuffle(rows)
    return pd.DataFrame(rows, columns=["touchpoint", "comment"])


def test_planted_phrases_rank_first():
    df = planted_corpus()
    out = cem.text.key_phrases(df, by="touchpoint", text="comment", top=5)
    first = out.groupby("touchpoint")["phrase"].first()
    assert first["call"] == "hold music"
    assert first["web"] == "refund delay"
    call = out[out["touchpoint"] == "call"].iloc[0]
    assert call["count"] == 40 and call["other_count"] == 0


def test_stopwords_builtin_custom_and_extended():
    assert "the" in cem.text.ENGLISH_STOPWORDS and "not" not in cem.text.ENGLISH_STOPWORDS
    texts = ["acme app not working", "acme app not working", "acme app not working", "fine", "fine", "fine"]
    by = [0, 0, 0, 1, 1, 1]
    default = cem.text.key_phrases(texts, by, top=50)
    assert "acme" in default["phrase"].tolist()
    extended = cem.text.key_phrases(texts, by, top=50, stopwords=[*cem.text.ENGLISH_STOPWORDS, "acme"])
    assert "acme" not in extended["phrase"].tolist() and "acme app" not in extended["phrase"].tolist()
    assert "app not" in extended["phrase"].tolist()


def test_frame_types():
    df = planted_corpus()
    want = cem.text.key_phrases(df, by="touchpoint", text="comment")
    for frame in (pl.from_pandas(df), pa.Table.from_pandas(df)):
        got = cem.text.key_phrases(frame, by="touchpoint", text="comment", output="pandas")
        pd.testing.assert_frame_equal(got, want)
    assert isinstance(cem.text.key_phrases(pl.from_pandas(df), by="touchpoint", text="comment"), pl.DataFrame)


def test_bad_input_is_a_clear_error():
    with pytest.raises(cem.InvalidArgumentError, match="at least two different groups"):
        cem.text.key_phrases(["a b", "c d"], ["x", "x"])
    with pytest.raises(cem.LengthMismatchError):
        cem.text.key_phrases(["a b", "c d"], ["x"])
    with pytest.raises(cem.InvalidArgumentError, match="ngram"):
        cem.text.key_phrases(["a b", "c d"], ["x", "y"], ngram=(2, 1))
    with pytest.raises(cem.InvalidArgumentError, match="prior_scale"):
        cem.text.key_phrases(["a b", "c d"], ["x", "y"], prior_scale=0)
    with pytest.raises(cem.InvalidArgumentError, match="group at position 1 is missing"):
        cem.text.key_phrases(["a b", "c d"], ["x", None])
    with pytest.raises(KeyError, match="no column `text`"):
        cem.text.key_phrases(pd.DataFrame({"g": [1, 2]}), by="g")
