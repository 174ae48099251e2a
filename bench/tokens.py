"""Tokenizer throughput: rows/s and tokens/s per tokenizer, against the floor of the same
tokenizer encoding all texts concatenated in one call (no per-row overhead).

    python bench/tokens.py --rows 100000,1000000

Prints one table; the ratio column is per-row time / floor time (1.0 is the floor).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import texts  # noqa: E402

from datacheck.plan import tokenizers as tokens  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000", help="comma-separated row counts")
    args = parser.parse_args()
    print(f"{'tokenizer':<16} {'rows':>9} {'tokens':>11} {'rows/s':>10} {'tokens/s':>11} "
          f"{'floor s':>8} {'ours s':>8} {'ratio':>6}")  # fmt: skip
    for rows in (int(r) for r in args.rows.split(",")):
        data = texts(rows)
        joined = "\n".join(data)
        for name in tokens.NAMES:
            tokenizer = tokens.get(name)
            start = time.perf_counter()
            floor_tokens = tokenizer.count(joined)
            floor = time.perf_counter() - start
            start = time.perf_counter()
            counts = tokenizer.count_all(data)
            ours = time.perf_counter() - start
            total = sum(counts)
            print(
                f"{name:<16} {rows:>9,} {total:>11,} {rows / ours:>10,.0f} {total / ours:>11,.0f} "
                f"{floor:>8.2f} {ours:>8.2f} {ours / floor:>6.2f}"
            )
            del floor_tokens


if __name__ == "__main__":
    main()
