#!/usr/bin/env python3
"""VADER sentiment: cem (Rust harness and Python binding) against the vaderSentiment package
on the same sentences in one invocation; checks that every score is identical and prints
times and ratios.

    PYTHON=.venv/bin/python python3 benches/compare_text.py --sentences 100000

1. This script writes N seeded feedback sentences, one per line: the feedback corpus of
   tests/reference/text_corpus.py (one-line texts), template feedback like the corpus's, and
   random word soups of lexicon words, VADER's modifiers, emoji and punctuation.
2. `cargo bench -p cem-benches --bench text -- --input FILE --scores ... --json ...` times
   the core (one text at a time on one thread, and the batch) and writes its scores.
3. Under $PYTHON (needs cem and vaderSentiment==3.3.2): the binding `cem.text.sentiment` on
   the list of str, in a process with one rayon thread and one with the default pool; and
   `SentimentIntensityAnalyzer().polarity_scores` over the same list (one run: it is slow).
4. Agreement: neg, neu, pos, compound of every sentence, Rust and binding against the
   package; the script exits non-zero unless all are equal (to the last bit).

Results go to benches/results/compare-text-<sentences>.json (git-ignored).
"""

import argparse
import importlib.util
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = ("neg", "neu", "pos", "compound")
LINE_BREAKS = set("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def corpus_module():
    spec = importlib.util.spec_from_file_location("text_corpus", ROOT / "tests" / "reference" / "text_corpus.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def sentences(n, seed=20261126):
    """N one-line sentences: a third each corpus, templates, word soups."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    tc = corpus_module()
    vader = SentimentIntensityAnalyzer()
    rng = random.Random(seed)
    corpus = [t for t in tc.feedback() if t.strip() and not (set(t) & LINE_BREAKS) and len(t) < 2000]
    lexicon = sorted(vader.lexicon)
    emoji = sorted(e for e in vader.emojis if len(e) == 1)
    modifiers = "very extremely kinda kind of barely so this never not no but least at the just".split()
    out = []
    while len(out) < n:
        r = rng.random()
        if r < 1 / 3:
            out.append(rng.choice(corpus))
        elif r < 2 / 3:
            s = f"{rng.choice(tc.SUBJECTS)} {rng.choice(tc.OPINIONS)}{rng.choice(tc.ENDINGS)}"
            s += f" {rng.choice(tc.SUBJECTS)} {rng.choice(tc.OPINIONS)}{rng.choice(tc.ENDINGS)}"
            out.append(s.upper() if rng.random() < 0.1 else s)
        else:
            words = []
            for _ in range(rng.randint(4, 20)):
                x = rng.random()
                w = rng.choice(lexicon) if x < 0.4 else rng.choice(modifiers) if x < 0.8 else rng.choice(emoji)
                if rng.random() < 0.1:
                    w = w.upper()
                words.append(w + rng.choice(["", "", "", ",", ".", "!", "?"]))
            out.append(" ".join(words))
    return out


def run(cmd, env=None):
    proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(map(str, cmd))} failed with exit code {proc.returncode}")
    return proc.stdout


def build_harness():
    out = run(["cargo", "bench", "-p", "cem-benches", "--bench", "text", "--no-run", "--message-format=json"])
    for line in out.splitlines():
        msg = json.loads(line)
        if msg.get("reason") == "compiler-artifact" and msg.get("executable") and msg["target"]["name"] == "text":
            return msg["executable"]
    sys.exit("could not find the text bench executable")


def binding(path, repeat, out):
    """Times cem.text.sentiment on the sentences (run as its own process)."""
    import numpy as np

    import cem.text

    texts = Path(path).read_text(encoding="utf-8").split("\n")
    runs = []
    for _ in range(max(1, repeat) + 1):  # the first run warms up
        t0 = time.perf_counter()
        frame = cem.text.sentiment(texts)
        runs.append(time.perf_counter() - t0)
    runs = runs[1:]
    np.stack([frame[k].to_numpy() for k in KEYS], axis=1).astype("<f8").tofile(out)
    json.dump({"median_s": statistics.median(runs), "min_s": min(runs), "runs_s": runs}, sys.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sentences", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", help="results (default benches/results/compare-text-<sentences>.json)")
    ap.add_argument("--binding", help=argparse.SUPPRESS)  # internal: time the binding on FILE
    ap.add_argument("--out", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.binding:
        return binding(a.binding, a.repeat, a.out)

    import numpy as np
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    python = os.path.abspath(os.environ.get("PYTHON", sys.executable))
    texts = sentences(a.sentences)
    exe = build_harness()
    report = {"sentences": len(texts)}
    with tempfile.TemporaryDirectory(prefix="cem-text-") as tmp:
        data = Path(tmp) / "sentences.txt"
        data.write_text("\n".join(texts), encoding="utf-8")
        report["bytes"] = data.stat().st_size
        print(f"{len(texts):,} sentences, {report['bytes'] / 1e6:.1f} MB", file=sys.stderr)

        print("Rust harness ...", file=sys.stderr)
        run([exe, "--input", str(data), "--repeat", str(a.repeat), "--json", f"{tmp}/rust.json",
             "--scores", f"{tmp}/rust.f64le"])  # fmt: skip
        rust = {c["name"]: c for c in json.loads(Path(f"{tmp}/rust.json").read_text())["cases"]}
        rust_scores = np.fromfile(f"{tmp}/rust.f64le", dtype="<f8").reshape(-1, 4)

        times = {}
        scores = {}
        for name, threads in (("binding_1thread", "1"), ("binding", None)):
            print(f"cem.text.sentiment ({threads or 'default'} rayon threads) ...", file=sys.stderr)
            env = dict(os.environ)
            if threads:
                env["RAYON_NUM_THREADS"] = threads
            out = run([python, __file__, "--binding", str(data), "--repeat", str(a.repeat), "--out",
                       f"{tmp}/{name}.f64le"], env=env)  # fmt: skip
            times[name] = json.loads(out)
            scores[name] = np.fromfile(f"{tmp}/{name}.f64le", dtype="<f8").reshape(-1, 4)

    print("vaderSentiment (one run) ...", file=sys.stderr)
    analyzer = SentimentIntensityAnalyzer()
    t0 = time.perf_counter()
    ref = [analyzer.polarity_scores(t) for t in texts]
    vader_s = time.perf_counter() - t0
    ref = np.array([[r[k] for k in KEYS] for r in ref])

    report["agreement"] = {}
    for name, got in (("rust", rust_scores), *scores.items()):
        same = int((got == ref).all(axis=1).sum())
        worst = float(np.abs(got - ref).max()) if len(ref) else 0.0
        report["agreement"][name] = {"identical_rows": same, "max_abs_diff": worst}
        if same != len(ref):
            sys.exit(f"{name}: {len(ref) - same} of {len(ref)} sentences differ from vaderSentiment (max {worst})")

    rows = [
        ("cem (Rust), 1 thread, polarity per text", rust["polarity_1thread"]["median_s"]),
        ("cem (Rust), batch sentiment, rayon", rust["sentiment_batch"]["median_s"]),
        ("cem.text.sentiment (Python), 1 thread", times["binding_1thread"]["median_s"]),
        ("cem.text.sentiment (Python), rayon", times["binding"]["median_s"]),
        ("vaderSentiment 3.3.2 polarity_scores", vader_s),
    ]
    report["times_s"] = {name: t for name, t in rows}
    print(f"\n{len(texts):,} sentences; every score identical to vaderSentiment (Rust and binding)")
    print(f"{'implementation':<42} {'median s':>9} {'sentences/s':>12} {'vs vaderSentiment':>18}")
    for name, t in rows:
        print(f"{name:<42} {t:>9.3f} {len(texts) / t:>12,.0f} {vader_s / t:>17.1f}x")
    path = Path(a.json or ROOT / "benches" / "results" / f"compare-text-{len(texts)}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
