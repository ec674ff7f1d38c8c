"""Expected VADER scores for cem-core's sentiment test (cem-core/tests/text.rs).

Writes tests/data/text/vader_reference.json: each sentence of tests/reference/text_corpus.py
(vaderSentiment's own examples and the feedback the tests write) with the scores
`SentimentIntensityAnalyzer().polarity_scores` of the published vaderSentiment 3.3.2 gives.
Nothing here comes from cem.

Environment (checked 2026-11): Python 3.11 and `pip install vaderSentiment==3.3.2` (the
repository's .venv has it: tests/python/requirements.txt).
Command (from the repository root):
    .venv/bin/python tests/reference/vader_reference.py
"""

import json
import os
import sys
from importlib.metadata import version

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from text_corpus import corpus  # noqa: E402

OUT = os.path.join(HERE, "..", "data", "text")


def main():
    assert version("vaderSentiment") == "3.3.2", version("vaderSentiment")
    analyzer = SentimentIntensityAnalyzer()
    cases = []
    for text in corpus():
        s = analyzer.polarity_scores(text)
        cases.append({"text": text, **{k: s[k] for k in ("neg", "neu", "pos", "compound")}})
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "vader_reference.json"), "w", encoding="utf-8") as f:
        json.dump({"package": "vaderSentiment", "version": version("vaderSentiment"),
                   "python": sys.version.split()[0], "cases": cases}, f, ensure_ascii=False,
                  indent=0)
        f.write("\n")
    print(f"{len(cases)} sentences -> {OUT}/vader_reference.json")


if __name__ == "__main__":
    main()
