#!/usr/bin/env python3
"""Identity resolution: `cem.identity.resolve` vs a pandas + networkx approach, on identical
data in one invocation; checks that both give the same customers and prints times and the
ratio.

    .venv/bin/python benches/compare_identity.py --records 1000000 [--cem-records 10000000]

The data: N seeded records of about N/3 people (the same recipe as
`cargo bench -p cem-benches --bench identity`): e-mail 70 % (a fifth in upper case with a
leading space), phone 50 % (three spellings of one national number, plus 0.1 % of records
giving one call-centre number: a hub), device id 40 %, CRM id 30 %. Both sides normalize
(e-mail trim + lower case; phone digits with country code 1), drop values held by more than
50 records, and link the rest. The peer is what one writes with the usual tools: pandas
string methods for normalization, `value_counts` for hubs, a record–value graph in networkx
and `connected_components`.

`--cem-records` also times cem alone on a larger frame (networkx at 10M records peaks at ~14.5 GB).
Needs cem installed (`make py`), pandas and networkx.
"""

import argparse
import json
import os
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from cem import identity

ROOT = Path(__file__).resolve().parent.parent
MAX = 50


def generate(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    person = rng.integers(0, max(1, n // 3), n)
    p = pd.Series(person.astype(str))
    q = pd.Series((2_000_000_000 + person).astype(str))  # the person's ten-digit national number
    r = rng.integers(0, 100, n)
    email = ("user" + p + "@example.com").where(r >= 14, " USER" + p + "@EXAMPLE.COM").where(r < 70, None)
    s = rng.integers(0, 1000, n)
    phone = ("+1 " + q).where(s <= 166, ("(" + q + ")").where(s <= 333, ("1-" + q)))
    phone = phone.where(s <= 500, None).where(s != 0, "+1 800 555 0100")
    k = rng.integers(0, 2, n).astype(str)
    device = ("dev-" + p + "-" + pd.Series(k)).where(rng.integers(0, 100, n) < 40, None)
    crm = ("CRM" + p).where(rng.integers(0, 100, n) < 30, None)
    return pd.DataFrame({"email": email, "phone": phone, "device_id": device, "crm_id": crm})


def peer(frame: pd.DataFrame) -> np.ndarray:
    """pandas normalization + networkx connected components; a component label per record."""
    norm = {
        "email": frame["email"].str.strip().str.lower(),
        "device_id": frame["device_id"].str.strip(),
        "crm_id": frame["crm_id"].str.strip(),
    }
    raw = frame["phone"].str.strip()
    digits = raw.str.replace(r"\D", "", regex=True)
    intl = raw.str.startswith("+")
    digits = digits.where(~(~intl & digits.str.startswith("00")), digits.str[2:])
    national = ~intl & ~raw.str.replace(r"\D", "", regex=True).str.startswith("00")
    digits = digits.where(~(national & digits.str.startswith("0")), "1" + digits.str[1:])
    digits = digits.where(~(national & ~digits.str.startswith("0") & ~digits.str.startswith("1")), "1" + digits)
    norm["phone"] = digits
    g = nx.Graph()
    g.add_nodes_from(range(len(frame)))
    for key, col in norm.items():
        col = col.where(col != "", None).dropna()
        counts = col.map(col.value_counts())
        col = col[counts <= MAX]
        g.add_edges_from(zip(col.index, (key + ":" + col).tolist()))
    label = np.empty(len(frame), dtype=np.int64)
    for comp in nx.connected_components(g):
        records = [x for x in comp if isinstance(x, (int, np.integer))]
        label[records] = min(records)
    return label


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = pd.DataFrame({"a": a, "b": b}).drop_duplicates()
    return pairs["a"].is_unique and pairs["b"].is_unique


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=1_000_000)
    ap.add_argument("--cem-records", type=int, default=0)
    ap.add_argument("--seed", type=int, default=20261126)
    args = ap.parse_args()

    t = time.perf_counter()
    frame = generate(args.records, args.seed)
    print(f"generated {len(frame):,} records in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    r = identity.resolve(frame, max_records_per_key=50)  # the peer counts hubs by records
    t_cem = time.perf_counter() - t
    print(f"cem.identity.resolve: {t_cem:.2f} s, {r.customer_count:,} customers, {len(r.hubs)} hub values")

    t = time.perf_counter()
    label = peer(frame)
    t_peer = time.perf_counter() - t
    print(f"pandas + networkx:    {t_peer:.2f} s, {len(np.unique(label)):,} customers")

    agree = same_partition(r.records["customer"].to_numpy(), label)
    print(f"same customers: {agree}; ratio {t_peer / t_cem:.1f}x")
    result = {"records": args.records, "cem_s": t_cem, "peer_s": t_peer, "ratio": t_peer / t_cem, "agree": agree}

    if args.cem_records:
        frame = generate(args.cem_records, args.seed)
        t = time.perf_counter()
        r = identity.resolve(frame, max_records_per_key=50)  # the peer counts hubs by records
        t_big = time.perf_counter() - t
        print(f"cem.identity.resolve on {args.cem_records:,} records: {t_big:.2f} s, {r.customer_count:,} customers")
        result.update({"cem_records": args.cem_records, "cem_big_s": t_big})
    out = ROOT / "benches" / "results"
    os.makedirs(out, exist_ok=True)
    (out / f"compare-identity-{args.records}.json").write_text(json.dumps(result))
    if not agree:
        raise SystemExit("cem and the networkx reference disagree")


if __name__ == "__main__":
    main()
