"""Hygiene at scale: exact + near-duplicate passes on 100k / 1M short texts, in a fresh
process each (wall time, rows/s, peak RSS), and the near-duplicate finder's recall and
false-positive rate on planted near duplicates made by controlled edits; then the recall on
templated texts (one sentence with a few words varied: large LSH buckets that mix templates),
against every pair's exact Jaccard.

    python bench/hygiene.py --rows 100000,1000000
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _edit(rng: random.Random, text: str, kind: str) -> str:
    words = text.split()
    if kind == "number":
        return re.sub(r"\d+", lambda m: str(rng.randint(10, 99999)), text)
    if kind == "case":
        return text.upper() + "  "
    if kind == "one_word":
        words[rng.randrange(len(words))] = rng.choice(["urgent", "again", "please", "thanks"])
        return " ".join(words)
    # three_words
    for _ in range(3):
        words[rng.randrange(len(words))] = rng.choice(["urgent", "again", "please", "thanks"])
    return " ".join(words)


def build(rows: int, seed: int = 11) -> tuple[list[str], list[tuple[int, int, str]]]:
    """`rows` texts: 98% distinct tickets, 2% planted edits of earlier ones (pairs known)."""
    from _data import texts

    base = texts(rows, seed=seed, words=40)
    rng = random.Random(seed)
    planted = []
    kinds = ["number", "case", "one_word", "three_words"]
    for index in rng.sample(range(1, rows), rows // 50):
        source = rng.randrange(index)
        kind = kinds[index % len(kinds)]
        base[index] = _edit(rng, base[source], kind)
        planted.append((source, index, kind))
    return base, planted


def _bigrams(text: str) -> set[tuple[str, ...]]:
    """The word bigrams near-duplicate search compares, computed here on their own: letters
    and digits kept, anything else a space (the word itself for a one-word text)."""
    words = re.sub(r"[^\w\s]|_", " ", text).split()
    return {tuple(words[k : k + 2]) for k in range(len(words) - 1)} or {tuple(words)}


def child(rows: int) -> None:
    import polars as pl

    from datacheck.checks._hygiene import analyse, normalized

    data, planted = build(rows)
    frame = pl.DataFrame(
        {
            "example_id": range(rows),
            "source_line": range(1, rows + 1),
            "split": ["train"] * rows,
            "input_text": data,
            "target_text": ["x"] * rows,
            "label": ["x"] * rows,
        }
    )
    start = time.perf_counter()
    result = analyse(frame, task="classification")
    seconds = time.perf_counter() - start
    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6)  # KiB -> MB
    del normalized
    # truth: planted pairs whose exact bigram Jaccard >= 0.8 (or identical after normalization)
    clusters = {}
    from datacheck.checks._hygiene import near_duplicate_clusters

    keyed = frame.with_columns(pl.col("input_text").alias("_input"))
    keyed = keyed.with_columns(
        pl.col("_input").str.normalize("NFKC").str.to_lowercase()
        .str.replace_all(r"\s+", " ").str.strip_chars()
    )  # fmt: skip
    for number, cluster in enumerate(near_duplicate_clusters(frame)):
        for i in cluster["ids"]:
            clusters[i] = number
    shingles = dict(enumerate(_bigrams(text) for text in keyed["_input"]))
    exact_keys = keyed["_input"].to_list()
    found = eligible = 0
    by_kind: dict[str, list[int]] = {}
    for a, b, kind in planted:
        if exact_keys[a] == exact_keys[b]:
            continue  # an exact duplicate after normalization: the exact pass's business
        sa, sb = shingles.get(a, set()), shingles.get(b, set())
        jaccard = len(sa & sb) / len(sa | sb) if sa | sb else 0.0
        if jaccard < 0.8:
            continue
        eligible += 1
        hit = clusters.get(a) is not None and clusters.get(a) == clusters.get(b)
        found += hit
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += hit
        by_kind[kind][1] += 1
    planted_ids = {i for a, b, _k in planted for i in (a, b)}
    reported = sum(len(c["lines"]) for c in result.near_clusters) and result.near_rows
    false_rows = sum(1 for i in clusters if i not in planted_ids)
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds),
                "peak_rss_mb": peak_mb,
                "exact_groups": result.duplicate_group_count,
                "near_clusters": result.near_cluster_count,
                "near_rows": reported,
                "planted_pairs_at_or_above_0.8": eligible,
                "recall": round(found / eligible, 4) if eligible else None,
                "recall_by_edit": {k: round(v[0] / v[1], 3) for k, v in sorted(by_kind.items())},
                "false_positive_rate": round(false_rows / max(len(clusters), 1), 4),
            }
        )
    )


def templated_recall(count: int = 2500) -> tuple[int, int]:
    """(texts with a partner at Jaccard >= 0.8, those of them found in a cluster)."""
    import itertools

    import polars as pl

    from datacheck.checks._hygiene import near_duplicate_clusters

    rng = random.Random(5)
    words = [
        ["refund", "return", "exchange", "credit", "voucher", "replacement"],
        ["blender", "lamp", "jacket", "kettle", "chair", "monitor", "backpack", "phone"],
        ["quickly", "today", "soon", "now", "promptly"],
        ["blender", "lamp", "jacket", "kettle", "chair", "monitor", "backpack", "phone"],
        ["thanks", "regards", "cheers", "best", "bye"],
    ]
    texts: set[str] = set()
    while len(texts) < count:
        a, b, c, d, e = (rng.choice(w) for w in words)
        texts.add(
            f"hello team i would like a {a} for the {b} i bought last week it stopped working "
            f"after two days please help {c} my order was {d} and i am not happy {e}"
        )
    ordered = sorted(texts)
    n = len(ordered)
    sets = dict(enumerate(_bigrams(text) for text in ordered))
    should = set()
    for i, j in itertools.combinations(range(n), 2):
        if len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= 0.8:
            should.update((i, j))
    frame = pl.DataFrame(
        {"example_id": range(n), "source_line": range(1, n + 1), "split": ["train"] * n,
         "input_text": ordered}
    )  # fmt: skip
    found = {i for cluster in near_duplicate_clusters(frame) for i in cluster["ids"]}
    return len(should), len(found & should)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"{'rows':>9} {'seconds':>8} {'rows/s':>9} {'peak MB':>8} {'recall':>7} "
          f"{'FP rate':>8}  recall by edit")  # fmt: skip
    for rows in (int(r) for r in args.rows.split(",")):
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(rows)], capture_output=True, text=True
        )
        if out.returncode:
            print(out.stderr[-2000:])
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['rows']:>9,} {r['seconds']:>8} {r['rows_per_s']:>9,} {r['peak_rss_mb']:>8,} "
            f"{r['recall']:>7} {r['false_positive_rate']:>8}  {r['recall_by_edit']}"
        )
    should, found = templated_recall()
    print(f"templated texts: {found} of {should} with a partner at Jaccard >= 0.8 clustered "
          f"(recall {found / should:.4f})")  # fmt: skip


if __name__ == "__main__":
    main()
